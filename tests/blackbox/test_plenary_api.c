/*
 * test_plenary_api.c: a whole-circle kick-off with a capacity of two, in
 * a circle without a book or groups. Four people register (two places,
 * two on the waitlist); the two with places decline at once from two
 * threads and each waiting person is promoted exactly once, with an
 * invitation queued, and the decliners get a CANCEL (GET .../outbox).
 * Then the capacity is lowered below the count: nobody is bumped, and the
 * waitlist moves only once the count is below it. The iTIP each person
 * got (one UID, SEQUENCE up), their feeds, and error paths.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <pthread.h>
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
                                 "Eru,eru@example.org\n";

#define ANA 0
#define BEN 1
#define CAI 2
#define DEE 3
#define ERU 4

/* Their addresses, by the same numbers. */
static const char *const emails[] = {"ana@example.org", "ben@example.org",
                                     "cai@example.org", "dee@example.org",
                                     "eru@example.org"};

struct world {
    struct test_site site;
    long long circle, plenary;
    long long ids[5]; /* ANA..ERU */
};

static struct world *W;

static json_t *call(long *status, const char *method, const char *path,
                    const char *body, const char *ctype)
{
    return test_site_call(&W->site, status, method, path, body, ctype);
}

static int setup_world(void **state)
{
    struct world *w = mg_xcalloc(1, sizeof(*w));
    static const char *const env[] = {
        "MINGLE_OUTBOX_INTERVAL=1", "MINGLE_MIME_SECRET=plenary-secret",
        /* answers' sender verdicts are test_rsvp's; here the check is off */
        "MINGLE_SENDER_AUTH_OFF=mime", NULL};
    const struct test_site_opts opts = {.maildir = 1, .env = env};
    size_t j;

    if (test_site_start(&w->site, "plenary.db", &opts) < 0)
        return -1;
    W = w;
    *state = w;
    w->circle = test_site_circle(&w->site, circle_json, NULL);
    if (!w->circle)
        return -1;
    if (test_site_people(&w->site, w->circle, people_csv) < 0)
        return -1;
    for (j = 0; j < 5; j++)
        w->ids[j] = test_site_person(&w->site, w->circle, emails[j]);
    for (j = 0; j < 5; j++)
        if (!w->ids[j])
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

/* Register person `who`: expect status `expect` at waitlist `position`
 * (0: not waiting). */
static void enrol(const char *expect, long long position, int who)
{
    char *path = test_circle_path(W->circle, "/plenaries/%lld/registrations",
                                  W->plenary);
    char *body =
        mg_xasprintf("{\"participant_id\":%lld}", (long long)W->ids[who]);
    long status;
    json_t *doc = call(&status, "POST", path, body, NULL), *pos;

    assert_int_equal(status, 200);
    assert_string_equal(json_string_value(json_object_get(doc, "status")),
                        expect);
    pos = json_object_get(doc, "position");
    if (position)
        assert_int_equal(json_integer_value(pos), position);
    else
        assert_true(json_is_null(pos));
    json_decref(doc);
    free(body);
    free(path);
}

static void counts(int registered, int waitlisted, int capacity)
{
    char *path = test_circle_path(W->circle, "/plenaries");
    long status;
    json_t *doc = call(&status, "GET", path, NULL, NULL);
    json_t *p = json_array_get(json_object_get(doc, "plenaries"), 0);

    assert_int_equal(status, 200);
    assert_int_equal(json_integer_value(json_object_get(p, "registered")),
                     registered);
    assert_int_equal(json_integer_value(json_object_get(p, "waitlisted")),
                     waitlisted);
    assert_int_equal(json_integer_value(json_object_get(p, "capacity")),
                     capacity);
    json_decref(doc);
    free(path);
}

/* How many outbox messages of `kind` went to person `who`. */
static int mail_count(const char *kind, int who)
{
    char *path = test_circle_path(W->circle, "/outbox");
    long status;
    json_t *doc = call(&status, "GET", path, NULL, NULL);
    json_t *list = json_object_get(doc, "messages");
    size_t i;
    int n = 0;

    assert_int_equal(status, 200);
    for (i = 0; i < json_array_size(list); i++) {
        json_t *m = json_array_get(list, i);

        if (strcmp(json_string_value(json_object_get(m, "kind")), kind) == 0 &&
            strcmp(json_string_value(json_object_get(m, "recipient")),
                   emails[who]) == 0)
            n++;
    }
    json_decref(doc);
    free(path);
    return n;
}

/*
 * Wait for the mail to `email` to be delivered to the maildir (`want`
 * messages), and collect "METHOD:x UID:y SEQUENCE:z" for each, sorted.
 */
static void ics_field(struct mg_buf *b, const char *ics, const char *name)
{
    const char *p = strstr(ics, name);

    if (p)
        mg_buf_add(b, p + 1, strcspn(p + 1, "\r\n"));
    mg_buf_puts(b, " ");
}

static int by_text(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static size_t delivered(char **out, size_t max, const char *email, size_t want)
{
    char *newdir = mg_xasprintf("%s/mail/new", W->site.dir);
    size_t n = 0, i, tries;

    for (tries = 0; tries < 200; tries++) {
        DIR *d = opendir(newdir);
        struct dirent *e;

        for (i = 0; i < n; i++)
            free(out[i]);
        n = 0;
        while (d && (e = readdir(d)) != NULL && n < max) {
            struct mg_inbound m;
            char *path, *data;
            size_t len = 0;

            if (e->d_name[0] == '.')
                continue;
            path = mg_xasprintf("%s/%s", newdir, e->d_name);
            data = test_read_file(path, &len);
            free(path);
            if (data && mg_inbound_from_mime(&m, data, len, NULL, NULL) == 0) {
                if (m.calendar && m.n_recipients == 1 &&
                    strcmp(m.recipients[0], email) == 0) {
                    struct mg_buf b = MG_BUF_INIT;

                    ics_field(&b, m.calendar, "\nMETHOD:");
                    ics_field(&b, m.calendar, "\nUID:");
                    ics_field(&b, m.calendar, "\nSEQUENCE:");
                    out[n++] = mg_buf_detach(&b);
                }
                mg_inbound_release(&m);
            }
            free(data);
        }
        if (d)
            closedir(d);
        if (n >= want)
            break;
        usleep(50000);
    }
    free(newdir);
    qsort(out, n, sizeof(*out), by_text);
    return n;
}

struct decline_job {
    int port;
    const char *token;
    char *path;
    long status;
    char *body;
};

static void *decline_thread(void *arg)
{
    struct decline_job *j = arg;
    struct test_response resp;

    if (test_http(&resp, j->port, "POST", j->path, j->token, "", NULL) == 0) {
        j->status = resp.status;
        j->body = mg_xstrdup(resp.body);
        test_response_release(&resp);
    }
    return NULL;
}

static void test_create_errors(void **state)
{
    long status;
    char *path = test_circle_path(W->circle, "/plenaries");
    json_t *doc;

    (void)state;
    doc = call(&status, "POST", path,
               "{\"title\":\"Kick-off\",\"start\":\"2027-03-16 19:30\","
               "\"capacity\":2}",
               NULL);
    assert_int_equal(status, 422);
    json_decref(doc);
    doc = call(&status, "POST", path,
               "{\"title\":\"Kick-off\",\"start\":\"2027-03-16T19:30\"}", NULL);
    assert_int_equal(status, 422);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(doc, "error"), "field")),
                        "capacity");
    json_decref(doc);
    doc = call(&status, "POST", path,
               "{\"title\":\"\",\"start\":\"2027-03-16T19:30\","
               "\"capacity\":2}",
               NULL);
    assert_int_equal(status, 422);
    json_decref(doc);
    doc = call(&status, "POST", "/api/v1/circles/999/plenaries",
               "{\"title\":\"Kick-off\",\"start\":\"2027-03-16T19:30\","
               "\"capacity\":2}",
               NULL);
    assert_int_equal(status, 404);
    json_decref(doc);
    free(path);
}

