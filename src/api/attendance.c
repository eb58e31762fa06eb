/*
 * attendance.c: a session's attendance. POST takes the video
 * platform's participant report as exported (any content type), GET
 * lists what is stored. Reading and matching are the attendance
 * module's; this file only turns its result into JSON.
 */
#include "api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mingle/attendance.h"

#include "banned.h"

static const char *by_name(enum mg_match_by by)
{
    return by == MG_MATCH_EMAIL ? "email" : by == MG_MATCH_NAME ? "name" : "";
}

static json_t *result_json(const struct mg_attendance_result *res)
{
    json_t *matched = json_array(), *absent = json_array();
    json_t *unmatched = json_array();
    size_t i;

    for (i = 0; i < res->n_matched; i++) {
        const struct mg_attendance_entry *e = &res->matched[i];
        json_array_append_new(
            matched,
            json_pack("{s:I, s:s, s:s, s:i, s:b, s:s}", "participant_id",
                      (json_int_t)e->participant_id, "name", e->name,
                      "report_name", e->report_name, "minutes", e->minutes,
                      "present", e->present, "by", by_name(e->by)));
    }
    for (i = 0; i < res->n_absent; i++)
        json_array_append_new(
            absent, json_pack("{s:I, s:s}", "participant_id",
                              (json_int_t)res->absent[i].participant_id, "name",
                              res->absent[i].name));
    for (i = 0; i < res->n_unmatched; i++) {
        const struct mg_attendee *a = &res->unmatched[i];
        json_array_append_new(
            unmatched,
            json_pack("{s:s, s:o, s:i, s:i, s:i}", "name", a->name, "email",
                      json_string_or_null(a->email), "minutes", a->minutes,
                      "joins", a->joins, "line", a->line));
    }
    return json_pack("{s:s, s:I, s:o, s:o, s:o}", "format", res->format,
                     "session_id", (json_int_t)res->session_id, "matched",
                     matched, "absent", absent, "unmatched", unmatched);
}

static void not_found(struct request *r)
{
    struct mg_error err;

    memset(&err, 0, sizeof(err));
    mg_error_set(&err, NULL, "no session %lld in circle %lld",
                 (long long)r->params[1], (long long)r->params[0]);
    reply_code(r, MG_ENOTFOUND, &err);
}

/* {"present": [participant ids]}: who came, as a facilitator says. */
static void record_list(struct request *r)
{
    struct mg_error err = {{0}, {0}};
    json_t *doc = request_json(r), *list, *v;
    int64_t *ids = NULL;
    size_t n_present = 0, n_absent = 0, i;
    int rc;

    if (!doc)
        return;
    list = json_object_get(doc, "present");
    if (!json_is_array(list) || json_object_size(doc) != 1) {
        reply_error(r, MHD_HTTP_UNPROCESSABLE_CONTENT, "invalid",
                    "the body must be {\"present\": [participant ids]}",
                    "present");
        json_decref(doc);
        return;
    }
    ids = mg_xcalloc(json_array_size(list) + 1, sizeof(*ids));
    json_array_foreach(list, i, v)
    {
        if (!json_is_integer(v) || json_integer_value(v) < 1) {
            reply_error(r, MHD_HTTP_UNPROCESSABLE_CONTENT, "invalid",
                        "'present' holds participant ids", "present");
            goto out;
        }
        ids[i] = json_integer_value(v);
    }
    rc = mg_attendance_record(&n_present, &n_absent, r->srv->store,
                              r->params[0], r->params[1], ids,
                              json_array_size(list), "api", &err);
    if (rc == MG_ENOTFOUND)
        not_found(r);
    else if (rc < 0)
        reply_code(r, rc, &err);
    else
        reply_json(r, MHD_HTTP_OK,
                   json_pack("{s:I, s:I}", "present", (json_int_t)n_present,
                             "absent", (json_int_t)n_absent));
out:
    free(ids);
    json_decref(doc);
}

