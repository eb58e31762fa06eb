/*
 * test_report_api.c: the success report against a real `mingle serve`:
 * a circle of four people in one group with a target of 3, Zoom reports
 * for weeks 1 and 2 and a few answers written straight into the rsvps
 * table; the JSON figures (worked out by hand below), the CSV and
 * Markdown forms, the tokens that may and may not read it, the CLI, and
 * the dashboard's two charts.
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
#include <sqlite3.h>

#include "support.h"

#define FIXTURES MINGLE_TESTS_DIR "/fixtures/attendance/"

static const char circle_json[] =
    "{\"title\":\"Report | circle\",\"time_zone\":\"Pacific/Auckland\","
    "\"start_date\":\"2027-03-22\",\"weeks\":4,\"group_size\":{\"min\":2,"
    "\"max\":8},\"slots\":[{\"weekday\":\"tuesday\",\"start\":\"19:30\","
    "\"minutes\":60}],\"organizer\":{\"name\":\"Coordinators\",\"email\":"
    "\"circles@example.org\"},\"attendance_target\":3}";

/*
 * Week 1 (zoom_summary.csv): Tāne, Ana and Ben came, Kim did not.
 * Week 2 (zoom_plain.csv): only Ana ("Kim (Kimberly Lee)" matches no one).
 */
static const char people_csv[] = "name,email,role,sector,region\n"
                                 "Tāne Mahuta,tane@example.org,facilitator,"
                                 "public,Wellington\n"
                                 "Ana Cole,ana@example.org,,academic,Auckland\n"
                                 "Ben Lee,ben@example.org,,public,Otago\n"
                                 "Kim Park,kim@example.org,,school,Auckland\n";

struct world {
    struct test_site site;
    long long circle, session[2];
    long long ana, ben, kim;
};

static struct world *W;

static json_t *call(long *status, const char *method, const char *path,
                    const char *body, size_t len, const char *ctype)
{
    return test_call_json_ex(status, NULL, W->site.d.port, W->site.token, NULL,
                             method, path, body, len, ctype);
}

static int import(long long session, const char *fixture)
{
    char *file = mg_xasprintf("%s%s", FIXTURES, fixture);
    size_t len;
    char *csv = test_read_file(file, &len);
    char *path = mg_xasprintf("/api/v1/circles/%lld/sessions/%lld/attendance",
                              W->circle, session);
    long status = 0;

    if (csv)
        json_decref(call(&status, "POST", path, csv, len, "text/csv"));
    free(csv);
    free(path);
    free(file);
    return status == 200 ? 0 : -1;
}

/* Answers straight into the table: the RSVP API is not ours to use yet. */
static int answer(sqlite3 *db, long long session, long long who,
                  const char *status)
{
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v2(db,
                                "INSERT INTO rsvps (session_id, "
                                "participant_id, status, source, updated_at) "
                                "VALUES (?, ?, ?, 'test', 0)",
                                -1, &stmt, NULL);

    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(stmt, 1, session);
        sqlite3_bind_int64(stmt, 2, who);
        sqlite3_bind_text(stmt, 3, status, -1, SQLITE_STATIC);
        rc = sqlite3_step(stmt) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    }
    sqlite3_finalize(stmt);
    return rc == SQLITE_OK ? 0 : -1;
}

