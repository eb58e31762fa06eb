/*
 * token.c: making and checking bearer tokens. Storage of the hashes is
 * `store`'s job; deciding what a role may do is the caller's.
 */
#include "mingle/auth.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "banned.h"

static const char *const role_names[] = {"coordinator", "facilitator",
                                         "participant"};

int mg_role_parse(enum mg_role *out, const char *name)
{
    int i;

    for (i = 0; i < 3; i++) {
        if (strcmp(name, role_names[i]) == 0) {
            *out = (enum mg_role)i;
            return 0;
        }
    }
    return MG_EINVAL;
}

const char *mg_role_name(enum mg_role role)
{
    if ((int)role < 0 || (int)role > 2)
        return "unknown";
    return role_names[role];
}

static void hash_secret(unsigned char hash[MG_TOKEN_HASH_LEN],
                        const char *secret)
{
    SHA256((const unsigned char *)secret, MG_TOKEN_SECRET_LEN, hash);
}

void mg_auth_token_new(char *token, char *id,
                       unsigned char hash[MG_TOKEN_HASH_LEN])
{
    unsigned char raw_id[MG_TOKEN_ID_LEN / 2];
    unsigned char raw_secret[MG_TOKEN_SECRET_LEN / 2];
    char secret[MG_TOKEN_SECRET_LEN + 1];

    mg_random_bytes(raw_id, sizeof(raw_id));
    mg_random_bytes(raw_secret, sizeof(raw_secret));
    mg_hex(id, raw_id, sizeof(raw_id));
    mg_hex(secret, raw_secret, sizeof(raw_secret));
    memcpy(token, "mgt_", 4);
    memcpy(token + 4, id, MG_TOKEN_ID_LEN);
    token[4 + MG_TOKEN_ID_LEN] = '_';
    memcpy(token + 5 + MG_TOKEN_ID_LEN, secret, MG_TOKEN_SECRET_LEN + 1);
    hash_secret(hash, secret);
    OPENSSL_cleanse(secret, sizeof(secret));
    OPENSSL_cleanse(raw_secret, sizeof(raw_secret));
}

static int all_hex(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

int mg_auth_token_parse(char *id, unsigned char hash[MG_TOKEN_HASH_LEN],
                        const char *token)
{
    const char *secret = token + 5 + MG_TOKEN_ID_LEN;

    if (strlen(token) != MG_TOKEN_LEN || strncmp(token, "mgt_", 4) != 0 ||
        token[4 + MG_TOKEN_ID_LEN] != '_' ||
        !all_hex(token + 4, MG_TOKEN_ID_LEN) ||
        !all_hex(secret, MG_TOKEN_SECRET_LEN))
        return MG_EAUTH;
    memcpy(id, token + 4, MG_TOKEN_ID_LEN);
    id[MG_TOKEN_ID_LEN] = '\0';
    hash_secret(hash, secret);
    return 0;
}

int mg_auth_hash_equal(const unsigned char *a, const unsigned char *b)
{
    return CRYPTO_memcmp(a, b, MG_TOKEN_HASH_LEN) == 0;
}

int mg_auth_secret_equal(const char *given, const char *expected)
{
    unsigned char a[SHA256_DIGEST_LENGTH], b[SHA256_DIGEST_LENGTH];

    if (!given || !expected)
        return 0;
    SHA256((const unsigned char *)given, strlen(given), a);
    SHA256((const unsigned char *)expected, strlen(expected), b);
    return CRYPTO_memcmp(a, b, sizeof(a)) == 0;
}

void mg_sha256_hex(char *out, const void *data, size_t len)
{
    unsigned char digest[SHA256_DIGEST_LENGTH];

    SHA256(data, len, digest);
    mg_hex(out, digest, sizeof(digest));
}

void mg_auth_derive_hex(char *out, size_t hex_len, const char *key,
                        const char *purpose)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;

    assert(hex_len <= 2 * SHA256_DIGEST_LENGTH && hex_len % 2 == 0);
    if (!HMAC(EVP_sha256(), key, (int)strlen(key),
              (const unsigned char *)purpose, strlen(purpose), mac, &mac_len))
        abort(); /* only when out of memory */
    mg_hex(out, mac, hex_len / 2);
    OPENSSL_cleanse(mac, sizeof(mac));
}

void mg_auth_mac_hex(char *out, size_t hex_len, const unsigned char *key,
                     size_t key_len, const char *msg)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;

    assert(hex_len <= 2 * SHA256_DIGEST_LENGTH && hex_len % 2 == 0);
    if (!HMAC(EVP_sha256(), key, (int)key_len, (const unsigned char *)msg,
              strlen(msg), mac, &mac_len))
        abort(); /* only when out of memory */
    mg_hex(out, mac, hex_len / 2);
    OPENSSL_cleanse(mac, sizeof(mac));
}
