/*
 * bench_soak.c: a real `mingle serve` under mixed load for a long time.
 * A circle of 300 people with a book, groups, calendar feeds and pages is
 * set up through the API; client threads on keep-alive connections then
 * fetch feeds and pages, post notes to the MIME webhook, read the circle
 * and its groups and patch participants for SOAK_SECONDS (default 600),
 * as fast as the daemon answers (the mix is kind_weights[]). The daemon
 * logs at info level to a file, as it would to journald. Every note
 * posted stays, so facilitators' pages (which list their group's notes)
 * grow heavier as the run goes on.
 * The daemon's VmRSS and VmHWM are printed every 10 s; at the end,
 * requests/s and latency per kind, errors (a non-2xx or a failed
 * connection) and memory growth after warm-up. Exits 1 on any error;
 * figures are printed, not asserted.
 *
 *   SOAK_SECONDS=600 SOAK_THREADS=6 ./build/tests/bench/bench_soak
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>
#include <sqlite3.h>

#include "support.h"

#define PEOPLE 300
#define FEEDS 60 /* participants with a calendar feed */
#define PAGES 60 /* participants with a page */
#define SECRET "soak-secret-1234"
#define SAMPLE_EVERY 10

enum kind { FEED, GROUP_FEED, PAGE, HOOK, CIRCLE, GROUPS, PATCH, N_KINDS };

static const char *const kind_names[N_KINDS] = {
    "feed",       "group feed", "page",        "mail hook",
    "GET circle", "GET groups", "PATCH person"};

/* Out of 100 requests, how many of each kind. */
static const int kind_weights[N_KINDS] = {25, 5, 20, 15, 15, 10, 10};

/* Latencies of one kind on one thread, in seconds. */
struct lats {
    float *v;
    size_t n, cap;
};

struct world {
    int port;
    char *token;
    char **feeds, **group_feeds, **pages; /* paths */
    size_t n_feeds, n_group_feeds, n_pages;
    long long *people; /* participant ids */
    size_t n_people;
    unsigned nonce;
};

struct client {
    const struct world *w;
    int id;
    struct lats lat[N_KINDS];
    long errors[N_KINDS];
    long hooks_acked;
};

static atomic_int stop_flag;
static atomic_long total_requests;
static atomic_long total_errors;
static atomic_int errors_printed;

static size_t collect(char *data, size_t size, size_t n, void *arg)
{
    mg_buf_add(arg, data, size * n);
    return size * n;
}

static void buf_reset(struct mg_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

static void lats_add(struct lats *l, double v)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 4096;
        l->v = mg_xrealloc(l->v, l->cap * sizeof(*l->v));
    }
    l->v[l->n++] = (float)v;
}

/* A setup request that must succeed; the parsed body, or NULL. */
static json_t *api(const struct world *w, const char *method, const char *path,
                   const char *body, size_t len, const char *ctype)
{
    struct test_response resp;
    json_t *doc = NULL;

    if (test_http_ex(&resp, w->port, method, path, w->token, NULL, body, len,
                     ctype) < 0 ||
        resp.status < 200 || resp.status > 299) {
        fprintf(stderr, "bench_soak: %s %s: %ld %s\n", method, path,
                resp.status, resp.body ? resp.body : "");
        test_response_release(&resp);
        return NULL;
    }
    doc = json_loads(resp.body, 0, NULL);
    if (!doc)
        doc = json_object();
    test_response_release(&resp);
    return doc;
}

/* The path of a minted URL: from `marker` ("/cal/", "/p/") on. */
static char *url_path(json_t *doc, const char *marker)
{
    const char *url = json_string_value(json_object_get(doc, "url"));
    const char *p = url ? strstr(url, marker) : NULL;

    return p ? mg_xstrdup(p) : NULL;
}