static int setup_world(void **state)
{
    struct world *w = mg_xcalloc(1, sizeof(*w));
    const struct test_site_opts opts = {.maildir = 1};
    sqlite3 *db = NULL;
    int rc;

    if (test_site_start(&w->site, "report.db", &opts) < 0)
        return -1;
    W = w;
    *state = w;
    w->circle = test_site_circle(&w->site, circle_json, NULL);
    if (!w->circle)
        return -1;
    if (test_site_plan(&w->site, w->circle, people_csv, w->session, 2) < 0)
        return -1;
    w->ana = test_site_person(&w->site, w->circle, "ana@example.org");
    w->ben = test_site_person(&w->site, w->circle, "ben@example.org");
    w->kim = test_site_person(&w->site, w->circle, "kim@example.org");
    if (import(w->session[0], "zoom_summary.csv") < 0 ||
        import(w->session[1], "zoom_plain.csv") < 0)
        return -1;
    if (sqlite3_open(w->site.db, &db) != SQLITE_OK)
        return -1;
    sqlite3_busy_timeout(db, 5000);
    rc = answer(db, w->session[0], w->ana, "accepted");
    if (rc == 0)
        rc = answer(db, w->session[0], w->ben, "declined");
    if (rc == 0)
        rc = answer(db, w->session[0], w->kim, "tentative");
    if (rc == 0)
        rc = answer(db, w->session[1], w->ana, "accepted");
    if (rc == 0)
        rc = answer(db, w->session[1], w->kim, "needs-action");
    sqlite3_close(db);
    return rc;
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

static char *get(long *status, char **headers, const char *query,
                 const char *token)
{
    struct test_response resp;
    char *path = mg_xasprintf("/api/v1/circles/%lld/report%s", W->circle,
                              query ? query : "");
    char *body;

    assert_int_equal(
        test_http(&resp, W->site.d.port, "GET", path, token, NULL, NULL), 0);
    free(path);
    *status = resp.status;
    body = resp.body;
    resp.body = NULL;
    if (headers) {
        *headers = resp.headers;
        resp.headers = NULL;
    }
    test_response_release(&resp);
    return body;
}

static json_int_t num(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);

    if (!json_is_integer(v))
        fail_msg("'%s' is not an integer", key);
    return json_integer_value(v);
}

static void test_json(void **state)
{
    long status;
    char *body = get(&status, NULL, NULL, W->site.token);
    json_t *doc = json_loads(body, 0, NULL), *c, *g, *s, *w, *list;
    size_t i;

    (void)state;
    assert_int_equal(status, 200);
    assert_non_null(doc);
    c = json_object_get(doc, "circle");
    /* 4 weekly sessions, 2 recorded: 3 + 1 present, average 2.0 < 3 */
    assert_int_equal(num(c, "sessions"), 4);
    assert_int_equal(num(c, "sessions_recorded"), 2);
    assert_int_equal(num(c, "invited"), 4);
    assert_int_equal(num(c, "accepted"), 2);
    assert_int_equal(num(c, "declined"), 1);
    assert_int_equal(num(c, "tentative"), 1);
    assert_int_equal(num(c, "attended"), 4);
    assert_true(json_real_value(json_object_get(c, "average_attended")) == 2.0);
    assert_int_equal(num(c, "target"), 3);
    assert_true(json_is_false(json_object_get(c, "target_met")));
    /* Tāne, Ana and Ben came; only Ana came twice */
    assert_int_equal(num(c, "attendees"), 3);
    assert_int_equal(num(c, "came_back"), 1);
    list = json_object_get(c, "sectors");
    assert_int_equal(json_array_size(list), 2);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(list, 0), "name")),
        "public");
    assert_int_equal(num(json_array_get(list, 0), "people"), 2);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(list, 1), "name")),
        "academic");
    list = json_object_get(c, "regions");
    assert_int_equal(json_array_size(list), 3); /* Kim's Auckland: Ana's */
    for (i = 0; i < 3; i++)
        assert_int_equal(num(json_array_get(list, i), "people"), 1);

    list = json_object_get(doc, "groups");
    assert_int_equal(json_array_size(list), 1);
    g = json_array_get(list, 0);
    assert_int_equal(num(g, "attended"), 4);
    assert_int_equal(num(g, "invited"), 4);

    list = json_object_get(doc, "sessions");
    assert_int_equal(json_array_size(list), 4);
    s = json_array_get(list, 0);
    assert_int_equal(num(s, "id"), W->session[0]);
    assert_int_equal(num(s, "week"), 1);
    assert_int_equal(num(s, "invited"), 4);
    assert_int_equal(num(s, "accepted"), 1);
    assert_int_equal(num(s, "declined"), 1);
    assert_int_equal(num(s, "tentative"), 1);
    assert_int_equal(num(s, "attended"), 3);
    assert_true(json_is_true(json_object_get(s, "recorded")));
    s = json_array_get(list, 1);
    assert_int_equal(num(s, "attended"), 1);
    assert_int_equal(num(s, "accepted"), 1);
    s = json_array_get(list, 2);
    assert_true(json_is_null(json_object_get(s, "attended")));
    assert_true(json_is_false(json_object_get(s, "recorded")));

    w = json_object_get(doc, "retention");
    assert_int_equal(num(w, "cohort"), 3);
    list = json_object_get(w, "weeks");
    assert_int_equal(json_array_size(list), 4);
    assert_int_equal(num(json_array_get(list, 0), "retained"), 3);
    assert_int_equal(num(json_array_get(list, 1), "retained"), 1);
    assert_int_equal(num(json_array_get(list, 1), "attended"), 1);
    assert_int_equal(num(json_array_get(list, 2), "retained"), 0);
    json_decref(doc);
    free(body);
}

