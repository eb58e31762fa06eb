/*
 * scheduler.c: the daemon's jobs thread. It makes the jobs of calls that
 * have none (calls planned before this version, or by a CLI while no
 * daemon ran), then sleeps until the next due job, at most a minute (a
 * CLI in another process may add jobs without waking it), or a second
 * when MINGLE_CLOCK_FILE sets the clock, so a test that moves the clock
 * is seen at once; each wake also erases sign-ups never confirmed in
 * time (mg_signup_expire), opens the surveys due (mg_survey_round),
 * mails the certificates of circles that closed (mg_certify_mail_round,
 * half a second's work a wake until done), and once a day (and at start)
 * it purges the circles whose retention expired (mg_retention_round),
 * half a second's work a wake until done. Each round runs whatever the
 * others did; a wake where one failed is followed by a wait (doubling to
 * a minute while failures go on) so nothing spins, and a circle that
 * fails is put off by its round while the other circles go on. It
 * holds nothing of its own: a job is done only in the transaction that
 * queues its mail, so stopping it (or a crash) loses nothing and repeats
 * nothing.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mingle/certify.h"
#include "mingle/jobs.h"
#include "mingle/retention.h"
#include "mingle/signup.h"
#include "mingle/store.h"
#include "mingle/survey.h"
#include "mingle/worker.h"

#include "banned.h"

#define ROUND_MAX 64     /* jobs per round: one job is a group's mail */
#define LONGEST_SLEEP 60 /* seconds */
/* A purge's work per wake, in seconds: the reminders' rounds and the
 * other writers get their turn between. */
#define PURGE_BUDGET 0.5
#define SURVEY_BATCH 500 /* survey invitations per transaction */
/* Certificates mailed at a circle's close: this much drawing a wake, so
 * a large circle's thousands go out over many wakes between the rest. */
#define CERTIFY_BUDGET 0.5

struct mg_jobs_scheduler {
    struct mg_worker w;
    struct mg_store *store;
    struct mg_jobs_config cfg;
    char *base_url, *mail_domain, *mail_from;
    void (*wake)(void *arg);
    void *wake_arg;
    int64_t retention_next; /* the next daily look at expired circles */
    int retention_more;     /* a purge is under way: go on at once */
    int64_t fail_wait;      /* seconds after a failed wake, 0 after none */
};

static int64_t sleep_for(struct mg_store *st)
{
    int64_t next = 0, now = mg_now(), wait = LONGEST_SLEEP;
    const char *clock = getenv("MINGLE_CLOCK_FILE");

    if (mg_store_jobs_next_due(&next, st) == 0)
        wait = next <= now ? 0 : next - now;
    if (mg_store_certificate_mailings_next(&next, st, MG_CERTIFY_MAIL_GRACE) ==
            0 &&
        next - now < wait)
        wait = next <= now ? 0 : next - now;
    if (wait > LONGEST_SLEEP)
        wait = LONGEST_SLEEP;
    if (clock && clock[0] && wait > 1)
        wait = 1;
    return wait;
}

/* Sign-ups never confirmed go when their time runs out, whether or not
 * anyone signs up again (which also clears them). */
static void expire_signups(struct mg_store *st)
{
    size_t n = 0;

    if (mg_signup_expire(&n, st, mg_now()) == 0 && n) {
        char count[24];
        snprintf(count, sizeof(count), "%zu", n);
        mg_log(MG_LOG_INFO, "sign-ups never confirmed erased", "people", count,
               NULL);
    }
}

/* Purge the circles whose retention expired: once a day, and at once
 * again while a purge is under way. Returns whether one is. */
