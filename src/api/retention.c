/*
 * retention.c: how long a circle's personal data is kept (GET/PUT
 * /api/v1/circles/{id}/retention): days after its last call, or none
 * (until purged by hand), whether summaries are kept without names, and
 * when the data goes. The rules are the retention module's.
 */
#include "api.h"

#include <stdlib.h>
#include <string.h>

#include "mingle/retention.h"

#include "banned.h"

static json_t *time_or_null(int64_t t)
{
    return t ? json_integer((json_int_t)t) : json_null();
}

static json_t *retention_json(const struct mg_retention *r)
{
    return json_pack("{s:o, s:b, s:b, s:I, s:o, s:o, s:o}", "days",
                     r->days ? json_integer(r->days) : json_null(),
                     "keep_summaries", r->keep_summaries, "default",
                     r->is_default, "ends_at", (json_int_t)r->ends_at,
                     "expires_at", time_or_null(r->expires_at),
                     "purge_started_at", time_or_null(r->purge_started_at),
                     "purged_at", time_or_null(r->purged_at));
}

void handle_retention_get(struct request *r)
{
    struct mg_retention ret;
    int rc = mg_retention_get(&ret, r->srv->store, r->params[0]);

    if (rc < 0) {
        reply_code(r, rc, NULL);
        return;
    }
    reply_json(r, MHD_HTTP_OK, retention_json(&ret));
}

/* The fields a GET gives that a PUT may send back unchanged. */
static int read_only(const char *key)
{
    static const char *const keys[] = {"default",    "ends_at",
                                       "expires_at", "purge_started_at",
                                       "purged_at",  NULL};
    size_t i;

    for (i = 0; keys[i]; i++)
        if (strcmp(keys[i], key) == 0)
            return 1;
    return 0;
}

/* {"days": 1..3650 or null (until purged by hand), "keep_summaries":
 * bool}: each optional, what is left out stays; an unknown field is
 * refused by name. */
void handle_retention_put(struct request *r)
{
    struct mg_retention ret;
    struct mg_error err = {{0}, {0}};
    json_t *doc = request_json(r), *v;
    const char *key;
    int rc, days, keep;

    if (!doc)
        return;
    rc = mg_retention_get(&ret, r->srv->store, r->params[0]);
    days = ret.days;
    keep = ret.keep_summaries;
    json_object_foreach(doc, key, v)
    {
        if (rc == 0 && strcmp(key, "days") != 0 &&
            strcmp(key, "keep_summaries") != 0 && !read_only(key)) {
            mg_error_set(&err, key, "unknown field '%s'", key);
            rc = MG_EINVAL;
        }
    }
    v = json_object_get(doc, "days");
    if (rc == 0 && v) {
        if (json_is_null(v)) {
            days = 0;
        } else if (!json_is_integer(v) ||
                   json_integer_value(v) < MG_RETENTION_MIN_DAYS ||
                   json_integer_value(v) > MG_RETENTION_MAX_DAYS) {
            mg_error_set(&err, "days",
                         "a whole number of days from %d to %d, or null to "
                         "keep the data until it is purged by hand",
                         MG_RETENTION_MIN_DAYS, MG_RETENTION_MAX_DAYS);
            rc = MG_EINVAL;
        } else {
            days = (int)json_integer_value(v);
        }
    }
    v = json_object_get(doc, "keep_summaries");
    if (rc == 0 && v) {
        if (!json_is_boolean(v)) {
            mg_error_set(&err, "keep_summaries", "true or false");
            rc = MG_EINVAL;
        }
        keep = json_is_true(v);
    }
    json_decref(doc);
    if (rc == 0)
        rc = mg_retention_set(r->srv->store, r->params[0], days, keep, &err);
    if (rc == 0)
        rc = mg_retention_get(&ret, r->srv->store, r->params[0]);
    if (rc < 0) {
        reply_code(r, rc, &err);
        return;
    }
    reply_json(r, MHD_HTTP_OK, retention_json(&ret));
}
