/*
 * test_rooms.c: issue 18 items 8 and 10 against a real `mingle serve`.
 * Item 10, a call room per group: two groups meeting at the same hour
 * get different, unguessable rooms from the circle's template; a
 * group's own link beats the template, which beats the circle's
 * video_url; the link reaches the invitation (URL, LOCATION,
 * CONFERENCE, DESCRIPTION, the mail's text), the feed and the person
 * page; changing one group's link sends its members only an update
 * with SEQUENCE up; a re-plan keeps the rooms; a plenary has its own
 * link. Item 8, calendar alarms: invitations and feeds carry a VALARM
 * with the circle's minutes, none at 0. Bad templates and links are
 * refused with the field named. libical reads every document back.
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
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <libical/ical.h>
#include <sqlite3.h>

#include "support.h"

#define TEMPLATE "https://meet.jit.si/{circle}-{group}-{secret}"

/* One slot: both groups meet at the same hour. */
static const char circle_json[] =
    "{\"title\":\"Rooms circle\",\"slug\":\"rooms-circle\","
    "\"time_zone\":\"Pacific/Auckland\",\"start_date\":\"2027-03-22\","
    "\"weeks\":4,\"group_size\":{\"min\":2,\"max\":2},\"slots\":[{"
    "\"weekday\":\"tuesday\",\"start\":\"19:30\",\"minutes\":60}],"
    "\"video_url\":\"https://meet.example.org/everyone\","
    "\"call_url_template\":\"" TEMPLATE "\","
    "\"organizer\":{\"name\":\"Coordinators\",\"email\":"
    "\"circles@example.org\"}}";

struct world {
    struct test_site site;
    long long circle;
    long long group[2];
    char *link[2];
};

static struct world *W;

static json_t *call(long *status, const char *method, const char *path,
                    const char *body)
{
    return test_site_call(&W->site, status, method, path, body,
                          body ? "application/json" : NULL);
}

/* A queued message of the outbox. */
struct msg {
    long long id;
    char *recipient, *message, *parts;
};

/* The invitations queued after outbox id `after`, oldest first. */
static size_t outbox_after(struct msg *out, size_t max, long long after)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    size_t n = 0;

    assert_int_equal(
        sqlite3_open_v2(W->site.db, &db, SQLITE_OPEN_READONLY, NULL),
        SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT id, recipient, message, "
                                        "coalesce(parts, '') FROM outbox "
                                        "WHERE id > ? ORDER BY id",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_int64(st, 1, after);
    while (sqlite3_step(st) == SQLITE_ROW && n < max) {
        out[n].id = sqlite3_column_int64(st, 0);
        out[n].recipient = mg_xstrdup((const char *)sqlite3_column_text(st, 1));
        out[n].message = mg_xstrdup((const char *)sqlite3_column_text(st, 2));
        out[n].parts = mg_xstrdup((const char *)sqlite3_column_text(st, 3));
        n++;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

static void msgs_free(struct msg *m, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(m[i].recipient);
        free(m[i].message);
        free(m[i].parts);
    }
}

static long long outbox_last(void)
{
    struct msg m[64];
    size_t n = outbox_after(m, 64, 0);
    long long last = n ? m[n - 1].id : 0;

    /* more than 64: read on from there */
    while (n == 64) {
        msgs_free(m, n);
        n = outbox_after(m, 64, last);
        if (n)
            last = m[n - 1].id;
    }
    msgs_free(m, n);
    return last;
}

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

/*
 * Check with libical that every VEVENT of `ics` has `link` as its URL,
 * LOCATION and CONFERENCE and in its DESCRIPTION, and a VALARM
 * (DISPLAY, `alarm` minutes before) when `alarm` > 0, none when 0.
 * Returns the number of VEVENTs.
 */
static int check_events(const char *ics, const char *link, int alarm)
{
    icalcomponent *cal = icalparser_parse_string(ics), *ev;
    int n = 0;

    assert_non_null(cal);
    for (ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); ev;
         ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
        icalproperty *p;
        icalcomponent *a;

        n++;
        if (link) {
            p = icalcomponent_get_first_property(ev, ICAL_URL_PROPERTY);
            assert_non_null(p);
            assert_string_equal(icalproperty_get_url(p), link);
            assert_string_equal(icalcomponent_get_location(ev), link);
            p = icalcomponent_get_first_property(ev, ICAL_CONFERENCE_PROPERTY);
            assert_non_null(p);
            assert_string_equal(icalproperty_get_conference(p), link);
            assert_non_null(strstr(icalcomponent_get_description(ev), link));
        }
        a = icalcomponent_get_first_component(ev, ICAL_VALARM_COMPONENT);
        if (alarm == 0) {
            assert_null(a);
            continue;
        }
        assert_non_null(a);
        p = icalcomponent_get_first_property(a, ICAL_ACTION_PROPERTY);
        assert_non_null(p);
        assert_int_equal(icalproperty_get_action(p), ICAL_ACTION_DISPLAY);
        assert_non_null(
            icalcomponent_get_first_property(a, ICAL_DESCRIPTION_PROPERTY));
        p = icalcomponent_get_first_property(a, ICAL_TRIGGER_PROPERTY);
        assert_non_null(p);
        {
            struct icaltriggertype t = icalproperty_get_trigger(p);

            assert_int_equal(icaldurationtype_as_int(t.duration), -alarm * 60);
        }
    }
    icalcomponent_free(cal);
    return n;
}

