/*
 * calendar.c: sessions, invitation series, the outbox and feed tokens.
 * Every change to a group's calls bumps its sequence in the same
 * transaction as the change; invites and their mail are written together,
 * and the outbox's unique dedupe key keeps a message from being queued
 * twice.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

static const char *const session_names[] = {"confirmed", "cancelled"};
static const char *const invite_names[] = {"active", "cancelled"};

const char *mg_store_session_status_name(enum mg_store_session_status s)
{
    return store_enum_name(session_names, STORE_N_NAMES(session_names), (int)s);
}

int mg_store_session_status_parse(enum mg_store_session_status *out,
                                  const char *name)
{
    int v = 0;
    int rc =
        store_enum_parse(&v, session_names, STORE_N_NAMES(session_names), name);

    if (rc == 0)
        *out = (enum mg_store_session_status)v;
    return rc;
}

static const char *const outbox_names[] = {"queued", "sending", "sent",
                                           "failed"};

const char *mg_store_outbox_status_name(enum mg_store_outbox_status s)
{
    return store_enum_name(outbox_names, STORE_N_NAMES(outbox_names), (int)s);
}

const char *mg_store_invite_state_name(enum mg_store_invite_state s)
{
    return store_enum_name(invite_names, STORE_N_NAMES(invite_names), (int)s);
}

enum mg_store_invite_state store_read_invite_state(sqlite3_stmt *stmt, int col)
{
    return (enum mg_store_invite_state)store_column_enum(
        stmt, col, invite_names, STORE_N_NAMES(invite_names));
}

#define SESSION_COLUMNS                                                        \
    "id, group_id, week, starts_at, coalesce(original_starts_at, "             \
    "starts_at), minutes, status"

static void read_session(void *row, sqlite3_stmt *stmt)
{
    struct mg_session_row *r = row;

    r->id = sqlite3_column_int64(stmt, 0);
    r->group_id = sqlite3_column_int64(stmt, 1);
    r->week = sqlite3_column_int(stmt, 2);
    r->starts_at = sqlite3_column_int64(stmt, 3);
    r->original_starts_at = sqlite3_column_int64(stmt, 4);
    r->minutes = sqlite3_column_int(stmt, 5);
    r->status = (enum mg_store_session_status)store_column_enum(
        stmt, 6, session_names, STORE_N_NAMES(session_names));
}

int mg_store_sessions_for_group(struct mg_session_row **out, size_t *n,
                                struct mg_store *st, int64_t group_id)
{
    return store_list_by_id((void **)out, n, sizeof(**out), st,
                            "SELECT " SESSION_COLUMNS " FROM sessions WHERE "
                            "group_id = ? ORDER BY week",
                            group_id, read_session, NULL, "list sessions");
}

int mg_store_sessions_for_circle(struct mg_session_row **out, size_t *n,
                                 struct mg_store *st, int64_t circle_id)
{
    return store_list_by_id((void **)out, n, sizeof(**out), st,
                            "SELECT " SESSION_COLUMNS " FROM sessions WHERE "
                            "circle_id = ? ORDER BY group_id, week",
                            circle_id, read_session, NULL, "list sessions");
}

int mg_store_session_get(struct mg_session_row *out, struct mg_store *st,
                         int64_t circle_id, int64_t session_id)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT " SESSION_COLUMNS " FROM sessions WHERE "
                           "circle_id = ? AND id = ?");

    if (rc < 0)
        goto out;
    sqlite3_bind_int64(stmt, 1, circle_id);
    sqlite3_bind_int64(stmt, 2, session_id);
    rc = store_step_row(st, db, stmt, MG_ENOTFOUND, "get session");
    if (rc == 0)
        read_session(out, stmt);
out:
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_sessions_insert(struct mg_store *st, int64_t circle_id,
                             struct mg_session_row *rows, size_t n)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    size_t i;
    int rc = store_begin(st, db);

    if (rc == 0)
        rc = store_prepare(&stmt, st, db,
                           "INSERT OR IGNORE INTO sessions (circle_id, "
                           "group_id, week, "
                           "starts_at, original_starts_at, minutes, status, "
                           "uid) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    for (i = 0; rc == 0 && i < n; i++) {
        unsigned char raw[16];
        char uid[40];

        mg_random_bytes(raw, sizeof(raw));
        mg_hex(uid, raw, sizeof(raw));
        sqlite3_bind_int64(stmt, 1, circle_id);
        sqlite3_bind_int64(stmt, 2, rows[i].group_id);
        sqlite3_bind_int(stmt, 3, rows[i].week);
        sqlite3_bind_int64(stmt, 4, rows[i].starts_at);
        sqlite3_bind_int64(stmt, 5, rows[i].original_starts_at);
        sqlite3_bind_int(stmt, 6, rows[i].minutes);
        sqlite3_bind_text(stmt, 7, mg_store_session_status_name(rows[i].status),
                          -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(stmt, 8, uid, -1, SQLITE_TRANSIENT);
        rc = store_step(st, db, stmt, "insert session");
        rows[i].id = sqlite3_last_insert_rowid(db);
    }
    if (rc == 0)
        rc = store_commit(st, db);
    if (rc < 0)
        store_rollback(db);
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

/* The group's calls changed: bump its sequence. */
static int bump_group(struct mg_store *st, sqlite3 *db, int64_t group_id)
{
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "UPDATE groups SET sequence = sequence + 1, "
                           "updated_at = ? WHERE id = ?");

    if (rc < 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, mg_now());
    sqlite3_bind_int64(stmt, 2, group_id);
    rc = store_step(st, db, stmt, "bump group");
    sqlite3_finalize(stmt);
    return rc;
}

