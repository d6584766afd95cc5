/* Tests of loader/npy.c and loader/pnm.c: round trips, every header variant
 * numpy writes, and malformed files (bad dicts, truncation, every prefix,
 * random byte flips) that must give clean errors. Also checks the npy reader
 * on the shared reference inputs when ../shared is there. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "loader/file_io.h"
#include "loader/npy.h"
#include "loader/pnm.h"
#include "tests/harness.h"

/* A deterministic byte stream for fuzz-like checks. */
static uint32_t lcg(uint32_t *s) {
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}

/* Build an .npy by hand from a header text (the dict) and raw data. */
static uint8_t *npy_by_hand(int major, const char *dict, const void *data, size_t bytes,
                            size_t *len) {
    size_t pre = major == 1 ? 10 : 12, hl = strlen(dict);
    uint8_t *b = malloc(pre + hl + bytes + 1);
    memcpy(b, "\x93NUMPY", 6);
    b[6] = (uint8_t)major;
    b[7] = 0;
    for (size_t k = 0; k < pre - 8; k++) b[8 + k] = (uint8_t)(hl >> (8 * k));
    memcpy(b + pre, dict, hl);
    if (bytes) memcpy(b + pre + hl, data, bytes);
    *len = pre + hl + bytes;
    return b;
}

static void npy_round_trips(th_ctx *t) {
    const tern_dtype types[] = {TERN_FLOAT, TERN_DOUBLE, TERN_UINT8, TERN_INT8,
                                TERN_INT32, TERN_INT64,  TERN_BOOL,  TERN_FLOAT16};
    const int64_t shapes[][3] = {{2, 3, 5}, {7, 0, 0}, {0, 0, 0}};
    const int ranks[] = {3, 1, 0};
    for (size_t ti = 0; ti < sizeof types / sizeof types[0]; ti++) {
        for (int version = 1; version <= 2; version++) {
            for (int si = 0; si < 3; si++) {
                size_t es = tern_dtype_size(types[ti]), n = 1;
                for (int k = 0; k < ranks[si]; k++) n *= (size_t)shapes[si][k];
                uint8_t *data = malloc(n * es + 1);
                uint32_t s = 7u + (uint32_t)ti;
                for (size_t k = 0; k < n * es; k++) data[k] = (uint8_t)lcg(&s);
                if (types[ti] == TERN_BOOL)
                    for (size_t k = 0; k < n; k++) data[k] &= 1;
                uint8_t *buf;
                size_t len;
                tern_err err = {{0}};
                tern_npy a;
                char name[96];
                snprintf(name, sizeof name, "npy round trip %s v%d rank %d",
                         tern_dtype_name(types[ti]), version, ranks[si]);
                int ok = tern_npy_serialize(types[ti], ranks[si], shapes[si], data, version, &buf,
                                            &len, &err) == TERN_OK;
                ok = ok && buf[6] == version && (len - n * es) % 64 == 0;
                ok = ok && tern_npy_parse(buf, len, &a, &err) == TERN_OK;
                ok = ok && a.dtype == types[ti] && a.rank == ranks[si] && a.bytes == n * es &&
                     ((uintptr_t)a.data % 64) == 0 && memcmp(a.data, data, n * es) == 0;
                for (int k = 0; ok && k < ranks[si]; k++) ok = a.dims[k] == shapes[si][k];
                th_check(t, ok, name, "%s", err.msg);
                if (ok) tern_npy_free(&a);
                if (ok) free(buf);
                free(data);
            }
        }
    }
}

static void npy_expect_error(th_ctx *t, const char *name, int major, const char *dict, size_t bytes,
                             const char *needle) {
    static uint8_t zeros[4096];
    size_t len;
    uint8_t *b = npy_by_hand(major, dict, zeros, bytes, &len);
    tern_npy a;
    tern_err err = {{0}};
    tern_status st = tern_npy_parse(b, len, &a, &err);
    th_check(t, st != TERN_OK && strstr(err.msg, needle) != NULL, name,
             "status %d, message '%s' (wanted '%s')", (int)st, err.msg, needle);
    if (st == TERN_OK) tern_npy_free(&a);
    free(b);
}

