/*
 * test_scheduler_rounds.c: issue #19's scheduler review, through the
 * real daemon on a clock file (MINGLE_CLOCK_FILE). The scheduler thread
 * runs the survey openings (item 1) and the certificates mailed at a
 * circle's close (item 2) for every circle; here one circle's mail cannot
 * be written (a trigger in the store makes queuing its mail fail with a
 * database error, as a full disk would), and:
 *
 *   - the circle after it still gets its survey and its certificates,
 *     and the failing circle is logged by id (no address) and put off,
 *     so the failure is logged a bounded number of times in seconds
 *     rather than the scheduler retrying it in a tight loop; once the
 *     store works again it gets its mails when its wait is over (its
 *     survey then, its certificates later, each broken again);
 *   - a circle of 1,000 mails its certificates at close in batches over
 *     many wakes (its cursor in the store advances step by step), a
 *     survey opened meanwhile goes out before the mailing is done, a
 *     stop in the middle does not wait for the rest, and after a restart
 *     the mailing goes on from its cursor: each person gets exactly one.
 *
 * Every test here fails before the fix: the first failing circle was
 * first again on every pass (nothing after it went), a failing survey
 * round spun the thread, and a circle's certificates went in one call.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
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
#include "support.h"

#define DAY (24 * 60 * 60)
/* 2027-03-01 00:00 UTC: before any call */
#define T0 1803859200LL
/* the survey of the broken circle opens at 2027-03-02 00:00 UTC, the
 * fine circle's five minutes later */
#define OPENS_UTC (T0 + DAY)
/* 2027-03-31 00:00 UTC: both calls of the small circles are over */
#define AFTER_CALLS 1806451200LL
/* 2027-04-12 00:00 UTC: the large circle's call (6 April) too */
#define AFTER_LARGE 1807488000LL
#define LARGE 1000

#define CIRCLE_JSON(title, slug, start, weeks)                                 \
    "{\"title\":\"" title "\",\"slug\":\"" slug "\",\"time_zone\":"            \
    "\"Pacific/Auckland\",\"start_date\":\"" start "\",\"weeks\":" weeks       \
    ",\"group_size\":{\"min\":2,\"max\":1000},\"slots\":[{\"weekday\":"        \
    "\"tuesday\",\"start\":\"19:30\",\"minutes\":60}],"                        \
    "\"organizer\":{\"name\":\"Coordinators\",\"email\":"                      \
    "\"circles@example.org\"}}"

struct world {
    struct test_site site;
    struct test_site_opts opts;
    const char *env[2];
    char *env_clock;
    char *clock;
    sqlite3 *db;
    long long broken, fine, large, later;
};

static struct world *W;

static void set_clock(long long t)
{
    FILE *f = fopen(W->clock, "w");

    assert_non_null(f);
    fprintf(f, "%lld\n", t);
    fclose(f);
}

