/*
 * dash_survey.c: the survey section of a circle's dashboard page: when
 * the survey opens and closes, whether it is anonymous, how many of the
 * people who came have answered, a bar chart of each question's answers
 * (chart.c) and the free texts, with buttons that open it now or close
 * it now (POST /dashboard/circles/{id}/survey). The questions themselves
 * are set through the API and the CLI.
 */
#include "dash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mingle/jobs.h"
#include "mingle/store.h"
#include "mingle/survey.h"

#include "banned.h"

#define TEXTS_SHOWN 20 /* free texts listed; the report has them all */

static void survey_button(struct mg_html *h, const struct dash *d,
                          int64_t circle_id, const char *what,
                          const char *label, int secondary)
{
    char action[96];

    snprintf(action, sizeof(action), "/dashboard/circles/%lld/survey",
             (long long)circle_id);
    mg_html(h, "<form method=\"post\" class=\"inline\" action=\"");
    mg_html_attr(h, action);
    mg_html(h, "\">\n");
    dash_csrf(h, d);
    mg_html(h, "<input type=\"hidden\" name=\"do\" value=\"");
    mg_html_attr(h, what);
    mg_html(h, "\">");
    if (secondary)
        mg_html(h, "<button type=\"submit\" class=\"button secondary\">");
    else
        mg_html(h, "<button type=\"submit\" class=\"button\">");
    mg_html_text(h, label);
    mg_html(h, "</button></form>\n");
}

/* A question's answers as bars, one per value or option. */
static void tally_chart(struct mg_html *h, const struct mg_survey_tally *t,
                        int custom, size_t index)
{
    struct web_bar *bars = mg_xcalloc(t->n_counts + 1, sizeof(*bars));
    struct web_segment *segs = mg_xcalloc(t->n_counts + 1, sizeof(*segs));
    struct mg_buf desc = MG_BUF_INIT;
    struct web_chart c;
    char id[40];
    size_t k;
    double top = 1;

    for (k = 0; k < t->n_counts; k++) {
        segs[k].value = t->counts[k];
        segs[k].name = _("people");
        /* the default options in the page's language, as asked */
        bars[k].label = custom ? t->labels[k] : _(t->labels[k]);
        bars[k].title = bars[k].label;
        bars[k].key = (long long)k + 1;
        bars[k].segments = &segs[k];
        bars[k].n_segments = 1;
        bars[k].known = 1;
        if (t->counts[k] > top)
            top = t->counts[k];
        mg_buf_printf(&desc, "%s%s: %d", k ? ", " : "", bars[k].label,
                      t->counts[k]);
    }
    mg_buf_puts(&desc, ".");
    snprintf(id, sizeof(id), "survey-chart-%zu", index);
    memset(&c, 0, sizeof(c));
    c.id = id;
    c.title = custom ? t->text : _(t->text);
    c.desc = desc.data;
    c.key = WEB_CHART_ANSWER;
    c.bars = bars;
    c.n_bars = t->n_counts;
    c.ymax = top;
    c.plot_height = 120;
    c.bar_width = t->kind == MG_SURVEY_KIND_SCALE ? 30 : 70;
    c.gap = 14;
    web_chart_bars(h, &c);
    mg_buf_release(&desc);
    free(bars);
    free(segs);
}

int dash_survey_section(struct mg_html *h, const struct dash *d,
                        struct mg_store *st, const struct mg_circle *c)
{
    struct mg_survey s;
    struct mg_survey_results res;
    int64_t opens = 0, closes = 0;
    char when[24];
    enum mg_survey_state state;
    size_t i, k;
    int rc = mg_survey_load(&s, &opens, &closes, st, c->id);