static void test_kickoff_waitlist(void **state)
{
    char *path = test_circle_path(W->circle, "/plenaries");
    struct decline_job jobs[2];
    pthread_t th[2];
    json_t *doc, *promoted_ids[2];
    long status;
    int seen_cai = 0, seen_dee = 0, k;
    size_t i;

    (void)state;
    doc = call(&status, "POST", path,
               "{\"title\":\"Kick-off\",\"guest\":\"Ursula\",\"start\":"
               "\"2027-03-16T19:30\",\"minutes\":90,\"capacity\":2}",
               NULL);
    assert_int_equal(status, 201);
    W->plenary = json_integer_value(json_object_get(doc, "id"));
    /* 19:30 NZDT (+13:00) on 16 March 2027, by Python's zoneinfo */
    assert_int_equal(json_integer_value(json_object_get(doc, "starts_at")),
                     1805178600);
    assert_string_equal(json_string_value(json_object_get(doc, "start")),
                        "2027-03-16T19:30");
    assert_int_equal(json_integer_value(json_object_get(doc, "weeks")), 1);
    json_decref(doc);
    free(path);

    enrol("registered", 0, ANA);
    enrol("registered", 0, BEN);
    enrol("waitlisted", 1, CAI);
    enrol("waitlisted", 2, DEE);
    enrol("registered", 0, ANA); /* again: nothing changes */
    counts(2, 2, 2);
    assert_int_equal(mail_count("invite", ANA), 1);
    assert_int_equal(mail_count("invite", CAI), 0);

    /* someone else's circle's participant, or nobody */
    path = test_circle_path(W->circle, "/plenaries/%lld/registrations",
                            W->plenary);
    doc = call(&status, "POST", path, "{\"participant_id\":99999}", NULL);
    assert_int_equal(status, 404);
    json_decref(doc);
    doc = call(&status, "POST", path, "{\"participant_id\":\"x\"}", NULL);
    assert_int_equal(status, 422);
    json_decref(doc);
    free(path);

    /* Ana and Ben decline at the same moment */
    for (k = 0; k < 2; k++) {
        memset(&jobs[k], 0, sizeof(jobs[k]));
        jobs[k].port = W->site.d.port;
        jobs[k].token = W->site.token;
        jobs[k].path = test_circle_path(
            W->circle, "/plenaries/%lld/registrations/%lld/decline", W->plenary,
            W->ids[k == 0 ? ANA : BEN]);
        assert_int_equal(pthread_create(&th[k], NULL, decline_thread, &jobs[k]),
                         0);
    }
    for (k = 0; k < 2; k++) {
        json_t *list;

        pthread_join(th[k], NULL);
        assert_int_equal(jobs[k].status, 200);
        doc = json_loads(jobs[k].body, 0, NULL);
        assert_non_null(doc);
        list = json_object_get(doc, "promoted");
        assert_int_equal(json_array_size(list), 1); /* one place each */
        for (i = 0; i < json_array_size(list); i++) {
            long long id = json_integer_value(json_array_get(list, i));

            seen_cai += id == W->ids[CAI];
            seen_dee += id == W->ids[DEE];
        }
        promoted_ids[k] = doc;
        free(jobs[k].path);
        free(jobs[k].body);
    }
    json_decref(promoted_ids[0]);
    json_decref(promoted_ids[1]);
    assert_int_equal(seen_cai, 1);
    assert_int_equal(seen_dee, 1);
    counts(2, 0, 2);
    assert_int_equal(mail_count("invite", CAI), 1);
    assert_int_equal(mail_count("invite", DEE), 1);
    assert_int_equal(mail_count("cancel", ANA), 1);
    assert_int_equal(mail_count("cancel", BEN), 1);
    assert_int_equal(mail_count("invite", ANA), 1);

    /* declining again is a no-op; someone never registered is a 404 */
    path = test_circle_path(W->circle,
                            "/plenaries/%lld/registrations/%lld/decline",
                            W->plenary, W->ids[ANA]);
    doc = call(&status, "POST", path, "", NULL);
    assert_int_equal(status, 200);
    assert_int_equal(json_array_size(json_object_get(doc, "promoted")), 0);
    json_decref(doc);
    free(path);
    assert_int_equal(mail_count("cancel", ANA), 1);
    path = test_circle_path(W->circle,
                            "/plenaries/%lld/registrations/%lld/decline",
                            W->plenary, W->ids[ERU]);
    doc = call(&status, "POST", path, "", NULL);
    assert_int_equal(status, 404);
    json_decref(doc);
    free(path);

    /* capacity 2 -> 1 with 2 registered: nobody is bumped */
    path = test_circle_path(W->circle, "/plenaries/%lld", W->plenary);
    doc = call(&status, "PATCH", path, "{\"capacity\":1}", NULL);
    assert_int_equal(status, 200);
    assert_int_equal(json_array_size(json_object_get(doc, "promoted")), 0);
    json_decref(doc);
    doc = call(&status, "PATCH", path, "{\"capacity\":0}", NULL);
    assert_int_equal(status, 422);
    json_decref(doc);
    free(path);
    counts(2, 0, 1);
    assert_int_equal(mail_count("cancel", CAI), 0);
    assert_int_equal(mail_count("cancel", DEE), 0);
    enrol("waitlisted", 1, ERU);
    /* 2 -> 1 registered: not below the capacity of 1, Eru still waits */
    path = test_circle_path(W->circle,
                            "/plenaries/%lld/registrations/%lld/withdraw",
                            W->plenary, W->ids[CAI]);
    doc = call(&status, "POST", path, "", NULL);
    assert_int_equal(status, 200);
    assert_int_equal(json_array_size(json_object_get(doc, "promoted")), 0);
    json_decref(doc);
    free(path);
    counts(1, 1, 1);
    /* 1 -> 0: Eru gets the place */
    path = test_circle_path(W->circle,
                            "/plenaries/%lld/registrations/%lld/decline",
                            W->plenary, W->ids[DEE]);
    doc = call(&status, "POST", path, "", NULL);
    assert_int_equal(status, 200);
    assert_int_equal(json_array_size(json_object_get(doc, "promoted")), 1);
    assert_int_equal(
        json_integer_value(json_array_get(json_object_get(doc, "promoted"), 0)),
        W->ids[ERU]);
    json_decref(doc);
    free(path);
    counts(1, 0, 1);
    assert_int_equal(mail_count("invite", ERU), 1);
    assert_int_equal(mail_count("cancel", CAI), 1);
    assert_int_equal(mail_count("cancel", DEE), 1);

    /* a new title: the registered get the update (SEQUENCE goes up) */
    path = test_circle_path(W->circle, "/plenaries/%lld", W->plenary);
    doc = call(&status, "PATCH", path, "{\"title\":\"Opening night\"}", NULL);
    assert_int_equal(status, 200);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(doc, "plenary"), "sequence")),
                     1);
    json_decref(doc);
    free(path);
    assert_int_equal(mail_count("invite", ERU), 2);
}

