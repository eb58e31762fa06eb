/*
 * notes.c: reading notes back: the list with filters, the weekly
 * digest (Markdown or HTML), the review queue with approve and reject,
 * one note (or its raw message, for audit), and a group's Atom feed of
 * summaries at a secret URL. Filing mail is src/api/hooks.c's business, the
 * documents themselves `notes`'.
 */
#include "api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mingle/calendar.h"
#include "mingle/notes.h"

#include "banned.h"

#define NOTES_LIST_DEFAULT 100
#define NOTES_LIST_MAX 1000
#define AUTHOR_MAX 200

/* A JSON string; text that is not UTF-8 (mail should never give us any)
 * has its other bytes shown as '?' rather than failing the reply. */
static json_t *text_json(const char *s)
{
    json_t *v;
    char *copy, *p;

    if (!s)
        return json_null();
    v = json_string(s);
    if (v)
        return v;
    copy = mg_xstrdup(s);
    for (p = copy; *p; p++)
        if ((unsigned char)*p >= 0x80)
            *p = '?';
    v = json_string(copy);
    free(copy);
    return v;
}

static json_t *id_or_null(int64_t id)
{
    return id ? json_integer(id) : json_null();
}

/*
 * A note as JSON. Addresses and mail headers are the coordinator's to
 * see (`private`); `full` adds the text as received and the provider's
 * event id.
 */
static json_t *note_json(const struct mg_note *n, int private, int full)
{
    json_t *o = json_object(), *atts = json_array();
    size_t i;

    json_object_set_new(o, "id", json_integer(n->id));
    json_object_set_new(o, "circle_id", id_or_null(n->circle_id));
    json_object_set_new(o, "group_id", id_or_null(n->group_id));
    json_object_set_new(o, "week", id_or_null(n->week));
    json_object_set_new(o, "thread_id", id_or_null(n->thread_id));
    json_object_set_new(o, "participant_id", id_or_null(n->participant_id));
    json_object_set_new(o, "kind", json_string(n->kind));
    json_object_set_new(o, "status",
                        json_string(mg_store_note_status_name(n->status)));
    json_object_set_new(o, "author", text_json(mg_notes_author(n)));
    json_object_set_new(o, "from_name", text_json(n->from_name));
    json_object_set_new(o, "subject", text_json(n->subject));
    json_object_set_new(o, "body", text_json(n->body ? n->body : ""));
    json_object_set_new(o, "sent_at", id_or_null(n->sent_at));
    json_object_set_new(o, "received_at", json_integer(n->received_at));
    json_object_set_new(o, "decided_at", id_or_null(n->decided_at));
    if (private) {
        json_object_set_new(o, "from_email", text_json(n->from_email));
        json_object_set_new(o, "recipient", text_json(n->recipient));
        json_object_set_new(o, "review_reason", text_json(n->review_reason));
        json_object_set_new(o, "provider", text_json(n->provider));
        json_object_set_new(o, "message_id", text_json(n->message_id));
        json_object_set_new(o, "in_reply_to", text_json(n->in_reply_to));
    }
    if (full) {
        json_object_set_new(o, "event_id", text_json(n->event_id));
        json_object_set_new(o, "full_text", text_json(n->full_text));
    }
    for (i = 0; i < n->n_attachments; i++) {
        const struct mg_note_attachment *a = &n->attachments[i];
        json_t *item = json_object();

        json_object_set_new(item, "name", text_json(a->name ? a->name : ""));
        json_object_set_new(item, "type", text_json(a->type ? a->type : ""));
        json_object_set_new(item, "size", json_integer(a->size));
        json_array_append_new(atts, item);
    }
    json_object_set_new(o, "attachments", atts);
    return o;
}

static void reply_notes(struct request *r, struct mg_note *notes, size_t n,
                        int limit)
{
    json_t *items = json_array(), *body;
    int private = 1; /* coordinators and their group's facilitator */
    size_t i;

    for (i = 0; i < n; i++)
        json_array_append_new(items, note_json(&notes[i], private, 0));
    body = json_pack("{s:o}", "notes", items);
    json_object_set_new(body, "next_after",
                        limit > 0 && n == (size_t)limit
                            ? json_integer(notes[n - 1].id)
                            : json_null());
    reply_json(r, MHD_HTTP_OK, body);
}

