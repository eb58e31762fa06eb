/*
 * instants.c: wall-clock times in an IANA zone to UTC instants and back,
 * and the instant of a circle's weekly session. libical supplies the
 * offsets; the choice for skipped and repeated wall times is made here
 * because libical's own (the later instant of a repeated time) is not
 * the one we document.
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>

#include <libical/ical.h>

#include "banned.h"

static int days_in_month(int y, int m)
{
    static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return m == 2 && leap ? 29 : dim[m - 1];
}

/* The libical zone for `tzid`, or NULL; call with the lock held. */
static icaltimezone *zone_locked(const char *tzid)
{
    return mg_schedule_zone_locked(tzid);
}

static int find_zone(icaltimezone **out, const char *tzid, struct mg_error *err)
{
    icaltimezone *zone = NULL;

    /* The name check keeps odd strings away from libical's file lookup. */
    if (tzid != NULL && mg_schedule_tz_valid(tzid)) {
        mg_schedule_lock();
        zone = zone_locked(tzid);
        mg_schedule_unlock();
    }
    if (zone == NULL) {
        mg_error_set(err, "time_zone", "unknown time zone '%s'",
                     tzid ? tzid : "");
        return MG_EINVAL;
    }
    *out = zone;
    return 0;
}

/* Wall clock of `t` in `zone`, and its offset from UTC in seconds. */
static void wall_of(struct mg_local_time *out, icaltimezone *zone, int64_t t)
{
    struct icaltimetype tt;
    int64_t wall;
    int dow;

    mg_schedule_lock();
    tt = icaltime_from_timet_with_zone((time_t)t, 0, zone);
    dow = icaltime_day_of_week(tt); /* 1 = Sunday */
    mg_schedule_unlock();
    out->year = tt.year;
    out->month = tt.month;
    out->day = tt.day;
    out->hour = tt.hour;
    out->minute = tt.minute;
    out->second = tt.second;
    out->weekday = dow == 1 ? 7 : dow - 1;
    wall = mg_days_from_civil(tt.year, tt.month, tt.day) * 86400 +
           tt.hour * 3600 + tt.minute * 60 + tt.second;
    out->utc_offset = (int)(wall - t);
}

static int offset_at(icaltimezone *zone, int64_t t)
{
    struct mg_local_time lt;

    wall_of(&lt, zone, t);
    return lt.utc_offset;
}

int mg_schedule_utc_to_local(struct mg_local_time *out, const char *tzid,
                             int64_t t, struct mg_error *err)
{
    icaltimezone *zone;
    int rc = find_zone(&zone, tzid, err);

    if (rc < 0)
        return rc;
    /* libical's dates run from year 1 to 9999 in any case. */
    if (t < -62135596800LL || t > 253402300799LL) {
        mg_error_set(err, "time", "instant %lld is out of range", (long long)t);
        return MG_EINVAL;
    }
    wall_of(out, zone, t);
    return 0;
}

static int local_valid(const struct mg_local_time *l)
{
    return l->year >= 1900 && l->year <= 2500 && l->month >= 1 &&
           l->month <= 12 && l->day >= 1 &&
           l->day <= days_in_month(l->year, l->month) && l->hour >= 0 &&
           l->hour <= 23 && l->minute >= 0 && l->minute <= 59 &&
           l->second >= 0 && l->second <= 59;
}

/*
 * The instants at which the wall clock in `tzid` shows `local`: *n is 0
 * (skipped), 1 or 2 (repeated, t[0] < t[1]); for a skipped time
 * t[0] is the instant the gap moves it to.
 */
static int local_instants(int64_t *t, int *n, const char *tzid,
                          const struct mg_local_time *local,
                          struct mg_error *err)
{
    icaltimezone *zone;
    int64_t wall, t_before, t_after;
    int off_before, off_after, ok_before, ok_after;
    int rc = find_zone(&zone, tzid, err);

    if (rc < 0)
        return rc;
    if (!local_valid(local)) {
        mg_error_set(err, "time", "%04d-%02d-%02d %02d:%02d:%02d is not a time",
                     local->year, local->month, local->day, local->hour,
                     local->minute, local->second);
        return MG_EINVAL;
    }
    wall = mg_days_from_civil(local->year, local->month, local->day) * 86400 +
           local->hour * 3600 + local->minute * 60 + local->second;
    /*
     * Offsets never reach a day and zones change at most once a day, so
     * the offsets a day either side are the only candidates. Each gives
     * an instant; it is real if the zone has that offset at that instant.
     */
    off_before = offset_at(zone, wall - 86400);
    off_after = offset_at(zone, wall + 86400);
    t_before = wall - off_before;
    t_after = wall - off_after;
    ok_before = offset_at(zone, t_before) == off_before;
    ok_after = offset_at(zone, t_after) == off_after;
    *n = 1;
    if (ok_before && ok_after && t_before != t_after) {
        /* Repeated (clocks went back). */
        *n = 2;
        t[0] = t_before < t_after ? t_before : t_after;
        t[1] = t_before < t_after ? t_after : t_before;
    } else if (ok_before) {
        t[0] = t_before;
    } else if (ok_after) {
        t[0] = t_after;
    } else {
        /* Skipped: read the wall time with the offset before the jump,
         * which lands as far past the jump as the time was past its
         * start, i.e. moved forward by the gap. */
        *n = 0;
        t[0] = t_before;
    }
    return 0;
}

