/*
 * test_core.c: the shared core: the growable buffer, mg_xasprintf, hex
 * encoding, error names and details, log level names and the logfmt line
 * mg_log writes to stderr (captured by pointing fd 2 at a temporary file).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "mingle/core.h"

static void test_buf_add_and_puts(void **state)
{
    struct mg_buf b = MG_BUF_INIT;

    (void)state;
    mg_buf_puts(&b, "hello");
    mg_buf_add(&b, ", ", 2);
    mg_buf_puts(&b, "world");
    assert_non_null(b.data);
    assert_int_equal(b.len, 12);
    assert_string_equal(b.data, "hello, world");
    assert_true(b.cap > b.len);
    /* bytes after a NUL are kept: the length, not strlen, counts */
    mg_buf_add(&b, "x\0y", 3);
    assert_int_equal(b.len, 15);
    assert_memory_equal(b.data + 12, "x\0y", 3);
    assert_int_equal(b.data[15], '\0');
    mg_buf_release(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
}

static void test_buf_add_nothing_is_terminated(void **state)
{
    struct mg_buf b = MG_BUF_INIT;

    (void)state;
    mg_buf_add(&b, "", 0);
    assert_non_null(b.data);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.data, "");
    mg_buf_puts(&b, "");
    assert_int_equal(b.len, 0);
    mg_buf_release(&b);
}

static void test_buf_printf(void **state)
{
    struct mg_buf b = MG_BUF_INIT;

    (void)state;
    mg_buf_printf(&b, "%d books", 3);
    mg_buf_printf(&b, ", %s=%05.1f", "avg", 2.3);
    mg_buf_printf(&b, "%s", "");
    assert_string_equal(b.data, "3 books, avg=002.3");
    assert_int_equal(b.len, strlen("3 books, avg=002.3"));
    mg_buf_release(&b);
}

static void test_buf_growth_many_appends(void **state)
{
    struct mg_buf b = MG_BUF_INIT;
    char expect[64];
    size_t i, off = 0;
    int n;

    (void)state;
    for (i = 0; i < 20000; i++) {
        if (i % 3 == 0)
            mg_buf_add(&b, "ab", 2);
        else if (i % 3 == 1)
            mg_buf_puts(&b, "cde");
        else
            mg_buf_printf(&b, "[%zu]", i);
        assert_int_equal(b.data[b.len], '\0');
        assert_true(b.cap > b.len);
    }
    /* walk the contents again and check every piece in order */
    for (i = 0; i < 20000; i++) {
        if (i % 3 == 0)
            n = snprintf(expect, sizeof(expect), "ab");
        else if (i % 3 == 1)
            n = snprintf(expect, sizeof(expect), "cde");
        else
            n = snprintf(expect, sizeof(expect), "[%zu]", i);
        assert_true(off + (size_t)n <= b.len);
        assert_memory_equal(b.data + off, expect, (size_t)n);
        off += (size_t)n;
    }
    assert_int_equal(off, b.len);
    assert_int_equal(strlen(b.data), b.len);
    mg_buf_release(&b);
}

static void test_buf_printf_long(void **state)
{
    struct mg_buf b = MG_BUF_INIT;
    char *big = mg_xmalloc(10001);
    size_t i;

    (void)state;
    memset(big, 'q', 10000);
    big[10000] = '\0';
    mg_buf_puts(&b, "<");
    mg_buf_printf(&b, "%s>", big);
    assert_int_equal(b.len, 10002);
    assert_int_equal(b.data[0], '<');
    for (i = 1; i <= 10000; i++)
        assert_int_equal(b.data[i], 'q');
    assert_int_equal(b.data[10001], '>');
    assert_int_equal(b.data[10002], '\0');
    mg_buf_release(&b);
    free(big);
}

static void test_buf_detach(void **state)
{
    struct mg_buf b = MG_BUF_INIT;
    char *s;

    (void)state;
    mg_buf_puts(&b, "kept");
    s = mg_buf_detach(&b);
    assert_string_equal(s, "kept");
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    /* the buffer is reusable and independent of the detached string */
    mg_buf_puts(&b, "again");
    assert_string_equal(b.data, "again");
    assert_string_equal(s, "kept");
    free(s);
    mg_buf_release(&b);
}

static void test_buf_detach_empty(void **state)
{
    struct mg_buf b = MG_BUF_INIT;
    char *s;

    (void)state;
    s = mg_buf_detach(&b);
    assert_non_null(s);
    assert_string_equal(s, "");
    assert_null(b.data);
    free(s);
    /* releasing a never-used buffer is fine too */
    mg_buf_release(&b);
    assert_null(b.data);
}

