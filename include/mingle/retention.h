/*
 * retention: how long a circle keeps its people's personal data, and
 * the purge that erases it. A circle's data is kept `days` days after its
 * last call ends (default MG_RETENTION_DEFAULT_DAYS; none: until a
 * coordinator purges it by hand), then a purge erases every person as
 * thoroughly as one person's erasure (mg_store_participant_erase), a
 * batch of people per transaction, having kept the success report as it
 * was, and, when the coordinator chose it, the facilitators' summaries
 * with names and addresses taken out. The daemon's scheduler purges the
 * expired circles once a day (mg_retention_round); `mingle circle purge`
 * does one now. Glue: rules here, storage in store/retention.h.
 */
#ifndef MINGLE_RETENTION_H
#define MINGLE_RETENTION_H

#include <stddef.h>
#include <stdint.h>

#include "mingle/core.h"

struct mg_store;

#define MG_RETENTION_DEFAULT_DAYS 365
/* at least a month: the survey (open two weeks after the last call by
 * default) and the certificates mailed at the close need the people */
#define MG_RETENTION_MIN_DAYS 30
#define MG_RETENTION_MAX_DAYS 3650 /* ten years */
#define MG_RETENTION_DAY (24 * 60 * 60)

/* A circle's retention as people see it. */
struct mg_retention {
    int64_t circle_id;
    int days;           /* after the last call; 0: until purged by hand */
    int keep_summaries; /* keep summaries without names */
    int is_default;     /* nobody set it: the defaults */
    int64_t ends_at;    /* when the circle's last call ends */
    int64_t expires_at; /* ends_at + days; 0 when kept until purged */
    int64_t purge_started_at, purged_at; /* 0: not */
};

/* Circle `circle_id`'s retention into *out. MG_ENOTFOUND. */
int mg_retention_get(struct mg_retention *out, struct mg_store *st,
                     int64_t circle_id);

/*
 * Check and store circle `circle_id`'s retention: `days` from 1 to
 * MG_RETENTION_MAX_DAYS, or 0 for "until purged by hand";
 * `keep_summaries` 0 or 1. MG_EINVAL with `err` naming the field.
 */
int mg_retention_set(struct mg_store *st, int64_t circle_id, int days,
                     int keep_summaries, struct mg_error *err);

/* When data of a circle whose last call ends at `ends_at` expires with
 * `days` (0: never by itself). */
int64_t mg_retention_expiry(int64_t ends_at, int days);

/*
 * The text of a summary kept without names: quotes and signatures
 * dropped (mg_mail_strip_reply), every mail address made "[address]" and
 * every word of the `n` names (any case for ASCII letters) made
 * "[name]". Returns a new string (free()).
 */
char *mg_retention_scrub(const char *text, const char *const *names, size_t n);

/* What a purge did, or (dry run) would do. */
struct mg_purge_stats {
    size_t people;    /* erased (dry run: to erase) */
    size_t summaries; /* kept without names (dry run: to keep) */
    size_t rest;      /* the circle's other rows deleted */
    int kept_summaries;
    int finished; /* nothing of the circle's people is left */
};

enum {
    MG_PURGE_DRY_RUN = 1, /* say what would go, change nothing */
    MG_PURGE_NOW = 2,     /* before the retention expires */
};

/*
 * Purge circle `circle_id` at `now`: keep the report (the first time),
 * keep the summaries without names (if chosen), erase the people a
 * batch at a time, then the circle's other mail, notes and secrets, and
 * record it in the audit log as `actor` via `via` (counts only). A
 * circle whose retention has not expired is refused (MG_ECONFLICT, with
 * `err`) unless `flags` has MG_PURGE_NOW. With `budget` seconds (> 0)
 * it stops after the batch that passes it, finished 0, to go on later.
 * MG_ENOTFOUND for no such circle.
 */
int mg_retention_purge(struct mg_purge_stats *out, struct mg_store *st,
                       int64_t circle_id, int64_t now, int flags, double budget,
                       const char *actor, const char *via,
                       struct mg_error *err);

/*
 * The scheduler's daily look: purge every circle whose retention
 * expired by `now` and that still holds people (or whose purge is
 * unfinished), within `budget` seconds in all. *more says whether
 * something is left for the next call.
 */
int mg_retention_round(size_t *purged, int *more, struct mg_store *st,
                       int64_t now, double budget);

#endif