int mg_store_session_update(struct mg_store *st, int64_t circle_id,
                            int64_t session_id, int64_t starts_at,
                            enum mg_store_session_status status)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int64_t group_id = 0;
    int rc = store_begin(st, db);

    if (rc == 0)
        rc = store_prepare(&stmt, st, db,
                           "UPDATE sessions SET starts_at = ?, status = ? "
                           "WHERE circle_id = ? AND id = ? RETURNING "
                           "group_id");
    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, starts_at);
        sqlite3_bind_text(stmt, 2, mg_store_session_status_name(status), -1,
                          SQLITE_STATIC);
        sqlite3_bind_int64(stmt, 3, circle_id);
        sqlite3_bind_int64(stmt, 4, session_id);
        rc = store_step_row(st, db, stmt, MG_ENOTFOUND, "update session");
        if (rc == 0)
            group_id = sqlite3_column_int64(stmt, 0);
        sqlite3_finalize(stmt);
    }
    if (rc == 0)
        rc = bump_group(st, db, group_id);
    if (rc == 0)
        rc = store_commit(st, db);
    if (rc < 0)
        store_rollback(db);
    store_release(st, db);
    return rc;
}

int mg_store_group_series_status(struct mg_store *st, int64_t circle_id,
                                 int64_t group_id,
                                 enum mg_store_session_status status)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_begin(st, db);

    if (rc == 0)
        rc = store_prepare(&stmt, st, db,
                           "UPDATE sessions SET status = ? WHERE circle_id = "
                           "? AND group_id = ?");
    if (rc == 0) {
        sqlite3_bind_text(stmt, 1, mg_store_session_status_name(status), -1,
                          SQLITE_STATIC);
        sqlite3_bind_int64(stmt, 2, circle_id);
        sqlite3_bind_int64(stmt, 3, group_id);
        rc = store_step(st, db, stmt, "series status");
        if (rc == 0 && sqlite3_changes(db) == 0)
            rc = MG_ENOTFOUND;
    }
    if (rc == 0)
        rc = bump_group(st, db, group_id);
    if (rc == 0)
        rc = store_commit(st, db);
    if (rc < 0)
        store_rollback(db);
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int store_sessions_retime_in(struct mg_store *st, sqlite3 *db,
                             int64_t circle_id,
                             const struct mg_session_row *rows, size_t n)
{
    sqlite3_stmt *ses = NULL;
    size_t i;
    int rc = store_prepare(&ses, st, db,
                           "UPDATE sessions SET starts_at = ?, "
                           "original_starts_at = ? WHERE circle_id = ? AND "
                           "id = ?");

    for (i = 0; rc == 0 && i < n; i++) {
        sqlite3_bind_int64(ses, 1, rows[i].starts_at);
        sqlite3_bind_int64(ses, 2, rows[i].original_starts_at);
        sqlite3_bind_int64(ses, 3, circle_id);
        sqlite3_bind_int64(ses, 4, rows[i].id);
        rc = store_step(st, db, ses, "retime session");
        /* rows come by group: one bump per group */
        if (rc == 0 && (i + 1 == n || rows[i + 1].group_id != rows[i].group_id))
            rc = bump_group(st, db, rows[i].group_id);
    }
    sqlite3_finalize(ses);
    return rc;
}

int mg_store_sessions_retime(struct mg_store *st, int64_t circle_id,
                             const struct mg_session_row *rows, size_t n)
{
    sqlite3 *db = store_acquire(st);
    int rc = store_begin(st, db);

    if (rc == 0)
        rc = store_sessions_retime_in(st, db, circle_id, rows, n);
    if (rc == 0)
        rc = store_commit(st, db);
    if (rc < 0)
        store_rollback(db);
    store_release(st, db);
    return rc;
}

