/*
 * circles.c: /api/v1/circles. Translates JSON to struct mg_circle and
 * back; the rules a circle must satisfy are mg_circle_validate()'s and
 * storage is the store's. Unknown fields are refused so that a typo
 * ("titel") is an error, not a silently ignored field.
 */
#include "api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mingle/calendar.h"
#include "mingle/circle.h"

#include "banned.h"

#define LIST_DEFAULT 50
#define LIST_MAX 500

static json_t *iso_time(int64_t t)
{
    char buf[32];

    mg_format_utc(buf, sizeof(buf), t);
    return json_string(buf);
}

/* The coordinator's warnings about the circle's calls (circle.h). */
static json_t *warnings_to_json(const struct mg_circle *c)
{
    json_t *a = json_array();
    char **w;
    size_t i, n;

    mg_circle_warnings(&w, &n, c);
    for (i = 0; i < n; i++)
        json_array_append_new(a, json_string(w[i]));
    mg_circle_warnings_free(w, n);
    return a;
}

/* The circle; with its `warnings` for one circle's answers (the list
 * leaves them out: they take each call date's zone arithmetic). */
static json_t *circle_to_json(const struct mg_circle *c, int with_warnings)
{
    json_t *slots = json_array(), *doc;
    size_t i;

    for (i = 0; i < c->n_slots; i++) {
        const struct mg_slot *s = &c->slots[i];
        char start[16];
        snprintf(start, sizeof(start), "%02d:%02d", s->start_minute / 60,
                 s->start_minute % 60);
        json_array_append_new(
            slots, json_pack("{s:I, s:s, s:s, s:i}", "id", (json_int_t)s->id,
                             "weekday", mg_weekday_name(s->weekday), "start",
                             start, "minutes", s->minutes));
    }
    doc = json_pack(
        "{s:I, s:o, s:s, s:s, s:s, s:i, s:o, s:{s:i, s:i}, s:o, "
        "s:{s:o, s:o}, s:o, s:s, s:o, s:o}",
        "id", (json_int_t)c->id, "slug", json_string_or_null(c->slug), "title",
        c->title, "time_zone", c->time_zone, "start_date", c->start_date,
        "weeks", c->weeks, "slots", slots, "group_size", "min", c->group_min,
        "max", c->group_max, "video_url", json_string_or_null(c->video_url),
        "organizer", "name", json_string_or_null(c->organizer_name), "email",
        json_string_or_null(c->organizer_email), "attendance_target",
        c->attendance_target ? json_integer(c->attendance_target) : json_null(),
        "language", mg_circle_language(c), "created_at",
        iso_time(c->created_at), "updated_at", iso_time(c->updated_at));
    json_object_set_new(doc, "call_url_template",
                        json_string_or_null(c->call_url_template));
    json_object_set_new(doc, "alarm_minutes", json_integer(mg_circle_alarm(c)));
    if (with_warnings)
        json_object_set_new(doc, "warnings", warnings_to_json(c));
    return doc;
}

static int take_int(int *out, json_t *v, const char *field,
                    struct mg_error *err)
{
    json_int_t n;

    if (!json_is_integer(v)) {
        mg_error_set(err, field, "'%s' must be an integer", field);
        return MG_EINVAL;
    }
    n = json_integer_value(v);
    if (n < -1000000 || n > 1000000) {
        mg_error_set(err, field, "'%s' is out of range", field);
        return MG_EINVAL;
    }
    *out = (int)n;
    return 0;
}

static int take_slot(struct mg_slot *s, json_t *v, size_t i,
                     struct mg_error *err)
{
    const char *key;
    json_t *val;
    int have_day = 0, have_start = 0, have_minutes = 0;

