/*
 * bench_feeds.c: what a member's feed and a member's REPLY cost in a
 * small and a large circle. For 200 people and for N (default 50,000) it
 * registers them in a fresh database, plans their groups, makes the
 * sessions and queues every invitation, then renders the feeds of 200
 * members spread over the circle twice, uncached (the first render marks
 * each body, the second finds it marked), and applies one iTIP REPLY of
 * each of them (found by UID and address). Prints the mean per feed and
 * per REPLY; no assertions.
 *
 *   ./build/tests/bench/bench_feeds [people]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mingle/assign.h"
#include "mingle/calendar.h"
#include "mingle/ical.h"
#include "mingle/mail.h"
#include "mingle/schedule.h"
#include "mingle/store.h"
#include "support.h"

#define SAMPLE 200

static const char *const sectors[] = {"public", "academic", "school",
                                      "special"};

struct figures {
    double first_ms, again_ms, reply_ms;
    size_t recorded;
};

static int one_circle(struct figures *out, size_t n)
{
    char *dir = test_mkdtemp();
    char *db = mg_xasprintf("%s/feeds.db", dir);
    struct mg_store_options opt = {1, 10000};
    struct mg_store *st = NULL;
    struct mg_error err = {{0}, {0}};
    struct mg_circle c;
    struct mg_slot slot = {0, 2, 19 * 60 + 30, 60};
    struct mg_participant *people;
    struct mg_assign a;
    int64_t ids[SAMPLE];
    size_t i, queued = 0, k, step = n / SAMPLE ? n / SAMPLE : 1;
    double t0;
    int pass, rc = -1;

    memset(out, 0, sizeof(*out));
    memset(&c, 0, sizeof(c));
    if (mg_store_open(&st, db, &opt, &err) < 0)
        goto out;
    c.title = mg_xstrdup("Feed bench");
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
    rc = mg_store_participants_insert(NULL, st, c.id, people, n);
    mg_participants_free(people, n);
    if (rc == 0)
        rc = mg_assign_load(&a, st, c.id);
    if (rc == 0) {
        rc = mg_assign_plan(&a, 1);
        if (rc == 0)
            rc = mg_assign_commit_plan(&a, st);
        mg_assign_release(&a);
    }
    if (rc == 0)
        rc = mg_calendar_create_sessions(st, c.id);
    if (rc == 0)
        rc = mg_calendar_reconcile(&queued, st, c.id, &err);
    if (rc < 0)
        goto out;
    /* participants' ids are 1..n in a fresh file */
    for (k = 0; k < SAMPLE; k++)
        ids[k] = (int64_t)((k * step) % n) + 1;
    for (pass = 0; pass < 2; pass++) {
        t0 = mg_monotonic();
        for (k = 0; k < SAMPLE; k++) {
            char *body = NULL;
            int64_t modified = 0;

            rc = mg_calendar_feed(&body, &modified, st, c.id, ids[k], 0, &err);
            free(body);
            if (rc < 0)
                goto out;
        }
        *(pass ? &out->again_ms : &out->first_ms) =
            (mg_monotonic() - t0) * 1000.0 / SAMPLE;
    }
    t0 = mg_monotonic();
    for (k = 0; k < SAMPLE; k++) {
        struct mg_participant *p = NULL;
        struct mg_invite_row inv;
        struct mg_ical_reply r;
        enum mg_rsvp_outcome outcome;

        rc = mg_store_participant_get(&p, st, c.id, ids[k]);
        if (rc == 0)
            rc = mg_store_invite_for(&inv, st, p->group_id, ids[k]);
        if (rc < 0) {
            mg_participants_free(p, p ? 1 : 0);
            if (rc != MG_ENOTFOUND)
                goto out;
            rc = 0; /* in no group: nothing to answer */
            continue;
        }
        memset(&r, 0, sizeof(r));
        r.uid = inv.uid;
        r.sequence = inv.sequence;
        r.attendee = p->email;
        r.partstat = MG_PARTSTAT_ACCEPTED;
        rc = mg_calendar_apply_reply(&outcome, st, &r, p->email, &err);
        out->recorded += outcome == MG_RSVP_RECORDED;
        mg_participants_free(p, 1);
        if (rc < 0)
            goto out;
    }
    out->reply_ms = (mg_monotonic() - t0) * 1000.0 / SAMPLE;
out:
    if (rc < 0)
        fprintf(stderr, "bench_feeds: %d people: %s\n", (int)n, err.message);
    c.slots = NULL;
    c.n_slots = 0;
    mg_circle_release(&c);
    mg_store_close(st);
    test_rmdir(dir);
    free(db);
    return rc;
}

int main(int argc, char **argv)
{
    size_t sizes[2] = {200, argc > 1 ? (size_t)atol(argv[1]) : 50000}, s;
    struct figures f[2];

    mg_log_set_level(MG_LOG_ERROR);
    mg_mail_init();
    for (s = 0; s < 2; s++)
        if (one_circle(&f[s], sizes[s]) < 0)
            return 1;
    printf("bench_feeds: %d members' feeds rendered uncached and one REPLY "
           "each\n"
           "%28s %12zu %12zu\n"
           "%28s %9.2f ms %9.2f ms\n"
           "%28s %9.2f ms %9.2f ms\n"
           "%28s %9.2f ms %9.2f ms\n"
           "%28s %12zu %12zu\n",
           SAMPLE, "people", sizes[0], sizes[1], "feed, body new (mark moves)",
           f[0].first_ms, f[1].first_ms, "feed, same body", f[0].again_ms,
           f[1].again_ms, "REPLY by UID and address", f[0].reply_ms,
           f[1].reply_ms, "REPLYs recorded", f[0].recorded, f[1].recorded);
    mg_mail_shutdown();
    mg_schedule_shutdown();
    return 0;
}
