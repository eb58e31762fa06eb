/*
 * plan.c: placing a whole circle (mg_group_plan). Chooses how many groups
 * there are and their slots and threads, builds a first assignment that
 * respects slots and deals sectors and regions evenly, then improves it by
 * a bounded local search of moves and swaps scored from per-group counts,
 * so each step costs O(sectors + regions + pairs of the person), never
 * O(N). Reporting what is still unmet is common.c's job.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#include "banned.h"

/*
 * Weights of the objective. Hard rules outweigh any amount of quality;
 * among quality terms, the order is the header's: sector and region
 * balance, then "together" pairs, then wishes by rank.
 */
#define W_HARD 1000000LL
#define W_SEC 1000LL
#define W_REG 200LL
#define W_TOG 300LL
#define W_WISH 20LL

/* A "bucket" is a slot value a group can have: slot + 1, 0 meaning any. */
#define MAX_BUCKETS (MG_GROUP_MAX_SLOTS + 1)

struct ls {
    const struct mg_assign_input *in;
    const struct mg_group_spec *spec;
    int n, g, lo, hi, ns, nr, cap;
    /*
     * Facilitators who could lead a group without one: facb[g * nb + b]
     * counts g's facilitators able to make bucket b, and spare[b] the
     * groups with two or more facilitators, one of whom can make b.
     */
    int nb;
    int *facb;
    int spare[MAX_BUCKETS];
    int *group_of;
    int *size, *fac, *sec, *reg; /* per group; sec[g * ns + v] */
    long long *tot_sec, *tot_reg;
    long long *cost;       /* cached group_cost() of each group */
    long long *pcost;      /* cached person_cost() where each person is */
    unsigned char *paired; /* nonzero: in an apart or together pair */
    int *blo, *bhi;        /* band_tables() */
    int *mem, *pos;        /* members of g: mem[g * cap + 0 .. size - 1] */
    struct adj apart, together;
    int *bucket_start, *bucket_groups; /* groups of each bucket */
    int *thread_start, *thread_groups; /* groups of each thread */
    struct rng rng;
};

static uint64_t bucket_mask(const struct mg_assign_input *in,
                            const struct mg_person *p)
{
    uint64_t m = 1; /* a group without a slot suits everyone */
    int s;

    for (s = 0; s < in->n_slots; s++) {
        if (can_make(in, p, s))
            m |= (uint64_t)1 << (s + 1);
    }
    return m;
}

static long long dist(int count, int lo, int hi)
{
    if (count < lo)
        return lo - count;
    if (count > hi)
        return count - hi;
    return 0;
}

/* How much further outside [lo, hi] a count gets when it changes by dc. */
static long long step(int count, int dc, int lo, int hi)
{
    return dist(count + dc, lo, hi) - dist(count, lo, hi);
}

/*
 * The band of every sector and region for every group size the search
 * can meet, worked out once so that scoring a step needs no division.
 * Values 0..ns-1 are sectors, ns..ns+nr-1 regions.
 */
static void band_tables(struct ls *s)
{
    int nv = s->ns + s->nr, z, v;

    s->blo = mg_xcalloc((size_t)(s->cap + 2) * nv + 1, sizeof(int));
    s->bhi = mg_xcalloc((size_t)(s->cap + 2) * nv + 1, sizeof(int));
    for (z = 0; z <= s->cap + 1 && s->n > 0; z++) {
        for (v = 0; v < nv; v++) {
            long long nvv = v < s->ns ? s->tot_sec[v] : s->tot_reg[v - s->ns];

            s->blo[z * nv + v] = (int)(nvv * z / s->n);
            s->bhi[z * nv + v] = (int)((nvv * z + s->n - 1) / s->n);
        }
    }
}

static long long group_cost(const struct ls *s, int g)
{
    long long c = s->fac[g] == 0 ? W_HARD : 0;
    int nv = s->ns + s->nr, v;
    const int *lo = &s->blo[s->size[g] * nv], *hi = &s->bhi[s->size[g] * nv];

    for (v = 0; v < s->ns; v++)
        c += W_SEC * dist(s->sec[g * s->ns + v], lo[v], hi[v]);
    for (v = 0; v < s->nr; v++)
        c += W_REG * dist(s->reg[g * s->nr + v], lo[s->ns + v], hi[s->ns + v]);
    return c;
}

