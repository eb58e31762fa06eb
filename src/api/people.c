/*
 * people.c: /api/v1/circles/{id}/participants. One person as a JSON
 * object, or a bulk import as a JSON array or text/csv (a registration
 * form's export), all-or-nothing. Slots may be given as "tuesday 19:30"
 * or slot ids, thread wishes as titles or 1-based positions; both are
 * resolved against the circle. DELETE is an erasure: the person's
 * plenary places are given up first, as a withdrawal would.
 */
#include "api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mingle/people.h"
#include "mingle/outbox.h"
#include "mingle/plenary.h"
#include "mingle/signup.h"

#include "banned.h"

#define PEOPLE_LIST_DEFAULT 100
#define PEOPLE_LIST_MAX 1000

/* The circle with its threads, for resolving names. */
struct context {
    struct mg_circle *circle;
    struct mg_span *threads;
    size_t n_threads;
    int64_t *thread_ids;
    const char **thread_titles;
    struct mg_import_context ctx;
};

static void context_release(struct context *c)
{
    mg_circle_free(c->circle);
    mg_store_spans_free(c->threads, c->n_threads);
    free(c->thread_ids);
    free(c->thread_titles);
    memset(c, 0, sizeof(*c));
}

/* Load the circle and its threads; replies itself on failure. */
static int context_load(struct context *c, struct request *r)
{
    size_t i;
    int rc;

    memset(c, 0, sizeof(*c));
    rc = mg_store_circle_get(&c->circle, r->srv->store, r->params[0]);
    if (rc == 0)
        rc = mg_store_threads(&c->threads, &c->n_threads, r->srv->store,
                              r->params[0]);
    if (rc < 0) {
        reply_code(r, rc, NULL);
        context_release(c);
        return rc;
    }
    c->thread_ids = mg_xcalloc(c->n_threads, sizeof(*c->thread_ids));
    c->thread_titles = mg_xcalloc(c->n_threads, sizeof(*c->thread_titles));
    for (i = 0; i < c->n_threads; i++) {
        c->thread_ids[i] = c->threads[i].id;
        c->thread_titles[i] = c->threads[i].title;
    }
    c->ctx.circle = c->circle;
    c->ctx.thread_ids = c->thread_ids;
    c->ctx.thread_titles = c->thread_titles;
    c->ctx.n_threads = c->n_threads;
    return 0;
}

static json_t *strings_json(char *const *items, size_t n)
{
    json_t *a = json_array();
    size_t i;

    for (i = 0; i < n; i++)
        json_array_append_new(a, json_string(items[i]));
    return a;
}

static json_t *person_to_json(const struct mg_participant *p)
{
    json_t *slots = json_array(), *wishes = json_array();
    size_t i;

    for (i = 0; i < p->n_slots; i++)
        json_array_append_new(slots, json_integer(p->slot_ids[i]));
    for (i = 0; i < p->n_wishes; i++)
        json_array_append_new(wishes, json_integer(p->wishes[i]));
    return json_pack(
        "{s:I, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:s, s:b, "
        "s:o}",
        "id", (json_int_t)p->id, "name", p->name, "email", p->email, "role",
        mg_person_role_name(p->role), "sector", json_string_or_null(p->sector),
        "region", json_string_or_null(p->region), "time_zone",
        json_string_or_null(p->time_zone), "slots", slots, "threads", wishes,
        "with", strings_json(p->with, p->n_with), "apart",
        strings_json(p->apart, p->n_apart), "status",
        mg_person_status_name(p->status), "locked", p->locked, "group_id",
        p->group_id ? json_integer(p->group_id) : json_null());
}

static int take_strings(char ***items, size_t *n, json_t *v, const char *field,
                        struct mg_error *err)
{
    size_t i;

    if (!json_is_array(v) || json_array_size(v) > MG_PERSON_MAX_LINKS) {
        mg_error_set(err, field, "'%s' must be an array of at most %d emails",
                     field, MG_PERSON_MAX_LINKS);
        return MG_EINVAL;
    }
    for (i = 0; i < *n; i++)
        free((*items)[i]);
    free(*items);
    *items = mg_xcalloc(json_array_size(v), sizeof(**items));
    *n = 0;
    for (i = 0; i < json_array_size(v); i++) {
        json_t *e = json_array_get(v, i);
        if (!json_is_string(e)) {
            mg_error_set(err, field, "'%s' must hold strings", field);
            return MG_EINVAL;
        }
        (*items)[(*n)++] = mg_xstrdup(json_string_value(e));
    }
    return 0;
}

