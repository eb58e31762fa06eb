/*
 * signature.c: the webhook signatures of Mailgun (hex HMAC-SHA256 of
 * timestamp and token) and Mandrill (base64 HMAC-SHA1 of the URL and the
 * sorted fields), compared in constant time. Whether a timestamp is
 * fresh, and which key to use, is the caller's decision.
 */
#include "mingle/inbound.h"

#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>

#include "banned.h"

int mg_inbound_verify_mailgun(const char *key, const char *timestamp,
                              const char *token, const char *signature)
{
    unsigned char mac[EVP_MAX_MD_SIZE], given[32];
    unsigned int mac_len = 0;
    struct mg_buf data = MG_BUF_INIT;
    size_t i;
    int rc = MG_EAUTH;

    /* an empty key would let anyone sign */
    if (!key || !*key || !timestamp || !token || !signature)
        return MG_EAUTH;
    if (strlen(signature) != 2 * sizeof(given))
        return MG_EAUTH;
    for (i = 0; i < sizeof(given); i++) {
        int hi = mg_hex_value(signature[2 * i]),
            lo = mg_hex_value(signature[2 * i + 1]);

        if (hi < 0 || lo < 0)
            return MG_EAUTH;
        given[i] = (unsigned char)(hi << 4 | lo);
    }
    mg_buf_puts(&data, timestamp);
    mg_buf_puts(&data, token);
    if (!HMAC(EVP_sha256(), key, (int)strlen(key),
              (const unsigned char *)data.data, data.len, mac, &mac_len))
        goto out;
    if (mac_len == sizeof(given) &&
        CRYPTO_memcmp(mac, given, sizeof(given)) == 0)
        rc = 0;
out:
    mg_buf_release(&data);
    return rc;
}

/* Field order for Mandrill: by name, ties in posted order (stable). The
 * pointers all point into one array, so comparing them is defined. */
static int by_name(const void *a, const void *b)
{
    const struct mg_form_field *f = *(const struct mg_form_field *const *)a;
    const struct mg_form_field *g = *(const struct mg_form_field *const *)b;
    int c = strcmp(f->name, g->name);

    if (c)
        return c;
    return f < g ? -1 : f > g;
}

int mg_inbound_verify_mandrill(const char *key, const char *url,
                               const struct mg_form *form,
                               const char *signature)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    struct mg_buf data = MG_BUF_INIT;
    const struct mg_form_field **order = NULL;
    size_t i, n = form ? form->n : 0;
    gchar *b64 = NULL;
    int rc = MG_EAUTH;

    if (!key || !*key || !url || !signature)
        return MG_EAUTH;
    mg_buf_puts(&data, url);
    if (n) {
        order = mg_xmalloc(n * sizeof(*order));
        for (i = 0; i < n; i++)
            order[i] = &form->fields[i];
        qsort(order, n, sizeof(*order), by_name);
    }
    for (i = 0; i < n; i++) {
        mg_buf_puts(&data, order[i]->name);
        mg_buf_add(&data, order[i]->value, order[i]->len);
    }
    if (!HMAC(EVP_sha1(), key, (int)strlen(key),
              (const unsigned char *)data.data, data.len, mac, &mac_len))
        goto out;
    b64 = g_base64_encode(mac, mac_len);
    if (strlen(signature) == strlen(b64) &&
        CRYPTO_memcmp(signature, b64, strlen(b64)) == 0)
        rc = 0;
out:
    g_free(b64);
    free(order);
    mg_buf_release(&data);
    return rc;
}

struct mg_mandrill_mac {
    EVP_MAC *mac;
    EVP_MAC_CTX *ctx;
};

struct mg_mandrill_mac *mg_inbound_mandrill_begin(const char *key,
                                                  const char *url)
{
    struct mg_mandrill_mac *m;
    OSSL_PARAM params[2];

    if (!key || !*key || !url)
        return NULL;
    m = mg_xcalloc(1, sizeof(*m));
    params[0] = OSSL_PARAM_construct_utf8_string("digest", (char *)"SHA1", 0);
    params[1] = OSSL_PARAM_construct_end();
    m->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    m->ctx = m->mac ? EVP_MAC_CTX_new(m->mac) : NULL;
    if (!m->ctx ||
        !EVP_MAC_init(m->ctx, (const unsigned char *)key, strlen(key), params))
        abort(); /* out of memory, or no HMAC in this OpenSSL */
    EVP_MAC_update(m->ctx, (const unsigned char *)url, strlen(url));
    return m;
}

void mg_inbound_mandrill_add(struct mg_mandrill_mac *m, const void *data,
                             size_t len)
{
    if (m && len)
        EVP_MAC_update(m->ctx, data, len);
}

int mg_inbound_mandrill_end(struct mg_mandrill_mac *m, const char *signature)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    size_t mac_len = 0;
    gchar *b64 = NULL;
    int rc = MG_EAUTH;

    if (!m)
        return MG_EAUTH;
    if (signature && EVP_MAC_final(m->ctx, mac, &mac_len, sizeof(mac))) {
        b64 = g_base64_encode(mac, mac_len);
        if (strlen(signature) == strlen(b64) &&
            CRYPTO_memcmp(signature, b64, strlen(b64)) == 0)
            rc = 0;
    }
    g_free(b64);
    EVP_MAC_CTX_free(m->ctx);
    EVP_MAC_free(m->mac);
    free(m);
    return rc;
}
