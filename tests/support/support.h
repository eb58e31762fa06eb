/*
 * support.h: helpers for mingle's tests: temporary directories, running
 * the real `mingle` binary (as a daemon on a free port, or a CLI command
 * whose output is captured), and HTTP requests through libcurl.
 *
 * With MINGLE_TEST_WRAPPER set (e.g. "valgrind -q --error-exitcode=99
 * ..."), the daemon and every CLI command run under it: its words, split
 * at spaces, come before the mingle binary. Exit status 99 from a wrapped
 * run fails the test (cmocka's fail_msg), whatever else it expected.
 */
#ifndef MINGLE_TEST_SUPPORT_H
#define MINGLE_TEST_SUPPORT_H

#include <pthread.h>
#include <setjmp.h> /* before cmocka.h, which needs these four */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <cmocka.h>

#include "mingle/core.h"

/*
 * How many times slower than normal mingle runs: 1, or 30 under
 * MINGLE_TEST_WRAPPER (MINGLE_TEST_SLOWDOWN=N overrides). The daemon's
 * start-up wait and request timeouts are multiplied by it; tests scale
 * their own waits with it.
 */
int test_slowdown(void);

/* A fresh directory under $TMPDIR or /tmp; remove with test_rmdir(). */
char *test_mkdtemp(void);
void test_rmdir(char *dir);

/* A running `mingle serve`. Its stderr is collected in `log`. */
struct test_daemon {
    pid_t pid;
    int port;
    int err_fd;
    pthread_t reader;
    pthread_mutex_t lock;
    struct mg_buf log;
};

/*
 * Start `mingle serve --port 0 --db DB` (no --db when DB is NULL) plus
 * `extra` arguments
 * (NULL-terminated, may be NULL), with `env` entries ("K=V", NULL-ended,
 * may be NULL) added to the environment. Waits for the "listening" line
 * and fills d->port. Returns 0, or -1 if the daemon did not come up.
 */
int test_daemon_start(struct test_daemon *d, const char *db,
                      const char *const *extra, const char *const *env);

/* The same for another daemon command, e.g. "demo". */
int test_daemon_start_cmd(struct test_daemon *d, const char *command,
                          const char *db, const char *const *extra,
                          const char *const *env);

/* Send `sig` and wait for the exit; returns the exit status or -1. A
 * wrapper's error exit (99) fails the running test. */
int test_daemon_stop(struct test_daemon *d, int sig);

/* A copy of what the daemon has logged so far; free() it. */
char *test_daemon_log(struct test_daemon *d);

/*
 * Run `mingle` with `argv` (NULL-terminated, without the program name).
 * *out gets stdout (free() it), *err stderr when not NULL. Returns the
 * exit status.
 */
int test_run_cli(char **out, char **err, const char *const *argv,
                 const char *const *env);

/* Make a token of `role` in `db` with the CLI; returns it (free() it). */
char *test_make_token(const char *db, const char *role);
/* The same for one circle (and, for a facilitator, one group: 0 none). */
char *test_make_scoped_token(const char *db, const char *role, long long circle,
                             long long group);

/* An HTTP response: status and body (free() body). */
struct test_response {
    long status;
    char *body;
    char *headers;
};

/*
 * Send one request to 127.0.0.1:port. `token` adds a bearer header,
 * `body` (may be NULL) is sent with `content_type` (NULL means
 * application/json). Returns 0 or -1 if the connection failed.
 */
int test_http(struct test_response *resp, int port, const char *method,
              const char *path, const char *token, const char *body,
              const char *content_type);
/* The same with `len` bytes of body (may hold NULs) and `extra` header
 * lines ("Name: value", NULL-ended, may be NULL). */
int test_http_ex(struct test_response *resp, int port, const char *method,
                 const char *path, const char *token, const char *const *extra,
                 const char *body, size_t len, const char *content_type);
void test_response_release(struct test_response *resp);

/* One request (as test_http) whose answer is read as JSON: the document,
 * or NULL for an empty or non-JSON body; *status the HTTP status. Fails
 * the test if the connection fails. json_decref() it. */
struct json_t;
struct json_t *test_call_json(long *status, int port, const char *token,
                              const char *method, const char *path,
                              const char *body, const char *content_type);
