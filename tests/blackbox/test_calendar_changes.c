/*
 * test_calendar_changes.c: every kind of change to a circle's calls, one
 * after another, against a real `mingle serve` (issue 16, items 2, 3, 5
 * and 8). After each change every feed (each member's and each group's)
 * must answer 200, parse with libical and hold exactly the calls the
 * sessions API lists as confirmed, at their instants; every invitation
 * queued since the change before must parse and agree too (a REQUEST
 * with the member's group's calls, a CANCEL with the UID they were sent
 * and a higher SEQUENCE); and POST .../invites must answer 200.
 *
 * The changes: a session moved, a session cancelled, restored, a whole
 * series moved to another slot, a whole series cancelled (and
 * restored), a member withdrawn, a rebalance placing newcomers, and the
 * circle's time zone changed. They run on two circles in
 * Pacific/Auckland: one whose Sunday 02:30 call falls in the daylight
 * saving gap of 26 September 2027 (the issue's own case) and one at
 * Sunday 19:30 across the same change.
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
#include <time.h>

#include <cmocka.h>
#include <jansson.h>
#include <libical/ical.h>
#include <sqlite3.h>

#include "support.h"

struct world {
    struct test_site site;
    long long circle;
    int64_t last_outbox; /* outbox rows already checked */
    int64_t tolerance;   /* seconds a call may be off (see below) */
    struct seen *seen;   /* the last UID and SEQUENCE sent to each */
    size_t n_seen;
};

/* What a recipient was last sent. */
struct seen {
    char email[128];
    char uid[128];
    int sequence;
    char dtstart[96]; /* the series' DTSTART line in the last REQUEST */
};

static struct world *W;

static json_t *call(long *status, const char *method, const char *path,
                    const char *body)
{
    return test_site_call(&W->site, status, method, path, body, NULL);
}

static json_t *call_ok(const char *method, const char *path, const char *body,
                       long want)
{
    long status;
    json_t *doc = call(&status, method, path, body);

    if (status != want)
        fprintf(stderr, "%s %s: %ld %s\n", method, path, status,
                doc ? json_dumps(doc, 0) : "");
    assert_int_equal(status, want);
    return doc;
}

/* One call a calendar document holds. */
struct call {
    char uid[128];
    int64_t start;
    char wall[24]; /* the rule's value for it, as RECURRENCE-ID names it */
};

/* A DATE-TIME's value as written ("20270926T023000"; Z when UTC):
 * RECURRENCE-ID and EXDATE name a call of the rule by the value the rule
 * gives it (RFC 5545 3.8.4.4), which in a daylight-saving gap is a wall
 * time no clock shows, so they are matched by value, not by instant. */
static void wall_of(char *out, size_t size, struct icaltimetype t)
{
    snprintf(out, size, "%04d%02d%02dT%02d%02d%02d%s", t.year, t.month, t.day,
             t.hour, t.minute, t.second, icaltime_is_utc(t) ? "Z" : "");
}

static int compare_starts(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return x < y ? -1 : x > y;
}

static icaltimezone *zone_named(icalcomponent *cal, const char *tzid)
{
    /* an iterator of its own: the callers walk the VEVENTs with the
     * component's internal one */
    icalcompiter it =
        icalcomponent_begin_component(cal, ICAL_VTIMEZONE_COMPONENT);
    icalcomponent *tz;

    for (; (tz = icalcompiter_deref(&it)) != NULL; icalcompiter_next(&it)) {
        icalproperty *p =
            icalcomponent_get_first_property(tz, ICAL_TZID_PROPERTY);

        if (p && strcmp(icalproperty_get_tzid(p), tzid) == 0) {
            icaltimezone *z = icaltimezone_new();

            assert_int_equal(
                icaltimezone_set_component(z, icalcomponent_new_clone(tz)), 1);
            return z;
        }
    }
    fail_msg("no VTIMEZONE '%s'", tzid);
    return NULL;
}

/* The UTC instant of a DATE-TIME property, read in the document's own
 * VTIMEZONE of its TZID. */
static int64_t instant(icalcomponent *cal, icalproperty *p,
                       struct icaltimetype t)
{
    icalparameter *tzp =
        icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);
    icaltimezone *z;
    int64_t out;

    if (!tzp)
        return (int64_t)icaltime_as_timet_with_zone(
            t, icaltimezone_get_utc_timezone());
    z = zone_named(cal, icalparameter_get_tzid(tzp));
    t.zone = NULL;
    out = (int64_t)icaltime_as_timet_with_zone(t, z);
    icaltimezone_free(z, 1);
    return out;
}

/*
 * Every call of a calendar document, as a reader sees it: each series'
 * weekly rule from DTSTART, less its EXDATEs, with each RECURRENCE-ID
 * override moved (or removed when STATUS:CANCELLED). Returns how many
 * calls; *method gets METHOD ("" in a feed); *cancelled whether a VEVENT
 * said STATUS:CANCELLED for a whole series.
 */