/* The circle, its book, PEOPLE participants, groups, feeds and pages. */
static int seed(struct world *w)
{
    struct mg_buf b = MG_BUF_INIT;
    char start[16], path[128];
    time_t now = time(NULL) - 7 * 86400;
    struct tm tm;
    json_t *doc, *list;
    char *book;
    size_t len, i;
    long long after = 0;
    int ok;

    /* started a week ago, so pages have a current week and a next call */
    gmtime_r(&now, &tm);
    strftime(start, sizeof(start), "%Y-%m-%d", &tm);
    mg_buf_printf(
        &b,
        "{\"title\":\"Soak\",\"slug\":\"soak\",\"time_zone\":"
        "\"Pacific/Auckland\",\"start_date\":\"%s\",\"weeks\":8,"
        "\"group_size\":{\"min\":8,\"max\":12},\"slots\":[{\"weekday\":"
        "\"tuesday\",\"start\":\"19:30\",\"minutes\":60},{\"weekday\":"
        "\"thursday\",\"start\":\"12:00\",\"minutes\":60}],\"video_url\":"
        "\"https://meet.example.org/soak\",\"organizer\":{\"name\":"
        "\"Coordinators\",\"email\":\"circles@example.org\"}}",
        start);
    doc = api(w, "POST", "/api/v1/circles", b.data, b.len, NULL);
    mg_buf_release(&b);
    if (!doc)
        return -1;
    json_decref(doc);

    book = test_read_file(MINGLE_DATA_DIR "/atlas-outline.md", &len);
    doc = book ? api(w, "POST", "/api/v1/circles/1/book?name=atlas.md", book,
                     len, "text/markdown")
               : NULL;
    free(book);
    if (!doc)
        return -1;
    json_decref(doc);

    mg_buf_puts(&b, "name,email,role,sector,region\n");
    for (i = 0; i < PEOPLE; i++)
        mg_buf_printf(
            &b, "Person %zu,p%zu@example.org,%s,%s,Region %zu\n", i, i,
            i % 10 == 0 ? "facilitator" : "participant",
            (const char *[]){"public", "academic", "school", "special"}[i % 4],
            i % 7);
    doc = api(w, "POST", "/api/v1/circles/1/participants", b.data, b.len,
              "text/csv");
    mg_buf_release(&b);
    if (!doc)
        return -1;
    json_decref(doc);

    doc = api(w, "POST", "/api/v1/circles/1/groups/plan", "{}", 2, NULL);
    if (!doc)
        return -1;
    json_decref(doc);

    /* participant ids, a page of 100 at a time */
    w->people = mg_xcalloc(PEOPLE, sizeof(*w->people));
    for (;;) {
        snprintf(path, sizeof(path),
                 "/api/v1/circles/1/participants?limit=100&after=%lld", after);
        doc = api(w, "GET", path, NULL, 0, NULL);
        if (!doc)
            return -1;
        list = json_object_get(doc, "participants");
        for (i = 0; i < json_array_size(list) && w->n_people < PEOPLE; i++)
            w->people[w->n_people++] = json_integer_value(
                json_object_get(json_array_get(list, i), "id"));
        ok = json_is_integer(json_object_get(doc, "next_after"));
        after = json_integer_value(json_object_get(doc, "next_after"));
        json_decref(doc);
        if (!ok)
            break;
    }
    if (w->n_people < PEOPLE) {
        fprintf(stderr, "bench_soak: %zu participants listed\n", w->n_people);
        return -1;
    }

    w->feeds = mg_xcalloc(FEEDS, sizeof(*w->feeds));
    for (i = 0; i < FEEDS; i++) {
        snprintf(path, sizeof(path), "/api/v1/circles/1/participants/%lld/feed",
                 w->people[i * (PEOPLE / FEEDS) + 2]);
        doc = api(w, "POST", path, NULL, 0, NULL);
        w->feeds[i] = doc ? url_path(doc, "/cal/") : NULL;
        json_decref(doc);
        if (!w->feeds[i])
            return -1;
        w->n_feeds++;
    }

    w->pages = mg_xcalloc(PAGES, sizeof(*w->pages));
    for (i = 0; i < PAGES; i++) {
        /* half of them facilitators (every tenth person is one); not
         * the people with feeds, since a new page retires their feed */
        snprintf(path, sizeof(path), "/api/v1/circles/1/participants/%lld/page",
                 w->people[i * (PEOPLE / PAGES)]);
        doc = api(w, "POST", path, NULL, 0, NULL);
        w->pages[i] = doc ? url_path(doc, "/p/") : NULL;
        json_decref(doc);
        if (!w->pages[i])
            return -1;
        w->n_pages++;
    }

    doc = api(w, "GET", "/api/v1/circles/1/groups", NULL, 0, NULL);
    list = json_object_get(doc, "groups");
    w->group_feeds = mg_xcalloc(json_array_size(list) + 1, sizeof(char *));
    for (i = 0; i < json_array_size(list); i++) {
        json_t *g;

        snprintf(path, sizeof(path), "/api/v1/circles/1/groups/%lld/feed",
                 (long long)json_integer_value(
                     json_object_get(json_array_get(list, i), "id")));
        g = api(w, "POST", path, NULL, 0, NULL);
        w->group_feeds[i] = g ? url_path(g, "/cal/") : NULL;
        json_decref(g);
        if (!w->group_feeds[i]) {
            json_decref(doc);
            return -1;
        }
        w->n_group_feeds++;
    }
    json_decref(doc);
    printf("seeded: 1 circle, %zu participants, %zu groups, a book, %zu "
           "participant feeds, %zu group feeds, %zu pages\n",
           w->n_people, w->n_group_feeds, w->n_feeds, w->n_group_feeds,
           w->n_pages);
    return w->n_group_feeds ? 0 : -1;
}