static int sequence_of(const char *ics)
{
    const char *p = strstr(ics, "\nSEQUENCE:");

    assert_non_null(p);
    return atoi(p + 10);
}

/* Read the groups' ids and links into W. */
static void read_groups(char *link[2], long long id[2])
{
    char *path = test_circle_path(W->circle, "/groups");
    long status;
    json_t *doc = call(&status, "GET", path, NULL), *groups;
    size_t i;

    assert_int_equal(status, 200);
    groups = json_object_get(doc, "groups");
    assert_int_equal(json_array_size(groups), 2);
    for (i = 0; i < 2; i++) {
        json_t *g = json_array_get(groups, i);
        const char *l = json_string_value(json_object_get(g, "call_link"));

        assert_non_null(l);
        id[i] = json_integer_value(json_object_get(g, "id"));
        link[i] = mg_xstrdup(l);
    }
    json_decref(doc);
    free(path);
}

/* Give group W->group[g] its own link `url` (NULL: none). */
static void set_group_link(int g, const char *url)
{
    char *path = test_circle_path(W->circle, "/groups/%lld", W->group[g]);
    char *body = url ? mg_xasprintf("{\"call_url\":\"%s\"}", url)
                     : mg_xstrdup("{\"call_url\":null}");
    long status;
    json_t *doc = call(&status, "PATCH", path, body);

    assert_int_equal(status, 200);
    json_decref(doc);
    free(body);
    free(path);
}

static int setup_world(void **state)
{
    struct world *w = mg_xcalloc(1, sizeof(*w));

    if (test_site_start(&w->site, "rooms.db", NULL) < 0)
        return -1;
    W = w;
    w->circle = test_site_circle(&w->site, circle_json, NULL);
    if (!w->circle)
        return -1;
    *state = w;
    if (test_site_plan(&w->site, w->circle,
                       "name,email,role\n"
                       "Aroha,aroha@example.org,facilitator\n"
                       "Ben,ben@example.org,\n"
                       "Cai,cai@example.org,facilitator\n"
                       "Dee,dee@example.org,\n",
                       NULL, 0) < 0)
        return -1;
    read_groups(w->link, w->group);
    return 0;
}

static int teardown_world(void **state)
{
    struct world *w = *state;

    test_site_stop(&w->site, SIGTERM);
    free(w->link[0]);
    free(w->link[1]);
    free(w);
    return 0;
}

/* Item 10: two groups at the same slot get different rooms, each with a
 * random part of 96 bits (24 hex) from the template. */