/* What Ana's and Eru's calendars were sent: one UID for the series, a
 * SEQUENCE that goes up with every message to them. */
static void test_messages(void **state)
{
    char *got[8], *path = test_circle_path(W->circle, "/plenaries"), *want;
    long status;
    json_t *doc = call(&status, "GET", path, NULL, NULL);
    const char *uid = json_string_value(json_object_get(
        json_array_get(json_object_get(doc, "plenaries"), 0), "uid"));
    size_t n, i;

    (void)state;
    assert_non_null(uid);
    n = delivered(got, 8, "ana@example.org", 2);
    assert_int_equal(n, 2);
    want = mg_xasprintf("METHOD:CANCEL UID:%s SEQUENCE:1 ", uid);
    assert_string_equal(got[0], want);
    free(want);
    want = mg_xasprintf("METHOD:REQUEST UID:%s SEQUENCE:0 ", uid);
    assert_string_equal(got[1], want);
    free(want);
    for (i = 0; i < n; i++)
        free(got[i]);
    n = delivered(got, 8, "eru@example.org", 2);
    assert_int_equal(n, 2);
    want = mg_xasprintf("METHOD:REQUEST UID:%s SEQUENCE:0 ", uid);
    assert_string_equal(got[0], want);
    free(want);
    want = mg_xasprintf("METHOD:REQUEST UID:%s SEQUENCE:1 ", uid);
    assert_string_equal(got[1], want);
    free(want);
    for (i = 0; i < n; i++)
        free(got[i]);
    json_decref(doc);
    free(path);
}

