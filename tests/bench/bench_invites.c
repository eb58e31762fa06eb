/*
 * bench_invites.c: queueing invitations for a large circle. Registers N
 * people (default 50,000) in a fresh database, plans their groups, makes
 * the sessions, then times mg_calendar_reconcile(), which builds one
 * iTIP REQUEST and one MIME message per member and stores them in the
 * outbox. Then the changes that touch every or one group's series: the
 * circle's time zone changed (the calls recomputed, every member's
 * update queued) and one group's series cancelled (a CANCEL to each of
 * its members). Prints the time, messages per second and peak RSS; no
 * assertions.
 *
 *   ./build/tests/bench/bench_invites [people]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "mingle/assign.h"
#include "mingle/calendar.h"
#include "mingle/mail.h"
#include "mingle/schedule.h"
#include "mingle/store.h"
#include "support.h"

static const char *const sectors[] = {"public", "academic", "school",
                                      "special"};

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)atol(argv[1]) : 50000, i, queued = 0;
    char *dir = test_mkdtemp();
    char *db = mg_xasprintf("%s/invites.db", dir);
    struct mg_store_options opt = {1, 10000};
    struct mg_store *st = NULL;
    struct mg_error err = {{0}, {0}};
    struct mg_circle c;
    struct mg_slot slot = {0, 2, 19 * 60 + 30, 60};
    struct mg_participant *people;
    struct mg_assign a;
    struct rusage ru;
    struct mg_group_row *groups = NULL;
    size_t n_groups = 0, changed = 0, requeued = 0, cancels = 0;
    double t0, t_plan, t_sessions, t_queue, t_rezone, t_requeue, t_cancel;

    mg_log_set_level(MG_LOG_ERROR);
    mg_mail_init();
    if (mg_store_open(&st, db, &opt, &err) < 0) {
        fprintf(stderr, "bench_invites: %s\n", err.message);
        return 1;
    }
    memset(&c, 0, sizeof(c));
    c.title = mg_xstrdup("Invitation bench");
    c.time_zone = mg_xstrdup("Pacific/Auckland");
    memcpy(c.start_date, "2027-03-22", 11);
    c.weeks = 4;
    c.slots = &slot;
    c.n_slots = 1;
    c.group_min = 8;
    c.group_max = 12;
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
            i % 10 == 0 ? MG_PERSON_FACILITATOR : MG_PERSON_PARTICIPANT;
        people[i].sector = mg_xstrdup(sectors[i % 4]);
        people[i].region = mg_xasprintf("Region %zu", i % 10);
    }
    if (mg_store_participants_insert(NULL, st, c.id, people, n) < 0)
        return 1;
    t0 = mg_monotonic();
    if (mg_assign_load(&a, st, c.id) < 0 || mg_assign_plan(&a, 1) < 0 ||
        mg_assign_commit_plan(&a, st) < 0)
        return 1;
    mg_assign_release(&a);
    t_plan = mg_monotonic() - t0;
    t0 = mg_monotonic();
    if (mg_calendar_create_sessions(st, c.id) < 0)
        return 1;
    t_sessions = mg_monotonic() - t0;
    t0 = mg_monotonic();
    if (mg_calendar_reconcile(&queued, st, c.id, &err) < 0) {
        fprintf(stderr, "bench_invites: %s\n", err.message);
        return 1;
    }
    t_queue = mg_monotonic() - t0;
    /* a new time zone: the calls recomputed, then everyone's update */
    free(c.time_zone);
    c.time_zone = mg_xstrdup("Australia/Sydney");
    t0 = mg_monotonic();
    if (mg_calendar_rezone(&changed, st, &c, 0) < 0)
        return 1;
    t_rezone = mg_monotonic() - t0;
    t0 = mg_monotonic();
    if (mg_calendar_reconcile(&requeued, st, c.id, &err) < 0) {
        fprintf(stderr, "bench_invites: %s\n", err.message);
        return 1;
    }
    t_requeue = mg_monotonic() - t0;
    /* one group's series cancelled: a CANCEL to each of its members */
    if (mg_store_groups_list(&groups, &n_groups, st, c.id) < 0 || !n_groups)
        return 1;
    t0 = mg_monotonic();
    {
        struct mg_calendar_scope scope = {NULL, 0, &groups[0].id, 1};

        if (mg_store_group_series_status(st, c.id, groups[0].id,
                                         MG_STORE_SESSION_CANCELLED) < 0 ||
            mg_calendar_reconcile_scope(&cancels, st, c.id, &scope, &err) < 0)
            return 1;
    }
    t_cancel = mg_monotonic() - t0;
    getrusage(RUSAGE_SELF, &ru);
    printf("bench_invites: %zu people\n"
           "  plan and store groups  %7.2f s\n"
           "  make sessions          %7.2f s\n"
           "  queue invitations      %7.2f s  (%zu messages, %.0f/s)\n"
           "  time zone: recompute   %7.2f s  (%zu of %zu groups)\n"
           "  time zone: updates     %7.2f s  (%zu messages)\n"
           "  cancel one series      %7.3f s  (%zu CANCELs)\n"
           "  peak RSS               %7.1f MiB\n",
           n, t_plan, t_sessions, t_queue, queued, (double)queued / t_queue,
           t_rezone, changed, n_groups, t_requeue, requeued, t_cancel, cancels,
           ru.ru_maxrss / 1024.0);
    mg_store_groups_free(groups, n_groups);
    mg_participants_free(people, n);
    c.slots = NULL;
    c.n_slots = 0;
    mg_circle_release(&c);
    mg_store_close(st);
    test_rmdir(dir);
    free(db);
    mg_mail_shutdown();
    mg_schedule_shutdown();
    return 0;
}
