/*
 * people: the participants of a circle as a coordinator registers them:
 * who they are, what they can make and what they ask for. This module
 * holds the record, its rules, and the reader for registration exports
 * (CSV with a header row). Placing people in groups is `group`'s job;
 * storing them is `store`'s.
 */
#ifndef MINGLE_PEOPLE_H
#define MINGLE_PEOPLE_H

#include <stddef.h>
#include <stdint.h>

#include "mingle/circle.h"
#include "mingle/core.h"

#define MG_PERSON_MAX_WISHES 3
#define MG_PERSON_MAX_LINKS 16
#define MG_IMPORT_MAX_ROWS 200000

enum mg_person_role {
    MG_PERSON_PARTICIPANT,
    MG_PERSON_FACILITATOR,
    MG_PERSON_COORDINATOR
};

enum mg_person_status {
    MG_STATUS_ACTIVE,
    MG_STATUS_WAITLISTED,
    MG_STATUS_WITHDRAWN,
    MG_STATUS_PENDING /* signed up on the public page, not yet confirmed:
                         never planned, invited or counted */
};

struct mg_participant {
    int64_t id;
    int64_t circle_id;
    char *name;
    char *email; /* as given; compared case-insensitively */
    enum mg_person_role role;
    char *sector;      /* public, academic, school, special, other, or free */
    char *region;      /* free text, may be NULL */
    char *time_zone;   /* IANA, may be NULL */
    int64_t *slot_ids; /* the circle's slots they can make; none: any */
    size_t n_slots;
    int64_t wishes[MG_PERSON_MAX_WISHES]; /* thread ids, best first */
    size_t n_wishes;
    char **with; /* emails of people to be grouped with */
    size_t n_with;
    char **apart; /* emails of people not to be grouped with */
    size_t n_apart;
    enum mg_person_status status;
    int locked;       /* stays in its group when groups are re-planned */
    int64_t group_id; /* current group, 0 if none (read-only here) */
    int64_t created_at;
    int64_t updated_at;
};

void mg_participant_release(struct mg_participant *p);
void mg_participants_free(struct mg_participant *list, size_t n);

/* The index of participant `id` in `list` (sorted by id, as the store
 * lists them), or -1. */
long mg_participants_find(const struct mg_participant *list, size_t n,
                          int64_t id);

const char *mg_person_role_name(enum mg_person_role r);
int mg_person_role_parse(enum mg_person_role *out, const char *s);
const char *mg_person_status_name(enum mg_person_status s);
int mg_person_status_parse(enum mg_person_status *out, const char *s);

/*
 * The lower-case form used to compare addresses; the caller frees it.
 */
char *mg_email_normalize(const char *email);

/*
 * Check a participant: a name (clean text, at most 200 bytes), a valid
 * email, a known time zone if given, no more than the allowed wishes and
 * links, links that are valid emails and not the person's own.
 * MG_EINVAL with the field in `err`.
 */
int mg_participant_validate(const struct mg_participant *p,
                            struct mg_error *err);

/* What a CSV import needs to know of the circle to resolve names. */
struct mg_import_context {
    const struct mg_circle *circle; /* its slots, by weekday and time */
    const int64_t *thread_ids;      /* the circle's threads, in order */
    const char *const *thread_titles;
    size_t n_threads;
};

/*
 * Read a registration export: CSV (RFC 4180: quoted fields, doubled
 * quotes, CRLF or LF) with a header row naming the columns. Recognised
 * headers (any case, spaces or underscores): name, email, role, sector,
 * region, time_zone, slots ("tuesday 19:30; thu 12:00"), threads or
 * wishes ("Mission; Communities" or thread numbers), with, apart, status,
 * locked. Unknown columns are ignored (forms export more than mingle
 * needs), but name and email are required. Every row is validated; the
 * first bad one stops the import with MG_EINVAL and
 * "line N, field 'f': ..." in `err`. Duplicate emails within the file
 * are an error too. On success *out is an array of *n participants, the
 * caller's (mg_participants_free).
 */
int mg_people_parse_csv(struct mg_participant **out, size_t *n,
                        const char *data, size_t len,
                        const struct mg_import_context *ctx,
                        struct mg_error *err);

/*
 * What an import tells the coordinator besides taking or refusing it:
 * where each participant came from (the CSV line its record starts on;
 * lines == NULL for a JSON array, whose items are numbered from 0), and
 * warnings about what was taken at a default, such as a facilitator who
 * gave no availability and so is taken as able to make any slot. Each
 * warning names its line or item. Release with mg_import_notes_release().
 */
#define MG_IMPORT_MAX_WARNINGS 20 /* then one "and N more" */

struct mg_import_notes {
    int *lines;
    int single; /* one JSON object, not a list: nothing to number */
    char **warnings;
    size_t n_warnings;
};

void mg_import_notes_release(struct mg_import_notes *notes);

/* Where participant `i` of an import was: "line 14", "item 3", or ""
 * for a single person. */
void mg_import_where(char *buf, size_t cap, const struct mg_import_notes *notes,
                     size_t i);

/*
 * mg_people_parse_csv(), and when `notes` is not NULL, the line of each
 * participant and the warnings of mg_people_import_warnings() (or one
 * warning for the whole file when it has no availability column).
 */
int mg_people_parse_csv_noted(struct mg_participant **out, size_t *n,
                              struct mg_import_notes *notes, const char *data,
                              size_t len, const struct mg_import_context *ctx,
                              struct mg_error *err);

/*
 * Add warnings for participants about to be registered in circle `c`: a
 * facilitator with no availability, when the circle has more than one
 * slot, is taken as able to make any of them.
 */
