/*
 * bench_pages.c: what a page costs as a circle grows, end to end: a real
 * `mingle serve`, circles of 200 and of N people imported over the API
 * and planned, then a participant's page, a facilitator's page, the
 * dashboard's circle page and its second page of people fetched over
 * HTTP, each several times, once the plan's invitations are delivered.
 * Prints each figure beside the 200-person one and the daemon's peak
 * memory while serving them (VmHWM, reset before), so growth shows.
 * Figures only, never assertions.
 *
 *   ./build/tests/bench/bench_pages [N] [repeats]   (default 20000, 20)
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "mingle/core.h"
#include "support.h"

struct figures {
    double plan_s;   /* import + plan, seconds */
    double ms[4];    /* median of each page */
    size_t bytes[4]; /* size of each page */
};

static const char *const names[4] = {"participant page", "facilitator page",
                                     "dashboard circle page",
                                     "dashboard people, page 2"};

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

/* Forget the daemon's peak so far (Linux: clear_refs 5 resets VmHWM). */
static void reset_peak(pid_t pid)
{
    char path[64];
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/clear_refs", (int)pid);
    f = fopen(path, "w");
    if (f) {
        fputs("5", f);
        fclose(f);
    }
}

/* Wait (up to two minutes) until the invitations the plan queued are
 * delivered, so the pages are timed on their own. */
static void wait_outbox(struct test_site *s, long long circle)
{
    char path[128];
    int i;

    snprintf(path, sizeof(path), "/api/v1/circles/%lld/outbox?status=queued",
             circle);
    for (i = 0; i < 1200; i++) {
        long status;
        json_t *doc = test_site_call(s, &status, "GET", path, NULL, NULL);
        size_t left = json_array_size(json_object_get(doc, "messages"));

        json_decref(doc);
        if (status != 200 || left == 0)
            return;
        usleep(100 * 1000);
    }
}

