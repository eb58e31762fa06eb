/*
 * test_notes_api.c: reading notes back through a real `mingle serve`.
 * The circle and its people go in through the API; groups and notes are
 * written straight into the same SQLite file (WAL lets both in), as
 * filing would. Then every notes endpoint is exercised with a
 * coordinator token, a circle's token and none, with bad arguments, and
 * the group's Atom feed at its secret URL; last, `mingle notes`.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "mingle/store.h"
#include "support.h"

#define ATOM_NS "http://www.w3.org/2005/Atom"
#define RAW "From: Tane <tane@example.org>\r\nSubject: Week one\r\n\r\nhi\r\n"

static const char circle_json[] =
    "{\"title\":\"Notes circle\",\"time_zone\":\"Pacific/Auckland\","
    "\"start_date\":\"2030-03-04\",\"weeks\":2,\"group_size\":{\"min\":1,"
    "\"max\":8},\"slots\":[{\"weekday\":\"tuesday\",\"start\":\"19:30\","
    "\"minutes\":60}],\"organizer\":{\"name\":\"Coordinators\",\"email\":"
    "\"circles@example.org\"}}";

static const char other_json[] =
    "{\"title\":\"Other circle\",\"time_zone\":\"UTC\",\"start_date\":"
    "\"2030-03-04\",\"weeks\":3,\"slots\":[{\"weekday\":\"monday\","
    "\"start\":\"12:00\",\"minutes\":30}]}";

struct world {
    struct test_site site;
    char *circle_token;
    struct mg_store *st;
    long long circle, other, g1, g2, other_group;
    long long sum1, note1, review1, lost, spam;
};

static struct world *W;

static json_t *call_as(long *status, const char *token, const char *method,
                       const char *path, const char *body)
{
    return test_call_json(status, W->site.d.port, token, method, path, body,
                          NULL);
}

static json_t *call(long *status, const char *method, const char *path,
                    const char *body)
{
    return call_as(status, W->site.token, method, path, body);
}

/* A request whose answer is an error `code` (naming `field`, if given). */
static void expect_error(const char *token, const char *method,
                         const char *path, const char *body, long want,
                         const char *code, const char *field)
{
    long status;
    json_t *doc = call_as(&status, token, method, path, body), *err;

    if (status != want)
        fail_msg("%s %s: %ld, not %ld", method, path, status, want);
    assert_non_null(doc);
    err = json_object_get(doc, "error");
    assert_string_equal(json_string_value(json_object_get(err, "code")), code);
    if (field)
        assert_string_equal(json_string_value(json_object_get(err, "field")),
                            field);
    json_decref(doc);
}

static long long add_note(long long circle, long long group, int week,
                          const char *kind, const char *status,
                          long long participant, const char *from_name,
                          const char *from_email, const char *subject,
                          const char *body, const char *message_id, int raw)
{
    struct mg_note n;
    struct mg_note_attachment att;
    int64_t id = 0;
    int dup = -1;

    memset(&n, 0, sizeof(n));
    memset(&att, 0, sizeof(att));
    n.circle_id = circle;
    n.group_id = group;
    n.week = week;
    n.participant_id = participant;
    snprintf(n.kind, sizeof(n.kind), "%s", kind);
    assert_int_equal(mg_store_note_status_parse(&n.status, status), 0);
    n.provider = (char *)"mime";
    n.event_id = (char *)message_id;
    n.message_id = (char *)message_id;
    n.from_name = (char *)from_name;
    n.from_email = (char *)from_email;
    n.subject = (char *)subject;
    n.body = (char *)body;
    n.full_text = (char *)body;
    if (strcmp(status, "review") == 0)
        n.review_reason = (char *)"sender not in the group";
    if (raw) {
        n.raw = (char *)RAW;
        n.raw_len = strlen(RAW);
        att.name = (char *)"slides.pdf";
        att.type = (char *)"application/pdf";
        att.size = 5;
        att.content = (char *)"%PDF-";
        n.attachments = &att;
        n.n_attachments = 1;
    }
    n.sent_at = 1898926200; /* 2030-03-05 20:30 in Auckland */
    n.received_at = n.sent_at + 60;
    assert_int_equal(mg_store_note_insert(&id, &dup, W->st, &n), 0);
    assert_int_equal(dup, 0);
    return id;
}

