/*
 * internal.h: the builders behind mg_export_build(), one per kind of
 * export, each in its own file of src/export/.
 */
#ifndef MINGLE_EXPORT_INTERNAL_H
#define MINGLE_EXPORT_INTERNAL_H

#include "mingle/export.h"

struct mg_circle;

/* Append sheet `s` to the list `*out` of `*n`. */
void export_add(struct mg_sheet ***out, size_t *n, struct mg_sheet *s);

/* The builders, one per kind (src/export/<kind>.c). */
int export_roster(struct mg_sheet ***out, size_t *n, struct mg_store *st,
                  int64_t circle_id);
int export_groups(struct mg_sheet ***out, size_t *n, struct mg_store *st,
                  int64_t circle_id);
int export_attendance(struct mg_sheet ***out, size_t *n, struct mg_store *st,
                      int64_t circle_id);
int export_rsvps(struct mg_sheet ***out, size_t *n, struct mg_store *st,
                 int64_t circle_id);
int export_report(struct mg_sheet ***out, size_t *n, struct mg_store *st,
                  int64_t circle_id);
int export_survey(struct mg_sheet ***out, size_t *n, struct mg_store *st,
                  int64_t circle_id);
int export_cpd(struct mg_sheet ***out, size_t *n, struct mg_store *st,
               int64_t circle_id);

/* A time cell: UTC instant `t` as the wall clock in the circle's zone
 * shows it, "2027-03-23 19:30"; empty for 0. */
void export_time(struct mg_sheet *s, const struct mg_circle *c, int64_t t);
/* Slot `slot_id` of circle `c` as "Tue 19:30, 60 min", "" when it has
 * none of that id. */
void export_slot_text(char *out, size_t size, const struct mg_circle *c,
                      int64_t slot_id);
/* A text cell "yes" or "no". */
void export_yes_no(struct mg_sheet *s, int yes);

#endif
