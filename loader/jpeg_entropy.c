/* Entropy-coded segments (T.81 F.2.2, baseline Huffman): a 64-bit bit
 * buffer, block and MCU decoding straight into the component planes (each
 * block is dequantized and inverse-transformed as soon as it is decoded),
 * and restart markers.
 *
 * Damage follows libjpeg (jdhuff.c, jdmarker.c) exactly, so that with
 * TERN_JPEG_ALLOW_DAMAGED the pixels are djpeg's:
 * - the bit reader stops at any marker (or the end of the buffer) and
 *   feeds zero bits from then on; the MCU during which real bits run out
 *   is decoded with those zeros, every later MCU of the restart interval
 *   is left gray ("insufficient data");
 * - an invalid Huffman code consumes 17 bits and decodes as symbol 0;
 * - a coefficient run past index 63 lands on index 63;
 * - a wrong or missing restart marker is handled by libjpeg's
 *   jpeg_resync_to_restart rules.
 * Without the flag, running out of bits, an invalid code and a missing
 * restart marker are errors. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "loader/jpeg_priv.h"

/* Zigzag index -> natural index, padded with 63s as libjpeg's
 * jpeg_natural_order is, so that a corrupt run past 63 stays in bounds. */
static const uint8_t ZIGZAG[80] = {
    0,  1,  8,  16, 9,  2,  3,  10, 17, 24, 32, 25, 18, 11, 4,  5,  12, 19, 26, 33,
    40, 48, 41, 34, 27, 20, 13, 6,  7,  14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36,
    29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54,
    47, 55, 62, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63};

/* Bits, most significant first, in acc's top `nbits` bits. Once a marker
 * (or the end) is reached, `marker` is set, `p` stays on its first FF, and
 * refills add zero bits counted in `pad`: nbits < pad means more bits were
 * used than the segment holds. */
typedef struct bitreader {
    uint64_t acc;
    int nbits, pad;
    const uint8_t *p, *end;
    int marker;
} bitreader;

typedef struct scan_state {
    jdec *d;
    const jdec_scan *s;
    bitreader b;
    int bad_code;    /* an invalid Huffman code was seen in this MCU */
    int32_t pred[JDEC_MAX_SCAN_COMPS];
    int mcux, mcuy;  /* MCUs per row, MCU rows */
    size_t mcu;      /* current MCU, from 0 (messages count from 1) */
    int32_t blk[64]; /* dequantized coefficients, natural order; kept zero between blocks */
} scan_state;

tern_status jdec_damage(jdec *d, tern_status code, const char *fmt, ...) {
    char msg[sizeof d->damage];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!(d->flags & TERN_JPEG_ALLOW_DAMAGED)) return tern_errf(d->err, code, "jpeg: %s", msg);
    if (!d->damaged) memcpy(d->damage, msg, sizeof msg); /* keep the first */
    d->damaged = 1;
    return TERN_OK;
}

/* Spelled out so that compilers turn it into one load and a byte swap. */
static inline uint64_t load_be64(const uint8_t *p) {
    return (uint64_t)p[0] << 56 | (uint64_t)p[1] << 48 | (uint64_t)p[2] << 40 |
           (uint64_t)p[3] << 32 | (uint64_t)p[4] << 24 | (uint64_t)p[5] << 16 |
           (uint64_t)p[6] << 8 | (uint64_t)p[7];
}

/* Byte by byte, handling FF 00 stuffing, FF fill bytes and markers as
 * libjpeg's jpeg_fill_bit_buffer does. */
static void refill_slow(bitreader *b) {
    while (b->nbits <= 56) {
        if (b->marker) {
            b->pad += 64 - b->nbits;
            b->nbits = 64;
            return;
        }
        if (b->p >= b->end) {
            b->marker = JDEC_EOF;
            continue;
        }
        unsigned c = *b->p;
        if (c == 0xFF) {
            const uint8_t *q = b->p + 1;
            while (q < b->end && *q == 0xFF) q++;
            if (q >= b->end) {
                b->marker = JDEC_EOF;
                continue;
            }
            if (*q != 0) {
                b->marker = *q;
                continue;
            }
            b->p = q + 1;
        } else {
            b->p++;
        }
        b->acc |= (uint64_t)c << (56 - b->nbits);
        b->nbits += 8;
    }
}

/* Whole bytes at once when the next 8 hold no FF. */
static inline void refill(bitreader *b) {
    if (!b->marker && b->end - b->p >= 8) {
        uint64_t v = load_be64(b->p), inv = ~v;
        uint64_t has_ff = (inv - 0x0101010101010101ull) & ~inv & 0x8080808080808080ull;
        if (!has_ff) {
            int n = (64 - b->nbits) >> 3;
            b->acc |= (v >> (64 - 8 * n)) << (64 - 8 * n - b->nbits);
            b->p += n;
            b->nbits += 8 * n;
            return;
        }
    }
    refill_slow(b);
}

