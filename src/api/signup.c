/*
 * signup.c: a circle's sign-up settings as JSON (GET and PUT
 * /api/v1/circles/{id}/signup): state, closes_at (local time in the
 * circle's zone), capacity, the sector and region choices, the
 * collection notice (null: the default) with its version (read-only)
 * and whether confirmed late sign-ups are placed at once. A PUT changes
 * the fields it names and keeps the others.
 */
#include "api.h"

#include <stdlib.h>
#include <string.h>

#include "mingle/outbox.h"
#include "mingle/people.h"
#include "mingle/signup.h"
#include "mingle/store.h"

#include "banned.h"

#define VOLUNTEERS_MAX 500 /* listed; more are found with the export */

static json_t *lines_json(const char *lines)
{
    json_t *a = json_array();
    const char *p = lines;

    while (p && *p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);

        json_array_append_new(a, json_stringn(p, len));
        if (!nl)
            break;
        p = nl + 1;
    }
    return a;
}

static json_t *settings_json(const struct mg_signup_settings *s,
                             const struct mg_circle *c, size_t waiting,
                             size_t pending, size_t unplaced)
{
    char version[MG_SIGNUP_VERSION_LEN + 1], closes[24];
    json_t *doc;

    mg_signup_notice_version(version, mg_signup_notice(s));
    closes[0] = '\0';
    if (s->closes_at)
        http_local_string(closes, sizeof(closes), c->time_zone, s->closes_at);
    doc = json_pack(
        "{s:s, s:o, s:i, s:o, s:o, s:s, s:b, s:s, s:b, s:o, s:{s:I, s:I, s:I}}",
        "state", s->open ? "open" : "closed", "closes_at",
        json_string_or_null(closes), "capacity", s->capacity, "sectors",
        lines_json(s->sectors), "regions", lines_json(s->regions), "notice",
        mg_signup_notice(s), "notice_default", !(s->notice && s->notice[0]),
        "notice_version", version, "auto_place", s->auto_place, "url",
        c->slug ? json_sprintf("/join/%s", c->slug) : json_null(), "counts",
        "waiting", (json_int_t)waiting, "pending", (json_int_t)pending,
        "unplaced", (json_int_t)unplaced);
    json_object_set_new(doc, "taking",
                        json_boolean(mg_signup_is_open(s, mg_now()) &&
                                     c->organizer_email && c->slug));
    return doc;
}

/* A JSON array of strings as lines; MG_EINVAL naming `field`. */
static int lines_from_json(char **out, json_t *v, const char *field,
                           struct mg_error *err)
{
    struct mg_buf b = MG_BUF_INIT;
    size_t i;
    json_t *item;

    if (json_is_null(v)) {
        free(*out);
        *out = NULL;
        return 0;
    }
    if (!json_is_array(v)) {
        mg_error_set(err, field, "'%s' must be a list of strings", field);
        return MG_EINVAL;
    }
    json_array_foreach(v, i, item)
    {
        const char *s = json_string_value(item);

        if (!s || strchr(s, '\n') || strlen(s) != json_string_length(item)) {
            mg_error_set(err, field, "'%s' must be a list of one-line strings",
                         field);
            mg_buf_release(&b);
            return MG_EINVAL;
        }
        mg_buf_printf(&b, "%s%s", i ? "\n" : "", s);
    }
    free(*out);
    *out = b.len ? mg_xstrdup(b.data) : NULL;
    mg_buf_release(&b);
    return 0;
}

static int settings_from_json(struct mg_signup_settings *s,
                              const struct mg_circle *c, json_t *doc,
                              struct mg_error *err)
{
    const char *key;
    json_t *v;
    int rc = 0;