void mg_people_import_warnings(struct mg_import_notes *notes,
                               const struct mg_participant *list, size_t n,
                               const struct mg_circle *c);

/*
 * Add warnings for "with" and "apart" links naming an address that is
 * neither in the import nor among `registered` (the circle's people, any
 * status): the link counts only once that person registers. Whether the
 * import has any link at all: mg_people_have_links().
 */
void mg_people_link_warnings(struct mg_import_notes *notes,
                             const struct mg_participant *list, size_t n,
                             const struct mg_participant *registered,
                             size_t n_registered);
int mg_people_have_links(const struct mg_participant *list, size_t n);

/*
 * The same address twice in one import (case-insensitively): MG_EINVAL
 * with "line 9, field 'email': 'x' is already on line 4" (or "item 3,
 * ... already in item 1") in `err`, naming the later one. `notes` may be
 * NULL (items).
 */
int mg_people_check_duplicates(const struct mg_participant *list, size_t n,
                               const struct mg_import_notes *notes,
                               struct mg_error *err);

/*
 * The people of an import (`list`) whose address is already among
 * `registered` (the circle's people, any status): their indices in
 * order, in *hits (the caller's, free()). Returns how many.
 */
size_t mg_people_already_registered(size_t **hits,
                                    const struct mg_participant *list, size_t n,
                                    const struct mg_participant *registered,
                                    size_t n_registered);

/*
 * Why an import is refused when it names addresses already registered
 * (hits[0] first): "line 14, field 'email': 'ada@example.org' is already
 * registered in this circle; so are the addresses on lines 20 and 31".
 * `circle` words the place ("this circle", "circle 3").
 */
void mg_import_registered_message(char *buf, size_t cap,
                                  const struct mg_participant *list,
                                  const struct mg_import_notes *notes,
                                  const size_t *hits, size_t n_hits,
                                  const char *circle);

/*
 * Resolve one slot written as "tuesday 19:30" (or "tue 19:30", or a
 * slot id) against the circle; MG_EINVAL if it is not one of its slots.
 */
int mg_people_resolve_slot(int64_t *slot_id, const struct mg_circle *c,
                           const char *text);

/* Resolve a thread by title (any case) or 1-based position. */
int mg_people_resolve_thread(int64_t *thread_id,
                             const struct mg_import_context *ctx,
                             const char *text);

/*
 * Sign-up (src/people/signup.c): the rules of the public sign-up page.
 * A circle's settings, as the coordinator sets them: the page is open
 * while `open` and before `closes_at`; past `capacity` active people, a
 * confirmed sign-up waits on the waitlist. `sectors` and `regions` are
 * the choices offered, one a line (the page adds "other" with free
 * text). `notice` is the collection notice (NULL: the default, which
 * says what New Zealand's Privacy Act 2020, IPP 3, asks a collector to).
 */
#define MG_SIGNUP_MAX_CHOICES 50
#define MG_SIGNUP_MAX_CHOICE 100 /* bytes of one sector or region */
#define MG_SIGNUP_MAX_NOTICE 8000
#define MG_SIGNUP_MAX_CAPACITY 1000000
#define MG_SIGNUP_VERSION_LEN 16 /* hex characters of a notice's version */

struct mg_signup_settings {
    int64_t circle_id;
    int open;          /* state: 1 open, 0 closed (no row: closed) */
    int64_t closes_at; /* 0: no date; else closed from this instant */
    int capacity;      /* active people at most; 0: no limit */
    char *sectors;     /* the choices offered, one a line; NULL: none */
    char *regions;     /* the same */
    char *notice;      /* the collection notice; NULL: the default */
    int auto_place;    /* confirmed late sign-ups are placed at once */
    int64_t updated_at;
};

/* Free the settings' strings; the struct is left zeroed. */
void mg_signup_settings_release(struct mg_signup_settings *s);

/* Check settings a coordinator sends: capacity 0..1000000, at most 50
 * choices of each kind, each clean text of 1-100 bytes, a notice of
 * clean text up to 8000 bytes. MG_EINVAL with the field in `err`. */
int mg_signup_settings_validate(const struct mg_signup_settings *s,
                                struct mg_error *err);

/* The sector choices offered: the coordinator's, else public, academic,
 * school and special (one a line). Borrowed. */
const char *mg_signup_sectors(const struct mg_signup_settings *s);

/* The notice in force: the coordinator's, else the default. Borrowed. */
const char *mg_signup_notice(const struct mg_signup_settings *s);
const char *mg_signup_default_notice(void);

/* The version of notice `text`, stored with each consent: the first 16
 * hex characters of its SHA-256 (any change to the text changes it).
 * `out` takes MG_SIGNUP_VERSION_LEN + 1 bytes. */
void mg_signup_notice_version(char *out, const char *text);

/* Whether the page takes sign-ups at `now`. */
int mg_signup_is_open(const struct mg_signup_settings *s, int64_t now);

/* Whether `value` is one of `lines` (one choice a line, exactly). */
int mg_signup_choice_listed(const char *lines, const char *value);

/* The status of a confirmed sign-up when `active` people are active and
 * `waiting` wait: active, or waitlisted once `capacity` (0: none) is
 * reached or while anyone waits (they come first, in order). */
enum mg_person_status mg_signup_confirmed_status(size_t active, size_t waiting,
                                                 int capacity);
/* Whether a place is free for the first waiting when `active` people are
 * active: only under a capacity (0: none, so no place to hand on). */
int mg_signup_place_opens(size_t active, int capacity);

#endif