/* Cost change of g when `out` leaves and `in` joins: size stays put. */
static long long swap_group_delta(const struct ls *s, int g, int out, int in)
{
    const struct mg_person *po = &s->in->people[out], *pi = &s->in->people[in];
    int nv = s->ns + s->nr, f = s->fac[g];
    const int *lo = &s->blo[s->size[g] * nv], *hi = &s->bhi[s->size[g] * nv];
    int f2 = f - (po->facilitator != 0) + (pi->facilitator != 0);
    long long d = W_HARD * ((f2 == 0) - (f == 0));

    if (po->sector != pi->sector) {
        const int *row = &s->sec[g * s->ns];

        if (po->sector >= 0)
            d += W_SEC *
                 step(row[po->sector], -1, lo[po->sector], hi[po->sector]);
        if (pi->sector >= 0)
            d += W_SEC *
                 step(row[pi->sector], 1, lo[pi->sector], hi[pi->sector]);
    }
    if (po->region != pi->region) {
        const int *row = &s->reg[g * s->nr];

        lo += s->ns;
        hi += s->ns;
        if (po->region >= 0)
            d += W_REG *
                 step(row[po->region], -1, lo[po->region], hi[po->region]);
        if (pi->region >= 0)
            d += W_REG *
                 step(row[pi->region], 1, lo[pi->region], hi[pi->region]);
    }
    return d;
}

static long long wish_cost(const struct mg_person *p, int thread)
{
    int w;

    if (p->n_wishes == 0)
        return 0;
    for (w = 0; w < p->n_wishes; w++) {
        if (p->wishes[w] == thread)
            return W_WISH * w;
    }
    return W_WISH * (MG_GROUP_MAX_WISHES + 1);
}

static long long person_cost(const struct ls *s, int p, int g)
{
    const struct mg_person *pp = &s->in->people[p];
    long long c = wish_cost(pp, s->spec[g].thread);

    if (!can_make(s->in, pp, s->spec[g].slot))
        c += W_HARD;
    return c;
}

/* Whether group g has a facilitator to spare who can make bucket b. */
static int spare_for(const struct ls *s, int g, int b)
{
    return s->fac[g] >= 2 && s->facb[g * s->nb + b] > 0;
}

/* Change g's counts as if p joined (d = 1) or left (d = -1). */
static void touch(struct ls *s, int g, int p, int d)
{
    const struct mg_person *pp = &s->in->people[p];

    s->size[g] += d;
    if (pp->facilitator) {
        uint64_t m = bucket_mask(s->in, pp);
        int b;

        for (b = 0; b < s->nb; b++)
            s->spare[b] -= spare_for(s, g, b);
        s->fac[g] += d;
        for (b = 0; b < s->nb; b++) {
            s->facb[g * s->nb + b] += (int)((m >> b) & 1) * d;
            s->spare[b] += spare_for(s, g, b);
        }
    }
    if (pp->sector >= 0)
        s->sec[g * s->ns + pp->sector] += d;
    if (pp->region >= 0)
        s->reg[g * s->nr + pp->region] += d;
}

/*
 * Pair terms when p goes from a to b while `swap` (or -1) goes from b to
 * a. The pair (p, swap) itself stays split, so it is skipped.
 */
static long long pair_delta(const struct ls *s, int p, int a, int b, int swap)
{
    long long d = 0;
    size_t i;

    if (!s->paired[p])
        return 0;
    for (i = s->apart.start[p]; i < s->apart.start[p + 1]; i++) {
        int q = s->apart.to[i], gq = s->group_of[q];

        if (q == swap)
            continue;
        d += W_HARD * ((gq == b) - (gq == a));
    }
    for (i = s->together.start[p]; i < s->together.start[p + 1]; i++) {
        int q = s->together.to[i], gq = s->group_of[q];

        if (q == swap)
            continue;
        d += W_TOG * ((gq != b) - (gq != a));
    }
    return d;
}

static long long delta_move(struct ls *s, int p, int b)
{
    int a = s->group_of[p];
    long long d;

    touch(s, a, p, -1);
    touch(s, b, p, 1);
    d = group_cost(s, a) - s->cost[a] + group_cost(s, b) - s->cost[b];
    touch(s, b, p, -1);
    touch(s, a, p, 1);
    return d + person_cost(s, p, b) - s->pcost[p] + pair_delta(s, p, a, b, -1);
}

static long long delta_swap(struct ls *s, int p, int q)
{
    int a = s->group_of[p], b = s->group_of[q];
    long long d = swap_group_delta(s, a, p, q) + swap_group_delta(s, b, q, p);

    d += person_cost(s, p, b) - s->pcost[p];
    d += person_cost(s, q, a) - s->pcost[q];
    return d + pair_delta(s, p, a, b, q) + pair_delta(s, q, b, a, p);
}

static void member_add(struct ls *s, int p, int g)
{
    s->pos[p] = s->size[g];
    s->mem[g * s->cap + s->size[g]] = p;
    s->group_of[p] = g;
    s->pcost[p] = person_cost(s, p, g);
    touch(s, g, p, 1);
}

static void member_remove(struct ls *s, int p)
{
    int g = s->group_of[p], last = s->mem[g * s->cap + s->size[g] - 1];

    s->mem[g * s->cap + s->pos[p]] = last;
    s->pos[last] = s->pos[p];
    touch(s, g, p, -1);
    s->group_of[p] = -1;
}

