/* --shape NAME=DIMS: parsed strictly (digits only, no sign, no overflow),
 * since a dim feeds every size the session computes. */
#include <string.h>

#include "cli.h"

#define CLI_MAX_DIM 0x7fffffffLL

/* One decimal dim at *p, advancing *p past it; -1 if malformed. */
static long long parse_dim(const char **p) {
    long long v = 0;
    const char *s = *p;
    if (*s < '0' || *s > '9') return -1;
    for (; *s >= '0' && *s <= '9'; s++) {
        v = v * 10 + (*s - '0');
        if (v > CLI_MAX_DIM) return -1;
    }
    *p = s;
    return v;
}

int cli_shape(const char *text, cli_shapes *s) {
    const char *eq = strrchr(text, '=');
    if (s->n >= CLI_MAX_SHAPES)
        return cli_fail("too many --shape options (at most %d)", CLI_MAX_SHAPES);
    size_t len = eq ? (size_t)(eq - text) : 0;
    if (!eq || len == 0 || len >= sizeof s->names[0])
        return cli_fail("bad --shape '%s' (want NAME=D1xD2x..., e.g. images=1x3x640x640)", text);
    int k = s->n, rank = 0;
    memcpy(s->names[k], text, len);
    s->names[k][len] = 0;
    for (const char *p = eq + 1;; p++) {
        long long v = parse_dim(&p);
        if (v < 0 || rank == TERN_MAX_RANK)
            return cli_fail("bad --shape '%s': want up to %d dims of 0..%lld separated by 'x' or ','",
                            text, TERN_MAX_RANK, CLI_MAX_DIM);
        s->dims[k][rank++] = v;
        if (*p == 0) break;
        if (*p != 'x' && *p != ',')
            return cli_fail("bad --shape '%s': unexpected '%c' (dims are separated by 'x' or ',')",
                            text, *p);
    }
    for (int i = 0; i < k; i++)
        if (!strcmp(s->names[i], s->names[k]))
            return cli_fail("--shape for '%s' given twice", s->names[k]);
    s->list[k].name = s->names[k];
    s->list[k].rank = rank;
    s->list[k].dims = s->dims[k];
    s->n++;
    return 0;
}

void cli_use_shapes(tern_session_options *opts, const cli_shapes *s) {
    opts->shapes = s->n ? s->list : NULL;
    opts->n_shapes = s->n;
}
