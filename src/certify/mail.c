/*
 * mail.c: certificates by mail when a circle closes. A circle whose
 * coordinator turned mail at close on is due MG_CERTIFY_MAIL_GRACE after
 * its last call ends; then each person with a certificate who has not
 * left gets a plain mail with it attached, queued through the outbox
 * under the key "certificate:<person>", so it goes once however often a
 * round runs; batches are committed as they go, each with how far the
 * mailing got (so the next round, or the daemon after a restart, goes on
 * from there), and the circle is marked done in the last one. A round
 * stops at its time budget or when the daemon stops; a circle whose
 * mailing fails is logged and put off, and the next one has its turn.
 */
#include "mingle/certify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mingle/circle.h"
#include "mingle/i18n.h"
#include "mingle/jobs.h"
#include "mingle/mail.h"
#include "mingle/participation.h"
#include "mingle/people.h"
#include "mingle/store.h"
#include "mingle/worker.h"

#include "banned.h"

#define BATCH 100 /* mails per transaction */
#define CIRCLES_PER_ROUND 4
#define RETRY_FIRST 60
#define RETRY_MAX_WAIT (60 * 60)

static const char *from_address(const struct mg_circle *c,
                                const struct mg_jobs_config *cfg)
{
    if (c->organizer_email && mg_email_valid(c->organizer_email))
        return c->organizer_email;
    if (cfg->mail_from && mg_email_valid(cfg->mail_from))
        return cfg->mail_from;
    return "mingle@localhost.invalid";
}

struct pending {
    char *message;
    size_t len;
    char *recipient;
    char *subject;
    char dedupe[48];
    struct mg_certificate_issue issue;
};

static void pending_free(struct pending *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(p[i].message);
        free(p[i].recipient);
        free(p[i].subject);
    }
}

/* Queue the batch, note how far the mailing got (person `cursor`,
 * `people` mails in all), and mark the circle done when `last`. */
static int commit(size_t *mails, struct mg_store *st, int64_t circle_id,
                  struct pending *batch, size_t n, int last, int64_t cursor,
                  size_t people, int64_t now)
{
    struct mg_store_tx *tx = NULL;
    size_t i, queued = 0;
    int rc = mg_store_begin(&tx, st), changed = 0;

    for (i = 0; rc == 0 && i < n; i++) {
        struct mg_outbox_msg m;

        memset(&m, 0, sizeof(m));
        m.circle_id = circle_id;
        m.kind = "certificate";
        m.recipient = batch[i].recipient;
        m.subject = batch[i].subject;
        m.message = batch[i].message;
        m.len = batch[i].len;
        m.dedupe_key = batch[i].dedupe;
        rc = mg_store_tx_outbox_queue(&queued, tx, &m);
        if (rc == 0)
            rc = mg_store_tx_certificate_issued(tx, &batch[i].issue);
    }
    if (rc == 0)
        rc = mg_store_tx_certificate_mail_cursor(tx, circle_id, cursor, people);
    if (rc == 0 && last)
        rc = mg_store_tx_certificate_mailed(&changed, tx, circle_id, now,
                                            people);
    if (rc == 0)
        rc = mg_store_commit(tx);
    else if (tx)
        mg_store_rollback(tx);
    if (rc == 0 && mails)
        *mails += queued;
    return rc;
}

/* One person's mail into `p`; 1 when there is one, 0 when they get none
 * (left, no address, a name a mail cannot hold: logged). */
static int person_mail(struct pending *p, struct mg_store *st,
                       const struct mg_certify_circle *cc,
                       const struct mg_circle *c,
                       const struct mg_jobs_config *cfg,
                       const struct mg_participation *part, int64_t now)
{
    struct mg_participant *who = NULL;
    struct mg_text_mail m;
    struct mg_error err = {{0}, {0}};
    char code[MG_CERTIFICATE_CODE_MAX], file[160], ascii[64];
    char *pdf = NULL, *text = NULL, *subject = NULL;
    size_t len = 0;
    int rc, made = 0;

    if (strcmp(part->status, "withdrawn") == 0)
        return 0;
    rc = mg_store_participant_get(&who, st, c->id, part->person_id);
    if (rc < 0 || !who->email || !who->email[0])
        goto out;
    rc = mg_certify_draw(&pdf, &len, code, &p->issue, cc, part, now);
    if (rc < 0)
        goto out;
    mg_certify_ascii_name(ascii, sizeof(ascii), part->name);
    snprintf(file, sizeof(file), "%s-%lld-%s.pdf", mg_certify_slug(cc),
             (long long)part->person_id, ascii);
    subject =
        mg_xasprintf(_("Your certificate of participation: %s"), c->title);
    text = mg_xasprintf(
        _("Hello %s,\n\nthank you for taking part in %s. Your certificate "
          "of participation is attached.\n\nAnyone can check it is genuine "
          "with its code, %s, at the address printed on it.\n"),
        part->name, c->title, code);
    memset(&m, 0, sizeof(m));
    m.from_name = c->organizer_name;
    m.from_email = from_address(c, cfg);
    m.to_name = part->name;
    m.to_email = who->email;
    m.subject = subject;
    m.text = text;
    m.date = now;
    m.auto_submitted = 1;
    m.attachment = pdf;
    m.attachment_len = len;
    m.attachment_name = file;
    m.attachment_type = "application/pdf";
    if (mg_mail_build_text(&p->message, &p->len, &m, &err) < 0) {
        char id[24];
        snprintf(id, sizeof(id), "%lld", (long long)part->person_id);
        /* the message may quote the address: the id and field only */
        mg_log(MG_LOG_WARN, "certificates: mail left out", "person", id,
               "field", err.field, NULL);
        goto out;
    }
    p->recipient = mg_xstrdup(who->email);
    p->subject = subject;
    subject = NULL;
    snprintf(p->dedupe, sizeof(p->dedupe), "certificate:%lld",
             (long long)part->person_id);
    made = 1;
out:
    free(pdf);
    free(text);
    free(subject);
    mg_participants_free(who, who ? 1 : 0);
    return made;
}

