/*
 * participants.c: the people of a circle with their slots, thread wishes
 * and with/apart links. Writes of a batch happen in one transaction, so
 * an import is all-or-nothing. Lists load a page of people and then their
 * slots, wishes and links with one query each for the whole page. An
 * erasure removes a person and every row that names them in one
 * transaction, then empties the WAL (secure_delete zeroes the bytes).
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

#define PERSON_COLUMNS                                                         \
    "p.id, p.circle_id, p.name, p.email, p.role, p.sector, p.region, "         \
    "p.time_zone, p.status, p.locked, p.created_at, p.updated_at, "            \
    "(SELECT m.group_id FROM memberships m WHERE m.participant_id = p.id "     \
    "AND m.left_at IS NULL)"

static void read_person(struct mg_participant *p, sqlite3_stmt *stmt)
{
    const unsigned char *s;

    memset(p, 0, sizeof(*p));
    p->id = sqlite3_column_int64(stmt, 0);
    p->circle_id = sqlite3_column_int64(stmt, 1);
    p->name = store_column_strdup(stmt, 2);
    p->email = store_column_strdup(stmt, 3);
    s = sqlite3_column_text(stmt, 4);
    if (!s || mg_person_role_parse(&p->role, (const char *)s) < 0)
        p->role = MG_PERSON_PARTICIPANT;
    p->sector = store_column_strdup(stmt, 5);
    p->region = store_column_strdup(stmt, 6);
    p->time_zone = store_column_strdup(stmt, 7);
    s = sqlite3_column_text(stmt, 8);
    if (!s || mg_person_status_parse(&p->status, (const char *)s) < 0)
        p->status = MG_STATUS_ACTIVE;
    p->locked = sqlite3_column_int(stmt, 9);
    p->created_at = sqlite3_column_int64(stmt, 10);
    p->updated_at = sqlite3_column_int64(stmt, 11);
    p->group_id = sqlite3_column_int64(stmt, 12);
}

/* Replace the slots, wishes and links of participant p->id. */
static int save_details(struct mg_store *st, sqlite3 *db,
                        sqlite3_stmt *const *stmts,
                        const struct mg_participant *p)
{
    size_t i;
    int rc = 0, k;

    for (k = 0; k < 3 && rc == 0; k++) {
        sqlite3_reset(stmts[k]);
        sqlite3_bind_int64(stmts[k], 1, p->id);
        rc = store_step(st, db, stmts[k], "clear participant details");
    }
    for (i = 0; rc == 0 && i < p->n_slots; i++) {
        sqlite3_reset(stmts[3]);
        sqlite3_bind_int64(stmts[3], 1, p->id);
        sqlite3_bind_int64(stmts[3], 2, p->slot_ids[i]);
        rc = store_step(st, db, stmts[3], "save participant slot");
    }
    for (i = 0; rc == 0 && i < p->n_wishes; i++) {
        sqlite3_reset(stmts[4]);
        sqlite3_bind_int64(stmts[4], 1, p->id);
        sqlite3_bind_int64(stmts[4], 2, p->wishes[i]);
        sqlite3_bind_int(stmts[4], 3, (int)i + 1);
        rc = store_step(st, db, stmts[4], "save thread wish");
    }
    for (i = 0; rc == 0 && i < p->n_with + p->n_apart; i++) {
        int with = i < p->n_with;
        char *norm =
            mg_email_normalize(with ? p->with[i] : p->apart[i - p->n_with]);
        sqlite3_reset(stmts[5]);
        sqlite3_bind_int64(stmts[5], 1, p->id);
        sqlite3_bind_text(stmts[5], 2, norm, -1, free);
        sqlite3_bind_text(stmts[5], 3, with ? "with" : "not_with", -1,
                          SQLITE_STATIC);
        rc = store_step(st, db, stmts[5], "save participant link");
    }
    return rc;
}

