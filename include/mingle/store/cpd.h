/*
 * cpd: a circle's CPD journal settings (one row a circle; none: the
 * defaults) and the notes a journal's reflection prompt quotes. The
 * rules (what may be set, how rows are made) are the cpd module's.
 */
#ifndef MINGLE_STORE_CPD_H
#define MINGLE_STORE_CPD_H

#include <stddef.h>
#include <stdint.h>

#include "mingle/core.h"
#include "mingle/cpd.h"

struct mg_store;

/* Circle `circle_id`'s settings into *out (zeroed, circle_id set, when
 * it has none); the caller releases them (mg_cpd_settings_release). */
int mg_store_cpd_get(struct mg_cpd_settings *out, struct mg_store *st,
                     int64_t circle_id);
/* Replace circle s->circle_id's settings (updated_at set here). */
int mg_store_cpd_put(struct mg_store *st, struct mg_cpd_settings *s);

/* A published note a person sent in the group they are in now. */
struct mg_store_cpd_note {
    int64_t person_id;
    int week;
    char *text; /* the words they wrote (quotes and signature stripped) */
};
/*
 * Each person's first such note (by week, then as received): of
 * everyone in circle `circle_id` (`person_id` 0, by person) or of that
 * one. *out is the caller's (mg_store_cpd_notes_free).
 */
int mg_store_cpd_notes(struct mg_store_cpd_note **out, size_t *n,
                       struct mg_store *st, int64_t circle_id,
                       int64_t person_id);
void mg_store_cpd_notes_free(struct mg_store_cpd_note *notes, size_t n);

#endif
