/*
 * test_cli_usage.c: the command line as the table describes it. Walks
 * the command table (src/cli/table.c) and runs the real `mingle` for each
 * row: --help lists every option; an unknown option, a missing option
 * argument, a malformed value, an unknown action and a missing required
 * option each get a clear message, exit status 2 and open nothing.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli.h"
#include "support.h"

#define MAX_ARGS 32

/* A command line being built: words borrowed or owned (free_words). */
struct line {
    const char *argv[MAX_ARGS + 1];
    char *owned[MAX_ARGS];
    int n, n_owned;
};

static void add(struct line *l, const char *word)
{
    assert_true(l->n < MAX_ARGS);
    l->argv[l->n++] = word;
    l->argv[l->n] = NULL;
}

static void add_owned(struct line *l, char *word)
{
    l->owned[l->n_owned++] = word;
    add(l, word);
}

static void free_line(struct line *l)
{
    int i;

    for (i = 0; i < l->n_owned; i++)
        free(l->owned[i]);
    memset(l, 0, sizeof(*l));
}

static char *db_path; /* given as --db; a usage error must not create it */

/*
 * Run `l`, expecting exit status 2, nothing on stdout, `want` (and
 * `also`, if not NULL) on stderr, and no database made.
 */
static void expect_usage_error(struct line *l, const char *want,
                               const char *also)
{
    char *out = NULL, *err = NULL;
    int status;

    add(l, "--db");
    add(l, db_path);
    status = test_run_cli(&out, &err, l->argv, NULL);
    if (status != 2 || !strstr(err, want) || (also && !strstr(err, also))) {
        int i;

        fprintf(stderr, "mingle");
        for (i = 0; i < l->n; i++)
            fprintf(stderr, " %s", l->argv[i]);
        fprintf(stderr, "\nexit %d, want 2; stderr:\n%s\nwant: %s%s%s\n",
                status, err, want, also ? " and " : "", also ? also : "");
        fail();
    }
    assert_string_equal(out, "");
    assert_int_equal(access(db_path, F_OK), -1);
    free(out);
    free(err);
}

/* A value option `o` accepts. */
static const char *good_value(const struct cli_option *o)
{
    switch (o->kind) {
    case CLI_NUMBER:
        return "1";
    case CLI_CHOICE:
        return o->choices[0];
    default:
        return "x";
    }
}

static const struct cli_option *find_option(const struct cli_command *cmd,
                                            const char *name, size_t len)
{
    const struct cli_option *o;

    for (o = cmd->options; o && o->name; o++)
        if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
            return o;
    return NULL;
}

/* The command line of `action` (or `cmd`) up to its options: the names
 * and a placeholder for each positional argument. */
static void start_line(struct line *l, const struct cli_command *cmd,
                       const struct cli_command *action)
{
    const struct cli_command *row = action ? action : cmd;
    const char *p;

    memset(l, 0, sizeof(*l));
    add(l, cmd->name);
    if (action)
        add(l, action->name);
    for (p = row->args; p && *p;) {
        add(l, "1");
        p += strcspn(p, " ");
        p += strspn(p, " ");
    }
}

static void test_help_lists_every_option(void **state)
{
    const struct cli_command *const *c;
    char *out = NULL;
    (void)state;

    {
        const char *argv[] = {"--help", NULL};
        assert_int_equal(test_run_cli(&out, NULL, argv, NULL), 0);
        for (c = cli_commands; *c; c++)
            assert_non_null(strstr(out, (*c)->summary));
        free(out);
    }
    for (c = cli_commands; *c; c++) {
        const struct cli_option *o;
        const struct cli_command *a;
        const char *argv[] = {(*c)->name, "--help", NULL};
        const char *common[] = {"-c, --config FILE", "-d, --db FILE",
                                "--log-level L", "-h, --help"};
        char want[128];
        size_t i;

        assert_int_equal(test_run_cli(&out, NULL, argv, NULL), 0);
        snprintf(want, sizeof(want), "usage: mingle %s", (*c)->name);
        assert_non_null(strstr(out, want));
        assert_non_null(strstr(out, "\noptions:\n"));
        for (i = 0; i < sizeof(common) / sizeof(common[0]); i++)
            assert_non_null(strstr(out, common[i]));
        for (o = (*c)->options; o && o->name; o++) {
            if (o->short_name)
                snprintf(want, sizeof(want), "  -%c, --%s%s%s", o->short_name,
                         o->name, o->arg ? " " : "", o->arg ? o->arg : "");
            else
                snprintf(want, sizeof(want), "      --%s%s%s", o->name,
                         o->arg ? " " : "", o->arg ? o->arg : "");
            if (!strstr(out, want)) {
                fprintf(stderr, "mingle %s --help lacks '%s':\n%s", (*c)->name,
                        want, out);
                fail();
            }
        }
        for (a = (*c)->actions; a && a->name; a++) {
            snprintf(want, sizeof(want), "mingle %s %s", (*c)->name, a->name);
            assert_non_null(strstr(out, want));
        }
        free(out);
    }
}

