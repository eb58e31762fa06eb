/*
 * test_api.c: the circles API over HTTP against a real `mingle serve` on
 * a free port: create, get, list, replace, patch and delete, and every
 * error path (auth, bad JSON, bad fields, body over the cap, unknown
 * paths and methods).
 */
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

#include "support.h"

#define BODY_LIMIT 65536

static const char good_circle[] =
    "{\"title\":\"Atlas of New Librarianship\",\"slug\":\"atlas\","
    "\"time_zone\":\"Pacific/Auckland\",\"start_date\":\"2027-03-02\","
    "\"weeks\":4,\"slots\":[{\"weekday\":\"tuesday\",\"start\":\"19:30\","
    "\"minutes\":60}],\"group_size\":{\"min\":6,\"max\":8},"
    "\"video_url\":\"https://meet.example.org/atlas\","
    "\"organizer\":{\"name\":\"Coordinators\",\"email\":\"c@example.org\"}}";

/* A circle the setup makes for a participant's token. */
static const char other_circle[] =
    "{\"title\":\"Another circle\",\"time_zone\":\"UTC\","
    "\"start_date\":\"2027-03-02\",\"weeks\":4,\"slots\":[{\"weekday\":"
    "\"tuesday\",\"start\":\"19:30\",\"minutes\":60}],"
    "\"organizer\":{\"name\":\"C\",\"email\":\"c@example.org\"}}";

struct world {
    struct test_site site;
    char *facilitator;
};

static struct world *W;

static int setup_world(void **state)
{
    static const char *const extra[] = {"--body-limit", "64K", NULL};
    const struct test_site_opts opts = {.extra = extra};
    struct world *w = mg_xcalloc(1, sizeof(*w));
    long long circle;

    if (test_site_start(&w->site, "api.db", &opts) < 0)
        return -1;
    /* A circle, and a token of it that is not a coordinator's. */
    circle = test_site_circle(&w->site, other_circle, NULL);
    if (!circle)
        return -1;
    w->facilitator = test_site_token(&w->site, "participant", circle, 0);
    if (!w->facilitator)
        return -1;
    W = w;
    *state = w;
    return 0;
}

static int teardown_world(void **state)
{
    struct world *w = *state;

    test_site_stop(&w->site, SIGTERM);
    free(w->facilitator);
    free(w);
    return 0;
}

/* Send a request as the coordinator (or with `token`); parse the body. */
static json_t *call(long *status, const char *method, const char *path,
                    const char *token, const char *body)
{
    return test_call_json(status, W->site.d.port, token, method, path, body,
                          NULL);
}

/* Expect a JSON error with `code` (and `field` if not NULL). */
static void expect_error(json_t *doc, const char *code, const char *field)
{
    json_t *err;

    assert_non_null(doc);
    err = json_object_get(doc, "error");
    assert_non_null(err);
    assert_string_equal(json_string_value(json_object_get(err, "code")), code);
    assert_true(json_string_length(json_object_get(err, "message")) > 0);
    if (field)
        assert_string_equal(json_string_value(json_object_get(err, "field")),
                            field);
    json_decref(doc);
}

static int64_t create_circle(const char *body)
{
    long long id = test_site_circle(&W->site, body, NULL);

    assert_true(id > 0); /* 201 */
    return id;
}

/* good_circle with one member replaced: key "k" set to raw JSON "v". */
static char *circle_with(const char *key, const char *raw)
{
    json_t *doc = json_loads(good_circle, 0, NULL);
    json_t *v = raw ? json_loads(raw, JSON_DECODE_ANY, NULL) : NULL;
    char *out;

    json_object_del(doc, "slug");
    if (v)
        json_object_set_new(doc, key, v);
    else
        json_object_del(doc, key);
    out = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return out;
}

static void test_healthz_needs_no_token(void **state)
{
    long status;
    json_t *doc = call(&status, "GET", "/healthz", NULL, NULL);

    (void)state;
    assert_int_equal(status, 200);
    assert_string_equal(json_string_value(json_object_get(doc, "status")),
                        "ok");
    json_decref(doc);
}