static void apply_move(struct ls *s, int p, int b)
{
    int a = s->group_of[p];

    member_remove(s, p);
    member_add(s, p, b);
    s->cost[a] = group_cost(s, a);
    s->cost[b] = group_cost(s, b);
}

/* A random group whose slot p can make (any group if there is none). */
static int random_group_for(struct ls *s, uint64_t mask)
{
    int b, n = 0, pick;
    int choice[MAX_BUCKETS];

    for (b = 0; b < MAX_BUCKETS; b++) {
        if (((mask >> b) & 1) && s->bucket_start[b + 1] > s->bucket_start[b])
            choice[n++] = b;
    }
    if (n == 0)
        return (int)rng_below(&s->rng, (size_t)s->g);
    b = choice[rng_below(&s->rng, (size_t)n)];
    pick = s->bucket_start[b] +
           (int)rng_below(
               &s->rng, (size_t)(s->bucket_start[b + 1] - s->bucket_start[b]));
    return s->bucket_groups[pick];
}

/*
 * Whether p is worth trying to move. At level 0 only people in a group
 * that breaks a rule or misses a sector/region band, or who break a hard
 * rule themselves; at level 1 also those short of their first wish or
 * apart from a "together" partner.
 */
static int is_hot(const struct ls *s, int p, int level)
{
    int a = s->group_of[p];
    long long cost = s->cost[a];
    size_t i;

    /*
     * A group without a facilitator can only get one from a group that
     * has two, one of whom can make its slot. When none has (too few
     * facilitators for the groups, or none to spare who can make this
     * slot), no move can mend it: its members are worth a try only for
     * what else their group misses.
     */
    if (s->fac[a] == 0 && s->spare[s->spec[a].slot + 1] == 0)
        cost -= W_HARD;
    if (cost > 0 || s->pcost[p] >= W_HARD)
        return 1;
    for (i = s->apart.start[p]; i < s->apart.start[p + 1]; i++) {
        if (s->group_of[s->apart.to[i]] == a)
            return 1;
    }
    if (level == 0)
        return 0;
    if (s->pcost[p] > 0)
        return 1;
    for (i = s->together.start[p]; i < s->together.start[p + 1]; i++) {
        if (s->group_of[s->together.to[i]] != a)
            return 1;
    }
    return 0;
}

#define N_CANDIDATES 4
#define N_SWAP_TRIES 3

/* Try a few moves and swaps for p; make the best if it helps. */
static int improve(struct ls *s, int p)
{
    const struct mg_person *pp = &s->in->people[p];
    uint64_t mask = bucket_mask(s->in, pp);
    int a = s->group_of[p], best_b = -1, best_q = -1, c, t, n_want;
    int want[N_SWAP_TRIES];
    long long best = 0;

    for (c = 0; c < N_CANDIDATES; c++) {
        int b = -1;

        if (c == 2 && pp->n_wishes > 0 && s->spec[a].thread != pp->wishes[0]) {
            int th = pp->wishes[0];
            int n = s->thread_start[th + 1] - s->thread_start[th];

            if (n > 0)
                b = s->thread_groups[s->thread_start[th] +
                                     (int)rng_below(&s->rng, (size_t)n)];
        } else if (c == 3 && s->together.start[p + 1] > s->together.start[p]) {
            size_t n = s->together.start[p + 1] - s->together.start[p];

            b = s->group_of[s->together.to[s->together.start[p] +
                                           rng_below(&s->rng, n)]];
        }
        if (b < 0)
            b = random_group_for(s, mask);
        if (b == a)
            continue;
        if (s->size[a] - 1 >= s->lo && s->size[b] + 1 <= s->hi) {
            long long d = delta_move(s, p, b);

            if (d < best) {
                best = d;
                best_b = b;
                best_q = -1;
            }
        }
        /*
         * In a group of p's first-wished thread, whoever there is short
         * of their own first wish is the likely partner of a swap that
         * helps both; the others are drawn at random.
         */
        n_want = 0;
        if (c == 2 && s->size[b] > 0) {
            const int *m = &s->mem[b * s->cap];
            int from = (int)rng_below(&s->rng, (size_t)s->size[b]);

            for (t = 0; t < s->size[b] && n_want < N_SWAP_TRIES; t++) {
                int q = m[(from + t) % s->size[b]];

                if (s->pcost[q] > 0)
                    want[n_want++] = q;
            }
        }
        for (t = 0; t < N_SWAP_TRIES && s->size[b] > 0; t++) {
            int q = t < n_want
                        ? want[t]
                        : s->mem[b * s->cap +
                                 (int)rng_below(&s->rng, (size_t)s->size[b])];
            long long d;

            if (s->in->people[q].locked)
                continue;
            d = delta_swap(s, p, q);
            if (d < best) {
                best = d;
                best_b = b;
                best_q = q;
            }
        }
    }
    if (best_b < 0)
        return 0;
    if (best_q >= 0)
        apply_move(s, best_q, a);
    apply_move(s, p, best_b);
    return 1;
}

