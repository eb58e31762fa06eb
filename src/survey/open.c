/*
 * open.c: the survey's glue. Loads and saves a circle's survey through
 * the store (the rules are survey.c's), works out when it opens (the end
 * of the last call unless set) and closes (14 days later unless set),
 * runs the opening job (the invitation mail to each person, queued in
 * batches in the transaction that moves the job on, once per person by
 * its outbox key), signs and checks the /s/<person>/<mac> link and saves
 * a person's answers, anonymous ones without anything that leads back to
 * them.
 */
#include "mingle/survey.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "mingle/auth.h"
#include "mingle/circle.h"
#include "mingle/i18n.h"
#include "mingle/jobs.h"
#include "mingle/mail.h"
#include "mingle/report.h"
#include "mingle/schedule.h"
#include "mingle/store.h"

#include "banned.h"

#define DAY (24 * 60 * 60)
#define HASH_LEN 32

static void effective(int64_t *opens, int64_t *closes,
                      const struct mg_survey *s, int64_t last_end)
{
    *opens = s->opens_at ? s->opens_at : last_end;
    *closes = s->closes_at ? s->closes_at
              : *opens     ? *opens + (int64_t)MG_SURVEY_CLOSE_DAYS * DAY
                           : 0;
}

int mg_survey_load(struct mg_survey *out, int64_t *opens_at, int64_t *closes_at,
                   struct mg_store *st, int64_t circle_id)
{
    int64_t last_end = 0, o, c;
    int rc = mg_store_survey_get(out, &last_end, st, circle_id);

    if (rc < 0)
        return rc;
    if (!out->custom)
        mg_survey_default_questions(out);
    effective(&o, &c, out, last_end);
    if (opens_at)
        *opens_at = o;
    if (closes_at)
        *closes_at = c;
    return 0;
}

static int same_questions(const struct mg_survey *a, const struct mg_survey *b)
{
    size_t i, k;

    if (a->n_questions != b->n_questions)
        return 0;
    for (i = 0; i < a->n_questions; i++) {
        const struct mg_survey_question *x = &a->questions[i],
                                        *y = &b->questions[i];

        if (strcmp(x->id, y->id) != 0 || x->kind != y->kind ||
            strcmp(x->text, y->text) != 0 || x->n_options != y->n_options ||
            !x->required != !y->required)
            return 0;
        for (k = 0; k < x->n_options; k++)
            if (strcmp(x->options[k], y->options[k]) != 0)
                return 0;
    }
    return 1;
}

int mg_survey_save(struct mg_store *st, int64_t circle_id,
                   const struct mg_survey *s, struct mg_error *err)
{
    struct mg_survey old;
    int64_t last_end = 0, opens, closes;
    int responses = 0, attendees = 0;
    int rc = mg_survey_validate(s, err);

    memset(&old, 0, sizeof(old));
    if (rc < 0)
        return rc;
    rc = mg_store_survey_get(&old, &last_end, st, circle_id);
    if (rc == 0 && !old.custom)
        mg_survey_default_questions(&old);
    if (rc == 0)
        rc = mg_store_survey_counts(&responses, &attendees, st, circle_id);
    if (rc < 0)
        goto out;
    if (responses > 0 && !same_questions(&old, s)) {
        mg_error_set(err, "questions",
                     "answers have come in: the questions can no longer "
                     "change");
        rc = MG_EINVAL;
        goto out;
    }
    if (responses > 0 && !old.anonymous != !s->anonymous) {
        mg_error_set(err, "anonymous",
                     "answers have come in under the survey's anonymity: it "
                     "can no longer change");
        rc = MG_EINVAL;
        goto out;
    }
    effective(&opens, &closes, s, last_end);
    if (closes && opens && closes <= opens) {
        mg_error_set(err, "closes_at",
                     "'closes_at' must be after the "
                     "opening");
        rc = MG_EINVAL;
        goto out;
    }
    rc = mg_store_survey_put(st, circle_id, s, opens);
out:
    mg_survey_release(&old);
    return rc;
}

int mg_survey_open_now(struct mg_store *st, int64_t circle_id, int64_t now)
{
    struct mg_survey s;
    struct mg_error err = {{0}, {0}};
    int rc = mg_store_survey_get(&s, NULL, st, circle_id);

    if (rc < 0)
        return rc;
    s.opens_at = now;
    s.closed_at = 0;
    if (s.closes_at && s.closes_at <= now)
        s.closes_at = 0; /* the default: two weeks from now */
    if (!s.custom)
        rc = mg_store_survey_put(st, circle_id, &s, now);
    else
        rc = mg_survey_save(st, circle_id, &s, &err);
    mg_survey_release(&s);
    return rc;
}

