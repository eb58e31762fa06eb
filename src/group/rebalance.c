/*
 * rebalance.c: repairing an existing assignment (mg_group_rebalance)
 * with as few moves of already-placed people as possible.
 *
 * The search is iterative deepening on the number of moves k. A state is
 * the current assignment plus a stack of unplaced people; the first
 * defect found (someone in a slot they cannot make, an "apart" pair
 * sharing a group, a group over the size band, an unplaced person, a
 * group without a facilitator, a group under the band) is branched on in
 * every way some valid assignment could resolve it: lift one of the
 * people who must leave, place the unplaced person in each group, or
 * bring one person in. People placed by the search stay put. Every valid
 * assignment B reachable with k moves is reachable this way (each branch
 * set contains the choice B makes), so the first k with a solution is
 * the minimum, and each exhausted k proves a lower bound of k + 1. A node
 * budget keeps large, hard cases bounded; then newcomers are placed
 * greedily and what is still broken is reported.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#include "banned.h"

#define BUDGET 3000000LL /* search nodes and candidates looked at */
#define MAX_UNPLACED 128 /* beyond this, newcomers are placed greedily */

struct rb {
    const struct mg_assign_input *in;
    const struct mg_group_spec *spec;
    int n, g, lo, hi;
    int *group_of, *orig;
    unsigned char *fixed;     /* placed by the search: never lifted */
    unsigned char *slot_rule; /* the slot rule can apply to this person */
    unsigned char *fac_rule;  /* per group: the facilitator rule applies */
    int **mem, *mcap, *size, *pos;
    int *fac, *slotbad, *apartc;
    int *bad, *badpos, n_bad;    /* groups with a defect (indexed set) */
    int *room, *roompos, n_room; /* groups below hi (indexed set) */
    int *unp, n_unp;             /* unplaced people, a stack */
    struct adj apart;
    int *facs, n_facs;       /* all facilitators */
    int *movable, n_movable; /* placed at the start and not locked */
    int moves, k;
    long long work;
    int aborted, found;
    int *best;
};

static void set_put(int *set, int *pos, int *n, int g, int in_set)
{
    if (in_set && pos[g] < 0) {
        pos[g] = *n;
        set[(*n)++] = g;
    } else if (!in_set && pos[g] >= 0) {
        int last = set[--(*n)];

        set[pos[g]] = last;
        pos[last] = pos[g];
        pos[g] = -1;
    }
}

static int is_bad(const struct rb *s, int g)
{
    return s->size[g] < s->lo || s->size[g] > s->hi ||
           (s->fac_rule[g] && s->fac[g] == 0) || s->slotbad[g] > 0 ||
           s->apartc[g] > 0;
}

static void update_sets(struct rb *s, int g)
{
    set_put(s->bad, s->badpos, &s->n_bad, g, is_bad(s, g));
    set_put(s->room, s->roompos, &s->n_room, g, s->size[g] < s->hi);
}

static int slot_broken(const struct rb *s, int p, int g)
{
    return s->slot_rule[p] &&
           !can_make(s->in, &s->in->people[p], s->spec[g].slot);
}

static int partners_in(const struct rb *s, int p, int g)
{
    int c = 0;
    size_t i;

    for (i = s->apart.start[p]; i < s->apart.start[p + 1]; i++)
        c += s->group_of[s->apart.to[i]] == g;
    return c;
}

static void add(struct rb *s, int p, int g)
{
    if (s->size[g] == s->mcap[g]) {
        s->mcap[g] = s->mcap[g] ? 2 * s->mcap[g] : 8;
        s->mem[g] = mg_xrealloc(s->mem[g], (size_t)s->mcap[g] * sizeof(int));
    }
    s->apartc[g] += partners_in(s, p, g);
    s->pos[p] = s->size[g];
    s->mem[g][s->size[g]++] = p;
    s->group_of[p] = g;
    s->fac[g] += s->in->people[p].facilitator != 0;
    s->slotbad[g] += slot_broken(s, p, g);
    update_sets(s, g);
}