static const char *const detail_sql[] = {
    "DELETE FROM participant_slots WHERE participant_id = ?",
    "DELETE FROM participant_wishes WHERE participant_id = ?",
    "DELETE FROM participant_links WHERE participant_id = ?",
    "INSERT OR IGNORE INTO participant_slots (participant_id, slot_id) "
    "VALUES (?, ?)",
    "INSERT INTO participant_wishes (participant_id, thread_id, rank) "
    "VALUES (?, ?, ?)",
    "INSERT OR IGNORE INTO participant_links (participant_id, "
    "other_email_norm, kind) VALUES (?, ?, ?)"};

static int prepare_details(sqlite3_stmt **stmts, struct mg_store *st,
                           sqlite3 *db)
{
    int k, rc = 0;

    for (k = 0; k < 6 && rc == 0; k++)
        rc = store_prepare(&stmts[k], st, db, detail_sql[k]);
    return rc;
}

static void finalize_all(sqlite3_stmt **stmts, int n)
{
    int k;

    for (k = 0; k < n; k++)
        sqlite3_finalize(stmts[k]);
}

static void bind_person(sqlite3_stmt *stmt, const struct mg_participant *p,
                        char *norm)
{
    sqlite3_bind_text(stmt, 1, p->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, p->email, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 3, norm, -1, free);
    sqlite3_bind_text(stmt, 4, mg_person_role_name(p->role), -1, SQLITE_STATIC);
    store_bind_text_or_null(stmt, 5, p->sector);
    store_bind_text_or_null(stmt, 6, p->region);
    store_bind_text_or_null(stmt, 7, p->time_zone);
    sqlite3_bind_text(stmt, 8, mg_person_status_name(p->status), -1,
                      SQLITE_STATIC);
    sqlite3_bind_int(stmt, 9, p->locked);
    sqlite3_bind_int64(stmt, 10, p->updated_at);
}

int mg_store_participants_insert(size_t *failed, struct mg_store *st,
                                 int64_t circle_id, struct mg_participant *list,
                                 size_t n)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmts[7] = {NULL};
    int64_t now = mg_now();
    size_t i = 0;
    int rc = store_begin(st, db);

    if (rc == 0)
        rc = prepare_details(stmts, st, db);
    if (rc == 0)
        rc = store_prepare(&stmts[6], st, db,
                           "INSERT INTO participants (name, email, "
                           "email_norm, role, sector, region, time_zone, "
                           "status, locked, updated_at, circle_id, "
                           "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                           "?, ?)");
    for (i = 0; rc == 0 && i < n; i++) {
        struct mg_participant *p = &list[i];
        p->circle_id = circle_id;
        p->created_at = p->updated_at = now;
        sqlite3_reset(stmts[6]);
        bind_person(stmts[6], p, mg_email_normalize(p->email));
        sqlite3_bind_int64(stmts[6], 11, circle_id);
        sqlite3_bind_int64(stmts[6], 12, now);
        rc = store_step(st, db, stmts[6], "insert participant");
        if (rc < 0)
            break;
        p->id = sqlite3_last_insert_rowid(db);
        rc = save_details(st, db, stmts, p);
    }
    if (rc == 0)
        rc = store_commit(st, db);
    if (rc < 0) {
        store_rollback(db);
        if (failed)
            *failed = i;
        for (i = 0; i < n; i++)
            list[i].id = 0;
    }
    finalize_all(stmts, 7);
    store_release(st, db);
    return rc;
}