int mg_survey_close_now(struct mg_store *st, int64_t circle_id, int64_t now)
{
    struct mg_survey s;
    int rc = mg_store_survey_get(&s, NULL, st, circle_id);

    mg_survey_release(&s);
    if (rc == 0)
        rc = mg_store_survey_closed_at(st, circle_id, now);
    return rc;
}

/* ---- the link ---- */

static void link_mac(char out[MG_SURVEY_MAC_HEX + 1], const unsigned char *key,
                     int64_t participant_id)
{
    char msg[64];

    snprintf(msg, sizeof(msg), "survey-link\n%lld", (long long)participant_id);
    mg_auth_mac_hex(out, MG_SURVEY_MAC_HEX, key, MG_KEY_LEN, msg);
}

int mg_survey_link(char *out, size_t n, struct mg_store *st,
                   int64_t participant_id)
{
    unsigned char key[MG_KEY_LEN];
    char mac[MG_SURVEY_MAC_HEX + 1];
    int rc = mg_store_key(key, st, "survey-link");

    if (rc < 0)
        return rc;
    link_mac(mac, key, participant_id);
    OPENSSL_cleanse(key, sizeof(key));
    snprintf(out, n, "/s/%lld/%s", (long long)participant_id, mac);
    return 0;
}

int mg_survey_link_check(int64_t *circle_id, struct mg_store *st,
                         int64_t participant_id, const char *mac)
{
    unsigned char key[MG_KEY_LEN];
    char want[MG_SURVEY_MAC_HEX + 1];
    int rc = mg_store_key(key, st, "survey-link");

    if (rc < 0)
        return rc;
    link_mac(want, key, participant_id);
    OPENSSL_cleanse(key, sizeof(key));
    /* hashed, then compared in constant time */
    if (!mac || !mg_auth_secret_equal(mac, want))
        return MG_ENOTFOUND;
    return mg_store_person_circle(circle_id, st, participant_id);
}

int mg_survey_may_answer(int *yes, struct mg_store *st, int64_t circle_id,
                         int64_t participant_id)
{
    return mg_store_survey_eligible(yes, st, circle_id, participant_id);
}

/* ---- the opening job ---- */

static const char *from_address(const struct mg_circle *c,
                                const struct mg_jobs_config *cfg)
{
    if (c->organizer_email && mg_email_valid(c->organizer_email))
        return c->organizer_email;
    if (cfg->mail_from && mg_email_valid(cfg->mail_from))
        return cfg->mail_from;
    return "mingle@localhost.invalid";
}

struct batch_mail {
    char *message;
    size_t len;
    char *recipient;
    char *subject;
    char dedupe[64];
};

/* The mail of one batch of people, queued with the job's progress in
 * one transaction. */