int mg_store_group_move_series(struct mg_store *st, int64_t circle_id,
                               int64_t group_id, int64_t slot_id,
                               const int64_t *starts, int minutes, int weeks)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *grp = NULL, *ses = NULL;
    int rc = store_begin(st, db), w;

    if (rc == 0)
        rc = store_prepare(&grp, st, db,
                           "UPDATE groups SET slot_id = ? WHERE circle_id = ? "
                           "AND id = ?");
    if (rc == 0)
        rc = store_prepare(&ses, st, db,
                           "UPDATE sessions SET starts_at = ?, "
                           "original_starts_at = ?, minutes = ? WHERE "
                           "group_id = ? AND week = ?");
    if (rc == 0) {
        sqlite3_bind_int64(grp, 1, slot_id);
        sqlite3_bind_int64(grp, 2, circle_id);
        sqlite3_bind_int64(grp, 3, group_id);
        rc = store_step(st, db, grp, "move series");
        if (rc == 0 && sqlite3_changes(db) == 0)
            rc = MG_ENOTFOUND;
    }
    for (w = 0; rc == 0 && w < weeks; w++) {
        sqlite3_bind_int64(ses, 1, starts[w]);
        sqlite3_bind_int64(ses, 2, starts[w]);
        sqlite3_bind_int(ses, 3, minutes);
        sqlite3_bind_int64(ses, 4, group_id);
        sqlite3_bind_int(ses, 5, w + 1);
        rc = store_step(st, db, ses, "move session");
    }
    if (rc == 0)
        rc = bump_group(st, db, group_id);
    if (rc == 0)
        rc = store_commit(st, db);
    if (rc < 0)
        store_rollback(db);
    sqlite3_finalize(grp);
    sqlite3_finalize(ses);
    store_release(st, db);
    return rc;
}

void store_read_invite(void *row, sqlite3_stmt *stmt)
{
    struct mg_invite_row *r = row;

    r->id = sqlite3_column_int64(stmt, 0);
    r->group_id = sqlite3_column_int64(stmt, 1);
    r->participant_id = sqlite3_column_int64(stmt, 2);
    store_column_copy(r->uid, sizeof(r->uid), stmt, 3);
    r->sequence = sqlite3_column_int(stmt, 4);
    r->group_sequence = sqlite3_column_int(stmt, 5);
    r->state = store_read_invite_state(stmt, 6);
    store_column_copy(r->summary, sizeof(r->summary), stmt, 7);
    r->first_start = sqlite3_column_int64(stmt, 8);
    r->minutes = sqlite3_column_int(stmt, 9);
    r->weeks = sqlite3_column_int(stmt, 10);
}

int mg_store_calendar_failures_record(
    struct mg_store *st, int64_t circle_id, int all, const int64_t *fine,
    size_t n_fine, const struct mg_calendar_failure_row *failed,
    size_t n_failed)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *wipe = NULL, *clear = NULL, *put = NULL;
    int64_t now = mg_now();
    size_t i;
    int rc = store_begin(st, db);

    if (rc == 0)
        rc = store_prepare(&wipe, st, db,
                           "DELETE FROM calendar_failures WHERE circle_id = ?");
    if (rc == 0)
        rc = store_prepare(&clear, st, db,
                           "DELETE FROM calendar_failures WHERE circle_id = ? "
                           "AND group_id = ?");
    if (rc == 0)
        rc = store_prepare(&put, st, db,
                           "INSERT OR REPLACE INTO calendar_failures "
                           "(circle_id, group_id, cause, at) VALUES (?, ?, "
                           "?, ?)");
    if (rc == 0 && all) {
        sqlite3_bind_int64(wipe, 1, circle_id);
        rc = store_step(st, db, wipe, "clear calendar failures");
    }
    for (i = 0; rc == 0 && !all && i < n_fine; i++) {
        sqlite3_bind_int64(clear, 1, circle_id);
        sqlite3_bind_int64(clear, 2, fine[i]);
        rc = store_step(st, db, clear, "clear calendar failure");
    }
    for (i = 0; rc == 0 && i < n_failed; i++) {
        sqlite3_bind_int64(put, 1, circle_id);
        sqlite3_bind_int64(put, 2, failed[i].group_id);
        sqlite3_bind_text(put, 3, failed[i].cause, -1, SQLITE_STATIC);
        sqlite3_bind_int64(put, 4, failed[i].at ? failed[i].at : now);
        rc = store_step(st, db, put, "record calendar failure");
    }
    if (rc == 0)
        rc = store_commit(st, db);
    if (rc < 0)
        store_rollback(db);
    sqlite3_finalize(wipe);
    sqlite3_finalize(clear);
    sqlite3_finalize(put);
    store_release(st, db);
    return rc;
}

static void read_failure(void *row, sqlite3_stmt *stmt)
{
    struct mg_calendar_failure_row *r = row;

    r->group_id = sqlite3_column_int64(stmt, 0);
    store_column_copy(r->name, sizeof(r->name), stmt, 1);
    store_column_copy(r->cause, sizeof(r->cause), stmt, 2);
    r->at = sqlite3_column_int64(stmt, 3);
}

