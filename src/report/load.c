/*
 * load.c: the glue between `store` and the report: reads a circle, its
 * people, groups, sessions, active invitations, answers and attendance,
 * turns them into report.h's plain facts and builds the report. No SQL
 * here; the store's calls do the reading, a query for each kind of row
 * (never one per group): of the people only those who came, with their
 * sector and region, of the invitations only the active ones' group and
 * person. A circle whose personal data was purged has no facts left:
 * its report is the one kept just before (mg_report_load_kept()).
 */
#include "mingle/report.h"

#include <stdlib.h>
#include <string.h>

#include "mingle/json.h"
#include "mingle/schedule.h"
#include "mingle/store.h"
#include "mingle/survey.h"

#include "banned.h"

static enum mg_report_answer answer_of(enum mg_store_rsvp_status status)
{
    switch (status) {
    case MG_STORE_RSVP_ACCEPTED:
        return MG_ANSWER_ACCEPTED;
    case MG_STORE_RSVP_DECLINED:
        return MG_ANSWER_DECLINED;
    case MG_STORE_RSVP_TENTATIVE:
        return MG_ANSWER_TENTATIVE;
    case MG_STORE_RSVP_NONE:
        break;
    }
    return MG_ANSWER_OTHER;
}

/* The circle's group sessions, in one query. */
static int load_sessions(struct mg_report_session_in **out, size_t *n,
                         struct mg_store *st, int64_t circle_id)
{
    struct mg_session_row *rows = NULL;
    struct mg_report_session_in *all;
    size_t k = 0, i;
    int rc = mg_store_circle_group_sessions(&rows, &k, st, circle_id);

    if (rc < 0)
        return rc;
    all = mg_xcalloc(k + 1, sizeof(*all));
    for (i = 0; i < k; i++) {
        all[i].id = rows[i].id;
        all[i].group_id = rows[i].group_id;
        all[i].week = rows[i].week;
        all[i].starts_at = rows[i].starts_at;
        all[i].cancelled = rows[i].status == MG_STORE_SESSION_CANCELLED;
    }
    free(rows);
    *out = all;
    *n = k;
    return 0;
}

/*
 * The calendar answers to every call of the plenaries in `rows`, a
 * query per plenary (plenaries are few; each reads its counts from an
 * index alone), into *out (the caller's to free()).
 */
static int load_plenary_answers(struct mg_report_plenary_answers **out,
                                size_t *n, struct mg_store *st,
                                const struct mg_plenary_row *rows,
                                size_t n_rows)
{
    size_t total = 0, i;
    int rc = 0, k;

    for (i = 0; i < n_rows; i++)
        total += (size_t)(rows[i].weeks > 0 ? rows[i].weeks : 0);
    *out = mg_xcalloc(total + 1, sizeof(**out));
    *n = 0;
    for (i = 0; rc == 0 && i < n_rows; i++) {
        struct mg_plenary_rsvp_count *c = NULL;

        if (rows[i].weeks < 1)
            continue;
        rc = mg_store_plenary_rsvp_counts(&c, st, rows[i].id, rows[i].weeks);
        for (k = 0; rc == 0 && k < rows[i].weeks; k++) {
            struct mg_report_plenary_answers *a = &(*out)[(*n)++];

            a->plenary_id = rows[i].id;
            a->week = c[k].week;
            a->accepted = c[k].accepted;
            a->declined = c[k].declined;
            a->tentative = c[k].tentative;
        }
        free(c);
    }
    return rc;
}

/*
 * The circle's plenaries, their recorded occurrences and the answers to
 * their calls into `in` (plenaries, plenary_weeks, plenary_answers):
 * *pin, *starts, *marks and *answers are the caller's to free(), *rows
 * to free with mg_store_plenaries_free().
 */
