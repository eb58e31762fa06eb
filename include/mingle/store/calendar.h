/*
 * calendar: the weekly sessions of each group, each member's invitation
 * series and their answers (RSVPs). Building the iCalendar is the
 * calendar module's; the store keeps what was sent and what came back.
 */
#ifndef MINGLE_STORE_CALENDAR_H
#define MINGLE_STORE_CALENDAR_H

#include <stddef.h>
#include <stdint.h>

#include "mingle/core.h"

struct mg_store;

/* A session is held or called off; stored as "confirmed" or "cancelled". */
enum mg_store_session_status {
    MG_STORE_SESSION_CONFIRMED,
    MG_STORE_SESSION_CANCELLED
};

/* The stored (and API) name of a session status. */
const char *mg_store_session_status_name(enum mg_store_session_status s);
/* The reverse; MG_EINVAL for anything else. */
int mg_store_session_status_parse(enum mg_store_session_status *out,
                                  const char *name);

/*
 * Sessions: one row per group and week, the instant it happens (UTC) and
 * the instant the weekly rule gives (they differ when it was moved).
 */
struct mg_session_row {
    int64_t id;
    int64_t group_id;
    int week;
    int64_t starts_at;
    int64_t original_starts_at;
    int minutes;
    enum mg_store_session_status status;
};

/* A group's sessions by week; free() the array. */
int mg_store_sessions_for_group(struct mg_session_row **out, size_t *n,
                                struct mg_store *st, int64_t group_id);
/* Every session of circle `circle_id`, by group and week, in one query
 * (not one per group); free() the array. */
int mg_store_sessions_for_circle(struct mg_session_row **out, size_t *n,
                                 struct mg_store *st, int64_t circle_id);
/* Session `session_id` of circle `circle_id` into *out; MG_ENOTFOUND. */
int mg_store_session_get(struct mg_session_row *out, struct mg_store *st,
                         int64_t circle_id, int64_t session_id);
/* Add a group's sessions (rows' ids are filled in). */
int mg_store_sessions_insert(struct mg_store *st, int64_t circle_id,
                             struct mg_session_row *rows, size_t n);
/*
 * Move or cancel one session; the group's sequence goes up in the same
 * transaction, so calendars and invitations see the change.
 */
int mg_store_session_update(struct mg_store *st, int64_t circle_id,
                            int64_t session_id, int64_t starts_at,
                            enum mg_store_session_status status);
/* Cancel a group's whole series (or confirm it again); sequence up. */
int mg_store_group_series_status(struct mg_store *st, int64_t circle_id,
                                 int64_t group_id,
                                 enum mg_store_session_status status);

/*
 * Move a group's whole series to slot `slot_id`: starts[w] is the new
 * instant of week w + 1 (moved single sessions follow the new rule too),
 * all in one transaction with the sequence bump.
 */
int mg_store_group_move_series(struct mg_store *st, int64_t circle_id,
                               int64_t group_id, int64_t slot_id,
                               const int64_t *starts, int minutes, int weeks);

/*
 * Give sessions new instants: each row's starts_at and
 * original_starts_at by its id, and the sequence of each group whose
 * sessions are among them up once, in one transaction.
 */
int mg_store_sessions_retime(struct mg_store *st, int64_t circle_id,
                             const struct mg_session_row *rows, size_t n);

/*
 * mg_store_circle_update() and mg_store_sessions_retime() of `rows` (of
 * circle c->id) in one transaction: a circle whose zone changed and its
 * calls move together or not at all.
 */
struct mg_circle;
int mg_store_circle_update_retimed(struct mg_store *st, struct mg_circle *c,
                                   const struct mg_session_row *rows, size_t n);

/* An invitation series is live, or was called off (a CANCEL was sent);
 * stored as "active" or "cancelled". */
enum mg_store_invite_state {
    MG_STORE_INVITE_ACTIVE,
    MG_STORE_INVITE_CANCELLED
};

/* The stored name of an invite state. */
const char *mg_store_invite_state_name(enum mg_store_invite_state s);

/* Each member's invitation series for one group. */
struct mg_invite_row {
    int64_t id;
    int64_t group_id;
    int64_t participant_id;
    char uid[64];
    int sequence;
    int group_sequence; /* the group's sequence last sent */
    enum mg_store_invite_state state;
    char summary[256]; /* what the member was last sent, for a CANCEL */
    int64_t first_start;
    int minutes;
    int weeks;
};

/* All the circle's invites; free() the array. */
int mg_store_invites_list(struct mg_invite_row **out, size_t *n,
                          struct mg_store *st, int64_t circle_id);

/*
 * One change to an invite and the message that tells the member. The
 * invite is created (id 0) or updated only if its sequence is still
 * `expect_sequence` (someone else may have got there first: then the
 * action is skipped). The message goes in the outbox with `dedupe_key`,
 * which is unique, so the same message is never queued twice.
 */
struct mg_invite_action {
    int64_t invite_id;
    int expect_sequence;
    int64_t group_id;
    int64_t participant_id;
    const char *uid;
    int sequence;
    int group_sequence;
    enum mg_store_invite_state state;
    const char *summary; /* the series as sent (kept for a later CANCEL) */
    int64_t first_start;
    int minutes;
    int weeks;
    const char *kind; /* outbox kind: "invite" or "cancel" */
    const char *recipient;
    const char *subject;
    const char *message;
    size_t len;
    const char *format; /* how `message` is stored: "mime" (NULL) or "imip" */
    const char *parts;  /* "imip": the rest of the message (see mail.h) */
    const char *dedupe_key;
};