static void test_csv_and_markdown(void **state)
{
    long status;
    char *headers = NULL;
    char *body = get(&status, &headers, "?format=csv", W->site.token);
    char *row;
    const char *p;
    int lines = 0;

    (void)state;
    assert_int_equal(status, 200);
    assert_non_null(strcasestr(headers, "Content-Type: text/csv"));
    assert_non_null(strstr(body, "session_id,group_id,group,week,"
                                 "starts_at_utc,status,invited,accepted,"
                                 "declined,tentative,attended,recorded,"
                                 "target,kind,plenary_id,waitlisted\r\n"));
    for (p = body; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 5); /* header and four sessions */
    row = mg_xasprintf("\r\n%lld,", W->session[0]);
    assert_non_null(strstr(body, row));
    assert_non_null(
        strstr(strstr(body, row), ",confirmed,4,1,1,1,3,yes,3,group,,\r\n"));
    free(row);
    free(body);
    free(headers);

    body = get(&status, &headers, "?format=markdown", W->site.token);
    assert_int_equal(status, 200);
    assert_non_null(strcasestr(headers, "Content-Type: text/markdown"));
    assert_non_null(strstr(body, "# Success report: Report \\| circle\n"));
    assert_non_null(strstr(body, "| Target per session | 3 (not met) |"));
    assert_non_null(strstr(body, "| Came back (2+ calls) | 1 |"));
    free(body);
    free(headers);

    body = get(&status, NULL, "?format=pdf", W->site.token);
    assert_int_equal(status, 400);
    free(body);
}

static void test_tokens(void **state)
{
    char *circle = mg_xasprintf("%lld", W->circle);
    const char *mine[] = {"token",   "create",      "--db",     W->site.db,
                          "--role",  "coordinator", "--circle", circle,
                          "--label", "mine",        NULL};
    char *facilitator = test_site_token(&W->site, "participant", W->circle, 0);
    char *scoped = NULL, *body, *path;
    long status;
    size_t n;

    (void)state;
    body = get(&status, NULL, NULL, NULL);
    assert_int_equal(status, 401);
    free(body);
    body = get(&status, NULL, NULL, "mgt_nonsense");
    assert_int_equal(status, 401);
    free(body);
    /* the report is a coordinator's: a participant's token may not read
     * it, even the circle's own */
    body = get(&status, NULL, NULL, facilitator);
    assert_int_equal(status, 403);
    free(body);
    /* the circle's own coordinator may */
    assert_int_equal(test_run_cli(&scoped, NULL, mine, NULL), 0);
    n = strlen(scoped);
    while (n && scoped[n - 1] == '\n')
        scoped[--n] = '\0';
    body = get(&status, NULL, "?format=csv", scoped);
    assert_int_equal(status, 200);
    free(body);
    /* an unknown circle */
    path = mg_xasprintf("/api/v1/circles/%lld/report", W->circle + 1000);
    json_decref(call(&status, "GET", path, NULL, 0, NULL));
    assert_int_equal(status, 404);
    free(path);
    free(scoped);
    free(facilitator);
    free(circle);
}

