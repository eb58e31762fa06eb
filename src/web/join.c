/*
 * join.c: a circle's public sign-up page (/join/<slug>) and the page its
 * confirmation link opens. No JavaScript: the form posts back, with its
 * errors next to their fields and nothing saved; "show the times in my
 * zone" posts the same form without saving to list each call slot in the
 * zone chosen. Spam is kept out without scripts: a honeypot field hidden
 * from people and screen readers, a signed load time a person cannot post
 * within signup_min_seconds of, and a cap of sign-up posts per address.
 * Whatever the address, the visitor is told the same: check your mail.
 */
#include "web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mingle/calendar.h"
#include "mingle/inbound.h"
#include "mingle/outbox.h"
#include "mingle/schedule.h"
#include "mingle/signup.h"
#include "mingle/store.h"

#include "banned.h"

#define FORM_MAX_AGE 86400 /* a form loaded a day ago is stale */
#define STAMP_MAC_LEN 32   /* hex characters of the load time's MAC */
#define OTHER "other"

/* Zones offered besides the circle's own (which comes first); any other
 * IANA name posted is taken too. */
static const char *const main_zones[] = {
    "Pacific/Auckland",   "Pacific/Chatham",    "Australia/Sydney",
    "Australia/Brisbane", "Australia/Adelaide", "Australia/Perth",
    "Asia/Tokyo",         "Asia/Shanghai",      "Asia/Singapore",
    "Asia/Kolkata",       "Asia/Dubai",         "Africa/Johannesburg",
    "Africa/Nairobi",     "Africa/Lagos",       "Europe/Moscow",
    "Europe/Athens",      "Europe/Berlin",      "Europe/Paris",
    "Europe/London",      "Atlantic/Reykjavik", "America/Sao_Paulo",
    "America/Halifax",    "America/New_York",   "America/Chicago",
    "America/Denver",     "America/Phoenix",    "America/Los_Angeles",
    "America/Anchorage",  "Pacific/Honolulu",   "Pacific/Fiji",
    "Pacific/Tongatapu",  "Pacific/Apia",       "UTC"};

/* What the page shows of one visit: the circle, its settings and threads,
 * the values posted back and the error of each field. */
struct join {
    struct mg_circle *circle;
    struct mg_signup_settings s;
    struct mg_span *threads;
    size_t n_threads;
    const struct mg_form *form; /* NULL: a fresh form */
    struct mg_error errs[16];   /* field + message, in field order */
    size_t n_errs;
    int rejected; /* a spam check refused the post: say so generically */
};

static void join_release(struct join *j)
{
    mg_circle_free(j->circle);
    mg_signup_settings_release(&j->s);
    mg_store_spans_free(j->threads, j->n_threads);
    memset(j, 0, sizeof(*j));
}

/* Load circle r->feed (the slug) and its sign-up settings; replies 404
 * itself when there is no such circle. From here on the request speaks
 * the circle's language. */
static int join_load(struct join *j, struct request *r)
{
    int rc;

    memset(j, 0, sizeof(*j));
    rc = mg_store_circle_get_by_slug(&j->circle, r->srv->store, r->feed);
    if (rc == 0) {
        mg_i18n_use(mg_circle_language(j->circle));
        rc = mg_store_signup_get(&j->s, r->srv->store, j->circle->id);
    }
    if (rc == 0)
        rc = mg_store_threads(&j->threads, &j->n_threads, r->srv->store,
                              j->circle->id);
    if (rc == MG_ENOTFOUND) {
        reply_page_message(r, MHD_HTTP_NOT_FOUND, _("Not found"),
                           _("There is no sign-up page at this address. "
                             "Check the link you were given."));
        join_release(j);
        return rc;
    }
    if (rc < 0) {
        web_error_page(r, MHD_HTTP_INTERNAL_SERVER_ERROR);
        join_release(j);
    }
    return rc;
}

/* The value posted for `name` ("" if none or a fresh form). */
static const char *value(const struct join *j, const char *name)
{
    const struct mg_form_field *f = j->form ? mg_form_get(j->form, name) : NULL;

    return f && f->value ? f->value : "";
}

/* Whether `name` was posted with value `v` (checkboxes share a name). */
static int posted(const struct join *j, const char *name, const char *v)
{
    size_t i;

    for (i = 0; j->form && i < j->form->n; i++)
        if (strcmp(j->form->fields[i].name, name) == 0 &&
            j->form->fields[i].value &&
            strcmp(j->form->fields[i].value, v) == 0)
            return 1;
    return 0;
}

/* Whether any field called `name` holds something. */
static int filled(const struct join *j, const char *name)
{
    size_t i;

    for (i = 0; j->form && i < j->form->n; i++)
        if (strcmp(j->form->fields[i].name, name) == 0 &&
            j->form->fields[i].len > 0)
            return 1;
    return 0;
}

