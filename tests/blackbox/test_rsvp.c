/*
 * test_rsvp.c: members answering their invitations. A circle is planned,
 * each member's invitation is read from the maildir for its UID, and
 * iTIP REPLYs are posted to the raw MIME webhook: for the series, for one
 * call, from an address that is not the attendee's (refused), from a real
 * client (Thunderbird) for one member of the group's shared UID, and with
 * a SEQUENCE older than the invitation's (ignored); none becomes a note.
 * The participant page's buttons answer too. Answers are read back with
 * GET .../sessions/{sid}/rsvps.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "mingle/inbound.h"
#include "support.h"

#define MIME_SECRET "mime-secret-rsvp"
#define HOOK "/hooks/mail/mime?secret=" MIME_SECRET

static const char circle_json[] =
    "{\"title\":\"Atlas\",\"slug\":\"atlas\",\"time_zone\":"
    "\"Pacific/Auckland\",\"start_date\":\"2027-03-22\",\"weeks\":4,"
    "\"group_size\":{\"min\":2,\"max\":8},\"slots\":[{\"weekday\":"
    "\"tuesday\",\"start\":\"19:30\",\"minutes\":60}],\"organizer\":{"
    "\"name\":\"Coordinators\",\"email\":\"circles@example.org\"}}";

static const char people_csv[] = "name,email,role\n"
                                 "Tane,tane@example.org,facilitator\n"
                                 "Ana,Ana@Example.org,\n"
                                 "Ben,ben@example.org,\n";

struct world {
    struct test_site site;
    long long circle;
    char ana_uid[64], ben_uid[64];
    long long sessions[4]; /* by week */
};

static struct world *W;

static json_t *call(long *status, const char *method, const char *path,
                    const char *body, const char *ctype)
{
    return test_site_call(&W->site, status, method, path, body, ctype);
}

/* The value of property line `name` ("UID:") in `ics`, into `out`. */
static void ics_value(char *out, size_t n, const char *ics, const char *name)
{
    const char *p = strstr(ics, name);
    size_t len;

    out[0] = '\0';
    if (!p)
        return;
    p += strlen(name);
    len = strcspn(p, "\r\n");
    snprintf(out, n, "%.*s", (int)len, p);
}

/* Read every invitation in the maildir; fill the members' UIDs. */
static int read_invitations(struct world *w)
{
    char *newdir = mg_xasprintf("%s/new", w->site.maildir);
    int found = 0, i;

    for (i = 0; i < 200 && found < 2; i++) {
        DIR *d = opendir(newdir);
        struct dirent *e;

        found = 0;
        while (d && (e = readdir(d)) != NULL) {
            struct mg_inbound m;
            char *path, *data;
            size_t len = 0, r;

            if (e->d_name[0] == '.')
                continue;
            path = mg_xasprintf("%s/%s", newdir, e->d_name);
            data = test_read_file(path, &len);
            free(path);
            if (data && mg_inbound_from_mime(&m, data, len, NULL, NULL) == 0) {
                for (r = 0; m.calendar && r < m.n_recipients; r++) {
                    if (strcmp(m.recipients[r], "ana@example.org") == 0) {
                        ics_value(w->ana_uid, sizeof(w->ana_uid), m.calendar,
                                  "\nUID:");
                        found++;
                    } else if (strcmp(m.recipients[r], "ben@example.org") ==
                               0) {
                        ics_value(w->ben_uid, sizeof(w->ben_uid), m.calendar,
                                  "\nUID:");
                        found++;
                    }
                }
                mg_inbound_release(&m);
            }
            free(data);
        }
        if (d)
            closedir(d);
        if (found < 2)
            usleep(50000);
    }
    free(newdir);
    return found >= 2 && w->ana_uid[0] && w->ben_uid[0] ? 0 : -1;
}

