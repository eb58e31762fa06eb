/*
 * internal.h: what the http module's files share: the server and request
 * structs, the route table and the reply helpers handlers use.
 */
#ifndef MINGLE_HTTP_INTERNAL_H
#define MINGLE_HTTP_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include <jansson.h>
#include <microhttpd.h>

#include "mingle/auth.h"
#include "mingle/http.h"
#include "mingle/store.h"

#define MAX_PARAMS 4

struct metrics;

struct sender;
struct feed_cache;

/* The inbound-mail providers' secrets, copied from the config. */
struct hooks_config {
    char *mailgun_key;
    int mailgun_max_age;
    char *mandrill_key;
    char *mandrill_url;
    char *sendgrid_secret;
    char *postmark_secret;
    char *cloudmailin_secret;
    char *mime_secret;
    size_t attachment_cap;
};

void hooks_config_copy(struct hooks_config *h, const struct mg_config *cfg);
void hooks_config_release(struct hooks_config *h);

struct mg_http_server {
    struct MHD_Daemon *daemon;
    struct mg_store *store;
    char *base_url;        /* for links in responses: cfg base_url or our own */
    char *mail_domain;     /* cfg mail_domain, may be NULL */
    struct sender *sender; /* the outbox thread */
    atomic_uint_fast64_t generation; /* bumped by every successful write */
    struct feed_cache *feeds;
    size_t body_limit;
    int request_timeout; /* seconds for a whole request body */
    int port;
    atomic_int inflight;
    atomic_int draining;
    struct metrics *metrics;
    struct hooks_config hooks;
    struct auth_limiter *limiter;
    struct deadlines *deadlines;
};

struct route;

/* One request, from its headers to its completion callback. */
struct request {
    struct mg_http_server *srv;
    struct MHD_Connection *conn;
    const char *method;
    const char *url;
    const struct route *route;
    int64_t params[MAX_PARAMS]; /* numeric {id} segments, in order */
    int method_not_allowed;     /* path known, method not */
    char allow[64];             /* methods the path takes, for 405 */
    char location[96];          /* Location header for 201, if set */
    char feed[64]; /* the token of /cal/{feed}.ics or /p/{page}, or the
                      {name} segment */
    double started;
    struct mg_buf body;
    int too_big;
    int status;
    struct mg_token token; /* filled by http_authenticate() or the
                              dashboard's session */
    const char *via;       /* "api" or "dashboard", for the audit log */
    char client[48];       /* the client's address, once looked up */
    char retry_after[24];  /* Retry-After of a 429 */
};

typedef void (*handler_fn)(struct request *r);

/*
 * Who may call a route (access.c). Routes under /api/v1/circles/{id} are
 * checked against that circle here; the few without a circle in the
 * path (a note, the review queue, the circle list, the audit log) narrow
 * what they show or check the object's circle in their handler.
 */
enum auth_need {
    AUTH_PUBLIC,      /* no credential: health and metrics */
    AUTH_SELF,        /* the handler checks its own credential: a secret
                         URL, a provider's signature, a dashboard session */
    AUTH_ADMIN,       /* a coordinator of every circle */
    AUTH_COORDINATOR, /* a coordinator of the circle (or of every one) */
    AUTH_NOTES,       /* ... or a facilitator in the circle, who sees and
                         decides their own group's notes only */
    AUTH_GROUP,       /* ... or the facilitator of group {id} */
    AUTH_MEMBER       /* any token for the circle, participants' too:
                         what the circle is and what it reads */
};

struct route {
    const char *method;
    const char *pattern; /* "/api/v1/circles/{id}", also the metrics label */
    enum auth_need auth;
    handler_fn handler;
};

extern const struct route http_routes[];
extern const int http_n_routes;

/* Find the route for method and path; fills r->route or the 405 fields. */
void route_match(struct request *r);

/* Replies. Each queues the response on the connection and sets r->status. */
void reply_json(struct request *r, unsigned int status, json_t *body);
void reply_error(struct request *r, unsigned int status, const char *code,
                 const char *message, const char *field);
