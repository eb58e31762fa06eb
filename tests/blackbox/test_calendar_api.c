/*
 * test_calendar_api.c: the weekly calls end to end against a real
 * `mingle serve`: planning groups makes sessions and queues invitations,
 * the sender delivers them (to a maildir here), feeds are valid
 * iCalendar that libical reads back with the right instants, conditional
 * GETs get 304, moving and cancelling calls shows up in feeds and new
 * invitations, and a withdrawal sends a CANCEL.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
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

#include "support.h"

/* Four Tuesdays from 23 March 2027, 19:30 in Auckland; NZ daylight time
 * ends on 4 April 2027, so the offset goes from +13 to +12:
 *   TZ=Pacific/Auckland date -d '2027-03-23 19:30' +%s  -> 1805783400
 *   TZ=Pacific/Auckland date -d '2027-04-06 19:30' +%s  -> 1806996600 */
#define WEEK1 1805783400LL
#define WEEK3 1806996600LL

static const char circle_json[] =
    "{\"title\":\"Calendar circle\",\"time_zone\":\"Pacific/Auckland\","
    "\"start_date\":\"2027-03-22\",\"weeks\":4,\"group_size\":{\"min\":2,"
    "\"max\":8},\"slots\":[{\"weekday\":\"tuesday\",\"start\":\"19:30\","
    "\"minutes\":60}],\"video_url\":\"https://meet.example.org/cal\","
    "\"organizer\":{\"name\":\"Coordinators\",\"email\":"
    "\"circles@example.org\"}}";

struct world {
    struct test_site site;
    long long circle;
};

static struct world *W;

static json_t *call(long *status, const char *method, const char *path,
                    const char *body, const char *ctype)
{
    return test_site_call(&W->site, status, method, path, body, ctype);
}

