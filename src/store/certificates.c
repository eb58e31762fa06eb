/*
 * certificates.c: the certificate tables (migration 27): a circle's
 * settings, the figures certificates were issued with, the circles whose
 * certificates went out by mail. No rules: what the figures are and
 * what a code proves is the certificate module's.
 */
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "internal.h"
#include "mingle/store.h"

#include "banned.h"

int mg_store_certificate_settings_get(struct mg_certificate_settings *out,
                                      struct mg_store *st, int64_t circle_id)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT coalesce(s.issuer_name, ''), "
                           "coalesce(s.signature_title, ''), "
                           "coalesce(s.mail_at_close, 0) FROM circles c "
                           "LEFT JOIN certificate_settings s ON "
                           "s.circle_id = c.id WHERE c.id = ?");

    memset(out, 0, sizeof(*out));
    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, circle_id);
        rc = store_step_row(st, db, stmt, MG_ENOTFOUND,
                            "read certificate settings");
    }
    if (rc == 0) {
        store_column_copy(out->issuer_name, sizeof(out->issuer_name), stmt, 0);
        store_column_copy(out->signature_title, sizeof(out->signature_title),
                          stmt, 1);
        out->mail_at_close = sqlite3_column_int(stmt, 2);
    }
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_certificate_settings_put(struct mg_store *st, int64_t circle_id,
                                      const struct mg_certificate_settings *s,
                                      int64_t now)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(
        &stmt, st, db,
        "INSERT INTO certificate_settings (circle_id, issuer_name, "
        "signature_title, mail_at_close, updated_at) SELECT id, ?2, ?3, ?4, "
        "?5 FROM circles WHERE id = ?1 ON CONFLICT (circle_id) DO UPDATE SET "
        "issuer_name = excluded.issuer_name, signature_title = "
        "excluded.signature_title, mail_at_close = excluded.mail_at_close, "
        "updated_at = excluded.updated_at");

    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, circle_id);
        store_bind_text_or_null(stmt, 2, s->issuer_name);
        store_bind_text_or_null(stmt, 3, s->signature_title);
        sqlite3_bind_int(stmt, 4, s->mail_at_close ? 1 : 0);
        sqlite3_bind_int64(stmt, 5, now);
        rc = store_step(st, db, stmt, "store certificate settings");
        if (rc == 0 && sqlite3_changes(db) == 0)
            rc = MG_ENOTFOUND;
    }
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

static const char issued_sql[] =
    "INSERT OR IGNORE INTO certificate_issued (participant_id, group_calls, "
    "plenary_calls, minutes, facilitator, issued_at) VALUES (?, ?, ?, ?, ?, "
    "?)";

static int issued_on(struct mg_store *st, sqlite3 *db,
                     const struct mg_certificate_issue *i)
{
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db, issued_sql);

    if (rc < 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, i->person_id);
    sqlite3_bind_int(stmt, 2, i->group_calls);
    sqlite3_bind_int(stmt, 3, i->plenary_calls);
    sqlite3_bind_int(stmt, 4, i->minutes);
    sqlite3_bind_int(stmt, 5, i->facilitator ? 1 : 0);
    sqlite3_bind_int64(stmt, 6, i->issued_at);
    rc = store_step(st, db, stmt, "record a certificate");
    sqlite3_finalize(stmt);
    return rc;
}

int mg_store_certificate_issued(struct mg_store *st,
                                const struct mg_certificate_issue *i)
{
    sqlite3 *db = store_acquire(st);
    int rc = issued_on(st, db, i);

    store_release(st, db);
    return rc;
}

int mg_store_certificates_issued(struct mg_store *st,
                                 const struct mg_certificate_issue *i, size_t n)
{
    sqlite3 *db = store_acquire(st);
    size_t k;
    int rc = store_begin(st, db);

    for (k = 0; rc == 0 && k < n; k++)
        rc = issued_on(st, db, &i[k]);
    if (rc == 0)
        rc = store_commit(st, db);
    else
        store_rollback(db);
    store_release(st, db);
    return rc;
}

int mg_store_tx_certificate_issued(struct mg_store_tx *tx,
                                   const struct mg_certificate_issue *i)
{
    return issued_on(store_tx_store(tx), store_tx_db(tx), i);
}

static void read_issue(void *row, sqlite3_stmt *stmt)
{
    struct mg_certificate_issue *i = row;

    i->person_id = sqlite3_column_int64(stmt, 0);
    i->group_calls = sqlite3_column_int(stmt, 1);
    i->plenary_calls = sqlite3_column_int(stmt, 2);
    i->minutes = sqlite3_column_int(stmt, 3);
    i->facilitator = sqlite3_column_int(stmt, 4);
    i->issued_at = sqlite3_column_int64(stmt, 5);
}

static void free_issues(void *rows, size_t n)
{
    (void)n;
    free(rows);
}

int mg_store_certificate_issues(struct mg_certificate_issue **out, size_t *n,
                                struct mg_store *st, int64_t person_id)
{
    void *rows = NULL;
    int rc = store_list_by_id(
        &rows, n, sizeof(struct mg_certificate_issue), st,
        "SELECT participant_id, group_calls, plenary_calls, minutes, "
        "facilitator, issued_at FROM certificate_issued WHERE "
        "participant_id = ? ORDER BY issued_at DESC",
        person_id, read_issue, free_issues, "read issued certificates");

    *out = rows;
    return rc;
}

/* Each circle with mail at close on and not yet mailed, with when its
 * last call ends and when a mailing that failed may be tried again. */
