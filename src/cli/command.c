/*
 * command.c: the one command-line parser. A command is a row of the
 * command table (cli.h); from the row this file parses the options with
 * getopt_long, prints --help, reports usage errors, opens the
 * configuration and the store, and calls the row's run function.
 */
#define _GNU_SOURCE
#include "cli.h"

#include <assert.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "banned.h"

/* The options every command takes, after its own. */
static const struct cli_option common_options[] = {
    {.name = "config",
     .short_name = 'c',
     .kind = CLI_TEXT,
     .arg = "FILE",
     .help = "read settings from FILE (or $MINGLE_CONFIG)",
     .offset = CLI_AT(config)},
    {.name = "db",
     .short_name = 'd',
     .kind = CLI_SETTING,
     .arg = "FILE",
     .help = "SQLite database (default ./mingle.db, $MINGLE_DB)",
     .setting = "db"},
    {.name = "log-level",
     .kind = CLI_SETTING,
     .arg = "L",
     .help = "debug, info, warn or error",
     .setting = "log_level"},
    {.name = NULL}};

static const struct cli_option help_option = {.name = "help",
                                              .short_name = 'h',
                                              .kind = CLI_FLAG,
                                              .help = "show this help"};

/* getopt_long's `val` for option `i` of the list: its short name, or a
 * code above every char. */
#define LONG_ONLY 256

/* The options of `cmd` in one list: the common ones, its own, --help. */
static size_t list_options(const struct cli_option **out, size_t max,
                           const struct cli_command *cmd)
{
    const struct cli_option *o;
    size_t n = 0;

    (void)max; /* used only by the assertion */
    for (o = common_options; o->name; o++)
        out[n++] = o;
    for (o = cmd->options; o && o->name; o++) {
        assert(n + 1 < max); /* MAX_OPTIONS is too small for the table */
        out[n++] = o;
    }
    out[n++] = &help_option;
    return n;
}

#define MAX_OPTIONS 32

static void print_usage_line(FILE *out, const char *lead,
                             const struct cli_command *cmd,
                             const struct cli_command *action)
{
    const struct cli_command *row = action ? action : cmd;
    const char *p;

    fprintf(out, "%smingle %s", lead, cmd->name);
    if (action)
        fprintf(out, " %s", action->name);
    if (row->args)
        fprintf(out, " %s", row->args);
    for (p = row->requires; p && *p;) {
        size_t len = strcspn(p, " ");
        const struct cli_option *o;

        for (o = cmd->options; o && o->name; o++)
            if (strlen(o->name) == len && strncmp(o->name, p, len) == 0)
                fprintf(out, " --%s%s%s", o->name, o->arg ? " " : "",
                        o->arg ? o->arg : "");
        p += len;
        p += strspn(p, " ");
    }
    if (row->usage)
        fprintf(out, " %s", row->usage);
    else if (!row->args && !row->requires && !action)
        fprintf(out, " [options]");
    fputc('\n', out);
}

static void print_option(FILE *out, const struct cli_option *o,
                         const char *default_db)
{
    char left[64];
    const char *help = o->help, *nl;
    int n;

    if (o->short_name)
        n = snprintf(left, sizeof(left), "  -%c, --%s", o->short_name, o->name);
    else
        n = snprintf(left, sizeof(left), "      --%s", o->name);
    if (o->arg)
        n += snprintf(left + n, sizeof(left) - (size_t)n, " %s", o->arg);
    fprintf(out, "%-23s ", left);
    if (default_db && strcmp(o->name, "db") == 0) {
        fprintf(out, "SQLite database (default ./%s, $MINGLE_DB)\n",
                default_db);
        return;
    }
    while ((nl = strchr(help, '\n')) != NULL) {
        fprintf(out, "%.*s\n%24s", (int)(nl - help), help, "");
        help = nl + 1;
    }
    fprintf(out, "%s\n", help);
}

void cli_help(FILE *out, const struct cli_command *cmd)
{
    const struct cli_option *opts[MAX_OPTIONS];
    const struct cli_command *a;
    size_t n = list_options(opts, MAX_OPTIONS, cmd), i;

    if (cmd->actions) {
        for (a = cmd->actions; a->name; a++)
            print_usage_line(out, a == cmd->actions ? "usage: " : "       ",
                             cmd, a);
    } else {
        print_usage_line(out, "usage: ", cmd, NULL);
    }
    fprintf(out, "\n%s\noptions:\n", cmd->about);
    for (i = 0; i < n; i++)
        print_option(out, opts[i], cmd->default_db);
}

static void add_override(struct cli_overrides *ov, const char *key,
                         const char *value)
{
    if (ov->n == (int)(sizeof(ov->keys) / sizeof(ov->keys[0])))
        return;
    ov->keys[ov->n] = key;
    ov->values[ov->n] = value;
    ov->n++;
}

