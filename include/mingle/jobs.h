/*
 * jobs: glue for what happens at a time. Reminders before each group
 * call, the facilitator's mail after it, the coordinator's nudge when a
 * summary is late; a round takes the due jobs from the store (store/
 * jobs.h), checks each against its call as it is now, writes the mail
 * and queues it in the outbox in the transaction that marks the job
 * done. The daemon runs rounds in a scheduler thread that sleeps until
 * the next due job.
 */
#ifndef MINGLE_JOBS_H
#define MINGLE_JOBS_H

#include <stddef.h>
#include <stdint.h>

#include "mingle/core.h"

struct mg_store;
struct mg_reminder_settings;

/* What a round needs to write links and addresses. */
struct mg_jobs_config {
    const char *base_url;    /* the daemon's public URL, for links */
    const char *mail_domain; /* of the groups' addresses; may be NULL */
    const char *mail_from;   /* From when a circle has no organizer */
};

/* What one round did. */
struct mg_jobs_stats {
    size_t taken;          /* due jobs looked at */
    size_t reminders_sent; /* reminder mails queued (one per person) */
    size_t reminders_late; /* not sent: the call had begun */
    size_t followups;      /* facilitators' mails queued */
    size_t nudges;         /* coordinators' mails queued */
    size_t skipped;        /* jobs with nothing to send */
    size_t rescheduled;    /* jobs whose call moved later */
    size_t retried;        /* jobs that failed, due again later */
    size_t mails;          /* every mail queued */
};

/*
 * One round at time `now`: take up to `max` due jobs and do each (see
 * above). *out (may be NULL) says what it did. A job whose mail cannot
 * be queued stays due for the next round. A job that fails for a passing
 * reason (not MG_ENOTFOUND or MG_EINVAL) is due again a minute later,
 * then two, four ... (at most an hour), and skipped ("failed") at its
 * eighth failure or, for a reminder, once its call has begun.
 */
int mg_jobs_round(struct mg_jobs_stats *out, struct mg_store *st,
                  const struct mg_jobs_config *cfg, int64_t now, int max);

/* Reminders sent and late since the process started, for /metrics. */
void mg_jobs_totals(uint64_t *sent, uint64_t *late);

/*
 * Reminder offsets as a person writes them: "24h,1h", "90m", "2d",
 * "1440" (minutes), comma separated, each from 1 minute to 28 days, at
 * most MG_REMINDER_MAX_OFFSETS, no repeats. MG_EINVAL with `err`.
 */
int mg_jobs_offsets_parse(struct mg_reminder_settings *s, const char *text,
                          struct mg_error *err);
/* The offsets as "24h,1h" into out (n bytes). */
void mg_jobs_offsets_format(char *out, size_t n,
                            const struct mg_reminder_settings *s);

/*
 * A reminder's "can't come" link is /r/<person>/<session>/<mac>, the mac
 * signing the two ids with the daemon's "reminder-link" key, so it works
 * without the person's page token. Check a link's mac (in constant time)
 * and find what it names: the circle, and the call's start. MG_ENOTFOUND for a
 * bad mac or a call that is gone.
 */
int mg_jobs_cant_come_check(int64_t *circle_id, int64_t *starts_at,
                            struct mg_store *st, int64_t participant_id,
                            int64_t session_id, const char *mac);
/* Check as above, then record a decline for that one call only. */
int mg_jobs_cant_come(struct mg_store *st, int64_t participant_id,
                      int64_t session_id, const char *mac);

/* Make the jobs of a circle's new calls (after they are planned). */
int mg_jobs_sessions_added(struct mg_store *st, int64_t circle_id,
                           const int64_t *session_ids, size_t n);

struct mg_config;
struct mg_jobs_scheduler;
/*
 * The daemon's scheduler thread: it makes the jobs of calls that have
 * none, then sleeps until the next due job (at most a minute, or a
 * second when MINGLE_CLOCK_FILE sets the clock), runs rounds while
 * jobs are due, opens the surveys due (mg_survey_round) and wakes the
 * outbox sender through `wake(arg)` after a round that queued mail. Once
 * a day it also purges the circles whose retention expired
 * (mg_retention_round), half a second a wake until done. `st` is
 * borrowed.
 */
struct mg_jobs_scheduler *
mg_jobs_scheduler_start(const struct mg_jobs_config *cfg, struct mg_store *st,
                        void (*wake)(void *arg), void *arg);
/* Jobs were added or changed: look again now. */
void mg_jobs_scheduler_wake(struct mg_jobs_scheduler *s);
/* Stop it after the round in progress and free it; NULL is fine. */
void mg_jobs_scheduler_stop(struct mg_jobs_scheduler *s);

#endif
