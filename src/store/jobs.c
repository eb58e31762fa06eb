/*
 * jobs.c: the jobs table, reminder settings and the opt-out. A job's
 * due time is its session's start plus offset_minutes (plus the call's
 * length for what comes after it); migration 21's trigger keeps waiting
 * jobs with their session when it moves.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

static const char *const kind_names[] = {"reminder", "followup", "nudge"};
static const char *const status_names[] = {"queued", "done", "skipped", "late"};

const char *mg_store_job_kind_name(enum mg_job_kind k)
{
    return store_enum_name(kind_names, STORE_N_NAMES(kind_names), (int)k);
}

const char *mg_store_job_status_name(enum mg_job_status s)
{
    return store_enum_name(status_names, STORE_N_NAMES(status_names), (int)s);
}

/* "1440,60" into s->offsets; what does not read as minutes is left out. */
static void parse_offsets(struct mg_reminder_settings *s, const char *text)
{
    const char *p = text ? text : "";

    s->n_offsets = 0;
    while (*p && s->n_offsets < MG_REMINDER_MAX_OFFSETS) {
        char *end;
        long v = strtol(p, &end, 10);

        if (end == p)
            break;
        if (v > 0 && v <= 60L * 24 * 28)
            s->offsets[s->n_offsets++] = (int)v;
        p = *end == ',' ? end + 1 : end;
        if (*end && *end != ',')
            break;
    }
}

static void format_offsets(char *out, size_t n,
                           const struct mg_reminder_settings *s)
{
    size_t i, used = 0;

    out[0] = '\0';
    for (i = 0; i < s->n_offsets && used < n; i++)
        used += (size_t)snprintf(out + used, n - used, "%s%d", i ? "," : "",
                                 s->offsets[i]);
}

/* The circle's settings on `db`; its row is made (with the columns'
 * defaults) when it has none. */
static int settings_read(struct mg_reminder_settings *out, struct mg_store *st,
                         sqlite3 *db, int64_t circle_id)
{
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT coalesce(r.enabled, 1), "
                           "coalesce(r.offsets, '1440,60'), "
                           "coalesce(r.nudge_days, 3) FROM circles c LEFT JOIN "
                           "reminder_settings r ON r.circle_id = c.id "
                           "WHERE c.id = ?");

    if (rc < 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, circle_id);
    rc = store_step_row(st, db, stmt, MG_ENOTFOUND, "read reminder settings");
    if (rc == 0) {
        memset(out, 0, sizeof(*out));
        out->enabled = sqlite3_column_int(stmt, 0);
        parse_offsets(out, (const char *)sqlite3_column_text(stmt, 1));
        out->nudge_days = sqlite3_column_int(stmt, 2);
    }
    sqlite3_finalize(stmt);
    return rc;
}

int mg_store_reminder_settings_get(struct mg_reminder_settings *out,
                                   struct mg_store *st, int64_t circle_id)
{
    sqlite3 *db = store_acquire(st);
    int rc = settings_read(out, st, db, circle_id);

    store_release(st, db);
    return rc;
}

/* One INSERT OR IGNORE ... SELECT of a kind of job for the circle's
 * confirmed group calls not yet over (or one session's). */
static int insert_jobs(size_t *added, struct mg_store *st, sqlite3 *db,
                       int64_t circle_id, int64_t session_id, const char *kind,
                       int offset, int64_t now)
{
    /* ?1 circle, ?2 kind, ?3 offset_minutes, ?4 now, ?5 session or 0 */
    static const char sql[] =
        "INSERT OR IGNORE INTO jobs (circle_id, kind, key, session_id, "
        "group_id, offset_minutes, due_at) SELECT s.circle_id, ?2, "
        "?2 || ':' || s.id || CASE ?2 WHEN 'reminder' THEN ':' || (-?3) "
        "ELSE '' END, s.id, s.group_id, ?3, s.starts_at + ?3 * 60 + "
        "CASE ?2 WHEN 'reminder' THEN 0 ELSE s.minutes * 60 END "
        "FROM sessions s WHERE s.circle_id = ?1 AND s.group_id IS NOT NULL "
        "AND s.status = 'confirmed' AND (?5 = 0 OR s.id = ?5) AND "
        "CASE ?2 WHEN 'reminder' THEN s.starts_at ELSE s.starts_at + "
        "s.minutes * 60 END > ?4";
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db, sql);

    if (rc < 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, circle_id);
    sqlite3_bind_text(stmt, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_int(stmt, 3, offset);
    sqlite3_bind_int64(stmt, 4, now);
    sqlite3_bind_int64(stmt, 5, session_id);
    rc = store_step(st, db, stmt, "make jobs");
    if (rc == 0 && added)
        *added += (size_t)sqlite3_changes(db);
    sqlite3_finalize(stmt);
    return rc;
}

