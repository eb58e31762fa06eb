/*
 * test_config.c: settings: the defaults, every key through mg_config_set
 * with good and bad values, the `key = value` file format (from memory
 * and from disk), MINGLE_* environment variables and the order in which
 * the sources override each other.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mingle/config.h"
#include "support.h"

static const char *const env_names[] = {"MINGLE_LISTEN",
                                        "MINGLE_PORT",
                                        "MINGLE_DB",
                                        "MINGLE_BODY_LIMIT",
                                        "MINGLE_THREADS",
                                        "MINGLE_SHUTDOWN_GRACE",
                                        "MINGLE_BUSY_TIMEOUT_MS",
                                        "MINGLE_LOG_LEVEL",
                                        "MINGLE_BASE_URL",
                                        NULL};

static void clear_env(void)
{
    int i;

    for (i = 0; env_names[i]; i++)
        unsetenv(env_names[i]);
}

static int setup(void **state)
{
    struct mg_config *cfg = mg_xcalloc(1, sizeof(*cfg));

    clear_env();
    mg_config_init(cfg);
    *state = cfg;
    return 0;
}

static int teardown(void **state)
{
    struct mg_config *cfg = *state;

    clear_env();
    mg_config_release(cfg);
    free(cfg);
    return 0;
}

/* Set `key` to `value` and expect success. */
static void set_ok(struct mg_config *cfg, const char *key, const char *value)
{
    struct mg_error err = {{0}, {0}};

    assert_int_equal(mg_config_set(cfg, key, value, "test", &err), 0);
}

/* Set `key` to `value` and expect a refusal naming the key and source. */
static void set_bad(struct mg_config *cfg, const char *key, const char *value)
{
    struct mg_error err = {{0}, {0}};

    assert_int_equal(mg_config_set(cfg, key, value, "flag --x", &err),
                     MG_EINVAL);
    assert_string_equal(err.field, key);
    assert_non_null(strstr(err.message, "flag --x"));
    assert_non_null(strstr(err.message, key));
}

static void test_defaults(void **state)
{
    struct mg_config *cfg = *state;

    assert_string_equal(cfg->listen, "127.0.0.1");
    assert_int_equal(cfg->port, 8080);
    /* "./mingle.db" in the header; both spell the same file */
    assert_true(strcmp(cfg->db, "./mingle.db") == 0 ||
                strcmp(cfg->db, "mingle.db") == 0);
    assert_int_equal(cfg->body_limit, 10 * 1024 * 1024);
    assert_int_equal(cfg->threads, 4);
    assert_true(cfg->shutdown_grace >= 0);
    assert_int_equal(cfg->busy_timeout_ms, 5000);
    assert_string_equal(cfg->log_level, "info");
    assert_null(cfg->base_url);
}

/* Issue #18, items 2 and 5: the sign-up page's settings, their
 * defaults (7 days to confirm, 3 s to fill the form, 10 posts a minute
 * an address) and their bounds. */
static void test_signup_settings(void **state)
{
    struct mg_config *cfg = *state;

    assert_int_equal(cfg->signup_expiry_days, 7);
    assert_int_equal(cfg->signup_min_seconds, 3);
    assert_int_equal(cfg->signup_limit, 10);
    set_ok(cfg, "signup_expiry_days", "14");
    assert_int_equal(cfg->signup_expiry_days, 14);
    set_ok(cfg, "signup_min_seconds", "0");
    assert_int_equal(cfg->signup_min_seconds, 0);
    set_ok(cfg, "signup_limit", "0");
    assert_int_equal(cfg->signup_limit, 0);
    set_bad(cfg, "signup_expiry_days", "0");
    set_bad(cfg, "signup_expiry_days", "366");
    set_bad(cfg, "signup_min_seconds", "-1");
    set_bad(cfg, "signup_limit", "lots");
}

static void test_release_zeroes(void **state)
{
    struct mg_config cfg;

    (void)state;
    mg_config_init(&cfg);
    mg_config_release(&cfg);
    assert_null(cfg.listen);
    assert_null(cfg.db);
    assert_null(cfg.log_level);
    assert_null(cfg.base_url);
}

