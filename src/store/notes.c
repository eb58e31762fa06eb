/*
 * notes.c: notes received by mail, their attachments, the review queue,
 * delivery tokens seen (against replays) and the lookup of a sender by
 * address. A note is written once: the unique dedupe key (the message's
 * Message-ID, event id or digest, with the address it was filed by)
 * makes a provider's retry a no-op, even when two retries race.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

static const char *const note_names[] = {"published", "review", "rejected"};

const char *mg_store_note_status_name(enum mg_store_note_status s)
{
    return store_enum_name(note_names, STORE_N_NAMES(note_names), (int)s);
}

int mg_store_note_status_parse(enum mg_store_note_status *out, const char *name)
{
    int v = 0;
    int rc = store_enum_parse(&v, note_names, STORE_N_NAMES(note_names), name);

    if (rc == 0)
        *out = (enum mg_store_note_status)v;
    return rc;
}

void mg_store_note_release(struct mg_note *n)
{
    size_t i;

    if (!n)
        return;
    free(n->review_reason);
    free(n->provider);
    free(n->event_id);
    free(n->message_id);
    free(n->in_reply_to);
    free(n->from_name);
    free(n->from_email);
    free(n->recipient);
    free(n->subject);
    free(n->body);
    free(n->full_text);
    free(n->raw);
    free(n->author);
    for (i = 0; i < n->n_attachments; i++) {
        free(n->attachments[i].name);
        free(n->attachments[i].type);
        free(n->attachments[i].content);
    }
    free(n->attachments);
    memset(n, 0, sizeof(*n));
}

void mg_store_notes_free(struct mg_note *notes, size_t n)
{
    size_t i;

    for (i = 0; notes && i < n; i++)
        mg_store_note_release(&notes[i]);
    free(notes);
}

static void bind_id(sqlite3_stmt *stmt, int idx, int64_t id)
{
    if (id > 0)
        sqlite3_bind_int64(stmt, idx, id);
    else
        sqlite3_bind_null(stmt, idx);
}

/* The note a duplicate of `n` collides with; 0 if none. */
static int find_existing(int64_t *id, struct mg_store *st, sqlite3 *db,
                         const struct mg_note *n)
{
    sqlite3_stmt *stmt = NULL;
    /* A note with a key is a duplicate of one with that key, or of a
     * note stored before there were keys with its Message-ID or event. */
    int rc = store_prepare(
        &stmt, st, db,
        "SELECT id FROM (SELECT note_id AS id FROM note_keys WHERE key = ?4 "
        "UNION ALL SELECT id FROM notes n WHERE message_id = ?1 AND (?4 IS "
        "NULL OR NOT EXISTS (SELECT 1 FROM note_keys k WHERE k.note_id = "
        "n.id)) UNION ALL SELECT id FROM notes n WHERE provider = ?2 AND "
        "event_id = ?3 AND (?4 IS NULL OR NOT EXISTS (SELECT 1 FROM "
        "note_keys k WHERE k.note_id = n.id))) ORDER BY id LIMIT 1");

    *id = 0;
    if (rc < 0)
        return rc;
    store_bind_text_or_null(stmt, 1, n->message_id);
    sqlite3_bind_text(stmt, 2, n->provider, -1, SQLITE_STATIC);
    store_bind_text_or_null(stmt, 3, n->event_id);
    store_bind_text_or_null(stmt, 4, n->dedupe_key);
    rc = store_step_row(st, db, stmt, MG_ENOTFOUND, "find note");
    if (rc == 0)
        *id = sqlite3_column_int64(stmt, 0);
    else if (rc == MG_ENOTFOUND) /* none: *id stays 0 */
        rc = 0;
    sqlite3_finalize(stmt);
    return rc;
}

/* Write note `n` in the open transaction; *id and *duplicate as for
 * mg_store_note_insert(). */