#define IDLE_PASSES 3

static void local_search(struct ls *s)
{
    int *order = mg_xmalloc(((size_t)s->n + 1) * sizeof(*order));
    int n = 0, i, pass, max_passes, level, idle;

    for (i = 0; i < s->n; i++) {
        if (!s->in->people[i].locked || s->in->people[i].current < 0 ||
            s->in->people[i].current >= s->g)
            order[n++] = i;
    }
    /*
     * Small circles get many passes (cheap, and quality matters most to
     * a coordinator looking at 16 names); large ones a bounded number,
     * so the whole run stays linear in N. The first passes look only at
     * people in groups that break a rule or a band (few, once the
     * construction has dealt sectors out), the later ones at everyone
     * who could be happier.
     */
    max_passes = s->n <= 2000 ? 100 : 40;
    for (level = 0; level < 2; level++) {
        idle = 0;
        for (pass = 0; pass < max_passes && n > 1; pass++) {
            int improved = 0, hot = 0;

            for (i = n - 1; i > 0; i--) {
                int j = (int)rng_below(&s->rng, (size_t)i + 1);
                int tmp = order[i];

                order[i] = order[j];
                order[j] = tmp;
            }
            for (i = 0; i < n; i++) {
                if (!is_hot(s, order[i], level))
                    continue;
                hot++;
                improved += improve(s, order[i]);
            }
            /*
             * A few misses left can take several passes of random draws;
             * wishes stop once a few passes in a row find nothing.
             */
            idle = improved ? 0 : idle + 1;
            if (hot == 0 || (idle >= IDLE_PASSES && level == 1))
                break;
        }
        if (s->n > 2000)
            max_passes = 12;
    }
    free(order);
}

/*
 * How many groups use each bucket. First cover: the slot that the most
 * not-yet-covered people can make, until everyone can make some chosen
 * slot; then share the remaining groups out by demand (each person
 * counted fractionally over the chosen slots they can make), D'Hondt
 * style, preferring slots that still have a facilitator to spare.
 */
static void choose_slot_counts(int *k, const struct mg_assign_input *in, int g)
{
    size_t n = in->n_people, i;
    unsigned char *covered = mg_xcalloc(n + 1, 1);
    double load[MG_GROUP_MAX_SLOTS];
    long long cnt[MG_GROUP_MAX_SLOTS], able_fac[MG_GROUP_MAX_SLOTS];
    uint32_t chosen = 0;
    int used = 0, s;

    memset(k, 0, MAX_BUCKETS * sizeof(*k));
    if (in->n_slots == 0) {
        k[0] = g;
        goto out;
    }
    memset(able_fac, 0, sizeof(able_fac));
    for (i = 0; i < n; i++) {
        uint32_t m = person_mask(in, &in->people[i]);

        for (s = 0; s < in->n_slots && in->people[i].facilitator; s++)
            able_fac[s] += (m >> s) & 1;
    }
    while (used < g) {
        int best = -1;

        memset(cnt, 0, sizeof(cnt));
        for (i = 0; i < n; i++) {
            uint32_t m = person_mask(in, &in->people[i]);

            for (s = 0; s < in->n_slots && !covered[i]; s++)
                cnt[s] += (m >> s) & 1;
        }
        for (s = 0; s < in->n_slots; s++) {
            if (cnt[s] == 0)
                continue;
            if (best < 0 || cnt[s] > cnt[best] ||
                (cnt[s] == cnt[best] && able_fac[s] > able_fac[best]))
                best = s;
        }
        if (best < 0)
            break;
        k[best + 1]++;
        chosen |= (uint32_t)1 << best;
        used++;
        for (i = 0; i < n; i++)
            covered[i] |= (person_mask(in, &in->people[i]) >> best) & 1;
    }
    if (chosen == 0) {
        chosen = 1;
        k[1]++;
        used++;
    }
    memset(load, 0, sizeof(load));
    for (i = 0; i < n; i++) {
        uint32_t m = person_mask(in, &in->people[i]) & chosen;
        int c = __builtin_popcount(m);

        for (s = 0; s < in->n_slots && c > 0; s++) {
            if ((m >> s) & 1)
                load[s] += 1.0 / c;
        }
    }
    for (; used < g; used++) {
        int best = -1, best_spare = 0;

        for (s = 0; s < in->n_slots; s++) {
            int spare;

            if (!((chosen >> s) & 1))
                continue;
            spare = able_fac[s] > k[s + 1];
            if (best < 0 || spare > best_spare ||
                (spare == best_spare &&
                 load[s] / (k[s + 1] + 1) > load[best] / (k[best + 1] + 1))) {
                best = s;
                best_spare = spare;
            }
        }
        k[best + 1]++;
    }
out:
    free(covered);
}

