/*
 * changes.c: reads scoped to what one change touches (store/changes.h).
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
        "WHERE p.circle_id = ?1 AND (p.id IN (SELECT value FROM json_each(?2)) "
        "OR p.id IN (SELECT m.participant_id FROM memberships m WHERE "
        "m.left_at IS NULL AND m.group_id IN (SELECT value FROM "
        "json_each(?3))) OR p.id IN (SELECT i.participant_id FROM invites i "
        "WHERE i.group_id IN (SELECT value FROM json_each(?3)))) ORDER BY p.id",
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
        "WHERE circle_id = ?1 AND id IN (SELECT value FROM json_each(?2)) "
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
 * group module's can_make() has it.
 */
int mg_store_group_census(struct mg_group_census **out, size_t *n,
                          int *apart_together, struct mg_store *st,
                          int64_t circle_id)
{
    sqlite3 *db;
    sqlite3_stmt *stmt = NULL;
    int rc, step;

    *apart_together = 0;
    rc = store_list_by_id(
        (void **)out, n, sizeof(**out), st,
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
        "WHERE g.circle_id = ? GROUP BY g.id ORDER BY g.position",
        circle_id, read_census, NULL, "count group members");
    if (rc < 0)
        return rc;
    db = store_acquire(st);
    rc = store_prepare(
        &stmt, st, db,
        "SELECT count(*) FROM participant_links l JOIN participants a ON "
        "a.id = l.participant_id JOIN participants b ON b.circle_id = "
        "a.circle_id AND b.email_norm = l.other_email_norm JOIN memberships "
        "ma ON ma.participant_id = a.id AND ma.left_at IS NULL JOIN "
        "memberships mb ON mb.participant_id = b.id AND mb.left_at IS NULL "
        "WHERE l.kind = 'not_with' AND a.circle_id = ? AND a.status = "
        "'active' AND b.status = 'active' AND ma.group_id = mb.group_id");
    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, circle_id);
        step = sqlite3_step(stmt);
        if (step == SQLITE_ROW)
            *apart_together = sqlite3_column_int(stmt, 0);
        else
            rc = store_fail(st, db, step, "count apart pairs");
    }
    sqlite3_finalize(stmt);
    store_release(st, db);
    if (rc < 0) {
        free(*out);
        *out = NULL;
        *n = 0;
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
        "SELECT count(*) FROM participant_links l JOIN participants a ON "
        "a.id = l.participant_id WHERE a.circle_id = ?1 AND "
        "l.other_email_norm IN (SELECT email_norm FROM participants WHERE "
        "circle_id = ?1 AND id IN (SELECT value FROM json_each(?2)))");
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
