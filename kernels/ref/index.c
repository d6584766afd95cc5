#include "kernels/ref/index.h"

#include <math.h>
#include <string.h>

#include "tern.h"

int64_t tern_index_at(const void *indices, int idx_i64, int64_t j) {
    if (idx_i64) {
        int64_t v;
        memcpy(&v, (const char *)indices + 8 * j, 8);
        return v;
    }
    int32_t v;
    memcpy(&v, (const char *)indices + 4 * j, 4);
    return v;
}

static int64_t numel(int rank, const int64_t *dims) {
    int64_t n = 1;
    for (int a = 0; a < rank; a++) n *= dims[a];
    return n;
}

/* row-major element strides of dims */
static void row_strides(int rank, const int64_t *dims, int64_t *st) {
    int64_t s = 1;
    for (int a = rank - 1; a >= 0; a--) st[a] = s, s *= dims[a];
}

/* GatherElements/ScatterElements: the offset in data (dims ddims, strides
 * ds) of the element that position p of the indices (dims idims) names: p's
 * own coordinates with the one on `axis` replaced by indices[p] (checked by
 * the caller, may be negative). */
static int64_t elements_offset(int rank, const int64_t *ddims, const int64_t *ds,
                               const int64_t *idims, int axis, const void *indices, int idx_i64,
                               int64_t p) {
    int64_t v = tern_index_at(indices, idx_i64, p);
    if (v < 0) v += ddims[axis];
    int64_t off = 0;
    for (int a = rank - 1; a >= 0; a--) {
        int64_t c = p % idims[a];
        p /= idims[a];
        off += (a == axis ? v : c) * ds[a];
    }
    return off;
}

int64_t tern_index_first_bad(const void *indices, int idx_i64, int64_t n, int64_t dim) {
    for (int64_t j = 0; j < n; j++) {
        int64_t v = tern_index_at(indices, idx_i64, j);
        if (v < -dim || v >= dim) return j;
    }
    return -1;
}

int64_t tern_ref_gather_elements(size_t esz, int rank, const int64_t *ddims, const void *data,
                                 const int64_t *idims, const void *indices, int idx_i64, int axis,
                                 void *out) {
    int64_t n = numel(rank, idims), ds[8];
    int64_t bad = tern_index_first_bad(indices, idx_i64, n, ddims[axis]);
    if (bad >= 0) return bad;
    row_strides(rank, ddims, ds);
    for (int64_t p = 0; p < n; p++) {
        int64_t off = elements_offset(rank, ddims, ds, idims, axis, indices, idx_i64, p);
        memcpy((char *)out + p * (int64_t)esz, (const char *)data + off * (int64_t)esz, esz);
    }
    return -1;
}

/* dst (op)= src for one element */
static void reduce_into(size_t esz, int is_f32, tern_scatter_red red, char *dst, const char *src) {
    if (red == TERN_SCATTER_NONE) {
        memcpy(dst, src, esz);
    } else if (is_f32) {
        float a, b;
        memcpy(&a, dst, 4), memcpy(&b, src, 4);
        a = red == TERN_SCATTER_ADD   ? a + b
            : red == TERN_SCATTER_MUL ? a * b
            : red == TERN_SCATTER_MAX ? (b > a ? b : a)
                                      : (b < a ? b : a);
        memcpy(dst, &a, 4);
    } else { /* int64, wrapping */
        int64_t a, b;
        memcpy(&a, dst, 8), memcpy(&b, src, 8);
        a = red == TERN_SCATTER_ADD   ? (int64_t)((uint64_t)a + (uint64_t)b)
            : red == TERN_SCATTER_MUL ? (int64_t)((uint64_t)a * (uint64_t)b)
            : red == TERN_SCATTER_MAX ? (b > a ? b : a)
                                      : (b < a ? b : a);
        memcpy(dst, &a, 8);
    }
}

int64_t tern_ref_scatter_elements(size_t esz, int is_f32, tern_scatter_red red, int rank,
                                  const int64_t *ddims, void *out, const int64_t *idims,
                                  const void *indices, int idx_i64, const void *updates,
                                  int axis) {
    int64_t n = numel(rank, idims), ds[8];
    int64_t bad = tern_index_first_bad(indices, idx_i64, n, ddims[axis]);
    if (bad >= 0) return bad;
    row_strides(rank, ddims, ds);
    for (int64_t p = 0; p < n; p++) {
        int64_t off = elements_offset(rank, ddims, ds, idims, axis, indices, idx_i64, p);
        reduce_into(esz, is_f32, red, (char *)out + off * (int64_t)esz,
                    (const char *)updates + p * (int64_t)esz);
    }
    return -1;
}

/* Element offset in data of index tuple t (k values) within batch bi;
 * -1 when a value is out of range. */
