/*
 * assign: the glue between a circle in the store and the `group` module.
 * It loads the circle's active participants, slots, threads and current
 * groups, turns them into the index-based input mg_group_plan() and
 * mg_group_rebalance() take, and maps the answer back to ids for `http`
 * and `cli` to show or store. Waitlisted and withdrawn people are left
 * out; with/apart links to people not in the circle are ignored.
 */
#ifndef MINGLE_ASSIGN_H
#define MINGLE_ASSIGN_H

#include <stddef.h>
#include <stdint.h>

#include "mingle/group.h"
#include "mingle/people.h"
#include "mingle/store.h"

/* A stored id and its index in one of struct mg_assign's arrays. */
struct mg_assign_key {
    int64_t id;
    int index;
};

struct mg_assign {
    struct mg_circle *circle;
    struct mg_participant *people; /* active ones, by id */
    size_t n_people;
    struct mg_span *threads;
    size_t n_threads;
    struct mg_span *same, *per_thread; /* the weekly readings, as
                                          mg_store_plan_load() gives them */
    size_t n_same, n_per_thread;
    struct mg_group_row *groups; /* stored groups, by position */
    size_t n_groups;
    struct mg_assign_key *group_keys; /* the groups' ids, sorted, with
                                         their index: lookups by id */
    char **sectors; /* distinct sectors (lower case), index = value */
    size_t n_sectors;
    char **regions;
    size_t n_regions;
    struct mg_person *persons; /* the group module's view of people */
    const char **names;        /* people's names, for messages */
    struct mg_pair *together, *apart;
    size_t n_together, n_apart;
    struct mg_group_spec *specs; /* stored groups as slot/thread indices */
    struct mg_assign_input in;
    struct mg_assign_result result; /* after plan or rebalance */
    int have_result;
    /* after mg_assign_commit_rebalance: the ids of the groups it opened,
       result.groups[n_groups + k] stored as opened_ids[k] */
    int64_t *opened_ids;
    size_t n_opened_ids;
};

/* Load circle `circle_id`. Release with mg_assign_release(). */
int mg_assign_load(struct mg_assign *a, struct mg_store *st, int64_t circle_id);
void mg_assign_release(struct mg_assign *a);

/*
 * Plan from scratch: the planner chooses how many groups and their slots
 * and threads. People locked in a stored group keep it (the stored groups
 * are then the layout).
 */
int mg_assign_plan(struct mg_assign *a, uint64_t seed);

/* Repair the stored groups after joins, withdrawals and moves. */
int mg_assign_rebalance(struct mg_assign *a, uint64_t seed);

/* Store a plan (replacing the circle's groups). */
int mg_assign_commit_plan(struct mg_assign *a, struct mg_store *st);

/*
 * What a rebalance allowed up to `max_moves` moves would give, beside
 * the one in a->result (left as it is): its moves and quality. For a
 * preview of both, fewest moves and better balance.
 */
int mg_assign_rebalance_alternative(struct mg_assign *a, int max_moves,
                                    size_t *moves, struct mg_quality *q);

/* Store a rebalance: move only the people whose group changed, create
 * the groups it opened (their ids in a->opened_ids) and delete those it
 * dissolved. */
int mg_assign_commit_rebalance(struct mg_assign *a, struct mg_store *st);

/* Score the stored groups as they are (fills a->result.quality). */
void mg_assign_evaluate_current(struct mg_assign *a, struct mg_quality *q);

/*
 * The people a move concerns, as mg_group_check_move() reads them: the
 * person (index 0) and the active members of the groups they leave and
 * join, with the apart links between the person and those members;
 * every group as the planner numbers them. The rules a move breaks
 * depend on nothing else, so the check reads two groups, not the circle.
 */
struct mg_move_scope {
    struct mg_circle *c;
    struct mg_group_row *groups;
    size_t n_groups;
    struct mg_participant *me, *from, *to;
    size_t n_from, n_to;
    const struct mg_participant **people;
    const char **names;
    struct mg_person *persons;
    struct mg_group_spec *specs;
    struct mg_pair *apart;
    size_t n_people, n_apart;
    struct mg_assign_input in;
};

