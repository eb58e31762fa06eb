/*
 * audit.c: the audit log of coordinators' actions. Rows are only ever
 * added (erasing a person leaves the record that they were erased); they
 * hold ids and routes, never bodies or secrets.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

int mg_store_audit_add(struct mg_store *st, const struct mg_audit_entry *e)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "INSERT INTO audit_log (at, actor, label, via, "
                           "action, circle_id, target, status, client) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");

    if (rc < 0)
        goto out;
    sqlite3_bind_int64(stmt, 1, e->at ? e->at : mg_now());
    sqlite3_bind_text(stmt, 2, e->actor, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 3, e->label, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 4, e->via, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 5, e->action, -1, SQLITE_STATIC);
    if (e->circle_id)
        sqlite3_bind_int64(stmt, 6, e->circle_id);
    sqlite3_bind_text(stmt, 7, e->target, -1, SQLITE_STATIC);
    sqlite3_bind_int(stmt, 8, e->status);
    sqlite3_bind_text(stmt, 9, e->client, -1, SQLITE_STATIC);
    rc = store_step(st, db, stmt, "insert audit entry");
out:
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

static void read_audit(void *row, sqlite3_stmt *stmt)
{
    struct mg_audit_entry *e = row;

    e->id = sqlite3_column_int64(stmt, 0);
    e->at = sqlite3_column_int64(stmt, 1);
    store_column_copy(e->actor, sizeof(e->actor), stmt, 2);
    store_column_copy(e->label, sizeof(e->label), stmt, 3);
    store_column_copy(e->via, sizeof(e->via), stmt, 4);
    store_column_copy(e->action, sizeof(e->action), stmt, 5);
    e->circle_id = sqlite3_column_int64(stmt, 6);
    store_column_copy(e->target, sizeof(e->target), stmt, 7);
    e->status = sqlite3_column_int(stmt, 8);
    store_column_copy(e->client, sizeof(e->client), stmt, 9);
}

int mg_store_audit_list(struct mg_audit_entry **out, size_t *n,
                        struct mg_store *st, int64_t circle_id, int64_t after,
                        int limit)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    struct mg_audit_entry *list = NULL;
    size_t count = 0;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT id, at, actor, label, via, action, "
                           "circle_id, target, status, client FROM audit_log "
                           "WHERE id > ?1 AND (?2 = 0 OR circle_id = ?2) "
                           "ORDER BY id LIMIT ?3");

    *out = NULL;
    *n = 0;
    if (rc < 0)
        goto out;
    sqlite3_bind_int64(stmt, 1, after);
    sqlite3_bind_int64(stmt, 2, circle_id);
    sqlite3_bind_int(stmt, 3, limit);
    rc = store_rows_read((void **)&list, &count, sizeof(*list), st, db, stmt,
                         read_audit, "list audit log");
    if (rc < 0)
        goto out;
    *out = list;
    *n = count;
    list = NULL;
out:
    free(list);
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}
