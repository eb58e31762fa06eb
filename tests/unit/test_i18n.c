/*
 * test_i18n.c: gettext with a language per thread. A catalog for a
 * made-up language "qps" is compiled here with msgfmt (gettext's own
 * tool), so what is checked is what GNU gettext finds in a real .mo file:
 * the translation, its plural forms, the English fallback, and two
 * threads in two languages at once that never see each other's.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mingle/i18n.h"

static char dir[] = "/tmp/mingle-i18n-XXXXXX";

static int setup(void **state)
{
    char cmd[512], po[256];
    FILE *f;

    (void)state;
    if (!mkdtemp(dir))
        return -1;
    snprintf(po, sizeof(po), "%s/qps.po", dir);
    f = fopen(po, "w");
    if (!f)
        return -1;
    fputs("msgid \"\"\nmsgstr \"\"\n"
          "\"Content-Type: text/plain; charset=UTF-8\\n\"\n"
          "\"Plural-Forms: nplurals=3; plural=n==1 ? 0 : n==2 ? 1 : 2;\\n\"\n\n"
          "msgid \"Summary\"\nmsgstr \"Whakarāpopototanga\"\n\n"
          "msgid \"Week %d\"\nmsgstr \"Wiki %d\"\n\n"
          "msgid \"%d person\"\nmsgid_plural \"%d people\"\n"
          "msgstr[0] \"%d tangata (1)\"\nmsgstr[1] \"%d tāngata (2)\"\n"
          "msgstr[2] \"%d tāngata (n)\"\n",
          f);
    fclose(f);
    snprintf(cmd, sizeof(cmd),
             "mkdir -p '%s/C.UTF-8/LC_MESSAGES' && msgfmt --check -o "
             "'%s/C.UTF-8/LC_MESSAGES/mingle-qps.mo' '%s'",
             dir, dir, po);
    if (system(cmd) != 0)
        return -1;
    mg_i18n_init(dir);
    return 0;
}

static int teardown(void **state)
{
    char cmd[128];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_valid_tags(void **state)
{
    (void)state;
    assert_true(mg_i18n_valid("en"));
    assert_true(mg_i18n_valid("mi"));
    assert_true(mg_i18n_valid("pt_BR"));
    assert_true(mg_i18n_valid("en-NZ"));
    assert_true(mg_i18n_valid("haw"));
    assert_false(mg_i18n_valid(NULL));
    assert_false(mg_i18n_valid(""));
    assert_false(mg_i18n_valid("e"));
    assert_false(mg_i18n_valid("EN"));
    assert_false(mg_i18n_valid("en-"));
    assert_false(mg_i18n_valid("../../etc/passwd"));
    assert_false(mg_i18n_valid("en/../x"));
    assert_false(mg_i18n_valid("en-x"));
    assert_false(mg_i18n_valid("engl"));
}

static void test_translates_and_falls_back(void **state)
{
    (void)state;
    assert_true(mg_i18n_available("en"));
    assert_true(mg_i18n_available("qps"));
    assert_false(mg_i18n_available("fr"));
    mg_i18n_use("qps");
    assert_string_equal(mg_i18n_lang(), "qps");
    assert_string_equal(_("Summary"), "Whakarāpopototanga");
    assert_string_equal(_("Week %d"), "Wiki %d");
    /* not in the catalog: the English text */
    assert_string_equal(_("Other notes"), "Other notes");
    assert_string_equal(mg_ngettext("%d person", "%d people", 1),
                        "%d tangata (1)");
    assert_string_equal(mg_ngettext("%d person", "%d people", 2),
                        "%d tāngata (2)");
    assert_string_equal(mg_ngettext("%d person", "%d people", 5),
                        "%d tāngata (n)");
    /* an unknown language is English, not an error */
    mg_i18n_use("fr");
    assert_string_equal(mg_i18n_lang(), "en");
    assert_string_equal(_("Summary"), "Summary");
    mg_i18n_use(NULL);
    assert_string_equal(_("Summary"), "Summary");
    assert_string_equal(mg_ngettext("%d person", "%d people", 1), "%d person");
    assert_string_equal(mg_ngettext("%d person", "%d people", 0), "%d people");
}

struct worker {
    const char *lang, *expect;
    int wrong;
};

static void *work(void *arg)
{
    struct worker *w = arg;
    int i;

    mg_i18n_use(w->lang);
    for (i = 0; i < 20000; i++)
        if (strcmp(_("Summary"), w->expect) != 0)
            w->wrong++;
    return NULL;
}

/* A builder switches to its circle's language and gives the caller's
 * back, whatever it was. */
static void test_switch_and_restore(void **state)
{
    char saved[MG_I18N_LANG_MAX], inner[MG_I18N_LANG_MAX];

    (void)state;
    mg_i18n_use(NULL);
    mg_i18n_switch(saved, "qps");
    assert_string_equal(saved, "en");
    assert_string_equal(_("Summary"), "Whakarāpopototanga");
    mg_i18n_switch(inner, "en");
    assert_string_equal(inner, "qps");
    assert_string_equal(_("Summary"), "Summary");
    mg_i18n_restore(inner);
    assert_string_equal(_("Summary"), "Whakarāpopototanga");
    mg_i18n_restore(saved);
    assert_string_equal(mg_i18n_lang(), "en");
    assert_string_equal(_("Summary"), "Summary");
}

static void test_threads_keep_their_language(void **state)
{
    struct worker a = {"qps", "Whakarāpopototanga", 0};
    struct worker b = {"en", "Summary", 0};
    pthread_t ta, tb;

    (void)state;
    mg_i18n_use("en");
    assert_int_equal(pthread_create(&ta, NULL, work, &a), 0);
    assert_int_equal(pthread_create(&tb, NULL, work, &b), 0);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    assert_int_equal(a.wrong, 0);
    assert_int_equal(b.wrong, 0);
    /* and this thread is still English */
    assert_string_equal(_("Summary"), "Summary");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_tags),
        cmocka_unit_test(test_translates_and_falls_back),
        cmocka_unit_test(test_switch_and_restore),
        cmocka_unit_test(test_threads_keep_their_language),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