int mg_store_calendar_failures_list(struct mg_calendar_failure_row **out,
                                    size_t *n, struct mg_store *st,
                                    int64_t circle_id)
{
    return store_list_by_id(
        (void **)out, n, sizeof(**out), st,
        "SELECT f.group_id, coalesce(g.name, ''), f.cause, f.at FROM "
        "calendar_failures f LEFT JOIN groups g ON g.id = f.group_id WHERE "
        "f.circle_id = ? ORDER BY f.group_id",
        circle_id, read_failure, NULL, "list calendar failures");
}

int mg_store_invites_list(struct mg_invite_row **out, size_t *n,
                          struct mg_store *st, int64_t circle_id)
{
    return store_list_by_id((void **)out, n, sizeof(**out), st,
                            "SELECT " INVITE_COLUMNS " FROM invites WHERE "
                            "circle_id = ? ORDER BY id",
                            circle_id, store_read_invite, NULL, "list invites");
}

/* The outbox row of a message due now; queue_mail() binds it. */
#define OUTBOX_INSERT                                                          \
    "INSERT OR IGNORE INTO outbox (circle_id, kind, recipient, subject, "      \
    "message, dedupe_key, next_attempt_at, created_at, format, parts) "        \
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, coalesce(?, 'mime'), ?)"

/* Queue `m`, due `now`, with `ins` (OUTBOX_INSERT, prepared on `db`);
 * *queued grows by 1 unless its dedupe key was queued already. */
static int queue_mail(size_t *queued, struct mg_store *st, sqlite3 *db,
                      sqlite3_stmt *ins, const struct mg_outbox_msg *m,
                      int64_t now)
{
    int rc;

    sqlite3_bind_int64(ins, 1, m->circle_id);
    sqlite3_bind_text(ins, 2, m->kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 3, m->recipient, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 4, m->subject, -1, SQLITE_STATIC);
    sqlite3_bind_blob(ins, 5, m->message, (int)m->len, SQLITE_STATIC);
    sqlite3_bind_text(ins, 6, m->dedupe_key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(ins, 7, now);
    sqlite3_bind_int64(ins, 8, now);
    store_bind_text_or_null(ins, 9, m->format);
    store_bind_text_or_null(ins, 10, m->parts);
    rc = store_step(st, db, ins, "queue mail");
    if (rc == 0)
        *queued += (size_t)sqlite3_changes(db);
    return rc;
}

int mg_store_invites_apply(size_t *queued, struct mg_store *st,
                           int64_t circle_id, const struct mg_invite_action *a,
                           size_t n)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *ins = NULL, *upd = NULL, *mail = NULL;
    int64_t now = mg_now();
    size_t i;
    int rc = store_begin(st, db);

    *queued = 0;
    if (rc == 0)
        rc = store_prepare(&ins, st, db,
                           "INSERT OR IGNORE INTO invites (circle_id, "
                           "group_id, participant_id, uid, sequence, "
                           "group_sequence, state, updated_at, summary, "
                           "first_start, minutes, weeks) VALUES (?, ?, ?, ?, "
                           "?, ?, ?, ?, ?, ?, ?, ?)");
    if (rc == 0)
        rc = store_prepare(&upd, st, db,
                           "UPDATE invites SET sequence = ?, group_sequence "
                           "= ?, state = ?, updated_at = ?, summary = "
                           "coalesce(?7, summary), first_start = "
                           "coalesce(?8, first_start), minutes = coalesce(?9, "
                           "minutes), weeks = coalesce(?10, weeks) WHERE id "
                           "= ?5 AND sequence = ?6");
    if (rc == 0)
        rc = store_prepare(&mail, st, db, OUTBOX_INSERT);
    for (i = 0; rc == 0 && i < n; i++) {
        sqlite3_stmt *s = a[i].invite_id ? upd : ins;
        const struct mg_outbox_msg m = {
            .circle_id = circle_id,
            .kind = a[i].kind,
            .recipient = a[i].recipient,
            .subject = a[i].subject,
            .message = a[i].message,
            .len = a[i].len,
            .format = a[i].format,
            .parts = a[i].parts,
            .dedupe_key = a[i].dedupe_key,
        };

        if (a[i].invite_id) {
            sqlite3_bind_int(upd, 1, a[i].sequence);
            sqlite3_bind_int(upd, 2, a[i].group_sequence);
            sqlite3_bind_text(upd, 3, mg_store_invite_state_name(a[i].state),
                              -1, SQLITE_STATIC);
            sqlite3_bind_int64(upd, 4, now);
            sqlite3_bind_int64(upd, 5, a[i].invite_id);
            sqlite3_bind_int(upd, 6, a[i].expect_sequence);
            if (a[i].summary) {
                sqlite3_bind_text(upd, 7, a[i].summary, -1, SQLITE_STATIC);
                sqlite3_bind_int64(upd, 8, a[i].first_start);
                sqlite3_bind_int(upd, 9, a[i].minutes);
                sqlite3_bind_int(upd, 10, a[i].weeks);
            }
        } else {
            sqlite3_bind_int64(ins, 1, circle_id);
            sqlite3_bind_int64(ins, 2, a[i].group_id);
            sqlite3_bind_int64(ins, 3, a[i].participant_id);
            sqlite3_bind_text(ins, 4, a[i].uid, -1, SQLITE_STATIC);
            sqlite3_bind_int(ins, 5, a[i].sequence);
            sqlite3_bind_int(ins, 6, a[i].group_sequence);
            sqlite3_bind_text(ins, 7, mg_store_invite_state_name(a[i].state),
                              -1, SQLITE_STATIC);
            sqlite3_bind_int64(ins, 8, now);
            store_bind_text_or_null(ins, 9, a[i].summary);
            sqlite3_bind_int64(ins, 10, a[i].first_start);
            sqlite3_bind_int(ins, 11, a[i].minutes);
            sqlite3_bind_int(ins, 12, a[i].weeks);
        }
        rc = store_step(st, db, s, "apply invite");
        if (rc < 0 || sqlite3_changes(db) == 0)
            continue; /* someone else changed it first: skip */
        if (!a[i].message)
            continue;
        rc = queue_mail(queued, st, db, mail, &m, now);
    }
    if (rc == 0)
        rc = store_commit(st, db);
    if (rc < 0) {
        store_rollback(db);
        *queued = 0;
    }
    sqlite3_finalize(ins);
    sqlite3_finalize(upd);
    sqlite3_finalize(mail);
    store_release(st, db);
    return rc;
}