/* Person `who`'s calendar feed (the text of /cal/{token}.ics). */
static char *feed_of(int who)
{
    char *path = test_circle_path(W->circle, "/participants/%lld/feed",
                                  W->ids[who]),
         *feed;
    struct test_response resp;
    const char *url, *cal;
    long status;
    json_t *doc = call(&status, "POST", path, "", NULL);

    assert_int_equal(status, 201);
    url = json_string_value(json_object_get(doc, "url"));
    assert_non_null(url);
    cal = strstr(url, "/cal/");
    assert_non_null(cal);
    assert_int_equal(
        test_http(&resp, W->site.d.port, "GET", cal, NULL, NULL, NULL), 0);
    assert_int_equal(resp.status, 200);
    feed = mg_xstrdup(resp.body);
    test_response_release(&resp);
    json_decref(doc);
    free(path);
    return feed;
}

/* The registered see the plenary in their feed (its UID, the new title,
 * the guest); those who declined do not. */
static void test_feeds(void **state)
{
    char *path = test_circle_path(W->circle, "/plenaries"), *feed, *uid_line;
    long status;
    json_t *doc = call(&status, "GET", path, NULL, NULL);
    const char *uid = json_string_value(json_object_get(
        json_array_get(json_object_get(doc, "plenaries"), 0), "uid"));

    (void)state;
    assert_non_null(uid);
    uid_line = mg_xasprintf("UID:%s", uid);
    feed = feed_of(ERU);
    assert_non_null(strstr(feed, uid_line));
    assert_non_null(strstr(feed, "SUMMARY:Atlas: Opening night with Ursula"));
    assert_non_null(
        strstr(feed, "DTSTART;TZID=Pacific/Auckland:20270316T193000"));
    assert_non_null(strstr(feed, "SEQUENCE:1"));
    free(feed);
    feed = feed_of(ANA);
    assert_null(strstr(feed, uid_line));
    assert_non_null(strstr(feed, "BEGIN:VCALENDAR"));
    free(feed);
    free(uid_line);
    json_decref(doc);
    free(path);
}

