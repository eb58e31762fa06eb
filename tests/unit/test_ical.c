/*
 * test_ical.c: feeds and iTIP messages, each parsed back with libical.
 * The structure (one VTIMEZONE per TZID with the plain name, TZID on
 * every local time, no METHOD or ATTENDEE in feeds), exceptions and
 * cancellations, escaping, and that the compact VTIMEZONEs give the
 * system's offsets: the RRULE is expanded in the emitted zone and every
 * day of 2027-2028 is compared with the C library's own zone data.
 * Expected instants come from Python's zoneinfo (see test_schedule.c).
 */
#define _DEFAULT_SOURCE /* setenv, tzset, tm_gmtoff, timegm */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <libical/ical.h>

#include "mingle/ical.h"
#include "mingle/schedule.h"

#define NOW 1800000000 /* 2027-01-15 08:00:00Z */
#define AKL "Pacific/Auckland"

/* Tuesdays 19:30 Auckland from 2027-03-23: NZDT ends 2027-04-04. */
static const int64_t march[4] = {1805783400, 1806388200, 1806996600,
                                 1807601400};
/* Tuesdays 19:30 Auckland from 2027-09-14: NZDT begins 2027-09-26. */
static const int64_t september[4] = {1820907000, 1821511800, 1822113000,
                                     1822717800};

static const struct mg_ical_attendee people[2] = {
    {"Ann \"The Chair\"\r\nEvil: x", "Ann.Chair@Example.COM", 1},
    {"Bob, Jr; III", "bob@example.org", 0},
};

static struct mg_ical_series series(const char *tzid, int64_t first, int count)
{
    struct mg_ical_series s;

    memset(&s, 0, sizeof(s));
    s.uid = "0123456789abcdef0123456789abcdef@mingle";
    s.tzid = tzid;
    s.first_start = first;
    s.minutes = 60;
    s.count = count;
    s.sequence = 3;
    s.summary = "Middlemarch: group 2";
    s.description = "Read chapters 1-4";
    s.url = "https://meet.example.com/abc-defg-hij";
    s.organizer_name = "The Organiser";
    s.organizer_email = "Organiser@Example.com";
    s.attendees = people;
    s.n_attendees = 2;
    return s;
}

static icalcomponent *parse(const char *text)
{
    icalcomponent *cal = icalparser_parse_string(text);

    assert_non_null(cal);
    assert_int_equal(icalcomponent_isa(cal), ICAL_VCALENDAR_COMPONENT);
    /* libical marks what it could not parse with X-LIC-ERROR. */
    assert_int_equal(icalcomponent_count_errors(cal), 0);
    return cal;
}

/* Lines end in CRLF and are folded at 75 octets. */
static void check_lines(const char *text)
{
    const char *p = text;

    while (*p) {
        const char *eol = strstr(p, "\r\n");

        assert_non_null(eol);
        assert_true(eol - p <= 75);
        assert_null(memchr(p, '\n', (size_t)(eol - p)));
        assert_null(memchr(p, '\r', (size_t)(eol - p)));
        p = eol + 2;
    }
    assert_null(strstr(text, "freeassociation"));
}

static int count_props(icalcomponent *c, icalproperty_kind kind)
{
    return icalcomponent_count_properties(c, kind);
}

static const char *tzid_param(icalproperty *p)
{
    icalparameter *par =
        icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);

    return par ? icalparameter_get_tzid(par) : NULL;
}

static icalcomponent *nth_event(icalcomponent *cal, int n)
{
    icalcomponent *c =
        icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);

    while (n-- > 0 && c)
        c = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT);
    assert_non_null(c);
    return c;
}

/* The one VTIMEZONE named `tzid`, as a libical zone of its own. */
static icaltimezone *emitted_zone(icalcomponent *cal, const char *tzid)
{
    icalcomponent *c, *found = NULL;
    icaltimezone *zone;
    int n = 0;

    for (c = icalcomponent_get_first_component(cal, ICAL_VTIMEZONE_COMPONENT);
         c;
         c = icalcomponent_get_next_component(cal, ICAL_VTIMEZONE_COMPONENT)) {
        icalproperty *p =
            icalcomponent_get_first_property(c, ICAL_TZID_PROPERTY);
        if (strcmp(icalproperty_get_tzid(p), tzid) == 0) {
            found = c;
            n++;
        }
    }
    assert_int_equal(n, 1);
    zone = icaltimezone_new();
    assert_int_equal(
        icaltimezone_set_component(zone, icalcomponent_new_clone(found)), 1);
    return zone;
}

static int64_t as_utc(struct icaltimetype tt, icaltimezone *zone)
{
    tt.zone = NULL;
    return (int64_t)icaltime_as_timet_with_zone(tt, zone);
}

/* Expand the series' RRULE in the document's own zone. */
static void check_expansion(const char *text, const int64_t *expect, int n)
{
    icalcomponent *cal = parse(text), *ev = nth_event(cal, 0);
    icalproperty *dtstart =
        icalcomponent_get_first_property(ev, ICAL_DTSTART_PROPERTY);
    icalproperty *rrule =
        icalcomponent_get_first_property(ev, ICAL_RRULE_PROPERTY);
    icaltimezone *zone = emitted_zone(cal, tzid_param(dtstart));
    struct icalrecurrencetype r = icalproperty_get_rrule(rrule);
    struct icaltimetype start = icalproperty_get_dtstart(dtstart), occ;
    icalrecur_iterator *it;
    int i = 0;

    assert_int_equal(r.freq, ICAL_WEEKLY_RECURRENCE);
    assert_int_equal(r.count, n);
    start.zone = NULL;
    it = icalrecur_iterator_new(r, start);
    assert_non_null(it);
    while (!icaltime_is_null_time(occ = icalrecur_iterator_next(it))) {
        assert_true(i < n);
        assert_int_equal(as_utc(occ, zone), expect[i]);
        i++;
    }
    assert_int_equal(i, n);
    icalrecur_iterator_free(it);
    icaltimezone_free(zone, 1);
    icalcomponent_free(cal);
}

