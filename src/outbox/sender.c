/*
 * sender.c: the daemon's outbox thread. Every outbox_interval seconds,
 * or at once when woken because mail was queued, it delivers what is
 * due. It holds no mail of its own: everything it sends is in the store,
 * so stopping it (or crashing) loses nothing.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mingle/mail.h"
#include "mingle/config.h"
#include "mingle/outbox.h"
#include "mingle/store.h"
#include "mingle/worker.h"

#include "banned.h"

struct mg_outbox_sender {
    struct mg_worker w;
    int interval;
    struct mg_store *store;
    struct mg_outbox_config cfg;
    char *smtp_url, *smtp_user, *smtp_password, *maildir, *from;
};

static void *run(void *arg)
{
    struct mg_outbox_sender *s = arg;
    size_t reclaimed = 0;

    /* A sender that died (this daemon's last life, killed) held its
     * claims for the lease: take them back now that it is gone. */
    if (mg_store_outbox_reclaim(&reclaimed, s->store, mg_now()) == 0 &&
        reclaimed) {
        char n[24];
        snprintf(n, sizeof(n), "%zu", reclaimed);
        mg_log(MG_LOG_INFO, "outbox: took back a dead sender's claims",
               "messages", n, NULL);
    }
    while (!mg_worker_stopping(&s->w)) {
        size_t sent = 0, failed = 0;

        do {
            /* keep going while full rounds come back */
            if (mg_outbox_flush(&sent, &failed, s->store, &s->cfg, 50) < 0)
                break;
        } while (sent + failed == 50);
        mg_worker_wait(&s->w, s->interval);
    }
    return NULL;
}

static char *dup_or_null(const char *v)
{
    return v ? mg_xstrdup(v) : NULL;
}

struct mg_outbox_sender *mg_outbox_sender_start(const struct mg_config *cfg,
                                                struct mg_store *st)
{
    struct mg_outbox_sender *s = mg_xcalloc(1, sizeof(*s));

    mg_mail_init();
    s->store = st;
    s->interval = cfg->outbox_interval;
    s->smtp_url = dup_or_null(cfg->smtp_url);
    s->smtp_user = dup_or_null(cfg->smtp_user);
    s->smtp_password = dup_or_null(cfg->smtp_password);
    s->maildir = dup_or_null(cfg->maildir);
    s->from = mg_xstrdup(cfg->mail_from ? cfg->mail_from
                                        : "mingle@localhost.invalid");
    s->cfg.smtp_url = s->smtp_url;
    s->cfg.smtp_user = s->smtp_user;
    s->cfg.smtp_password = s->smtp_password;
    s->cfg.maildir = s->maildir;
    s->cfg.envelope_from = s->from;
    s->cfg.timeout_seconds = 30;
    s->cfg.max_attempts = cfg->outbox_attempts;
    s->cfg.retry_base = cfg->outbox_retry;
    mg_worker_start(&s->w, run, s, "outbox sender");
    return s;
}

void mg_outbox_sender_wake(struct mg_outbox_sender *s)
{
    if (s)
        mg_worker_wake(&s->w);
}

void mg_outbox_sender_stop(struct mg_outbox_sender *s)
{
    if (!s)
        return;
    mg_worker_stop(&s->w);
    free(s->smtp_url);
    free(s->smtp_user);
    if (s->smtp_password)
        memset(s->smtp_password, 0, strlen(s->smtp_password));
    free(s->smtp_password);
    free(s->maildir);
    free(s->from);
    free(s);
}