/*
 * Give each group a slot from the counts. Groups holding locked people
 * choose first, the slot most of those people can make.
 */
static void assign_slots(struct mg_group_spec *spec,
                         const struct mg_assign_input *in, const int *k_in,
                         int g)
{
    int k[MAX_BUCKETS], *locked_in = mg_xcalloc((size_t)g, sizeof(int));
    size_t i;
    int gi, b;

    memcpy(k, k_in, sizeof(k));
    for (i = 0; i < in->n_people; i++) {
        int c = in->people[i].current;

        if (in->people[i].locked && c >= 0 && c < g)
            locked_in[c] = 1;
    }
    for (gi = 0; gi < g; gi++)
        spec[gi].slot = -2;
    for (gi = 0; gi < g; gi++) {
        int best = -1, best_n = -1;

        if (!locked_in[gi])
            continue;
        for (b = 0; b < MAX_BUCKETS; b++) {
            int able = 0;

            if (k[b] == 0)
                continue;
            for (i = 0; i < in->n_people; i++) {
                const struct mg_person *p = &in->people[i];

                able += p->locked && p->current == gi && can_make(in, p, b - 1);
            }
            if (able > best_n) {
                best = b;
                best_n = able;
            }
        }
        spec[gi].slot = best - 1;
        k[best]--;
    }
    b = 0;
    for (gi = 0; gi < g; gi++) {
        if (spec[gi].slot != -2)
            continue;
        while (k[b] == 0)
            b++;
        spec[gi].slot = b - 1;
        k[b]--;
    }
    free(locked_in);
}

struct keyed {
    long long key;
    int idx;
};

static int keyed_cmp(const void *x, const void *y)
{
    const struct keyed *a = x, *b = y;

    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return (a->idx > b->idx) - (a->idx < b->idx);
}

/*
 * Threads: every wished thread gets a group before any gets a second
 * (most-wished first), then the rest go D'Hondt by wish points (3 for a
 * first wish, 2 for a second, 1 for a third). Groups take them in an
 * order that walks across slots, so each slot sees the popular threads.
 */
static void assign_threads(struct mg_group_spec *spec,
                           const struct mg_assign_input *in, int g)
{
    int nt = in->n_threads, i, j, seats = 0, wished = 0;
    long long *w = mg_xcalloc((size_t)nt + 1, sizeof(*w));
    int *k = mg_xcalloc((size_t)nt + 1, sizeof(*k));
    int *seat = mg_xmalloc(((size_t)g + 1) * sizeof(*seat));
    struct keyed *order = mg_xmalloc(((size_t)g + 1) * sizeof(*order));
    int *rank = mg_xcalloc((size_t)g + 1, sizeof(*rank));
    int per_slot[MAX_BUCKETS] = {0};
    size_t p;

    if (nt == 0) {
        for (i = 0; i < g; i++)
            spec[i].thread = -1;
        goto out;
    }
    for (p = 0; p < in->n_people; p++) {
        for (j = 0; j < in->people[p].n_wishes; j++)
            w[in->people[p].wishes[j]] += MG_GROUP_MAX_WISHES - j;
    }
    for (i = 0; i < nt && wished == 0; i++)
        wished = w[i] > 0;
    for (i = 0; i < nt; i++) {
        if (!wished)
            w[i] = 1; /* nobody wished anything: plain round-robin */
    }
    while (seats < g) {
        int best = -1, spread = 0;

        /* While some wished thread has no group yet, only those compete. */
        for (i = 0; i < nt; i++)
            spread |= w[i] > 0 && k[i] == 0;
        for (i = 0; i < nt; i++) {
            if (spread && (w[i] == 0 || k[i] > 0))
                continue;
            if (best < 0 || w[i] * (k[best] + 1) > w[best] * (k[i] + 1))
                best = i;
        }
        seat[seats++] = best;
        k[best]++;
    }
    /* Order groups by (position within their slot, slot). */
    for (i = 0; i < g; i++)
        rank[i] = per_slot[spec[i].slot + 1]++;
    for (i = 0; i < g; i++) {
        order[i].key = (long long)rank[i] * MAX_BUCKETS + spec[i].slot + 1;
        order[i].idx = i;
    }
    qsort(order, (size_t)g, sizeof(*order), keyed_cmp);
    for (i = 0; i < g; i++)
        spec[order[i].idx].thread = seat[i];
out:
    free(w);
    free(k);
    free(seat);
    free(order);
    free(rank);
}

