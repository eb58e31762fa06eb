/*
 * attendance.c: the attendance matrix, people by calls. A row per
 * person; a column per week of the group calls (each person is in one
 * group at a time, so week w is their group's week-w call, whichever
 * group that was) and one per plenary occurrence. A cell is 1 (marked
 * present), 0 (in a recorded call, not present) or empty (no record),
 * so a spreadsheet's SUM counts calls; then the calls attended and the
 * hours, from mg_participation. A second sheet has the minutes each
 * call counts for (mg_participation_minutes()) in the same layout.
 * Cancelled group calls are left out, as the totals leave them out.
 * A handful of queries whatever the circle's size; the marks are by
 * person, as the people are, and merged in one pass.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "mingle/circle.h"
#include "mingle/participation.h"
#include "mingle/report.h"
#include "mingle/schedule.h"
#include "mingle/store.h"

#include "banned.h"

/* The first columns of both sheets. */
static const char *const lead[] = {"ID",    "Name", "Email",
                                   "Group", "Role", "Status"};
#define N_LEAD (sizeof(lead) / sizeof(lead[0]))

struct session_key {
    int64_t id;
    int week;
    int minutes;
};

static int by_id(const void *x, const void *y)
{
    const struct session_key *a = x, *b = y;

    return a->id < b->id ? -1 : a->id > b->id;
}

struct matrix {
    struct mg_circle *c;
    struct session_key *sessions; /* confirmed group calls, by id */
    size_t n_sessions;
    struct mg_plenary_row *plenaries;
    size_t n_plenaries;
    size_t *first_col; /* each plenary's first column */
    int weeks;         /* group-call columns */
    size_t n_cols;
    signed char *state; /* a row's cells: -1 none, 0 absent, 1 present */
    int *minutes;
};

/* The column and the call's length of mark `m`, or -1. */
static long mark_column(const struct matrix *x, const struct mg_sheet_mark *m,
                        int *scheduled)
{
    size_t j;

    if (!m->plenary) {
        struct session_key key = {m->session_id, 0, 0}, *hit;

        hit = x->n_sessions ? bsearch(&key, x->sessions, x->n_sessions,
                                      sizeof(key), by_id)
                            : NULL;
        if (!hit || hit->week < 1 || hit->week > x->weeks)
            return -1;
        *scheduled = hit->minutes;
        return hit->week - 1;
    }
    for (j = 0; j < x->n_plenaries; j++) {
        const struct mg_plenary_row *p = &x->plenaries[j];

        if (p->id != m->plenary_id)
            continue;
        if (m->week < 1 || m->week > p->weeks)
            return -1;
        *scheduled = p->minutes;
        return (long)(x->first_col[j] + (size_t)m->week - 1);
    }
    return -1;
}

static void header_rows(struct mg_sheet *a, struct mg_sheet *b,
                        const struct matrix *x)
{
    char text[512], day[32];
    size_t i, j;
    int w, k;

    for (i = 0; i < N_LEAD; i++) {
        mg_sheet_text(a, lead[i]);
        mg_sheet_text(b, lead[i]);
    }
    for (w = 1; w <= x->weeks; w++) {
        snprintf(text, sizeof(text), "Week %d", w);
        mg_sheet_text(a, text);
        mg_sheet_text(b, text);
    }
    for (j = 0; j < x->n_plenaries; j++) {
        const struct mg_plenary_row *p = &x->plenaries[j];

        for (k = 1; k <= p->weeks; k++) {
            int64_t at = p->starts_at;

            if (k > 1 && mg_report_occurrence_start(&at, x->c->time_zone,
                                                    p->starts_at, k) < 0)
                at = p->starts_at + (int64_t)(k - 1) * 7 * 86400;
            mg_schedule_local_text(day, sizeof(day), x->c->time_zone, at, ' ');
            day[10] = '\0';
            snprintf(text, sizeof(text), "%s %s", p->title ? p->title : "",
                     day);
            mg_sheet_text(a, text);
            mg_sheet_text(b, text);
        }
    }
    mg_sheet_text(a, "Calls attended");
    mg_sheet_text(a, "Group calls");
    mg_sheet_text(a, "Plenary calls");
    mg_sheet_text(a, "Hours");
    mg_sheet_text(b, "Total minutes");
    mg_sheet_end_row(a);
    mg_sheet_end_row(b);
}

static void lead_cells(struct mg_sheet *s, const struct mg_sheet_person *p)
{
    mg_sheet_int(s, p->id);
    mg_sheet_text(s, p->name);
    mg_sheet_text(s, p->email);
    mg_sheet_text(s, p->group_name);
    mg_sheet_text(s, p->role);
    mg_sheet_text(s, p->status);
}

