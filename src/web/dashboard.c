/*
 * dashboard.c: the coordinator's dashboard, server-rendered HTML
 * without scripts. A coordinator logs in with an API token and gets a
 * session cookie; every form that changes something carries the
 * session's CSRF token and answers with a redirect to a page that says
 * what happened. The circle page shows the book plan, the groups (a page
 * of them at a time, with a chart of their sizes by sector), the people
 * (a page at a time, with search), how the circle is going, plenaries,
 * the outbox and the notes; a person's move form is a page of its own.
 * The circle page's figures are the overview's and the report's sums
 * (the store's counts, a few ints a group: never every person in
 * memory); a refused move is checked again over the two groups it
 * concerns. The work itself is assign's, calendar's and notes', the
 * page scaffolding page.c's, the charts chart.c's; the review queue,
 * withdrawals, plenaries and downloads are dash_lists.c's. A page of one
 * circle is in that circle's language (dash_use_language) once the
 * circle is loaded; the circle list and the login page are English.
 */
#define _GNU_SOURCE
#include "dash.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mingle/assign.h"
#include "mingle/calendar.h"
#include "mingle/notes.h"
#include "mingle/overview.h"
#include "mingle/report.h"
#include "mingle/schedule.h"

#include "banned.h"

#define COOKIE_NAME "mingle_session"
#define SESSION_TTL (8 * 3600)
#define OUTBOX_SHOWN 20
#define REVIEW_SHOWN 10
#define WARNINGS_SHOWN 20
#define MOVES_SHOWN 100
#define CIRCLES_SHOWN 200

/* What the dashboard adds to page.c's stylesheet; contrast as there. */
#define DASH_CSS                                                               \
    "<style>"                                                                  \
    ".vh{position:absolute;width:1px;height:1px;margin:-1px;padding:0;"        \
    "overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}"          \
    "nav{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1rem;"       \
    "margin:.5rem 0}"                                                          \
    "form.inline{display:inline-flex;flex-wrap:wrap;align-items:center;"       \
    "gap:.25rem;margin:0}"                                                     \
    "form.inline button{margin:0}"                                             \
    "label{font-weight:600}"                                                   \
    "th .muted{font-weight:400}"                                               \
    "select,input[type=password],input[type=number],input[type=search]{"       \
    "font:inherit;padding:.4rem;border:1px solid #4a4a4a;"                     \
    "border-radius:.3rem;max-width:100%;min-height:2.5rem;background:#fff;"    \
    "color:#1a1a1a}"                                                           \
    "input[type=password]{width:100%;margin:.25rem 0 .5rem}"                   \
    "input[type=number]{width:6rem}"                                           \
    ".chart svg{display:block;width:100%;height:auto}"                         \
    ".legend{list-style:none;padding:0;margin:.5rem 0;display:flex;"           \
    "flex-wrap:wrap;gap:.25rem 1.25rem}"                                       \
    ".legend svg{vertical-align:middle;margin-right:.35rem}"                   \
    ".notice.error{border-left-color:#a12b2b;background:#fdf0f0}"              \
    ".notice.ok{border-left-color:#187a4f;background:#eef8f2}"                 \
    ".warn li{margin:.2rem 0}"                                                 \
    ".actions{display:flex;flex-wrap:wrap;gap:.5rem}"                          \
    ".pager{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center}"    \
    ".nowrap{white-space:nowrap}"                                              \
    "</style>\n"

/* Sector colours, each at least 4.5:1 on white (WCAG 1.4.11 asks 3:1);
 * colour is never the only carrier: every bar has its text too. */
static const char *const palette[] = {"#1f4e99", "#b35900", "#187a4f",
                                      "#8e3b8e", "#a12b2b", "#00707a",
                                      "#6b5a00", "#3d3d8f"};
#define N_PALETTE (sizeof(palette) / sizeof(palette[0]))
#define NO_SECTOR_COLOUR "#5c5c5c"

static const char *sector_colour(int sector)
{
    return sector < 0 ? NO_SECTOR_COLOUR : palette[(size_t)sector % N_PALETTE];
}

void dash_time(char *out, size_t n, const char *tzid, int64_t t)
{
    if (!t) {
        snprintf(out, n, "-");
        return;
    }
    mg_schedule_local_text(out, n, tzid && *tzid ? tzid : "UTC", t, ' ');
    if (!out[0])
        mg_schedule_local_text(out, n, "UTC", t, ' ');
}

/* --- replies ---------------------------------------------------------- */

void dash_error_page(struct request *r, int rc, const char *what)
{
    if (rc == MG_ENOTFOUND)
        reply_page_message(r, MHD_HTTP_NOT_FOUND, _("Not found"),
                           what ? what : _("There is no such page."));
    else if (rc == MG_EBUSY)
        reply_page_message(r, MHD_HTTP_SERVICE_UNAVAILABLE, _("Busy"),
                           _("The database is busy; try again in a moment."));
    else if (rc == MG_EINVAL)
        reply_page_message(
            r, MHD_HTTP_UNPROCESSABLE_CONTENT, _("Cannot do that"),
            what ? what : _("What the form asked is not valid."));
    else
        reply_page_message(r, MHD_HTTP_INTERNAL_SERVER_ERROR,
                           _("Something went wrong"),
                           _("The server could not do that; its log says "
                             "why."));
}

void dash_use_language(const struct mg_circle *c)
{
    mg_i18n_use(c ? mg_circle_language(c) : NULL);
}

/* The words the store keeps in English (statuses, roles), as the page
 * says them; the list is here so that xgettext sees them. */
static const char *const stored_words[] = {
    N_("participant"), N_("facilitator"), N_("coordinator"), N_("active"),
    N_("waitlisted"), N_("withdrawn"), N_("queued"), N_("sending"), N_("sent"),
    N_("failed"), N_("registered"), N_("declined"),
    /* TRANSLATORS: kinds of message in the outbox */
    N_("invite"), N_("cancel")};

const char *dash_word(const char *stored)
{
    size_t i;

    for (i = 0; stored && i < sizeof(stored_words) / sizeof(*stored_words); i++)
        if (strcmp(stored, stored_words[i]) == 0)
            return _(stored_words[i]);
    return stored;
}

void dash_text_code(struct mg_html *h, const char *text, int n, ...)
{
    const char *code[DASH_CODES_MAX], *p = text, *s;
    int i, next = 0;
    va_list ap;

    assert(n >= 0 && n <= DASH_CODES_MAX);
    va_start(ap, n);
    for (i = 0; i < n; i++)
        code[i] = va_arg(ap, const char *);
    va_end(ap);
    while ((s = strchr(p, '%')) != NULL) {
        /* "%s" is the next code; "%2$s" the second, as a translator
         * who reorders the sentence writes it */
        int k = -1, len = 0;

        if (s[1] == 's') {
            k = next++;
            len = 2;
        } else if (s[1] >= '1' && s[1] <= '9' && s[2] == '$' && s[3] == 's') {
            k = s[1] - '1';
            len = 4;
        } else if (s[1] == '%') {
            mg_html_textn(h, p, (size_t)(s - p) + 1);
            p = s + 2;
            continue;
        }
        mg_html_textn(h, p, (size_t)(s - p));
        if (k < 0 || k >= n) { /* not a directive of ours: as text */
            mg_html_textn(h, s, 1);
            p = s + 1;
            continue;
        }
        mg_html(h, "<code>");
        mg_html_text(h, code[k]);
        mg_html(h, "</code>");
        p = s + len;
    }
    mg_html_text(h, p);
}

void dash_table_begin(struct mg_html *h)
{
    web_table_begin(h, _("Table (scrolls sideways)"), 0);
}

void dash_th(struct mg_html *h, const char *text)
{
    mg_html(h, "<th scope=\"col\">");
    mg_html_text(h, text);
    mg_html(h, "</th>");
}

void dash_redirect(struct request *r, struct mg_buf *location)
{
    reply_redirect(r, location->data ? location->data : "/dashboard", NULL);
    mg_buf_release(location);
}

/* --- sessions and forms ----------------------------------------------- */

/* The session the cookie names: 0, MG_EAUTH, or a store failure. */
static int session_load(struct dash *d, struct request *r)
{
    const char *c =
        MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, COOKIE_NAME);
    char full[MG_TOKEN_LEN + 1], id[MG_TOKEN_ID_LEN + 1];
    unsigned char hash[MG_TOKEN_HASH_LEN];
    int rc;

    memset(d, 0, sizeof(*d));
    /* The cookie is a token's id and secret without the "mgt_". */
    if (!c)
        return MG_EAUTH;
    if (strlen(c) != MG_TOKEN_LEN - 4) {
        http_auth_failed(r);
        return MG_EAUTH;
    }
    memcpy(full, "mgt_", 4);
    memcpy(full + 4, c, MG_TOKEN_LEN - 4 + 1);
    rc = mg_auth_token_parse(id, hash, full);
    if (rc == 0)
        rc = mg_store_web_session_check(&d->s, &d->tok, r->srv->store, id, hash,
                                        mg_now());
    if (rc == MG_EAUTH)
        http_auth_failed(r); /* a guessed or expired cookie */
    if (rc == 0 && d->tok.role != MG_ROLE_COORDINATOR)
        rc = MG_EAUTH;
    return rc;
}

int dash_require_session(struct dash *d, struct request *r)
{
    int rc = session_load(d, r);

    if (rc == MG_EAUTH)
        reply_redirect(r, "/dashboard/login", NULL);
    else if (rc < 0)
        dash_error_page(r, rc, NULL);
    if (rc < 0)
        return rc;
    /* What the session does is the coordinator's: the audit log says so. */
    r->token = d->tok;
    r->via = "dashboard";
    if (strstr(r->route->pattern, "/circles/{id}") &&
        !http_token_has_circle(&d->tok, r->params[0])) {
        reply_page_message(r, MHD_HTTP_FORBIDDEN, _("Forbidden"),
                           _("Your token is for another circle."));
        return MG_EFORBIDDEN;
    }
    return 0;
}

/* The scheme://host[:port] of `url` matches `origin`. */
static int origin_of(const char *url, const char *origin)
{
    const char *p = strstr(url, "://");
    size_t n;

    if (!p)
        return 0;
    p += 3;
    n = (size_t)(p - url) + strcspn(p, "/?#");
    return strlen(origin) == n && strncasecmp(url, origin, n) == 0;
}

/*
 * A browser names the site a form came from in Origin: it must be ours
 * (the configured base URL, or the Host asked for). No Origin (older
 * browsers, scripts) and "null" (what browsers send under our
 * no-referrer policy) are left to the CSRF token and SameSite.
 */
static int same_origin(struct request *r)
{
    const char *origin =
        MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Origin");
    const char *host =
        MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Host");
    const char *p;

    if (!origin || strcmp(origin, "null") == 0)
        return 1;
    if (origin_of(r->srv->base_url, origin))
        return 1;
    p = strstr(origin, "://");
    return p && host && strcasecmp(p + 3, host) == 0;
}

static void forbidden(struct request *r)
{
    reply_page_message(r, MHD_HTTP_FORBIDDEN, _("Forbidden"),
                       _("This form did not come from your dashboard "
                         "session, or the session has changed. Go back, "
                         "reload the page and try again."));
}

int dash_form_begin(struct mg_form *f, struct dash *d, struct request *r)
{
    const struct mg_form_field *csrf;

    if (dash_require_session(d, r) < 0)
        return -1;
    if (!same_origin(r) || request_form(f, r) < 0) {
        forbidden(r);
        return -1;
    }
    csrf = mg_form_get(f, "csrf");
    if (!csrf || !mg_auth_secret_equal(csrf->value, d->s.csrf)) {
        forbidden(r);
        return -1;
    }
    return 0;
}

int64_t dash_positive(const char *v)
{
    char *end;
    long long n;

    if (!v || *v < '1' || *v > '9' || strlen(v) > 18)
        return 0;
    n = strtoll(v, &end, 10);
    return *end ? 0 : (int64_t)n;
}

int64_t dash_form_int(const struct mg_form *f, const char *name)
{
    const struct mg_form_field *v = mg_form_get(f, name);

    return v ? dash_positive(v->value) : 0;
}

int dash_page_arg(struct request *r, const char *name)
{
    int64_t p = dash_positive(request_arg(r, name));

    return p >= 1 && p <= DASH_MAX_PAGE ? (int)p : 1;
}

void dash_csrf(struct mg_html *h, const struct dash *d)
{
    mg_html(h, "<input type=\"hidden\" name=\"csrf\" value=\"");
    mg_html_attr(h, d->s.csrf);
    mg_html(h, "\">\n");
}

void dash_button_form(struct mg_html *h, const struct dash *d,
                      const char *action, const char *label, const char *who,
                      int secondary)
{
    mg_html(h, "<form method=\"post\" class=\"inline\" action=\"");
    mg_html_attr(h, action);
    mg_html(h, "\">\n");
    dash_csrf(h, d);
    if (secondary)
        mg_html(h, "<button type=\"submit\" class=\"button secondary\">");
    else
        mg_html(h, "<button type=\"submit\" class=\"button\">");
    mg_html_text(h, label);
    if (who) {
        /* whom a row's button is for, for screen readers */
        mg_html(h, "<span class=\"vh\"> ");
        mg_html_text(h, who);
        mg_html(h, "</span>");
    }
    mg_html(h, "</button></form>\n");
}

void dash_begin(struct mg_html *h, const struct dash *d, const char *title)
{
    web_begin(h, title);
    mg_html(h, DASH_CSS);
    if (d) {
        mg_html(h, "<nav aria-label=\"");
        mg_html_attr(h, _("Dashboard"));
        mg_html(h, "\"><a href=\"/dashboard\">");
        mg_html_text(h, _("All circles"));
        mg_html(h, "</a>\n");
        dash_button_form(h, d, "/dashboard/logout", _("Log out"), NULL, 1);
        mg_html(h, "</nav>\n");
    }
}

void dash_notice(struct mg_html *h, const char *text, int error)
{
    if (error)
        mg_html(h, "<div class=\"notice error\" role=\"alert\"><p>");
    else
        mg_html(h, "<div class=\"notice ok\" role=\"status\"><p>");
    mg_html_text(h, text);
    mg_html(h, "</p></div>\n");
}

/* path?param=page&args#anchor, as an attribute value. */
static void pager_href(struct mg_html *h, const char *path, const char *param,
                       int page, const struct dash_arg *args, size_t n_args,
                       const char *anchor)
{
    size_t i;

    mg_html_attr(h, path);
    mg_html(h, "?");
    mg_html_attr(h, param);
    mg_html(h, "=");
    mg_html_int(h, page);
    for (i = 0; i < n_args; i++) {
        if (!args[i].value || !args[i].value[0])
            continue;
        mg_html(h, "&amp;");
        mg_html_attr(h, args[i].name);
        mg_html(h, "=");
        mg_html_url_arg(h, args[i].value);
    }
    if (anchor) {
        mg_html(h, "#");
        mg_html_attr(h, anchor);
    }
}

void dash_pager(struct mg_html *h, const char *path, const char *param,
                int page, size_t total, const struct dash_arg *args,
                size_t n_args, const char *anchor)
{
    size_t pages = (total + DASH_PAGE_SIZE - 1) / DASH_PAGE_SIZE;

    if (pages <= 1 && page <= 1)
        return;
    mg_html(h, "<nav class=\"pager\" aria-label=\"");
    mg_html_attr(h, _("Pages"));
    mg_html(h, "\">");
    if (page > 1) {
        mg_html(h, "<a rel=\"prev\" href=\"");
        pager_href(h, path, param, page - 1, args, n_args, anchor);
        mg_html(h, "\">");
        mg_html_text(h, _("Previous"));
        mg_html(h, "</a>");
    }
    mg_html(h, "<span>");
    mg_html_textf(h, _("Page %d of %zu"), page, pages ? pages : 1);
    mg_html(h, "</span>");
    if ((size_t)page < pages) {
        mg_html(h, "<a rel=\"next\" href=\"");
        pager_href(h, path, param, page + 1, args, n_args, anchor);
        mg_html(h, "\">");
        mg_html_text(h, _("Next"));
        mg_html(h, "</a>");
    }
    mg_html(h, "</nav>\n");
}

/* --- login and logout --------------------------------------------------- */

static void login_page(struct request *r, unsigned int status,
                       const char *error)
{
    struct mg_html h = MG_HTML_INIT;

    dash_begin(&h, NULL, _("Coordinator login"));
    mg_html(&h, "<h1>");
    mg_html_text(&h, _("Coordinator dashboard"));
    mg_html(&h, "</h1>\n");
    if (error)
        dash_notice(&h, error, 1);
    mg_html(&h, "<form method=\"post\" action=\"/dashboard/login\">\n"
                "<label for=\"token\">");
    mg_html_text(&h, _("Coordinator API token"));
    mg_html(&h, "</label>\n"
                "<input id=\"token\" name=\"token\" type=\"password\" "
                "required autocomplete=\"off\" autocapitalize=\"off\" "
                "spellcheck=\"false\" aria-describedby=\"token-help\">\n"
                "<p id=\"token-help\" class=\"muted\">");
    /* TRANSLATORS: each %s is a command or a prefix, shown as code */
    dash_text_code(&h,
                   _("The token %s printed; it starts with %s. The browser "
                     "keeps a session for 8 hours, not the token."),
                   2, "mingle token create --role coordinator", "mgt_");
    mg_html(&h, "</p>\n<button type=\"submit\" class=\"button\">");
    mg_html_text(&h, _("Log in"));
    mg_html(&h, "</button>\n</form>\n");
    web_end(&h);
    web_reply(r, status, &h);
}

