/*
 * signup: what the public sign-up page keeps. A circle's sign-up settings
 * (one row a circle, none: closed), and with each person who signed up
 * themselves: whether they volunteer to facilitate, which version of the
 * collection notice they consented to and when, when their unconfirmed
 * sign-up expires, how many confirmation mails went and when the last,
 * and their place on the circle's waitlist. The rules are the signup
 * glue's (src/signup/); this is storage only.
 */
#ifndef MINGLE_STORE_SIGNUP_H
#define MINGLE_STORE_SIGNUP_H

#include <stddef.h>
#include <stdint.h>

#include "mingle/core.h"
#include "mingle/people.h"

struct mg_store;
struct mg_store_tx;

/* Circle `circle_id`'s settings into *out (zeroed: closed, when it has
 * none). The caller releases them (mg_signup_settings_release). */
int mg_store_signup_get(struct mg_signup_settings *out, struct mg_store *st,
                        int64_t circle_id);
/* Replace circle s->circle_id's settings (updated_at set here). */
int mg_store_signup_put(struct mg_store *st, struct mg_signup_settings *s);

/* What a self sign-up stores beside the participant row. */
struct mg_signup_mark {
    int volunteer;
    const char *consent_version;
    int64_t consent_at;
    int64_t expires_at; /* a pending sign-up is erased from then on */
};
/* Record `m` for participant `pid` of circle `circle_id`. */
int mg_store_signup_mark(struct mg_store *st, int64_t circle_id, int64_t pid,
                         const struct mg_signup_mark *m);
/* What was recorded; consent_version (may be NULL) is the caller's. */
int mg_store_signup_mark_get(int *volunteer, char **consent_version,
                             int64_t *consent_at, struct mg_store *st,
                             int64_t circle_id, int64_t pid);

/*
 * Claim the right to mail participant `pid` about their sign-up at
 * `now`: granted (*granted 1, *attempt the new count of mails, from 1)
 * unless the last one went less than `gap` seconds before.
 */
int mg_store_signup_mail_claim(int *granted, int *attempt, struct mg_store *st,
                               int64_t circle_id, int64_t pid, int64_t now,
                               int64_t gap);

/*
 * Erase person `id` of circle `circle_id` as thoroughly as
 * mg_store_participant_erase(), but only if, in the same transaction,
 * they are still pending and their sign-up expired by `now`: one who
 * confirmed a moment before is kept (*erased 0).
 */
int mg_store_signup_erase_expired(int *erased, struct mg_store *st,
                                  int64_t circle_id, int64_t id, int64_t now);

/* The pending people whose sign-up expired by `now`, at most `max`:
 * pairs of (circle id, person id) in *ids (2 * *n values, free()). */
int mg_store_signup_expired(int64_t **ids, size_t *n, struct mg_store *st,
                            int64_t now, size_t max);

/*
 * Inside a transaction: how many of circle `circle_id`'s people are
 * active and how many wait, and the last waitlist position given (0:
 * none).
 */
int mg_store_tx_signup_counts(size_t *active, size_t *waiting,
                              int64_t *last_position, struct mg_store_tx *tx,
                              int64_t circle_id);
/* Set participant `pid`'s status (a mg_person_status name) and waitlist
 * position (0: none) if its status is `from` now; *changed says if so. */
int mg_store_tx_signup_status(int *changed, struct mg_store_tx *tx,
                              int64_t circle_id, int64_t pid, const char *from,
                              const char *status, int64_t position);
/* The first waiting person of the circle (by position, then sign-up
 * time, then id), or 0 in *pid. */
int mg_store_tx_signup_first_waiting(int64_t *pid, struct mg_store_tx *tx,
                                     int64_t circle_id);

/* Person `pid`'s place on the waitlist (1: next), 0 if not waiting. */
int mg_store_signup_place(int *place, struct mg_store *st, int64_t circle_id,
                          int64_t pid);
/* The circle's waiting people, its pending ones, and its active people
 * in no group (placed late, or waiting to be). */
int mg_store_signup_counts(size_t *waiting, size_t *pending, size_t *unplaced,
                           struct mg_store *st, int64_t circle_id);

/* *yes: whether circle `circle_id` has any group (an index look-up). */
int mg_store_signup_has_groups(int *yes, struct mg_store *st,
                               int64_t circle_id);

/* A person who volunteered to facilitate and is not a facilitator yet. */
struct mg_signup_volunteer {
    int64_t id;
    char *name;
    char *email;
    char status[16];
};
/* Circle `circle_id`'s volunteers who are still participants (not
 * withdrawn or pending), by id, at most `max`; *out is the caller's
 * (mg_signup_volunteers_free). */
int mg_store_signup_volunteers(struct mg_signup_volunteer **out, size_t *n,
                               struct mg_store *st, int64_t circle_id,
                               size_t max);
void mg_signup_volunteers_free(struct mg_signup_volunteer *v, size_t n);

#endif
