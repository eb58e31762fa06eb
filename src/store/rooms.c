/*
 * rooms.c: each group's call room and each plenary's own link. A
 * group's room row is made with the group (store_group_room_add) and
 * goes with it; a re-plan carries it to the group its secrets go to.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

void mg_store_group_rooms_free(struct mg_group_room *rows, size_t n)
{
    size_t i;

    for (i = 0; rows && i < n; i++)
        free(rows[i].call_url);
    free(rows);
}

static void read_room(void *row, sqlite3_stmt *stmt)
{
    struct mg_group_room *r = row;

    r->group_id = sqlite3_column_int64(stmt, 0);
    r->call_url = store_column_strdup(stmt, 1);
    store_column_copy(r->secret, sizeof(r->secret), stmt, 2);
}

int mg_store_group_rooms(struct mg_group_room **out, size_t *n,
                         struct mg_store *st, int64_t circle_id,
                         const int64_t *ids, size_t n_ids)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    struct mg_group_room *rows = NULL;
    size_t count = 0, i;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT r.group_id, r.call_url, r.secret FROM "
                           "group_rooms r JOIN groups g ON g.id = r.group_id "
                           "WHERE g.circle_id = ?1 AND (?2 IS NULL OR "
                           "r.group_id IN (SELECT value FROM json_each(?2))) "
                           "ORDER BY r.group_id");

    *out = NULL;
    *n = 0;
    if (rc < 0)
        goto out;
    sqlite3_bind_int64(stmt, 1, circle_id);
    if (ids) {
        /* the ids go in as one bound JSON array, not spliced into SQL */
        struct mg_buf json = MG_BUF_INIT;

        mg_buf_puts(&json, "[");
        for (i = 0; i < n_ids; i++)
            mg_buf_printf(&json, "%s%lld", i ? "," : "", (long long)ids[i]);
        mg_buf_puts(&json, "]");
        sqlite3_bind_text(stmt, 2, mg_buf_detach(&json), -1, free);
    }
    rc = store_rows_read((void **)&rows, &count, sizeof(*rows), st, db, stmt,
                         read_room, "read group rooms");
    if (rc == 0) {
        *out = rows;
        *n = count;
        rows = NULL;
        count = 0;
    }
out:
    mg_store_group_rooms_free(rows, count);
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

const struct mg_group_room *
mg_store_group_room_find(const struct mg_group_room *rooms, size_t n,
                         int64_t group_id)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (rooms[mid].group_id == group_id)
            return &rooms[mid];
        if (rooms[mid].group_id < group_id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

int store_group_room_add(struct mg_store *st, sqlite3 *db, int64_t group_id,
                         const char *call_url, const char *secret)
{
    sqlite3_stmt *stmt = NULL;
    char made[MG_ROOM_SECRET_LEN + 1];
    int rc = store_prepare(&stmt, st, db,
                           "INSERT OR REPLACE INTO group_rooms (group_id, "
                           "call_url, secret) VALUES (?, ?, ?)");

    if (rc < 0)
        return rc;
    if (!secret || !*secret) {
        unsigned char raw[MG_ROOM_SECRET_LEN / 2];

        mg_random_bytes(raw, sizeof(raw));
        mg_hex(made, raw, sizeof(raw));
        secret = made;
    }
    sqlite3_bind_int64(stmt, 1, group_id);
    store_bind_text_or_null(stmt, 2, call_url && *call_url ? call_url : NULL);
    sqlite3_bind_text(stmt, 3, secret, -1, SQLITE_TRANSIENT);
    rc = store_step(st, db, stmt, "add group room");
    sqlite3_finalize(stmt);
    return rc;
}

int mg_store_group_call_url_set(int *changed, struct mg_store *st,
                                int64_t circle_id, int64_t group_id,
                                const char *url)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *sel = NULL, *bump = NULL;
    char *had = NULL, secret[MG_ROOM_SECRET_LEN + 1] = "";
    int rc = store_begin(st, db);

    *changed = 0;
    if (url && !*url)
        url = NULL;
    if (rc == 0)
        rc = store_prepare(&sel, st, db,
                           "SELECT r.call_url, coalesce(r.secret, '') FROM "
                           "groups g LEFT JOIN group_rooms r ON r.group_id = "
                           "g.id WHERE g.id = ? AND g.circle_id = ?");
    if (rc == 0) {
        sqlite3_bind_int64(sel, 1, group_id);
        sqlite3_bind_int64(sel, 2, circle_id);
        rc = store_step_row(st, db, sel, MG_ENOTFOUND, "get group room");
    }
    if (rc == 0) {
        had = store_column_strdup(sel, 0);
        store_column_copy(secret, sizeof(secret), sel, 1);
        *changed = (had == NULL) != (url == NULL) ||
                   (had && url && strcmp(had, url) != 0);
    }
    if (rc == 0 && *changed)
        rc = store_group_room_add(st, db, group_id, url, secret);
    if (rc == 0 && *changed)
        rc = store_prepare(&bump, st, db,
                           "UPDATE groups SET sequence = sequence + 1, "
                           "updated_at = ? WHERE id = ?");
    if (rc == 0 && *changed) {
        sqlite3_bind_int64(bump, 1, mg_now());
        sqlite3_bind_int64(bump, 2, group_id);
        rc = store_step(st, db, bump, "bump group");
    }
    if (rc == 0)
        rc = store_commit(st, db);
    if (rc < 0) {
        store_rollback(db);
        *changed = 0;
    }
    free(had);
    sqlite3_finalize(sel);
    sqlite3_finalize(bump);
    store_release(st, db);
    return rc;
}

