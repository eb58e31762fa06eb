/*
 * common.c: the plumbing the group module's entry points share: input
 * checks, the PRNG, pair adjacency, issue lists and the plain-words
 * report of unmet rules, plus releasing results. Scoring is quality.c;
 * placing people is plan.c and rebalance.c.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#include "banned.h"

void rng_seed(struct rng *r, uint64_t seed)
{
    r->s = seed;
}

uint64_t rng_next(struct rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

size_t rng_below(struct rng *r, size_t n)
{
    /* The modulo bias is below 2^-40 for any n we see; not worth a loop. */
    return (size_t)(rng_next(r) % n);
}

static int pairs_check(const struct mg_pair *pairs, size_t n, size_t n_people)
{
    size_t i;

    if (n && !pairs)
        return MG_EINVAL;
    for (i = 0; i < n; i++) {
        if (pairs[i].a < 0 || (size_t)pairs[i].a >= n_people ||
            pairs[i].b < 0 || (size_t)pairs[i].b >= n_people)
            return MG_EINVAL;
    }
    return 0;
}

int input_check(const struct mg_assign_input *in, int n_groups)
{
    size_t i;
    int g, w;

    if (!in || (in->n_people && !in->people))
        return MG_EINVAL;
    if (in->size_min < 1 || in->size_max < in->size_min)
        return MG_EINVAL;
    if (in->n_slots < 0 || in->n_slots > MG_GROUP_MAX_SLOTS ||
        in->n_threads < 0 || in->n_sectors < 0 || in->n_regions < 0)
        return MG_EINVAL;
    if (in->n_groups < 0 || (in->n_groups > 0 && !in->groups))
        return MG_EINVAL;
    /* Person indices are ints throughout. */
    if (in->n_people > (size_t)(INT32_MAX / 2))
        return MG_EINVAL;
    for (g = 0; g < in->n_groups; g++) {
        const struct mg_group_spec *s = &in->groups[g];

        if (s->slot < -1 || s->slot >= in->n_slots || s->thread < -1 ||
            s->thread >= in->n_threads)
            return MG_EINVAL;
    }
    for (i = 0; i < in->n_people; i++) {
        const struct mg_person *p = &in->people[i];
        uint32_t all =
            in->n_slots >= 32 ? UINT32_MAX : (((uint32_t)1 << in->n_slots) - 1);

        if (p->sector < -1 || p->sector >= in->n_sectors || p->region < -1 ||
            p->region >= in->n_regions)
            return MG_EINVAL;
        if (p->slots & ~all)
            return MG_EINVAL;
        if (p->n_wishes < 0 || p->n_wishes > MG_GROUP_MAX_WISHES)
            return MG_EINVAL;
        for (w = 0; w < p->n_wishes; w++) {
            if (p->wishes[w] < 0 || p->wishes[w] >= in->n_threads)
                return MG_EINVAL;
        }
        if (p->current < -1 || (n_groups > 0 && p->current >= n_groups))
            return MG_EINVAL;
    }
    if (pairs_check(in->together, in->n_together, in->n_people) < 0 ||
        pairs_check(in->apart, in->n_apart, in->n_people) < 0)
        return MG_EINVAL;
    return 0;
}

uint32_t person_mask(const struct mg_assign_input *in,
                     const struct mg_person *p)
{
    uint32_t all;

    if (in->n_slots == 0)
        return 0;
    all = in->n_slots >= 32 ? UINT32_MAX : (((uint32_t)1 << in->n_slots) - 1);
    return p->slots ? (p->slots & all) : all;
}

int can_make(const struct mg_assign_input *in, const struct mg_person *p,
             int slot)
{
    (void)in;
    if (slot < 0 || p->slots == 0)
        return 1;
    return (p->slots >> slot) & 1u;
}

