/*
 * store.c: opening the database, the connection pool, migrations and the
 * helpers the table files use. Tables live in their own files
 * (circles.c, tokens.c, ...).
 */
#define _GNU_SOURCE /* nanosleep */
#include "internal.h"

#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "banned.h"

char *store_like_pattern(const char *q)
{
    struct mg_buf b = MG_BUF_INIT;

    mg_buf_puts(&b, "%");
    for (; *q; q++) {
        if (*q == '%' || *q == '_' || *q == '\\')
            mg_buf_add(&b, "\\", 1);
        mg_buf_add(&b, q, 1);
    }
    mg_buf_puts(&b, "%");
    return mg_buf_detach(&b);
}

int mg_store_schema_latest(void)
{
    return mg_store_n_migrations;
}

int store_fail(struct mg_store *st, sqlite3 *db, int rc, const char *what)
{
    int primary = rc & 0xff;

    if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
        return MG_ECONFLICT;
    if (primary == SQLITE_CONSTRAINT)
        return MG_EINVAL;
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
        mg_log(MG_LOG_WARN, "database busy", "op", what, NULL);
        return MG_EBUSY;
    }
    atomic_fetch_add(&st->errors, 1);
    mg_log(MG_LOG_ERROR, "database error", "op", what, "error",
           db ? sqlite3_errmsg(db) : sqlite3_errstr(rc), NULL);
    return MG_EDB;
}

/*
 * The statement cache. Compiling a statement costs more than running
 * most of mingle's (a third of a note's time went to it), so each pooled
 * connection keeps the statements it has compiled, keyed by their SQL
 * text, up to STMT_CACHE_SIZE of them; the least recently used idle one
 * makes room. A connection is used by one thread at a time (the pool),
 * so its cache needs no lock of its own; finding a statement's cache
 * from the statement alone (store_finalize) goes through `registry`.
 */
#define STMT_CACHE_SIZE 64

struct cached_stmt {
    char *sql;
    uint32_t hash;
    int busy; /* handed out, not yet given back */
    sqlite3_stmt *stmt;
    uint64_t used;
};

struct store_conn {
    sqlite3 *db;
    int routing_dirty; /* a routing table was written (on_update) */
    int n;
    uint64_t clock;
    struct cached_stmt slot[STMT_CACHE_SIZE];
};

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct store_conn **registry;
static size_t n_registry;

/* Every store's routing versions come from this one clock, so that no
 * two stores opened in the process ever show the same version. */
static atomic_uint_fast64_t routing_clock;