static const char *error_of(const struct join *j, const char *field)
{
    size_t i;

    for (i = 0; i < j->n_errs; i++)
        if (strcmp(j->errs[i].field, field) == 0)
            return j->errs[i].message;
    return NULL;
}

static void add_error(struct join *j, const char *field, const char *msg)
{
    if (j->n_errs == sizeof(j->errs) / sizeof(j->errs[0]) || error_of(j, field))
        return;
    mg_error_set(&j->errs[j->n_errs++], field, "%s", msg);
}

/* "<p class=error id=NAME-error>message</p>" when the field has one. */
static void field_error(struct mg_html *h, const struct join *j,
                        const char *field)
{
    const char *msg = error_of(j, field);

    if (!msg)
        return;
    mg_html(h, "<p class=\"field-error\" id=\"");
    mg_html_attr(h, field);
    mg_html(h, "-error\"><strong>");
    mg_html_text(h, _("Error:"));
    mg_html(h, "</strong> ");
    mg_html_text(h, msg);
    mg_html(h, "</p>\n");
}

/* aria-invalid and aria-describedby for a field with an error. */
static void field_aria(struct mg_html *h, const struct join *j,
                       const char *field)
{
    if (!error_of(j, field))
        return;
    mg_html(h, " aria-invalid=\"true\" aria-describedby=\"");
    mg_html_attr(h, field);
    mg_html(h, "-error\"");
}

/* The signed load time: "<unix>-<mac>", the MAC keyed by the daemon's
 * own "signup-form" key over the circle and the time. */
static int stamp_make(char *out, size_t n, struct request *r, int64_t circle_id,
                      int64_t t)
{
    unsigned char key[MG_KEY_LEN];
    char hex[2 * MG_KEY_LEN + 1], purpose[64], mac[STAMP_MAC_LEN + 1];
    int rc = mg_store_key(key, r->srv->store, "signup-form");

    if (rc < 0)
        return rc;
    mg_hex(hex, key, sizeof(key));
    snprintf(purpose, sizeof(purpose), "signup %lld %lld", (long long)circle_id,
             (long long)t);
    mg_auth_derive_hex(mac, STAMP_MAC_LEN, hex, purpose);
    snprintf(out, n, "%lld-%s", (long long)t, mac);
    memset(hex, 0, sizeof(hex));
    memset(key, 0, sizeof(key));
    return 0;
}

/* Whether `stamp` is one we made for this circle, at least
 * signup_min_seconds and at most a day ago. */
static int stamp_ok(struct request *r, int64_t circle_id, const char *stamp,
                    int64_t now)
{
    char want[64];
    char *end;
    long long t = strtoll(stamp, &end, 10);

    if (end == stamp || *end != '-' || t <= 0)
        return 0;
    if (stamp_make(want, sizeof(want), r, circle_id, t) < 0)
        return 0;
    if (!mg_auth_secret_equal(stamp, want))
        return 0;
    return now - t >= r->srv->signup_min_seconds && now - t <= FORM_MAX_AGE;
}

/* A <select> of one text line, the circle's choices then "other". */
static void choice_select(struct mg_html *h, const struct join *j,
                          const char *name, const char *label,
                          const char *lines, int required)
{
    const char *cur = value(j, name);
    char other_name[32];
    const char *p = lines;

    snprintf(other_name, sizeof(other_name), "%s_other", name);
    mg_html(h, "<p><label for=\"");
    mg_html_attr(h, name);
    mg_html(h, "\">");
    mg_html_text(h, label);
    mg_html(h, "</label><br>\n");
    field_error(h, j, name);
    mg_html(h, "<select id=\"");
    mg_html_attr(h, name);
    mg_html(h, "\" name=\"");
    mg_html_attr(h, name);
    mg_html(h, "\"");
    if (required)
        mg_html(h, " required");
    field_aria(h, j, name);
    mg_html(h, ">\n<option value=\"\">");
    mg_html_text(h, _("Choose one"));
    mg_html(h, "</option>\n");
    while (p && *p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char *one = mg_xstrndup(p, len);

        mg_html(h, "<option value=\"");
        mg_html_attr(h, one);
        mg_html(h, "\"");
        if (strcmp(cur, one) == 0)
            mg_html(h, " selected");
        mg_html(h, ">");
        mg_html_text(h, one);
        mg_html(h, "</option>\n");
        free(one);
        if (!nl)
            break;
        p = nl + 1;
    }
    mg_html(h, "<option value=\"" OTHER "\"");
    if (strcmp(cur, OTHER) == 0)
        mg_html(h, " selected");
    mg_html(h, ">");
    mg_html_text(h, _("Other (say which below)"));
    mg_html(h, "</option>\n</select></p>\n<p><label for=\"");
    mg_html_attr(h, other_name);
    mg_html(h, "\">");
    mg_html_text(h, _("If other, which:"));
    mg_html(h, "</label><br>\n");
    field_error(h, j, other_name);
    mg_html(h, "<input type=\"text\" maxlength=\"100\" id=\"");
    mg_html_attr(h, other_name);
    mg_html(h, "\" name=\"");
    mg_html_attr(h, other_name);
    mg_html(h, "\" value=\"");
    mg_html_attr(h, value(j, other_name));
    mg_html(h, "\"");
    field_aria(h, j, other_name);
    mg_html(h, "></p>\n");
}

