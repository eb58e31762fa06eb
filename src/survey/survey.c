/*
 * survey.c: the pure part of the evaluation survey: the default
 * questions, the rules a coordinator's questions must pass, a posted
 * form read as answers, and the tally of answers into results. Plain
 * structs in and out; loading and saving are open.c's.
 */
#include "mingle/survey.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mingle/circle.h"
#include "mingle/i18n.h"
#include "mingle/inbound.h"

#include "banned.h"

static const char *const kind_names[] = {"scale", "single", "multiple", "text"};

const char *mg_survey_kind_name(enum mg_survey_kind k)
{
    if ((int)k < 0 || (size_t)k >= sizeof(kind_names) / sizeof(*kind_names))
        return "text";
    return kind_names[k];
}

int mg_survey_kind_parse(enum mg_survey_kind *out, const char *name)
{
    size_t i;

    for (i = 0; name && i < sizeof(kind_names) / sizeof(*kind_names); i++)
        if (strcmp(name, kind_names[i]) == 0) {
            *out = (enum mg_survey_kind)i;
            return 0;
        }
    return MG_EINVAL;
}

static void question_release(struct mg_survey_question *q)
{
    size_t i;

    free(q->id);
    free(q->text);
    for (i = 0; i < q->n_options; i++)
        free(q->options[i]);
    free(q->options);
    memset(q, 0, sizeof(*q));
}

void mg_survey_release(struct mg_survey *s)
{
    size_t i;

    if (!s)
        return;
    for (i = 0; i < s->n_questions; i++)
        question_release(&s->questions[i]);
    free(s->questions);
    memset(s, 0, sizeof(*s));
}

void mg_survey_question_copy(struct mg_survey_question *out,
                             const struct mg_survey_question *q)
{
    size_t i;

    memset(out, 0, sizeof(*out));
    out->id = mg_xstrdup(q->id ? q->id : "");
    out->kind = q->kind;
    out->text = mg_xstrdup(q->text ? q->text : "");
    out->required = q->required;
    out->n_options = q->n_options;
    out->options = mg_xcalloc(q->n_options + 1, sizeof(*out->options));
    for (i = 0; i < q->n_options; i++)
        out->options[i] = mg_xstrdup(q->options[i] ? q->options[i] : "");
}

static void add_default(struct mg_survey *s, const char *id,
                        enum mg_survey_kind kind, const char *text,
                        int required, const char *const *options)
{
    struct mg_survey_question q;
    size_t n = 0;

    while (options && options[n])
        n++;
    memset(&q, 0, sizeof(q));
    q.id = (char *)id;
    q.kind = kind;
    q.text = (char *)text;
    q.required = required;
    q.options = (char **)options;
    q.n_options = n;
    mg_survey_question_copy(&s->questions[s->n_questions++], &q);
}

void mg_survey_default_questions(struct mg_survey *s)
{
    static const char *const pace[] = {N_("Too slow"), N_("About right"),
                                       N_("Too fast"), NULL};
    static const char *const recommend[] = {N_("Yes"), N_("Maybe"), N_("No"),
                                            NULL};
    size_t i;

    for (i = 0; i < s->n_questions; i++)
        question_release(&s->questions[i]);
    free(s->questions);
    s->questions = mg_xcalloc(5, sizeof(*s->questions));
    s->n_questions = 0;
    s->custom = 0;
    add_default(s, "useful", MG_SURVEY_KIND_SCALE,
                N_("How useful was the circle for your work?"), 1, NULL);
    add_default(s, "facilitator", MG_SURVEY_KIND_SCALE,
                N_("How well did your facilitator lead the calls?"), 1, NULL);
    add_default(s, "pace", MG_SURVEY_KIND_SINGLE,
                N_("How was the pace of the readings?"), 0, pace);
    add_default(s, "recommend", MG_SURVEY_KIND_SINGLE,
                N_("Would you recommend the circle to a colleague?"), 0,
                recommend);
    add_default(s, "change", MG_SURVEY_KIND_TEXT,
                N_("What would you change for the next circle?"), 0, NULL);
}

/* ---- rules ---- */