static void npy_header_variants(th_ctx *t) {
    /* what numpy accepts, written in the ways numpy and people write it */
    const char *good[] = {
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }    \n",
        "{\"shape\": (2,3), \"descr\": \"<f4\", \"fortran_order\": False}\n",
        "{'descr':'<f4','fortran_order':False,'shape':(2, 3,)}",
    };
    for (size_t k = 0; k < 3; k++) {
        float d[6] = {1, 2, 3, 4, 5, 6};
        size_t len;
        uint8_t *b = npy_by_hand(k == 1 ? 2 : 1, good[k], d, sizeof d, &len);
        tern_npy a;
        tern_err err = {{0}};
        int ok = tern_npy_parse(b, len, &a, &err) == TERN_OK;
        th_check(t, ok && a.rank == 2 && a.dims[1] == 3 && ((float *)a.data)[5] == 6.0f,
                 "npy header variant", "case %zu: %s", k, err.msg);
        if (ok) tern_npy_free(&a);
        free(b);
    }
    npy_expect_error(t, "npy fortran order", 1,
                     "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }\n", 24,
                     "fortran_order");
    npy_expect_error(t, "npy big-endian", 1,
                     "{'descr': '>f4', 'fortran_order': False, 'shape': (2, 3), }\n", 24,
                     "big-endian");
    npy_expect_error(t, "npy unknown dtype", 1,
                     "{'descr': '<c8', 'fortran_order': False, 'shape': (2, 3), }\n", 48, "<c8");
    npy_expect_error(t, "npy unknown key", 1,
                     "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}\n", 8,
                     "unknown");
    npy_expect_error(t, "npy repeated key", 1,
                     "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", 8,
                     "repeated");
    npy_expect_error(t, "npy missing key", 1, "{'descr': '<f4', 'shape': (2,)}", 8, "needs");
    npy_expect_error(t, "npy 1-tuple without comma", 1,
                     "{'descr': '<f4', 'fortran_order': False, 'shape': (2)}", 8, "not a tuple");
    npy_expect_error(t, "npy negative dim", 1,
                     "{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}", 8, "integer");
    npy_expect_error(t, "npy huge dims", 1,
                     "{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387903, "
                     "4611686018427387903)}",
                     8, "too many");
    npy_expect_error(t, "npy rank 9", 1,
                     "{'descr': '|u1', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1)}", 1,
                     "8 dimensions");
    npy_expect_error(t, "npy trailing text", 1,
                     "{'descr': '|u1', 'fortran_order': False, 'shape': (1,)} x", 1, "after");
    npy_expect_error(t, "npy not a dict", 1, "['descr']", 1, "'{'");
    npy_expect_error(t, "npy unterminated string", 1, "{'descr", 1, "unterminated");
    npy_expect_error(t, "npy truncated data", 1,
                     "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }\n", 23,
                     "truncated");
    npy_expect_error(t, "npy trailing data", 1,
                     "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }\n", 25,
                     "trailing");
    npy_expect_error(t, "npy version 4", 4,
                     "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }\n", 24,
                     "version");
}

/* numpy reads any nonzero byte of a bool array as True; tern's kernels
 * expect 0 or 1, so the reader stores what numpy means. */
static void npy_bool_values(th_ctx *t) {
    const uint8_t raw[4] = {0, 2, 1, 0xff};
    size_t len;
    uint8_t *b = npy_by_hand(1, "{'descr': '|b1', 'fortran_order': False, 'shape': (4,)}", raw,
                             sizeof raw, &len);
    tern_npy a;
    tern_err err = {{0}};
    int ok = tern_npy_parse(b, len, &a, &err) == TERN_OK;
    const uint8_t *v = ok ? a.data : NULL;
    th_check(t, v && v[0] == 0 && v[1] == 1 && v[2] == 1 && v[3] == 1, "npy bool bytes become 0/1",
             "%s: %d %d %d %d", err.msg, v ? v[0] : -1, v ? v[1] : -1, v ? v[2] : -1,
             v ? v[3] : -1);
    if (ok) tern_npy_free(&a);
    free(b);
}

/* Every prefix of a valid file is an error; random byte flips never crash
 * and, when they parse, give a consistent array. */
