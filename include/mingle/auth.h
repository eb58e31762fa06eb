/*
 * auth: bearer tokens. A token is "mgt_<public id>_<secret>": the public
 * id (64 random bits, hex) finds the stored row, the secret (128 random
 * bits, hex) is checked against its SHA-256 in constant time. Only the
 * hash is ever stored; the token itself is shown once, at creation.
 */
#ifndef MINGLE_AUTH_H
#define MINGLE_AUTH_H

#include <stddef.h>

#include "mingle/core.h"

#define MG_TOKEN_ID_LEN 16     /* hex characters of the public id */
#define MG_TOKEN_SECRET_LEN 32 /* hex characters of the secret */
#define MG_TOKEN_HASH_LEN 32   /* bytes of SHA-256 */
#define MG_TOKEN_LEN (4 + MG_TOKEN_ID_LEN + 1 + MG_TOKEN_SECRET_LEN)

/* Roles a token can carry, from most to least powerful. */
enum mg_role { MG_ROLE_COORDINATOR, MG_ROLE_FACILITATOR, MG_ROLE_PARTICIPANT };

/* "coordinator" etc. to the enum; MG_EINVAL for anything else. */
int mg_role_parse(enum mg_role *out, const char *name);
const char *mg_role_name(enum mg_role role);

/*
 * Make a new token. `token` receives the full token (MG_TOKEN_LEN + 1
 * bytes), `id` the public id (MG_TOKEN_ID_LEN + 1), `hash` the secret's
 * SHA-256 to store.
 */
void mg_auth_token_new(char *token, char *id,
                       unsigned char hash[MG_TOKEN_HASH_LEN]);

/*
 * Split a presented token into its public id and the hash of its secret.
 * MG_EAUTH if it is not shaped like a mingle token.
 */
int mg_auth_token_parse(char *id, unsigned char hash[MG_TOKEN_HASH_LEN],
                        const char *token);

/* Constant-time check of a presented hash against the stored one. */
int mg_auth_hash_equal(const unsigned char *a, const unsigned char *b);

/* Whether a presented secret equals the configured one, in time that
 * depends on neither (both are hashed first, then compared). */
int mg_auth_secret_equal(const char *given, const char *expected);

/*
 * A secret derived from secret `key` for one `purpose` (HMAC-SHA256 of
 * the purpose under the key), as `hex_len` lower-case hex characters
 * (even, at most 64) into `out` (hex_len + 1 bytes). The same key and
 * purpose always give the same value; the value does not reveal the key.
 */
void mg_auth_derive_hex(char *out, size_t hex_len, const char *key,
                        const char *purpose);
/* HMAC-SHA256 of `msg` under the binary key `key` (key_len bytes), as
 * `hex_len` lower-case hex characters (even, at most 64) into `out`
 * (hex_len + 1 bytes): what signs a link the daemon checks later. */
void mg_auth_mac_hex(char *out, size_t hex_len, const unsigned char *key,
                     size_t key_len, const char *msg);
/* Hex SHA-256 of data (a file's fingerprint): `out` takes 65 bytes. */
void mg_sha256_hex(char *out, const void *data, size_t len);

#endif
