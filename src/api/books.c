/*
 * books.c: a circle's book. POST /api/v1/circles/{id}/book takes the
 * file itself as the body (any Content-Type), parses and splits it and
 * stores the result, replacing the previous book; GET .../book,
 * .../threads and .../readings read back what was stored.
 */
#include "api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mingle/circle.h"
#include "mingle/json.h"

#include "banned.h"

/* ?weeks=N (1..104) or the circle's own; 0 after replying 400. */
static int weeks_arg(struct request *r, int circle_weeks)
{
    long long v = circle_weeks;

    if (request_arg_int(&v, r, "weeks", 1, MG_CIRCLE_MAX_WEEKS) < 0)
        return 0;
    return (int)v;
}

void handle_book_upload(struct request *r)
{
    struct mg_circle *c = NULL;
    struct mg_book *book = NULL;
    struct mg_book_split split;
    struct mg_book_upload up;
    struct mg_error err = {{0}, {0}};
    const char *name = request_arg(r, "name");
    char sha[65];
    int64_t book_id = 0;
    int weeks, rc;
    json_t *doc;

    memset(&split, 0, sizeof(split));
    rc = mg_store_circle_get(&c, r->srv->store, r->params[0]);
    if (rc < 0) {
        reply_code(r, rc, NULL);
        return;
    }
    weeks = weeks_arg(r, c->weeks);
    if (!weeks)
        goto out;
    rc = mg_book_parse(&book, r->body.data ? r->body.data : "", r->body.len,
                       name, &err);
    if (rc == 0)
        rc = mg_book_split(&split, book, weeks, &err);
    if (rc < 0) {
        reply_code(r, rc, &err);
        goto out;
    }
    mg_sha256_hex(sha, r->body.data ? r->body.data : "", r->body.len);
    mg_book_upload_init(&up, book, &split, name, sha);
    rc = mg_store_book_replace(&book_id, r->srv->store, c->id, &up);
    if (rc < 0) {
        reply_code(r, rc, NULL);
        goto out;
    }
    doc = mg_json_book_preview_value(book, &split, weeks);
    json_object_set_new(json_object_get(doc, "book"), "id",
                        json_integer((json_int_t)book_id));
    snprintf(r->location, sizeof(r->location), "/api/v1/circles/%lld/book",
             (long long)c->id);
    reply_json(r, MHD_HTTP_CREATED, doc);
out:
    mg_book_split_release(&split);
    mg_book_free(book);
    mg_circle_free(c);
}

void handle_book_get(struct request *r)
{
    struct mg_book_info info;
    int rc;

    if (!http_may_read_circle(r))
        return;
    rc = mg_store_book_get(&info, r->srv->store, r->params[0]);
    if (rc == MG_ENOTFOUND) {
        reply_error(r, MHD_HTTP_NOT_FOUND, "not_found",
                    "the circle has no book yet", NULL);
        return;
    }
    if (rc < 0) {
        reply_code(r, rc, NULL);
        return;
    }
    reply_json(
        r, MHD_HTTP_OK,
        json_pack(
            "{s:I, s:o, s:o, s:s, s:o, s:s, s:I, s:I, s:b, s:b}", "id",
            (json_int_t)info.id, "title",
            info.title && *info.title ? json_string(info.title) : json_null(),
            "author", info.author ? json_string(info.author) : json_null(),
            "format", info.format, "source_name",
            info.source_name ? json_string(info.source_name) : json_null(),
            "sha256", info.sha256, "words", (json_int_t)info.words, "sections",
            (json_int_t)info.sections, "no_structure", info.no_structure,
            "utf8_repaired", info.utf8_repaired));
    mg_store_book_info_release(&info);
}

static json_t *span_json(const struct mg_span *s, int is_thread)
{
    json_t *o = json_pack("{s:I, s:I, s:s, s:s}", "id", (json_int_t)s->id,
                          "words", (json_int_t)s->words, "first",
                          s->first_title ? s->first_title : "", "last",
                          s->last_title ? s->last_title : "");

    if (is_thread) {
        json_object_set_new(o, "position", json_integer(s->position));
        json_object_set_new(o, "title", json_string(s->title ? s->title : ""));
    } else {
        json_object_set_new(o, "week", json_integer(s->position));
        json_object_set_new(o, "thread_id",
                            s->thread_id ? json_integer(s->thread_id)
                                         : json_null());
        if (s->text_start >= 0) {
            json_object_set_new(o, "text_start", json_integer(s->text_start));
            json_object_set_new(o, "text_end", json_integer(s->text_end));
        }
        if (s->parts > 1) {
            json_object_set_new(o, "part", json_integer(s->part));
            json_object_set_new(o, "parts", json_integer(s->parts));
        }
    }
    return o;
}

static void reply_spans(struct request *r, const char *key, int rc,
                        struct mg_span *spans, size_t n, int is_thread)
{
    json_t *items;
    size_t i;

    if (rc < 0) {
        reply_code(r, rc, NULL);
        return;
    }
    items = json_array();
    for (i = 0; i < n; i++)
        json_array_append_new(items, span_json(&spans[i], is_thread));
    mg_store_spans_free(spans, n);
    reply_json(r, MHD_HTTP_OK, json_pack("{s:o}", key, items));
}

/* 404 unless the circle exists (an empty list means "no book yet"). */
static int circle_exists(struct request *r)
{
    struct mg_circle *c = NULL;
    int rc = mg_store_circle_get(&c, r->srv->store, r->params[0]);

    mg_circle_free(c);
    if (rc < 0) {
        reply_code(r, rc, NULL);
        return 0;
    }
    return 1;
}

void handle_threads_list(struct request *r)
{
    struct mg_span *spans = NULL;
    size_t n = 0;
    int rc;

    if (!http_may_read_circle(r) || !circle_exists(r))
        return;
    rc = mg_store_threads(&spans, &n, r->srv->store, r->params[0]);
    reply_spans(r, "threads", rc, spans, n, 1);
}

void handle_readings_list(struct request *r)
{
    const char *plan = request_arg(r, "plan");
    struct mg_span *spans = NULL;
    size_t n = 0;
    int rc;

    if (!plan)
        plan = "same_pace";
    if (strcmp(plan, "same_pace") != 0 && strcmp(plan, "thread") != 0) {
        reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid",
                    "'plan' must be same_pace or thread", "plan");
        return;
    }
    if (!http_may_read_circle(r) || !circle_exists(r))
        return;
    rc = mg_store_readings(&spans, &n, r->srv->store, r->params[0], plan);
    reply_spans(r, "readings", rc, spans, n, 0);
}
