/*
 * rebalance.c: repairing an existing assignment (mg_group_rebalance)
 * with the fewest moves of already-placed people.
 *
 * Fewest moves is a minimum-cost flow. People with the same group, role
 * and slots form one class (a source); a class sends its members to
 * their own group at cost 0 or, through one transit node per slot, to
 * any group meeting in a slot they can make at cost 1 (0 for
 * newcomers). Facilitators enter a group through its facilitator node,
 * whose arc into the group has a lower bound of one; each group's arc to
 * the sink carries its size band [lo, hi] (sizes within the circle's
 * bounds and differing by at most one). Any valid plan is such a flow,
 * so the least cost is a true lower bound; only "apart" pairs are not a
 * flow constraint. A local search then moves and swaps people without
 * adding moves, to separate apart pairs and to improve sector, region,
 * "together" and wish balance; a pair it cannot separate is branched on
 * (one of the two must leave that group), best bound first, which keeps
 * the answer exact. When the sizes need it, groups are opened or the
 * smallest dissolved before the flow runs.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#include "banned.h"

#define MAX_NODES 48         /* branch-and-bound subproblems */
#define SEARCH_WORK 20000000 /* local-search work, in cells looked at */
#define SWAP_GROUPS 256      /* groups a person's swaps are tried with, */
#define SWAP_GROUPS_MANY 64  /* or with many people to try */

#define W_APART 1000000000000LL
#define W_OVER 1000000000LL
#define W_MISS 10000LL
#define W_TOGETHER 100LL

/* A person kept out of a group by a branch. */
struct forbid {
    int person, group;
};

struct rb {
    const struct mg_assign_input *in;
    int n, g, ns, nr;
    struct mg_group_spec *spec; /* working groups */
    int *origin;                /* working group -> input group, -1 new */
    int *home;     /* person -> working group now (-1: new or dissolved) */
    int *placed;   /* person had a group before */
    int *exempt;   /* the slot rule does not apply to this person */
    int *need_fac; /* per working group: must have a facilitator */
    int lo, hi;    /* size band of this attempt */
    int n_keys;    /* slot keys: slot + 1, 0 for groups without a slot */
    uint64_t keys; /* the keys working groups use */
    struct adj apart, together;
    /* the local search's state */
    int *group_of, *size, *fac, *sec, *reg;
    long long *tot_sec, *tot_reg;
    long long moves, budget, work;
};

static int group_key(const struct rb *s, int g)
{
    return s->spec[g].slot + 1;
}

static int slot_ok(const struct rb *s, int p, int g)
{
    return s->exempt[p] || can_make(s->in, &s->in->people[p], s->spec[g].slot);
}

static int is_locked(const struct rb *s, int p)
{
    return s->in->people[p].locked && s->home[p] >= 0;
}

/* The slot keys person p may be placed in. */
static uint64_t person_keys(const struct rb *s, int p)
{
    uint64_t m = 0;
    int k;

    if (s->exempt[p])
        return s->keys;
    for (k = 0; k < s->n_keys; k++) {
        if (((s->keys >> k) & 1) && can_make(s->in, &s->in->people[p], k - 1))
            m |= (uint64_t)1 << k;
    }
    return m;
}

/* ---------------------------------------------------------------- flow */

struct klass {
    int home, fac, locked, stay, forbidden;
    uint64_t keys;
};

struct net {
    struct flow f;
    int n_classes;
    int *class_of;         /* person -> class */
    struct klass *cls;     /* per class */
    int *stay_arc;         /* per class, or -1 */
    int *key_arc;          /* per class x key: arc or -1 */
    int *direct_arc;       /* per person with a branch rule x group */
    int *direct_of;        /* per class: its row in direct_arc, or -1 */
    int *members, *mstart; /* people by class */
};

static int cmp_klass(const struct klass *a, const struct klass *b)
{
    if (a->forbidden || b->forbidden)
        return 1; /* every person with a branch rule is a class alone */
    return a->home != b->home || a->fac != b->fac || a->locked != b->locked ||
           a->stay != b->stay || a->keys != b->keys;
}

static struct klass *sort_keys;

static int by_klass(const void *x, const void *y)
{
    const struct klass *a = &sort_keys[*(const int *)x];
    const struct klass *b = &sort_keys[*(const int *)y];

    if (a->forbidden != b->forbidden)
        return a->forbidden - b->forbidden;
    if (a->home != b->home)
        return a->home < b->home ? -1 : 1;
    if (a->fac != b->fac)
        return a->fac - b->fac;
    if (a->locked != b->locked)
        return a->locked - b->locked;
    if (a->stay != b->stay)
        return a->stay - b->stay;
    if (a->keys != b->keys)
        return a->keys < b->keys ? -1 : 1;
    return *(const int *)x - *(const int *)y;
}

static int is_forbidden(const struct forbid *fb, int n_fb, int p, int g)
{
    int i;

    for (i = 0; i < n_fb; i++)
        if (fb[i].person == p && fb[i].group == g)
            return 1;
    return 0;
}

static void net_release(struct net *nt)
{
    flow_release(&nt->f);
    free(nt->class_of);
    free(nt->cls);
    free(nt->stay_arc);
    free(nt->key_arc);
    free(nt->direct_arc);
    free(nt->direct_of);
    free(nt->members);
    free(nt->mstart);
}

/*
 * Solve the flow for the current band and facilitator rule, with the
 * branch rules `fb`; the plan goes to s->group_of. 0, or MG_ENOTFOUND
 * when no plan meets them; *cost is the number of moves.
 */