void adj_build(struct adj *a, size_t n_people, const struct mg_pair *pairs,
               size_t n_pairs)
{
    size_t *fill;
    size_t i;

    a->start = mg_xcalloc(n_people + 1, sizeof(*a->start));
    for (i = 0; i < n_pairs; i++) {
        if (pairs[i].a == pairs[i].b)
            continue;
        a->start[pairs[i].a + 1]++;
        a->start[pairs[i].b + 1]++;
    }
    for (i = 0; i < n_people; i++)
        a->start[i + 1] += a->start[i];
    a->to = mg_xmalloc((a->start[n_people] + 1) * sizeof(*a->to));
    fill = mg_xmalloc((n_people + 1) * sizeof(*fill));
    memcpy(fill, a->start, (n_people + 1) * sizeof(*fill));
    for (i = 0; i < n_pairs; i++) {
        if (pairs[i].a == pairs[i].b)
            continue;
        a->to[fill[pairs[i].a]++] = pairs[i].b;
        a->to[fill[pairs[i].b]++] = pairs[i].a;
    }
    free(fill);
}

void adj_release(struct adj *a)
{
    free(a->start);
    free(a->to);
    a->start = NULL;
    a->to = NULL;
}

int pair_listed(const struct mg_pair *pairs, size_t n, int a, int b)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if ((pairs[i].a == a && pairs[i].b == b) ||
            (pairs[i].a == b && pairs[i].b == a))
            return 1;
    }
    return 0;
}

void issue_add(struct issue_list *l, const char *rule, const int *people,
               size_t n_people, const char *fmt, ...)
{
    struct mg_issue *is;
    va_list ap;

    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 8;
        l->v = mg_xrealloc(l->v, l->cap * sizeof(*l->v));
    }
    is = &l->v[l->n++];
    memset(is, 0, sizeof(*is));
    snprintf(is->rule, sizeof(is->rule), "%s", rule);
    va_start(ap, fmt);
    vsnprintf(is->message, sizeof(is->message), fmt, ap);
    va_end(ap);
    if (n_people) {
        is->people = mg_xmalloc(n_people * sizeof(*is->people));
        memcpy(is->people, people, n_people * sizeof(*is->people));
        is->n_people = n_people;
    }
}

void issue_list_release(struct issue_list *l)
{
    mg_issues_free(l->v, l->n);
    l->v = NULL;
    l->n = l->cap = 0;
}

void mg_issues_free(struct mg_issue *issues, size_t n)
{
    size_t i;

    for (i = 0; i < n && issues; i++)
        free(issues[i].people);
    free(issues);
}

void mg_assign_result_release(struct mg_assign_result *r)
{
    if (!r)
        return;
    free(r->group_of);
    free(r->groups);
    free(r->dissolved);
    mg_issues_free(r->issues, r->n_issues);
    memset(r, 0, sizeof(*r));
}

/* A list of person indices that grows; for building an issue's people. */
struct ilist {
    int *v;
    size_t n, cap;
};

static void ilist_push(struct ilist *l, int x)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        l->v = mg_xrealloc(l->v, l->cap * sizeof(*l->v));
    }
    l->v[l->n++] = x;
}

static void report_sizes(struct issue_list *l, const struct mg_assign_input *in,
                         const int *size, int n_groups)
{
    struct count_buf cp, cg;
    char sizes[48], asked[48];
    int smallest = 0, largest = 0, g;

    for (g = 0; g < n_groups; g++) {
        if (g == 0 || size[g] < smallest)
            smallest = size[g];
        if (g == 0 || size[g] > largest)
            largest = size[g];
    }
    if (n_groups == 0)
        return;
    if (smallest < in->size_min || largest > in->size_max) {
        const char *verb = in->n_people == 1 ? "makes" : "make";

        if (n_groups == 1)
            snprintf(sizes, sizeof(sizes), "%s a group of %d", verb, smallest);
        else if (smallest == largest)
            snprintf(sizes, sizeof(sizes), "%s groups of %d", verb, smallest);
        else
            snprintf(sizes, sizeof(sizes), "%s groups of %d to %d", verb,
                     smallest, largest);
        if (in->size_min == in->size_max)
            snprintf(asked, sizeof(asked), "the size of %d", in->size_min);
        else
            snprintf(asked, sizeof(asked), "the %d to %d", in->size_min,
                     in->size_max);
        issue_add(l, "size", NULL, 0, "%s in %s %s, outside %s asked for",
                  count_noun(&cp, in->n_people, "person", "people"),
                  count_noun(&cg, (size_t)n_groups, "group", "groups"), sizes,
                  asked);
    }
    if (largest - smallest > 1)
        issue_add(l, "size", NULL, 0,
                  "group sizes differ by more than one (%d to %d)", smallest,
                  largest);
}

