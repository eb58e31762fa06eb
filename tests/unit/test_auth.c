/*
 * test_auth.c: bearer tokens: their shape, that new ones differ, that
 * parsing finds the same id and hash (checked against an independent
 * SHA-256 through OpenSSL's EVP API and a sha256sum vector), what parsing
 * refuses, the constant-time compare, role names and derived secrets.
 */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "mingle/auth.h"

/* A well-formed token whose parts are easy to read. */
#define SAMPLE_ID "0123456789abcdef"
#define SAMPLE_SECRET "00112233445566778899aabbccddeeff"
#define SAMPLE_TOKEN "mgt_" SAMPLE_ID "_" SAMPLE_SECRET
/* printf %s 00112233445566778899aabbccddeeff | sha256sum */
#define SAMPLE_SHA256                                                          \
    "5947d7c33d783f94b3b4c1a96ebc8991ed28f1b069b71e03376cba8caa98a720"

/* SHA-256 of `n` bytes with OpenSSL's EVP interface, not the code's. */
static void evp_sha256(unsigned char out[32], const char *data, size_t n)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned int len = 0;

    assert_non_null(ctx);
    assert_int_equal(EVP_DigestInit_ex(ctx, EVP_sha256(), NULL), 1);
    assert_int_equal(EVP_DigestUpdate(ctx, data, n), 1);
    assert_int_equal(EVP_DigestFinal_ex(ctx, out, &len), 1);
    assert_int_equal(len, 32);
    EVP_MD_CTX_free(ctx);
}

static int lower_hex(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]) && !(s[i] >= 'a' && s[i] <= 'f'))
            return 0;
    return 1;
}

static void to_hex(char *out, const unsigned char *bytes, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", bytes[i]);
}

static void test_token_len_constant(void **state)
{
    (void)state;
    /* "mgt_" + 16 + "_" + 32 */
    assert_int_equal(MG_TOKEN_LEN, 53);
    assert_int_equal(strlen(SAMPLE_TOKEN), 53);
}

static void test_token_new_shape(void **state)
{
    char token[MG_TOKEN_LEN + 1];
    char id[MG_TOKEN_ID_LEN + 1];
    unsigned char hash[MG_TOKEN_HASH_LEN];

    (void)state;
    memset(token, 'X', sizeof(token));
    memset(id, 'X', sizeof(id));
    mg_auth_token_new(token, id, hash);
    assert_int_equal(strlen(token), MG_TOKEN_LEN);
    assert_memory_equal(token, "mgt_", 4);
    assert_true(lower_hex(token + 4, 16));
    assert_int_equal(token[20], '_');
    assert_true(lower_hex(token + 21, 32));
    assert_int_equal(strlen(id), 16);
    assert_memory_equal(id, token + 4, 16);
}

static void test_token_new_hash_is_sha256_of_secret(void **state)
{
    char token[MG_TOKEN_LEN + 1];
    char id[MG_TOKEN_ID_LEN + 1];
    unsigned char hash[MG_TOKEN_HASH_LEN];
    unsigned char expect[32];

    (void)state;
    mg_auth_token_new(token, id, hash);
    evp_sha256(expect, token + 21, 32);
    assert_memory_equal(hash, expect, 32);
}

static void test_token_new_differs(void **state)
{
    char t1[MG_TOKEN_LEN + 1], t2[MG_TOKEN_LEN + 1];
    char id1[MG_TOKEN_ID_LEN + 1], id2[MG_TOKEN_ID_LEN + 1];
    unsigned char h1[MG_TOKEN_HASH_LEN], h2[MG_TOKEN_HASH_LEN];

    (void)state;
    mg_auth_token_new(t1, id1, h1);
    mg_auth_token_new(t2, id2, h2);
    assert_string_not_equal(t1, t2);
    assert_string_not_equal(id1, id2);
    /* the secrets differ too, not only the ids */
    assert_memory_not_equal(t1 + 21, t2 + 21, 32);
    assert_memory_not_equal(h1, h2, 32);
}

