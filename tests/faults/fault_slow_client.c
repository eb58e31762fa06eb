/*
 * fault_slow_client.c: slow and silent clients against `mingle serve`
 * (request_timeout=3, idle_timeout=2, per_ip_connections=50). Many
 * connections from 127.0.0.2 announce a 1000-byte body and trickle it;
 * those over the per-address cap are closed unanswered before any
 * timeout, the others get 408 and are closed, while requests from
 * 127.0.0.1 keep succeeding. Clients that stop half-way through their
 * headers, say nothing, or send their headers a byte at a time are
 * closed after idle_timeout.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "support.h"

#define PER_IP 50
#define SLOW 64 /* PER_IP admitted, the rest over the cap */
#define REQUEST_TIMEOUT 3
#define IDLE_TIMEOUT 2
#define CLOSE_BOUND 20.0 /* generous: seconds until a slow one is closed */

static const char *const daemon_env[] = {
    "MINGLE_REQUEST_TIMEOUT=3", "MINGLE_IDLE_TIMEOUT=2",
    "MINGLE_PER_IP_CONNECTIONS=50", "MINGLE_OUTBOX_INTERVAL=3600", NULL};

struct world {
    struct test_site site;
};

static struct world *W;

static int setup_world(void **state)
{
    struct world *w = mg_xcalloc(1, sizeof(*w));
    const struct test_site_opts opts = {.env = daemon_env};

    W = w;
    *state = w;
    return test_site_start(&w->site, "slow.db", &opts);
}

static int teardown_world(void **state)
{
    struct world *w = *state;

    if (!w)
        return 0;
    test_site_stop(&w->site, SIGTERM);
    free(w);
    return 0;
}

/* A TCP connection from `from` (e.g. "127.0.0.2") to the daemon. */
static int connect_from(const char *from, int port)
{
    struct sockaddr_in src, dst;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    assert_true(fd >= 0);
    memset(&src, 0, sizeof(src));
    src.sin_family = AF_INET;
    assert_int_equal(inet_pton(AF_INET, from, &src.sin_addr), 1);
    assert_int_equal(bind(fd, (struct sockaddr *)&src, sizeof(src)), 0);
    memset(&dst, 0, sizeof(dst));
    dst.sin_family = AF_INET;
    dst.sin_port = htons((uint16_t)port);
    dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&dst, sizeof(dst)) < 0) {
        close(fd);
        return -1;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

static int send_all(int fd, const char *data, size_t len)
{
    size_t off = 0;
    struct pollfd p = {fd, POLLOUT, 0};

    while (off < len) {
        ssize_t n = send(fd, data + off, len - off, MSG_NOSIGNAL);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            poll(&p, 1, 100);
            continue;
        }
        if (n <= 0)
            return -1;
        off += (size_t)n;
    }
    return 0;
}

/* One slow connection's story. */
struct slow {
    int fd;
    double opened, closed; /* closed: 0 while open */
    int body_bytes;        /* sent after the headers */
    char answer[256];      /* the first bytes the server sent */
    size_t answer_len;
};

