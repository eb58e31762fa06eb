/*
 * retention.c: a circle's retention settings, when its last call ends,
 * its purge's row (progress, and the report kept from before), the
 * summaries it keeps without names, and what is left of the circle once
 * its people are erased. The order of a purge and when one is due are
 * the retention glue's; people are erased by participants.c's erasure.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include "mingle/store/retention.h"

#include "banned.h"

int mg_store_retention_get(struct mg_store_retention *out, struct mg_store *st,
                           int64_t circle_id)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT coalesce(days, 0), keep_summaries, "
                           "updated_at FROM retention_settings WHERE "
                           "circle_id = ?");

    memset(out, 0, sizeof(*out));
    out->circle_id = circle_id;
    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, circle_id);
        rc = store_step_row(st, db, stmt, MG_ENOTFOUND, "read retention");
    }
    if (rc == 0) {
        out->found = 1;
        out->days = sqlite3_column_int(stmt, 0);
        out->keep_summaries = sqlite3_column_int(stmt, 1);
        out->updated_at = sqlite3_column_int64(stmt, 2);
    } else if (rc == MG_ENOTFOUND) {
        rc = 0;
    }
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_retention_put(struct mg_store *st, struct mg_store_retention *s)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(
        &stmt, st, db,
        "INSERT INTO retention_settings (circle_id, days, keep_summaries, "
        "updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (circle_id) DO UPDATE "
        "SET days = excluded.days, keep_summaries = excluded.keep_summaries, "
        "updated_at = excluded.updated_at");

    s->updated_at = mg_now();
    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, s->circle_id);
        if (s->days > 0)
            sqlite3_bind_int(stmt, 2, s->days);
        else
            sqlite3_bind_null(stmt, 2);
        sqlite3_bind_int(stmt, 3, s->keep_summaries ? 1 : 0);
        sqlite3_bind_int64(stmt, 4, s->updated_at);
        rc = store_step(st, db, stmt, "save retention");
    }
    if (rc == 0)
        s->found = 1;
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_retention_end(int64_t *end, struct mg_store *st, int64_t circle_id)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(
        &stmt, st, db,
        "SELECT max(coalesce(CAST(strftime('%s', c.start_date) AS INTEGER), "
        "0) + c.weeks * 604800, coalesce((SELECT starts_at + minutes * 60 "
        "FROM sessions WHERE circle_id = c.id ORDER BY starts_at + minutes * "
        "60 DESC LIMIT 1), 0), coalesce((SELECT "
        "max(starts_at + (weeks - 1) * 604800 + minutes * 60) FROM plenaries "
        "WHERE circle_id = c.id), 0)) FROM circles c WHERE c.id = ?");

    *end = 0;
    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, circle_id);
        rc = store_step_row(st, db, stmt, MG_ENOTFOUND, "read circle end");
    }
    if (rc == 0)
        *end = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_retention_purge_get(struct mg_store_purge *out,
                                 struct mg_store *st, int64_t circle_id,
                                 int counts)
{
    static const char *const sql[] = {
        "SELECT p.started_at, coalesce(p.finished_at, 0), p.forced, "
        "p.keep_summaries, p.people, p.summaries, 0, 0 FROM circles c LEFT "
        "JOIN retention_purges p ON p.circle_id = c.id WHERE c.id = ?",
        "SELECT p.started_at, coalesce(p.finished_at, 0), p.forced, "
        "p.keep_summaries, p.people, p.summaries, (SELECT count(*) FROM "
        "participants WHERE circle_id = c.id), (SELECT count(*) FROM notes "
        "WHERE circle_id = c.id AND kind = 'summary' AND status = "
        "'published' AND from_email <> '') FROM circles c LEFT JOIN "
        "retention_purges p ON p.circle_id = c.id WHERE c.id = ?"};
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db, sql[counts ? 1 : 0]);

    memset(out, 0, sizeof(*out));
    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, circle_id);
        rc = store_step_row(st, db, stmt, MG_ENOTFOUND, "read purge");
    }
    if (rc == 0) {
        out->found = sqlite3_column_type(stmt, 0) != SQLITE_NULL;
        out->started_at = sqlite3_column_int64(stmt, 0);
        out->finished_at = sqlite3_column_int64(stmt, 1);
        out->forced = sqlite3_column_int(stmt, 2);
        out->keep_summaries = sqlite3_column_int(stmt, 3);
        out->people = sqlite3_column_int64(stmt, 4);
        out->summaries = sqlite3_column_int64(stmt, 5);
        out->remaining = sqlite3_column_int64(stmt, 6);
        out->named_summaries = sqlite3_column_int64(stmt, 7);
    }
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_retention_purge_begin(int *begun, struct mg_store *st,
                                   int64_t circle_id, int64_t now, int forced,
                                   int keep_summaries, const char *report)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(
        &stmt, st, db,
        "INSERT OR IGNORE INTO retention_purges (circle_id, started_at, "
        "forced, keep_summaries, report) VALUES (?, ?, ?, ?, ?)");

    *begun = 0;
    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, circle_id);
        sqlite3_bind_int64(stmt, 2, now);
        sqlite3_bind_int(stmt, 3, forced ? 1 : 0);
        sqlite3_bind_int(stmt, 4, keep_summaries ? 1 : 0);
        sqlite3_bind_text(stmt, 5, report, -1, SQLITE_STATIC);
        rc = store_step(st, db, stmt, "begin purge");
    }
    if (rc == 0)
        *begun = sqlite3_changes(db) > 0;
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_retention_purge_note(struct mg_store *st, int64_t circle_id,
                                  int64_t people, int64_t summaries,
                                  int64_t finished_at)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(
        &stmt, st, db,
        "UPDATE retention_purges SET people = people + ?, summaries = "
        "summaries + ?, finished_at = CASE WHEN ? > 0 THEN ? ELSE "
        "finished_at END WHERE circle_id = ?");

    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, people);
        sqlite3_bind_int64(stmt, 2, summaries);
        sqlite3_bind_int64(stmt, 3, finished_at);
        sqlite3_bind_int64(stmt, 4, finished_at);
        sqlite3_bind_int64(stmt, 5, circle_id);
        rc = store_step(st, db, stmt, "note purge");
    }
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_retention_report(char **out, struct mg_store *st,
                              int64_t circle_id)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT report FROM retention_purges WHERE "
                           "circle_id = ?");

    *out = NULL;
    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, circle_id);
        rc = store_step_row(st, db, stmt, MG_ENOTFOUND, "read kept report");
    }
    if (rc == 0) {
        *out = store_column_strdup(stmt, 0);
        if (!*out)
            rc = MG_ENOTFOUND;
    }
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

void mg_store_summaries_free(struct mg_store_summary *list, size_t n)
{
    size_t i, k;

    for (i = 0; list && i < n; i++) {
        free(list[i].from_name);
        free(list[i].from_email);
        free(list[i].subject);
        free(list[i].body);
        for (k = 0; k < list[i].n_names; k++)
            free(list[i].names[k]);
        free(list[i].names);
    }
    free(list);
}

/* The names of everyone ever in group `group_id`, onto s. */
static int group_names(struct mg_store_summary *s, struct mg_store *st,
                       sqlite3 *db, sqlite3_stmt *stmt)
{
    size_t cap = 0;
    int rc;

    sqlite3_reset(stmt);
    sqlite3_bind_int64(stmt, 1, s->group_id);
    while ((rc = store_step_row(st, db, stmt, MG_ENOTFOUND, "read names")) ==
           0) {
        if (s->n_names == cap) {
            cap = cap ? cap * 2 : 16;
            s->names = mg_xrealloc(s->names, cap * sizeof(*s->names));
        }
        s->names[s->n_names++] = store_column_strdup(stmt, 0);
    }
    return rc == MG_ENOTFOUND ? 0 : rc;
}