/* Two groups in `circle` with `who` in the first; ids in g[0], g[1]. */
static void make_groups(long long *g, int n, long long circle,
                        const int64_t *who, size_t n_who)
{
    struct mg_group_row rows[2];
    int index[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int i;

    memset(rows, 0, sizeof(rows));
    for (i = 0; i < n; i++) {
        rows[i].position = i + 1;
        rows[i].name = mg_xasprintf("Group %d", i + 1);
    }
    assert_int_equal(mg_store_groups_replace(W->st, circle, rows, (size_t)n,
                                             who, index, n_who),
                     0);
    for (i = 0; i < n; i++) {
        g[i] = rows[i].id;
        free(rows[i].name);
    }
}

static long long create_circle(const char *body)
{
    long long id = test_site_circle(&W->site, body, NULL);

    assert_true(id > 0); /* 201 */
    return id;
}

static int setup_world(void **state)
{
    struct world *w = mg_xcalloc(1, sizeof(*w));
    struct mg_store_options opt = {1, 5000};
    struct mg_error err = {{0}, {0}};
    struct mg_participant *people = NULL;
    struct mg_people_filter pf;
    char *path;
    long long gs[2];
    int64_t who[2];
    size_t n = 0;
    long status;
    json_t *doc;

    if (test_site_start(&w->site, "notes.db", NULL) < 0)
        return -1;
    W = w;
    w->circle = create_circle(circle_json);
    w->other = create_circle(other_json);
    path = test_circle_path(W->circle, "/participants");
    doc = call(&status, "POST", path,
               "[{\"name\":\"Tāne Mahuta\",\"email\":\"tane@example.org\","
               "\"role\":\"facilitator\"},{\"name\":\"Ana Cole\",\"email\":"
               "\"ana@example.org\"}]");
    assert_int_equal(status, 201);
    json_decref(doc);
    free(path);

    /* Groups and notes, as filing would write them. */
    assert_int_equal(mg_store_open(&w->st, w->site.db, &opt, &err), 0);
    memset(&pf, 0, sizeof(pf));
    assert_int_equal(
        mg_store_participants_list(&people, &n, w->st, w->circle, &pf), 0);
    assert_int_equal(n, 2);
    who[0] = people[0].id;
    who[1] = people[1].id;
    make_groups(gs, 2, w->circle, who, 2);
    w->g1 = gs[0];
    w->g2 = gs[1];
    /* Group one's facilitator's token (not a coordinator's). */
    w->circle_token =
        test_site_token(&w->site, "facilitator", w->circle, w->g1);
    assert_non_null(w->circle_token);
    make_groups(gs, 1, w->other, NULL, 0);
    w->other_group = gs[0];
    w->sum1 = add_note(w->circle, w->g1, 1, "summary", "published", who[0],
                       "Tane", "tane@example.org", "Week one summary",
                       "We read two chapters.", "sum1@x.org", 1);
    w->note1 = add_note(w->circle, w->g1, 1, "note", "published", 0,
                        "<script>alert(1)</script>", "eve@example.org",
                        "\"onerror=alert(2)", "# heading\n<b>bold</b>",
                        "note1@x.org", 0);
    add_note(w->circle, w->g2, 2, "summary", "published", 0, NULL,
             "carol@example.org", NULL, "Group two, week two.", "sum2@x.org",
             0);
    w->review1 = add_note(w->circle, w->g1, 1, "note", "review", 0, "Stranger",
                          "stranger@example.org", "Held back", "not yet",
                          "review1@x.org", 0);
    w->lost = add_note(0, 0, 0, "note", "review", 0, "Lost", "lost@x.org",
                       "Nowhere", "which group?", "lost@x.org", 0);
    w->spam = add_note(w->circle, 0, 0, "note", "review", 0, "Spam",
                       "spam@x.org", "Buy now", "cheap", "spam@x.org", 0);
    add_note(w->other, w->other_group, 1, "summary", "published", 0, "Olga",
             "olga@example.org", "Other circle", "elsewhere", "o1@x.org", 0);
    mg_participants_free(people, n);
    *state = w;
    return 0;
}

static int teardown_world(void **state)
{
    struct world *w = *state;
    char *log = test_daemon_log(&w->site.d);
    int rc = 0;

    mg_store_close(w->st);
    /* A clean exit: no sanitizer report, no leak. */
    if (test_site_stop(&w->site, SIGTERM) != 0) {
        fprintf(stderr, "the daemon did not exit cleanly:\n%s\n", log);
        rc = -1;
    }
    free(log);
    free(w->circle_token);
    free(w);
    return rc;
}

static json_t *notes_of(json_t *doc)
{
    json_t *notes = json_object_get(doc, "notes");

    assert_true(json_is_array(notes));
    return notes;
}

static void test_auth(void **state)
{
    char *path = test_circle_path(W->circle, "/notes"), *other;
    char *note = mg_xasprintf("/api/v1/notes/%lld", W->sum1);
    char *approve = mg_xasprintf("/api/v1/notes/%lld/approve", W->review1);
    char *feed = test_circle_path(W->circle, "/groups/%lld/notes-feed", W->g1);
    long status;
    json_t *doc;

    (void)state;
    expect_error(NULL, "GET", path, NULL, 401, "unauthorized", NULL);
    expect_error("mgt_0000000000000000_00000000000000000000000000000000", "GET",
                 path, NULL, 401, "unauthorized", NULL);
    /* Group one's facilitator reads group one's notes only... */
    doc = call_as(&status, W->circle_token, "GET", path, NULL);
    assert_int_equal(status, 200);
    assert_int_equal(json_array_size(notes_of(doc)), 2);
    json_decref(doc);
    free(path);
    path = test_circle_path(W->circle, "/notes?group=%lld", W->g2);
    expect_error(W->circle_token, "GET", path, NULL, 403, "forbidden", "group");
    free(path);
    /* ... and its review queue, there or in the circle's list. */
    path = test_circle_path(W->circle, "/notes?status=review");
    doc = call_as(&status, W->circle_token, "GET", path, NULL);
    assert_int_equal(status, 200);
    assert_int_equal(json_array_size(notes_of(doc)), 1);
    json_decref(doc);
    free(path);
    doc =
        call_as(&status, W->circle_token, "GET", "/api/v1/notes/review", NULL);
    assert_int_equal(status, 200);
    assert_int_equal(json_array_size(notes_of(doc)), 1);
    assert_int_equal(json_integer_value(json_object_get(
                         json_array_get(notes_of(doc), 0), "id")),
                     W->review1);
    json_decref(doc);
    other = mg_xasprintf("/api/v1/circles/%lld/notes", W->other);
    expect_error(W->circle_token, "GET", other, NULL, 403, "forbidden", NULL);
    free(other);
    other = mg_xasprintf("/api/v1/notes/review?circle=%lld", W->other);
    expect_error(W->circle_token, "GET", other, NULL, 403, "forbidden",
                 "circle");
    free(other);
    /* The digest (every group) and feeds are the coordinator's. */
    other = test_circle_path(W->circle, "/notes/digest");
    expect_error(W->circle_token, "GET", other, NULL, 403, "forbidden", NULL);
    free(other);
    expect_error(NULL, "GET", "/api/v1/notes/review", NULL, 401, "unauthorized",
                 NULL);
    /* A note of their group, yes; one that reached no group, no. */
    doc = call_as(&status, W->circle_token, "GET", note, NULL);
    assert_int_equal(status, 200);
    json_decref(doc);
    free(note);
    note = mg_xasprintf("/api/v1/notes/%lld", W->spam);
    expect_error(W->circle_token, "GET", note, NULL, 403, "forbidden", NULL);
    free(note);
    note = mg_xasprintf("/api/v1/notes/%lld/reject", W->spam);
    expect_error(W->circle_token, "POST", note, NULL, 403, "forbidden", NULL);
    /* Filing their group's note under another group is refused. */
    {
        char body[64];
        snprintf(body, sizeof(body), "{\"group\":%lld}", W->g2);
        expect_error(W->circle_token, "POST", approve, body, 403, "forbidden",
                     "group");
    }
    expect_error(NULL, "POST", approve, NULL, 401, "unauthorized", NULL);
    expect_error(W->circle_token, "POST", feed, NULL, 403, "forbidden", NULL);
    free(note);
    free(approve);
    free(feed);
}

static void test_list(void **state)
{
    char *path = test_circle_path(W->circle, "/notes");
    long status;
    json_t *doc, *first, *att;
    /* "G" in a query stands for group 1's id. */
    struct {
        const char *query;
        size_t count;
    } filters[] = {
        {"?group=G", 2},       {"?week=2", 1},
        {"?kind=summary", 2},  {"?kind=note", 1},
        {"?author=EVE", 1},    {"?author=Mahuta", 1},
        {"?status=review", 2}, {"?status=rejected", 0},
        {"?limit=1", 1},       {"?group=G&week=2&kind=note", 0},
        {"?thread=12345", 0},  {"?after=999999", 0},
    };
    size_t i;

    (void)state;
    doc = call(&status, "GET", path, NULL);
    assert_int_equal(status, 200);
    assert_int_equal(json_array_size(notes_of(doc)), 3);
    first = json_array_get(notes_of(doc), 0);
    assert_int_equal(json_integer_value(json_object_get(first, "id")), W->sum1);
    assert_string_equal(json_string_value(json_object_get(first, "kind")),
                        "summary");
    assert_string_equal(json_string_value(json_object_get(first, "status")),
                        "published");
    assert_string_equal(json_string_value(json_object_get(first, "author")),
                        "Tāne Mahuta");
    assert_string_equal(json_string_value(json_object_get(first, "from_email")),
                        "tane@example.org");
    assert_int_equal(json_integer_value(json_object_get(first, "group_id")),
                     W->g1);
    assert_int_equal(json_integer_value(json_object_get(first, "week")), 1);
    assert_null(json_object_get(first, "raw"));
    att = json_array_get(json_object_get(first, "attachments"), 0);
    assert_string_equal(json_string_value(json_object_get(att, "name")),
                        "slides.pdf");
    assert_string_equal(json_string_value(json_object_get(att, "type")),
                        "application/pdf");
    assert_int_equal(json_integer_value(json_object_get(att, "size")), 5);
    assert_null(json_object_get(att, "content"));
    assert_true(json_is_null(json_object_get(doc, "next_after")));
    json_decref(doc);
    free(path);

    for (i = 0; i < sizeof(filters) / sizeof(filters[0]); i++) {
        const char *g = strchr(filters[i].query, 'G');
        char *query =
            g ? mg_xasprintf("%.*s%lld%s", (int)(g - filters[i].query),
                             filters[i].query, W->g1, g + 1)
              : mg_xstrdup(filters[i].query);
        char *p = test_circle_path(W->circle, "/notes%s", query);

        doc = call(&status, "GET", p, NULL);
        assert_int_equal(status, 200);
        if (json_array_size(notes_of(doc)) != filters[i].count)
            fail_msg("%s: %zu notes, not %zu", query,
                     json_array_size(notes_of(doc)), filters[i].count);
        json_decref(doc);
        free(p);
        free(query);
    }
    path = test_circle_path(W->circle, "/notes?limit=1");
    doc = call(&status, "GET", path, NULL);
    assert_int_equal(json_integer_value(json_object_get(doc, "next_after")),
                     W->sum1);
    json_decref(doc);
    free(path);

    /* Bad arguments name themselves. */
    {
        static const char *const bad[][2] = {
            {"?group=abc", "group"},  {"?group=0", "group"},
            {"?week=0", "week"},      {"?week=3", "week"},
            {"?week=1x", "week"},     {"?thread=-1", "thread"},
            {"?kind=memo", "kind"},   {"?status=draft", "status"},
            {"?author=", "author"},   {"?limit=0", "limit"},
            {"?limit=5000", "limit"}, {"?after=-1", "after"},
        };
        for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            char *p = test_circle_path(W->circle, "/notes%s", bad[i][0]);
            expect_error(W->site.token, "GET", p, NULL, 400, "invalid",
                         bad[i][1]);
            free(p);
        }
    }
    expect_error(W->site.token, "GET", "/api/v1/circles/99999/notes", NULL, 404,
                 "not_found", NULL);
}

