/*
 * fuzz_certificate_code.c: libFuzzer target for reading a certificate's
 * verification code as a person types it (issue #19 item 2): whatever
 * parses names a positive person id and a MAC of exactly the code's
 * length in the code's own alphabet, and the code made again for that
 * id reads back to the same id.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mingle/certificate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const unsigned char key[32] = "fuzz-key-fuzz-key-fuzz-key-fuzz";
    char *s = mg_xstrndup((const char *)data, size);
    char mac[MG_CERTIFICATE_MAC_CHARS + 1], code[MG_CERTIFICATE_CODE_MAX];
    int64_t pid = 0, again = 0;

    if (mg_certificate_code_parse(&pid, mac, s) == 0) {
        struct mg_certificate_figures f;

        if (pid <= 0 || strlen(mac) != MG_CERTIFICATE_MAC_CHARS ||
            strspn(mac, "0123456789abcdefghjkmnpqrstvwxyz") !=
                MG_CERTIFICATE_MAC_CHARS)
            __builtin_trap();
        memset(&f, 0, sizeof(f));
        f.person_id = pid;
        mg_certificate_code(code, key, sizeof(key), &f);
        if (mg_certificate_code_parse(&again, mac, code) != 0 || again != pid)
            __builtin_trap();
        if (!mg_certificate_code_matches(code, key, sizeof(key), &f))
            __builtin_trap();
    }
    free(s);
    return 0;
}
