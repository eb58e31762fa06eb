/*
 * auth.c: whether a message's From address is its sender's own, as the
 * receiving side saw it. mingle checks no signature itself: it reads the
 * verdict of the provider that received the mail (Mailgun's, SendGrid's,
 * CloudMailin's, Mandrill's SPF and DKIM fields, Postmark's Received-SPF
 * and Authentication-Results headers) or, for a raw message, the
 * Authentication-Results header (RFC 8601) of a receiving MTA named in
 * the configuration; any other such header is the sender's own word and
 * ignored.
 *
 * A verdict counts when it vouches for the From domain: dmarc=pass, a
 * passing DKIM signature of an aligned domain, or SPF passing for an
 * aligned envelope sender. Alignment is relaxed (RFC 7489): the same
 * domain, or one a subdomain of the other, without the Public Suffix
 * List, so "a.example.org" and "example.org" align, "org" never does.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"
#include "mingle/inbound.h"

#include "banned.h"

/* The domain of an address ("user@Example.org" or a bare domain), lower
 * case, in `out`; "" when there is none. */
static void domain_of(char *out, size_t n, const char *s)
{
    const char *at;
    size_t i, len;

    out[0] = '\0';
    if (!s)
        return;
    at = strrchr(s, '@');
    s = at ? at + 1 : s;
    len = strcspn(s, " \t>;\"");
    if (len >= n)
        return;
    for (i = 0; i < len; i++)
        out[i] = (char)tolower((unsigned char)s[i]);
    out[len] = '\0';
    while (len > 0 && out[len - 1] == '.')
        out[--len] = '\0';
}

/* `sub` is `dom` or under it, and `dom` is more than a top-level label. */
static int under(const char *sub, const char *dom)
{
    size_t ls = strlen(sub), ld = strlen(dom);

    if (ld == 0 || !strchr(dom, '.'))
        return 0;
    if (ls == ld)
        return strcmp(sub, dom) == 0;
    return ls > ld && sub[ls - ld - 1] == '.' &&
           strcmp(sub + ls - ld, dom) == 0;
}

int mail_auth_aligned(const char *a, const char *b)
{
    char da[256], db[256];

    domain_of(da, sizeof(da), a);
    domain_of(db, sizeof(db), b);
    return da[0] && db[0] && (under(da, db) || under(db, da));
}

/* Keep the better verdict: a pass over a failure over none. `why` (the
 * caller's, taken) is kept as one line of valid UTF-8: it quotes what
 * the payload said. */