/* Store `arg` for option `o`; 0, or -1 after saying what is wrong. */
static int take_value(struct cli_ctx *ctx, const struct cli_option *o,
                      const char *arg)
{
    char *at = (char *)&ctx->v + o->offset;
    const char *const *c;
    long long v;
    char *end;

    switch (o->kind) {
    case CLI_FLAG:
        *(int *)(void *)at = 1;
        return 0;
    case CLI_TEXT:
        *(const char **)(void *)at = arg;
        return 0;
    case CLI_SETTING:
        add_override(&ctx->ov, o->setting, arg);
        return 0;
    case CLI_NUMBER:
        v = strtoll(arg, &end, 10);
        if (!*arg || *end || *arg == '+' || v < o->min || v > o->max) {
            cli_error("--%s must be %s, not '%s'", o->name, o->what, arg);
            return -1;
        }
        *(long long *)(void *)at = v;
        return 0;
    case CLI_CHOICE:
        for (c = o->choices; *c; c++) {
            if (strcasecmp(arg, *c) == 0) {
                *(const char **)(void *)at = *c;
                return 0;
            }
        }
        fprintf(stderr, "mingle: --%s must be ", o->name);
        for (c = o->choices; *c; c++)
            fprintf(stderr, "%s%s", *c, !c[1] ? "" : !c[2] ? " or " : ", ");
        fprintf(stderr, ", not '%s'\n", arg);
        return -1;
    }
    return -1;
}

/* Whether option `name` of `cmd` was given; its option in *opt. */
static int given(const struct cli_option **opt, const struct cli_ctx *ctx,
                 const char *name, size_t len)
{
    const struct cli_option *o;
    const char *at;

    for (o = ctx->cmd->options; o && o->name; o++) {
        if (strlen(o->name) != len || strncmp(o->name, name, len) != 0)
            continue;
        *opt = o;
        at = (const char *)&ctx->v + o->offset;
        switch (o->kind) {
        case CLI_FLAG:
            return *(const int *)(const void *)at != 0;
        case CLI_NUMBER:
            return *(const long long *)(const void *)at != 0;
        case CLI_TEXT:
        case CLI_CHOICE:
            return *(const char *const *)(const void *)at != NULL;
        case CLI_SETTING:
            return 1;
        }
    }
    *opt = NULL;
    return 0;
}

/* Parse the options into ctx; -1 to go on, or the exit code. */
static int parse_options(struct cli_ctx *ctx, int argc, char **argv)
{
    const struct cli_option *opts[MAX_OPTIONS];
    struct option longs[MAX_OPTIONS + 1];
    char shorts[2 * MAX_OPTIONS + 2];
    size_t n = list_options(opts, MAX_OPTIONS, ctx->cmd), i, k = 0;
    int opt;

    shorts[k++] = ':'; /* a missing argument is ':', not '?' */
    for (i = 0; i < n; i++) {
        longs[i].name = opts[i]->name;
        longs[i].has_arg =
            opts[i]->kind == CLI_FLAG ? no_argument : required_argument;
        longs[i].flag = NULL;
        longs[i].val =
            opts[i]->short_name ? opts[i]->short_name : LONG_ONLY + (int)i;
        if (opts[i]->short_name) {
            shorts[k++] = opts[i]->short_name;
            if (opts[i]->kind != CLI_FLAG)
                shorts[k++] = ':';
        }
    }
    memset(&longs[n], 0, sizeof(longs[n]));
    shorts[k] = '\0';
    optind = 1;
    opterr = 0;
    for (;;) {
        const struct cli_option *o = NULL;

        opt = getopt_long(argc, argv, shorts, longs, NULL);
        if (opt == -1)
            break;
        if (opt == '?' || opt == ':') {
            const char *bad = argv[optind - 1];
            char one[3] = {'-', (char)optopt, '\0'};

            /* a short option inside a cluster ("-xv") is named alone */
            if (optopt && optopt < LONG_ONLY && strncmp(bad, "--", 2) != 0)
                bad = one;
            if (opt == '?')
                cli_error("unknown option '%s' for '%s' (see 'mingle %s "
                          "--help')",
                          bad, ctx->cmd->name, ctx->cmd->name);
            else
                cli_error("option '%s' needs an argument (see 'mingle %s "
                          "--help')",
                          bad, ctx->cmd->name);
            return EXIT_USAGE;
        }
        if (opt >= LONG_ONLY) {
            o = opts[opt - LONG_ONLY];
        } else {
            for (i = 0; i < n && !o; i++)
                if (opts[i]->short_name == opt)
                    o = opts[i];
        }
        if (o == &help_option) {
            cli_help(stdout, ctx->cmd);
            return 0;
        }
        if (take_value(ctx, o, optarg) < 0)
            return EXIT_USAGE;
    }
    ctx->argc = argc - optind;
    ctx->argv = argv + optind;
    return -1;
}

