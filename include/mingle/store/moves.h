/*
 * moves: what a participant in a group asked to change on their own
 * page (other call times, other thread wishes) and the coordinator has
 * still to act on. Asking changes nothing about the group: a request is
 * open until the coordinator moves the person (done) or says no
 * (dismissed). A person has at most one open request: a new one takes
 * its place.
 */
#ifndef MINGLE_STORE_MOVES_H
#define MINGLE_STORE_MOVES_H

#include <stddef.h>
#include <stdint.h>

#include "mingle/core.h"

struct mg_store;

enum mg_move_status {
    MG_MOVE_OPEN = 0,
    MG_MOVE_DONE,
    MG_MOVE_DISMISSED,
};

struct mg_move_request {
    int64_t id, circle_id, participant_id;
    int64_t *slot_ids; /* the call slots they can make now */
    size_t n_slots;
    int64_t wishes[3]; /* thread ids, best first */
    size_t n_wishes;
    char *note; /* their words, or NULL */
    enum mg_move_status status;
    int64_t created_at, decided_at;
    /* Read only, from the person's record: */
    char *name, *email;
    int64_t group_id;
};

const char *mg_move_status_name(enum mg_move_status s);

/*
 * Record `m` (circle_id, participant_id, slots, wishes, note) as the
 * person's open request: a new one, or their open one rewritten (same
 * id, its time now); *id is its id. MG_ENOTFOUND when there is no such
 * person in the circle.
 */
int mg_store_move_request_put(int64_t *id, struct mg_store *st,
                              const struct mg_move_request *m);

/* Which of a circle's requests a list holds. */
struct mg_move_filter {
    int status;    /* an mg_move_status, or -1 for any */
    int64_t pid;   /* only this participant's; 0: anyone's */
    int64_t after; /* ids greater than this (the next page) */
    int limit;     /* at most this many; 0: all */
};

/*
 * Circle `circle_id`'s requests as `f` says, by id (oldest first). On
 * success *out is the caller's (mg_store_move_requests_free).
 */
int mg_store_move_requests_list(struct mg_move_request **out, size_t *n,
                                struct mg_store *st, int64_t circle_id,
                                const struct mg_move_filter *f);

/* How many of circle `circle_id`'s requests are in `status`. */
int mg_store_move_requests_count(size_t *n, struct mg_store *st,
                                 int64_t circle_id, enum mg_move_status status);

/*
 * Close request `id` of circle `circle_id` as `status` (done or
 * dismissed). MG_ENOTFOUND when there is no such request in the circle,
 * MG_ECONFLICT when it is closed already.
 */
int mg_store_move_request_close(struct mg_store *st, int64_t circle_id,
                                int64_t id, enum mg_move_status status);

/* Close participant `pid`'s open request, if any, as done (they were
 * moved); *closed says whether there was one. */
int mg_store_move_requests_done(int *closed, struct mg_store *st,
                                int64_t circle_id, int64_t pid);

void mg_store_move_requests_free(struct mg_move_request *list, size_t n);

#endif