static void test_token_parse_round_trip(void **state)
{
    char token[MG_TOKEN_LEN + 1];
    char id[MG_TOKEN_ID_LEN + 1], parsed_id[MG_TOKEN_ID_LEN + 1];
    unsigned char hash[MG_TOKEN_HASH_LEN], parsed[MG_TOKEN_HASH_LEN];
    int i;

    (void)state;
    for (i = 0; i < 20; i++) {
        mg_auth_token_new(token, id, hash);
        memset(parsed_id, 'X', sizeof(parsed_id));
        memset(parsed, 0, sizeof(parsed));
        assert_int_equal(mg_auth_token_parse(parsed_id, parsed, token), 0);
        assert_string_equal(parsed_id, id);
        assert_memory_equal(parsed, hash, MG_TOKEN_HASH_LEN);
        assert_true(mg_auth_hash_equal(parsed, hash));
    }
}

static void test_token_parse_known_vector(void **state)
{
    char id[MG_TOKEN_ID_LEN + 1];
    unsigned char hash[MG_TOKEN_HASH_LEN];
    unsigned char expect[32];
    char hex[65];

    (void)state;
    assert_int_equal(mg_auth_token_parse(id, hash, SAMPLE_TOKEN), 0);
    assert_string_equal(id, SAMPLE_ID);
    to_hex(hex, hash, 32);
    assert_string_equal(hex, SAMPLE_SHA256);
    evp_sha256(expect, SAMPLE_SECRET, 32);
    assert_memory_equal(hash, expect, 32);
}

static void test_token_parse_rejects(void **state)
{
    static const char *const bad[] = {
        "", "mgt_", "mgt__",
        /* wrong prefix */
        "mgx_" SAMPLE_ID "_" SAMPLE_SECRET, "MGT_" SAMPLE_ID "_" SAMPLE_SECRET,
        "xmgt" SAMPLE_ID "_" SAMPLE_SECRET,
        /* upper-case hex */
        "mgt_0123456789ABCDEF_" SAMPLE_SECRET,
        "mgt_" SAMPLE_ID "_00112233445566778899AABBCCDDEEFF",
        /* non-hex */
        "mgt_0123456789abcdeg_" SAMPLE_SECRET,
        "mgt_" SAMPLE_ID "_00112233445566778899aabbccddeefz",
        "mgt_" SAMPLE_ID "_0011223344556677 899aabbccddeeff",
        /* truncated, extended, separator missing or moved */
        "mgt_" SAMPLE_ID "_00112233445566778899aabbccddeef",
        "mgt_" SAMPLE_ID "_" SAMPLE_SECRET "0",
        "mgt_" SAMPLE_ID "-" SAMPLE_SECRET, "mgt_" SAMPLE_ID SAMPLE_SECRET "0",
        "mgt_0123456789abcde_f00112233445566778899aabbccddeeff",
        "mgt_" SAMPLE_ID,
        /* as it might arrive from a sloppy header */
        "Bearer mgt_" SAMPLE_ID "_" SAMPLE_SECRET, " " SAMPLE_TOKEN,
        SAMPLE_TOKEN "\n", SAMPLE_TOKEN " "};
    char id[MG_TOKEN_ID_LEN + 1];
    unsigned char hash[MG_TOKEN_HASH_LEN];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (mg_auth_token_parse(id, hash, bad[i]) != MG_EAUTH)
            fail_msg("'%s' not refused with MG_EAUTH", bad[i]);
    }
}

