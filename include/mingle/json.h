/*
 * json: the JSON documents that more than one front door prints: a split
 * book's preview and a circle's success report. The API replies with them
 * and the `mingle` command prints them, so both show the same document.
 * Built with jansson; the figures come from `book` and `report`.
 */
#ifndef MINGLE_JSON_H
#define MINGLE_JSON_H

#include <jansson.h>

#include "mingle/book.h"
#include "mingle/report.h"

/*
 * The JSON a coordinator sees for a split book: the section tree, the
 * threads, both weekly plans and any warnings. The caller owns the value
 * (json_decref()).
 */
json_t *mg_json_book_preview_value(const struct mg_book *b,
                                   const struct mg_book_split *s, int weeks);
/* The same as indented text, without a final newline; free() it. */
char *mg_json_book_preview(const struct mg_book *b,
                           const struct mg_book_split *s, int weeks);

/*
 * A circle's success report: the circle, its groups and sessions, and
 * retention week by week. The caller owns the value (json_decref()).
 */
json_t *mg_json_report_value(const struct mg_report *r);
/* The same document as compact text (and a newline) onto `b`, a group
 * and a session at a time: never the whole document as one tree. */
void mg_json_report_write(struct mg_buf *b, const struct mg_report *r);
/* ... a piece at a time (report.h's cursor): the circle, then up to `max`
 * groups or sessions a call; 1 once the document is complete. */
int mg_json_report_next(struct mg_buf *b, const struct mg_report *r,
                        struct mg_report_cursor *c, size_t max);
/* The same as indented text ending in a newline; free() it. */
char *mg_json_report(const struct mg_report *r);
/*
 * Read a document written by the functions above back into *out (the
 * caller's, mg_report_release), the same figures: what a purged circle's
 * report is loaded from. MG_EINVAL for text that is not one.
 */
int mg_json_report_read(struct mg_report *out, const char *text);

#endif
