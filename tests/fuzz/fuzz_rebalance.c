/*
 * fuzz_rebalance.c: libFuzzer target for the rebalance (minimum-cost
 * flow, branching on apart pairs, groups opened and dissolved). The
 * bytes make a small circle: bounds, groups with slots, people with
 * roles, slots, sectors, current groups, locks, and pairs. Whatever they
 * make, the answer must be well formed and tell the truth: moves counted
 * right, the bound no more than the moves, locked people home, dissolved
 * groups empty, and when no issue is reported, every hard rule kept. The
 * planner then places the same people afresh, and must answer in range.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mingle/group.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct bytes {
    const uint8_t *p;
    size_t n;
};

static int take(struct bytes *b, int below)
{
    int v = 0;

    if (b->n > 0) {
        v = *b->p++;
        b->n--;
    }
    return below > 0 ? v % below : 0;
}

static void check(int ok)
{
    if (!ok)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bytes b = {data, size};
    struct mg_person people[40];
    struct mg_group_spec groups[6];
    struct mg_pair apart[6], together[4];
    struct mg_assign_input in;
    struct mg_assign_result r;
    int n, g, i, size_min, size_max, sizes[64] = {0}, facs[64] = {0};
    size_t moves = 0;

    memset(&in, 0, sizeof(in));
    memset(people, 0, sizeof(people));
    size_min = 1 + take(&b, 5);
    size_max = size_min + take(&b, 4);
    g = 1 + take(&b, 6);
    n = take(&b, 41);
    in.n_slots = take(&b, 4);
    in.n_threads = take(&b, 3);
    in.n_sectors = take(&b, 3);
    in.n_regions = take(&b, 3);
    for (i = 0; i < g; i++) {
        groups[i].slot = in.n_slots ? take(&b, in.n_slots + 1) - 1 : -1;
        groups[i].thread = in.n_threads ? take(&b, in.n_threads) : -1;
    }
    for (i = 0; i < n; i++) {
        struct mg_person *p = &people[i];

        p->facilitator = take(&b, 3) == 0;
        p->sector = in.n_sectors ? take(&b, in.n_sectors + 1) - 1 : -1;
        p->region = in.n_regions ? take(&b, in.n_regions + 1) - 1 : -1;
        p->slots = in.n_slots ? (uint32_t)take(&b, 1 << in.n_slots) : 0;
        p->current = take(&b, g + 2) - 1;
        if (p->current >= g)
            p->current = -1;
        p->locked = p->current >= 0 && take(&b, 8) == 0;
        if (in.n_threads && take(&b, 2)) {
            p->wishes[0] = take(&b, in.n_threads);
            p->n_wishes = 1;
        }
    }
    in.people = people;
    in.n_people = (size_t)n;
    in.size_min = size_min;
    in.size_max = size_max;
    in.groups = groups;
    in.n_groups = g;
    in.max_moves = take(&b, 4) == 0 ? take(&b, 10) : 0;
    for (i = 0; n > 0 && i < 6 && take(&b, 2); i++) {
        apart[i].a = take(&b, n);
        apart[i].b = take(&b, n);
        in.n_apart++;
    }
    for (i = 0; n > 0 && i < 4 && take(&b, 2); i++) {
        together[i].a = take(&b, n);
        together[i].b = take(&b, n);
        in.n_together++;
    }
    in.apart = apart;
    in.together = together;
    if (mg_group_rebalance(&r, &in) < 0)
        return 0;
    /* opened groups: at most one for each size_max people */
    check(r.n_groups >= g && r.n_groups <= g + n + 1 && r.n_groups < 64);
    check(r.n_groups == g + r.n_opened);
    check(r.moves_lower_bound <= r.moves);
    for (i = 0; i < n; i++) {
        int to = r.group_of[i];

        check(to >= 0 && to < r.n_groups);
        check(!(r.dissolved && to < g && r.dissolved[to]));
        if (people[i].locked)
            check(to == people[i].current);
        moves += people[i].current >= 0 && to != people[i].current;
        sizes[to]++;
        facs[to] += people[i].facilitator;
    }
    check(moves == r.moves);
    if (r.n_issues == 0) {
        int lo = 1 << 30, hi = 0;

        for (i = 0; i < r.n_groups; i++) {
            if (r.dissolved && i < g && r.dissolved[i])
                continue;
            check(facs[i] >= 1); /* no issue: every group is led */
            lo = sizes[i] < lo ? sizes[i] : lo;
            hi = sizes[i] > hi ? sizes[i] : hi;
        }
        if (n > 0) {
            check(lo >= size_min && hi <= size_max && hi - lo <= 1);
        }
        for (i = 0; i < (int)in.n_apart; i++)
            check(apart[i].a == apart[i].b ||
                  r.group_of[apart[i].a] != r.group_of[apart[i].b]);
        for (i = 0; i < n; i++) {
            int slot = r.groups[r.group_of[i]].slot;

            check(people[i].slots == 0 || slot < 0 ||
                  ((people[i].slots >> slot) & 1));
        }
    }
    mg_assign_result_release(&r);
    /* and the planner on the same people, choosing its own groups */
    for (i = 0; i < n; i++)
        people[i].locked = 0;
    in.groups = NULL;
    in.n_groups = 0;
    if (mg_group_plan(&r, &in) == 0) {
        for (i = 0; i < n; i++)
            check(r.group_of[i] >= -1 && r.group_of[i] < r.n_groups);
        mg_assign_result_release(&r);
    }
    return 0;
}
