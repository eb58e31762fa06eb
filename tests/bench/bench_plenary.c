/*
 * bench_plenary.c: a plenary (a kick-off webinar) with 200 registrations
 * beside one with N (default 50,000), on the store directly: importing
 * Zoom's webinar attendee report for a call (every registrant in it, one
 * in ten never came, ten guests), the success report with the plenary in
 * it, a page of the coordinator's list, and one person's places (their
 * page). The plenary is a series of four calls; of the registered, two
 * in five accept the series, one in five says maybe, one in five
 * declines the second call and one in five does not answer.
 * Registrations and answers are written straight into the store (the
 * rules are not what is measured). Figures are printed, never asserted.
 *
 *   ./build/tests/bench/bench_plenary [N]
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mingle/attendance.h"
#include "mingle/ical.h"
#include "mingle/report.h"
#include "mingle/store.h"
#include "support.h"

struct figures {
    double import_s, report_s, list_ms, seats_ms;
    size_t matched, unmatched, absent;
    int came;
    int accepted, declined, tentative, no_answer; /* the second call's */
};

static struct mg_store *setup(int64_t *circle, int64_t *plenary, size_t n,
                              char **dir)
{
    struct mg_store_options opt = {2, 20000};
    struct mg_error err = {{0}, {0}};
    struct mg_store *st = NULL;
    struct mg_circle c;
    struct mg_participant *people = mg_xcalloc(n, sizeof(*people));
    struct mg_plenary_row p;
    struct mg_store_tx *tx = NULL;
    char *db;
    size_t i;

    *dir = test_mkdtemp();
    db = mg_xasprintf("%s/plenary.db", *dir);
    if (mg_store_open(&st, db, &opt, &err) < 0) {
        fprintf(stderr, "cannot open %s: %s\n", db, err.message);
        exit(1);
    }
    free(db);
    memset(&c, 0, sizeof(c));
    c.title = mg_xstrdup("Bench");
    c.time_zone = mg_xstrdup("Pacific/Auckland");
    memcpy(c.start_date, "2027-03-22", 11);
    c.weeks = 4;
    c.n_slots = 1;
    c.slots = mg_xcalloc(1, sizeof(*c.slots));
    c.slots[0].weekday = 2;
    c.slots[0].start_minute = 19 * 60 + 30;
    c.slots[0].minutes = 60;
    c.group_min = 6;
    c.group_max = 8;
    if (mg_store_circle_create(st, &c) < 0)
        exit(1);
    *circle = c.id;
    mg_circle_release(&c);
    for (i = 0; i < n; i++) {
        people[i].name = mg_xasprintf("Person %zu Reader", i);
        people[i].email = mg_xasprintf("p%zu@example.org", i);
    }
    if (mg_store_participants_insert(NULL, st, *circle, people, n) < 0)
        exit(1);
    memset(&p, 0, sizeof(p));
    p.circle_id = *circle;
    p.title = mg_xstrdup("Kick-off");
    p.starts_at = 1805781600; /* 2027-03-23 19:00 NZDT */
    p.minutes = 60;
    p.weeks = 4;
    p.capacity = (int)n;
    mg_ical_new_uid(p.uid);
    if (mg_store_plenary_create(st, &p) < 0 ||
        mg_store_plenary_set_target(st, *circle, p.id, (int)(n * 9 / 10)) < 0)
        exit(1);
    *plenary = p.id;
    mg_store_plenary_release(&p);
    if (mg_store_begin(&tx, st) < 0)
        exit(1);
    for (i = 0; i < n; i++) {
        struct mg_store_seat s;

        memset(&s, 0, sizeof(s));
        s.participant_id = people[i].id;
        /* the last tenth waits */
        s.status = i < n - n / 10 ? MG_STORE_SEAT_REGISTERED
                                  : MG_STORE_SEAT_WAITLISTED;
        s.position = s.status == MG_STORE_SEAT_WAITLISTED ? (int)i : 0;
        s.invite_sequence = 0;
        if (mg_store_tx_seat_save(tx, *plenary, &s) < 0)
            exit(1);
        if (s.status != MG_STORE_SEAT_REGISTERED || i % 5 == 4)
            continue;
        if (mg_store_tx_plenary_rsvp_save(tx, *plenary, s.participant_id,
                                          i % 5 == 3 ? 2 : 1,
                                          i % 5 == 3 ? 2 : 4,
                                          i % 5 < 2    ? MG_STORE_RSVP_ACCEPTED
                                          : i % 5 == 2 ? MG_STORE_RSVP_TENTATIVE
                                                       : MG_STORE_RSVP_DECLINED,
                                          "email", 0) < 0)
            exit(1);
    }
    if (mg_store_commit(tx) < 0)
        exit(1);
    mg_participants_free(people, n);
    return st;
}

/* Zoom's webinar attendee report: everyone registered, one in ten a
 * no-show, half matched by address, half (no address) by name, and ten
 * guests nobody registered. */
