/*
 * test_survey.c: issue 19, item 1, the evaluation survey, through the
 * real daemon on a clock file (MINGLE_CLOCK_FILE). A circle of five is
 * planned (four Tuesday calls in 2027, Pacific/Auckland); four of them
 * are recorded present at week 1's call through the attendance API.
 * The survey's settings are checked (each bad one a 422 naming its field,
 * changing nothing), it opens at a time set through the API, and the
 * scheduler mails the four who came once each (the fifth, who did not
 * come, nothing); a link with a bad mac is refused, a GET changes
 * nothing, an answer is saved, changed, refused after the close; the
 * anonymous answers are read in the store with sqlite3 for anything that
 * leads back to a person; the report's figures are set against the
 * answers given. A second circle, with no attendance recorded, takes
 * named answers from its active members.
 *
 * Every test here fails before the survey existed.
 */
#define _GNU_SOURCE
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
#include <sqlite3.h>

#include "mingle/core.h"
#include "mingle/export.h"
#include "mingle/store.h"
#include "support.h"

static const char circle_json[] =
    "{\"title\":\"Atlas\",\"slug\":\"atlas\",\"time_zone\":"
    "\"Pacific/Auckland\",\"start_date\":\"2027-03-22\",\"weeks\":4,"
    "\"group_size\":{\"min\":2,\"max\":8},\"slots\":[{\"weekday\":"
    "\"tuesday\",\"start\":\"19:30\",\"minutes\":60}],"
    "\"video_url\":\"https://meet.example.org/atlas\","
    "\"organizer\":{\"name\":\"Coordinators\",\"email\":"
    "\"circles@example.org\"}}";

static const char named_json[] =
    "{\"title\":\"Second\",\"slug\":\"second\",\"time_zone\":"
    "\"Pacific/Auckland\",\"start_date\":\"2027-03-22\",\"weeks\":2,"
    "\"group_size\":{\"min\":2,\"max\":8},\"slots\":[{\"weekday\":"
    "\"tuesday\",\"start\":\"19:30\",\"minutes\":60}],"
    "\"video_url\":\"https://meet.example.org/second\","
    "\"organizer\":{\"name\":\"Coordinators\",\"email\":"
    "\"circles@example.org\"}}";

static const char people_csv[] = "name,email,role\n"
                                 "Tane,tane@example.org,facilitator\n"
                                 "Ana,ana@example.org,\n"
                                 "Ben,ben@example.org,\n"
                                 "Cara,cara@example.org,\n"
                                 "Dan,dan@example.org,\n";

static const char named_csv[] = "name,email,role\n"
                                "Hine,hine@example.org,facilitator\n"
                                "Ira,ira@example.org,\n"
                                "Jo,jo@example.org,\n";

static const char book_md[] = "# Chapter One\n\nalpha beta gamma delta\n\n"
                              "# Chapter Two\n\nepsilon zeta eta theta\n\n"
                              "# Chapter Three\n\niota kappa lambda mu\n\n"
                              "# Chapter Four\n\nnu xi omicron pi\n";

#define FORM "application/x-www-form-urlencoded"
#define DAY (24 * 60 * 60)
/* 2027-03-01 00:00 UTC: before the first call */
#define T0 1803859200LL
/* opens_at in the circle's zone: 2027-03-02 13:00 NZDT = 00:00 UTC */
#define OPENS_LOCAL "2027-03-02T13:00"
#define OPENS_UTC (T0 + DAY)

struct world {
    struct test_site site;
    char *clock;
    long long circle, named;
    long long sessions[4];
    long long tane, ana, ben, cara, dan;
    sqlite3 *db;
    char *ana_link, *ben_link;
    char *ana_cookie; /* "mg_survey=<token>" after her first answer */
};

static struct world *W;

static void set_clock(long long t)
{
    FILE *f = fopen(W->clock, "w");

    assert_non_null(f);
    fprintf(f, "%lld\n", t);
    fclose(f);
}

static long long query_int(const char *sql)
{
    sqlite3_stmt *stmt = NULL;
    long long v = -1;

    assert_int_equal(sqlite3_prepare_v2(W->db, sql, -1, &stmt, NULL),
                     SQLITE_OK);
    if (sqlite3_step(stmt) == SQLITE_ROW)
        v = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return v;
}

static json_t *call(long *status, const char *method, const char *path,
                    const char *body)
{
    return test_site_call(&W->site, status, method, path, body, NULL);
}

