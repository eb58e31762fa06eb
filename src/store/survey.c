/*
 * survey.c: a circle's evaluation survey in the store: settings and
 * questions, the opening job (survey_jobs, one per circle), the people
 * it mails, and the responses, named or anonymous (migration 25 says
 * what each table keeps and why).
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

#define HASH_LEN 32

/* Options are kept one a line: the survey's rules keep line breaks out
 * of them. */
static void split_options(struct mg_survey_question *q, const char *text)
{
    const char *p = text ? text : "";

    q->n_options = 0;
    q->options = mg_xcalloc(MG_SURVEY_MAX_OPTIONS + 1, sizeof(*q->options));
    while (*p && q->n_options < MG_SURVEY_MAX_OPTIONS) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char *o = mg_xmalloc(len + 1);

        memcpy(o, p, len);
        o[len] = '\0';
        q->options[q->n_options++] = o;
        if (!nl)
            break;
        p = nl + 1;
    }
}

static int read_questions(struct mg_survey *out, struct mg_store *st,
                          sqlite3 *db, int64_t circle_id)
{
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT qid, kind, text, options, required FROM "
                           "survey_questions WHERE circle_id = ? ORDER BY "
                           "position");
    size_t cap = 0;

    if (rc < 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, circle_id);
    for (;;) {
        int step = sqlite3_step(stmt);
        struct mg_survey_question *q;

        if (step == SQLITE_DONE)
            break;
        if (step != SQLITE_ROW) {
            rc = store_fail(st, db, step, "read survey questions");
            break;
        }
        if (out->n_questions == cap) {
            cap = cap ? 2 * cap : 8;
            out->questions =
                mg_xrealloc(out->questions, cap * sizeof(*out->questions));
        }
        q = &out->questions[out->n_questions++];
        memset(q, 0, sizeof(*q));
        q->id = store_column_strdup(stmt, 0);
        if (mg_survey_kind_parse(
                &q->kind, (const char *)sqlite3_column_text(stmt, 1)) < 0)
            q->kind = MG_SURVEY_KIND_TEXT;
        q->text = store_column_strdup(stmt, 2);
        if (!q->id)
            q->id = mg_xstrdup("");
        if (!q->text)
            q->text = mg_xstrdup("");
        split_options(q, (const char *)sqlite3_column_text(stmt, 3));
        q->required = sqlite3_column_int(stmt, 4);
    }
    sqlite3_finalize(stmt);
    out->custom = out->n_questions > 0;
    return rc;
}

int mg_store_survey_get(struct mg_survey *out, int64_t *last_call_end,
                        struct mg_store *st, int64_t circle_id)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(
        &stmt, st, db,
        "SELECT coalesce(v.opens_at, 0), coalesce(v.closes_at, 0), "
        "coalesce(v.anonymous, 1), coalesce(v.closed_at, 0), "
        "coalesce((SELECT max(s.starts_at + s.minutes * 60) FROM sessions s "
        "WHERE s.circle_id = c.id AND s.group_id IS NOT NULL AND s.status <> "
        "'cancelled'), 0) FROM circles c LEFT JOIN survey_settings v ON "
        "v.circle_id = c.id WHERE c.id = ?");

    memset(out, 0, sizeof(*out));
    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, circle_id);
        rc = store_step_row(st, db, stmt, MG_ENOTFOUND, "read survey");
    }
    if (rc == 0) {
        out->opens_at = sqlite3_column_int64(stmt, 0);
        out->closes_at = sqlite3_column_int64(stmt, 1);
        out->anonymous = sqlite3_column_int(stmt, 2);
        out->closed_at = sqlite3_column_int64(stmt, 3);
        if (last_call_end)
            *last_call_end = sqlite3_column_int64(stmt, 4);
    }
    sqlite3_finalize(stmt);
    if (rc == 0)
        rc = read_questions(out, st, db, circle_id);
    store_release(st, db);
    if (rc < 0)
        mg_survey_release(out);
    return rc;
}