int mg_store_tx_outbox_queue(size_t *queued, struct mg_store_tx *tx,
                             const struct mg_outbox_msg *m)
{
    struct mg_store *st = store_tx_store(tx);
    sqlite3 *db = store_tx_db(tx);
    sqlite3_stmt *ins = NULL;
    int rc = store_prepare(&ins, st, db, OUTBOX_INSERT);

    if (rc < 0)
        return rc;
    rc = queue_mail(queued, st, db, ins, m, mg_now());
    sqlite3_finalize(ins);
    return rc;
}

void mg_store_outbox_free(struct mg_outbox_row *rows, size_t n)
{
    size_t i;

    for (i = 0; rows && i < n; i++) {
        free(rows[i].recipient);
        free(rows[i].subject);
        free(rows[i].last_error);
        free(rows[i].message);
        free(rows[i].parts);
    }
    free(rows);
}

static void read_outbox_row(void *row, sqlite3_stmt *stmt)
{
    struct mg_outbox_row *r = row;

    r->id = sqlite3_column_int64(stmt, 0);
    r->circle_id = sqlite3_column_int64(stmt, 1);
    store_column_copy(r->kind, sizeof(r->kind), stmt, 2);
    r->recipient = store_column_strdup(stmt, 3);
    r->subject = store_column_strdup(stmt, 4);
    r->status = (enum mg_store_outbox_status)store_column_enum(
        stmt, 5, outbox_names, STORE_N_NAMES(outbox_names));
    r->attempts = sqlite3_column_int(stmt, 6);
    r->next_attempt_at = sqlite3_column_int64(stmt, 7);
    r->created_at = sqlite3_column_int64(stmt, 8);
    r->sent_at = sqlite3_column_int64(stmt, 9);
    r->last_error = store_column_strdup(stmt, 10);
}

/* A claimed message: the row and what is sent. */
static void read_outbox_body_row(void *row, sqlite3_stmt *stmt)
{
    struct mg_outbox_row *r = row;

    read_outbox_row(r, stmt);
    r->len = (size_t)sqlite3_column_bytes(stmt, 11);
    r->message = mg_xstrndup(
        sqlite3_column_blob(stmt, 11) ? sqlite3_column_blob(stmt, 11) : "",
        r->len);
    store_column_copy(r->format, sizeof(r->format), stmt, 12);
    r->parts = store_column_strdup(stmt, 13);
}

static int load_outbox(struct mg_outbox_row **out, size_t *n,
                       struct mg_store *st, sqlite3_stmt *stmt, sqlite3 *db,
                       int with_body)
{
    struct mg_outbox_row *rows = NULL;
    size_t count = 0;
    int rc = store_rows_read(
        (void **)&rows, &count, sizeof(*rows), st, db, stmt,
        with_body ? read_outbox_body_row : read_outbox_row, "load outbox");
    if (rc < 0) {
        mg_store_outbox_free(rows, count);
        return rc;
    }
    *out = rows;
    *n = count;
    return 0;
}

/* How long a sender may hold a claimed message before it is due again. */
#define OUTBOX_LEASE 600

#define OUTBOX_COLUMNS                                                         \
    "id, coalesce(circle_id, 0), kind, recipient, subject, status, "           \
    "attempts, next_attempt_at, created_at, sent_at, last_error"

