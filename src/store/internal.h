/*
 * internal.h: what the store's source files share and nobody else sees:
 * the store struct, the connection pool and error mapping.
 */
#ifndef MINGLE_STORE_INTERNAL_H
#define MINGLE_STORE_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include <sqlite3.h>

#include "mingle/store.h"

struct store_conn; /* a pooled connection's statement cache (store.c) */

struct mg_store {
    char *path;
    int n_conns;
    sqlite3 **conns;
    int *in_use;
    struct store_conn **caches; /* conns[i]'s cache */
    /* Moves once a write to the tables that decide where a note is
     * filed has ended (mg_store_routing_version). */
    atomic_uint_fast64_t routing_version;
    pthread_mutex_t lock;
    pthread_cond_t freed;
    atomic_uint_fast64_t errors;
    /* Notes written by concurrent webhooks share one commit (notes.c). */
    pthread_mutex_t notes_lock;
    pthread_cond_t notes_done;
    struct note_job *notes_queue; /* waiting for the next commit */
    int notes_leader;             /* a thread is committing a batch */
};

/* Migration N is mg_store_migrations[N-1], its statements NULL-ended. */
extern const char *const *const mg_store_migrations[];
extern const int mg_store_n_migrations;

/* Borrow a connection for the length of one call; give it back after. */
sqlite3 *store_acquire(struct mg_store *st);
void store_release(struct mg_store *st, sqlite3 *db);

/*
 * Turn a SQLite result code into an MG_E code: constraint violations are
 * MG_ECONFLICT (unique) or MG_EINVAL, BUSY is MG_EBUSY, the rest MG_EDB,
 * which is logged with `what` and counted for /metrics.
 */
int store_fail(struct mg_store *st, sqlite3 *db, int rc, const char *what);

/*
 * Prepare `sql` on `db`; on failure *out is NULL and an MG_E code
 * returned. Statements are cached per connection, keyed by their SQL
 * text: the same call on the same connection gets the statement it had
 * before, reset, instead of compiling it again. sqlite3_finalize() in
 * the store's files is store_finalize() (below), which hands a cached
 * statement back to its connection's cache (reset, bindings cleared)
 * and really finalizes any other, so callers prepare and finalize as
 * they always have. A statement is never handed out twice at once.
 */
int store_prepare(sqlite3_stmt **out, struct mg_store *st, sqlite3 *db,
                  const char *sql);
int store_finalize(sqlite3_stmt *stmt);
#define sqlite3_finalize(stmt) store_finalize(stmt)

/*
 * Step a bound write statement once, then reset it and clear its
 * bindings for the next row; 0, or the MG_E code for the failure.
 */
int store_step(struct mg_store *st, sqlite3 *db, sqlite3_stmt *stmt,
               const char *what);

/*
 * Step a query that reads one row: 0 with the row ready to read, `none`
 * (MG_ENOTFOUND, MG_EAUTH...) when there is no row, or the MG_E code for
 * the failure, logged as `what`.
 */
int store_step_row(struct mg_store *st, sqlite3 *db, sqlite3_stmt *stmt,
                   int none, const char *what);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. Rollback never fails loudly. */
int store_begin(struct mg_store *st, sqlite3 *db);
int store_commit(struct mg_store *st, sqlite3 *db);
void store_rollback(sqlite3 *db);

/*
 * Step `stmt` to the end, reading each row into a new element of `size`
 * bytes (zeroed first) with `read_row`. *rows and *n must start NULL and
 * 0; they grow as rows are read, so on failure too they hold what was
 * read, for the caller to free as it frees the whole list. A failed step
 * is mapped and logged as `what`.
 */
int store_rows_read(void **rows, size_t *n, size_t size, struct mg_store *st,
                    sqlite3 *db, sqlite3_stmt *stmt,
                    void (*read_row)(void *row, sqlite3_stmt *stmt),
                    const char *what);

