/*
 * bench_rooms.c: what a call room per group (issue 18 item 10) costs,
 * for a circle of 200 people beside one of N (default 50,000). Each
 * circle has a call link template, so every invitation and feed has its
 * group's own room and an alarm. Times: queueing every invitation; one
 * member's feed (the mean of 200); one group's own link set (its
 * members' updates, which should cost the same at 200 and at N); the
 * template changed (every group's members' updates). Prints figures and
 * peak RSS; no assertions.
 *
 *   ./build/tests/bench/bench_rooms [people]
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

struct figures {
    size_t people, groups, queued, one_group, every_group;
    double queue, feed, one, all;
};

static int run(struct figures *f, const char *dir, size_t n)
{
    char *db = mg_xasprintf("%s/rooms-%zu.db", dir, n);
    struct mg_store_options opt = {1, 10000};
    struct mg_store *st = NULL;
    struct mg_error err = {{0}, {0}};
    struct mg_circle c, before;
    struct mg_slot slot = {0, 2, 19 * 60 + 30, 60};
    struct mg_participant *people = NULL, *listed = NULL;
    struct mg_people_filter pf;
    struct mg_group_row *groups = NULL;
    struct mg_assign a;
    int64_t *ids = NULL, last = 0;
    size_t i, n_groups = 0, n_ids = 0, n_listed = 0, feeds = 0;
    double t0;
    int rc = -1;

    memset(f, 0, sizeof(*f));
    f->people = n;
    if (mg_store_open(&st, db, &opt, &err) < 0) {
        fprintf(stderr, "bench_rooms: %s\n", err.message);
        free(db);
        return -1;
    }
    memset(&c, 0, sizeof(c));
    c.title = mg_xstrdup("Rooms bench");
    c.slug = mg_xstrdup("rooms-bench");
    c.time_zone = mg_xstrdup("Pacific/Auckland");
    memcpy(c.start_date, "2027-03-22", 11);
    c.weeks = 4;
    c.slots = &slot;
    c.n_slots = 1;
    c.group_min = 8;
    c.group_max = 12;
    c.video_url = mg_xstrdup("https://meet.example.org/bench");
    c.call_url_template =
        mg_xstrdup("https://meet.jit.si/{circle}-{group}-{secret}");
    c.organizer_name = mg_xstrdup("Bench organizer");
    c.organizer_email = mg_xstrdup("org@example.org");
    if (mg_store_circle_create(st, &c) < 0)
        goto out;
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
        goto out;
    if (mg_assign_load(&a, st, c.id) < 0 || mg_assign_plan(&a, 1) < 0 ||
        mg_assign_commit_plan(&a, st) < 0)
        goto out;
    mg_assign_release(&a);
    if (mg_calendar_create_sessions(st, c.id) < 0)
        goto out;
    t0 = mg_monotonic();
    if (mg_calendar_reconcile(&f->queued, st, c.id, &err) < 0)
        goto out;
    f->queue = mg_monotonic() - t0;
    if (mg_store_groups_list(&groups, &n_groups, st, c.id) < 0 || !n_groups)
        goto out;
    f->groups = n_groups;
    /* 200 members' feeds, spread over the circle */
    memset(&pf, 0, sizeof(pf));
    if (mg_store_participants_list(&listed, &n_listed, st, c.id, &pf) < 0)
        goto out;
    t0 = mg_monotonic();
    for (i = 0; i < n_listed; i += n_listed / 200 ? n_listed / 200 : 1) {
        char *body = NULL;

        if (mg_calendar_feed(&body, &last, st, c.id, listed[i].id, 0, &err) < 0)
            goto out;
        free(body);
        feeds++;
    }
    f->feed = (mg_monotonic() - t0) / (double)feeds;
    /* one group's own link: its members only */
    t0 = mg_monotonic();
    {
        struct mg_calendar_scope scope = {NULL, 0, &groups[0].id, 1};
        int changed = 0;

        if (mg_store_group_call_url_set(&changed, st, c.id, groups[0].id,
                                        "https://zoom.example.org/j/1") < 0 ||
            mg_calendar_reconcile_scope(&f->one_group, st, c.id, &scope, &err) <
                0)
            goto out;
    }
    f->one = mg_monotonic() - t0;
    /* the template changed: every other group's members */
    mg_circle_copy(&before, &c);
    free(c.call_url_template);
    c.call_url_template =
        mg_xstrdup("https://meet.jit.si/{circle}-2-{group}-{secret}");
    t0 = mg_monotonic();
    if (mg_store_circle_update(st, &c) < 0 ||
        mg_calendar_links_bump(&ids, &n_ids, st, &before, &c) < 0) {
        mg_circle_release(&before);
        goto out;
    }
    mg_circle_release(&before);
    {
        struct mg_calendar_scope scope = {NULL, 0, ids, n_ids};

        if (mg_calendar_reconcile_scope(&f->every_group, st, c.id, &scope,
                                        &err) < 0)
            goto out;
    }
    f->all = mg_monotonic() - t0;
    rc = 0;
out:
    if (rc < 0)
        fprintf(stderr, "bench_rooms: %s\n",
                err.message[0] ? err.message : "failed");
    free(ids);
    mg_store_groups_free(groups, n_groups);
    mg_participants_free(listed, n_listed);
    mg_participants_free(people, people ? n : 0);
    c.slots = NULL;
    c.n_slots = 0;
    mg_circle_release(&c);
    mg_store_close(st);
    free(db);
    return rc;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)atol(argv[1]) : 50000;
    char *dir = test_mkdtemp();
    struct figures small, big;
    struct rusage ru;

    mg_log_set_level(MG_LOG_ERROR);
    mg_mail_init();
    if (run(&small, dir, 200) < 0 || run(&big, dir, n) < 0)
        return 1;
    getrusage(RUSAGE_SELF, &ru);
    printf("bench_rooms: a call room per group, 200 people beside %zu\n"
           "                              %12s %12s\n"
           "  groups                      %12zu %12zu\n"
           "  queue invitations (s)       %12.3f %12.3f  (%zu, %zu)\n"
           "  one member's feed (ms)      %12.3f %12.3f\n"
           "  one group's link set (ms)   %12.1f %12.1f  (%zu, %zu "
           "updates)\n"
           "  template changed (s)        %12.3f %12.3f  (%zu, %zu "
           "updates)\n"
           "  peak RSS                    %10.1f MiB\n",
           n, "200", "N", small.groups, big.groups, small.queue, big.queue,
           small.queued, big.queued, small.feed * 1000, big.feed * 1000,
           small.one * 1000, big.one * 1000, small.one_group, big.one_group,
           small.all, big.all, small.every_group, big.every_group,
           ru.ru_maxrss / 1024.0);
    test_rmdir(dir);
    mg_mail_shutdown();
    mg_schedule_shutdown();
    return 0;
}
