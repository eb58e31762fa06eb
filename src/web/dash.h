/*
 * dash.h: what the dashboard's files share (dashboard.c: sessions, the
 * circle page, moves, rebalancing, invitations, the digest; dash_lists.c:
 * the review queue, withdrawals, plenaries and the CSV downloads). Every
 * page is written through the HTML writer; every form answers with a
 * redirect to a page that says what happened.
 */
#ifndef MINGLE_WEB_DASH_H
#define MINGLE_WEB_DASH_H

#include "web.h"

#include "mingle/inbound.h"

/* How many rows a list page shows; no query asks the store for more. */
#define DASH_PAGE_SIZE 50
/* The highest page number a list accepts (so offsets stay small ints). */
#define DASH_MAX_PAGE 100000
/* The longest search a list accepts, in bytes. */
#define DASH_QUERY_MAX 200

/* A logged-in coordinator: the session and the API token behind it. */
struct dash {
    struct mg_web_session s;
    struct mg_token tok;
};

/*
 * Words. A page of one circle speaks its language: dash_use_language()
 * once the circle is loaded (NULL: English), so what follows, error
 * pages included, is in it; pages about every circle stay English.
 */
void dash_use_language(const struct mg_circle *c);
/* A status or role the store keeps in English ("active", "sent"), as
 * the page says it; an unknown word comes back as it is. */
const char *dash_word(const char *stored);
/* `text` (translated) with each "%s" in it replaced by the next of the
 * `n` string arguments, and each "%2$s" by the second, written as
 * <code>; "%%" is a percent sign and nothing else is read. */
#define DASH_CODES_MAX 4
void dash_text_code(struct mg_html *h, const char *text, int n, ...);
/* A table's scrolling box, up to and with <table>; dash_th() writes one
 * column's header cell. */
void dash_table_begin(struct mg_html *h);
void dash_th(struct mg_html *h, const char *text);

/* An error page for store code `rc`; `what` names a missing thing. */
void dash_error_page(struct request *r, int rc, const char *what);
/* 0 with the session, or a reply made (303 to the login page, 403). */
int dash_require_session(struct dash *d, struct request *r);
/* For a POST: the session, the form and its CSRF token; 0 or replied. */
int dash_form_begin(struct mg_form *f, struct dash *d, struct request *r);

/* A positive decimal, else 0; a form field as one. */
int64_t dash_positive(const char *v);
int64_t dash_form_int(const struct mg_form *f, const char *name);
/* ?page=N as 1..DASH_MAX_PAGE (1 when absent or bad). */
int dash_page_arg(struct request *r, const char *name);

/* The page head with the dashboard's styles and navigation (d may be
 * NULL on the login page). */
void dash_begin(struct mg_html *h, const struct dash *d, const char *title);
void dash_csrf(struct mg_html *h, const struct dash *d);
/* A one-button form posting to `action`, a path of ours; `who` (may be
 * NULL) names whom a row's button is for, for screen readers. */
void dash_button_form(struct mg_html *h, const struct dash *d,
                      const char *action, const char *label, const char *who,
                      int secondary);
/* A status (or, with `error`, alert) notice of one sentence. */
void dash_notice(struct mg_html *h, const char *text, int error);
/* "2027-03-02 19:30" in `tzid` (UTC when NULL or unknown), "-" for 0. */
void dash_time(char *out, size_t n, const char *tzid, int64_t t);

/* One query argument of a pager's links. */
struct dash_arg {
    const char *name;
    const char *value; /* NULL or "": left out */
};
/*
 * "Page 2 of 7" with previous and next links to `path` (ours) with
 * ?`param`=N and `args`, ending in #`anchor` (may be NULL). Nothing when
 * everything fits on one page.
 */
void dash_pager(struct mg_html *h, const char *path, const char *param,
                int page, size_t total, const struct dash_arg *args,
                size_t n_args, const char *anchor);

/* 303 to `location` (a path of ours, built by the caller). */
void dash_redirect(struct request *r, struct mg_buf *location);

/* The circle page's sign-up section (dash_signup.c); 0 or a store code. */
int dash_signup_section(struct mg_html *h, const struct dash *d,
                        struct mg_store *st, const char *base_url,
                        const struct mg_circle *c, size_t n_groups);
/* The notice for ?done=`done` after a sign-up form, into `text`: 1 if
 * it is one of the sign-up section's, else 0. */
int dash_signup_done(struct mg_buf *text, int *error, struct request *r,
                     const char *done);
/* The circle page's survey section (dash_survey.c), and the notice for
 * ?done=`done` after its buttons (1 if it is one of its own). */
int dash_survey_section(struct mg_html *h, const struct dash *d,
                        struct mg_store *st, const struct mg_circle *c);
int dash_survey_done(struct mg_buf *text, const char *done);

/* The circle page's Downloads section (dash_export.c). */
void dash_export_section(struct mg_html *h, const struct mg_circle *c);
/* The circle page's CPD section (dash_cpd.c); 0 or a store code. The
 * notice for ?done= after its form, as dash_signup_done(). */
int dash_cpd_section(struct mg_html *h, const struct dash *d, struct request *r,
                     struct mg_store *st, const struct mg_circle *c);
int dash_cpd_done(struct mg_buf *text, int *error, struct request *r,
                  const char *done);

#endif
