/* The objects behind the public handles. */
#ifndef TERN_MODEL_H
#define TERN_MODEL_H

#include "graph/ir.h"

struct tern_model {
    tern_graph graph; /* as loaded: sorted, shapes from the file only */
    int ok;           /* 0: this object only carries an error */
    char error[TERN_ERR_LEN];
};

#endif
