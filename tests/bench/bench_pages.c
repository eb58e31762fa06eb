/*
 * bench_pages.c: what a page costs as a circle grows, end to end: a real
 * `mingle serve`, circles of 200 and of N people imported over the API
 * and planned; once the plan's invitations are delivered, every page a
 * coordinator can GET on the dashboard (each list's first and a later
 * page, a search, the move form, the rebalance preview, the digest, the
 * review queues, a plenary, the CSV downloads), a participant's and a
 * facilitator's page and the API's groups and report are fetched over
 * HTTP several times each (the downloads and the whole-circle answers
 * three times) by a daemon started afresh on the circle's database; the
 * rebalance preview, which runs the planner over the whole circle, last.
 * Prints each median beside the 200-person one with the daemon's peak
 * memory while serving it (VmHWM, reset before each page; the heap a
 * page leaves behind stays in the next ones' figures), so growth shows.
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

/* What is fetched, in the order printed. */
enum page {
    P_PARTICIPANT,
    P_FACILITATOR,
    P_HOME,
    P_CIRCLE,
    P_PEOPLE2,
    P_GROUPS2,
    P_GROUP,
    P_SEARCH,
    P_NOGROUP,
    P_MOVE,
    P_REFUSED,
    P_DIGEST,
    P_DIGEST1,
    P_REVIEW,
    P_REVIEW_ALL,
    P_PLENARY,
    P_REPORT_CSV,
    P_ROSTER_CSV,
    P_ATTENDANCE_CSV,
    P_API_GROUPS,
    P_API_REPORT,
    P_REBALANCE, /* last: it runs the planner over the whole circle */
    N_PAGES
};

static const char *const names[N_PAGES] = {
    "participant page",
    "facilitator page",
    "dashboard: circles",
    "dashboard: circle page",
    "dashboard: people, page 2",
    "dashboard: groups, page 2",
    "dashboard: one group's members",
    "dashboard: people search",
    "dashboard: people in no group",
    "dashboard: move form",
    "dashboard: move form after a refusal",
    "dashboard: notes digest",
    "dashboard: notes digest, week 1",
    "dashboard: circle's review queue",
    "dashboard: whole review queue",
    "dashboard: plenary",
    "download: report.csv",
    "download: roster.csv",
    "download: attendance.csv",
    "API: GET groups (JSON)",
    "API: GET report (JSON)",
    "dashboard: rebalance preview (the planner over the whole circle)",
};

