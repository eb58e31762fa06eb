/*
 * test_schedule.c: session instants across daylight saving changes,
 * skipped and repeated wall times, and bad input. Every expected instant
 * was computed outside mingle with Python's zoneinfo, e.g.
 *   datetime(2027, 4, 6, 19, 30, tzinfo=ZoneInfo("Pacific/Auckland"))
 *       .timestamp()  ->  1806996600
 * (fold=0 for a skipped or repeated time, which is the first instant of
 * a repeated one and "moved forward by the gap" for a skipped one).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mingle/schedule.h"

/* Tuesdays 19:30 in Auckland from 2027-03-23: NZDT (+13) ends on
 * 2027-04-04, so the third and fourth weeks are an hour later in UTC. */
static const int64_t march[4] = {
    1805783400, /* 2027-03-23 06:30Z */
    1806388200, /* 2027-03-30 06:30Z */
    1806996600, /* 2027-04-06 07:30Z */
    1807601400, /* 2027-04-13 07:30Z */
};

/* Tuesdays 19:30 in Auckland from 2027-09-14: NZDT begins 2027-09-26. */
static const int64_t september[4] = {
    1820907000, /* 2027-09-14 07:30Z */
    1821511800, /* 2027-09-21 07:30Z */
    1822113000, /* 2027-09-28 06:30Z */
    1822717800, /* 2027-10-05 06:30Z */
};

static void test_session_start_march(void **state)
{
    struct mg_error err = {{0}, {0}};
    int64_t t;
    int week;

    (void)state;
    for (week = 1; week <= 4; week++) {
        assert_int_equal(mg_schedule_session_start(&t, "Pacific/Auckland",
                                                   "2027-03-23", week, 2,
                                                   19 * 60 + 30, &err),
                         0);
        assert_int_equal(t, march[week - 1]);
    }
}

static void test_session_start_september(void **state)
{
    struct mg_error err = {{0}, {0}};
    int64_t t;
    int week;

    (void)state;
    for (week = 1; week <= 4; week++) {
        assert_int_equal(mg_schedule_session_start(&t, "Pacific/Auckland",
                                                   "2027-09-14", week, 2,
                                                   19 * 60 + 30, &err),
                         0);
        assert_int_equal(t, september[week - 1]);
    }
}

/* A start date that is not the slot's weekday: week 1 is the first
 * Tuesday on or after it. */
static void test_session_start_any_day(void **state)
{
    int64_t t;

    (void)state;
    assert_int_equal(mg_schedule_session_start(&t, "Pacific/Auckland",
                                               "2027-03-20", 1, 2, 1170, NULL),
                     0);
    assert_int_equal(t, march[0]);
    /* Start on a Wednesday: the Tuesday is six days later. */
    assert_int_equal(mg_schedule_session_start(&t, "Pacific/Auckland",
                                               "2027-03-17", 2, 2, 1170, NULL),
                     0);
    assert_int_equal(t, march[1]);
    /* UTC has no changes: 2027-01-04 is a Monday. */
    assert_int_equal(
        mg_schedule_session_start(&t, "UTC", "2027-01-04", 3, 1, 90, NULL), 0);
    assert_int_equal(t, 1799020800 + 14 * 86400 +
                            90 * 60); /* date -d 2027-01-04 */
}

static void local(struct mg_local_time *lt, int y, int mo, int d, int h, int mi)
{
    memset(lt, 0, sizeof(*lt));
    lt->year = y;
    lt->month = mo;
    lt->day = d;
    lt->hour = h;
    lt->minute = mi;
}

/* 02:30 does not exist on a spring-forward night: it moves forward by
 * the gap, to 03:30 daylight time. */
static void test_gap(void **state)
{
    struct mg_local_time lt;
    int64_t t;

    (void)state;
    local(&lt, 2027, 9, 26, 2, 30);
    assert_int_equal(
        mg_schedule_local_to_utc(&t, "Pacific/Auckland", &lt, NULL), 0);
    assert_int_equal(t, 1821882600); /* 2027-09-25 14:30Z = 03:30 NZDT */
    local(&lt, 2027, 3, 14, 2, 30);
    assert_int_equal(
        mg_schedule_local_to_utc(&t, "America/New_York", &lt, NULL), 0);
    assert_int_equal(t, 1805009400); /* 07:30Z = 03:30 EDT */
    /* And back: that instant reads 03:30. */
    assert_int_equal(mg_schedule_utc_to_local(&lt, "America/New_York", t, NULL),
                     0);
    assert_int_equal(lt.hour, 3);
    assert_int_equal(lt.minute, 30);
    assert_int_equal(lt.utc_offset, -4 * 3600);
}

