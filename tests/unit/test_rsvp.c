/*
 * test_rsvp.c: iTIP REPLYs as calendar clients send them, written by hand
 * (Google Calendar: an IANA TZID with or without its VTIMEZONE; Outlook:
 * a Windows zone name with its VTIMEZONE; UTC), read with
 * mg_ical_parse_reply, and what is refused. Expected instants come from
 * Python's zoneinfo: 2027-03-30 19:30 Pacific/Auckland is 1806388200.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mingle/ical.h"
#include "mingle/schedule.h"

#define WEEK2 1806388200 /* 2027-03-30 19:30 NZDT */

static const char google_series[] =
    "BEGIN:VCALENDAR\r\n"
    "PRODID:-//Google Inc//Google Calendar 70.9054//EN\r\n"
    "VERSION:2.0\r\n"
    "CALSCALE:GREGORIAN\r\n"
    "METHOD:REPLY\r\n"
    "BEGIN:VEVENT\r\n"
    "DTSTART;TZID=Pacific/Auckland:20270323T193000\r\n"
    "DTEND;TZID=Pacific/Auckland:20270323T203000\r\n"
    "RRULE:FREQ=WEEKLY;COUNT=4\r\n"
    "DTSTAMP:20270301T010203Z\r\n"
    "ORGANIZER;CN=Coordinators:mailto:circles@example.org\r\n"
    "UID:0123456789abcdef0123456789abcdef@mingle\r\n"
    "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CN="
    "Ana\r\n"
    " Cole;X-NUM-GUESTS=0:mailto:Ana.Cole@Example.ORG\r\n"
    "SEQUENCE:1\r\n"
    "STATUS:CONFIRMED\r\n"
    "SUMMARY:Atlas: Group 1\r\n"
    "END:VEVENT\r\n"
    "END:VCALENDAR\r\n";

/* One occurrence, declined, with Google's VTIMEZONE. */
static const char google_occurrence[] =
    "BEGIN:VCALENDAR\r\n"
    "PRODID:-//Google Inc//Google Calendar 70.9054//EN\r\n"
    "VERSION:2.0\r\n"
    "METHOD:REPLY\r\n"
    "BEGIN:VTIMEZONE\r\n"
    "TZID:Pacific/Auckland\r\n"
    "X-LIC-LOCATION:Pacific/Auckland\r\n"
    "BEGIN:DAYLIGHT\r\n"
    "TZOFFSETFROM:+1200\r\n"
    "TZOFFSETTO:+1300\r\n"
    "TZNAME:NZDT\r\n"
    "DTSTART:19700927T020000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=9;BYDAY=-1SU\r\n"
    "END:DAYLIGHT\r\n"
    "BEGIN:STANDARD\r\n"
    "TZOFFSETFROM:+1300\r\n"
    "TZOFFSETTO:+1200\r\n"
    "TZNAME:NZST\r\n"
    "DTSTART:19700405T030000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=4;BYDAY=1SU\r\n"
    "END:STANDARD\r\n"
    "END:VTIMEZONE\r\n"
    "BEGIN:VEVENT\r\n"
    "DTSTART;TZID=Pacific/Auckland:20270330T193000\r\n"
    "DTEND;TZID=Pacific/Auckland:20270330T203000\r\n"
    "DTSTAMP:20270301T010203Z\r\n"
    "UID:0123456789abcdef0123456789abcdef@mingle\r\n"
    "RECURRENCE-ID;TZID=Pacific/Auckland:20270330T193000\r\n"
    "ATTENDEE;PARTSTAT=DECLINED:mailto:ana.cole@example.org\r\n"
    "SEQUENCE:2\r\n"
    "END:VEVENT\r\n"
    "END:VCALENDAR\r\n";

/* Outlook names the zone its own way and sends its VTIMEZONE. */
static const char outlook_occurrence[] =
    "BEGIN:VCALENDAR\r\n"
    "METHOD:REPLY\r\n"
    "PRODID:Microsoft Exchange Server 2010\r\n"
    "VERSION:2.0\r\n"
    "BEGIN:VTIMEZONE\r\n"
    "TZID:New Zealand Standard Time\r\n"
    "BEGIN:STANDARD\r\n"
    "DTSTART:16010101T030000\r\n"
    "TZOFFSETFROM:+1300\r\n"
    "TZOFFSETTO:+1200\r\n"
    "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=1SU;BYMONTH=4\r\n"
    "END:STANDARD\r\n"
    "BEGIN:DAYLIGHT\r\n"
    "DTSTART:16010101T020000\r\n"
    "TZOFFSETFROM:+1200\r\n"
    "TZOFFSETTO:+1300\r\n"
    "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=9\r\n"
    "END:DAYLIGHT\r\n"
    "END:VTIMEZONE\r\n"
    "BEGIN:VEVENT\r\n"
    "ATTENDEE;PARTSTAT=TENTATIVE;CN=Ben Lee:MAILTO:BEN@Example.org\r\n"
    "COMMENT;LANGUAGE=en-NZ:Might be late.\r\n"
    "UID:fedcba9876543210fedcba9876543210@mingle\r\n"
    "RECURRENCE-ID;TZID=\"New Zealand Standard Time\":20270330T193000\r\n"
    "SUMMARY;LANGUAGE=en-NZ:Tentative: Atlas: Group 1\r\n"
    "DTSTART;TZID=New Zealand Standard Time:20270330T193000\r\n"
    "DTEND;TZID=New Zealand Standard Time:20270330T203000\r\n"
    "DTSTAMP:20270302T040506Z\r\n"
    "SEQUENCE:0\r\n"
    "END:VEVENT\r\n"
    "END:VCALENDAR\r\n";

