#include "kernels/ref/elementwise.h"

#include <math.h>
#include <string.h>

#include "kernels/ref/cast.h"
#include "kernels/ref/walk.h"

int tern_binop_is_compare(tern_binop op) {
    return op >= TERN_BIN_EQUAL && op <= TERN_BIN_GREATER_EQUAL;
}

int tern_unop_is_integer_ok(tern_unop op) {
    return op == TERN_UN_NEG || op == TERN_UN_ABS || op == TERN_UN_SIGN;
}

/* ---- float ---- */

static float max_f32(float x, float y) { return x != x || y != y ? NAN : (x > y ? x : y); }
static float min_f32(float x, float y) { return x != x || y != y ? NAN : (x < y ? x : y); }

/* one output element of a float op */
static float bin_f32(tern_binop op, float x, float y) {
    switch (op) {
    case TERN_BIN_ADD: return x + y;
    case TERN_BIN_SUB: return x - y;
    case TERN_BIN_MUL: return x * y;
    case TERN_BIN_DIV: return x / y;
    case TERN_BIN_POW: return powf(x, y);
    case TERN_BIN_MAX: return max_f32(x, y);
    case TERN_BIN_MIN: return min_f32(x, y);
    case TERN_BIN_FMOD: return fmodf(x, y);
    default: return 0.0f; /* not a float op: rejected by infer */
    }
}

static uint8_t cmp_f32(tern_binop op, float x, float y) {
    switch (op) {
    case TERN_BIN_EQUAL: return x == y;
    case TERN_BIN_LESS: return x < y;
    case TERN_BIN_LESS_EQUAL: return x <= y;
    case TERN_BIN_GREATER: return x > y;
    case TERN_BIN_GREATER_EQUAL: return x >= y;
    default: return 0;
    }
}

/* the hot cases get their own loops so that the compiler vectorizes them */
static void row_f32(tern_binop op, int64_t n, float *o, int64_t io, const float *a, int64_t ia,
                    const float *b, int64_t ib) {
    switch (op) {
    case TERN_BIN_ADD:
        for (int64_t i = 0; i < n; i++) o[i * io] = a[i * ia] + b[i * ib];
        break;
    case TERN_BIN_SUB:
        for (int64_t i = 0; i < n; i++) o[i * io] = a[i * ia] - b[i * ib];
        break;
    case TERN_BIN_MUL:
        for (int64_t i = 0; i < n; i++) o[i * io] = a[i * ia] * b[i * ib];
        break;
    case TERN_BIN_DIV:
        for (int64_t i = 0; i < n; i++) o[i * io] = a[i * ia] / b[i * ib];
        break;
    default:
        for (int64_t i = 0; i < n; i++) o[i * io] = bin_f32(op, a[i * ia], b[i * ib]);
    }
}

void tern_ref_binary_f32(tern_binop op, int rank, const int64_t *dims, void *out,
                         const int64_t *so, const float *a, const int64_t *sa, const float *b,
                         const int64_t *sb) {
    const int64_t *st[3] = {so, sa, sb};
    tern_walk w;
    if (!tern_walk_start(&w, rank, dims, 3, st)) return;
    int cmp = tern_binop_is_compare(op);
    do {
        const float *pa = a + w.off[1], *pb = b + w.off[2];
        if (cmp) {
            uint8_t *po = (uint8_t *)out + w.off[0];
            for (int64_t i = 0; i < w.n; i++)
                po[i * w.inc[0]] = cmp_f32(op, pa[i * w.inc[1]], pb[i * w.inc[2]]);
        } else {
            row_f32(op, w.n, (float *)out + w.off[0], w.inc[0], pa, w.inc[1], pb, w.inc[2]);
        }
    } while (tern_walk_next(&w));
}

/* element i of an array of float32 (size 0), int32 (4) or int64 (8) */
static double load_f(int kind, const void *p, int64_t i) {
    if (kind == 0) return ((const float *)p)[i];
    return kind == 4 ? (double)((const int32_t *)p)[i] : (double)((const int64_t *)p)[i];
}

