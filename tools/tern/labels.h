/* Class labels for `tern run ... --labels FILE`: one label per line.
 * Lines like "n01440764 tench, Tinca tinca" (synset.txt) show the name part
 * ("tench"). A file with one line fewer than the model has classes means
 * index 0 is background (TF 1001-class models with a 1000-line file). */
#ifndef TERN_CLI_LABELS_H
#define TERN_CLI_LABELS_H

typedef struct {
    char **names;
    int count;
} cli_labels;

/* 0, or prints an error and returns CLI_EXIT_ERROR. */
int labels_load(const char *path, cli_labels *out);
/* Label of class index for a model with `classes` outputs, or "" if none. */
const char *labels_get(const cli_labels *l, long classes, long index);
void labels_free(cli_labels *l);

#endif