/* The feed of `s` expands to `expect` (s->count of them). */
static void check_expansion_of(const struct mg_ical_series *s,
                               const int64_t *expect)
{
    char *text = NULL;

    assert_int_equal(mg_ical_feed(&text, "F", s, 1, NOW, NULL), 0);
    check_expansion(text, expect, s->count);
    free(text);
}

static void test_dst_march(void **state)
{
    struct mg_ical_series s = series(AKL, march[0], 4);
    char *text = NULL;

    (void)state;
    assert_int_equal(mg_ical_itip(&text, MG_ITIP_REQUEST, &s, 0, NOW, NULL), 0);
    check_lines(text);
    check_expansion(text, march, 4);
    free(text);
    assert_int_equal(mg_ical_feed(&text, "Feed", &s, 1, NOW, NULL), 0);
    check_expansion(text, march, 4);
    free(text);
}

static void test_dst_september(void **state)
{
    struct mg_ical_series s = series(AKL, september[0], 4);
    char *text = NULL;

    (void)state;
    assert_int_equal(mg_ical_feed(&text, "Feed", &s, 1, NOW, NULL), 0);
    check_lines(text);
    assert_non_null(
        strstr(text, "DTSTART;TZID=Pacific/Auckland:20270914T193000"));
    check_expansion(text, september, 4);
    free(text);
}

/* Offset of `zone` (libical) and of the C library's zone at `t`. */
static int ical_offset(icaltimezone *zone, int64_t t)
{
    struct icaltimetype tt = icaltime_from_timet_with_zone((time_t)t, 0, zone);
    struct tm tm;

    memset(&tm, 0, sizeof(tm));
    tm.tm_year = tt.year - 1900;
    tm.tm_mon = tt.month - 1;
    tm.tm_mday = tt.day;
    tm.tm_hour = tt.hour;
    tm.tm_min = tt.minute;
    tm.tm_sec = tt.second;
    return (int)((int64_t)timegm(&tm) - t);
}

static int libc_offset(int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;

    localtime_r(&tt, &tm);
    return (int)tm.tm_gmtoff;
}

/* The compact VTIMEZONE agrees with the system's zone (read through the
 * C library, not libical) every three hours of 2027 and 2028. */
static void test_vtimezone_matches_system(void **state)
{
    static const struct {
        const char *tzid;
        int dst;
    } zones[] = {{AKL, 1},
                 {"Europe/London", 1},
                 {"America/New_York", 1},
                 {"Australia/Sydney", 1},
                 {"Asia/Tokyo", 0}};
    int64_t start = 1798761600; /* 2027-01-01 00:00Z */
    int64_t end = 1861920000;   /* 2029-01-01 00:00Z */
    char *old_tz = getenv("TZ") ? strdup(getenv("TZ")) : NULL;
    size_t z;

    (void)state;
    for (z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
        /* A weekly series over both years. */
        struct mg_ical_series s = series(zones[z].tzid, start + 86400, 105);
        icalcomponent *cal, *vtz, *obs;
        icaltimezone *zone;
        char *text = NULL;
        int64_t t;
        int n_std = 0, n_dst = 0;

        assert_int_equal(mg_ical_feed(&text, "Feed", &s, 1, NOW, NULL), 0);
        check_lines(text);
        cal = parse(text);
        zone = emitted_zone(cal, zones[z].tzid);
        vtz = icalcomponent_get_first_component(cal, ICAL_VTIMEZONE_COMPONENT);
        for (obs = icalcomponent_get_first_component(vtz, ICAL_ANY_COMPONENT);
             obs;
             obs = icalcomponent_get_next_component(vtz, ICAL_ANY_COMPONENT)) {
            if (icalcomponent_isa(obs) == ICAL_XSTANDARD_COMPONENT)
                n_std++;
            else if (icalcomponent_isa(obs) == ICAL_XDAYLIGHT_COMPONENT)
                n_dst++;
            /* Open-ended yearly rules for DST, nothing to repeat else. */
            assert_int_equal(count_props(obs, ICAL_RRULE_PROPERTY),
                             zones[z].dst);
            assert_int_equal(count_props(obs, ICAL_RDATE_PROPERTY), 0);
            if (zones[z].dst) {
                struct icalrecurrencetype r = icalproperty_get_rrule(
                    icalcomponent_get_first_property(obs, ICAL_RRULE_PROPERTY));
                assert_int_equal(r.freq, ICAL_YEARLY_RECURRENCE);
                assert_true(icaltime_is_null_time(r.until));
            }
        }
        assert_int_equal(n_std, 1);
        assert_int_equal(n_dst, zones[z].dst);
        setenv("TZ", zones[z].tzid, 1);
        tzset();
        for (t = start; t < end; t += 3 * 3600)
            if (ical_offset(zone, t) != libc_offset(t))
                fail_msg("%s at %lld: %d != %d", zones[z].tzid, (long long)t,
                         ical_offset(zone, t), libc_offset(t));
        icaltimezone_free(zone, 1);
        icalcomponent_free(cal);
        free(text);
    }
    if (old_tz)
        setenv("TZ", old_tz, 1);
    else
        unsetenv("TZ");
    tzset();
    free(old_tz);
}

static void check_local(icalproperty *p, const char *tzid, const char *value)
{
    assert_non_null(p);
    assert_non_null(tzid_param(p));
    assert_string_equal(tzid_param(p), tzid);
    assert_non_null(strstr(icalproperty_as_ical_string(p), value));
}

/* Two zones, three series: one VTIMEZONE each, nothing of iTIP. */
/* `text` with its folded lines joined (RFC 5545 3.1); free(). */
static char *unfold(const char *text)
{
    char *out = mg_xstrdup(text), *w = out;
    const char *r;

    for (r = text; *r; r++) {
        if (r[0] == '\r' && r[1] == '\n' && (r[2] == ' ' || r[2] == '\t')) {
            r += 2;
            continue;
        }
        *w++ = *r;
    }
    *w = '\0';
    return out;
}

