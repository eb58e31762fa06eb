/*
 * test_cli_progress.c: long CLI work (book load, people import, groups
 * plan with its invitations) shows progress on a terminal and none when
 * its output is piped. The terminal is a real pseudo-terminal (forkpty);
 * the pipes are test_run_cli's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pty.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "support.h"

static const char circle_json[] =
    "{\"title\":\"Progress circle\",\"time_zone\":\"Pacific/Auckland\","
    "\"start_date\":\"2027-03-02\",\"weeks\":4,\"slots\":[{\"weekday\":"
    "\"tuesday\",\"start\":\"19:30\",\"minutes\":60}],\"organizer\":"
    "{\"name\":\"Coordinators\",\"email\":\"circles@example.org\"}}";

struct world {
    struct test_site site;
    char *maildir_env, *db_env;
    char piped[24], tty[24]; /* the two circles' ids */
};

static struct world *W;

static int make_circle(char *id, size_t size)
{
    long long circle = test_site_circle(&W->site, circle_json, NULL);

    if (!circle)
        return -1;
    snprintf(id, size, "%lld", circle);
    return 0;
}

static int setup_world(void **state)
{
    struct world *w = mg_xcalloc(1, sizeof(*w));
    const char *env[2];
    const struct test_site_opts opts = {.env = env};

    W = w;
    *state = w;
    if (test_site_init(&w->site, "progress.db") < 0)
        return -1;
    w->db_env = mg_xasprintf("MINGLE_DB=%s", w->site.db);
    w->maildir_env = mg_xasprintf("MINGLE_MAILDIR=%s", w->site.maildir);
    env[0] = w->maildir_env;
    env[1] = NULL;
    if (test_site_serve(&w->site, &opts) < 0)
        return -1;
    if (make_circle(w->piped, sizeof(w->piped)) < 0 ||
        make_circle(w->tty, sizeof(w->tty)) < 0)
        return -1;
    return 0;
}

static int teardown_world(void **state)
{
    struct world *w = *state;

    test_site_stop(&w->site, SIGTERM);
    free(w->db_env);
    free(w->maildir_env);
    free(w);
    return 0;
}

/*
 * Run `mingle` with `argv` (without the program name) on a new
 * pseudo-terminal: stdin, stdout and stderr are all the terminal. Returns
 * everything it wrote (free() it); *status is its exit status.
 */
static char *run_on_tty(int *status, const char *const *argv)
{
    const char *args[16];
    struct mg_buf out = MG_BUF_INIT;
    char chunk[4096];
    int master, n = 0, wstatus = 0;
    ssize_t got;
    pid_t pid;

    args[n++] = "mingle";
    while (argv[n - 1] && n < 15) {
        args[n] = argv[n - 1];
        n++;
    }
    args[n] = NULL;
    pid = forkpty(&master, NULL, NULL, NULL);
    assert_true(pid >= 0);
    if (pid == 0) {
        putenv(W->db_env);
        putenv(W->maildir_env);
        execv(MINGLE_BIN, (char **)args);
        _exit(127);
    }
    /* Read until the child's side closes: EIO on Linux, or EOF. */
    for (;;) {
        got = read(master, chunk, sizeof(chunk));
        if (got > 0)
            mg_buf_add(&out, chunk, (size_t)got);
        else if (got < 0 && errno == EINTR)
            continue;
        else
            break;
    }
    close(master);
    waitpid(pid, &wstatus, 0);
    *status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
    mg_buf_add(&out, "", 1);
    return out.data;
}

/* The same command, piped: stderr must hold no progress. */
static void run_piped(const char *const *argv, const char *expect_out)
{
    const char *env[2] = {W->maildir_env, NULL};
    char *out = NULL, *err = NULL;

    assert_int_equal(test_run_cli(&out, &err, argv, env), 0);
    assert_non_null(strstr(out, expect_out));
    if (strchr(err, '\r') || strstr(err, "%)")) {
        fprintf(stderr, "progress on a pipe:\n%s\n", err);
        fail();
    }
    free(out);
    free(err);
}

static void check_tty(const char *const *argv, const char *expect_progress,
                      const char *expect_out)
{
    int status = -1;
    char *text = run_on_tty(&status, argv);

    if (status != 0 || !strstr(text, expect_progress) ||
        !strstr(text, expect_out)) {
        fprintf(stderr, "status %d, on the terminal:\n%s\n", status, text);
        fail();
    }
    /* The progress line is rewritten in place. */
    assert_non_null(strchr(text, '\r'));
    free(text);
}

static void test_piped_is_quiet(void **state)
{
    const char *book[] = {
        "book",     "load",   MINGLE_DATA_DIR "/atlas-outline.md",
        "--circle", W->piped, "--db",
        W->site.db, NULL};
    const char *people[] = {
        "people",   "import", MINGLE_DATA_DIR "/demo-people.csv",
        "--circle", W->piped, "--db",
        W->site.db, NULL};
    const char *plan[] = {"groups", "plan",     "--circle", W->piped,
                          "--db",   W->site.db, NULL};

    (void)state;
    run_piped(book, "loaded ");
    run_piped(people, "imported 16 people");
    run_piped(plan, "16 invitations queued");
}

static void test_terminal_shows_progress(void **state)
{
    const char *book[] = {
        "book",     "load", MINGLE_DATA_DIR "/atlas-outline.md",
        "--circle", W->tty, NULL};
    const char *people[] = {
        "people",   "import", MINGLE_DATA_DIR "/demo-people.csv",
        "--circle", W->tty,   NULL};
    const char *plan[] = {"groups", "plan", "--circle", W->tty, NULL};

    (void)state;
    check_tty(book, "loading book: 4/4 (100%)\r\n", "loaded ");
    check_tty(people, "importing people: 16/16 (100%)\r\n",
              "imported 16 people");
    check_tty(plan, "queuing invitations: ", "16 invitations queued");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_piped_is_quiet),
        cmocka_unit_test(test_terminal_shows_progress),
    };

    return cmocka_run_group_tests(tests, setup_world, teardown_world);
}