static void test_series_accepted(void **state)
{
    struct mg_ical_reply r;
    struct mg_error err = {{0}, {0}};

    (void)state;
    assert_int_equal(mg_ical_parse_reply(&r, google_series, &err), 0);
    assert_string_equal(r.uid, "0123456789abcdef0123456789abcdef@mingle");
    assert_int_equal(r.sequence, 1);
    assert_string_equal(r.attendee, "ana.cole@example.org");
    assert_int_equal(r.partstat, MG_PARTSTAT_ACCEPTED);
    assert_string_equal(mg_ical_partstat_name(r.partstat), "accepted");
    assert_int_equal(r.recurrence_id, 0);
    mg_ical_reply_release(&r);
}

static void test_occurrence_iana(void **state)
{
    struct mg_ical_reply r;
    struct mg_error err = {{0}, {0}};
    char *no_vtz = mg_xstrdup(google_occurrence);
    char *b = strstr(no_vtz, "BEGIN:VTIMEZONE"),
         *e = strstr(no_vtz, "BEGIN:VEVENT");

    (void)state;
    assert_int_equal(mg_ical_parse_reply(&r, google_occurrence, &err), 0);
    assert_int_equal(r.partstat, MG_PARTSTAT_DECLINED);
    assert_int_equal(r.sequence, 2);
    assert_int_equal(r.recurrence_id, WEEK2);
    mg_ical_reply_release(&r);
    /* The same without its VTIMEZONE: the IANA name is enough. */
    memmove(b, e, strlen(e) + 1);
    assert_int_equal(mg_ical_parse_reply(&r, no_vtz, &err), 0);
    assert_int_equal(r.recurrence_id, WEEK2);
    mg_ical_reply_release(&r);
    free(no_vtz);
}

static void test_occurrence_outlook(void **state)
{
    struct mg_ical_reply r;
    struct mg_error err = {{0}, {0}};

    (void)state;
    assert_int_equal(mg_ical_parse_reply(&r, outlook_occurrence, &err), 0);
    assert_string_equal(r.attendee, "ben@example.org");
    assert_int_equal(r.partstat, MG_PARTSTAT_TENTATIVE);
    assert_int_equal(r.sequence, 0);
    assert_int_equal(r.recurrence_id, WEEK2);
    mg_ical_reply_release(&r);
}

