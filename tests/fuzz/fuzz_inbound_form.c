/*
 * fuzz_inbound_form.c: libFuzzer target for the form providers. The
 * first byte picks Mailgun or SendGrid; the rest is NUL-separated
 * "name=value" fields, a name starting with '@' making a file field.
 * Mailgun's signature is checked over the fields too.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "inbound_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void add_field(struct mg_form *form, const char *item, size_t len)
{
    const char *eq = memchr(item, '=', len);
    size_t name_len = eq ? (size_t)(eq - item) : len;
    char *name = mg_xstrndup(item, name_len);
    const char *value = eq ? eq + 1 : "";
    size_t value_len = eq ? len - name_len - 1 : 0;

    if (name[0] == '@')
        mg_form_add(form, name + 1, "file.txt", "text/plain", value, value_len);
    else
        mg_form_add(form, name, NULL, NULL, value, value_len);
    free(name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data + 1, *end = (const char *)data + size;
    const struct mg_form_field *ts, *token, *sig;
    struct mg_form form = {0};

    if (size < 1)
        return 0;
    mg_mail_init();
    while (p < end) {
        const char *nul = memchr(p, '\0', (size_t)(end - p));
        size_t len = nul ? (size_t)(nul - p) : (size_t)(end - p);

        add_field(&form, p, len);
        p += len + 1;
    }
    ts = mg_form_get(&form, "timestamp");
    token = mg_form_get(&form, "token");
    sig = mg_form_get(&form, "signature");
    if (ts && token && sig &&
        mg_inbound_verify_mailgun("", ts->value, token->value, sig->value) == 0)
        __builtin_trap(); /* an empty key never verifies */
    if (ts && token && sig)
        (void)mg_inbound_verify_mailgun("key", ts->value, token->value,
                                        sig->value);
    fuzz_parse(data[0] % 2 ? "sendgrid" : "mailgun", &form, NULL, 0);
    mg_form_release(&form);
    return 0;
}