/* Post a REPLY for `uid` from `from` answering `partstat` for `who`. */
static char *post_reply(const char *uid, const char *from, const char *who,
                        const char *partstat)
{
    struct test_response resp;
    char *msg = mg_xasprintf(
        "From: <%s>\r\nTo: <circles@example.org>\r\nSubject: Declined\r\n"
        "Message-ID: <reply-%s-%s@example.org>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/calendar; charset=utf-8; method=REPLY\r\n\r\n"
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
        "METHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:%s\r\nSEQUENCE:0\r\n"
        "DTSTAMP:20270301T000000Z\r\nATTENDEE;PARTSTAT=%s:mailto:%s\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n",
        from, who, partstat, uid, partstat, who);
    char *out;

    assert_int_equal(test_http_ex(&resp, W->site.d.port, "POST",
                                  "/hooks/mail/mime?secret=plenary-secret",
                                  NULL, NULL, msg, strlen(msg),
                                  "message/rfc822"),
                     0);
    assert_int_equal(resp.status, 200);
    out = mg_xstrdup(resp.body);
    test_response_release(&resp);
    free(msg);
    return out;
}

/* A calendar's REPLY declining a plenary gives the place up: the first
 * waiting is promoted; a REPLY from another address changes nothing. */
static void test_reply_declines(void **state)
{
    char *path = test_circle_path(W->circle, "/plenaries"), *answer,
         *uid = NULL;
    long status;
    json_t *doc, *p;
    long long id;

    (void)state;
    doc = call(&status, "POST", path,
               "{\"title\":\"Closing\",\"start\":\"2027-04-20T19:30\","
               "\"capacity\":1}",
               NULL);
    assert_int_equal(status, 201);
    id = json_integer_value(json_object_get(doc, "id"));
    uid = mg_xstrdup(json_string_value(json_object_get(doc, "uid")));
    json_decref(doc);
    W->plenary = id;
    enrol("registered", 0, BEN);
    enrol("waitlisted", 1, CAI);
    answer = post_reply(uid, "dee@example.org", "ben@example.org", "DECLINED");
    assert_non_null(strstr(answer, "rsvp_refused"));
    free(answer);
    answer = post_reply(uid, "ben@example.org", "ben@example.org", "DECLINED");
    assert_non_null(strstr(answer, "\"rsvp\""));
    free(answer);
    doc = call(&status, "GET", path, NULL, NULL);
    p = json_array_get(json_object_get(doc, "plenaries"), 1);
    assert_int_equal(json_integer_value(json_object_get(p, "id")), id);
    assert_int_equal(json_integer_value(json_object_get(p, "registered")), 1);
    assert_int_equal(json_integer_value(json_object_get(p, "waitlisted")), 0);
    json_decref(doc);
    /* Cai, promoted, was invited */
    assert_true(mail_count("invite", CAI) >= 1);
    free(uid);
    free(path);
}