/* The round's time is up, or the daemon is stopping. */
static int time_up(double deadline, struct mg_worker *w)
{
    return (deadline > 0 && mg_monotonic() >= deadline) ||
           (w && mg_worker_stopping(w));
}

/* The mails of one circle, BATCH a transaction, on from the person the
 * last round got to, until done (*done) or `deadline` / a stop. */
static int mail_circle(size_t *mails, int *done, struct mg_store *st,
                       const struct mg_jobs_config *cfg, int64_t circle_id,
                       int64_t now, double deadline, struct mg_worker *w)
{
    struct mg_certificate_mail_progress prog;
    struct mg_certify_circle *cc = NULL;
    struct mg_participation *people = NULL;
    struct mg_circle *c = NULL;
    struct pending batch[BATCH];
    char saved[MG_I18N_LANG_MAX];
    size_t n = 0, i, k = 0, people_mailed = 0;
    int64_t cursor;
    int rc = mg_store_certificate_mail_progress(&prog, st, circle_id);

    *done = 0;
    if (rc == 0)
        rc = mg_participation_load(&people, &n, st, circle_id, 0);
    if (rc == 0)
        rc = mg_certify_open(&cc, st, circle_id, cfg->base_url);
    if (rc == 0)
        rc = mg_store_circle_get(&c, st, circle_id);
    if (rc < 0)
        goto out;
    cursor = prog.cursor;
    people_mailed = prog.people;
    mg_i18n_switch(saved, mg_circle_language(c));
    memset(batch, 0, sizeof(batch));
    /* people come by id: on after the last one done */
    for (i = 0; i < n && people[i].person_id <= cursor; i++)
        ;
    for (; rc == 0 && i < n; i++) {
        int stop;

        if (mg_certify_eligible(&people[i]) &&
            person_mail(&batch[k], st, cc, c, cfg, &people[i], now))
            k++;
        cursor = people[i].person_id;
        stop = i + 1 < n && time_up(deadline, w);
        if (k == BATCH || stop) {
            rc = commit(mails, st, circle_id, batch, k, 0, cursor,
                        people_mailed + k, now);
            pending_free(batch, k);
            memset(batch, 0, sizeof(batch));
            if (rc == 0)
                people_mailed += k;
            k = 0;
            if (stop)
                break;
        }
    }
    if (rc == 0 && i >= n) {
        rc = commit(mails, st, circle_id, batch, k, 1, cursor,
                    people_mailed + k, now);
        if (rc == 0) {
            people_mailed += k;
            *done = 1;
        }
    }
    pending_free(batch, k);
    mg_i18n_restore(saved);
    if (*done) {
        char id[24], count[24];
        snprintf(id, sizeof(id), "%lld", (long long)circle_id);
        snprintf(count, sizeof(count), "%zu", people_mailed);
        mg_log(MG_LOG_INFO, "certificates mailed at the circle's close",
               "circle", id, "people", count, NULL);
    }
out:
    mg_circle_free(c);
    mg_certify_close(cc);
    mg_participation_free(people, n);
    return rc;
}

/* After a failure a circle waits RETRY_FIRST, doubled each time in a row
 * up to RETRY_MAX_WAIT, so it neither comes back at once nor holds up
 * the circles after it. */
static void put_off(struct mg_store *st, int64_t circle_id, int64_t now,
                    int error)
{
    struct mg_certificate_mail_progress prog;
    int64_t wait = RETRY_FIRST;
    char id[24], after[24];
    int i;

    if (mg_store_certificate_mail_progress(&prog, st, circle_id) < 0)
        prog.failures = 0;
    for (i = 0; i < prog.failures && wait < RETRY_MAX_WAIT; i++)
        wait *= 2;
    if (wait > RETRY_MAX_WAIT)
        wait = RETRY_MAX_WAIT;
    snprintf(id, sizeof(id), "%lld", (long long)circle_id);
    snprintf(after, sizeof(after), "%lld", (long long)wait);
    mg_log(MG_LOG_WARN, "certificates: mail at close failed, tried again later",
           "circle", id, "error", mg_strerror(error), "seconds", after, NULL);
    mg_store_certificate_mail_failed(st, circle_id, prog.failures + 1,
                                     now + wait);
}

int mg_certify_mail_round(size_t *mails, int *more, struct mg_store *st,
                          const struct mg_jobs_config *cfg, int64_t now,
                          double budget, struct mg_worker *w)
{
    double deadline = budget > 0 ? mg_monotonic() + budget : 0;
    int64_t *due = NULL;
    size_t n = 0, i;
    int rc = mg_store_certificate_mailings_due(
        &due, &n, st, now, MG_CERTIFY_MAIL_GRACE, CIRCLES_PER_ROUND);

    if (mails)
        *mails = 0;
    if (more)
        *more = rc == 0 && n == CIRCLES_PER_ROUND; /* others may wait */
    for (i = 0; i < n; i++) {
        int done = 0, one;

        if (time_up(deadline, w)) {
            if (more)
                *more = 1;
            break;
        }
        one = mail_circle(mails, &done, st, cfg, due[i], now, deadline, w);
        if (one < 0) {
            /* logged with the circle; the next circle's turn */
            put_off(st, due[i], now, one);
            if (rc == 0)
                rc = one;
            continue;
        }
        if (!done && more)
            *more = 1;
    }
    free(due);
    return rc;
}
