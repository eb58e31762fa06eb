/*
 * bench_plenary_rsvp.c: what one calendar REPLY to a plenary costs, for a
 * plenary of 200 registered people and one of N (default 50,000), each
 * with 60 more on the waitlist. The registrations are written straight
 * into a fresh database (as if every invitation had gone out at SEQUENCE
 * 0); then REPLYs, read as `ical` would give them, are applied one by
 * one through mg_calendar_apply_reply() (what the mail webhook runs):
 * acceptances of the series, declines of one call (RECURRENCE-ID), and
 * declines of the series (each gives a place to the waitlist and queues
 * a CANCEL and an invitation). Prints the median and the slowest per
 * REPLY of each kind, both sizes side by side; then, with everyone's
 * answer to every call stored, how long the counts per call and a page
 * of answers take to read (the API and the dashboard's plenary page). No
 * assertions.
 *
 *   ./build/tests/bench/bench_plenary_rsvp [people]
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mingle/calendar.h"
#include "mingle/ical.h"
#include "mingle/schedule.h"
#include "mingle/store.h"
#include "support.h"

#define WAITING 60
#define REPLIES 40
#define FIRST_CALL 1805178600 /* 2027-03-16 19:30 in Auckland */

enum kind { ACCEPT_SERIES, DECLINE_ONE_CALL, DECLINE_SERIES, N_KINDS };

static const char *const kind_names[] = {
    "accept the series", "decline one call", "decline the series"};

struct result {
    size_t people;
    double median[N_KINDS], worst[N_KINDS];
    int recorded[N_KINDS];
    double counts_ms, page_ms; /* with everyone's answer to every call */
};

/* Everyone registered answers every call, then the counts per call and
 * a page of 500 answers are read as the API and the dashboard read
 * them; their times in ms. */
