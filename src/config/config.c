/*
 * config.c: defaults, the `key = value` file, MINGLE_* environment
 * variables, all funnelled through mg_config_set() so that every source
 * is checked the same way. Flags are parsed by `cli`, which calls
 * mg_config_set() too.
 */
#include "mingle/config.h"

#include "mingle/circle.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

const char *const mg_config_keys[] = {"listen",
                                      "port",
                                      "db",
                                      "body_limit",
                                      "threads",
                                      "shutdown_grace",
                                      "busy_timeout_ms",
                                      "log_level",
                                      "base_url",
                                      "smtp_url",
                                      "smtp_user",
                                      "smtp_password",
                                      "mail_from",
                                      "mail_domain",
                                      "maildir",
                                      "locale_dir",
                                      "outbox_interval",
                                      "outbox_attempts",
                                      "outbox_retry",
                                      "mailgun_signing_key",
                                      "mailgun_max_age",
                                      "mandrill_key",
                                      "mandrill_url",
                                      "sendgrid_secret",
                                      "postmark_secret",
                                      "cloudmailin_secret",
                                      "mime_secret",
                                      "attachment_cap",
                                      "webhook_body_limit",
                                      "body_budget",
                                      "idle_timeout",
                                      "request_timeout",
                                      "max_connections",
                                      "per_ip_connections",
                                      "auth_fail_limit",
                                      "trusted_proxies",
                                      "authserv_id",
                                      "sender_auth_off",
                                      "signup_limit",
                                      "signup_min_seconds",
                                      "signup_expiry_days",
                                      NULL};

void mg_config_init(struct mg_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->listen = mg_xstrdup("127.0.0.1");
    cfg->port = 8080;
    cfg->db = mg_xstrdup("mingle.db");
    cfg->body_limit = 10u * 1024 * 1024;
    cfg->threads = 4;
    cfg->shutdown_grace = 10;
    cfg->busy_timeout_ms = 5000;
    cfg->log_level = mg_xstrdup("info");
    cfg->base_url = NULL;
    cfg->maildir = mg_xstrdup("mingle-mail");
    cfg->outbox_interval = 10;
    cfg->outbox_attempts = 12;
    cfg->outbox_retry = 30;
    cfg->mailgun_max_age = 86400;
    cfg->attachment_cap = 1024 * 1024;
    cfg->webhook_body_limit = 64u * 1024 * 1024;
    cfg->body_budget = 256u * 1024 * 1024;
    cfg->idle_timeout = 30;
    cfg->request_timeout = 120;
    cfg->max_connections = 1000;
    cfg->per_ip_connections = 128;
    cfg->auth_fail_limit = 20;
    cfg->signup_limit = 10;
    cfg->signup_min_seconds = 3;
    cfg->signup_expiry_days = 7;
}

void mg_config_release(struct mg_config *cfg)
{
    free(cfg->listen);
    free(cfg->db);
    free(cfg->log_level);
    free(cfg->base_url);
    free(cfg->smtp_url);
    free(cfg->smtp_user);
    free(cfg->smtp_password);
    free(cfg->mail_from);
    free(cfg->mail_domain);
    free(cfg->maildir);
    free(cfg->locale_dir);
    free(cfg->trusted_proxies);
    free(cfg->authserv_id);
    free(cfg->sender_auth_off);
    free(cfg->mailgun_signing_key);
    free(cfg->mandrill_key);
    free(cfg->mandrill_url);
    free(cfg->sendgrid_secret);
    free(cfg->postmark_secret);
    free(cfg->cloudmailin_secret);
    free(cfg->mime_secret);
    memset(cfg, 0, sizeof(*cfg));
}

static int parse_int(long *out, const char *value, long min, long max)
{
    char *end;
    long v;

    if (!isdigit((unsigned char)value[0]))
        return MG_EINVAL; /* no sign, no leading space */
    errno = 0;
    v = strtol(value, &end, 10);
    if (errno || end == value || *end != '\0' || v < min || v > max)
        return MG_EINVAL;
    *out = v;
    return 0;
}

/* A byte count with an optional K, M or G suffix (powers of 1024). */
static int parse_size(size_t *out, const char *value)
{
    char *end;
    unsigned long long v;
    unsigned long long mult = 1;

    if (!isdigit((unsigned char)value[0]))
        return MG_EINVAL;
    errno = 0;
    v = strtoull(value, &end, 10);
    if (errno || end == value)
        return MG_EINVAL;
    if (*end == 'K' || *end == 'k')
        mult = 1024ull, end++;
    else if (*end == 'M' || *end == 'm')
        mult = 1024ull * 1024, end++;
    else if (*end == 'G' || *end == 'g')
        mult = 1024ull * 1024 * 1024, end++;
    if (*end != '\0' || v == 0 || v > (unsigned long long)SIZE_MAX / mult)
        return MG_EINVAL;
    *out = (size_t)(v * mult);
    return 0;
}

