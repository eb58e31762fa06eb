/*
 * schedule: when calls happen. Session instants come from a circle's
 * slot, the week number and its IANA time zone, correct across daylight
 * saving changes. libical provides the time zone data.
 */
#ifndef MINGLE_SCHEDULE_H
#define MINGLE_SCHEDULE_H

#include <stdint.h>

#include "mingle/core.h"

/*
 * True if `tzid` names a time zone libical knows (the system's zoneinfo),
 * e.g. "Pacific/Auckland" or "UTC". Safe to call from several threads.
 */
int mg_schedule_tz_valid(const char *tzid);

/* Free libical's cached zones; call once at exit (keeps leak checkers
 * quiet). */
void mg_schedule_shutdown(void);

/* A wall-clock time in some zone. */
struct mg_local_time {
    int year, month, day;     /* Gregorian date */
    int hour, minute, second; /* 0..23, 0..59, 0..59 */
    int weekday;              /* utc_to_local only: 1 = Monday ... 7 = Sunday */
    int utc_offset;           /* utc_to_local only: seconds east of UTC */
};

/*
 * The UTC instant at which the wall clock in `tzid` shows `local`
 * (weekday and utc_offset are ignored). A time that does not exist
 * (skipped when clocks go forward) moves forward by the gap: 02:30 on a
 * night that jumps from 02:00 to 03:00 gives 03:30. A time that happens
 * twice (clocks go back) gives the first, daylight, instant. MG_EINVAL
 * for an unknown zone or an impossible date or time.
 */
int mg_schedule_local_to_utc(int64_t *out, const char *tzid,
                             const struct mg_local_time *local,
                             struct mg_error *err);

/* How often a wall-clock time happens in a zone that day. */
enum mg_wall_kind {
    MG_WALL_PLAIN,   /* once */
    MG_WALL_SKIPPED, /* never: clocks jump over it (a daylight-saving gap) */
    MG_WALL_REPEATED /* twice: clocks go back over it */
};

/* Whether `local` (weekday and utc_offset ignored) happens once, never
 * or twice in `tzid`; MG_EINVAL as mg_schedule_local_to_utc. */
int mg_schedule_wall_kind(enum mg_wall_kind *out, const char *tzid,
                          const struct mg_local_time *local,
                          struct mg_error *err);

/* mg_schedule_local_to_utc and mg_schedule_wall_kind in one. */
int mg_schedule_local_instant(int64_t *out, enum mg_wall_kind *kind,
                              const char *tzid,
                              const struct mg_local_time *local,
                              struct mg_error *err);

/* What the wall clock in `tzid` shows at UTC instant `t`, with the offset. */
int mg_schedule_utc_to_local(struct mg_local_time *out, const char *tzid,
                             int64_t t, struct mg_error *err);

/* UTC instant `t` as the wall clock in `tzid` shows it, "2027-03-23
 * 19:30" (`sep` between date and time: ' ' or 'T'), or "" when it cannot
 * be converted. `out` takes 17 bytes. */
void mg_schedule_local_text(char *out, size_t n, const char *tzid, int64_t t,
                            char sep);

/*
 * The UTC instant of week `week` (1-based) of a circle that starts on
 * `start_date` (YYYY-MM-DD): the first `weekday` (1 = Monday ... 7 =
 * Sunday) on or after start_date + 7 * (week - 1), at `start_minute`
 * after local midnight in `tzid`. The wall time stays the same across
 * daylight saving changes (gaps and overlaps as mg_schedule_local_to_utc).
 */
int mg_schedule_session_start(int64_t *out, const char *tzid,
                              const char *start_date, int week, int weekday,
                              int start_minute, struct mg_error *err);

/* A week of a slot whose wall time is skipped or repeated that day. */
struct mg_schedule_odd_week {
    int week;               /* 1-based */
    char date[11];          /* YYYY-MM-DD, local */
    enum mg_wall_kind kind; /* MG_WALL_SKIPPED or MG_WALL_REPEATED */
    int64_t starts_at;      /* the session's instant (as session_start) */
};

/*
 * The weeks 1..`weeks` of a slot (as mg_schedule_session_start) whose
 * local time is skipped or repeated in `tzid`: calendar readers disagree
 * on where such a time falls. *n is how many there are; the first `max`
 * of them go to `out`.
 */
int mg_schedule_odd_weeks(struct mg_schedule_odd_week *out, size_t max,
                          size_t *n, const char *tzid, const char *start_date,
                          int weeks, int weekday, int start_minute,
                          struct mg_error *err);

/*
 * The lock around libical's time zone code (its zone cache is not
 * thread-safe). `ical` takes it for the zones it builds itself.
 */
void mg_schedule_lock(void);
void mg_schedule_unlock(void);

#endif
