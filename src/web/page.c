/*
 * page.c: the scaffolding every server-rendered HTML page shares: the
 * document head with its inline stylesheet, header and footer, escaping
 * and URL helpers, and the reply with the headers a page needs (a strict
 * Content-Security-Policy, no referrer, no caching). What a page shows is
 * left to its own file (person.c, dashboard.c); its words are in the
 * language the request chose (mg_i18n_use), which <html lang> states.
 */
#include "web.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

/* Readable on a phone and a desktop; contrast at least 4.5:1 (the muted
 * grey #4a4a4a on white is 8.9:1, the link blue #0b4f9c is 8.1:1); a thick
 * focus ring for keyboard users. */
/*
 * In the stylesheet below:
 * A wide table scrolls in its box; on a phone a line says so, and shadows at
 * the edges show there is more (they scroll away with the content at each end).
 * min-width:0: a fieldset is as wide as its widest field otherwise, and a phone
 * would scroll the whole page sideways
 */
#define PAGE_CSS                                                               \
    "*{box-sizing:border-box}"                                                 \
    "html{-webkit-text-size-adjust:100%}"                                      \
    "body{margin:0;font:1rem/1.5 system-ui,-apple-system,'Segoe UI',Roboto,"   \
    "sans-serif;color:#1a1a1a;background:#fff}"                                \
    "header,main,footer{max-width:46rem;margin:0 auto;padding:0 1rem}"         \
    "header{border-bottom:1px solid #ccc;padding-top:.75rem;"                  \
    "padding-bottom:.5rem}"                                                    \
    "header p{margin:0;font-weight:600;color:#4a4a4a}"                         \
    "footer{border-top:1px solid #ccc;margin-top:2rem;padding-top:.5rem;"      \
    "padding-bottom:1rem;color:#4a4a4a;font-size:.875rem}"                     \
    "h1{font-size:1.6rem;line-height:1.25;margin:1rem 0 .5rem}"                \
    "h2{font-size:1.25rem;margin:1.75rem 0 .5rem}"                             \
    "h3{font-size:1.05rem;margin:1.25rem 0 .25rem}"                            \
    "a{color:#0b4f9c;text-decoration:underline}"                               \
    "a:hover{color:#062e5c}"                                                   \
    "a:focus-visible,button:focus-visible,input:focus-visible,"                \
    "select:focus-visible,summary:focus-visible{outline:3px solid #b35900;"    \
    "outline-offset:2px}"                                                      \
    "dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;"   \
    "margin:.5rem 0}"                                                          \
    "dt{font-weight:600}dd{margin:0}"                                          \
    "@media (max-width:30rem){dl{grid-template-columns:1fr}"                   \
    "dd{margin-bottom:.5rem}}"                                                 \
    "table{border-collapse:collapse;width:100%;margin:.5rem 0}"                \
    "th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #ddd;" \
    "vertical-align:top}"                                                      \
    ".scroll{overflow-x:auto;margin:.5rem 0;"                                  \
    "background:linear-gradient(to right,#fff 30%,rgba(255,255,255,0)),"       \
    "linear-gradient(to left,#fff 30%,rgba(255,255,255,0)) 100% 0,"            \
    "linear-gradient(to right,rgba(0,0,0,.2),rgba(0,0,0,0)),"                  \
    "linear-gradient(to left,rgba(0,0,0,.2),rgba(0,0,0,0)) 100% 0;"            \
    "background-repeat:no-repeat;background-size:2.5rem 100%,2.5rem 100%,"     \
    ".75rem 100%,.75rem 100%;background-attachment:local,local,scroll,"        \
    "scroll}"                                                                  \
    ".scroll table{margin:0}"                                                  \
    ".scroll-hint{display:none;margin:.5rem 0 0;font-size:.875rem;"            \
    "color:#4a4a4a}"                                                           \
    "@media (max-width:40rem){.scroll-hint{display:block}}"                    \
    "textarea,input,select{font:inherit;max-width:100%}"                       \
    "fieldset{border:1px solid #ccc;border-radius:.4rem;margin:.75rem 0;"      \
    "min-width:0}"                                                             \
    ".muted{color:#4a4a4a}"                                                    \
    ".button,button{display:inline-block;margin:.25rem .5rem .25rem 0;"        \
    "padding:.5rem .9rem;border:2px solid #0b4f9c;border-radius:.4rem;"        \
    "background:#0b4f9c;color:#fff;font:inherit;text-decoration:none;"         \
    "cursor:pointer}"                                                          \
    ".button.secondary{background:#fff;color:#0b4f9c}"                         \
    ".button:hover,button:hover{background:#062e5c;border-color:#062e5c;"      \
    "color:#fff}"                                                              \
    "article{border:1px solid #ddd;border-radius:.4rem;padding:.25rem 1rem;"   \
    "margin:.75rem 0}"                                                         \
    "article h3{margin-top:.5rem}"                                             \
    ".body{white-space:pre-wrap;overflow-wrap:anywhere}"                       \
    "code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;"            \
    "background:#f2f2f2;padding:.1rem .25rem;border-radius:.2rem;"             \
    "overflow-wrap:anywhere}"                                                  \
    ".notice{border-left:4px solid #b35900;background:#fff6ec;"                \
    "padding:.5rem 1rem}"                                                      \
    ".skip{position:absolute;left:-999rem}"                                    \
    ".skip:focus{left:1rem;top:.5rem;background:#fff;padding:.25rem .5rem}"

