/*
 * groups.c: a circle's groups and who is in them. Memberships are never
 * rewritten in place: moving someone closes their membership (left_at)
 * and opens another, so a coordinator can see who moved and when.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

void mg_store_groups_free(struct mg_group_row *rows, size_t n)
{
    size_t i;

    for (i = 0; rows && i < n; i++) {
        free(rows[i].name);
        free(rows[i].address);
    }
    free(rows);
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
    snprintf(g->uid, sizeof(g->uid), "%s",
             (const char *)sqlite3_column_text(stmt, 8));
}

static void free_groups(void *rows, size_t n)
{
    mg_store_groups_free(rows, n);
}

int mg_store_groups_list(struct mg_group_row **out, size_t *n,
                         struct mg_store *st, int64_t circle_id)
{
    return store_list_by_id((void **)out, n, sizeof(**out), st,
                            "SELECT id, position, name, slot_id, thread_id, "
                            "address, sequence, coalesce(updated_at, "
                            "created_at), coalesce(uid, '') FROM groups WHERE "
                            "circle_id = ? ORDER BY position",
                            circle_id, read_group, free_groups, "list groups");
}

int mg_store_group_get(struct mg_group_row **out, struct mg_store *st,
                       int64_t circle_id, int64_t group_id)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT id, position, name, slot_id, thread_id, "
                           "address, sequence, coalesce(updated_at, "
                           "created_at), coalesce(uid, '') FROM groups WHERE "
                           "circle_id = ? AND id = ?");

    *out = NULL;
    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, circle_id);
        sqlite3_bind_int64(stmt, 2, group_id);
        rc = store_step_row(st, db, stmt, MG_ENOTFOUND, "get group");
    }
    if (rc == 0) {
        *out = mg_xcalloc(1, sizeof(**out));
        read_group(*out, stmt);
    }
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

#define INSERT_GROUP                                                           \
    "INSERT INTO groups (circle_id, position, name, slot_id, thread_id, "      \
    "address, created_at, uid, updated_at, id) VALUES (?, ?, ?, ?, ?, ?, ?, "  \
    "?, ?, ?)"
#define LEAVE_GROUP                                                            \
    "UPDATE memberships SET left_at = ? WHERE participant_id = ? AND "         \
    "left_at IS NULL"
/* The group must belong to the circle: the SELECT finds nothing otherwise
 * and the insert adds no row, which move_member() catches. */
#define JOIN_GROUP                                                             \
    "INSERT INTO memberships (group_id, participant_id, joined_at) SELECT "    \
    "g.id, p.id, ? FROM groups g JOIN participants p ON p.circle_id = "        \
    "g.circle_id WHERE g.id = ? AND p.id = ? AND g.circle_id = ?"

/* Insert group `g` (INSERT_GROUP in `ins`) with id `id` (0: SQLite's
 * next), giving it a uid if it has none; its id and updated_at are
 * filled in. */
