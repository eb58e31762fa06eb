/*
 * plenary_attendance.c: who came to each occurrence of a plenary, its
 * target, its cancellation mark, and a participant's places: the loads
 * and saves behind plenary attendance, the report's plenary rows and the
 * coordinator's and participant's lists. No rules here: matching is the
 * attendance module's, the waitlist the plenary module's.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

static const char *const plenary_names[] = {"confirmed", "cancelled"};

int mg_store_plenary_attendance_replace(struct mg_store *st, int64_t plenary_id,
                                        int week,
                                        const struct mg_attendance_row *rows,
                                        size_t n, const char *source,
                                        int unmatched)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *del = NULL, *ins = NULL, *rec = NULL;
    size_t i;
    int rc = store_begin(st, db);

    if (rc == 0)
        rc = store_prepare(&del, st, db,
                           "DELETE FROM plenary_attendance WHERE plenary_id = "
                           "? AND week = ?");
    if (rc == 0)
        rc = store_prepare(&ins, st, db,
                           "INSERT INTO plenary_attendance (plenary_id, week, "
                           "participant_id, present, minutes, source, "
                           "recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
    if (rc == 0)
        rc = store_prepare(&rec, st, db,
                           "INSERT OR REPLACE INTO plenary_imports "
                           "(plenary_id, week, source, unmatched, "
                           "recorded_at) VALUES (?, ?, ?, ?, ?)");
    if (rc == 0) {
        sqlite3_bind_int64(del, 1, plenary_id);
        sqlite3_bind_int(del, 2, week);
        rc = store_step(st, db, del, "clear plenary attendance");
    }
    for (i = 0; rc == 0 && i < n; i++) {
        sqlite3_bind_int64(ins, 1, plenary_id);
        sqlite3_bind_int(ins, 2, week);
        sqlite3_bind_int64(ins, 3, rows[i].participant_id);
        sqlite3_bind_int(ins, 4, rows[i].present ? 1 : 0);
        sqlite3_bind_int(ins, 5, rows[i].minutes);
        sqlite3_bind_text(ins, 6, rows[i].source, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(ins, 7, rows[i].recorded_at);
        rc = store_step(st, db, ins, "insert plenary attendance");
    }
    if (rc == 0) {
        sqlite3_bind_int64(rec, 1, plenary_id);
        sqlite3_bind_int(rec, 2, week);
        sqlite3_bind_text(rec, 3, source, -1, SQLITE_STATIC);
        sqlite3_bind_int(rec, 4, unmatched);
        sqlite3_bind_int64(rec, 5, mg_now());
        rc = store_step(st, db, rec, "record plenary import");
    }
    if (rc == 0)
        rc = store_commit(st, db);
    if (rc < 0)
        store_rollback(db);
    sqlite3_finalize(del);
    sqlite3_finalize(ins);
    sqlite3_finalize(rec);
    store_release(st, db);
    return rc;
}

static void read_attendance(void *row, sqlite3_stmt *stmt)
{
    struct mg_attendance_row *r = row;

    r->participant_id = sqlite3_column_int64(stmt, 0);
    r->present = sqlite3_column_int(stmt, 1);
    r->minutes = sqlite3_column_int(stmt, 2);
    store_column_copy(r->source, sizeof(r->source), stmt, 3);
    r->recorded_at = sqlite3_column_int64(stmt, 4);
    r->name = store_column_strdup(stmt, 5);
}

int mg_store_plenary_attendance_list(struct mg_attendance_row **out, size_t *n,
                                     struct mg_store *st, int64_t plenary_id,
                                     int week)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    struct mg_attendance_row *rows = NULL;
    size_t count = 0;
    int rc = store_prepare(
        &stmt, st, db,
        "SELECT a.participant_id, a.present, a.minutes, a.source, "
        "a.recorded_at, p.name FROM plenary_attendance a JOIN participants p "
        "ON p.id = a.participant_id WHERE a.plenary_id = ? AND a.week = ? "
        "ORDER BY a.participant_id");

    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, plenary_id);
        sqlite3_bind_int(stmt, 2, week);
        rc = store_rows_read((void **)&rows, &count, sizeof(*rows), st, db,
                             stmt, read_attendance, "list plenary attendance");
    }
    sqlite3_finalize(stmt);
    store_release(st, db);
    if (rc < 0) {
        mg_store_attendance_free(rows, count);
        return rc;
    }
    *out = rows;
    *n = count;
    return 0;
}

static void read_week(void *row, sqlite3_stmt *stmt)
{
    struct mg_store_plenary_week *w = row;

    w->plenary_id = sqlite3_column_int64(stmt, 0);
    w->week = sqlite3_column_int(stmt, 1);
    store_column_copy(w->source, sizeof(w->source), stmt, 2);
    w->unmatched = sqlite3_column_int(stmt, 3);
    w->recorded_at = sqlite3_column_int64(stmt, 4);
    w->came = sqlite3_column_int(stmt, 5);
}

int mg_store_report_plenary_weeks(struct mg_store_plenary_week **out, size_t *n,
                                  struct mg_store *st, int64_t circle_id)
{
    return store_list_by_id(
        (void **)out, n, sizeof(**out), st,
        "SELECT i.plenary_id, i.week, i.source, i.unmatched, i.recorded_at, "
        "(SELECT count(*) FROM plenary_attendance a WHERE a.plenary_id = "
        "i.plenary_id AND a.week = i.week AND a.present) FROM plenary_imports "
        "i JOIN plenaries p ON p.id = i.plenary_id WHERE p.circle_id = ?1 "
        "ORDER BY i.plenary_id, i.week",
        circle_id, read_week, NULL, "list plenary attendance");
}

int mg_store_plenary_set_target(struct mg_store *st, int64_t circle_id,
                                int64_t id, int target)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    sqlite3_stmt *set = NULL;
    /* the plenary must be the circle's; 0 clears the target */
    int rc = store_prepare(&stmt, st, db,
                           "SELECT 1 FROM plenaries WHERE circle_id = ? AND "
                           "id = ?");

    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, circle_id);
        sqlite3_bind_int64(stmt, 2, id);
        rc = store_step_row(st, db, stmt, MG_ENOTFOUND, "find plenary");
    }
    if (rc == 0)
        rc = target > 0 ? store_prepare(&set, st, db,
                                        "INSERT OR REPLACE INTO "
                                        "plenary_targets (plenary_id, "
                                        "target) VALUES (?1, ?2)")
                        : store_prepare(&set, st, db,
                                        "DELETE FROM plenary_targets WHERE "
                                        "plenary_id = ?1");
    if (rc == 0) {
        sqlite3_bind_int64(set, 1, id);
        if (target > 0)
            sqlite3_bind_int(set, 2, target);
        rc = store_step(st, db, set, "set plenary target");
    }
    sqlite3_finalize(set);
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_tx_plenary_set_status(struct mg_store_tx *tx, int64_t id,
                                   enum mg_store_plenary_status status)
{
    struct mg_store *st = store_tx_store(tx);
    sqlite3 *db = store_tx_db(tx);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "UPDATE plenaries SET status = ? WHERE id = ?");

    if (rc < 0)
        return rc;
    sqlite3_bind_text(stmt, 1, mg_store_plenary_status_name(status), -1,
                      SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 2, id);
    rc = store_step(st, db, stmt, "set plenary status");
    sqlite3_finalize(stmt);
    return rc;
}

