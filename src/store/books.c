/*
 * books.c: a circle's book, its sections, threads and readings. The
 * whole set is replaced in one transaction; readings and threads go
 * first because they point at sections.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

/* Run `sql` with `id` bound to its parameter (if it has one). */
static int exec_bound(struct mg_store *st, sqlite3 *db, const char *sql,
                      int64_t id)
{
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db, sql);

    if (rc < 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, id);
    rc = sqlite3_step(stmt);
    rc = rc == SQLITE_DONE ? 0 : store_fail(st, db, rc, sql);
    sqlite3_finalize(stmt);
    return rc;
}

static int insert_book(int64_t *id, struct mg_store *st, sqlite3 *db,
                       int64_t circle_id, const struct mg_book_upload *up)
{
    const struct mg_book *b = up->book;
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "INSERT INTO books (circle_id, title, author, "
                           "format, source_name, sha256, word_count, "
                           "created_at, no_structure, utf8_repaired, "
                           "section_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
                           "?, ?, ?)");

    if (rc < 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, circle_id);
    sqlite3_bind_text(stmt, 2, b->title ? b->title : "", -1, SQLITE_TRANSIENT);
    store_bind_text_or_null(stmt, 3, b->author);
    sqlite3_bind_text(stmt, 4, mg_book_format_name(b->format), -1,
                      SQLITE_STATIC);
    store_bind_text_or_null(stmt, 5, up->source_name);
    store_bind_text_or_null(stmt, 6, up->sha256);
    sqlite3_bind_int64(stmt, 7, (sqlite3_int64)b->words);
    sqlite3_bind_int64(stmt, 8, mg_now());
    sqlite3_bind_int(stmt, 9, b->no_structure);
    sqlite3_bind_int(stmt, 10, b->utf8_repaired);
    sqlite3_bind_int64(stmt, 11, (sqlite3_int64)b->n_sections);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) {
        *id = sqlite3_last_insert_rowid(db);
        rc = 0;
    } else {
        rc = store_fail(st, db, sqlite3_extended_errcode(db), "insert book");
    }
    sqlite3_finalize(stmt);
    return rc;
}

static int insert_sections(int64_t *ids, struct mg_store *st, sqlite3 *db,
                           int64_t book_id, const struct mg_book *b)
{
    sqlite3_stmt *stmt = NULL;
    size_t i;
    int rc = store_prepare(&stmt, st, db,
                           "INSERT INTO sections (book_id, parent_id, "
                           "position, level, kind, title, word_count, "
                           "total_words, byte_start, byte_end, body, "
                           "is_thread) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                           "?, ?)");

    if (rc < 0)
        return rc;
    for (i = 0; i < b->n_sections && rc == 0; i++) {
        const struct mg_section *s = &b->sections[i];
        int step;

        sqlite3_reset(stmt);
        sqlite3_bind_int64(stmt, 1, book_id);
        if (s->parent >= 0)
            sqlite3_bind_int64(stmt, 2, ids[s->parent]);
        else
            sqlite3_bind_null(stmt, 2);
        sqlite3_bind_int64(stmt, 3, (sqlite3_int64)i);
        sqlite3_bind_int(stmt, 4, s->level);
        sqlite3_bind_text(stmt, 5, mg_section_kind_name(s->kind), -1,
                          SQLITE_STATIC);
        sqlite3_bind_text(stmt, 6, s->title, -1, SQLITE_STATIC);
        sqlite3_bind_int64(stmt, 7, (sqlite3_int64)s->words);
        sqlite3_bind_int64(stmt, 8, (sqlite3_int64)s->total_words);
        sqlite3_bind_int64(stmt, 9, (sqlite3_int64)s->text_start);
        sqlite3_bind_int64(stmt, 10, (sqlite3_int64)s->text_end);
        sqlite3_bind_text(stmt, 11, b->text + s->text_start,
                          (int)(s->text_end - s->text_start), SQLITE_STATIC);
        sqlite3_bind_int(stmt, 12, s->is_thread);
        step = sqlite3_step(stmt);
        if (step != SQLITE_DONE)
            rc = store_fail(st, db, sqlite3_extended_errcode(db),
                            "insert section");
        else
            ids[i] = sqlite3_last_insert_rowid(db);
    }
    sqlite3_finalize(stmt);
    return rc;
}

