/*
 * outbox.c: recording a batch of sent messages at once. The rest of the
 * outbox (queueing, claiming, retries) is in calendar.c, beside the
 * invitations whose mail it mostly is.
 */
#include "internal.h"

#include <stdlib.h>

#include "banned.h"

int mg_store_outbox_sent_many(struct mg_store *st, const int64_t *ids, size_t n,
                              int64_t now)
{
    sqlite3 *db;
    sqlite3_stmt *stmt = NULL;
    size_t i;
    int rc;

    if (n == 0)
        return 0;
    db = store_acquire(st);
    rc = store_begin(st, db);
    if (rc == 0)
        rc = store_prepare(&stmt, st, db,
                           "UPDATE outbox SET status = 'sent', sent_at = ?, "
                           "attempts = attempts + 1, last_error = NULL WHERE "
                           "id = ? AND status = 'sending'");
    for (i = 0; rc == 0 && i < n; i++) {
        sqlite3_bind_int64(stmt, 1, now);
        sqlite3_bind_int64(stmt, 2, ids[i]);
        rc = store_step(st, db, stmt, "mark sent");
    }
    sqlite3_finalize(stmt);
    if (rc == 0)
        rc = store_commit(st, db);
    else
        store_rollback(db);
    store_release(st, db);
    return rc;
}
