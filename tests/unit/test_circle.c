/*
 * test_circle.c: the rules a circle must satisfy, one broken rule at a
 * time with the field each names, and the small parsers behind them
 * (weekdays, HH:MM, dates, email addresses, clean text), plus deep copy.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mingle/circle.h"
#include "mingle/schedule.h"

/* A valid circle: Pacific/Auckland, Tuesdays 19:30 for an hour, 6-8. */
static void good_circle(struct mg_circle *c)
{
    memset(c, 0, sizeof(*c));
    c->title = mg_xstrdup("Middlemarch in eight weeks");
    c->time_zone = mg_xstrdup("Pacific/Auckland");
    memcpy(c->start_date, "2026-03-03", 11);
    c->weeks = 8;
    c->n_slots = 1;
    c->slots = mg_xcalloc(1, sizeof(*c->slots));
    c->slots[0].weekday = 2;
    c->slots[0].start_minute = 19 * 60 + 30;
    c->slots[0].minutes = 60;
    c->group_min = 6;
    c->group_max = 8;
}

static int setup(void **state)
{
    struct mg_circle *c = mg_xcalloc(1, sizeof(*c));

    good_circle(c);
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    mg_circle_free(*state);
    return 0;
}

static void set_str(char **slot, const char *value)
{
    free(*slot);
    *slot = value ? mg_xstrdup(value) : NULL;
}

/* Expect the circle to be refused with `field` named. */
static void expect_bad(const struct mg_circle *c, const char *field)
{
    struct mg_error err = {{0}, {0}};

    assert_int_equal(mg_circle_validate(c, &err), MG_EINVAL);
    assert_string_equal(err.field, field);
    assert_true(strlen(err.message) > 0);
}

static void expect_good(const struct mg_circle *c)
{
    struct mg_error err = {{0}, {0}};
    int rc = mg_circle_validate(c, &err);

    if (rc != 0)
        fail_msg("refused: %s: %s", err.field, err.message);
}

static void test_good_circle(void **state)
{
    struct mg_circle *c = *state;

    expect_good(c);
    set_str(&c->video_url, "https://meet.example.org/middlemarch");
    set_str(&c->organizer_name, "Dorothea Brooke");
    set_str(&c->organizer_email, "dorothea@example.org");
    set_str(&c->slug, "middlemarch-2026");
    expect_good(c);
    set_str(&c->video_url, "http://meet.example.org/x");
    expect_good(c);
}

/* 0 is "no target"; 1..100000 people per call; anything else refused. */
static void test_attendance_target(void **state)
{
    struct mg_circle *c = *state;
    struct mg_circle copy;

    c->attendance_target = 0;
    expect_good(c);
    c->attendance_target = 1;
    expect_good(c);
    c->attendance_target = 100000;
    expect_good(c);
    mg_circle_copy(&copy, c);
    assert_int_equal(copy.attendance_target, 100000);
    mg_circle_release(&copy);
    c->attendance_target = 100001;
    expect_bad(c, "attendance_target");
    c->attendance_target = -1;
    expect_bad(c, "attendance_target");
    c->attendance_target = 0;
}

/* "" and "en" are English; a well-formed tag needs an installed catalog;
 * anything else is refused before it reaches a path. */
static void test_language(void **state)
{
    struct mg_circle *c = *state;
    struct mg_circle copy;
    struct mg_error err = {{0}, {0}};

    assert_string_equal(mg_circle_language(c), "en");
    expect_good(c);
    memcpy(c->language, "en", 3);
    expect_good(c);
    mg_circle_copy(&copy, c);
    assert_string_equal(copy.language, "en");
    mg_circle_release(&copy);
    memcpy(c->language, "EN", 3);
    expect_bad(c, "language");
    memcpy(c->language, "../x", 5);
    expect_bad(c, "language");
    /* well-formed, but no catalog for it is installed */
    memcpy(c->language, "zz", 3);
    assert_int_equal(mg_circle_validate(c, &err), MG_EINVAL);
    assert_string_equal(err.field, "language");
    assert_non_null(strstr(err.message, "no catalog"));
    assert_string_equal(mg_circle_language(c), "zz");
    c->language[0] = '\0';
}