static void del(struct rb *s, int p)
{
    int g = s->group_of[p], last = s->mem[g][s->size[g] - 1];

    s->mem[g][s->pos[p]] = last;
    s->pos[last] = s->pos[p];
    s->size[g]--;
    s->group_of[p] = -1;
    s->apartc[g] -= partners_in(s, p, g);
    s->fac[g] -= s->in->people[p].facilitator != 0;
    s->slotbad[g] -= slot_broken(s, p, g);
    update_sets(s, g);
}

static int liftable(const struct rb *s, int p)
{
    return s->group_of[p] >= 0 && !s->fixed[p] && !s->in->people[p].locked;
}

/* Moves still needed from here; see the file comment and lower_bound(). */
static int state_bound(const struct rb *s)
{
    long long lifts = 0, deficit = 0, nofac = 0, unp_fac = 0;
    int i, j;

    for (i = 0; i < s->n_bad; i++) {
        int g = s->bad[i], need = 0, can = 0;

        if (s->size[g] > s->hi)
            need = s->size[g] - s->hi;
        if (s->slotbad[g] > need)
            need = s->slotbad[g];
        if (s->apartc[g] > 0 && need == 0)
            need = 1;
        if (need > 0) {
            for (j = 0; j < s->size[g]; j++)
                can += liftable(s, s->mem[g][j]);
            if (can < need)
                return 1 << 29; /* nobody who could leave may */
        }
        lifts += need;
        if (s->size[g] < s->lo)
            deficit += s->lo - s->size[g];
        nofac += s->fac_rule[g] && s->fac[g] == 0;
    }
    for (i = 0; i < s->n_unp; i++)
        unp_fac += s->in->people[s->unp[i]].facilitator != 0;
    deficit -= s->n_unp;
    nofac -= unp_fac;
    if (deficit > lifts)
        lifts = deficit;
    if (nofac > lifts)
        lifts = nofac;
    return (int)lifts;
}

static int dfs(struct rb *s);

static int lift_and_search(struct rb *s, int y)
{
    int g = s->group_of[y], r;

    del(s, y);
    s->unp[s->n_unp++] = y;
    s->moves++;
    r = dfs(s);
    s->moves--;
    s->n_unp--;
    add(s, y, g);
    return r;
}

/* Move original y straight into g (where some defect needs it). */
static int bring_and_search(struct rb *s, int y, int g)
{
    int from = s->group_of[y], r;

    del(s, y);
    add(s, y, g);
    s->fixed[y] = 1;
    s->moves++;
    r = dfs(s);
    s->moves--;
    s->fixed[y] = 0;
    del(s, y);
    add(s, y, from);
    return r;
}

/* Lower key = tried first: smaller groups, wished threads, fewer peers. */
static long long place_key(const struct rb *s, int p, int g)
{
    const struct mg_person *pp = &s->in->people[p];
    long long rank = pp->n_wishes ? MG_GROUP_MAX_WISHES : 0, same = 0;
    int w, j;

    for (w = 0; w < pp->n_wishes; w++) {
        if (pp->wishes[w] == s->spec[g].thread) {
            rank = w;
            break;
        }
    }
    for (j = 0; j < s->size[g]; j++) {
        const struct mg_person *q = &s->in->people[s->mem[g][j]];

        same += (pp->sector >= 0 && q->sector == pp->sector) +
                (pp->region >= 0 && q->region == pp->region);
    }
    return ((long long)s->size[g] << 40) | (rank << 32) | same;
}

struct cand {
    long long key;
    int g;
};

static int cand_cmp(const void *x, const void *y)
{
    const struct cand *a = x, *b = y;

    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return (a->g > b->g) - (a->g < b->g);
}

