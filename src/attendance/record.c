/*
 * record.c: the glue of an attendance import: read the report, load the
 * session and its group's members from `store`, match, and replace the
 * session's attendance in one transaction. http and cli show the result.
 */
#include "mingle/attendance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mingle/store.h"

#include "banned.h"

void mg_attendance_result_release(struct mg_attendance_result *res)
{
    size_t i;

    if (!res)
        return;
    for (i = 0; i < res->n_matched; i++) {
        free(res->matched[i].name);
        free(res->matched[i].report_name);
    }
    for (i = 0; i < res->n_absent; i++)
        free(res->absent[i].name);
    for (i = 0; i < res->n_unmatched; i++) {
        free(res->unmatched[i].name);
        free(res->unmatched[i].email);
    }
    free(res->matched);
    free(res->absent);
    free(res->unmatched);
    memset(res, 0, sizeof(*res));
}

static int cmp_entry(const void *a, const void *b)
{
    int64_t x = ((const struct mg_attendance_entry *)a)->participant_id;
    int64_t y = ((const struct mg_attendance_entry *)b)->participant_id;

    return (x > y) - (x < y);
}

/*
 * Match report `rep` against `members` (people of a call of `minutes`):
 * into `res` who came (a member's devices added up), who did not (of
 * those `absent_ok` marks) and the report's people matched to nobody
 * (their strings taken from `rep`); returns the attendance rows to store
 * (*n of them, one per member who came or was absent; free()).
 */
static struct mg_attendance_row *
tally(struct mg_attendance_result *res, size_t *n,
      struct mg_attendance_report *rep, const struct mg_participant *members,
      const char *absent_ok, size_t n_members, int minutes, int64_t now)
{
    struct mg_attendance_match *m = mg_xcalloc(rep->n + 1, sizeof(*m));
    struct mg_attendance_entry **by_member =
        mg_xcalloc(n_members + 1, sizeof(*by_member));
    struct mg_attendance_row *rows = mg_xcalloc(n_members + 1, sizeof(*rows));
    size_t i;

    mg_attendance_match(m, rep, members, n_members);
    res->format = rep->format;
    res->matched = mg_xcalloc(n_members + 1, sizeof(*res->matched));
    res->absent = mg_xcalloc(n_members + 1, sizeof(*res->absent));
    res->unmatched = mg_xcalloc(rep->n + 1, sizeof(*res->unmatched));
    for (i = 0; i < rep->n; i++) {
        struct mg_attendee *a = &rep->people[i];
        struct mg_attendance_entry *e;
        if (m[i].member < 0) {
            res->unmatched[res->n_unmatched++] = *a;
            a->name = a->email = NULL;
            continue;
        }
        e = by_member[m[i].member];
        if (e) {
            /* The same member twice (two devices): add the time up. */
            e->minutes += a->minutes;
            if (e->minutes > MG_ATTENDANCE_MAX_MINUTES)
                e->minutes = MG_ATTENDANCE_MAX_MINUTES;
            continue;
        }
        e = by_member[m[i].member] = &res->matched[res->n_matched++];
        e->participant_id = members[m[i].member].id;
        e->name = mg_xstrdup(members[m[i].member].name);
        e->report_name = mg_xstrdup(a->name);
        e->minutes = a->minutes;
        e->by = m[i].by;
    }
    for (i = 0; i < res->n_matched; i++)
        res->matched[i].present =
            mg_attendance_is_present(res->matched[i].minutes, minutes);
    *n = 0;
    for (i = 0; i < n_members; i++) {
        struct mg_attendance_entry *e = by_member[i];
        struct mg_attendance_row *row;
        if (!e) {
            if (!absent_ok[i])
                continue;
            e = &res->absent[res->n_absent++];
            e->participant_id = members[i].id;
            e->name = mg_xstrdup(members[i].name);
        }
        row = &rows[(*n)++];
        row->participant_id = e->participant_id;
        row->present = e->present;
        row->minutes = e->minutes;
        snprintf(row->source, sizeof(row->source), "%s", rep->format);
        row->recorded_at = now;
    }
    free(m);
    free(by_member);
    return rows;
}

int mg_attendance_import(struct mg_attendance_result *out, struct mg_store *st,
                         int64_t circle_id, int64_t session_id,
                         const char *data, size_t len, struct mg_error *err)
{
    struct mg_attendance_report rep;
    struct mg_session_row s;
    struct mg_participant *all = NULL, *members = NULL;
    char *absent_ok = NULL;
    struct mg_attendance_row *rows = NULL;
    struct mg_people_filter f;
    struct mg_attendance_result res;
    size_t n_all = 0, n_members = 0, n_rows = 0, i;
    int64_t now = mg_now();
    int rc;

    memset(&rep, 0, sizeof(rep));
    memset(&res, 0, sizeof(res));
    memset(&f, 0, sizeof(f));
    rc = mg_store_session_get(&s, st, circle_id, session_id);
    if (rc == 0 && s.group_id == 0)
        rc = MG_ENOTFOUND;
    if (rc == 0)
        rc = mg_attendance_parse(&rep, data, len, err);
    if (rc == 0)
        rc = mg_store_participants_list(&all, &n_all, st, circle_id, &f);
    if (rc < 0)
        goto out;
    /* The group's members (the list is by id, so results are too). */
    members = mg_xcalloc(n_all ? n_all : 1, sizeof(*members));
    for (i = 0; i < n_all; i++)
        if (all[i].group_id == s.group_id)
            members[n_members++] = all[i];
    absent_ok = mg_xcalloc(n_members + 1, 1);
    for (i = 0; i < n_members; i++)
        absent_ok[i] = members[i].status != MG_STATUS_WITHDRAWN;
    res.session_id = session_id;
    rows = tally(&res, &n_rows, &rep, members, absent_ok, n_members, s.minutes,
                 now);
    rc = mg_store_attendance_replace(st, session_id, rows, n_rows);
    if (rc < 0)
        goto out;
    /* The matched by member id, like the absent. */
    qsort(res.matched, res.n_matched, sizeof(*res.matched), cmp_entry);
    *out = res;
    memset(&res, 0, sizeof(res));
out:
    mg_attendance_result_release(&res);
    mg_attendance_report_release(&rep);
    mg_participants_free(all, n_all);
    free(members);
    free(absent_ok);
    free(rows);
    return rc;
}

