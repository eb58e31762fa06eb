/*
 * test_plenary_rsvp.c: people answering a plenary's invitation from
 * their calendar (issue 16, items 9-12). The REPLYs are real clients'
 * captures from ../shared/fixtures/itip/ (see its README for where each
 * came from), read in place and given this plenary's UID, the person's
 * address, a SEQUENCE, a PARTSTAT and, for one call, a RECURRENCE-ID:
 * Thunderbird/Lightning's declined REPLY (Tine 2.0's test data, with its
 * Europe/Berlin VTIMEZONE), Apple iCal 5's and Google Calendar's accepted
 * REPLYs. They are posted to the raw MIME webhook; what became of them is
 * read back from the plenary's RSVPs, its counts, the outbox and the
 * review queue.
 *
 * The series: "Conversations", four Tuesdays from 2027-03-16 19:30 in
 * Pacific/Auckland, three places. By Python's zoneinfo the calls are at
 * 06:30Z on 16, 23 and 30 March and 07:30Z on 6 April (New Zealand
 * leaves daylight saving on 4 April); in Berlin, 07:30, 07:30, 08:30 and
 * 09:30 (Berlin starts it on 28 March).
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>
#include <jansson.h>

#include "support.h"

#define SECRET "plenary-rsvp-secret"
#define HOOK "/hooks/mail/mime?secret=" SECRET
/* Real clients' REPLYs, kept beside the repository (not copied in). */
#define ITIP "itip/" /* under the shared captures (test_read_shared) */
#define THUNDERBIRD ITIP "thunderbird-lightning-reply-declined.ics"
#define APPLE ITIP "apple-ical5-reply-accepted.ics"
#define GOOGLE ITIP "google-calendar-reply-accepted.ics"
/* the whole iMIP message as delivered: multipart/mixed, the REPLY as
 * text/calendar and again as an application/ics attachment */
#define THUNDERBIRD_MAIL ITIP "thunderbird-lightning-reply-accepted.eml"

static const char circle_json[] =
    "{\"title\":\"Atlas\",\"slug\":\"atlas\",\"time_zone\":"
    "\"Pacific/Auckland\",\"start_date\":\"2027-03-22\",\"weeks\":4,"
    "\"slots\":[{\"weekday\":\"tuesday\",\"start\":\"19:30\",\"minutes\":60}],"
    "\"organizer\":{\"name\":\"Coordinators\",\"email\":"
    "\"circles@example.org\"}}";

static const char people_csv[] = "name,email\n"
                                 "Ana,ana@example.org\n"
                                 "Ben,ben@example.org\n"
                                 "Cai,cai@example.org\n"
                                 "Dee,dee@example.org\n"
                                 "Eru,eru@example.org\n"
                                 "Fay,fay@example.org\n";

enum { ANA, BEN, CAI, DEE, ERU, FAY, N_PEOPLE };

static const char *const emails[] = {"ana@example.org", "ben@example.org",
                                     "cai@example.org", "dee@example.org",
                                     "eru@example.org", "fay@example.org"};

struct world {
    struct test_site site;
    long long circle;
    long long ids[N_PEOPLE];
    long long conv; /* the four-week series, three places */
    char conv_uid[128];
    long long closing; /* one call, ten places */
    char closing_uid[128];
    int message; /* Message-IDs */
};

static struct world *W;

static json_t *call(long *status, const char *method, const char *path,
                    const char *body)
{
    return test_site_call(&W->site, status, method, path, body, NULL);
}

static long long make_plenary(char *uid, size_t n, const char *json)
{
    char *path = test_circle_path(W->circle, "/plenaries");
    long status;
    json_t *doc = call(&status, "POST", path, json);
    long long id;

    assert_int_equal(status, 201);
    id = json_integer_value(json_object_get(doc, "id"));
    snprintf(uid, n, "%s", json_string_value(json_object_get(doc, "uid")));
    json_decref(doc);
    free(path);
    return id;
}

static void enrol(long long plenary, int who, const char *expect)
{
    char *path =
        test_circle_path(W->circle, "/plenaries/%lld/registrations", plenary);
    char *body = mg_xasprintf("{\"participant_id\":%lld}", W->ids[who]);
    long status;
    json_t *doc = call(&status, "POST", path, body);

    assert_int_equal(status, 200);
    assert_string_equal(json_string_value(json_object_get(doc, "status")),
                        expect);
    json_decref(doc);
    free(body);
    free(path);
}

static int setup_world(void **state)
{
    struct world *w = mg_xcalloc(1, sizeof(*w));
    /* answers' sender verdicts are test_rsvp's; here the check is off */
    static const char *const env[] = {"MINGLE_MIME_SECRET=" SECRET,
                                      "MINGLE_SENDER_AUTH_OFF=mime", NULL};
    const struct test_site_opts opts = {.maildir = 1, .env = env};
    size_t j;

    if (test_site_start(&w->site, "plenary_rsvp.db", &opts) < 0)
        return -1;
    W = w;
    *state = w;
    w->circle = test_site_circle(&w->site, circle_json, NULL);
    if (!w->circle || test_site_people(&w->site, w->circle, people_csv) < 0)
        return -1;
    for (j = 0; j < N_PEOPLE; j++) {
        w->ids[j] = test_site_person(&w->site, w->circle, emails[j]);
        if (!w->ids[j])
            return -1;
    }
    return 0;
}

static int teardown_world(void **state)
{
    struct world *w = *state;

    test_site_stop(&w->site, SIGTERM);
    free(w);
    return 0;
}

/* --- REPLYs from the captures ------------------------------------------ */

/* `s` with every `from` replaced by `to`; the caller frees it. */
static char *replace_all(const char *s, const char *from, const char *to)
{
    struct mg_buf b = MG_BUF_INIT;
    const char *p;

    while ((p = strstr(s, from)) != NULL) {
        mg_buf_add(&b, s, (size_t)(p - s));
        mg_buf_puts(&b, to);
        s = p + strlen(from);
    }
    mg_buf_puts(&b, s);
    return mg_buf_detach(&b);
}