int mg_store_retention_summaries(struct mg_store_summary **out, size_t *n,
                                 struct mg_store *st, int64_t circle_id,
                                 size_t max)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL, *names = NULL;
    struct mg_store_summary *list = mg_xcalloc(max + 1, sizeof(*list));
    size_t k = 0, i;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT id, coalesce(group_id, 0), from_name, "
                           "from_email, subject, body FROM notes WHERE "
                           "circle_id = ? AND kind = 'summary' AND status = "
                           "'published' AND from_email <> '' ORDER BY id "
                           "LIMIT ?");

    if (rc == 0)
        rc = store_prepare(&names, st, db,
                           "SELECT DISTINCT p.name FROM memberships m JOIN "
                           "participants p ON p.id = m.participant_id WHERE "
                           "m.group_id = ?");
    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, circle_id);
        sqlite3_bind_int64(stmt, 2, (sqlite3_int64)max);
        while (k < max && (rc = store_step_row(st, db, stmt, MG_ENOTFOUND,
                                               "read summaries")) == 0) {
            list[k].id = sqlite3_column_int64(stmt, 0);
            list[k].group_id = sqlite3_column_int64(stmt, 1);
            list[k].from_name = store_column_strdup(stmt, 2);
            list[k].from_email = store_column_strdup(stmt, 3);
            list[k].subject = store_column_strdup(stmt, 4);
            list[k].body = store_column_strdup(stmt, 5);
            k++;
        }
        if (rc == MG_ENOTFOUND)
            rc = 0;
    }
    for (i = 0; rc == 0 && i < k; i++)
        if (list[i].group_id)
            rc = group_names(&list[i], st, db, names);
    sqlite3_finalize(stmt);
    sqlite3_finalize(names);
    store_release(st, db);
    if (rc < 0) {
        mg_store_summaries_free(list, k);
        return rc;
    }
    *out = list;
    *n = k;
    return 0;
}

