/* Tests of the JPEG decoder (loader/jpeg*.c) against libjpeg-turbo's djpeg:
 * - the fixtures of tests/data/jpeg (made with cjpeg, references by djpeg;
 *   see its README), bit for bit, without ../shared;
 * - every case of ../shared/data/jpeg-cases/CASES.csv as its README says
 *   (decoded cases bit for bit with the .ppm/.pgm reference);
 * - every image of ../shared/data/imagenet-sample against the MD5 of
 *   djpeg's pixels in jpeg_properties.csv (under sanitizers every 10th
 *   image, to keep the run short);
 * - format dispatch by content (loader/image.c).
 * Hostile input is in test_jpeg_hostile.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader/image.h"
#include "loader/jpeg.h"
#include "tests/harness.h"
#include "tests/md5.h"

#if defined(__SANITIZE_ADDRESS__)
#define JPEG_SAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define JPEG_SAN 1
#endif
#endif
#ifndef JPEG_SAN
#define JPEG_SAN 0
#endif

#define FIXTURES "tests/data/jpeg/"

/* Decode path with opts; compare with the PNM at ref exactly. Returns 1
 * when equal; *why says otherwise. */
static int decode_matches(const char *path, const char *ref, unsigned flags, tern_jpeg_info *info,
                          char *why, size_t cap) {
    size_t len;
    uint8_t *buf = th_read_file(path, &len);
    tern_pnm want, got;
    tern_err err = {{0}};
    if (!buf) {
        snprintf(why, cap, "cannot read %s", path);
        return 0;
    }
    tern_jpeg_options o = {flags, 0};
    tern_status st = tern_jpeg_decode_ex(buf, len, &o, &got, info, &err);
    free(buf);
    if (st) {
        snprintf(why, cap, "%s", err.msg);
        return 0;
    }
    int ok = 0;
    if (tern_pnm_read_file(ref, &want, &err)) {
        snprintf(why, cap, "%s", err.msg);
    } else {
        size_t n = (size_t)want.width * (size_t)want.height * (size_t)want.channels;
        size_t diff = 0, first = 0;
        int same_shape = want.width == got.width && want.height == got.height &&
                         want.channels == got.channels;
        for (size_t k = 0; same_shape && k < n; k++)
            if (want.data[k] != got.data[k] && !diff++) first = k;
        ok = same_shape && !diff;
        if (!same_shape)
            snprintf(why, cap, "decoded %dx%dx%d, reference %dx%dx%d", got.width, got.height,
                     got.channels, want.width, want.height, want.channels);
        else if (diff)
            snprintf(why, cap, "%zu of %zu samples differ, the first at %zu (%d vs %d)", diff, n,
                     first, got.data[first], want.data[first]);
        tern_pnm_free(&want);
    }
    tern_pnm_free(&got);
    return ok;
}

/* name, expected components, sampling of component 0, sof, rgb */
static const struct {
    const char *name;
    int comps, h0, v0, sof, rgb, rst;
} FIXTURE_LIST[] = {
    {"f420", 3, 2, 2, 0xC0, 0, 0},     {"f422_opt_rst", 3, 2, 1, 0xC0, 0, 3},
    {"f444_q100", 3, 1, 1, 0xC0, 0, 0}, {"f440", 3, 1, 2, 0xC0, 0, 0},
    {"fgray", 1, 1, 1, 0xC0, 0, 0},    {"f411", 3, 4, 1, 0xC0, 0, 0},
    {"frgb", 3, 1, 1, 0xC0, 1, 0},     {"f420_q5", 3, 2, 2, 0xC1, 0, 0},
    {"f420_rst3", 3, 2, 2, 0xC0, 0, 3}, {"f420_scans", 3, 2, 2, 0xC0, 0, 0},
    {"f420_4x2", 3, 2, 2, 0xC0, 0, 0},  {"f422_4x2", 3, 2, 1, 0xC0, 0, 0},
};