static void test_keys_list(void **state)
{
    static const char *const expect[] = {"listen",
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
                                         "signup_expiry_days"};
    size_t n = sizeof(expect) / sizeof(expect[0]);
    size_t i, j;

    (void)state;
    for (i = 0; mg_config_keys[i]; i++)
        ;
    assert_int_equal(i, n);
    for (i = 0; i < n; i++) {
        int found = 0;
        for (j = 0; mg_config_keys[j]; j++)
            if (strcmp(mg_config_keys[j], expect[i]) == 0)
                found++;
        assert_int_equal(found, 1);
    }
}

static void test_webhook_settings(void **state)
{
    struct mg_config cfg;
    struct mg_error err = {{0}, {0}};

    (void)state;
    mg_config_init(&cfg);
    assert_int_equal(cfg.mailgun_max_age, 86400);
    assert_int_equal(cfg.attachment_cap, 1024 * 1024);
    assert_null(cfg.mailgun_signing_key);
    assert_int_equal(
        mg_config_set(&cfg, "mailgun_signing_key", "key-12345678", "t", &err),
        0);
    assert_string_equal(cfg.mailgun_signing_key, "key-12345678");
    assert_int_equal(
        mg_config_set(&cfg, "sendgrid_secret", "s3cr3t!!x", "t", &err), 0);
    assert_string_equal(cfg.sendgrid_secret, "s3cr3t!!x");
    /* an empty secret is refused; an error never echoes a secret */
    assert_int_equal(mg_config_set(&cfg, "postmark_secret", "", "t", &err),
                     MG_EINVAL);
    assert_null(cfg.postmark_secret);
    assert_int_equal(
        mg_config_set(&cfg, "bogus_secret", "s3cr3t!!x", "t", &err), MG_EINVAL);
    assert_int_equal(mg_config_set(&cfg, "mailgun_max_age", "0", "t", &err), 0);
    assert_int_equal(cfg.mailgun_max_age, 0);
    assert_int_equal(mg_config_set(&cfg, "mailgun_max_age", "-1", "t", &err),
                     MG_EINVAL);
    assert_int_equal(mg_config_set(&cfg, "attachment_cap", "2M", "t", &err), 0);
    assert_int_equal(cfg.attachment_cap, 2 * 1024 * 1024);
    /* #17 item 5: webhooks have their own body cap, over the API's. */
    assert_int_equal(cfg.webhook_body_limit, 64u * 1024 * 1024);
    assert_true(cfg.webhook_body_limit > cfg.body_limit);
    assert_int_equal(
        mg_config_set(&cfg, "webhook_body_limit", "40M", "t", &err), 0);
    assert_int_equal(cfg.webhook_body_limit, 40u * 1024 * 1024);
    assert_int_equal(
        mg_config_set(&cfg, "webhook_body_limit", "lots", "t", &err),
        MG_EINVAL);
    /* #17 item 12: bytes of bodies held across all connections. */
    assert_int_equal(cfg.body_budget, 256u * 1024 * 1024);
    assert_int_equal(mg_config_set(&cfg, "body_budget", "1G", "t", &err), 0);
    assert_int_equal(cfg.body_budget, 1024u * 1024 * 1024);
    assert_int_equal(mg_config_set(&cfg, "mandrill_url", "ftp://x", "t", &err),
                     MG_EINVAL);
    /* issue 17, item 8: whose verdict is believed, and where it is off */
    assert_null(cfg.authserv_id);
    assert_null(cfg.sender_auth_off);
    assert_int_equal(
        mg_config_set(&cfg, "authserv_id", "mx1.example.org, mx2", "t", &err),
        0);
    assert_string_equal(cfg.authserv_id, "mx1.example.org, mx2");
    assert_int_equal(
        mg_config_set(&cfg, "authserv_id", "mx;dkim=pass", "t", &err),
        MG_EINVAL);
    assert_int_equal(
        mg_config_set(&cfg, "sender_auth_off", "mime,postmark", "t", &err), 0);
    assert_string_equal(cfg.sender_auth_off, "mime,postmark");
    assert_int_equal(
        mg_config_set(&cfg, "sender_auth_off", "mime,pigeon", "t", &err),
        MG_EINVAL);
    assert_int_equal(mg_config_set(&cfg, "sender_auth_off", "", "t", &err),
                     MG_EINVAL);
    assert_string_equal(cfg.sender_auth_off, "mime,postmark");
    mg_config_release(&cfg);
}

