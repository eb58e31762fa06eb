/*
 * dash_signup.c: the sign-up section of a circle's dashboard page: the
 * public page's state with open and close buttons, its capacity, how
 * many wait and how many have not confirmed, and the late sign-ups
 * waiting to be placed with a button that places them now (the rebalance
 * of src/signup/). The settings' other fields are the API's and the
 * CLI's.
 */
#include "dash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mingle/outbox.h"
#include "mingle/signup.h"
#include "mingle/store.h"

#include "banned.h"

int dash_signup_section(struct mg_html *h, const struct dash *d,
                        struct mg_store *st, const char *base_url,
                        const struct mg_circle *c, size_t n_groups)
{
    struct mg_signup_settings s;
    struct mg_signup_volunteer *vol = NULL;
    size_t waiting = 0, pending = 0, unplaced = 0, n_vol = 0;
    char action[96], when[24];
    int rc = mg_store_signup_get(&s, st, c->id);

    if (rc == 0)
        rc = mg_store_signup_counts(&waiting, &pending, &unplaced, st, c->id);
    if (rc < 0) {
        mg_signup_settings_release(&s);
        return rc;
    }
    snprintf(action, sizeof(action), "/dashboard/circles/%lld/signup",
             (long long)c->id);
    mg_html(h, "<section aria-labelledby=\"signup\">\n<h2 id=\"signup\">");
    mg_html_text(h, _("Sign-up"));
    mg_html(h, "</h2>\n<dl>\n");
    mg_html(h, "<dt>");
    mg_html_text(h, _("Public page"));
    mg_html(h, "</dt><dd>");
    if (c->slug) {
        /* the address is the link's, the words the page's language */
        struct mg_buf url = MG_BUF_INIT;

        mg_buf_printf(&url, "%s/join/", base_url ? base_url : "");
        mg_url_encode(&url, c->slug);
        mg_html_link(h, url.data, _("the sign-up page"), NULL);
        mg_html(h, " ");
        mg_buf_release(&url);
    }
    if (mg_signup_is_open(&s, mg_now()) && c->slug && c->organizer_email)
        mg_html_text(h, _("open"));
    else if (s.open && s.closes_at && s.closes_at <= mg_now())
        mg_html_text(h, _("closed (its closing date has passed)"));
    else if (s.open)
        mg_html_text(h, _("closed (the circle needs a slug and an organizer "
                          "email)"));
    else
        mg_html_text(h, _("closed"));
    mg_html(h, "</dd>\n");
    dash_time(when, sizeof(when), c->time_zone, s.closes_at);
    web_row(h, _("Closes"), s.closes_at ? when : _("no date"));
    mg_html(h, "<dt>");
    mg_html_text(h, _("Capacity"));
    mg_html(h, "</dt><dd>");
    if (s.capacity)
        mg_html_int(h, s.capacity);
    else
        mg_html_text(h, _("no limit"));
    mg_html(h, "</dd>\n<dt>");
    mg_html_text(h, _("Waitlist"));
    mg_html(h, "</dt><dd>");
    mg_html_int(h, (long long)waiting);
    mg_html(h, "</dd>\n<dt>");
    mg_html_text(h, _("Not yet confirmed"));
    mg_html(h, "</dt><dd>");
    mg_html_int(h, (long long)pending);
    mg_html(h, "</dd>\n<dt>");
    mg_html_text(h, _("Late sign-ups"));
    mg_html(h, "</dt><dd>");
    mg_html_text(h, s.auto_place ? _("placed in a group at once")
                                 : _("wait here to be placed"));
    mg_html(h, "</dd>\n</dl>\n");

    /* open or close, and the capacity */
    mg_html(h, "<form method=\"post\" class=\"inline\" action=\"");
    mg_html_attr(h, action);
    mg_html(h, "\">\n");
    dash_csrf(h, d);
    if (s.open) {
        mg_html(h, "<input type=\"hidden\" name=\"do\" value=\"close\">"
                   "<button type=\"submit\" class=\"button secondary\">");
        mg_html_text(h, _("Close sign-up"));
    } else {
        mg_html(h, "<input type=\"hidden\" name=\"do\" value=\"open\">"
                   "<button type=\"submit\" class=\"button\">");
        mg_html_text(h, _("Open sign-up"));
    }
    mg_html(h, "</button></form>\n");
    mg_html(h, "<form method=\"post\" class=\"inline\" action=\"");
    mg_html_attr(h, action);
    mg_html(h, "\">\n");
    dash_csrf(h, d);
    mg_html(h, "<input type=\"hidden\" name=\"do\" value=\"capacity\">"
               "<label for=\"capacity\">");
    mg_html_text(h, _("Capacity (0: no limit)"));
    mg_html(h, "</label> <input type=\"number\" min=\"0\" max=\"1000000\" "
               "id=\"capacity\" name=\"capacity\" value=\"");
    mg_html_int(h, s.capacity);
    mg_html(h, "\"> <button type=\"submit\" class=\"button secondary\">");
    mg_html_text(h, _("Set capacity"));
    mg_html(h, "</button></form>\n");

    rc = mg_store_signup_volunteers(&vol, &n_vol, st, c->id, DASH_PAGE_SIZE);
    if (rc < 0) {
        mg_signup_settings_release(&s);
        return rc;
    }
    if (n_vol) {
        size_t i;

        mg_html(h, "<h3>");
        mg_html_text(h, _("Volunteers to facilitate"));
        mg_html(h, "</h3>\n<ul>\n");
        for (i = 0; i < n_vol; i++) {
            mg_html(h, "<li>");
            mg_html_text(h, vol[i].name);
            mg_html(h, " &lt;");
            mg_html_text(h, vol[i].email);
            mg_html(h, "&gt; <form method=\"post\" class=\"inline\" "
                       "action=\"");
            mg_html_attr(h, action);
            mg_html(h, "\">\n");
            dash_csrf(h, d);
            mg_html(h, "<input type=\"hidden\" name=\"do\" "
                       "value=\"facilitator\"><input type=\"hidden\" "
                       "name=\"person\" value=\"");
            mg_html_int(h, vol[i].id);
            mg_html(h, "\"><button type=\"submit\" class=\"button "
                       "secondary\">");
            mg_html_text(h, _("Make facilitator"));
            mg_html(h, "<span class=\"vh\"> ");
            mg_html_text(h, vol[i].name);
            mg_html(h, "</span></button></form></li>\n");
        }
        mg_html(h, "</ul>\n");
    }
    mg_signup_volunteers_free(vol, n_vol);

    if (unplaced && n_groups) {
        mg_html(h, "<p>");
        mg_html_textf(h,
                      mg_ngettext("%zu active person is in no group yet.",
                                  "%zu active people are in no group yet.",
                                  (unsigned long)unplaced),
                      unplaced);
        mg_html(h, "</p>\n<form method=\"post\" class=\"inline\" action=\"");
        mg_html_attr(h, action);
        mg_html(h, "\">\n");
        dash_csrf(h, d);
        mg_html(h, "<input type=\"hidden\" name=\"do\" value=\"place\">"
                   "<button type=\"submit\" class=\"button\">");
        mg_html_text(h, _("Place them now"));
        mg_html(h, "</button></form>\n");
    }
    mg_html(h, "</section>\n");
    mg_signup_settings_release(&s);
    return 0;
}

