/*
 * signup: people signing themselves up on a circle's public page
 * (/join/<slug>), confirming their address, waiting past the circle's
 * capacity, and leaving. It loads from the store, runs the rules of
 * people.h ("Sign-up"), stores the result and queues the mail through
 * the outbox. The page itself is `web`'s (src/web/join.c); what it
 * answers never depends on whether an address was known.
 */
#ifndef MINGLE_SIGNUP_H
#define MINGLE_SIGNUP_H

#include <stddef.h>
#include <stdint.h>

#include "mingle/circle.h"
#include "mingle/core.h"
#include "mingle/people.h"

struct mg_store;

/* Seconds between two sign-up mails to one person: a re-sent
 * confirmation, or "you are already signed up". */
#define MG_SIGNUP_MAIL_GAP 600

/* What the front door knows that the glue needs. */
struct mg_signup_env {
    const char *base_url; /* links in mail: "https://circles.example.org" */
    int expiry_days;      /* an unconfirmed sign-up is erased after these */
    int64_t now;
};

/*
 * Queue one plain-text mail from circle `c`'s organizer to `name`
 * <`email`> in the outbox, as `kind`, under dedupe key `key` (queued
 * once per key), in a transaction of its own. `*queued` (when not NULL)
 * is how many were queued: 0 when the key was already used. The glue
 * for any one mail from mingle to one person, the sign-up's or not.
 */
int mg_signup_queue_text(size_t *queued, struct mg_store *st,
                         const struct mg_circle *c, const char *kind,
                         const char *name, const char *email,
                         const char *subject, const char *text, const char *key,
                         struct mg_error *err);

/*
 * A sign-up from the page, already checked by the page (mg_participant
 * fields, the circle's choices, consent given): `p` (its email, name,
 * sector, region, time zone, slots and wishes) for circle `c` under
 * settings `s`. Expired sign-ups are erased first. A new address is
 * stored as a pending participant with `volunteer` and the version of
 * the notice consented to, and sent a confirmation link
 * (/join/<slug>/confirm/<token>, the token stored hashed); a pending
 * one is sent a new link; a confirmed one a "you are already signed up"
 * mail. Mails to one person are at most one per MG_SIGNUP_MAIL_GAP. The
 * caller says the same to the visitor whatever happened here. `p`'s
 * status and ids are set here.
 */
int mg_signup_submit(struct mg_store *st, const struct mg_circle *c,
                     const struct mg_signup_settings *s,
                     struct mg_participant *p, int volunteer,
                     const struct mg_signup_env *env, struct mg_error *err);

/* What confirming did. */
struct mg_signup_confirmed {
    int64_t circle_id, person_id;
    enum mg_person_status status; /* active or waitlisted */
    int place;                    /* on the waitlist, 1 next; else 0 */
    int already;                  /* confirmed before: no new page link */
    int placed;                   /* placed in a group at once */
    char page[64];                /* their page token ("" if already) */
};

/*
 * Confirm the sign-up whose link carried `token` (48 hex characters),
 * for circle `c`: the person becomes active, or waitlisted in order past
 * the capacity; their own page token is made, and a mail with their
 * page link (and their place, when waiting) queued. A late sign-up is
 * placed in a group at once when the circle's settings say so (and its
 * invitation queued); else it waits on the dashboard. MG_EAUTH for a
 * token that is not a live confirmation of this circle.
 */
int mg_signup_confirm(struct mg_signup_confirmed *out, struct mg_store *st,
                      const struct mg_circle *c, const char *token,
                      const struct mg_signup_env *env, struct mg_error *err);

/*
 * Erase the pending sign-ups whose time ran out by `now`, as thoroughly
 * as an erasure (mg_store_participant_erase); *n says how many. Called
 * on every sign-up and by the daemon's scheduler.
 */
int mg_signup_expire(size_t *n, struct mg_store *st, int64_t now);

/*
 * The one way a person leaves a circle (the API's withdraw and PATCH
 * status=withdrawn, the dashboard's button, their own page): they are
 * withdrawn, give up their plenary places, and, when they held a place,
 * the first person waiting becomes active (told by mail, and placed as
 * a late sign-up is); the invitations of both are reconciled (their
 * cancellation queued). *promoted is who moved up, or 0. Withdrawing a
 * withdrawn person changes nothing. MG_ENOTFOUND if there is no such
 * person in the circle.
 */
int mg_signup_withdraw(int64_t *promoted, struct mg_store *st,
                       int64_t circle_id, int64_t person_id, int64_t now,
                       struct mg_error *err);

/*
 * After the capacity was raised (or removed): the people waiting move up
 * in order while there is room, each told by mail and placed as a late
 * sign-up is. *promoted counts them.
 */
int mg_signup_fill(size_t *promoted, struct mg_store *st, int64_t circle_id,
                   struct mg_error *err);

/*
 * Place the circle's active people who are in no group, when it has
 * groups, the way a rebalance places newcomers (mg_assign_quick_
 * rebalance), and queue their invitations. *placed counts them; 0 when
 * the quick placement does not apply (the coordinator's full rebalance
 * is then needed).
 */
int mg_signup_place_late(size_t *placed, struct mg_store *st, int64_t circle_id,
                         struct mg_error *err);

#endif
