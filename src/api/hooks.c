/*
 * hooks.c: POST /hooks/mail/{provider}, where mail providers deliver
 * what people sent to a circle. Each provider's own authentication is
 * checked before anything is parsed; forms are read with libmicrohttpd's
 * post processor, the rest by `inbound`; `notes` files each message. The
 * answer is 2xx only once every message is committed, 5xx when the store
 * fails (so the provider retries), and a "do not retry" code only for a
 * payload that can never be read. An iTIP REPLY is an RSVP for `calendar`,
 * not a note.
 */
#include "api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mingle/calendar.h"
#include "mingle/ical.h"
#include "mingle/inbound.h"
#include "mingle/notes.h"

#include "banned.h"

enum provider_auth { BY_MAILGUN, BY_MANDRILL, BY_SECRET };

struct provider {
    const char *name;
    enum provider_auth auth;
    int form;              /* posts a form (else a JSON or raw body) */
    unsigned int no_retry; /* the status that tells it to give up */
};

/* Mailgun drops on 406, Postmark on 403; the others retry every non-2xx,
 * so an unreadable payload gets a plain 400 there. */
static const struct provider providers[] = {
    {"mailgun", BY_MAILGUN, 1, MHD_HTTP_NOT_ACCEPTABLE},
    {"sendgrid", BY_SECRET, 1, MHD_HTTP_BAD_REQUEST},
    {"postmark", BY_SECRET, 0, MHD_HTTP_FORBIDDEN},
    {"mandrill", BY_MANDRILL, 1, MHD_HTTP_BAD_REQUEST},
    {"cloudmailin", BY_SECRET, 0, MHD_HTTP_BAD_REQUEST},
    {"mime", BY_SECRET, 0, MHD_HTTP_BAD_REQUEST},
};

static const struct provider *provider_find(const char *name)
{
    size_t i;

    for (i = 0; i < sizeof(providers) / sizeof(providers[0]); i++)
        if (strcmp(providers[i].name, name) == 0)
            return &providers[i];
    return NULL;
}

static const char *secret_of(const struct hooks_config *h,
                             const struct provider *p)
{
    if (strcmp(p->name, "mailgun") == 0)
        return h->mailgun_key;
    if (strcmp(p->name, "mandrill") == 0)
        return h->mandrill_key;
    if (strcmp(p->name, "sendgrid") == 0)
        return h->sendgrid_secret;
    if (strcmp(p->name, "postmark") == 0)
        return h->postmark_secret;
    if (strcmp(p->name, "cloudmailin") == 0)
        return h->cloudmailin_secret;
    return h->mime_secret;
}

/* HEAD and GET: Mandrill checks the URL answers before it will use it. */
void handle_mail_hook_probe(struct request *r)
{
    if (!provider_find(r->feed)) {
        reply_error(r, MHD_HTTP_NOT_FOUND, "not_found", "no such provider",
                    NULL);
        return;
    }
    reply_json(r, MHD_HTTP_OK, json_pack("{s:s}", "provider", r->feed));
}

static const char *field(const struct mg_form *f, const char *name)
{
    const struct mg_form_field *v = mg_form_get(f, name);

    return v ? v->value : NULL;
}

/* Basic auth (any user name) or ?secret=, against the configured secret. */
static int secret_ok(struct request *r, const char *secret)
{
    char *pass = NULL;
    char *user = MHD_basic_auth_get_username_password(r->conn, &pass);
    const char *arg = request_arg(r, "secret");
    int ok = 0;

    if (pass)
        ok = mg_auth_secret_equal(pass, secret);
    if (!ok && arg)
        ok = mg_auth_secret_equal(arg, secret);
    if (user)
        MHD_free(user);
    if (pass)
        MHD_free(pass);
    return ok;
}

/*
 * Mailgun: the signature, its age, and its token (a token comes once;
 * the same token with the same message is Mailgun retrying). 0, or the
 * status to answer with *why.
 */