static void test_port(void **state)
{
    struct mg_config *cfg = *state;

    set_ok(cfg, "port", "0");
    assert_int_equal(cfg->port, 0);
    set_ok(cfg, "port", "65535");
    assert_int_equal(cfg->port, 65535);
    set_ok(cfg, "port", "443");
    assert_int_equal(cfg->port, 443);
    set_bad(cfg, "port", "65536");
    set_bad(cfg, "port", "-1");
    set_bad(cfg, "port", "");
    set_bad(cfg, "port", "80x");
    set_bad(cfg, "port", "http");
    set_bad(cfg, "port", "99999999999999999999999");
    /* a refused value leaves the setting alone */
    assert_int_equal(cfg->port, 443);
}

static void test_body_limit(void **state)
{
    struct mg_config *cfg = *state;

    set_ok(cfg, "body_limit", "1");
    assert_int_equal(cfg->body_limit, 1);
    set_ok(cfg, "body_limit", "4096");
    assert_int_equal(cfg->body_limit, 4096);
    set_ok(cfg, "body_limit", "512K");
    assert_int_equal(cfg->body_limit, 524288);
    set_ok(cfg, "body_limit", "10M");
    assert_int_equal(cfg->body_limit, 10485760);
    set_ok(cfg, "body_limit", "2G");
    assert_true(cfg->body_limit == (size_t)2147483648ull);
    set_bad(cfg, "body_limit", "0");
    set_bad(cfg, "body_limit", "0K");
    set_bad(cfg, "body_limit", "0M");
    set_bad(cfg, "body_limit", "garbage");
    set_bad(cfg, "body_limit", "");
    set_bad(cfg, "body_limit", "M");
    set_bad(cfg, "body_limit", "10X");
    set_bad(cfg, "body_limit", "10MB");
    set_bad(cfg, "body_limit", "1.5M");
    set_bad(cfg, "body_limit", "-5");
    set_bad(cfg, "body_limit", "-5M");
    set_bad(cfg, "body_limit", "99999999999999999999999");
    /* 2^54 GiB does not fit in 64 bits */
    set_bad(cfg, "body_limit", "18014398509481984G");
    assert_true(cfg->body_limit == (size_t)2147483648ull);
}

static void test_threads(void **state)
{
    struct mg_config *cfg = *state;

    set_ok(cfg, "threads", "1");
    assert_int_equal(cfg->threads, 1);
    set_ok(cfg, "threads", "16");
    assert_int_equal(cfg->threads, 16);
    set_bad(cfg, "threads", "0");
    set_bad(cfg, "threads", "-3");
    set_bad(cfg, "threads", "many");
    set_bad(cfg, "threads", "");
    /* a million workers is a typo, not a setting */
    set_bad(cfg, "threads", "1000000");
    assert_int_equal(cfg->threads, 16);
}

static void test_shutdown_grace_and_busy_timeout(void **state)
{
    struct mg_config *cfg = *state;

    set_ok(cfg, "shutdown_grace", "0");
    assert_int_equal(cfg->shutdown_grace, 0);
    set_ok(cfg, "shutdown_grace", "30");
    assert_int_equal(cfg->shutdown_grace, 30);
    set_bad(cfg, "shutdown_grace", "-1");
    set_bad(cfg, "shutdown_grace", "soon");
    assert_int_equal(cfg->shutdown_grace, 30);
    set_ok(cfg, "busy_timeout_ms", "2500");
    assert_int_equal(cfg->busy_timeout_ms, 2500);
    set_bad(cfg, "busy_timeout_ms", "-1");
    set_bad(cfg, "busy_timeout_ms", "5s");
    assert_int_equal(cfg->busy_timeout_ms, 2500);
}

static void test_log_level(void **state)
{
    struct mg_config *cfg = *state;

    set_ok(cfg, "log_level", "debug");
    assert_string_equal(cfg->log_level, "debug");
    set_ok(cfg, "log_level", "warn");
    assert_string_equal(cfg->log_level, "warn");
    set_ok(cfg, "log_level", "error");
    assert_string_equal(cfg->log_level, "error");
    set_ok(cfg, "log_level", "info");
    assert_string_equal(cfg->log_level, "info");
    set_bad(cfg, "log_level", "verbose");
    set_bad(cfg, "log_level", "");
    set_bad(cfg, "log_level", "warning");
    assert_string_equal(cfg->log_level, "info");
}