static int bind_time(sqlite3_stmt *stmt, int idx, int64_t t)
{
    return t ? sqlite3_bind_int64(stmt, idx, t) : sqlite3_bind_null(stmt, idx);
}

static int save_questions(struct mg_store *st, sqlite3 *db, int64_t circle_id,
                          const struct mg_survey *s)
{
    sqlite3_stmt *del = NULL, *ins = NULL;
    size_t i, k;
    int rc = store_prepare(&del, st, db,
                           "DELETE FROM survey_questions WHERE circle_id = ?");

    if (rc == 0) {
        sqlite3_bind_int64(del, 1, circle_id);
        rc = store_step(st, db, del, "drop survey questions");
    }
    sqlite3_finalize(del);
    if (rc < 0 || !s->custom)
        return rc;
    rc = store_prepare(&ins, st, db,
                       "INSERT INTO survey_questions (circle_id, position, "
                       "qid, kind, text, options, required) VALUES (?, ?, "
                       "?, ?, ?, ?, ?)");
    for (i = 0; rc == 0 && i < s->n_questions; i++) {
        const struct mg_survey_question *q = &s->questions[i];
        struct mg_buf opts = MG_BUF_INIT;

        for (k = 0; k < q->n_options; k++)
            mg_buf_printf(&opts, "%s%s", k ? "\n" : "", q->options[k]);
        sqlite3_reset(ins);
        sqlite3_bind_int64(ins, 1, circle_id);
        sqlite3_bind_int(ins, 2, (int)i);
        sqlite3_bind_text(ins, 3, q->id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 4, mg_survey_kind_name(q->kind), -1,
                          SQLITE_STATIC);
        sqlite3_bind_text(ins, 5, q->text, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 6, opts.data ? opts.data : "", -1,
                          SQLITE_TRANSIENT);
        sqlite3_bind_int(ins, 7, q->required ? 1 : 0);
        rc = store_step(st, db, ins, "save survey question");
        mg_buf_release(&opts);
    }
    sqlite3_finalize(ins);
    return rc;
}

static int put_job(struct mg_store *st, sqlite3 *db, int64_t circle_id,
                   int64_t due_at)
{
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "INSERT INTO survey_jobs (circle_id, due_at) "
                           "VALUES (?1, ?2) ON CONFLICT (circle_id) DO "
                           "UPDATE SET due_at = ?2 WHERE status = 'queued'");

    if (rc < 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, circle_id);
    sqlite3_bind_int64(stmt, 2, due_at);
    rc = store_step(st, db, stmt, "schedule survey");
    sqlite3_finalize(stmt);
    return rc;
}

int mg_store_survey_put(struct mg_store *st, int64_t circle_id,
                        const struct mg_survey *s, int64_t due_at)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_begin(st, db);

    if (rc == 0)
        rc = store_prepare(
            &stmt, st, db,
            "INSERT INTO survey_settings (circle_id, opens_at, closes_at, "
            "anonymous, closed_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, "
            "?6) ON CONFLICT (circle_id) DO UPDATE SET opens_at = ?2, "
            "closes_at = ?3, anonymous = ?4, closed_at = ?5, updated_at = ?6");
    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, circle_id);
        bind_time(stmt, 2, s->opens_at);
        bind_time(stmt, 3, s->closes_at);
        sqlite3_bind_int(stmt, 4, s->anonymous ? 1 : 0);
        bind_time(stmt, 5, s->closed_at);
        sqlite3_bind_int64(stmt, 6, mg_now());
        rc = store_step(st, db, stmt, "save survey");
    }
    sqlite3_finalize(stmt);
    if (rc == 0)
        rc = save_questions(st, db, circle_id, s);
    if (rc == 0 && due_at)
        rc = put_job(st, db, circle_id, due_at);
    if (rc == 0)
        rc = store_commit(st, db);
    if (rc < 0)
        store_rollback(db);
    store_release(st, db);
    return rc;
}

