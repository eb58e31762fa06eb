/*
 * bench_person_self.c: what a participant's own part costs as a circle
 * grows (issue #18, item 11), end to end: a real `mingle serve`, circles
 * of 200 and of N people imported and planned over the API, their
 * invitations delivered to a maildir. Timed over HTTP, each the median
 * of `repeats`: the participant's page; saving a new time zone (applied
 * at once); asking to be moved (a move request); adding a note to a
 * week; the dashboard's circle page; then, with every person of the circle
 * asking to be moved (rows written straight into the database), the dashboard's
 * circle page, the API's first page of move requests and the participant's page
 * again; and leaving (each a different person: CANCELs queued, the coordinator
 * mailed). Prints each beside the 200-person figure; a step the daemon
 * does not know (an older binary, run through MINGLE_TEST_WRAPPER) is
 * "-". Figures only, never assertions.
 *
 *   ./build/tests/bench/bench_person_self [N] [repeats]  (default 20000, 20)
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
#include "support.h"

enum step {
    S_PAGE,
    S_ZONE,
    S_ASK,
    S_NOTE,
    S_DASH0,
    S_DASH,
    S_API,
    S_PAGE_ASKED,
    S_LEAVE,
    N_STEPS
};

static const char *const names[] = {
    "participant page (GET)",
    "save a new time zone (POST, 303)",
    "ask to be moved (POST, 303: a move request)",
    "add a note to a week (POST, 303)",
    "dashboard circle page",
    "dashboard circle page, everyone asking to be moved",
    "API: first page of open move requests",
    "participant page, everyone asking to be moved",
    "leave the circle (POST confirm, 303)",
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

/* One request; milliseconds, or -1 unless it answered `want`. */
static double timed(struct test_site *s, const char *method, const char *path,
                    const char *cookie, const char *token, const char *form,
                    long want)
{
    struct test_response resp;
    double t0 = now_s(), ms;

    memset(&resp, 0, sizeof(resp));
    if (token) {
        if (test_http(&resp, s->d.port, method, path, token, NULL, NULL) < 0)
            resp.status = 0;
    } else {
        test_site_page(&resp, s, method, path, cookie, form);
    }
    ms = (now_s() - t0) * 1000;
    if (resp.status != want)
        ms = -1;
    test_response_release(&resp);
    return ms;
}

/* Wait (up to four minutes) until the plan's invitations are all
 * delivered (none queued, none being sent), so nothing else runs while
 * the steps are timed. */
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

/* Every person of the circle asks to be moved (one statement). */
static int everyone_asks(const char *db, long long circle)
{
    sqlite3 *conn = NULL;
    char *sql = mg_xasprintf(
        "INSERT INTO move_requests (circle_id, participant_id, slots, "
        "threads, note, status, created_at) SELECT circle_id, id, '', '1', "
        "'bench', 'open', strftime('%%s') FROM participants WHERE circle_id = "
        "%lld AND id NOT IN (SELECT participant_id FROM move_requests WHERE "
        "status = 'open')",
        circle);
    int rc = sqlite3_open(db, &conn) == SQLITE_OK &&
                     sqlite3_busy_timeout(conn, 10000) == SQLITE_OK &&
                     sqlite3_exec(conn, sql, NULL, NULL, NULL) == SQLITE_OK
                 ? 0
                 : -1;

    sqlite3_close(conn);
    free(sql);
    return rc;
}

