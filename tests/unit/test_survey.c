/*
 * test_survey.c: issue 19, item 1: the survey's pure part. The tally of
 * answers (counts per value and option, those who answered each
 * question counted once however many options they ticked, a scale's
 * mean, free texts in order, the response rate) against figures worked
 * out by hand; the rules on questions, each error naming its field; a
 * posted form read as answers with an error per question.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mingle/inbound.h"
#include "mingle/survey.h"

/* A survey of four questions: a scale, a single and a multiple choice,
 * free text. */
static void four_questions(struct mg_survey *s)
{
    static const char *const single[] = {"Yes", "No"};
    static const char *const multiple[] = {"Mission", "Communities", "Tools"};
    struct mg_survey_question q[4];
    size_t i;

    memset(s, 0, sizeof(*s));
    memset(q, 0, sizeof(q));
    q[0].id = (char *)"useful";
    q[0].kind = MG_SURVEY_KIND_SCALE;
    q[0].text = (char *)"Useful?";
    q[0].required = 1;
    q[1].id = (char *)"again";
    q[1].kind = MG_SURVEY_KIND_SINGLE;
    q[1].text = (char *)"Again?";
    q[1].options = (char **)single;
    q[1].n_options = 2;
    q[2].id = (char *)"threads";
    q[2].kind = MG_SURVEY_KIND_MULTIPLE;
    q[2].text = (char *)"Threads?";
    q[2].options = (char **)multiple;
    q[2].n_options = 3;
    q[3].id = (char *)"change";
    q[3].kind = MG_SURVEY_KIND_TEXT;
    q[3].text = (char *)"Change?";
    s->questions = calloc(4, sizeof(*s->questions));
    for (i = 0; i < 4; i++)
        mg_survey_question_copy(&s->questions[i], &q[i]);
    s->n_questions = 4;
    s->custom = 1;
    s->anonymous = 1;
}

static struct mg_survey_answer answer(int64_t response, const char *q,
                                      int value, const char *text)
{
    struct mg_survey_answer a;

    memset(&a, 0, sizeof(a));
    a.response = response;
    snprintf(a.question, sizeof(a.question), "%s", q);
    a.value = value;
    a.text = (char *)text;
    return a;
}

/* Item 1: the tally. Three responses (ids 30, 10, 20, answers shuffled):
 *   10: useful 5, again Yes, threads Mission + Tools, "More time"
 *   20: useful 2, threads Tools
 *   30: useful 4, again No, threads Mission + Communities + Tools,
 *       "Shorter calls"
 * plus answers the tally must leave out: a scale of 6, an option of 3,
 * a question nobody asked. By hand: useful 1/0/0/1/1 (answered 3, mean
 * 11/3); again 1 Yes 1 No (answered 2); threads Mission 2, Communities
 * 1, Tools 3 (answered 3); two texts; rate 3 of 4 = 0.75. */
