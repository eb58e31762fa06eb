/*
 * outbox: delivery of the mail mingle has queued in the store. Each
 * message is in the store before any attempt to send it; a sender picks
 * the due ones, sends them over SMTP with libcurl (or, with no SMTP URL,
 * writes them to a maildir folder), marks each sent right after success,
 * and schedules failures again with exponential backoff.
 */
#ifndef MINGLE_OUTBOX_H
#define MINGLE_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include "mingle/core.h"

struct mg_outbox_config {
    const char *smtp_url;      /* smtp://host:port or smtps://; NULL: maildir */
    const char *smtp_user;     /* may be NULL */
    const char *smtp_password; /* may be NULL; never logged */
    const char *maildir;       /* used when smtp_url is NULL */
    const char *envelope_from; /* MAIL FROM */
    int timeout_seconds;
    int max_attempts; /* then the message is marked failed for good */
    int retry_base;   /* seconds before the first retry (0: 30) */
};

/* One message handed to a transport. */
struct mg_outgoing {
    int64_t id;
    const char *recipient;
    const char *message; /* the whole RFC 5322 message */
    size_t len;
    int attempts; /* before this one */
};

/*
 * Send one message with the configured transport. 0 on success;
 * MG_EIO with `err` on failure (the caller retries later).
 */
int mg_outbox_send(const struct mg_outbox_config *cfg,
                   const struct mg_outgoing *m, struct mg_error *err);

/*
 * Deliver msgs[0..n-1] into the configured maildir (there must be no
 * SMTP URL) as a batch: each is written to tmp/ and synced, moved into
 * new/, and new/ is synced once for the batch. ok[i] says whether
 * msgs[i] is in new/; errs[i] says why not. MG_EINVAL or MG_EIO (with
 * every ok[i] 0) when the maildir is not set or cannot be made.
 */
int mg_outbox_send_maildir(const struct mg_outbox_config *cfg,
                           const struct mg_outgoing *msgs, size_t n, int *ok,
                           struct mg_error *errs);

/* Seconds to wait before attempt `attempts + 1`: 30 s doubling, capped at
 * 6 hours, with a little jitter from `id` so retries spread out. */
int64_t mg_outbox_backoff(int attempts, int64_t id);

struct mg_store;

/*
 * Deliver up to `max` due messages from the store: each is sent, then
 * marked sent (so a success is never repeated), or rescheduled with
 * mg_outbox_backoff() and given up after cfg->max_attempts. Over SMTP
 * each is marked as soon as the server took it; into a maildir the
 * round is one batch (mg_outbox_send_maildir), marked sent in one
 * transaction once every file of it is synced in new/, so a crash in
 * between delivers the batch again (with the same Message-IDs) rather
 * than losing any. *sent and *failed count this round's outcomes.
 */
int mg_outbox_flush(size_t *sent, size_t *failed, struct mg_store *st,
                    const struct mg_outbox_config *cfg, int max);

struct mg_config;
struct mg_outbox_sender;

/*
 * The daemon's outbox thread (sender.c): every outbox_interval seconds,
 * or at once when woken, it flushes what is due. `st` is borrowed and
 * must outlive the sender; end it with mg_outbox_sender_stop(), which
 * waits for the round in progress and frees it.
 */
struct mg_outbox_sender *mg_outbox_sender_start(const struct mg_config *cfg,
                                                struct mg_store *st);
/* Ask for a round now (mail was just queued). */
void mg_outbox_sender_wake(struct mg_outbox_sender *s);
void mg_outbox_sender_stop(struct mg_outbox_sender *s);

#endif
