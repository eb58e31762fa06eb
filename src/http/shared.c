/*
 * shared.c: what both front doors on the transport use: the mail hooks'
 * configuration, posted forms through libmicrohttpd's post processor,
 * local times in a circle's zone, and queueing the invitations a change
 * calls for.
 */
#define _GNU_SOURCE
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mingle/calendar.h"
#include "mingle/inbound.h"
#include "mingle/people.h"
#include "mingle/plenary.h"
#include "mingle/schedule.h"
#include "mingle/signup.h"

#include "banned.h"

void hooks_config_copy(struct hooks_config *h, const struct mg_config *cfg)
{
    memset(h, 0, sizeof(*h));
#define COPY(dst, src) h->dst = cfg->src ? mg_xstrdup(cfg->src) : NULL
    COPY(mailgun_key, mailgun_signing_key);
    COPY(mandrill_key, mandrill_key);
    COPY(mandrill_url, mandrill_url);
    COPY(sendgrid_secret, sendgrid_secret);
    COPY(postmark_secret, postmark_secret);
    COPY(cloudmailin_secret, cloudmailin_secret);
    COPY(mime_secret, mime_secret);
    COPY(authserv_id, authserv_id);
    COPY(sender_auth_off, sender_auth_off);
#undef COPY
    h->mailgun_max_age = cfg->mailgun_max_age;
    h->attachment_cap = cfg->attachment_cap;
}

void hooks_config_release(struct hooks_config *h)
{
    free(h->mailgun_key);
    free(h->mandrill_key);
    free(h->mandrill_url);
    free(h->sendgrid_secret);
    free(h->postmark_secret);
    free(h->cloudmailin_secret);
    free(h->mime_secret);
    free(h->authserv_id);
    free(h->sender_auth_off);
    memset(h, 0, sizeof(*h));
}

static enum MHD_Result on_field(void *cls, enum MHD_ValueKind kind,
                                const char *key, const char *filename,
                                const char *content_type,
                                const char *transfer_encoding, const char *data,
                                uint64_t off, size_t size)
{
    struct mg_form *form = cls;

    (void)kind;
    (void)transfer_encoding;
    if (off == 0)
        mg_form_add(form, key, filename, content_type, data, size);
    else
        mg_form_append(form, data, size);
    return MHD_YES;
}

/* Feed r's body to `pp`; a spooled body is read from its file in
 * pieces, not through its map, so its pages are not brought in whole. */
static enum MHD_Result post_body(struct MHD_PostProcessor *pp,
                                 struct request *r)
{
    enum MHD_Result ok = MHD_YES;
    char chunk[65536];
    size_t off = 0;

    if (r->spool < 0)
        return MHD_post_process(pp, r->body.data ? r->body.data : "",
                                r->body.len);
    while (ok == MHD_YES && off < r->body.len) {
        size_t n = r->body.len - off < sizeof(chunk) ? r->body.len - off
                                                     : sizeof(chunk);
        ssize_t got = pread(r->spool, chunk, n, (off_t)off);

        if (got <= 0)
            return MHD_NO;
        ok = MHD_post_process(pp, chunk, (size_t)got);
        off += (size_t)got;
    }
    return ok;
}

int request_form_walk(struct request *r, MHD_PostDataIterator each, void *cls)
{
    struct MHD_PostProcessor *pp =
        MHD_create_post_processor(r->conn, 64 * 1024, each, cls);
    enum MHD_Result ok;

    if (!pp)
        return MG_EINVAL;
    ok = post_body(pp, r);
    if (MHD_destroy_post_processor(pp) != MHD_YES || ok != MHD_YES)
        return MG_EINVAL;
    return 0;
}

int request_form(struct mg_form *form, struct request *r)
{
    struct MHD_PostProcessor *pp =
        MHD_create_post_processor(r->conn, 64 * 1024, on_field, form);
    enum MHD_Result ok;

    if (!pp)
        return MG_EINVAL; /* neither urlencoded nor multipart/form-data */
    ok = post_body(pp, r);
    if (MHD_destroy_post_processor(pp) != MHD_YES || ok != MHD_YES)
        return MG_EINVAL;
    return 0;
}

/* What request_form_only() keeps: fields named in `names`, each up to
 * FIELD_ONLY_MAX bytes (a longer one is dropped). */
#define FIELD_ONLY_MAX 1024