static int64_t load_i(int kind, const void *p, int64_t i) {
    if (kind == 0) { /* a float exponent with an integer base: handled by the caller */
        float f = ((const float *)p)[i];
        return (int64_t)f;
    }
    return kind == 4 ? ((const int32_t *)p)[i] : ((const int64_t *)p)[i];
}

/* x^n in wrapping integer arithmetic */
static int64_t ipow(int64_t x, int64_t n) {
    if (n < 0) return x == 1 ? 1 : x == -1 ? (n % 2 ? -1 : 1) : 0;
    uint64_t r = 1, base = (uint64_t)x;
    while (n) {
        if (n & 1) r *= base;
        base *= base;
        n >>= 1;
    }
    return (int64_t)r;
}

/* a double into int64 (kind 8) or int32 (kind 4) as Cast does: truncate,
 * saturate to the type's range, NaN -> 0 */
static int64_t sat_int(int kind, double d) {
    double lo = kind == 8 ? -9223372036854775808.0 : -2147483648.0;
    double hi = kind == 8 ? 9223372036854775808.0 : 2147483647.0;
    if (d != d) return 0;
    if (d <= lo) return kind == 8 ? INT64_MIN : INT32_MIN;
    if (d >= hi) return kind == 8 ? INT64_MAX : INT32_MAX;
    return (int64_t)d;
}

void tern_ref_pow_mixed(int rank, const int64_t *dims, void *out, const int64_t *so, int a_int,
                        const void *a, const int64_t *sa, int b_int, const void *b,
                        const int64_t *sb) {
    const int64_t *st[3] = {so, sa, sb};
    tern_walk w;
    if (!tern_walk_start(&w, rank, dims, 3, st)) return;
    do {
        for (int64_t i = 0; i < w.n; i++) {
            int64_t ia = w.off[1] + i * w.inc[1], ib = w.off[2] + i * w.inc[2];
            int64_t io = w.off[0] + i * w.inc[0];
            if (a_int == 0) {
                ((float *)out)[io] = powf((float)load_f(0, a, ia), (float)load_f(b_int, b, ib));
                continue;
            }
            int64_t r = b_int == 0 ? sat_int(a_int, pow(load_f(a_int, a, ia), load_f(0, b, ib)))
                                   : ipow(load_i(a_int, a, ia), load_i(b_int, b, ib));
            if (a_int == 8) ((int64_t *)out)[io] = r;
            else ((int32_t *)out)[io] = (int32_t)(uint32_t)((uint64_t)r & 0xffffffffu);
        }
    } while (tern_walk_next(&w));
}

/* ---- integers: one template for int64 and int32 ----
 * Wrapping arithmetic goes through the unsigned type (no signed overflow);
 * converting the result back is modulo 2^bits on every compiler we target. */