static void fixtures_exact(th_ctx *t) {
    for (size_t i = 0; i < sizeof FIXTURE_LIST / sizeof FIXTURE_LIST[0]; i++) {
        char path[128], ref[128], name[96], why[256];
        const char *n = FIXTURE_LIST[i].name;
        snprintf(path, sizeof path, FIXTURES "%s.jpg", n);
        snprintf(ref, sizeof ref, FIXTURES "%s.%s", n, FIXTURE_LIST[i].comps == 1 ? "pgm" : "ppm");
        snprintf(name, sizeof name, "jpeg fixture %s equals djpeg exactly", n);
        tern_jpeg_info info;
        int ok = decode_matches(path, ref, 0, &info, why, sizeof why);
        if (ok && (info.components != FIXTURE_LIST[i].comps || info.h_samp[0] != FIXTURE_LIST[i].h0 ||
                   info.v_samp[0] != FIXTURE_LIST[i].v0 || info.sof != FIXTURE_LIST[i].sof ||
                   info.rgb != FIXTURE_LIST[i].rgb || info.restart_interval != FIXTURE_LIST[i].rst ||
                   info.damaged)) {
            ok = 0;
            snprintf(why, sizeof why, "info: %d comps %dx%d sof %X rgb %d rst %d damaged %d",
                     info.components, info.h_samp[0], info.v_samp[0], (unsigned)info.sof, info.rgb,
                     info.restart_interval, info.damaged);
        }
        th_check(t, ok, name, "%s", why);
    }
    tern_jpeg_info info;
    char why[256];
    int ok = decode_matches(FIXTURES "f420_scans.jpg", FIXTURES "f420_scans.ppm", 0, &info, why,
                            sizeof why);
    th_check(t, ok && info.scans == 3, "jpeg fixture f420_scans has 3 non-interleaved scans",
             "scans %d %s", info.scans, ok ? "" : why);
}

/* Damaged fixtures: an error by default; with TERN_JPEG_ALLOW_DAMAGED,
 * djpeg's pixels and the damage reported. */
static void fixtures_damaged(th_ctx *t) {
    static const struct {
        const char *name, *needle;
    } D[] = {{"d420_trunc", "truncated"}, {"d422_rst", "RST2"}};
    for (size_t i = 0; i < 2; i++) {
        char path[128], ref[128], name[96], why[256];
        snprintf(path, sizeof path, FIXTURES "%s.jpg", D[i].name);
        snprintf(ref, sizeof ref, FIXTURES "%s.ppm", D[i].name);
        size_t len;
        uint8_t *buf = th_read_file(path, &len);
        tern_pnm img;
        tern_err err = {{0}};
        tern_status st = buf ? tern_jpeg_decode(buf, len, &img, &err) : TERN_ERR_IO;
        free(buf);
        snprintf(name, sizeof name, "jpeg fixture %s is an error by default", D[i].name);
        th_check(t, st == TERN_ERR_PARSE && strstr(err.msg, D[i].needle) && !img.data, name,
                 "status %d: %s", st, err.msg);
        tern_jpeg_info info;
        int ok = decode_matches(path, ref, TERN_JPEG_ALLOW_DAMAGED, &info, why, sizeof why);
        snprintf(name, sizeof name, "jpeg fixture %s with ALLOW_DAMAGED equals djpeg", D[i].name);
        th_check(t, ok && info.damaged && strstr(info.damage, D[i].needle), name, "%s / %s", why,
                 info.damage);
    }
}

/* ---- ../shared/data/jpeg-cases ---- */

/* Split one CSV line (quotes allowed, no embedded newlines) into at most
 * max fields, in place. */
static int csv_fields(char *line, char **f, int max) {
    int n = 0;
    char *p = line;
    while (n < max) {
        char *out = p;
        f[n++] = p;
        int quoted = *p == '"';
        if (quoted) p++;
        while (*p && (quoted || (*p != ',' && *p != '\n' && *p != '\r'))) {
            if (quoted && *p == '"') {
                if (p[1] == '"') {
                    *out++ = '"';
                    p += 2;
                    continue;
                }
                quoted = 0;
                p++;
                continue;
            }
            *out++ = *p++;
        }
        int more = *p == ',';
        *out = 0;
        if (!more) break;
        p++;
    }
    return n;
}

/* What a refusal must name, by case. */
static const char *refusal_word(const char *file) {
    if (strstr(file, "progressive")) return "progressive";
    if (strstr(file, "arithmetic")) return "arithmetic";
    if (strstr(file, "12bit")) return "12-bit";
    if (strstr(file, "cmyk")) return "CMYK";
    return "not supported";
}

