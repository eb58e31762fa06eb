/*
 * circles.c: circles and their weekly call slots. A circle and its slots
 * are always written in one transaction.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

#define CIRCLE_COLUMNS                                                         \
    "id, slug, title, time_zone, start_date, weeks, group_min, group_max, "    \
    "video_url, organizer_name, organizer_email, created_at, updated_at, "     \
    "attendance_target, language, (SELECT call_url_template FROM "             \
    "circle_calls WHERE circle_id = circles.id), coalesce((SELECT "            \
    "alarm_minutes FROM circle_calls WHERE circle_id = circles.id), 15)"

static void read_circle(struct mg_circle *c, sqlite3_stmt *stmt)
{
    c->id = sqlite3_column_int64(stmt, 0);
    c->slug = store_column_strdup(stmt, 1);
    c->title = store_column_strdup(stmt, 2);
    c->time_zone = store_column_strdup(stmt, 3);
    store_column_copy(c->start_date, sizeof(c->start_date), stmt, 4);
    c->weeks = sqlite3_column_int(stmt, 5);
    c->group_min = sqlite3_column_int(stmt, 6);
    c->group_max = sqlite3_column_int(stmt, 7);
    c->video_url = store_column_strdup(stmt, 8);
    c->organizer_name = store_column_strdup(stmt, 9);
    c->organizer_email = store_column_strdup(stmt, 10);
    c->created_at = sqlite3_column_int64(stmt, 11);
    c->updated_at = sqlite3_column_int64(stmt, 12);
    c->attendance_target = sqlite3_column_int(stmt, 13); /* NULL reads 0 */
    snprintf(c->language, sizeof(c->language), "%s",
             sqlite3_column_text(stmt, 14)
                 ? (const char *)sqlite3_column_text(stmt, 14)
                 : "en");
    c->call_url_template = store_column_strdup(stmt, 15);
    /* stored as the minutes (0: none); the struct's 0 is the default */
    c->alarm_minutes = sqlite3_column_int(stmt, 16);
    if (c->alarm_minutes == 0)
        c->alarm_minutes = -1;
}

/* The circle's call link template and alarm (circle_calls), in the
 * transaction on `db`. */
static int save_calls(struct mg_store *st, sqlite3 *db,
                      const struct mg_circle *c)
{
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "INSERT INTO circle_calls (circle_id, "
                           "call_url_template, alarm_minutes) VALUES (?, ?, "
                           "?) ON CONFLICT (circle_id) DO UPDATE SET "
                           "call_url_template = excluded.call_url_template, "
                           "alarm_minutes = excluded.alarm_minutes");

    if (rc < 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, c->id);
    store_bind_text_or_null(stmt, 2,
                            c->call_url_template && *c->call_url_template
                                ? c->call_url_template
                                : NULL);
    sqlite3_bind_int(stmt, 3, mg_circle_alarm(c));
    rc = store_step(st, db, stmt, "save circle calls");
    sqlite3_finalize(stmt);
    return rc;
}

static void read_slot(void *row, sqlite3_stmt *stmt)
{
    struct mg_slot *s = row;

    s->id = sqlite3_column_int64(stmt, 0);
    s->weekday = sqlite3_column_int(stmt, 1);
    s->start_minute = sqlite3_column_int(stmt, 2);
    s->minutes = sqlite3_column_int(stmt, 3);
}

static int load_slots(struct mg_store *st, sqlite3 *db, struct mg_circle *c)
{
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT id, weekday, start_minute, minutes FROM "
                           "slots WHERE circle_id = ? ORDER BY position");

    if (rc < 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, c->id);
    rc = store_rows_read((void **)&c->slots, &c->n_slots, sizeof(*c->slots), st,
                         db, stmt, read_slot, "load slots");
    sqlite3_finalize(stmt);
    return rc;
}

/*
 * Make the stored slots of `c->id` match c->slots: keep rows whose
 * weekday and start are unchanged (so memberships and sessions that point
 * at them survive), update their position and length, delete the rest and
 * insert the new ones.
 */
