/*
 * retention: how long a circle's personal data is kept, and the rows of
 * its purge. A circle's settings (none: the retention glue's defaults),
 * when its last call ends, the purge's progress and the success report
 * kept from just before it. Which circles are due, and what a purge
 * does in which order, are the retention glue's (src/retention/); this
 * is storage only.
 */
#ifndef MINGLE_STORE_RETENTION_H
#define MINGLE_STORE_RETENTION_H

#include <stddef.h>
#include <stdint.h>

#include "mingle/core.h"

struct mg_store;

/* A circle's retention settings as stored. */
struct mg_store_retention {
    int64_t circle_id;
    int found;          /* 0: no row (the defaults apply) */
    int days;           /* 0: kept until purged by hand */
    int keep_summaries; /* summaries kept without names */
    int64_t updated_at;
};

/* Circle `circle_id`'s settings into *out (found 0 when it has none). */
int mg_store_retention_get(struct mg_store_retention *out, struct mg_store *st,
                           int64_t circle_id);
/* Replace circle s->circle_id's settings (updated_at set here). */
int mg_store_retention_put(struct mg_store *st, struct mg_store_retention *s);

/*
 * When circle `circle_id`'s last call ends: the latest end of its calls
 * and plenary calls, and never before midnight (UTC) after its last
 * planned week. MG_ENOTFOUND for no such circle.
 */
int mg_store_retention_end(int64_t *end, struct mg_store *st,
                           int64_t circle_id);

/* A circle's purge, as far as it went. */
struct mg_store_purge {
    int found;                       /* 0: never begun */
    int64_t started_at, finished_at; /* finished_at 0: under way */
    int forced, keep_summaries;
    int64_t people, summaries; /* erased, and kept without names */
    int64_t remaining;         /* people the circle still has */
    int64_t named_summaries;   /* published summaries still naming */
};
/* Circle `circle_id`'s purge into *out; remaining and named_summaries
 * only with `counts` (they count rows). MG_ENOTFOUND for no circle. */
int mg_store_retention_purge_get(struct mg_store_purge *out,
                                 struct mg_store *st, int64_t circle_id,
                                 int counts);

/*
 * Begin circle `circle_id`'s purge at `now` with the report as it is
 * (its JSON document, borrowed), unless one was begun already, whose
 * report stays (*begun 0).
 */
int mg_store_retention_purge_begin(int *begun, struct mg_store *st,
                                   int64_t circle_id, int64_t now, int forced,
                                   int keep_summaries, const char *report);
/* Add to the purge's counts; with `finished_at`, mark it done then. */
int mg_store_retention_purge_note(struct mg_store *st, int64_t circle_id,
                                  int64_t people, int64_t summaries,
                                  int64_t finished_at);

/*
 * The report (JSON) kept by circle `circle_id`'s purge: *out is the
 * caller's to free(). MG_ENOTFOUND when the circle was never purged.
 */
int mg_store_retention_report(char **out, struct mg_store *st,
                              int64_t circle_id);

/* A published summary to keep without names. */
struct mg_store_summary {
    int64_t id, group_id;
    char *from_name, *from_email, *subject, *body;
    char **names; /* the names of everyone ever in its group */
    size_t n_names;
};
void mg_store_summaries_free(struct mg_store_summary *list, size_t n);

/*
 * Up to `max` of circle `circle_id`'s published summaries that still
 * name their sender, with the names of their group's people (anyone who
 * was ever a member). *out is the caller's (mg_store_summaries_free).
 */
int mg_store_retention_summaries(struct mg_store_summary **out, size_t *n,
                                 struct mg_store *st, int64_t circle_id,
                                 size_t max);
/*
 * Save `list`'s subjects and bodies (as the caller rewrote them) in one
 * transaction, and with each drop everything else that could name
 * someone: the sender (person, name, address), recipients, message ids,
 * the full text and raw message, attachments and filing keys.
 */
int mg_store_retention_summaries_save(struct mg_store *st,
                                      const struct mg_store_summary *list,
                                      size_t n);

/*
 * Delete up to `max` rows of circle `circle_id` that its people's
 * erasures leave: notes (but, with `keep_summaries`, published summaries
 * already without names), outbox mail to anyone, and secrets but
 * coordinators' (group feeds and facilitators' tokens). *n says how many
 * went (0: none left).
 */
int mg_store_retention_purge_rest(size_t *n, struct mg_store *st,
                                  int64_t circle_id, int keep_summaries,
                                  size_t max);

#endif