static void test_rooms_differ(void **state)
{
    const char *prefix = "https://meet.jit.si/rooms-circle-group-";
    size_t i, j;

    (void)state;
    for (i = 0; i < 2; i++) {
        const char *secret;

        assert_memory_equal(W->link[i], prefix, strlen(prefix));
        /* "group-1-<secret>": the group's name made URL-safe */
        secret = strrchr(W->link[i], '-') + 1;
        assert_int_equal(strlen(secret), 24);
        for (j = 0; secret[j]; j++)
            assert_non_null(strchr("0123456789abcdef", secret[j]));
    }
    assert_string_not_equal(W->link[0], W->link[1]);
    assert_string_not_equal(strrchr(W->link[0], '-'), strrchr(W->link[1], '-'));
}

/* Items 10 and 8: each member's invitation has their group's room in
 * URL, LOCATION, CONFERENCE, the description and the mail's text, and
 * a VALARM 15 minutes before by default. */
static void test_invitations_carry_room_and_alarm(void **state)
{
    struct msg m[16];
    size_t n = outbox_after(m, 16, 0), i, seen = 0;

    (void)state;
    assert_int_equal(n, 4);
    for (i = 0; i < n; i++) {
        int g = -1;
        char *flat = unfold(m[i].message);

        assert_non_null(strstr(flat, "METHOD:REQUEST"));
        if (strstr(flat, W->link[0]))
            g = 0;
        if (strstr(flat, W->link[1])) {
            assert_int_equal(g, -1); /* never both rooms */
            g = 1;
        }
        assert_true(g >= 0);
        assert_non_null(strstr(flat, "CONFERENCE;VALUE=URI;FEATURE=AUDIO,"
                                     "VIDEO:"));
        assert_non_null(strstr(flat, "TRIGGER:-PT15M"));
        assert_int_equal(check_events(m[i].message, W->link[g], 15), 1);
        /* the text part says it too */
        assert_non_null(strstr(m[i].parts, W->link[g]));
        /* the circle's one video link is no longer anyone's room */
        assert_null(strstr(flat, "meet.example.org/everyone"));
        seen |= 1u << g;
        free(flat);
    }
    assert_int_equal(seen, 3);
    msgs_free(m, n);
}