/* A slot or thread reference: an id/position number or a name. */
static int take_refs(struct mg_participant *p, json_t *v, int slots,
                     const struct mg_import_context *ctx, struct mg_error *err)
{
    const char *field = slots ? "slots" : "threads";
    size_t i, max = slots ? MG_CIRCLE_MAX_SLOTS : MG_PERSON_MAX_WISHES;

    if (!json_is_array(v) || json_array_size(v) > max) {
        mg_error_set(err, field, "'%s' must be an array of at most %zu", field,
                     max);
        return MG_EINVAL;
    }
    if (slots) {
        free(p->slot_ids);
        p->slot_ids = mg_xcalloc(json_array_size(v), sizeof(*p->slot_ids));
        p->n_slots = 0;
    } else {
        p->n_wishes = 0;
    }
    for (i = 0; i < json_array_size(v); i++) {
        json_t *e = json_array_get(v, i);
        char text[64];
        int64_t id;
        int rc;

        if (json_is_integer(e))
            snprintf(text, sizeof(text), "%lld",
                     (long long)json_integer_value(e));
        else if (json_is_string(e))
            snprintf(text, sizeof(text), "%s", json_string_value(e));
        else
            text[0] = '\0';
        rc = slots ? mg_people_resolve_slot(&id, ctx->circle, text)
                   : mg_people_resolve_thread(&id, ctx, text);
        if (rc < 0) {
            mg_error_set(err, field, "'%s' is not one of the circle's %s", text,
                         field);
            return MG_EINVAL;
        }
        if (slots)
            p->slot_ids[p->n_slots++] = id;
        else
            p->wishes[p->n_wishes++] = id;
    }
    return 0;
}

static int person_from_json(struct mg_participant *p, json_t *obj,
                            const struct mg_import_context *ctx,
                            struct mg_error *err)
{
    const char *key;
    json_t *v;
    int rc = 0;

    if (!json_is_object(obj)) {
        mg_error_set(err, "", "each participant must be a JSON object");
        return MG_EINVAL;
    }
    json_object_foreach(obj, key, v)
    {
        if (strcmp(key, "name") == 0) {
            rc = json_take_string(&p->name, v, key, err);
        } else if (strcmp(key, "email") == 0) {
            rc = json_take_string(&p->email, v, key, err);
        } else if (strcmp(key, "sector") == 0) {
            rc = json_take_string(&p->sector, v, key, err);
        } else if (strcmp(key, "region") == 0) {
            rc = json_take_string(&p->region, v, key, err);
        } else if (strcmp(key, "time_zone") == 0) {
            rc = json_take_string(&p->time_zone, v, key, err);
        } else if (strcmp(key, "role") == 0) {
            if (!json_is_string(v) ||
                mg_person_role_parse(&p->role, json_string_value(v)) < 0) {
                mg_error_set(err, key,
                             "'role' must be participant, facilitator or "
                             "coordinator");
                rc = MG_EINVAL;
            }
        } else if (strcmp(key, "status") == 0) {
            if (!json_is_string(v) ||
                mg_person_status_parse(&p->status, json_string_value(v)) < 0) {
                mg_error_set(err, key,
                             "'status' must be active, waitlisted or "
                             "withdrawn");
                rc = MG_EINVAL;
            }
        } else if (strcmp(key, "locked") == 0) {
            if (!json_is_boolean(v)) {
                mg_error_set(err, key, "'locked' must be true or false");
                rc = MG_EINVAL;
            } else {
                p->locked = json_is_true(v);
            }
        } else if (strcmp(key, "slots") == 0) {
            rc = take_refs(p, v, 1, ctx, err);
        } else if (strcmp(key, "threads") == 0) {
            rc = take_refs(p, v, 0, ctx, err);
        } else if (strcmp(key, "with") == 0) {
            rc = take_strings(&p->with, &p->n_with, v, key, err);
        } else if (strcmp(key, "apart") == 0) {
            rc = take_strings(&p->apart, &p->n_apart, v, key, err);
        } else if (strcmp(key, "id") == 0 || strcmp(key, "group_id") == 0) {
            /* read-only */
        } else {
            mg_error_set(err, key, "unknown field '%s'", key);
            rc = MG_EINVAL;
        }
        if (rc < 0)
            return rc;
    }
    return mg_participant_validate(p, err);
}