#define DEFINE_INT_BINARY(NAME, T, U, TMIN)                                                       \
    static T NAME##_op(tern_binop op, T x, T y) {                                                 \
        switch (op) {                                                                             \
        case TERN_BIN_ADD: return (T)((U)x + (U)y);                                               \
        case TERN_BIN_SUB: return (T)((U)x - (U)y);                                               \
        case TERN_BIN_MUL: return (T)((U)x * (U)y);                                               \
        case TERN_BIN_DIV:                                                                        \
            if (y == 0) return 0;                  /* defined: x / 0 = 0 */                       \
            if (x == TMIN && y == -1) return TMIN; /* wraps */                                    \
            return x / y;                                                                         \
        case TERN_BIN_MAX: return x > y ? x : y;                                                  \
        case TERN_BIN_MIN: return x < y ? x : y;                                                  \
        case TERN_BIN_MOD:                                                                        \
        case TERN_BIN_FMOD: {                                                                     \
            if (y == 0 || y == -1) return 0; /* x % -1 is 0; skips INT_MIN % -1 */                \
            T r = x % y;                                                                          \
            if (op == TERN_BIN_MOD && r != 0 && (r < 0) != (y < 0)) r += y;                       \
            return r;                                                                             \
        }                                                                                         \
        default: return 0;                                                                        \
        }                                                                                         \
    }                                                                                             \
    static uint8_t NAME##_cmp(tern_binop op, T x, T y) {                                          \
        switch (op) {                                                                             \
        case TERN_BIN_EQUAL: return x == y;                                                       \
        case TERN_BIN_LESS: return x < y;                                                         \
        case TERN_BIN_LESS_EQUAL: return x <= y;                                                  \
        case TERN_BIN_GREATER: return x > y;                                                      \
        case TERN_BIN_GREATER_EQUAL: return x >= y;                                               \
        default: return 0;                                                                        \
        }                                                                                         \
    }                                                                                             \
    void tern_ref_binary_##NAME(tern_binop op, int rank, const int64_t *dims, void *out,          \
                                const int64_t *so, const T *a, const int64_t *sa, const T *b,     \
                                const int64_t *sb) {                                              \
        const int64_t *st[3] = {so, sa, sb};                                                      \
        tern_walk w;                                                                              \
        if (!tern_walk_start(&w, rank, dims, 3, st)) return;                                       \
        int cmp = tern_binop_is_compare(op);                                                      \
        do {                                                                                      \
            for (int64_t i = 0; i < w.n; i++) {                                                   \
                T x = a[w.off[1] + i * w.inc[1]], y = b[w.off[2] + i * w.inc[2]];                 \
                if (cmp)                                                                          \
                    ((uint8_t *)out)[w.off[0] + i * w.inc[0]] = NAME##_cmp(op, x, y);             \
                else                                                                              \
                    ((T *)out)[w.off[0] + i * w.inc[0]] = NAME##_op(op, x, y);                    \
            }                                                                                     \
        } while (tern_walk_next(&w));                                                             \
    }

DEFINE_INT_BINARY(i64, int64_t, uint64_t, INT64_MIN)
DEFINE_INT_BINARY(i32, int32_t, uint32_t, INT32_MIN)

/* ---- int8, uint8, float16, float64: through int64 / double ---- */

static double bin_f64(tern_binop op, double x, double y) {
    switch (op) {
    case TERN_BIN_ADD: return x + y;
    case TERN_BIN_SUB: return x - y;
    case TERN_BIN_MUL: return x * y;
    case TERN_BIN_DIV: return x / y;
    case TERN_BIN_POW: return pow(x, y);
    case TERN_BIN_MAX: return x != x || y != y ? NAN : (x > y ? x : y);
    case TERN_BIN_MIN: return x != x || y != y ? NAN : (x < y ? x : y);
    case TERN_BIN_FMOD: return fmod(x, y);
    default: return 0.0;
    }
}

static int other_is_float(int dt) { return dt == TERN_FLOAT16 || dt == TERN_DOUBLE; }

static double load_other_f(int dt, const void *p, int64_t i) {
    if (dt == TERN_DOUBLE) return ((const double *)p)[i];
    return tern_half_to_float(((const uint16_t *)p)[i]);
}

static int64_t load_other_i(int dt, const void *p, int64_t i) {
    return dt == TERN_INT8 ? ((const int8_t *)p)[i] : ((const uint8_t *)p)[i];
}

/* one element: r (float types) or ri (integers) into out[i], or a bool */
static void other_one(tern_binop op, int dt, void *out, int64_t io, const void *a, int64_t ia,
                      const void *b, int64_t ib) {
    int cmp = tern_binop_is_compare(op);
    if (other_is_float(dt)) {
        double x = load_other_f(dt, a, ia), y = load_other_f(dt, b, ib);
        if (cmp) { /* float16 values are exact in double too */
            ((uint8_t *)out)[io] = op == TERN_BIN_EQUAL        ? x == y
                                   : op == TERN_BIN_LESS       ? x < y
                                   : op == TERN_BIN_LESS_EQUAL ? x <= y
                                   : op == TERN_BIN_GREATER    ? x > y
                                                               : x >= y;
        } else if (dt == TERN_DOUBLE) {
            ((double *)out)[io] = bin_f64(op, x, y);
        } else { /* float16 arithmetic happens in float32 */
            ((uint16_t *)out)[io] = tern_float_to_half(bin_f32(op, (float)x, (float)y));
        }
        return;
    }
    int64_t x = load_other_i(dt, a, ia), y = load_other_i(dt, b, ib);
    if (cmp) {
        ((uint8_t *)out)[io] = i64_cmp(op, x, y);
        return;
    }
    uint64_t r = (uint64_t)i64_op(op, x, y) & 255u; /* wraps modulo 2^8 */
    if (dt == TERN_INT8) ((int8_t *)out)[io] = (int8_t)(r >= 128 ? (int)r - 256 : (int)r);
    else ((uint8_t *)out)[io] = (uint8_t)r;
}

