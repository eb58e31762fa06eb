/*
 * test_backup.c: `mingle backup` while a real `mingle serve` takes a
 * steady stream of new participants through the API: the copy passes
 * integrity_check and holds every write acknowledged before it began.
 * `mingle restore` into a fresh path brings the same people back (read
 * through the CLI), and refuses a file that is not a database, a
 * truncated one, another program's database and one from a newer mingle,
 * changing nothing.
 */
#define _GNU_SOURCE
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
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include "support.h"

static const char circle_json[] =
    "{\"title\":\"Backup circle\",\"time_zone\":\"Pacific/Auckland\","
    "\"start_date\":\"2027-03-22\",\"weeks\":4,\"slots\":[{\"weekday\":"
    "\"tuesday\",\"start\":\"19:30\",\"minutes\":60}]}";

struct world {
    struct test_site site;
    char *backup;
    long long circle;
    atomic_int acked;  /* writers 0..acked-1 were answered 201 */
    atomic_int failed; /* writes answered otherwise */
    atomic_int stop;
    int acked_before; /* acknowledged before the backup began */
    pthread_t writer;
};

static struct world *W;

static void *write_people(void *arg)
{
    struct world *w = arg;
    char *path = mg_xasprintf("/api/v1/circles/%lld/participants", w->circle);
    int i;

    for (i = 0; !atomic_load(&w->stop); i++) {
        struct test_response resp;
        char body[160];

        snprintf(body, sizeof(body),
                 "{\"name\":\"Writer %d\",\"email\":\"w%d@example.org\"}", i,
                 i);
        if (test_http(&resp, w->site.d.port, "POST", path, w->site.token, body,
                      NULL) < 0) {
            atomic_fetch_add(&w->failed, 1);
            break;
        }
        if (resp.status == 201)
            atomic_store(&w->acked, i + 1);
        else
            atomic_fetch_add(&w->failed, 1);
        test_response_release(&resp);
    }
    free(path);
    return NULL;
}

static int setup_world(void **state)
{
    struct world *w = mg_xcalloc(1, sizeof(*w));

    if (test_site_start(&w->site, "live.db", NULL) < 0)
        return -1;
    w->backup = mg_xasprintf("%s/copy.db", w->site.dir);
    W = w;
    *state = w;
    w->circle = test_site_circle(&w->site, circle_json, NULL);
    return w->circle ? 0 : -1;
}

static int teardown_world(void **state)
{
    struct world *w = *state;

    if (!w)
        return 0;
    test_site_stop(&w->site, SIGTERM);
    free(w->backup);
    free(w);
    return 0;
}

/* `mingle <cmd> FILE --db DB [extra]`: the exit status, out and err. */
static int run(char **out, char **err, const char *cmd, const char *file,
               const char *db, const char *extra)
{
    const char *argv[] = {cmd, file, "--db", db, extra, NULL};

    return test_run_cli(out, err, argv, NULL);
}

/* PRAGMA integrity_check of `path`, opened read-only: 1 if "ok". */
static int integrity_ok(const char *path)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;
    int ok = 0;

    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &stmt, NULL) ==
            SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW)
        ok = strcmp((const char *)sqlite3_column_text(stmt, 0), "ok") == 0;
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return ok;
}

/* How many of writers 0..n-1 are in `path`. */
static int writers_in(const char *path, int n)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;
    int i, found = 0;

    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "SELECT count(*) FROM participants WHERE email = ?",
                           -1, &stmt, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        return -1;
    }
    for (i = 0; i < n; i++) {
        char email[64];
        snprintf(email, sizeof(email), "w%d@example.org", i);
        sqlite3_bind_text(stmt, 1, email, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_int(stmt, 0))
            found++;
        sqlite3_reset(stmt);
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return found;
}

static int exists(const char *path)
{
    struct stat sb;

    return stat(path, &sb) == 0;
}

static void test_backup_while_writing(void **state)
{
    char *out = NULL, *err = NULL, *wal;
    int tries, total;

    (void)state;
    assert_int_equal(pthread_create(&W->writer, NULL, write_people, W), 0);
    for (tries = 0; tries < 500 && atomic_load(&W->acked) < 30; tries++)
        usleep(10 * 1000);
    W->acked_before = atomic_load(&W->acked);
    assert_true(W->acked_before >= 30);
    assert_int_equal(run(&out, &err, "backup", W->backup, W->site.db, NULL), 0);
    total = atomic_load(&W->acked);
    /* writers went on a while after the copy */
    for (tries = 0; tries < 500 && atomic_load(&W->acked) < total + 20; tries++)
        usleep(10 * 1000);
    atomic_store(&W->stop, 1);
    pthread_join(W->writer, NULL);
    assert_int_equal(atomic_load(&W->failed), 0);
    assert_true(atomic_load(&W->acked) >= total + 20);
    assert_non_null(strstr(out, "pages of"));
    assert_non_null(strstr(out, "integrity_check: ok"));
    free(out);
    free(err);

    /* a whole, self-contained copy with every acknowledged write */
    wal = mg_xasprintf("%s-wal", W->backup);
    assert_false(exists(wal));
    free(wal);
    assert_true(integrity_ok(W->backup));
    assert_int_equal(writers_in(W->backup, W->acked_before), W->acked_before);
    /* and not what came long after it */
    assert_true(writers_in(W->backup, atomic_load(&W->acked)) <
                atomic_load(&W->acked));
}