int mg_store_participant_update(struct mg_store *st, struct mg_participant *p)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmts[7] = {NULL};
    int rc = store_begin(st, db);

    p->updated_at = mg_now();
    if (rc == 0)
        rc = prepare_details(stmts, st, db);
    if (rc == 0)
        rc = store_prepare(&stmts[6], st, db,
                           "UPDATE participants SET name = ?, email = ?, "
                           "email_norm = ?, role = ?, sector = ?, region = ?, "
                           "time_zone = ?, status = ?, locked = ?, "
                           "updated_at = ? WHERE circle_id = ? AND id = ?");
    if (rc == 0) {
        bind_person(stmts[6], p, mg_email_normalize(p->email));
        sqlite3_bind_int64(stmts[6], 11, p->circle_id);
        sqlite3_bind_int64(stmts[6], 12, p->id);
        rc = store_step(st, db, stmts[6], "update participant");
    }
    if (rc == 0 && sqlite3_changes(db) == 0)
        rc = MG_ENOTFOUND;
    if (rc == 0)
        rc = save_details(st, db, stmts, p);
    if (rc == 0)
        rc = store_commit(st, db);
    if (rc < 0)
        store_rollback(db);
    finalize_all(stmts, 7);
    store_release(st, db);
    return rc;
}

/*
 * What an erasure deletes, in order, with ?1 circle, ?2 person, ?3 their
 * address (lower-case); a statement binds those it names (binding the
 * others fails harmlessly). Attachments go before their notes, and the
 * rows that name the person before the person (foreign keys would
 * cascade most; deleting them by name counts them).
 */
#define ERASE_NOTES                                                            \
    "SELECT id FROM notes WHERE participant_id = ?2 OR (lower(from_email) = "  \
    "?3 AND (circle_id = ?1 OR circle_id IS NULL))"

static const char *const erase_sql[] = {
    "DELETE FROM memberships WHERE participant_id = ?2",
    "DELETE FROM invites WHERE circle_id = ?1 AND participant_id = ?2",
    "DELETE FROM rsvps WHERE participant_id = ?2",
    "DELETE FROM attendance WHERE participant_id = ?2",
    "DELETE FROM registrations WHERE participant_id = ?2",
    "DELETE FROM note_attachments WHERE note_id IN (" ERASE_NOTES ")",
    "DELETE FROM notes WHERE id IN (" ERASE_NOTES ")",
    "DELETE FROM outbox WHERE lower(recipient) = ?3 AND (circle_id = ?1 OR "
    "circle_id IS NULL)",
    "DELETE FROM tokens WHERE participant_id = ?2",
    /* others' wishes to be with or apart from them name their address */
    "DELETE FROM participant_links WHERE rowid IN (SELECT l.rowid FROM "
    "participant_links l CROSS JOIN participants p ON p.id = "
    "l.participant_id WHERE l.other_email_norm = ?3 AND p.circle_id = ?1 "
    "AND p.id <> ?2)",
    "DELETE FROM participant_slots WHERE participant_id = ?2",
    "DELETE FROM participant_wishes WHERE participant_id = ?2",
    "DELETE FROM participant_links WHERE participant_id = ?2",
    "DELETE FROM participants WHERE circle_id = ?1 AND id = ?2"};
#define N_ERASE (sizeof(erase_sql) / sizeof(erase_sql[0]))

/* Where each statement's count goes (NULL: not reported). */
static size_t *erase_count(struct mg_erasure *e, size_t k)
{
    size_t *const slots[N_ERASE] = {&e->memberships,
                                    &e->invites,
                                    &e->rsvps,
                                    &e->attendance,
                                    &e->registrations,
                                    &e->attachments,
                                    &e->notes,
                                    &e->mail,
                                    &e->secrets,
                                    &e->links,
                                    NULL,
                                    NULL,
                                    NULL,
                                    NULL};

    return slots[k];
}

/* The address of person `id` of the circle, lower-case; MG_ENOTFOUND. */
static int erase_address(char **out, struct mg_store *st, sqlite3 *db,
                         int64_t circle_id, int64_t id)
{
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT email_norm FROM participants WHERE "
                           "circle_id = ? AND id = ?");

    if (rc < 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, circle_id);
    sqlite3_bind_int64(stmt, 2, id);
    rc = store_step_row(st, db, stmt, MG_ENOTFOUND, "find person");
    if (rc == 0) {
        *out = store_column_strdup(stmt, 0);
        rc = *out ? 0 : MG_ENOTFOUND;
    }
    sqlite3_finalize(stmt);
    return rc;
}

