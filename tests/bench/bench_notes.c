/*
 * bench_notes.c: notes received through the mail webhook of a real
 * `mingle serve`. A circle of 400 people in groups is set up through the
 * API; client threads on keep-alive connections then post raw messages
 * (each a member's note, filed in their group by their membership; a new
 * Message-ID each)
 * to /hooks/mail/mime. Prints notes/s, p50 and p99 latency, and checks
 * afterwards that every acknowledged note is in the database (a 2xx is
 * only sent after the commit). Then, for scale, as many threads commit
 * rows of the same size straight into SQLite, each insert its own
 * transaction, in a database beside mingle's with the same settings
 * (WAL, synchronous=FULL): what the disk and SQLite allow with that
 * many writers. Figures are printed, not asserted.
 *
 *   ./build/tests/bench/bench_notes [clients] [notes-per-client]
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>
#include <sqlite3.h>

#include "support.h"

#define PEOPLE 400
#define SECRET "bench-secret-1234"

struct client {
    int port, id, n;
    double *lat;
    int acked, failures;
};

static size_t sink(char *data, size_t size, size_t n, void *arg)
{
    (void)data;
    (void)arg;
    return size * n;
}

static void *run_client(void *arg)
{
    struct client *c = arg;
    CURL *curl = curl_easy_init();
    struct curl_slist *h = NULL;
    char *url = mg_xasprintf("http://127.0.0.1:%d/hooks/mail/mime?secret=%s",
                             c->port, SECRET);
    int i;

    h = curl_slist_append(h, "Content-Type: message/rfc822");
    h = curl_slist_append(h, "Expect:");
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, sink);
    for (i = 0; i < c->n; i++) {
        int who = (c->id * c->n + i) % PEOPLE;
        /* as the MTA in front passes it on, with its DKIM verdict */
        char *msg = mg_xasprintf(
            "Authentication-Results: mx.x.nz; dkim=pass "
            "header.d=example.org\r\n"
            "From: Person %d <p%d@example.org>\r\nTo: <bench@x.nz>\r\n"
            "Subject: Re: week %d\r\nMessage-ID: <bench-%d-%d@example.org>\r\n"
            "Date: Tue, 30 Mar 2027 21:00:00 +1300\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\nI thought the "
            "chapter on maps was the best so far.\r\n\r\nOn Tue, 30 Mar 2027 "
            "at 20:00, Fa <fa@example.org> wrote:\r\n> What did you think?"
            "\r\n",
            who, who, 1 + i % 4, c->id, i);
        double t0 = mg_monotonic();
        long status = 0;

        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, msg);
        curl_easy_perform(curl);
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        c->lat[i] = mg_monotonic() - t0;
        if (status == 200)
            c->acked++;
        else
            c->failures++;
        free(msg);
    }
    curl_slist_free_all(h);
    curl_easy_cleanup(curl);
    free(url);
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static long long count_notes(const char *db)
{
    sqlite3 *h = NULL;
    sqlite3_stmt *stmt = NULL;
    long long n = -1;

    if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(h, "SELECT count(*) FROM notes", -1, &stmt, NULL) ==
            SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW)
        n = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    sqlite3_close(h);
    return n;
}

/* Raw SQLite: a writer thread of its own connection. */
struct raw_writer {
    const char *path;
    int id, n, done;
};

/* mingle's own busy wait (store.c): 0.1 ms sleeps, then 1 ms ones. */
static int raw_busy(void *arg, int tries)
{
    struct timespec pause = {0, tries < 50 ? 100000L : 1000000L};

    (void)arg;
    if (tries > 5000)
        return 0;
    nanosleep(&pause, NULL);
    return 1;
}

static void *run_raw(void *arg)
{
    struct raw_writer *w = arg;
    sqlite3 *db = NULL;
    sqlite3_stmt *ins = NULL;
    char body[600];
    int i;

    memset(body, 'x', sizeof(body) - 1);
    body[sizeof(body) - 1] = '\0';
    if (sqlite3_open(w->path, &db) != SQLITE_OK)
        goto out;
    sqlite3_busy_handler(db, raw_busy, NULL);
    sqlite3_exec(db, "PRAGMA synchronous=FULL", NULL, NULL, NULL);
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO raw_notes (message_id, body, "
                           "received_at) VALUES (?, ?, ?)",
                           -1, &ins, NULL) != SQLITE_OK)
        goto out;
    for (i = 0; i < w->n; i++) {
        char mid[64];

        snprintf(mid, sizeof(mid), "<raw-%d-%d@example.org>", w->id, i);
        sqlite3_bind_text(ins, 1, mid, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 2, body, -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 3, (sqlite3_int64)i);
        if (sqlite3_step(ins) == SQLITE_DONE)
            w->done++;
        sqlite3_reset(ins);
    }
out:
    sqlite3_finalize(ins);
    sqlite3_close(db);
    return NULL;
}

