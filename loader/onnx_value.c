/* ValueInfoProto (graph inputs and outputs): name, element type and shape.
 * Dims are dim_value (known; -1 also means dynamic), dim_param (a symbolic
 * name such as "N", kept; the dim is -1) or neither (-1). */
#include <string.h>

#include "loader/onnx_priv.h"

/* TensorShapeProto.Dimension */
static tern_status parse_dim(onnx_ctx *c, tern_pb *d, tern_tensor *t, int i) {
    tern_status st;
    uint32_t f;
    int w;
    t->dims[i] = -1;
    ONNX_FOR_FIELDS(c, d, at, f, w) {
        if (f == 1) {
            uint64_t v;
            st = onnx_read_varint(c, d, w, "dim_value", at, &v);
            if (st) return st;
            /* -1 is how some exporters write a dynamic dim (onnx.checker and
             * ONNX Runtime accept it); any other negative value is an error */
            if ((int64_t)v < -1)
                return onnx_fail(c, at, TERN_ERR_PARSE, "dim_value %lld is negative",
                                 (long long)(int64_t)v);
            t->dims[i] = (int64_t)v;
            t->dim_param[i] = NULL;
        } else if (f == 2) {
            st = onnx_read_string(c, d, w, "dim_param", at, &t->dim_param[i]);
            if (st) return st;
            t->dims[i] = -1;
        } else {
            st = onnx_wrap(c, tern_pb_skip(d, w, c->err));
            if (st) return st;
        }
    }
    return TERN_OK;
}

/* TensorShapeProto: repeated Dimension dim = 1 */
static tern_status parse_shape(onnx_ctx *c, tern_pb *s, tern_tensor *t) {
    tern_status st;
    uint32_t f;
    int w;
    int rank = 0;
    for (int i = 0; i < TERN_MAX_RANK; i++) t->dim_param[i] = NULL;
    ONNX_FOR_FIELDS(c, s, at, f, w) {
        if (f != 1) {
            st = onnx_wrap(c, tern_pb_skip(s, w, c->err));
            if (st) return st;
            continue;
        }
        if (rank >= TERN_MAX_RANK)
            return onnx_fail(c, at, TERN_ERR_UNSUPPORTED, "rank exceeds the maximum %d",
                             TERN_MAX_RANK);
        size_t old = onnx_path_push(c, ".dim[%d]", rank);
        tern_pb d;
        st = onnx_read_sub(c, s, w, "dim", at, &d);
        if (!st) st = parse_dim(c, &d, t, rank);
        if (st) return st;
        onnx_path_pop(c, old);
        rank++;
    }
    t->rank = rank;
    return TERN_OK;
}

/* TypeProto.Tensor: elem_type = 1, shape = 2 */
static tern_status parse_tensor_type(onnx_ctx *c, tern_pb *tt, tern_tensor *t) {
    tern_status st;
    uint32_t f;
    int w;
    uint64_t elem = 0;
    size_t elem_at = tt->start;
    ONNX_FOR_FIELDS(c, tt, at, f, w) {
        if (f == 1) {
            elem_at = at;
            st = onnx_read_varint(c, tt, w, "elem_type", at, &elem);
        } else if (f == 2) {
            tern_pb s;
            size_t old = onnx_path_push(c, ".shape");
            st = onnx_read_sub(c, tt, w, "shape", at, &s);
            if (!st) st = parse_shape(c, &s, t);
            if (!st) onnx_path_pop(c, old);
        } else {
            st = onnx_wrap(c, tern_pb_skip(tt, w, c->err));
        }
        if (st) return st;
    }
    if (!onnx_dtype_supported(elem))
        return onnx_fail(c, elem_at, TERN_ERR_UNSUPPORTED,
                         "element type %s (%llu) is not supported", onnx_dtype_name(elem),
                         (unsigned long long)elem);
    t->dtype = (tern_dtype)elem;
    return TERN_OK;
}

/* TypeProto: only tensor_type (1) is something tern can feed or return. */
static tern_status parse_type(onnx_ctx *c, tern_pb *ty, tern_tensor *t) {
    tern_status st;
    uint32_t f;
    int w;
    ONNX_FOR_FIELDS(c, ty, at, f, w) {
        if (f == 1) {
            tern_pb tt;
            st = onnx_read_sub(c, ty, w, "tensor_type", at, &tt);
            if (!st) st = parse_tensor_type(c, &tt, t);
        } else if (f == 4 || f == 5 || f == 8 || f == 9) {
            static const char *const kinds[] = {
                [4] = "sequence", [5] = "map", [8] = "sparse tensor", [9] = "optional"};
            st = onnx_fail(c, at, TERN_ERR_UNSUPPORTED, "%s types are not supported", kinds[f]);
        } else {
            st = onnx_wrap(c, tern_pb_skip(ty, w, c->err));
        }
        if (st) return st;
    }
    return TERN_OK;
}

tern_status onnx_parse_value_info(onnx_ctx *c, const tern_pb *msg, const char **name,
                                  tern_tensor *shape, int *has_type) {
    tern_status st;
    uint32_t f;
    int w;
    tern_pb r = *msg;
    r.pos = r.start;
    *name = "";
    *has_type = 0;
    memset(shape, 0, sizeof *shape);
    shape->rank = -1;
    shape->dtype = TERN_UNDEFINED;
    size_t base = c->path_len;
    ONNX_FOR_FIELDS(c, &r, at, f, w) {
        if (f == 1) {
            st = onnx_read_string(c, &r, w, "name", at, name);
            /* name the value in later messages (writers put it first) */
            onnx_path_pop(c, base);
            if (!st) onnx_path_push(c, " '%.80s'", *name);
        } else if (f == 2) {
            tern_pb ty;
            size_t old = onnx_path_push(c, ".type");
            st = onnx_read_sub(c, &r, w, "type", at, &ty);
            if (!st) st = parse_type(c, &ty, shape);
            if (!st) onnx_path_pop(c, old);
            *has_type = !st && shape->dtype != TERN_UNDEFINED;
        } else {
            st = onnx_wrap(c, tern_pb_skip(&r, w, c->err));
        }
        if (st) return st;
    }
    onnx_path_pop(c, base);
    return TERN_OK;
}