int mg_store_retention_summaries_save(struct mg_store *st,
                                      const struct mg_store_summary *list,
                                      size_t n)
{
    static const char *const sql[] = {
        "UPDATE notes SET participant_id = NULL, from_name = NULL, "
        "from_email = '', recipient = NULL, message_id = NULL, in_reply_to "
        "= NULL, event_id = NULL, full_text = NULL, raw = NULL, "
        "review_reason = NULL, subject = ?2, body = ?3 WHERE id = ?1",
        "DELETE FROM note_attachments WHERE note_id = ?1",
        "DELETE FROM note_keys WHERE note_id = ?1"};
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmts[3] = {NULL};
    size_t i, k;
    int rc = store_begin(st, db);

    for (k = 0; rc == 0 && k < 3; k++)
        rc = store_prepare(&stmts[k], st, db, sql[k]);
    for (i = 0; rc == 0 && i < n; i++)
        for (k = 0; rc == 0 && k < 3; k++) {
            sqlite3_bind_int64(stmts[k], 1, list[i].id);
            if (k == 0) {
                sqlite3_bind_text(stmts[k], 2, list[i].subject, -1,
                                  SQLITE_STATIC);
                sqlite3_bind_text(stmts[k], 3, list[i].body ? list[i].body : "",
                                  -1, SQLITE_STATIC);
            }
            rc = store_step(st, db, stmts[k], "keep summary without names");
        }
    for (k = 0; k < 3; k++)
        sqlite3_finalize(stmts[k]);
    if (rc == 0)
        rc = store_commit(st, db);
    if (rc < 0)
        store_rollback(db);
    store_release(st, db);
    return rc;
}

int mg_store_retention_purge_rest(size_t *n, struct mg_store *st,
                                  int64_t circle_id, int keep_summaries,
                                  size_t max)
{
    static const char *const sql[] = {
        "DELETE FROM notes WHERE id IN (SELECT id FROM notes WHERE "
        "circle_id = ?1 AND NOT (?3 AND kind = 'summary' AND status = "
        "'published' AND from_email = '') LIMIT ?2)",
        "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE "
        "circle_id = ?1 LIMIT ?2)",
        "DELETE FROM tokens WHERE id IN (SELECT id FROM tokens WHERE "
        "circle_id = ?1 AND role <> 'coordinator' LIMIT ?2)",
        "DELETE FROM move_requests WHERE id IN (SELECT id FROM move_requests "
        "WHERE circle_id = ?1 LIMIT ?2)",
        /* the survey's answers (their figures are in the kept report) and
         * who answered it */
        "DELETE FROM survey_responses WHERE id IN (SELECT id FROM "
        "survey_responses WHERE circle_id = ?1 LIMIT ?2)",
        "DELETE FROM survey_answered WHERE circle_id = ?1 AND hash IN "
        "(SELECT hash FROM survey_answered WHERE circle_id = ?1 LIMIT ?2)",
        /* why a group's invitations could not be made may quote an
         * address */
        "DELETE FROM calendar_failures WHERE circle_id = ?1 AND group_id IN "
        "(SELECT group_id FROM calendar_failures WHERE circle_id = ?1 LIMIT "
        "?2)",
        /* nobody signs up to a circle whose people are gone */
        "UPDATE signup_settings SET state = 'closed' WHERE circle_id = ?1 "
        "AND state = 'open' AND ?2 > 0"};
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    size_t k;
    int rc = store_begin(st, db);

    *n = 0;
    for (k = 0; rc == 0 && k < sizeof(sql) / sizeof(sql[0]); k++) {
        rc = store_prepare(&stmt, st, db, sql[k]);
        if (rc == 0) {
            sqlite3_bind_int64(stmt, 1, circle_id);
            sqlite3_bind_int64(stmt, 2, (sqlite3_int64)max);
            sqlite3_bind_int(stmt, 3, keep_summaries ? 1 : 0);
            rc = store_step(st, db, stmt, "purge the rest");
        }
        if (rc == 0)
            *n += (size_t)sqlite3_changes(db);
        sqlite3_finalize(stmt);
        stmt = NULL;
    }
    if (rc == 0)
        rc = store_commit(st, db);
    if (rc < 0)
        store_rollback(db);
    store_release(st, db);
    return rc;
}