static void reply_conflict(struct request *r, const char *email,
                           const char *where)
{
    char msg[400];

    snprintf(msg, sizeof(msg), "%s'%s' is already registered in this circle",
             where, email);
    reply_error(r, MHD_HTTP_CONFLICT, "conflict", msg, "email");
}

/*
 * An import naming addresses already registered: where each was (every
 * one, not only the first the store met at `failed`), so one fix does.
 */
static void reply_import_conflict(struct request *r, int64_t circle,
                                  const struct mg_participant *list, size_t n,
                                  const struct mg_import_notes *notes,
                                  size_t failed)
{
    struct mg_people_filter f;
    struct mg_participant *known = NULL;
    size_t n_known = 0, n_hits = 0, *hits = NULL;
    char msg[1024], text[1100];

    memset(&f, 0, sizeof(f));
    if (mg_store_participants_list(&known, &n_known, r->srv->store, circle,
                                   &f) == 0)
        n_hits = mg_people_already_registered(&hits, list, n, known, n_known);
    if (n_hits == 0) {
        free(hits);
        hits = mg_xmalloc(sizeof(*hits));
        hits[0] = failed;
        n_hits = 1;
    }
    mg_import_registered_message(msg, sizeof(msg), list, notes, hits, n_hits,
                                 "this circle");
    snprintf(text, sizeof(text), "%s%s",
             notes->single ? "" : "import refused: ", msg);
    reply_error(r, MHD_HTTP_CONFLICT, "conflict", text, "email");
    free(hits);
    mg_participants_free(known, n_known);
}

/* Warnings for with/apart links to people the circle does not know. */
static void link_warnings(struct mg_import_notes *notes, struct mg_store *st,
                          int64_t circle, const struct mg_participant *list,
                          size_t n)
{
    struct mg_people_filter f;
    struct mg_participant *known = NULL;
    size_t n_known = 0;

    if (!mg_people_have_links(list, n))
        return;
    memset(&f, 0, sizeof(f));
    if (mg_store_participants_list(&known, &n_known, st, circle, &f) == 0)
        mg_people_link_warnings(notes, list, n, known, n_known);
    mg_participants_free(known, n_known);
}

/* The import's warnings, as a JSON array of strings. */
static json_t *warnings_json(const struct mg_import_notes *notes)
{
    json_t *a = json_array();
    size_t i;

    for (i = 0; i < notes->n_warnings; i++)
        json_array_append_new(a, json_string(notes->warnings[i]));
    return a;
}

static int is_csv(struct request *r)
{
    const char *ctype = MHD_lookup_connection_value(
        r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);

    return ctype && (strncasecmp(ctype, "text/csv", 8) == 0 ||
                     strncasecmp(ctype, "application/csv", 15) == 0);
}