/* 02:30 happens twice when clocks go back: the first (daylight) one. */
static void test_overlap(void **state)
{
    struct mg_local_time lt;
    int64_t t;

    (void)state;
    local(&lt, 2027, 4, 4, 2, 30);
    assert_int_equal(
        mg_schedule_local_to_utc(&t, "Pacific/Auckland", &lt, NULL), 0);
    assert_int_equal(t, 1806759000); /* 2027-04-03 13:30Z, NZDT */
    local(&lt, 2027, 11, 7, 1, 30);
    assert_int_equal(
        mg_schedule_local_to_utc(&t, "America/New_York", &lt, NULL), 0);
    assert_int_equal(t, 1825565400); /* 05:30Z, EDT */
}

static void test_utc_to_local(void **state)
{
    struct mg_local_time lt;

    (void)state;
    assert_int_equal(
        mg_schedule_utc_to_local(&lt, "Pacific/Auckland", march[2], NULL), 0);
    assert_int_equal(lt.year, 2027);
    assert_int_equal(lt.month, 4);
    assert_int_equal(lt.day, 6);
    assert_int_equal(lt.hour, 19);
    assert_int_equal(lt.minute, 30);
    assert_int_equal(lt.weekday, 2);
    assert_int_equal(lt.utc_offset, 12 * 3600);
    assert_int_equal(
        mg_schedule_utc_to_local(&lt, "Pacific/Auckland", march[0], NULL), 0);
    assert_int_equal(lt.utc_offset, 13 * 3600);
    assert_int_equal(lt.day, 23);
}

/* Every hour of 2027 in London reads back to itself, except the second
 * pass through a repeated hour, which reads back to the first. */
static void test_round_trip(void **state)
{
    int64_t t, back, start = 1798761600; /* 2027-01-01 00:00Z */
    struct mg_local_time lt;
    int repeated = 0;

    (void)state;
    for (t = start; t < start + 365 * 86400; t += 1800) {
        assert_int_equal(
            mg_schedule_utc_to_local(&lt, "Europe/London", t, NULL), 0);
        assert_int_equal(
            mg_schedule_local_to_utc(&back, "Europe/London", &lt, NULL), 0);
        if (back != t) {
            assert_int_equal(back, t - 3600);
            repeated++;
        }
    }
    /* 01:00 and 01:30 on 2027-10-31 come round twice. */
    assert_int_equal(repeated, 2);
}

static void test_bad_input(void **state)
{
    struct mg_error err = {{0}, {0}};
    struct mg_local_time lt;
    int64_t t;

    (void)state;
    assert_int_equal(mg_schedule_session_start(&t, "Mars/Olympus_Mons",
                                               "2027-03-23", 1, 2, 0, &err),
                     MG_EINVAL);
    assert_string_equal(err.field, "time_zone");
    assert_non_null(strstr(err.message, "Mars/Olympus_Mons"));
    assert_int_equal(mg_schedule_utc_to_local(&lt, "../../etc/passwd", 0, NULL),
                     MG_EINVAL);
    local(&lt, 2027, 1, 1, 0, 0);
    assert_int_equal(mg_schedule_local_to_utc(&t, "", &lt, NULL), MG_EINVAL);
    assert_int_equal(mg_schedule_local_to_utc(&t, NULL, &lt, NULL), MG_EINVAL);
    local(&lt, 2027, 2, 29, 12, 0);
    assert_int_equal(mg_schedule_local_to_utc(&t, "UTC", &lt, NULL), MG_EINVAL);
    local(&lt, 2027, 2, 1, 24, 0);
    assert_int_equal(mg_schedule_local_to_utc(&t, "UTC", &lt, NULL), MG_EINVAL);
    assert_int_equal(
        mg_schedule_session_start(&t, "UTC", "2027-02-30", 1, 2, 0, &err),
        MG_EINVAL);
    assert_string_equal(err.field, "start_date");
    assert_int_equal(
        mg_schedule_session_start(&t, "UTC", "2027-3-23", 1, 2, 0, NULL),
        MG_EINVAL);
    assert_int_equal(
        mg_schedule_session_start(&t, "UTC", "2027-03-23", 0, 2, 0, NULL),
        MG_EINVAL);
    assert_int_equal(
        mg_schedule_session_start(&t, "UTC", "2027-03-23", 1, 8, 0, NULL),
        MG_EINVAL);
    assert_int_equal(
        mg_schedule_session_start(&t, "UTC", "2027-03-23", 1, 2, 1440, NULL),
        MG_EINVAL);
}