/*
 * Capture `file` made into `who`'s answer to `uid`: lines unfolded, the
 * UID replaced (followed by `recurrence`, a whole RECURRENCE-ID line, if
 * any), the SEQUENCE set, the ATTENDEE's address (wherever it appears)
 * made `who`'s and its PARTSTAT `partstat`; `extra` (a whole line, or
 * NULL) is added after the ATTENDEE. Everything else is the client's.
 */
static char *capture(const char *file, const char *uid, int who, int sequence,
                     const char *partstat, const char *recurrence,
                     const char *extra)
{
    size_t len = 0;
    char *raw = test_read_shared(file, &len), *text, *line, *next, *swapped;
    struct mg_buf out = MG_BUF_INIT;
    char old_address[128] = "";

    text = replace_all(raw, "\r\n", "\n");
    free(raw);
    raw = replace_all(text, "\n ", ""); /* unfold */
    free(text);
    for (line = raw; *line; line = next) {
        size_t n = strcspn(line, "\n");

        next = line + n + (line[n] == '\n');
        if (strncmp(line, "UID:", 4) == 0) {
            mg_buf_printf(&out, "UID:%s\r\n", uid);
            if (recurrence)
                mg_buf_printf(&out, "%s\r\n", recurrence);
        } else if (strncmp(line, "SEQUENCE:", 9) == 0) {
            mg_buf_printf(&out, "SEQUENCE:%d\r\n", sequence);
        } else if (strncmp(line, "ATTENDEE", 8) == 0) {
            const char *m = strcasestr(line, ":mailto:");
            const char *ps = strstr(line, "PARTSTAT=");
            size_t rest;

            assert_true(m && ps && m < line + n && ps < m);
            snprintf(old_address, sizeof(old_address), "%.*s",
                     (int)(line + n - (m + 8)), m + 8);
            rest = strcspn(ps + 9, ";:");
            mg_buf_add(&out, line, (size_t)(ps - line));
            mg_buf_printf(&out, "PARTSTAT=%s", partstat);
            mg_buf_add(&out, ps + 9 + rest, (size_t)(m - (ps + 9 + rest)));
            mg_buf_printf(&out, ":mailto:%s\r\n", emails[who]);
            if (extra)
                mg_buf_printf(&out, "%s\r\n", extra);
        } else {
            mg_buf_add(&out, line, n);
            mg_buf_puts(&out, "\r\n");
        }
    }
    free(raw);
    assert_true(old_address[0] != '\0');
    text = mg_buf_detach(&out);
    /* the address in CN/EMAIL parameters too */
    swapped = replace_all(text, old_address, emails[who]);
    free(text);
    return swapped;
}

/* Mail `ics` from `from` with Message-ID `message_id` (NULL: a new one). */
static char *mail_of(const char *from, const char *ics, const char *message_id)
{
    char id[64];

    if (!message_id) {
        snprintf(id, sizeof(id), "<plenary-reply-%d@example.org>",
                 ++W->message);
        message_id = id;
    }
    return mg_xasprintf(
        "From: <%s>\r\nTo: <circles@example.org>\r\nSubject: Reply\r\n"
        "Message-ID: %s\r\nDate: Mon, 1 Mar 2027 10:00:00 +1300\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/calendar; charset=utf-8; "
        "method=REPLY\r\n\r\n%s",
        from, message_id, ics);
}

/* Post mail `msg`; messages[0] of the answer (the caller decrefs it). */
static json_t *post(const char *msg)
{
    struct test_response resp;
    json_t *doc, *first;

    assert_int_equal(test_http_ex(&resp, W->site.d.port, "POST", HOOK, NULL,
                                  NULL, msg, strlen(msg), "message/rfc822"),
                     0);
    assert_int_equal(resp.status, 200);
    doc = json_loads(resp.body, 0, NULL);
    assert_non_null(doc);
    first = json_incref(json_array_get(json_object_get(doc, "messages"), 0));
    assert_non_null(first);
    json_decref(doc);
    test_response_release(&resp);
    return first;
}

/* Post `ics` from `from` and expect messages[0].outcome `outcome`. */
static void answer(const char *from, char *ics, const char *message_id,
                   const char *outcome)
{
    char *msg = mail_of(from, ics, message_id);
    json_t *got = post(msg);

    assert_string_equal(json_string_value(json_object_get(got, "outcome")),
                        outcome);
    json_decref(got);
    free(msg);
    free(ics);
}

/* --- what became of them ------------------------------------------------ */

/* `who`'s answer for `week` of `plenary`, "" when none is listed. */
static void answer_of(char *out, size_t n, long long plenary, int who, int week)
{
    char *path = test_circle_path(W->circle, "/plenaries/%lld/rsvps", plenary);
    long status;
    json_t *doc = call(&status, "GET", path, NULL);
    json_t *list = json_object_get(doc, "rsvps");
    size_t i;

    assert_int_equal(status, 200);
    out[0] = '\0';
    for (i = 0; i < json_array_size(list); i++) {
        json_t *a = json_array_get(list, i);

        if (json_integer_value(json_object_get(a, "participant_id")) ==
                W->ids[who] &&
            json_integer_value(json_object_get(a, "week")) == week)
            snprintf(out, n, "%s",
                     json_string_value(json_object_get(a, "status")));
    }
    json_decref(doc);
    free(path);
}

static void expect_weeks(int who, const char *w1, const char *w2,
                         const char *w3, const char *w4)
{
    const char *want[4] = {w1, w2, w3, w4};
    char got[16];
    int week;

    for (week = 1; week <= 4; week++) {
        answer_of(got, sizeof(got), W->conv, who, week);
        if (strcmp(got, want[week - 1]) != 0)
            fail_msg("%s week %d: '%s', not '%s'", emails[who], week, got,
                     want[week - 1]);
    }
}

