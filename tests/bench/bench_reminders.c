/*
 * bench_reminders.c: reminders for a large circle (issue 18, item 9).
 * Registers N people (default 50,000) in a four-week circle, plans their
 * groups and makes the sessions (which makes their jobs), then:
 *
 *   - schedules every job again from nothing (mg_store_jobs_sync of the
 *     circle: what a change of reminder settings or a first start after
 *     an upgrade costs): 2 reminders, the facilitator's mail and a nudge
 *     per call, for N people x 4 weeks x 2 offsets of reminder mail;
 *   - runs the scheduler's rounds (mg_jobs_round, 64 jobs a round, as
 *     the daemon's thread does) at each due time until every reminder of
 *     the circle is queued in the outbox: time per round (a wake that
 *     finds a full batch), mails per second, and an idle wake (the next
 *     due time and a round that finds nothing);
 *   - every call moved an hour (a time-zone change), with the trigger
 *     that moves the waiting jobs and without it;
 *   - the process's peak RSS.
 *
 * The 200-person circle is run first, beside the N-person one. Prints
 * figures; no assertions.
 *
 *   ./build/tests/bench/bench_reminders [people] [weeks-to-send]
 *
 * (weeks-to-send 0 skips the rounds at N people.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <sqlite3.h>

#include "mingle/assign.h"
#include "mingle/calendar.h"
#include "mingle/jobs.h"
#include "mingle/mail.h"
#include "mingle/schedule.h"
#include "mingle/store.h"
#include "support.h"

#define ROUND 64

static const char *const sectors[] = {"public", "academic", "school",
                                      "special"};

/* The process's resident memory now, in MiB (Linux). */
static double rss_mib(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, resident = 0;

    if (!f)
        return 0;
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
        resident = 0;
    fclose(f);
    return (double)resident * 4096 / (1024 * 1024);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static int run(size_t n, int send_weeks)
{
    char *dir = test_mkdtemp();
    char *db = mg_xasprintf("%s/reminders.db", dir);
    struct mg_store_options opt = {1, 10000};
    struct mg_store *st = NULL;
    struct mg_error err = {{0}, {0}};
    struct mg_circle c;
    struct mg_slot slot = {0, 2, 19 * 60 + 30, 60};
    struct mg_participant *people;
    struct mg_assign a;
    struct mg_jobs_config cfg = {"https://circles.example.org",
                                 "lists.example.org", "mingle@example.org"};
    struct mg_session_row *sessions = NULL;
    struct rusage ru;
    size_t i, n_sessions = 0, added = 0, rounds = 0, mails = 0, cap = 1024;
    size_t jobs_queued = 0;
    double t0, t_sessions, t_sync, t_rounds = 0, t_idle, *round_ms;
    double rss_before, rss_after, t_move, t_move_bare;
    int64_t first = 0, at;
    int w;

    if (mg_store_open(&st, db, &opt, &err) < 0) {
        fprintf(stderr, "bench_reminders: %s\n", err.message);
        return 1;
    }
    memset(&c, 0, sizeof(c));
    c.title = mg_xstrdup("Reminder bench");
    c.slug = mg_xstrdup("bench");
    c.time_zone = mg_xstrdup("Pacific/Auckland");
    memcpy(c.start_date, "2027-03-22", 11);
    c.weeks = 4;
    c.slots = &slot;
    c.n_slots = 1;
    c.group_min = 6;
    c.group_max = 8;
    c.video_url = mg_xstrdup("https://meet.example.org/bench");
    c.organizer_name = mg_xstrdup("Bench organizer");
    c.organizer_email = mg_xstrdup("org@example.org");
    if (mg_store_circle_create(st, &c) < 0)
        return 1;
    people = mg_xcalloc(n, sizeof(*people));
    for (i = 0; i < n; i++) {
        people[i].name = mg_xasprintf("Person %zu", i);
        people[i].email = mg_xasprintf("p%zu@example.org", i);
        people[i].role =
            i % 8 == 0 ? MG_PERSON_FACILITATOR : MG_PERSON_PARTICIPANT;
        people[i].sector = mg_xstrdup(sectors[i % 4]);
        people[i].region = mg_xasprintf("Region %zu", i % 10);
        if (i % 3 == 0)
            people[i].time_zone = mg_xstrdup("Europe/London");
    }
    if (mg_store_participants_insert(NULL, st, c.id, people, n) < 0)
        return 1;
    if (mg_assign_load(&a, st, c.id) < 0 || mg_assign_plan(&a, 1) < 0 ||
        mg_assign_commit_plan(&a, st) < 0)
        return 1;
    mg_assign_release(&a);
    /* the sessions, and with them their jobs */
    t0 = mg_monotonic();
    if (mg_calendar_create_sessions(st, c.id) < 0)
        return 1;
    t_sessions = mg_monotonic() - t0;
    if (mg_store_sessions_for_circle(&sessions, &n_sessions, st, c.id) < 0 ||
        !n_sessions)
        return 1;
    /* every job again from nothing */
    {
        struct mg_reminder_settings off = {0}, on = {0};

        /* settings off drops the waiting reminders; on makes them again */
        if (mg_store_reminder_settings_get(&on, st, c.id) < 0)
            return 1;
        off = on;
        off.enabled = 0;
        off.nudge_days = 0;
        if (mg_store_reminder_settings_put(NULL, st, c.id, &off) < 0)
            return 1;
        t0 = mg_monotonic();
        if (mg_store_reminder_settings_put(&added, st, c.id, &on) < 0)
            return 1;
        t_sync = mg_monotonic() - t0;
    }
    mg_store_jobs_count(&jobs_queued, st, MG_JOB_QUEUED);

    /* an idle wake: what the thread does when nothing is due */
    t0 = mg_monotonic();
    for (i = 0; i < 100; i++) {
        struct mg_jobs_stats s;

        if (mg_store_jobs_next_due(&at, st) < 0 ||
            mg_jobs_round(&s, st, &cfg, sessions[0].starts_at - 2 * 86400,
                          ROUND) < 0)
            return 1;
    }
    t_idle = (mg_monotonic() - t0) / 100;

    /* the rounds, at each week's two due times */
    rss_before = rss_mib();
    round_ms = mg_xcalloc(cap, sizeof(*round_ms));
    for (w = 1; w <= send_weeks && w <= 4; w++) {
        static const int offsets[] = {24 * 60, 60};
        int64_t start = 0;
        int k;

        for (i = 0; i < n_sessions; i++)
            if (sessions[i].week == w) {
                start = sessions[i].starts_at;
                break;
            }
        if (!first)
            first = start;
        for (k = 0; k < 2; k++) {
            struct mg_jobs_stats s;
            int64_t now = start - offsets[k] * 60;

            do {
                double r0 = mg_monotonic(), ms;

                if (mg_jobs_round(&s, st, &cfg, now, ROUND) < 0)
                    return 1;
                ms = (mg_monotonic() - r0) * 1000;
                if (!s.taken)
                    break;
                t_rounds += ms / 1000;
                if (rounds == cap) {
                    cap *= 2;
                    round_ms = mg_xrealloc(round_ms, cap * sizeof(*round_ms));
                }
                round_ms[rounds++] = ms;
                mails += s.reminders_sent;
            } while (s.taken == ROUND);
        }
    }
    rss_after = rss_mib();
    qsort(round_ms, rounds, sizeof(*round_ms), cmp_double);

    /* every call an hour later (what a change of the circle's time zone
     * does): the trigger moves the waiting jobs with their calls; then
     * back again without the trigger, for what it adds */
    for (i = 0; i < n_sessions; i++) {
        sessions[i].starts_at += 3600;
        sessions[i].original_starts_at += 3600;
    }
    t0 = mg_monotonic();
    if (mg_store_sessions_retime(st, c.id, sessions, n_sessions) < 0)
        return 1;
    t_move = mg_monotonic() - t0;
    {
        sqlite3 *raw = NULL;

        if (sqlite3_open(db, &raw) != SQLITE_OK ||
            sqlite3_exec(raw, "DROP TRIGGER jobs_follow_session", NULL, NULL,
                         NULL) != SQLITE_OK)
            return 1;
        sqlite3_close(raw);
    }
    for (i = 0; i < n_sessions; i++) {
        sessions[i].starts_at -= 3600;
        sessions[i].original_starts_at -= 3600;
    }
    t0 = mg_monotonic();
    if (mg_store_sessions_retime(st, c.id, sessions, n_sessions) < 0)
        return 1;
    t_move_bare = mg_monotonic() - t0;
    getrusage(RUSAGE_SELF, &ru);
    printf("bench_reminders: %zu people, %zu calls (4 weeks)\n"
           "  make sessions and jobs    %8.2f s\n"
           "  schedule all jobs again   %8.2f s  (%zu jobs; %zu waiting; "
           "%zu reminder mails to come)\n"
           "  idle wake                 %8.3f ms\n"
           "  rounds of %d jobs          %8zu     (%d week%s sent)\n"
           "  per round: median         %8.1f ms\n"
           "             p99            %8.1f ms\n"
           "             max            %8.1f ms\n"
           "  reminders queued          %8zu     in %.2f s (%.0f/s)\n"
           "  RSS before / after rounds %8.1f / %.1f MiB\n"
           "  every call moved an hour  %8.3f s  (%.3f s without moving "
           "the jobs)\n"
           "  peak RSS                  %8.1f MiB\n",
           n, n_sessions, t_sessions, t_sync, added, jobs_queued, n * 4 * 2,
           t_idle * 1000, ROUND, rounds, send_weeks, send_weeks == 1 ? "" : "s",
           rounds ? round_ms[rounds / 2] : 0.0,
           rounds ? round_ms[rounds * 99 / 100] : 0.0,
           rounds ? round_ms[rounds - 1] : 0.0, mails, t_rounds,
           t_rounds > 0 ? (double)mails / t_rounds : 0.0, rss_before, rss_after,
           t_move, t_move_bare, ru.ru_maxrss / 1024.0);
    free(round_ms);
    free(sessions);
    mg_participants_free(people, n);
    c.slots = NULL;
    c.n_slots = 0;
    mg_circle_release(&c);
    mg_store_close(st);
    test_rmdir(dir);
    free(db);
    return 0;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)atol(argv[1]) : 50000;
    int weeks = argc > 2 ? (int)atol(argv[2]) : 4;
    int rc;

    mg_log_set_level(MG_LOG_ERROR);
    mg_mail_init();
    rc = run(200, 4);
    if (rc == 0 && n != 200)
        rc = run(n, weeks);
    mg_mail_shutdown();
    mg_schedule_shutdown();
    return rc;
}