void tern_ref_binary_other(tern_binop op, int dt, int rank, const int64_t *dims, void *out,
                           const int64_t *so, const void *a, const int64_t *sa, const void *b,
                           const int64_t *sb) {
    const int64_t *st[3] = {so, sa, sb};
    tern_walk w;
    if (!tern_walk_start(&w, rank, dims, 3, st)) return;
    do {
        for (int64_t i = 0; i < w.n; i++)
            other_one(op, dt, out, w.off[0] + i * w.inc[0], a, w.off[1] + i * w.inc[1], b,
                      w.off[2] + i * w.inc[2]);
    } while (tern_walk_next(&w));
}

/* ---- bool ---- */

static uint8_t bin_bool(tern_binop op, int x, int y) {
    switch (op) {
    case TERN_BIN_AND: return x && y;
    case TERN_BIN_OR: return x || y;
    case TERN_BIN_XOR: return x != y;
    case TERN_BIN_EQUAL: return x == y;
    default: return 0;
    }
}

void tern_ref_binary_bool(tern_binop op, int rank, const int64_t *dims, uint8_t *out,
                          const int64_t *so, const uint8_t *a, const int64_t *sa,
                          const uint8_t *b, const int64_t *sb) {
    const int64_t *st[3] = {so, sa, sb};
    tern_walk w;
    if (!tern_walk_start(&w, rank, dims, 3, st)) return;
    do {
        for (int64_t i = 0; i < w.n; i++)
            out[w.off[0] + i * w.inc[0]] =
                bin_bool(op, a[w.off[1] + i * w.inc[1]] != 0, b[w.off[2] + i * w.inc[2]] != 0);
    } while (tern_walk_next(&w));
}

void tern_ref_where(size_t esz, int rank, const int64_t *dims, void *out, const int64_t *so,
                    const uint8_t *cond, const int64_t *sc, const void *x, const int64_t *sx,
                    const void *y, const int64_t *sy) {
    const int64_t *st[4] = {so, sc, sx, sy};
    tern_walk w;
    if (!tern_walk_start(&w, rank, dims, 4, st)) return;
    int64_t e = (int64_t)esz;
    do {
        for (int64_t i = 0; i < w.n; i++) {
            const char *src = cond[w.off[1] + i * w.inc[1]]
                                  ? (const char *)x + (w.off[2] + i * w.inc[2]) * e
                                  : (const char *)y + (w.off[3] + i * w.inc[3]) * e;
            memcpy((char *)out + (w.off[0] + i * w.inc[0]) * e, src, esz);
        }
    } while (tern_walk_next(&w));
}

/* ---- unary ---- */