/* The plenary's count of `key` for `week` (the rsvps endpoint). */
static long long week_count(long long plenary, int week, const char *key)
{
    char *path = test_circle_path(W->circle, "/plenaries/%lld/rsvps", plenary);
    long status;
    json_t *doc = call(&status, "GET", path, NULL);
    json_t *w = json_array_get(json_object_get(doc, "weeks"), week - 1);
    long long v;

    assert_int_equal(status, 200);
    assert_int_equal(json_integer_value(json_object_get(w, "week")), week);
    v = json_integer_value(json_object_get(w, key));
    json_decref(doc);
    free(path);
    return v;
}

/* How many of `plenary`'s seats are registered and waitlisted. */
static void counts(long long plenary, int registered, int waitlisted)
{
    char *path = test_circle_path(W->circle, "/plenaries");
    long status;
    json_t *doc = call(&status, "GET", path, NULL);
    json_t *list = json_object_get(doc, "plenaries");
    size_t i;
    int seen = 0;

    for (i = 0; i < json_array_size(list); i++) {
        json_t *p = json_array_get(list, i);

        if (json_integer_value(json_object_get(p, "id")) != plenary)
            continue;
        seen = 1;
        assert_int_equal(json_integer_value(json_object_get(p, "registered")),
                         registered);
        assert_int_equal(json_integer_value(json_object_get(p, "waitlisted")),
                         waitlisted);
    }
    assert_true(seen);
    json_decref(doc);
    free(path);
}

/* How many outbox messages of `kind` went to `who`. */
static int mail_count(const char *kind, int who)
{
    char *path = test_circle_path(W->circle, "/outbox");
    long status;
    json_t *doc = call(&status, "GET", path, NULL);
    json_t *list = json_object_get(doc, "messages");
    size_t i;
    int n = 0;

    assert_int_equal(status, 200);
    for (i = 0; i < json_array_size(list); i++) {
        json_t *m = json_array_get(list, i);

        n += strcmp(json_string_value(json_object_get(m, "kind")), kind) == 0 &&
             strcmp(json_string_value(json_object_get(m, "recipient")),
                    emails[who]) == 0;
    }
    json_decref(doc);
    free(path);
    return n;
}

/* The review queue (every circle): how many wait, and whether one has a
 * reason containing `why` (and is in this circle when `here`). */
static size_t review(const char *why, int here, int *found)
{
    long status;
    json_t *doc = call(&status, "GET", "/api/v1/notes/review?limit=100", NULL);
    json_t *list = json_object_get(doc, "notes");
    size_t i, n;

    assert_int_equal(status, 200);
    n = json_array_size(list);
    *found = 0;
    for (i = 0; why && i < n; i++) {
        json_t *note = json_array_get(list, i);
        const char *r =
            json_string_value(json_object_get(note, "review_reason"));

        if (r && strstr(r, why) &&
            (!here || json_integer_value(json_object_get(note, "circle_id")) ==
                          W->circle))
            *found = 1;
    }
    json_decref(doc);
    return n;
}

/* --- the tests ---------------------------------------------------------- */

static void test_setup_plenaries(void **state)
{
    (void)state;
    W->conv = make_plenary(
        W->conv_uid, sizeof(W->conv_uid),
        "{\"title\":\"Conversations\",\"start\":\"2027-03-16T19:30\","
        "\"weeks\":4,\"capacity\":3}");
    enrol(W->conv, ANA, "registered");
    enrol(W->conv, BEN, "registered");
    enrol(W->conv, ERU, "registered");
    enrol(W->conv, CAI, "waitlisted");
    enrol(W->conv, FAY, "waitlisted");
    counts(W->conv, 3, 2);
    W->closing = make_plenary(W->closing_uid, sizeof(W->closing_uid),
                              "{\"title\":\"Closing\",\"start\":"
                              "\"2027-04-13T19:30\",\"capacity\":10}");
    enrol(W->closing, DEE, "registered");
}

/* Item 9: Thunderbird declines week 2 only (its RECURRENCE-ID in Berlin
 * time): that call is declined, the place kept, no CANCEL, nobody
 * promoted. */
static void test_item9_one_call_declined(void **state)
{
    (void)state;
    test_need_shared(); /* builds on what the captures left */
    answer(emails[ANA],
           capture(THUNDERBIRD, W->conv_uid, ANA, 0, "DECLINED",
                   "RECURRENCE-ID;TZID=Europe/Berlin:20270323T073000", NULL),
           NULL, "rsvp");
    counts(W->conv, 3, 2);
    assert_int_equal(mail_count("cancel", ANA), 0);
    assert_int_equal(mail_count("invite", CAI), 0);
    expect_weeks(ANA, "", "declined", "", "");
    assert_int_equal(week_count(W->conv, 2, "declined"), 1);
    assert_int_equal(week_count(W->conv, 1, "declined"), 0);
}

/* Item 9: week 4, after New Zealand leaves daylight saving, named in UTC
 * and, by another person, in Berlin's summer time: each is week 4. */
static void test_item9_call_across_dst(void **state)
{
    (void)state;
    test_need_shared(); /* builds on what the captures left */
    answer(emails[BEN],
           capture(THUNDERBIRD, W->conv_uid, BEN, 0, "DECLINED",
                   "RECURRENCE-ID:20270406T073000Z", NULL),
           NULL, "rsvp");
    counts(W->conv, 3, 2);
    assert_int_equal(mail_count("cancel", BEN), 0);
    expect_weeks(BEN, "", "", "", "declined");
    answer(emails[ERU],
           capture(THUNDERBIRD, W->conv_uid, ERU, 0, "DECLINED",
                   "RECURRENCE-ID;TZID=Europe/Berlin:20270406T093000", NULL),
           NULL, "rsvp");
    expect_weeks(ERU, "", "", "", "declined");
    assert_int_equal(week_count(W->conv, 4, "declined"), 2);
    counts(W->conv, 3, 2);
    assert_int_equal(mail_count("cancel", BEN), 0);
    assert_int_equal(mail_count("cancel", ERU), 0);
}