static void read_id(void *row, sqlite3_stmt *stmt)
{
    *(int64_t *)row = sqlite3_column_int64(stmt, 0);
}

int mg_store_groups_bump_templated(int64_t **ids, size_t *n,
                                   struct mg_store *st, int64_t circle_id)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int64_t *rows = NULL;
    size_t count = 0;
    int rc = store_begin(st, db);

    *ids = NULL;
    *n = 0;
    if (rc == 0)
        rc = store_prepare(&stmt, st, db,
                           "UPDATE groups SET sequence = sequence + 1, "
                           "updated_at = ?2 WHERE circle_id = ?1 AND NOT "
                           "EXISTS (SELECT 1 FROM group_rooms r WHERE "
                           "r.group_id = groups.id AND r.call_url IS NOT "
                           "NULL) RETURNING id");
    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, circle_id);
        sqlite3_bind_int64(stmt, 2, mg_now());
        rc = store_rows_read((void **)&rows, &count, sizeof(*rows), st, db,
                             stmt, read_id, "bump templated groups");
    }
    sqlite3_finalize(stmt);
    if (rc == 0)
        rc = store_commit(st, db);
    if (rc < 0) {
        store_rollback(db);
        free(rows);
    } else {
        *ids = rows;
        *n = count;
    }
    store_release(st, db);
    return rc;
}

int store_plenary_call_url(struct mg_store *st, sqlite3 *db, int64_t plenary_id,
                           const char *url)
{
    sqlite3_stmt *stmt = NULL;
    int rc;

    if (url && *url)
        rc = store_prepare(&stmt, st, db,
                           "INSERT OR REPLACE INTO plenary_rooms (plenary_id, "
                           "call_url) VALUES (?1, ?2)");
    else
        rc = store_prepare(&stmt, st, db,
                           "DELETE FROM plenary_rooms WHERE plenary_id = ?1");
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, plenary_id);
    if (url && *url)
        sqlite3_bind_text(stmt, 2, url, -1, SQLITE_TRANSIENT);
    rc = store_step(st, db, stmt, "set plenary call link");
    sqlite3_finalize(stmt);
    return rc;
}

int mg_store_tx_plenary_call_url(struct mg_store_tx *tx, int64_t plenary_id,
                                 const char *url)
{
    return store_plenary_call_url(store_tx_store(tx), store_tx_db(tx),
                                  plenary_id, url);
}
