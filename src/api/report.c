/*
 * report.c: GET /api/v1/circles/{id}/report, the circle's success
 * report as JSON (built here, with jansson), CSV or Markdown (written by
 * the report module). The figures and their definitions are report.h's.
 */
#include "api.h"

#include <stdlib.h>
#include <string.h>

#include "mingle/report.h"

#include "banned.h"

static json_t *counts_json(const struct mg_report_count *c, size_t n)
{
    json_t *a = json_array();
    size_t i;

    for (i = 0; i < n; i++)
        json_array_append_new(a, json_pack("{s:s, s:i}", "name", c[i].name,
                                           "people", c[i].people));
    return a;
}

static json_t *totals_json(const struct mg_report_totals *t)
{
    return json_pack(
        "{s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:f, s:i, s:i, s:o, s:o}",
        "sessions", t->sessions, "sessions_recorded", t->recorded, "invited",
        t->invited, "accepted", t->accepted, "declined", t->declined,
        "tentative", t->tentative, "attended", t->attended, "average_attended",
        t->average, "attendees", t->attendees, "came_back", t->came_back,
        "sectors", counts_json(t->sectors, t->n_sectors), "regions",
        counts_json(t->regions, t->n_regions));
}

static json_t *report_json(const struct mg_report *r)
{
    json_t *sessions = json_array(), *groups = json_array();
    json_t *weeks = json_array(), *circle;
    char when[32];
    size_t i;

    for (i = 0; i < r->n_groups; i++) {
        json_t *g = totals_json(&r->groups[i].t);
        json_object_set_new(g, "id", json_integer((json_int_t)r->groups[i].id));
        json_object_set_new(g, "name", json_string(r->groups[i].name));
        json_array_append_new(groups, g);
    }
    for (i = 0; i < r->n_sessions; i++) {
        const struct mg_report_session *s = &r->sessions[i];

        mg_report_time(when, sizeof(when), s->starts_at);
        json_array_append_new(
            sessions,
            json_pack(
                "{s:I, s:I, s:s, s:i, s:s, s:s, s:i, s:i, s:i, s:i, "
                "s:o, s:b}",
                "id", (json_int_t)s->id, "group_id", (json_int_t)s->group_id,
                "group", r->groups[s->group].name, "week", s->week, "starts_at",
                when, "status", s->cancelled ? "cancelled" : "confirmed",
                "invited", s->invited, "accepted", s->accepted, "declined",
                s->declined, "tentative", s->tentative, "attended",
                s->recorded ? json_integer(s->attended) : json_null(),
                "recorded", s->recorded));
    }
    for (i = 0; i < r->n_weeks; i++)
        json_array_append_new(
            weeks,
            json_pack("{s:i, s:i, s:i, s:i}", "week", r->weeks[i].week,
                      "sessions_recorded", r->weeks[i].sessions, "attended",
                      r->weeks[i].attended, "retained", r->weeks[i].retained));
    circle = totals_json(&r->t);
    json_object_set_new(circle, "id", json_integer((json_int_t)r->circle_id));
    json_object_set_new(circle, "title", json_string_or_null(r->title));
    json_object_set_new(circle, "target",
                        r->target ? json_integer(r->target) : json_null());
    json_object_set_new(circle, "target_met",
                        r->target ? json_boolean(r->target_met) : json_null());
    return json_pack("{s:o, s:o, s:o, s:{s:i, s:o}}", "circle", circle,
                     "groups", groups, "sessions", sessions, "retention",
                     "cohort", r->cohort, "weeks", weeks);
}

char *mg_http_report_json(const struct mg_report *r)
{
    json_t *doc = report_json(r);
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_ENSURE_ASCII);
    char *copy;

    json_decref(doc);
    if (!text)
        abort(); /* jansson only fails here when out of memory */
    copy = mg_xasprintf("%s\n", text); /* ours to free with free() */
    free(text);
    return copy;
}

void handle_report(struct request *r)
{
    const char *format = request_arg(r, "format");
    struct mg_report rep;
    struct mg_buf b = MG_BUF_INIT;
    int rc;

    if (!http_may_read_circle(r))
        return;
    if (!format || !*format)
        format = "json";
    if (strcmp(format, "json") != 0 && strcmp(format, "csv") != 0 &&
        strcmp(format, "markdown") != 0) {
        reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid",
                    "'format' must be json, csv or markdown", "format");
        return;
    }
    rc = mg_report_load(&rep, r->srv->store, r->params[0]);
    if (rc < 0) {
        reply_code(r, rc, NULL);
        return;
    }
    if (strcmp(format, "json") == 0) {
        reply_json(r, MHD_HTTP_OK, report_json(&rep));
    } else if (strcmp(format, "csv") == 0) {
        mg_report_csv(&b, &rep);
        reply_text(r, MHD_HTTP_OK, "text/csv; charset=utf-8; header=present",
                   mg_buf_detach(&b));
    } else {
        mg_report_markdown(&b, &rep);
        reply_text(r, MHD_HTTP_OK, "text/markdown; charset=utf-8",
                   mg_buf_detach(&b));
    }
    mg_report_release(&rep);
}
