/*
 * bench_retention.c: what purging a circle's personal data costs (issue
 * #19, item 5), end to end in a real `mingle serve` on a clock file: a
 * circle of 200 people, then one of N, each imported and planned over
 * the API (every invitation in the outbox, marked sent), with week 1's
 * attendance, an answer per person and a summary per group (written
 * straight into the database), its jobs done (its calls long past),
 * retention 1 day with summaries kept. The clock is moved past its
 * expiry and the daemon's daily look purges it; meanwhile a participant
 * of a third circle loads their page again and again. Prints the time
 * until the purge is seen finished and the page's latency (median and
 * worst) during it, beside the same page when the daemon is idle.
 * Figures only, never assertions.
 *
 *   ./build/tests/bench/bench_retention [N]  (default 50000)
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

#define DAY (24 * 60 * 60)
#define MAX_PAGES 100000 /* page latencies kept */

struct figures {
    double purge_s;           /* clock moved to purge seen finished */
    double work_s;            /* the purge's own time, from the log */
    int steps;                /* the purge's steps (a budget each) */
    double idle_ms;           /* the page, median, before */
    double busy_ms, worst_ms; /* the page during the purge */
    int pages;                /* pages loaded during it */
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
    if (n == 0)
        return -1;
    qsort(t, (size_t)n, sizeof(*t), by_value);
    return t[n / 2];
}

static void set_clock(const char *path, long long t)
{
    FILE *f = fopen(path, "w");

    if (f) {
        fprintf(f, "%lld\n", t);
        fclose(f);
    }
}

static int sql(const char *db, const char *text)
{
    sqlite3 *conn = NULL;
    int rc = sqlite3_open(db, &conn) == SQLITE_OK &&
                     sqlite3_busy_timeout(conn, 30000) == SQLITE_OK &&
                     sqlite3_exec(conn, text, NULL, NULL, NULL) == SQLITE_OK
                 ? 0
                 : -1;

    if (rc < 0)
        fprintf(stderr, "bench: %s\n", sqlite3_errmsg(conn));
    sqlite3_close(conn);
    return rc;
}

/* A circle of `people` starting `start` (a Tuesday), planned; its id. */
static long long circle_of(struct test_site *s, int people, const char *start,
                           const char *tag)
{
    struct mg_buf csv = MG_BUF_INIT;
    char *body = mg_xasprintf(
        "{\"title\":\"Bench %s\",\"time_zone\":\"Pacific/Auckland\","
        "\"start_date\":\"%s\",\"weeks\":4,\"group_size\":{\"min\":6,"
        "\"max\":8},\"slots\":[{\"weekday\":\"tuesday\",\"start\":\"19:30\","
        "\"minutes\":60}],\"organizer\":{\"name\":\"Coordinators\","
        "\"email\":\"circles@example.org\"}}",
        tag, start);
    long long circle = test_site_circle(s, body, NULL);
    char path[160];
    long status = 0;
    int k;

    free(body);
    if (!circle)
        return 0;
    mg_buf_puts(&csv, "name,email,role,sector,region\n");
    for (k = 1; k <= people; k++)
        mg_buf_printf(&csv,
                      "Person %s%06d,%s%06d@example.org,%s,public,Otago\n", tag,
                      k, tag, k, k % 8 == 0 ? "facilitator" : "participant");
    snprintf(path, sizeof(path), "/api/v1/circles/%lld/participants", circle);
    json_decref(test_site_call(s, &status, "POST", path, csv.data, "text/csv"));
    mg_buf_release(&csv);
    if (status != 201)
        return 0;
    snprintf(path, sizeof(path), "/api/v1/circles/%lld/groups/plan", circle);
    json_decref(test_site_call(s, &status, "POST", path, NULL, NULL));
    if (status != 201)
        return 0;
    snprintf(path, sizeof(path), "/api/v1/circles/%lld/reminders", circle);
    json_decref(
        test_site_call(s, &status, "PUT", path, "{\"enabled\":false}", NULL));
    return circle;
}

/* What a circle that ran holds: mail sent, week 1 attended, an answer
 * each, a summary per group naming its facilitator; its jobs done. */
