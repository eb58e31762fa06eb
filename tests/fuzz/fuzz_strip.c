/*
 * fuzz_strip.c: libFuzzer target for reply stripping and HTML to text.
 * The input is stripped as text, rendered as HTML, and the rendering
 * stripped in turn. Neither may return NULL; stripping never lengthens
 * its input and keeps valid UTF-8 valid (it only drops whole lines).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mingle/inbound.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whether s is well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF). */
static int valid_utf8(const unsigned char *s)
{
    while (*s) {
        unsigned char c = *s;
        size_t n, i;
        unsigned long cp;
        if (c < 0x80) {
            s++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf)
            n = 1;
        else if (c >= 0xe0 && c <= 0xef)
            n = 2;
        else if (c >= 0xf0 && c <= 0xf4)
            n = 3;
        else
            return 0;
        cp = c & (0x3f >> n);
        for (i = 1; i <= n; i++) {
            if ((s[i] & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i] & 0x3f);
        }
        if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
            (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
            return 0;
        s += n + 1;
    }
    return 1;
}

static void check_strip(const char *in)
{
    char *out = mg_mail_strip_reply(in);

    if (!out || strlen(out) > strlen(in))
        __builtin_trap();
    if (valid_utf8((const unsigned char *)in) &&
        !valid_utf8((const unsigned char *)out))
        __builtin_trap();
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    char *text;

    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    check_strip(s);
    text = mg_mail_html_to_text(s, size);
    if (!text)
        __builtin_trap();
    check_strip(text);
    free(text);
    free(s);
    return 0;
}