static void npy_prefixes_and_flips(th_ctx *t) {
    int64_t dims[2] = {3, 4};
    float data[12] = {0};
    uint8_t *buf;
    size_t len;
    tern_err err = {{0}};
    if (tern_npy_serialize(TERN_FLOAT, 2, dims, data, 1, &buf, &len, &err) != TERN_OK) {
        th_fail(t, "npy prefixes", "serialize: %s", err.msg);
        return;
    }
    int bad = 0;
    for (size_t n = 0; n < len; n++) {
        tern_npy a;
        if (tern_npy_parse(buf, n, &a, &err) == TERN_OK || err.msg[0] == 0) {
            bad++;
            tern_npy_free(&a);
        }
    }
    th_check(t, bad == 0, "npy every prefix is an error", "%d prefixes parsed", bad);
    uint32_t s = 99;
    int inconsistent = 0;
    for (int trial = 0; trial < 3000; trial++) {
        uint8_t *c = malloc(len);
        memcpy(c, buf, len);
        int flips = 1 + (int)(lcg(&s) % 3);
        for (int f = 0; f < flips; f++) c[lcg(&s) % (len - 48)] ^= (uint8_t)(1u << (lcg(&s) % 8));
        tern_npy a;
        err.msg[0] = 0;
        if (tern_npy_parse(c, len, &a, &err) == TERN_OK) {
            size_t n = tern_dtype_size(a.dtype);
            for (int k = 0; k < a.rank; k++) n *= (size_t)a.dims[k];
            inconsistent += n != a.bytes;
            tern_npy_free(&a);
        } else {
            inconsistent += err.msg[0] == 0;
        }
        free(c);
    }
    th_check(t, inconsistent == 0, "npy random byte flips", "%d inconsistent results",
             inconsistent);
    free(buf);
}

static void npy_files(th_ctx *t) {
    const char *path = "build/test_npy_tmp.npy";
    int64_t dims[1] = {3};
    int64_t v[3] = {-1, 0, 1LL << 40};
    tern_err err = {{0}};
    tern_npy a;
    int ok = tern_npy_write_file(path, TERN_INT64, 1, dims, v, &err) == TERN_OK &&
             tern_npy_read_file(path, &a, &err) == TERN_OK;
    th_check(t, ok && a.dtype == TERN_INT64 && ((int64_t *)a.data)[2] == (1LL << 40),
             "npy file round trip", "%s", err.msg);
    if (ok) tern_npy_free(&a);
    remove(path);
    th_check(t,
             tern_npy_read_file("no/such/file.npy", &a, &err) == TERN_ERR_IO &&
                 strstr(err.msg, "no/such/file.npy"),
             "npy missing file", "got '%s'", err.msg);
    th_check(t, tern_npy_read_file("tests", &a, &err) == TERN_ERR_IO, "npy directory is an error",
             "got '%s'", err.msg);
    tern_pnm img;
    th_check(t, tern_pnm_read_file("tests", &img, &err) == TERN_ERR_IO, "pnm directory is an error",
             "got '%s'", err.msg);
    /* a sparse file past the PNM limit: refused from its size, nothing read */
    const char *big = "build/test_pnm_big.ppm";
    FILE *f = fopen(big, "wb");
    int made = f && fclose(f) == 0 && truncate(big, (off_t)(TERN_PNM_MAX_BYTES + 65537)) == 0;
    th_check(t,
             made && tern_pnm_read_file(big, &img, &err) == TERN_ERR_IO && strstr(err.msg, big) &&
                 strstr(err.msg, "more than"),
             "pnm file over the size limit", "got '%s'", err.msg);
    remove(big);
    char buf[512];
    const char *ref = th_shared_path(t, "refs/mobilenet_v2_fp32/input.npy", buf, sizeof buf,
                                     "npy shared reference input");
    if (!ref) return;
    ok = tern_npy_read_file(ref, &a, &err) == TERN_OK;
    th_check(t, ok && a.dtype == TERN_FLOAT && a.rank == 4 && a.dims[0] == 8 && a.dims[3] == 3,
             "npy shared reference input", "%s", err.msg);
    if (ok) tern_npy_free(&a);
}

/* A NUL byte inside a header string (where '#' is in dict) must not cut the
 * string short: '<f4\0junk' is not '<f4', 'descr\0x' is not 'descr'. */
static void npy_nul_in_header(th_ctx *t) {
    const char *dicts[] = {"{'descr': '<f4#junk', 'fortran_order': False, 'shape': (2,), }\n",
                           "{'descr#x': '<f4', 'fortran_order': False, 'shape': (2,), }\n"};
    const char *names[] = {"npy NUL byte in descr", "npy NUL byte in a key"};
    for (int k = 0; k < 2; k++) {
        float d[2] = {1, 2};
        size_t len;
        uint8_t *b = npy_by_hand(1, dicts[k], d, sizeof d, &len);
        *(uint8_t *)memchr(b, '#', len) = 0;
        tern_npy a;
        tern_err err = {{0}};
        tern_status st = tern_npy_parse(b, len, &a, &err);
        th_check(t, st == TERN_ERR_PARSE && strstr(err.msg, "NUL byte"), names[k],
                 "status %d, message '%s'", (int)st, err.msg);
        if (st == TERN_OK) tern_npy_free(&a);
        free(b);
    }
}