static char *webinar_report(size_t n, size_t *len)
{
    struct mg_buf b = MG_BUF_INIT;
    size_t i;

    mg_buf_puts(&b, "Attendee Report,,,,,,,,,,,\r\n"
                    "Report Generated:,\"Mar 16, 2027 21:12\",,,,,,,,,,\r\n"
                    "Topic,Webinar ID,Actual Start Time,Actual Duration "
                    "(minutes),# Registered,,,,,,,\r\n"
                    "Kick-off,865 2213 4409,\"Mar 16, 2027 18:57:40\",64,1,,,"
                    ",,,,\r\nHost Details,,,,,,,,,,,\r\n"
                    "Attended,User Name (Original Name),Email,Join Time,Leave "
                    "Time,Time in Session (minutes),Is Guest,Country/Region "
                    "Name,,,,\r\n"
                    "Yes,Host,host@example.net,\"Mar 16, 2027 18:57:40\",\"Mar "
                    "16, 2027 20:01:12\",64,No,New Zealand,,,,\r\n"
                    "Attendee Details,,,,,,,,,,,\r\n"
                    "Attended,User Name (Original Name),First Name,Last "
                    "Name,Email,Registration Time,Approval Status,Join "
                    "Time,Leave Time,Time in Session (minutes),Is "
                    "Guest,Country/Region Name\r\n");
    for (i = 0; i < n + 10; i++) {
        int guest = i >= n, no_show = !guest && i % 10 == 9;

        if (guest)
            mg_buf_printf(&b, "Yes,Guest %zu,G,%zu,guest%zu@example.net,", i, i,
                          i);
        else if (i % 2)
            mg_buf_printf(&b, "%s,Person %zu Reader,P,R,p%zu@example.org,",
                          no_show ? "No" : "Yes", i, i);
        else
            mg_buf_printf(&b, "%s,Person %zu Reader,P,R,,",
                          no_show ? "No" : "Yes", i);
        if (no_show)
            mg_buf_puts(&b, "\"Mar 02, 2027 09:14:51\",approved,--,--,--,--,"
                            "--\r\n");
        else
            mg_buf_puts(&b, "\"Mar 02, 2027 09:14:51\",approved,\"Mar 16, "
                            "2027 19:00:31\",\"Mar 16, 2027 19:50:02\",50,Yes,"
                            "New Zealand\r\n");
    }
    *len = b.len;
    return mg_buf_detach(&b);
}

static void run(struct figures *f, size_t n)
{
    int64_t circle, plenary;
    char *dir = NULL;
    struct mg_store *st = setup(&circle, &plenary, n, &dir);
    struct mg_attendance_result res;
    struct mg_error err = {{0}, {0}};
    struct mg_report r;
    struct mg_registration_row *rows = NULL;
    struct mg_store_person_seat *seats = NULL;
    size_t len, n_rows = 0, n_seats = 0;
    char *csv = webinar_report(n, &len);
    double t0;

    memset(f, 0, sizeof(*f));
    t0 = mg_monotonic();
    if (mg_attendance_import_plenary(&res, st, circle, plenary, 1, csv, len,
                                     &err) < 0) {
        fprintf(stderr, "import failed: %s\n", err.message);
        exit(1);
    }
    f->import_s = mg_monotonic() - t0;
    f->matched = res.n_matched;
    f->unmatched = res.n_unmatched;
    f->absent = res.n_absent;
    mg_attendance_result_release(&res);

    t0 = mg_monotonic();
    if (mg_report_load(&r, st, circle) < 0)
        exit(1);
    f->report_s = mg_monotonic() - t0;
    f->came = r.n_plenaries ? r.plenaries[0].came : -1;
    if (r.n_plenaries && r.plenaries[0].n_weeks >= 2) {
        const struct mg_report_occurrence *o = &r.plenaries[0].weeks[1];

        f->accepted = o->accepted;
        f->declined = o->declined;
        f->tentative = o->tentative;
        f->no_answer = o->no_answer;
    }
    mg_report_release(&r);

    t0 = mg_monotonic();
    if (mg_store_plenary_registrations(&rows, &n_rows, st, plenary, 1,
                                       MG_STORE_SEAT_WAITLISTED, 500, 0) < 0)
        exit(1);
    f->list_ms = (mg_monotonic() - t0) * 1000;
    mg_store_registrations_free(rows, n_rows);

    t0 = mg_monotonic();
    if (mg_store_person_seats(&seats, &n_seats, st, circle,
                              (int64_t)n /* late in the waitlist */) < 0)
        exit(1);
    f->seats_ms = (mg_monotonic() - t0) * 1000;
    mg_store_person_seats_free(seats, n_seats);

    free(csv);
    mg_store_close(st);
    test_rmdir(dir);
}

int main(int argc, char **argv)
{
    size_t sizes[2] = {200, argc > 1 ? (size_t)atol(argv[1]) : 50000};
    struct figures f[2];
    int k;

    for (k = 0; k < 2; k++)
        run(&f[k], sizes[k]);
    printf("plenary of N registrations: 200 | %zu\n", sizes[1]);
    printf("  webinar report import:   %8.3f s | %8.3f s  (matched %zu | "
           "%zu, absent %zu | %zu, unmatched %zu | %zu)\n",
           f[0].import_s, f[1].import_s, f[0].matched, f[1].matched,
           f[0].absent, f[1].absent, f[0].unmatched, f[1].unmatched);
    printf("  success report (load):   %8.3f s | %8.3f s  (came %d | %d)\n",
           f[0].report_s, f[1].report_s, f[0].came, f[1].came);
    printf("  answers to call 2:       %d/%d/%d/%d | %d/%d/%d/%d  (accepted/"
           "declined/tentative/no answer)\n",
           f[0].accepted, f[0].declined, f[0].tentative, f[0].no_answer,
           f[1].accepted, f[1].declined, f[1].tentative, f[1].no_answer);
    printf("  list, waitlist page 1:   %8.2f ms | %8.2f ms\n", f[0].list_ms,
           f[1].list_ms);
    printf("  one person's places:     %8.2f ms | %8.2f ms\n", f[0].seats_ms,
           f[1].seats_ms);
    return 0;
}