/* after= and limit=; -1 when a 400 has been sent. */
static int paging(struct mg_note_filter *f, struct request *r)
{
    long long after = 0, limit = NOTES_LIST_DEFAULT;

    if (request_arg_int(&after, r, "after", 0, INT64_MAX) < 0 ||
        request_arg_int(&limit, r, "limit", 1, NOTES_LIST_MAX) < 0)
        return -1;
    f->after = after;
    f->limit = (int)limit;
    return 0;
}

void handle_notes_list(struct request *r)
{
    struct mg_note_filter f;
    enum mg_store_note_status status;
    struct mg_circle *c = NULL;
    struct mg_note *notes = NULL;
    size_t n = 0;
    long long group = 0, week = 0, thread = 0;
    int rc;

    if (!http_may_read_circle(r))
        return;
    memset(&f, 0, sizeof(f));
    f.circle_id = r->params[0];
    if (request_arg_int(&group, r, "group", 1, INT64_MAX) < 0 ||
        request_arg_int(&week, r, "week", 1, 1000) < 0 ||
        request_arg_int(&thread, r, "thread", 1, INT64_MAX) < 0 ||
        paging(&f, r) < 0)
        return;
    f.group_id = group;
    f.week = (int)week;
    f.thread_id = thread;
    f.kind = request_arg(r, "kind");
    if (f.kind && strcmp(f.kind, "summary") != 0 &&
        strcmp(f.kind, "note") != 0) {
        reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid",
                    "'kind' must be summary or note", "kind");
        return;
    }
    f.author = request_arg(r, "author");
    if (f.author && (!*f.author || strlen(f.author) > AUTHOR_MAX)) {
        reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid",
                    "'author' must be 1 to 200 characters", "author");
        return;
    }
    f.status = request_arg(r, "status");
    if (f.status && mg_store_note_status_parse(&status, f.status) < 0) {
        reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid",
                    "'status' must be published, review or rejected", "status");
        return;
    }
    /* A facilitator reads their own group's notes only. */
    if (http_token_group(r)) {
        if (f.group_id && f.group_id != http_token_group(r)) {
            reply_error(r, MHD_HTTP_FORBIDDEN, "forbidden",
                        "this token is not for that group", "group");
            return;
        }
        f.group_id = http_token_group(r);
    }
    rc = mg_store_circle_get(&c, r->srv->store, r->params[0]);
    if (rc == 0 && f.week > c->weeks) {
        char msg[96];

        snprintf(msg, sizeof(msg), "'week' must be from 1 to %d", c->weeks);
        reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid", msg, "week");
        goto out;
    }
    if (rc == 0)
        rc = mg_store_notes_list(&notes, &n, r->srv->store, &f);
    if (rc < 0)
        reply_code(r, rc, NULL);
    else
        reply_notes(r, notes, n, f.limit);
out:
    mg_store_notes_free(notes, n);
    mg_circle_free(c);
}

void handle_notes_digest(struct request *r)
{
    struct mg_error err = {{0}, {0}};
    const char *format = request_arg(r, "format");
    char *text = NULL;
    long long week = 0;
    int html, rc;

    if (request_arg_int(&week, r, "week", 0, 1000) < 0)
        return;
    if (format && strcmp(format, "markdown") != 0 &&
        strcmp(format, "html") != 0) {
        reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid",
                    "'format' must be markdown or html", "format");
        return;
    }
    html = format && strcmp(format, "html") == 0;
    rc = mg_notes_digest(html ? NULL : &text, html ? &text : NULL,
                         r->srv->store, r->params[0], (int)week, &err);
    if (rc == MG_EINVAL) {
        reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid", err.message, err.field);
        return;
    }
    if (rc < 0) {
        reply_code(r, rc, NULL);
        return;
    }
    reply_text(r, MHD_HTTP_OK,
               html ? "text/html; charset=utf-8"
                    : "text/markdown; charset=utf-8",
               text);
}