int mg_store_outbox_due(struct mg_outbox_row **out, size_t *n,
                        struct mg_store *st, int64_t now, int max)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL, *claim = NULL;
    char tag[128];
    size_t i;
    int rc;

    *out = NULL;
    *n = 0;
    mg_process_tag(tag, sizeof(tag));
    rc = store_begin(st, db);

    /* Claimed under the write lock: a second sender (the CLI beside the
     * daemon) cannot take the same messages. A claim is a lease: if the
     * sender dies mid-send, the message is due again when it runs out. */
    if (rc == 0)
        rc = store_prepare(&stmt, st, db,
                           "SELECT " OUTBOX_COLUMNS ", message, format, parts "
                           "FROM outbox "
                           "WHERE status IN ('queued', 'sending') AND "
                           "next_attempt_at <= ? ORDER BY next_attempt_at, "
                           "id LIMIT ?");
    if (rc == 0)
        rc = store_prepare(&claim, st, db,
                           "UPDATE outbox SET status = 'sending', "
                           "next_attempt_at = ?1, claimed_by = ?3 WHERE id = "
                           "?2");
    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, now);
        sqlite3_bind_int(stmt, 2, max);
        rc = load_outbox(out, n, st, stmt, db, 1);
    }
    for (i = 0; rc == 0 && i < *n; i++) {
        sqlite3_bind_int64(claim, 1, now + OUTBOX_LEASE);
        sqlite3_bind_int64(claim, 2, (*out)[i].id);
        sqlite3_bind_text(claim, 3, tag, -1, SQLITE_STATIC);
        rc = store_step(st, db, claim, "claim mail");
    }
    if (rc == 0)
        rc = store_commit(st, db);
    if (rc < 0) {
        store_rollback(db);
        mg_store_outbox_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    sqlite3_finalize(stmt);
    sqlite3_finalize(claim);
    store_release(st, db);
    return rc;
}

int mg_store_outbox_reclaim(size_t *n, struct mg_store *st, int64_t now)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *owners = NULL, *release = NULL;
    char **dead = NULL;
    size_t n_dead = 0, i;
    int rc;

    *n = 0;
    rc = store_begin(st, db);
    if (rc == 0)
        rc = store_prepare(&owners, st, db,
                           "SELECT DISTINCT claimed_by FROM outbox WHERE "
                           "status = 'sending' AND claimed_by IS NOT NULL");
    if (rc == 0)
        rc = store_prepare(&release, st, db,
                           "UPDATE outbox SET status = 'queued', "
                           "next_attempt_at = ?1, claimed_by = NULL WHERE "
                           "status = 'sending' AND claimed_by = ?2");
    while (rc == 0 && (rc = sqlite3_step(owners)) == SQLITE_ROW) {
        const char *tag = (const char *)sqlite3_column_text(owners, 0);

        if (tag && !mg_process_tag_alive(tag)) {
            dead = mg_xrealloc(dead, (n_dead + 1) * sizeof(*dead));
            dead[n_dead++] = mg_xstrdup(tag);
        }
        rc = 0;
    }
    if (rc == SQLITE_DONE)
        rc = 0;
    else if (rc > 0)
        rc = store_fail(st, db, rc, "find outbox claims");
    for (i = 0; rc == 0 && i < n_dead; i++) {
        sqlite3_bind_int64(release, 1, now);
        sqlite3_bind_text(release, 2, dead[i], -1, SQLITE_STATIC);
        rc = store_step(st, db, release, "release outbox claims");
        if (rc == 0)
            *n += (size_t)sqlite3_changes(db);
    }
    if (rc == 0)
        rc = store_commit(st, db);
    if (rc < 0) {
        store_rollback(db);
        *n = 0;
    }
    for (i = 0; i < n_dead; i++)
        free(dead[i]);
    free(dead);
    sqlite3_finalize(owners);
    sqlite3_finalize(release);
    store_release(st, db);
    return rc;
}