/*
 * Issue #17 item 14: the README's /healthz example showed schema 7 long
 * after the schema had moved on. It must be what /healthz answers now
 * (schema and version), so a migration that forgets the README fails.
 */
static void test_readme_healthz_example(void **state)
{
    static const char mark[] = "**`GET /healthz`**: `";
    size_t len = 0;
    char *readme = test_read_file(MINGLE_SOURCE_DIR "/README.md", &len);
    char *start, *end;
    json_t *example, *live;
    json_error_t jerr;
    long status;

    (void)state;
    assert_non_null(readme);
    start = strstr(readme, mark);
    assert_non_null(start);
    start += strlen(mark);
    end = strchr(start, '`');
    assert_non_null(end);
    *end = '\0';
    example = json_loads(start, 0, &jerr);
    if (!example)
        fail_msg("README's /healthz example is not JSON: %s", start);
    live = call(&status, "GET", "/healthz", NULL, NULL);
    assert_int_equal(status, 200);
    assert_true(json_integer_value(json_object_get(live, "schema")) > 7);
    if (!json_equal(example, live)) {
        char *a = json_dumps(example, JSON_SORT_KEYS | JSON_COMPACT),
             *b = json_dumps(live, JSON_SORT_KEYS | JSON_COMPACT);

        fail_msg("README shows %s for /healthz; it answers %s", a, b);
    }
    json_decref(example);
    json_decref(live);
    free(readme);
}

static void test_auth_errors(void **state)
{
    struct test_response resp;
    long status;
    char wrong[128];

    (void)state;
    assert_int_equal(test_http(&resp, W->site.d.port, "GET", "/api/v1/circles",
                               NULL, NULL, NULL),
                     0);
    assert_int_equal(resp.status, 401);
    assert_non_null(strstr(resp.headers, "WWW-Authenticate: Bearer"));
    expect_error(json_loads(resp.body, 0, NULL), "unauthorized", NULL);
    test_response_release(&resp);

    /* Right shape, right id, wrong secret. */
    snprintf(wrong, sizeof(wrong), "%s", W->site.token);
    wrong[strlen(wrong) - 1] = wrong[strlen(wrong) - 1] == '0' ? '1' : '0';
    expect_error(call(&status, "GET", "/api/v1/circles", wrong, NULL),
                 "unauthorized", NULL);
    assert_int_equal(status, 401);
    expect_error(call(&status, "GET", "/api/v1/circles", "not-a-token", NULL),
                 "unauthorized", NULL);
    assert_int_equal(status, 401);
    /* A facilitator may not create circles or list them all. */
    expect_error(
        call(&status, "POST", "/api/v1/circles", W->facilitator, good_circle),
        "forbidden", NULL);
    assert_int_equal(status, 403);
    expect_error(call(&status, "GET", "/api/v1/circles", W->facilitator, NULL),
                 "forbidden", NULL);
    assert_int_equal(status, 403);
}

static void test_revoked_token(void **state)
{
    char *token = test_make_token(W->site.db, "coordinator");
    const char *argv[] = {"token", "revoke", "--db", W->site.db, NULL, NULL};
    char id[17];
    char *out = NULL;
    long status;
    json_t *doc;

    (void)state;
    assert_non_null(token);
    doc = call(&status, "GET", "/api/v1/circles", token, NULL);
    assert_int_equal(status, 200);
    json_decref(doc);
    memcpy(id, token + 4, 16);
    id[16] = '\0';
    /* The list says when the token was last used: a time, not "-". */
    {
        const char *list[] = {"token", "list", "--db", W->site.db, NULL};
        char *line, *p;
        int year;

        assert_int_equal(test_run_cli(&out, NULL, list, NULL), 0);
        assert_non_null(strstr(out, "LAST USED"));
        line = strstr(out, id);
        assert_non_null(line);
        line[strcspn(line, "\n")] = '\0';
        /* ID ROLE CIRCLE CREATED LAST-USED REVOKED LABEL */
        p = line;
        for (int field = 0; field < 4; field++) {
            p += strcspn(p, " ");
            p += strspn(p, " ");
        }
        assert_int_equal(sscanf(p, "%4d-", &year), 1);
        assert_true(year >= 2026);
        free(out);
    }
    argv[4] = id;
    assert_int_equal(test_run_cli(&out, NULL, argv, NULL), 0);
    free(out);
    expect_error(call(&status, "GET", "/api/v1/circles", token, NULL),
                 "unauthorized", NULL);
    assert_int_equal(status, 401);
    free(token);
}

