/* Ranking class scores, shared by `tern run` (top K printed) and `tern eval`
 * (top-1/top-5): descending score, ties to the lower index (as the
 * reference tools rank), NaN last, so the order is total and the same on
 * every machine. */
#ifndef TERN_CLI_SCORES_H
#define TERN_CLI_SCORES_H

/* The k best of n scores into best[0..k) (k <= n). */
void scores_top(const float *scores, long n, long k, long *best);

#endif
