/*
 * fuzz_epub.c: libFuzzer target for the EPUB book parser. Any input must
 * parse into a consistent section tree or fail with a message.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mingle/book.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Text ranges inside the text and in order, parents before children. */
static void check(const struct mg_book *b)
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mg_book *b = NULL;
    struct mg_error err;

    memset(&err, 0, sizeof(err));
    if (mg_book_parse_epub(&b, (const char *)data, size, &err) == 0)
        check(b);
    else if (err.message[0] == '\0' || b)
        __builtin_trap();
    mg_book_free(b);
    return 0;
}