static int setup_world(void **state)
{
    struct world *w = mg_xcalloc(1, sizeof(*w));
    static const char *const env[] = {"MINGLE_OUTBOX_INTERVAL=1",
                                      "MINGLE_MIME_SECRET=" MIME_SECRET,
                                      "MINGLE_AUTHSERV_ID=mx.rsvp.test", NULL};
    const struct test_site_opts opts = {.maildir = 1, .env = env};

    if (test_site_start(&w->site, "rsvp.db", &opts) < 0)
        return -1;
    W = w;
    *state = w;
    w->circle = test_site_circle(&w->site, circle_json, NULL);
    if (!w->circle)
        return -1;
    if (test_site_plan(&w->site, w->circle, people_csv, w->sessions, 4) != 4)
        return -1;
    if (read_invitations(w) < 0)
        return -1;
    return 0;
}

static int teardown_world(void **state)
{
    struct world *w = *state;

    test_site_stop(&w->site, SIGTERM);
    free(w);
    return 0;
}

/*
 * A REPLY as Google Calendar mails it: From `from`, ATTENDEE `attendee`,
 * for `uid` at `sequence`, `partstat`, and `recurrence` (a whole
 * "RECURRENCE-ID...:..." line without CRLF, or NULL for the series).
 */
static char *reply_mail(const char *from, const char *attendee, const char *uid,
                        int sequence, const char *partstat,
                        const char *recurrence, int n)
{
    return mg_xasprintf(
        "From: <%s>\r\nTo: <circles@example.org>\r\nSubject: Invitation: "
        "Atlas\r\nMessage-ID: <reply-%d@example.org>\r\nDate: Mon, 1 Mar "
        "2027 10:00:00 +1300\r\nMIME-Version: 1.0\r\nContent-Type: "
        "multipart/alternative; boundary=\"b1\"\r\n\r\n--b1\r\n"
        "Content-Type: text/plain; charset=UTF-8\r\n\r\n%s has answered "
        "%s.\r\n--b1\r\nContent-Type: text/calendar; charset=UTF-8; "
        "method=REPLY\r\n\r\nBEGIN:VCALENDAR\r\nPRODID:-//Google Inc//Google "
        "Calendar 70.9054//EN\r\nVERSION:2.0\r\nMETHOD:REPLY\r\n"
        "BEGIN:VEVENT\r\nDTSTART;TZID=Pacific/Auckland:20270323T193000\r\n"
        "DTSTAMP:20270301T010203Z\r\nORGANIZER;CN=Coordinators:mailto:"
        "circles@example.org\r\nUID:%s\r\n%s%sATTENDEE;CUTYPE=INDIVIDUAL;"
        "ROLE=REQ-PARTICIPANT;PARTSTAT=%s:mailto:%s\r\nSEQUENCE:%d\r\n"
        "SUMMARY:Atlas\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n--b1--\r\n",
        from, n, from, partstat, uid, recurrence ? recurrence : "",
        recurrence ? "\r\n" : "", partstat, attendee, sequence);
}

/* The receiving MTA's verdict on example.org mail, added on top. */
#define VOUCHED                                                                \
    "Authentication-Results: mx.rsvp.test; dmarc=pass "                        \
    "header.from=example.org\r\n"

/* Post `msg` to the MIME webhook with `above` (whole header lines) on top
 * of it; the status, and messages[0].outcome. */
static long post_mail_with(char *outcome, size_t n, const char *above,
                           const char *msg)
{
    struct test_response resp;
    json_t *doc;
    long status;
    char *full = mg_xasprintf("%s%s", above, msg);

    assert_int_equal(test_http(&resp, W->site.d.port, "POST", HOOK, NULL, full,
                               "message/rfc822"),
                     0);
    free(full);
    status = resp.status;
    doc = json_loads(resp.body, 0, NULL);
    snprintf(
        outcome, n, "%s",
        json_string_value(json_object_get(
            json_array_get(json_object_get(doc, "messages"), 0), "outcome"))
            ? json_string_value(json_object_get(
                  json_array_get(json_object_get(doc, "messages"), 0),
                  "outcome"))
            : "");
    json_decref(doc);
    test_response_release(&resp);
    return status;
}

/* `msg` as the MTA hands it on: vouched for by its verdict. */
static long post_mail(char *outcome, size_t n, const char *msg)
{
    return post_mail_with(outcome, n, VOUCHED, msg);
}

