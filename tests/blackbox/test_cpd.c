/*
 * test_cpd.c: the CPD record (issue #19, item 3) through the real daemon.
 * A circle of six people from a real Zoom export (the pseudonymised
 * participants report of /work/shared/fixtures/attendance/, from the R
 * package zoomclass, MIT) has that report imported for its first call
 * and for its kick-off webinar, and its second call marked by the API.
 * Each person's page, CSV and XLSX (read back with openpyxl) must give
 * the hours and dates worked out here from the report's minutes and
 * the calls' lengths, not from mingle's own figures; formula injection
 * in a note, a setting and a name is neutralised; bad settings are 422
 * (API) or a usage error (CLI) naming the field and change nothing; a
 * wrong page token is 404.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <signal.h>

#include "mingle/export.h"
#include "mingle/store.h"
#include "support.h"

#define ZOOM "attendance/zoom-participants-pseudonymised.csv"

/* Tuesdays at 19:30 in Auckland from 5 March 2030, two-hour calls; a
 * one-hour kick-off on Saturday 2 March. */
static const char circle_json[] =
    "{\"title\":\"Atlas circle\",\"slug\":\"atlas-cpd\","
    "\"time_zone\":\"Pacific/Auckland\",\"start_date\":\"2030-03-04\","
    "\"weeks\":3,\"group_size\":{\"min\":4,\"max\":8},\"slots\":[{"
    "\"weekday\":\"tuesday\",\"start\":\"19:30\",\"minutes\":120}],"
    "\"organizer\":{\"name\":\"Te Puna Coordinators\",\"email\":"
    "\"circles@example.org\"}}";
#define CALL_MINUTES 120
#define KICKOFF_MINUTES 60
static const char *const call_dates[] = {"2030-03-05", "2030-03-12",
                                         "2030-03-19"};
#define KICKOFF_DATE "2030-03-02"

/* The report's people, by the emails the report has. */
enum { LOKI, CYBORG, DAZZLER, MAGUS, CLEA, SHANG, N_PEOPLE };
static const char *const emails[] = {
    "loki_asgardian@marvel.com", "cyborg-superman_cyborg@dc.com",
    "dazzler_mutant@marvel.com", "magus_unknown@marvel.com",
    "clea_unknown@marvel.com",   "shang-chi_human@marvel.com"};
static const char people_csv[] =
    "name,email,role,time_zone\n"
    "Loki Laufeyson,loki_asgardian@marvel.com,facilitator,\n"
    "Cyborg Superman,cyborg-superman_cyborg@dc.com,participant,\n"
    "\"=HYPERLINK(\"\"http://x.example\"\")\",dazzler_mutant@marvel.com,"
    "participant,\n"
    "Magus,magus_unknown@marvel.com,participant,\n"
    "Clea,clea_unknown@marvel.com,participant,\n"
    "Shang-Chi,shang-chi_human@marvel.com,participant,\n";

struct world {
    struct test_site site;
    long long circle, sessions[3], plenary, ids[N_PEOPLE];
    char *page[N_PEOPLE]; /* /p/<token> */
    char *title;          /* the activity title by default, as GET says */
    int report[N_PEOPLE]; /* the Zoom report's minutes, summed by email */
};

static struct world *W;

static json_t *call(long *status, const char *method, const char *path,
                    const char *body, const char *ctype)
{
    return test_site_call(&W->site, status, method, path, body, ctype);
}

/* The report's minutes of `email`: column 5 of each of its rows, added
 * up, read here with no help from mingle's reader. */
static int report_minutes(const char *csv, const char *email)
{
    const char *line = csv;
    int total = 0;

    while ((line = strchr(line, '\n')) != NULL) {
        const char *f = ++line;
        char field[5][128];
        int i;

        for (i = 0; i < 5 && *f && *f != '\n'; i++) {
            size_t len = strcspn(f, ",\n");

            snprintf(field[i], sizeof(field[i]), "%.*s", (int)len, f);
            f += len;
            if (*f == ',')
                f++;
        }
        if (i == 5 && strcmp(field[1], email) == 0)
            total += atoi(field[4]);
    }
    return total;
}