static int run(double *ms, int people, int repeats)
{
    struct test_site s;
    struct test_site_opts opts = {.maildir = 1};
    struct mg_buf csv = MG_BUF_INIT;
    char path[160], *page = NULL, *cookie = NULL, *form, *post, *dash, *api;
    char **leavers;
    double *t = mg_xcalloc((size_t)repeats, sizeof(*t));
    long long circle, slots[2] = {0, 0};
    long status;
    json_t *doc;
    int k, i, rc = -1, n_leavers = 0;

    leavers = mg_xcalloc((size_t)repeats, sizeof(*leavers));
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
        "\"minutes\":60},{\"weekday\":\"thursday\",\"start\":\"07:00\","
        "\"minutes\":60}],\"organizer\":{\"name\":\"Coordinators\","
        "\"email\":\"circles@example.org\"}}",
        &doc);
    if (!circle)
        goto out;
    slots[0] = json_integer_value(json_object_get(
        json_array_get(json_object_get(doc, "slots"), 0), "id"));
    slots[1] = json_integer_value(json_object_get(
        json_array_get(json_object_get(doc, "slots"), 1), "id"));
    json_decref(doc);
    snprintf(path, sizeof(path), "/api/v1/circles/%lld/book?name=b.md", circle);
    doc = test_site_call(&s, &status, "POST", path,
                         "# Thread: Rivers\n\na b c\n\n# Thread: Hills\n\nd e "
                         "f\n\n# Thread: Towns\n\ng h i\n",
                         "text/markdown");
    json_decref(doc);
    mg_buf_puts(&csv, "name,email,role,slots\n");
    for (k = 1; k <= people; k++)
        mg_buf_printf(&csv, "Person %06d,p%06d@example.org,%s,tuesday 19:30\n",
                      k, k, k % 10 == 0 ? "facilitator" : "participant");
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
    /* a daemon that only serves the circle, as bench_pages does */
    test_daemon_stop(&s.d, 15);
    if (test_site_serve(&s, &opts) < 0)
        goto out;
    /* member ids by address: p000001 is a participant in a group; the
     * leavers p000002.. */
    page = mint_page(&s, circle,
                     test_site_person(&s, circle, "p000001@example.org"));
    for (i = 0; i < repeats; i++) {
        char email[32];

        snprintf(email, sizeof(email), "p%06d@example.org", 2 + i + i / 8);
        leavers[n_leavers++] =
            mint_page(&s, circle, test_site_person(&s, circle, email));
    }
    if (!page ||
        test_site_dashboard_login(&s, s.token, &cookie, NULL, NULL) != 303)
        goto out;
    rc = 0;
    for (i = 0; i < repeats; i++)
        t[i] = timed(&s, "GET", page, NULL, NULL, NULL, 200);
    ms[S_PAGE] = median(t, repeats);
    post = mg_xasprintf("%s/profile", page);
    for (i = 0; i < repeats; i++) {
        form =
            mg_xasprintf("time_zone=%s&slot=%lld",
                         i % 2 ? "Asia%2FTokyo" : "Europe%2FLondon", slots[0]);
        t[i] = timed(&s, "POST", post, NULL, NULL, form, 303);
        free(form);
    }
    ms[S_ZONE] = t[0] < 0 ? -1 : median(t, repeats);
    for (i = 0; i < repeats; i++) {
        form = mg_xasprintf("time_zone=Europe%%2FLondon&slot=%lld&thread=%d",
                            slots[1], 1 + i % 3);
        t[i] = timed(&s, "POST", post, NULL, NULL, form, 303);
        free(form);
    }
    ms[S_ASK] = t[0] < 0 ? -1 : median(t, repeats);
    free(post);
    post = mg_xasprintf("%s/note", page);
    for (i = 0; i < repeats; i++) {
        form = mg_xasprintf("week=2&text=note+number+%d", i);
        t[i] = timed(&s, "POST", post, NULL, NULL, form, 303);
        free(form);
    }
    ms[S_NOTE] = t[0] < 0 ? -1 : median(t, repeats);
    free(post);
    dash = test_dashboard_path(circle, "%s", "");
    for (i = 0; i < repeats; i++)
        t[i] = timed(&s, "GET", dash, cookie, NULL, NULL, 200);
    ms[S_DASH0] = median(t, repeats);
    if (everyone_asks(s.db, circle) == 0) {
        api = test_circle_path(circle, "/move-requests");
        for (i = 0; i < repeats; i++)
            t[i] = timed(&s, "GET", dash, cookie, NULL, NULL, 200);
        ms[S_DASH] = median(t, repeats);
        for (i = 0; i < repeats; i++)
            t[i] = timed(&s, "GET", api, NULL, s.token, NULL, 200);
        ms[S_API] = median(t, repeats);
        for (i = 0; i < repeats; i++)
            t[i] = timed(&s, "GET", page, NULL, NULL, NULL, 200);
        ms[S_PAGE_ASKED] = median(t, repeats);
        free(api);
    }
    free(dash);
    for (i = 0; i < n_leavers && leavers[i]; i++) {
        post = mg_xasprintf("%s/leave", leavers[i]);
        t[i] = timed(&s, "POST", post, NULL, NULL, "confirm=yes", 303);
        free(post);
    }
    ms[S_LEAVE] = i == repeats && t[0] >= 0 ? median(t, repeats) : -1;
out:
    for (i = 0; i < n_leavers; i++)
        free(leavers[i]);
    free(leavers);
    free(t);
    free(page);
    free(cookie);
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
    int n = argc > 1 ? atoi(argv[1]) : 20000;
    int repeats = argc > 2 ? atoi(argv[2]) : 20;
    double small[N_STEPS], big[N_STEPS];
    int k;

    if (n < 200 || repeats < 1 || repeats > 100) {
        fprintf(stderr, "usage: bench_person_self [N >= 200] [repeats "
                        "1..100]\n");
        return 2;
    }
    if (run(small, 200, repeats) < 0 || run(big, n, repeats) < 0) {
        fprintf(stderr, "bench_person_self: a run failed\n");
        return 1;
    }
    printf("| what (median of %d) | 200 people | %d people |\n|---|---|---|\n",
           repeats, n);
    for (k = 0; k < N_STEPS; k++) {
        printf("| %s |", names[k]);
        cell(small[k]);
        cell(big[k]);
        printf("\n");
    }
    return 0;
}