static int load_plenaries(struct mg_report_input *in,
                          struct mg_plenary_row **rows, size_t *n_rows,
                          struct mg_report_plenary_in **pin, int64_t **starts,
                          struct mg_report_plenary_mark **marks,
                          struct mg_report_plenary_answers **answers,
                          struct mg_store *st, const struct mg_circle *c)
{
    struct mg_store_plenary_week *w = NULL;
    size_t n_w = 0, n_starts = 0, n_answers = 0, i;
    int rc = mg_store_plenaries_list(rows, n_rows, st, c->id);

    if (rc == 0)
        rc = mg_store_report_plenary_weeks(&w, &n_w, st, c->id);
    if (rc == 0)
        rc = load_plenary_answers(answers, &n_answers, st, *rows, *n_rows);
    if (rc < 0) {
        free(w);
        return rc;
    }
    for (i = 0; i < *n_rows; i++)
        n_starts += (size_t)(*rows)[i].weeks;
    *pin = mg_xcalloc(*n_rows + 1, sizeof(**pin));
    *starts = mg_xcalloc(n_starts + 1, sizeof(**starts));
    *marks = mg_xcalloc(n_w + 1, sizeof(**marks));
    n_starts = 0;
    for (i = 0; i < *n_rows; i++) {
        const struct mg_plenary_row *p = &(*rows)[i];
        struct mg_report_plenary_in *pi = &(*pin)[i];
        int k;

        pi->id = p->id;
        pi->title = p->title;
        pi->weeks = p->weeks;
        pi->starts = *starts + n_starts;
        for (k = 1; k <= p->weeks; k++, n_starts++)
            if (mg_report_occurrence_start(&(*starts)[n_starts], c->time_zone,
                                           p->starts_at, k) < 0)
                (*starts)[n_starts] =
                    p->starts_at + (int64_t)(k - 1) * 7 * 86400;
        pi->capacity = p->capacity;
        pi->target = p->target;
        pi->registered = p->registered;
        pi->waitlisted = p->waitlisted;
        pi->cancelled = p->status == MG_STORE_PLENARY_CANCELLED;
    }
    for (i = 0; i < n_w; i++) {
        (*marks)[i].plenary_id = w[i].plenary_id;
        (*marks)[i].week = w[i].week;
        (*marks)[i].came = w[i].came;
        (*marks)[i].unmatched = w[i].unmatched;
    }
    in->plenaries = *pin;
    in->n_plenaries = *n_rows;
    in->plenary_weeks = *marks;
    in->n_plenary_weeks = n_w;
    in->plenary_answers = *answers;
    in->n_plenary_answers = n_answers;
    free(w);
    return 0;
}

int mg_report_load_kept(struct mg_report *out, struct mg_store *st,
                        int64_t circle_id)
{
    char *json = NULL;
    int rc = mg_store_retention_report(&json, st, circle_id);

    if (rc == MG_ENOTFOUND)
        return 0;
    if (rc == 0)
        rc = mg_json_report_read(out, json);
    free(json);
    return rc < 0 ? rc : 1;
}