void mg_store_person_seats_free(struct mg_store_person_seat *rows, size_t n)
{
    size_t i;

    for (i = 0; rows && i < n; i++)
        mg_store_plenary_release(&rows[i].p);
    free(rows);
}

/* The same fifteen columns as plenaries.c reads, then the seat, then
 * the plenary's own call link. */
static void read_person_seat(void *row, sqlite3_stmt *stmt)
{
    struct mg_store_person_seat *s = row;
    struct mg_plenary_row *p = &s->p;
    const char *status = (const char *)sqlite3_column_text(stmt, 15);

    memset(s, 0, sizeof(*s));
    p->id = sqlite3_column_int64(stmt, 0);
    p->circle_id = sqlite3_column_int64(stmt, 1);
    p->title = store_column_strdup(stmt, 2);
    p->guest = store_column_strdup(stmt, 3);
    p->starts_at = sqlite3_column_int64(stmt, 4);
    p->minutes = sqlite3_column_int(stmt, 5);
    p->weeks = sqlite3_column_int(stmt, 6);
    p->capacity = sqlite3_column_int(stmt, 7);
    store_column_copy(p->uid, sizeof(p->uid), stmt, 8);
    p->sequence = sqlite3_column_int(stmt, 9);
    p->status = (enum mg_store_plenary_status)store_column_enum(
        stmt, 10, plenary_names, STORE_N_NAMES(plenary_names));
    p->created_at = sqlite3_column_int64(stmt, 11);
    p->registered = sqlite3_column_int(stmt, 12);
    p->waitlisted = sqlite3_column_int(stmt, 13);
    p->target = sqlite3_column_int(stmt, 14);
    s->status = MG_STORE_SEAT_WITHDRAWN;
    if (status && strcmp(status, "registered") == 0)
        s->status = MG_STORE_SEAT_REGISTERED;
    else if (status && strcmp(status, "waitlisted") == 0)
        s->status = MG_STORE_SEAT_WAITLISTED;
    else if (status && strcmp(status, "declined") == 0)
        s->status = MG_STORE_SEAT_DECLINED;
    s->place = s->status == MG_STORE_SEAT_WAITLISTED
                   ? sqlite3_column_int(stmt, 16)
                   : 0;
    p->call_url = store_column_strdup(stmt, 17);
}