static size_t calls_of(struct call *out, size_t max, char *method,
                       int *cancelled, const char *ics)
{
    icalcomponent *cal = icalparser_parse_string(ics), *ev;
    icalproperty *m;
    size_t n = 0, i;

    assert_non_null(cal);
    if (icalcomponent_count_errors(cal) != 0)
        fail_msg("libical finds errors in:\n%s", ics);
    m = icalcomponent_get_first_property(cal, ICAL_METHOD_PROPERTY);
    snprintf(method, 16, "%s",
             m ? icalproperty_method_to_string(icalproperty_get_method(m))
               : "");
    *cancelled = 0;
    /* the series first */
    for (ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); ev;
         ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
        icalproperty *dp, *rp, *x;
        struct icalrecurrencetype rule;
        struct icaltimetype dt;
        int w;
        icaltimezone *z = NULL;
        icalparameter *tzp;
        const char *uid = icalcomponent_get_uid(ev);
        size_t first = n;

        if (icalcomponent_get_first_property(ev, ICAL_RECURRENCEID_PROPERTY))
            continue;
        if (icalcomponent_get_status(ev) == ICAL_STATUS_CANCELLED)
            *cancelled = 1;
        dp = icalcomponent_get_first_property(ev, ICAL_DTSTART_PROPERTY);
        rp = icalcomponent_get_first_property(ev, ICAL_RRULE_PROPERTY);
        assert_non_null(dp);
        assert_non_null(rp);
        rule = icalproperty_get_rrule(rp);
        dt = icalproperty_get_dtstart(dp);
        tzp = icalproperty_get_first_parameter(dp, ICAL_TZID_PARAMETER);
        assert_non_null(tzp);
        z = zone_named(cal, icalparameter_get_tzid(tzp));
        /*
         * The weekly rule stepped here, a week at a time from DTSTART's
         * value, each value read in the document's VTIMEZONE (a value in
         * a gap as RFC 5545 3.3.5 says). Not icalrecur_iterator: libical
         * 3.0 moves a DTSTART in a gap to the hour after and carries
         * that hour into the following week as well.
         */
        assert_int_equal(rule.freq, ICAL_WEEKLY_RECURRENCE);
        assert_int_equal(rule.interval, 1);
        assert_true(rule.count > 0);
        assert_true(rule.by_hour[0] == ICAL_RECURRENCE_ARRAY_MAX ||
                    (rule.by_hour[0] == dt.hour &&
                     rule.by_hour[1] == ICAL_RECURRENCE_ARRAY_MAX));
        assert_true(rule.by_minute[0] == ICAL_RECURRENCE_ARRAY_MAX ||
                    (rule.by_minute[0] == dt.minute &&
                     rule.by_minute[1] == ICAL_RECURRENCE_ARRAY_MAX));
        assert_true(rule.by_day[0] == ICAL_RECURRENCE_ARRAY_MAX);
        dt.zone = NULL;
        for (w = 0; w < rule.count; w++) {
            struct icaltimetype t = dt;

            icaltime_adjust(&t, 7 * w, 0, 0, 0);
            assert_true(n < max);
            snprintf(out[n].uid, sizeof(out[n].uid), "%s", uid);
            wall_of(out[n].wall, sizeof(out[n].wall), t);
            out[n++].start = (int64_t)icaltime_as_timet_with_zone(t, z);
        }
        icaltimezone_free(z, 1);
        for (x = icalcomponent_get_first_property(ev, ICAL_EXDATE_PROPERTY); x;
             x = icalcomponent_get_next_property(ev, ICAL_EXDATE_PROPERTY)) {
            char wall[24];
            size_t k, hit = 0;

            wall_of(wall, sizeof(wall), icalproperty_get_exdate(x));
            for (k = first; k < n; k++)
                if (strcmp(out[k].wall, wall) == 0) {
                    out[k] = out[--n];
                    hit = 1;
                    break;
                }
            assert_true(hit); /* an EXDATE names a call the rule gives */
        }
    }
    /* then the overrides of single calls */
    for (ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); ev;
         ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
        icalproperty *rid =
            icalcomponent_get_first_property(ev, ICAL_RECURRENCEID_PROPERTY);
        const char *uid = icalcomponent_get_uid(ev);
        char was[24];
        int hit = 0;

        if (!rid)
            continue;
        wall_of(was, sizeof(was), icalproperty_get_recurrenceid(rid));
        for (i = 0; i < n && !hit; i++) {
            if (strcmp(out[i].uid, uid) != 0 || strcmp(out[i].wall, was) != 0)
                continue;
            hit = 1;
            if (icalcomponent_get_status(ev) == ICAL_STATUS_CANCELLED) {
                out[i] = out[--n];
            } else {
                icalproperty *dp =
                    icalcomponent_get_first_property(ev, ICAL_DTSTART_PROPERTY);
                out[i].start = instant(cal, dp, icalproperty_get_dtstart(dp));
            }
        }
        /* a RECURRENCE-ID that names no call of the rule is a call a
         * reader shows twice or never */
        if (!hit) {
            for (i = 0; i < n; i++)
                fprintf(stderr, "rule: %s %s\n", out[i].uid, out[i].wall);
            fail_msg("RECURRENCE-ID %s of %s names no call of its rule", was,
                     uid);
        }
    }
    icalcomponent_free(cal);
    return n;
}