/* Group lists per bucket and per thread (CSR), for drawing candidates. */
static void index_groups(struct ls *s)
{
    int nt = s->in->n_threads, gi, b;
    int fill[MAX_BUCKETS + 1];

    s->bucket_start = mg_xcalloc(MAX_BUCKETS + 1, sizeof(int));
    s->bucket_groups = mg_xmalloc(((size_t)s->g + 1) * sizeof(int));
    for (gi = 0; gi < s->g; gi++)
        s->bucket_start[s->spec[gi].slot + 2]++;
    for (b = 0; b < MAX_BUCKETS; b++)
        s->bucket_start[b + 1] += s->bucket_start[b];
    memcpy(fill, s->bucket_start, sizeof(fill));
    for (gi = 0; gi < s->g; gi++)
        s->bucket_groups[fill[s->spec[gi].slot + 1]++] = gi;
    s->thread_start = mg_xcalloc((size_t)nt + 2, sizeof(int));
    s->thread_groups = mg_xmalloc(((size_t)s->g + 1) * sizeof(int));
    for (gi = 0; gi < s->g; gi++) {
        if (s->spec[gi].thread >= 0)
            s->thread_start[s->spec[gi].thread + 1]++;
    }
    for (b = 0; b < nt; b++)
        s->thread_start[b + 1] += s->thread_start[b];
    {
        int *tf = mg_xmalloc(((size_t)nt + 1) * sizeof(int));

        memcpy(tf, s->thread_start, ((size_t)nt + 1) * sizeof(int));
        for (gi = 0; gi < s->g; gi++) {
            if (s->spec[gi].thread >= 0)
                s->thread_groups[tf[s->spec[gi].thread]++] = gi;
        }
        free(tf);
    }
}

/*
 * Group targets: every group lo, and the r = N - G*lo extra places go to
 * the buckets whose people overflow lo most, so a slot's groups can hold
 * the people who can make it.
 */
static void size_targets(int *target, const struct ls *s, const long long *nb)
{
    int extra[MAX_BUCKETS], kb[MAX_BUCKETS] = {0}, b, gi;
    int r = s->n - s->g * s->lo, sum = 0;

    for (gi = 0; gi < s->g; gi++)
        kb[s->spec[gi].slot + 1]++;
    for (b = 0; b < MAX_BUCKETS; b++) {
        long long want = nb[b] - (long long)kb[b] * s->lo;

        extra[b] = want < 0 ? 0 : (want > kb[b] ? kb[b] : (int)want);
        if (s->hi == s->lo)
            extra[b] = 0;
        sum += extra[b];
    }
    while (sum != r) {
        int best = -1;
        long long best_gap = 0;

        for (b = 0; b < MAX_BUCKETS; b++) {
            long long gap = nb[b] - (long long)kb[b] * s->lo - extra[b];

            if (sum < r ? extra[b] >= kb[b] : extra[b] == 0)
                continue;
            if (best < 0 || (sum < r ? gap > best_gap : gap < best_gap)) {
                best = b;
                best_gap = gap;
            }
        }
        if (best < 0)
            break;
        extra[best] += sum < r ? 1 : -1;
        sum += sum < r ? 1 : -1;
    }
    for (gi = 0; gi < s->g; gi++) {
        b = s->spec[gi].slot + 1;
        target[gi] = s->lo;
        if (extra[b] > 0) {
            target[gi] = s->hi;
            extra[b]--;
        }
    }
}

/*
 * First assignment. Locked people go home; then each person is given a
 * slot (facilitators first, then the most constrained), filling slots
 * evenly; within a slot, one facilitator per group, then the rest sorted
 * by sector and region are dealt round the slot's groups, which spreads
 * both evenly. Whoever does not fit anywhere they can make is put where
 * there is room, for the search to repair or the report to name.
 */
