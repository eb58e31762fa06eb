/*
 * store: the one place SQL lives. A SQLite file in WAL mode with foreign
 * keys on and a busy timeout, versioned migrations applied when it is
 * opened, prepared statements only. A store holds a small pool of
 * connections so that the daemon's worker threads and the CLI can use the
 * same file at once; every function here takes a connection from the pool
 * for the length of the call and is safe to call from several threads.
 *
 * This header holds the core (open, close, transactions); the tables'
 * functions are in include/mingle/store/, one header per family, all
 * included here.
 */
#ifndef MINGLE_STORE_H
#define MINGLE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "mingle/core.h"

struct mg_store;

struct mg_store_options {
    int connections;     /* pool size, at least 1 */
    int busy_timeout_ms; /* how long to wait on a locked database */
};

/*
 * Open (creating if needed) the database at `path` and bring its schema
 * to the newest version. On success *out is the caller's; close it with
 * mg_store_close(). On failure `err` says why.
 */
int mg_store_open(struct mg_store **out, const char *path,
                  const struct mg_store_options *opt, struct mg_error *err);

/* Close every connection and free the store; NULL is fine. */
void mg_store_close(struct mg_store *st);

/* The schema version the file is at, and the newest this build knows. */
int mg_store_schema_version(int *out, struct mg_store *st);
int mg_store_schema_latest(void);

/* Database faults seen since open (not constraint violations), for metrics. */
uint64_t mg_store_error_count(const struct mg_store *st);

/*
 * Transactions. Every function in the table headers runs in its own
 * transaction; a caller that must read, decide and write as one (the
 * plenary waitlist: two declines at once promote two people, each once)
 * takes a transaction handle and uses the `mg_store_tx_*` functions with
 * it. The handle holds one pooled connection and the write lock until it
 * ends, so keep it short and do not call plain store functions while
 * holding it from a one-connection store: they would wait for it.
 */
struct mg_store_tx;

/* BEGIN IMMEDIATE (the write lock, waiting up to the busy timeout). On
 * success *out is the caller's until mg_store_commit/mg_store_rollback. */
int mg_store_begin(struct mg_store_tx **out, struct mg_store *st);

/* Commit and end `tx` (freed either way); on failure nothing is kept. */
int mg_store_commit(struct mg_store_tx *tx);

/* Undo and end `tx`; NULL is fine. Never fails loudly. */
void mg_store_rollback(struct mg_store_tx *tx);

#include "mingle/store/attendance.h"
#include "mingle/store/audit.h"
#include "mingle/store/backup.h"
#include "mingle/store/books.h"
#include "mingle/store/certificates.h"
#include "mingle/store/calendar.h"
#include "mingle/store/changes.h"
#include "mingle/store/circles.h"
#include "mingle/store/groups.h"
#include "mingle/store/jobs.h"
#include "mingle/store/keys.h"
#include "mingle/store/moves.h"
#include "mingle/store/notes.h"
#include "mingle/store/outbox.h"
#include "mingle/store/overview.h"
#include "mingle/store/people.h"
#include "mingle/store/plan.h"
#include "mingle/store/plenaries.h"
#include "mingle/store/privacy.h"
#include "mingle/store/retention.h"
#include "mingle/store/rooms.h"
#include "mingle/store/tokens.h"
#include "mingle/store/signup.h"
#include "mingle/store/participation.h"
#include "mingle/store/sheets.h"
#include "mingle/store/cpd.h"
#include "mingle/store/survey.h"

#endif
