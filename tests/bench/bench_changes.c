/*
 * bench_changes.c: what one change to a planned circle costs as the
 * circle grows, end to end through a real `mingle serve`: a circle of 200
 * and one of N people imported and planned over the API (their
 * invitations delivered first), then, each `repeats` times on different
 * groups, a withdrawal (its cancellation queued), a PATCH of one
 * person's region, a PATCH that calls off one session (its group's
 * updates queued), and a join: a new participant POSTed and placed by
 * POST .../groups/rebalance, which must answer with their invitation
 * queued (the join follows the withdrawal, as a week's churn does, so
 * the circle has room for them). Prints the median of each beside the
 * 200-person figure, and the size of the rebalance's answer. Figures only,
 * never assertions.
 *
 *   ./build/tests/bench/bench_changes [N] [repeats]   (default 50000, 10)
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

enum { WITHDRAW, REGION, SESSION, JOIN, N_FIGURES };

static const char *const names[N_FIGURES] = {
    "withdraw one person (cancellation queued)", "PATCH one person's region",
    "PATCH one session (updates queued)",
    "join: POST a person + rebalance (placed, invitation queued)"};

struct figures {
    double plan_s;           /* import + plan, seconds */
    double ms[N_FIGURES];    /* median of each change */
    int failures[N_FIGURES]; /* answers that were not what they should be */
    size_t rebalance_bytes;  /* the last rebalance's answer */
    long long last_queued;   /* invitations the last join queued */
    int fast_path;           /* rebalances that did not load the circle */
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

/* Wait (up to five minutes) until what was queued is delivered, so the
 * changes are timed without the sender at work beside them. */
static void wait_outbox(struct test_site *s, long long circle)
{
    char path[128];
    int i;

    snprintf(path, sizeof(path), "/api/v1/circles/%lld/outbox?status=queued",
             circle);
    for (i = 0; i < 3000; i++) {
        long status;
        json_t *doc = test_site_call(s, &status, "GET", path, NULL, NULL);
        size_t left = json_array_size(json_object_get(doc, "messages"));

        json_decref(doc);
        if (status != 200 || left == 0)
            return;
        usleep(100 * 1000);
    }
}

/* One timed call; its status and (when `doc` is not NULL) its answer. */
static double timed(struct test_site *s, long *status, json_t **doc,
                    const char *method, const char *path, const char *body)
{
    double t0 = now_s();
    json_t *d = test_site_call(s, status, method, path, body,
                               body ? "application/json" : NULL);
    double ms = (now_s() - t0) * 1000;

    if (doc)
        *doc = d;
    else
        json_decref(d);
    return ms;
}

/* The answer's bytes as the daemon sent them (compact JSON). */
static size_t json_bytes(const json_t *doc)
{
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    size_t n = text ? strlen(text) : 0;

    free(text);
    return n;
}