static void test_feed_structure(void **state)
{
    struct mg_ical_series s[3];
    icalcomponent *cal, *c;
    char *text = NULL;
    int n_tz = 0, n_ev = 0;

    (void)state;
    s[0] = series(AKL, march[0], 4);
    s[1] = series(AKL, september[0], 4);
    s[1].uid = "second@mingle";
    s[1].sequence = 7;
    s[2] = series("Europe/London", 1805830200, 6);
    s[2].uid = "third@mingle";
    s[2].url = NULL;
    assert_int_equal(
        mg_ical_feed(&text, "Middlemarch, spring", s, 3, NOW, NULL), 0);
    check_lines(text);
    cal = parse(text);
    assert_string_equal(
        icalproperty_get_prodid(
            icalcomponent_get_first_property(cal, ICAL_PRODID_PROPERTY)),
        "-//mingle//mingle 0.1//EN");
    assert_int_equal(count_props(cal, ICAL_VERSION_PROPERTY), 1);
    assert_int_equal(count_props(cal, ICAL_CALSCALE_PROPERTY), 1);
    assert_int_equal(count_props(cal, ICAL_METHOD_PROPERTY), 0);
    assert_string_equal(icalproperty_get_name(icalcomponent_get_first_property(
                            cal, ICAL_NAME_PROPERTY)),
                        "Middlemarch, spring");
    assert_non_null(strstr(text, "X-WR-CALNAME:Middlemarch"));
    assert_non_null(strstr(text, "REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n"));
    assert_non_null(strstr(text, "X-PUBLISHED-TTL:PT1H\r\n"));
    for (c = icalcomponent_get_first_component(cal, ICAL_VTIMEZONE_COMPONENT);
         c; c = icalcomponent_get_next_component(cal, ICAL_VTIMEZONE_COMPONENT))
        n_tz++;
    assert_int_equal(n_tz, 2);
    icaltimezone_free(emitted_zone(cal, AKL), 1);
    icaltimezone_free(emitted_zone(cal, "Europe/London"), 1);
    for (c = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); c;
         c = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
        const char *tz = n_ev == 2 ? "Europe/London" : AKL;
        struct icaltimetype stamp = icalcomponent_get_dtstamp(c);

        assert_string_equal(icalcomponent_get_uid(c), s[n_ev].uid);
        assert_int_equal(icalcomponent_get_sequence(c), s[n_ev].sequence);
        assert_int_equal(count_props(c, ICAL_ATTENDEE_PROPERTY), 0);
        assert_int_equal(count_props(c, ICAL_RRULE_PROPERTY), 1);
        assert_int_equal(
            icalproperty_get_rrule(
                icalcomponent_get_first_property(c, ICAL_RRULE_PROPERTY))
                .count,
            s[n_ev].count);
        assert_int_equal(icalcomponent_get_status(c), ICAL_STATUS_CONFIRMED);
        assert_true(icaltime_is_utc(stamp));
        assert_int_equal(icaltime_as_timet(stamp), NOW);
        check_local(icalcomponent_get_first_property(c, ICAL_DTSTART_PROPERTY),
                    tz, n_ev == 2 ? "20270323T193000" : "T193000");
        check_local(icalcomponent_get_first_property(c, ICAL_DTEND_PROPERTY),
                    tz, n_ev == 2 ? "20270323T203000" : "T203000");
        assert_int_equal(count_props(c, ICAL_CONFERENCE_PROPERTY),
                         n_ev == 2 ? 0 : 1);
        assert_int_equal(count_props(c, ICAL_URL_PROPERTY), n_ev == 2 ? 0 : 1);
        n_ev++;
    }
    assert_int_equal(n_ev, 3);
    /* one FEATURE with both values, as RFC 7986 writes it (#18 item 10) */
    {
        char *flat = unfold(text);

        assert_non_null(strstr(flat, "CONFERENCE;VALUE=URI;FEATURE=AUDIO,"
                                     "VIDEO:https://meet.example.com/"
                                     "abc-defg-hij\r\n"));
        free(flat);
    }
    icalcomponent_free(cal);
    free(text);
}

/* The attendees and organiser of an iTIP VEVENT. */
static void check_people(icalcomponent *ev)
{
    icalproperty *p;
    int n = 0;

    p = icalcomponent_get_first_property(ev, ICAL_ORGANIZER_PROPERTY);
    assert_non_null(p);
    assert_string_equal(icalproperty_get_organizer(p),
                        "mailto:organiser@example.com");
    for (p = icalcomponent_get_first_property(ev, ICAL_ATTENDEE_PROPERTY); p;
         p = icalcomponent_get_next_property(ev, ICAL_ATTENDEE_PROPERTY)) {
        icalparameter *cn =
            icalproperty_get_first_parameter(p, ICAL_CN_PARAMETER);

        assert_non_null(cn);
        assert_null(strpbrk(icalparameter_get_cn(cn), "\r\n"));
        assert_int_equal(
            icalparameter_get_partstat(
                icalproperty_get_first_parameter(p, ICAL_PARTSTAT_PARAMETER)),
            ICAL_PARTSTAT_NEEDSACTION);
        assert_int_equal(
            icalparameter_get_rsvp(
                icalproperty_get_first_parameter(p, ICAL_RSVP_PARAMETER)),
            ICAL_RSVP_TRUE);
        if (n == 0) {
            assert_string_equal(icalproperty_get_attendee(p),
                                "mailto:ann.chair@example.com");
            /* Issue 16 item 8: quotes are kept (RFC 6868 ^'), line
             * breaks become a space. */
            assert_string_equal(icalparameter_get_cn(cn),
                                "Ann \"The Chair\" Evil: x");
            assert_int_equal(
                icalparameter_get_role(
                    icalproperty_get_first_parameter(p, ICAL_ROLE_PARAMETER)),
                ICAL_ROLE_CHAIR);
        } else {
            assert_string_equal(icalproperty_get_attendee(p),
                                "mailto:bob@example.org");
            assert_string_equal(icalparameter_get_cn(cn), "Bob, Jr; III");
            assert_int_equal(
                icalparameter_get_role(
                    icalproperty_get_first_parameter(p, ICAL_ROLE_PARAMETER)),
                ICAL_ROLE_REQPARTICIPANT);
        }
        n++;
    }
    assert_int_equal(n, 2);
}

