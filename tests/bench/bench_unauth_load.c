/*
 * bench_unauth_load.c: #17 item 12, memory no one is allowed to take.
 * Connections from one address each POST a 10 MB body with no credential
 * (to the API, and to the mail hooks with a wrong secret or no Mandrill
 * signature), all at once, as the attack did; the daemon's
 * VmRSS is sampled every 10 ms from /proc/PID/status throughout. The
 * figures for 20 connections are printed beside those for 120 (the
 * attack's count, BENCH_CONNECTIONS to change it); the target is a peak
 * within 50 MB of idle. A second attack goes to the routes whose
 * credential the headers cannot show: the dashboard's login and a
 * page's secret URL (1 MB forms, in memory within their 16 MiB share),
 * Mailgun with a form of 10 MB and a forged Mandrill signature with
 * 10 MB of events (spooled, within body_budget, then refused once their
 * signature is checked). The limit on failed credentials
 * is off (auth_fail_limit = 0), as for an attacker with many addresses.
 * Figures are printed, not asserted.
 *
 *   ./build/tests/bench/bench_unauth_load
 *
 * To measure another build (say, the one before the fix), start it
 * yourself and name it: BENCH_PORT=8080 BENCH_PID=1234 bench_unauth_load.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "support.h"

#define BODY (10u * 1000 * 1000)

static int port;
static pid_t pid;
static atomic_int stop_sampling;
static atomic_long peak_kib;
static atomic_int answered[7]; /* 2xx 401 404/405 413 503 429 none */

static long rss_kib(void)
{
    char path[64], line[256];
    long v = 0;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    f = fopen(path, "r");
    if (!f)
        return 0;
    while (fgets(line, sizeof(line), f))
        if (strncmp(line, "VmRSS:", 6) == 0)
            v = strtol(line + 6, NULL, 10);
    fclose(f);
    return v;
}

static void *sample(void *arg)
{
    struct timespec ten_ms = {0, 10 * 1000 * 1000};

    (void)arg;
    while (!atomic_load(&stop_sampling)) {
        long v = rss_kib();
        if (v > atomic_load(&peak_kib))
            atomic_store(&peak_kib, v);
        nanosleep(&ten_ms, NULL);
    }
    return NULL;
}

static const char *const targets[] = {
    "POST /api/v1/circles HTTP/1.1\r\n",
    "POST /api/v1/circles/1/book HTTP/1.1\r\nAuthorization: Bearer "
    "mg_0000000000000000_00000000000000000000000000000000\r\n",
    "POST /hooks/mail/mime?secret=guess HTTP/1.1\r\n",
    "POST /hooks/mail/mandrill HTTP/1.1\r\n",
    /* routes whose credential only the body or the store can tell */
    "POST /dashboard/login HTTP/1.1\r\n",
    "POST /hooks/mail/mailgun HTTP/1.1\r\n",
    "POST /p/00000000000000000000000000000000000000000000000a/rsvp "
    "HTTP/1.1\r\n",
    "POST /hooks/mail/mandrill HTTP/1.1\r\nX-Mandrill-Signature: "
    "Zm9yZ2VkIHNpZ25hdHVyZQ==\r\n",
};
static size_t first_target;