static void report_facilitators(struct issue_list *l,
                                const struct mg_assign_input *in,
                                const int *group_of,
                                const struct mg_group_spec *groups,
                                int n_groups, const int *fac)
{
    struct ilist who = {NULL, 0, 0};
    struct count_buf c1, c2, c3;
    struct slot_buf sb;
    size_t *placed, *unplaced, *start, *fill;
    int *members;
    size_t i, n_fac = 0;
    int g, missing = 0;

    for (i = 0; i < in->n_people; i++)
        n_fac += in->people[i].facilitator != 0;
    for (g = 0; g < n_groups; g++)
        missing += fac[g] == 0;
    if (missing == 0)
        return;
    if (n_fac < (size_t)n_groups) {
        char lead[80], larger[128], remedy[256];

        /* The people listed are the ones left without anyone to lead. */
        for (i = 0; i < in->n_people; i++) {
            if (group_of[i] >= 0 && fac[group_of[i]] == 0)
                ilist_push(&who, (int)i);
        }
        if (n_fac == 0)
            snprintf(lead, sizeof(lead), "nobody can lead");
        else
            snprintf(lead, sizeof(lead), "only %s can lead",
                     count_noun(&c2, n_fac, "person", "people"));
        /* and what would mend it: more facilitators, or (when not
         * absurd) larger groups, as few as there are facilitators */
        remedy[0] = '\0';
        if (n_fac > 0) {
            size_t short_by = (size_t)n_groups - n_fac;
            size_t wider = (in->n_people + n_fac - 1) / n_fac;

            if (wider <= 2 * (size_t)in->size_max)
                snprintf(larger, sizeof(larger),
                         ", or groups of up to %zu (%s),", wider,
                         count_noun(&c3, (in->n_people + wider - 1) / wider,
                                    "group", "groups"));
            else
                larger[0] = '\0';
            snprintf(remedy, sizeof(remedy),
                     "; %zu more %s%s would give every group one", short_by,
                     short_by == 1 ? "facilitator" : "facilitators", larger);
        }
        issue_add(
            l, "facilitators", who.v, who.n, "%s %s but %s: %zu missing%s",
            count_noun(&c1, (size_t)n_groups, "group", "groups"),
            n_groups == 1 ? "needs a facilitator" : "need a facilitator each",
            lead, (size_t)n_groups - n_fac, remedy);
        goto out;
    }
    /*
     * Facilitators who can make each slot, placed (in some other group:
     * the groups listed here have none) or not; [n_slots] counts them all,
     * for a group without a slot. One pass, not one per group; and the
     * members of the groups without one, by group.
     */
    placed = mg_xcalloc((size_t)in->n_slots + 1, sizeof(*placed));
    unplaced = mg_xcalloc((size_t)in->n_slots + 1, sizeof(*unplaced));
    start = mg_xcalloc((size_t)n_groups + 1, sizeof(*start));
    for (i = 0; i < in->n_people; i++) {
        const struct mg_person *p = &in->people[i];
        size_t *count = group_of[i] < 0 ? unplaced : placed;
        int s;

        if (group_of[i] >= 0 && fac[group_of[i]] == 0)
            start[group_of[i] + 1]++;
        if (!p->facilitator)
            continue;
        count[in->n_slots]++;
        for (s = 0; s < in->n_slots; s++)
            count[s] += can_make(in, p, s) != 0;
    }
    for (g = 0; g < n_groups; g++)
        start[g + 1] += start[g];
    members = mg_xmalloc((start[n_groups] + 1) * sizeof(*members));
    fill = mg_xmalloc(((size_t)n_groups + 1) * sizeof(*fill));
    memcpy(fill, start, ((size_t)n_groups + 1) * sizeof(*fill));
    for (i = 0; i < in->n_people; i++) {
        if (group_of[i] >= 0 && fac[group_of[i]] == 0)
            members[fill[group_of[i]]++] = (int)i;
    }
    for (g = 0; g < n_groups; g++) {
        const char *when = slot_name(in, groups[g].slot, &sb);
        int at = groups[g].slot >= 0 ? groups[g].slot : in->n_slots;
        size_t elsewhere = placed[at], nowhere = unplaced[at];
        const int *who_v = members + start[g];
        size_t who_n = start[g + 1] - start[g];

        if (fac[g])
            continue;
        if (elsewhere + nowhere == 0)
            issue_add(l, "facilitators", who_v, who_n,
                      "nobody who can make %s is a facilitator (group %d "
                      "has none)",
                      when, g + 1);
        else if (nowhere == 0)
            issue_add(
                l, "facilitators", who_v, who_n,
                "group %d (%s) has no facilitator: the %s who can make "
                "%s %s",
                g + 1, when,
                count_noun(&c1, elsewhere, "facilitator", "facilitators"), when,
                elsewhere == 1 ? "is in another group" : "are in other groups");
        else
            issue_add(l, "facilitators", who_v, who_n,
                      "group %d (%s) has no facilitator though %s who can "
                      "make %s %s no group",
                      g + 1, when,
                      count_noun(&c1, nowhere, "facilitator", "facilitators"),
                      when, nowhere == 1 ? "has" : "have");
    }
    free(placed);
    free(unplaced);
    free(start);
    free(fill);
    free(members);
out:
    free(who.v);
}