static uint32_t hash_sql(const char *s)
{
    uint32_t h = 2166136261u;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static struct store_conn *cache_of(struct mg_store *st, sqlite3 *db)
{
    int i;

    for (i = 0; st && i < st->n_conns; i++)
        if (st->conns[i] == db)
            return st->caches[i];
    return NULL;
}

static void registry_add(struct store_conn *c)
{
    pthread_mutex_lock(&registry_lock);
    registry = mg_xrealloc(registry, (n_registry + 1) * sizeof(*registry));
    registry[n_registry++] = c;
    pthread_mutex_unlock(&registry_lock);
}

static void registry_remove(struct store_conn *c)
{
    size_t i;

    pthread_mutex_lock(&registry_lock);
    for (i = 0; i < n_registry; i++) {
        if (registry[i] == c) {
            registry[i] = registry[--n_registry];
            break;
        }
    }
    if (n_registry == 0) {
        free(registry);
        registry = NULL;
    }
    pthread_mutex_unlock(&registry_lock);
}

static struct store_conn *registry_find(sqlite3 *db)
{
    struct store_conn *c = NULL;
    size_t i;

    pthread_mutex_lock(&registry_lock);
    for (i = 0; i < n_registry && !c; i++)
        if (registry[i]->db == db)
            c = registry[i];
    pthread_mutex_unlock(&registry_lock);
    return c;
}

/* Writes to these tables change where a note is filed (notes/file.c). */
static void on_update(void *arg, int op, const char *dbname, const char *table,
                      sqlite3_int64 rowid)
{
    static const char *const routing[] = {"circles", "groups", "memberships",
                                          "sessions", "participants"};
    struct store_conn *c = arg;
    size_t i;

    (void)op;
    (void)dbname;
    (void)rowid;
    for (i = 0; i < STORE_N_NAMES(routing) && !c->routing_dirty; i++)
        if (strcmp(table, routing[i]) == 0)
            c->routing_dirty = 1;
}

static struct store_conn *cache_new(sqlite3 *db)
{
    struct store_conn *c = mg_xcalloc(1, sizeof(*c));

    c->db = db;
    sqlite3_update_hook(db, on_update, c);
    registry_add(c);
    return c;
}

static void cache_free(struct store_conn *c)
{
    int i;

    if (!c)
        return;
    registry_remove(c);
    sqlite3_update_hook(c->db, NULL, NULL);
    for (i = 0; i < c->n; i++) {
        (sqlite3_finalize)(c->slot[i].stmt);
        free(c->slot[i].sql);
    }
    free(c);
}

/* A slot for a new statement: a free one, or the least recently used
 * idle one (its statement finalized); NULL when all are in use. */
static struct cached_stmt *cache_room(struct store_conn *c)
{
    struct cached_stmt *lru = NULL;
    int i;

    if (c->n < STMT_CACHE_SIZE)
        return &c->slot[c->n++];
    for (i = 0; i < c->n; i++)
        if (!c->slot[i].busy && (!lru || c->slot[i].used < lru->used))
            lru = &c->slot[i];
    if (lru) {
        (sqlite3_finalize)(lru->stmt);
        free(lru->sql);
        memset(lru, 0, sizeof(*lru));
    }
    return lru;
}

int store_prepare(sqlite3_stmt **out, struct mg_store *st, sqlite3 *db,
                  const char *sql)
{
    struct store_conn *c = cache_of(st, db);
    struct cached_stmt *slot;
    uint32_t hash = hash_sql(sql);
    int i, rc;

    for (i = 0; c && i < c->n; i++) {
        slot = &c->slot[i];
        if (!slot->busy && slot->hash == hash && strcmp(slot->sql, sql) == 0) {
            slot->busy = 1;
            slot->used = ++c->clock;
            *out = slot->stmt;
            return 0;
        }
    }
    rc = sqlite3_prepare_v3(db, sql, -1, c ? SQLITE_PREPARE_PERSISTENT : 0, out,
                            NULL);
    if (rc != SQLITE_OK) {
        *out = NULL;
        return store_fail(st, db, rc, "prepare");
    }
    if (c && *out && (slot = cache_room(c)) != NULL) {
        slot->sql = mg_xstrdup(sql);
        slot->hash = hash;
        slot->stmt = *out;
        slot->busy = 1;
        slot->used = ++c->clock;
    }
    return 0;
}

int store_finalize(sqlite3_stmt *stmt)
{
    struct store_conn *c;
    int i;

    if (!stmt)
        return SQLITE_OK;
    c = registry_find(sqlite3_db_handle(stmt));
    for (i = 0; c && i < c->n; i++) {
        if (c->slot[i].stmt == stmt) {
            int rc = sqlite3_reset(stmt);

            sqlite3_clear_bindings(stmt);
            c->slot[i].busy = 0;
            return rc;
        }
    }
    return (sqlite3_finalize)(stmt);
}

uint64_t mg_store_routing_version(struct mg_store *st)
{
    return atomic_load(&st->routing_version);
}

static void routing_bump(struct mg_store *st)
{
    atomic_store(&st->routing_version, atomic_fetch_add(&routing_clock, 1) + 1);
}

int store_step_row(struct mg_store *st, sqlite3 *db, sqlite3_stmt *stmt,
                   int none, const char *what)
{
    int step = sqlite3_step(stmt);

    if (step == SQLITE_ROW)
        return 0;
    if (step == SQLITE_DONE)
        return none;
    return store_fail(st, db, step, what);
}

static int exec_simple(struct mg_store *st, sqlite3 *db, const char *sql)
{
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);

    if (rc != SQLITE_OK)
        return store_fail(st, db, sqlite3_extended_errcode(db), sql);
    return 0;
}

int store_step(struct mg_store *st, sqlite3 *db, sqlite3_stmt *stmt,
               const char *what)
{
    int rc = sqlite3_step(stmt);

    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    if (rc == SQLITE_DONE || rc == SQLITE_ROW)
        return 0;
    return store_fail(st, db, sqlite3_extended_errcode(db), what);
}