/* Find the action and check the arguments and required options; -1 to
 * go on, or the exit code. */
static int check_line(struct cli_ctx *ctx)
{
    const struct cli_command *row = ctx->cmd, *a;
    const char *p;
    int want = 0, i;

    if (ctx->cmd->actions) {
        if (ctx->argc == 0) {
            cli_help(stderr, ctx->cmd);
            return EXIT_USAGE;
        }
        for (a = ctx->cmd->actions; a->name; a++)
            if (strcmp(a->name, ctx->argv[0]) == 0)
                break;
        if (!a->name) {
            cli_error("unknown %s action '%s' (see 'mingle %s --help')",
                      ctx->cmd->name, ctx->argv[0], ctx->cmd->name);
            return EXIT_USAGE;
        }
        ctx->action = row = a;
        ctx->argc--;
        ctx->argv++;
    }
    for (p = row->args; p && *p; want++) {
        p += strcspn(p, " ");
        p += strspn(p, " ");
    }
    if (ctx->argc > want) {
        cli_error("unexpected argument '%s' (see 'mingle %s --help')",
                  ctx->argv[want], ctx->cmd->name);
        return EXIT_USAGE;
    }
    if (ctx->argc < want) {
        fputs("mingle: missing argument; usage: ", stderr);
        print_usage_line(stderr, "", ctx->cmd, ctx->action);
        return EXIT_USAGE;
    }
    for (i = 0; i < ctx->argc; i++) {
        if (!ctx->argv[i][0]) {
            cli_error("an argument is empty (see 'mingle %s --help')",
                      ctx->cmd->name);
            return EXIT_USAGE;
        }
    }
    for (p = row->requires; p && *p;) {
        const struct cli_option *o;
        size_t len = strcspn(p, " ");

        if (!given(&o, ctx, p, len)) {
            if (ctx->action)
                cli_error("%s %s needs --%.*s%s%s", ctx->cmd->name,
                          ctx->action->name, (int)len, p,
                          o && o->arg ? " " : "", o && o->arg ? o->arg : "");
            else
                cli_error("%s needs --%.*s%s%s", ctx->cmd->name, (int)len, p,
                          o && o->arg ? " " : "", o && o->arg ? o->arg : "");
            return EXIT_USAGE;
        }
        p += len;
        p += strspn(p, " ");
    }
    if (row->check) {
        int rc = row->check(ctx);
        return rc ? rc : -1;
    }
    return -1;
}

/* Open what the command needs; 0 or 1 (reported). */
static int open_needs(struct cli_ctx *ctx, enum cli_needs needs)
{
    int rc;

    if (needs == CLI_NOTHING)
        return 0;
    ctx->ov.config_path = ctx->v.config;
    if (cli_config(&ctx->cfg, &ctx->ov, ctx->cmd->default_db) < 0) {
        memset(&ctx->cfg, 0, sizeof(ctx->cfg)); /* released already */
        return 1;
    }
    if (needs == CLI_DAEMON)
        cli_block_signals();
    if (needs == CLI_CONFIG)
        return 0;
    if (cli_open_store(&ctx->st, &ctx->cfg,
                       needs == CLI_DAEMON ? ctx->cfg.threads + 1 : 1) < 0)
        return 1;
    if (needs != CLI_CIRCLE)
        return 0;
    rc = mg_store_circle_get(&ctx->circle, ctx->st, ctx->v.circle);
    if (rc == MG_ENOTFOUND) {
        cli_error("no circle %lld in '%s'", ctx->v.circle, ctx->cfg.db);
        return 1;
    }
    if (rc < 0) {
        cli_error("cannot read circle %lld: %s", ctx->v.circle,
                  mg_strerror(rc));
        return 1;
    }
    return 0;
}

int cli_run(const struct cli_command *cmd, int argc, char **argv)
{
    struct cli_ctx ctx;
    enum cli_needs needs;
    int rc;

    memset(&ctx, 0, sizeof(ctx));
    ctx.cmd = cmd;
    if (cmd->defaults)
        ctx.v = *cmd->defaults;
    rc = parse_options(&ctx, argc, argv);
    if (rc < 0)
        rc = check_line(&ctx);
    if (rc >= 0)
        return rc;
    needs = ctx.action ? ctx.action->needs : cmd->needs;
    rc = open_needs(&ctx, needs);
    if (rc == 0)
        rc = ctx.action ? ctx.action->run(&ctx) : cmd->run(&ctx);
    mg_circle_free(ctx.circle);
    mg_store_close(ctx.st);
    mg_config_release(&ctx.cfg); /* zeroed when never loaded */
    return rc;
}