static void test_unknown_option(void **state)
{
    const struct cli_command *const *c;
    struct line l;
    char want[128];
    (void)state;

    for (c = cli_commands; *c; c++) {
        snprintf(want, sizeof(want), "see 'mingle %s --help'", (*c)->name);
        start_line(&l, *c, (*c)->actions);
        add(&l, "--no-such-option");
        expect_usage_error(&l, "unknown option '--no-such-option'", want);
        free_line(&l);

        start_line(&l, *c, (*c)->actions);
        add(&l, "-Z");
        expect_usage_error(&l, "unknown option '-Z'", want);
        free_line(&l);
    }
}

static void test_option_without_its_argument(void **state)
{
    const struct cli_command *const *c;
    const struct cli_option *o;
    struct line l;
    (void)state;

    for (c = cli_commands; *c; c++) {
        for (o = (*c)->options; o && o->name; o++) {
            if (o->kind == CLI_FLAG)
                continue;
            start_line(&l, *c, (*c)->actions);
            /* last, or the next word would be taken as its argument */
            add_owned(&l, mg_xasprintf("--%s", o->name));
            {
                char *out = NULL, *err = NULL;
                char *want =
                    mg_xasprintf("option '--%s' needs an argument", o->name);

                assert_int_equal(test_run_cli(&out, &err, l.argv, NULL), 2);
                assert_non_null(strstr(err, want));
                free(want);
                free(out);
                free(err);
            }
            free_line(&l);
        }
    }
}

static void test_malformed_value(void **state)
{
    const struct cli_command *const *c;
    const struct cli_option *o;
    char *want, *last;
    size_t n;
    struct line l;
    (void)state;

    for (c = cli_commands; *c; c++) {
        for (o = (*c)->options; o && o->name; o++) {
            if (o->kind != CLI_NUMBER && o->kind != CLI_CHOICE)
                continue;
            start_line(&l, *c, (*c)->actions);
            add_owned(&l, mg_xasprintf("--%s", o->name));
            add(&l, "12x");
            if (o->kind == CLI_NUMBER) {
                want = mg_xasprintf("--%s must be %s, not '12x'", o->name,
                                    o->what);
                expect_usage_error(&l, want, NULL);
            } else {
                /* every choice is named, the last before the bad value */
                for (n = 0; o->choices[n]; n++)
                    ;
                want = mg_xasprintf("--%s must be %s", o->name, o->choices[0]);
                last = mg_xasprintf("%s, not '12x'", o->choices[n - 1]);
                expect_usage_error(&l, want, last);
                free(last);
            }
            free(want);
            free_line(&l);
        }
    }
}

static void test_unknown_action_and_argument(void **state)
{
    const struct cli_command *const *c;
    struct line l;
    (void)state;

    for (c = cli_commands; *c; c++) {
        char *want;

        if (!(*c)->actions) {
            /* one argument more than the command takes */
            start_line(&l, *c, NULL);
            add(&l, "surplus");
            expect_usage_error(&l, "unexpected argument 'surplus'", NULL);
            free_line(&l);
            continue;
        }
        start_line(&l, *c, NULL);
        add(&l, "no-such-action");
        want = mg_xasprintf("unknown %s action 'no-such-action'", (*c)->name);
        expect_usage_error(&l, want, NULL);
        free(want);
        free_line(&l);
    }
}

/* Leave out each of `row`'s required options in turn, giving the others:
 * the message names the one left out. Returns how many were checked. */
static int check_requires(const struct cli_command *cmd,
                          const struct cli_command *row)
{
    const char *missing, *p;
    int checked = 0;

    for (missing = row->requires; missing && *missing; checked++) {
        size_t len = strcspn(missing, " ");
        struct line l;
        char *want;

        start_line(&l, cmd, row == cmd ? NULL : row);
        for (p = row->requires; *p;) {
            size_t n = strcspn(p, " ");
            const struct cli_option *o = find_option(cmd, p, n);

            assert_non_null(o);
            if (p != missing) {
                add_owned(&l, mg_xasprintf("--%s", o->name));
                add(&l, good_value(o));
            }
            p += n;
            p += strspn(p, " ");
        }
        want = mg_xasprintf("needs --%.*s", (int)len, missing);
        expect_usage_error(&l, want, NULL);
        free(want);
        free_line(&l);
        missing += len;
        missing += strspn(missing, " ");
    }
    return checked;
}

static void test_missing_required_option(void **state)
{
    const struct cli_command *const *c;
    const struct cli_command *a;
    int checked = 0;
    (void)state;

    for (c = cli_commands; *c; c++) {
        if (!(*c)->actions)
            checked += check_requires(*c, *c);
        for (a = (*c)->actions; a && a->name; a++)
            checked += check_requires(*c, a);
    }
    assert_true(checked > 10);
}

static int setup(void **state)
{
    char *dir = test_mkdtemp();

    db_path = mg_xasprintf("%s/never.db", dir);
    *state = dir;
    return 0;
}

static int teardown(void **state)
{
    char *dir = *state;

    rmdir(dir);
    free(dir);
    free(db_path);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_help_lists_every_option),
        cmocka_unit_test(test_unknown_option),
        cmocka_unit_test(test_option_without_its_argument),
        cmocka_unit_test(test_malformed_value),
        cmocka_unit_test(test_unknown_action_and_argument),
        cmocka_unit_test(test_missing_required_option),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