static int setup_world(void **state)
{
    struct world *w = mg_xcalloc(1, sizeof(*w));
    char *env_clock;
    const char *env[2];
    struct test_site_opts opts;
    long status = 0;
    json_t *doc;
    char *path, *body;

    W = w;
    *state = w;
    if (test_site_init(&w->site, "survey.db") < 0)
        return -1;
    w->clock = mg_xasprintf("%s/clock", w->site.dir);
    set_clock(T0);
    env_clock = mg_xasprintf("MINGLE_CLOCK_FILE=%s", w->clock);
    env[0] = env_clock;
    env[1] = NULL;
    memset(&opts, 0, sizeof(opts));
    opts.env = env;
    if (test_site_serve(&w->site, &opts) < 0)
        return -1;
    free(env_clock);
    w->circle = test_site_circle(&w->site, circle_json, NULL);
    w->named = test_site_circle(&w->site, named_json, NULL);
    if (!w->circle || !w->named)
        return -1;
    path = test_circle_path(w->circle, "/book?name=book.md");
    doc = test_site_call(&w->site, &status, "POST", path, book_md,
                         "text/markdown");
    json_decref(doc);
    free(path);
    if (status != 201)
        return -1;
    if (test_site_plan(&w->site, w->circle, people_csv, w->sessions, 4) != 4)
        return -1;
    path = test_circle_path(w->named, "/book?name=book.md");
    doc = test_site_call(&w->site, &status, "POST", path, book_md,
                         "text/markdown");
    json_decref(doc);
    free(path);
    {
        long long weeks[2];

        if (test_site_plan(&w->site, w->named, named_csv, weeks, 2) != 2)
            return -1;
    }
    w->tane = test_site_person(&w->site, w->circle, "tane@example.org");
    w->ana = test_site_person(&w->site, w->circle, "ana@example.org");
    w->ben = test_site_person(&w->site, w->circle, "ben@example.org");
    w->cara = test_site_person(&w->site, w->circle, "cara@example.org");
    w->dan = test_site_person(&w->site, w->circle, "dan@example.org");
    /* four came to week 1's call; Dan did not */
    path = test_circle_path(w->circle, "/sessions/%lld/attendance",
                            w->sessions[0]);
    body = mg_xasprintf("{\"present\": [%lld, %lld, %lld, %lld]}", w->tane,
                        w->ana, w->ben, w->cara);
    doc = test_site_call(&w->site, &status, "POST", path, body, NULL);
    json_decref(doc);
    free(path);
    free(body);
    if (status < 200 || status > 299)
        return -1;
    if (sqlite3_open_v2(w->site.db, &w->db, SQLITE_OPEN_READWRITE, NULL) !=
        SQLITE_OK)
        return -1;
    sqlite3_busy_timeout(w->db, 5000);
    return 0;
}

static int teardown_world(void **state)
{
    struct world *w = *state;

    sqlite3_close(w->db);
    test_site_stop(&w->site, SIGTERM);
    free(w->clock);
    free(w->ana_link);
    free(w->ben_link);
    free(w->ana_cookie);
    free(w);
    return 0;
}

/* PUT the survey with `body`: the status, and the error's field (or
 * NULL) into field (n bytes). */
static long put_survey(long long circle, const char *body, char *field,
                       size_t n)
{
    char *path = test_circle_path(circle, "/survey");
    long status = 0;
    json_t *doc = call(&status, "PUT", path, body);
    const char *f = json_string_value(
        json_object_get(json_object_get(doc, "error"), "field"));

    snprintf(field, n, "%s", f ? f : "");
    json_decref(doc);
    free(path);
    return status;
}

static json_t *get_survey(long long circle)
{
    char *path = test_circle_path(circle, "/survey");
    long status = 0;
    json_t *doc = call(&status, "GET", path, NULL);

    assert_int_equal(status, 200);
    free(path);
    return doc;
}

/* Item 1: the default questions and times, and every bad setting a 422
 * naming its field that changes nothing. */
static void test_settings_validation(void **state)
{
    static const struct {
        const char *body, *field;
    } bad[] = {
        {"{\"bogus\": 1}", "bogus"},
        {"{\"anonymous\": \"yes\"}", "anonymous"},
        {"{\"opens_at\": \"tomorrow\"}", "opens_at"},
        {"{\"opens_at\": \"2027-05-01T10:00\", \"closes_at\": "
         "\"2027-04-01T10:00\"}",
         "closes_at"},
        {"{\"questions\": []}", "questions"},
        {"{\"questions\": [{\"id\": \"q\", \"kind\": \"single\", \"text\": "
         "\"Pick\", \"options\": [\"only one\"]}]}",
         "questions[0].options"},
        {"{\"questions\": [{\"id\": \"q\", \"kind\": \"scale\", \"text\": "
         "\"Ring\\u0007bell\"}]}",
         "questions[0].text"},
        {"{\"questions\": [{\"id\": \"q\", \"kind\": \"essay\", \"text\": "
         "\"Why\"}]}",
         "questions[0].kind"},
        {"{\"questions\": [{\"id\": \"q\", \"kind\": \"text\", \"text\": "
         "\"Why\", \"colour\": \"red\"}]}",
         "questions[0].colour"},
        {"{\"questions\": [{\"id\": \"q\", \"kind\": \"text\", \"text\": "
         "\"A\"}, {\"id\": \"q\", \"kind\": \"text\", \"text\": \"B\"}]}",
         "questions[1].id"},
        {"{\"questions\": [{\"id\": \"Q!\", \"kind\": \"text\", \"text\": "
         "\"A\"}]}",
         "questions[0].id"},
    };
    char field[64];
    json_t *doc = get_survey(W->circle), *qs;
    size_t i;
    (void)state;

    qs = json_object_get(doc, "questions");
    assert_int_equal(json_array_size(qs), 5);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(qs, 2), "kind")),
        "single");
    assert_int_equal(
        json_array_size(json_object_get(json_array_get(qs, 2), "options")), 3);
    assert_true(json_is_true(json_object_get(doc, "anonymous")));
    assert_string_equal(json_string_value(json_object_get(doc, "state")),
                        "not_open");
    /* by default it opens at the end of the last call: week 4, 2027-04-13
     * 19:30 + 60 minutes in Auckland, and closes two weeks later */
    assert_string_equal(json_string_value(json_object_get(doc, "opens")),
                        "2027-04-13T20:30");
    assert_string_equal(json_string_value(json_object_get(doc, "closes")),
                        "2027-04-27T20:30");
    assert_true(json_is_null(json_object_get(doc, "opens_at")));
    json_decref(doc);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        long status = put_survey(W->circle, bad[i].body, field, sizeof(field));

        if (status != 422 || strcmp(field, bad[i].field) != 0)
            fail_msg("'%s': %ld naming '%s', not 422 naming '%s'", bad[i].body,
                     status, field, bad[i].field);
    }
    /* nothing changed */
    doc = get_survey(W->circle);
    assert_true(json_is_true(json_object_get(doc, "questions_default")));
    assert_true(json_is_null(json_object_get(doc, "opens_at")));
    json_decref(doc);
    assert_int_equal(query_int("SELECT count(*) FROM survey_questions"), 0);
}