static int64_t tuple_offset(int drank, const int64_t *ddims, int b, int64_t bi, int k,
                            const void *indices, int idx_i64, int64_t t) {
    int64_t st[8], off;
    row_strides(drank, ddims, st);
    off = b > 0 ? bi * st[b - 1] : 0;
    for (int j = 0; j < k; j++) {
        int64_t v = tern_index_at(indices, idx_i64, t * k + j), d = ddims[b + j];
        if (v < -d || v >= d) return -1;
        off += (v < 0 ? v + d : v) * st[b + j];
    }
    return off;
}

int64_t tern_ref_gather_nd(size_t esz, int drank, const int64_t *ddims, const void *data, int b,
                           int64_t batches, int64_t n_tuples, int k, const void *indices,
                           int idx_i64, int64_t slice, void *out) {
    for (int64_t t = 0; t < batches * n_tuples; t++)
        if (tuple_offset(drank, ddims, b, t / n_tuples, k, indices, idx_i64, t) < 0) return t;
    size_t bytes = (size_t)slice * esz;
    for (int64_t t = 0; t < batches * n_tuples; t++) {
        int64_t off = tuple_offset(drank, ddims, b, t / n_tuples, k, indices, idx_i64, t);
        memcpy((char *)out + (size_t)t * bytes, (const char *)data + off * (int64_t)esz, bytes);
    }
    return -1;
}

int64_t tern_ref_scatter_nd(size_t esz, int is_f32, tern_scatter_red red, int drank,
                            const int64_t *ddims, void *out, int64_t n_tuples, int k,
                            const void *indices, int idx_i64, const void *updates,
                            int64_t slice) {
    for (int64_t t = 0; t < n_tuples; t++)
        if (tuple_offset(drank, ddims, 0, 0, k, indices, idx_i64, t) < 0) return t;
    for (int64_t t = 0; t < n_tuples; t++) {
        int64_t off = tuple_offset(drank, ddims, 0, 0, k, indices, idx_i64, t);
        for (int64_t e = 0; e < slice; e++)
            reduce_into(esz, is_f32, red, (char *)out + (off + e) * (int64_t)esz,
                        (const char *)updates + (t * slice + e) * (int64_t)esz);
    }
    return -1;
}

void tern_ref_trilu(size_t esz, int64_t mats, int64_t rows, int64_t cols, int upper, int64_t k,
                    const void *in, void *out) {
    int64_t e = (int64_t)esz;
    for (int64_t m = 0; m < mats; m++)
        for (int64_t i = 0; i < rows; i++)
            for (int64_t j = 0; j < cols; j++) {
                int64_t pos = (m * rows + i) * cols + j;
                /* j - i cannot overflow; compare without computing i + k */
                int keep = upper ? j - i >= k : j - i <= k;
                if (keep) memcpy((char *)out + pos * e, (const char *)in + pos * e, esz);
                else memset((char *)out + pos * e, 0, esz);
            }
}

/* one element as int64 (integers) or double (floats), and back */
static void load_num(int is_float, size_t esz, const char *p, int64_t *iv, double *fv) {
    if (is_float && esz == 4) {
        float f;
        memcpy(&f, p, 4);
        *fv = f;
    } else if (is_float) {
        memcpy(fv, p, 8);
    } else if (esz == 4) {
        int32_t v;
        memcpy(&v, p, 4);
        *iv = v;
    } else {
        memcpy(iv, p, 8);
    }
}

static void store_num(int is_float, size_t esz, char *p, uint64_t iv, double fv) {
    if (is_float && esz == 4) {
        float f = (float)fv;
        memcpy(p, &f, 4);
    } else if (is_float) {
        memcpy(p, &fv, 8);
    } else if (esz == 4) {
        int32_t v = (int32_t)(uint32_t)(iv & 0xffffffffu); /* wraps */
        memcpy(p, &v, 4);
    } else {
        int64_t v = (int64_t)iv;
        memcpy(p, &v, 8);
    }
}

void tern_ref_cumsum(int is_float, size_t esz, int64_t outer, int64_t dim, int64_t inner,
                     int exclusive, int reverse, const void *in, void *out) {
    int64_t e = (int64_t)esz;
    for (int64_t o = 0; o < outer; o++)
        for (int64_t i = 0; i < inner; i++) {
            float f32 = 0; /* float32 sums in float32, like the type says */
            double f64 = 0;
            uint64_t iacc = 0;
            for (int64_t s = 0; s < dim; s++) {
                int64_t k = reverse ? dim - 1 - s : s, pos = (o * dim + k) * inner + i;
                int64_t xi = 0;
                double xf = 0;
                load_num(is_float, esz, (const char *)in + pos * e, &xi, &xf);
                double before = esz == 4 ? (double)f32 : f64;
                uint64_t ibefore = iacc;
                if (esz == 4) f32 += (float)xf;
                else f64 += xf;
                iacc += (uint64_t)xi;
                double after = esz == 4 ? (double)f32 : f64;
                store_num(is_float, esz, (char *)out + pos * e, exclusive ? ibefore : iacc,
                          exclusive ? before : after);
            }
        }
}

