/*
 * calendar: the glue that turns a circle's groups into calls people see.
 * It makes each group's weekly sessions from its slot (with `schedule`),
 * renders feeds (with `ical`), and keeps every member's invitation series
 * in step with the groups: a REQUEST when someone joins a group or its
 * calls change, a CANCEL when they leave it (built with `mail`, queued in
 * the store's outbox in the same transaction as the invite's new state).
 */
#ifndef MINGLE_CALENDAR_H
#define MINGLE_CALENDAR_H

#include <stddef.h>
#include <stdint.h>

#include "mingle/auth.h"
#include "mingle/core.h"
#include "mingle/store.h"

/*
 * The call link of group `group_id` of the circle, as invitations, feeds,
 * pages and reminders give it: the group's own link, else the circle's
 * call_url_template filled in for the group ({circle}, {group} and the
 * group's stored {secret}), else the circle's video_url; *out (free())
 * is NULL when there is none. MG_ENOTFOUND for no such circle or group.
 */
int mg_calendar_group_call_link(char **out, struct mg_store *st,
                                int64_t circle_id, int64_t group_id);

/*
 * Circle `next`, stored, was `before`: when the link its groups without
 * their own use changed (its call_url_template, the slug the template
 * names, or with no template its video_url), those groups have their
 * sequence up and *group_ids (free()) lists them, for
 * mg_calendar_reconcile_scope() to send their members the update and
 * nobody else; else *n is 0.
 */
int mg_calendar_links_bump(int64_t **group_ids, size_t *n, struct mg_store *st,
                           const struct mg_circle *before,
                           const struct mg_circle *next);

/* Give every group of the circle that has none its weekly sessions. */
int mg_calendar_create_sessions(struct mg_store *st, int64_t circle_id);

/*
 * Store circle `next` (its id's circle, changed; mg_store_circle_update)
 * whose time zone or start date differs from the stored one, and move
 * its calls with it, in one transaction: calls not yet held (starting
 * after `now`) keep their local wall time in the new zone (a moved call
 * too), held calls keep their instant, and each group's weekly rule is
 * made again from the new zone and start date, so feeds and sessions
 * agree. Groups whose calls changed have their sequence up
 * (mg_calendar_reconcile() then sends the updates); *changed counts
 * them. On failure nothing is stored.
 */
int mg_calendar_rezone(size_t *changed, struct mg_store *st,
                       struct mg_circle *next, int64_t now);

/*
 * Bring every member's invitations in line with the groups and queue
 * the mail that says so; *queued counts the messages queued.
 */
int mg_calendar_reconcile(size_t *queued, struct mg_store *st,
                          int64_t circle_id, struct mg_error *err);

/*
 * mg_calendar_reconcile() that reports how far it is: `progress` (may be
 * NULL) is called with the members and invitations looked at so far and
 * their number, after each batch of mail is built and once at the end,
 * on the calling thread; `arg` is passed to it untouched.
 */
int mg_calendar_reconcile_progress(size_t *queued, struct mg_store *st,
                                   int64_t circle_id,
                                   void (*progress)(size_t done, size_t total,
                                                    void *arg),
                                   void *arg, struct mg_error *err);

/*
 * What one change touched: persons (a join, a withdrawal, a move, new
 * details) and groups (their calls changed, or they opened or closed).
 */
struct mg_calendar_scope {
    const int64_t *person_ids;
    size_t n_persons;
    const int64_t *group_ids;
    size_t n_groups;
};

/*
 * mg_calendar_reconcile() for what `scope` touched only: the invitations
 * of those persons, of the members of those groups and of anyone invited
 * to them, read and written without loading the rest of the circle, so
 * one change costs the same in a circle of 200 and of 50,000. Invitations
 * of groups and people outside the scope are left as they are. An empty
 * scope queues nothing.
 */
int mg_calendar_reconcile_scope(size_t *queued, struct mg_store *st,
                                int64_t circle_id,
                                const struct mg_calendar_scope *scope,
                                struct mg_error *err);

/*
 * The feed of a participant (all their groups' calls) or of a group
 * (participant_id 0). *out is the caller's. The feed's DTSTAMP is when
 * the calls last changed, so the same calls give the same bytes and ETags
 * work. *last_modified is since when exactly this body is served: it
 * moves on every change of the body (the person's own membership, their
 * plenaries, the calls, names) and only ever forward (mg_store_feed_mark);
 * 0 when the store could not keep that mark (its write lock held past the
 * busy timeout): serve the body without a Last-Modified then.
 * A participant's series carry the UID and SEQUENCE of their invitation,
 * so the invitation and the feed are one event in a calendar app.
 */
int mg_calendar_feed(char **out, int64_t *last_modified, struct mg_store *st,
                     int64_t circle_id, int64_t participant_id,
                     int64_t group_id, struct mg_error *err);

/*
 * Make (or rotate) the secret feed token of a participant or a group;
 * `token` receives 49 bytes: 48 hex characters, the path of
 * /cal/<token>.ics. The old token stops working.
 */
int mg_calendar_feed_token(char *token, struct mg_store *st, int64_t circle_id,
                           int64_t participant_id, int64_t group_id);

/* Split a feed token from a URL into the id and secret hash to check. */
int mg_calendar_parse_feed_token(char *public_id,
                                 unsigned char hash[MG_TOKEN_HASH_LEN],
                                 const char *token);

/*
 * The reading of `week` for a group on thread `thread_id` (0: none): its
 * thread's plan when that plan has readings, else the same-pace plan.
 * Borrowed from the arrays; NULL when that week has none.
 */
