/*
 * html.c: the HTML writer. One escaper for text and attributes, one check
 * of a link's scheme, one URL encoder. What a page or a mail says is its
 * own file's business; how a string becomes HTML is decided only here.
 */
#include "mingle/html.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

void mg_html_markup_(struct mg_html *h, const char *literal)
{
    mg_buf_puts(&h->buf, literal);
}

void mg_html_textn(struct mg_html *h, const char *s, size_t n)
{
    const char *end, *run;

    if (!s)
        return;
    end = s + n;
    run = s;
    for (; s < end; s++) {
        unsigned char c = (unsigned char)*s;
        const char *ent = NULL;

        switch (c) {
        case '&':
            ent = "&amp;";
            break;
        case '<':
            ent = "&lt;";
            break;
        case '>':
            ent = "&gt;";
            break;
        case '"':
            ent = "&quot;";
            break;
        case '\'':
            ent = "&#39;";
            break;
        default:
            /* Control characters have no business in a page, and some
             * browsers treat them oddly: drop them. */
            if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
                ent = "";
        }
        if (ent) {
            mg_buf_add(&h->buf, run, (size_t)(s - run));
            mg_buf_puts(&h->buf, ent);
            run = s + 1;
        }
    }
    mg_buf_add(&h->buf, run, (size_t)(end - run));
}

void mg_html_text(struct mg_html *h, const char *s)
{
    if (s)
        mg_html_textn(h, s, strlen(s));
}

void mg_html_vtextf(struct mg_html *h, const char *fmt, va_list ap)
{
    va_list again;
    char small[256], *big = NULL;
    int n;

    va_copy(again, ap);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    if (n >= 0 && (size_t)n >= sizeof(small)) {
        big = mg_xmalloc((size_t)n + 1);
        vsnprintf(big, (size_t)n + 1, fmt, again);
    }
    va_end(again);
    if (n < 0)
        return;
    mg_html_text(h, big ? big : small);
    free(big);
}

void mg_html_textf(struct mg_html *h, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    mg_html_vtextf(h, fmt, ap);
    va_end(ap);
}

void mg_html_int(struct mg_html *h, long long v)
{
    mg_buf_printf(&h->buf, "%lld", v);
}

void mg_html_num(struct mg_html *h, double v, int decimals)
{
    if (decimals < 0)
        decimals = 0;
    if (decimals > 6)
        decimals = 6;
    mg_buf_printf(&h->buf, "%.*f", decimals, v);
}

/* Whether `s` starts with `prefix`, ignoring ASCII case. */
static int has_prefix_nocase(const char *s, const char *prefix)
{
    for (; *prefix; s++, prefix++) {
        int c = (unsigned char)*s;
        if (c >= 'A' && c <= 'Z')
            c += 'a' - 'A';
        if (c != *prefix)
            return 0;
    }
    return 1;
}

int mg_html_url_is_safe(const char *url)
{
    static const char *const schemes[] = {"https://", "http://", "webcal://",
                                          "mailto:", NULL};
    size_t i;

    if (!url)
        return 0;
    for (i = 0; url[i]; i++)
        if ((unsigned char)url[i] <= 0x20 || url[i] == 0x7f)
            return 0;
    for (i = 0; schemes[i]; i++)
        if (has_prefix_nocase(url, schemes[i]) &&
            url[strlen(schemes[i])] != '\0')
            return 1;
    return 0;
}

int mg_html_url(struct mg_html *h, const char *url)
{
    if (!mg_html_url_is_safe(url))
        return 0;
    mg_html_text(h, url);
    return 1;
}

void mg_url_encode(struct mg_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";

    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
            (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
            c == '~') {
            mg_buf_add(b, s, 1);
        } else {
            char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
            mg_buf_add(b, esc, 3);
        }
    }
}

void mg_html_url_arg(struct mg_html *h, const char *s)
{
    mg_url_encode(&h->buf, s);
}

void mg_html_link(struct mg_html *h, const char *href, const char *text,
                  const char *cls)
{
    if (!mg_html_url_is_safe(href)) {
        mg_html_text(h, text);
        return;
    }
    mg_html(h, "<a href=\"");
    mg_html_text(h, href);
    mg_html(h, "\"");
    if (cls) {
        mg_html(h, " class=\"");
        mg_html_text(h, cls);
        mg_html(h, "\"");
    }
    mg_html(h, ">");
    mg_html_text(h, text);
    mg_html(h, "</a>");
}

void mg_html_append(struct mg_html *dst, const struct mg_html *src)
{
    if (src->buf.data)
        mg_buf_add(&dst->buf, src->buf.data, src->buf.len);
}

char *mg_html_detach(struct mg_html *h)
{
    return mg_buf_detach(&h->buf);
}

void mg_html_release(struct mg_html *h)
{
    mg_buf_release(&h->buf);
}