void handle_review_list(struct request *r)
{
    struct mg_note_filter f;
    struct mg_note *notes = NULL;
    size_t n = 0;
    long long circle = -1;
    int rc = 0;

    memset(&f, 0, sizeof(f));
    if (request_arg_int(&circle, r, "circle", 0, INT64_MAX) < 0 ||
        paging(&f, r) < 0)
        return;
    f.status = "review";
    /* No circle: the whole queue; circle=0: what reached no circle. A
     * token for one circle sees its queue, a facilitator their group's. */
    if (r->token.circle_id) {
        if (circle >= 0 && circle != r->token.circle_id) {
            reply_error(r, MHD_HTTP_FORBIDDEN, "forbidden",
                        "this token is not for that circle", "circle");
            return;
        }
        circle = r->token.circle_id;
    } else if (r->token.role != MG_ROLE_COORDINATOR) {
        circle = -2; /* a facilitator token for no circle: nothing */
    }
    f.group_id = http_token_group(r);
    f.any_circle = circle == -1;
    f.circle_id = circle > 0 ? circle : 0;
    if (circle > 0) {
        struct mg_circle *c = NULL;

        rc = mg_store_circle_get(&c, r->srv->store, circle);
        mg_circle_free(c);
    }
    if (rc == 0 && circle != -2)
        rc = mg_store_notes_list(&notes, &n, r->srv->store, &f);
    if (rc < 0)
        reply_code(r, rc, NULL);
    else
        reply_notes(r, notes, n, f.limit);
    mg_store_notes_free(notes, n);
}

/*
 * Whether the caller may see and decide note `n`: a coordinator of its
 * circle (of every circle for a note that reached none), or the
 * facilitator of its group. Replies 403 itself if not.
 */
static int may_touch_note(struct request *r, const struct mg_note *n)
{
    int ok;

    if (r->token.role == MG_ROLE_COORDINATOR)
        ok = n->circle_id ? http_token_has_circle(&r->token, n->circle_id)
                          : r->token.circle_id == 0;
    else
        ok = n->group_id && n->group_id == http_token_group(r) &&
             http_token_has_circle(&r->token, n->circle_id);
    if (!ok)
        reply_error(r, MHD_HTTP_FORBIDDEN, "forbidden",
                    "this token is not for that note's group or circle", NULL);
    return ok;
}

/* The raw message as it came, for audit: bytes, not text. */
static void reply_raw(struct request *r, const struct mg_note *n)
{
    struct reply rep = {0};
    char disposition[96];

    snprintf(disposition, sizeof(disposition),
             "attachment; filename=\"note-%lld.eml\"", (long long)n->id);
    rep.content_type = "message/rfc822";
    rep.body = n->raw;
    rep.len = n->raw_len;
    rep.disposition = disposition;
    reply_send(r, MHD_HTTP_OK, &rep);
}

void handle_note_get(struct request *r)
{
    const char *raw_arg = request_arg(r, "raw");
    struct mg_note n;
    int raw = 0, rc;

    if (raw_arg) {
        if (strcmp(raw_arg, "1") != 0 && strcmp(raw_arg, "0") != 0) {
            reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid",
                        "'raw' must be 1 or 0", "raw");
            return;
        }
        raw = raw_arg[0] == '1';
    }
    rc = mg_store_note_get(&n, r->srv->store, r->params[0], raw);
    if (rc < 0) {
        reply_code(r, rc, NULL);
        return;
    }
    if (!may_touch_note(r, &n))
        ;
    else if (raw && !n.raw)
        reply_error(r, MHD_HTTP_NOT_FOUND, "not_found",
                    "the note's raw message was not kept", NULL);
    else if (raw)
        reply_raw(r, &n);
    else
        reply_json(r, MHD_HTTP_OK, note_json(&n, 1, 1));
    mg_store_note_release(&n);
}

/* The body of approve: {"group": id, "week": n}, both optional. */
static int approval_from_json(int64_t *group, int *week, json_t *doc,
                              struct mg_error *err)
{
    const char *key;
    json_t *v;

