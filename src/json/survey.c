/*
 * survey.c: a circle's survey as JSON, for the API and the CLI alike:
 * its settings (times as local "YYYY-MM-DDTHH:MM" in the circle's zone),
 * a document changing them (unknown fields refused by name), and its
 * results. The rules are the survey module's.
 */
#include "mingle/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mingle/schedule.h"

#include "banned.h"

static json_t *local_or_null(const char *tz, int64_t t)
{
    char text[24];

    if (!t)
        return json_null();
    mg_schedule_local_text(text, sizeof(text), tz, t, 'T');
    return text[0] ? json_string(text) : json_null();
}

static json_t *question_json(const struct mg_survey_question *q)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:b}", "id", q->id, "kind",
                          mg_survey_kind_name(q->kind), "text", q->text,
                          "required", q->required);
    size_t k;

    if (q->kind == MG_SURVEY_KIND_SINGLE ||
        q->kind == MG_SURVEY_KIND_MULTIPLE) {
        json_t *opts = json_array();

        for (k = 0; k < q->n_options; k++)
            json_array_append_new(opts, json_string(q->options[k]));
        json_object_set_new(o, "options", opts);
    }
    return o;
}

json_t *mg_json_survey_value(const struct mg_survey *s,
                             const struct mg_json_survey_facts *f)
{
    json_t *qs = json_array(), *doc;
    size_t i;

    for (i = 0; i < s->n_questions; i++)
        json_array_append_new(qs, question_json(&s->questions[i]));
    doc = json_pack("{s:o, s:b, s:o, s:o, s:o, s:o, s:b, s:s, s:o, s:i, s:i}",
                    "questions", qs, "questions_default", !s->custom,
                    "opens_at", local_or_null(f->time_zone, s->opens_at),
                    "closes_at", local_or_null(f->time_zone, s->closes_at),
                    "opens", local_or_null(f->time_zone, f->opens_at), "closes",
                    local_or_null(f->time_zone, f->closes_at), "anonymous",
                    s->anonymous, "state",
                    mg_survey_state_name(mg_survey_state_at(
                        s, f->opens_at, f->closes_at, f->now)),
                    "closed_at", local_or_null(f->time_zone, s->closed_at),
                    "responses", f->responses, "attendees", f->attendees);
    json_object_set_new(doc, "time_zone", json_string(f->time_zone));
    json_object_set_new(
        doc, "opening_mail",
        json_pack("{s:s, s:I}", "status",
                  f->job_status && f->job_status[0] ? f->job_status : "none",
                  "mails", (json_int_t)f->job_mails));
    return doc;
}

static int parse_local(int64_t *out, const char *tz, json_t *v,
                       const char *field, struct mg_error *err)
{
    struct mg_local_time lt;
    const char *s = json_string_value(v);
    char tail;

    if (json_is_null(v)) {
        *out = 0;
        return 0;
    }
    memset(&lt, 0, sizeof(lt));
    if (!s || strlen(s) != 16 ||
        sscanf(s, "%4d-%2d-%2dT%2d:%2d%c", &lt.year, &lt.month, &lt.day,
               &lt.hour, &lt.minute, &tail) != 5 ||
        mg_schedule_local_to_utc(out, tz, &lt, NULL) < 0) {
        mg_error_set(err, field,
                     "'%s' must be YYYY-MM-DDTHH:MM in the circle's time "
                     "zone, or null (the default)",
                     field);
        return MG_EINVAL;
    }
    return 0;
}

static int string_field(char **out, json_t *v, const char *field,
                        struct mg_error *err)
{
    const char *s = json_string_value(v);

    if (!s || strlen(s) != json_string_length(v)) {
        mg_error_set(err, field, "'%s' must be a string", field);
        return MG_EINVAL;
    }
    free(*out);
    *out = mg_xstrdup(s);
    return 0;
}

static int question_from_json(struct mg_survey_question *q, json_t *o, size_t i,
                              struct mg_error *err)
{
    char field[64];
    const char *key;
    json_t *v;
    int rc = 0;

