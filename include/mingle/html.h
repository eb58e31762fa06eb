/*
 * html: the one writer of HTML, for pages and for the HTML parts of mail.
 * Markup comes only from string literals: mg_html() pastes "" on either
 * side of its argument, so the compiler refuses a variable there. Every
 * other string goes through the writer for its place: text and attribute
 * values through one escaper, URLs checked for their scheme, URL
 * components percent-encoded, numbers formatted here. A page cannot
 * forget to escape, because it has no other way to write.
 */
#ifndef MINGLE_HTML_H
#define MINGLE_HTML_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "mingle/core.h"

/* A document being written. The buffer is the writer's: use only the
 * functions below, then mg_html_detach() or mg_html_release(). */
struct mg_html {
    struct mg_buf buf;
};

#define MG_HTML_INIT                                                           \
    {                                                                          \
        MG_BUF_INIT                                                            \
    }

/* Literal markup: mg_html(h, "<p class=\"muted\">"). Only a string
 * literal compiles. */
#define mg_html(h, markup) mg_html_markup_((h), "" markup "")
void mg_html_markup_(struct mg_html *h, const char *literal);

/*
 * Text or a quoted attribute value: `&`, `<`, `>`, `"` and `'` become
 * entities; control characters other than tab and newline (and DEL) are
 * dropped. NULL writes nothing. mg_html_textn() takes `n` bytes of `s`.
 */
void mg_html_text(struct mg_html *h, const char *s);
void mg_html_textn(struct mg_html *h, const char *s, size_t n);
#define mg_html_attr mg_html_text
/* printf-style, then escaped like mg_html_text(). */
void mg_html_textf(struct mg_html *h, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The same with a va_list, for writers that wrap this one. */
void mg_html_vtextf(struct mg_html *h, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* A decimal integer; a number with `decimals` digits after the point. */
void mg_html_int(struct mg_html *h, long long v);
void mg_html_num(struct mg_html *h, double v, int decimals);

/*
 * Whether `url` is an absolute http(s), webcal or mailto URL without
 * spaces or control characters: the only kinds a page links to.
 */
int mg_html_url_is_safe(const char *url);
/* `url` as an attribute value when mg_html_url_is_safe(), else nothing;
 * returns whether it was written. */
int mg_html_url(struct mg_html *h, const char *url);
/* `s` percent-encoded as a URL component (RFC 3986 unreserved kept),
 * for a path segment or a query value. */
void mg_html_url_arg(struct mg_html *h, const char *s);

/*
 * Common shapes. <a href="href" class="cls">text</a>, or just the text
 * when `href` is not safe; `cls` is a literal or NULL. An element of one
 * text: mg_html_element(h, "h1", title) for a literal tag name.
 */
void mg_html_link(struct mg_html *h, const char *href, const char *text,
                  const char *cls);
#define mg_html_element(h, tag, text)                                          \
    do {                                                                       \
        mg_html((h), "<" tag ">");                                             \
        mg_html_text((h), (text));                                             \
        mg_html((h), "</" tag ">\n");                                          \
    } while (0)

/* Append what another writer wrote: it is HTML this writer made, so it
 * is markup already. `src` is left as it was. */
void mg_html_append(struct mg_html *dst, const struct mg_html *src);

/* The document so far, NUL-terminated, now the caller's (free()); the
 * writer is left empty. Never NULL. */
char *mg_html_detach(struct mg_html *h);
void mg_html_release(struct mg_html *h);

/* `s` percent-encoded into `b`: the one URL encoder, for links in mail
 * text and JSON as well as pages. */
void mg_url_encode(struct mg_buf *b, const char *s);

#endif