static void test_cli(void **state)
{
    char *circle = mg_xasprintf("%lld", W->circle);
    const char *md[] = {"report",   "--circle", circle,     "--format",
                        "markdown", "--db",     W->site.db, NULL};
    const char *js[] = {"report", "--circle", circle, "--db", W->site.db, NULL};
    const char *bad[] = {"report", "--circle", circle,     "--format",
                         "xml",    "--db",     W->site.db, NULL};
    const char *none[] = {"report", "--circle", "99999",
                          "--db",   W->site.db, NULL};
    char *out = NULL, *err = NULL;
    json_t *doc;

    (void)state;
    assert_int_equal(test_run_cli(&out, NULL, md, NULL), 0);
    assert_non_null(strstr(out, "| Average per session | 2.0 |"));
    free(out);
    assert_int_equal(test_run_cli(&out, NULL, js, NULL), 0);
    doc = json_loads(out, 0, NULL);
    assert_non_null(doc);
    assert_int_equal(num(json_object_get(doc, "circle"), "attended"), 4);
    json_decref(doc);
    free(out);
    assert_int_equal(test_run_cli(&out, &err, bad, NULL), 2);
    free(out);
    free(err);
    assert_int_equal(test_run_cli(&out, &err, none, NULL), 1);
    assert_non_null(strstr(err, "no circle 99999"));
    free(out);
    free(err);
    free(circle);
}

/* The dashboard's circle page shows both charts and the key figures. */
static void test_dashboard(void **state)
{
    struct test_response resp;
    char *cookie = NULL, *path, *line;
    const char *extra[2] = {NULL, NULL};

    (void)state;
    assert_int_equal(
        test_site_dashboard_login(&W->site, W->site.token, &cookie, NULL, NULL),
        303);
    assert_non_null(cookie);
    line = mg_xasprintf("Cookie: %s", cookie);
    extra[0] = line;
    path = mg_xasprintf("/dashboard/circles/%lld", W->circle);
    assert_int_equal(test_http_ex(&resp, W->site.d.port, "GET", path, NULL,
                                  extra, NULL, 0, NULL),
                     0);
    assert_int_equal(resp.status, 200);
    assert_non_null(strstr(resp.body, "How the circle is going"));
    assert_non_null(strstr(resp.body, "<title id=\"attendance-chart-t\">"));
    assert_non_null(strstr(resp.body, "<title id=\"retention-chart-t\">"));
    /* the numbers in words for screen readers */
    assert_non_null(strstr(resp.body, "Week 1: 3.0 people per call"));
    assert_non_null(strstr(resp.body, "Week 2: 1 of the 3"));
    assert_non_null(strstr(resp.body, "data-ref=\"target\" data-value=\"3\""));
    test_response_release(&resp);
    free(path);

    /* a circle with nothing recorded still draws its page */
    {
        long long id = test_site_circle(&W->site, circle_json, NULL);
        assert_true(id > 0); /* 201 */
        path = mg_xasprintf("/dashboard/circles/%lld", id);
    }
    assert_int_equal(test_http_ex(&resp, W->site.d.port, "GET", path, NULL,
                                  extra, NULL, 0, NULL),
                     0);
    assert_int_equal(resp.status, 200);
    assert_non_null(strstr(resp.body, "No attendance recorded yet"));
    assert_null(strstr(resp.body, "attendance-chart-t"));
    test_response_release(&resp);
    free(path);
    free(line);
    free(cookie);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_csv_and_markdown),
        cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_cli),
        cmocka_unit_test(test_dashboard),
    };

    return cmocka_run_group_tests(tests, setup_world, teardown_world);
}