static int history(const char *db, long long circle)
{
    char *text = mg_xasprintf(
        "UPDATE outbox SET status = 'sent', sent_at = 1 WHERE circle_id = "
        "%lld;"
        "UPDATE jobs SET status = 'done', done_at = 1 WHERE circle_id = %lld;"
        "INSERT OR IGNORE INTO attendance (session_id, participant_id, "
        "present, minutes, source, recorded_at) SELECT s.id, m.participant_id, "
        "1, 60, 'bench', 1 FROM sessions s JOIN memberships m ON m.group_id = "
        "s.group_id AND m.left_at IS NULL WHERE s.circle_id = %lld AND "
        "s.week = 1;"
        "INSERT OR IGNORE INTO rsvps (session_id, participant_id, status, "
        "source, updated_at) SELECT s.id, m.participant_id, 'accepted', "
        "'bench', 1 FROM sessions s JOIN memberships m ON m.group_id = "
        "s.group_id AND m.left_at IS NULL WHERE s.circle_id = %lld AND "
        "s.week = 2;"
        "INSERT INTO notes (circle_id, group_id, week, participant_id, kind, "
        "status, provider, from_name, from_email, subject, body, full_text, "
        "received_at) SELECT %lld, m.group_id, 1, p.id, 'summary', "
        "'published', 'mime', p.name, p.email, 'Week 1 from ' || p.name, "
        "p.name || ' led the call; we read the chapter.' || char(10) || "
        "'-- ' || char(10) || p.name, 'x', 1 FROM memberships m JOIN "
        "participants p ON p.id = m.participant_id WHERE p.circle_id = %lld "
        "AND p.role = 'facilitator' AND m.left_at IS NULL;",
        circle, circle, circle, circle, circle, circle);
    int rc = sql(db, text);

    free(text);
    return rc;
}

static double page_ms(struct test_site *s, const char *page)
{
    struct test_response resp;
    double t0 = now_s(), ms;

    memset(&resp, 0, sizeof(resp));
    test_site_page(&resp, s, "GET", page, NULL, NULL);
    ms = (now_s() - t0) * 1000;
    if (resp.status != 200)
        ms = -1;
    test_response_release(&resp);
    return ms;
}

/* The purge's own time: the "ms" of the daemon's log lines about it. */
static void work_of(struct figures *f, struct test_site *s, long long circle)
{
    char *log = test_daemon_log(&s->d), *p, want[48];

    snprintf(want, sizeof(want), "circle=%lld ", circle);
    f->work_s = 0;
    f->steps = 0;
    for (p = log; p && (p = strstr(p, "personal data ")); p++) {
        char *eol = strchr(p, '\n'), *c = strstr(p, want),
             *ms = strstr(p, " ms=");

        if (c && ms && (!eol || (c < eol && ms < eol))) {
            f->work_s += atof(ms + 4) / 1000;
            f->steps++;
        }
    }
    free(log);
}