/* A list of IPv4 or IPv6 addresses separated by commas or spaces. */
static int addresses_valid(const char *value)
{
    char one[INET6_ADDRSTRLEN + 1];
    unsigned char raw[sizeof(struct in6_addr)];
    int count = 0;

    while (*value) {
        size_t n = strcspn(value, ", ");

        if (n) {
            if (n >= sizeof(one))
                return 0;
            memcpy(one, value, n);
            one[n] = '\0';
            if (inet_pton(AF_INET, one, raw) != 1 &&
                inet_pton(AF_INET6, one, raw) != 1)
                return 0;
            count++;
        }
        value += n;
        value += strspn(value, ", ");
    }
    return count > 0;
}

/* A list of names separated by commas or spaces: host names (letters,
 * digits, '.', '-', '_'), or when `only` is given, names from it. */
static int names_valid(const char *value, const char *const *only)
{
    int count = 0;

    while (*value) {
        size_t n = strcspn(value, ", "), i;
        int known = !only;

        for (i = 0; i < n; i++)
            if (!isalnum((unsigned char)value[i]) && !strchr(".-_", value[i]))
                return 0;
        for (i = 0; only && only[i]; i++)
            if (strlen(only[i]) == n && strncmp(only[i], value, n) == 0)
                known = 1;
        if (!known)
            return 0;
        count += n > 0;
        value += n;
        value += strspn(value, ", ");
    }
    return count > 0;
}

static void replace(char **slot, const char *value)
{
    free(*slot);
    *slot = mg_xstrdup(value);
}

