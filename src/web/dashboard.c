/*
 * dashboard.c: the coordinator's dashboard, server-rendered HTML
 * without scripts. A coordinator logs in with an API token and gets a
 * session cookie; every form that changes something carries the
 * session's CSRF token. Circles, the book plan, groups with an SVG chart
 * of their size and sector mix, moves, a rebalance preview, invitations,
 * how the circle is going (attendance against target, retention), the
 * outbox and the notes; the work itself is assign's, calendar's and
 * notes', the page scaffolding page.c's.
 */
#define _GNU_SOURCE
#include "web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "mingle/assign.h"
#include "mingle/calendar.h"
#include "mingle/inbound.h"
#include "mingle/notes.h"
#include "mingle/report.h"

#include "banned.h"

#define COOKIE_NAME "mingle_session"
#define SESSION_TTL (8 * 3600)
#define OUTBOX_SHOWN 20
#define REVIEW_SHOWN 10

/* A logged-in coordinator: the session and the API token behind it. */
struct dash {
    struct mg_web_session s;
    struct mg_token tok;
};

/* What a page reports at its top: a success or a refusal with reasons,
 * and optionally the form to make a refused move anyway. */
struct notice {
    const char *text; /* plain text */
    int error;
    const struct mg_issue *issues;
    size_t n_issues;
    int64_t force_person, force_group;
};

/* What the dashboard adds to page.c's stylesheet; contrast as there. */
static const char dash_css[] =
    "<style>"
    ".vh{position:absolute;width:1px;height:1px;margin:-1px;padding:0;"
    "overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}"
    "nav{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1rem;"
    "margin:.5rem 0}"
    "form.inline{display:inline-flex;flex-wrap:wrap;align-items:center;"
    "gap:.25rem;margin:0}"
    "form.inline button{margin:0}"
    "label{font-weight:600}"
    "th .muted{font-weight:400}"
    "select,input[type=password],input[type=number]{font:inherit;"
    "padding:.4rem;border:1px solid #4a4a4a;border-radius:.3rem;"
    "max-width:100%;min-height:2.5rem;background:#fff;color:#1a1a1a}"
    "input[type=password]{width:100%;margin:.25rem 0 .5rem}"
    ".chart svg{display:block;width:100%;height:auto}"
    ".legend{list-style:none;padding:0;margin:.5rem 0;display:flex;"
    "flex-wrap:wrap;gap:.25rem 1.25rem}"
    ".legend svg{vertical-align:middle;margin-right:.35rem}"
    ".notice.error{border-left-color:#a12b2b;background:#fdf0f0}"
    ".notice.ok{border-left-color:#187a4f;background:#eef8f2}"
    ".warn li{margin:.2rem 0}"
    ".actions{display:flex;flex-wrap:wrap;gap:.5rem}"
    ".nowrap{white-space:nowrap}"
    "</style>\n";

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

/* "2027-03-02 19:30" (UTC), or "-" for 0. */
static void format_time(char *out, size_t n, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (!t) {
        snprintf(out, n, "-");
        return;
    }
    gmtime_r(&tt, &tm);
    strftime(out, n, "%Y-%m-%d %H:%M", &tm);
}

/* --- replies ---------------------------------------------------------- */