/* A feed path for participant `email`. */
static char *person_feed(const char *email)
{
    long long pid = test_site_person(&W->site, W->circle, email);
    char *path = test_circle_path(W->circle, "/participants/%lld/feed", pid);
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

static char *get_body(const char *path, long expect)
{
    struct test_response resp;
    char *body;

    assert_int_equal(
        test_http(&resp, W->site.d.port, "GET", path, NULL, NULL, NULL), 0);
    assert_int_equal(resp.status, expect);
    body = mg_xstrdup(resp.body);
    test_response_release(&resp);
    return body;
}

/* The group `email` is in (0 or 1), by its room in their feed. */
static int group_of(const char *feed)
{
    return strstr(feed, W->link[0]) ? 0 : 1;
}

/* Items 10 and 8: the person's feed has their group's room and the
 * alarm; so does their page (the link, HTML-escaped as any text). */
static void test_feed_and_page(void **state)
{
    char *feed_path = person_feed("ben@example.org");
    char *feed = get_body(feed_path, 200);
    int g = group_of(feed);
    long long pid = test_site_person(&W->site, W->circle, "ben@example.org");
    char *path = test_circle_path(W->circle, "/participants/%lld/page", pid);
    long status;
    json_t *doc;
    char *page;

    (void)state;
    assert_int_equal(check_events(feed, W->link[g], 15), 1);
    doc = call(&status, "POST", path, NULL);
    assert_int_equal(status, 201);
    page = get_body(
        strstr(json_string_value(json_object_get(doc, "url")), "/p/"), 200);
    assert_non_null(strstr(page, W->link[g]));
    assert_null(strstr(page, W->link[1 - g]));
    json_decref(doc);
    free(page);
    free(path);
    free(feed);
    free(feed_path);
    /* the group's own feed too */
    path = test_circle_path(W->circle, "/groups/%lld/feed", W->group[1]);
    doc = call(&status, "POST", path, NULL);
    assert_int_equal(status, 201);
    feed = get_body(
        strstr(json_string_value(json_object_get(doc, "url")), "/cal/"), 200);
    assert_int_equal(check_events(feed, W->link[1], 15), 1);
    json_decref(doc);
    free(feed);
    free(path);
}

/* Item 10: each bad template is refused with the field named, and
 * changes nothing; one without {secret} is taken with a warning. */
static void test_template_validation(void **state)
{
    static const char *const bad[] = {
        "\"ftp://meet.example.org/{secret}\"",
        "\"meet.jit.si/{group}-{secret}\"",
        "\"https://meet.jit.si/{room}-{secret}\"",
        "\"https://meet.jit.si/{secret\"",
        "\"https://meet.jit.si/a}{secret}\"",
        "\"https://meet.jit.si/a b-{secret}\"",
        "\"https://meet.jit.si/\\\"><script>{secret}\"",
        "\"https://meet.jit.si/a\\r\\nb{secret}\"",
        "42",
    };
    char *path = test_circle_path(W->circle, "%s", "");
    long status;
    json_t *doc, *w;
    size_t i;
    int warned = 0;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char *body = mg_xasprintf("{\"call_url_template\":%s}", bad[i]);

        doc = call(&status, "PATCH", path, body);
        assert_int_equal(status, 422);
        assert_string_equal(json_string_value(json_object_get(
                                json_object_get(doc, "error"), "field")),
                            "call_url_template");
        json_decref(doc);
        free(body);
    }
    doc = call(&status, "GET", path, NULL);
    assert_string_equal(
        json_string_value(json_object_get(doc, "call_url_template")), TEMPLATE);
    json_decref(doc);
    /* No {secret}: taken, with a warning for the coordinator, and
     * nothing is sent (the rooms go back at once). */
    doc = call(&status, "PATCH", path,
               "{\"call_url_template\":\"https://meet.jit.si/{circle}-"
               "{group}\",\"alarm_minutes\":15}");
    assert_int_equal(status, 200);
    w = json_object_get(doc, "warnings");
    for (i = 0; i < json_array_size(w); i++)
        warned |=
            strstr(json_string_value(json_array_get(w, i)), "{secret}") != NULL;
    assert_true(warned);
    json_decref(doc);
    doc = call(&status, "PATCH", path,
               "{\"call_url_template\":\"" TEMPLATE "\"}");
    assert_int_equal(status, 200);
    json_decref(doc);
    /* bad alarms */
    doc = call(&status, "PATCH", path, "{\"alarm_minutes\":-5}");
    assert_int_equal(status, 422);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(doc, "error"), "field")),
                        "alarm_minutes");
    json_decref(doc);
    doc = call(&status, "PATCH", path, "{\"alarm_minutes\":20000}");
    assert_int_equal(status, 422);
    json_decref(doc);
    free(path);
}

/* Item 10: a group's own link beats the template; changing it sends
 * that group's members (and nobody else) a REQUEST with SEQUENCE up;
 * a bad link is refused with the field named and sends nothing. */