static void test_title(void **state)
{
    struct mg_circle *c = *state;
    char long_title[MG_CIRCLE_MAX_TITLE + 2];

    set_str(&c->title, NULL);
    expect_bad(c, "title");
    set_str(&c->title, "");
    expect_bad(c, "title");
    set_str(&c->title, "Book\r\nBcc: someone");
    expect_bad(c, "title");
    set_str(&c->title, "Book\nclub");
    expect_bad(c, "title");
    set_str(&c->title, "Book\rclub");
    expect_bad(c, "title");
    set_str(&c->title, "Bad \xff byte");
    expect_bad(c, "title");
    set_str(&c->title, "Cut short \xc3");
    expect_bad(c, "title");
    set_str(&c->title, "Wrong follow \xc3\x28");
    expect_bad(c, "title");
    /* real UTF-8 is welcome: "Café · 日本" */
    set_str(&c->title, "Caf\xc3\xa9 \xc2\xb7 \xe6\x97\xa5\xe6\x9c\xac");
    expect_good(c);
    memset(long_title, 'a', MG_CIRCLE_MAX_TITLE);
    long_title[MG_CIRCLE_MAX_TITLE] = '\0';
    set_str(&c->title, long_title);
    expect_good(c);
    long_title[MG_CIRCLE_MAX_TITLE] = 'a';
    long_title[MG_CIRCLE_MAX_TITLE + 1] = '\0';
    set_str(&c->title, long_title);
    expect_bad(c, "title");
}

static void test_slug(void **state)
{
    struct mg_circle *c = *state;

    set_str(&c->slug, "Spring");
    expect_bad(c, "slug");
    set_str(&c->slug, "a_b");
    expect_bad(c, "slug");
    set_str(&c->slug, "-lead");
    expect_bad(c, "slug");
    set_str(&c->slug, "spring-2026");
    expect_good(c);
}

static void test_time_zone(void **state)
{
    struct mg_circle *c = *state;

    set_str(&c->time_zone, "Mars/Olympus");
    expect_bad(c, "time_zone");
    set_str(&c->time_zone, "../etc/passwd");
    expect_bad(c, "time_zone");
    set_str(&c->time_zone, "/etc/passwd");
    expect_bad(c, "time_zone");
    set_str(&c->time_zone, "");
    expect_bad(c, "time_zone");
    set_str(&c->time_zone, NULL);
    expect_bad(c, "time_zone");
    set_str(&c->time_zone, "UTC");
    expect_good(c);
    set_str(&c->time_zone, "America/New_York");
    expect_good(c);
    set_str(&c->time_zone, "Europe/Berlin");
    expect_good(c);
}

/*
 * Names that reach a zoneinfo file but are not IANA zone names: the
 * server's own local zone (which moves with its configuration), the
 * POSIX rules template, and a path with an empty component.
 */
static void test_time_zone_rejects_non_iana_names(void **state)
{
    struct mg_circle *c = *state;
    static const char *const bad[] = {"localtime", "posixrules",
                                      "Pacific//Auckland"};
    struct mg_error err;
    size_t i, accepted = 0;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        set_str(&c->time_zone, bad[i]);
        memset(&err, 0, sizeof(err));
        if (mg_circle_validate(c, &err) == 0) {
            print_error("time zone '%s' accepted\n", bad[i]);
            accepted++;
        }
    }
    assert_int_equal(accepted, 0);
}