/* libical's iTIP rules hold for the parsed message too. */
static void check_restrictions(icalcomponent *cal)
{
    assert_int_equal(icalrestriction_check(cal), 1);
    assert_int_equal(icalcomponent_count_errors(cal), 0);
}

/* Week 2 moved an hour later, week 3 cancelled. */
static const struct mg_ical_exception moved_and_cancelled[2] = {
    {1806388200, 1806388200 + 3600, 90, 0, "Moved, this once"},
    {1806996600, 0, 0, 1, NULL},
};

static void test_request_exceptions(void **state)
{
    struct mg_ical_series s = series(AKL, march[0], 4);
    icalcomponent *cal, *master, *moved;
    icalproperty *p;
    char *text = NULL;

    (void)state;
    s.exceptions = moved_and_cancelled;
    s.n_exceptions = 2;
    assert_int_equal(mg_ical_itip(&text, MG_ITIP_REQUEST, &s, 0, NOW, NULL), 0);
    check_lines(text);
    cal = parse(text);
    assert_int_equal(icalcomponent_get_method(cal), ICAL_METHOD_REQUEST);
    assert_int_equal(
        icalcomponent_count_components(cal, ICAL_VTIMEZONE_COMPONENT), 1);
    assert_int_equal(icalcomponent_count_components(cal, ICAL_VEVENT_COMPONENT),
                     2);
    master = nth_event(cal, 0);
    moved = nth_event(cal, 1);
    assert_string_equal(icalcomponent_get_uid(master), s.uid);
    assert_string_equal(icalcomponent_get_uid(moved), s.uid);
    assert_int_equal(count_props(master, ICAL_RECURRENCEID_PROPERTY), 0);
    /* The cancelled week: EXDATE at its wall time, with TZID. */
    assert_int_equal(count_props(master, ICAL_EXDATE_PROPERTY), 1);
    check_local(icalcomponent_get_first_property(master, ICAL_EXDATE_PROPERTY),
                AKL, ":20270406T193000");
    /* The moved week: RECURRENCE-ID the rule's time, DTSTART the new. */
    check_local(
        icalcomponent_get_first_property(moved, ICAL_RECURRENCEID_PROPERTY),
        AKL, ":20270330T193000");
    check_local(icalcomponent_get_first_property(moved, ICAL_DTSTART_PROPERTY),
                AKL, ":20270330T203000");
    check_local(icalcomponent_get_first_property(moved, ICAL_DTEND_PROPERTY),
                AKL, ":20270330T220000");
    assert_int_equal(count_props(moved, ICAL_RRULE_PROPERTY), 0);
    assert_string_equal(icalcomponent_get_description(moved),
                        "Moved, this once");
    assert_int_equal(icalcomponent_get_sequence(moved), 3);
    p = icalcomponent_get_first_property(master, ICAL_DTSTART_PROPERTY);
    check_local(p, AKL, ":20270323T193000");
    check_people(master);
    check_people(moved);
    check_restrictions(cal);
    icalcomponent_free(cal);
    free(text);
}

/* The minutes before its event a VEVENT's one VALARM is, checking it
 * is a DISPLAY with a DESCRIPTION; -1 when it has none. */
static int alarm_minutes(icalcomponent *ev)
{
    icalcomponent *a =
        icalcomponent_get_first_component(ev, ICAL_VALARM_COMPONENT);
    icalproperty *p;
    struct icaltriggertype t;

    if (!a)
        return -1;
    assert_null(icalcomponent_get_next_component(ev, ICAL_VALARM_COMPONENT));
    p = icalcomponent_get_first_property(a, ICAL_ACTION_PROPERTY);
    assert_non_null(p);
    assert_int_equal(icalproperty_get_action(p), ICAL_ACTION_DISPLAY);
    assert_non_null(
        icalcomponent_get_first_property(a, ICAL_DESCRIPTION_PROPERTY));
    t = icalproperty_get_trigger(
        icalcomponent_get_first_property(a, ICAL_TRIGGER_PROPERTY));
    assert_true(icaltime_is_null_time(t.time));
    /* before the start (RELATED=START by default) */
    assert_true(icaldurationtype_as_int(t.duration) <= 0);
    return -icaldurationtype_as_int(t.duration) / 60;
}

/*
 * Issue 18 item 8: a series with an alarm has one VALARM (DISPLAY, the
 * minutes before) on every VEVENT of a REQUEST and of a feed, the moved
 * week's override VEVENT too, and in a prepared message as in one made
 * alone; none with 0 minutes, and none in a CANCEL. libical reads them
 * and iTIP's restrictions hold.
 */
static void test_alarms(void **state)
{
    struct mg_ical_series s = series(AKL, march[0], 4);
    struct mg_ical_attendee who = {"Ann", "ann@example.org", 0};
    struct mg_itip *t = NULL;
    icalcomponent *cal;
    char *text = NULL, *prepared = NULL;
    int i;

    (void)state;
    s.exceptions = moved_and_cancelled;
    s.n_exceptions = 2;
    s.alarm_minutes = 15;
    assert_int_equal(mg_ical_itip(&text, MG_ITIP_REQUEST, &s, 0, NOW, NULL), 0);
    check_lines(text);
    assert_non_null(strstr(text, "TRIGGER:-PT15M\r\n"));
    cal = parse(text);
    for (i = 0; i < 2; i++)
        assert_int_equal(alarm_minutes(nth_event(cal, i)), 15);
    check_restrictions(cal);
    icalcomponent_free(cal);
    free(text);
    /* prepared and personalised: the same */
    s.attendees = &who;
    s.n_attendees = 1;
    assert_int_equal(mg_ical_itip(&text, MG_ITIP_REQUEST, &s, 0, NOW, NULL), 0);
    assert_int_equal(mg_ical_itip_prepare(&t, MG_ITIP_REQUEST, &s, NOW, NULL),
                     0);
    assert_int_equal(
        mg_ical_itip_personal(&prepared, t, s.uid, s.sequence, &who, NULL), 0);
    assert_string_equal(prepared, text);
    mg_ical_itip_free(t);
    free(prepared);
    free(text);
    /* a feed: every VEVENT, in hours and minutes */
    s.alarm_minutes = 90;
    assert_int_equal(mg_ical_feed(&text, "Feed", &s, 1, NOW, NULL), 0);
    assert_non_null(strstr(text, "TRIGGER:-PT1H30M\r\n"));
    cal = parse(text);
    for (i = 0; i < 2; i++)
        assert_int_equal(alarm_minutes(nth_event(cal, i)), 90);
    icalcomponent_free(cal);
    free(text);
    /* no alarm */
    s.alarm_minutes = 0;
    assert_int_equal(mg_ical_feed(&text, "Feed", &s, 1, NOW, NULL), 0);
    assert_null(strstr(text, "VALARM"));
    free(text);
    /* a CANCEL takes the event away: no alarm */
    s.alarm_minutes = 15;
    assert_int_equal(mg_ical_itip(&text, MG_ITIP_CANCEL, &s, 0, NOW, NULL), 0);
    assert_null(strstr(text, "VALARM"));
    free(text);
}