static void test_create_get_list(void **state)
{
    struct test_response resp;
    json_t *doc, *slot;
    long status;
    int64_t id;
    char path[64], location[80];

    (void)state;
    assert_int_equal(test_http(&resp, W->site.d.port, "POST", "/api/v1/circles",
                               W->site.token, good_circle, NULL),
                     0);
    assert_int_equal(resp.status, 201);
    doc = json_loads(resp.body, 0, NULL);
    id = json_integer_value(json_object_get(doc, "id"));
    assert_true(id > 0);
    snprintf(location, sizeof(location), "Location: /api/v1/circles/%lld",
             (long long)id);
    assert_non_null(strstr(resp.headers, location));
    test_response_release(&resp);
    json_decref(doc);

    snprintf(path, sizeof(path), "/api/v1/circles/%lld", (long long)id);
    doc = call(&status, "GET", path, W->site.token, NULL);
    assert_int_equal(status, 200);
    assert_string_equal(json_string_value(json_object_get(doc, "title")),
                        "Atlas of New Librarianship");
    assert_string_equal(json_string_value(json_object_get(doc, "time_zone")),
                        "Pacific/Auckland");
    assert_string_equal(json_string_value(json_object_get(doc, "start_date")),
                        "2027-03-02");
    assert_int_equal(json_integer_value(json_object_get(doc, "weeks")), 4);
    slot = json_array_get(json_object_get(doc, "slots"), 0);
    assert_string_equal(json_string_value(json_object_get(slot, "weekday")),
                        "tuesday");
    assert_string_equal(json_string_value(json_object_get(slot, "start")),
                        "19:30");
    assert_int_equal(json_integer_value(json_object_get(slot, "minutes")), 60);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(doc, "group_size"), "max")),
                     8);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(doc, "organizer"), "email")),
                        "c@example.org");
    json_decref(doc);

    doc = call(&status, "GET", "/api/v1/circles", W->site.token, NULL);
    assert_int_equal(status, 200);
    assert_true(json_array_size(json_object_get(doc, "circles")) >= 1);
    json_decref(doc);

    /* A second circle with the same slug is a conflict. */
    expect_error(
        call(&status, "POST", "/api/v1/circles", W->site.token, good_circle),
        "conflict", "slug");
    assert_int_equal(status, 409);
}

/*
 * Issue 16 item 1: a circle's answers carry `warnings`; a slot whose time
 * a daylight-saving change skips on a call date is named there (Auckland,
 * Sundays 02:30 from 2027-09-19: 2027-09-26 skips 02:00-03:00), and a
 * PATCH to an evening time clears it.
 */
static void test_circle_warnings(void **state)
{
    char *body = circle_with(
        "slots",
        "[{\"weekday\":\"sunday\",\"start\":\"02:30\",\"minutes\":60}]");
    char *at = strstr(body, "2027-03-02");
    json_t *doc, *w;
    long status;
    char path[64];
    int64_t id;

    (void)state;
    memcpy(at, "2027-09-19", 10);
    doc = call(&status, "POST", "/api/v1/circles", W->site.token, body);
    free(body);
    assert_int_equal(status, 201);
    w = json_object_get(doc, "warnings");
    assert_true(json_is_array(w));
    assert_int_equal(json_array_size(w), 1);
    assert_non_null(
        strstr(json_string_value(json_array_get(w, 0)), "week 2 (2027-09-26)"));
    id = json_integer_value(json_object_get(doc, "id"));
    json_decref(doc);
    snprintf(path, sizeof(path), "/api/v1/circles/%lld", (long long)id);
    doc = call(&status, "GET", path, W->site.token, NULL);
    assert_int_equal(status, 200);
    assert_int_equal(json_array_size(json_object_get(doc, "warnings")), 1);
    json_decref(doc);
    doc = call(&status, "PATCH", path, W->site.token,
               "{\"slots\":[{\"weekday\":\"sunday\",\"start\":\"19:30\","
               "\"minutes\":60}]}");
    assert_int_equal(status, 200);
    w = json_object_get(doc, "warnings");
    assert_true(json_is_array(w));
    assert_int_equal(json_array_size(w), 0);
    json_decref(doc);
}

