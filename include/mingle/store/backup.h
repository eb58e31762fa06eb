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

#endif
