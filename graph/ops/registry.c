/* The one table of operators. Each op file defines `const tern_op
 * tern_op_<Name>`; the lists below name them, one list per family so that
 * op files can be added without touching each other's lines. */
#include <string.h>

#include "graph/op.h"

#define OP(name) extern const tern_op tern_op_##name;
#include "graph/ops/list_nn.h"
#include "graph/ops/list_tensor.h"
#include "graph/ops/list_quant.h"
#undef OP

static const tern_op *const OPS[] = {
#define OP(name) &tern_op_##name,
#include "graph/ops/list_nn.h"
#include "graph/ops/list_tensor.h"
#include "graph/ops/list_quant.h"
#undef OP
    NULL};

const tern_op *tern_op_find(const char *type, const char *domain) {
    if (!domain || strcmp(domain, "ai.onnx") == 0) domain = "";
    for (int i = 0; OPS[i]; i++)
        if (strcmp(OPS[i]->type, type) == 0 && strcmp(OPS[i]->domain, domain) == 0) return OPS[i];
    return NULL;
}
