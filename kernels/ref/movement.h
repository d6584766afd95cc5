/* Data movement that is not a plain strided copy (see walk.h for that):
 * Gather, Pad, Tile. Elements are esz opaque bytes, so any dtype works. */
#ifndef TERN_REF_MOVEMENT_H
#define TERN_REF_MOVEMENT_H

#include <stddef.h>
#include <stdint.h>

/* Gather on plain tensors viewed as data[outer][axis_dim][inner] and
 * out[outer][n_idx][inner]. Indices are int64 (idx_i64) or int32, negative
 * ones count from the end. Every index is checked before anything is
 * written: returns -1 on success, else the position of the first index
 * outside [-axis_dim, axis_dim). */
int64_t tern_ref_gather(size_t esz, int64_t outer, int64_t axis_dim, int64_t inner,
                        const void *data, const void *indices, int idx_i64, int64_t n_idx,
                        void *out);

typedef enum tern_pad_mode { TERN_PAD_CONSTANT, TERN_PAD_REFLECT, TERN_PAD_EDGE } tern_pad_mode;

/* Pad (or crop, for negative pads) in any layout: output position o on axis
 * k reads input position o - begin[k]; outside the input, constant mode
 * writes *value (esz bytes), edge repeats the border element and reflect
 * mirrors without repeating it (needs idims[k] >= 2 unless nothing lands
 * outside; an empty input axis can only be padded with a constant). */
void tern_ref_pad(size_t esz, tern_pad_mode mode, int rank, const int64_t *idims,
                  const void *in, const int64_t *si, const int64_t *odims, void *out,
                  const int64_t *so, const int64_t *begin, const void *value);

/* Tile: output position o on axis k reads input position o mod idims[k]. */
void tern_ref_tile(size_t esz, int rank, const int64_t *idims, const void *in, const int64_t *si,
                   const int64_t *odims, void *out, const int64_t *so);

#endif