int mg_config_set(struct mg_config *cfg, const char *key, const char *value,
                  const char *source, struct mg_error *err)
{
    long n;
    enum mg_log_level level;

    if (strcmp(key, "listen") == 0) {
        if (!*value)
            goto bad;
        replace(&cfg->listen, value);
    } else if (strcmp(key, "port") == 0) {
        if (parse_int(&n, value, 0, 65535) < 0)
            goto bad;
        cfg->port = (int)n;
    } else if (strcmp(key, "db") == 0) {
        if (!*value)
            goto bad;
        replace(&cfg->db, value);
    } else if (strcmp(key, "body_limit") == 0) {
        if (parse_size(&cfg->body_limit, value) < 0)
            goto bad;
    } else if (strcmp(key, "threads") == 0) {
        if (parse_int(&n, value, 1, 256) < 0)
            goto bad;
        cfg->threads = (int)n;
    } else if (strcmp(key, "shutdown_grace") == 0) {
        if (parse_int(&n, value, 0, 3600) < 0)
            goto bad;
        cfg->shutdown_grace = (int)n;
    } else if (strcmp(key, "busy_timeout_ms") == 0) {
        if (parse_int(&n, value, 0, 600000) < 0)
            goto bad;
        cfg->busy_timeout_ms = (int)n;
    } else if (strcmp(key, "log_level") == 0) {
        if (mg_log_parse_level(&level, value) < 0)
            goto bad;
        replace(&cfg->log_level, value);
    } else if (strcmp(key, "base_url") == 0) {
        if (strncmp(value, "http://", 7) != 0 &&
            strncmp(value, "https://", 8) != 0)
            goto bad;
        for (n = 0; value[n]; n++)
            if ((unsigned char)value[n] <= ' ' || value[n] == 0x7f)
                goto bad; /* it will reach links and mail headers */
        replace(&cfg->base_url, value);
    } else if (strcmp(key, "smtp_url") == 0) {
        if (strncmp(value, "smtp://", 7) != 0 &&
            strncmp(value, "smtps://", 8) != 0)
            goto bad;
        replace(&cfg->smtp_url, value);
    } else if (strcmp(key, "smtp_user") == 0) {
        replace(&cfg->smtp_user, value);
    } else if (strcmp(key, "smtp_password") == 0) {
        replace(&cfg->smtp_password, value);
        return 0; /* never echo it back in an error */
    } else if (strcmp(key, "mail_from") == 0) {
        if (!mg_email_valid(value))
            goto bad;
        replace(&cfg->mail_from, value);
    } else if (strcmp(key, "mail_domain") == 0) {
        char *probe = mg_xasprintf("x@%s", value);
        int ok = strchr(value, '@') == NULL && mg_email_valid(probe);
        free(probe);
        if (!ok)
            goto bad;
        replace(&cfg->mail_domain, value);
    } else if (strcmp(key, "maildir") == 0) {
        if (!*value)
            goto bad;
        replace(&cfg->maildir, value);
    } else if (strcmp(key, "locale_dir") == 0) {
        if (!*value)
            goto bad;
        replace(&cfg->locale_dir, value);
    } else if (strcmp(key, "outbox_interval") == 0) {
        if (parse_int(&n, value, 1, 3600) < 0)
            goto bad;
        cfg->outbox_interval = (int)n;
    } else if (strcmp(key, "outbox_retry") == 0) {
        if (parse_int(&n, value, 1, 86400) < 0)
            goto bad;
        cfg->outbox_retry = (int)n;
    } else if (strcmp(key, "mailgun_max_age") == 0) {
        if (parse_int(&n, value, 0, 7 * 86400) < 0)
            goto bad;
        cfg->mailgun_max_age = (int)n;
    } else if (strcmp(key, "attachment_cap") == 0) {
        if (parse_size(&cfg->attachment_cap, value) < 0)
            goto bad;
    } else if (strcmp(key, "webhook_body_limit") == 0) {
        if (parse_size(&cfg->webhook_body_limit, value) < 0)
            goto bad;
    } else if (strcmp(key, "body_budget") == 0) {
        if (parse_size(&cfg->body_budget, value) < 0)
            goto bad;
    } else if (strcmp(key, "mandrill_url") == 0) {
        if (strncmp(value, "http://", 7) != 0 &&
            strncmp(value, "https://", 8) != 0)
            goto bad;
        replace(&cfg->mandrill_url, value);
    } else if (strcmp(key, "mailgun_signing_key") == 0 ||
               strcmp(key, "mandrill_key") == 0 ||
               strcmp(key, "sendgrid_secret") == 0 ||
               strcmp(key, "postmark_secret") == 0 ||
               strcmp(key, "cloudmailin_secret") == 0 ||
               strcmp(key, "mime_secret") == 0) {
        char **slot =
            strcmp(key, "mailgun_signing_key") == 0  ? &cfg->mailgun_signing_key
            : strcmp(key, "mandrill_key") == 0       ? &cfg->mandrill_key
            : strcmp(key, "sendgrid_secret") == 0    ? &cfg->sendgrid_secret
            : strcmp(key, "postmark_secret") == 0    ? &cfg->postmark_secret
            : strcmp(key, "cloudmailin_secret") == 0 ? &cfg->cloudmailin_secret
                                                     : &cfg->mime_secret;
        if (!*value) {
            /* never echo a secret back */
            mg_error_set(err, key, "%s: '%s' cannot be empty", source, key);
            return MG_EINVAL;
        }
        replace(slot, value);
        return 0;
    } else if (strcmp(key, "idle_timeout") == 0 ||
               strcmp(key, "request_timeout") == 0) {
        if (parse_int(&n, value, 1, 86400) < 0)
            goto bad;
        *(key[0] == 'i' ? &cfg->idle_timeout : &cfg->request_timeout) = (int)n;
    } else if (strcmp(key, "max_connections") == 0) {
        if (parse_int(&n, value, 1, 1000000) < 0)
            goto bad;
        cfg->max_connections = (int)n;
    } else if (strcmp(key, "per_ip_connections") == 0) {
        if (parse_int(&n, value, 0, 1000000) < 0)
            goto bad;
        cfg->per_ip_connections = (int)n;
    } else if (strcmp(key, "auth_fail_limit") == 0) {
        if (parse_int(&n, value, 0, 1000000) < 0)
            goto bad;
        cfg->auth_fail_limit = (int)n;
    } else if (strcmp(key, "signup_limit") == 0) {
        if (parse_int(&n, value, 0, 1000000) < 0)
            goto bad;
        cfg->signup_limit = (int)n;
    } else if (strcmp(key, "signup_min_seconds") == 0) {
        if (parse_int(&n, value, 0, 3600) < 0)
            goto bad;
        cfg->signup_min_seconds = (int)n;
    } else if (strcmp(key, "signup_expiry_days") == 0) {
        if (parse_int(&n, value, 1, 365) < 0)
            goto bad;
        cfg->signup_expiry_days = (int)n;
    } else if (strcmp(key, "trusted_proxies") == 0) {
        if (!addresses_valid(value))
            goto bad;
        replace(&cfg->trusted_proxies, value);
    } else if (strcmp(key, "authserv_id") == 0) {
        if (!names_valid(value, NULL))
            goto bad;
        replace(&cfg->authserv_id, value);
    } else if (strcmp(key, "sender_auth_off") == 0) {
        static const char *const providers[] = {
            "mailgun",     "sendgrid", "postmark", "mandrill",
            "cloudmailin", "mime",     NULL};

        if (!names_valid(value, providers))
            goto bad;
        replace(&cfg->sender_auth_off, value);
    } else if (strcmp(key, "outbox_attempts") == 0) {
        if (parse_int(&n, value, 1, 1000) < 0)
            goto bad;
        cfg->outbox_attempts = (int)n;
    } else {
        mg_error_set(err, key, "%s: unknown setting '%s'", source, key);
        return MG_EINVAL;
    }
    return 0;
bad:
    mg_error_set(err, key, "%s: bad value '%s' for '%s'", source, value, key);
    return MG_EINVAL;
}

