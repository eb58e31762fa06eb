/*
 * fuzz_config.c: libFuzzer target for the config file parser. Any input
 * must either parse or fail with a message, never crash or leak.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mingle/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mg_config cfg;
    struct mg_error err;
    int rc;

    mg_config_init(&cfg);
    memset(&err, 0, sizeof(err));
    rc = mg_config_load_string(&cfg, (const char *)data, size, "fuzz", &err);
    if (rc < 0 && err.message[0] == '\0')
        __builtin_trap(); /* every failure must say why */
    mg_config_release(&cfg);
    return 0;
}
