/*
 * backup.c: a consistent copy of the live database and putting one back,
 * both with SQLite's online backup API. A backup is taken in one read
 * transaction (WAL lets writers go on), checked, and renamed into place;
 * a restore checks its file before it touches the database. Opening the
 * restored store (and so migrating it) is the caller's.
 */
#define _GNU_SOURCE /* mkstemp, fsync, O_DIRECTORY */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "banned.h"

/* How long a backup step waits for a lock, in all. */
#define BACKUP_WAIT_MS 30000
#define BACKUP_PAUSE_MS 20

/* The tables every mingle database has had since migration 1. */
static const char *const mingle_tables =
    "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN "
    "('circles', 'participants', 'groups', 'sessions', 'outbox', 'tokens')";
#define MINGLE_N_TABLES 6

static int open_db(sqlite3 **out, const char *path, int flags,
                   struct mg_error *err)
{
    int rc = sqlite3_open_v2(path, out, flags, NULL);

    if (rc != SQLITE_OK) {
        mg_error_set(err, "db", "cannot open database '%s': %s", path,
                     *out ? sqlite3_errmsg(*out) : sqlite3_errstr(rc));
        sqlite3_close(*out);
        *out = NULL;
        return MG_EDB;
    }
    sqlite3_extended_result_codes(*out, 1);
    sqlite3_busy_timeout(*out, 5000);
    return 0;
}

/* One integer from `sql` (a pragma or a count); MG_EDB with `err`. */
static int query_int(int *out, sqlite3 *db, const char *path, const char *sql,
                     struct mg_error *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL);

    if (rc == SQLITE_OK)
        rc = sqlite3_step(stmt);
    if (rc != SQLITE_ROW) {
        mg_error_set(err, "db", "cannot read '%s': %s", path,
                     sqlite3_errmsg(db));
        sqlite3_finalize(stmt);
        return MG_EDB;
    }
    *out = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    return 0;
}

/*
 * PRAGMA integrity_check: 0 when it says "ok"; otherwise MG_EINVAL with
 * its first complaint (or why the file cannot be read at all).
 */
static int check_integrity(sqlite3 *db, const char *path, struct mg_error *err)
{
    sqlite3_stmt *stmt = NULL;
    const char *text;
    int rc = sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &stmt, NULL);

    if (rc == SQLITE_OK)
        rc = sqlite3_step(stmt);
    if (rc != SQLITE_ROW) {
        int code = sqlite3_errcode(db);
        if (code == SQLITE_NOTADB)
            mg_error_set(err, "file", "'%s' is not a SQLite database", path);
        else
            mg_error_set(err, "file", "'%s' cannot be checked: %s", path,
                         sqlite3_errmsg(db));
        sqlite3_finalize(stmt);
        return MG_EINVAL;
    }
    text = (const char *)sqlite3_column_text(stmt, 0);
    if (!text || strcmp(text, "ok") != 0) {
        mg_error_set(err, "file", "'%s' fails integrity_check: %s", path,
                     text ? text : "no answer");
        sqlite3_finalize(stmt);
        return MG_EINVAL;
    }
    sqlite3_finalize(stmt);
    return 0;
}

/*
 * Copy every page of `src` into `dst` in one step (one read transaction
 * on `src`: a consistent snapshot, whatever writers do meanwhile),
 * waiting out locks for a while.
 */
static int copy_pages(struct mg_backup_info *info, sqlite3 *dst, sqlite3 *src,
                      const char *what, struct mg_error *err)
{
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
    int waited = 0, rc;

    if (!b) {
        mg_error_set(err, "db", "cannot start the copy %s: %s", what,
                     sqlite3_errmsg(dst));
        return MG_EDB;
    }
    for (;;) {
        rc = sqlite3_backup_step(b, -1);
        if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
            break;
        if (waited >= BACKUP_WAIT_MS)
            break;
        sqlite3_sleep(BACKUP_PAUSE_MS);
        waited += BACKUP_PAUSE_MS;
    }
    info->pages = sqlite3_backup_pagecount(b);
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE) {
        mg_error_set(err, "db", "cannot copy %s: %s", what, sqlite3_errstr(rc));
        return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED
                   ? MG_EBUSY
                   : MG_EDB;
    }
    return 0;
}