/* Reading a FIFO in a child (the suite must not hang when a reader blocks
 * on it): 0 if the reader refuses it as a FIFO. */
typedef struct fifo_read {
    const char *path;
    int pnm;
} fifo_read;

static int read_fifo_in_child(void *arg) {
    const fifo_read *fr = arg;
    tern_err err = {{0}};
    tern_npy a;
    tern_pnm img;
    tern_status st = fr->pnm ? tern_pnm_read_file(fr->path, &img, &err)
                             : tern_npy_read_file(fr->path, &a, &err);
    if (st == TERN_ERR_IO && strstr(err.msg, "FIFO") && strstr(err.msg, fr->path)) return 0;
    printf("  (child: status %d, '%s')\n", (int)st, err.msg);
    return 1;
}

/* Only regular files are read (a FIFO would block forever), and an .npy
 * larger than TERN_NPY_MAX_BYTES is refused from its size. */
static void npy_pnm_file_kinds(th_ctx *t) {
    char root[] = "/tmp/tern_h4_XXXXXX";
    if (!mkdtemp(root)) {
        th_fail(t, "npy/pnm file kinds setup", "mkdtemp failed");
        return;
    }
    char fifo[64], big[64];
    snprintf(fifo, sizeof fifo, "%s/pipe", root);
    snprintf(big, sizeof big, "%s/big.npy", root);
    if (th_check(t, mkfifo(fifo, 0600) == 0, "npy/pnm FIFO setup", "mkfifo failed")) {
        for (int pnm = 0; pnm < 2; pnm++) {
            int r = th_in_child(read_fifo_in_child, &(fifo_read){fifo, pnm}, 10);
            th_check(t, r == 0, pnm ? "pnm FIFO is refused" : "npy FIFO is refused",
                     r < 0 ? "hung (killed after 10 s) or crashed" : "not refused");
        }
    }
    FILE *f = fopen(big, "wb");
    int made = f && fclose(f) == 0 && truncate(big, (off_t)TERN_NPY_MAX_BYTES + 1) == 0;
    tern_err err = {{0}};
    tern_npy a;
    tern_status st = made ? tern_npy_read_file(big, &a, &err) : TERN_OK;
    char want[96];
    snprintf(want, sizeof want, "is %llu bytes, more than the %zu allowed",
             (unsigned long long)TERN_NPY_MAX_BYTES + 1, TERN_NPY_MAX_BYTES);
    th_check(t, st == TERN_ERR_IO && strstr(err.msg, want), "npy file over the size limit",
             "status %d, '%s'", (int)st, err.msg);
    if (st == TERN_OK) tern_npy_free(&a);
    unlink(big);
    unlink(fifo);
    rmdir(root);
}

/* ---- PNM ------------------------------------------------------------- */

static void pnm_expect(th_ctx *t, const char *name, const char *text, size_t len, int want_ok,
                       int w, int h, int ch, const char *needle) {
    tern_pnm img;
    tern_err err = {{0}};
    tern_status st = tern_pnm_parse((const uint8_t *)text, len, &img, &err);
    if (want_ok) {
        th_check(t, st == TERN_OK && img.width == w && img.height == h && img.channels == ch, name,
                 "%s", err.msg);
    } else {
        th_check(t, st != TERN_OK && strstr(err.msg, needle), name, "status %d, '%s'", (int)st,
                 err.msg);
    }
    if (st == TERN_OK) tern_pnm_free(&img);
}