/*
 * A message prepared once and personalised per member is byte for byte
 * the message built for that member alone: for a REQUEST with a moved
 * and a cancelled week and for a CANCEL, for a chair, a member and a
 * member with no name, in turn on one prepared message.
 */
static void test_prepared_matches(void **state)
{
    static const struct mg_ical_attendee who[3] = {
        {"Ann \"The Chair\"\r\nEvil: x", "Ann.Chair@Example.COM", 1},
        {NULL, "nameless@example.org", 0},
        {"Bob, Jr; III", "bob@example.org", 0},
    };
    static const char *const uids[3] = {
        "00000000000000000000000000000001@mingle",
        "00000000000000000000000000000002@mingle",
        "00000000000000000000000000000003@mingle",
    };
    struct mg_ical_series s = series(AKL, march[0], 4), one;
    struct mg_ical_attendee bad = {"Eve", "eve@example.org\r\nX: y", 0};
    struct mg_error err = {{0}, {0}};
    struct mg_itip *t = NULL;
    int method, i;

    (void)state;
    s.exceptions = moved_and_cancelled;
    s.n_exceptions = 2;
    for (method = MG_ITIP_REQUEST; method <= MG_ITIP_CANCEL; method++) {
        assert_int_equal(mg_ical_itip_prepare(&t, (enum mg_itip_method)method,
                                              &s, NOW, &err),
                         0);
        for (i = 0; i < 3; i++) {
            char *mine = NULL, *alone = NULL;

            assert_int_equal(
                mg_ical_itip_personal(&mine, t, uids[i], 7 + i, &who[i], &err),
                0);
            one = s;
            one.uid = uids[i];
            one.sequence = 7 + i;
            one.attendees = &who[i];
            one.n_attendees = 1;
            assert_int_equal(mg_ical_itip(&alone, (enum mg_itip_method)method,
                                          &one, 0, NOW, &err),
                             0);
            assert_string_equal(mine, alone);
            free(mine);
            free(alone);
        }
        /* A bad address or UID is refused, not written. */
        {
            char *out = NULL;
            assert_int_equal(
                mg_ical_itip_personal(&out, t, uids[0], 1, &bad, &err),
                MG_EINVAL);
            assert_null(out);
            assert_int_equal(
                mg_ical_itip_personal(&out, t, "a b@mingle", 1, &who[0], &err),
                MG_EINVAL);
            assert_null(out);
        }
        mg_ical_itip_free(t);
        t = NULL;
    }
}

static void test_feed_exceptions(void **state)
{
    struct mg_ical_series s = series(AKL, march[0], 4);
    icalcomponent *cal, *moved;
    char *text = NULL;

    (void)state;
    s.exceptions = moved_and_cancelled;
    s.n_exceptions = 2;
    assert_int_equal(mg_ical_feed(&text, "F", &s, 1, NOW, NULL), 0);
    cal = parse(text);
    assert_int_equal(icalcomponent_count_components(cal, ICAL_VEVENT_COMPONENT),
                     2);
    check_local(icalcomponent_get_first_property(nth_event(cal, 0),
                                                 ICAL_EXDATE_PROPERTY),
                AKL, ":20270406T193000");
    moved = nth_event(cal, 1);
    check_local(
        icalcomponent_get_first_property(moved, ICAL_RECURRENCEID_PROPERTY),
        AKL, ":20270330T193000");
    assert_int_equal(count_props(moved, ICAL_ATTENDEE_PROPERTY), 0);
    assert_int_equal(count_props(moved, ICAL_ORGANIZER_PROPERTY), 0);
    icalcomponent_free(cal);
    free(text);
}

static void test_cancel_occurrence(void **state)
{
    struct mg_ical_series s = series(AKL, march[0], 4);
    struct mg_error err = {{0}, {0}};
    icalcomponent *cal, *ev;
    char *text = NULL;

    (void)state;
    s.sequence = 4;
    /* Week 3, after the change to NZST: still 19:30 local. */
    assert_int_equal(
        mg_ical_itip(&text, MG_ITIP_CANCEL, &s, march[2], NOW, &err), 0);
    check_lines(text);
    cal = parse(text);
    assert_int_equal(icalcomponent_get_method(cal), ICAL_METHOD_CANCEL);
    assert_int_equal(icalcomponent_count_components(cal, ICAL_VEVENT_COMPONENT),
                     1);
    ev = nth_event(cal, 0);
    assert_string_equal(icalcomponent_get_uid(ev), s.uid);
    assert_int_equal(icalcomponent_get_status(ev), ICAL_STATUS_CANCELLED);
    assert_int_equal(icalcomponent_get_sequence(ev), 4);
    check_local(
        icalcomponent_get_first_property(ev, ICAL_RECURRENCEID_PROPERTY), AKL,
        ":20270406T193000");
    assert_int_equal(count_props(ev, ICAL_RRULE_PROPERTY), 0);
    check_people(ev);
    check_restrictions(cal);
    icalcomponent_free(cal);
    free(text);
    text = NULL;
    /* 06:30Z on 6 April is not a week of the series (it is 18:30). */
    assert_int_equal(
        mg_ical_itip(&text, MG_ITIP_CANCEL, &s, march[2] - 3600, NOW, &err),
        MG_EINVAL);
    assert_null(text);
    assert_string_equal(err.field, "occurrence");
}

