/*
 * fault_maildir_kill.c: `mingle outbox flush` into a maildir killed with
 * SIGKILL in the middle of its batches, twice, then run to the end.
 * Each round's files are synced before the round is marked sent, so a
 * kill may deliver a batch twice but never loses a message: at the end
 * every queued message is in new/ at least once (by Message-ID),
 * nothing else is, no file is left half written in new/, and every
 * message is marked sent.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "mingle/circle.h"
#include "mingle/store.h"
#include "support.h"

#define MESSAGES 3000

static int compare_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Queue MESSAGES distinct messages, each with its own Message-ID, in a
 * new circle; its id. */
static int64_t queue_messages(const char *db)
{
    struct mg_store_options opt = {1, 5000};
    struct mg_store *st = NULL;
    struct mg_store_tx *tx = NULL;
    struct mg_error err = {{0}, {0}};
    struct mg_slot slot = {0, 2, 19 * 60 + 30, 60};
    struct mg_circle c;
    size_t queued = 0;
    int64_t id;
    int k;

    assert_int_equal(mg_store_open(&st, db, &opt, &err), 0);
    memset(&c, 0, sizeof(c));
    c.title = mg_xstrdup("Maildir kill");
    c.time_zone = mg_xstrdup("Pacific/Auckland");
    memcpy(c.start_date, "2027-03-22", 11);
    c.weeks = 4;
    c.slots = &slot;
    c.n_slots = 1;
    c.group_min = 3;
    c.group_max = 4;
    c.organizer_name = mg_xstrdup("Coordinator");
    c.organizer_email = mg_xstrdup("coord@example.org");
    assert_int_equal(mg_store_circle_create(st, &c), 0);
    assert_int_equal(mg_store_begin(&tx, st), 0);
    for (k = 0; k < MESSAGES; k++) {
        struct mg_outbox_msg m;
        char *to = mg_xasprintf("p%d@example.org", k);
        char *key = mg_xasprintf("kill-%d", k);
        char *msg = mg_xasprintf("To: %s\r\nMessage-ID: <m%d@example.org>\r\n"
                                 "Subject: %d\r\n\r\nHello %d.\r\n",
                                 to, k, k, k);

        memset(&m, 0, sizeof(m));
        m.circle_id = c.id;
        m.kind = "test";
        m.recipient = to;
        m.subject = "hello";
        m.message = msg;
        m.len = strlen(msg);
        m.dedupe_key = key;
        assert_int_equal(mg_store_tx_outbox_queue(&queued, tx, &m), 0);
        free(to);
        free(key);
        free(msg);
    }
    assert_int_equal(mg_store_commit(tx), 0);
    assert_int_equal(queued, MESSAGES);
    id = c.id;
    c.slots = NULL;
    c.n_slots = 0;
    mg_circle_release(&c);
    mg_store_close(st);
    return id;
}

static size_t count_new(const char *newdir)
{
    DIR *d = opendir(newdir);
    struct dirent *e;
    size_t n = 0;

    while (d && (e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            n++;
    if (d)
        closedir(d);
    return n;
}

/* Start `mingle outbox flush`; kill it once new/ holds `kill_at` files
 * (0: let it finish). Returns its exit status, or -SIGKILL. */
static int flush(const char *db, const char *maildir, const char *newdir,
                 size_t kill_at)
{
    pid_t pid = fork();
    int status = 0;

    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);

        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        setenv("MINGLE_MAILDIR", maildir, 1);
        unsetenv("MINGLE_SMTP_URL");
        execl(MINGLE_BIN, "mingle", "outbox", "flush", "--db", db,
              (char *)NULL);
        _exit(127);
    }
    assert_true(pid > 0);
    while (kill_at) {
        if (waitpid(pid, &status, WNOHANG) == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        if (count_new(newdir) >= kill_at) {
            kill(pid, SIGKILL);
            break;
        }
        usleep(200);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (WIFSIGNALED(status))
        return -WTERMSIG(status);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_flush_killed(void **state)
{
    char *dir = test_mkdtemp();
    char *db = mg_xasprintf("%s/kill.db", dir);
    char *maildir = mg_xasprintf("%s/mail", dir);
    char *newdir = mg_xasprintf("%s/new", maildir);
    char **got = NULL;
    size_t n_got = 0, dup = 0, i, kills = 0;
    struct mg_store *st = NULL;
    struct mg_store_options opt = {1, 5000};
    struct mg_error err = {{0}, {0}};
    struct mg_outbox_row *rows = NULL;
    size_t n_rows = 0;
    DIR *d;
    struct dirent *e;
    int64_t circle;
    int rc;

    (void)state;
    circle = queue_messages(db);
    rc = flush(db, maildir, newdir, MESSAGES / 5);
    kills += rc == -SIGKILL;
    rc = flush(db, maildir, newdir, MESSAGES / 2);
    kills += rc == -SIGKILL;
    assert_int_equal(flush(db, maildir, newdir, 0), 0);
    fprintf(stderr, "maildir: %zu of 2 flushes killed mid-way\n", kills);

    d = opendir(newdir);
    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        char *file, *text;
        size_t len = 0;

        if (e->d_name[0] == '.')
            continue;
        file = mg_xasprintf("%s/%s", newdir, e->d_name);
        text = test_read_file(file, &len);
        assert_non_null(text);
        /* whole: a file in new/ was synced before it was moved there */
        assert_true(len > 3 && memcmp(text + len - 3, ".\r\n", 3) == 0);
        got = mg_xrealloc(got, (n_got + 1) * sizeof(*got));
        got[n_got] = test_header_value(text, len, "Message-ID");
        assert_non_null(got[n_got]);
        n_got++;
        free(text);
        free(file);
    }
    closedir(d);
    qsort(got, n_got, sizeof(*got), compare_str);
    for (i = 1; i < n_got; i++)
        if (strcmp(got[i - 1], got[i]) == 0)
            dup++;
    fprintf(stderr,
            "maildir: %d queued, %zu files, %zu delivered twice (at least "
            "once: a batch cut by SIGKILL may repeat)\n",
            MESSAGES, n_got, dup);
    /* every message once at least, and nothing that was not queued */
    assert_int_equal(n_got - dup, MESSAGES);
    for (i = 0; i < MESSAGES; i++) {
        char *want = mg_xasprintf("<m%zu@example.org>", i);
        char *bare = mg_xasprintf("m%zu@example.org", i);

        if (!bsearch(&want, got, n_got, sizeof(*got), compare_str) &&
            !bsearch(&bare, got, n_got, sizeof(*got), compare_str))
            fail_msg("message %zu never arrived", i);
        free(want);
        free(bare);
    }
    /* and every one is marked sent */
    assert_int_equal(mg_store_open(&st, db, &opt, &err), 0);
    assert_int_equal(mg_store_outbox_list(&rows, &n_rows, st, circle, NULL, 0),
                     0);
    assert_int_equal(n_rows, MESSAGES);
    for (i = 0; i < n_rows; i++)
        assert_int_equal(rows[i].status, MG_STORE_OUTBOX_SENT);
    mg_store_outbox_free(rows, n_rows);
    mg_store_close(st);

    for (i = 0; i < n_got; i++)
        free(got[i]);
    free(got);
    free(newdir);
    free(maildir);
    free(db);
    test_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flush_killed),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
