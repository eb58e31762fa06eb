/*
 * certificate.c: certificates of participation on the web. A person's
 * page links to their certificate (GET /p/{token}/certificate.pdf, drawn
 * when asked, by certify); anyone can check a certificate's code at
 * GET /verify/{code}, a public page that says whether it is genuine,
 * genuine but issued for figures that have changed since, or not ours.
 * A code that is not ours counts as a guess against the address, as a
 * wrong page secret does, so codes cannot be tried in bulk.
 */
#include "web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mingle/calendar.h"
#include "mingle/certify.h"
#include "mingle/circle.h"
#include "mingle/participation.h"
#include "mingle/store.h"

#include "banned.h"

static void failed(struct request *r)
{
    reply_page_message(r, MHD_HTTP_INTERNAL_SERVER_ERROR,
                       _("Something went wrong"),
                       _("This page cannot be shown just now. Please try "
                         "again in a few minutes."));
}

void web_person_certificate(struct mg_html *h, struct request *r,
                            int64_t circle_id, int64_t pid)
{
    struct mg_participation *p = NULL;
    size_t n = 0;

    if (mg_participation_load(&p, &n, r->srv->store, circle_id, pid) < 0 ||
        n != 1 || !mg_certify_eligible(&p[0])) {
        mg_participation_free(p, n);
        return;
    }
    mg_html(h, "<section id=\"certificate\"><h2>");
    mg_html_text(h, _("Certificate"));
    mg_html(h, "</h2><p>");
    mg_html_text(h, _("Your certificate of participation shows the calls "
                      "you attended so far and their hours."));
    /* absolute, as the page's other links are (the calendar's) */
    mg_html(h, "</p><p><a href=\"");
    mg_html_attr(h, r->srv->base_url);
    mg_html(h, "/p/");
    mg_html_attr(h, r->feed);
    mg_html(h, "/certificate.pdf\" class=\"button secondary\">");
    mg_html_text(h, _("Download your certificate (PDF)"));
    mg_html(h, "</a></p></section>\n");
    mg_participation_free(p, n);
}

/* GET /p/{page}/certificate.pdf */
void handle_person_page_certificate(struct request *r)
{
    struct reply rep;
    struct mg_circle *c = NULL;
    int64_t circle = 0, pid = 0;
    char *pdf = NULL;
    size_t len = 0;
    int rc = mg_calendar_page_check(&circle, &pid, r->srv->store, r->feed);

    if (rc == MG_EAUTH || rc == MG_ENOTFOUND) {
        http_auth_failed(r);
        reply_page_message(r, MHD_HTTP_NOT_FOUND, _("Page not found"),
                           _("There is no page at this address. Please check "
                             "the link you were sent."));
        return;
    }
    if (rc == 0 && mg_store_circle_get(&c, r->srv->store, circle) == 0)
        mg_i18n_use(mg_circle_language(c));
    mg_circle_free(c);
    if (rc == 0)
        rc = mg_certify_person_pdf(&pdf, &len, r->srv->store, circle, pid,
                                   r->srv->base_url, mg_now());
    if (rc == MG_ENOTFOUND) {
        reply_page_message(r, MHD_HTTP_NOT_FOUND, _("No certificate yet"),
                           _("Your certificate is ready once you have "
                             "attended a call."));
        return;
    }
    if (rc < 0) {
        failed(r);
        return;
    }
    memset(&rep, 0, sizeof(rep));
    rep.content_type = "application/pdf";
    rep.body = pdf;
    rep.len = len;
    rep.take = 1;
    rep.cache = "no-store";
    rep.disposition = "inline; filename=\"certificate.pdf\"";
    reply_send(r, MHD_HTTP_OK, &rep);
}

static void figure_row(struct mg_html *h, const char *label, const char *value)
{
    web_row(h, label, value);
}

