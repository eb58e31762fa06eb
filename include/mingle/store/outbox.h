/*
 * outbox: outgoing mail, queued in the same transaction as the change it
 * tells of and claimed by the sender with a lease. Sending is the outbox
 * module's.
 */
#ifndef MINGLE_STORE_OUTBOX_H
#define MINGLE_STORE_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include "mingle/core.h"

struct mg_store;
struct mg_store_tx;

/* Where a message stands; stored as "queued", "sending" (claimed by a
 * sender), "sent" or "failed" (given up). */
enum mg_store_outbox_status {
    MG_STORE_OUTBOX_QUEUED,
    MG_STORE_OUTBOX_SENDING,
    MG_STORE_OUTBOX_SENT,
    MG_STORE_OUTBOX_FAILED
};

/* The stored (and API) name of an outbox status. */
const char *mg_store_outbox_status_name(enum mg_store_outbox_status s);

/* Outgoing mail. */
struct mg_outbox_row {
    int64_t id;
    int64_t circle_id;
    char kind[16];
    char *recipient;
    char *subject;
    enum mg_store_outbox_status status;
    int attempts;
    int64_t next_attempt_at;
    int64_t created_at;
    int64_t sent_at;
    char *last_error;
    char *message; /* only from mg_store_outbox_due */
    size_t len;
    char format[8]; /* of `message`: "mime" or "imip" (see mail.h) */
    char *parts;    /* "imip": the message's other parts */
};

/* Free `n` outbox rows with their strings; NULL is fine. Every list
 * below hands its rows to the caller to free with this. */
void mg_store_outbox_free(struct mg_outbox_row *rows, size_t n);

/*
 * Claim up to `max` messages due at `now`, oldest first: they are
 * marked 'sending' for a lease of ten minutes, so no other sender takes
 * them; a sender that dies leaves them due again when the lease ends.
 */
int mg_store_outbox_due(struct mg_outbox_row **out, size_t *n,
                        struct mg_store *st, int64_t now, int max);
/*
 * Give back the claims of senders that are no longer running (a daemon
 * killed mid-round): their messages are due again at `now` instead of
 * when the lease ends. *n says how many. Claims of live senders stay.
 */
int mg_store_outbox_reclaim(size_t *n, struct mg_store *st, int64_t now);
/* Mark a claimed message sent. */
int mg_store_outbox_sent(struct mg_store *st, int64_t id, int64_t now);
/* Mark claimed messages ids[0..n-1] sent, in one transaction: all or
 * none of them. */
int mg_store_outbox_sent_many(struct mg_store *st, const int64_t *ids, size_t n,
                              int64_t now);
/* Record a failed attempt: try again at `next_at`, or give up. */
int mg_store_outbox_retry(struct mg_store *st, int64_t id, int attempts,
                          int64_t next_at, const char *error, int give_up);
/* How many of a circle's messages have `status` (NULL: any). */
int mg_store_outbox_count(size_t *n, struct mg_store *st, int64_t circle_id,
                          const char *status);
/* *found: whether the outbox holds a message queued under `dedupe_key`
 * (waiting, sent or failed). */
int mg_store_outbox_has(int *found, struct mg_store *st,
                        const char *dedupe_key);
/* A circle's messages, newest first, without bodies. */
int mg_store_outbox_list(struct mg_outbox_row **out, size_t *n,
                         struct mg_store *st, int64_t circle_id,
                         const char *status, int limit);

/* One message to queue inside a transaction; nothing is copied. */
struct mg_outbox_msg {
    int64_t circle_id;
    const char *kind; /* "invite", "cancel", ... */
    const char *recipient;
    const char *subject;
    const char *message;
    size_t len;
    const char *format;     /* "mime" (NULL) or "imip" */
    const char *parts;      /* "imip": the other parts, may be NULL */
    const char *dedupe_key; /* unique: the same key is queued once */
};

/*
 * Queue `m` inside transaction `tx` (store.h), due now. A message whose
 * dedupe_key is queued already is skipped; *queued grows by the number
 * actually queued (0 or 1).
 */
int mg_store_tx_outbox_queue(size_t *queued, struct mg_store_tx *tx,
                             const struct mg_outbox_msg *m);

#endif