/* The circle's sessions, as the API lists them (json_decref()). */
static json_t *sessions(void)
{
    char *path = test_circle_path(W->circle, "/sessions");
    json_t *doc = call_ok("GET", path, NULL, 200);

    free(path);
    return doc;
}

/* The confirmed calls of group `gid` (0: none) into starts, sorted. */
static size_t expected(int64_t *starts, size_t max, json_t *doc, long long gid)
{
    json_t *list = json_object_get(doc, "sessions");
    size_t i, n = 0;

    for (i = 0; gid && i < json_array_size(list); i++) {
        json_t *s = json_array_get(list, i);

        if (json_integer_value(json_object_get(s, "group_id")) != gid ||
            strcmp(json_string_value(json_object_get(s, "status")),
                   "confirmed") != 0)
            continue;
        assert_true(n < max);
        starts[n++] = json_integer_value(json_object_get(s, "starts_at"));
    }
    qsort(starts, n, sizeof(*starts), compare_starts);
    return n;
}

/*
 * The calls of a document against the sessions API's, to the second
 * (W->tolerance stays 0: the gap circle's first call is an override at
 * the 03:30 it happens, issue 16's item 1).
 */
static void agree(const struct call *calls, size_t n, const int64_t *want,
                  size_t n_want, const char *what)
{
    int64_t *got = mg_xcalloc(n + 1, sizeof(*got));
    size_t i;

    for (i = 0; i < n; i++)
        got[i] = calls[i].start;
    qsort(got, n, sizeof(*got), compare_starts);
    if (n != n_want)
        fail_msg("%s: %zu calls, the sessions say %zu", what, n, n_want);
    for (i = 0; i < n; i++) {
        int64_t d = got[i] > want[i] ? got[i] - want[i] : want[i] - got[i];

        if (d > W->tolerance)
            fail_msg("%s: call %zu at %lld, the sessions say %lld", what, i + 1,
                     (long long)got[i], (long long)want[i]);
    }
    free(got);
}

static char *feed_url(const char *suffix)
{
    char *path = test_circle_path(W->circle, "%s", suffix);
    json_t *doc = call_ok("POST", path, NULL, 201);
    char *url = mg_xstrdup(
        strstr(json_string_value(json_object_get(doc, "url")), "/cal/"));

    json_decref(doc);
    free(path);
    return url;
}

static void check_feed(const char *suffix, long long gid, json_t *ses,
                       const char *what)
{
    char *url = feed_url(suffix);
    struct test_response resp;
    struct call calls[64];
    int64_t want[64];
    char method[16];
    int cancelled;
    size_t n, n_want;

    assert_int_equal(
        test_http(&resp, W->site.d.port, "GET", url, NULL, NULL, NULL), 0);
    if (resp.status != 200)
        fail_msg("%s: feed answered %ld: %s", what, resp.status, resp.body);
    n = calls_of(calls, 64, method, &cancelled, resp.body);
    assert_string_equal(method, "");
    /* item 8: a whole cancelled series is left out, not shown cancelled */
    assert_false(cancelled);
    n_want = expected(want, 64, ses, gid);
    agree(calls, n, want, n_want, what);
    test_response_release(&resp);
    free(url);
}

static struct seen *seen_for(const char *email)
{
    size_t i;

    for (i = 0; i < W->n_seen; i++)
        if (strcasecmp(W->seen[i].email, email) == 0)
            return &W->seen[i];
    W->seen = mg_xrealloc(W->seen, (W->n_seen + 1) * sizeof(*W->seen));
    memset(&W->seen[W->n_seen], 0, sizeof(*W->seen));
    snprintf(W->seen[W->n_seen].email, sizeof(W->seen->email), "%s", email);
    return &W->seen[W->n_seen++];
}

/* The DTSTART line of the first VEVENT (the series) in `ics`. */
static void series_dtstart(char *out, size_t n, const char *ics)
{
    const char *ev = strstr(ics, "BEGIN:VEVENT"), *d, *end;

    assert_non_null(ev);
    d = strstr(ev, "\nDTSTART");
    assert_non_null(d);
    d++;
    end = d + strcspn(d, "\r\n");
    snprintf(out, n, "%.*s", (int)(end - d), d);
}

static int sequence_of(const char *ics)
{
    const char *s = strstr(ics, "\nSEQUENCE:");

    assert_non_null(s);
    return (int)strtol(s + 10, NULL, 10);
}