static void test_list_pages(void **state)
{
    json_t *doc;
    long status;
    int64_t a, b, next;
    char *body = circle_with("title", "\"paged\"");
    char path[96];

    (void)state;
    a = create_circle(body);
    b = create_circle(body);
    free(body);
    snprintf(path, sizeof(path), "/api/v1/circles?after=%lld&limit=1",
             (long long)(a - 1));
    doc = call(&status, "GET", path, W->site.token, NULL);
    assert_int_equal(status, 200);
    assert_int_equal(json_array_size(json_object_get(doc, "circles")), 1);
    assert_int_equal(
        json_integer_value(json_object_get(
            json_array_get(json_object_get(doc, "circles"), 0), "id")),
        a);
    next = json_integer_value(json_object_get(doc, "next_after"));
    assert_int_equal(next, a);
    json_decref(doc);
    snprintf(path, sizeof(path), "/api/v1/circles?after=%lld&limit=1",
             (long long)next);
    doc = call(&status, "GET", path, W->site.token, NULL);
    assert_int_equal(
        json_integer_value(json_object_get(
            json_array_get(json_object_get(doc, "circles"), 0), "id")),
        b);
    json_decref(doc);
    expect_error(
        call(&status, "GET", "/api/v1/circles?limit=0", W->site.token, NULL),
        "invalid", "limit");
    assert_int_equal(status, 400);
    expect_error(
        call(&status, "GET", "/api/v1/circles?after=x", W->site.token, NULL),
        "invalid", "after");
    assert_int_equal(status, 400);
}

static void test_bad_json(void **state)
{
    struct test_response resp;
    long status;

    (void)state;
    expect_error(
        call(&status, "POST", "/api/v1/circles", W->site.token, "{\"title\": "),
        "bad_json", NULL);
    assert_int_equal(status, 400);
    expect_error(
        call(&status, "POST", "/api/v1/circles", W->site.token, "[1,2]"),
        "bad_json", NULL);
    assert_int_equal(status, 400);
    expect_error(call(&status, "POST", "/api/v1/circles", W->site.token,
                      "{\"title\":\"a\",\"title\":\"b\"}"),
                 "bad_json", NULL);
    assert_int_equal(status, 400);
    expect_error(call(&status, "POST", "/api/v1/circles", W->site.token, ""),
                 "bad_json", NULL);
    assert_int_equal(status, 400);
    assert_int_equal(test_http(&resp, W->site.d.port, "POST", "/api/v1/circles",
                               W->site.token, "title=x",
                               "application/x-www-form-urlencoded"),
                     0);
    assert_int_equal(resp.status, 415);
    expect_error(json_loads(resp.body, 0, NULL), "unsupported_media_type",
                 NULL);
    test_response_release(&resp);
}