static unsigned int mailgun_check(const char **why, struct request *r,
                                  const struct mg_form *form)
{
    const struct hooks_config *h = &r->srv->hooks;
    const char *ts = field(form, "timestamp"), *token = field(form, "token");
    const char *sig = field(form, "signature"), *id;
    char fingerprint[65];
    long long age;
    int retry = 0, rc;

    if (!ts || !token || !sig ||
        mg_inbound_verify_mailgun(h->mailgun_key, ts, token, sig) < 0) {
        *why = "the Mailgun signature does not match";
        return MHD_HTTP_UNAUTHORIZED;
    }
    age = (long long)mg_now() - strtoll(ts, NULL, 10);
    if (h->mailgun_max_age > 0 &&
        (age > h->mailgun_max_age || age < -h->mailgun_max_age)) {
        *why = "the Mailgun signature is too old";
        return MHD_HTTP_UNAUTHORIZED;
    }
    /* What the message is: its Message-ID, else its text. */
    id = field(form, "Message-Id");
    if (!id)
        id = field(form, "body-plain");
    if (!id)
        id = field(form, "body-mime");
    mg_sha256_hex(fingerprint, id ? id : "", id ? strlen(id) : 0);
    rc = mg_store_receipt_claim(&retry, r->srv->store, "mailgun", token,
                                fingerprint);
    if (rc == MG_ECONFLICT) {
        *why = "this Mailgun token was used for another message";
        return MHD_HTTP_UNAUTHORIZED;
    }
    if (rc < 0) {
        *why = "cannot record the delivery";
        return MHD_HTTP_SERVICE_UNAVAILABLE;
    }
    return 0;
}

/* Whether a Mailgun post's signature holds, read from its timestamp,
 * token and signature fields alone (mailgun_check() then checks the
 * rest on the whole form): 1 or 0, -1 for no form at all (refused as
 * such). */
static int mailgun_signed(struct request *r)
{
    static const char *const names[] = {"timestamp", "token", "signature",
                                        NULL};
    struct mg_form f = {NULL, 0, 0};
    const char *ts, *token, *sig;
    int ok = -1;

    if (request_form_only(&f, r, names) == 0) {
        ts = field(&f, "timestamp");
        token = field(&f, "token");
        sig = field(&f, "signature");
        ok = ts && token && sig &&
             mg_inbound_verify_mailgun(r->srv->hooks.mailgun_key, ts, token,
                                       sig) == 0;
    }
    mg_form_release(&f);
    return ok;
}

struct mandrill_walk {
    struct mg_mandrill_mac *mac;
    char last[256]; /* the last field's name */
    int any, unsorted;
};

static enum MHD_Result on_mandrill_piece(void *cls, enum MHD_ValueKind kind,
                                         const char *key, const char *filename,
                                         const char *content_type,
                                         const char *transfer_encoding,
                                         const char *data, uint64_t off,
                                         size_t size)
{
    struct mandrill_walk *w = cls;

    (void)kind;
    (void)filename;
    (void)content_type;
    (void)transfer_encoding;
    if (off == 0) {
        if ((w->any && strcmp(key, w->last) < 0) ||
            strlen(key) >= sizeof(w->last))
            w->unsorted = 1;
        snprintf(w->last, sizeof(w->last), "%s", key);
        w->any = 1;
        mg_inbound_mandrill_add(w->mac, key, strlen(key));
    }
    mg_inbound_mandrill_add(w->mac, data, size);
    return MHD_YES;
}

/*
 * Whether a Mandrill post's signature holds, computed as its form is
 * read and kept nowhere: 1 or 0; -1 when this cannot tell (fields not
 * posted in sorted order: the whole form is read and checked then; or
 * no form at all, refused as such).
 */
static int mandrill_signed(struct request *r)
{
    const struct hooks_config *h = &r->srv->hooks;
    const char *sig = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
                                                  "X-Mandrill-Signature");
    char *url = h->mandrill_url
                    ? mg_xstrdup(h->mandrill_url)
                    : mg_xasprintf("%s%s", r->srv->base_url, r->url);
    struct mandrill_walk w;
    int rc;

    memset(&w, 0, sizeof(w));
    w.mac = mg_inbound_mandrill_begin(h->mandrill_key, url);
    free(url);
    rc = request_form_walk(r, on_mandrill_piece, &w);
    if (rc < 0 || w.unsorted) {
        mg_inbound_mandrill_end(w.mac, NULL);
        return -1; /* not a form (refused as such), or unsorted */
    }
    return mg_inbound_mandrill_end(w.mac, sig) == 0;
}