static inline uint32_t get_bits(bitreader *b, int n) {
    uint32_t v = (uint32_t)(b->acc >> (64 - n));
    b->acc <<= n;
    b->nbits -= n;
    return v;
}

static inline int32_t extend(uint32_t v, int s) {
    return v < (1u << (s - 1)) ? (int32_t)v - (int32_t)(1u << s) + 1 : (int32_t)v;
}

/* One symbol; needs nbits >= 17. An invalid code consumes 17 bits and is
 * symbol 0, as in libjpeg; st->bad_code records it. */
static inline int decode_sym(scan_state *st, const jdec_huff *h) {
    bitreader *b = &st->b;
    uint32_t e = h->fast[b->acc >> (64 - JDEC_FAST_BITS)];
    if (e) {
        int l = (int)(e >> 8);
        b->acc <<= l;
        b->nbits -= l;
        return (int)(e & 255);
    }
    uint32_t p16 = (uint32_t)(b->acc >> 48);
    int l = JDEC_FAST_BITS + 1;
    while (p16 >= h->maxcode[l]) l++;
    if (l > 16) {
        b->acc <<= 17;
        b->nbits -= 17;
        st->bad_code = 1;
        return 0;
    }
    b->acc <<= l;
    b->nbits -= l;
    return h->vals[((int32_t)(p16 >> (16 - l)) + h->delta[l]) & 255];
}

/* One block into st->blk (dequantized as libjpeg's DEQUANTIZE: the
 * coefficient as a 16-bit JCOEF times the 16-bit multiplier). Returns
 * whether any AC coefficient was set. */
static int decode_block(scan_state *st, const jdec_huff *dc, const jdec_huff *ac, int32_t *pred,
                        const int16_t *q) {
    bitreader *b = &st->b;
    int32_t *blk = st->blk;
    if (b->nbits < 32) refill(b);
    int s = decode_sym(st, dc);
    int32_t diff = s ? extend(get_bits(b, s), s) : 0;
    *pred = (int32_t)((uint32_t)*pred + (uint32_t)diff); /* wraps like libjpeg's int */
    blk[0] = (int32_t)(int16_t)*pred * q[0];
    int any = 0;
    for (int k = 1; k < 64; k++) {
        if (b->nbits < 32) refill(b);
        int32_t e = ac->fast_ac[b->acc >> (64 - JDEC_FAST_BITS)];
        if (e) {
            int len = e & 255;
            b->acc <<= len;
            b->nbits -= len;
            k += (e >> 8) & 255;
            int pos = ZIGZAG[k];
            blk[pos] = (e >> 16) * q[pos];
            any = 1;
            continue;
        }
        int rs = decode_sym(st, ac);
        int r = rs >> 4;
        s = rs & 15;
        if (s) {
            k += r;
            int pos = ZIGZAG[k];
            blk[pos] = (int32_t)(int16_t)extend(get_bits(b, s), s) * q[pos];
            any = 1;
        } else {
            if (r != 15) break;
            k += 15;
        }
    }
    return any;
}

/* Decode one block of component c at block (gx, gy); blocks outside the
 * component (MCU padding at the right and bottom) are decoded and dropped. */
static void do_block(scan_state *st, int i, int gx, int gy) {
    jdec_comp *c = &st->d->comp[st->s->ci[i]];
    int any = decode_block(st, &st->d->dc[st->s->td[i]], &st->d->ac[st->s->ta[i]], &st->pred[i],
                           c->q);
    if (gx < c->bw && gy < c->bh) {
        uint8_t *out = c->plane + (size_t)gy * 8 * c->stride + (size_t)gx * 8;
        if (any)
            jdec_idct_islow(st->blk, out, c->stride);
        else
            jdec_idct_dc(st->blk[0], out, c->stride);
    }
    if (any)
        memset(st->blk, 0, sizeof st->blk);
    else
        st->blk[0] = 0;
}

static void decode_mcu(scan_state *st, int mx, int my) {
    const jdec_scan *s = st->s;
    if (s->n == 1) {
        do_block(st, 0, mx, my);
        return;
    }
    for (int i = 0; i < s->n; i++) {
        const jdec_comp *c = &st->d->comp[s->ci[i]];
        for (int by = 0; by < c->v; by++)
            for (int bx = 0; bx < c->h; bx++) do_block(st, i, mx * c->h + bx, my * c->v + by);
    }
}

static size_t offset_of(const scan_state *st, const uint8_t *p) {
    return (size_t)(p - st->d->buf);
}

/* libjpeg's jpeg_resync_to_restart: the marker found is not the expected
 * RSTn. Returns with the marker consumed (resume decoding) or left pending
 * (the next segment reads as empty). */
