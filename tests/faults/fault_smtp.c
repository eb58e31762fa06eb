/*
 * fault_smtp.c: the outbox of `mingle serve` against an SMTP server that
 * is down (a closed port), then one that refuses with 451 (a responder
 * in this file, on a thread: greylisting at RCPT on one connection,
 * "try later" after the whole DATA on the next), then a good one
 * (python3-aiosmtpd writing a maildir). The invitations stay queued with
 * their attempts growing and the last error shown by the outbox API,
 * none is given up, and when the server works each arrives exactly once
 * with the Message-ID it was refused with.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
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
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "support.h"

#define PEOPLE 8
#define DEADLINE 90 /* generous seconds for each phase */

static const char circle_json[] =
    "{\"title\":\"Refused circle\",\"time_zone\":\"Europe/Berlin\","
    "\"start_date\":\"2027-03-22\",\"weeks\":3,\"group_size\":{\"min\":2,"
    "\"max\":8},\"slots\":[{\"weekday\":\"wednesday\",\"start\":\"18:00\","
    "\"minutes\":60}],\"organizer\":{\"name\":\"Coordinators\","
    "\"email\":\"circles@example.org\"}}";

/* The refusing responder: what it saw. */
struct responder {
    int listen_fd;
    atomic_int stop;
    pthread_t thread;
    int connections, rcpt_refused, data_refused;
    char *refused_ids[64]; /* Message-IDs of the DATA it refused */
    int n_refused_ids;
};

struct world {
    struct test_site site;
    char *inbox;
    int smtp_port;
    pid_t smtp;
    long long circle;
    struct responder resp;
};

static struct world *W;

static json_t *call(long *status, const char *method, const char *path,
                    const char *body, const char *ctype)
{
    return test_site_call(&W->site, status, method, path, body, ctype);
}

/* The circle's outbox, as the API shows it. */
static json_t *outbox(void)
{
    char *path = mg_xasprintf("/api/v1/circles/%lld/outbox", W->circle);
    long status;
    json_t *doc = call(&status, "GET", path, NULL, NULL);
    json_t *msgs;

    free(path);
    assert_int_equal(status, 200);
    msgs = json_incref(json_object_get(doc, "messages"));
    json_decref(doc);
    assert_true(json_is_array(msgs));
    return msgs;
}

static const char *str(json_t *m, const char *key)
{
    const char *v = json_string_value(json_object_get(m, key));
    return v ? v : "";
}

static long long num(json_t *m, const char *key)
{
    return json_integer_value(json_object_get(m, key));
}

/* Read one CRLF line from `fd` into buf; -1 on close or stop. */
static int read_line(int fd, char *buf, size_t cap, struct responder *r)
{
    size_t n = 0;

    while (n + 1 < cap) {
        struct pollfd p = {fd, POLLIN, 0};
        char c;
        ssize_t got;

        if (atomic_load(&r->stop))
            return -1;
        if (poll(&p, 1, 100) <= 0)
            continue;
        got = recv(fd, &c, 1, 0);
        if (got <= 0)
            return -1;
        buf[n++] = c;
        if (c == '\n')
            break;
    }
    buf[n] = '\0';
    return (int)n;
}

static void say(int fd, const char *line)
{
    size_t off = 0, len = strlen(line);

    while (off < len) {
        ssize_t n = send(fd, line + off, len - off, MSG_NOSIGNAL);
        if (n <= 0)
            return;
        off += (size_t)n;
    }
}

/*
 * One SMTP session. Odd connections are greylisted at RCPT (451); even
 * ones take the whole message and refuse it with 451 after the final
 * dot, the case where a client must not take the transfer for success.
 */
static void serve_session(struct responder *r, int fd, int nth)
{
    char line[1024];
    struct mg_buf data = MG_BUF_INIT;

    say(fd, "220 refuser.test ESMTP\r\n");
    while (read_line(fd, line, sizeof(line), r) > 0) {
        if (strncasecmp(line, "EHLO", 4) == 0 ||
            strncasecmp(line, "HELO", 4) == 0) {
            say(fd, "250 refuser.test\r\n");
        } else if (strncasecmp(line, "MAIL", 4) == 0) {
            say(fd, "250 2.1.0 ok\r\n");
        } else if (strncasecmp(line, "RCPT", 4) == 0) {
            if (nth % 2) {
                r->rcpt_refused++;
                say(fd, "451 4.7.1 greylisted, try again later\r\n");
            } else {
                say(fd, "250 2.1.5 ok\r\n");
            }
        } else if (strncasecmp(line, "DATA", 4) == 0) {
            say(fd, "354 end with <CRLF>.<CRLF>\r\n");
            data.len = 0;
            while (read_line(fd, line, sizeof(line), r) > 0) {
                if (strcmp(line, ".\r\n") == 0)
                    break;
                mg_buf_puts(&data, line);
            }
            r->data_refused++;
            if (r->n_refused_ids < 64)
                r->refused_ids[r->n_refused_ids++] = test_header_value(
                    data.data ? data.data : "", data.len, "Message-ID");
            say(fd, "451 4.3.0 temporary failure, try again later\r\n");
        } else if (strncasecmp(line, "QUIT", 4) == 0) {
            say(fd, "221 2.0.0 bye\r\n");
            break;
        } else {
            say(fd, "250 ok\r\n"); /* RSET, NOOP */
        }
    }
    mg_buf_release(&data);
    close(fd);
}