static char *get_text(long *status, char **headers, const char *token,
                      const char *path)
{
    struct test_response resp;
    char *body;

    assert_int_equal(
        test_http(&resp, W->site.d.port, "GET", path, token, NULL, NULL), 0);
    *status = resp.status;
    body = mg_xstrdup(resp.body);
    if (headers)
        *headers = mg_xstrdup(resp.headers);
    test_response_release(&resp);
    return body;
}

static void test_digest(void **state)
{
    char *path = test_circle_path(W->circle, "/notes/digest?week=1"), *body,
         *headers;
    long status;

    (void)state;
    body = get_text(&status, &headers, W->site.token, path);
    assert_int_equal(status, 200);
    assert_non_null(
        strcasestr(headers, "Content-Type: text/markdown; charset=utf-8"));
    assert_non_null(strstr(body, "# Notes circle: week 1\n"));
    assert_non_null(strstr(body, "**Tāne Mahuta**, 2030-03-05 20:30: Week one "
                                 "summary\n\nWe read two chapters.\n"));
    assert_non_null(strstr(body, "**&lt;script&gt;alert(1)&lt;/script&gt;**"));
    assert_non_null(strstr(body, "\\# heading  \n&lt;b&gt;bold&lt;/b&gt;\n"));
    assert_true(strstr(body, "Week one summary") <
                strstr(body, "&lt;script&gt;"));
    assert_null(strstr(body, "<script>"));
    assert_null(strstr(body, "Held back"));
    assert_null(strstr(body, "Group two, week two"));
    free(body);
    free(headers);
    free(path);

    /* HTML; every week so far. */
    path = test_circle_path(W->circle, "/notes/digest?format=html");
    body = get_text(&status, &headers, W->site.token, path);
    assert_int_equal(status, 200);
    assert_non_null(
        strcasestr(headers, "Content-Type: text/html; charset=utf-8"));
    assert_non_null(strstr(body, "<!DOCTYPE html>"));
    assert_non_null(strstr(body, "<meta charset=\"utf-8\">"));
    assert_null(strstr(body, "<script>"));
    assert_null(strstr(body, "<b>"));
    assert_non_null(strstr(body, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_non_null(strstr(body, "&quot;onerror=alert(2)"));
    assert_true(strstr(body, "<h2>Week 1") < strstr(body, "<h2>Week 2"));
    assert_true(strstr(body, "<h2>Week 2") <
                strstr(body, "Group two, week two."));
    free(body);
    free(headers);
    free(path);

    path = test_circle_path(W->circle, "/notes/digest?week=3");
    expect_error(W->site.token, "GET", path, NULL, 400, "invalid", "week");
    free(path);
    path = test_circle_path(W->circle, "/notes/digest?week=one");
    expect_error(W->site.token, "GET", path, NULL, 400, "invalid", "week");
    free(path);
    path = test_circle_path(W->circle, "/notes/digest?format=pdf");
    expect_error(W->site.token, "GET", path, NULL, 400, "invalid", "format");
    free(path);
    path = test_circle_path(W->circle, "/notes/digest");
    expect_error(NULL, "GET", path, NULL, 401, "unauthorized", NULL);
    free(path);
    expect_error(W->site.token, "GET", "/api/v1/circles/99999/notes/digest",
                 NULL, 404, "not_found", NULL);
}

static void test_review_and_note(void **state)
{
    char *path, *body, *headers;
    long status;
    json_t *doc;

    (void)state;
    doc = call(&status, "GET", "/api/v1/notes/review", NULL);
    assert_int_equal(status, 200);
    assert_int_equal(json_array_size(notes_of(doc)), 3);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(notes_of(doc), 0), "review_reason")),
                        "sender not in the group");
    json_decref(doc);
    path = mg_xasprintf("/api/v1/notes/review?circle=%lld", W->circle);
    doc = call(&status, "GET", path, NULL);
    assert_int_equal(json_array_size(notes_of(doc)), 2);
    json_decref(doc);
    free(path);
    doc = call(&status, "GET", "/api/v1/notes/review?circle=0", NULL);
    assert_int_equal(json_array_size(notes_of(doc)), 1);
    assert_true(json_is_null(
        json_object_get(json_array_get(notes_of(doc), 0), "circle_id")));
    json_decref(doc);
    expect_error(W->site.token, "GET", "/api/v1/notes/review?circle=x", NULL,
                 400, "invalid", "circle");
    expect_error(W->site.token, "GET", "/api/v1/notes/review?limit=-3", NULL,
                 400, "invalid", "limit");
    expect_error(W->site.token, "GET", "/api/v1/notes/review?circle=99999",
                 NULL, 404, "not_found", NULL);

    /* One note, in full; its raw message for audit. */
    path = mg_xasprintf("/api/v1/notes/%lld", W->sum1);
    doc = call(&status, "GET", path, NULL);
    assert_int_equal(status, 200);
    assert_string_equal(json_string_value(json_object_get(doc, "full_text")),
                        "We read two chapters.");
    assert_string_equal(json_string_value(json_object_get(doc, "message_id")),
                        "sum1@x.org");
    json_decref(doc);
    free(path);
    path = mg_xasprintf("/api/v1/notes/%lld?raw=1", W->sum1);
    body = get_text(&status, &headers, W->site.token, path);
    assert_int_equal(status, 200);
    assert_non_null(strcasestr(headers, "Content-Type: message/rfc822"));
    assert_string_equal(body, RAW);
    free(body);
    free(headers);
    free(path);
    path = mg_xasprintf("/api/v1/notes/%lld?raw=1", W->note1); /* none kept */
    expect_error(W->site.token, "GET", path, NULL, 404, "not_found", NULL);
    free(path);
    path = mg_xasprintf("/api/v1/notes/%lld?raw=yes", W->sum1);
    expect_error(W->site.token, "GET", path, NULL, 400, "invalid", "raw");
    free(path);
    expect_error(W->site.token, "GET", "/api/v1/notes/99999", NULL, 404,
                 "not_found", NULL);
}