static int insert_readings(struct mg_store *st, sqlite3 *db, sqlite3_stmt *stmt,
                           int64_t circle_id, int64_t thread_id,
                           const char *plan, const int64_t *ids,
                           const struct mg_book *b, const struct mg_reading *r,
                           size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        int step;

        sqlite3_reset(stmt);
        sqlite3_bind_int64(stmt, 1, circle_id);
        if (thread_id)
            sqlite3_bind_int64(stmt, 2, thread_id);
        else
            sqlite3_bind_null(stmt, 2);
        sqlite3_bind_text(stmt, 3, plan, -1, SQLITE_STATIC);
        sqlite3_bind_int(stmt, 4, r[i].week);
        sqlite3_bind_int64(stmt, 5, ids[r[i].first]);
        sqlite3_bind_int64(stmt, 6, ids[r[i].end - 1]);
        sqlite3_bind_int64(stmt, 7, (sqlite3_int64)r[i].words);
        /* a text range only for a reading cut inside a section */
        if (b->no_structure ||
            r[i].text_start != b->sections[r[i].first].text_start ||
            r[i].text_end != b->sections[r[i].end - 1].text_end) {
            sqlite3_bind_int64(stmt, 8, (sqlite3_int64)r[i].text_start);
            sqlite3_bind_int64(stmt, 9, (sqlite3_int64)r[i].text_end);
        } else {
            sqlite3_bind_null(stmt, 8);
            sqlite3_bind_null(stmt, 9);
        }
        step = sqlite3_step(stmt);
        if (step != SQLITE_DONE)
            return store_fail(st, db, sqlite3_extended_errcode(db),
                              "insert reading");
    }
    return 0;
}

void mg_book_upload_init(struct mg_book_upload *up, const struct mg_book *b,
                         const struct mg_book_split *s, const char *source_name,
                         const char *sha256)
{
    memset(up, 0, sizeof(*up));
    up->book = b;
    up->source_name = source_name;
    up->sha256 = sha256;
    up->threads = s->threads;
    up->n_threads = s->n_threads;
    up->same_pace = s->same_pace;
    up->n_same_pace = s->n_same_pace;
    up->per_thread = (const struct mg_reading *const *)s->per_thread;
    up->n_per_thread = s->n_per_thread;
}