int mg_store_survey_closed_at(struct mg_store *st, int64_t circle_id,
                              int64_t at)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "INSERT INTO survey_settings (circle_id, closed_at, "
                           "updated_at) VALUES (?1, ?2, ?3) ON CONFLICT "
                           "(circle_id) DO UPDATE SET closed_at = ?2, "
                           "updated_at = ?3");

    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, circle_id);
        bind_time(stmt, 2, at);
        sqlite3_bind_int64(stmt, 3, mg_now());
        rc = store_step(st, db, stmt, "close survey");
    }
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

/* Whether anything was recorded in the circle: ?1 circle. */
#define ANY_RECORDED                                                           \
    "EXISTS (SELECT 1 FROM attendance a JOIN sessions s ON s.id = "            \
    "a.session_id WHERE s.circle_id = ?1)"
#define CAME                                                                   \
    "EXISTS (SELECT 1 FROM attendance a JOIN sessions s ON s.id = "            \
    "a.session_id WHERE s.circle_id = ?1 AND a.participant_id = p.id AND "     \
    "a.present = 1)"

int mg_store_survey_counts(int *responses, int *attendees, struct mg_store *st,
                           int64_t circle_id)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(
        &stmt, st, db,
        "SELECT (SELECT count(*) FROM survey_responses WHERE circle_id = ?1), "
        "(SELECT count(DISTINCT a.participant_id) FROM attendance a JOIN "
        "sessions s ON s.id = a.session_id WHERE s.circle_id = ?1 AND "
        "a.present = 1)");

    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, circle_id);
        rc = store_step_row(st, db, stmt, MG_EDB, "survey counts");
    }
    if (rc == 0) {
        *responses = sqlite3_column_int(stmt, 0);
        *attendees = sqlite3_column_int(stmt, 1);
    }
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_survey_eligible(int *yes, struct mg_store *st, int64_t circle_id,
                             int64_t participant_id)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT p.status <> 'withdrawn' AND (" CAME
                           " OR (p.status = 'active' AND NOT " ANY_RECORDED
                           ")) FROM participants p WHERE p.id = ?2 AND "
                           "p.circle_id = ?1");

    *yes = 0;
    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, circle_id);
        sqlite3_bind_int64(stmt, 2, participant_id);
        rc = store_step_row(st, db, stmt, MG_ENOTFOUND, "survey eligible");
    }
    if (rc == 0)
        *yes = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

/* ---- the opening job ---- */

static void read_id(void *row, sqlite3_stmt *stmt)
{
    *(int64_t *)row = sqlite3_column_int64(stmt, 0);
}

int mg_store_survey_jobs_due(int64_t **circles, size_t *n, struct mg_store *st,
                             int64_t now, int max)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    void *rows = NULL;
    size_t count = 0;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT circle_id FROM survey_jobs WHERE status = "
                           "'queued' AND due_at <= ? ORDER BY due_at, "
                           "circle_id LIMIT ?");

    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, now);
        sqlite3_bind_int(stmt, 2, max > 0 ? max : 16);
        rc = store_rows_read(&rows, &count, sizeof(int64_t), st, db, stmt,
                             read_id, "due surveys");
    }
    sqlite3_finalize(stmt);
    store_release(st, db);
    if (rc < 0) {
        free(rows);
        return rc;
    }
    *circles = rows;
    *n = count;
    return 0;
}

int mg_store_survey_job_get(char status[16], int64_t *due_at, int64_t *mails,
                            int64_t *cursor, struct mg_store *st,
                            int64_t circle_id)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT status, due_at, mails, cursor FROM "
                           "survey_jobs "
                           "WHERE circle_id = ?");

    status[0] = '\0';
    *due_at = 0;
    *mails = 0;
    *cursor = 0;
    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, circle_id);
        rc = store_step_row(st, db, stmt, MG_ENOTFOUND, "survey job");
    }
    if (rc == 0) {
        store_column_copy(status, 16, stmt, 0);
        *due_at = sqlite3_column_int64(stmt, 1);
        *mails = sqlite3_column_int64(stmt, 2);
        *cursor = sqlite3_column_int64(stmt, 3);
    }
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc == MG_ENOTFOUND ? 0 : rc;
}

