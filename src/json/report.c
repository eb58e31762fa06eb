/*
 * report.c: a circle's success report as JSON, the document GET
 * .../report answers with and `mingle report` prints. The figures and
 * their definitions are the report module's.
 */
#include "mingle/json.h"

#include <stdlib.h>

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
    char *text = json_dumps(v, JSON_COMPACT | JSON_ENSURE_ASCII);

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