int mg_store_book_replace(int64_t *book_id, struct mg_store *st,
                          int64_t circle_id, const struct mg_book_upload *up)
{
    const struct mg_book *b = up->book;
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *thread_stmt = NULL, *reading_stmt = NULL;
    int64_t *ids = mg_xcalloc(b->n_sections, sizeof(*ids));
    size_t i;
    int rc;

    rc = store_begin(st, db);
    if (rc < 0)
        goto out;
    /* Thread wishes and groups' threads point at the old threads; keep
     * them by title, to point them at the new threads of the same name
     * (a corrected book should not undo the people's choices). */
    rc = exec_bound(st, db,
                    "CREATE TEMP TABLE IF NOT EXISTS keep_wishes "
                    "(participant_id INTEGER, title TEXT, rank INTEGER)",
                    0);
    if (rc == 0)
        rc = exec_bound(st, db,
                        "CREATE TEMP TABLE IF NOT EXISTS keep_groups "
                        "(group_id INTEGER, title TEXT)",
                        0);
    if (rc == 0)
        rc = exec_bound(st, db, "DELETE FROM temp.keep_wishes", 0);
    if (rc == 0)
        rc = exec_bound(st, db, "DELETE FROM temp.keep_groups", 0);
    if (rc == 0)
        rc = exec_bound(st, db,
                        "INSERT INTO temp.keep_wishes SELECT "
                        "w.participant_id, t.title, w.rank FROM "
                        "participant_wishes w JOIN threads t ON t.id = "
                        "w.thread_id WHERE t.circle_id = ?",
                        circle_id);
    if (rc == 0)
        rc = exec_bound(st, db,
                        "INSERT INTO temp.keep_groups SELECT g.id, t.title "
                        "FROM groups g JOIN threads t ON t.id = g.thread_id "
                        "WHERE g.circle_id = ?",
                        circle_id);
    if (rc == 0)
        rc = exec_bound(st, db, "DELETE FROM readings WHERE circle_id = ?",
                        circle_id);
    if (rc == 0)
        rc = exec_bound(st, db, "DELETE FROM threads WHERE circle_id = ?",
                        circle_id);
    if (rc == 0)
        rc = exec_bound(st, db, "DELETE FROM books WHERE circle_id = ?",
                        circle_id);
    if (rc == 0)
        rc = insert_book(book_id, st, db, circle_id, up);
    if (rc == 0)
        rc = insert_sections(ids, st, db, *book_id, b);
    if (rc == 0)
        rc = store_prepare(&thread_stmt, st, db,
                           "INSERT INTO threads (circle_id, book_id, "
                           "position, title, first_section_id, "
                           "last_section_id, word_count) VALUES (?, ?, ?, "
                           "?, ?, ?, ?)");
    if (rc == 0)
        rc = store_prepare(&reading_stmt, st, db,
                           "INSERT INTO readings (circle_id, thread_id, "
                           "plan, week, first_section_id, last_section_id, "
                           "word_count, text_start, text_end) VALUES (?, ?, "
                           "?, ?, ?, ?, ?, ?, ?)");
    if (rc == 0)
        rc = insert_readings(st, db, reading_stmt, circle_id, 0, "same_pace",
                             ids, b, up->same_pace, up->n_same_pace);
    for (i = 0; rc == 0 && i < up->n_threads; i++) {
        const struct mg_thread *t = &up->threads[i];
        int64_t thread_id;
        int step;

        sqlite3_reset(thread_stmt);
        sqlite3_bind_int64(thread_stmt, 1, circle_id);
        sqlite3_bind_int64(thread_stmt, 2, *book_id);
        sqlite3_bind_int(thread_stmt, 3, (int)i + 1);
        sqlite3_bind_text(thread_stmt, 4, t->title, -1, SQLITE_STATIC);
        sqlite3_bind_int64(thread_stmt, 5, ids[t->first]);
        sqlite3_bind_int64(thread_stmt, 6, ids[t->end - 1]);
        sqlite3_bind_int64(thread_stmt, 7, (sqlite3_int64)t->words);
        step = sqlite3_step(thread_stmt);
        if (step != SQLITE_DONE) {
            rc = store_fail(st, db, sqlite3_extended_errcode(db),
                            "insert thread");
            break;
        }
        thread_id = sqlite3_last_insert_rowid(db);
        if (up->per_thread)
            rc = insert_readings(st, db, reading_stmt, circle_id, thread_id,
                                 "thread", ids, b, up->per_thread[i],
                                 up->n_per_thread[i]);
    }
    if (rc == 0)
        rc = exec_bound(st, db,
                        "INSERT OR IGNORE INTO participant_wishes "
                        "(participant_id, thread_id, rank) SELECT "
                        "k.participant_id, t.id, k.rank FROM "
                        "temp.keep_wishes k JOIN threads t ON t.title = "
                        "k.title WHERE t.circle_id = ?",
                        circle_id);
    if (rc == 0)
        rc = exec_bound(st, db,
                        "UPDATE groups SET thread_id = (SELECT t.id FROM "
                        "temp.keep_groups k JOIN threads t ON t.title = "
                        "k.title WHERE k.group_id = groups.id AND "
                        "t.circle_id = ?1) WHERE circle_id = ?1 AND id IN "
                        "(SELECT group_id FROM temp.keep_groups)",
                        circle_id);
    if (rc == 0)
        rc = store_commit(st, db);
out:
    sqlite3_finalize(thread_stmt);
    sqlite3_finalize(reading_stmt);
    if (rc < 0)
        store_rollback(db);
    free(ids);
    store_release(st, db);
    return rc;
}

void mg_store_book_info_release(struct mg_book_info *info)
{
    free(info->title);
    free(info->author);
    free(info->source_name);
    memset(info, 0, sizeof(*info));
}

int mg_store_book_get(struct mg_book_info *out, struct mg_store *st,
                      int64_t circle_id)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db,
                           "SELECT id, title, author, format, source_name, "
                           "sha256, word_count, section_count, no_structure, "
                           "utf8_repaired, created_at FROM books WHERE "
                           "circle_id = ?");

    if (rc < 0)
        goto out;
    sqlite3_bind_int64(stmt, 1, circle_id);
    rc = store_step_row(st, db, stmt, MG_ENOTFOUND, "get book");
    if (rc < 0)
        goto out;
    memset(out, 0, sizeof(*out));
    out->id = sqlite3_column_int64(stmt, 0);
    out->title = store_column_strdup(stmt, 1);
    out->author = store_column_strdup(stmt, 2);
    store_column_copy(out->format, sizeof(out->format), stmt, 3);
    out->source_name = store_column_strdup(stmt, 4);
    store_column_copy(out->sha256, sizeof(out->sha256), stmt, 5);
    out->words = sqlite3_column_int64(stmt, 6);
    out->sections = sqlite3_column_int64(stmt, 7);
    out->no_structure = sqlite3_column_int(stmt, 8);
    out->utf8_repaired = sqlite3_column_int(stmt, 9);
    out->created_at = sqlite3_column_int64(stmt, 10);
    rc = 0;
