/*
 * dash_lists.c: the dashboard's lists and downloads: withdrawing a
 * person, the circle's review queue (a page at a time, each message
 * approved into a group and week or rejected), a plenary's registrations
 * and waitlist, and the report, roster and attendance matrix as CSV. The
 * rules are the store's and the notes module's, as the JSON API uses
 * them; the session, forms and page furniture are dashboard.c's. A
 * circle's pages are in its language; the whole queue is English, and
 * so are the CSV files' column names (data for spreadsheets and scripts).
 */
#include "dash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mingle/outbox.h"
#include "mingle/plenary.h"
#include "mingle/report.h"
#include "mingle/signup.h"

#include "banned.h"

#define REVIEW_PAGE 20
#define EXCERPT_MAX 600
#define ROSTER_BATCH 1000
#define CIRCLES_LISTED 200 /* circles offered to file a stray message in */

/* --- withdrawing a person ------------------------------------------------ */

void handle_dash_withdraw(struct request *r)
{
    struct mg_form f = {NULL, 0, 0};
    struct mg_error err = {{0}, {0}};
    struct mg_buf where = MG_BUF_INIT;
    struct dash d;
    int64_t promoted = 0;
    int rc;

    if (dash_form_begin(&f, &d, r) < 0)
        goto out;
    /* the one withdrawal: their cancellations, their plenary places
     * given up, and the first person waiting moved up */
    rc = mg_signup_withdraw(&promoted, r->srv->store, r->params[0],
                            r->params[1], mg_now(), &err);
    if (rc == 0)
        mg_outbox_sender_wake(r->srv->sender);
    if (rc < 0) {
        dash_error_page(r, rc, _("There is no such person in this circle."));
        goto out;
    }
    mg_buf_printf(&where, "/dashboard/circles/%lld?done=withdrawn&person=%lld",
                  (long long)r->params[0], (long long)r->params[1]);
    if (promoted)
        mg_buf_printf(&where, "&promoted=%lld", (long long)promoted);
    mg_buf_puts(&where, "#people");
    dash_redirect(r, &where);
out:
    mg_form_release(&f);
}

/* --- the review queue ------------------------------------------------------
 */

static const char *group_row_label(const struct mg_group_row *g, char *buf,
                                   size_t n)
{
    if (g->name)
        return g->name;
    snprintf(buf, n, _("Group %d"), g->position);
    return buf;
}

/* Up to EXCERPT_MAX bytes of `s`, cut at a character boundary. */
static void excerpt(struct mg_html *h, const char *s)
{
    size_t n = s ? strlen(s) : 0;

    if (n <= EXCERPT_MAX) {
        mg_html_text(h, s);
        return;
    }
    n = EXCERPT_MAX;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    mg_html_textn(h, s, n);
    mg_html(h, "&hellip;");
}

/* The group field of an approve form: a select when the groups fit on a
 * page, else the group's number. Ids are unique per note. */
static void group_field(struct mg_html *h, const struct mg_note *n,
                        const struct mg_group_row *groups, size_t n_groups)
{
    char label[32];
    size_t g;

    mg_html(h, "<label for=\"group-");
    mg_html_int(h, n->id);
    if (n_groups > DASH_PAGE_SIZE) {
        mg_html(h, "\">");
        mg_html_text(h, _("Group number"));
        mg_html(h, "</label>\n<input type=\"number\" min=\"1\" max=\"");
        mg_html_int(h, (long long)n_groups);
        mg_html(h, "\" name=\"group_number\" id=\"group-");
        mg_html_int(h, n->id);
        mg_html(h, "\">\n");
        return;
    }
    mg_html(h, "\">");
    mg_html_text(h, _("Group"));
    mg_html(h, "</label>\n<select name=\"group_id\" id=\"group-");
    mg_html_int(h, n->id);
    mg_html(h, "\">\n<option value=\"\">");
    mg_html_text(h, _("as filed"));
    mg_html(h, "</option>\n");
    for (g = 0; g < n_groups; g++) {
        if (groups[g].id == n->group_id)
            mg_html(h, "<option selected value=\"");
        else
            mg_html(h, "<option value=\"");
        mg_html_int(h, groups[g].id);
        mg_html(h, "\">");
        mg_html_text(h, group_row_label(&groups[g], label, sizeof(label)));
        mg_html(h, "</option>\n");
    }
    mg_html(h, "</select>\n");
}

/*
 * The head of a waiting message, shared by a circle's queue and the queue
 * of mail that reached none: its number and subject, who sent it (and to
 * which address, with `to`), why it waits, and when it came in `zone`.
 * Leaves the <dl> open for the caller's rows.
 */
static void note_head(struct mg_html *h, const struct mg_note *n,
                      const char *zone, int to)
{
    char when[32];

    dash_time(when, sizeof(when), zone, n->received_at);
    mg_html(h, "<article aria-labelledby=\"note-");
    mg_html_int(h, n->id);
    mg_html(h, "\">\n<h3 id=\"note-");
    mg_html_int(h, n->id);
    mg_html(h, "\">");
    mg_html_textf(h, "#%lld: ", (long long)n->id);
    mg_html_text(h, n->subject ? n->subject : _("(no subject)"));
    mg_html(h, "</h3>\n<dl>\n");
    web_row(h, _("From"), n->from_name ? n->from_name : n->from_email);
    web_row(h, _("Address"), n->from_email);
    if (to)
        web_row(h, _("Sent to"), n->recipient);
    /* the reason was stored, in English, when the message was filed */
    web_row(h, _("Why it waits"), n->review_reason);
    mg_html(h, "<dt>");
    mg_html_text(h, _("Received"));
    mg_html(h, "</dt><dd>");
    mg_html_text(h, when);
    mg_html(h, " <span class=\"muted\">(");
    mg_html_text(h, zone);
    mg_html(h, ")</span></dd>\n");
}