static void test_decide(void **state)
{
    char *approve = mg_xasprintf("/api/v1/notes/%lld/approve", W->review1);
    char *reject = mg_xasprintf("/api/v1/notes/%lld/reject", W->review1);
    char *body;
    long status;
    json_t *doc;

    (void)state;
    doc = call(&status, "POST", approve, NULL);
    assert_int_equal(status, 200);
    assert_string_equal(json_string_value(json_object_get(doc, "status")),
                        "published");
    assert_true(json_integer_value(json_object_get(doc, "decided_at")) > 0);
    json_decref(doc);
    /* Decided: a second decision either way is a conflict. */
    expect_error(W->site.token, "POST", approve, NULL, 409, "conflict", NULL);
    expect_error(W->site.token, "POST", reject, NULL, 409, "conflict", NULL);
    free(approve);
    free(reject);
    approve = mg_xasprintf("/api/v1/notes/%lld/approve", W->sum1);
    expect_error(W->site.token, "POST", approve, NULL, 409, "conflict", NULL);
    free(approve);
    expect_error(W->site.token, "POST", "/api/v1/notes/99999/approve", NULL,
                 404, "not_found", NULL);
    expect_error(W->site.token, "POST", "/api/v1/notes/99999/reject", NULL, 404,
                 "not_found", NULL);

    /* A note that reached no circle needs a group; a real one. */
    approve = mg_xasprintf("/api/v1/notes/%lld/approve", W->lost);
    expect_error(W->site.token, "POST", approve, NULL, 422, "invalid", "group");
    expect_error(W->site.token, "POST", approve, "{\"group\":99999}", 422,
                 "invalid", "group");
    expect_error(W->site.token, "POST", approve, "{\"group\":\"one\"}", 422,
                 "invalid", "group");
    expect_error(W->site.token, "POST", approve, "{\"week\":0}", 422, "invalid",
                 "week");
    expect_error(W->site.token, "POST", approve, "{\"colour\":1}", 422,
                 "invalid", "colour");
    expect_error(W->site.token, "POST", approve, "{\"group\":", 400, "bad_json",
                 NULL);
    body = mg_xasprintf("{\"group\":%lld,\"week\":9}", W->g2);
    expect_error(W->site.token, "POST", approve, body, 422, "invalid", "week");
    free(body);
    body = mg_xasprintf("{\"group\":%lld,\"week\":2}", W->g2);
    doc = call(&status, "POST", approve, body);
    assert_int_equal(status, 200);
    assert_int_equal(json_integer_value(json_object_get(doc, "circle_id")),
                     W->circle);
    assert_int_equal(json_integer_value(json_object_get(doc, "group_id")),
                     W->g2);
    assert_int_equal(json_integer_value(json_object_get(doc, "week")), 2);
    json_decref(doc);
    free(body);
    free(approve);

    /* A note of this circle cannot be filed in another circle's group. */
    approve = mg_xasprintf("/api/v1/notes/%lld/approve", W->spam);
    body = mg_xasprintf("{\"group\":%lld}", W->other_group);
    expect_error(W->site.token, "POST", approve, body, 422, "invalid", "group");
    free(body);
    reject = mg_xasprintf("/api/v1/notes/%lld/reject", W->spam);
    doc = call(&status, "POST", reject, NULL);
    assert_int_equal(status, 200);
    assert_string_equal(json_string_value(json_object_get(doc, "status")),
                        "rejected");
    json_decref(doc);
    expect_error(W->site.token, "POST", approve, NULL, 409, "conflict", NULL);
    free(approve);
    free(reject);

    /* The queue is empty now, and the approved notes are published. */
    doc = call(&status, "GET", "/api/v1/notes/review", NULL);
    assert_int_equal(json_array_size(notes_of(doc)), 0);
    json_decref(doc);
    approve = test_circle_path(W->circle, "/notes?author=Stranger");
    doc = call(&status, "GET", approve, NULL);
    assert_int_equal(json_array_size(notes_of(doc)), 1);
    json_decref(doc);
    free(approve);
}