static int write_note(int64_t *id, int *duplicate, struct mg_store *st,
                      sqlite3 *db, sqlite3_stmt *ins, sqlite3_stmt *att,
                      const struct mg_note *n)
{
    size_t i;
    int rc = find_existing(id, st, db, n);

    *duplicate = 0;
    if (rc < 0 || *id) {
        *duplicate = rc == 0;
        return rc;
    }
    bind_id(ins, 1, n->circle_id);
    bind_id(ins, 2, n->group_id);
    if (n->week > 0)
        sqlite3_bind_int(ins, 3, n->week);
    bind_id(ins, 4, n->thread_id);
    bind_id(ins, 5, n->participant_id);
    sqlite3_bind_text(ins, 6, n->kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 7, mg_store_note_status_name(n->status), -1,
                      SQLITE_STATIC);
    store_bind_text_or_null(ins, 8, n->review_reason);
    sqlite3_bind_text(ins, 9, n->provider, -1, SQLITE_STATIC);
    store_bind_text_or_null(ins, 10, n->event_id);
    store_bind_text_or_null(ins, 11, n->message_id);
    store_bind_text_or_null(ins, 12, n->in_reply_to);
    store_bind_text_or_null(ins, 13, n->from_name);
    sqlite3_bind_text(ins, 14, n->from_email ? n->from_email : "", -1,
                      SQLITE_STATIC);
    store_bind_text_or_null(ins, 15, n->recipient);
    store_bind_text_or_null(ins, 16, n->subject);
    sqlite3_bind_text(ins, 17, n->body ? n->body : "", -1, SQLITE_STATIC);
    store_bind_text_or_null(ins, 18, n->full_text);
    if (n->raw)
        sqlite3_bind_blob64(ins, 19, n->raw, n->raw_len, SQLITE_STATIC);
    if (n->sent_at)
        sqlite3_bind_int64(ins, 20, n->sent_at);
    sqlite3_bind_int64(ins, 21, n->received_at ? n->received_at : mg_now());
    rc = store_step(st, db, ins, "insert note");
    if (rc < 0)
        return rc;
    *id = sqlite3_last_insert_rowid(db);
    if (n->dedupe_key) {
        sqlite3_stmt *key = NULL;

        rc = store_prepare(
            &key, st, db, "INSERT INTO note_keys (key, note_id) VALUES (?, ?)");
        if (rc == 0) {
            sqlite3_bind_text(key, 1, n->dedupe_key, -1, SQLITE_STATIC);
            sqlite3_bind_int64(key, 2, *id);
            rc = store_step(st, db, key, "insert note key");
        }
        sqlite3_finalize(key);
    }
    for (i = 0; rc == 0 && i < n->n_attachments; i++) {
        const struct mg_note_attachment *a = &n->attachments[i];

        sqlite3_bind_int64(att, 1, *id);
        sqlite3_bind_int(att, 2, (int)i + 1);
        sqlite3_bind_text(att, 3, a->name ? a->name : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(att, 4, a->type ? a->type : "", -1, SQLITE_STATIC);
        sqlite3_bind_int64(att, 5, a->size);
        if (a->content)
            sqlite3_bind_blob64(att, 6, a->content, (sqlite3_uint64)a->size,
                                SQLITE_STATIC);
        rc = store_step(st, db, att, "insert attachment");
    }
    return rc;
}

/* One caller's note, waiting for a commit. */
struct note_job {
    const struct mg_note *note;
    int64_t id;
    int duplicate;
    int rc;
    int done;
    struct note_job *next;
};

/* A statement without parameters or rows, through the statement cache
 * (sqlite3_exec would compile it each time). */
static void exec_cached(struct mg_store *st, sqlite3 *db, const char *sql)
{
    sqlite3_stmt *stmt = NULL;

    if (store_prepare(&stmt, st, db, sql) == 0)
        sqlite3_step(stmt);
    sqlite3_finalize(stmt);
}

/*
 * Write a batch of notes in one transaction, each under a savepoint so
 * that one note's failure is its own; if the commit fails, every note
 * of the batch has failed.
 */
static void commit_batch(struct mg_store *st, struct note_job *batch)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *ins = NULL, *att = NULL;
    struct note_job *j;
    int rc = store_begin(st, db);

    if (rc == 0)
        rc = store_prepare(
            &ins, st, db,
            "INSERT INTO notes (circle_id, group_id, week, thread_id, "
            "participant_id, kind, status, review_reason, provider, "
            "event_id, message_id, in_reply_to, from_name, from_email, "
            "recipient, subject, body, full_text, raw, sent_at, "
            "received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "?, ?, ?, ?, ?, ?, ?, ?)");
    if (rc == 0)
        rc = store_prepare(&att, st, db,
                           "INSERT INTO note_attachments (note_id, position, "
                           "name, type, size, content) VALUES (?, ?, ?, ?, "
                           "?, ?)");
    for (j = batch; rc == 0 && j; j = j->next) {
        exec_cached(st, db, "SAVEPOINT note");
        j->rc = write_note(&j->id, &j->duplicate, st, db, ins, att, j->note);
        if (j->rc < 0) {
            exec_cached(st, db, "ROLLBACK TO note");
            j->id = 0;
        }
        exec_cached(st, db, "RELEASE note");
    }
    sqlite3_finalize(ins);
    sqlite3_finalize(att);
    if (rc == 0)
        rc = store_commit(st, db);
    if (rc < 0) {
        store_rollback(db);
        for (j = batch; j; j = j->next) {
            j->rc = rc;
            j->id = 0;
            j->duplicate = 0;
        }
    }
    store_release(st, db);
}