/* fsync the directory holding `path`, so a rename in it is durable. */
static int sync_dir(const char *path)
{
    char *dir = mg_xstrdup(path);
    char *slash = strrchr(dir, '/');
    int fd, rc = 0;

    if (slash == dir)
        slash[1] = '\0';
    else if (slash)
        *slash = '\0';
    fd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY);
    if (fd < 0 || fsync(fd) != 0)
        rc = MG_EIO;
    if (fd >= 0)
        close(fd);
    free(dir);
    return rc;
}

int mg_store_backup(struct mg_backup_info *out, const char *db_path,
                    const char *dest, int force, struct mg_error *err)
{
    struct mg_backup_info info;
    sqlite3 *src = NULL, *dst = NULL;
    char *tmp = mg_xasprintf("%s.tmp-XXXXXX", dest);
    struct stat sb;
    int fd = -1, rc;

    memset(&info, 0, sizeof(info));
    if (!force && lstat(dest, &sb) == 0) {
        mg_error_set(err, "file", "'%s' exists", dest);
        rc = MG_ECONFLICT;
        goto out;
    }
    if (stat(db_path, &sb) != 0) {
        mg_error_set(err, "db", "cannot open database '%s': %s", db_path,
                     strerror(errno));
        rc = MG_EIO;
        goto out;
    }
    /* beside `dest`, so the rename stays on one file system; 0600 */
    fd = mkstemp(tmp);
    if (fd < 0) {
        mg_error_set(err, "file", "cannot create a file beside '%s': %s", dest,
                     strerror(errno));
        rc = MG_EIO;
        goto out;
    }
    rc = open_db(&src, db_path, SQLITE_OPEN_READWRITE, err);
    if (rc == 0)
        rc = open_db(&dst, tmp, SQLITE_OPEN_READWRITE, err);
    if (rc < 0)
        goto out;
    rc = copy_pages(&info, dst, src, "of the database", err);
    if (rc < 0)
        goto out;
    /* one self-contained file: no -wal beside it */
    if (sqlite3_exec(dst, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL) !=
        SQLITE_OK) {
        mg_error_set(err, "file", "cannot finish '%s': %s", tmp,
                     sqlite3_errmsg(dst));
        rc = MG_EDB;
        goto out;
    }
    rc = query_int(&info.page_size, dst, tmp, "PRAGMA page_size", err);
    if (rc == 0)
        rc = query_int(&info.schema_version, dst, tmp, "PRAGMA user_version",
                       err);
    if (rc == 0)
        rc = check_integrity(dst, tmp, err);
    if (rc < 0)
        goto out;
    info.bytes = (int64_t)info.pages * info.page_size;
    sqlite3_close(dst);
    dst = NULL;
    if (fsync(fd) != 0 || rename(tmp, dest) != 0) {
        mg_error_set(err, "file", "cannot write '%s': %s", dest,
                     strerror(errno));
        rc = MG_EIO;
        goto out;
    }
    tmp[0] = '\0'; /* renamed: nothing to remove */
    if (sync_dir(dest) < 0) {
        mg_error_set(err, "file", "cannot sync the directory of '%s': %s", dest,
                     strerror(errno));
        rc = MG_EIO;
        goto out;
    }
    *out = info;
out:
    sqlite3_close(dst);
    sqlite3_close(src);
    if (fd >= 0)
        close(fd);
    if (rc < 0 && fd >= 0 && tmp[0]) {
        char *journal = mg_xasprintf("%s-journal", tmp);
        unlink(tmp);
        unlink(journal);
        free(journal);
    }
    free(tmp);
    return rc;
}

/* Everything restore asks of its file before it touches the database. */
static int check_source(struct mg_backup_info *info, sqlite3 *src,
                        const char *path, struct mg_error *err)
{
    int tables = 0;
    int rc = check_integrity(src, path, err);

    if (rc == 0)
        rc = query_int(&info->schema_version, src, path, "PRAGMA user_version",
                       err);
    if (rc == 0)
        rc = query_int(&tables, src, path, mingle_tables, err);
    if (rc == 0)
        rc = query_int(&info->page_size, src, path, "PRAGMA page_size", err);
    if (rc < 0)
        return MG_EINVAL;
    if (info->schema_version < 1 || tables != MINGLE_N_TABLES) {
        mg_error_set(err, "file", "'%s' is not a mingle database", path);
        return MG_EINVAL;
    }
    if (info->schema_version > mg_store_n_migrations) {
        mg_error_set(err, "file",
                     "'%s' is at schema version %d; this mingle knows up to "
                     "%d",
                     path, info->schema_version, mg_store_n_migrations);
        return MG_EINVAL;
    }
    return 0;
}

