/* Top-K of class scores; see scores.h. One pass keeping the k best in
 * order (insertion): O(n*k), and k is usually 1 to 5. */
#include "scores.h"

/* Does score a at index ia rank before b at ib? */
static int before(float a, long ia, float b, long ib) {
    int na = a != a, nb = b != b;
    if (na != nb) return nb;
    if (!na && a != b) return a > b;
    return ia < ib;
}

void scores_top(const float *scores, long n, long k, long *best) {
    long have = 0;
    for (long i = 0; i < n && k > 0; i++) {
        if (have == k && !before(scores[i], i, scores[best[k - 1]], best[k - 1])) continue;
        long pos = have < k ? have++ : k - 1;
        while (pos > 0 && before(scores[i], i, scores[best[pos - 1]], best[pos - 1])) {
            best[pos] = best[pos - 1];
            pos--;
        }
        best[pos] = i;
    }
}