static void report_error(int id, enum kind k, const char *what, long status,
                         const char *detail)
{
    if (atomic_fetch_add(&errors_printed, 1) < 20)
        fprintf(stderr, "bench_soak: thread %d: %s %s: status %ld %.200s\n", id,
                kind_names[k], what, status, detail ? detail : "");
}

static void *run_client(void *arg)
{
    struct client *c = arg;
    const struct world *w = c->w;
    CURL *curl = curl_easy_init();
    char *auth = mg_xasprintf("Authorization: Bearer %s", w->token);
    struct mg_buf url = MG_BUF_INIT, body = MG_BUF_INIT, out = MG_BUF_INIT;
    enum kind schedule[100];
    unsigned seed = (unsigned)c->id * 7919u + w->nonce;
    long seq = 0;
    int i, j, n = 0;

    for (i = 0; i < N_KINDS; i++)
        for (j = 0; j < kind_weights[i]; j++)
            schedule[n++] = (enum kind)i;
    while (!atomic_load(&stop_flag)) {
        enum kind k = schedule[rand_r(&seed) % 100];
        struct curl_slist *h = NULL;
        long status = 0;
        CURLcode res;
        double t0;

        buf_reset(&url);
        buf_reset(&body);
        buf_reset(&out);
        /* keeps the live connection; clears the options */
        curl_easy_reset(curl);
        mg_buf_printf(&url, "http://127.0.0.1:%d", w->port);
        switch (k) {
        case FEED:
            mg_buf_puts(&url, w->feeds[rand_r(&seed) % w->n_feeds]);
            break;
        case GROUP_FEED:
            mg_buf_puts(&url, w->group_feeds[rand_r(&seed) % w->n_group_feeds]);
            break;
        case PAGE:
            mg_buf_puts(&url, w->pages[rand_r(&seed) % w->n_pages]);
            break;
        case HOOK: {
            size_t who = rand_r(&seed) % w->n_people;

            mg_buf_puts(&url, "/hooks/mail/mime?secret=" SECRET);
            /* participants were imported in CSV order: p<index> */
            mg_buf_printf(
                &body,
                "From: Person %zu <p%zu@example.org>\r\nTo: "
                "<soak@example.org>\r\nSubject: Re: week %d\r\n"
                "Message-ID: <soak-%u-%d-%ld@example.org>\r\n"
                "Date: Tue, 30 Mar 2027 21:00:00 +1300\r\nMIME-Version: "
                "1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                "Thoughts after the call, number %ld: the chapter on maps "
                "was the best so far.\r\n\r\nOn Tue, 30 Mar 2027 at 20:00, "
                "Fa <fa@example.org> wrote:\r\n> What did you think?\r\n",
                who, who, 1 + (int)(seq % 4), w->nonce, c->id, seq, seq);
            h = curl_slist_append(h, "Content-Type: message/rfc822");
            h = curl_slist_append(h, "Expect:");
            curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data);
            curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)body.len);
            break;
        }
        case CIRCLE:
            mg_buf_puts(&url, "/api/v1/circles/1");
            h = curl_slist_append(h, auth);
            break;
        case GROUPS:
            mg_buf_puts(&url, "/api/v1/circles/1/groups");
            h = curl_slist_append(h, auth);
            break;
        case PATCH:
            mg_buf_printf(&url, "/api/v1/circles/1/participants/%lld",
                          w->people[rand_r(&seed) % w->n_people]);
            mg_buf_printf(&body, "{\"region\":\"Region %ld\"}", seq % 7);
            h = curl_slist_append(h, auth);
            h = curl_slist_append(h, "Content-Type: application/json");
            h = curl_slist_append(h, "Expect:");
            curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "PATCH");
            curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data);
            curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)body.len);
            break;
        default:
            abort();
        }
        seq++;
        curl_easy_setopt(curl, CURLOPT_URL, url.data);
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
        curl_easy_setopt(curl, CURLOPT_WRITEDATA, &out);
        curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
        t0 = mg_monotonic();
        res = curl_easy_perform(curl);
        lats_add(&c->lat[k], mg_monotonic() - t0);
        atomic_fetch_add(&total_requests, 1);
        if (res == CURLE_OK)
            curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        curl_slist_free_all(h);
        if (res != CURLE_OK || status < 200 || status > 299) {
            c->errors[k]++;
            atomic_fetch_add(&total_errors, 1);
            report_error(c->id, k, url.data, status,
                         res != CURLE_OK ? curl_easy_strerror(res)
                         : out.data      ? out.data
                                         : "");
        } else if (k == HOOK) {
            c->hooks_acked++;
        }
    }
    curl_easy_cleanup(curl);
    mg_buf_release(&url);
    mg_buf_release(&body);
    mg_buf_release(&out);
    free(auth);
    return NULL;
}

