/*
 * sessions.c: the dashboard's browser sessions. A row holds the SHA-256
 * of the session's secret, never the secret, and the API token it was
 * made from; checking one also checks that token, so revoking a token
 * ends its sessions. Cookies and forms are the http module's business.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

/* Expired sessions are kept a day (for the log's sake), then deleted. */
#define EXPIRED_KEEP (24 * 3600)

int mg_store_web_session_insert(struct mg_store *st, struct mg_web_session *s,
                                const unsigned char hash[MG_TOKEN_HASH_LEN])
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *purge = NULL, *ins = NULL;
    int rc = store_begin(st, db);

    s->created_at = mg_now();
    if (rc == 0)
        rc = store_prepare(&purge, st, db,
                           "DELETE FROM web_sessions WHERE expires_at < ?");
    if (rc == 0)
        rc = store_prepare(&ins, st, db,
                           "INSERT INTO web_sessions (public_id, hash, "
                           "token_id, csrf, created_at, expires_at) VALUES "
                           "(?, ?, ?, ?, ?, ?)");
    if (rc == 0) {
        sqlite3_bind_int64(purge, 1, s->created_at - EXPIRED_KEEP);
        rc = store_step(st, db, purge, "purge web sessions");
    }
    if (rc == 0) {
        sqlite3_bind_text(ins, 1, s->public_id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_blob(ins, 2, hash, MG_TOKEN_HASH_LEN, SQLITE_TRANSIENT);
        sqlite3_bind_int64(ins, 3, s->token_id);
        sqlite3_bind_text(ins, 4, s->csrf, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(ins, 5, s->created_at);
        sqlite3_bind_int64(ins, 6, s->expires_at);
        rc = store_step(st, db, ins, "insert web session");
    }
    if (rc == 0) {
        s->id = sqlite3_last_insert_rowid(db);
        rc = store_commit(st, db);
    }
    if (rc < 0)
        store_rollback(db);
    sqlite3_finalize(purge);
    sqlite3_finalize(ins);
    store_release(st, db);
    return rc;
}

int mg_store_web_session_check(struct mg_web_session *out,
                               struct mg_token *token, struct mg_store *st,
                               const char *public_id,
                               const unsigned char hash[MG_TOKEN_HASH_LEN],
                               int64_t now)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(
        &stmt, st, db,
        /* columns 0-8 as store_read_token() reads them */
        "SELECT t.id, t.public_id, t.role, t.circle_id, t.group_id, "
        "t.label, t.created_at, t.last_used_at, t.revoked_at, "
        "w.id, w.hash, w.csrf, w.created_at, w.expires_at, w.revoked_at "
        "FROM web_sessions w JOIN tokens t ON t.id = w.token_id "
        "WHERE w.public_id = ? AND t.kind = 'api'");

    if (rc < 0)
        goto out;
    sqlite3_bind_text(stmt, 1, public_id, -1, SQLITE_TRANSIENT);
    rc = store_step_row(st, db, stmt, MG_EAUTH, "check web session");
    if (rc < 0)
        goto out;
    rc = MG_EAUTH;
    if (sqlite3_column_bytes(stmt, 10) != MG_TOKEN_HASH_LEN ||
        !mg_auth_hash_equal(sqlite3_column_blob(stmt, 10), hash))
        goto out;
    if (sqlite3_column_type(stmt, 14) != SQLITE_NULL ||
        sqlite3_column_type(stmt, 8) != SQLITE_NULL ||
        sqlite3_column_int64(stmt, 13) <= now)
        goto out;
    store_read_token(token, stmt);
    memset(out, 0, sizeof(*out));
    out->id = sqlite3_column_int64(stmt, 9);
    snprintf(out->public_id, sizeof(out->public_id), "%s", public_id);
    store_column_copy(out->csrf, sizeof(out->csrf), stmt, 11);
    out->token_id = token->id;
    out->created_at = sqlite3_column_int64(stmt, 12);
    out->expires_at = sqlite3_column_int64(stmt, 13);
    rc = 0;
out:
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_web_session_revoke(struct mg_store *st, const char *public_id)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "UPDATE web_sessions SET revoked_at = ? WHERE "
                           "public_id = ? AND revoked_at IS NULL");

    if (rc < 0)
        goto out;
    sqlite3_bind_int64(stmt, 1, mg_now());
    sqlite3_bind_text(stmt, 2, public_id, -1, SQLITE_TRANSIENT);
    rc = store_step(st, db, stmt, "revoke web session");
    if (rc == 0 && sqlite3_changes(db) == 0)
        rc = MG_ENOTFOUND;
out:
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}