static int insert_group(struct mg_store *st, sqlite3 *db, sqlite3_stmt *ins,
                        int64_t circle_id, struct mg_group_row *g, int64_t id,
                        int64_t now)
{
    int rc;

    sqlite3_bind_int64(ins, 1, circle_id);
    sqlite3_bind_int(ins, 2, g->position);
    sqlite3_bind_text(ins, 3, g->name, -1, SQLITE_STATIC);
    if (g->slot_id)
        sqlite3_bind_int64(ins, 4, g->slot_id);
    else
        sqlite3_bind_null(ins, 4);
    if (g->thread_id)
        sqlite3_bind_int64(ins, 5, g->thread_id);
    else
        sqlite3_bind_null(ins, 5);
    store_bind_text_or_null(ins, 6, g->address);
    sqlite3_bind_int64(ins, 7, now);
    if (!g->uid[0]) {
        unsigned char raw[16];

        mg_random_bytes(raw, sizeof(raw));
        mg_hex(g->uid, raw, sizeof(raw));
    }
    sqlite3_bind_text(ins, 8, g->uid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(ins, 9, now);
    if (id)
        sqlite3_bind_int64(ins, 10, id);
    else
        sqlite3_bind_null(ins, 10);
    g->updated_at = now;
    rc = store_step(st, db, ins, "insert group");
    g->id = sqlite3_last_insert_rowid(db);
    sqlite3_clear_bindings(ins);
    /* its call room, with a random part of its own */
    if (rc == 0)
        rc = store_group_room_add(st, db, g->id, NULL, NULL);
    return rc;
}

/* End participant `pid`'s current membership (LEAVE_GROUP in `leave`) and,
 * unless `to` is 0, start one in group `to` (JOIN_GROUP in `join`):
 * MG_ENOTFOUND when that group is not the circle's. */
static int move_member(struct mg_store *st, sqlite3 *db, sqlite3_stmt *leave,
                       sqlite3_stmt *join, int64_t circle_id, int64_t pid,
                       int64_t to, int64_t now)
{
    int rc;

    sqlite3_bind_int64(leave, 1, now);
    sqlite3_bind_int64(leave, 2, pid);
    rc = store_step(st, db, leave, "leave group");
    if (rc < 0 || !to)
        return rc;
    sqlite3_bind_int64(join, 1, now);
    sqlite3_bind_int64(join, 2, to);
    sqlite3_bind_int64(join, 3, pid);
    sqlite3_bind_int64(join, 4, circle_id);
    rc = store_step(st, db, join, "join group");
    if (rc == 0 && sqlite3_changes(db) == 0)
        rc = MG_ENOTFOUND;
    return rc;
}

/* A live token or secret of a group about to be replaced. */
struct held_secret {
    int64_t id, group_id;
    int api;
};

static void read_held(void *row, sqlite3_stmt *stmt)
{
    struct held_secret *h = row;

    h->id = sqlite3_column_int64(stmt, 0);
    h->group_id = sqlite3_column_int64(stmt, 1);
    h->api = sqlite3_column_int(stmt, 2);
}

/* Take the circle's groups' live tokens off their groups (so deleting
 * the groups leaves them), into *held. */
static int detach_secrets(struct held_secret **held, size_t *n_held,
                          struct mg_store *st, sqlite3 *db, int64_t circle_id)
{
    sqlite3_stmt *sel = NULL, *upd = NULL;
    int rc = store_prepare(&sel, st, db,
                           "SELECT id, group_id, kind = 'api' FROM tokens "
                           "WHERE revoked_at IS NULL AND group_id IN (SELECT "
                           "id FROM groups WHERE circle_id = ?1) ORDER BY id");

    if (rc == 0) {
        sqlite3_bind_int64(sel, 1, circle_id);
        rc = store_rows_read((void **)held, n_held, sizeof(**held), st, db, sel,
                             read_held, "read group secrets");
    }
    if (rc == 0)
        rc = store_prepare(&upd, st, db,
                           "UPDATE tokens SET group_id = NULL WHERE "
                           "revoked_at IS NULL AND group_id IN (SELECT id "
                           "FROM groups WHERE circle_id = ?1)");
    if (rc == 0) {
        sqlite3_bind_int64(upd, 1, circle_id);
        rc = store_step(st, db, upd, "detach group secrets");
    }
    sqlite3_finalize(sel);
    sqlite3_finalize(upd);
    return rc;
}

static void read_held_room(void *row, sqlite3_stmt *stmt)
{
    struct mg_group_room *r = row;

    r->group_id = sqlite3_column_int64(stmt, 0);
    r->call_url = store_column_strdup(stmt, 1);
    store_column_copy(r->secret, sizeof(r->secret), stmt, 2);
}

/* The circle's groups' call rooms, before they are replaced. */
static int hold_rooms(struct mg_group_room **held, size_t *n,
                      struct mg_store *st, sqlite3 *db, int64_t circle_id)
{
    sqlite3_stmt *sel = NULL;
    int rc = store_prepare(&sel, st, db,
                           "SELECT r.group_id, r.call_url, r.secret FROM "
                           "group_rooms r JOIN groups g ON g.id = r.group_id "
                           "WHERE g.circle_id = ?1 ORDER BY r.group_id");

    if (rc == 0) {
        sqlite3_bind_int64(sel, 1, circle_id);
        rc = store_rows_read((void **)held, n, sizeof(**held), st, db, sel,
                             read_held_room, "read group rooms");
    }
    sqlite3_finalize(sel);
    return rc;
}

/*
 * A replaced group's call room goes where its secrets go (its
 * facilitator's new group, else where most of its members went): the
 * same room name and own link, so the calls people saved still work.
 * A new group takes one room only (the first that goes to it): two
 * groups never share one.
 */
static int carry_rooms(struct mg_store *st, sqlite3 *db,
                       const struct mg_group_room *held, size_t n_held,
                       const struct mg_group_row *groups, size_t n_groups,
                       const struct mg_group_carry *carry, size_t n_carry)
{
    char *taken = mg_xcalloc(n_groups + 1, 1);
    size_t i;
    int rc = 0;

    for (i = 0; rc == 0 && i < n_carry; i++) {
        const struct mg_group_room *r =
            mg_store_group_room_find(held, n_held, carry[i].old_id);
        int to =
            carry[i].to_person >= 0 ? carry[i].to_person : carry[i].to_members;

        if (!r || to < 0 || (size_t)to >= n_groups || taken[to])
            continue;
        taken[to] = 1;
        rc =
            store_group_room_add(st, db, groups[to].id, r->call_url, r->secret);
    }
    free(taken);
    return rc;
}

/* Point each held secret at its group's successor, or revoke it. */
static int attach_secrets(struct mg_store *st, sqlite3 *db,
                          const struct held_secret *held, size_t n_held,
                          const struct mg_group_row *groups, size_t n_groups,
                          const struct mg_group_carry *carry, size_t n_carry,
                          int64_t now)
{
    sqlite3_stmt *move = NULL, *revoke = NULL;
    size_t i, j;
    int rc = store_prepare(&move, st, db,
                           "UPDATE tokens SET group_id = ?1 WHERE id = ?2");

    if (rc == 0)
        rc = store_prepare(&revoke, st, db,
                           "UPDATE tokens SET revoked_at = ?1 WHERE id = ?2");
    for (i = 0; rc == 0 && i < n_held; i++) {
        int to = -1;

        for (j = 0; j < n_carry; j++)
            if (carry[j].old_id == held[i].group_id)
                break;
        if (j < n_carry) {
            to = carry[j].to_person;
            if (to < 0 && !held[i].api)
                to = carry[j].to_members;
        }
        if (to >= 0 && (size_t)to < n_groups) {
            sqlite3_bind_int64(move, 1, groups[to].id);
            sqlite3_bind_int64(move, 2, held[i].id);
            rc = store_step(st, db, move, "carry group secret");
        } else {
            sqlite3_bind_int64(revoke, 1, now);
            sqlite3_bind_int64(revoke, 2, held[i].id);
            rc = store_step(st, db, revoke, "revoke group secret");
        }
    }
    sqlite3_finalize(move);
    sqlite3_finalize(revoke);
    return rc;
}

/* The highest group id in the file, 0 when there is none. */
static int max_group_id(int64_t *top, struct mg_store *st, sqlite3 *db)
{
    sqlite3_stmt *q = NULL;
    int rc =
        store_prepare(&q, st, db, "SELECT coalesce(max(id), 0) FROM groups");

    if (rc == 0)
        rc = store_step_row(st, db, q, MG_EIO, "highest group id");
    if (rc == 0)
        *top = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return rc;
}

int mg_store_groups_replace(struct mg_store *st, int64_t circle_id,
                            struct mg_group_row *groups, size_t n_groups,
                            const int64_t *participant_ids,
                            const int *group_index, size_t n_people)
{
    return mg_store_groups_replace_carry(st, circle_id, groups, n_groups,
                                         participant_ids, group_index, n_people,
                                         NULL, 0);
}

int mg_store_groups_replace_carry(struct mg_store *st, int64_t circle_id,
                                  struct mg_group_row *groups, size_t n_groups,
                                  const int64_t *participant_ids,
                                  const int *group_index, size_t n_people,
                                  const struct mg_group_carry *carry,
                                  size_t n_carry)
{
    struct held_secret *held = NULL;
    struct mg_group_room *rooms = NULL;
    size_t n_held = 0, n_rooms = 0;
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *del = NULL, *ins = NULL, *mem = NULL;
    int64_t now = mg_now(), top = 0;
    size_t i;
    int rc = store_begin(st, db);

    if (rc == 0)
        rc = store_prepare(&del, st, db,
                           "DELETE FROM groups WHERE circle_id = ?");
    if (rc == 0)
        rc = store_prepare(&ins, st, db, INSERT_GROUP);
    if (rc == 0)
        rc = store_prepare(&mem, st, db,
                           "INSERT INTO memberships (group_id, "
                           "participant_id, joined_at) VALUES (?, ?, ?)");
    if (rc == 0 && carry)
        rc = detach_secrets(&held, &n_held, st, db, circle_id);
    if (rc == 0 && carry)
        rc = hold_rooms(&rooms, &n_rooms, st, db, circle_id);
    /* New groups are new series: their ids are above every id in use
     * now, the old groups' included, so nothing that keeps a group id
     * (a member's invitation, a mark) takes a new group for an old one. */
    if (rc == 0)
        rc = max_group_id(&top, st, db);
    if (rc == 0) {
        sqlite3_bind_int64(del, 1, circle_id);
        rc = store_step(st, db, del, "delete groups");
    }
    for (i = 0; rc == 0 && i < n_groups; i++) {
        rc = insert_group(st, db, ins, circle_id, &groups[i],
                          top + 1 + (int64_t)i, now);
    }
    for (i = 0; rc == 0 && i < n_people; i++) {
        if (group_index[i] < 0)
            continue;
        sqlite3_bind_int64(mem, 1, groups[group_index[i]].id);
        sqlite3_bind_int64(mem, 2, participant_ids[i]);
        sqlite3_bind_int64(mem, 3, now);
        rc = store_step(st, db, mem, "insert membership");
    }
    if (rc == 0 && n_held)
        rc = attach_secrets(st, db, held, n_held, groups, n_groups, carry,
                            n_carry, now);
    if (rc == 0 && n_rooms)
        rc = carry_rooms(st, db, rooms, n_rooms, groups, n_groups, carry,
                         n_carry);
    if (rc == 0)
        rc = store_commit(st, db);
    if (rc < 0)
        store_rollback(db);
    sqlite3_finalize(del);
    sqlite3_finalize(ins);
    sqlite3_finalize(mem);
    store_release(st, db);
    free(held);
    mg_store_group_rooms_free(rooms, n_rooms);
    return rc;
}

int mg_store_memberships_move(struct mg_store *st, int64_t circle_id,
                              const int64_t *participant_ids,
                              const int64_t *group_ids, size_t n)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *leave = NULL, *join = NULL;
    int64_t now = mg_now();
    size_t i;
    int rc = store_begin(st, db);

    if (rc == 0)
        rc = store_prepare(&leave, st, db, LEAVE_GROUP);
    if (rc == 0)
        rc = store_prepare(&join, st, db, JOIN_GROUP);
    for (i = 0; rc == 0 && i < n; i++)
        rc = move_member(st, db, leave, join, circle_id, participant_ids[i],
                         group_ids[i], now);
    if (rc == 0)
        rc = store_commit(st, db);
    if (rc < 0)
        store_rollback(db);
    sqlite3_finalize(leave);
    sqlite3_finalize(join);
    store_release(st, db);
    return rc;
}

