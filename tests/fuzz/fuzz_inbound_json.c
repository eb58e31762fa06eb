/*
 * fuzz_inbound_json.c: libFuzzer target for the JSON providers. The
 * first byte picks one: Postmark's body, CloudMailin's body, or
 * Mandrill's mandrill_events field (whose signature is checked too).
 */
#include <stddef.h>
#include <stdint.h>

#include "inbound_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *body = (const char *)data + 1;
    struct mg_form form = {0};

    if (size < 1)
        return 0;
    mg_mail_init();
    switch (data[0] % 3) {
    case 0:
        fuzz_parse("postmark", NULL, body, size - 1);
        break;
    case 1:
        fuzz_parse("cloudmailin", NULL, body, size - 1);
        break;
    default:
        mg_form_add(&form, "mandrill_events", NULL, NULL, body, size - 1);
        if (mg_inbound_verify_mandrill("key", "https://x/hook", &form,
                                       "AAAAAAAAAAAAAAAAAAAAAAAAAAA=") == 0)
            __builtin_trap();
        fuzz_parse("mandrill", &form, NULL, 0);
        mg_form_release(&form);
        break;
    }
    return 0;
}