/* Item 1: the default opening follows the last call when it moves
 * earlier (a day earlier: the job with it) or is called off (the job
 * comes due at once; the round then finds week 3's end). */
static void test_opening_follows_last_call(void **state)
{
    char *path = test_circle_path(W->circle, "/sessions/%lld", W->sessions[3]);
    char *sql = mg_xasprintf("SELECT due_at FROM survey_jobs WHERE circle_id "
                             "= %lld",
                             W->circle);
    long long end4 = query_int(sql);
    long status = 0;
    json_t *doc;
    (void)state;

    /* 2027-04-13 20:30 NZST (UTC+12) */
    assert_int_equal(end4, 1807605000LL);
    doc = call(&status, "PATCH", path, "{\"start\": \"2027-04-12T19:30\"}");
    json_decref(doc);
    assert_int_equal(status, 200);
    assert_int_equal(query_int(sql), end4 - DAY);
    doc = get_survey(W->circle);
    assert_string_equal(json_string_value(json_object_get(doc, "opens")),
                        "2027-04-12T20:30");
    json_decref(doc);
    doc = call(&status, "PATCH", path, "{\"start\": \"2027-04-13T19:30\"}");
    json_decref(doc);
    assert_int_equal(status, 200);
    free(path);
    free(sql);
}

static long long outbox_count(const char *kind)
{
    char *sql = mg_xasprintf(
        "SELECT count(*) FROM outbox WHERE kind = '%s' AND circle_id = %lld",
        kind, W->circle);
    long long n = query_int(sql);

    free(sql);
    return n;
}

/* A quoted-printable body made plain (soft breaks joined, =XX decoded). */
static char *qp_decode(const char *s)
{
    char *out = mg_xmalloc(strlen(s) + 1), *o = out;

    while (*s) {
        if (s[0] == '=' && s[1] == '\r' && s[2] == '\n') {
            s += 3;
        } else if (s[0] == '=' && s[1] == '\n') {
            s += 2;
        } else if (s[0] == '=' && mg_hex_value(s[1]) >= 0 &&
                   mg_hex_value(s[2]) >= 0) {
            *o++ = (char)(mg_hex_value(s[1]) * 16 + mg_hex_value(s[2]));
            s += 3;
        } else {
            *o++ = *s++;
        }
    }
    *o = '\0';
    return out;
}