/* GET /verify/{code} */
void handle_verify(struct request *r)
{
    struct mg_certify_check c;
    struct mg_html h = MG_HTML_INIT;
    char calls[128], hours[64], h1[16], hmm[16];
    int rc = mg_certify_verify(&c, r->srv->store, r->feed);

    if (rc < 0) {
        failed(r);
        return;
    }
    if (c.verdict == MG_CERTIFY_UNKNOWN) {
        http_auth_failed(r);
        reply_page_message(r, MHD_HTTP_NOT_FOUND,
                           _("Not a genuine certificate"),
                           _("No certificate of ours has this code. Please "
                             "check that it was typed as printed."));
        mg_certify_check_release(&c);
        return;
    }
    mg_i18n_use(c.language);
    snprintf(calls, sizeof(calls), "%d + %d", c.group_calls, c.plenary_calls);
    mg_certificate_hours(h1, sizeof(h1), c.minutes);
    mg_certificate_hmm(hmm, sizeof(hmm), c.minutes);
    snprintf(hours, sizeof(hours), "%s (%s)", h1, hmm);
    web_begin(&h, c.verdict == MG_CERTIFY_GENUINE
                      ? _("Genuine certificate")
                      : _("Certificate issued for different figures"));
    mg_html(&h, "<h1>");
    mg_html_text(&h, c.verdict == MG_CERTIFY_GENUINE
                         ? _("Genuine certificate")
                         : _("Certificate issued for different figures"));
    mg_html(&h, "</h1>\n<p>");
    if (c.verdict == MG_CERTIFY_GENUINE)
        mg_html_text(&h, _("This certificate was issued by us and its figures "
                           "match the attendance recorded."));
    else
        mg_html_text(&h,
                     _("This certificate was issued by us, but the attendance "
                       "recorded has changed since: the figures it shows are "
                       "no longer current. The person can download an "
                       "up-to-date certificate from their page."));
    mg_html(&h, "</p>\n<dl>");
    figure_row(&h, _("Name"), c.name);
    figure_row(&h, _("Circle"), c.circle_title);
    figure_row(&h, _("Role"),
               c.facilitator ? _("Facilitator") : _("Participant"));
    snprintf(calls, sizeof(calls), "%d", c.group_calls);
    figure_row(&h, _("Group calls attended"), calls);
    snprintf(calls, sizeof(calls), "%d", c.plenary_calls);
    figure_row(&h, _("Whole-circle calls attended"), calls);
    figure_row(&h, _("Hours"), hours);
    if (c.verdict == MG_CERTIFY_OUTDATED) {
        snprintf(calls, sizeof(calls), "%d + %d", c.now_group_calls,
                 c.now_plenary_calls);
        figure_row(&h, _("Calls recorded now (group + whole-circle)"), calls);
        mg_certificate_hours(h1, sizeof(h1), c.now_minutes);
        mg_certificate_hmm(hmm, sizeof(hmm), c.now_minutes);
        snprintf(hours, sizeof(hours), "%s (%s)", h1, hmm);
        figure_row(&h, _("Hours recorded now"), hours);
    }
    mg_html(&h, "</dl>\n");
    web_end(&h);
    web_reply(r, MHD_HTTP_OK, &h);
    mg_html_release(&h);
    mg_certify_check_release(&c);
}

/* GET /verify: a form for a code typed from a printed certificate; with
 * ?code= it goes to /verify/<code> (lower case, without spaces), or
 * says next to the field why it is not a code. */
void handle_verify_form(struct request *r)
{
    struct mg_html h = MG_HTML_INIT;
    const char *given = request_arg(r, "code");
    char mac[MG_CERTIFICATE_MAC_CHARS + 1], code[64];
    int64_t pid = 0;
    int bad = 0;

    if (given && given[0]) {
        size_t k = 0, i;

        for (i = 0; given[i] && k + 1 < sizeof(code); i++) {
            char ch = given[i];
            if (ch == ' ')
                continue;
            code[k++] = (char)(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
        }
        code[k] = '\0';
        bad = given[i] || mg_certificate_code_parse(&pid, mac, code) < 0 ||
              strspn(code, "abcdefghijklmnopqrstuvwxyz0123456789-") != k;
        if (!bad) {
            char *location = mg_xasprintf("verify/%s", code);
            reply_redirect(r, location, NULL);
            free(location);
            return;
        }
    }
    web_begin(&h, _("Check a certificate"));
    mg_html(&h, "<h1>");
    mg_html_text(&h, _("Check a certificate"));
    mg_html(&h, "</h1>\n<p>");
    mg_html_text(&h, _("Type the verification code printed at the bottom of "
                       "a certificate of participation to see whether it is "
                       "genuine."));
    mg_html(&h, "</p>\n<form method=\"get\" action=\"verify\">\n"
                "<label for=\"code\">");
    mg_html_text(&h, _("Verification code"));
    mg_html(&h, "</label>\n");
    if (bad) {
        mg_html(&h, "<p class=\"field-error\" id=\"code-error\"><strong>");
        mg_html_text(&h, _("Error:"));
        mg_html(&h, "</strong> ");
        mg_html_text(&h, _("This is not shaped like a verification code, "
                           "such as 3f-k7qm2-x9ptz."));
        mg_html(&h, "</p>\n");
    }
    mg_html(&h, "<input type=\"text\" id=\"code\" name=\"code\" "
                "autocomplete=\"off\" spellcheck=\"false\" required");
    if (bad) {
        mg_html(&h, " aria-invalid=\"true\" aria-describedby=\"code-error\" "
                    "value=\"");
        mg_html_attr(&h, given);
        mg_html(&h, "\"");
    }
    mg_html(&h, ">\n<button type=\"submit\" class=\"button\">");
    mg_html_text(&h, _("Check"));
    mg_html(&h, "</button>\n</form>\n");
    web_end(&h);
    web_reply(r, bad ? MHD_HTTP_UNPROCESSABLE_CONTENT : MHD_HTTP_OK, &h);
    mg_html_release(&h);
}