static int load(struct matrix *x, struct mg_store *st, int64_t circle_id)
{
    struct mg_session_row *rows = NULL;
    size_t n_rows = 0, i;
    int rc = mg_store_circle_get(&x->c, st, circle_id);

    if (rc == 0)
        rc = mg_store_circle_group_sessions(&rows, &n_rows, st, circle_id);
    if (rc == 0)
        rc = mg_store_plenaries_list(&x->plenaries, &x->n_plenaries, st,
                                     circle_id);
    if (rc < 0) {
        free(rows);
        return rc;
    }
    x->weeks = x->c->weeks;
    x->sessions = mg_xcalloc(n_rows + 1, sizeof(*x->sessions));
    for (i = 0; i < n_rows; i++) {
        if (rows[i].status == MG_STORE_SESSION_CANCELLED || rows[i].week < 1)
            continue;
        x->sessions[x->n_sessions].id = rows[i].id;
        x->sessions[x->n_sessions].week = rows[i].week;
        x->sessions[x->n_sessions].minutes = rows[i].minutes;
        x->n_sessions++;
        if (rows[i].week > x->weeks)
            x->weeks = rows[i].week;
    }
    free(rows);
    if (x->n_sessions)
        qsort(x->sessions, x->n_sessions, sizeof(*x->sessions), by_id);
    x->first_col = mg_xcalloc(x->n_plenaries + 1, sizeof(*x->first_col));
    x->n_cols = (size_t)x->weeks;
    for (i = 0; i < x->n_plenaries; i++) {
        x->first_col[i] = x->n_cols;
        x->n_cols +=
            (size_t)(x->plenaries[i].weeks > 0 ? x->plenaries[i].weeks : 0);
    }
    x->state = mg_xcalloc(x->n_cols + 1, 1);
    x->minutes = mg_xcalloc(x->n_cols + 1, sizeof(int));
    return 0;
}

int export_attendance(struct mg_sheet ***out, size_t *n, struct mg_store *st,
                      int64_t circle_id)
{
    struct matrix x;
    struct mg_sheet_person *people = NULL;
    struct mg_sheet_mark *marks = NULL;
    struct mg_participation *part = NULL;
    size_t n_people = 0, n_marks = 0, n_part = 0, i, km = 0, kp = 0, col;
    struct mg_sheet *a, *b;
    int rc;

    memset(&x, 0, sizeof(x));
    rc = load(&x, st, circle_id);
    if (rc == 0)
        rc = mg_store_sheet_people(&people, &n_people, st, circle_id);
    if (rc == 0)
        rc = mg_store_sheet_marks(&marks, &n_marks, st, circle_id);
    if (rc == 0)
        rc = mg_participation_load(&part, &n_part, st, circle_id, 0);
    if (rc < 0)
        goto out;
    a = mg_sheet_new("Attendance");
    export_add(out, n, a);
    b = mg_sheet_new("Minutes");
    export_add(out, n, b);
    header_rows(a, b, &x);
    for (i = 0; i < n_people; i++) {
        const struct mg_sheet_person *p = &people[i];
        const struct mg_participation *t = NULL;
        int total = 0;

        memset(x.state, -1, x.n_cols + 1);
        memset(x.minutes, 0, (x.n_cols + 1) * sizeof(int));
        /* the marks and the totals are by person id, as the people are */
        while (km < n_marks && marks[km].person_id < p->id)
            km++;
        for (; km < n_marks && marks[km].person_id == p->id; km++) {
            const struct mg_sheet_mark *m = &marks[km];
            int scheduled = 0;
            long at = mark_column(&x, m, &scheduled);

            if (at < 0)
                continue;
            if (m->present) {
                int min = mg_participation_minutes(m->minutes, scheduled);

                if (x.state[at] != 1 || min > x.minutes[at])
                    x.minutes[at] = min;
                x.state[at] = 1;
            } else if (x.state[at] < 0) {
                x.state[at] = 0;
            }
        }
        while (kp < n_part && part[kp].person_id < p->id)
            kp++;
        if (kp < n_part && part[kp].person_id == p->id)
            t = &part[kp];
        lead_cells(a, p);
        lead_cells(b, p);
        for (col = 0; col < x.n_cols; col++) {
            if (x.state[col] < 0) {
                mg_sheet_text(a, NULL);
                mg_sheet_text(b, NULL);
                continue;
            }
            mg_sheet_int(a, x.state[col]);
            mg_sheet_int(b, x.state[col] ? x.minutes[col] : 0);
            total += x.state[col] ? x.minutes[col] : 0;
        }
        mg_sheet_int(a, t ? t->group_calls + t->plenary_calls : 0);
        mg_sheet_int(a, t ? t->group_calls : 0);
        mg_sheet_int(a, t ? t->plenary_calls : 0);
        /* hours as certificates and CPD rows give them */
        mg_sheet_number(a,
                        t ? (double)mg_tenths_of_hour(t->minutes) / 10.0 : 0);
        mg_sheet_int(b, t ? t->minutes : total);
        mg_sheet_end_row(a);
        mg_sheet_end_row(b);
    }
out:
    mg_participation_free(part, n_part);
    free(marks);
    mg_store_sheet_people_free(people, n_people);
    free(x.state);
    free(x.minutes);
    free(x.first_col);
    free(x.sessions);
    mg_store_plenaries_free(x.plenaries, x.n_plenaries);
    mg_circle_free(x.c);
    return rc;
}
