/*
 * participation.c: the people of a circle and the calls each was marked
 * present at, in two queries whatever the circle's size (no query per
 * person).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#include "banned.h"

static const char people_sql[] =
    "SELECT p.id, p.name, p.status, coalesce(m.role = 'facilitator', 0) OR "
    "p.role = 'facilitator' COLLATE NOCASE, coalesce(g.id, 0), g.name, "
    "t.title FROM participants p LEFT JOIN memberships m ON "
    "m.participant_id = p.id AND m.left_at IS NULL LEFT JOIN groups g ON "
    "g.id = m.group_id LEFT JOIN threads t ON t.id = g.thread_id WHERE "
    "p.circle_id = ?1 AND (?2 = 0 OR p.id = ?2) ORDER BY p.id";

static const char calls_sql[] =
    "SELECT a.participant_id, 0, s.id, 0, coalesce(s.week, 0), s.starts_at, "
    "s.minutes, coalesce(a.minutes, 0), coalesce(g.name, s.title, '') FROM "
    "attendance a JOIN sessions s ON s.id = a.session_id LEFT JOIN groups g "
    "ON g.id = s.group_id WHERE s.circle_id = ?1 AND a.present = 1 AND "
    "s.status != 'cancelled' AND (?2 = 0 OR a.participant_id = ?2) "
    "UNION ALL "
    "SELECT pa.participant_id, 1, 0, p.id, pa.week, p.starts_at, p.minutes, "
    "coalesce(pa.minutes, 0), p.title FROM plenary_attendance pa JOIN "
    "plenaries p ON p.id = pa.plenary_id WHERE p.circle_id = ?1 AND "
    "pa.present = 1 AND (?2 = 0 OR pa.participant_id = ?2) "
    "ORDER BY 1, 6, 5";

static void read_person(void *row, sqlite3_stmt *stmt)
{
    struct mg_store_part_person *p = row;

    p->id = sqlite3_column_int64(stmt, 0);
    p->name = store_column_strdup(stmt, 1);
    store_column_copy(p->status, sizeof(p->status), stmt, 2);
    p->facilitator = sqlite3_column_int(stmt, 3) != 0;
    p->group_id = sqlite3_column_int64(stmt, 4);
    p->group_name = store_column_strdup(stmt, 5);
    p->thread_title = store_column_strdup(stmt, 6);
}

static void read_call(void *row, sqlite3_stmt *stmt)
{
    struct mg_store_part_call *c = row;

    c->person_id = sqlite3_column_int64(stmt, 0);
    c->plenary = sqlite3_column_int(stmt, 1);
    c->session_id = sqlite3_column_int64(stmt, 2);
    c->plenary_id = sqlite3_column_int64(stmt, 3);
    c->week = sqlite3_column_int(stmt, 4);
    c->starts_at = sqlite3_column_int64(stmt, 5);
    c->scheduled = sqlite3_column_int(stmt, 6);
    c->reported = sqlite3_column_int(stmt, 7);
    c->title = store_column_strdup(stmt, 8);
}

/* Every row of `sql` with ?1 the circle and ?2 the person (0: all). */
static int list2(void **out, size_t *n, size_t size, struct mg_store *st,
                 const char *sql, int64_t circle_id, int64_t person_id,
                 void (*read_row)(void *row, sqlite3_stmt *stmt),
                 const char *what)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db, sql);

    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, circle_id);
        sqlite3_bind_int64(stmt, 2, person_id);
        rc = store_rows_read(out, n, size, st, db, stmt, read_row, what);
    }
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_participation_people(struct mg_store_part_person **out, size_t *n,
                                  struct mg_store *st, int64_t circle_id,
                                  int64_t person_id)
{
    void *rows = NULL;
    size_t count = 0;
    int rc = list2(&rows, &count, sizeof(**out), st, people_sql, circle_id,
                   person_id, read_person, "list participation people");

    if (rc < 0) {
        mg_store_part_people_free(rows, count);
        return rc;
    }
    if (person_id != 0 && count == 0) {
        free(rows);
        return MG_ENOTFOUND;
    }
    *out = rows;
    *n = count;
    return 0;
}

int mg_store_participation_calls(struct mg_store_part_call **out, size_t *n,
                                 struct mg_store *st, int64_t circle_id,
                                 int64_t person_id)
{
    void *rows = NULL;
    size_t count = 0;
    int rc = list2(&rows, &count, sizeof(**out), st, calls_sql, circle_id,
                   person_id, read_call, "list participation calls");

    if (rc < 0) {
        mg_store_part_calls_free(rows, count);
        return rc;
    }
    *out = rows;
    *n = count;
    return 0;
}

void mg_store_part_people_free(struct mg_store_part_person *rows, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(rows[i].name);
        free(rows[i].group_name);
        free(rows[i].thread_title);
    }
    free(rows);
}

void mg_store_part_calls_free(struct mg_store_part_call *rows, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        free(rows[i].title);
    free(rows);
}