static void text_input(struct mg_html *h, const struct join *j,
                       const char *name, const char *label, const char *type,
                       const char *autocomplete)
{
    mg_html(h, "<p><label for=\"");
    mg_html_attr(h, name);
    mg_html(h, "\">");
    mg_html_text(h, label);
    mg_html(h, "</label><br>\n");
    field_error(h, j, name);
    mg_html(h, "<input required maxlength=\"200\" type=\"");
    mg_html_attr(h, type);
    mg_html(h, "\" id=\"");
    mg_html_attr(h, name);
    mg_html(h, "\" name=\"");
    mg_html_attr(h, name);
    mg_html(h, "\" autocomplete=\"");
    mg_html_attr(h, autocomplete);
    mg_html(h, "\" value=\"");
    mg_html_attr(h, value(j, name));
    mg_html(h, "\"");
    field_aria(h, j, name);
    mg_html(h, "></p>\n");
}

/* The zone the visitor chose, if it is one; else the circle's. */
static const char *chosen_zone(const struct join *j)
{
    const char *z = value(j, "time_zone");

    return z[0] && mg_schedule_tz_valid(z) ? z : j->circle->time_zone;
}

static void zone_select(struct mg_html *h, const struct join *j)
{
    const char *cur = chosen_zone(j);
    size_t i;
    int listed = 0;

    mg_html(h, "<p><label for=\"time_zone\">");
    mg_html_text(h, _("Your time zone"));
    mg_html(h, "</label><br>\n");
    field_error(h, j, "time_zone");
    mg_html(h, "<select id=\"time_zone\" name=\"time_zone\" "
               "autocomplete=\"off\"");
    field_aria(h, j, "time_zone");
    mg_html(h, ">\n<option value=\"");
    mg_html_attr(h, j->circle->time_zone);
    mg_html(h, "\"");
    if (strcmp(cur, j->circle->time_zone) == 0) {
        mg_html(h, " selected");
        listed = 1;
    }
    mg_html(h, ">");
    mg_html_textf(h, _("%s (the circle's)"), j->circle->time_zone);
    mg_html(h, "</option>\n");
    for (i = 0; i < sizeof(main_zones) / sizeof(main_zones[0]); i++) {
        if (strcmp(main_zones[i], j->circle->time_zone) == 0)
            continue;
        mg_html(h, "<option");
        if (strcmp(cur, main_zones[i]) == 0) {
            mg_html(h, " selected");
            listed = 1;
        }
        mg_html(h, ">");
        mg_html_text(h, main_zones[i]);
        mg_html(h, "</option>\n");
    }
    if (!listed) { /* a zone posted that is not in the list */
        mg_html(h, "<option selected>");
        mg_html_text(h, cur);
        mg_html(h, "</option>\n");
    }
    mg_html(h, "</select>\n<button type=\"submit\" name=\"show_times\" "
               "value=\"1\" class=\"secondary button\" formnovalidate>");
    mg_html_text(h, _("Show the call times in this zone"));
    mg_html(h, "</button></p>\n");
}

/* "Tuesday 19:30" of slot `s` in the circle's zone, and in `zone` (its
 * first week's call, so daylight saving is as it will be). */
static void slot_label(struct mg_html *h, const struct mg_circle *c,
                       const struct mg_slot *s, const char *zone)
{
    struct mg_local_time there;
    int64_t t = 0;

    mg_html_textf(h, "%s %02d:%02d", web_weekday(s->weekday),
                  s->start_minute / 60, s->start_minute % 60);
    mg_html(h, " <span class=\"muted\">(");
    mg_html_text(h, c->time_zone);
    mg_html(h, ")</span>");
    if (strcmp(zone, c->time_zone) == 0 ||
        mg_schedule_session_start(&t, c->time_zone, c->start_date, 1,
                                  s->weekday, s->start_minute, NULL) < 0 ||
        mg_schedule_utc_to_local(&there, zone, t, NULL) < 0)
        return;
    mg_html(h, " &mdash; ");
    mg_html_textf(h, _("%s %02d:%02d in %s"), web_weekday(there.weekday),
                  there.hour, there.minute, zone);
}

