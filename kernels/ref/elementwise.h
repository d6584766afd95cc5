/* Elementwise arithmetic with numpy broadcasting, in any layout.
 *
 * Operands are described as in kernels/ref/walk.h: one index space (the
 * output's logical dims) and per-operand element strides, 0 on broadcast
 * axes. The output is walked in its memory order.
 *
 * Integer semantics (defined for every input, no UB):
 *  - Add, Sub, Mul, Neg, Abs wrap modulo 2^bits (two's complement), so
 *    INT64_MIN / -1 = INT64_MIN and Abs(INT64_MIN) = INT64_MIN;
 *  - Div truncates toward zero (C and ONNX Runtime); x / 0 = 0;
 *  - Mod/Fmod: x mod 0 = 0, INT_MIN mod -1 = 0.
 * Float Max/Min propagate NaN (either operand NaN gives NaN).
 */
#ifndef TERN_REF_ELEMENTWISE_H
#define TERN_REF_ELEMENTWISE_H

#include <stddef.h>
#include <stdint.h>

typedef enum tern_binop {
    TERN_BIN_ADD,
    TERN_BIN_SUB,
    TERN_BIN_MUL,
    TERN_BIN_DIV,
    TERN_BIN_POW,
    TERN_BIN_MAX,
    TERN_BIN_MIN,
    TERN_BIN_MOD,  /* integers: result takes the divisor's sign (Python %) */
    TERN_BIN_FMOD, /* result takes the dividend's sign (C fmod / %) */
    /* comparisons: the output is bool (uint8 0/1) */
    TERN_BIN_EQUAL,
    TERN_BIN_LESS,
    TERN_BIN_LESS_EQUAL,
    TERN_BIN_GREATER,
    TERN_BIN_GREATER_EQUAL,
    /* logic on bool inputs */
    TERN_BIN_AND,
    TERN_BIN_OR,
    TERN_BIN_XOR
} tern_binop;

/* 1 if op writes bool whatever the input type */
int tern_binop_is_compare(tern_binop op);

/* out = a op b for every position of dims; so/sa/sb are element strides.
 * For comparisons out is uint8_t (bool), otherwise the operands' type. */
void tern_ref_binary_f32(tern_binop op, int rank, const int64_t *dims, void *out,
                         const int64_t *so, const float *a, const int64_t *sa, const float *b,
                         const int64_t *sb);
void tern_ref_binary_i64(tern_binop op, int rank, const int64_t *dims, void *out,
                         const int64_t *so, const int64_t *a, const int64_t *sa,
                         const int64_t *b, const int64_t *sb);
void tern_ref_binary_i32(tern_binop op, int rank, const int64_t *dims, void *out,
                         const int64_t *so, const int32_t *a, const int64_t *sa,
                         const int32_t *b, const int64_t *sb);
/* And/Or/Xor/Equal on bool (uint8 0/1; any nonzero byte counts as true). */
void tern_ref_binary_bool(tern_binop op, int rank, const int64_t *dims, uint8_t *out,
                          const int64_t *so, const uint8_t *a, const int64_t *sa,
                          const uint8_t *b, const int64_t *sb);

/* Binary ops (arithmetic, Max/Min/Mod, comparisons) on the dtypes without
 * a dedicated kernel: dt (a tern_dtype) is int8 or uint8 (computed in
 * int64 with the integer rules above, results wrapped to 8 bits), float16
 * (computed in float32, rounded to nearest even) or float64. A slow,
 * per-element path for conformance; CNNs use float32 and int64. */
void tern_ref_binary_other(tern_binop op, int dt, int rank, const int64_t *dims, void *out,
                           const int64_t *so, const void *a, const int64_t *sa, const void *b,
                           const int64_t *sb);

/* Pow with any mix of float32/int32/int64 base (type a_int: 0 float32,
 * 4 int32, 8 int64) and exponent (b_int likewise); the result has the
 * base's type. Float base: powf(x, (float)y). Integer base: a non-negative
 * integer exponent is exact (wrapping) repeated squaring; a negative one
 * truncates 1/x^n (1 for x = 1, +-1 for x = -1, else 0, also for x = 0); a
 * float exponent goes through pow() in double and converts like Cast
 * (truncate, saturate, NaN -> 0). */
void tern_ref_pow_mixed(int rank, const int64_t *dims, void *out, const int64_t *so, int a_int,
                        const void *a, const int64_t *sa, int b_int, const void *b,
                        const int64_t *sb);

/* Where(cond, x, y): elements of esz bytes. */
void tern_ref_where(size_t esz, int rank, const int64_t *dims, void *out, const int64_t *so,
                    const uint8_t *cond, const int64_t *sc, const void *x, const int64_t *sx,
                    const void *y, const int64_t *sy);

typedef enum tern_unop {
    TERN_UN_NEG,
    TERN_UN_ABS,
    TERN_UN_SQRT,
    TERN_UN_EXP,
    TERN_UN_LOG,
    TERN_UN_RECIPROCAL,
    TERN_UN_FLOOR,
    TERN_UN_CEIL,
    TERN_UN_ROUND, /* half to even, as ONNX says */
    TERN_UN_ERF,
    TERN_UN_SIGN,
    TERN_UN_SIN,
    TERN_UN_COS,
    TERN_UN_TAN,
    TERN_UN_ASIN,
    TERN_UN_ACOS,
    TERN_UN_ATAN,
    TERN_UN_SINH,
    TERN_UN_COSH,
    TERN_UN_ASINH,
    TERN_UN_ACOSH,
    TERN_UN_ATANH,
    TERN_UN_NOT /* bool only */
} tern_unop;

/* 1 if op is defined on integers (Neg, Abs, Sign) */
int tern_unop_is_integer_ok(tern_unop op);

void tern_ref_unary_f32(tern_unop op, int rank, const int64_t *dims, float *out,
                        const int64_t *so, const float *a, const int64_t *sa);
/* Neg, Abs, Sign only */
void tern_ref_unary_i64(tern_unop op, int rank, const int64_t *dims, int64_t *out,
                        const int64_t *so, const int64_t *a, const int64_t *sa);
void tern_ref_unary_i32(tern_unop op, int rank, const int64_t *dims, int32_t *out,
                        const int64_t *so, const int32_t *a, const int64_t *sa);
/* out = whether x is one of the values detect lists (TERN_DETECT_* bits):
 * IsNaN is TERN_DETECT_NAN, IsInf any mix of the infinities (none: all false) */
enum { TERN_DETECT_NAN = 1, TERN_DETECT_POS_INF = 2, TERN_DETECT_NEG_INF = 4 };
void tern_ref_isnan_isinf_f32(int detect, int rank, const int64_t *dims, uint8_t *out,
                              const int64_t *so, const float *a, const int64_t *sa);
/* Not */
void tern_ref_not_bool(int rank, const int64_t *dims, uint8_t *out, const int64_t *so,
                       const uint8_t *a, const int64_t *sa);

#endif