/* Commits per second of `threads` writers inserting `per` rows each. */
static double raw_sqlite(const char *path, int threads, int per, int *done)
{
    struct raw_writer *ws = mg_xcalloc((size_t)threads, sizeof(*ws));
    pthread_t *th = mg_xcalloc((size_t)threads, sizeof(*th));
    sqlite3 *db = NULL;
    double t0, wall;
    int i;

    *done = 0;
    if (sqlite3_open(path, &db) != SQLITE_OK ||
        sqlite3_exec(db,
                     "PRAGMA journal_mode=WAL; CREATE TABLE raw_notes (id "
                     "INTEGER PRIMARY KEY, message_id TEXT UNIQUE, body "
                     "TEXT, received_at INTEGER)",
                     NULL, NULL, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        return 0;
    }
    sqlite3_close(db);
    t0 = mg_monotonic();
    for (i = 0; i < threads; i++) {
        ws[i].path = path;
        ws[i].id = i;
        ws[i].n = per;
        pthread_create(&th[i], NULL, run_raw, &ws[i]);
    }
    for (i = 0; i < threads; i++) {
        pthread_join(th[i], NULL);
        *done += ws[i].done;
    }
    wall = mg_monotonic() - t0;
    free(ws);
    free(th);
    return *done / wall;
}

/* A circle of PEOPLE with 40 facilitators, planned into groups. */
static int setup_circle(struct test_site *site)
{
    struct mg_buf csv = MG_BUF_INIT;
    long long id;
    long status = 0;
    char *path;
    int i;

    id = test_site_circle(
        site,
        "{\"title\":\"Bench\",\"slug\":\"bench\",\"time_zone\":"
        "\"Pacific/Auckland\",\"start_date\":\"2027-03-22\","
        "\"weeks\":4,\"group_size\":{\"min\":8,\"max\":12},"
        "\"slots\":[{\"weekday\":\"tuesday\",\"start\":\"19:30\","
        "\"minutes\":60}],\"organizer\":{\"email\":"
        "\"org@example.org\"}}",
        NULL);
    if (!id)
        return -1;
    mg_buf_puts(&csv, "name,email,role\n");
    for (i = 0; i < PEOPLE; i++)
        mg_buf_printf(&csv, "Person %d,p%d@example.org,%s\n", i, i,
                      i % 10 == 0 ? "facilitator" : "");
    path = mg_xasprintf("/api/v1/circles/%lld/participants", id);
    json_decref(
        test_site_call(site, &status, "POST", path, csv.data, "text/csv"));
    free(path);
    mg_buf_release(&csv);
    if (status >= 300)
        return -1;
    path = mg_xasprintf("/api/v1/circles/%lld/groups/plan", id);
    json_decref(test_site_call(site, &status, "POST", path, "{}", NULL));
    free(path);
    return status < 300 ? 0 : -1;
}

int main(int argc, char **argv)
{
    int clients = argc > 1 ? atoi(argv[1]) : 8;
    int per = argc > 2 ? atoi(argv[2]) : 1000;
    static const char *const env[] = {"MINGLE_MIME_SECRET=" SECRET,
                                      "MINGLE_AUTHSERV_ID=mx.x.nz",
                                      "MINGLE_THREADS=8", NULL};
    const struct test_site_opts opts = {.maildir = 1, .env = env};
    struct test_site site;
    struct client *cs = mg_xcalloc((size_t)clients, sizeof(*cs));
    pthread_t *th = mg_xcalloc((size_t)clients, sizeof(*th));
    double *lat = mg_xcalloc((size_t)(clients * per), sizeof(*lat));
    size_t n = (size_t)(clients * per);
    double t0, wall, raw_rate;
    long long stored;
    char *raw_path;
    int i, acked = 0, failures = 0, raw_done = 0;

    if (test_site_start(&site, "bench.db", &opts) < 0 ||
        setup_circle(&site) < 0) {
        fprintf(stderr, "bench_notes: cannot start mingle\n");
        return 1;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    sleep(3); /* let the outbox deliver the plan's invitations first */
    t0 = mg_monotonic();
    for (i = 0; i < clients; i++) {
        cs[i].port = site.d.port;
        cs[i].id = i;
        cs[i].n = per;
        cs[i].lat = lat + i * per;
        pthread_create(&th[i], NULL, run_client, &cs[i]);
    }
    for (i = 0; i < clients; i++) {
        pthread_join(th[i], NULL);
        acked += cs[i].acked;
        failures += cs[i].failures;
    }
    wall = mg_monotonic() - t0;
    test_daemon_stop(&site.d, SIGTERM);
    stored = count_notes(site.db);
    raw_path = mg_xasprintf("%s/raw.db", site.dir);
    raw_rate = raw_sqlite(raw_path, clients, per, &raw_done);
    free(raw_path);
    qsort(lat, n, sizeof(*lat), cmp_double);
    printf("bench_notes: %d clients x %d notes to /hooks/mail/mime, SQLite "
           "synchronous=FULL\n",
           clients, per);
    printf("  %d acknowledged in %.2f s: %.0f notes/s; p50 %.2f ms, p99 "
           "%.2f ms, max %.2f ms; %d failures\n",
           acked, wall, acked / wall, lat[n / 2] * 1000,
           lat[(n * 99) / 100] * 1000, lat[n - 1] * 1000, failures);
    printf("  %lld notes in the database after shutdown (%s)\n", stored,
           stored == acked ? "every acknowledged note" : "MISMATCH");
    printf("  raw SQLite beside it, %d threads x %d one-row transactions, "
           "WAL, synchronous=FULL: %d committed, %.0f commits/s\n",
           clients, per, raw_done, raw_rate);
    printf("  mingle: %.0f%% of raw SQLite's commit rate\n",
           raw_rate > 0 ? 100.0 * (acked / wall) / raw_rate : 0.0);
    test_site_stop(&site, SIGTERM);
    free(cs);
    free(th);
    free(lat);
    return failures || stored != acked ? 1 : 0;
}
