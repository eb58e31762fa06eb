/*
 * attendance.c: who came to each session, as imported from a video
 * platform's report. Reading and matching the report is the attendance
 * module's job; this file only replaces and lists a session's rows.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

int mg_store_attendance_replace(struct mg_store *st, int64_t session_id,
                                const struct mg_attendance_row *rows, size_t n)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *del = NULL, *ins = NULL;
    size_t i;
    int rc = store_begin(st, db);

    if (rc == 0)
        rc = store_prepare(&del, st, db,
                           "DELETE FROM attendance WHERE session_id = ?");
    if (rc == 0)
        rc = store_prepare(&ins, st, db,
                           "INSERT INTO attendance (session_id, "
                           "participant_id, present, minutes, source, "
                           "recorded_at) VALUES (?, ?, ?, ?, ?, ?)");
    if (rc == 0) {
        sqlite3_bind_int64(del, 1, session_id);
        rc = store_step(st, db, del, "clear attendance");
    }
    for (i = 0; rc == 0 && i < n; i++) {
        sqlite3_bind_int64(ins, 1, session_id);
        sqlite3_bind_int64(ins, 2, rows[i].participant_id);
        sqlite3_bind_int(ins, 3, rows[i].present ? 1 : 0);
        sqlite3_bind_int(ins, 4, rows[i].minutes);
        sqlite3_bind_text(ins, 5, rows[i].source, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(ins, 6, rows[i].recorded_at);
        rc = store_step(st, db, ins, "insert attendance");
    }
    if (rc == 0)
        rc = store_commit(st, db);
    if (rc < 0)
        store_rollback(db);
    sqlite3_finalize(del);
    sqlite3_finalize(ins);
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

static void free_attendance(void *rows, size_t n)
{
    mg_store_attendance_free(rows, n);
}

int mg_store_attendance_list(struct mg_attendance_row **out, size_t *n,
                             struct mg_store *st, int64_t session_id)
{
    return store_list_by_id(
        (void **)out, n, sizeof(**out), st,
        "SELECT a.participant_id, a.present, a.minutes, a.source, "
        "a.recorded_at, p.name FROM attendance a JOIN participants p ON "
        "p.id = a.participant_id WHERE a.session_id = ? ORDER BY "
        "a.participant_id",
        session_id, read_attendance, free_attendance, "list attendance");
}

void mg_store_attendance_free(struct mg_attendance_row *rows, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        free(rows[i].name);
    free(rows);
}