    if (!json_is_object(o)) {
        snprintf(field, sizeof(field), "questions[%zu]", i);
        mg_error_set(err, field, "'%s' must be an object", field);
        return MG_EINVAL;
    }
    q->kind = MG_SURVEY_KIND_TEXT;
    json_object_foreach(o, key, v)
    {
        snprintf(field, sizeof(field), "questions[%zu].%.24s", i, key);
        if (strcmp(key, "id") == 0 || strcmp(key, "text") == 0) {
            rc = string_field(strcmp(key, "id") == 0 ? &q->id : &q->text, v,
                              field, err);
        } else if (strcmp(key, "kind") == 0) {
            if (mg_survey_kind_parse(&q->kind, json_string_value(v)) < 0) {
                mg_error_set(err, field,
                             "'%s' must be scale, single, multiple or text",
                             field);
                rc = MG_EINVAL;
            }
        } else if (strcmp(key, "required") == 0) {
            if (!json_is_boolean(v)) {
                mg_error_set(err, field, "'%s' must be true or false", field);
                rc = MG_EINVAL;
            } else {
                q->required = json_is_true(v);
            }
        } else if (strcmp(key, "options") == 0) {
            size_t k;
            json_t *item;

            if (!json_is_array(v) ||
                json_array_size(v) > MG_SURVEY_MAX_OPTIONS) {
                mg_error_set(err, field,
                             "'%s' must be a list of at most %d strings", field,
                             MG_SURVEY_MAX_OPTIONS);
                rc = MG_EINVAL;
                break;
            }
            q->options =
                mg_xcalloc(json_array_size(v) + 1, sizeof(*q->options));
            json_array_foreach(v, k, item)
            {
                snprintf(field, sizeof(field), "questions[%zu].options[%zu]", i,
                         k);
                rc = string_field(&q->options[k], item, field, err);
                if (rc < 0)
                    break;
                q->n_options = k + 1;
            }
        } else {
            mg_error_set(err, field, "unknown field '%s'", field);
            rc = MG_EINVAL;
        }
        if (rc < 0)
            break;
    }
    if (rc == 0 && !q->id)
        q->id = mg_xstrdup("");
    if (rc == 0 && !q->text)
        q->text = mg_xstrdup("");
    return rc;
}

static int questions_from_json(struct mg_survey *s, json_t *v,
                               struct mg_error *err)
{
    struct mg_survey fresh;
    size_t i;
    json_t *item;
    int rc = 0;

    memset(&fresh, 0, sizeof(fresh));
    if (json_is_null(v)) {
        mg_survey_default_questions(&fresh);
    } else if (!json_is_array(v) ||
               json_array_size(v) > MG_SURVEY_MAX_QUESTIONS) {
        mg_error_set(err, "questions",
                     "'questions' must be a list of at most %d questions, "
                     "or null (the default set)",
                     MG_SURVEY_MAX_QUESTIONS);
        return MG_EINVAL;
    } else {
        fresh.custom = 1;
        fresh.questions =
            mg_xcalloc(json_array_size(v) + 1, sizeof(*fresh.questions));
        json_array_foreach(v, i, item)
        {
            fresh.n_questions = i + 1;
            rc = question_from_json(&fresh.questions[i], item, i, err);
            if (rc < 0)
                break;
        }
    }
    if (rc < 0) {
        mg_survey_release(&fresh);
        return rc;
    }
    /* the new questions in, the old ones out; the rest of s stays */
    {
        struct mg_survey drop;

        memset(&drop, 0, sizeof(drop));
        drop.questions = s->questions;
        drop.n_questions = s->n_questions;
        mg_survey_release(&drop);
    }
    s->questions = fresh.questions;
    s->n_questions = fresh.n_questions;
    s->custom = fresh.custom;
    return 0;
}

int mg_json_survey_update(struct mg_survey *s, json_t *doc, const char *tz,
                          struct mg_error *err)
{
    const char *key;
    json_t *v;
    int rc = 0;

    if (!json_is_object(doc)) {
        mg_error_set(err, "body", "the survey must be a JSON object");
        return MG_EINVAL;
    }
    json_object_foreach(doc, key, v)
    {
        if (strcmp(key, "questions") == 0) {
            rc = questions_from_json(s, v, err);
        } else if (strcmp(key, "opens_at") == 0) {
            rc = parse_local(&s->opens_at, tz, v, key, err);
        } else if (strcmp(key, "closes_at") == 0) {
            rc = parse_local(&s->closes_at, tz, v, key, err);
        } else if (strcmp(key, "anonymous") == 0) {
            if (!json_is_boolean(v)) {
                mg_error_set(err, key, "'anonymous' must be true or false");
                rc = MG_EINVAL;
            } else {
                s->anonymous = json_is_true(v);
            }
        } else if (strcmp(key, "questions_default") == 0 ||
                   strcmp(key, "opens") == 0 || strcmp(key, "closes") == 0 ||
                   strcmp(key, "state") == 0 || strcmp(key, "closed_at") == 0 ||
                   strcmp(key, "responses") == 0 ||
                   strcmp(key, "attendees") == 0 ||
                   strcmp(key, "time_zone") == 0 ||
                   strcmp(key, "opening_mail") == 0 ||
                   strcmp(key, "results") == 0) {
            continue; /* read-only: what a GET gave may be sent back */
        } else {
            mg_error_set(err, key, "unknown field '%s'", key);
            rc = MG_EINVAL;
        }
        if (rc < 0)
            break;
    }
    return rc;
}

