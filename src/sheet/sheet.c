/*
 * sheet.c: a table of cells, written as CSV or as an XLSX workbook.
 *
 * Cells are kept in one array with the index where each row ends, so a
 * 50,000-row roster is two allocations that grow, not one per row.
 * libxlsxwriter writes a workbook to a file only: it goes to a temporary
 * file (in constant-memory mode, row by row) that is read back and
 * removed.
 */
#define _GNU_SOURCE
#include "mingle/sheet.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "banned.h"

enum cell_kind { CELL_EMPTY, CELL_TEXT, CELL_NUMBER, CELL_INT };

struct cell {
    enum cell_kind kind;
    union {
        char *text;
        double number;
        int64_t i;
    } v;
};

struct mg_sheet {
    char name[MG_SHEET_MAX_NAME * 4 + 1]; /* UTF-8: up to 4 bytes each */
    struct cell *cells;
    size_t n_cells, cap_cells;
    size_t *row_end; /* row r is cells [row_end[r-1], row_end[r]) */
    size_t n_rows, cap_rows;
};

/* Length of the UTF-8 character that starts with byte `c`. */
static size_t char_len(unsigned char c)
{
    return c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
}

/* Copy at most `max` UTF-8 characters of `s`, whole ones only, dropping
 * []:*?/\ and control characters (worksheet names may hold neither). */
static void sheet_name(char *out, size_t size, const char *s, size_t max)
{
    size_t o = 0, chars = 0;

    while (s && *s && chars < max) {
        unsigned char c = (unsigned char)*s;
        size_t len = char_len(c), k;

        for (k = 1; k < len; k++)
            if (((unsigned char)s[k] & 0xC0) != 0x80)
                break;
        if (k < len || c < 0x20 || c == 0x7F || (c & 0xC0) == 0x80 ||
            strchr("[]:*?/\\", c)) {
            s++; /* not a whole character, or not allowed */
            continue;
        }
        if (o + len >= size)
            break;
        memcpy(out + o, s, len);
        o += len;
        s += len;
        chars++;
    }
    out[o] = '\0';
    if (o == 0)
        snprintf(out, size, "%s", "Sheet");
}

struct mg_sheet *mg_sheet_new(const char *name)
{
    struct mg_sheet *s = mg_xcalloc(1, sizeof(*s));

    sheet_name(s->name, sizeof(s->name), name, MG_SHEET_MAX_NAME);
    return s;
}

void mg_sheet_free(struct mg_sheet *s)
{
    size_t i;

    if (!s)
        return;
    for (i = 0; i < s->n_cells; i++)
        if (s->cells[i].kind == CELL_TEXT)
            free(s->cells[i].v.text);
    free(s->cells);
    free(s->row_end);
    free(s);
}

static struct cell *push(struct mg_sheet *s)
{
    if (s->n_cells == s->cap_cells) {
        s->cap_cells = s->cap_cells ? s->cap_cells * 2 : 64;
        s->cells = mg_xrealloc(s->cells, s->cap_cells * sizeof(*s->cells));
    }
    memset(&s->cells[s->n_cells], 0, sizeof(s->cells[0]));
    return &s->cells[s->n_cells++];
}

void mg_sheet_text(struct mg_sheet *s, const char *text)
{
    struct cell *c = push(s);

    if (text && *text) {
        c->kind = CELL_TEXT;
        c->v.text = mg_xstrdup(text);
    }
}

void mg_sheet_int(struct mg_sheet *s, int64_t v)
{
    struct cell *c = push(s);

    c->kind = CELL_INT;
    c->v.i = v;
}

void mg_sheet_number(struct mg_sheet *s, double v)
{
    struct cell *c = push(s);

    c->kind = CELL_NUMBER;
    c->v.number = v;
}

void mg_sheet_end_row(struct mg_sheet *s)
{
    if (s->n_rows == s->cap_rows) {
        s->cap_rows = s->cap_rows ? s->cap_rows * 2 : 64;
        s->row_end = mg_xrealloc(s->row_end, s->cap_rows * sizeof(size_t));
    }
    s->row_end[s->n_rows++] = s->n_cells;
}

void mg_sheet_row(struct mg_sheet *s, const char *const *cells, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        mg_sheet_text(s, cells[i]);
    mg_sheet_end_row(s);
}

const char *mg_sheet_name(const struct mg_sheet *s)
{
    return s->name;
}

size_t mg_sheet_rows(const struct mg_sheet *s)
{
    return s->n_rows;
}

