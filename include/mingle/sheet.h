/*
 * sheet: a table of text and number cells, as coordinators open them in a
 * spreadsheet: written as CSV (RFC 4180) or as an XLSX workbook of one or
 * more sheets (libxlsxwriter). The first row is the header. Pure: cells
 * in, bytes out.
 *
 * Formula injection is neutralised in both formats: a text cell whose
 * first character, or first after spaces, is = + - @ (or their full-width
 * forms), or which starts with a tab, carriage return or line feed, is
 * written with a ' in front, so no spreadsheet runs it as a formula
 * (OWASP's advice for CSV; XLSX text cells are never formulas, and the
 * prefix keeps them from becoming one when the cell is edited). Numbers
 * are number cells and are never prefixed.
 */
#ifndef MINGLE_SHEET_H
#define MINGLE_SHEET_H

#include <stddef.h>
#include <stdint.h>

#include "mingle/core.h"

/* XLSX's own limits: rows per sheet, characters per cell, name length. */
#define MG_SHEET_MAX_ROWS 1048576
#define MG_SHEET_MAX_CELL 32767
#define MG_SHEET_MAX_NAME 31

struct mg_sheet;

/* A new, empty sheet called `name` (made a valid worksheet name: at
 * most 31 characters, none of []:*?/\). */
struct mg_sheet *mg_sheet_new(const char *name);
void mg_sheet_free(struct mg_sheet *s);

/* Append a cell to the current row: text (NULL or "" is an empty
 * cell), an integer, or a number. */
void mg_sheet_text(struct mg_sheet *s, const char *text);
void mg_sheet_int(struct mg_sheet *s, int64_t v);
void mg_sheet_number(struct mg_sheet *s, double v);
/* End the current row (the first ended row is the header). */
void mg_sheet_end_row(struct mg_sheet *s);
/* Convenience: a whole header or text row from `n` strings. */
void mg_sheet_row(struct mg_sheet *s, const char *const *cells, size_t n);

const char *mg_sheet_name(const struct mg_sheet *s);
/* Rows ended so far, the header included. */
size_t mg_sheet_rows(const struct mg_sheet *s);

/* The sheet as CSV (CRLF line ends, quoted where needed), onto `out`. */
void mg_sheet_csv(struct mg_buf *out, const struct mg_sheet *s);
/*
 * The `n` sheets as one XLSX workbook onto `out`: a bold, frozen header
 * row, columns sized to their text. MG_EINVAL when a sheet has more rows
 * than XLSX allows (nothing written), MG_EIO when the workbook cannot be
 * written (its temporary file, under $TMPDIR or /tmp).
 */
int mg_sheet_xlsx(struct mg_buf *out, struct mg_sheet *const *sheets, size_t n);

/* Whether `text` would be prefixed with ' (exposed for tests). */
int mg_sheet_needs_quote(const char *text);

#endif