static size_t count_files(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t n = 0;

    if (!d)
        return 0;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

/* Wait (up to 10 s) until the maildir holds `n` messages. */
static size_t wait_mail(size_t n)
{
    char *newdir = mg_xasprintf("%s/new", W->site.maildir);
    size_t have = 0;
    int i;

    for (i = 0; i < 200; i++) {
        have = count_files(newdir);
        if (have >= n)
            break;
        usleep(50000);
    }
    free(newdir);
    return have;
}

static int setup_world(void **state)
{
    struct world *w = mg_xcalloc(1, sizeof(*w));
    static const char *const env[] = {"MINGLE_OUTBOX_INTERVAL=1", NULL};
    const struct test_site_opts opts = {.maildir = 1, .env = env};

    if (test_site_start(&w->site, "cal.db", &opts) < 0)
        return -1;
    W = w;
    w->circle = test_site_circle(&w->site, circle_json, NULL);
    if (!w->circle)
        return -1;
    *state = w;
    return test_site_people(&w->site, w->circle,
                            "name,email,role\n"
                            "\"Tāne, Mahuta\",tane@example.org,facilitator\n"
                            "\"Ana \"\"Bee\"\" Cole\",ana@example.org,\n"
                            "Ben; Lee,BEN@Example.org,\n");
}

static int teardown_world(void **state)
{
    struct world *w = *state;

    test_site_stop(&w->site, SIGTERM);
    free(w);
    return 0;
}

static void test_plan_queues_and_sends_invitations(void **state)
{
    char *path = test_circle_path(W->circle, "/groups/plan");
    long status;
    json_t *doc, *msgs;
    size_t i;

    (void)state;
    doc = call(&status, "POST", path, NULL, NULL);
    assert_int_equal(status, 201);
    assert_int_equal(
        json_integer_value(json_object_get(doc, "invitations_queued")), 3);
    json_decref(doc);
    free(path);
    /* The sender delivers them to the maildir. */
    assert_int_equal(wait_mail(3), 3);
    path = test_circle_path(W->circle, "/outbox");
    for (i = 0; i < 100; i++) {
        size_t sent = 0, j;
        doc = call(&status, "GET", path, NULL, NULL);
        msgs = json_object_get(doc, "messages");
        for (j = 0; j < json_array_size(msgs); j++)
            sent += strcmp(json_string_value(json_object_get(
                               json_array_get(msgs, j), "status")),
                           "sent") == 0;
        json_decref(doc);
        if (sent == 3)
            break;
        usleep(50000);
    }
    assert_true(i < 100);
    free(path);
    /* Planning again without changes queues nothing new. */
    path = test_circle_path(W->circle, "/invites");
    doc = call(&status, "POST", path, NULL, NULL);
    assert_int_equal(status, 200);
    assert_int_equal(json_integer_value(json_object_get(doc, "queued")), 0);
    json_decref(doc);
    free(path);
}

/* Fetch a feed; returns the body (free()) and fills the ETag. */
static char *get_feed(long *status, const char *url_path, char *etag,
                      size_t etag_len, const char *if_none_match)
{
    struct test_response resp;
    char *h, *body;

    (void)if_none_match;
    assert_int_equal(
        test_http(&resp, W->site.d.port, "GET", url_path, NULL, NULL, NULL), 0);
    *status = resp.status;
    h = strstr(resp.headers, "ETag: ");
    if (h && etag) {
        size_t n = strcspn(h + 6, "\r\n");
        snprintf(etag, etag_len, "%.*s", (int)n, h + 6);
    }
    body = mg_xstrdup(resp.body);
    test_response_release(&resp);
    return body;
}

static char *feed_path(long long pid)
{
    char *suffix = mg_xasprintf("/participants/%lld/feed", pid);
    char *path = test_circle_path(W->circle, "%s", suffix);
    long status;
    json_t *doc = call(&status, "POST", path, NULL, NULL);
    const char *url;
    char *out;

    assert_int_equal(status, 201);
    url = json_string_value(json_object_get(doc, "url"));
    assert_non_null(
        strstr(json_string_value(json_object_get(doc, "webcal")), "webcal://"));
    assert_non_null(
        strstr(json_string_value(json_object_get(doc, "google")),
               "https://calendar.google.com/calendar/r?cid=webcal%3A%2F%2F"));
    out = mg_xstrdup(strstr(url, "/cal/"));
    json_decref(doc);
    free(path);
    free(suffix);
    return out;
}

/* Expand the feed's series with libical in the feed's own VTIMEZONE. */
static int expand(int64_t *starts, int max, const char *ics)
{
    icalcomponent *cal = icalparser_parse_string(ics), *ev, *tz;
    icaltimezone *zone = icaltimezone_new();
    struct icalrecurrencetype rule;
    struct icaltimetype dt;
    icalrecur_iterator *it;
    int n = 0;

    assert_non_null(cal);
    tz = icalcomponent_get_first_component(cal, ICAL_VTIMEZONE_COMPONENT);
    assert_non_null(tz);
    assert_int_equal(
        icaltimezone_set_component(zone, icalcomponent_new_clone(tz)), 1);
    ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
    assert_non_null(ev);
    rule = icalproperty_get_rrule(
        icalcomponent_get_first_property(ev, ICAL_RRULE_PROPERTY));
    dt = icalcomponent_get_dtstart(ev);
    dt = icaltime_set_timezone(&dt, zone);
    it = icalrecur_iterator_new(rule, dt);
    for (;;) {
        struct icaltimetype t = icalrecur_iterator_next(it);
        if (icaltime_is_null_time(t) || n == max)
            break;
        t.zone = zone;
        starts[n++] = (int64_t)icaltime_as_timet_with_zone(t, zone);
    }
    icalrecur_iterator_free(it);
    icaltimezone_free(zone, 1);
    icalcomponent_free(cal);
    return n;
}

static void test_feed(void **state)
{
    long long pid = test_site_person(&W->site, W->circle,
                                     "BEN@Example.org"); /* stored as given */
    char *path = feed_path(pid), *old;
    char etag[128] = "";
    struct test_response resp;
    int64_t starts[8];
    long status;
    char *body;
    char *hdr;

    (void)state;
    body = get_feed(&status, path, etag, sizeof(etag), NULL);
    assert_int_equal(status, 200);
    assert_non_null(strstr(body, "BEGIN:VCALENDAR"));
    assert_null(strstr(body, "METHOD:"));
    assert_null(strstr(body, "ATTENDEE"));
    assert_non_null(strstr(body, "TZID:Pacific/Auckland"));
    assert_null(strstr(body, "freeassociation"));
    assert_non_null(strstr(body, "RRULE:FREQ=WEEKLY;COUNT=4"));
    assert_non_null(strstr(body, "REFRESH-INTERVAL;VALUE=DURATION:PT1H"));
    assert_int_equal(expand(starts, 8, body), 4);
    assert_int_equal(starts[0], WEEK1);
    assert_int_equal(starts[2], WEEK3);
    /* An hour less than 14 days later: daylight time ended in between. */
    assert_int_equal(starts[2] - starts[0], 14 * 86400 + 3600);
    free(body);

    /* The same calendar again: 304 with the ETag. */
    hdr = mg_xasprintf("%s", etag);
    {
        char *url = mg_xasprintf("http://127.0.0.1:%d%s", W->site.d.port, path);
        char *cmd = mg_xasprintf("curl -s -o /dev/null -w '%%{http_code}' "
                                 "-H 'If-None-Match: %s' '%s'",
                                 hdr, url);
        FILE *p = popen(cmd, "r");
        char code[8] = "";
        assert_non_null(p);
        assert_non_null(fgets(code, sizeof(code), p));
        pclose(p);
        assert_string_equal(code, "304");
        free(cmd);
        free(url);
    }
    free(hdr);

    /* Unknown or malformed tokens: a plain 404. */
    assert_int_equal(test_http(&resp, W->site.d.port, "GET",
                               "/cal/00000000000000000000000000000000000000"
                               "0000000000.ics",
                               NULL, NULL, NULL),
                     0);
    assert_int_equal(resp.status, 404);
    test_response_release(&resp);
    /* Rotating the token retires the old URL. */
    old = path;
    path = feed_path(pid);
    body = get_feed(&status, old, NULL, 0, NULL);
    assert_int_equal(status, 404);
    free(body);
    body = get_feed(&status, path, NULL, 0, NULL);
    assert_int_equal(status, 200);
    free(body);
    free(old);
    free(path);
}

static long long session_id(int week)
{
    char *path = test_circle_path(W->circle, "/sessions");
    long status;
    json_t *doc = call(&status, "GET", path, NULL, NULL);
    json_t *list = json_object_get(doc, "sessions");
    long long id = 0;
    size_t i;

    assert_int_equal(json_array_size(list), 4);
    for (i = 0; i < json_array_size(list); i++)
        if (json_integer_value(
                json_object_get(json_array_get(list, i), "week")) == week)
            id = json_integer_value(
                json_object_get(json_array_get(list, i), "id"));
    json_decref(doc);
    free(path);
    return id;
}

static void test_move_and_cancel_sessions(void **state)
{
    long long week2 = session_id(2), week3 = session_id(3);
    char *s2 = mg_xasprintf("/sessions/%lld", week2);
    char *s3 = mg_xasprintf("/sessions/%lld", week3);
    char *p2 = test_circle_path(W->circle, "%s", s2),
         *p3 = test_circle_path(W->circle, "%s", s3);
    char *feed =
        feed_path(test_site_person(&W->site, W->circle, "ana@example.org"));
    long status;
    json_t *doc;
    char *body;

    (void)state;
    /* Onto another week: refused, nothing changes. */
    doc = call(&status, "PATCH", p2, "{\"start\":\"2027-04-06T19:30\"}", NULL);
    assert_int_equal(status, 422);
    json_decref(doc);
    doc = call(&status, "PATCH", p2, "{\"start\":\"31 March\"}", NULL);
    assert_int_equal(status, 422);
    json_decref(doc);
    /* Thursday of the same week. */
    doc = call(&status, "PATCH", p2, "{\"start\":\"2027-04-01T19:30\"}", NULL);
    assert_int_equal(status, 200);
    assert_string_equal(json_string_value(json_object_get(doc, "start")),
                        "2027-04-01T19:30");
    assert_true(json_is_true(json_object_get(doc, "moved")));
    json_decref(doc);
    doc = call(&status, "PATCH", p3, "{\"status\":\"cancelled\"}", NULL);
    assert_int_equal(status, 200);
    json_decref(doc);

    body = get_feed(&status, feed, NULL, 0, NULL);
    assert_int_equal(status, 200);
    assert_non_null(strstr(body, "RECURRENCE-ID;TZID=Pacific/Auckland:"
                                 "20270330T193000"));
    assert_non_null(strstr(body, "EXDATE;TZID=Pacific/Auckland:"
                                 "20270406T193000"));
    assert_non_null(strstr(body, "SEQUENCE:2"));
    free(body);
    /* Everyone got the updated REQUEST (twice: two changes). */
    assert_int_equal(wait_mail(9), 9);
    free(p2);
    free(p3);
    free(s2);
    free(s3);
    free(feed);
}

static void test_withdrawal_sends_cancel(void **state)
{
    long long pid = test_site_person(&W->site, W->circle, "ana@example.org");
    char *suffix = mg_xasprintf("/participants/%lld/withdraw", pid);
    char *path = test_circle_path(W->circle, "%s", suffix);
    char *outbox = test_circle_path(W->circle, "/outbox");
    long status;
    json_t *doc, *msgs;
    size_t i;
    int cancels = 0;

    (void)state;
    doc = call(&status, "POST", path, NULL, NULL);
    assert_int_equal(status, 200);
    json_decref(doc);
    doc = call(&status, "GET", outbox, NULL, NULL);
    msgs = json_object_get(doc, "messages");
    for (i = 0; i < json_array_size(msgs); i++) {
        json_t *m = json_array_get(msgs, i);
        if (strcmp(json_string_value(json_object_get(m, "kind")), "cancel") ==
            0) {
            cancels++;
            assert_string_equal(
                json_string_value(json_object_get(m, "recipient")),
                "ana@example.org");
        }
    }
    assert_int_equal(cancels, 1);
    json_decref(doc);
    assert_int_equal(wait_mail(10), 10);
    free(path);
    free(suffix);
    free(outbox);
}

static void test_move_whole_series(void **state)
{
    char *circle = mg_xasprintf("/api/v1/circles/%lld", W->circle);
    char *groups = test_circle_path(W->circle, "/groups");
    char *feed =
        feed_path(test_site_person(&W->site, W->circle, "tane@example.org"));
    char *series;
    long status;
    json_t *doc;
    char *body;

    (void)state;
    /* Give the circle a second slot, then move the group onto it. */
    doc = call(&status, "PATCH", circle,
               "{\"slots\":[{\"weekday\":\"tuesday\",\"start\":\"19:30\","
               "\"minutes\":60},{\"weekday\":\"thursday\",\"start\":"
               "\"12:00\",\"minutes\":45}]}",
               NULL);
    assert_int_equal(status, 200);
    json_decref(doc);
    doc = call(&status, "GET", groups, NULL, NULL);
    series = mg_xasprintf(
        "/api/v1/circles/%lld/groups/%lld/series", W->circle,
        (long long)json_integer_value(json_object_get(
            json_array_get(json_object_get(doc, "groups"), 0), "id")));
    json_decref(doc);
    doc = call(&status, "PATCH", series, "{\"slot\":\"friday 09:00\"}", NULL);
    assert_int_equal(status, 422);
    json_decref(doc);
    doc = call(&status, "PATCH", series, "{\"slot\":\"thursday 12:00\"}", NULL);
    assert_int_equal(status, 200);
    /* two members left in the group get the updated REQUEST */
    assert_int_equal(json_integer_value(json_object_get(doc, "queued")), 2);
    json_decref(doc);
    body = get_feed(&status, feed, NULL, 0, NULL);
    assert_int_equal(status, 200);
    assert_non_null(
        strstr(body, "DTSTART;TZID=Pacific/Auckland:20270325T120000"));
    assert_non_null(
        strstr(body, "DTEND;TZID=Pacific/Auckland:20270325T124500"));
    free(body);
    free(series);
    free(feed);
    free(groups);
    free(circle);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plan_queues_and_sends_invitations),
        cmocka_unit_test(test_feed),
        cmocka_unit_test(test_move_and_cancel_sessions),
        cmocka_unit_test(test_withdrawal_sends_cancel),
        cmocka_unit_test(test_move_whole_series),
    };

    return cmocka_run_group_tests(tests, setup_world, teardown_world);
}
