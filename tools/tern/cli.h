/* Helpers shared by the tern subcommands: error reporting (one line on
 * stderr, exit status 2) and argument parsing. */
#ifndef TERN_CLI_H
#define TERN_CLI_H

#include "tern.h"

#define CLI_EXIT_ERROR 2

#if defined(__GNUC__)
#define CLI_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CLI_PRINTF(a, b)
#endif

/* Print "tern: <message>" on stderr, control characters shown as '?' (see
 * cli_printable); returns CLI_EXIT_ERROR. */
int cli_fail(const char *fmt, ...) CLI_PRINTF(1, 2);

/* Replace control characters in s by '?' (newlines too unless
 * keep_newlines): names come from model files, and an escape sequence
 * printed as is could rewrite the user's terminal. Returns s. */
char *cli_printable(char *s, int keep_newlines);

/* If argv[*i] is option `name` ("--name VALUE" or "--name=VALUE"), set *val,
 * advance *i past the value and return 1; return 0 if it is another
 * argument, -1 (after printing an error) if the value is missing. */
int cli_option(int argc, char **argv, int *i, const char *name, const char **val);
/* Decimal integer in [lo, hi] or an error naming the option; 0 on success. */
int cli_int(const char *s, int lo, int hi, const char *option, int *out);
/* A byte count: decimal digits, optionally one suffix K, M or G (powers of
 * 1024, either case), at least 1 and within size_t; else an error naming the
 * option. 0 on success. */
int cli_bytes(const char *s, const char *option, size_t *out);

/* --shape NAME=D1xD2x... (or D1,D2,...), repeatable: dims for a model
 * input's dynamic dims (tern_session_options.shapes points into this). */
#define CLI_MAX_SHAPES 64
typedef struct cli_shapes {
    tern_input_shape list[CLI_MAX_SHAPES];
    int64_t dims[CLI_MAX_SHAPES][TERN_MAX_RANK];
    char names[CLI_MAX_SHAPES][256];
    int n;
} cli_shapes;

/* Add one --shape value to s; 0, or CLI_EXIT_ERROR after printing why. */
int cli_shape(const char *text, cli_shapes *s);
/* Point opts at s's shapes. */
void cli_use_shapes(tern_session_options *opts, const cli_shapes *s);

/* Load a model and compile a session; on failure print the library's
 * message and return CLI_EXIT_ERROR (nothing to free then). */
int cli_open(const char *path, const tern_session_options *opts, tern_model **m, tern_session **s);
void cli_close(tern_model *m, tern_session *s);
/* The two halves of cli_open: load (the model is freed and NULL on
 * failure), then compile a session of a loaded model. */
int cli_load(const char *path, tern_model **m);
int cli_compile(const tern_model *m, const tern_session_options *opts, const char *path,
                tern_session **s);
/* "[1,224,224,3]" into buf. */
const char *cli_dims(const int64_t *dims, int rank, char *buf, unsigned cap);

int cmd_info(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_preprocess(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_isa(int argc, char **argv);
int cmd_bench(int argc, char **argv);

#endif