static void review_item(struct mg_html *h, const struct dash *d,
                        const struct mg_circle *c, const struct mg_note *n,
                        const struct mg_group_row *groups, size_t n_groups)
{
    char action[128], label[32];
    size_t g;

    note_head(h, n, c->time_zone, 0);
    for (g = 0; g < n_groups && groups[g].id != n->group_id; g++)
        ;
    web_row(h, _("Filed under"),
            g < n_groups ? group_row_label(&groups[g], label, sizeof(label))
                         : NULL);
    mg_html(h, "</dl>\n<p class=\"body\">");
    excerpt(h, n->body);
    mg_html(h, "</p>\n<div class=\"actions\">\n<form method=\"post\" "
               "class=\"inline\" action=\"");
    snprintf(action, sizeof(action), "/dashboard/circles/%lld/notes/%lld",
             (long long)c->id, (long long)n->id);
    mg_html_attr(h, action);
    mg_html(h, "/approve\">\n");
    dash_csrf(h, d);
    group_field(h, n, groups, n_groups);
    mg_html(h, "<label for=\"week-");
    mg_html_int(h, n->id);
    mg_html(h, "\">");
    mg_html_text(h, _("Week"));
    mg_html(h, "</label>\n<input type=\"number\" name=\"week\" min=\"1\" "
               "max=\"");
    mg_html_int(h, c->weeks);
    mg_html(h, "\" id=\"week-");
    mg_html_int(h, n->id);
    mg_html(h, "\" value=\"");
    if (n->week)
        mg_html_int(h, n->week);
    mg_html(h, "\">\n<button type=\"submit\" class=\"button\">");
    mg_html_text(h, _("Approve"));
    mg_html(h, "</button></form>\n");
    snprintf(action, sizeof(action),
             "/dashboard/circles/%lld/notes/%lld/reject", (long long)c->id,
             (long long)n->id);
    dash_button_form(h, d, action, _("Reject"), NULL, 1);
    mg_html(h, "</div>\n</article>\n");
}

/* The notice a decision's redirect asks for. */
static void review_notice(struct mg_html *h, struct request *r)
{
    const char *done = request_arg(r, "done");
    int64_t note = dash_positive(request_arg(r, "note"));
    char text[512];

    if (!done || !note)
        return;
    if (strcmp(done, "approved") == 0)
        snprintf(text, sizeof(text),
                 _("Approved message #%lld: it is published in its group's "
                   "notes."),
                 (long long)note);
    else if (strcmp(done, "rejected") == 0)
        snprintf(text, sizeof(text), _("Rejected message #%lld."),
                 (long long)note);
    else if (strcmp(done, "bad_week") == 0)
        snprintf(text, sizeof(text),
                 _("Message #%lld was not approved: the week must be one of "
                   "the circle's weeks."),
                 (long long)note);
    else if (strcmp(done, "bad_group") == 0)
        snprintf(text, sizeof(text),
                 _("Message #%lld was not approved: there is no such group "
                   "in this circle."),
                 (long long)note);
    else if (strcmp(done, "no_circle") == 0)
        snprintf(text, sizeof(text),
                 _("Message #%lld was not approved: choose the circle to "
                   "file it in."),
                 (long long)note);
    else if (strcmp(done, "decided") == 0)
        snprintf(text, sizeof(text),
                 _("Message #%lld was decided already (in another "
                   "window?)."),
                 (long long)note);
    else
        return;
    dash_notice(h, text,
                strcmp(done, "approved") != 0 && strcmp(done, "rejected") != 0);
}

void handle_dash_review(struct request *r)
{
    struct mg_html h = MG_HTML_INIT;
    struct mg_circle *c = NULL;
    struct mg_note *notes = NULL;
    struct mg_group_row *groups = NULL;
    struct mg_note_filter f;
    size_t n = 0, n_groups = 0, all = 0, i;
    int64_t after = dash_positive(request_arg(r, "after"));
    struct dash d;
    int rc;

    if (dash_require_session(&d, r) < 0)
        return;
    rc = mg_store_circle_get(&c, r->srv->store, r->params[0]);
    if (rc == 0)
        rc = mg_store_groups_list(&groups, &n_groups, r->srv->store, c->id);
    if (rc == 0)
        rc = mg_store_notes_count(&all, r->srv->store, MG_STORE_NOTE_REVIEW,
                                  c->id, 0);
    memset(&f, 0, sizeof(f));
    f.status = "review";
    f.circle_id = r->params[0];
    f.after = after;
    f.limit = REVIEW_PAGE;
    if (rc == 0)
        rc = mg_store_notes_list(&notes, &n, r->srv->store, &f);
    if (rc < 0) {
        if (c)
            dash_use_language(c);
        dash_error_page(r, rc, _("There is no such circle."));
        goto out;
    }
    dash_use_language(c);
    dash_begin(&h, &d, _("Review queue"));
    mg_html(&h, "<h1>");
    mg_html_textf(&h, _("Review queue: %s"), c->title);
    mg_html(&h, "</h1>\n");
    review_notice(&h, r);
    mg_html(&h, "<p>");
    mg_html_textf(&h,
                  mg_ngettext("%zu message of this circle waits for review: "
                              "mail that could not be filed on its own. "
                              "Approve one into a group and week, or reject "
                              "it.",
                              "%zu messages of this circle wait for review: "
                              "mail that could not be filed on its own. "
                              "Approve one into a group and week, or reject "
                              "it.",
                              all),
                  all);
    mg_html(&h, "</p>\n");
    for (i = 0; i < n; i++)
        review_item(&h, &d, c, &notes[i], groups, n_groups);
    if (after || n == REVIEW_PAGE) {
        mg_html(&h, "<nav class=\"pager\" aria-label=\"");
        mg_html_attr(&h, _("Pages"));
        mg_html(&h, "\">");
        if (after) {
            mg_html(&h, "<a href=\"/dashboard/circles/");
            mg_html_int(&h, c->id);
            mg_html(&h, "/review\">");
            mg_html_text(&h, _("First page"));
            mg_html(&h, "</a>");
        }
        if (n == REVIEW_PAGE) {
            mg_html(&h, "<a rel=\"next\" href=\"/dashboard/circles/");
            mg_html_int(&h, c->id);
            mg_html(&h, "/review?after=");
            mg_html_int(&h, notes[n - 1].id);
            mg_html(&h, "\">");
            mg_html_text(&h, _("Next page"));
            mg_html(&h, "</a>");
        }
        mg_html(&h, "</nav>\n");
    }
    mg_html(&h, "<p><a href=\"/dashboard/circles/");
    mg_html_int(&h, c->id);
    mg_html(&h, "#notes\">");
    mg_html_text(&h, _("Back to the circle"));
    mg_html(&h, "</a></p>\n");
    web_end(&h);
    web_reply(r, MHD_HTTP_OK, &h);
out:
    mg_store_notes_free(notes, n);
    mg_store_groups_free(groups, n_groups);
    mg_circle_free(c);
}