static int solve_flow(struct rb *s, const struct forbid *fb, int n_fb,
                      long long *cost)
{
    struct net nt;
    struct klass *key = mg_xcalloc((size_t)s->n + 1, sizeof(*key));
    int *order = mg_xmalloc(((size_t)s->n + 1) * sizeof(*order));
    int n = s->n, G = s->g, K = s->n_keys, T = 0, base, c, i, g, k, rc;
    int inf = n + 1;
    int **queue; /* per transit node: groups with their flows */
    int *qn, *qpos;

    memset(&nt, 0, sizeof(nt));
    for (i = 0; i < n; i++) {
        int f;

        key[i].home = s->home[i];
        key[i].fac = s->in->people[i].facilitator != 0;
        key[i].locked = is_locked(s, i);
        key[i].stay = s->home[i] >= 0 && slot_ok(s, i, s->home[i]);
        key[i].keys = key[i].locked ? 0 : person_keys(s, i);
        for (f = 0; f < n_fb; f++)
            key[i].forbidden |= fb[f].person == i;
        order[i] = i;
    }
    sort_keys = key;
    {
        /* by home group first (a counting sort), then each group's few */
        int *at = mg_xcalloc((size_t)G + 2, sizeof(int));

        for (i = 0; i < n; i++)
            at[key[i].home + 1]++;
        for (g = 1; g <= G; g++)
            at[g] += at[g - 1];
        for (g = G; g > 0; g--)
            at[g] = at[g - 1];
        at[0] = 0;
        for (i = 0; i < n; i++)
            order[at[key[i].home + 1]++] = i;
        for (g = 0, i = 0; g <= G; i = at[g], g++)
            qsort(order + i, (size_t)(at[g] - i), sizeof(*order), by_klass);
        free(at);
    }
    nt.class_of = mg_xmalloc(((size_t)n + 1) * sizeof(int));
    nt.cls = mg_xmalloc(((size_t)n + 1) * sizeof(*nt.cls));
    nt.mstart = mg_xmalloc(((size_t)n + 2) * sizeof(int));
    nt.members = order;
    for (i = 0, c = -1; i < n; i++) {
        if (c < 0 || cmp_klass(&nt.cls[c], &key[order[i]]) != 0) {
            nt.cls[++c] = key[order[i]];
            nt.mstart[c] = i;
        }
        nt.class_of[order[i]] = c;
    }
    nt.n_classes = c + 1;
    nt.mstart[nt.n_classes] = n;
    /* nodes: sink, (facilitator, group) per group, (P, Q) per key, classes */
    base = 1 + 2 * G + 2 * K;
    flow_init(&nt.f, base + nt.n_classes);
#define F_NODE(g) (1 + 2 * (g))
#define G_NODE(g) (2 + 2 * (g))
#define P_NODE(k) (1 + 2 * G + 2 * (k))
#define Q_NODE(k) (2 + 2 * G + 2 * (k))
    flow_supply(&nt.f, T, -n);
    for (g = 0; g < G; g++) {
        flow_edge(&nt.f, F_NODE(g), G_NODE(g), inf, 0);
        flow_supply(&nt.f, F_NODE(g), -s->need_fac[g]);
        flow_supply(&nt.f, G_NODE(g), s->need_fac[g]);
        flow_edge(&nt.f, G_NODE(g), T, s->hi - s->lo, 0);
        flow_supply(&nt.f, G_NODE(g), -s->lo);
        flow_supply(&nt.f, T, s->lo);
        flow_edge(&nt.f, P_NODE(group_key(s, g)), G_NODE(g), inf, 0);
        flow_edge(&nt.f, Q_NODE(group_key(s, g)), F_NODE(g), inf, 0);
    }
    nt.stay_arc = mg_xmalloc(((size_t)nt.n_classes + 1) * sizeof(int));
    nt.key_arc =
        mg_xmalloc(((size_t)nt.n_classes * K + 1) * sizeof(*nt.key_arc));
    /* people with a branch rule (at most n_fb) get an arc to each group */
    nt.direct_of = mg_xmalloc(((size_t)nt.n_classes + 1) * sizeof(int));
    nt.direct_arc = mg_xmalloc(((size_t)n_fb * G + 1) * sizeof(int));
    for (c = 0, i = 0; c < nt.n_classes; c++)
        nt.direct_of[c] = nt.cls[c].forbidden && i < n_fb ? i++ : -1;
    for (c = 0; c < nt.n_classes; c++) {
        const struct klass *kc = &nt.cls[c];
        int node = base + c, count = nt.mstart[c + 1] - nt.mstart[c];
        int p0 = order[nt.mstart[c]];
        int cost_move = s->placed[p0] ? 1 : 0;

        flow_supply(&nt.f, node, count);
        nt.stay_arc[c] = -1;
        for (k = 0; k < K; k++)
            nt.key_arc[c * K + k] = -1;
        if (kc->stay &&
            !(kc->forbidden && is_forbidden(fb, n_fb, p0, kc->home)))
            nt.stay_arc[c] = flow_edge(
                &nt.f, node, kc->fac ? F_NODE(kc->home) : G_NODE(kc->home), inf,
                0);
        if (kc->forbidden) {
            int *row = &nt.direct_arc[(size_t)nt.direct_of[c] * G];

            for (g = 0; g < G; g++) {
                row[g] = -1;
                if (g == kc->home || !((kc->keys >> group_key(s, g)) & 1) ||
                    is_forbidden(fb, n_fb, p0, g))
                    continue;
                row[g] = flow_edge(&nt.f, node, kc->fac ? F_NODE(g) : G_NODE(g),
                                   1, cost_move);
            }
            continue;
        }
        for (k = 0; k < K; k++) {
            if ((kc->keys >> k) & 1)
                nt.key_arc[c * K + k] =
                    flow_edge(&nt.f, node, kc->fac ? Q_NODE(k) : P_NODE(k), inf,
                              cost_move);
        }
    }
    /* Warm start: everyone who may stay does. */
    for (c = 0; c < nt.n_classes; c++) {
        if (nt.stay_arc[c] >= 0)
            flow_push(&nt.f, nt.stay_arc[c], nt.mstart[c + 1] - nt.mstart[c]);
    }
    for (g = 0; g < G; g++) {
        long long ex = nt.f.excess[F_NODE(g)];

        if (ex > 0)
            flow_push(&nt.f, 8 * g, (int)ex); /* F -> G */
        ex = nt.f.excess[G_NODE(g)];
        if (ex > s->hi - s->lo)
            ex = s->hi - s->lo;
        if (ex > 0)
            flow_push(&nt.f, 8 * g + 2, (int)ex); /* G -> sink */
    }
    rc = flow_solve(&nt.f, cost);
    if (rc < 0)
        goto out;
    /* Who goes where: each transit node hands out its groups in turn. */
    queue = mg_xcalloc((size_t)2 * K + 1, sizeof(*queue));
    qn = mg_xcalloc((size_t)2 * K + 1, sizeof(*qn));
    qpos = mg_xcalloc((size_t)2 * K + 1, sizeof(*qpos));
    for (k = 0; k < 2 * K; k++)
        queue[k] = mg_xmalloc(((size_t)2 * G + 2) * sizeof(int));
    for (g = 0; g < G; g++) {
        int e;

        /* arcs per group: F->G, G->T, P->G, Q->F, in that order */
        for (e = 0; e < 2; e++) {
            int arc = 8 * g + 4 + 2 * e, q = 2 * group_key(s, g) + e;
            int amount = flow_on(&nt.f, arc);

            if (amount > 0) {
                queue[q][2 * qn[q]] = g;
                queue[q][2 * qn[q] + 1] = amount;
                qn[q]++;
            }
        }
    }
    for (c = 0; c < nt.n_classes; c++) {
        int m = nt.mstart[c], end = nt.mstart[c + 1];
        int stay = nt.stay_arc[c] >= 0 ? flow_on(&nt.f, nt.stay_arc[c]) : 0;

        for (; stay > 0; stay--, m++)
            s->group_of[order[m]] = nt.cls[c].home;
        if (nt.cls[c].forbidden) {
            for (g = 0; g < G && m < end; g++) {
                int a = nt.direct_arc[(size_t)nt.direct_of[c] * G + g];

                if (a >= 0 && flow_on(&nt.f, a) > 0)
                    s->group_of[order[m++]] = g;
            }
            continue;
        }
        for (k = 0; k < K; k++) {
            int a = nt.key_arc[c * K + k], amount, q = 2 * k + nt.cls[c].fac;

            if (a < 0)
                continue;
            for (amount = flow_on(&nt.f, a); amount > 0; amount--, m++) {
                while (queue[q][2 * qpos[q] + 1] == 0)
                    qpos[q]++;
                s->group_of[order[m]] = queue[q][2 * qpos[q]];
                queue[q][2 * qpos[q] + 1]--;
            }
        }
    }
    for (k = 0; k < 2 * K; k++)
        free(queue[k]);
    free(queue);
    free(qn);
    free(qpos);
out:
#undef F_NODE
#undef G_NODE
#undef P_NODE
#undef Q_NODE
    nt.members = NULL;
    net_release(&nt);
    free(order);
    free(key);
    return rc;
}