/*
 * Group commit: webhooks arrive in bursts, and a commit is an fsync.
 * Each caller queues its note; one of them commits everything queued so
 * far in one transaction while the next batch gathers, and each caller
 * returns once its own note is committed (or has failed).
 */
int mg_store_note_insert(int64_t *id, int *duplicate, struct mg_store *st,
                         const struct mg_note *n)
{
    struct note_job job, **tail;

    memset(&job, 0, sizeof(job));
    job.note = n;
    pthread_mutex_lock(&st->notes_lock);
    for (tail = &st->notes_queue; *tail; tail = &(*tail)->next)
        ;
    *tail = &job;
    while (!job.done) {
        struct note_job *batch, *j;

        if (st->notes_leader) {
            pthread_cond_wait(&st->notes_done, &st->notes_lock);
            continue;
        }
        st->notes_leader = 1;
        batch = st->notes_queue;
        st->notes_queue = NULL;
        pthread_mutex_unlock(&st->notes_lock);
        commit_batch(st, batch);
        pthread_mutex_lock(&st->notes_lock);
        for (j = batch; j; j = j->next)
            j->done = 1;
        st->notes_leader = 0;
        pthread_cond_broadcast(&st->notes_done);
    }
    pthread_mutex_unlock(&st->notes_lock);
    *id = job.id;
    *duplicate = job.duplicate;
    return job.rc;
}

#define NOTE_COLUMNS                                                           \
    "n.id, coalesce(n.circle_id, 0), coalesce(n.group_id, 0), "                \
    "coalesce(n.week, 0), coalesce(n.thread_id, 0), "                          \
    "coalesce(n.participant_id, 0), n.kind, n.status, n.review_reason, "       \
    "n.provider, n.event_id, n.message_id, n.in_reply_to, n.from_name, "       \
    "n.from_email, n.recipient, n.subject, n.body, n.full_text, "              \
    "coalesce(n.sent_at, 0), n.received_at, coalesce(n.decided_at, 0), "       \
    "(SELECT p.name FROM participants p WHERE p.id = n.participant_id)"

static void read_note(struct mg_note *n, sqlite3_stmt *stmt)
{
    memset(n, 0, sizeof(*n));
    n->id = sqlite3_column_int64(stmt, 0);
    n->circle_id = sqlite3_column_int64(stmt, 1);
    n->group_id = sqlite3_column_int64(stmt, 2);
    n->week = sqlite3_column_int(stmt, 3);
    n->thread_id = sqlite3_column_int64(stmt, 4);
    n->participant_id = sqlite3_column_int64(stmt, 5);
    store_column_copy(n->kind, sizeof(n->kind), stmt, 6);
    n->status = (enum mg_store_note_status)store_column_enum(
        stmt, 7, note_names, STORE_N_NAMES(note_names));
    n->review_reason = store_column_strdup(stmt, 8);
    n->provider = store_column_strdup(stmt, 9);
    n->event_id = store_column_strdup(stmt, 10);
    n->message_id = store_column_strdup(stmt, 11);
    n->in_reply_to = store_column_strdup(stmt, 12);
    n->from_name = store_column_strdup(stmt, 13);
    n->from_email = store_column_strdup(stmt, 14);
    n->recipient = store_column_strdup(stmt, 15);
    n->subject = store_column_strdup(stmt, 16);
    n->body = store_column_strdup(stmt, 17);
    n->full_text = store_column_strdup(stmt, 18);
    n->sent_at = sqlite3_column_int64(stmt, 19);
    n->received_at = sqlite3_column_int64(stmt, 20);
    n->decided_at = sqlite3_column_int64(stmt, 21);
    n->author = store_column_strdup(stmt, 22);
}

