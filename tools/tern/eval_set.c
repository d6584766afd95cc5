/* The image list of `tern eval`; see eval.h. The labels file is untrusted
 * input like any other: read through the library's file reader (size cap,
 * regular files only), every line checked, errors name the line. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "eval.h"
#include "loader/file_io.h"

#define EVAL_LABELS_MAX_BYTES ((size_t)64 << 20)
#define EVAL_MAX_IMAGES 10000000

static char *join(const char *dir, const char *name) {
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p) snprintf(p, n, "%s%s%s", dir, dir[0] && dir[strlen(dir) - 1] != '/' ? "/" : "", name);
    return p;
}

static int is_file(const char *path) {
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* Where image `name` is: beside the labels file, else in images_dir (as
 * written, then by its last component). */
static char *locate(const char *labels_dir, const char *images_dir, const char *name) {
    const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
    const char *tries[3][2] = {{labels_dir, name}, {images_dir, name}, {images_dir, base}};
    for (int k = 0; k < 3; k++) {
        if (!tries[k][0]) continue;
        char *p = join(tries[k][0], tries[k][1]);
        if (!p || is_file(p)) return p;
        free(p);
    }
    return join(labels_dir ? labels_dir : images_dir, name); /* reported when it fails */
}

static int add(eval_set *s, int *cap, char *name, char *path, long label) {
    if (!name || !path) goto oom;
    if (s->count == *cap) {
        int ncap = *cap ? *cap * 2 : 1024;
        eval_image *n = realloc(s->images, sizeof *n * (size_t)ncap);
        if (!n) goto oom;
        s->images = n;
        *cap = ncap;
    }
    s->images[s->count++] = (eval_image){.name = name, .path = path, .label = label, .status = 1};
    return 0;
oom:
    free(name);
    free(path);
    return cli_fail("out of memory reading the image list");
}

/* One "filename,synset,class_index" line (modified in place). -1: a header
 * line, 0: parsed, CLI_EXIT_ERROR: malformed (printed). */
static int parse_line(char *line, int lineno, const char *path, char **name, long *label) {
    char *c1 = strchr(line, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
    if (!c1 || !c2 || strchr(c2 + 1, ','))
        return cli_fail("%s line %d: want filename,synset,class_index", path, lineno);
    *c1 = *c2 = 0;
    char *num = c2 + 1, *end;
    errno = 0;
    long v = strtol(num, &end, 10);
    if (end == num || *end || errno || !isdigit((unsigned char)num[0])) {
        if (lineno == 1) return -1; /* filename,synset,class_index */
        return cli_fail("%s line %d: class_index '%s' is not a number", path, lineno, num);
    }
    if (v > 1000000 || !line[0])
        return cli_fail("%s line %d: %s", path, lineno, line[0] ? "class_index too large"
                                                                   : "empty file name");
    *name = line;
    *label = v;
    return 0;
}

static char *dir_of(const char *path) {
    const char *slash = strrchr(path, '/');
    size_t n = slash ? (size_t)(slash - path) : 1;
    char *d = malloc(n + 1);
    if (!d) return NULL;
    if (slash) memcpy(d, path, n);
    else d[0] = '.';
    d[n] = 0;
    if (slash == path) d[0] = '/';
    return d;
}

static int load_labels(const char *labels, const char *images_dir, int count, eval_set *s) {
    uint8_t *buf;
    size_t len;
    tern_err err;
    if (tern_file_read(labels, EVAL_LABELS_MAX_BYTES, &buf, &len, &err) != TERN_OK)
        return cli_fail("%s (--labels)", err.msg);
    char *dir = dir_of(labels), *text = malloc(len + 1);
    int rc = dir && text ? 0 : cli_fail("out of memory"), cap = 0, lineno = 0;
    if (!rc && memchr(buf, 0, len)) rc = cli_fail("%s: a NUL byte in a labels file", labels);
    if (!rc) {
        memcpy(text, buf, len);
        text[len] = 0;
    }
    for (char *line = text, *next; !rc && line && *line; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = 0;
        lineno++;
        line[strcspn(line, "\r")] = 0;
        if (!line[0]) continue;
        char *name = NULL;
        long label = -1;
        int r = parse_line(line, lineno, labels, &name, &label);
        if (r < 0) continue;
        if (r) rc = r;
        else if (count && s->count >= count) break;
        else if (s->count >= EVAL_MAX_IMAGES) rc = cli_fail("%s: too many images", labels);
        else rc = add(s, &cap, strdup(name), locate(dir, images_dir, name), label);
    }
    free(text);
    free(dir);
    free(buf);
    if (!rc && !s->count) rc = cli_fail("%s: no images listed", labels);
    s->labelled = 1;
    return rc;
}

static int is_image_name(const char *n) {
    const char *dot = strrchr(n, '.');
    static const char *const ext[] = {".jpg", ".jpeg", ".ppm", ".pgm", ".pnm"};
    for (size_t k = 0; dot && k < sizeof ext / sizeof ext[0]; k++)
        if (!strcasecmp(dot, ext[k])) return 1;
    return 0;
}

static int cmp_image(const void *a, const void *b) {
    return strcmp(((const eval_image *)a)->name, ((const eval_image *)b)->name);
}

static int load_dir(const char *images_dir, int count, eval_set *s) {
    DIR *d = opendir(images_dir);
    if (!d) return cli_fail("cannot open the image folder %s: %s", images_dir, strerror(errno));
    struct dirent *e;
    int rc = 0, cap = 0;
    while (!rc && (e = readdir(d)) != NULL)
        if (is_image_name(e->d_name) && s->count < EVAL_MAX_IMAGES)
            rc = add(s, &cap, strdup(e->d_name), join(images_dir, e->d_name), -1);
    closedir(d);
    if (rc) return rc;
    qsort(s->images, (size_t)s->count, sizeof *s->images, cmp_image);
    if (count && s->count > count) {
        for (int k = count; k < s->count; k++) free(s->images[k].name), free(s->images[k].path);
        s->count = count;
    }
    return s->count ? 0 : cli_fail("no .jpg/.jpeg/.ppm/.pgm images in %s", images_dir);
}

int eval_set_load(const char *labels, const char *images_dir, int count, eval_set *set) {
    memset(set, 0, sizeof *set);
    int rc = labels ? load_labels(labels, images_dir, count, set) : load_dir(images_dir, count, set);
    if (rc) eval_set_free(set);
    return rc;
}

void eval_set_free(eval_set *set) {
    for (int k = 0; k < set->count; k++) {
        free(set->images[k].name);
        free(set->images[k].path);
    }
    free(set->images);
    memset(set, 0, sizeof *set);
}