    if (!json_is_object(v)) {
        mg_error_set(err, "slots", "slot %zu must be an object", i);
        return MG_EINVAL;
    }
    json_object_foreach(v, key, val)
    {
        if (strcmp(key, "weekday") == 0) {
            if (json_is_integer(val) && json_integer_value(val) >= 1 &&
                json_integer_value(val) <= 7)
                s->weekday = (int)json_integer_value(val);
            else if (!json_is_string(val) ||
                     mg_weekday_parse(&s->weekday, json_string_value(val)) < 0)
                goto bad_day;
            have_day = 1;
        } else if (strcmp(key, "start") == 0) {
            if (!json_is_string(val) ||
                mg_time_parse(&s->start_minute, json_string_value(val)) < 0) {
                mg_error_set(err, "slots",
                             "slot %zu: 'start' must be \"HH:MM\" (24-hour)",
                             i);
                return MG_EINVAL;
            }
            have_start = 1;
        } else if (strcmp(key, "minutes") == 0) {
            if (take_int(&s->minutes, val, "slots", err) < 0)
                return MG_EINVAL;
            have_minutes = 1;
        } else if (strcmp(key, "id") != 0) {
            mg_error_set(err, "slots", "slot %zu: unknown field '%s'", i, key);
            return MG_EINVAL;
        }
    }
    if (!have_day)
        goto bad_day;
    if (!have_start || !have_minutes) {
        mg_error_set(err, "slots", "slot %zu needs 'start' and 'minutes'", i);
        return MG_EINVAL;
    }
    return 0;
bad_day:
    mg_error_set(err, "slots",
                 "slot %zu: 'weekday' must be monday..sunday or 1..7", i);
    return MG_EINVAL;
}

static int take_slots(struct mg_circle *c, json_t *v, struct mg_error *err)
{
    size_t i, n;

    if (!json_is_array(v)) {
        mg_error_set(err, "slots", "'slots' must be an array");
        return MG_EINVAL;
    }
    n = json_array_size(v);
    if (n > MG_CIRCLE_MAX_SLOTS) {
        mg_error_set(err, "slots", "at most %d slots", MG_CIRCLE_MAX_SLOTS);
        return MG_EINVAL;
    }
    free(c->slots);
    c->slots = mg_xcalloc(n, sizeof(*c->slots));
    c->n_slots = n;
    for (i = 0; i < n; i++)
        if (take_slot(&c->slots[i], json_array_get(v, i), i, err) < 0)
            return MG_EINVAL;
    return 0;
}

static int take_object(json_t *v, const char *field, struct mg_error *err)
{
    if (!json_is_object(v)) {
        mg_error_set(err, field, "'%s' must be an object", field);
        return MG_EINVAL;
    }
    return 0;
}

/* Apply the fields present in `obj` to `c`. */
static int circle_from_json(struct mg_circle *c, json_t *obj,
                            struct mg_error *err)
{
    const char *key;
    json_t *v;
    int rc = 0;