static void test_base_url(void **state)
{
    struct mg_config *cfg = *state;

    set_ok(cfg, "base_url", "http://localhost:8080");
    assert_string_equal(cfg->base_url, "http://localhost:8080");
    set_ok(cfg, "base_url", "https://books.example.org/mingle");
    assert_string_equal(cfg->base_url, "https://books.example.org/mingle");
    set_bad(cfg, "base_url", "ftp://books.example.org");
    set_bad(cfg, "base_url", "books.example.org");
    set_bad(cfg, "base_url", "javascript:alert(1)");
    set_bad(cfg, "base_url", "");
    assert_string_equal(cfg->base_url, "https://books.example.org/mingle");
}

static void test_mail_domain(void **state)
{
    struct mg_config *cfg = *state;

    assert_null(cfg->mail_domain);
    set_ok(cfg, "mail_domain", "circles.example.org");
    assert_string_equal(cfg->mail_domain, "circles.example.org");
    set_bad(cfg, "mail_domain", "");
    set_bad(cfg, "mail_domain", "someone@example.org");
    set_bad(cfg, "mail_domain", "exa mple.org");
    set_bad(cfg, "mail_domain", "<b>.org");
    assert_string_equal(cfg->mail_domain, "circles.example.org");
}

static void test_listen_and_db(void **state)
{
    struct mg_config *cfg = *state;

    set_ok(cfg, "listen", "0.0.0.0");
    assert_string_equal(cfg->listen, "0.0.0.0");
    set_ok(cfg, "listen", "::1");
    assert_string_equal(cfg->listen, "::1");
    set_bad(cfg, "listen", "");
    assert_string_equal(cfg->listen, "::1");
    set_ok(cfg, "db", "/var/lib/mingle/books club.db");
    assert_string_equal(cfg->db, "/var/lib/mingle/books club.db");
    set_bad(cfg, "db", "");
    assert_string_equal(cfg->db, "/var/lib/mingle/books club.db");
}

static void test_unknown_key(void **state)
{
    struct mg_config *cfg = *state;
    struct mg_error err = {{0}, {0}};

    assert_int_equal(
        mg_config_set(cfg, "colour", "blue", "flag --colour", &err), MG_EINVAL);
    assert_non_null(strstr(err.message, "colour"));
    assert_non_null(strstr(err.message, "flag --colour"));
    /* keys are exact: no case folding, no dashes for underscores */
    memset(&err, 0, sizeof(err));
    assert_int_equal(mg_config_set(cfg, "Port", "1", "MINGLE_X", &err),
                     MG_EINVAL);
    assert_non_null(strstr(err.message, "Port"));
    assert_non_null(strstr(err.message, "MINGLE_X"));
    assert_int_equal(mg_config_set(cfg, "body-limit", "1K", "x", &err),
                     MG_EINVAL);
    assert_int_equal(cfg->port, 8080);
    assert_int_equal(cfg->body_limit, 10 * 1024 * 1024);
}

static void test_load_string(void **state)
{
    struct mg_config *cfg = *state;
    struct mg_error err = {{0}, {0}};
    static const char text[] = "# mingle.conf\n"
                               "\n"
                               "   \n"
                               "  port = 9090  \n"
                               "\tdb = \"/var/lib/my books/mingle.db\"\r\n"
                               "threads=8\r\n"
                               "   # an indented comment\r\n"
                               "\r\n"
                               "body_limit = 2M\n"
                               "listen = \"0.0.0.0\"\n"
                               "log_level = debug";

    assert_int_equal(
        mg_config_load_string(cfg, text, strlen(text), "site.conf", &err), 0);
    assert_int_equal(cfg->port, 9090);
    assert_string_equal(cfg->db, "/var/lib/my books/mingle.db");
    assert_int_equal(cfg->threads, 8);
    assert_int_equal(cfg->body_limit, 2 * 1024 * 1024);
    assert_string_equal(cfg->listen, "0.0.0.0");
    /* the last line has no newline and is read all the same */
    assert_string_equal(cfg->log_level, "debug");
    /* what the text did not mention keeps its default */
    assert_int_equal(cfg->busy_timeout_ms, 5000);
}

