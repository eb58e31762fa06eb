/*
 * plenaries.c: plenary sessions and their registrations (seats). Only
 * loads and saves: the waitlist rules and the mail they call for are the
 * plenary module's, which runs them inside one store transaction.
 */
#include "internal.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "banned.h"

#define PLENARY_COLUMNS                                                        \
    "p.id, p.circle_id, p.title, p.guest, p.starts_at, p.minutes, "            \
    "p.weeks, p.capacity, p.uid, p.sequence, p.status, p.created_at, "         \
    "(SELECT count(*) FROM registrations r WHERE r.plenary_id = p.id AND "     \
    "r.status = 'registered'), (SELECT count(*) FROM registrations r WHERE "   \
    "r.plenary_id = p.id AND r.status = 'waitlisted'), "                       \
    "coalesce((SELECT t.target FROM plenary_targets t WHERE t.plenary_id = "   \
    "p.id), 0), (SELECT r.call_url FROM plenary_rooms r WHERE r.plenary_id "   \
    "= p.id)"

static const char *const plenary_names[] = {"confirmed", "cancelled"};

const char *mg_store_plenary_status_name(enum mg_store_plenary_status s)
{
    return store_enum_name(plenary_names, STORE_N_NAMES(plenary_names), (int)s);
}

static void read_plenary(struct mg_plenary_row *p, sqlite3_stmt *stmt)
{
    memset(p, 0, sizeof(*p));
    p->id = sqlite3_column_int64(stmt, 0);
    p->circle_id = sqlite3_column_int64(stmt, 1);
    p->title = store_column_strdup(stmt, 2);
    p->guest = store_column_strdup(stmt, 3);
    p->starts_at = sqlite3_column_int64(stmt, 4);
    p->minutes = sqlite3_column_int(stmt, 5);
    p->weeks = sqlite3_column_int(stmt, 6);
    p->capacity = sqlite3_column_int(stmt, 7);
    store_column_copy(p->uid, sizeof(p->uid), stmt, 8);
    p->sequence = sqlite3_column_int(stmt, 9);
    p->status = (enum mg_store_plenary_status)store_column_enum(
        stmt, 10, plenary_names, STORE_N_NAMES(plenary_names));
    p->created_at = sqlite3_column_int64(stmt, 11);
    p->registered = sqlite3_column_int(stmt, 12);
    p->waitlisted = sqlite3_column_int(stmt, 13);
    p->target = sqlite3_column_int(stmt, 14);
    p->call_url = store_column_strdup(stmt, 15);
}

void mg_store_plenary_release(struct mg_plenary_row *p)
{
    if (!p)
        return;
    free(p->title);
    free(p->guest);
    free(p->call_url);
    p->title = NULL;
    p->guest = NULL;
    p->call_url = NULL;
}

void mg_store_plenaries_free(struct mg_plenary_row *rows, size_t n)
{
    size_t i;

    for (i = 0; rows && i < n; i++)
        mg_store_plenary_release(&rows[i]);
    free(rows);
}

int mg_store_plenary_create(struct mg_store *st, struct mg_plenary_row *p)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "INSERT INTO plenaries (circle_id, title, guest, "
                           "starts_at, minutes, weeks, capacity, uid, "
                           "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");

    /* the plenary and its own call link in one transaction */
    if (rc == 0)
        rc = store_begin(st, db);
    if (rc < 0)
        goto out;
    p->created_at = mg_now();
    sqlite3_bind_int64(stmt, 1, p->circle_id);
    sqlite3_bind_text(stmt, 2, p->title, -1, SQLITE_STATIC);
    store_bind_text_or_null(stmt, 3, p->guest);
    sqlite3_bind_int64(stmt, 4, p->starts_at);
    sqlite3_bind_int(stmt, 5, p->minutes);
    sqlite3_bind_int(stmt, 6, p->weeks);
    sqlite3_bind_int(stmt, 7, p->capacity);
    sqlite3_bind_text(stmt, 8, p->uid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 9, p->created_at);
    rc = store_step(st, db, stmt, "insert plenary");
    if (rc == 0)
        p->id = sqlite3_last_insert_rowid(db);
    if (rc == 0 && p->call_url && *p->call_url)
        rc = store_plenary_call_url(st, db, p->id, p->call_url);
    if (rc == 0)
        rc = store_commit(st, db);
    else
        store_rollback(db);
