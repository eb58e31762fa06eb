/*
 * plenaries: whole-circle sessions and their registrations (seats).
 * Plain loads and saves only: the waitlist rules and the mail are the
 * plenary module's, run inside a store transaction (store.h).
 */
#ifndef MINGLE_STORE_PLENARIES_H
#define MINGLE_STORE_PLENARIES_H

#include <stddef.h>
#include <stdint.h>

#include "mingle/core.h"
#include "mingle/store/calendar.h"

struct mg_store;

struct mg_store_tx;

/* A plenary is held or called off; stored as "confirmed" or "cancelled". */
enum mg_store_plenary_status {
    MG_STORE_PLENARY_CONFIRMED,
    MG_STORE_PLENARY_CANCELLED
};

/* The stored (and API) name of a plenary's status. */
const char *mg_store_plenary_status_name(enum mg_store_plenary_status s);

/*
 * Plenary sessions (plenary.h): whole-circle calls with a capacity. Create
 * fills in id and created_at; the caller gives the UID. Get and list fill
 * in the registered and waitlisted counts. A row's strings are its own:
 * mg_store_plenary_release() frees them (not the row), and
 * mg_store_plenaries_free() frees an array of rows.
 */
struct mg_plenary_row {
    int64_t id;
    int64_t circle_id;
    char *title;
    char *guest;       /* may be NULL */
    int64_t starts_at; /* UTC instant of the first call */
    int minutes;
    int weeks; /* a series of weekly conversations */
    int capacity;
    char uid[64];
    int sequence;
    enum mg_store_plenary_status status;
    int64_t created_at;
    int registered; /* read-only counts */
    int waitlisted;
    int invite_sequence; /* a participant's list: SEQUENCE last sent to
                            them, -1 if none */
    int target;          /* people per call the coordinator aims for; 0: none */
    char *call_url;      /* its own call link; NULL: the circle's video_url */
};

void mg_store_plenary_release(struct mg_plenary_row *p);
void mg_store_plenaries_free(struct mg_plenary_row *rows, size_t n);

/* Store new plenary `p`: its id and created_at are set here. */
int mg_store_plenary_create(struct mg_store *st, struct mg_plenary_row *p);
/* The plenary whose series has UID `uid`: its circle, id and sequence. */
int mg_store_plenary_by_uid(int64_t *circle_id, int64_t *plenary_id,
                            int *sequence, struct mg_store *st,
                            const char *uid);
/* Plenary `id` of circle `circle_id` into *out (release it); MG_ENOTFOUND
 * if there is no such plenary in that circle. */
int mg_store_plenary_get(struct mg_plenary_row *out, struct mg_store *st,
                         int64_t circle_id, int64_t id);
/* A circle's plenaries by start; *out is the caller's (plenaries_free). */
int mg_store_plenaries_list(struct mg_plenary_row **out, size_t *n,
                            struct mg_store *st, int64_t circle_id);
/* The plenaries `participant_id` has a place at (registered), for their
 * feed; each row's created_at is their registration's last change, and
 * invite_sequence the SEQUENCE of the invitation they were last sent. */
int mg_store_plenaries_for_participant(struct mg_plenary_row **out, size_t *n,
                                       struct mg_store *st, int64_t circle_id,
                                       int64_t participant_id);

/*
 * Seats: one person's registration for one plenary, as stored. The
 * plenary module turns these into its own seats, applies its rules and
 * hands back what changed.
 */
enum mg_store_seat_status {
    MG_STORE_SEAT_REGISTERED,
    MG_STORE_SEAT_WAITLISTED,
    MG_STORE_SEAT_DECLINED,
    MG_STORE_SEAT_WITHDRAWN
};

/* "registered", "waitlisted", "declined", "withdrawn": the stored text. */
const char *mg_store_seat_status_name(enum mg_store_seat_status s);

/* One registration with the person's name and address, for lists. */
struct mg_registration_row {
    int64_t participant_id;
    char *name;
    char *email;
    enum mg_store_seat_status status;
    int position; /* waitlist order; 0 if not waiting */
    int64_t updated_at;
};
void mg_store_registrations_free(struct mg_registration_row *rows, size_t n);
/* Plenary `plenary_id`'s registrations, those with `status` only when
 * `by_status`, the waitlist in its order, at most `limit` from `offset`.
 * *out is the caller's (mg_store_registrations_free). */
int mg_store_plenary_registrations(struct mg_registration_row **out, size_t *n,
                                   struct mg_store *st, int64_t plenary_id,
                                   int by_status,
                                   enum mg_store_seat_status status, int limit,
                                   int offset);

struct mg_store_seat {
    int64_t participant_id;
    enum mg_store_seat_status status;
    int position;        /* waitlist order; 0 if not waiting */
    int invite_sequence; /* SEQUENCE last sent; -1: nothing sent */
};

/*
 * Inside a transaction (store.h). Get plenary `id` of circle `circle_id`
 * as mg_store_plenary_get does (MG_ENOTFOUND otherwise); release it
 * with mg_store_plenary_release().
 */