static float un_f32(tern_unop op, float x) {
    switch (op) {
    case TERN_UN_NEG: return -x;
    case TERN_UN_ABS: return fabsf(x);
    case TERN_UN_SQRT: return sqrtf(x);
    case TERN_UN_EXP: return expf(x);
    case TERN_UN_LOG: return logf(x);
    case TERN_UN_RECIPROCAL: return 1.0f / x;
    case TERN_UN_FLOOR: return floorf(x);
    case TERN_UN_CEIL: return ceilf(x);
    case TERN_UN_ROUND: return nearbyintf(x); /* default rounding mode: half to even */
    case TERN_UN_ERF: return erff(x);
    case TERN_UN_SIGN: return x > 0 ? 1.0f : x < 0 ? -1.0f : x; /* keeps 0, -0 and NaN */
    case TERN_UN_SIN: return sinf(x);
    case TERN_UN_COS: return cosf(x);
    case TERN_UN_TAN: return tanf(x);
    case TERN_UN_ASIN: return asinf(x);
    case TERN_UN_ACOS: return acosf(x);
    case TERN_UN_ATAN: return atanf(x);
    case TERN_UN_SINH: return sinhf(x);
    case TERN_UN_COSH: return coshf(x);
    case TERN_UN_ASINH: return asinhf(x);
    case TERN_UN_ACOSH: return acoshf(x);
    case TERN_UN_ATANH: return atanhf(x);
    default: return 0.0f;
    }
}

void tern_ref_unary_f32(tern_unop op, int rank, const int64_t *dims, float *out,
                        const int64_t *so, const float *a, const int64_t *sa) {
    const int64_t *st[2] = {so, sa};
    tern_walk w;
    if (!tern_walk_start(&w, rank, dims, 2, st)) return;
    do {
        for (int64_t i = 0; i < w.n; i++)
            out[w.off[0] + i * w.inc[0]] = un_f32(op, a[w.off[1] + i * w.inc[1]]);
    } while (tern_walk_next(&w));
}

#define DEFINE_INT_UNARY(NAME, T, U)                                                              \
    static T NAME##_un(tern_unop op, T x) {                                                       \
        switch (op) {                                                                             \
        case TERN_UN_NEG: return (T)((U)0 - (U)x);                                                \
        case TERN_UN_ABS: return x < 0 ? (T)((U)0 - (U)x) : x;                                    \
        case TERN_UN_SIGN: return (T)(x > 0 ? 1 : x < 0 ? -1 : 0);                                \
        default: return 0;                                                                        \
        }                                                                                         \
    }                                                                                             \
    void tern_ref_unary_##NAME(tern_unop op, int rank, const int64_t *dims, T *out,               \
                               const int64_t *so, const T *a, const int64_t *sa) {                \
        const int64_t *st[2] = {so, sa};                                                          \
        tern_walk w;                                                                              \
        if (!tern_walk_start(&w, rank, dims, 2, st)) return;                                       \
        do {                                                                                      \
            for (int64_t i = 0; i < w.n; i++)                                                     \
                out[w.off[0] + i * w.inc[0]] = NAME##_un(op, a[w.off[1] + i * w.inc[1]]);         \
        } while (tern_walk_next(&w));                                                             \
    }

DEFINE_INT_UNARY(i64, int64_t, uint64_t)
DEFINE_INT_UNARY(i32, int32_t, uint32_t)

void tern_ref_isnan_isinf_f32(int detect, int rank, const int64_t *dims, uint8_t *out,
                              const int64_t *so, const float *a, const int64_t *sa) {
    const int64_t *st[2] = {so, sa};
    tern_walk w;
    if (!tern_walk_start(&w, rank, dims, 2, st)) return;
    do {
        for (int64_t i = 0; i < w.n; i++) {
            float x = a[w.off[1] + i * w.inc[1]];
            out[w.off[0] + i * w.inc[0]] = ((detect & TERN_DETECT_NAN) && x != x) ||
                                           ((detect & TERN_DETECT_POS_INF) && x == INFINITY) ||
                                           ((detect & TERN_DETECT_NEG_INF) && x == -INFINITY);
        }
    } while (tern_walk_next(&w));
}

void tern_ref_not_bool(int rank, const int64_t *dims, uint8_t *out, const int64_t *so,
                       const uint8_t *a, const int64_t *sa) {
    const int64_t *st[2] = {so, sa};
    tern_walk w;
    if (!tern_walk_start(&w, rank, dims, 2, st)) return;
    do {
        for (int64_t i = 0; i < w.n; i++)
            out[w.off[0] + i * w.inc[0]] = a[w.off[1] + i * w.inc[1]] == 0;
    } while (tern_walk_next(&w));
}