/* Read what is there; note the close (EOF or reset). */
static void drain(struct slow *s, double now)
{
    for (;;) {
        char buf[512];
        ssize_t n = recv(s->fd, buf, sizeof(buf), 0);

        if (n > 0) {
            size_t room = sizeof(s->answer) - 1 - s->answer_len;
            size_t take = (size_t)n < room ? (size_t)n : room;
            memcpy(s->answer + s->answer_len, buf, take);
            s->answer_len += take;
            s->answer[s->answer_len] = '\0';
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        s->closed = now; /* 0: orderly close; <0: reset */
        close(s->fd);
        s->fd = -1;
        return;
    }
}

static int answered_408(const struct slow *s)
{
    return strncmp(s->answer, "HTTP/1.1 408 ", 13) == 0 ||
           strncmp(s->answer, "HTTP/1.0 408 ", 13) == 0;
}

/* Requests from 127.0.0.1 while the slow ones hold their connections. */
struct steady {
    atomic_int stop;
    int ok, failed;
    long last_failure;
};

static void *steady_client(void *arg)
{
    struct steady *s = arg;
    int i = 0;

    while (!atomic_load(&s->stop)) {
        struct test_response resp;
        long want = 200;
        int rc;

        if (i % 3 == 0) {
            char *body = mg_xasprintf(
                "{\"title\":\"Steady %d\",\"time_zone\":\"UTC\","
                "\"start_date\":\"2030-03-04\",\"weeks\":2,\"slots\":[{"
                "\"weekday\":\"monday\",\"start\":\"12:00\",\"minutes\":30}]}",
                i);
            rc = test_http(&resp, W->site.d.port, "POST", "/api/v1/circles",
                           W->site.token, body, NULL);
            want = 201;
            free(body);
        } else if (i % 3 == 1) {
            rc = test_http(&resp, W->site.d.port, "GET", "/api/v1/circles",
                           W->site.token, NULL, NULL);
        } else {
            rc = test_http(&resp, W->site.d.port, "GET", "/healthz", NULL, NULL,
                           NULL);
        }
        if (rc == 0 && resp.status == want) {
            s->ok++;
        } else {
            s->failed++;
            s->last_failure = rc == 0 ? resp.status : -1;
        }
        test_response_release(&resp);
        i++;
        usleep(100 * 1000);
    }
    return NULL;
}

/* What /metrics says is in flight (this request included); -1 on error. */
static int in_flight(void)
{
    struct test_response resp;
    const char *p;
    int n = -1;

    if (test_http(&resp, W->site.d.port, "GET", "/metrics", NULL, NULL, NULL) ==
            0 &&
        resp.status == 200) {
        p = strstr(resp.body, "\nmingle_http_requests_in_flight ");
        if (p)
            n = atoi(p + strlen("\nmingle_http_requests_in_flight "));
    }
    test_response_release(&resp);
    return n;
}

/*
 * One turn of the slow clients: read what has arrived, note closes, and
 * every half second send one more body byte to each connection that is
 * open and unanswered (faster than idle_timeout, far slower than a body
 * should take). Returns how many are still open.
 */
static int pump(struct slow *s, int n, double *next_byte)
{
    struct pollfd p[SLOW];
    int idx[SLOW], k = 0, i, open_n = 0;
    double now;

    for (i = 0; i < n; i++)
        if (s[i].fd >= 0) {
            p[k].fd = s[i].fd;
            p[k].events = POLLIN;
            p[k].revents = 0;
            idx[k++] = i;
        }
    poll(p, (nfds_t)k, 100);
    now = mg_monotonic();
    for (i = 0; i < k; i++)
        if (p[i].revents)
            drain(&s[idx[i]], now);
    if (now >= *next_byte) {
        *next_byte = now + 0.5;
        for (i = 0; i < n; i++) {
            if (s[i].fd < 0 || s[i].answer_len)
                continue;
            if (send(s[i].fd, "x", 1, MSG_NOSIGNAL) == 1)
                s[i].body_bytes++;
            else if (errno != EAGAIN)
                drain(&s[i], now);
        }
    }
    for (i = 0; i < n; i++)
        if (s[i].fd >= 0 && !(s[i].answer_len && answered_408(&s[i])))
            open_n++;
    return open_n;
}

/* A coordinator's request trickling its body: one without a credential
 * is refused from its headers, before any body byte is read. */
static void open_slow(struct slow *s)
{
    char *head = mg_xasprintf("POST /api/v1/circles HTTP/1.1\r\n"
                              "Host: 127.0.0.1\r\n"
                              "Authorization: Bearer %s\r\n"
                              "Content-Type: application/json\r\n"
                              "Content-Length: 1000\r\n\r\n",
                              W->site.token);
    int sent;

    memset(s, 0, sizeof(*s));
    s->fd = connect_from("127.0.0.2", W->site.d.port);
    s->opened = mg_monotonic();
    sent = s->fd >= 0 ? send_all(s->fd, head, strlen(head)) : -1;
    free(head);
    if (s->fd < 0 || sent < 0) {
        /* refused before the headers were out: closed */
        if (s->fd >= 0)
            close(s->fd);
        s->fd = -1;
        s->closed = s->opened;
    }
}

static void test_trickling_bodies(void **state)
{
    struct slow s[SLOW];
    struct steady steady;
    pthread_t t;
    double deadline, next_byte, slowest = 0, quickest = 1e9;
    int i, flying = -1, extra_open, admitted_gone = 0, answered = 0;

    (void)state;
    /* PER_IP connections, all admitted and in flight */
    for (i = 0; i < PER_IP; i++) {
        open_slow(&s[i]);
        assert_true(s[i].fd >= 0);
    }
    next_byte = mg_monotonic() + 0.5;
    deadline = mg_monotonic() + CLOSE_BOUND;
    while (mg_monotonic() < deadline) {
        pump(s, PER_IP, &next_byte);
        flying = in_flight();
        if (flying >= PER_IP + 1)
            break;
    }
    fprintf(stderr, "%d requests in flight\n", flying);
    assert_int_equal(flying, PER_IP + 1); /* theirs and /metrics itself */

    /* Over the cap: closed unanswered while the others still hold it;
     * meanwhile 127.0.0.1 is served as usual. */
    memset(&steady, 0, sizeof(steady));
    atomic_init(&steady.stop, 0);
    assert_int_equal(pthread_create(&t, NULL, steady_client, &steady), 0);
    for (i = PER_IP; i < SLOW; i++)
        open_slow(&s[i]);
    deadline = mg_monotonic() + CLOSE_BOUND;
    do {
        pump(s, SLOW, &next_byte);
        extra_open = 0;
        for (i = PER_IP; i < SLOW; i++)
            if (s[i].fd >= 0)
                extra_open++;
    } while (extra_open > 0 && mg_monotonic() < deadline);
    for (i = 0; i < PER_IP; i++)
        if (s[i].fd < 0 || s[i].answer_len)
            admitted_gone++;
    for (i = PER_IP; i < SLOW; i++) {
        if (s[i].fd >= 0)
            fail_msg("connection %d over the per-address cap still open", i);
        if (s[i].answer_len)
            fail_msg("connection %d over the cap was answered: %.40s", i,
                     s[i].answer);
    }
    /* refused by the cap, not by a timeout: the first PER_IP were all
     * still there when the last extra one was closed */
    assert_int_equal(admitted_gone, 0);

    /* The admitted ones: a 408 or a close after request_timeout. */
    deadline = mg_monotonic() + CLOSE_BOUND;
    while (pump(s, PER_IP, &next_byte) > 0 && mg_monotonic() < deadline)
        ;
    atomic_store(&steady.stop, 1);
    pthread_join(t, NULL);
    for (i = 0; i < PER_IP; i++) {
        double took;

        if (s[i].fd >= 0 && !answered_408(&s[i]))
            fail_msg("slow connection %d neither answered nor closed after "
                     "%.0f s (%d body bytes sent)",
                     i, mg_monotonic() - s[i].opened, s[i].body_bytes);
        if (answered_408(&s[i]))
            answered++;
        else if (s[i].answer_len)
            fail_msg("slow connection %d answered: %.40s", i, s[i].answer);
        took = (s[i].fd >= 0 ? mg_monotonic() : s[i].closed) - s[i].opened;
        if (took > slowest)
            slowest = took;
        if (took < quickest)
            quickest = took;
        if (s[i].fd >= 0)
            close(s[i].fd);
    }
    fprintf(stderr,
            "slow clients: %d of %d answered 408, the rest closed; after "
            "%.1f to %.1f s (request_timeout=%d); %d over the cap refused; "
            "127.0.0.1 meanwhile: %d ok, %d failed\n",
            answered, PER_IP, quickest, slowest, REQUEST_TIMEOUT, SLOW - PER_IP,
            steady.ok, steady.failed);
    /* ended by the request timeout, not before it */
    assert_true(quickest >= REQUEST_TIMEOUT - 0.5);
    if (steady.failed)
        fail_msg("%d requests from 127.0.0.1 failed (last status %ld)",
                 steady.failed, steady.last_failure);
    assert_true(steady.ok >= 5);

    /* The cap's count was released: 127.0.0.2 is served again. */
    {
        static const char get[] = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                  "Connection: close\r\n\r\n";
        struct slow again;

        memset(&again, 0, sizeof(again));
        again.fd = connect_from("127.0.0.2", W->site.d.port);
        assert_true(again.fd >= 0);
        assert_int_equal(send_all(again.fd, get, strlen(get)), 0);
        deadline = mg_monotonic() + CLOSE_BOUND;
        while (again.fd >= 0 && mg_monotonic() < deadline) {
            struct pollfd p = {again.fd, POLLIN, 0};
            poll(&p, 1, 100);
            if (p.revents)
                drain(&again, mg_monotonic());
        }
        if (again.fd >= 0)
            close(again.fd);
        assert_true(strncmp(again.answer, "HTTP/1.1 200 ", 13) == 0);
    }
}

/* Wait for the server to close `fd`; seconds it took, or -1 past the
 * deadline. Fails if anything but a close arrives. */
static double wait_closed(int fd, double since)
{
    struct slow s;
    double deadline = since + CLOSE_BOUND;

    memset(&s, 0, sizeof(s));
    s.fd = fd;
    while (s.fd >= 0 && mg_monotonic() < deadline) {
        struct pollfd p = {s.fd, POLLIN, 0};
        poll(&p, 1, 100);
        if (p.revents)
            drain(&s, mg_monotonic());
    }
    if (s.fd >= 0) {
        close(s.fd);
        return -1;
    }
    /* an unfinished request gets no answer (or a 4xx), never a 200 */
    assert_true(s.answer_len == 0 || strncmp(s.answer + 9, "200", 3) != 0);
    return s.closed - since;
}

static void test_silent_clients(void **state)
{
    static const char partial[] = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                  "Accept: */";
    int half, mute;
    double since, t_half, t_mute;

    (void)state;
    since = mg_monotonic();
    half = connect_from("127.0.0.3", W->site.d.port);
    mute = connect_from("127.0.0.3", W->site.d.port);
    assert_true(half >= 0 && mute >= 0);
    assert_int_equal(send_all(half, partial, strlen(partial)), 0);
    t_half = wait_closed(half, since);
    t_mute = wait_closed(mute, since);
    fprintf(stderr,
            "half-sent headers closed after %.1f s, a mute client after "
            "%.1f s (idle_timeout=%d)\n",
            t_half, t_mute, IDLE_TIMEOUT);
    assert_true(t_half >= 0);
    assert_true(t_mute >= 0);
    /* closed for being idle, not refused on sight */
    assert_true(t_half >= IDLE_TIMEOUT - 1);
    assert_true(t_mute >= IDLE_TIMEOUT - 1);
}

/*
 * Headers sent a byte every half second are never silent for
 * idle_timeout, so only the headers' deadline (idle_timeout from the
 * connection's start) closes them: without it this client would hold its
 * connection for as long as it liked.
 */
static void test_trickling_headers(void **state)
{
    static const char request[] =
        "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: "
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n"
        "\r\n";
    size_t sent = 0;
    double since = mg_monotonic(), deadline = since + CLOSE_BOUND, took;
    int fd = connect_from("127.0.0.3", W->site.d.port), closed = 0;

    (void)state;
    assert_true(fd >= 0);
    while (!closed && mg_monotonic() < deadline && sent < strlen(request)) {
        struct pollfd p = {fd, POLLIN, 0};

        /* EPIPE/ECONNRESET once the server has shut the socket */
        if (send(fd, request + sent, 1, MSG_NOSIGNAL) != 1)
            closed = 1;
        else
            sent++;
        if (!closed && poll(&p, 1, 500) > 0) {
            char buf[512];
            ssize_t n = recv(fd, buf, sizeof(buf), 0);
            /* an answer would mean the headers were all read: not yet */
            assert_true(n <= 0);
            closed = 1;
        }
    }
    took = mg_monotonic() - since;
    close(fd);
    fprintf(stderr,
            "headers trickled a byte every 0.5 s: cut off after %.1f s, "
            "%zu of %zu bytes sent (idle_timeout=%d)\n",
            took, sent, strlen(request), IDLE_TIMEOUT);
    assert_true(closed);
    assert_true(sent < strlen(request));
    assert_true(took >= IDLE_TIMEOUT - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trickling_bodies),
        cmocka_unit_test(test_silent_clients),
        cmocka_unit_test(test_trickling_headers),
    };

    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, setup_world, teardown_world);
}
