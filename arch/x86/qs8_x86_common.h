/* ISA-neutral helpers of the x86 qs8 kernels: loads of the last few bytes
 * of a row that never read past its end (the kernels are tested under
 * ASan), and the kernels' prototypes. */
#ifndef TERN_ARCH_X86_QS8_X86_COMMON_H
#define TERN_ARCH_X86_QS8_X86_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* 4 bytes at p as a little-endian int32; only n of them when n < 4 (the
 * rest 0). */
static inline int32_t tern_qs8_load4(const int8_t *p, size_t n) {
    int32_t v = 0;
    memcpy(&v, p, n < 4 ? n : 4);
    return v;
}

/* 8 bytes at p; only n of them when n < 8 (the rest 0). */
static inline int64_t tern_qs8_load8(const int8_t *p, size_t n) {
    int64_t v = 0;
    memcpy(&v, p, n < 8 ? n : 8);
    return v;
}

#endif