static void read_attachment(void *row, sqlite3_stmt *stmt)
{
    struct mg_note_attachment *a = row;

    a->name = store_column_strdup(stmt, 0);
    a->type = store_column_strdup(stmt, 1);
    a->size = sqlite3_column_int64(stmt, 2);
    a->content = NULL;
    if (sqlite3_column_type(stmt, 3) == SQLITE_BLOB) {
        size_t len = (size_t)sqlite3_column_bytes(stmt, 3);
        a->content = mg_xmalloc(len + 1);
        /* an empty blob reads back as NULL */
        if (len)
            memcpy(a->content, sqlite3_column_blob(stmt, 3), len);
        a->content[len] = '\0';
    }
}

/* Attach each note's attachments (contents only when `full`). */
static int load_attachments(struct mg_note *notes, size_t n,
                            struct mg_store *st, sqlite3 *db, int full)
{
    sqlite3_stmt *stmt = NULL;
    size_t i;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT name, type, size, CASE WHEN ?2 THEN "
                           "content END FROM note_attachments WHERE note_id "
                           "= ?1 ORDER BY position");

    for (i = 0; rc == 0 && i < n; i++) {
        sqlite3_bind_int64(stmt, 1, notes[i].id);
        sqlite3_bind_int(stmt, 2, full);
        rc = store_rows_read((void **)&notes[i].attachments,
                             &notes[i].n_attachments,
                             sizeof(*notes[i].attachments), st, db, stmt,
                             read_attachment, "load attachments");
        sqlite3_reset(stmt);
    }
    sqlite3_finalize(stmt);
    return rc;
}

static void read_note_row(void *row, sqlite3_stmt *stmt)
{
    read_note(row, stmt);
}

int mg_store_notes_list(struct mg_note **out, size_t *n, struct mg_store *st,
                        const struct mg_note_filter *f)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    struct mg_note *notes = NULL;
    size_t count = 0;
    char *like = NULL;
    int rc = store_prepare(
        &stmt, st, db,
        "SELECT " NOTE_COLUMNS " FROM notes n WHERE (?1 OR "
        "coalesce(n.circle_id, 0) = ?2) AND (?3 = 0 OR n.group_id = ?3) "
        "AND (?4 = 0 OR n.week = ?4) AND (?5 = 0 OR n.thread_id = ?5) AND "
        "(?6 IS NULL OR n.kind = ?6) AND n.status = ?7 AND (?8 IS NULL OR "
        "n.from_email LIKE ?8 ESCAPE '\\' OR n.from_name LIKE ?8 ESCAPE "
        "'\\' OR (SELECT p.name FROM participants p WHERE p.id = "
        "n.participant_id) LIKE ?8 ESCAPE '\\') AND n.id > ?9 ORDER BY "
        "CASE WHEN ?11 THEN -n.id ELSE n.id END LIMIT ?10");

    *out = NULL;
    *n = 0;
    if (rc < 0)
        goto out;
    sqlite3_bind_int(stmt, 11, f->newest);
    sqlite3_bind_int(stmt, 1, f->any_circle);
    sqlite3_bind_int64(stmt, 2, f->circle_id);
    sqlite3_bind_int64(stmt, 3, f->group_id);
    sqlite3_bind_int(stmt, 4, f->week);
    sqlite3_bind_int64(stmt, 5, f->thread_id);
    store_bind_text_or_null(stmt, 6, f->kind);
    sqlite3_bind_text(stmt, 7, f->status ? f->status : "published", -1,
                      SQLITE_STATIC);
    if (f->author && *f->author) {
        like = store_like_pattern(f->author);
        sqlite3_bind_text(stmt, 8, like, -1, SQLITE_STATIC);
    }
    sqlite3_bind_int64(stmt, 9, f->after);
    sqlite3_bind_int(stmt, 10, f->limit > 0 ? f->limit : -1);
    rc = store_rows_read((void **)&notes, &count, sizeof(*notes), st, db, stmt,
                         read_note_row, "list notes");
    if (rc == 0)
        rc = load_attachments(notes, count, st, db, 0);
    if (rc < 0) {
        mg_store_notes_free(notes, count);
        goto out;
    }
    *out = notes;
    *n = count;