/* Where a decision's redirect goes: the circle's queue, or the whole
 * queue's; `done` and the note id in its query. */
static void decided(struct request *r, int64_t route_circle, const char *done,
                    int64_t note)
{
    struct mg_buf where = MG_BUF_INIT;

    if (route_circle)
        mg_buf_printf(&where, "/dashboard/circles/%lld/review",
                      (long long)route_circle);
    else
        mg_buf_puts(&where, "/dashboard/review");
    mg_buf_printf(&where, "?done=%s&note=%lld#note-%lld", done, (long long)note,
                  (long long)note);
    dash_redirect(r, &where);
}

/*
 * Approve (publish) or reject note `note_id`. On a circle's route
 * (`route_circle`) the note must be that circle's; on the whole queue's
 * route (0) it may be any the session reaches, and one that reached no
 * circle is filed under the circle the form names (a coordinator of
 * every circle's alone). The group is the form's group_id or
 * group_number in that circle, the week its week.
 */
static void decide(struct request *r, int publish, int64_t route_circle,
                   int64_t note_id)
{
    struct mg_form f = {NULL, 0, 0};
    struct mg_circle *c = NULL;
    struct mg_group_row *groups = NULL;
    size_t n_groups = 0, g;
    struct mg_note n;
    struct dash d;
    int64_t circle, group = 0, number, thread = 0, week = 0;
    const char *why = NULL;
    int rc;

    memset(&n, 0, sizeof(n));
    if (dash_form_begin(&f, &d, r) < 0)
        goto out;
    rc = mg_store_note_get(&n, r->srv->store, note_id, 0);
    if (rc == 0 && route_circle && n.circle_id != route_circle)
        rc = MG_ENOTFOUND; /* another circle's, or none's */
    if (rc < 0) {
        dash_error_page(r, rc, _("There is no such message in this circle."));
        goto out;
    }
    circle = n.circle_id ? n.circle_id : dash_form_int(&f, "circle_id");
    if ((n.circle_id && !http_token_has_circle(&d.tok, n.circle_id)) ||
        (!n.circle_id && d.tok.circle_id)) {
        reply_page_message(r, MHD_HTTP_FORBIDDEN, _("Forbidden"),
                           _("That message is not for your circle."));
        goto out;
    }
    if (publish && !circle) {
        decided(r, route_circle, "no_circle", n.id);
        goto out;
    }
    if (publish) {
        rc = mg_store_circle_get(&c, r->srv->store, circle);
        if (rc == MG_ENOTFOUND) {
            decided(r, route_circle, "no_circle", n.id);
            goto out;
        }
        if (rc == 0)
            rc =
                mg_store_groups_list(&groups, &n_groups, r->srv->store, circle);
        if (rc < 0) {
            dash_error_page(r, rc, NULL);
            goto out;
        }
        group = dash_form_int(&f, "group_id");
        number = dash_form_int(&f, "group_number");
        if (mg_form_get(&f, "week") && mg_form_get(&f, "week")->value[0]) {
            week = dash_form_int(&f, "week");
            if (week < 1 || week > c->weeks)
                why = "bad_week";
        }
        if (!group && number) {
            if ((size_t)number <= n_groups)
                group = groups[number - 1].id;
            else
                why = "bad_group";
        }
        for (g = 0; group && g < n_groups && groups[g].id != group; g++)
            ;
        if (group && g == n_groups)
            why = "bad_group";
        else if (group)
            thread = groups[g].thread_id;
        if (why) {
            decided(r, route_circle, why, n.id);
            goto out;
        }
    }
    rc = mg_store_note_decide(r->srv->store, n.id, publish,
                              publish ? circle : 0, publish ? group : 0,
                              publish ? (int)week : 0, publish ? thread : 0);
    if (rc < 0 && rc != MG_ECONFLICT) {
        dash_error_page(r, rc, NULL);
        goto out;
    }
    decided(r, route_circle,
            rc == MG_ECONFLICT ? "decided"
            : publish          ? "approved"
                               : "rejected",
            n.id);
out:
    mg_store_note_release(&n);
    mg_store_groups_free(groups, n_groups);
    mg_circle_free(c);
    mg_form_release(&f);
}

void handle_dash_note_approve(struct request *r)
{
    decide(r, 1, r->params[0], r->params[1]);
}

void handle_dash_note_reject(struct request *r)
{
    decide(r, 0, r->params[0], r->params[1]);
}

void handle_dash_any_note_approve(struct request *r)
{
    decide(r, 1, 0, r->params[0]);
}

void handle_dash_any_note_reject(struct request *r)
{
    decide(r, 0, 0, r->params[0]);
}