/* TopK by insertion into the k output slots of one slice: O(dim * k), no
 * scratch memory. `beats` says whether candidate (x, i) ranks before (y, j). */
#define DEFINE_TOPK(NAME, T, ISNAN)                                                               \
    static int NAME##_beats(int largest, T x, int64_t i, T y, int64_t j) {                        \
        if (ISNAN(x)) return ISNAN(y) && i < j;                                                   \
        if (ISNAN(y)) return 1;                                                                   \
        if (x != y) return largest ? x > y : x < y;                                               \
        return i < j;                                                                             \
    }                                                                                             \
    void tern_ref_topk_##NAME(int64_t outer, int64_t dim, int64_t inner, int64_t k, int largest,  \
                              const T *in, T *values, int64_t *indices) {                         \
        for (int64_t o = 0; o < outer; o++)                                                       \
            for (int64_t i = 0; i < inner; i++) {                                                 \
                T *vs = values + o * k * inner + i;                                               \
                int64_t *is = indices + o * k * inner + i, filled = 0;                            \
                for (int64_t d = 0; d < dim; d++) {                                               \
                    T x = in[(o * dim + d) * inner + i];                                          \
                    int64_t at = filled; /* slot x would take */                                  \
                    while (at > 0 &&                                                              \
                           NAME##_beats(largest, x, d, vs[(at - 1) * inner], is[(at - 1) * inner])) \
                        at--;                                                                     \
                    if (at >= k) continue;                                                        \
                    int64_t last = filled < k ? filled : k - 1;                                   \
                    for (int64_t s = last; s > at; s--) {                                         \
                        vs[s * inner] = vs[(s - 1) * inner];                                      \
                        is[s * inner] = is[(s - 1) * inner];                                      \
                    }                                                                             \
                    vs[at * inner] = x;                                                           \
                    is[at * inner] = d;                                                           \
                    if (filled < k) filled++;                                                     \
                }                                                                                 \
            }                                                                                     \
    }

#define F32_ISNAN(v) ((v) != (v))
#define I64_ISNAN(v) 0
DEFINE_TOPK(f32, float, F32_ISNAN)
DEFINE_TOPK(i64, int64_t, I64_ISNAN)

static int64_t onehot_index(int kind, const void *indices, int64_t j, int64_t depth) {
    double v;
    if (kind == TERN_IDX_F32) {
        float f;
        memcpy(&f, (const char *)indices + 4 * j, 4);
        v = f != f ? -1e300 : trunc(f);
    } else {
        v = (double)tern_index_at(indices, kind == TERN_IDX_I64, j);
    }
    if (v < 0) v += (double)depth;
    return v >= 0 && v < (double)depth ? (int64_t)v : -1;
}

void tern_ref_onehot(size_t esz, int idx_kind, const void *indices, int64_t outer, int64_t depth,
                     int64_t inner, const void *off, const void *on, void *out) {
    int64_t e = (int64_t)esz;
    for (int64_t o = 0; o < outer; o++)
        for (int64_t d = 0; d < depth; d++)
            for (int64_t i = 0; i < inner; i++) {
                int64_t hot = onehot_index(idx_kind, indices, o * inner + i, depth);
                memcpy((char *)out + ((o * depth + d) * inner + i) * e, hot == d ? on : off, esz);
            }
}

void tern_ref_eye(size_t esz, int64_t rows, int64_t cols, int64_t k, const void *zero,
                  const void *one, void *out) {
    for (int64_t i = 0; i < rows; i++)
        for (int64_t j = 0; j < cols; j++)
            memcpy((char *)out + (i * cols + j) * (int64_t)esz, j - i == k ? one : zero, esz);
}

int64_t tern_ref_reverse_sequence(size_t esz, int rank, const int64_t *dims, int batch_axis,
                                  int time_axis, const void *in, const void *lens, int lens_i64,
                                  void *out) {
    int64_t nb = dims[batch_axis], nt = dims[time_axis], st[8], idx[8];
    for (int64_t b = 0; b < nb; b++) {
        int64_t len = tern_index_at(lens, lens_i64, b);
        if (len < 0 || len > nt) return b;
    }
    row_strides(rank, dims, st);
    int64_t n = numel(rank, dims), e = (int64_t)esz;
    for (int64_t p = 0; p < n; p++) { /* output p reads the mirrored time step */
        int64_t r = p;
        for (int a = rank - 1; a >= 0; a--) idx[a] = r % dims[a], r /= dims[a];
        int64_t len = tern_index_at(lens, lens_i64, idx[batch_axis]), t = idx[time_axis];
        int64_t src = p + (t < len ? (len - 1 - t) - t : 0) * st[time_axis];
        memcpy((char *)out + p * e, (const char *)in + src * e, esz);
    }
    return -1;
}
