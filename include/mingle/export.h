/*
 * export: a circle's data as the spreadsheets coordinators live in (the
 * roster, the groups, an attendance matrix, RSVPs, survey results, the
 * success report, CPD journal rows). Glue: each kind of export is a
 * builder that loads from the store and fills `sheet`s; the CLI
 * (`mingle export`), the API and the dashboard all go through
 * mg_export_build() and mg_export_write().
 */
#ifndef MINGLE_EXPORT_H
#define MINGLE_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "mingle/core.h"
#include "mingle/sheet.h"

struct mg_store;

enum mg_export_format { MG_EXPORT_CSV, MG_EXPORT_XLSX };

/* What can be exported: `name` as the CLI and URLs spell it. */
struct mg_export_kind {
    const char *name;
    const char *title; /* for people, untranslated (the caller's _()) */
    /* Fill `*out` with `*n` new sheets (the main table first) for circle
     * `circle_id`: 0, or MG_ENOTFOUND / the store's code. */
    int (*build)(struct mg_sheet ***out, size_t *n, struct mg_store *st,
                 int64_t circle_id);
};

/* The kinds, in the order menus show them; `*n` gets how many. */
const struct mg_export_kind *mg_export_kinds(size_t *n);
/* The kind called `name`, or NULL. */
const struct mg_export_kind *mg_export_find(const char *name);
/* "csv" or "xlsx" into `*out`: 0, or MG_EINVAL. */
int mg_export_parse_format(enum mg_export_format *out, const char *s);

/*
 * Build export `what` of circle `circle_id` into `*out` (`*n` sheets; the
 * caller's, mg_export_free). MG_EINVAL for an unknown `what`,
 * MG_ENOTFOUND for an unknown circle, or the store's code.
 */
int mg_export_build(struct mg_sheet ***out, size_t *n, struct mg_store *st,
                    int64_t circle_id, const char *what);
/* Write the sheets: CSV is the first sheet alone, XLSX all of them. */
int mg_export_write(struct mg_buf *out, struct mg_sheet *const *sheets,
                    size_t n, enum mg_export_format format);
void mg_export_free(struct mg_sheet **sheets, size_t n);

/* The file name a download gets: "<slug or circle-ID>-<what>.<ext>". */
void mg_export_filename(char *out, size_t size, const char *slug,
                        int64_t circle_id, const char *what,
                        enum mg_export_format format);

#endif