int mg_store_person_seats(struct mg_store_person_seat **out, size_t *n,
                          struct mg_store *st, int64_t circle_id, int64_t pid)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    struct mg_store_person_seat *rows = NULL;
    size_t count = 0;
    /* a waiting person's place: those ahead of them in the queue, + 1 */
    int rc = store_prepare(
        &stmt, st, db,
        "SELECT p.id, p.circle_id, p.title, p.guest, p.starts_at, p.minutes, "
        "p.weeks, p.capacity, p.uid, p.sequence, p.status, p.created_at, "
        "(SELECT count(*) FROM registrations r WHERE r.plenary_id = p.id AND "
        "r.status = 'registered'), (SELECT count(*) FROM registrations r "
        "WHERE r.plenary_id = p.id AND r.status = 'waitlisted'), "
        "coalesce((SELECT t.target FROM plenary_targets t WHERE "
        "t.plenary_id = p.id), 0), g.status, 1 + (SELECT count(*) FROM "
        "registrations w WHERE w.plenary_id = p.id AND w.status = "
        "'waitlisted' AND w.position < g.position) + (SELECT count(*) FROM "
        "registrations w WHERE w.plenary_id = p.id AND w.status = "
        "'waitlisted' AND w.position = g.position AND w.participant_id < "
        "g.participant_id), (SELECT k.call_url FROM plenary_rooms k WHERE "
        "k.plenary_id = p.id) FROM "
        "plenaries p JOIN registrations g ON g.plenary_id = p.id WHERE "
        "p.circle_id = ?1 AND g.participant_id = ?2 ORDER BY p.starts_at, "
        "p.id");

    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, circle_id);
        sqlite3_bind_int64(stmt, 2, pid);
        rc = store_rows_read((void **)&rows, &count, sizeof(*rows), st, db,
                             stmt, read_person_seat, "list a person's seats");
    }
    sqlite3_finalize(stmt);
    store_release(st, db);
    if (rc < 0) {
        mg_store_person_seats_free(rows, count);
        return rc;
    }
    *out = rows;
    *n = count;
    return 0;
}
