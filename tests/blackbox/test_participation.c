/*
 * test_participation.c: what each person took part in, the figures
 * certificates, CPD rows and exports print (issue #19, items 2-4). A real
 * `mingle serve` gets a circle of four in one group; week 1's attendance
 * is tests/fixtures/attendance/zoom_summary.csv (the shape of Zoom's
 * "participants" export: Ana rejoined, 30 + 33 minutes; the host stayed
 * 70), week 2 is ticked by the facilitator through the API (the call's
 * length),
 * and a two-call plenary whose second call falls after New Zealand's
 * daylight saving ends gets a Zoom report written here. The store is
 * then read with mg_participation_load() and every figure compared with
 * the one worked out by hand below.
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

#include <cmocka.h>
#include <jansson.h>

#include "mingle/participation.h"
#include "mingle/store.h"
#include "support.h"

#define FIXTURES MINGLE_TESTS_DIR "/fixtures/attendance/"

/* Calls on Tuesdays at 19:30 Auckland for 60 minutes from 23 March
 * 2027 (NZDT, UTC+13): week 1 is 2027-03-23T06:30Z, week 2 2027-03-30. */
static const char circle_json[] =
    "{\"title\":\"Participation circle\",\"time_zone\":\"Pacific/Auckland\","
    "\"start_date\":\"2027-03-22\",\"weeks\":4,\"group_size\":{\"min\":2,"
    "\"max\":8},\"slots\":[{\"weekday\":\"tuesday\",\"start\":\"19:30\","
    "\"minutes\":60}],\"organizer\":{\"name\":\"Coordinators\",\"email\":"
    "\"circles@example.org\"}}";

static const char people_csv[] = "name,email,role\n"
                                 "Tāne Mahuta,tane@example.org,facilitator\n"
                                 "Ana Cole,ana@example.org,\n"
                                 "Ben Lee,ben@example.org,\n"
                                 "Kim Park,kim@example.org,\n";

/* The plenary: 90 minutes on Thursday 1 April 2027 at 19:00 Auckland
 * (NZDT: 06:00Z), again a week later, 8 April, after daylight saving
 * ended on 4 April (NZST, UTC+12: 07:00Z). Ana stayed 95 minutes of the
 * second (counted 90), Kim 40. */
static const char plenary_zoom[] =
    "Name (Original Name),User Email,Join Time,Leave Time,Duration "
    "(Minutes),Guest\n"
    "Ana Cole,ana@example.org,04/08/2027 06:58:00 PM,04/08/2027 08:33:00 "
    "PM,95,No\n"
    "Kim Park,kim@example.org,04/08/2027 07:10:00 PM,04/08/2027 07:50:00 "
    "PM,40,No\n";

#define WEEK1 1805783400LL /* 2027-03-23T06:30:00Z */
#define WEEK2 (WEEK1 + 7 * 86400)
#define PLENARY2 1807167600LL /* 2027-04-08T07:00:00Z */

struct world {
    struct test_site site;
    long long circle, weeks[2], plenary;
    long long tane, ana, ben, kim;
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
    char *path, *body, *csv;
    long long *ids[] = {&w->tane, &w->ana, &w->ben, &w->kim};
    static const char *const emails[] = {"tane@example.org", "ana@example.org",
                                         "ben@example.org", "kim@example.org"};
    size_t len, i;
    json_t *doc;
    long status;

    if (test_site_start(&w->site, "part.db", NULL) < 0)
        return -1;
    W = w;
    *state = w;
    w->circle = test_site_circle(&w->site, circle_json, NULL);
    if (!w->circle ||
        test_site_plan(&w->site, w->circle, people_csv, w->weeks, 2) < 0)
        return -1;
    for (i = 0; i < 4; i++)
        if (!(*ids[i] = test_site_person(&w->site, w->circle, emails[i])))
            return -1;
    /* week 1 from the Zoom report */
    csv = test_read_file(FIXTURES "zoom_summary.csv", &len);
    path =
        test_circle_path(w->circle, "/sessions/%lld/attendance", w->weeks[0]);
    doc = test_call_json_ex(&status, NULL, w->site.d.port, w->site.token, NULL,
                            "POST", path, csv, len, "text/csv");
    json_decref(doc);
    free(csv);
    free(path);
    if (status != 200)
        return -1;
    /* week 2 ticked by hand: Tāne and Ben */
    path =
        test_circle_path(w->circle, "/sessions/%lld/attendance", w->weeks[1]);
    body = mg_xasprintf("{\"present\": [%lld, %lld]}", w->tane, w->ben);
    json_decref(call(&status, "POST", path, body, "application/json"));
    free(body);
    free(path);
    if (status != 200)
        return -1;
    path = test_circle_path(w->circle, "/plenaries");
    doc = call(&status, "POST", path,
               "{\"title\":\"Kick-off\",\"start\":\"2027-04-01T19:00\","
               "\"minutes\":90,\"weeks\":2,\"capacity\":10}",
               NULL);
    free(path);
    if (status != 201)
        return -1;
    w->plenary = json_integer_value(json_object_get(doc, "id"));
    json_decref(doc);
    path = test_circle_path(w->circle, "/plenaries/%lld/registrations",
                            w->plenary);
    for (i = 1; i < 4; i += 2) {
        body = mg_xasprintf("{\"participant_id\":%lld}", *ids[i]);
        json_decref(call(&status, "POST", path, body, NULL));
        free(body);
        if (status != 200)
            return -1;
    }
    free(path);
    path = test_circle_path(w->circle, "/plenaries/%lld/weeks/2/attendance",
                            w->plenary);
    json_decref(call(&status, "POST", path, plenary_zoom, "text/csv"));
    free(path);
    return status == 200 ? 0 : -1;
}

