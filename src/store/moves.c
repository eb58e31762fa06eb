/*
 * moves.c: the move_requests table (migration 23). Slots and wishes are
 * kept as comma-separated ids; a person's open request is replaced in
 * one transaction (the same row, its time the new one's), so there is
 * never more than one. Lists go by id
 * (created_at order, as ids only grow) a page at a time.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

static const char *const status_names[] = {"open", "done", "dismissed"};

const char *mg_move_status_name(enum mg_move_status s)
{
    return store_enum_name(status_names, STORE_N_NAMES(status_names), (int)s);
}

/* "3,5,9" for a list of ids. */
static void ids_text(struct mg_buf *b, const int64_t *ids, size_t n)
{
    size_t i;

    mg_buf_puts(b, "");
    for (i = 0; i < n; i++)
        mg_buf_printf(b, "%s%lld", i ? "," : "", (long long)ids[i]);
}

/* Ids back from "3,5,9", at most `max` of them, into `out`. */
static size_t ids_parse(int64_t *out, size_t max, const char *s)
{
    size_t n = 0;
    char *end;

    while (s && *s && n < max) {
        long long v = strtoll(s, &end, 10);
        if (end == s)
            break;
        out[n++] = (int64_t)v;
        s = *end == ',' ? end + 1 : end;
    }
    return n;
}

int mg_store_move_request_put(int64_t *id, struct mg_store *st,
                              const struct mg_move_request *m)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    struct mg_buf slots = MG_BUF_INIT, threads = MG_BUF_INIT;
    int64_t open = 0;
    int rc = store_begin(st, db);

    ids_text(&slots, m->slot_ids, m->n_slots);
    ids_text(&threads, m->wishes, m->n_wishes);
    if (rc < 0)
        goto out;
    /* the person, in this circle, and their open request if any */
    rc = store_prepare(&stmt, st, db,
                       "SELECT p.id, coalesce((SELECT m.id FROM "
                       "move_requests m WHERE m.participant_id = p.id AND "
                       "m.circle_id = p.circle_id AND m.status = 'open'), 0) "
                       "FROM participants p WHERE p.circle_id = ? AND p.id = "
                       "?");
    if (rc < 0)
        goto out;
    sqlite3_bind_int64(stmt, 1, m->circle_id);
    sqlite3_bind_int64(stmt, 2, m->participant_id);
    rc = store_step_row(st, db, stmt, MG_ENOTFOUND, "find move request");
    if (rc < 0)
        goto out;
    open = sqlite3_column_int64(stmt, 1);
    sqlite3_finalize(stmt);
    stmt = NULL;
    rc = store_prepare(
        &stmt, st, db,
        open ? "UPDATE move_requests SET slots = ?3, threads = ?4, note = ?5, "
               "created_at = ?6 WHERE id = ?7"
             : "INSERT INTO move_requests (circle_id, participant_id, slots, "
               "threads, note, status, created_at) VALUES (?1, ?2, ?3, ?4, "
               "?5, 'open', ?6)");
    if (rc < 0)
        goto out;
    if (!open) {
        sqlite3_bind_int64(stmt, 1, m->circle_id);
        sqlite3_bind_int64(stmt, 2, m->participant_id);
    }
    sqlite3_bind_text(stmt, 3, slots.data, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 4, threads.data, -1, SQLITE_TRANSIENT);
    store_bind_text_or_null(stmt, 5, m->note);
    sqlite3_bind_int64(stmt, 6, mg_now());
    if (open)
        sqlite3_bind_int64(stmt, 7, open);
    rc = store_step(st, db, stmt, "put move request");
    if (rc == 0)
        *id = open ? open : sqlite3_last_insert_rowid(db);
    if (rc == 0)
        rc = store_commit(st, db);
out:
    if (rc < 0)
        store_rollback(db);
    sqlite3_finalize(stmt);
    store_release(st, db);
    mg_buf_release(&slots);
    mg_buf_release(&threads);
    return rc;
}

static void read_request(void *row, sqlite3_stmt *stmt)
{
    struct mg_move_request *m = row;
    int64_t slots[64];

    m->id = sqlite3_column_int64(stmt, 0);
    m->circle_id = sqlite3_column_int64(stmt, 1);
    m->participant_id = sqlite3_column_int64(stmt, 2);
    m->n_slots =
        ids_parse(slots, 64, (const char *)sqlite3_column_text(stmt, 3));
    m->slot_ids = mg_xcalloc(m->n_slots + 1, sizeof(*m->slot_ids));
    memcpy(m->slot_ids, slots, m->n_slots * sizeof(*slots));
    m->n_wishes =
        ids_parse(m->wishes, 3, (const char *)sqlite3_column_text(stmt, 4));
    m->note = sqlite3_column_type(stmt, 5) == SQLITE_NULL
                  ? NULL
                  : store_column_strdup(stmt, 5);
    m->status = (enum mg_move_status)store_column_enum(
        stmt, 6, status_names, STORE_N_NAMES(status_names));
    m->created_at = sqlite3_column_int64(stmt, 7);
    m->decided_at = sqlite3_column_int64(stmt, 8);
    m->name = store_column_strdup(stmt, 9);
    m->email = store_column_strdup(stmt, 10);
    m->group_id = sqlite3_column_int64(stmt, 11);
}

