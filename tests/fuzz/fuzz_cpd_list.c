/*
 * fuzz_cpd_list.c: libFuzzer target for the Body of Knowledge list's
 * reader (mg_cpd_list_parse, issue #19 item 3): a coordinator may point
 * MINGLE_CPD_BOK_FILE at a file of their own. Any input parses or is
 * refused with a message; a parsed list's terms all have an id and a
 * label, and it is released without leaks (ASan).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mingle/core.h"
#include "mingle/cpd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mg_cpd_list l;
    struct mg_error err;
    size_t i;

    memset(&l, 0, sizeof(l));
    memset(&err, 0, sizeof(err));
    if (mg_cpd_list_parse(&l, (const char *)data, size, &err) == 0) {
        for (i = 0; i < l.n_areas; i++)
            if (!l.areas[i].id || !*l.areas[i].id || !l.areas[i].label)
                __builtin_trap();
        for (i = 0; i < l.n_domains; i++)
            if (!l.domains[i].id || !*l.domains[i].id || !l.domains[i].label)
                __builtin_trap();
    } else if (!err.message[0]) {
        __builtin_trap();
    }
    mg_cpd_list_release(&l);
    return 0;
}
