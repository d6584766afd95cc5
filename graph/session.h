/* The object behind tern_session (graph/session.c, graph/report.c). */
#ifndef TERN_SESSION_H
#define TERN_SESSION_H
#include "graph/compile.h"
#include "graph/threadpool.h"

struct tern_session {
    int ok;        /* 0: failed to create, or last call failed (error holds why) */
    int compiled;  /* c is valid */
    char error[TERN_ERR_LEN];
    tern_compiled c;
    unsigned char *arena;
    int own_arena;
    int threads;
    tern_threadpool *pool; /* NULL with one thread */
    const struct tern_model *model;
};
#endif