/* -------------------------------------------------------- local search */

/* Sector and region misses of group g as it stands. */
static long long group_misses(const struct rb *s, int g)
{
    long long m = 0;
    int v;

    for (v = 0; v < s->ns; v++)
        m += band_miss(s->sec[g * s->ns + v], s->tot_sec[v], s->size[g], s->n);
    for (v = 0; v < s->nr; v++)
        m += band_miss(s->reg[g * s->nr + v], s->tot_reg[v], s->size[g], s->n);
    return m;
}

static int partners_in(const struct adj *a, const int *group_of, int p, int g)
{
    size_t i;
    int c = 0;

    for (i = a->start[p]; i < a->start[p + 1]; i++)
        c += group_of[a->to[i]] == g;
    return c;
}

static int wish_score(const struct rb *s, int p, int g)
{
    const struct mg_person *pp = &s->in->people[p];
    int w;

    for (w = 0; w < pp->n_wishes; w++)
        if (pp->wishes[w] == s->spec[g].thread)
            return w == 0 ? 3 : 1;
    return 0;
}

static int moved(const struct rb *s, int p, int g)
{
    return s->placed[p] && g != s->home[p];
}

static void ls_put(struct rb *s, int p, int g, int sign)
{
    const struct mg_person *pp = &s->in->people[p];

    s->size[g] += sign;
    s->fac[g] += sign * (pp->facilitator != 0);
    if (pp->sector >= 0)
        s->sec[g * s->ns + pp->sector] += sign;
    if (pp->region >= 0)
        s->reg[g * s->nr + pp->region] += sign;
    s->moves += sign * moved(s, p, g);
    s->group_of[p] = sign > 0 ? g : -1;
}

static void ls_init(struct rb *s)
{
    int p;

    s->size = mg_xcalloc((size_t)s->g + 1, sizeof(int));
    s->fac = mg_xcalloc((size_t)s->g + 1, sizeof(int));
    s->sec = mg_xcalloc((size_t)s->g * s->ns + 1, sizeof(int));
    s->reg = mg_xcalloc((size_t)s->g * s->nr + 1, sizeof(int));
    s->tot_sec = mg_xcalloc((size_t)s->ns + 1, sizeof(long long));
    s->tot_reg = mg_xcalloc((size_t)s->nr + 1, sizeof(long long));
    s->moves = 0;
    for (p = 0; p < s->n; p++) {
        const struct mg_person *pp = &s->in->people[p];

        if (pp->sector >= 0)
            s->tot_sec[pp->sector]++;
        if (pp->region >= 0)
            s->tot_reg[pp->region]++;
        if (s->group_of[p] >= 0)
            ls_put(s, p, s->group_of[p], 1);
    }
}