/* One attacker: headers, then the whole body unless answered first. */
static void *attack(void *arg)
{
    size_t which = first_target + (size_t)arg % 4;
    const char *target = targets[which];
    /* the forms of pages and the dashboard are capped at 1 MiB: send
     * them just under it, and Mailgun 10 MB */
    size_t body = which == 4 || which == 6 ? 1000 * 1000 : BODY;
    char head[512], chunk[65536], reply[256];
    size_t sent = 0;
    ssize_t n;
    int fd = test_connect(port), status = 0, slot;

    if (fd < 0) {
        atomic_fetch_add(&answered[6], 1);
        return NULL;
    }
    snprintf(head, sizeof(head),
             "%sHost: localhost\r\nContent-Type: %s\r\n"
             "Content-Length: %zu\r\n\r\n",
             target,
             first_target ? "application/x-www-form-urlencoded"
                          : "application/json",
             body);
    memset(chunk, 'x', sizeof(chunk));
    memcpy(chunk, which == 7 ? "mandrill_events=" : "body-plain=",
           which == 7 ? 16 : 11);
    if (write(fd, head, strlen(head)) < 0)
        goto out;
    while (sent < body) {
        size_t k = body - sent < sizeof(chunk) ? body - sent : sizeof(chunk);
        if (sent)
            memset(chunk, 'x', 16);
        n = send(fd, chunk, k, MSG_NOSIGNAL);
        if (n <= 0)
            break; /* answered and closed: the point */
        sent += (size_t)n;
    }
out:
    n = read(fd, reply, sizeof(reply) - 1);
    if (n > 12) {
        reply[n] = '\0';
        sscanf(reply, "HTTP/1.1 %d", &status);
    }
    close(fd);
    slot = status >= 200 && status < 300    ? 0
           : status == 401                  ? 1
           : status == 404 || status == 405 ? 2
           : status == 413                  ? 3
           : status == 503                  ? 4
           : status == 429                  ? 5
                                            : 6;
    atomic_fetch_add(&answered[slot], 1);
    return NULL;
}

static void run(int connections, const char *what)
{
    pthread_t sampler, *t = calloc((size_t)connections, sizeof(*t));
    struct timespec settle = {0, 300 * 1000 * 1000}, t0, t1;
    long idle;
    int i;

    nanosleep(&settle, NULL);
    idle = rss_kib();
    atomic_store(&peak_kib, idle);
    atomic_store(&stop_sampling, 0);
    for (i = 0; i < 7; i++)
        atomic_store(&answered[i], 0);
    pthread_create(&sampler, NULL, sample, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (i = 0; i < connections; i++)
        pthread_create(&t[i], NULL, attack, (void *)(size_t)i);
    for (i = 0; i < connections; i++)
        pthread_join(t[i], NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    nanosleep(&settle, NULL);
    atomic_store(&stop_sampling, 1);
    pthread_join(sampler, NULL);
    printf("%-28s %4d connections x 1-10 MB: idle %6.1f MB, peak "
           "%6.1f MB (+%.1f MB), after %6.1f MB; %.2f s; answers: 401 %d, "
           "404/405 %d, 413 %d, 503 %d, 429 %d, 2xx %d, none read (reset) %d\n",
           what, connections, idle / 1024.0, atomic_load(&peak_kib) / 1024.0,
           (atomic_load(&peak_kib) - idle) / 1024.0, rss_kib() / 1024.0,
           (double)(t1.tv_sec - t0.tv_sec) +
               (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
           atomic_load(&answered[1]), atomic_load(&answered[2]),
           atomic_load(&answered[3]), atomic_load(&answered[4]),
           atomic_load(&answered[5]), atomic_load(&answered[0]),
           atomic_load(&answered[6]));
    fflush(stdout);
    free(t);
}

int main(void)
{
    static const char *const env[] = {"MINGLE_MIME_SECRET=bench-secret-1234",
                                      "MINGLE_MANDRILL_KEY=bench-key-1234",
                                      "MINGLE_MAILGUN_SIGNING_KEY=bench-key",
                                      "MINGLE_AUTH_FAIL_LIMIT=0", NULL};
    const struct test_site_opts opts = {.env = env};
    const char *n_env = getenv("BENCH_CONNECTIONS");
    int n = n_env ? (int)strtol(n_env, NULL, 10) : 120;
    struct test_site s;
    int own = !getenv("BENCH_PORT");

    signal(SIGPIPE, SIG_IGN);
    if (own) {
        if (test_site_start(&s, "load.db", &opts) < 0) {
            fprintf(stderr, "the daemon did not start\n");
            return 1;
        }
        port = s.d.port;
        pid = s.d.pid;
    } else {
        port = (int)strtol(getenv("BENCH_PORT"), NULL, 10);
        pid = (pid_t)strtol(getenv("BENCH_PID") ? getenv("BENCH_PID") : "0",
                            NULL, 10);
    }
    run(20, "API and hooks, no secret:");
    run(n, "API and hooks, no secret:");
    first_target = 4;
    run(20, "login, pages, signatures:");
    run(n, "login, pages, signatures:");
    if (own)
        test_site_stop(&s, SIGTERM);
    return 0;
}
