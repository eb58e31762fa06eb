/*
 * access.c: who may call what. A bearer token carries a role and a scope
 * (every circle, one circle, or one group of one circle); each route
 * names the least it needs (enum auth_need), and this file is the one
 * place that compares the two. It also keeps the count of failed
 * credentials per client address, so secrets in URLs and tokens cannot
 * be guessed at speed.
 *
 * The limiter is a leaky bucket per address: each failure adds one, the
 * bucket drains auth_fail_limit a minute, and an address whose bucket
 * is full is answered 429 for anything that takes a credential (a good
 * one too: otherwise the next guess would be checked). Addresses live
 * in a small hash table swept of drained buckets as it fills, so a
 * flood of addresses costs memory bounded by LIMITER_MAX.
 */
#define _GNU_SOURCE
#include "internal.h"
#include "../web/web.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "banned.h"

#define LIMITER_BUCKETS 4096
#define LIMITER_MAX 65536 /* addresses remembered at once */
#define TOKEN_TOUCH_SECONDS 60

struct address_entry {
    struct address_entry *next;
    double level;   /* failures not yet drained */
    double updated; /* mg_monotonic() of the last change */
    char addr[48];
};

struct auth_limiter {
    pthread_mutex_t lock;
    double per_second; /* drain rate */
    double capacity;   /* failures allowed before refusing */
    size_t count;
    struct address_entry *buckets[LIMITER_BUCKETS];
    char **proxies; /* trusted proxies, canonical text, NULL-ended */
};

/* An address in its canonical text form (so "::ffff:127.0.0.1" and
 * spellings of one IPv6 address compare equal); "" if it is none. */
static void canonical_address(char *out, size_t n, const char *text)
{
    unsigned char raw[sizeof(struct in6_addr)];

    out[0] = '\0';
    if (inet_pton(AF_INET, text, raw) == 1)
        inet_ntop(AF_INET, raw, out, (socklen_t)n);
    else if (inet_pton(AF_INET6, text, raw) == 1)
        inet_ntop(AF_INET6, raw, out, (socklen_t)n);
}

struct auth_limiter *auth_limiter_new(int per_minute, const char *proxies)
{
    struct auth_limiter *l = mg_xcalloc(1, sizeof(*l));
    size_t n = 0;

    pthread_mutex_init(&l->lock, NULL);
    l->capacity = per_minute;
    l->per_second = per_minute / 60.0;
    l->proxies = mg_xcalloc(1, sizeof(char *));
    while (proxies && *proxies) {
        size_t len = strcspn(proxies, ", ");
        char one[64], canon[48];

        if (len && len < sizeof(one)) {
            memcpy(one, proxies, len);
            one[len] = '\0';
            canonical_address(canon, sizeof(canon), one);
            if (canon[0]) {
                l->proxies = mg_xrealloc(l->proxies, (n + 2) * sizeof(char *));
                l->proxies[n++] = mg_xstrdup(canon);
                l->proxies[n] = NULL;
            }
        }
        proxies += len;
        proxies += strspn(proxies, ", ");
    }
    return l;
}

void auth_limiter_free(struct auth_limiter *l)
{
    size_t i;

    if (!l)
        return;
    for (i = 0; i < LIMITER_BUCKETS; i++) {
        struct address_entry *e = l->buckets[i], *next;
        for (; e; e = next) {
            next = e->next;
            free(e);
        }
    }
    for (i = 0; l->proxies[i]; i++)
        free(l->proxies[i]);
    free(l->proxies);
    pthread_mutex_destroy(&l->lock);
    free(l);
}

static unsigned int address_hash(const char *s)
{
    unsigned int h = 2166136261u; /* FNV-1a */

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h % LIMITER_BUCKETS;
}

/* Drain `e` to time `now`. */
static void drain(struct auth_limiter *l, struct address_entry *e, double now)
{
    e->level -= (now - e->updated) * l->per_second;
    if (e->level < 0)
        e->level = 0;
    e->updated = now;
}

/* Forget every address whose bucket has drained. Under the lock. */
static void sweep(struct auth_limiter *l, double now)
{
    size_t i;

    for (i = 0; i < LIMITER_BUCKETS; i++) {
        struct address_entry **p = &l->buckets[i];
        while (*p) {
            drain(l, *p, now);
            if ((*p)->level <= 0) {
                struct address_entry *dead = *p;
                *p = dead->next;
                free(dead);
                l->count--;
            } else {
                p = &(*p)->next;
            }
        }
    }
}