int mg_attendance_record(size_t *n_present, size_t *n_absent,
                         struct mg_store *st, int64_t circle_id,
                         int64_t session_id, const int64_t *present, size_t n,
                         const char *source, struct mg_error *err)
{
    struct mg_session_row s;
    struct mg_participant *all = NULL;
    struct mg_attendance_row *rows = NULL;
    struct mg_people_filter f;
    size_t n_all = 0, n_rows = 0, i, j;
    int rc = mg_store_session_get(&s, st, circle_id, session_id);

    *n_present = *n_absent = 0;
    if (rc == 0 && !s.group_id)
        rc = MG_ENOTFOUND;
    memset(&f, 0, sizeof(f));
    if (rc == 0)
        rc = mg_store_participants_list(&all, &n_all, st, circle_id, &f);
    if (rc < 0)
        goto out;
    /* Everyone named must be in the session's group. */
    for (j = 0; j < n; j++) {
        for (i = 0; i < n_all; i++)
            if (all[i].id == present[j] && all[i].group_id == s.group_id)
                break;
        if (i == n_all) {
            mg_error_set(err, "present",
                         "participant %lld is not in this call's group",
                         (long long)present[j]);
            rc = MG_EINVAL;
            goto out;
        }
    }
    rows = mg_xcalloc(n_all + 1, sizeof(*rows));
    for (i = 0; i < n_all; i++) {
        int came = 0;

        if (all[i].group_id != s.group_id)
            continue;
        for (j = 0; j < n && !came; j++)
            came = present[j] == all[i].id;
        if (!came && all[i].status != MG_STATUS_ACTIVE)
            continue;
        rows[n_rows].participant_id = all[i].id;
        rows[n_rows].present = came;
        rows[n_rows].minutes = came ? s.minutes : 0;
        snprintf(rows[n_rows].source, sizeof(rows[n_rows].source), "%s",
                 source);
        n_rows++;
        if (came)
            (*n_present)++;
        else
            (*n_absent)++;
    }
    rc = mg_store_attendance_replace(st, session_id, rows, n_rows);
out:
    free(rows);
    mg_participants_free(all, n_all);
    return rc;
}

int mg_attendance_import_plenary(struct mg_attendance_result *out,
                                 struct mg_store *st, int64_t circle_id,
                                 int64_t plenary_id, int week, const char *data,
                                 size_t len, struct mg_error *err)
{
    struct mg_attendance_report rep;
    struct mg_plenary_row p;
    struct mg_registration_row *regs = NULL;
    struct mg_participant *members = NULL;
    char *absent_ok = NULL;
    struct mg_attendance_row *rows = NULL;
    struct mg_attendance_result res;
    size_t n_regs = 0, n_rows = 0, i;
    int64_t now = mg_now();
    int have = 0, rc;

    memset(&rep, 0, sizeof(rep));
    memset(&res, 0, sizeof(res));
    rc = mg_store_plenary_get(&p, st, circle_id, plenary_id);
    have = rc == 0;
    if (rc == 0 && (week < 1 || week > p.weeks)) {
        mg_error_set(err, "week", "the plenary has weeks 1 to %d, not %d",
                     p.weeks, week);
        rc = MG_EINVAL;
    }
    if (rc == 0)
        rc = mg_attendance_parse(&rep, data, len, err);
    if (rc == 0)
        rc = mg_store_plenary_registrations(&regs, &n_regs, st, plenary_id, 0,
                                            MG_STORE_SEAT_REGISTERED, 0, 0);
    if (rc < 0)
        goto out;
    /* The registrations as members (names and addresses borrowed). */
    members = mg_xcalloc(n_regs + 1, sizeof(*members));
    for (i = 0; i < n_regs; i++) {
        members[i].id = regs[i].participant_id;
        members[i].name = regs[i].name;
        members[i].email = regs[i].email;
    }
    /* only a place held and not used is an absence */
    absent_ok = mg_xcalloc(n_regs + 1, 1);
    for (i = 0; i < n_regs; i++)
        absent_ok[i] = regs[i].status == MG_STORE_SEAT_REGISTERED;
    res.plenary_id = plenary_id;
    res.week = week;
    rows =
        tally(&res, &n_rows, &rep, members, absent_ok, n_regs, p.minutes, now);
    rc = mg_store_plenary_attendance_replace(st, plenary_id, week, rows, n_rows,
                                             rep.format, (int)res.n_unmatched);
    if (rc < 0)
        goto out;
    qsort(res.matched, res.n_matched, sizeof(*res.matched), cmp_entry);
    qsort(res.absent, res.n_absent, sizeof(*res.absent), cmp_entry);
    *out = res;
    memset(&res, 0, sizeof(res));
out:
    mg_attendance_result_release(&res);
    mg_attendance_report_release(&rep);
    mg_store_registrations_free(regs, n_regs);
    if (have)
        mg_store_plenary_release(&p);
    free(members);
    free(absent_ok);
    free(rows);
    return rc;
}