void handle_dash_login_form(struct request *r)
{
    struct dash d;
    int rc = session_load(&d, r);

    if (rc == 0)
        reply_redirect(r, "/dashboard", NULL);
    else if (rc == MG_EAUTH)
        login_page(r, MHD_HTTP_OK, NULL);
    else
        dash_error_page(r, rc, NULL);
}
/* A copy of `s` without surrounding white space, at most n-1 bytes. */
static void trim_copy(char *out, size_t n, const char *s)
{
    size_t len;

    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    len = strcspn(s, " \t\r\n");
    if (len >= n)
        len = n - 1;
    memcpy(out, s, len);
    out[len] = '\0';
}

void handle_dash_login(struct request *r)
{
    struct mg_form f = {NULL, 0, 0};
    const struct mg_form_field *given;
    struct mg_web_session s;
    struct mg_token tok;
    char token[MG_TOKEN_LEN + 2], id[MG_TOKEN_ID_LEN + 1];
    char session[MG_TOKEN_LEN + 1];
    unsigned char hash[MG_TOKEN_HASH_LEN], csrf[16];
    char *cookie;
    int rc;

    if (!same_origin(r)) {
        forbidden(r);
        goto out;
    }
    given = request_form(&f, r) == 0 ? mg_form_get(&f, "token") : NULL;
    if (!given || !given->value[0]) {
        login_page(r, MHD_HTTP_BAD_REQUEST, _("Paste your API token."));
        goto out;
    }
    trim_copy(token, sizeof(token), given->value);
    rc = mg_auth_token_parse(id, hash, token);
    if (rc == 0)
        rc = mg_store_token_check(&tok, r->srv->store, id, hash);
    if (rc == MG_EAUTH) {
        http_auth_failed(r);
        login_page(r, MHD_HTTP_FORBIDDEN,
                   _("That is not a live API token. Check you pasted all of "
                     "it."));
        goto out;
    }
    if (rc < 0) {
        dash_error_page(r, rc, NULL);
        goto out;
    }
    if (tok.role != MG_ROLE_COORDINATOR) {
        login_page(r, MHD_HTTP_FORBIDDEN,
                   _("Only a coordinator's token opens the dashboard."));
        goto out;
    }
    memset(&s, 0, sizeof(s));
    mg_auth_token_new(session, s.public_id, hash);
    mg_random_bytes(csrf, sizeof(csrf));
    mg_hex(s.csrf, csrf, sizeof(csrf));
    s.token_id = tok.id;
    s.expires_at = mg_now() + SESSION_TTL;
    rc = mg_store_web_session_insert(r->srv->store, &s, hash);
    if (rc < 0) {
        dash_error_page(r, rc, NULL);
        goto out;
    }
    cookie = mg_xasprintf(
        COOKIE_NAME "=%s; Path=/dashboard; Max-Age=%d; HttpOnly; "
                    "SameSite=Strict%s",
        session + 4, SESSION_TTL,
        strncasecmp(r->srv->base_url, "https://", 8) == 0 ? "; Secure" : "");
    mg_log(MG_LOG_INFO, "dashboard login", "token", tok.public_id, "session",
           s.public_id, NULL);
    r->token = tok;
    r->via = "dashboard";
    reply_redirect(r, "/dashboard", cookie);
    free(cookie);
out:
    memset(token, 0, sizeof(token));
    memset(session, 0, sizeof(session));
    mg_form_release(&f);
}

void handle_dash_logout(struct request *r)
{
    struct mg_form f = {NULL, 0, 0};
    struct dash d;
    int rc;

    if (dash_form_begin(&f, &d, r) < 0)
        goto out;
    rc = mg_store_web_session_revoke(r->srv->store, d.s.public_id);
    if (rc < 0 && rc != MG_ENOTFOUND) {
        dash_error_page(r, rc, NULL);
        goto out;
    }
    reply_redirect(r, "/dashboard/login",
                   COOKIE_NAME "=; Path=/dashboard; Max-Age=0; HttpOnly; "
                               "SameSite=Strict");
out:
    mg_form_release(&f);
}

/* --- the circles ------------------------------------------------------ */

/* A number cell: <td>n</td>. */
static void int_cell(struct mg_html *h, long long v)
{
    mg_html(h, "<td>");
    mg_html_int(h, v);
    mg_html(h, "</td>");
}

void handle_dash_home(struct request *r)
{
    struct mg_html h = MG_HTML_INIT;
    struct mg_circle *list = NULL;
    size_t n = 0, i, shown = 0, waiting = 0;
    int64_t after = dash_positive(request_arg(r, "after"));
    struct dash d;
    int rc;

    if (dash_require_session(&d, r) < 0)
        return;
    dash_begin(&h, &d, _("Circles"));
    mg_html(&h, "<h1>");
    mg_html_text(&h, _("Circles"));
    mg_html(&h, "</h1>\n");
    rc = mg_store_circle_list(&list, &n, r->srv->store, after, CIRCLES_SHOWN);
    if (rc < 0)
        goto fail;
    for (i = 0; i < n; i++) {
        struct mg_store_status_counts counts;

        if (!http_token_has_circle(&d.tok, list[i].id))
            continue;
        if (!shown++) {
            dash_table_begin(&h);
            mg_html(&h, "<thead><tr>");
            dash_th(&h, _("Circle"));
            dash_th(&h, _("Starts"));
            dash_th(&h, _("Weeks"));
            dash_th(&h, _("Active"));
            dash_th(&h, _("Waitlisted"));
            dash_th(&h, _("Groups"));
            dash_th(&h, _("Personal data"));
            mg_html(&h, "</tr></thead>\n<tbody>\n");
        }
        if (mg_store_circle_status_counts(&counts, r->srv->store, list[i].id) <
            0)
            memset(&counts, 0, sizeof(counts));
        mg_html(&h, "<tr><th scope=\"row\"><a href=\"/dashboard/circles/");
        mg_html_int(&h, list[i].id);
        mg_html(&h, "\">");
        mg_html_text(&h, list[i].title);
        mg_html(&h, "</a></th><td>");
        mg_html_text(&h, list[i].start_date);
        mg_html(&h, "</td>");
        int_cell(&h, list[i].weeks);
        int_cell(&h, (long long)counts.active);
        int_cell(&h, (long long)counts.waitlisted);
        int_cell(&h, (long long)counts.groups);
        web_retention_cell(&h, r->srv->store, &list[i]);
        mg_html(&h, "</tr>\n");
    }
    if (shown)
        mg_html(&h, "</tbody></table></div>\n");
    else if (!after) {
        mg_html(&h, "<p>");
        /* TRANSLATORS: each %s is an API call or a command, shown as code */
        dash_text_code(&h, _("No circles yet. Create one with %s or %s."), 2,
                       "POST /api/v1/circles", "mingle circle create");
        mg_html(&h, "</p>\n");
    }
    if (n == CIRCLES_SHOWN) {
        mg_html(&h, "<p><a href=\"/dashboard?after=");
        mg_html_int(&h, list[n - 1].id);
        mg_html(&h, "\">");
        mg_html_text(&h, _("More circles"));
        mg_html(&h, "</a></p>\n");
    }
    mg_store_circles_free(list, n);
    rc = mg_store_notes_count(&waiting, r->srv->store, MG_STORE_NOTE_REVIEW,
                              d.tok.circle_id, d.tok.circle_id == 0);
    if (rc < 0)
        goto fail;
    mg_html(&h, "<h2>");
    mg_html_text(&h, _("Review queue"));
    mg_html(&h, "</h2>\n<p>");
    if (d.tok.circle_id)
        mg_html_textf(&h,
                      mg_ngettext("%zu message waits for review (this "
                                  "circle): ",
                                  "%zu messages wait for review (this "
                                  "circle): ",
                                  waiting),
                      waiting);
    else
        mg_html_textf(&h,
                      mg_ngettext("%zu message waits for review (every "
                                  "circle, and mail that reached none): ",
                                  "%zu messages wait for review (every "
                                  "circle, and mail that reached none): ",
                                  waiting),
                      waiting);
    mg_html(&h, "<a href=\"/dashboard/review\">");
    mg_html_text(&h, _("open the review queue"));
    mg_html(&h, "</a>.</p>\n");
    web_end(&h);
    web_reply(r, MHD_HTTP_OK, &h);
    return;
fail:
    mg_html_release(&h);
    dash_error_page(r, rc, NULL);
}

/* --- the circle page ---------------------------------------------------- */

static void slot_text(char *out, size_t n, const struct mg_circle *c,
                      int64_t slot_id)
{
    size_t i;

    snprintf(out, n, "%s", _("no slot"));
    for (i = 0; i < c->n_slots; i++)
        if (c->slots[i].id == slot_id) {
            int day = c->slots[i].weekday;
            /* TRANSLATORS: a call slot: a weekday, the hour and minute */
            snprintf(out, n, _("%s %02d:%02d"), web_weekday(day),
                     c->slots[i].start_minute / 60,
                     c->slots[i].start_minute % 60);
        }
}

static void circle_summary(struct mg_html *h, struct mg_store *st,
                           const struct mg_circle *c)
{
    char text[96];
    size_t i;

    mg_html(h, "<dl>\n");
    web_row(h, _("Time zone"), c->time_zone);
    web_row(h, _("Starts"), c->start_date);
    snprintf(text, sizeof(text), "%d", c->weeks);
    web_row(h, _("Weeks"), text);
    snprintf(text, sizeof(text), _("%d to %d people"), c->group_min,
             c->group_max);
    web_row(h, _("Group size"), text);
    mg_html(h, "<dt>");
    mg_html_text(h, _("Call slots"));
    mg_html(h, "</dt><dd>");
    for (i = 0; i < c->n_slots; i++) {
        char slot[64];

        slot_text(slot, sizeof(slot), c, c->slots[i].id);
        if (i)
            mg_html(h, ", ");
        mg_html_textf(h, _("%s (%d min)"), slot, c->slots[i].minutes);
    }
    mg_html(h, "</dd>\n");
    web_row(h, _("Organizer"), c->organizer_email);
    web_retention_row(h, st, c);
    mg_html(h, "</dl>\n");
}

static void readings_table(struct mg_html *h, const struct mg_span *r, size_t n,
                           int64_t thread_id)
{
    size_t i;

    dash_table_begin(h);
    mg_html(h, "<thead><tr>");
    dash_th(h, _("Week"));
    dash_th(h, _("Reading"));
    dash_th(h, _("Words"));
    mg_html(h, "</tr></thead>\n<tbody>\n");
    for (i = 0; i < n; i++) {
        if (r[i].thread_id != thread_id)
            continue;
        mg_html(h, "<tr>");
        int_cell(h, r[i].position);
        mg_html(h, "<td>");
        mg_html_text(h, r[i].first_title);
        if (r[i].parts > 1) {
            mg_html(h, " ");
            mg_html_textf(h, _("(part %d of %d)"), r[i].part, r[i].parts);
        } else if (r[i].last_title &&
                   r[i].last_section_id != r[i].first_section_id) {
            mg_html(h, " &ndash; ");
            mg_html_text(h, r[i].last_title);
        }
        mg_html(h, "</td>");
        int_cell(h, (long long)r[i].words);
        mg_html(h, "</tr>\n");
    }
    mg_html(h, "</tbody></table></div>\n");
}

/* The book and its plan; the threads and readings are the ones the
 * plan `p` loaded. */
static int book_section(struct mg_html *h, struct mg_store *st,
                        const struct mg_plan_view *p)
{
    struct mg_book_info info;
    const struct mg_span *threads = p->threads, *same = p->same,
                         *per = p->per_thread;
    size_t n_threads = p->n_threads, n_same = p->n_same,
           n_per = p->n_per_thread, i;
    int rc = mg_store_book_get(&info, st, p->circle->id);

    mg_html(h, "<section aria-labelledby=\"book\">\n<h2 id=\"book\">");
    mg_html_text(h, _("Book plan"));
    mg_html(h, "</h2>\n");
    if (rc == MG_ENOTFOUND) {
        mg_html(h, "<p>");
        /* TRANSLATORS: %s is an API call, shown as code */
        dash_text_code(h, _("No book yet: upload one with %s."), 1,
                       "POST /api/v1/circles/{id}/book");
        mg_html(h, "</p>\n</section>\n");
        return 0;
    }
    if (rc < 0)
        return rc;
    mg_html(h, "<p><strong>");
    mg_html_text(h, info.title         ? info.title
                    : info.source_name ? info.source_name
                                       : _("The book"));
    mg_html(h, "</strong>");
    if (info.author) {
        mg_html(h, " ");
        /* TRANSLATORS: after the book's title; %s is its author */
        mg_html_textf(h, _("by %s"), info.author);
    }
    mg_html(h, " <span class=\"muted\">(");
    mg_html_textf(h, _("%lld words, %lld sections"), (long long)info.words,
                  (long long)info.sections);
    mg_html(h, ")</span></p>\n");
    mg_store_book_info_release(&info);
    if (n_threads) {
        mg_html(h, "<h3>");
        mg_html_text(h, _("Threads"));
        mg_html(h, "</h3>\n");
        dash_table_begin(h);
        mg_html(h, "<thead><tr>");
        dash_th(h, "#");
        dash_th(h, _("Thread"));
        dash_th(h, _("Words"));
        mg_html(h, "</tr></thead>\n<tbody>\n");
        for (i = 0; i < n_threads; i++) {
            mg_html(h, "<tr>");
            int_cell(h, threads[i].position);
            mg_html(h, "<td>");
            mg_html_text(h, threads[i].title);
            mg_html(h, "</td>");
            int_cell(h, (long long)threads[i].words);
            mg_html(h, "</tr>\n");
        }
        mg_html(h, "</tbody></table></div>\n");
    }
    if (n_same) {
        mg_html(h, "<details><summary>");
        mg_html_text(h, _("Weekly readings, the whole book at the same "
                          "pace"));
        mg_html(h, "</summary>\n");
        readings_table(h, same, n_same, 0);
        mg_html(h, "</details>\n");
    }
    for (i = 0; i < n_threads && n_per; i++) {
        mg_html(h, "<details><summary>");
        mg_html_textf(h, _("Weekly readings of %s"), threads[i].title);
        mg_html(h, "</summary>\n");
        readings_table(h, per, n_per, threads[i].id);
        mg_html(h, "</details>\n");
    }
    mg_html(h, "</section>\n");
    return 0;
}

/*
 * What the group chart and the warnings read: each group's size,
 * facilitators and count of every sector, from the store's counts (the
 * circle page) or from a plan in memory (the rebalance preview).
 * counts[g * (n_sectors + 1) + s + 1], s = -1 for no sector.
 */
struct tally {
    const struct mg_circle *circle;
    const struct mg_group_row *groups; /* stored ones, for their names */
    size_t n_rows;
    size_t n_groups;
    char *const *sectors;
    size_t n_sectors;
    int *size, *fac, *counts;
};

static void tally_release(struct tally *t)
{
    free(t->size);
    free(t->fac);
    free(t->counts);
    memset(t, 0, sizeof(*t));
}

/* Sizes and per-sector counts of `n_groups` groups under `group_of`. */
static void tally_plan(struct tally *t, const struct mg_assign *a,
                       const int *group_of, int n_groups)
{
    size_t width = a->n_sectors + 1, i;

    memset(t, 0, sizeof(*t));
    t->circle = a->circle;
    t->groups = a->groups;
    t->n_rows = a->n_groups;
    t->n_groups = (size_t)(n_groups > 0 ? n_groups : 0);
    t->sectors = a->sectors;
    t->n_sectors = a->n_sectors;
    t->size = mg_xcalloc(t->n_groups + 1, sizeof(int));
    t->fac = mg_xcalloc(t->n_groups + 1, sizeof(int));
    t->counts = mg_xcalloc((t->n_groups + 1) * width, sizeof(int));
    for (i = 0; i < a->n_people; i++) {
        int g = group_of[i];
        if (g < 0 || g >= n_groups)
            continue;
        t->size[g]++;
        t->fac[g] += a->persons[i].facilitator != 0;
        t->counts[(size_t)g * width + (size_t)(a->persons[i].sector + 1)]++;
    }
}

static const char *sector_name(const struct tally *t, int s)
{
    return s < 0 ? _("no sector") : t->sectors[s];
}

static const char *row_name(const struct mg_group_row *groups, size_t n, int g,
                            char *buf, size_t len)
{
    if (g >= 0 && (size_t)g < n && groups[g].name)
        return groups[g].name;
    snprintf(buf, len, _("Group %d"), g + 1);
    return buf;
}

static const char *group_label(const struct mg_assign *a, int g, char *buf,
                               size_t n)
{
    return row_name(a->groups, a->n_groups, g, buf, n);
}

/* "Group 1: 7 people (3 public, 2 school)" onto a plain-text buffer. */
static void group_words(struct mg_buf *b, const struct tally *t,
                        const char *name, const int *counts, int size)
{
    int s, first = 1;

    /* TRANSLATORS: a group's name, then how many people are in it */
    mg_buf_printf(b, mg_ngettext("%s: %d person", "%s: %d people", size), name,
                  size);
    mg_buf_puts(b, " (");
    for (s = -1; s < (int)t->n_sectors; s++) {
        if (!counts[s + 1])
            continue;
        if (!first)
            mg_buf_puts(b, ", ");
        /* TRANSLATORS: how many of a group are of a sector ("3 public") */
        mg_buf_printf(b, _("%d %s"), counts[s + 1], sector_name(t, s));
        first = 0;
    }
    mg_buf_puts(b, ")");
}

