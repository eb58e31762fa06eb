/*
 * plenary: whole-circle sessions (a kick-off, a closing session, a series
 * of conversations with a guest) with a capacity and a waitlist. The
 * rules are pure functions on an array of seats; mg_plenary_change() is
 * the glue that applies one change in the store under its write lock and
 * queues the iTIP REQUEST or CANCEL each affected person is owed.
 *
 * Capacity lowered below the registered count bumps nobody: everyone
 * registered keeps their place, and the waitlist moves again only once
 * the count has fallen below the new capacity.
 */
#ifndef MINGLE_PLENARY_H
#define MINGLE_PLENARY_H

#include <stddef.h>
#include <stdint.h>

#include "mingle/core.h"
#include "mingle/ical.h"

enum mg_reg_status {
    MG_REG_REGISTERED,
    MG_REG_WAITLISTED,
    MG_REG_DECLINED, /* gave up a place (or a waitlist spot) */
    MG_REG_WITHDRAWN /* left the circle's plenary altogether */
};

/* "registered", "waitlisted", "declined", "withdrawn" (as stored). */
const char *mg_plenary_status_name(enum mg_reg_status s);
/* The reverse of mg_plenary_status_name; MG_EINVAL for anything else. */
int mg_plenary_status_parse(enum mg_reg_status *out, const char *name);

/* What a seat's change owes its holder. */
enum mg_seat_mail { MG_SEAT_QUIET, MG_SEAT_INVITE, MG_SEAT_CANCEL };

/* One person's registration for one plenary. */
struct mg_plenary_seat {
    int64_t participant_id;
    enum mg_reg_status status;
    int position;           /* waitlist order (lower first); 0 if not waiting */
    int invite_sequence;    /* SEQUENCE last sent to them; -1: nothing sent */
    enum mg_seat_mail mail; /* set by the rules below, cleared by nobody */
    int promoted;           /* moved off the waitlist by mg_plenary_promote() */
};

/*
 * A plenary's own rules: a title of 1-200 bytes of UTF-8 without control
 * characters (CR, LF, tab, ...), 1-1440 minutes, 1-52
 * weekly conversations, a capacity of 1-100000. MG_EINVAL with `err`
 * naming the field ("title", "minutes", "weeks", "capacity").
 */
int mg_plenary_check(const char *title, int minutes, int weeks, int capacity,
                     struct mg_error *err);

/* A guest's name: empty, or 1-200 bytes of UTF-8 without control
 * characters. MG_EINVAL with `err` naming "guest". */
int mg_plenary_check_guest(const char *guest, struct mg_error *err);

/* What calendars show: "<circle>: <title>" or "<circle>: <title> with
 * <guest>" (guest may be NULL or ""). The caller free()s it. */
char *mg_plenary_summary(const char *circle_title, const char *title,
                         const char *guest);

/* A plenary's call link: its own (`own`, when not NULL or "") else the
 * circle's video link `circle_video_url` (may be NULL). Borrowed. */
const char *mg_plenary_call_link(const char *own, const char *circle_video_url);

/* A plenary's DESCRIPTION, in the current language: who the guest is
 * (guest may be NULL or "") and the call link (may be NULL); NULL when
 * there is neither. The caller free()s it. */
char *mg_plenary_description(const char *guest, const char *link);

/* How many of the `n` seats have status `status`. */
size_t mg_plenary_count(const struct mg_plenary_seat *s, size_t n,
                        enum mg_reg_status status);

/* 1-based place of waitlisted seat `i` in the queue; 0 if not waiting. */
int mg_plenary_rank(const struct mg_plenary_seat *s, size_t n, size_t i);

/*
 * (Re-)register seat `i` (already in the array, in any status): nothing
 * changes if it is registered or waitlisted; otherwise it is registered
 * (mail INVITE) when fewer than `capacity` are, else waitlisted at the end.
 */
void mg_plenary_place(struct mg_plenary_seat *s, size_t n, size_t i,
                      int capacity);

/*
 * Fill free places: while fewer than `capacity` seats are registered,
 * the first waitlisted seat becomes registered (mail INVITE, `promoted`
 * set). Returns how many were promoted; none when the count is at or
 * above capacity.
 */
size_t mg_plenary_promote(struct mg_plenary_seat *s, size_t n, int capacity);

/*
 * Seat `i` declines or withdraws (`status`): a registered seat is owed a
 * CANCEL, and the place it frees goes to the waitlist (mg_plenary_promote).
 * MG_EINVAL if `status` is not declined/withdrawn; leaving twice is a
 * no-op. *promoted says how many moved up.
 */
int mg_plenary_leave(size_t *promoted, struct mg_plenary_seat *s, size_t n,
                     size_t i, enum mg_reg_status status, int capacity);