static void construct(struct ls *s)
{
    const struct mg_assign_input *in = s->in;
    int n = s->n, gi, b, i;
    struct keyed *ord = mg_xmalloc(((size_t)n + 1) * sizeof(*ord));
    int *bucket_of = mg_xmalloc(((size_t)n + 1) * sizeof(int));
    int *target = mg_xmalloc(((size_t)s->g + 1) * sizeof(int));
    long long nb[MAX_BUCKETS] = {0}, fb[MAX_BUCKETS] = {0};
    long long capb[MAX_BUCKETS] = {0};
    int kb[MAX_BUCKETS] = {0}, cursor[MAX_BUCKETS] = {0};
    int n_ord = 0, leftover_cursor = 0;

    for (gi = 0; gi < s->g; gi++)
        kb[s->spec[gi].slot + 1]++;
    for (b = 0; b < MAX_BUCKETS; b++)
        capb[b] = (long long)kb[b] * s->hi;
    for (i = 0; i < n; i++) {
        const struct mg_person *p = &in->people[i];
        uint64_t m = bucket_mask(in, p);
        int opts = 0;

        bucket_of[i] = -1;
        if (p->locked && p->current >= 0 && p->current < s->g) {
            member_add(s, i, p->current);
            continue;
        }
        for (b = 0; b < MAX_BUCKETS; b++)
            opts += ((m >> b) & 1) && kb[b] > 0;
        ord[n_ord].key = ((long long)(p->facilitator ? 0 : 1) << 60) |
                         ((long long)(opts ? opts : 63) << 52) |
                         (long long)(rng_next(&s->rng) >> 12);
        ord[n_ord++].idx = i;
    }
    for (gi = 0; gi < s->g; gi++) {
        nb[s->spec[gi].slot + 1] += s->size[gi];
        fb[s->spec[gi].slot + 1] += s->fac[gi];
    }
    qsort(ord, (size_t)n_ord, sizeof(*ord), keyed_cmp);
    for (i = 0; i < n_ord; i++) {
        int p = ord[i].idx, best = -1;
        uint64_t m = bucket_mask(in, &in->people[p]);

        for (b = 0; b < MAX_BUCKETS; b++) {
            if (!((m >> b) & 1) || kb[b] == 0 || nb[b] >= capb[b])
                continue;
            if (best < 0) {
                best = b;
                continue;
            }
            if (in->people[p].facilitator) {
                long long need = kb[b] - fb[b], need_best = kb[best] - fb[best];

                if (need > 0 || need_best > 0) {
                    if (need > need_best)
                        best = b;
                    continue;
                }
            }
            if (nb[b] * capb[best] < nb[best] * capb[b])
                best = b;
        }
        bucket_of[p] = best;
        if (best >= 0) {
            nb[best]++;
            fb[best] += in->people[p].facilitator != 0;
        }
    }
    size_targets(target, s, nb);
    /* Facilitators in order (they sort first): one to each group. */
    for (i = 0; i < n_ord; i++) {
        int p = ord[i].idx;

        b = bucket_of[p];
        if (!in->people[p].facilitator || b < 0)
            continue;
        while (cursor[b] < kb[b]) {
            gi = s->bucket_groups[s->bucket_start[b] + cursor[b]++];
            if (s->fac[gi] == 0 && s->size[gi] < target[gi]) {
                member_add(s, p, gi);
                break;
            }
        }
    }
    /* The rest by (bucket, sector, region), dealt round each bucket. */
    for (i = 0; i < n_ord; i++) {
        const struct mg_person *p = &in->people[ord[i].idx];

        ord[i].key = ((long long)(bucket_of[ord[i].idx] + 1) << 56) |
                     ((long long)(p->sector + 1) << 44) |
                     ((long long)(p->region + 1) << 32) |
                     (long long)(ord[i].key & 0xffffffffLL);
    }
    qsort(ord, (size_t)n_ord, sizeof(*ord), keyed_cmp);
    memset(cursor, 0, sizeof(cursor));
    for (i = 0; i < n_ord; i++) {
        int p = ord[i].idx, tries;

        b = bucket_of[p];
        if (s->group_of[p] >= 0 || b < 0)
            continue;
        for (tries = 0; tries < kb[b]; tries++) {
            gi = s->bucket_groups[s->bucket_start[b] + cursor[b]];
            cursor[b] = (cursor[b] + 1) % kb[b];
            if (s->size[gi] < target[gi]) {
                member_add(s, p, gi);
                break;
            }
        }
    }
    /* Leftovers: first a group they can make with room, then any room. */
    memset(cursor, 0, sizeof(cursor));
    for (i = 0; i < n_ord; i++) {
        int p = ord[i].idx;
        uint64_t m = bucket_mask(in, &in->people[p]);

        if (s->group_of[p] >= 0)
            continue;
        for (b = 0; b < MAX_BUCKETS && s->group_of[p] < 0; b++) {
            if (!((m >> b) & 1))
                continue;
            while (cursor[b] < kb[b]) {
                gi = s->bucket_groups[s->bucket_start[b] + cursor[b]];
                if (s->size[gi] < target[gi]) {
                    member_add(s, p, gi);
                    break;
                }
                cursor[b]++;
            }
        }
        while (s->group_of[p] < 0 && leftover_cursor < s->g) {
            if (s->size[leftover_cursor] < target[leftover_cursor])
                member_add(s, p, leftover_cursor);
            else
                leftover_cursor++;
        }
        if (s->group_of[p] < 0) {
            /* only when locked people overfill: the smallest group */
            int small = 0;

            for (gi = 1; gi < s->g; gi++)
                small = s->size[gi] < s->size[small] ? gi : small;
            member_add(s, p, small);
        }
    }
    for (gi = 0; gi < s->g; gi++)
        s->cost[gi] = group_cost(s, gi);
    free(ord);
    free(bucket_of);
    free(target);
}