int mg_report_load(struct mg_report *out, struct mg_store *st,
                   int64_t circle_id)
{
    struct mg_plenary_row *plen = NULL;
    struct mg_report_plenary_in *pin = NULL;
    struct mg_report_plenary_mark *pmarks = NULL;
    struct mg_report_plenary_answers *panswers = NULL;
    int64_t *pstarts = NULL;
    size_t n_plen = 0;
    struct mg_report_input in;
    struct mg_circle *c = NULL;
    struct mg_store_member_row *people = NULL;
    struct mg_group_row *groups = NULL;
    struct mg_store_invite_pair *invites = NULL;
    struct mg_mark_row *rsvps = NULL, *att = NULL;
    struct mg_report_person *persons = NULL;
    struct mg_report_group_in *gin = NULL;
    struct mg_report_session_in *sessions = NULL;
    struct mg_report_invite *inv = NULL;
    struct mg_report_mark *answers = NULL, *marks = NULL;
    size_t n_people = 0, n_groups = 0, n_invites = 0, n_rsvps = 0, n_att = 0;
    size_t n_sessions = 0, n_inv = 0, i;
    int rc = mg_report_load_kept(out, st, circle_id);

    if (rc != 0)
        return rc < 0 ? rc : 0;
    memset(&in, 0, sizeof(in));
    rc = mg_store_circle_get(&c, st, circle_id);
    if (rc == 0)
        rc = mg_store_attendee_rows(&people, &n_people, st, circle_id);
    if (rc == 0)
        rc = mg_store_groups_list(&groups, &n_groups, st, circle_id);
    if (rc == 0)
        rc = load_sessions(&sessions, &n_sessions, st, circle_id);
    if (rc == 0)
        rc = mg_store_active_invites(&invites, &n_invites, st, circle_id);
    if (rc == 0)
        rc = mg_store_report_rsvps(&rsvps, &n_rsvps, st, circle_id);
    if (rc == 0)
        rc = mg_store_report_attendance(&att, &n_att, st, circle_id);
    if (rc == 0)
        rc = load_plenaries(&in, &plen, &n_plen, &pin, &pstarts, &pmarks,
                            &panswers, st, c);
    if (rc < 0)
        goto out;

    persons = mg_xcalloc(n_people + 1, sizeof(*persons));
    for (i = 0; i < n_people; i++) {
        persons[i].id = people[i].id;
        persons[i].sector = people[i].sector;
        persons[i].region = people[i].region;
    }
    gin = mg_xcalloc(n_groups + 1, sizeof(*gin));
    for (i = 0; i < n_groups; i++) {
        gin[i].id = groups[i].id;
        gin[i].name = groups[i].name;
    }
    inv = mg_xcalloc(n_invites + 1, sizeof(*inv));
    for (i = 0; i < n_invites; i++) {
        inv[n_inv].group_id = invites[i].group_id;
        inv[n_inv].participant_id = invites[i].participant_id;
        n_inv++;
    }
    answers = mg_xcalloc(n_rsvps + 1, sizeof(*answers));
    for (i = 0; i < n_rsvps; i++) {
        answers[i].session_id = rsvps[i].session_id;
        answers[i].participant_id = rsvps[i].participant_id;
        answers[i].answer = answer_of(rsvps[i].status);
    }
    marks = mg_xcalloc(n_att + 1, sizeof(*marks));
    for (i = 0; i < n_att; i++) {
        marks[i].session_id = att[i].session_id;
        marks[i].participant_id = att[i].participant_id;
        marks[i].present = att[i].present;
    }
    in.circle_id = c->id;
    in.title = c->title;
    in.target = c->attendance_target;
    in.weeks = c->weeks;
    in.people = persons;
    in.n_people = n_people;
    in.groups = gin;
    in.n_groups = n_groups;
    in.sessions = sessions;
    in.n_sessions = n_sessions;
    in.invites = inv;
    in.n_invites = n_inv;
    in.answers = answers;
    in.n_answers = n_rsvps;
    in.attendance = marks;
    in.n_attendance = n_att;
    mg_report_build(out, &in);
    /* the survey's results, tallied by the survey module */
    out->survey = mg_xcalloc(1, sizeof(*out->survey));
    rc = mg_survey_results_load(out->survey, st, circle_id);
    if (rc < 0)
        mg_report_release(out);
out:
    free(persons);
    free(gin);
    free(sessions);
    free(inv);
    free(answers);
    free(marks);
    free(att);
    free(rsvps);
    free(invites);
    mg_store_groups_free(groups, n_groups);
    mg_store_member_rows_free(people, n_people);
    mg_store_plenaries_free(plen, n_plen);
    free(pin);
    free(pstarts);
    free(pmarks);
    free(panswers);
    mg_circle_free(c);
    return rc;
}

