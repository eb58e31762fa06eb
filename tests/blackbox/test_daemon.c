/*
 * test_daemon.c: the `mingle` binary as an operator meets it: running with
 * no configuration at all, settings from file < environment < flags, a
 * bad config file, clean shutdown on SIGTERM while a request is in flight
 * and on SIGINT, the log format, and the CLI's help and errors.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "mingle/store.h"
#include "support.h"

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* POST a body of `size` bytes of invalid JSON; return the status. */
static long post_size(int port, size_t size)
{
    struct test_response resp;
    char *body = mg_xmalloc(size + 1);
    long status;

    memset(body, ' ', size);
    body[size] = '\0';
    assert_int_equal(
        test_http(&resp, port, "POST", "/api/v1/circles", NULL, body, NULL), 0);
    status = resp.status;
    test_response_release(&resp);
    free(body);
    return status;
}

static void test_runs_with_no_config(void **state)
{
    struct test_daemon d;
    struct test_response resp;
    char *dir = test_mkdtemp();
    char *cwd = getcwd(NULL, 0);
    char *db = mg_xasprintf("%s/mingle.db", dir);
    struct stat sb;

    (void)state;
    unsetenv("MINGLE_CONFIG");
    unsetenv("MINGLE_DB");
    assert_int_equal(chdir(dir), 0);
    assert_int_equal(test_daemon_start(&d, NULL, NULL, NULL), 0);
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(
        test_http(&resp, d.port, "GET", "/healthz", NULL, NULL, NULL), 0);
    assert_int_equal(resp.status, 200);
    test_response_release(&resp);
    /* The default database is ./mingle.db. */
    assert_int_equal(stat(db, &sb), 0);
    assert_int_equal(test_daemon_stop(&d, SIGTERM), 0);
    free(db);
    free(cwd);
    test_rmdir(dir);
}

/* body_limit from the file, then the environment, then a flag. */
static void test_config_precedence(void **state)
{
    struct test_daemon d;
    char *dir = test_mkdtemp();
    char *conf = mg_xasprintf("%s/mingle.conf", dir);
    char *db = mg_xasprintf("%s/p.db", dir);
    char *conf_env = mg_xasprintf("MINGLE_CONFIG=%s", conf);
    const char *file_only[] = {conf_env, NULL};
    const char *file_env[] = {conf_env, "MINGLE_BODY_LIMIT=2K", NULL};
    const char *flag[] = {"--body-limit", "4K", NULL};

    (void)state;
    write_file(conf, "# test settings\n\nbody_limit = 1K\nlog_level = info\n");

    assert_int_equal(test_daemon_start(&d, db, NULL, file_only), 0);
    assert_int_equal(post_size(d.port, 1500), 413);
    assert_int_equal(test_daemon_stop(&d, SIGTERM), 0);

    assert_int_equal(test_daemon_start(&d, db, NULL, file_env), 0);
    assert_int_equal(post_size(d.port, 1500), 401); /* read, then auth */
    assert_int_equal(post_size(d.port, 3000), 413);
    assert_int_equal(test_daemon_stop(&d, SIGTERM), 0);

    assert_int_equal(test_daemon_start(&d, db, flag, file_env), 0);
    assert_int_equal(post_size(d.port, 3000), 401);
    assert_int_equal(post_size(d.port, 5000), 413);
    assert_int_equal(test_daemon_stop(&d, SIGTERM), 0);

    free(conf_env);
    free(db);
    free(conf);
    test_rmdir(dir);
}

static void test_bad_config_is_reported(void **state)
{
    char *dir = test_mkdtemp();
    char *conf = mg_xasprintf("%s/bad.conf", dir);
    const char *argv[] = {"serve", "--config", conf, NULL};
    const char *env_argv[] = {"migrate", "--db", "x.db", NULL};
    const char *env[] = {"MINGLE_PORT=99999", NULL};
    char *out = NULL, *err = NULL;

    (void)state;
    write_file(conf, "port = 8080\nprot = 9090\n");
    assert_int_equal(test_run_cli(&out, &err, argv, NULL), 1);
    assert_non_null(strstr(err, "bad.conf:2"));
    assert_non_null(strstr(err, "prot"));
    free(out);
    free(err);
    assert_int_equal(test_run_cli(&out, &err, env_argv, env), 1);
    assert_non_null(strstr(err, "MINGLE_PORT"));
    free(out);
    free(err);
    free(conf);
    test_rmdir(dir);
}

/*
 * SIGTERM while a request's body is half sent: the daemon stops
 * accepting, lets the request finish and commit, then exits 0.
 */