/* POST a group's notes feed; the path of its URL (free()). */
static char *notes_feed(long long circle, long long group)
{
    char *path = mg_xasprintf("/api/v1/circles/%lld/groups/%lld/notes-feed",
                              circle, group);
    char *prefix = mg_xasprintf("http://127.0.0.1:%d/notes/", W->site.d.port);
    long status;
    json_t *doc = call(&status, "POST", path, NULL);
    const char *url = json_string_value(json_object_get(doc, "url"));
    char *out;

    assert_int_equal(status, 201);
    assert_non_null(url);
    assert_int_equal(strncmp(url, prefix, strlen(prefix)), 0);
    assert_int_equal(strlen(url), strlen(prefix) + 48 + strlen(".atom"));
    out = mg_xstrdup(strstr(url, "/notes/"));
    json_decref(doc);
    free(path);
    free(prefix);
    return out;
}

static void test_atom_feed(void **state)
{
    char *feed = notes_feed(W->circle, W->g1), *again, *body, *headers;
    char *bad, *cal_path, *cal;
    xmlDocPtr doc;
    xmlXPathContextPtr ctx;
    xmlXPathObjectPtr o;
    long status;
    json_t *j;

    (void)state;
    /* No token needed: the URL is the secret. */
    body = get_text(&status, &headers, NULL, feed);
    assert_int_equal(status, 200);
    assert_non_null(strcasestr(
        headers, "Content-Type: application/atom+xml; charset=utf-8"));
    doc = xmlReadMemory(body, (int)strlen(body), NULL, NULL, XML_PARSE_NONET);
    assert_non_null(doc);
    ctx = xmlXPathNewContext(doc);
    xmlXPathRegisterNs(ctx, BAD_CAST "a", BAD_CAST ATOM_NS);
    o = xmlXPathEvalExpression(BAD_CAST "/a:feed/a:entry", ctx);
    assert_int_equal(o->nodesetval ? o->nodesetval->nodeNr : 0, 1);
    xmlXPathFreeObject(o);
    o = xmlXPathEvalExpression(BAD_CAST "string(/a:feed/a:entry/a:title)", ctx);
    assert_string_equal((const char *)o->stringval, "Week one summary");
    xmlXPathFreeObject(o);
    o = xmlXPathEvalExpression(BAD_CAST "string(/a:feed/a:entry/a:id)", ctx);
    assert_non_null(strstr((const char *)o->stringval, "tag:127.0.0.1,2026:"));
    xmlXPathFreeObject(o);
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    free(body);
    free(headers);

    /* A wrong secret, an unknown id, a calendar token: a plain 404. */
    bad = mg_xstrdup(feed);
    bad[strlen("/notes/") + 20] =
        bad[strlen("/notes/") + 20] == 'a' ? 'b' : 'a';
    body = get_text(&status, NULL, NULL, bad);
    assert_int_equal(status, 404);
    assert_null(strstr(body, "token"));
    free(body);
    bad[strlen("/notes/")] = bad[strlen("/notes/")] == 'a' ? 'b' : 'a';
    body = get_text(&status, NULL, NULL, bad);
    assert_int_equal(status, 404);
    free(body);
    free(bad);
    cal_path = test_circle_path(W->circle, "/groups/%lld/feed", W->g1);
    j = call(&status, "POST", cal_path, NULL);
    assert_int_equal(status, 201);
    cal = mg_xasprintf(
        "/notes/%.48s.atom",
        strstr(json_string_value(json_object_get(j, "url")), "/cal/") + 5);
    json_decref(j);
    body = get_text(&status, NULL, NULL, cal);
    assert_int_equal(status, 404);
    free(body);
    free(cal);
    free(cal_path);
    body = get_text(&status, NULL, NULL, "/notes/short.atom");
    assert_int_equal(status, 404);
    free(body);

    /* A new URL replaces the old one. */
    again = notes_feed(W->circle, W->g1);
    assert_string_not_equal(again, feed);
    body = get_text(&status, NULL, NULL, feed);
    assert_int_equal(status, 404);
    free(body);
    body = get_text(&status, NULL, NULL, again);
    assert_int_equal(status, 200);
    free(body);
    free(again);
    free(feed);

    /* Only the circle's own groups. */
    bad =
        test_circle_path(W->circle, "/groups/%lld/notes-feed", W->other_group);
    expect_error(W->site.token, "POST", bad, NULL, 404, "not_found", NULL);
    free(bad);
    expect_error(W->site.token, "POST",
                 "/api/v1/circles/99999/groups/1/notes-feed", NULL, 404,
                 "not_found", NULL);
}