static void test_xasprintf(void **state)
{
    char *s;
    char *big;
    char *long_arg = mg_xmalloc(5001);

    (void)state;
    s = mg_xasprintf("%d-%s-%05.1f", 42, "x", 3.14159);
    assert_string_equal(s, "42-x-003.1");
    free(s);
    s = mg_xasprintf("%s", "");
    assert_string_equal(s, "");
    free(s);
    memset(long_arg, 'z', 5000);
    long_arg[5000] = '\0';
    big = mg_xasprintf("[%s]", long_arg);
    assert_int_equal(strlen(big), 5002);
    assert_int_equal(big[0], '[');
    assert_int_equal(big[5001], ']');
    assert_memory_equal(big + 1, long_arg, 5000);
    free(big);
    free(long_arg);
}

static void test_xstrdup(void **state)
{
    const char *src = "circle";
    char *a = mg_xstrdup(src);
    char *b = mg_xstrndup("circles and squares", 7);

    (void)state;
    assert_string_equal(a, "circle");
    assert_ptr_not_equal(a, src);
    assert_string_equal(b, "circles");
    free(a);
    free(b);
}

static void test_hex_vectors(void **state)
{
    static const unsigned char bytes[] = {0x00, 0x01, 0x0f, 0x10,
                                          0x7f, 0x80, 0xab, 0xff};
    char out[2 * sizeof(bytes) + 1];
    char small[7];
    char none[1] = {'x'};

    (void)state;
    mg_hex(out, bytes, sizeof(bytes));
    assert_string_equal(out, "00010f107f80abff");
    mg_hex(small, "abc", 3);
    assert_string_equal(small, "616263");
    mg_hex(none, "", 0);
    assert_int_equal(none[0], '\0');
}

static void test_random_bytes_vary(void **state)
{
    unsigned char a[32], b[32];

    (void)state;
    memset(a, 0, sizeof(a));
    memset(b, 0, sizeof(b));
    mg_random_bytes(a, sizeof(a));
    mg_random_bytes(b, sizeof(b));
    /* 256 random bits colliding is not going to happen */
    assert_memory_not_equal(a, b, sizeof(a));
}

static void test_strerror_names(void **state)
{
    static const int codes[] = {
        MG_OK,  MG_EINVAL, MG_ENOTFOUND,  MG_ECONFLICT, MG_EDB,
        MG_EIO, MG_EAUTH,  MG_EFORBIDDEN, MG_ETOOBIG,   MG_EBUSY};
    size_t n = sizeof(codes) / sizeof(codes[0]);
    size_t i, j;

    (void)state;
    /* the header's own example */
    assert_string_equal(mg_strerror(MG_ENOTFOUND), "not_found");
    for (i = 0; i < n; i++) {
        const char *name = mg_strerror(codes[i]);
        const char *p;

        assert_non_null(name);
        assert_true(strlen(name) > 0);
        /* short lower-case names */
        for (p = name; *p; p++)
            assert_true(islower((unsigned char)*p) || *p == '_');
        /* and no two codes share a name */
        for (j = 0; j < i; j++)
            assert_string_not_equal(name, mg_strerror(codes[j]));
    }
    /* an unknown code still gets a usable name */
    assert_non_null(mg_strerror(-1000));
    assert_true(strlen(mg_strerror(-1000)) > 0);
}

static void test_error_set(void **state)
{
    struct mg_error err;

    (void)state;
    memset(&err, 'z', sizeof(err));
    mg_error_set(&err, "title", "'%s' is %d bytes too long", "title", 12);
    assert_string_equal(err.field, "title");
    assert_string_equal(err.message, "'title' is 12 bytes too long");
    /* a NULL field reads as empty */
    mg_error_set(&err, NULL, "no field");
    assert_string_equal(err.field, "");
    assert_string_equal(err.message, "no field");
}

static void test_error_set_null_err(void **state)
{
    (void)state;
    /* nothing to write to, and nothing must crash */
    mg_error_set(NULL, "field", "message %d", 1);
}

