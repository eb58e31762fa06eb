/*
 * test_query_args.c: every list of the API reads its numeric query
 * arguments (limit, offset, after, week, due_before...) the same way: a
 * whole number in range is taken; anything else (a sign, a space, a
 * fraction, letters, a number past 64 bits, out of range) is a 400 whose
 * JSON error names the argument, and a good value is answered 200.
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

#include "support.h"

static const char circle_json[] =
    "{\"title\":\"Query circle\",\"time_zone\":\"Pacific/Auckland\","
    "\"start_date\":\"2027-03-22\",\"weeks\":4,\"group_size\":{\"min\":2,"
    "\"max\":8},\"slots\":[{\"weekday\":\"tuesday\",\"start\":\"19:30\","
    "\"minutes\":60}],\"organizer\":{\"name\":\"Coordinators\",\"email\":"
    "\"circles@example.org\"}}";

static struct test_site site;
static long long circle;

/* A list and one of its numeric arguments with a value in range. */
struct arg_case {
    const char *path; /* %lld: the circle */
    const char *name;
    const char *good;
};

static const struct arg_case cases[] = {
    {"/api/v1/circles", "limit", "10"},
    {"/api/v1/circles", "after", "0"},
    {"/api/v1/circles/%lld/participants", "limit", "1000"},
    {"/api/v1/circles/%lld/participants", "after", "5"},
    {"/api/v1/circles/%lld/move-requests", "limit", "1"},
    {"/api/v1/circles/%lld/move-requests", "after", "0"},
    {"/api/v1/circles/%lld/groups", "limit", "2"},
    {"/api/v1/circles/%lld/groups", "offset", "0"},
    {"/api/v1/circles/%lld/notes", "week", "2"},
    {"/api/v1/circles/%lld/notes", "limit", "3"},
    {"/api/v1/circles/%lld/jobs", "limit", "1000"},
    {"/api/v1/circles/%lld/jobs", "due_before", "1800000000"},
    {"/api/v1/audit", "limit", "1"},
    {"/api/v1/audit", "circle", "%lld"},
};

static const char *const bad_values[] = {
    "+5",      "%205", "5%20", "1.5", "ten", "", "-1", "99999999999999999999",
    "1000001",
};

static int setup(void **state)
{
    (void)state;
    if (test_site_start(&site, "args.db", NULL) < 0)
        return -1;
    circle = test_site_circle(&site, circle_json, NULL);
    return circle ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    test_site_stop(&site, SIGTERM);
    return 0;
}

/* `s` with its "%lld" (if any) made the circle's id. */
static char *with_circle(const char *s)
{
    const char *at = strstr(s, "%lld");

    if (!at)
        return mg_xstrdup(s);
    return mg_xasprintf("%.*s%lld%s", (int)(at - s), s, circle, at + 4);
}

static json_t *get(long *status, const char *path, const char *name,
                   const char *value)
{
    char *base = with_circle(path);
    char *v = with_circle(value);
    char *full = mg_xasprintf("%s?%s=%s", base, name, v);
    json_t *doc = test_site_call(&site, status, "GET", full, NULL, NULL);

    free(base);
    free(v);
    free(full);
    return doc;
}

static void test_bad_values_name_the_argument(void **state)
{
    size_t i, j;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        for (j = 0; j < sizeof(bad_values) / sizeof(bad_values[0]); j++) {
            long status = 0;
            json_t *doc, *err;

            /* -1 and 1000001 are in range for none of these but "after" */
            if (strcmp(bad_values[j], "1000001") == 0 &&
                strcmp(cases[i].name, "limit") != 0)
                continue;
            doc = get(&status, cases[i].path, cases[i].name, bad_values[j]);
            if (status != 400)
                fail_msg("%s?%s=%s: %ld", cases[i].path, cases[i].name,
                         bad_values[j], status);
            err = json_object_get(doc, "error");
            assert_string_equal(
                json_string_value(json_object_get(err, "field")),
                cases[i].name);
            assert_non_null(
                strstr(json_string_value(json_object_get(err, "message")),
                       "whole number"));
            json_decref(doc);
        }
    }
}

static void test_good_values_are_taken(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        long status = 0;
        json_t *doc = get(&status, cases[i].path, cases[i].name, cases[i].good);

        if (status != 200)
            fail_msg("%s?%s=%s: %ld", cases[i].path, cases[i].name,
                     cases[i].good, status);
        json_decref(doc);
    }
}

/* Plenary lists check their paging before looking the plenary up, and
 * name the argument that is wrong (an offset was once reported as
 * 'limit'). */
static void test_plenary_paging(void **state)
{
    static const char *const paths[] = {"/api/v1/circles/%lld/plenaries/1",
                                        "/api/v1/circles/%lld/plenaries/1/"
                                        "rsvps"};
    size_t i;

    (void)state;
    for (i = 0; i < 2; i++) {
        long status = 0;
        json_t *doc = get(&status, paths[i], "offset", "-3");

        assert_int_equal(status, 400);
        assert_string_equal(json_string_value(json_object_get(
                                json_object_get(doc, "error"), "field")),
                            "offset");
        json_decref(doc);
        doc = get(&status, paths[i], "limit", "0");
        assert_int_equal(status, 400);
        json_decref(doc);
        doc = get(&status, paths[i], "limit", "5");
        assert_int_equal(status, 404); /* no plenary 1 */
        json_decref(doc);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_values_name_the_argument),
        cmocka_unit_test(test_good_values_are_taken),
        cmocka_unit_test(test_plenary_paging),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