static const char *trim(char *s, char **end_out)
{
    char *end;

    while (*s == ' ' || *s == '\t')
        s++;
    end = s + strlen(s);
    while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
        end--;
    *end = '\0';
    if (end_out)
        *end_out = end;
    return s;
}

int mg_config_load_string(struct mg_config *cfg, const char *text, size_t len,
                          const char *name, struct mg_error *err)
{
    char *copy = mg_xstrndup(text, len);
    char *line = copy;
    int lineno = 0;
    int rc = 0;

    if (strlen(copy) != len) {
        mg_error_set(err, "", "%s: contains a NUL byte", name);
        rc = MG_EINVAL;
        goto out;
    }
    while (line) {
        char *next = strchr(line, '\n');
        char *eq;
        const char *key, *value;
        char source[512];

        if (next)
            *next++ = '\0';
        lineno++;
        snprintf(source, sizeof(source), "%s:%d", name, lineno);
        key = trim(line, NULL);
        if (*key == '\0' || *key == '#') {
            line = next;
            continue;
        }
        eq = strchr(key, '=');
        if (!eq) {
            mg_error_set(err, "", "%s: expected 'key = value'", source);
            rc = MG_EINVAL;
            goto out;
        }
        *eq = '\0';
        value = trim(eq + 1, NULL);
        key = trim((char *)key, NULL);
        /* Allow "value" in double quotes, for paths with spaces. */
        if (value[0] == '"') {
            size_t vl = strlen(value);
            if (vl < 2 || value[vl - 1] != '"') {
                mg_error_set(err, key, "%s: unterminated quote", source);
                rc = MG_EINVAL;
                goto out;
            }
            ((char *)value)[vl - 1] = '\0';
            value++;
        }
        rc = mg_config_set(cfg, key, value, source, err);
        if (rc < 0)
            goto out;
        line = next;
    }
out:
    free(copy);
    return rc;
}

int mg_config_load_file(struct mg_config *cfg, const char *path,
                        struct mg_error *err)
{
    struct mg_buf b = MG_BUF_INIT;
    char chunk[4096];
    size_t n;
    int rc;
    FILE *f = fopen(path, "rb");

    if (!f) {
        mg_error_set(err, "config", "cannot open config '%s': %s", path,
                     strerror(errno));
        return MG_EIO;
    }
    for (;;) {
        n = fread(chunk, 1, sizeof(chunk), f);
        if (n == 0)
            break;
        mg_buf_add(&b, chunk, n);
        if (b.len > 1024 * 1024) {
            fclose(f);
            mg_buf_release(&b);
            mg_error_set(err, "config", "config '%s' is over 1 MiB", path);
            return MG_EINVAL;
        }
    }
    if (ferror(f)) {
        fclose(f);
        mg_buf_release(&b);
        mg_error_set(err, "config", "cannot read config '%s'", path);
        return MG_EIO;
    }
    fclose(f);
    rc = mg_config_load_string(cfg, b.data ? b.data : "", b.len, path, err);
    mg_buf_release(&b);
    return rc;
}

int mg_config_load_env(struct mg_config *cfg, struct mg_error *err)
{
    int i;

    for (i = 0; mg_config_keys[i]; i++) {
        char name[64];
        const char *value;
        size_t j;
        int rc;

        snprintf(name, sizeof(name), "MINGLE_%s", mg_config_keys[i]);
        for (j = 0; name[j]; j++)
            name[j] = (char)toupper((unsigned char)name[j]);
        value = getenv(name);
        if (!value)
            continue;
        rc = mg_config_set(cfg, mg_config_keys[i], value, name, err);
        if (rc < 0)
            return rc;
    }
    return 0;
}