static void slots_fieldset(struct mg_html *h, const struct join *j)
{
    const struct mg_circle *c = j->circle;
    const char *zone = chosen_zone(j);
    size_t i;

    if (c->n_slots == 0)
        return;
    mg_html(h, "<fieldset id=\"slots\"");
    field_aria(h, j, "slots");
    mg_html(h, "><legend>");
    mg_html_text(h, _("The weekly call times you can make"));
    mg_html(h, "</legend>\n");
    field_error(h, j, "slots");
    for (i = 0; i < c->n_slots; i++) {
        char id[32];

        snprintf(id, sizeof(id), "%lld", (long long)c->slots[i].id);
        mg_html(h, "<p><label><input type=\"checkbox\" name=\"slot\" "
                   "value=\"");
        mg_html_attr(h, id);
        mg_html(h, "\"");
        if (posted(j, "slot", id))
            mg_html(h, " checked");
        mg_html(h, "> ");
        slot_label(h, c, &c->slots[i], zone);
        mg_html(h, "</label></p>\n");
    }
    mg_html(h, "</fieldset>\n");
}

static void wishes_fieldset(struct mg_html *h, const struct join *j)
{
    size_t i, k;

    if (j->n_threads == 0)
        return;
    mg_html(h, "<fieldset><legend>");
    mg_html_text(h, _("The conversation threads you would like, best first "
                      "(optional)"));
    mg_html(h, "</legend>\n");
    for (k = 0; k < MG_PERSON_MAX_WISHES; k++) {
        char name[16];
        const char *cur;

        snprintf(name, sizeof(name), "wish%zu", k + 1);
        cur = value(j, name);
        mg_html(h, "<p><label for=\"");
        mg_html_attr(h, name);
        mg_html(h, "\">");
        mg_html_textf(h, _("Choice %zu"), k + 1);
        mg_html(h, "</label><br>\n");
        field_error(h, j, name);
        mg_html(h, "<select id=\"");
        mg_html_attr(h, name);
        mg_html(h, "\" name=\"");
        mg_html_attr(h, name);
        mg_html(h, "\"");
        field_aria(h, j, name);
        mg_html(h, ">\n<option value=\"\">");
        mg_html_text(h, _("No preference"));
        mg_html(h, "</option>\n");
        for (i = 0; i < j->n_threads; i++) {
            char id[32];

            snprintf(id, sizeof(id), "%lld", (long long)j->threads[i].id);
            mg_html(h, "<option value=\"");
            mg_html_attr(h, id);
            mg_html(h, "\"");
            if (strcmp(cur, id) == 0)
                mg_html(h, " selected");
            mg_html(h, ">");
            mg_html_text(h, j->threads[i].title);
            mg_html(h, "</option>\n");
        }
        mg_html(h, "</select></p>\n");
    }
    mg_html(h, "</fieldset>\n");
}

/* The collection notice, a paragraph a line. */
static void notice(struct mg_html *h, const struct join *j)
{
    const char *p = mg_signup_notice(&j->s);

    mg_html(h, "<section aria-labelledby=\"notice-h\" class=\"notice\">"
               "<h2 id=\"notice-h\">");
    mg_html_text(h, _("What we collect and why"));
    mg_html(h, "</h2>\n");
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);

        if (len) {
            mg_html(h, "<p>");
            mg_html_textn(h, p, len);
            mg_html(h, "</p>\n");
        }
        if (!nl)
            break;
        p = nl + 1;
    }
    if (j->circle->organizer_email) {
        mg_html(h, "<p>");
        mg_html_text(h, _("Coordinator:"));
        mg_html(h, " ");
        mg_html_text(h, j->circle->organizer_name ? j->circle->organizer_name
                                                  : "");
        mg_html(h, " &lt;");
        mg_html_text(h, j->circle->organizer_email);
        mg_html(h, "&gt;</p>\n");
    }
    mg_html(h, "</section>\n");
}

static void page_head(struct mg_html *h, const struct join *j)
{
    web_begin(h, j->circle->title);
    /* .off: out of sight but rendered (the default button); .hp, the
     * honeypot, is hidden outright, so neither people nor screen
     * readers meet it, while a bot filling every field does */
    mg_html(h, "<style>.off{position:absolute;left:-999rem;width:1px;"
               "height:1px;overflow:hidden}.hp{position:absolute;"
               "left:-999rem;visibility:hidden}.field-error{color:#a4000f;"
               "margin:.25rem 0}</style>\n");
    mg_html(h, "<h1>");
    mg_html_textf(h, _("Sign up for %s"), j->circle->title);
    mg_html(h, "</h1>\n");
}