/* Each bad field gives 422 naming the field, and nothing is stored. */
static void test_invalid_fields(void **state)
{
    static const struct {
        const char *key;
        const char *raw; /* NULL: leave the key out */
        const char *field;
    } cases[] = {
        {"time_zone", "\"Mars/Olympus\"", "time_zone"},
        {"time_zone", "\"../../etc/passwd\"", "time_zone"},
        {"time_zone", NULL, "time_zone"},
        {"start_date", "\"2027-02-30\"", "start_date"},
        {"start_date", "\"next tuesday\"", "start_date"},
        {"start_date", "\"2027-13-01\"", "start_date"},
        {"start_date", "20270302", "start_date"},
        {"weeks", "0", "weeks"},
        {"weeks", "-3", "weeks"},
        {"weeks", "\"4\"", "weeks"},
        {"weeks", "105", "weeks"},
        {"group_size", "{\"min\":9,\"max\":8}", "group_size"},
        {"group_size", "{\"min\":0,\"max\":8}", "group_size"},
        {"group_size", "[6,8]", "group_size"},
        {"title", NULL, "title"},
        {"title", "\"\"", "title"},
        {"title", "\"evil\\r\\nBcc: x@example.org\"", "title"},
        {"slots", "[]", "slots"},
        {"slots",
         "[{\"weekday\":\"funday\",\"start\":\"19:30\",\"minutes\":60}]",
         "slots"},
        {"slots", "[{\"weekday\":2,\"start\":\"25:00\",\"minutes\":60}]",
         "slots"},
        {"slots", "[{\"weekday\":2,\"start\":\"19:30\",\"minutes\":1}]",
         "slots"},
        {"video_url", "\"javascript:alert(1)\"", "video_url"},
        {"organizer", "{\"email\":\"not an email\"}", "organizer.email"},
        {"titel", "\"typo\"", "titel"},
        {"attendance_target", "100001", "attendance_target"},
        {"attendance_target", "-2", "attendance_target"},
        {"attendance_target", "\"6\"", "attendance_target"},
        {"language", "\"EN\"", "language"},
        {"language", "\"../../etc\"", "language"},
        {"language", "\"zz\"", "language"}, /* no catalog installed */
        {"language", "7", "language"},
    };
    size_t i;
    long status;
    json_t *doc;
    size_t before, after;

    (void)state;
    doc =
        call(&status, "GET", "/api/v1/circles?limit=500", W->site.token, NULL);
    before = json_array_size(json_object_get(doc, "circles"));
    json_decref(doc);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *body = circle_with(cases[i].key, cases[i].raw);
        doc = call(&status, "POST", "/api/v1/circles", W->site.token, body);
        if (status != 422)
            fail_msg("case %zu (%s): status %ld", i, cases[i].key, status);
        expect_error(doc, "invalid", cases[i].field);
        free(body);
    }
    doc =
        call(&status, "GET", "/api/v1/circles?limit=500", W->site.token, NULL);
    after = json_array_size(json_object_get(doc, "circles"));
    json_decref(doc);
    assert_int_equal(before, after);
}