/* Prepare erase_sql's statements into stmts[N_ERASE]. */
static int erase_prepare(sqlite3_stmt **stmts, struct mg_store *st, sqlite3 *db)
{
    size_t k;
    int rc = 0;

    for (k = 0; rc == 0 && k < N_ERASE; k++)
        rc = store_prepare(&stmts[k], st, db, erase_sql[k]);
    return rc;
}

static void erase_finalize(sqlite3_stmt **stmts)
{
    size_t k;

    for (k = 0; k < N_ERASE; k++)
        sqlite3_finalize(stmts[k]);
}

/* Run the prepared erasure of person `id` (address `email`) inside the
 * caller's transaction, adding the counts to *e. */
static int erase_rows(struct mg_erasure *e, struct mg_store *st, sqlite3 *db,
                      sqlite3_stmt **stmts, int64_t circle_id, int64_t id,
                      const char *email)
{
    size_t k;
    int rc = 0;

    for (k = 0; rc == 0 && k < N_ERASE; k++) {
        size_t *count = erase_count(e, k);

        sqlite3_reset(stmts[k]);
        sqlite3_bind_int64(stmts[k], 1, circle_id);
        sqlite3_bind_int64(stmts[k], 2, id);
        sqlite3_bind_text(stmts[k], 3, email, -1, SQLITE_STATIC);
        rc = store_step(st, db, stmts[k], "erase person");
        if (rc == 0 && count)
            *count += (size_t)sqlite3_changes(db);
    }
    return rc;
}

/* The WAL still holds the pages as they were before an erasure: copy the
 * new ones home and empty it. A reader in the middle of a transaction
 * makes this fail; the next checkpoint then does it. */
static void erase_checkpoint(struct mg_erasure *e, sqlite3 *db)
{
    int log_frames = 0, done = 0;

    e->wal_truncated =
        sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_TRUNCATE,
                                  &log_frames, &done) == SQLITE_OK;
    if (!e->wal_truncated)
        mg_log(MG_LOG_WARN, "erased a person but could not empty the WAL",
               "error", sqlite3_errmsg(db), NULL);
}

/* Erase person `id` of circle `circle_id` (see
 * mg_store_participant_erase); with `only_if` (SQL taking the person's
 * id as ?1 and `now` as ?2) only when it finds a row then, in the same
 * transaction, and *erased says whether it did. */
static int erase_person(int *erased, struct mg_erasure *out,
                        struct mg_store *st, int64_t circle_id, int64_t id,
                        const char *only_if, int64_t now)
{
    struct mg_erasure e;
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL, *stmts[N_ERASE] = {NULL};
    char *email = NULL;
    int rc = store_begin(st, db);

    memset(&e, 0, sizeof(e));
    *erased = 0;
    if (rc == 0 && only_if) {
        rc = store_prepare(&stmt, st, db, only_if);
        if (rc == 0) {
            sqlite3_bind_int64(stmt, 1, id);
            sqlite3_bind_int64(stmt, 2, now);
            rc = store_step_row(st, db, stmt, MG_ENOTFOUND, "check erasure");
        }
        sqlite3_finalize(stmt);
        stmt = NULL;
        if (rc == MG_ENOTFOUND) { /* no longer what it was: kept */
            rc = store_commit(st, db);
            goto out;
        }
    }
    if (rc == 0)
        rc = erase_address(&email, st, db, circle_id, id);
    if (rc == 0)
        rc = erase_prepare(stmts, st, db);
    if (rc == 0)
        rc = erase_rows(&e, st, db, stmts, circle_id, id, email);
    erase_finalize(stmts);
    if (rc == 0)
        rc = store_commit(st, db);
    if (rc < 0) {
        store_rollback(db);
        goto out;
    }
    *erased = 1;
    erase_checkpoint(&e, db);
    if (out)
        *out = e;
out:
    free(email);
    store_release(st, db);
    return rc;
}