static void ls_release(struct rb *s)
{
    free(s->size);
    free(s->fac);
    free(s->sec);
    free(s->reg);
    free(s->tot_sec);
    free(s->tot_reg);
    s->size = s->fac = s->sec = s->reg = NULL;
    s->tot_sec = s->tot_reg = NULL;
}

static long long over(const struct rb *s, long long moves)
{
    return moves > s->budget ? moves - s->budget : 0;
}

/* What person p adds to the score in group g (pairs and wishes). */
static long long person_terms(const struct rb *s, int p, int g)
{
    return W_APART * partners_in(&s->apart, s->group_of, p, g) -
           W_TOGETHER * partners_in(&s->together, s->group_of, p, g) -
           wish_score(s, p, g);
}

static int allowed(const struct rb *s, int p, int g)
{
    return !is_locked(s, p) && slot_ok(s, p, g);
}

/* Score change of moving p to g (sizes permitting), or 0 if barred. */
static long long try_relocate(struct rb *s, int p, int g)
{
    int a = s->group_of[p];
    long long before, after;

    if (g == a || s->size[a] - 1 < s->lo || s->size[g] + 1 > s->hi ||
        !allowed(s, p, g))
        return 0;
    if (s->in->people[p].facilitator && s->need_fac[a] && s->fac[a] == 1)
        return 0;
    s->work += s->ns + s->nr;
    before = W_MISS * (group_misses(s, a) + group_misses(s, g)) +
             W_OVER * over(s, s->moves) + person_terms(s, p, a);
    ls_put(s, p, a, -1);
    ls_put(s, p, g, 1);
    after = W_MISS * (group_misses(s, a) + group_misses(s, g)) +
            W_OVER * over(s, s->moves) + person_terms(s, p, g);
    ls_put(s, p, g, -1);
    ls_put(s, p, a, 1);
    return after - before;
}

/* Misses of the sector and region cells p and q touch in groups a, b. */
static long long cell_misses(const struct rb *s, int p, int q, int a, int b)
{
    const struct mg_person *pp = &s->in->people[p], *qq = &s->in->people[q];
    int grp[2] = {a, b}, i;
    long long m = 0;

    for (i = 0; i < 2; i++) {
        int g = grp[i];

        if (pp->sector >= 0)
            m += band_miss(s->sec[g * s->ns + pp->sector],
                           s->tot_sec[pp->sector], s->size[g], s->n);
        if (qq->sector >= 0 && qq->sector != pp->sector)
            m += band_miss(s->sec[g * s->ns + qq->sector],
                           s->tot_sec[qq->sector], s->size[g], s->n);
        if (pp->region >= 0)
            m += band_miss(s->reg[g * s->nr + pp->region],
                           s->tot_reg[pp->region], s->size[g], s->n);
        if (qq->region >= 0 && qq->region != pp->region)
            m += band_miss(s->reg[g * s->nr + qq->region],
                           s->tot_reg[qq->region], s->size[g], s->n);
    }
    return m;
}

/* Score change of swapping p and q, or 0 if barred. Sizes stay. */
static long long try_swap(struct rb *s, int p, int q)
{
    int a = s->group_of[p], b = s->group_of[q];
    long long before, after;
    int fp = s->in->people[p].facilitator != 0;
    int fq = s->in->people[q].facilitator != 0;

    if (a == b || !allowed(s, p, b) || !allowed(s, q, a))
        return 0;
    if (fp && !fq && s->need_fac[a] && s->fac[a] == 1)
        return 0;
    if (fq && !fp && s->need_fac[b] && s->fac[b] == 1)
        return 0;
    s->work += 8;
    before = W_MISS * cell_misses(s, p, q, a, b) + W_OVER * over(s, s->moves) +
             person_terms(s, p, a) + person_terms(s, q, b);
    ls_put(s, p, a, -1);
    ls_put(s, q, b, -1);
    ls_put(s, p, b, 1);
    ls_put(s, q, a, 1);
    after = W_MISS * cell_misses(s, p, q, a, b) + W_OVER * over(s, s->moves) +
            person_terms(s, p, b) + person_terms(s, q, a);
    ls_put(s, p, b, -1);
    ls_put(s, q, a, -1);
    ls_put(s, p, a, 1);
    ls_put(s, q, b, 1);
    return after - before;
}

static void swap_apply(struct rb *s, int p, int q)
{
    int a = s->group_of[p], b = s->group_of[q];

    ls_put(s, p, a, -1);
    ls_put(s, q, b, -1);
    ls_put(s, p, b, 1);
    ls_put(s, q, a, 1);
}

/* Whether group g has a member with a pair rule broken or a defect. */
static int apart_broken(const struct rb *s, int p)
{
    return s->group_of[p] >= 0 &&
           partners_in(&s->apart, s->group_of, p, s->group_of[p]) > 0;
}

/*
 * Improve the plan in s->group_of without going over s->budget moves:
 * relocations and swaps of the people the change concerns (newcomers,
 * people moved, people in a broken pair, and with a larger budget the
 * members of groups whose balance misses), against the members of the
 * groups they touch.
 */
