/*
 * fuzz_text.c: libFuzzer target for the plain-text (Project Gutenberg) book
 * parser. Any input must parse or fail with a message; a parsed book must hold
 * together: sections in order with text ranges inside the text that
 * follow one another, parents before their children one level up,
 * subtree ends and word totals that add up, LF line ends only.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mingle/book.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_book(const struct mg_book *b)
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mg_book *b = NULL;
    struct mg_error err;
    int rc;

    memset(&err, 0, sizeof(err));
    rc = mg_book_parse_text(&b, (const char *)data, size, &err);
    if (rc < 0) {
        if (b || err.message[0] == '\0')
            __builtin_trap(); /* every failure must say why */
        return 0;
    }
    if (!b)
        __builtin_trap();
    check_book(b);
    mg_book_free(b);
    return 0;
}