static void one_case(th_ctx *t, const char *dir, char **f) {
    char path[512], ref[512], name[160], why[300];
    snprintf(path, sizeof path, "%s/%s", dir, f[0]);
    snprintf(ref, sizeof ref, "%s/%s", dir, f[5]);
    const char *expect = f[1];
    tern_jpeg_info info;
    if (!strcmp(expect, "decode") || !strcmp(expect, "decode_or_reject")) {
        /* this decoder decodes every decode_or_reject case too */
        int ok = decode_matches(path, ref, 0, &info, why, sizeof why);
        snprintf(name, sizeof name, "jpeg-cases %s: %s, exact", f[0], expect);
        th_check(t, ok && info.width == atoi(f[2]) && info.height == atoi(f[3]) &&
                        info.components == atoi(f[4]),
                 name, "%s", why);
        return;
    }
    size_t len;
    uint8_t *buf = th_read_file(path, &len);
    tern_pnm img;
    tern_err err = {{0}};
    tern_status st = buf ? tern_jpeg_decode(buf, len, &img, &err) : TERN_ERR_IO;
    free(buf);
    if (!strcmp(expect, "reject")) {
        snprintf(name, sizeof name, "jpeg-cases %s: rejected by name", f[0]);
        th_check(t, st == TERN_ERR_UNSUPPORTED && strstr(err.msg, refusal_word(f[0])) &&
                        strstr(err.msg, "at byte"),
                 name, "status %d: %s", st, err.msg);
        return;
    }
    /* "error": truncated data is an error by default and, when allowed,
     * djpeg's partial image (the rest gray) flagged as damaged */
    snprintf(name, sizeof name, "jpeg-cases %s: error by default", f[0]);
    th_check(t, st == TERN_ERR_PARSE && strstr(err.msg, "truncated"), name, "status %d: %s", st,
             err.msg);
    int ok = decode_matches(path, ref, TERN_JPEG_ALLOW_DAMAGED, &info, why, sizeof why);
    snprintf(name, sizeof name, "jpeg-cases %s: ALLOW_DAMAGED gives djpeg's partial image", f[0]);
    th_check(t, ok && info.damaged, name, "%s", why);
}

static void shared_cases(th_ctx *t) {
    char dir[512], csv[600];
    if (!th_shared_path(t, "data/jpeg-cases", dir, sizeof dir, "jpeg-cases (CASES.csv)")) return;
    snprintf(csv, sizeof csv, "%s/CASES.csv", dir);
    FILE *fp = fopen(csv, "r");
    if (!th_check(t, fp != NULL, "jpeg-cases CASES.csv opens", "cannot open %s", csv)) return;
    char line[1024];
    int n = 0;
    if (!fgets(line, sizeof line, fp)) line[0] = 0; /* header */
    while (fgets(line, sizeof line, fp)) {
        char *f[8];
        if (csv_fields(line, f, 8) < 7) continue;
        one_case(t, dir, f);
        n++;
    }
    fclose(fp);
    th_check(t, n == 16, "jpeg-cases: all 16 cases listed", "%d cases", n);
}

/* ---- ../shared/data/imagenet-sample ---- */

static int imagenet_one(const char *dir, char **f, char *why, size_t cap) {
    char path[600];
    snprintf(path, sizeof path, "%s/%s", dir, f[0]);
    tern_pnm img;
    tern_err err = {{0}};
    if (tern_jpeg_read_file(path, &img, &err)) {
        snprintf(why, cap, "%s", err.msg);
        return 0;
    }
    char hex[33];
    th_md5_hex(img.data, (size_t)img.width * (size_t)img.height * (size_t)img.channels, hex);
    int ok = !strcmp(hex, f[12]) && img.width == atoi(f[3]) && img.height == atoi(f[4]) &&
             img.channels == atoi(f[5]);
    if (!ok)
        snprintf(why, cap, "%s: %dx%dx%d md5 %s, expected %sx%sx%s md5 %s", f[0], img.width,
                 img.height, img.channels, hex, f[3], f[4], f[5], f[12]);
    tern_pnm_free(&img);
    return ok;
}

static void imagenet_checksums(th_ctx *t) {
    char dir[512], csv[600];
    const char *name = "imagenet-sample: every image decodes to djpeg's pixel md5";
    if (!th_shared_path(t, "data/imagenet-sample", dir, sizeof dir, name)) return;
    snprintf(csv, sizeof csv, "%s/jpeg_properties.csv", dir);
    FILE *fp = fopen(csv, "r");
    if (!th_check(t, fp != NULL, "imagenet-sample jpeg_properties.csv opens", "%s", csv)) return;
    char line[1024], why[700] = "";
    int rows = 0, tried = 0, matched = 0;
    if (!fgets(line, sizeof line, fp)) line[0] = 0;
    while (fgets(line, sizeof line, fp)) {
        char *f[16];
        if (csv_fields(line, f, 16) < 14) continue;
        int row = rows++;
        if (JPEG_SAN && row % 10) continue; /* sanitizers: every 10th image */
        tried++;
        char one[700];
        if (imagenet_one(dir, f, one, sizeof one))
            matched++;
        else if (!why[0])
            snprintf(why, sizeof why, "%s", one);
    }
    fclose(fp);
    char label[160];
    snprintf(label, sizeof label, "%s (%d of %d%s)", name, matched, tried,
             JPEG_SAN ? ", every 10th under sanitizers" : "");
    th_check(t, rows == 1000 && tried > 0 && matched == tried, label,
             "%d rows, %d of %d match; first mismatch: %s", rows, matched, tried, why);
}