static void local_search(struct rb *s)
{
    int *cand = mg_xmalloc(((size_t)s->n + 1) * sizeof(int));
    int *mark = mg_xcalloc((size_t)s->g + 1, sizeof(int));
    int **mem = mg_xcalloc((size_t)s->g + 1, sizeof(int *));
    int *mn = mg_xcalloc((size_t)s->g + 1, sizeof(int));
    int *marked = mg_xmalloc(((size_t)s->g + 1) * sizeof(int));
    int n_cand = 0, n_marked = 0, p, g, i, k, pass, improved = 1, width, cap;
    struct rng rng;

    rng_seed(&rng, s->in->seed);
    for (p = 0; p < s->n; p++) {
        if (!s->placed[p] || moved(s, p, s->group_of[p]) || apart_broken(s, p))
            cand[n_cand++] = p;
    }
    if (s->budget > s->moves) {
        for (g = 0; g < s->g; g++)
            mark[g] = group_misses(s, g) > 0;
        for (p = 0; p < s->n && n_cand < 4096; p++) {
            if (s->placed[p] && !moved(s, p, s->group_of[p]) &&
                !apart_broken(s, p) && mark[s->group_of[p]])
                cand[n_cand++] = p; /* not already a candidate above */
        }
        memset(mark, 0, (size_t)s->g * sizeof(int));
    }
    for (i = 0; i < n_cand; i++) {
        mark[s->group_of[cand[i]]] = 1;
        if (s->home[cand[i]] >= 0)
            mark[s->home[cand[i]]] = 1;
    }
    /* member lists as long as the largest group (+1 for a relocation):
     * the band's top can be the whole circle in the last relaxation */
    for (g = 0, cap = 1; g < s->g; g++)
        if (s->size[g] + 1 > cap)
            cap = s->size[g] + 1;
    if (cap > s->hi + 1)
        cap = s->hi + 1;
    for (g = 0; g < s->g; g++) {
        if (!mark[g])
            continue;
        mem[g] = mg_xmalloc(((size_t)cap + 1) * sizeof(int));
        marked[n_marked++] = g;
    }
    /* a wide sample while a pass stays well inside the work budget */
    width = (long long)n_cand * SWAP_GROUPS * cap * 8 <= SEARCH_WORK / 4
                ? SWAP_GROUPS
                : SWAP_GROUPS_MANY;
    for (pass = 0; pass < 20 && improved && s->work < SEARCH_WORK; pass++) {
        improved = 0;
        memset(mn, 0, (size_t)s->g * sizeof(int));
        for (p = 0; p < s->n; p++) {
            g = s->group_of[p];
            if (mark[g] && mn[g] < cap)
                mem[g][mn[g]++] = p;
        }
        for (i = 0; i < n_cand && s->work < SEARCH_WORK; i++) {
            long long best = 0, d;
            int x = cand[i], best_g = -1, best_q = -1, j;

            for (g = 0; g < s->g; g++) {
                d = try_relocate(s, x, g);
                if (d < best) {
                    best = d;
                    best_g = g;
                }
            }
            for (k = 0; k < n_marked && k <= width; k++) {
                /* every touched group when few, else a sample and home */
                if (n_marked <= width)
                    g = marked[k];
                else if (k == width)
                    g = s->home[x];
                else
                    g = marked[rng_below(&rng, (size_t)n_marked)];
                if (g < 0 || !mark[g] || g == s->group_of[x])
                    continue;
                for (j = 0; j < mn[g]; j++) {
                    int q = mem[g][j];

                    if (s->group_of[q] != g)
                        continue;
                    d = try_swap(s, x, q);
                    if (d < best) {
                        best = d;
                        best_g = -1;
                        best_q = q;
                    }
                }
            }
            if (best_q >= 0) {
                int a = s->group_of[x], b = s->group_of[best_q];

                swap_apply(s, x, best_q);
                /* keep the member lists right for this pass */
                for (j = 0; j < mn[b]; j++)
                    if (mem[b][j] == best_q)
                        mem[b][j] = x;
                if (mark[a])
                    for (j = 0; j < mn[a]; j++)
                        if (mem[a][j] == x)
                            mem[a][j] = best_q;
                improved = 1;
            } else if (best_g >= 0) {
                int a = s->group_of[x];

                ls_put(s, x, a, -1);
                ls_put(s, x, best_g, 1);
                if (mark[best_g] && mn[best_g] < cap)
                    mem[best_g][mn[best_g]++] = x;
                improved = 1;
            }
        }
    }
    for (g = 0; g < s->g; g++)
        free(mem[g]);
    free(mem);
    free(mn);
    free(mark);
    free(marked);
    free(cand);
}

static int count_apart(const struct rb *s)
{
    size_t i;
    int c = 0;

    for (i = 0; i < s->in->n_apart; i++) {
        int a = s->in->apart[i].a, b = s->in->apart[i].b;

        c += a != b && s->group_of[a] >= 0 && s->group_of[a] == s->group_of[b];
    }
    return c;
}

/* ------------------------------------------------------ branch and bound */

struct node {
    long long bound;
    struct forbid *fb;
    int n_fb;
};

/*
 * Fewest moves for the band and facilitator rule in s, apart pairs
 * included: branch on a pair the flow and the search leave together.
 * The best plan goes to `best` (moves in *moves), *lb is a true bound.
 * MG_ENOTFOUND if no plan fits the band at all.
 */
