/*
 * test_demo_takeaway.c: issue #19's "done when" on the demo. `mingle
 * demo` makes a circle half-way through (two weekly calls held and a
 * kick-off webinar, their attendance recorded as if from Zoom); this
 * checks, against that attendance read back through the API and summed
 * here:
 * - the survey is open with a few answers, and the report's survey part
 *   counts them against the people who came;
 * - a participant's certificate (read with poppler's pdftotext) gives
 *   the two group calls held, the webinar and the hours they add up to,
 *   and its code is genuine at /verify;
 * - their page shows their CPD rows, and the XLSX download (read with
 *   openpyxl) has the same hours;
 * - the attendance matrix export (XLSX, openpyxl) marks them at both
 *   calls.
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

#include "support.h"

#define EMAIL "cara.whitfield@example.org"

struct world {
    char *dir, *db, *token;
    struct test_daemon d;
    long long circle, person;
    char *page; /* /p/<token> */
    /* from the attendance recorded, summed here */
    int group_calls, plenary_calls, minutes, reading_minutes;
    int weeks_present[8];
    int came; /* distinct people present at a group call */
};

static struct world *W;

static json_t *api(long *status, const char *method, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static json_t *api(long *status, const char *method, const char *fmt, ...)
{
    char *path;
    va_list ap;
    json_t *doc;

    va_start(ap, fmt);
    assert_true(vasprintf(&path, fmt, ap) > 0);
    va_end(ap);
    doc = test_call_json(status, W->d.port, W->token, method, path, NULL, NULL);
    free(path);
    return doc;
}

static long long int_of(json_t *o, const char *key)
{
    return (long long)json_integer_value(json_object_get(o, key));
}

/* Sum the attendance the demo recorded for W->person, as the README
 * says it counts: a present call for its reported minutes, never more
 * than its length. */
static void sum_attendance(void)
{
    long status;
    json_t *sessions =
        api(&status, "GET", "/api/v1/circles/%lld/sessions", W->circle);
    json_t *list = json_object_get(sessions, "sessions"), *plen;
    int seen[4096] = {0};
    size_t i, j;

    assert_int_equal(status, 200);
    for (i = 0; i < json_array_size(list); i++) {
        json_t *s = json_array_get(list, i);
        json_t *att =
            api(&status, "GET", "/api/v1/circles/%lld/sessions/%lld/attendance",
                W->circle, int_of(s, "id"));
        json_t *rows = json_object_get(att, "attendance");
        int length = (int)int_of(s, "minutes");

        assert_int_equal(status, 200);
        for (j = 0; j < json_array_size(rows); j++) {
            json_t *a = json_array_get(rows, j);
            long long pid = int_of(a, "participant_id");
            int m = (int)int_of(a, "minutes");

            if (!json_is_true(json_object_get(a, "present")))
                continue;
            if (pid > 0 && pid < 4096 && !seen[pid]) {
                seen[pid] = 1;
                W->came++;
            }
            if (pid != W->person)
                continue;
            W->group_calls++;
            W->weeks_present[int_of(s, "week") & 7] = 1;
            W->reading_minutes += m > 0 && m < length ? m : length;
        }
        json_decref(att);
    }
    json_decref(sessions);
    plen = api(&status, "GET",
               "/api/v1/circles/%lld/plenaries/1/weeks/1/"
               "attendance",
               W->circle);
    assert_int_equal(status, 200);
    list = json_object_get(plen, "attendance");
    for (j = 0; j < json_array_size(list); j++) {
        json_t *a = json_array_get(list, j);
        int m = (int)int_of(a, "minutes"),
            length = (int)int_of(plen, "minutes");

        if (int_of(a, "participant_id") == W->person &&
            json_is_true(json_object_get(a, "present"))) {
            W->plenary_calls++;
            W->minutes += m > 0 && m < length ? m : length;
        }
    }
    json_decref(plen);
    W->minutes += W->reading_minutes;
}

static int setup(void **state)
{
    struct world *w = mg_xcalloc(1, sizeof(*w));
    const char *list_argv[] = {"circle", "list", "--db", NULL, NULL};
    char *maildir, *out = NULL;
    const char *env[2];
    json_t *doc, *people;
    long status;
    size_t i;

    W = w;
    *state = w;
    w->dir = test_mkdtemp();
    w->db = mg_xasprintf("%s/demo.db", w->dir);
    maildir = mg_xasprintf("MINGLE_MAILDIR=%s/mail", w->dir);
    env[0] = maildir;
    env[1] = NULL;
    if (test_daemon_start_cmd(&w->d, "demo", w->db, NULL, env) < 0)
        return -1;
    free(maildir);
    w->token = test_make_token(w->db, "coordinator");
    list_argv[3] = w->db;
    if (!w->token || test_run_cli(&out, NULL, list_argv, NULL) != 0)
        return -1;
    w->circle = atoll(out);
    free(out);
    doc = api(&status, "GET", "/api/v1/circles/%lld/participants?limit=100",
              w->circle);
    people = json_object_get(doc, "participants");
    for (i = 0; i < json_array_size(people); i++)
        if (strcmp(json_string_value(
                       json_object_get(json_array_get(people, i), "email")),
                   EMAIL) == 0)
            w->person = int_of(json_array_get(people, i), "id");
    json_decref(doc);
    if (!w->person)
        return -1;
    doc = api(&status, "POST", "/api/v1/circles/%lld/participants/%lld/page",
              w->circle, w->person);
    if (status != 201)
        return -1;
    w->page = mg_xstrdup(
        strstr(json_string_value(json_object_get(doc, "url")), "/p/"));
    json_decref(doc);
    sum_attendance();
    return 0;
}

static int teardown(void **state)
{
    struct world *w = *state;

    if (!w)
        return 0;
    test_daemon_stop(&w->d, SIGTERM);
    test_rmdir(w->dir);
    free(w->db);
    free(w->token);
    free(w->page);
    free(w);
    return 0;
}

/* GET `path` (no token) into a file of the world's directory; its name
 * (free() it). */
static char *download(const char *path, const char *name, const char *token)
{
    struct test_response resp;
    char *file = mg_xasprintf("%s/%s", W->dir, name);
    FILE *f;

    assert_int_equal(
        test_http(&resp, W->d.port, "GET", path, token, NULL, NULL), 0);
    assert_int_equal(resp.status, 200);
    {
        /* the body's length, from the header (it holds NULs) */
        char *cl = test_header_value(resp.headers, strlen(resp.headers),
                                     "Content-Length");
        size_t len;

        assert_non_null(cl);
        len = (size_t)atol(cl);
        free(cl);
        f = fopen(file, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(resp.body, 1, len, f), len);
        fclose(f);
    }
    test_response_release(&resp);
    return file;
}

/* "2.8" for 167 minutes: tenths of an hour, rounded half up. */
static void hours(char *out, size_t n, int minutes)
{
    int tenths = (minutes * 10 + 30) / 60;

    snprintf(out, n, "%d.%d", tenths / 10, tenths % 10);
}

static void test_half_way(void **state)
{
    (void)state;
    /* two weekly calls held and the kick-off: what the rest checks */
    assert_int_equal(W->group_calls, 2);
    assert_true(W->weeks_present[1] && W->weeks_present[2]);
    assert_int_equal(W->plenary_calls, 1);
    assert_true(W->minutes > 0);
}

static void test_survey_answers(void **state)
{
    long status;
    json_t *doc = api(&status, "GET", "/api/v1/circles/%lld/report", W->circle);
    json_t *sv = json_object_get(doc, "survey");

    (void)state;
    assert_int_equal(status, 200);
    assert_true(json_is_object(sv));
    assert_true(int_of(sv, "responses") >= 3);
    /* measured against the people who came, counted here */
    assert_int_equal(int_of(sv, "attendees"), W->came);
    assert_true(json_array_size(json_object_get(sv, "questions")) >= 5);
    json_decref(doc);
}

static void test_certificate(void **state)
{
    char *path = mg_xasprintf("%s/certificate.pdf", W->page);
    char *file = download(path, "cert.pdf", NULL), *text, *code, *end;
    char want[160], h[16];
    struct test_response resp;

    (void)state;
    text = test_pdf_text(file);
    assert_non_null(strstr(text, "Cara Whitfield"));
    snprintf(want, sizeof(want), "%d group calls and %d whole-circle call",
             W->group_calls, W->plenary_calls);
    assert_non_null(strstr(text, want));
    hours(h, sizeof(h), W->minutes);
    snprintf(want, sizeof(want), "Total time: %s hours (%d:%02d)", h,
             W->minutes / 60, W->minutes % 60);
    assert_non_null(strstr(text, want));
    /* its code is genuine */
    code = strstr(text, "/verify/");
    assert_non_null(code);
    end = code + strcspn(code, " \r\n");
    *end = '\0';
    assert_int_equal(test_http(&resp, W->d.port, "GET", code, NULL, NULL, NULL),
                     0);
    assert_int_equal(resp.status, 200);
    assert_non_null(strstr(resp.body, "Cara Whitfield"));
    test_response_release(&resp);
    free(text);
    unlink(file);
    free(file);
    free(path);
}

static void test_cpd_rows(void **state)
{
    char *path = mg_xasprintf("%s/cpd.xlsx", W->page), *file, *cells;
    struct test_response resp;
    char h[16], want[128];

    (void)state;
    assert_int_equal(
        test_http(&resp, W->d.port, "GET", W->page, NULL, NULL, NULL), 0);
    assert_int_equal(resp.status, 200);
    assert_non_null(strstr(resp.body, "CPD"));
    assert_non_null(strstr(resp.body, "reading circle"));
    test_response_release(&resp);
    file = download(path, "cpd.xlsx", NULL);
    cells = test_xlsx_cells(file);
    /* the reading circle's row has the group calls' hours */
    hours(h, sizeof(h), W->reading_minutes);
    snprintf(want, sizeof(want), "|n|%s\n", h);
    assert_non_null(strstr(cells, "'reading circle'"));
    assert_non_null(strstr(cells, want));
    free(cells);
    unlink(file);
    free(file);
    free(path);
}

static void test_attendance_export(void **state)
{
    char *path =
        mg_xasprintf("/api/v1/circles/%lld/export/attendance.xlsx", W->circle);
    char *file = download(path, "att.xlsx", W->token), *cells, *line;
    int row = 0, week1 = 0, week2 = 0, c1 = 0, c2 = 0;

    (void)state;
    cells = test_xlsx_cells(file);
    /* the header's Week 1 and Week 2 columns, then Cara's row */
    for (line = strtok(cells, "\n"); line; line = strtok(NULL, "\n")) {
        int r, c, n = 0;

        /* "sheet|row|col|type|value", one cell a line */
        if (sscanf(line, "Attendance|%d|%d|%n", &r, &c, &n) != 2 || !n)
            continue;
        if (r == 1 && strcmp(line + n, "s|'Week 1'") == 0)
            c1 = c;
        if (r == 1 && strcmp(line + n, "s|'Week 2'") == 0)
            c2 = c;
        if (!row && strcmp(line + n, "s|'Cara Whitfield'") == 0)
            row = r;
        if (row && r == row && c == c1 && strcmp(line + n, "n|1") == 0)
            week1 = 1;
        if (row && r == row && c == c2 && strcmp(line + n, "n|1") == 0)
            week2 = 1;
    }
    assert_true(c1 > 0 && c2 > 0 && row > 1);
    assert_true(week1 && week2);
    free(cells);
    unlink(file);
    free(file);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_half_way),
        cmocka_unit_test(test_survey_answers),
        cmocka_unit_test(test_certificate),
        cmocka_unit_test(test_cpd_rows),
        cmocka_unit_test(test_attendance_export),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