/* Whether `minutes` of a call of `length` count as present: a tenth of
 * the call (README, "Attendance"), at least a minute. */
static int came(int minutes, int length)
{
    return minutes * 10 >= length && minutes >= 1;
}

static int counted(int minutes, int length)
{
    return minutes < length ? minutes : length;
}

static char *mint_page(long long pid)
{
    char *path = test_circle_path(W->circle, "/participants/%lld/page", pid);
    long status;
    json_t *doc = call(&status, "POST", path, NULL, NULL);
    const char *url = json_string_value(json_object_get(doc, "url"));
    char *out;

    assert_int_equal(status, 201);
    assert_non_null(url);
    out = mg_xstrdup(strstr(url, "/p/"));
    json_decref(doc);
    free(path);
    return out;
}

static int setup_world(void **state)
{
    struct world *w = mg_xcalloc(1, sizeof(*w));
    char *path, *body;
    json_t *doc;
    long status;
    int j;

    *state = w;
    W = w;
    if (test_site_start(&w->site, "cpd.db", NULL) < 0)
        return -1;
    w->circle = test_site_circle(&w->site, circle_json, NULL);
    if (!w->circle)
        return -1;
    /* a book, so that the group has a thread */
    path = test_circle_path(w->circle, "/book?name=atlas.md");
    doc = call(&status, "POST", path,
               "# The Atlas\n\n## Conversation\n\nalpha beta gamma delta\n\n"
               "## Knowledge\n\nepsilon zeta eta theta\n\n## Community\n\n"
               "iota kappa lambda mu\n",
               "text/markdown");
    json_decref(doc);
    free(path);
    if (status != 201 ||
        test_site_plan(&w->site, w->circle, people_csv, w->sessions, 3) != 3)
        return -1;
    for (j = 0; j < N_PEOPLE; j++)
        if (!(w->ids[j] = test_site_person(&w->site, w->circle, emails[j])))
            return -1;
    path = test_circle_path(w->circle, "/plenaries");
    doc = call(&status, "POST", path,
               "{\"title\":\"Kick-off with the author\",\"start\":"
               "\"2030-03-02T14:00\",\"minutes\":60,\"weeks\":1,"
               "\"capacity\":10}",
               NULL);
    free(path);
    if (status != 201)
        return -1;
    w->plenary = json_integer_value(json_object_get(doc, "id"));
    json_decref(doc);
    path = test_circle_path(w->circle, "/plenaries/%lld/registrations",
                            w->plenary);
    for (j = 0; j < N_PEOPLE; j++) {
        body = mg_xasprintf("{\"participant_id\":%lld}", w->ids[j]);
        json_decref(call(&status, "POST", path, body, NULL));
        free(body);
        if (status != 200)
            return -1;
    }
    free(path);
    return 0;
}

static int teardown_world(void **state)
{
    struct world *w = *state;
    int j;

    if (!w)
        return 0;
    test_site_stop(&w->site, SIGTERM);
    for (j = 0; j < N_PEOPLE; j++)
        free(w->page[j]);
    free(w->title);
    free(w);
    return 0;
}

/* Record the attendance: the Zoom report for week 1 and the kick-off,
 * Loki and Magus marked present for week 2 through the API. */