out:
    free(like);
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_note_get(struct mg_note *out, struct mg_store *st, int64_t id,
                      int full)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT " NOTE_COLUMNS ", n.raw FROM notes n "
                           "WHERE n.id = ?");

    memset(out, 0, sizeof(*out));
    if (rc < 0)
        goto out;
    sqlite3_bind_int64(stmt, 1, id);
    rc = store_step_row(st, db, stmt, MG_ENOTFOUND, "get note");
    if (rc < 0)
        goto out;
    read_note(out, stmt);
    if (full && sqlite3_column_type(stmt, 23) == SQLITE_BLOB) {
        out->raw_len = (size_t)sqlite3_column_bytes(stmt, 23);
        out->raw = mg_xmalloc(out->raw_len + 1);
        if (out->raw_len)
            memcpy(out->raw, sqlite3_column_blob(stmt, 23), out->raw_len);
        out->raw[out->raw_len] = '\0';
    }
    rc = load_attachments(out, 1, st, db, full);
    if (rc < 0)
        mg_store_note_release(out);
out:
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_note_decide(struct mg_store *st, int64_t id, int publish,
                         int64_t circle_id, int64_t group_id, int week,
                         int64_t thread_id)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(
        &stmt, st, db,
        "UPDATE notes SET status = ?2, decided_at = ?3, circle_id = "
        "coalesce(?4, circle_id), group_id = coalesce(?5, group_id), week "
        "= coalesce(?6, week), thread_id = coalesce(?7, thread_id) WHERE "
        "id = ?1 AND status = 'review'");

    if (rc < 0)
        goto out;
    sqlite3_bind_int64(stmt, 1, id);
    sqlite3_bind_text(stmt, 2, publish ? "published" : "rejected", -1,
                      SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 3, mg_now());
    bind_id(stmt, 4, circle_id);
    bind_id(stmt, 5, group_id);
    if (week > 0)
        sqlite3_bind_int(stmt, 6, week);
    bind_id(stmt, 7, thread_id);
    rc = store_step(st, db, stmt, "decide note");
    if (rc == 0 && sqlite3_changes(db) == 0) {
        sqlite3_stmt *q = NULL;

        /* Which: no such note, or one decided already? */
        rc = store_prepare(&q, st, db, "SELECT 1 FROM notes WHERE id = ?");
        if (rc == 0) {
            sqlite3_bind_int64(q, 1, id);
            rc = sqlite3_step(q) == SQLITE_ROW ? MG_ECONFLICT : MG_ENOTFOUND;
        }
        sqlite3_finalize(q);
    }