static int place_and_search(struct rb *s)
{
    int p = s->unp[--s->n_unp], i, r = 0, n = 0;
    int spare = s->moves < s->k;
    struct cand *cand = mg_xmalloc(((size_t)s->g + 1) * sizeof(*cand));

    /*
     * With no move left to spend, only a group with room and no apart
     * partner can take p: anything else needs someone lifted.
     */
    for (i = 0; i < s->n_room; i++) {
        int g = s->room[i];

        if (g != s->orig[p] && !slot_broken(s, p, g) &&
            (spare || partners_in(s, p, g) == 0)) {
            cand[n].key = place_key(s, p, g);
            cand[n++].g = g;
        }
    }
    s->work += s->n_room;
    qsort(cand, (size_t)n, sizeof(*cand), cand_cmp);
    for (i = 0; i < n && !r && !s->aborted; i++) {
        add(s, p, cand[i].g);
        s->fixed[p] = 1;
        r = dfs(s);
        s->fixed[p] = 0;
        del(s, p);
    }
    /* Then full groups, each of which will have to let someone go. */
    for (i = 0; i < s->g && spare && !r && !s->aborted; i++) {
        if (s->roompos[i] >= 0 || i == s->orig[p] || slot_broken(s, p, i))
            continue;
        s->work++;
        add(s, p, i);
        s->fixed[p] = 1;
        r = dfs(s);
        s->fixed[p] = 0;
        del(s, p);
    }
    s->unp[s->n_unp++] = p;
    free(cand);
    return r;
}

static int fix_group(struct rb *s, int g)
{
    int *copy, i, n, r = 0;

    if (s->slotbad[g] > 0) {
        for (i = 0; i < s->size[g]; i++) {
            int y = s->mem[g][i];

            if (slot_broken(s, y, g))
                return liftable(s, y) ? lift_and_search(s, y) : 0;
        }
    }
    if (s->apartc[g] > 0) {
        for (i = 0; i < s->size[g]; i++) {
            int y = s->mem[g][i], z = -1;
            size_t j;

            for (j = s->apart.start[y]; j < s->apart.start[y + 1]; j++) {
                if (s->group_of[s->apart.to[j]] == g)
                    z = s->apart.to[j];
            }
            if (z < 0)
                continue;
            if (liftable(s, y))
                r = lift_and_search(s, y);
            if (!r && liftable(s, z))
                r = lift_and_search(s, z);
            return r;
        }
    }
    if (s->size[g] > s->hi) {
        n = s->size[g];
        copy = mg_xmalloc((size_t)n * sizeof(*copy));
        memcpy(copy, s->mem[g], (size_t)n * sizeof(*copy));
        for (i = 0; i < n && !r && !s->aborted; i++) {
            if (liftable(s, copy[i]))
                r = lift_and_search(s, copy[i]);
        }
        free(copy);
        return r;
    }
    return -1; /* nothing of this kind here */
}

static int fill_group(struct rb *s, int g)
{
    const int *from;
    int i, n, r = 0, need_fac = s->fac_rule[g] && s->fac[g] == 0;

    if (!need_fac && s->size[g] >= s->lo)
        return -1;
    from = need_fac ? s->facs : s->movable;
    n = need_fac ? s->n_facs : s->n_movable;
    for (i = 0; i < n && !r && !s->aborted; i++) {
        int y = from[i];

        s->work++;
        if (!liftable(s, y) || s->group_of[y] == g || slot_broken(s, y, g))
            continue;
        r = bring_and_search(s, y, g);
    }
    return r;
}

static int dfs(struct rb *s)
{
    int i, r;

    if (++s->work > BUDGET) {
        s->aborted = 1;
        return 0;
    }
    if (s->moves + state_bound(s) > s->k)
        return 0;
    if (s->n_unp == 0 && s->n_bad == 0) {
        memcpy(s->best, s->group_of, (size_t)s->n * sizeof(int));
        s->found = 1;
        return 1;
    }
    for (i = 0; i < s->n_bad; i++) {
        r = fix_group(s, s->bad[i]);
        if (r >= 0)
            return r;
    }
    if (s->n_unp > 0)
        return place_and_search(s);
    for (i = 0; i < s->n_bad; i++) {
        r = fill_group(s, s->bad[i]);
        if (r >= 0)
            return r;
    }
    return 0;
}

