/*
 * changes.c: reads scoped to what one change touches (store/changes.h),
 * and a circle's rebalance mark.
 * Lists of ids go to SQLite as one JSON array bound to a single
 * parameter (IN (SELECT value FROM json_each(?))), so each read is one
 * prepared statement whatever the number of ids.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

/* `ids` as a JSON array; the caller releases the buffer. */
static void ids_json(struct mg_buf *b, const int64_t *ids, size_t n)
{
    size_t i;

    mg_buf_add(b, "[", 1);
    for (i = 0; i < n; i++)
        mg_buf_printf(b, "%s%lld", i ? "," : "", (long long)ids[i]);
    mg_buf_add(b, "]", 1);
}

static void read_touched(void *row, sqlite3_stmt *stmt)
{
    struct mg_participant *p = row;
    const unsigned char *s;

    memset(p, 0, sizeof(*p));
    p->id = sqlite3_column_int64(stmt, 0);
    p->circle_id = sqlite3_column_int64(stmt, 1);
    p->name = store_column_strdup(stmt, 2);
    p->email = store_column_strdup(stmt, 3);
    s = sqlite3_column_text(stmt, 4);
    if (!s || mg_person_role_parse(&p->role, (const char *)s) < 0)
        p->role = MG_PERSON_PARTICIPANT;
    s = sqlite3_column_text(stmt, 5);
    if (!s || mg_person_status_parse(&p->status, (const char *)s) < 0)
        p->status = MG_STATUS_ACTIVE;
    p->locked = sqlite3_column_int(stmt, 6);
    p->group_id = sqlite3_column_int64(stmt, 7);
}

static void free_touched(void *rows, size_t n)
{
    mg_participants_free(rows, n);
}

/* Run `sql` with ?1 circle_id, ?2 and ?3 JSON arrays of ids. */
static int read_scoped(void **out, size_t *n, size_t size, struct mg_store *st,
                       const char *sql, int64_t circle_id, const int64_t *a,
                       size_t n_a, const int64_t *b, size_t n_b,
                       void (*read_row)(void *row, sqlite3_stmt *stmt),
                       void (*free_rows)(void *rows, size_t n),
                       const char *what)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    struct mg_buf ja = MG_BUF_INIT, jb = MG_BUF_INIT;
    void *rows = NULL;
    size_t count = 0;
    int rc = store_prepare(&stmt, st, db, sql);

    *out = NULL;
    *n = 0;
    if (rc < 0)
        goto out;
    ids_json(&ja, a, n_a);
    ids_json(&jb, b, n_b);
    sqlite3_bind_int64(stmt, 1, circle_id);
    sqlite3_bind_text(stmt, 2, ja.data, (int)ja.len, SQLITE_STATIC);
    if (sqlite3_bind_parameter_count(stmt) >= 3)
        sqlite3_bind_text(stmt, 3, jb.data, (int)jb.len, SQLITE_STATIC);
    rc = store_rows_read(&rows, &count, size, st, db, stmt, read_row, what);
    if (rc < 0)
        goto out;
    *out = rows;
    *n = count;
    rows = NULL;
out:
    if (rows && free_rows)
        free_rows(rows, count);
    else
        free(rows);
    sqlite3_finalize(stmt);
    mg_buf_release(&ja);
    mg_buf_release(&jb);
    store_release(st, db);
    return rc;
}