/* Apply the actions and queue their mail in one transaction; *queued
 * says how many messages were queued. */
int mg_store_invites_apply(size_t *queued, struct mg_store *st,
                           int64_t circle_id, const struct mg_invite_action *a,
                           size_t n);

/*
 * Feed marks: the SHA-256 (hex) of the body a feed was last served with
 * and since when, for participant `participant_id`'s feed, or group
 * `group_id`'s (participant_id 0). *modified is the mark's time when
 * `sha256` is the body marked; otherwise the mark moves to this body at
 * `now`, or one second past the old mark if `now` is not later, so a
 * feed's Last-Modified moves only when its body changes, and only
 * forward. A mark goes with its participant or group.
 */
int mg_store_feed_mark(int64_t *modified, struct mg_store *st,
                       int64_t circle_id, int64_t participant_id,
                       int64_t group_id, const char *sha256, int64_t now);

/*
 * Calendar failures: a group whose invitations could not be made in the
 * last reconcile that looked at it, and why. `name` is the group's (""
 * once it is gone).
 */
struct mg_calendar_failure_row {
    int64_t group_id;
    char name[128];
    char cause[256];
    int64_t at;
};

/*
 * Record what a reconcile of circle `circle_id` found, in one
 * transaction: the failures of the groups in `failed` (their cause
 * replaces an older one) and none any more for the groups in `fine`, or
 * for every other group of the circle when `all` is set (a whole-circle
 * reconcile).
 */
int mg_store_calendar_failures_record(
    struct mg_store *st, int64_t circle_id, int all, const int64_t *fine,
    size_t n_fine, const struct mg_calendar_failure_row *failed,
    size_t n_failed);
/* The circle's calendar failures by group id; free() the array. */
int mg_store_calendar_failures_list(struct mg_calendar_failure_row **out,
                                    size_t *n, struct mg_store *st,
                                    int64_t circle_id);

/* A member's answer; NONE only in a report row that is not an answer.
 * Stored as "accepted", "declined", "tentative". */
enum mg_store_rsvp_status {
    MG_STORE_RSVP_NONE,
    MG_STORE_RSVP_ACCEPTED,
    MG_STORE_RSVP_DECLINED,
    MG_STORE_RSVP_TENTATIVE
};

/* The stored (and API) name of an answer ("" for NONE). */
const char *mg_store_rsvp_status_name(enum mg_store_rsvp_status s);
/* The reverse, for the three answers; MG_EINVAL for anything else. */
int mg_store_rsvp_status_parse(enum mg_store_rsvp_status *out,
                               const char *name);

/*
 * RSVPs: a member's answer for each session of their group ("accepted",
 * "declined" or "tentative"), from an emailed iTIP REPLY ("email") or
 * their page ("page"), with the SEQUENCE of the invitation it answers.
 */
struct mg_rsvp_row {
    int64_t session_id;
    int64_t participant_id;
    enum mg_store_rsvp_status status;
    char source[16];
    int sequence;
    int64_t updated_at;
    char *name; /* read only: the participant's name */
};

/* An invite whose UID is `uid` (the first, when a group's members share
 * it), and its circle. MG_ENOTFOUND. */
int mg_store_invite_by_uid(struct mg_invite_row *out, int64_t *circle_id,
                           struct mg_store *st, const char *uid);
/*
 * The invite with UID `uid` sent to the member whose normalized address
 * is `email_norm` (the members of a group share their series' UID), and
 * its circle. MG_ENOTFOUND.
 */
int mg_store_invite_by_uid_email(struct mg_invite_row *out, int64_t *circle_id,
                                 struct mg_store *st, const char *uid,
                                 const char *email_norm);
/* The member's newest invite for group `group_id`. MG_ENOTFOUND. */
int mg_store_invite_for(struct mg_invite_row *out, struct mg_store *st,
                        int64_t group_id, int64_t participant_id);

/* One answer for a list of sessions. */
struct mg_rsvp_answer {
    int64_t invite_id; /* 0: no invite to check against */
    int64_t participant_id;
    const int64_t *session_ids;
    size_t n_sessions;
    enum mg_store_rsvp_status status;
    const char *source;
    int sequence; /* of the invitation answered */
};

/*
 * Record answer `a` for each of its sessions in one transaction. When
 * the invite's sequence is above a->sequence the answer is stale: *stale
 * is 1 and nothing is written. A session whose stored answer has a
 * higher sequence keeps it. *written (may be NULL) counts rows written.
 */
int mg_store_rsvps_record(int *stale, size_t *written, struct mg_store *st,
                          const struct mg_rsvp_answer *a);

/* A session's answers by participant id, with names; or a participant's
 * by session id. Free with mg_store_rsvps_free(). */
int mg_store_rsvps_for_session(struct mg_rsvp_row **out, size_t *n,
                               struct mg_store *st, int64_t session_id);
int mg_store_rsvps_for_participant(struct mg_rsvp_row **out, size_t *n,
                                   struct mg_store *st, int64_t participant_id);
/* Free `n` answers with their names; NULL is fine. */
void mg_store_rsvps_free(struct mg_rsvp_row *rows, size_t n);

#endif
