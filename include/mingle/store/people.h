/*
 * people: a circle's participants, their details and who has a given
 * mail address. Erasing a person for good is privacy.h's.
 */
#ifndef MINGLE_STORE_PEOPLE_H
#define MINGLE_STORE_PEOPLE_H

#include <stddef.h>
#include <stdint.h>

#include "mingle/core.h"
#include "mingle/people.h"

struct mg_store;
struct mg_store_tx;

/*
 * Participants. Insert stores a batch in one transaction: all or nothing.
 * On failure *failed (may be NULL) is the index of the person that failed
 * (MG_ECONFLICT: the email is already in the circle). Ids, circle_id and
 * times are filled in on success.
 */
int mg_store_participants_insert(size_t *failed, struct mg_store *st,
                                 int64_t circle_id, struct mg_participant *list,
                                 size_t n);

/* Replace participant p->id of circle p->circle_id (details included). */
int mg_store_participant_update(struct mg_store *st, struct mg_participant *p);

/* Erase a participant and everything that names them: the same as
 * mg_store_participant_erase() without the account of what went. */
int mg_store_participant_delete(struct mg_store *st, int64_t circle_id,
                                int64_t id);

/* The circle of person `person_id` (0 and MG_ENOTFOUND for nobody):
 * where a link that names only a person (a survey's, a certificate's
 * code) finds its circle. */
int mg_store_person_circle(int64_t *circle_id, struct mg_store *st,
                           int64_t person_id);

/* On success *out is the caller's: mg_participants_free(*out, 1). */
int mg_store_participant_get(struct mg_participant **out, struct mg_store *st,
                             int64_t circle_id, int64_t id);

/* Filters for listing; NULL strings and 0 numbers mean "any". */
struct mg_people_filter {
    const char *status;
    const char *role;
    const char *sector;
    const char *region;
    const char *query; /* part of the name or email */
    int64_t after;     /* ids greater than this */
    int limit;         /* 0: no limit */
    int offset;        /* skip this many (a page of a list) */
    int64_t group_id;  /* 0: any; -1: in no group; else its members */
};

/* By id; *out is the caller's (mg_participants_free). */
int mg_store_participants_list(struct mg_participant **out, size_t *n,
                               struct mg_store *st, int64_t circle_id,
                               const struct mg_people_filter *f);
/* How many people `f` keeps (its limit and offset aside). */
int mg_store_participants_count(size_t *n, struct mg_store *st,
                                int64_t circle_id,
                                const struct mg_people_filter *f);

/* Who has this address (lower-case), in every circle. */
struct mg_member_hit {
    int64_t circle_id;
    int64_t participant_id;
    int64_t group_id; /* 0: in none */
    int facilitator;
    int active;
    char *name;
};
/* Every participant with address `email` (lower-case). *out is the
 * caller's; free it with mg_store_member_hits_free(). */
int mg_store_members_by_email(struct mg_member_hit **out, size_t *n,
                              struct mg_store *st, const char *email);
/* Free `n` hits and their names; NULL is fine. */
void mg_store_member_hits_free(struct mg_member_hit *h, size_t n);

/*
 * Inside a transaction (store.h): the name and address of participant
 * `id` of circle `circle_id`, copies the caller free()s (either out
 * pointer may be NULL). MG_ENOTFOUND if they are not in that circle, or
 * only pending there (a sign-up not confirmed gets no plenary place).
 */
int mg_store_tx_participant_contact(char **name, char **email,
                                    struct mg_store_tx *tx, int64_t circle_id,
                                    int64_t id);

#endif
