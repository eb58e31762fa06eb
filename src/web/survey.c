/*
 * survey.c: a participant's survey page, /s/<person>/<mac>. The mac signs
 * the person's id with the daemon's "survey-link" key, so the link in
 * the opening mail (and on their own page) needs no page token. GET
 * shows the form (or why there is none: not open yet, closed, answered
 * anonymously from another browser) and changes nothing; POST saves and
 * answers with a redirect, or shows the form again with each error
 * beside its question. No JavaScript: radio buttons, check boxes and a
 * text area in fieldsets with legends. An anonymous survey hands its
 * author an edit token in a cookie scoped to their link; the store keeps
 * only its hash, so nothing stored leads from the person to the answers.
 */
#include "web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mingle/circle.h"
#include "mingle/inbound.h"
#include "mingle/schedule.h"
#include "mingle/survey.h"

#include "banned.h"

#define COOKIE "mg_survey"

struct page {
    struct mg_circle *c;
    struct mg_survey s;
    int64_t circle_id, opens, closes;
    enum mg_survey_state state;
    int eligible;
};

static void page_release(struct page *p)
{
    mg_circle_free(p->c);
    mg_survey_release(&p->s);
}

static void not_found(struct request *r)
{
    http_auth_failed(r);
    reply_page_message(r, MHD_HTTP_NOT_FOUND, _("Page not found"),
                       _("There is no page at this address. Please check the "
                         "link you were sent."));
}

static void went_wrong(struct request *r)
{
    reply_page_message(r, MHD_HTTP_INTERNAL_SERVER_ERROR,
                       _("Something went wrong"),
                       _("This page cannot be shown just now. Please try "
                         "again in a few minutes."));
}

/* Check the link and load what the page needs: 0, or nonzero when a
 * reply went out. */
static int page_load(struct page *p, struct request *r)
{
    int rc = mg_survey_link_check(&p->circle_id, r->srv->store, r->params[0],
                                  r->feed);

    memset(&p->s, 0, sizeof(p->s));
    p->c = NULL;
    if (rc == MG_ENOTFOUND) {
        not_found(r);
        return 1;
    }
    if (rc == 0)
        rc = mg_store_circle_get(&p->c, r->srv->store, p->circle_id);
    if (rc == 0)
        rc = mg_survey_load(&p->s, &p->opens, &p->closes, r->srv->store,
                            p->circle_id);
    if (rc == 0)
        rc = mg_survey_may_answer(&p->eligible, r->srv->store, p->circle_id,
                                  r->params[0]);
    if (rc < 0) {
        went_wrong(r);
        return 1;
    }
    mg_i18n_use(mg_circle_language(p->c));
    p->state = mg_survey_state_at(&p->s, p->opens, p->closes, mg_now());
    return 0;
}

/* The edit token of an anonymous answer, from this link's cookie. */
static const char *edit_token(struct request *r)
{
    const char *v =
        MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, COOKIE);

    if (!v || strlen(v) != 32 || strspn(v, "0123456789abcdef") != 32)
        return NULL;
    return v;
}

static void when_text(char *out, size_t n, const struct page *p, int64_t t)
{
    char local[32];

    mg_schedule_local_text(local, sizeof(local), p->c->time_zone, t, ' ');
    snprintf(out, n, "%s (%s)", local[0] ? local : "?", p->c->time_zone);
}

/* A page of one message with the circle's title: not open, closed, ... */
static void message(struct request *r, const struct page *p,
                    unsigned int status, const char *title, const char *text)
{
    struct mg_html h = MG_HTML_INIT;

    web_begin(&h, title);
    mg_html_element(&h, "h1", title);
    mg_html(&h, "<p>");
    mg_html_text(&h, p->c->title);
    mg_html(&h, "</p><p>");
    mg_html_text(&h, text);
    mg_html(&h, "</p>");
    web_end(&h);
    web_reply(r, status, &h);
}

/* Whether the person's answers hold value `v` (or any text) for `id`. */
static const struct mg_survey_answer *given(const struct mg_survey_answer *a,
                                            size_t n, const char *id, int v)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (strcmp(a[i].question, id) == 0 && (a[i].text || a[i].value == v))
            return &a[i];
    return NULL;
}

static void field_id(char *out, size_t n, const char *qid, int k)
{
    if (k < 0)
        snprintf(out, n, "q-%s", qid);
    else
        snprintf(out, n, "q-%s-%d", qid, k);
}

