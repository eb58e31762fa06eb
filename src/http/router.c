/*
 * router.c: the route table and matching. A pattern is a path whose
 * "{id}" segments match positive decimal integers; the pattern itself is
 * the route's label in logs and metrics, so ids never explode the metric
 * cardinality.
 */
#include "internal.h"

#include "../api/api.h"
#include "../web/web.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

const struct route http_routes[] = {
    {"GET", "/healthz", AUTH_PUBLIC, handle_healthz},
    {"GET", "/metrics", AUTH_PUBLIC, handle_metrics},
    {"GET", "/api/v1/circles", AUTH_COORDINATOR, handle_circles_list},
    {"POST", "/api/v1/circles", AUTH_ADMIN, handle_circles_create},
    {"GET", "/api/v1/circles/{id}", AUTH_MEMBER, handle_circles_get},
    {"PUT", "/api/v1/circles/{id}", AUTH_COORDINATOR, handle_circles_replace},
    {"PATCH", "/api/v1/circles/{id}", AUTH_COORDINATOR, handle_circles_patch},
    {"DELETE", "/api/v1/circles/{id}", AUTH_COORDINATOR, handle_circles_delete},
    {"POST", "/api/v1/circles/{id}/book", AUTH_COORDINATOR, handle_book_upload},
    {"PUT", "/api/v1/circles/{id}/book", AUTH_COORDINATOR, handle_book_upload},
    {"GET", "/api/v1/circles/{id}/book", AUTH_MEMBER, handle_book_get},
    {"GET", "/api/v1/circles/{id}/threads", AUTH_MEMBER, handle_threads_list},
    {"GET", "/api/v1/circles/{id}/readings", AUTH_MEMBER, handle_readings_list},
    {"POST", "/api/v1/circles/{id}/participants", AUTH_COORDINATOR,
     handle_people_create},
    {"GET", "/api/v1/circles/{id}/participants", AUTH_COORDINATOR,
     handle_people_list},
    {"GET", "/api/v1/circles/{id}/participants/{id}", AUTH_COORDINATOR,
     handle_person_get},
    {"PATCH", "/api/v1/circles/{id}/participants/{id}", AUTH_COORDINATOR,
     handle_person_patch},
    {"DELETE", "/api/v1/circles/{id}/participants/{id}", AUTH_COORDINATOR,
     handle_person_delete},
    {"GET", "/api/v1/circles/{id}/participants/{id}/export", AUTH_COORDINATOR,
     handle_person_export},
    {"POST", "/api/v1/circles/{id}/participants/{id}/withdraw",
     AUTH_COORDINATOR, handle_person_withdraw},
    {"GET", "/api/v1/circles/{id}/signup", AUTH_COORDINATOR, handle_signup_get},
    {"PUT", "/api/v1/circles/{id}/signup", AUTH_COORDINATOR, handle_signup_put},
    {"GET", "/api/v1/circles/{id}/cpd", AUTH_COORDINATOR, handle_cpd_get},
    {"PUT", "/api/v1/circles/{id}/cpd", AUTH_COORDINATOR, handle_cpd_put},
    {"GET", "/api/v1/circles/{id}/survey", AUTH_COORDINATOR, handle_survey_get},
    {"PUT", "/api/v1/circles/{id}/survey", AUTH_COORDINATOR, handle_survey_put},
    {"GET", "/api/v1/circles/{id}/move-requests", AUTH_COORDINATOR,
     handle_move_requests_list},
    {"POST", "/api/v1/circles/{id}/move-requests/{id}/dismiss",
     AUTH_COORDINATOR, handle_move_request_dismiss},
    {"POST", "/api/v1/circles/{id}/groups/plan", AUTH_COORDINATOR,
     handle_groups_plan},
    {"POST", "/api/v1/circles/{id}/groups/rebalance", AUTH_COORDINATOR,
     handle_groups_rebalance},
    {"GET", "/api/v1/circles/{id}/groups", AUTH_COORDINATOR,
     handle_groups_list},
    {"GET", "/api/v1/circles/{id}/groups/{id}", AUTH_GROUP, handle_group_get},
    {"PATCH", "/api/v1/circles/{id}/groups/{id}", AUTH_COORDINATOR,
     handle_group_patch},
    {"POST", "/api/v1/circles/{id}/groups/{id}/members", AUTH_COORDINATOR,
     handle_group_member_add},
    {"GET", "/cal/{feed}", AUTH_SELF, handle_feed},
    {"POST", "/api/v1/circles/{id}/participants/{id}/feed", AUTH_COORDINATOR,
     handle_person_feed},
    {"POST", "/api/v1/circles/{id}/groups/{id}/feed", AUTH_COORDINATOR,
     handle_group_feed},
    {"PATCH", "/api/v1/circles/{id}/groups/{id}/series", AUTH_COORDINATOR,
     handle_series_patch},
    {"POST", "/api/v1/circles/{id}/invites", AUTH_COORDINATOR,
     handle_invites_send},
    {"GET", "/api/v1/circles/{id}/sessions", AUTH_COORDINATOR,
     handle_sessions_list},
    {"PATCH", "/api/v1/circles/{id}/sessions/{id}", AUTH_COORDINATOR,
     handle_session_patch},
    {"POST", "/api/v1/circles/{id}/sessions/{id}/attendance", AUTH_COORDINATOR,
     handle_attendance_import},
    {"GET", "/api/v1/circles/{id}/sessions/{id}/attendance", AUTH_COORDINATOR,
     handle_attendance_get},
    {"GET", "/api/v1/circles/{id}/sessions/{id}/rsvps", AUTH_COORDINATOR,
     handle_rsvps_get},
    {"GET", "/api/v1/circles/{id}/outbox", AUTH_COORDINATOR,
     handle_outbox_list},
    {"GET", "/api/v1/circles/{id}/report", AUTH_COORDINATOR, handle_report},
    {"GET", "/api/v1/circles/{id}/export/{file}", AUTH_COORDINATOR,
     handle_export_download},
    {"POST", "/api/v1/circles/{id}/plenaries", AUTH_COORDINATOR,
     handle_plenaries_create},
    {"GET", "/api/v1/circles/{id}/plenaries", AUTH_MEMBER,
     handle_plenaries_list},
    {"PATCH", "/api/v1/circles/{id}/plenaries/{id}", AUTH_COORDINATOR,
     handle_plenary_patch},
    {"GET", "/api/v1/circles/{id}/plenaries/{id}/rsvps", AUTH_COORDINATOR,
     handle_plenary_rsvps_get},
    {"POST", "/api/v1/circles/{id}/plenaries/{id}/registrations",
     AUTH_COORDINATOR, handle_registration_create},
    {"POST", "/api/v1/circles/{id}/plenaries/{id}/registrations/{id}/decline",
     AUTH_COORDINATOR, handle_registration_decline},
    {"POST", "/api/v1/circles/{id}/plenaries/{id}/registrations/{id}/withdraw",
     AUTH_COORDINATOR, handle_registration_withdraw},
    {"GET", "/api/v1/circles/{id}/plenaries/{id}", AUTH_COORDINATOR,
     handle_plenary_get},
    {"POST", "/api/v1/circles/{id}/plenaries/{id}/weeks/{id}/attendance",
     AUTH_COORDINATOR, handle_plenary_attendance_import},
    {"GET", "/api/v1/circles/{id}/plenaries/{id}/weeks/{id}/attendance",
     AUTH_COORDINATOR, handle_plenary_attendance_get},
    {"POST", "/api/v1/circles/{id}/plenaries/{id}/cancel", AUTH_COORDINATOR,
     handle_plenary_cancel},
    {"GET", "/api/v1/audit", AUTH_COORDINATOR, handle_audit_list},
    {"GET", "/api/v1/circles/{id}/reminders", AUTH_COORDINATOR,
     handle_reminders_get},
    {"PUT", "/api/v1/circles/{id}/reminders", AUTH_COORDINATOR,
     handle_reminders_put},
    {"GET", "/api/v1/circles/{id}/jobs", AUTH_COORDINATOR, handle_jobs_list},
    {"GET", "/api/v1/circles/{id}/retention", AUTH_COORDINATOR,
     handle_retention_get},
    {"PUT", "/api/v1/circles/{id}/retention", AUTH_COORDINATOR,
     handle_retention_put},
    {"GET", "/api/v1/circles/{id}/certificates", AUTH_COORDINATOR,
     handle_certificates_get},
    {"PUT", "/api/v1/circles/{id}/certificates", AUTH_COORDINATOR,
     handle_certificates_put},
    /* Inbound mail: each provider authenticates in its own way. */
    {"POST", "/hooks/mail/{name}", AUTH_SELF, handle_mail_hook},
    {"GET", "/hooks/mail/{name}", AUTH_SELF, handle_mail_hook_probe},
    {"GET", "/api/v1/circles/{id}/notes", AUTH_NOTES, handle_notes_list},
    {"GET", "/api/v1/circles/{id}/notes/digest", AUTH_COORDINATOR,
     handle_notes_digest},
    {"GET", "/api/v1/notes/review", AUTH_NOTES, handle_review_list},
    {"GET", "/api/v1/notes/{id}", AUTH_NOTES, handle_note_get},
    {"POST", "/api/v1/notes/{id}/approve", AUTH_NOTES, handle_note_approve},
    {"POST", "/api/v1/notes/{id}/reject", AUTH_NOTES, handle_note_reject},
    {"POST", "/api/v1/circles/{id}/groups/{id}/notes-feed", AUTH_COORDINATOR,
     handle_group_notes_feed},
    {"GET", "/notes/{atom}", AUTH_SELF, handle_notes_atom},
    /* A participant's own page: its secret URL is the credential. */
    {"GET", "/p/{page}", AUTH_SELF, handle_person_page},
    {"POST", "/p/{page}/feed", AUTH_SELF, handle_person_page_feed},
    {"POST", "/p/{page}/rsvp", AUTH_SELF, handle_person_page_rsvp},
    {"POST", "/p/{page}/attendance", AUTH_SELF, handle_person_page_attendance},
    {"POST", "/p/{page}/plenary", AUTH_SELF, handle_person_page_plenary},
    {"POST", "/p/{page}/summary", AUTH_SELF, handle_person_page_summary},
    {"POST", "/p/{page}/review", AUTH_SELF, handle_person_page_review},
    {"POST", "/p/{page}/reminders", AUTH_SELF, handle_person_page_reminders},
    {"GET", "/p/{page}/certificate.pdf", AUTH_SELF,
     handle_person_page_certificate},
    /* A certificate's check: public, a wrong code counts as a guess. */
    {"GET", "/verify/{name}", AUTH_SELF, handle_verify},
    {"GET", "/verify", AUTH_SELF, handle_verify_form},
    {"GET", "/p/{page}/cpd.csv", AUTH_SELF, handle_person_page_cpd_csv},
    {"GET", "/p/{page}/cpd.xlsx", AUTH_SELF, handle_person_page_cpd_xlsx},
    /* A reminder's "can't come" link: its mac is the credential. */
    {"GET", "/r/{id}/{id}/{name}", AUTH_SELF, handle_reminder_link},
    {"POST", "/r/{id}/{id}/{name}", AUTH_SELF, handle_reminder_decline},
    {"GET", "/s/{id}/{name}", AUTH_SELF, handle_survey_page},
    {"POST", "/s/{id}/{name}", AUTH_SELF, handle_survey_answer},
    {"POST", "/p/{page}/profile", AUTH_SELF, handle_person_page_profile},
    {"POST", "/p/{page}/note", AUTH_SELF, handle_person_page_note},
    {"POST", "/p/{page}/leave", AUTH_SELF, handle_person_page_leave},
    {"POST", "/p/{page}/register", AUTH_SELF, handle_person_page_register},
    {"POST", "/api/v1/circles/{id}/participants/{id}/page", AUTH_COORDINATOR,
     handle_person_page_mint},
    /* A circle's public sign-up page: anyone, limited per address. */
    {"GET", "/join/{name}", AUTH_SELF, handle_join_form},
    {"POST", "/join/{name}", AUTH_SELF, handle_join_submit},
    {"GET", "/join/{slug}/confirm/{page}", AUTH_SELF, handle_join_confirm_form},
    {"POST", "/join/{slug}/confirm/{page}", AUTH_SELF, handle_join_confirm},
    /* The coordinator dashboard checks its session cookie itself. */
    {"GET", "/dashboard", AUTH_SELF, handle_dash_home},
    {"GET", "/dashboard/login", AUTH_SELF, handle_dash_login_form},
    {"POST", "/dashboard/login", AUTH_SELF, handle_dash_login},
    {"POST", "/dashboard/logout", AUTH_SELF, handle_dash_logout},
    {"GET", "/dashboard/circles/{id}", AUTH_SELF, handle_dash_circle},
    {"GET", "/dashboard/circles/{id}/people/{id}/move", AUTH_SELF,
     handle_dash_move_form},
    {"POST", "/dashboard/circles/{id}/move", AUTH_SELF, handle_dash_move},
    {"POST", "/dashboard/circles/{id}/groups/{id}/call", AUTH_SELF,
     handle_dash_group_call},
    {"POST", "/dashboard/circles/{id}/people/{id}/withdraw", AUTH_SELF,
     handle_dash_withdraw},
    {"POST", "/dashboard/circles/{id}/signup", AUTH_SELF, handle_dash_signup},
    {"POST", "/dashboard/circles/{id}/cpd", AUTH_SELF, handle_dash_cpd},
    {"POST", "/dashboard/circles/{id}/survey", AUTH_SELF, handle_dash_survey},
    {"POST", "/dashboard/circles/{id}/move-requests/{id}/dismiss", AUTH_SELF,
     handle_dash_move_request_dismiss},
    {"GET", "/dashboard/circles/{id}/rebalance", AUTH_SELF,
     handle_dash_rebalance_preview},
    {"POST", "/dashboard/circles/{id}/rebalance", AUTH_SELF,
     handle_dash_rebalance},
    {"POST", "/dashboard/circles/{id}/invites", AUTH_SELF, handle_dash_invites},
    {"GET", "/dashboard/circles/{id}/digest", AUTH_SELF, handle_dash_digest},
    {"GET", "/dashboard/circles/{id}/review", AUTH_SELF, handle_dash_review},
    {"POST", "/dashboard/circles/{id}/notes/{id}/approve", AUTH_SELF,
     handle_dash_note_approve},
    {"POST", "/dashboard/circles/{id}/notes/{id}/reject", AUTH_SELF,
     handle_dash_note_reject},
    {"GET", "/dashboard/review", AUTH_SELF, handle_dash_review_all},
    {"POST", "/dashboard/notes/{id}/approve", AUTH_SELF,
     handle_dash_any_note_approve},
    {"POST", "/dashboard/notes/{id}/reject", AUTH_SELF,
     handle_dash_any_note_reject},
    {"GET", "/dashboard/circles/{id}/plenaries/{id}", AUTH_SELF,
     handle_dash_plenary},
    {"POST", "/dashboard/circles/{id}/plenaries/{id}/cancel", AUTH_SELF,
     handle_dash_plenary_cancel},
    {"GET", "/dashboard/circles/{id}/report.csv", AUTH_SELF,
     handle_dash_report_csv},
    {"GET", "/dashboard/circles/{id}/roster.csv", AUTH_SELF,
     handle_dash_roster_csv},
    {"GET", "/dashboard/circles/{id}/attendance.csv", AUTH_SELF,
     handle_dash_attendance_csv},
    {"GET", "/dashboard/circles/{id}/export/{file}", AUTH_SELF,
     handle_dash_export},
};
const int http_n_routes = (int)(sizeof(http_routes) / sizeof(http_routes[0]));

