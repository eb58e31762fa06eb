/*
 * attendance: who came to a session, from an imported report, and the
 * flat rows of answers and attendance the report module counts.
 */
#ifndef MINGLE_STORE_ATTENDANCE_H
#define MINGLE_STORE_ATTENDANCE_H

#include <stddef.h>
#include <stdint.h>

#include "mingle/core.h"
#include "mingle/store/calendar.h"

struct mg_store;

/*
 * Attendance: one row per member and session, from an imported report.
 * Replace deletes the session's rows and writes `rows` in one
 * transaction (a re-import replaces the last one).
 */
struct mg_attendance_row {
    int64_t participant_id;
    int present;
    int minutes;
    char source[16]; /* "zoom", "teams" */
    int64_t recorded_at;
    char *name; /* read only: the participant's name */
};

int mg_store_attendance_replace(struct mg_store *st, int64_t session_id,
                                const struct mg_attendance_row *rows, size_t n);
/* A session's rows by participant id; mg_store_attendance_free(). */
int mg_store_attendance_list(struct mg_attendance_row **out, size_t *n,
                             struct mg_store *st, int64_t session_id);
/* Free `n` attendance rows with their names; NULL is fine. */
void mg_store_attendance_free(struct mg_attendance_row *rows, size_t n);

/*
 * For reports: every answer (RSVP, `status`) or attendance row
 * (`present`) of circle `circle_id`'s sessions, by session then person.
 * *out is the caller's; free() it.
 */
struct mg_mark_row {
    int64_t session_id;
    int64_t participant_id;
    enum mg_store_rsvp_status status; /* answers; NONE for attendance */
    int present;                      /* attendance */
};

int mg_store_report_rsvps(struct mg_mark_row **out, size_t *n,
                          struct mg_store *st, int64_t circle_id);
int mg_store_report_attendance(struct mg_mark_row **out, size_t *n,
                               struct mg_store *st, int64_t circle_id);

/*
 * Plenary attendance (plenary_attendance.c): who came to occurrence
 * `week` (1-based) of a plenary. Replace writes `rows` and the
 * occurrence's import record (`source`, how many of the report matched
 * nobody) in one transaction, dropping what an earlier import wrote.
 */
int mg_store_plenary_attendance_replace(struct mg_store *st, int64_t plenary_id,
                                        int week,
                                        const struct mg_attendance_row *rows,
                                        size_t n, const char *source,
                                        int unmatched);
/* Occurrence `week`'s rows by participant id; mg_store_attendance_free(). */
int mg_store_plenary_attendance_list(struct mg_attendance_row **out, size_t *n,
                                     struct mg_store *st, int64_t plenary_id,
                                     int week);

/* One recorded occurrence of a plenary, for reports. */
struct mg_store_plenary_week {
    int64_t plenary_id;
    int week;
    int came;      /* registrations marked present */
    int unmatched; /* people in the report matched to nobody */
    char source[16];
    int64_t recorded_at;
};
/* Every recorded occurrence of circle `circle_id`'s plenaries, by
 * plenary then week; *out is the caller's, free() it. */
int mg_store_report_plenary_weeks(struct mg_store_plenary_week **out, size_t *n,
                                  struct mg_store *st, int64_t circle_id);

#endif