/* The answer of `email`'s owner for week `week`, or "" (static). */
static const char *answer_of(const char *name, int week)
{
    static char out[16];
    char *path = test_circle_path(W->circle, "/sessions/%lld/rsvps",
                                  W->sessions[week - 1]);
    long status;
    json_t *doc = call(&status, "GET", path, NULL, NULL);
    json_t *list = json_object_get(doc, "rsvps");
    size_t i;

    assert_int_equal(status, 200);
    out[0] = '\0';
    for (i = 0; i < json_array_size(list); i++) {
        json_t *a = json_array_get(list, i);
        if (strcmp(json_string_value(json_object_get(a, "name")), name) == 0)
            snprintf(out, sizeof(out), "%s",
                     json_string_value(json_object_get(a, "status")));
    }
    json_decref(doc);
    free(path);
    return out;
}

static void expect_weeks(const char *name, const char *w1, const char *w2,
                         const char *w3, const char *w4)
{
    assert_string_equal(answer_of(name, 1), w1);
    assert_string_equal(answer_of(name, 2), w2);
    assert_string_equal(answer_of(name, 3), w3);
    assert_string_equal(answer_of(name, 4), w4);
}

static void test_series_accepted(void **state)
{
    char outcome[32];
    char *msg = reply_mail("ana@example.org", "ana@example.org", W->ana_uid, 0,
                           "ACCEPTED", NULL, 1);

    (void)state;
    expect_weeks("Ana", "", "", "", "");
    assert_int_equal(post_mail(outcome, sizeof(outcome), msg), 200);
    assert_string_equal(outcome, "rsvp");
    expect_weeks("Ana", "accepted", "accepted", "accepted", "accepted");
    expect_weeks("Ben", "", "", "", "");
    free(msg);
}

/*
 * Issue #17, item 8 for answers: a REPLY "from" a member that no
 * receiving side vouches for could give their answers away; it waits
 * for review with the reason and changes nothing: no verdict at all, a
 * verdict the sender wrote under another MTA's name, and one of ours
 * that vouches for another domain.
 */
static void test_forged_reply(void **state)
{
    static const char *const forged[] = {
        "",
        "Authentication-Results: mx.forger.example; dmarc=pass "
        "header.from=example.org\r\n",
        "Authentication-Results: mx.rsvp.test; dkim=pass "
        "header.d=forger.example\r\n",
        "Authentication-Results: mx.rsvp.test; dmarc=fail "
        "header.from=example.org\r\n"};
    char outcome[32], before[4][16];
    size_t i;
    int w;
    char *msg;

    (void)state;
    for (w = 0; w < 4; w++)
        snprintf(before[w], sizeof(before[w]), "%s", answer_of("Ben", w + 1));
    for (i = 0; i < sizeof(forged) / sizeof(forged[0]); i++) {
        msg = reply_mail("ben@example.org", "ben@example.org", W->ben_uid, 99,
                         "TENTATIVE", NULL, 900 + (int)i);
        assert_int_equal(
            post_mail_with(outcome, sizeof(outcome), forged[i], msg), 200);
        assert_string_equal(outcome, "review");
        expect_weeks("Ben", before[0], before[1], before[2], before[3]);
        free(msg);
    }
    /* the same answer, vouched for by our MTA: applied */
    msg = reply_mail("ben@example.org", "ben@example.org", W->ben_uid, 99,
                     "TENTATIVE", NULL, 910);
    assert_int_equal(post_mail(outcome, sizeof(outcome), msg), 200);
    assert_string_equal(outcome, "rsvp");
    expect_weeks("Ben", "tentative", "tentative", "tentative", "tentative");
    free(msg);
}