/*
 * The whole list a query with one parameter gives, on a connection of
 * its own: prepare `sql`, bind `id` to ?1 and read every row as
 * store_rows_read() does. On success *out (the caller's) and *n hold the
 * rows; on failure they are untouched and what was read is freed with
 * `free_rows`, or free() when it is NULL.
 */
int store_list_by_id(void **out, size_t *n, size_t size, struct mg_store *st,
                     const char *sql, int64_t id,
                     void (*read_row)(void *row, sqlite3_stmt *stmt),
                     void (*free_rows)(void *rows, size_t n), const char *what);

/*
 * Statuses are enums outside the store and text in the database (the
 * columns predate the enums). Each table file keeps one array of names
 * indexed by its enum and converts with these two: the name of `v`
 * (names[0] when out of range), and the value whose name is `s`
 * (MG_EINVAL when none is).
 */
#define STORE_N_NAMES(a) (sizeof(a) / sizeof((a)[0]))
const char *store_enum_name(const char *const *names, size_t n, int v);
int store_enum_parse(int *out, const char *const *names, size_t n,
                     const char *s);

/* Column `col` read through `names`; text no mingle wrote reads as 0. */
int store_column_enum(sqlite3_stmt *stmt, int col, const char *const *names,
                      size_t n);

/* An invite row's columns, in the order store_read_invite() reads them
 * (from column 0); calendar.c and rsvps.c both read invites. */
#define INVITE_COLUMNS                                                         \
    "id, group_id, participant_id, uid, sequence, group_sequence, state, "     \
    "coalesce(summary, ''), coalesce(first_start, 0), coalesce(minutes, 0), "  \
    "coalesce(weeks, 0)"
void store_read_invite(void *row, sqlite3_stmt *stmt);

/* Sessions given new instants (mg_store_sessions_retime) inside the
 * transaction on `db`; circles.c moves them with their circle. */
int store_sessions_retime_in(struct mg_store *st, sqlite3 *db,
                             int64_t circle_id,
                             const struct mg_session_row *rows, size_t n);

/* "%q%" with q's own '%', '_' and '\' taken literally (LIKE ... ESCAPE
 * '\'), so a search for "50%" or "a_b" finds only those characters;
 * free() it. */
char *store_like_pattern(const char *q);

/* Status columns more than one table file reads (calendar.c, rsvps.c). */
enum mg_store_invite_state store_read_invite_state(sqlite3_stmt *stmt, int col);
enum mg_store_rsvp_status store_read_rsvp_status(sqlite3_stmt *stmt, int col);

/* The store and connection a transaction (mg_store_begin) runs on. */
struct mg_store *store_tx_store(struct mg_store_tx *tx);
sqlite3 *store_tx_db(struct mg_store_tx *tx);

/* A token row's columns, in the order store_read_token() reads them
 * (from column 0). */
#define TOKEN_COLUMNS                                                          \
    "id, public_id, role, circle_id, group_id, label, created_at, "            \
    "last_used_at, revoked_at"
void store_read_token(struct mg_token *t, sqlite3_stmt *stmt);

/* Bind a string or NULL when `s` is NULL or empty. */
int store_bind_text_or_null(sqlite3_stmt *stmt, int idx, const char *s);
/* Column `col` into `dst` of `n` bytes, cut to fit; "" when NULL. */
void store_column_copy(char *dst, size_t n, sqlite3_stmt *stmt, int col);
/* A copy of column `col` or NULL when it is NULL. */
char *store_column_strdup(sqlite3_stmt *stmt, int col);

/* Give group `group_id` its call room (rooms.c): its own link (NULL:
 * none) and `secret` (NULL or "": a new random one), replacing any. */
int store_group_room_add(struct mg_store *st, sqlite3 *db, int64_t group_id,
                         const char *call_url, const char *secret);
/* Set (NULL or "": clear) plenary `plenary_id`'s own call link. */
int store_plenary_call_url(struct mg_store *st, sqlite3 *db, int64_t plenary_id,
                           const char *url);

#endif
