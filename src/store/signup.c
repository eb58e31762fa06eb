/*
 * signup.c: the sign-up page's rows: a circle's settings, and what a
 * person who signed up themselves brings beside their participant row
 * (table signups, erased with them).
 * Which status a confirmed person gets, and when a mail may go, are the
 * signup glue's rules; this file reads and writes.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include "mingle/store/signup.h"

#include "banned.h"

int mg_store_signup_get(struct mg_signup_settings *out, struct mg_store *st,
                        int64_t circle_id)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(
        &stmt, st, db,
        "SELECT state = 'open', closes_at, capacity, sectors, regions, "
        "notice, auto_place, updated_at FROM signup_settings WHERE "
        "circle_id = ?");

    memset(out, 0, sizeof(*out));
    out->circle_id = circle_id;
    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, circle_id);
        rc = store_step_row(st, db, stmt, MG_ENOTFOUND, "read sign-up");
    }
    if (rc == 0) {
        out->open = sqlite3_column_int(stmt, 0);
        out->closes_at = sqlite3_column_int64(stmt, 1);
        out->capacity = sqlite3_column_int(stmt, 2);
        out->sectors = store_column_strdup(stmt, 3);
        out->regions = store_column_strdup(stmt, 4);
        out->notice = store_column_strdup(stmt, 5);
        out->auto_place = sqlite3_column_int(stmt, 6);
        out->updated_at = sqlite3_column_int64(stmt, 7);
    } else if (rc == MG_ENOTFOUND) {
        rc = 0;
    }
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_signup_put(struct mg_store *st, struct mg_signup_settings *s)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(
        &stmt, st, db,
        "INSERT INTO signup_settings (circle_id, state, closes_at, capacity, "
        "sectors, regions, notice, auto_place, updated_at) VALUES (?, ?, ?, "
        "?, ?, ?, ?, ?, ?) ON CONFLICT (circle_id) DO UPDATE SET state = "
        "excluded.state, closes_at = excluded.closes_at, capacity = "
        "excluded.capacity, sectors = excluded.sectors, regions = "
        "excluded.regions, notice = excluded.notice, auto_place = "
        "excluded.auto_place, updated_at = excluded.updated_at");

    if (rc == 0) {
        s->updated_at = mg_now();
        sqlite3_bind_int64(stmt, 1, s->circle_id);
        sqlite3_bind_text(stmt, 2, s->open ? "open" : "closed", -1,
                          SQLITE_STATIC);
        sqlite3_bind_int64(stmt, 3, s->closes_at);
        sqlite3_bind_int(stmt, 4, s->capacity);
        store_bind_text_or_null(stmt, 5, s->sectors);
        store_bind_text_or_null(stmt, 6, s->regions);
        store_bind_text_or_null(stmt, 7, s->notice);
        sqlite3_bind_int(stmt, 8, s->auto_place ? 1 : 0);
        sqlite3_bind_int64(stmt, 9, s->updated_at);
        rc = store_step(st, db, stmt, "save sign-up settings");
    }
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_signup_mark(struct mg_store *st, int64_t circle_id, int64_t pid,
                         const struct mg_signup_mark *m)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(
        &stmt, st, db,
        "INSERT INTO signups (participant_id, circle_id, volunteer, "
        "consent_version, consent_at, expires_at) SELECT id, circle_id, ?1, "
        "?2, ?3, ?4 FROM participants WHERE id = ?5 AND circle_id = ?6 ON "
        "CONFLICT (participant_id) DO UPDATE SET volunteer = "
        "excluded.volunteer, consent_version = excluded.consent_version, "
        "consent_at = excluded.consent_at, expires_at = excluded.expires_at");

    if (rc == 0) {
        sqlite3_bind_int(stmt, 1, m->volunteer ? 1 : 0);
        store_bind_text_or_null(stmt, 2, m->consent_version);
        sqlite3_bind_int64(stmt, 3, m->consent_at);
        if (m->expires_at)
            sqlite3_bind_int64(stmt, 4, m->expires_at);
        else
            sqlite3_bind_null(stmt, 4);
        sqlite3_bind_int64(stmt, 5, pid);
        sqlite3_bind_int64(stmt, 6, circle_id);
        rc = store_step(st, db, stmt, "mark a sign-up");
        if (rc == 0 && sqlite3_changes(db) == 0)
            rc = MG_ENOTFOUND;
    }
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_signup_mark_get(int *volunteer, char **consent_version,
                             int64_t *consent_at, struct mg_store *st,
                             int64_t circle_id, int64_t pid)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT coalesce(s.volunteer, 0), "
                           "s.consent_version, coalesce(s.consent_at, 0) "
                           "FROM participants p LEFT JOIN signups s ON "
                           "s.participant_id = p.id WHERE p.id = ? AND "
                           "p.circle_id = ?");

    *consent_version = NULL;
    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, pid);
        sqlite3_bind_int64(stmt, 2, circle_id);
        rc = store_step_row(st, db, stmt, MG_ENOTFOUND, "read a sign-up");
    }
    if (rc == 0) {
        *volunteer = sqlite3_column_int(stmt, 0);
        *consent_version = store_column_strdup(stmt, 1);
        *consent_at = sqlite3_column_int64(stmt, 2);
    }
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_signup_mail_claim(int *granted, int *attempt, struct mg_store *st,
                               int64_t circle_id, int64_t pid, int64_t now,
                               int64_t gap)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(
        &stmt, st, db,
        "INSERT INTO signups (participant_id, circle_id, mails, mail_at) "
        "SELECT id, circle_id, 1, ?1 FROM participants WHERE id = ?2 AND "
        "circle_id = ?3 ON CONFLICT (participant_id) DO UPDATE SET mails = "
        "mails + 1, mail_at = excluded.mail_at WHERE mail_at IS NULL OR "
        "mail_at <= excluded.mail_at - ?4 RETURNING mails");

    *granted = 0;
    *attempt = 0;
    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, now);
        sqlite3_bind_int64(stmt, 2, pid);
        sqlite3_bind_int64(stmt, 3, circle_id);
        sqlite3_bind_int64(stmt, 4, gap);
        rc = store_step_row(st, db, stmt, MG_ENOTFOUND, "claim a mail");
    }
    if (rc == 0) {
        *granted = 1;
        *attempt = sqlite3_column_int(stmt, 0);
    } else if (rc == MG_ENOTFOUND) {
        rc = 0;
    }
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

static void read_pair(void *row, sqlite3_stmt *stmt)
{
    int64_t *pair = row;

    pair[0] = sqlite3_column_int64(stmt, 0);
    pair[1] = sqlite3_column_int64(stmt, 1);
}

int mg_store_signup_expired(int64_t **ids, size_t *n, struct mg_store *st,
                            int64_t now, size_t max)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    void *rows = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT p.circle_id, p.id FROM signups s JOIN "
                           "participants p ON p.id = s.participant_id WHERE "
                           "s.expires_at <= ? AND p.status = 'pending' "
                           "ORDER BY s.expires_at LIMIT ?");

    *ids = NULL;
    *n = 0;
    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, now);
        sqlite3_bind_int64(stmt, 2, (sqlite3_int64)max);
        rc = store_rows_read(&rows, n, 2 * sizeof(int64_t), st, db, stmt,
                             read_pair, "list expired sign-ups");
    }
    *ids = rows;
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_tx_signup_counts(size_t *active, size_t *waiting,
                              int64_t *last_position, struct mg_store_tx *tx,
                              int64_t circle_id)
{
    struct mg_store *st = store_tx_store(tx);
    sqlite3 *db = store_tx_db(tx);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(
        &stmt, st, db,
        "SELECT (SELECT count(*) FROM participants WHERE circle_id = ?1 AND "
        "status = 'active'), (SELECT coalesce(max(s.waitlist_position), 0) "
        "FROM signups s JOIN participants p ON p.id = s.participant_id "
        "WHERE s.circle_id = ?1 AND p.status = 'waitlisted'), (SELECT "
        "count(*) FROM participants WHERE circle_id = ?1 AND status = "
        "'waitlisted')");

    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, circle_id);
        rc = store_step_row(st, db, stmt, MG_EDB, "count a circle");
    }
    if (rc == 0) {
        *active = (size_t)sqlite3_column_int64(stmt, 0);
        *last_position = sqlite3_column_int64(stmt, 1);
        *waiting = (size_t)sqlite3_column_int64(stmt, 2);
    }
    sqlite3_finalize(stmt);
    return rc;
}

int mg_store_tx_signup_status(int *changed, struct mg_store_tx *tx,
                              int64_t circle_id, int64_t pid, const char *from,
                              const char *status, int64_t position)
{
    struct mg_store *st = store_tx_store(tx);
    sqlite3 *db = store_tx_db(tx);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "UPDATE participants SET status = ?, updated_at = "
                           "? WHERE id = ? AND circle_id = ? AND status = ?");

    *changed = 0;
    if (rc == 0) {
        sqlite3_bind_text(stmt, 1, status, -1, SQLITE_STATIC);
        sqlite3_bind_int64(stmt, 2, mg_now());
        sqlite3_bind_int64(stmt, 3, pid);
        sqlite3_bind_int64(stmt, 4, circle_id);
        sqlite3_bind_text(stmt, 5, from, -1, SQLITE_STATIC);
        rc = store_step(st, db, stmt, "change a status");
        if (rc == 0)
            *changed = sqlite3_changes(db) > 0;
    }
    sqlite3_finalize(stmt);
    stmt = NULL;
    if (rc < 0 || !*changed)
        return rc;
    /* their place in the queue, and no expiry once they are not pending */
    rc = store_prepare(&stmt, st, db,
                       "INSERT INTO signups (participant_id, circle_id, "
                       "waitlist_position) VALUES (?1, ?2, ?3) ON CONFLICT "
                       "(participant_id) DO UPDATE SET waitlist_position = "
                       "excluded.waitlist_position, expires_at = NULL");
    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, pid);
        sqlite3_bind_int64(stmt, 2, circle_id);
        if (position)
            sqlite3_bind_int64(stmt, 3, position);
        else
            sqlite3_bind_null(stmt, 3);
        rc = store_step(st, db, stmt, "set a waitlist place");
    }
    sqlite3_finalize(stmt);
    return rc;
}

