/*
 * code.c: a certificate's verification code, the person's id and 50 bits
 * of an HMAC over what the certificate says, in Crockford's base 32.
 * The key is the caller's; the MAC is auth's (OpenSSL), compared in
 * constant time.
 */
#include "mingle/certificate.h"

#include <stdio.h>
#include <string.h>

#include "mingle/auth.h"

#include "banned.h"

static const char alphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";

/* The value of base-32 character `ch` as a person may type it, or -1. */
static int digit_value(char ch)
{
    const char *p;

    if (ch >= 'A' && ch <= 'Z')
        ch = (char)(ch - 'A' + 'a');
    if (ch == 'o')
        ch = '0';
    else if (ch == 'i' || ch == 'l')
        ch = '1';
    p = ch ? strchr(alphabet, ch) : NULL;
    return p ? (int)(p - alphabet) : -1;
}

static void mac_chars(char out[MG_CERTIFICATE_MAC_CHARS + 1],
                      const unsigned char *key, size_t key_len,
                      const struct mg_certificate_figures *f)
{
    char msg[160], hex[17];
    unsigned long long v = 0;
    int i;

    snprintf(msg, sizeof(msg), "certificate\n%lld\n%lld\n%d\n%d\n%d\n%s",
             (long long)f->circle_id, (long long)f->person_id, f->group_calls,
             f->plenary_calls, f->minutes,
             f->facilitator ? "facilitator" : "participant");
    mg_auth_mac_hex(hex, 16, key, key_len, msg);
    for (i = 0; i < 16; i++) {
        char ch = hex[i];
        v = v << 4 | (unsigned)(ch <= '9' ? ch - '0' : ch - 'a' + 10);
    }
    /* the top 50 bits, 5 at a time */
    for (i = 0; i < MG_CERTIFICATE_MAC_CHARS; i++)
        out[i] = alphabet[(v >> (59 - 5 * i)) & 31];
    out[MG_CERTIFICATE_MAC_CHARS] = '\0';
}

void mg_certificate_code(char out[MG_CERTIFICATE_CODE_MAX],
                         const unsigned char *key, size_t key_len,
                         const struct mg_certificate_figures *f)
{
    char id[16], mac[MG_CERTIFICATE_MAC_CHARS + 1];
    unsigned long long v = (unsigned long long)f->person_id;
    size_t n = 0, i;

    do {
        id[n++] = alphabet[v & 31];
        v >>= 5;
    } while (v && n < sizeof(id) - 1);
    for (i = 0; i < n / 2; i++) {
        char t = id[i];
        id[i] = id[n - 1 - i];
        id[n - 1 - i] = t;
    }
    id[n] = '\0';
    mac_chars(mac, key, key_len, f);
    snprintf(out, MG_CERTIFICATE_CODE_MAX, "%s-%.5s-%s", id, mac, mac + 5);
}

int mg_certificate_code_parse(int64_t *person_id, char *mac, const char *code)
{
    char digits[32];
    unsigned long long v = 0;
    const char *p = code ? code : "";
    size_t n = 0, i, id_len;

    *person_id = 0;
    mac[0] = '\0';
    /* hyphens and spaces are for reading: the last ten characters are
     * the MAC, what comes before them the id */
    for (; *p; p++) {
        int d;

        if (*p == '-' || *p == ' ')
            continue;
        d = digit_value(*p);
        if (d < 0 || n == sizeof(digits))
            return MG_EINVAL;
        digits[n++] = alphabet[d];
    }
    if (n <= MG_CERTIFICATE_MAC_CHARS || n > MG_CERTIFICATE_MAC_CHARS + 12)
        return MG_EINVAL;
    id_len = n - MG_CERTIFICATE_MAC_CHARS;
    for (i = 0; i < id_len; i++)
        v = v << 5 | (unsigned)(strchr(alphabet, digits[i]) - alphabet);
    if (v == 0)
        return MG_EINVAL;
    memcpy(mac, digits + id_len, MG_CERTIFICATE_MAC_CHARS);
    mac[MG_CERTIFICATE_MAC_CHARS] = '\0';
    *person_id = (int64_t)v;
    return 0;
}

int mg_certificate_code_matches(const char *code, const unsigned char *key,
                                size_t key_len,
                                const struct mg_certificate_figures *f)
{
    char given[MG_CERTIFICATE_MAC_CHARS + 1],
        want[MG_CERTIFICATE_MAC_CHARS + 1];
    int64_t pid = 0;

    if (mg_certificate_code_parse(&pid, given, code) < 0 || pid != f->person_id)
        return 0;
    mac_chars(want, key, key_len, f);
    return mg_auth_secret_equal(given, want);
}