int mg_report_load_summary(struct mg_report *out, struct mg_store *st,
                           int64_t circle_id)
{
    struct mg_store_report_sums sums;
    struct mg_circle *c = NULL;
    size_t i;
    int rc = mg_report_load_kept(out, st, circle_id);

    if (rc != 0)
        return rc < 0 ? rc : 0;
    memset(out, 0, sizeof(*out));
    rc = mg_store_circle_get(&c, st, circle_id);
    if (rc == 0)
        rc = mg_store_report_sums(&sums, st, circle_id);
    if (rc < 0) {
        mg_circle_free(c);
        return rc;
    }
    out->circle_id = c->id;
    out->title = mg_xstrdup(c->title);
    out->target = c->attendance_target > 0 ? c->attendance_target : 0;
    out->t.sessions = sums.sessions;
    out->t.recorded = sums.recorded;
    out->t.invited = sums.invited;
    out->t.accepted = sums.accepted;
    out->t.declined = sums.declined;
    out->t.tentative = sums.tentative;
    out->t.attended = sums.attended;
    out->t.attendees = sums.attendees;
    out->t.came_back = sums.came_back;
    if (out->t.recorded)
        out->t.average = (double)out->t.attended / out->t.recorded;
    out->target_met = out->target > 0 && out->t.recorded &&
                      out->t.average >= (double)out->target;
    out->t.sectors = mg_xcalloc(sums.n_sectors + 1, sizeof(*out->t.sectors));
    for (i = 0; i < sums.n_sectors; i++) {
        out->t.sectors[i].name = sums.sectors[i].name;
        out->t.sectors[i].people = sums.sectors[i].people;
        sums.sectors[i].name = NULL;
    }
    out->t.n_sectors = sums.n_sectors;
    out->t.regions = mg_xcalloc(sums.n_regions + 1, sizeof(*out->t.regions));
    for (i = 0; i < sums.n_regions; i++) {
        out->t.regions[i].name = sums.regions[i].name;
        out->t.regions[i].people = sums.regions[i].people;
        sums.regions[i].name = NULL;
    }
    out->t.n_regions = sums.n_regions;
    out->n_weeks =
        (size_t)(c->weeks > sums.max_week ? c->weeks : sums.max_week);
    out->weeks = mg_xcalloc(out->n_weeks + 1, sizeof(*out->weeks));
    for (i = 0; i < out->n_weeks; i++)
        out->weeks[i].week = (int)i + 1;
    for (i = 0; i < sums.n_weeks; i++) {
        const struct mg_store_week_sums *w = &sums.weeks[i];
        if (w->week < 1 || (size_t)w->week > out->n_weeks)
            continue;
        out->weeks[w->week - 1].sessions = w->sessions;
        out->weeks[w->week - 1].attended = w->attended;
        out->weeks[w->week - 1].retained = w->retained;
    }
    out->cohort = sums.cohort;
    mg_store_report_sums_release(&sums);
    {
        struct mg_report_input in;
        struct mg_plenary_row *plen = NULL;
        struct mg_report_plenary_in *pin = NULL;
        struct mg_report_plenary_mark *pmarks = NULL;
        struct mg_report_plenary_answers *panswers = NULL;
        int64_t *pstarts = NULL;
        size_t n_plen = 0;

        memset(&in, 0, sizeof(in));
        rc = load_plenaries(&in, &plen, &n_plen, &pin, &pstarts, &pmarks,
                            &panswers, st, c);
        if (rc == 0)
            mg_report_build_plenaries(out, &in);
        mg_store_plenaries_free(plen, n_plen);
        free(pin);
        free(pstarts);
        free(pmarks);
        free(panswers);
    }
    mg_circle_free(c);
    if (rc < 0)
        mg_report_release(out);
    return rc;
}

/* Year, month and day of day `z` since 1970-01-01 (H. Hinnant's). */
static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    int64_t era, doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

int mg_report_occurrence_start(int64_t *out, const char *tzid, int64_t first,
                               int week)
{
    struct mg_local_time lt;
    struct mg_error err = {{0}, {0}};
    int rc = mg_schedule_utc_to_local(&lt, tzid, first, &err);

    if (rc < 0)
        return rc;
    if (week > 1)
        civil_from_days(mg_days_from_civil(lt.year, lt.month, lt.day) +
                            (int64_t)7 * (week - 1),
                        &lt.year, &lt.month, &lt.day);
    return mg_schedule_local_to_utc(out, tzid, &lt, &err);
}
