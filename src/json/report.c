/*
 * report.c: a circle's success report as JSON, the document GET
 * .../report answers with and `mingle report` prints, and read back
 * into the report it was written from (a purged circle keeps its report
 * as this document). The figures and their definitions are the report
 * module's.
 */
#include "mingle/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mingle/core.h"

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

static json_t *group_json(const struct mg_report *r, size_t i)
{
    json_t *g = totals_json(&r->groups[i].t);

    json_object_set_new(g, "id", json_integer((json_int_t)r->groups[i].id));
    json_object_set_new(g, "name", json_string(r->groups[i].name));
    return g;
}

static json_t *session_json(const struct mg_report *r, size_t i)
{
    const struct mg_report_session *s = &r->sessions[i];
    char when[32];

    mg_report_time(when, sizeof(when), s->starts_at);
    return json_pack(
        "{s:I, s:I, s:s, s:i, s:s, s:s, s:i, s:i, s:i, s:i, s:o, s:b}", "id",
        (json_int_t)s->id, "group_id", (json_int_t)s->group_id, "group",
        r->groups[s->group].name, "week", s->week, "starts_at", when, "status",
        s->cancelled ? "cancelled" : "confirmed", "invited", s->invited,
        "accepted", s->accepted, "declined", s->declined, "tentative",
        s->tentative, "attended",
        s->recorded ? json_integer(s->attended) : json_null(), "recorded",
        s->recorded);
}

static json_t *weeks_json(const struct mg_report *r)
{
    json_t *weeks = json_array();
    size_t i;

    for (i = 0; i < r->n_weeks; i++)
        json_array_append_new(
            weeks,
            json_pack("{s:i, s:i, s:i, s:i}", "week", r->weeks[i].week,
                      "sessions_recorded", r->weeks[i].sessions, "attended",
                      r->weeks[i].attended, "retained", r->weeks[i].retained));
    return weeks;
}

static json_t *plenaries_json(const struct mg_report *r)
{
    json_t *a = json_array();
    size_t i, w;

    for (i = 0; i < r->n_plenaries; i++) {
        const struct mg_report_plenary *p = &r->plenaries[i];
        json_t *weeks = json_array();

        for (w = 0; w < p->n_weeks; w++) {
            const struct mg_report_occurrence *o = &p->weeks[w];
            char when[32];

            mg_report_time(when, sizeof(when), o->starts_at);
            json_array_append_new(
                weeks,
                json_pack(
                    "{s:i, s:s, s:i, s:i, s:i, s:i, s:i, s:i, s:o, s:o, "
                    "s:b}",
                    "week", o->week, "starts_at", when, "registered",
                    o->registered, "waitlisted", o->waitlisted, "accepted",
                    o->accepted, "declined", o->declined, "tentative",
                    o->tentative, "no_answer", o->no_answer, "came",
                    o->recorded ? json_integer(o->came) : json_null(),
                    "unmatched",
                    o->recorded ? json_integer(o->unmatched) : json_null(),
                    "recorded", o->recorded));
        }
        json_array_append_new(
            a, json_pack("{s:I, s:s, s:s, s:i, s:o, s:o, s:i, s:i, s:i, s:i, "
                         "s:f, s:i, s:i, s:i, s:o}",
                         "id", (json_int_t)p->id, "title", p->title, "status",
                         p->cancelled ? "cancelled" : "confirmed", "capacity",
                         p->capacity, "target",
                         p->target ? json_integer(p->target) : json_null(),
                         "target_met",
                         p->target ? json_boolean(p->target_met) : json_null(),
                         "registered", p->registered, "waitlisted",
                         p->waitlisted, "occurrences_recorded", p->recorded,
                         "came", p->came, "average_came", p->average,
                         "accepted", p->accepted, "declined", p->declined,
                         "tentative", p->tentative, "weeks", weeks));
    }
    return a;
}

static json_t *circle_json(const struct mg_report *r)
{
    json_t *circle = totals_json(&r->t);

    json_object_set_new(circle, "id", json_integer((json_int_t)r->circle_id));
    json_object_set_new(circle, "title",
                        r->title ? json_string(r->title) : json_null());
    json_object_set_new(circle, "target",
                        r->target ? json_integer(r->target) : json_null());
    json_object_set_new(circle, "target_met",
                        r->target ? json_boolean(r->target_met) : json_null());
    return circle;
}

json_t *mg_json_report_value(const struct mg_report *r)
{
    json_t *sessions = json_array(), *groups = json_array();
    size_t i;

    for (i = 0; i < r->n_groups; i++)
        json_array_append_new(groups, group_json(r, i));
    for (i = 0; i < r->n_sessions; i++)
        json_array_append_new(sessions, session_json(r, i));
    json_t *doc = json_pack("{s:o, s:o, s:o, s:{s:i, s:o}, s:o}", "circle",
                            circle_json(r), "groups", groups, "sessions",
                            sessions, "retention", "cohort", r->cohort, "weeks",
                            weeks_json(r), "plenaries", plenaries_json(r));

    json_object_set_new(doc, "survey",
                        r->survey ? mg_json_survey_results_value(r->survey)
                                  : json_null());
    return doc;
}