static int save_slots(struct mg_store *st, sqlite3 *db, struct mg_circle *c)
{
    sqlite3_stmt *upsert = NULL, *del = NULL;
    struct mg_buf keep = MG_BUF_INIT;
    size_t i;
    int rc;

    rc = store_prepare(&upsert, st, db,
                       "INSERT INTO slots (circle_id, position, weekday, "
                       "start_minute, minutes) VALUES (?, ?, ?, ?, ?) "
                       "ON CONFLICT (circle_id, weekday, start_minute) DO "
                       "UPDATE SET position = excluded.position, "
                       "minutes = excluded.minutes RETURNING id");
    if (rc < 0)
        goto out;
    for (i = 0; i < c->n_slots; i++) {
        struct mg_slot *s = &c->slots[i];
        int step;

        sqlite3_reset(upsert);
        sqlite3_bind_int64(upsert, 1, c->id);
        sqlite3_bind_int(upsert, 2, (int)i);
        sqlite3_bind_int(upsert, 3, s->weekday);
        sqlite3_bind_int(upsert, 4, s->start_minute);
        sqlite3_bind_int(upsert, 5, s->minutes);
        step = sqlite3_step(upsert);
        if (step != SQLITE_ROW) {
            rc = store_fail(st, db, step, "save slot");
            goto out;
        }
        s->id = sqlite3_column_int64(upsert, 0);
        sqlite3_step(upsert);
        mg_buf_printf(&keep, "%s%lld", i ? "," : "", (long long)s->id);
    }
    /* The kept ids go in as one bound JSON array, not spliced into SQL. */
    rc = store_prepare(&del, st, db,
                       "DELETE FROM slots WHERE circle_id = ? AND id NOT IN "
                       "(SELECT value FROM json_each(?))");
    if (rc < 0)
        goto out;
    sqlite3_bind_int64(del, 1, c->id);
    {
        char *json = mg_xasprintf("[%s]", keep.data ? keep.data : "");
        sqlite3_bind_text(del, 2, json, -1, free);
    }
    rc = sqlite3_step(del);
    rc = rc == SQLITE_DONE ? 0 : store_fail(st, db, rc, "delete slots");
out:
    sqlite3_finalize(upsert);
    sqlite3_finalize(del);
    mg_buf_release(&keep);
    return rc;
}

static void bind_circle(sqlite3_stmt *stmt, const struct mg_circle *c)
{
    store_bind_text_or_null(stmt, 1, c->slug);
    sqlite3_bind_text(stmt, 2, c->title, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 3, c->time_zone, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 4, c->start_date, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(stmt, 5, c->weeks);
    sqlite3_bind_int(stmt, 6, c->group_min);
    sqlite3_bind_int(stmt, 7, c->group_max);
    store_bind_text_or_null(stmt, 8, c->video_url);
    store_bind_text_or_null(stmt, 9, c->organizer_name);
    store_bind_text_or_null(stmt, 10, c->organizer_email);
    sqlite3_bind_int64(stmt, 11, c->updated_at);
    if (c->attendance_target > 0)
        sqlite3_bind_int(stmt, 12, c->attendance_target);
    else
        sqlite3_bind_null(stmt, 12);
    sqlite3_bind_text(stmt, 13, mg_circle_language(c), -1, SQLITE_TRANSIENT);
}

int mg_store_circle_create(struct mg_store *st, struct mg_circle *c)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc;

    c->created_at = c->updated_at = mg_now();
    rc = store_begin(st, db);
    if (rc < 0)
        goto out;
    rc = store_prepare(&stmt, st, db,
                       "INSERT INTO circles (slug, title, time_zone, "
                       "start_date, weeks, group_min, group_max, video_url, "
                       "organizer_name, organizer_email, updated_at, "
                       "attendance_target, language, created_at) VALUES (?, "
                       "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (rc < 0)
        goto out;
    bind_circle(stmt, c);
    sqlite3_bind_int64(stmt, 14, c->created_at);
    rc = sqlite3_step(stmt);
    if (rc != SQLITE_DONE) {
        rc = store_fail(st, db, sqlite3_extended_errcode(db), "create circle");
        goto out;
    }
    c->id = sqlite3_last_insert_rowid(db);
    rc = save_slots(st, db, c);
    if (rc == 0)
        rc = save_calls(st, db, c);
    if (rc < 0)
        goto out;
    rc = store_commit(st, db);
out:
    sqlite3_finalize(stmt);
    if (rc < 0) {
        store_rollback(db);
        c->id = 0;
    }
    store_release(st, db);
    return rc;
}

static int get_where(struct mg_circle **out, struct mg_store *st,
                     const char *sql, int64_t id, const char *slug)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    struct mg_circle *c = NULL;
    int rc = store_prepare(&stmt, st, db, sql);

    if (rc < 0)
        goto out;
    if (slug)
        sqlite3_bind_text(stmt, 1, slug, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_int64(stmt, 1, id);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) {
        rc = MG_ENOTFOUND;
        goto out;
    }
    if (rc != SQLITE_ROW) {
        rc = store_fail(st, db, rc, "get circle");
        goto out;
    }
    c = mg_xcalloc(1, sizeof(*c));
    read_circle(c, stmt);
    rc = load_slots(st, db, c);
    if (rc < 0)
        goto out;
    *out = c;
    c = NULL;
out:
    sqlite3_finalize(stmt);
    mg_circle_free(c);
    store_release(st, db);
    return rc;
}