int mg_store_participants_erase_some(size_t *erased, struct mg_erasure *out,
                                     struct mg_store *st, int64_t circle_id,
                                     size_t max)
{
    struct mg_erasure e;
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *list = NULL, *stmts[N_ERASE] = {NULL};
    int64_t *ids = mg_xcalloc(max + 1, sizeof(*ids));
    char **emails = mg_xcalloc(max + 1, sizeof(*emails));
    size_t n = 0, i;
    int rc = store_begin(st, db);

    memset(&e, 0, sizeof(e));
    *erased = 0;
    if (rc == 0)
        rc = store_prepare(&list, st, db,
                           "SELECT id, email_norm FROM participants WHERE "
                           "circle_id = ? ORDER BY id LIMIT ?");
    if (rc == 0) {
        sqlite3_bind_int64(list, 1, circle_id);
        sqlite3_bind_int64(list, 2, (sqlite3_int64)max);
        while (n < max && (rc = store_step_row(st, db, list, MG_ENOTFOUND,
                                               "list people to erase")) == 0) {
            ids[n] = sqlite3_column_int64(list, 0);
            emails[n] = store_column_strdup(list, 1);
            n++;
        }
        if (rc == MG_ENOTFOUND)
            rc = 0;
    }
    sqlite3_finalize(list);
    if (rc == 0 && n)
        rc = erase_prepare(stmts, st, db);
    for (i = 0; rc == 0 && i < n; i++)
        rc = erase_rows(&e, st, db, stmts, circle_id, ids[i],
                        emails[i] ? emails[i] : "");
    erase_finalize(stmts);
    if (rc == 0)
        rc = store_commit(st, db);
    if (rc < 0)
        store_rollback(db);
    else if (n)
        erase_checkpoint(&e, db);
    if (rc == 0) {
        *erased = n;
        if (out)
            *out = e;
    }
    for (i = 0; i < n; i++)
        free(emails[i]);
    free(emails);
    free(ids);
    store_release(st, db);
    return rc;
}

int mg_store_participant_erase(struct mg_erasure *out, struct mg_store *st,
                               int64_t circle_id, int64_t id)
{
    int erased = 0;

    return erase_person(&erased, out, st, circle_id, id, NULL, 0);
}

int mg_store_signup_erase_expired(int *erased, struct mg_store *st,
                                  int64_t circle_id, int64_t id, int64_t now)
{
    return erase_person(erased, NULL, st, circle_id, id,
                        "SELECT 1 FROM participants p JOIN signups s ON "
                        "s.participant_id = p.id WHERE p.id = ?1 AND "
                        "p.status = 'pending' AND s.expires_at <= ?2",
                        now);
}

int mg_store_participant_delete(struct mg_store *st, int64_t circle_id,
                                int64_t id)
{
    return mg_store_participant_erase(NULL, st, circle_id, id);
}

/* Load slots, wishes and links for a page of people (sorted by id). */
static int load_details(struct mg_store *st, sqlite3 *db,
                        struct mg_participant *list, size_t n)
{
    static const char *const sql[] = {
        "SELECT participant_id, slot_id FROM participant_slots WHERE "
        "participant_id IN (SELECT value FROM json_each(?)) ORDER BY rowid",
        "SELECT participant_id, thread_id FROM participant_wishes WHERE "
        "participant_id IN (SELECT value FROM json_each(?)) ORDER BY rank",
        "SELECT participant_id, other_email_norm, kind FROM "
        "participant_links WHERE participant_id IN (SELECT value FROM "
        "json_each(?))"};
    struct mg_buf ids = MG_BUF_INIT;
    size_t i;
    int k, rc = 0;