int mg_store_tx_signup_first_waiting(int64_t *pid, struct mg_store_tx *tx,
                                     int64_t circle_id)
{
    struct mg_store *st = store_tx_store(tx);
    sqlite3 *db = store_tx_db(tx);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(
        &stmt, st, db,
        "SELECT p.id FROM participants p LEFT JOIN signups s ON "
        "s.participant_id = p.id WHERE p.circle_id = ? AND p.status = "
        "'waitlisted' ORDER BY s.waitlist_position IS NULL, "
        "s.waitlist_position, p.created_at, p.id LIMIT 1");

    *pid = 0;
    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, circle_id);
        rc = store_step_row(st, db, stmt, MG_ENOTFOUND, "first waiting");
    }
    if (rc == 0)
        *pid = sqlite3_column_int64(stmt, 0);
    else if (rc == MG_ENOTFOUND)
        rc = 0;
    sqlite3_finalize(stmt);
    return rc;
}

int mg_store_signup_place(int *place, struct mg_store *st, int64_t circle_id,
                          int64_t pid)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(
        &stmt, st, db,
        "SELECT CASE WHEN p.status != 'waitlisted' THEN 0 ELSE (SELECT "
        "count(*) FROM participants w LEFT JOIN signups ws ON "
        "ws.participant_id = w.id WHERE w.circle_id = p.circle_id AND "
        "w.status = 'waitlisted' AND (coalesce(ws.waitlist_position, 1 << "
        "62), w.created_at, w.id) <= (coalesce(s.waitlist_position, 1 << 62), "
        "p.created_at, p.id)) END FROM participants p LEFT JOIN signups s ON "
        "s.participant_id = p.id WHERE p.id = ? AND p.circle_id = ?");

    *place = 0;
    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, pid);
        sqlite3_bind_int64(stmt, 2, circle_id);
        rc = store_step_row(st, db, stmt, MG_ENOTFOUND, "waitlist place");
    }
    if (rc == 0)
        *place = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_signup_counts(size_t *waiting, size_t *pending, size_t *unplaced,
                           struct mg_store *st, int64_t circle_id)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(
        &stmt, st, db,
        "SELECT coalesce(sum(p.status = 'waitlisted'), 0), "
        "coalesce(sum(p.status = 'pending'), 0), coalesce(sum(p.status = "
        "'active' AND NOT EXISTS (SELECT 1 FROM memberships m WHERE "
        "m.participant_id = p.id)), 0) FROM participants p WHERE "
        "p.circle_id = ?");

    *waiting = *pending = *unplaced = 0;
    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, circle_id);
        rc = store_step_row(st, db, stmt, MG_EDB, "count sign-ups");
    }
    if (rc == 0) {
        *waiting = (size_t)sqlite3_column_int64(stmt, 0);
        *pending = (size_t)sqlite3_column_int64(stmt, 1);
        *unplaced = (size_t)sqlite3_column_int64(stmt, 2);
    }
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