static void test_start_date(void **state)
{
    struct mg_circle *c = *state;
    static const char *const bad[] = {"2026-02-30", "2026-13-01", "26-01-01",
                                      "2025-02-29", "2026-04-31", "",
                                      "2026-00-10", "2026/03/03"};
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(c->start_date, sizeof(c->start_date), "%s", bad[i]);
        expect_bad(c, "start_date");
    }
    memcpy(c->start_date, "2024-02-29", 11);
    expect_good(c);
}

static void test_weeks(void **state)
{
    struct mg_circle *c = *state;

    c->weeks = 0;
    expect_bad(c, "weeks");
    c->weeks = -1;
    expect_bad(c, "weeks");
    c->weeks = 105;
    expect_bad(c, "weeks");
    c->weeks = 1;
    expect_good(c);
    c->weeks = 104;
    expect_good(c);
}

static void test_slots(void **state)
{
    struct mg_circle *c = *state;

    c->n_slots = 0;
    expect_bad(c, "slots");
    c->n_slots = 1;
    c->slots[0].minutes = 4;
    expect_bad(c, "slots");
    c->slots[0].minutes = 481;
    expect_bad(c, "slots");
    c->slots[0].minutes = 5;
    expect_good(c);
    c->slots[0].minutes = 480;
    expect_good(c);
    c->slots[0].weekday = 0;
    expect_bad(c, "slots");
    c->slots[0].weekday = 8;
    expect_bad(c, "slots");
    c->slots[0].weekday = 7;
    expect_good(c);
    c->slots[0].start_minute = 1440;
    expect_bad(c, "slots");
    c->slots[0].start_minute = -1;
    expect_bad(c, "slots");
    c->slots[0].start_minute = 1439;
    expect_good(c);
}

static void test_duplicate_slots(void **state)
{
    struct mg_circle *c = *state;

    c->slots = mg_xrealloc(c->slots, 3 * sizeof(*c->slots));
    c->n_slots = 3;
    c->slots[1] = c->slots[0];
    c->slots[1].weekday = 4;
    c->slots[2] = c->slots[0];
    expect_bad(c, "slots");
    /* same day, different time: two distinct calls */
    c->slots[2].start_minute = 9 * 60;
    expect_good(c);
    /* same day and time, different length: still the same call */
    c->slots[2] = c->slots[1];
    c->slots[2].minutes = 90;
    expect_bad(c, "slots");
}

static void test_slot_count(void **state)
{
    struct mg_circle *c = *state;
    size_t i;

    c->slots = mg_xrealloc(c->slots, 29 * sizeof(*c->slots));
    for (i = 0; i < 29; i++) {
        c->slots[i].id = 0;
        c->slots[i].weekday = (int)(i % 7) + 1;
        c->slots[i].start_minute = (int)(i / 7) * 120;
        c->slots[i].minutes = 60;
    }
    c->n_slots = 28;
    expect_good(c);
    c->n_slots = 29;
    expect_bad(c, "slots");
}

/* The JSON calls the bounds group_size.min and group_size.max. */
static void expect_bad_group(const struct mg_circle *c)
{
    struct mg_error err = {{0}, {0}};

    assert_int_equal(mg_circle_validate(c, &err), MG_EINVAL);
    assert_int_equal(strncmp(err.field, "group_size", 10), 0);
}

static void test_group_size(void **state)
{
    struct mg_circle *c = *state;

    c->group_min = 9;
    c->group_max = 8;
    expect_bad_group(c);
    c->group_min = 0;
    c->group_max = 8;
    expect_bad_group(c);
    c->group_min = -2;
    expect_bad_group(c);
    c->group_min = 1;
    c->group_max = 1001;
    expect_bad_group(c);
    c->group_max = 1000;
    expect_good(c);
    c->group_min = 1;
    c->group_max = 1;
    expect_good(c);
}