int mg_store_survey_jobs_next_due(int64_t *at, struct mg_store *st)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT due_at FROM survey_jobs WHERE status = "
                           "'queued' ORDER BY due_at LIMIT 1");

    if (rc == 0)
        rc = store_step_row(st, db, stmt, MG_ENOTFOUND, "next survey");
    if (rc == 0)
        *at = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_survey_job_reschedule(struct mg_store *st, int64_t circle_id,
                                   int64_t due_at)
{
    sqlite3 *db = store_acquire(st);
    int rc = put_job(st, db, circle_id, due_at);

    store_release(st, db);
    return rc;
}

static void read_person(void *row, sqlite3_stmt *stmt)
{
    struct mg_job_person *p = row;

    p->id = sqlite3_column_int64(stmt, 0);
    p->name = store_column_strdup(stmt, 1);
    p->email = store_column_strdup(stmt, 2);
    p->active = sqlite3_column_int(stmt, 3);
}

int mg_store_survey_recipients(struct mg_job_person **out, size_t *n,
                               struct mg_store *st, int64_t circle_id,
                               int64_t after, int max)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    void *rows = NULL;
    size_t count = 0;
    int rc = store_prepare(
        &stmt, st, db,
        "SELECT p.id, p.name, p.email, p.status = 'active' FROM participants "
        "p WHERE p.circle_id = ?1 AND p.id > ?2 AND p.status <> 'withdrawn' "
        "AND (" CAME " OR (p.status = 'active' AND NOT " ANY_RECORDED
        ")) ORDER BY p.id LIMIT ?3");

    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, circle_id);
        sqlite3_bind_int64(stmt, 2, after);
        sqlite3_bind_int(stmt, 3, max > 0 ? max : 500);
        rc = store_rows_read(&rows, &count, sizeof(struct mg_job_person), st,
                             db, stmt, read_person, "survey recipients");
    }
    sqlite3_finalize(stmt);
    store_release(st, db);
    if (rc < 0) {
        mg_store_job_people_free(rows, count);
        return rc;
    }
    *out = rows;
    *n = count;
    return 0;
}

int mg_store_tx_survey_job_progress(struct mg_store_tx *tx, int64_t circle_id,
                                    int64_t cursor, size_t mails, int done,
                                    int64_t now)
{
    struct mg_store *st = store_tx_store(tx);
    sqlite3 *db = store_tx_db(tx);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(
        &stmt, st, db,
        "UPDATE survey_jobs SET cursor = ?2, mails = mails + ?3, status = "
        "CASE ?4 WHEN 1 THEN 'done' ELSE status END, done_at = CASE ?4 WHEN "
        "1 THEN ?5 ELSE done_at END WHERE circle_id = ?1 AND status = "
        "'queued'");

    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, circle_id);
        sqlite3_bind_int64(stmt, 2, cursor);
        sqlite3_bind_int64(stmt, 3, (sqlite3_int64)mails);
        sqlite3_bind_int(stmt, 4, done ? 1 : 0);
        sqlite3_bind_int64(stmt, 5, now);
        rc = store_step(st, db, stmt, "survey job progress");
    }
    sqlite3_finalize(stmt);
    return rc;
}

/* ---- responses ---- */

static void read_answer(void *row, sqlite3_stmt *stmt)
{
    struct mg_survey_answer *a = row;

    a->response = sqlite3_column_int64(stmt, 0);
    store_column_copy(a->question, sizeof(a->question), stmt, 1);
    a->value = sqlite3_column_int(stmt, 2);
    a->text = store_column_strdup(stmt, 3);
}

static void free_answers(void *rows, size_t n)
{
    mg_survey_answers_free(rows, n);
}