static const char *error_field(json_t *doc)
{
    return json_string_value(
        json_object_get(json_object_get(doc, "error"), "field"));
}

static char *plenary_title(json_t *doc)
{
    json_t *p = json_object_get(doc, "plenary");

    return mg_xstrdup(json_string_value(json_object_get(p ? p : doc, "title")));
}

/* Issue #17 item 14: a plenary's title and guest refuse CR/LF and other
 * control characters (422 naming the field), as a circle's fields do. */
static void test_control_characters(void **state)
{
    char *path = test_circle_path(W->circle, "/plenaries");
    char *one, *before, *after;
    json_t *doc;
    long status;

    (void)state;
    doc = call(&status, "POST", path,
               "{\"title\":\"Kick-off\\r\\nBCC: x@example.org\",\"start\":"
               "\"2027-03-30T19:30\",\"capacity\":2}",
               NULL);
    assert_int_equal(status, 422);
    assert_string_equal(error_field(doc), "title");
    json_decref(doc);
    doc = call(&status, "POST", path,
               "{\"title\":\"Kick-off\",\"guest\":\"Ursula\\nX: y\","
               "\"start\":\"2027-03-30T19:30\",\"capacity\":2}",
               NULL);
    assert_int_equal(status, 422);
    assert_string_equal(error_field(doc), "guest");
    json_decref(doc);
    doc = call(&status, "POST", path,
               "{\"title\":\"Kick-off\",\"guest\":\"Ursula\\r\","
               "\"start\":\"2027-03-30T19:30\",\"capacity\":2}",
               NULL);
    assert_int_equal(status, 422);
    assert_string_equal(error_field(doc), "guest");
    json_decref(doc);

    /* renaming to a title with a line break is refused; nothing changes */
    one = test_circle_path(W->circle, "/plenaries/%lld", W->plenary);
    doc = call(&status, "GET", one, NULL, NULL);
    assert_int_equal(status, 200);
    before = plenary_title(doc);
    json_decref(doc);
    doc = call(&status, "PATCH", one, "{\"title\":\"Kick\\r\\noff\"}", NULL);
    assert_int_equal(status, 422);
    assert_string_equal(error_field(doc), "title");
    json_decref(doc);
    doc = call(&status, "PATCH", one, "{\"title\":\"Kick\\toff\"}", NULL);
    assert_int_equal(status, 422);
    json_decref(doc);
    doc = call(&status, "GET", one, NULL, NULL);
    assert_int_equal(status, 200);
    after = plenary_title(doc);
    assert_string_equal(after, before);
    json_decref(doc);
    free(after);
    free(before);

    /* non-ASCII names are fine */
    doc = call(&status, "POST", path,
               "{\"title\":\"K\\u014drero\",\"guest\":\"Aroha Wh\\u0101nau\","
               "\"start\":\"2027-03-30T19:30\",\"capacity\":2}",
               NULL);
    assert_int_equal(status, 201);
    assert_string_equal(json_string_value(json_object_get(doc, "guest")),
                        "Aroha Wh\xc4\x81nau");
    json_decref(doc);
    free(one);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_errors),
        cmocka_unit_test(test_kickoff_waitlist),
        cmocka_unit_test(test_messages),
        cmocka_unit_test(test_feeds),
        cmocka_unit_test(test_reply_declines),
        cmocka_unit_test(test_control_characters),
    };

    return cmocka_run_group_tests(tests, setup_world, teardown_world);
}
