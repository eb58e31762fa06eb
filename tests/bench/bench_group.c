/*
 * bench_group.c: how fast and how well mingle places a circle into
 * groups. Generates circles of 200, 5,000 and 50,000 people (4 sectors,
 * 10 regions, 3 slots, 6 threads, 10% facilitators, most people able to
 * make 2 of the 3 slots, random wishes, groups of 8-12), plans each and
 * prints time, peak RSS, quality and hard-rule violations next to a
 * random round-robin baseline; then times one join and one withdrawal
 * (a group's only facilitator) rebalanced on the largest circle. Figures
 * only, no assertions.
 *
 *   ./build/tests/bench/bench_group [seed]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "mingle/group.h"

static long peak_rss_kb(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static uint64_t next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static int below(uint64_t *s, int n)
{
    return (int)(next(s) % (uint64_t)n);
}

static void generate(struct mg_person *p, size_t n, uint64_t seed)
{
    uint64_t s = seed;
    size_t i;
    int w;

    memset(p, 0, n * sizeof(*p));
    for (i = 0; i < n; i++) {
        int r = below(&s, 10);

        p[i].facilitator = below(&s, 10) == 0;
        p[i].sector = below(&s, 4);
        p[i].region = below(&s, 10);
        /* 70%: two of three slots; 20%: all three; 10%: just one */
        if (r < 7)
            p[i].slots = 7u & ~(1u << below(&s, 3));
        else if (r < 8)
            p[i].slots = 0; /* any */
        else if (r < 9)
            p[i].slots = 7u;
        else
            p[i].slots = 1u << below(&s, 3);
        p[i].n_wishes = below(&s, 4);
        for (w = 0; w < p[i].n_wishes; w++)
            p[i].wishes[w] = below(&s, 6);
        p[i].current = -1;
    }
}

static int hard_violations(const struct mg_quality *q)
{
    return q->size_violations + q->no_facilitator + q->slot_violations +
           q->apart_violations + q->unplaced;
}

static void print_quality(const char *what, const struct mg_quality *q)
{
    printf("  %-9s sizes %d-%d  hard violations %d (size %d, no facilitator "
           "%d, slot %d, apart %d)\n",
           what, q->smallest, q->largest, hard_violations(q),
           q->size_violations, q->no_facilitator, q->slot_violations,
           q->apart_violations);
    printf("  %-9s sector misses %d  region misses %d  together %d/%d  "
           "first wish %d/%d  any wish %d/%d\n",
           "", q->sector_misses, q->region_misses, q->together_met,
           q->together_total, q->wishes_first, q->wishes_total, q->wishes_any,
           q->wishes_total);
}

/* Shuffled round-robin: what a coordinator gets without mingle. */
static void baseline(const struct mg_assign_input *in,
                     const struct mg_assign_result *r, uint64_t seed)
{
    size_t n = in->n_people, i;
    int *order = malloc(n * sizeof(*order));
    int *group_of = malloc(n * sizeof(*group_of));
    uint64_t s = seed ^ 0xabcdef;
    struct mg_quality q;

    for (i = 0; i < n; i++)
        order[i] = (int)i;
    for (i = n - 1; i > 0; i--) {
        size_t j = next(&s) % (i + 1);
        int t = order[i];

        order[i] = order[j];
        order[j] = t;
    }
    for (i = 0; i < n; i++)
        group_of[order[i]] = (int)(i % (size_t)r->n_groups);
    mg_group_evaluate(&q, in, group_of, r->groups, r->n_groups);
    print_quality("baseline", &q);
    free(order);
    free(group_of);
}

static void rebalance_once(const char *what, const struct mg_assign_input *in)
{
    struct mg_assign_result r;
    double t0 = mg_monotonic(), ms;
    int rc = mg_group_rebalance(&r, in);

    ms = (mg_monotonic() - t0) * 1000.0;
    if (rc < 0) {
        printf("  %s: %s\n", what, mg_strerror(rc));
        return;
    }
    printf("  %-10s %8.2f ms  moves %zu (lower bound %zu)  issues %zu  hard "
           "violations %d\n",
           what, ms, r.moves, r.moves_lower_bound, r.n_issues,
           hard_violations(&r.quality));
    mg_assign_result_release(&r);
}

/* One join, then the withdrawal of some group's only facilitator. */
static void joins_and_leaves(struct mg_person *p, struct mg_assign_input *in,
                             const struct mg_assign_result *plan)
{
    size_t n = in->n_people, i, k;
    int *lead = calloc((size_t)plan->n_groups, sizeof(*lead));

    for (i = 0; i < n; i++)
        p[i].current = plan->group_of[i];
    in->groups = plan->groups;
    in->n_groups = plan->n_groups;
    p[n] = p[n / 2];
    p[n].current = -1;
    p[n].facilitator = 0;
    in->n_people = n + 1;
    rebalance_once("join", in);
    in->n_people = n;
    for (i = 0; i < n; i++)
        lead[p[i].current] += p[i].facilitator != 0;
    for (k = 0; k < n && !(p[k].facilitator && lead[p[k].current] == 1); k++)
        ;
    if (k < n) {
        struct mg_person gone = p[k];

        p[k] = p[n - 1];
        in->n_people = n - 1;
        rebalance_once("withdrawal", in);
        p[k] = gone;
        in->n_people = n;
    }
    in->groups = NULL;
    in->n_groups = 0;
    for (i = 0; i < n; i++)
        p[i].current = -1;
    free(lead);
}

int main(int argc, char **argv)
{
    static const size_t sizes[] = {200, 5000, 50000};
    uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 10) : 1;
    size_t c;

    for (c = 0; c < sizeof(sizes) / sizeof(sizes[0]); c++) {
        size_t n = sizes[c];
        struct mg_person *p = malloc((n + 1) * sizeof(*p));
        struct mg_assign_input in;
        struct mg_assign_result r;
        double t0, ms;
        int rc;

        generate(p, n, seed + c);
        memset(&in, 0, sizeof(in));
        in.people = p;
        in.n_people = n;
        in.size_min = 8;
        in.size_max = 12;
        in.n_slots = 3;
        in.n_threads = 6;
        in.n_sectors = 4;
        in.n_regions = 10;
        in.seed = seed;
        t0 = mg_monotonic();
        rc = mg_group_plan(&r, &in);
        ms = (mg_monotonic() - t0) * 1000.0;
        if (rc < 0) {
            printf("plan of %zu failed: %s\n", n, mg_strerror(rc));
            free(p);
            return 1;
        }
        printf("%zu people, %d groups: planned in %.1f ms, peak RSS %ld kB, "
               "%zu issues\n",
               n, r.n_groups, ms, peak_rss_kb(), r.n_issues);
        print_quality("mingle", &r.quality);
        baseline(&in, &r, seed);
        if (n == 50000)
            joins_and_leaves(p, &in, &r);
        mg_assign_result_release(&r);
        free(p);
    }
    return 0;
}