void web_begin(struct mg_html *h, const char *title)
{
    mg_html(h, "<!DOCTYPE html>\n<html lang=\"");
    mg_html_attr(h, mg_i18n_lang());
    mg_html(h, "\">\n<head>\n"
               "<meta charset=\"utf-8\">\n"
               "<meta name=\"viewport\" content=\"width=device-width, "
               "initial-scale=1\">\n"
               "<meta name=\"referrer\" content=\"no-referrer\">\n"
               "<meta name=\"robots\" content=\"noindex, nofollow\">\n"
               /* no icon: the browser asks no /favicon.ico (a 404) */
               "<link rel=\"icon\" href=\"data:,\">\n"
               "<title>");
    mg_html_text(h, title);
    mg_html(h, " - mingle</title>\n<style>");
    mg_html(h, PAGE_CSS);
    mg_html(h, "</style>\n</head>\n<body>\n<a class=\"skip\" href=\"#main\">");
    mg_html_text(h, _("Skip to content"));
    mg_html(h, "</a>\n<header><p>mingle</p></header>\n<main id=\"main\">\n");
}

void web_end(struct mg_html *h)
{
    mg_html(h, "</main>\n<footer><p>mingle " MG_VERSION
               "</p></footer>\n</body>\n</html>\n");
}

void web_row(struct mg_html *h, const char *label, const char *value)
{
    mg_html(h, "<dt>");
    mg_html_text(h, label);
    mg_html(h, "</dt><dd>");
    mg_html_text(h, value && *value ? value : "-");
    mg_html(h, "</dd>\n");
}

const char *web_weekday(int weekday)
{
    /* Names in English, translated where they are written. */
    static const char *const names[] = {
        N_("Monday"), N_("Tuesday"),  N_("Wednesday"), N_("Thursday"),
        N_("Friday"), N_("Saturday"), N_("Sunday")};

    return weekday >= 1 && weekday <= 7 ? _(names[weekday - 1]) : "?";
}

void web_table_begin(struct mg_html *h, const char *label, int hint)
{
    if (hint) {
        mg_html(h, "<p class=\"scroll-hint\" aria-hidden=\"true\">");
        mg_html_text(h,
                     _("Swipe or scroll the table sideways to see all of it"));
        mg_html(h, " &rarr;</p>\n");
    }
    mg_html(h, "<div class=\"scroll\" role=\"region\" tabindex=\"0\" "
               "aria-label=\"");
    mg_html_attr(h, label);
    mg_html(h, "\"><table>\n");
}

void web_reply(struct request *r, unsigned int status, struct mg_html *h)
{
    reply_page(r, status, mg_html_detach(h));
}

void reply_page(struct request *r, unsigned int status, char *html)
{
    struct reply rep = {0};

    rep.content_type = "text/html; charset=utf-8";
    rep.body = html;
    rep.len = strlen(html);
    rep.take = 1;
    rep.page = 1;
    reply_send(r, status, &rep);
}

void reply_page_message(struct request *r, unsigned int status,
                        const char *title, const char *message)
{
    struct mg_html h = MG_HTML_INIT;

    web_begin(&h, title);
    mg_html_element(&h, "h1", title);
    mg_html_element(&h, "p", message);
    web_end(&h);
    web_reply(r, status, &h);
}

void web_error_page(struct request *r, unsigned int status)
{
    switch (status) {
    case MHD_HTTP_NOT_FOUND:
        reply_page_message(r, status, _("Not found"),
                           _("There is no such page."));
        break;
    case MHD_HTTP_METHOD_NOT_ALLOWED:
        reply_page_message(r, status, _("Not allowed"),
                           _("This page cannot be used that way: go back to "
                             "the dashboard and use its links and buttons."));
        break;
    case MHD_HTTP_CONTENT_TOO_LARGE:
        reply_page_message(r, status, _("Too large"),
                           _("What the form sent is over the size limit."));
        break;
    case MHD_HTTP_TOO_MANY_REQUESTS:
        if (strncmp(r->url, "/p/", 3) == 0) {
            reply_page_message(r, status, _("Too many tries"),
                               _("Too many wrong page addresses came from "
                                 "your network. Please wait a minute and "
                                 "try your link again."));
            break;
        }
        reply_page_message(r, status, _("Too many tries"),
                           _("Too many failed logins from this address: wait "
                             "a minute and try again."));
        break;
    case MHD_HTTP_SERVICE_UNAVAILABLE:
        reply_page_message(r, status, _("Busy"),
                           _("The server is busy; try again in a moment."));
        break;
    default:
        reply_page_message(
            r, status, _("Something went wrong"),
            _("The server could not do that; its log says why."));
        break;
    }
}