/* One statement without rows, through the cache (BEGIN, COMMIT). */
static int exec_cached(struct mg_store *st, sqlite3 *db, const char *sql)
{
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db, sql);

    if (rc < 0)
        return rc;
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE || rc == SQLITE_ROW)
        rc = 0;
    else
        rc = store_fail(st, db, sqlite3_extended_errcode(db), sql);
    store_finalize(stmt);
    return rc;
}

int store_begin(struct mg_store *st, sqlite3 *db)
{
    return exec_cached(st, db, "BEGIN IMMEDIATE");
}

int store_commit(struct mg_store *st, sqlite3 *db)
{
    int rc = exec_cached(st, db, "COMMIT");

    if (rc < 0)
        store_rollback(db);
    return rc;
}

void store_rollback(sqlite3 *db)
{
    if (!sqlite3_get_autocommit(db))
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

int store_rows_read(void **rows, size_t *n, size_t size, struct mg_store *st,
                    sqlite3 *db, sqlite3_stmt *stmt,
                    void (*read_row)(void *row, sqlite3_stmt *stmt),
                    const char *what)
{
    unsigned char *list = NULL;
    size_t cap = 0;
    int rc = 0;

    assert(*rows == NULL && *n == 0);
    for (;;) {
        int step = sqlite3_step(stmt);

        if (step == SQLITE_DONE)
            break;
        if (step != SQLITE_ROW) {
            rc = store_fail(st, db, step, what);
            break;
        }
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            list = mg_xrealloc(list, cap * size);
            *rows = list;
        }
        memset(list + *n * size, 0, size);
        read_row(list + *n * size, stmt);
        (*n)++;
    }
    return rc;
}

int store_list_by_id(void **out, size_t *n, size_t size, struct mg_store *st,
                     const char *sql, int64_t id,
                     void (*read_row)(void *row, sqlite3_stmt *stmt),
                     void (*free_rows)(void *rows, size_t n), const char *what)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    void *rows = NULL;
    size_t count = 0;
    int rc = store_prepare(&stmt, st, db, sql);

    if (rc < 0)
        goto out;
    sqlite3_bind_int64(stmt, 1, id);
    rc = store_rows_read(&rows, &count, size, st, db, stmt, read_row, what);
    if (rc < 0)
        goto out;
    *out = rows;
    *n = count;
    rows = NULL;
out:
    if (rows && free_rows)
        free_rows(rows, count);
    else
        free(rows);
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

const char *store_enum_name(const char *const *names, size_t n, int v)
{
    return v >= 0 && (size_t)v < n ? names[v] : names[0];
}

int store_enum_parse(int *out, const char *const *names, size_t n,
                     const char *s)
{
    size_t i;

    for (i = 0; s && i < n; i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = (int)i;
            return 0;
        }
    }
    return MG_EINVAL;
}

int store_column_enum(sqlite3_stmt *stmt, int col, const char *const *names,
                      size_t n)
{
    int v = 0;

    if (store_enum_parse(&v, names, n,
                         (const char *)sqlite3_column_text(stmt, col)) < 0)
        v = 0;
    return v;
}

/* A write transaction: one connection borrowed from the pool until the
 * transaction ends, so every call made with it sees its own writes. */
struct mg_store_tx {
    struct mg_store *st;
    sqlite3 *db;
};

int mg_store_begin(struct mg_store_tx **out, struct mg_store *st)
{
    sqlite3 *db = store_acquire(st);
    int rc = store_begin(st, db);

    if (rc < 0) {
        store_release(st, db);
        return rc;
    }
    *out = mg_xcalloc(1, sizeof(**out));
    (*out)->st = st;
    (*out)->db = db;
    return 0;
}

int mg_store_commit(struct mg_store_tx *tx)
{
    int rc = store_commit(tx->st, tx->db);

    store_release(tx->st, tx->db);
    free(tx);
    return rc;
}

void mg_store_rollback(struct mg_store_tx *tx)
{
    if (!tx)
        return;
    store_rollback(tx->db);
    store_release(tx->st, tx->db);
    free(tx);
}