/* The form, fresh or posted back with its errors. */
static void render_form(struct request *r, unsigned int status,
                        const struct join *j)
{
    struct mg_html h = MG_HTML_INIT;
    char stamp[64];
    int64_t now = mg_now();

    if (stamp_make(stamp, sizeof(stamp), r, j->circle->id, now) < 0) {
        web_error_page(r, MHD_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }
    page_head(&h, j);
    if (j->rejected) {
        mg_html(&h, "<p class=\"notice\" role=\"alert\">");
        mg_html_text(&h, _("Your sign-up could not be taken, and nothing was "
                           "saved. Please check the form and send it "
                           "again."));
        mg_html(&h, "</p>\n");
    } else if (j->n_errs) {
        size_t i;

        mg_html(&h, "<div class=\"notice\" role=\"alert\"><p>");
        mg_html_text(&h, _("Nothing was saved. Please correct:"));
        mg_html(&h, "</p><ul>\n");
        for (i = 0; i < j->n_errs; i++) {
            mg_html(&h, "<li><a href=\"#");
            mg_html_attr(&h, j->errs[i].field);
            mg_html(&h, "\">");
            mg_html_text(&h, j->errs[i].message);
            mg_html(&h, "</a></li>\n");
        }
        mg_html(&h, "</ul></div>\n");
    }
    mg_html(&h, "<p>");
    mg_html_textf(&h,
                  _("A %d-week reading circle starting %s. Fill in the form "
                    "and we will mail you a link to confirm your place."),
                  j->circle->weeks, j->circle->start_date);
    mg_html(&h, "</p>\n");
    if (j->s.closes_at) {
        char when[24];

        mg_schedule_local_text(when, sizeof(when), j->circle->time_zone,
                               j->s.closes_at, ' ');
        mg_html(&h, "<p>");
        mg_html_textf(&h, _("Sign-up closes %s (%s)."), when,
                      j->circle->time_zone);
        mg_html(&h, "</p>\n");
    }
    mg_html(&h, "<form method=\"post\" action=\"/join/");
    mg_html_url_arg(&h, j->circle->slug);
    mg_html(&h, "\" novalidate>\n<input type=\"hidden\" name=\"t\" value=\"");
    mg_html_attr(&h, stamp);
    mg_html(&h, "\">\n");
    /* Enter in a field sends the form with its first submit button:
     * make that "Sign up", not "show the times" (off-screen, skipped) */
    mg_html(&h, "<button type=\"submit\" class=\"off\" tabindex=\"-1\" "
                "aria-hidden=\"true\">");
    mg_html_text(&h, _("Sign up"));
    mg_html(&h, "</button>\n");
    /* the honeypot: off-screen, out of the tab order and hidden from
     * screen readers; a person leaves it empty, a form-filling bot not */
    mg_html(&h, "<div class=\"hp\" aria-hidden=\"true\"><label "
                "for=\"website\">Website</label><input type=\"text\" "
                "id=\"website\" name=\"website\" tabindex=\"-1\" "
                "autocomplete=\"off\" value=\"\"></div>\n");
    text_input(&h, j, "name", _("Your name"), "text", "name");
    text_input(&h, j, "email", _("Your email address"), "email", "email");
    choice_select(&h, j, "sector", _("Your library sector"),
                  mg_signup_sectors(&j->s), 1);
    choice_select(&h, j, "region", _("Your region"), j->s.regions, 0);
    zone_select(&h, j);
    slots_fieldset(&h, j);
    wishes_fieldset(&h, j);
    mg_html(&h, "<p><label><input type=\"checkbox\" name=\"volunteer\" "
                "value=\"1\"");
    if (posted(j, "volunteer", "1"))
        mg_html(&h, " checked");
    mg_html(&h, "> ");
    mg_html_text(&h, _("I volunteer to facilitate a group (the coordinator "
                       "will confirm)"));
    mg_html(&h, "</label></p>\n");
    notice(&h, j);
    field_error(&h, j, "consent");
    mg_html(&h, "<p><label><input type=\"checkbox\" id=\"consent\" "
                "name=\"consent\" value=\"1\" required");
    field_aria(&h, j, "consent");
    mg_html(&h, "> ");
    mg_html_text(&h, _("I have read what is collected and why, and I agree"));
    mg_html(&h, "</label></p>\n<p><button type=\"submit\">");
    mg_html_text(&h, _("Sign up"));
    mg_html(&h, "</button></p>\n</form>\n");
    web_end(&h);
    web_reply(r, status, &h);
}

static void render_closed(struct request *r, unsigned int status,
                          const struct join *j)
{
    struct mg_html h = MG_HTML_INIT;

    page_head(&h, j);
    mg_html(&h, "<p>");
    mg_html_text(&h, _("Sign-up for this circle is closed."));
    if (j->circle->organizer_email) {
        mg_html(&h, " ");
        mg_html_textf(&h, _("To ask about a place, write to %s."),
                      j->circle->organizer_email);
    }
    mg_html(&h, "</p>\n");
    web_end(&h);
    web_reply(r, status, &h);
}

/* Whether the page takes sign-ups: open, before its date, and with an
 * organizer to send the mail from. */
static int taking(const struct join *j)
{
    return mg_signup_is_open(&j->s, mg_now()) && j->circle->organizer_email &&
           j->circle->slug;
}

void handle_join_form(struct request *r)
{
    struct join j;

    if (join_load(&j, r) < 0)
        return;
    if (taking(&j))
        render_form(r, MHD_HTTP_OK, &j);
    else
        render_closed(r, MHD_HTTP_OK, &j);
    join_release(&j);
}

/* One of the circle's choices, or "other" with its text: the value into
 * *out (borrowed from the form), or an error. Empty is fine unless
 * `required`. */
static void check_choice(const char **out, struct join *j, const char *name,
                         const char *lines, int required)
{
    const char *v = value(j, name);
    char other_name[32];

    *out = NULL;
    snprintf(other_name, sizeof(other_name), "%s_other", name);
    if (strcmp(v, OTHER) == 0 || (!v[0] && !lines && value(j, other_name)[0]))
        v = value(j, other_name);
    else if (v[0] && !mg_signup_choice_listed(lines, v)) {
        add_error(j, name, _("Choose one of the list, or other."));
        return;
    }
    if (!v[0]) {
        if (required || strcmp(value(j, name), OTHER) == 0)
            add_error(j, strcmp(value(j, name), OTHER) == 0 ? other_name : name,
                      strcmp(value(j, name), OTHER) == 0
                          ? _("Say which, or choose one of the list.")
                          : _("Choose one."));
        return;
    }
    if (strlen(v) > MG_SIGNUP_MAX_CHOICE || !mg_text_clean(v)) {
        add_error(j, other_name, _("Use at most 100 characters of text."));
        return;
    }
    *out = v;
}

/* Check every field into `p` (strings copied), errors into j->errs. */
static void check_fields(struct mg_participant *p, int *volunteer,
                         struct join *j)
{
    const char *name = value(j, "name"), *email = value(j, "email");
    const char *zone = value(j, "time_zone"), *sector, *region;
    size_t i, k;

    if (!name[0] || strlen(name) > 200 || !mg_text_clean(name))
        add_error(j, "name", _("Give your name (at most 200 characters)."));
    else
        p->name = mg_xstrdup(name);
    if (!mg_email_valid(email))
        add_error(j, "email",
                  _("Give an email address such as "
                    "name@example.org."));
    else
        p->email = mg_xstrdup(email);
    check_choice(&sector, j, "sector", mg_signup_sectors(&j->s), 1);
    check_choice(&region, j, "region", j->s.regions, 0);
    p->sector = sector ? mg_xstrdup(sector) : NULL;
    p->region = region ? mg_xstrdup(region) : NULL;
    if (!zone[0] || !mg_schedule_tz_valid(zone))
        add_error(j, "time_zone", _("Choose a time zone from the list."));
    else
        p->time_zone = mg_xstrdup(zone);
    /* slots: the circle's own, at least one when it has several */
    p->slot_ids = mg_xcalloc(j->circle->n_slots + 1, sizeof(*p->slot_ids));
    for (i = 0; j->form && i < j->form->n; i++) {
        const struct mg_form_field *f = &j->form->fields[i];
        int found = 0;

        if (strcmp(f->name, "slot") != 0)
            continue;
        for (k = 0; k < j->circle->n_slots; k++) {
            char id[32];

            snprintf(id, sizeof(id), "%lld", (long long)j->circle->slots[k].id);
            if (f->value && strcmp(f->value, id) == 0) {
                found = 1;
                break;
            }
        }
        if (!found) {
            add_error(j, "slots", _("Choose call times from the list."));
            continue;
        }
        { /* each slot once */
            size_t m;
            int dup = 0;

            for (m = 0; m < p->n_slots; m++)
                dup |= p->slot_ids[m] == j->circle->slots[k].id;
            if (!dup && p->n_slots < j->circle->n_slots)
                p->slot_ids[p->n_slots++] = j->circle->slots[k].id;
        }
    }
    if (j->circle->n_slots > 1 && p->n_slots == 0)
        add_error(j, "slots", _("Choose at least one call time you can make."));
    for (k = 0; k < MG_PERSON_MAX_WISHES; k++) {
        char wname[16];
        const char *v;
        int found = 0;
        size_t m;

        snprintf(wname, sizeof(wname), "wish%zu", k + 1);
        v = value(j, wname);
        if (!v[0])
            continue;
        for (i = 0; i < j->n_threads; i++) {
            char id[32];

            snprintf(id, sizeof(id), "%lld", (long long)j->threads[i].id);
            if (strcmp(v, id) == 0) {
                found = 1;
                break;
            }
        }
        if (!found) {
            add_error(j, wname, _("Choose a thread from the list."));
            continue;
        }
        for (m = 0; m < p->n_wishes; m++)
            if (p->wishes[m] == j->threads[i].id)
                found = 0;
        if (!found) {
            add_error(j, wname, _("Choose each thread once."));
            continue;
        }
        p->wishes[p->n_wishes++] = j->threads[i].id;
    }
    *volunteer = posted(j, "volunteer", "1");
    if (!posted(j, "consent", "1"))
        add_error(j, "consent",
                  _("Tick the box to agree, or we cannot take "
                    "your sign-up."));
}

static void render_sent(struct request *r, const struct join *j,
                        const char *email)
{
    struct mg_html h = MG_HTML_INIT;

    page_head(&h, j);
    mg_html(&h, "<h2>");
    mg_html_text(&h, _("Check your mail"));
    mg_html(&h, "</h2>\n<p>");
    mg_html_textf(&h,
                  _("We are sending a mail to %s. Open the link in it "
                    "within %d days to confirm your place; until then "
                    "nothing is planned for you. If no mail comes, check "
                    "your spam folder, or sign up again in ten minutes."),
                  email, r->srv->signup_expiry_days);
    mg_html(&h, "</p>\n");
    web_end(&h);
    web_reply(r, MHD_HTTP_OK, &h);
}

void handle_join_submit(struct request *r)
{
    struct mg_form form = {NULL, 0, 0};
    struct mg_participant p;
    struct mg_error err = {{0}, {0}};
    struct join j;
    struct mg_signup_env env;
    int volunteer = 0, rc;
    int64_t now = mg_now();

    memset(&p, 0, sizeof(p));
    memset(&j, 0, sizeof(j));
    /* every post counts, to a page that exists or not */
    if (http_signup_limited(r) || join_load(&j, r) < 0)
        return;
    if (!taking(&j)) {
        render_closed(r, MHD_HTTP_FORBIDDEN, &j);
        goto out;
    }
    if (request_form(&form, r) < 0) {
        j.rejected = 1;
        render_form(r, MHD_HTTP_BAD_REQUEST, &j);
        goto out;
    }
    j.form = &form;
    if (mg_form_get(&form, "show_times")) {
        /* the same form, the call times in the zone chosen; no checks */
        render_form(r, MHD_HTTP_OK, &j);
        goto out;
    }
    /* Spam: the honeypot filled or the form posted too soon (or not
     * ours, or stale). Generic, and nothing saved. */
    if (filled(&j, "website") ||
        !stamp_ok(r, j.circle->id, value(&j, "t"), now)) {
        mg_log(MG_LOG_INFO, "sign-up refused as automated", "circle",
               j.circle->slug, NULL);
        j.rejected = 1;
        render_form(r, MHD_HTTP_BAD_REQUEST, &j);
        goto out;
    }
    check_fields(&p, &volunteer, &j);
    if (j.n_errs == 0 && mg_participant_validate(&p, &err) < 0)
        add_error(&j, err.field[0] ? err.field : "name", err.message);
    if (j.n_errs) {
        render_form(r, MHD_HTTP_UNPROCESSABLE_CONTENT, &j);
        goto out;
    }
    env.base_url = r->srv->base_url;
    env.expiry_days = r->srv->signup_expiry_days;
    env.now = now;
    rc = mg_signup_submit(r->srv->store, j.circle, &j.s, &p, volunteer, &env,
                          &err);
    if (rc < 0) {
        mg_log(MG_LOG_ERROR, "sign-up failed", "circle", j.circle->slug,
               "error", err.message, NULL);
        web_error_page(r, MHD_HTTP_INTERNAL_SERVER_ERROR);
        goto out;
    }
    mg_outbox_sender_wake(r->srv->sender);
    render_sent(r, &j, value(&j, "email"));
out:
    mg_participant_release(&p);
    mg_form_release(&form);
    join_release(&j);
}

/* /join/<slug>/confirm/<token>: the slug, checked against the circle the
 * token names (r->feed holds the token). */
static int confirm_slug(char *slug, size_t n, const struct request *r)
{
    const char *s = r->url + 6, *end = strchr(s, '/');

    if (!end || (size_t)(end - s) >= n)
        return -1;
    memcpy(slug, s, (size_t)(end - s));
    slug[end - s] = '\0';
    return 0;
}

/* Load the circle of a confirmation link (into r->feed's place for
 * join_load) and keep the token. */
static int confirm_load(struct join *j, char *token, struct request *r)
{
    char slug[32];

    snprintf(token, 64, "%s", r->feed);
    if (confirm_slug(slug, sizeof(slug), r) < 0) {
        web_error_page(r, MHD_HTTP_NOT_FOUND);
        return -1;
    }
    snprintf(r->feed, sizeof(r->feed), "%s", slug);
    return join_load(j, r);
}

static void render_bad_link(struct request *r, const struct join *j)
{
    struct mg_html h = MG_HTML_INIT;

    http_auth_failed(r); /* a guessed secret URL counts as one */
    page_head(&h, j);
    mg_html(&h, "<p>");
    mg_html_text(&h, _("This confirmation link does not work: it may be "
                       "mistyped, replaced by a newer one, or the sign-up "
                       "expired. Use the link in the latest mail, or sign "
                       "up again."));
    mg_html(&h, "</p>\n");
    web_end(&h);
    web_reply(r, MHD_HTTP_NOT_FOUND, &h);
}

/* The page a confirmation link opens: a button, so that a mail
 * scanner's visit to the link confirms nothing. */
void handle_join_confirm_form(struct request *r)
{
    struct mg_html h = MG_HTML_INIT;
    struct join j;
    char token[64];
    int64_t circle = 0, pid = 0;

    if (confirm_load(&j, token, r) < 0)
        return;
    {
        char id[MG_TOKEN_ID_LEN + 1];
        unsigned char hash[MG_TOKEN_HASH_LEN];
        int64_t group = 0;
        int rc = mg_calendar_parse_feed_token(id, hash, token);

        if (rc == 0)
            rc = mg_store_secret_check(&circle, &pid, &group, r->srv->store,
                                       "confirm", id, hash);
        if (rc < 0 || circle != j.circle->id) {
            render_bad_link(r, &j);
            join_release(&j);
            return;
        }
    }
    page_head(&h, &j);
    mg_html(&h, "<form method=\"post\" action=\"/join/");
    mg_html_url_arg(&h, j.circle->slug);
    mg_html(&h, "/confirm/");
    mg_html_url_arg(&h, token);
    mg_html(&h, "\"><p>");
    mg_html_text(&h, _("One more step: confirm your place with this "
                       "button."));
    mg_html(&h, "</p><p><button type=\"submit\">");
    mg_html_text(&h, _("Confirm my place"));
    mg_html(&h, "</button></p></form>\n");
    web_end(&h);
    web_reply(r, MHD_HTTP_OK, &h);
    join_release(&j);
}

void handle_join_confirm(struct request *r)
{
    struct mg_html h = MG_HTML_INIT;
    struct mg_signup_confirmed done;
    struct mg_signup_env env;
    struct mg_error err = {{0}, {0}};
    struct mg_buf link = MG_BUF_INIT;
    struct join j;
    char token[64];
    int rc;

    if (confirm_load(&j, token, r) < 0)
        return;
    env.base_url = r->srv->base_url;
    env.expiry_days = r->srv->signup_expiry_days;
    env.now = mg_now();
    rc = mg_signup_confirm(&done, r->srv->store, j.circle, token, &env, &err);
    if (rc == MG_EAUTH) {
        render_bad_link(r, &j);
        goto out;
    }
    if (rc < 0) {
        mg_log(MG_LOG_ERROR, "confirming a sign-up failed", "circle",
               j.circle->slug, "error", err.message, NULL);
        web_error_page(r, MHD_HTTP_INTERNAL_SERVER_ERROR);
        goto out;
    }
    mg_outbox_sender_wake(r->srv->sender);
    page_head(&h, &j);
    mg_html(&h, "<h2>");
    mg_html_text(&h, done.already ? _("Already confirmed")
                                  : _("Your place is confirmed"));
    mg_html(&h, "</h2>\n<p>");
    if (done.status == MG_STATUS_WAITLISTED)
        mg_html_textf(&h,
                      _("The circle is full for now: you are number %d on "
                        "its waitlist. When a place opens it is offered to "
                        "the first person waiting, and you get a mail."),
                      done.place);
    else if (done.already)
        mg_html_text(&h, _("You confirmed your place before; nothing "
                           "changed."));
    else
        mg_html_text(&h, _("Thank you: you have a place. Your group and its "
                           "calls will follow by mail."));
    mg_html(&h, "</p>\n");
    if (!done.already && done.page[0]) {
        mg_buf_printf(&link, "%s/p/%s",
                      r->srv->base_url ? r->srv->base_url : "", done.page);
        mg_html(&h, "<p>");
        mg_html_link(&h, link.data, _("Your own page"), NULL);
        mg_html(&h, " ");
        mg_html_text(&h, _("(we mailed you the link too; keep it to "
                           "yourself):"));
        mg_html(&h, " <code>");
        mg_html_text(&h, link.data);
        mg_html(&h, "</code></p>\n");
    } else {
        mg_html(&h, "<p>");
        mg_html_text(&h, _("Your own page is at the link in the mail you got "
                           "when you confirmed."));
        mg_html(&h, "</p>\n");
    }
    web_end(&h);
    web_reply(r, MHD_HTTP_OK, &h);
out:
    memset(done.page, 0, sizeof(done.page));
    mg_buf_release(&link);
    join_release(&j);
}