/* The same as test_http_ex: `len` bytes of body, `extra` header lines;
 * *headers (when not NULL) gets the response's headers (free() them). */
struct json_t *test_call_json_ex(long *status, char **headers, int port,
                                 const char *token, const char *const *extra,
                                 const char *method, const char *path,
                                 const char *body, size_t len,
                                 const char *content_type);

/*
 * A site: `mingle serve` on a free port over a database in a fresh
 * directory, with a coordinator's token; where most black-box tests
 * start. A zeroed struct is a site not yet started.
 */
struct test_site {
    char *dir;     /* the fresh directory; test_site_stop() removes it */
    char *db;      /* the database, dir/<db_name> */
    char *maildir; /* dir/mail: MINGLE_MAILDIR with opts.maildir */
    char *token;   /* a coordinator's token, made with the CLI */
    struct test_daemon d;
};

/* How test_site_serve() starts the daemon; NULL opts are all zero. */
struct test_site_opts {
    int maildir;              /* mail to s->maildir (MINGLE_MAILDIR) */
    const char *const *extra; /* more `mingle serve` arguments, or NULL */
    const char *const *env;   /* more environment ("K=V"), or NULL */
};

/* Make s->dir, s->db (dir/db_name), s->maildir and s->token, with no
 * daemon yet. Returns 0, or -1 if the CLI made no token. */
int test_site_init(struct test_site *s, const char *db_name);
/* Start the daemon of an initialised site (again, after a
 * test_daemon_stop(&s->d, ...), to restart it on the same database).
 * Returns 0, or -1 if it did not come up. */
int test_site_serve(struct test_site *s, const struct test_site_opts *opts);
/* test_site_init() then test_site_serve(). */
int test_site_start(struct test_site *s, const char *db_name,
                    const struct test_site_opts *opts);
/* Stop the daemon with `sig` if it runs (a test that must stop it
 * earlier, or in another order, calls test_daemon_stop(&s->d, ...)
 * itself), free the site's strings and remove its directory. Returns the
 * daemon's exit status (-1 if a signal ended it or none ran). */
int test_site_stop(struct test_site *s, int sig);

/* A token of `role` for the site's database, for one circle (and, for a
 * facilitator, one group: 0 none); NULL if the CLI failed. free() it. */
char *test_site_token(const struct test_site *s, const char *role,
                      long long circle, long long group);
/* POST /api/v1/circles with `json` as the coordinator: the new circle's
 * id, or 0 unless the answer was 201. *doc (when not NULL) gets the
 * answer (json_decref() it). */
long long test_site_circle(struct test_site *s, const char *json,
                           struct json_t **doc);
/* test_call_json() on the site as its coordinator. */
struct json_t *test_site_call(struct test_site *s, long *status,
                              const char *method, const char *path,
                              const char *body, const char *content_type);

/* "/api/v1/circles/<circle>" followed by `fmt` formatted: the path of
 * something of circle `circle`. free() it. */