static void test_occurrence_declined(void **state)
{
    char outcome[32];
    /* Week 2, as the rule gives it: 2027-03-30 19:30 in Auckland. */
    char *msg = reply_mail(
        "Ana@Example.org", "ANA@example.org", W->ana_uid, 0, "DECLINED",
        "RECURRENCE-ID;TZID=Pacific/Auckland:20270330T193000", 2);

    (void)state;
    assert_int_equal(post_mail(outcome, sizeof(outcome), msg), 200);
    assert_string_equal(outcome, "rsvp");
    expect_weeks("Ana", "accepted", "declined", "accepted", "accepted");
    free(msg);
    /* A call that is not in the series: nothing to answer; it waits for
     * review (issue 16, item 12). */
    msg = reply_mail("ana@example.org", "ana@example.org", W->ana_uid, 0,
                     "DECLINED",
                     "RECURRENCE-ID;TZID=Pacific/Auckland:20270331T193000", 3);
    assert_int_equal(post_mail(outcome, sizeof(outcome), msg), 200);
    assert_string_equal(outcome, "review");
    expect_weeks("Ana", "accepted", "declined", "accepted", "accepted");
    free(msg);
}

/*
 * Review of item 12: a group member's REPLY naming a call the series does
 * not have (a Wednesday) waits for review as "no_occurrence", as a
 * plenary's does; it was named "unknown_uid", though its UID is known.
 */
static void test_no_such_call_named(void **state)
{
    struct test_response resp;
    json_t *doc, *first;
    char *reply = reply_mail(
        "ana@example.org", "ana@example.org", W->ana_uid, 50, "DECLINED",
        "RECURRENCE-ID;TZID=Pacific/Auckland:20270407T193000", 77);
    char *msg = mg_xasprintf("%s%s", VOUCHED, reply); /* as the MTA hands it */
    char before[4][16];
    int week;

    (void)state;
    for (week = 1; week <= 4; week++)
        snprintf(before[week - 1], sizeof(before[0]), "%s",
                 answer_of("Ana", week));
    assert_int_equal(test_http(&resp, W->site.d.port, "POST", HOOK, NULL, msg,
                               "message/rfc822"),
                     0);
    assert_int_equal(resp.status, 200);
    doc = json_loads(resp.body, 0, NULL);
    first = json_array_get(json_object_get(doc, "messages"), 0);
    assert_string_equal(json_string_value(json_object_get(first, "outcome")),
                        "review");
    assert_string_equal(json_string_value(json_object_get(first, "rsvp")),
                        "no_occurrence");
    assert_non_null(strstr(json_string_value(json_object_get(first, "reason")),
                           "no call of"));
    json_decref(doc);
    test_response_release(&resp);
    /* nothing changed */
    for (week = 1; week <= 4; week++)
        assert_string_equal(answer_of("Ana", week), before[week - 1]);
    free(msg);
    free(reply);
}

/* Issue #16, item 7: one series has one UID wherever a person meets it,
 * so the members of a group are sent the same UID (the group's, as in
 * the feeds). */
static void test_one_uid_per_series(void **state)
{
    (void)state;
    assert_string_equal(W->ana_uid, W->ben_uid);
}

static void test_not_the_attendee(void **state)
{
    char outcome[32];
    /* Eve was invited to nothing: her answer on the group's UID, from
     * her own address, is not taken for anyone's. */
    char *msg = reply_mail("eve@example.org", "eve@example.org", W->ana_uid, 0,
                           "DECLINED", NULL, 4);

    (void)state;
    assert_int_equal(post_mail(outcome, sizeof(outcome), msg), 200);
    assert_string_equal(outcome, "rsvp_refused");
    free(msg);
    /* Ana as the attendee, but sent from Ben's address. */
    msg = reply_mail("ben@example.org", "ana@example.org", W->ana_uid, 0,
                     "DECLINED", NULL, 5);
    assert_int_equal(post_mail(outcome, sizeof(outcome), msg), 200);
    assert_string_equal(outcome, "rsvp_refused");
    free(msg);
    /* Ben as the attendee, sent from Ana's address. */
    msg = reply_mail("ana@example.org", "ben@example.org", W->ben_uid, 0,
                     "DECLINED", NULL, 6);
    assert_int_equal(post_mail(outcome, sizeof(outcome), msg), 200);
    assert_string_equal(outcome, "rsvp_refused");
    free(msg);
    /* A UID nobody was sent: kept for review (issue 16, item 12). */
    msg = reply_mail("ana@example.org", "ana@example.org",
                     "00000000000000000000000000000000@mingle", 0, "DECLINED",
                     NULL, 7);
    assert_int_equal(post_mail(outcome, sizeof(outcome), msg), 200);
    assert_string_equal(outcome, "review");
    free(msg);
    expect_weeks("Ana", "accepted", "declined", "accepted", "accepted");
    expect_weeks("Ben", "", "", "", "");
}

