/*
 * log.c: one line per event on stderr, in logfmt (key=value pairs), so
 * that journald, grep and log shippers read it alike. Each line is built
 * in memory and written with one write(2), so lines from different
 * threads never interleave.
 */
#define _GNU_SOURCE
#include "mingle/core.h"

#include <stdatomic.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "banned.h"

static atomic_int log_level = MG_LOG_INFO;

static const char *level_names[] = {"debug", "info", "warn", "error"};

void mg_log_set_level(enum mg_log_level level)
{
    atomic_store(&log_level, (int)level);
}

int mg_log_parse_level(enum mg_log_level *out, const char *name)
{
    int i;

    for (i = 0; i < 4; i++) {
        if (strcmp(name, level_names[i]) == 0) {
            *out = (enum mg_log_level)i;
            return 0;
        }
    }
    return MG_EINVAL;
}

/* Values with spaces, quotes, '=' or control bytes are quoted and escaped. */
static void add_value(struct mg_buf *b, const char *v)
{
    const unsigned char *p;
    int plain = *v != '\0';

    for (p = (const unsigned char *)v; *p && plain; p++)
        if (*p <= ' ' || *p == '"' || *p == '=' || *p == '\\' || *p == 0x7f)
            plain = 0;
    if (plain) {
        mg_buf_puts(b, v);
        return;
    }
    mg_buf_add(b, "\"", 1);
    for (p = (const unsigned char *)v; *p; p++) {
        if (*p == '"' || *p == '\\')
            mg_buf_printf(b, "\\%c", *p);
        else if (*p == '\n')
            mg_buf_puts(b, "\\n");
        else if (*p < ' ' || *p == 0x7f)
            mg_buf_printf(b, "\\x%02x", *p);
        else
            mg_buf_add(b, p, 1);
    }
    mg_buf_add(b, "\"", 1);
}

void mg_log(enum mg_log_level level, const char *msg, ...)
{
    struct mg_buf b = MG_BUF_INIT;
    struct timeval tv;
    struct tm tm;
    char ts[32];
    va_list ap;
    ssize_t off = 0;

    if ((int)level < atomic_load(&log_level))
        return;
    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
    mg_buf_printf(&b, "ts=%s.%03ldZ level=%s msg=", ts,
                  (long)(tv.tv_usec / 1000), level_names[level]);
    add_value(&b, msg);
    va_start(ap, msg);
    for (;;) {
        const char *key = va_arg(ap, const char *);
        const char *value;
        if (!key)
            break;
        value = va_arg(ap, const char *);
        mg_buf_printf(&b, " %s=", key);
        add_value(&b, value ? value : "");
    }
    va_end(ap);
    mg_buf_add(&b, "\n", 1);
    while ((size_t)off < b.len) {
        ssize_t n = write(STDERR_FILENO, b.data + off, b.len - (size_t)off);
        if (n <= 0)
            break;
        off += n;
    }
    mg_buf_release(&b);
}