out:
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

static int get_plenary(struct mg_plenary_row *out, struct mg_store *st,
                       sqlite3 *db, int64_t circle_id, int64_t id)
{
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT " PLENARY_COLUMNS " FROM plenaries p "
                           "WHERE p.circle_id = ? AND p.id = ?");

    if (rc < 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, circle_id);
    sqlite3_bind_int64(stmt, 2, id);
    rc = store_step_row(st, db, stmt, MG_ENOTFOUND, "get plenary");
    if (rc == 0)
        read_plenary(out, stmt);
    sqlite3_finalize(stmt);
    return rc;
}

int mg_store_plenary_get(struct mg_plenary_row *out, struct mg_store *st,
                         int64_t circle_id, int64_t id)
{
    sqlite3 *db = store_acquire(st);
    int rc = get_plenary(out, st, db, circle_id, id);

    store_release(st, db);
    return rc;
}

static void read_plenary_row(void *row, sqlite3_stmt *stmt)
{
    read_plenary(row, stmt);
}

/* A person's plenaries carry their registration's last change. */
static void read_registered_row(void *row, sqlite3_stmt *stmt)
{
    struct mg_plenary_row *p = row;

    read_plenary(p, stmt);
    p->created_at = sqlite3_column_int64(stmt, 16);
    p->invite_sequence = sqlite3_column_int(stmt, 17);
}

static int list_plenaries(struct mg_plenary_row **out, size_t *n,
                          struct mg_store *st, int64_t circle_id,
                          int64_t participant_id)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    struct mg_plenary_row *rows = NULL;
    size_t count = 0;
    int rc = participant_id
                 ? store_prepare(&stmt, st, db,
                                 "SELECT " PLENARY_COLUMNS ", g.updated_at, "
                                 "coalesce(g.invite_sequence, -1) "
                                 "FROM plenaries p JOIN registrations g ON "
                                 "g.plenary_id = p.id WHERE p.circle_id = ? "
                                 "AND g.participant_id = ? AND g.status = "
                                 "'registered' ORDER BY p.starts_at, p.id")
                 : store_prepare(&stmt, st, db,
                                 "SELECT " PLENARY_COLUMNS
                                 " FROM plenaries p WHERE p.circle_id = ? "
                                 "ORDER BY p.starts_at, p.id");

    if (rc < 0)
        goto out;
    sqlite3_bind_int64(stmt, 1, circle_id);
    if (participant_id)
        sqlite3_bind_int64(stmt, 2, participant_id);
    rc =
        store_rows_read((void **)&rows, &count, sizeof(*rows), st, db, stmt,
                        participant_id ? read_registered_row : read_plenary_row,
                        "list plenaries");
    if (rc < 0)
        goto out;
    *out = rows;
    *n = count;
    rows = NULL;
    count = 0;
out:
    mg_store_plenaries_free(rows, count);
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_plenaries_list(struct mg_plenary_row **out, size_t *n,
                            struct mg_store *st, int64_t circle_id)
{
    return list_plenaries(out, n, st, circle_id, 0);
}

int mg_store_plenaries_for_participant(struct mg_plenary_row **out, size_t *n,
                                       struct mg_store *st, int64_t circle_id,
                                       int64_t participant_id)
{
    return list_plenaries(out, n, st, circle_id, participant_id);
}

static const char *const seat_names[] = {"registered", "waitlisted", "declined",
                                         "withdrawn"};