/* The glue. */
struct mg_store;

/* One change to a plenary and its registrations. */
enum mg_plenary_op_kind {
    MG_PLENARY_REGISTER, /* participant_id registers */
    MG_PLENARY_LEAVE,    /* participant_id leaves as `leave_as` */
    MG_PLENARY_SET,      /* capacity (0: keep), title and call_url (NULL:
                            keep) */
    MG_PLENARY_CANCEL    /* call the whole plenary off: a CANCEL to everyone
                            registered; places and waitlist are kept as they
                            were, and nothing more can change */
};

struct mg_plenary_op {
    enum mg_plenary_op_kind kind;
    int64_t participant_id;
    enum mg_reg_status leave_as;
    int capacity;
    const char *title;
    const char *call_url; /* MG_PLENARY_SET: its own call link (NULL: keep,
                             "": none, the circle's video_url then) */
};

/*
 * Apply `op` to plenary `plenary_id` of circle `circle_id` in one
 * transaction taken with the write lock (two declines at once promote two
 * people, each exactly once), and queue each affected person's iTIP
 * REQUEST or CANCEL in the outbox in the same transaction. A new title
 * or call link bumps the plenary's SEQUENCE and sends every registered person
 * the update. On success *seats (free()) holds every registration after the
 * change, `mail` saying who was sent what; *queued how many messages.
 * MG_ENOTFOUND for an unknown plenary or participant (not of this
 * circle), MG_EINVAL (with `err`) for a circle without an organizer email,
 * MG_ECONFLICT (with `err`) for a registration or a new title or
 * capacity of a cancelled plenary (cancelling twice is a no-op; leaving
 * one is recorded without mail).
 */
int mg_plenary_change(struct mg_plenary_seat **seats, size_t *n, size_t *queued,
                      struct mg_store *st, int64_t circle_id,
                      int64_t plenary_id, const struct mg_plenary_op *op,
                      struct mg_error *err);

/*
 * Which call of a plenary series starting at `first_start` (UTC) with
 * `weeks` weekly calls at the same wall-clock time in `tzid` starts at
 * `t`: its week (1-based), or 0 when none does. A RECURRENCE-ID whose
 * instant a client worked out differently across a daylight-saving
 * change still names its call by its local date.
 */
int mg_plenary_week_of(const char *tzid, int64_t first_start, int weeks,
                       int64_t t);

/* The UTC start of call `week` (1-based) of such a series: the first
 * call's wall-clock time in `tzid`, `week - 1` weeks on. MG_EINVAL for an
 * unknown zone. */
int mg_plenary_week_start(int64_t *out, const char *tzid, int64_t first_start,
                          int week);

/*
 * A registered person's answer to their plenary invitation, from their
 * calendar's iTIP REPLY. `occurrence` is the RECURRENCE-ID as a UTC
 * instant (one call only) or 0 (the whole series); `sequence` is the
 * REPLY's SEQUENCE, compared with what that person was last sent.
 */
struct mg_plenary_answer {
    int64_t participant_id;
    enum mg_partstat partstat;
    int64_t occurrence;
    int sequence;
    const char *source; /* "email" */
};

/* What became of an answer. */
enum mg_plenary_answer_result {
    MG_PLENARY_ANSWER_RECORDED, /* kept (a series decline gave up the place) */
    MG_PLENARY_ANSWER_STALE,    /* answers an older message than they were
                                   last sent: ignored */
    MG_PLENARY_ANSWER_NO_SEAT   /* not registered (waiting, gone): ignored */
};

/*
 * Record answer `a` to plenary `plenary_id` of circle `circle_id` in one
 * transaction. Declining the whole series gives up the place as
 * MG_PLENARY_LEAVE does (a CANCEL, and the waitlist moves up: *queued
 * counts the mail); declining one call, or accepting or saying maybe to
 * one call or all, is recorded for those calls and the place is kept.
 * MG_ENOTFOUND (with `err`) when `occurrence` is none of the series'
 * calls or the plenary is not there; other errors as mg_plenary_change().
 */
int mg_plenary_answer(enum mg_plenary_answer_result *result, size_t *queued,
                      struct mg_store *st, int64_t circle_id,
                      int64_t plenary_id, const struct mg_plenary_answer *a,
                      struct mg_error *err);

/*
 * Give up every plenary place of participant `pid` as a withdrawal does
 * (the waitlist moves up and is invited), e.g. before erasing them.
 * *promoted counts who moved up. Errors as mg_plenary_change().
 */
int mg_plenary_leave_all(size_t *promoted, struct mg_store *st,
                         int64_t circle_id, int64_t pid, struct mg_error *err);

#endif