static void test_video_url(void **state)
{
    struct mg_circle *c = *state;

    set_str(&c->video_url, "javascript:alert(document.cookie)");
    expect_bad(c, "video_url");
    set_str(&c->video_url, "ftp://files.example.org/x");
    expect_bad(c, "video_url");
    set_str(&c->video_url, "meet.example.org/room");
    expect_bad(c, "video_url");
    set_str(&c->video_url, "https://meet.example.org/a\r\nb");
    expect_bad(c, "video_url");
    /* what calendars cannot carry is refused here, not at the feed */
    set_str(&c->video_url, "https://meet.example.org/\"><script>");
    expect_bad(c, "video_url");
    set_str(&c->video_url, "https://meet.example.org/a b");
    expect_bad(c, "video_url");
    set_str(&c->video_url, "https://meet.example.org/j?pwd=a&x='1'");
    expect_good(c);
    set_str(&c->video_url, NULL);
    expect_good(c);
}

/* Issue 18 item 10: a call link template is an http(s) URL whose only
 * braces are {circle}, {group} and {secret}; a bad one names its field. */
static void test_call_url_template(void **state)
{
    static const char *const bad[] = {
        "ftp://meet.example.org/{secret}",
        "meet.jit.si/{group}-{secret}",
        "https://meet.jit.si/{room}-{secret}",
        "https://meet.jit.si/{secret",
        "https://meet.jit.si/}{secret}",
        "https://meet.jit.si/{{secret}}",
        "https://meet.jit.si/a b/{secret}",
        "https://meet.jit.si/\"><script>{secret}",
        "https://meet.jit.si/a\r\nb{secret}",
    };
    struct mg_circle *c = *state;
    char **w = NULL;
    size_t i, n = 0;
    int warned = 0;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        set_str(&c->call_url_template, bad[i]);
        expect_bad(c, "call_url_template");
    }
    set_str(&c->call_url_template,
            "https://meet.jit.si/{circle}-{group}-{secret}?a=1&b='2'");
    expect_good(c);
    mg_circle_warnings(&w, &n, c);
    for (i = 0; i < n; i++)
        warned |= strstr(w[i], "{secret}") != NULL;
    assert_false(warned);
    mg_circle_warnings_free(w, n);
    /* without {secret}: allowed, with a warning */
    set_str(&c->call_url_template, "https://meet.jit.si/{circle}-{group}");
    expect_good(c);
    mg_circle_warnings(&w, &n, c);
    for (i = 0; i < n; i++)
        warned |= strstr(w[i], "{secret}") != NULL;
    assert_true(warned);
    mg_circle_warnings_free(w, n);
    /* a group's own link: no placeholders at all */
    assert_int_equal(mg_circle_call_url_check("https://x.example/{secret}",
                                              "call_url", NULL),
                     MG_EINVAL);
    assert_int_equal(mg_circle_call_url_check("https://x.example/j/1?pwd=a",
                                              "call_url", NULL),
                     0);
    /* the alarm: 0 (the default, 15), -1 (none) or 1..10080 minutes */
    c->alarm_minutes = 0;
    assert_int_equal(mg_circle_alarm(c), 15);
    c->alarm_minutes = -1;
    assert_int_equal(mg_circle_alarm(c), 0);
    expect_good(c);
    c->alarm_minutes = 10081;
    expect_bad(c, "alarm_minutes");
    c->alarm_minutes = -2;
    expect_bad(c, "alarm_minutes");
}

/* Issue 18 item 10: a group's link is its own, else the template's
 * (slug, the group's name made URL-safe, its secret), else video_url. */