/* Every kind of job for one session (or all the circle's: 0). */
static int sync_session(size_t *added, struct mg_store *st, sqlite3 *db,
                        int64_t circle_id, const struct mg_reminder_settings *s,
                        int64_t session_id, int64_t now)
{
    size_t i;
    int rc = 0;

    for (i = 0; rc == 0 && s->enabled && i < s->n_offsets; i++)
        rc = insert_jobs(added, st, db, circle_id, session_id, "reminder",
                         -s->offsets[i], now);
    if (rc == 0)
        rc = insert_jobs(added, st, db, circle_id, session_id, "followup", 0,
                         now);
    if (rc == 0 && s->nudge_days > 0)
        rc = insert_jobs(added, st, db, circle_id, session_id, "nudge",
                         s->nudge_days * 24 * 60, now);
    return rc;
}

static int sync_circle(size_t *added, struct mg_store *st, sqlite3 *db,
                       int64_t circle_id, const int64_t *session_ids, size_t n,
                       int64_t now)
{
    struct mg_reminder_settings s;
    size_t i;
    int rc = settings_read(&s, st, db, circle_id);

    if (rc == 0 && !session_ids)
        rc = sync_session(added, st, db, circle_id, &s, 0, now);
    for (i = 0; rc == 0 && session_ids && i < n; i++)
        rc = sync_session(added, st, db, circle_id, &s, session_ids[i], now);
    return rc;
}

int mg_store_jobs_sync(size_t *added, struct mg_store *st, int64_t circle_id,
                       const int64_t *session_ids, size_t n, int64_t now)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int64_t *ids = NULL;
    size_t n_ids = 0, cap = 0, i;
    int rc = store_begin(st, db);

    if (added)
        *added = 0;
    if (rc == 0 && circle_id) {
        rc = sync_circle(added, st, db, circle_id, session_ids, n, now);
        goto done;
    }
    if (rc == 0)
        rc = store_prepare(&stmt, st, db, "SELECT id FROM circles ORDER BY id");
    while (rc == 0) {
        int step = sqlite3_step(stmt);

        if (step == SQLITE_DONE)
            break;
        if (step != SQLITE_ROW) {
            rc = store_fail(st, db, step, "list circles");
            break;
        }
        if (n_ids == cap) {
            cap = cap ? 2 * cap : 16;
            ids = mg_xrealloc(ids, cap * sizeof(*ids));
        }
        ids[n_ids++] = sqlite3_column_int64(stmt, 0);
    }
    sqlite3_finalize(stmt);
    stmt = NULL;
    for (i = 0; rc == 0 && i < n_ids; i++)
        rc = sync_circle(added, st, db, ids[i], NULL, 0, now);
done:
    /* each circle with calls still ahead has its survey's opening job,
     * at the end of its last call until the coordinator sets a time
     * (survey_jobs); circles over before this version get none unless
     * their coordinator opens one, so an upgrade mails nobody */
    if (rc == 0)
        rc = store_prepare(&stmt, st, db,
                           "INSERT OR IGNORE INTO survey_jobs (circle_id, "
                           "due_at) SELECT circle_id, max(starts_at + minutes "
                           "* 60) FROM sessions WHERE (?1 = 0 OR circle_id = "
                           "?1) AND group_id IS NOT NULL AND status <> "
                           "'cancelled' GROUP BY circle_id HAVING "
                           "max(starts_at + minutes * 60) > ?2");
    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, circle_id);
        sqlite3_bind_int64(stmt, 2, now);
        rc = store_step(st, db, stmt, "make survey jobs");
    }
    sqlite3_finalize(stmt);
    if (rc == 0)
        rc = store_commit(st, db);
    if (rc < 0)
        store_rollback(db);
    free(ids);
    store_release(st, db);
    return rc;
}

