/*
 * answer.c: a registered person's answer to a plenary invitation, from
 * their calendar's REPLY. The answer is checked against what that person
 * was last sent (their seat's SEQUENCE), and kept per weekly call: one
 * call declined is that call only; the whole series declined gives up
 * the place (invite.c's rules and mail). Whose answer it is, and reading
 * the REPLY, are `calendar`'s and `ical`'s.
 */
#include <stdlib.h>
#include <string.h>

#include "mingle/circle.h"
#include "mingle/plenary.h"
#include "mingle/schedule.h"
#include "mingle/store.h"

#include "internal.h"

#include "banned.h"

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil). */
static int64_t days_of(int y, int m, int d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The proleptic Gregorian date `days` after 1970-01-01 (the reverse). */
static void date_of(struct mg_local_time *out, int64_t days)
{
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;

    out->day = (int)(doy - (153 * mp + 2) / 5 + 1);
    out->month = (int)(mp < 10 ? mp + 3 : mp - 9);
    out->year = (int)(yoe + era * 400 + (out->month <= 2));
}

int mg_plenary_week_start(int64_t *out, const char *tzid, int64_t first_start,
                          int week)
{
    struct mg_local_time lt;
    int rc = mg_schedule_utc_to_local(&lt, tzid, first_start, NULL);

    if (rc < 0)
        return rc;
    /* the first call's wall time, `week - 1` weeks on */
    date_of(&lt, days_of(lt.year, lt.month, lt.day) + 7 * (int64_t)(week - 1));
    return mg_schedule_local_to_utc(out, tzid, &lt, NULL);
}

int mg_plenary_week_of(const char *tzid, int64_t first_start, int weeks,
                       int64_t t)
{
    struct mg_local_time first, at;
    int64_t start, day0, day;
    int week;

    if (mg_schedule_utc_to_local(&first, tzid, first_start, NULL) < 0)
        return 0;
    day0 = days_of(first.year, first.month, first.day);
    for (week = 1; week <= weeks; week++)
        if (mg_plenary_week_start(&start, tzid, first_start, week) == 0 &&
            start == t)
            return week;
    /* No exact instant: the call on the same local date, for a client
     * that placed a call near a daylight-saving change another way. */
    if (mg_schedule_utc_to_local(&at, tzid, t, NULL) < 0)
        return 0;
    day = days_of(at.year, at.month, at.day);
    if (day < day0 || (day - day0) % 7 != 0 || (day - day0) / 7 >= weeks)
        return 0;
    return (int)((day - day0) / 7) + 1;
}

static enum mg_store_rsvp_status status_of(enum mg_partstat p)
{
    switch (p) {
    case MG_PARTSTAT_ACCEPTED:
        return MG_STORE_RSVP_ACCEPTED;
    case MG_PARTSTAT_DECLINED:
        return MG_STORE_RSVP_DECLINED;
    case MG_PARTSTAT_TENTATIVE:
        break;
    }
    return MG_STORE_RSVP_TENTATIVE;
}

/* The answer inside `tx`: see mg_plenary_answer(). */
static int answer_in(enum mg_plenary_answer_result *result, size_t *queued,
                     struct mg_store_tx *tx, const struct mg_circle *c,
                     const struct mg_plenary_row *p,
                     const struct mg_plenary_answer *a, struct mg_error *err)
{
    struct mg_plenary_seat *seats = NULL;
    struct mg_store_seat seat;
    struct mg_plenary_op op;
    size_t n = 0;
    int week = 0;
    int rc = mg_store_tx_seat_get(&seat, tx, p->id, a->participant_id);

    *result = MG_PLENARY_ANSWER_NO_SEAT;
    if (rc == MG_ENOTFOUND ||
        (rc == 0 && seat.status != MG_STORE_SEAT_REGISTERED))
        return 0;
    if (rc < 0)
        return rc;
    /* older than what this person was last sent: a redelivered answer to
     * an invitation since replaced (re-registered, renamed) */
    if (a->sequence < seat.invite_sequence) {
        *result = MG_PLENARY_ANSWER_STALE;
        return 0;
    }
    if (a->occurrence) {
        week = mg_plenary_week_of(c->time_zone, p->starts_at, p->weeks,
                                  a->occurrence);
        if (!week) {
            mg_error_set(err, "recurrence_id", "no call of '%s' starts at %lld",
                         p->uid, (long long)a->occurrence);
            return MG_ENOTFOUND;
        }
    }
    if (!week && a->partstat == MG_PARTSTAT_DECLINED) {
        if (!c->organizer_email || !*c->organizer_email) {
            mg_error_set(err, "organizer.email",
                         "the circle needs an organizer email to send "
                         "invitations");
            return MG_EINVAL;
        }
        memset(&op, 0, sizeof(op));
        op.kind = MG_PLENARY_LEAVE;
        op.participant_id = a->participant_id;
        op.leave_as = MG_REG_DECLINED;
        rc = plenary_change_in(&seats, &n, queued, tx, c, p->id, &op, err);
        free(seats);
    } else {
        rc = mg_store_tx_plenary_rsvp_save(
            tx, p->id, a->participant_id, week ? week : 1,
            week ? week : p->weeks, status_of(a->partstat),
            a->source ? a->source : "email", a->sequence);
    }
    if (rc == 0)
        *result = MG_PLENARY_ANSWER_RECORDED;
    return rc;
}

int mg_plenary_answer(enum mg_plenary_answer_result *result, size_t *queued,
                      struct mg_store *st, int64_t circle_id,
                      int64_t plenary_id, const struct mg_plenary_answer *a,
                      struct mg_error *err)
{
    struct mg_circle *c = NULL;
    struct mg_store_tx *tx = NULL;
    struct mg_plenary_row p;
    int have = 0;
    int rc = mg_store_circle_get(&c, st, circle_id);

    *result = MG_PLENARY_ANSWER_NO_SEAT;
    *queued = 0;
    memset(&p, 0, sizeof(p));
    if (rc < 0)
        goto out;
    rc = mg_store_begin(&tx, st);
    if (rc < 0)
        goto out;
    rc = mg_store_tx_plenary_head(&p, tx, circle_id, plenary_id);
    have = rc == 0;
    if (rc == 0)
        rc = answer_in(result, queued, tx, c, &p, a, err);
    if (rc < 0)
        goto out;
    rc = mg_store_commit(tx);
    tx = NULL;
out:
    mg_store_rollback(tx);
    if (rc < 0) {
        *result = MG_PLENARY_ANSWER_NO_SEAT;
        *queued = 0;
    }
    if (have)
        mg_store_plenary_release(&p);
    mg_circle_free(c);
    return rc;
}