static void test_record_attendance(void **state)
{
    char *zoom, *path, *copy;
    size_t len;
    long status;
    json_t *doc;
    int j;

    (void)state;
    zoom = test_read_shared(ZOOM, &len);
    for (j = 0; j < N_PEOPLE; j++)
        W->report[j] = report_minutes(zoom, emails[j]);
    /* what the report says, as read here */
    assert_int_equal(W->report[LOKI], 128);
    assert_int_equal(W->report[CYBORG], 52 + 34);
    assert_int_equal(W->report[CLEA], 10);

    path = test_circle_path(W->circle, "/sessions/%lld/attendance",
                            W->sessions[0]);
    doc = test_call_json_ex(&status, NULL, W->site.d.port, W->site.token, NULL,
                            "POST", path, zoom, len, "text/csv");
    assert_int_equal(status, 200);
    assert_string_equal(json_string_value(json_object_get(doc, "format")),
                        "zoom");
    json_decref(doc);
    free(path);

    path = test_circle_path(W->circle, "/plenaries/%lld/weeks/1/attendance",
                            W->plenary);
    copy = mg_xstrndup(zoom, len);
    doc = test_call_json_ex(&status, NULL, W->site.d.port, W->site.token, NULL,
                            "POST", path, copy, len, "text/csv");
    assert_int_equal(status, 200);
    json_decref(doc);
    free(copy);
    free(path);
    free(zoom);

    path = test_circle_path(W->circle, "/sessions/%lld/attendance",
                            W->sessions[1]);
    {
        char *body = mg_xasprintf("{\"present\":[%lld,%lld]}", W->ids[LOKI],
                                  W->ids[MAGUS]);

        doc = call(&status, "POST", path, body, NULL);
        free(body);
    }
    assert_int_equal(status, 200);
    json_decref(doc);
    free(path);
    for (j = 0; j < N_PEOPLE; j++)
        W->page[j] = mint_page(W->ids[j]);
}

/* The settings: tags, a provider that would be a formula, and what a
 * bad value gets from the API and the CLI (nothing changed). */
static void test_settings(void **state)
{
    char *path = test_circle_path(W->circle, "/cpd");
    char circle[32], *out = NULL, *err = NULL;
    long status;
    json_t *doc;

    (void)state;
    test_need_shared();
    doc = call(&status, "PUT", path,
               "{\"areas\":[\"BoK 4\",\"bok11\"],\"domains\":\"knowing\","
               "\"provider\":\"=1+2 Libraries\"}",
               NULL);
    assert_int_equal(status, 200);
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(doc, "areas"), 0)),
        "bok4");
    assert_int_equal(json_array_size(json_object_get(doc, "areas")), 2);
    json_decref(doc);

    doc = call(&status, "PUT", path, "{\"areas\":[\"bok4\",\"bok99\"]}", NULL);
    assert_int_equal(status, 422);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(doc, "error"), "field")),
                        "areas");
    json_decref(doc);
    doc = call(&status, "PUT", path, "{\"colour\":\"red\"}", NULL);
    assert_int_equal(status, 422);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(doc, "error"), "field")),
                        "colour");
    json_decref(doc);
    doc =
        call(&status, "PUT", path, "{\"prompt\":\"What about {you}?\"}", NULL);
    assert_int_equal(status, 422);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(doc, "error"), "field")),
                        "prompt");
    json_decref(doc);
    snprintf(circle, sizeof(circle), "%lld", W->circle);
    {
        const char *argv[] = {"cpd",      "set",       "--db",
                              W->site.db, "--circle",  circle,
                              "--areas",  "bok4,nope", NULL};

        assert_int_equal(test_run_cli(&out, &err, argv, NULL), 2);
        assert_non_null(strstr(err, "--areas"));
        assert_non_null(strstr(err, "nope"));
        free(out);
        free(err);
    }
    /* unchanged by any of them */
    doc = call(&status, "GET", path, NULL, NULL);
    assert_int_equal(status, 200);
    assert_int_equal(json_array_size(json_object_get(doc, "areas")), 2);
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(doc, "areas"), 1)),
        "bok11");
    assert_string_equal(json_string_value(json_object_get(doc, "provider")),
                        "=1+2 Libraries");
    assert_int_equal(
        json_array_size(json_object_get(json_object_get(doc, "list"), "areas")),
        11);
    assert_true(json_is_null(json_object_get(doc, "title")));
    W->title = mg_xstrdup(json_string_value(
        json_object_get(json_object_get(doc, "defaults"), "title")));
    assert_non_null(strstr(W->title, "Atlas circle"));
    json_decref(doc);
    {
        const char *argv[] = {"cpd",      "show", "--db", W->site.db,
                              "--circle", circle, NULL};

        assert_int_equal(test_run_cli(&out, NULL, argv, NULL), 0);
        assert_non_null(strstr(out, "areas: bok4,bok11\n  BoK 4: The "
                                    "information access process\n"));
        assert_non_null(strstr(out, "provider: =1+2 Libraries\n"));
        {
            char *want = mg_xasprintf("title: %s (default)\n", W->title);

            assert_non_null(strstr(out, want));
            free(want);
        }
        free(out);
    }
    free(path);
}