out:
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

void mg_store_spans_free(struct mg_span *s, size_t n)
{
    size_t i;

    for (i = 0; s && i < n; i++) {
        free(s[i].title);
        free(s[i].first_title);
        free(s[i].last_title);
    }
    free(s);
}

static void read_span(void *row, sqlite3_stmt *stmt)
{
    struct mg_span *s = row;

    s->id = sqlite3_column_int64(stmt, 0);
    s->thread_id = sqlite3_column_int64(stmt, 1);
    s->position = sqlite3_column_int(stmt, 2);
    s->title = store_column_strdup(stmt, 3);
    s->words = sqlite3_column_int64(stmt, 4);
    s->first_section_id = sqlite3_column_int64(stmt, 5);
    s->last_section_id = sqlite3_column_int64(stmt, 6);
    s->first_title = store_column_strdup(stmt, 7);
    s->last_title = store_column_strdup(stmt, 8);
    s->text_start = sqlite3_column_type(stmt, 9) == SQLITE_NULL
                        ? -1
                        : sqlite3_column_int64(stmt, 9);
    s->text_end = sqlite3_column_type(stmt, 10) == SQLITE_NULL
                      ? -1
                      : sqlite3_column_int64(stmt, 10);
    s->part = sqlite3_column_int(stmt, 11);
    s->parts = sqlite3_column_int(stmt, 12);
}

static int load_spans(struct mg_span **out, size_t *n, struct mg_store *st,
                      const char *sql, int64_t circle_id, const char *plan)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    struct mg_span *list = NULL;
    size_t count = 0;
    int rc = store_prepare(&stmt, st, db, sql);

    if (rc < 0)
        goto out;
    sqlite3_bind_int64(stmt, 1, circle_id);
    if (plan)
        sqlite3_bind_text(stmt, 2, plan, -1, SQLITE_TRANSIENT);
    rc = store_rows_read((void **)&list, &count, sizeof(*list), st, db, stmt,
                         read_span, "load spans");
    if (rc < 0)
        goto out;
    *out = list;
    *n = count;
    list = NULL;
out:
    sqlite3_finalize(stmt);
    mg_store_spans_free(list, count);
    store_release(st, db);
    return rc;
}

int mg_store_threads(struct mg_span **out, size_t *n, struct mg_store *st,
                     int64_t circle_id)
{
    return load_spans(out, n, st,
                      "SELECT t.id, t.id, t.position, t.title, t.word_count, "
                      "t.first_section_id, t.last_section_id, f.title, "
                      "l.title, NULL, NULL, 0, 0 FROM threads t "
                      "JOIN sections f ON f.id = t.first_section_id "
                      "JOIN sections l ON l.id = t.last_section_id "
                      "WHERE t.circle_id = ? ORDER BY t.position",
                      circle_id, NULL);
}

int mg_store_readings(struct mg_span **out, size_t *n, struct mg_store *st,
                      int64_t circle_id, const char *plan)
{
    return load_spans(
        out, n, st,
        "SELECT r.id, r.thread_id, r.week, NULL, r.word_count, "
        "r.first_section_id, r.last_section_id, f.title, l.title, "
        "r.text_start, r.text_end, "
        /* a reading inside one section cut over several weeks: which
         * of the readings holding some of that section it is, of how
         * many (sections are numbered in book order) */
        "CASE WHEN r.text_start IS NULL OR r.first_section_id <> "
        "r.last_section_id THEN 0 ELSE (SELECT count(*) FROM readings o "
        "WHERE o.circle_id = r.circle_id AND o.plan = r.plan AND "
        "o.thread_id IS r.thread_id AND o.week <= r.week AND "
        "o.first_section_id <= r.first_section_id AND o.last_section_id >= "
        "r.first_section_id) END, "
        "CASE WHEN r.text_start IS NULL OR r.first_section_id <> "
        "r.last_section_id THEN 0 ELSE (SELECT count(*) FROM readings o "
        "WHERE o.circle_id = r.circle_id AND o.plan = r.plan AND "
        "o.thread_id IS r.thread_id AND o.first_section_id <= "
        "r.first_section_id AND o.last_section_id >= r.first_section_id) "
        "END "
        "FROM readings r "
        "JOIN sections f ON f.id = r.first_section_id "
        "JOIN sections l ON l.id = r.last_section_id "
        "LEFT JOIN threads t ON t.id = r.thread_id "
        "WHERE r.circle_id = ? AND r.plan = ? "
        "ORDER BY t.position, r.week",
        circle_id, plan);
}