static int run(struct figures *f, int people, int repeats)
{
    static const char *const sectors[] = {"public", "academic", "school",
                                          "special"};
    struct test_site s;
    struct test_site_opts opts = {0};
    struct mg_buf csv = MG_BUF_INIT;
    char path[200], body[300];
    long long circle, *leaving, *moving, *sessions;
    double *t[N_FIGURES];
    long status;
    json_t *doc, *groups, *list;
    size_t i;
    int k, rc = -1;
    double t0;

    memset(&s, 0, sizeof(s));
    leaving = mg_xcalloc((size_t)repeats, sizeof(*leaving));
    moving = mg_xcalloc((size_t)repeats, sizeof(*moving));
    sessions = mg_xcalloc((size_t)repeats, sizeof(*sessions));
    for (k = 0; k < N_FIGURES; k++)
        t[k] = mg_xcalloc((size_t)repeats, sizeof(*t[k]));
    opts.maildir = 1;
    if (test_site_start(&s, "bench.db", &opts) < 0)
        goto out;
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
    /* two members (not facilitators) of each of the first groups */
    snprintf(path, sizeof(path), "/api/v1/circles/%lld/groups", circle);
    doc = test_site_call(&s, &status, "GET", path, NULL, NULL);
    groups = json_object_get(doc, "groups");
    if ((int)json_array_size(groups) < repeats) {
        fprintf(stderr, "fewer groups than repeats\n");
        json_decref(doc);
        goto out;
    }
    for (k = 0; k < repeats; k++) {
        json_t *members =
            json_object_get(json_array_get(groups, (size_t)k), "members");
        for (i = 0; i < json_array_size(members); i++) {
            json_t *m = json_array_get(members, i);
            const char *role = json_string_value(json_object_get(m, "role"));
            long long id = json_integer_value(json_object_get(m, "id"));
            if (role && strcmp(role, "facilitator") == 0)
                continue;
            if (!leaving[k])
                leaving[k] = id;
            else if (!moving[k])
                moving[k] = id;
        }
    }
    json_decref(doc);
    /* week 2's session of each of the first groups */
    snprintf(path, sizeof(path), "/api/v1/circles/%lld/sessions", circle);
    doc = test_site_call(&s, &status, "GET", path, NULL, NULL);
    list = json_is_array(doc) ? doc : json_object_get(doc, "sessions");
    for (i = 0, k = 0; i < json_array_size(list) && k < repeats; i++) {
        json_t *row = json_array_get(list, i);
        if (json_integer_value(json_object_get(row, "week")) == 2)
            sessions[k++] = json_integer_value(json_object_get(row, "id"));
    }
    json_decref(doc);
    for (k = 0; k < repeats; k++)
        if (!leaving[k] || !moving[k] || !sessions[k]) {
            fprintf(stderr, "no member or session for group %d\n", k + 1);
            goto out;
        }
    wait_outbox(&s, circle);

    /* a week of one circle: one leaves, one changes region, a call is
     * called off, one joins (and is placed where the leaver left room) */
    for (k = 0; k < repeats; k++) {
        json_t *answer = NULL;
        double ms;

        snprintf(path, sizeof(path),
                 "/api/v1/circles/%lld/participants/%lld/withdraw", circle,
                 leaving[k]);
        t[WITHDRAW][k] = timed(&s, &status, NULL, "POST", path, NULL);
        f->failures[WITHDRAW] += status != 200;

        snprintf(path, sizeof(path), "/api/v1/circles/%lld/participants/%lld",
                 circle, moving[k]);
        t[REGION][k] =
            timed(&s, &status, NULL, "PATCH", path, "{\"region\":\"East\"}");
        f->failures[REGION] += status != 200;

        snprintf(path, sizeof(path), "/api/v1/circles/%lld/sessions/%lld",
                 circle, sessions[k]);
        t[SESSION][k] = timed(&s, &status, NULL, "PATCH", path,
                              "{\"status\":\"cancelled\"}");
        f->failures[SESSION] += status != 200;

        snprintf(path, sizeof(path), "/api/v1/circles/%lld/participants",
                 circle);
        snprintf(body, sizeof(body),
                 "{\"name\":\"Newcomer %d\",\"email\":\"new%d@example.org\","
                 "\"sector\":\"public\",\"region\":\"North\"}",
                 k, k);
        ms = timed(&s, &status, NULL, "POST", path, body);
        f->failures[JOIN] += status != 201;
        snprintf(path, sizeof(path), "/api/v1/circles/%lld/groups/rebalance",
                 circle);
        ms += timed(&s, &status, &answer, "POST", path, NULL);
        t[JOIN][k] = ms;
        f->last_queued =
            json_integer_value(json_object_get(answer, "invitations_queued"));
        f->failures[JOIN] += status != 201 || f->last_queued < 1;
        f->fast_path += json_is_true(json_object_get(answer, "fast_path"));
        f->rebalance_bytes = json_bytes(answer);
        json_decref(answer);
        wait_outbox(&s, circle);
    }
    for (k = 0; k < N_FIGURES; k++)
        f->ms[k] = median(t[k], repeats);
    rc = 0;
out:
    for (k = 0; k < N_FIGURES; k++)
        free(t[k]);
    free(leaving);
    free(moving);
    free(sessions);
    mg_buf_release(&csv);
    test_site_stop(&s, 15);
    return rc;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 50000;
    int repeats = argc > 2 ? atoi(argv[2]) : 10;
    struct figures small, big;
    int k;

    memset(&small, 0, sizeof(small));
    memset(&big, 0, sizeof(big));
    if (n < 200 || repeats < 1 || repeats > 16) {
        fprintf(stderr, "usage: bench_changes [N >= 200] [repeats 1-16]\n");
        return 2;
    }
    if (run(&small, 200, repeats) < 0 || run(&big, n, repeats) < 0) {
        fprintf(stderr, "bench_changes: a run failed\n");
        return 1;
    }
    printf("| what (median of %d, ms) | 200 people | %d people |\n"
           "|---|---|---|\n",
           repeats, n);
    printf("| import and plan (API), s | %.2f | %.2f |\n", small.plan_s,
           big.plan_s);
    for (k = 0; k < N_FIGURES; k++)
        printf("| %s | %.1f%s | %.1f%s |\n", names[k], small.ms[k],
               small.failures[k] ? " (FAILED)" : "", big.ms[k],
               big.failures[k] ? " (FAILED)" : "");
    printf("| rebalance answer after a join | %.1f KB | %.1f KB |\n",
           small.rebalance_bytes / 1024.0, big.rebalance_bytes / 1024.0);
    printf("| joins placed without loading the circle | %d of %d | %d of %d "
           "|\n",
           small.fast_path, repeats, big.fast_path, repeats);
    return 0;
}