struct mg_store *store_tx_store(struct mg_store_tx *tx)
{
    return tx->st;
}

sqlite3 *store_tx_db(struct mg_store_tx *tx)
{
    return tx->db;
}

int store_bind_text_or_null(sqlite3_stmt *stmt, int idx, const char *s)
{
    if (!s || !*s)
        return sqlite3_bind_null(stmt, idx);
    return sqlite3_bind_text(stmt, idx, s, -1, SQLITE_TRANSIENT);
}

void store_column_copy(char *dst, size_t n, sqlite3_stmt *stmt, int col)
{
    const unsigned char *s = sqlite3_column_text(stmt, col);

    snprintf(dst, n, "%s", s ? (const char *)s : "");
}

char *store_column_strdup(sqlite3_stmt *stmt, int col)
{
    const unsigned char *s = sqlite3_column_text(stmt, col);

    return s ? mg_xstrdup((const char *)s) : NULL;
}

sqlite3 *store_acquire(struct mg_store *st)
{
    sqlite3 *db = NULL;
    int i;

    pthread_mutex_lock(&st->lock);
    while (!db) {
        for (i = 0; i < st->n_conns; i++) {
            if (!st->in_use[i]) {
                st->in_use[i] = 1;
                db = st->conns[i];
                break;
            }
        }
        if (!db)
            pthread_cond_wait(&st->freed, &st->lock);
    }
    pthread_mutex_unlock(&st->lock);
    return db;
}

void store_release(struct mg_store *st, sqlite3 *db)
{
    int i;

    pthread_mutex_lock(&st->lock);
    for (i = 0; i < st->n_conns; i++) {
        if (st->conns[i] == db) {
            /* whatever was written is committed (or undone) by now */
            if (st->caches[i] && st->caches[i]->routing_dirty) {
                st->caches[i]->routing_dirty = 0;
                routing_bump(st);
            }
            st->in_use[i] = 0;
            break;
        }
    }
    pthread_cond_signal(&st->freed);
    pthread_mutex_unlock(&st->lock);
}

/*
 * Waiting for the write lock: SQLite's own busy handler sleeps 1, 2, 5
 * ... up to 100 ms between tries, so a writer queued behind a few
 * commits of a millisecond each could wait 100 ms (the p99 of webhook
 * bursts). This one tries again every 0.1 ms for the first 5 ms, then
 * every millisecond, until the busy timeout (its `arg`, in ms) is spent.
 */
static int busy_wait(void *arg, int tries)
{
    long timeout_us = (long)(intptr_t)arg * 1000;
    long spent_us = tries < 50 ? tries * 100L : 5000L + (tries - 50) * 1000L;

    if (spent_us >= timeout_us)
        return 0;
    {
        struct timespec pause = {0, tries < 50 ? 100000L : 1000000L};
        nanosleep(&pause, NULL);
    }
    return 1;
}

static int open_conn(sqlite3 **out, const char *path, int busy_timeout_ms,
                     struct mg_error *err)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(
        path, &db,
        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);

    if (rc != SQLITE_OK) {
        mg_error_set(err, "db", "cannot open database '%s': %s", path,
                     db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        return MG_EDB;
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_handler(db, busy_wait, (void *)(intptr_t)busy_timeout_ms);
    /* WAL lets readers and one writer (CLI or daemon) share the file;
     * synchronous=FULL so a commit we acknowledged survives power loss;
     * secure_delete zeroes what a delete frees (an erased person). */
    rc = sqlite3_exec(db,
                      "PRAGMA journal_mode=WAL;"
                      "PRAGMA synchronous=FULL;"
                      "PRAGMA foreign_keys=ON;"
                      "PRAGMA secure_delete=ON;",
                      NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        mg_error_set(err, "db", "cannot set up database '%s': %s", path,
                     sqlite3_errmsg(db));
        sqlite3_close(db);
        return rc == SQLITE_BUSY ? MG_EBUSY : MG_EDB;
    }
    *out = db;
    return 0;
}

static int read_version(int *out, sqlite3 *db)
{
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, NULL);

    if (rc == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW) {
        *out = sqlite3_column_int(stmt, 0);
        sqlite3_finalize(stmt);
        return 0;
    }
    sqlite3_finalize(stmt);
    return MG_EDB;
}

