/*
 * web.h: the pages: a participant's and a facilitator's page at their
 * secret URLs, and the coordinator's dashboard with its own sessions.
 * Each handler answers one route of src/http/router.c.
 */
#ifndef MINGLE_WEB_H
#define MINGLE_WEB_H

#include "../http/internal.h"
#include "mingle/html.h"
#include "mingle/i18n.h"

/*
 * HTML pages (page.c): the shared scaffolding, written through the HTML
 * writer (mingle/html.h). A page: web_begin(), the body through mg_html*,
 * web_end(), then web_reply(), which sends the document and empties the
 * writer. Every response header is reply_send()'s.
 */
void web_begin(struct mg_html *h, const char *title);
void web_end(struct mg_html *h);
/* One <dt>label</dt><dd>value</dd> pair (value "-" when NULL or ""). */
void web_row(struct mg_html *h, const char *label, const char *value);
/* Send the page (text/html, the page headers) with `status`. */
void web_reply(struct request *r, unsigned int status, struct mg_html *h);
/* Weekday `weekday` (1 Monday .. 7 Sunday) in the thread's language;
 * "?" for another number. */
const char *web_weekday(int weekday);
/*
 * A wide table that scrolls inside its box on a phone: a focusable,
 * named region (so a keyboard can scroll it), with `hint` a line that
 * says so on narrow screens. The caller closes it: "</table></div>".
 */
void web_table_begin(struct mg_html *h, const char *label, int hint);

/*
 * The one bar chart (chart.c): bars of stacked segments from plain data,
 * drawn as an SVG with a title, a description in words and every bar's
 * number as text. Strings are borrowed for the call.
 */
#define WEB_CHART_COLOUR "#1f4e99"
struct web_segment {
    double value;
    const char *colour; /* "#rrggbb"; NULL: WEB_CHART_COLOUR */
    const char *name;   /* what the segment counts, or NULL */
};
struct web_bar {
    const char *label; /* under the bar: "G1", "W2" */
    const char *title; /* the bar in words, or NULL */
    long long key;     /* the group id or week number it stands for */
    const struct web_segment *segments;
    size_t n_segments;
    int known; /* 0: no figure, drawn as "none" */
};
struct web_ref {
    const char *name;  /* "min", "target": data-ref, never translated */
    const char *label; /* what the line is called on the chart; NULL: name */
    double value;
};
enum web_chart_key { WEB_CHART_GROUP, WEB_CHART_WEEK, WEB_CHART_ANSWER };
struct web_chart {
    const char *id; /* unique on the page, for aria-labelledby */
    const char *title;
    const char *desc; /* everything the chart says, in words */
    enum web_chart_key key;
    const struct web_bar *bars;
    size_t n_bars;
    const struct web_ref *refs; /* dashed lines */
    size_t n_refs;
    int decimals;       /* of the numbers shown */
    double ymax;        /* the axis reaches at least this */
    double plot_height; /* 0: 200 */
    double bar_width;   /* 0: 34 */
    double gap;         /* 0: 18 */
};
void web_chart_bars(struct mg_html *h, const struct web_chart *c);
/* A legend in HTML (it wraps on a phone): a swatch, a name, a count. */
struct web_legend_item {
    const char *colour;
    const char *name;
    long long count;
};
void web_chart_legend(struct mg_html *h, const char *aria_label,
                      const struct web_legend_item *items, size_t n);

/* The page for an error the router or the transport answers under
 * /dashboard (no route, wrong method, a body too big). */
void web_error_page(struct request *r, unsigned int status);

/* Queue `html` (taken, freed by libmicrohttpd) as text/html with the
 * page headers: CSP, nosniff, no referrer, no-store, no framing. */
void reply_page(struct request *r, unsigned int status, char *html);
/* A whole page of one heading and one sentence, e.g. a 404. */
void reply_page_message(struct request *r, unsigned int status,
                        const char *title, const char *message);

/* A participant's page at its secret URL (person.c). */
void handle_person_page(struct request *r);
void handle_person_page_feed(struct request *r);
void handle_person_page_rsvp(struct request *r);
void handle_person_page_attendance(struct request *r);
void handle_person_page_plenary(struct request *r);
void handle_person_page_summary(struct request *r);
void handle_person_page_review(struct request *r);
void handle_person_page_profile(struct request *r);
void handle_person_page_note(struct request *r);
void handle_person_page_leave(struct request *r);
void handle_person_page_register(struct request *r);
void handle_person_page_mint(struct request *r);
void handle_person_page_reminders(struct request *r);
/* Certificates (certificate.c): the page's section linking to the PDF
 * (nothing when the person has none yet), the PDF, the code's check. */