static void test_error_set_truncates(void **state)
{
    struct mg_error err;
    char field[200];
    char *message = mg_xmalloc(1001);

    (void)state;
    memset(field, 'f', sizeof(field) - 1);
    field[sizeof(field) - 1] = '\0';
    memset(message, 'm', 1000);
    message[1000] = '\0';
    memset(&err, 'z', sizeof(err));
    mg_error_set(&err, field, "<%s>", message);
    /* cut to fit, always terminated, the beginning kept */
    assert_int_equal(strlen(err.field), sizeof(err.field) - 1);
    assert_memory_equal(err.field, field, sizeof(err.field) - 1);
    assert_int_equal(strlen(err.message), sizeof(err.message) - 1);
    assert_int_equal(err.message[0], '<');
    assert_int_equal(err.message[1], 'm');
    assert_int_equal(err.message[sizeof(err.message) - 2], 'm');
    free(message);
}

static void test_log_parse_level(void **state)
{
    enum mg_log_level level = MG_LOG_ERROR;

    (void)state;
    assert_int_equal(mg_log_parse_level(&level, "debug"), 0);
    assert_int_equal(level, MG_LOG_DEBUG);
    assert_int_equal(mg_log_parse_level(&level, "info"), 0);
    assert_int_equal(level, MG_LOG_INFO);
    assert_int_equal(mg_log_parse_level(&level, "warn"), 0);
    assert_int_equal(level, MG_LOG_WARN);
    assert_int_equal(mg_log_parse_level(&level, "error"), 0);
    assert_int_equal(level, MG_LOG_ERROR);
    assert_int_equal(mg_log_parse_level(&level, ""), MG_EINVAL);
    assert_int_equal(mg_log_parse_level(&level, "warning"), MG_EINVAL);
    assert_int_equal(mg_log_parse_level(&level, "trace"), MG_EINVAL);
    assert_int_equal(mg_log_parse_level(&level, "info "), MG_EINVAL);
    assert_int_equal(mg_log_parse_level(&level, "inf"), MG_EINVAL);
}

/* Point fd 2 at a fresh temporary file; returns the saved fd 2. */
static int capture_start(FILE **tmp)
{
    int saved;

    fflush(stderr);
    *tmp = tmpfile();
    assert_non_null(*tmp);
    saved = dup(STDERR_FILENO);
    assert_true(saved >= 0);
    assert_int_equal(dup2(fileno(*tmp), STDERR_FILENO), STDERR_FILENO);
    return saved;
}

/* Put fd 2 back and return what was written meanwhile (free() it). */
static char *capture_stop(FILE *tmp, int saved)
{
    struct mg_buf b = MG_BUF_INIT;
    char chunk[1024];
    size_t n;

    fflush(stderr);
    assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
    close(saved);
    rewind(tmp);
    while ((n = fread(chunk, 1, sizeof(chunk), tmp)) > 0)
        mg_buf_add(&b, chunk, n);
    fclose(tmp);
    return mg_buf_detach(&b);
}

/* "ts=2026-11-26T22:58:41.120Z ": digits where digits belong, near now. */
static void check_timestamp(const char *line)
{
    static const char shape[] = "ts=dddd-dd-ddTdd:dd:dd.dddZ ";
    struct tm tm;
    time_t when, now = time(NULL);
    size_t i;

    assert_true(strlen(line) > strlen(shape));
    for (i = 0; shape[i]; i++) {
        if (shape[i] == 'd')
            assert_true(isdigit((unsigned char)line[i]));
        else
            assert_int_equal(line[i], shape[i]);
    }
    memset(&tm, 0, sizeof(tm));
    assert_non_null(strptime(line + 3, "%Y-%m-%dT%H:%M:%S", &tm));
    when = timegm(&tm);
    /* UTC, so the parsed time is within a few seconds of now */
    assert_true(when <= now + 1);
    assert_true(when >= now - 10);
}

static void test_log_line(void **state)
{
    FILE *tmp;
    int saved;
    char *out;
    const char *rest;

    (void)state;
    mg_log_set_level(MG_LOG_INFO);
    saved = capture_start(&tmp);
    mg_log(MG_LOG_WARN, "listening", "port", "8080", "addr", "127.0.0.1", NULL);
    out = capture_stop(tmp, saved);
    check_timestamp(out);
    rest = strchr(out, ' ');
    assert_non_null(rest);
    assert_string_equal(rest,
                        " level=warn msg=listening port=8080 addr=127.0.0.1\n");
    free(out);
}