static void choice(struct mg_html *h, const char *type, const char *qid,
                   int value, const char *label, int checked, int required,
                   const char *error)
{
    char name[MG_SURVEY_ID_MAX + 8], id[MG_SURVEY_ID_MAX + 16];

    field_id(name, sizeof(name), qid, -1);
    field_id(id, sizeof(id), qid, value);
    mg_html(h, "<div class=\"choice\"><input type=\"");
    mg_html_attr(h, type);
    mg_html(h, "\" name=\"");
    mg_html_attr(h, name);
    mg_html(h, "\" id=\"");
    mg_html_attr(h, id);
    mg_html(h, "\" value=\"");
    mg_html_int(h, value);
    mg_html(h, "\"");
    if (checked)
        mg_html(h, " checked");
    if (required)
        mg_html(h, " required");
    if (error) {
        mg_html(h, " aria-describedby=\"");
        mg_html_attr(h, name);
        mg_html(h, "-error\"");
    }
    mg_html(h, "> <label for=\"");
    mg_html_attr(h, id);
    mg_html(h, "\">");
    mg_html_text(h, label);
    mg_html(h, "</label></div>\n");
}

/* A default question's words in the page's language; the coordinator's
 * own as they wrote them. */
static const char *words(int custom, const char *s)
{
    return custom ? s : _(s);
}

static void question_html(struct mg_html *h, const struct mg_survey_question *q,
                          int custom, const struct mg_survey_answer *a,
                          size_t n, const char *error)
{
    static const char *const scale_words[] = {
        N_("1: not at all"), N_("2"), N_("3"), N_("4"), N_("5: very much")};
    char name[MG_SURVEY_ID_MAX + 8];
    size_t k;

    field_id(name, sizeof(name), q->id, -1);
    if (q->kind == MG_SURVEY_KIND_TEXT) {
        mg_html(h, "<div class=\"field\"><label for=\"");
        mg_html_attr(h, name);
        mg_html(h, "\">");
        mg_html_text(h, words(custom, q->text));
        if (q->required) {
            mg_html(h, " ");
            mg_html_text(h, _("(required)"));
        }
        mg_html(h, "</label>\n");
    } else {
        mg_html(h, "<fieldset><legend>");
        mg_html_text(h, words(custom, q->text));
        if (q->required) {
            mg_html(h, " ");
            mg_html_text(h, _("(required)"));
        }
        mg_html(h, "</legend>\n");
    }
    if (error) {
        mg_html(h, "<p class=\"field-error\" id=\"");
        mg_html_attr(h, name);
        mg_html(h, "-error\"><strong>");
        mg_html_text(h, _("Error:"));
        mg_html(h, "</strong> ");
        mg_html_text(h, _(error));
        mg_html(h, "</p>\n");
    }
    switch (q->kind) {
    case MG_SURVEY_KIND_SCALE:
        for (k = 0; k < MG_SURVEY_SCALE; k++)
            choice(h, "radio", q->id, (int)k + 1, _(scale_words[k]),
                   given(a, n, q->id, (int)k + 1) != NULL, q->required, error);
        break;
    case MG_SURVEY_KIND_SINGLE:
    case MG_SURVEY_KIND_MULTIPLE:
        for (k = 0; k < q->n_options; k++)
            choice(h, q->kind == MG_SURVEY_KIND_SINGLE ? "radio" : "checkbox",
                   q->id, (int)k, words(custom, q->options[k]),
                   given(a, n, q->id, (int)k) != NULL,
                   q->required && q->kind == MG_SURVEY_KIND_SINGLE, error);
        break;
    case MG_SURVEY_KIND_TEXT: {
        const struct mg_survey_answer *t = given(a, n, q->id, 0);

        mg_html(h, "<br><textarea name=\"");
        mg_html_attr(h, name);
        mg_html(h, "\" id=\"");
        mg_html_attr(h, name);
        mg_html(h, "\" rows=\"5\" cols=\"60\" maxlength=\"4000\"");
        if (q->required)
            mg_html(h, " required");
        if (error) {
            mg_html(h, " aria-invalid=\"true\" aria-describedby=\"");
            mg_html_attr(h, name);
            mg_html(h, "-error\"");
        }
        mg_html(h, ">");
        mg_html_text(h, t && t->text ? t->text : "");
        mg_html(h, "</textarea></div>\n");
        return;
    }
    }
    mg_html(h, "</fieldset>\n");
}

/* The form, with the answers `a` (saved, or just posted) and `errors`
 * (one per question, NULL when none). */