/*
 * The group chart: one bar per group of groups [first, first + count),
 * its height the group's size, stacked by sector, with the circle's
 * minimum and maximum size as dashed lines; then the sectors' legend
 * (every group's people).
 */
static void groups_chart(struct mg_html *h, const struct tally *t, int first,
                         int count, const char *id)
{
    size_t width = t->n_sectors + 1, k;
    struct web_bar *bars = mg_xcalloc((size_t)count + 1, sizeof(*bars));
    struct web_segment *segs =
        mg_xcalloc(((size_t)count + 1) * width, sizeof(*segs));
    struct web_legend_item *legend = mg_xcalloc(width, sizeof(*legend));
    char **titles = mg_xcalloc((size_t)count + 1, sizeof(*titles));
    char labels[DASH_PAGE_SIZE][32];
    struct web_ref refs[2];
    struct web_chart c;
    struct mg_buf desc = MG_BUF_INIT;
    int g, s;
    size_t n_legend = 0;
    char label[32];

    if (count > DASH_PAGE_SIZE)
        count = DASH_PAGE_SIZE;
    mg_buf_printf(&desc,
                  _("Each bar is a group, its height the group's size, split "
                    "by sector; dashed lines mark the minimum (%d) and "
                    "maximum (%d) group size."),
                  t->circle->group_min, t->circle->group_max);
    mg_buf_puts(&desc, " ");
    for (k = 0; k < (size_t)count; k++) {
        struct mg_buf words = MG_BUF_INIT;
        const int *cnt;

        g = first + (int)k;
        cnt = &t->counts[(size_t)g * width];
        group_words(&words, t,
                    row_name(t->groups, t->n_rows, g, label, sizeof(label)),
                    cnt, t->size[g]);
        mg_buf_printf(&desc, "%s. ", words.data);
        titles[k] = mg_buf_detach(&words);
        /* TRANSLATORS: group number g's short label under its bar */
        snprintf(labels[k], sizeof(labels[k]), _("G%d"), g + 1);
        for (s = -1; s < (int)t->n_sectors; s++) {
            struct web_segment *seg = &segs[k * width + (size_t)(s + 1)];
            seg->value = cnt[s + 1];
            seg->colour = sector_colour(s);
            seg->name = sector_name(t, s);
        }
        bars[k].label = labels[k];
        bars[k].title = titles[k];
        bars[k].key = (size_t)g < t->n_rows ? t->groups[g].id : g + 1;
        bars[k].segments = &segs[k * width];
        bars[k].n_segments = width;
        bars[k].known = 1;
    }
    refs[0].name = "min";
    /* TRANSLATORS: the chart's line at the smallest group size */
    refs[0].label = _("min");
    refs[0].value = t->circle->group_min;
    refs[1].name = "max";
    /* TRANSLATORS: the chart's line at the largest group size */
    refs[1].label = _("max");
    refs[1].value = t->circle->group_max;
    memset(&c, 0, sizeof(c));
    c.id = id;
    c.title = _("Group sizes by sector");
    c.desc = desc.data;
    c.key = WEB_CHART_GROUP;
    c.bars = bars;
    c.n_bars = (size_t)count;
    c.refs = refs;
    c.n_refs = 2;
    c.ymax = t->circle->group_max;
    if (count > 12) { /* narrower bars, so a page of groups stays legible */
        c.bar_width = 18;
        c.gap = 8;
    }
    web_chart_bars(h, &c);
    for (s = -1; s < (int)t->n_sectors; s++) {
        long long total = 0;
        for (k = 0; k < t->n_groups; k++)
            total += t->counts[k * width + (size_t)(s + 1)];
        if (!total)
            continue;
        legend[n_legend].colour = sector_colour(s);
        legend[n_legend].name = sector_name(t, s);
        legend[n_legend].count = total;
        n_legend++;
    }
    web_chart_legend(h, _("Sectors"), legend, n_legend);
    for (k = 0; k < (size_t)count; k++)
        free(titles[k]);
    free(titles);
    free(legend);
    free(segs);
    free(bars);
    mg_buf_release(&desc);
}

static void quality_list(struct mg_html *h, const struct mg_quality *q)
{
    char text[96];

    mg_html(h, "<dl>\n");
    snprintf(text, sizeof(text), _("%d to %d people"), q->smallest, q->largest);
    web_row(h, _("Group sizes"), text);
    snprintf(text, sizeof(text),
             _("%d group-sector counts outside the fair band"),
             q->sector_misses);
    web_row(h, _("Sector mix"), text);
    snprintf(text, sizeof(text),
             _("%d group-region counts outside the fair band"),
             q->region_misses);
    web_row(h, _("Region mix"), text);
    snprintf(text, sizeof(text), _("%d of %d met"), q->together_met,
             q->together_total);
    web_row(h, _("Together wishes"), text);
    snprintf(text, sizeof(text), _("%d first choice, %d any choice, of %d"),
             q->wishes_first, q->wishes_any, q->wishes_total);
    web_row(h, _("Thread wishes"), text);
    mg_html(h, "</dl>\n");
}

/* One warning line, the first WARNINGS_SHOWN of them written. */
static void warning(struct mg_html *h, size_t *n, const char *text)
{
    if ((*n)++ >= WARNINGS_SHOWN)
        return;
    if (*n == 1)
        mg_html(h, "<ul class=\"warn\">\n");
    mg_html(h, "<li>");
    mg_html_text(h, text);
    mg_html(h, "</li>\n");
}

/* Call times that daylight saving skips or repeats (circle.h). */
static void slot_warnings(struct mg_html *h, size_t *n,
                          const struct mg_circle *c)
{
    char **w;
    size_t nw, i;

    mg_circle_warnings(&w, &nw, c);
    for (i = 0; i < nw; i++)
        warning(h, n, w[i]);
    mg_circle_warnings_free(w, nw);
}

/* Hard-rule warnings about the groups as they stand (sizes and
 * facilitators from the tally, the rest from `q`). */
static void warnings(struct mg_html *h, const struct tally *t,
                     const struct mg_quality *q)
{
    const struct mg_circle *c = t->circle;
    size_t g, n = 0;
    char label[32], text[256];

    mg_html(h, "<h3>");
    mg_html_text(h, _("Warnings"));
    mg_html(h, "</h3>\n");
    for (g = 0; g < t->n_groups; g++) {
        const char *name =
            row_name(t->groups, t->n_rows, (int)g, label, sizeof(label));
        int size = t->size[g];

        if (size < c->group_min) {
            snprintf(text, sizeof(text),
                     mg_ngettext("%s has %d person, below the minimum of %d.",
                                 "%s has %d people, below the minimum of %d.",
                                 (unsigned long)size),
                     name, size, c->group_min);
            warning(h, &n, text);
        }
        if (size > c->group_max) {
            snprintf(text, sizeof(text),
                     mg_ngettext("%s has %d person, above the maximum of %d.",
                                 "%s has %d people, above the maximum of %d.",
                                 (unsigned long)size),
                     name, size, c->group_max);
            warning(h, &n, text);
        }
        if (size && !t->fac[g]) {
            snprintf(text, sizeof(text), _("%s has no facilitator."), name);
            warning(h, &n, text);
        }
    }
    if (t->n_groups && q->largest - q->smallest > 1) {
        snprintf(text, sizeof(text),
                 _("Group sizes differ by %d; the planner keeps them within 1 "
                   "when the numbers allow."),
                 q->largest - q->smallest);
        warning(h, &n, text);
    }
    if (t->n_groups && q->unplaced) {
        snprintf(text, sizeof(text),
                 mg_ngettext("%d active person is in no group.",
                             "%d active people are in no group.",
                             (unsigned long)q->unplaced),
                 q->unplaced);
        warning(h, &n, text);
    }
    if (q->slot_violations) {
        snprintf(text, sizeof(text),
                 mg_ngettext("%d member cannot make their group's call slot.",
                             "%d members cannot make their group's call "
                             "slot.",
                             (unsigned long)q->slot_violations),
                 q->slot_violations);
        warning(h, &n, text);
    }
    if (q->apart_violations) {
        snprintf(text, sizeof(text),
                 mg_ngettext("%d \xe2\x80\x9c"
                             "apart\xe2\x80\x9d pair shares a group.",
                             "%d \xe2\x80\x9c"
                             "apart\xe2\x80\x9d pairs share a group.",
                             (unsigned long)q->apart_violations),
                 q->apart_violations);
        warning(h, &n, text);
    }
    slot_warnings(h, &n, c);
    if (n > WARNINGS_SHOWN) {
        mg_html(h, "<li>");
        mg_html_textf(h, _("... and %zu more."), n - WARNINGS_SHOWN);
        mg_html(h, "</li>\n");
    }
    if (n) {
        mg_html(h, "</ul>\n");
    } else {
        mg_html(h, "<p>");
        mg_html_text(h, _("None: every hard rule holds."));
        mg_html(h, "</p>\n");
    }
}

/* The circle page's address with a query, for links (an attribute). */
static void circle_href(struct mg_html *h, int64_t id)
{
    mg_html(h, "/dashboard/circles/");
    mg_html_int(h, id);
}

/*
 * The circle page's circle: its overview (plan, and the store's counts
 * of its people, never the people themselves, so the page costs the
 * same whether the circle has 200 people or 50,000) and the group chart's
 * tally over it.
 */
struct circle_view {
    struct mg_overview o;
    struct mg_plan_view plan; /* o.plan's, for short */
    struct tally t;
};

static int view_group(const struct circle_view *v, int64_t id)
{
    return mg_overview_group(&v->o, id);
}

static void view_release(struct circle_view *v)
{
    mg_overview_release(&v->o);
    memset(v, 0, sizeof(*v));
}

static int view_load(struct circle_view *v, struct mg_store *st, int64_t id)
{
    int rc;

    memset(v, 0, sizeof(*v));
    rc = mg_overview_load(&v->o, st, id);
    if (rc < 0) {
        view_release(v);
        return rc;
    }
    v->plan = v->o.plan;
    v->t.circle = v->o.plan.circle;
    v->t.groups = v->o.plan.groups;
    v->t.n_rows = v->t.n_groups = v->o.plan.n_groups;
    v->t.sectors = v->o.sectors;
    v->t.n_sectors = v->o.n_sectors;
    v->t.size = v->o.size;
    v->t.fac = v->o.facilitators;
    v->t.counts = v->o.counts;
    return 0;
}

static const char *thread_title(const struct mg_plan_view *p, int64_t id)
{
    size_t i;

    for (i = 0; id && i < p->n_threads; i++)
        if (p->threads[i].id == id)
            return p->threads[i].title;
    return NULL;
}

static void groups_section(struct mg_html *h, struct mg_store *st,
                           const struct circle_view *v, int gpage)
{
    struct mg_group_room *rooms = NULL;
    size_t n_rooms = 0;
    const struct mg_circle *c = v->plan.circle;
    const struct mg_quality *q = &v->o.quality;
    size_t n_groups = v->plan.n_groups;
    char path[96], slot[64], label[32];
    size_t g, first, last;

    mg_html(h, "<section aria-labelledby=\"groups\">\n<h2 id=\"groups\">");
    mg_html_text(h, _("Groups"));
    mg_html(h, "</h2>\n");
    if (!n_groups) {
        char call[96];

        snprintf(call, sizeof(call), "POST /api/v1/circles/%lld/groups/plan",
                 (long long)c->id);
        mg_html(h, "<p>");
        mg_html_textf(h,
                      mg_ngettext("No groups yet: %zu active person waits "
                                  "to be placed.",
                                  "No groups yet: %zu active people wait to "
                                  "be placed.",
                                  v->o.active),
                      v->o.active);
        mg_html(h, " ");
        /* TRANSLATORS: %s is an API call, shown as code */
        dash_text_code(h, _("Plan them with %s."), 1, call);
        mg_html(h, "</p>\n");
        /* The slots' own warnings matter before planning too. */
        {
            struct mg_html list = MG_HTML_INIT;
            size_t n = 0;

            slot_warnings(&list, &n, c);
            if (n) {
                mg_html(h, "<h3>");
                mg_html_text(h, _("Warnings"));
                mg_html(h, "</h3>\n");
                mg_html_append(h, &list);
                mg_html(h, "</ul>\n");
            }
            mg_html_release(&list);
        }
        goto out;
    }
    first = (size_t)(gpage - 1) * DASH_PAGE_SIZE;
    if (first >= n_groups) {
        first = 0;
        gpage = 1;
    }
    last =
        first + DASH_PAGE_SIZE < n_groups ? first + DASH_PAGE_SIZE : n_groups;
    if (n_groups > DASH_PAGE_SIZE) {
        mg_html(h, "<p class=\"muted\">");
        mg_html_textf(h, _("Groups %zu to %zu of %zu."), first + 1, last,
                      n_groups);
        mg_html(h, "</p>\n");
    }
    groups_chart(h, &v->t, (int)first, (int)(last - first), "chart");
    warnings(h, &v->t, q);
    if (q->unplaced) {
        mg_html(h, "<p><a href=\"");
        circle_href(h, c->id);
        mg_html(h, "?group=none#people\">");
        mg_html_text(h, _("The people in no group"));
        mg_html(h, "</a></p>\n");
    }
    mg_html(h, "<h3>");
    mg_html_text(h, _("Quality"));
    mg_html(h, "</h3>\n");
    quality_list(h, q);
    mg_html(h, "<div class=\"actions\"><a class=\"button secondary\" href=\"");
    circle_href(h, c->id);
    mg_html(h, "/rebalance\">");
    mg_html_text(h, _("Preview rebalance"));
    mg_html(h, "</a></div>\n");
    dash_table_begin(h);
    mg_html(h, "<thead><tr>");
    dash_th(h, _("Group"));
    dash_th(h, _("People"));
    dash_th(h, _("Facilitators"));
    dash_th(h, _("Call, thread, mail"));
    mg_html(h, "</tr></thead>\n<tbody>\n");
    /* the page's groups' call rooms, in one query */
    {
        int64_t ids[DASH_PAGE_SIZE];

        for (g = first; g < last; g++)
            ids[g - first] = v->plan.groups[g].id;
        if (mg_store_group_rooms(&rooms, &n_rooms, st, c->id, ids,
                                 last - first) < 0) {
            rooms = NULL;
            n_rooms = 0;
        }
    }
    for (g = first; g < last; g++) {
        const struct mg_group_row *row = &v->plan.groups[g];
        const char *thread = thread_title(&v->plan, row->thread_id);
        const struct mg_group_room *room =
            mg_store_group_room_find(rooms, n_rooms, row->id);
        char *link =
            mg_circle_call_link(c, room ? room->call_url : NULL, row->name,
                                row->position, room ? room->secret : "");

        mg_html(h, "<tr><th scope=\"row\" id=\"group-");
        mg_html_int(h, row->id);
        mg_html(h, "\"><a href=\"");
        circle_href(h, c->id);
        mg_html(h, "?group=");
        mg_html_int(h, row->id);
        mg_html(h, "#people\">");
        mg_html_text(h, row_name(v->plan.groups, n_groups, (int)g, label,
                                 sizeof(label)));
        mg_html(h, "</a></th>");
        int_cell(h, v->t.size[g]);
        int_cell(h, v->t.fac[g]);
        mg_html(h, "<td>");
        slot_text(slot, sizeof(slot), c, row->slot_id);
        mg_html_text(h, slot);
        if (thread) {
            mg_html(h, "<br><span class=\"muted\">");
            mg_html_textf(h, _("thread: %s"), thread);
            mg_html(h, "</span>");
        }
        if (row->address) {
            mg_html(h, "<br><code>");
            mg_html_text(h, row->address);
            mg_html(h, "</code>");
        }
        if (link && mg_html_url_is_safe(link)) {
            mg_html(h, "<br>");
            mg_html_link(h, link, link, NULL);
        }
        free(link);
        mg_html(h, "</td></tr>\n");
    }
    mg_store_group_rooms_free(rooms, n_rooms);
    mg_html(h, "</tbody></table></div>\n");
    snprintf(path, sizeof(path), "/dashboard/circles/%lld", (long long)c->id);
    dash_pager(h, path, "gpage", gpage, n_groups, NULL, 0, "groups");
out:
    mg_html(h, "</section>\n");
}

/* The name of group `group_id` among the circle's, or "-". */
static const char *group_name_of(const struct circle_view *v, int64_t group_id,
                                 char *buf, size_t n)
{
    int g = view_group(v, group_id);

    return g >= 0 ? row_name(v->plan.groups, v->plan.n_groups, g, buf, n) : "-";
}

/* The people of the circle, a page at a time: ?page=, ?q= (name or
 * email), ?group= (a group's members, or "none": those in no group). */
/*
 * The group view's call link: the one its calls use, and a form to give
 * the group its own (empty: the circle's template or video link again).
 * ?link_error=1 puts the refusal next to the field.
 */