/* Append `v` (taken) to `b`, compact. */
static void put(struct mg_buf *b, json_t *v)
{
    char *text =
        json_dumps(v, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_ENCODE_ANY);

    json_decref(v);
    if (!text)
        abort(); /* jansson only fails here when out of memory */
    mg_buf_puts(b, text);
    free(text);
}

int mg_json_report_next(struct mg_buf *b, const struct mg_report *r,
                        struct mg_report_cursor *c, size_t max)
{
    size_t end;

    switch (c->part) {
    case 0:
        mg_buf_puts(b, "{\"circle\":");
        put(b, circle_json(r));
        mg_buf_puts(b, ",\"groups\":[");
        c->part = 1;
        c->at = 0;
        return 0;
    case 1:
        end = c->at + max < r->n_groups ? c->at + max : r->n_groups;
        for (; c->at < end; c->at++) {
            if (c->at)
                mg_buf_puts(b, ",");
            put(b, group_json(r, c->at));
        }
        if (c->at < r->n_groups)
            return 0;
        mg_buf_puts(b, "],\"sessions\":[");
        c->part = 2;
        c->at = 0;
        return 0;
    case 2:
        end = c->at + max < r->n_sessions ? c->at + max : r->n_sessions;
        for (; c->at < end; c->at++) {
            if (c->at)
                mg_buf_puts(b, ",");
            put(b, session_json(r, c->at));
        }
        if (c->at < r->n_sessions)
            return 0;
        mg_buf_printf(b,
                      "],\"retention\":{\"cohort\":%d,\"weeks\":", r->cohort);
        put(b, weeks_json(r));
        mg_buf_puts(b, "},\"plenaries\":");
        put(b, plenaries_json(r));
        mg_buf_puts(b, ",\"survey\":");
        put(b,
            r->survey ? mg_json_survey_results_value(r->survey) : json_null());
        mg_buf_puts(b, "}\n");
        c->part = 3;
        return 1;
    default:
        return 1;
    }
}

void mg_json_report_write(struct mg_buf *b, const struct mg_report *r)
{
    struct mg_report_cursor c = {0, 0};

    while (!mg_json_report_next(b, r, &c, 500))
        ;
}

char *mg_json_report(const struct mg_report *r)
{
    json_t *doc = mg_json_report_value(r);
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_ENSURE_ASCII);
    char *copy;

    json_decref(doc);
    if (!text)
        abort(); /* jansson only fails here when out of memory */
    copy = mg_xasprintf("%s\n", text); /* ours to free with free() */
    free(text);
    return copy;
}

/* --- reading the document back (a purged circle's kept report) ------- */

static int int_of(json_t *o, const char *key)
{
    return (int)json_integer_value(json_object_get(o, key));
}

static char *str_of(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));

    return mg_xstrdup(s ? s : "");
}

/* "2027-03-23 06:30" (UTC) back to Unix seconds; 0 for "" or junk. */
static int64_t time_of(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    int y, mo, d, h, mi;

    if (!s || sscanf(s, "%d-%d-%d %d:%d", &y, &mo, &d, &h, &mi) != 5)
        return 0;
    return (int64_t)mg_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60;
}

static void counts_read(struct mg_report_count **out, size_t *n, json_t *a)
{
    size_t i;

    *n = json_array_size(a);
    *out = mg_xcalloc(*n + 1, sizeof(**out));
    for (i = 0; i < *n; i++) {
        (*out)[i].name = str_of(json_array_get(a, i), "name");
        (*out)[i].people = int_of(json_array_get(a, i), "people");
    }
}

static void totals_read(struct mg_report_totals *t, json_t *o)
{
    t->sessions = int_of(o, "sessions");
    t->recorded = int_of(o, "sessions_recorded");
    t->invited = int_of(o, "invited");
    t->accepted = int_of(o, "accepted");
    t->declined = int_of(o, "declined");
    t->tentative = int_of(o, "tentative");
    t->attended = int_of(o, "attended");
    t->average = json_number_value(json_object_get(o, "average_attended"));
    t->attendees = int_of(o, "attendees");
    t->came_back = int_of(o, "came_back");
    counts_read(&t->sectors, &t->n_sectors, json_object_get(o, "sectors"));
    counts_read(&t->regions, &t->n_regions, json_object_get(o, "regions"));
}