static void ls_release(struct ls *s)
{
    free(s->size);
    free(s->fac);
    free(s->sec);
    free(s->reg);
    free(s->tot_sec);
    free(s->tot_reg);
    free(s->cost);
    free(s->facb);
    free(s->pcost);
    free(s->paired);
    free(s->blo);
    free(s->bhi);
    free(s->mem);
    free(s->pos);
    adj_release(&s->apart);
    adj_release(&s->together);
    free(s->bucket_start);
    free(s->bucket_groups);
    free(s->thread_start);
    free(s->thread_groups);
}

int mg_group_plan(struct mg_assign_result *out,
                  const struct mg_assign_input *in)
{
    struct ls s;
    struct issue_list issues = {NULL, 0, 0};
    struct mg_group_spec *spec = NULL;
    int *group_of = NULL;
    int rc, g, i, max_locked = 0;
    int *locked_count = NULL;

    memset(out, 0, sizeof(*out));
    memset(&s, 0, sizeof(s));
    rc = input_check(in, in ? in->n_groups : 0);
    if (rc < 0)
        return rc;
    if (in->n_groups > 0) {
        g = in->n_groups;
    } else {
        g = (int)((in->n_people + (size_t)in->size_max - 1) /
                  (size_t)in->size_max);
    }
    s.in = in;
    s.n = (int)in->n_people;
    s.g = g;
    group_of = mg_xmalloc((in->n_people + 1) * sizeof(*group_of));
    for (i = 0; i < s.n; i++)
        group_of[i] = -1;
    spec = mg_xcalloc((size_t)g + 1, sizeof(*spec));
    if (g == 0)
        goto done;
    if (in->n_groups > 0) {
        memcpy(spec, in->groups, (size_t)g * sizeof(*spec));
    } else {
        int k[MAX_BUCKETS];

        choose_slot_counts(k, in, g);
        assign_slots(spec, in, k, g);
        assign_threads(spec, in, g);
    }
    s.spec = spec;
    s.group_of = group_of;
    s.lo = s.n / g;
    s.hi = (s.n + g - 1) / g;
    s.ns = in->n_sectors;
    s.nr = in->n_regions;
    locked_count = mg_xcalloc((size_t)g, sizeof(int));
    for (i = 0; i < s.n; i++) {
        int c = in->people[i].current;

        if (in->people[i].locked && c >= 0 && c < g &&
            ++locked_count[c] > max_locked)
            max_locked = locked_count[c];
    }
    /* Locked people can overfill a group; members[] must hold them. */
    s.cap = (max_locked > s.hi ? max_locked : s.hi) + 1;
    s.size = mg_xcalloc((size_t)g, sizeof(int));
    s.fac = mg_xcalloc((size_t)g, sizeof(int));
    s.sec = mg_xcalloc((size_t)g * s.ns + 1, sizeof(int));
    s.reg = mg_xcalloc((size_t)g * s.nr + 1, sizeof(int));
    s.tot_sec = mg_xcalloc((size_t)s.ns + 1, sizeof(long long));
    s.tot_reg = mg_xcalloc((size_t)s.nr + 1, sizeof(long long));
    s.cost = mg_xcalloc((size_t)g, sizeof(long long));
    s.mem = mg_xmalloc((size_t)g * s.cap * sizeof(int));
    s.pos = mg_xmalloc(((size_t)s.n + 1) * sizeof(int));
    s.pcost = mg_xcalloc((size_t)s.n + 1, sizeof(long long));
    s.nb = in->n_slots + 1;
    s.facb = mg_xcalloc((size_t)g * s.nb + 1, sizeof(int));
    s.paired = mg_xcalloc((size_t)s.n + 1, 1);
    for (i = 0; i < s.n; i++) {
        if (in->people[i].sector >= 0)
            s.tot_sec[in->people[i].sector]++;
        if (in->people[i].region >= 0)
            s.tot_reg[in->people[i].region]++;
    }
    adj_build(&s.apart, in->n_people, in->apart, in->n_apart);
    adj_build(&s.together, in->n_people, in->together, in->n_together);
    for (i = 0; i < s.n; i++)
        s.paired[i] = s.apart.start[i + 1] > s.apart.start[i] ||
                      s.together.start[i + 1] > s.together.start[i];
    rng_seed(&s.rng, in->seed);
    band_tables(&s);
    index_groups(&s);
    construct(&s);
    local_search(&s);
done:
    report_issues(&issues, in, group_of, spec, g);
    mg_group_evaluate(&out->quality, in, group_of, spec, g);
    out->group_of = group_of;
    out->groups = spec;
    out->n_groups = g;
    out->issues = issues.v;
    out->n_issues = issues.n;
    free(locked_count);
    if (g > 0)
        ls_release(&s);
    return 0;
}
