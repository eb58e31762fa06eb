/*
 * bench_cpd.c: what the CPD record (issue #19, item 3) costs as a circle
 * grows: a real `mingle serve`, circles of 200 and of N people imported
 * and planned over the API, every member marked at their group's first
 * two calls (with a report's minutes; rows written straight into the
 * database), the circle tagged over the API. Timed, each the median of
 * `repeats`: a participant's page with its CPD section; then, with a
 * note from every member (the prompt quotes it), the page again and
 * their CSV and XLSX downloads, over HTTP; then the
 * coordinator's export `cpd` of every person's rows (mg_export_build,
 * in process, on the same database), as CSV and as XLSX. Prints each
 * beside the 200-person figure. Figures only, never assertions.
 *
 *   ./build/tests/bench/bench_cpd [N] [repeats]  (default 50000, 10)
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

#include "mingle/core.h"
#include "mingle/export.h"
#include "mingle/store.h"
#include "support.h"

enum step {
    S_PAGE0,
    S_PAGE,
    S_CSV,
    S_XLSX,
    S_EXPORT_CSV,
    S_EXPORT_XLSX,
    N_STEPS
};

static const char *const names[] = {
    "participant page with its CPD rows, no notes in the circle",
    "participant page with its CPD rows, everyone with a note",
    "their cpd.csv (quoting their note)",
    "their cpd.xlsx",
    "export cpd, every person, CSV (in process)",
    "export cpd, every person, XLSX (in process)",
};

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static double median(double *t, int n)
{
    qsort(t, (size_t)n, sizeof(*t), by_value);
    return t[n / 2];
}

static double timed_get(struct test_site *s, const char *path)
{
    struct test_response resp;
    double t0 = now_s(), ms;

    memset(&resp, 0, sizeof(resp));
    if (test_http(&resp, s->d.port, "GET", path, NULL, NULL, NULL) < 0)
        resp.status = 0;
    ms = (now_s() - t0) * 1000;
    if (resp.status != 200)
        ms = -1;
    test_response_release(&resp);
    return ms;
}

/* Wait (up to four minutes) until the plan's invitations are sent. */
static void wait_outbox(struct test_site *s, long long circle)
{
    static const char *const busy[] = {"queued", "sending"};
    char path[128];
    int i, k;

    for (i = 0, k = 0; i < 2400 && k < 2; i++) {
        long status;
        json_t *doc;
        size_t left;

        snprintf(path, sizeof(path), "/api/v1/circles/%lld/outbox?status=%s",
                 circle, busy[k]);
        doc = test_site_call(s, &status, "GET", path, NULL, NULL);
        left = json_array_size(json_object_get(doc, "messages"));
        json_decref(doc);
        if (status != 200 || left == 0)
            k++;
        else
            usleep(100 * 1000);
    }
}

/* Run `sql` on the database (one connection, beside the daemon). */
static int exec_sql(const char *db, char *sql)
{
    sqlite3 *conn = NULL;
    int rc = sqlite3_open(db, &conn) == SQLITE_OK &&
                     sqlite3_busy_timeout(conn, 10000) == SQLITE_OK &&
                     sqlite3_exec(conn, sql, NULL, NULL, NULL) == SQLITE_OK
                 ? 0
                 : -1;

    if (rc < 0)
        fprintf(stderr, "bench_cpd: %s\n", sqlite3_errmsg(conn));
    sqlite3_close(conn);
    free(sql);
    return rc;
}

/* Every member at weeks 1 and 2 of their group (45 minutes of the
 * call, as a report says). */
static int record(const char *db, long long circle)
{
    return exec_sql(
        db,
        mg_xasprintf("INSERT OR REPLACE INTO attendance (session_id, "
                     "participant_id, present, minutes, source, recorded_at) "
                     "SELECT s.id, m.participant_id, 1, 45, 'zoom', "
                     "strftime('%%s') FROM sessions s JOIN memberships m ON "
                     "m.group_id = s.group_id AND m.left_at IS NULL WHERE "
                     "s.circle_id = %lld AND s.week <= 2",
                     circle));
}

