/*
 * rsvps.c: members' answers to their invitations, one row per session.
 * Each answer carries the SEQUENCE of the invitation it answers, so an
 * answer to an older version never overwrites one to a newer. Reading
 * the REPLY and deciding whose answer it is belong to `ical` and
 * `calendar`.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

static const char *const rsvp_names[] = {"", "accepted", "declined",
                                         "tentative"};

const char *mg_store_rsvp_status_name(enum mg_store_rsvp_status s)
{
    return store_enum_name(rsvp_names, STORE_N_NAMES(rsvp_names), (int)s);
}

int mg_store_rsvp_status_parse(enum mg_store_rsvp_status *out, const char *name)
{
    int v = 0;

    /* "" names NONE, which is no answer */
    if (!name || !*name ||
        store_enum_parse(&v, rsvp_names, STORE_N_NAMES(rsvp_names), name) < 0)
        return MG_EINVAL;
    *out = (enum mg_store_rsvp_status)v;
    return 0;
}

enum mg_store_rsvp_status store_read_rsvp_status(sqlite3_stmt *stmt, int col)
{
    return (enum mg_store_rsvp_status)store_column_enum(
        stmt, col, rsvp_names, STORE_N_NAMES(rsvp_names));
}

/* The first row of `stmt` (bound) as an invite; MG_ENOTFOUND. */
static int read_invite(struct mg_invite_row *out, int64_t *circle_id,
                       struct mg_store *st, sqlite3 *db, sqlite3_stmt *stmt)
{
    int rc = store_step_row(st, db, stmt, MG_ENOTFOUND, "find invite");

    if (rc < 0)
        return rc;
    memset(out, 0, sizeof(*out));
    store_read_invite(out, stmt);
    if (circle_id)
        *circle_id = sqlite3_column_int64(stmt, 11);
    return 0;
}

int mg_store_invite_by_uid(struct mg_invite_row *out, int64_t *circle_id,
                           struct mg_store *st, const char *uid)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT " INVITE_COLUMNS
                           ", circle_id FROM invites WHERE uid = ? ORDER BY "
                           "id LIMIT 1");

    if (rc == 0) {
        sqlite3_bind_text(stmt, 1, uid, -1, SQLITE_TRANSIENT);
        rc = read_invite(out, circle_id, st, db, stmt);
    }
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_invite_by_uid_email(struct mg_invite_row *out, int64_t *circle_id,
                                 struct mg_store *st, const char *uid,
                                 const char *email_norm)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(
        &stmt, st, db,
        "SELECT i.id, i.group_id, i.participant_id, i.uid, i.sequence, "
        "i.group_sequence, i.state, coalesce(i.summary, ''), "
        "coalesce(i.first_start, 0), coalesce(i.minutes, 0), "
        "coalesce(i.weeks, 0), i.circle_id FROM invites i JOIN participants "
        "p ON p.id = i.participant_id WHERE i.uid = ? AND p.email_norm = ? "
        "ORDER BY i.id DESC LIMIT 1");

    if (rc == 0) {
        sqlite3_bind_text(stmt, 1, uid, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(stmt, 2, email_norm, -1, SQLITE_TRANSIENT);
        rc = read_invite(out, circle_id, st, db, stmt);
    }
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_invite_for(struct mg_invite_row *out, struct mg_store *st,
                        int64_t group_id, int64_t participant_id)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT " INVITE_COLUMNS
                           ", circle_id FROM invites WHERE group_id = ? AND "
                           "participant_id = ? ORDER BY id "
                           "DESC LIMIT 1");

    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, group_id);
        sqlite3_bind_int64(stmt, 2, participant_id);
        rc = read_invite(out, NULL, st, db, stmt);
    }
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

/* Whether invite `id` has moved past `sequence`; inside the transaction,
 * so a REQUEST committed meanwhile is seen. */
static int invite_newer(int *newer, struct mg_store *st, sqlite3 *db,
                        int64_t id, int sequence)
{
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT sequence FROM invites WHERE id = ?");

    if (rc < 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, id);
    rc = store_step_row(st, db, stmt, MG_ENOTFOUND, "check invite");
    if (rc == 0)
        *newer = sqlite3_column_int(stmt, 0) > sequence;
    sqlite3_finalize(stmt);
    return rc;
}

