/* Reference int8 Concat with rescaling (QLinearConcat, QDQ Concat),
 * docs/quantization.md section 7: input i is copied into its slice of the
 * output when its parameters equal the output's (rescale[i] NULL or an
 * identity), else requantized element-wise (tern_ref_qs8_rescale) into it.
 * Inputs have the output's rank and dims except on axis; each has its own
 * element strides, and ys are the output's (any layout). */
#ifndef TERN_KERNELS_REF_QS8_CONCAT_H
#define TERN_KERNELS_REF_QS8_CONCAT_H

#include <stdint.h>

#include "kernels/ref/requant.h"

typedef struct tern_qs8_concat_input {
    const int8_t *x;
    const int64_t *dims;             /* [rank] */
    const int64_t *strides;          /* [rank], element strides */
    const tern_qs8_rescale *rescale; /* NULL: same parameters as the output */
} tern_qs8_concat_input;

void tern_ref_qs8_concat(int rank, int axis, int n_in, const tern_qs8_concat_input *in, int8_t *y,
                         const int64_t *ys);

#endif
