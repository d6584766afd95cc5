/* Chroma upsampling as libjpeg-turbo 2.1.5's jdsample.c does it with
 * do_fancy_upsampling on (djpeg's default), one output row at a time:
 * - full-size components are used in place;
 * - 2:1 horizontal ("h2v1"), and 2:1 both ways ("h2v2"), use the triangle
 *   filter when the component is more than 2 samples wide, and plain
 *   replication otherwise (jinit_upsampler's downsampled_width > 2 test);
 * - 2:1 vertical only ("h1v2", 4:4:0) always uses its triangle filter;
 * - any other integral ratio (4:1:1, ...) is replication (int_upsample).
 * Rows above the first and below the last (downsampled_height - 1) repeat
 * the edge row, as jdmainct.c's context pointers do; columns never reach
 * past downsampled_width. Rounding biases alternate as in libjpeg. */
#include "loader/jpeg_priv.h"

void jdec_upsampler_init(const jdec *d, const jdec_comp *c, jdec_upsampler *u) {
    u->hx = d->max_h / c->h;
    u->vx = d->max_v / c->v;
    if (u->hx == 1 && u->vx == 1)
        u->kind = JDEC_UP_FULL;
    else if (u->hx == 2 && u->vx == 1 && c->dw > 2)
        u->kind = JDEC_UP_H2V1_FANCY;
    else if (u->hx == 1 && u->vx == 2)
        u->kind = JDEC_UP_H1V2_FANCY;
    else if (u->hx == 2 && u->vx == 2 && c->dw > 2)
        u->kind = JDEC_UP_H2V2_FANCY;
    else
        u->kind = JDEC_UP_REPLICATE;
}

static const uint8_t *plane_row(const jdec_comp *c, int r) {
    if (r < 0) r = 0;
    if (r > c->dh - 1) r = c->dh - 1;
    return c->plane + (size_t)r * c->stride;
}

/* Horizontal triangle filter: 3/4 nearer + 1/4 further, biases 1 and 2. */
static void h2v1(const uint8_t *in, int dw, uint8_t *out) {
    out[0] = in[0];
    out[1] = (uint8_t)((in[0] * 3 + in[1] + 2) >> 2);
    for (int x = 1; x < dw - 1; x++) {
        int v = in[x] * 3;
        out[2 * x] = (uint8_t)((v + in[x - 1] + 1) >> 2);
        out[2 * x + 1] = (uint8_t)((v + in[x + 1] + 2) >> 2);
    }
    int l = dw - 1;
    out[2 * l] = (uint8_t)((in[l] * 3 + in[l - 1] + 1) >> 2);
    out[2 * l + 1] = in[l];
}

/* Vertical triangle filter; the bias is 1 for the upper output row of a
 * pair and 2 for the lower one. */
static void h1v2(const uint8_t *near, const uint8_t *far, int dw, int bias, uint8_t *out) {
    for (int x = 0; x < dw; x++) out[x] = (uint8_t)((near[x] * 3 + far[x] + bias) >> 2);
}

/* Both: vertical sums first (3*near + far), then the horizontal filter on
 * the sums with biases 8 and 7. */
static void h2v2(const uint8_t *near, const uint8_t *far, int dw, uint8_t *out) {
    int last = near[0] * 3 + far[0], cur = last, next = near[1] * 3 + far[1];
    out[0] = (uint8_t)((cur * 4 + 8) >> 4);
    out[1] = (uint8_t)((cur * 3 + next + 7) >> 4);
    for (int x = 1; x < dw - 1; x++) {
        last = cur;
        cur = next;
        next = near[x + 1] * 3 + far[x + 1];
        out[2 * x] = (uint8_t)((cur * 3 + last + 8) >> 4);
        out[2 * x + 1] = (uint8_t)((cur * 3 + next + 7) >> 4);
    }
    last = cur;
    cur = next;
    int l = dw - 1;
    out[2 * l] = (uint8_t)((cur * 3 + last + 8) >> 4);
    out[2 * l + 1] = (uint8_t)((cur * 4 + 7) >> 4);
}

static void replicate(const uint8_t *in, int hx, int width, uint8_t *out) {
    for (int x = 0; x < width; x++) out[x] = in[x / hx];
}

const uint8_t *jdec_upsample_row(const jdec *d, const jdec_comp *c, const jdec_upsampler *u,
                                 int y, uint8_t *tmp) {
    switch (u->kind) {
    case JDEC_UP_FULL:
        return plane_row(c, y);
    case JDEC_UP_H2V1_FANCY:
        h2v1(plane_row(c, y), c->dw, tmp);
        return tmp;
    case JDEC_UP_H1V2_FANCY: {
        int r = y >> 1, lower = y & 1;
        h1v2(plane_row(c, r), plane_row(c, lower ? r + 1 : r - 1), c->dw, lower ? 2 : 1, tmp);
        return tmp;
    }
    case JDEC_UP_H2V2_FANCY: {
        int r = y >> 1, lower = y & 1;
        h2v2(plane_row(c, r), plane_row(c, lower ? r + 1 : r - 1), c->dw, tmp);
        return tmp;
    }
    default:
        if (u->hx == 1) return plane_row(c, y / u->vx);
        replicate(plane_row(c, y / u->vx), u->hx, d->width, tmp);
        return tmp;
    }
}