/*
 * `mingle serve` on a free port, logging at info level (a line a request,
 * as under journald) to `logpath`. Returns its pid, or -1.
 */
static pid_t start_daemon(int *port, const char *db, const char *logpath,
                          const char *const *env)
{
    int fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    double deadline = mg_monotonic() + 20;
    pid_t pid;

    if (fd < 0)
        return -1;
    pid = fork();
    if (pid == 0) {
        dup2(fd, 2);
        close(fd);
        for (; *env; env++)
            putenv((char *)*env);
        execl(MINGLE_BIN, "mingle", "serve", "--port", "0", "--db", db,
              (char *)NULL);
        _exit(127);
    }
    close(fd);
    while (mg_monotonic() < deadline) {
        size_t len;
        char *log = test_read_file(logpath, &len);
        char *line = log ? strstr(log, "msg=listening") : NULL;
        char *p = line ? strstr(line, " port=") : NULL;

        if (p)
            *port = atoi(p + 6);
        free(log);
        if (p)
            return pid;
        if (waitpid(pid, NULL, WNOHANG) == pid)
            return -1;
        usleep(10000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return -1;
}

/* SIGTERM, and the exit status (-1 for a signal). */
static int stop_daemon(pid_t pid)
{
    int status = 0;

    kill(pid, SIGTERM);
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}

/* VmRSS and VmHWM of `pid` in KiB; 0 when unreadable. */
static void memory(long *rss, long *hwm, pid_t pid)
{
    char path[64], line[256];
    FILE *f;

    *rss = *hwm = 0;
    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    f = fopen(path, "r");
    if (!f)
        return;
    while (fgets(line, sizeof(line), f)) {
        if (strncmp(line, "VmRSS:", 6) == 0)
            *rss = atol(line + 6);
        else if (strncmp(line, "VmHWM:", 6) == 0)
            *hwm = atol(line + 6);
    }
    fclose(f);
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;

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

static double mib(long kib)
{
    return kib / 1024.0;
}

int main(void)
{
    const char *s = getenv("SOAK_SECONDS");
    int seconds = s ? atoi(s) : 600;
    int threads = getenv("SOAK_THREADS") ? atoi(getenv("SOAK_THREADS")) : 6;
    /* a minute, or half a short run, in whole sampling periods */
    int warmup =
        seconds >= 120 ? 60 : (seconds / 2 / SAMPLE_EVERY) * SAMPLE_EVERY;
    char *dir = test_mkdtemp();
    char *db = mg_xasprintf("%s/soak.db", dir);
    char *logpath = mg_xasprintf("%s/serve.log", dir);
    char *maildir = mg_xasprintf("MINGLE_MAILDIR=%s/mail", dir);
    const char *env[] = {"MINGLE_MIME_SECRET=" SECRET, maildir, NULL};
    struct world w;
    struct stat sb;
    pid_t pid;
    struct client *cs;
    pthread_t *th;
    long rss0, hwm0, rss_w = 0, hwm_w = 0, rss1, hwm1, errors = 0, acked = 0;
    long last = 0;
    double t0, wall, next;
    int i, k, status, failed = 0, warm_done = 0;
    long long stored;

    if (warmup < SAMPLE_EVERY)
        warmup = SAMPLE_EVERY;
    if (seconds < 10 || threads < 1) {
        fprintf(stderr, "bench_soak: SOAK_SECONDS >= 10, SOAK_THREADS >= 1\n");
        return 2;
    }
    memset(&w, 0, sizeof(w));
    w.nonce = (unsigned)time(NULL);
    w.token = test_make_token(db, "coordinator");
    curl_global_init(CURL_GLOBAL_DEFAULT);
    pid = w.token ? start_daemon(&w.port, db, logpath, env) : -1;
    if (pid < 0) {
        fprintf(stderr, "bench_soak: cannot start mingle (log: %s)\n", logpath);
        return 1;
    }
    if (seed(&w) < 0) {
        fprintf(stderr, "bench_soak: cannot set the circle up (log: %s)\n",
                logpath);
        stop_daemon(pid);
        return 1;
    }
    sleep(3); /* let the outbox deliver the plan's invitations first */
    memory(&rss0, &hwm0, pid);
    printf("soak: %d s, %d keep-alive client threads on loopback, warm-up "
           "%d s; daemon pid %d, 4 worker threads, SQLite "
           "synchronous=FULL\n",
           seconds, threads, warmup, (int)pid);
    printf("  [%4d s] rss %7.1f MiB  hwm %7.1f MiB  (start)\n", 0, mib(rss0),
           mib(hwm0));
    fflush(stdout);

    cs = mg_xcalloc((size_t)threads, sizeof(*cs));
    th = mg_xcalloc((size_t)threads, sizeof(*th));
    t0 = mg_monotonic();
    for (i = 0; i < threads; i++) {
        cs[i].w = &w;
        cs[i].id = i;
        pthread_create(&th[i], NULL, run_client, &cs[i]);
    }
    for (next = t0 + SAMPLE_EVERY; next <= t0 + seconds + 0.5;
         next += SAMPLE_EVERY) {
        double now = mg_monotonic();
        long rss, hwm, done;

        if (next > now)
            usleep((useconds_t)((next - now) * 1e6));
        if (waitpid(pid, &status, WNOHANG) == pid) {
            fprintf(stderr, "bench_soak: the daemon died (status %d)\n",
                    status);
            pid = -1;
            failed = 1;
            break;
        }
        memory(&rss, &hwm, pid);
        done = atomic_load(&total_requests);
        printf("  [%4.0f s] rss %7.1f MiB  hwm %7.1f MiB  %6.0f req/s  "
               "errors %ld\n",
               next - t0, mib(rss), mib(hwm),
               (double)(done - last) / SAMPLE_EVERY,
               atomic_load(&total_errors));
        fflush(stdout);
        last = done;
        if (!warm_done && next - t0 >= warmup - 0.5) {
            rss_w = rss;
            hwm_w = hwm;
            warm_done = 1;
        }
    }
    atomic_store(&stop_flag, 1);
    for (i = 0; i < threads; i++)
        pthread_join(th[i], NULL);
    wall = mg_monotonic() - t0;
    memory(&rss1, &hwm1, pid);

    printf("\nsoak: %ld requests in %.0f s: %.0f req/s overall\n",
           atomic_load(&total_requests), wall,
           atomic_load(&total_requests) / wall);
    printf("  %-13s %9s %8s %9s %9s %9s %7s\n", "kind", "requests", "req/s",
           "p50 ms", "p99 ms", "max ms", "errors");
    for (k = 0; k < N_KINDS; k++) {
        struct lats all = {NULL, 0, 0};
        long errs = 0;

        for (i = 0; i < threads; i++) {
            size_t j;

            for (j = 0; j < cs[i].lat[k].n; j++)
                lats_add(&all, cs[i].lat[k].v[j]);
            errs += cs[i].errors[k];
        }
        errors += errs;
        if (all.n == 0) {
            printf("  %-13s %9d\n", kind_names[k], 0);
            continue;
        }
        qsort(all.v, all.n, sizeof(*all.v), cmp_float);
        printf("  %-13s %9zu %8.1f %9.2f %9.2f %9.2f %7ld\n", kind_names[k],
               all.n, all.n / wall, all.v[all.n / 2] * 1000.0,
               all.v[(all.n * 99) / 100] * 1000.0, all.v[all.n - 1] * 1000.0,
               errs);
        free(all.v);
    }
    for (i = 0; i < threads; i++)
        acked += cs[i].hooks_acked;
    printf("  memory (VmRSS): start %.1f MiB, after warm-up (%d s) %.1f MiB, "
           "end %.1f MiB; growth after warm-up %+.1f MiB\n",
           mib(rss0), warmup, mib(rss_w), mib(rss1), mib(rss1 - rss_w));
    printf("  peak (VmHWM): start %.1f MiB, after warm-up %.1f MiB, end "
           "%.1f MiB\n",
           mib(hwm0), mib(hwm_w), mib(hwm1));

    if (pid > 0) {
        status = stop_daemon(pid);
        if (status != 0) {
            fprintf(stderr, "bench_soak: the daemon exited with %d\n", status);
            failed = 1;
        }
    }
    stored = count_notes(db);
    if (stat(logpath, &sb) == 0)
        printf("  daemon log (info, a line a request): %.1f MiB\n",
               sb.st_size / 1048576.0);
    printf("  %ld notes acknowledged, %lld in the database after shutdown "
           "(%s)\n",
           acked, stored, stored == acked ? "all" : "MISMATCH");
    printf("  errors: %ld%s\n", errors, failed ? "; the daemon failed" : "");
    for (i = 0; i < threads; i++)
        for (k = 0; k < N_KINDS; k++)
            free(cs[i].lat[k].v);
    for (i = 0; i < (int)w.n_feeds; i++)
        free(w.feeds[i]);
    for (i = 0; i < (int)w.n_pages; i++)
        free(w.pages[i]);
    for (i = 0; i < (int)w.n_group_feeds; i++)
        free(w.group_feeds[i]);
    free(w.feeds);
    free(w.pages);
    free(w.group_feeds);
    free(w.people);
    free(w.token);
    free(cs);
    free(th);
    test_rmdir(dir);
    free(maildir);
    free(logpath);
    free(db);
    curl_global_cleanup();
    return errors || failed || stored != acked ? 1 : 0;
}