/* Replace the first `from` in `text` with `to`; a new string. */
static char *edit(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    char *out;

    assert_non_null(at);
    out =
        mg_xasprintf("%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
    return out;
}

static void test_occurrence_utc(void **state)
{
    struct mg_ical_reply r;
    struct mg_error err = {{0}, {0}};
    char *utc = edit(google_occurrence,
                     "RECURRENCE-ID;TZID=Pacific/Auckland:20270330T193000",
                     "RECURRENCE-ID:20270330T063000Z");

    (void)state;
    assert_int_equal(mg_ical_parse_reply(&r, utc, &err), 0);
    assert_int_equal(r.recurrence_id, WEEK2);
    mg_ical_reply_release(&r);
    free(utc);
}

static void refused(const char *text, const char *field)
{
    struct mg_ical_reply r;
    struct mg_error err = {{0}, {0}};

    assert_int_equal(mg_ical_parse_reply(&r, text, &err), MG_EINVAL);
    assert_string_equal(err.field, field);
    assert_null(r.uid);
    assert_null(r.attendee);
}

static void test_refused(void **state)
{
    char *t;

    (void)state;
    refused("", "calendar");
    refused("hello", "calendar");
    t = edit(google_series, "METHOD:REPLY", "METHOD:REQUEST");
    refused(t, "method");
    free(t);
    t = edit(google_series, "METHOD:REPLY\r\n", "");
    refused(t, "method");
    free(t);
    t = edit(
        google_series, "SEQUENCE:1\r\n",
        "SEQUENCE:1\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:x@example.org\r\n");
    refused(t, "attendee");
    free(t);
    t = edit(google_series, "PARTSTAT=ACCEPTED", "PARTSTAT=NEEDS-ACTION");
    refused(t, "partstat");
    free(t);
    t = edit(google_series, "PARTSTAT=ACCEPTED;", "");
    refused(t, "partstat");
    free(t);
    t = edit(google_series, "mailto:Ana.Cole@Example.ORG",
             "urn:uuid:1234-5678");
    refused(t, "attendee");
    free(t);
    t = edit(google_series, "UID:0123456789abcdef0123456789abcdef@mingle\r\n",
             "");
    refused(t, "uid");
    free(t);
    t = edit(google_series, "END:VCALENDAR",
             "BEGIN:VEVENT\r\nUID:x\r\nEND:VEVENT\r\nEND:VCALENDAR");
    refused(t, "vevent");
    free(t);
    /* Floating and unknown zones cannot be placed in time. */
    t = edit(google_occurrence,
             "RECURRENCE-ID;TZID=Pacific/Auckland:20270330T193000",
             "RECURRENCE-ID:20270330T193000");
    refused(t, "recurrence_id");
    free(t);
    t = edit(google_occurrence,
             "RECURRENCE-ID;TZID=Pacific/Auckland:20270330T193000",
             "RECURRENCE-ID;TZID=Mars/Olympus:20270330T193000");
    refused(t, "recurrence_id");
    free(t);
    t = edit(google_occurrence,
             "RECURRENCE-ID;TZID=Pacific/Auckland:20270330T193000",
             "RECURRENCE-ID;VALUE=DATE:20270330");
    refused(t, "recurrence_id");
    free(t);
}

/* Issue 16, item 12: what cannot be applied says why, for the review
 * queue: a delegation (alone, or naming the delegate as RFC 5546 does),
 * two people answering, a Windows zone with no VTIMEZONE. */
static void refused_saying(const char *text, const char *field, const char *why)
{
    struct mg_ical_reply r;
    struct mg_error err = {{0}, {0}};

    assert_int_equal(mg_ical_parse_reply(&r, text, &err), MG_EINVAL);
    assert_string_equal(err.field, field);
    if (!strstr(err.message, why))
        fail_msg("'%s' does not say '%s'", err.message, why);
}

static void test_unappliable_reasons(void **state)
{
    char *t, *uid;

    (void)state;
    t = edit(google_series, "PARTSTAT=ACCEPTED", "PARTSTAT=DELEGATED");
    refused_saying(t, "partstat", "DELEGATED");
    free(t);
    t = edit(google_series, "PARTSTAT=ACCEPTED", "PARTSTAT=DELEGATED");
    uid = edit(t, "SEQUENCE:1\r\n",
               "SEQUENCE:1\r\nATTENDEE;PARTSTAT=NEEDS-ACTION;DELEGATED-FROM="
               "\"mailto:ana.cole@example.org\":mailto:x@example.org\r\n");
    refused_saying(uid, "partstat", "DELEGATED");
    free(uid);
    free(t);
    t = edit(
        google_series, "SEQUENCE:1\r\n",
        "SEQUENCE:1\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:x@example.org\r\n");
    refused_saying(t, "attendee", "2 ATTENDEEs");
    free(t);
    /* Outlook's zone name, its VTIMEZONE left out */
    {
        const char *b = strstr(outlook_occurrence, "BEGIN:VTIMEZONE");
        const char *e = strstr(outlook_occurrence, "END:VTIMEZONE\r\n");

        assert_true(b && e);
        uid = mg_xasprintf("%.*s%s", (int)(b - outlook_occurrence),
                           outlook_occurrence, e + strlen("END:VTIMEZONE\r\n"));
    }
    refused_saying(uid, "recurrence_id", "New Zealand Standard Time");
    /* the UID of a REPLY refused is still found, for the review queue */
    t = mg_ical_reply_uid(uid);
    assert_string_equal(t, "fedcba9876543210fedcba9876543210@mingle");
    free(t);
    free(uid);
    assert_null(mg_ical_reply_uid("hello"));
    t = edit(google_series, "METHOD:REPLY", "METHOD:REQUEST");
    assert_null(mg_ical_reply_uid(t));
    free(t);
}

static void test_partstat_names(void **state)
{
    enum mg_partstat p;

    (void)state;
    assert_int_equal(mg_ical_partstat_parse(&p, "tentative"), 0);
    assert_int_equal(p, MG_PARTSTAT_TENTATIVE);
    assert_int_equal(mg_ical_partstat_parse(&p, "declined"), 0);
    assert_int_equal(p, MG_PARTSTAT_DECLINED);
    assert_int_equal(mg_ical_partstat_parse(&p, "Accepted"), MG_EINVAL);
    assert_int_equal(mg_ical_partstat_parse(&p, NULL), MG_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_series_accepted),
        cmocka_unit_test(test_occurrence_iana),
        cmocka_unit_test(test_occurrence_outlook),
        cmocka_unit_test(test_occurrence_utc),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_unappliable_reasons),
        cmocka_unit_test(test_partstat_names),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);

    mg_schedule_shutdown();
    return rc;
}