/* Magus writes a note for week 2 from their page: its first line would
 * be a formula. */
static void test_note(void **state)
{
    struct test_response resp;
    char *path;

    (void)state;
    test_need_shared();
    path = mg_xasprintf("%s/note", W->page[MAGUS]);
    test_site_page(&resp, &W->site, "POST", path, NULL,
                   "week=2&text=%3Dcmd%7C%27+%2FC+calc%27%21A0+and+more%0A"
                   "second+line");
    assert_int_equal(resp.status, 303);
    test_response_release(&resp);
    free(path);
}

/* One CSV record of `text` from *p on (quotes as RFC 4180), into
 * `fields` (each mg_xstrdup'd, at most `max`); the count, 0 at the end. */
static size_t csv_record(char **fields, size_t max, const char **p)
{
    size_t n = 0;

    if (!**p)
        return 0;
    for (;;) {
        struct mg_buf b = MG_BUF_INIT;

        mg_buf_puts(&b, "");
        if (**p == '"') {
            (*p)++;
            while (**p && !(**p == '"' && (*p)[1] != '"')) {
                if (**p == '"')
                    (*p)++;
                mg_buf_add(&b, *p, 1);
                (*p)++;
            }
            if (**p == '"')
                (*p)++;
        } else {
            while (**p && **p != ',' && **p != '\r' && **p != '\n') {
                mg_buf_add(&b, *p, 1);
                (*p)++;
            }
        }
        if (n < max)
            fields[n++] = mg_buf_detach(&b);
        else
            mg_buf_release(&b);
        if (**p == ',') {
            (*p)++;
            continue;
        }
        if (**p == '\r')
            (*p)++;
        if (**p == '\n')
            (*p)++;
        return n;
    }
}

/* What one person's journal should say, worked out from the report. */
struct expect {
    int group_minutes, group_first, group_last; /* weeks, 0-based; -1 */
    int kickoff_minutes;                        /* -1: not there */
};

static struct expect expected(int who)
{
    struct expect e = {0, -1, -1, -1};
    int w1 = W->report[who];

    if (came(w1, CALL_MINUTES)) {
        e.group_minutes += counted(w1, CALL_MINUTES);
        e.group_first = e.group_last = 0;
    }
    if (who == LOKI || who == MAGUS) { /* marked by the API: the call */
        e.group_minutes += CALL_MINUTES;
        if (e.group_first < 0)
            e.group_first = 1;
        e.group_last = 1;
    }
    if (came(w1, KICKOFF_MINUTES))
        e.kickoff_minutes = counted(w1, KICKOFF_MINUTES);
    return e;
}

/* Hours with one decimal, as text: 250 minutes is "4.2". */
static void hours_text(char *out, size_t n, int minutes)
{
    int t = (int)(minutes * 10.0 / 60.0 + 0.5);

    snprintf(out, n, "%d.%d", t / 10, t % 10);
}

/* Tenths of an hour in `minutes`, rounded half up; and in a CSV number
 * ("4.2", or "1" for 1.0: a spreadsheet's number, no trailing zeros). */