static void test_load_string_quotes_keep_hash(void **state)
{
    struct mg_config *cfg = *state;
    struct mg_error err = {{0}, {0}};
    static const char text[] = "db = \"a # b = c.db\"\r\n";

    assert_int_equal(
        mg_config_load_string(cfg, text, strlen(text), "q.conf", &err), 0);
    assert_string_equal(cfg->db, "a # b = c.db");
}

static void test_load_string_empty(void **state)
{
    struct mg_config *cfg = *state;
    struct mg_error err = {{0}, {0}};

    assert_int_equal(mg_config_load_string(cfg, "", 0, "empty.conf", &err), 0);
    assert_int_equal(
        mg_config_load_string(cfg, "\n\n# only\n", 9, "c.conf", &err), 0);
    assert_int_equal(cfg->port, 8080);
}

static void test_load_string_respects_len(void **state)
{
    struct mg_config *cfg = *state;
    struct mg_error err = {{0}, {0}};
    static const char text[] = "port=1234\nport=99";

    /* only the first line is inside `len` */
    assert_int_equal(mg_config_load_string(cfg, text, 9, "len.conf", &err), 0);
    assert_int_equal(cfg->port, 1234);
}

static void test_load_string_nul_refused(void **state)
{
    struct mg_config *cfg = *state;
    struct mg_error err = {{0}, {0}};
    static const char text[] = "port=1\0port=2\n";

    assert_int_equal(
        mg_config_load_string(cfg, text, sizeof(text) - 1, "nul.conf", &err),
        MG_EINVAL);
    assert_non_null(strstr(err.message, "nul.conf"));
}

/* Load `text` as `name` and expect MG_EINVAL with `where` in the message. */
static void load_bad(const char *text, const char *name, const char *where)
{
    struct mg_config cfg;
    struct mg_error err = {{0}, {0}};

    mg_config_init(&cfg);
    assert_int_equal(
        mg_config_load_string(&cfg, text, strlen(text), name, &err), MG_EINVAL);
    if (!strstr(err.message, where))
        fail_msg("'%s' not in '%s'", where, err.message);
    mg_config_release(&cfg);
}

static void test_load_string_errors_name_line(void **state)
{
    (void)state;
    load_bad("port = 1\n\nport = nope\n", "site.conf", "site.conf:3");
    load_bad("port = 1\njunk\n", "a.conf", "a.conf:2");
    load_bad("# c\r\n\r\nthreads = 2\r\ncolour = blue\r\n", "crlf.conf",
             "crlf.conf:4");
    load_bad("# c\n\ncolour = blue\n", "k.conf", "colour");
    load_bad("db = \"unterminated\n", "q.conf", "q.conf:1");
    load_bad("port = 80\ndb = \"\n", "q2.conf", "q2.conf:2");
    load_bad("body_limit = 0\n", "z.conf", "z.conf:1");
    load_bad(" = 5\n", "e.conf", "e.conf:1");
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
}

static void test_load_file(void **state)
{
    struct mg_config *cfg = *state;
    struct mg_error err = {{0}, {0}};
    char *dir = test_mkdtemp();
    char *path = mg_xasprintf("%s/mingle.conf", dir);

    write_file(path, "# written by the test\r\n"
                     "port = 7070\r\n"
                     "base_url = https://club.example.net\r\n"
                     "busy_timeout_ms = 250\r\n");
    assert_int_equal(mg_config_load_file(cfg, path, &err), 0);
    assert_int_equal(cfg->port, 7070);
    assert_string_equal(cfg->base_url, "https://club.example.net");
    assert_int_equal(cfg->busy_timeout_ms, 250);
    free(path);
    test_rmdir(dir);
}

static void test_load_file_error_names_path_line(void **state)
{
    struct mg_config *cfg = *state;
    struct mg_error err = {{0}, {0}};
    char *dir = test_mkdtemp();
    char *path = mg_xasprintf("%s/bad.conf", dir);
    char *where = mg_xasprintf("%s:2", path);

    write_file(path, "port = 7070\nthreads = 0\n");
    assert_int_equal(mg_config_load_file(cfg, path, &err), MG_EINVAL);
    assert_non_null(strstr(err.message, where));
    free(where);
    free(path);
    test_rmdir(dir);
}