static int solve_exact(struct rb *s, int *best, long long *moves, long long *lb)
{
    struct node *open = mg_xmalloc(MAX_NODES * 2 * sizeof(*open));
    int *flow_plan = mg_xmalloc(((size_t)s->n + 1) * sizeof(int));
    int n_open = 1, explored = 0, found = 0, i;
    long long incumbent = -1;

    open[0].bound = 0;
    open[0].fb = NULL;
    open[0].n_fb = 0;
    while (n_open > 0) {
        struct node nd;
        long long cost;
        int pick = 0, a = -1, b = -1, g = -1;
        size_t k;

        for (i = 1; i < n_open; i++)
            if (open[i].bound < open[pick].bound)
                pick = i;
        nd = open[pick];
        if (found && nd.bound >= incumbent) {
            open[pick] = open[--n_open];
            free(nd.fb);
            continue;
        }
        if (explored == MAX_NODES)
            break; /* out of budget: what is open still bounds the answer */
        open[pick] = open[--n_open];
        explored++;
        if (solve_flow(s, nd.fb, nd.n_fb, &cost) < 0 ||
            (found && cost >= incumbent)) {
            free(nd.fb);
            continue;
        }
        memcpy(flow_plan, s->group_of, (size_t)s->n * sizeof(int));
        s->budget = cost;
        ls_init(s);
        local_search(s);
        if (count_apart(s) == 0 && (!found || s->moves < incumbent)) {
            memcpy(best, s->group_of, (size_t)s->n * sizeof(int));
            incumbent = s->moves;
            found = 1;
        }
        ls_release(s);
        if (found && incumbent <= cost) {
            free(nd.fb);
            continue; /* this subtree can do no better */
        }
        /* branch on a pair the flow's plan leaves together */
        for (k = 0; k < s->in->n_apart && g < 0; k++) {
            a = s->in->apart[k].a;
            b = s->in->apart[k].b;
            if (a != b && flow_plan[a] >= 0 && flow_plan[a] == flow_plan[b] &&
                !(is_locked(s, a) && is_locked(s, b)))
                g = flow_plan[a];
        }
        for (i = 0; i < 2 && g >= 0; i++) {
            int who = i == 0 ? a : b;
            struct node ch;

            if (is_locked(s, who) || n_open >= 2 * MAX_NODES - 1)
                continue;
            ch.bound = cost;
            ch.n_fb = nd.n_fb + 1;
            ch.fb = mg_xmalloc((size_t)ch.n_fb * sizeof(*ch.fb));
            if (nd.n_fb)
                memcpy(ch.fb, nd.fb, (size_t)nd.n_fb * sizeof(*ch.fb));
            ch.fb[nd.n_fb].person = who;
            ch.fb[nd.n_fb].group = g;
            open[n_open++] = ch;
        }
        free(nd.fb);
    }
    *lb = found ? incumbent : -1;
    for (i = 0; i < n_open; i++) {
        if (*lb < 0 || open[i].bound < *lb)
            *lb = open[i].bound;
        free(open[i].fb);
    }
    if (*lb < 0)
        *lb = 0;
    free(open);
    free(flow_plan);
    *moves = incumbent;
    return found ? 0 : MG_ENOTFOUND;
}

/* ------------------------------------------------------------- driver */

/* The people who must find a group: new, or unable to stay where they are. */
static int loose(const struct mg_assign_input *in, const int *dissolved, int p)
{
    const struct mg_person *pp = &in->people[p];

    if (pp->current < 0 || dissolved[pp->current])
        return 1;
    return !pp->locked && !can_make(in, pp, in->groups[pp->current].slot);
}

/*
 * Slots and threads for the groups the rebalance opens, from spec[from]
 * on: each takes the slot where the people who need a group and can make
 * it most outnumber the places already opened there, with a facilitator
 * free to lead it; then the thread fewest groups follow, the most wished
 * first.
 */
static void open_specs(const struct mg_assign_input *in,
                       struct mg_group_spec *spec, int from, int to,
                       const int *dissolved, const int *fac_count, int hi)
{
    int n_s = in->n_slots > 0 ? in->n_slots : 1, s, t, g;
    long long *demand = mg_xcalloc((size_t)n_s, sizeof(long long));
    long long *able = mg_xcalloc((size_t)n_s, sizeof(long long));
    long long *opened = mg_xcalloc((size_t)n_s, sizeof(long long));
    long long *used = mg_xcalloc((size_t)in->n_threads + 1, sizeof(long long));
    long long *wished =
        mg_xcalloc((size_t)in->n_threads + 1, sizeof(long long));
    size_t p;

    for (p = 0; p < in->n_people; p++) {
        const struct mg_person *pp = &in->people[p];
        int cur = pp->current, is_loose = loose(in, dissolved, (int)p);

        if (pp->locked && cur >= 0)
            continue;
        for (s = 0; s < n_s; s++) {
            if (!can_make(in, pp, in->n_slots > 0 ? s : -1))
                continue;
            if (is_loose) {
                demand[s]++;
                able[s] += pp->facilitator != 0;
            } else if (pp->facilitator && fac_count[cur] > 1) {
                able[s]++;
            }
        }
        if (is_loose && pp->n_wishes > 0)
            wished[pp->wishes[0]]++;
    }
    for (g = 0; g < from; g++)
        if (spec[g].thread >= 0)
            used[spec[g].thread]++;
    for (g = from; g < to; g++) {
        long long best = 0;
        int pick = 0;

        for (s = 0; s < n_s; s++) {
            long long score = ((long long)(able[s] > opened[s]) << 40) +
                              demand[s] - opened[s] * hi;

            if (s == 0 || score > best) {
                best = score;
                pick = s;
            }
        }
        opened[pick]++;
        spec[g].slot = in->n_slots > 0 ? pick : -1;
        spec[g].thread = -1;
        for (t = 0; t < in->n_threads; t++) {
            if (spec[g].thread < 0 || used[t] < used[spec[g].thread] ||
                (used[t] == used[spec[g].thread] &&
                 wished[t] > wished[spec[g].thread]))
                spec[g].thread = t;
        }
        if (spec[g].thread >= 0)
            used[spec[g].thread]++;
    }
    free(demand);
    free(able);
    free(opened);
    free(used);
    free(wished);
}

static int cmp_size(const void *x, const void *y)
{
    const int *a = x, *b = y;

    if (a[0] != b[0])
        return a[0] - b[0];
    return a[1] - b[1];
}

