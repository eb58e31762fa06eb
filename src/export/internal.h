/*
 * internal.h: the builders behind mg_export_build(), one per kind of
 * export, each in its own file of src/export/.
 */
#ifndef MINGLE_EXPORT_INTERNAL_H
#define MINGLE_EXPORT_INTERNAL_H

#include "mingle/export.h"

/* Append sheet `s` to the list `*out` of `*n`. */
void export_add(struct mg_sheet ***out, size_t *n, struct mg_sheet *s);

/* The builders, each in its own file. */
int export_survey(struct mg_sheet ***out, size_t *n, struct mg_store *st,
                  int64_t circle_id); /* survey.c */

#endif