int mg_store_rsvps_record(int *stale, size_t *written, struct mg_store *st,
                          const struct mg_rsvp_answer *a)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *ins = NULL;
    int64_t now = mg_now();
    size_t i, count = 0;
    int newer = 0;
    int rc = store_begin(st, db);

    *stale = 0;
    if (rc == 0 && a->invite_id)
        rc = invite_newer(&newer, st, db, a->invite_id, a->sequence);
    if (rc == 0 && !newer)
        rc = store_prepare(
            &ins, st, db,
            "INSERT INTO rsvps (session_id, participant_id, status, source, "
            "updated_at, sequence) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT "
            "(session_id, participant_id) DO UPDATE SET status = "
            "excluded.status, source = excluded.source, updated_at = "
            "excluded.updated_at, sequence = excluded.sequence WHERE "
            "rsvps.sequence <= excluded.sequence");
    for (i = 0; rc == 0 && !newer && i < a->n_sessions; i++) {
        sqlite3_bind_int64(ins, 1, a->session_ids[i]);
        sqlite3_bind_int64(ins, 2, a->participant_id);
        sqlite3_bind_text(ins, 3, mg_store_rsvp_status_name(a->status), -1,
                          SQLITE_STATIC);
        sqlite3_bind_text(ins, 4, a->source, -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 5, now);
        sqlite3_bind_int(ins, 6, a->sequence);
        rc = store_step(st, db, ins, "record rsvp");
        if (rc == 0)
            count += (size_t)sqlite3_changes(db);
    }
    if (rc == 0)
        rc = store_commit(st, db);
    if (rc < 0) {
        store_rollback(db);
        count = 0;
    }
    *stale = rc == 0 && newer;
    if (written)
        *written = count;
    sqlite3_finalize(ins);
    store_release(st, db);
    return rc;
}

static void read_rsvp(void *row, sqlite3_stmt *stmt)
{
    struct mg_rsvp_row *r = row;

    r->session_id = sqlite3_column_int64(stmt, 0);
    r->participant_id = sqlite3_column_int64(stmt, 1);
    r->status = store_read_rsvp_status(stmt, 2);
    store_column_copy(r->source, sizeof(r->source), stmt, 3);
    r->sequence = sqlite3_column_int(stmt, 4);
    r->updated_at = sqlite3_column_int64(stmt, 5);
    r->name = store_column_strdup(stmt, 6);
}

static void free_rsvps(void *rows, size_t n)
{
    mg_store_rsvps_free(rows, n);
}

/* Rows of `sql` (one bound id) in the order it gives. */
static int rsvps_list(struct mg_rsvp_row **out, size_t *n, struct mg_store *st,
                      const char *sql, int64_t id)
{
    return store_list_by_id((void **)out, n, sizeof(**out), st, sql, id,
                            read_rsvp, free_rsvps, "list rsvps");
}

#define RSVP_COLUMNS                                                           \
    "SELECT r.session_id, r.participant_id, r.status, r.source, "              \
    "r.sequence, r.updated_at, p.name FROM rsvps r JOIN participants p ON "    \
    "p.id = r.participant_id "

int mg_store_rsvps_for_session(struct mg_rsvp_row **out, size_t *n,
                               struct mg_store *st, int64_t session_id)
{
    return rsvps_list(out, n, st,
                      RSVP_COLUMNS "WHERE r.session_id = ? ORDER BY "
                                   "r.participant_id",
                      session_id);
}

int mg_store_rsvps_for_participant(struct mg_rsvp_row **out, size_t *n,
                                   struct mg_store *st, int64_t participant_id)
{
    return rsvps_list(out, n, st,
                      RSVP_COLUMNS "WHERE r.participant_id = ? ORDER BY "
                                   "r.session_id",
                      participant_id);
}

void mg_store_rsvps_free(struct mg_rsvp_row *rows, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        free(rows[i].name);
    free(rows);
}
