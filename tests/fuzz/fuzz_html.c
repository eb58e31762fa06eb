/*
 * fuzz_html.c: libFuzzer target for the HTML book parser; the checks are
 * book_check.c's.
 */
#include "book_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_book(mg_book_parse_html, data, size, 0);
    return 0;
}