int mg_sheet_needs_quote(const char *text)
{
    /* full-width = + - @ (U+FF1D, U+FF0B, U+FF0D, U+FF20), which some
     * spreadsheets take for their ASCII forms */
    static const char *const wide[] = {"\xEF\xBC\x9D", "\xEF\xBC\x8B",
                                       "\xEF\xBC\x8D", "\xEF\xBC\xA0"};
    size_t i;

    if (!text || !*text)
        return 0;
    if (strchr("\t\r\n", text[0]))
        return 1;
    while (*text == ' ')
        text++;
    if (*text && strchr("=+-@", *text))
        return 1;
    for (i = 0; i < sizeof(wide) / sizeof(wide[0]); i++)
        if (strncmp(text, wide[i], 3) == 0)
            return 1;
    return 0;
}

static void csv_text(struct mg_buf *b, const char *s)
{
    int quote = mg_sheet_needs_quote(s);
    const char *p;

    if (!quote && !strpbrk(s, ",\"\r\n")) {
        mg_buf_puts(b, s);
        return;
    }
    mg_buf_puts(b, quote ? "\"'" : "\"");
    for (p = s; *p; p++) {
        if (*p == '"')
            mg_buf_add(b, "\"\"", 2);
        else
            mg_buf_add(b, p, 1);
    }
    mg_buf_puts(b, "\"");
}

/* A number as a spreadsheet shows it: no exponent, no trailing zeros. */
static void number_text(char *out, size_t n, double v)
{
    size_t len;

    snprintf(out, n, "%.6f", v);
    len = strlen(out);
    while (len > 0 && out[len - 1] == '0')
        out[--len] = '\0';
    if (len > 0 && out[len - 1] == '.')
        out[--len] = '\0';
    if (strcmp(out, "-0") == 0)
        snprintf(out, n, "%s", "0");
}

void mg_sheet_csv(struct mg_buf *out, const struct mg_sheet *s)
{
    size_t r, i = 0;
    char num[64];

    for (r = 0; r < s->n_rows; r++) {
        size_t first = i;

        for (; i < s->row_end[r]; i++) {
            const struct cell *c = &s->cells[i];

            if (i > first)
                mg_buf_puts(out, ",");
            switch (c->kind) {
            case CELL_TEXT:
                csv_text(out, c->v.text);
                break;
            case CELL_INT:
                mg_buf_printf(out, "%lld", (long long)c->v.i);
                break;
            case CELL_NUMBER:
                number_text(num, sizeof(num), c->v.number);
                mg_buf_puts(out, num);
                break;
            case CELL_EMPTY:
                break;
            }
        }
        mg_buf_puts(out, "\r\n");
    }
    if (out->data == NULL)
        mg_buf_puts(out, "");
}

/* How many characters wide a column should be for `text` (UTF-8). */
static size_t text_width(const char *text)
{
    size_t w = 0;

    for (; *text; text++)
        if (((unsigned char)*text & 0xC0) != 0x80)
            w++;
    return w;
}

/* `text` cut to XLSX's cell limit at a character boundary, with the
 * formula prefix when it needs one; the caller frees. */
static char *xlsx_text(const char *text)
{
    size_t len = strlen(text), max = MG_SHEET_MAX_CELL - 1, chars = 0, i;
    int quote = mg_sheet_needs_quote(text);
    struct mg_buf b = MG_BUF_INIT;

    if (quote)
        mg_buf_puts(&b, "'");
    for (i = 0; i < len; i++) {
        if (((unsigned char)text[i] & 0xC0) != 0x80 && ++chars > max)
            break;
        mg_buf_add(&b, text + i, 1);
    }
    return mg_buf_detach(&b);
}