static void test_cancel_series(void **state)
{
    struct mg_ical_series s = series(AKL, march[0], 4);
    icalcomponent *cal, *ev;
    char *text = NULL;

    (void)state;
    s.cancelled = 1;
    assert_int_equal(mg_ical_itip(&text, MG_ITIP_CANCEL, &s, 0, NOW, NULL), 0);
    cal = parse(text);
    assert_int_equal(icalcomponent_get_method(cal), ICAL_METHOD_CANCEL);
    assert_int_equal(icalcomponent_count_components(cal, ICAL_VEVENT_COMPONENT),
                     1);
    ev = nth_event(cal, 0);
    assert_int_equal(icalcomponent_get_status(ev), ICAL_STATUS_CANCELLED);
    assert_int_equal(count_props(ev, ICAL_RECURRENCEID_PROPERTY), 0);
    assert_int_equal(count_props(ev, ICAL_RRULE_PROPERTY), 1);
    check_local(icalcomponent_get_first_property(ev, ICAL_DTSTART_PROPERTY),
                AKL, ":20270323T193000");
    check_people(ev);
    check_restrictions(cal);
    icalcomponent_free(cal);
    free(text);
    /* A feed shows the cancelled series as cancelled. */
    assert_int_equal(mg_ical_feed(&text, "F", &s, 1, NOW, NULL), 0);
    cal = parse(text);
    assert_int_equal(icalcomponent_get_status(nth_event(cal, 0)),
                     ICAL_STATUS_CANCELLED);
    icalcomponent_free(cal);
    free(text);
}

/* Text with every character iCalendar escapes stays one property and
 * reads back as written (CR LF becomes LF, the only change). */
static void test_escaping(void **state)
{
    struct mg_ical_series s = series(AKL, march[0], 4);
    icalcomponent *cal, *ev;
    char *text = NULL;
    int i;

    (void)state;
    s.summary = "Week 1, part 2; \"Dorothea\"\r\nSUMMARY:injected\\end";
    s.description = "a,b;c\\d\ne \"q\"\nDESCRIPTION:x " /* long */
                    "and a long tail to make libical fold this line somewhere "
                    "in the middle of a word, 0123456789012345678901234567890";
    for (i = 0; i < 2; i++) {
        if (i == 0)
            assert_int_equal(
                mg_ical_itip(&text, MG_ITIP_REQUEST, &s, 0, NOW, NULL), 0);
        else
            assert_int_equal(mg_ical_feed(&text, "F", &s, 1, NOW, NULL), 0);
        check_lines(text);
        cal = parse(text);
        ev = nth_event(cal, 0);
        assert_int_equal(count_props(ev, ICAL_SUMMARY_PROPERTY), 1);
        assert_int_equal(count_props(ev, ICAL_DESCRIPTION_PROPERTY), 1);
        assert_string_equal(
            icalcomponent_get_summary(ev),
            "Week 1, part 2; \"Dorothea\"\nSUMMARY:injected\\end");
        assert_string_equal(icalcomponent_get_description(ev), s.description);
        icalcomponent_free(cal);
        free(text);
        text = NULL;
    }
}

static void test_bad_input(void **state)
{
    struct mg_ical_series s = series("Mars/Olympus_Mons", march[0], 4);
    struct mg_ical_exception ex = {march[1] + 60, march[1], 60, 0, NULL};
    struct mg_error err = {{0}, {0}};
    char *text = NULL;

    (void)state;
    assert_int_equal(mg_ical_feed(&text, "F", &s, 1, NOW, &err), MG_EINVAL);
    assert_string_equal(err.field, "time_zone");
    assert_int_equal(mg_ical_itip(&text, MG_ITIP_REQUEST, &s, 0, NOW, &err),
                     MG_EINVAL);
    assert_null(text);
    /* No attendees: libical's iTIP rules say no. */
    s = series(AKL, march[0], 4);
    s.n_attendees = 0;
    memset(&err, 0, sizeof(err));
    assert_int_equal(mg_ical_itip(&text, MG_ITIP_REQUEST, &s, 0, NOW, &err),
                     MG_EINVAL);
    assert_string_equal(err.field, "itip");
    assert_non_null(strstr(err.message, "ATTENDEE"));
    assert_null(text);
    s = series(AKL, march[0], 4);
    s.organizer_email = NULL;
    assert_int_equal(mg_ical_itip(&text, MG_ITIP_REQUEST, &s, 0, NOW, &err),
                     MG_EINVAL);
    assert_string_equal(err.field, "organizer_email");
    /* An exception a minute off a week of the rule (a daylight-saving
     * gap puts the rule's expansion an hour off the slot's wall time):
     * it is that week's, named as the rule expands it (issue 16, item 2:
     * this was "not one of its weeks" and the whole feed a 422). */
    s = series(AKL, march[0], 4);
    s.exceptions = &ex;
    s.n_exceptions = 1;
    ex.cancelled = 1;
    assert_int_equal(mg_ical_feed(&text, "F", &s, 1, NOW, &err), 0);
    assert_non_null(strstr(text, "EXDATE;TZID=Pacific/Auckland:"));
    free(text);
    text = NULL;
    /* One no week is near is left out, not the feed. */
    ex.original_start = march[0] + 3 * 86400;
    assert_int_equal(mg_ical_feed(&text, "F", &s, 1, NOW, &err), 0);
    assert_null(strstr(text, "EXDATE"));
    free(text);
    text = NULL;
    s = series(AKL, march[0], 0);
    assert_int_equal(mg_ical_feed(&text, "F", &s, 1, NOW, &err), MG_EINVAL);
    s = series(AKL, march[0], 4);
    s.url = "https://x.example/a b";
    assert_int_equal(mg_ical_feed(&text, "F", &s, 1, NOW, &err), MG_EINVAL);
    assert_string_equal(err.field, "url");
    assert_null(text);
}

