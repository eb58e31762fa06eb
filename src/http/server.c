/*
 * server.c: the libmicrohttpd daemon. On a request's headers it refuses
 * an unknown path, a wrong method, a body announced over the route's cap
 * (413) and a missing or wrong credential before any body byte is read;
 * then reads the body up to the cap (a mail hook's into a temp file),
 * within a budget of bytes held across all connections (503 past it),
 * dispatches to the route's handler, and on completion logs one line and
 * records metrics. Shutdown stops accepting
 * and waits for requests in flight.
 */
#define _GNU_SOURCE
#include "internal.h"

#include "../api/api.h"
#include "../web/web.h"
#include "mingle/i18n.h"
#include "mingle/jobs.h"
#include "mingle/outbox.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "banned.h"

void reply_send(struct request *r, unsigned int status, const struct reply *rep)
{
    struct MHD_Response *resp;

    if (rep->body && rep->take)
        resp = MHD_create_response_from_buffer(rep->len, (void *)rep->body,
                                               MHD_RESPMEM_MUST_FREE);
    else if (rep->body)
        resp = MHD_create_response_from_buffer(rep->len, (void *)rep->body,
                                               MHD_RESPMEM_MUST_COPY);
    else
        resp = MHD_create_response_from_buffer(0, (void *)"",
                                               MHD_RESPMEM_PERSISTENT);
    if (rep->content_type)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                                rep->content_type);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
                            rep->cache ? rep->cache : "no-store");
    if (rep->page) {
        /* No scripts, no external anything: styles inline, images as
         * data: only, forms posting back to us. */
        MHD_add_response_header(
            resp, "Content-Security-Policy",
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
            "base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
        MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
        MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    }
    if (rep->etag)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, rep->etag);
    if (rep->last_modified)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_LAST_MODIFIED,
                                rep->last_modified);
    if (rep->disposition)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_DISPOSITION,
                                rep->disposition);
    if (rep->cookie)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, rep->cookie);
    if (rep->location)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, rep->location);
    else if (r->location[0])
        MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, r->location);
    if (status == MHD_HTTP_UNAUTHORIZED && !rep->page)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
                                "Bearer realm=\"mingle\"");
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
    if ((status == MHD_HTTP_TOO_MANY_REQUESTS ||
         status == MHD_HTTP_SERVICE_UNAVAILABLE) &&
        r->retry_after[0])
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER,
                                r->retry_after);
    if (atomic_load(&r->srv->draining))
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    MHD_queue_response(r->conn, status, resp);
    MHD_destroy_response(resp);
    r->status = (int)status;
}

void reply_text(struct request *r, unsigned int status,
                const char *content_type, char *body)
{
    struct reply rep = {0};

    rep.content_type = content_type;
    rep.body = body;
    rep.len = strlen(body);
    rep.take = 1;
    reply_send(r, status, &rep);
}

void reply_redirect(struct request *r, const char *location, const char *cookie)
{
    struct reply rep = {0};

    rep.location = location;
    rep.cookie = cookie;
    rep.page = 1;
    reply_send(r, MHD_HTTP_SEE_OTHER, &rep);
}

