/*
 * circles: a reading programme's own row and its call slots. The
 * circle's plan (groups, threads, readings) has its own loader in plan.h.
 */
#ifndef MINGLE_STORE_CIRCLES_H
#define MINGLE_STORE_CIRCLES_H

#include <stddef.h>
#include <stdint.h>

#include "mingle/core.h"
#include "mingle/circle.h"

struct mg_store;

/*
 * Circles. Create fills in id, created_at and updated_at on `c`; slots
 * get their ids too. MG_ECONFLICT if the slug is taken.
 */
int mg_store_circle_create(struct mg_store *st, struct mg_circle *c);

/* Circle `id` (or the one whose slug is `slug`) with its slots;
 * MG_ENOTFOUND if none. On success *out is the caller's; free it with
 * mg_circle_free(). */
int mg_store_circle_get(struct mg_circle **out, struct mg_store *st,
                        int64_t id);
int mg_store_circle_get_by_slug(struct mg_circle **out, struct mg_store *st,
                                const char *slug);

/*
 * Up to `limit` circles with id > `after`, by id. On success *out is an
 * array of *n circles, the caller's: free with mg_store_circles_free().
 */
int mg_store_circle_list(struct mg_circle **out, size_t *n, struct mg_store *st,
                         int64_t after, int limit);
/* Free an array of `n` circles from mg_store_circle_list; NULL is fine. */
void mg_store_circles_free(struct mg_circle *list, size_t n);

/*
 * Replace circle `c->id` with `c`, slots included (slots keep their ids
 * where weekday and start are unchanged). Sets c->updated_at.
 */
int mg_store_circle_update(struct mg_store *st, struct mg_circle *c);

/* Delete a circle and everything that hangs off it. */
int mg_store_circle_delete(struct mg_store *st, int64_t id);

#endif