const char *mg_store_seat_status_name(enum mg_store_seat_status s)
{
    if ((size_t)s < sizeof(seat_names) / sizeof(seat_names[0]))
        return seat_names[s];
    return "withdrawn";
}

/* Unknown text (a row written by a newer mingle) reads as withdrawn:
 * such a seat holds no place. */
static enum mg_store_seat_status seat_status_parse(const char *name)
{
    size_t i;

    for (i = 0; name && i < sizeof(seat_names) / sizeof(seat_names[0]); i++)
        if (strcmp(name, seat_names[i]) == 0)
            return (enum mg_store_seat_status)i;
    return MG_STORE_SEAT_WITHDRAWN;
}

int mg_store_tx_plenary_get(struct mg_plenary_row *out, struct mg_store_tx *tx,
                            int64_t circle_id, int64_t id)
{
    return get_plenary(out, store_tx_store(tx), store_tx_db(tx), circle_id, id);
}

int mg_store_tx_plenary_head(struct mg_plenary_row *out, struct mg_store_tx *tx,
                             int64_t circle_id, int64_t id)
{
    struct mg_store *st = store_tx_store(tx);
    sqlite3 *db = store_tx_db(tx);
    sqlite3_stmt *stmt = NULL;
    /* the same columns with the counts left at 0: counting walks every
     * registration of the plenary */
    int rc = store_prepare(
        &stmt, st, db,
        "SELECT p.id, p.circle_id, p.title, p.guest, p.starts_at, "
        "p.minutes, p.weeks, p.capacity, p.uid, p.sequence, p.status, "
        "p.created_at, 0, 0, 0, (SELECT r.call_url FROM plenary_rooms r "
        "WHERE r.plenary_id = p.id) FROM plenaries p WHERE p.circle_id = ? "
        "AND p.id = ?");

    if (rc < 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, circle_id);
    sqlite3_bind_int64(stmt, 2, id);
    rc = store_step_row(st, db, stmt, MG_ENOTFOUND, "get plenary");
    if (rc == 0)
        read_plenary(out, stmt);
    sqlite3_finalize(stmt);
    return rc;
}

static void read_seat(void *row, sqlite3_stmt *stmt)
{
    struct mg_store_seat *s = row;

    s->participant_id = sqlite3_column_int64(stmt, 0);
    s->status = seat_status_parse((const char *)sqlite3_column_text(stmt, 1));
    s->position = sqlite3_column_int(stmt, 2);
    s->invite_sequence = sqlite3_column_int(stmt, 3);
}

int mg_store_tx_seats_load(struct mg_store_seat **out, size_t *n,
                           struct mg_store_tx *tx, int64_t plenary_id)
{
    struct mg_store *st = store_tx_store(tx);
    sqlite3 *db = store_tx_db(tx);
    sqlite3_stmt *stmt = NULL;
    struct mg_store_seat *rows = NULL;
    size_t count = 0;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT participant_id, status, position, "
                           "coalesce(invite_sequence, -1) FROM registrations "
                           "WHERE plenary_id = ? ORDER BY status <> "
                           "'registered', position, participant_id");

    if (rc < 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, plenary_id);
    rc = store_rows_read((void **)&rows, &count, sizeof(*rows), st, db, stmt,
                         read_seat, "load registrations");
    sqlite3_finalize(stmt);
    if (rc < 0) {
        free(rows);
        return rc;
    }
    *out = rows;
    *n = count;
    return 0;
}