/* Whether `a` and `b` name the same existing file. */
static int same_file(const char *a, const char *b)
{
    struct stat sa, sb;

    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

int mg_store_restore(struct mg_backup_info *out, const char *db_path,
                     const char *src_path, struct mg_error *err)
{
    struct mg_backup_info info;
    sqlite3 *src = NULL, *dst = NULL;
    struct stat sb;
    int rc;

    memset(&info, 0, sizeof(info));
    if (stat(src_path, &sb) != 0) {
        mg_error_set(err, "file", "cannot read '%s': %s", src_path,
                     strerror(errno));
        return MG_EINVAL;
    }
    if (!S_ISREG(sb.st_mode)) {
        mg_error_set(err, "file", "'%s' is not a file", src_path);
        return MG_EINVAL;
    }
    if (same_file(src_path, db_path)) {
        mg_error_set(err, "file", "'%s' is the database itself", src_path);
        return MG_EINVAL;
    }
    rc = open_db(&src, src_path, SQLITE_OPEN_READONLY, err);
    if (rc < 0)
        goto out;
    rc = check_source(&info, src, src_path, err);
    if (rc < 0)
        goto out;
    /* only now is the database opened (and created if it was missing) */
    rc =
        open_db(&dst, db_path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, err);
    if (rc < 0)
        goto out;
    rc = copy_pages(&info, dst, src, "into the database", err);
    if (rc < 0)
        goto out;
    if (sqlite3_exec(dst, "PRAGMA journal_mode=WAL", NULL, NULL, NULL) !=
        SQLITE_OK) {
        mg_error_set(err, "db", "cannot set up database '%s': %s", db_path,
                     sqlite3_errmsg(dst));
        rc = MG_EDB;
        goto out;
    }
    info.bytes = (int64_t)info.pages * info.page_size;
    *out = info;
out:
    sqlite3_close(dst);
    sqlite3_close(src);
    return rc;
}

/* Open (or, with `make`, create) the lock file beside `db_path` and
 * flock() it with `op`; 0 with *fd -1 for a database that is not a plain
 * path, or when there is no lock file and `make` is 0 (no daemon ever ran
 * on it). */
static int lock_beside(int *fd, const char *db_path, int op, int make, int busy,
                       struct mg_error *err)
{
    char *path;
    int f, rc = 0;

    *fd = -1;
    if (!db_path || !*db_path || *db_path == ':' ||
        strncmp(db_path, "file:", 5) == 0)
        return 0;
    path = mg_xasprintf("%s-serve.lock", db_path);
    f = open(path, O_RDWR | O_CLOEXEC | (make ? O_CREAT : 0), 0600);
    if (f < 0 && errno == ENOENT && !make)
        goto out;
    if (f < 0) {
        mg_error_set(err, "db", "cannot open '%s': %s", path, strerror(errno));
        rc = MG_EIO;
        goto out;
    }
    while ((rc = flock(f, op | LOCK_NB)) < 0 && errno == EINTR)
        ;
    if (rc < 0) {
        if (errno == EWOULDBLOCK)
            rc = busy;
        else {
            mg_error_set(err, "db", "cannot lock '%s': %s", path,
                         strerror(errno));
            rc = MG_EIO;
        }
        close(f);
        goto out;
    }
    *fd = f;
out:
    free(path);
    return rc;
}

int mg_store_daemon_claim(int *fd, const char *db_path, struct mg_error *err)
{
    int rc = lock_beside(fd, db_path, LOCK_SH, 1, MG_EBUSY, err);

    if (rc == MG_EBUSY)
        mg_error_set(err, "db",
                     "'%s' is being restored ('mingle restore'); start "
                     "again once it is done",
                     db_path);
    return rc;
}

int mg_store_daemon_exclude(int *fd, const char *db_path, struct mg_error *err)
{
    int rc = lock_beside(fd, db_path, LOCK_EX, 0, MG_EBUSY, err);

    if (rc == MG_EBUSY)
        mg_error_set(err, "db",
                     "a running 'mingle serve' holds '%s': stop it first "
                     "(or give --force, and restart it at once: until then "
                     "it goes on with what it had, and writes it "
                     "acknowledges may be lost)",
                     db_path);
    return rc;
}
