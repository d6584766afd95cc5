/* Indexing ops on plain (row-major) tensors: GatherElements,
 * ScatterElements, GatherND, ScatterND, Trilu, CumSum, OneHot, TopK.
 * Elements are esz opaque bytes where no arithmetic is needed. Indices are
 * int64 or int32 (idx_i64) and may be negative (counted from the end).
 * Functions that read indices check every one first and return -1 on
 * success or the position of the first bad index, writing nothing then. */
#ifndef TERN_REF_INDEX_H
#define TERN_REF_INDEX_H

#include <stddef.h>
#include <stdint.h>

/* idx_kind for OneHot */
enum { TERN_IDX_I64 = 0, TERN_IDX_I32 = 1, TERN_IDX_F32 = 2 };

/* index j of an int64 (idx_i64) or int32 array */
int64_t tern_index_at(const void *indices, int idx_i64, int64_t j);

/* The position of the first of n indices outside [-dim, dim), or -1. */
int64_t tern_index_first_bad(const void *indices, int idx_i64, int64_t n, int64_t dim);

/* GatherElements: out has the indices' dims (rank r, idims); element at
 * position p reads data at p with coordinate `axis` replaced by indices[p].
 * ddims: data dims. */
int64_t tern_ref_gather_elements(size_t esz, int rank, const int64_t *ddims, const void *data,
                                 const int64_t *idims, const void *indices, int idx_i64, int axis,
                                 void *out);

/* Reductions for the scatter ops. */
typedef enum tern_scatter_red {
    TERN_SCATTER_NONE,
    TERN_SCATTER_ADD,
    TERN_SCATTER_MUL,
    TERN_SCATTER_MAX,
    TERN_SCATTER_MIN
} tern_scatter_red;

/* ScatterElements: out (already a copy of data, dims ddims) gets, for each
 * position p of indices/updates (dims idims), out[p with axis := idx[p]]
 * (op)= updates[p]. Reductions need float32 (is_f32) or int64 elements. */
int64_t tern_ref_scatter_elements(size_t esz, int is_f32, tern_scatter_red red, int rank,
                                  const int64_t *ddims, void *out, const int64_t *idims,
                                  const void *indices, int idx_i64, const void *updates, int axis);

/* GatherND with batch_dims b: data [B..., D...], indices [B..., M..., k];
 * batches = prod of the b leading dims, n_tuples = prod(M), slice = prod of
 * the data dims after b + k (elements). ddims are the data dims. */
int64_t tern_ref_gather_nd(size_t esz, int drank, const int64_t *ddims, const void *data, int b,
                           int64_t batches, int64_t n_tuples, int k, const void *indices,
                           int idx_i64, int64_t slice, void *out);

/* ScatterND: out (a copy of data) gets updates slices at the n_tuples
 * index tuples of length k. */
int64_t tern_ref_scatter_nd(size_t esz, int is_f32, tern_scatter_red red, int drank,
                            const int64_t *ddims, void *out, int64_t n_tuples, int k,
                            const void *indices, int idx_i64, const void *updates, int64_t slice);

/* Trilu over the last two dims (rows x cols) of `mats` matrices: keep
 * element (i, j) when j - i >= k (upper) or j - i <= k (lower), else 0. */
void tern_ref_trilu(size_t esz, int64_t mats, int64_t rows, int64_t cols, int upper, int64_t k,
                    const void *in, void *out);

/* CumSum along the middle axis of [outer][dim][inner]. is_float: 0 for
 * int32/int64 (esz 4/8; sums wrap), 1 for float32/float64 (esz 4/8; the
 * sum is kept in that type). */
void tern_ref_cumsum(int is_float, size_t esz, int64_t outer, int64_t dim, int64_t inner,
                     int exclusive, int reverse, const void *in, void *out);

/* TopK along the middle axis of [outer][dim][inner] into values/indices
 * [outer][k][inner]: largest (or smallest) first; ties keep the lower index
 * first; NaN ranks below every number. Works in the outputs, no scratch. */
void tern_ref_topk_f32(int64_t outer, int64_t dim, int64_t inner, int64_t k, int largest,
                       const float *in, float *values, int64_t *indices);
void tern_ref_topk_i64(int64_t outer, int64_t dim, int64_t inner, int64_t k, int largest,
                       const int64_t *in, int64_t *values, int64_t *indices);

/* OneHot: indices (float32, int32 or int64, dims [outer][inner]) ->
 * out[outer][depth][inner] = on where the index (negative ones + depth)
 * equals the depth position, else off. Non-integer floats truncate;
 * indices out of [-depth, depth) give a row of off. */
void tern_ref_onehot(size_t esz, int idx_kind, const void *indices, int64_t outer, int64_t depth,
                     int64_t inner, const void *off, const void *on, void *out);

/* ReverseSequence on plain dims (rank >= 2): for every batch b, the first
 * lens[b] steps along time_axis are reversed, the rest copied. lens values
 * outside [0, time dim] are refused: returns -1 on success or the batch
 * index of the first bad length, writing nothing then. */
int64_t tern_ref_reverse_sequence(size_t esz, int rank, const int64_t *dims, int batch_axis,
                                  int time_axis, const void *in, const void *lens, int lens_i64,
                                  void *out);

/* EyeLike: rows x cols, `one` on the diagonal j - i == k, `zero` elsewhere. */
void tern_ref_eye(size_t esz, int64_t rows, int64_t cols, int64_t k, const void *zero,
                  const void *one, void *out);

#endif
