/* Labels files; see labels.h. */
#include "labels.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define LABELS_MAX 1000000

/* "nXXXXXXXX name, synonyms" -> "name"; anything else stays whole. */
static void synset_name(char *line) {
    size_t n = strlen(line);
    if (n < 11 || line[0] != 'n' || line[9] != ' ') return;
    for (int k = 1; k < 9; k++)
        if (!isdigit((unsigned char)line[k])) return;
    char *start = line + 10, *comma = strchr(start, ',');
    if (comma) *comma = 0;
    memmove(line, start, strlen(start) + 1);
}

static int labels_add(cli_labels *l, const char *text, size_t *cap) {
    if (l->count == (int)*cap) {
        size_t ncap = *cap ? *cap * 2 : 1024;
        char **nn = realloc(l->names, ncap * sizeof *nn);
        if (!nn) return -1;
        l->names = nn;
        *cap = ncap;
    }
    char *copy = malloc(strlen(text) + 1);
    if (!copy) return -1;
    strcpy(copy, text);
    synset_name(copy);
    l->names[l->count++] = copy;
    return 0;
}

int labels_load(const char *path, cli_labels *out) {
    out->names = NULL;
    out->count = 0;
    FILE *f = fopen(path, "r");
    if (!f) return cli_fail("cannot open the labels file (%s)", path);
    char line[4096];
    size_t cap = 0;
    int rc = 0;
    while (fgets(line, sizeof line, f)) {
        size_t n = strlen(line);
        if (n == sizeof line - 1 && line[n - 1] != '\n') {
            rc = cli_fail("line %d of the labels file is too long (%s)", out->count + 1, path);
            break;
        }
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
        if (out->count >= LABELS_MAX || labels_add(out, line, &cap) != 0) {
            rc = cli_fail("too many labels or out of memory (%s)", path);
            break;
        }
    }
    if (rc == 0 && ferror(f)) rc = cli_fail("cannot read the labels file (%s)", path);
    fclose(f);
    /* a final empty line is the file's end, not a label */
    while (rc == 0 && out->count && out->names[out->count - 1][0] == 0)
        free(out->names[--out->count]);
    if (rc == 0 && out->count == 0) rc = cli_fail("the labels file is empty (%s)", path);
    if (rc) labels_free(out);
    return rc;
}

const char *labels_get(const cli_labels *l, long classes, long index) {
    if (!l || !l->count || index < 0) return "";
    if (classes == (long)l->count + 1) {
        if (index == 0) return "background";
        index--;
    }
    return index < l->count ? l->names[index] : "";
}

void labels_free(cli_labels *l) {
    for (int k = 0; k < l->count; k++) free(l->names[k]);
    free(l->names);
    l->names = NULL;
    l->count = 0;
}