    mg_buf_add(&ids, "[", 1);
    for (i = 0; i < n; i++)
        mg_buf_printf(&ids, "%s%lld", i ? "," : "", (long long)list[i].id);
    mg_buf_add(&ids, "]", 1);
    for (k = 0; k < 3 && rc == 0; k++) {
        sqlite3_stmt *stmt = NULL;
        rc = store_prepare(&stmt, st, db, sql[k]);
        if (rc < 0)
            break;
        sqlite3_bind_text(stmt, 1, ids.data, (int)ids.len, SQLITE_STATIC);
        for (;;) {
            struct mg_participant *p;
            long at;
            int step = sqlite3_step(stmt);
            if (step == SQLITE_DONE)
                break;
            if (step != SQLITE_ROW) {
                rc = store_fail(st, db, step, "load participant details");
                break;
            }
            at = mg_participants_find(list, n, sqlite3_column_int64(stmt, 0));
            if (at < 0)
                continue;
            p = &list[at];
            if (k == 0) {
                p->slot_ids = mg_xrealloc(
                    p->slot_ids, (p->n_slots + 1) * sizeof(*p->slot_ids));
                p->slot_ids[p->n_slots++] = sqlite3_column_int64(stmt, 1);
            } else if (k == 1) {
                if (p->n_wishes < MG_PERSON_MAX_WISHES)
                    p->wishes[p->n_wishes++] = sqlite3_column_int64(stmt, 1);
            } else {
                const char *kind = (const char *)sqlite3_column_text(stmt, 2);
                char *email = store_column_strdup(stmt, 1);
                if (kind && strcmp(kind, "with") == 0) {
                    p->with = mg_xrealloc(p->with,
                                          (p->n_with + 1) * sizeof(*p->with));
                    p->with[p->n_with++] = email;
                } else {
                    p->apart = mg_xrealloc(p->apart, (p->n_apart + 1) *
                                                         sizeof(*p->apart));
                    p->apart[p->n_apart++] = email;
                }
            }
        }
        sqlite3_finalize(stmt);
    }
    mg_buf_release(&ids);
    return rc;
}

int mg_store_tx_participant_contact(char **name, char **email,
                                    struct mg_store_tx *tx, int64_t circle_id,
                                    int64_t id)
{
    struct mg_store *st = store_tx_store(tx);
    sqlite3 *db = store_tx_db(tx);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT name, email FROM participants WHERE id = ? "
                           "AND circle_id = ? AND status != 'pending'");

    if (rc < 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, id);
    sqlite3_bind_int64(stmt, 2, circle_id);
    rc = store_step_row(st, db, stmt, MG_ENOTFOUND, "find participant");
    if (rc == 0) {
        if (name)
            *name = store_column_strdup(stmt, 0);
        if (email)
            *email = store_column_strdup(stmt, 1);
    }
    sqlite3_finalize(stmt);
    return rc;
}

int mg_store_person_circle(int64_t *circle_id, struct mg_store *st,
                           int64_t person_id)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT circle_id FROM participants WHERE id = ?");

    *circle_id = 0;
    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, person_id);
        rc = store_step_row(st, db, stmt, MG_ENOTFOUND, "find a person");
    }
    if (rc == 0)
        *circle_id = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_participant_get(struct mg_participant **out, struct mg_store *st,
                             int64_t circle_id, int64_t id)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    struct mg_participant *p = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT " PERSON_COLUMNS " FROM participants p "
                           "WHERE p.circle_id = ? AND p.id = ?");

    if (rc < 0)
        goto out;
    sqlite3_bind_int64(stmt, 1, circle_id);
    sqlite3_bind_int64(stmt, 2, id);
    rc = store_step_row(st, db, stmt, MG_ENOTFOUND, "get participant");
    if (rc < 0)
        goto out;
    p = mg_xcalloc(1, sizeof(*p));
    read_person(p, stmt);
    rc = load_details(st, db, p, 1);
    if (rc == 0) {
        *out = p;
        p = NULL;
    }
out:
    sqlite3_finalize(stmt);
    mg_participants_free(p, 1);
    store_release(st, db);
    return rc;
}

static void read_person_row(void *row, sqlite3_stmt *stmt)
{
    read_person(row, stmt);
}

