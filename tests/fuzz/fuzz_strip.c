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
#include "utf8_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