void mg_signup_volunteers_free(struct mg_signup_volunteer *v, size_t n)
{
    size_t i;

    for (i = 0; v && i < n; i++) {
        free(v[i].name);
        free(v[i].email);
    }
    free(v);
}

static void read_volunteer(void *row, sqlite3_stmt *stmt)
{
    struct mg_signup_volunteer *v = row;

    v->id = sqlite3_column_int64(stmt, 0);
    v->name = store_column_strdup(stmt, 1);
    v->email = store_column_strdup(stmt, 2);
    store_column_copy(v->status, sizeof(v->status), stmt, 3);
}

int mg_store_signup_volunteers(struct mg_signup_volunteer **out, size_t *n,
                               struct mg_store *st, int64_t circle_id,
                               size_t max)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    void *rows = NULL;
    int rc = store_prepare(
        &stmt, st, db,
        "SELECT p.id, p.name, p.email, p.status FROM signups s JOIN "
        "participants p ON p.id = s.participant_id WHERE s.circle_id = ? AND "
        "s.volunteer AND p.role = 'participant' AND p.status IN ('active', "
        "'waitlisted') ORDER BY p.id LIMIT ?");

    *out = NULL;
    *n = 0;
    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, circle_id);
        sqlite3_bind_int64(stmt, 2, (sqlite3_int64)max);
        rc = store_rows_read(&rows, n, sizeof(**out), st, db, stmt,
                             read_volunteer, "list volunteers");
    }
    *out = rows;
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_signup_has_groups(int *yes, struct mg_store *st, int64_t circle_id)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(
        &stmt, st, db,
        "SELECT EXISTS (SELECT 1 FROM groups WHERE circle_id = ?)");

    *yes = 0;
    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, circle_id);
        rc = store_step_row(st, db, stmt, MG_EDB, "look for groups");
    }
    if (rc == 0)
        *yes = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}