static int send_batch(size_t *queued, struct mg_store *st,
                      const struct mg_jobs_config *cfg,
                      const struct mg_circle *c, const struct mg_survey *s,
                      int64_t closes, const unsigned char *key,
                      const struct mg_job_person *people, size_t n, int done,
                      int64_t now)
{
    struct batch_mail *m = mg_xcalloc(n + 1, sizeof(*m));
    struct mg_store_tx *tx = NULL;
    char until[32];
    size_t i, k = 0, count = 0;
    int rc;

    mg_schedule_local_text(until, sizeof(until), c->time_zone, closes, ' ');
    for (i = 0; i < n; i++) {
        const struct mg_job_person *p = &people[i];
        struct mg_text_mail t;
        struct mg_error err = {{0}, {0}};
        struct mg_buf text = MG_BUF_INIT;
        char mac[MG_SURVEY_MAC_HEX + 1];

        if (!p->email || !p->email[0])
            continue;
        link_mac(mac, key, p->id);
        m[k].subject = mg_xasprintf(_("Your thoughts on %s"), c->title);
        mg_buf_printf(&text, _("Kia ora %s,\n\n"), p->name ? p->name : "");
        mg_buf_printf(&text,
                      _("Thank you for taking part in %s. A short survey "
                        "asks what you made of it; it takes a few minutes "
                        "and is open until %s (%s):\n\n%s/s/%lld/%s\n\n"),
                      c->title, until[0] ? until : "?", c->time_zone,
                      cfg->base_url ? cfg->base_url : "", (long long)p->id,
                      mac);
        mg_buf_puts(&text,
                    s->anonymous
                        ? _("Your answers are anonymous: nobody, the "
                            "coordinator included, can tell which answers "
                            "are yours.\n")
                        : _("Your answers carry your name: the coordinator "
                            "sees who gave them.\n"));
        mg_buf_puts(&text, _("You can change your answers until the survey "
                             "closes.\n"));
        memset(&t, 0, sizeof(t));
        t.from_name = c->organizer_name;
        t.from_email = from_address(c, cfg);
        t.to_name = p->name;
        t.to_email = p->email;
        t.subject = m[k].subject;
        t.text = text.data;
        t.date = now;
        t.auto_submitted = 1;
        rc = mg_mail_build_text(&m[k].message, &m[k].len, &t, &err);
        mg_buf_release(&text);
        if (rc < 0) {
            char id[24];

            /* the message may quote the address: the person's id only */
            snprintf(id, sizeof(id), "%lld", (long long)p->id);
            mg_log(MG_LOG_WARN, "survey: mail left out", "person", id, "field",
                   err.field, NULL);
            free(m[k].subject);
            m[k].subject = NULL;
            continue;
        }
        m[k].recipient = mg_xstrdup(p->email);
        snprintf(m[k].dedupe, sizeof(m[k].dedupe), "survey:%lld:%lld",
                 (long long)c->id, (long long)p->id);
        k++;
    }
    rc = mg_store_begin(&tx, st);
    for (i = 0; rc == 0 && i < k; i++) {
        struct mg_outbox_msg o;

        memset(&o, 0, sizeof(o));
        o.circle_id = c->id;
        o.kind = "survey_open";
        o.recipient = m[i].recipient;
        o.subject = m[i].subject;
        o.message = m[i].message;
        o.len = m[i].len;
        o.dedupe_key = m[i].dedupe;
        rc = mg_store_tx_outbox_queue(&count, tx, &o);
    }
    if (rc == 0)
        rc = mg_store_tx_survey_job_progress(
            tx, c->id, n ? people[n - 1].id : 0, count, done, now);
    if (rc == 0)
        rc = mg_store_commit(tx);
    else if (tx)
        mg_store_rollback(tx);
    if (rc == 0)
        *queued += count;
    for (i = 0; i < k; i++) {
        free(m[i].message);
        free(m[i].recipient);
        free(m[i].subject);
    }
    free(m);
    return rc;
}

/* Open circle `circle_id`'s survey: mail everyone it is for, `max` a
 * transaction, from where the job got to. */
static int open_one(size_t *mails, struct mg_store *st,
                    const struct mg_jobs_config *cfg, int64_t circle_id,
                    int64_t now, int max)
{
    struct mg_circle *c = NULL;
    struct mg_survey s;
    unsigned char key[MG_KEY_LEN];
    int64_t opens = 0, closes = 0, cursor = 0;
    int rc = mg_survey_load(&s, &opens, &closes, st, circle_id);
    char status[16];
    int64_t due = 0, sent = 0;

    memset(key, 0, sizeof(key));
    if (rc == MG_ENOTFOUND)
        return 0; /* the circle is gone, and its job with it */
    if (rc == 0)
        rc = mg_store_circle_get(&c, st, circle_id);
    if (rc < 0)
        goto out;
    if (!opens || opens > now) {
        /* its calls or its time moved later (or it has no call yet) */
        rc = mg_store_survey_job_reschedule(st, circle_id,
                                            opens ? opens : now + DAY);
        goto out;
    }
    if (mg_survey_state_at(&s, opens, closes, now) == MG_SURVEY_CLOSED &&
        s.closed_at) {
        /* closed by hand before it opened: it waits, for an opening by
         * hand (which makes the job due at once) */
        rc = mg_store_survey_job_reschedule(st, circle_id, now + DAY);
        goto out;
    }
    if (mg_survey_state_at(&s, opens, closes, now) == MG_SURVEY_CLOSED) {
        struct mg_store_tx *tx = NULL;

        /* past its closing before anybody was told: nothing to send */
        rc = mg_store_begin(&tx, st);
        if (rc == 0)
            rc = mg_store_tx_survey_job_progress(tx, circle_id, 0, 0, 1, now);
        if (rc == 0)
            rc = mg_store_commit(tx);
        else if (tx)
            mg_store_rollback(tx);
        goto out;
    }
    rc = mg_store_key(key, st, "survey-link");
    if (rc == 0)
        rc = mg_store_survey_job_get(status, &due, &sent, &cursor, st,
                                     circle_id);
    /* on from the last person mailed: a round cut short goes on */
    while (rc == 0) {
        struct mg_job_person *people = NULL;
        size_t n = 0;

        rc =
            mg_store_survey_recipients(&people, &n, st, circle_id, cursor, max);
        if (rc == 0)
            rc = send_batch(mails, st, cfg, c, &s, closes, key, people, n,
                            n < (size_t)max, now);
        if (rc == 0 && n)
            cursor = people[n - 1].id;
        mg_store_job_people_free(people, n);
        if (n < (size_t)max)
            break;
    }
out:
    OPENSSL_cleanse(key, sizeof(key));
    mg_survey_release(&s);
    mg_circle_free(c);
    return rc;
}

