/*
 * fuzz_token.c: libFuzzer target for bearer-token parsing and the text
 * checks that guard email headers and iCalendar properties.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mingle/auth.h"
#include "mingle/circle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = mg_xstrndup((const char *)data, size);
    char id[MG_TOKEN_ID_LEN + 1];
    unsigned char hash[MG_TOKEN_HASH_LEN];
    int minutes, weekday;

    if (mg_auth_token_parse(id, hash, s) == 0 && strlen(id) != MG_TOKEN_ID_LEN)
        __builtin_trap();
    /* An address fit for a header never holds CR or LF. */
    if (mg_email_valid(s) && (strchr(s, '\r') || strchr(s, '\n')))
        __builtin_trap();
    if (mg_text_clean(s) && (strchr(s, '\r') || strchr(s, '\n')))
        __builtin_trap();
    if (mg_time_parse(&minutes, s) == 0 && (minutes < 0 || minutes >= 1440))
        __builtin_trap();
    if (mg_weekday_parse(&weekday, s) == 0 && (weekday < 1 || weekday > 7))
        __builtin_trap();
    (void)mg_date_valid(s);
    free(s);
    return 0;
}