int mg_store_people_touched(struct mg_participant **out, size_t *n,
                            struct mg_store *st, int64_t circle_id,
                            const int64_t *person_ids, size_t n_persons,
                            const int64_t *group_ids, size_t n_groups)
{
    return read_scoped(
        (void **)out, n, sizeof(**out), st,
        "SELECT p.id, p.circle_id, p.name, p.email, p.role, p.status, "
        "p.locked, (SELECT m.group_id FROM memberships m WHERE "
        "m.participant_id = p.id AND m.left_at IS NULL) FROM participants p "
        "WHERE p.id IN (SELECT value FROM json_each(?2) UNION SELECT "
        "m.participant_id FROM memberships m WHERE m.left_at IS NULL AND "
        "m.group_id IN (SELECT value FROM json_each(?3)) UNION SELECT "
        "i.participant_id FROM invites i WHERE i.group_id IN (SELECT value "
        "FROM json_each(?3))) AND +p.circle_id = ?1 ORDER BY p.id",
        circle_id, person_ids, n_persons, group_ids, n_groups, read_touched,
        free_touched, "list people touched");
}

int mg_store_invites_of(struct mg_invite_row **out, size_t *n,
                        struct mg_store *st, int64_t circle_id,
                        const int64_t *person_ids, size_t n_persons)
{
    return read_scoped((void **)out, n, sizeof(**out), st,
                       "SELECT " INVITE_COLUMNS " FROM invites WHERE "
                       "circle_id = ?1 AND participant_id IN (SELECT value "
                       "FROM json_each(?2)) ORDER BY id",
                       circle_id, person_ids, n_persons, NULL, 0,
                       store_read_invite, NULL, "list invites of people");
}

static void read_group(void *row, sqlite3_stmt *stmt)
{
    struct mg_group_row *g = row;

    g->id = sqlite3_column_int64(stmt, 0);
    g->position = sqlite3_column_int(stmt, 1);
    g->name = store_column_strdup(stmt, 2);
    g->slot_id = sqlite3_column_int64(stmt, 3);
    g->thread_id = sqlite3_column_int64(stmt, 4);
    g->address = store_column_strdup(stmt, 5);
    g->sequence = sqlite3_column_int(stmt, 6);
    g->updated_at = sqlite3_column_int64(stmt, 7);
    store_column_copy(g->uid, sizeof(g->uid), stmt, 8);
}

static void free_groups(void *rows, size_t n)
{
    mg_store_groups_free(rows, n);
}

int mg_store_groups_get(struct mg_group_row **out, size_t *n,
                        struct mg_store *st, int64_t circle_id,
                        const int64_t *ids, size_t n_ids)
{
    return read_scoped(
        (void **)out, n, sizeof(**out), st,
        "SELECT id, position, name, slot_id, thread_id, address, sequence, "
        "coalesce(updated_at, created_at), coalesce(uid, '') FROM groups "
        "WHERE id IN (SELECT value FROM json_each(?2)) AND +circle_id = ?1 "
        "ORDER BY position",
        circle_id, ids, n_ids, NULL, 0, read_group, free_groups, "get groups");
}

static void read_census(void *row, sqlite3_stmt *stmt)
{
    struct mg_group_census *c = row;

    c->id = sqlite3_column_int64(stmt, 0);
    c->position = sqlite3_column_int(stmt, 1);
    c->slot_id = sqlite3_column_int64(stmt, 2);
    c->thread_id = sqlite3_column_int64(stmt, 3);
    c->size = sqlite3_column_int(stmt, 4);
    c->facilitators = sqlite3_column_int(stmt, 5);
    c->off_slot = sqlite3_column_int(stmt, 6);
}

/*
 * A member is off their group's slot when they named slots of the
 * circle and not that one (no slots named: any slot will do), as the
 * group module's can_make() has it. ?2 is the groups (JSON ids) or NULL
 * for all; ?3 the people whose apart pairs count, or NULL for anyone.
 */
