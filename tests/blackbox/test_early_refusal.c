/*
 * test_early_refusal.c: #17 item 12, load no one is allowed to cause.
 * The daemon used to read a request's whole body (up to the cap) before
 * it looked at the route and the credential, so 120 connections sending
 * 10 MB with no token took it to 1.3 GB. Here each request sends only
 * its headers, announcing a large body it never sends: an unknown path,
 * a wrong method, a missing or wrong bearer token, a mail hook's wrong
 * or missing secret or a missing Mandrill signature must be answered at
 * once, before any body byte (the old daemon waited for the body, and
 * these tests timed out waiting for an answer). Bodies held at once are
 * capped across connections (body_budget): past it, 503 with
 * Retry-After, again from the headers. Mail hooks have their own body
 * cap (webhook_body_limit, #17 item 5), also applied to the announced
 * length. Bodies whose credential only they can prove share a smaller
 * budget in memory. The RSS figures under the attack are in
 * tests/bench/bench_unauth_load.c.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "support.h"

#define MIME_SECRET "mime-secret-1234"

static const char *const daemon_env[] = {
    "MINGLE_MIME_SECRET=" MIME_SECRET,
    "MINGLE_MANDRILL_KEY=mandrill-key-1234",
    "MINGLE_MAILGUN_SIGNING_KEY=foo",
    "MINGLE_BODY_BUDGET=20M",
    "MINGLE_BODY_LIMIT=16M",
    "MINGLE_WEBHOOK_BODY_LIMIT=20M",
    NULL};

static struct test_site site;

static int setup(void **state)
{
    const struct test_site_opts opts = {.env = daemon_env};

    (void)state;
    return test_site_start(&site, "early.db", &opts);
}

static int teardown(void **state)
{
    (void)state;
    test_site_stop(&site, SIGTERM);
    return 0;
}

/*
 * Open a connection and send `method` `path` with `headers` (each line
 * ending CRLF, may be "") announcing `length` bytes of body, none of
 * which is sent. *fd is the connection (the caller closes it).
 */
static void send_head(int *fd, const char *method, const char *path,
                      const char *headers, size_t length)
{
    char *head = mg_xasprintf("%s %s HTTP/1.1\r\nHost: localhost\r\n%s"
                              "Content-Type: application/json\r\n"
                              "Content-Length: %zu\r\n\r\n",
                              method, path, headers, length);

    *fd = test_connect(site.d.port);
    assert_true(*fd >= 0);
    assert_int_equal(write(*fd, head, strlen(head)), (ssize_t)strlen(head));
    free(head);
}

/* The status of the answer on `fd` within 3 s (scaled), or 0 if none
 * came; the answer's head into `out` when not NULL. */
static int answer_status(int fd, char *out, size_t out_len)
{
    struct pollfd p = {fd, POLLIN, 0};
    char buf[4096];
    ssize_t n;
    int status = 0;

    if (poll(&p, 1, 3000 * test_slowdown()) <= 0)
        return 0;
    n = read(fd, buf, sizeof(buf) - 1);
    if (n < 12)
        return 0;
    buf[n] = '\0';
    if (sscanf(buf, "HTTP/1.1 %d", &status) != 1)
        return 0;
    if (out)
        snprintf(out, out_len, "%s", buf);
    return status;
}

/* Send only the headers of a request announcing 8 MB; the status it is
 * answered with before any body. */
static int early(const char *method, const char *path, const char *headers)
{
    int fd, status;

    send_head(&fd, method, path, headers, 8u * 1000 * 1000);
    status = answer_status(fd, NULL, 0);
    close(fd);
    return status;
}

static void test_refused_on_headers(void **state)
{
    char *bearer = mg_xasprintf("Authorization: Bearer %s\r\n", site.token);
    int fd;

    (void)state;
    /* no token, a malformed one, an unknown one */
    assert_int_equal(early("POST", "/api/v1/circles", ""), 401);
    assert_int_equal(early("POST", "/api/v1/circles",
                           "Authorization: Basic Zm9vOmJhcg==\r\n"),
                     401);
    assert_int_equal(
        early("POST", "/api/v1/circles",
              "Authorization: Bearer "
              "mg_0000000000000000_00000000000000000000000000000000\r\n"),
        401);
    /* an unknown path, a wrong method */
    assert_int_equal(early("POST", "/api/v1/nowhere", bearer), 404);
    assert_int_equal(early("POST", "/nowhere", ""), 404);
    assert_int_equal(early("PUT", "/api/v1/circles", ""), 405);
    /* mail hooks: the secret in the query or Basic auth, Mandrill's
     * signature header, an unknown or unconfigured provider */
    assert_int_equal(early("POST", "/hooks/mail/mime", ""), 401);
    assert_int_equal(early("POST", "/hooks/mail/mime?secret=wrong", ""), 401);
    assert_int_equal(early("POST", "/hooks/mail/mime",
                           "Authorization: Basic YXBpOndyb25n\r\n"),
                     401);
    assert_int_equal(early("POST", "/hooks/mail/mandrill", ""), 401);
    assert_int_equal(early("POST", "/hooks/mail/pigeon", ""), 404);
    assert_int_equal(early("POST", "/hooks/mail/postmark", ""), 503);
    /* a mail hook's body over webhook_body_limit (20M here) */
    send_head(&fd, "POST", "/hooks/mail/mime?secret=" MIME_SECRET, "",
              21u * 1024 * 1024);
    assert_int_equal(answer_status(fd, NULL, 0), 413);
    close(fd);
    /* ...while one under it, over the API's body_limit, is read */
    send_head(&fd, "POST", "/hooks/mail/mime?secret=" MIME_SECRET, "",
              17u * 1024 * 1024);
    assert_int_equal(answer_status(fd, NULL, 0), 0);
    close(fd);
    free(bearer);
}

