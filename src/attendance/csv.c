/*
 * csv.c: the text layer of participant reports: UTF-16 and BOMs to UTF-8,
 * records split on commas or TABs with RFC 4180 quoting, each with the
 * line it starts on. What the columns mean is attendance.c's business.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include "banned.h"

/* The line of byte `at` in `text` (1-based), for error messages. */
static int line_of(const char *text, size_t at)
{
    int line = 1;
    size_t i;

    for (i = 0; i < at; i++)
        line += text[i] == '\n';
    return line;
}

static void put_utf8(struct mg_buf *b, uint32_t cp)
{
    unsigned char u[4];
    size_t n;

    if (cp < 0x80) {
        u[0] = (unsigned char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (unsigned char)(0xC0 | (cp >> 6));
        u[1] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (unsigned char)(0xE0 | (cp >> 12));
        u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (unsigned char)(0xF0 | (cp >> 18));
        u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    mg_buf_add(b, u, n);
}

static int decode_utf16(struct mg_buf *out, const unsigned char *p, size_t len,
                        int big_endian, struct mg_error *err)
{
    size_t i;

    if (len % 2) {
        mg_error_set(err, "csv", "UTF-16 text with an odd number of bytes");
        return MG_EINVAL;
    }
    for (i = 0; i < len; i += 2) {
        uint32_t cp = big_endian ? (uint32_t)(p[i] << 8 | p[i + 1])
                                 : (uint32_t)(p[i + 1] << 8 | p[i]);
        if (cp >= 0xD800 && cp <= 0xDBFF && i + 3 < len) {
            uint32_t lo = big_endian ? (uint32_t)(p[i + 2] << 8 | p[i + 3])
                                     : (uint32_t)(p[i + 3] << 8 | p[i + 2]);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                i += 2;
            }
        }
        if ((cp >= 0xD800 && cp <= 0xDFFF) || cp == 0) {
            mg_error_set(err, "csv", "line %d: %s in UTF-16 text",
                         line_of(out->data ? out->data : "", out->len),
                         cp ? "a broken surrogate pair" : "a NUL character");
            return MG_EINVAL;
        }
        put_utf8(out, cp);
    }
    return 0;
}

/* Length of the valid UTF-8 sequence at p (up to end), or 0. */
static size_t utf8_seq(const unsigned char *p, const unsigned char *end)
{
    size_t n, i;
    uint32_t cp;

    if (p[0] < 0x80)
        return p[0] ? 1 : 0;
    if (p[0] >= 0xC2 && p[0] <= 0xDF)
        n = 2, cp = p[0] & 0x1F;
    else if (p[0] >= 0xE0 && p[0] <= 0xEF)
        n = 3, cp = p[0] & 0x0F;
    else if (p[0] >= 0xF0 && p[0] <= 0xF4)
        n = 4, cp = p[0] & 0x07;
    else
        return 0;
    if ((size_t)(end - p) < n)
        return 0;
    for (i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (p[i] & 0x3F);
    }
    if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    return n;
}

int att_decode(struct mg_buf *out, const char *data, size_t len,
               struct mg_error *err)
{
    const unsigned char *p = (const unsigned char *)data;
    const unsigned char *end = p + len;

    out->len = 0;
    mg_buf_add(out, "", 0);
    if (len >= 2 && p[0] == 0xFF && p[1] == 0xFE)
        return decode_utf16(out, p + 2, len - 2, 0, err);
    if (len >= 2 && p[0] == 0xFE && p[1] == 0xFF)
        return decode_utf16(out, p + 2, len - 2, 1, err);
    /* UTF-16LE without a BOM: ASCII text has every other byte NUL. */
    if (len >= 4 && p[0] && !p[1] && p[2] && !p[3])
        return decode_utf16(out, p, len, 0, err);
    if (len >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
        p += 3;
    while (p < end) {
        size_t n = utf8_seq(p, end);
        if (n == 0) {
            mg_error_set(err, "csv", "line %d: %s",
                         line_of(data, (size_t)((const char *)p - data)),
                         *p ? "not UTF-8 text (save the report as UTF-8 "
                              "or UTF-16)"
                            : "a NUL byte");
            return MG_EINVAL;
        }
        mg_buf_add(out, p, n);
        p += n;
    }
    return 0;
}

void att_records_free(struct att_record *recs, size_t n)
{
    size_t i, j;

    for (i = 0; i < n; i++) {
        for (j = 0; j < recs[i].n; j++)
            free(recs[i].f[j]);
        free(recs[i].f);
    }
    free(recs);
}

static void add_field(struct att_record *r, struct mg_buf *f)
{
    r->f = mg_xrealloc(r->f, (r->n + 1) * sizeof(*r->f));
    r->f[r->n++] = mg_xstrdup(f->data ? f->data : "");
    f->len = 0;
    mg_buf_add(f, "", 0);
}

int att_split(struct att_record **out, size_t *n_out, const char *text,
              char delim, struct mg_error *err)
{
    struct att_record *recs = NULL;
    size_t n = 0, cap = 0;
    struct mg_buf f = MG_BUF_INIT;
    const char *p = text;
    int line = 1, rc = 0;

    mg_buf_add(&f, "", 0);
    while (*p) {
        struct att_record *r;

        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            recs = mg_xrealloc(recs, cap * sizeof(*recs));
        }
        r = &recs[n++];
        memset(r, 0, sizeof(*r));
        r->line = line;
        for (;;) {
            if (*p == '"') {
                int start = line;
                p++;
                for (;;) {
                    if (!*p) {
                        mg_error_set(err, "csv",
                                     "line %d: a quoted field is never closed",
                                     start);
                        rc = MG_EINVAL;
                        goto out;
                    }
                    if (*p == '"' && p[1] == '"') {
                        mg_buf_add(&f, "\"", 1);
                        p += 2;
                        continue;
                    }
                    if (*p == '"')
                        break;
                    line += *p == '\n';
                    mg_buf_add(&f, p, 1);
                    p++;
                }
                p++;
                /* Spaces after the closing quote are tolerated. */
                while (*p == ' ')
                    p++;
                if (*p && *p != delim && *p != '\r' && *p != '\n') {
                    mg_error_set(err, "csv",
                                 "line %d: text after a closing quote "
                                 "(field %zu)",
                                 line, r->n + 1);
                    rc = MG_EINVAL;
                    goto out;
                }
            } else {
                const char *s = p;
                while (*p && *p != delim && *p != '\r' && *p != '\n')
                    p++;
                mg_buf_add(&f, s, (size_t)(p - s));
            }
            add_field(r, &f);
            if (*p == delim) {
                p++;
                continue;
            }
            if (*p == '\r')
                p++;
            if (*p == '\n')
                p++;
            line++;
            break;
        }
    }
out:
    mg_buf_release(&f);
    if (rc < 0) {
        att_records_free(recs, n);
        return rc;
    }
    *out = recs;
    *n_out = n;
    return 0;
}