int dash_signup_done(struct mg_buf *text, int *error, struct request *r,
                     const char *done)
{
    if (strcmp(done, "signup_open") == 0) {
        mg_buf_puts(text, _("Sign-up is open."));
    } else if (strcmp(done, "signup_closed") == 0) {
        mg_buf_puts(text, _("Sign-up is closed."));
    } else if (strcmp(done, "signup_capacity") == 0) {
        mg_buf_puts(text, _("Capacity saved."));
    } else if (strcmp(done, "signup_cannot_open") == 0) {
        mg_buf_puts(text, _("Sign-up cannot open: the circle needs a slug "
                            "and an organizer email. Set them with PATCH "
                            "/api/v1/circles/{id}."));
        *error = 1;
    } else if (strcmp(done, "signup_bad_capacity") == 0) {
        mg_buf_puts(text, _("Capacity not saved: give a whole number from "
                            "0 (no limit) to 1000000."));
        *error = 1;
    } else if (strcmp(done, "facilitator") == 0) {
        mg_buf_puts(text, _("They are a facilitator now; the next plan or "
                            "rebalance counts them as one."));
    } else if (strcmp(done, "placed") == 0) {
        int64_t n = dash_positive(request_arg(r, "n"));

        if (n)
            mg_buf_printf(text,
                          mg_ngettext("Placed %lld person; their invitation "
                                      "is queued.",
                                      "Placed %lld people; their invitations "
                                      "are queued.",
                                      (unsigned long)n),
                          (long long)n);
        else
            mg_buf_puts(text, _("Nobody could be placed without moving "
                                "others: use Rebalance."));
    } else {
        return 0;
    }
    return 1;
}