static int tenths(int minutes)
{
    return (int)(minutes * 10.0 / 60.0 + 0.5);
}

static int csv_tenths(const char *text)
{
    char *end = NULL;
    double v = strtod(text, &end);

    assert_true(end && *end == '\0' && end != text);
    return (int)(v * 10.0 + 0.5);
}

static void fetch(struct test_response *resp, const char *path)
{
    assert_int_equal(
        test_http(resp, W->site.d.port, "GET", path, NULL, NULL, NULL), 0);
}

static void check_csv(int who)
{
    struct test_response resp;
    struct expect e = expected(who);
    char *path = mg_xasprintf("%s/cpd.csv", W->page[who]);
    char *f[16] = {NULL}, *disp;
    const char *p;
    size_t n, i, rows = 0;

    fetch(&resp, path);
    assert_int_equal(resp.status, 200);
    disp =
        test_header_value(resp.headers, strlen(resp.headers), "Content-Type");
    assert_string_equal(disp, "text/csv; charset=utf-8; header=present");
    free(disp);
    disp = test_header_value(resp.headers, strlen(resp.headers),
                             "Content-Disposition");
    assert_string_equal(disp, "attachment; filename=\"atlas-cpd-cpd.csv\"");
    free(disp);
    p = resp.body;
    n = csv_record(f, 16, &p);
    assert_int_equal(n, 9);
    assert_string_equal(f[0], "From");
    assert_string_equal(f[5], "Hours");
    assert_string_equal(f[8], "Reflection");
    for (i = 0; i < n; i++)
        free(f[i]);
    while ((n = csv_record(f, 16, &p)) > 0) {
        assert_int_equal(n, 9);
        rows++;
        /* the provider would be a formula: written as text */
        assert_string_equal(f[3], "'=1+2 Libraries");
        assert_string_equal(f[6], "BoK 4: The information access process; "
                                  "BoK 11: Awareness of indigenous knowledge "
                                  "paradigms (in Aotearoa, M\u0101ori)");
        assert_string_equal(f[7], "Knowing (professional knowledge)");
        if (strcmp(f[4], "webinar") == 0) {
            assert_true(e.kickoff_minutes >= 0);
            assert_string_equal(f[0], KICKOFF_DATE);
            assert_string_equal(f[1], KICKOFF_DATE);
            assert_string_equal(f[2], "Kick-off with the author");
            assert_int_equal(csv_tenths(f[5]), tenths(e.kickoff_minutes));
            e.kickoff_minutes = -2; /* seen */
        } else {
            assert_string_equal(f[4], "reading circle");
            assert_true(e.group_first >= 0);
            assert_string_equal(f[0], call_dates[e.group_first]);
            assert_string_equal(f[1], call_dates[e.group_last]);
            assert_string_equal(f[2], W->title);
            assert_int_equal(csv_tenths(f[5]), tenths(e.group_minutes));
            if (who == LOKI)
                assert_non_null(strstr(f[8], "You facilitated "));
            else
                assert_non_null(strstr(f[8], "You discussed "));
            if (who == MAGUS)
                assert_non_null(strstr(f[8],
                                       "in week 2 you wrote: \u201c=cmd|' "
                                       "/C calc'!A0 and more\u201d"));
            e.group_first = -2; /* seen */
        }
        for (i = 0; i < n; i++)
            free(f[i]);
    }
    /* every row expected, and no other */
    assert_true(e.kickoff_minutes == -1 || e.kickoff_minutes == -2);
    assert_true(e.group_first == -1 || e.group_first == -2);
    assert_int_equal(rows, (size_t)(e.kickoff_minutes == -2) +
                               (size_t)(e.group_first == -2));
    test_response_release(&resp);
    free(path);
}