/* The daemon's peak resident memory in KiB, from /proc. */
static long peak_kib(pid_t pid)
{
    char path[64], line[256];
    long kib = -1;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    f = fopen(path, "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f))
        if (sscanf(line, "VmHWM: %ld kB", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

/* Median milliseconds of `repeats` GETs of `path`; *bytes its size. */
static double time_get(struct test_site *s, const char *path,
                       const char *cookie, int repeats, size_t *bytes)
{
    double *t = mg_xcalloc((size_t)repeats, sizeof(*t)), median;
    int i;

    *bytes = 0;
    for (i = 0; i < repeats; i++) {
        struct test_response resp;
        double t0 = now_s();

        test_site_page(&resp, s, "GET", path, cookie, NULL);
        if (resp.status != 200) {
            fprintf(stderr, "GET %s failed (%ld)\n", path, (long)resp.status);
            test_response_release(&resp);
            free(t);
            return -1;
        }
        t[i] = (now_s() - t0) * 1000;
        *bytes = resp.body ? strlen(resp.body) : 0;
        test_response_release(&resp);
    }
    qsort(t, (size_t)repeats, sizeof(*t), by_value);
    median = t[repeats / 2];
    free(t);
    return median;
}

static char *mint_page(struct test_site *s, long long circle, long long pid)
{
    char path[128];
    long status;
    json_t *doc;
    char *url, *local;

    snprintf(path, sizeof(path), "/api/v1/circles/%lld/participants/%lld/page",
             circle, pid);
    doc = test_site_call(s, &status, "POST", path, NULL, NULL);
    url =
        doc ? mg_xstrdup(json_string_value(json_object_get(doc, "url"))) : NULL;
    json_decref(doc);
    if (!url)
        return NULL;
    local = strstr(url, "/p/") ? mg_xstrdup(strstr(url, "/p/")) : NULL;
    free(url);
    return local;
}

static int run(struct figures *f, int people, int repeats, long *peak)
{
    static const char *const sectors[] = {"public", "academic", "school",
                                          "special"};
    struct test_site s;
    struct test_site_opts opts = {0};
    struct mg_buf csv = MG_BUF_INIT;
    char path[160], *pages[2] = {NULL, NULL}, *cookie = NULL;
    long long circle, member = 0, facilitator = 0;
    long status;
    json_t *doc;
    size_t i;
    int k, rc = -1;
    double t0;

    memset(&s, 0, sizeof(s));
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
    mg_buf_puts(&csv, "name,email,role,sector,region\n");
    for (k = 1; k <= people; k++)
        mg_buf_printf(&csv, "Person %06d,p%06d@example.org,%s,%s,%s\n", k, k,
                      k % 10 == 0 ? "facilitator" : "participant",
                      sectors[k % 4], k % 2 ? "North" : "South");
    t0 = now_s();
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
    f->plan_s = now_s() - t0;
    /* a member and the facilitator of the first group */
    snprintf(path, sizeof(path), "/api/v1/circles/%lld/groups", circle);
    doc = test_site_call(&s, &status, "GET", path, NULL, NULL);
    if (doc) {
        json_t *groups = json_object_get(doc, "groups");
        json_t *g = json_is_array(groups) ? json_array_get(groups, 0)
                                          : json_array_get(doc, 0);
        json_t *members = json_object_get(g, "members");

        for (i = 0; i < json_array_size(members); i++) {
            json_t *m = json_array_get(members, i);
            const char *role = json_string_value(json_object_get(m, "role"));
            long long id = json_integer_value(json_object_get(m, "id"));
            if (role && strcmp(role, "facilitator") == 0 && !facilitator)
                facilitator = id;
            else if (!member)
                member = id;
        }
    }
    json_decref(doc);
    if (!member || !facilitator)
        goto out;
    pages[0] = mint_page(&s, circle, member);
    pages[1] = mint_page(&s, circle, facilitator);
    if (!pages[0] || !pages[1] ||
        test_site_dashboard_login(&s, s.token, &cookie, NULL, NULL) != 303 ||
        !cookie)
        goto out;
    wait_outbox(&s, circle);
    reset_peak(s.d.pid);
    f->ms[0] = time_get(&s, pages[0], NULL, repeats, &f->bytes[0]);
    f->ms[1] = time_get(&s, pages[1], NULL, repeats, &f->bytes[1]);
    snprintf(path, sizeof(path), "/dashboard/circles/%lld", circle);
    f->ms[2] = time_get(&s, path, cookie, repeats, &f->bytes[2]);
    snprintf(path, sizeof(path), "/dashboard/circles/%lld?page=2", circle);
    f->ms[3] = time_get(&s, path, cookie, repeats, &f->bytes[3]);
    *peak = peak_kib(s.d.pid);
    rc = 0;
    for (k = 0; k < 4; k++)
        if (f->ms[k] < 0)
            rc = -1;
out:
    free(pages[0]);
    free(pages[1]);
    free(cookie);
    mg_buf_release(&csv);
    test_site_stop(&s, 15);
    return rc;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 20000;
    int repeats = argc > 2 ? atoi(argv[2]) : 20;
    struct figures small, big;
    long peak_small = 0, peak_big = 0;
    int k;

    memset(&small, 0, sizeof(small));
    memset(&big, 0, sizeof(big));
    if (n < 200 || repeats < 1) {
        fprintf(stderr, "usage: bench_pages [N >= 200] [repeats]\n");
        return 2;
    }
    if (run(&small, 200, repeats, &peak_small) < 0 ||
        run(&big, n, repeats, &peak_big) < 0) {
        fprintf(stderr, "bench_pages: a run failed\n");
        return 1;
    }
    printf("| what | 200 people | %d people |\n|---|---|---|\n", n);
    printf("| import and plan (API) | %.2f s | %.2f s |\n", small.plan_s,
           big.plan_s);
    for (k = 0; k < 4; k++)
        printf("| %s (median of %d) | %.1f ms, %.1f KB | %.1f ms, %.1f KB |\n",
               names[k], repeats, small.ms[k], small.bytes[k] / 1024.0,
               big.ms[k], big.bytes[k] / 1024.0);
    printf(
        "| daemon peak RSS while serving the pages | %.1f MiB | %.1f MiB |\n",
        peak_small / 1024.0, peak_big / 1024.0);
    return 0;
}
