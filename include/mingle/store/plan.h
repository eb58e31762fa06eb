/*
 * plan: a circle's plan in one load: the circle with its slots, its groups,
 * the book's threads and both sets of weekly readings. What the calendar,
 * the digest and the pages each used to load piece by piece.
 */
#ifndef MINGLE_STORE_PLAN_H
#define MINGLE_STORE_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "mingle/circle.h"
#include "mingle/store/books.h"
#include "mingle/store/groups.h"

struct mg_store;

/* Everything here is owned by the view; mg_store_plan_release() frees it. */
struct mg_plan_view {
    struct mg_circle *circle;
    struct mg_group_row *groups; /* by position */
    size_t n_groups;
    struct mg_span *threads; /* in order; none without a book */
    size_t n_threads;
    struct mg_span *same; /* readings of plan "same_pace", by week */
    size_t n_same;
    struct mg_span *per_thread; /* plan "thread": by thread, then week */
    size_t n_per_thread;
};

/*
 * Load circle `circle_id`'s plan into *out (zeroed first). MG_ENOTFOUND
 * if there is no such circle; a circle without a book or groups loads
 * with empty arrays. On failure *out holds nothing. Release with
 * mg_store_plan_release() either way.
 */
int mg_store_plan_load(struct mg_plan_view *out, struct mg_store *st,
                       int64_t circle_id);

/* Free what `v` holds and zero it; the struct itself is the caller's. */
void mg_store_plan_release(struct mg_plan_view *v);

#endif