/*
 * "{feed}" matches a feed token and its ".ics", "{atom}" one and its
 * ".atom": 48 lower-case hex characters, copied into `feed`.
 */
static int feed_matches(const char *path, char *feed, const char *suffix)
{
    size_t i;

    for (i = 0; i < 48; i++)
        if (!((path[i] >= '0' && path[i] <= '9') ||
              (path[i] >= 'a' && path[i] <= 'f')))
            return 0;
    if (strcmp(path + 48, suffix) != 0)
        return 0;
    memcpy(feed, path, 48);
    feed[48] = '\0';
    return 1;
}

/* "{page}": a page token, 48 lower-case hex characters ending the path
 * or a segment, copied into `page`. */
static int page_matches(const char *path, char *page)
{
    size_t i;

    for (i = 0; i < 48; i++)
        if (!((path[i] >= '0' && path[i] <= '9') ||
              (path[i] >= 'a' && path[i] <= 'f')))
            return 0;
    if (path[48] != '\0' && path[48] != '/')
        return 0;
    memcpy(page, path, 48);
    page[48] = '\0';
    return 1;
}

/* Match `path` against `pattern`, collecting {id} values into params. */
/* "{name}": a last segment of 1-48 lower-case letters, digits or '-'
 * (a provider's name, a link's mac). */
