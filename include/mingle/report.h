/*
 * report: how a circle is going, per session, per group and for the whole
 * circle, computed from plain facts (who is invited, who answered what,
 * who came) and written as CSV or Markdown. mg_report_load() is the glue
 * that gathers the facts from `store`; JSON is `json`'s to build.
 */
#ifndef MINGLE_REPORT_H
#define MINGLE_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "mingle/core.h"
#include "mingle/survey.h"

/*
 * Definitions, used everywhere a figure appears:
 *
 * - invited (session): people with an active invitation to the session's
 *   group (invites.state = 'active'). It is today's list: someone moved
 *   to another group counts in the new group's past sessions too.
 * - invited (group, circle): distinct people with such an invitation.
 * - accepted, declined, tentative: answers (RSVPs) with that status for
 *   the session; for a group or the circle, the sum over its sessions
 *   (person-sessions). Other statuses are not counted.
 * - attended: people marked present in the session's imported report;
 *   for a group or the circle, the sum over its sessions.
 * - recorded: the session has an imported report (any attendance row).
 * - average: attended / sessions recorded, over those sessions only (a
 *   session without a report is unknown, not empty); 0 when none is.
 * - attendees: distinct people present at least once; "came back":
 *   distinct people present at two or more sessions.
 * - sectors and regions: those of the attendees, each with how many
 *   attendees have it; people without one are left out.
 * - target: the circle's attendance target, people per call; it is met
 *   when the circle's average is at least the target.
 * - retention: the week-1 cohort is everyone present at a week-1 session
 *   of any group; for week w, retained = how many of the cohort were
 *   present at a week-w session. Week 1's retained is the cohort.
 *
 * Plenaries (whole-circle sessions) are reported beside the groups, not
 * in their sums:
 * - registered, waitlisted (occurrence): today's places and waitlist of
 *   the plenary (a registration is for the whole series).
 * - came (occurrence): registrations marked present in the occurrence's
 *   imported report; unmatched: people in that report matched to no
 *   registration (guests, hosts, people who joined under another name).
 * - recorded: the occurrence has an imported report.
 * - average (plenary): came / occurrences recorded, 0 when none is;
 *   the target (people per call) is met when the average reaches it.
 * - accepted, declined, tentative (occurrence): registrations whose
 *   calendar answer for that call is that (an answer to the series
 *   counts for each call; the answers kept are those of the people
 *   registered now); no answer: registered minus those, never below 0.
 *   For the plenary, the sums over its occurrences (person-calls).
 */

/* The facts, borrowed: the report copies what it keeps. */
struct mg_report_person {
    int64_t id;
    const char *sector; /* NULL or "": none */
    const char *region; /* NULL or "": none */
};

struct mg_report_group_in {
    int64_t id;
    const char *name;
};

struct mg_report_session_in {
    int64_t id;
    int64_t group_id; /* one of the groups, else the session is ignored */
    int week;         /* 1-based */
    int64_t starts_at;
    int cancelled;
};

/* An active invitation of a person to a group's series. */
struct mg_report_invite {
    int64_t group_id;
    int64_t participant_id;
};

enum mg_report_answer {
    MG_ANSWER_OTHER,
    MG_ANSWER_ACCEPTED,
    MG_ANSWER_DECLINED,
    MG_ANSWER_TENTATIVE
};

/* An RSVP, or (answer unused) an attendance row. */
struct mg_report_mark {
    int64_t session_id;
    int64_t participant_id;
    enum mg_report_answer answer; /* RSVPs */
    int present;                  /* attendance */
};

/* A plenary and one recorded occurrence of it. */
struct mg_report_plenary_in {
    int64_t id;
    const char *title;
    int weeks;             /* occurrences */
    const int64_t *starts; /* `weeks` start instants, or NULL */
    int capacity, target;  /* target 0: none */
    int registered, waitlisted;
    int cancelled;
};

