/*
 * survey: a circle's evaluation survey. The pure part (survey.c) holds
 * the questions and their rules, the default set, reading a posted form
 * into answers and tallying answers into results, all on plain structs.
 * The glue (open.c) loads and saves through `store`, works out when a
 * survey opens and closes, signs each person's link (/s/<person>/<mac>),
 * queues the opening mail through the outbox once per person (a
 * survey_open job per circle, run by the jobs scheduler) and saves a
 * person's answers, named or anonymous as the coordinator chose.
 */
#ifndef MINGLE_SURVEY_H
#define MINGLE_SURVEY_H

#include <stddef.h>
#include <stdint.h>

#include "mingle/core.h"

#define MG_SURVEY_MAX_QUESTIONS 30
#define MG_SURVEY_MAX_OPTIONS 12
#define MG_SURVEY_ID_MAX 32       /* a question's id: [a-z0-9_-] */
#define MG_SURVEY_TEXT_MAX 300    /* a question's text, in bytes */
#define MG_SURVEY_OPTION_MAX 100  /* an option's text */
#define MG_SURVEY_ANSWER_MAX 4000 /* a free-text answer */
#define MG_SURVEY_SCALE 5         /* scales run 1..5 */
#define MG_SURVEY_CLOSE_DAYS 14   /* default: closes this long after opening */
#define MG_SURVEY_MAC_HEX 32      /* 128 bits of HMAC in a link */

/* A question's kind; stored and written as "scale", "single",
 * "multiple", "text". */
enum mg_survey_kind {
    MG_SURVEY_KIND_SCALE,
    MG_SURVEY_KIND_SINGLE,
    MG_SURVEY_KIND_MULTIPLE,
    MG_SURVEY_KIND_TEXT
};

const char *mg_survey_kind_name(enum mg_survey_kind k);
/* The kind named `name`; MG_EINVAL for another word. */
int mg_survey_kind_parse(enum mg_survey_kind *out, const char *name);

struct mg_survey_question {
    char *id;
    enum mg_survey_kind kind;
    char *text;
    char **options; /* single and multiple choice: their labels */
    size_t n_options;
    int required;
};

/* A circle's survey settings. Times are UTC instants; 0 is "the
 * default" (opens at the end of the last call; closes
 * MG_SURVEY_CLOSE_DAYS after it opens). */
struct mg_survey {
    struct mg_survey_question *questions;
    size_t n_questions;
    int custom; /* the coordinator set the questions (0: the default set) */
    int64_t opens_at;
    int64_t closes_at;
    int anonymous;
    int64_t closed_at; /* closed by hand before its time; 0: not */
};

/* Free what `s` owns and zero it; NULL is fine. */
void mg_survey_release(struct mg_survey *s);
/* Deep copy of question `q` into `out`. */
void mg_survey_question_copy(struct mg_survey_question *out,
                             const struct mg_survey_question *q);
/*
 * The default questions into s (replacing any): usefulness (scale), the
 * facilitator (scale), the pace of the readings (single: too slow /
 * about right / too fast), would you recommend it (single: yes / maybe /
 * no), what to change (text). Only the first two are required. The
 * texts are English; pages translate them.
 */
void mg_survey_default_questions(struct mg_survey *s);

/*
 * Check the questions of `s`: 1 to MG_SURVEY_MAX_QUESTIONS, unique ids of
 * [a-z0-9_-], texts of 1 to MG_SURVEY_TEXT_MAX bytes of valid UTF-8
 * without control characters, 2 to MG_SURVEY_MAX_OPTIONS distinct
 * options for choice kinds and none for others; and the times: a close
 * after the opening. MG_EINVAL with `err` naming the field
 * ("questions[2].options").
 */
int mg_survey_validate(const struct mg_survey *s, struct mg_error *err);

/* One question's answer in one response. For a scale, `value` is 1..5;
 * for a choice, the option's index (a multiple choice has one row per
 * option ticked); for free text, `text`. */
struct mg_survey_answer {
    int64_t response; /* which response (any number the loader chose) */
    char question[MG_SURVEY_ID_MAX + 1];
    int value;
    char *text; /* owned; NULL but for free text */
};
void mg_survey_answers_free(struct mg_survey_answer *a, size_t n);

/*
 * A posted form read as answers to the questions of `s`: field "q-<id>"
 * holds a scale's value or a single choice's index, "q-<id>" repeated
 * (or "q-<id>-<k>") a multiple choice's indices, "q-<id>" free text.
 * errors[i] (an array of s->n_questions the caller gives) is set to a
 * message (static, English; pages translate it) for each question whose
 * answer is wrong or missing though required. Returns 0, or MG_EINVAL
 * when any error was set. *out (free with mg_survey_answers_free) holds
 * the answers given, response 0, also on error, so a page can show them
 * again.
 */
struct mg_form;
int mg_survey_answers_from_form(struct mg_survey_answer **out, size_t *n,
                                const struct mg_survey *s,
                                const struct mg_form *form,
                                const char **errors);

/* A question's results. */
struct mg_survey_tally {
    char *id;
    char *text;
    enum mg_survey_kind kind;
    char **labels; /* one per count: "1".."5" or the options */
    int *counts;   /* people who gave each */
    size_t n_counts;
    int answered; /* responses with an answer to it */
    double mean;  /* scale: the average, 0 when nobody answered */
    char **texts; /* free text, in the order given */
    size_t n_texts;
};