/* A message that reached no circle: where to file it, or reject it. */
static void stray_item(struct mg_html *h, const struct dash *d,
                       const struct mg_note *n, const struct mg_circle *circles,
                       size_t n_circles)
{
    char action[96];
    size_t i;

    note_head(h, n, "UTC", 1);
    mg_html(h, "</dl>\n<p class=\"body\">");
    excerpt(h, n->body);
    mg_html(h, "</p>\n<div class=\"actions\">\n<form method=\"post\" "
               "class=\"inline\" action=\"");
    snprintf(action, sizeof(action), "/dashboard/notes/%lld/approve",
             (long long)n->id);
    mg_html_attr(h, action);
    mg_html(h, "\">\n");
    dash_csrf(h, d);
    mg_html(h, "<label for=\"circle-");
    mg_html_int(h, n->id);
    mg_html(h, "\">");
    mg_html_text(h, _("Circle"));
    mg_html(h, "</label>\n<select name=\"circle_id\" id=\"circle-");
    mg_html_int(h, n->id);
    mg_html(h, "\">\n");
    for (i = 0; i < n_circles; i++) {
        mg_html(h, "<option value=\"");
        mg_html_int(h, circles[i].id);
        mg_html(h, "\">");
        mg_html_text(h, circles[i].title);
        mg_html(h, "</option>\n");
    }
    mg_html(h, "</select>\n<label for=\"group-");
    mg_html_int(h, n->id);
    mg_html(h, "\">");
    mg_html_text(h, _("Group number"));
    mg_html(h, "</label>\n<input type=\"number\" min=\"1\" "
               "name=\"group_number\" required id=\"group-");
    mg_html_int(h, n->id);
    mg_html(h, "\">\n<label for=\"week-");
    mg_html_int(h, n->id);
    mg_html(h, "\">");
    mg_html_text(h, _("Week"));
    mg_html(h, "</label>\n<input type=\"number\" min=\"1\" "
               "name=\"week\" id=\"week-");
    mg_html_int(h, n->id);
    mg_html(h, "\">\n<button type=\"submit\" class=\"button\">");
    mg_html_text(h, _("Approve"));
    mg_html(h, "</button></form>\n");
    snprintf(action, sizeof(action), "/dashboard/notes/%lld/reject",
             (long long)n->id);
    dash_button_form(h, d, action, _("Reject"), NULL, 1);
    mg_html(h, "</div>\n</article>\n");
}

/*
 * The whole review queue, for a coordinator of every circle: every
 * circle's waiting messages and those that reached none, a page at a
 * time. A coordinator of one circle is sent to that circle's queue.
 */
void handle_dash_review_all(struct request *r)
{
    struct mg_html h = MG_HTML_INIT;
    struct mg_note *notes = NULL;
    struct mg_circle *circles = NULL, *c = NULL;
    struct mg_group_row *groups = NULL;
    struct mg_note_filter f;
    size_t n = 0, n_circles = 0, n_groups = 0, all = 0, i;
    int64_t after = dash_positive(request_arg(r, "after"));
    struct dash d;
    int rc;

    if (dash_require_session(&d, r) < 0)
        return;
    if (d.tok.circle_id) {
        struct mg_buf where = MG_BUF_INIT;

        mg_buf_printf(&where, "/dashboard/circles/%lld/review",
                      (long long)d.tok.circle_id);
        dash_redirect(r, &where);
        return;
    }
    memset(&f, 0, sizeof(f));
    f.status = "review";
    f.any_circle = 1;
    f.after = after;
    f.limit = REVIEW_PAGE;
    rc = mg_store_notes_count(&all, r->srv->store, MG_STORE_NOTE_REVIEW, 0, 1);
    if (rc == 0)
        rc = mg_store_notes_list(&notes, &n, r->srv->store, &f);
    if (rc == 0)
        rc = mg_store_circle_list(&circles, &n_circles, r->srv->store, 0,
                                  CIRCLES_LISTED);
    if (rc < 0) {
        dash_error_page(r, rc, NULL);
        goto out;
    }
    dash_begin(&h, &d, _("Review queue"));
    mg_html(&h, "<h1>");
    mg_html_text(&h, _("Review queue: every circle"));
    mg_html(&h, "</h1>\n");
    review_notice(&h, r);
    mg_html(&h, "<p>");
    mg_html_textf(&h,
                  mg_ngettext("%zu message waits for review, in every "
                              "circle and none.",
                              "%zu messages wait for review, in every "
                              "circle and none.",
                              all),
                  all);
    mg_html(&h, "</p>\n");
    for (i = 0; i < n; i++) {
        if (!notes[i].circle_id) {
            stray_item(&h, &d, &notes[i], circles, n_circles);
            continue;
        }
        if (!c || c->id != notes[i].circle_id) {
            mg_circle_free(c);
            c = NULL;
            mg_store_groups_free(groups, n_groups);
            groups = NULL;
            n_groups = 0;
            rc = mg_store_circle_get(&c, r->srv->store, notes[i].circle_id);
            if (rc == 0)
                rc = mg_store_groups_list(&groups, &n_groups, r->srv->store,
                                          c->id);
            if (rc < 0) {
                mg_html_release(&h);
                dash_error_page(r, rc, NULL);
                goto out;
            }
        }
        mg_html(&h, "<p class=\"muted\">");
        /* TRANSLATORS: before a circle's name, above its message */
        mg_html_text(&h, _("In"));
        mg_html(&h, " <a href=\"/dashboard/circles/");
        mg_html_int(&h, c->id);
        mg_html(&h, "/review\">");
        mg_html_text(&h, c->title);
        mg_html(&h, "</a>:</p>\n");
        review_item(&h, &d, c, &notes[i], groups, n_groups);
    }
    if (after || n == REVIEW_PAGE) {
        mg_html(&h, "<nav class=\"pager\" aria-label=\"");
        mg_html_attr(&h, _("Pages"));
        mg_html(&h, "\">");
        if (after) {
            mg_html(&h, "<a href=\"/dashboard/review\">");
            mg_html_text(&h, _("First page"));
            mg_html(&h, "</a>");
        }
        if (n == REVIEW_PAGE) {
            mg_html(&h, "<a rel=\"next\" href=\"/dashboard/review?after=");
            mg_html_int(&h, notes[n - 1].id);
            mg_html(&h, "\">");
            mg_html_text(&h, _("Next page"));
            mg_html(&h, "</a>");
        }
        mg_html(&h, "</nav>\n");
    }
    mg_html(&h, "<p><a href=\"/dashboard\">");
    mg_html_text(&h, _("Back to the circles"));
    mg_html(&h, "</a></p>\n");
    web_end(&h);
    web_reply(r, MHD_HTTP_OK, &h);
out:
    mg_store_notes_free(notes, n);
    mg_store_circles_free(circles, n_circles);
    mg_store_groups_free(groups, n_groups);
    mg_circle_free(c);
}

