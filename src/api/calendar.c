/*
 * calendar.c: the weekly calls as people see them. GET
 * /cal/{token}.ics serves a participant's or a group's feed (ETag, and
 * a Last-Modified that moves forward with every change of the body; 304
 * on a conditional GET; an unknown token is a plain 404). The
 * coordinator's side: feed links, sessions (move or cancel one), a whole
 * series cancelled or restored, invitations sent, and the outbox's state.
 */
#define _GNU_SOURCE
#include "api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "mingle/auth.h"
#include "mingle/calendar.h"
#include "mingle/html.h"
#include "mingle/people.h"
#include "mingle/schedule.h"

#include "banned.h"

static void http_date(char *out, size_t n, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;

    gmtime_r(&tt, &tm);
    strftime(out, n, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

static int64_t parse_http_date(const char *s)
{
    struct tm tm;
    char *end;

    memset(&tm, 0, sizeof(tm));
    end = strptime(s, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (!end || *end)
        return -1;
    return (int64_t)timegm(&tm);
}

/*
 * Feeds are polled by every member's calendar app; rendering one takes
 * several queries and libical. A rendered feed is kept, keyed by the
 * SHA-256 of its token, until any write through this daemon (the
 * generation moves) or FEED_TTL seconds pass (for writes made by the CLI
 * in another process, and for revoked tokens).
 */
#define FEED_SLOTS 1024
#define FEED_TTL 10

struct feed_entry {
    char key[65];
    uint64_t generation;
    double expires;
    char *body;
    size_t len;
    char etag[80];
    char date[64];
    int64_t modified;
};

struct feed_cache {
    pthread_mutex_t lock;
    struct feed_entry slots[FEED_SLOTS];
};

static int render_feed(struct request *r, struct feed_entry *e);

struct feed_cache *feed_cache_new(void)
{
    struct feed_cache *c = mg_xcalloc(1, sizeof(*c));

    pthread_mutex_init(&c->lock, NULL);
    return c;
}

void feed_cache_free(struct feed_cache *c)
{
    size_t i;

    if (!c)
        return;
    for (i = 0; i < FEED_SLOTS; i++)
        free(c->slots[i].body);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

static struct feed_entry *slot_for(struct feed_cache *c, const char *key)
{
    unsigned long h = 0;
    int i;

    for (i = 0; i < 8; i++)
        h = h * 16 +
            (unsigned long)(key[i] <= '9' ? key[i] - '0' : key[i] - 'a' + 10);
    return &c->slots[h % FEED_SLOTS];
}

/* Queue a 200 or 304 for a feed entry. */
static void reply_feed(struct request *r, const struct feed_entry *e)
{
    struct reply rep = {0};
    const char *inm = MHD_lookup_connection_value(
        r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
    const char *ims = MHD_lookup_connection_value(
        r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_MODIFIED_SINCE);
    unsigned int status = MHD_HTTP_OK;

    /* e->modified moves whenever the body does (mg_calendar_feed), so a
     * date at or past it was given out with this very body */
    if ((inm && strstr(inm, e->etag)) ||
        (!inm && ims && e->modified > 0 && parse_http_date(ims) >= e->modified))
        status = MHD_HTTP_NOT_MODIFIED;
    if (status != MHD_HTTP_NOT_MODIFIED) {
        rep.content_type = "text/calendar; charset=utf-8";
        rep.body = e->body;
        rep.len = e->len;
    }
    rep.etag = e->etag;
    rep.last_modified = e->date[0] ? e->date : NULL;
    rep.cache = "private, max-age=300";
    reply_send(r, status, &rep);
}

void handle_feed(struct request *r)
{
    struct feed_cache *cache = r->srv->feeds;
    struct feed_entry fresh, *slot;
    char key[65];
    uint64_t gen = atomic_load(&r->srv->generation);

    mg_sha256_hex(key, r->feed, strlen(r->feed));
    pthread_mutex_lock(&cache->lock);
    slot = slot_for(cache, key);
    if (slot->body && slot->generation == gen &&
        slot->expires > mg_monotonic() &&
        mg_auth_hash_equal((const unsigned char *)slot->key,
                           (const unsigned char *)key) &&
        mg_auth_hash_equal((const unsigned char *)slot->key + 32,
                           (const unsigned char *)key + 32)) {
        reply_feed(r, slot);
        pthread_mutex_unlock(&cache->lock);
        return;
    }
    pthread_mutex_unlock(&cache->lock);
    memset(&fresh, 0, sizeof(fresh));
    if (render_feed(r, &fresh) < 0)
        return;
    reply_feed(r, &fresh);
    if (fresh.modified <= 0) {
        free(fresh.body); /* unmarked: the next request tries again */
        return;
    }
    memcpy(fresh.key, key, sizeof(key));
    fresh.generation = gen;
    fresh.expires = mg_monotonic() + FEED_TTL;
    pthread_mutex_lock(&cache->lock);
    slot = slot_for(cache, key);
    free(slot->body);
    *slot = fresh;
    pthread_mutex_unlock(&cache->lock);
}

/* Render the feed of r->feed into `e`; replies itself on failure. */
static int render_feed(struct request *r, struct feed_entry *e)
{
    char id[MG_TOKEN_ID_LEN + 1], sha[65];
    unsigned char hash[MG_TOKEN_HASH_LEN];
    int64_t circle = 0, person = 0, group = 0;
    struct mg_error err = {{0}, {0}};
    int rc;

    rc = mg_calendar_parse_feed_token(id, hash, r->feed);
    if (rc == 0)
        rc = mg_store_feed_token_check(&circle, &person, &group, r->srv->store,
                                       id, hash);
    if (rc == MG_EAUTH) {
        /* the same answer whatever was wrong with the token; a guess */
        http_auth_failed(r);
        reply_error(r, MHD_HTTP_NOT_FOUND, "not_found", "no such path", NULL);
        return rc;
    }
    if (rc == 0)
        rc = mg_calendar_feed(&e->body, &e->modified, r->srv->store, circle,
                              person, group, &err);
    if (rc < 0) {
        reply_code(r, rc == MG_ENOTFOUND ? MG_EDB : rc, NULL);
        return rc;
    }
    e->len = strlen(e->body);
    mg_sha256_hex(sha, e->body, e->len);
    snprintf(e->etag, sizeof(e->etag), "\"%.32s\"", sha);
    if (e->modified > 0)
        http_date(e->date, sizeof(e->date), e->modified);
    return 0;
}

static void reply_feed_links(struct request *r, const char *token)
{
    struct mg_buf google = MG_BUF_INIT;
    char *url = mg_xasprintf("%s/cal/%s.ics", r->srv->base_url, token);
    const char *rest = strstr(url, "://");
    char *webcal = mg_xasprintf("webcal://%s", rest ? rest + 3 : url);

    mg_buf_puts(&google, "https://calendar.google.com/calendar/r?cid=");
    mg_url_encode(&google, webcal);
    reply_json(r, MHD_HTTP_CREATED,
               json_pack("{s:s, s:s, s:s}", "url", url, "webcal", webcal,
                         "google", google.data));
    free(url);
    free(webcal);
    mg_buf_release(&google);
}

void handle_person_feed(struct request *r)
{
    struct mg_participant *p = NULL;
    char token[MG_TOKEN_ID_LEN + MG_TOKEN_SECRET_LEN + 1];
    int rc =
        mg_store_participant_get(&p, r->srv->store, r->params[0], r->params[1]);

    mg_participants_free(p, p ? 1 : 0);
    if (rc == 0)
        rc = mg_calendar_feed_token(token, r->srv->store, r->params[0],
                                    r->params[1], 0);
    if (rc < 0) {
        reply_code(r, rc, NULL);
        return;
    }
    reply_feed_links(r, token);
}

void handle_group_feed(struct request *r)
{
    struct mg_group_row *groups = NULL;
    char token[MG_TOKEN_ID_LEN + MG_TOKEN_SECRET_LEN + 1];
    size_t n = 0, i;
    int found = 0;
    int rc = mg_store_groups_list(&groups, &n, r->srv->store, r->params[0]);

    for (i = 0; rc == 0 && i < n; i++)
        found |= groups[i].id == r->params[1];
    mg_store_groups_free(groups, n);
    if (rc == 0 && !found)
        rc = MG_ENOTFOUND;
    if (rc == 0)
        rc = mg_calendar_feed_token(token, r->srv->store, r->params[0], 0,
                                    r->params[1]);
    if (rc < 0) {
        reply_code(r, rc, NULL);
        return;
    }
    reply_feed_links(r, token);
}

void handle_invites_send(struct request *r)
{
    struct mg_error err = {{0}, {0}};
    size_t queued = 0;
    int rc = mg_calendar_reconcile(&queued, r->srv->store, r->params[0], &err);

    if (rc < 0) {
        reply_code(r, rc, &err);
        return;
    }
    if (queued)
        mg_http_wake_outbox(r->srv);
    reply_json(r, MHD_HTTP_OK,
               json_pack("{s:I}", "queued", (json_int_t)queued));
}

static json_t *session_json(const struct mg_session_row *s, const char *tzid)
{
    char local[32], original[32];

    http_local_string(local, sizeof(local), tzid, s->starts_at);
    http_local_string(original, sizeof(original), tzid, s->original_starts_at);
    return json_pack("{s:I, s:I, s:i, s:s, s:s, s:I, s:i, s:s, s:b}", "id",
                     (json_int_t)s->id, "group_id", (json_int_t)s->group_id,
                     "week", s->week, "start", local, "original_start",
                     original, "starts_at", (json_int_t)s->starts_at, "minutes",
                     s->minutes, "status",
                     mg_store_session_status_name(s->status), "moved",
                     s->starts_at != s->original_starts_at);
}

void handle_sessions_list(struct request *r)
{
    struct mg_circle *c = NULL;
    struct mg_group_row *groups = NULL;
    size_t n_groups = 0, i, j;
    json_t *items = json_array();
    int rc = mg_store_circle_get(&c, r->srv->store, r->params[0]);

    if (rc == 0)
        rc = mg_store_groups_list(&groups, &n_groups, r->srv->store, c->id);
    for (i = 0; rc == 0 && i < n_groups; i++) {
        struct mg_session_row *rows = NULL;
        size_t n = 0;
        rc =
            mg_store_sessions_for_group(&rows, &n, r->srv->store, groups[i].id);
        for (j = 0; rc == 0 && j < n; j++)
            json_array_append_new(items, session_json(&rows[j], c->time_zone));
        free(rows);
    }
    if (rc < 0) {
        json_decref(items);
        reply_code(r, rc, NULL);
    } else {
        reply_json(r, MHD_HTTP_OK, json_pack("{s:o}", "sessions", items));
    }
    mg_store_groups_free(groups, n_groups);
    mg_circle_free(c);
}

/* Monday 00:00 local of the week holding `utc`, as days since epoch. */
static long local_week(const char *tzid, int64_t utc)
{
    struct mg_local_time lt;
    long days;

    if (mg_schedule_utc_to_local(&lt, tzid, utc, NULL) < 0)
        return -1;
    days = (long)mg_days_from_civil(lt.year, lt.month, lt.day);
    /* 1970-01-01 was a Thursday: Monday-based week index */
    return (days + 3) / 7;
}

void handle_session_patch(struct request *r)
{
    struct mg_circle *c = NULL;
    struct mg_session_row s;
    json_t *doc = request_json(r), *start, *status;
    enum mg_store_session_status new_status;
    int64_t starts_at;
    int rc;

    if (!doc)
        return;
    rc = mg_store_circle_get(&c, r->srv->store, r->params[0]);
    if (rc == 0)
        rc =
            mg_store_session_get(&s, r->srv->store, r->params[0], r->params[1]);
    if (rc < 0) {
        reply_code(r, rc, NULL);
        goto out;
    }
    starts_at = s.starts_at;
    new_status = s.status;
    start = json_object_get(doc, "start");
    status = json_object_get(doc, "status");
    if (start) {
        if (!json_is_string(start) ||
            http_parse_local(&starts_at, c->time_zone,
                             json_string_value(start)) < 0) {
            reply_error(r, MHD_HTTP_UNPROCESSABLE_CONTENT, "invalid",
                        "'start' must be local time as YYYY-MM-DDTHH:MM",
                        "start");
            goto out;
        }
        if (local_week(c->time_zone, starts_at) !=
            local_week(c->time_zone, s.original_starts_at)) {
            reply_error(r, MHD_HTTP_UNPROCESSABLE_CONTENT, "invalid",
                        "a session can move within its own week (Monday to "
                        "Sunday), not onto another week",
                        "start");
            goto out;
        }
    }
    if (status) {
        if (mg_store_session_status_parse(&new_status,
                                          json_string_value(status)) < 0) {
            reply_error(r, MHD_HTTP_UNPROCESSABLE_CONTENT, "invalid",
                        "'status' must be confirmed or cancelled", "status");
            goto out;
        }
    }
    if (!start && !status) {
        reply_error(r, MHD_HTTP_UNPROCESSABLE_CONTENT, "invalid",
                    "send 'start' and/or 'status'", NULL);
        goto out;
    }
    rc = mg_store_session_update(r->srv->store, c->id, s.id, starts_at,
                                 new_status);
    if (rc == 0)
        rc = mg_store_session_get(&s, r->srv->store, c->id, s.id);
    if (rc < 0) {
        reply_code(r, rc, NULL);
        goto out;
    }
    /* the calls of that group changed: its members' invitations */
    http_reconcile_scope(r, c->id, NULL, 0, &s.group_id, 1, NULL);
    reply_json(r, MHD_HTTP_OK, session_json(&s, c->time_zone));
out:
    json_decref(doc);
    mg_circle_free(c);
}

/* Move the whole series to another of the circle's slots. */
static int move_series(struct request *r, json_t *slot_v)
{
    struct mg_circle *c = NULL;
    const struct mg_slot *slot = NULL;
    int64_t slot_id = 0, *starts = NULL;
    char text[64] = "";
    size_t i;
    int rc, w;

    rc = mg_store_circle_get(&c, r->srv->store, r->params[0]);
    if (rc < 0) {
        reply_code(r, rc, NULL);
        return rc;
    }
    if (json_is_integer(slot_v))
        snprintf(text, sizeof(text), "%lld",
                 (long long)json_integer_value(slot_v));
    else if (json_is_string(slot_v))
        snprintf(text, sizeof(text), "%s", json_string_value(slot_v));
    if (mg_people_resolve_slot(&slot_id, c, text) == 0)
        for (i = 0; i < c->n_slots; i++)
            if (c->slots[i].id == slot_id)
                slot = &c->slots[i];
    if (!slot) {
        reply_error(r, MHD_HTTP_UNPROCESSABLE_CONTENT, "invalid",
                    "'slot' must be one of the circle's slots (an id or "
                    "\"tuesday 19:30\")",
                    "slot");
        rc = MG_EINVAL;
        goto out;
    }
    starts = mg_xcalloc((size_t)c->weeks, sizeof(*starts));
    for (w = 0; rc == 0 && w < c->weeks; w++)
        rc = mg_schedule_session_start(&starts[w], c->time_zone, c->start_date,
                                       w + 1, slot->weekday, slot->start_minute,
                                       NULL);
    if (rc == 0)
        rc = mg_store_group_move_series(r->srv->store, c->id, r->params[1],
                                        slot_id, starts, slot->minutes,
                                        c->weeks);
    if (rc < 0)
        reply_code(r, rc, NULL);
out:
    free(starts);
    mg_circle_free(c);
    return rc;
}

void handle_series_patch(struct request *r)
{
    json_t *doc = request_json(r), *slot;
    const char *status;
    enum mg_store_session_status series = MG_STORE_SESSION_CONFIRMED;
    size_t queued = 0;
    int rc = 0;

    if (!doc)
        return;
    status = json_string_value(json_object_get(doc, "status"));
    slot = json_object_get(doc, "slot");
    if ((!status && !slot) ||
        (status && mg_store_session_status_parse(&series, status) < 0)) {
        json_decref(doc);
        reply_error(r, MHD_HTTP_UNPROCESSABLE_CONTENT, "invalid",
                    "send 'slot' to move the series, or 'status' (confirmed "
                    "or cancelled)",
                    "status");
        return;
    }
    if (slot)
        rc = move_series(r, slot);
    if (rc == 0 && status) {
        rc = mg_store_group_series_status(r->srv->store, r->params[0],
                                          r->params[1], series);
        if (rc < 0)
            reply_code(r, rc, NULL);
    }
    json_decref(doc);
    if (rc < 0)
        return;
    http_reconcile_scope(r, r->params[0], NULL, 0, &r->params[1], 1, &queued);
    reply_json(r, MHD_HTTP_OK,
               json_pack("{s:I}", "queued", (json_int_t)queued));
}

void handle_outbox_list(struct request *r)
{
    struct mg_outbox_row *rows = NULL;
    const char *status = request_arg(r, "status");
    size_t n = 0, i;
    json_t *items;
    int rc = mg_store_outbox_list(&rows, &n, r->srv->store, r->params[0],
                                  status, 1000);

    if (rc < 0) {
        reply_code(r, rc, NULL);
        return;
    }
    items = json_array();
    for (i = 0; i < n; i++)
        json_array_append_new(
            items,
            json_pack(
                "{s:I, s:s, s:s, s:s, s:s, s:i, s:I, s:I, s:o, s:o}", "id",
                (json_int_t)rows[i].id, "kind", rows[i].kind, "recipient",
                rows[i].recipient, "subject", rows[i].subject, "status",
                mg_store_outbox_status_name(rows[i].status), "attempts",
                rows[i].attempts, "created_at", (json_int_t)rows[i].created_at,
                "next_attempt_at", (json_int_t)rows[i].next_attempt_at,
                "sent_at",
                rows[i].sent_at ? json_integer(rows[i].sent_at) : json_null(),
                "last_error",
                rows[i].last_error && *rows[i].last_error
                    ? json_string(rows[i].last_error)
                    : json_null()));
    mg_store_outbox_free(rows, n);
    reply_json(r, MHD_HTTP_OK, json_pack("{s:o}", "messages", items));
}