static int id_valid(const char *id)
{
    size_t n = id ? strlen(id) : 0;

    return n > 0 && n <= MG_SURVEY_ID_MAX &&
           strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

/* Valid UTF-8, no control characters but (with `lines`) line breaks and
 * tabs. */
static int text_ok(const char *s, int lines)
{
    const unsigned char *p = (const unsigned char *)s;

    while (*p) {
        int more;

        if (*p < 0x20 || *p == 0x7f) {
            if (!(lines && (*p == '\n' || *p == '\r' || *p == '\t')))
                return 0;
            p++;
            continue;
        }
        if (*p < 0x80) {
            p++;
            continue;
        }
        if (*p >= 0xc2 && *p <= 0xdf)
            more = 1;
        else if (*p >= 0xe0 && *p <= 0xef)
            more = 2;
        else if (*p >= 0xf0 && *p <= 0xf4)
            more = 3;
        else
            return 0;
        /* no overlong forms, surrogates or code points past U+10FFFF */
        if ((*p == 0xe0 && p[1] < 0xa0) || (*p == 0xed && p[1] > 0x9f) ||
            (*p == 0xf0 && p[1] < 0x90) || (*p == 0xf4 && p[1] > 0x8f))
            return 0;
        /* C1 controls (U+0080..U+009F) */
        if (*p == 0xc2 && p[1] < 0xa0)
            return 0;
        for (p++; more; more--, p++)
            if ((*p & 0xc0) != 0x80)
                return 0;
    }
    return 1;
}

static int check_text(const char *s, size_t max, const char *field,
                      struct mg_error *err)
{
    size_t n = s ? strlen(s) : 0;

    if (n == 0 || strspn(s, " ") == n) {
        mg_error_set(err, field, "'%s' must not be empty", field);
        return MG_EINVAL;
    }
    if (n > max) {
        mg_error_set(err, field, "'%s' is longer than %zu bytes", field, max);
        return MG_EINVAL;
    }
    if (!text_ok(s, 0)) {
        mg_error_set(err, field,
                     "'%s' must be UTF-8 text without control characters",
                     field);
        return MG_EINVAL;
    }
    return 0;
}

static int check_question(const struct mg_survey *s, size_t i,
                          struct mg_error *err)
{
    const struct mg_survey_question *q = &s->questions[i];
    char field[64];
    size_t k, j;
    int rc;

    snprintf(field, sizeof(field), "questions[%zu].id", i);
    if (!id_valid(q->id)) {
        mg_error_set(err, field,
                     "'%s' must be 1 to %d of a-z, 0-9, '_' and '-'", field,
                     MG_SURVEY_ID_MAX);
        return MG_EINVAL;
    }
    for (k = 0; k < i; k++)
        if (strcmp(s->questions[k].id, q->id) == 0) {
            mg_error_set(err, field, "'%s': the id '%s' is used twice", field,
                         q->id);
            return MG_EINVAL;
        }
    snprintf(field, sizeof(field), "questions[%zu].text", i);
    rc = check_text(q->text, MG_SURVEY_TEXT_MAX, field, err);
    if (rc < 0)
        return rc;
    snprintf(field, sizeof(field), "questions[%zu].options", i);
    if (q->kind == MG_SURVEY_KIND_SINGLE ||
        q->kind == MG_SURVEY_KIND_MULTIPLE) {
        if (q->n_options < 2 || q->n_options > MG_SURVEY_MAX_OPTIONS) {
            mg_error_set(err, field, "'%s' must have 2 to %d options", field,
                         MG_SURVEY_MAX_OPTIONS);
            return MG_EINVAL;
        }
    } else if (q->n_options) {
        mg_error_set(err, field, "'%s': a %s question has no options", field,
                     mg_survey_kind_name(q->kind));
        return MG_EINVAL;
    }
    for (k = 0; k < q->n_options; k++) {
        snprintf(field, sizeof(field), "questions[%zu].options[%zu]", i, k);
        rc = check_text(q->options[k], MG_SURVEY_OPTION_MAX, field, err);
        if (rc < 0)
            return rc;
        for (j = 0; j < k; j++)
            if (strcmp(q->options[j], q->options[k]) == 0) {
                mg_error_set(err, field, "'%s' repeats an option", field);
                return MG_EINVAL;
            }
    }
    return 0;
}

int mg_survey_validate(const struct mg_survey *s, struct mg_error *err)
{
    size_t i;
    int rc;

    if (s->n_questions < 1 || s->n_questions > MG_SURVEY_MAX_QUESTIONS) {
        mg_error_set(err, "questions",
                     "'questions' must hold 1 to %d questions",
                     MG_SURVEY_MAX_QUESTIONS);
        return MG_EINVAL;
    }
    for (i = 0; i < s->n_questions; i++) {
        rc = check_question(s, i, err);
        if (rc < 0)
            return rc;
    }
    if (s->opens_at < 0 || s->closes_at < 0) {
        mg_error_set(err, s->opens_at < 0 ? "opens_at" : "closes_at",
                     "times must be after 1970");
        return MG_EINVAL;
    }
    if (s->opens_at && s->closes_at && s->closes_at <= s->opens_at) {
        mg_error_set(err, "closes_at", "'closes_at' must be after 'opens_at'");
        return MG_EINVAL;
    }
    return 0;
}

/* ---- a posted form ---- */

void mg_survey_answers_free(struct mg_survey_answer *a, size_t n)
{
    size_t i;

    for (i = 0; a && i < n; i++)
        free(a[i].text);
    free(a);
}

struct answers {
    struct mg_survey_answer *a;
    size_t n, cap;
};

static void answer_add(struct answers *A, const char *question, int value,
                       const char *text)
{
    struct mg_survey_answer *x;

    if (A->n == A->cap) {
        A->cap = A->cap ? 2 * A->cap : 16;
        A->a = mg_xrealloc(A->a, A->cap * sizeof(*A->a));
    }
    x = &A->a[A->n++];
    memset(x, 0, sizeof(*x));
    snprintf(x->question, sizeof(x->question), "%s", question);
    x->value = value;
    x->text = text ? mg_xstrdup(text) : NULL;
}

/* A whole number 0..max from a field, or -1. */
static int small_number(const struct mg_form_field *f, int max)
{
    char *end;
    long v;

    if (!f || !f->value || f->len == 0 || f->len > 4 ||
        strlen(f->value) != f->len)
        return -1;
    if (f->value[0] < '0' || f->value[0] > '9')
        return -1;
    v = strtol(f->value, &end, 10);
    if (*end || v < 0 || v > max)
        return -1;
    return (int)v;
}

static int is_blank(const char *s)
{
    for (; s && *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
            return 0;
    return 1;
}

int mg_survey_answers_from_form(struct mg_survey_answer **out, size_t *n,
                                const struct mg_survey *s,
                                const struct mg_form *form, const char **errors)
{
    struct answers A = {NULL, 0, 0};
    size_t i, k;
    int rc = 0;

    for (i = 0; i < s->n_questions; i++) {
        const struct mg_survey_question *q = &s->questions[i];
        char name[MG_SURVEY_ID_MAX + 8];
        const struct mg_form_field *f;
        size_t before = A.n;

        errors[i] = NULL;
        snprintf(name, sizeof(name), "q-%s", q->id);
        f = mg_form_get(form, name);
        switch (q->kind) {
        case MG_SURVEY_KIND_SCALE:
        case MG_SURVEY_KIND_SINGLE: {
            int max = q->kind == MG_SURVEY_KIND_SCALE ? MG_SURVEY_SCALE
                                                      : (int)q->n_options - 1;
            int min = q->kind == MG_SURVEY_KIND_SCALE ? 1 : 0;
            int v = small_number(f, max);

            if (f && f->len && v < min)
                errors[i] = N_("Choose one of the answers given.");
            else if (f && f->len)
                answer_add(&A, q->id, v, NULL);
            break;
        }
        case MG_SURVEY_KIND_MULTIPLE: {
            unsigned char seen[MG_SURVEY_MAX_OPTIONS] = {0};

            for (k = 0; form && k < form->n; k++) {
                const struct mg_form_field *x = &form->fields[k];
                int v;

                if (!x->name || strcmp(x->name, name) != 0)
                    continue;
                v = small_number(x, (int)q->n_options - 1);
                if (v < 0) {
                    errors[i] = N_("Choose among the answers given.");
                    break;
                }
                if (!seen[v]) {
                    seen[v] = 1;
                    answer_add(&A, q->id, v, NULL);
                }
            }
            break;
        }
        case MG_SURVEY_KIND_TEXT:
            if (!f || is_blank(f->value))
                break;
            if (strlen(f->value) != f->len || !text_ok(f->value, 1))
                errors[i] =
                    N_("This answer has characters that cannot be kept.");
            else if (f->len > MG_SURVEY_ANSWER_MAX)
                errors[i] = N_("This answer is too long (at most 4000 "
                               "characters).");
            else
                answer_add(&A, q->id, 0, f->value);
            break;
        }
        if (!errors[i] && q->required && A.n == before)
            errors[i] = N_("Please answer this question.");
        if (errors[i])
            rc = MG_EINVAL;
    }
    *out = A.a;
    *n = A.n;
    return rc;
}

/* ---- tally ---- */

static const char *const scale_labels[] = {"1", "2", "3", "4", "5"};

static int cmp_by_response(const void *a, const void *b)
{
    const struct mg_survey_answer *x =
        *(const struct mg_survey_answer *const *)a;
    const struct mg_survey_answer *y =
        *(const struct mg_survey_answer *const *)b;

    if (x->response != y->response)
        return x->response < y->response ? -1 : 1;
    return x < y ? -1 : x > y;
}

void mg_survey_tally(struct mg_survey_results *out, const struct mg_survey *s,
                     const struct mg_survey_answer *answers, size_t n,
                     int responses, int attendees)
{
    size_t i, k;
    /* answers a response at a time, so a response that ticked several
     * options counts once among those who answered the question */
    const struct mg_survey_answer **by = mg_xcalloc(n + 1, sizeof(*by));
    int64_t *last = mg_xcalloc(s->n_questions + 1, sizeof(*last));
    int *any = mg_xcalloc(s->n_questions + 1, sizeof(*any));
    double *sum = mg_xcalloc(s->n_questions + 1, sizeof(*sum));

    memset(out, 0, sizeof(*out));
    out->responses = responses;
    out->attendees = attendees;
    out->rate = attendees > 0 ? (double)responses / attendees : 0;
    out->anonymous = s->anonymous;
    out->n_questions = s->n_questions;
    out->questions = mg_xcalloc(s->n_questions + 1, sizeof(*out->questions));
    for (i = 0; i < s->n_questions; i++) {
        const struct mg_survey_question *q = &s->questions[i];
        struct mg_survey_tally *t = &out->questions[i];

        t->id = mg_xstrdup(q->id);
        t->text = mg_xstrdup(q->text);
        t->kind = q->kind;
        if (q->kind == MG_SURVEY_KIND_SCALE)
            t->n_counts = MG_SURVEY_SCALE;
        else if (q->kind != MG_SURVEY_KIND_TEXT)
            t->n_counts = q->n_options;
        t->labels = mg_xcalloc(t->n_counts + 1, sizeof(*t->labels));
        t->counts = mg_xcalloc(t->n_counts + 1, sizeof(*t->counts));
        for (k = 0; k < t->n_counts; k++)
            t->labels[k] =
                mg_xstrdup(q->kind == MG_SURVEY_KIND_SCALE ? scale_labels[k]
                                                           : q->options[k]);
    }
    for (k = 0; k < n; k++)
        by[k] = &answers[k];
    qsort(by, n, sizeof(*by), cmp_by_response);
    for (k = 0; k < n; k++) {
        const struct mg_survey_answer *a = by[k];
        struct mg_survey_tally *t = NULL;

        for (i = 0; i < s->n_questions; i++)
            if (strcmp(s->questions[i].id, a->question) == 0) {
                t = &out->questions[i];
                break;
            }
        if (!t)
            continue;
        if (t->kind == MG_SURVEY_KIND_TEXT) {
            if (!a->text || !a->text[0])
                continue;
            t->texts =
                mg_xrealloc(t->texts, (t->n_texts + 1) * sizeof(*t->texts));
            t->texts[t->n_texts++] = mg_xstrdup(a->text);
        } else {
            int idx = t->kind == MG_SURVEY_KIND_SCALE ? a->value - 1 : a->value;

            if (idx < 0 || (size_t)idx >= t->n_counts)
                continue;
            t->counts[idx]++;
            if (t->kind == MG_SURVEY_KIND_SCALE)
                sum[i] += a->value;
        }
        if (!any[i] || last[i] != a->response) {
            any[i] = 1;
            last[i] = a->response;
            t->answered++;
        }
    }
    for (i = 0; i < s->n_questions; i++) {
        struct mg_survey_tally *t = &out->questions[i];
        int given = 0;

        for (k = 0; k < t->n_counts; k++)
            given += t->counts[k];
        if (t->kind == MG_SURVEY_KIND_SCALE && given)
            t->mean = sum[i] / given;
    }
    free(by);
    free(last);
    free(any);
    free(sum);
}

void mg_survey_results_release(struct mg_survey_results *r)
{
    size_t i, k;

    if (!r)
        return;
    for (i = 0; i < r->n_questions; i++) {
        struct mg_survey_tally *t = &r->questions[i];

        free(t->id);
        free(t->text);
        for (k = 0; k < t->n_counts; k++)
            free(t->labels[k]);
        free(t->labels);
        free(t->counts);
        for (k = 0; k < t->n_texts; k++)
            free(t->texts[k]);
        free(t->texts);
    }
    free(r->questions);
    memset(r, 0, sizeof(*r));
}

enum mg_survey_state mg_survey_state_at(const struct mg_survey *s,
                                        int64_t opens_at, int64_t closes_at,
                                        int64_t now)
{
    if (s->closed_at && now >= s->closed_at)
        return MG_SURVEY_CLOSED;
    if (!opens_at || now < opens_at)
        return MG_SURVEY_NOT_YET;
    if (closes_at && now >= closes_at)
        return MG_SURVEY_CLOSED;
    return MG_SURVEY_OPEN;
}

const char *mg_survey_state_name(enum mg_survey_state st)
{
    switch (st) {
    case MG_SURVEY_NOT_YET:
        return "not_open";
    case MG_SURVEY_OPEN:
        return "open";
    case MG_SURVEY_CLOSED:
        return "closed";
    }
    return "not_open";
}
