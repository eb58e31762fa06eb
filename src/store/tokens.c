/*
 * tokens.c: API tokens. Rows hold the SHA-256 of the secret, never the
 * secret; a token is found by its public id and its hash compared in
 * constant time (mg_auth_hash_equal), so neither the lookup nor the
 * comparison leaks how much of a guess was right.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

void store_read_token(struct mg_token *t, sqlite3_stmt *stmt)
{
    const unsigned char *s;

    memset(t, 0, sizeof(*t));
    t->id = sqlite3_column_int64(stmt, 0);
    store_column_copy(t->public_id, sizeof(t->public_id), stmt, 1);
    s = sqlite3_column_text(stmt, 2);
    if (!s || mg_role_parse(&t->role, (const char *)s) < 0)
        t->role = MG_ROLE_PARTICIPANT; /* least power if unreadable */
    t->circle_id = sqlite3_column_int64(stmt, 3);
    t->group_id = sqlite3_column_int64(stmt, 4);
    store_column_copy(t->label, sizeof(t->label), stmt, 5);
    t->created_at = sqlite3_column_int64(stmt, 6);
    t->last_used_at = sqlite3_column_int64(stmt, 7);
    t->revoked_at = sqlite3_column_int64(stmt, 8);
}

int mg_store_token_insert(struct mg_store *st, struct mg_token *tok,
                          const unsigned char hash[MG_TOKEN_HASH_LEN])
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "INSERT INTO tokens (public_id, hash, role, "
                           "circle_id, group_id, label, created_at) VALUES "
                           "(?, ?, ?, ?, ?, ?, ?)");

    if (rc < 0)
        goto out;
    tok->created_at = mg_now();
    sqlite3_bind_text(stmt, 1, tok->public_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_blob(stmt, 2, hash, MG_TOKEN_HASH_LEN, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 3, mg_role_name(tok->role), -1, SQLITE_STATIC);
    if (tok->circle_id)
        sqlite3_bind_int64(stmt, 4, tok->circle_id);
    if (tok->group_id)
        sqlite3_bind_int64(stmt, 5, tok->group_id);
    sqlite3_bind_text(stmt, 6, tok->label, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(stmt, 7, tok->created_at);
    rc = sqlite3_step(stmt);
    if (rc != SQLITE_DONE) {
        rc = store_fail(st, db, sqlite3_extended_errcode(db), "insert token");
        goto out;
    }
    tok->id = sqlite3_last_insert_rowid(db);
    rc = 0;
out:
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_token_check(struct mg_token *out, struct mg_store *st,
                         const char *public_id,
                         const unsigned char hash[MG_TOKEN_HASH_LEN])
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT " TOKEN_COLUMNS ", hash FROM tokens "
                           "WHERE public_id = ? AND kind = 'api'");

    if (rc < 0)
        goto out;
    sqlite3_bind_text(stmt, 1, public_id, -1, SQLITE_TRANSIENT);
    rc = store_step_row(st, db, stmt, MG_EAUTH, "check token");
    if (rc < 0)
        goto out;
    rc = MG_EAUTH;
    if (sqlite3_column_bytes(stmt, 9) != MG_TOKEN_HASH_LEN ||
        !mg_auth_hash_equal(sqlite3_column_blob(stmt, 9), hash))
        goto out;
    store_read_token(out, stmt);
    if (out->revoked_at)
        goto out;
    rc = 0;
out:
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

static void read_token_row(void *row, sqlite3_stmt *stmt)
{
    store_read_token(row, stmt);
}

int mg_store_token_list(struct mg_token **out, size_t *n, struct mg_store *st)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    struct mg_token *list = NULL;
    size_t count = 0;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT " TOKEN_COLUMNS " FROM tokens WHERE "
                           "kind = 'api' ORDER BY id DESC");

    if (rc < 0)
        goto out;
    rc = store_rows_read((void **)&list, &count, sizeof(*list), st, db, stmt,
                         read_token_row, "list tokens");
    if (rc < 0)
        goto out;
    *out = list;
    *n = count;
    list = NULL;
out:
    sqlite3_finalize(stmt);
    free(list);
    store_release(st, db);
    return rc;
}

static int revoke_where(int *n, struct mg_store *st, const char *sql,
                        const char *arg)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db, sql);

    if (rc < 0)
        goto out;
    sqlite3_bind_int64(stmt, 1, mg_now());
    sqlite3_bind_text(stmt, 2, arg, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(stmt);
    if (rc != SQLITE_DONE) {
        rc = store_fail(st, db, sqlite3_extended_errcode(db), "revoke token");
        goto out;
    }
    *n = sqlite3_changes(db);
    rc = 0;
out:
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_token_revoke(struct mg_store *st, const char *public_id)
{
    int n = 0;
    int rc = revoke_where(&n, st,
                          "UPDATE tokens SET revoked_at = ? WHERE "
                          "public_id = ? AND revoked_at IS NULL",
                          public_id);

    if (rc == 0 && n == 0)
        rc = MG_ENOTFOUND;
    return rc;
}

int mg_store_token_touch(struct mg_store *st, int64_t id, int64_t now)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "UPDATE tokens SET last_used_at = ?1 WHERE id = ?2");

    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, now);
        sqlite3_bind_int64(stmt, 2, id);
        rc = store_step(st, db, stmt, "note token use");
    }
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_token_revoke_label(int *n, struct mg_store *st, const char *label)
{
    return revoke_where(n, st,
                        "UPDATE tokens SET revoked_at = ? WHERE label = ? "
                        "AND revoked_at IS NULL",
                        label);
}