static int exec_bound(struct mg_store *st, sqlite3 *db, const char *sql,
                      int64_t circle_id, const char *text, int value,
                      const char *what)
{
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db, sql);

    if (rc < 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, circle_id);
    if (sqlite3_bind_parameter_count(stmt) >= 2)
        sqlite3_bind_text(stmt, 2, text ? text : "", -1, SQLITE_TRANSIENT);
    if (sqlite3_bind_parameter_count(stmt) >= 3)
        sqlite3_bind_int(stmt, 3, value);
    rc = store_step(st, db, stmt, what);
    sqlite3_finalize(stmt);
    return rc;
}

int mg_store_reminder_settings_put(size_t *added, struct mg_store *st,
                                   int64_t circle_id,
                                   const struct mg_reminder_settings *s)
{
    sqlite3 *db = store_acquire(st);
    char offsets[128];
    int rc = store_begin(st, db);

    format_offsets(offsets, sizeof(offsets), s);
    if (added)
        *added = 0;
    if (rc == 0) {
        sqlite3_stmt *stmt = NULL;

        rc =
            store_prepare(&stmt, st, db,
                          "INSERT INTO reminder_settings (circle_id, enabled, "
                          "offsets, nudge_days, updated_at) VALUES (?, ?, ?, "
                          "?, ?) ON CONFLICT (circle_id) DO UPDATE SET "
                          "enabled = excluded.enabled, offsets = "
                          "excluded.offsets, nudge_days = excluded.nudge_days, "
                          "updated_at = excluded.updated_at");
        if (rc == 0) {
            sqlite3_bind_int64(stmt, 1, circle_id);
            sqlite3_bind_int(stmt, 2, s->enabled ? 1 : 0);
            sqlite3_bind_text(stmt, 3, offsets, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int(stmt, 4, s->nudge_days);
            sqlite3_bind_int64(stmt, 5, mg_now());
            rc = store_step(st, db, stmt, "save reminder settings");
        }
        sqlite3_finalize(stmt);
    }
    /* reminders at offsets no longer wanted (all, when off) */
    if (rc == 0)
        rc = exec_bound(st, db,
                        "DELETE FROM jobs WHERE circle_id = ?1 AND kind = "
                        "'reminder' AND status = 'queued' AND (?3 = 0 OR "
                        "instr(',' || ?2 || ',', ',' || (-offset_minutes) || "
                        "',') = 0)",
                        circle_id, offsets, s->enabled ? 1 : 0,
                        "drop reminders");
    if (rc == 0 && s->nudge_days <= 0)
        rc = exec_bound(st, db,
                        "DELETE FROM jobs WHERE circle_id = ?1 AND kind = "
                        "'nudge' AND status = 'queued'",
                        circle_id, NULL, 0, "drop nudges");
    if (rc == 0 && s->nudge_days > 0)
        rc =
            exec_bound(st, db,
                       "UPDATE jobs SET offset_minutes = ?3, due_at = "
                       "(SELECT s.starts_at + s.minutes * 60 + ?3 * 60 FROM "
                       "sessions s WHERE s.id = jobs.session_id) WHERE "
                       "circle_id = ?1 AND kind = 'nudge' AND status = "
                       "'queued'",
                       circle_id, NULL, s->nudge_days * 24 * 60, "move nudges");
    if (rc == 0)
        rc = sync_circle(added, st, db, circle_id, NULL, 0, mg_now());
    if (rc == 0)
        rc = store_commit(st, db);
    if (rc < 0)
        store_rollback(db);
    store_release(st, db);
    return rc;
}

int mg_store_participant_reminders_off(struct mg_store *st, int64_t circle_id,
                                       int64_t participant_id, int off)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_begin(st, db);

    if (rc == 0)
        rc = store_prepare(&stmt, st, db,
                           "SELECT 1 FROM participants WHERE circle_id = ? "
                           "AND id = ?");
    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, circle_id);
        sqlite3_bind_int64(stmt, 2, participant_id);
        rc = store_step_row(st, db, stmt, MG_ENOTFOUND, "find participant");
    }
    sqlite3_finalize(stmt);
    stmt = NULL;
    if (rc == 0)
        rc = store_prepare(&stmt, st, db,
                           off ? "INSERT OR IGNORE INTO reminder_optouts "
                                 "(participant_id, at) VALUES (?, ?)"
                               : "DELETE FROM reminder_optouts WHERE "
                                 "participant_id = ? AND ? IS NOT NULL");
    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, participant_id);
        sqlite3_bind_int64(stmt, 2, mg_now());
        rc = store_step(st, db, stmt, "set reminders off");
    }
    sqlite3_finalize(stmt);
    if (rc == 0)
        rc = store_commit(st, db);
    if (rc < 0)
        store_rollback(db);
    store_release(st, db);
    return rc;
}