/*
 * Load what moving participant `person_id` into group `group_id` concerns
 * (src/assign/move.c); *to is the group's number, or -1 when the group is
 * not in the circle (or the person is not active: m->me says). Release
 * with mg_assign_scope_release(), whatever it returns.
 */
int mg_assign_scope_load(struct mg_move_scope *m, int *to, struct mg_store *st,
                         int64_t circle_id, int64_t person_id,
                         int64_t group_id);
void mg_assign_scope_release(struct mg_move_scope *m);

/*
 * Move participant `person_id` into stored group `group_id`, after
 * checking the hard rules (mg_group_check_move) over the move's scope
 * alone, not the circle: MG_ENOTFOUND (err names the field) when the
 * person is not active in the circle or the group not its; MG_ECONFLICT
 * with the broken rules in *issues (people numbered as m->people, free
 * with mg_issues_free) unless `force`; otherwise the move is stored (a
 * forced one still lists what it breaks). Queueing the invitations it
 * calls for is the caller's. Release m with mg_assign_scope_release().
 */
int mg_assign_move_scoped(struct mg_move_scope *m, int *to,
                          struct mg_issue **issues, size_t *n_issues,
                          struct mg_store *st, int64_t circle_id,
                          int64_t person_id, int64_t group_id, int force,
                          struct mg_error *err);

/* The index of the stored group with id `group_id`, or -1. */
int mg_assign_group_index(const struct mg_assign *a, int64_t group_id);

/* The index of participant `id` among a->people, or -1. */
int mg_assign_person_index(const struct mg_assign *a, int64_t id);

/*
 * How many of `issues` break a hard rule (size, facilitators, slot,
 * apart, locked, unplaced, ...): all but "together", which is a wish.
 * A plan or rebalance with any is stored only when the coordinator
 * forces it.
 */
size_t mg_assign_hard_issues(const struct mg_issue *issues, size_t n);

/* A newcomer placed by mg_assign_quick_rebalance(). */
struct mg_assign_placement {
    int64_t person_id;
    char *name;
    enum mg_person_role role;
    int64_t group_id;
    int group_position;
    int64_t slot_id, thread_id; /* the group's */
    int size, facilitators;     /* the group's, with the newcomers */
};

struct mg_assign_quick {
    int applied; /* 1: done here; 0: the full rebalance is needed */
    struct mg_assign_placement *placed;
    size_t n_placed;
    size_t n_groups;
    int smallest, largest; /* group sizes after */
};

/*
 * A rebalance without loading the circle (src/assign/quick.c): when the
 * circle has a mark (mg_assign_mark) and the store's counts of what
 * changed since show the groups keep every hard rule and the only people
 * without a group are a few newcomers, with no with/apart links, who
 * each fit a group with room on a slot they can make, they are placed
 * there (a thread they wish for first, then the smallest group), nobody
 * else moves, and with `store` the placements and a new mark are stored.
 * Otherwise q->applied is 0 and nothing is stored. Release with
 * mg_assign_quick_release().
 */
int mg_assign_quick_rebalance(struct mg_assign_quick *q, struct mg_store *st,
                              int64_t circle_id, int store);
void mg_assign_quick_release(struct mg_assign_quick *q);

/*
 * After a plan or rebalance `a` is stored: leave the circle's rebalance
 * mark (store/changes.h) when the result keeps every hard rule, so the
 * next mg_assign_quick_rebalance() need only look at what changes after
 * `at` (taken before the circle was loaded); clear it otherwise.
 * `participants` and `max_id` are how many people the circle had then,
 * any status, and the highest id among them (mg_store_circle_counts,
 * before the load). `replaced`: `a` was a plan, which replaced every
 * group and membership (mg_assign_commit_plan), so what it wrote is not
 * a change the next rebalance need look at.
 */
int mg_assign_mark(struct mg_store *st, const struct mg_assign *a, int64_t at,
                   int64_t participants, int64_t max_id, int replaced);

#endif
