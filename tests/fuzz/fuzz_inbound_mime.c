/*
 * fuzz_inbound_mime.c: libFuzzer target for a raw RFC 5322 message read
 * with GMime (the "mime" provider, and every provider's raw mode).
 */
#include <stddef.h>
#include <stdint.h>

#include "inbound_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mg_mail_init();
    fuzz_parse("mime", NULL, (const char *)data, size);
    return 0;
}