static void test_group_link_update(void **state)
{
    static const char own[] = "https://zoom.example.org/j/123?pwd=a&b=c";
    char *path = test_circle_path(W->circle, "/groups/%lld", W->group[0]);
    struct msg before[16], m[16];
    size_t n_before = outbox_after(before, 16, 0), n, i;
    long long last = outbox_last();
    long status;
    json_t *doc;
    char *body;

    (void)state;
    doc = call(&status, "PATCH", path, "{\"call_url\":\"javascript:x()\"}");
    assert_int_equal(status, 422);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(doc, "error"), "field")),
                        "call_url");
    json_decref(doc);
    doc = call(&status, "PATCH", path,
               "{\"call_url\":\"https://x.example.org/{secret}\"}");
    assert_int_equal(status, 422);
    json_decref(doc);
    doc = call(&status, "PATCH", path, "{\"bogus\":1}");
    assert_int_equal(status, 422);
    json_decref(doc);
    assert_int_equal(outbox_last(), last);

    body = mg_xasprintf("{\"call_url\":\"%s\"}", own);
    doc = call(&status, "PATCH", path, body);
    assert_int_equal(status, 200);
    assert_string_equal(json_string_value(json_object_get(doc, "call_url")),
                        own);
    assert_string_equal(json_string_value(json_object_get(doc, "call_link")),
                        own);
    json_decref(doc);
    n = outbox_after(m, 16, last);
    assert_int_equal(n, 2); /* group 1's two members */
    for (i = 0; i < n; i++) {
        size_t j;
        int was = -1;

        check_events(m[i].message, own, 15);
        for (j = 0; j < n_before; j++)
            if (strcmp(before[j].recipient, m[i].recipient) == 0)
                was = sequence_of(before[j].message);
        assert_true(was >= 0);
        assert_true(sequence_of(m[i].message) > was);
        /* the "&" is a TEXT in DESCRIPTION and a URI in URL: libical
         * read both back as sent (check_events) */
        assert_null(strstr(m[i].message, W->link[1]));
    }
    msgs_free(m, n);
    /* The same link again: nothing to send. */
    last = outbox_last();
    doc = call(&status, "PATCH", path, body);
    assert_int_equal(status, 200);
    json_decref(doc);
    assert_int_equal(outbox_last(), last);
    free(body);
    msgs_free(before, n_before);
    free(path);
}

/* Item 10: without a template the circle's video_url is the room of the
 * groups without their own; group 1 keeps its own. Only group 2's
 * members are sent the change. */
static void test_precedence(void **state)
{
    char *path = test_circle_path(W->circle, "%s", "");
    char *link[2];
    long long id[2], last = outbox_last();
    struct msg m[16];
    size_t n, i;
    long status;
    json_t *doc;

    (void)state;
    doc = call(&status, "PATCH", path, "{\"call_url_template\":null}");
    assert_int_equal(status, 200);
    json_decref(doc);
    read_groups(link, id);
    assert_string_equal(link[0], "https://zoom.example.org/j/123?pwd=a&b=c");
    assert_string_equal(link[1], "https://meet.example.org/everyone");
    n = outbox_after(m, 16, last);
    assert_int_equal(n, 2);
    for (i = 0; i < n; i++)
        check_events(m[i].message, "https://meet.example.org/everyone", 15);
    msgs_free(m, n);
    /* the template back: group 2 has the very room it had */
    doc = call(&status, "PATCH", path,
               "{\"call_url_template\":\"" TEMPLATE "\"}");
    assert_int_equal(status, 200);
    json_decref(doc);
    free(link[0]);
    free(link[1]);
    read_groups(link, id);
    assert_string_equal(link[1], W->link[1]);
    for (i = 0; i < 2; i++)
        free(link[i]);
    free(path);
}

/* Item 8: the alarm's minutes are the circle's; 0 means none. */
static void test_alarm_setting(void **state)
{
    char *path = test_circle_path(W->circle, "%s", "");
    char *feed_path = person_feed("dee@example.org"), *feed;
    long status;
    json_t *doc;

    (void)state;
    doc = call(&status, "PATCH", path, "{\"alarm_minutes\":30}");
    assert_int_equal(status, 200);
    assert_int_equal(json_integer_value(json_object_get(doc, "alarm_minutes")),
                     30);
    json_decref(doc);
    feed = get_body(feed_path, 200);
    assert_int_equal(check_events(feed, NULL, 30), 1);
    assert_non_null(strstr(feed, "TRIGGER:-PT30M"));
    free(feed);
    doc = call(&status, "PATCH", path, "{\"alarm_minutes\":0}");
    assert_int_equal(status, 200);
    assert_int_equal(json_integer_value(json_object_get(doc, "alarm_minutes")),
                     0);
    json_decref(doc);
    feed = get_body(feed_path, 200);
    assert_int_equal(check_events(feed, NULL, 0), 1);
    assert_null(strstr(feed, "VALARM"));
    free(feed);
    doc = call(&status, "PATCH", path, "{\"alarm_minutes\":15}");
    assert_int_equal(status, 200);
    json_decref(doc);
    free(feed_path);
    free(path);
}