/* A published note for week 1 from every member. */
static int notes(const char *db, long long circle)
{
    return exec_sql(
        db, mg_xasprintf(
                "INSERT INTO notes (circle_id, group_id, week, participant_id, "
                "kind, status, provider, from_email, body, received_at) "
                "SELECT %lld, m.group_id, 1, m.participant_id, 'note', "
                "'published', 'mime', 'bench@example.org', 'What a library "
                "is for, and who it is for.', strftime('%%s') FROM memberships "
                "m JOIN groups g ON g.id = m.group_id WHERE g.circle_id = "
                "%lld AND m.left_at IS NULL",
                circle, circle));
}

static char *mint_page(struct test_site *s, long long circle, long long pid)
{
    char path[128];
    long status;
    json_t *doc;
    const char *url;
    char *local = NULL;

    snprintf(path, sizeof(path), "/api/v1/circles/%lld/participants/%lld/page",
             circle, pid);
    doc = test_site_call(s, &status, "POST", path, NULL, NULL);
    url = json_string_value(json_object_get(doc, "url"));
    if (url && strstr(url, "/p/"))
        local = mg_xstrdup(strstr(url, "/p/"));
    json_decref(doc);
    return local;
}

/* The export in process: milliseconds, the median of `repeats`. */
static double export_ms(const char *db, long long circle,
                        enum mg_export_format format, int repeats, size_t *rows)
{
    struct mg_store_options opt = {1, 10000};
    struct mg_error err = {{0}, {0}};
    struct mg_store *st = NULL;
    double *t = mg_xcalloc((size_t)repeats, sizeof(*t)), ms = -1;
    int i;

    if (mg_store_open(&st, db, &opt, &err) < 0)
        goto out;
    for (i = 0; i < repeats; i++) {
        struct mg_sheet **sheets = NULL;
        struct mg_buf b = MG_BUF_INIT;
        size_t n = 0;
        double t0 = now_s();

        if (mg_export_build(&sheets, &n, st, circle, "cpd") < 0 ||
            mg_export_write(&b, sheets, n, format) < 0) {
            mg_export_free(sheets, n);
            goto out;
        }
        t[i] = (now_s() - t0) * 1000;
        *rows = n ? mg_sheet_rows(sheets[0]) - 1 : 0;
        mg_export_free(sheets, n);
        mg_buf_release(&b);
    }
    ms = median(t, repeats);
out:
    mg_store_close(st);
    free(t);
    return ms;
}

