/*
 * bench_ical.c: writing calendar documents, the work behind every feed
 * request and every queued invitation. Renders a participant's feed (one
 * weekly series of 12 calls in Pacific/Auckland with a moved and a
 * cancelled week) and a REQUEST for it, 200 times and N times (default
 * 50,000), and prints documents per second; no assertions. A second run
 * uses a series whose week 1 falls in a daylight-saving gap, which also
 * writes a VEVENT for that week. Times are CPU seconds of this process
 * (the machine may be shared).
 *
 *   ./build/tests/bench/bench_ical [n]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mingle/ical.h"
#include "mingle/schedule.h"

#define AKL "Pacific/Auckland"

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Feeds and REQUESTs of `s`, n of each; the seconds each took. */
static int run(double *t_feed, double *t_itip, const struct mg_ical_series *s,
               size_t n)
{
    struct mg_error err = {{0}, {0}};
    double t0 = now();
    size_t i;

    for (i = 0; i < n; i++) {
        char *out = NULL;

        if (mg_ical_feed(&out, "Atlas \"book\" circle", s, 1, 1800000000,
                         &err) < 0) {
            fprintf(stderr, "bench_ical: %s\n", err.message);
            return 1;
        }
        free(out);
    }
    *t_feed = now() - t0;
    t0 = now();
    for (i = 0; i < n; i++) {
        char *out = NULL;

        if (mg_ical_itip(&out, MG_ITIP_REQUEST, s, 0, 1800000000, &err) < 0) {
            fprintf(stderr, "bench_ical: %s\n", err.message);
            return 1;
        }
        free(out);
    }
    *t_itip = now() - t0;
    return 0;
}

/* The sessions of a 12-week slot, week 4 moved a day, week 6 off. */
static int weeks_of(int64_t *starts, struct mg_ical_exception *ex,
                    const char *date, int weekday, int minute)
{
    int w;

    for (w = 0; w < 12; w++)
        if (mg_schedule_session_start(&starts[w], AKL, date, w + 1, weekday,
                                      minute, NULL) < 0)
            return 1;
    memset(ex, 0, 2 * sizeof(*ex));
    ex[0].original_start = starts[3];
    ex[0].start = starts[3] + 86400;
    ex[0].minutes = 60;
    ex[1].original_start = ex[1].start = starts[5];
    ex[1].cancelled = 1;
    return 0;
}

int main(int argc, char **argv)
{
    static const struct mg_ical_attendee who = {"Ann \"Chair\"",
                                                "ann@example.org", 1};
    static const struct {
        const char *what, *date;
        int weekday, minute;
    } cases[] = {{"Tuesdays 19:30", "2027-03-23", 2, 19 * 60 + 30},
                 {"Sundays 02:30, week 1 in a gap", "2027-09-26", 7, 150}};
    size_t n = argc > 1 ? (size_t)atol(argv[1]) : 50000, sizes[2], c, k;
    struct mg_ical_exception ex[2];
    struct mg_ical_series s;
    int64_t starts[12];

    sizes[0] = 200;
    sizes[1] = n;
    printf("bench_ical: a feed and a REQUEST of one 12-week series\n");
    for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        if (weeks_of(starts, ex, cases[c].date, cases[c].weekday,
                     cases[c].minute))
            return 1;
        memset(&s, 0, sizeof(s));
        s.uid = "0123456789abcdef0123456789abcdef@mingle";
        s.tzid = AKL;
        s.first_start = starts[0];
        s.has_slot_minute = 1;
        s.slot_minute = cases[c].minute;
        s.minutes = 60;
        s.count = 12;
        s.summary = "Atlas: group 3";
        s.description = "Week 1: Chapter 1\nWeek 2: Chapter 2 ... 4\n";
        s.url = "https://meet.example.org/atlas";
        s.exceptions = ex;
        s.n_exceptions = 2;
        s.organizer_name = "Coordinators";
        s.organizer_email = "c@example.org";
        s.attendees = &who;
        s.n_attendees = 1;
        printf("  %s\n", cases[c].what);
        for (k = 0; k < 2; k++) {
            double tf, ti;

            if (run(&tf, &ti, &s, sizes[k]))
                return 1;
            printf("    %6zu: feeds %.2f s (%.0f/s), REQUESTs %.2f s "
                   "(%.0f/s)\n",
                   sizes[k], tf, sizes[k] / tf, ti, sizes[k] / ti);
        }
    }
    mg_schedule_shutdown();
    return 0;
}