int mg_store_tx_plenary_get(struct mg_plenary_row *out, struct mg_store_tx *tx,
                            int64_t circle_id, int64_t id);

/* The same without the registered and waitlisted counts (read as 0),
 * which cost a walk over every registration. */
int mg_store_tx_plenary_head(struct mg_plenary_row *out, struct mg_store_tx *tx,
                             int64_t circle_id, int64_t id);

/* Write p->title, p->capacity and p->sequence of plenary p->id. */
int mg_store_tx_plenary_save(struct mg_store_tx *tx,
                             const struct mg_plenary_row *p);

/*
 * Every seat of plenary `plenary_id`: registered first, then by
 * waitlist position and participant. *out (NULL when there are none)
 * is the caller's; free() it.
 */
int mg_store_tx_seats_load(struct mg_store_seat **out, size_t *n,
                           struct mg_store_tx *tx, int64_t plenary_id);

/* Insert or replace seat `s` of plenary `plenary_id` (updated now). */
int mg_store_tx_seat_save(struct mg_store_tx *tx, int64_t plenary_id,
                          const struct mg_store_seat *s);

/* Seat `participant_id` of plenary `plenary_id` alone, inside a
 * transaction; MG_ENOTFOUND when they never registered. */
int mg_store_tx_seat_get(struct mg_store_seat *out, struct mg_store_tx *tx,
                         int64_t plenary_id, int64_t participant_id);

/*
 * Plenary RSVPs: a registered person's answer for each weekly call of a
 * plenary (week 1..weeks), with its source ("email") and the SEQUENCE
 * of the invitation it answers. The answers go with the registration:
 * the plenary module clears them when a person leaves or comes back, so
 * those stored are the answers of the people registered now.
 */
struct mg_plenary_rsvp_row {
    int64_t participant_id;
    char *name; /* read only: the participant's name */
    int week;
    enum mg_store_rsvp_status status;
    char source[16];
    int sequence;
    int64_t updated_at;
};
void mg_store_plenary_rsvps_free(struct mg_plenary_rsvp_row *rows, size_t n);

/*
 * Inside a transaction: answer `status` of `participant_id` for weeks
 * `first`..`last` of plenary `plenary_id`. A week whose stored answer
 * has a higher sequence keeps it.
 */
int mg_store_tx_plenary_rsvp_save(struct mg_store_tx *tx, int64_t plenary_id,
                                  int64_t participant_id, int first, int last,
                                  enum mg_store_rsvp_status status,
                                  const char *source, int sequence);
/* Inside a transaction: forget every answer of `participant_id` to
 * plenary `plenary_id` (they left, or registered anew). */
int mg_store_tx_plenary_rsvps_clear(struct mg_store_tx *tx, int64_t plenary_id,
                                    int64_t participant_id);

/* The answers to plenary `plenary_id`, by week
 * then participant, at most `limit` (0: all) from `offset`. *out is the
 * caller's (mg_store_plenary_rsvps_free). */
int mg_store_plenary_rsvps(struct mg_plenary_rsvp_row **out, size_t *n,
                           struct mg_store *st, int64_t plenary_id, int limit,
                           int offset);

/* How many of the registered answered each way, for one week. */
struct mg_plenary_rsvp_count {
    int week;
    int accepted, declined, tentative;
};
/* One element per week 1..weeks of plenary `plenary_id` (`weeks` of
 * them, weeks without answers counted 0). *out is the caller's (free). */
int mg_store_plenary_rsvp_counts(struct mg_plenary_rsvp_count **out,
                                 struct mg_store *st, int64_t plenary_id,
                                 int weeks);

/*
 * REPLYs applied, by Message-ID, so a redelivered one is applied once.
 * *seen: whether `message_id` was recorded before. Recording it twice
 * is harmless.
 */
int mg_store_rsvp_receipt_seen(int *seen, struct mg_store *st,
                               const char *message_id);
int mg_store_rsvp_receipt_add(struct mg_store *st, const char *message_id,
                              const char *outcome);

/*
 * Coordinators' view of plenaries (plenary_list.c). Set plenary `id`'s
 * target (people per call; 0 clears it); MG_ENOTFOUND if it is not of
 * circle `circle_id`.
 */
int mg_store_plenary_set_target(struct mg_store *st, int64_t circle_id,
                                int64_t id, int target);
/* Inside a transaction: mark plenary `id` confirmed or cancelled. */
int mg_store_tx_plenary_set_status(struct mg_store_tx *tx, int64_t id,
                                   enum mg_store_plenary_status status);

/* One of a participant's plenaries and where they stand in it. */
struct mg_store_person_seat {
    struct mg_plenary_row p;
    enum mg_store_seat_status status;
    int place; /* 1-based place on the waitlist; 0 if not waiting */
};
/*
 * Every plenary of circle `circle_id` participant `pid` has a
 * registration for (any status), by start; *out is the caller's, freed
 * with mg_store_person_seats_free().
 */
int mg_store_person_seats(struct mg_store_person_seat **out, size_t *n,
                          struct mg_store *st, int64_t circle_id, int64_t pid);
void mg_store_person_seats_free(struct mg_store_person_seat *rows, size_t n);

#endif
