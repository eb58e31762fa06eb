/*
 * backup: a consistent copy of the live database, and putting one back.
 * Both work on a path, not an open store, so they run beside a daemon.
 */
#ifndef MINGLE_STORE_BACKUP_H
#define MINGLE_STORE_BACKUP_H

#include <stddef.h>
#include <stdint.h>

#include "mingle/core.h"

struct mg_store;

/* What a backup or restore copied. */
struct mg_backup_info {
    int pages;          /* database pages copied */
    int page_size;      /* bytes per page */
    int64_t bytes;      /* pages * page_size */
    int schema_version; /* of the copy (restore: before migrating) */
};

/*
 * Copy the database at `db_path` (which must exist; it is not migrated)
 * to `dest` with SQLite's online backup API, in one read transaction, so
 * the copy is every commit made before it started and safe beside a
 * daemon writing (WAL). The copy is written to a temporary file beside
 * `dest`, checked with PRAGMA integrity_check, fsync()ed and renamed into
 * place; it is one self-contained file (no -wal). MG_ECONFLICT if `dest`
 * exists and `force` is 0; `err` says why on any failure, and `dest` is
 * then untouched.
 */
int mg_store_backup(struct mg_backup_info *out, const char *db_path,
                    const char *dest, int force, struct mg_error *err);

/*
 * Put backup `src` in place of the database at `db_path` (created if
 * missing). `src` must be a SQLite database that passes integrity_check,
 * have mingle's tables, and be at a schema version this build knows
 * (MG_EINVAL otherwise, with `err`, and nothing changed). The pages are
 * copied with the backup API under the destination's write lock, so a
 * connection open on it sees the old database or the new one whole; the
 * caller then opens the store (mg_store_open) to migrate it. Stop the
 * daemon first: its caches are not told.
 */
int mg_store_restore(struct mg_backup_info *out, const char *db_path,
                     const char *src, struct mg_error *err);

/*
 * Who holds a database: a running daemon holds a shared flock(2) on
 * "<db>-serve.lock" beside the database for as long as it runs, and a
 * restore the exclusive one while it copies. The kernel lets go when the
 * process ends however it ends (SIGKILL, a crash), so no stale pid file
 * can block a restore, and a daemon on another port or address is seen
 * all the same. A database that is not a plain path (":memory:", a
 * "file:" URI) has no lock: 0 and *fd -1.
 *
 * mg_store_daemon_claim(): the daemon's; 0 with *fd held (close() it to
 * let go), MG_EBUSY if a restore holds the database just now, MG_EIO if
 * the lock file cannot be made or locked, all with `err`.
 */
int mg_store_daemon_claim(int *fd, const char *db_path, struct mg_error *err);

/*
 * mg_store_daemon_exclude(): a restore's, without waiting; 0 with *fd
 * held (a daemon starting meanwhile refuses to), or -1 when no daemon
 * ever ran on the database (no lock file: none is made, so a refused
 * restore leaves nothing behind); MG_EBUSY if a daemon holds the
 * database, MG_EIO as above, with `err`.
 */
int mg_store_daemon_exclude(int *fd, const char *db_path, struct mg_error *err);

#endif
