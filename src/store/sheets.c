/*
 * sheets.c: the rows of a circle's spreadsheets, each list in one query
 * (no query per person or group: a 50,000-person circle is read in a
 * handful of statements).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#include "banned.h"

static const char people_sql[] =
    "SELECT p.id, p.name, p.email, CASE WHEN m.role = 'facilitator' THEN "
    "'facilitator' ELSE p.role END, p.sector, p.region, p.time_zone, "
    "p.status, p.locked, coalesce(g.id, 0), g.name, t.title, "
    "coalesce(m.joined_at, 0), p.created_at, coalesce(s.consent_at, 0), "
    "s.consent_version, coalesce(s.volunteer, 0), o.participant_id IS NOT "
    "NULL FROM participants p LEFT JOIN memberships m ON m.participant_id = "
    "p.id AND m.left_at IS NULL LEFT JOIN groups g ON g.id = m.group_id "
    "LEFT JOIN threads t ON t.id = g.thread_id LEFT JOIN signups s ON "
    "s.participant_id = p.id LEFT JOIN reminder_optouts o ON "
    "o.participant_id = p.id WHERE p.circle_id = ?1 ORDER BY p.id";

static const char slots_sql[] =
    "SELECT ps.participant_id, ps.slot_id FROM participant_slots ps JOIN "
    "participants p ON p.id = ps.participant_id WHERE p.circle_id = ?1 "
    "ORDER BY 1, 2";

static const char wishes_sql[] =
    "SELECT w.participant_id, w.thread_id FROM participant_wishes w JOIN "
    "participants p ON p.id = w.participant_id WHERE p.circle_id = ?1 "
    "ORDER BY 1, w.rank";

/* The members and facilitators of each group by memberships_group. */
static const char groups_sql[] =
    "SELECT g.id, g.position, g.name, coalesce(g.slot_id, 0), t.title, "
    "g.address, r.call_url, r.secret, (SELECT count(*) FROM memberships m "
    "WHERE m.group_id = g.id AND m.left_at IS NULL), (SELECT "
    "group_concat(name, '; ') FROM (SELECT p.name AS name FROM memberships "
    "m JOIN participants p ON p.id = m.participant_id WHERE m.group_id = "
    "g.id AND m.left_at IS NULL AND (m.role = 'facilitator' OR p.role = "
    "'facilitator') ORDER BY p.id)), (SELECT group_concat(email, '; ') FROM "
    "(SELECT p.email AS email FROM memberships m JOIN participants p ON "
    "p.id = m.participant_id WHERE m.group_id = g.id AND m.left_at IS NULL "
    "AND (m.role = 'facilitator' OR p.role = 'facilitator') ORDER BY "
    "p.id)), g.created_at FROM groups g LEFT JOIN threads t ON t.id = "
    "g.thread_id LEFT JOIN group_rooms r ON r.group_id = g.id WHERE "
    "g.circle_id = ?1 ORDER BY g.position, g.id";

static const char marks_sql[] =
    "SELECT a.participant_id, 0, a.session_id, 0, 0, a.present, "
    "coalesce(a.minutes, 0) FROM attendance a JOIN sessions s ON s.id = "
    "a.session_id WHERE s.circle_id = ?1 "
    "UNION ALL "
    "SELECT pa.participant_id, 1, 0, pa.plenary_id, pa.week, pa.present, "
    "coalesce(pa.minutes, 0) FROM plenary_attendance pa JOIN plenaries p ON "
    "p.id = pa.plenary_id WHERE p.circle_id = ?1 ORDER BY 1";

static const char rsvps_sql[] =
    "SELECT r.participant_id, p.name, p.email, 0, s.id, coalesce(g.name, "
    "s.title, ''), coalesce(s.week, 0), s.starts_at, r.status, r.source, "
    "r.updated_at FROM rsvps r JOIN sessions s ON s.id = r.session_id JOIN "
    "participants p ON p.id = r.participant_id LEFT JOIN groups g ON g.id = "
    "s.group_id WHERE s.circle_id = ?1 "
    "UNION ALL "
    "SELECT pr.participant_id, p.name, p.email, 1, pl.id, pl.title, "
    "pr.week, pl.starts_at, pr.status, pr.source, pr.updated_at FROM "
    "plenary_rsvps pr JOIN plenaries pl ON pl.id = pr.plenary_id JOIN "
    "participants p ON p.id = pr.participant_id WHERE pl.circle_id = ?1 "
    "ORDER BY 1, 4, 8, 7";

static void read_person(void *row, sqlite3_stmt *stmt)
{
    struct mg_sheet_person *p = row;

    p->id = sqlite3_column_int64(stmt, 0);
    p->name = store_column_strdup(stmt, 1);
    p->email = store_column_strdup(stmt, 2);
    p->role = store_column_strdup(stmt, 3);
    p->sector = store_column_strdup(stmt, 4);
    p->region = store_column_strdup(stmt, 5);
    p->time_zone = store_column_strdup(stmt, 6);
    p->status = store_column_strdup(stmt, 7);
    p->locked = sqlite3_column_int(stmt, 8);
    p->group_id = sqlite3_column_int64(stmt, 9);
    p->group_name = store_column_strdup(stmt, 10);
    p->thread_title = store_column_strdup(stmt, 11);
    p->joined_at = sqlite3_column_int64(stmt, 12);
    p->created_at = sqlite3_column_int64(stmt, 13);
    p->consent_at = sqlite3_column_int64(stmt, 14);
    p->consent_version = store_column_strdup(stmt, 15);
    p->volunteer = sqlite3_column_int(stmt, 16);
    p->reminders_off = sqlite3_column_int(stmt, 17);
}

