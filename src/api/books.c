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

static json_t *reading_json(const struct mg_book *b, const struct mg_reading *r)
{
    json_t *o =
        json_pack("{s:i, s:I, s:s, s:s}", "week", r->week, "words",
                  (json_int_t)r->words, "first", b->sections[r->first].title,
                  "last", b->sections[r->end - 1].title);

    if (b->no_structure) {
        json_object_set_new(o, "text_start",
                            json_integer((json_int_t)r->text_start));
        json_object_set_new(o, "text_end",
                            json_integer((json_int_t)r->text_end));
    }
    return o;
}

static json_t *warnings_json(const struct mg_book *b,
                             const struct mg_book_split *s, int weeks)
{
    json_t *w = json_array();
    size_t i;
    char msg[512];

    if (b->no_structure)
        json_array_append_new(
            w, json_string("no chapters or headings found: the weekly "
                           "readings are equal slices of the text, cut at "
                           "paragraph breaks"));
    if (b->utf8_repaired)
        json_array_append_new(
            w, json_string("the file had invalid UTF-8; those bytes were "
                           "replaced with U+FFFD"));
    if (s->n_same_pace < (size_t)weeks) {
        snprintf(msg, sizeof(msg),
                 "the book has only %zu parts for %d weeks: the last weeks "
                 "have no reading",
                 s->n_same_pace, weeks);
        json_array_append_new(w, json_string(msg));
    }
    for (i = 0; i < s->n_threads; i++) {
        if (s->n_per_thread[i] >= (size_t)weeks)
            continue;
        snprintf(msg, sizeof(msg),
                 "thread '%.200s' has only %zu parts for %d weeks",
                 s->threads[i].title, s->n_per_thread[i], weeks);
        json_array_append_new(w, json_string(msg));
    }
    return w;
}

static json_t *preview_json(const struct mg_book *b,
                            const struct mg_book_split *s, int weeks)
{
    json_t *sections = json_array(), *threads = json_array();
    json_t *same = json_array(), *per = json_array();
    size_t i, j;

    for (i = 0; i < b->n_sections; i++) {
        const struct mg_section *sec = &b->sections[i];
        json_t *o =
            json_pack("{s:I, s:s, s:i, s:s, s:I, s:I, s:b}", "index",
                      (json_int_t)i, "title", sec->title, "level", sec->level,
                      "kind", mg_section_kind_name(sec->kind), "words",
                      (json_int_t)sec->words, "total_words",
                      (json_int_t)sec->total_words, "thread", sec->is_thread);
        json_object_set_new(o, "parent",
                            sec->parent >= 0 ? json_integer(sec->parent)
                                             : json_null());
        json_array_append_new(sections, o);
    }
    for (i = 0; i < s->n_threads; i++) {
        const struct mg_thread *t = &s->threads[i];
        json_t *weeks_json = json_array();
        for (j = 0; j < s->n_per_thread[i]; j++)
            json_array_append_new(weeks_json,
                                  reading_json(b, &s->per_thread[i][j]));
        json_array_append_new(threads,
                              json_pack("{s:I, s:s, s:I, s:s, s:s}", "position",
                                        (json_int_t)i + 1, "title", t->title,
                                        "words", (json_int_t)t->words, "first",
                                        b->sections[t->first].title, "last",
                                        b->sections[t->end - 1].title));
        json_array_append_new(per, json_pack("{s:s, s:o}", "thread", t->title,
                                             "weeks", weeks_json));
    }
    for (i = 0; i < s->n_same_pace; i++)
        json_array_append_new(same, reading_json(b, &s->same_pace[i]));
    return json_pack(
        "{s:{s:o, s:o, s:s, s:I, s:I, s:b, s:b}, s:i, s:o, s:o, s:o, "
        "s:{s:o, s:o}}",
        "book", "title", b->title ? json_string(b->title) : json_null(),
        "author", b->author ? json_string(b->author) : json_null(), "format",
        mg_book_format_name(b->format), "words", (json_int_t)b->words,
        "sections", (json_int_t)b->n_sections, "utf8_repaired",
        b->utf8_repaired, "no_structure", b->no_structure, "weeks", weeks,
        "warnings", warnings_json(b, s, weeks), "sections", sections, "threads",
        threads, "readings", "same_pace", same, "thread_per_group", per);
}

char *mg_http_book_preview(const struct mg_book *b,
                           const struct mg_book_split *s, int weeks)
{
    json_t *doc = preview_json(b, s, weeks);
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_ENSURE_ASCII);
    char *copy;

    json_decref(doc);
    if (!text)
        abort();
    copy = mg_xstrdup(text);
    free(text);
    return copy;
}

/* ?weeks=N (1..104) or the circle's own; 0 after replying 400. */
static int weeks_arg(struct request *r, int circle_weeks)
{
    const char *s = request_arg(r, "weeks");
    char *end;
    long v;

    if (!s)
        return circle_weeks;
    v = strtol(s, &end, 10);
    if (*end || v < 1 || v > MG_CIRCLE_MAX_WEEKS) {
        reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid",
                    "'weeks' must be 1..104", "weeks");
        return 0;
    }
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
    memset(&up, 0, sizeof(up));
    up.book = book;
    up.source_name = name;
    up.sha256 = sha;
    up.threads = split.threads;
    up.n_threads = split.n_threads;
    up.same_pace = split.same_pace;
    up.n_same_pace = split.n_same_pace;
    up.per_thread = (const struct mg_reading *const *)split.per_thread;
    up.n_per_thread = split.n_per_thread;
    rc = mg_store_book_replace(&book_id, r->srv->store, c->id, &up);
    if (rc < 0) {
        reply_code(r, rc, NULL);
        goto out;
    }
    doc = preview_json(book, &split, weeks);
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