/* Item 9 (and 12): a RECURRENCE-ID that is none of the calls (a
 * Wednesday) changes nothing and waits for review. */
static void test_item9_no_such_call(void **state)
{
    int found = 0;

    (void)state;
    test_need_shared(); /* builds on what the captures left */
    answer(emails[ANA],
           capture(THUNDERBIRD, W->conv_uid, ANA, 0, "DECLINED",
                   "RECURRENCE-ID;TZID=Pacific/Auckland:20270324T193000", NULL),
           NULL, "review");
    expect_weeks(ANA, "", "declined", "", "");
    counts(W->conv, 3, 2);
    review("no call of", 1, &found);
    assert_true(found);
}

/* Item 11: Apple iCal accepts the series, Google Calendar one call,
 * Thunderbird says maybe to the series: each is recorded (they were
 * answered rsvp_ignored before) and counted per week. */
/* What is held about Ana (her export) has her calendar's answers to the
 * plenary's calls: week 2 declined, week 3 accepted. */
static void export_answers(int who)
{
    char *path =
        test_circle_path(W->circle, "/participants/%lld/export", W->ids[who]);
    long status;
    json_t *doc = call(&status, "GET", path, NULL), *list;
    size_t i;
    int seen = 0;

    assert_int_equal(status, 200);
    list = json_object_get(doc, "plenary_answers");
    assert_true(json_is_array(list));
    for (i = 0; i < json_array_size(list); i++) {
        json_t *a = json_array_get(list, i);
        json_int_t week = json_integer_value(json_object_get(a, "week"));
        const char *ans = json_string_value(json_object_get(a, "answer"));

        if (json_integer_value(json_object_get(a, "plenary_id")) != W->conv)
            continue;
        assert_non_null(ans);
        if (week == 2)
            assert_string_equal(ans, "declined");
        if (week == 3)
            assert_string_equal(ans, "accepted");
        seen += week == 2 || week == 3;
    }
    assert_int_equal(seen, 2);
    json_decref(doc);
    free(path);
}

static void test_item11_accept_and_tentative(void **state)
{
    (void)state;
    test_need_shared(); /* builds on what the captures left */
    answer(emails[ERU],
           capture(APPLE, W->conv_uid, ERU, 0, "ACCEPTED", NULL, NULL), NULL,
           "rsvp");
    expect_weeks(ERU, "accepted", "accepted", "accepted", "accepted");
    answer(emails[ANA],
           capture(GOOGLE, W->conv_uid, ANA, 0, "ACCEPTED",
                   "RECURRENCE-ID:20270330T063000Z", NULL),
           NULL, "rsvp");
    expect_weeks(ANA, "", "declined", "accepted", "");
    answer(emails[BEN],
           capture(THUNDERBIRD, W->conv_uid, BEN, 0, "TENTATIVE", NULL, NULL),
           NULL, "rsvp");
    expect_weeks(BEN, "tentative", "tentative", "tentative", "tentative");
    assert_int_equal(week_count(W->conv, 3, "accepted"), 2);
    assert_int_equal(week_count(W->conv, 3, "tentative"), 1);
    assert_int_equal(week_count(W->conv, 3, "no_answer"), 0);
    assert_int_equal(week_count(W->conv, 2, "accepted"), 1);
    assert_int_equal(week_count(W->conv, 2, "declined"), 1);
    assert_int_equal(week_count(W->conv, 2, "tentative"), 1);
    assert_int_equal(week_count(W->conv, 1, "no_answer"), 1);
    counts(W->conv, 3, 2);
    export_answers(ANA);
}

/* Item 11: the dashboard's plenary page counts the answers for each
 * call: week 3 has two coming, one maybe (the API's figures above). */
static void test_item11_dashboard_counts(void **state)
{
    struct test_response resp;
    char *cookie = NULL, *path;
    const char *row;

    (void)state;
    test_need_shared(); /* builds on what the captures left */
    assert_int_equal(
        test_site_dashboard_login(&W->site, W->site.token, &cookie, NULL, NULL),
        303);
    path = test_dashboard_path(W->circle, "/plenaries/%lld", W->conv);
    test_site_page(&resp, &W->site, "GET", path, cookie, NULL);
    assert_int_equal(resp.status, 200);
    assert_non_null(strstr(resp.body, ">Answers</h2>"));
    row = strstr(resp.body, "Week 3 <span class=\"muted\">2027-03-30 19:30");
    assert_non_null(row);
    assert_non_null(strstr(row, "</th><td>2</td><td>1</td><td>0</td>"
                                "<td>0</td></tr>"));
    row = strstr(resp.body, "Week 1 <span");
    assert_non_null(row);
    assert_non_null(strstr(row, "</th><td>1</td><td>1</td><td>0</td>"
                                "<td>1</td></tr>"));
    test_response_release(&resp);
    free(path);
    free(cookie);
}

/* The success report's answers to one call of `plenary` (JSON): want
 * is accepted, declined, tentative, no answer. */
static void report_answers(json_t *doc, long long plenary, int week,
                           const int want[4])
{
    static const char *const keys[] = {"accepted", "declined", "tentative",
                                       "no_answer"};
    json_t *list = json_object_get(doc, "plenaries"), *w = NULL;
    size_t i;
    int k;

    for (i = 0; i < json_array_size(list); i++) {
        json_t *p = json_array_get(list, i);

        if (json_integer_value(json_object_get(p, "id")) == plenary)
            w = json_array_get(json_object_get(p, "weeks"), (size_t)week - 1);
    }
    assert_non_null(w);
    assert_int_equal(json_integer_value(json_object_get(w, "week")), week);
    for (k = 0; k < 4; k++)
        if (json_integer_value(json_object_get(w, keys[k])) != want[k])
            fail_msg("report, call %d: %s is %lld, not %d", week, keys[k],
                     (long long)json_integer_value(json_object_get(w, keys[k])),
                     want[k]);
}