static int write_sheet(lxw_workbook *wb, const struct mg_sheet *s,
                       lxw_format *bold)
{
    lxw_worksheet *ws = workbook_add_worksheet(wb, s->name);
    size_t r, i = 0, ncols = 0, c;
    size_t *widths = NULL;
    char num[64];
    int rc = 0;

    if (!ws)
        return MG_EINVAL;
    for (r = 0; r < s->n_rows; r++) {
        size_t len = s->row_end[r] - (r ? s->row_end[r - 1] : 0);

        if (len > ncols)
            ncols = len;
    }
    widths = mg_xcalloc(ncols ? ncols : 1, sizeof(*widths));
    /* widths from the first 1,000 rows: enough to size a column */
    for (r = 0, i = 0; r < s->n_rows && r < 1000; r++) {
        for (c = 0; i < s->row_end[r]; i++, c++) {
            const struct cell *cell = &s->cells[i];
            size_t w = 0;

            if (cell->kind == CELL_TEXT)
                w = text_width(cell->v.text);
            else if (cell->kind == CELL_INT)
                w = (size_t)snprintf(num, sizeof(num), "%lld",
                                     (long long)cell->v.i);
            else if (cell->kind == CELL_NUMBER)
                w = (number_text(num, sizeof(num), cell->v.number),
                     strlen(num));
            if (w > widths[c])
                widths[c] = w;
        }
    }
    for (c = 0; c < ncols; c++) {
        double w = (double)(widths[c] < 8    ? 8
                            : widths[c] > 60 ? 60
                                             : widths[c]);

        worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, w + 2, NULL);
    }
    free(widths);
    if (s->n_rows > 1)
        worksheet_freeze_panes(ws, 1, 0);
    for (r = 0, i = 0; r < s->n_rows && rc == 0; r++) {
        for (c = 0; i < s->row_end[r]; i++, c++) {
            const struct cell *cell = &s->cells[i];
            lxw_format *f = r == 0 ? bold : NULL;
            lxw_error err = LXW_NO_ERROR;
            char *t;

            switch (cell->kind) {
            case CELL_TEXT:
                t = xlsx_text(cell->v.text);
                err = worksheet_write_string(ws, (lxw_row_t)r, (lxw_col_t)c, t,
                                             f);
                free(t);
                break;
            case CELL_INT:
                err = worksheet_write_number(ws, (lxw_row_t)r, (lxw_col_t)c,
                                             (double)cell->v.i, f);
                break;
            case CELL_NUMBER:
                err = worksheet_write_number(ws, (lxw_row_t)r, (lxw_col_t)c,
                                             cell->v.number, f);
                break;
            case CELL_EMPTY:
                break;
            }
            if (err != LXW_NO_ERROR) {
                rc = MG_EIO;
                break;
            }
        }
    }
    return rc;
}

static int read_file(struct mg_buf *out, const char *path)
{
    FILE *f = fopen(path, "rb");
    char chunk[65536];
    size_t n;
    int rc = 0;

    if (!f)
        return MG_EIO;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        mg_buf_add(out, chunk, n);
    if (ferror(f))
        rc = MG_EIO;
    fclose(f);
    return rc;
}

int mg_sheet_xlsx(struct mg_buf *out, struct mg_sheet *const *sheets, size_t n)
{
    lxw_workbook_options opts = {0};
    lxw_workbook *wb;
    lxw_format *bold;
    const char *tmp = getenv("TMPDIR");
    char path[4096];
    size_t k, j;
    int fd, rc = 0;

    for (k = 0; k < n; k++)
        if (sheets[k]->n_rows > MG_SHEET_MAX_ROWS)
            return MG_EINVAL;
    if (!tmp || !*tmp)
        tmp = "/tmp";
    if ((size_t)snprintf(path, sizeof(path), "%s/mingle-xlsx-XXXXXX", tmp) >=
        sizeof(path))
        return MG_EIO;
    fd = mkstemp(path);
    if (fd < 0)
        return MG_EIO;
    close(fd);
    opts.constant_memory = LXW_TRUE;
    opts.tmpdir = (char *)tmp;
    wb = workbook_new_opt(path, &opts);
    if (!wb) {
        unlink(path);
        return MG_EIO;
    }
    bold = workbook_add_format(wb);
    format_set_bold(bold);
    for (k = 0; k < n && rc == 0; k++) {
        /* two sheets may not share a name: the later gets " (2)" */
        for (j = 0; j < k; j++)
            if (strcmp(sheets[j]->name, sheets[k]->name) == 0)
                break;
        if (j < k) {
            char name[sizeof(sheets[k]->name)], suffix[32];
            struct mg_buf b = MG_BUF_INIT;
            char *full;

            snprintf(suffix, sizeof(suffix), " (%u)", (unsigned)(k + 1) % 1000);
            sheet_name(name, sizeof(name), sheets[k]->name,
                       MG_SHEET_MAX_NAME - strlen(suffix));
            mg_buf_printf(&b, "%s%s", name, suffix);
            full = mg_buf_detach(&b);
            sheet_name(sheets[k]->name, sizeof(sheets[k]->name), full,
                       MG_SHEET_MAX_NAME);
            free(full);
        }
        rc = write_sheet(wb, sheets[k], bold);
    }
    if (n == 0 && workbook_add_worksheet(wb, NULL) == NULL)
        rc = MG_EIO;
    if (workbook_close(wb) != LXW_NO_ERROR && rc == 0)
        rc = MG_EIO;
    if (rc == 0)
        rc = read_file(out, path);
    unlink(path);
    return rc;
}