static unsigned int authenticate_hook(const char **why, struct request *r,
                                      const struct provider *p,
                                      const struct mg_form *form, int signed_)
{
    const struct hooks_config *h = &r->srv->hooks;

    if (p->auth == BY_MAILGUN)
        return mailgun_check(why, r, form);
    if (p->auth == BY_MANDRILL && signed_ == 1)
        return 0; /* checked as the form was read */
    if (p->auth == BY_MANDRILL) {
        const char *sig = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
                                                      "X-Mandrill-Signature");
        char *url = h->mandrill_url
                        ? mg_xstrdup(h->mandrill_url)
                        : mg_xasprintf("%s%s", r->srv->base_url, r->url);
        int ok = sig && mg_inbound_verify_mandrill(h->mandrill_key, url, form,
                                                   sig) == 0;

        free(url);
        *why = "the Mandrill signature does not match";
        return ok ? 0 : MHD_HTTP_UNAUTHORIZED;
    }
    *why = "a secret is needed (HTTP Basic auth or ?secret=)";
    return secret_ok(r, secret_of(h, p)) ? 0 : MHD_HTTP_UNAUTHORIZED;
}

int handle_mail_hook_headers(struct request *r)
{
    const struct provider *p = provider_find(r->feed);
    const char *why = NULL;

    if (!p || !secret_of(&r->srv->hooks, p))
        goto answer; /* the handler's own 404 or 503 */
    if (p->auth == BY_SECRET && !secret_ok(r, secret_of(&r->srv->hooks, p)))
        why = "a secret is needed (HTTP Basic auth or ?secret=)";
    else if (p->auth == BY_MANDRILL &&
             !MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
                                          "X-Mandrill-Signature"))
        why = "the Mandrill signature is missing";
    if (!why) {
        /* Mailgun's and Mandrill's signatures need the body */
        r->unverified = p->auth != BY_SECRET;
        return 0;
    }
    mg_log(MG_LOG_WARN, "webhook refused", "provider", p->name, "why", why,
           NULL);
    reply_error(r, MHD_HTTP_UNAUTHORIZED, "unauthorized", why, NULL);
    return 1;
answer:
    handle_mail_hook(r);
    return 1;
}

static const char *outcome_name(enum mg_note_outcome o)
{
    return o == MG_NOTE_FILED    ? "filed"
           : o == MG_NOTE_REVIEW ? "review"
                                 : "duplicate";
}

/*
 * Keep REPLY `m`, which mingle could not apply or refused, for the
 * coordinator's review with `why` (never published as a note), say so
 * in `filed` as `answer` with the RSVP's `rsvp` outcome, and keep its
 * receipt under `held`, so a retried delivery is a duplicate.
 */
static int hold_rsvp(const struct provider *p, struct mg_store *st,
                     const struct mg_inbound *m, size_t attachment_cap,
                     int64_t circle_id, const char *why, const char *answer,
                     const char *rsvp, const char *held, json_t *filed)
{
    enum mg_note_outcome outcome = MG_NOTE_REVIEW;
    int64_t id = 0;
    char *reason = mg_xasprintf(
        "calendar reply %s: %s",
        strcmp(answer, "rsvp_refused") == 0 ? "refused" : "not applied", why);
    int rc = mg_notes_hold(&id, &outcome, st, p->name, m, attachment_cap,
                           circle_id, reason);

    if (rc == 0) {
        mg_log(MG_LOG_WARN, "rsvp held for review", "provider", p->name, "rsvp",
               rsvp, "why", why, NULL);
        json_array_append_new(
            filed,
            json_pack("{s:s, s:s, s:I, s:s, s:s}", "outcome", answer, "rsvp",
                      rsvp, "note", (json_int_t)id, "reason", reason, "review",
                      outcome == MG_NOTE_DUPLICATE ? "duplicate" : "review"));
        rc = mg_store_rsvp_receipt_add(st, held, rsvp);
    }
    free(reason);
    return rc;
}

