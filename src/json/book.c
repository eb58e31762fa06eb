/*
 * book.c: the preview of a split book as JSON (sections, threads, both
 * weekly plans, warnings), the document POST .../book answers with and
 * `mingle book split --json` prints.
 */
#include "mingle/json.h"

#include <stdio.h>
#include <stdlib.h>

#include "mingle/core.h"

#include "banned.h"

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

json_t *mg_json_book_preview_value(const struct mg_book *b,
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

char *mg_json_book_preview(const struct mg_book *b,
                           const struct mg_book_split *s, int weeks)
{
    json_t *doc = mg_json_book_preview_value(b, s, weeks);
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_ENSURE_ASCII);
    char *copy;

    json_decref(doc);
    if (!text)
        abort();
    copy = mg_xstrdup(text);
    free(text);
    return copy;
}