static void test_call_link(void **state)
{
    struct mg_circle *c = *state;
    char *a, *b;

    set_str(&c->video_url, "https://meet.example.org/everyone");
    set_str(&c->call_url_template, NULL);
    a = mg_circle_call_link(c, NULL, "Group 1", 1, "00ff");
    assert_string_equal(a, "https://meet.example.org/everyone");
    free(a);
    set_str(&c->call_url_template,
            "https://meet.jit.si/{circle}-{group}-{secret}");
    set_str(&c->slug, "atlas-2027");
    a = mg_circle_call_link(c, NULL, "Group 1", 1, "0123456789abcdef01234567");
    b = mg_circle_call_link(c, NULL, "Group 2", 2, "fedcba9876543210fedcba98");
    assert_string_equal(
        a, "https://meet.jit.si/atlas-2027-group-1-0123456789abcdef01234567");
    assert_string_equal(
        b, "https://meet.jit.si/atlas-2027-group-2-fedcba9876543210fedcba98");
    free(a);
    free(b);
    /* a name with spaces, quotes and non-ASCII; one with nothing left */
    a = mg_circle_call_link(c, NULL, "  Te Rōpū \"A\" & <b> ", 7, "ab");
    assert_string_equal(a, "https://meet.jit.si/atlas-2027-te-r-p-a-b-ab");
    free(a);
    a = mg_circle_call_link(c, NULL, "Ōō", 7, "ab");
    assert_string_equal(a, "https://meet.jit.si/atlas-2027-7-ab");
    free(a);
    /* no slug: the circle's id */
    set_str(&c->slug, NULL);
    c->id = 42;
    a = mg_circle_call_link(c, NULL, "G", 1, "ab");
    assert_string_equal(a, "https://meet.jit.si/42-g-ab");
    free(a);
    /* no secret for a template that needs one: the circle's link */
    set_str(&c->video_url, "https://meet.example.org/everyone");
    a = mg_circle_call_link(c, NULL, "G", 1, "");
    assert_string_equal(a, "https://meet.example.org/everyone");
    free(a);
    /* the group's own beats both */
    a = mg_circle_call_link(c, "https://zoom.example/j/9", "G", 1, "ab");
    assert_string_equal(a, "https://zoom.example/j/9");
    free(a);
    /* nothing at all */
    set_str(&c->call_url_template, NULL);
    set_str(&c->video_url, NULL);
    assert_null(mg_circle_call_link(c, NULL, "G", 1, "ab"));
}

static void test_organizer(void **state)
{
    struct mg_circle *c = *state;

    set_str(&c->organizer_email, "not-an-email");
    expect_bad(c, "organizer.email");
    set_str(&c->organizer_email, "a@b.c\r\nBcc: x@y.z");
    expect_bad(c, "organizer.email");
    set_str(&c->organizer_email, "Dorothea <d@example.org>");
    expect_bad(c, "organizer.email");
    set_str(&c->organizer_email, "d@example.org");
    set_str(&c->organizer_name, "Dorothea\r\nBcc: x@y.z");
    expect_bad(c, "organizer.name");
    set_str(&c->organizer_name, "Dorothea");
    expect_good(c);
}

static void test_weekday_parse(void **state)
{
    static const struct {
        const char *name;
        int day;
    } good[] = {{"monday", 1},   {"Tuesday", 2}, {"WEDNESDAY", 3},
                {"thursday", 4}, {"fRiDaY", 5},  {"saturday", 6},
                {"sunday", 7},   {"mon", 1},     {"TUE", 2},
                {"Wed", 3},      {"thu", 4},     {"fri", 5},
                {"SaT", 6},      {"sun", 7}};
    static const char *const bad[] = {
        "", "mo", "tues", "funday", "mondays", "monday ", " mon", "1", "mon."};
    size_t i;
    int day;

    (void)state;
    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        day = -1;
        assert_int_equal(mg_weekday_parse(&day, good[i].name), 0);
        assert_int_equal(day, good[i].day);
    }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (mg_weekday_parse(&day, bad[i]) != MG_EINVAL)
            fail_msg("'%s' accepted as a weekday", bad[i]);
    }
}

static void test_weekday_name(void **state)
{
    static const char *const names[] = {"monday",   "tuesday", "wednesday",
                                        "thursday", "friday",  "saturday",
                                        "sunday"};
    int i, day;

    (void)state;
    for (i = 1; i <= 7; i++) {
        assert_string_equal(mg_weekday_name(i), names[i - 1]);
        assert_int_equal(mg_weekday_parse(&day, mg_weekday_name(i)), 0);
        assert_int_equal(day, i);
    }
}