static void test_patch_put_delete(void **state)
{
    char *body = circle_with("title", "\"to edit\"");
    int64_t id = create_circle(body);
    char path[64];
    long status;
    json_t *doc;

    (void)state;
    free(body);
    snprintf(path, sizeof(path), "/api/v1/circles/%lld", (long long)id);
    doc = call(&status, "PATCH", path, W->site.token,
               "{\"title\":\"edited\",\"video_url\":null}");
    assert_int_equal(status, 200);
    assert_string_equal(json_string_value(json_object_get(doc, "title")),
                        "edited");
    assert_true(json_is_null(json_object_get(doc, "video_url")));
    assert_int_equal(json_integer_value(json_object_get(doc, "weeks")), 4);
    json_decref(doc);

    /* A bad patch changes nothing. */
    expect_error(call(&status, "PATCH", path, W->site.token, "{\"weeks\":0}"),
                 "invalid", "weeks");
    assert_int_equal(status, 422);
    doc = call(&status, "GET", path, W->site.token, NULL);
    assert_int_equal(json_integer_value(json_object_get(doc, "weeks")), 4);
    assert_string_equal(json_string_value(json_object_get(doc, "title")),
                        "edited");
    json_decref(doc);

    /* PUT replaces the whole circle: missing fields are errors. */
    expect_error(call(&status, "PUT", path, W->site.token,
                      "{\"title\":\"only a title\"}"),
                 "invalid", "time_zone");
    assert_int_equal(status, 422);
    body = circle_with("weeks", "6");
    doc = call(&status, "PUT", path, W->site.token, body);
    free(body);
    assert_int_equal(status, 200);
    assert_int_equal(json_integer_value(json_object_get(doc, "weeks")), 6);
    json_decref(doc);

    /* The attendance target: null when unset, set by PATCH, kept by a
     * later PATCH of something else, cleared by null. */
    doc = call(&status, "GET", path, W->site.token, NULL);
    assert_true(json_is_null(json_object_get(doc, "attendance_target")));
    json_decref(doc);
    doc = call(&status, "PATCH", path, W->site.token,
               "{\"attendance_target\":6}");
    assert_int_equal(status, 200);
    assert_int_equal(
        json_integer_value(json_object_get(doc, "attendance_target")), 6);
    json_decref(doc);
    json_decref(call(&status, "PATCH", path, W->site.token, "{\"weeks\":5}"));
    doc = call(&status, "GET", path, W->site.token, NULL);
    assert_int_equal(
        json_integer_value(json_object_get(doc, "attendance_target")), 6);
    json_decref(doc);
    doc = call(&status, "PATCH", path, W->site.token,
               "{\"attendance_target\":null}");
    assert_int_equal(status, 200);
    assert_true(json_is_null(json_object_get(doc, "attendance_target")));
    json_decref(doc);
    body = circle_with("attendance_target", "12");
    doc = call(&status, "PUT", path, W->site.token, body);
    free(body);
    assert_int_equal(status, 200);
    assert_int_equal(
        json_integer_value(json_object_get(doc, "attendance_target")), 12);
    /* The language: English unless said, set and kept by PATCH, and a
     * language with no catalog is refused without changing it. */
    assert_string_equal(json_string_value(json_object_get(doc, "language")),
                        "en");
    json_decref(doc);
    doc = call(&status, "PATCH", path, W->site.token, "{\"language\":\"en\"}");
    assert_int_equal(status, 200);
    assert_string_equal(json_string_value(json_object_get(doc, "language")),
                        "en");
    json_decref(doc);
    expect_error(
        call(&status, "PATCH", path, W->site.token, "{\"language\":\"fr\"}"),
        "invalid", "language");
    assert_int_equal(status, 422);
    doc = call(&status, "GET", path, W->site.token, NULL);
    assert_string_equal(json_string_value(json_object_get(doc, "language")),
                        "en");
    json_decref(doc);

    doc = call(&status, "DELETE", path, W->site.token, NULL);
    assert_int_equal(status, 204);
    assert_null(doc);
    expect_error(call(&status, "GET", path, W->site.token, NULL), "not_found",
                 NULL);
    assert_int_equal(status, 404);
    expect_error(call(&status, "DELETE", path, W->site.token, NULL),
                 "not_found", NULL);
    assert_int_equal(status, 404);
    expect_error(call(&status, "PATCH", path, W->site.token, "{}"), "not_found",
                 NULL);
    assert_int_equal(status, 404);
}

static void test_unknown_paths_and_methods(void **state)
{
    struct test_response resp;
    long status;

    (void)state;
    expect_error(
        call(&status, "GET", "/api/v1/circles/abc", W->site.token, NULL),
        "not_found", NULL);
    assert_int_equal(status, 404);
    expect_error(call(&status, "GET", "/api/v1/nothing", W->site.token, NULL),
                 "not_found", NULL);
    assert_int_equal(status, 404);
    assert_int_equal(test_http(&resp, W->site.d.port, "DELETE",
                               "/api/v1/circles", W->site.token, NULL, NULL),
                     0);
    assert_int_equal(resp.status, 405);
    assert_non_null(strstr(resp.headers, "Allow: GET, POST"));
    test_response_release(&resp);
}