void handle_people_create(struct request *r)
{
    struct context c;
    struct mg_participant *list = NULL;
    struct mg_import_notes notes;
    struct mg_error err = {{0}, {0}};
    size_t n = 0, failed = 0, i;
    json_t *doc = NULL;
    int rc;

    memset(&notes, 0, sizeof(notes));
    if (context_load(&c, r) < 0)
        return;
    if (is_csv(r)) {
        rc = mg_people_parse_csv_noted(&list, &n, &notes,
                                       r->body.data ? r->body.data : "",
                                       r->body.len, &c.ctx, &err);
        if (rc < 0) {
            reply_code(r, rc, &err);
            goto out;
        }
    } else {
        json_error_t jerr;
        doc = json_loadb(r->body.data ? r->body.data : "", r->body.len,
                         JSON_REJECT_DUPLICATES, &jerr);
        if (!doc || !(json_is_object(doc) || json_is_array(doc))) {
            reply_error(r, MHD_HTTP_BAD_REQUEST, "bad_json",
                        "send a JSON object, a JSON array or text/csv", NULL);
            goto out;
        }
        n = json_is_array(doc) ? json_array_size(doc) : 1;
        if (n == 0 || n > MG_IMPORT_MAX_ROWS) {
            reply_error(r, MHD_HTTP_UNPROCESSABLE_CONTENT, "invalid",
                        "send 1 to 200000 participants", NULL);
            goto out;
        }
        list = mg_xcalloc(n, sizeof(*list));
        for (i = 0; i < n; i++) {
            json_t *item = json_is_array(doc) ? json_array_get(doc, i) : doc;
            rc = person_from_json(&list[i], item, &c.ctx, &err);
            if (rc < 0) {
                if (json_is_array(doc)) {
                    char msg[sizeof(err.message)];
                    snprintf(msg, sizeof(msg), "%s", err.message);
                    mg_error_set(&err, err.field, "item %zu: %s", i, msg);
                }
                reply_code(r, rc, &err);
                goto out;
            }
        }
        /* The same address twice in one list: name both items, before
         * the store would call the second "already registered". */
        notes.single = !json_is_array(doc);
        rc = mg_people_check_duplicates(list, n, &notes, &err);
        if (rc < 0) {
            reply_code(r, rc, &err);
            goto out;
        }
        mg_people_import_warnings(&notes, list, n, c.ctx.circle);
    }
    link_warnings(&notes, r->srv->store, c.circle->id, list, n);
    rc = mg_store_participants_insert(&failed, r->srv->store, c.circle->id,
                                      list, n);
    if (rc == MG_ECONFLICT) {
        reply_import_conflict(r, c.circle->id, list, n, &notes, failed);
        goto out;
    }
    if (rc < 0) {
        reply_code(r, rc, NULL);
        goto out;
    }
    if (n == 1 && !(doc && json_is_array(doc))) {
        json_t *person = person_to_json(&list[0]);

        /* Only when there is something to say: the person as stored. */
        if (notes.n_warnings)
            json_object_set_new(person, "warnings", warnings_json(&notes));
        snprintf(r->location, sizeof(r->location),
                 "/api/v1/circles/%lld/participants/%lld",
                 (long long)c.circle->id, (long long)list[0].id);
        reply_json(r, MHD_HTTP_CREATED, person);
    } else {
        reply_json(r, MHD_HTTP_CREATED,
                   json_pack("{s:I, s:o}", "imported", (json_int_t)n,
                             "warnings", warnings_json(&notes)));
    }
out:
    mg_import_notes_release(&notes);
    json_decref(doc);
    mg_participants_free(list, n);
    context_release(&c);
}

void handle_people_list(struct request *r)
{
    struct mg_people_filter f;
    struct mg_participant *list = NULL;
    size_t n = 0, i;
    json_t *items, *body;
    long long v;
    int rc;

    memset(&f, 0, sizeof(f));
    f.limit = PEOPLE_LIST_DEFAULT;
    f.status = request_arg(r, "status");
    f.role = request_arg(r, "role");
    f.sector = request_arg(r, "sector");
    f.region = request_arg(r, "region");
    f.query = request_arg(r, "q");
    v = f.limit;
    if (request_arg_int(&v, r, "limit", 1, PEOPLE_LIST_MAX) < 0)
        return;
    f.limit = (int)v;
    v = 0;
    if (request_arg_int(&v, r, "after", 0, LLONG_MAX) < 0)
        return;
    f.after = v;
    {
        struct mg_circle *c = NULL;
        rc = mg_store_circle_get(&c, r->srv->store, r->params[0]);
        mg_circle_free(c);
        if (rc < 0) {
            reply_code(r, rc, NULL);
            return;
        }
    }
    rc = mg_store_participants_list(&list, &n, r->srv->store, r->params[0], &f);
    if (rc < 0) {
        reply_code(r, rc, NULL);
        return;
    }
    items = json_array();
    for (i = 0; i < n; i++)
        json_array_append_new(items, person_to_json(&list[i]));
    body = json_pack("{s:o}", "participants", items);
    json_object_set_new(body, "next_after",
                        n == (size_t)f.limit ? json_integer(list[n - 1].id)
                                             : json_null());
    mg_participants_free(list, n);
    reply_json(r, MHD_HTTP_OK, body);
}

