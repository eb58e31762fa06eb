/*
 * config: the daemon's settings. Each has a default that runs with no
 * configuration at all; a small `key = value` file, MINGLE_* environment
 * variables and command-line flags override it, in that order (a flag
 * beats the environment, which beats the file).
 */
#ifndef MINGLE_CONFIG_H
#define MINGLE_CONFIG_H

#include <stddef.h>

#include "mingle/core.h"

struct mg_config {
    char *listen;        /* address to bind, default 127.0.0.1 */
    int port;            /* default 8080; 0 picks a free port */
    char *db;            /* SQLite file, default ./mingle.db */
    size_t body_limit;   /* request body cap in bytes, default 10 MiB */
    int threads;         /* HTTP worker threads, default 4 */
    int shutdown_grace;  /* seconds to finish requests on shutdown */
    int busy_timeout_ms; /* SQLite busy timeout, default 5000 */
    char *log_level;     /* debug, info, warn or error */
    char *base_url;      /* public URL of the daemon, for links */
    char *smtp_url;      /* smtp:// or smtps://; unset: mail to maildir */
    char *smtp_user;
    char *smtp_password; /* never logged */
    char *mail_from;     /* envelope sender; default the organizer's */
    char *mail_domain;   /* where groups' addresses are; default the
                            organizer's domain */
    char *maildir;       /* where mail goes with no SMTP, ./mingle-mail */
    char *locale_dir;    /* compiled catalogs; NULL: the built-in place */
    int outbox_interval; /* seconds between outbox rounds, default 10 */
    int outbox_attempts; /* attempts before a message fails, default 12 */
    int outbox_retry;    /* first retry delay in seconds, doubling; 30 */
    /* Inbound-mail webhooks: one secret per provider; a provider with
     * none configured is refused. Secrets are never logged. */
    char *mailgun_signing_key; /* HMAC key of Mailgun's signature */
    int mailgun_max_age;       /* seconds a signature stays good; 0: any */
    char *mandrill_key;        /* the webhook's key */
    char *mandrill_url;        /* the URL as registered with Mandrill */
    char *sendgrid_secret;     /* Basic auth password or ?secret= */
    char *postmark_secret;
    char *cloudmailin_secret;
    char *mime_secret;     /* the local MTA pipe (provider "mime") */
    size_t attachment_cap; /* attachment content kept up to this, 1 MiB */
    /* The mail webhooks' body cap, default 64 MiB: sized for the
     * providers' own largest messages once base64 and form encoded
     * (README, "Notes by mail"); their bodies are spooled to a temp file
     * while they arrive, not held in memory. */
    size_t webhook_body_limit;
    /* Request bodies held at once across all connections (in memory or
     * spooled), default 256 MiB; a body that would go past it is 503. */
    size_t body_budget;
    /* Holding up the daemon: a connection idle this long, or this long
     * without sending a whole request's headers, is closed (default
     * 30 s); a request whose body has not all arrived this long
     * after its headers is closed, logged 408 (default 120 s). */
    int idle_timeout;
    int request_timeout;
    int max_connections;    /* open connections in all, default 1000 */
    int per_ip_connections; /* from one address, default 128; 0: no cap */
    /* Guessing secrets: an address with this many failed credentials
     * (bad tokens, unknown secret URLs, failed logins, bad webhook
     * signatures) in a minute is refused 429 until it slows; 0: off. */
    int auth_fail_limit;
    char *trusted_proxies; /* addresses whose X-Forwarded-For is believed */
    /* The public sign-up page: posts an address may make a minute
     * (default 10; 0: no cap), the least seconds between loading the
     * form and posting it (default 3: a person reads it first), and the
     * days an unconfirmed sign-up is kept (default 7). */
    int signup_limit;
    int signup_min_seconds;
    int signup_expiry_days;
    /* Forged mail: only mail whose sender is authenticated is published.
     * authserv_id names the receiving MTAs (comma-separated) whose
     * Authentication-Results header is believed (raw MIME, Postmark);
     * sender_auth_off lists the providers whose mail is published
     * without a verdict ("mime,postmark"); default none. */
    char *authserv_id;
    char *sender_auth_off;
};

/* Fill `cfg` with the defaults. Release with mg_config_release(). */
void mg_config_init(struct mg_config *cfg);
void mg_config_release(struct mg_config *cfg);

/*
 * Set one setting by its file name (e.g. "body_limit"). Values are
 * checked; sizes take a K, M or G suffix. `source` names where the value
 * came from for the error ("flag --port", "MINGLE_PORT", "mingle.conf:3").
 * MG_EINVAL with `err` filled on an unknown key or a bad value.
 */
int mg_config_set(struct mg_config *cfg, const char *key, const char *value,
                  const char *source, struct mg_error *err);

/*
 * Read a config file: `key = value` lines, '#' comments, blank lines.
 * MG_EIO if it cannot be read; MG_EINVAL with the line in `err`.
 */
int mg_config_load_file(struct mg_config *cfg, const char *path,
                        struct mg_error *err);

/* Parse config text already in memory; `name` is used in messages. */
int mg_config_load_string(struct mg_config *cfg, const char *text, size_t len,
                          const char *name, struct mg_error *err);

/* Apply MINGLE_<KEY> environment variables (MINGLE_PORT, MINGLE_DB, ...). */
int mg_config_load_env(struct mg_config *cfg, struct mg_error *err);

/* The names of all settings, NULL-terminated, for --help and docs. */
extern const char *const mg_config_keys[];

#endif
