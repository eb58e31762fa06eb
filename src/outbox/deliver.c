/*
 * deliver.c: one round of the outbox: take the due messages from the
 * store, hand them to the transport, record the outcomes. Over SMTP each
 * outcome is recorded right away; into a maildir the round is one
 * batch, whose files are all synced before the batch is marked sent in
 * one transaction.
 */
#include "mingle/outbox.h"

#include <stdio.h>
#include <stdlib.h>

#include "mingle/mail.h"
#include "mingle/store.h"

#include "banned.h"

/* Invitations are stored as their parts and assembled here. When that
 * fails the row is damaged (it was checked when queued), and trying
 * again will not mend it: it is given up. */
static int render(char **bytes, size_t *len, int *rc, struct mg_store *st,
                  const struct mg_outbox_row *row)
{
    struct mg_error err = {{0}, {0}};
    char id[32];

    if (mg_mail_render(bytes, len, row->format, row->message, row->len,
                       row->parts, &err) == 0)
        return 0;
    snprintf(id, sizeof(id), "%lld", (long long)row->id);
    *rc = mg_store_outbox_retry(st, row->id, row->attempts + 1, mg_now(),
                                err.message, 1);
    mg_log(MG_LOG_ERROR, "mail cannot be assembled, giving up", "id", id,
           "error", err.message, NULL);
    return -1;
}

/* A failed attempt: again later, or given up after cfg->max_attempts. */
static int record_failure(struct mg_store *st,
                          const struct mg_outbox_config *cfg,
                          const struct mg_outbox_row *row,
                          const struct mg_error *err)
{
    int attempts = row->attempts + 1;
    int give_up = cfg->max_attempts > 0 && attempts >= cfg->max_attempts;
    /* mg_outbox_backoff counts from 30 s; scale to the base */
    int64_t delay = mg_outbox_backoff(row->attempts, row->id) *
                    (cfg->retry_base > 0 ? cfg->retry_base : 30) / 30;
    char id[32];

    snprintf(id, sizeof(id), "%lld", (long long)row->id);
    mg_log(MG_LOG_WARN,
           give_up ? "mail failed, giving up" : "mail failed, will retry", "id",
           id, "error", err->message, NULL);
    return mg_store_outbox_retry(st, row->id, attempts,
                                 mg_now() + (delay > 0 ? delay : 1),
                                 err->message, give_up);
}

static void log_sent(const struct mg_outbox_row *row)
{
    char id[32];

    snprintf(id, sizeof(id), "%lld", (long long)row->id);
    mg_log(MG_LOG_INFO, "mail sent", "id", id, "kind", row->kind, NULL);
}

/* One at a time over SMTP: each marked sent as soon as the server took
 * it, so a success is never repeated. */
static int flush_smtp(size_t *sent, size_t *failed, struct mg_store *st,
                      const struct mg_outbox_config *cfg,
                      const struct mg_outbox_row *rows, size_t n)
{
    size_t i;
    int rc = 0;

    for (i = 0; rc == 0 && i < n; i++) {
        struct mg_outgoing m;
        struct mg_error err = {{0}, {0}};
        char *bytes = NULL;
        size_t len = 0;
        int ok;

        if (render(&bytes, &len, &rc, st, &rows[i]) < 0) {
            (*failed)++;
            continue;
        }
        m.id = rows[i].id;
        m.recipient = rows[i].recipient;
        m.message = bytes;
        m.len = len;
        m.attempts = rows[i].attempts;
        ok = mg_outbox_send(cfg, &m, &err) == 0;
        free(bytes);
        if (ok) {
            rc = mg_store_outbox_sent(st, rows[i].id, mg_now());
            (*sent)++;
            log_sent(&rows[i]);
        } else {
            rc = record_failure(st, cfg, &rows[i], &err);
            (*failed)++;
        }
    }
    return rc;
}

/*
 * The round as one batch into the maildir: every file written and
 * synced into new/, then all of them marked sent in one transaction. A
 * crash in between leaves them claimed but not sent: the claim runs out
 * and they are delivered again, with the same Message-IDs.
 */
static int flush_maildir(size_t *sent, size_t *failed, struct mg_store *st,
                         const struct mg_outbox_config *cfg,
                         const struct mg_outbox_row *rows, size_t n)
{
    struct mg_outgoing *msgs = mg_xcalloc(n + 1, sizeof(*msgs));
    struct mg_error *errs = mg_xcalloc(n + 1, sizeof(*errs));
    size_t *row_of = mg_xcalloc(n + 1, sizeof(*row_of));
    int64_t *ids = mg_xcalloc(n + 1, sizeof(*ids));
    int *ok = mg_xcalloc(n + 1, sizeof(*ok));
    size_t i, k = 0, n_ok = 0;
    int rc = 0;

    for (i = 0; rc == 0 && i < n; i++) {
        char *bytes = NULL;
        size_t len = 0;

        if (render(&bytes, &len, &rc, st, &rows[i]) < 0) {
            (*failed)++;
            continue;
        }
        msgs[k].id = rows[i].id;
        msgs[k].recipient = rows[i].recipient;
        msgs[k].message = bytes;
        msgs[k].len = len;
        msgs[k].attempts = rows[i].attempts;
        row_of[k++] = i;
    }
    if (rc == 0 && k)
        mg_outbox_send_maildir(cfg, msgs, k, ok, errs);
    for (i = 0; rc == 0 && i < k; i++)
        if (ok[i])
            ids[n_ok++] = msgs[i].id;
    if (rc == 0)
        rc = mg_store_outbox_sent_many(st, ids, n_ok, mg_now());
    for (i = 0; rc == 0 && i < k; i++) {
        if (ok[i]) {
            (*sent)++;
            log_sent(&rows[row_of[i]]);
        } else {
            rc = record_failure(st, cfg, &rows[row_of[i]], &errs[i]);
            (*failed)++;
        }
    }
    for (i = 0; i < k; i++)
        free((char *)msgs[i].message);
    free(msgs);
    free(errs);
    free(row_of);
    free(ids);
    free(ok);
    return rc;
}

int mg_outbox_flush(size_t *sent, size_t *failed, struct mg_store *st,
                    const struct mg_outbox_config *cfg, int max)
{
    struct mg_outbox_row *rows = NULL;
    size_t n = 0;
    int rc = mg_store_outbox_due(&rows, &n, st, mg_now(), max);

    *sent = *failed = 0;
    if (rc == 0 && !cfg->smtp_url && cfg->maildir)
        rc = flush_maildir(sent, failed, st, cfg, rows, n);
    else if (rc == 0)
        rc = flush_smtp(sent, failed, st, cfg, rows, n);
    mg_store_outbox_free(rows, n);
    return rc;
}