struct mg_report_plenary_mark {
    int64_t plenary_id;
    int week; /* 1-based */
    int came, unmatched;
};

/* How many registrations answered each way for one call of a plenary
 * (a repeated plenary and week replaces the earlier row). */
struct mg_report_plenary_answers {
    int64_t plenary_id;
    int week; /* 1-based */
    int accepted, declined, tentative;
};

struct mg_report_input {
    int64_t circle_id;
    const char *title;
    int target; /* 0: none */
    int weeks;  /* the circle's; retention has a row per week */
    const struct mg_report_person *people;
    size_t n_people;
    const struct mg_report_group_in *groups;
    size_t n_groups;
    const struct mg_report_session_in *sessions;
    size_t n_sessions;
    const struct mg_report_invite *invites;
    size_t n_invites;
    const struct mg_report_mark *answers;
    size_t n_answers;
    const struct mg_report_mark *attendance;
    size_t n_attendance;
    const struct mg_report_plenary_in *plenaries;
    size_t n_plenaries;
    const struct mg_report_plenary_mark *plenary_weeks;
    size_t n_plenary_weeks;
    const struct mg_report_plenary_answers *plenary_answers;
    size_t n_plenary_answers;
};

/* A sector or region and how many attendees have it. */
struct mg_report_count {
    char *name;
    int people;
};

/* What a group and the circle share. */
struct mg_report_totals {
    int sessions; /* not cancelled */
    int recorded; /* sessions with a report */
    int invited;  /* distinct people */
    int accepted, declined, tentative;
    int attended;   /* sum over sessions */
    double average; /* attended / recorded, 0 when none */
    int attendees;  /* distinct people present at least once */
    int came_back;  /* distinct people present at two or more */
    struct mg_report_count *sectors; /* by people, then name */
    size_t n_sectors;
    struct mg_report_count *regions;
    size_t n_regions;
};

struct mg_report_session {
    int64_t id;
    int64_t group_id;
    size_t group; /* index into groups */
    int week;
    int64_t starts_at;
    int cancelled;
    int invited, accepted, declined, tentative, attended;
    int recorded;
};

struct mg_report_group {
    int64_t id;
    char *name;
    struct mg_report_totals t;
};

struct mg_report_week {
    int week;
    int sessions; /* recorded sessions that week, all groups */
    int attended; /* present that week, all groups */
    int retained; /* of the week-1 cohort, present this week */
};

struct mg_report_occurrence {
    int week;
    int64_t starts_at; /* 0 when unknown */
    int registered, waitlisted;
    int recorded;
    int came, unmatched; /* when recorded */
    int accepted, declined, tentative, no_answer;
};

struct mg_report_plenary {
    int64_t id;
    char *title;
    int capacity, target, cancelled;
    int registered, waitlisted;
    int recorded;   /* occurrences with a report */
    int came;       /* sum over them */
    double average; /* came / recorded, 0 when none */
    int target_met; /* target set, something recorded, average >= target */
    int accepted, declined, tentative; /* sums over the occurrences */
    struct mg_report_occurrence *weeks;
    size_t n_weeks;
};

struct mg_report {
    int64_t circle_id;
    char *title;
    int target;     /* 0: none */
    int target_met; /* target set, something recorded, average >= target */
    struct mg_report_totals t;
    struct mg_report_session *sessions; /* by week, then group order */
    size_t n_sessions;
    struct mg_report_group *groups; /* in the input's order */
    size_t n_groups;
    struct mg_report_week *weeks; /* weeks 1..input.weeks (or the latest
                                     session's week, if later) */
    size_t n_weeks;
    int cohort;                          /* retention's week-1 cohort */
    struct mg_report_plenary *plenaries; /* in the input's order */
    size_t n_plenaries;
    /* the evaluation survey's results (owned), or NULL when not loaded:
     * mg_report_load() loads them, mg_report_build() leaves them out */
    struct mg_survey_results *survey;
};