static void pnm_headers(th_ctx *t) {
    pnm_expect(t, "pnm P5", "P5 2 1 255 \x01\x02", 13, 1, 2, 1, 1, "");
    pnm_expect(t, "pnm P6 comments", "P6#c\n# more\n1#x\n 1\n#m\n255\n\x01\x02\x03", 29, 1, 1, 1, 3,
               "");
    pnm_expect(t, "pnm maxval 15 scales", "P5 1 1 15\n\x0f", 11, 1, 1, 1, 1, "");
    pnm_expect(t, "pnm bad magic", "P3 1 1 255\n1 2 3", 16, 0, 0, 0, 0, "P5 or P6");
    pnm_expect(t, "pnm 16-bit", "P5 1 1 65535\n\x00\x01", 15, 0, 0, 0, 0, "16-bit");
    pnm_expect(t, "pnm zero width", "P5 0 1 255\n", 11, 0, 0, 0, 0, "is 0");
    pnm_expect(t, "pnm huge side", "P5 99999 1 255\n", 15, 0, 0, 0, 0, "larger");
    pnm_expect(t, "pnm huge image", "P6 65535 65535 255\n", 19, 0, 0, 0, 0, "too large");
    pnm_expect(t, "pnm truncated", "P6 2 2 255\n\x01\x02\x03", 14, 0, 0, 0, 0, "truncated");
    pnm_expect(t, "pnm sample above maxval", "P5 1 1 100\n\xc8", 12, 0, 0, 0, 0, "exceeds");
    pnm_expect(t, "pnm garbage in header", "P5 2x 1 255\n\x01\x02", 14, 0, 0, 0, 0,
               "bad character");
    tern_pnm img;
    tern_err err = {{0}};
    /* Pillow's values: round(p / maxval * 255), halves to even */
    const uint8_t want2[3] = {0, 128, 255}, want6[7] = {0, 42, 85, 128, 170, 212, 255};
    int ok = tern_pnm_parse((const uint8_t *)"P5 3 1 2\n\x00\x01\x02", 12, &img, &err) == TERN_OK &&
             memcmp(img.data, want2, 3) == 0;
    if (img.data) tern_pnm_free(&img);
    ok = ok &&
         tern_pnm_parse((const uint8_t *)"P5 7 1 6\n\x00\x01\x02\x03\x04\x05\x06", 16, &img,
                        &err) == TERN_OK &&
         memcmp(img.data, want6, 7) == 0;
    if (img.data) tern_pnm_free(&img);
    th_check(t, ok, "pnm maxval scaling as Pillow", "%s", err.msg);
}

static void pnm_prefixes_and_flips(th_ctx *t) {
    const char *path = "build/test_pnm_tmp.ppm";
    uint8_t px[5 * 4 * 3];
    for (size_t k = 0; k < sizeof px; k++) px[k] = (uint8_t)(k * 37);
    tern_pnm img = {5, 4, 3, px}, back;
    tern_err err = {{0}};
    int ok = tern_pnm_write_file(path, &img, &err) == TERN_OK &&
             tern_pnm_read_file(path, &back, &err) == TERN_OK;
    th_check(t, ok && back.width == 5 && back.height == 4 && memcmp(back.data, px, sizeof px) == 0,
             "pnm file round trip", "%s", err.msg);
    if (ok) tern_pnm_free(&back);
    size_t len = 0;
    uint8_t *buf = th_read_file(path, &len);
    remove(path);
    if (!buf) return;
    int bad = 0;
    for (size_t n = 0; n < len; n++) {
        if (tern_pnm_parse(buf, n, &back, &err) == TERN_OK) {
            bad++;
            tern_pnm_free(&back);
        }
    }
    th_check(t, bad == 0, "pnm every prefix is an error", "%d prefixes parsed", bad);
    uint32_t s = 5;
    int inconsistent = 0;
    for (int trial = 0; trial < 3000; trial++) {
        uint8_t *c = malloc(len);
        memcpy(c, buf, len);
        c[lcg(&s) % 12] ^= (uint8_t)(1u << (lcg(&s) % 8));
        err.msg[0] = 0;
        if (tern_pnm_parse(c, len, &back, &err) == TERN_OK) {
            /* whatever parsed must fit in the file */
            inconsistent += (size_t)back.width * (size_t)back.height * (size_t)back.channels > len;
            tern_pnm_free(&back);
        } else {
            inconsistent += err.msg[0] == 0;
        }
        free(c);
    }
    th_check(t, inconsistent == 0, "pnm random byte flips", "%d inconsistent", inconsistent);
    free(buf);
}

TH_SUITE(suite_formats) {
    npy_round_trips(t);
    npy_header_variants(t);
    npy_bool_values(t);
    npy_prefixes_and_flips(t);
    npy_files(t);
    npy_nul_in_header(t);
    npy_pnm_file_kinds(t);
    pnm_headers(t);
    pnm_prefixes_and_flips(t);
}