struct form_only {
    struct mg_form *form;
    const char *const *names;
    int keeping; /* the last field seen is kept */
};

static enum MHD_Result on_field_only(void *cls, enum MHD_ValueKind kind,
                                     const char *key, const char *filename,
                                     const char *content_type,
                                     const char *transfer_encoding,
                                     const char *data, uint64_t off,
                                     size_t size)
{
    struct form_only *fo = cls;
    size_t i;

    (void)kind;
    (void)filename;
    (void)content_type;
    (void)transfer_encoding;
    if (off == 0) {
        fo->keeping = 0;
        for (i = 0; fo->names[i]; i++)
            if (strcmp(fo->names[i], key) == 0 && size <= FIELD_ONLY_MAX &&
                !mg_form_get(fo->form, key)) {
                mg_form_add(fo->form, key, NULL, NULL, data, size);
                fo->keeping = 1;
            }
        return MHD_YES;
    }
    if (fo->keeping) {
        const struct mg_form_field *last = &fo->form->fields[fo->form->n - 1];
        if (last->len + size <= FIELD_ONLY_MAX)
            mg_form_append(fo->form, data, size);
        else
            fo->keeping = 0; /* too long to be what we look for */
    }
    return MHD_YES;
}

int request_form_only(struct mg_form *form, struct request *r,
                      const char *const *names)
{
    struct form_only fo = {form, names, 0};

    return request_form_walk(r, on_field_only, &fo);
}

/* Queue the invitations the latest change calls for; logs failures. */
int http_reconcile(struct request *r, int64_t circle_id, size_t *queued)
{
    struct mg_error err = {{0}, {0}};
    size_t n = 0;
    int rc = mg_calendar_reconcile(&n, r->srv->store, circle_id, &err);

    if (rc < 0 && rc != MG_EINVAL)
        mg_log(MG_LOG_ERROR, "cannot queue invitations", "error", err.message,
               NULL);
    if (queued)
        *queued = n;
    if (n)
        mg_http_wake_outbox(r->srv);
    return rc;
}

int http_reconcile_scope(struct request *r, int64_t circle_id,
                         const int64_t *person_ids, size_t n_persons,
                         const int64_t *group_ids, size_t n_groups,
                         size_t *queued)
{
    struct mg_error err = {{0}, {0}};
    struct mg_calendar_scope scope = {person_ids, n_persons, group_ids,
                                      n_groups};
    size_t n = 0;
    int rc =
        mg_calendar_reconcile_scope(&n, r->srv->store, circle_id, &scope, &err);

    if (rc < 0 && rc != MG_EINVAL)
        mg_log(MG_LOG_ERROR, "cannot queue invitations", "error", err.message,
               NULL);
    if (queued)
        *queued = n;
    if (n)
        mg_http_wake_outbox(r->srv);
    return rc;
}

int http_person_withdraw(struct request *r, int64_t circle_id, int64_t pid,
                         struct mg_participant **out, int *was_withdrawn,
                         int64_t *promoted, struct mg_error *err)
{
    struct mg_participant *p = NULL;
    int rc = mg_store_participant_get(&p, r->srv->store, circle_id, pid);

    *promoted = 0;
    *was_withdrawn = rc == 0 && p->status == MG_STATUS_WITHDRAWN;
    if (rc == 0 && !*was_withdrawn) {
        rc = mg_signup_withdraw(promoted, r->srv->store, circle_id, pid,
                                mg_now(), err);
        if (rc == 0) {
            p->status = MG_STATUS_WITHDRAWN;
            mg_http_wake_outbox(r->srv);
        }
    }
    if (rc == 0 && out)
        *out = p;
    else
        mg_participants_free(p, p ? 1 : 0);
    return rc;
}

int http_move_request_check(const struct mg_participant *p,
                            const struct mg_circle *c,
                            const int64_t *thread_ids, size_t n_threads,
                            const struct mg_move_request *m,
                            struct mg_error *err)
{
    struct mg_participant asked = *p;
    size_t i, j;