int mg_store_group_census(struct mg_group_census **out, size_t *n,
                          int *apart_together, struct mg_store *st,
                          int64_t circle_id, const int64_t *group_ids,
                          size_t n_groups, const int64_t *person_ids,
                          size_t n_persons)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    struct mg_buf gj = MG_BUF_INIT, pj = MG_BUF_INIT;
    void *rows = NULL;
    size_t count = 0;
    int rc, step;

    *out = NULL;
    *n = 0;
    *apart_together = 0;
    ids_json(&gj, group_ids, n_groups);
    ids_json(&pj, person_ids, n_persons);
    rc = store_prepare(
        &stmt, st, db,
        "SELECT g.id, g.position, coalesce(g.slot_id, 0), "
        "coalesce(g.thread_id, 0), count(p.id), "
        "coalesce(sum(p.role = 'facilitator'), 0), "
        "coalesce(sum(p.id IS NOT NULL AND EXISTS (SELECT 1 FROM "
        "participant_slots s JOIN slots t ON t.id = s.slot_id AND "
        "t.circle_id = g.circle_id WHERE s.participant_id = p.id) AND NOT "
        "EXISTS (SELECT 1 FROM participant_slots s WHERE s.participant_id = "
        "p.id AND s.slot_id = g.slot_id)), 0) FROM groups g LEFT JOIN "
        "memberships m ON m.group_id = g.id AND m.left_at IS NULL LEFT JOIN "
        "participants p ON p.id = m.participant_id AND p.status = 'active' "
        "WHERE g.circle_id = ?1 AND (?2 IS NULL OR g.id IN (SELECT value "
        "FROM json_each(?2))) GROUP BY g.id ORDER BY g.position");
    if (rc < 0)
        goto out;
    sqlite3_bind_int64(stmt, 1, circle_id);
    if (group_ids)
        sqlite3_bind_text(stmt, 2, gj.data, (int)gj.len, SQLITE_STATIC);
    rc = store_rows_read(&rows, &count, sizeof(**out), st, db, stmt,
                         read_census, "count group members");
    sqlite3_finalize(stmt);
    stmt = NULL;
    if (rc < 0)
        goto out;
    /* for some people: the links they made, and those that name them,
     * each found through an index rather than across the circle */
    rc = store_prepare(
        &stmt, st, db,
        person_ids
            ? "SELECT (SELECT count(*) FROM participants a JOIN "
              "participant_links l ON l.participant_id = a.id JOIN "
              "participants b ON b.circle_id = a.circle_id AND b.email_norm "
              "= l.other_email_norm JOIN memberships ma ON ma.participant_id "
              "= a.id AND ma.left_at IS NULL JOIN memberships mb ON "
              "mb.participant_id = b.id AND mb.left_at IS NULL WHERE a.id IN "
              "(SELECT value FROM json_each(?2)) AND +a.circle_id = ?1 AND "
              "l.kind = 'not_with' AND a.status = 'active' AND b.status = "
              "'active' AND ma.group_id = mb.group_id) + (SELECT count(*) "
              "FROM participants b JOIN participant_links l ON "
              "l.other_email_norm = b.email_norm JOIN participants a ON a.id "
              "= l.participant_id AND +a.circle_id = b.circle_id JOIN "
              "memberships ma ON ma.participant_id = a.id AND ma.left_at IS "
              "NULL JOIN memberships mb ON mb.participant_id = b.id AND "
              "mb.left_at IS NULL WHERE b.id IN (SELECT value FROM "
              "json_each(?2)) AND +b.circle_id = ?1 AND l.kind = 'not_with' "
              "AND +a.status = 'active' AND b.status = 'active' AND "
              "ma.group_id = mb.group_id AND a.id NOT IN (SELECT value FROM "
              "json_each(?2)))"
            : "SELECT count(*) FROM participant_links l JOIN participants a "
              "ON a.id = l.participant_id JOIN participants b ON b.circle_id "
              "= a.circle_id AND b.email_norm = l.other_email_norm JOIN "
              "memberships ma ON ma.participant_id = a.id AND ma.left_at IS "
              "NULL JOIN memberships mb ON mb.participant_id = b.id AND "
              "mb.left_at IS NULL WHERE l.kind = 'not_with' AND a.circle_id "
              "= ?1 AND a.status = 'active' AND b.status = 'active' AND "
              "ma.group_id = mb.group_id");
    if (rc < 0)
        goto out;
    sqlite3_bind_int64(stmt, 1, circle_id);
    if (person_ids)
        sqlite3_bind_text(stmt, 2, pj.data, (int)pj.len, SQLITE_STATIC);
    step = sqlite3_step(stmt);
    if (step == SQLITE_ROW)
        *apart_together = sqlite3_column_int(stmt, 0);
    else
        rc = store_fail(st, db, step, "count apart pairs");
