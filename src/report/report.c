/*
 * report.c: the success report's figures from plain facts (see report.h
 * for the definitions) and its CSV and Markdown forms. Ids are found by
 * binary search over sorted copies, so a 50,000-person circle costs a few
 * sorts, not a table per group and person.
 */
#include "mingle/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mingle/sheet.h"

#include "banned.h"

struct id_index {
    int64_t id;
    size_t at;
};

static int cmp_id_index(const void *a, const void *b)
{
    const struct id_index *x = a, *y = b;

    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    return x->at < y->at ? -1 : x->at > y->at;
}

/* Index of `id` in a sorted id_index array, or -1. */
static long find(const struct id_index *ix, size_t n, int64_t id)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ix[mid].id < id)
            lo = mid + 1;
        else if (ix[mid].id > id)
            hi = mid;
        else
            return (long)ix[mid].at;
    }
    return -1;
}

/* A (key, person) pair: key is a group index or a week. */
struct pair {
    size_t key;
    size_t person;
};

static int cmp_pair(const void *a, const void *b)
{
    const struct pair *x = a, *y = b;

    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->person < y->person ? -1 : x->person > y->person;
}

static void count_add(struct mg_report_count **list, size_t *n,
                      const char *name)
{
    size_t i;

    if (!name || !*name)
        return;
    for (i = 0; i < *n; i++) {
        if (strcmp((*list)[i].name, name) == 0) {
            (*list)[i].people++;
            return;
        }
    }
    *list = mg_xrealloc(*list, (*n + 1) * sizeof(**list));
    (*list)[*n].name = mg_xstrdup(name);
    (*list)[*n].people = 1;
    (*n)++;
}

static int cmp_count(const void *a, const void *b)
{
    const struct mg_report_count *x = a, *y = b;

    if (x->people != y->people)
        return x->people > y->people ? -1 : 1;
    return strcmp(x->name, y->name);
}

/*
 * Attendees, came_back, sectors and regions of one run of `pairs`
 * (sorted by person within the run; one pair per present row).
 */
static void tally_people(struct mg_report_totals *t, const struct pair *pairs,
                         size_t n, const struct mg_report_input *in)
{
    size_t i = 0;

    while (i < n) {
        size_t j = i, p = pairs[i].person;
        while (j < n && pairs[j].person == p)
            j++;
        t->attendees++;
        if (j - i >= 2)
            t->came_back++;
        count_add(&t->sectors, &t->n_sectors, in->people[p].sector);
        count_add(&t->regions, &t->n_regions, in->people[p].region);
        i = j;
    }
    if (t->n_sectors)
        qsort(t->sectors, t->n_sectors, sizeof(*t->sectors), cmp_count);
    if (t->n_regions)
        qsort(t->regions, t->n_regions, sizeof(*t->regions), cmp_count);
}