/* Wait until the daemon has the headers of `n` requests (the metrics
 * request itself one more), so what they hold is held. */
static void wait_in_flight(int n)
{
    char *want = mg_xasprintf("mingle_http_requests_in_flight %d\n", n + 1);
    int i, seen = 0;

    for (i = 0; i < 300 && !seen; i++) {
        struct test_response m;
        assert_int_equal(
            test_http(&m, site.d.port, "GET", "/metrics", NULL, NULL, NULL), 0);
        seen = m.body && strstr(m.body, want) != NULL;
        test_response_release(&m);
        if (!seen)
            usleep(10000);
    }
    assert_true(seen);
    free(want);
}

/* A body of `n` spaces: invalid JSON, answered 400 once read. */
static void send_spaces(int fd, size_t n)
{
    char chunk[65536];

    memset(chunk, ' ', sizeof(chunk));
    while (n) {
        size_t k = n < sizeof(chunk) ? n : sizeof(chunk);
        assert_int_equal(write(fd, chunk, k), (ssize_t)k);
        n -= k;
    }
}

static void test_body_budget(void **state)
{
    char *bearer = mg_xasprintf("Authorization: Bearer %s\r\n", site.token);
    char head[4096];
    int a, b;

    (void)state;
    /* A holds 12 MB of the 20 MiB budget while its body arrives... */
    send_head(&a, "POST", "/api/v1/circles", bearer, 12u * 1000 * 1000);
    send_spaces(a, 1000 * 1000);
    wait_in_flight(1);
    /* ...so B's 12 MB has no room: 503 on its headers, with Retry-After */
    send_head(&b, "POST", "/api/v1/circles", bearer, 12u * 1000 * 1000);
    assert_int_equal(answer_status(b, head, sizeof(head)), 503);
    assert_non_null(strcasestr(head, "\r\nRetry-After: "));
    close(b);
    /* A goes on and is answered as ever */
    send_spaces(a, 11u * 1000 * 1000);
    assert_int_equal(answer_status(a, NULL, 0), 400);
    close(a);
    /* and once A is done, its bytes are free again */
    wait_in_flight(0);
    send_head(&b, "POST", "/api/v1/circles", bearer, 12u * 1000 * 1000);
    send_spaces(b, 12u * 1000 * 1000);
    assert_int_equal(answer_status(b, NULL, 0), 400);
    close(b);
    free(bearer);
}

/*
 * Routes whose credential only the body can prove (the dashboard's
 * login, a page's forms) take forms up to 1 MiB, refused over it on the
 * headers, and such bodies in memory share 16 MiB: the 17th connection
 * announcing 1 MB while 16 are still sending is answered 503 at once.
 */
static void test_unverified_bodies(void **state)
{
    int fds[16], fd, i;

    (void)state;
    assert_int_equal(early("POST", "/dashboard/login", ""), 413);
    wait_in_flight(0);
    for (i = 0; i < 16; i++)
        send_head(&fds[i], "POST", "/dashboard/login", "", 1000 * 1000);
    wait_in_flight(16);
    send_head(&fd, "POST", "/dashboard/login", "", 1000 * 1000);
    assert_int_equal(answer_status(fd, NULL, 0), 503);
    close(fd);
    for (i = 0; i < 16; i++)
        close(fds[i]);
    /* their bytes are given back once they are gone: once the daemon
     * has seen them go (under valgrind that can take until the idle
     * timeout), a new body is read, not refused */
    wait_in_flight(0);
    for (i = 0;; i++) {
        int status;

        send_head(&fd, "POST", "/dashboard/login", "", 1000 * 1000);
        status = answer_status(fd, NULL, 0);
        close(fd);
        if (status == 0) /* read, not refused */
            break;
        assert_int_equal(status, 503);
        assert_true(i < 60 * test_slowdown());
        sleep(1);
        wait_in_flight(0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refused_on_headers),
        cmocka_unit_test(test_body_budget),
        cmocka_unit_test(test_unverified_bodies),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