static void test_time_parse(void **state)
{
    static const char *const bad[] = {"24:00",    "7:30",  "12:60", "1930",
                                      "19:30:00", "",      "ab:cd", "-1:30",
                                      "19.30",    "19:3a", " 9:30", "19:30 "};
    size_t i;
    int m = -1;

    (void)state;
    assert_int_equal(mg_time_parse(&m, "19:30"), 0);
    assert_int_equal(m, 1170);
    assert_int_equal(mg_time_parse(&m, "00:00"), 0);
    assert_int_equal(m, 0);
    assert_int_equal(mg_time_parse(&m, "23:59"), 0);
    assert_int_equal(m, 1439);
    assert_int_equal(mg_time_parse(&m, "09:05"), 0);
    assert_int_equal(m, 545);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (mg_time_parse(&m, bad[i]) != MG_EINVAL)
            fail_msg("'%s' accepted as a time", bad[i]);
    }
}

static void test_date_valid(void **state)
{
    static const char *const good[] = {"2024-02-29", "2000-02-29",
                                       "2026-01-31", "2026-12-31",
                                       "2026-04-30", "2026-03-01"};
    static const char *const bad[] = {
        "2026-02-30",  "2026-13-01", "26-01-01",   "2025-02-29",
        "2100-02-29",  "1900-02-29", "2026-04-31", "2026-00-10",
        "2026-01-00",  "2026-01-32", "2026-1-01",  "2026/01/01",
        "2026-01-01x", "",           "abcd-ef-gh", "2026-01-1 "};
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        if (!mg_date_valid(good[i]))
            fail_msg("'%s' refused", good[i]);
    }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (mg_date_valid(bad[i]))
            fail_msg("'%s' accepted", bad[i]);
    }
}

static void test_email_valid(void **state)
{
    static const char *const good[] = {"a@b.c", "reader@example.org",
                                       "first.last+books@mail.example.co.nz",
                                       "x_y-z@sub.domain.example"};
    static const char *const bad[] = {"a@b.c\r\nBcc: x@y.z",
                                      "a@b.c\nBcc: x@y.z",
                                      "<a@b.c>",
                                      "Name <a@b.c>",
                                      "a@b",
                                      "",
                                      "@b.c",
                                      "a@",
                                      "a@@b.c",
                                      "a@b@c.d",
                                      "a b@c.d",
                                      "a@b.c ",
                                      "\"a\"@b.c",
                                      "a,b@c.d",
                                      "a@b.c;x@y.z",
                                      "a@.b.c",
                                      "a@b.c.",
                                      "a@b..c",
                                      "a\t@b.c"};
    char addr[300];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        if (!mg_email_valid(good[i]))
            fail_msg("'%s' refused", good[i]);
    }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (mg_email_valid(bad[i]))
            fail_msg("'%s' accepted", bad[i]);
    }
    /* 64 + 1 + (63 + 1 + 63 + 1 + 57 + 4) = 254 bytes: the limit */
    snprintf(addr, sizeof(addr), "%.64s@%.63s.%.63s.%.57s.org",
             "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
             "ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc",
             "ddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd",
             "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee");
    assert_int_equal(strlen(addr), 254);
    assert_true(mg_email_valid(addr));
    /* one more byte in the last label: 255 */
    snprintf(addr, sizeof(addr), "%.64s@%.63s.%.63s.%.58s.org",
             "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
             "ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc",
             "ddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd",
             "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee");
    assert_int_equal(strlen(addr), 255);
    assert_false(mg_email_valid(addr));
}