void handle_person_get(struct request *r)
{
    struct mg_participant *p = NULL;
    int rc =
        mg_store_participant_get(&p, r->srv->store, r->params[0], r->params[1]);

    if (rc < 0) {
        reply_code(r, rc, NULL);
        return;
    }
    reply_json(r, MHD_HTTP_OK, person_to_json(p));
    mg_participants_free(p, 1);
}

static void update(struct request *r, json_t *patch)
{
    struct context c;
    struct mg_participant *p = NULL;
    struct mg_error err = {{0}, {0}};
    int rc;

    if (context_load(&c, r) < 0)
        return;
    enum mg_person_status was = MG_STATUS_ACTIVE;
    int64_t promoted = 0;
    int leaving = 0;

    rc =
        mg_store_participant_get(&p, r->srv->store, r->params[0], r->params[1]);
    if (rc == 0) {
        was = p->status;
        rc = person_from_json(p, patch, &c.ctx, &err);
    }
    if (rc == 0 && p->status == MG_STATUS_PENDING && was != p->status) {
        mg_error_set(&err, "status",
                     "'pending' is for sign-ups not yet confirmed");
        rc = MG_EINVAL;
    }
    if (rc == 0 && p->status == MG_STATUS_WITHDRAWN &&
        was != MG_STATUS_WITHDRAWN) {
        /* leaving goes through the one withdrawal, which hands the
         * place on: the other fields are stored first */
        leaving = 1;
        p->status = was;
    }
    if (rc == 0)
        rc = mg_store_participant_update(r->srv->store, p);
    if (rc == 0 && leaving) {
        rc = mg_signup_withdraw(&promoted, r->srv->store, c.circle->id, p->id,
                                mg_now(), &err);
        if (rc == 0)
            p->status = MG_STATUS_WITHDRAWN;
    }
    if (rc == MG_ECONFLICT) {
        reply_conflict(r, p->email, "");
    } else if (rc < 0) {
        reply_code(r, rc, &err);
    } else {
        json_t *doc;

        /* a new address changes their invitations: theirs only (a
         * withdrawal reconciled its own) */
        if (!leaving)
            http_reconcile_scope(r, c.circle->id, &p->id, 1, NULL, 0, NULL);
        doc = person_to_json(p);
        if (leaving)
            json_object_set_new(doc, "promoted",
                                promoted ? json_integer(promoted)
                                         : json_null());
        if (leaving)
            mg_outbox_sender_wake(r->srv->sender);
        reply_json(r, MHD_HTTP_OK, doc);
    }
    mg_participants_free(p, p ? 1 : 0);
    context_release(&c);
}

void handle_person_patch(struct request *r)
{
    json_t *doc = request_json(r);

    if (!doc)
        return;
    update(r, doc);
    json_decref(doc);
}

/* The one withdrawal (mg_signup_withdraw, through update()): the place
 * handed on is in the answer as `promoted`. */
void handle_person_withdraw(struct request *r)
{
    json_t *doc = json_pack("{s:s}", "status", "withdrawn");

    update(r, doc);
    json_decref(doc);
}

void handle_person_delete(struct request *r)
{
    struct mg_erasure e;
    struct mg_error err = {{0}, {0}};
    size_t promoted = 0, moved = 0;
    char counts[160];
    int rc = mg_plenary_leave_all(&promoted, r->srv->store, r->params[0],
                                  r->params[1], &err);

    if (rc == 0)
        rc = mg_store_participant_erase(&e, r->srv->store, r->params[0],
                                        r->params[1]);
    if (rc < 0) {
        reply_code(r, rc, &err);
        return;
    }
    /* a place they held goes to the first waiting, under a capacity */
    if (mg_signup_fill(&moved, r->srv->store, r->params[0], &err) < 0)
        mg_log(MG_LOG_WARN, "erased a person, their place not yet handed on",
               "error", err.message, NULL);
    else if (moved)
        mg_outbox_sender_wake(r->srv->sender);
    /* ids and counts only: nothing that names them */
    snprintf(counts, sizeof(counts),
             "notes=%zu mail=%zu secrets=%zu registrations=%zu promoted=%zu",
             e.notes, e.mail, e.secrets, e.registrations, promoted);
    mg_log(MG_LOG_INFO, "erased a person", "erased", counts, "wal",
           e.wal_truncated ? "emptied" : "busy", NULL);
    reply_text(r, MHD_HTTP_NO_CONTENT, "application/json", mg_xstrdup(""));
}