/*
 * What REPLY `m` is applied once by: its Message-ID; without one, the
 * provider's id of the delivery (as notes are kept once); without
 * either, a digest of its sender and calendar part (a client's new
 * answer has a new DTSTAMP, a delivery retried the same bytes).
 */
static char *rsvp_key(const struct provider *p, const struct mg_inbound *m)
{
    char sha[65], *text;

    if (m->message_id && *m->message_id)
        return mg_xstrdup(m->message_id);
    if (m->event_id && *m->event_id)
        return mg_xasprintf("event:%s:%s", p->name, m->event_id);
    text =
        mg_xasprintf("%s\n%s", m->from_email ? m->from_email : "", m->calendar);
    mg_sha256_hex(sha, text, strlen(text));
    free(text);
    return mg_xasprintf("sha256:%s", sha);
}

/* The key REPLY `m` (applied once by `key`) is held for review once by:
 * a digest of its sender and `key`, so no address is kept in the clear
 * (an erased person's included). */
static char *held_key(const struct mg_inbound *m, const char *key)
{
    char sha[65],
        *text = mg_xasprintf("%s\n%s", m->from_email ? m->from_email : "", key);

    mg_sha256_hex(sha, text, strlen(text));
    free(text);
    return mg_xasprintf("held:%s", sha);
}

/*
 * Message `m` as an RSVP if its calendar part is an iTIP REPLY: *handled
 * is 1 and its answer appended to `filed`. A REPLY already applied or
 * held (same Message-ID, or see rsvp_key()) is answered "duplicate" and
 * changes nothing; one older than the invitation is answered 200 and
 * changes nothing. One that cannot be read (a PARTSTAT mingle does not
 * take, two ATTENDEEs, a zone it does not know), cannot be applied (no
 * such UID or call) or is refused (not from the attendee) waits in the
 * review queue with the reason, and is never published. A calendar part
 * that is no REPLY at all leaves *handled 0: the message is filed as a
 * note. Fails only when the store does.
 */