static int cmp_session(const void *a, const void *b)
{
    const struct mg_report_session *x = a, *y = b;

    if (x->week != y->week)
        return x->week < y->week ? -1 : 1;
    if (x->group != y->group)
        return x->group < y->group ? -1 : 1;
    if (x->starts_at != y->starts_at)
        return x->starts_at < y->starts_at ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

static struct id_index *make_index(size_t n)
{
    return mg_xcalloc(n ? n : 1, sizeof(struct id_index));
}

/* Invited: distinct people per group and in all. */
static void count_invites(struct mg_report *r, const struct mg_report_input *in,
                          const struct id_index *gix)
{
    struct pair *pairs = mg_xcalloc(in->n_invites + 1, sizeof(*pairs));
    int64_t *ids = mg_xcalloc(in->n_invites + 1, sizeof(*ids));
    size_t n = 0, n_ids = 0, i;
    long g;

    for (i = 0; i < in->n_invites; i++) {
        g = find(gix, in->n_groups, in->invites[i].group_id);
        if (g < 0)
            continue;
        pairs[n].key = (size_t)g;
        /* people unknown to the input still count as invited */
        pairs[n].person = (size_t)in->invites[i].participant_id;
        n++;
    }
    qsort(pairs, n, sizeof(*pairs), cmp_pair);
    for (i = 0; i < n; i++) {
        if (i > 0 && pairs[i].key == pairs[i - 1].key &&
            pairs[i].person == pairs[i - 1].person)
            continue;
        r->groups[pairs[i].key].t.invited++;
        ids[n_ids++] = (int64_t)pairs[i].person;
    }
    /* distinct across groups */
    {
        struct id_index *all = make_index(n_ids);
        for (i = 0; i < n_ids; i++) {
            all[i].id = ids[i];
            all[i].at = i;
        }
        qsort(all, n_ids, sizeof(*all), cmp_id_index);
        for (i = 0; i < n_ids; i++)
            if (i == 0 || all[i].id != all[i - 1].id)
                r->t.invited++;
        free(all);
    }
    free(pairs);
    free(ids);
}

static void totals_release(struct mg_report_totals *t)
{
    size_t i;

    for (i = 0; i < t->n_sectors; i++)
        free(t->sectors[i].name);
    for (i = 0; i < t->n_regions; i++)
        free(t->regions[i].name);
    free(t->sectors);
    free(t->regions);
}

void mg_report_build(struct mg_report *out, const struct mg_report_input *in)
{
    struct mg_report *r = out;
    struct id_index *gix = make_index(in->n_groups);
    struct id_index *six = make_index(in->n_sessions);
    struct id_index *pix = make_index(in->n_people);
    struct pair *by_group = NULL, *by_week = NULL;
    size_t n_present = 0, i, s;
    long *slot; /* input session index -> report session index, or -1 */
    int max_week;
    char *in_cohort;

    memset(r, 0, sizeof(*r));
    r->circle_id = in->circle_id;
    r->title = in->title ? mg_xstrdup(in->title) : NULL;
    r->target = in->target > 0 ? in->target : 0;
    r->groups = mg_xcalloc(in->n_groups + 1, sizeof(*r->groups));
    r->n_groups = in->n_groups;
    for (i = 0; i < in->n_groups; i++) {
        r->groups[i].id = in->groups[i].id;
        r->groups[i].name =
            mg_xstrdup(in->groups[i].name ? in->groups[i].name : "");
        gix[i].id = in->groups[i].id;
        gix[i].at = i;
    }
    qsort(gix, in->n_groups, sizeof(*gix), cmp_id_index);
    for (i = 0; i < in->n_people; i++) {
        pix[i].id = in->people[i].id;
        pix[i].at = i;
    }
    qsort(pix, in->n_people, sizeof(*pix), cmp_id_index);

    /* sessions of known groups */
    slot = mg_xcalloc(in->n_sessions + 1, sizeof(*slot));
    r->sessions = mg_xcalloc(in->n_sessions + 1, sizeof(*r->sessions));
    max_week = in->weeks > 0 ? in->weeks : 0;
    for (i = 0; i < in->n_sessions; i++) {
        const struct mg_report_session_in *si = &in->sessions[i];
        long g = find(gix, in->n_groups, si->group_id);
        struct mg_report_session *rs;

        slot[i] = -1;
        if (g < 0 || si->week < 1)
            continue;
        rs = &r->sessions[r->n_sessions];
        rs->id = si->id;
        rs->group_id = si->group_id;
        rs->group = (size_t)g;
        rs->week = si->week;
        rs->starts_at = si->starts_at;
        rs->cancelled = si->cancelled;
        r->n_sessions++;
        if (si->week > max_week)
            max_week = si->week;
    }
    qsort(r->sessions, r->n_sessions, sizeof(*r->sessions), cmp_session);
    for (s = 0; s < r->n_sessions; s++) {
        six[s].id = r->sessions[s].id;
        six[s].at = s;
    }
    qsort(six, r->n_sessions, sizeof(*six), cmp_id_index);
    free(slot);

    count_invites(r, in, gix);
    for (s = 0; s < r->n_sessions; s++)
        r->sessions[s].invited = r->groups[r->sessions[s].group].t.invited;

    for (i = 0; i < in->n_answers; i++) {
        long k = find(six, r->n_sessions, in->answers[i].session_id);
        if (k < 0)
            continue;
        switch (in->answers[i].answer) {
        case MG_ANSWER_ACCEPTED:
            r->sessions[k].accepted++;
            break;
        case MG_ANSWER_DECLINED:
            r->sessions[k].declined++;
            break;
        case MG_ANSWER_TENTATIVE:
            r->sessions[k].tentative++;
            break;
        default:
            break;
        }
    }

    by_group = mg_xcalloc(in->n_attendance + 1, sizeof(*by_group));
    by_week = mg_xcalloc(in->n_attendance + 1, sizeof(*by_week));
    for (i = 0; i < in->n_attendance; i++) {
        const struct mg_report_mark *m = &in->attendance[i];
        long k = find(six, r->n_sessions, m->session_id);
        long p;

        if (k < 0)
            continue;
        r->sessions[k].recorded = 1;
        if (!m->present)
            continue;
        r->sessions[k].attended++;
        p = find(pix, in->n_people, m->participant_id);
        if (p < 0)
            continue; /* counted, but has no sector or region to show */
        by_group[n_present].key = r->sessions[k].group;
        by_group[n_present].person = (size_t)p;
        by_week[n_present].key = (size_t)r->sessions[k].week;
        by_week[n_present].person = (size_t)p;
        n_present++;
    }

    /* group and circle sums */
    for (s = 0; s < r->n_sessions; s++) {
        const struct mg_report_session *rs = &r->sessions[s];
        struct mg_report_totals *ts[2];
        int k;

        ts[0] = &r->groups[rs->group].t;
        ts[1] = &r->t;
        for (k = 0; k < 2; k++) {
            if (!rs->cancelled)
                ts[k]->sessions++;
            ts[k]->recorded += rs->recorded;
            ts[k]->accepted += rs->accepted;
            ts[k]->declined += rs->declined;
            ts[k]->tentative += rs->tentative;
            ts[k]->attended += rs->attended;
        }
    }
    for (i = 0; i < r->n_groups; i++) {
        struct mg_report_totals *t = &r->groups[i].t;
        if (t->recorded)
            t->average = (double)t->attended / t->recorded;
    }
    if (r->t.recorded)
        r->t.average = (double)r->t.attended / r->t.recorded;
    r->target_met =
        r->target > 0 && r->t.recorded && r->t.average >= (double)r->target;

    /* attendees per group: pairs sorted by group, then person */
    qsort(by_group, n_present, sizeof(*by_group), cmp_pair);
    i = 0;
    while (i < n_present) {
        size_t j = i;
        while (j < n_present && by_group[j].key == by_group[i].key)
            j++;
        tally_people(&r->groups[by_group[i].key].t, by_group + i, j - i, in);
        i = j;
    }
    /* the circle: the same pairs by person alone */
    for (i = 0; i < n_present; i++)
        by_group[i].key = 0;
    qsort(by_group, n_present, sizeof(*by_group), cmp_pair);
    tally_people(&r->t, by_group, n_present, in);

    /* weeks and retention */
    r->n_weeks = (size_t)max_week;
    r->weeks = mg_xcalloc(r->n_weeks + 1, sizeof(*r->weeks));
    for (i = 0; i < r->n_weeks; i++)
        r->weeks[i].week = (int)i + 1;
    for (s = 0; s < r->n_sessions; s++) {
        const struct mg_report_session *rs = &r->sessions[s];
        if (!rs->recorded)
            continue;
        r->weeks[rs->week - 1].sessions++;
        r->weeks[rs->week - 1].attended += rs->attended;
    }
    qsort(by_week, n_present, sizeof(*by_week), cmp_pair);
    in_cohort = mg_xcalloc(in->n_people + 1, 1);
    for (i = 0; i < n_present; i++) {
        /* someone in two week-1 sessions counts once */
        if (i > 0 && by_week[i].key == by_week[i - 1].key &&
            by_week[i].person == by_week[i - 1].person)
            continue;
        if (by_week[i].key == 1) {
            in_cohort[by_week[i].person] = 1;
            r->cohort++;
        }
        if (in_cohort[by_week[i].person])
            r->weeks[by_week[i].key - 1].retained++;
    }
    free(in_cohort);
    free(by_group);
    free(by_week);
    free(gix);
    free(six);
    free(pix);
    mg_report_build_plenaries(r, in);
}

void mg_report_build_plenaries(struct mg_report *r,
                               const struct mg_report_input *in)
{
    size_t i, k;

    r->plenaries = mg_xcalloc(in->n_plenaries + 1, sizeof(*r->plenaries));
    r->n_plenaries = in->n_plenaries;
    for (i = 0; i < in->n_plenaries; i++) {
        const struct mg_report_plenary_in *pi = &in->plenaries[i];
        struct mg_report_plenary *rp = &r->plenaries[i];
        int w;

        rp->id = pi->id;
        rp->title = mg_xstrdup(pi->title ? pi->title : "");
        rp->capacity = pi->capacity;
        rp->target = pi->target > 0 ? pi->target : 0;
        rp->cancelled = pi->cancelled;
        rp->registered = pi->registered;
        rp->waitlisted = pi->waitlisted;
        rp->n_weeks = (size_t)(pi->weeks > 0 ? pi->weeks : 0);
        rp->weeks = mg_xcalloc(rp->n_weeks + 1, sizeof(*rp->weeks));
        for (w = 0; w < (int)rp->n_weeks; w++) {
            rp->weeks[w].week = w + 1;
            rp->weeks[w].starts_at = pi->starts ? pi->starts[w] : 0;
            rp->weeks[w].registered = pi->registered;
            rp->weeks[w].waitlisted = pi->waitlisted;
        }
    }
    /* plenaries are few: a scan per recorded occurrence is cheap */
    for (k = 0; k < in->n_plenary_weeks; k++) {
        const struct mg_report_plenary_mark *m = &in->plenary_weeks[k];
        for (i = 0; i < r->n_plenaries; i++) {
            struct mg_report_plenary *rp = &r->plenaries[i];
            struct mg_report_occurrence *o;
            if (rp->id != m->plenary_id)
                continue;
            if (m->week < 1 || (size_t)m->week > rp->n_weeks)
                break;
            o = &rp->weeks[m->week - 1];
            if (!o->recorded) {
                rp->recorded++;
                o->recorded = 1;
            } else {
                rp->came -= o->came;
            }
            o->came = m->came;
            o->unmatched = m->unmatched;
            rp->came += m->came;
            break;
        }
    }
    /* the answers, a row per plenary and call, replaced if repeated */
    for (k = 0; k < in->n_plenary_answers; k++) {
        const struct mg_report_plenary_answers *a = &in->plenary_answers[k];
        for (i = 0; i < r->n_plenaries; i++) {
            struct mg_report_plenary *rp = &r->plenaries[i];
            struct mg_report_occurrence *o;
            if (rp->id != a->plenary_id)
                continue;
            if (a->week < 1 || (size_t)a->week > rp->n_weeks)
                break;
            o = &rp->weeks[a->week - 1];
            o->accepted = a->accepted > 0 ? a->accepted : 0;
            o->declined = a->declined > 0 ? a->declined : 0;
            o->tentative = a->tentative > 0 ? a->tentative : 0;
            break;
        }
    }
    for (i = 0; i < r->n_plenaries; i++) {
        struct mg_report_plenary *rp = &r->plenaries[i];
        size_t w;

        for (w = 0; w < rp->n_weeks; w++) {
            struct mg_report_occurrence *o = &rp->weeks[w];
            int answered = o->accepted + o->declined + o->tentative;

            o->no_answer =
                o->registered > answered ? o->registered - answered : 0;
            rp->accepted += o->accepted;
            rp->declined += o->declined;
            rp->tentative += o->tentative;
        }
        if (rp->recorded)
            rp->average = (double)rp->came / rp->recorded;
        rp->target_met =
            rp->target > 0 && rp->recorded && rp->average >= (double)rp->target;
    }
}

void mg_report_release(struct mg_report *r)
{
    size_t i;

    if (!r)
        return;
    free(r->title);
    totals_release(&r->t);
    for (i = 0; i < r->n_groups; i++) {
        free(r->groups[i].name);
        totals_release(&r->groups[i].t);
    }
    free(r->groups);
    free(r->sessions);
    free(r->weeks);
    for (i = 0; i < r->n_plenaries; i++) {
        free(r->plenaries[i].title);
        free(r->plenaries[i].weeks);
    }
    free(r->plenaries);
    if (r->survey) {
        mg_survey_results_release(r->survey);
        free(r->survey);
    }
    memset(r, 0, sizeof(*r));
}

void mg_report_time(char *out, size_t n, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (!t) {
        snprintf(out, n, "%s", "");
        return;
    }
    gmtime_r(&tt, &tm);
    strftime(out, n, "%Y-%m-%d %H:%M", &tm);
}

/* --- CSV ------------------------------------------------------------ */

void mg_report_csv_field(struct mg_buf *b, const char *s)
{
    const char *p;

    if (!s)
        s = "";
    /* a spreadsheet would run it as a formula: sheet's one rule */
    if (mg_sheet_needs_quote(s)) {
        mg_buf_puts(b, "\"'");
    } else if (strpbrk(s, ",\"\r\n")) {
        mg_buf_puts(b, "\"");
    } else {
        mg_buf_puts(b, s);
        return;
    }
    for (p = s; *p; p++) {
        if (*p == '"')
            mg_buf_add(b, "\"\"", 2);
        else
            mg_buf_add(b, p, 1);
    }
    mg_buf_puts(b, "\"");
}

int mg_report_csv_next(struct mg_buf *b, const struct mg_report *r,
                       struct mg_report_cursor *c, size_t max)
{
    size_t end;
    char when[32];

    if (c->part == 0) {
        mg_buf_puts(b, "session_id,group_id,group,week,starts_at_utc,status,"
                       "invited,accepted,declined,tentative,attended,recorded,"
                       "target,kind,plenary_id,waitlisted\r\n");
        c->part = 1;
        c->at = 0;
    }
    end = c->at + max < r->n_sessions ? c->at + max : r->n_sessions;
    for (; c->at < end; c->at++) {
        const struct mg_report_session *s = &r->sessions[c->at];

        mg_report_time(when, sizeof(when), s->starts_at);
        mg_buf_printf(b, "%lld,%lld,", (long long)s->id,
                      (long long)s->group_id);
        mg_report_csv_field(b, r->groups[s->group].name);
        mg_buf_printf(b, ",%d,%s,%s,", s->week, when,
                      s->cancelled ? "cancelled" : "confirmed");
        mg_buf_printf(b, "%d,%d,%d,%d,", s->invited, s->accepted, s->declined,
                      s->tentative);
        if (s->recorded)
            mg_buf_printf(b, "%d,yes,", s->attended);
        else
            mg_buf_puts(b, ",no,");
        if (r->target)
            mg_buf_printf(b, "%d", r->target);
        mg_buf_puts(b, ",group,,\r\n");
    }
    if (c->at < r->n_sessions)
        return 0;
    /* then the plenaries' occurrences, all at once (they are few) */
    for (end = 0; end < r->n_plenaries; end++) {
        const struct mg_report_plenary *p = &r->plenaries[end];
        size_t w;

        for (w = 0; w < p->n_weeks; w++) {
            const struct mg_report_occurrence *o = &p->weeks[w];

            mg_report_time(when, sizeof(when), o->starts_at);
            mg_buf_puts(b, ",,");
            mg_report_csv_field(b, p->title);
            mg_buf_printf(b, ",%d,%s,%s,%d,%d,%d,%d,", o->week, when,
                          p->cancelled ? "cancelled" : "confirmed",
                          o->registered, o->accepted, o->declined,
                          o->tentative);
            if (o->recorded)
                mg_buf_printf(b, "%d,yes,", o->came);
            else
                mg_buf_puts(b, ",no,");
            if (p->target)
                mg_buf_printf(b, "%d", p->target);
            mg_buf_printf(b, ",plenary,%lld,%d\r\n", (long long)p->id,
                          o->waitlisted);
        }
    }
    return 1;
}

void mg_report_csv(struct mg_buf *b, const struct mg_report *r)
{
    struct mg_report_cursor c = {0, 0};

    while (!mg_report_csv_next(b, r, &c, r->n_sessions + 1))
        ;
}

/* --- Markdown ------------------------------------------------------- */

void mg_report_md_text(struct mg_buf *b, const char *s)
{
    const char *p;

    for (p = s ? s : ""; *p; p++) {
        if (*p == '\r' || *p == '\n' || *p == '\t') {
            mg_buf_puts(b, " ");
        } else if (strchr("\\`*_{}[]()<>#+-.!|~&", *p)) {
            /* `&` too, so "&lt;" in a name stays text in HTML renderers */
            char esc[2] = {'\\', *p};
            mg_buf_add(b, esc, 2);
        } else {
            mg_buf_add(b, p, 1);
        }
    }
}

static void md_counts(struct mg_buf *b, const struct mg_report_count *c,
                      size_t n)
{
    size_t i;

    if (!n) {
        mg_buf_puts(b, "none");
        return;
    }
    for (i = 0; i < n; i++) {
        if (i)
            mg_buf_puts(b, ", ");
        mg_report_md_text(b, c[i].name);
        mg_buf_printf(b, " (%d)", c[i].people);
    }
}

static void md_totals_row(struct mg_buf *b, const char *name,
                          const struct mg_report_totals *t)
{
    mg_buf_puts(b, "| ");
    mg_report_md_text(b, name);
    mg_buf_printf(b, " | %d | %d | %d | %d | %d | %d | %d | %.1f | %d | %d | ",
                  t->sessions, t->recorded, t->invited, t->accepted,
                  t->declined, t->tentative, t->attended, t->average,
                  t->attendees, t->came_back);
    md_counts(b, t->sectors, t->n_sectors);
    mg_buf_puts(b, " | ");
    md_counts(b, t->regions, t->n_regions);
    mg_buf_puts(b, " |\n");
}

/* Who gave `count` of the `of` who answered, as a percentage. */
static double share(int count, int of)
{
    return of > 0 ? 100.0 * count / of : 0;
}

static void md_survey(struct mg_buf *b, const struct mg_survey_results *s)
{
    size_t i, k;

    if (!s)
        return;
    mg_buf_printf(b,
                  "\n## Survey\n\n%d answered of the %d who came to a call "
                  "(%.0f%%); %s.\n",
                  s->responses, s->attendees, 100.0 * s->rate,
                  s->anonymous ? "anonymous" : "named");
    for (i = 0; i < s->n_questions; i++) {
        const struct mg_survey_tally *t = &s->questions[i];

        mg_buf_puts(b, "\n### ");
        mg_report_md_text(b, t->text);
        mg_buf_printf(b, "\n\n%d answered", t->answered);
        if (t->kind == MG_SURVEY_KIND_SCALE && t->answered)
            mg_buf_printf(b, "; average %.2f of 5", t->mean);
        mg_buf_puts(b, ".\n\n");
        if (t->kind == MG_SURVEY_KIND_TEXT) {
            for (k = 0; k < t->n_texts; k++) {
                mg_buf_puts(b, "- ");
                mg_report_md_text(b, t->texts[k]);
                mg_buf_puts(b, "\n");
            }
            if (!t->n_texts)
                mg_buf_puts(b, "No answers yet.\n");
            continue;
        }
        mg_buf_puts(b, "| Answer | People | Share |\n|---|---:|---:|\n");
        for (k = 0; k < t->n_counts; k++) {
            mg_buf_puts(b, "| ");
            mg_report_md_text(b, t->labels[k]);
            mg_buf_printf(b, " | %d | %.0f%% |\n", t->counts[k],
                          share(t->counts[k], t->answered));
        }
    }
}

void mg_report_survey_csv(struct mg_buf *b, const struct mg_report *r)
{
    const struct mg_survey_results *s = r->survey;
    size_t i, k;

    mg_buf_puts(b, "question_id,question,kind,answer,count,share,answered,"
                   "mean\r\n");
    for (i = 0; s && i < s->n_questions; i++) {
        const struct mg_survey_tally *t = &s->questions[i];

        for (k = 0; k < t->n_counts + t->n_texts; k++) {
            mg_report_csv_field(b, t->id);
            mg_buf_puts(b, ",");
            mg_report_csv_field(b, t->text);
            mg_buf_printf(b, ",%s,", mg_survey_kind_name(t->kind));
            if (k < t->n_counts) {
                mg_report_csv_field(b, t->labels[k]);
                mg_buf_printf(b, ",%d,%.4f,%d,", t->counts[k],
                              share(t->counts[k], t->answered) / 100.0,
                              t->answered);
                if (t->kind == MG_SURVEY_KIND_SCALE && t->answered)
                    mg_buf_printf(b, "%.4f", t->mean);
            } else {
                mg_report_csv_field(b, t->texts[k - t->n_counts]);
                mg_buf_printf(b, ",,,%d,", t->answered);
            }
            mg_buf_puts(b, "\r\n");
        }
    }
}

void mg_report_markdown(struct mg_buf *b, const struct mg_report *r)
{
    size_t i;
    char when[32];

    mg_buf_puts(b, "# Success report: ");
    mg_report_md_text(b, r->title);
    mg_buf_puts(b, "\n\n| Figure | Value |\n|---|---:|\n");
    mg_buf_printf(b, "| Invited | %d |\n", r->t.invited);
    mg_buf_printf(b, "| Sessions (recorded) | %d (%d) |\n", r->t.sessions,
                  r->t.recorded);
    mg_buf_printf(b, "| Accepted / declined / tentative | %d / %d / %d |\n",
                  r->t.accepted, r->t.declined, r->t.tentative);
    mg_buf_printf(b, "| Attended (person-sessions) | %d |\n", r->t.attended);
    mg_buf_printf(b, "| Average per session | %.1f |\n", r->t.average);
    if (r->target)
        mg_buf_printf(b, "| Target per session | %d (%s) |\n", r->target,
                      r->target_met ? "met" : "not met");
    else
        mg_buf_puts(b, "| Target per session | none |\n");
    mg_buf_printf(b, "| Came at least once | %d |\n", r->t.attendees);
    mg_buf_printf(b, "| Came back (2+ calls) | %d |\n", r->t.came_back);
    mg_buf_puts(b, "\n## Groups\n\n| Group | Sessions | Recorded | Invited "
                   "| Accepted | Declined | Tentative | Attended | Average "
                   "| Came | Came back | Sectors | Regions |\n"
                   "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:"
                   "|---|---|\n");
    for (i = 0; i < r->n_groups; i++)
        md_totals_row(b, r->groups[i].name, &r->groups[i].t);
    md_totals_row(b, "All groups", &r->t);
    mg_buf_puts(b, "\n## Sessions\n\n| Week | Group | Starts (UTC) | Invited "
                   "| Accepted | Declined | Tentative | Attended |\n"
                   "|---:|---|---|---:|---:|---:|---:|---:|\n");
    for (i = 0; i < r->n_sessions; i++) {
        const struct mg_report_session *s = &r->sessions[i];

        mg_report_time(when, sizeof(when), s->starts_at);
        mg_buf_printf(b, "| %d | ", s->week);
        mg_report_md_text(b, r->groups[s->group].name);
        mg_buf_printf(b, " | %s%s | %d | %d | %d | %d | ", when,
                      s->cancelled ? " (cancelled)" : "", s->invited,
                      s->accepted, s->declined, s->tentative);
        if (s->recorded)
            mg_buf_printf(b, "%d |\n", s->attended);
        else
            mg_buf_puts(b, "not recorded |\n");
    }
    mg_buf_printf(b,
                  "\n## Retention\n\nOf the %d who came in week 1, how many "
                  "came in each week.\n\n| Week | Sessions recorded | "
                  "Attended | Of week 1 |\n|---:|---:|---:|---:|\n",
                  r->cohort);
    for (i = 0; i < r->n_weeks; i++)
        mg_buf_printf(b, "| %d | %d | %d | %d |\n", r->weeks[i].week,
                      r->weeks[i].sessions, r->weeks[i].attended,
                      r->weeks[i].retained);
    md_survey(b, r->survey);
    if (!r->n_plenaries)
        return;
    mg_buf_puts(b, "\n## Plenary sessions\n");
    for (i = 0; i < r->n_plenaries; i++) {
        const struct mg_report_plenary *p = &r->plenaries[i];
        size_t w;

        mg_buf_puts(b, "\n### ");
        mg_report_md_text(b, p->title);
        if (p->cancelled)
            mg_buf_puts(b, " (cancelled)");
        mg_buf_printf(b, "\n\n%d places: %d registered, %d on the waitlist. ",
                      p->capacity, p->registered, p->waitlisted);
        if (p->recorded)
            mg_buf_printf(b, "Averaged %.1f per call over %d recorded",
                          p->average, p->recorded);
        else
            mg_buf_puts(b, "No call recorded yet");
        if (p->target)
            mg_buf_printf(b, "; aimed for %d (%s).\n", p->target,
                          !p->recorded    ? "not yet known"
                          : p->target_met ? "met"
                                          : "not met");
        else
            mg_buf_puts(b, "; no target.\n");
        mg_buf_puts(b, "\n| Week | Starts (UTC) | Registered | Waitlisted "
                       "| Accepted | Declined | Tentative | No answer "
                       "| Came | Not matched |\n"
                       "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (w = 0; w < p->n_weeks; w++) {
            const struct mg_report_occurrence *o = &p->weeks[w];

            mg_report_time(when, sizeof(when), o->starts_at);
            mg_buf_printf(b, "| %d | %s | %d | %d | %d | %d | %d | %d | ",
                          o->week, when, o->registered, o->waitlisted,
                          o->accepted, o->declined, o->tentative, o->no_answer);
            if (o->recorded)
                mg_buf_printf(b, "%d | %d |\n", o->came, o->unmatched);
            else
                mg_buf_puts(b, "not recorded | |\n");
        }
    }
}
