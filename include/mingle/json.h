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
#include "mingle/survey.h"

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

/* What a survey's JSON shows beside its settings. */
struct mg_json_survey_facts {
    const char *time_zone;       /* the circle's, for local times */
    int64_t opens_at, closes_at; /* effective */
    int64_t now;
    int responses, attendees;
    const char *job_status; /* the opening mail's job; NULL: none */
    int64_t job_mails;
};
/*
 * A circle's survey settings: questions, times set (null: the default)
 * and effective, anonymity, state, counts. The caller owns the value.
 */
json_t *mg_json_survey_value(const struct mg_survey *s,
                             const struct mg_json_survey_facts *f);
/*
 * Apply a JSON object's fields to `s`: questions (null: the default
 * set), opens_at and closes_at (local times in `tz`, null: the default),
 * anonymous. Read-only fields of the GET are ignored; any other field is
 * MG_EINVAL naming it ("questions[1].kind"). Checks shapes only: the
 * rules are mg_survey_validate()'s.
 */
int mg_json_survey_update(struct mg_survey *s, json_t *doc, const char *tz,
                          struct mg_error *err);
/* A survey's results: responses, attendees, the rate, per question its
 * counts (or free texts) and a scale's mean. The caller owns it. */
json_t *mg_json_survey_results_value(const struct mg_survey_results *r);
/* Read back what mg_json_survey_results_value() wrote (a report kept
 * by a purge holds it) into `out` (the caller's,
 * mg_survey_results_release). MG_EINVAL when `v` is not such an object
 * (`out` then zeroed). */
int mg_json_survey_results_read(struct mg_survey_results *out, json_t *v);

#endif