static int call_link_form(struct mg_html *h, struct request *r,
                          const struct dash *d, const struct circle_view *v,
                          int64_t group)
{
    struct mg_group_room *rooms = NULL;
    size_t n_rooms = 0;
    int at = view_group(v, group), bad = request_arg(r, "link_error") != NULL;
    const struct mg_group_row *row = &v->plan.groups[at];
    char *link, label[32];
    int rc = mg_store_group_rooms(&rooms, &n_rooms, r->srv->store,
                                  v->plan.circle->id, &group, 1);

    if (rc < 0)
        return rc;
    link = mg_circle_call_link(v->plan.circle,
                               n_rooms ? rooms[0].call_url : NULL, row->name,
                               row->position, n_rooms ? rooms[0].secret : "");
    mg_html(h, "<h3 id=\"call\">");
    mg_html_textf(
        h, _("Call link of %s"),
        row_name(v->plan.groups, v->plan.n_groups, at, label, sizeof(label)));
    mg_html(h, "</h3>\n<p>");
    if (link && mg_html_url_is_safe(link))
        mg_html_link(h, link, link, NULL);
    else
        mg_html_text(h, _("none yet"));
    mg_html(h, "</p>\n<form method=\"post\" action=\"/dashboard/circles/");
    mg_html_int(h, v->plan.circle->id);
    mg_html(h, "/groups/");
    mg_html_int(h, group);
    mg_html(h, "/call\">\n");
    dash_csrf(h, d);
    mg_html(h, "<label for=\"call_url\">");
    mg_html_text(h, _("This group's own link (empty: the circle's)"));
    mg_html(h, "</label>\n<input type=\"url\" id=\"call_url\" "
               "name=\"call_url\" maxlength=\"2000\" value=\"");
    mg_html_attr(h, n_rooms ? rooms[0].call_url : NULL);
    mg_html(h, "\"");
    if (bad)
        mg_html(h,
                " aria-invalid=\"true\" aria-describedby=\"call_url_error\"");
    mg_html(h, ">\n");
    if (bad) {
        mg_html(h, "<p class=\"error\" id=\"call_url_error\">");
        mg_html_text(h, _("Give an http(s) link without spaces, quotes, "
                          "angle brackets or braces."));
        mg_html(h, "</p>\n");
    }
    mg_html(h, "<button type=\"submit\" class=\"button\">");
    mg_html_text(h, _("Save the link"));
    mg_html(h, "</button></form>\n");
    free(link);
    mg_store_group_rooms_free(rooms, n_rooms);
    return 0;
}

static int people_section(struct mg_html *h, struct request *r,
                          const struct dash *d, const struct circle_view *v)
{
    struct mg_participant *list = NULL;
    struct mg_people_filter f;
    const char *q = request_arg(r, "q");
    const char *gv = request_arg(r, "group");
    int64_t group = gv && strcmp(gv, "none") == 0 ? -1 : dash_positive(gv);
    int page = dash_page_arg(r, "page");
    char path[96], action[128], label[32], gid[24];
    struct dash_arg args[2];
    size_t n = 0, total = 0, i;
    int rc = 0;

    if (q && (!*q || strlen(q) > DASH_QUERY_MAX))
        q = NULL;
    if (group > 0 && view_group(v, group) < 0)
        group = 0;
    if (group < 0)
        snprintf(gid, sizeof(gid), "none");
    else
        snprintf(gid, sizeof(gid), "%lld", (long long)group);
    memset(&f, 0, sizeof(f));
    f.query = q;
    f.group_id = group;
    if (group < 0)
        f.status = "active"; /* the unplaced, as the warnings count them */
    /* How many: the overview has counted everyone and the unplaced; a
     * group's few members are read whole; a search is counted. */
    if (!q && !group)
        total = v->o.people;
    else if (!q && group < 0)
        total = (size_t)v->o.quality.unplaced;
    else if (group <= 0)
        rc = mg_store_participants_count(&total, r->srv->store,
                                         v->plan.circle->id, &f);
    if (rc < 0)
        return rc;
    if (group <= 0) {
        f.limit = DASH_PAGE_SIZE;
        f.offset = (page - 1) * DASH_PAGE_SIZE;
    }
    rc = mg_store_participants_list(&list, &n, r->srv->store,
                                    v->plan.circle->id, &f);
    if (rc == 0 && group > 0) {
        size_t first = (size_t)(page - 1) * DASH_PAGE_SIZE, k;

        total = n;
        for (k = 0; k < n; k++)
            if (k < first || k >= first + DASH_PAGE_SIZE)
                mg_participant_release(&list[k]);
        if (first < n) {
            n = n - first < DASH_PAGE_SIZE ? n - first : DASH_PAGE_SIZE;
            memmove(list, list + first, n * sizeof(*list));
        } else {
            n = 0;
        }
    }
    if (rc < 0)
        return rc;
    snprintf(path, sizeof(path), "/dashboard/circles/%lld",
             (long long)v->plan.circle->id);
    mg_html(h, "<section aria-labelledby=\"people\">\n<h2 id=\"people\">");
    mg_html_text(h, _("People"));
    mg_html(h, "</h2>\n<form method=\"get\" class=\"inline\" "
               "role=\"search\" action=\"");
    mg_html_attr(h, path);
    mg_html(h, "#people\">\n<label for=\"q\">");
    mg_html_text(h, _("Name or email"));
    mg_html(h, "</label>\n<input type=\"search\" id=\"q\" name=\"q\" "
               "maxlength=\"200\" value=\"");
    mg_html_attr(h, q);
    mg_html(h, "\">\n");
    if (group) {
        mg_html(h, "<input type=\"hidden\" name=\"group\" value=\"");
        mg_html_attr(h, gid);
        mg_html(h, "\">\n");
    }
    mg_html(h, "<button type=\"submit\" class=\"button secondary\">");
    mg_html_text(h, _("Search"));
    mg_html(h, "</button></form>\n<p>");
    if (q || group) {
        const char *gname = group_name_of(v, group, label, sizeof(label));

        /* TRANSLATORS: how many people a search found; %s is the search */
        if (q && group > 0)
            mg_html_textf(h,
                          mg_ngettext("%zu person matching \xe2\x80\x9c%s"
                                      "\xe2\x80\x9d in %s.",
                                      "%zu people matching \xe2\x80\x9c%s"
                                      "\xe2\x80\x9d in %s.",
                                      total),
                          total, q, gname);
        else if (q && group < 0)
            mg_html_textf(h,
                          mg_ngettext("%zu person matching \xe2\x80\x9c%s"
                                      "\xe2\x80\x9d active and in no group.",
                                      "%zu people matching \xe2\x80\x9c%s"
                                      "\xe2\x80\x9d active and in no group.",
                                      total),
                          total, q);
        else if (q)
            mg_html_textf(h,
                          mg_ngettext("%zu person matching \xe2\x80\x9c%s"
                                      "\xe2\x80\x9d.",
                                      "%zu people matching \xe2\x80\x9c%s"
                                      "\xe2\x80\x9d.",
                                      total),
                          total, q);
        else if (group > 0)
            mg_html_textf(
                h, mg_ngettext("%zu person in %s.", "%zu people in %s.", total),
                total, gname);
        else
            mg_html_textf(h,
                          mg_ngettext("%zu person active and in no group.",
                                      "%zu people active and in no group.",
                                      total),
                          total);
        mg_html(h, " <a href=\"");
        mg_html_attr(h, path);
        mg_html(h, "#people\">");
        mg_html_text(h, _("Everyone"));
        mg_html(h, "</a>");
    } else {
        mg_html_textf(h,
                      mg_ngettext("%zu person in the circle, active, "
                                  "waitlisted and withdrawn.",
                                  "%zu people in the circle, active, "
                                  "waitlisted and withdrawn.",
                                  total),
                      total);
    }
    mg_html(h, "</p>\n");
    /* the group view: its call room */
    if (group > 0 && (rc = call_link_form(h, r, d, v, group)) < 0) {
        mg_participants_free(list, n);
        return rc;
    }
    if (n) {
        dash_table_begin(h);
        mg_html(h, "<thead><tr>");
        dash_th(h, _("Name, role"));
        dash_th(h, _("Email"));
        dash_th(h, _("Sector, region"));
        dash_th(h, _("Group, status"));
        dash_th(h, _("Actions"));
        mg_html(h, "</tr></thead>\n<tbody>\n");
    }
    for (i = 0; i < n; i++) {
        const struct mg_participant *p = &list[i];

        mg_html(h, "<tr><th scope=\"row\">");
        mg_html_text(h, p->name);
        mg_html(h, "<br><span class=\"muted\">");
        mg_html_text(h, dash_word(mg_person_role_name(p->role)));
        mg_html(h, "</span></th><td>");
        mg_html_text(h, p->email);
        mg_html(h, "</td><td>");
        mg_html_text(h, p->sector ? p->sector : "-");
        mg_html(h, "<br><span class=\"muted\">");
        mg_html_text(h, p->region ? p->region : "-");
        mg_html(h, "</span></td><td>");
        mg_html_text(h, group_name_of(v, p->group_id, label, sizeof(label)));
        mg_html(h, "<br><span class=\"muted\">");
        mg_html_text(h, dash_word(mg_person_status_name(p->status)));
        mg_html(h, "</span></td><td><div class=\"actions\">");
        if (p->status == MG_STATUS_ACTIVE && v->plan.n_groups) {
            mg_html(h, "<a class=\"button secondary\" href=\"");
            mg_html_attr(h, path);
            mg_html(h, "/people/");
            mg_html_int(h, p->id);
            mg_html(h, "/move\">");
            mg_html_text(h, _("Move"));
            mg_html(h, "<span class=\"vh\"> ");
            mg_html_text(h, p->name);
            mg_html(h, "</span></a>");
        }
        if (p->status != MG_STATUS_WITHDRAWN) {
            snprintf(action, sizeof(action), "%s/people/%lld/withdraw", path,
                     (long long)p->id);
            dash_button_form(h, d, action, _("Withdraw"), p->name, 1);
        }
        mg_html(h, "</div></td></tr>\n");
    }
    if (n)
        mg_html(h, "</tbody></table></div>\n");
    args[0].name = "q";
    args[0].value = q;
    args[1].name = "group";
    args[1].value = group ? gid : NULL;
    dash_pager(h, path, "page", page, total, args, 2, "people");
    mg_html(h, "</section>\n");
    mg_participants_free(list, n);
    return 0;
}

/*
 * What participants in a group asked for on their own page (other call
 * times, other threads), oldest first: each with a Move link to the move
 * form and a Dismiss button. Moving them closes the request.
 */
/* Move requests the circle page shows at most (oldest first). */
#define ASKS_SHOWN 50

static int moves_section(struct mg_html *h, struct mg_store *st,
                         const struct dash *d, const struct mg_circle *c)
{
    struct mg_move_request *list = NULL;
    struct mg_span *threads = NULL;
    size_t n = 0, n_threads = 0, i, j, k;
    char action[128], when[32], slot[64];
    struct mg_move_filter mf = {MG_MOVE_OPEN, 0, 0, ASKS_SHOWN};
    size_t open = 0;
    int rc = mg_store_move_requests_list(&list, &n, st, c->id, &mf);

    if (rc == 0 && n == ASKS_SHOWN)
        rc = mg_store_move_requests_count(&open, st, c->id, MG_MOVE_OPEN);
    if (rc == 0 && n)
        rc = mg_store_threads(&threads, &n_threads, st, c->id);
    if (rc < 0)
        goto out;
    mg_html(h, "<section aria-labelledby=\"moves\">\n<h2 id=\"moves\">");
    mg_html_text(h, _("Move requests"));
    mg_html(h, "</h2>\n");
    if (!n) {
        mg_html(h, "<p class=\"muted\">");
        mg_html_text(h, _("Nobody has asked to be moved."));
        mg_html(h, "</p>\n</section>\n");
        goto out;
    }
    if (open > n) {
        mg_html(h, "<p class=\"muted\">");
        mg_html_textf(h,
                      _("The oldest %zu of %zu: GET /api/v1/circles/%lld/"
                        "move-requests lists them all."),
                      n, open, (long long)c->id);
        mg_html(h, "</p>\n");
    }
    dash_table_begin(h);
    mg_html(h, "<thead><tr><th scope=\"col\">");
    mg_html_text(h, _("Name"));
    mg_html(h, "</th><th scope=\"col\">");
    mg_html_text(h, _("Asked"));
    mg_html(h, "</th><th scope=\"col\">");
    mg_html_text(h, _("Can make"));
    mg_html(h, "</th><th scope=\"col\">");
    mg_html_text(h, _("Threads wished"));
    mg_html(h, "</th><th scope=\"col\">");
    mg_html_text(h, _("Their words"));
    mg_html(h, "</th><th scope=\"col\">");
    mg_html_text(h, _("Actions"));
    mg_html(h, "</th></tr></thead>\n<tbody>\n");
    for (i = 0; i < n; i++) {
        const struct mg_move_request *m = &list[i];

        mg_html(h, "<tr><td>");
        mg_html_text(h, m->name);
        mg_html(h, "</td><td>");
        mg_schedule_local_text(when, sizeof(when), c->time_zone, m->created_at,
                               ' ');
        mg_html_text(h, when);
        mg_html(h, "</td><td>");
        for (j = 0; j < m->n_slots; j++) {
            slot_text(slot, sizeof(slot), c, m->slot_ids[j]);
            if (j)
                mg_html(h, ", ");
            mg_html_text(h, slot);
        }
        if (!m->n_slots)
            mg_html_text(h, "-");
        mg_html(h, "</td><td>");
        for (j = 0; j < m->n_wishes; j++) {
            for (k = 0; k < n_threads && threads[k].id != m->wishes[j]; k++)
                ;
            if (j)
                mg_html(h, ", ");
            mg_html_text(h, k < n_threads ? threads[k].title : "?");
        }
        if (!m->n_wishes)
            mg_html_text(h, "-");
        mg_html(h, "</td><td>");
        mg_html_text(h, m->note && *m->note ? m->note : "-");
        mg_html(h, "</td><td><div class=\"actions\"><a class=\"button "
                   "secondary\" href=\"/dashboard/circles/");
        mg_html_int(h, c->id);
        mg_html(h, "/people/");
        mg_html_int(h, m->participant_id);
        mg_html(h, "/move\">");
        mg_html_text(h, _("Move"));
        mg_html(h, "<span class=\"vh\"> ");
        mg_html_text(h, m->name);
        mg_html(h, "</span></a>");
        snprintf(action, sizeof(action),
                 "/dashboard/circles/%lld/move-requests/%lld/dismiss",
                 (long long)c->id, (long long)m->id);
        dash_button_form(h, d, action, _("Dismiss"), m->name, 1);
        mg_html(h, "</div></td></tr>\n");
    }
    mg_html(h, "</tbody></table></div>\n</section>\n");
out:
    mg_store_spans_free(threads, n_threads);
    mg_store_move_requests_free(list, n);
    return rc;
}

static void outbox_table(struct mg_html *h, const struct mg_outbox_row *rows,
                         size_t n, const char *tzid)
{
    char when[32];
    size_t i;

    mg_html(h, "<h3>");
    mg_html_textf(h, _("The last %d messages"), OUTBOX_SHOWN);
    mg_html(h, "</h3>\n");
    dash_table_begin(h);
    mg_html(h, "<thead><tr><th scope=\"col\">");
    mg_html_text(h, _("Queued"));
    mg_html(h, " <span class=\"muted\">(");
    mg_html_text(h, tzid);
    mg_html(h, ")</span></th>");
    dash_th(h, _("To"));
    dash_th(h, _("Subject"));
    dash_th(h, _("Status"));
    mg_html(h, "</tr></thead>\n<tbody>\n");
    for (i = 0; i < n; i++) {
        dash_time(when, sizeof(when), tzid, rows[i].created_at);
        mg_html(h, "<tr><td class=\"nowrap\">");
        mg_html_text(h, when);
        mg_html(h, "</td><td>");
        mg_html_text(h, rows[i].recipient);
        mg_html(h, "</td><td>");
        mg_html_text(h, rows[i].subject);
        mg_html(h, " <span class=\"muted\">(");
        mg_html_text(h, dash_word(rows[i].kind));
        mg_html(h, ")</span></td><td>");
        mg_html_text(h, dash_word(mg_store_outbox_status_name(rows[i].status)));
        mg_html(h, "<br><span class=\"muted\">");
        mg_html_textf(h,
                      mg_ngettext("%d attempt", "%d attempts",
                                  (unsigned long)rows[i].attempts),
                      (int)rows[i].attempts);
        mg_html(h, "</span>");
        if (rows[i].last_error) {
            mg_html(h, "<br><span class=\"muted\">");
            mg_html_text(h, rows[i].last_error);
            mg_html(h, "</span>");
        }
        mg_html(h, "</td></tr>\n");
    }
    mg_html(h, "</tbody></table></div>\n");
}

/* The groups whose invitations could not be made, and why (the others'
 * mail went out). */
static int calendar_failures(struct mg_html *h, struct mg_store *st,
                             const struct mg_circle *c)
{
    struct mg_calendar_failure_row *rows = NULL;
    size_t n = 0, i;
    int rc = mg_store_calendar_failures_list(&rows, &n, st, c->id);

    if (rc < 0 || n == 0)
        goto out;
    mg_html(h, "<p class=\"warn\">");
    mg_html_text(h, _("Invitations could not be made for these groups; "
                      "everyone else's went out. They are tried again at the "
                      "next change, or when you send invites."));
    mg_html(h, "</p>\n<ul class=\"warn\">\n");
    for (i = 0; i < n; i++) {
        mg_html(h, "<li>");
        if (rows[i].name[0])
            mg_html_textf(h, _("%s: %s"), rows[i].name, rows[i].cause);
        else
            mg_html_textf(h, _("Group %lld: %s"), (long long)rows[i].group_id,
                          rows[i].cause);
        mg_html(h, "</li>\n");
    }
    mg_html(h, "</ul>\n");
out:
    free(rows);
    return rc;
}