/* --- a plenary's registrations and waitlist ------------------------------ */

/* How the registered answered each call from their calendars: accepted,
 * maybe, declined, not yet. */
static void plenary_answers(struct mg_html *h, const struct mg_circle *c,
                            const struct mg_plenary_row *p,
                            const struct mg_plenary_rsvp_count *k)
{
    char when[32];
    int64_t start;
    int i;

    mg_html(h, "<h2>");
    mg_html_text(h, _("Answers"));
    mg_html(h, "</h2>\n");
    dash_table_begin(h);
    mg_html(h, "<thead><tr>");
    dash_th(h, _("Call"));
    dash_th(h, _("Coming"));
    dash_th(h, _("Maybe"));
    dash_th(h, _("Not coming"));
    dash_th(h, _("No answer"));
    mg_html(h, "</tr></thead>\n<tbody>\n");
    for (i = 0; i < p->weeks; i++) {
        int answered = k[i].accepted + k[i].tentative + k[i].declined;

        if (mg_plenary_week_start(&start, c->time_zone, p->starts_at, i + 1) <
            0)
            start = p->starts_at;
        dash_time(when, sizeof(when), c->time_zone, start);
        mg_html(h, "<tr><th scope=\"row\">");
        mg_html_textf(h, _("Week %d"), i + 1);
        mg_html(h, " <span class=\"muted\">");
        mg_html_text(h, when);
        mg_html(h, "</span></th><td>");
        mg_html_int(h, k[i].accepted);
        mg_html(h, "</td><td>");
        mg_html_int(h, k[i].tentative);
        mg_html(h, "</td><td>");
        mg_html_int(h, k[i].declined);
        mg_html(h, "</td><td>");
        mg_html_int(h, p->registered > answered ? p->registered - answered : 0);
        mg_html(h, "</td></tr>\n");
    }
    mg_html(h, "</tbody></table></div>\n");
}

/* Each call of plenary `p`: when, and who came if it was recorded. */
static int plenary_calls(struct mg_html *h, struct mg_store *st,
                         const struct mg_circle *c,
                         const struct mg_plenary_row *p)
{
    struct mg_store_plenary_week *w = NULL;
    size_t n = 0, i;
    int week, rc = mg_store_report_plenary_weeks(&w, &n, st, c->id);

    if (rc < 0)
        return rc;
    mg_html(h, "<h2>");
    mg_html_text(h, _("Calls and attendance"));
    mg_html(h, "</h2>\n");
    dash_table_begin(h);
    mg_html(h, "<thead><tr>");
    dash_th(h, _("Call"));
    dash_th(h, _("Starts"));
    dash_th(h, _("Came"));
    dash_th(h, _("In the report, not registered"));
    mg_html(h, "</tr></thead>\n<tbody>\n");
    for (week = 1; week <= p->weeks; week++) {
        int64_t at;
        char when[32];

        if (mg_report_occurrence_start(&at, c->time_zone, p->starts_at, week) <
            0)
            at = p->starts_at + (int64_t)(week - 1) * 7 * 86400;
        dash_time(when, sizeof(when), c->time_zone, at);
        mg_html(h, "<tr><th scope=\"row\">");
        mg_html_int(h, week);
        mg_html(h, "</th><td class=\"nowrap\">");
        mg_html_text(h, when);
        mg_html(h, "</td><td>");
        for (i = 0; i < n; i++)
            if (w[i].plenary_id == p->id && w[i].week == week)
                break;
        if (i < n) {
            mg_html_int(h, w[i].came);
            mg_html(h, "</td><td>");
            mg_html_int(h, w[i].unmatched);
        } else {
            mg_html_text(h, _("not recorded"));
            mg_html(h, "</td><td>-");
        }
        mg_html(h, "</td></tr>\n");
    }
    mg_html(h, "</tbody></table></div>\n");
    free(w);
    return 0;
}

void handle_dash_plenary_cancel(struct request *r)
{
    struct mg_form f = {NULL, 0, 0};
    struct mg_error err = {{0}, {0}};
    struct mg_buf where = MG_BUF_INIT;
    struct mg_plenary_op op;
    struct mg_plenary_seat *seats = NULL;
    size_t n = 0, queued = 0;
    struct dash d;
    int rc;

    if (dash_form_begin(&f, &d, r) < 0)
        goto out;
    memset(&op, 0, sizeof(op));
    op.kind = MG_PLENARY_CANCEL;
    rc = mg_plenary_change(&seats, &n, &queued, r->srv->store, r->params[0],
                           r->params[1], &op, &err);
    if (rc < 0) {
        dash_error_page(r, rc, _("There is no such plenary session."));
        goto out;
    }
    if (queued)
        mg_http_wake_outbox(r->srv);
    mg_buf_printf(&where,
                  "/dashboard/circles/%lld/plenaries/%lld?done=cancelled",
                  (long long)r->params[0], (long long)r->params[1]);
    dash_redirect(r, &where);
out:
    free(seats);
    mg_form_release(&f);
}

