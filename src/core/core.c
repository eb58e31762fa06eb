/*
 * core.c: error names and details, allocation wrappers that abort on
 * out-of-memory, the growable buffer, random bytes and clocks. Logging
 * lives in log.c.
 */
#define _GNU_SOURCE
#include "mingle/core.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "banned.h"

const char *mg_strerror(int code)
{
    switch (code) {
    case MG_OK:
        return "ok";
    case MG_EINVAL:
        return "invalid";
    case MG_ENOTFOUND:
        return "not_found";
    case MG_ECONFLICT:
        return "conflict";
    case MG_EDB:
        return "database_error";
    case MG_EIO:
        return "io_error";
    case MG_EAUTH:
        return "unauthorized";
    case MG_EFORBIDDEN:
        return "forbidden";
    case MG_ETOOBIG:
        return "too_large";
    case MG_EBUSY:
        return "busy";
    default:
        return "error";
    }
}

void mg_error_set(struct mg_error *err, const char *field, const char *fmt, ...)
{
    va_list ap;

    char name[sizeof(err->field)];
    char message[sizeof(err->message)];

    if (!err)
        return;
    /* Format into locals first: callers may pass err's own buffers back
     * in (to prefix a message with a line number, say). */
    snprintf(name, sizeof(name), "%s", field ? field : "");
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    memcpy(err->field, name, sizeof(name));
    memcpy(err->message, message, sizeof(message));
}

static void out_of_memory(size_t n)
{
    fprintf(stderr, "mingle: out of memory (asked for %zu bytes)\n", n);
    abort();
}

void *mg_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        out_of_memory(n);
    return p;
}

void *mg_xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        out_of_memory(count * size);
    return p;
}

void *mg_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        out_of_memory(n);
    return q;
}

char *mg_xstrdup(const char *s)
{
    return mg_xstrndup(s, strlen(s));
}

char *mg_xstrndup(const char *s, size_t n)
{
    char *p = mg_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *mg_xasprintf(const char *fmt, ...)
{
    struct mg_buf b = MG_BUF_INIT;
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        abort();
    b.cap = (size_t)n + 1;
    b.data = mg_xmalloc(b.cap);
    va_start(ap, fmt);
    vsnprintf(b.data, b.cap, fmt, ap);
    va_end(ap);
    return b.data;
}

static void buf_grow(struct mg_buf *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    size_t cap;

    if (need <= b->cap)
        return;
    cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    b->data = mg_xrealloc(b->data, cap);
    b->cap = cap;
}

void mg_buf_add(struct mg_buf *b, const void *data, size_t n)
{
    buf_grow(b, n);
    if (n)
        memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void mg_buf_puts(struct mg_buf *b, const char *s)
{
    mg_buf_add(b, s, strlen(s));
}

void mg_buf_printf(struct mg_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        abort();
    buf_grow(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

char *mg_buf_detach(struct mg_buf *b)
{
    char *p;

    if (!b->data) {
        buf_grow(b, 0);
        b->data[0] = '\0';
    }
    p = b->data;
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

void mg_buf_release(struct mg_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void mg_random_bytes(void *buf, size_t n)
{
    unsigned char *p = buf;

    while (n > 0) {
        ssize_t got = getrandom(p, n, 0);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "mingle: cannot read random bytes: %s\n",
                    strerror(errno));
            abort();
        }
        p += got;
        n -= (size_t)got;
    }
}

int mg_hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The kernel's id of this boot, or "" where there is none. */
static void boot_id(char *out, size_t n)
{
    FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");

    out[0] = '\0';
    if (f) {
        if (fgets(out, (int)n, f))
            out[strcspn(out, "\n")] = '\0';
        fclose(f);
    }
}

/* Field 22 of /proc/PID/stat: when the process started, in clock ticks
 * since boot; 0 if there is no such process. */
static unsigned long long start_time(long pid)
{
    char path[64], buf[1024];
    const char *p;
    unsigned long long t = 0;
    FILE *f;
    size_t len;
    int field;

    snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
    f = fopen(path, "r");
    if (!f)
        return 0;
    len = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[len] = '\0';
    /* the command name, field 2, is in parentheses and may hold spaces */
    p = strrchr(buf, ')');
    for (field = 2; p && field < 22; field++)
        p = strchr(p + 1, ' ');
    if (p)
        t = strtoull(p + 1, NULL, 10);
    return t;
}

void mg_process_tag(char *out, size_t n)
{
    char boot[64];
    long pid = (long)getpid();

    boot_id(boot, sizeof(boot));
    snprintf(out, n, "%s:%ld:%llu", boot, pid, start_time(pid));
}

int mg_process_tag_alive(const char *tag)
{
    char boot[64], mine[64];
    unsigned long long started;
    long pid;
    const char *colon = strchr(tag, ':');

    if (!colon || (size_t)(colon - tag) >= sizeof(boot))
        return 0;
    memcpy(boot, tag, (size_t)(colon - tag));
    boot[colon - tag] = '\0';
    boot_id(mine, sizeof(mine));
    if (strcmp(boot, mine) != 0)
        return 0;
    if (sscanf(colon + 1, "%ld:%llu", &pid, &started) != 2 || pid <= 0)
        return 0;
    return start_time(pid) == started;
}

void mg_hex(char *out, const void *bytes, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    const unsigned char *p = bytes;
    size_t i;

    for (i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

/*
 * A clock the tests control: when MINGLE_CLOCK_FILE names a file, the
 * time is the integer of Unix seconds it holds, read again on every call
 * (so a test moves time by rewriting it); anything unreadable falls back
 * to the real clock.
 */
static int clock_file(int64_t *out)
{
    const char *path = getenv("MINGLE_CLOCK_FILE");
    char buf[32], *end;
    size_t n;
    long long v;
    FILE *f;

    if (!path || !path[0] || !(f = fopen(path, "r")))
        return 0;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    errno = 0;
    v = strtoll(buf, &end, 10);
    if (end == buf || errno || v <= 0)
        return 0;
    *out = (int64_t)v;
    return 1;
}

int64_t mg_now(void)
{
    int64_t t;

    if (clock_file(&t))
        return t;
    return (int64_t)time(NULL);
}

void mg_format_utc(char *out, size_t n, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;

    gmtime_r(&tt, &tm);
    strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int64_t mg_days_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

double mg_monotonic(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int mg_name_listed(const char *list, const char *name, size_t len)
{
    while (list && *list) {
        size_t n;

        list += strspn(list, ", ");
        n = strcspn(list, ", ");
        if (n && n == len && strncasecmp(list, name, len) == 0)
            return 1;
        list += n;
    }
    return 0;
}

int mg_tenths_of_hour(int minutes)
{
    return minutes > 0 ? (minutes * 10 + 30) / 60 : 0;
}