    json_object_foreach(doc, key, v)
    {
        if (strcmp(key, "group") == 0) {
            if (!json_is_null(v) &&
                (!json_is_integer(v) || json_integer_value(v) < 1)) {
                mg_error_set(err, key, "'group' must be a group id");
                return MG_EINVAL;
            }
            *group = json_is_null(v) ? 0 : json_integer_value(v);
        } else if (strcmp(key, "week") == 0) {
            if (!json_is_null(v) &&
                (!json_is_integer(v) || json_integer_value(v) < 1 ||
                 json_integer_value(v) > 1000)) {
                mg_error_set(err, key, "'week' must be a week number");
                return MG_EINVAL;
            }
            *week = json_is_null(v) ? 0 : (int)json_integer_value(v);
        } else {
            mg_error_set(err, key, "unknown field '%s'", key);
            return MG_EINVAL;
        }
    }
    return 0;
}

/* Whether circle `circle_id` has group `group_id`; its thread too. */
static int group_in_circle(int *found, int64_t *thread_id, struct mg_store *st,
                           int64_t circle_id, int64_t group_id)
{
    struct mg_group_row *groups = NULL;
    size_t n = 0, i;
    int rc = mg_store_groups_list(&groups, &n, st, circle_id);

    *found = 0;
    for (i = 0; rc == 0 && i < n; i++) {
        if (groups[i].id == group_id) {
            *found = 1;
            *thread_id = groups[i].thread_id;
        }
    }
    mg_store_groups_free(groups, n);
    return rc;
}

/*
 * Find group `group_id` in circle `*circle_id` when that is set, else in
 * any circle (approving is rare: a walk over the circles will do). Fills
 * *circle_id and *thread_id; MG_EINVAL naming "group" when it is not
 * there.
 */
static int find_group(int64_t *circle_id, int64_t *thread_id,
                      struct mg_store *st, int64_t group_id,
                      struct mg_error *err)
{
    struct mg_circle *circles;
    size_t n, i;
    int64_t after = 0;
    int found = 0, rc;

    if (*circle_id) {
        rc = group_in_circle(&found, thread_id, st, *circle_id, group_id);
        if (rc == 0 && !found) {
            mg_error_set(err, "group", "group %lld is not in the note's circle",
                         (long long)group_id);
            rc = MG_EINVAL;
        }
        return rc;
    }
    do {
        circles = NULL;
        n = 0;
        rc = mg_store_circle_list(&circles, &n, st, after, 100);
        for (i = 0; rc == 0 && !found && i < n; i++) {
            rc =
                group_in_circle(&found, thread_id, st, circles[i].id, group_id);
            if (found)
                *circle_id = circles[i].id;
            after = circles[i].id;
        }
        mg_store_circles_free(circles, n);
    } while (rc == 0 && !found && n == 100);
    if (rc == 0 && !found) {
        mg_error_set(err, "group", "there is no group %lld",
                     (long long)group_id);
        rc = MG_EINVAL;
    }
    return rc;
}

/* Publish (approve) or reject note r->params[0]. */
static void decide(struct request *r, int publish)
{
    struct mg_error err = {{0}, {0}};
    struct mg_circle *c = NULL;
    struct mg_note n;
    json_t *doc = NULL;
    int64_t group = 0, circle, thread = 0;
    int week = 0, rc;

    memset(&n, 0, sizeof(n));
    /* Whose note it is first: neither its state nor the body's faults
     * tell another group's facilitator anything. */
    rc = mg_store_note_get(&n, r->srv->store, r->params[0], 0);
    if (rc < 0 || !may_touch_note(r, &n))
        goto out;
    if (n.status != MG_STORE_NOTE_REVIEW) {
        mg_error_set(&err, "", "note %lld is not in review: it is %s",
                     (long long)n.id, mg_store_note_status_name(n.status));
        rc = MG_ECONFLICT;
        goto out;
    }
    if (publish && r->body.len > 0) {
        doc = request_json(r);
        if (!doc)
            goto out;
        rc = approval_from_json(&group, &week, doc, &err);
        json_decref(doc);
        if (rc < 0)
            goto out;
    }
    if (publish && group && http_token_group(r) &&
        group != http_token_group(r)) {
        mg_error_set(&err, "group",
                     "a facilitator files notes under their "
                     "own group only");
        rc = MG_EFORBIDDEN;
        goto out;
    }
    circle = n.circle_id;
    if (publish && group) {
        rc = find_group(&circle, &thread, r->srv->store, group, &err);
    } else if (publish && !circle) {
        mg_error_set(&err, "group",
                     "the note reached no circle: give the 'group' to file "
                     "it under");
        rc = MG_EINVAL;
    }
    if (rc == 0 && publish && week)
        rc = mg_store_circle_get(&c, r->srv->store, circle);
    if (rc == 0 && c && week > c->weeks) {
        mg_error_set(&err, "week", "'week' must be from 1 to %d", c->weeks);
        rc = MG_EINVAL;
    }
    if (rc == 0)
        rc = mg_store_note_decide(r->srv->store, n.id, publish,
                                  publish ? circle : 0, group, week, thread);
    if (rc == MG_ECONFLICT)
        mg_error_set(&err, "", "note %lld was decided meanwhile",
                     (long long)n.id);
    mg_store_note_release(&n);
    if (rc == 0)
        rc = mg_store_note_get(&n, r->srv->store, r->params[0], 0);
out:
    if (r->status)
        ; /* refused already */
    else if (rc < 0)
        reply_code(r, rc, &err);
    else
        reply_json(r, MHD_HTTP_OK, note_json(&n, 1, 0));
    mg_store_note_release(&n);
    mg_circle_free(c);
}