int mg_store_tx_seat_save(struct mg_store_tx *tx, int64_t plenary_id,
                          const struct mg_store_seat *s)
{
    struct mg_store *st = store_tx_store(tx);
    sqlite3 *db = store_tx_db(tx);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(
        &stmt, st, db,
        "INSERT INTO registrations (plenary_id, participant_id, status, "
        "position, invite_sequence, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, "
        "?6) ON CONFLICT (plenary_id, participant_id) DO UPDATE SET status = "
        "?3, position = ?4, invite_sequence = ?5, updated_at = ?6");

    if (rc < 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, plenary_id);
    sqlite3_bind_int64(stmt, 2, s->participant_id);
    sqlite3_bind_text(stmt, 3, mg_store_seat_status_name(s->status), -1,
                      SQLITE_STATIC);
    sqlite3_bind_int(stmt, 4, s->position);
    if (s->invite_sequence >= 0)
        sqlite3_bind_int(stmt, 5, s->invite_sequence);
    sqlite3_bind_int64(stmt, 6, mg_now());
    rc = store_step(st, db, stmt, "save registration");
    sqlite3_finalize(stmt);
    return rc;
}

int mg_store_tx_plenary_save(struct mg_store_tx *tx,
                             const struct mg_plenary_row *p)
{
    struct mg_store *st = store_tx_store(tx);
    sqlite3 *db = store_tx_db(tx);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "UPDATE plenaries SET title = ?, capacity = ?, "
                           "sequence = ? WHERE id = ?");

    if (rc < 0)
        return rc;
    sqlite3_bind_text(stmt, 1, p->title, -1, SQLITE_STATIC);
    sqlite3_bind_int(stmt, 2, p->capacity);
    sqlite3_bind_int(stmt, 3, p->sequence);
    sqlite3_bind_int64(stmt, 4, p->id);
    rc = store_step(st, db, stmt, "update plenary");
    sqlite3_finalize(stmt);
    return rc;
}

int mg_store_plenary_by_uid(int64_t *circle_id, int64_t *plenary_id,
                            int *sequence, struct mg_store *st, const char *uid)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT circle_id, id, sequence FROM plenaries "
                           "WHERE uid = ?");

    if (rc < 0)
        goto out;
    sqlite3_bind_text(stmt, 1, uid, -1, SQLITE_STATIC);
    rc = store_step_row(st, db, stmt, MG_ENOTFOUND, "find plenary");
    if (rc == 0) {
        *circle_id = sqlite3_column_int64(stmt, 0);
        *plenary_id = sqlite3_column_int64(stmt, 1);
        *sequence = sqlite3_column_int(stmt, 2);
    }
out:
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

void mg_store_registrations_free(struct mg_registration_row *rows, size_t n)
{
    size_t i;

    for (i = 0; rows && i < n; i++) {
        free(rows[i].name);
        free(rows[i].email);
    }
    free(rows);
}

static void read_registration(void *row, sqlite3_stmt *stmt)
{
    struct mg_registration_row *r = row;

    r->participant_id = sqlite3_column_int64(stmt, 0);
    r->name = store_column_strdup(stmt, 1);
    r->email = store_column_strdup(stmt, 2);
    r->status = seat_status_parse((const char *)sqlite3_column_text(stmt, 3));
    r->position = sqlite3_column_int(stmt, 4);
    r->updated_at = sqlite3_column_int64(stmt, 5);
}

int mg_store_plenary_registrations(struct mg_registration_row **out, size_t *n,
                                   struct mg_store *st, int64_t plenary_id,
                                   int by_status,
                                   enum mg_store_seat_status status, int limit,
                                   int offset)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    struct mg_registration_row *rows = NULL;
    size_t count = 0;
    int rc = store_prepare(
        &stmt, st, db,
        "SELECT r.participant_id, p.name, p.email, r.status, r.position, "
        "r.updated_at FROM registrations r JOIN participants p ON p.id = "
        "r.participant_id WHERE r.plenary_id = ?1 AND (?2 IS NULL OR "
        "r.status = ?2) ORDER BY CASE r.status WHEN 'registered' THEN 0 WHEN "
        "'waitlisted' THEN 1 ELSE 2 END, r.position, r.participant_id LIMIT "
        "?3 OFFSET ?4");

    *out = NULL;
    *n = 0;
    if (rc < 0)
        goto out;
    sqlite3_bind_int64(stmt, 1, plenary_id);
    if (by_status)
        sqlite3_bind_text(stmt, 2, mg_store_seat_status_name(status), -1,
                          SQLITE_STATIC);
    else
        sqlite3_bind_null(stmt, 2);
    sqlite3_bind_int(stmt, 3, limit > 0 ? limit : -1);
    sqlite3_bind_int(stmt, 4, offset > 0 ? offset : 0);
    rc = store_rows_read((void **)&rows, &count, sizeof(*rows), st, db, stmt,
                         read_registration, "list registrations");
    if (rc == 0) {
        *out = rows;
        *n = count;
        rows = NULL;
        count = 0;
    }