/* The participant with `email` in the list (borrowed), or NULL. */
static json_t *person(json_t *people, const char *email)
{
    size_t i;

    for (i = 0; i < json_array_size(people); i++) {
        json_t *p = json_array_get(people, i);

        if (strcasecmp(json_string_value(json_object_get(p, "email")), email) ==
            0)
            return p;
    }
    return NULL;
}

/* Each invitation queued since the last check, as its recipient reads
 * it; returns how many REQUESTs (*cancels: CANCELs). */
static size_t check_invitations(json_t *people, json_t *ses, size_t *cancels)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;
    size_t requests = 0;

    *cancels = 0;
    assert_int_equal(
        sqlite3_open_v2(W->site.db, &db, SQLITE_OPEN_READONLY, NULL),
        SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    assert_int_equal(
        sqlite3_prepare_v2(db,
                           "SELECT id, kind, recipient, message FROM outbox "
                           "WHERE circle_id = ? AND id > ? AND format = "
                           "'imip' ORDER BY id",
                           -1, &stmt, NULL),
        SQLITE_OK);
    sqlite3_bind_int64(stmt, 1, W->circle);
    sqlite3_bind_int64(stmt, 2, W->last_outbox);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        const char *kind = (const char *)sqlite3_column_text(stmt, 1);
        const char *to = (const char *)sqlite3_column_text(stmt, 2);
        char *ics = mg_xstrdup((const char *)sqlite3_column_text(stmt, 3));
        struct seen *was = seen_for(to);
        struct call calls[64];
        char method[16];
        int cancelled, seq = sequence_of(ics);
        size_t n;
        const char *uid;

        W->last_outbox = sqlite3_column_int64(stmt, 0);
        n = calls_of(calls, 64, method, &cancelled, ics);
        uid = n ? calls[0].uid : "";
        if (strcmp(kind, "cancel") == 0) {
            /* item 3: a CANCEL of the series they have, SEQUENCE up */
            assert_string_equal(method, "CANCEL");
            assert_true(cancelled);
            assert_non_null(strstr(ics, was->uid));
            assert_true(seq > was->sequence);
            /* review of items 1 and 3: the series as it was sent, from
             * the same DTSTART (a week 1 in a gap is the slot's 02:30,
             * not the 03:30 it happens at) */
            if (was->dtstart[0]) {
                char dt[96];

                series_dtstart(dt, sizeof(dt), ics);
                assert_string_equal(dt, was->dtstart);
            }
            was->sequence = seq;
            (*cancels)++;
        } else {
            json_t *p = person(people, to);
            int64_t want[64];
            size_t n_want;

            assert_string_equal(method, "REQUEST");
            assert_false(cancelled); /* a REQUEST never says CANCELLED */
            assert_non_null(p);
            n_want =
                expected(want, 64, ses,
                         json_integer_value(json_object_get(p, "group_id")));
            agree(calls, n, want, n_want, to);
            if (strcmp(was->uid, uid) == 0)
                assert_true(seq > was->sequence);
            snprintf(was->uid, sizeof(was->uid), "%s", uid);
            was->sequence = seq;
            series_dtstart(was->dtstart, sizeof(was->dtstart), ics);
            requests++;
        }
        free(ics);
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return requests;
}

static json_t *participants(void)
{
    char *path = test_circle_path(W->circle, "/participants?limit=1000");
    json_t *doc = call_ok("GET", path, NULL, 200);

    free(path);
    return doc;
}

/*
 * After a change: the invitations it queued, every feed, and a POST
 * .../invites that answers 200 with nothing left to send and no group
 * failing. Returns the REQUESTs queued (*cancels the CANCELs).
 */
static size_t check_all(const char *step, size_t *cancels)
{
    json_t *ses = sessions(), *pdoc = participants(), *doc, *groups;
    json_t *people = json_object_get(pdoc, "participants");
    char *path = test_circle_path(W->circle, "/groups");
    size_t i, requests, more;

    requests = check_invitations(people, ses, cancels);
    for (i = 0; i < json_array_size(people); i++) {
        json_t *p = json_array_get(people, i);
        long long gid = json_integer_value(json_object_get(p, "group_id"));
        char *suffix = mg_xasprintf(
            "/participants/%lld/feed",
            (long long)json_integer_value(json_object_get(p, "id")));
        char *what =
            mg_xasprintf("%s: %s's feed", step,
                         json_string_value(json_object_get(p, "email")));

        if (strcmp(json_string_value(json_object_get(p, "status")), "active") !=
            0)
            gid = 0;
        check_feed(suffix, gid, ses, what);
        free(suffix);
        free(what);
    }
    doc = call_ok("GET", path, NULL, 200);
    groups = json_object_get(doc, "groups");
    for (i = 0; i < json_array_size(groups); i++) {
        long long gid = json_integer_value(
            json_object_get(json_array_get(groups, i), "id"));
        char *suffix = mg_xasprintf("/groups/%lld/feed", gid);
        char *what = mg_xasprintf("%s: group %lld's feed", step, gid);

        check_feed(suffix, gid, ses, what);
        free(suffix);
        free(what);
    }
    json_decref(doc);
    free(path);
    /* item 2: invitations can always be sent; nothing was left behind */
    path = test_circle_path(W->circle, "/invites");
    doc = call_ok("POST", path, NULL, 200);
    assert_int_equal(json_integer_value(json_object_get(doc, "queued")), 0);
    assert_int_equal(json_array_size(json_object_get(doc, "calendar_failures")),
                     0);
    json_decref(doc);
    free(path);
    check_invitations(people, ses, &more);
    json_decref(ses);
    json_decref(pdoc);
    return requests;
}