/* A survey whose opening failed is tried again this much later. */
#define SURVEY_RETRY (5 * 60)

int mg_survey_round(size_t *mails, struct mg_store *st,
                    const struct mg_jobs_config *cfg, int64_t now, int max)
{
    int64_t *due = NULL;
    size_t n = 0, i;
    char lang[MG_I18N_LANG_MAX];
    int rc = mg_store_survey_jobs_due(&due, &n, st, now, 8);

    if (mails)
        *mails = 0;
    if (rc < 0 || n == 0) {
        free(due);
        return rc;
    }
    mg_i18n_switch(lang, NULL);
    for (i = 0; i < n; i++) {
        struct mg_circle *c = NULL;
        size_t queued = 0;
        int one;

        if (mg_store_circle_get(&c, st, due[i]) == 0)
            mg_i18n_use(mg_circle_language(c));
        mg_circle_free(c);
        one = open_one(&queued, st, cfg, due[i], now, max > 0 ? max : 500);
        if (mails)
            *mails += queued;
        if (one < 0) {
            /* one circle's failure neither blocks the others (it would
             * be first again on every pass) nor comes back at once:
             * its job waits, and what it sent stays sent */
            char id[24];

            snprintf(id, sizeof(id), "%lld", (long long)due[i]);
            mg_log(MG_LOG_WARN, "survey: opening failed, tried again later",
                   "circle", id, "error", mg_strerror(one), NULL);
            mg_store_survey_job_reschedule(st, due[i], now + SURVEY_RETRY);
            if (rc == 0)
                rc = one;
        }
    }
    mg_i18n_restore(lang);
    free(due);
    return rc;
}

/* ---- answers ---- */

static void hex_to_bytes(unsigned char *out, const char *hex, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        unsigned v = 0;
        int k;

        for (k = 0; k < 2; k++) {
            char ch = hex[2 * i + (size_t)k];

            v <<= 4;
            if (ch >= '0' && ch <= '9')
                v |= (unsigned)(ch - '0');
            else if (ch >= 'a' && ch <= 'f')
                v |= (unsigned)(ch - 'a' + 10);
        }
        out[i] = (unsigned char)v;
    }
}

/* The keyed hash that says person `pid` answered circle `circle_id`'s
 * anonymous survey, and nothing of what. */
static int answered_hash(unsigned char out[HASH_LEN], struct mg_store *st,
                         int64_t circle_id, int64_t participant_id)
{
    unsigned char key[MG_KEY_LEN];
    char msg[64], hex[2 * HASH_LEN + 1];
    int rc = mg_store_key(key, st, "survey-answered");

    if (rc < 0)
        return rc;
    snprintf(msg, sizeof(msg), "survey-answered\n%lld\n%lld",
             (long long)circle_id, (long long)participant_id);
    mg_auth_mac_hex(hex, 2 * HASH_LEN, key, MG_KEY_LEN, msg);
    OPENSSL_cleanse(key, sizeof(key));
    hex_to_bytes(out, hex, HASH_LEN);
    return 0;
}

/* SHA-256 of an edit token (32 hex characters); 0, or -1 for a token
 * of another shape. */
static int edit_hash(unsigned char out[HASH_LEN], const char *edit)
{
    char hex[65];

    if (!edit || strlen(edit) != 32 || strspn(edit, "0123456789abcdef") != 32)
        return -1;
    mg_sha256_hex(hex, edit, 32);
    hex_to_bytes(out, hex, HASH_LEN);
    return 0;
}

