/*
 * participation: what one person took part in, from the attendance
 * recorded: each call they were marked present at, the minutes it
 * counts for, their totals, and who they were in the circle (role,
 * group, thread). Certificates, CPD journal rows and exports read it.
 *
 * The minutes a call counts for (mg_participation_minutes()): the
 * minutes in the imported Zoom or Teams report when there are any,
 * never more than the call's scheduled length (a host who leaves the
 * meeting running does not lengthen anybody's call); else, for a
 * presence recorded without minutes (by the facilitator or the API),
 * the call's scheduled length.
 */
#ifndef MINGLE_PARTICIPATION_H
#define MINGLE_PARTICIPATION_H

#include <stddef.h>
#include <stdint.h>

#include "mingle/core.h"

struct mg_store;

struct mg_participation_call {
    int plenary;        /* 0: a group call */
    int64_t session_id; /* group call */
    int64_t plenary_id; /* plenary */
    int week;           /* 1-based */
    int64_t starts_at;  /* this call's start, UTC */
    int scheduled;      /* the call's length, minutes */
    int reported;       /* minutes in the imported report, 0 when none */
    int minutes;        /* what it counts for */
    char *title;        /* the group's name or the plenary's title */
};

struct mg_participation {
    int64_t person_id;
    char *name;
    char status[16];
    int facilitator;
    int64_t group_id;                    /* 0: in no group */
    char *group_name;                    /* "" when none */
    char *thread_title;                  /* "" when none */
    struct mg_participation_call *calls; /* by start */
    size_t n_calls;
    int group_calls;   /* group calls attended */
    int plenary_calls; /* plenary calls attended */
    int minutes;       /* the sum of the calls' */
    int64_t first_at;  /* the first call's start, 0 when none */
    int64_t last_at;   /* the last call's end, 0 when none */
};

/* What a call counts for, as above. */
int mg_participation_minutes(int reported, int scheduled);
/* Sort `p`'s calls by start, and sum them into its totals. */
void mg_participation_total(struct mg_participation *p);

/*
 * Load circle `circle_id`'s people (all when `person_id` is 0, else that
 * one) with their calls into `*out` (`*n`, by person id; the caller's,
 * mg_participation_free). MG_ENOTFOUND for an unknown circle or a
 * person not in it, or the store's code.
 */
int mg_participation_load(struct mg_participation **out, size_t *n,
                          struct mg_store *st, int64_t circle_id,
                          int64_t person_id);
void mg_participation_free(struct mg_participation *p, size_t n);

#endif