int mg_store_survey_answers(struct mg_survey_answer **out, size_t *n,
                            struct mg_store *st, int64_t circle_id)
{
    void *rows = NULL;
    int rc = store_list_by_id(
        &rows, n, sizeof(struct mg_survey_answer), st,
        "SELECT a.response_id, a.qid, a.value, a.text FROM survey_responses "
        "r JOIN survey_answers a ON a.response_id = r.id WHERE r.circle_id = "
        "? ORDER BY a.response_id",
        circle_id, read_answer, free_answers, "survey answers");

    if (rc == 0)
        *out = rows;
    return rc;
}

/* The id of the named or anonymous response (0: none). */
static int find_response(int64_t *id, struct mg_store *st, sqlite3 *db,
                         int64_t circle_id, int64_t participant_id,
                         const unsigned char *edit_hash)
{
    sqlite3_stmt *stmt = NULL;
    int rc =
        store_prepare(&stmt, st, db,
                      participant_id ? "SELECT id FROM survey_responses WHERE "
                                       "circle_id = ?1 AND participant_id = ?2"
                                     : "SELECT id FROM survey_responses WHERE "
                                       "circle_id = ?1 AND edit_hash = ?3");

    *id = 0;
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, circle_id);
    if (participant_id)
        sqlite3_bind_int64(stmt, 2, participant_id);
    else
        sqlite3_bind_blob(stmt, 3, edit_hash, HASH_LEN, SQLITE_STATIC);
    rc = store_step_row(st, db, stmt, MG_ENOTFOUND, "find response");
    if (rc == 0)
        *id = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return rc == MG_ENOTFOUND ? 0 : rc;
}

int mg_store_survey_response(struct mg_survey_answer **out, size_t *n,
                             int *found, struct mg_store *st, int64_t circle_id,
                             int64_t participant_id,
                             const unsigned char *edit_hash)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    void *rows = NULL;
    size_t count = 0;
    int64_t id = 0;
    int rc = 0;

    *out = NULL;
    *n = 0;
    *found = 0;
    if (participant_id || edit_hash)
        rc = find_response(&id, st, db, circle_id, participant_id, edit_hash);
    if (rc == 0 && id)
        rc = store_prepare(&stmt, st, db,
                           "SELECT response_id, qid, value, text FROM "
                           "survey_answers WHERE response_id = ? ORDER BY "
                           "qid, value");
    if (rc == 0 && id) {
        sqlite3_bind_int64(stmt, 1, id);
        rc = store_rows_read(&rows, &count, sizeof(struct mg_survey_answer), st,
                             db, stmt, read_answer, "response answers");
    }
    sqlite3_finalize(stmt);
    store_release(st, db);
    if (rc < 0) {
        mg_survey_answers_free(rows, count);
        return rc;
    }
    *found = id != 0;
    *out = rows;
    *n = count;
    return 0;
}

int mg_store_survey_answered(int *yes, struct mg_store *st, int64_t circle_id,
                             const unsigned char *answered)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT EXISTS (SELECT 1 FROM survey_answered "
                           "WHERE circle_id = ? AND hash = ?)");

    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, circle_id);
        sqlite3_bind_blob(stmt, 2, answered, HASH_LEN, SQLITE_STATIC);
        rc = store_step_row(st, db, stmt, MG_EDB, "survey answered");
    }
    if (rc == 0)
        *yes = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

static int exec_id(struct mg_store *st, sqlite3 *db, const char *sql,
                   int64_t id, const char *what)
{
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db, sql);

    if (rc < 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, id);
    rc = store_step(st, db, stmt, what);
    sqlite3_finalize(stmt);
    return rc;
}

/* A new response row: named, or anonymous with a random id (so the
 * order of rows says nothing of the order people answered in). */