void reply_text(struct request *r, unsigned int status,
                const char *content_type, char *body);
/* Map an MG_E code (with optional detail) to the fitting error reply. */
void reply_code(struct request *r, int code, const struct mg_error *err);

/*
 * Whether the caller's token reaches circle `circle_id`: a coordinator
 * of every circle, or any token of that circle.
 */
int http_token_has_circle(const struct mg_token *tok, int64_t circle_id);
/* The same for r->params[0]; replies 403 itself if not. */
int http_may_read_circle(struct request *r);
/*
 * The group a facilitator's token is limited to, or 0 for a coordinator.
 * Handlers under AUTH_NOTES use it to narrow what they show and decide.
 */
int64_t http_token_group(const struct request *r);
/* Check the route's credential; replies itself and returns nonzero when
 * the request may not go on (access.c). */
int http_authenticate(struct request *r);

/*
 * Guessing secrets (access.c): failed credentials per client address,
 * forgotten at auth_fail_limit a minute. http_client_address() is the
 * peer, or the X-Forwarded-For client of a trusted proxy.
 */
struct auth_limiter;
struct auth_limiter *auth_limiter_new(int per_minute, const char *proxies);
void auth_limiter_free(struct auth_limiter *l);
void http_client_address(char *out, size_t n, struct request *r);
/* Whether r's address has failed too often: replies 429 itself if so. */
int http_rate_limited(struct request *r);
/* Count one failed credential against r's address. */
void http_auth_failed(struct request *r);

/*
 * Headers' deadline (deadline.c): a connection has `seconds` from when it
 * opens, or its last request ends, to send its next request's headers.
 * deadlines_notify() is libmicrohttpd's connection callback;
 * deadlines_request() marks a request begun (headers in) or ended.
 */
struct deadlines;
struct deadlines *deadlines_start(int seconds);
void deadlines_stop(struct deadlines *d);
void deadlines_notify(void *cls, struct MHD_Connection *conn,
                      void **socket_context,
                      enum MHD_ConnectionNotificationCode toe);
void deadlines_request(struct mg_http_server *srv, struct MHD_Connection *conn,
                       int begun);

/* The audit log (audit.c): record a coordinator's request once the
 * handler has answered it; a failure to record is logged, not fatal. */
void http_audit(struct request *r);

/* A JSON string, or JSON null for NULL or "". */
json_t *json_string_or_null(const char *s);
/*
 * Set *slot to a copy of JSON string `v` (free()ing the old value), or
 * to NULL for JSON null. MG_EINVAL naming `field` for any other type or a
 * string holding NUL.
 */
int json_take_string(char **slot, json_t *v, const char *field,
                     struct mg_error *err);

/* Parse the request body as a JSON object; replies 400/415 itself. */
json_t *request_json(struct request *r);
/* "YYYY-MM-DDTHH:MM", local time in `tzid`: from a UTC instant ("" if
 * it cannot be converted), and back (MG_EINVAL for another shape). */
void http_local_string(char *out, size_t n, const char *tzid, int64_t t);
int http_parse_local(int64_t *out, const char *tzid, const char *s);

/* A query argument, or NULL. */
const char *request_arg(struct request *r, const char *name);
/*
 * Read the body as a posted form (urlencoded or multipart) with
 * libmicrohttpd's post processor into `form` (zero-initialised by the
 * caller, who releases it with mg_form_release). MG_EINVAL when it is
 * not a form (api_hooks.c).
 */
struct mg_form;
int request_form(struct mg_form *form, struct request *r);

/*
 * HTML pages (page.c): the shared scaffolding. A page is built in an
 * mg_buf: page_begin(), the body, page_end(), then reply_page() with
 * mg_buf_detach()'s string, which it takes. Every text and attribute goes
 * through page_text()/mg_buf_html_escape(); NULL is written as nothing.
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

/* Metrics (metrics.c). */
struct metrics *metrics_new(void);
void metrics_free(struct metrics *m);
void metrics_observe(struct metrics *m, const char *route, int status,
                     double seconds);
