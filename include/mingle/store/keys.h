/*
 * keys: the daemon's own random keys, one per purpose, made on first use
 * and kept in the store so links signed with them stay good across
 * restarts: the signed time in a sign-up form, the "can't come" link of
 * a reminder. A key never leaves the store but as the MAC it makes.
 */
#ifndef MINGLE_STORE_KEYS_H
#define MINGLE_STORE_KEYS_H

#include <stddef.h>

#include "mingle/core.h"

#define MG_KEY_LEN 32

struct mg_store;

/*
 * The key named `name` (a short purpose, e.g. "signup-form") into out:
 * read it, or make one from the system's random bytes and keep it (two
 * callers racing both end with the same one). MG_EIO if the store
 * cannot be read or written.
 */
int mg_store_key(unsigned char out[MG_KEY_LEN], struct mg_store *st,
                 const char *name);

#endif