int mg_store_outbox_list(struct mg_outbox_row **out, size_t *n,
                         struct mg_store *st, int64_t circle_id,
                         const char *status, int limit)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT " OUTBOX_COLUMNS " FROM outbox WHERE "
                           "circle_id = ? AND (?2 IS NULL OR status = ?2) "
                           "ORDER BY id DESC LIMIT ?3");

    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, circle_id);
        store_bind_text_or_null(stmt, 2, status);
        sqlite3_bind_int(stmt, 3, limit > 0 ? limit : -1);
        rc = load_outbox(out, n, st, stmt, db, 0);
    }
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_outbox_count(size_t *n, struct mg_store *st, int64_t circle_id,
                          const char *status)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT count(*) FROM outbox WHERE circle_id = ? "
                           "AND (?2 IS NULL OR status = ?2)");
    int step;

    *n = 0;
    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, circle_id);
        store_bind_text_or_null(stmt, 2, status);
        step = sqlite3_step(stmt);
        if (step == SQLITE_ROW)
            *n = (size_t)sqlite3_column_int64(stmt, 0);
        else
            rc = store_fail(st, db, step, "count outbox");
    }
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_outbox_sent(struct mg_store *st, int64_t id, int64_t now)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "UPDATE outbox SET status = 'sent', sent_at = ?, "
                           "attempts = attempts + 1, last_error = NULL WHERE "
                           "id = ? AND status = 'sending'");

    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, now);
        sqlite3_bind_int64(stmt, 2, id);
        rc = store_step(st, db, stmt, "mark sent");
    }
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_outbox_retry(struct mg_store *st, int64_t id, int attempts,
                          int64_t next_at, const char *error, int give_up)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "UPDATE outbox SET attempts = ?, next_attempt_at "
                           "= ?, last_error = ?, status = ? WHERE id = ? AND "
                           "status = 'sending'");

    if (rc == 0) {
        sqlite3_bind_int(stmt, 1, attempts);
        sqlite3_bind_int64(stmt, 2, next_at);
        sqlite3_bind_text(stmt, 3, error ? error : "", -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(
            stmt, 4,
            mg_store_outbox_status_name(give_up ? MG_STORE_OUTBOX_FAILED
                                                : MG_STORE_OUTBOX_QUEUED),
            -1, SQLITE_STATIC);
        sqlite3_bind_int64(stmt, 5, id);
        rc = store_step(st, db, stmt, "mark retry");
    }
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_feed_token_set(struct mg_store *st, const char *public_id,
                            const unsigned char hash[MG_TOKEN_HASH_LEN],
                            int64_t circle_id, int64_t participant_id,
                            int64_t group_id)
{
    return mg_store_secret_set(st, "feed", public_id, hash, circle_id,
                               participant_id, group_id);
}

int mg_store_feed_token_check(int64_t *circle_id, int64_t *participant_id,
                              int64_t *group_id, struct mg_store *st,
                              const char *public_id,
                              const unsigned char hash[MG_TOKEN_HASH_LEN])
{
    return mg_store_secret_check(circle_id, participant_id, group_id, st,
                                 "feed", public_id, hash);
}

int mg_store_secret_set(struct mg_store *st, const char *kind,
                        const char *public_id,
                        const unsigned char hash[MG_TOKEN_HASH_LEN],
                        int64_t circle_id, int64_t participant_id,
                        int64_t group_id)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *revoke = NULL, *ins = NULL;
    int64_t now = mg_now();
    int rc = store_begin(st, db);

    if (rc == 0)
        rc = store_prepare(&revoke, st, db,
                           "UPDATE tokens SET revoked_at = ?1 WHERE kind = ?4 "
                           "AND revoked_at IS NULL AND "
                           "coalesce(participant_id, 0) = ?2 AND "
                           "coalesce(group_id, 0) = ?3");
    if (rc == 0)
        rc = store_prepare(&ins, st, db,
                           "INSERT INTO tokens (public_id, hash, kind, role, "
                           "circle_id, participant_id, group_id, label, "
                           "created_at) VALUES (?1, ?2, ?7, 'participant', "
                           "?3, ?4, ?5, ?7, ?6) "
                           /* a derived secret set again (a participant's
                            * page feed) revives its own row, nobody
                            * else's */
                           "ON CONFLICT (public_id) DO UPDATE SET "
                           "revoked_at = NULL, created_at = excluded."
                           "created_at WHERE tokens.hash = excluded.hash AND "
                           "tokens.kind = excluded.kind AND "
                           "tokens.circle_id IS excluded.circle_id AND "
                           "tokens.participant_id IS excluded.participant_id "
                           "AND tokens.group_id IS excluded.group_id");
    if (rc == 0) {
        sqlite3_bind_int64(revoke, 1, now);
        sqlite3_bind_int64(revoke, 2, participant_id);
        sqlite3_bind_int64(revoke, 3, group_id);
        sqlite3_bind_text(revoke, 4, kind, -1, SQLITE_STATIC);
        rc = store_step(st, db, revoke, "revoke feed token");
    }
    if (rc == 0) {
        sqlite3_bind_text(ins, 1, public_id, -1, SQLITE_STATIC);
        sqlite3_bind_blob(ins, 2, hash, MG_TOKEN_HASH_LEN, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 3, circle_id);
        if (participant_id)
            sqlite3_bind_int64(ins, 4, participant_id);
        if (group_id)
            sqlite3_bind_int64(ins, 5, group_id);
        sqlite3_bind_int64(ins, 6, now);
        sqlite3_bind_text(ins, 7, kind, -1, SQLITE_STATIC);
        rc = store_step(st, db, ins, "insert feed token");
        if (rc == 0 && sqlite3_changes(db) != 1)
            rc = MG_ECONFLICT; /* the public id is someone else's */
    }
    if (rc == 0)
        rc = store_commit(st, db);
    if (rc < 0)
        store_rollback(db);
    sqlite3_finalize(revoke);
    sqlite3_finalize(ins);
    store_release(st, db);
    return rc;
}