    json_object_foreach(doc, key, v)
    {
        if (rc < 0)
            break;
        if (strcmp(key, "state") == 0) {
            const char *st = json_string_value(v);

            if (!st || (strcmp(st, "open") != 0 && strcmp(st, "closed") != 0)) {
                mg_error_set(err, key, "'state' must be open or closed");
                rc = MG_EINVAL;
            } else {
                s->open = strcmp(st, "open") == 0;
            }
        } else if (strcmp(key, "closes_at") == 0) {
            if (json_is_null(v))
                s->closes_at = 0;
            else if (!json_is_string(v) ||
                     http_parse_local(&s->closes_at, c->time_zone,
                                      json_string_value(v)) < 0) {
                mg_error_set(err, key,
                             "'closes_at' must be YYYY-MM-DDTHH:MM in the "
                             "circle's time zone, or null");
                rc = MG_EINVAL;
            }
        } else if (strcmp(key, "capacity") == 0) {
            if (!json_is_integer(v) || json_integer_value(v) < 0 ||
                json_integer_value(v) > MG_SIGNUP_MAX_CAPACITY) {
                mg_error_set(err, key, "'capacity' must be 0 (no limit) to %d",
                             MG_SIGNUP_MAX_CAPACITY);
                rc = MG_EINVAL;
            } else {
                s->capacity = (int)json_integer_value(v);
            }
        } else if (strcmp(key, "sectors") == 0) {
            rc = lines_from_json(&s->sectors, v, key, err);
        } else if (strcmp(key, "regions") == 0) {
            rc = lines_from_json(&s->regions, v, key, err);
        } else if (strcmp(key, "notice") == 0) {
            rc = json_take_string(&s->notice, v, key, err);
        } else if (strcmp(key, "auto_place") == 0) {
            if (!json_is_boolean(v)) {
                mg_error_set(err, key, "'auto_place' must be true or false");
                rc = MG_EINVAL;
            } else {
                s->auto_place = json_is_true(v);
            }
        } else if (strcmp(key, "notice_version") == 0 ||
                   strcmp(key, "notice_default") == 0 ||
                   strcmp(key, "url") == 0 || strcmp(key, "counts") == 0 ||
                   strcmp(key, "taking") == 0 ||
                   strcmp(key, "volunteers") == 0) {
            continue; /* read-only: what a GET gave may be sent back */
        } else {
            mg_error_set(err, key, "unknown field '%s'", key);
            rc = MG_EINVAL;
        }
    }
    if (rc == 0)
        rc = mg_signup_settings_validate(s, err);
    if (rc == 0 && s->open && !(c->organizer_email && c->slug)) {
        mg_error_set(err, "state",
                     "the circle needs a slug and an organizer email before "
                     "its sign-up page can open");
        rc = MG_EINVAL;
    }
    return rc;
}

static void reply_settings(struct request *r, unsigned int status,
                           const struct mg_signup_settings *s,
                           const struct mg_circle *c)
{
    size_t waiting = 0, pending = 0, unplaced = 0;
    int rc = mg_store_signup_counts(&waiting, &pending, &unplaced,
                                    r->srv->store, c->id);

    struct mg_signup_volunteer *vol = NULL;
    size_t n_vol = 0, i;
    json_t *doc, *list;

    if (rc == 0)
        rc = mg_store_signup_volunteers(&vol, &n_vol, r->srv->store, c->id,
                                        VOLUNTEERS_MAX);
    if (rc < 0) {
        reply_code(r, rc, NULL);
        return;
    }
    doc = settings_json(s, c, waiting, pending, unplaced);
    /* who offered to facilitate: PATCH role=facilitator confirms them */
    list = json_array();
    for (i = 0; i < n_vol; i++)
        json_array_append_new(
            list, json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)vol[i].id,
                            "name", vol[i].name, "email", vol[i].email,
                            "status", vol[i].status));
    json_object_set_new(doc, "volunteers", list);
    mg_signup_volunteers_free(vol, n_vol);
    reply_json(r, status, doc);
}

void handle_signup_get(struct request *r)
{
    struct mg_signup_settings s;
    struct mg_circle *c = NULL;
    int rc = mg_store_circle_get(&c, r->srv->store, r->params[0]);

    memset(&s, 0, sizeof(s));
    if (rc == 0)
        rc = mg_store_signup_get(&s, r->srv->store, c->id);
    if (rc < 0)
        reply_code(r, rc, NULL);
    else
        reply_settings(r, MHD_HTTP_OK, &s, c);
    mg_signup_settings_release(&s);
    mg_circle_free(c);
}

void handle_signup_put(struct request *r)
{
    struct mg_signup_settings s;
    struct mg_circle *c = NULL;
    struct mg_error err = {{0}, {0}};
    json_t *doc = request_json(r);
    int rc;

    memset(&s, 0, sizeof(s));
    if (!doc)
        return;
    rc = mg_store_circle_get(&c, r->srv->store, r->params[0]);
    if (rc == 0)
        rc = mg_store_signup_get(&s, r->srv->store, c->id);
    if (rc == 0)
        rc = settings_from_json(&s, c, doc, &err);
    if (rc == 0)
        rc = mg_store_signup_put(r->srv->store, &s);
    /* room made (a capacity raised): the waiting move up */
    if (rc == 0) {
        size_t promoted = 0;
        struct mg_error ferr = {{0}, {0}};

        if (mg_signup_fill(&promoted, r->srv->store, c->id, &ferr) < 0)
            mg_log(MG_LOG_WARN, "waitlist not moved up", "error", ferr.message,
                   NULL);
        if (promoted)
            mg_outbox_sender_wake(r->srv->sender);
    }
    if (rc < 0)
        reply_code(r, rc, &err);
    else
        reply_settings(r, MHD_HTTP_OK, &s, c);
    json_decref(doc);
    mg_signup_settings_release(&s);
    mg_circle_free(c);
}