static int run(double *ms, size_t *rows, int people, int repeats)
{
    struct test_site s;
    struct test_site_opts opts = {.maildir = 1};
    struct mg_buf csv = MG_BUF_INIT;
    char path[160], *page = NULL, *csv_path = NULL, *xlsx_path = NULL;
    double *t = mg_xcalloc((size_t)repeats, sizeof(*t));
    long long circle;
    long status;
    json_t *doc;
    int k, i, rc = -1;

    memset(&s, 0, sizeof(s));
    for (k = 0; k < N_STEPS; k++)
        ms[k] = -1;
    if (test_site_start(&s, "bench.db", &opts) < 0)
        return -1;
    circle = test_site_circle(
        &s,
        "{\"title\":\"Bench\",\"time_zone\":\"Pacific/Auckland\","
        "\"start_date\":\"2027-03-02\",\"weeks\":4,\"group_size\":{\"min\":8,"
        "\"max\":12},\"slots\":[{\"weekday\":\"tuesday\",\"start\":\"19:30\","
        "\"minutes\":60}],\"organizer\":{\"name\":\"Coordinators\","
        "\"email\":\"circles@example.org\"}}",
        NULL);
    if (!circle)
        goto out;
    snprintf(path, sizeof(path), "/api/v1/circles/%lld/book?name=b.md", circle);
    doc = test_site_call(&s, &status, "POST", path,
                         "# Thread: Rivers\n\na b c\n\n# Thread: Hills\n\nd e "
                         "f\n\n# Thread: Towns\n\ng h i\n",
                         "text/markdown");
    json_decref(doc);
    mg_buf_puts(&csv, "name,email,role\n");
    for (k = 1; k <= people; k++)
        mg_buf_printf(&csv, "Person %06d,p%06d@example.org,%s\n", k, k,
                      k % 10 == 0 ? "facilitator" : "participant");
    snprintf(path, sizeof(path), "/api/v1/circles/%lld/participants", circle);
    doc = test_site_call(&s, &status, "POST", path, csv.data, "text/csv");
    json_decref(doc);
    if (status != 201)
        goto out;
    snprintf(path, sizeof(path), "/api/v1/circles/%lld/groups/plan", circle);
    doc = test_site_call(&s, &status, "POST", path, NULL, NULL);
    json_decref(doc);
    if (status != 201)
        goto out;
    wait_outbox(&s, circle);
    snprintf(path, sizeof(path), "/api/v1/circles/%lld/cpd", circle);
    doc = test_site_call(&s, &status, "PUT", path,
                         "{\"areas\":[\"bok4\",\"bok11\"],\"domains\":["
                         "\"knowing\"]}",
                         NULL);
    json_decref(doc);
    if (status != 200 || record(s.db, circle) < 0)
        goto out;
    /* a daemon that only serves the circle */
    test_daemon_stop(&s.d, 15);
    if (test_site_serve(&s, &opts) < 0)
        goto out;
    page = mint_page(&s, circle,
                     test_site_person(&s, circle, "p000001@example.org"));
    if (!page)
        goto out;
    csv_path = mg_xasprintf("%s/cpd.csv", page);
    xlsx_path = mg_xasprintf("%s/cpd.xlsx", page);
    for (i = 0; i < repeats; i++)
        t[i] = timed_get(&s, page);
    ms[S_PAGE0] = median(t, repeats);
    if (notes(s.db, circle) < 0)
        goto out;
    rc = 0;
    for (i = 0; i < repeats; i++)
        t[i] = timed_get(&s, page);
    ms[S_PAGE] = median(t, repeats);
    for (i = 0; i < repeats; i++)
        t[i] = timed_get(&s, csv_path);
    ms[S_CSV] = median(t, repeats);
    for (i = 0; i < repeats; i++)
        t[i] = timed_get(&s, xlsx_path);
    ms[S_XLSX] = median(t, repeats);
    k = repeats < 3 ? repeats : 3;
    ms[S_EXPORT_CSV] = export_ms(s.db, circle, MG_EXPORT_CSV, k, rows);
    ms[S_EXPORT_XLSX] = export_ms(s.db, circle, MG_EXPORT_XLSX, k, rows);
out:
    free(t);
    free(page);
    free(csv_path);
    free(xlsx_path);
    mg_buf_release(&csv);
    test_site_stop(&s, 15);
    return rc;
}

static void cell(double ms)
{
    if (ms < 0)
        printf(" - |");
    else
        printf(" %.1f ms |", ms);
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 50000;
    int repeats = argc > 2 ? atoi(argv[2]) : 10;
    double small[N_STEPS], big[N_STEPS];
    size_t rows_small = 0, rows_big = 0;
    int k;

    if (n < 200 || repeats < 1 || repeats > 100) {
        fprintf(stderr, "usage: bench_cpd [N >= 200] [repeats 1..100]\n");
        return 2;
    }
    if (run(small, &rows_small, 200, repeats) < 0 ||
        run(big, &rows_big, n, repeats) < 0) {
        fprintf(stderr, "bench_cpd: a run failed\n");
        return 1;
    }
    printf("| what (median of %d; exports of 3) | 200 people | %d people "
           "|\n|---|---|---|\n",
           repeats, n);
    for (k = 0; k < N_STEPS; k++) {
        printf("| %s |", names[k]);
        cell(small[k]);
        cell(big[k]);
        printf("\n");
    }
    printf("| rows in the export | %zu | %zu |\n", rows_small, rows_big);
    return 0;
}