#define CLOSE_SQL                                                              \
    "SELECT c.circle_id, (SELECT max(s.starts_at + s.minutes * 60) FROM "      \
    "sessions s WHERE s.circle_id = c.circle_id AND s.status = "               \
    "'confirmed') AS ends, coalesce((SELECT p.retry_at FROM "                  \
    "certificate_mail_progress p WHERE p.circle_id = c.circle_id), 0) AS "     \
    "retry_at FROM certificate_settings c WHERE c.mail_at_close = 1 AND NOT "  \
    "EXISTS (SELECT 1 FROM certificate_mailings m WHERE m.circle_id = "        \
    "c.circle_id)"

int mg_store_certificate_mailings_due(int64_t **out, size_t *n,
                                      struct mg_store *st, int64_t now,
                                      int64_t grace, int max)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT circle_id FROM (" CLOSE_SQL
                           ") WHERE ends IS NOT NULL AND ends + ?1 <= ?2 "
                           "AND retry_at <= ?2 ORDER BY ends, circle_id "
                           "LIMIT ?3");
    int step;

    *out = NULL;
    *n = 0;
    if (rc < 0)
        goto out;
    sqlite3_bind_int64(stmt, 1, grace);
    sqlite3_bind_int64(stmt, 2, now);
    sqlite3_bind_int(stmt, 3, max);
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        *out = mg_xrealloc(*out, (*n + 1) * sizeof(**out));
        (*out)[(*n)++] = sqlite3_column_int64(stmt, 0);
    }
    if (step != SQLITE_DONE)
        rc = store_fail(st, db, step, "find certificates due by mail");
out:
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_certificate_mailings_next(int64_t *at, struct mg_store *st,
                                       int64_t grace)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc =
        store_prepare(&stmt, st, db,
                      "SELECT min(max(ends + ?, retry_at)) FROM (" CLOSE_SQL
                      ") WHERE ends IS NOT NULL");

    *at = 0;
    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, grace);
        rc = store_step_row(st, db, stmt, MG_ENOTFOUND,
                            "find the next certificates by mail");
    }
    if (rc == 0 && sqlite3_column_type(stmt, 0) == SQLITE_NULL)
        rc = MG_ENOTFOUND;
    if (rc == 0)
        *at = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_certificate_mail_progress(struct mg_certificate_mail_progress *p,
                                       struct mg_store *st, int64_t circle_id)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT cursor, people, failures, retry_at FROM "
                           "certificate_mail_progress WHERE circle_id = ?");

    memset(p, 0, sizeof(*p));
    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, circle_id);
        rc = store_step_row(st, db, stmt, MG_ENOTFOUND,
                            "read a mailing's progress");
    }
    if (rc == 0) {
        p->cursor = sqlite3_column_int64(stmt, 0);
        p->people = (size_t)sqlite3_column_int64(stmt, 1);
        p->failures = sqlite3_column_int(stmt, 2);
        p->retry_at = sqlite3_column_int64(stmt, 3);
    }
    if (rc == MG_ENOTFOUND)
        rc = 0;
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_tx_certificate_mail_cursor(struct mg_store_tx *tx,
                                        int64_t circle_id, int64_t cursor,
                                        size_t people)
{
    struct mg_store *st = store_tx_store(tx);
    sqlite3 *db = store_tx_db(tx);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(
        &stmt, st, db,
        "INSERT INTO certificate_mail_progress (circle_id, cursor, people) "
        "VALUES (?1, ?2, ?3) ON CONFLICT (circle_id) DO UPDATE SET cursor = "
        "?2, people = ?3, failures = 0, retry_at = 0");

    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, circle_id);
        sqlite3_bind_int64(stmt, 2, cursor);
        sqlite3_bind_int64(stmt, 3, (sqlite3_int64)people);
        rc = store_step(st, db, stmt, "record a mailing's progress");
    }
    sqlite3_finalize(stmt);
    return rc;
}

int mg_store_certificate_mail_failed(struct mg_store *st, int64_t circle_id,
                                     int failures, int64_t retry_at)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "INSERT INTO certificate_mail_progress (circle_id, "
                           "failures, retry_at) VALUES (?1, ?2, ?3) ON "
                           "CONFLICT (circle_id) DO UPDATE SET failures = ?2, "
                           "retry_at = ?3");

    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, circle_id);
        sqlite3_bind_int(stmt, 2, failures);
        sqlite3_bind_int64(stmt, 3, retry_at);
        rc = store_step(st, db, stmt, "record a mailing's failure");
    }
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_tx_certificate_mailed(int *changed, struct mg_store_tx *tx,
                                   int64_t circle_id, int64_t now,
                                   size_t people)
{
    struct mg_store *st = store_tx_store(tx);
    sqlite3 *db = store_tx_db(tx);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "INSERT OR IGNORE INTO certificate_mailings "
                           "(circle_id, done_at, people) VALUES (?, ?, ?)");

    *changed = 0;
    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, circle_id);
        sqlite3_bind_int64(stmt, 2, now);
        sqlite3_bind_int64(stmt, 3, (sqlite3_int64)people);
        rc = store_step(st, db, stmt, "record certificates mailed");
        if (rc == 0)
            *changed = sqlite3_changes(db) > 0;
    }
    sqlite3_finalize(stmt);
    return rc;
}

int mg_store_certificate_mailed_at(int64_t *done_at, struct mg_store *st,
                                   int64_t circle_id)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(
        &stmt, st, db,
        "SELECT done_at FROM certificate_mailings WHERE circle_id = ?");

    *done_at = 0;
    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, circle_id);
        rc = store_step_row(st, db, stmt, MG_ENOTFOUND,
                            "read certificates mailed");
    }
    if (rc == 0)
        *done_at = sqlite3_column_int64(stmt, 0);
    if (rc == MG_ENOTFOUND)
        rc = 0;
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}
