/*
 * changes: what one change to a circle touches, read without loading the
 * whole circle: the people and invitations of a few groups and persons,
 * a few groups by id, and the figures (sizes, facilitators, people off
 * their group's slot, apart pairs together) that say whether a circle's
 * groups keep the hard rules, counted by SQL rather than in memory.
 */
#ifndef MINGLE_STORE_CHANGES_H
#define MINGLE_STORE_CHANGES_H

#include <stddef.h>
#include <stdint.h>

#include "mingle/core.h"
#include "mingle/people.h"
#include "mingle/store/calendar.h"
#include "mingle/store/groups.h"

struct mg_store;

/*
 * The people a change to persons `person_ids` and groups `group_ids`
 * concerns: those persons, the current members of those groups, and
 * anyone holding an invitation to one of those groups, by id, whatever
 * their status. Only what the calendar needs is read: id, names, email,
 * role, status, locked and current group (no slots, wishes or links).
 * *out is the caller's (mg_participants_free).
 */
int mg_store_people_touched(struct mg_participant **out, size_t *n,
                            struct mg_store *st, int64_t circle_id,
                            const int64_t *person_ids, size_t n_persons,
                            const int64_t *group_ids, size_t n_groups);

/* Every invitation of persons `person_ids` in the circle, by id; free(). */
int mg_store_invites_of(struct mg_invite_row **out, size_t *n,
                        struct mg_store *st, int64_t circle_id,
                        const int64_t *person_ids, size_t n_persons);

/* The circle's groups among `ids`, by position (mg_store_groups_free). */
int mg_store_groups_get(struct mg_group_row **out, size_t *n,
                        struct mg_store *st, int64_t circle_id,
                        const int64_t *ids, size_t n_ids);

/* One group as the hard rules see it, counting active members only. */
struct mg_group_census {
    int64_t id;
    int position;
    int64_t slot_id; /* 0: none */
    int64_t thread_id;
    int size;
    int facilitators;
    int off_slot; /* members with slots of the circle, none of them this */
};

/*
 * The circle's groups among `group_ids` (all of them when `group_ids` is
 * NULL), by position, with their counts, and in *apart_together the
 * number of "apart" links between two active members of the same group
 * that involve one of `person_ids` (any person when NULL). free() *out.
 */
int mg_store_group_census(struct mg_group_census **out, size_t *n,
                          int *apart_together, struct mg_store *st,
                          int64_t circle_id, const int64_t *group_ids,
                          size_t n_groups, const int64_t *person_ids,
                          size_t n_persons);

/* *count: links ("with" or "apart") of people of the circle that name
 * one of persons `person_ids` by address. */
int mg_store_links_naming(size_t *count, struct mg_store *st, int64_t circle_id,
                          const int64_t *person_ids, size_t n_persons);

/*
 * A circle's rebalance mark: when its groups were last known to keep
 * the hard rules, and what they were like then, so that the next
 * rebalance need only look at what changed since (`at`, in seconds: a
 * change in that second counts as after it). `room` lists (as a JSON
 * array of ids, at most MG_MARK_ROOM) groups that then had fewer than
 * `largest` people.
 */
#define MG_MARK_ROOM 64
struct mg_rebalance_mark {
    int64_t at;
    int64_t max_id;       /* the highest participant id then */
    int64_t participants; /* the circle's people then (ids up to max_id) */
    int smallest, largest;
    int group_min, group_max, n_slots; /* the circle's then */
    int64_t room[MG_MARK_ROOM];
    size_t n_room;
    /* after a plan, which replaced every group and membership: the
     * highest membership and group ids it wrote (0: none), not changes
     * since the mark but what the mark describes */
    int64_t own_memberships, own_groups;
};

/* MG_ENOTFOUND when the circle has none. */
int mg_store_mark_get(struct mg_rebalance_mark *m, struct mg_store *st,
                      int64_t circle_id);
int mg_store_mark_set(struct mg_store *st, int64_t circle_id,
                      const struct mg_rebalance_mark *m);
int mg_store_mark_clear(struct mg_store *st, int64_t circle_id);

/* The circle as the mark's check counts it. */
struct mg_store_tally {
    int64_t kept;   /* people with ids up to the mark's max_id */
    int64_t added;  /* people with higher ids */
    int64_t max_id; /* the highest participant id now (any circle) */
    int64_t active; /* active people */
    int64_t groups;
};

/*
 * What changed in circle `circle_id` since mark `m`: *people (ids,
 * free()) whose details, status or group changed or who were added,
 * *groups (ids, free()) they left or joined or are in, or whose calls or
 * slot changed, and the circle's tally against the mark's max_id
 * (t->kept below the mark's count: someone was erased). One read,
 * through indexes.
 */
int mg_store_changed_since(int64_t **people, size_t *n_people, int64_t **groups,
                           size_t *n_groups, struct mg_store_tally *t,
                           struct mg_store *st, int64_t circle_id,
                           const struct mg_rebalance_mark *m);

/* The highest membership and group ids so far (for own_memberships and
 * own_groups, right after a plan is stored). */
int mg_store_mark_own(int64_t *memberships, int64_t *groups,
                      struct mg_store *st);

/* How many people the circle has (any status), how many are active,
 * how many groups, and the highest participant id. */
int mg_store_circle_counts(int64_t *total, int64_t *active, int64_t *groups,
                           int64_t *max_id, struct mg_store *st,
                           int64_t circle_id);

#endif