static void test_tally(void **state)
{
    struct mg_survey s;
    struct mg_survey_results r;
    struct mg_survey_answer a[] = {
        answer(30, "threads", 2, NULL), answer(10, "useful", 5, NULL),
        answer(20, "threads", 2, NULL), answer(30, "useful", 4, NULL),
        answer(10, "threads", 0, NULL), answer(30, "again", 1, NULL),
        answer(10, "change", 0, "More time"), answer(20, "useful", 2, NULL),
        answer(30, "threads", 0, NULL), answer(10, "again", 0, NULL),
        answer(30, "threads", 1, NULL), answer(10, "threads", 2, NULL),
        answer(30, "change", 0, "Shorter calls"),
        /* left out */
        answer(20, "useful", 6, NULL), answer(20, "threads", 3, NULL),
        answer(20, "colour", 1, NULL)};
    (void)state;

    four_questions(&s);
    mg_survey_tally(&r, &s, a, sizeof(a) / sizeof(a[0]), 3, 4);
    assert_int_equal(r.responses, 3);
    assert_int_equal(r.attendees, 4);
    assert_true(r.rate == 0.75);
    assert_int_equal(r.n_questions, 4);

    assert_int_equal(r.questions[0].n_counts, 5);
    assert_int_equal(r.questions[0].counts[0], 0);
    assert_int_equal(r.questions[0].counts[1], 1);
    assert_int_equal(r.questions[0].counts[2], 0);
    assert_int_equal(r.questions[0].counts[3], 1);
    assert_int_equal(r.questions[0].counts[4], 1);
    assert_int_equal(r.questions[0].answered, 3);
    assert_true(r.questions[0].mean > 11.0 / 3 - 1e-9 &&
                r.questions[0].mean < 11.0 / 3 + 1e-9);
    assert_string_equal(r.questions[0].labels[4], "5");

    assert_int_equal(r.questions[1].counts[0], 1);
    assert_int_equal(r.questions[1].counts[1], 1);
    assert_int_equal(r.questions[1].answered, 2);
    assert_string_equal(r.questions[1].labels[1], "No");

    assert_int_equal(r.questions[2].n_counts, 3);
    assert_int_equal(r.questions[2].counts[0], 2);
    assert_int_equal(r.questions[2].counts[1], 1);
    assert_int_equal(r.questions[2].counts[2], 3);
    assert_int_equal(r.questions[2].answered, 3); /* people, not ticks */

    assert_int_equal(r.questions[3].n_counts, 0);
    assert_int_equal(r.questions[3].n_texts, 2);
    assert_int_equal(r.questions[3].answered, 2);
    /* response by response: 10's, then 30's */
    assert_string_equal(r.questions[3].texts[0], "More time");
    assert_string_equal(r.questions[3].texts[1], "Shorter calls");
    mg_survey_results_release(&r);

    /* nobody came: no rate, no mean */
    mg_survey_tally(&r, &s, NULL, 0, 0, 0);
    assert_true(r.rate == 0);
    assert_int_equal(r.questions[0].answered, 0);
    assert_true(r.questions[0].mean == 0);
    mg_survey_results_release(&r);
    mg_survey_release(&s);
}

static void expect_invalid(struct mg_survey *s, const char *field)
{
    struct mg_error err = {{0}, {0}};

    assert_int_equal(mg_survey_validate(s, &err), MG_EINVAL);
    assert_string_equal(err.field, field);
}

