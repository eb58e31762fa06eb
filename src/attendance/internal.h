/*
 * internal.h: what the attendance module's files share: the text layer
 * (decoding and splitting records, csv.c) used by the report reader.
 */
#ifndef MINGLE_ATTENDANCE_INTERNAL_H
#define MINGLE_ATTENDANCE_INTERNAL_H

#include <stddef.h>

#include "mingle/attendance.h"

/* One record: its fields (owned, NUL-terminated) and its first line. */
struct att_record {
    char **f;
    size_t n;
    int line;
};

/*
 * Decode a report to UTF-8 in `out` (reset first): a UTF-8 BOM is
 * dropped, UTF-16 with a BOM (or LE without one) converted. MG_EINVAL
 * for invalid UTF-8, broken UTF-16 or NUL characters.
 */
int att_decode(struct mg_buf *out, const char *data, size_t len,
               struct mg_error *err);

/*
 * Split UTF-8 `text` into records separated by `delim` (',' or TAB),
 * with RFC 4180 quoting; CRLF, LF or CR end a record. *out is the
 * caller's (att_records_free). MG_EINVAL for a quote never closed or
 * text after a closing quote.
 */
int att_split(struct att_record **out, size_t *n, const char *text, char delim,
              struct mg_error *err);
void att_records_free(struct att_record *recs, size_t n);

#endif