int mg_schedule_local_to_utc(int64_t *out, const char *tzid,
                             const struct mg_local_time *local,
                             struct mg_error *err)
{
    int64_t t[2];
    int n, rc = local_instants(t, &n, tzid, local, err);

    /* A repeated time is its first, daylight, instant. */
    if (rc == 0)
        *out = t[0];
    return rc;
}

int mg_schedule_local_instant(int64_t *out, enum mg_wall_kind *kind,
                              const char *tzid,
                              const struct mg_local_time *local,
                              struct mg_error *err)
{
    int64_t t[2];
    int n, rc = local_instants(t, &n, tzid, local, err);

    if (rc == 0) {
        *out = t[0];
        *kind = n == 0   ? MG_WALL_SKIPPED
                : n == 2 ? MG_WALL_REPEATED
                         : MG_WALL_PLAIN;
    }
    return rc;
}

int mg_schedule_wall_kind(enum mg_wall_kind *out, const char *tzid,
                          const struct mg_local_time *local,
                          struct mg_error *err)
{
    int64_t t;

    return mg_schedule_local_instant(&t, out, tzid, local, err);
}

static int parse_date(int *y, int *m, int *d, const char *s)
{
    char tail;

    if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return MG_EINVAL;
    if (sscanf(s, "%4d-%2d-%2d%c", y, m, d, &tail) != 3)
        return MG_EINVAL;
    if (*y < 1900 || *y > 2500 || *m < 1 || *m > 12 || *d < 1 ||
        *d > days_in_month(*y, *m))
        return MG_EINVAL;
    return 0;
}

/* The wall time of week `week` of a slot (see session_start). */
static int slot_local(struct mg_local_time *out, const char *start_date,
                      int week, int weekday, int start_minute,
                      struct mg_error *err)
{
    struct icaltimetype day = icaltime_null_date();
    struct mg_local_time lt = {0};
    int y, m, d, dow;

    if (parse_date(&y, &m, &d, start_date) < 0) {
        mg_error_set(err, "start_date", "'%s' is not a date as YYYY-MM-DD",
                     start_date ? start_date : "");
        return MG_EINVAL;
    }
    if (week < 1 || week > 1000 || weekday < 1 || weekday > 7 ||
        start_minute < 0 || start_minute > 1439) {
        mg_error_set(err, "slot", "week %d, weekday %d, minute %d is no slot",
                     week, weekday, start_minute);
        return MG_EINVAL;
    }
    day.year = y;
    day.month = m;
    day.day = d;
    /* Dates, not instants: adding days to a date never meets a DST change,
     * so the wall time is the same every week. */
    icaltime_adjust(&day, 7 * (week - 1), 0, 0, 0);
    dow = icaltime_day_of_week(day); /* 1 = Sunday */
    dow = dow == 1 ? 7 : dow - 1;
    icaltime_adjust(&day, (weekday - dow + 7) % 7, 0, 0, 0);
    lt.year = day.year;
    lt.month = day.month;
    lt.day = day.day;
    lt.hour = start_minute / 60;
    lt.minute = start_minute % 60;
    *out = lt;
    return 0;
}

int mg_schedule_session_start(int64_t *out, const char *tzid,
                              const char *start_date, int week, int weekday,
                              int start_minute, struct mg_error *err)
{
    struct mg_local_time lt;
    int rc = slot_local(&lt, start_date, week, weekday, start_minute, err);

    if (rc < 0)
        return rc;
    return mg_schedule_local_to_utc(out, tzid, &lt, err);
}

int mg_schedule_odd_weeks(struct mg_schedule_odd_week *out, size_t max,
                          size_t *n, const char *tzid, const char *start_date,
                          int weeks, int weekday, int start_minute,
                          struct mg_error *err)
{
    struct mg_local_time lt;
    enum mg_wall_kind kind;
    int64_t t[2];
    int week, count, rc = 0;

    *n = 0;
    for (week = 1; week <= weeks && rc == 0; week++) {
        rc = slot_local(&lt, start_date, week, weekday, start_minute, err);
        if (rc == 0)
            rc = local_instants(t, &count, tzid, &lt, err);
        if (rc < 0 || count == 1)
            continue;
        kind = count == 0 ? MG_WALL_SKIPPED : MG_WALL_REPEATED;
        if (*n < max) {
            out[*n].week = week;
            snprintf(out[*n].date, sizeof(out[*n].date), "%04d-%02d-%02d",
                     lt.year, lt.month, lt.day);
            out[*n].kind = kind;
            out[*n].starts_at = t[0];
        }
        (*n)++;
    }
    return rc;
}

void mg_schedule_local_text(char *out, size_t n, const char *tzid, int64_t t,
                            char sep)
{
    struct mg_local_time lt;

    if (n)
        out[0] = '\0';
    if (mg_schedule_utc_to_local(&lt, tzid, t, NULL) == 0)
        snprintf(out, n, "%04d-%02d-%02d%c%02d:%02d", lt.year, lt.month, lt.day,
                 sep, lt.hour, lt.minute);
}