json_t *mg_json_survey_results_value(const struct mg_survey_results *r)
{
    json_t *qs = json_array();
    size_t i, k;

    for (i = 0; i < r->n_questions; i++) {
        const struct mg_survey_tally *t = &r->questions[i];
        json_t *o = json_pack("{s:s, s:s, s:s, s:i}", "id", t->id, "text",
                              t->text, "kind", mg_survey_kind_name(t->kind),
                              "answered", t->answered);

        if (t->kind == MG_SURVEY_KIND_TEXT) {
            json_t *texts = json_array();

            for (k = 0; k < t->n_texts; k++)
                json_array_append_new(texts, json_string(t->texts[k]));
            json_object_set_new(o, "texts", texts);
        } else {
            json_t *counts = json_array();

            for (k = 0; k < t->n_counts; k++)
                json_array_append_new(counts, json_pack("{s:s, s:i}", "answer",
                                                        t->labels[k], "count",
                                                        t->counts[k]));
            json_object_set_new(o, "counts", counts);
        }
        if (t->kind == MG_SURVEY_KIND_SCALE)
            json_object_set_new(o, "mean",
                                t->answered ? json_real(t->mean) : json_null());
        json_array_append_new(qs, o);
    }
    return json_pack("{s:i, s:i, s:f, s:b, s:o}", "responses", r->responses,
                     "attendees", r->attendees, "response_rate", r->rate,
                     "anonymous", r->anonymous, "questions", qs);
}

static char *text_of(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));

    return mg_xstrdup(s ? s : "");
}

int mg_json_survey_results_read(struct mg_survey_results *out, json_t *v)
{
    json_t *qs = json_object_get(v, "questions");
    size_t i, k;

    memset(out, 0, sizeof(*out));
    if (!json_is_object(v) || !json_is_array(qs))
        return MG_EINVAL;
    out->responses = (int)json_integer_value(json_object_get(v, "responses"));
    out->attendees = (int)json_integer_value(json_object_get(v, "attendees"));
    out->rate = json_number_value(json_object_get(v, "response_rate"));
    out->anonymous = json_is_true(json_object_get(v, "anonymous"));
    out->n_questions = json_array_size(qs);
    out->questions = mg_xcalloc(out->n_questions + 1, sizeof(*out->questions));
    for (i = 0; i < out->n_questions; i++) {
        json_t *q = json_array_get(qs, i);
        json_t *texts = json_object_get(q, "texts");
        json_t *counts = json_object_get(q, "counts");
        struct mg_survey_tally *t = &out->questions[i];

        t->id = text_of(q, "id");
        t->text = text_of(q, "text");
        if (mg_survey_kind_parse(
                &t->kind, json_string_value(json_object_get(q, "kind"))) < 0)
            t->kind = MG_SURVEY_KIND_TEXT;
        t->answered = (int)json_integer_value(json_object_get(q, "answered"));
        t->mean = json_number_value(json_object_get(q, "mean"));
        t->n_texts = json_array_size(texts);
        t->texts = mg_xcalloc(t->n_texts + 1, sizeof(*t->texts));
        for (k = 0; k < t->n_texts; k++) {
            const char *s = json_string_value(json_array_get(texts, k));

            t->texts[k] = mg_xstrdup(s ? s : "");
        }
        t->n_counts = json_array_size(counts);
        t->labels = mg_xcalloc(t->n_counts + 1, sizeof(*t->labels));
        t->counts = mg_xcalloc(t->n_counts + 1, sizeof(*t->counts));
        for (k = 0; k < t->n_counts; k++) {
            json_t *c = json_array_get(counts, k);

            t->labels[k] = text_of(c, "answer");
            t->counts[k] = (int)json_integer_value(json_object_get(c, "count"));
        }
    }
    return 0;
}
