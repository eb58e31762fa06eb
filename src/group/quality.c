/*
 * quality.c: scoring a finished assignment (mg_group_evaluate) and the
 * hard-rule check for one proposed move (mg_group_check_move). Both read
 * the input as it is and recompute everything from scratch: they run
 * once per request, not inside a search.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#include "banned.h"

int band_miss(long long count, long long nv, long long size, long long n)
{
    long long lo, hi;

    if (n <= 0)
        return 0; /* nobody placed: nothing to balance */
    lo = nv * size / n;
    hi = (nv * size + n - 1) / n;
    return count < lo || count > hi;
}

static void count_misses(struct mg_quality *q, const struct mg_assign_input *in,
                         const int *group_of, int n_groups, const int *size,
                         long long placed)
{
    int nv_sec = in->n_sectors, nv_reg = in->n_regions;
    long long *tot_sec = mg_xcalloc((size_t)nv_sec + 1, sizeof(*tot_sec));
    long long *tot_reg = mg_xcalloc((size_t)nv_reg + 1, sizeof(*tot_reg));
    int *sec = mg_xcalloc((size_t)n_groups * nv_sec + 1, sizeof(*sec));
    int *reg = mg_xcalloc((size_t)n_groups * nv_reg + 1, sizeof(*reg));
    size_t i;
    int g, v;

    for (i = 0; i < in->n_people; i++) {
        const struct mg_person *p = &in->people[i];

        if (group_of[i] < 0)
            continue;
        if (p->sector >= 0) {
            tot_sec[p->sector]++;
            sec[group_of[i] * nv_sec + p->sector]++;
        }
        if (p->region >= 0) {
            tot_reg[p->region]++;
            reg[group_of[i] * nv_reg + p->region]++;
        }
    }
    for (g = 0; g < n_groups && placed > 0; g++) {
        for (v = 0; v < nv_sec; v++)
            q->sector_misses +=
                band_miss(sec[g * nv_sec + v], tot_sec[v], size[g], placed);
        for (v = 0; v < nv_reg; v++)
            q->region_misses +=
                band_miss(reg[g * nv_reg + v], tot_reg[v], size[g], placed);
    }
    free(tot_sec);
    free(tot_reg);
    free(sec);
    free(reg);
}

void mg_group_evaluate(struct mg_quality *q, const struct mg_assign_input *in,
                       const int *group_of, const struct mg_group_spec *groups,
                       int n_groups)
{
    int *size = mg_xcalloc((size_t)n_groups + 1, sizeof(*size));
    int *fac = mg_xcalloc((size_t)n_groups + 1, sizeof(*fac));
    long long placed = 0;
    size_t i;
    int g, w;

    memset(q, 0, sizeof(*q));
    for (i = 0; i < in->n_people; i++) {
        const struct mg_person *p = &in->people[i];
        int gi = group_of[i];

        if (p->n_wishes > 0)
            q->wishes_total++;
        if (gi < 0 || gi >= n_groups) {
            q->unplaced++;
            continue;
        }
        placed++;
        size[gi]++;
        fac[gi] += p->facilitator != 0;
        if (!can_make(in, p, groups[gi].slot))
            q->slot_violations++;
        for (w = 0; w < p->n_wishes; w++) {
            if (p->wishes[w] != groups[gi].thread)
                continue;
            q->wishes_any++;
            q->wishes_first += w == 0;
            break;
        }
    }
    for (g = 0; g < n_groups; g++) {
        if (g == 0 || size[g] < q->smallest)
            q->smallest = size[g];
        if (g == 0 || size[g] > q->largest)
            q->largest = size[g];
        q->size_violations += size[g] < in->size_min || size[g] > in->size_max;
        q->no_facilitator += fac[g] == 0;
    }
    for (i = 0; i < in->n_apart; i++) {
        int a = group_of[in->apart[i].a], b = group_of[in->apart[i].b];

        q->apart_violations += a >= 0 && a == b;
    }
    q->together_total = (int)in->n_together;
    for (i = 0; i < in->n_together; i++) {
        int a = group_of[in->together[i].a], b = group_of[in->together[i].b];

        q->together_met += a >= 0 && a == b;
    }
    count_misses(q, in, group_of, n_groups, size, placed);
    free(size);
    free(fac);
}

int mg_group_check_move(struct mg_issue **issues, size_t *n_issues,
                        const struct mg_assign_input *in, int who, int to)
{
    struct issue_list l = {NULL, 0, 0};
    const struct mg_person *p;
    struct name_buf na, nb;
    struct count_buf cb;
    struct slot_buf sb;
    int from, to_size = 0, from_size = 0, from_fac = 0;
    size_t i;
    int rc;

    *issues = NULL;
    *n_issues = 0;
    rc = input_check(in, in ? in->n_groups : 0);
    if (rc < 0)
        return rc;
    if (who < 0 || (size_t)who >= in->n_people || to < 0 ||
        to >= in->n_groups) {
        int w = who;

        issue_add(&l, "input", &w, who >= 0 ? 1 : 0,
                  "no person %d or no group %d in this circle", who + 1,
                  to + 1);
        rc = MG_EINVAL;
        goto out;
    }
    p = &in->people[who];
    from = p->current;
    if (from == to)
        goto out;
    for (i = 0; i < in->n_people; i++) {
        int g = in->people[i].current;

        to_size += g == to;
        from_size += from >= 0 && g == from;
        from_fac += from >= 0 && g == from && in->people[i].facilitator;
    }
    if (p->locked && from >= 0)
        issue_add(&l, "locked", &who, 1, "%s is locked in group %d",
                  pname(in, who, &na), from + 1);
    if (to_size + 1 > in->size_max)
        issue_add(&l, "size", &who, 1,
                  "group %d would have %d people, more than the maximum of %d",
                  to + 1, to_size + 1, in->size_max);
    if (from >= 0 && from_size - 1 < in->size_min)
        issue_add(&l, "size", &who, 1,
                  "group %d would drop to %s, below the minimum of %d",
                  from + 1,
                  count_noun(&cb, (size_t)(from_size - 1), "person", "people"),
                  in->size_min);
    if (from >= 0 && p->facilitator && from_fac == 1)
        issue_add(&l, "facilitators", &who, 1,
                  "group %d would lose its only facilitator, %s", from + 1,
                  pname(in, who, &na));
    if (!can_make(in, p, in->groups[to].slot))
        issue_add(&l, "slot", &who, 1, "%s cannot make %s, when group %d meets",
                  pname(in, who, &na), slot_name(in, in->groups[to].slot, &sb),
                  to + 1);
    for (i = 0; i < in->n_apart; i++) {
        int a = in->apart[i].a, b = in->apart[i].b;
        int other = a == who ? b : (b == who ? a : -1);
        int ab[2];

        if (other < 0 || other == who || in->people[other].current != to)
            continue;
        ab[0] = who;
        ab[1] = other;
        issue_add(&l, "apart", ab, 2,
                  "%s and %s must be apart but would share group %d",
                  pname(in, who, &na), pname(in, other, &nb), to + 1);
    }
    if (l.n)
        rc = MG_EINVAL;
out:
    *issues = l.v;
    *n_issues = l.n;
    return rc;
}