/* The entry for `addr`, made when `create`; NULL otherwise. Locked. */
static struct address_entry *find(struct auth_limiter *l, const char *addr,
                                  int create, double now)
{
    unsigned int h = address_hash(addr);
    struct address_entry *e;

    for (e = l->buckets[h]; e; e = e->next)
        if (strcmp(e->addr, addr) == 0)
            return e;
    if (!create)
        return NULL;
    if (l->count >= LIMITER_MAX) {
        sweep(l, now);
        if (l->count >= LIMITER_MAX)
            return NULL; /* every one of them still guessing: drop this */
    }
    e = mg_xcalloc(1, sizeof(*e));
    snprintf(e->addr, sizeof(e->addr), "%s", addr);
    e->updated = now;
    e->next = l->buckets[h];
    l->buckets[h] = e;
    l->count++;
    return e;
}

static int is_trusted_proxy(const struct auth_limiter *l, const char *addr)
{
    size_t i;

    for (i = 0; l->proxies[i]; i++)
        if (strcmp(l->proxies[i], addr) == 0)
            return 1;
    return 0;
}

void http_client_address(char *out, size_t n, struct request *r)
{
    const union MHD_ConnectionInfo *info;
    char peer[64] = "";
    const char *xff;

    if (r->client[0]) {
        snprintf(out, n, "%s", r->client);
        return;
    }
    info = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (info && info->client_addr) {
        const struct sockaddr *sa = info->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
                      peer, sizeof(peer));
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr,
                      peer, sizeof(peer));
    }
    /* Behind a trusted proxy the client is the last address it added. */
    xff = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
                                      "X-Forwarded-For");
    if (xff && peer[0] && r->srv->limiter &&
        is_trusted_proxy(r->srv->limiter, peer)) {
        const char *last = strrchr(xff, ',');
        char one[64], canon[48];
        size_t len;

        last = last ? last + 1 : xff;
        last += strspn(last, " \t");
        len = strcspn(last, " \t");
        if (len < sizeof(one)) {
            memcpy(one, last, len);
            one[len] = '\0';
            canonical_address(canon, sizeof(canon), one);
            if (canon[0])
                snprintf(peer, sizeof(peer), "%s", canon);
        }
    }
    snprintf(r->client, sizeof(r->client), "%s", peer[0] ? peer : "unknown");
    snprintf(out, n, "%s", r->client);
}

/* Whether r's address is over limiter `l`: replies 429 itself if so. */
static int limited_by(struct auth_limiter *l, struct request *r,
                      const char *what)
{
    struct address_entry *e;
    char addr[48];
    double now = mg_monotonic(), wait = 0;
    int limited = 0;

    if (!l || l->capacity <= 0)
        return 0;
    http_client_address(addr, sizeof(addr), r);
    pthread_mutex_lock(&l->lock);
    e = find(l, addr, 0, now);
    if (e) {
        drain(l, e, now);
        /* Full: one more failure would overflow it. (Not level >=
         * capacity: it drains between failures, so `capacity` of them
         * in a row leave it just under and one more guess went on.) */
        if (e->level > l->capacity - 1) {
            limited = 1;
            wait = (e->level - l->capacity + 1) / l->per_second;
        }
    }
    pthread_mutex_unlock(&l->lock);
    if (limited) {
        char retry[24];
        snprintf(retry, sizeof(retry), "%.0f", wait < 1 ? 1 : wait + 0.5);
        snprintf(r->retry_after, sizeof(r->retry_after), "%s", retry);
        if (http_is_page(r))
            web_error_page(r, MHD_HTTP_TOO_MANY_REQUESTS);
        else
            reply_error(r, MHD_HTTP_TOO_MANY_REQUESTS, "too_many_failures",
                        "too many failed credentials from this address; "
                        "retry later",
                        NULL);
        mg_log(MG_LOG_WARN, what, "client", addr, NULL);
    }
    return limited;
}

int http_rate_limited(struct request *r)
{
    return limited_by(r->srv->limiter, r, "credential failures over the limit");
}

/* Count one event of r's address against limiter `l`. */
static void count_in(struct auth_limiter *l, struct request *r)
{
    struct address_entry *e;
    char addr[48];
    double now = mg_monotonic();

    if (!l || l->capacity <= 0)
        return;
    http_client_address(addr, sizeof(addr), r);
    pthread_mutex_lock(&l->lock);
    e = find(l, addr, 1, now);
    if (e) {
        drain(l, e, now);
        e->level += 1;
    }
    pthread_mutex_unlock(&l->lock);
}

void http_auth_failed(struct request *r)
{
    count_in(r->srv->limiter, r);
}