/* Purge `circle` by moving the clock to `when`; fills f. */
static int purge(struct figures *f, struct test_site *s, const char *clock,
                 long long circle, long long when, const char *page)
{
    double *t = mg_xcalloc(MAX_PAGES, sizeof(*t)), t0;
    char path[160];
    int n = 0, i, done = 0;

    for (i = 0; i < 21; i++)
        t[i] = page_ms(s, page);
    f->idle_ms = median(t, 21);
    f->worst_ms = 0;
    snprintf(path, sizeof(path), "/api/v1/circles/%lld/retention", circle);
    t0 = now_s();
    set_clock(clock, when);
    while (!done && now_s() - t0 < 900) {
        long status;
        json_t *doc;

        for (i = 0; i < 10; i++) {
            double ms = page_ms(s, page);

            if (n < MAX_PAGES)
                t[n++] = ms;
            if (ms > f->worst_ms)
                f->worst_ms = ms;
        }
        doc = test_site_call(s, &status, "GET", path, NULL, NULL);
        done = json_is_integer(json_object_get(doc, "purged_at"));
        json_decref(doc);
        if (!done)
            usleep(20 * 1000);
    }
    f->purge_s = now_s() - t0;
    usleep(200 * 1000);
    work_of(f, s, circle);
    f->pages = n;
    f->busy_ms = median(t, n);
    free(t);
    return done ? 0 : -1;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 50000;
    struct test_site s;
    struct figures f[2];
    char *clock, *env_clock, *page = NULL, path[160];
    long long other, circles[2], person;
    long status;
    json_t *doc;
    const char *const starts[2] = {"2027-03-02", "2027-09-07"};
    /* each circle's end (2027-03-30 and 2027-10-05, the end of its
     * fourth week) plus its day, and a day more */
    const long long when[2] = {1806364800LL + 2 * DAY, 1822694400LL + 2 * DAY};
    int k;

    memset(&s, 0, sizeof(s));
    if (test_site_init(&s, "bench.db") < 0)
        return 1;
    clock = mg_xasprintf("%s/clock", s.dir);
    env_clock = mg_xasprintf("MINGLE_CLOCK_FILE=%s", clock);
    set_clock(clock, 1803859200LL); /* 2027-03-01 */
    {
        const char *env[] = {env_clock, NULL};
        const struct test_site_opts opts = {.maildir = 1, .env = env};

        if (test_site_serve(&s, &opts) < 0)
            return 1;
    }
    /* the page timed: a participant of a small circle kept by hand */
    other = circle_of(&s, 40, "2027-03-02", "o");
    snprintf(path, sizeof(path), "/api/v1/circles/%lld/retention", other);
    json_decref(
        test_site_call(&s, &status, "PUT", path, "{\"days\":null}", NULL));
    person = test_site_person(&s, other, "o000001@example.org");
    snprintf(path, sizeof(path), "/api/v1/circles/%lld/participants/%lld/page",
             other, person);
    doc = test_site_call(&s, &status, "POST", path, NULL, NULL);
    if (json_string_value(json_object_get(doc, "url")))
        page = mg_xstrdup(
            strstr(json_string_value(json_object_get(doc, "url")), "/p/"));
    json_decref(doc);
    if (!page)
        return 1;
    for (k = 0; k < 2; k++) {
        char tag[8];
        double t0 = now_s();

        snprintf(tag, sizeof(tag), "%c", k ? 'n' : 'a');
        circles[k] = circle_of(&s, k ? n : 200, starts[k], tag);
        if (!circles[k] || history(s.db, circles[k]) < 0)
            return 1;
        snprintf(path, sizeof(path), "/api/v1/circles/%lld/retention",
                 circles[k]);
        json_decref(test_site_call(&s, &status, "PUT", path,
                                   "{\"days\":1,\"keep_summaries\":true}",
                                   NULL));
        fprintf(stderr, "bench: circle of %d set up in %.1f s\n", k ? n : 200,
                now_s() - t0);
        /* a quiet daemon, as after a year */
        test_daemon_stop(&s.d, 15);
        {
            const char *env[] = {env_clock, NULL};
            const struct test_site_opts opts = {.maildir = 1, .env = env};

            if (test_site_serve(&s, &opts) < 0)
                return 1;
        }
        if (purge(&f[k], &s, clock, circles[k], when[k], page) < 0) {
            fprintf(stderr, "bench: the purge of %lld did not finish\n",
                    circles[k]);
            return 1;
        }
    }
    printf("purging a circle's personal data in the daemon (200 people / "
           "%d)\n",
           n);
    printf("  the purge's own time (steps of at most 0.5 s): %.2f s in %d / "
           "%.2f s in %d\n",
           f[0].work_s, f[0].steps, f[1].work_s, f[1].steps);
    printf("  clock moved to purge seen finished (the scheduler looks each "
           "second on a test clock): %.2f s / %.2f s\n",
           f[0].purge_s, f[1].purge_s);
    printf("  a participant page meanwhile, median (idle before): %.1f ms "
           "(%.1f) / %.1f ms (%.1f)\n",
           f[0].busy_ms, f[0].idle_ms, f[1].busy_ms, f[1].idle_ms);
    printf("  slowest page meanwhile: %.1f ms / %.1f ms; pages served: %d / "
           "%d\n",
           f[0].worst_ms, f[1].worst_ms, f[0].pages, f[1].pages);
    test_site_stop(&s, 15);
    free(clock);
    free(env_clock);
    free(page);
    return 0;
}