/*
 * Issue #16: the success report has each plenary call's answers beside
 * its attendance, as the group sessions have theirs. What the real
 * clients' REPLYs above left (Thunderbird, Apple iCal, Google Calendar),
 * worked out by hand for the three registered (Ana, Ben, Eru):
 *   call 1: Eru accepted, Ben maybe, Ana none        -> 1, 0, 1, 1
 *   call 2: Eru accepted, Ana declined, Ben maybe    -> 1, 1, 1, 0
 *   call 3: Eru and Ana accepted, Ben maybe          -> 2, 0, 1, 0
 *   call 4: Eru accepted (the series after declining), Ben maybe (the
 *           series after declining), Ana none         -> 1, 0, 1, 1
 * The plenary's sums: 5 accepted, 1 declined, 4 tentative. The closing
 * call: Dee registered, no answer -> 0, 0, 0, 1. In JSON, in the CSV's
 * accepted, declined and tentative columns, in Markdown and in the
 * dashboard's report table.
 */
static void test_report_answers(void **state)
{
    static const int calls[4][4] = {
        {1, 0, 1, 1}, {1, 1, 1, 0}, {2, 0, 1, 0}, {1, 0, 1, 1}};
    static const int closing[4] = {0, 0, 0, 1};
    char *path = test_circle_path(W->circle, "/report"), *url, *row;
    char *cookie = NULL;
    struct test_response resp;
    long status;
    json_t *doc, *list, *p = NULL;
    const char *body;
    size_t i;
    int week;

    (void)state;
    test_need_shared(); /* builds on what the captures left */
    doc = call(&status, "GET", path, NULL);
    assert_int_equal(status, 200);
    for (week = 1; week <= 4; week++)
        report_answers(doc, W->conv, week, calls[week - 1]);
    report_answers(doc, W->closing, 1, closing);
    list = json_object_get(doc, "plenaries");
    for (i = 0; i < json_array_size(list); i++)
        if (json_integer_value(
                json_object_get(json_array_get(list, i), "id")) == W->conv)
            p = json_array_get(list, i);
    assert_non_null(p);
    assert_int_equal(json_integer_value(json_object_get(p, "accepted")), 5);
    assert_int_equal(json_integer_value(json_object_get(p, "declined")), 1);
    assert_int_equal(json_integer_value(json_object_get(p, "tentative")), 4);
    json_decref(doc);

    url = mg_xasprintf("%s?format=csv", path);
    assert_int_equal(
        test_http(&resp, W->site.d.port, "GET", url, W->site.token, NULL, NULL),
        0);
    assert_int_equal(resp.status, 200);
    row = mg_xasprintf(",,Conversations,2,2027-03-23 06:30,confirmed,3,1,1,1,,"
                       "no,,plenary,%lld,2\r\n",
                       W->conv);
    assert_non_null(strstr(resp.body, row));
    free(row);
    /* after New Zealand leaves daylight saving */
    row = mg_xasprintf(",,Conversations,4,2027-04-06 07:30,confirmed,3,1,0,1,,"
                       "no,,plenary,%lld,2\r\n",
                       W->conv);
    assert_non_null(strstr(resp.body, row));
    free(row);
    test_response_release(&resp);
    free(url);

    url = mg_xasprintf("%s?format=markdown", path);
    assert_int_equal(
        test_http(&resp, W->site.d.port, "GET", url, W->site.token, NULL, NULL),
        0);
    assert_int_equal(resp.status, 200);
    assert_non_null(strstr(resp.body, "| 3 | 2027-03-30 06:30 | 3 | 2 | 2 | 0 "
                                      "| 1 | 0 | not recorded | |\n"));
    test_response_release(&resp);
    free(url);

    assert_int_equal(
        test_site_dashboard_login(&W->site, W->site.token, &cookie, NULL, NULL),
        303);
    url = test_dashboard_path(W->circle, "%s", "");
    test_site_page(&resp, &W->site, "GET", url, cookie, NULL);
    assert_int_equal(resp.status, 200);
    body = strstr(resp.body, "Answers, call by call");
    assert_non_null(body);
    body = strstr(body, "Conversations");
    assert_non_null(body);
    assert_non_null(strstr(body, "Call 1: 1 accepted, 0 declined, 1 tentative, "
                                 "1 no answer<br>Call 2: 1 accepted, 1 "
                                 "declined, 1 tentative, 0 no answer<br>"));
    assert_non_null(strstr(body, "Call 1: 0 accepted, 0 declined, 0 tentative, "
                                 "1 no answer</td>"));
    test_response_release(&resp);
    free(url);
    free(cookie);
    free(path);
}

/* Item 10: the same message delivered twice is applied once. Ana
 * accepts week 1 (message A), then says maybe (message B); A comes
 * again: week 1 stays tentative. */
static void test_item10_same_message_twice(void **state)
{
    static const char first[] = "<accept-week1@example.org>";

    (void)state;
    test_need_shared(); /* builds on what the captures left */
    answer(emails[ANA],
           capture(GOOGLE, W->conv_uid, ANA, 0, "ACCEPTED",
                   "RECURRENCE-ID:20270316T063000Z", NULL),
           first, "rsvp");
    expect_weeks(ANA, "accepted", "declined", "accepted", "");
    answer(emails[ANA],
           capture(GOOGLE, W->conv_uid, ANA, 0, "TENTATIVE",
                   "RECURRENCE-ID:20270316T063000Z", NULL),
           NULL, "rsvp");
    expect_weeks(ANA, "tentative", "declined", "accepted", "");
    answer(emails[ANA],
           capture(GOOGLE, W->conv_uid, ANA, 0, "ACCEPTED",
                   "RECURRENCE-ID:20270316T063000Z", NULL),
           first, "duplicate");
    expect_weeks(ANA, "tentative", "declined", "accepted", "");
}