out:
    sqlite3_finalize(stmt);
    mg_buf_release(&gj);
    mg_buf_release(&pj);
    store_release(st, db);
    if (rc == 0) {
        *out = rows;
        *n = count;
    } else {
        free(rows);
    }
    return rc;
}

int mg_store_links_naming(size_t *count, struct mg_store *st, int64_t circle_id,
                          const int64_t *person_ids, size_t n_persons)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    struct mg_buf ids = MG_BUF_INIT;
    int rc = store_prepare(
        &stmt, st, db,
        "SELECT count(*) FROM participants b JOIN participant_links l ON "
        "l.other_email_norm = b.email_norm JOIN participants a ON a.id = "
        "l.participant_id AND a.circle_id = b.circle_id WHERE b.id IN "
        "(SELECT value FROM json_each(?2)) AND +b.circle_id = ?1");
    int step;

    *count = 0;
    if (rc == 0) {
        ids_json(&ids, person_ids, n_persons);
        sqlite3_bind_int64(stmt, 1, circle_id);
        sqlite3_bind_text(stmt, 2, ids.data, (int)ids.len, SQLITE_STATIC);
        step = sqlite3_step(stmt);
        if (step == SQLITE_ROW)
            *count = (size_t)sqlite3_column_int64(stmt, 0);
        else
            rc = store_fail(st, db, step, "count links naming people");
    }
    sqlite3_finalize(stmt);
    mg_buf_release(&ids);
    store_release(st, db);
    return rc;
}

int mg_store_mark_get(struct mg_rebalance_mark *m, struct mg_store *st,
                      int64_t circle_id)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT at, participants, smallest, largest, "
                           "group_min, group_max, n_slots, (SELECT "
                           "group_concat(value) FROM json_each(room)), "
                           "max_id, own_memberships, own_groups FROM "
                           "rebalance_marks WHERE circle_id = ?");
    const char *room;

    memset(m, 0, sizeof(*m));
    if (rc < 0)
        goto out;
    sqlite3_bind_int64(stmt, 1, circle_id);
    rc = store_step_row(st, db, stmt, MG_ENOTFOUND, "get rebalance mark");
    if (rc < 0)
        goto out;
    m->at = sqlite3_column_int64(stmt, 0);
    m->participants = sqlite3_column_int64(stmt, 1);
    m->smallest = sqlite3_column_int(stmt, 2);
    m->largest = sqlite3_column_int(stmt, 3);
    m->group_min = sqlite3_column_int(stmt, 4);
    m->group_max = sqlite3_column_int(stmt, 5);
    m->n_slots = sqlite3_column_int(stmt, 6);
    m->max_id = sqlite3_column_int64(stmt, 8);
    m->own_memberships = sqlite3_column_int64(stmt, 9);
    m->own_groups = sqlite3_column_int64(stmt, 10);
    room = (const char *)sqlite3_column_text(stmt, 7);
    while (room && *room && m->n_room < MG_MARK_ROOM) {
        char *end;
        long long id = strtoll(room, &end, 10);
        if (end == room)
            break;
        m->room[m->n_room++] = id;
        room = *end == ',' ? end + 1 : end;
    }