static void test_load_file_missing(void **state)
{
    struct mg_config *cfg = *state;
    struct mg_error err = {{0}, {0}};
    char *dir = test_mkdtemp();
    char *path = mg_xasprintf("%s/no-such.conf", dir);

    assert_int_equal(mg_config_load_file(cfg, path, &err), MG_EIO);
    assert_non_null(strstr(err.message, path));
    assert_int_equal(cfg->port, 8080);
    /* a directory is not a readable config file either */
    assert_int_equal(mg_config_load_file(cfg, dir, &err), MG_EIO);
    free(path);
    test_rmdir(dir);
}

static void test_load_env(void **state)
{
    struct mg_config *cfg = *state;
    struct mg_error err = {{0}, {0}};

    setenv("MINGLE_PORT", "7000", 1);
    setenv("MINGLE_DB", "/tmp/env.db", 1);
    setenv("MINGLE_BODY_LIMIT", "1K", 1);
    setenv("MINGLE_LOG_LEVEL", "warn", 1);
    setenv("MINGLE_BASE_URL", "https://env.example", 1);
    setenv("MINGLE_BUSY_TIMEOUT_MS", "100", 1);
    assert_int_equal(mg_config_load_env(cfg, &err), 0);
    assert_int_equal(cfg->port, 7000);
    assert_string_equal(cfg->db, "/tmp/env.db");
    assert_int_equal(cfg->body_limit, 1024);
    assert_string_equal(cfg->log_level, "warn");
    assert_string_equal(cfg->base_url, "https://env.example");
    assert_int_equal(cfg->busy_timeout_ms, 100);
    /* unset variables leave the defaults */
    assert_int_equal(cfg->threads, 4);
    assert_string_equal(cfg->listen, "127.0.0.1");
}

static void test_load_env_nothing_set(void **state)
{
    struct mg_config *cfg = *state;
    struct mg_error err = {{0}, {0}};

    assert_int_equal(mg_config_load_env(cfg, &err), 0);
    assert_int_equal(cfg->port, 8080);
    assert_int_equal(cfg->threads, 4);
}

static void test_load_env_bad_value(void **state)
{
    struct mg_config *cfg = *state;
    struct mg_error err = {{0}, {0}};

    setenv("MINGLE_THREADS", "zero", 1);
    assert_int_equal(mg_config_load_env(cfg, &err), MG_EINVAL);
    assert_non_null(strstr(err.message, "MINGLE_THREADS"));
    assert_non_null(strstr(err.message, "zero"));
    assert_int_equal(cfg->threads, 4);
}

static void test_precedence(void **state)
{
    struct mg_config *cfg = *state;
    struct mg_error err = {{0}, {0}};
    static const char file[] = "port = 1000\n"
                               "db = file.db\n"
                               "threads = 2\n"
                               "log_level = error\n";

    /* file, then environment, then a flag, as the CLI does */
    assert_int_equal(
        mg_config_load_string(cfg, file, strlen(file), "mingle.conf", &err), 0);
    setenv("MINGLE_PORT", "2000", 1);
    setenv("MINGLE_DB", "env.db", 1);
    assert_int_equal(mg_config_load_env(cfg, &err), 0);
    assert_int_equal(mg_config_set(cfg, "port", "3000", "flag --port", &err),
                     0);
    assert_int_equal(cfg->port, 3000);      /* flag beats env and file */
    assert_string_equal(cfg->db, "env.db"); /* env beats file */
    assert_int_equal(cfg->threads, 2);      /* file beats default */
    assert_string_equal(cfg->log_level, "error");
    assert_string_equal(cfg->listen, "127.0.0.1"); /* default */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_signup_settings, setup, teardown),
        cmocka_unit_test(test_release_zeroes),
        cmocka_unit_test(test_keys_list),
        cmocka_unit_test(test_webhook_settings),
        cmocka_unit_test_setup_teardown(test_port, setup, teardown),
        cmocka_unit_test_setup_teardown(test_body_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shutdown_grace_and_busy_timeout,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_log_level, setup, teardown),
        cmocka_unit_test_setup_teardown(test_base_url, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mail_domain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_listen_and_db, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_string, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_string_quotes_keep_hash,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_string_empty, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_load_string_respects_len, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_load_string_nul_refused, setup,
                                        teardown),
        cmocka_unit_test(test_load_string_errors_name_line),
        cmocka_unit_test_setup_teardown(test_load_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_file_error_names_path_line,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_file_missing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_load_env, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_env_nothing_set, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_load_env_bad_value, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_precedence, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
