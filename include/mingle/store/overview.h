/*
 * overview: what a circle's pages show at a glance, counted by SQL
 * rather than by loading the circle: how many people of each status,
 * sector and region are in each group, with the counts the planner's
 * rules are checked against, and the report's circle-wide figures. The
 * answers are a few rows per group and week, never a row per person, so
 * a page costs about the same memory at 200 people as at 50,000. The
 * store only counts; what the counts mean is the group and report
 * modules' (rules), and the caller's.
 */
#ifndef MINGLE_STORE_OVERVIEW_H
#define MINGLE_STORE_OVERVIEW_H

#include <stddef.h>
#include <stdint.h>

#include "mingle/core.h"

struct mg_store;

/*
 * One count of a circle's people: those of one status in one group
 * (group_id 0: in none), with one sector and one region as stored (NULL
 * for none or ""; the caller compares them as it will, e.g. without
 * case). The other figures count its active people as mg_assign_load()
 * sees them: facilitators; members who cannot make
 * their group's slot (their availability names a slot of the circle,
 * among its first 32, but not the group's; a group's slot that is not
 * the circle's counts as its first); members in their first wished
 * thread, or in any (wishes: the first three by rank, of the circle's
 * threads); people with such a wish at all.
 */
struct mg_store_mix_row {
    char status[16]; /* "active", "waitlisted", "withdrawn" */
    int64_t group_id;
    char *sector, *region;
    int people;
    int facilitators, slot_misses, wishes_first, wishes_any, wishers;
};

/* With and apart links between active people of the circle (a link to
 * an address not among them is none), and those whose two people are
 * in the same group. */
struct mg_store_links {
    int together_total, together_met;
    int apart_total, apart_met;
};

struct mg_store_mix {
    struct mg_store_mix_row *rows;
    size_t n_rows;
    struct mg_store_links links;
};

/* Circle `circle_id`'s counts into *out (zeroed first; release it with
 * mg_store_mix_release either way). A circle that does not exist has
 * none. */
int mg_store_circle_mix(struct mg_store_mix *out, struct mg_store *st,
                        int64_t circle_id);
void mg_store_mix_release(struct mg_store_mix *m);

/*
 * The success report's circle-wide figures, by the definitions of
 * mingle/report.h, over the sessions of the circle's groups (week 1 and
 * later): sessions not cancelled, those with attendance recorded,
 * distinct people with an active invitation, answers, present marks;
 * attendees (distinct people of the circle present at least once),
 * those present twice or more, their sectors and regions (as stored,
 * most people first, then by name); per week the recorded sessions,
 * present marks and how many of the week-1 cohort came.
 */
struct mg_store_week_sums {
    int week;
    int sessions; /* recorded */
    int attended;
    int retained;
};

struct mg_store_named_count {
    char *name;
    int people;
};

struct mg_store_report_sums {
    int sessions, recorded, invited;
    int accepted, declined, tentative;
    int attended, attendees, came_back, cohort;
    int max_week;                     /* the latest week of a session */
    struct mg_store_week_sums *weeks; /* weeks with a record, in order */
    size_t n_weeks;
    struct mg_store_named_count *sectors, *regions;
    size_t n_sectors, n_regions;
};

int mg_store_report_sums(struct mg_store_report_sums *out, struct mg_store *st,
                         int64_t circle_id);
void mg_store_report_sums_release(struct mg_store_report_sums *s);

/*
 * How many of the circle's outbox messages are in each state, counts[0]
 * to [3] for "queued", "sending", "sent" and "failed": the whole count
 * from the circle's index, the unsent ones through the due index (few,
 * once a send-out is done), sent as the rest; never a read of every
 * message's row.
 */
int mg_store_outbox_counts(size_t counts[4], struct mg_store *st,
                           int64_t circle_id);

/*
 * The active members of some of the circle's groups (`group_ids`, up to
 * a few hundred), by group id and then person id: what a page of groups
 * shows of each member. Free with mg_store_member_rows_free().
 */
struct mg_store_member_row {
    int64_t id;
    int64_t group_id;                     /* 0: in none */
    char *name, *email, *sector, *region; /* as stored; may be NULL */
    char role[16];
    char status[16];
};
int mg_store_group_members(struct mg_store_member_row **out, size_t *n,
                           struct mg_store *st, int64_t circle_id,
                           const int64_t *group_ids, size_t n_ids);
void mg_store_member_rows_free(struct mg_store_member_row *rows, size_t n);

/*
 * The circle's people of every status with ids above `after`, by id, at
 * most `limit` of them (0: all): the few columns a list or a download
 * shows, read in the table's order (no slots, wishes or links). Free
 * with mg_store_member_rows_free().
 */
int mg_store_people_rows(struct mg_store_member_row **out, size_t *n,
                         struct mg_store *st, int64_t circle_id, int64_t after,
                         int limit);

/* The sessions of the circle's groups in one query, by group position
 * and week (what mg_store_sessions_for_group() gives for each group);
 * free() the array. */
int mg_store_circle_group_sessions(struct mg_session_row **out, size_t *n,
                                   struct mg_store *st, int64_t circle_id);

/* How many people of each status and how many groups circle `circle_id`
 * has, from one scan of its people and the groups' index. */
struct mg_store_status_counts {
    size_t active, waitlisted, withdrawn, groups;
};
int mg_store_circle_status_counts(struct mg_store_status_counts *out,
                                  struct mg_store *st, int64_t circle_id);

/* The report's facts, only what it counts: each active invitation's
 * group and person, and the people of the circle present at one of its
 * groups' calls at least once (id, sector and region alone; the other
 * strings NULL). free() the pairs; mg_store_member_rows_free() the rows. */
struct mg_store_invite_pair {
    int64_t group_id;
    int64_t participant_id;
};
int mg_store_active_invites(struct mg_store_invite_pair **out, size_t *n,
                            struct mg_store *st, int64_t circle_id);
int mg_store_attendee_rows(struct mg_store_member_row **out, size_t *n,
                           struct mg_store *st, int64_t circle_id);

#endif