out:
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_mark_set(struct mg_store *st, int64_t circle_id,
                      const struct mg_rebalance_mark *m)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    struct mg_buf room = MG_BUF_INIT;
    int rc = store_prepare(
        &stmt, st, db,
        "INSERT OR REPLACE INTO rebalance_marks (circle_id, at, "
        "participants, smallest, largest, group_min, group_max, n_slots, "
        "room, max_id, own_memberships, own_groups) VALUES (?, ?, ?, ?, ?, "
        "?, ?, ?, ?, ?, ?, ?)");

    if (rc == 0) {
        ids_json(&room, m->room,
                 m->n_room < MG_MARK_ROOM ? m->n_room : MG_MARK_ROOM);
        sqlite3_bind_int64(stmt, 1, circle_id);
        sqlite3_bind_int64(stmt, 2, m->at);
        sqlite3_bind_int64(stmt, 3, m->participants);
        sqlite3_bind_int(stmt, 4, m->smallest);
        sqlite3_bind_int(stmt, 5, m->largest);
        sqlite3_bind_int(stmt, 6, m->group_min);
        sqlite3_bind_int(stmt, 7, m->group_max);
        sqlite3_bind_int(stmt, 8, m->n_slots);
        sqlite3_bind_text(stmt, 9, room.data, (int)room.len, SQLITE_STATIC);
        sqlite3_bind_int64(stmt, 10, m->max_id);
        sqlite3_bind_int64(stmt, 11, m->own_memberships);
        sqlite3_bind_int64(stmt, 12, m->own_groups);
        rc = store_step(st, db, stmt, "set rebalance mark");
    }
    sqlite3_finalize(stmt);
    mg_buf_release(&room);
    store_release(st, db);
    return rc;
}

int mg_store_mark_clear(struct mg_store *st, int64_t circle_id)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "DELETE FROM rebalance_marks WHERE circle_id = ?");

    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, circle_id);
        rc = store_step(st, db, stmt, "clear rebalance mark");
    }
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

static void read_id(void *row, sqlite3_stmt *stmt)
{
    *(int64_t *)row = sqlite3_column_int64(stmt, 0);
}