/* Greedy home for a newcomer: room, a slot they make, no apart partner. */
static int greedy_group(const struct rb *s, int p, int strict)
{
    int g, best = -1;
    long long best_key = 0;

    for (g = 0; g < s->g; g++) {
        long long key;

        if (strict && (s->size[g] >= s->hi || slot_broken(s, p, g) ||
                       partners_in(s, p, g) > 0))
            continue;
        key = ((long long)slot_broken(s, p, g) << 62) |
              ((long long)(partners_in(s, p, g) > 0) << 61) |
              place_key(s, p, g);
        if (best < 0 || key < best_key) {
            best = g;
            best_key = key;
        }
    }
    return best;
}

static void rb_init(struct rb *s, const struct mg_assign_input *in)
{
    size_t n = in->n_people, i;
    struct mg_pair *pairs = mg_xmalloc((in->n_apart + 1) * sizeof(*pairs));
    size_t n_pairs = 0, n_fac = 0;
    uint32_t used = 0, fac_slots = 0;
    int g, p, any_slot = 0, fac_any = 0;

    memset(s, 0, sizeof(*s));
    s->in = in;
    s->spec = in->groups;
    s->n = (int)n;
    s->g = in->n_groups;
    s->lo = s->n / s->g;
    s->hi = (s->n + s->g - 1) / s->g;
    s->group_of = mg_xmalloc((n + 1) * sizeof(int));
    s->orig = mg_xmalloc((n + 1) * sizeof(int));
    s->best = mg_xmalloc((n + 1) * sizeof(int));
    s->pos = mg_xmalloc((n + 1) * sizeof(int));
    s->fixed = mg_xcalloc(n + 1, 1);
    s->slot_rule = mg_xcalloc(n + 1, 1);
    s->fac_rule = mg_xcalloc((size_t)s->g, 1);
    s->mem = mg_xcalloc((size_t)s->g, sizeof(int *));
    s->mcap = mg_xcalloc((size_t)s->g, sizeof(int));
    s->size = mg_xcalloc((size_t)s->g, sizeof(int));
    s->fac = mg_xcalloc((size_t)s->g, sizeof(int));
    s->slotbad = mg_xcalloc((size_t)s->g, sizeof(int));
    s->apartc = mg_xcalloc((size_t)s->g, sizeof(int));
    s->bad = mg_xmalloc((size_t)s->g * sizeof(int));
    s->badpos = mg_xmalloc((size_t)s->g * sizeof(int));
    s->room = mg_xmalloc((size_t)s->g * sizeof(int));
    s->roompos = mg_xmalloc((size_t)s->g * sizeof(int));
    s->unp = mg_xmalloc((n + 1) * sizeof(int));
    s->facs = mg_xmalloc((n + 1) * sizeof(int));
    s->movable = mg_xmalloc((n + 1) * sizeof(int));
    for (g = 0; g < s->g; g++)
        s->badpos[g] = s->roompos[g] = -1;
    /* Rules no assignment can meet are left out of the search. */
    for (i = 0; i < in->n_apart; i++) {
        const struct mg_person *a = &in->people[in->apart[i].a];
        const struct mg_person *b = &in->people[in->apart[i].b];

        if (a->locked && b->locked && a->current >= 0 &&
            a->current == b->current)
            continue;
        pairs[n_pairs++] = in->apart[i];
    }
    adj_build(&s->apart, n, pairs, n_pairs);
    free(pairs);
    /* Which slots the groups use, and which a facilitator can make. */
    for (g = 0; g < s->g; g++) {
        if (s->spec[g].slot < 0)
            any_slot = 1;
        else
            used |= (uint32_t)1 << s->spec[g].slot;
    }
    for (i = 0; i < n; i++) {
        const struct mg_person *pp = &in->people[i];
        uint32_t m = person_mask(in, pp);
        int any = any_slot || (m & used) || in->n_slots == 0;

        s->slot_rule[i] =
            any && !(pp->locked && pp->current >= 0 &&
                     !can_make(in, pp, s->spec[pp->current].slot));
        if (pp->facilitator) {
            s->facs[s->n_facs++] = (int)i;
            fac_slots |= m;
            fac_any = 1;
        }
        n_fac += pp->facilitator != 0;
    }
    for (g = 0; g < s->g && n_fac >= (size_t)s->g; g++)
        s->fac_rule[g] = s->spec[g].slot < 0
                             ? fac_any
                             : (int)((fac_slots >> s->spec[g].slot) & 1);
    for (i = 0; i < n; i++) {
        s->group_of[i] = -1;
        s->orig[i] = in->people[i].current;
    }
    for (i = 0; i < n; i++) {
        if (s->orig[i] < 0)
            continue;
        add(s, (int)i, s->orig[i]);
        if (!in->people[i].locked)
            s->movable[s->n_movable++] = (int)i;
    }
    for (g = 0; g < s->g; g++)
        update_sets(s, g);
    for (p = s->n - 1; p >= 0; p--) {
        if (s->orig[p] < 0)
            s->unp[s->n_unp++] = p;
    }
}