/* The id of the session of group `gid` in week `week`. */
static long long session_of(long long gid, int week)
{
    json_t *doc = sessions(), *list = json_object_get(doc, "sessions");
    long long id = 0;
    size_t i;

    for (i = 0; i < json_array_size(list); i++) {
        json_t *s = json_array_get(list, i);

        if (json_integer_value(json_object_get(s, "group_id")) == gid &&
            json_integer_value(json_object_get(s, "week")) == week)
            id = json_integer_value(json_object_get(s, "id"));
    }
    json_decref(doc);
    assert_true(id > 0);
    return id;
}

/* The id of the group whose slot is `slot` ("sunday 02:30"), the first
 * one's when `slot` is NULL. */
static long long group_on(const char *slot)
{
    char *path = test_circle_path(W->circle, "/groups");
    json_t *doc = call_ok("GET", path, NULL, 200);
    json_t *groups = json_object_get(doc, "groups");
    long long id = 0;
    size_t i;

    for (i = 0; i < json_array_size(groups) && !id; i++) {
        json_t *g = json_array_get(groups, i);
        json_t *s = json_object_get(g, "slot");
        char text[64] = "";

        if (json_is_object(s))
            snprintf(text, sizeof(text), "%s %s",
                     json_string_value(json_object_get(s, "weekday")),
                     json_string_value(json_object_get(s, "start")));
        else if (json_is_string(s))
            snprintf(text, sizeof(text), "%s", json_string_value(s));
        if (!slot || strcmp(text, slot) == 0)
            id = json_integer_value(json_object_get(g, "id"));
    }
    json_decref(doc);
    free(path);
    assert_true(id > 0);
    return id;
}

/* The local start the sessions API gives session `id` ("YYYY-MM-DDTHH:MM"). */
static void local_start(char *out, size_t n, long long id)
{
    json_t *doc = sessions(), *list = json_object_get(doc, "sessions");
    size_t i;

    out[0] = '\0';
    for (i = 0; i < json_array_size(list); i++) {
        json_t *s = json_array_get(list, i);

        if (json_integer_value(json_object_get(s, "id")) == id)
            snprintf(out, n, "%s",
                     json_string_value(json_object_get(s, "start")));
    }
    json_decref(doc);
}

static void patch(const char *suffix, const char *body, long want)
{
    char *path = test_circle_path(W->circle, "%s", suffix);

    json_decref(call_ok("PATCH", path, body, want));
    free(path);
}

/*
 * The whole sequence on a circle whose first slot is `slot` on Sundays
 * from 26 September 2027 (`moved_to`: a time in week 3 to move that
 * week's call to).
 */