static void test_text_clean(void **state)
{
    static const char *const good[] = {
        "",
        "plain text, with punctuation!",
        "Caf\xc3\xa9",              /* é, 2 bytes */
        "\xe6\x97\xa5\xe6\x9c\xac", /* 日本, 3 bytes each */
        "\xf0\x9f\x93\x9a",         /* U+1F4DA, 4 bytes */
        "\xef\xbf\xbd",             /* U+FFFD */
        "\xf4\x8f\xbf\xbf"};        /* U+10FFFF, the last code point */
    static const char *const bad[] = {"line\nbreak",
                                      "carriage\rreturn",
                                      "tab\there",
                                      "bell\x07",
                                      "del\x7f",
                                      "esc\x1b[31m",
                                      "\xff",
                                      "\xfe\xff",
                                      "\xc3",
                                      "\xc3\x28",
                                      "\x80",
                                      "\xc0\xaf",
                                      "\xc1\xbf",
                                      "\xe6\x97",
                                      "\xe6\x97(",
                                      "\xf0\x9f\x93",
                                      "\xf8\x88\x80\x80\x80"};
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        if (!mg_text_clean(good[i]))
            fail_msg("good text %zu refused", i);
    }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (mg_text_clean(bad[i]))
            fail_msg("bad text %zu accepted", i);
    }
}

/*
 * RFC 3629 well-formedness beyond the lead byte: overlong 3- and 4-byte
 * forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8.
 */
static void test_text_clean_rejects_ill_formed_utf8(void **state)
{
    static const char *const bad[] = {
        "\xe0\x80\xaf",     /* overlong '/' */
        "\xe0\x9f\xbf",     /* overlong U+07FF */
        "\xed\xa0\x80",     /* U+D800, a surrogate */
        "\xed\xbf\xbf",     /* U+DFFF, a surrogate */
        "\xf0\x80\x80\xaf", /* overlong '/' */
        "\xf0\x8f\xbf\xbf", /* overlong U+FFFF */
        "\xf4\x90\x80\x80"  /* U+110000 */
    };
    size_t i, accepted = 0;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (mg_text_clean(bad[i])) {
            print_error("ill-formed UTF-8 #%zu accepted\n", i);
            accepted++;
        }
    }
    assert_int_equal(accepted, 0);
}

/*
 * Issue 16 item 1: the coordinator is warned of a slot whose time a call
 * date skips or repeats. Auckland, Sundays 02:30 from 2027-09-19 for 3
 * weeks: 2027-09-26 skips 02:00-03:00 (that call is at 03:30).
 */
static void test_dst_warnings(void **state)
{
    struct mg_circle *c = *state;
    char **w;
    size_t n;

    memcpy(c->start_date, "2027-09-19", 11);
    c->weeks = 3;
    mg_circle_warnings(&w, &n, c);
    assert_int_equal(n, 0); /* Tuesdays 19:30 */
    mg_circle_warnings_free(w, n);
    c->slots[0].weekday = 7;
    c->slots[0].start_minute = 2 * 60 + 30;
    mg_circle_warnings(&w, &n, c);
    assert_int_equal(n, 1);
    assert_non_null(strstr(w[0], "sunday 02:30"));
    assert_non_null(strstr(w[0], "week 2 (2027-09-26)"));
    assert_non_null(strstr(w[0], "skips"));
    assert_non_null(strstr(w[0], "at 03:30"));
    mg_circle_warnings_free(w, n);
    /* The repeated hour in April, and each change of a long circle. */
    memcpy(c->start_date, "2027-03-28", 11);
    c->weeks = 2;
    mg_circle_warnings(&w, &n, c);
    assert_int_equal(n, 1);
    assert_non_null(strstr(w[0], "happens twice"));
    mg_circle_warnings_free(w, n);
    c->weeks = 104;
    c->n_slots = 1;
    mg_circle_warnings(&w, &n, c);
    assert_int_equal(n, 4); /* 2027-04, 2027-09, 2028-04, 2028-09 */
    mg_circle_warnings_free(w, n);
}