/* A person who cannot make their group's slot, and what they can make. */
struct misfit {
    uint32_t mask;
    int who;
};

static int by_mask(const void *a, const void *b)
{
    const struct misfit *x = a, *y = b;

    if (x->mask != y->mask)
        return x->mask < y->mask ? -1 : 1;
    return x->who < y->who ? -1 : x->who > y->who;
}

/* The names of the slots in `mask`, "thursday 12:30, friday 09:00". */
static void slot_list(char *out, size_t cap, const struct mg_assign_input *in,
                      uint32_t mask)
{
    struct slot_buf sb;
    size_t len = 0;
    int s;

    out[0] = '\0';
    for (s = 0; s < in->n_slots && len < cap; s++) {
        if (!((mask >> s) & 1u))
            continue;
        len += (size_t)snprintf(out + len, cap - len, "%s%s", len ? ", " : "",
                                slot_name(in, s, &sb));
    }
}

/*
 * People in a group whose slot they cannot make, told apart by why: they
 * can make no slot of the circle; they can make only slots where no group
 * meets (one issue per set of slots, named); they are locked there; the
 * groups meeting at times they can make are full; moving one there would
 * leave sizes more than one apart; or none of these (the plan could do
 * better).
 */
static void report_slots(struct issue_list *l, const struct mg_assign_input *in,
                         const int *group_of,
                         const struct mg_group_spec *groups, int n_groups,
                         const int *size)
{
    struct ilist none = {NULL, 0, 0}, locked = {NULL, 0, 0};
    struct ilist full = {NULL, 0, 0}, room = {NULL, 0, 0};
    struct ilist even = {NULL, 0, 0};
    struct misfit *unmet = NULL;
    struct count_buf cb;
    /* The smallest group meeting at each slot (INT_MAX: none), at any
     * time (a group without a slot), and of all. */
    int least[MG_GROUP_MAX_SLOTS], least_any = INT_MAX, smallest = INT_MAX;
    size_t i, j, n_unmet = 0, cap_unmet = 0;
    int g, s;

    for (s = 0; s < MG_GROUP_MAX_SLOTS; s++)
        least[s] = INT_MAX;
    for (g = 0; g < n_groups; g++) {
        int *at = groups[g].slot >= 0 ? &least[groups[g].slot] : &least_any;

        if (size[g] < *at)
            *at = size[g];
        if (size[g] < smallest)
            smallest = size[g];
    }
    for (i = 0; i < in->n_people; i++) {
        const struct mg_person *p = &in->people[i];
        uint32_t mask;
        int best = least_any, floor;

        if (group_of[i] < 0 || can_make(in, p, groups[group_of[i]].slot))
            continue;
        mask = person_mask(in, p);
        for (s = 0; s < in->n_slots; s++)
            if (((mask >> s) & 1u) && least[s] < best)
                best = least[s];
        /* The smallest group once they left theirs. */
        floor =
            size[group_of[i]] - 1 < smallest ? size[group_of[i]] - 1 : smallest;
        if (mask == 0) {
            ilist_push(&none, (int)i);
        } else if (best == INT_MAX) {
            if (n_unmet == cap_unmet) {
                cap_unmet = cap_unmet ? 2 * cap_unmet : 16;
                unmet = mg_xrealloc(unmet, cap_unmet * sizeof(*unmet));
            }
            unmet[n_unmet].mask = mask;
            unmet[n_unmet].who = (int)i;
            n_unmet++;
        } else if (p->locked && p->current == group_of[i]) {
            ilist_push(&locked, (int)i);
        } else if (best >= in->size_max) {
            ilist_push(&full, (int)i);
        } else if (best > floor) {
            ilist_push(&even, (int)i);
        } else {
            ilist_push(&room, (int)i);
        }
    }
    if (none.n)
        issue_add(l, "slot", none.v, none.n,
                  "%s can make no slot of this circle",
                  count_noun(&cb, none.n, "person", "people"));
    if (n_unmet)
        qsort(unmet, n_unmet, sizeof(*unmet), by_mask);
    for (i = 0; i < n_unmet; i = j) {
        struct ilist who = {NULL, 0, 0};
        char names[200];

        for (j = i; j < n_unmet && unmet[j].mask == unmet[i].mask; j++)
            ilist_push(&who, unmet[j].who);
        slot_list(names, sizeof(names), in, unmet[i].mask);
        issue_add(l, "slot", who.v, who.n,
                  "%s can make only %s where no group meets (%s)",
                  count_noun(&cb, who.n, "person", "people"),
                  __builtin_popcount(unmet[i].mask) == 1 ? "a slot" : "slots",
                  names);
        free(who.v);
    }
    if (locked.n)
        issue_add(l, "slot", locked.v, locked.n,
                  "%s locked in a group that meets at a time they cannot "
                  "make",
                  count_noun(&cb, locked.n, "person is", "people are"));
    if (full.n)
        issue_add(l, "slot", full.v, full.n,
                  "%s in a group that meets at a time they cannot make: the "
                  "groups meeting at times they can make are full",
                  count_noun(&cb, full.n, "person is", "people are"));
    if (even.n)
        issue_add(l, "slot", even.v, even.n,
                  "%s in a group that meets at a time they cannot make: "
                  "moving one to a group meeting at a time they can make "
                  "would leave group sizes more than one apart",
                  count_noun(&cb, even.n, "person is", "people are"));
    if (room.n)
        issue_add(l, "slot", room.v, room.n,
                  "%s in a group that meets at a time they cannot make, "
                  "though a group meeting at a time they can make has room",
                  count_noun(&cb, room.n, "person is", "people are"));
    free(unmet);
    free(none.v);
    free(locked.v);
    free(full.v);
    free(even.v);
    free(room.v);
}

