/*
 * book_check.h: what the book parsers' fuzz targets check of any input:
 * it parses, or fails with a message and no book; a parsed book holds
 * together. `strict` adds the checks that hold for the text parsers
 * (LF line ends, per-section word counts, levels, short titles).
 */
#ifndef MINGLE_FUZZ_BOOK_CHECK_H
#define MINGLE_FUZZ_BOOK_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "mingle/book.h"

typedef int (*book_parser)(struct mg_book **out, const char *data, size_t len,
                           struct mg_error *err);

/* Parse with `parse` and trap (crash, for libFuzzer) on any broken rule. */
void fuzz_book(book_parser parse, const uint8_t *data, size_t size, int strict);

#endif