/* Item 10: Dee declines the closing call (its CANCEL is SEQUENCE 1) and
 * is registered again (a REQUEST at SEQUENCE 2). Her old decline comes
 * again, as a new message: it answers SEQUENCE 0, older than what she
 * was last sent, and is ignored (it compared with the plenary's own
 * SEQUENCE, 0, and declined her again). */
static void test_item10_old_decline_after_reregistering(void **state)
{
    static const char old[] = "<dee-declines@example.org>";

    (void)state;
    test_need_shared(); /* builds on what the captures left */
    answer(emails[DEE],
           capture(THUNDERBIRD, W->closing_uid, DEE, 0, "DECLINED", NULL, NULL),
           old, "rsvp");
    counts(W->closing, 0, 0);
    assert_int_equal(mail_count("cancel", DEE), 1);
    enrol(W->closing, DEE, "registered");
    assert_int_equal(mail_count("invite", DEE), 2);
    /* a calendar that sends the old answer anew */
    answer(emails[DEE],
           capture(THUNDERBIRD, W->closing_uid, DEE, 0, "DECLINED", NULL, NULL),
           NULL, "rsvp_ignored");
    counts(W->closing, 1, 0);
    /* the very message redelivered by the provider */
    answer(emails[DEE],
           capture(THUNDERBIRD, W->closing_uid, DEE, 0, "DECLINED", NULL, NULL),
           old, "duplicate");
    counts(W->closing, 1, 0);
    assert_int_equal(mail_count("cancel", DEE), 1);
    /* her answer to what she was sent last counts */
    answer(emails[DEE],
           capture(APPLE, W->closing_uid, DEE, 2, "ACCEPTED", NULL, NULL), NULL,
           "rsvp");
    assert_int_equal(week_count(W->closing, 1, "accepted"), 1);
}

/* Item 10: a new registration starts with no answers: Dee's answers
 * before she declined the series are not listed once she is back. */
static void test_item10_fresh_registration(void **state)
{
    (void)state;
    test_need_shared(); /* builds on what the captures left */
    answer(emails[DEE],
           capture(THUNDERBIRD, W->closing_uid, DEE, 2, "DECLINED", NULL, NULL),
           NULL, "rsvp");
    counts(W->closing, 0, 0);
    enrol(W->closing, DEE, "registered");
    assert_int_equal(week_count(W->closing, 1, "accepted"), 0);
    assert_int_equal(week_count(W->closing, 1, "no_answer"), 1);
}

/* Item 9: a decline with no RECURRENCE-ID is the whole series, as
 * before: Ben's place goes (a CANCEL) to Cai, first on the waitlist, and
 * Ben's answers are no longer counted. */
static void test_item9_series_declined(void **state)
{
    (void)state;
    test_need_shared(); /* builds on what the captures left */
    answer(emails[BEN],
           capture(THUNDERBIRD, W->conv_uid, BEN, 0, "DECLINED", NULL, NULL),
           NULL, "rsvp");
    counts(W->conv, 3, 1);
    assert_int_equal(mail_count("cancel", BEN), 1);
    assert_int_equal(mail_count("invite", CAI), 1);
    expect_weeks(BEN, "", "", "", "");
    assert_int_equal(week_count(W->conv, 1, "tentative"), 1); /* Ana's */
}

/* Item 11: PATCH names as promoted only those moved off the waitlist. A
 * new title re-invites the three registered (queued 3) and promotes
 * nobody; one more place and a new title re-invite three and invite Fay,
 * the one promoted. */
static void test_item11_patch_promoted(void **state)
{
    char *path = test_circle_path(W->circle, "/plenaries/%lld", W->conv);
    long status;
    json_t *doc, *promoted;

    (void)state;
    test_need_shared(); /* builds on what the captures left */
    doc = call(&status, "PATCH", path, "{\"title\":\"Conversations II\"}");
    assert_int_equal(status, 200);
    assert_int_equal(json_integer_value(json_object_get(doc, "queued")), 3);
    assert_int_equal(json_array_size(json_object_get(doc, "promoted")), 0);
    json_decref(doc);
    doc = call(&status, "PATCH", path,
               "{\"title\":\"Conversations III\",\"capacity\":4}");
    assert_int_equal(status, 200);
    assert_int_equal(json_integer_value(json_object_get(doc, "queued")), 4);
    promoted = json_object_get(doc, "promoted");
    assert_int_equal(json_array_size(promoted), 1);
    assert_int_equal(json_integer_value(json_array_get(promoted, 0)),
                     W->ids[FAY]);
    json_decref(doc);
    doc = call(&status, "PATCH", path, "{\"capacity\":5}");
    assert_int_equal(status, 200);
    assert_int_equal(json_integer_value(json_object_get(doc, "queued")), 0);
    assert_int_equal(json_array_size(json_object_get(doc, "promoted")), 0);
    json_decref(doc);
    free(path);
    counts(W->conv, 4, 0);
}

/* Item 11: Thunderbird's whole accepting message, as its mail server
 * delivered it, from Fay (promoted above) to this plenary at the
 * SEQUENCE she was sent: recorded for every call; the same message again
 * is a duplicate (item 10). */