static int outbox_section(struct mg_html *h, const struct dash *d,
                          struct mg_store *st, const struct mg_circle *c)
{
    static const char *const states[] = {"queued", "sending", "sent", "failed"};
    struct mg_outbox_row *rows = NULL;
    size_t n = 0, counts[4], i;
    char path[96];
    int rc = 0;

    mg_html(h, "<section aria-labelledby=\"outbox\">\n<h2 id=\"outbox\">");
    mg_html_text(h, _("Invitations and outbox"));
    mg_html(h, "</h2>\n<div class=\"actions\">\n");
    snprintf(path, sizeof(path), "/dashboard/circles/%lld/invites",
             (long long)c->id);
    dash_button_form(h, d, path, _("Send invites"), NULL, 0);
    mg_html(h, "</div>\n<p class=\"muted\">");
    mg_html_text(h, _("Sends every member what has changed in their group's "
                      "calls since the last time; nothing is sent twice."));
    mg_html(h, "</p>\n<dl>\n");
    rc = mg_store_outbox_counts(counts, st, c->id);
    if (rc < 0)
        return rc;
    for (i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
        char count[32];

        snprintf(count, sizeof(count), "%zu", counts[i]);
        web_row(h, dash_word(states[i]), count);
    }
    mg_html(h, "</dl>\n");
    rc = calendar_failures(h, st, c);
    if (rc < 0)
        return rc;
    rc = mg_store_outbox_list(&rows, &n, st, c->id, NULL, OUTBOX_SHOWN);
    if (rc < 0)
        return rc;
    if (n)
        outbox_table(h, rows, n, c->time_zone);
    mg_store_outbox_free(rows, n);
    mg_html(h, "</section>\n");
    return 0;
}

static int notes_section(struct mg_html *h, struct mg_store *st,
                         const struct mg_circle *c)
{
    struct mg_note *notes = NULL;
    struct mg_note_filter f;
    size_t n = 0, all = 0, i;
    char when[32];
    int rc = mg_store_notes_count(&all, st, MG_STORE_NOTE_REVIEW, c->id, 0);

    if (rc < 0)
        return rc;
    memset(&f, 0, sizeof(f));
    f.status = "review";
    f.circle_id = c->id;
    f.limit = REVIEW_SHOWN;
    rc = mg_store_notes_list(&notes, &n, st, &f);
    if (rc < 0)
        return rc;
    mg_html(h, "<section aria-labelledby=\"notes\">\n<h2 id=\"notes\">");
    mg_html_text(h, _("Notes"));
    mg_html(h, "</h2>\n<p><a href=\"");
    circle_href(h, c->id);
    mg_html(h, "/digest\">");
    mg_html_text(h, _("Read the notes digest"));
    mg_html(h, "</a>");
    mg_html_text(h, _(": every group's summaries and notes, week by week."));
    mg_html(h, "</p>\n<h3>");
    mg_html_text(h, _("Review queue"));
    mg_html(h, "</h3>\n<p>");
    if (all) {
        mg_html_textf(h,
                      mg_ngettext("%zu message of this circle waits for "
                                  "review:",
                                  "%zu messages of this circle wait for "
                                  "review:",
                                  all),
                      all);
        mg_html(h, " <a href=\"");
        circle_href(h, c->id);
        mg_html(h, "/review\">");
        mg_html_text(h, _("open the review queue"));
        mg_html(h, "</a> ");
        mg_html_text(h, _("to approve or reject them."));
        mg_html(h, "</p>\n");
    } else {
        mg_html_textf(h,
                      mg_ngettext("%zu message of this circle waits for "
                                  "review.",
                                  "%zu messages of this circle wait for "
                                  "review.",
                                  all),
                      all);
        mg_html(h, "</p>\n");
    }
    if (n) {
        dash_table_begin(h);
        mg_html(h, "<thead><tr>");
        dash_th(h, "#");
        dash_th(h, _("From"));
        dash_th(h, _("Subject"));
        dash_th(h, _("Why"));
        mg_html(h, "<th scope=\"col\">");
        mg_html_text(h, _("Received"));
        mg_html(h, " <span class=\"muted\">(");
        mg_html_text(h, c->time_zone);
        mg_html(h, ")</span></th></tr></thead>\n<tbody>\n");
        for (i = 0; i < n; i++) {
            dash_time(when, sizeof(when), c->time_zone, notes[i].received_at);
            mg_html(h, "<tr>");
            int_cell(h, notes[i].id);
            mg_html(h, "<td>");
            mg_html_text(h, notes[i].from_name ? notes[i].from_name
                                               : notes[i].from_email);
            mg_html(h, "</td><td>");
            mg_html_text(h, notes[i].subject ? notes[i].subject : "-");
            mg_html(h, "</td><td>");
            mg_html_text(h,
                         notes[i].review_reason ? notes[i].review_reason : "-");
            mg_html(h, "</td><td class=\"nowrap\">");
            mg_html_text(h, when);
            mg_html(h, "</td></tr>\n");
        }
        mg_html(h, "</tbody></table></div>\n");
    }
    mg_html(h, "</section>\n");
    mg_store_notes_free(notes, n);
    return 0;
}

static int plenaries_section(struct mg_html *h, struct mg_store *st,
                             const struct mg_circle *c)
{
    struct mg_plenary_row *rows = NULL;
    size_t n = 0, i;
    char when[32];
    int rc = mg_store_plenaries_list(&rows, &n, st, c->id);

    if (rc < 0)
        return rc;
    mg_html(h, "<section aria-labelledby=\"plenaries\">\n"
               "<h2 id=\"plenaries\">");
    mg_html_text(h, _("Plenary sessions"));
    mg_html(h, "</h2>\n");
    if (!n) {
        mg_html(h, "<p>");
        /* TRANSLATORS: %s is an API call, shown as code */
        dash_text_code(h, _("None yet: create one with %s."), 1,
                       "POST /api/v1/circles/{id}/plenaries");
        mg_html(h, "</p>\n");
    } else {
        dash_table_begin(h);
        mg_html(h, "<thead><tr>");
        dash_th(h, _("Session"));
        dash_th(h, _("Starts"));
        dash_th(h, _("Places"));
        dash_th(h, _("Registered"));
        dash_th(h, _("Waitlisted"));
        dash_th(h, _("Target"));
        mg_html(h, "</tr></thead>\n<tbody>\n");
    }
    for (i = 0; i < n && i < DASH_PAGE_SIZE; i++) {
        dash_time(when, sizeof(when), c->time_zone, rows[i].starts_at);
        mg_html(h, "<tr><th scope=\"row\"><a href=\"");
        circle_href(h, c->id);
        mg_html(h, "/plenaries/");
        mg_html_int(h, rows[i].id);
        mg_html(h, "\">");
        mg_html_text(h, rows[i].title);
        mg_html(h, "</a>");
        if (rows[i].status == MG_STORE_PLENARY_CANCELLED) {
            mg_html(h, " <span class=\"muted\">(");
            mg_html_text(h, _("cancelled"));
            mg_html(h, ")</span>");
        }
        mg_html(h, "</th><td class=\"nowrap\">");
        mg_html_text(h, when);
        mg_html(h, " <span class=\"muted\">(");
        mg_html_text(h, c->time_zone);
        mg_html(h, ")</span></td>");
        int_cell(h, rows[i].capacity);
        int_cell(h, rows[i].registered);
        int_cell(h, rows[i].waitlisted);
        if (rows[i].target)
            int_cell(h, rows[i].target);
        else
            mg_html(h, "<td>-</td>");
        mg_html(h, "</tr>\n");
    }
    if (n)
        mg_html(h, "</tbody></table></div>\n");
    mg_html(h, "</section>\n");
    mg_store_plenaries_free(rows, n);
    return 0;
}

/* --- how the circle is going (the success report) --------------------- */

static void figure_row(struct mg_html *h, const char *label, const char *value)
{
    mg_html(h, "<tr><th scope=\"row\">");
    mg_html_text(h, label);
    mg_html(h, "</th><td>");
    mg_html_text(h, value);
    mg_html(h, "</td></tr>\n");
}

static void counts_text(struct mg_buf *b, const struct mg_report_count *c,
                        size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        mg_buf_printf(b, "%s%s (%d)", i ? ", " : "", c[i].name, c[i].people);
    if (!n)
        mg_buf_puts(b, "-");
}

/* One bar per week of `values` (none where !known), through chart.c. */
static void week_chart(struct mg_html *h, const char *id, const char *title,
                       const char *desc, const double *values, const int *known,
                       size_t n, int decimals, double ref, const char *ref_name,
                       const char *ref_label)
{
    struct web_bar *bars = mg_xcalloc(n + 1, sizeof(*bars));
    struct web_segment *segs = mg_xcalloc(n + 1, sizeof(*segs));
    char(*labels)[24] = mg_xcalloc(n + 1, sizeof(*labels));
    struct web_ref r;
    struct web_chart c;
    size_t i;

    for (i = 0; i < n; i++) {
        /* TRANSLATORS: week number n's short label under its bar */
        snprintf(labels[i], sizeof(labels[i]), _("W%zu"), i + 1);
        segs[i].value = values[i];
        bars[i].label = labels[i];
        bars[i].key = (long long)i + 1;
        bars[i].segments = &segs[i];
        bars[i].n_segments = 1;
        bars[i].known = known[i];
    }
    r.name = ref_name;
    r.label = ref_label;
    r.value = ref;
    memset(&c, 0, sizeof(c));
    c.id = id;
    c.title = title;
    c.desc = desc;
    c.key = WEB_CHART_WEEK;
    c.bars = bars;
    c.n_bars = n;
    c.refs = &r;
    c.n_refs = ref > 0 ? 1 : 0;
    c.decimals = decimals;
    c.plot_height = 160;
    c.bar_width = 30;
    c.gap = 14;
    web_chart_bars(h, &c);
    free(bars);
    free(segs);
    free(labels);
}

/* The plenaries beside the groups: per session, its calls recorded, the
 * average who came against its target, the calendar answers of the
 * registered to each call and who came to each call. */
static void plenary_figures(struct mg_html *h, const struct mg_report *r)
{
    struct mg_buf text = MG_BUF_INIT;
    size_t i, w;

    if (!r->n_plenaries)
        return;
    mg_html(h, "<h3>");
    mg_html_text(h, _("Plenary sessions"));
    mg_html(h, "</h3>\n");
    dash_table_begin(h);
    mg_html(h, "<thead><tr>");
    dash_th(h, _("Session"));
    dash_th(h, _("Places"));
    dash_th(h, _("Calls recorded"));
    dash_th(h, _("Average who came"));
    dash_th(h, _("Target"));
    dash_th(h, _("Answers, call by call"));
    dash_th(h, _("Came, call by call"));
    mg_html(h, "</tr></thead>\n<tbody>\n");
    for (i = 0; i < r->n_plenaries; i++) {
        const struct mg_report_plenary *p = &r->plenaries[i];

        mg_html(h, "<tr><th scope=\"row\">");
        mg_html_text(h, p->title);
        if (p->cancelled) {
            mg_html(h, " <span class=\"muted\">(");
            mg_html_text(h, _("cancelled"));
            mg_html(h, ")</span>");
        }
        mg_html(h, "</th><td>");
        mg_html_textf(h, _("%d: %d registered, %d waiting"), p->capacity,
                      p->registered, p->waitlisted);
        mg_html(h, "</td><td>");
        mg_html_textf(h, _("%d of %d"), p->recorded, (int)p->n_weeks);
        mg_html(h, "</td><td>");
        if (p->recorded)
            mg_html_textf(h, "%.1f", p->average);
        else
            mg_html(h, "-");
        mg_html(h, "</td><td>");
        if (!p->target)
            mg_html_text(h, _("none set"));
        else if (!p->recorded)
            mg_html_textf(h, "%d", p->target);
        else
            mg_html_textf(h,
                          p->target_met ? _("%d per call: met")
                                        : _("%d per call: not met"),
                          p->target);
        mg_html(h, "</td><td>");
        for (w = 0; w < p->n_weeks; w++) {
            const struct mg_report_occurrence *o = &p->weeks[w];

            if (w)
                mg_html(h, "<br>");
            mg_html_textf(h,
                          _("Call %d: %d accepted, %d declined, %d "
                            "tentative, %d no answer"),
                          o->week, o->accepted, o->declined, o->tentative,
                          o->no_answer);
        }
        mg_html(h, "</td><td>");
        text.len = 0;
        for (w = 0; w < p->n_weeks; w++) {
            if (w)
                mg_buf_puts(&text, ", ");
            if (p->weeks[w].recorded)
                mg_buf_printf(&text, "%d", p->weeks[w].came);
            else
                mg_buf_puts(&text, "-");
        }
        mg_html_text(h, text.data ? text.data : "");
        mg_html(h, "</td></tr>\n");
    }
    mg_html(h, "</tbody></table></div>\n");
    mg_buf_release(&text);
}

/* Key figures, then attendance per week against the target and
 * retention by week; the definitions are report.h's. */
static int report_section(struct mg_html *h, struct mg_store *st, int64_t id)
{
    struct mg_report r;
    struct mg_buf text = MG_BUF_INIT, desc = MG_BUF_INIT;
    double *values;
    int *known;
    size_t i;
    int rc = mg_report_load_summary(&r, st, id);

    if (rc < 0)
        return rc;
    mg_html(h, "<section aria-labelledby=\"report\">\n<h2 id=\"report\">");
    mg_html_text(h, _("How the circle is going"));
    mg_html(h, "</h2>\n<p>");
    mg_html_text(h, _("Download:"));
    mg_html(h, " <a href=\"");
    circle_href(h, id);
    mg_html(h, "/report.csv\">");
    mg_html_text(h, _("the report (CSV)"));
    mg_html(h, "</a>, <a href=\"");
    circle_href(h, id);
    mg_html(h, "/roster.csv\">");
    mg_html_text(h, _("the roster (CSV)"));
    mg_html(h, "</a>, <a href=\"");
    circle_href(h, id);
    mg_html(h, "/attendance.csv\">");
    mg_html_text(h, _("the attendance matrix (CSV)"));
    mg_html(h, "</a>.</p>\n");
    dash_table_begin(h);
    mg_html(h, "<tbody>\n");
    mg_buf_printf(&text, "%d", r.t.invited);
    figure_row(h, _("Invited"), text.data);
    text.len = 0;
    mg_buf_printf(&text, _("%d accepted, %d declined, %d tentative"),
                  r.t.accepted, r.t.declined, r.t.tentative);
    figure_row(h, _("Answers (all calls)"), text.data);
    text.len = 0;
    mg_buf_printf(&text, _("%d of %d"), r.t.recorded, r.t.sessions);
    figure_row(h, _("Calls with attendance recorded"), text.data);
    text.len = 0;
    mg_buf_printf(&text, "%.1f", r.t.average);
    figure_row(h, _("Average attendance per call"), text.data);
    text.len = 0;
    if (r.target)
        mg_buf_printf(&text,
                      r.target_met ? _("%d per call: met")
                                   : _("%d per call: not met"),
                      r.target);
    else
        mg_buf_puts(&text, _("none set"));
    figure_row(h, _("Target"), text.data);
    text.len = 0;
    mg_buf_printf(&text, "%d", r.t.attendees);
    figure_row(h, _("Came at least once"), text.data);
    text.len = 0;
    mg_buf_printf(&text, "%d", r.t.came_back);
    figure_row(h, _("Came back (two calls or more)"), text.data);
    text.len = 0;
    counts_text(&text, r.t.sectors, r.t.n_sectors);
    figure_row(h, _("Sectors of those who came"), text.data);
    text.len = 0;
    counts_text(&text, r.t.regions, r.t.n_regions);
    figure_row(h, _("Regions of those who came"), text.data);
    mg_html(h, "</tbody></table></div>\n");
    plenary_figures(h, &r);
    if (!r.t.recorded) {
        mg_html(h, "<p>");
        mg_html_text(h, _("No attendance recorded yet: import a call's Zoom "
                          "or Teams report to see attendance and retention "
                          "here."));
        mg_html(h, "</p>\n</section>\n");
        goto out;
    }
    values = mg_xcalloc(r.n_weeks + 1, sizeof(*values));
    known = mg_xcalloc(r.n_weeks + 1, sizeof(*known));
    if (r.target)
        mg_buf_printf(&desc,
                      _("Average people per call in each week, against the "
                        "target of %d per call (dashed line)."),
                      r.target);
    else
        mg_buf_puts(&desc, _("Average people per call in each week."));
    mg_buf_puts(&desc, " ");
    for (i = 0; i < r.n_weeks; i++) {
        const struct mg_report_week *w = &r.weeks[i];
        known[i] = w->sessions > 0;
        values[i] = known[i] ? (double)w->attended / w->sessions : 0;
        if (known[i])
            mg_buf_printf(&desc,
                          mg_ngettext("Week %d: %.1f people per call (%d "
                                      "call recorded).",
                                      "Week %d: %.1f people per call (%d "
                                      "calls recorded).",
                                      (unsigned long)w->sessions),
                          w->week, values[i], w->sessions);
        else
            mg_buf_printf(&desc, _("Week %d: not recorded."), w->week);
        mg_buf_puts(&desc, " ");
    }
    mg_html(h, "<h3>");
    mg_html_text(h, _("Attendance per call, by week"));
    mg_html(h, "</h3>\n");
    /* TRANSLATORS: the attendance chart's line at the target */
    week_chart(h, "attendance-chart", _("Attendance per call by week"),
               desc.data, values, known, r.n_weeks, 1, r.target, "target",
               _("target"));
    desc.len = 0;
    mg_buf_printf(&desc,
                  mg_ngettext("Of the %d person who came in week 1, how many "
                              "came in each week.",
                              "Of the %d people who came in week 1, how many "
                              "came in each week.",
                              (unsigned long)r.cohort),
                  r.cohort);
    mg_buf_puts(&desc, " ");
    for (i = 0; i < r.n_weeks; i++) {
        const struct mg_report_week *w = &r.weeks[i];
        values[i] = w->retained;
        if (known[i])
            mg_buf_printf(
                &desc, _("Week %d: %d of the %d (%d%%)."), w->week, w->retained,
                r.cohort,
                r.cohort ? (w->retained * 100 + r.cohort / 2) / r.cohort : 0);
        else
            mg_buf_printf(&desc, _("Week %d: not recorded."), w->week);
        mg_buf_puts(&desc, " ");
    }
    mg_html(h, "<h3>");
    mg_html_text(h, _("Retention: week 1's people, week by week"));
    mg_html(h, "</h3>\n");
    /* TRANSLATORS: the retention chart's line at week 1's number */
    week_chart(h, "retention-chart", _("Retention by week"), desc.data, values,
               known, r.n_weeks, 0, r.cohort, "cohort", _("cohort"));
    mg_html(h, "</section>\n");
    free(values);
    free(known);
out:
    mg_buf_release(&text);
    mg_buf_release(&desc);
    mg_report_release(&r);
    return 0;
}