out:
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_receipt_claim(int *retry, struct mg_store *st,
                           const char *provider, const char *token,
                           const char *fingerprint)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *ins = NULL, *q = NULL;
    int rc = store_prepare(&ins, st, db,
                           "INSERT INTO webhook_receipts (provider, "
                           "external_id, received_at, outcome, "
                           "payload_sha256) VALUES (?, ?, ?, 'seen', ?) ON "
                           "CONFLICT (provider, external_id) DO NOTHING");

    *retry = 0;
    if (rc == 0)
        rc = store_prepare(&q, st, db,
                           "SELECT payload_sha256 FROM webhook_receipts "
                           "WHERE provider = ? AND external_id = ?");
    if (rc < 0)
        goto out;
    sqlite3_bind_text(ins, 1, provider, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 2, token, -1, SQLITE_STATIC);
    sqlite3_bind_int64(ins, 3, mg_now());
    sqlite3_bind_text(ins, 4, fingerprint, -1, SQLITE_STATIC);
    rc = store_step(st, db, ins, "claim receipt");
    if (rc < 0 || sqlite3_changes(db) == 1)
        goto out;
    sqlite3_bind_text(q, 1, provider, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, token, -1, SQLITE_STATIC);
    rc = sqlite3_step(q);
    if (rc != SQLITE_ROW) {
        rc = store_fail(st, db, rc, "read receipt");
        goto out;
    }
    if (sqlite3_column_text(q, 0) &&
        strcmp((const char *)sqlite3_column_text(q, 0), fingerprint) == 0) {
        *retry = 1;
        rc = 0;
    } else {
        rc = MG_ECONFLICT;
    }
out:
    sqlite3_finalize(ins);
    sqlite3_finalize(q);
    store_release(st, db);
    return rc;
}

void mg_store_member_hits_free(struct mg_member_hit *h, size_t n)
{
    size_t i;

    for (i = 0; h && i < n; i++)
        free(h[i].name);
    free(h);
}

static void read_member_hit(void *row, sqlite3_stmt *stmt)
{
    struct mg_member_hit *h = row;

    h->circle_id = sqlite3_column_int64(stmt, 0);
    h->participant_id = sqlite3_column_int64(stmt, 1);
    h->group_id = sqlite3_column_int64(stmt, 2);
    h->facilitator = sqlite3_column_int(stmt, 3);
    h->active = sqlite3_column_int(stmt, 4);
    h->name = store_column_strdup(stmt, 5);
}

int mg_store_members_by_email(struct mg_member_hit **out, size_t *n,
                              struct mg_store *st, const char *email)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    struct mg_member_hit *hits = NULL;
    size_t count = 0;
    int rc = store_prepare(
        &stmt, st, db,
        "SELECT p.circle_id, p.id, coalesce((SELECT m.group_id FROM "
        "memberships m WHERE m.participant_id = p.id AND m.left_at IS "
        "NULL), 0), p.role = 'facilitator', p.status = 'active', p.name "
        "FROM participants p WHERE p.email_norm = ? ORDER BY p.id");

    *out = NULL;
    *n = 0;
    if (rc < 0)
        goto out;
    sqlite3_bind_text(stmt, 1, email, -1, SQLITE_STATIC);
    rc = store_rows_read((void **)&hits, &count, sizeof(*hits), st, db, stmt,
                         read_member_hit, "find member");
    if (rc < 0) {
        mg_store_member_hits_free(hits, count);
        goto out;
    }
    *out = hits;
    *n = count;
out:
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_note_revise(struct mg_store *st, int64_t id, const char *subject,
                         const char *body, const char *full_text)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "UPDATE notes SET subject = ?2, body = ?3, "
                           "full_text = ?4 WHERE id = ?1");

    if (rc < 0)
        goto out;
    sqlite3_bind_int64(stmt, 1, id);
    sqlite3_bind_text(stmt, 2, subject, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 3, body, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 4, full_text, -1, SQLITE_STATIC);
    rc = store_step(st, db, stmt, "revise note");
    if (rc == 0 && sqlite3_changes(db) == 0)
        rc = MG_ENOTFOUND;
out:
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

int mg_store_notes_count(size_t *n, struct mg_store *st,
                         enum mg_store_note_status status, int64_t circle_id,
                         int any_circle)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT count(*) FROM notes n WHERE (?1 OR "
                           "coalesce(n.circle_id, 0) = ?2) AND n.status = ?3");
    int step;

    *n = 0;
    if (rc == 0) {
        sqlite3_bind_int(stmt, 1, any_circle);
        sqlite3_bind_int64(stmt, 2, circle_id);
        sqlite3_bind_text(stmt, 3, mg_store_note_status_name(status), -1,
                          SQLITE_STATIC);
        step = sqlite3_step(stmt);
        if (step == SQLITE_ROW)
            *n = (size_t)sqlite3_column_int64(stmt, 0);
        else
            rc = store_fail(st, db, step, "count notes");
    }
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}