static void test_body_over_cap(void **state)
{
    struct mg_buf big = MG_BUF_INIT;
    long status;
    int i;

    (void)state;
    /* Announced with Content-Length: refused before it is read. */
    mg_buf_puts(&big, "{\"title\":\"");
    for (i = 0; i < BODY_LIMIT; i++)
        mg_buf_add(&big, "x", 1);
    mg_buf_puts(&big, "\"}");
    expect_error(
        call(&status, "POST", "/api/v1/circles", W->site.token, big.data),
        "too_large", NULL);
    assert_int_equal(status, 413);
    mg_buf_release(&big);
}

/* Chunked bodies have no length up front: mingle counts as it reads. */
static void test_chunked_body_over_cap(void **state)
{
    int fd = test_connect(W->site.d.port);
    char *head = mg_xasprintf("POST /api/v1/circles HTTP/1.1\r\n"
                              "Host: localhost\r\n"
                              "Authorization: Bearer %s\r\n"
                              "Content-Type: application/json\r\n"
                              "Transfer-Encoding: chunked\r\n"
                              "Connection: close\r\n\r\n",
                              W->site.token);
    char chunk[4096 + 16];
    char reply[512];
    ssize_t n;
    int i;

    (void)state;
    assert_true(fd >= 0);
    assert_int_equal(write(fd, head, strlen(head)), (ssize_t)strlen(head));
    memset(chunk, ' ', sizeof(chunk));
    memcpy(chunk, "1000\r\n", 6);
    memcpy(chunk + 6 + 4096, "\r\n", 2);
    for (i = 0; i < (BODY_LIMIT / 4096) + 4; i++)
        assert_int_equal(write(fd, chunk, 6 + 4096 + 2), 6 + 4096 + 2);
    assert_int_equal(write(fd, "0\r\n\r\n", 5), 5);
    n = read(fd, reply, sizeof(reply) - 1);
    assert_true(n > 12);
    reply[n] = '\0';
    assert_memory_equal(reply, "HTTP/1.1 413", 12);
    close(fd);
    free(head);
}

static void test_metrics_and_logs(void **state)
{
    struct test_response resp;
    char *log;
    const char *secret;

    (void)state;
    assert_int_equal(
        test_http(&resp, W->site.d.port, "GET", "/metrics", NULL, NULL, NULL),
        0);
    assert_int_equal(resp.status, 200);
    assert_non_null(strstr(resp.headers, "Content-Type: text/plain"));
    assert_non_null(strstr(resp.body, "mingle_http_requests_total{route=\""
                                      "/api/v1/circles\",status=\"201\"}"));
    assert_non_null(strstr(resp.body,
                           "mingle_http_requests_total{route=\""
                           "/api/v1/circles/{id}\",status=\"404\"}"));
    assert_non_null(strstr(resp.body,
                           "mingle_http_request_duration_seconds_bucket{route="
                           "\"/api/v1/circles\",le=\"+Inf\"}"));
    assert_non_null(strstr(resp.body, "mingle_db_errors_total 0"));
    test_response_release(&resp);

    /* Requests are logged one per line, and no token secret is. */
    log = test_daemon_log(&W->site.d);
    assert_non_null(strstr(log, "msg=request method=POST "
                                "route=/api/v1/circles status=201"));
    secret = W->site.token + 4 + 16 + 1;
    assert_null(strstr(log, secret));
    free(log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_healthz_needs_no_token),
        cmocka_unit_test(test_readme_healthz_example),
        cmocka_unit_test(test_auth_errors),
        cmocka_unit_test(test_revoked_token),
        cmocka_unit_test(test_create_get_list),
        cmocka_unit_test(test_list_pages),
        cmocka_unit_test(test_circle_warnings),
        cmocka_unit_test(test_bad_json),
        cmocka_unit_test(test_invalid_fields),
        cmocka_unit_test(test_patch_put_delete),
        cmocka_unit_test(test_unknown_paths_and_methods),
        cmocka_unit_test(test_body_over_cap),
        cmocka_unit_test(test_chunked_body_over_cap),
        cmocka_unit_test(test_metrics_and_logs),
    };

    return cmocka_run_group_tests(tests, setup_world, teardown_world);
}
