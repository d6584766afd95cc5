/* MD5 (RFC 1321) for tests that compare decoded pixels with published
 * checksums. Not for anything security-related. */
#ifndef TERN_TEST_MD5_H
#define TERN_TEST_MD5_H

#include <stddef.h>
#include <stdint.h>

/* The digest of data as 32 lowercase hex digits and a NUL in hex[33]. */
void th_md5_hex(const uint8_t *data, size_t len, char hex[33]);

#endif
