/*
 * keys.c: the daemon's random keys by purpose. INSERT OR IGNORE then
 * SELECT, so the first writer's key is the one everybody reads.
 */
#include "internal.h"

#include <string.h>

#include <openssl/crypto.h>

#include "banned.h"

int mg_store_key(unsigned char out[MG_KEY_LEN], struct mg_store *st,
                 const char *name)
{
    unsigned char fresh[MG_KEY_LEN];
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "INSERT OR IGNORE INTO keys (name, key, created_at) "
                           "VALUES (?, ?, ?)");

    if (rc < 0)
        goto out;
    mg_random_bytes(fresh, sizeof(fresh));
    sqlite3_bind_text(stmt, 1, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_blob(stmt, 2, fresh, sizeof(fresh), SQLITE_TRANSIENT);
    sqlite3_bind_int64(stmt, 3, mg_now());
    if (sqlite3_step(stmt) != SQLITE_DONE) {
        rc = store_fail(st, db, sqlite3_extended_errcode(db), "make key");
        goto out;
    }
    sqlite3_finalize(stmt);
    stmt = NULL;
    rc = store_prepare(&stmt, st, db, "SELECT key FROM keys WHERE name = ?");
    if (rc < 0)
        goto out;
    sqlite3_bind_text(stmt, 1, name, -1, SQLITE_TRANSIENT);
    rc = store_step_row(st, db, stmt, MG_EIO, "read key");
    if (rc < 0)
        goto out;
    if (sqlite3_column_bytes(stmt, 0) != MG_KEY_LEN) {
        rc = MG_EIO;
        goto out;
    }
    memcpy(out, sqlite3_column_blob(stmt, 0), MG_KEY_LEN);
    rc = 0;
out:
    OPENSSL_cleanse(fresh, sizeof(fresh));
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}