static void rb_release(struct rb *s)
{
    int g;

    for (g = 0; g < s->g; g++)
        free(s->mem[g]);
    free(s->mem);
    free(s->mcap);
    free(s->size);
    free(s->fac);
    free(s->slotbad);
    free(s->apartc);
    free(s->bad);
    free(s->badpos);
    free(s->room);
    free(s->roompos);
    free(s->unp);
    free(s->facs);
    free(s->movable);
    free(s->group_of);
    free(s->orig);
    free(s->best);
    free(s->pos);
    free(s->fixed);
    free(s->slot_rule);
    free(s->fac_rule);
    adj_release(&s->apart);
}

int mg_group_rebalance(struct mg_assign_result *out,
                       const struct mg_assign_input *in)
{
    struct rb s;
    struct issue_list issues = {NULL, 0, 0};
    int rc, i, lb0, proven = 0;

    memset(out, 0, sizeof(*out));
    rc = input_check(in, in ? in->n_groups : 0);
    if (rc < 0)
        return rc;
    if (in->n_groups <= 0)
        return MG_EINVAL; /* nothing to rebalance; plan() chooses groups */
    rb_init(&s, in);
    /* Many newcomers at once: seat those that fit directly. */
    while (s.n_unp > MAX_UNPLACED) {
        int p = s.unp[--s.n_unp];
        int g = greedy_group(&s, p, 1);

        add(&s, p, g >= 0 ? g : greedy_group(&s, p, 0));
        s.fixed[p] = 1;
    }
    lb0 = state_bound(&s);
    if (lb0 > s.n_movable)
        lb0 = s.n_movable;
    proven = lb0;
    for (s.k = lb0; s.k <= s.n_movable; s.k++) {
        if (dfs(&s) || s.aborted)
            break;
        proven = s.k + 1;
    }
    if (!s.found) {
        /* Best effort: nobody moves, newcomers go where they hurt least. */
        while (s.n_unp > 0) {
            int p = s.unp[--s.n_unp];

            add(&s, p, greedy_group(&s, p, 0));
            s.fixed[p] = 1;
        }
        memcpy(s.best, s.group_of, (size_t)s.n * sizeof(int));
    }
    out->group_of = s.best;
    s.best = NULL;
    for (i = 0; i < s.n; i++)
        out->moves += s.orig[i] >= 0 && out->group_of[i] != s.orig[i];
    out->moves_lower_bound = (size_t)(proven > lb0 ? proven : lb0);
    out->n_groups = in->n_groups;
    out->groups = mg_xmalloc((size_t)in->n_groups * sizeof(*out->groups));
    memcpy(out->groups, in->groups,
           (size_t)in->n_groups * sizeof(*out->groups));
    report_issues(&issues, in, out->group_of, out->groups, out->n_groups);
    mg_group_evaluate(&out->quality, in, out->group_of, out->groups,
                      out->n_groups);
    out->issues = issues.v;
    out->n_issues = issues.n;
    rb_release(&s);
    return 0;
}