/* Item 10: planning again keeps each room with the group its members
 * are in (carried like the groups' other secrets). */
static void test_replan_keeps_rooms(void **state)
{
    char *path = test_circle_path(W->circle, "/groups/plan?force=1");
    char *link[2], *had[2], *feed_path, *feed;
    long long id[2];
    long status;
    json_t *doc;

    (void)state;
    /* group 1 has its own link, group 2 the template's with its secret */
    set_group_link(0, NULL);
    read_groups(had, id);
    doc = call(&status, "POST", path, NULL);
    assert_true(status == 200 || status == 201);
    json_decref(doc);
    read_groups(link, id);
    /* The groups are new rows (their ids may be the old ones again):
     * each was made with a new random secret, so the same two rooms,
     * whatever order they came in, means they were carried over. */
    assert_string_not_equal(link[0], link[1]);
    assert_true(strcmp(link[0], had[0]) == 0 || strcmp(link[1], had[0]) == 0);
    assert_true(strcmp(link[0], had[1]) == 0 || strcmp(link[1], had[1]) == 0);
    assert_non_null(strstr(had[0], "https://meet.jit.si/rooms-circle-group-"));
    free(had[0]);
    free(had[1]);
    /* Ben's feed still says his group's room */
    feed_path = person_feed("ben@example.org");
    feed = get_body(feed_path, 200);
    assert_true(strstr(feed, link[0]) || strstr(feed, link[1]));
    free(feed);
    free(feed_path);
    free(link[0]);
    free(link[1]);
    free(path);
}

/* Item 10: a plenary's own link reaches its invitation; changing it
 * sends those registered an update with SEQUENCE up. */
static void test_plenary_link(void **state)
{
    static const char first[] = "https://webinar.example.org/kickoff";
    static const char next[] = "https://webinar.example.org/kickoff-2";
    char *path = test_circle_path(W->circle, "/plenaries"), *one, *reg;
    long long pid = test_site_person(&W->site, W->circle, "cai@example.org");
    long long plenary, last;
    struct msg m[8];
    size_t n;
    long status;
    json_t *doc;
    char *body;
    int seq;

    (void)state;
    doc = call(&status, "POST", path,
               "{\"title\":\"Kick-off\",\"start\":\"2027-03-20T19:00\","
               "\"capacity\":10,\"call_url\":\"javascript:x\"}");
    assert_int_equal(status, 422);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(doc, "error"), "field")),
                        "call_url");
    json_decref(doc);
    body = mg_xasprintf("{\"title\":\"Kick-off\",\"start\":\"2027-03-20T19:00\""
                        ",\"capacity\":10,\"call_url\":\"%s\"}",
                        first);
    doc = call(&status, "POST", path, body);
    free(body);
    assert_int_equal(status, 201);
    assert_string_equal(json_string_value(json_object_get(doc, "call_url")),
                        first);
    plenary = json_integer_value(json_object_get(doc, "id"));
    json_decref(doc);
    last = outbox_last();
    reg = test_circle_path(W->circle, "/plenaries/%lld/registrations", plenary);
    body = mg_xasprintf("{\"participant_id\":%lld}", pid);
    doc = call(&status, "POST", reg, body);
    free(body);
    assert_int_equal(status, 200);
    json_decref(doc);
    n = outbox_after(m, 8, last);
    assert_int_equal(n, 1);
    assert_int_equal(check_events(m[0].message, first, 15), 1);
    seq = sequence_of(m[0].message);
    msgs_free(m, n);
    last = outbox_last();
    one = test_circle_path(W->circle, "/plenaries/%lld", plenary);
    body = mg_xasprintf("{\"call_url\":\"%s\"}", next);
    doc = call(&status, "PATCH", one, body);
    free(body);
    assert_int_equal(status, 200);
    json_decref(doc);
    n = outbox_after(m, 8, last);
    assert_int_equal(n, 1);
    assert_string_equal(m[0].recipient, "cai@example.org");
    assert_int_equal(check_events(m[0].message, next, 15), 1);
    assert_true(sequence_of(m[0].message) > seq);
    msgs_free(m, n);
    /* and Cai's page shows it with the plenary */
    {
        char *mint =
            test_circle_path(W->circle, "/participants/%lld/page", pid);
        char *html;

        doc = call(&status, "POST", mint, NULL);
        assert_int_equal(status, 201);
        html = get_body(
            strstr(json_string_value(json_object_get(doc, "url")), "/p/"), 200);
        assert_non_null(strstr(html, next));
        free(html);
        json_decref(doc);
        free(mint);
    }
    free(one);
    free(reg);
    free(path);
}