/* The group id a carry target names: added[index], or `id` (0: none). */
static int64_t carry_target(const struct mg_group_row *added, size_t n_added,
                            int index, int64_t id)
{
    if (index >= 0 && (size_t)index < n_added)
        return added[index].id;
    return id;
}

/* Move dissolved group `old`'s live tokens and secrets as `c` says (NULL:
 * nowhere), revoking what has nowhere to go, before it is deleted. */
static int carry_dissolved(struct mg_store *st, sqlite3 *db, sqlite3_stmt *move,
                           sqlite3_stmt *revoke, int64_t old,
                           const struct mg_group_carry *c,
                           const struct mg_group_row *added, size_t n_added,
                           int64_t now)
{
    int64_t person =
        c ? carry_target(added, n_added, c->to_person, c->person_group_id) : 0;
    int64_t members =
        c ? carry_target(added, n_added, c->to_members, c->members_group_id)
          : 0;
    int rc = 0;

    if (person) {
        sqlite3_bind_int64(move, 1, person);
        sqlite3_bind_int64(move, 2, old);
        sqlite3_bind_int(move, 3, 1);
        rc = store_step(st, db, move, "carry group tokens");
    }
    if (rc == 0 && members) {
        sqlite3_bind_int64(move, 1, members);
        sqlite3_bind_int64(move, 2, old);
        sqlite3_bind_int(move, 3, 0);
        rc = store_step(st, db, move, "carry group secrets");
    }
    if (rc == 0) {
        sqlite3_bind_int64(revoke, 1, now);
        sqlite3_bind_int64(revoke, 2, old);
        rc = store_step(st, db, revoke, "revoke group secrets");
    }
    return rc;
}