void handle_dash_plenary(struct request *r)
{
    struct mg_html h = MG_HTML_INIT;
    struct mg_circle *c = NULL;
    struct mg_plenary_row p;
    struct mg_registration_row *rows = NULL;
    struct mg_plenary_rsvp_count *answers = NULL;
    size_t n = 0, total, i;
    int page = dash_page_arg(r, "page");
    const char *done = request_arg(r, "done");
    char when[32], path[96];
    struct dash d;
    int have = 0, rc;

    if (dash_require_session(&d, r) < 0)
        return;
    memset(&p, 0, sizeof(p));
    rc = mg_store_circle_get(&c, r->srv->store, r->params[0]);
    if (rc == 0)
        rc =
            mg_store_plenary_get(&p, r->srv->store, r->params[0], r->params[1]);
    have = rc == 0;
    if (rc == 0)
        rc = mg_store_plenary_registrations(
            &rows, &n, r->srv->store, p.id, 0, MG_STORE_SEAT_REGISTERED,
            DASH_PAGE_SIZE, (page - 1) * DASH_PAGE_SIZE);
    if (rc == 0)
        rc = mg_store_plenary_rsvp_counts(&answers, r->srv->store, p.id,
                                          p.weeks);
    if (c)
        dash_use_language(c);
    if (rc < 0) {
        dash_error_page(r, rc, _("There is no such plenary session."));
        goto out;
    }
    dash_begin(&h, &d, p.title);
    mg_html_element(&h, "h1", p.title);
    if (done && strcmp(done, "cancelled") == 0)
        dash_notice(&h,
                    _("The plenary is cancelled: everyone registered is sent "
                      "a cancellation."),
                    0);
    else if (p.status == MG_STORE_PLENARY_CANCELLED)
        dash_notice(&h, _("This plenary is cancelled."), 0);
    dash_time(when, sizeof(when), c->time_zone, p.starts_at);
    mg_html(&h, "<dl>\n");
    web_row(&h, _("Guest"), p.guest);
    mg_html(&h, "<dt>");
    mg_html_text(&h, _("Starts"));
    mg_html(&h, "</dt><dd>");
    mg_html_text(&h, when);
    mg_html(&h, " <span class=\"muted\">(");
    mg_html_text(&h, c->time_zone);
    mg_html(&h, ")</span></dd>\n<dt>");
    mg_html_text(&h, _("Places"));
    mg_html(&h, "</dt><dd>");
    mg_html_textf(&h, _("%d: %d registered, %d on the waitlist"), p.capacity,
                  p.registered, p.waitlisted);
    mg_html(&h, "</dd>\n<dt>");
    mg_html_text(&h, _("Target"));
    mg_html(&h, "</dt><dd>");
    if (p.target)
        mg_html_textf(&h, _("%d per call"), p.target);
    else
        mg_html_text(&h, _("none set"));
    mg_html(&h, "</dd>\n</dl>\n");
    plenary_answers(&h, c, &p, answers);
    rc = plenary_calls(&h, r->srv->store, c, &p);
    if (rc < 0) {
        mg_html_release(&h);
        dash_error_page(r, rc, NULL);
        goto out;
    }
    if (p.status != MG_STORE_PLENARY_CANCELLED) {
        char action[96];

        snprintf(action, sizeof(action),
                 "/dashboard/circles/%lld/plenaries/%lld/cancel",
                 (long long)c->id, (long long)p.id);
        dash_button_form(&h, &d, action, _("Cancel the whole plenary"), NULL,
                         1);
    }
    mg_html(&h, "<h2>");
    mg_html_text(&h, _("Registrations and waitlist"));
    mg_html(&h, "</h2>\n");
    if (!n && page == 1) {
        mg_html(&h, "<p>");
        mg_html_text(&h, _("Nobody has registered yet."));
        mg_html(&h, "</p>\n");
    }
    if (n) {
        dash_table_begin(&h);
        mg_html(&h, "<thead><tr>");
        dash_th(&h, _("Name"));
        dash_th(&h, _("Email"));
        dash_th(&h, _("Status"));
        dash_th(&h, _("Waitlist place"));
        mg_html(&h, "</tr></thead>\n<tbody>\n");
    }
    for (i = 0; i < n; i++) {
        mg_html(&h, "<tr><th scope=\"row\">");
        mg_html_text(&h, rows[i].name);
        mg_html(&h, "</th><td>");
        mg_html_text(&h, rows[i].email);
        mg_html(&h, "</td><td>");
        mg_html_text(&h, dash_word(mg_store_seat_status_name(rows[i].status)));
        mg_html(&h, "</td><td>");
        /* the list has the places first, then the waitlist in order */
        if (rows[i].status == MG_STORE_SEAT_WAITLISTED)
            mg_html_int(&h, (long long)(page - 1) * DASH_PAGE_SIZE +
                                (long long)i + 1 - p.registered);
        else
            mg_html(&h, "-");
        mg_html(&h, "</td></tr>\n");
    }
    if (n)
        mg_html(&h, "</tbody></table></div>\n");
    /* every registration ever made is a row: registered, waiting or gone */
    total =
        (size_t)(page - 1) * DASH_PAGE_SIZE + n + (n == DASH_PAGE_SIZE ? 1 : 0);
    snprintf(path, sizeof(path), "/dashboard/circles/%lld/plenaries/%lld",
             (long long)c->id, (long long)p.id);
    dash_pager(&h, path, "page", page, total, NULL, 0, NULL);
    mg_html(&h, "<p><a href=\"/dashboard/circles/");
    mg_html_int(&h, c->id);
    mg_html(&h, "#plenaries\">");
    mg_html_text(&h, _("Back to the circle"));
    mg_html(&h, "</a></p>\n");
    web_end(&h);
    web_reply(r, MHD_HTTP_OK, &h);
out:
    free(answers);
    mg_store_registrations_free(rows, n);
    if (have)
        mg_store_plenary_release(&p);
    mg_circle_free(c);
}

/* --- downloads -------------------------------------------------------------
 */

/* The report's CSV, sent a few hundred sessions at a time. */
struct report_stream {
    struct mg_report rep;
    struct mg_report_cursor at;
};

static int report_next(void *state, struct mg_buf *b)
{
    struct report_stream *s = state;

    return mg_report_csv_next(b, &s->rep, &s->at, 500);
}

static void report_release(void *state)
{
    struct report_stream *s = state;

    mg_report_release(&s->rep);
    free(s);
}

