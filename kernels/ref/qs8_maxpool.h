/* Reference int8 MaxPool in tern's quantized graph, docs/quantization.md
 * section 6: the maximum of the raw int8 values over each window (the walk
 * of tern_maxpool_s8, maxpool_int8.h), then, when the output's parameters
 * differ from the input's, tern_ref_qs8_rescale of that maximum.
 * Requantization is monotone (positive scale), so this equals rescaling
 * every tap first. r == NULL (or an identity rescale) means equal
 * parameters. A window with no tap inside the input gives -128 before
 * rescaling. Layout as pool_f32.h. */
#ifndef TERN_KERNELS_REF_QS8_MAXPOOL_H
#define TERN_KERNELS_REF_QS8_MAXPOOL_H

#include <stdint.h>

#include "kernels/ref/geom.h"
#include "kernels/ref/requant.h"

void tern_ref_qs8_maxpool(const tern_conv_geom *g, const int8_t *x, const int64_t xs[5],
                          const tern_qs8_rescale *r, int8_t *y, const int64_t ys[5]);

#endif