/* The notice ?done= asks for after a redirect (fixed words: the query
 * carries ids and counts, never text of its own). */
static void done_notice(struct mg_html *h, struct request *r,
                        const struct circle_view *v)
{
    const char *done = request_arg(r, "done");
    struct mg_buf text = MG_BUF_INIT;
    char label[32];
    int error = 0;

    if (!done)
        return;
    if (strcmp(done, "moved") == 0) {
        struct mg_participant *p = NULL;
        int to = view_group(v, dash_positive(request_arg(r, "group")));

        if (to >= 0 &&
            mg_store_participant_get(&p, r->srv->store, v->plan.circle->id,
                                     dash_positive(request_arg(r, "person"))) ==
                0 &&
            p->status == MG_STATUS_ACTIVE)
            mg_buf_printf(&text, _("Moved %s to %s."), p->name,
                          row_name(v->plan.groups, v->plan.n_groups, to, label,
                                   sizeof(label)));
        else
            mg_buf_puts(&text, _("Moved."));
        mg_participants_free(p, p ? 1 : 0);
    } else if (strcmp(done, "invites") == 0) {
        int64_t q = dash_positive(request_arg(r, "queued"));
        if (q)
            mg_buf_printf(&text,
                          mg_ngettext("Queued %lld message; the outbox is "
                                      "sending it.",
                                      "Queued %lld messages; the outbox is "
                                      "sending them.",
                                      (unsigned long)q),
                          (long long)q);
        else
            mg_buf_puts(&text, _("Every member's invitations are up to date: "
                                 "nothing new to send."));
    } else if (strcmp(done, "rebalanced") == 0) {
        int64_t m = dash_positive(request_arg(r, "moves"));
        if (m)
            mg_buf_printf(&text,
                          mg_ngettext("Rebalanced the groups: moved %lld "
                                      "person; their invitations are queued.",
                                      "Rebalanced the groups: moved %lld "
                                      "people; their invitations are queued.",
                                      (unsigned long)m),
                          (long long)m);
        else
            mg_buf_puts(&text, _("Rebalanced: nobody needed to move."));
    } else if (strcmp(done, "link") == 0) {
        int64_t q = dash_positive(request_arg(r, "queued"));

        if (q)
            mg_buf_printf(&text,
                          mg_ngettext("Saved the call link; %lld update is "
                                      "queued for the group's members.",
                                      "Saved the call link; %lld updates are "
                                      "queued for the group's members.",
                                      (unsigned long)q),
                          (long long)q);
        else
            mg_buf_puts(&text, _("Saved the call link."));
    } else if (strcmp(done, "no_organizer") == 0) {
        mg_buf_puts(&text, _("Invitations not sent: the circle needs an "
                             "organizer email to send invitations. Set it "
                             "with PATCH /api/v1/circles/{id}."));
        error = 1;
    } else if (strcmp(done, "dismissed") == 0) {
        mg_buf_puts(&text, _("Dismissed the move request."));
    } else if (strcmp(done, "withdrawn") == 0) {
        struct mg_participant *p = NULL;

        if (mg_store_participant_get(&p, r->srv->store, v->plan.circle->id,
                                     dash_positive(request_arg(r, "person"))) ==
            0)
            mg_buf_printf(&text,
                          _("Withdrew %s: they are out of their group and get "
                            "no more invitations."),
                          p->name);
        else
            mg_buf_puts(&text, _("Withdrawn."));
        mg_participants_free(p, p ? 1 : 0);
        p = NULL;
        /* the place they held went to the first person waiting */
        if (mg_store_participant_get(
                &p, r->srv->store, v->plan.circle->id,
                dash_positive(request_arg(r, "promoted"))) == 0) {
            mg_buf_puts(&text, " ");
            mg_buf_printf(&text,
                          _("%s, the first on the waitlist, now has their "
                            "place."),
                          p->name);
        }
        mg_participants_free(p, p ? 1 : 0);
    } else if (!dash_signup_done(&text, &error, r, done) &&
               !dash_cpd_done(&text, &error, r, done) &&
               !dash_survey_done(&text, done)) {
        return;
    }
    dash_notice(h, text.data, error);
    mg_buf_release(&text);
}

/* The circle page: everything at a glance, each list a page at a time. */
static void circle_page(struct request *r, const struct dash *d)
{
    struct mg_html h = MG_HTML_INIT;
    struct circle_view v;
    const struct mg_circle *c;
    int rc = view_load(&v, r->srv->store, r->params[0]);

    if (rc < 0) {
        dash_error_page(r, rc, _("There is no such circle."));
        return;
    }
    c = v.plan.circle;
    dash_use_language(c);
    dash_begin(&h, d, c->title);
    mg_html_element(&h, "h1", c->title);
    done_notice(&h, r, &v);
    mg_html(&h, "<p>");
    mg_html_textf(&h,
                  mg_ngettext("%zu active person, %zu waitlisted, %zu "
                              "groups.",
                              "%zu active people, %zu waitlisted, %zu "
                              "groups.",
                              v.o.active),
                  v.o.active, v.o.waitlisted, v.plan.n_groups);
    mg_html(&h, "</p>\n");
    circle_summary(&h, r->srv->store, c);
    mg_html(&h, "<nav aria-label=\"");
    mg_html_attr(&h, _("On this page"));
    mg_html(&h, "\"><a href=\"#book\">");
    mg_html_text(&h, _("Book"));
    mg_html(&h, "</a> <a href=\"#groups\">");
    mg_html_text(&h, _("Groups"));
    mg_html(&h, "</a> <a href=\"#people\">");
    mg_html_text(&h, _("People"));
    mg_html(&h, "</a> <a href=\"#signup\">");
    mg_html_text(&h, _("Sign-up"));
    mg_html(&h, "</a> <a href=\"#cpd\">");
    mg_html_text(&h, _("CPD record"));
    mg_html(&h, "</a> <a href=\"#moves\">");
    mg_html_text(&h, _("Move requests"));
    mg_html(&h, "</a> <a href=\"#report\">");
    mg_html_text(&h, _("How it is going"));
    mg_html(&h, "</a> <a href=\"#survey\">");
    mg_html_text(&h, _("Survey"));
    mg_html(&h, "</a> <a href=\"#downloads\">");
    mg_html_text(&h, _("Downloads"));
    mg_html(&h, "</a> <a href=\"#plenaries\">");
    mg_html_text(&h, _("Plenaries"));
    mg_html(&h, "</a> <a href=\"#outbox\">");
    mg_html_text(&h, _("Outbox"));
    mg_html(&h, "</a> <a href=\"#notes\">");
    mg_html_text(&h, _("Notes"));
    mg_html(&h, "</a></nav>\n");
    rc = book_section(&h, r->srv->store, &v.plan);
    if (rc == 0)
        groups_section(&h, r->srv->store, &v, dash_page_arg(r, "gpage"));
    if (rc == 0)
        rc = people_section(&h, r, d, &v);
    if (rc == 0)
        rc = dash_signup_section(&h, d, r->srv->store, r->srv->base_url, c,
                                 v.plan.n_groups);
    if (rc == 0)
        rc = dash_cpd_section(&h, d, r, r->srv->store, c);
    if (rc == 0)
        rc = moves_section(&h, r->srv->store, d, c);
    if (rc == 0)
        rc = report_section(&h, r->srv->store, c->id);
    if (rc == 0)
        rc = dash_survey_section(&h, d, r->srv->store, c);
    if (rc == 0)
        dash_export_section(&h, c);
    if (rc == 0)
        rc = plenaries_section(&h, r->srv->store, c);
    if (rc == 0)
        rc = outbox_section(&h, d, r->srv->store, c);
    if (rc == 0)
        rc = notes_section(&h, r->srv->store, c);
    view_release(&v);
    if (rc < 0) {
        mg_html_release(&h);
        dash_error_page(r, rc, NULL);
        return;
    }
    web_end(&h);
    web_reply(r, MHD_HTTP_OK, &h);
}

void handle_dash_circle(struct request *r)
{
    struct dash d;

    if (dash_require_session(&d, r) < 0)
        return;
    circle_page(r, &d);
}

/* --- moving one person -------------------------------------------------- */

/* Why a move was refused, for the move page. */
struct refusal {
    const char *text;
    const struct mg_issue *issues;
    size_t n_issues;
    int64_t force_group; /* offer "Move anyway" into it */
};

static const char *row_label(const struct mg_group_row *g, char *buf, size_t n)
{
    if (g->name)
        return g->name;
    snprintf(buf, n, _("Group %d"), g->position);
    return buf;
}

/* The hidden fields every move form carries. */
static void move_fields(struct mg_html *h, const struct dash *d, int64_t person)
{
    dash_csrf(h, d);
    mg_html(h, "<input type=\"hidden\" name=\"participant_id\" value=\"");
    mg_html_int(h, person);
    mg_html(h, "\">\n");
}

/*
 * One person's move form: the groups a page at a time (?gpage=) in a
 * select, and a group-number field that reaches any of them. With `why`,
 * the refusal at its top (and `status`).
 */
/* What the person asked for on their own page, when a request of theirs
 * is open: the move form's reason. */
static void asked_notice(struct mg_html *h, struct mg_store *st,
                         const struct mg_circle *c, int64_t pid)
{
    struct mg_move_filter f = {MG_MOVE_OPEN, pid, 0, 1};
    struct mg_move_request *m = NULL;
    struct mg_span *threads = NULL;
    size_t n = 0, n_threads = 0, j, k;
    char slot[64], when[32];

    if (mg_store_move_requests_list(&m, &n, st, c->id, &f) < 0 || n == 0)
        goto out;
    if (mg_store_threads(&threads, &n_threads, st, c->id) < 0)
        n_threads = 0;
    mg_schedule_local_text(when, sizeof(when), c->time_zone, m->created_at,
                           ' ');
    mg_html(h, "<div class=\"notice\" id=\"asked\"><p>");
    mg_html_textf(h, _("On %s they asked to be moved."), when);
    mg_html(h, "</p>\n<dl>\n<dt>");
    mg_html_text(h, _("Can make"));
    mg_html(h, "</dt><dd>");
    for (j = 0; j < m->n_slots; j++) {
        slot_text(slot, sizeof(slot), c, m->slot_ids[j]);
        if (j)
            mg_html(h, ", ");
        mg_html_text(h, slot);
    }
    if (!m->n_slots)
        mg_html_text(h, "-");
    mg_html(h, "</dd>\n<dt>");
    mg_html_text(h, _("Threads wished"));
    mg_html(h, "</dt><dd>");
    for (j = 0; j < m->n_wishes; j++) {
        for (k = 0; k < n_threads && threads[k].id != m->wishes[j]; k++)
            ;
        if (j)
            mg_html(h, ", ");
        mg_html_text(h, k < n_threads ? threads[k].title : "?");
    }
    if (!m->n_wishes)
        mg_html_text(h, "-");
    mg_html(h, "</dd>\n");
    if (m->note && *m->note) {
        mg_html(h, "<dt>");
        mg_html_text(h, _("Their words"));
        mg_html(h, "</dt><dd>");
        mg_html_text(h, m->note);
        mg_html(h, "</dd>\n");
    }
    mg_html(h, "</dl>\n</div>\n");
out:
    mg_store_spans_free(threads, n_threads);
    mg_store_move_requests_free(m, n);
}

static void move_page(struct request *r, const struct dash *d,
                      unsigned int status, int64_t person_id,
                      const struct refusal *why)
{
    struct mg_html h = MG_HTML_INIT;
    struct mg_circle *c = NULL;
    struct mg_participant *p = NULL;
    struct mg_group_row *groups = NULL;
    size_t n_groups = 0, g, first, last;
    int gpage = dash_page_arg(r, "gpage");
    char path[128], action[96], label[32], title[96];
    int rc = mg_store_circle_get(&c, r->srv->store, r->params[0]);

    if (rc == 0)
        rc = mg_store_participant_get(&p, r->srv->store, r->params[0],
                                      person_id);
    if (rc == 0)
        rc = mg_store_groups_list(&groups, &n_groups, r->srv->store,
                                  r->params[0]);
    if (rc < 0) {
        dash_error_page(r, rc, _("There is no such person in this circle."));
        goto out;
    }
    dash_use_language(c);
    snprintf(title, sizeof(title), _("Move %s"), p->name);
    snprintf(action, sizeof(action), "/dashboard/circles/%lld/move",
             (long long)c->id);
    dash_begin(&h, d, title);
    mg_html_element(&h, "h1", title);
    if (why) {
        size_t i;

        mg_html(&h, "<div class=\"notice error\" role=\"alert\"><p>");
        mg_html_text(&h, why->text);
        mg_html(&h, "</p>\n");
        if (why->n_issues)
            mg_html(&h, "<ul>\n");
        for (i = 0; i < why->n_issues; i++) {
            mg_html(&h, "<li>");
            mg_html_text(&h, why->issues[i].message);
            mg_html(&h, " <span class=\"muted\">(");
            mg_html_text(&h, why->issues[i].rule);
            mg_html(&h, ")</span></li>\n");
        }
        if (why->n_issues)
            mg_html(&h, "</ul>\n");
        if (why->force_group) {
            mg_html(&h, "<form method=\"post\" class=\"inline\" action=\"");
            mg_html_attr(&h, action);
            mg_html(&h, "\">\n");
            move_fields(&h, d, p->id);
            mg_html(&h, "<input type=\"hidden\" name=\"group_id\" value=\"");
            mg_html_int(&h, why->force_group);
            mg_html(&h, "\">\n<input type=\"hidden\" name=\"force\" "
                        "value=\"1\">\n<button type=\"submit\" "
                        "class=\"button secondary\">");
            mg_html_text(&h, _("Move anyway"));
            mg_html(&h, "</button></form>\n");
        }
        mg_html(&h, "</div>\n");
    }
    mg_html(&h, "<p>");
    mg_html_text(&h, p->name);
    mg_html(&h, " <span class=\"muted\">(");
    mg_html_text(&h, p->email);
    mg_html(&h, ")</span> ");
    for (g = 0; g < n_groups && groups[g].id != p->group_id; g++)
        ;
    if (g < n_groups)
        /* TRANSLATORS: after a person's name and address; %s is a group */
        mg_html_textf(&h, _("is in %s."),
                      row_label(&groups[g], label, sizeof(label)));
    else
        mg_html_text(&h, _("is in no group."));
    mg_html(&h, "</p>\n");
    asked_notice(&h, r->srv->store, c, p->id);
    if (p->status != MG_STATUS_ACTIVE || !n_groups) {
        mg_html(&h, "<p>");
        mg_html_text(&h, _("Only an active person can move, into one of the "
                           "circle's groups."));
        mg_html(&h, "</p>\n");
        goto end;
    }
    first = (size_t)(gpage - 1) * DASH_PAGE_SIZE;
    if (first >= n_groups) {
        first = 0;
        gpage = 1;
    }
    last =
        first + DASH_PAGE_SIZE < n_groups ? first + DASH_PAGE_SIZE : n_groups;
    mg_html(&h, "<form method=\"post\" action=\"");
    mg_html_attr(&h, action);
    mg_html(&h, "\">\n");
    move_fields(&h, d, p->id);
    mg_html(&h, "<label for=\"group_id\">");
    mg_html_textf(&h, _("Move %s to"), p->name);
    mg_html(&h, "</label>\n<select id=\"group_id\" name=\"group_id\">\n");
    for (g = first; g < last; g++) {
        if (groups[g].id == p->group_id)
            continue;
        mg_html(&h, "<option value=\"");
        mg_html_int(&h, groups[g].id);
        mg_html(&h, "\">");
        mg_html_text(&h, row_label(&groups[g], label, sizeof(label)));
        mg_html(&h, "</option>\n");
    }
    mg_html(&h, "</select>\n<button type=\"submit\" class=\"button\">");
    mg_html_text(&h, _("Move"));
    mg_html(&h, "</button></form>\n");
    snprintf(path, sizeof(path), "/dashboard/circles/%lld/people/%lld/move",
             (long long)c->id, (long long)p->id);
    dash_pager(&h, path, "gpage", gpage, n_groups, NULL, 0, NULL);
    mg_html(&h, "<form method=\"post\" action=\"");
    mg_html_attr(&h, action);
    mg_html(&h, "\">\n");
    move_fields(&h, d, p->id);
    mg_html(&h, "<label for=\"group_number\">");
    mg_html_text(&h, _("Or the group's number"));
    mg_html(&h, "</label>\n<input type=\"number\" id=\"group_number\" "
                "name=\"group_number\" min=\"1\" max=\"");
    mg_html_int(&h, (long long)n_groups);
    mg_html(&h, "\" required>\n<button type=\"submit\" class=\"button "
                "secondary\">");
    mg_html_text(&h, _("Move"));
    mg_html(&h, "</button></form>\n");
end:
    mg_html(&h, "<p><a href=\"");
    circle_href(&h, c->id);
    mg_html(&h, "#people\">");
    mg_html_text(&h, _("Back to the circle"));
    mg_html(&h, "</a></p>\n");
    web_end(&h);
    web_reply(r, status, &h);
out:
    mg_store_groups_free(groups, n_groups);
    mg_participants_free(p, p ? 1 : 0);
    mg_circle_free(c);
}