int mg_store_secret_check(int64_t *circle_id, int64_t *participant_id,
                          int64_t *group_id, struct mg_store *st,
                          const char *kind, const char *public_id,
                          const unsigned char hash[MG_TOKEN_HASH_LEN])
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT hash, coalesce(circle_id, 0), "
                           "coalesce(participant_id, 0), coalesce(group_id, "
                           "0) FROM tokens WHERE public_id = ? AND kind = ? "
                           "AND revoked_at IS NULL");

    if (rc < 0)
        goto out;
    sqlite3_bind_text(stmt, 1, public_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, kind, -1, SQLITE_STATIC);
    rc = store_step_row(st, db, stmt, MG_EAUTH, "check feed token");
    if (rc < 0)
        goto out;
    rc = MG_EAUTH;
    if (sqlite3_column_bytes(stmt, 0) != MG_TOKEN_HASH_LEN ||
        !mg_auth_hash_equal(sqlite3_column_blob(stmt, 0), hash))
        goto out;
    *circle_id = sqlite3_column_int64(stmt, 1);
    *participant_id = sqlite3_column_int64(stmt, 2);
    *group_id = sqlite3_column_int64(stmt, 3);
    rc = 0;
out:
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_secret_retired(int *retired, struct mg_store *st, const char *kind,
                            const char *public_id,
                            const unsigned char hash[MG_TOKEN_HASH_LEN])
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT hash FROM tokens WHERE public_id = ? AND "
                           "kind = ? AND revoked_at IS NOT NULL");

    *retired = 0;
    if (rc < 0)
        goto out;
    sqlite3_bind_text(stmt, 1, public_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, kind, -1, SQLITE_STATIC);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        *retired = sqlite3_column_bytes(stmt, 0) == MG_TOKEN_HASH_LEN &&
                   mg_auth_hash_equal(sqlite3_column_blob(stmt, 0), hash);
        rc = 0;
    } else {
        rc = rc == SQLITE_DONE ? 0
                               : store_fail(st, db, rc, "check retired secret");
    }
out:
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_outbox_has(int *found, struct mg_store *st, const char *dedupe_key)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT 1 FROM outbox WHERE dedupe_key = ?");

    *found = 0;
    if (rc < 0)
        goto out;
    sqlite3_bind_text(stmt, 1, dedupe_key, -1, SQLITE_STATIC);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
        *found = rc == SQLITE_ROW;
        rc = 0;
    } else {
        rc = store_fail(st, db, rc, "look up outbox key");
    }
out:
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_feed_mark(int64_t *modified, struct mg_store *st,
                       int64_t circle_id, int64_t participant_id,
                       int64_t group_id, const char *sha256, int64_t now)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    char subject[32];
    int rc;

    snprintf(subject, sizeof(subject), "%c%lld", participant_id ? 'p' : 'g',
             (long long)(participant_id ? participant_id : group_id));
    rc = store_prepare(&stmt, st, db,
                       "SELECT sha256, modified FROM feed_marks WHERE "
                       "subject = ?");

    if (rc < 0)
        goto out;
    sqlite3_bind_text(stmt, 1, subject, -1, SQLITE_TRANSIENT);
    rc = store_step_row(st, db, stmt, MG_ENOTFOUND, "read feed mark");
    if (rc == 0 &&
        strcmp((const char *)sqlite3_column_text(stmt, 0), sha256) == 0) {
        /* the body it was last served with: the same Last-Modified */
        *modified = sqlite3_column_int64(stmt, 1);
        goto out;
    }
    if (rc < 0 && rc != MG_ENOTFOUND)
        goto out;
    sqlite3_finalize(stmt);
    stmt = NULL;
    /* One statement, so two renders racing cannot both move it: a body
     * not the one marked is marked now, or a second after the mark when
     * the clock has not moved past it (a 304 for a date already given
     * out must never stand for a different body). */
    rc = store_prepare(
        &stmt, st, db,
        "INSERT INTO feed_marks (subject, circle_id, participant_id, "
        "group_id, sha256, modified) VALUES (?1, ?2, ?5, ?6, ?3, ?4) ON "
        "CONFLICT (subject) DO UPDATE SET "
        "modified = CASE WHEN sha256 = excluded.sha256 THEN modified ELSE "
        "max(excluded.modified, modified + 1) END, sha256 = excluded.sha256 "
        "RETURNING modified");
    if (rc < 0)
        goto out;
    sqlite3_bind_text(stmt, 1, subject, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(stmt, 2, circle_id);
    sqlite3_bind_text(stmt, 3, sha256, -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 4, now);
    if (participant_id)
        sqlite3_bind_int64(stmt, 5, participant_id);
    else
        sqlite3_bind_int64(stmt, 6, group_id);
    rc = store_step_row(st, db, stmt, MG_EDB, "mark feed");
    if (rc == 0)
        *modified = sqlite3_column_int64(stmt, 0);
out:
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}