const struct mg_span *mg_calendar_reading(const struct mg_span *same,
                                          size_t n_same,
                                          const struct mg_span *per_thread,
                                          size_t n_per_thread,
                                          int64_t thread_id, int week);

/*
 * Participants' pages. A page token is 48 hex characters like a feed
 * token (`token` takes 49 bytes), stored as a secret of kind "page";
 * making one revokes the participant's previous page token. The
 * participant's calendar feed token is derived from it
 * (mg_calendar_page_feed_token) and made live at the same time, which
 * revokes their previous feed token: handing out a new page hands out a
 * new calendar address with it. MG_ENOTFOUND if there is no such
 * participant in the circle.
 */
int mg_calendar_page_token(char *token, struct mg_store *st, int64_t circle_id,
                           int64_t participant_id);

/* MG_EAUTH unless `token` is a live page token; fills the subject. */
int mg_calendar_page_check(int64_t *circle_id, int64_t *participant_id,
                           struct mg_store *st, const char *token);
/* *retired: whether `token` was a page token since replaced by a new
 * one (so its holder can be told to ask for the new link). */
int mg_calendar_page_retired(int *retired, struct mg_store *st,
                             const char *token);

/* The feed token (49 bytes) derived from page token `page_token`. */
void mg_calendar_page_feed_token(char *feed, const char *page_token);

/* Make the feed derived from `page_token` the participant's live feed
 * again (after a coordinator rotated it), revoking the one before. */
int mg_calendar_page_feed_set(struct mg_store *st, const char *page_token,
                              int64_t circle_id, int64_t participant_id);

/* *live: whether the feed derived from `page_token` is the participant's
 * live feed. */
int mg_calendar_page_feed_live(int *live, struct mg_store *st,
                               const char *page_token, int64_t participant_id);

/*
 * RSVPs. What became of an answer: recorded; ignored because it answers
 * an older version of the invitation (or one since cancelled); refused
 * because it is not the invited member's own; or about no invitation or
 * occurrence mingle knows.
 */
enum mg_rsvp_outcome {
    MG_RSVP_RECORDED,
    MG_RSVP_IGNORED_STALE,
    MG_RSVP_REFUSED,
    MG_RSVP_UNKNOWN_UID,
    MG_RSVP_DUPLICATE,     /* its Message-ID was applied before */
    MG_RSVP_NO_OCCURRENCE, /* its RECURRENCE-ID names no call of the series */
    MG_RSVP_NOT_APPLIED    /* the rules cannot apply it (MG_EINVAL: say, no
                              organizer address to send a CANCEL from) */
};

/* "recorded", "ignored_stale", "refused", "unknown_uid", "duplicate",
 * "no_occurrence", "not_applied". */
const char *mg_calendar_rsvp_outcome_name(enum mg_rsvp_outcome o);

/*
 * Apply iTIP REPLY `reply` (mg_ical_parse_reply) mailed from `from`: the
 * invite is found by UID and the ATTENDEE's address (a group's members
 * share their series' UID; a UID mingle sent but not to that attendee is
 * refused); its member's address, the REPLY's ATTENDEE and `from` must
 * all be the same (else MG_EFORBIDDEN, outcome refused); a
 * SEQUENCE below the invite's is ignored (0, outcome ignored_stale). The
 * answer goes to every session of the group, or to the one whose
 * original start is the RECURRENCE-ID (MG_ENOTFOUND, outcome
 * no_occurrence, when there is none; outcome unknown_uid for an unknown
 * UID); MG_EINVAL, outcome not_applied, when the rules cannot apply it.
 * *outcome is always set unless the store fails.
 */
struct mg_ical_reply;
int mg_calendar_apply_reply(enum mg_rsvp_outcome *outcome, struct mg_store *st,
                            const struct mg_ical_reply *reply, const char *from,
                            struct mg_error *err);

/*
 * mg_calendar_apply_reply() once per message: when `message_id` (may be
 * NULL: no check) was applied or ignored as stale before, *outcome is
 * MG_RSVP_DUPLICATE and nothing changes; otherwise the REPLY is applied
 * and, when it was recorded or ignored as stale, its Message-ID kept. A
 * REPLY to a plenary is answered for the person's own seat: its
 * SEQUENCE is compared with what they were last sent; one call declined
 * (RECURRENCE-ID) is that call only, the whole series declined gives up
 * the place; an acceptance or a maybe is recorded. Errors as
 * mg_calendar_apply_reply(). `message_id` may be any key the caller
 * applies a message once by (the mail webhook: the Message-ID, else the
 * provider's delivery id, else a digest; it keeps REPLYs it holds for
 * review under the same key).
 */
int mg_calendar_apply_reply_once(enum mg_rsvp_outcome *outcome,
                                 struct mg_store *st,
                                 const struct mg_ical_reply *reply,
                                 const char *from, const char *message_id,
                                 struct mg_error *err);

/* The circle whose invitation or plenary has UID `uid`; MG_ENOTFOUND. */
int mg_calendar_reply_circle(int64_t *circle_id, struct mg_store *st,
                             const char *uid);

/*
 * A member's answer from their page: `status` ("accepted", "declined",
 * "tentative") for every session of their group still to come
 * (MG_ENOTFOUND when none is), or for `session_id` only (nonzero;
 * MG_ENOTFOUND unless it is one of their group's), at
 * their invitation's current sequence. MG_EINVAL for another status or
 * a member in no group.
 */
int mg_calendar_rsvp_page(struct mg_store *st, int64_t circle_id,
                          int64_t participant_id, int64_t session_id,
                          const char *status);

#endif