static void error_page(struct request *r, int rc, const char *what)
{
    if (rc == MG_ENOTFOUND)
        reply_page_message(r, MHD_HTTP_NOT_FOUND, "Not found",
                           what ? what : "There is no such page.");
    else if (rc == MG_EBUSY)
        reply_page_message(r, MHD_HTTP_SERVICE_UNAVAILABLE, "Busy",
                           "The database is busy; try again in a moment.");
    else
        reply_page_message(r, MHD_HTTP_INTERNAL_SERVER_ERROR,
                           "Something went wrong",
                           "The server could not do that; its log says why.");
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

/* 0 with the session, or a reply made (303 to the login page). */
static int require_session(struct dash *d, struct request *r)
{
    int rc = session_load(d, r);

    if (rc == MG_EAUTH)
        reply_redirect(r, "/dashboard/login", NULL);
    else if (rc < 0)
        error_page(r, rc, NULL);
    if (rc < 0)
        return rc;
    /* What the session does is the coordinator's: the audit log says so. */
    r->token = d->tok;
    r->via = "dashboard";
    if (strstr(r->route->pattern, "/circles/{id}") &&
        !http_token_has_circle(&d->tok, r->params[0])) {
        reply_page_message(r, MHD_HTTP_FORBIDDEN, "Forbidden",
                           "Your token is for another circle.");
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
    reply_page_message(r, MHD_HTTP_FORBIDDEN, "Forbidden",
                       "This form did not come from your dashboard "
                       "session, or the session has changed. Go back, "
                       "reload the page and try again.");
}

/*
 * For a state-changing POST: the session, the posted form and its CSRF
 * token, compared in constant time. 0, or a reply made.
 */
static int form_begin(struct mg_form *f, struct dash *d, struct request *r)
{
    const struct mg_form_field *csrf;

    if (require_session(d, r) < 0)
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

/* A positive integer field or query argument, else 0. */
static int64_t positive(const char *v)
{
    char *end;
    long long n;

    if (!v || *v < '1' || *v > '9')
        return 0;
    n = strtoll(v, &end, 10);
    return *end ? 0 : (int64_t)n;
}

static int64_t form_int(const struct mg_form *f, const char *name)
{
    const struct mg_form_field *v = mg_form_get(f, name);

    return v ? positive(v->value) : 0;
}

static void hidden_csrf(struct mg_buf *b, const struct dash *d)
{
    mg_buf_puts(b, "<input type=\"hidden\" name=\"csrf\" value=\"");
    mg_buf_html_escape(b, d->s.csrf);
    mg_buf_puts(b, "\">\n");
}

/* A one-button form posting to `action` (a path of ours). */
static void button_form(struct mg_buf *b, const struct dash *d,
                        const char *action, const char *label, int secondary)
{
    mg_buf_puts(b, "<form method=\"post\" class=\"inline\" action=\"");
    mg_buf_html_escape(b, action);
    mg_buf_puts(b, "\">\n");
    hidden_csrf(b, d);
    mg_buf_printf(b, "<button type=\"submit\" class=\"button%s\">",
                  secondary ? " secondary" : "");
    page_text(b, label);
    mg_buf_puts(b, "</button></form>\n");
}

/* page_begin plus the dashboard's styles and navigation. */
static void dash_begin(struct mg_buf *b, const struct dash *d,
                       const char *title)
{
    page_begin(b, title);
    mg_buf_puts(b, dash_css);
    if (d) {
        mg_buf_puts(b, "<nav aria-label=\"Dashboard\">"
                       "<a href=\"/dashboard\">All circles</a>\n");
        button_form(b, d, "/dashboard/logout", "Log out", 1);
        mg_buf_puts(b, "</nav>\n");
    }
}

static void notice_render(struct mg_buf *b, const struct dash *d,
                          int64_t circle_id, const struct notice *n)
{
    size_t i;

    if (!n || !n->text)
        return;
    mg_buf_printf(b, "<div class=\"notice %s\" role=\"%s\"><p>",
                  n->error ? "error" : "ok", n->error ? "alert" : "status");
    page_text(b, n->text);
    mg_buf_puts(b, "</p>\n");
    if (n->n_issues) {
        mg_buf_puts(b, "<ul>\n");
        for (i = 0; i < n->n_issues; i++) {
            mg_buf_puts(b, "<li>");
            page_text(b, n->issues[i].message);
            mg_buf_puts(b, " <span class=\"muted\">(");
            page_text(b, n->issues[i].rule);
            mg_buf_puts(b, ")</span></li>\n");
        }
        mg_buf_puts(b, "</ul>\n");
    }
    if (n->force_person && n->force_group) {
        mg_buf_printf(b,
                      "<form method=\"post\" class=\"inline\" "
                      "action=\"/dashboard/circles/%lld/move\">\n",
                      (long long)circle_id);
        hidden_csrf(b, d);
        mg_buf_printf(b,
                      "<input type=\"hidden\" name=\"participant_id\" "
                      "value=\"%lld\">\n<input type=\"hidden\" "
                      "name=\"group_id\" value=\"%lld\">\n<input "
                      "type=\"hidden\" name=\"force\" value=\"1\">\n"
                      "<button type=\"submit\" class=\"button secondary\">"
                      "Move anyway</button></form>\n",
                      (long long)n->force_person, (long long)n->force_group);
    }
    mg_buf_puts(b, "</div>\n");
}

/* --- login and logout --------------------------------------------------- */

static void login_page(struct request *r, unsigned int status,
                       const char *error)
{
    struct mg_buf b = MG_BUF_INIT;

    dash_begin(&b, NULL, "Coordinator login");
    mg_buf_puts(&b, "<h1>Coordinator dashboard</h1>\n");
    if (error) {
        mg_buf_puts(&b, "<div class=\"notice error\" role=\"alert\"><p>");
        page_text(&b, error);
        mg_buf_puts(&b, "</p></div>\n");
    }
    mg_buf_puts(
        &b, "<form method=\"post\" action=\"/dashboard/login\">\n"
            "<label for=\"token\">Coordinator API token</label>\n"
            "<input id=\"token\" name=\"token\" type=\"password\" required "
            "autocomplete=\"off\" autocapitalize=\"off\" spellcheck=\"false\" "
            "aria-describedby=\"token-help\">\n"
            "<p id=\"token-help\" class=\"muted\">The token <code>mingle token "
            "create --role coordinator</code> printed; it starts with "
            "<code>mgt_</code>. The browser keeps a session for 8 hours, not "
            "the token.</p>\n"
            "<button type=\"submit\" class=\"button\">Log in</button>\n"
            "</form>\n");
    page_end(&b);
    reply_page(r, status, mg_buf_detach(&b));
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
        error_page(r, rc, NULL);
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
        login_page(r, MHD_HTTP_BAD_REQUEST, "Paste your API token.");
        goto out;
    }
    trim_copy(token, sizeof(token), given->value);
    rc = mg_auth_token_parse(id, hash, token);
    if (rc == 0)
        rc = mg_store_token_check(&tok, r->srv->store, id, hash);
    if (rc == MG_EAUTH) {
        http_auth_failed(r);
        login_page(r, MHD_HTTP_FORBIDDEN,
                   "That is not a live API token. Check you pasted all of "
                   "it.");
        goto out;
    }
    if (rc < 0) {
        error_page(r, rc, NULL);
        goto out;
    }
    if (tok.role != MG_ROLE_COORDINATOR) {
        login_page(r, MHD_HTTP_FORBIDDEN,
                   "Only a coordinator's token opens the dashboard.");
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
        error_page(r, rc, NULL);
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

    if (form_begin(&f, &d, r) < 0)
        goto out;
    rc = mg_store_web_session_revoke(r->srv->store, d.s.public_id);
    if (rc < 0 && rc != MG_ENOTFOUND) {
        error_page(r, rc, NULL);
        goto out;
    }
    reply_redirect(r, "/dashboard/login",
                   COOKIE_NAME "=; Path=/dashboard; Max-Age=0; HttpOnly; "
                               "SameSite=Strict");
out:
    mg_form_release(&f);
}

/* --- the circles ------------------------------------------------------ */

static size_t count_people(struct mg_store *st, int64_t circle_id,
                           const char *status)
{
    struct mg_participant *p = NULL;
    struct mg_people_filter f;
    size_t n = 0;

    memset(&f, 0, sizeof(f));
    f.status = status;
    if (mg_store_participants_list(&p, &n, st, circle_id, &f) < 0)
        return 0;
    mg_participants_free(p, n);
    return n;
}

/* Notes waiting for review: of one circle, or (any) of every circle and
 * none. */
static int review_notes(struct mg_note **out, size_t *n, struct mg_store *st,
                        int64_t circle_id, int any, int limit)
{
    struct mg_note_filter f;

    memset(&f, 0, sizeof(f));
    f.status = "review";
    f.circle_id = circle_id;
    f.any_circle = any;
    f.limit = limit;
    return mg_store_notes_list(out, n, st, &f);
}

void handle_dash_home(struct request *r)
{
    struct mg_buf b = MG_BUF_INIT;
    struct mg_circle *list = NULL;
    struct mg_note *notes = NULL;
    size_t n = 0, n_notes = 0, i, total = 0;
    int64_t after = 0;
    struct dash d;
    int rc;

    if (require_session(&d, r) < 0)
        return;
    dash_begin(&b, &d, "Circles");
    mg_buf_puts(&b, "<h1>Circles</h1>\n");
    do {
        rc = mg_store_circle_list(&list, &n, r->srv->store, after, 200);
        if (rc < 0)
            goto fail;
        if (total == 0 && n == 0)
            mg_buf_puts(&b, "<p>No circles yet. Create one with <code>POST "
                            "/api/v1/circles</code> or <code>mingle circle "
                            "create</code>.</p>\n");
        if (total == 0 && n > 0)
            mg_buf_puts(&b, "<div class=\"scroll\"><table>\n<thead><tr>"
                            "<th scope=\"col\">Circle</th>"
                            "<th scope=\"col\">Starts</th>"
                            "<th scope=\"col\">Weeks</th>"
                            "<th scope=\"col\">Active</th>"
                            "<th scope=\"col\">Waitlisted</th>"
                            "<th scope=\"col\">Groups</th>"
                            "</tr></thead>\n<tbody>\n");
        for (i = 0; i < n; i++) {
            struct mg_group_row *groups = NULL;
            size_t n_groups = 0;

            after = list[i].id;
            if (!http_token_has_circle(&d.tok, list[i].id))
                continue;
            if (mg_store_groups_list(&groups, &n_groups, r->srv->store,
                                     list[i].id) < 0)
                n_groups = 0;
            mg_store_groups_free(groups, n_groups);
            mg_buf_printf(&b,
                          "<tr><th scope=\"row\"><a "
                          "href=\"/dashboard/circles/%lld\">",
                          (long long)list[i].id);
            page_text(&b, list[i].title);
            mg_buf_puts(&b, "</a></th><td>");
            page_text(&b, list[i].start_date);
            mg_buf_printf(&b,
                          "</td><td>%d</td><td>%zu</td><td>%zu</td><td>%zu</td>"
                          "</tr>\n",
                          list[i].weeks,
                          count_people(r->srv->store, list[i].id, "active"),
                          count_people(r->srv->store, list[i].id, "waitlisted"),
                          n_groups);
        }
        total += n;
        mg_store_circles_free(list, n);
        list = NULL;
    } while (n == 200);
    if (total)
        mg_buf_puts(&b, "</tbody></table></div>\n");
    rc = review_notes(&notes, &n_notes, r->srv->store, d.tok.circle_id,
                      d.tok.circle_id == 0, 0);
    if (rc < 0)
        goto fail;
    mg_buf_puts(&b, "<h2>Review queue</h2>\n");
    mg_buf_printf(&b, "<p>%zu message%s wait%s for review (%s).</p>\n", n_notes,
                  n_notes == 1 ? "" : "s", n_notes == 1 ? "s" : "",
                  d.tok.circle_id ? "this circle"
                                  : "every circle, and mail that reached none");
    mg_store_notes_free(notes, n_notes);
    page_end(&b);
    reply_page(r, MHD_HTTP_OK, mg_buf_detach(&b));
    return;
fail:
    mg_buf_release(&b);
    error_page(r, rc, NULL);
}

/* --- the circle page ---------------------------------------------------- */

static void slot_text(char *out, size_t n, const struct mg_circle *c,
                      int64_t slot_id)
{
    size_t i;

    snprintf(out, n, "no slot");
    for (i = 0; i < c->n_slots; i++)
        if (c->slots[i].id == slot_id) {
            const char *day = mg_weekday_name(c->slots[i].weekday);
            snprintf(out, n, "%c%s %02d:%02d", day[0] - 'a' + 'A', day + 1,
                     c->slots[i].start_minute / 60,
                     c->slots[i].start_minute % 60);
        }
}

static const char *thread_title(const struct mg_assign *a, int64_t thread_id)
{
    size_t i;

    for (i = 0; i < a->n_threads; i++)
        if (a->threads[i].id == thread_id)
            return a->threads[i].title;
    return NULL;
}

static void circle_summary(struct mg_buf *b, const struct mg_circle *c)
{
    char text[64];
    size_t i;

    mg_buf_puts(b, "<dl>\n");
    page_row(b, "Time zone", c->time_zone);
    page_row(b, "Starts", c->start_date);
    snprintf(text, sizeof(text), "%d", c->weeks);
    page_row(b, "Weeks", text);
    snprintf(text, sizeof(text), "%d to %d people", c->group_min, c->group_max);
    page_row(b, "Group size", text);
    mg_buf_puts(b, "<dt>Call slots</dt><dd>");
    for (i = 0; i < c->n_slots; i++) {
        slot_text(text, sizeof(text), c, c->slots[i].id);
        mg_buf_printf(b, "%s", i ? ", " : "");
        page_textf(b, "%s (%d min)", text, c->slots[i].minutes);
    }
    mg_buf_puts(b, "</dd>\n");
    page_row(b, "Organizer", c->organizer_email);
    mg_buf_puts(b, "</dl>\n");
}

static void readings_table(struct mg_buf *b, const struct mg_span *r, size_t n,
                           int64_t thread_id)
{
    size_t i;

    mg_buf_puts(b, "<div class=\"scroll\"><table>\n<thead><tr>"
                   "<th scope=\"col\">Week</th><th scope=\"col\">Reading</th>"
                   "<th scope=\"col\">Words</th></tr></thead>\n<tbody>\n");
    for (i = 0; i < n; i++) {
        if (r[i].thread_id != thread_id)
            continue;
        mg_buf_printf(b, "<tr><td>%d</td><td>", r[i].position);
        page_text(b, r[i].first_title);
        if (r[i].last_title && r[i].last_section_id != r[i].first_section_id) {
            mg_buf_puts(b, " &ndash; ");
            page_text(b, r[i].last_title);
        }
        mg_buf_printf(b, "</td><td>%lld</td></tr>\n", (long long)r[i].words);
    }
    mg_buf_puts(b, "</tbody></table></div>\n");
}

static int book_section(struct mg_buf *b, struct mg_store *st, int64_t id)
{
    struct mg_book_info info;
    struct mg_span *threads = NULL, *same = NULL, *per = NULL;
    size_t n_threads = 0, n_same = 0, n_per = 0, i;
    int rc = mg_store_book_get(&info, st, id);

    mg_buf_puts(b, "<section aria-labelledby=\"book\">\n"
                   "<h2 id=\"book\">Book plan</h2>\n");
    if (rc == MG_ENOTFOUND) {
        mg_buf_puts(b, "<p>No book yet: upload one with <code>POST "
                       "/api/v1/circles/{id}/book</code>.</p>\n</section>\n");
        return 0;
    }
    if (rc < 0)
        return rc;
    mg_buf_puts(b, "<p><strong>");
    page_text(b, info.title         ? info.title
                 : info.source_name ? info.source_name
                                    : "The book");
    mg_buf_puts(b, "</strong>");
    if (info.author) {
        mg_buf_puts(b, " by ");
        page_text(b, info.author);
    }
    mg_buf_printf(b,
                  " <span class=\"muted\">(%lld words, %lld sections)"
                  "</span></p>\n",
                  (long long)info.words, (long long)info.sections);
    mg_store_book_info_release(&info);
    rc = mg_store_threads(&threads, &n_threads, st, id);
    if (rc == 0)
        rc = mg_store_readings(&same, &n_same, st, id, "same_pace");
    if (rc == 0)
        rc = mg_store_readings(&per, &n_per, st, id, "thread");
    if (rc < 0)
        goto out;
    if (n_threads) {
        mg_buf_puts(b, "<h3>Threads</h3>\n<div class=\"scroll\"><table>\n"
                       "<thead><tr><th scope=\"col\">#</th>"
                       "<th scope=\"col\">Thread</th>"
                       "<th scope=\"col\">Words</th></tr></thead>\n"
                       "<tbody>\n");
        for (i = 0; i < n_threads; i++) {
            mg_buf_printf(b, "<tr><td>%d</td><td>", threads[i].position);
            page_text(b, threads[i].title);
            mg_buf_printf(b, "</td><td>%lld</td></tr>\n",
                          (long long)threads[i].words);
        }
        mg_buf_puts(b, "</tbody></table></div>\n");
    }
    if (n_same) {
        mg_buf_puts(b, "<details><summary>Weekly readings, the whole book at "
                       "the same pace</summary>\n");
        readings_table(b, same, n_same, 0);
        mg_buf_puts(b, "</details>\n");
    }
    for (i = 0; i < n_threads && n_per; i++) {
        mg_buf_puts(b, "<details><summary>Weekly readings of ");
        page_text(b, threads[i].title);
        mg_buf_puts(b, "</summary>\n");
        readings_table(b, per, n_per, threads[i].id);
        mg_buf_puts(b, "</details>\n");
    }
    mg_buf_puts(b, "</section>\n");
out:
    mg_store_spans_free(threads, n_threads);
    mg_store_spans_free(same, n_same);
    mg_store_spans_free(per, n_per);
    return rc;
}

/* Sizes and per-sector counts of `n_groups` groups under `group_of`;
 * counts[g * (n_sectors + 1) + s + 1], s = -1 for no sector. */
static void tally(int **size, int **counts, const struct mg_assign *a,
                  const int *group_of, int n_groups)
{
    size_t width = a->n_sectors + 1, i;

    *size = mg_xcalloc((size_t)n_groups + 1, sizeof(int));
    *counts = mg_xcalloc(((size_t)n_groups + 1) * width, sizeof(int));
    for (i = 0; i < a->n_people; i++) {
        int g = group_of[i];
        if (g < 0 || g >= n_groups)
            continue;
        (*size)[g]++;
        (*counts)[(size_t)g * width + (size_t)(a->persons[i].sector + 1)]++;
    }
}

static const char *sector_name(const struct mg_assign *a, int s)
{
    return s < 0 ? "no sector" : a->sectors[s];
}

/* "Group 1: 7 people (3 public, 2 school)" */
static void group_words(struct mg_buf *b, const struct mg_assign *a,
                        const char *name, const int *counts, int size)
{
    int s, first = 1;

    page_textf(b, "%s: %d %s (", name, size, size == 1 ? "person" : "people");
    for (s = -1; s < (int)a->n_sectors; s++) {
        if (!counts[s + 1])
            continue;
        page_textf(b, "%s%d ", first ? "" : ", ", counts[s + 1]);
        page_text(b, sector_name(a, s));
        first = 0;
    }
    mg_buf_puts(b, ")");
}

static const char *group_label(const struct mg_assign *a, int g, char *buf,
                               size_t n)
{
    if ((size_t)g < a->n_groups && a->groups[g].name)
        return a->groups[g].name;
    snprintf(buf, n, "Group %d", g + 1);
    return buf;
}

/*
 * The chart: one bar per group, its height the group's size, stacked by
 * sector, with the circle's minimum and maximum size as dashed lines.
 * Plain SVG: it scales with the page and needs no script or font.
 */
static void chart(struct mg_buf *b, const struct mg_assign *a,
                  const int *group_of, int n_groups, const char *id)
{
    const double top = 16, plot_h = 200, left = 34, bar_w = 34, gap = 18;
    const double base = top + plot_h;
    size_t width = a->n_sectors + 1;
    double w = left + gap + n_groups * (bar_w + gap) + 48, unit;
    int *size, *counts, ymax = a->circle->group_max, g, s;
    char label[32];

    tally(&size, &counts, a, group_of, n_groups);
    for (g = 0; g < n_groups; g++)
        if (size[g] > ymax)
            ymax = size[g];
    if (ymax < 1)
        ymax = 1;
    unit = plot_h / ymax;
    mg_buf_printf(b,
                  "<div class=\"chart\"><svg xmlns=\"http://www.w3.org/2000/"
                  "svg\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
                  "aria-labelledby=\"%s-t %s-d\" style=\"max-width:%.0fpx\">\n"
                  "<title id=\"%s-t\">Group sizes by sector</title>\n"
                  "<desc id=\"%s-d\">",
                  w, base + 40, id, id, w * 1.6, id, id);
    page_textf(b,
               "Each bar is a group, its height the group's size, split by "
               "sector; dashed lines mark the minimum (%d) and maximum "
               "(%d) group size. ",
               a->circle->group_min, a->circle->group_max);
    for (g = 0; g < n_groups; g++) {
        group_words(b, a, group_label(a, g, label, sizeof(label)),
                    &counts[(size_t)g * width], size[g]);
        mg_buf_puts(b, ". ");
    }
    mg_buf_puts(b, "</desc>\n");
    /* axis and reference lines */
    mg_buf_printf(b,
                  "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" "
                  "stroke=\"#4a4a4a\"/>\n<text x=\"%.0f\" y=\"%.0f\" "
                  "font-size=\"11\" text-anchor=\"end\" "
                  "fill=\"#1a1a1a\">0</text>\n",
                  left, base, w - 44, base, left - 6, base + 4);
    {
        const int ref[2] = {a->circle->group_min, a->circle->group_max};
        const char *const name[2] = {"min", "max"};
        int k;

        for (k = 0; k < 2; k++) {
            double y = base - ref[k] * unit;
            mg_buf_printf(b,
                          "<g class=\"ref\" data-ref=\"%s\" data-value=\"%d\">"
                          "<line x1=\"%.0f\" y1=\"%.2f\" x2=\"%.0f\" "
                          "y2=\"%.2f\" stroke=\"#1a1a1a\" "
                          "stroke-dasharray=\"5 4\"/><text x=\"%.0f\" "
                          "y=\"%.2f\" font-size=\"11\" text-anchor=\"end\" "
                          "fill=\"#1a1a1a\">%d</text><text x=\"%.0f\" "
                          "y=\"%.2f\" font-size=\"11\" fill=\"#1a1a1a\">"
                          "%s %d</text></g>\n",
                          name[k], ref[k], left, y, w - 44, y, left - 6, y + 4,
                          ref[k], w - 40, y + 4, name[k], ref[k]);
        }
    }
    for (g = 0; g < n_groups; g++) {
        const int *c = &counts[(size_t)g * width];
        double x = left + gap + g * (bar_w + gap), y = base;
        const char *name = group_label(a, g, label, sizeof(label));

        mg_buf_printf(b,
                      "<g class=\"bar\" data-group=\"%lld\" "
                      "data-size=\"%d\">\n<title>",
                      (size_t)g < a->n_groups ? (long long)a->groups[g].id
                                              : (long long)(g + 1),
                      size[g]);
        group_words(b, a, name, c, size[g]);
        mg_buf_puts(b, "</title>\n");
        for (s = -1; s < (int)a->n_sectors; s++) {
            double h = c[s + 1] * unit;
            if (!c[s + 1])
                continue;
            y -= h;
            mg_buf_printf(b,
                          "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.0f\" "
                          "height=\"%.2f\" fill=\"%s\" stroke=\"#fff\" "
                          "stroke-width=\"1\" data-sector=\"",
                          x, y, bar_w, h, sector_colour(s));
            page_text(b, sector_name(a, s));
            mg_buf_puts(b, "\"/>\n");
        }
        mg_buf_printf(b,
                      "<text x=\"%.2f\" y=\"%.2f\" font-size=\"12\" "
                      "text-anchor=\"middle\" fill=\"#1a1a1a\">%d</text>\n"
                      "<text x=\"%.2f\" y=\"%.0f\" font-size=\"12\" "
                      "text-anchor=\"middle\" fill=\"#1a1a1a\">G%d</text>\n"
                      "</g>\n",
                      x + bar_w / 2, y - 4, size[g], x + bar_w / 2, base + 16,
                      g + 1);
    }
    mg_buf_puts(b, "</svg></div>\n");
    /* the legend, in HTML so it wraps on a phone */
    mg_buf_puts(b, "<ul class=\"legend\" aria-label=\"Sectors\">\n");
    for (s = -1; s < (int)a->n_sectors; s++) {
        int total = 0;
        for (g = 0; g < n_groups; g++)
            total += counts[(size_t)g * width + (size_t)(s + 1)];
        if (!total)
            continue;
        mg_buf_printf(b,
                      "<li><svg width=\"14\" height=\"14\" "
                      "aria-hidden=\"true\"><rect width=\"14\" height=\"14\" "
                      "fill=\"%s\"/></svg>",
                      sector_colour(s));
        page_text(b, sector_name(a, s));
        mg_buf_printf(b, " <span class=\"muted\">(%d)</span></li>\n", total);
    }
    mg_buf_puts(b, "</ul>\n");
    free(size);
    free(counts);
}

static void quality_list(struct mg_buf *b, const struct mg_quality *q)
{
    char text[96];

    mg_buf_puts(b, "<dl>\n");
    snprintf(text, sizeof(text), "%d to %d people", q->smallest, q->largest);
    page_row(b, "Group sizes", text);
    snprintf(text, sizeof(text), "%d group-sector counts outside the fair band",
             q->sector_misses);
    page_row(b, "Sector mix", text);
    snprintf(text, sizeof(text), "%d group-region counts outside the fair band",
             q->region_misses);
    page_row(b, "Region mix", text);
    snprintf(text, sizeof(text), "%d of %d met", q->together_met,
             q->together_total);
    page_row(b, "Together wishes", text);
    snprintf(text, sizeof(text), "%d first choice, %d any choice, of %d",
             q->wishes_first, q->wishes_any, q->wishes_total);
    page_row(b, "Thread wishes", text);
    mg_buf_puts(b, "</dl>\n");
}

/* Hard-rule warnings about the groups as they stand. */
static void warnings(struct mg_buf *b, const struct mg_assign *a,
                     const struct mg_quality *q)
{
    struct mg_buf w = MG_BUF_INIT;
    size_t g, i;
    char label[32];

    for (g = 0; g < a->n_groups; g++) {
        int size = 0, fac = 0;
        const char *name = group_label(a, (int)g, label, sizeof(label));

        for (i = 0; i < a->n_people; i++)
            if (a->persons[i].current == (int)g) {
                size++;
                fac += a->persons[i].facilitator;
            }
        if (size < a->circle->group_min) {
            mg_buf_puts(&w, "<li>");
            page_textf(&w, "%s has %d people, below the minimum of %d.", name,
                       size, a->circle->group_min);
            mg_buf_puts(&w, "</li>\n");
        }
        if (size > a->circle->group_max) {
            mg_buf_puts(&w, "<li>");
            page_textf(&w, "%s has %d people, above the maximum of %d.", name,
                       size, a->circle->group_max);
            mg_buf_puts(&w, "</li>\n");
        }
        if (size && !fac) {
            mg_buf_puts(&w, "<li>");
            page_textf(&w, "%s has no facilitator.", name);
            mg_buf_puts(&w, "</li>\n");
        }
    }
    if (a->n_groups && q->largest - q->smallest > 1)
        mg_buf_printf(&w,
                      "<li>Group sizes differ by %d; the planner keeps "
                      "them within 1 when the numbers allow.</li>\n",
                      q->largest - q->smallest);
    if (a->n_groups && q->unplaced)
        mg_buf_printf(&w, "<li>%d active %s in no group.</li>\n", q->unplaced,
                      q->unplaced == 1 ? "person is" : "people are");
    if (q->slot_violations)
        mg_buf_printf(&w,
                      "<li>%d %s cannot make their group's call "
                      "slot.</li>\n",
                      q->slot_violations,
                      q->slot_violations == 1 ? "member" : "members");
    if (q->apart_violations)
        mg_buf_printf(&w,
                      "<li>%d &ldquo;apart&rdquo; %s share a "
                      "group.</li>\n",
                      q->apart_violations,
                      q->apart_violations == 1 ? "pair" : "pairs");
    mg_buf_puts(b, "<h3>Warnings</h3>\n");
    if (w.len) {
        mg_buf_puts(b, "<ul class=\"warn\">\n");
        mg_buf_add(b, w.data, w.len);
        mg_buf_puts(b, "</ul>\n");
    } else {
        mg_buf_puts(b, "<p>None: every hard rule holds.</p>\n");
    }
    mg_buf_release(&w);
}

/* The move form for person i: a select of the groups they are not in. */
static void move_form(struct mg_buf *b, const struct dash *d,
                      const struct mg_assign *a, size_t i)
{
    const struct mg_participant *p = &a->people[i];
    size_t g;
    char label[32];

    if (a->n_groups < 2 && a->persons[i].current >= 0) {
        mg_buf_puts(b, "-");
        return;
    }
    mg_buf_printf(b,
                  "<form method=\"post\" class=\"inline\" "
                  "action=\"/dashboard/circles/%lld/move\">\n",
                  (long long)a->circle->id);
    hidden_csrf(b, d);
    mg_buf_printf(b,
                  "<input type=\"hidden\" name=\"participant_id\" "
                  "value=\"%lld\">\n<label class=\"vh\" for=\"mv-%lld\">",
                  (long long)p->id, (long long)p->id);
    page_textf(b, "Move %s to", p->name);
    mg_buf_printf(b, "</label>\n<select id=\"mv-%lld\" name=\"group_id\">\n",
                  (long long)p->id);
    for (g = 0; g < a->n_groups; g++) {
        if ((int)g == a->persons[i].current)
            continue;
        mg_buf_printf(b, "<option value=\"%lld\">", (long long)a->groups[g].id);
        page_text(b, group_label(a, (int)g, label, sizeof(label)));
        mg_buf_puts(b, "</option>\n");
    }
    mg_buf_puts(b, "</select>\n<button type=\"submit\" class=\"button "
                   "secondary\">Move</button></form>");
}

static void members_table(struct mg_buf *b, const struct dash *d,
                          const struct mg_assign *a, int g)
{
    size_t i;

    /* Three columns, so a phone shows the move form without scrolling. */
    mg_buf_puts(b, "<div class=\"scroll\"><table>\n<thead><tr>"
                   "<th scope=\"col\">Name, role</th>"
                   "<th scope=\"col\">Sector, region</th>"
                   "<th scope=\"col\">Move</th></tr></thead>\n<tbody>\n");
    for (i = 0; i < a->n_people; i++) {
        const struct mg_participant *p = &a->people[i];

        if (a->persons[i].current != g)
            continue;
        mg_buf_puts(b, "<tr><th scope=\"row\">");
        page_text(b, p->name);
        mg_buf_puts(b, "<br><span class=\"muted\">");
        page_text(b, mg_person_role_name(p->role));
        mg_buf_puts(b, "</span></th><td>");
        page_text(b, p->sector ? p->sector : "-");
        mg_buf_puts(b, "<br><span class=\"muted\">");
        page_text(b, p->region ? p->region : "-");
        mg_buf_puts(b, "</span></td><td>");
        move_form(b, d, a, i);
        mg_buf_puts(b, "</td></tr>\n");
    }
    mg_buf_puts(b, "</tbody></table></div>\n");
}

static void groups_section(struct mg_buf *b, const struct dash *d,
                           struct mg_assign *a)
{
    struct mg_quality q;
    int *current = mg_xcalloc(a->n_people + 1, sizeof(int));
    char path[96], slot[64], label[32];
    size_t i, g;

    for (i = 0; i < a->n_people; i++)
        current[i] = a->persons[i].current;
    mg_assign_evaluate_current(a, &q);
    mg_buf_puts(b, "<section aria-labelledby=\"groups\">\n"
                   "<h2 id=\"groups\">Groups</h2>\n");
    if (!a->n_groups) {
        mg_buf_printf(b,
                      "<p>No groups yet: %zu active people wait to be "
                      "placed. Plan them with <code>POST "
                      "/api/v1/circles/%lld/groups/plan</code>.</p>\n",
                      a->n_people, (long long)a->circle->id);
        goto out;
    }
    chart(b, a, current, (int)a->n_groups, "chart");
    warnings(b, a, &q);
    mg_buf_puts(b, "<h3>Quality</h3>\n");
    quality_list(b, &q);
    mg_buf_puts(b, "<div class=\"actions\">\n");
    snprintf(path, sizeof(path), "/dashboard/circles/%lld/rebalance",
             (long long)a->circle->id);
    button_form(b, d, path, "Preview rebalance", 1);
    mg_buf_puts(b, "</div>\n");
    for (g = 0; g < a->n_groups; g++) {
        const struct mg_group_row *row = &a->groups[g];
        const char *thread = thread_title(a, row->thread_id);
        int size = 0, fac = 0;

        for (i = 0; i < a->n_people; i++)
            if (current[i] == (int)g) {
                size++;
                fac += a->persons[i].facilitator;
            }
        mg_buf_printf(b, "<h3 id=\"group-%lld\">", (long long)row->id);
        page_text(b, group_label(a, (int)g, label, sizeof(label)));
        mg_buf_puts(b, "</h3>\n<p class=\"muted\">");
        slot_text(slot, sizeof(slot), a->circle, row->slot_id);
        page_textf(b, "%d %s, %d facilitator%s; %s", size,
                   size == 1 ? "person" : "people", fac, fac == 1 ? "" : "s",
                   slot);
        if (thread) {
            mg_buf_puts(b, "; thread: ");
            page_text(b, thread);
        }
        if (row->address) {
            mg_buf_puts(b, "; mail: <code>");
            page_text(b, row->address);
            mg_buf_puts(b, "</code>");
        }
        mg_buf_puts(b, "</p>\n");
        members_table(b, d, a, (int)g);
    }
    if (q.unplaced) {
        mg_buf_puts(b, "<h3 id=\"unplaced\">In no group</h3>\n");
        members_table(b, d, a, -1);
    }
out:
    mg_buf_puts(b, "</section>\n");
    free(current);
}

static int outbox_section(struct mg_buf *b, const struct dash *d,
                          struct mg_store *st, int64_t id)
{
    static const char *const states[] = {"queued", "sending", "sent", "failed"};
    struct mg_outbox_row *rows = NULL;
    size_t n = 0, i;
    char path[96], when[32];
    int rc = 0;

    mg_buf_puts(b, "<section aria-labelledby=\"outbox\">\n"
                   "<h2 id=\"outbox\">Invitations and outbox</h2>\n"
                   "<div class=\"actions\">\n");
    snprintf(path, sizeof(path), "/dashboard/circles/%lld/invites",
             (long long)id);
    button_form(b, d, path, "Send invites", 0);
    mg_buf_puts(b, "</div>\n<p class=\"muted\">Sends every member what has "
                   "changed in their group's calls since the last time; "
                   "nothing is sent twice.</p>\n<dl>\n");
    for (i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
        char count[32];
        rc = mg_store_outbox_list(&rows, &n, st, id, states[i], 0);
        if (rc < 0)
            return rc;
        snprintf(count, sizeof(count), "%zu", n);
        page_row(b, states[i], count);
        mg_store_outbox_free(rows, n);
        rows = NULL;
    }
    mg_buf_puts(b, "</dl>\n");
    rc = mg_store_outbox_list(&rows, &n, st, id, NULL, OUTBOX_SHOWN);
    if (rc < 0)
        return rc;
    if (n) {
        mg_buf_printf(b,
                      "<h3>The last %d messages</h3>\n<div class=\"scroll\">"
                      "<table>\n<thead><tr><th scope=\"col\">Queued "
                      "(UTC)</th><th scope=\"col\">To</th>"
                      "<th scope=\"col\">Subject</th>"
                      "<th scope=\"col\">Status</th></tr></thead>\n"
                      "<tbody>\n",
                      OUTBOX_SHOWN);
        for (i = 0; i < n; i++) {
            format_time(when, sizeof(when), rows[i].created_at);
            mg_buf_printf(b, "<tr><td class=\"nowrap\">%s</td><td>", when);
            page_text(b, rows[i].recipient);
            mg_buf_puts(b, "</td><td>");
            page_text(b, rows[i].subject);
            mg_buf_puts(b, " <span class=\"muted\">(");
            page_text(b, rows[i].kind);
            mg_buf_puts(b, ")</span></td><td>");
            page_text(b, mg_store_outbox_status_name(rows[i].status));
            mg_buf_printf(b, "<br><span class=\"muted\">%d attempt%s</span>",
                          rows[i].attempts, rows[i].attempts == 1 ? "" : "s");
            if (rows[i].last_error) {
                mg_buf_puts(b, "<br><span class=\"muted\">");
                page_text(b, rows[i].last_error);
                mg_buf_puts(b, "</span>");
            }
            mg_buf_puts(b, "</td></tr>\n");
        }
        mg_buf_puts(b, "</tbody></table></div>\n");
    }
    mg_store_outbox_free(rows, n);
    mg_buf_puts(b, "</section>\n");
    return 0;
}

static int notes_section(struct mg_buf *b, struct mg_store *st, int64_t id)
{
    struct mg_note *notes = NULL;
    size_t n = 0, all = 0, i;
    char when[32];
    int rc = review_notes(&notes, &all, st, id, 0, 0);

    if (rc < 0)
        return rc;
    mg_store_notes_free(notes, all);
    notes = NULL;
    rc = review_notes(&notes, &n, st, id, 0, REVIEW_SHOWN);
    if (rc < 0)
        return rc;
    mg_buf_printf(b,
                  "<section aria-labelledby=\"notes\">\n"
                  "<h2 id=\"notes\">Notes</h2>\n<p><a "
                  "href=\"/dashboard/circles/%lld/digest\">Read the notes "
                  "digest</a>: every group's summaries and notes, week by "
                  "week.</p>\n<h3>Review queue</h3>\n<p>%zu message%s of "
                  "this circle wait%s for review",
                  (long long)id, all, all == 1 ? "" : "s", all == 1 ? "s" : "");
    mg_buf_puts(b, all ? " (approve or reject them with <code>POST "
                         "/api/v1/notes/{id}/approve</code> or "
                         "<code>/reject</code>).</p>\n"
                       : ".</p>\n");
    if (n) {
        mg_buf_puts(b, "<div class=\"scroll\"><table>\n<thead><tr>"
                       "<th scope=\"col\">#</th><th scope=\"col\">From</th>"
                       "<th scope=\"col\">Subject</th>"
                       "<th scope=\"col\">Why</th>"
                       "<th scope=\"col\">Received (UTC)</th></tr></thead>\n"
                       "<tbody>\n");
        for (i = 0; i < n; i++) {
            format_time(when, sizeof(when), notes[i].received_at);
            mg_buf_printf(b, "<tr><td>%lld</td><td>", (long long)notes[i].id);
            page_text(b, notes[i].from_name ? notes[i].from_name
                                            : notes[i].from_email);
            mg_buf_puts(b, "</td><td>");
            page_text(b, notes[i].subject ? notes[i].subject : "-");
            mg_buf_puts(b, "</td><td>");
            page_text(b, notes[i].review_reason ? notes[i].review_reason : "-");
            mg_buf_printf(b, "</td><td class=\"nowrap\">%s</td></tr>\n", when);
        }
        mg_buf_puts(b, "</tbody></table></div>\n");
    }
    mg_buf_puts(b, "</section>\n");
    mg_store_notes_free(notes, n);
    return 0;
}

/* --- how the circle is going (the success report) --------------------- */

/*
 * One bar per week: values[i], or no bar and "none" below when known[i]
 * is 0; a dashed reference line at `ref` (0: none) named `ref_name`.
 * Every bar carries its number as text, so colour is never the only
 * carrier; `desc` (already escaped) says it all in words.
 */
static void week_chart(struct mg_buf *b, const char *id, const char *title,
                       const char *desc, const double *values, const int *known,
                       size_t n, int decimals, double ref, const char *ref_name)
{
    const double top = 16, plot_h = 160, left = 34, bar_w = 30, gap = 14;
    const double base = top + plot_h;
    double w = left + gap + (double)n * (bar_w + gap) + 70, ymax = 1, unit;
    size_t i;

    for (i = 0; i < n; i++)
        if (known[i] && values[i] > ymax)
            ymax = values[i];
    if (ref > ymax)
        ymax = ref;
    unit = plot_h / ymax;
    mg_buf_printf(b,
                  "<div class=\"chart\"><svg xmlns=\"http://www.w3.org/2000/"
                  "svg\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
                  "aria-labelledby=\"%s-t %s-d\" style=\"max-width:%.0fpx\">\n"
                  "<title id=\"%s-t\">",
                  w, base + 40, id, id, w * 1.6, id);
    page_text(b, title);
    mg_buf_printf(b, "</title>\n<desc id=\"%s-d\">%s</desc>\n", id, desc);
    mg_buf_printf(b,
                  "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" "
                  "stroke=\"#4a4a4a\"/>\n<text x=\"%.0f\" y=\"%.0f\" "
                  "font-size=\"11\" text-anchor=\"end\" "
                  "fill=\"#1a1a1a\">0</text>\n",
                  left, base, w - 66, base, left - 6, base + 4);
    for (i = 0; i < n; i++) {
        double x = left + gap + (double)i * (bar_w + gap);
        double h = known[i] ? values[i] * unit : 0;

        mg_buf_printf(b, "<g class=\"bar\" data-week=\"%zu\">", i + 1);
        if (known[i]) {
            mg_buf_printf(b,
                          "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.0f\" "
                          "height=\"%.2f\" fill=\"#1f4e99\"/>\n<text "
                          "x=\"%.2f\" y=\"%.2f\" font-size=\"12\" "
                          "text-anchor=\"middle\" fill=\"#1a1a1a\">%.*f"
                          "</text>\n",
                          x, base - h, bar_w, h, x + bar_w / 2, base - h - 4,
                          decimals, values[i]);
        } else {
            mg_buf_printf(b,
                          "<text x=\"%.2f\" y=\"%.2f\" font-size=\"11\" "
                          "text-anchor=\"middle\" fill=\"#1a1a1a\">none"
                          "</text>\n",
                          x + bar_w / 2, base - 4);
        }
        mg_buf_printf(b,
                      "<text x=\"%.2f\" y=\"%.0f\" font-size=\"12\" "
                      "text-anchor=\"middle\" fill=\"#1a1a1a\">W%zu</text>"
                      "</g>\n",
                      x + bar_w / 2, base + 16, i + 1);
    }
    if (ref > 0) {
        double y = base - ref * unit;
        mg_buf_printf(b,
                      "<g class=\"ref\" data-ref=\"%s\" data-value=\"%g\">"
                      "<line x1=\"%.0f\" y1=\"%.2f\" x2=\"%.0f\" y2=\"%.2f\" "
                      "stroke=\"#1a1a1a\" stroke-dasharray=\"5 4\"/><text "
                      "x=\"%.0f\" y=\"%.2f\" font-size=\"11\" "
                      "fill=\"#1a1a1a\">%s %g</text></g>\n",
                      ref_name, ref, left, y, w - 66, y, w - 62, y + 4,
                      ref_name, ref);
    }
    mg_buf_puts(b, "</svg></div>\n");
}

static void figure_row(struct mg_buf *b, const char *label, const char *value)
{
    mg_buf_puts(b, "<tr><th scope=\"row\">");
    page_text(b, label);
    mg_buf_puts(b, "</th><td>");
    page_text(b, value);
    mg_buf_puts(b, "</td></tr>\n");
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

/* Key figures, then attendance per week against the target and
 * retention by week; the definitions are report.h's. */
static int report_section(struct mg_buf *b, struct mg_store *st, int64_t id)
{
    struct mg_report r;
    struct mg_buf text = MG_BUF_INIT, desc = MG_BUF_INIT;
    double *values;
    int *known;
    size_t i;
    int rc = mg_report_load(&r, st, id);

    if (rc < 0)
        return rc;
    mg_buf_puts(b, "<section aria-labelledby=\"report\">\n<h2 id=\"report\">"
                   "How the circle is going</h2>\n<div class=\"scroll\">"
                   "<table>\n<tbody>\n");
    mg_buf_printf(&text, "%d", r.t.invited);
    figure_row(b, "Invited", text.data);
    text.len = 0;
    mg_buf_printf(&text, "%d accepted, %d declined, %d tentative", r.t.accepted,
                  r.t.declined, r.t.tentative);
    figure_row(b, "Answers (all calls)", text.data);
    text.len = 0;
    mg_buf_printf(&text, "%d of %d", r.t.recorded, r.t.sessions);
    figure_row(b, "Calls with attendance recorded", text.data);
    text.len = 0;
    mg_buf_printf(&text, "%.1f", r.t.average);
    figure_row(b, "Average attendance per call", text.data);
    text.len = 0;
    if (r.target)
        mg_buf_printf(&text, "%d per call: %s", r.target,
                      r.target_met ? "met" : "not met");
    else
        mg_buf_puts(&text, "none set");
    figure_row(b, "Target", text.data);
    text.len = 0;
    mg_buf_printf(&text, "%d", r.t.attendees);
    figure_row(b, "Came at least once", text.data);
    text.len = 0;
    mg_buf_printf(&text, "%d", r.t.came_back);
    figure_row(b, "Came back (two calls or more)", text.data);
    text.len = 0;
    counts_text(&text, r.t.sectors, r.t.n_sectors);
    figure_row(b, "Sectors of those who came", text.data);
    text.len = 0;
    counts_text(&text, r.t.regions, r.t.n_regions);
    figure_row(b, "Regions of those who came", text.data);
    mg_buf_puts(b, "</tbody></table></div>\n");
    if (!r.t.recorded) {
        mg_buf_puts(b, "<p>No attendance recorded yet: import a call's Zoom "
                       "or Teams report to see attendance and retention "
                       "here.</p>\n</section>\n");
        goto out;
    }
    values = mg_xcalloc(r.n_weeks + 1, sizeof(*values));
    known = mg_xcalloc(r.n_weeks + 1, sizeof(*known));
    page_text(&desc, "Average people per call in each week");
    if (r.target)
        page_textf(&desc, ", against the target of %d per call (dashed line)",
                   r.target);
    page_text(&desc, ". ");
    for (i = 0; i < r.n_weeks; i++) {
        const struct mg_report_week *w = &r.weeks[i];
        known[i] = w->sessions > 0;
        values[i] = known[i] ? (double)w->attended / w->sessions : 0;
        if (known[i])
            page_textf(&desc,
                       "Week %d: %.1f people per call (%d call%s "
                       "recorded). ",
                       w->week, values[i], w->sessions,
                       w->sessions == 1 ? "" : "s");
        else
            page_textf(&desc, "Week %d: not recorded. ", w->week);
    }
    mg_buf_puts(b, "<h3>Attendance per call, by week</h3>\n");
    week_chart(b, "attendance-chart", "Attendance per call by week", desc.data,
               values, known, r.n_weeks, 1, r.target, "target");
    desc.len = 0;
    page_textf(&desc,
               "Of the %d people who came in week 1, how many came in each "
               "week. ",
               r.cohort);
    for (i = 0; i < r.n_weeks; i++) {
        const struct mg_report_week *w = &r.weeks[i];
        values[i] = w->retained;
        if (known[i])
            page_textf(&desc, "Week %d: %d of the %d (%d%%). ", w->week,
                       w->retained, r.cohort,
                       r.cohort ? (w->retained * 100 + r.cohort / 2) / r.cohort
                                : 0);
        else
            page_textf(&desc, "Week %d: not recorded. ", w->week);
    }
    mg_buf_puts(b, "<h3>Retention: week 1's people, week by week</h3>\n");
    week_chart(b, "retention-chart", "Retention by week", desc.data, values,
               known, r.n_weeks, 0, r.cohort, "cohort");
    mg_buf_puts(b, "</section>\n");
    free(values);
    free(known);
out:
    mg_buf_release(&text);
    mg_buf_release(&desc);
    mg_report_release(&r);
    return 0;
}

/* The notice ?done= asks for after a redirect (fixed words: the query
 * carries no text of its own). */
static void done_notice(struct mg_buf *b, struct request *r,
                        const struct mg_assign *a)
{
    const char *done = request_arg(r, "done");
    struct mg_buf text = MG_BUF_INIT;
    struct notice n;
    char label[32];

    if (!done)
        return;
    if (strcmp(done, "moved") == 0) {
        int who = mg_assign_person_index(a, positive(request_arg(r, "person")));
        int to = mg_assign_group_index(a, positive(request_arg(r, "group")));
        if (who >= 0 && to >= 0)
            mg_buf_printf(&text, "Moved %s to %s.", a->people[who].name,
                          group_label(a, to, label, sizeof(label)));
        else
            mg_buf_puts(&text, "Moved.");
    } else if (strcmp(done, "invites") == 0) {
        int64_t q = positive(request_arg(r, "queued"));
        if (q)
            mg_buf_printf(&text,
                          "Queued %lld message%s; the outbox is sending "
                          "them.",
                          (long long)q, q == 1 ? "" : "s");
        else
            mg_buf_puts(&text, "Every member's invitations are up to date: "
                               "nothing new to send.");
    } else {
        return;
    }
    memset(&n, 0, sizeof(n));
    n.text = text.data;
    notice_render(b, NULL, a->circle->id, &n);
    mg_buf_release(&text);
}

/* The whole circle page, with `n` (may be NULL) at its top. */
static void circle_page(struct request *r, const struct dash *d,
                        unsigned int status, int64_t id, const struct notice *n)
{
    struct mg_buf b = MG_BUF_INIT;
    struct mg_assign a;
    size_t waitlisted;
    int rc = mg_assign_load(&a, r->srv->store, id);

    if (rc < 0) {
        error_page(r, rc, "There is no such circle.");
        return;
    }
    dash_begin(&b, d, a.circle->title);
    mg_buf_puts(&b, "<h1>");
    page_text(&b, a.circle->title);
    mg_buf_puts(&b, "</h1>\n");
    notice_render(&b, d, id, n);
    if (!n)
        done_notice(&b, r, &a);
    waitlisted = count_people(r->srv->store, id, "waitlisted");
    mg_buf_printf(&b, "<p>%zu active %s, %zu waitlisted, %zu groups.</p>\n",
                  a.n_people, a.n_people == 1 ? "person" : "people", waitlisted,
                  a.n_groups);
    circle_summary(&b, a.circle);
    mg_buf_puts(&b, "<nav aria-label=\"On this page\"><a href=\"#book\">Book"
                    "</a> <a href=\"#groups\">Groups</a> <a "
                    "href=\"#report\">How it is going</a> <a "
                    "href=\"#outbox\">Outbox</a> <a href=\"#notes\">Notes</a>"
                    "</nav>\n");
    rc = book_section(&b, r->srv->store, id);
    if (rc == 0)
        groups_section(&b, d, &a);
    if (rc == 0)
        rc = report_section(&b, r->srv->store, id);
    if (rc == 0)
        rc = outbox_section(&b, d, r->srv->store, id);
    if (rc == 0)
        rc = notes_section(&b, r->srv->store, id);
    mg_assign_release(&a);
    if (rc < 0) {
        mg_buf_release(&b);
        error_page(r, rc, NULL);
        return;
    }
    page_end(&b);
    reply_page(r, status, mg_buf_detach(&b));
}

void handle_dash_circle(struct request *r)
{
    struct dash d;

    if (require_session(&d, r) < 0)
        return;
    circle_page(r, &d, MHD_HTTP_OK, r->params[0], NULL);
}

void handle_dash_move(struct request *r)
{
    struct mg_form f = {NULL, 0, 0};
    struct mg_error err = {{0}, {0}};
    struct mg_issue *issues = NULL;
    size_t n_issues = 0;
    struct notice n;
    struct dash d;
    struct mg_assign a;
    int64_t person, group;
    int loaded = 0, force, rc;
    char *text = NULL, where[160];

    memset(&n, 0, sizeof(n));
    if (form_begin(&f, &d, r) < 0)
        goto out;
    person = form_int(&f, "participant_id");
    group = form_int(&f, "group_id");
    force = mg_form_get(&f, "force") &&
            strcmp(mg_form_get(&f, "force")->value, "1") == 0;
    rc = mg_assign_load(&a, r->srv->store, r->params[0]);
    if (rc < 0) {
        error_page(r, rc, "There is no such circle.");
        goto out;
    }
    loaded = 1;
    rc = mg_assign_move(&issues, &n_issues, &a, r->srv->store, person, group,
                        force, &err);
    if (rc == MG_ENOTFOUND) {
        n.text = err.message;
        n.error = 1;
        circle_page(r, &d, MHD_HTTP_NOT_FOUND, a.circle->id, &n);
        goto out;
    }
    if (rc == MG_ECONFLICT) {
        int who = mg_assign_person_index(&a, person);
        char label[32];

        text =
            mg_xasprintf("%s was not moved to %s: the move breaks these rules.",
                         a.people[who].name,
                         group_label(&a, mg_assign_group_index(&a, group),
                                     label, sizeof(label)));
        n.text = text;
        n.error = 1;
        n.issues = issues;
        n.n_issues = n_issues;
        n.force_person = person;
        n.force_group = group;
        circle_page(r, &d, MHD_HTTP_CONFLICT, a.circle->id, &n);
        goto out;
    }
    if (rc < 0) {
        error_page(r, rc, NULL);
        goto out;
    }
    if (n_issues)
        mg_log(MG_LOG_WARN, "move made against the rules", "rule",
               issues[0].rule, NULL);
    http_reconcile(r, a.circle->id, NULL);
    snprintf(where, sizeof(where),
             "/dashboard/circles/%lld?done=moved&person=%lld&group=%lld"
             "#groups",
             (long long)a.circle->id, (long long)person, (long long)group);
    reply_redirect(r, where, NULL);
out:
    free(text);
    mg_issues_free(issues, n_issues);
    if (loaded)
        mg_assign_release(&a);
    mg_form_release(&f);
}

void handle_dash_invites(struct request *r)
{
    struct mg_form f = {NULL, 0, 0};
    struct mg_error err = {{0}, {0}};
    struct notice n;
    struct dash d;
    struct mg_circle *c = NULL;
    size_t queued = 0;
    char where[128];
    int rc;

    if (form_begin(&f, &d, r) < 0)
        goto out;
    rc = mg_store_circle_get(&c, r->srv->store, r->params[0]);
    if (rc == 0)
        rc = mg_calendar_reconcile(&queued, r->srv->store, r->params[0], &err);
    if (rc == MG_EINVAL) {
        memset(&n, 0, sizeof(n));
        n.text = err.message[0] ? err.message : "cannot send invitations";
        n.error = 1;
        circle_page(r, &d, MHD_HTTP_UNPROCESSABLE_CONTENT, r->params[0], &n);
        goto out;
    }
    if (rc < 0) {
        error_page(r, rc, "There is no such circle.");
        goto out;
    }
    if (queued)
        mg_http_wake_outbox(r->srv);
    snprintf(where, sizeof(where),
             "/dashboard/circles/%lld?done=invites&queued=%zu#outbox",
             (long long)r->params[0], queued);
    reply_redirect(r, where, NULL);
out:
    mg_circle_free(c);
    mg_form_release(&f);
}

/* A dry run of the rebalance: the moves it would make, stored nowhere. */
void handle_dash_rebalance(struct request *r)
{
    struct mg_form f = {NULL, 0, 0};
    struct mg_buf b = MG_BUF_INIT;
    struct dash d;
    struct mg_assign a;
    char back[64], label[32], label2[32];
    size_t i, moves = 0;
    int loaded = 0, rc;

    if (form_begin(&f, &d, r) < 0)
        goto out;
    rc = mg_assign_load(&a, r->srv->store, r->params[0]);
    if (rc < 0) {
        error_page(r, rc, "There is no such circle.");
        goto out;
    }
    loaded = 1;
    snprintf(back, sizeof(back), "/dashboard/circles/%lld",
             (long long)a.circle->id);
    dash_begin(&b, &d, "Rebalance preview");
    mg_buf_puts(&b, "<h1>Rebalance preview: ");
    page_text(&b, a.circle->title);
    mg_buf_printf(&b,
                  "</h1>\n<p class=\"notice ok\" role=\"status\">A preview: "
                  "nothing has been changed. Apply it with <code>POST "
                  "/api/v1/circles/%lld/groups/rebalance</code>.</p>\n",
                  (long long)a.circle->id);
    rc = a.n_people ? mg_assign_rebalance(&a, 1) : MG_ENOTFOUND;
    if (rc == MG_ENOTFOUND) {
        mg_buf_puts(&b, "<p>There is nothing to rebalance: the circle has "
                        "no groups or no active people yet.</p>\n");
    } else if (rc < 0) {
        mg_buf_release(&b);
        error_page(r, rc, NULL);
        goto out;
    } else {
        mg_buf_puts(&b, "<h2>Proposed moves</h2>\n");
        for (i = 0; i < a.n_people; i++) {
            int from = a.persons[i].current, to = a.result.group_of[i];
            if (from == to)
                continue;
            if (!moves++)
                mg_buf_puts(&b, "<ul>\n");
            mg_buf_puts(&b, "<li>");
            page_text(&b, a.people[i].name);
            mg_buf_puts(&b, ": ");
            page_text(&b, from >= 0
                              ? group_label(&a, from, label, sizeof(label))
                              : "no group");
            mg_buf_puts(&b, " &rarr; ");
            page_text(&b, to >= 0 ? group_label(&a, to, label2, sizeof(label2))
                                  : "no group");
            mg_buf_puts(&b, "</li>\n");
        }
        if (moves)
            mg_buf_printf(&b,
                          "</ul>\n<p>%zu move%s (no plan can do with "
                          "fewer than %zu).</p>\n",
                          moves, moves == 1 ? "" : "s",
                          a.result.moves_lower_bound);
        else
            mg_buf_puts(&b, "<p>None: the groups are as good as the "
                            "planner can make them without moving "
                            "anyone.</p>\n");
        mg_buf_puts(&b, "<h2>Groups after</h2>\n");
        chart(&b, &a, a.result.group_of, a.result.n_groups, "after");
        mg_buf_puts(&b, "<h2>Quality after</h2>\n");
        quality_list(&b, &a.result.quality);
        if (a.result.n_issues) {
            mg_buf_puts(&b, "<h2>Rules the planner could not meet</h2>\n"
                            "<ul class=\"warn\">\n");
            for (i = 0; i < a.result.n_issues; i++) {
                mg_buf_puts(&b, "<li>");
                page_text(&b, a.result.issues[i].message);
                mg_buf_puts(&b, "</li>\n");
            }
            mg_buf_puts(&b, "</ul>\n");
        }
    }
    mg_buf_printf(&b, "<p><a href=\"%s#groups\">Back to the circle</a></p>\n",
                  back);
    page_end(&b);
    reply_page(r, MHD_HTTP_OK, mg_buf_detach(&b));
out:
    if (loaded)
        mg_assign_release(&a);
    mg_form_release(&f);
}

/* The digest's HTML is a whole document: keep what is inside <body>. */
static void embed_body(struct mg_buf *b, const char *html)
{
    const char *start = strstr(html, "<body>");
    const char *end = start ? strstr(start, "</body>") : NULL;

    if (!start || !end)
        return;
    start += strlen("<body>");
    mg_buf_add(b, start, (size_t)(end - start));
}

void handle_dash_digest(struct request *r)
{
    struct mg_error err = {{0}, {0}};
    struct mg_buf b = MG_BUF_INIT;
    struct mg_circle *c = NULL;
    const char *wv = request_arg(r, "week");
    char *html = NULL;
    struct dash d;
    int64_t week = positive(wv);
    int rc;

    if (require_session(&d, r) < 0)
        return;
    if (wv && (week <= 0 || week > 104)) {
        reply_page_message(r, MHD_HTTP_BAD_REQUEST, "Bad week",
                           "The week must be a number from 1 to 104.");
        return;
    }
    rc = mg_store_circle_get(&c, r->srv->store, r->params[0]);
    if (rc == 0)
        rc = mg_notes_digest(NULL, &html, r->srv->store, r->params[0],
                             (int)week, &err);
    if (rc < 0) {
        error_page(r, rc, "There is no such circle.");
        goto out;
    }
    dash_begin(&b, &d, "Notes digest");
    mg_buf_printf(&b,
                  "<p><a href=\"/dashboard/circles/%lld#notes\">Back to "
                  "the circle</a></p>\n<div class=\"digest\">\n",
                  (long long)c->id);
    embed_body(&b, html);
    mg_buf_puts(&b, "</div>\n");
    page_end(&b);
    reply_page(r, MHD_HTTP_OK, mg_buf_detach(&b));
out:
    free(html);
    mg_circle_free(c);
}