static void test_backup_refuses_to_overwrite(void **state)
{
    char *out = NULL, *err = NULL, *before, *after;
    size_t len_before = 0, len_after = 0;

    (void)state;
    before = test_read_file(W->backup, &len_before);
    assert_non_null(before);
    assert_int_equal(run(&out, &err, "backup", W->backup, W->site.db, NULL), 1);
    assert_non_null(strstr(err, "exists"));
    assert_non_null(strstr(err, "--force"));
    free(out);
    free(err);
    after = test_read_file(W->backup, &len_after);
    assert_int_equal(len_before, len_after);
    assert_memory_equal(before, after, len_before);
    free(after);
    /* --force replaces it, with what the database holds now */
    assert_int_equal(
        run(&out, &err, "backup", W->backup, W->site.db, "--force"), 0);
    free(out);
    free(err);
    assert_int_equal(writers_in(W->backup, atomic_load(&W->acked)),
                     atomic_load(&W->acked));
    free(before);
    /* a database that is not there is not made */
    {
        char *missing = mg_xasprintf("%s/missing.db", W->site.dir);
        char *dest = mg_xasprintf("%s/none.db", W->site.dir);
        assert_int_equal(run(&out, &err, "backup", dest, missing, NULL), 1);
        assert_false(exists(missing));
        assert_false(exists(dest));
        free(out);
        free(err);
        free(missing);
        free(dest);
    }
}

static void test_restore(void **state)
{
    char *fresh = mg_xasprintf("%s/fresh.db", W->site.dir);
    char circle_s[24];
    const char *argv[] = {"people",   "list",   "--db", fresh,
                          "--circle", circle_s, NULL};
    char *out = NULL, *err = NULL;
    int i, n = atomic_load(&W->acked);

    (void)state;
    assert_int_equal(run(&out, &err, "restore", W->backup, fresh, NULL), 0);
    assert_non_null(strstr(out, "restored"));
    free(out);
    free(err);
    snprintf(circle_s, sizeof(circle_s), "%lld", W->circle);
    assert_int_equal(test_run_cli(&out, NULL, argv, NULL), 0);
    for (i = 0; i < n; i++) {
        char email[64];
        snprintf(email, sizeof(email), " w%d@example.org ", i);
        if (!strstr(out, email))
            fail_msg("'%s' is not in the restored database", email);
    }
    free(out);
    free(fresh);
}

/* Restoring `bad` into a fresh path and into a live copy changes
 * nothing and says `why`. */
static void refused(const char *bad, const char *why)
{
    char *fresh = mg_xasprintf("%s/never.db", W->site.dir);
    char *target = mg_xasprintf("%s/fresh.db", W->site.dir);
    char *out = NULL, *err = NULL, *before, *after;
    size_t len_before = 0, len_after = 0;

    assert_int_equal(run(&out, &err, "restore", bad, fresh, NULL), 1);
    if (!strstr(err, why))
        fail_msg("restore of '%s' said '%s', not '%s'", bad, err, why);
    assert_non_null(strstr(err, "nothing was changed"));
    assert_false(exists(fresh));
    free(out);
    free(err);
    before = test_read_file(target, &len_before);
    assert_non_null(before);
    assert_int_equal(run(&out, &err, "restore", bad, target, NULL), 1);
    after = test_read_file(target, &len_after);
    assert_int_equal(len_before, len_after);
    assert_memory_equal(before, after, len_before);
    assert_true(integrity_ok(target));
    free(out);
    free(err);
    free(before);
    free(after);
    free(fresh);
    free(target);
}

static void write_bytes(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

static void exec_sql(const char *path, const char *sql)
{
    sqlite3 *db = NULL;

    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static void test_restore_refuses(void **state)
{
    char *junk = mg_xasprintf("%s/junk.db", W->site.dir);
    char *cut = mg_xasprintf("%s/cut.db", W->site.dir);
    char *other = mg_xasprintf("%s/other.db", W->site.dir);
    char *newer = mg_xasprintf("%s/newer.db", W->site.dir);
    char *missing = mg_xasprintf("%s/missing.db", W->site.dir);
    char *data;
    size_t len = 0, i;

    (void)state;
    data = mg_xmalloc(20000);
    for (i = 0; i < 20000; i++)
        data[i] = (char)('a' + i % 26);
    write_bytes(junk, data, 20000);
    free(data);
    refused(junk, "is not a SQLite database");

    data = test_read_file(W->backup, &len);
    assert_non_null(data);
    assert_true(len > 8 * 4096);
    write_bytes(cut, data, len / 2);
    refused(cut, "cut.db");

    write_bytes(newer, data, len);
    free(data);
    exec_sql(newer, "PRAGMA user_version = 999");
    refused(newer, "schema version 999");

    exec_sql(other, "CREATE TABLE t (x); INSERT INTO t VALUES (1)");
    refused(other, "is not a mingle database");

    refused(missing, "cannot read");
    free(junk);
    free(cut);
    free(other);
    free(newer);
    free(missing);
}

/* How many participants the database at `db_path` holds, read
 * with sqlite3 (read-only), or -1. */
static int people_in(const char *db_path)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;
    int n = -1;

    if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) ==
            SQLITE_OK &&
        sqlite3_prepare_v2(db, "SELECT count(*) FROM participants", -1, &stmt,
                           NULL) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW)
        n = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return n;
}

