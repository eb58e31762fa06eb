/*
 * group: placing a circle's participants into facilitated groups, and
 * rebalancing them with few moves when people join, leave or are moved.
 * Plain structs in and out, indices instead of ids: the caller (http,
 * cli) maps participants, slots and threads to 0-based indices, calls
 * this module, and stores the result.
 *
 * Hard rules: group sizes within [size_min, size_max] and differing by at
 * most 1 whenever the numbers allow; at least one facilitator per group;
 * every member can make the group's slot; "apart" pairs never share a
 * group; locked people stay where they are. Quality, after that: each
 * group's count of every sector and region within the proportional band
 * floor/ceil(n_v * size / N); thread wishes by rank; "together" pairs
 * share a group.
 */
#ifndef MINGLE_GROUP_H
#define MINGLE_GROUP_H

#include <stddef.h>
#include <stdint.h>

#include "mingle/core.h"

#define MG_GROUP_MAX_SLOTS 32 /* slot masks are 32-bit */
#define MG_GROUP_MAX_WISHES 3

/* One person to place. Everything is an index into the input's tables. */
struct mg_person {
    int facilitator; /* nonzero: can lead a group */
    int sector;      /* 0..n_sectors-1, or -1 if unknown */
    int region;      /* 0..n_regions-1, or -1 if unknown */
    uint32_t slots;  /* bit s set: can make slot s; 0 means any slot */
    int wishes[MG_GROUP_MAX_WISHES]; /* thread indices, best first */
    int n_wishes;
    int locked;  /* nonzero: must stay in `current` */
    int current; /* group index now, -1 if not placed */
};

/* A pair of people by index (a "together" or an "apart" rule). */
struct mg_pair {
    int a, b;
};

/* A group: the slot its calls use and the thread it follows (-1: none). */
struct mg_group_spec {
    int slot;
    int thread;
};

struct mg_assign_input {
    const struct mg_person *people;
    size_t n_people;
    int size_min, size_max;
    int n_slots, n_threads, n_sectors, n_regions;
    const struct mg_pair *together;
    size_t n_together;
    const struct mg_pair *apart;
    size_t n_apart;
    /*
     * Existing groups (for rebalancing, or a coordinator's fixed layout);
     * n_groups == 0 with groups == NULL lets mg_group_plan() choose how
     * many groups (the fewest that fit size_max) and their slots and
     * threads.
     */
    const struct mg_group_spec *groups;
    int n_groups;
    uint64_t seed; /* same input and seed, same answer */
    /*
     * Rebalance: 0 asks for the fewest moves; a larger number lets the
     * rebalance move up to that many placed people when it buys better
     * sector, region and wish balance (never fewer than the minimum).
     */
    int max_moves;
    /* Optional: people's names for messages ("person 4" without). */
    const char *const *names;
    /* Optional: slots' names for messages, n_slots of them, e.g.
     * "tuesday 19:30" ("slot 2" without). */
    const char *const *slot_names;
};

/* A rule that could not be met, with the people it concerns. */
struct mg_issue {
    char rule[32];     /* "facilitators", "size", "slot", "apart", ... */
    char message[256]; /* plain words, for a coordinator */
    int *people;       /* owned, indices into the input; may be NULL */
    size_t n_people;
};

/* How good an assignment is; every figure can be recomputed from it. */
struct mg_quality {
    int smallest, largest; /* group sizes */
    int size_violations;   /* groups outside [size_min, size_max] */
    int no_facilitator;    /* groups without one */
    int slot_violations;   /* members who cannot make their slot */
    int apart_violations;  /* "apart" pairs sharing a group */
    int together_met, together_total;
    int sector_misses; /* (group, sector) counts outside the band */
    int region_misses;
    int wishes_first; /* people in their first-choice thread */
    int wishes_any;   /* in any of their wished threads */
    int wishes_total; /* people with at least one wish */
    int unplaced;     /* people left without a group */
};

struct mg_assign_result {
    int *group_of; /* per person: group index, or -1 */
    struct mg_group_spec *groups;
    int n_groups;
    struct mg_issue *issues;
    size_t n_issues;
    struct mg_quality quality;
    size_t moves;             /* rebalance: placed people moved */
    size_t moves_lower_bound; /* rebalance: no plan can move fewer */
    /*
     * Rebalance: `groups` are the input's groups, in their order, then
     * the n_opened groups the rebalance opened (each with a slot its
     * members can make and a thread). dissolved[g] is nonzero for an
     * input group the rebalance dissolved (it has no members left; NULL
     * when none was, n_dissolved counts them).
     */
    unsigned char *dissolved;
    int n_opened, n_dissolved;
};

/*
 * Place everyone: hard rules first, then quality, by construction and
 * local search (swaps and moves scored from per-group counts). Rules that
 * cannot be met are listed in out->issues; nothing is invented (no
 * facilitator is made up). Release with mg_assign_result_release().
 * MG_EINVAL for input that is inconsistent (indices out of range).
 */
int mg_group_plan(struct mg_assign_result *out,
                  const struct mg_assign_input *in);

/*
 * Repair an existing assignment (people's `current` and in->groups):
 * place newcomers (current == -1) and move as few already-placed people
 * as the hard rules allow (the minimum, found exactly as a minimum-cost
 * flow); withdrawn people are simply absent from the input. When the
 * sizes need it, groups are opened (out->groups gains entries with
 * origin -1, each given a slot its members can make and a thread) or the
 * smallest dissolved. Among plans with the fewest moves, the one with
 * the best sector and region balance and wishes is preferred;
 * in->max_moves trades extra moves for balance. out->moves counts the
 * placed people whose group changed; out->moves_lower_bound is a true
 * bound no plan keeping the same groups can beat (equal to moves when
 * the minimum is proven).
 */
int mg_group_rebalance(struct mg_assign_result *out,
                       const struct mg_assign_input *in);

/*
 * Check moving person `who` into group `to` against the hard rules,
 * given everyone's `current`. 0 if allowed; MG_EINVAL with the reasons
 * in *issues (caller frees with mg_issues_free) otherwise.
 */
int mg_group_check_move(struct mg_issue **issues, size_t *n_issues,
                        const struct mg_assign_input *in, int who, int to);

/* Score an assignment (group_of per person over in->groups/n_groups). */
void mg_group_evaluate(struct mg_quality *q, const struct mg_assign_input *in,
                       const int *group_of, const struct mg_group_spec *groups,
                       int n_groups);

void mg_issues_free(struct mg_issue *issues, size_t n);
void mg_assign_result_release(struct mg_assign_result *r);

#endif