void handle_dash_signup(struct request *r)
{
    struct mg_form f = {NULL, 0, 0};
    struct mg_signup_settings s;
    struct mg_circle *c = NULL;
    struct mg_error err = {{0}, {0}};
    struct mg_buf where = MG_BUF_INIT;
    struct dash d;
    const struct mg_form_field *what;
    const char *done = NULL;
    size_t placed = 0;
    int rc;

    memset(&s, 0, sizeof(s));
    if (dash_form_begin(&f, &d, r) < 0)
        goto out;
    rc = mg_store_circle_get(&c, r->srv->store, r->params[0]);
    if (rc == 0)
        rc = mg_store_signup_get(&s, r->srv->store, c->id);
    if (rc < 0) {
        dash_error_page(r, rc, _("There is no such circle."));
        goto out;
    }
    dash_use_language(c);
    what = mg_form_get(&f, "do");
    if (what && strcmp(what->value, "open") == 0) {
        s.open = 1;
        done = c->slug && c->organizer_email ? "signup_open"
                                             : "signup_cannot_open";
    } else if (what && strcmp(what->value, "close") == 0) {
        s.open = 0;
        done = "signup_closed";
    } else if (what && strcmp(what->value, "capacity") == 0) {
        const struct mg_form_field *v = mg_form_get(&f, "capacity");
        char *end = NULL;
        long long n = v ? strtoll(v->value, &end, 10) : -1;

        if (!v || !end || *end || end == v->value || n < 0 ||
            n > MG_SIGNUP_MAX_CAPACITY)
            done = "signup_bad_capacity";
        else {
            s.capacity = (int)n;
            done = "signup_capacity";
        }
    } else if (what && strcmp(what->value, "place") == 0) {
        rc = mg_signup_place_late(&placed, r->srv->store, c->id, &err);
        if (rc < 0) {
            dash_error_page(r, rc, NULL);
            goto out;
        }
        mg_outbox_sender_wake(r->srv->sender);
        done = "placed";
    } else if (what && strcmp(what->value, "facilitator") == 0) {
        struct mg_participant *p = NULL;

        rc = mg_store_participant_get(&p, r->srv->store, c->id,
                                      dash_form_int(&f, "person"));
        if (rc == 0 && p->role == MG_PERSON_PARTICIPANT) {
            p->role = MG_PERSON_FACILITATOR;
            rc = mg_store_participant_update(r->srv->store, p);
            if (rc == 0)
                http_reconcile_scope(r, c->id, &p->id, 1, NULL, 0, NULL);
        }
        mg_participants_free(p, p ? 1 : 0);
        if (rc < 0) {
            dash_error_page(r, rc,
                            _("There is no such person in this "
                              "circle."));
            goto out;
        }
        done = "facilitator";
    } else {
        dash_error_page(r, MG_EINVAL, NULL);
        goto out;
    }
    if (strcmp(done, "signup_open") == 0 ||
        strcmp(done, "signup_closed") == 0 ||
        strcmp(done, "signup_capacity") == 0) {
        rc = mg_store_signup_put(r->srv->store, &s);
        if (rc < 0) {
            dash_error_page(r, rc, NULL);
            goto out;
        }
        /* a capacity raised: the waiting move up */
        if (mg_signup_fill(&placed, r->srv->store, c->id, &err) < 0)
            mg_log(MG_LOG_WARN, "waitlist not moved up", "error", err.message,
                   NULL);
        if (placed)
            mg_outbox_sender_wake(r->srv->sender);
        placed = 0;
    }
    mg_buf_printf(&where, "/dashboard/circles/%lld?done=%s&n=%zu#signup",
                  (long long)c->id, done, placed);
    dash_redirect(r, &where);
out:
    mg_signup_settings_release(&s);
    mg_circle_free(c);
    mg_form_release(&f);
}
