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

/*
 * The same in the shape pages used before the writer, on the writer's
 * buffer; going away as the pages move to the functions above.
 */
void page_begin(struct mg_buf *b, const char *title);
void page_end(struct mg_buf *b);
/* `s` escaped for HTML text or a quoted attribute value. */
void page_text(struct mg_buf *b, const char *s);
/* A printf-style string, escaped. */
void page_textf(struct mg_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* <tag>text</tag>, text escaped; `tag` is a literal, never user data. */
void page_element(struct mg_buf *b, const char *tag, const char *text);
/* One <dt>label</dt><dd>value</dd> pair (value "-" when NULL or ""). */
void page_row(struct mg_buf *b, const char *label, const char *value);
/* Whether `url` is an absolute http(s), webcal or mailto URL without
 * spaces or control characters: the only kinds a page links to. */
int page_url_is_safe(const char *url);
/* Percent-encode `s` for a URL component (RFC 3986 unreserved kept). */
void page_url_encode(struct mg_buf *b, const char *s);
/* <a href="href" class="cls">text</a>, both escaped; just the text when
 * the URL is not page_url_is_safe(). `cls` may be NULL. */
void page_link(struct mg_buf *b, const char *href, const char *text,
               const char *cls);
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
void handle_person_page_summary(struct request *r);
void handle_person_page_review(struct request *r);
void handle_person_page_mint(struct request *r);
/* Any other request under /p/ (no route, or not its method), and one
 * too large there: a page, never JSON. */
void handle_person_page_other(struct request *r);
/* The coordinator dashboard (dashboard.c): its own session cookie. */
void handle_dash_login_form(struct request *r);
void handle_dash_login(struct request *r);
void handle_dash_logout(struct request *r);
void handle_dash_home(struct request *r);
void handle_dash_circle(struct request *r);
void handle_dash_move(struct request *r);
void handle_dash_rebalance(struct request *r);
void handle_dash_invites(struct request *r);
void handle_dash_digest(struct request *r);

#endif