/*
 * Issue #16, item 7: with one UID for the group, a REPLY is the answer of
 * the attendee who sent it. A real client's REPLY, Thunderbird/Lightning's
 * as mailed (../shared/fixtures/itip/thunderbird-lightning-reply-accepted.eml,
 * from Tine 2.0's tests; see that directory's README), with its UID, its
 * attendee's address and its Message-Id made the facilitator's: Tane's
 * calls are accepted and nobody else's answers move.
 */
static char *replace_all(const char *text, const char *from, const char *to)
{
    struct mg_buf b = MG_BUF_INIT;
    const char *p = text, *hit;

    while ((hit = strstr(p, from)) != NULL) {
        mg_buf_add(&b, p, (size_t)(hit - p));
        mg_buf_puts(&b, to);
        p = hit + strlen(from);
    }
    mg_buf_puts(&b, p);
    return mg_buf_detach(&b);
}

static void test_real_client_reply_is_its_attendees(void **state)
{
    char outcome[32];
    size_t len = 0;
    char *raw =
        test_read_shared("itip/thunderbird-lightning-reply-accepted.eml", &len);
    char *a, *b, *msg;

    (void)state;
    assert_non_null(raw);
    a = replace_all(raw, "4f0162146d61cb2c06cbe2abf94636f4526abe16",
                    W->ana_uid);
    b = replace_all(a, "tine20admin@caldav.net", "tane@example.org");
    msg = replace_all(b, "20111121120910.8405A7D32@laptoplk",
                      "thunderbird-reply-1@example.org");
    expect_weeks("Tane", "", "", "", "");
    assert_int_equal(post_mail(outcome, sizeof(outcome), msg), 200);
    assert_string_equal(outcome, "rsvp");
    expect_weeks("Tane", "accepted", "accepted", "accepted", "accepted");
    expect_weeks("Ana", "accepted", "declined", "accepted", "accepted");
    expect_weeks("Ben", "", "", "", "");
    free(raw);
    free(a);
    free(b);
    free(msg);
}

static void test_older_sequence(void **state)
{
    char outcome[32];
    char *path = test_circle_path(W->circle, "/sessions/%lld", W->sessions[2]);
    long status;
    json_t *doc;
    char *msg;

    (void)state;
    /* Week 3 moves to the Thursday: a new REQUEST at SEQUENCE 1. */
    doc =
        call(&status, "PATCH", path, "{\"start\":\"2027-04-08T19:30\"}", NULL);
    assert_int_equal(status, 200);
    json_decref(doc);
    free(path);
    msg = reply_mail("ana@example.org", "ana@example.org", W->ana_uid, 0,
                     "TENTATIVE", NULL, 8);
    assert_int_equal(post_mail(outcome, sizeof(outcome), msg), 200);
    assert_string_equal(outcome, "rsvp_ignored");
    free(msg);
    expect_weeks("Ana", "accepted", "declined", "accepted", "accepted");
    /* The answer to the new version, for the moved call (found by the
     * start the rule gives it, its RECURRENCE-ID), is taken. */
    msg = reply_mail("ana@example.org", "ana@example.org", W->ana_uid, 1,
                     "TENTATIVE",
                     "RECURRENCE-ID;TZID=Pacific/Auckland:20270406T193000", 9);
    assert_int_equal(post_mail(outcome, sizeof(outcome), msg), 200);
    assert_string_equal(outcome, "rsvp");
    free(msg);
    expect_weeks("Ana", "accepted", "declined", "tentative", "accepted");
}