out:
    sqlite3_finalize(stmt);
    mg_store_registrations_free(rows, count);
    store_release(st, db);
    return rc;
}

int mg_store_tx_seat_get(struct mg_store_seat *out, struct mg_store_tx *tx,
                         int64_t plenary_id, int64_t participant_id)
{
    struct mg_store *st = store_tx_store(tx);
    sqlite3 *db = store_tx_db(tx);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT participant_id, status, position, "
                           "coalesce(invite_sequence, -1) FROM registrations "
                           "WHERE plenary_id = ? AND participant_id = ?");

    if (rc < 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, plenary_id);
    sqlite3_bind_int64(stmt, 2, participant_id);
    rc = store_step_row(st, db, stmt, MG_ENOTFOUND, "get registration");
    if (rc == 0) {
        memset(out, 0, sizeof(*out));
        read_seat(out, stmt);
    }
    sqlite3_finalize(stmt);
    return rc;
}

/* --- answers ------------------------------------------------------------ */

void mg_store_plenary_rsvps_free(struct mg_plenary_rsvp_row *rows, size_t n)
{
    size_t i;

    for (i = 0; rows && i < n; i++)
        free(rows[i].name);
    free(rows);
}

int mg_store_tx_plenary_rsvp_save(struct mg_store_tx *tx, int64_t plenary_id,
                                  int64_t participant_id, int first, int last,
                                  enum mg_store_rsvp_status status,
                                  const char *source, int sequence)
{
    struct mg_store *st = store_tx_store(tx);
    sqlite3 *db = store_tx_db(tx);
    sqlite3_stmt *stmt = NULL;
    int64_t now = mg_now();
    int week, rc = store_prepare(
                  &stmt, st, db,
                  "INSERT INTO plenary_rsvps (plenary_id, participant_id, "
                  "week, status, source, sequence, updated_at) VALUES (?, ?, "
                  "?, ?, ?, ?, ?) ON CONFLICT (plenary_id, participant_id, "
                  "week) DO UPDATE SET status = excluded.status, source = "
                  "excluded.source, sequence = excluded.sequence, updated_at "
                  "= excluded.updated_at WHERE plenary_rsvps.sequence <= "
                  "excluded.sequence");

    for (week = first; rc == 0 && week <= last; week++) {
        sqlite3_bind_int64(stmt, 1, plenary_id);
        sqlite3_bind_int64(stmt, 2, participant_id);
        sqlite3_bind_int(stmt, 3, week);
        sqlite3_bind_text(stmt, 4, mg_store_rsvp_status_name(status), -1,
                          SQLITE_STATIC);
        sqlite3_bind_text(stmt, 5, source, -1, SQLITE_STATIC);
        sqlite3_bind_int(stmt, 6, sequence);
        sqlite3_bind_int64(stmt, 7, now);
        rc = store_step(st, db, stmt, "save plenary rsvp");
    }
    sqlite3_finalize(stmt);
    return rc;
}

int mg_store_tx_plenary_rsvps_clear(struct mg_store_tx *tx, int64_t plenary_id,
                                    int64_t participant_id)
{
    struct mg_store *st = store_tx_store(tx);
    sqlite3 *db = store_tx_db(tx);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "DELETE FROM plenary_rsvps WHERE plenary_id = ? AND "
                           "participant_id = ?");

    if (rc < 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, plenary_id);
    sqlite3_bind_int64(stmt, 2, participant_id);
    rc = store_step(st, db, stmt, "clear plenary rsvps");
    sqlite3_finalize(stmt);
    return rc;
}