static int teardown_world(void **state)
{
    struct world *w = *state;

    if (!w)
        return 0;
    test_site_stop(&w->site, SIGTERM);
    free(w);
    return 0;
}

static struct mg_store *open_store(void)
{
    struct mg_store *st = NULL;
    struct mg_error err;

    assert_int_equal(mg_store_open(&st, W->site.db, NULL, &err), 0);
    return st;
}

static const struct mg_participation *find(const struct mg_participation *p,
                                           size_t n, long long id)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (p[i].person_id == id)
            return &p[i];
    fail_msg("person %lld missing", id);
    return NULL;
}

static void test_everyone(void **state)
{
    struct mg_store *st = open_store();
    struct mg_participation *all = NULL;
    const struct mg_participation *p;
    size_t n = 0;

    (void)state;
    assert_int_equal(mg_participation_load(&all, &n, st, W->circle, 0), 0);
    assert_int_equal(n, 4);

    /* Tāne: 70 minutes in week 1's report, counted 60 (the call's
     * length); week 2 ticked, 60: two group calls, 120 minutes */
    p = find(all, n, W->tane);
    assert_string_equal(p->name, "Tāne Mahuta");
    assert_true(p->facilitator);
    assert_int_equal(p->group_calls, 2);
    assert_int_equal(p->plenary_calls, 0);
    assert_int_equal(p->minutes, 120);
    assert_int_equal(p->calls[0].reported, 70);
    assert_int_equal(p->calls[0].minutes, 60);
    /* a call ticked by hand is recorded for its whole length */
    assert_int_equal(p->calls[1].reported, 60);
    assert_int_equal(p->calls[1].minutes, 60);
    assert_int_equal(p->first_at, WEEK1);
    assert_int_equal(p->last_at, WEEK2 + 3600);
    assert_string_not_equal(p->group_name, "");

    /* Ana: 30 + 33 = 63 in week 1, counted 60; the plenary's second call
     * 95, counted 90 (its length), at its own instant after the change
     * of offset: 150 minutes */
    p = find(all, n, W->ana);
    assert_false(p->facilitator);
    assert_int_equal(p->group_calls, 1);
    assert_int_equal(p->plenary_calls, 1);
    assert_int_equal(p->n_calls, 2);
    assert_int_equal(p->calls[0].minutes, 60);
    assert_int_equal(p->calls[0].reported, 63);
    assert_true(p->calls[1].plenary);
    assert_int_equal(p->calls[1].week, 2);
    assert_int_equal(p->calls[1].starts_at, PLENARY2);
    assert_int_equal(p->calls[1].minutes, 90);
    assert_string_equal(p->calls[1].title, "Kick-off");
    assert_int_equal(p->minutes, 150);
    assert_int_equal(p->last_at, PLENARY2 + 90 * 60);

    /* Ben: 60 in the report ("Lee, Ben" by name), and week 2: 120 */
    p = find(all, n, W->ben);
    assert_int_equal(p->group_calls, 2);
    assert_int_equal(p->minutes, 120);

    /* Kim: absent from both group calls, 40 minutes of the plenary */
    p = find(all, n, W->kim);
    assert_int_equal(p->group_calls, 0);
    assert_int_equal(p->plenary_calls, 1);
    assert_int_equal(p->minutes, 40);
    assert_int_equal(p->first_at, PLENARY2);
    mg_participation_free(all, n);
    mg_store_close(st);
}

static void test_one_person(void **state)
{
    struct mg_store *st = open_store();
    struct mg_participation *one = NULL;
    size_t n = 0;

    (void)state;
    assert_int_equal(mg_participation_load(&one, &n, st, W->circle, W->ana), 0);
    assert_int_equal(n, 1);
    assert_int_equal(one[0].person_id, W->ana);
    assert_int_equal(one[0].minutes, 150);
    mg_participation_free(one, n);
    /* someone not in the circle, and a circle that does not exist */
    assert_int_equal(
        mg_participation_load(&one, &n, st, W->circle, W->kim + 1000),
        MG_ENOTFOUND);
    assert_int_equal(mg_participation_load(&one, &n, st, W->circle + 99, 0),
                     MG_ENOTFOUND);
    mg_store_close(st);
}

static void test_minutes_rule(void **state)
{
    (void)state;
    assert_int_equal(mg_participation_minutes(0, 60), 60);
    assert_int_equal(mg_participation_minutes(45, 60), 45);
    assert_int_equal(mg_participation_minutes(61, 60), 60);
    assert_int_equal(mg_participation_minutes(-3, 30), 30);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minutes_rule),
        cmocka_unit_test(test_everyone),
        cmocka_unit_test(test_one_person),
    };
    return cmocka_run_group_tests(tests, setup_world, teardown_world);
}
