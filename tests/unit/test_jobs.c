/*
 * test_jobs.c: the pieces of issue 18's reminders (items 6 and 9) that
 * need no daemon: reminder offsets as people write them, the clock a
 * test controls (MINGLE_CLOCK_FILE), and the plain-text mail a reminder
 * is, whose headers no name or subject can break. Expected values are
 * worked out by hand.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "mingle/jobs.h"
#include "mingle/mail.h"
#include "mingle/store.h"
#include "support.h"

/* Item 6: "24h,1h", "90m", "2d" and minutes; bad lists are refused with
 * the field named. */
static void test_offsets(void **state)
{
    struct mg_reminder_settings s;
    struct mg_error err = {{0}, {0}};
    char text[64];
    (void)state;

    memset(&s, 0, sizeof(s));
    assert_int_equal(mg_jobs_offsets_parse(&s, "24h,1h", &err), 0);
    assert_int_equal(s.n_offsets, 2);
    assert_int_equal(s.offsets[0], 1440);
    assert_int_equal(s.offsets[1], 60);
    assert_int_equal(mg_jobs_offsets_parse(&s, "2d, 90m,45", &err), 0);
    assert_int_equal(s.n_offsets, 3);
    assert_int_equal(s.offsets[0], 2880);
    assert_int_equal(s.offsets[1], 90);
    assert_int_equal(s.offsets[2], 45);
    mg_jobs_offsets_format(text, sizeof(text), &s);
    assert_string_equal(text, "2d,90m,45m");
    assert_int_equal(mg_jobs_offsets_parse(&s, "", &err), 0);
    assert_int_equal(s.n_offsets, 0);

    assert_int_equal(mg_jobs_offsets_parse(&s, "soon", &err), MG_EINVAL);
    assert_string_equal(err.field, "offsets");
    assert_int_equal(mg_jobs_offsets_parse(&s, "1h,60m", &err), MG_EINVAL);
    assert_int_equal(mg_jobs_offsets_parse(&s, "29d", &err), MG_EINVAL);
    assert_int_equal(mg_jobs_offsets_parse(&s, "0m", &err), MG_EINVAL);
    assert_int_equal(mg_jobs_offsets_parse(&s, "1h;2h", &err), MG_EINVAL);
    assert_int_equal(
        mg_jobs_offsets_parse(&s, "1m,2m,3m,4m,5m,6m,7m,8m,9m", &err),
        MG_EINVAL);
}

/* Item 9: MINGLE_CLOCK_FILE sets mg_now(), read again on each call; an
 * unreadable file or none set is the real clock. */
static void test_clock_file(void **state)
{
    char *dir = test_mkdtemp();
    char *path = mg_xasprintf("%s/clock", dir);
    FILE *f;
    int64_t real;
    (void)state;

    f = fopen(path, "w");
    assert_non_null(f);
    fputs("1805000000\n", f);
    fclose(f);
    setenv("MINGLE_CLOCK_FILE", path, 1);
    assert_int_equal(mg_now(), 1805000000);
    f = fopen(path, "w");
    fputs("1805000060", f);
    fclose(f);
    assert_int_equal(mg_now(), 1805000060);
    f = fopen(path, "w");
    fputs("not a time", f);
    fclose(f);
    real = (int64_t)time(NULL);
    assert_true(mg_now() >= real && mg_now() <= real + 2);
    setenv("MINGLE_CLOCK_FILE", "/nonexistent/clock", 1);
    assert_true(mg_now() >= real && mg_now() <= real + 2);
    unsetenv("MINGLE_CLOCK_FILE");
    assert_true(mg_now() >= real && mg_now() <= real + 2);
    test_rmdir(dir);
    free(path);
}

/* Item 6: a reminder's subject carries a group's name: CR and LF in it
 * are encoded, never a new header; a bad address is refused. */
static void test_text_mail(void **state)
{
    struct mg_text_mail m;
    struct mg_error err = {{0}, {0}};
    char *out = NULL;
    size_t len = 0;
    (void)state;

    memset(&m, 0, sizeof(m));
    m.from_name = "Coordinators";
    m.from_email = "circles@example.org";
    m.to_name = "Ana";
    m.to_email = "ana@example.org";
    m.subject = "Reminder: G1\r\nBcc: all@example.org";
    m.text = "Kia ora Ana,\n\nYour call is on Tuesday.\n";
    m.auto_submitted = 1;
    assert_int_equal(mg_mail_build_text(&out, &len, &m, &err), 0);
    assert_int_equal(strlen(out), len);
    assert_null(strstr(out, "\r\nBcc:"));
    assert_non_null(strstr(out, "\r\nAuto-Submitted: auto-generated\r\n"));
    assert_non_null(strstr(out, "Content-Type: text/plain; charset=utf-8"));
    assert_non_null(strstr(out, "Your call is on Tuesday."));
    free(out);
    m.to_email = "ana@example.org\r\nBcc: x@example.org";
    assert_int_equal(mg_mail_build_text(&out, &len, &m, &err), MG_EINVAL);
    assert_string_equal(err.field, "to_email");
    mg_mail_shutdown();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_offsets),
        cmocka_unit_test(test_clock_file),
        cmocka_unit_test(test_text_mail),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