/* A property of `ev` with the TZID `tzid` and the value `value`. */
static int has_local(icalcomponent *ev, icalproperty_kind kind,
                     const char *value)
{
    icalproperty *p;

    for (p = icalcomponent_get_first_property(ev, kind); p;
         p = icalcomponent_get_next_property(ev, kind)) {
        char *s = icalproperty_get_value_as_string_r(p);
        int same = strcmp(s, value) == 0 && tzid_param(p) != NULL &&
                   strcmp(tzid_param(p), AKL) == 0;

        free(s);
        if (same)
            return 1;
    }
    return 0;
}

/*
 * Issue 16 item 1: a circle in Auckland from 2027-09-26 with a Sunday
 * 02:30 slot. That night clocks jump from 02:00 to 03:00, so week 1 is
 * at 03:30 and weeks 2-3 at 02:30 (instants from Python's zoneinfo, as
 * mg_schedule_session_start gives them). DTSTART carries 02:30, so the
 * rule gives 02:30 from week 2 on; week 1 also has a VEVENT of its own at
 * 03:30 (readers disagree on a DTSTART in a gap); a cancelled week 2 is
 * an EXDATE of the rule's own 02:30. Before, DTSTART said 03:30 and every
 * reader put weeks 2-3 there.
 */
static void test_dst_gap_first_week(void **state)
{
    static const int64_t weeks[3] = {1821882600, 1822483800, 1823088600};
    struct mg_ical_series s = series(AKL, weeks[0], 3);
    struct mg_ical_exception ex = {weeks[1], weeks[1], 60, 1, NULL};
    icalcomponent *cal, *ev;
    icaltimezone *zone;
    char *text = NULL;
    int i;

    (void)state;
    s.has_slot_minute = 1;
    s.slot_minute = 2 * 60 + 30;
    for (i = 0; i < 2; i++) {
        if (i == 0)
            assert_int_equal(mg_ical_feed(&text, "F", &s, 1, NOW, NULL), 0);
        else
            assert_int_equal(
                mg_ical_itip(&text, MG_ITIP_REQUEST, &s, 0, NOW, NULL), 0);
        check_lines(text);
        assert_non_null(
            strstr(text, "DTSTART;TZID=Pacific/Auckland:20270926T023000"));
        /* 03:30 only as week 1's own start. */
        assert_null(strstr(text, "RECURRENCE-ID;TZID=Pacific/Auckland:"
                                 "20270926T033000"));
        cal = parse(text);
        ev = nth_event(cal, 0);
        /* The rule names the slot's hour and minute (node-ical would
         * repeat 03:30 from the instant of DTSTART). */
        assert_non_null(strstr(text, "BYMINUTE=30;BYHOUR=2"));
        /* The end of a start that does not exist: a DURATION. */
        assert_int_equal(count_props(ev, ICAL_DTEND_PROPERTY), 0);
        assert_int_equal(count_props(ev, ICAL_DURATION_PROPERTY), 1);
        /* Weeks 2 and 3 as the rule gives them in the emitted zone. */
        zone = emitted_zone(cal, AKL);
        {
            struct icaltimetype start = icalcomponent_get_dtstart(ev), occ;
            icalrecur_iterator *it;
            int n = 0;

            start.zone = NULL;
            it = icalrecur_iterator_new(
                icalproperty_get_rrule(
                    icalcomponent_get_first_property(ev, ICAL_RRULE_PROPERTY)),
                start);
            while (!icaltime_is_null_time(occ = icalrecur_iterator_next(it))) {
                if (n > 0)
                    assert_int_equal(as_utc(occ, zone), weeks[n]);
                n++;
            }
            assert_int_equal(n, 3);
            icalrecur_iterator_free(it);
        }
        /* Week 1 where it happens, named as the rule names it. */
        ev = nth_event(cal, 1);
        assert_true(
            has_local(ev, ICAL_RECURRENCEID_PROPERTY, "20270926T023000"));
        assert_int_equal(as_utc(icalcomponent_get_dtstart(ev), zone), weeks[0]);
        icaltimezone_free(zone, 1);
        icalcomponent_free(cal);
        free(text);
        text = NULL;
    }
    /* A cancelled week 2: the rule's own time in EXDATE, and in the
     * RECURRENCE-ID of its CANCEL. */
    s.exceptions = &ex;
    s.n_exceptions = 1;
    assert_int_equal(mg_ical_feed(&text, "F", &s, 1, NOW, NULL), 0);
    cal = parse(text);
    assert_true(
        has_local(nth_event(cal, 0), ICAL_EXDATE_PROPERTY, "20271003T023000"));
    icalcomponent_free(cal);
    free(text);
    s.exceptions = NULL;
    s.n_exceptions = 0;
    assert_int_equal(
        mg_ical_itip(&text, MG_ITIP_CANCEL, &s, weeks[1], NOW, NULL), 0);
    cal = parse(text);
    assert_true(has_local(nth_event(cal, 0), ICAL_RECURRENCEID_PROPERTY,
                          "20271003T023000"));
    icalcomponent_free(cal);
    free(text);
    /* The CANCEL of the whole series names it the same way. */
    assert_int_equal(mg_ical_itip(&text, MG_ITIP_CANCEL, &s, 0, NOW, NULL), 0);
    assert_non_null(
        strstr(text, "DTSTART;TZID=Pacific/Auckland:20270926T023000"));
    free(text);
    /* Without the slot's minute the first instant's wall time is all
     * there is (plenaries): DTSTART as before. */
    s.has_slot_minute = 0;
    assert_int_equal(mg_ical_feed(&text, "F", &s, 1, NOW, NULL), 0);
    assert_non_null(
        strstr(text, "DTSTART;TZID=Pacific/Auckland:20270926T033000"));
    free(text);
}

/*
 * Issue 16 item 1, the repeated hour: Sundays 02:30 in Auckland from
 * 2027-03-28; on 2027-04-04 02:30 happens twice and the session is the
 * first (RFC 5545 reads it so; ical.js, python icalendar and vobject take
 * the second), so week 2 gets a VEVENT whose start is in UTC.
 */
