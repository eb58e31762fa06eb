/*
 * test_retention.c: issue #19, item 5: the retention module's pure
 * rules: when a circle's data expires, and a summary's text without
 * names (mail addresses, every word of the names given, quotes and
 * signatures), worked out by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "mingle/retention.h"

static void test_expiry(void **state)
{
    (void)state;
    /* 2027-04-05 00:00 UTC and 30 days: 2027-05-05 00:00 UTC */
    assert_int_equal(mg_retention_expiry(1806883200, 30), 1809475200);
    assert_int_equal(mg_retention_expiry(1806883200, 365),
                     1806883200 + 365LL * 86400);
    /* kept until purged by hand */
    assert_int_equal(mg_retention_expiry(1806883200, 0), 0);
}

static void scrubbed(const char *text, const char *want)
{
    static const char *const names[] = {"Tane Wikiriwhi", "Mere Tūhoe-Smith",
                                        "O", "ana.w"};
    char *got = mg_retention_scrub(text, names, 4);

    assert_string_equal(got, want);
    free(got);
}

static void test_scrub(void **state)
{
    (void)state;
    /* each word of a name, in any case, whole words only */
    scrubbed("Tane and tane's WIKIRIWHI; Tanes stays.",
             "[name] and [name]'s [name]; Tanes stays.");
    /* names with macrons and hyphens, by their words */
    scrubbed("Mere Tūhoe-Smith spoke; Smithson did not.",
             "[name] [name]-[name] spoke; Smithson did not.");
    /* a one-letter name part is not a word to remove */
    scrubbed("O is a letter.", "O is a letter.");
    /* addresses, with a sentence's full stop kept */
    scrubbed("Write to ana.w@example.org. Or x+y@mail.example.net, or @home.",
             "Write to [address]. Or [address], or @home.");
    /* an address's local part given as a name: its words of two
     * letters or more */
    scrubbed("Cheers, ana.w", "Cheers, [name].w");
    /* the signature and what is quoted go */
    scrubbed("We met.\n\n-- \nTane Wikiriwhi\nCity Library\n", "We met.");
    scrubbed("", "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expiry),
        cmocka_unit_test(test_scrub),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