static void test_item11_whole_thunderbird_message(void **state)
{
    size_t len = 0;
    char *raw = test_read_shared(THUNDERBIRD_MAIL, &len), *a, *b;
    json_t *got;

    (void)state;
    assert_non_null(raw);
    a = replace_all(raw, "tine20admin@caldav.net", emails[FAY]);
    b = replace_all(a, "4f0162146d61cb2c06cbe2abf94636f4526abe16", W->conv_uid);
    free(a);
    /* Fay was sent SEQUENCE 2 (the plenary had been renamed twice) */
    a = replace_all(b, "SEQUENCE:0", "SEQUENCE:2");
    free(b);
    b = a;
    a = NULL;
    got = post(b);
    assert_string_equal(json_string_value(json_object_get(got, "outcome")),
                        "rsvp");
    json_decref(got);
    expect_weeks(FAY, "accepted", "accepted", "accepted", "accepted");
    got = post(b);
    assert_string_equal(json_string_value(json_object_get(got, "outcome")),
                        "duplicate");
    json_decref(got);
    free(b);
    free(a);
    free(raw);
}

/*
 * Item 12: REPLYs mingle cannot apply wait in the review queue with the
 * reason and are never published: a delegation, two ATTENDEEs, a Windows
 * zone with no VTIMEZONE, a UID nobody was sent; and one refused (From
 * is not the attendee) is there too, in the plenary's circle, so its
 * coordinator sees it. Delivered again, none is kept twice.
 */
static void test_item12_review_queue(void **state)
{
    char *notes = test_circle_path(W->circle, "/notes"), *cookie = NULL, *path;
    struct test_response resp;
    size_t before, after;
    long status;
    json_t *doc;
    int found = 0;

    (void)state;
    test_need_shared(); /* builds on what the captures left */
    before = review(NULL, 0, &found);
    answer(emails[ANA],
           capture(THUNDERBIRD, W->conv_uid, ANA, 3, "DELEGATED", NULL,
                   "ATTENDEE;PARTSTAT=NEEDS-ACTION;DELEGATED-FROM=\"mailto:ana@"
                   "example.org\":mailto:someone@example.net"),
           "<delegated@example.org>", "review");
    review("DELEGATED", 1, &found);
    assert_true(found);
    answer(emails[ERU],
           capture(APPLE, W->conv_uid, ERU, 3, "ACCEPTED", NULL,
                   "ATTENDEE;PARTSTAT=ACCEPTED:mailto:fay@example.org"),
           NULL, "review");
    review("2 ATTENDEEs", 1, &found);
    assert_true(found);
    answer(emails[ERU],
           capture(THUNDERBIRD, W->conv_uid, ERU, 3, "DECLINED",
                   "RECURRENCE-ID;TZID=New Zealand Standard "
                   "Time:20270323T193000",
                   NULL),
           NULL, "review");
    review("New Zealand Standard Time", 1, &found);
    assert_true(found);
    answer(emails[ERU],
           capture(GOOGLE, "0123456789abcdef0123456789abcdef@mingle", ERU, 0,
                   "ACCEPTED", NULL, NULL),
           NULL, "review");
    review("no invitation has UID", 0, &found);
    assert_true(found);
    /* Cai answers for Eru: refused, and visible to the coordinator */
    answer(emails[CAI],
           capture(GOOGLE, W->conv_uid, ERU, 3, "DECLINED", NULL, NULL),
           "<not-the-attendee@example.org>", "rsvp_refused");
    review("calendar reply refused", 1, &found);
    assert_true(found);
    after = review(NULL, 0, &found);
    assert_int_equal(after, before + 5);
    /* nothing was applied: Eru's answers and the places are as they were */
    expect_weeks(ERU, "accepted", "accepted", "accepted", "accepted");
    counts(W->conv, 4, 0);
    /* delivered again: kept once, and answered as a duplicate */
    answer(emails[CAI],
           capture(GOOGLE, W->conv_uid, ERU, 3, "DECLINED", NULL, NULL),
           "<not-the-attendee@example.org>", "duplicate");
    answer(emails[ANA],
           capture(THUNDERBIRD, W->conv_uid, ANA, 3, "DELEGATED", NULL, NULL),
           "<delegated@example.org>", "duplicate");
    assert_int_equal(review(NULL, 0, &found), after);
    /* and none was published as a note */
    doc = call(&status, "GET", notes, NULL);
    assert_int_equal(status, 200);
    assert_int_equal(json_array_size(json_object_get(doc, "notes")), 0);
    json_decref(doc);
    free(notes);
    /* the circle's review page on the dashboard says why each waits */
    assert_int_equal(
        test_site_dashboard_login(&W->site, W->site.token, &cookie, NULL, NULL),
        303);
    path = test_dashboard_path(W->circle, "/review");
    test_site_page(&resp, &W->site, "GET", path, cookie, NULL);
    assert_int_equal(resp.status, 200);
    assert_non_null(strstr(resp.body, "calendar reply refused: the REPLY is "
                                      "not from a member&#39;s own address"));
    assert_non_null(strstr(resp.body, "calendar reply not applied: "
                                      "PARTSTAT=DELEGATED"));
    test_response_release(&resp);
    free(path);
    free(cookie);
}

/* Post `ics` from `from` in a message with no Message-ID (as some
 * providers deliver) and expect messages[0].outcome `outcome`. */
static void answer_without_id(const char *from, const char *ics,
                              const char *outcome)
{
    char *msg = mg_xasprintf(
        "From: <%s>\r\nTo: <circles@example.org>\r\nSubject: Reply\r\n"
        "Date: Mon, 1 Mar 2027 10:00:00 +1300\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/calendar; charset=utf-8; method=REPLY\r\n\r\n%s",
        from, ics);
    json_t *got = post(msg);

    assert_string_equal(json_string_value(json_object_get(got, "outcome")),
                        outcome);
    json_decref(got);
    free(msg);
}

/*
 * Review of item 10: a REPLY with no Message-ID (and, on the MIME
 * webhook, no provider's id) is applied once all the same, by its sender
 * and calendar part: Ana accepts week 1 (Google Calendar's capture), then
 * says maybe; the first delivery retried is a duplicate and week 1 stays
 * a maybe (it was applied again and made it accepted). A refused REPLY
 * with no Message-ID, retried, is held once (it was held twice).
 */