static long long query_int(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static long long query_int(const char *fmt, ...)
{
    sqlite3_stmt *stmt = NULL;
    long long v = -1;
    va_list ap;
    char *sql;

    va_start(ap, fmt);
    if (vasprintf(&sql, fmt, ap) < 0)
        sql = NULL;
    va_end(ap);
    assert_non_null(sql);
    if (sqlite3_prepare_v2(W->db, sql, -1, &stmt, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(W->db));
    if (sqlite3_step(stmt) == SQLITE_ROW)
        v = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    free(sql);
    return v;
}

static void exec_sql(const char *sql)
{
    char *err = NULL;

    if (sqlite3_exec(W->db, sql, NULL, NULL, &err) != SQLITE_OK)
        fail_msg("%s: %s", sql, err);
}

static void put(long long circle, const char *what, const char *body)
{
    char *path = test_circle_path(circle, "%s", what);
    long status = 0;
    json_t *doc = test_site_call(&W->site, &status, "PUT", path, body, NULL);

    assert_int_equal(status, 200);
    json_decref(doc);
    free(path);
}

/* A planned circle of the people in `csv`, everyone recorded present at
 * week 1's call (each has a certificate); its id, or 0. */
static long long planned(const char *json, const char *csv)
{
    long long circle = test_site_circle(&W->site, json, NULL), week1 = 0;
    char *path, *list;
    json_t *doc, *people;
    long status = 0;
    size_t i;
    struct mg_buf ids = MG_BUF_INIT;

    if (!circle || test_site_plan(&W->site, circle, csv, &week1, 1) < 1)
        return 0;
    path = test_circle_path(circle, "/participants?limit=1000");
    doc = test_site_call(&W->site, &status, "GET", path, NULL, NULL);
    free(path);
    people = json_object_get(doc, "participants");
    for (i = 0; i < json_array_size(people); i++)
        mg_buf_printf(&ids, "%s%lld", i ? ", " : "",
                      (long long)json_integer_value(
                          json_object_get(json_array_get(people, i), "id")));
    json_decref(doc);
    list = mg_xasprintf("{\"present\": [%s]}", ids.data ? ids.data : "");
    mg_buf_release(&ids);
    path = test_circle_path(circle, "/sessions/%lld/attendance", week1);
    doc = test_site_call(&W->site, &status, "POST", path, list, NULL);
    json_decref(doc);
    free(path);
    free(list);
    return status >= 200 && status <= 299 ? circle : 0;
}

static int setup_world(void **state)
{
    struct world *w = mg_xcalloc(1, sizeof(*w));
    struct mg_buf csv = MG_BUF_INIT;
    int i;

    W = w;
    *state = w;
    if (test_site_init(&w->site, "rounds.db") < 0)
        return -1;
    w->clock = mg_xasprintf("%s/clock", w->site.dir);
    set_clock(T0);
    w->env_clock = mg_xasprintf("MINGLE_CLOCK_FILE=%s", w->clock);
    w->env[0] = w->env_clock;
    w->env[1] = NULL;
    w->opts.env = w->env;
    if (test_site_serve(&w->site, &w->opts) < 0)
        return -1;
    /* the broken circle first: its id, its survey and its close come
     * first, so before the fix it stood in front of the others */
    w->broken = planned(CIRCLE_JSON("Broken", "broken", "2027-03-22", "2"),
                        "name,email,role\nAroha,aroha@example.org,"
                        "facilitator\nBrin,brin@example.org,\n"
                        "Cato,cato@example.org,\n");
    w->fine = planned(CIRCLE_JSON("Fine", "fine", "2027-03-22", "2"),
                      "name,email,role\nDara,dara@example.org,facilitator\n"
                      "Eru,eru@example.org,\nFen,fen@example.org,\n");
    mg_buf_printf(&csv, "name,email,role\nLead,lead@example.org,facilitator\n");
    for (i = 1; i < LARGE; i++)
        mg_buf_printf(&csv, "Reader %d,reader%d@example.org,\n", i, i);
    w->large =
        planned(CIRCLE_JSON("Large", "large", "2027-04-05", "1"), csv.data);
    mg_buf_release(&csv);
    w->later = planned(CIRCLE_JSON("Later", "later", "2027-04-05", "1"),
                       "name,email,role\nGus,gus@example.org,facilitator\n"
                       "Hemi,hemi@example.org,\n");
    if (!w->broken || !w->fine || !w->large || !w->later)
        return -1;
    if (sqlite3_open_v2(w->site.db, &w->db, SQLITE_OPEN_READWRITE, NULL) !=
        SQLITE_OK)
        return -1;
    sqlite3_busy_timeout(w->db, 10000);
    return 0;
}

static int teardown_world(void **state)
{
    struct world *w = *state;

    sqlite3_close(w->db);
    test_site_stop(&w->site, SIGTERM);
    free(w->env_clock);
    free(w->clock);
    free(w);
    return 0;
}

/* From now on queuing circle `circle`'s mail fails with a database
 * error (SQLite's "integer overflow"), as it would on a full disk. */
static void break_circle(long long circle)
{
    char *trigger = mg_xasprintf(
        "CREATE TRIGGER IF NOT EXISTS test_broken BEFORE INSERT ON outbox WHEN "
        "NEW.circle_id = %lld BEGIN SELECT abs(-9223372036854775807 - 1); "
        "END",
        circle);

    exec_sql(trigger);
    free(trigger);
}

/* How many times the daemon logged `what` so far. */
static int log_count(const char *what)
{
    char *log = test_daemon_log(&W->site.d);
    const char *p = log;
    int n = 0;

    while (p && (p = strstr(p, what))) {
        n++;
        p += strlen(what);
    }
    free(log);
    return n;
}

/* The daemon's log lines holding `what`: none holds an address. */
static void check_lines_without_address(const char *what)
{
    char *log = test_daemon_log(&W->site.d), *line, *save = NULL;
    int n = 0;

    for (line = strtok_r(log, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save))
        if (strstr(line, what)) {
            assert_null(strstr(line, "@"));
            n++;
        }
    assert_true(n > 0);
    free(log);
}

static long long outbox(const char *kind, long long circle)
{
    return query_int("SELECT count(*) FROM outbox WHERE kind = '%s' AND "
                     "circle_id = %lld",
                     kind, circle);
}

/* Wait (at most ten seconds, longer under valgrind) until circle's
 * outbox holds `want` mails of `kind`. */
static long long wait_outbox(const char *kind, long long circle, long long want)
{
    int i;

    for (i = 0; i < 100 * test_slowdown() && outbox(kind, circle) < want; i++)
        usleep(100 * 1000);
    return outbox(kind, circle);
}

/* Review items 1 and 2, survey: one circle's opening fails; the next
 * circle's survey still goes, the failure is logged by circle and put
 * off instead of retried in a tight loop. */
static void test_survey_past_failing_circle(void **state)
{
    char id[32];
    int before, after;
    (void)state;

    put(W->broken, "/survey", "{\"opens_at\": \"2027-03-02T13:00\"}");
    put(W->fine, "/survey", "{\"opens_at\": \"2027-03-02T13:05\"}");
    break_circle(W->broken);

    set_clock(OPENS_UTC + 600);
    assert_int_equal(wait_outbox("survey_open", W->fine, 3), 3);
    assert_int_equal(outbox("survey_open", W->broken), 0);
    /* logged by circle, with no address */
    snprintf(id, sizeof(id), "circle=%lld", W->broken);
    check_lines_without_address("survey: opening failed");
    {
        char *log = test_daemon_log(&W->site.d);
        assert_non_null(strstr(log, id));
        free(log);
    }
    /* no tight loop: over three seconds the failure comes back a few
     * times at most (it spun thousands of times before) */
    before = log_count("integer overflow");
    sleep(3);
    after = log_count("integer overflow");
    assert_true(before >= 1);
    assert_true(after - before <= 2);
    /* put off: its job is due again later, not now */
    assert_true(query_int("SELECT due_at FROM survey_jobs WHERE circle_id = "
                          "%lld",
                          W->broken) > OPENS_UTC + 600);

    /* mended: when its wait is over, its survey goes, once each */
    exec_sql("DROP TRIGGER test_broken");
    set_clock(OPENS_UTC + 1800);
    assert_int_equal(wait_outbox("survey_open", W->broken, 3), 3);
    sleep(2);
    assert_int_equal(outbox("survey_open", W->broken), 3);
    assert_int_equal(outbox("survey_open", W->fine), 3);
}

/* Review items 1 and 2, certificates: the broken circle's mailing at
 * close fails; the fine circle's still goes, the failure is put off;
 * once the store works again and the wait is over, the broken circle
 * gets its certificates and its survey. */
static void test_certificates_past_failing_circle(void **state)
{
    int before, after;
    (void)state;

    break_circle(W->broken);
    put(W->broken, "/certificates", "{\"mail_at_close\":true}");
    put(W->fine, "/certificates", "{\"mail_at_close\":true}");
    set_clock(AFTER_CALLS + 3 * DAY);
    assert_int_equal(wait_outbox("certificate", W->fine, 3), 3);
    assert_int_equal(outbox("certificate", W->broken), 0);
    check_lines_without_address("certificates: mail at close failed");
    assert_int_equal(query_int("SELECT count(*) FROM certificate_mailings "
                               "WHERE circle_id = %lld",
                               W->fine),
                     1);
    before = log_count("integer overflow");
    sleep(3);
    after = log_count("integer overflow");
    assert_true(after - before <= 2);
    assert_true(query_int("SELECT retry_at FROM certificate_mail_progress "
                          "WHERE circle_id = %lld",
                          W->broken) > AFTER_CALLS + 3 * DAY);

    /* mended: an hour on, its certificates go, once each */
    exec_sql("DROP TRIGGER test_broken");
    set_clock(AFTER_CALLS + 3 * DAY + 3600);
    assert_int_equal(wait_outbox("certificate", W->broken, 3), 3);
    sleep(2);
    assert_int_equal(outbox("certificate", W->broken), 3);
    assert_int_equal(outbox("certificate", W->fine), 3);
}

/* Review item 3: a circle of 1,000 mails its certificates at close in
 * batches across wakes (other rounds between), stops in the middle
 * when the daemon does, and goes on after a restart: one mail each. */
static void test_large_circle_in_batches(void **state)
{
    long long cursor, seen[8], done;
    size_t n_seen = 0;
    int k, survey_went = 0;
    char *sql, *out = NULL, *err = NULL;
    char *id = mg_xasprintf("%lld", W->later);
    const char *argv[] = {"survey", "open",     "--circle", id,
                          "--db",   W->site.db, NULL};
    (void)state;

    put(W->large, "/certificates", "{\"mail_at_close\":true}");
    /* the later circle's survey waits for a hand to open it */
    put(W->later, "/survey", "{\"opens_at\": \"2027-06-01T13:00\"}");
    set_clock(AFTER_LARGE);
    sql = mg_xasprintf("SELECT coalesce((SELECT cursor FROM "
                       "certificate_mail_progress WHERE circle_id = %lld), "
                       "0)",
                       W->large);
    /* under way: the first batch is in */
    for (k = 0; k < 600 * test_slowdown() && n_seen < 1; k++) {
        cursor = query_int("%s", sql);
        done = query_int("SELECT count(*) FROM certificate_mailings WHERE "
                         "circle_id = %lld",
                         W->large);
        if (done)
            break;
        if (cursor > 0)
            seen[n_seen++] = cursor;
        else
            usleep(20 * 1000);
    }
    assert_int_equal(n_seen, 1);
    /* a survey opened now goes out while the mailing is still going on:
     * the scheduler's other rounds run between its batches */
    assert_int_equal(test_run_cli(&out, &err, argv, (const char **)W->env), 0);
    free(out);
    free(err);
    for (k = 0; k < 200 * test_slowdown() && !survey_went; k++) {
        survey_went = outbox("survey_open", W->later) == 2;
        cursor = query_int("%s", sql);
        if (n_seen < 8 && seen[n_seen - 1] != cursor)
            seen[n_seen++] = cursor;
        if (!survey_went)
            usleep(20 * 1000);
    }
    assert_true(survey_went);
    assert_int_equal(query_int("SELECT count(*) FROM certificate_mailings "
                               "WHERE circle_id = %lld",
                               W->large),
                     0);
    /* a stop in the middle does not wait for the rest */
    assert_int_equal(test_daemon_stop(&W->site.d, SIGTERM), 0);
    assert_int_equal(query_int("SELECT count(*) FROM certificate_mailings "
                               "WHERE circle_id = %lld",
                               W->large),
                     0);
    /* the cursor moved on in steps, and no further than the mails */
    cursor = query_int("%s", sql);
    if (n_seen < 8 && seen[n_seen - 1] != cursor)
        seen[n_seen++] = cursor;
    assert_true(n_seen >= 2);
    assert_true(cursor > seen[0]);
    assert_true(outbox("certificate", W->large) < LARGE);
    assert_int_equal(outbox("certificate", W->large),
                     query_int("SELECT people FROM certificate_mail_progress "
                               "WHERE circle_id = %lld",
                               W->large));

    /* after a restart it goes on from the cursor, to the end */
    assert_int_equal(test_site_serve(&W->site, &W->opts), 0);
    for (k = 0; k < 600 * test_slowdown(); k++) {
        if (query_int("SELECT count(*) FROM certificate_mailings WHERE "
                      "circle_id = %lld",
                      W->large))
            break;
        usleep(100 * 1000);
    }
    assert_int_equal(query_int("SELECT people FROM certificate_mailings "
                               "WHERE circle_id = %lld",
                               W->large),
                     LARGE);
    /* one each: as many mails as people, to as many addresses */
    assert_int_equal(outbox("certificate", W->large), LARGE);
    assert_int_equal(query_int("SELECT count(DISTINCT recipient) FROM outbox "
                               "WHERE kind = 'certificate' AND circle_id = "
                               "%lld",
                               W->large),
                     LARGE);
    assert_int_equal(query_int("SELECT count(*) FROM certificate_issued i "
                               "JOIN participants p ON p.id = "
                               "i.participant_id WHERE p.circle_id = %lld",
                               W->large),
                     LARGE);
    free(sql);
    free(id);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_survey_past_failing_circle),
        cmocka_unit_test(test_certificates_past_failing_circle),
        cmocka_unit_test(test_large_circle_in_batches),
    };

    return cmocka_run_group_tests(tests, setup_world, teardown_world);
}
