/* GridSample (opset 16, PyTorch's grid_sample) on plain 4-D tensors:
 * out[n][c][h][w] samples in[n][c] at the normalized point grid[n][h][w] =
 * (x, y) in [-1, 1].
 *  - unnormalize: align_corners ? (g + 1) / 2 * (size - 1)
 *                               : ((g + 1) * size - 1) / 2
 *  - padding: zeros (outside samples are 0), border (clamp the coordinate),
 *    reflection (mirror it at the borders: the pixel centers with
 *    align_corners, the pixel edges without; then clamp);
 *  - mode: bilinear (4 taps), nearest (round half to even), bicubic (16
 *    taps, A = -0.75, the padding rule applied to every tap).
 * NaN grid values sample as 0 (zeros) or clamp to 0 (border, reflection). */
#ifndef TERN_REF_GRID_SAMPLE_H
#define TERN_REF_GRID_SAMPLE_H

#include <stdint.h>

typedef enum { TERN_GS_BILINEAR, TERN_GS_NEAREST, TERN_GS_BICUBIC } tern_gs_mode;
typedef enum { TERN_GS_ZEROS, TERN_GS_BORDER, TERN_GS_REFLECTION } tern_gs_padding;

void tern_ref_grid_sample_f32(tern_gs_mode mode, tern_gs_padding pad, int align_corners,
                              int64_t n, int64_t c, int64_t h, int64_t w, const float *in,
                              int64_t ho, int64_t wo, const float *grid, float *out);

#endif