struct figures {
    double plan_s;          /* import + plan, seconds */
    double ms[N_PAGES];     /* median of each page */
    size_t bytes[N_PAGES];  /* size of each page */
    long peak_kib[N_PAGES]; /* the daemon's peak while serving it */
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

/* Median milliseconds of `repeats` GETs of `path` (with the dashboard's
 * `cookie`, or the API's bearer `token`); *bytes its size. */
static double time_get(struct test_site *s, const char *path,
                       const char *cookie, const char *token, int repeats,
                       size_t *bytes)
{
    double *t = mg_xcalloc((size_t)repeats, sizeof(*t)), median;
    int i;

    *bytes = 0;
    for (i = 0; i < repeats; i++) {
        struct test_response resp;
        double t0 = now_s();

        if (token) {
            memset(&resp, 0, sizeof(resp));
            if (test_http(&resp, s->d.port, "GET", path, token, NULL, NULL) < 0)
                resp.status = 0;
        } else {
            test_site_page(&resp, s, "GET", path, cookie, NULL);
        }
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

/* The id of the first member of `g` (a group of the JSON answer) whose
 * role is, or is not, facilitator. */
static long long first_member(json_t *g, int facilitator)
{
    json_t *members = json_object_get(g, "members");
    size_t i;

    for (i = 0; i < json_array_size(members); i++) {
        json_t *m = json_array_get(members, i);
        const char *role = json_string_value(json_object_get(m, "role"));

        if (!role || (strcmp(role, "facilitator") == 0) != facilitator)
            continue;
        return json_integer_value(json_object_get(m, "id"));
    }
    return 0;
}

static int run(struct figures *f, int people, int repeats, long *peak)
{
    static const char *const sectors[] = {"public", "academic", "school",
                                          "special"};
    struct test_site s;
    struct test_site_opts opts = {0};
    struct mg_buf csv = MG_BUF_INIT;
    char path[160], *pages[2] = {NULL, NULL}, *cookie = NULL;
    char *paths[N_PAGES];
    long long circle, member = 0, facilitator = 0, group = 0, group2 = 0;
    long long plenary = 0;
    long status;
    json_t *doc;
    int k, rc = -1;
    double t0;

    memset(&s, 0, sizeof(s));
    memset(paths, 0, sizeof(paths));
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
    /* a member and the facilitator of the first group, and the second
     * group, from the first page of groups */
    snprintf(path, sizeof(path), "/api/v1/circles/%lld/groups?limit=2", circle);
    doc = test_site_call(&s, &status, "GET", path, NULL, NULL);
    if (doc) {
        json_t *groups = json_object_get(doc, "groups");
        json_t *g = json_array_get(groups, 0);

        facilitator = first_member(g, 1);
        member = first_member(g, 0);
        group = json_integer_value(json_object_get(g, "id"));
        group2 = json_integer_value(
            json_object_get(json_array_get(groups, 1), "id"));
    }
    json_decref(doc);
    if (!member || !facilitator || !group || !group2)
        goto out;
    snprintf(path, sizeof(path), "/api/v1/circles/%lld/plenaries", circle);
    doc = test_site_call(&s, &status, "POST", path,
                         "{\"title\":\"Kick-off\",\"start\":\"2027-03-16T19:"
                         "30\",\"capacity\":100}",
                         NULL);
    plenary = json_integer_value(json_object_get(doc, "id"));
    json_decref(doc);
    if (!plenary)
        goto out;
    pages[0] = mint_page(&s, circle, member);
    pages[1] = mint_page(&s, circle, facilitator);
    if (!pages[0] || !pages[1] ||
        test_site_dashboard_login(&s, s.token, &cookie, NULL, NULL) != 303 ||
        !cookie)
        goto out;
    paths[P_PARTICIPANT] = mg_xstrdup(pages[0]);
    paths[P_FACILITATOR] = mg_xstrdup(pages[1]);
    paths[P_HOME] = mg_xstrdup("/dashboard");
    paths[P_CIRCLE] = test_dashboard_path(circle, "%s", "");
    paths[P_PEOPLE2] = test_dashboard_path(circle, "?page=2");
    paths[P_GROUPS2] = test_dashboard_path(circle, "?gpage=2");
    paths[P_GROUP] = test_dashboard_path(circle, "?group=%lld", group);
    paths[P_SEARCH] = test_dashboard_path(circle, "?q=p%06d", people / 2);
    paths[P_NOGROUP] = test_dashboard_path(circle, "?group=none");
    paths[P_MOVE] = test_dashboard_path(circle, "/people/%lld/move", member);
    paths[P_REFUSED] = test_dashboard_path(
        circle, "/people/%lld/move?refused=%lld", member, group2);
    paths[P_REBALANCE] = test_dashboard_path(circle, "/rebalance");
    paths[P_DIGEST] = test_dashboard_path(circle, "/digest");
    paths[P_DIGEST1] = test_dashboard_path(circle, "/digest?week=1");
    paths[P_REVIEW] = test_dashboard_path(circle, "/review");
    paths[P_REVIEW_ALL] = mg_xstrdup("/dashboard/review");
    paths[P_PLENARY] = test_dashboard_path(circle, "/plenaries/%lld", plenary);
    paths[P_REPORT_CSV] = test_dashboard_path(circle, "/report.csv");
    paths[P_ROSTER_CSV] = test_dashboard_path(circle, "/roster.csv");
    paths[P_ATTENDANCE_CSV] = test_dashboard_path(circle, "/attendance.csv");
    paths[P_API_GROUPS] = test_circle_path(circle, "/groups");
    paths[P_API_REPORT] = test_circle_path(circle, "/report");
    wait_outbox(&s, circle);
    /* a daemon that only serves the circle: what the import and the plan
     * left in its heap is not the pages' */
    test_daemon_stop(&s.d, 15);
    if (test_site_serve(&s, &opts) < 0)
        goto out;
    rc = 0;
    for (k = 0; k < N_PAGES; k++) {
        /* a whole circle's worth: fewer repeats */
        int heavy = k >= P_REPORT_CSV;
        int times = heavy && repeats > 3 ? 3 : repeats;

        reset_peak(s.d.pid);
        f->ms[k] =
            time_get(&s, paths[k], k >= P_HOME ? cookie : NULL,
                     k == P_API_GROUPS || k == P_API_REPORT ? s.token : NULL,
                     times, &f->bytes[k]);
        f->peak_kib[k] = peak_kib(s.d.pid);
        if (f->peak_kib[k] > *peak && k != P_REBALANCE)
            *peak = f->peak_kib[k];
        if (f->ms[k] < 0)
            rc = -1;
    }
out:
    for (k = 0; k < N_PAGES; k++)
        free(paths[k]);
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
    printf("| what (median; the daemon's peak RSS while serving it) | 200 "
           "people | %d people |\n|---|---|---|\n",
           n);
    printf("| import and plan (API) | %.2f s | %.2f s |\n", small.plan_s,
           big.plan_s);
    for (k = 0; k < N_PAGES; k++)
        printf("| %s | %.1f ms, %.1f KB; %.0f MiB | %.1f ms, %.1f KB; %.0f "
               "MiB |\n",
               names[k], small.ms[k], small.bytes[k] / 1024.0,
               small.peak_kib[k] / 1024.0, big.ms[k], big.bytes[k] / 1024.0,
               big.peak_kib[k] / 1024.0);
    printf("| daemon peak RSS serving every page, download and API answer "
           "above but the rebalance preview | %.1f MiB | %.1f MiB |\n",
           peak_small / 1024.0, peak_big / 1024.0);
    printf("| ... and the rebalance preview | %.1f MiB | %.1f MiB |\n",
           small.peak_kib[P_REBALANCE] / 1024.0,
           big.peak_kib[P_REBALANCE] / 1024.0);
    return 0;
}