/* ---- loader/image.c ---- */

static void image_dispatch(th_ctx *t) {
    static const uint8_t png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0};
    th_check(t, tern_image_detect((const uint8_t *)"\xff\xd8\xff\xe0", 4) == TERN_IMAGE_JPEG &&
                    tern_image_detect((const uint8_t *)"P6\n", 3) == TERN_IMAGE_PNM &&
                    tern_image_detect((const uint8_t *)"P5 ", 3) == TERN_IMAGE_PNM &&
                    tern_image_detect(png, sizeof png) == TERN_IMAGE_UNKNOWN &&
                    tern_image_detect((const uint8_t *)"", 0) == TERN_IMAGE_UNKNOWN &&
                    tern_image_detect(NULL, 5) == TERN_IMAGE_UNKNOWN,
             "image format detected by its first bytes", "wrong format");
    tern_pnm img;
    tern_err err = {{0}};
    tern_status st = tern_image_decode(png, sizeof png, &img, &err);
    th_check(t, st == TERN_ERR_UNSUPPORTED && strstr(err.msg, "PNG"), "image: PNG is named and refused",
             "%d %s", st, err.msg);
    st = tern_image_decode((const uint8_t *)"hello", 5, &img, &err);
    th_check(t, st == TERN_ERR_UNSUPPORTED && strstr(err.msg, "not a JPEG"),
             "image: unknown bytes are refused", "%d %s", st, err.msg);

    /* a JPEG named .ppm and a PPM: both by content */
    const char *tmp = "build/jpeg_test_by_content.ppm";
    size_t len;
    uint8_t *jpg = th_read_file(FIXTURES "f420.jpg", &len);
    FILE *fp = fopen(tmp, "wb");
    int wrote = jpg && fp && fwrite(jpg, 1, len, fp) == len;
    if (fp) fclose(fp);
    free(jpg);
    tern_pnm want;
    int ok = wrote && tern_image_read_file(tmp, &img, &err) == TERN_OK &&
             tern_pnm_read_file(FIXTURES "f420.ppm", &want, &err) == TERN_OK;
    ok = ok && img.width == want.width && img.height == want.height &&
         memcmp(img.data, want.data, (size_t)want.width * want.height * 3) == 0;
    if (ok) tern_pnm_free(&want);
    if (ok) tern_pnm_free(&img);
    remove(tmp);
    th_check(t, ok, "image: a JPEG named .ppm decodes as JPEG", "%s", err.msg);
    ok = tern_image_read_file(FIXTURES "f420.ppm", &img, &err) == TERN_OK && img.channels == 3;
    if (ok) tern_pnm_free(&img);
    th_check(t, ok, "image: a PPM decodes as PNM", "%s", err.msg);
    st = tern_image_read_file(FIXTURES "no_such_file.jpg", &img, &err);
    th_check(t, st == TERN_ERR_IO && strstr(err.msg, "no_such_file.jpg"),
             "image: a missing file names its path", "%d %s", st, err.msg);
    st = tern_jpeg_read_file(FIXTURES "f420.ppm", &img, &err);
    th_check(t, st == TERN_ERR_PARSE && strstr(err.msg, "f420.ppm") && strstr(err.msg, "SOI"),
             "jpeg: a PPM given to the JPEG reader is refused with its path", "%d %s", st, err.msg);
}

static void md5_known_answers(th_ctx *t) {
    char a[33], b[33], c[33];
    th_md5_hex((const uint8_t *)"", 0, a);
    th_md5_hex((const uint8_t *)"abc", 3, b);
    th_md5_hex((const uint8_t *)"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
               80, c);
    th_check(t, !strcmp(a, "d41d8cd98f00b204e9800998ecf8427e") &&
                    !strcmp(b, "900150983cd24fb0d6963f7d28e17f72") &&
                    !strcmp(c, "57edf4a22be3c955ac49da2e2107b67a"),
             "md5 (test helper) matches RFC 1321's examples", "%s %s %s", a, b, c);
}

TH_SUITE(suite_jpeg) {
    md5_known_answers(t);
    fixtures_exact(t);
    fixtures_damaged(t);
    image_dispatch(t);
    shared_cases(t);
    imagenet_checksums(t);
}
