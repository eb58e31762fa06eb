/*
 * scrub.c: a summary's text without names: what mail quoted or signed
 * goes (mg_mail_strip_reply), then every mail address and every word of
 * the names given is replaced. Pure text in, text out.
 */
#include "mingle/retention.h"

#include <stdlib.h>
#include <string.h>

#include "mingle/inbound.h"

#include "banned.h"

/* A byte of a word: an ASCII letter or digit, or any byte of a UTF-8
 * sequence (letters with macrons are words too). */
static int word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c >= 0x80;
}

static unsigned char lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* Whether `a` (len bytes) equals `b` (len bytes), ASCII case ignored. */
static int same_word(const char *a, const char *b, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++)
        if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
            return 0;
    return 1;
}

/* Whether the word at w (len bytes) is a word of one of the names. */
static int is_name_word(const char *w, size_t len, const char *const *names,
                        size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        const char *p = names[i];

        while (p && *p) {
            size_t k = 0;

            while (p[k] && word_byte((unsigned char)p[k]))
                k++;
            if (k >= 2 && k == len && same_word(p, w, len))
                return 1;
            p += k;
            while (*p && !word_byte((unsigned char)*p))
                p++;
        }
    }
    return 0;
}

/* A byte that can be in a mail address's local part or domain. */
static int address_byte(unsigned char c)
{
    return word_byte(c) || (c && strchr(".!#$%&'*+-/=?^_`{|}~", c));
}

/* The length of a mail address whose '@' is at `at` in `s` (start at
 * *begin), or 0. */
static size_t address_at(const char *s, size_t at, size_t *begin)
{
    size_t b = at, e = at + 1;
    int dot = 0;

    while (b > 0 && address_byte((unsigned char)s[b - 1]))
        b--;
    while (address_byte((unsigned char)s[e])) {
        if (s[e] == '.')
            dot = 1;
        e++;
    }
    while (e > at + 1 && s[e - 1] == '.')
        e--; /* a sentence's full stop */
    if (b == at || e == at + 1 || !dot)
        return 0;
    *begin = b;
    return e - b;
}

/* `s` with every mail address made "[address]"; free() it. */
static char *without_addresses(const char *s)
{
    struct mg_buf out = MG_BUF_INIT;
    size_t i = 0, copied = 0; /* s[copied..i) is yet to be written */

    while (s[i]) {
        size_t begin = 0, alen;

        if (s[i] != '@') {
            i++;
            continue;
        }
        alen = address_at(s, i, &begin);
        if (alen && begin >= copied) {
            mg_buf_add(&out, s + copied, begin - copied);
            mg_buf_puts(&out, "[address]");
            i = copied = begin + alen;
        } else {
            i++;
        }
    }
    mg_buf_puts(&out, s + copied);
    if (!out.data)
        return mg_xstrdup("");
    return mg_buf_detach(&out);
}

char *mg_retention_scrub(const char *text, const char *const *names, size_t n)
{
    char *stripped = mg_mail_strip_reply(text ? text : "");
    char *s = without_addresses(stripped);
    struct mg_buf out = MG_BUF_INIT;
    size_t i = 0;

    while (s[i]) {
        size_t k = i;

        while (s[k] && word_byte((unsigned char)s[k]))
            k++;
        if (k == i) {
            mg_buf_add(&out, s + i, 1);
            i++;
            continue;
        }
        if (is_name_word(s + i, k - i, names, n))
            mg_buf_puts(&out, "[name]");
        else
            mg_buf_add(&out, s + i, k - i);
        i = k;
    }
    free(stripped);
    free(s);
    if (!out.data)
        return mg_xstrdup("");
    return mg_buf_detach(&out);
}