/* Items 8 and 10 from the CLI: `mingle circle set` refuses a bad
 * template naming the option and changes nothing, sets the alarm;
 * `mingle groups set-link` gives one group its own room and queues its
 * members' updates only; `mingle plenary set-link` a plenary's. */
static void test_cli(void **state)
{
    char circle[32], group[32], *out = NULL, *err = NULL, *feed_path, *feed;
    const char *bad[] = {"circle",
                         "set",
                         circle,
                         "--call-url-template",
                         "https://meet.jit.si/{room}",
                         "--db",
                         W->site.db,
                         NULL};
    const char *alarm[] = {"circle", "set",  circle,     "--alarm-minutes",
                           "45",     "--db", W->site.db, NULL};
    const char *bad_alarm[] = {"circle", "set",  circle,     "--alarm-minutes",
                               "-3",     "--db", W->site.db, NULL};
    const char *link[] = {"groups",
                          "set-link",
                          group,
                          "--circle",
                          circle,
                          "--call-url",
                          "https://zoom.example.org/j/777",
                          "--db",
                          W->site.db,
                          NULL};
    long long last = outbox_last();
    struct msg m[8];
    char *links[2];
    long long ids[2];
    size_t n, i;

    (void)state;
    snprintf(circle, sizeof(circle), "%lld", W->circle);
    assert_int_not_equal(test_run_cli(&out, &err, bad, NULL), 0);
    assert_non_null(strstr(err, "--call-url-template"));
    free(out);
    free(err);
    assert_int_not_equal(test_run_cli(&out, &err, bad_alarm, NULL), 0);
    assert_non_null(strstr(err, "--alarm-minutes"));
    free(out);
    free(err);
    assert_int_equal(test_run_cli(&out, NULL, alarm, NULL), 0);
    assert_non_null(strstr(out, "alarm:      45 min"));
    free(out);
    feed_path = person_feed("aroha@example.org");
    feed = get_body(feed_path, 200);
    assert_non_null(strstr(feed, "TRIGGER:-PT45M"));
    free(feed);
    free(feed_path);
    assert_int_equal(outbox_last(), last); /* an alarm sends nothing */

    read_groups(links, ids);
    snprintf(group, sizeof(group), "%lld", ids[1]);
    assert_int_equal(test_run_cli(&out, NULL, link, NULL), 0);
    assert_non_null(strstr(out, "2 updates queued"));
    free(out);
    n = outbox_after(m, 8, last);
    assert_int_equal(n, 2);
    for (i = 0; i < n; i++)
        check_events(m[i].message, "https://zoom.example.org/j/777", 45);
    msgs_free(m, n);
    /* back as the later tests expect: no own link there, 15 minutes */
    set_group_link(1, NULL);
    {
        char *path = test_circle_path(W->circle, "%s", "");
        long status;
        json_t *doc = call(&status, "PATCH", path, "{\"alarm_minutes\":15}");

        assert_int_equal(status, 200);
        json_decref(doc);
        free(path);
    }
    free(links[0]);
    free(links[1]);
}

/* Item 10 on the dashboard: the groups table shows each room; the
 * group view has a form for the group's own link; a bad link comes
 * back with the error next to the field and changes nothing; a good
 * one sends that group's members (only) the update. */