/*
 * Compute the report of `in`. Never fails; `out` is the caller's to
 * release with mg_report_release(). Rows naming unknown sessions or
 * groups are ignored, as are sessions of unknown groups.
 */
void mg_report_build(struct mg_report *out, const struct mg_report_input *in);
void mg_report_release(struct mg_report *r);

/*
 * CSV, one row per session, then one per plenary occurrence (kind
 * "plenary": no session or group id, the plenary's title for the group,
 * registered as invited, the registered's answers to the call as
 * accepted, declined and tentative, came as attended) with a header line (RFC
 * 4180: CRLF, fields with a comma, quote or line break quoted, quotes doubled;
 * a field a spreadsheet would run as a formula, as mg_sheet_needs_quote()
 * says, is prefixed with '). Appended to `b`.
 */
void mg_report_csv(struct mg_buf *b, const struct mg_report *r);
/*
 * The same a piece at a time, for an answer sent as it is written: where
 * the writing is (zeroed: at the start), and the next piece (the header
 * line first, then up to `max` sessions) appended to `b`. 1 once all is
 * written, else 0. mg_json_report_next() writes JSON the same way.
 */
struct mg_report_cursor {
    int part;
    size_t at;
};
int mg_report_csv_next(struct mg_buf *b, const struct mg_report *r,
                       struct mg_report_cursor *c, size_t max);

/*
 * The survey's results as CSV (RFC 4180 as above): one row per answer of
 * each question (question_id, question, kind, answer, count, share of
 * those who answered it, answered, mean for a scale), one per free text
 * (its text as the answer, no count), after a header line. Nothing but
 * the header when the report has no survey. Appended to `b`.
 */
void mg_report_survey_csv(struct mg_buf *b, const struct mg_report *r);

/*
 * Markdown: the circle's key figures, a table per group and one of
 * sessions, retention by week. Names are escaped (| \ ` * _ [ ] < > and
 * the like backslashed, line breaks made spaces). Appended to `b`.
 */
void mg_report_markdown(struct mg_buf *b, const struct mg_report *r);

/* The plenaries' part of the report, for callers that build one
 * without mg_report_build() (mg_report_load_summary). */
void mg_report_build_plenaries(struct mg_report *out,
                               const struct mg_report_input *in);

/* One CSV field or Markdown table cell, escaped as above, onto `b`. */
void mg_report_csv_field(struct mg_buf *b, const char *s);
void mg_report_md_text(struct mg_buf *b, const char *s);

/* "2027-03-23 06:30" (UTC) into `out`, "" for 0. */
void mg_report_time(char *out, size_t n, int64_t t);

struct mg_store;

/*
 * Gather circle `circle_id`'s facts from the store and build its report
 * into `out` (the caller's, mg_report_release). MG_ENOTFOUND for an
 * unknown circle, or the store's code.
 */
int mg_report_load(struct mg_report *out, struct mg_store *st,
                   int64_t circle_id);
/*
 * The report kept by a purge of the circle's personal data (which
 * mg_report_load() returns from then on): 1 with it in `out` (the
 * caller's, mg_report_release), 0 when the circle was never purged, or
 * the store's code.
 */
int mg_report_load_kept(struct mg_report *out, struct mg_store *st,
                        int64_t circle_id);

/*
 * The circle's figures alone, as mg_report_load() gives them (r->t,
 * weeks, cohort, target), from the store's sums rather than every
 * person, session and mark: no sessions and no groups. What a page
 * shows of a circle of any size.
 */
int mg_report_load_summary(struct mg_report *out, struct mg_store *st,
                           int64_t circle_id);

/*
 * The UTC instant of occurrence `week` (1-based) of a weekly plenary
 * whose first call is `first`: the same wall-clock time in `tzid`, 7 *
 * (week - 1) days later, across daylight saving changes. MG_EINVAL for
 * an unknown zone.
 */
int mg_report_occurrence_start(int64_t *out, const char *tzid, int64_t first,
                               int week);

#endif
