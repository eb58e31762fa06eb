/*
 * bench_certify_mail.c: certificates mailed at a circle's close (issue
 * #19, item 2, and the scheduler review's item 3) for a circle of 200
 * and of N people (default 2,000). The same circle is built twice (two
 * weeks, week 1 recorded for all but one in eight), mail at close on,
 * and each is mailed by mg_certify_mail_round() as the scheduler calls
 * it:
 *
 *   - in one call with no budget (what one scheduler wake held before:
 *     reminders, survey openings, purges and a stop all waited for it);
 *   - with the scheduler's budget of half a second a wake, wake after
 *     wake until done: the longest wake, how many, and the total.
 *
 *   ./build/tests/bench/bench_certify_mail [people]
 *
 * Prints figures; no assertions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mingle/assign.h"
#include "mingle/calendar.h"
#include "mingle/certify.h"
#include "mingle/jobs.h"
#include "mingle/store.h"
#include "support.h"

#define BUDGET 0.5 /* as src/jobs/scheduler.c's CERTIFY_BUDGET */
/* 2025-04-30: the calls (March 2025) long over */
#define NOW 1745971200LL

/* A circle of n people with week 1's attendance and mail at close on;
 * its id, or 0. */
static int64_t make_circle(struct mg_store *st, size_t n)
{
    struct mg_circle c;
    struct mg_slot slot = {0, 2, 19 * 60 + 30, 60};
    struct mg_participant *people;
    struct mg_assign a;
    struct mg_session_row *sessions = NULL;
    struct mg_certificate_settings set;
    size_t i, n_sessions = 0, k;

    memset(&c, 0, sizeof(c));
    c.title = mg_xstrdup("Certificate mail bench");
    c.time_zone = mg_xstrdup("Pacific/Auckland");
    memcpy(c.start_date, "2025-03-17", 11);
    c.weeks = 2;
    c.slots = &slot;
    c.n_slots = 1;
    c.group_min = 6;
    c.group_max = 8;
    c.organizer_name = mg_xstrdup("Bench organizer");
    c.organizer_email = mg_xstrdup("org@example.org");
    if (mg_store_circle_create(st, &c) < 0)
        return 0;
    people = mg_xcalloc(n, sizeof(*people));
    for (i = 0; i < n; i++) {
        people[i].name = mg_xasprintf("Pōtae Person %zu", i);
        people[i].email =
            mg_xasprintf("p%zu-%lld@example.org", i, (long long)c.id);
        people[i].role =
            i % 8 == 0 ? MG_PERSON_FACILITATOR : MG_PERSON_PARTICIPANT;
    }
    if (mg_store_participants_insert(NULL, st, c.id, people, n) < 0)
        return 0;
    mg_participants_free(people, n);
    if (mg_assign_load(&a, st, c.id) < 0 || mg_assign_plan(&a, 1) < 0 ||
        mg_assign_commit_plan(&a, st) < 0)
        return 0;
    mg_assign_release(&a);
    if (mg_calendar_create_sessions(st, c.id) < 0 ||
        mg_store_sessions_for_circle(&sessions, &n_sessions, st, c.id) < 0)
        return 0;
    {
        struct mg_people_filter f;
        struct mg_participant *all = NULL;
        size_t n_all = 0;

        memset(&f, 0, sizeof(f));
        if (mg_store_participants_list(&all, &n_all, st, c.id, &f) < 0)
            return 0;
        for (k = 0; k < n_sessions; k++) {
            struct mg_attendance_row *rows;
            size_t m = 0;

            if (sessions[k].week != 1 || !sessions[k].group_id)
                continue;
            rows = mg_xcalloc(n_all, sizeof(*rows));
            for (i = 0; i < n_all; i++) {
                if (all[i].group_id != sessions[k].group_id)
                    continue;
                rows[m].participant_id = all[i].id;
                rows[m].present = all[i].id % 8 != 3;
                rows[m].minutes = rows[m].present ? 55 : 0;
                snprintf(rows[m].source, sizeof(rows[m].source), "zoom");
                m++;
            }
            if (mg_store_attendance_replace(st, sessions[k].id, rows, m) < 0)
                return 0;
            free(rows);
        }
        mg_participants_free(all, n_all);
    }
    free(sessions);
    memset(&set, 0, sizeof(set));
    set.mail_at_close = 1;
    if (mg_store_certificate_settings_put(st, c.id, &set, NOW) < 0)
        return 0;
    {
        int64_t id = c.id;
        c.slots = NULL;
        c.n_slots = 0;
        mg_circle_release(&c);
        return id;
    }
}

static int run(size_t n)
{
    char *dir = test_mkdtemp();
    char *db = mg_xasprintf("%s/mail.db", dir);
    struct mg_store_options opt = {1, 10000};
    struct mg_store *st = NULL;
    struct mg_error err = {{0}, {0}};
    struct mg_jobs_config cfg;
    double t0, t, longest = 0, total = 0;
    size_t mails = 0, sum = 0, wakes = 0;
    int more = 1;

    memset(&cfg, 0, sizeof(cfg));
    cfg.base_url = "https://circles.example.org";
    if (mg_store_open(&st, db, &opt, &err) < 0) {
        fprintf(stderr, "bench_certify_mail: %s\n", err.message);
        return 1;
    }
    if (!make_circle(st, n)) {
        fprintf(stderr, "bench_certify_mail: cannot make the circle\n");
        return 1;
    }
    /* one call, no budget: one wake for the whole circle */
    t0 = mg_monotonic();
    if (mg_certify_mail_round(&mails, NULL, st, &cfg, NOW, 0, NULL) < 0)
        return 1;
    t = mg_monotonic() - t0;
    printf("%6zu people, %zu mails:\n", n, mails);
    printf("  in one wake (no budget)          longest wake %7.3f s\n", t);
    /* the second circle, as the scheduler does it now */
    if (!make_circle(st, n)) {
        fprintf(stderr, "bench_certify_mail: cannot make the circle\n");
        return 1;
    }
    while (more) {
        t0 = mg_monotonic();
        if (mg_certify_mail_round(&mails, &more, st, &cfg, NOW, BUDGET, NULL) <
            0)
            return 1;
        t = mg_monotonic() - t0;
        if (t > longest)
            longest = t;
        total += t;
        sum += mails;
        wakes++;
    }
    printf("  %.1f s a wake, %4zu wakes        longest wake %7.3f s  (%zu "
           "mails in %.1f s in all)\n",
           BUDGET, wakes, longest, sum, total);
    mg_store_close(st);
    test_rmdir(dir);
    free(db);
    return 0;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 2000;

    if (run(200) != 0)
        return 1;
    return run(n);
}