int mg_store_participant_reminders_get(int *off, struct mg_store *st,
                                       int64_t participant_id)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT EXISTS (SELECT 1 FROM reminder_optouts "
                           "WHERE participant_id = ?)");

    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, participant_id);
        rc = store_step_row(st, db, stmt, MG_EDB, "reminders off");
    }
    if (rc == 0)
        *off = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

#define JOB_COLUMNS                                                            \
    "j.id, j.circle_id, j.kind, j.key, coalesce(j.session_id, 0), "            \
    "coalesce(j.group_id, 0), j.offset_minutes, j.due_at, j.status, "          \
    "coalesce(j.done_at, 0), coalesce(j.note, ''), "                           \
    "coalesce(s.starts_at, 0), coalesce(s.minutes, 0), "                       \
    "coalesce(s.week, 0), coalesce(s.status = 'cancelled', 1), "               \
    "coalesce((SELECT a.attempts FROM job_attempts a WHERE a.job_id = j.id), " \
    "0) "

static void read_job(void *row, sqlite3_stmt *stmt)
{
    struct mg_job_row *j = row;

    j->id = sqlite3_column_int64(stmt, 0);
    j->circle_id = sqlite3_column_int64(stmt, 1);
    j->kind = (enum mg_job_kind)store_column_enum(stmt, 2, kind_names,
                                                  STORE_N_NAMES(kind_names));
    store_column_copy(j->key, sizeof(j->key), stmt, 3);
    j->session_id = sqlite3_column_int64(stmt, 4);
    j->group_id = sqlite3_column_int64(stmt, 5);
    j->offset_minutes = sqlite3_column_int(stmt, 6);
    j->due_at = sqlite3_column_int64(stmt, 7);
    j->status = (enum mg_job_status)store_column_enum(
        stmt, 8, status_names, STORE_N_NAMES(status_names));
    j->done_at = sqlite3_column_int64(stmt, 9);
    store_column_copy(j->note, sizeof(j->note), stmt, 10);
    j->starts_at = sqlite3_column_int64(stmt, 11);
    j->minutes = sqlite3_column_int(stmt, 12);
    j->week = sqlite3_column_int(stmt, 13);
    j->cancelled = sqlite3_column_int(stmt, 14);
    j->attempts = sqlite3_column_int(stmt, 15);
}

int mg_store_jobs_due(struct mg_job_row **out, size_t *n, struct mg_store *st,
                      int64_t now, int max)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    void *rows = NULL;
    size_t count = 0;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT " JOB_COLUMNS
                           "FROM jobs j LEFT JOIN sessions s ON "
                           "s.id = j.session_id WHERE j.status = 'queued' AND "
                           "j.due_at <= ? ORDER BY j.due_at, j.id LIMIT ?");

    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, now);
        sqlite3_bind_int(stmt, 2, max > 0 ? max : 100);
        rc = store_rows_read(&rows, &count, sizeof(struct mg_job_row), st, db,
                             stmt, read_job, "due jobs");
    }
    sqlite3_finalize(stmt);
    store_release(st, db);
    if (rc < 0) {
        free(rows);
        return rc;
    }
    *out = rows;
    *n = count;
    return 0;
}