static void *responder_run(void *arg)
{
    struct responder *r = arg;

    while (!atomic_load(&r->stop)) {
        struct pollfd p = {r->listen_fd, POLLIN, 0};
        int fd;

        if (poll(&p, 1, 100) <= 0)
            continue;
        fd = accept(r->listen_fd, NULL, NULL);
        if (fd < 0)
            continue;
        r->connections++;
        serve_session(r, fd, r->connections);
    }
    return NULL;
}

static void responder_start(struct responder *r, int port)
{
    struct sockaddr_in sa;
    int one = 1;

    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    r->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    setsockopt(r->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    assert_int_equal(bind(r->listen_fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(listen(r->listen_fd, 16), 0);
    atomic_init(&r->stop, 0);
    assert_int_equal(pthread_create(&r->thread, NULL, responder_run, r), 0);
}

static void responder_stop(struct responder *r)
{
    if (r->listen_fd <= 0)
        return;
    atomic_store(&r->stop, 1);
    pthread_join(r->thread, NULL);
    close(r->listen_fd);
    r->listen_fd = 0;
}

static int smtp_start(void)
{
    W->smtp = test_smtp_start(&W->smtp_port, W->inbox);
    return W->smtp > 0 ? 0 : -1;
}

static int setup_world(void **state)
{
    struct world *w = mg_xcalloc(1, sizeof(*w));
    char *smtp_env, *maildir_env;
    const char *env[7];
    const struct test_site_opts opts = {.env = env};
    struct mg_buf csv = MG_BUF_INIT;
    int i, rc;

    *state = w;
    W = w;
    if (access("/usr/bin/python3", X_OK) != 0) {
        fprintf(stderr, "needs /usr/bin/python3 with python3-aiosmtpd\n");
        return -1;
    }
    if (test_site_init(&w->site, "smtp.db") < 0)
        return -1;
    w->inbox = mg_xasprintf("%s/inbox", w->site.dir);
    w->smtp_port = test_free_port();
    smtp_env =
        mg_xasprintf("MINGLE_SMTP_URL=smtp://127.0.0.1:%d", w->smtp_port);
    maildir_env = mg_xasprintf("MINGLE_MAILDIR=%s/unused", w->site.dir);
    env[0] = smtp_env;
    env[1] = maildir_env;
    env[2] = "MINGLE_OUTBOX_INTERVAL=1";
    env[3] = "MINGLE_OUTBOX_RETRY=1";
    env[4] = "MINGLE_MAIL_FROM=circles@example.org";
    env[5] = "MINGLE_OUTBOX_ATTEMPTS=12";
    env[6] = NULL;
    if (test_site_serve(&w->site, &opts) < 0)
        return -1;
    free(smtp_env);
    free(maildir_env);
    w->circle = test_site_circle(&w->site, circle_json, NULL);
    if (!w->circle)
        return -1;
    mg_buf_puts(&csv, "name,email,role\n");
    for (i = 0; i < PEOPLE; i++)
        mg_buf_printf(&csv, "Person %d,p%d@example.org,%s\n", i, i,
                      i == 0 ? "facilitator" : "participant");
    rc = test_site_people(&w->site, w->circle, csv.data);
    mg_buf_release(&csv);
    return rc;
}

static int teardown_world(void **state)
{
    struct world *w = *state;
    int i;

    if (!w)
        return 0;
    if (w->site.d.pid)
        test_daemon_stop(&w->site.d, SIGTERM);
    responder_stop(&w->resp);
    if (w->smtp > 0) {
        kill(w->smtp, SIGKILL);
        waitpid(w->smtp, NULL, 0);
    }
    for (i = 0; i < w->resp.n_refused_ids; i++)
        free(w->resp.refused_ids[i]);
    test_site_stop(&w->site,
                   SIGTERM); /* its directory, after the SMTP server */
    free(w->inbox);
    free(w);
    return 0;
}

/* Every message queued (none sent, none given up), each with at least
 * `attempts` attempts and a last error containing `error`. */
static int all_retrying(json_t *msgs, long long attempts, const char *error)
{
    size_t i;

    for (i = 0; i < json_array_size(msgs); i++) {
        json_t *m = json_array_get(msgs, i);
        if (strcmp(str(m, "status"), "sent") == 0 ||
            strcmp(str(m, "status"), "failed") == 0)
            fail_msg("message %lld is %s while the server refuses",
                     num(m, "id"), str(m, "status"));
        if (num(m, "attempts") < attempts ||
            !strstr(str(m, "last_error"), error))
            return 0;
    }
    return 1;
}

/* Message-IDs of the messages in the maildir's new/; *n of them. */
static char **inbox_ids(size_t *n)
{
    char *dir = mg_xasprintf("%s/new", W->inbox);
    DIR *d = opendir(dir);
    struct dirent *e;
    char **ids = NULL;

    *n = 0;
    while (d && (e = readdir(d)) != NULL) {
        char *file;
        char *text;
        size_t len = 0;

        if (e->d_name[0] == '.')
            continue;
        file = mg_xasprintf("%s/%s", dir, e->d_name);
        text = test_read_file(file, &len);
        assert_non_null(text);
        ids = mg_xrealloc(ids, (*n + 1) * sizeof(*ids));
        ids[*n] = test_header_value(text, len, "Message-ID");
        assert_non_null(ids[*n]);
        (*n)++;
        free(text);
        free(file);
    }
    if (d)
        closedir(d);
    free(dir);
    return ids;
}

static int compare_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_refused_then_delivered_once(void **state)
{
    char *plan = mg_xasprintf("/api/v1/circles/%lld/groups/plan", W->circle);
    long status;
    long long after_down = 0;
    json_t *doc, *msgs = NULL;
    double deadline;
    char **ids;
    size_t n, i, total;
    int j, all_sent = 0;

    (void)state;
    /* Invitations are queued while nothing listens on the SMTP port. */
    doc = call(&status, "POST", plan, NULL, NULL);
    assert_int_equal(status, 201);
    json_decref(doc);
    free(plan);

    deadline = mg_monotonic() + DEADLINE;
    for (;;) {
        msgs = outbox();
        if (json_array_size(msgs) >= PEOPLE && all_retrying(msgs, 2, ""))
            break;
        json_decref(msgs);
        assert_true(mg_monotonic() < deadline);
        usleep(200 * 1000);
    }
    total = json_array_size(msgs);
    assert_int_equal(total, PEOPLE);
    for (i = 0; i < total; i++) {
        json_t *m = json_array_get(msgs, i);
        long long a = num(m, "attempts");
        assert_true(json_is_string(json_object_get(m, "last_error")));
        if (!after_down || a < after_down)
            after_down = a;
    }
    fprintf(stderr,
            "server down: %zu queued, at least %lld attempts each, e.g. %s\n",
            total, after_down, str(json_array_get(msgs, 0), "last_error"));
    json_decref(msgs);

    /* A server that answers, but only with 451. */
    responder_start(&W->resp, W->smtp_port);
    deadline = mg_monotonic() + DEADLINE;
    for (;;) {
        msgs = outbox();
        assert_int_equal(json_array_size(msgs), total);
        if (all_retrying(msgs, after_down + 2, "451") &&
            W->resp.rcpt_refused > 0 && W->resp.data_refused > 0)
            break;
        json_decref(msgs);
        assert_true(mg_monotonic() < deadline);
        usleep(200 * 1000);
    }
    json_decref(msgs);
    responder_stop(&W->resp);
    fprintf(stderr,
            "server refusing: %d connections, %d refused at RCPT, %d after "
            "DATA\n",
            W->resp.connections, W->resp.rcpt_refused, W->resp.data_refused);

    /* A good server: each arrives, once. */
    assert_int_equal(smtp_start(), 0);
    deadline = mg_monotonic() + DEADLINE;
    while (!all_sent) {
        msgs = outbox();
        all_sent = 1;
        for (i = 0; i < json_array_size(msgs); i++) {
            json_t *m = json_array_get(msgs, i);
            if (strcmp(str(m, "status"), "sent") != 0)
                all_sent = 0;
            assert_string_not_equal(str(m, "status"), "failed");
        }
        assert_int_equal(json_array_size(msgs), total);
        json_decref(msgs);
        if (!all_sent) {
            assert_true(mg_monotonic() < deadline);
            usleep(200 * 1000);
        }
    }
    /* Everything is marked sent, so nothing will be sent again: the
     * maildir holds the final count (aiosmtpd writes before its 250). */
    ids = inbox_ids(&n);
    fprintf(stderr, "server up: %zu of %zu delivered\n", n, total);
    assert_int_equal(n, total);
    qsort(ids, n, sizeof(*ids), compare_str);
    for (i = 1; i < n; i++)
        assert_string_not_equal(ids[i - 1], ids[i]);
    /* the messages refused after DATA came back with the same Message-ID */
    for (j = 0; j < W->resp.n_refused_ids; j++) {
        assert_non_null(W->resp.refused_ids[j]);
        assert_non_null(bsearch(&W->resp.refused_ids[j], ids, n, sizeof(*ids),
                                compare_str));
    }
    for (i = 0; i < n; i++)
        free(ids[i]);
    free(ids);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refused_then_delivered_once),
    };

    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, setup_world, teardown_world);
}