static void form_page(struct request *r, const struct page *p,
                      unsigned int status, const struct mg_survey_answer *a,
                      size_t n, const char *const *errors, int answered,
                      int saved)
{
    struct mg_html h = MG_HTML_INIT;
    char until[64];
    size_t i;
    int n_errors = 0;

    for (i = 0; errors && i < p->s.n_questions; i++)
        n_errors += errors[i] != NULL;
    when_text(until, sizeof(until), p, p->closes);
    web_begin(&h, _("Survey"));
    mg_html(&h, "<h1>");
    mg_html_textf(&h, _("Survey: %s"), p->c->title);
    mg_html(&h, "</h1>\n");
    if (saved) {
        mg_html(&h, "<p class=\"notice\" role=\"status\">");
        mg_html_textf(&h,
                      _("Thank you: your answers are saved. You can change "
                        "them here until %s."),
                      until);
        mg_html(&h, "</p>\n");
    }
    if (n_errors) {
        mg_html(&h, "<p class=\"field-error\" role=\"alert\">");
        mg_html_text(&h, mg_ngettext("One answer needs another look: see "
                                     "below.",
                                     "Some answers need another look: see "
                                     "below.",
                                     (unsigned long)n_errors));
        mg_html(&h, "</p>\n");
    }
    mg_html(&h, "<p><strong>");
    mg_html_text(&h, p->s.anonymous ? _("This survey is anonymous.")
                                    : _("This survey is not anonymous."));
    mg_html(&h, "</strong> ");
    mg_html_text(&h, p->s.anonymous
                         ? _("Your answers are kept without your name: "
                             "nobody, the coordinator included, can tell "
                             "which answers are yours. To change them later, "
                             "come back from this browser.")
                         : _("Your answers are kept with your name: the "
                             "circle's coordinator sees who gave them."));
    mg_html(&h, "</p>\n<p>");
    mg_html_textf(&h,
                  answered && !saved
                      ? _("You have answered. You can change your answers "
                          "until %s.")
                      : _("The survey is open until %s."),
                  until);
    mg_html(&h, "</p>\n<form method=\"post\" action=\"");
    mg_html_attr(&h, r->feed); /* relative: this same address */
    mg_html(&h, "\">\n");
    for (i = 0; i < p->s.n_questions; i++)
        question_html(&h, &p->s.questions[i], p->s.custom, a, n,
                      errors ? errors[i] : NULL);
    mg_html(&h, "<p><button type=\"submit\" class=\"button\">");
    mg_html_text(&h, answered ? _("Save my changes") : _("Send my answers"));
    mg_html(&h, "</button></p>\n</form>\n");
    web_end(&h);
    web_reply(r, status, &h);
}

/* The pages that have no form: returns nonzero when one went out. */
static int no_form(struct request *r, const struct page *p)
{
    char when[64];

    if (!p->eligible) {
        message(r, p, MHD_HTTP_FORBIDDEN, _("Survey"),
                _("This survey is for the people who came to the circle's "
                  "calls."));
        return 1;
    }
    if (p->state == MG_SURVEY_CLOSED) {
        message(r, p, MHD_HTTP_OK, _("This survey is closed"),
                _("The survey has closed and takes no more answers. Thank "
                  "you for taking part in the circle."));
        return 1;
    }
    if (p->state == MG_SURVEY_NOT_YET) {
        char text[256];

        if (p->opens) {
            when_text(when, sizeof(when), p, p->opens);
            snprintf(text, sizeof(text), _("The survey opens on %s."), when);
        } else {
            snprintf(text, sizeof(text), "%s",
                     _("The survey opens after the circle's last call."));
        }
        message(r, p, MHD_HTTP_OK, _("This survey is not open yet"), text);
        return 1;
    }
    return 0;
}

static void answered_elsewhere(struct request *r, const struct page *p)
{
    message(r, p, MHD_HTTP_OK, _("You have answered"),
            _("Thank you: your answers are in. As this survey is anonymous, "
              "mingle does not know which answers are yours, so they can be "
              "changed only from the browser you answered from."));
}

/* GET /s/{id}/{mac} */
void handle_survey_page(struct request *r)
{
    struct page p;
    struct mg_survey_answer *a = NULL;
    size_t n = 0;
    int answered = 0, rc;
    const char *saved = request_arg(r, "saved");

    if (page_load(&p, r))
        goto out;
    if (no_form(r, &p))
        goto out;
    rc = mg_survey_mine(&a, &n, &answered, r->srv->store, &p.s, p.circle_id,
                        r->params[0], edit_token(r));
    if (rc < 0) {
        went_wrong(r);
        goto out;
    }
    if (p.s.anonymous && answered && n == 0 && !edit_token(r)) {
        answered_elsewhere(r, &p);
        goto out;
    }
    form_page(r, &p, MHD_HTTP_OK, a, n, NULL, answered,
              answered && saved && strcmp(saved, "1") == 0);
out:
    mg_survey_answers_free(a, n);
    page_release(&p);
}

