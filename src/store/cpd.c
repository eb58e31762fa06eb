/*
 * cpd.c: a circle's CPD settings, and the first note each person sent in
 * their group (for the journal's reflection prompt), in one query for a
 * whole circle.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#include "banned.h"

int mg_store_cpd_get(struct mg_cpd_settings *out, struct mg_store *st,
                     int64_t circle_id)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT areas, domains, title, provider, prompt, "
                           "updated_at FROM cpd_settings WHERE circle_id = ?");

    memset(out, 0, sizeof(*out));
    out->circle_id = circle_id;
    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, circle_id);
        rc = store_step_row(st, db, stmt, MG_ENOTFOUND, "read CPD settings");
    }
    if (rc == 0) {
        out->areas = store_column_strdup(stmt, 0);
        out->domains = store_column_strdup(stmt, 1);
        out->title = store_column_strdup(stmt, 2);
        out->provider = store_column_strdup(stmt, 3);
        out->prompt = store_column_strdup(stmt, 4);
        out->updated_at = sqlite3_column_int64(stmt, 5);
    } else if (rc == MG_ENOTFOUND) {
        rc = 0;
    }
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_cpd_put(struct mg_store *st, struct mg_cpd_settings *s)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(
        &stmt, st, db,
        "INSERT INTO cpd_settings (circle_id, areas, domains, title, "
        "provider, prompt, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON "
        "CONFLICT (circle_id) DO UPDATE SET areas = excluded.areas, domains "
        "= excluded.domains, title = excluded.title, provider = "
        "excluded.provider, prompt = excluded.prompt, updated_at = "
        "excluded.updated_at");

    if (rc == 0) {
        s->updated_at = mg_now();
        sqlite3_bind_int64(stmt, 1, s->circle_id);
        store_bind_text_or_null(stmt, 2, s->areas);
        store_bind_text_or_null(stmt, 3, s->domains);
        store_bind_text_or_null(stmt, 4, s->title);
        store_bind_text_or_null(stmt, 5, s->provider);
        store_bind_text_or_null(stmt, 6, s->prompt);
        sqlite3_bind_int64(stmt, 7, s->updated_at);
        rc = store_step(st, db, stmt, "save CPD settings");
        /* a circle that is not there */
        if (rc == MG_ECONFLICT)
            rc = MG_ENOTFOUND;
    }
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

/* Notes in the group the sender is in now; the first per person is
 * picked by the glue (the list is by person, week, id). One statement
 * for a person (by the participant index), one for a whole circle. */
#define NOTES_SQL(WHERE)                                                       \
    "SELECT n.participant_id, coalesce(n.week, 0), n.body FROM notes n "       \
    "JOIN memberships m ON m.participant_id = n.participant_id AND "           \
    "m.group_id = n.group_id AND m.left_at IS NULL WHERE " WHERE               \
    " AND n.status = 'published' AND trim(n.body) <> '' ORDER BY "             \
    "n.participant_id, coalesce(n.week, 0) = 0, n.week, n.id"

static void read_note(void *row, sqlite3_stmt *stmt)
{
    struct mg_store_cpd_note *n = row;

    n->person_id = sqlite3_column_int64(stmt, 0);
    n->week = sqlite3_column_int(stmt, 1);
    n->text = store_column_strdup(stmt, 2);
}

int mg_store_cpd_notes(struct mg_store_cpd_note **out, size_t *n,
                       struct mg_store *st, int64_t circle_id,
                       int64_t person_id)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(
        &stmt, st, db,
        person_id ? NOTES_SQL("n.participant_id = ?2 AND n.circle_id = ?1")
                  : NOTES_SQL("n.circle_id = ?1 AND n.participant_id IS "
                              "NOT NULL"));

    *out = NULL;
    *n = 0;
    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, circle_id);
        if (person_id)
            sqlite3_bind_int64(stmt, 2, person_id);
        rc = store_rows_read((void **)out, n, sizeof(**out), st, db, stmt,
                             read_note, "read CPD notes");
    }
    sqlite3_finalize(stmt);
    store_release(st, db);
    if (rc < 0) {
        mg_store_cpd_notes_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

void mg_store_cpd_notes_free(struct mg_store_cpd_note *notes, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        free(notes[i].text);
    free(notes);
}