static int name_matches(const char *path, char *name)
{
    size_t n = strspn(path, "abcdefghijklmnopqrstuvwxyz0123456789-");

    if (n == 0 || n > 48 || path[n] != '\0')
        return 0;
    memcpy(name, path, n + 1);
    return 1;
}

/* "{file}": a last segment of 1-48 letters, digits, '-', '_' or '.'
 * (a download's name and extension, "roster.xlsx"; the handler reads
 * it). */
static int file_matches(const char *path, char *name)
{
    size_t n = strspn(path, "abcdefghijklmnopqrstuvwxyz"
                            "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.");

    if (n == 0 || n > 48 || path[n] != '\0')
        return 0;
    memcpy(name, path, n + 1);
    return 1;
}

static int path_matches(const char *pattern, const char *path, int64_t *params,
                        char *feed)
{
    int n = 0;

    while (*pattern && *path) {
        if (strcmp(pattern, "{file}") == 0)
            return file_matches(path, feed);
        if (strcmp(pattern, "{feed}") == 0)
            return feed_matches(path, feed, ".ics");
        if (strcmp(pattern, "{atom}") == 0)
            return feed_matches(path, feed, ".atom");
        if (strcmp(pattern, "{name}") == 0)
            return name_matches(path, feed);
        if (strncmp(pattern, "{slug}", 6) == 0) {
            /* a middle segment like {name}'s; the handler reads it */
            size_t len = strspn(path, "abcdefghijklmnopqrstuvwxyz0123456789-");

            if (len == 0 || len > 31 || path[len] != '/')
                return 0;
            pattern += 6;
            path += len;
            continue;
        }
        if (strncmp(pattern, "{page}", 6) == 0) {
            if (!page_matches(path, feed))
                return 0;
            pattern += 6;
            path += 48;
            continue;
        }
        if (strncmp(pattern, "{id}", 4) == 0) {
            char *end;
            long long v;

            if (*path < '1' || *path > '9')
                return 0;
            errno = 0;
            v = strtoll(path, &end, 10);
            if (errno || (*end && *end != '/') || n == MAX_PARAMS)
                return 0;
            params[n++] = v;
            pattern += 4;
            path = end;
            continue;
        }
        if (*pattern != *path)
            return 0;
        pattern++;
        path++;
    }
    /* A trailing slash is the same path. */
    if (path[0] == '/' && path[1] == '\0')
        path++;
    return *pattern == '\0' && *path == '\0';
}

void route_match(struct request *r)
{
    int i;
    int64_t params[MAX_PARAMS];
    int head = strcmp(r->method, "HEAD") == 0;

    r->allow[0] = '\0';
    for (i = 0; i < http_n_routes; i++) {
        const struct route *rt = &http_routes[i];
        memset(params, 0, sizeof(params)); /* unmatched slots stay 0 */
        if (!path_matches(rt->pattern, r->url, params, r->feed))
            continue;
        if (strcmp(rt->method, r->method) == 0 ||
            (head && strcmp(rt->method, "GET") == 0)) {
            r->route = rt;
            memcpy(r->params, params, sizeof(params));
            return;
        }
        r->method_not_allowed = 1;
        {
            size_t len = strlen(r->allow);
            snprintf(r->allow + len, sizeof(r->allow) - len, "%s%s",
                     len ? ", " : "", rt->method);
        }
    }
}
