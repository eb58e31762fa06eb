/*
 * report.c: the success report (mg_report_load()) as sheets: the
 * sessions with the columns and values of mg_report_csv() first (so the
 * CSV download is the report's CSV), then the circle's key figures, the
 * groups, retention by week, the plenaries' occurrences, and the
 * sectors and regions of those who came. Figures are number cells;
 * their definitions are report.h's, column names its JSON's.
 */
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"
#include "mingle/report.h"

#include "banned.h"

static const char *const session_header[] = {
    "session_id",    "group_id",  "group",      "week",
    "starts_at_utc", "status",    "invited",    "accepted",
    "declined",      "tentative", "attended",   "recorded",
    "target",        "kind",      "plenary_id", "waitlisted",
};

static const char *const totals_header[] = {
    "sessions",  "sessions_recorded", "invited",  "accepted",
    "declined",  "tentative",         "attended", "average_attended",
    "attendees", "came_back",
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void sessions_sheet(struct mg_sheet *s, const struct mg_report *r)
{
    char when[32];
    size_t i, w;

    mg_sheet_row(s, session_header, N(session_header));
    for (i = 0; i < r->n_sessions; i++) {
        const struct mg_report_session *x = &r->sessions[i];

        mg_report_time(when, sizeof(when), x->starts_at);
        mg_sheet_int(s, x->id);
        mg_sheet_int(s, x->group_id);
        mg_sheet_text(s, r->groups[x->group].name);
        mg_sheet_int(s, x->week);
        mg_sheet_text(s, when);
        mg_sheet_text(s, x->cancelled ? "cancelled" : "confirmed");
        mg_sheet_int(s, x->invited);
        mg_sheet_int(s, x->accepted);
        mg_sheet_int(s, x->declined);
        mg_sheet_int(s, x->tentative);
        if (x->recorded)
            mg_sheet_int(s, x->attended);
        else
            mg_sheet_text(s, NULL);
        export_yes_no(s, x->recorded);
        if (r->target)
            mg_sheet_int(s, r->target);
        else
            mg_sheet_text(s, NULL);
        mg_sheet_text(s, "group");
        mg_sheet_text(s, NULL);
        mg_sheet_text(s, NULL);
        mg_sheet_end_row(s);
    }
    for (i = 0; i < r->n_plenaries; i++) {
        const struct mg_report_plenary *p = &r->plenaries[i];

        for (w = 0; w < p->n_weeks; w++) {
            const struct mg_report_occurrence *o = &p->weeks[w];

            mg_report_time(when, sizeof(when), o->starts_at);
            mg_sheet_text(s, NULL);
            mg_sheet_text(s, NULL);
            mg_sheet_text(s, p->title);
            mg_sheet_int(s, o->week);
            mg_sheet_text(s, when);
            mg_sheet_text(s, p->cancelled ? "cancelled" : "confirmed");
            mg_sheet_int(s, o->registered);
            mg_sheet_int(s, o->accepted);
            mg_sheet_int(s, o->declined);
            mg_sheet_int(s, o->tentative);
            if (o->recorded)
                mg_sheet_int(s, o->came);
            else
                mg_sheet_text(s, NULL);
            export_yes_no(s, o->recorded);
            if (p->target)
                mg_sheet_int(s, p->target);
            else
                mg_sheet_text(s, NULL);
            mg_sheet_text(s, "plenary");
            mg_sheet_int(s, p->id);
            mg_sheet_int(s, o->waitlisted);
            mg_sheet_end_row(s);
        }
    }
}

static void totals_cells(struct mg_sheet *s, const struct mg_report_totals *t)
{
    mg_sheet_int(s, t->sessions);
    mg_sheet_int(s, t->recorded);
    mg_sheet_int(s, t->invited);
    mg_sheet_int(s, t->accepted);
    mg_sheet_int(s, t->declined);
    mg_sheet_int(s, t->tentative);
    mg_sheet_int(s, t->attended);
    mg_sheet_number(s, t->average);
    mg_sheet_int(s, t->attendees);
    mg_sheet_int(s, t->came_back);
}

/* The circle's figures, one per row: name (as the JSON's) and value. */
static void circle_sheet(struct mg_sheet *s, const struct mg_report *r)
{
    const struct mg_report_totals *t = &r->t;
    const int values[] = {t->sessions,  t->recorded,  t->invited,  t->accepted,
                          t->declined,  t->tentative, t->attended, 0,
                          t->attendees, t->came_back};
    size_t i;

    mg_sheet_text(s, "figure");
    mg_sheet_text(s, "value");
    mg_sheet_end_row(s);
    mg_sheet_text(s, "title");
    mg_sheet_text(s, r->title);
    mg_sheet_end_row(s);
    for (i = 0; i < N(totals_header); i++) {
        mg_sheet_text(s, totals_header[i]);
        if (i == 7)
            mg_sheet_number(s, t->average);
        else
            mg_sheet_int(s, values[i]);
        mg_sheet_end_row(s);
    }
    mg_sheet_text(s, "target");
    if (r->target)
        mg_sheet_int(s, r->target);
    else
        mg_sheet_text(s, NULL);
    mg_sheet_end_row(s);
    mg_sheet_text(s, "target_met");
    mg_sheet_text(s, r->target ? (r->target_met ? "yes" : "no") : NULL);
    mg_sheet_end_row(s);
    mg_sheet_text(s, "cohort");
    mg_sheet_int(s, r->cohort);
    mg_sheet_end_row(s);
}

static void groups_sheet(struct mg_sheet *s, const struct mg_report *r)
{
    size_t i;

    mg_sheet_text(s, "group_id");
    mg_sheet_text(s, "group");
    for (i = 0; i < N(totals_header); i++)
        mg_sheet_text(s, totals_header[i]);
    mg_sheet_end_row(s);
    for (i = 0; i < r->n_groups; i++) {
        mg_sheet_int(s, r->groups[i].id);
        mg_sheet_text(s, r->groups[i].name);
        totals_cells(s, &r->groups[i].t);
        mg_sheet_end_row(s);
    }
}

static void retention_sheet(struct mg_sheet *s, const struct mg_report *r)
{
    static const char *const header[] = {
        "week", "sessions_recorded", "attended", "retained", "retained_share"};
    size_t i;

    mg_sheet_row(s, header, N(header));
    for (i = 0; i < r->n_weeks; i++) {
        const struct mg_report_week *w = &r->weeks[i];

        mg_sheet_int(s, w->week);
        mg_sheet_int(s, w->sessions);
        mg_sheet_int(s, w->attended);
        mg_sheet_int(s, w->retained);
        if (r->cohort)
            mg_sheet_number(s, (double)w->retained / r->cohort);
        else
            mg_sheet_text(s, NULL);
        mg_sheet_end_row(s);
    }
}

static void plenaries_sheet(struct mg_sheet *s, const struct mg_report *r)
{
    static const char *const header[] = {
        "plenary_id", "title",      "status",    "week",     "starts_at_utc",
        "registered", "waitlisted", "accepted",  "declined", "tentative",
        "no_answer",  "came",       "unmatched", "recorded", "target",
    };
    char when[32];
    size_t i, w;

    mg_sheet_row(s, header, N(header));
    for (i = 0; i < r->n_plenaries; i++) {
        const struct mg_report_plenary *p = &r->plenaries[i];

        for (w = 0; w < p->n_weeks; w++) {
            const struct mg_report_occurrence *o = &p->weeks[w];

            mg_report_time(when, sizeof(when), o->starts_at);
            mg_sheet_int(s, p->id);
            mg_sheet_text(s, p->title);
            mg_sheet_text(s, p->cancelled ? "cancelled" : "confirmed");
            mg_sheet_int(s, o->week);
            mg_sheet_text(s, when);
            mg_sheet_int(s, o->registered);
            mg_sheet_int(s, o->waitlisted);
            mg_sheet_int(s, o->accepted);
            mg_sheet_int(s, o->declined);
            mg_sheet_int(s, o->tentative);
            mg_sheet_int(s, o->no_answer);
            if (o->recorded) {
                mg_sheet_int(s, o->came);
                mg_sheet_int(s, o->unmatched);
            } else {
                mg_sheet_text(s, NULL);
                mg_sheet_text(s, NULL);
            }
            export_yes_no(s, o->recorded);
            if (p->target)
                mg_sheet_int(s, p->target);
            else
                mg_sheet_text(s, NULL);
            mg_sheet_end_row(s);
        }
    }
}

static void counts_sheet(struct mg_sheet *s, const struct mg_report *r)
{
    static const char *const header[] = {"kind", "name", "people"};
    size_t i;

    mg_sheet_row(s, header, N(header));
    for (i = 0; i < r->t.n_sectors; i++) {
        mg_sheet_text(s, "sector");
        mg_sheet_text(s, r->t.sectors[i].name);
        mg_sheet_int(s, r->t.sectors[i].people);
        mg_sheet_end_row(s);
    }
    for (i = 0; i < r->t.n_regions; i++) {
        mg_sheet_text(s, "region");
        mg_sheet_text(s, r->t.regions[i].name);
        mg_sheet_int(s, r->t.regions[i].people);
        mg_sheet_end_row(s);
    }
}

int export_report(struct mg_sheet ***out, size_t *n, struct mg_store *st,
                  int64_t circle_id)
{
    struct mg_report r;
    struct mg_sheet *s;
    int rc = mg_report_load(&r, st, circle_id);

    if (rc < 0)
        return rc;
    s = mg_sheet_new("Sessions");
    export_add(out, n, s);
    sessions_sheet(s, &r);
    s = mg_sheet_new("Circle");
    export_add(out, n, s);
    circle_sheet(s, &r);
    s = mg_sheet_new("Groups");
    export_add(out, n, s);
    groups_sheet(s, &r);
    s = mg_sheet_new("Retention");
    export_add(out, n, s);
    retention_sheet(s, &r);
    s = mg_sheet_new("Plenaries");
    export_add(out, n, s);
    plenaries_sheet(s, &r);
    s = mg_sheet_new("Sectors and regions");
    export_add(out, n, s);
    counts_sheet(s, &r);
    mg_report_release(&r);
    return 0;
}