/*
 * Issue 16 item 1: which weeks of a slot fall in a skipped or repeated
 * hour. Auckland, Sundays 02:30 from 2027-03-28 for 30 weeks: 2027-04-04
 * repeats 02:00-03:00 (week 2), 2027-09-26 skips it (week 27); the
 * session of the skipped week is at 03:30 NZDT (1821882600, zoneinfo).
 */
static void test_odd_weeks(void **state)
{
    struct mg_schedule_odd_week odd[4];
    struct mg_local_time lt = {2027, 9, 26, 2, 30, 0, 0, 0};
    enum mg_wall_kind kind;
    size_t n;

    (void)state;
    assert_int_equal(
        mg_schedule_wall_kind(&kind, "Pacific/Auckland", &lt, NULL), 0);
    assert_int_equal(kind, MG_WALL_SKIPPED);
    lt.month = 4;
    lt.day = 4;
    assert_int_equal(
        mg_schedule_wall_kind(&kind, "Pacific/Auckland", &lt, NULL), 0);
    assert_int_equal(kind, MG_WALL_REPEATED);
    lt.hour = 3;
    assert_int_equal(
        mg_schedule_wall_kind(&kind, "Pacific/Auckland", &lt, NULL), 0);
    assert_int_equal(kind, MG_WALL_PLAIN);

    assert_int_equal(mg_schedule_odd_weeks(odd, 4, &n, "Pacific/Auckland",
                                           "2027-03-28", 30, 7, 150, NULL),
                     0);
    assert_int_equal(n, 2);
    assert_int_equal(odd[0].week, 2);
    assert_string_equal(odd[0].date, "2027-04-04");
    assert_int_equal(odd[0].kind, MG_WALL_REPEATED);
    assert_int_equal(odd[0].starts_at, 1806759000);
    assert_int_equal(odd[1].week, 27);
    assert_string_equal(odd[1].date, "2027-09-26");
    assert_int_equal(odd[1].kind, MG_WALL_SKIPPED);
    assert_int_equal(odd[1].starts_at, 1821882600);
    /* Only `max` are written; n counts them all. */
    assert_int_equal(mg_schedule_odd_weeks(odd, 1, &n, "Pacific/Auckland",
                                           "2027-03-28", 30, 7, 150, NULL),
                     0);
    assert_int_equal(n, 2);
    assert_int_equal(odd[0].week, 2);
    /* An evening slot, or a zone without daylight saving: none. */
    assert_int_equal(mg_schedule_odd_weeks(odd, 4, &n, "Pacific/Auckland",
                                           "2027-03-28", 30, 7, 19 * 60, NULL),
                     0);
    assert_int_equal(n, 0);
    assert_int_equal(mg_schedule_odd_weeks(odd, 4, &n, "Asia/Tokyo",
                                           "2027-03-28", 30, 7, 150, NULL),
                     0);
    assert_int_equal(n, 0);
    /* New York, Sundays 01:30 in November: the repeated hour. */
    assert_int_equal(mg_schedule_odd_weeks(odd, 4, &n, "America/New_York",
                                           "2027-10-31", 3, 7, 90, NULL),
                     0);
    assert_int_equal(n, 1);
    assert_string_equal(odd[0].date, "2027-11-07");
    assert_int_equal(odd[0].kind, MG_WALL_REPEATED);
    assert_int_equal(mg_schedule_odd_weeks(odd, 4, &n, "Mars/Base",
                                           "2027-10-31", 3, 7, 90, NULL),
                     MG_EINVAL);
}

static int group_teardown(void **state)
{
    (void)state;
    mg_schedule_shutdown();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_session_start_march),
        cmocka_unit_test(test_session_start_september),
        cmocka_unit_test(test_session_start_any_day),
        cmocka_unit_test(test_gap),
        cmocka_unit_test(test_overlap),
        cmocka_unit_test(test_utc_to_local),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_odd_weeks),
    };

    return cmocka_run_group_tests(tests, NULL, group_teardown);
}
