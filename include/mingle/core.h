/*
 * core: what every mingle module shares. Error codes and the error detail
 * a caller can show, the allocation wrappers that abort on out-of-memory,
 * a growable byte buffer, one-line structured logging to stderr, and
 * secure random tokens. Nothing here knows about books, groups or HTTP.
 */
#ifndef MINGLE_CORE_H
#define MINGLE_CORE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define MG_VERSION "0.1.0"

/*
 * Error codes. A function that can fail returns 0 or one of these; the
 * codes travel up unchanged. Only `http` maps them to statuses and only
 * `cli` to exit codes.
 */
#define MG_OK 0
#define MG_EINVAL (-1)     /* bad input: the caller can fix it */
#define MG_ENOTFOUND (-2)  /* no such thing */
#define MG_ECONFLICT (-3)  /* clashes with what is stored (unique key) */
#define MG_EDB (-4)        /* the database failed (disk full, corrupt) */
#define MG_EIO (-5)        /* a file or socket failed */
#define MG_EAUTH (-6)      /* no or wrong credentials */
#define MG_EFORBIDDEN (-7) /* credentials fine, not allowed */
#define MG_ETOOBIG (-8)    /* over a configured limit */
#define MG_EBUSY (-9)      /* the database stayed locked past the timeout */

/* A short lower-case name for an error code, e.g. "not_found". */
const char *mg_strerror(int code);

/*
 * Detail for the person who made the mistake: which field (or file line)
 * and what is wrong with it. Functions that validate input fill one in
 * when they return MG_EINVAL; it is plain storage, nothing to free.
 */
struct mg_error {
    char field[64];
    char message[256];
};

/* Record `field` and a printf-style message in `err` (which may be NULL). */
void mg_error_set(struct mg_error *err, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Allocation. These never return NULL: out of memory aborts the process
 * with a message, the one place that decision is made.
 */
void *mg_xmalloc(size_t n);
void *mg_xcalloc(size_t count, size_t size);
void *mg_xrealloc(void *p, size_t n);
char *mg_xstrdup(const char *s);
char *mg_xstrndup(const char *s, size_t n);
/* A new string from a printf-style format; free with free(). */
char *mg_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Growable byte buffer, always NUL-terminated. Init with MG_BUF_INIT. */
struct mg_buf {
    char *data;
    size_t len;
    size_t cap;
};
#define MG_BUF_INIT                                                            \
    {                                                                          \
        NULL, 0, 0                                                             \
    }

void mg_buf_add(struct mg_buf *b, const void *data, size_t n);
void mg_buf_puts(struct mg_buf *b, const char *s);
void mg_buf_printf(struct mg_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Hand the contents to the caller (free with free()) and reset `b`. */
char *mg_buf_detach(struct mg_buf *b);
void mg_buf_release(struct mg_buf *b);

/*
 * Logging: one line per event on stderr in logfmt,
 *   ts=2026-11-26T22:58:41.120Z level=info msg="listening" port=8080
 * The fields after `msg` are given as alternating key and value strings
 * ending with NULL; values are quoted and escaped as needed. Never pass a
 * secret or a whole message body.
 */
enum mg_log_level { MG_LOG_DEBUG, MG_LOG_INFO, MG_LOG_WARN, MG_LOG_ERROR };

void mg_log_set_level(enum mg_log_level level);
/* Parse "debug", "info", "warn" or "error"; MG_EINVAL otherwise. */
int mg_log_parse_level(enum mg_log_level *out, const char *name);
void mg_log(enum mg_log_level level, const char *msg, ...);

/* Fill `buf` with `n` bytes from the kernel's CSPRNG; aborts if it can't. */
void mg_random_bytes(void *buf, size_t n);

/*
 * Processes (core.c): this process's tag, "<boot id>:<pid>:<start
 * time>", unique across restarts and reboots of this machine (`n` >= 64),
 * and whether the process a tag names is still running. A tag from
 * another boot is of a process that has ended.
 */
void mg_process_tag(char *out, size_t n);
int mg_process_tag_alive(const char *tag);
/* Whether the `len` bytes at `name` are one of the comma- or
 * space-separated names in `list` (ASCII case ignored; NULL: none). */
int mg_name_listed(const char *list, const char *name, size_t len);
/* Write `n` bytes as lower-case hex into `out` (2n+1 bytes). */
void mg_hex(char *out, const void *bytes, size_t n);
/* The value of hex digit `c` (either case), or -1. */
int mg_hex_value(char c);

/* Wall clock, seconds since the epoch. */
int64_t mg_now(void);

/* `minutes` as tenths of an hour, rounded half up (0 for none): the one
 * rounding of time spent that certificates, CPD rows and spreadsheets
 * print, so a person's hours agree wherever they read them. */
int mg_tenths_of_hour(int minutes);
/* `t` as RFC 3339 in UTC, "2027-03-23T06:30:00Z" (`n` >= 21). */
void mg_format_utc(char *out, size_t n, int64_t t);
/* Days from 1970-01-01 to the date y-m-d of the proleptic Gregorian
 * calendar, negative before it (Howard Hinnant's algorithm; month 13 is
 * January of the next year, as timegm() has it). */
int64_t mg_days_from_civil(int64_t y, int m, int d);
/* Monotonic clock in seconds, for durations. */
double mg_monotonic(void);

#endif