void handle_note_approve(struct request *r)
{
    decide(r, 1);
}

void handle_note_reject(struct request *r)
{
    decide(r, 0);
}

void handle_group_notes_feed(struct request *r)
{
    struct mg_group_row *groups = NULL;
    char api[MG_TOKEN_LEN + 1], id[MG_TOKEN_ID_LEN + 1];
    char token[MG_TOKEN_ID_LEN + MG_TOKEN_SECRET_LEN + 1];
    unsigned char hash[MG_TOKEN_HASH_LEN];
    size_t n = 0, i;
    int found = 0;
    int rc = mg_store_groups_list(&groups, &n, r->srv->store, r->params[0]);
    char *url;

    for (i = 0; rc == 0 && i < n; i++)
        found |= groups[i].id == r->params[1];
    mg_store_groups_free(groups, n);
    if (rc == 0 && !found)
        rc = MG_ENOTFOUND;
    if (rc == 0) {
        /* mgt_<id>_<secret> -> <id><secret>, as calendar feeds do */
        mg_auth_token_new(api, id, hash);
        snprintf(token, sizeof(token), "%s%s", id, api + 5 + MG_TOKEN_ID_LEN);
        rc = mg_store_secret_set(r->srv->store, "notes", id, hash, r->params[0],
                                 0, r->params[1]);
    }
    if (rc < 0) {
        reply_code(r, rc, NULL);
        return;
    }
    url = mg_xasprintf("%s/notes/%s.atom", r->srv->base_url, token);
    reply_json(r, MHD_HTTP_CREATED, json_pack("{s:s}", "url", url));
    free(url);
}

void handle_notes_atom(struct request *r)
{
    struct mg_error err = {{0}, {0}};
    char id[MG_TOKEN_ID_LEN + 1];
    unsigned char hash[MG_TOKEN_HASH_LEN];
    int64_t circle = 0, person = 0, group = 0;
    char *self = NULL, *body = NULL;
    int rc = mg_calendar_parse_feed_token(id, hash, r->feed);

    if (rc == 0)
        rc = mg_store_secret_check(&circle, &person, &group, r->srv->store,
                                   "notes", id, hash);
    if (rc == 0) {
        self = mg_xasprintf("%s/notes/%s.atom", r->srv->base_url, r->feed);
        rc = mg_notes_atom(&body, r->srv->store, circle, group, self, &err);
    }
    free(self);
    if (rc == MG_EAUTH || rc == MG_ENOTFOUND) {
        /* the same answer whatever was wrong, and a group gone since */
        http_auth_failed(r); /* a guessed secret */
        reply_error(r, MHD_HTTP_NOT_FOUND, "not_found", "no such path", NULL);
        return;
    }
    if (rc < 0) {
        reply_code(r, rc, NULL);
        return;
    }
    reply_text(r, MHD_HTTP_OK, "application/atom+xml; charset=utf-8", body);
}
