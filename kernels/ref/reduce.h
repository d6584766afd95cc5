/* Reductions (ReduceSum/Mean/Max/Min/Prod/L1/L2/SumSquare/LogSum/
 * LogSumExp) in any layout, and ArgMax/ArgMin on plain tensors.
 *
 * Each output element folds its block of the input (the reduced axes) in
 * double (int64 for integers), then rounds once: the reference is as
 * accurate as float32 output allows. The output is walked in its memory
 * order, each block in the input's.
 * Empty reductions: Sum 0, Mean NaN (0/0), Max -inf, Min +inf, Prod 1,
 * LogSum -inf. Max/Min propagate NaN. LogSumExp is log(sum(exp(x))) as
 * ONNX defines it (no max shift; it overflows to inf for x above ~709). */
#ifndef TERN_REF_REDUCE_H
#define TERN_REF_REDUCE_H

#include <stdint.h>

typedef enum tern_reduce_op {
    TERN_REDUCE_SUM,
    TERN_REDUCE_MEAN,
    TERN_REDUCE_MAX,
    TERN_REDUCE_MIN,
    TERN_REDUCE_PROD,
    TERN_REDUCE_L1,         /* sum |x| */
    TERN_REDUCE_L2,         /* sqrt(sum x^2) */
    TERN_REDUCE_SUM_SQUARE, /* sum x^2 */
    TERN_REDUCE_LOG_SUM,    /* log(sum x) */
    TERN_REDUCE_LOG_SUM_EXP /* log(sum exp x) */
} tern_reduce_op;

/* dims/si: the input's logical dims and element strides; reduced[a]: 1
 * for every reduced input axis; so: the element stride in out of each
 * *input* axis (ignored on reduced axes). */
void tern_ref_reduce_f32(tern_reduce_op op, int rank, const int64_t *dims, const int *reduced,
                         const float *in, const int64_t *si, float *out, const int64_t *so);
/* The same on float64. */
void tern_ref_reduce_f64(tern_reduce_op op, int rank, const int64_t *dims, const int *reduced,
                         const double *in, const int64_t *si, double *out, const int64_t *so);
/* Sum, Mean, Max, Min, Prod on int64 (Sum and Prod wrap; Mean is the
 * truncated quotient, 0 if empty). */
void tern_ref_reduce_i64(tern_reduce_op op, int rank, const int64_t *dims, const int *reduced,
                         const int64_t *in, const int64_t *si, int64_t *out, const int64_t *so);

/* ArgMax (is_min 0) / ArgMin over the middle axis of in[outer][dim][inner]
 * into out[outer][inner]: the first extreme index, or the last with
 * select_last. NaN never wins a comparison (an all-NaN row gives 0). */
void tern_ref_arg_f32(int is_min, int select_last, int64_t outer, int64_t dim, int64_t inner,
                      const float *in, int64_t *out);
void tern_ref_arg_i64(int is_min, int select_last, int64_t outer, int64_t dim, int64_t inner,
                      const int64_t *in, int64_t *out);

/* Hardmax over the middle axis of [outer][dim][inner]: 1 at the first
 * largest element of each slice (NaN never wins), 0 elsewhere. */
void tern_ref_hardmax_f32(int64_t outer, int64_t dim, int64_t inner, const float *in, float *out);

#endif