static void test_dst_repeated_week(void **state)
{
    static const int64_t weeks[3] = {1806154200, 1806759000, 1807367400};
    struct mg_ical_series s = series(AKL, weeks[0], 3);
    icalcomponent *cal, *ev;
    struct icaltimetype tt;
    char *text = NULL;

    (void)state;
    s.has_slot_minute = 1;
    s.slot_minute = 2 * 60 + 30;
    assert_int_equal(mg_ical_feed(&text, "F", &s, 1, NOW, NULL), 0);
    cal = parse(text);
    assert_int_equal(icalcomponent_count_components(cal, ICAL_VEVENT_COMPONENT),
                     2);
    /* The series ends at a plain 03:30 (week 1): DTEND as usual. */
    assert_int_equal(count_props(nth_event(cal, 0), ICAL_DTEND_PROPERTY), 1);
    ev = nth_event(cal, 1);
    assert_true(has_local(ev, ICAL_RECURRENCEID_PROPERTY, "20270404T023000"));
    tt = icalcomponent_get_dtstart(ev);
    assert_true(icaltime_is_utc(tt));
    assert_int_equal((int64_t)icaltime_as_timet(tt), weeks[1]);
    icalcomponent_free(cal);
    free(text);
}

/*
 * Issue 16 item 6: the observances' yearly rules start in 1970, so a
 * reader that looks at earlier years sees London's summer time (vobject
 * took the zone for UTC when they started in the document's year). The
 * zone still gives the system's offsets in the span (verify()).
 */
static void test_vtimezone_since_1970(void **state)
{
    /* Mondays 00:30 London from 2027-10-18: BST ends 2027-10-31. */
    struct mg_ical_series s = series("Europe/London", 1823815800, 4);
    icalcomponent *cal, *vtz, *obs;
    icaltimezone *zone;
    char *text = NULL;
    int n = 0;

    (void)state;
    assert_int_equal(mg_ical_feed(&text, "F", &s, 1, NOW, NULL), 0);
    cal = parse(text);
    vtz = icalcomponent_get_first_component(cal, ICAL_VTIMEZONE_COMPONENT);
    for (obs = icalcomponent_get_first_component(vtz, ICAL_ANY_COMPONENT); obs;
         obs = icalcomponent_get_next_component(vtz, ICAL_ANY_COMPONENT)) {
        struct icaltimetype start = icalcomponent_get_dtstart(obs);

        assert_int_equal(start.year, 1970);
        /* The day the rule itself gives that year. */
        assert_int_equal(
            start.day,
            icalcomponent_isa(obs) == ICAL_XDAYLIGHT_COMPONENT ? 29 : 25);
        n++;
    }
    assert_int_equal(n, 2);
    zone = emitted_zone(cal, "Europe/London");
    assert_int_equal(ical_offset(zone, 1278000000), 3600); /* 2010-07-01 */
    assert_int_equal(ical_offset(zone, 1262304000), 0);    /* 2010-01-01 */
    icaltimezone_free(zone, 1);
    icalcomponent_free(cal);
    free(text);
    check_expansion_of(
        &s, (const int64_t[]){1823815800, 1824420600, 1825029000, 1825633800});
}

/*
 * Issue 16 item 8: double quotes stay in a CN (written as RFC 6868 ^')
 * and in the calendar's names; a caret in a name is not read back as an
 * RFC 6868 escape.
 */
static void test_quotes_kept(void **state)
{
    struct mg_ical_attendee a = {"Dr \"Bee\" ^n^'", "bee@example.org", 0};
    struct mg_ical_series s = series(AKL, march[0], 4);
    icalcomponent *cal, *ev;
    icalproperty *p;
    char *text = NULL;

    (void)state;
    s.attendees = &a;
    s.n_attendees = 1;
    s.organizer_name = "The \"Org\"";
    assert_int_equal(mg_ical_itip(&text, MG_ITIP_REQUEST, &s, 0, NOW, NULL), 0);
    assert_non_null(strstr(text, "CN=Dr ^'Bee^' ^^n^^';ROLE="));
    cal = parse(text);
    ev = nth_event(cal, 0);
    p = icalcomponent_get_first_property(ev, ICAL_ATTENDEE_PROPERTY);
    assert_string_equal(icalparameter_get_cn(icalproperty_get_first_parameter(
                            p, ICAL_CN_PARAMETER)),
                        "Dr \"Bee\" ^n^'");
    p = icalcomponent_get_first_property(ev, ICAL_ORGANIZER_PROPERTY);
    assert_string_equal(icalparameter_get_cn(icalproperty_get_first_parameter(
                            p, ICAL_CN_PARAMETER)),
                        "The \"Org\"");
    icalcomponent_free(cal);
    free(text);
    assert_int_equal(
        mg_ical_feed(&text, "Book \"club\"\r\nx", &s, 1, NOW, NULL), 0);
    assert_non_null(strstr(text, "\r\nX-WR-CALNAME:Book \"club\" x\r\n"));
    cal = parse(text);
    assert_string_equal(icalproperty_get_name(icalcomponent_get_first_property(
                            cal, ICAL_NAME_PROPERTY)),
                        "Book \"club\" x");
    icalcomponent_free(cal);
    free(text);
}

static void test_new_uid(void **state)
{
    char a[48], b[48];
    int i;

    (void)state;
    mg_ical_new_uid(a);
    mg_ical_new_uid(b);
    assert_int_equal(strlen(a), 39);
    assert_string_equal(a + 32, "@mingle");
    for (i = 0; i < 32; i++)
        assert_non_null(strchr("0123456789abcdef", a[i]));
    assert_string_not_equal(a, b);
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
        cmocka_unit_test(test_dst_march),
        cmocka_unit_test(test_dst_september),
        cmocka_unit_test(test_vtimezone_matches_system),
        cmocka_unit_test(test_feed_structure),
        cmocka_unit_test(test_request_exceptions),
        cmocka_unit_test(test_alarms),
        cmocka_unit_test(test_prepared_matches),
        cmocka_unit_test(test_feed_exceptions),
        cmocka_unit_test(test_cancel_occurrence),
        cmocka_unit_test(test_cancel_series),
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_new_uid),
        cmocka_unit_test(test_dst_gap_first_week),
        cmocka_unit_test(test_dst_repeated_week),
        cmocka_unit_test(test_vtimezone_since_1970),
        cmocka_unit_test(test_quotes_kept),
    };

    return cmocka_run_group_tests(tests, NULL, group_teardown);
}