static int new_response(int64_t *id, struct mg_store *st, sqlite3 *db,
                        int64_t circle_id, int64_t participant_id,
                        const unsigned char *edit_hash)
{
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "INSERT INTO survey_responses (id, circle_id, "
                           "participant_id, edit_hash, updated_at) VALUES "
                           "(?, ?, ?, ?, ?)");
    int tries;

    if (rc < 0)
        return rc;
    for (tries = 0; tries < 8; tries++) {
        uint64_t r = 0;

        mg_random_bytes((unsigned char *)&r, sizeof(r));
        *id = (int64_t)(r >> 2) + 1; /* positive, below 2^62 */
        sqlite3_reset(stmt);
        sqlite3_bind_int64(stmt, 1, *id);
        sqlite3_bind_int64(stmt, 2, circle_id);
        if (participant_id) {
            sqlite3_bind_int64(stmt, 3, participant_id);
            sqlite3_bind_null(stmt, 4);
            sqlite3_bind_int64(stmt, 5, mg_now());
        } else {
            sqlite3_bind_null(stmt, 3);
            sqlite3_bind_blob(stmt, 4, edit_hash, HASH_LEN, SQLITE_STATIC);
            sqlite3_bind_null(stmt, 5);
        }
        rc = store_step(st, db, stmt, "new response");
        if (rc != MG_ECONFLICT)
            break;
    }
    sqlite3_finalize(stmt);
    return rc;
}

int mg_store_survey_response_put(struct mg_store *st, int64_t circle_id,
                                 int64_t participant_id,
                                 const unsigned char *edit_hash, int replace,
                                 const unsigned char *answered,
                                 const struct mg_survey_answer *a, size_t n)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *ins = NULL;
    int64_t id = 0;
    size_t i;
    int rc = store_begin(st, db);

    if (rc == 0 && (participant_id || replace))
        rc = find_response(&id, st, db, circle_id, participant_id, edit_hash);
    if (rc == 0 && replace && !participant_id && !id)
        rc = MG_ENOTFOUND;
    if (rc == 0 && !participant_id && !replace) {
        sqlite3_stmt *stmt = NULL;

        rc = store_prepare(&stmt, st, db,
                           "INSERT INTO survey_answered (circle_id, hash) "
                           "VALUES (?, ?)");
        if (rc == 0) {
            sqlite3_bind_int64(stmt, 1, circle_id);
            sqlite3_bind_blob(stmt, 2, answered, HASH_LEN, SQLITE_STATIC);
            rc = store_step(st, db, stmt, "record answered");
        }
        sqlite3_finalize(stmt);
    }
    if (rc == 0 && !id)
        rc = new_response(&id, st, db, circle_id, participant_id, edit_hash);
    else if (rc == 0)
        rc = exec_id(st, db, "DELETE FROM survey_answers WHERE response_id = ?",
                     id, "drop answers");
    if (rc == 0 && participant_id) {
        sqlite3_stmt *stmt = NULL;

        rc = store_prepare(&stmt, st, db,
                           "UPDATE survey_responses SET updated_at = ? "
                           "WHERE id = ?");
        if (rc == 0) {
            sqlite3_bind_int64(stmt, 1, mg_now());
            sqlite3_bind_int64(stmt, 2, id);
            rc = store_step(st, db, stmt, "response time");
        }
        sqlite3_finalize(stmt);
    }
    if (rc == 0)
        rc = store_prepare(&ins, st, db,
                           "INSERT OR IGNORE INTO survey_answers (response_id, "
                           "qid, value, text) VALUES (?, ?, ?, ?)");
    for (i = 0; rc == 0 && i < n; i++) {
        sqlite3_reset(ins);
        sqlite3_bind_int64(ins, 1, id);
        sqlite3_bind_text(ins, 2, a[i].question, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(ins, 3, a[i].value);
        store_bind_text_or_null(ins, 4, a[i].text);
        rc = store_step(st, db, ins, "save answer");
    }
    sqlite3_finalize(ins);
    if (rc == 0)
        rc = store_commit(st, db);
    if (rc < 0)
        store_rollback(db);
    store_release(st, db);
    return rc;
}