int http_signup_limited(struct request *r)
{
    if (limited_by(r->srv->signup_limiter, r, "sign-up posts over the limit"))
        return 1;
    count_in(r->srv->signup_limiter, r);
    return 0;
}

int http_token_has_circle(const struct mg_token *tok, int64_t circle_id)
{
    if (tok->role == MG_ROLE_COORDINATOR && tok->circle_id == 0)
        return 1;
    return tok->circle_id != 0 && tok->circle_id == circle_id;
}

int http_may_read_circle(struct request *r)
{
    if (http_token_has_circle(&r->token, r->params[0]))
        return 1;
    reply_error(r, MHD_HTTP_FORBIDDEN, "forbidden",
                "this token is not for that circle", NULL);
    return 0;
}

int64_t http_token_group(const struct request *r)
{
    if (r->token.role == MG_ROLE_COORDINATOR)
        return 0;
    /* A facilitator without a group may see no group's notes: -1 matches
     * none. */
    return r->token.group_id ? r->token.group_id : -1;
}

/* Whether the route's path starts with a circle: its first {id}. */
static int route_has_circle(const struct route *rt)
{
    return strncmp(rt->pattern, "/api/v1/circles/{id}", 20) == 0;
}

/* Whether the checked token r->token may call r->route. */
static int token_allowed(const char **why, const struct request *r)
{
    const struct mg_token *t = &r->token;
    enum auth_need need = r->route->auth;
    int circle = route_has_circle(r->route);

    *why = "this token is not for that circle";
    if (circle && !http_token_has_circle(t, r->params[0]))
        return 0;
    switch (need) {
    case AUTH_ADMIN:
        *why = "this needs a coordinator token for every circle";
        return t->role == MG_ROLE_COORDINATOR && t->circle_id == 0;
    case AUTH_COORDINATOR:
        *why = "this needs a coordinator token";
        return t->role == MG_ROLE_COORDINATOR;
    case AUTH_NOTES:
        *why = "this needs a coordinator or facilitator token";
        return t->role == MG_ROLE_COORDINATOR || t->role == MG_ROLE_FACILITATOR;
    case AUTH_GROUP:
        *why = "this token is not for that group";
        return t->role == MG_ROLE_COORDINATOR ||
               (t->role == MG_ROLE_FACILITATOR && t->group_id &&
                t->group_id == r->params[1]);
    case AUTH_MEMBER:
        return circle; /* the scope was checked above */
    case AUTH_PUBLIC:
    case AUTH_SELF:
        break;
    }
    return 1;
}

int http_authenticate(struct request *r)
{
    const char *h, *why;
    char id[MG_TOKEN_ID_LEN + 1];
    unsigned char hash[MG_TOKEN_HASH_LEN];
    int rc;

    r->via = "api";
    if (r->route->auth == AUTH_PUBLIC)
        return 0;
    if (http_rate_limited(r))
        return 1;
    if (r->route->auth == AUTH_SELF)
        return 0;
    h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
                                    MHD_HTTP_HEADER_AUTHORIZATION);
    if (!h || strncasecmp(h, "Bearer ", 7) != 0) {
        reply_error(r, MHD_HTTP_UNAUTHORIZED, "unauthorized",
                    "missing 'Authorization: Bearer <token>' header", NULL);
        return 1;
    }
    h += 7;
    while (*h == ' ')
        h++;
    rc = mg_auth_token_parse(id, hash, h);
    if (rc == 0)
        rc = mg_store_token_check(&r->token, r->srv->store, id, hash);
    if (rc == MG_EAUTH) {
        memset(&r->token, 0, sizeof(r->token));
        http_auth_failed(r);
        reply_error(r, MHD_HTTP_UNAUTHORIZED, "unauthorized",
                    "the bearer token is not valid", NULL);
        return 1;
    }
    if (rc < 0) {
        memset(&r->token, 0, sizeof(r->token));
        reply_code(r, rc, NULL);
        return 1;
    }
    /* When a token was last used tells stale ones; a minute is close
     * enough, and spares a write on every request. */
    if (mg_now() - r->token.last_used_at >= TOKEN_TOUCH_SECONDS &&
        mg_store_token_touch(r->srv->store, r->token.id, mg_now()) < 0)
        mg_log(MG_LOG_WARN, "cannot record a token's use", "token",
               r->token.public_id, NULL);
    if (!token_allowed(&why, r)) {
        reply_error(r, MHD_HTTP_FORBIDDEN, "forbidden", why, NULL);
        return 1;
    }
    return 0;
}