    json_object_foreach(obj, key, v)
    {
        if (strcmp(key, "title") == 0) {
            rc = json_take_string(&c->title, v, key, err);
        } else if (strcmp(key, "slug") == 0) {
            rc = json_take_string(&c->slug, v, key, err);
        } else if (strcmp(key, "time_zone") == 0) {
            rc = json_take_string(&c->time_zone, v, key, err);
        } else if (strcmp(key, "start_date") == 0) {
            if (!json_is_string(v) || json_string_length(v) != 10) {
                mg_error_set(err, key, "'start_date' must be YYYY-MM-DD");
                rc = MG_EINVAL;
            } else {
                memcpy(c->start_date, json_string_value(v), 11);
            }
        } else if (strcmp(key, "weeks") == 0) {
            rc = take_int(&c->weeks, v, key, err);
        } else if (strcmp(key, "slots") == 0) {
            rc = take_slots(c, v, err);
        } else if (strcmp(key, "group_size") == 0) {
            rc = take_object(v, key, err);
            if (rc == 0 && json_object_get(v, "min"))
                rc = take_int(&c->group_min, json_object_get(v, "min"),
                              "group_size.min", err);
            if (rc == 0 && json_object_get(v, "max"))
                rc = take_int(&c->group_max, json_object_get(v, "max"),
                              "group_size.max", err);
        } else if (strcmp(key, "video_url") == 0) {
            rc = json_take_string(&c->video_url, v, key, err);
        } else if (strcmp(key, "call_url_template") == 0) {
            rc = json_take_string(&c->call_url_template, v, key, err);
        } else if (strcmp(key, "alarm_minutes") == 0) {
            /* 0: no alarm; null: the default */
            c->alarm_minutes = 0;
            if (!json_is_null(v))
                rc = take_int(&c->alarm_minutes, v, key, err);
            if (rc == 0 && c->alarm_minutes < 0) {
                mg_error_set(err, key,
                             "'alarm_minutes' must be 0..%d (0: no alarm)",
                             MG_CIRCLE_ALARM_MAX);
                rc = MG_EINVAL;
            } else if (rc == 0 && !json_is_null(v) && c->alarm_minutes == 0) {
                c->alarm_minutes = -1;
            }
        } else if (strcmp(key, "organizer") == 0) {
            rc = take_object(v, key, err);
            if (rc == 0 && json_object_get(v, "name"))
                rc = json_take_string(&c->organizer_name,
                                      json_object_get(v, "name"),
                                      "organizer.name", err);
            if (rc == 0 && json_object_get(v, "email"))
                rc = json_take_string(&c->organizer_email,
                                      json_object_get(v, "email"),
                                      "organizer.email", err);
        } else if (strcmp(key, "attendance_target") == 0) {
            /* null (or 0) clears it */
            c->attendance_target = 0;
            if (!json_is_null(v))
                rc = take_int(&c->attendance_target, v, key, err);
        } else if (strcmp(key, "language") == 0) {
            if (!json_is_string(v) ||
                json_string_length(v) >= sizeof(c->language)) {
                mg_error_set(err, key,
                             "'language' must be a language tag such as en");
                rc = MG_EINVAL;
            } else {
                snprintf(c->language, sizeof(c->language), "%s",
                         json_string_value(v));
            }
        } else if (strcmp(key, "id") == 0 || strcmp(key, "created_at") == 0 ||
                   strcmp(key, "updated_at") == 0) {
            /* read-only; accepted so a fetched circle can be sent back */
        } else {
            mg_error_set(err, key, "unknown field '%s'", key);
            rc = MG_EINVAL;
        }
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* Validate and translate store errors into the fitting reply. */
static int check_and_reply_error(struct request *r, int rc,
                                 struct mg_error *err)
{
    if (rc == MG_ECONFLICT) {
        mg_error_set(err, "slug", "slug is already used by another circle");
        reply_code(r, rc, err);
    } else if (rc < 0) {
        reply_code(r, rc, err);
    }
    return rc;
}

void handle_circles_list(struct request *r)
{
    struct mg_circle *list = NULL;
    size_t n = 0, i;
    long long limit = LIST_DEFAULT, after = 0;
    json_t *items, *body;
    int rc;

    if (request_arg_int(&limit, r, "limit", 1, LIST_MAX) < 0 ||
        request_arg_int(&after, r, "after", 0, LLONG_MAX) < 0)
        return;
    rc = mg_store_circle_list(&list, &n, r->srv->store, after, (int)limit);
    if (rc < 0) {
        reply_code(r, rc, NULL);
        return;
    }
    /* A coordinator of one circle lists that one. */
    items = json_array();
    for (i = 0; i < n; i++)
        if (http_token_has_circle(&r->token, list[i].id))
            json_array_append_new(items, circle_to_json(&list[i], 0));
    body = json_pack("{s:o}", "circles", items);
    if (n == (size_t)limit && !r->token.circle_id) /* one circle: no more */
        json_object_set_new(body, "next_after",
                            json_integer((json_int_t)list[n - 1].id));
    else
        json_object_set_new(body, "next_after", json_null());
    mg_store_circles_free(list, n);
    reply_json(r, MHD_HTTP_OK, body);
}

void handle_circles_create(struct request *r)
{
    struct mg_circle c;
    struct mg_error err = {{0}, {0}};
    json_t *doc = request_json(r);
    int rc;

    if (!doc)
        return;
    memset(&c, 0, sizeof(c));
    c.group_min = 6;
    c.group_max = 8;
    rc = circle_from_json(&c, doc, &err);
    json_decref(doc);
    if (rc == 0)
        rc = mg_circle_validate(&c, &err);
    if (rc == 0)
        rc = mg_store_circle_create(r->srv->store, &c);
    if (check_and_reply_error(r, rc, &err) == 0) {
        snprintf(r->location, sizeof(r->location), "/api/v1/circles/%lld",
                 (long long)c.id);
        reply_json(r, MHD_HTTP_CREATED, circle_to_json(&c, 1));
    }
    mg_circle_release(&c);
}

void handle_circles_get(struct request *r)
{
    struct mg_circle *c = NULL;
    int rc;

    if (!http_may_read_circle(r))
        return;
    rc = mg_store_circle_get(&c, r->srv->store, r->params[0]);
    if (rc < 0) {
        reply_code(r, rc, NULL);
        return;
    }
    reply_json(r, MHD_HTTP_OK, circle_to_json(c, 1));
    mg_circle_free(c);
}

/*
 * A circle whose zone changes after planning (its start date may change
 * with it): the circle and the calls not yet held move together, at the same
 * local wall time in the new zone (held ones stay as they were), and
 * the members get the updated invitations.
 */
static int update_rezoned(struct request *r, struct mg_circle *c)
{
    size_t changed = 0;
    int rc = mg_calendar_rezone(&changed, r->srv->store, c, mg_now());

    if (rc == 0 && changed)
        http_reconcile(r, c->id, NULL);
    return rc;
}

/* The groups' call link changed (the template, or the video link they
 * use): an update to the members of the groups it reaches, no one else. */
static void links_changed(struct request *r, const struct mg_circle *old,
                          const struct mg_circle *c)
{
    int64_t *ids = NULL;
    size_t n = 0;

    if (mg_calendar_links_bump(&ids, &n, r->srv->store, old, c) == 0 && n)
        http_reconcile_scope(r, c->id, NULL, 0, ids, n, NULL);
    free(ids);
}

/* PUT replaces the whole circle; PATCH changes the fields given. */
static void update(struct request *r, int replace)
{
    struct mg_circle *old = NULL;
    struct mg_circle c;
    struct mg_error err = {{0}, {0}};
    json_t *doc = request_json(r);
    int rc;

    memset(&c, 0, sizeof(c));
    if (!doc)
        return;
    rc = mg_store_circle_get(&old, r->srv->store, r->params[0]);
    if (rc < 0)
        goto out;
    if (replace) {
        c.id = old->id;
        c.created_at = old->created_at;
        c.group_min = 6;
        c.group_max = 8;
    } else {
        mg_circle_copy(&c, old);
    }
    rc = circle_from_json(&c, doc, &err);
    if (rc == 0)
        rc = mg_circle_validate(&c, &err);
    if (rc == 0 && strcmp(old->time_zone, c.time_zone) != 0)
        rc = update_rezoned(r, &c);
    else if (rc == 0)
        rc = mg_store_circle_update(r->srv->store, &c);
    if (rc == 0)
        links_changed(r, old, &c);
out:
    json_decref(doc);
    if (check_and_reply_error(r, rc, &err) == 0)
        reply_json(r, MHD_HTTP_OK, circle_to_json(&c, 1));
    mg_circle_release(&c);
    mg_circle_free(old);
}

void handle_circles_replace(struct request *r)
{
    update(r, 1);
}

void handle_circles_patch(struct request *r)
{
    update(r, 0);
}

void handle_circles_delete(struct request *r)
{
    int rc = mg_store_circle_delete(r->srv->store, r->params[0]);

    if (rc < 0) {
        reply_code(r, rc, NULL);
        return;
    }
    reply_text(r, MHD_HTTP_NO_CONTENT, "application/json", mg_xstrdup(""));
}