int mg_store_move_requests_list(struct mg_move_request **out, size_t *n,
                                struct mg_store *st, int64_t circle_id,
                                const struct mg_move_filter *f)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    void *rows = NULL;
    size_t count = 0;
    /* one query for each way in, so each walks its own index in id
     * order: a person's requests, a circle's in one status, all */
    static const char *const where[] = {
        "m.participant_id = ?3 AND m.circle_id = ?1 AND (?2 = '' OR "
        "m.status = ?2)",
        "m.circle_id = ?1 AND m.status = ?2", "m.circle_id = ?1"};
    char *sql = mg_xasprintf(
        "SELECT m.id, m.circle_id, m.participant_id, m.slots, m.threads, "
        "m.note, m.status, m.created_at, coalesce(m.decided_at, 0), p.name, "
        "p.email, coalesce((SELECT g.group_id FROM memberships g WHERE "
        "g.participant_id = p.id AND g.left_at IS NULL), 0) FROM "
        "move_requests m JOIN participants p ON p.id = m.participant_id "
        "WHERE %s AND m.id > ?4 ORDER BY m.id LIMIT ?5",
        where[f->pid           ? 0
              : f->status >= 0 ? 1
                               : 2]);
    int rc = store_prepare(&stmt, st, db, sql);

    free(sql);
    *out = NULL;
    *n = 0;
    if (rc < 0)
        goto out;
    sqlite3_bind_int64(stmt, 1, circle_id);
    sqlite3_bind_text(stmt, 2,
                      f->status < 0 ? "" : mg_move_status_name(f->status), -1,
                      SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 3, f->pid);
    sqlite3_bind_int64(stmt, 4, f->after);
    sqlite3_bind_int64(stmt, 5, f->limit > 0 ? f->limit : -1);
    rc = store_rows_read(&rows, &count, sizeof(struct mg_move_request), st, db,
                         stmt, read_request, "list move requests");
    if (rc < 0) {
        mg_store_move_requests_free(rows, count);
        goto out;
    }
    *out = rows;
    *n = count;
out:
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_move_requests_count(size_t *n, struct mg_store *st,
                                 int64_t circle_id, enum mg_move_status status)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT count(*) FROM move_requests WHERE "
                           "circle_id = ? AND status = ?");

    *n = 0;
    if (rc < 0)
        goto out;
    sqlite3_bind_int64(stmt, 1, circle_id);
    sqlite3_bind_text(stmt, 2, mg_move_status_name(status), -1, SQLITE_STATIC);
    rc = store_step_row(st, db, stmt, MG_EIO, "count move requests");
    if (rc == 0)
        *n = (size_t)sqlite3_column_int64(stmt, 0);
out:
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_move_request_close(struct mg_store *st, int64_t circle_id,
                                int64_t id, enum mg_move_status status)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "UPDATE move_requests SET status = ?, decided_at "
                           "= ? WHERE circle_id = ? AND id = ? AND status = "
                           "'open'");

    if (rc < 0)
        goto out;
    sqlite3_bind_text(stmt, 1, mg_move_status_name(status), -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 2, mg_now());
    sqlite3_bind_int64(stmt, 3, circle_id);
    sqlite3_bind_int64(stmt, 4, id);
    rc = store_step(st, db, stmt, "close move request");
    if (rc < 0 || sqlite3_changes(db) > 0)
        goto out;
    sqlite3_finalize(stmt);
    rc = store_prepare(&stmt, st, db,
                       "SELECT 1 FROM move_requests WHERE circle_id = ? AND "
                       "id = ?");
    if (rc < 0)
        goto out;
    sqlite3_bind_int64(stmt, 1, circle_id);
    sqlite3_bind_int64(stmt, 2, id);
    rc = store_step_row(st, db, stmt, MG_ENOTFOUND, "find move request");
    if (rc == 0)
        rc = MG_ECONFLICT;
out:
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_move_requests_done(int *closed, struct mg_store *st,
                                int64_t circle_id, int64_t pid)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "UPDATE move_requests SET status = 'done', "
                           "decided_at = ? WHERE circle_id = ? AND "
                           "participant_id = ? AND status = 'open'");

    *closed = 0;
    if (rc < 0)
        goto out;
    sqlite3_bind_int64(stmt, 1, mg_now());
    sqlite3_bind_int64(stmt, 2, circle_id);
    sqlite3_bind_int64(stmt, 3, pid);
    rc = store_step(st, db, stmt, "move request done");
    if (rc == 0)
        *closed = sqlite3_changes(db) > 0;
out:
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

void mg_store_move_requests_free(struct mg_move_request *list, size_t n)
{
    size_t i;

    for (i = 0; list && i < n; i++) {
        free(list[i].slot_ids);
        free(list[i].note);
        free(list[i].name);
        free(list[i].email);
    }
    free(list);
}