static int file_rsvp(int *handled, const struct provider *p,
                     struct mg_store *st, const struct mg_inbound *m,
                     size_t attachment_cap, json_t *filed)
{
    struct mg_ical_reply reply;
    struct mg_error err = {{0}, {0}};
    enum mg_rsvp_outcome outcome = MG_RSVP_UNKNOWN_UID;
    const char *answer;
    int64_t circle_id = 0;
    char *uid = NULL, *key = NULL, *held = NULL;
    int rc, parsed, seen = 0;

    *handled = 0;
    if (!m->calendar)
        return 0;
    parsed = mg_ical_parse_reply(&reply, m->calendar, &err);
    /* Forwarded invitations and the like are notes. */
    if (parsed < 0 && (strcmp(err.field, "method") == 0 ||
                       strcmp(err.field, "calendar") == 0))
        return 0;
    key = rsvp_key(p, m);
    /* A REPLY held for review is kept once too, under a key of its own
     * with its sender: one refused (not from the attendee) must not
     * stand for the attendee's own answer with the same Message-ID. */
    held = held_key(m, key);
    rc = mg_store_rsvp_receipt_seen(&seen, st, held);
    if (rc < 0)
        goto out;
    *handled = 1;
    if (seen) {
        json_array_append_new(filed,
                              json_pack("{s:s, s:s}", "outcome", "duplicate",
                                        "rsvp", "duplicate"));
        goto out;
    }
    if (parsed < 0) {
        /* kept in the circle whose invitation it answers, if any */
        uid = mg_ical_reply_uid(m->calendar);
        if (!uid || mg_calendar_reply_circle(&circle_id, st, uid) < 0)
            circle_id = 0;
        free(uid);
        rc = hold_rsvp(p, st, m, attachment_cap, circle_id, err.message,
                       "review", "unreadable", held, filed);
        goto out;
    }
    /* Anyone can write any From: an answer no one vouches for could give
     * up someone's place, so it waits for review like unvouched mail. */
    if (m->auth != MG_AUTH_PASS && m->auth != MG_AUTH_OFF) {
        char *why = mg_xasprintf("sender not authenticated: %s",
                                 m->auth_why ? m->auth_why : "no verdict");

        if (mg_calendar_reply_circle(&circle_id, st, reply.uid) < 0)
            circle_id = 0;
        rc = hold_rsvp(p, st, m, attachment_cap, circle_id, why, "review",
                       "unauthenticated", held, filed);
        free(why);
        goto out;
    }
    rc = mg_calendar_apply_reply_once(&outcome, st, &reply, m->from_email, key,
                                      &err);
    if (rc < 0 && rc != MG_EFORBIDDEN && rc != MG_ENOTFOUND && rc != MG_EINVAL)
        goto out; /* the store: the provider retries */
    mg_log(outcome == MG_RSVP_RECORDED ? MG_LOG_INFO : MG_LOG_WARN,
           "rsvp received", "provider", p->name, "uid", reply.uid, "answer",
           mg_ical_partstat_name(reply.partstat), "outcome",
           mg_calendar_rsvp_outcome_name(outcome), "error",
           rc < 0 ? err.message : NULL, NULL);
    if (outcome == MG_RSVP_REFUSED || outcome == MG_RSVP_UNKNOWN_UID ||
        outcome == MG_RSVP_NO_OCCURRENCE || outcome == MG_RSVP_NOT_APPLIED) {
        if (mg_calendar_reply_circle(&circle_id, st, reply.uid) < 0)
            circle_id = 0;
        rc = hold_rsvp(p, st, m, attachment_cap, circle_id,
                       err.message[0] ? err.message : "not applied",
                       outcome == MG_RSVP_REFUSED ? "rsvp_refused" : "review",
                       mg_calendar_rsvp_outcome_name(outcome), held, filed);
        goto out;
    }
    answer = outcome == MG_RSVP_RECORDED    ? "rsvp"
             : outcome == MG_RSVP_DUPLICATE ? "duplicate"
                                            : "rsvp_ignored";
    json_array_append_new(
        filed, json_pack("{s:s, s:s, s:s}", "outcome", answer, "rsvp",
                         mg_calendar_rsvp_outcome_name(outcome), "answer",
                         mg_ical_partstat_name(reply.partstat)));
    rc = 0;
out:
    free(held);
    free(key);
    mg_ical_reply_release(&reply);
    return rc;
}

/* File message `m`: as an RSVP, else a note; its answer into `filed`.
 * Fails only when the store does. */
static int file_one(struct request *r, const struct provider *p,
                    struct mg_inbound *m, size_t attachment_cap, json_t *filed)
{
    enum mg_note_outcome outcome = MG_NOTE_REVIEW;
    int64_t id = 0;
    char ids[32];
    int handled = 0, rc;

    if (mg_name_listed(r->srv->hooks.sender_auth_off, p->name, strlen(p->name)))
        m->auth = MG_AUTH_OFF; /* the check is off: published */
    rc = file_rsvp(&handled, p, r->srv->store, m, attachment_cap, filed);

    if (rc == 0 && !handled)
        rc = mg_notes_file(&id, &outcome, r->srv->store, p->name, m,
                           attachment_cap);
    if (rc < 0 || handled)
        return rc;
    snprintf(ids, sizeof(ids), "%lld", (long long)id);
    mg_log(MG_LOG_INFO, "mail received", "provider", p->name, "note", ids,
           "outcome", outcome_name(outcome), NULL);
    json_array_append_new(filed, json_pack("{s:I, s:s}", "note", (json_int_t)id,
                                           "outcome", outcome_name(outcome)));
    return 0;
}

/*
 * Keep Mandrill event `ev` (`text`, as posted), which cannot be read as
 * mail, for review with `why`: filed once by its `_id` (else a digest of
 * the event), in the circle of the address it came in at if that names
 * one, its JSON as the raw copy.
 */
