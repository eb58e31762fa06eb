/*
 * plenaries.c: plenary sessions and their registrations. A change runs
 * the waitlist rules (plenary.h) inside one write transaction and queues
 * the mail the caller builds for each affected person in that same
 * transaction, so a place is never given twice and never left unsent.
 */
#include "internal.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#define PLENARY_COLUMNS                                                        \
    "p.id, p.circle_id, p.title, p.guest, p.starts_at, p.minutes, "            \
    "p.weeks, p.capacity, p.uid, p.sequence, p.status, p.created_at, "         \
    "(SELECT count(*) FROM registrations r WHERE r.plenary_id = p.id AND "     \
    "r.status = 'registered'), (SELECT count(*) FROM registrations r WHERE "   \
    "r.plenary_id = p.id AND r.status = 'waitlisted')"

static void copy_text(char *dst, size_t n, sqlite3_stmt *stmt, int col)
{
    const char *s = (const char *)sqlite3_column_text(stmt, col);

    snprintf(dst, n, "%s", s ? s : "");
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
    copy_text(p->uid, sizeof(p->uid), stmt, 8);
    p->sequence = sqlite3_column_int(stmt, 9);
    copy_text(p->status, sizeof(p->status), stmt, 10);
    p->created_at = sqlite3_column_int64(stmt, 11);
    p->registered = sqlite3_column_int(stmt, 12);
    p->waitlisted = sqlite3_column_int(stmt, 13);
}

void mg_plenary_row_release(struct mg_plenary_row *p)
{
    if (!p)
        return;
    free(p->title);
    free(p->guest);
    p->title = NULL;
    p->guest = NULL;
}

void mg_plenary_rows_free(struct mg_plenary_row *rows, size_t n)
{
    size_t i;

    for (i = 0; rows && i < n; i++)
        mg_plenary_row_release(&rows[i]);
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
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        read_plenary(out, stmt);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = MG_ENOTFOUND;
    } else {
        rc = store_fail(st, db, rc, "get plenary");
    }
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

static int list_plenaries(struct mg_plenary_row **out, size_t *n,
                          struct mg_store *st, int64_t circle_id,
                          int64_t participant_id)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    struct mg_plenary_row *rows = NULL;
    size_t count = 0, cap = 0;
    int rc = participant_id
                 ? store_prepare(&stmt, st, db,
                                 "SELECT " PLENARY_COLUMNS ", g.updated_at "
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
    for (;;) {
        int step = sqlite3_step(stmt);

        if (step == SQLITE_DONE)
            break;
        if (step != SQLITE_ROW) {
            rc = store_fail(st, db, step, "list plenaries");
            goto out;
        }
        if (count == cap) {
            cap = cap ? cap * 2 : 8;
            rows = mg_xrealloc(rows, cap * sizeof(*rows));
        }
        read_plenary(&rows[count], stmt);
        if (participant_id)
            rows[count].created_at = sqlite3_column_int64(stmt, 14);
        count++;
    }
    *out = rows;
    *n = count;
    rows = NULL;
    count = 0;
out:
    mg_plenary_rows_free(rows, count);
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

void mg_registration_rows_free(struct mg_registration_row *rows, size_t n)
{
    size_t i;

    for (i = 0; rows && i < n; i++) {
        free(rows[i].name);
        free(rows[i].email);
    }
    free(rows);
}

int mg_store_plenary_registrations(struct mg_registration_row **out, size_t *n,
                                   struct mg_store *st, int64_t plenary_id,
                                   const char *status, int limit, int offset)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    struct mg_registration_row *rows = NULL;
    size_t count = 0, cap = 0;
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
    store_bind_text_or_null(stmt, 2, status);
    sqlite3_bind_int(stmt, 3, limit > 0 ? limit : -1);
    sqlite3_bind_int(stmt, 4, offset > 0 ? offset : 0);
    for (;;) {
        int step = sqlite3_step(stmt);
        struct mg_registration_row *row;
        const unsigned char *text;

        if (step == SQLITE_DONE)
            break;
        if (step != SQLITE_ROW) {
            rc = store_fail(st, db, step, "list registrations");
            goto out;
        }
        if (count == cap) {
            cap = cap ? cap * 2 : 16;
            rows = mg_xrealloc(rows, cap * sizeof(*rows));
        }
        row = &rows[count++];
        memset(row, 0, sizeof(*row));
        row->participant_id = sqlite3_column_int64(stmt, 0);
        row->name = store_column_strdup(stmt, 1);
        row->email = store_column_strdup(stmt, 2);
        text = sqlite3_column_text(stmt, 3);
        snprintf(row->status, sizeof(row->status), "%s",
                 text ? (const char *)text : "");
        row->position = sqlite3_column_int(stmt, 4);
        row->updated_at = sqlite3_column_int64(stmt, 5);
    }
    *out = rows;
    *n = count;
    rows = NULL;
    count = 0;
out:
    sqlite3_finalize(stmt);
    mg_registration_rows_free(rows, count);
    store_release(st, db);
    return rc;
}

