/*
 * deliver.c: one round of the outbox: take the due messages from the
 * store, hand each to the transport, record the outcome right away.
 */
#include "mingle/outbox.h"

#include <stdio.h>
#include <stdlib.h>

#include "mingle/mail.h"
#include "mingle/store.h"

#include "banned.h"

int mg_outbox_flush(size_t *sent, size_t *failed, struct mg_store *st,
                    const struct mg_outbox_config *cfg, int max)
{
    struct mg_outbox_row *rows = NULL;
    size_t n = 0, i;
    int64_t now = mg_now();
    int rc = mg_store_outbox_due(&rows, &n, st, now, max);

    *sent = *failed = 0;
    for (i = 0; rc == 0 && i < n; i++) {
        struct mg_outgoing m;
        struct mg_error err = {{0}, {0}};
        char id[32];

        char *bytes = NULL;
        size_t len = 0;
        int ok;

        snprintf(id, sizeof(id), "%lld", (long long)rows[i].id);
        /* Invitations are stored as their parts and assembled here. */
        if (mg_mail_render(&bytes, &len, rows[i].format, rows[i].message,
                           rows[i].len, rows[i].parts, &err) < 0) {
            /* It was checked when queued: only a damaged row gets here,
             * and trying again will not mend it. */
            rc = mg_store_outbox_retry(st, rows[i].id, rows[i].attempts + 1,
                                       mg_now(), err.message, 1);
            (*failed)++;
            mg_log(MG_LOG_ERROR, "mail cannot be assembled, giving up", "id",
                   id, "error", err.message, NULL);
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
            mg_log(MG_LOG_INFO, "mail sent", "id", id, "kind", rows[i].kind,
                   NULL);
        } else {
            int attempts = rows[i].attempts + 1;
            int give_up =
                cfg->max_attempts > 0 && attempts >= cfg->max_attempts;
            /* mg_outbox_backoff counts from 30 s; scale to the base */
            int64_t delay = mg_outbox_backoff(rows[i].attempts, rows[i].id) *
                            (cfg->retry_base > 0 ? cfg->retry_base : 30) / 30;
            rc = mg_store_outbox_retry(st, rows[i].id, attempts,
                                       mg_now() + (delay > 0 ? delay : 1),
                                       err.message, give_up);
            (*failed)++;
            mg_log(MG_LOG_WARN,
                   give_up ? "mail failed, giving up"
                           : "mail failed, will retry",
                   "id", id, "error", err.message, NULL);
        }
    }
    mg_store_outbox_free(rows, n);
    return rc;
}