void reply_json(struct request *r, unsigned int status, json_t *body)
{
    char *text;

    if (!body) {
        reply_text(r, status, "application/json", mg_xstrdup(""));
        return;
    }
    text = json_dumps(body, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(body);
    if (!text)
        abort(); /* jansson only fails here when out of memory */
    /* json_dumps uses jansson's allocator, which is malloc here; copy
     * anyway so MHD frees what we allocated. */
    {
        struct mg_buf b = MG_BUF_INIT;
        mg_buf_puts(&b, text);
        mg_buf_add(&b, "\n", 1);
        free(text);
        reply_text(r, status, "application/json; charset=utf-8",
                   mg_buf_detach(&b));
    }
}

void reply_error(struct request *r, unsigned int status, const char *code,
                 const char *message, const char *field)
{
    json_t *err = json_pack("{s:s, s:s}", "code", code, "message", message);

    if (field && *field)
        json_object_set_new(err, "field", json_string(field));
    reply_json(r, status, json_pack("{s:o}", "error", err));
}

void reply_code(struct request *r, int code, const struct mg_error *err)
{
    const char *msg = err && err->message[0] ? err->message : NULL;
    const char *field = err ? err->field : NULL;

    switch (code) {
    case MG_EINVAL:
        reply_error(r, MHD_HTTP_UNPROCESSABLE_CONTENT, "invalid",
                    msg ? msg : "invalid request", field);
        break;
    case MG_ENOTFOUND:
        reply_error(r, MHD_HTTP_NOT_FOUND, "not_found",
                    msg ? msg : "no such resource", NULL);
        break;
    case MG_ECONFLICT:
        reply_error(r, MHD_HTTP_CONFLICT, "conflict",
                    msg ? msg : "conflicts with an existing resource", field);
        break;
    case MG_EAUTH:
        reply_error(r, MHD_HTTP_UNAUTHORIZED, "unauthorized",
                    msg ? msg : "a valid bearer token is required", NULL);
        break;
    case MG_EFORBIDDEN:
        reply_error(r, MHD_HTTP_FORBIDDEN, "forbidden",
                    msg ? msg : "this token may not do that", field);
        break;
    case MG_ETOOBIG:
        reply_error(r, MHD_HTTP_CONTENT_TOO_LARGE, "too_large",
                    msg ? msg : "request body over the limit", NULL);
        break;
    case MG_EBUSY:
        reply_error(r, MHD_HTTP_SERVICE_UNAVAILABLE, "busy",
                    "the database is busy, retry shortly", NULL);
        break;
    default:
        reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal",
                    "internal error, see the server log", NULL);
        break;
    }
}

json_t *json_string_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

int json_take_string(char **slot, json_t *v, const char *field,
                     struct mg_error *err)
{
    if (json_is_null(v)) {
        free(*slot);
        *slot = NULL;
        return 0;
    }
    if (!json_is_string(v)) {
        mg_error_set(err, field, "'%s' must be a string", field);
        return MG_EINVAL;
    }
    if (strlen(json_string_value(v)) != json_string_length(v)) {
        mg_error_set(err, field, "'%s' contains a NUL character", field);
        return MG_EINVAL;
    }
    free(*slot);
    *slot = mg_xstrdup(json_string_value(v));
    return 0;
}