int mg_store_jobs_next_due(int64_t *at, struct mg_store *st)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT min(at) FROM (SELECT min(due_at) AS at "
                           "FROM jobs WHERE status = 'queued' UNION ALL "
                           "SELECT min(due_at) FROM survey_jobs WHERE status "
                           "= 'queued')");

    if (rc == 0)
        rc = store_step_row(st, db, stmt, MG_ENOTFOUND, "next job");
    if (rc == 0 && sqlite3_column_type(stmt, 0) == SQLITE_NULL)
        rc = MG_ENOTFOUND; /* nothing waits */
    if (rc == 0)
        *at = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_job_reschedule(struct mg_store *st, int64_t id, int64_t due_at)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "UPDATE jobs SET due_at = ? WHERE id = ? AND "
                           "status = 'queued'");

    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, due_at);
        sqlite3_bind_int64(stmt, 2, id);
        rc = store_step(st, db, stmt, "reschedule job");
    }
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_tx_job_finish(int *changed, struct mg_store_tx *tx, int64_t id,
                           enum mg_job_status status, int64_t now,
                           const char *note)
{
    struct mg_store *st = store_tx_store(tx);
    sqlite3 *db = store_tx_db(tx);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "UPDATE jobs SET status = ?, done_at = ?, note = ? "
                           "WHERE id = ? AND status = 'queued'");

    *changed = 0;
    if (rc == 0) {
        sqlite3_bind_text(stmt, 1, mg_store_job_status_name(status), -1,
                          SQLITE_STATIC);
        sqlite3_bind_int64(stmt, 2, now);
        store_bind_text_or_null(stmt, 3, note);
        sqlite3_bind_int64(stmt, 4, id);
        rc = store_step(st, db, stmt, "finish job");
        if (rc == 0)
            *changed = sqlite3_changes(db) > 0;
    }
    sqlite3_finalize(stmt);
    return rc;
}

int mg_store_tx_job_retry(int *changed, struct mg_store_tx *tx, int64_t id,
                          int64_t due_at, const char *error)
{
    struct mg_store *st = store_tx_store(tx);
    sqlite3 *db = store_tx_db(tx);
    sqlite3_stmt *job = NULL, *tries = NULL;
    int rc = store_prepare(&job, st, db,
                           "UPDATE jobs SET due_at = ? WHERE id = ? AND "
                           "status = 'queued'");

    *changed = 0;
    if (rc == 0)
        rc = store_prepare(&tries, st, db,
                           "INSERT INTO job_attempts (job_id, attempts, error) "
                           "VALUES (?1, 1, ?2) ON CONFLICT (job_id) DO UPDATE "
                           "SET attempts = attempts + 1, error = ?2");
    if (rc == 0) {
        sqlite3_bind_int64(job, 1, due_at);
        sqlite3_bind_int64(job, 2, id);
        rc = store_step(st, db, job, "retry job");
        if (rc == 0)
            *changed = sqlite3_changes(db) > 0;
    }
    if (rc == 0 && *changed) {
        sqlite3_bind_int64(tries, 1, id);
        store_bind_text_or_null(tries, 2, error);
        rc = store_step(st, db, tries, "count job attempt");
    }
    sqlite3_finalize(job);
    sqlite3_finalize(tries);
    return rc;
}

int mg_store_jobs_list(struct mg_job_row **out, size_t *n, struct mg_store *st,
                       int64_t circle_id, int64_t due_before, int limit)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    void *rows = NULL;
    size_t count = 0;
    int rc = store_prepare(
        &stmt, st, db,
        "SELECT " JOB_COLUMNS
        "FROM jobs j LEFT JOIN sessions s ON s.id = j.session_id "
        "WHERE (?1 = 0 OR j.circle_id = ?1) AND (?2 = 0 OR j.due_at < ?2) "
        "ORDER BY j.due_at, j.id LIMIT ?3");

    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, circle_id);
        sqlite3_bind_int64(stmt, 2, due_before);
        sqlite3_bind_int(stmt, 3, limit > 0 ? limit : -1);
        rc = store_rows_read(&rows, &count, sizeof(struct mg_job_row), st, db,
                             stmt, read_job, "list jobs");
    }
    sqlite3_finalize(stmt);
    store_release(st, db);
    if (rc < 0) {
        free(rows);
        return rc;
    }
    *out = rows;
    *n = count;
    return 0;
}