int mg_store_changed_since(int64_t **people, size_t *n_people, int64_t **groups,
                           size_t *n_groups, struct mg_store_tally *t,
                           struct mg_store *st, int64_t circle_id,
                           const struct mg_rebalance_mark *m)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    void *rows = NULL;
    size_t count = 0;
    int rc, k, step;
    /* ?1 circle, ?2 since, ?3 max_id, ?4 and ?5 the plan's own
     * memberships and groups: people changed, the groups concerned, and
     * how many of the people then are still there. A group created by
     * the plan counts when its calls changed since (updated after it
     * was created). */
    static const char *const sql[] = {
        "SELECT id FROM participants WHERE circle_id = ?1 AND updated_at >= "
        "?2 UNION SELECT m.participant_id FROM memberships m JOIN groups g "
        "ON g.id = m.group_id WHERE +g.circle_id = ?1 AND m.joined_at >= ?2 "
        "AND m.id > ?4 UNION SELECT m.participant_id FROM memberships m JOIN "
        "groups g ON "
        "g.id = m.group_id WHERE +g.circle_id = ?1 AND m.left_at >= ?2",
        "SELECT m.group_id FROM memberships m JOIN groups g ON g.id = "
        "m.group_id WHERE +g.circle_id = ?1 AND m.joined_at >= ?2 AND m.id > "
        "?4 UNION "
        "SELECT m.group_id FROM memberships m JOIN groups g ON g.id = "
        "m.group_id WHERE +g.circle_id = ?1 AND m.left_at >= ?2 UNION SELECT "
        "m.group_id FROM participants p JOIN memberships m INDEXED BY "
        "memberships_current ON m.participant_id = p.id AND m.left_at IS "
        "NULL WHERE p.circle_id = ?1 AND p.updated_at >= ?2 UNION SELECT id "
        "FROM groups WHERE "
        "circle_id = ?1 AND coalesce(updated_at, created_at) >= ?2 AND (id > "
        "?5 OR updated_at > created_at)",
        "SELECT (SELECT count(*) FROM participants WHERE circle_id = ?1 AND "
        "id <= ?3), (SELECT count(*) FROM participants WHERE id > ?3 AND "
        "+circle_id = ?1), (SELECT coalesce(max(rowid), 0) FROM "
        "participants), (SELECT count(*) FROM participants WHERE circle_id = "
        "?1 AND status = 'active'), (SELECT count(*) FROM groups WHERE "
        "circle_id = ?1)"};

    *people = *groups = NULL;
    *n_people = *n_groups = 0;
    memset(t, 0, sizeof(*t));
    for (k = 0, rc = 0; k < 3 && rc == 0; k++) {
        rc = store_prepare(&stmt, st, db, sql[k]);
        if (rc < 0)
            break;
        sqlite3_bind_int64(stmt, 1, circle_id);
        if (k < 2) {
            sqlite3_bind_int64(stmt, 2, m->at);
            sqlite3_bind_int64(stmt, 4, m->own_memberships);
            if (k == 1)
                sqlite3_bind_int64(stmt, 5, m->own_groups);
        } else {
            sqlite3_bind_int64(stmt, 3, m->max_id);
        }
        if (k < 2) {
            rows = NULL;
            count = 0;
            rc = store_rows_read(&rows, &count, sizeof(int64_t), st, db, stmt,
                                 read_id, "list changes");
            if (rc == 0 && k == 0) {
                *people = rows;
                *n_people = count;
            } else if (rc == 0) {
                *groups = rows;
                *n_groups = count;
            }
        } else {
            step = sqlite3_step(stmt);
            if (step == SQLITE_ROW) {
                t->kept = sqlite3_column_int64(stmt, 0);
                t->added = sqlite3_column_int64(stmt, 1);
                t->max_id = sqlite3_column_int64(stmt, 2);
                t->active = sqlite3_column_int64(stmt, 3);
                t->groups = sqlite3_column_int64(stmt, 4);
            } else
                rc = store_fail(st, db, step, "count new people");
        }
        sqlite3_finalize(stmt);
        stmt = NULL;
    }
    store_release(st, db);
    if (rc < 0) {
        free(*people);
        free(*groups);
        *people = *groups = NULL;
        *n_people = *n_groups = 0;
    }
    return rc;
}

int mg_store_circle_counts(int64_t *total, int64_t *active, int64_t *groups,
                           int64_t *max_id, struct mg_store *st,
                           int64_t circle_id)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(
        &stmt, st, db,
        "SELECT (SELECT count(*) FROM participants WHERE circle_id = ?1), "
        "(SELECT count(*) FROM participants WHERE circle_id = ?1 AND status "
        "= 'active'), (SELECT count(*) FROM groups WHERE circle_id = ?1), "
        "(SELECT coalesce(max(id), 0) FROM participants WHERE circle_id = "
        "?1)");
    int step;

    *total = *active = *groups = *max_id = 0;
    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, circle_id);
        step = sqlite3_step(stmt);
        if (step == SQLITE_ROW) {
            *total = sqlite3_column_int64(stmt, 0);
            *active = sqlite3_column_int64(stmt, 1);
            *groups = sqlite3_column_int64(stmt, 2);
            *max_id = sqlite3_column_int64(stmt, 3);
        } else {
            rc = store_fail(st, db, step, "count the circle");
        }
    }
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_mark_own(int64_t *memberships, int64_t *groups,
                      struct mg_store *st)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT (SELECT coalesce(max(rowid), 0) FROM "
                           "memberships), (SELECT coalesce(max(rowid), 0) "
                           "FROM groups)");
    int step;

    *memberships = *groups = 0;
    if (rc == 0) {
        step = sqlite3_step(stmt);
        if (step == SQLITE_ROW) {
            *memberships = sqlite3_column_int64(stmt, 0);
            *groups = sqlite3_column_int64(stmt, 1);
        } else {
            rc = store_fail(st, db, step, "read the highest ids");
        }
    }
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}