char *metrics_render(struct metrics *m, struct mg_http_server *srv);

/* Handlers. */
void handle_healthz(struct request *r);
void handle_metrics(struct request *r);
void handle_circles_list(struct request *r);
void handle_circles_create(struct request *r);
void handle_circles_get(struct request *r);
void handle_circles_replace(struct request *r);
void handle_circles_patch(struct request *r);
void handle_circles_delete(struct request *r);
void handle_book_upload(struct request *r);
void handle_book_get(struct request *r);
void handle_threads_list(struct request *r);
void handle_readings_list(struct request *r);
void handle_people_create(struct request *r);
void handle_people_list(struct request *r);
void handle_person_get(struct request *r);
void handle_person_patch(struct request *r);
void handle_person_withdraw(struct request *r);
void handle_person_delete(struct request *r);
void handle_groups_plan(struct request *r);
void handle_groups_rebalance(struct request *r);
void handle_groups_list(struct request *r);
/* One group with its members: its facilitator may read it (api_groups.c). */
void handle_group_get(struct request *r);
/* Everything mingle holds about one person, as JSON (api_export.c). */
void handle_person_export(struct request *r);
/* The audit log of coordinators' actions (api_audit.c). */
void handle_audit_list(struct request *r);
void handle_group_member_add(struct request *r);
void handle_feed(struct request *r);
void handle_mail_hook(struct request *r);
void handle_mail_hook_probe(struct request *r);
void handle_notes_list(struct request *r);
void handle_notes_digest(struct request *r);
void handle_review_list(struct request *r);
void handle_note_get(struct request *r);
void handle_note_approve(struct request *r);
void handle_note_reject(struct request *r);
void handle_group_notes_feed(struct request *r);
void handle_notes_atom(struct request *r);
void handle_person_feed(struct request *r);
void handle_group_feed(struct request *r);
void handle_invites_send(struct request *r);
void handle_sessions_list(struct request *r);
void handle_session_patch(struct request *r);
void handle_attendance_import(struct request *r);
void handle_attendance_get(struct request *r);
/* A session's RSVPs (api_rsvps.c). */
void handle_rsvps_get(struct request *r);
void handle_series_patch(struct request *r);
void handle_outbox_list(struct request *r);
/* A circle's success report (api_report.c). */
void handle_report(struct request *r);
/* api_plenaries.c: whole-circle sessions and their waitlist */
void handle_plenaries_create(struct request *r);
void handle_plenaries_list(struct request *r);
void handle_plenary_patch(struct request *r);
void handle_registration_create(struct request *r);
void handle_registration_decline(struct request *r);
void handle_registration_withdraw(struct request *r);
/* A participant's page at its secret URL (page_person.c). */
void handle_person_page(struct request *r);
void handle_person_page_feed(struct request *r);
void handle_person_page_rsvp(struct request *r);
void handle_person_page_attendance(struct request *r);
void handle_person_page_mint(struct request *r);
/* The coordinator dashboard (page_dashboard.c): its own session cookie. */
void handle_dash_login_form(struct request *r);
void handle_dash_login(struct request *r);
void handle_dash_logout(struct request *r);
void handle_dash_home(struct request *r);
void handle_dash_circle(struct request *r);
void handle_dash_move(struct request *r);
void handle_dash_rebalance(struct request *r);
void handle_dash_invites(struct request *r);
void handle_dash_digest(struct request *r);

/*
 * Queue the invitations a change calls for (logging a failure rather
 * than failing the request that made the change); *queued may be NULL.
 */
int http_reconcile(struct request *r, int64_t circle_id, size_t *queued);

/* Rendered feeds, kept briefly (api_calendar.c). */
struct feed_cache *feed_cache_new(void);
void feed_cache_free(struct feed_cache *c);

/* The outbox sender (sender.c): started with the server, woken when mail
 * is queued, stopped last. */
struct sender *sender_start(const struct mg_config *cfg, struct mg_store *st);
void sender_wake(struct sender *s);
void sender_stop(struct sender *s);

#endif