/* Set the working groups: dissolve or open as the sizes need. */
static void choose_groups(struct rb *s, long long *bound)
{
    const struct mg_assign_input *in = s->in;
    int G = in->n_groups, target = G, g, i;
    int *size = mg_xcalloc((size_t)G + 1, sizeof(int));
    int *facs = mg_xcalloc((size_t)G + 1, sizeof(int));
    int *locked = mg_xcalloc((size_t)G + 1, sizeof(int));
    int *dissolved = mg_xcalloc((size_t)G + 1, sizeof(int));
    int *pairs = mg_xmalloc(((size_t)G + 1) * 2 * sizeof(int));
    long long n = s->n, over_max = 0;
    size_t p;

    for (p = 0; p < in->n_people; p++) {
        const struct mg_person *pp = &in->people[p];

        if (pp->current < 0)
            continue;
        size[pp->current]++;
        facs[pp->current] += pp->facilitator != 0;
        locked[pp->current] += pp->locked != 0;
    }
    if (n > (long long)G * in->size_max)
        target = (int)((n + in->size_max - 1) / in->size_max);
    else if (n < (long long)G * in->size_min) {
        /* the most groups of at least size_min; when no count fits both
         * bounds, too small beats too large, as when planning */
        target = (int)(n / in->size_min);
        if ((long long)target * in->size_max < n)
            target = (int)((n + in->size_max - 1) / in->size_max);
        if (target < 1)
            target = 1;
    }
    for (g = 0; g < G; g++)
        over_max += size[g] > in->size_max ? size[g] - in->size_max : 0;
    *bound = over_max;
    if (target < G) {
        long long must = 0;
        int k = 0, closed = 0;

        for (g = 0; g < G; g++) {
            pairs[2 * k] = size[g];
            pairs[2 * k + 1] = g;
            k++;
        }
        qsort(pairs, (size_t)k, 2 * sizeof(int), cmp_size);
        for (i = 0; i < G - target; i++)
            must += pairs[2 * i];
        if (must > *bound)
            *bound = must;
        for (i = 0; i < k && closed < G - target; i++) {
            if (locked[pairs[2 * i + 1]])
                continue;
            dissolved[pairs[2 * i + 1]] = 1;
            closed++;
        }
        target = G - closed;
    }
    s->spec =
        mg_xmalloc(((size_t)(target > G ? target : G) + 1) * sizeof(*s->spec));
    s->origin =
        mg_xmalloc(((size_t)(target > G ? target : G) + 1) * sizeof(int));
    s->g = 0;
    for (g = 0; g < G; g++) {
        if (dissolved[g])
            continue;
        s->spec[s->g] = in->groups[g];
        s->origin[s->g++] = g;
    }
    if (s->g < target) {
        open_specs(in, s->spec, s->g, target, dissolved, facs, in->size_max);
        while (s->g < target)
            s->origin[s->g++] = -1;
    }
    for (g = 0; g < G; g++)
        size[g] = -1; /* now: input group -> working group */
    for (g = 0; g < s->g; g++)
        if (s->origin[g] >= 0)
            size[s->origin[g]] = g;
    for (p = 0; p < in->n_people; p++) {
        int cur = in->people[p].current;

        s->placed[p] = cur >= 0;
        s->home[p] = cur >= 0 ? size[cur] : -1;
    }
    free(size);
    free(facs);
    free(locked);
    free(dissolved);
    free(pairs);
}

/* The slot rule and the facilitator rule, for the working groups. */
static void set_rules(struct rb *s, int exempt_too)
{
    const struct mg_assign_input *in = s->in;
    uint32_t used = 0, fac_slots = 0;
    int any_slot = 0, fac_any = 0, g, n_fac = 0, p;

    s->keys = 0;
    s->n_keys = in->n_slots + 1;
    for (g = 0; g < s->g; g++) {
        s->keys |= (uint64_t)1 << group_key(s, g);
        if (s->spec[g].slot < 0)
            any_slot = 1;
        else
            used |= (uint32_t)1 << s->spec[g].slot;
    }
    for (p = 0; p < s->n; p++) {
        const struct mg_person *pp = &in->people[p];
        uint32_t m = person_mask(in, pp);
        int any = any_slot || (m & used) || in->n_slots == 0;

        if (exempt_too)
            s->exempt[p] =
                !any || (pp->locked && s->home[p] >= 0 &&
                         !can_make(in, pp, s->spec[s->home[p]].slot));
        if (pp->facilitator) {
            n_fac++;
            fac_any = 1;
            fac_slots |= s->exempt[p] ? UINT32_MAX : m;
        }
    }
    for (g = 0; g < s->g; g++)
        s->need_fac[g] =
            n_fac >= s->g &&
            (s->spec[g].slot < 0 ? fac_any
                                 : (int)((fac_slots >> s->spec[g].slot) & 1));
}

/*
 * A lower bound on moves from "apart" pairs: pairs whose two people are
 * placed in the same group now, at least one of them free to move, and
 * sharing no person with another pair counted (a greedy matching). Any
 * valid plan moves one person of each, and no person serves two.
 */
static long long apart_matching(const struct mg_assign_input *in)
{
    unsigned char *used = mg_xcalloc(in->n_people + 1, 1);
    long long n = 0;
    size_t i;

    for (i = 0; i < in->n_apart; i++) {
        int a = in->apart[i].a, b = in->apart[i].b;
        const struct mg_person *pa = &in->people[a], *pb = &in->people[b];

        if (a == b || used[a] || used[b] || pa->current < 0 ||
            pa->current != pb->current || (pa->locked && pb->locked))
            continue;
        used[a] = used[b] = 1;
        n++;
    }
    free(used);
    return n;
}