void handle_dash_report_csv(struct request *r)
{
    struct report_stream *s;
    struct reply_source src;
    struct reply rep = {0};
    char disposition[96];
    struct dash d;
    int rc;

    if (dash_require_session(&d, r) < 0)
        return;
    s = mg_xcalloc(1, sizeof(*s));
    rc = mg_report_load(&s->rep, r->srv->store, r->params[0]);
    if (rc < 0) {
        free(s);
        dash_error_page(r, rc, _("There is no such circle."));
        return;
    }
    snprintf(disposition, sizeof(disposition),
             "attachment; filename=\"circle-%lld-report.csv\"",
             (long long)r->params[0]);
    rep.content_type = "text/csv; charset=utf-8; header=present";
    rep.disposition = disposition;
    src.next = report_next;
    src.release = report_release;
    src.state = s;
    reply_stream(r, MHD_HTTP_OK, &rep, &src);
}

/* The circle's groups with their ids sorted, for a name by id in every
 * row of a download (50,000 rows: never a scan of every group each). */
struct group_names {
    struct mg_group_row *groups;
    size_t n;
    struct group_key {
        int64_t id;
        size_t at;
    } * keys;
};

static int by_group_key(const void *x, const void *y)
{
    const struct group_key *a = x, *b = y;

    return a->id < b->id ? -1 : a->id > b->id;
}

static int group_names_load(struct group_names *g, struct mg_store *st,
                            int64_t circle_id)
{
    size_t i;
    int rc;

    memset(g, 0, sizeof(*g));
    rc = mg_store_groups_list(&g->groups, &g->n, st, circle_id);
    if (rc < 0)
        return rc;
    g->keys = mg_xcalloc(g->n + 1, sizeof(*g->keys));
    for (i = 0; i < g->n; i++) {
        g->keys[i].id = g->groups[i].id;
        g->keys[i].at = i;
    }
    qsort(g->keys, g->n, sizeof(*g->keys), by_group_key);
    return 0;
}

static void group_names_release(struct group_names *g)
{
    mg_store_groups_free(g->groups, g->n);
    free(g->keys);
    memset(g, 0, sizeof(*g));
}

static const char *group_name_by_id(const struct group_names *g, int64_t id,
                                    char *buf, size_t len)
{
    struct group_key key = {id, 0};
    const struct group_key *hit =
        id && g->n ? bsearch(&key, g->keys, g->n, sizeof(key), by_group_key)
                   : NULL;

    return hit ? group_row_label(&g->groups[hit->at], buf, len) : "";
}

/* Every person of the circle, a batch at a time, in id order: `row`
 * writes one. */
typedef void (*person_row_fn)(struct mg_buf *b,
                              const struct mg_store_member_row *p, void *arg);

/* A download of a row per person, sent a batch at a time as it is
 * written (reply_stream): its header line, then the rows. What `row`
 * reads is the download's: the groups' names, for the matrix its marks. */
struct download {
    struct mg_store *st;
    int64_t circle_id, after;
    struct mg_buf head;
    int begun;
    person_row_fn row;
    struct group_names groups;
    struct matrix *m;
};

static int download_next(void *state, struct mg_buf *b)
{
    struct download *d = state;
    struct mg_store_member_row *list;
    void *arg = d->m ? (void *)d->m : (void *)&d->groups;
    size_t n, i;
    int rc;

    if (!d->begun) {
        mg_buf_add(b, d->head.data, d->head.len);
        d->begun = 1;
    }
    rc = mg_store_people_rows(&list, &n, d->st, d->circle_id, d->after,
                              ROSTER_BATCH);
    if (rc < 0)
        return rc;
    for (i = 0; i < n; i++)
        d->row(b, &list[i], arg);
    if (n)
        d->after = list[n - 1].id;
    mg_store_member_rows_free(list, n);
    return n == ROSTER_BATCH ? 0 : 1;
}

static void matrix_free(struct matrix *m);

static void download_release(void *state)
{
    struct download *d = state;

    group_names_release(&d->groups);
    mg_buf_release(&d->head);
    if (d->m)
        matrix_free(d->m);
    free(d);
}

/* Send download `d` (taken) as `<circle id>-<name>.csv`. */
static void send_download(struct request *r, struct download *d,
                          const char *name)
{
    struct reply rep = {0};
    struct reply_source src;
    char disposition[96];

    snprintf(disposition, sizeof(disposition),
             "attachment; filename=\"circle-%lld-%s.csv\"",
             (long long)r->params[0], name);
    rep.content_type = "text/csv; charset=utf-8; header=present";
    rep.disposition = disposition;
    src.next = download_next;
    src.release = download_release;
    src.state = d;
    reply_stream(r, MHD_HTTP_OK, &rep, &src);
}

static void roster_row(struct mg_buf *b, const struct mg_store_member_row *p,
                       void *arg)
{
    const struct group_names *g = arg;
    enum mg_person_role role = MG_PERSON_PARTICIPANT;
    enum mg_person_status status = MG_STATUS_ACTIVE;
    char label[32];

    mg_person_role_parse(&role, p->role);
    mg_person_status_parse(&status, p->status);
    mg_buf_printf(b, "%lld,", (long long)p->id);
    mg_report_csv_field(b, p->name);
    mg_buf_puts(b, ",");
    mg_report_csv_field(b, p->email);
    mg_buf_printf(b, ",%s,", mg_person_role_name(role));
    mg_report_csv_field(b, p->sector);
    mg_buf_puts(b, ",");
    mg_report_csv_field(b, p->region);
    mg_buf_printf(b, ",%s,", mg_person_status_name(status));
    mg_report_csv_field(b,
                        group_name_by_id(g, p->group_id, label, sizeof(label)));
    mg_buf_puts(b, "\r\n");
}