/* Item 1: the rules, each error naming its field. */
static void test_rules(void **state)
{
    struct mg_survey s;
    struct mg_error err = {{0}, {0}};
    char *keep;
    (void)state;

    memset(&s, 0, sizeof(s));
    mg_survey_default_questions(&s);
    assert_int_equal(s.n_questions, 5);
    assert_int_equal(mg_survey_validate(&s, &err), 0);
    mg_survey_release(&s);

    four_questions(&s);
    assert_int_equal(mg_survey_validate(&s, &err), 0);
    /* one option is not a choice */
    s.questions[1].n_options = 1;
    expect_invalid(&s, "questions[1].options");
    s.questions[1].n_options = 2;
    /* options on free text */
    {
        char **none = s.questions[3].options;

        s.questions[3].options = s.questions[1].options;
        s.questions[3].n_options = 2;
        expect_invalid(&s, "questions[3].options");
        s.questions[3].options = none;
        s.questions[3].n_options = 0;
    }
    /* a repeated option */
    keep = s.questions[2].options[2];
    s.questions[2].options[2] = s.questions[2].options[0];
    expect_invalid(&s, "questions[2].options[2]");
    s.questions[2].options[2] = keep;
    /* control characters, empty and long texts, bad UTF-8 */
    keep = s.questions[0].text;
    s.questions[0].text = (char *)"Tab\there";
    expect_invalid(&s, "questions[0].text");
    s.questions[0].text = (char *)"   ";
    expect_invalid(&s, "questions[0].text");
    s.questions[0].text = (char *)"caf\xc3";
    expect_invalid(&s, "questions[0].text");
    s.questions[0].text = (char *)"\xc2\x85next line";
    expect_invalid(&s, "questions[0].text");
    {
        char big[MG_SURVEY_TEXT_MAX + 2];

        memset(big, 'a', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        s.questions[0].text = big;
        expect_invalid(&s, "questions[0].text");
    }
    s.questions[0].text = (char *)"M\xc4\x81ori macrons are fine";
    assert_int_equal(mg_survey_validate(&s, &err), 0);
    s.questions[0].text = keep;
    /* ids: the shape and no repeats */
    keep = s.questions[2].id;
    s.questions[2].id = (char *)"Upper";
    expect_invalid(&s, "questions[2].id");
    s.questions[2].id = (char *)"useful";
    expect_invalid(&s, "questions[2].id");
    s.questions[2].id = keep;
    /* times */
    s.opens_at = 2000;
    s.closes_at = 1000;
    expect_invalid(&s, "closes_at");
    s.closes_at = 0;
    assert_int_equal(mg_survey_validate(&s, &err), 0);
    /* no questions, too many */
    s.n_questions = 0;
    expect_invalid(&s, "questions");
    s.n_questions = 4;
    mg_survey_release(&s);
}

/* Item 1: a posted form, with an error beside each wrong question. */
static void test_form(void **state)
{
    struct mg_survey s;
    struct mg_form f;
    struct mg_survey_answer *a = NULL;
    const char *errors[4];
    size_t n = 0;
    (void)state;

    four_questions(&s);
    memset(&f, 0, sizeof(f));
    mg_form_add(&f, "q-useful", NULL, NULL, "4", 1);
    mg_form_add(&f, "q-again", NULL, NULL, "1", 1);
    mg_form_add(&f, "q-threads", NULL, NULL, "2", 1);
    mg_form_add(&f, "q-threads", NULL, NULL, "0", 1);
    mg_form_add(&f, "q-threads", NULL, NULL, "2", 1); /* once only */
    mg_form_add(&f, "q-change", NULL, NULL, "Line one\nline two", 17);
    assert_int_equal(mg_survey_answers_from_form(&a, &n, &s, &f, errors), 0);
    assert_int_equal(n, 5);
    assert_string_equal(a[0].question, "useful");
    assert_int_equal(a[0].value, 4);
    assert_int_equal(a[1].value, 1);
    assert_int_equal(a[2].value, 2);
    assert_int_equal(a[3].value, 0);
    assert_string_equal(a[4].text, "Line one\nline two");
    mg_survey_answers_free(a, n);
    mg_form_release(&f);

    /* required left out; an option past the list; a scale of 0 */
    memset(&f, 0, sizeof(f));
    mg_form_add(&f, "q-again", NULL, NULL, "0", 1);
    mg_form_add(&f, "q-threads", NULL, NULL, "3", 1);
    assert_int_equal(mg_survey_answers_from_form(&a, &n, &s, &f, errors),
                     MG_EINVAL);
    assert_non_null(errors[0]); /* useful: required */
    assert_null(errors[1]);
    assert_non_null(errors[2]);
    assert_null(errors[3]);
    mg_survey_answers_free(a, n);
    mg_form_release(&f);

    memset(&f, 0, sizeof(f));
    mg_form_add(&f, "q-useful", NULL, NULL, "0", 1);
    mg_form_add(&f, "q-change", NULL, NULL, "bell\a", 5);
    assert_int_equal(mg_survey_answers_from_form(&a, &n, &s, &f, errors),
                     MG_EINVAL);
    assert_non_null(errors[0]);
    assert_non_null(errors[3]);
    mg_survey_answers_free(a, n);
    mg_form_release(&f);
    mg_survey_release(&s);
}

/* Item 1: open, not yet, closed (by its time or by hand). */
static void test_state(void **state)
{
    struct mg_survey s;
    (void)state;

    memset(&s, 0, sizeof(s));
    assert_int_equal(mg_survey_state_at(&s, 0, 0, 100), MG_SURVEY_NOT_YET);
    assert_int_equal(mg_survey_state_at(&s, 100, 200, 99), MG_SURVEY_NOT_YET);
    assert_int_equal(mg_survey_state_at(&s, 100, 200, 100), MG_SURVEY_OPEN);
    assert_int_equal(mg_survey_state_at(&s, 100, 200, 200), MG_SURVEY_CLOSED);
    s.closed_at = 150;
    assert_int_equal(mg_survey_state_at(&s, 100, 200, 160), MG_SURVEY_CLOSED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tally),
        cmocka_unit_test(test_rules),
        cmocka_unit_test(test_form),
        cmocka_unit_test(test_state),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