/* POST /s/{id}/{mac} */
void handle_survey_answer(struct request *r)
{
    struct page p;
    struct mg_form form;
    struct mg_survey_answer *a = NULL;
    const char **errors = NULL;
    size_t n = 0;
    char edit[40], location[96];
    char *cookie = NULL;
    int rc;

    memset(&form, 0, sizeof(form));
    if (page_load(&p, r))
        goto out;
    if (no_form(r, &p))
        goto out;
    if (request_form(&form, r) < 0) {
        reply_page_message(r, MHD_HTTP_BAD_REQUEST, _("Survey"),
                           _("The form could not be read. Please try again."));
        goto out;
    }
    errors = mg_xcalloc(p.s.n_questions + 1, sizeof(*errors));
    rc = mg_survey_answers_from_form(&a, &n, &p.s, &form, errors);
    if (rc == MG_EINVAL) {
        form_page(r, &p, MHD_HTTP_UNPROCESSABLE_CONTENT, a, n, errors, 0, 0);
        goto out;
    }
    rc = mg_survey_answer_save(edit, r->srv->store, &p.s, p.circle_id,
                               r->params[0], edit_token(r), a, n);
    if (rc == MG_ECONFLICT) {
        answered_elsewhere(r, &p);
        goto out;
    }
    if (rc < 0) {
        reply_page_message(r, MHD_HTTP_INTERNAL_SERVER_ERROR,
                           _("Something went wrong"),
                           _("Your answers could not be saved just now. "
                             "Please try again in a few minutes."));
        goto out;
    }
    if (edit[0]) {
        int64_t left = p.closes - mg_now();

        /* the token lives with the person only: for this link's path,
         * until the survey closes */
        cookie = mg_xasprintf(
            COOKIE "=%s; Path=/s/%lld/; Max-Age=%lld; HttpOnly; "
                   "SameSite=Strict%s",
            edit, (long long)r->params[0], (long long)(left > 0 ? left : 0),
            strncasecmp(r->srv->base_url, "https://", 8) == 0 ? "; Secure"
                                                              : "");
        memset(edit, 0, sizeof(edit));
    }
    snprintf(location, sizeof(location), "/s/%lld/%s?saved=1",
             (long long)r->params[0], r->feed);
    reply_redirect(r, location, cookie);
out:
    if (cookie) {
        memset(cookie, 0, strlen(cookie));
        free(cookie);
    }
    free(errors);
    mg_survey_answers_free(a, n);
    mg_form_release(&form);
    page_release(&p);
}

void web_survey_section(struct mg_html *h, struct mg_store *st,
                        const struct mg_circle *c, int64_t pid)
{
    struct mg_survey s;
    struct mg_survey_answer *a = NULL;
    int64_t opens = 0, closes = 0;
    size_t n = 0;
    int yes = 0, answered = 0;
    char link[96], local[32];

    if (mg_survey_load(&s, &opens, &closes, st, c->id) < 0)
        return;
    if (mg_survey_state_at(&s, opens, closes, mg_now()) != MG_SURVEY_OPEN ||
        mg_survey_may_answer(&yes, st, c->id, pid) < 0 || !yes ||
        mg_survey_link(link, sizeof(link), st, pid) < 0 ||
        mg_survey_mine(&a, &n, &answered, st, &s, c->id, pid, NULL) < 0)
        goto out;
    mg_schedule_local_text(local, sizeof(local), c->time_zone, closes, ' ');
    mg_html(h, "<section id=\"survey\"><h2>");
    mg_html_text(h, _("Survey"));
    mg_html(h, "</h2><p>");
    mg_html_textf(h,
                  answered ? _("You have answered the circle's survey; you "
                               "can change your answers until %s (%s).")
                           : _("The circle's survey is open until %s (%s)."),
                  local, c->time_zone);
    mg_html(h, " ");
    mg_html_text(h, s.anonymous ? _("It is anonymous.")
                                : _("It is not anonymous."));
    mg_html(h, "</p><p><a href=\"");
    mg_html_attr(h, link);
    mg_html(h, "\">");
    mg_html_text(h, answered ? _("See the survey") : _("Answer the survey"));
    mg_html(h, "</a></p></section>\n");
out:
    mg_survey_answers_free(a, n);
    mg_survey_release(&s);
}