int mg_store_circle_get(struct mg_circle **out, struct mg_store *st, int64_t id)
{
    return get_where(out, st,
                     "SELECT " CIRCLE_COLUMNS " FROM circles WHERE id = ?", id,
                     NULL);
}

int mg_store_circle_get_by_slug(struct mg_circle **out, struct mg_store *st,
                                const char *slug)
{
    return get_where(out, st,
                     "SELECT " CIRCLE_COLUMNS " FROM circles WHERE slug = ?", 0,
                     slug);
}

void mg_store_circles_free(struct mg_circle *list, size_t n)
{
    size_t i;

    for (i = 0; list && i < n; i++)
        mg_circle_release(&list[i]);
    free(list);
}

int mg_store_circle_list(struct mg_circle **out, size_t *n, struct mg_store *st,
                         int64_t after, int limit)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    struct mg_circle *list = NULL;
    size_t count = 0, i;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT " CIRCLE_COLUMNS " FROM circles WHERE "
                           "id > ? ORDER BY id LIMIT ?");

    if (rc < 0)
        goto out;
    sqlite3_bind_int64(stmt, 1, after);
    sqlite3_bind_int(stmt, 2, limit);
    list = mg_xcalloc((size_t)(limit > 0 ? limit : 1), sizeof(*list));
    for (;;) {
        int step = sqlite3_step(stmt);
        if (step == SQLITE_DONE)
            break;
        if (step != SQLITE_ROW) {
            rc = store_fail(st, db, step, "list circles");
            goto out;
        }
        read_circle(&list[count++], stmt);
    }
    for (i = 0; i < count; i++) {
        rc = load_slots(st, db, &list[i]);
        if (rc < 0)
            goto out;
    }
    *out = list;
    *n = count;
    list = NULL;
out:
    sqlite3_finalize(stmt);
    mg_store_circles_free(list, count);
    store_release(st, db);
    return rc;
}

/* The circle's row and slots, inside the transaction on `db`. */
static int circle_update_in(struct mg_store *st, sqlite3 *db,
                            struct mg_circle *c)
{
    sqlite3_stmt *stmt = NULL;
    int rc;

    c->updated_at = mg_now();
    rc = store_prepare(&stmt, st, db,
                       "UPDATE circles SET slug = ?, title = ?, "
                       "time_zone = ?, start_date = ?, weeks = ?, "
                       "group_min = ?, group_max = ?, video_url = ?, "
                       "organizer_name = ?, organizer_email = ?, "
                       "updated_at = ?, attendance_target = ?, "
                       "language = ? WHERE id = ?");
    if (rc < 0)
        return rc;
    bind_circle(stmt, c);
    sqlite3_bind_int64(stmt, 14, c->id);
    rc = sqlite3_step(stmt);
    if (rc != SQLITE_DONE)
        rc = store_fail(st, db, sqlite3_extended_errcode(db), "update circle");
    else if (sqlite3_changes(db) == 0)
        rc = MG_ENOTFOUND;
    else
        rc = 0;
    sqlite3_finalize(stmt);
    if (rc == 0)
        rc = save_slots(st, db, c);
    if (rc == 0)
        rc = save_calls(st, db, c);
    return rc;
}

int mg_store_circle_update(struct mg_store *st, struct mg_circle *c)
{
    return mg_store_circle_update_retimed(st, c, NULL, 0);
}

int mg_store_circle_update_retimed(struct mg_store *st, struct mg_circle *c,
                                   const struct mg_session_row *rows, size_t n)
{
    sqlite3 *db = store_acquire(st);
    int rc = store_begin(st, db);

    if (rc == 0)
        rc = circle_update_in(st, db, c);
    if (rc == 0 && n)
        rc = store_sessions_retime_in(st, db, c->id, rows, n);
    if (rc == 0)
        rc = store_commit(st, db);
    if (rc < 0)
        store_rollback(db);
    store_release(st, db);
    return rc;
}

int mg_store_circle_delete(struct mg_store *st, int64_t id)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db, "DELETE FROM circles WHERE id = ?");

    if (rc < 0)
        goto out;
    sqlite3_bind_int64(stmt, 1, id);
    rc = sqlite3_step(stmt);
    if (rc != SQLITE_DONE) {
        rc = store_fail(st, db, sqlite3_extended_errcode(db), "delete circle");
        goto out;
    }
    rc = sqlite3_changes(db) ? 0 : MG_ENOTFOUND;
out:
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}