static int apply(struct mg_store *st, sqlite3 *db, const char *const *sql)
{
    int rc = 0;

    for (; *sql && rc == 0; sql++)
        rc = exec_simple(st, db, *sql);
    return rc;
}

/*
 * Apply the missing migrations, each in its own transaction with the
 * version bump, so a crash leaves the file at some whole version. The
 * version is re-read under the write lock: another process may have
 * migrated while we waited.
 */
static int migrate(struct mg_store *st, sqlite3 *db, struct mg_error *err)
{
    int version = 0;
    int rc;

    for (;;) {
        char bump[64];

        rc = store_begin(st, db);
        if (rc < 0)
            break;
        rc = read_version(&version, db);
        if (rc < 0 || version >= mg_store_n_migrations) {
            store_rollback(db);
            break;
        }
        rc = apply(st, db, mg_store_migrations[version]);
        if (rc < 0) {
            store_rollback(db);
            break;
        }
        snprintf(bump, sizeof(bump), "PRAGMA user_version=%d", version + 1);
        rc = exec_simple(st, db, bump);
        if (rc == 0)
            rc = store_commit(st, db);
        if (rc < 0) {
            store_rollback(db);
            break;
        }
        snprintf(bump, sizeof(bump), "%d", version + 1);
        mg_log(MG_LOG_INFO, "migrated database", "path", st->path, "version",
               bump, NULL);
    }
    if (rc < 0) {
        mg_error_set(err, "db", "cannot migrate database '%s' past version %d",
                     st->path, version);
        return rc;
    }
    if (version > mg_store_n_migrations) {
        mg_error_set(err, "db",
                     "database '%s' is at schema version %d; this mingle "
                     "knows up to %d",
                     st->path, version, mg_store_n_migrations);
        return MG_EINVAL;
    }
    return 0;
}

int mg_store_open(struct mg_store **out, const char *path,
                  const struct mg_store_options *opt, struct mg_error *err)
{
    struct mg_store *st = mg_xcalloc(1, sizeof(*st));
    int n = opt && opt->connections > 0 ? opt->connections : 1;
    int timeout = opt ? opt->busy_timeout_ms : 5000;
    int i, rc = 0;

    st->path = mg_xstrdup(path);
    st->conns = mg_xcalloc((size_t)n, sizeof(*st->conns));
    st->in_use = mg_xcalloc((size_t)n, sizeof(*st->in_use));
    st->caches = mg_xcalloc((size_t)n, sizeof(*st->caches));
    pthread_mutex_init(&st->lock, NULL);
    pthread_mutex_init(&st->notes_lock, NULL);
    pthread_cond_init(&st->notes_done, NULL);
    pthread_cond_init(&st->freed, NULL);
    atomic_init(&st->errors, 0);
    atomic_init(&st->routing_version, 0);
    routing_bump(st);
    for (i = 0; i < n; i++) {
        rc = open_conn(&st->conns[i], path, timeout, err);
        if (rc < 0)
            goto out;
        st->caches[i] = cache_new(st->conns[i]);
        st->n_conns++;
        if (i == 0) {
            rc = migrate(st, st->conns[0], err);
            if (rc < 0)
                goto out;
        }
    }
    *out = st;
    st = NULL;
out:
    mg_store_close(st);
    return rc;
}

void mg_store_close(struct mg_store *st)
{
    int i;

    if (!st)
        return;
    for (i = 0; i < st->n_conns; i++) {
        cache_free(st->caches[i]);
        sqlite3_close(st->conns[i]);
    }
    pthread_mutex_destroy(&st->lock);
    pthread_mutex_destroy(&st->notes_lock);
    pthread_cond_destroy(&st->notes_done);
    pthread_cond_destroy(&st->freed);
    free(st->conns);
    free(st->in_use);
    free(st->caches);
    free(st->path);
    free(st);
}

int mg_store_schema_version(int *out, struct mg_store *st)
{
    sqlite3 *db = store_acquire(st);
    int rc = read_version(out, db);

    store_release(st, db);
    return rc;
}

uint64_t mg_store_error_count(const struct mg_store *st)
{
    return atomic_load(&((struct mg_store *)st)->errors);
}
