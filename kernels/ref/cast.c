#include "kernels/ref/cast.h"

#include <float.h>
#include <math.h>
#include <string.h>

int tern_cast_supported(tern_dtype dt) {
    switch (dt) {
    case TERN_FLOAT: case TERN_DOUBLE: case TERN_FLOAT16: case TERN_INT8: case TERN_UINT8:
    case TERN_INT32: case TERN_INT64: case TERN_BOOL:
        return 1;
    default:
        return 0;
    }
}

float tern_half_to_float(uint16_t h) {
    uint32_t sign = (uint32_t)(h >> 15) << 31, exp = (h >> 10) & 31u, man = h & 1023u, bits;
    if (exp == 0) {
        if (man == 0) {
            bits = sign;
        } else { /* subnormal: renormalize */
            exp = 127 - 15 + 1;
            while (!(man & 1024u)) {
                man <<= 1;
                exp--;
            }
            bits = sign | (exp << 23) | ((man & 1023u) << 13);
        }
    } else if (exp == 31) {
        bits = sign | 0x7f800000u | (man << 13);
    } else {
        bits = sign | ((exp - 15 + 127) << 23) | (man << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

uint16_t tern_float_to_half(float f) {
    uint32_t x;
    memcpy(&x, &f, 4);
    uint16_t sign = (uint16_t)((x >> 16) & 0x8000u);
    uint32_t exp = (x >> 23) & 255u, man = x & 0x7fffffu;
    if (exp == 255) /* inf, or NaN kept quiet */
        return (uint16_t)(sign | 0x7c00u | (man ? 0x200u | (man >> 13) : 0));
    int e = (int)exp - 127 + 15;
    if (e >= 31) return (uint16_t)(sign | 0x7c00u); /* overflow */
    if (e <= 0) {                                    /* subnormal half or zero */
        if (e < -10) return sign;
        man |= 0x800000u;
        uint32_t shift = (uint32_t)(14 - e), half = man >> shift, rem = man & ((1u << shift) - 1);
        uint32_t mid = 1u << (shift - 1);
        if (rem > mid || (rem == mid && (half & 1))) half++;
        return (uint16_t)(sign | half);
    }
    uint32_t half = ((uint32_t)e << 10) | (man >> 13), rem = man & 0x1fffu;
    if (rem > 0x1000u || (rem == 0x1000u && (half & 1))) half++; /* may carry into inf: right */
    return (uint16_t)(sign | half);
}

static int is_float(tern_dtype dt) {
    return dt == TERN_FLOAT || dt == TERN_DOUBLE || dt == TERN_FLOAT16;
}

/* source element i as a double (float types) or int64 (the rest) */
static double read_f(tern_dtype dt, const char *p) {
    if (dt == TERN_FLOAT) {
        float v;
        memcpy(&v, p, 4);
        return v;
    }
    if (dt == TERN_FLOAT16) {
        uint16_t v;
        memcpy(&v, p, 2);
        return tern_half_to_float(v);
    }
    double v;
    memcpy(&v, p, 8);
    return v;
}

static int64_t read_i(tern_dtype dt, const char *p) {
    switch (dt) {
    case TERN_INT8: return (int8_t)p[0];
    case TERN_UINT8: return (uint8_t)p[0];
    case TERN_BOOL: return p[0] != 0;
    case TERN_INT32: {
        int32_t v;
        memcpy(&v, p, 4);
        return v;
    }
    default: {
        int64_t v;
        memcpy(&v, p, 8);
        return v;
    }
    }
}

/* float -> integer of range [lo, hi]: saturate, NaN -> 0 */
static int64_t sat_i(double d, double lo, double hi, int64_t ilo, int64_t ihi) {
    if (d != d) return 0;
    if (d <= lo) return ilo;
    if (d >= hi) return ihi;
    return (int64_t)d; /* in range: truncation is defined */
}

static float to_f32(double d) {
    if (d > FLT_MAX && d != INFINITY) return INFINITY;
    if (d < -FLT_MAX && d != -INFINITY) return -INFINITY;
    return (float)d; /* rounds to nearest; NaN stays NaN */
}

static void write_int(tern_dtype to, char *p, int64_t v) {
    switch (to) {
    case TERN_INT8: p[0] = (char)(int8_t)(uint8_t)((uint64_t)v & 255u); break;
    case TERN_UINT8: p[0] = (char)(uint8_t)((uint64_t)v & 255u); break;
    case TERN_BOOL: p[0] = v != 0; break;
    case TERN_INT32: {
        int32_t x = (int32_t)(uint32_t)((uint64_t)v & 0xffffffffu); /* modulo 2^32 */
        memcpy(p, &x, 4);
        break;
    }
    default: memcpy(p, &v, 8); break;
    }
}

static void write_float(tern_dtype to, char *p, double d) {
    if (to == TERN_DOUBLE) {
        memcpy(p, &d, 8);
    } else if (to == TERN_FLOAT) {
        float f = to_f32(d);
        memcpy(p, &f, 4);
    } else {
        uint16_t h = tern_float_to_half(to_f32(d));
        memcpy(p, &h, 2);
    }
}

/* a float value into an integer type: saturate first (2^63 etc. are exact doubles) */
static void write_int_from_float(tern_dtype to, char *p, double d) {
    switch (to) {
    case TERN_INT8: write_int(to, p, sat_i(d, -128.0, 127.0, -128, 127)); break;
    case TERN_UINT8: write_int(to, p, sat_i(d, 0.0, 255.0, 0, 255)); break;
    case TERN_INT32:
        write_int(to, p, sat_i(d, -2147483648.0, 2147483647.0, INT32_MIN, INT32_MAX));
        break;
    case TERN_BOOL: p[0] = d != 0; break; /* NaN != 0: true */
    default:
        write_int(to, p, sat_i(d, -9223372036854775808.0, 9223372036854775808.0, INT64_MIN,
                               INT64_MAX));
        break;
    }
}

void tern_ref_cast(tern_dtype from, const void *src, tern_dtype to, void *dst, int64_t n) {
    size_t fs = tern_dtype_size(from), ts = tern_dtype_size(to);
    const char *s = src;
    char *d = dst;
    for (int64_t i = 0; i < n; i++, s += fs, d += ts) {
        if (is_float(from)) {
            double v = read_f(from, s);
            if (is_float(to)) write_float(to, d, v);
            else write_int_from_float(to, d, v);
        } else {
            int64_t v = read_i(from, s);
            if (to == TERN_FLOAT) { /* one rounding: through double would round twice */
                float f = (float)v;
                memcpy(d, &f, 4);
            } else if (is_float(to)) {
                write_float(to, d, (double)v);
            } else {
                write_int(to, d, v);
            }
        }
    }
}
