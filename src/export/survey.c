/*
 * survey.c: the survey results export (`what` = survey): the counts of
 * each answer of each question, with the share of those who answered it
 * and a scale's mean; the free texts; and a summary (responses against
 * the people who came, anonymity, when it opened and closes). Figures
 * are the survey module's tally (mg_survey_results_load); a name never
 * appears, anonymous or not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "mingle/report.h"
#include "mingle/survey.h"

#include "banned.h"

static void results_sheet(struct mg_sheet *sh,
                          const struct mg_survey_results *r)
{
    static const char *const head[] = {"question_id", "question", "kind",
                                       "answer",      "count",    "share",
                                       "answered",    "mean"};
    size_t i, k;

    mg_sheet_row(sh, head, sizeof(head) / sizeof(head[0]));
    for (i = 0; i < r->n_questions; i++) {
        const struct mg_survey_tally *t = &r->questions[i];

        for (k = 0; k < t->n_counts; k++) {
            mg_sheet_text(sh, t->id);
            mg_sheet_text(sh, t->text);
            mg_sheet_text(sh, mg_survey_kind_name(t->kind));
            mg_sheet_text(sh, t->labels[k]);
            mg_sheet_int(sh, t->counts[k]);
            if (t->answered)
                mg_sheet_number(sh, (double)t->counts[k] / t->answered);
            else
                mg_sheet_text(sh, NULL);
            mg_sheet_int(sh, t->answered);
            if (t->kind == MG_SURVEY_KIND_SCALE && t->answered)
                mg_sheet_number(sh, t->mean);
            else
                mg_sheet_text(sh, NULL);
            mg_sheet_end_row(sh);
        }
    }
}

static void texts_sheet(struct mg_sheet *sh, const struct mg_survey_results *r)
{
    static const char *const head[] = {"question_id", "question", "answer"};
    size_t i, k;

    mg_sheet_row(sh, head, sizeof(head) / sizeof(head[0]));
    for (i = 0; i < r->n_questions; i++)
        for (k = 0; k < r->questions[i].n_texts; k++) {
            mg_sheet_text(sh, r->questions[i].id);
            mg_sheet_text(sh, r->questions[i].text);
            mg_sheet_text(sh, r->questions[i].texts[k]);
            mg_sheet_end_row(sh);
        }
}

static void summary_sheet(struct mg_sheet *sh,
                          const struct mg_survey_results *r)
{
    static const char *const head[] = {"figure", "value"};
    char when[32];

    mg_sheet_row(sh, head, 2);
    mg_sheet_text(sh, "responses");
    mg_sheet_int(sh, r->responses);
    mg_sheet_end_row(sh);
    mg_sheet_text(sh, "came to a call");
    mg_sheet_int(sh, r->attendees);
    mg_sheet_end_row(sh);
    mg_sheet_text(sh, "response rate");
    mg_sheet_number(sh, r->rate);
    mg_sheet_end_row(sh);
    mg_sheet_text(sh, "anonymous");
    mg_sheet_text(sh, r->anonymous ? "yes" : "no");
    mg_sheet_end_row(sh);
    mg_report_time(when, sizeof(when), r->opens_at);
    mg_sheet_text(sh, "opens (UTC)");
    mg_sheet_text(sh, when);
    mg_sheet_end_row(sh);
    mg_report_time(when, sizeof(when), r->closes_at);
    mg_sheet_text(sh, "closes (UTC)");
    mg_sheet_text(sh, when);
    mg_sheet_end_row(sh);
}

int export_survey(struct mg_sheet ***out, size_t *n, struct mg_store *st,
                  int64_t circle_id)
{
    struct mg_survey_results r;
    struct mg_sheet *sh;
    int rc = mg_survey_results_load(&r, st, circle_id);

    if (rc < 0)
        return rc;
    sh = mg_sheet_new("Survey results");
    results_sheet(sh, &r);
    export_add(out, n, sh);
    sh = mg_sheet_new("Free text");
    texts_sheet(sh, &r);
    export_add(out, n, sh);
    sh = mg_sheet_new("Summary");
    summary_sheet(sh, &r);
    export_add(out, n, sh);
    mg_survey_results_release(&r);
    return 0;
}