static int load_seats(struct mg_plenary_seat **out, size_t *n,
                      struct mg_store *st, sqlite3 *db, int64_t plenary_id)
{
    sqlite3_stmt *stmt = NULL;
    struct mg_plenary_seat *seats = NULL;
    size_t count = 0, cap = 0;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT participant_id, status, position, "
                           "coalesce(invite_sequence, -1) FROM registrations "
                           "WHERE plenary_id = ? ORDER BY status <> "
                           "'registered', position, participant_id");

    if (rc < 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, plenary_id);
    for (;;) {
        int step = sqlite3_step(stmt);
        struct mg_plenary_seat *s;

        if (step == SQLITE_DONE)
            break;
        if (step != SQLITE_ROW) {
            rc = store_fail(st, db, step, "load registrations");
            break;
        }
        /* one spare for a newcomer */
        if (count + 1 >= cap) {
            cap = cap ? cap * 2 : 16;
            seats = mg_xrealloc(seats, cap * sizeof(*seats));
        }
        s = &seats[count++];
        memset(s, 0, sizeof(*s));
        s->participant_id = sqlite3_column_int64(stmt, 0);
        if (mg_plenary_status_parse(
                &s->status, (const char *)sqlite3_column_text(stmt, 1)) < 0)
            s->status = MG_REG_WITHDRAWN;
        s->position = sqlite3_column_int(stmt, 2);
        s->invite_sequence = sqlite3_column_int(stmt, 3);
        s->mail = MG_SEAT_QUIET;
    }
    sqlite3_finalize(stmt);
    if (rc < 0) {
        free(seats);
        return rc;
    }
    if (!seats)
        seats = mg_xcalloc(1, sizeof(*seats));
    *out = seats;
    *n = count;
    return 0;
}

/* Whether `participant_id` is one of the circle's people. */
static int in_circle(struct mg_store *st, sqlite3 *db, int64_t circle_id,
                     int64_t participant_id)
{
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT 1 FROM participants WHERE id = ? AND "
                           "circle_id = ?");

    if (rc < 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, participant_id);
    sqlite3_bind_int64(stmt, 2, circle_id);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        rc = 0;
    else if (rc == SQLITE_DONE)
        rc = MG_ENOTFOUND;
    else
        rc = store_fail(st, db, rc, "find participant");
    sqlite3_finalize(stmt);
    return rc;
}

static void letter_release(struct mg_plenary_letter *l)
{
    free(l->kind);
    free(l->recipient);
    free(l->subject);
    free(l->message);
    free(l->parts);
    memset(l, 0, sizeof(*l));
}

/* Queue seat `s`'s message: its person's name and address, the letter,
 * the outbox row. */
