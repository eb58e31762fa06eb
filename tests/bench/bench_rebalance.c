/*
 * bench_rebalance.c: rebalancing through a circle's churn, 200 people
 * beside N (default 50,000). For groups of 8-12 and of 6-8 it plans a
 * generated circle (4 sectors, 10 regions, 3 slots, 6 threads, 10%
 * facilitators), then times rebalances after: one join; the withdrawal
 * of a group's only facilitator; 5% withdrawals with as many joins; and
 * late joiners 5% over a full circle (groups opened). Each line prints
 * time, moves beside the proven lower bound, groups opened/dissolved,
 * hard-rule issues and sector/region misses before and after. Figures
 * only, no assertions.
 *
 *   ./build/tests/bench/bench_rebalance [N] [seed] [only-this-change]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mingle/core.h"
#include "mingle/group.h"

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

static void person(struct mg_person *p, uint64_t *s)
{
    int r = below(s, 10), w;

    memset(p, 0, sizeof(*p));
    p->facilitator = below(s, 10) == 0;
    p->sector = below(s, 4);
    p->region = below(s, 10);
    if (r < 7)
        p->slots = 7u & ~(1u << below(s, 3));
    else if (r < 8)
        p->slots = 0;
    else if (r < 9)
        p->slots = 7u;
    else
        p->slots = 1u << below(s, 3);
    p->n_wishes = below(s, 4);
    for (w = 0; w < p->n_wishes; w++)
        p->wishes[w] = below(s, 6);
    p->current = -1;
}

static void input_init(struct mg_assign_input *in, struct mg_person *p,
                       size_t n, int lo, int hi)
{
    memset(in, 0, sizeof(*in));
    in->people = p;
    in->n_people = n;
    in->size_min = lo;
    in->size_max = hi;
    in->n_slots = 3;
    in->n_threads = 6;
    in->n_sectors = 4;
    in->n_regions = 10;
    in->seed = 1;
}

struct figure {
    double ms;
    size_t moves, bound, issues;
    int opened, dissolved, misses;
};

static struct figure run(const struct mg_assign_input *in)
{
    struct mg_assign_result r;
    struct figure f;
    double t0 = mg_monotonic();

    memset(&f, 0, sizeof(f));
    if (mg_group_rebalance(&r, in) < 0) {
        f.ms = -1;
        return f;
    }
    f.ms = (mg_monotonic() - t0) * 1000.0;
    f.moves = r.moves;
    f.bound = r.moves_lower_bound;
    f.issues = r.n_issues;
    f.opened = r.n_opened;
    f.dissolved = r.n_dissolved;
    f.misses = r.quality.sector_misses + r.quality.region_misses;
    mg_assign_result_release(&r);
    return f;
}

/* One scenario on a fresh copy of the planned circle. */
static struct figure scenario(const struct mg_person *base, size_t n,
                              const struct mg_assign_result *plan, int lo,
                              int hi, int which, uint64_t seed)
{
    size_t extra = n / 10 + 2, m = n, i, k;
    struct mg_person *p = malloc((n + extra) * sizeof(*p));
    struct mg_assign_input in;
    struct figure f;
    uint64_t s = seed;

    memcpy(p, base, n * sizeof(*p));
    for (i = 0; i < n; i++)
        p[i].current = plan->group_of[i];
    if (which == 0) {
        person(&p[m++], &s);
    } else if (which == 1) {
        /* a group's only facilitator leaves */
        for (i = 0; i < n; i++) {
            size_t lead = 0;

            if (!p[i].facilitator)
                continue;
            for (k = 0; k < n && lead < 2; k++)
                lead += p[k].facilitator && p[k].current == p[i].current;
            if (lead == 1)
                break;
        }
        if (i < n)
            p[i] = p[--m];
    } else if (which == 2) {
        for (k = 0; k < n / 20; k++) {
            i = (size_t)below(&s, (int)m);
            p[i] = p[--m];
        }
        for (k = 0; k < n / 20; k++)
            person(&p[m++], &s);
    } else {
        /* fill the circle to every group's maximum, then 5% more */
        size_t full = (size_t)plan->n_groups * (size_t)hi;

        while (m < full + n / 20 && m < n + extra)
            person(&p[m++], &s);
    }
    input_init(&in, p, m, lo, hi);
    in.groups = plan->groups;
    in.n_groups = plan->n_groups;
    f = run(&in);
    free(p);
    return f;
}

static const char *names[] = {"one join", "sole facilitator leaves",
                              "5% leave + 5% join", "5% over a full circle"};

int main(int argc, char **argv)
{
    size_t sizes[2] = {200, 50000};
    int bands[2][2] = {{8, 12}, {6, 8}};
    uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 1;
    struct figure fig[2][2][4] = {0};
    int misses0[2][2], groups[2][2], b, z, w;
    size_t i;

    if (argc > 1)
        sizes[1] = strtoull(argv[1], NULL, 10);
    for (b = 0; b < 2; b++) {
        for (z = 0; z < 2; z++) {
            size_t n = sizes[z];
            struct mg_person *p = malloc(n * sizeof(*p));
            struct mg_assign_input in;
            struct mg_assign_result plan;
            uint64_t s = seed * 1000 + (uint64_t)z;

            for (i = 0; i < n; i++)
                person(&p[i], &s);
            for (i = 0; i < n; i += 7)
                p[i].facilitator = 1; /* enough for groups of 6-8 */
            input_init(&in, p, n, bands[b][0], bands[b][1]);
            mg_group_plan(&plan, &in);
            misses0[b][z] =
                plan.quality.sector_misses + plan.quality.region_misses;
            groups[b][z] = plan.n_groups;
            for (w = 0; w < 4; w++)
                if (argc <= 3 || atoi(argv[3]) == w)
                    fig[b][z][w] = scenario(p, n, &plan, bands[b][0],
                                            bands[b][1], w, seed + (uint64_t)w);
            mg_assign_result_release(&plan);
            free(p);
        }
    }
    printf("| groups of | change | %zu people | %zu people |\n", sizes[0],
           sizes[1]);
    printf("|---|---|---|---|\n");
    for (b = 0; b < 2; b++) {
        for (w = 0; w < 4; w++) {
            printf("| %d-%d | %s |", bands[b][0], bands[b][1], names[w]);
            for (z = 0; z < 2; z++) {
                struct figure *f = &fig[b][z][w];

                printf(" %.1f ms, %zu moves (bound %zu), +%d/-%d groups, "
                       "%zu issues, misses %d (plan %d, %d groups) |",
                       f->ms, f->moves, f->bound, f->opened, f->dissolved,
                       f->issues, f->misses, misses0[b][z], groups[b][z]);
            }
            printf("\n");
        }
    }
    return 0;
}