/*
 * Why the last move was refused, from the redirect's query: ?error= for
 * a missing or unknown group, ?refused=<group id> for broken rules, which
 * are checked again now (fixed words; the query carries only ids).
 */
static void refusal_from_query(struct refusal *why, char **text,
                               struct mg_issue **issues, size_t *n_issues,
                               struct request *r, int64_t person_id)
{
    const char *error = request_arg(r, "error");
    int64_t group = dash_positive(request_arg(r, "refused"));
    struct mg_move_scope m;
    char label[32];
    int to, rc;

    memset(why, 0, sizeof(*why));
    if (error && strcmp(error, "number") == 0)
        why->text = _("There is no group of that number.");
    else if (error)
        why->text = _("Choose a group to move them to.");
    if (why->text || !group)
        return;
    if (mg_assign_scope_load(&m, &to, r->srv->store, r->params[0], person_id,
                             group) == 0 &&
        to >= 0) {
        rc = mg_group_check_move(issues, n_issues, &m.in, 0, to);
        *text = mg_xasprintf(
            rc < 0 ? _("%s was not moved to %s: the move breaks these rules.")
                   : _("%s was not moved to %s then; the rules allow it now."),
            m.me->name,
            row_name(m.groups, m.n_groups, to, label, sizeof(label)));
        why->text = *text;
        why->issues = *issues;
        why->n_issues = *n_issues;
        why->force_group = group;
    }
    mg_assign_scope_release(&m);
}

/* Speak circle `id`'s language from here on (English when it is gone). */
static void dash_use_circle_language(struct request *r, int64_t id)
{
    struct mg_circle *c = NULL;

    if (mg_store_circle_get(&c, r->srv->store, id) == 0)
        dash_use_language(c);
    mg_circle_free(c);
}

void handle_dash_move_form(struct request *r)
{
    struct mg_issue *issues = NULL;
    size_t n_issues = 0;
    struct refusal why;
    char *text = NULL;
    struct dash d;

    if (dash_require_session(&d, r) < 0)
        return;
    dash_use_circle_language(r, r->params[0]);
    refusal_from_query(&why, &text, &issues, &n_issues, r, r->params[1]);
    move_page(r, &d, MHD_HTTP_OK, r->params[1], why.text ? &why : NULL);
    mg_issues_free(issues, n_issues);
    free(text);
}

/* Move a person, then back to the circle saying so; a refusal goes to
 * the person's move page, which says why. */
void handle_dash_move(struct request *r)
{
    struct mg_form f = {NULL, 0, 0};
    struct mg_error err = {{0}, {0}};
    struct mg_issue *issues = NULL;
    size_t n_issues = 0;
    struct mg_buf where = MG_BUF_INIT;
    struct mg_move_scope m;
    struct dash d;
    int64_t person, group, number, circle = r->params[0];
    int scoped = 0, to, force, rc;

    if (dash_form_begin(&f, &d, r) < 0)
        goto out;
    person = dash_form_int(&f, "participant_id");
    group = dash_form_int(&f, "group_id");
    number = dash_form_int(&f, "group_number");
    force = mg_form_get(&f, "force") &&
            strcmp(mg_form_get(&f, "force")->value, "1") == 0;
    dash_use_circle_language(r, circle);
    if (!group && number) {
        struct mg_group_row *groups = NULL;
        size_t n_groups = 0;

        if (mg_store_groups_list(&groups, &n_groups, r->srv->store, circle) ==
                0 &&
            (size_t)number <= n_groups)
            group = groups[number - 1].id;
        mg_store_groups_free(groups, n_groups);
    }
    if (!group) {
        struct mg_participant *p = NULL;

        rc = mg_store_participant_get(&p, r->srv->store, circle, person);
        if (rc == 0 && p->status == MG_STATUS_ACTIVE) {
            mg_buf_printf(&where,
                          "/dashboard/circles/%lld/people/%lld/move?error=%s",
                          (long long)circle, (long long)person,
                          number ? "number" : "choose");
            dash_redirect(r, &where);
        } else {
            reply_page_message(r, MHD_HTTP_NOT_FOUND, _("Not found"),
                               _("There is no such person."));
        }
        mg_participants_free(p, p ? 1 : 0);
        goto out;
    }
    /* checked over the two groups the move concerns, not the circle */
    scoped = 1;
    rc = mg_assign_move_scoped(&m, &to, &issues, &n_issues, r->srv->store,
                               circle, person, group, force, &err);
    if (rc == MG_ENOTFOUND) {
        reply_page_message(r, MHD_HTTP_NOT_FOUND, _("Not found"),
                           err.message[0] ? err.message
                                          : _("There is no such person."));
        goto out;
    }
    if (rc == MG_ECONFLICT) {
        mg_buf_printf(&where,
                      "/dashboard/circles/%lld/people/%lld/move?refused=%lld",
                      (long long)circle, (long long)person, (long long)group);
        dash_redirect(r, &where);
        goto out;
    }
    if (rc < 0) {
        dash_error_page(r, rc, NULL);
        goto out;
    }
    if (n_issues)
        mg_log(MG_LOG_WARN, "move made against the rules", "rule",
               issues[0].rule, NULL);
    /* the mover's invitations only */
    http_reconcile_scope(r, circle, &person, 1, NULL, 0, NULL);
    /* what they asked for on their page is done */
    http_move_request_done(r, circle, person);
    mg_buf_printf(&where,
                  "/dashboard/circles/%lld?done=moved&person=%lld&group=%lld"
                  "#people",
                  (long long)circle, (long long)person, (long long)group);
    dash_redirect(r, &where);
out:
    mg_issues_free(issues, n_issues);
    if (scoped)
        mg_assign_scope_release(&m);
    mg_form_release(&f);
}

/*
 * POST .../groups/{gid}/call: the group's own call link (empty: none).
 * A bad link goes back to the form with the error next to the field
 * and changes nothing; a new one sends its members (only) the update.
 */
void handle_dash_group_call(struct request *r)
{
    struct mg_form f = {NULL, 0, 0};
    struct mg_error err = {{0}, {0}};
    struct mg_buf where = MG_BUF_INIT;
    const struct mg_form_field *field;
    struct dash d;
    int64_t circle = r->params[0], group = r->params[1];
    const char *url;
    size_t queued = 0;
    int changed = 0, rc;

    if (dash_form_begin(&f, &d, r) < 0)
        goto out;
    dash_use_circle_language(r, circle);
    field = mg_form_get(&f, "call_url");
    url = field && *field->value ? field->value : NULL;
    if (url && mg_circle_call_url_check(url, "call_url", &err) < 0) {
        mg_buf_printf(&where,
                      "/dashboard/circles/%lld?group=%lld&link_error=1#call",
                      (long long)circle, (long long)group);
        dash_redirect(r, &where);
        goto out;
    }
    rc = mg_store_group_call_url_set(&changed, r->srv->store, circle, group,
                                     url);
    if (rc == MG_ENOTFOUND) {
        reply_page_message(r, MHD_HTTP_NOT_FOUND, _("Not found"),
                           _("There is no such group."));
        goto out;
    }
    if (rc < 0) {
        dash_error_page(r, rc, NULL);
        goto out;
    }
    /* its members' invitations only */
    if (changed)
        http_reconcile_scope(r, circle, NULL, 0, &group, 1, &queued);
    mg_buf_printf(&where,
                  "/dashboard/circles/%lld?done=link&group=%lld&queued=%zu"
                  "#call",
                  (long long)circle, (long long)group, queued);
    dash_redirect(r, &where);
out:
    mg_form_release(&f);
}

void handle_dash_invites(struct request *r)
{
    struct mg_form f = {NULL, 0, 0};
    struct mg_error err = {{0}, {0}};
    struct mg_buf where = MG_BUF_INIT;
    struct dash d;
    struct mg_circle *c = NULL;
    size_t queued = 0;
    int rc;

    if (dash_form_begin(&f, &d, r) < 0)
        goto out;
    rc = mg_store_circle_get(&c, r->srv->store, r->params[0]);
    if (rc == 0)
        rc = mg_calendar_reconcile(&queued, r->srv->store, r->params[0], &err);
    if (rc == MG_EINVAL) {
        /* Nothing was sent; the only reason is a missing organizer. */
        mg_buf_printf(&where,
                      "/dashboard/circles/%lld?done=no_organizer#outbox",
                      (long long)r->params[0]);
        dash_redirect(r, &where);
        goto out;
    }
    if (rc < 0) {
        dash_error_page(r, rc, _("There is no such circle."));
        goto out;
    }
    if (queued)
        mg_http_wake_outbox(r->srv);
    mg_buf_printf(&where,
                  "/dashboard/circles/%lld?done=invites&queued=%zu#outbox",
                  (long long)r->params[0], queued);
    dash_redirect(r, &where);
out:
    mg_circle_free(c);
    mg_form_release(&f);
}

/* --- rebalancing -------------------------------------------------------- */

#define REBALANCE_SEED 1

/* What a rebalance would do, as 16 hex digits: the apply form carries
 * the preview's, so only what was shown is applied. */
static void plan_fingerprint(char out[17], const struct mg_assign *a)
{
    uint64_t x = 1469598103934665603ULL;
    size_t i;

    for (i = 0; i < a->n_people; i++) {
        int from = a->persons[i].current, to = a->result.group_of[i];
        int64_t v[3];
        size_t k;
        const unsigned char *bytes = (const unsigned char *)v;

        if (from == to)
            continue;
        v[0] = a->people[i].id;
        v[1] = from;
        v[2] = to;
        for (k = 0; k < sizeof(v); k++) {
            x ^= bytes[k];
            x *= 1099511628211ULL;
        }
    }
    snprintf(out, 17, "%016llx", (unsigned long long)x);
}

/* The groups a rebalance opens or dissolves, said in a list. */
static void opened_dissolved(struct mg_html *h, const struct mg_assign *a)
{
    const struct mg_assign_result *r = &a->result;
    char label[32], when[48];
    size_t i;
    int g;

    if (r->n_opened == 0 && r->n_dissolved == 0)
        return;
    mg_html(h, "<ul>\n");
    for (g = (int)a->n_groups; g < r->n_groups; g++) {
        const struct mg_group_spec *s = &r->groups[g];

        when[0] = '\0';
        if (s->slot >= 0 && (size_t)s->slot < a->circle->n_slots) {
            const struct mg_slot *sl = &a->circle->slots[s->slot];

            snprintf(when, sizeof(when), "%s %02d:%02d",
                     web_weekday(sl->weekday), sl->start_minute / 60,
                     sl->start_minute % 60);
        }
        mg_html(h, "<li>");
        mg_html_textf(h,
                      _("A new group opens (the groups are full): it meets "
                        "%s and follows \"%s\"."),
                      when[0] ? when : _("at any time"),
                      s->thread >= 0 && (size_t)s->thread < a->n_threads
                          ? a->threads[s->thread].title
                          : _("the whole book"));
        mg_html(h, "</li>\n");
    }
    for (i = 0; r->dissolved && i < a->n_groups; i++) {
        if (!r->dissolved[i])
            continue;
        mg_html(h, "<li>");
        mg_html_textf(h,
                      _("%s is dissolved: too few people for every group to "
                        "reach the minimum size. Its members go to other "
                        "groups and are sent a cancellation."),
                      group_label(a, (int)i, label, sizeof(label)));
        mg_html(h, "</li>\n");
    }
    mg_html(h, "</ul>\n");
}

/* A rebalance preview's title and notices, the quick one's and the full
 * one's alike (a notice of why the last apply did nothing included). */
static void rebalance_begin(struct mg_html *h, const struct dash *d,
                            struct request *r, const struct mg_circle *c)
{
    dash_begin(h, d, _("Rebalance preview"));
    mg_html(h, "<h1>");
    mg_html_textf(h, _("Rebalance preview: %s"), c->title);
    mg_html(h, "</h1>\n");
    if (request_arg(r, "changed"))
        dash_notice(h,
                    _("The groups changed since that preview, so nothing was "
                      "applied: here is a fresh one."),
                    1);
    if (request_arg(r, "refused"))
        dash_notice(h,
                    _("Nothing was applied: these moves break the hard rules "
                      "listed below. Apply them anyway only if you mean to."),
                    1);
    dash_notice(h,
                _("A preview: nothing has been changed. Apply it with the "
                  "button below."),
                0);
}

/* The apply form up to its fields: where it goes, the session's token
 * and the fingerprint of what was shown. The caller closes it. */
static void apply_form_begin(struct mg_html *h, const struct dash *d,
                             int64_t circle_id, const char *plan)
{
    char action[96];

    snprintf(action, sizeof(action), "/dashboard/circles/%lld/rebalance",
             (long long)circle_id);
    mg_html(h, "<form method=\"post\" action=\"");
    mg_html_attr(h, action);
    mg_html(h, "\">\n");
    dash_csrf(h, d);
    mg_html(h, "<input type=\"hidden\" name=\"plan\" value=\"");
    mg_html_attr(h, plan);
    mg_html(h, "\">\n");
}

/* The way back, and the page sent. */
static void rebalance_end(struct mg_html *h, struct request *r,
                          int64_t circle_id)
{
    mg_html(h, "<p><a href=\"");
    circle_href(h, circle_id);
    mg_html(h, "#groups\">");
    mg_html_text(h, _("Back to the circle"));
    mg_html(h, "</a></p>\n");
    web_end(h);
    web_reply(r, MHD_HTTP_OK, h);
}

/* The fingerprint of newcomers placed without loading the circle. */
static void quick_fingerprint(char out[17], const struct mg_assign_quick *q)
{
    uint64_t x = 1469598103934665603ULL ^ 0x71;
    size_t i, k;

    for (i = 0; i < q->n_placed; i++) {
        int64_t v[2] = {q->placed[i].person_id, q->placed[i].group_id};
        const unsigned char *bytes = (const unsigned char *)v;

        for (k = 0; k < sizeof(v); k++) {
            x ^= bytes[k];
            x *= 1099511628211ULL;
        }
    }
    snprintf(out, 17, "%016llx", (unsigned long long)x);
}

/*
 * The preview when the only change is a few newcomers who fit groups
 * with room (mg_assign_quick_rebalance, storing nothing): 1 when the
 * page is sent, 0 when the full preview is needed.
 */
static int quick_preview(struct request *r, struct dash *d)
{
    struct mg_html h = MG_HTML_INIT;
    struct mg_assign_quick q;
    struct mg_circle *c = NULL;
    char plan[17];
    size_t i;

    if (mg_assign_quick_rebalance(&q, r->srv->store, r->params[0], 0) < 0 ||
        !q.applied || q.n_placed == 0 ||
        mg_store_circle_get(&c, r->srv->store, r->params[0]) < 0) {
        mg_assign_quick_release(&q);
        return 0;
    }
    dash_use_language(c);
    rebalance_begin(&h, d, r, c);
    mg_html(&h, "<h2>");
    mg_html_text(&h, _("Proposed moves"));
    mg_html(&h, "</h2>\n<ul>\n");
    for (i = 0; i < q.n_placed && i < MOVES_SHOWN; i++) {
        char label[32];

        snprintf(label, sizeof(label), _("Group %d"),
                 q.placed[i].group_position);
        mg_html(&h, "<li>");
        mg_html_text(&h, q.placed[i].name);
        mg_html(&h, ": ");
        mg_html_text(&h, _("no group"));
        mg_html(&h, " &rarr; ");
        mg_html_text(&h, label);
        mg_html(&h, "</li>\n");
    }
    if (q.n_placed > MOVES_SHOWN) {
        mg_html(&h, "<li>");
        mg_html_textf(&h, _("... and %zu more."), q.n_placed - MOVES_SHOWN);
        mg_html(&h, "</li>\n");
    }
    mg_html(&h, "</ul>\n<p>");
    mg_html_textf(&h,
                  mg_ngettext("%zu newcomer placed in a group with room; "
                              "nobody already placed moves.",
                              "%zu newcomers placed in groups with room; "
                              "nobody already placed moves.",
                              q.n_placed),
                  q.n_placed);
    mg_html(&h, "</p>\n");
    quick_fingerprint(plan, &q);
    apply_form_begin(&h, d, c->id, plan);
    mg_html(&h, "<button type=\"submit\" class=\"button\">");
    mg_html_text(&h, _("Apply these moves"));
    mg_html(&h, "</button></form>\n");
    rebalance_end(&h, r, c->id);
    mg_circle_free(c);
    mg_assign_quick_release(&q);
    return 1;
}

