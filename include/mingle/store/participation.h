/*
 * participation: the rows behind what one person took part in (the
 * calls they were marked present at, and who they are in the circle),
 * for certificates, CPD journal rows and exports. The participation
 * module turns them into figures.
 */
#ifndef MINGLE_STORE_PARTICIPATION_H
#define MINGLE_STORE_PARTICIPATION_H

#include <stddef.h>
#include <stdint.h>

struct mg_store;

/* A person of the circle with their current group, if any. */
struct mg_store_part_person {
    int64_t id;
    char *name;
    char status[16];    /* "active", "withdrawn", "waitlisted", "pending"... */
    int facilitator;    /* their membership's or their own role */
    int64_t group_id;   /* 0: in no group */
    char *group_name;   /* NULL when in no group */
    char *thread_title; /* NULL when the group has no thread */
};

/* A call a person was marked present at: a group session, or week
 * `week` of a plenary (whose first call starts at `starts_at`). */
struct mg_store_part_call {
    int64_t person_id;
    int plenary;        /* 0: group session */
    int64_t session_id; /* group session */
    int64_t plenary_id; /* plenary */
    int week;
    int64_t starts_at; /* group: the session's; plenary: its first call's */
    int scheduled;     /* the call's length, minutes */
    int reported;      /* minutes in the imported report, 0 when none */
    char *title;       /* the group's name or the plenary's title */
};

/*
 * Circle `circle_id`'s people (every one when `person_id` is 0, else
 * that one), by id, and the calls they were present at (cancelled
 * sessions left out), by person. The caller frees with the functions
 * below. MG_ENOTFOUND when `person_id` is not the circle's.
 */
int mg_store_participation_people(struct mg_store_part_person **out, size_t *n,
                                  struct mg_store *st, int64_t circle_id,
                                  int64_t person_id);
int mg_store_participation_calls(struct mg_store_part_call **out, size_t *n,
                                 struct mg_store *st, int64_t circle_id,
                                 int64_t person_id);
void mg_store_part_people_free(struct mg_store_part_person *rows, size_t n);
void mg_store_part_calls_free(struct mg_store_part_call *rows, size_t n);

#endif
