/*
 * reminder.c: the "can't come" link of a reminder mail,
 * /r/<person>/<session>/<mac>. The mac signs the two ids with the
 * daemon's own key, so the link needs no page token (those are kept
 * hashed only). GET shows what the link would do and a button: mail
 * scanners follow links, so nothing changes on GET; the button's POST
 * records a decline for that one call. A bad mac is a 404, counted as a
 * guess like a wrong page address.
 */
#include "web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mingle/circle.h"
#include "mingle/jobs.h"
#include "mingle/schedule.h"

#include "banned.h"

static void not_found(struct request *r)
{
    http_auth_failed(r);
    reply_page_message(r, MHD_HTTP_NOT_FOUND, _("Page not found"),
                       _("There is no page at this address. Please check the "
                         "link you were sent."));
}

/* Check the link: 0 with the circle (its language from here on) and the
 * call's start, or nonzero when a reply went out. */
static int link_subject(int64_t *starts_at, char *tz, size_t n,
                        struct request *r)
{
    struct mg_circle *c = NULL;
    int64_t circle = 0;
    int rc = mg_jobs_cant_come_check(&circle, starts_at, r->srv->store,
                                     r->params[0], r->params[1], r->feed);

    if (rc == MG_ENOTFOUND || rc == MG_EAUTH) {
        not_found(r);
        return 1;
    }
    if (rc == 0)
        rc = mg_store_circle_get(&c, r->srv->store, circle);
    if (rc < 0) {
        reply_page_message(r, MHD_HTTP_INTERNAL_SERVER_ERROR,
                           _("Something went wrong"),
                           _("This page cannot be shown just now. Please try "
                             "again in a few minutes."));
        return 1;
    }
    mg_i18n_use(mg_circle_language(c));
    snprintf(tz, n, "%s", c->time_zone);
    mg_circle_free(c);
    return 0;
}

static void call_begun(struct request *r)
{
    reply_page_message(r, MHD_HTTP_CONFLICT, _("This call has begun"),
                       _("It is too late to say you can't come to this call."));
}

/* GET /r/{id}/{id}/{mac}: what the button will do. */
void handle_reminder_link(struct request *r)
{
    struct mg_html h = MG_HTML_INIT;
    char tz[64], when[32];
    int64_t starts_at = 0;

    if (link_subject(&starts_at, tz, sizeof(tz), r))
        return;
    if (mg_now() >= starts_at) {
        call_begun(r);
        return;
    }
    mg_schedule_local_text(when, sizeof(when), tz, starts_at, ' ');
    web_begin(&h, _("Can't come to this call?"));
    mg_html_element(&h, "h1", _("Can't come to this call?"));
    mg_html(&h, "<p>");
    mg_html_textf(&h,
                  _("Your group's call on %s (%s) will show you as not "
                    "coming. Your other calls stay as they are."),
                  when, tz);
    mg_html(&h, "</p><form method=\"post\" action=\"");
    mg_html_attr(&h, r->feed); /* relative: this same address */
    mg_html(&h, "\"><button type=\"submit\" class=\"button\">");
    mg_html_text(&h, _("I can't come to this call"));
    mg_html(&h, "</button></form>");
    web_end(&h);
    web_reply(r, MHD_HTTP_OK, &h);
}

/* POST /r/{id}/{id}/{mac}: record the decline for that call only. */
void handle_reminder_decline(struct request *r)
{
    char tz[64];
    int64_t starts_at = 0;
    int rc;

    if (link_subject(&starts_at, tz, sizeof(tz), r))
        return;
    if (mg_now() >= starts_at) {
        call_begun(r);
        return;
    }
    rc = mg_jobs_cant_come(r->srv->store, r->params[0], r->params[1], r->feed);
    if (rc == MG_ENOTFOUND || rc == MG_EINVAL) {
        /* no longer in that call's group, or withdrawn */
        reply_page_message(r, MHD_HTTP_NOT_FOUND, _("Not in this call"),
                           _("You are no longer in the group of this call."));
        return;
    }
    if (rc < 0) {
        reply_page_message(r, MHD_HTTP_INTERNAL_SERVER_ERROR,
                           _("Something went wrong"),
                           _("Your answer could not be saved just now. Please "
                             "try again in a few minutes."));
        return;
    }
    reply_page_message(r, MHD_HTTP_OK, _("Thank you"),
                       _("Your group will see that you can't come to this "
                         "call. Your other calls stay as they are."));
}
