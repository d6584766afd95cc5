/* tern info MODEL: print the library's report on the compiled model. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The report, sized by asking the library once with a guess and again
 * with the exact length if it did not fit. */
static int print_report(const tern_session *s, unsigned what, const char *path) {
    size_t cap = 1 << 16, len = 0;
    for (int attempt = 0; attempt < 2; attempt++) {
        char *buf = malloc(cap);
        if (!buf) return cli_fail("out of memory (report of %s)", path);
        if (tern_session_report(s, what, buf, cap, &len) != TERN_OK) {
            free(buf);
            return cli_fail("cannot make the report: %s (%s)", tern_session_error(s), path);
        }
        if (len < cap) {
            fputs(cli_printable(buf, 1), stdout);
            if (len == 0 || buf[len - 1] != '\n') fputc('\n', stdout);
            free(buf);
            return 0;
        }
        free(buf);
        cap = len + 1;
    }
    return cli_fail("the report kept growing (%s)", path);
}

int cmd_info(int argc, char **argv) {
    const char *model = NULL, *val;
    unsigned what = 0;
    tern_session_options opts = {0};
    cli_shapes shapes = {0};
    for (int i = 1; i < argc; i++) {
        int r;
        if (!strcmp(argv[i], "--passes")) {
            what |= TERN_REPORT_PASSES;
        } else if (!strcmp(argv[i], "--quant")) {
            what |= TERN_REPORT_QUANT;
        } else if (!strcmp(argv[i], "--json")) {
            what |= TERN_REPORT_JSON;
        } else if (!strcmp(argv[i], "--no-fuse")) {
            opts.flags |= TERN_SESSION_NO_FUSE;
        } else if ((r = cli_option(argc, argv, &i, "--batch", &val)) != 0) {
            if (r < 0 || cli_int(val, 1, 1 << 20, "--batch", &opts.batch)) return CLI_EXIT_ERROR;
        } else if ((r = cli_option(argc, argv, &i, "--threads", &val)) != 0) {
            if (r < 0 || cli_int(val, 1, 1024, "--threads", &opts.threads)) return CLI_EXIT_ERROR;
        } else if ((r = cli_option(argc, argv, &i, "--shape", &val)) != 0) {
            if (r < 0 || cli_shape(val, &shapes)) return CLI_EXIT_ERROR;
        } else if ((r = cli_option(argc, argv, &i, "--max-memory", &val)) != 0) {
            if (r < 0 || cli_bytes(val, "--max-memory", &opts.max_memory)) return CLI_EXIT_ERROR;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_fail("unknown option '%s' (tern info; see tern --help)", argv[i]);
        } else if (!model) {
            model = argv[i];
        } else {
            return cli_fail("unexpected argument '%s' (tern info takes one model)", argv[i]);
        }
    }
    if (!model) return cli_fail("missing MODEL (usage: tern info MODEL [--passes] [--quant] [--json])");
    cli_use_shapes(&opts, &shapes);
    tern_model *m;
    tern_session *s;
    if (cli_open(model, &opts, &m, &s)) return CLI_EXIT_ERROR;
    int rc = print_report(s, what, model);
    cli_close(m, s);
    return rc;
}