/*
 * Issue #17 item 14: `mingle restore` into the database a running daemon
 * holds succeeded silently, and the daemon went on from what it had:
 * writes it acknowledged were lost. Now it is refused, naming the way
 * out (--force), and nothing changes; --force restores with a warning;
 * and once the daemon is gone, even killed with SIGKILL (the kernel drops
 * its lock: nothing stale), restore works without --force.
 */
static void test_restore_refuses_live_daemon(void **state)
{
    char *path = test_circle_path(W->circle, "/participants");
    char *out = NULL, *err = NULL;
    int before, saved = people_in(W->backup);
    long status;
    json_t *doc;

    (void)state;
    /* someone added since the backup: a restore would lose them */
    doc = test_site_call(&W->site, &status, "POST", path,
                         "{\"name\":\"Late\",\"email\":\"late@example.org\"}",
                         NULL);
    assert_int_equal(status, 201);
    json_decref(doc);
    before = people_in(W->site.db);
    assert_true(saved > 0);
    assert_true(before > saved);
    assert_int_equal(run(&out, &err, "restore", W->backup, W->site.db, NULL),
                     1);
    assert_non_null(strstr(err, "running 'mingle serve'"));
    assert_non_null(strstr(err, "--force"));
    assert_non_null(strstr(err, "nothing was changed"));
    assert_null(strstr(out, "restored"));
    free(out);
    free(err);
    assert_int_equal(people_in(W->site.db), before);
    assert_true(integrity_ok(W->site.db));

    /* the daemon still answers, and what it acknowledges is kept */
    doc = test_site_call(&W->site, &status, "POST", path,
                         "{\"name\":\"Later\",\"email\":\"later@example.org\"}",
                         NULL);
    assert_int_equal(status, 201);
    json_decref(doc);
    assert_int_equal(people_in(W->site.db), before + 1);

    /* killed outright, it holds nothing: restore needs no --force */
    test_daemon_stop(&W->site.d, SIGKILL);
    assert_int_equal(run(&out, &err, "restore", W->backup, W->site.db, NULL),
                     0);
    assert_non_null(strstr(out, "restored"));
    free(out);
    free(err);
    assert_int_equal(people_in(W->site.db), saved);
    free(path);
}

/* --force restores under a running daemon, saying what that risks. */
static void test_restore_forced(void **state)
{
    char *out = NULL, *err = NULL;

    (void)state;
    assert_int_equal(test_site_serve(&W->site, NULL), 0);
    assert_int_equal(run(&out, &err, "restore", W->backup, W->site.db, NULL),
                     1);
    free(out);
    free(err);
    assert_int_equal(
        run(&out, &err, "restore", W->backup, W->site.db, "--force"), 0);
    assert_non_null(strstr(out, "restored"));
    assert_non_null(strstr(err, "warning"));
    assert_non_null(strstr(err, "restart"));
    free(out);
    free(err);
    assert_int_equal(people_in(W->site.db), people_in(W->backup));
}

/* While a restore holds the database, a daemon does not start on it
 * (it would read a half-copied file); once the restore is done it does. */
static void test_serve_waits_for_restore(void **state)
{
    char *lock = mg_xasprintf("%s-serve.lock", W->site.db), *log = NULL;
    struct test_daemon d;
    int fd, i;

    (void)state;
    test_daemon_stop(&W->site.d, SIGTERM);
    fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(flock(fd, LOCK_EX), 0); /* as `mingle restore` does */
    memset(&d, 0, sizeof(d));
    assert_int_equal(test_daemon_start(&d, W->site.db, NULL, NULL), -1);
    for (i = 0; i < 100; i++) {
        free(log);
        log = test_daemon_log(&d);
        if (strstr(log, "is being restored"))
            break;
        usleep(10000);
    }
    assert_non_null(strstr(log, "is being restored"));
    free(log);
    test_daemon_stop(&d, SIGTERM);
    close(fd);
    memset(&d, 0, sizeof(d));
    assert_int_equal(test_daemon_start(&d, W->site.db, NULL, NULL), 0);
    test_daemon_stop(&d, SIGTERM);
    free(lock);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backup_while_writing),
        cmocka_unit_test(test_backup_refuses_to_overwrite),
        cmocka_unit_test(test_restore),
        cmocka_unit_test(test_restore_refuses),
        cmocka_unit_test(test_restore_refuses_live_daemon),
        cmocka_unit_test(test_restore_forced),
        cmocka_unit_test(test_serve_waits_for_restore),
    };

    return cmocka_run_group_tests(tests, setup_world, teardown_world);
}