const char *request_arg(struct request *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

int request_arg_int(long long *out, struct request *r, const char *name,
                    long long min, long long max)
{
    const char *s = request_arg(r, name), *p;
    char msg[160];
    long long v;

    if (!s)
        return 0;
    p = s + (s[0] == '-' && min < 0);
    if (*p >= '0' && *p <= '9') {
        char *end;

        errno = 0;
        v = strtoll(s, &end, 10);
        if (!errno && !*end && v >= min && v <= max) {
            *out = v;
            return 1;
        }
    }
    if (max == LLONG_MAX)
        snprintf(msg, sizeof(msg), "'%s' must be a whole number, %lld or more",
                 name, min);
    else
        snprintf(msg, sizeof(msg),
                 "'%s' must be a whole number from %lld to %lld", name, min,
                 max);
    reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid", msg, name);
    return -1;
}

json_t *request_json(struct request *r)
{
    const char *ctype = MHD_lookup_connection_value(
        r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    json_error_t jerr;
    json_t *doc;
    char msg[300];

    if (ctype && strncasecmp(ctype, "application/json", 16) != 0) {
        reply_error(r, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
                    "unsupported_media_type",
                    "the body must be application/json", NULL);
        return NULL;
    }
    if (r->body.len == 0) {
        reply_error(r, MHD_HTTP_BAD_REQUEST, "bad_json",
                    "a JSON object is required", NULL);
        return NULL;
    }
    doc = json_loadb(r->body.data, r->body.len, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc) {
        snprintf(msg, sizeof(msg), "bad JSON at line %d column %d: %s",
                 jerr.line, jerr.column, jerr.text);
        reply_error(r, MHD_HTTP_BAD_REQUEST, "bad_json", msg, NULL);
        return NULL;
    }
    if (!json_is_object(doc)) {
        json_decref(doc);
        reply_error(r, MHD_HTTP_BAD_REQUEST, "bad_json",
                    "the body must be a JSON object", NULL);
        return NULL;
    }
    return doc;
}

/* Whether a self-checking route just refused its credential: a
 * webhook's bad signature. (Secret URLs count their own misses.) */
static int failed_secret(const struct request *r)
{
    return r->status == MHD_HTTP_UNAUTHORIZED;
}

/* Whether a path is under the participants' pages. */
static int page_path(const char *url)
{
    return strncmp(url, "/p/", 3) == 0 || strcmp(url, "/p") == 0;
}

int http_is_page(const struct request *r)
{
    return page_path(r->url) || strncmp(r->url, "/join/", 6) == 0 ||
           (strncmp(r->url, "/dashboard", 10) == 0 &&
            (r->url[10] == '\0' || r->url[10] == '/'));
}

static void dispatch(struct request *r)
{
    int page = http_is_page(r);

    /* A worker thread serves circles in any language: each request starts
     * in English, and a page of a circle says its own (mg_i18n_use). */
    mg_i18n_use(NULL);
    if (page_path(r->url) && (r->too_big || !r->route)) {
        handle_person_page_other(r);
        return;
    }
    if (r->too_big) {
        if (page)
            web_error_page(r, MHD_HTTP_CONTENT_TOO_LARGE);
        else
            reply_code(r, MG_ETOOBIG, NULL);
        return;
    }
    if (!r->route) {
        if (page)
            web_error_page(r, r->method_not_allowed
                                  ? MHD_HTTP_METHOD_NOT_ALLOWED
                                  : MHD_HTTP_NOT_FOUND);
        else if (r->method_not_allowed)
            reply_error(r, MHD_HTTP_METHOD_NOT_ALLOWED, "method_not_allowed",
                        "method not allowed here", NULL);
        else
            reply_error(r, MHD_HTTP_NOT_FOUND, "not_found", "no such path",
                        NULL);
        return;
    }
    if (!r->authenticated && http_authenticate(r))
        goto out;
    r->route->handler(r);
    if (!r->status && page)
        web_error_page(r, MHD_HTTP_INTERNAL_SERVER_ERROR);
    else if (!r->status)
        reply_code(r, MG_EDB, NULL); /* a handler that forgot to reply */
    if (r->route->auth == AUTH_SELF && failed_secret(r))
        http_auth_failed(r);
    /* Any write may change what a feed shows: cached feeds are stale from
     * now, before the client can read this response and ask again. */
    if (r->status < 400 && strcmp(r->method, "GET") != 0 &&
        strcmp(r->method, "HEAD") != 0)
        atomic_fetch_add(&r->srv->generation, 1);
out:
    if (r->token.id && r->token.role == MG_ROLE_COORDINATOR)
        http_audit(r);
}

/*
 * Routes whose credential only the body or the store can tell (a page's
 * secret URL, the dashboard's session or login form, Mailgun's and
 * Mandrill's signatures) read bodies from anyone. Held in memory, those
 * bodies share UNVERIFIED_BUDGET bytes, and a page's or the dashboard's
 * form (always small) is capped at FORM_LIMIT; a mail hook's is spooled
 * to disk and counts in body_budget only.
 */
#define UNVERIFIED_BUDGET (16u * 1024 * 1024)
#define FORM_LIMIT (1024u * 1024)

static int is_hook(const struct request *r)
{
    return r->route && r->route->handler == handle_mail_hook;
}

/* The body cap of r's route: the mail hooks' own, a self-checked form's,
 * else the API's. */
static size_t body_limit_of(const struct request *r)
{
    if (is_hook(r))
        return r->srv->webhook_limit;
    if (r->route && r->route->auth == AUTH_SELF)
        return r->srv->body_limit < FORM_LIMIT ? r->srv->body_limit
                                               : FORM_LIMIT;
    return r->srv->body_limit;
}

/* Hold `n` more bytes of the server's body budget for r (and of the
 * unverified one, for a body in memory not yet proved); MG_EBUSY (and
 * nothing held) when that would pass either. */
static int budget_take(struct request *r, size_t n)
{
    struct mg_http_server *srv = r->srv;
    int unverified = r->unverified && !is_hook(r);
    size_t was;

    if (unverified) {
        was = atomic_fetch_add(&srv->unverified, n);
        if (was + n > UNVERIFIED_BUDGET) {
            atomic_fetch_sub(&srv->unverified, n);
            return MG_EBUSY;
        }
    }
    was = atomic_fetch_add(&srv->buffered, n);
    if (srv->body_budget && was + n > srv->body_budget) {
        atomic_fetch_sub(&srv->buffered, n);
        if (unverified)
            atomic_fetch_sub(&srv->unverified, n);
        return MG_EBUSY;
    }
    r->reserved += n;
    if (unverified)
        r->reserved_unverified += n;
    return 0;
}

static void reply_over_budget(struct request *r)
{
    snprintf(r->retry_after, sizeof(r->retry_after), "%d", 5);
    /* the route's pattern, never the path: a path may be a secret */
    mg_log(MG_LOG_WARN, "request bodies over their budget", "route",
           r->route ? r->route->pattern : "unmatched", NULL);
    reply_error(r, MHD_HTTP_SERVICE_UNAVAILABLE, "busy",
                "too many request bodies arriving at once; retry shortly",
                NULL);
}

/*
 * On a request's headers, before any of its body is read: answer now an
 * unknown path, a wrong method, a body announced over the route's cap, a
 * credential the headers show missing or wrong, or a body the budget has
 * no room for. 1 when answered. A mail hook's signature that only its
 * body can prove (Mailgun's, Mandrill's) is checked once it is in.
 */
static int answer_on_headers(struct request *r)
{
    const char *len = MHD_lookup_connection_value(
        r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    unsigned long long announced = len ? strtoull(len, NULL, 10) : 0;

    if (!r->route || announced > body_limit_of(r)) {
        r->too_big = r->route != NULL;
        dispatch(r);
        return 1;
    }
    mg_i18n_use(NULL);
    if (http_authenticate(r)) {
        if (r->token.id && r->token.role == MG_ROLE_COORDINATOR)
            http_audit(r);
        return 1;
    }
    r->authenticated = 1;
    r->unverified = r->route->auth == AUTH_SELF;
    if (is_hook(r) && handle_mail_hook_headers(r)) {
        if (r->status == MHD_HTTP_UNAUTHORIZED)
            http_auth_failed(r);
        return 1;
    }
    if (announced && budget_take(r, (size_t)announced) < 0) {
        reply_over_budget(r);
        return 1;
    }
    return 0;
}

/* A temp file for a body in $TMPDIR (else /var/tmp), already unlinked;
 * -1 if none can be made (the body is then held in memory). */
static int spool_open(void)
{
    const char *dir = getenv("TMPDIR");
    char path[4096];
    int fd;

    /* /var/tmp, not /tmp: /tmp is often a tmpfs, which is memory */
    if (!dir || !*dir)
        dir = "/var/tmp";
#ifdef O_TMPFILE
    /* a file with no name at all: none is left behind by a crash */
    fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0)
        return fd;
#endif
    snprintf(path, sizeof(path), "%s/mingle-body-XXXXXX", dir);
    fd = mkostemp(path, O_CLOEXEC);
    if (fd < 0) {
        mg_log(MG_LOG_WARN, "cannot spool a webhook body, holding it in memory",
               "dir", dir, NULL);
        return -1;
    }
    unlink(path);
    return fd;
}

static int spool_write(int fd, const char *data, size_t n)
{
    while (n) {
        ssize_t w = write(fd, data, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return MG_EIO;
        data += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Add a piece of r's body: to its spool, else to memory. */
static void body_add(struct request *r, const char *data, size_t n)
{
    if (r->body.len + n > r->reserved &&
        budget_take(r, r->body.len + n - r->reserved) < 0) {
        r->over_budget = 1; /* keep reading, stop buffering */
        return;
    }
    if (is_hook(r) && r->spool == -2)
        r->spool = spool_open();
    if (r->spool >= 0) {
        if (spool_write(r->spool, data, n) < 0)
            r->spool_failed = 1;
        else
            r->body.len += n;
        return;
    }
    if (!r->body.data && r->reserved) {
        /* announced: one allocation of the whole body, no doubling */
        r->body.cap = r->reserved + 1;
        r->body.data = mg_xmalloc(r->body.cap);
    }
    mg_buf_add(&r->body, data, n);
}

/* Map a spooled body (NUL-terminated like a buffer) where handlers read
 * r->body; MG_EIO if it cannot be. */
static int spool_map(struct request *r)
{
    void *p;

    if (r->spool < 0)
        return 0;
    if (spool_write(r->spool, "", 1) < 0)
        return MG_EIO;
    p = mmap(NULL, r->body.len + 1, PROT_READ | PROT_WRITE, MAP_PRIVATE,
             r->spool, 0);
    if (p == MAP_FAILED)
        return MG_EIO;
    r->body.data = p;
    r->body.cap = 0;
    r->mapped = r->body.len + 1;
    return 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    struct mg_http_server *srv = cls;
    struct request *r = *con_cls;

    (void)version;
    if (!r) {
        r = mg_xcalloc(1, sizeof(*r));
        r->srv = srv;
        r->conn = conn;
        r->method = method;
        r->url = url;
        r->started = mg_monotonic();
        r->spool = -2; /* not opened yet */
        *con_cls = r;
        atomic_fetch_add(&srv->inflight, 1);
        deadlines_request(srv, conn, 1);
        route_match(r);
        /* Decide all a request's headers can tell before reading any of
         * its body: libmicrohttpd then sends the answer and reads no
         * more. */
        answer_on_headers(r);
        return MHD_YES;
    }
    if (r->status) {
        *upload_data_size = 0; /* answered already: drop the rest */
        return MHD_YES;
    }
    if (*upload_data_size &&
        mg_monotonic() - r->started > (double)srv->request_timeout) {
        /* A body trickling in holds a connection. libmicrohttpd (0.9.75)
         * sends a response queued mid-body only once the body is whole,
         * so close the connection instead (logged as 408). */
        r->status = MHD_HTTP_REQUEST_TIMEOUT;
        return MHD_NO;
    }
    if (*upload_data_size) {
        if (!r->too_big && !r->over_budget && !r->spool_failed &&
            r->body.len + *upload_data_size <= body_limit_of(r))
            body_add(r, upload_data, *upload_data_size);
        else if (!r->over_budget && !r->spool_failed)
            r->too_big = 1; /* keep reading, stop buffering */
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (r->over_budget && !r->too_big) {
        reply_over_budget(r);
        return MHD_YES;
    }
    if (!r->too_big && (r->spool_failed || spool_map(r) < 0)) {
        mg_log(MG_LOG_ERROR, "cannot spool a request body", "route",
               r->route ? r->route->pattern : "unmatched", NULL);
        reply_error(r, MHD_HTTP_SERVICE_UNAVAILABLE, "unavailable",
                    "cannot hold the body now; retry shortly", NULL);
        return MHD_YES;
    }
    dispatch(r);
    return MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct mg_http_server *srv = cls;
    struct request *r = *con_cls;
    const char *route;
    char status[16], ms[32];
    double secs;

    if (!r)
        return;
    deadlines_request(srv, conn, 0);
    secs = mg_monotonic() - r->started;
    route = r->route ? r->route->pattern : "unmatched";
    if (!r->status)
        r->status = toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? 200 : 499;
    metrics_observe(srv->metrics, route, r->status, secs);
    snprintf(status, sizeof(status), "%d", r->status);
    snprintf(ms, sizeof(ms), "%.3f", secs * 1000.0);
    mg_log(r->status >= 500 ? MG_LOG_WARN : MG_LOG_INFO, "request", "method",
           r->method, "route", route, "status", status, "ms", ms,
           toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? NULL : "aborted", "yes",
           NULL);
    if (r->mapped) {
        munmap(r->body.data, r->mapped);
        memset(&r->body, 0, sizeof(r->body));
    }
    mg_buf_release(&r->body);
    if (r->spool >= 0)
        close(r->spool);
    atomic_fetch_sub(&srv->buffered, r->reserved);
    atomic_fetch_sub(&srv->unverified, r->reserved_unverified);
    free(r);
    *con_cls = NULL;
    atomic_fetch_sub(&srv->inflight, 1);
}

__attribute__((format(printf, 2, 0))) static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[512];
    size_t n;

    (void)cls;
    vsnprintf(msg, sizeof(msg), fmt, ap);
    n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    mg_log(MG_LOG_WARN, "http", "detail", msg, NULL);
}

static int make_addr(struct sockaddr_storage *ss, int *ipv6, const char *host,
                     int port)
{
    struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

    memset(ss, 0, sizeof(*ss));
    if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons((uint16_t)port);
        *ipv6 = 0;
        return 0;
    }
    if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        *ipv6 = 1;
        return 0;
    }
    return MG_EINVAL;
}

/* The scheduler queued mail: the outbox sender delivers it now. */
static void wake_sender(void *arg)
{
    mg_outbox_sender_wake(arg);
}

int mg_http_start(struct mg_http_server **out, const struct mg_config *cfg,
                  struct mg_store *st, struct mg_error *err)
{
    struct mg_http_server *srv;
    struct sockaddr_storage addr;
    const union MHD_DaemonInfo *info;
    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC |
                         MHD_USE_EPOLL_LINUX_ONLY | MHD_USE_ERROR_LOG;
    int ipv6 = 0;

    mg_i18n_init(cfg->locale_dir);
    /* Bodies and what is parsed from them are large and short-lived:
     * keep them in their own mappings, returned when freed, rather than
     * let glibc raise its threshold and keep them in arenas for good. */
#ifdef M_MMAP_THRESHOLD
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
#endif
    if (make_addr(&addr, &ipv6, cfg->listen, cfg->port) < 0) {
        mg_error_set(err, "listen",
                     "cannot listen on '%s': not an IPv4 or IPv6 address",
                     cfg->listen);
        return MG_EINVAL;
    }
    if (ipv6)
        flags |= MHD_USE_IPv6;
    srv = mg_xcalloc(1, sizeof(*srv));
    srv->store = st;
    srv->body_limit = cfg->body_limit;
    srv->webhook_limit = cfg->webhook_body_limit;
    srv->body_budget = cfg->body_budget;
    atomic_init(&srv->buffered, 0);
    atomic_init(&srv->unverified, 0);
    srv->request_timeout = cfg->request_timeout;
    hooks_config_copy(&srv->hooks, cfg);
    srv->limiter = auth_limiter_new(cfg->auth_fail_limit, cfg->trusted_proxies);
    srv->signup_limiter =
        auth_limiter_new(cfg->signup_limit, cfg->trusted_proxies);
    srv->signup_min_seconds = cfg->signup_min_seconds;
    srv->signup_expiry_days = cfg->signup_expiry_days;
    srv->deadlines = deadlines_start(cfg->idle_timeout);
    srv->metrics = metrics_new();
    atomic_init(&srv->inflight, 0);
    atomic_init(&srv->draining, 0);
    srv->daemon = MHD_start_daemon(
        flags, (uint16_t)cfg->port, NULL, NULL, on_request, srv,
        MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&addr, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned int)cfg->threads, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
        srv, MHD_OPTION_NOTIFY_CONNECTION, deadlines_notify, srv,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)cfg->idle_timeout,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned int)cfg->max_connections,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        (unsigned int)cfg->per_ip_connections, MHD_OPTION_END);
    if (!srv->daemon) {
        mg_error_set(err, "port", "cannot listen on %s port %d", cfg->listen,
                     cfg->port);
        metrics_free(srv->metrics);
        hooks_config_release(&srv->hooks);
        auth_limiter_free(srv->limiter);
        auth_limiter_free(srv->signup_limiter);
        deadlines_stop(srv->deadlines);
        free(srv);
        return MG_EIO;
    }
    info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = info ? info->port : cfg->port;
    if (cfg->base_url)
        srv->base_url = mg_xstrdup(cfg->base_url);
    else
        srv->base_url = mg_xasprintf(ipv6 ? "http://[%s]:%d" : "http://%s:%d",
                                     cfg->listen, srv->port);
    if (cfg->mail_domain)
        srv->mail_domain = mg_xstrdup(cfg->mail_domain);
    srv->sender = mg_outbox_sender_start(cfg, st);
    {
        struct mg_jobs_config jc;

        memset(&jc, 0, sizeof(jc));
        jc.base_url = srv->base_url;
        jc.mail_domain = cfg->mail_domain;
        jc.mail_from = cfg->mail_from;
        srv->jobs = mg_jobs_scheduler_start(&jc, st, wake_sender, srv->sender);
    }
    srv->feeds = feed_cache_new();
    atomic_init(&srv->generation, 1);
    *out = srv;
    return 0;
}