void web_person_certificate(struct mg_html *h, struct request *r,
                            int64_t circle_id, int64_t pid);
void handle_person_page_certificate(struct request *r);
void handle_verify(struct request *r);
void handle_verify_form(struct request *r);
/* person.c's check of a page's secret for the page's other files: 0
 * with the circle and person, or nonzero when a reply went out (a 404
 * page, or 410 for a replaced link). */
int person_page_subject(int64_t *circle, int64_t *pid, struct request *r);
/* The CPD record (person_cpd.c): the page's section (nothing when the
 * person has no row; 0 or a store code), and its CSV and XLSX. */
int person_cpd_section(struct mg_html *h, struct mg_store *st,
                       int64_t circle_id, int64_t pid, const char *page_token);
void handle_person_page_cpd_csv(struct request *r);
void handle_person_page_cpd_xlsx(struct request *r);
/* A reminder's "can't come" link (reminder.c). */
void handle_reminder_link(struct request *r);
void handle_reminder_decline(struct request *r);
void handle_survey_page(struct request *r);
void handle_survey_answer(struct request *r);
/* On a participant's own page: the circle's survey and their link to
 * it, while it is open and theirs to answer (survey.c). */
struct mg_circle;
void web_survey_section(struct mg_html *h, struct mg_store *st,
                        const struct mg_circle *c, int64_t pid);
/* Any other request under /p/ (no route, or not its method), and one
 * too large there: a page, never JSON. */
void handle_person_page_other(struct request *r);
/* A circle's public sign-up page and its confirmation link (join.c). */
void handle_join_form(struct request *r);
void handle_join_submit(struct request *r);
void handle_join_confirm_form(struct request *r);
void handle_join_confirm(struct request *r);
/* The coordinator dashboard (dashboard.c): its own session cookie. */
void handle_dash_login_form(struct request *r);
void handle_dash_login(struct request *r);
void handle_dash_logout(struct request *r);
void handle_dash_home(struct request *r);
void handle_dash_circle(struct request *r);
void handle_dash_move_form(struct request *r);
void handle_dash_move(struct request *r);
/* A group's own call link from the dashboard's group view. */
void handle_dash_group_call(struct request *r);
void handle_dash_rebalance_preview(struct request *r);
void handle_dash_rebalance(struct request *r);
void handle_dash_invites(struct request *r);
void handle_dash_digest(struct request *r);
/* The review queue, withdrawals, plenaries, downloads (dash_lists.c). */
void handle_dash_withdraw(struct request *r);
/* Open, close, capacity, place the late sign-ups (dash_signup.c). */
void handle_dash_signup(struct request *r);
/* A circle's CPD settings (dash_cpd.c). */
void handle_dash_cpd(struct request *r);
void handle_dash_survey(struct request *r);
void handle_dash_move_request_dismiss(struct request *r);
void handle_dash_review(struct request *r);
void handle_dash_note_approve(struct request *r);
void handle_dash_note_reject(struct request *r);
void handle_dash_review_all(struct request *r);
void handle_dash_any_note_approve(struct request *r);
void handle_dash_any_note_reject(struct request *r);
void handle_dash_plenary(struct request *r);
void handle_dash_plenary_cancel(struct request *r);
void handle_dash_report_csv(struct request *r);
void handle_dash_roster_csv(struct request *r);
void handle_dash_attendance_csv(struct request *r);
void handle_dash_export(struct request *r);

/*
 * When a circle's personal data goes (retention.c): a cell of the
 * dashboard's circle list, two rows of the circle page's summary (inside
 * its <dl>), and a sentence for a participant's page. Nothing is written when
 * it cannot be read.
 */
void web_retention_cell(struct mg_html *h, struct mg_store *st,
                        const struct mg_circle *c);
void web_retention_row(struct mg_html *h, struct mg_store *st,
                       const struct mg_circle *c);
void web_retention_sentence(struct mg_html *h, struct mg_store *st,
                            const struct mg_circle *c);

#endif
