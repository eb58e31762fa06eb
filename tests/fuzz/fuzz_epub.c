/*
 * fuzz_epub.c: libFuzzer target for the EPUB book parser; the checks are
 * book_check.c's.
 */
#include "book_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_book(mg_book_parse_epub, data, size, 0);
    return 0;
}
