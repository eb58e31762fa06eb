/*
 * fuzz_text.c: libFuzzer target for the plain-text (Project Gutenberg) book
 * parser; the checks are book_check.c's.
 */
#include "book_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_book(mg_book_parse_text, data, size, 1);
    return 0;
}
