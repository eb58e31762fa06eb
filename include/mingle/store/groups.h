/*
 * groups: a circle's groups and who is in which, with the history of
 * moves kept (a membership is closed, never deleted).
 */
#ifndef MINGLE_STORE_GROUPS_H
#define MINGLE_STORE_GROUPS_H

#include <stddef.h>
#include <stdint.h>

#include "mingle/core.h"

struct mg_store;

/* A stored group. */
struct mg_group_row {
    int64_t id;
    int position;      /* 1-based */
    char *name;        /* "Group 1" */
    int64_t slot_id;   /* 0: none */
    int64_t thread_id; /* 0: none */
    char *address;     /* the local part of its mail address */
    int sequence;      /* goes up on every change to its calls */
    int64_t updated_at;
    char uid[48]; /* of the group's own calendar series */
};

/* Free an array of `n` group rows with their strings; NULL is fine. */
void mg_store_groups_free(struct mg_group_row *rows, size_t n);

/* The circle's groups by position; free with mg_store_groups_free. */
int mg_store_groups_list(struct mg_group_row **out, size_t *n,
                         struct mg_store *st, int64_t circle_id);
/* One group of the circle, MG_ENOTFOUND if it has none of that id; free
 * with mg_store_groups_free(*out, 1). */
int mg_store_group_get(struct mg_group_row **out, struct mg_store *st,
                       int64_t circle_id, int64_t group_id);

/*
 * Replace the circle's groups with `groups` (ids are filled in) and put
 * participant_ids[i] in groups[group_index[i]] (-1: in none), in one
 * transaction.
 */
int mg_store_groups_replace(struct mg_store *st, int64_t circle_id,
                            struct mg_group_row *groups, size_t n_groups,
                            const int64_t *participant_ids,
                            const int *group_index, size_t n_people);

/*
 * Where a replaced group's secrets go: the facilitator API tokens and
 * group secrets (notes feed URLs) of stored group `old_id` move to the
 * new groups[to_person] (the group its facilitator now leads), or, for
 * secrets other than API tokens, to groups[to_members] (where most of its
 * members went) when it has no such person. -1: nowhere; they are then
 * revoked (kept, as revoked, for the token list). In a rebalance the
 * target may be a group that stays: person_group_id or members_group_id
 * (0: none) then name it, and to_person or to_members index `added`.
 */
struct mg_group_carry {
    int64_t old_id;
    int to_person;
    int to_members;
    int64_t person_group_id;
    int64_t members_group_id;
};

/*
 * mg_store_groups_replace(), with the current groups' live tokens and
 * secrets carried over as `carry` says (a group not in it: revoked)
 * rather than deleted with their group.
 */
int mg_store_groups_replace_carry(struct mg_store *st, int64_t circle_id,
                                  struct mg_group_row *groups, size_t n_groups,
                                  const int64_t *participant_ids,
                                  const int *group_index, size_t n_people,
                                  const struct mg_group_carry *carry,
                                  size_t n_carry);

/*
 * Move participant_ids[i] to group_ids[i] (0: out of every group), in one
 * transaction: the current membership is closed, a new one opened, so
 * the history of who was where stays.
 */
/*
 * Store a rebalance in one transaction: add `added` groups (their ids are
 * filled in), move participant_ids[i] to group_ids[i], or when that is 0
 * to added[added_index[i]] (or to no group when both say none: -1), and
 * delete the groups in `dissolved` (their members have all been moved;
 * their invites outlive them, so the members are sent a CANCEL).
 */
int mg_store_groups_rebalance(struct mg_store *st, int64_t circle_id,
                              struct mg_group_row *added, size_t n_added,
                              const int64_t *dissolved, size_t n_dissolved,
                              const int64_t *participant_ids,
                              const int64_t *group_ids, const int *added_index,
                              size_t n);

/*
 * mg_store_groups_rebalance(), with the live tokens and secrets of the
 * dissolved groups carried over as `carry` says (a dissolved group not
 * in it: revoked) rather than deleted with their group.
 */
int mg_store_groups_rebalance_carry(
    struct mg_store *st, int64_t circle_id, struct mg_group_row *added,
    size_t n_added, const int64_t *dissolved, size_t n_dissolved,
    const int64_t *participant_ids, const int64_t *group_ids,
    const int *added_index, size_t n, const struct mg_group_carry *carry,
    size_t n_carry);

int mg_store_memberships_move(struct mg_store *st, int64_t circle_id,
                              const int64_t *participant_ids,
                              const int64_t *group_ids, size_t n);

#endif
