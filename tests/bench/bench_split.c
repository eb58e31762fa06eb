/*
 * bench_split.c: how long mg_partition takes on the sizes a plan can
 * reach: thousands of sections over up to 104 weeks. Random weights
 * (fixed seed) like section word counts, plus a run of all zeros and one
 * of all-equal weights, the shapes where the bound prunes least. Prints
 * the best and mean time of several runs; no assertions.
 *
 *   ./build/tests/bench/bench_split [runs]
 */
#include <stdio.h>
#include <stdlib.h>

#include "mingle/book.h"

static uint64_t rng_state = 0x2545f4914f6cdd1du;

static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x9e3779b97f4a7c15u;
}

enum shape { RANDOM, ZEROS, EQUAL };

static void bench(size_t n, size_t k, enum shape shape, int runs)
{
    static const char *const names[] = {"random 0..5000", "all zeros",
                                        "all equal"};
    uint64_t *w = mg_xmalloc(n * sizeof(*w));
    size_t *cuts = mg_xmalloc(k * sizeof(*cuts));
    double best = 1e9, total = 0;
    size_t i;
    int r;

    for (i = 0; i < n; i++)
        w[i] = shape == RANDOM ? rng() % 5001 : shape == EQUAL ? 1000 : 0;
    for (r = 0; r < runs; r++) {
        double t0 = mg_monotonic(), dt;
        mg_partition(cuts, w, n, k);
        dt = mg_monotonic() - t0;
        total += dt;
        if (dt < best)
            best = dt;
    }
    printf("mg_partition n=%-5zu k=%-4zu %-15s best %8.3f ms  mean %8.3f ms\n",
           n, k, names[shape], best * 1000, total / runs * 1000);
    free(cuts);
    free(w);
}

int main(int argc, char **argv)
{
    int runs = argc > 1 ? atoi(argv[1]) : 10;

    if (runs < 1)
        runs = 1;
    bench(2000, 104, RANDOM, runs);
    bench(5000, 52, RANDOM, runs);
    bench(5000, 104, RANDOM, runs);
    bench(5000, 104, ZEROS, runs);
    bench(5000, 104, EQUAL, runs);
    return 0;
}