int mg_store_jobs_count(size_t *n, struct mg_store *st,
                        enum mg_job_status status)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT count(*) FROM jobs WHERE status = ?");

    if (rc == 0) {
        sqlite3_bind_text(stmt, 1, mg_store_job_status_name(status), -1,
                          SQLITE_STATIC);
        rc = store_step_row(st, db, stmt, MG_EDB, "count jobs");
    }
    if (rc == 0)
        *n = (size_t)sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

static void read_person(void *row, sqlite3_stmt *stmt)
{
    struct mg_job_person *p = row;

    p->id = sqlite3_column_int64(stmt, 0);
    p->name = store_column_strdup(stmt, 1);
    p->email = store_column_strdup(stmt, 2);
    p->time_zone = store_column_strdup(stmt, 3);
    p->active = sqlite3_column_int(stmt, 4);
    p->reminders_off = sqlite3_column_int(stmt, 5);
}

void mg_store_job_people_free(struct mg_job_person *p, size_t n)
{
    size_t i;

    for (i = 0; p && i < n; i++) {
        free(p[i].name);
        free(p[i].email);
        free(p[i].time_zone);
    }
    free(p);
}

static void free_people(void *rows, size_t n)
{
    mg_store_job_people_free(rows, n);
}

int mg_store_job_people(struct mg_job_person **out, size_t *n,
                        struct mg_store *st, int64_t group_id, int facilitators)
{
    void *rows = NULL;
    int rc = store_list_by_id(
        &rows, n, sizeof(struct mg_job_person), st,
        facilitators
            ? "SELECT p.id, p.name, p.email, p.time_zone, p.status = "
              "'active', EXISTS (SELECT 1 FROM reminder_optouts o WHERE "
              "o.participant_id = p.id) FROM memberships m JOIN participants "
              "p ON p.id = m.participant_id WHERE m.group_id = ? AND "
              "m.left_at IS NULL AND (m.role = 'facilitator' OR p.role = "
              "'facilitator' COLLATE NOCASE) ORDER BY p.id"
            : "SELECT p.id, p.name, p.email, p.time_zone, p.status = "
              "'active', EXISTS (SELECT 1 FROM reminder_optouts o WHERE "
              "o.participant_id = p.id) FROM memberships m JOIN participants "
              "p ON p.id = m.participant_id WHERE m.group_id = ? AND "
              "m.left_at IS NULL ORDER BY p.id",
        group_id, read_person, free_people, "job people");

    if (rc == 0)
        *out = rows;
    return rc;
}

int mg_store_summary_received(int *found, struct mg_store *st, int64_t group_id,
                              int week)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT EXISTS (SELECT 1 FROM notes WHERE "
                           "group_id = ? AND week = ? AND kind = 'summary' AND "
                           "status = 'published')");

    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, group_id);
        sqlite3_bind_int(stmt, 2, week);
        rc = store_step_row(st, db, stmt, MG_EDB, "summary received");
    }
    if (rc == 0)
        *found = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_session_circle(int64_t *circle_id, struct mg_store *st,
                            int64_t session_id)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT circle_id FROM sessions WHERE id = ?");

    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, session_id);
        rc = store_step_row(st, db, stmt, MG_ENOTFOUND, "session circle");
    }
    if (rc == 0)
        *circle_id = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_job_nearer_due(int *found, struct mg_store *st, int64_t session_id,
                            int offset_minutes, int64_t now)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT EXISTS (SELECT 1 FROM jobs WHERE "
                           "session_id = ? AND kind = 'reminder' AND status = "
                           "'queued' AND offset_minutes > ? AND due_at <= ?)");

    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, session_id);
        sqlite3_bind_int(stmt, 2, offset_minutes);
        sqlite3_bind_int64(stmt, 3, now);
        rc = store_step_row(st, db, stmt, MG_EDB, "nearer reminder");
    }
    if (rc == 0)
        *found = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}