    memset(&res, 0, sizeof(res));
    if (rc == 0)
        rc = mg_survey_results_load(&res, st, c->id);
    if (rc < 0)
        goto out;
    state = mg_survey_state_at(&s, opens, closes, mg_now());
    mg_html(h, "<section id=\"survey\"><h2>");
    mg_html_text(h, _("Survey"));
    mg_html(h, "</h2>\n<p>");
    dash_time(when, sizeof(when), c->time_zone, opens);
    if (state == MG_SURVEY_NOT_YET)
        mg_html_textf(
            h, opens ? _("Opens %s.") : _("Opens after the last call (%s)."),
            opens ? when : _("none planned yet"));
    else if (state == MG_SURVEY_OPEN)
        mg_html_textf(h, _("Open since %s."), when);
    else
        mg_html_text(h, _("Closed."));
    mg_html(h, " ");
    if (state != MG_SURVEY_CLOSED && closes) {
        dash_time(when, sizeof(when), c->time_zone, closes);
        mg_html_textf(h, _("Closes %s."), when);
        mg_html(h, " ");
    }
    mg_html_text(h, s.anonymous ? _("Answers are anonymous.")
                                : _("Answers carry names."));
    mg_html(h, "</p>\n<p>");
    mg_html_textf(
        h, _("%d of the %d people who came to a call answered (%.0f%%)."),
        res.responses, res.attendees, 100.0 * res.rate);
    mg_html(h, "</p>\n");
    if (state != MG_SURVEY_OPEN)
        survey_button(h, d, c->id, "open", _("Open the survey now"), 0);
    if (state != MG_SURVEY_CLOSED)
        survey_button(h, d, c->id, "close", _("Close the survey now"), 1);
    for (i = 0; res.responses && i < res.n_questions; i++) {
        const struct mg_survey_tally *t = &res.questions[i];

        mg_html(h, "<h3>");
        mg_html_text(h, s.custom ? t->text : _(t->text));
        mg_html(h, "</h3>\n<p>");
        if (t->kind == MG_SURVEY_KIND_SCALE && t->answered)
            mg_html_textf(h, _("%d answered; %.1f on average of 5."),
                          t->answered, t->mean);
        else
            mg_html_textf(h, _("%d answered."), t->answered);
        mg_html(h, "</p>\n");
        if (t->kind != MG_SURVEY_KIND_TEXT) {
            tally_chart(h, t, s.custom, i);
            continue;
        }
        mg_html(h, "<ul>");
        for (k = 0; k < t->n_texts && k < TEXTS_SHOWN; k++) {
            mg_html(h, "<li>");
            mg_html_text(h, t->texts[k]);
            mg_html(h, "</li>");
        }
        mg_html(h, "</ul>\n");
        if (t->n_texts > TEXTS_SHOWN) {
            mg_html(h, "<p>");
            mg_html_textf(h, _("And %zu more in the success report."),
                          t->n_texts - TEXTS_SHOWN);
            mg_html(h, "</p>\n");
        }
    }
    mg_html(h, "</section>\n");
out:
    mg_survey_results_release(&res);
    mg_survey_release(&s);
    return rc;
}

int dash_survey_done(struct mg_buf *text, const char *done)
{
    if (strcmp(done, "survey_open") == 0)
        mg_buf_puts(text, _("The survey is open; the people who came to a "
                            "call get their link by mail."));
    else if (strcmp(done, "survey_closed") == 0)
        mg_buf_puts(text, _("The survey is closed."));
    else
        return 0;
    return 1;
}

void handle_dash_survey(struct request *r)
{
    struct mg_form f = {NULL, 0, 0};
    struct mg_circle *c = NULL;
    struct mg_buf where = MG_BUF_INIT;
    struct dash d;
    const struct mg_form_field *what;
    const char *done;
    int rc;

    if (dash_form_begin(&f, &d, r) < 0)
        goto out;
    rc = mg_store_circle_get(&c, r->srv->store, r->params[0]);
    if (rc < 0) {
        dash_error_page(r, rc, _("There is no such circle."));
        goto out;
    }
    dash_use_language(c);
    what = mg_form_get(&f, "do");
    if (what && strcmp(what->value, "open") == 0) {
        rc = mg_survey_open_now(r->srv->store, c->id, mg_now());
        done = "survey_open";
    } else if (what && strcmp(what->value, "close") == 0) {
        rc = mg_survey_close_now(r->srv->store, c->id, mg_now());
        done = "survey_closed";
    } else {
        dash_error_page(r, MG_EINVAL, NULL);
        goto out;
    }
    if (rc < 0) {
        dash_error_page(r, rc, NULL);
        goto out;
    }
    mg_jobs_scheduler_wake(r->srv->jobs);
    mg_buf_printf(&where, "/dashboard/circles/%lld?done=%s#survey",
                  (long long)c->id, done);
    dash_redirect(r, &where);
out:
    mg_circle_free(c);
    mg_form_release(&f);
}