void handle_dash_roster_csv(struct request *r)
{
    struct download *d;
    struct mg_circle *c = NULL;
    struct dash dash;
    int rc;

    if (dash_require_session(&dash, r) < 0)
        return;
    d = mg_xcalloc(1, sizeof(*d));
    d->st = r->srv->store;
    d->circle_id = r->params[0];
    d->row = roster_row;
    rc = mg_store_circle_get(&c, r->srv->store, r->params[0]);
    if (rc == 0)
        rc = group_names_load(&d->groups, r->srv->store, c->id);
    mg_circle_free(c);
    if (rc < 0) {
        download_release(d);
        dash_error_page(r, rc, _("There is no such circle."));
        return;
    }
    /* Column names, roles and statuses stay English whatever the
     * circle's language: a CSV file is data for spreadsheets and
     * scripts, which read the same names from every circle. */
    mg_buf_puts(&d->head, "id,name,email,role,sector,region,status,group\r\n");
    send_download(r, d, "roster");
}

/* The attendance matrix: one row per person, one column per week:
 * "yes" (present), "no" (in a recorded call, absent) or "" (no record). */
struct matrix {
    const struct group_names *groups;
    struct mg_mark_row *marks; /* sorted by participant */
    int *weeks;                /* each mark's week */
    size_t n_marks;
    int n_weeks;
};

static void matrix_free(struct matrix *m)
{
    free(m->marks);
    free(m->weeks);
    free(m);
}

static int by_person(const void *x, const void *y)
{
    const struct mg_mark_row *a = x, *b = y;

    if (a->participant_id != b->participant_id)
        return a->participant_id < b->participant_id ? -1 : 1;
    return 0;
}

static void matrix_row(struct mg_buf *b, const struct mg_store_member_row *p,
                       void *arg)
{
    const struct matrix *m = arg;
    char label[32], *cells = mg_xcalloc((size_t)m->n_weeks + 1, 1);
    struct mg_mark_row key;
    const struct mg_mark_row *hit;
    size_t k;
    int w;

    mg_report_csv_field(b, p->name);
    mg_buf_puts(b, ",");
    mg_report_csv_field(b, p->email);
    mg_buf_puts(b, ",");
    mg_report_csv_field(
        b, group_name_by_id(m->groups, p->group_id, label, sizeof(label)));
    memset(&key, 0, sizeof(key));
    key.participant_id = p->id;
    hit = m->n_marks
              ? bsearch(&key, m->marks, m->n_marks, sizeof(key), by_person)
              : NULL;
    if (hit) {
        k = (size_t)(hit - m->marks);
        while (k > 0 && m->marks[k - 1].participant_id == p->id)
            k--;
        for (; k < m->n_marks && m->marks[k].participant_id == p->id; k++) {
            w = m->weeks[k];
            if (w >= 1 && w <= m->n_weeks && cells[w] != 'y')
                cells[w] = m->marks[k].present ? 'y' : 'n';
        }
    }
    for (w = 1; w <= m->n_weeks; w++)
        mg_buf_puts(b, cells[w] == 'y'   ? ",yes"
                       : cells[w] == 'n' ? ",no"
                                         : ",");
    mg_buf_puts(b, "\r\n");
    free(cells);
}

struct session_week {
    int64_t id;
    int week;
};

static int by_session(const void *x, const void *y)
{
    const struct session_week *a = x, *b = y;

    return a->id < b->id ? -1 : a->id > b->id;
}

void handle_dash_attendance_csv(struct request *r)
{
    struct session_week *weeks = NULL;
    struct mg_circle *c = NULL;
    struct mg_session_row *sessions = NULL;
    struct download *d;
    struct matrix *m;
    size_t n_sessions = 0, n_weeks = 0, i, k;
    struct dash dash;
    int w, rc;

    if (dash_require_session(&dash, r) < 0)
        return;
    d = mg_xcalloc(1, sizeof(*d));
    d->st = r->srv->store;
    d->circle_id = r->params[0];
    d->row = matrix_row;
    m = d->m = mg_xcalloc(1, sizeof(*m));
    m->groups = &d->groups;
    rc = mg_store_circle_get(&c, r->srv->store, r->params[0]);
    if (rc == 0)
        rc = group_names_load(&d->groups, r->srv->store, c->id);
    if (rc == 0)
        rc = mg_store_circle_group_sessions(&sessions, &n_sessions,
                                            r->srv->store, c->id);
    if (rc == 0)
        rc = mg_store_report_attendance(&m->marks, &m->n_marks, r->srv->store,
                                        c->id);
    if (rc < 0) {
        download_release(d);
        mg_circle_free(c);
        free(sessions);
        dash_error_page(r, rc, _("There is no such circle."));
        return;
    }
    /* the weeks of the report: the circle's, or the latest call's; each
     * mark's week from its session (the groups' calls, week 1 on); the
     * marks by person for lookups */
    m->n_weeks = c->weeks;
    weeks = mg_xcalloc(n_sessions + 1, sizeof(*weeks));
    for (i = 0; i < n_sessions; i++) {
        if (sessions[i].week < 1)
            continue;
        weeks[n_weeks].id = sessions[i].id;
        weeks[n_weeks].week = sessions[i].week;
        if (sessions[i].week > m->n_weeks)
            m->n_weeks = sessions[i].week;
        n_weeks++;
    }
    if (n_weeks)
        qsort(weeks, n_weeks, sizeof(*weeks), by_session);
    if (m->n_marks)
        qsort(m->marks, m->n_marks, sizeof(*m->marks), by_person);
    m->weeks = mg_xcalloc(m->n_marks + 1, sizeof(int));
    for (k = 0; k < m->n_marks; k++) {
        struct session_week key, *hit;

        key.id = m->marks[k].session_id;
        key.week = 0;
        hit = n_weeks ? bsearch(&key, weeks, n_weeks, sizeof(key), by_session)
                      : NULL;
        m->weeks[k] = hit ? hit->week : 0;
    }
    free(weeks);
    free(sessions);
    mg_circle_free(c);
    /* English column names, as the roster's (data, not words to read) */
    mg_buf_puts(&d->head, "name,email,group");
    for (w = 1; w <= m->n_weeks; w++)
        mg_buf_printf(&d->head, ",week_%d", w);
    mg_buf_puts(&d->head, "\r\n");
    send_download(r, d, "attendance");
}
