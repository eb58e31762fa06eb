/*
 * test_feed_changes.c: a member's calendar feed against their own
 * invitations and through every kind of change, on a real `mingle
 * serve` (issue #16). Item 7: the feed, the group's feed and the
 * invitation are one event (one UID, the invitation's SEQUENCE), plenaries
 * included. Item 4: after each change that changes the feed (a call moved,
 * a plenary place taken, renamed, declined and taken again, the circle
 * renamed, a move to another group, a withdrawal, a rejoin) a conditional
 * GET with the old If-Modified-Since or the old If-None-Match gets the new
 * body (never a 304), Last-Modified moves forward, and the new validators
 * get 304; a change elsewhere leaves both validators standing, and a
 * feed is served even while the store cannot be written.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include "mingle/inbound.h"
#include "support.h"

static const char circle_json[] =
    "{\"title\":\"Feed circle\",\"time_zone\":\"Pacific/Auckland\","
    "\"start_date\":\"2027-03-22\",\"weeks\":4,\"group_size\":{\"min\":2,"
    "\"max\":3},\"slots\":[{\"weekday\":\"tuesday\",\"start\":\"19:30\","
    "\"minutes\":60}],\"organizer\":{\"name\":\"Coordinators\",\"email\":"
    "\"circles@example.org\"}}";

static const char people_csv[] = "name,email,role\n"
                                 "Tane,tane@example.org,facilitator\n"
                                 "Rua,rua@example.org,facilitator\n"
                                 "Ana,ana@example.org,\n"
                                 "Ben,ben@example.org,\n"
                                 "Cai,cai@example.org,\n"
                                 "Dee,dee@example.org,\n";

struct world {
    struct test_site site;
    long long circle;
    long long ana, ben;
    long long ana_group, other_group;
    char *ana_feed, *ben_feed, *group_feed;
};

static struct world *W;

static json_t *call(long *status, const char *method, const char *path,
                    const char *body)
{
    return test_site_call(&W->site, status, method, path, body, NULL);
}

/* POST `path` (circle-relative, formatted) with `body`; expect `want`. */
static void post(long want, const char *method, const char *body,
                 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void post(long want, const char *method, const char *body,
                 const char *fmt, ...)
{
    char suffix[256];
    va_list ap;
    char *path;
    long status;
    json_t *doc;

    va_start(ap, fmt);
    vsnprintf(suffix, sizeof(suffix), fmt, ap);
    va_end(ap);
    path = test_circle_path(W->circle, "%s", suffix);
    doc = call(&status, method, path, body);
    if (status != want)
        fail_msg("%s %s: %ld, not %ld", method, path, status, want);
    json_decref(doc);
    free(path);
}

static long long group_of(long long pid)
{
    char *path = test_circle_path(W->circle, "/participants/%lld", pid);
    long status;
    json_t *doc = call(&status, "GET", path, NULL);
    long long g = json_integer_value(json_object_get(doc, "group_id"));

    assert_int_equal(status, 200);
    json_decref(doc);
    free(path);
    return g;
}

static char *feed_url(const char *suffix)
{
    char *path = test_circle_path(W->circle, "%s", suffix);
    long status;
    json_t *doc = call(&status, "POST", path, NULL);
    char *out;

    assert_int_equal(status, 201);
    out = mg_xstrdup(
        strstr(json_string_value(json_object_get(doc, "url")), "/cal/"));
    json_decref(doc);
    free(path);
    return out;
}

/* Wait (up to 10 s, slowed) until every message of the circle's outbox is sent
 * (so it is in the maildir). */
static void wait_outbox_empty(void)
{
    char *path = test_circle_path(W->circle, "/outbox");
    int i, tries = 200 * test_slowdown();

    for (i = 0; i < tries; i++) {
        long status;
        json_t *doc = call(&status, "GET", path, NULL);
        json_t *list = json_object_get(doc, "messages");
        size_t k, pending = 0;

        for (k = 0; k < json_array_size(list); k++)
            pending += strcmp(json_string_value(json_object_get(
                                  json_array_get(list, k), "status")),
                              "sent") != 0;
        json_decref(doc);
        if (pending == 0)
            break;
        usleep(50000);
    }
    assert_true(i < tries);
    free(path);
}

static char *person_feed(long long pid)
{
    char *suffix = mg_xasprintf("/participants/%lld/feed", pid);
    char *url = feed_url(suffix);

    free(suffix);
    return url;
}

static int setup_world(void **state)
{
    static const char *const others[] = {"ben@example.org", "cai@example.org",
                                         "dee@example.org"};
    struct world *w = mg_xcalloc(1, sizeof(*w));
    static const char *const env[] = {"MINGLE_OUTBOX_INTERVAL=1", NULL};
    const struct test_site_opts opts = {.maildir = 1, .env = env};
    long long weeks[4];
    char *suffix;
    size_t i;

    if (test_site_start(&w->site, "feeds.db", &opts) < 0)
        return -1;
    W = w;
    *state = w;
    w->circle = test_site_circle(&w->site, circle_json, NULL);
    if (!w->circle ||
        test_site_plan(&w->site, w->circle, people_csv, weeks, 4) != 8)
        return -1;
    w->ana = test_site_person(&w->site, w->circle, "ana@example.org");
    w->ben = test_site_person(&w->site, w->circle, "ben@example.org");
    w->ana_group = group_of(w->ana);
    /* Ana's group holds three of the six: one of these is elsewhere */
    for (i = 0; i < 3 && !w->other_group; i++) {
        long long g =
            group_of(test_site_person(&w->site, w->circle, others[i]));
        if (g != w->ana_group)
            w->other_group = g;
    }
    if (!w->ana_group || !w->other_group)
        return -1;
    w->ana_feed = person_feed(w->ana);
    w->ben_feed = person_feed(w->ben);
    suffix = mg_xasprintf("/groups/%lld/feed", w->ana_group);
    w->group_feed = feed_url(suffix);
    free(suffix);
    return 0;
}

static int teardown_world(void **state)
{
    struct world *w = *state;

    test_site_stop(&w->site, SIGTERM);
    free(w->ana_feed);
    free(w->ben_feed);
    free(w->group_feed);
    free(w);
    return 0;
}

/* One GET of a feed, with the validators of the answer. */
struct got {
    long status;
    char *body;
    char etag[96];
    char modified[64];
};

static void header(char *out, size_t n, const char *headers, const char *name)
{
    const char *h = headers ? strcasestr(headers, name) : NULL;

    out[0] = '\0';
    if (h) {
        h += strlen(name);
        snprintf(out, n, "%.*s", (int)strcspn(h, "\r\n"), h);
    }
}

/* GET `path`, with If-Modified-Since `ims` and If-None-Match `inm` (each
 * may be NULL). */
static void fetch(struct got *g, const char *path, const char *ims,
                  const char *inm)
{
    struct test_response resp;
    const char *extra[3] = {NULL, NULL, NULL};
    char *a = ims ? mg_xasprintf("If-Modified-Since: %s", ims) : NULL;
    char *b = inm ? mg_xasprintf("If-None-Match: %s", inm) : NULL;
    size_t k = 0;

    if (a)
        extra[k++] = a;
    if (b)
        extra[k++] = b;
    assert_int_equal(test_http_ex(&resp, W->site.d.port, "GET", path, NULL,
                                  extra, NULL, 0, NULL),
                     0);
    g->status = resp.status;
    g->body = mg_xstrdup(resp.body ? resp.body : "");
    header(g->etag, sizeof(g->etag), resp.headers, "\nETag: ");
    header(g->modified, sizeof(g->modified), resp.headers, "\nLast-Modified: ");
    test_response_release(&resp);
    free(a);
    free(b);
}

static void got_release(struct got *g)
{
    free(g->body);
    memset(g, 0, sizeof(*g));
}

static int64_t http_time(const char *s)
{
    struct tm tm;
    char *end;

    memset(&tm, 0, sizeof(tm));
    end = strptime(s, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    assert_non_null(end);
    return (int64_t)timegm(&tm);
}

/* The feed as a client last saw it. */
static void first_look(struct got *seen, const char *path)
{
    fetch(seen, path, NULL, NULL);
    assert_int_equal(seen->status, 200);
    assert_true(seen->etag[0] && seen->modified[0]);
}

/*
 * After `what` changed the feed at `path`: a client holding `seen` gets
 * the new body whichever validator it sends, with a later Last-Modified
 * and a new ETag, and the new validators get a 304. `seen` becomes what
 * it now has.
 */
static void expect_changed(struct got *seen, const char *path, const char *what)
{
    struct got by_date, by_tag, again;

    fetch(&by_date, path, seen->modified, NULL);
    if (by_date.status != 200)
        fail_msg("%s: If-Modified-Since %s got %ld: a 304 hid the change", what,
                 seen->modified, by_date.status);
    if (strcmp(by_date.body, seen->body) == 0)
        fail_msg("%s: the feed did not change", what);
    if (http_time(by_date.modified) <= http_time(seen->modified))
        fail_msg("%s: Last-Modified went from '%s' to '%s'", what,
                 seen->modified, by_date.modified);
    assert_string_not_equal(by_date.etag, seen->etag);
    fetch(&by_tag, path, NULL, seen->etag);
    if (by_tag.status != 200)
        fail_msg("%s: If-None-Match got %ld", what, by_tag.status);
    assert_string_equal(by_tag.body, by_date.body);
    assert_string_equal(by_tag.modified, by_date.modified);
    fetch(&again, path, by_date.modified, NULL);
    assert_int_equal(again.status, 304);
    got_release(&again);
    fetch(&again, path, NULL, by_date.etag);
    assert_int_equal(again.status, 304);
    got_release(&again);
    got_release(&by_tag);
    got_release(seen);
    *seen = by_date;
}

/* After `what`, which is not in the feed at `path`: both validators of
 * `seen` still stand. */
static void expect_unchanged(const struct got *seen, const char *path,
                             const char *what)
{
    struct got g;

    fetch(&g, path, seen->modified, NULL);
    if (g.status != 304)
        fail_msg("%s: If-Modified-Since got %ld", what, g.status);
    assert_string_equal(g.modified, seen->modified);
    got_release(&g);
    fetch(&g, path, NULL, seen->etag);
    if (g.status != 304)
        fail_msg("%s: If-None-Match got %ld", what, g.status);
    got_release(&g);
}

/* The value of the first "NAME:" line at or after `from` in `ics`, or ""
 * (the caller frees). */
static char *ics_value(const char *ics, const char *from, const char *name)
{
    const char *p = strstr(ics, from);
    char *key = mg_xasprintf("\n%s:", name), *out;

    p = p ? strstr(p, key) : NULL;
    out = p ? mg_xasprintf("%.*s", (int)strcspn(p + strlen(key), "\r\n"),
                           p + strlen(key))
            : mg_xstrdup("");
    free(key);
    return out;
}

/*
 * The newest REQUEST (highest SEQUENCE) mailed to `to` for a series whose
 * SUMMARY holds `summary` (and whose UID is `want`, unless NULL): its UID
 * and SEQUENCE (-1 if none).
 */
static int newest_request(char *uid, size_t n, const char *to,
                          const char *summary, const char *want)
{
    char *dir = mg_xasprintf("%s/new", W->site.maildir);
    DIR *d = opendir(dir);
    struct dirent *e;
    int best = -1;

    uid[0] = '\0';
    while (d && (e = readdir(d)) != NULL) {
        struct mg_inbound m;
        char *path, *data;
        size_t len = 0, r;

        if (e->d_name[0] == '.')
            continue;
        path = mg_xasprintf("%s/%s", dir, e->d_name);
        data = test_read_file(path, &len);
        free(path);
        if (data && mg_inbound_from_mime(&m, data, len, NULL, NULL) == 0) {
            for (r = 0; m.calendar && r < m.n_recipients; r++) {
                char *u, *seq;

                if (strcmp(m.recipients[r], to) != 0 ||
                    !strstr(m.calendar, "METHOD:REQUEST") ||
                    !strstr(m.calendar, summary))
                    continue;
                u = ics_value(m.calendar, "BEGIN:VEVENT", "UID");
                seq = ics_value(m.calendar, "BEGIN:VEVENT", "SEQUENCE");
                if ((!want || strcmp(u, want) == 0) &&
                    (int)strtol(seq, NULL, 10) > best) {
                    best = (int)strtol(seq, NULL, 10);
                    snprintf(uid, n, "%s", u);
                }
                free(u);
                free(seq);
            }
            mg_inbound_release(&m);
        }
        free(data);
    }
    if (d)
        closedir(d);
    free(dir);
    return best;
}

/* The UID and SEQUENCE of the event in `feed` whose SUMMARY holds
 * `summary`; -1 if there is none. */
static int feed_event(char *uid, size_t n, const char *feed,
                      const char *summary)
{
    const char *ev = feed;

    uid[0] = '\0';
    while ((ev = strstr(ev, "BEGIN:VEVENT")) != NULL) {
        const char *end = strstr(ev, "END:VEVENT");
        const char *s = strstr(ev, summary);

        if (s && end && s < end) {
            char *u = ics_value(ev, "BEGIN:VEVENT", "UID");
            char *seq = ics_value(ev, "BEGIN:VEVENT", "SEQUENCE");
            int out = (int)strtol(seq, NULL, 10);

            snprintf(uid, n, "%s", u);
            free(u);
            free(seq);
            return out;
        }
        ev += strlen("BEGIN:VEVENT");
    }
    return -1;
}

/* Issue #16, item 7: `email`'s invitation and their feed are one event:
 * the same UID and SEQUENCE for the series whose SUMMARY holds
 * `summary`. */
static void expect_one_event(const char *email, const char *feed_path,
                             const char *summary)
{
    char sent[128], shown[128];
    struct got g;
    int sent_seq, shown_seq;

    wait_outbox_empty();
    fetch(&g, feed_path, NULL, NULL);
    assert_int_equal(g.status, 200);
    shown_seq = feed_event(shown, sizeof(shown), g.body, summary);
    /* what they were last sent of the series the feed shows: none if
     * the feed's UID is not one they were sent */
    sent_seq = newest_request(sent, sizeof(sent), email, summary, shown);
    if (sent_seq < 0 || shown_seq < 0)
        fail_msg("%s: no '%s' sent (%d) or in the feed (%d)", email, summary,
                 sent_seq, shown_seq);
    assert_string_equal(shown, sent);
    assert_int_equal(shown_seq, sent_seq);
    got_release(&g);
}

static void test_invitation_and_feed_are_one_event(void **state)
{
    char ana_uid[128], ben_uid[128], group_uid[128];
    struct got g;

    (void)state;
    /* "Feed circle: Group" is in every group series' SUMMARY */
    expect_one_event("ana@example.org", W->ana_feed, "SUMMARY:Feed circle");
    expect_one_event("ben@example.org", W->ben_feed, "SUMMARY:Feed circle");
    /* the group's own feed is the same series too */
    assert_true(newest_request(ana_uid, sizeof(ana_uid), "ana@example.org",
                               "SUMMARY:Feed circle", NULL) >= 0);
    fetch(&g, W->group_feed, NULL, NULL);
    assert_true(feed_event(group_uid, sizeof(group_uid), g.body,
                           "SUMMARY:Feed circle") >= 0);
    assert_string_equal(group_uid, ana_uid);
    got_release(&g);
    /* Ben is in the other group or in Ana's: his UID is his group's */
    newest_request(ben_uid, sizeof(ben_uid), "ben@example.org",
                   "SUMMARY:Feed circle", NULL);
    if (group_of(W->ben) == W->ana_group)
        assert_string_equal(ben_uid, ana_uid);
    else
        assert_string_not_equal(ben_uid, ana_uid);
}

/* The id of week `week`'s session of group `group`. */
static long long session_of(long long group, int week)
{
    char *path = test_circle_path(W->circle, "/sessions");
    long status;
    json_t *doc = call(&status, "GET", path, NULL);
    json_t *list = json_object_get(doc, "sessions");
    long long id = 0;
    size_t i;

    for (i = 0; i < json_array_size(list); i++) {
        json_t *s = json_array_get(list, i);
        if (json_integer_value(json_object_get(s, "group_id")) == group &&
            json_integer_value(json_object_get(s, "week")) == week)
            id = json_integer_value(json_object_get(s, "id"));
    }
    json_decref(doc);
    free(path);
    assert_true(id > 0);
    return id;
}

static void test_every_change_moves_the_validators(void **state)
{
    struct got ana, group;
    long long plenary;
    char *body, *other;
    long status;
    json_t *doc;
    char *path;

    (void)state;
    first_look(&ana, W->ana_feed);
    first_look(&group, W->group_feed);

    /* A call of Ana's group moves (a session change). */
    post(200, "PATCH", "{\"start\":\"2027-04-01T19:30\"}", "/sessions/%lld",
         session_of(W->ana_group, 2));
    expect_changed(&ana, W->ana_feed, "a call of her group moved");
    expect_changed(&group, W->group_feed, "a call of the group moved");

    /* A call of the other group moves: not in Ana's feed. */
    post(200, "PATCH", "{\"start\":\"2027-04-01T19:30\"}", "/sessions/%lld",
         session_of(W->other_group, 2));
    expect_unchanged(&ana, W->ana_feed, "another group's call moved");
    expect_unchanged(&group, W->group_feed, "another group's call moved");

    /* A plenary she has no place at, then her place at it. */
    path = test_circle_path(W->circle, "/plenaries");
    doc = call(&status, "POST", path,
               "{\"title\":\"Kick-off\",\"guest\":\"Ursula\",\"start\":"
               "\"2027-03-16T19:30\",\"capacity\":10}");
    assert_int_equal(status, 201);
    plenary = json_integer_value(json_object_get(doc, "id"));
    json_decref(doc);
    free(path);
    expect_unchanged(&ana, W->ana_feed, "a plenary she is not at");
    body = mg_xasprintf("{\"participant_id\":%lld}", W->ana);
    post(200, "POST", body, "/plenaries/%lld/registrations", plenary);
    expect_changed(&ana, W->ana_feed, "a plenary place taken");
    /* the plenary renamed */
    post(200, "PATCH", "{\"title\":\"Opening night\"}", "/plenaries/%lld",
         plenary);
    expect_changed(&ana, W->ana_feed, "her plenary renamed");
    /* declined: the feed loses it, and Last-Modified still goes on */
    post(200, "POST", NULL, "/plenaries/%lld/registrations/%lld/decline",
         plenary, W->ana);
    expect_changed(&ana, W->ana_feed, "her plenary place declined");
    /* taken again: the feed shows the SEQUENCE of the new invitation,
     * which is past the CANCEL she was sent (item 7) */
    post(200, "POST", body, "/plenaries/%lld/registrations", plenary);
    expect_changed(&ana, W->ana_feed, "her plenary place taken again");
    expect_one_event("ana@example.org", W->ana_feed,
                     "SUMMARY:Feed circle: Opening night");
    /* and the words of that invitation */
    assert_non_null(
        strstr(ana.body, "DESCRIPTION:A whole-circle session with Ursula."));
    free(body);

    /* The circle renamed: every series' name. */
    post(200, "PATCH", "{\"title\":\"Feed circle two\"}", "%s", "");
    expect_changed(&ana, W->ana_feed, "the circle renamed");
    expect_changed(&group, W->group_feed, "the circle renamed");

    /* Ana moves to the other group. */
    body = mg_xasprintf("{\"participant_id\":%lld,\"force\":true}", W->ana);
    post(200, "POST", body, "/groups/%lld/members", W->other_group);
    free(body);
    assert_int_equal(group_of(W->ana), W->other_group);
    expect_changed(&ana, W->ana_feed, "she moved to another group");
    expect_one_event("ana@example.org", W->ana_feed, "SUMMARY:Feed circle two");
    /* her first invitation to that group has the group's UID and
     * SEQUENCE (one of its calls moved): as the group's own feed */
    body = mg_xasprintf("/groups/%lld/feed", W->other_group);
    other = feed_url(body);
    free(body);
    expect_one_event("ana@example.org", other, "SUMMARY:Feed circle two");
    free(other);

    /* Withdrawn: the feed loses her calls (the issue's own case). */
    post(200, "POST", NULL, "/participants/%lld/withdraw", W->ana);
    expect_changed(&ana, W->ana_feed, "she was withdrawn");
    assert_null(strstr(ana.body, "BEGIN:VEVENT"));

    /* Back in: active again, in her first group. */
    post(200, "PATCH", "{\"status\":\"active\"}", "/participants/%lld", W->ana);
    body = mg_xasprintf("{\"participant_id\":%lld,\"force\":true}", W->ana);
    post(200, "POST", body, "/groups/%lld/members", W->ana_group);
    free(body);
    expect_changed(&ana, W->ana_feed, "she rejoined");
    assert_non_null(strstr(ana.body, "BEGIN:VEVENT"));
    expect_one_event("ana@example.org", W->ana_feed, "SUMMARY:Feed circle two");

    /* Nothing changed: a restarted daemon keeps the validators. */
    assert_int_equal(test_daemon_stop(&W->site.d, SIGTERM), 0);
    {
        /* the next test holds the write lock: give up on it soon */
        static const char *const env[] = {"MINGLE_OUTBOX_INTERVAL=1",
                                          "MINGLE_BUSY_TIMEOUT_MS=300", NULL};
        const struct test_site_opts opts = {.maildir = 1, .env = env};
        assert_int_equal(test_site_serve(&W->site, &opts), 0);
    }
    expect_unchanged(&ana, W->ana_feed, "a restart");
    got_release(&ana);
    got_release(&group);
}

/*
 * While another process holds the write lock past the busy timeout, a
 * changed feed is still served, with its ETag and without a
 * Last-Modified (no date that might stand for another body); once the
 * lock is gone its Last-Modified moves on as ever.
 */
static void test_feed_served_while_the_store_is_locked(void **state)
{
    struct got ben, locked, g;
    sqlite3 *conn = NULL;

    (void)state;
    first_look(&ben, W->ben_feed);
    post(200, "PATCH", "{\"start\":\"2027-04-08T19:30\"}", "/sessions/%lld",
         session_of(group_of(W->ben), 3));
    wait_outbox_empty();
    assert_int_equal(sqlite3_open(W->site.db, &conn), SQLITE_OK);
    assert_int_equal(sqlite3_exec(conn, "BEGIN IMMEDIATE", NULL, NULL, NULL),
                     SQLITE_OK);
    fetch(&locked, W->ben_feed, ben.modified, NULL);
    assert_int_equal(locked.status, 200);
    assert_string_not_equal(locked.body, ben.body);
    assert_string_equal(locked.modified, "");
    assert_true(locked.etag[0] != '\0');
    fetch(&g, W->ben_feed, NULL, locked.etag);
    assert_int_equal(g.status, 304);
    got_release(&g);
    assert_int_equal(sqlite3_exec(conn, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(conn);
    expect_changed(&ben, W->ben_feed,
                   "a call moved while the store was locked");
    assert_string_equal(ben.body, locked.body);
    got_release(&locked);
    got_release(&ben);
}

/* Issue #16, item 7: an invitation sent before series shared their
 * group's UID (each had its own) keeps its UID: the member's feed shows
 * that one, and the next REQUEST carries it too. */
static void test_earlier_invitation_keeps_its_uid(void **state)
{
    long long dee = test_site_person(&W->site, W->circle, "dee@example.org");
    char *feed = person_feed(dee), *sql;
    struct got g;
    char uid[128];
    sqlite3 *conn = NULL;

    (void)state;
    wait_outbox_empty();
    sql = mg_xasprintf("UPDATE invites SET uid = 'own-dee@mingle' WHERE "
                       "participant_id = %lld AND group_id = %lld",
                       dee, group_of(dee));
    assert_int_equal(sqlite3_open(W->site.db, &conn), SQLITE_OK);
    assert_int_equal(sqlite3_exec(conn, sql, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_changes(conn), 1);
    sqlite3_close(conn);
    free(sql);
    fetch(&g, feed, NULL, NULL);
    assert_int_equal(g.status, 200);
    assert_true(feed_event(uid, sizeof(uid), g.body, "SUMMARY:Feed circle") >=
                0);
    assert_string_equal(uid, "own-dee@mingle");
    got_release(&g);
    /* a call of her group moves: the update goes out under her UID */
    post(200, "PATCH", "{\"start\":\"2027-04-15T19:30\"}", "/sessions/%lld",
         session_of(group_of(dee), 4));
    expect_one_event("dee@example.org", feed, "SUMMARY:Feed circle");
    free(feed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invitation_and_feed_are_one_event),
        cmocka_unit_test(test_every_change_moves_the_validators),
        cmocka_unit_test(test_feed_served_while_the_store_is_locked),
        cmocka_unit_test(test_earlier_invitation_keeps_its_uid),
    };

    return cmocka_run_group_tests(tests, setup_world, teardown_world);
}