static void test_cli(void **state)
{
    char circle[24], id[24];
    const char *digest[] = {"notes", "digest", "--db", W->site.db, "--circle",
                            circle,  "--week", "1",    NULL};
    const char *html[] = {"notes",    "digest", "--db",   W->site.db,
                          "--circle", circle,   "--html", NULL};
    const char *list[] = {"notes", "list",   "--db",    W->site.db, "--circle",
                          circle,  "--kind", "summary", NULL};
    const char *queue[] = {"notes",    "list",   "--db", W->site.db,
                           "--status", "review", NULL};
    const char *approve[] = {"notes", "approve", id, "--db", W->site.db, NULL};
    const char *reject[] = {"notes", "reject", id, "--db", W->site.db, NULL};
    const char *usage[] = {"notes", "list", "--db", W->site.db, NULL};
    const char *bad_week[] = {"notes", "digest", "--db", W->site.db, "--circle",
                              circle,  "--week", "7",    NULL};
    char *out = NULL, *err = NULL;
    long long fresh;

    (void)state;
    snprintf(circle, sizeof(circle), "%lld", W->circle);
    assert_int_equal(test_run_cli(&out, NULL, digest, NULL), 0);
    assert_non_null(strstr(out, "# Notes circle: week 1\n"));
    assert_non_null(strstr(out, "&lt;script&gt;"));
    assert_null(strstr(out, "<script>"));
    free(out);
    assert_int_equal(test_run_cli(&out, NULL, html, NULL), 0);
    assert_non_null(strstr(out, "<!DOCTYPE html>"));
    assert_null(strstr(out, "<script>"));
    free(out);
    assert_int_equal(test_run_cli(&out, NULL, list, NULL), 0);
    assert_non_null(strstr(out, "SUBJECT"));
    assert_non_null(strstr(out, "Week one summary"));
    assert_null(strstr(out, "onerror"));
    free(out);

    fresh = add_note(W->circle, W->g1, 2, "note", "review", 0, "Late",
                     "late@x.org", "Late \x1b[31mred", "late", "late@x.org", 0);
    assert_int_equal(test_run_cli(&out, NULL, queue, NULL), 0);
    assert_non_null(strstr(out, "Late ?[31mred"));
    assert_null(strstr(out, "\x1b"));
    free(out);
    snprintf(id, sizeof(id), "%lld", fresh);
    assert_int_equal(test_run_cli(&out, NULL, approve, NULL), 0);
    assert_non_null(strstr(out, "published"));
    free(out);
    assert_int_equal(test_run_cli(&out, &err, reject, NULL), 1);
    assert_non_null(strstr(err, "not in review"));
    free(out);
    free(err);
    snprintf(id, sizeof(id), "99999");
    assert_int_equal(test_run_cli(&out, &err, reject, NULL), 1);
    assert_non_null(strstr(err, "no note 99999"));
    free(out);
    free(err);
    assert_int_equal(test_run_cli(&out, &err, usage, NULL), 2);
    free(out);
    free(err);
    assert_int_equal(test_run_cli(&out, &err, bad_week, NULL), 1);
    assert_non_null(strstr(err, "'week' must be"));
    free(out);
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_auth),   cmocka_unit_test(test_list),
        cmocka_unit_test(test_digest), cmocka_unit_test(test_review_and_note),
        cmocka_unit_test(test_decide), cmocka_unit_test(test_atom_feed),
        cmocka_unit_test(test_cli),
    };
    int rc;

    mg_log_set_level(MG_LOG_ERROR);
    rc = cmocka_run_group_tests(tests, setup_world, teardown_world);
    xmlCleanupParser();
    return rc;
}