void handle_attendance_import(struct request *r)
{
    struct mg_attendance_result res;
    struct mg_error err;
    const char *ctype = MHD_lookup_connection_value(
        r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    int rc;

    /* JSON is a list of who came; anything else is a platform's report. */
    if (ctype && strncasecmp(ctype, "application/json", 16) == 0) {
        record_list(r);
        return;
    }
    memset(&res, 0, sizeof(res));
    memset(&err, 0, sizeof(err));
    rc = mg_attendance_import(&res, r->srv->store, r->params[0], r->params[1],
                              r->body.data ? r->body.data : "", r->body.len,
                              &err);
    if (rc == MG_ENOTFOUND) {
        not_found(r);
        return;
    }
    if (rc < 0) {
        reply_code(r, rc, &err);
        return;
    }
    reply_json(r, MHD_HTTP_OK, result_json(&res));
    mg_attendance_result_release(&res);
}

void handle_attendance_get(struct request *r)
{
    struct mg_session_row s;
    struct mg_attendance_row *rows = NULL;
    size_t n = 0, i;
    json_t *items;
    int rc =
        mg_store_session_get(&s, r->srv->store, r->params[0], r->params[1]);

    if (rc == MG_ENOTFOUND) {
        not_found(r);
        return;
    }
    if (rc == 0)
        rc = mg_store_attendance_list(&rows, &n, r->srv->store, s.id);
    if (rc < 0) {
        reply_code(r, rc, NULL);
        return;
    }
    items = json_array();
    for (i = 0; i < n; i++)
        json_array_append_new(
            items, json_pack("{s:I, s:s, s:b, s:i, s:s, s:I}", "participant_id",
                             (json_int_t)rows[i].participant_id, "name",
                             rows[i].name ? rows[i].name : "", "present",
                             rows[i].present, "minutes", rows[i].minutes,
                             "source", rows[i].source, "recorded_at",
                             (json_int_t)rows[i].recorded_at));
    reply_json(r, MHD_HTTP_OK,
               json_pack("{s:I, s:i, s:o}", "session_id", (json_int_t)s.id,
                         "minutes", s.minutes, "attendance", items));
    mg_store_attendance_free(rows, n);
}

/* --- a plenary's occurrences ---------------------------------------- */

static void plenary_not_found(struct request *r)
{
    struct mg_error err;

    memset(&err, 0, sizeof(err));
    mg_error_set(&err, NULL, "no plenary %lld in circle %lld",
                 (long long)r->params[1], (long long)r->params[0]);
    reply_code(r, MG_ENOTFOUND, &err);
}

/* The week in the path, as an int (the router gives ids). */
static int path_week(struct request *r)
{
    return r->params[2] > 10000 ? 10001 : (int)r->params[2];
}

void handle_plenary_attendance_import(struct request *r)
{
    struct mg_attendance_result res;
    struct mg_error err;
    json_t *doc;
    size_t i;
    int came = 0, rc;

    memset(&res, 0, sizeof(res));
    memset(&err, 0, sizeof(err));
    rc = mg_attendance_import_plenary(
        &res, r->srv->store, r->params[0], r->params[1], path_week(r),
        r->body.data ? r->body.data : "", r->body.len, &err);
    if (rc == MG_ENOTFOUND) {
        plenary_not_found(r);
        return;
    }
    if (rc < 0) {
        reply_code(r, rc, &err);
        return;
    }
    doc = result_json(&res);
    json_object_del(doc, "session_id");
    json_object_set_new(doc, "plenary_id", json_integer(res.plenary_id));
    json_object_set_new(doc, "week", json_integer(res.week));
    for (i = 0; i < res.n_matched; i++)
        came += res.matched[i].present != 0;
    json_object_set_new(doc, "came", json_integer(came));
    reply_json(r, MHD_HTTP_OK, doc);
    mg_attendance_result_release(&res);
}

void handle_plenary_attendance_get(struct request *r)
{
    struct mg_plenary_row p;
    struct mg_attendance_row *rows = NULL;
    size_t n = 0, i;
    json_t *items;
    int week = path_week(r), came = 0;
    int rc =
        mg_store_plenary_get(&p, r->srv->store, r->params[0], r->params[1]);

    if (rc == MG_ENOTFOUND) {
        plenary_not_found(r);
        return;
    }
    if (rc == 0 && (week < 1 || week > p.weeks)) {
        struct mg_error err;

        memset(&err, 0, sizeof(err));
        mg_error_set(&err, "week", "the plenary has weeks 1 to %d, not %d",
                     p.weeks, week);
        mg_store_plenary_release(&p);
        reply_code(r, MG_EINVAL, &err);
        return;
    }
    if (rc == 0)
        rc = mg_store_plenary_attendance_list(&rows, &n, r->srv->store, p.id,
                                              week);
    if (rc < 0) {
        mg_store_plenary_release(&p);
        reply_code(r, rc, NULL);
        return;
    }
    items = json_array();
    for (i = 0; i < n; i++) {
        came += rows[i].present != 0;
        json_array_append_new(
            items, json_pack("{s:I, s:s, s:b, s:i, s:s, s:I}", "participant_id",
                             (json_int_t)rows[i].participant_id, "name",
                             rows[i].name ? rows[i].name : "", "present",
                             rows[i].present, "minutes", rows[i].minutes,
                             "source", rows[i].source, "recorded_at",
                             (json_int_t)rows[i].recorded_at));
    }
    reply_json(r, MHD_HTTP_OK,
               json_pack("{s:I, s:i, s:i, s:i, s:o}", "plenary_id",
                         (json_int_t)p.id, "week", week, "minutes", p.minutes,
                         "came", came, "attendance", items));
    mg_store_plenary_release(&p);
    mg_store_attendance_free(rows, n);
}
