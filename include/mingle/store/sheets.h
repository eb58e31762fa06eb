/*
 * store/sheets.h: the rows behind a circle's spreadsheets (the roster,
 * the groups, the attendance marks, the RSVPs), each list in one query
 * whatever the circle's size, for the export module's builders. Times
 * are UTC instants; names of roles and statuses as stored.
 */
#ifndef MINGLE_STORE_SHEETS_H
#define MINGLE_STORE_SHEETS_H

#include <stddef.h>
#include <stdint.h>

struct mg_store;

/* A person of the roster, with their current group and sign-up. */
struct mg_sheet_person {
    int64_t id;
    char *name, *email;
    char *role; /* "facilitator" when their membership or they are one */
    char *sector, *region, *time_zone; /* NULL: none */
    char *status;
    int locked;
    int64_t group_id;   /* 0: in no group */
    char *group_name;   /* NULL when in no group */
    char *thread_title; /* their group's thread; NULL: none */
    int64_t joined_at;  /* their current membership's start, 0: none */
    int64_t created_at;
    int64_t consent_at;    /* signed up themselves and consented; 0: no */
    char *consent_version; /* NULL: none */
    int volunteer;         /* offered to facilitate when signing up */
    int reminders_off;     /* turned reminders off */
};

/* A pair of a person and something of theirs, by person then order: a
 * call slot they can make, or a thread they wish for (best first). */
struct mg_sheet_pair {
    int64_t person_id;
    int64_t id;
};

/* A group with its members counted and its facilitators named. */
struct mg_sheet_group {
    int64_t id;
    int position;
    char *name;
    int64_t slot_id;    /* 0: none */
    char *thread_title; /* NULL: none */
    char *address;      /* local part, NULL: none */
    char *call_url;     /* its own link, NULL: none */
    char *secret;       /* its room's random part, NULL: none */
    int members;        /* current members */
    char *facilitators; /* names, "; " between; NULL: none */
    char *facilitator_emails;
    int64_t created_at;
};

/* An attendance row: of a group session or of week `week` of a plenary. */
struct mg_sheet_mark {
    int64_t person_id;
    int plenary;        /* 0: group session */
    int64_t session_id; /* group session */
    int64_t plenary_id; /* plenary */
    int week;           /* the plenary's occurrence */
    int present;
    int minutes; /* in the report, 0 when none */
};

/* An answer to a call: a group session's or a plenary occurrence's. */
struct mg_sheet_rsvp {
    int64_t person_id;
    char *name, *email;
    int plenary;
    int64_t call_id; /* session id, or plenary id */
    char *title;     /* the group's name or the plenary's title */
    int week;
    int64_t starts_at; /* group: the session's; plenary: its first call's */
    char *status, *source;
    int64_t updated_at;
};

/* Circle `circle_id`'s people by id, and the slots and wishes of its
 * people by person. MG_ENOTFOUND never: an unknown circle has none. */
int mg_store_sheet_people(struct mg_sheet_person **out, size_t *n,
                          struct mg_store *st, int64_t circle_id);
int mg_store_sheet_slots(struct mg_sheet_pair **out, size_t *n,
                         struct mg_store *st, int64_t circle_id);
int mg_store_sheet_wishes(struct mg_sheet_pair **out, size_t *n,
                          struct mg_store *st, int64_t circle_id);
/* The circle's groups by position. */
int mg_store_sheet_groups(struct mg_sheet_group **out, size_t *n,
                          struct mg_store *st, int64_t circle_id);
/* Every attendance row of the circle's sessions and plenaries, by person
 * (cancelled sessions' too: the caller decides). */
int mg_store_sheet_marks(struct mg_sheet_mark **out, size_t *n,
                         struct mg_store *st, int64_t circle_id);
/* Every answer of the circle's people, by person then call start. */
int mg_store_sheet_rsvps(struct mg_sheet_rsvp **out, size_t *n,
                         struct mg_store *st, int64_t circle_id);

void mg_store_sheet_people_free(struct mg_sheet_person *rows, size_t n);
void mg_store_sheet_groups_free(struct mg_sheet_group *rows, size_t n);
void mg_store_sheet_rsvps_free(struct mg_sheet_rsvp *rows, size_t n);

#endif
