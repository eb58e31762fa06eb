/*
 * book_check.c: see book_check.h.
 */
#include "book_check.h"

#include <stdlib.h>
#include <string.h>

/* Text ranges inside the text and in order, parents before children. */
static void check_basic(const struct mg_book *b)
{
    size_t i, words = 0;

    for (i = 0; i < b->n_sections; i++) {
        const struct mg_section *s = &b->sections[i];
        if (s->text_start > s->text_end || s->text_end > b->text_len)
            __builtin_trap();
        if (i > 0 && b->sections[i - 1].text_end > s->text_start)
            __builtin_trap();
        if (s->parent >= (int)i || s->parent < -1 || !s->title)
            __builtin_trap();
        if (s->end <= i || s->end > b->n_sections)
            __builtin_trap();
        if (s->parent < 0)
            words += s->total_words;
    }
    if (words != b->words || strlen(b->text) != b->text_len)
        __builtin_trap();
}

static void check_strict(const struct mg_book *b)
{
    size_t i, words = 0, prev_end = 0;

    if (!b->text || b->text[b->text_len] != '\0' || b->n_sections == 0 ||
        memchr(b->text, '\r', b->text_len) || b->words == 0 ||
        strlen(b->text) != b->text_len)
        __builtin_trap();
    if (mg_count_words(b->text, b->text_len) != b->words)
        __builtin_trap();
    for (i = 0; i < b->n_sections; i++) {
        const struct mg_section *s = &b->sections[i];
        size_t total = s->words, j;
        if (!s->title || strlen(s->title) > 300 || strchr(s->title, '\n'))
            __builtin_trap();
        if (s->text_start > s->text_end || s->text_end > b->text_len ||
            s->text_start < prev_end)
            __builtin_trap();
        prev_end = s->text_end;
        if (s->words != mg_count_words(b->text + s->text_start,
                                       s->text_end - s->text_start))
            __builtin_trap();
        if (s->parent < -1 || s->parent >= (int)i)
            __builtin_trap();
        if (s->parent == -1 ? s->level != 1
                            : s->level != b->sections[s->parent].level + 1)
            __builtin_trap();
        if (s->parent >= 0 && b->sections[s->parent].end < i + 1)
            __builtin_trap();
        if (s->end <= i || s->end > b->n_sections)
            __builtin_trap();
        for (j = i + 1; j < s->end; j++)
            if (b->sections[j].parent == (int)i)
                total += b->sections[j].total_words;
        if (total != s->total_words)
            __builtin_trap();
        if (s->parent == -1)
            words += s->total_words;
        if (s->kind == MG_SECTION_FRONT && i != 0)
            __builtin_trap();
    }
    if (words != b->words)
        __builtin_trap();
    if (b->no_structure && b->n_sections != 1)
        __builtin_trap();
}

void fuzz_book(book_parser parse, const uint8_t *data, size_t size, int strict)
{
    struct mg_book *b = NULL;
    struct mg_error err;

    memset(&err, 0, sizeof(err));
    if (parse(&b, (const char *)data, size, &err) < 0) {
        if (b || err.message[0] == '\0')
            __builtin_trap(); /* every failure must say why */
        return;
    }
    if (!b)
        __builtin_trap();
    check_basic(b);
    if (strict)
        check_strict(b);
    mg_book_free(b);
}