static void test_no_notes_filed(void **state)
{
    char *path = test_circle_path(W->circle, "/notes");
    char outcome[32];
    long status;
    json_t *doc;
    char *msg;

    (void)state;
    doc = call(&status, "GET", path, NULL, NULL);
    assert_int_equal(status, 200);
    assert_int_equal(json_array_size(json_object_get(doc, "notes")), 0);
    json_decref(doc);
    /* The REPLYs refused (three) or about no call or UID mingle knows
     * (two) wait for review with the reason, unpublished (issue 16,
     * item 12). */
    doc = call(&status, "GET", "/api/v1/notes/review", NULL, NULL);
    assert_int_equal(status, 200);
    assert_int_equal(json_array_size(json_object_get(doc, "notes")), 5);
    for (size_t i = 0; i < 5; i++) {
        json_t *n = json_array_get(json_object_get(doc, "notes"), i);
        const char *why =
            json_string_value(json_object_get(n, "review_reason"));

        assert_non_null(why);
        assert_int_equal(strncmp(why, "calendar reply ", 15), 0);
    }
    json_decref(doc);
    /* A REPLY that cannot be read is kept for review too, never published
     * as a note (even from a member of the group). */
    msg = reply_mail("ana@example.org", "ana@example.org", W->ana_uid, 1,
                     "NEEDS-ACTION", NULL, 10);
    assert_int_equal(post_mail(outcome, sizeof(outcome), msg), 200);
    assert_string_equal(outcome, "review");
    free(msg);
    doc = call(&status, "GET", path, NULL, NULL);
    assert_int_equal(json_array_size(json_object_get(doc, "notes")), 0);
    json_decref(doc);
    free(path);
}

/* POST a page form; the status and Location. */
static long post_page(char *location, size_t n, const char *page,
                      const char *form)
{
    struct test_response resp;
    char *path = mg_xasprintf("%s/rsvp", page);
    const char *loc;
    long status;

    assert_int_equal(test_http(&resp, W->site.d.port, "POST", path, NULL, form,
                               "application/x-www-form-urlencoded"),
                     0);
    status = resp.status;
    loc = resp.headers ? strcasestr(resp.headers, "\nLocation: ") : NULL;
    snprintf(location, n, "%.*s", loc ? (int)strcspn(loc + 11, "\r\n") : 0,
             loc ? loc + 11 : "");
    test_response_release(&resp);
    free(path);
    return status;
}

/* A form's 303 goes back to `page` (relative, from its form path) with
 * `query` and `anchor`. */
static void expect_redirect_to_page(const char *location, const char *page,
                                    const char *query, const char *anchor)
{
    const char *token = page + 3;

    if (strncmp(location, "../", 3) != 0 ||
        strncmp(location + 3, token, 48) != 0 || location[3 + 48] != '?' ||
        !strstr(location, query) || !strstr(location, anchor))
        fail_msg("redirect to '%s'", location);
}

/* GET the page a form redirected to: it says what was saved. */
static void expect_saved(const char *page, const char *location,
                         const char *saved)
{
    struct test_response resp;
    char *path =
        mg_xasprintf("%s%.*s", page, (int)strcspn(strchr(location, '?'), "#"),
                     strchr(location, '?'));

    assert_int_equal(
        test_http(&resp, W->site.d.port, "GET", path, NULL, NULL, NULL), 0);
    assert_int_equal(resp.status, 200);
    if (!strstr(resp.body, saved))
        fail_msg("GET %s: no '%s'", path, saved);
    test_response_release(&resp);
    free(path);
}

