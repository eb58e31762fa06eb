/*
 * fuzz_survey.c: libFuzzer target for what a survey takes from anyone: a
 * coordinator's JSON settings (mg_json_survey_update, then the rules)
 * and a participant's posted form (mg_survey_answers_from_form), whose
 * answers are then tallied. The input is both: the JSON, and the same
 * bytes read as "name=value&..." form fields. Answers that pass must be
 * in range; the tally must never count more than was given.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "mingle/inbound.h"
#include "mingle/json.h"
#include "mingle/survey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_answers(const struct mg_survey *s,
                          const struct mg_survey_answer *a, size_t n)
{
    struct mg_survey_results r;
    size_t i, k, q;
    int total = 0;

    for (i = 0; i < n; i++) {
        for (q = 0; q < s->n_questions; q++)
            if (strcmp(s->questions[q].id, a[i].question) == 0)
                break;
        if (q == s->n_questions)
            __builtin_trap();
        if (s->questions[q].kind == MG_SURVEY_KIND_SCALE &&
            (a[i].value < 1 || a[i].value > MG_SURVEY_SCALE))
            __builtin_trap();
        if ((s->questions[q].kind == MG_SURVEY_KIND_SINGLE ||
             s->questions[q].kind == MG_SURVEY_KIND_MULTIPLE) &&
            (a[i].value < 0 || (size_t)a[i].value >= s->questions[q].n_options))
            __builtin_trap();
    }
    mg_survey_tally(&r, s, a, n, 1, 1);
    for (q = 0; q < r.n_questions; q++) {
        for (k = 0; k < r.questions[q].n_counts; k++)
            total += r.questions[q].counts[k];
        total += (int)r.questions[q].n_texts;
        if (r.questions[q].answered > 1)
            __builtin_trap(); /* one response */
    }
    if ((size_t)total > n)
        __builtin_trap();
    mg_survey_results_release(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mg_survey s;
    struct mg_error err = {{0}, {0}};
    struct mg_form form;
    struct mg_survey_answer *a = NULL;
    const char **errors;
    const char *p = (const char *)data, *end = p + size;
    json_t *doc = json_loadb((const char *)data, size, 0, NULL);
    size_t n = 0;

    memset(&s, 0, sizeof(s));
    mg_survey_default_questions(&s);
    if (doc && mg_json_survey_update(&s, doc, "Pacific/Auckland", &err) == 0 &&
        mg_survey_validate(&s, &err) < 0) {
        /* a refusal names its field */
        if (!err.field[0])
            __builtin_trap();
        mg_survey_release(&s);
        memset(&s, 0, sizeof(s));
        mg_survey_default_questions(&s);
    }
    json_decref(doc);
    /* the same bytes as form fields */
    memset(&form, 0, sizeof(form));
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(stop - p));
        char *name;

        if (eq) {
            name = mg_xstrndup(p, (size_t)(eq - p));
            mg_form_add(&form, name, NULL, NULL, eq + 1,
                        (size_t)(stop - eq - 1));
            free(name);
        }
        p = amp ? amp + 1 : end;
    }
    errors = calloc(s.n_questions + 1, sizeof(*errors));
    if (mg_survey_answers_from_form(&a, &n, &s, &form, errors) == 0)
        check_answers(&s, a, n);
    mg_survey_answers_free(a, n);
    free(errors);
    mg_form_release(&form);
    mg_survey_release(&s);
    return 0;
}