static void test_sigterm_finishes_request_in_flight(void **state)
{
    static const char body[] =
        "{\"title\":\"In flight\",\"time_zone\":\"Pacific/Auckland\","
        "\"start_date\":\"2027-03-02\",\"weeks\":4,\"slots\":[{\"weekday\":"
        "\"tuesday\",\"start\":\"19:30\",\"minutes\":60}]}";
    struct test_site s;
    const char *list_argv[] = {"circle", "list", "--db", NULL, NULL};
    size_t half = sizeof(body) / 2;
    char *head;
    char reply[2048];
    char *out = NULL;
    ssize_t n;
    int fd, status = 0, i;
    pid_t pid;

    (void)state;
    assert_int_equal(test_site_start(&s, "s.db", NULL), 0);
    list_argv[3] = s.db;
    fd = test_connect(s.d.port);
    assert_true(fd >= 0);
    head = mg_xasprintf("POST /api/v1/circles HTTP/1.1\r\nHost: localhost\r\n"
                        "Authorization: Bearer %s\r\n"
                        "Content-Type: application/json\r\n"
                        "Content-Length: %zu\r\n\r\n",
                        s.token, strlen(body));
    assert_int_equal(write(fd, head, strlen(head)), (ssize_t)strlen(head));
    assert_int_equal(write(fd, body, half), (ssize_t)half);
    /* Wait until the daemon has the request (it counts it in flight). */
    for (i = 0; i < 200; i++) {
        struct test_response m;
        int seen;
        assert_int_equal(
            test_http(&m, s.d.port, "GET", "/metrics", NULL, NULL, NULL), 0);
        seen = strstr(m.body, "mingle_http_requests_in_flight 2") != NULL;
        test_response_release(&m);
        if (seen)
            break;
        usleep(10000);
    }
    assert_true(i < 200);

    pid = s.d.pid;
    kill(pid, SIGTERM);
    usleep(300000);
    /* Still running, waiting for our request... */
    assert_int_equal(waitpid(pid, &status, WNOHANG), 0);
    /* ...and no longer taking new connections. */
    assert_int_equal(test_connect(s.d.port), -1);

    assert_int_equal(write(fd, body + half, strlen(body) - half),
                     (ssize_t)(strlen(body) - half));
    n = read(fd, reply, sizeof(reply) - 1);
    assert_true(n > 12);
    reply[n] = '\0';
    assert_memory_equal(reply, "HTTP/1.1 201", 12);
    close(fd);
    assert_int_equal(test_daemon_stop(&s.d, SIGTERM), 0);

    /* What was acknowledged is in the database. */
    assert_int_equal(test_run_cli(&out, NULL, list_argv, NULL), 0);
    assert_non_null(strstr(out, "In flight"));
    free(out);
    free(head);
    test_site_stop(&s, SIGTERM);
}

static void test_sigint_and_log_format(void **state)
{
    struct test_daemon d;
    char *dir = test_mkdtemp();
    char *db = mg_xasprintf("%s/l.db", dir);
    struct test_response resp;
    char *log, *line;
    int lines = 0;

    (void)state;
    assert_int_equal(test_daemon_start(&d, db, NULL, NULL), 0);
    assert_int_equal(
        test_http(&resp, d.port, "GET", "/healthz", NULL, NULL, NULL), 0);
    test_response_release(&resp);
    kill(d.pid, SIGINT);
    usleep(200000);
    log = test_daemon_log(&d);
    assert_int_equal(test_daemon_stop(&d, SIGINT), 0);
    assert_non_null(strstr(log, "msg=\"shutting down\" signal=SIGINT"));
    assert_non_null(strstr(log, "msg=stopped"));
    /* Every line is one logfmt record. */
    for (line = strtok(log, "\n"); line; line = strtok(NULL, "\n")) {
        assert_memory_equal(line, "ts=", 3);
        assert_non_null(strstr(line, " level="));
        assert_non_null(strstr(line, " msg="));
        lines++;
    }
    assert_true(lines >= 4);
    free(log);
    free(db);
    test_rmdir(dir);
}

static void test_cli_help_and_errors(void **state)
{
    static const char *const commands[] = {"serve", "demo",  "migrate",
                                           "book",  "token", "circle"};
    char *out = NULL, *err = NULL;
    size_t i;

    (void)state;
    {
        const char *argv[] = {"--help", NULL};
        assert_int_equal(test_run_cli(&out, NULL, argv, NULL), 0);
        for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
            assert_non_null(strstr(out, commands[i]));
        free(out);
    }
    for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        const char *argv[] = {commands[i], "--help", NULL};
        char want[64];
        snprintf(want, sizeof(want), "usage: mingle %s", commands[i]);
        assert_int_equal(test_run_cli(&out, NULL, argv, NULL), 0);
        assert_non_null(strstr(out, want));
        free(out);
    }
    {
        const char *argv[] = {"frobnicate", NULL};
        assert_int_equal(test_run_cli(&out, &err, argv, NULL), 2);
        assert_non_null(strstr(err, "unknown command 'frobnicate'"));
        free(out);
        free(err);
    }
    {
        const char *argv[] = {"token", "create", "--db", "/nonexistent/x.db",
                              NULL};
        assert_int_equal(test_run_cli(&out, &err, argv, NULL), 2);
        assert_non_null(strstr(err, "--role"));
        free(out);
        free(err);
    }
    {
        const char *argv[] = {"serve", "--port", "http", NULL};
        assert_int_equal(test_run_cli(&out, &err, argv, NULL), 1);
        assert_non_null(strstr(err, "'http'"));
        free(out);
        free(err);
    }
}

static void test_migrate_command(void **state)
{
    char *dir = test_mkdtemp();
    char *db = mg_xasprintf("%s/m.db", dir);
    const char *argv[] = {"migrate", "--db", db, NULL};
    char *want = mg_xasprintf("schema version %d", mg_store_schema_latest());
    char *out = NULL;

    (void)state;
    assert_int_equal(test_run_cli(&out, NULL, argv, NULL), 0);
    assert_non_null(strstr(out, want));
    free(out);
    /* Again: nothing to do, same answer. */
    assert_int_equal(test_run_cli(&out, NULL, argv, NULL), 0);
    assert_non_null(strstr(out, want));
    free(out);
    free(want);
    free(db);
    test_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_runs_with_no_config),
        cmocka_unit_test(test_config_precedence),
        cmocka_unit_test(test_bad_config_is_reported),
        cmocka_unit_test(test_sigterm_finishes_request_in_flight),
        cmocka_unit_test(test_sigint_and_log_format),
        cmocka_unit_test(test_cli_help_and_errors),
        cmocka_unit_test(test_migrate_command),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