static void report_pairs(struct issue_list *l, const struct mg_assign_input *in,
                         const int *group_of)
{
    struct name_buf na, nb;
    size_t i;

    for (i = 0; i < in->n_apart; i++) {
        int a = in->apart[i].a, b = in->apart[i].b;
        int ab[2] = {a, b};

        if (a == b) {
            issue_add(l, "apart", ab, 1,
                      "%s is asked to be apart from themselves",
                      pname(in, a, &na));
            continue;
        }
        if (group_of[a] >= 0 && group_of[a] == group_of[b])
            issue_add(l, "apart", ab, 2,
                      "%s and %s must be apart but share group %d",
                      pname(in, a, &na), pname(in, b, &nb), group_of[a] + 1);
    }
    for (i = 0; i < in->n_together; i++) {
        int a = in->together[i].a, b = in->together[i].b;
        int ab[2] = {a, b};

        if (a == b || (group_of[a] >= 0 && group_of[a] == group_of[b]))
            continue;
        if (pair_listed(in->apart, in->n_apart, a, b))
            issue_add(l, "together", ab, 2,
                      "%s and %s are asked to be both together and apart: "
                      "kept apart",
                      pname(in, a, &na), pname(in, b, &nb));
        else if (group_of[a] < 0 && group_of[b] < 0)
            issue_add(l, "together", ab, 2,
                      "%s and %s asked to be together but neither has a "
                      "group",
                      pname(in, a, &na), pname(in, b, &nb));
        else if (group_of[a] < 0 || group_of[b] < 0)
            issue_add(l, "together", ab, 2,
                      "%s and %s asked to be together but %s has no group",
                      pname(in, a, &na), pname(in, b, &nb),
                      group_of[a] < 0 ? pname(in, a, &na) : pname(in, b, &nb));
        else
            issue_add(l, "together", ab, 2,
                      "%s and %s asked to be together but are in groups %d "
                      "and %d",
                      pname(in, a, &na), pname(in, b, &nb), group_of[a] + 1,
                      group_of[b] + 1);
    }
}