/* What a mg_people_filter keeps, binding ?1-?7 and ?10. */
#define PEOPLE_WHERE                                                           \
    "p.circle_id = ?1 AND p.id > ?2 AND (?3 IS NULL OR p.status = ?3) AND "    \
    "(?4 IS NULL OR p.role = ?4) AND (?5 IS NULL OR p.sector = ?5 COLLATE "    \
    "NOCASE) AND (?6 IS NULL OR p.region = ?6 COLLATE NOCASE) AND (?7 IS "     \
    "NULL OR p.name LIKE ?7 ESCAPE '\\' OR p.email_norm LIKE lower(?7) "       \
    "ESCAPE '\\') AND (?10 = 0 OR (?10 < 0) = NOT EXISTS (SELECT 1 "           \
    "FROM memberships m WHERE m.participant_id = p.id AND m.left_at IS NULL "  \
    "AND (?10 < 0 OR m.group_id = ?10)))"

static void bind_people_filter(sqlite3_stmt *stmt, int64_t circle_id,
                               const struct mg_people_filter *f)
{
    sqlite3_bind_int64(stmt, 1, circle_id);
    sqlite3_bind_int64(stmt, 2, f ? f->after : 0);
    store_bind_text_or_null(stmt, 3, f ? f->status : NULL);
    store_bind_text_or_null(stmt, 4, f ? f->role : NULL);
    store_bind_text_or_null(stmt, 5, f ? f->sector : NULL);
    store_bind_text_or_null(stmt, 6, f ? f->region : NULL);
    if (f && f->query && *f->query)
        sqlite3_bind_text(stmt, 7, store_like_pattern(f->query), -1, free);
    else
        sqlite3_bind_null(stmt, 7);
    sqlite3_bind_int64(stmt, 10, f ? f->group_id : 0);
}

int mg_store_participants_count(size_t *n, struct mg_store *st,
                                int64_t circle_id,
                                const struct mg_people_filter *f)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT count(*) FROM participants p "
                           "WHERE " PEOPLE_WHERE);
    int step;

    *n = 0;
    if (rc < 0)
        goto out;
    bind_people_filter(stmt, circle_id, f);
    step = sqlite3_step(stmt);
    if (step == SQLITE_ROW)
        *n = (size_t)sqlite3_column_int64(stmt, 0);
    else
        rc = store_fail(st, db, step, "count participants");
out:
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_participants_list(struct mg_participant **out, size_t *n,
                               struct mg_store *st, int64_t circle_id,
                               const struct mg_people_filter *f)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    struct mg_participant *list = NULL;
    size_t count = 0;
    /* One group's members are found through the membership index rather
     * than by testing every person of a large circle. */
    int rc = store_prepare(
        &stmt, st, db,
        f && f->group_id > 0
            ? "SELECT " PERSON_COLUMNS " FROM participants p WHERE p.id IN "
              "(SELECT participant_id FROM memberships WHERE group_id = ?10 "
              "AND left_at IS NULL) AND " PEOPLE_WHERE
              " ORDER BY p.id LIMIT ?8 OFFSET ?9"
            : "SELECT " PERSON_COLUMNS
              " FROM participants p WHERE " PEOPLE_WHERE
              " ORDER BY p.id LIMIT ?8 OFFSET ?9");

    if (rc < 0)
        goto out;
    bind_people_filter(stmt, circle_id, f);
    sqlite3_bind_int(stmt, 8, f && f->limit > 0 ? f->limit : -1);
    sqlite3_bind_int(stmt, 9, f && f->offset > 0 ? f->offset : 0);
    rc = store_rows_read((void **)&list, &count, sizeof(*list), st, db, stmt,
                         read_person_row, "list participants");
    if (rc < 0)
        goto out;
    if (count)
        rc = load_details(st, db, list, count);
    if (rc == 0) {
        *out = list;
        *n = count;
        list = NULL;
    }
out:
    sqlite3_finalize(stmt);
    mg_participants_free(list, count);
    store_release(st, db);
    return rc;
}
