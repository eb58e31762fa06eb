/*
 * internal.h: the transport that both front doors on HTTP share: the
 * server and request structs, the route table, access checks and the
 * reply helpers. JSON routes (src/api/) and pages (src/web/) include it;
 * they never include each other.
 */
#ifndef MINGLE_HTTP_INTERNAL_H
#define MINGLE_HTTP_INTERNAL_H

#include <limits.h>
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

struct mg_outbox_sender;
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
    char *authserv_id;     /* whose Authentication-Results are believed */
    char *sender_auth_off; /* providers published without a verdict */
};

void hooks_config_copy(struct hooks_config *h, const struct mg_config *cfg);
void hooks_config_release(struct hooks_config *h);

struct mg_http_server {
    struct MHD_Daemon *daemon;
    struct mg_store *store;
    char *base_url;    /* for links in responses: cfg base_url or our own */
    char *mail_domain; /* cfg mail_domain, may be NULL */
    struct mg_outbox_sender *sender; /* the outbox thread */
    struct mg_jobs_scheduler *jobs;  /* the jobs thread (reminders) */
    atomic_uint_fast64_t generation; /* bumped by every successful write */
    struct feed_cache *feeds;
    size_t body_limit;
    size_t webhook_limit;     /* cfg webhook_body_limit: the mail hooks' cap */
    size_t body_budget;       /* bodies held at once, all connections */
    atomic_size_t buffered;   /* bytes of bodies held (reserved) now */
    atomic_size_t unverified; /* ... of those, in memory, not yet proved */
    int request_timeout;      /* seconds for a whole request body */
    int port;
    atomic_int inflight;
    atomic_int draining;
    struct metrics *metrics;
    struct hooks_config hooks;
    struct auth_limiter *limiter;
    struct auth_limiter *signup_limiter; /* sign-up posts per address */
    int signup_min_seconds; /* between a sign-up page's load and its post */
    int signup_expiry_days; /* an unconfirmed sign-up is erased after */
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
    struct mg_buf body; /* or, spooled, a private map of the spool file */
    int too_big;
    int over_budget;            /* past the server's body_budget: 503 */
    int authenticated;          /* http_authenticate() passed on the headers */
    size_t reserved;            /* bytes of body_budget this request holds */
    size_t reserved_unverified; /* ... of the unverified budget */
    int unverified;             /* its credential is checked after its body */
    int spool;                  /* the body's temp file (mail hooks), or -1 */
    int spool_failed;           /* the temp file could not be written: 503 */
    size_t mapped;              /* bytes mapped at body.data, when spooled */
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

/* Whether r asks for a dashboard page, whose every answer is HTML. */
int http_is_page(const struct request *r);

/* Find the route for method and path; fills r->route or the 405 fields. */
void route_match(struct request *r);

/*
 * Replies. Each queues the response on the connection and sets r->status.
 * reply_send() is the one place response headers are set: nosniff and
 * Cache-Control (no-store unless `cache`) always; a page's CSP, referrer
 * and framing headers with `page`; Allow, Retry-After, WWW-Authenticate
 * and Connection: close where the status or the server's state calls
 * for them. `body` (may be NULL) is copied, or taken and free()d when
 * `take`.
 */
struct reply {
    const char *content_type;
    const void *body;
    size_t len;
    int take;
    int page;
    const char *cache, *etag, *last_modified, *disposition, *cookie;
    const char *location; /* else r->location, when set */
};
void reply_send(struct request *r, unsigned int status,
                const struct reply *rep);
/*
 * An answer written as it is made (stream.c), for one about a whole
 * circle: `next` appends the next piece of the body to `b` and returns 0
 * while more follows, 1 with the last piece, or an MG_E code (the answer
 * is then cut short: its status is sent already). `release` (may be
 * NULL) frees `state` once the answer is done or abandoned. Of `rep`,
 * only the content type, disposition and page flag are read.
 */
struct reply_source {
    int (*next)(void *state, struct mg_buf *b);
    void (*release)(void *state);
    void *state;
};
void reply_stream(struct request *r, unsigned int status,
                  const struct reply *rep, const struct reply_source *src);
/* 303 See Other to `location` (a path of ours), setting `cookie` unless
 * NULL: the answer to every posted form. */
void reply_redirect(struct request *r, const char *location,
                    const char *cookie);
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
/* Sign-up posts (/join/<slug>): each counts against r's address in a
 * bucket of their own (cfg signup_limit a minute); over it, replies 429
 * itself and returns 1. */
int http_signup_limited(struct request *r);

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
 * Query argument `name` as a whole number from `min` to `max` (digits,
 * a '-' only where `min` is negative; no spaces or '+'): 1 with it in
 * *out, 0 when the argument is absent (*out untouched), -1 when it is
 * malformed or out of range, after a 400 that names it.
 */
int request_arg_int(long long *out, struct request *r, const char *name,
                    long long min, long long max);
/*
 * Read the body as a posted form (urlencoded or multipart) with
 * libmicrohttpd's post processor into `form` (zero-initialised by the
 * caller, who releases it with mg_form_release). MG_EINVAL when it is
 * not a form (src/api/hooks.c).
 */
struct mg_form;
int request_form(struct mg_form *form, struct request *r);
/* The same keeping only the fields named in `names` (NULL-ended), each
 * up to 1 KiB: what a signature needs, checked before a body from anyone
 * is read whole into memory. A spooled body is read from its file. */
int request_form_only(struct mg_form *form, struct request *r,
                      const char *const *names);
/* The same handing each piece of each field to `each` as it is read,
 * keeping nothing. */
int request_form_walk(struct request *r, MHD_PostDataIterator each, void *cls);

/* Metrics (metrics.c). */
struct metrics *metrics_new(void);
void metrics_free(struct metrics *m);
void metrics_observe(struct metrics *m, const char *route, int status,
                     double seconds);
char *metrics_render(struct metrics *m, struct mg_http_server *srv);

/*
 * Queue the invitations a change calls for (logging a failure rather
 * than failing the request that made the change); *queued may be NULL.
 */
int http_reconcile(struct request *r, int64_t circle_id, size_t *queued);
/* The same for what one change touched: persons `person_ids` and groups
 * `group_ids` (either list may be empty), not the whole circle. */
int http_reconcile_scope(struct request *r, int64_t circle_id,
                         const int64_t *person_ids, size_t n_persons,
                         const int64_t *group_ids, size_t n_groups,
                         size_t *queued);

/*
 * Withdraw participant `pid` of circle `circle_id` through the one
 * withdrawal, mg_signup_withdraw(): their invitations cancelled (CANCELs
 * queued, theirs only), their plenary places given up and offered on,
 * their place in the circle handed to the first on its waitlist
 * (*promoted: that person's id, or 0). Someone withdrawn already is left
 * as they are (*was_withdrawn 1). *out, when not NULL, is the person as
 * stored (mg_participants_free(*out, 1)).
 */
struct mg_participant;
int http_person_withdraw(struct request *r, int64_t circle_id, int64_t pid,
                         struct mg_participant **out, int *was_withdrawn,
                         int64_t *promoted, struct mg_error *err);

/*
 * Whether move request `m` is one participant `p` may ask for, as the
 * API's PATCH participant checks a change: its slots are circle `c`'s,
 * its wishes among `thread_ids` (the circle's `n_threads` threads),
 * and `p` with them passes mg_participant_validate. A person who could
 * make some of the circle's call times must still make at least one.
 * MG_EINVAL, said in `err` (field "slots" or "threads"), when not.
 */
int http_move_request_check(const struct mg_participant *p,
                            const struct mg_circle *c,
                            const int64_t *thread_ids, size_t n_threads,
                            const struct mg_move_request *m,
                            struct mg_error *err);

/*
 * After the coordinator moved participant `pid` (the dashboard's move,
 * the API's POST .../groups/{id}/members): the move they asked for on
 * their page, if one is open, is done, and the call times and thread
 * wishes they asked with become their record (so the next rebalance
 * plans with what they can make), checked again first: a request that
 * no longer passes http_move_request_check (a slot or thread deleted
 * since) is closed without touching the record, and logged. Logs a
 * failure; the move stands.
 */
void http_move_request_done(struct request *r, int64_t circle_id, int64_t pid);

/* Rendered feeds, kept briefly (src/api/calendar.c). */
struct feed_cache *feed_cache_new(void);
void feed_cache_free(struct feed_cache *c);

#endif