int mg_group_rebalance(struct mg_assign_result *out,
                       const struct mg_assign_input *in)
{
    struct rb s;
    struct issue_list issues = {NULL, 0, 0};
    long long moves = 0, lb = 0, bound = 0;
    int rc, stage, p, G, *best;

    memset(out, 0, sizeof(*out));
    rc = input_check(in, in ? in->n_groups : 0);
    if (rc < 0)
        return rc;
    if (in->n_groups <= 0)
        return MG_EINVAL; /* nothing to rebalance; plan() chooses groups */
    memset(&s, 0, sizeof(s));
    s.in = in;
    s.n = (int)in->n_people;
    s.ns = in->n_sectors;
    s.nr = in->n_regions;
    s.home = mg_xmalloc(((size_t)s.n + 1) * sizeof(int));
    s.placed = mg_xmalloc(((size_t)s.n + 1) * sizeof(int));
    s.exempt = mg_xmalloc(((size_t)s.n + 1) * sizeof(int));
    s.group_of = mg_xmalloc(((size_t)s.n + 1) * sizeof(int));
    best = mg_xmalloc(((size_t)s.n + 1) * sizeof(int));
    choose_groups(&s, &bound);
    G = s.g;
    s.need_fac = mg_xcalloc((size_t)G + 1, sizeof(int));
    set_rules(&s, 1);
    {
        /* rules no assignment can meet are left out */
        struct mg_pair *pairs = mg_xmalloc((in->n_apart + 1) * sizeof(*pairs));
        size_t i, k = 0;

        for (i = 0; i < in->n_apart; i++) {
            const struct mg_person *a = &in->people[in->apart[i].a];
            const struct mg_person *b = &in->people[in->apart[i].b];

            if (a->locked && b->locked && a->current >= 0 &&
                a->current == b->current)
                continue;
            pairs[k++] = in->apart[i];
        }
        adj_build(&s.apart, in->n_people, pairs, k);
        adj_build(&s.together, in->n_people, in->together, in->n_together);
        free(pairs);
    }
    rc = MG_ENOTFOUND;
    for (stage = 0; stage < 4 && rc < 0; stage++) {
        if (stage == 0 || stage == 2) {
            s.lo = s.n / G;
            s.hi = (s.n + G - 1) / G;
        } else if (stage == 1) {
            if ((long long)G * in->size_min > s.n ||
                (long long)G * in->size_max < s.n)
                continue;
            s.lo = in->size_min;
            s.hi = in->size_max;
        } else {
            s.lo = 0;
            s.hi = s.n;
        }
        if (stage == 2)
            memset(s.need_fac, 0, (size_t)G * sizeof(int));
        rc = solve_exact(&s, best, &moves, &lb);
    }
    if (rc < 0) {
        /* cannot happen: the last stage has no rule a flow can break */
        for (p = 0; p < s.n; p++)
            best[p] = s.home[p] >= 0 ? s.home[p] : 0;
    }
    /* Balance within the moves allowed. */
    memcpy(s.group_of, best, (size_t)s.n * sizeof(int));
    s.budget = moves > in->max_moves ? moves : in->max_moves;
    ls_init(&s);
    local_search(&s);
    if (count_apart(&s) == 0 || rc < 0)
        memcpy(best, s.group_of, (size_t)s.n * sizeof(int));
    ls_release(&s);
    out->group_of = best;
    out->moves = 0;
    for (p = 0; p < s.n; p++)
        out->moves += (size_t)moved(&s, p, best[p]);
    if (rc == 0 && stage == 1 && G > in->n_groups) {
        /*
         * Groups were opened: a plan could have chosen other slots for
         * them. Letting the new groups meet "in any slot" relaxes every
         * such choice at once, so its least cost bounds them all.
         */
        int *slot = mg_xmalloc(((size_t)G + 1) * sizeof(int));
        int *scratch = mg_xmalloc(((size_t)s.n + 1) * sizeof(int));
        long long m2;

        for (p = 0; p < G; p++) {
            slot[p] = s.spec[p].slot;
            if (s.origin[p] < 0)
                s.spec[p].slot = -1;
        }
        set_rules(&s, 0);
        if (solve_exact(&s, scratch, &m2, &lb) < 0)
            lb = bound;
        for (p = 0; p < G; p++)
            s.spec[p].slot = slot[p];
        free(slot);
        free(scratch);
    } else if (G != in->n_groups || stage > 1) {
        lb = bound; /* a bound that holds whichever groups a plan keeps */
    }
    {
        /* apart pairs seated together now, sharing no one: each needs a
         * mover of its own, whatever the search managed to prove */
        long long pairs = apart_matching(in);

        if (pairs > lb && stage <= 2)
            lb = pairs;
    }
    if (lb > (long long)out->moves)
        lb = (long long)out->moves;
    out->moves_lower_bound = (size_t)lb;
    /* Issues and figures over the groups that remain. */
    report_issues(&issues, in, best, s.spec, G);
    mg_group_evaluate(&out->quality, in, best, s.spec, G);
    out->issues = issues.v;
    out->n_issues = issues.n;
    /* Then the answer in the input's numbering, opened groups after. */
    for (p = 0; p < G; p++)
        out->n_opened += s.origin[p] < 0;
    out->n_dissolved = in->n_groups - (G - out->n_opened);
    out->n_groups = in->n_groups + out->n_opened;
    out->groups =
        mg_xmalloc(((size_t)out->n_groups + 1) * sizeof(*out->groups));
    memcpy(out->groups, in->groups,
           (size_t)in->n_groups * sizeof(*out->groups));
    {
        int *to = mg_xmalloc(((size_t)G + 1) * sizeof(int)), k = in->n_groups;

        for (p = 0; p < G; p++) {
            to[p] = s.origin[p] >= 0 ? s.origin[p] : k;
            if (s.origin[p] < 0)
                out->groups[k++] = s.spec[p];
        }
        for (p = 0; p < s.n; p++)
            best[p] = best[p] >= 0 ? to[best[p]] : -1;
        if (out->n_dissolved > 0) {
            out->dissolved = mg_xcalloc((size_t)in->n_groups + 1, 1);
            memset(out->dissolved, 1, (size_t)in->n_groups);
            for (p = 0; p < G; p++)
                if (s.origin[p] >= 0)
                    out->dissolved[s.origin[p]] = 0;
        }
        free(to);
    }
    free(s.spec);
    free(s.origin);
    adj_release(&s.apart);
    adj_release(&s.together);
    free(s.home);
    free(s.placed);
    free(s.exempt);
    free(s.need_fac);
    free(s.group_of);
    return 0;
}