static void verdict(struct mg_inbound *m, int auth, char *why)
{
    char *p;

    if (m->auth == MG_AUTH_OFF || auth < m->auth ||
        (auth == m->auth && m->auth_why)) {
        free(why);
        return;
    }
    for (p = why; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
    m->auth = auth;
    free(m->auth_why);
    m->auth_why = mail_utf8(why, strlen(why));
    free(why);
}

static int is(const char *result, const char *word)
{
    return result && strcasecmp(result, word) == 0;
}

void mail_auth_none(struct mg_inbound *m, const char *why)
{
    verdict(m, MG_AUTH_NONE, mg_xstrdup(why));
}

void mail_auth_provider(struct mg_inbound *m, const char *who, const char *spf,
                        const char *spf_domain, const char *dkim,
                        const char *dkim_domain)
{
    const char *env = spf_domain ? spf_domain : m->sender;

    if (is(dkim, "pass") &&
        (!dkim_domain || mail_auth_aligned(dkim_domain, m->from_email))) {
        verdict(m, MG_AUTH_PASS,
                mg_xasprintf("%s: dkim=pass%s%s", who,
                             dkim_domain ? " header.d=" : "",
                             dkim_domain ? dkim_domain : ""));
        return;
    }
    if (is(spf, "pass") && mail_auth_aligned(env, m->from_email)) {
        verdict(m, MG_AUTH_PASS, mg_xasprintf("%s: spf=pass for %s", who, env));
        return;
    }
    if (!spf && !dkim) {
        verdict(m, MG_AUTH_NONE,
                mg_xasprintf("%s gave no SPF or DKIM verdict", who));
        return;
    }
    if (is(spf, "pass"))
        verdict(m, MG_AUTH_FAIL,
                mg_xasprintf("%s: spf=pass for %s, not the From domain (%s)",
                             who, env ? env : "an unknown envelope sender",
                             m->from_email ? m->from_email : "none"));
    else if (is(dkim, "pass"))
        verdict(m, MG_AUTH_FAIL,
                mg_xasprintf("%s: dkim=pass for %s, not the From domain (%s)",
                             who, dkim_domain,
                             m->from_email ? m->from_email : "none"));
    else
        verdict(m, MG_AUTH_FAIL,
                mg_xasprintf("%s: spf=%s, dkim=%s", who, spf ? spf : "none",
                             dkim ? dkim : "none"));
}

/* `s` without RFC 5322 comments (nested parentheses, outside quoted
 * strings), with no white space around '='; the caller's (free()). */
static char *uncomment(const char *s)
{
    char *out = mg_xmalloc(strlen(s) + 1), *o = out;
    int depth = 0, quoted = 0;

    for (; *s; s++) {
        if (quoted) {
            if (*s == '\\' && s[1])
                *o++ = *s++;
            else if (*s == '"')
                quoted = 0;
            *o++ = *s;
        } else if (*s == '(') {
            depth++;
        } else if (*s == ')' && depth) {
            depth--;
        } else if (depth) {
            if (*s == '\\' && s[1])
                s++;
        } else {
            if (*s == '"')
                quoted = 1;
            if (*s == '\r' || *s == '\n' || *s == '\t')
                *o++ = ' ';
            else
                *o++ = *s;
        }
    }
    *o = '\0';
    /* "dkim = pass" as "dkim=pass" */
    for (o = out; *o; o++) {
        if (*o != '=')
            continue;
        while (o > out && o[-1] == ' ') {
            memmove(o - 1, o, strlen(o) + 1);
            o--;
        }
        while (o[1] == ' ')
            memmove(o + 1, o + 2, strlen(o + 2) + 1);
    }
    return out;
}

/* The value of `key=` among the space-separated tokens of `res`, without
 * quotes, in `out` ("" when absent). */
static void prop(char *out, size_t n, const char *res, const char *key)
{
    size_t kl = strlen(key), len;
    const char *p = res;

    out[0] = '\0';
    while (*p) {
        while (*p == ' ')
            p++;
        if (strncasecmp(p, key, kl) == 0 && p[kl] == '=') {
            p += kl + 1;
            if (*p == '"')
                p++;
            len = strcspn(p, " \"");
            if (len < n) {
                memcpy(out, p, len);
                out[len] = '\0';
            }
            return;
        }
        p += strcspn(p, " ");
    }
}

int mail_auth_results(struct mg_inbound *m, const char *value, const char *ids)
{
    char *s, *res, *next, result[32], d[256];
    const char *p;
    size_t len;
    int passed = 0, seen = 0;
    char *failed = NULL;

    if (!value)
        return 0;
    s = uncomment(value);
    p = s;
    while (*p == ' ')
        p++;
    len = strcspn(p, " ;");
    if (!mg_name_listed(ids, p, len)) {
        free(s);
        return 0; /* someone else's: the sender may have written it */
    }
    res = strchr(s, ';');
    for (; res && !passed; res = next) {
        char method[16];

        res++;
        next = strchr(res, ';');
        if (next)
            *next = '\0';
        while (*res == ' ')
            res++;
        len = strcspn(res, "=/ ");
        if (len == 0 || len >= sizeof(method))
            continue;
        memcpy(method, res, len);
        method[len] = '\0';
        prop(result, sizeof(result), res, method);
        if (!result[0]) { /* "dkim/1=pass" */
            p = strchr(res, '=');
            len = p ? strcspn(p + 1, " ") : 0;
            if (!p || len >= sizeof(result))
                continue;
            memcpy(result, p + 1, len);
            result[len] = '\0';
        }
        if (strcasecmp(method, "dmarc") && strcasecmp(method, "dkim") &&
            strcasecmp(method, "spf"))
            continue;
        seen = 1;
        if (strcasecmp(result, "pass") == 0) {
            if (strcasecmp(method, "dmarc") == 0) {
                prop(d, sizeof(d), res, "header.from");
                passed = !d[0] || mail_auth_aligned(d, m->from_email);
            } else if (strcasecmp(method, "dkim") == 0) {
                prop(d, sizeof(d), res, "header.d");
                if (!d[0])
                    prop(d, sizeof(d), res, "header.i");
                passed = mail_auth_aligned(d, m->from_email);
            } else {
                prop(d, sizeof(d), res, "smtp.mailfrom");
                passed = mail_auth_aligned(d, m->from_email);
            }
            if (passed)
                verdict(m, MG_AUTH_PASS,
                        mg_xasprintf("%.*s: %s=pass%s%s", (int)strcspn(s, " ;"),
                                     s, method, d[0] ? " for " : "", d));
        }
        if (!passed && !failed)
            failed = mg_xasprintf(
                "%.*s: %s=%s%s%s%s", (int)strcspn(s, " ;"), s, method, result,
                strcasecmp(result, "pass") == 0 ? " for " : "",
                strcasecmp(result, "pass") == 0 ? d : "",
                strcasecmp(result, "pass") == 0 ? ", not the From domain" : "");
    }
    if (!passed)
        verdict(m, seen ? MG_AUTH_FAIL : MG_AUTH_NONE,
                failed ? failed
                       : mg_xasprintf("%.*s: no SPF, DKIM or DMARC result",
                                      (int)strcspn(s, " ;"), s));
    else
        free(failed);
    free(s);
    return 1;
}

void mail_auth_header(struct mg_inbound *m, int *run, const char *name,
                      const char *value, const char *ids)
{
    int ours;

    if (*run == 2 || !ids)
        return;
    ours = name && value && strcasecmp(name, "Authentication-Results") == 0 &&
           mail_auth_results(m, value, ids);
    if (ours)
        *run = 1;
    else if (*run == 1)
        *run = 2; /* below the MTA's own: there before it saw the mail */
}

void mail_dkim_domain(char *out, size_t n, const char *sig)
{
    const char *p = sig;

    out[0] = '\0';
    while (p && *p) {
        size_t len;

        p += strspn(p, " \t\r\n;");
        if ((p[0] == 'd' || p[0] == 'D') &&
            p[strspn(p + 1, " \t") + 1] == '=') {
            p += 1 + strspn(p + 1, " \t") + 1;
            p += strspn(p, " \t\r\n");
            len = strcspn(p, " \t\r\n;");
            if (len < n) {
                memcpy(out, p, len);
                out[len] = '\0';
            }
            return;
        }
        p = strchr(p, ';');
    }
}
