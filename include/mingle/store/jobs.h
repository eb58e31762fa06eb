/*
 * jobs: what the daemon must do at a time (a call's reminder at one
 * offset, the facilitator's mail after a call, the coordinator's nudge
 * when a summary is late), one row per job with a unique key; and each
 * circle's reminder settings and each person's opt-out. Deciding and
 * writing the mail is the jobs module's.
 *
 * A job belongs to a group call (a session), not to a person: a call's
 * reminder at one offset is one job, expanded to the group's members
 * when it is taken; each member's mail is queued with its own outbox
 * dedupe key (person, call, offset) in the transaction that marks the
 * job done, so it is sent once even across restarts.
 */
#ifndef MINGLE_STORE_JOBS_H
#define MINGLE_STORE_JOBS_H

#include <stddef.h>
#include <stdint.h>

#include "mingle/core.h"

struct mg_store;
struct mg_store_tx;

/* What a job does; stored as "reminder", "followup", "nudge". */
enum mg_job_kind { MG_JOB_REMINDER, MG_JOB_FOLLOWUP, MG_JOB_NUDGE };

/* Where a job stands; stored as "queued", "done", "skipped" (nothing
 * to send: a cancelled call, reminders off) or "late" (its time passed
 * while no daemon ran). */
enum mg_job_status { MG_JOB_QUEUED, MG_JOB_DONE, MG_JOB_SKIPPED, MG_JOB_LATE };

const char *mg_store_job_kind_name(enum mg_job_kind k);
const char *mg_store_job_status_name(enum mg_job_status s);

/* A job with what its session says now (session_* are 0 when the
 * session is gone). */
struct mg_job_row {
    int64_t id;
    int64_t circle_id;
    enum mg_job_kind kind;
    char key[64];
    int64_t session_id;
    int64_t group_id;
    int offset_minutes; /* after the start (reminders: negative) or, for
                           what comes after a call, after its end */
    int64_t due_at;
    enum mg_job_status status;
    int64_t done_at;
    char note[64];
    /* the session now */
    int64_t starts_at;
    int minutes;
    int week;
    int cancelled;
    int attempts; /* tries that failed for a passing reason (0: none) */
};

/* A circle's reminder settings. */
#define MG_REMINDER_MAX_OFFSETS 8
struct mg_reminder_settings {
    int enabled;
    int offsets[MG_REMINDER_MAX_OFFSETS]; /* minutes before a call */
    size_t n_offsets;
    int nudge_days; /* 0: no nudges */
};

/* The circle's settings, or the defaults (the columns' own) when it has
 * none stored. MG_ENOTFOUND when there is no such circle. */
int mg_store_reminder_settings_get(struct mg_reminder_settings *out,
                                   struct mg_store *st, int64_t circle_id);
/*
 * Store the circle's settings and bring its waiting jobs in line in one
 * transaction: reminders at offsets no longer set (or all, when turned
 * off) are dropped, those at new offsets made, nudges moved to the new
 * number of days. *added (may be NULL) counts jobs made.
 */
int mg_store_reminder_settings_put(size_t *added, struct mg_store *st,
                                   int64_t circle_id,
                                   const struct mg_reminder_settings *s);

/* A person's own choice: no reminders (1) or reminders (0);
 * MG_ENOTFOUND when they are not the circle's. And what they chose. */
int mg_store_participant_reminders_off(struct mg_store *st, int64_t circle_id,
                                       int64_t participant_id, int off);
int mg_store_participant_reminders_get(int *off, struct mg_store *st,
                                       int64_t participant_id);

/*
 * Make the jobs of group calls still ahead at `now` that have none yet:
 * of sessions `session_ids` (n of them) of circle `circle_id`, or of
 * every session of the circle when session_ids is NULL, or of every
 * circle when circle_id is 0 too. What exists is left as it is, so this
 * can run again at any time. *added (may be NULL) counts jobs made.
 */
int mg_store_jobs_sync(size_t *added, struct mg_store *st, int64_t circle_id,
                       const int64_t *session_ids, size_t n, int64_t now);

/* Up to `max` waiting jobs due at `now`, soonest first, with their
 * sessions; free() the array. */
int mg_store_jobs_due(struct mg_job_row **out, size_t *n, struct mg_store *st,
                      int64_t now, int max);

/* When the next waiting job (or survey opening, store/survey.h) is due;
 * MG_ENOTFOUND when none waits. */
int mg_store_jobs_next_due(int64_t *at, struct mg_store *st);

/* A waiting job's new due time (its call moved later). */
int mg_store_job_reschedule(struct mg_store *st, int64_t id, int64_t due_at);

/*
 * Inside `tx`: mark waiting job `id` `status` at `now` with `note` (may
 * be NULL). *changed is 0 when it was no longer waiting (another round
 * took it): the caller then rolls back what it queued.
 */
int mg_store_tx_job_finish(int *changed, struct mg_store_tx *tx, int64_t id,
                           enum mg_job_status status, int64_t now,
                           const char *note);

/*
 * Inside `tx`: waiting job `id` failed for a passing reason (`error`,
 * may be NULL): it is due again at `due_at` and its attempts counted.
 * *changed is 0 when it was no longer waiting.
 */
int mg_store_tx_job_retry(int *changed, struct mg_store_tx *tx, int64_t id,
                          int64_t due_at, const char *error);

/* The jobs of circle `circle_id` (0: every circle) due before
 * `due_before` (0: any time), soonest first, at most `limit` (0: all);
 * free() the array. */
int mg_store_jobs_list(struct mg_job_row **out, size_t *n, struct mg_store *st,
                       int64_t circle_id, int64_t due_before, int limit);

/* How many jobs have `status`, by its index. */
int mg_store_jobs_count(size_t *n, struct mg_store *st,
                        enum mg_job_status status);

/* Who a job's mail goes to: a group's current members (facilitators
 * only when `facilitators` is set). */
struct mg_job_person {
    int64_t id;
    char *name;
    char *email;
    char *time_zone; /* may be NULL: the circle's */
    int active;      /* status 'active' */
    int reminders_off;
};
int mg_store_job_people(struct mg_job_person **out, size_t *n,
                        struct mg_store *st, int64_t group_id,
                        int facilitators);
void mg_store_job_people_free(struct mg_job_person *p, size_t n);

/* *found: whether a published summary of group `group_id`'s week
 * `week` has arrived. */
int mg_store_summary_received(int *found, struct mg_store *st, int64_t group_id,
                              int week);

/* *found: whether a waiting reminder of session `session_id` nearer to
 * the call than `offset_minutes` (a greater offset) is due at `now`
 * too, so the farther one need not be sent as well. */
int mg_store_job_nearer_due(int *found, struct mg_store *st, int64_t session_id,
                            int offset_minutes, int64_t now);

/* The circle of session `session_id`; MG_ENOTFOUND. */
int mg_store_session_circle(int64_t *circle_id, struct mg_store *st,
                            int64_t session_id);

#endif