static int hold_event(struct request *r, const struct provider *p, json_t *ev,
                      const char *text, const char *why, json_t *filed)
{
    struct mg_inbound m;
    enum mg_note_outcome outcome = MG_NOTE_REVIEW;
    json_t *msg = json_object_get(ev, "msg");
    const char *s = json_string_value(json_object_get(ev, "_id"));
    char sha[65], *reason = mg_xasprintf("unreadable Mandrill event: %s", why);
    char *email = NULL;
    int64_t id = 0;
    int rc;

    memset(&m, 0, sizeof(m));
    if (s && *s) {
        m.event_id = (char *)s;
    } else {
        mg_sha256_hex(sha, text, strlen(text));
        m.event_id = sha;
    }
    s = json_string_value(json_object_get(msg, "email"));
    if (s && *s && !strpbrk(s, "\r\n")) {
        email = mg_xstrdup(s);
        m.recipients = &email;
        m.n_recipients = 1;
    }
    m.raw = (char *)text;
    m.raw_len = strlen(text);
    rc = mg_notes_hold(&id, &outcome, r->srv->store, p->name, &m, 0, 0, reason);
    if (rc == 0) {
        mg_log(MG_LOG_WARN, "webhook event held for review", "provider",
               p->name, "why", why, NULL);
        json_array_append_new(
            filed,
            json_pack("{s:I, s:s, s:s}", "note", (json_int_t)id, "outcome",
                      outcome == MG_NOTE_DUPLICATE ? "duplicate" : "review",
                      "reason", reason));
    }
    free(email);
    free(reason);
    return rc;
}

/*
 * A Mandrill batch, each event on its own: a readable one filed, one
 * that is not kept for review, events that are not inbound mail
 * skipped. MG_EINVAL (with `err`) only when the batch itself is not a
 * JSON array; otherwise fails only when the store does.
 */
static int mandrill_batch(struct request *r, const struct provider *p,
                          const struct mg_form *form,
                          const struct mg_inbound_limits *lim, json_t *filed,
                          struct mg_error *err)
{
    const struct mg_form_field *f = mg_form_get(form, "mandrill_events");
    json_t *events, *ev;
    json_error_t jerr;
    size_t i;
    int rc = 0;

    events = f ? json_loadb(f->value, f->len, 0, &jerr) : NULL;
    if (!json_is_array(events)) {
        json_decref(events);
        mg_error_set(err, "mandrill_events",
                     "mandrill_events must be a JSON array of events");
        return MG_EINVAL;
    }
    json_array_foreach(events, i, ev)
    {
        const char *type = json_string_value(json_object_get(ev, "event"));
        struct mg_form one = {NULL, 0, 0};
        struct mg_inbound *msgs = NULL;
        struct mg_error perr = {{0}, {0}};
        char *text;
        size_t n = 0, k;

        if (json_is_object(ev) && (!type || strcmp(type, "inbound") != 0))
            continue; /* not mail: Mandrill's other events */
        text = json_dumps(ev, JSON_COMPACT | JSON_ENCODE_ANY);
        if (!text)
            abort(); /* out of memory */
        if (json_is_object(ev)) {
            char *batch = mg_xasprintf("[%s]", text);
            mg_form_add(&one, "mandrill_events", NULL, NULL, batch,
                        strlen(batch));
            free(batch);
            rc =
                mg_inbound_parse(&msgs, &n, p->name, &one, NULL, 0, lim, &perr);
        } else {
            mg_error_set(&perr, "mandrill_events", "not a JSON object");
            rc = MG_EINVAL;
        }
        if (rc < 0) {
            /* the parser saw a batch of one: name the event's own place */
            char why[400], *at = strstr(perr.message, "mandrill_events[0]");
            if (at)
                snprintf(why, sizeof(why), "%.*smandrill_events[%zu]%s",
                         (int)(at - perr.message), perr.message, i, at + 18);
            else
                snprintf(why, sizeof(why), "event %zu: %s", i, perr.message);
            rc = hold_event(r, p, ev, text, why, filed);
        }
        for (k = 0; rc == 0 && k < n; k++)
            rc = file_one(r, p, &msgs[k], lim->attachment_cap, filed);
        mg_inbounds_free(msgs, n);
        mg_form_release(&one);
        free(text);
        if (rc < 0)
            break;
    }
    json_decref(events);
    return rc;
}