static void test_log_quotes_and_escapes(void **state)
{
    FILE *tmp;
    int saved;
    char *out;
    const char *rest;
    const char *nl;

    (void)state;
    mg_log_set_level(MG_LOG_INFO);
    saved = capture_start(&tmp);
    mg_log(MG_LOG_ERROR, "cannot open database", "path", "/tmp/my books.db",
           "quote", "say \"hi\"", "backslash", "c:\\dir", "newline",
           "line1\nline2", "eq", "a=b", "empty", "", "missing", NULL, NULL);
    out = capture_stop(tmp, saved);
    /* exactly one line, and it is the whole output */
    nl = strchr(out, '\n');
    assert_non_null(nl);
    assert_int_equal(nl[1], '\0');
    check_timestamp(out);
    rest = strchr(out, ' ');
    assert_non_null(rest);
    assert_string_equal(rest, " level=error msg=\"cannot open database\""
                              " path=\"/tmp/my books.db\""
                              " quote=\"say \\\"hi\\\"\""
                              " backslash=\"c:\\\\dir\""
                              " newline=\"line1\\nline2\""
                              " eq=\"a=b\""
                              " empty=\"\""
                              " missing=\"\"\n");
    free(out);
}

static void test_log_control_bytes_never_raw(void **state)
{
    FILE *tmp;
    int saved;
    char *out;
    const char *p;

    (void)state;
    mg_log_set_level(MG_LOG_INFO);
    saved = capture_start(&tmp);
    mg_log(MG_LOG_INFO, "x", "v",
           "a\rb\tc\x01"
           "d\x7f",
           NULL);
    out = capture_stop(tmp, saved);
    /* a forged CR or tab cannot reach the log stream */
    for (p = out; *p; p++) {
        if (*p == '\n') {
            assert_int_equal(p[1], '\0');
            continue;
        }
        assert_true((unsigned char)*p >= 0x20 && (unsigned char)*p != 0x7f);
    }
    assert_non_null(strstr(out, " v=\"a"));
    free(out);
}

static void test_log_level_filter(void **state)
{
    FILE *tmp;
    int saved;
    char *out;

    (void)state;
    saved = capture_start(&tmp);
    mg_log_set_level(MG_LOG_WARN);
    mg_log(MG_LOG_DEBUG, "hidden-debug", NULL);
    mg_log(MG_LOG_INFO, "hidden-info", NULL);
    mg_log(MG_LOG_WARN, "shown-warn", NULL);
    mg_log(MG_LOG_ERROR, "shown-error", NULL);
    mg_log_set_level(MG_LOG_DEBUG);
    mg_log(MG_LOG_DEBUG, "shown-debug", NULL);
    mg_log_set_level(MG_LOG_INFO);
    out = capture_stop(tmp, saved);
    assert_null(strstr(out, "hidden"));
    assert_non_null(strstr(out, " level=warn msg=shown-warn\n"));
    assert_non_null(strstr(out, " level=error msg=shown-error\n"));
    assert_non_null(strstr(out, " level=debug msg=shown-debug\n"));
    free(out);
}

/* Passing the error's own buffers back in (to add a prefix) is safe. */
static void test_error_set_aliasing(void **state)
{
    struct mg_error e;

    (void)state;
    mg_error_set(&e, "email", "not an address");
    mg_error_set(&e, e.field, "line %d, field '%s': %s", 7, e.field, e.message);
    assert_string_equal(e.field, "email");
    assert_string_equal(e.message, "line 7, field 'email': not an address");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_set_aliasing),
        cmocka_unit_test(test_buf_add_and_puts),
        cmocka_unit_test(test_buf_add_nothing_is_terminated),
        cmocka_unit_test(test_buf_printf),
        cmocka_unit_test(test_buf_growth_many_appends),
        cmocka_unit_test(test_buf_printf_long),
        cmocka_unit_test(test_buf_detach),
        cmocka_unit_test(test_buf_detach_empty),
        cmocka_unit_test(test_xasprintf),
        cmocka_unit_test(test_xstrdup),
        cmocka_unit_test(test_hex_vectors),
        cmocka_unit_test(test_random_bytes_vary),
        cmocka_unit_test(test_strerror_names),
        cmocka_unit_test(test_error_set),
        cmocka_unit_test(test_error_set_null_err),
        cmocka_unit_test(test_error_set_truncates),
        cmocka_unit_test(test_log_parse_level),
        cmocka_unit_test(test_log_line),
        cmocka_unit_test(test_log_quotes_and_escapes),
        cmocka_unit_test(test_log_control_bytes_never_raw),
        cmocka_unit_test(test_log_level_filter),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