static void plenaries_read(struct mg_report *r, json_t *a)
{
    size_t i, w;

    r->n_plenaries = json_array_size(a);
    r->plenaries = mg_xcalloc(r->n_plenaries + 1, sizeof(*r->plenaries));
    for (i = 0; i < r->n_plenaries; i++) {
        json_t *o = json_array_get(a, i), *weeks = json_object_get(o, "weeks");
        struct mg_report_plenary *p = &r->plenaries[i];
        const char *status = json_string_value(json_object_get(o, "status"));

        p->id = (int64_t)json_integer_value(json_object_get(o, "id"));
        p->title = str_of(o, "title");
        p->cancelled = status && strcmp(status, "cancelled") == 0;
        p->capacity = int_of(o, "capacity");
        p->target = int_of(o, "target");
        p->target_met = json_is_true(json_object_get(o, "target_met"));
        p->registered = int_of(o, "registered");
        p->waitlisted = int_of(o, "waitlisted");
        p->recorded = int_of(o, "occurrences_recorded");
        p->came = int_of(o, "came");
        p->average = json_number_value(json_object_get(o, "average_came"));
        p->accepted = int_of(o, "accepted");
        p->declined = int_of(o, "declined");
        p->tentative = int_of(o, "tentative");
        p->n_weeks = json_array_size(weeks);
        p->weeks = mg_xcalloc(p->n_weeks + 1, sizeof(*p->weeks));
        for (w = 0; w < p->n_weeks; w++) {
            json_t *x = json_array_get(weeks, w);
            struct mg_report_occurrence *oc = &p->weeks[w];

            oc->week = int_of(x, "week");
            oc->starts_at = time_of(x, "starts_at");
            oc->registered = int_of(x, "registered");
            oc->waitlisted = int_of(x, "waitlisted");
            oc->accepted = int_of(x, "accepted");
            oc->declined = int_of(x, "declined");
            oc->tentative = int_of(x, "tentative");
            oc->no_answer = int_of(x, "no_answer");
            oc->recorded = json_is_true(json_object_get(x, "recorded"));
            oc->came = int_of(x, "came");
            oc->unmatched = int_of(x, "unmatched");
        }
    }
}

int mg_json_report_read(struct mg_report *out, const char *text)
{
    json_t *doc = json_loads(text ? text : "", 0, NULL);
    json_t *circle = json_object_get(doc, "circle"), *groups, *sessions;
    json_t *weeks;
    size_t i, g;

    memset(out, 0, sizeof(*out));
    if (!json_is_object(circle)) {
        json_decref(doc);
        return MG_EINVAL;
    }
    out->circle_id = (int64_t)json_integer_value(json_object_get(circle, "id"));
    out->title = json_is_string(json_object_get(circle, "title"))
                     ? str_of(circle, "title")
                     : NULL;
    out->target = int_of(circle, "target");
    out->target_met = json_is_true(json_object_get(circle, "target_met"));
    totals_read(&out->t, circle);
    groups = json_object_get(doc, "groups");
    out->n_groups = json_array_size(groups);
    out->groups = mg_xcalloc(out->n_groups + 1, sizeof(*out->groups));
    for (i = 0; i < out->n_groups; i++) {
        json_t *o = json_array_get(groups, i);

        out->groups[i].id =
            (int64_t)json_integer_value(json_object_get(o, "id"));
        out->groups[i].name = str_of(o, "name");
        totals_read(&out->groups[i].t, o);
    }
    sessions = json_object_get(doc, "sessions");
    out->n_sessions = json_array_size(sessions);
    out->sessions = mg_xcalloc(out->n_sessions + 1, sizeof(*out->sessions));
    for (i = g = 0; i < out->n_sessions; i++) {
        json_t *o = json_array_get(sessions, i);
        struct mg_report_session *s = &out->sessions[i];
        const char *status = json_string_value(json_object_get(o, "status"));

        s->id = (int64_t)json_integer_value(json_object_get(o, "id"));
        s->group_id =
            (int64_t)json_integer_value(json_object_get(o, "group_id"));
        /* sessions come by week then group: look from the last one */
        if (g >= out->n_groups || out->groups[g].id != s->group_id)
            for (g = 0; g < out->n_groups; g++)
                if (out->groups[g].id == s->group_id)
                    break;
        s->group = g < out->n_groups ? g : 0;
        s->week = int_of(o, "week");
        s->starts_at = time_of(o, "starts_at");
        s->cancelled = status && strcmp(status, "cancelled") == 0;
        s->invited = int_of(o, "invited");
        s->accepted = int_of(o, "accepted");
        s->declined = int_of(o, "declined");
        s->tentative = int_of(o, "tentative");
        s->attended = int_of(o, "attended");
        s->recorded = json_is_true(json_object_get(o, "recorded"));
    }
    out->cohort = int_of(json_object_get(doc, "retention"), "cohort");
    weeks = json_object_get(json_object_get(doc, "retention"), "weeks");
    out->n_weeks = json_array_size(weeks);
    out->weeks = mg_xcalloc(out->n_weeks + 1, sizeof(*out->weeks));
    for (i = 0; i < out->n_weeks; i++) {
        json_t *o = json_array_get(weeks, i);

        out->weeks[i].week = int_of(o, "week");
        out->weeks[i].sessions = int_of(o, "sessions_recorded");
        out->weeks[i].attended = int_of(o, "attended");
        out->weeks[i].retained = int_of(o, "retained");
    }
    plenaries_read(out, json_object_get(doc, "plenaries"));
    if (json_is_object(json_object_get(doc, "survey"))) {
        out->survey = mg_xcalloc(1, sizeof(*out->survey));
        if (mg_json_survey_results_read(out->survey,
                                        json_object_get(doc, "survey")) < 0) {
            free(out->survey);
            out->survey = NULL;
        }
    }
    json_decref(doc);
    return 0;
}