static void test_dashboard(void **state)
{
    struct test_response resp;
    char *cookie = NULL, *csrf = NULL, *page, *form, *loc;
    long long last;
    struct msg m[8];
    size_t n, i;

    (void)state;
    set_group_link(0, NULL); /* both groups on the template */
    assert_int_equal(test_site_dashboard_login(&W->site, W->site.token, &cookie,
                                               &csrf, NULL),
                     303);
    page = test_dashboard_path(W->circle, "?group=%lld", W->group[0]);
    test_site_page(&resp, &W->site, "GET", page, cookie, NULL);
    assert_int_equal(resp.status, 200);
    /* both rooms in the groups table, the form in the group view */
    assert_non_null(strstr(resp.body, W->link[0]));
    assert_non_null(strstr(resp.body, W->link[1]));
    assert_non_null(strstr(resp.body, "name=\"call_url\""));
    test_response_release(&resp);
    free(page);

    page = test_dashboard_path(W->circle, "/groups/%lld/call", W->group[0]);
    last = outbox_last();
    form = mg_xasprintf("csrf=%s&call_url=javascript%%3Aalert(1)", csrf);
    test_site_page(&resp, &W->site, "POST", page, cookie, form);
    assert_int_equal(resp.status, 303);
    loc = test_header_value(resp.headers, strlen(resp.headers), "Location");
    assert_non_null(strstr(loc, "link_error=1"));
    test_response_release(&resp);
    free(form);
    test_site_page(&resp, &W->site, "GET", loc, cookie, NULL);
    assert_int_equal(resp.status, 200);
    assert_non_null(strstr(resp.body, "aria-invalid=\"true\""));
    assert_non_null(strstr(resp.body, "id=\"call_url_error\""));
    test_response_release(&resp);
    free(loc);
    assert_int_equal(outbox_last(), last);

    form = mg_xasprintf("csrf=%s&call_url=https%%3A%%2F%%2Fmeet.example.org"
                        "%%2Fdash%%3Fa%%3D1%%26b%%3D%%3Cx%%3E",
                        csrf);
    test_site_page(&resp, &W->site, "POST", page, cookie, form);
    /* "<" is refused too: a link goes into pages as it is */
    assert_int_equal(resp.status, 303);
    test_response_release(&resp);
    free(form);
    assert_int_equal(outbox_last(), last);
    form = mg_xasprintf("csrf=%s&call_url=https%%3A%%2F%%2Fmeet.example.org"
                        "%%2Fdash%%3Fa%%3D1%%26b%%3D2",
                        csrf);
    test_site_page(&resp, &W->site, "POST", page, cookie, form);
    assert_int_equal(resp.status, 303);
    loc = test_header_value(resp.headers, strlen(resp.headers), "Location");
    assert_non_null(strstr(loc, "done=link"));
    test_response_release(&resp);
    free(form);
    n = outbox_after(m, 8, last);
    assert_int_equal(n, 2);
    for (i = 0; i < n; i++)
        check_events(m[i].message, "https://meet.example.org/dash?a=1&b=2", 15);
    msgs_free(m, n);
    /* the page shows it, escaped for HTML */
    test_site_page(&resp, &W->site, "GET", loc, cookie, NULL);
    assert_int_equal(resp.status, 200);
    assert_non_null(
        strstr(resp.body, "https://meet.example.org/dash?a=1&amp;b=2"));
    assert_null(strstr(resp.body, "dash?a=1&b=2"));
    test_response_release(&resp);
    free(loc);
    free(page);
    free(cookie);
    free(csrf);
    set_group_link(0, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rooms_differ),
        cmocka_unit_test(test_invitations_carry_room_and_alarm),
        cmocka_unit_test(test_feed_and_page),
        cmocka_unit_test(test_template_validation),
        cmocka_unit_test(test_group_link_update),
        cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_alarm_setting),
        cmocka_unit_test(test_cli),
        cmocka_unit_test(test_dashboard),
        cmocka_unit_test(test_replan_keeps_rooms),
        cmocka_unit_test(test_plenary_link),
    };

    return cmocka_run_group_tests(tests, setup_world, teardown_world);
}