void report_issues(struct issue_list *l, const struct mg_assign_input *in,
                   const int *group_of, const struct mg_group_spec *groups,
                   int n_groups)
{
    int *size = mg_xcalloc((size_t)n_groups + 1, sizeof(*size));
    int *fac = mg_xcalloc((size_t)n_groups + 1, sizeof(*fac));
    struct name_buf na;
    size_t i;

    for (i = 0; i < in->n_people; i++) {
        int g = group_of[i];

        if (g < 0)
            continue;
        size[g]++;
        fac[g] += in->people[i].facilitator != 0;
    }
    report_sizes(l, in, size, n_groups);
    report_facilitators(l, in, group_of, groups, n_groups, fac);
    report_slots(l, in, group_of, groups, n_groups, size);
    report_pairs(l, in, group_of);
    for (i = 0; i < in->n_people; i++) {
        const struct mg_person *p = &in->people[i];
        int who = (int)i;

        if (!p->locked || p->current < 0 || p->current == group_of[i])
            continue;
        if (p->current >= n_groups)
            issue_add(l, "locked", &who, 1,
                      "%s is locked in group %d, which does not exist",
                      pname(in, who, &na), p->current + 1);
        else
            issue_add(l, "locked", &who, 1,
                      "%s is locked in group %d but could not stay",
                      pname(in, who, &na), p->current + 1);
    }
    for (i = 0; i < in->n_people; i++) {
        int who = (int)i;

        if (group_of[i] < 0)
            issue_add(l, "unplaced", &who, 1, "%s has no group",
                      pname(in, who, &na));
    }
    free(size);
    free(fac);
}

const char *pname(const struct mg_assign_input *in, int i, struct name_buf *buf)
{
    if (in->names && i >= 0 && (size_t)i < in->n_people && in->names[i])
        return in->names[i];
    snprintf(buf->s, sizeof(buf->s), "person %d", i + 1);
    return buf->s;
}

const char *slot_name(const struct mg_assign_input *in, int s,
                      struct slot_buf *buf)
{
    if (s < 0)
        return "any time";
    if (in->slot_names && s < in->n_slots && in->slot_names[s])
        return in->slot_names[s];
    snprintf(buf->s, sizeof(buf->s), "slot %d", s + 1);
    return buf->s;
}

const char *count_noun(struct count_buf *buf, size_t n, const char *one,
                       const char *many)
{
    snprintf(buf->s, sizeof(buf->s), "%zu %s", n, n == 1 ? one : many);
    return buf->s;
}