static int queue_mail(size_t *queued, struct mg_store *st, sqlite3 *db,
                      const struct mg_plenary_row *p,
                      const struct mg_plenary_seat *s, mg_plenary_mail_fn mail,
                      void *arg)
{
    sqlite3_stmt *who = NULL, *ins = NULL;
    struct mg_plenary_letter l;
    char *key = NULL;
    int64_t now = mg_now();
    int rc;

    memset(&l, 0, sizeof(l));
    rc = store_prepare(&who, st, db,
                       "SELECT name, email FROM participants WHERE id = ?");
    if (rc < 0)
        goto out;
    sqlite3_bind_int64(who, 1, s->participant_id);
    rc = sqlite3_step(who);
    if (rc != SQLITE_ROW) {
        rc = rc == SQLITE_DONE ? MG_ENOTFOUND
                               : store_fail(st, db, rc, "find participant");
        goto out;
    }
    rc = mail(&l, p, s, (const char *)sqlite3_column_text(who, 0),
              (const char *)sqlite3_column_text(who, 1), arg);
    if (rc < 0)
        goto out;
    key =
        mg_xasprintf("plenary:%lld:%lld:%d:%s", (long long)p->id,
                     (long long)s->participant_id, s->invite_sequence, l.kind);
    rc = store_prepare(&ins, st, db,
                       "INSERT OR IGNORE INTO outbox (circle_id, kind, "
                       "recipient, subject, message, dedupe_key, "
                       "next_attempt_at, created_at, format, parts) VALUES "
                       "(?, ?, ?, ?, ?, ?, ?, ?, 'imip', ?)");
    if (rc < 0)
        goto out;
    sqlite3_bind_int64(ins, 1, p->circle_id);
    sqlite3_bind_text(ins, 2, l.kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 3, l.recipient, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 4, l.subject, -1, SQLITE_STATIC);
    sqlite3_bind_blob(ins, 5, l.message, (int)strlen(l.message), SQLITE_STATIC);
    sqlite3_bind_text(ins, 6, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(ins, 7, now);
    sqlite3_bind_int64(ins, 8, now);
    store_bind_text_or_null(ins, 9, l.parts);
    rc = store_step(st, db, ins, "queue plenary mail");
    if (rc == 0)
        *queued += (size_t)sqlite3_changes(db);
out:
    free(key);
    letter_release(&l);
    sqlite3_finalize(who);
    sqlite3_finalize(ins);
    return rc;
}

static int save_seat(struct mg_store *st, sqlite3 *db, int64_t plenary_id,
                     const struct mg_plenary_seat *s)
{
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
    sqlite3_bind_text(stmt, 3, mg_plenary_status_name(s->status), -1,
                      SQLITE_STATIC);
    sqlite3_bind_int(stmt, 4, s->position);
    if (s->invite_sequence >= 0)
        sqlite3_bind_int(stmt, 5, s->invite_sequence);
    sqlite3_bind_int64(stmt, 6, mg_now());
    rc = store_step(st, db, stmt, "save registration");
    sqlite3_finalize(stmt);
    return rc;
}

static int save_plenary(struct mg_store *st, sqlite3 *db,
                        const struct mg_plenary_row *p)
{
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

static size_t find_seat(const struct mg_plenary_seat *s, size_t n,
                        int64_t participant_id)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (s[i].participant_id == participant_id)
            break;
    return i;
}

/* Apply `op` to the loaded seats (array has room for one more). */
static int run_op(struct mg_plenary_row *p, struct mg_plenary_seat *seats,
                  size_t *n, const struct mg_plenary_op *op)
{
    size_t i, promoted;

    switch (op->kind) {
    case MG_PLENARY_REGISTER:
        i = find_seat(seats, *n, op->participant_id);
        if (i == *n) {
            memset(&seats[i], 0, sizeof(seats[i]));
            seats[i].participant_id = op->participant_id;
            seats[i].status = MG_REG_WITHDRAWN; /* not in yet */
            seats[i].invite_sequence = -1;
            seats[i].mail = MG_SEAT_QUIET;
            (*n)++;
        }
        mg_plenary_place(seats, *n, i, p->capacity);
        break;
    case MG_PLENARY_LEAVE:
        i = find_seat(seats, *n, op->participant_id);
        if (i == *n)
            return MG_ENOTFOUND;
        return mg_plenary_leave(&promoted, seats, *n, i, op->leave_as,
                                p->capacity);
    case MG_PLENARY_SET:
        if (op->capacity > 0)
            p->capacity = op->capacity;
        if (op->title && strcmp(op->title, p->title) != 0) {
            free(p->title);
            p->title = mg_xstrdup(op->title);
            p->sequence++;
            for (i = 0; i < *n; i++)
                if (seats[i].status == MG_REG_REGISTERED)
                    seats[i].mail = MG_SEAT_INVITE;
        }
        break;
    default:
        return MG_EINVAL;
    }
    /* a raised capacity (or a place left free) goes to the waitlist */
    mg_plenary_promote(seats, *n, p->capacity);
    return 0;
}

int mg_store_plenary_change(struct mg_plenary_seat **seats, size_t *n,
                            size_t *queued, struct mg_store *st,
                            int64_t circle_id, int64_t plenary_id,
                            const struct mg_plenary_op *op,
                            mg_plenary_mail_fn mail, void *arg)
{
    sqlite3 *db = store_acquire(st);
    struct mg_plenary_seat *s = NULL, *before = NULL;
    struct mg_plenary_row p;
    size_t count = 0, loaded = 0, i;
    int rc = store_begin(st, db), have = 0;

    memset(&p, 0, sizeof(p));
    *queued = 0;
    if (rc == 0)
        rc = get_plenary(&p, st, db, circle_id, plenary_id);
    have = rc == 0;
    if (rc == 0 && op->kind == MG_PLENARY_REGISTER)
        rc = in_circle(st, db, circle_id, op->participant_id);
    if (rc == 0)
        rc = load_seats(&s, &count, st, db, plenary_id);
    if (rc == 0) {
        before = mg_xmalloc((count + 1) * sizeof(*before));
        memcpy(before, s, count * sizeof(*before));
        loaded = count;
        rc = run_op(&p, s, &count, op);
    }
    for (i = 0; rc == 0 && i < count; i++) {
        int changed = i >= loaded || s[i].mail != MG_SEAT_QUIET ||
                      s[i].status != before[i].status ||
                      s[i].position != before[i].position;

        if (s[i].mail != MG_SEAT_QUIET) {
            int next = s[i].invite_sequence + 1;

            s[i].invite_sequence = next > p.sequence ? next : p.sequence;
        }
        if (changed)
            rc = save_seat(st, db, plenary_id, &s[i]);
        if (rc == 0 && s[i].mail != MG_SEAT_QUIET)
            rc = queue_mail(queued, st, db, &p, &s[i], mail, arg);
    }
    if (rc == 0 && op->kind == MG_PLENARY_SET)
        rc = save_plenary(st, db, &p);
    if (rc == 0)
        rc = store_commit(st, db);
    if (rc < 0) {
        store_rollback(db);
        *queued = 0;
        free(s);
        s = NULL;
        count = 0;
    }
    *seats = s;
    *n = count;
    free(before);
    if (have)
        mg_plenary_row_release(&p);
    store_release(st, db);
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
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        *circle_id = sqlite3_column_int64(stmt, 0);
        *plenary_id = sqlite3_column_int64(stmt, 1);
        *sequence = sqlite3_column_int(stmt, 2);
        rc = 0;
    } else {
        rc = rc == SQLITE_DONE ? MG_ENOTFOUND
                               : store_fail(st, db, rc, "find plenary");
    }
out:
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}