/* The survey's results: the tallies of each question, how many
 * answered against how many came. */
struct mg_survey_results {
    int responses;
    int attendees; /* people who came to at least one call */
    double rate;   /* responses / attendees, 0 when none came */
    int anonymous;
    int64_t opens_at, closes_at; /* effective */
    struct mg_survey_tally *questions;
    size_t n_questions;
};

/*
 * Tally `answers` (n of them, any order) against the questions of `s`:
 * for each question how many answered it and how many gave each value
 * or option, a scale's mean, and the free texts. An answer naming no
 * question or a value out of range is left out. `responses` and
 * `attendees` are copied in and the rate worked out. `out` is the
 * caller's (mg_survey_results_release). Never fails.
 */
void mg_survey_tally(struct mg_survey_results *out, const struct mg_survey *s,
                     const struct mg_survey_answer *answers, size_t n,
                     int responses, int attendees);
void mg_survey_results_release(struct mg_survey_results *r);

/* What a survey is at `now`: not open yet, open, or closed. */
enum mg_survey_state { MG_SURVEY_NOT_YET, MG_SURVEY_OPEN, MG_SURVEY_CLOSED };
/* The state of `s` whose effective times are opens_at, closes_at. */
enum mg_survey_state mg_survey_state_at(const struct mg_survey *s,
                                        int64_t opens_at, int64_t closes_at,
                                        int64_t now);
const char *mg_survey_state_name(enum mg_survey_state st);

/* ---- glue (open.c): through the store ---- */

struct mg_store;
struct mg_jobs_config;

/*
 * Circle `circle_id`'s survey into *out (the default questions when
 * none are set), with its effective opening and closing instants (the
 * end of the circle's last call, 0 when it has no call yet; 14 days
 * after). MG_ENOTFOUND for no such circle.
 */
int mg_survey_load(struct mg_survey *out, int64_t *opens_at, int64_t *closes_at,
                   struct mg_store *st, int64_t circle_id);

/*
 * Validate and save `s` as circle `circle_id`'s survey, and move its
 * opening job to the opening time. Once anybody has answered, the
 * questions and anonymity can no longer change (MG_EINVAL naming
 * "questions" or "anonymous").
 */
int mg_survey_save(struct mg_store *st, int64_t circle_id,
                   const struct mg_survey *s, struct mg_error *err);

/*
 * Open the survey now (its opening time becomes `now`; the opening job
 * runs at the next round) or close it now.
 */
int mg_survey_open_now(struct mg_store *st, int64_t circle_id, int64_t now);
int mg_survey_close_now(struct mg_store *st, int64_t circle_id, int64_t now);

/*
 * One round of survey openings at `now`: each circle whose survey is
 * due to open has its invitation mail queued for up to `max` people per
 * transaction (those who came to at least one call; every active
 * member when the circle recorded no attendance), with one outbox
 * dedupe key per person and circle, so each gets it once. *mails counts
 * what was queued. Called by the jobs scheduler.
 */
int mg_survey_round(size_t *mails, struct mg_store *st,
                    const struct mg_jobs_config *cfg, int64_t now, int max);

/* The link of a person's survey: "/s/<person>/<mac>" into out (n bytes). */
int mg_survey_link(char *out, size_t n, struct mg_store *st,
                   int64_t participant_id);
/*
 * Check a link's mac in constant time and find its person's circle:
 * MG_ENOTFOUND for a bad mac or a person who is gone.
 */
int mg_survey_link_check(int64_t *circle_id, struct mg_store *st,
                         int64_t participant_id, const char *mac);

/* Whether person `pid` of circle `circle_id` may answer: they came to a
 * call, or nothing was recorded and they are an active member. */
int mg_survey_may_answer(int *yes, struct mg_store *st, int64_t circle_id,
                         int64_t participant_id);

/*
 * What person `pid` answered so far: *answered 1 when they have, and
 * their answers (named: by their id; anonymous: found by the edit token
 * `edit`, which may be NULL, and then none are returned although
 * *answered is 1).
 */
int mg_survey_mine(struct mg_survey_answer **out, size_t *n, int *answered,
                   struct mg_store *st, const struct mg_survey *s,
                   int64_t circle_id, int64_t participant_id, const char *edit);

/*
 * Save person `pid`'s answers. Named: their one response, replaced.
 * Anonymous: the response carries no person; `edit` (may be NULL) is
 * the token from their first answer, which finds it again; a first
 * answer makes a new token into edit_out (33 bytes: 32 hex and NUL) for
 * the caller to hand to the person. MG_ECONFLICT when an anonymous
 * person answered before but has no (or a wrong) token.
 */
int mg_survey_answer_save(char *edit_out, struct mg_store *st,
                          const struct mg_survey *s, int64_t circle_id,
                          int64_t participant_id, const char *edit,
                          const struct mg_survey_answer *a, size_t n);

/* Circle `circle_id`'s results, tallied. MG_ENOTFOUND for no circle. */
int mg_survey_results_load(struct mg_survey_results *out, struct mg_store *st,
                           int64_t circle_id);

#endif