static void test_page_buttons(void **state)
{
    char *path = test_circle_path(W->circle, "/participants?limit=100"), *page,
         *form;
    struct test_response resp;
    char location[256];
    long long ben = 0;
    long status;
    json_t *doc, *list;
    size_t i;

    (void)state;
    doc = call(&status, "GET", path, NULL, NULL);
    list = json_object_get(doc, "participants");
    for (i = 0; i < json_array_size(list); i++)
        if (strcmp(json_string_value(
                       json_object_get(json_array_get(list, i), "email")),
                   "ben@example.org") == 0)
            ben = json_integer_value(
                json_object_get(json_array_get(list, i), "id"));
    json_decref(doc);
    free(path);
    assert_true(ben > 0);
    path = test_circle_path(W->circle, "/participants/%lld/page", ben);
    doc = call(&status, "POST", path, NULL, NULL);
    assert_int_equal(status, 201);
    page = mg_xstrdup(
        strstr(json_string_value(json_object_get(doc, "url")), "/p/"));
    json_decref(doc);
    free(path);

    assert_int_equal(
        test_http(&resp, W->site.d.port, "GET", page, NULL, NULL, NULL), 0);
    assert_int_equal(resp.status, 200);
    assert_non_null(strstr(resp.body, "Will you come?"));
    assert_non_null(strstr(resp.body, "You have not answered yet."));
    /* issue #16, item 7: the page says the invitation and the
     * subscription are the same calls */
    assert_non_null(strstr(resp.body, "are two ways to the same calls"));
    test_response_release(&resp);

    /* The whole series, then one call. */
    assert_int_equal(
        post_page(location, sizeof(location), page, "answer=declined"), 303);
    expect_redirect_to_page(location, page, "done=rsvp", "#saved");
    expect_weeks("Ben", "declined", "declined", "declined", "declined");
    expect_saved(page, location, "Saved: you are not coming to every call.");
    form = mg_xasprintf("answer=accepted&session=%lld", W->sessions[3]);
    assert_int_equal(post_page(location, sizeof(location), page, form), 303);
    free(form);
    expect_weeks("Ben", "declined", "declined", "declined", "accepted");
    /* the page the answer was redirected to names the call's day */
    expect_saved(page, location, "Saved: you are coming on ");
    assert_int_equal(
        test_http(&resp, W->site.d.port, "GET", page, NULL, NULL, NULL), 0);
    assert_non_null(strstr(resp.body, "not coming"));
    assert_non_null(strstr(resp.body, "aria-pressed=\"true\" "
                                      "aria-label=\"Accept week 4&#39;s call"));
    /* no notice without a query: a plain reload says nothing was saved */
    assert_null(strstr(resp.body, "Saved:"));
    test_response_release(&resp);

    /* Nonsense is refused; a session that is not Ben's is not found. */
    assert_int_equal(post_page(location, sizeof(location), page, "answer=yes"),
                     400);
    assert_int_equal(post_page(location, sizeof(location), page,
                               "answer=accepted&session=x"),
                     400);
    assert_int_equal(post_page(location, sizeof(location), page,
                               "answer=accepted&session=999999"),
                     404);
    expect_weeks("Ben", "declined", "declined", "declined", "accepted");
    free(page);
}

static void test_rsvps_api_errors(void **state)
{
    char *path = test_circle_path(W->circle, "/sessions/999999/rsvps");
    struct test_response resp;
    long status;
    json_t *doc;

    (void)state;
    doc = call(&status, "GET", path, NULL, NULL);
    assert_int_equal(status, 404);
    json_decref(doc);
    free(path);
    path = test_circle_path(W->circle, "/sessions/%lld/rsvps", W->sessions[0]);
    assert_int_equal(
        test_http(&resp, W->site.d.port, "GET", path, NULL, NULL, NULL), 0);
    assert_int_equal(resp.status, 401);
    test_response_release(&resp);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_uid_per_series),
        cmocka_unit_test(test_series_accepted),
        cmocka_unit_test(test_occurrence_declined),
        cmocka_unit_test(test_not_the_attendee),
        cmocka_unit_test(test_real_client_reply_is_its_attendees),
        cmocka_unit_test(test_older_sequence),
        cmocka_unit_test(test_no_notes_filed),
        cmocka_unit_test(test_page_buttons),
        cmocka_unit_test(test_rsvps_api_errors),
        cmocka_unit_test(test_no_such_call_named),
        cmocka_unit_test(test_forged_reply),
    };

    static const char *const shared[] = {
        "test_real_client_reply_is_its_attendees", NULL};

    return test_run_group_shared(tests, shared, setup_world, teardown_world);
}