static int read_answers(struct result *out, struct mg_store *st,
                        const char *uid)
{
    struct mg_plenary_rsvp_count *counts = NULL;
    struct mg_plenary_rsvp_row *rows = NULL;
    struct mg_store_tx *tx = NULL;
    struct mg_store_seat *seats = NULL;
    int64_t circle = 0, plenary = 0;
    size_t n = 0, i;
    int sequence = 0;
    double t0;
    int rc = mg_store_plenary_by_uid(&circle, &plenary, &sequence, st, uid);

    if (rc == 0)
        rc = mg_store_begin(&tx, st);
    if (rc == 0)
        rc = mg_store_tx_seats_load(&seats, &n, tx, plenary);
    for (i = 0; rc == 0 && i < n; i++)
        if (seats[i].status == MG_STORE_SEAT_REGISTERED)
            rc = mg_store_tx_plenary_rsvp_save(
                tx, plenary, seats[i].participant_id, 1, 4,
                i % 3 ? MG_STORE_RSVP_ACCEPTED : MG_STORE_RSVP_TENTATIVE,
                "email", 0);
    if (rc == 0) {
        rc = mg_store_commit(tx);
        tx = NULL;
    }
    mg_store_rollback(tx);
    free(seats);
    if (rc < 0)
        return rc;
    t0 = mg_monotonic();
    rc = mg_store_plenary_rsvp_counts(&counts, st, plenary, 4);
    out->counts_ms = (mg_monotonic() - t0) * 1e3;
    free(counts);
    t0 = mg_monotonic();
    if (rc == 0)
        rc = mg_store_plenary_rsvps(&rows, &n, st, plenary, 500, 0);
    out->page_ms = (mg_monotonic() - t0) * 1e3;
    if (rc == 0)
        mg_store_plenary_rsvps_free(rows, n);
    return rc;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/* A circle of `n + WAITING` people and a four-week plenary with `n`
 * places, all taken; *uid and *circle_id describe it. */
static struct mg_store *build(char *uid, size_t uid_n, const char *db, size_t n)
{
    struct mg_store_options opt = {1, 10000};
    struct mg_store *st = NULL;
    struct mg_store_tx *tx = NULL;
    struct mg_error err = {{0}, {0}};
    struct mg_circle c;
    struct mg_slot slot = {0, 2, 19 * 60 + 30, 60};
    struct mg_participant *people, *listed = NULL;
    struct mg_plenary_row p;
    size_t total = n + WAITING, i, n_listed = 0;
    int rc;

    if (mg_store_open(&st, db, &opt, &err) < 0) {
        fprintf(stderr, "bench_plenary_rsvp: %s\n", err.message);
        return NULL;
    }
    memset(&c, 0, sizeof(c));
    c.title = mg_xstrdup("RSVP bench");
    c.time_zone = mg_xstrdup("Pacific/Auckland");
    memcpy(c.start_date, "2027-03-22", 11);
    c.weeks = 4;
    c.slots = &slot;
    c.n_slots = 1;
    c.group_min = 8;
    c.group_max = 12;
    c.organizer_name = mg_xstrdup("Bench organizer");
    c.organizer_email = mg_xstrdup("org@example.org");
    people = mg_xcalloc(total, sizeof(*people));
    for (i = 0; i < total; i++) {
        people[i].name = mg_xasprintf("Person %zu", i);
        people[i].email = mg_xasprintf("p%zu@example.org", i);
        people[i].sector = mg_xstrdup("public");
        people[i].region = mg_xstrdup("Wellington");
    }
    rc = mg_store_circle_create(st, &c);
    if (rc == 0)
        rc = mg_store_participants_insert(NULL, st, c.id, people, total);
    if (rc == 0)
        rc = mg_store_participants_list(&listed, &n_listed, st, c.id, NULL);
    memset(&p, 0, sizeof(p));
    p.circle_id = c.id;
    p.title = mg_xstrdup("Conversations");
    p.starts_at = FIRST_CALL;
    p.minutes = 60;
    p.weeks = 4;
    p.capacity = (int)n;
    mg_ical_new_uid(p.uid);
    if (rc == 0)
        rc = mg_store_plenary_create(st, &p);
    if (rc == 0)
        rc = mg_store_begin(&tx, st);
    for (i = 0; rc == 0 && i < n_listed; i++) {
        struct mg_store_seat seat;

        memset(&seat, 0, sizeof(seat));
        seat.participant_id = listed[i].id;
        seat.status =
            i < n ? MG_STORE_SEAT_REGISTERED : MG_STORE_SEAT_WAITLISTED;
        seat.position = i < n ? 0 : (int)(i - n + 1);
        seat.invite_sequence = i < n ? 0 : -1;
        rc = mg_store_tx_seat_save(tx, p.id, &seat);
    }
    if (rc == 0) {
        rc = mg_store_commit(tx);
        tx = NULL;
    }
    mg_store_rollback(tx);
    snprintf(uid, uid_n, "%s", p.uid);
    mg_store_plenary_release(&p);
    mg_participants_free(listed, n_listed);
    mg_participants_free(people, total);
    c.slots = NULL;
    c.n_slots = 0;
    mg_circle_release(&c);
    if (rc < 0 || n_listed != total) {
        mg_store_close(st);
        return NULL;
    }
    return st;
}

static int run(struct result *out, size_t n)
{
    char *dir = test_mkdtemp(), *db = mg_xasprintf("%s/rsvp.db", dir);
    char uid[64];
    struct mg_store *st = build(uid, sizeof(uid), db, n);
    double lat[REPLIES];
    int k, i;

    memset(out, 0, sizeof(*out));
    out->people = n;
    if (!st) {
        free(db);
        test_rmdir(dir);
        return -1;
    }
    for (k = 0; k < N_KINDS; k++) {
        for (i = 0; i < REPLIES; i++) {
            struct mg_ical_reply r;
            struct mg_error err = {{0}, {0}};
            enum mg_rsvp_outcome outcome;
            /* a different person for each REPLY of each kind */
            size_t who = (size_t)k * REPLIES + (size_t)i;
            char *email = mg_xasprintf("p%zu@example.org", who);
            double t0;

            memset(&r, 0, sizeof(r));
            r.uid = uid;
            r.attendee = email;
            r.partstat = k == ACCEPT_SERIES ? MG_PARTSTAT_ACCEPTED
                                            : MG_PARTSTAT_DECLINED;
            /* week 2: a week after the first call */
            r.recurrence_id =
                k == DECLINE_ONE_CALL ? FIRST_CALL + 7 * 86400 : 0;
            t0 = mg_monotonic();
            if (mg_calendar_apply_reply(&outcome, st, &r, email, &err) < 0)
                fprintf(stderr, "bench_plenary_rsvp: %s\n", err.message);
            lat[i] = mg_monotonic() - t0;
            out->recorded[k] += outcome == MG_RSVP_RECORDED;
            free(email);
        }
        qsort(lat, REPLIES, sizeof(*lat), by_value);
        out->median[k] = lat[REPLIES / 2] * 1e3;
        out->worst[k] = lat[REPLIES - 1] * 1e3;
    }
    if (read_answers(out, st, uid) < 0)
        fprintf(stderr, "bench_plenary_rsvp: cannot read the answers\n");
    mg_store_close(st);
    free(db);
    test_rmdir(dir);
    return 0;
}

int main(int argc, char **argv)
{
    size_t big = argc > 1 ? strtoul(argv[1], NULL, 10) : 50000;
    struct result small, large;
    int k;

    if (big < 3 * REPLIES) {
        fprintf(stderr, "bench_plenary_rsvp: at least %d people\n",
                3 * REPLIES);
        return 2;
    }
    if (run(&small, 200) < 0 || run(&large, big) < 0) {
        fprintf(stderr, "bench_plenary_rsvp: setup failed\n");
        return 1;
    }
    printf("one REPLY to a plenary, %d of each kind, ms per REPLY "
           "(median / slowest); recorded\n",
           REPLIES);
    printf("%-20s %15zu registered %15zu registered\n", "", small.people,
           large.people);
    for (k = 0; k < N_KINDS; k++)
        printf("%-20s %8.2f / %6.2f (%2d) %8.2f / %6.2f (%2d)\n", kind_names[k],
               small.median[k], small.worst[k], small.recorded[k],
               large.median[k], large.worst[k], large.recorded[k]);
    printf("with everyone's answer to all 4 calls, ms: counts per call "
           "%.2f / %.2f, a page of 500 answers %.2f / %.2f\n",
           small.counts_ms, large.counts_ms, small.page_ms, large.page_ms);
    mg_schedule_shutdown();
    return 0;
}