void handle_mail_hook(struct request *r)
{
    const struct provider *p = provider_find(r->feed);
    struct mg_form form = {NULL, 0, 0};
    struct mg_inbound *msgs = NULL;
    struct mg_inbound_limits lim;
    struct mg_error err = {{0}, {0}};
    const char *why = NULL;
    json_t *filed = NULL;
    unsigned int status;
    size_t n = 0, i;
    int rc, presigned = -1;

    if (!p) {
        reply_error(r, MHD_HTTP_NOT_FOUND, "not_found", "no such provider",
                    NULL);
        return;
    }
    if (!secret_of(&r->srv->hooks, p)) {
        /* 503, not 4xx: a provider keeps the mail and retries while the
         * secret is being configured. */
        mg_log(MG_LOG_WARN, "webhook not configured", "provider", p->name,
               NULL);
        reply_error(r, MHD_HTTP_SERVICE_UNAVAILABLE, "not_configured",
                    "this provider's secret is not configured", NULL);
        return;
    }
    if (p->auth == BY_MAILGUN && mailgun_signed(r) == 0) {
        /* checked on the few bytes it needs, before the whole form */
        why = "the Mailgun signature does not match";
        mg_log(MG_LOG_WARN, "webhook refused", "provider", p->name, "why", why,
               NULL);
        reply_error(r, MHD_HTTP_UNAUTHORIZED, "unauthorized", why, NULL);
        goto out;
    }
    if (p->auth == BY_MANDRILL && (presigned = mandrill_signed(r)) == 0) {
        /* checked as the form streamed by, before it is held */
        why = "the Mandrill signature does not match";
        mg_log(MG_LOG_WARN, "webhook refused", "provider", p->name, "why", why,
               NULL);
        reply_error(r, MHD_HTTP_UNAUTHORIZED, "unauthorized", why, NULL);
        goto out;
    }
    if (p->form && request_form(&form, r) < 0) {
        /* Unauthenticated and unreadable: nothing to retry. */
        reply_error(r, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, "bad_form",
                    "the body must be a form (urlencoded or multipart)", NULL);
        goto out;
    }
    status = authenticate_hook(&why, r, p, &form, presigned);
    if (status) {
        mg_log(MG_LOG_WARN, "webhook refused", "provider", p->name, "why", why,
               NULL);
        reply_error(r, status,
                    status == MHD_HTTP_UNAUTHORIZED ? "unauthorized"
                                                    : "unavailable",
                    why, NULL);
        goto out;
    }
    lim.attachment_cap = r->srv->hooks.attachment_cap;
    lim.authserv_id = r->srv->hooks.authserv_id;
    filed = json_array();
    if (p->auth == BY_MANDRILL)
        rc = mandrill_batch(r, p, &form, &lim, filed, &err);
    else if (mg_inbound_parse(&msgs, &n, p->name, p->form ? &form : NULL,
                              r->body.data, r->body.len, &lim, &err) < 0)
        rc = MG_EINVAL; /* not mail at all */
    else
        rc = 0;
    if (rc == MG_EINVAL) {
        mg_log(MG_LOG_WARN, "webhook payload refused", "provider", p->name,
               "field", err.field, "error", err.message, NULL);
        reply_error(r, p->no_retry, "bad_payload", err.message, err.field);
        goto out;
    }
    for (i = 0; rc == 0 && i < n; i++)
        rc = file_one(r, p, &msgs[i], lim.attachment_cap, filed);
    if (rc < 0) {
        /* Some may be in already: the retry finds them as duplicates. */
        reply_error(r, MHD_HTTP_SERVICE_UNAVAILABLE, "store_unavailable",
                    "cannot store the message now; try again", NULL);
        goto out;
    }
    reply_json(r, MHD_HTTP_OK, json_pack("{s:O}", "messages", filed));
out:
    json_decref(filed);
    mg_inbounds_free(msgs, n);
    mg_form_release(&form);
}