int mg_store_groups_rebalance(struct mg_store *st, int64_t circle_id,
                              struct mg_group_row *added, size_t n_added,
                              const int64_t *dissolved, size_t n_dissolved,
                              const int64_t *participant_ids,
                              const int64_t *group_ids, const int *added_index,
                              size_t n)
{
    return mg_store_groups_rebalance_carry(
        st, circle_id, added, n_added, dissolved, n_dissolved, participant_ids,
        group_ids, added_index, n, NULL, 0);
}

int mg_store_groups_rebalance_carry(
    struct mg_store *st, int64_t circle_id, struct mg_group_row *added,
    size_t n_added, const int64_t *dissolved, size_t n_dissolved,
    const int64_t *participant_ids, const int64_t *group_ids,
    const int *added_index, size_t n, const struct mg_group_carry *carry,
    size_t n_carry)
{
    sqlite3_stmt *move = NULL, *revoke = NULL;
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *ins = NULL, *leave = NULL, *join = NULL, *del = NULL;
    int64_t now = mg_now();
    size_t i;
    int rc = store_begin(st, db);

    if (rc == 0)
        rc = store_prepare(&ins, st, db, INSERT_GROUP);
    if (rc == 0)
        rc = store_prepare(&leave, st, db, LEAVE_GROUP);
    if (rc == 0)
        rc = store_prepare(&join, st, db, JOIN_GROUP);
    if (rc == 0)
        rc = store_prepare(&del, st, db,
                           "DELETE FROM groups WHERE id = ? AND circle_id = ?");
    for (i = 0; rc == 0 && i < n_added; i++)
        rc = insert_group(st, db, ins, circle_id, &added[i], 0, now);
    for (i = 0; rc == 0 && i < n; i++) {
        int64_t to = group_ids[i];

        if (!to && added_index[i] >= 0 && (size_t)added_index[i] < n_added)
            to = added[added_index[i]].id;
        rc = move_member(st, db, leave, join, circle_id, participant_ids[i], to,
                         now);
    }
    if (rc == 0 && carry)
        rc = store_prepare(&move, st, db,
                           "UPDATE tokens SET group_id = ?1 WHERE group_id = "
                           "?2 AND revoked_at IS NULL AND (?3 OR kind <> "
                           "'api')");
    if (rc == 0 && carry)
        rc = store_prepare(&revoke, st, db,
                           "UPDATE tokens SET revoked_at = ?1, group_id = "
                           "NULL WHERE group_id = ?2 AND revoked_at IS NULL");
    for (i = 0; rc == 0 && i < n_dissolved; i++) {
        if (carry) {
            size_t j;

            for (j = 0; j < n_carry && carry[j].old_id != dissolved[i]; j++)
                ;
            rc = carry_dissolved(st, db, move, revoke, dissolved[i],
                                 j < n_carry ? &carry[j] : NULL, added, n_added,
                                 now);
            if (rc < 0)
                break;
        }
        sqlite3_bind_int64(del, 1, dissolved[i]);
        sqlite3_bind_int64(del, 2, circle_id);
        rc = store_step(st, db, del, "dissolve group");
    }
    if (rc == 0)
        rc = store_commit(st, db);
    if (rc < 0)
        store_rollback(db);
    sqlite3_finalize(ins);
    sqlite3_finalize(leave);
    sqlite3_finalize(join);
    sqlite3_finalize(del);
    sqlite3_finalize(move);
    sqlite3_finalize(revoke);
    store_release(st, db);
    return rc;
}
