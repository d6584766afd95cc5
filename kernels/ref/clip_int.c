/* Reference integer Clip / Relu; see clip_int.h. One loop per element type
 * (a macro stamps them out) so each reads and writes its native type. */
#include "kernels/ref/clip_int.h"

#include "kernels/ref/strided.h"

int tern_clip_int_supports(tern_dtype dt) {
    return dt == TERN_INT8 || dt == TERN_UINT8 || dt == TERN_INT32 || dt == TERN_INT64;
}

void tern_int_range(tern_dtype dt, int64_t *lo, int64_t *hi) {
    switch (dt) {
    case TERN_INT8: *lo = INT8_MIN, *hi = INT8_MAX; return;
    case TERN_UINT8: *lo = 0, *hi = UINT8_MAX; return;
    case TERN_INT32: *lo = INT32_MIN, *hi = INT32_MAX; return;
    default: *lo = INT64_MIN, *hi = INT64_MAX; return;
    }
}

#define CLIP_LOOP(T)                                                                               \
    static void clip_##T(int rank, const int64_t *dims, const T *x, const int64_t *xs, T *y,      \
                         const int64_t *ys, T lo, T hi) {                                          \
        int64_t total = tern_iter_count(rank, dims);                                               \
        tern_iter it;                                                                              \
        tern_iter_init(&it, rank, dims, xs, ys, NULL);                                             \
        for (int64_t e = 0; e < total; e++, tern_iter_next(&it)) {                                 \
            T v = x[it.off[0]] < lo ? lo : x[it.off[0]]; /* Min(hi, Max(x, lo)) as ONNX says */  \
            y[it.off[1]] = v > hi ? hi : v;                                                        \
        }                                                                                          \
    }
CLIP_LOOP(int8_t)
CLIP_LOOP(uint8_t)
CLIP_LOOP(int32_t)
CLIP_LOOP(int64_t)
#undef CLIP_LOOP

void tern_clip_int(tern_dtype dt, int rank, const int64_t *dims, const void *x, const int64_t *xs,
                   void *y, const int64_t *ys, int64_t lo, int64_t hi) {
    switch (dt) {
    case TERN_INT8: clip_int8_t(rank, dims, x, xs, y, ys, (int8_t)lo, (int8_t)hi); break;
    case TERN_UINT8: clip_uint8_t(rank, dims, x, xs, y, ys, (uint8_t)lo, (uint8_t)hi); break;
    case TERN_INT32: clip_int32_t(rank, dims, x, xs, y, ys, (int32_t)lo, (int32_t)hi); break;
    case TERN_INT64: clip_int64_t(rank, dims, x, xs, y, ys, lo, hi); break;
    default: break;
    }
}
