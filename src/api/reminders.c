/*
 * reminders.c: a circle's reminder settings (GET/PUT
 * /api/v1/circles/{id}/reminders) and its scheduled jobs (GET
 * /api/v1/circles/{id}/jobs), for the dashboard and scripts.
 */
#include "api.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mingle/jobs.h"

#include "banned.h"

static json_t *settings_json(const struct mg_reminder_settings *s)
{
    json_t *minutes = json_array();
    char text[128];
    size_t i;

    for (i = 0; i < s->n_offsets; i++)
        json_array_append_new(minutes, json_integer(s->offsets[i]));
    mg_jobs_offsets_format(text, sizeof(text), s);
    return json_pack("{s:b, s:s, s:o, s:i}", "enabled", s->enabled, "offsets",
                     text, "offset_minutes", minutes, "nudge_days",
                     s->nudge_days);
}

void handle_reminders_get(struct request *r)
{
    struct mg_reminder_settings s;
    int rc = mg_store_reminder_settings_get(&s, r->srv->store, r->params[0]);

    if (rc < 0) {
        reply_code(r, rc, NULL);
        return;
    }
    reply_json(r, MHD_HTTP_OK, settings_json(&s));
}

/* {"enabled": bool, "offsets": "24h,1h" or ["24h", "1h", 90], "nudge_days":
 * 0..60}: each optional, what is left out stays; an unknown field is
 * refused by name ("offset_minutes", which a GET gives, is read-only). */
void handle_reminders_put(struct request *r)
{
    struct mg_reminder_settings s;
    struct mg_error err = {{0}, {0}};
    json_t *doc = request_json(r), *v;
    const char *key;
    size_t added = 0;
    int rc;

    if (!doc)
        return;
    rc = mg_store_reminder_settings_get(&s, r->srv->store, r->params[0]);
    if (rc < 0) {
        json_decref(doc);
        reply_code(r, rc, NULL);
        return;
    }
    json_object_foreach(doc, key, v)
    {
        if (rc == 0 && strcmp(key, "enabled") != 0 &&
            strcmp(key, "offsets") != 0 && strcmp(key, "nudge_days") != 0 &&
            strcmp(key, "offset_minutes") != 0) {
            mg_error_set(&err, key, "unknown field '%s'", key);
            rc = MG_EINVAL;
        }
    }
    if (rc == 0 && (v = json_object_get(doc, "enabled"))) {
        if (!json_is_boolean(v)) {
            mg_error_set(&err, "enabled", "true or false");
            rc = MG_EINVAL;
        }
        s.enabled = json_is_true(v);
    }
    v = json_object_get(doc, "offsets");
    if (rc == 0 && json_is_string(v)) {
        rc = mg_jobs_offsets_parse(&s, json_string_value(v), &err);
    } else if (rc == 0 && json_is_array(v)) {
        struct mg_buf b = MG_BUF_INIT;
        size_t i;
        json_t *item;

        json_array_foreach(v, i, item)
        {
            if (json_is_integer(item))
                mg_buf_printf(&b, "%s%lldm", i ? "," : "",
                              (long long)json_integer_value(item));
            else if (json_is_string(item))
                mg_buf_printf(&b, "%s%s", i ? "," : "",
                              json_string_value(item));
            else
                mg_buf_printf(&b, "%s?", i ? "," : "");
        }
        rc = mg_jobs_offsets_parse(&s, b.data ? b.data : "", &err);
        mg_buf_release(&b);
    } else if (rc == 0 && v) {
        mg_error_set(&err, "offsets", "a list such as \"24h,1h\"");
        rc = MG_EINVAL;
    }
    v = json_object_get(doc, "nudge_days");
    if (rc == 0 && v) {
        if (!json_is_integer(v) || json_integer_value(v) < 0 ||
            json_integer_value(v) > 60) {
            mg_error_set(&err, "nudge_days", "a whole number from 0 to 60");
            rc = MG_EINVAL;
        } else {
            s.nudge_days = (int)json_integer_value(v);
        }
    }
    json_decref(doc);
    if (rc == 0)
        rc = mg_store_reminder_settings_put(&added, r->srv->store, r->params[0],
                                            &s);
    if (rc < 0) {
        reply_code(r, rc, &err);
        return;
    }
    mg_jobs_scheduler_wake(r->srv->jobs);
    reply_json(r, MHD_HTTP_OK, settings_json(&s));
}

void handle_jobs_list(struct request *r)
{
    struct mg_job_row *rows = NULL;
    long long limit = 100, before = 0;
    size_t n = 0, i;
    json_t *items;
    int rc;

    /* due_before: Unix seconds, up to the year 9999 */
    if (request_arg_int(&limit, r, "limit", 1, 1000) < 0 ||
        request_arg_int(&before, r, "due_before", 0, 253402300799LL) < 0)
        return;
    rc = mg_store_jobs_list(&rows, &n, r->srv->store, r->params[0], before,
                            (int)limit);
    if (rc < 0) {
        reply_code(r, rc, NULL);
        return;
    }
    items = json_array();
    for (i = 0; i < n; i++)
        json_array_append_new(
            items,
            json_pack("{s:I, s:s, s:s, s:I, s:I, s:I, s:i, s:i, s:I, s:o}",
                      "id", (json_int_t)rows[i].id, "kind",
                      mg_store_job_kind_name(rows[i].kind), "status",
                      mg_store_job_status_name(rows[i].status), "due_at",
                      (json_int_t)rows[i].due_at, "session_id",
                      (json_int_t)rows[i].session_id, "group_id",
                      (json_int_t)rows[i].group_id, "week", rows[i].week,
                      "offset_minutes", rows[i].offset_minutes, "done_at",
                      (json_int_t)rows[i].done_at, "note",
                      json_string_or_null(rows[i].note)));
    free(rows);
    reply_json(r, MHD_HTTP_OK, json_pack("{s:o}", "jobs", items));
}