static void test_copy_is_deep(void **state)
{
    struct mg_circle *c = *state;
    struct mg_circle copy;

    c->id = 42;
    set_str(&c->slug, "mm");
    set_str(&c->video_url, "https://v.example/x");
    set_str(&c->organizer_name, "Dorothea");
    set_str(&c->organizer_email, "d@example.org");
    c->created_at = 1700000000;
    mg_circle_copy(&copy, c);

    assert_int_equal(copy.id, 42);
    assert_int_equal(copy.weeks, 8);
    assert_int_equal(copy.group_min, 6);
    assert_int_equal(copy.group_max, 8);
    assert_int_equal(copy.created_at, 1700000000);
    assert_string_equal(copy.start_date, "2026-03-03");
    assert_int_equal(copy.n_slots, 1);
    assert_ptr_not_equal(copy.title, c->title);
    assert_ptr_not_equal(copy.time_zone, c->time_zone);
    assert_ptr_not_equal(copy.slots, c->slots);
    assert_ptr_not_equal(copy.slug, c->slug);
    assert_ptr_not_equal(copy.video_url, c->video_url);
    assert_ptr_not_equal(copy.organizer_name, c->organizer_name);
    assert_ptr_not_equal(copy.organizer_email, c->organizer_email);

    /* change and then free the original: the copy is untouched */
    c->title[0] = 'X';
    c->slots[0].minutes = 5;
    c->start_date[0] = '1';
    mg_circle_release(c);
    good_circle(c);
    assert_string_equal(copy.title, "Middlemarch in eight weeks");
    assert_string_equal(copy.time_zone, "Pacific/Auckland");
    assert_string_equal(copy.slug, "mm");
    assert_string_equal(copy.video_url, "https://v.example/x");
    assert_string_equal(copy.organizer_name, "Dorothea");
    assert_string_equal(copy.organizer_email, "d@example.org");
    assert_string_equal(copy.start_date, "2026-03-03");
    assert_int_equal(copy.slots[0].weekday, 2);
    assert_int_equal(copy.slots[0].start_minute, 1170);
    assert_int_equal(copy.slots[0].minutes, 60);
    expect_good(&copy);
    mg_circle_release(&copy);
    assert_null(copy.title);
    assert_null(copy.slots);
    assert_int_equal(copy.n_slots, 0);
}

static void test_copy_of_minimal(void **state)
{
    struct mg_circle src, dst;

    (void)state;
    memset(&src, 0, sizeof(src));
    mg_circle_copy(&dst, &src);
    assert_null(dst.title);
    assert_null(dst.slug);
    assert_null(dst.video_url);
    assert_int_equal(dst.n_slots, 0);
    mg_circle_release(&dst);
    mg_circle_free(NULL);
}

static int group_teardown(void **state)
{
    (void)state;
    mg_schedule_shutdown();
    return 0;
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_good_circle),
        T(test_title),
        T(test_slug),
        T(test_time_zone),
        T(test_time_zone_rejects_non_iana_names),
        T(test_start_date),
        T(test_weeks),
        T(test_slots),
        T(test_duplicate_slots),
        T(test_slot_count),
        T(test_group_size),
        T(test_video_url),
        T(test_call_url_template),
        T(test_call_link),
        T(test_organizer),
        T(test_attendance_target),
        cmocka_unit_test_setup_teardown(test_language, setup, teardown),
        cmocka_unit_test(test_weekday_parse),
        cmocka_unit_test(test_weekday_name),
        cmocka_unit_test(test_time_parse),
        cmocka_unit_test(test_date_valid),
        cmocka_unit_test(test_email_valid),
        cmocka_unit_test(test_text_clean),
        cmocka_unit_test(test_text_clean_rejects_ill_formed_utf8),
        T(test_copy_is_deep),
        T(test_dst_warnings),
        cmocka_unit_test(test_copy_of_minimal),
    };

    return cmocka_run_group_tests(tests, NULL, group_teardown);
}