char *test_circle_path(long long circle, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* "/dashboard/circles/<circle>" followed by `fmt` formatted: the path of
 * circle `circle`'s dashboard pages. free() it. */
char *test_dashboard_path(long long circle, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* POST `csv` (text/csv) to circle `circle`'s participants as the site's
 * coordinator. Returns 0, or -1 unless the answer was 201. */
int test_site_people(struct test_site *s, long long circle, const char *csv);
/*
 * Where most tests of a planned circle start: test_site_people(), then
 * plan the circle's groups (POST .../groups/plan) and list its sessions.
 * For w from 1 to n_weeks, weeks[w - 1] gets the id of week w's first
 * session (the first group's); `weeks` may be NULL when n_weeks is 0.
 * Returns how many sessions the circle has, or -1 if the people or the
 * plan were not answered 201, the sessions not 200, or a week up to
 * n_weeks has no session.
 */
int test_site_plan(struct test_site *s, long long circle, const char *csv,
                   long long *weeks, size_t n_weeks);
/* The id of circle `circle`'s participant with email `email` (in any
 * case, as mail compares them), or 0 if there is none. Fails the test unless
 * the list is answered 200. */
long long test_site_person(struct test_site *s, long long circle,
                           const char *email);

/*
 * A dashboard request as a browser sends it: `cookie` ("name=value", may
 * be NULL) in a Cookie header and `form` (may be NULL) as an
 * application/x-www-form-urlencoded body. Fails the test if the
 * connection fails; test_response_release() the answer.
 */
void test_site_page(struct test_response *resp, struct test_site *s,
                    const char *method, const char *path, const char *cookie,
                    const char *form);
/* The CSRF token in a dashboard page's forms (name="csrf" value="..."):
 * 32 hex characters, or the test fails. free() it. */
char *test_page_csrf(const char *body);
/*
 * Log in to the dashboard with `token`: POST it as a form to
 * /dashboard/login. Returns the answer's status (303 when a session
 * began). *cookie gets the session cookie as "mingle_session=<value>", or
 * NULL when none was set; *set_cookie (when not NULL) the whole
 * Set-Cookie header, or NULL. With a cookie, *csrf (when not NULL) gets
 * the CSRF token of the /dashboard page it opens, which must answer 200;
 * else NULL. free() them.
 */
long test_site_dashboard_login(struct test_site *s, const char *token,
                               char **cookie, char **csrf, char **set_cookie);

/* The value of header `name` in the mail message `msg` (up to the blank
 * line, unfolded lines only), or NULL; free(). */
char *test_header_value(const char *msg, size_t len, const char *name);

/* Every note of circle `circle` (published and in review) through the
 * API, page by page, as one JSON array; json_decref() it. */
struct json_t *test_notes_all(int port, const char *token, long long circle);

/* A whole file's bytes (NUL-terminated; *len without it), or NULL. */
char *test_read_file(const char *path, size_t *len);

/*
 * The team's real captures, read in place (never copied: some are
 * copyleft): `rel` under MINGLE_SHARED_FIXTURES (cmake
 * -DMINGLE_SHARED_DIR=..., by default ../shared next to the
 * repository), e.g. "itip/thunderbird-lightning-reply-declined.ics".
 * Where the captures are not on the machine at all, the cmocka test
 * calling it is skipped with a message saying where they were looked
 * for; a capture missing from them fails the test. free() the bytes.
 */
char *test_read_shared(const char *rel, size_t *len);
/* Skip the calling cmocka test, as test_read_shared() would, when the
 * shared captures are not on the machine: for a test that builds on
 * what an earlier one read from them. */
void test_need_shared(void);

/*
 * cmocka_run_group_tests() of the `n` `tests`, but where the shared
 * captures are not on this machine the tests whose names are in
 * `shared` (NULL-terminated) are left out, each named on stderr as
 * skipped (they read the captures, or build on tests that did; left out
 * rather than stopped half-way, which would leak what they hold).
 */
int test_run_group(const char *name, const struct CMUnitTest *tests, size_t n,
                   const char *const *shared, CMFixtureFunction setup,
                   CMFixtureFunction teardown);
#define test_run_group_shared(tests, shared, setup, teardown)                  \
    test_run_group(#tests, tests, sizeof(tests) / sizeof((tests)[0]), shared,  \
                   setup, teardown)

/*
 * Real readers for what mingle writes, run as programs:
 * - test_xlsx_cells(): Debian's python3 with openpyxl reads workbook
 *   `path`; one line per non-empty cell, "sheet|row|col|type|value",
 *   rows and columns from 1, type openpyxl's (s string, n number, f
 *   formula...), value Python's repr() (whole floats as ints).
 * - test_pdf_text(): poppler's `pdftotext -layout` of `path`.
 * The caller frees; a reader that fails fails the test.
 */
char *test_xlsx_cells(const char *path);
char *test_pdf_text(const char *path);

/* Connect a raw TCP socket to 127.0.0.1:port; -1 on failure. */
int test_connect(int port);
/* A loopback port nothing listens on now (the kernel's pick). */
int test_free_port(void);
/*
 * A real SMTP server (Debian's python3-aiosmtpd) on 127.0.0.1:*port,
 * storing what it receives in the maildir `maildir`. With *port 0 it
 * picks a free port (trying again if another process takes it first)
 * and sets *port. Returns its pid once it accepts connections, or -1.
 */
pid_t test_smtp_start(int *port, const char *maildir);

#endif