/* The "/s/<id>/<mac>" link in person `pid`'s survey mail; free(). */
static char *link_of(long long pid)
{
    sqlite3_stmt *stmt = NULL;
    char *text = NULL, *link = NULL, *at;
    char key[64];

    snprintf(key, sizeof(key), "survey:%lld:%lld", W->circle, pid);
    assert_int_equal(sqlite3_prepare_v2(W->db,
                                        "SELECT message FROM outbox WHERE "
                                        "dedupe_key = ?",
                                        -1, &stmt, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) == SQLITE_ROW)
        text = qp_decode((const char *)sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    assert_non_null(text);
    at = strstr(text, "/s/");
    assert_non_null(at);
    link = mg_xstrndup(at, strcspn(at, "\r\n "));
    assert_non_null(strstr(text, "anonymous"));
    free(text);
    return link;
}

/* Item 1: the CLI refuses bad settings naming the option and the
 * field, and changes nothing. */
static void test_cli_validation(void **state)
{
    char *out = NULL, *err = NULL;
    char *id = mg_xasprintf("%lld", W->circle);
    char *file = mg_xasprintf("%s/questions.json", W->site.dir);
    const char *when[] = {"survey", "set",  "--circle", id,  "--opens-at",
                          "soon",   "--db", W->site.db, NULL};
    const char *qs[] = {"survey", "set",  "--circle", id,  "--questions",
                        file,     "--db", W->site.db, NULL};
    FILE *f = fopen(file, "w");
    (void)state;

    assert_non_null(f);
    fputs("[{\"id\": \"a\", \"kind\": \"single\", \"text\": \"Pick\", "
          "\"options\": [\"one\"]}]",
          f);
    fclose(f);
    assert_int_equal(test_run_cli(&out, &err, when, NULL), 2);
    assert_non_null(strstr(err, "--opens-at"));
    free(out);
    free(err);
    assert_int_equal(test_run_cli(&out, &err, qs, NULL), 2);
    assert_non_null(strstr(err, "questions[0].options"));
    free(out);
    free(err);
    assert_int_equal(query_int("SELECT count(*) FROM survey_questions"), 0);
    assert_int_equal(query_int("SELECT count(*) FROM survey_settings WHERE "
                               "opens_at IS NOT NULL"),
                     0);
    free(id);
    free(file);
}

/* Item 1: the opening mail goes once to each person who came, at the
 * time set, through the scheduler on the clock file. */
static void test_opening_mail_once(void **state)
{
    char field[64];
    char *body = mg_xasprintf("{\"opens_at\": \"%s\"}", OPENS_LOCAL);
    json_t *doc;
    int i;
    (void)state;

    assert_int_equal(put_survey(W->circle, body, field, sizeof(field)), 200);
    free(body);
    doc = get_survey(W->circle);
    assert_string_equal(json_string_value(json_object_get(doc, "opens")),
                        OPENS_LOCAL);
    /* two weeks later by default */
    assert_string_equal(json_string_value(json_object_get(doc, "closes")),
                        "2027-03-16T13:00");
    json_decref(doc);
    /* not yet: a minute before, nothing goes */
    set_clock(OPENS_UTC - 60);
    sleep(2);
    assert_int_equal(outbox_count("survey_open"), 0);
    set_clock(OPENS_UTC + 60);
    for (i = 0; i < 100 * test_slowdown() && outbox_count("survey_open") < 4;
         i++)
        usleep(100 * 1000);
    assert_int_equal(outbox_count("survey_open"), 4);
    /* the four who came, not Dan */
    {
        char *sql = mg_xasprintf("SELECT count(*) FROM outbox WHERE kind = "
                                 "'survey_open' AND recipient = "
                                 "'dan@example.org'");

        assert_int_equal(query_int(sql), 0);
        free(sql);
    }
    assert_int_equal(
        query_int("SELECT count(*) FROM survey_jobs WHERE status = 'done'"), 1);
    /* the job run again from the start (as after a crash mid-way)
     * queues nothing more: one outbox key per person */
    assert_int_equal(sqlite3_exec(W->db,
                                  "UPDATE survey_jobs SET status = 'queued', "
                                  "cursor = 0",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    for (i = 0;
         i < 50 * test_slowdown() &&
         query_int("SELECT count(*) FROM survey_jobs WHERE status = 'done'") <
             1;
         i++)
        usleep(100 * 1000);
    assert_int_equal(
        query_int("SELECT count(*) FROM survey_jobs WHERE status = 'done'"), 1);
    assert_int_equal(outbox_count("survey_open"), 4);
    W->ana_link = link_of(W->ana);
    W->ben_link = link_of(W->ben);
}

/* Item 1: a link with a bad mac (or another person's) is a 404. */
static void test_bad_mac_refused(void **state)
{
    struct test_response resp;
    char *wrong =
        mg_xasprintf("/s/%lld/0123456789abcdef0123456789abcdef", W->ana);
    char *swapped;
    const char *mac = strrchr(W->ben_link, '/') + 1;
    (void)state;

    assert_int_equal(
        test_http(&resp, W->site.d.port, "GET", wrong, NULL, NULL, NULL), 0);
    assert_int_equal(resp.status, 404);
    test_response_release(&resp);
    /* Ben's mac on Ana's id */
    swapped = mg_xasprintf("/s/%lld/%s", W->ana, mac);
    assert_int_equal(
        test_http(&resp, W->site.d.port, "GET", swapped, NULL, NULL, NULL), 0);
    assert_int_equal(resp.status, 404);
    test_response_release(&resp);
    assert_int_equal(test_http(&resp, W->site.d.port, "POST", swapped, NULL,
                               "q-useful=5&q-facilitator=5", FORM),
                     0);
    assert_int_equal(resp.status, 404);
    test_response_release(&resp);
    assert_int_equal(query_int("SELECT count(*) FROM survey_responses"), 0);
    free(wrong);
    free(swapped);
}

/* Item 1: the form (no script, fieldsets with legends, labels), and a
 * GET changes nothing. */
static void test_get_changes_nothing(void **state)
{
    struct test_response resp;
    (void)state;

    assert_int_equal(
        test_http(&resp, W->site.d.port, "GET", W->ana_link, NULL, NULL, NULL),
        0);
    assert_int_equal(resp.status, 200);
    assert_non_null(strstr(resp.body, "<form method=\"post\""));
    assert_null(strstr(resp.body, "<script"));
    assert_non_null(strstr(resp.body, "<fieldset><legend>"));
    assert_non_null(strstr(resp.body, "type=\"radio\" name=\"q-useful\""));
    assert_non_null(strstr(resp.body, "<textarea name=\"q-change\""));
    assert_non_null(strstr(resp.body, "<label for=\"q-change\">"));
    assert_non_null(strstr(resp.body, "This survey is anonymous."));
    test_response_release(&resp);
    assert_int_equal(query_int("SELECT count(*) FROM survey_responses"), 0);
    assert_int_equal(query_int("SELECT count(*) FROM survey_answered"), 0);
}

static long post_answers(const char *link, const char *cookie, const char *form,
                         char **set_cookie, char **body)
{
    struct test_response resp;
    char *header = cookie ? mg_xasprintf("Cookie: %s", cookie) : NULL;
    const char *extra[] = {header, NULL};
    long status;

    assert_int_equal(test_http_ex(&resp, W->site.d.port, "POST", link, NULL,
                                  header ? extra : NULL, form, strlen(form),
                                  FORM),
                     0);
    status = resp.status;
    if (set_cookie)
        *set_cookie =
            resp.headers ? test_header_value(resp.headers, strlen(resp.headers),
                                             "Set-Cookie")
                         : NULL;
    if (body)
        *body = mg_xstrdup(resp.body ? resp.body : "");
    test_response_release(&resp);
    free(header);
    return status;
}

/* Item 1: answering (errors beside their question, nothing saved),
 * then the answer saved; anonymous answers keep nothing of the person. */
static void test_answer_anonymous(void **state)
{
    char *set = NULL, *body = NULL;
    (void)state;

    /* a required question left out, a scale out of range */
    assert_int_equal(
        post_answers(W->ana_link, NULL, "q-useful=9&q-pace=1", NULL, &body),
        422);
    assert_non_null(strstr(body, "id=\"q-useful-error\""));
    assert_non_null(strstr(body, "id=\"q-facilitator-error\""));
    assert_null(strstr(body, "id=\"q-pace-error\""));
    free(body);
    assert_int_equal(query_int("SELECT count(*) FROM survey_responses"), 0);

    assert_int_equal(post_answers(W->ana_link, NULL,
                                  "q-useful=4&q-facilitator=5&q-pace=1&"
                                  "q-recommend=0&q-change=More+time",
                                  &set, NULL),
                     303);
    assert_non_null(set);
    assert_true(strncmp(set, "mg_survey=", 10) == 0);
    assert_non_null(strstr(set, "HttpOnly"));
    W->ana_cookie = mg_xstrndup(set, strcspn(set, ";"));
    free(set);
    set = NULL;
    assert_int_equal(post_answers(W->ben_link, NULL,
                                  "q-useful=2&q-facilitator=4&q-pace=2", &set,
                                  NULL),
                     303);
    free(set);
    assert_int_equal(query_int("SELECT count(*) FROM survey_responses"), 2);
    assert_int_equal(query_int("SELECT count(*) FROM survey_answered"), 2);
    /* nothing in the responses names a person or when they answered */
    assert_int_equal(query_int("SELECT count(*) FROM survey_responses WHERE "
                               "participant_id IS NOT NULL OR updated_at IS "
                               "NOT NULL"),
                     0);
    /* ids are random, not the order people answered in */
    assert_true(query_int("SELECT min(id) FROM survey_responses") > 1000000);
    /* and the answers keep no order of their own either: no rowid to
     * sort them by when they were written */
    {
        sqlite3_stmt *stmt = NULL;

        assert_int_not_equal(sqlite3_prepare_v2(W->db,
                                                "SELECT rowid FROM "
                                                "survey_answers",
                                                -1, &stmt, NULL),
                             SQLITE_OK);
        sqlite3_finalize(stmt);
    }
    /* no stored value of a response is a person's id, email or name */
    {
        char *sql = mg_xasprintf(
            "SELECT count(*) FROM survey_answers a WHERE a.text IN (SELECT "
            "email FROM participants) OR a.text IN (SELECT name FROM "
            "participants) OR a.qid IN ('%lld', '%lld')",
            W->ana, W->ben);

        assert_int_equal(query_int(sql), 0);
        free(sql);
    }
    /* the answered table has no time and no id: only a circle and a hash
     * that is neither the person's id nor a plain hash of it */
    assert_int_equal(query_int("SELECT count(*) FROM pragma_table_info("
                               "'survey_answered')"),
                     2);
    {
        char *sql = mg_xasprintf(
            "SELECT count(*) FROM survey_answered WHERE length(hash) <> 32 "
            "OR hash = CAST('%lld' AS BLOB) OR hash = CAST('%lld' AS BLOB)",
            W->ana, W->ben);

        assert_int_equal(query_int(sql), 0);
        free(sql);
    }
}

/* Item 1: the answers changed until the close: from the browser that
 * holds the token; without it nothing changes. */
static void test_change_answer(void **state)
{
    struct test_response resp;
    char *header = mg_xasprintf("Cookie: %s", W->ana_cookie);
    const char *extra[] = {header, NULL};
    char *body = NULL;
    (void)state;

    /* her answers are shown back to her */
    assert_int_equal(test_http_ex(&resp, W->site.d.port, "GET", W->ana_link,
                                  NULL, extra, NULL, 0, NULL),
                     0);
    assert_int_equal(resp.status, 200);
    assert_non_null(strstr(resp.body, "id=\"q-useful-4\" value=\"4\" checked"));
    assert_non_null(strstr(resp.body, ">More time</textarea>"));
    test_response_release(&resp);
    assert_int_equal(post_answers(W->ana_link, W->ana_cookie,
                                  "q-useful=1&q-facilitator=5&q-pace=1&"
                                  "q-recommend=2",
                                  NULL, NULL),
                     303);
    assert_int_equal(query_int("SELECT count(*) FROM survey_responses"), 2);
    assert_int_equal(query_int("SELECT count(*) FROM survey_answers WHERE "
                               "qid = 'useful' AND value = 4"),
                     0);
    assert_int_equal(query_int("SELECT count(*) FROM survey_answers WHERE "
                               "qid = 'useful' AND value = 1"),
                     1);
    assert_int_equal(query_int("SELECT count(*) FROM survey_answers WHERE "
                               "qid = 'change'"),
                     0);
    /* without the token: no second answer, no change */
    assert_int_equal(post_answers(W->ana_link, NULL,
                                  "q-useful=5&q-facilitator=1", NULL, &body),
                     200);
    assert_non_null(strstr(body, "You have answered"));
    free(body);
    assert_int_equal(query_int("SELECT count(*) FROM survey_responses"), 2);
    assert_int_equal(query_int("SELECT count(*) FROM survey_answers WHERE "
                               "qid = 'facilitator' AND value = 1"),
                     0);
    /* the questions and anonymity are fixed now */
    {
        char field[64];

        assert_int_equal(put_survey(W->circle, "{\"anonymous\": false}", field,
                                    sizeof(field)),
                         422);
        assert_string_equal(field, "anonymous");
        assert_int_equal(put_survey(W->circle, "{\"questions\": null}", field,
                                    sizeof(field)),
                         200);
        assert_int_equal(
            put_survey(W->circle,
                       "{\"questions\": [{\"id\": \"x\", \"kind\": \"text\", "
                       "\"text\": \"New\"}]}",
                       field, sizeof(field)),
            422);
        assert_string_equal(field, "questions");
    }
    free(header);
}

static json_t *find_question(json_t *qs, const char *id)
{
    size_t i;
    json_t *q;

    json_array_foreach(qs, i, q)
    {
        if (strcmp(json_string_value(json_object_get(q, "id")), id) == 0)
            return q;
    }
    fail_msg("no question '%s'", id);
    return NULL;
}

static long long count_of(json_t *q, size_t k)
{
    return json_integer_value(json_object_get(
        json_array_get(json_object_get(q, "counts"), k), "count"));
}

/* Item 1: the success report's figures against the answers given: Ana
 * (useful 1, facilitator 5, pace about right, recommend no) and Ben
 * (useful 2, facilitator 4, pace too fast), two of the four who came. */
static void test_report_figures(void **state)
{
    char *path = test_circle_path(W->circle, "/report");
    long status = 0;
    json_t *doc = call(&status, "GET", path, NULL), *sv, *qs, *q;
    struct test_response resp;
    (void)state;

    assert_int_equal(status, 200);
    sv = json_object_get(doc, "survey");
    assert_int_equal(json_integer_value(json_object_get(sv, "responses")), 2);
    assert_int_equal(json_integer_value(json_object_get(sv, "attendees")), 4);
    assert_true(json_real_value(json_object_get(sv, "response_rate")) == 0.5);
    qs = json_object_get(sv, "questions");
    q = find_question(qs, "useful");
    assert_int_equal(json_integer_value(json_object_get(q, "answered")), 2);
    assert_int_equal(count_of(q, 0), 1); /* 1 */
    assert_int_equal(count_of(q, 1), 1); /* 2 */
    assert_int_equal(count_of(q, 4), 0);
    assert_true(json_real_value(json_object_get(q, "mean")) == 1.5);
    q = find_question(qs, "facilitator");
    assert_true(json_real_value(json_object_get(q, "mean")) == 4.5);
    q = find_question(qs, "pace");
    assert_int_equal(count_of(q, 0), 0);
    assert_int_equal(count_of(q, 1), 1); /* Ana: about right */
    assert_int_equal(count_of(q, 2), 1); /* Ben: too fast */
    q = find_question(qs, "recommend");
    assert_int_equal(json_integer_value(json_object_get(q, "answered")), 1);
    assert_int_equal(count_of(q, 2), 1);
    json_decref(doc);
    free(path);

    path = test_circle_path(W->circle, "/report?format=csv&part=survey");
    assert_int_equal(test_http(&resp, W->site.d.port, "GET", path,
                               W->site.token, NULL, NULL),
                     0);
    assert_int_equal(resp.status, 200);
    assert_non_null(
        strstr(resp.body, "question_id,question,kind,answer,count"));
    assert_non_null(strstr(
        resp.body, "facilitator,How well did your facilitator lead the calls?,"
                   "scale,5,1,0.5000,2,4.5000\r\n"));
    test_response_release(&resp);
    free(path);
    path = test_circle_path(W->circle, "/report?format=markdown");
    assert_int_equal(test_http(&resp, W->site.d.port, "GET", path,
                               W->site.token, NULL, NULL),
                     0);
    assert_non_null(strstr(resp.body, "## Survey\n\n2 answered of the 4 who "
                                      "came to a call (50%); anonymous."));
    test_response_release(&resp);
    free(path);
}

/* Item 1 (and 4): the survey results as a spreadsheet, read back with
 * openpyxl: the same figures as the answers given. */
static void test_results_sheet(void **state)
{
    struct mg_store *st = NULL;
    struct mg_store_options opt = {2, 5000};
    struct mg_error err = {{0}, {0}};
    struct mg_sheet **sheets = NULL;
    struct mg_buf xlsx = MG_BUF_INIT;
    size_t n = 0;
    char *path = mg_xasprintf("%s/survey.xlsx", W->site.dir), *cells;
    FILE *f;
    static const char *const want[] = {
        "Survey results|1|1|s|'question_id'\n",
        "Survey results|3|4|s|'2'\n", /* useful: Ben's 2 */
        "Survey results|3|5|n|1\n",
        "Survey results|3|7|n|2\n",
        "Survey results|6|8|n|1.5\n",  /* useful's mean */
        "Survey results|11|4|s|'5'\n", /* facilitator: Ana's 5 */
        "Survey results|11|5|n|1\n",
        "Survey results|11|6|n|0.5\n",
        "Survey results|11|8|n|4.5\n",
        "Survey results|13|4|s|'About right'\n",
        "Survey results|13|5|n|1\n",
        "Summary|2|2|n|2\n",
        "Summary|3|2|n|4\n",
        "Summary|4|2|n|0.5\n",
        "Summary|5|2|s|'yes'\n"};
    size_t i;
    (void)state;

    assert_int_equal(mg_store_open(&st, W->site.db, &opt, &err), 0);
    assert_int_equal(mg_export_build(&sheets, &n, st, W->circle, "survey"), 0);
    assert_int_equal(n, 3);
    assert_int_equal(mg_export_write(&xlsx, sheets, n, MG_EXPORT_XLSX), 0);
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(xlsx.data, 1, xlsx.len, f), xlsx.len);
    fclose(f);
    cells = test_xlsx_cells(path);
    for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        if (!strstr(cells, want[i]))
            fail_msg("no '%s' in:\n%s", want[i], cells);
    free(cells);
    free(path);
    mg_buf_release(&xlsx);
    mg_export_free(sheets, n);
    mg_store_close(st);
}

/* Item 1: the dashboard's survey section: the rate, a chart per
 * question (bars by answer), and its close button. */
static void test_dashboard_section(void **state)
{
    struct test_response resp;
    char *cookie = NULL, *csrf = NULL, *path, *form;
    json_t *doc;
    (void)state;

    assert_int_equal(test_site_dashboard_login(&W->site, W->site.token, &cookie,
                                               &csrf, NULL),
                     303);
    path = test_dashboard_path(W->circle, "%s", "");
    test_site_page(&resp, &W->site, "GET", path, cookie, NULL);
    assert_int_equal(resp.status, 200);
    assert_non_null(strstr(resp.body, "<section id=\"survey\">"));
    assert_non_null(strstr(resp.body, "2 of the 4 people who came to a call "
                                      "answered (50%)."));
    assert_non_null(strstr(resp.body, "<title id=\"survey-chart-0"));
    assert_non_null(strstr(resp.body, "data-answer=\"5\""));
    assert_non_null(strstr(resp.body, "Answers are anonymous."));
    test_response_release(&resp);
    free(path);
    path = test_dashboard_path(W->circle, "/survey");
    form = mg_xasprintf("csrf=%s&do=close", csrf);
    test_site_page(&resp, &W->site, "POST", path, cookie, form);
    assert_int_equal(resp.status, 303);
    test_response_release(&resp);
    doc = get_survey(W->circle);
    assert_string_equal(json_string_value(json_object_get(doc, "state")),
                        "closed");
    json_decref(doc);
    free(form);
    free(path);
    free(cookie);
    free(csrf);
}

/* Item 1: after the close the page says so and takes nothing. */
static void test_closed(void **state)
{
    struct test_response resp;
    (void)state;

    set_clock(OPENS_UTC + 14 * DAY + 60);
    assert_int_equal(
        test_http(&resp, W->site.d.port, "GET", W->ana_link, NULL, NULL, NULL),
        0);
    assert_int_equal(resp.status, 200);
    assert_non_null(strstr(resp.body, "This survey is closed"));
    assert_null(strstr(resp.body, "<form"));
    test_response_release(&resp);
    assert_int_equal(post_answers(W->ana_link, W->ana_cookie,
                                  "q-useful=5&q-facilitator=5", NULL, NULL),
                     200);
    assert_int_equal(query_int("SELECT count(*) FROM survey_answers WHERE "
                               "qid = 'useful' AND value = 5"),
                     0);
    set_clock(OPENS_UTC + 60);
}

/* `mingle survey ACTION --circle ID` on the test's clock: exit 0. */
static void cli_on(long long circle, const char *action)
{
    char *out = NULL, *err = NULL;
    char *id = mg_xasprintf("%lld", circle);
    char *clock = mg_xasprintf("MINGLE_CLOCK_FILE=%s", W->clock);
    const char *argv[] = {"survey", action,     "--circle", id,
                          "--db",   W->site.db, NULL};
    const char *env[] = {clock, NULL};

    assert_int_equal(test_run_cli(&out, &err, argv, env), 0);
    free(out);
    free(err);
    free(id);
    free(clock);
}

/* Item 1: a named survey in a circle with no attendance recorded: closed
 * by hand before its time, it mails nobody until opened by hand; then
 * its active members answer, one response each, with their id. */
static void test_named_without_attendance(void **state)
{
    char field[64], *link, *sql;
    long long hine = test_site_person(&W->site, W->named, "hine@example.org");
    struct test_response resp;
    int i;
    (void)state;

    /* closed by hand before it opens: it waits for an opening by hand */
    cli_on(W->named, "close");
    assert_int_equal(
        put_survey(W->named,
                   "{\"anonymous\": false, \"opens_at\": "
                   "\"2027-03-02T13:00\", \"questions\": [{\"id\": "
                   "\"topics\", \"kind\": \"multiple\", \"text\": "
                   "\"Which threads?\", \"options\": [\"A\", "
                   "\"B\", \"C\"], \"required\": true}]}",
                   field, sizeof(field)),
        200);
    sql = mg_xasprintf("SELECT count(*) FROM outbox WHERE kind = "
                       "'survey_open' AND circle_id = %lld",
                       W->named);
    sleep(2);
    assert_int_equal(query_int(sql), 0);
    free(sql);
    cli_on(W->named, "open");
    sql = mg_xasprintf("SELECT count(*) FROM outbox WHERE kind = "
                       "'survey_open' AND circle_id = %lld",
                       W->named);
    for (i = 0; i < 100 * test_slowdown() && query_int(sql) < 3; i++)
        usleep(100 * 1000);
    assert_int_equal(query_int(sql), 3); /* all three: nothing recorded */
    free(sql);
    /* the CLI shows the same survey */
    {
        char *out = NULL, *err = NULL;
        char *id = mg_xasprintf("%lld", W->named);
        const char *argv[] = {"survey", "show",     "--circle", id,
                              "--db",   W->site.db, NULL};

        char *clock = mg_xasprintf("MINGLE_CLOCK_FILE=%s", W->clock);
        const char *env[] = {clock, NULL};

        assert_int_equal(test_run_cli(&out, &err, argv, env), 0);
        free(clock);
        assert_non_null(strstr(out, "survey open, named"));
        free(out);
        free(err);
        free(id);
    }
    {
        sqlite3_stmt *stmt = NULL;
        char key[64];
        char *text = NULL, *at;

        snprintf(key, sizeof(key), "survey:%lld:%lld", W->named, hine);
        assert_int_equal(sqlite3_prepare_v2(W->db,
                                            "SELECT message FROM outbox "
                                            "WHERE dedupe_key = ?",
                                            -1, &stmt, NULL),
                         SQLITE_OK);
        sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
        assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
        text = qp_decode((const char *)sqlite3_column_text(stmt, 0));
        sqlite3_finalize(stmt);
        assert_non_null(strstr(text, "carry your name"));
        at = strstr(text, "/s/");
        link = mg_xstrndup(at, strcspn(at, "\r\n "));
        free(text);
    }
    assert_int_equal(
        test_http(&resp, W->site.d.port, "GET", link, NULL, NULL, NULL), 0);
    assert_non_null(strstr(resp.body, "This survey is not anonymous."));
    assert_non_null(strstr(resp.body, "type=\"checkbox\" name=\"q-topics\""));
    test_response_release(&resp);
    assert_int_equal(
        post_answers(link, NULL, "q-topics=0&q-topics=2", NULL, NULL), 303);
    assert_int_equal(post_answers(link, NULL, "q-topics=1", NULL, NULL), 303);
    sql = mg_xasprintf("SELECT count(*) FROM survey_responses WHERE "
                       "circle_id = %lld AND participant_id = %lld",
                       W->named, hine);
    assert_int_equal(query_int(sql), 1);
    free(sql);
    sql = mg_xasprintf("SELECT group_concat(a.value) FROM survey_answers a "
                       "JOIN survey_responses r ON r.id = a.response_id "
                       "WHERE r.circle_id = %lld",
                       W->named);
    assert_int_equal(query_int(sql), 1);
    free(sql);
    free(link);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_settings_validation),
        cmocka_unit_test(test_opening_follows_last_call),
        cmocka_unit_test(test_cli_validation),
        cmocka_unit_test(test_opening_mail_once),
        cmocka_unit_test(test_bad_mac_refused),
        cmocka_unit_test(test_get_changes_nothing),
        cmocka_unit_test(test_answer_anonymous),
        cmocka_unit_test(test_change_answer),
        cmocka_unit_test(test_report_figures),
        cmocka_unit_test(test_results_sheet),
        cmocka_unit_test(test_dashboard_section),
        cmocka_unit_test(test_closed),
        cmocka_unit_test(test_named_without_attendance),
    };

    return test_run_group("test_survey", tests,
                          sizeof(tests) / sizeof(tests[0]), NULL, setup_world,
                          teardown_world);
}
