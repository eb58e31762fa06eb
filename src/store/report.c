/*
 * report.c: the rows a circle's success report needs that no other call
 * lists circle-wide: every answer (RSVP) and every attendance row of its
 * sessions, in one query each. The figures are the report module's.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

static void read_mark(void *row, sqlite3_stmt *stmt)
{
    struct mg_mark_row *r = row;

    r->session_id = sqlite3_column_int64(stmt, 0);
    r->participant_id = sqlite3_column_int64(stmt, 1);
    r->status = store_read_rsvp_status(stmt, 2);
    r->present = sqlite3_column_int(stmt, 3);
}

static int list_marks(struct mg_mark_row **out, size_t *n, struct mg_store *st,
                      int64_t circle_id, const char *sql, const char *what)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    struct mg_mark_row *rows = NULL;
    size_t count = 0;
    int rc = store_prepare(&stmt, st, db, sql);

    if (rc < 0)
        goto out;
    sqlite3_bind_int64(stmt, 1, circle_id);
    rc = store_rows_read((void **)&rows, &count, sizeof(*rows), st, db, stmt,
                         read_mark, what);
    if (rc < 0)
        goto out;
    *out = rows;
    *n = count;
    rows = NULL;
out:
    free(rows);
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_report_rsvps(struct mg_mark_row **out, size_t *n,
                          struct mg_store *st, int64_t circle_id)
{
    return list_marks(out, n, st, circle_id,
                      "SELECT r.session_id, r.participant_id, r.status, 0 "
                      "FROM rsvps r JOIN sessions s ON s.id = r.session_id "
                      "WHERE s.circle_id = ? ORDER BY r.session_id, "
                      "r.participant_id",
                      "list answers");
}

int mg_store_report_attendance(struct mg_mark_row **out, size_t *n,
                               struct mg_store *st, int64_t circle_id)
{
    return list_marks(out, n, st, circle_id,
                      "SELECT a.session_id, a.participant_id, '', a.present "
                      "FROM attendance a JOIN sessions s ON "
                      "s.id = a.session_id WHERE s.circle_id = ? ORDER BY "
                      "a.session_id, a.participant_id",
                      "list attendance");
}
