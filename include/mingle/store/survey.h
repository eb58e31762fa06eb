/*
 * survey: a circle's evaluation survey as stored: its settings and
 * questions, the one opening job per circle and how far its mail has
 * gone, and the responses. A named response carries its participant; an
 * anonymous one carries no person, no time and a random id, and is found
 * again only by the SHA-256 of an edit token its author holds, while
 * "this person has answered" is a keyed hash in a table of its own. The
 * rules (what may change when) are the survey module's.
 */
#ifndef MINGLE_STORE_SURVEY_H
#define MINGLE_STORE_SURVEY_H

#include <stddef.h>
#include <stdint.h>

#include "mingle/core.h"
#include "mingle/survey.h"

struct mg_store;
struct mg_store_tx;
struct mg_job_person;

/*
 * Circle `circle_id`'s stored survey into *out (zeroed first; no
 * questions and custom 0 when the coordinator set none; anonymous 1 when
 * nothing is stored). *last_call_end: the end of the circle's last group
 * call not cancelled (0: none). MG_ENOTFOUND for no such circle.
 */
int mg_store_survey_get(struct mg_survey *out, int64_t *last_call_end,
                        struct mg_store *st, int64_t circle_id);

/*
 * Save `s` (its questions only when s->custom; else the stored ones are
 * dropped) and put the circle's opening job at `due_at` unless it is
 * done (made when it has none). In one transaction.
 */
int mg_store_survey_put(struct mg_store *st, int64_t circle_id,
                        const struct mg_survey *s, int64_t due_at);

/* Set closed_at (0: not closed by hand). */
int mg_store_survey_closed_at(struct mg_store *st, int64_t circle_id,
                              int64_t at);

/* How many responses the circle has, and how many people came to at
 * least one of its calls (present in a recorded group call). */
int mg_store_survey_counts(int *responses, int *attendees, struct mg_store *st,
                           int64_t circle_id);

/* Whether person `pid` may answer: present at one of the circle's
 * calls, or (no attendance recorded in the circle) an active member. */
int mg_store_survey_eligible(int *yes, struct mg_store *st, int64_t circle_id,
                             int64_t participant_id);

/* ---- the opening job ---- */

/* Circles whose opening job is waiting and due at `now`, up to `max`;
 * free() the array. */
int mg_store_survey_jobs_due(int64_t **circles, size_t *n, struct mg_store *st,
                             int64_t now, int max);
/* The job's state: *status "queued", "done" or "skipped" ("" when none),
 * its due time, how many mails it queued, the last person it mailed. */
int mg_store_survey_job_get(char status[16], int64_t *due_at, int64_t *mails,
                            int64_t *cursor, struct mg_store *st,
                            int64_t circle_id);
/* When the next waiting opening is due; MG_ENOTFOUND when none. */
int mg_store_survey_jobs_next_due(int64_t *at, struct mg_store *st);
/* Move a waiting job to `due_at` (its time moved later). */
int mg_store_survey_job_reschedule(struct mg_store *st, int64_t circle_id,
                                   int64_t due_at);

/*
 * Who the opening mail goes to, after person id `after`, up to `max`, in
 * id order: people present at one of the circle's calls, or every active
 * member when the circle recorded no attendance. Withdrawn people are
 * left out. mg_store_job_people_free().
 */
int mg_store_survey_recipients(struct mg_job_person **out, size_t *n,
                               struct mg_store *st, int64_t circle_id,
                               int64_t after, int max);

/* Inside `tx`: the job went as far as person `cursor`, queued `mails`
 * more; `done` marks it done at `now`. */
int mg_store_tx_survey_job_progress(struct mg_store_tx *tx, int64_t circle_id,
                                    int64_t cursor, size_t mails, int done,
                                    int64_t now);

/* ---- responses ---- */

/* Every answer of the circle's responses, response by response (the
 * response field holds its id); mg_survey_answers_free(). */
int mg_store_survey_answers(struct mg_survey_answer **out, size_t *n,
                            struct mg_store *st, int64_t circle_id);

/*
 * A response's answers: the named response of `participant_id` (when
 * not 0), else the anonymous one whose edit hash is `edit_hash` (32
 * bytes). *found 0 when there is none.
 */
int mg_store_survey_response(struct mg_survey_answer **out, size_t *n,
                             int *found, struct mg_store *st, int64_t circle_id,
                             int64_t participant_id,
                             const unsigned char *edit_hash);

/* Whether keyed hash `answered` (32 bytes) is among the circle's. */
int mg_store_survey_answered(int *yes, struct mg_store *st, int64_t circle_id,
                             const unsigned char *answered);

/*
 * Save a response in one transaction, replacing its answers. Named
 * (participant_id not 0): the person's one response. Anonymous: the
 * response whose edit hash is `edit_hash` when `replace`, else a new one
 * with random id and that edit hash, and `answered` recorded (MG_ECONFLICT
 * when it already was: they answered before).
 */
int mg_store_survey_response_put(struct mg_store *st, int64_t circle_id,
                                 int64_t participant_id,
                                 const unsigned char *edit_hash, int replace,
                                 const unsigned char *answered,
                                 const struct mg_survey_answer *a, size_t n);

#endif
