/*
 * internal.h: what plan.c, rebalance.c and check.c share: input
 * validation, a seeded PRNG, "who is paired with whom" adjacency, an
 * issue list that grows, and the report of every unmet rule in a
 * finished assignment. Nothing here chooses where anyone goes.
 */
#ifndef MINGLE_GROUP_INTERNAL_H
#define MINGLE_GROUP_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "mingle/group.h"

/* splitmix64: tiny, seedable, good enough to shuffle and sample. */
struct rng {
    uint64_t s;
};

void rng_seed(struct rng *r, uint64_t seed);
uint64_t rng_next(struct rng *r);
/* Uniform in [0, n); n > 0. */
size_t rng_below(struct rng *r, size_t n);

/*
 * Input checks shared by every entry point: indices in range, sizes
 * sensible. `n_groups` is the number of groups `current` may point into
 * (0 while plan() has yet to choose them: any current is then accepted
 * and checked against the chosen count later). MG_EINVAL if not.
 */
int input_check(const struct mg_assign_input *in, int n_groups);

/* The slots a person can make, as a mask limited to the circle's slots. */
uint32_t person_mask(const struct mg_assign_input *in,
                     const struct mg_person *p);

/* Whether person `p` can make `slot` (a group without a slot suits all). */
int can_make(const struct mg_assign_input *in, const struct mg_person *p,
             int slot);

/*
 * Pairs as adjacency lists: the partners of person p are
 * to[start[p]] .. to[start[p + 1] - 1]. Pairs naming one person twice
 * are dropped. Release with adj_release().
 */
struct adj {
    size_t *start;
    int *to;
};

void adj_build(struct adj *a, size_t n_people, const struct mg_pair *pairs,
               size_t n_pairs);
void adj_release(struct adj *a);

/* Whether a and b are a pair in `pairs` (either order). */
int pair_listed(const struct mg_pair *pairs, size_t n, int a, int b);

/* A growable issue list; hand it over with issues_take(). */
struct issue_list {
    struct mg_issue *v;
    size_t n, cap;
};

void issue_add(struct issue_list *l, const char *rule, const int *people,
               size_t n_people, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void issue_list_release(struct issue_list *l);

/*
 * Add an issue for every rule the finished assignment leaves unmet:
 * size, facilitators, slot, apart, locked, together (contradictory or
 * unmet "together" pairs). `group_of` has one entry per person.
 */
void report_issues(struct issue_list *l, const struct mg_assign_input *in,
                   const int *group_of, const struct mg_group_spec *groups,
                   int n_groups);

/*
 * Minimum-cost flow (flow.c). Nodes 0..n-1; each arc gets an index e
 * (its residual twin is e ^ 1). Give nodes their supply (+) or demand
 * (-) with flow_supply(), optionally push a warm start along zero-cost
 * arcs with flow_push(), then flow_solve() routes all supply at the least
 * total cost: 0, or MG_ENOTFOUND when some cannot be routed (the flow
 * found so far is kept). No arc may be added after flow_solve().
 */
struct flow {
    int n, n_arcs, cap_arcs, first_terminal;
    int *from, *to, *cap, *cap0, *cost;
    long long *excess;
    int *start, *adj;
};

void flow_init(struct flow *f, int n_nodes);
int flow_edge(struct flow *f, int u, int v, int cap, int cost);
void flow_supply(struct flow *f, int v, int amount);
void flow_push(struct flow *f, int e, int amount);
int flow_solve(struct flow *f, long long *cost);
int flow_on(const struct flow *f, int e);
void flow_release(struct flow *f);

/*
 * Whether `count` of one sector or region in a group of `size` falls
 * outside the fair band [floor(nv*size/n), ceil(nv*size/n)], where nv of
 * the n people placed have that value (quality.c; 0 when n is 0).
 */
int band_miss(long long count, long long nv, long long size, long long n);

/* How messages name person `i`: in->names[i], or "person i+1". */
struct name_buf {
    char s[32];
};
const char *pname(const struct mg_assign_input *in, int i,
                  struct name_buf *buf);

/* How messages name slot `s`: in->slot_names[s] ("tuesday 19:30"), else
 * "slot s+1"; a group without a slot meets at "any time". */
struct slot_buf {
    char s[24];
};
const char *slot_name(const struct mg_assign_input *in, int s,
                      struct slot_buf *buf);

/* A count and its noun in plain English: "1 person", "2 people". */
struct count_buf {
    char s[64];
};
const char *count_noun(struct count_buf *buf, size_t n, const char *one,
                       const char *many);

#endif