static int purge_expired(struct mg_jobs_scheduler *s)
{
    int64_t now = mg_now();
    size_t purged = 0;
    int more = 0;

    if (!s->retention_more && now < s->retention_next)
        return 0;
    if (mg_retention_round(&purged, &more, s->store, now, PURGE_BUDGET) < 0)
        more = 0; /* logged; tomorrow again */
    s->retention_more = more;
    if (!more)
        s->retention_next = now + MG_RETENTION_DAY;
    if (purged) {
        char n[24];
        snprintf(n, sizeof(n), "%zu", purged);
        mg_log(MG_LOG_INFO, "expired circles' personal data purged", "circles",
               n, NULL);
    }
    return more;
}

static void *run(void *arg)
{
    struct mg_jobs_scheduler *s = arg;
    size_t added = 0;

    if (mg_store_jobs_sync(&added, s->store, 0, NULL, 0, mg_now()) == 0 &&
        added) {
        char n[24];
        snprintf(n, sizeof(n), "%zu", added);
        mg_log(MG_LOG_INFO, "jobs: made the jobs of planned calls", "jobs", n,
               NULL);
    }
    while (!mg_worker_stopping(&s->w)) {
        struct mg_jobs_stats st;
        size_t mails = 0;
        int64_t wait;
        int failed = 0, more = 0, more_certs = 0;

        /* each round on its own: one failing skips none of the others */
        do {
            /* keep going while full rounds come back */
            if (mg_jobs_round(&st, s->store, &s->cfg, mg_now(), ROUND_MAX) <
                0) {
                failed = 1;
                break;
            }
            mails += st.mails;
            if (mails && s->wake) {
                s->wake(s->wake_arg);
                mails = 0;
            }
        } while (st.taken == ROUND_MAX);
        if (mg_survey_round(&mails, s->store, &s->cfg, mg_now(), SURVEY_BATCH) <
            0)
            failed = 1;
        if (mails && s->wake)
            s->wake(s->wake_arg);
        mails = 0;
        expire_signups(s->store);
        if (mg_certify_mail_round(&mails, &more_certs, s->store, &s->cfg,
                                  mg_now(), CERTIFY_BUDGET, &s->w) < 0)
            failed = 1;
        if (mails && s->wake)
            s->wake(s->wake_arg);
        more = purge_expired(s);
        wait = more || more_certs ? 0 : sleep_for(s->store);
        /* A failure stays due: the wait after one doubles from a second
         * up to LONGEST_SLEEP while they go on, never a tight loop. */
        if (failed) {
            s->fail_wait = s->fail_wait ? s->fail_wait * 2 : 1;
            if (s->fail_wait > LONGEST_SLEEP)
                s->fail_wait = LONGEST_SLEEP;
            if (wait < s->fail_wait)
                wait = s->fail_wait;
        } else {
            s->fail_wait = 0;
        }
        mg_worker_wait(&s->w, wait);
    }
    return NULL;
}

static char *dup_or_null(const char *v)
{
    return v ? mg_xstrdup(v) : NULL;
}

struct mg_jobs_scheduler *
mg_jobs_scheduler_start(const struct mg_jobs_config *cfg, struct mg_store *st,
                        void (*wake)(void *arg), void *arg)
{
    struct mg_jobs_scheduler *s = mg_xcalloc(1, sizeof(*s));

    s->store = st;
    s->base_url = dup_or_null(cfg->base_url);
    s->mail_domain = dup_or_null(cfg->mail_domain);
    s->mail_from = dup_or_null(cfg->mail_from);
    s->cfg.base_url = s->base_url;
    s->cfg.mail_domain = s->mail_domain;
    s->cfg.mail_from = s->mail_from;
    s->wake = wake;
    s->wake_arg = arg;
    mg_worker_start(&s->w, run, s, "jobs scheduler");
    return s;
}

void mg_jobs_scheduler_wake(struct mg_jobs_scheduler *s)
{
    if (s)
        mg_worker_wake(&s->w);
}

void mg_jobs_scheduler_stop(struct mg_jobs_scheduler *s)
{
    if (!s)
        return;
    mg_worker_stop(&s->w);
    free(s->base_url);
    free(s->mail_domain);
    free(s->mail_from);
    free(s);
}