static void test_hash_equal(void **state)
{
    unsigned char a[MG_TOKEN_HASH_LEN], b[MG_TOKEN_HASH_LEN];

    (void)state;
    evp_sha256(a, SAMPLE_SECRET, 32);
    memcpy(b, a, sizeof(a));
    assert_true(mg_auth_hash_equal(a, b));
    b[0] ^= 1;
    assert_false(mg_auth_hash_equal(a, b));
    b[0] ^= 1;
    b[MG_TOKEN_HASH_LEN - 1] ^= 0x80;
    assert_false(mg_auth_hash_equal(a, b));
    b[MG_TOKEN_HASH_LEN - 1] ^= 0x80;
    assert_true(mg_auth_hash_equal(a, b));
    /* a different secret gives a different hash */
    evp_sha256(b, "0123456789abcdef0123456789abcdef", 32);
    assert_false(mg_auth_hash_equal(a, b));
}

static void test_role_parse(void **state)
{
    static const char *const bad[] = {"",
                                      "admin",
                                      "Coordinator",
                                      "PARTICIPANT",
                                      "participants",
                                      "coordinator ",
                                      "facilitate"};
    enum mg_role role = MG_ROLE_PARTICIPANT;
    size_t i;

    (void)state;
    assert_int_equal(mg_role_parse(&role, "coordinator"), 0);
    assert_int_equal(role, MG_ROLE_COORDINATOR);
    assert_int_equal(mg_role_parse(&role, "facilitator"), 0);
    assert_int_equal(role, MG_ROLE_FACILITATOR);
    assert_int_equal(mg_role_parse(&role, "participant"), 0);
    assert_int_equal(role, MG_ROLE_PARTICIPANT);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (mg_role_parse(&role, bad[i]) != MG_EINVAL)
            fail_msg("'%s' accepted as a role", bad[i]);
    }
}

static void test_role_name(void **state)
{
    enum mg_role role;

    (void)state;
    assert_string_equal(mg_role_name(MG_ROLE_COORDINATOR), "coordinator");
    assert_string_equal(mg_role_name(MG_ROLE_FACILITATOR), "facilitator");
    assert_string_equal(mg_role_name(MG_ROLE_PARTICIPANT), "participant");
    /* parse and name are inverses */
    assert_int_equal(mg_role_parse(&role, mg_role_name(MG_ROLE_FACILITATOR)),
                     0);
    assert_int_equal(role, MG_ROLE_FACILITATOR);
    /* the enum runs from most to least powerful */
    assert_true(MG_ROLE_COORDINATOR < MG_ROLE_FACILITATOR);
    assert_true(MG_ROLE_FACILITATOR < MG_ROLE_PARTICIPANT);
}

/* RFC 4231 test case 2 (HMAC-SHA256), cut to the length asked for. */
static void test_derive_hex(void **state)
{
    char out[65], again[65], other[65];

    (void)state;
    mg_auth_derive_hex(out, 64, "Jefe", "what do ya want for nothing?");
    assert_string_equal(out, "5bdcc146bf60754e6a042426089575c7"
                             "5a003f089d2739839dec58b964ec3843");
    mg_auth_derive_hex(out, 48, "Jefe", "what do ya want for nothing?");
    assert_string_equal(out,
                        "5bdcc146bf60754e6a042426089575c75a003f089d273983");
    mg_auth_derive_hex(again, 48, "Jefe", "what do ya want for nothing?");
    assert_string_equal(out, again);
    mg_auth_derive_hex(other, 48, "Jefe", "another purpose");
    assert_string_not_equal(out, other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_token_len_constant),
        cmocka_unit_test(test_token_new_shape),
        cmocka_unit_test(test_token_new_hash_is_sha256_of_secret),
        cmocka_unit_test(test_token_new_differs),
        cmocka_unit_test(test_token_parse_round_trip),
        cmocka_unit_test(test_token_parse_known_vector),
        cmocka_unit_test(test_token_parse_rejects),
        cmocka_unit_test(test_hash_equal),
        cmocka_unit_test(test_role_parse),
        cmocka_unit_test(test_role_name),
        cmocka_unit_test(test_derive_hex),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