static void read_pair(void *row, sqlite3_stmt *stmt)
{
    struct mg_sheet_pair *p = row;

    p->person_id = sqlite3_column_int64(stmt, 0);
    p->id = sqlite3_column_int64(stmt, 1);
}

static void read_group(void *row, sqlite3_stmt *stmt)
{
    struct mg_sheet_group *g = row;

    g->id = sqlite3_column_int64(stmt, 0);
    g->position = sqlite3_column_int(stmt, 1);
    g->name = store_column_strdup(stmt, 2);
    g->slot_id = sqlite3_column_int64(stmt, 3);
    g->thread_title = store_column_strdup(stmt, 4);
    g->address = store_column_strdup(stmt, 5);
    g->call_url = store_column_strdup(stmt, 6);
    g->secret = store_column_strdup(stmt, 7);
    g->members = sqlite3_column_int(stmt, 8);
    g->facilitators = store_column_strdup(stmt, 9);
    g->facilitator_emails = store_column_strdup(stmt, 10);
    g->created_at = sqlite3_column_int64(stmt, 11);
}

static void read_mark(void *row, sqlite3_stmt *stmt)
{
    struct mg_sheet_mark *m = row;

    m->person_id = sqlite3_column_int64(stmt, 0);
    m->plenary = sqlite3_column_int(stmt, 1);
    m->session_id = sqlite3_column_int64(stmt, 2);
    m->plenary_id = sqlite3_column_int64(stmt, 3);
    m->week = sqlite3_column_int(stmt, 4);
    m->present = sqlite3_column_int(stmt, 5) != 0;
    m->minutes = sqlite3_column_int(stmt, 6);
}

static void read_rsvp(void *row, sqlite3_stmt *stmt)
{
    struct mg_sheet_rsvp *r = row;

    r->person_id = sqlite3_column_int64(stmt, 0);
    r->name = store_column_strdup(stmt, 1);
    r->email = store_column_strdup(stmt, 2);
    r->plenary = sqlite3_column_int(stmt, 3);
    r->call_id = sqlite3_column_int64(stmt, 4);
    r->title = store_column_strdup(stmt, 5);
    r->week = sqlite3_column_int(stmt, 6);
    r->starts_at = sqlite3_column_int64(stmt, 7);
    r->status = store_column_strdup(stmt, 8);
    r->source = store_column_strdup(stmt, 9);
    r->updated_at = sqlite3_column_int64(stmt, 10);
}

static void free_people(void *rows, size_t n)
{
    mg_store_sheet_people_free(rows, n);
}

static void free_groups(void *rows, size_t n)
{
    mg_store_sheet_groups_free(rows, n);
}

static void free_rsvps(void *rows, size_t n)
{
    mg_store_sheet_rsvps_free(rows, n);
}

int mg_store_sheet_people(struct mg_sheet_person **out, size_t *n,
                          struct mg_store *st, int64_t circle_id)
{
    return store_list_by_id((void **)out, n, sizeof(**out), st, people_sql,
                            circle_id, read_person, free_people,
                            "list the roster");
}

int mg_store_sheet_slots(struct mg_sheet_pair **out, size_t *n,
                         struct mg_store *st, int64_t circle_id)
{
    return store_list_by_id((void **)out, n, sizeof(**out), st, slots_sql,
                            circle_id, read_pair, NULL,
                            "list the roster's slots");
}

int mg_store_sheet_wishes(struct mg_sheet_pair **out, size_t *n,
                          struct mg_store *st, int64_t circle_id)
{
    return store_list_by_id((void **)out, n, sizeof(**out), st, wishes_sql,
                            circle_id, read_pair, NULL,
                            "list the roster's wishes");
}

int mg_store_sheet_groups(struct mg_sheet_group **out, size_t *n,
                          struct mg_store *st, int64_t circle_id)
{
    return store_list_by_id((void **)out, n, sizeof(**out), st, groups_sql,
                            circle_id, read_group, free_groups,
                            "list the groups' sheet");
}

int mg_store_sheet_marks(struct mg_sheet_mark **out, size_t *n,
                         struct mg_store *st, int64_t circle_id)
{
    return store_list_by_id((void **)out, n, sizeof(**out), st, marks_sql,
                            circle_id, read_mark, NULL,
                            "list the attendance marks");
}

int mg_store_sheet_rsvps(struct mg_sheet_rsvp **out, size_t *n,
                         struct mg_store *st, int64_t circle_id)
{
    return store_list_by_id((void **)out, n, sizeof(**out), st, rsvps_sql,
                            circle_id, read_rsvp, free_rsvps,
                            "list the answers");
}

void mg_store_sheet_people_free(struct mg_sheet_person *rows, size_t n)
{
    size_t i;

    for (i = 0; rows && i < n; i++) {
        free(rows[i].name);
        free(rows[i].email);
        free(rows[i].role);
        free(rows[i].sector);
        free(rows[i].region);
        free(rows[i].time_zone);
        free(rows[i].status);
        free(rows[i].group_name);
        free(rows[i].thread_title);
        free(rows[i].consent_version);
    }
    free(rows);
}

void mg_store_sheet_groups_free(struct mg_sheet_group *rows, size_t n)
{
    size_t i;

    for (i = 0; rows && i < n; i++) {
        free(rows[i].name);
        free(rows[i].thread_title);
        free(rows[i].address);
        free(rows[i].call_url);
        free(rows[i].secret);
        free(rows[i].facilitators);
        free(rows[i].facilitator_emails);
    }
    free(rows);
}

void mg_store_sheet_rsvps_free(struct mg_sheet_rsvp *rows, size_t n)
{
    size_t i;

    for (i = 0; rows && i < n; i++) {
        free(rows[i].name);
        free(rows[i].email);
        free(rows[i].title);
        free(rows[i].status);
        free(rows[i].source);
    }
    free(rows);
}
