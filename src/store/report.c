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
    return store_list_by_id((void **)out, n, sizeof(**out), st, sql, circle_id,
                            read_mark, NULL, what);
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