void mg_http_wake_outbox(struct mg_http_server *srv)
{
    mg_outbox_sender_wake(srv->sender);
    /* what queues mail changed calls or people: jobs may be due sooner */
    mg_jobs_scheduler_wake(srv->jobs);
}

int mg_http_port(const struct mg_http_server *srv)
{
    return srv->port;
}

int mg_http_inflight(const struct mg_http_server *srv)
{
    return atomic_load(&((struct mg_http_server *)srv)->inflight);
}

void mg_http_stop(struct mg_http_server *srv, int grace_seconds)
{
    MHD_socket fd;
    double deadline;
    struct timespec pause = {0, 20 * 1000 * 1000};

    if (!srv)
        return;
    atomic_store(&srv->draining, 1);
    fd = MHD_quiesce_daemon(srv->daemon);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    deadline = mg_monotonic() + grace_seconds;
    while (mg_http_inflight(srv) > 0 && mg_monotonic() < deadline)
        nanosleep(&pause, NULL);
    if (mg_http_inflight(srv) > 0) {
        char n[16];
        snprintf(n, sizeof(n), "%d", mg_http_inflight(srv));
        mg_log(MG_LOG_WARN, "shutdown grace over, dropping requests",
               "inflight", n, NULL);
    }
    MHD_stop_daemon(srv->daemon);
    deadlines_stop(srv->deadlines);
    /* Last: requests are done, so no one can queue mail any more; the
     * scheduler first, as it wakes the sender. */
    mg_jobs_scheduler_stop(srv->jobs);
    mg_outbox_sender_stop(srv->sender);
    metrics_free(srv->metrics);
    feed_cache_free(srv->feeds);
    free(srv->base_url);
    free(srv->mail_domain);
    hooks_config_release(&srv->hooks);
    auth_limiter_free(srv->limiter);
    auth_limiter_free(srv->signup_limiter);
    free(srv);
}