static void test_item10_no_message_id(void **state)
{
    char *accept, *maybe, *refused, got[16];
    size_t before;
    int found = 0;

    (void)state;
    test_need_shared(); /* builds on what the captures left */
    accept = capture(GOOGLE, W->conv_uid, ANA, 3, "ACCEPTED",
                     "RECURRENCE-ID:20270316T063000Z", NULL);
    maybe = capture(GOOGLE, W->conv_uid, ANA, 3, "TENTATIVE",
                    "RECURRENCE-ID:20270316T063000Z", NULL);
    answer_without_id(emails[ANA], accept, "rsvp");
    answer_of(got, sizeof(got), W->conv, ANA, 1);
    assert_string_equal(got, "accepted");
    answer_without_id(emails[ANA], maybe, "rsvp");
    answer_without_id(emails[ANA], accept, "duplicate");
    answer_of(got, sizeof(got), W->conv, ANA, 1);
    assert_string_equal(got, "tentative");
    /* Cai answers for Fay, twice, with no Message-ID */
    refused = capture(APPLE, W->conv_uid, FAY, 3, "DECLINED", NULL, NULL);
    before = review(NULL, 0, &found);
    answer_without_id(emails[CAI], refused, "rsvp_refused");
    assert_int_equal(review(NULL, 0, &found), before + 1);
    answer_without_id(emails[CAI], refused, "duplicate");
    assert_int_equal(review(NULL, 0, &found), before + 1);
    counts(W->conv, 4, 0);
    free(refused);
    free(maybe);
    free(accept);
}

/*
 * Review of item 12: a REPLY the plenary's rules cannot apply waits for
 * review with the reason; it made the webhook answer 503, so the
 * provider retried it for as long as it retries. Eru declines the whole
 * series while the circle has no organizer address to send the CANCEL
 * from: held once, nothing changes.
 */
static void test_item12_rules_refuse(void **state)
{
    char *circle = mg_xasprintf("/api/v1/circles/%lld", W->circle), *decline;
    long status;
    size_t before;
    int found = 0;

    (void)state;
    test_need_shared(); /* builds on what the captures left */
    json_decref(call(&status, "PATCH", circle,
                     "{\"organizer\":{\"name\":\"Coordinators\","
                     "\"email\":null}}"));
    assert_int_equal(status, 200);
    decline = capture(THUNDERBIRD, W->conv_uid, ERU, 3, "DECLINED", NULL, NULL);
    before = review(NULL, 0, &found);
    answer(emails[ERU], mg_xstrdup(decline), "<eru-no-organizer@example.org>",
           "review");
    review("organizer", 1, &found);
    assert_true(found);
    assert_int_equal(review(NULL, 0, &found), before + 1);
    answer(emails[ERU], decline, "<eru-no-organizer@example.org>", "duplicate");
    assert_int_equal(review(NULL, 0, &found), before + 1);
    counts(W->conv, 4, 0);
    json_decref(call(&status, "PATCH", circle,
                     "{\"organizer\":{\"name\":\"Coordinators\","
                     "\"email\":\"circles@example.org\"}}"));
    assert_int_equal(status, 200);
    free(circle);
}

static void test_rsvps_endpoint_errors(void **state)
{
    char *path = test_circle_path(W->circle, "/plenaries/999999/rsvps");
    long status;
    json_t *doc;

    (void)state;
    test_need_shared(); /* builds on what the captures left */
    doc = call(&status, "GET", path, NULL);
    assert_int_equal(status, 404);
    json_decref(doc);
    free(path);
    path =
        test_circle_path(W->circle, "/plenaries/%lld/rsvps?limit=0", W->conv);
    doc = call(&status, "GET", path, NULL);
    assert_int_equal(status, 400);
    json_decref(doc);
    free(path);
    /* a page of two answers, from the third on */
    path = test_circle_path(W->circle, "/plenaries/%lld/rsvps?limit=2&offset=2",
                            W->conv);
    doc = call(&status, "GET", path, NULL);
    assert_int_equal(status, 200);
    assert_int_equal(json_array_size(json_object_get(doc, "rsvps")), 2);
    json_decref(doc);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_setup_plenaries),
        cmocka_unit_test(test_item9_one_call_declined),
        cmocka_unit_test(test_item9_call_across_dst),
        cmocka_unit_test(test_item9_no_such_call),
        cmocka_unit_test(test_item11_accept_and_tentative),
        cmocka_unit_test(test_item11_dashboard_counts),
        cmocka_unit_test(test_report_answers),
        cmocka_unit_test(test_item10_same_message_twice),
        cmocka_unit_test(test_item10_old_decline_after_reregistering),
        cmocka_unit_test(test_item10_fresh_registration),
        cmocka_unit_test(test_item9_series_declined),
        cmocka_unit_test(test_item11_patch_promoted),
        cmocka_unit_test(test_item11_whole_thunderbird_message),
        cmocka_unit_test(test_item12_review_queue),
        cmocka_unit_test(test_item10_no_message_id),
        cmocka_unit_test(test_rsvps_endpoint_errors),
        cmocka_unit_test(test_item12_rules_refuse),
    };

    static const char *const shared[] = {
        "test_item9_one_call_declined",
        "test_item9_call_across_dst",
        "test_item9_no_such_call",
        "test_item11_accept_and_tentative",
        "test_item11_dashboard_counts",
        "test_report_answers",
        "test_item10_same_message_twice",
        "test_item10_old_decline_after_reregistering",
        "test_item10_fresh_registration",
        "test_item9_series_declined",
        "test_item11_patch_promoted",
        "test_item11_whole_thunderbird_message",
        "test_item12_review_queue",
        "test_item10_no_message_id",
        "test_rsvps_endpoint_errors",
        "test_item12_rules_refuse",
        NULL};

    return test_run_group_shared(tests, shared, setup_world, teardown_world);
}
