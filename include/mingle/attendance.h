/*
 * attendance: who came to a weekly call, from the participant report the
 * video platform exports (Zoom's and Microsoft Teams' CSV), and the
 * matching of the people in it to a group's members. Reading and
 * matching take and return plain structs; mg_attendance_import() is the
 * glue that loads the session's members from `store` and stores the result.
 */
#ifndef MINGLE_ATTENDANCE_H
#define MINGLE_ATTENDANCE_H

#include <stddef.h>
#include <stdint.h>

#include "mingle/core.h"
#include "mingle/people.h"

/* Reports larger than this are refused (a 1,000-person call is ~200 KB). */
#define MG_ATTENDANCE_MAX_INPUT (8 * 1024 * 1024)
/* A person's minutes are capped here (a year), whatever the times say. */
#define MG_ATTENDANCE_MAX_MINUTES (366 * 24 * 60)
/* Percent of the call's scheduled length a member must have been in it
 * to count as present (at least one minute). */
#define MG_ATTENDANCE_PRESENT_SHARE 10

/* One person of a report, their rejoins merged. */
struct mg_attendee {
    char *name;  /* as in the report (the first row's); never NULL */
    char *email; /* as in the report, NULL when it gave none */
    int minutes; /* time in the call; overlapping rows counted once,
                    at most MG_ATTENDANCE_MAX_MINUTES */
    int joins;   /* rows merged into this person */
    /* Wall-clock times as written (the report's own zone), in seconds
     * since 1970-01-01 00:00 of that clock; 0 when the report has none. */
    int64_t first_join;
    int64_t last_leave;
    int line; /* where the person first appears */
};

struct mg_attendance_report {
    const char *format; /* "zoom" or "teams" (static) */
    struct mg_attendee *people;
    size_t n;
};

/*
 * Read a participant report, telling the format from its header row:
 *   - Zoom's webinar attendee report ("Attendee Report", a summary, then
 *     "Host Details", "Panelist Details", "Attendee Details" sections,
 *     each with its header "Attended,User Name (Original Name),...";
 *     rows whose "Attended" is not "Yes" are no-shows and skipped);
 *   - Zoom's participants export ("Name (Original Name)", "User Email",
 *     "Join Time", "Leave Time", "Duration (Minutes)", ...; one row per
 *     join; with or without the meeting summary rows above it; or the
 *     "unique users" variant with "Total Duration (Minutes)");
 *   - Teams' attendance report ("1. Summary", "2. Participants",
 *     "3. In-Meeting Activities"; UTF-16LE with TABs or UTF-8 with
 *     commas): the activities section (one row per join) when present,
 *     else the participants section;
 *   - Teams' older export ("Full Name", "User Action", "Timestamp": one
 *     row per Joined/Left).
 * UTF-8 and UTF-16 (with a BOM, or LE without) are read; fields may be
 * quoted as in RFC 4180. Rows of the same person (same email, else same
 * name) are merged. Anything malformed is MG_EINVAL with "line N: ..."
 * in `err`, and an unknown header is refused. On success `out` holds the
 * people in order of first appearance, the caller's to release with
 * mg_attendance_report_release().
 */
int mg_attendance_parse(struct mg_attendance_report *out, const char *data,
                        size_t len, struct mg_error *err);
void mg_attendance_report_release(struct mg_attendance_report *r);

/*
 * A person's name as matching compares it: trailing parenthesised parts
 * dropped ("Ana Cole (Host)", "Sam (she/her)"), spaces collapsed, ASCII
 * letters lower-cased (other characters, accents included, kept).
 * The caller frees it.
 */
char *mg_attendance_name_key(const char *name);

enum mg_match_by { MG_MATCH_NONE, MG_MATCH_EMAIL, MG_MATCH_NAME };

struct mg_attendance_match {
    long member; /* index into the members, or -1 */
    enum mg_match_by by;
};

/*
 * Match each person of `r` to one of `members`: by email (any case)
 * first; failing that by name (mg_attendance_name_key(), also tried on
 * the part in parentheses, as Zoom writes "Renamed (Original Name)"),
 * only when exactly one member has it ("Lee, Ben" is also read as "Ben
 * Lee"). Two people of a report may match
 * the same member (someone on a laptop and a phone). `out` has r->n
 * entries, filled in here.
 */
void mg_attendance_match(struct mg_attendance_match *out,
                         const struct mg_attendance_report *r,
                         const struct mg_participant *members,
                         size_t n_members);

/* Whether `minutes` of a call of `call_minutes` counts as present. */
int mg_attendance_is_present(int minutes, int call_minutes);

/* A member's line in an import's result. */
struct mg_attendance_entry {
    int64_t participant_id;
    char *name;        /* the member's name */
    char *report_name; /* as in the report; NULL for the absent */
    int minutes;
    int present;
    enum mg_match_by by;
};

struct mg_attendance_result {
    const char *format;                  /* static */
    int64_t session_id;                  /* 0 for a plenary's occurrence */
    int64_t plenary_id;                  /* 0 for a group session */
    int week;                            /* the plenary's occurrence, 1-based */
    struct mg_attendance_entry *matched; /* in the report, by member id */
    size_t n_matched;
    struct mg_attendance_entry *absent; /* members not in it, by id */
    size_t n_absent;
    struct mg_attendee *unmatched; /* in the report, no member found */
    size_t n_unmatched;
};

void mg_attendance_result_release(struct mg_attendance_result *res);

struct mg_store;

/*
 * Import a report for session `session_id` of circle `circle_id`: read
 * it, match its people to the members of the session's group (people in
 * that group now, withdrawn ones only if they came), and replace the
 * session's attendance in one transaction: a row for each matched member
 * (present per mg_attendance_is_present(), minutes summed) and an absent
 * row (0 minutes) for every other active member. The unmatched are
 * returned, not stored. A malformed report is MG_EINVAL with `err` and
 * nothing written; MG_ENOTFOUND for an unknown session or one without a
 * group. On success `out` is the caller's (mg_attendance_result_release).
 */
int mg_attendance_import(struct mg_attendance_result *out, struct mg_store *st,
                         int64_t circle_id, int64_t session_id,
                         const char *data, size_t len, struct mg_error *err);

/*
 * Record who came to session `session_id` as a facilitator tells it: the
 * members in `present` came (for the whole call), every other active
 * member of the session's group did not; replaces the session's
 * attendance, with `source` ("facilitator", "api"). MG_EINVAL when
 * someone named is not in the group, MG_ENOTFOUND for an unknown session.
 */
int mg_attendance_record(size_t *n_present, size_t *n_absent,
                         struct mg_store *st, int64_t circle_id,
                         int64_t session_id, const int64_t *present, size_t n,
                         const char *source, struct mg_error *err);

/*
 * Import a report for occurrence `week` (1-based) of plenary
 * `plenary_id` of circle `circle_id`, as mg_attendance_import() does for
 * a group session, with the plenary's registrations for members: anyone
 * registered, waitlisted or gone who is in the report is matched (and
 * counts as came when present), everyone registered who is not gets an
 * absent row. Zoom's webinar attendee report (its no-shows skipped) and
 * Teams' webinar export are read as well as the meeting reports. The
 * occurrence's earlier import is replaced and the number of unmatched
 * people kept with it. MG_ENOTFOUND for an unknown plenary, MG_EINVAL
 * (with `err` naming "week") for a week the plenary does not have.
 */
int mg_attendance_import_plenary(struct mg_attendance_result *out,
                                 struct mg_store *st, int64_t circle_id,
                                 int64_t plenary_id, int week, const char *data,
                                 size_t len, struct mg_error *err);

#endif