static void run_changes(const char *slot, const char *slot_json,
                        const char *moved_to, const char *more)
{
    char *circle_json = mg_xasprintf(
        "{\"title\":\"Changes\",\"time_zone\":\"Pacific/Auckland\","
        "\"start_date\":\"2027-09-26\",\"weeks\":4,\"group_size\":{\"min\":2,"
        "\"max\":4},\"slots\":[%s,{\"weekday\":\"tuesday\",\"start\":"
        "\"19:30\",\"minutes\":60}],\"organizer\":{\"name\":\"Coordinators\","
        "\"email\":\"circles@example.org\"}%s}",
        slot_json, more);
    char *csv =
        mg_xasprintf("name,email,role,slots\n"
                     "Sun A,suna@example.org,facilitator,%s\n"
                     "Sun B,sunb@example.org,,%s\n"
                     "Sun C,sunc@example.org,,%s\n"
                     "Tue A,tuea@example.org,facilitator,tuesday 19:30\n"
                     "Tue B,tueb@example.org,,tuesday 19:30\n"
                     "Tue C,tuec@example.org,,tuesday 19:30\n",
                     slot, slot, slot);
    char *s, *body, *path, buf[32];
    long long sun, tue, week2, week3, pid;
    size_t cancels, requests;
    json_t *doc;
    int i;

    W->circle = test_site_circle(&W->site, circle_json, NULL);
    assert_true(W->circle > 0);
    assert_true(test_site_plan(&W->site, W->circle, csv, NULL, 0) > 0);
    assert_int_equal(check_all("plan", &cancels), 6);
    sun = group_on(slot);
    tue = group_on("tuesday 19:30");
    assert_true(sun != tue);
    week2 = session_of(sun, 2);
    week3 = session_of(sun, 3);

    /* a session moved within its week */
    s = mg_xasprintf("/sessions/%lld", week3);
    patch(s, moved_to, 200);
    free(s);
    assert_int_equal(check_all("session moved", &cancels), 3);
    /* week 2 cancelled (the case: feeds and invites were 422) */
    s = mg_xasprintf("/sessions/%lld", week2);
    patch(s, "{\"status\":\"cancelled\"}", 200);
    assert_int_equal(check_all("session cancelled", &cancels), 3);
    patch(s, "{\"status\":\"confirmed\"}", 200);
    free(s);
    assert_int_equal(check_all("session restored", &cancels), 3);
    /* the Tuesday group's whole series onto the first slot */
    s = mg_xasprintf("/groups/%lld/series", tue);
    body = mg_xasprintf("{\"slot\":\"%s\"}", slot);
    patch(s, body, 200);
    free(body);
    assert_int_equal(check_all("series moved", &cancels), 3);
    /* item 3: a cancelled series is a CANCEL to each member (it was
     * {"queued":0} and a failed reconcile), and the other group's mail
     * still goes */
    path = test_circle_path(W->circle, "%s", s);
    doc = call_ok("PATCH", path, "{\"status\":\"cancelled\"}", 200);
    assert_int_equal(json_integer_value(json_object_get(doc, "queued")), 3);
    json_decref(doc);
    free(path);
    free(s);
    assert_int_equal(check_all("series cancelled", &cancels), 0);
    assert_int_equal(cancels, 3);
    s = mg_xasprintf("/sessions/%lld", week3);
    patch(s, "{\"status\":\"cancelled\"}", 200);
    assert_int_equal(check_all("other group changed", &cancels), 3);
    patch(s, "{\"status\":\"confirmed\"}", 200);
    assert_int_equal(check_all("other group changed back", &cancels), 3);
    free(s);
    /* restored: a REQUEST again, same UID, SEQUENCE up */
    s = mg_xasprintf("/groups/%lld/series", tue);
    patch(s, "{\"status\":\"confirmed\"}", 200);
    free(s);
    assert_int_equal(check_all("series restored", &cancels), 3);
    /* a member withdrawn: a CANCEL to them, their feed empty */
    pid = test_site_person(&W->site, W->circle, "sunc@example.org");
    s = test_circle_path(W->circle, "/participants/%lld/withdraw", pid);
    json_decref(call_ok("POST", s, NULL, 200));
    free(s);
    assert_int_equal(check_all("withdrawn", &cancels), 0);
    assert_int_equal(cancels, 1);
    /* newcomers placed by a rebalance get their REQUESTs */
    body = mg_xasprintf("name,email,slots\nNew A,newa@example.org,%s\n"
                        "New B,newb@example.org,%s\n",
                        slot, slot);
    assert_int_equal(test_site_people(&W->site, W->circle, body), 0);
    free(body);
    /* (forced: the Tuesday people's group meets on the other slot now,
     * which the coordinator chose when moving its series) */
    s = test_circle_path(W->circle, "/groups/rebalance?force=1");
    json_decref(call_ok("POST", s, NULL, 201));
    free(s);
    requests = check_all("rebalanced", &cancels);
    assert_true(requests >= 2);
    /* item 5: a new time zone keeps the wall time of calls not yet held
     * (all of them here: they are in 2027): the slot's for the calls
     * where the rule puts them, the moved one's own for week 3. (The
     * gap's first call, 03:30 in Auckland, is the slot's 02:30 in
     * London, where that time exists.) */
    s = mg_xasprintf("/api/v1/circles/%lld", W->circle);
    json_decref(call_ok("PATCH", s, "{\"time_zone\":\"Europe/London\"}", 200));
    free(s);
    for (i = 0; i < 4; i++) {
        static const char *const days[] = {"2027-09-26", "2027-10-03", NULL,
                                           "2027-10-17"};
        char want[32];

        if (days[i])
            snprintf(want, sizeof(want), "%sT%s", days[i],
                     strchr(slot, ' ') + 1);
        else
            snprintf(want, sizeof(want), "%.16s", strstr(moved_to, "2027"));
        local_start(buf, sizeof(buf), session_of(sun, i + 1));
        assert_string_equal(buf, want);
    }
    W->tolerance = 0; /* London has no gap in October */
    requests = check_all("time zone changed", &cancels);
    assert_true(requests >= 6);
    free(csv);
    free(circle_json);
}

static int setup(void **state)
{
    struct world *w = mg_xcalloc(1, sizeof(*w));

    if (test_site_start(&w->site, "changes.db", NULL) < 0)
        return -1;
    W = w;
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    struct world *w = *state;

    test_site_stop(&w->site, SIGTERM);
    free(w->seen);
    free(w);
    return 0;
}