/*
 * Apply the newcomers' placement a quick preview showed: 1 when done
 * (or sent back), 0 when the full rebalance must decide.
 */
static int quick_apply(struct request *r, const char *want)
{
    struct mg_assign_quick q;
    struct mg_buf where = MG_BUF_INIT;
    char plan[17];
    int64_t *ids;
    size_t i;

    if (mg_assign_quick_rebalance(&q, r->srv->store, r->params[0], 0) < 0 ||
        !q.applied || q.n_placed == 0) {
        mg_assign_quick_release(&q);
        return 0;
    }
    quick_fingerprint(plan, &q);
    mg_assign_quick_release(&q);
    if (!want || strcmp(want, plan) != 0)
        return 0; /* the full path sends them back to a fresh preview */
    if (mg_assign_quick_rebalance(&q, r->srv->store, r->params[0], 1) < 0 ||
        !q.applied) {
        mg_assign_quick_release(&q);
        return 0;
    }
    ids = mg_xcalloc(q.n_placed + 1, sizeof(*ids));
    for (i = 0; i < q.n_placed; i++)
        ids[i] = q.placed[i].person_id;
    http_reconcile_scope(r, r->params[0], ids, q.n_placed, NULL, 0, NULL);
    mg_buf_printf(&where,
                  "/dashboard/circles/%lld?done=rebalanced&moves=%zu#groups",
                  (long long)r->params[0], q.n_placed);
    dash_redirect(r, &where);
    free(ids);
    mg_assign_quick_release(&q);
    return 1;
}

/* A dry run of the rebalance: the moves it would make, stored nowhere,
 * and the form that applies them. */
void handle_dash_rebalance_preview(struct request *r)
{
    struct mg_html h = MG_HTML_INIT;
    struct dash d;
    struct mg_assign a;
    struct tally after;
    char label[32], label2[32], plan[17], action[96];
    size_t i, moves = 0, hard;
    int64_t max_moves;
    int rc;

    if (dash_require_session(&d, r) < 0)
        return;
    max_moves = dash_positive(request_arg(r, "max_moves"));
    if (max_moves > 100000)
        max_moves = 100000;
    /* a few newcomers who fit: shown without loading the circle */
    if (max_moves == 0 && quick_preview(r, &d) != 0)
        return;
    rc = mg_assign_load(&a, r->srv->store, r->params[0]);
    if (rc < 0) {
        dash_error_page(r, rc, _("There is no such circle."));
        return;
    }
    dash_use_language(a.circle);
    rebalance_begin(&h, &d, r, a.circle);
    a.in.max_moves = (int)max_moves;
    rc = a.n_people ? mg_assign_rebalance(&a, REBALANCE_SEED) : MG_ENOTFOUND;
    if (rc == MG_ENOTFOUND) {
        mg_html(&h, "<p>");
        mg_html_text(&h, _("There is nothing to rebalance: the circle has "
                           "no groups or no active people yet."));
        mg_html(&h, "</p>\n");
    } else if (rc < 0) {
        mg_html_release(&h);
        dash_error_page(r, rc, NULL);
        goto out;
    } else {
        mg_html(&h, "<h2>");
        mg_html_text(&h, _("Proposed moves"));
        mg_html(&h, "</h2>\n");
        for (i = 0; i < a.n_people; i++) {
            int from = a.persons[i].current, to = a.result.group_of[i];
            if (from == to)
                continue;
            if (moves++ >= MOVES_SHOWN)
                continue;
            if (moves == 1)
                mg_html(&h, "<ul>\n");
            mg_html(&h, "<li>");
            mg_html_text(&h, a.people[i].name);
            mg_html(&h, ": ");
            mg_html_text(&h, from >= 0
                                 ? group_label(&a, from, label, sizeof(label))
                                 : _("no group"));
            mg_html(&h, " &rarr; ");
            mg_html_text(&h, to >= 0
                                 ? group_label(&a, to, label2, sizeof(label2))
                                 : _("no group"));
            mg_html(&h, "</li>\n");
        }
        if (moves > MOVES_SHOWN) {
            mg_html(&h, "<li>");
            mg_html_textf(&h, _("... and %zu more."), moves - MOVES_SHOWN);
            mg_html(&h, "</li>\n");
        }
        if (moves) {
            mg_html(&h, "</ul>\n<p>");
            if (moves > a.result.moves) {
                size_t placed = moves - a.result.moves;

                mg_html_textf(&h,
                              mg_ngettext("%zu newcomer placed; ",
                                          "%zu newcomers placed; ", placed),
                              placed);
            }
            if (a.result.moves_lower_bound == a.result.moves)
                mg_html_textf(&h,
                              mg_ngettext("%zu move, the fewest possible.",
                                          "%zu moves, the fewest possible.",
                                          a.result.moves),
                              a.result.moves);
            else
                mg_html_textf(&h,
                              mg_ngettext("%zu move (no plan can do with "
                                          "fewer than %zu).",
                                          "%zu moves (no plan can do with "
                                          "fewer than %zu).",
                                          a.result.moves),
                              a.result.moves, a.result.moves_lower_bound);
            mg_html(&h, "</p>\n");
            opened_dissolved(&h, &a);
            plan_fingerprint(plan, &a);
            apply_form_begin(&h, &d, a.circle->id, plan);
            if (max_moves > 0) {
                mg_html(&h, "<input type=\"hidden\" name=\"max_moves\" "
                            "value=\"");
                mg_html_int(&h, max_moves);
                mg_html(&h, "\">\n");
            }
            hard = mg_assign_hard_issues(a.result.issues, a.result.n_issues);
            if (hard) {
                /* the same refusal as the API's 409: say why, and make
                 * applying anyway a deliberate choice */
                mg_html(&h, "<p class=\"warn\">");
                mg_html_textf(&h,
                              mg_ngettext("These moves break %zu hard rule "
                                          "(listed below).",
                                          "These moves break %zu hard rules "
                                          "(listed below).",
                                          hard),
                              hard);
                mg_html(&h, "</p>\n<input type=\"hidden\" name=\"force\" "
                            "value=\"1\">\n");
            }
            mg_html(&h, "<button type=\"submit\" class=\"button\">");
            mg_html_text(&h, hard ? _("Apply anyway") : _("Apply these moves"));
            mg_html(&h, "</button></form>\n");
        } else {
            mg_html(&h, "<p>");
            mg_html_text(&h, _("None: the groups are as good as the planner "
                               "can make them without moving anyone."));
            mg_html(&h, "</p>\n");
        }
        mg_html(&h, "<h2>");
        mg_html_text(&h, _("Groups after"));
        mg_html(&h, "</h2>\n");
        if (a.result.n_groups > DASH_PAGE_SIZE) {
            mg_html(&h, "<p class=\"muted\">");
            mg_html_textf(&h, _("The first %d of %d groups."), DASH_PAGE_SIZE,
                          a.result.n_groups);
            mg_html(&h, "</p>\n");
        }
        tally_plan(&after, &a, a.result.group_of, a.result.n_groups);
        groups_chart(&h, &after, 0,
                     a.result.n_groups < DASH_PAGE_SIZE ? a.result.n_groups
                                                        : DASH_PAGE_SIZE,
                     "after");
        tally_release(&after);
        mg_html(&h, "<h2>");
        mg_html_text(&h, _("Quality after"));
        mg_html(&h, "</h2>\n");
        quality_list(&h, &a.result.quality);
        /* more moves for better balance: the coordinator's trade */
        snprintf(action, sizeof(action), "/dashboard/circles/%lld/rebalance",
                 (long long)a.circle->id);
        mg_html(&h, "<form method=\"get\" action=\"");
        mg_html_attr(&h, action);
        mg_html(&h, "\">\n<p><label for=\"max-moves\">");
        mg_html_text(&h, _("Move up to this many people for better sector "
                           "and region balance:"));
        mg_html(&h, "</label>\n<input type=\"number\" id=\"max-moves\" "
                    "name=\"max_moves\" min=\"1\" max=\"100000\" value=\"");
        mg_html_int(&h,
                    max_moves > 0 ? max_moves : (int64_t)a.result.moves + 10);
        mg_html(&h, "\">\n<button type=\"submit\" class=\"button\">");
        mg_html_text(&h, _("Preview"));
        mg_html(&h, "</button></p></form>\n");
        if (a.result.n_issues) {
            mg_html(&h, "<h2>");
            mg_html_text(&h, _("Rules the planner could not meet"));
            mg_html(&h, "</h2>\n<ul class=\"warn\">\n");
            for (i = 0; i < a.result.n_issues && i < WARNINGS_SHOWN; i++) {
                mg_html(&h, "<li>");
                mg_html_text(&h, a.result.issues[i].message);
                mg_html(&h, "</li>\n");
            }
            mg_html(&h, "</ul>\n");
        }
    }
    rebalance_end(&h, r, a.circle->id);
out:
    mg_assign_release(&a);
}

/* Apply the rebalance the preview showed (its fingerprint), or send the
 * coordinator back to a fresh preview when the groups changed since. */
void handle_dash_rebalance(struct request *r)
{
    struct mg_form f = {NULL, 0, 0};
    struct mg_buf where = MG_BUF_INIT;
    const struct mg_form_field *want, *force;
    struct dash d;
    struct mg_assign a;
    char plan[17];
    int64_t *moved = NULL, t0 = mg_now(), total = -1, active, n_groups,
            max_id = 0;
    size_t i, moves = 0;
    int loaded = 0, rc;

    if (dash_form_begin(&f, &d, r) < 0)
        goto out;
    want = mg_form_get(&f, "plan");
    if (quick_apply(r, want ? want->value : NULL))
        goto out;
    if (mg_store_circle_counts(&total, &active, &n_groups, &max_id,
                               r->srv->store, r->params[0]) < 0)
        total = -1;
    rc = mg_assign_load(&a, r->srv->store, r->params[0]);
    if (rc < 0) {
        dash_error_page(r, rc, _("There is no such circle."));
        goto out;
    }
    loaded = 1;
    dash_use_language(a.circle);
    a.in.max_moves = (int)(dash_form_int(&f, "max_moves") > 100000
                               ? 100000
                               : dash_form_int(&f, "max_moves"));
    rc = a.n_people ? mg_assign_rebalance(&a, REBALANCE_SEED) : MG_ENOTFOUND;
    if (rc < 0 && rc != MG_ENOTFOUND) {
        dash_error_page(r, rc, NULL);
        goto out;
    }
    want = mg_form_get(&f, "plan");
    if (rc == 0)
        plan_fingerprint(plan, &a);
    if (rc < 0 || !want || strcmp(want->value, plan) != 0) {
        mg_buf_printf(&where, "/dashboard/circles/%lld/rebalance?changed=1",
                      (long long)a.circle->id);
        dash_redirect(r, &where);
        goto out;
    }
    /* hard-rule breaks are applied only when the preview's "Apply
     * anyway" says so, as the API's force */
    force = mg_form_get(&f, "force");
    if (mg_assign_hard_issues(a.result.issues, a.result.n_issues) &&
        !(force && strcmp(force->value, "1") == 0)) {
        mg_buf_printf(&where, "/dashboard/circles/%lld/rebalance?refused=1",
                      (long long)a.circle->id);
        dash_redirect(r, &where);
        goto out;
    }
    moved = mg_xcalloc(a.n_people + 1, sizeof(*moved));
    for (i = 0; i < a.n_people; i++)
        if (a.persons[i].current != a.result.group_of[i])
            moved[moves++] = a.people[i].id;
    rc = mg_assign_commit_rebalance(&a, r->srv->store);
    if (rc == 0 && a.result.n_groups > (int)a.n_groups)
        rc = mg_calendar_create_sessions(r->srv->store, a.circle->id);
    if (rc == 0 && total >= 0) /* where the next rebalance starts */
        rc = mg_assign_mark(r->srv->store, &a, t0, total, max_id, 0);
    if (rc < 0) {
        dash_error_page(r, rc, NULL);
        goto out;
    }
    /* the invitations of the people moved, not the whole circle's */
    http_reconcile_scope(r, a.circle->id, moved, moves, NULL, 0, NULL);
    mg_buf_printf(&where,
                  "/dashboard/circles/%lld?done=rebalanced&moves=%zu#groups",
                  (long long)a.circle->id, moves);
    dash_redirect(r, &where);
out:
    free(moved);
    if (loaded)
        mg_assign_release(&a);
    mg_form_release(&f);
}

/* POST /dashboard/circles/{id}/move-requests/{id}/dismiss: the request
 * is closed without a move; back to the circle's list. */
void handle_dash_move_request_dismiss(struct request *r)
{
    struct mg_form f = {NULL, 0, 0};
    struct mg_buf where = MG_BUF_INIT;
    struct dash d;
    int rc;

    if (dash_form_begin(&f, &d, r) < 0)
        goto out;
    dash_use_circle_language(r, r->params[0]);
    rc = mg_store_move_request_close(r->srv->store, r->params[0], r->params[1],
                                     MG_MOVE_DISMISSED);
    if (rc < 0 && rc != MG_ECONFLICT) {
        dash_error_page(r, rc, _("There is no such move request."));
        goto out;
    }
    mg_buf_printf(&where, "/dashboard/circles/%lld?done=dismissed#moves",
                  (long long)r->params[0]);
    dash_redirect(r, &where);
out:
    mg_form_release(&f);
}

/* --- the digest --------------------------------------------------------- */

static void digest_weeks(struct mg_html *h, const struct mg_circle *c, int week)
{
    int w;

    mg_html(h, "<nav class=\"pager\" aria-label=\"");
    mg_html_attr(h, _("Weeks"));
    mg_html(h, "\"><span>");
    mg_html_text(h, _("Notes digest, week:"));
    mg_html(h, "</span>");
    for (w = 1; w <= c->weeks; w++) {
        if (w == week) {
            mg_html(h, "<strong aria-current=\"page\">");
            mg_html_int(h, w);
            mg_html(h, "</strong>");
            continue;
        }
        mg_html(h, "<a href=\"");
        circle_href(h, c->id);
        mg_html(h, "/digest?week=");
        mg_html_int(h, w);
        mg_html(h, "\">");
        mg_html_int(h, w);
        mg_html(h, "</a>");
    }
    mg_html(h, "</nav>\n");
    if (!week) {
        mg_html(h, "<p>");
        mg_html_text(h, _("Choose a week to read every group's summaries and "
                          "notes for it."));
        mg_html(h, "</p>\n");
    }
}

void handle_dash_digest(struct request *r)
{
    struct mg_error err = {{0}, {0}};
    struct mg_html h = MG_HTML_INIT;
    struct mg_circle *c = NULL;
    const char *wv = request_arg(r, "week");
    struct mg_html body = MG_HTML_INIT;
    struct dash d;
    int64_t week = 0;
    int rc;

    if (dash_require_session(&d, r) < 0)
        return;
    rc = mg_store_circle_get(&c, r->srv->store, r->params[0]);
    if (rc < 0) {
        dash_error_page(r, rc, _("There is no such circle."));
        goto out;
    }
    dash_use_language(c);
    if (wv &&
        (strspn(wv, "0123456789") != strlen(wv) || !*wv || strlen(wv) > 6)) {
        reply_page_message(r, MHD_HTTP_BAD_REQUEST, _("Bad week"),
                           _("The week must be a week number of the circle."));
        goto out;
    }
    if (wv)
        week = atoll(wv);
    if (wv && (week < 1 || week > c->weeks)) {
        char text[256];

        snprintf(text, sizeof(text),
                 _("This circle has weeks 1 to %d; there is no week %lld."),
                 c->weeks, (long long)week);
        reply_page_message(r, MHD_HTTP_NOT_FOUND, _("No such week"), text);
        goto out;
    }
    /* One week at a time: the whole circle's notes at once would grow
     * with every group and week. */
    if (wv)
        rc = mg_notes_digest_into(&body, r->srv->store, r->params[0], (int)week,
                                  &err);
    if (rc < 0) {
        dash_error_page(r, rc == MG_EINVAL ? MG_ENOTFOUND : rc,
                        err.message[0] ? err.message : NULL);
        goto out;
    }
    dash_begin(&h, &d, _("Notes digest"));
    if (!wv) /* with a week, the digest's own heading is the page's */
        mg_html_element(&h, "h1", _("Notes digest"));
    mg_html(&h, "<p><a href=\"");
    circle_href(&h, c->id);
    mg_html(&h, "#notes\">");
    mg_html_text(&h, _("Back to the circle"));
    mg_html(&h, "</a></p>\n");
    digest_weeks(&h, c, (int)week);
    if (wv) {
        mg_html(&h, "<div class=\"digest\">\n");
        mg_html_append(&h, &body);
        mg_html(&h, "</div>\n");
    }
    web_end(&h);
    web_reply(r, MHD_HTTP_OK, &h);
out:
    mg_html_release(&body);
    mg_circle_free(c);
}