    if (m->n_slots > MG_CIRCLE_MAX_SLOTS) {
        mg_error_set(err, "slots", "at most %d slots", MG_CIRCLE_MAX_SLOTS);
        return MG_EINVAL;
    }
    if (m->n_wishes > MG_PERSON_MAX_WISHES) {
        mg_error_set(err, "threads", "at most %d thread wishes",
                     MG_PERSON_MAX_WISHES);
        return MG_EINVAL;
    }
    for (i = 0; i < m->n_slots; i++) {
        for (j = 0; j < c->n_slots && c->slots[j].id != m->slot_ids[i]; j++)
            ;
        if (j == c->n_slots) {
            mg_error_set(err, "slots", "slot %lld is not one of the circle's",
                         (long long)m->slot_ids[i]);
            return MG_EINVAL;
        }
    }
    if (m->n_slots == 0 && c->n_slots && p->n_slots) {
        mg_error_set(err, "slots", "at least one of the circle's slots");
        return MG_EINVAL;
    }
    for (i = 0; i < m->n_wishes; i++) {
        for (j = 0; j < n_threads && thread_ids[j] != m->wishes[i]; j++)
            ;
        if (j == n_threads) {
            mg_error_set(err, "threads",
                         "thread %lld is not one of the circle's",
                         (long long)m->wishes[i]);
            return MG_EINVAL;
        }
    }
    /* a copy that shares p's text: only read */
    asked.slot_ids = m->slot_ids;
    asked.n_slots = m->n_slots;
    memcpy(asked.wishes, m->wishes, sizeof(asked.wishes));
    asked.n_wishes = m->n_wishes;
    return mg_participant_validate(&asked, err);
}

void http_move_request_done(struct request *r, int64_t circle_id, int64_t pid)
{
    struct mg_move_filter f = {MG_MOVE_OPEN, pid, 0, 1};
    struct mg_move_request *asks = NULL;
    struct mg_participant *p = NULL;
    struct mg_circle *c = NULL;
    struct mg_span *threads = NULL;
    struct mg_error err = {{0}, {0}};
    int64_t *thread_ids = NULL;
    size_t n = 0, n_threads = 0, i;
    int closed = 0;
    int rc =
        mg_store_move_requests_list(&asks, &n, r->srv->store, circle_id, &f);

    if (rc == 0 && n == 1)
        rc = mg_store_participant_get(&p, r->srv->store, circle_id, pid);
    if (rc == 0 && n == 1)
        rc = mg_store_circle_get(&c, r->srv->store, circle_id);
    if (rc == 0 && n == 1)
        rc = mg_store_threads(&threads, &n_threads, r->srv->store, circle_id);
    if (rc == 0 && n == 1) {
        thread_ids = mg_xcalloc(n_threads + 1, sizeof(*thread_ids));
        for (i = 0; i < n_threads; i++)
            thread_ids[i] = threads[i].id;
        if (http_move_request_check(p, c, thread_ids, n_threads, &asks[0],
                                    &err) < 0) {
            /* the move stands; what they asked cannot be their record */
            mg_log(MG_LOG_WARN, "move request no longer valid: record kept",
                   "field", err.field, "error", err.message, NULL);
        } else {
            free(p->slot_ids);
            p->slot_ids = mg_xcalloc(asks[0].n_slots + 1, sizeof(*p->slot_ids));
            memcpy(p->slot_ids, asks[0].slot_ids,
                   asks[0].n_slots * sizeof(*p->slot_ids));
            p->n_slots = asks[0].n_slots;
            memcpy(p->wishes, asks[0].wishes, sizeof(asks[0].wishes));
            p->n_wishes = asks[0].n_wishes;
            rc = mg_store_participant_update(r->srv->store, p);
        }
        if (rc == 0)
            rc = mg_store_move_requests_done(&closed, r->srv->store, circle_id,
                                             pid);
    }
    if (rc < 0)
        mg_log(MG_LOG_ERROR, "cannot close a move request", NULL);
    free(thread_ids);
    mg_store_spans_free(threads, n_threads);
    mg_circle_free(c);
    mg_participants_free(p, p ? 1 : 0);
    mg_store_move_requests_free(asks, n);
}

void http_local_string(char *out, size_t n, const char *tzid, int64_t t)
{
    mg_schedule_local_text(out, n, tzid, t, 'T');
}

int http_parse_local(int64_t *out, const char *tzid, const char *s)
{
    struct mg_local_time lt;
    char tail;

    memset(&lt, 0, sizeof(lt));
    if (strlen(s) != 16 ||
        sscanf(s, "%4d-%2d-%2dT%2d:%2d%c", &lt.year, &lt.month, &lt.day,
               &lt.hour, &lt.minute, &tail) != 5)
        return MG_EINVAL;
    return mg_schedule_local_to_utc(out, tzid, &lt, NULL);
}