static void test_csv_downloads(void **state)
{
    int j;

    (void)state;
    test_need_shared();
    for (j = 0; j < N_PEOPLE; j++)
        check_csv(j);
    /* the figures this rests on, spelled out: Loki came to both calls
     * (the report's 128 minutes count as the call's 120) and the
     * kick-off; Clea only to the kick-off (10 of 120 minutes is less
     * than a tenth); Shang-Chi to nothing (4 minutes) */
    assert_int_equal(expected(LOKI).group_minutes, 240);
    assert_int_equal(expected(CLEA).group_first, -1);
    assert_int_equal(expected(CLEA).kickoff_minutes, 10);
    assert_int_equal(expected(SHANG).kickoff_minutes, -1);
}

/* The cell at row `row`, column `col` of sheet `sheet` in openpyxl's
 * listing: its type letter into *type, its repr()'d value (copied). */
static char *cell(const char *cells, const char *sheet, int row, int col,
                  char *type)
{
    char key[64];
    const char *p;
    size_t len;

    snprintf(key, sizeof(key), "%s|%d|%d|", sheet, row, col);
    for (p = cells; p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (strncmp(p, key, strlen(key)) == 0)
            break;
    if (!p)
        return NULL;
    p += strlen(key);
    *type = *p;
    p += 2;
    len = strcspn(p, "\n");
    return mg_xstrndup(p, len);
}

static void test_xlsx_download(void **state)
{
    struct test_response resp;
    struct expect e = expected(LOKI);
    char *path = mg_xasprintf("%s/cpd.xlsx", W->page[LOKI]);
    char *file = mg_xasprintf("%s/loki.xlsx", W->site.dir);
    char *cells, *v, *h, hours[48], want[64], type = 0;
    FILE *fp;

    (void)state;
    test_need_shared();
    fetch(&resp, path);
    assert_int_equal(resp.status, 200);
    h = test_header_value(resp.headers, strlen(resp.headers), "Content-Type");
    assert_string_equal(h, "application/vnd.openxmlformats-officedocument."
                           "spreadsheetml.sheet");
    free(h);
    h = test_header_value(resp.headers, strlen(resp.headers),
                          "Content-Disposition");
    assert_string_equal(h, "attachment; filename=\"atlas-cpd-cpd.xlsx\"");
    free(h);
    {
        /* the body's length, from the header (it holds NULs) */
        char *cl = test_header_value(resp.headers, strlen(resp.headers),
                                     "Content-Length");
        size_t len = (size_t)atol(cl);

        free(cl);
        fp = fopen(file, "wb");
        assert_non_null(fp);
        assert_int_equal(fwrite(resp.body, 1, len, fp), len);
        fclose(fp);
    }
    cells = test_xlsx_cells(file);
    /* the header, then the kick-off (2 March) and the circle */
    v = cell(cells, "CPD", 1, 6, &type);
    assert_string_equal(v, "'Hours'");
    free(v);
    v = cell(cells, "CPD", 2, 5, &type);
    assert_string_equal(v, "'webinar'");
    free(v);
    v = cell(cells, "CPD", 2, 6, &type);
    assert_int_equal(type, 'n');
    hours_text(hours, sizeof(hours), e.kickoff_minutes);
    if (strcmp(hours + strlen(hours) - 2, ".0") == 0)
        hours[strlen(hours) - 2] = '\0'; /* whole floats as ints */
    assert_string_equal(v, hours);
    free(v);
    v = cell(cells, "CPD", 3, 1, &type);
    snprintf(want, sizeof(want), "'%s'", call_dates[e.group_first]);
    assert_string_equal(v, want);
    free(v);
    v = cell(cells, "CPD", 3, 2, &type);
    snprintf(want, sizeof(want), "'%s'", call_dates[e.group_last]);
    assert_string_equal(v, want);
    free(v);
    v = cell(cells, "CPD", 3, 6, &type);
    assert_int_equal(type, 'n');
    hours_text(hours, sizeof(hours), e.group_minutes);
    if (strcmp(hours + strlen(hours) - 2, ".0") == 0)
        hours[strlen(hours) - 2] = '\0';
    assert_string_equal(v, hours);
    free(v);
    /* the provider is text with its ' and no cell is a formula */
    v = cell(cells, "CPD", 3, 4, &type);
    assert_int_equal(type, 's');
    assert_string_equal(v, "\"'=1+2 Libraries\"");
    free(v);
    assert_null(strstr(cells, "|f|"));
    free(cells);
    test_response_release(&resp);
    free(path);
    free(file);
}

/* The page: a section with the rows; nothing for someone with none. */
static void test_page(void **state)
{
    struct test_response resp;
    char hours[48];

    (void)state;
    test_need_shared();
    fetch(&resp, W->page[LOKI]);
    assert_int_equal(resp.status, 200);
    assert_non_null(strstr(resp.body, "<section id=\"cpd\">"));
    assert_non_null(strstr(resp.body, "/cpd.xlsx\""));
    hours_text(hours, sizeof(hours), expected(LOKI).group_minutes);
    assert_non_null(strstr(resp.body, hours));
    assert_non_null(strstr(resp.body, "2030-03-05 &ndash; 2030-03-12"));
    /* the setting is text on a page, never markup */
    assert_non_null(strstr(resp.body, "=1+2 Libraries"));
    test_response_release(&resp);
    fetch(&resp, W->page[SHANG]);
    assert_int_equal(resp.status, 200);
    assert_null(strstr(resp.body, "id=\"cpd\""));
    test_response_release(&resp);
}

static void test_wrong_token(void **state)
{
    struct test_response resp;

    (void)state;
    fetch(&resp, "/p/0123456789abcdef0123456789abcdef0123456789abcdef/"
                 "cpd.csv");
    assert_int_equal(resp.status, 404);
    assert_null(strstr(resp.body, "From,To"));
    test_response_release(&resp);
    fetch(&resp, "/p/0123456789abcdef0123456789abcdef0123456789abcdef/"
                 "cpd.xlsx");
    assert_int_equal(resp.status, 404);
    test_response_release(&resp);
}

/* The coordinator's export `cpd`: everyone's rows with their names, a
 * name that would be a formula written as text. */
static void test_export(void **state)
{
    struct mg_store_options opt = {1, 5000};
    struct mg_error err = {{0}, {0}};
    struct mg_store *st = NULL;
    struct mg_sheet **sheets = NULL;
    struct mg_buf b = MG_BUF_INIT;
    char *file = mg_xasprintf("%s/all.xlsx", W->site.dir);
    char *cells, *v, type = 0, want[64];
    size_t n = 0;
    int j, rows = 0, r, named = 0;
    FILE *fp;

    (void)state;
    test_need_shared();
    assert_int_equal(mg_store_open(&st, W->site.db, &opt, &err), 0);
    assert_int_equal(mg_export_build(&sheets, &n, st, W->circle, "cpd"), 0);
    assert_int_equal(n, 1);
    assert_int_equal(mg_export_write(&b, sheets, n, MG_EXPORT_XLSX), 0);
    fp = fopen(file, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(b.data, 1, b.len, fp), b.len);
    fclose(fp);
    cells = test_xlsx_cells(file);
    for (j = 0; j < N_PEOPLE; j++) {
        struct expect e = expected(j);

        rows += (e.kickoff_minutes >= 0) + (e.group_first >= 0);
    }
    v = cell(cells, "CPD", rows + 1, 1, &type);
    assert_non_null(v); /* the last row */
    free(v);
    assert_null(cell(cells, "CPD", rows + 2, 1, &type));
    /* Dazzler's rows name them as text */
    for (r = 2; r <= rows + 1; r++) {
        v = cell(cells, "CPD", r, 1, &type);
        snprintf(want, sizeof(want), "%lld", W->ids[DAZZLER]);
        if (strcmp(v, want) == 0) {
            free(v);
            v = cell(cells, "CPD", r, 2, &type);
            assert_int_equal(type, 's');
            assert_string_equal(v, "'\\'=HYPERLINK(\"http://x.example\")'");
            named++;
        }
        free(v);
    }
    assert_int_equal(named, 2); /* the circle's calls and the kick-off */
    assert_null(strstr(cells, "|f|"));
    free(cells);
    mg_buf_release(&b);
    mg_export_free(sheets, n);
    mg_store_close(st);
    free(file);
}

/* The dashboard's CPD section: the tags ticked, a bad prompt named
 * beside its field and not saved, a good form saved. */
static void test_dashboard(void **state)
{
    struct test_response resp;
    char *cookie = NULL, *csrf = NULL, *page, *form, *action, *path;
    long status;
    json_t *doc;

    (void)state;
    test_need_shared();
    assert_int_equal(test_site_dashboard_login(&W->site, W->site.token, &cookie,
                                               &csrf, NULL),
                     303);
    page = test_dashboard_path(W->circle, "%s", "");
    test_site_page(&resp, &W->site, "GET", page, cookie, NULL);
    assert_int_equal(resp.status, 200);
    assert_non_null(strstr(resp.body, "<h2 id=\"cpd\">"));
    assert_non_null(strstr(resp.body, "name=\"areas\" value=\"bok4\" "
                                      "checked>"));
    assert_non_null(strstr(resp.body, "name=\"areas\" value=\"bok1\">"));
    test_response_release(&resp);

    action = test_dashboard_path(W->circle, "/cpd");
    form = mg_xasprintf("csrf=%s&areas=bok1&domains=doing&prompt=%%7Bnope%%7D",
                        csrf);
    test_site_page(&resp, &W->site, "POST", action, cookie, form);
    assert_int_equal(resp.status, 303);
    {
        char *loc =
            test_header_value(resp.headers, strlen(resp.headers), "Location");

        assert_non_null(strstr(loc, "cpd_field=prompt"));
        test_response_release(&resp);
        test_site_page(&resp, &W->site, "GET", loc, cookie, NULL);
        free(loc);
    }
    assert_int_equal(resp.status, 200);
    assert_non_null(strstr(resp.body, "aria-describedby=\"cpd-prompt-bad\""));
    test_response_release(&resp);
    free(form);
    path = test_circle_path(W->circle, "/cpd");
    doc = call(&status, "GET", path, NULL, NULL);
    assert_int_equal(json_array_size(json_object_get(doc, "areas")), 2);
    json_decref(doc);

    form = mg_xasprintf("csrf=%s&areas=bok4&areas=bok11&domains=knowing&"
                        "domains=sharing&title=&provider=%%3D1%%2B2+Libraries"
                        "&prompt=",
                        csrf);
    test_site_page(&resp, &W->site, "POST", action, cookie, form);
    assert_int_equal(resp.status, 303);
    test_response_release(&resp);
    doc = call(&status, "GET", path, NULL, NULL);
    assert_int_equal(json_array_size(json_object_get(doc, "domains")), 2);
    assert_string_equal(json_string_value(json_object_get(doc, "provider")),
                        "=1+2 Libraries");
    json_decref(doc);
    free(form);
    free(path);
    free(action);
    free(page);
    free(cookie);
    free(csrf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_attendance),
        cmocka_unit_test(test_settings),
        cmocka_unit_test(test_note),
        cmocka_unit_test(test_csv_downloads),
        cmocka_unit_test(test_xlsx_download),
        cmocka_unit_test(test_page),
        cmocka_unit_test(test_wrong_token),
        cmocka_unit_test(test_export),
        cmocka_unit_test(test_dashboard),
    };
    static const char *const shared[] = {"test_record_attendance",
                                         "test_settings",
                                         "test_note",
                                         "test_csv_downloads",
                                         "test_xlsx_download",
                                         "test_page",
                                         "test_export",
                                         NULL};

    return test_run_group_shared(tests, shared, setup_world, teardown_world);
}