static void read_plenary_rsvp(void *row, sqlite3_stmt *stmt)
{
    struct mg_plenary_rsvp_row *r = row;

    r->participant_id = sqlite3_column_int64(stmt, 0);
    r->name = store_column_strdup(stmt, 1);
    r->week = sqlite3_column_int(stmt, 2);
    r->status = store_read_rsvp_status(stmt, 3);
    store_column_copy(r->source, sizeof(r->source), stmt, 4);
    r->sequence = sqlite3_column_int(stmt, 5);
    r->updated_at = sqlite3_column_int64(stmt, 6);
}

int mg_store_plenary_rsvps(struct mg_plenary_rsvp_row **out, size_t *n,
                           struct mg_store *st, int64_t plenary_id, int limit,
                           int offset)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    struct mg_plenary_rsvp_row *rows = NULL;
    size_t count = 0;
    int rc = store_prepare(
        &stmt, st, db,
        "SELECT a.participant_id, p.name, a.week, a.status, a.source, "
        "a.sequence, a.updated_at FROM plenary_rsvps a JOIN participants p "
        "ON p.id = a.participant_id WHERE a.plenary_id = ?1 ORDER BY a.week, "
        "a.participant_id LIMIT ?2 OFFSET ?3");

    *out = NULL;
    *n = 0;
    if (rc < 0)
        goto out;
    sqlite3_bind_int64(stmt, 1, plenary_id);
    sqlite3_bind_int(stmt, 2, limit > 0 ? limit : -1);
    sqlite3_bind_int(stmt, 3, offset > 0 ? offset : 0);
    rc = store_rows_read((void **)&rows, &count, sizeof(*rows), st, db, stmt,
                         read_plenary_rsvp, "list plenary rsvps");
    if (rc == 0) {
        *out = rows;
        *n = count;
        rows = NULL;
        count = 0;
    }
out:
    sqlite3_finalize(stmt);
    mg_store_plenary_rsvps_free(rows, count);
    store_release(st, db);
    return rc;
}

int mg_store_plenary_rsvp_counts(struct mg_plenary_rsvp_count **out,
                                 struct mg_store *st, int64_t plenary_id,
                                 int weeks)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    struct mg_plenary_rsvp_count *c;
    int i, rc = store_prepare(
               &stmt, st, db,
               "SELECT week, status, count(*) FROM plenary_rsvps WHERE "
               "plenary_id = ? GROUP BY week, status");

    *out = NULL;
    c = mg_xcalloc((size_t)(weeks > 0 ? weeks : 0) + 1, sizeof(*c));
    for (i = 0; i < weeks; i++)
        c[i].week = i + 1;
    if (rc == 0)
        sqlite3_bind_int64(stmt, 1, plenary_id);
    while (rc == 0) {
        int step = sqlite3_step(stmt), week, count;

        if (step == SQLITE_DONE)
            break;
        if (step != SQLITE_ROW) {
            rc = store_fail(st, db, step, "count plenary rsvps");
            break;
        }
        week = sqlite3_column_int(stmt, 0);
        count = sqlite3_column_int(stmt, 2);
        if (week < 1 || week > weeks)
            continue;
        switch (store_read_rsvp_status(stmt, 1)) {
        case MG_STORE_RSVP_ACCEPTED:
            c[week - 1].accepted = count;
            break;
        case MG_STORE_RSVP_DECLINED:
            c[week - 1].declined = count;
            break;
        case MG_STORE_RSVP_TENTATIVE:
            c[week - 1].tentative = count;
            break;
        default:
            break;
        }
    }
    sqlite3_finalize(stmt);
    store_release(st, db);
    if (rc < 0) {
        free(c);
        return rc;
    }
    *out = c;
    return 0;
}