/* Sunday 02:30 on 26 September 2027 does not exist in Auckland. */
static void test_changes_in_a_dst_gap(void **state)
{
    (void)state;
    W->tolerance = 0;
    run_changes("sunday 02:30",
                "{\"weekday\":\"sunday\",\"start\":\"02:30\",\"minutes\":60}",
                "{\"start\":\"2027-10-09T10:00\"}",
                ",\"video_url\":\"https://meet.example.org/g\"");
}

/* Sunday 19:30 across the same change: every instant exact. */
static void test_changes_across_dst(void **state)
{
    (void)state;
    W->tolerance = 0;
    W->last_outbox = 0;
    run_changes("sunday 19:30",
                "{\"weekday\":\"sunday\",\"start\":\"19:30\",\"minutes\":60}",
                "{\"start\":\"2027-10-09T10:00\"}",
                ",\"video_url\":\"https://meet.example.org/c\"");
}

/* Run `sql` on the site's database beside the daemon. */
static void db_exec(const char *sql)
{
    sqlite3 *db = NULL;

    assert_int_equal(sqlite3_open(W->site.db, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

/*
 * Item 3: one group whose invitations cannot be made (its calls given a
 * length of 0 minutes behind mingle's back, which no REQUEST may say)
 * is skipped and recorded; the other group's mail still goes, both
 * feeds render (the broken series left out), the outbox view (API and
 * CLI) names the group and why, and the failure is cleared once the
 * group reconciles fine again.
 */
static void test_failing_group_blocks_nobody(void **state)
{
    static const char circle_json[] =
        "{\"title\":\"Failures\",\"time_zone\":\"Pacific/Auckland\","
        "\"start_date\":\"2027-03-22\",\"weeks\":4,\"group_size\":{"
        "\"min\":2,\"max\":3},\"slots\":[{\"weekday\":\"tuesday\","
        "\"start\":\"19:30\",\"minutes\":60},{\"weekday\":\"thursday\","
        "\"start\":\"12:00\",\"minutes\":45}],\"organizer\":{\"email\":"
        "\"circles@example.org\"}}";
    char *path, *sql, *out = NULL, circle[24];
    const char *argv[] = {"outbox",   "list", "--db", W->site.db,
                          "--circle", circle, NULL};
    long long tue, thu, week2;
    json_t *doc, *fails;
    size_t cancels;

    (void)state;
    W->tolerance = 0;
    W->last_outbox = 0;
    W->circle = test_site_circle(&W->site, circle_json, NULL);
    assert_true(W->circle > 0);
    assert_true(test_site_plan(&W->site, W->circle,
                               "name,email,role,slots\n"
                               "A,fa@example.org,facilitator,tuesday 19:30\n"
                               "B,fb@example.org,,tuesday 19:30\n"
                               "C,fc@example.org,facilitator,thursday 12:00\n"
                               "D,fd@example.org,,thursday 12:00\n",
                               NULL, 0) > 0);
    assert_int_equal(check_all("plan", &cancels), 4);
    tue = group_on("tuesday 19:30");
    thu = group_on("thursday 12:00");
    sql = mg_xasprintf("UPDATE sessions SET minutes = 0 WHERE group_id = %lld;"
                       "UPDATE groups SET sequence = sequence + 1 WHERE id = "
                       "%lld",
                       tue, tue);
    db_exec(sql);
    free(sql);
    /* the other group's change is sent all the same */
    week2 = session_of(thu, 2);
    path = test_circle_path(W->circle, "/sessions/%lld", week2);
    json_decref(call_ok("PATCH", path, "{\"status\":\"cancelled\"}", 200));
    free(path);
    path = test_circle_path(W->circle, "/invites");
    doc = call_ok("POST", path, NULL, 200);
    free(path);
    fails = json_object_get(doc, "calendar_failures");
    assert_int_equal(json_array_size(fails), 1);
    assert_int_equal(json_integer_value(
                         json_object_get(json_array_get(fails, 0), "group_id")),
                     tue);
    assert_non_null(strstr(
        json_string_value(json_object_get(json_array_get(fails, 0), "cause")),
        "duration"));
    json_decref(doc);
    path = test_circle_path(W->circle, "/outbox");
    doc = call_ok("GET", path, NULL, 200);
    assert_int_equal(json_array_size(json_object_get(doc, "calendar_failures")),
                     1);
    json_decref(doc);
    free(path);
    /* the dashboard's outbox section names it too */
    {
        char *cookie = NULL, *page = test_dashboard_path(W->circle, "%s", "");
        struct test_response resp;

        assert_int_equal(test_site_dashboard_login(&W->site, W->site.token,
                                                   &cookie, NULL, NULL),
                         303);
        test_site_page(&resp, &W->site, "GET", page, cookie, NULL);
        assert_int_equal(resp.status, 200);
        assert_non_null(strstr(resp.body, "Invitations could not be made"));
        assert_non_null(strstr(resp.body, "a duration"));
        test_response_release(&resp);
        free(page);
        free(cookie);
    }
    snprintf(circle, sizeof(circle), "%lld", W->circle);
    assert_int_equal(test_run_cli(&out, NULL, argv, NULL), 0);
    assert_non_null(strstr(out, "1 group could not be sent invitations"));
    assert_non_null(strstr(out, "duration"));
    free(out);
    out = NULL;
    {
        json_t *pdoc = participants(), *ses = sessions();
        size_t requests = check_invitations(
            json_object_get(pdoc, "participants"), ses, &cancels);

        assert_int_equal(requests, 2); /* Thursday's two, nothing else */
        json_decref(pdoc);
        json_decref(ses);
    }
    /* the broken group's feed renders, without the series it cannot
     * hold; the other's as before */
    {
        char *url;
        struct test_response resp;

        path = mg_xasprintf("/groups/%lld/feed", tue);
        url = feed_url(path);
        free(path);
        assert_int_equal(
            test_http(&resp, W->site.d.port, "GET", url, NULL, NULL, NULL), 0);
        assert_int_equal(resp.status, 200);
        assert_null(strstr(resp.body, "BEGIN:VEVENT"));
        test_response_release(&resp);
        free(url);
    }
    /* mended: the group's members get their update, the failure goes */
    sql = mg_xasprintf("UPDATE sessions SET minutes = 60 WHERE group_id = "
                       "%lld",
                       tue);
    db_exec(sql);
    free(sql);
    path = test_circle_path(W->circle, "/invites");
    doc = call_ok("POST", path, NULL, 200);
    assert_int_equal(json_integer_value(json_object_get(doc, "queued")), 2);
    assert_int_equal(json_array_size(json_object_get(doc, "calendar_failures")),
                     0);
    json_decref(doc);
    free(path);
    assert_int_equal(check_all("mended", &cancels), 2);
    path = test_circle_path(W->circle, "/outbox");
    doc = call_ok("GET", path, NULL, 200);
    assert_int_equal(json_array_size(json_object_get(doc, "calendar_failures")),
                     0);
    json_decref(doc);
    free(path);
}

/*
 * Item 5 with calls already held: a circle that started two weeks ago.
 * The held calls keep their instants, the ones ahead keep their wall
 * time in the new zone, and feeds and invitations agree with that.
 */
static void test_time_zone_change_keeps_held_calls(void **state)
{
    char day[16], *circle_json, *s;
    time_t now = time(NULL) - 15 * 86400;
    struct tm tm;
    json_t *before, *after, *lb, *la;
    size_t i, held = 0, ahead = 0, cancels;

    (void)state;
    gmtime_r(&now, &tm);
    strftime(day, sizeof(day), "%Y-%m-%d", &tm);
    circle_json = mg_xasprintf(
        "{\"title\":\"Under way\",\"time_zone\":\"Pacific/Auckland\","
        "\"start_date\":\"%s\",\"weeks\":5,\"group_size\":{\"min\":2,"
        "\"max\":4},\"slots\":[{\"weekday\":\"wednesday\",\"start\":"
        "\"19:30\",\"minutes\":60}],\"organizer\":{\"email\":"
        "\"circles@example.org\"}}",
        day);
    W->tolerance = 0;
    W->last_outbox = 0;
    W->circle = test_site_circle(&W->site, circle_json, NULL);
    free(circle_json);
    assert_true(W->circle > 0);
    assert_true(test_site_plan(&W->site, W->circle,
                               "name,email,role\n"
                               "H,ha@example.org,facilitator\n"
                               "I,hb@example.org,\n",
                               NULL, 0) > 0);
    assert_int_equal(check_all("plan", &cancels), 2);
    before = sessions();
    s = mg_xasprintf("/api/v1/circles/%lld", W->circle);
    json_decref(
        call_ok("PATCH", s, "{\"time_zone\":\"America/New_York\"}", 200));
    free(s);
    after = sessions();
    lb = json_object_get(before, "sessions");
    la = json_object_get(after, "sessions");
    assert_int_equal(json_array_size(la), 5);
    for (i = 0; i < json_array_size(la); i++) {
        json_t *b = json_array_get(lb, i), *a = json_array_get(la, i);
        json_int_t tb = json_integer_value(json_object_get(b, "starts_at"));
        json_int_t ta = json_integer_value(json_object_get(a, "starts_at"));

        if (tb <= (json_int_t)time(NULL)) {
            assert_int_equal(ta, tb); /* held: as it was */
            held++;
        } else {
            /* ahead: Wednesday 19:30 in New York now */
            assert_string_equal(
                json_string_value(json_object_get(a, "start")) + 10, "T19:30");
            assert_true(ta != tb);
            ahead++;
        }
    }
    assert_true(held >= 2);
    assert_true(ahead >= 2);
    json_decref(before);
    json_decref(after);
    /* everyone told, and every feed and invitation agrees */
    assert_int_equal(check_all("time zone changed", &cancels), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_changes_in_a_dst_gap),
        cmocka_unit_test(test_changes_across_dst),
        cmocka_unit_test(test_failing_group_blocks_nobody),
        cmocka_unit_test(test_time_zone_change_keeps_held_calls),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