static void resync(scan_state *st, int desired, int marker, size_t start, size_t after) {
    jdec *d = st->d;
    for (;;) {
        int action;
        if (marker < 0xC0)
            action = 2;
        else if (marker < 0xD0 || marker > 0xD7)
            action = 3;
        else if (marker == 0xD0 + ((desired + 1) & 7) || marker == 0xD0 + ((desired + 2) & 7))
            action = 3;
        else if (marker == 0xD0 + ((desired - 1) & 7) || marker == 0xD0 + ((desired - 2) & 7))
            action = 2;
        else
            action = 1;
        if (action == 1) { /* discard it and go on */
            st->b.p = d->buf + after;
            st->b.marker = 0;
            return;
        }
        if (action == 3) { /* leave it for later */
            st->b.p = d->buf + start;
            st->b.marker = marker;
            return;
        }
        marker = jdec_next_marker(d->buf, d->len, after, &start, &after);
    }
}

/* At a restart boundary: drop the buffered bits, expect RSTn, reset the DC
 * predictions (libjpeg's process_restart). *insufficient is cleared only
 * when no marker is left pending, as libjpeg clears insufficient_data. */
static tern_status restart(scan_state *st, int *next_rst, int *insufficient) {
    jdec *d = st->d;
    bitreader *b = &st->b;
    b->acc = 0;
    b->nbits = b->pad = 0;
    size_t start, after;
    int m = jdec_next_marker(d->buf, d->len, offset_of(st, b->p), &start, &after);
    if (m == 0xD0 + *next_rst) {
        b->p = d->buf + after;
        b->marker = 0;
    } else {
        char name[16];
        tern_status stt = jdec_damage(d, TERN_ERR_PARSE,
                                      "expected restart marker RST%d before MCU %zu, found %s "
                                      "(at byte %zu)",
                                      *next_rst, st->mcu + 1, jdec_marker_name(m, name, sizeof name),
                                      start);
        if (stt) return stt;
        resync(st, *next_rst, m, start, after);
    }
    *next_rst = (*next_rst + 1) & 7;
    for (int i = 0; i < JDEC_MAX_SCAN_COMPS; i++) st->pred[i] = 0;
    if (!b->marker) *insufficient = 0;
    return TERN_OK;
}

/* After an MCU: did it use bits the segment does not have, or an invalid code? */
static tern_status check_mcu(scan_state *st, int *insufficient) {
    bitreader *b = &st->b;
    size_t total = (size_t)st->mcux * (size_t)st->mcuy;
    if (b->marker && b->nbits < b->pad) {
        *insufficient = 1;
        char name[16];
        if (b->marker == JDEC_EOF)
            return jdec_damage(st->d, TERN_ERR_PARSE,
                               "truncated: the file ends in the entropy-coded data of MCU %zu "
                               "of %zu (at byte %zu)",
                               st->mcu + 1, total, st->d->len);
        return jdec_damage(st->d, TERN_ERR_PARSE,
                           "entropy-coded data ends early at %s in MCU %zu of %zu "
                           "(at byte %zu)",
                           jdec_marker_name(b->marker, name, sizeof name), st->mcu + 1, total,
                           offset_of(st, b->p));
    }
    if (st->bad_code) {
        st->bad_code = 0;
        return jdec_damage(st->d, TERN_ERR_PARSE,
                           "corrupt data: invalid Huffman code in MCU %zu of %zu (near byte %zu)",
                           st->mcu + 1, total, offset_of(st, b->p));
    }
    return TERN_OK;
}

static void scan_geometry(scan_state *st) {
    const jdec *d = st->d;
    if (st->s->n == 1) { /* non-interleaved: one block per MCU, no padding blocks */
        const jdec_comp *c = &d->comp[st->s->ci[0]];
        st->mcux = c->bw;
        st->mcuy = c->bh;
    } else {
        st->mcux = (d->width + 8 * d->max_h - 1) / (8 * d->max_h);
        st->mcuy = (d->height + 8 * d->max_v - 1) / (8 * d->max_v);
    }
}

tern_status jdec_decode_scan(jdec *d, const jdec_scan *s) {
    scan_state st;
    memset(&st, 0, sizeof st);
    st.d = d;
    st.s = s;
    st.b.p = d->buf + s->data;
    st.b.end = d->buf + d->len;
    scan_geometry(&st);
    int interval = d->restart_interval, to_go = interval, next_rst = 0, insufficient = 0;
    tern_status stt = TERN_OK;
    for (int my = 0; my < st.mcuy && !stt; my++) {
        for (int mx = 0; mx < st.mcux && !stt; mx++, st.mcu++) {
            if (interval) {
                if (to_go == 0) {
                    stt = restart(&st, &next_rst, &insufficient);
                    to_go = interval;
                }
                to_go--;
            }
            if (stt || insufficient) continue;
            decode_mcu(&st, mx, my);
            stt = check_mcu(&st, &insufficient);
        }
    }
    d->pos = offset_of(&st, st.b.p);
    return stt;
}