int mg_survey_mine(struct mg_survey_answer **out, size_t *n, int *answered,
                   struct mg_store *st, const struct mg_survey *s,
                   int64_t circle_id, int64_t participant_id, const char *edit)
{
    unsigned char h[HASH_LEN], e[HASH_LEN];
    int found = 0, rc;

    *out = NULL;
    *n = 0;
    *answered = 0;
    if (!s->anonymous) {
        rc = mg_store_survey_response(out, n, &found, st, circle_id,
                                      participant_id, NULL);
        *answered = found;
        return rc;
    }
    rc = answered_hash(h, st, circle_id, participant_id);
    if (rc == 0)
        rc = mg_store_survey_answered(answered, st, circle_id, h);
    if (rc < 0 || !*answered || edit_hash(e, edit) < 0)
        return rc;
    return mg_store_survey_response(out, n, &found, st, circle_id, 0, e);
}

int mg_survey_answer_save(char *edit_out, struct mg_store *st,
                          const struct mg_survey *s, int64_t circle_id,
                          int64_t participant_id, const char *edit,
                          const struct mg_survey_answer *a, size_t n)
{
    unsigned char h[HASH_LEN], e[HASH_LEN], token[16];
    int answered = 0, rc;
    size_t i;

    if (edit_out)
        edit_out[0] = '\0';
    if (!s->anonymous)
        return mg_store_survey_response_put(st, circle_id, participant_id, NULL,
                                            0, NULL, a, n);
    rc = answered_hash(h, st, circle_id, participant_id);
    if (rc == 0)
        rc = mg_store_survey_answered(&answered, st, circle_id, h);
    if (rc < 0)
        return rc;
    if (answered) {
        /* only the token from their first answer finds their response */
        if (edit_hash(e, edit) < 0)
            return MG_ECONFLICT;
        rc = mg_store_survey_response_put(st, circle_id, 0, e, 1, NULL, a, n);
        return rc == MG_ENOTFOUND ? MG_ECONFLICT : rc;
    }
    mg_random_bytes(token, sizeof(token));
    for (i = 0; i < sizeof(token); i++)
        snprintf(edit_out + 2 * i, 3, "%02x", token[i]);
    OPENSSL_cleanse(token, sizeof(token));
    edit_hash(e, edit_out);
    rc = mg_store_survey_response_put(st, circle_id, 0, e, 0, h, a, n);
    if (rc < 0)
        edit_out[0] = '\0';
    return rc;
}

/* The results a purge kept in the circle's report: 0 with them in *out,
 * MG_ENOTFOUND when no purge began (or it kept none), or the store's
 * code. */
static int kept_results(struct mg_survey_results *out, struct mg_store *st,
                        int64_t circle_id)
{
    struct mg_report r;
    int rc = mg_report_load_kept(&r, st, circle_id);

    if (rc <= 0)
        return rc < 0 ? rc : MG_ENOTFOUND;
    if (r.survey) {
        *out = *r.survey;
        free(r.survey);
        r.survey = NULL;
    } else {
        rc = MG_ENOTFOUND;
    }
    mg_report_release(&r);
    return rc == 1 ? 0 : rc;
}

int mg_survey_results_load(struct mg_survey_results *out, struct mg_store *st,
                           int64_t circle_id)
{
    struct mg_survey s;
    struct mg_survey_answer *a = NULL;
    int64_t opens = 0, closes = 0;
    size_t n = 0;
    int responses = 0, attendees = 0;
    int rc = mg_survey_load(&s, &opens, &closes, st, circle_id);

    memset(out, 0, sizeof(*out));
    if (rc < 0)
        return rc;
    /* a circle whose personal data was purged: the figures kept */
    rc = kept_results(out, st, circle_id);
    if (rc == 0) {
        out->opens_at = opens;
        out->closes_at = closes;
        mg_survey_release(&s);
        return 0;
    }
    rc = rc == MG_ENOTFOUND ? 0 : rc;
    if (rc == 0)
        rc = mg_store_survey_counts(&responses, &attendees, st, circle_id);
    if (rc == 0)
        rc = mg_store_survey_answers(&a, &n, st, circle_id);
    if (rc == 0) {
        mg_survey_tally(out, &s, a, n, responses, attendees);
        out->opens_at = opens;
        out->closes_at = closes;
    }
    mg_survey_answers_free(a, n);
    mg_survey_release(&s);
    return rc;
}
