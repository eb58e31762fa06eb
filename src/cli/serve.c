/*
 * serve.c: `mingle serve` and `mingle migrate`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#include "banned.h"

static const char serve_help[] =
    "usage: mingle serve [options]\n\n"
    "Run the daemon: the JSON API under /api/v1/, /healthz and /metrics.\n"
    "Stops cleanly on SIGTERM or SIGINT, finishing requests in flight.\n\n"
    "options:\n" CLI_CONFIG_HELP
    "  -l, --listen ADDR     address to bind (default 127.0.0.1)\n"
    "  -p, --port N          port (default 8080; 0 picks a free one)\n"
    "  -t, --threads N       worker threads (default 4)\n"
    "      --body-limit SIZE largest request body, e.g. 10M (default)\n"
    "  -h, --help            show this help\n";

/* Flags shared by serve and demo, on top of CLI_CONFIG_OPTIONS. */
static const struct option serve_options[] = {
    CLI_CONFIG_OPTIONS,
    {"listen", required_argument, NULL, 'l'},
    {"port", required_argument, NULL, 'p'},
    {"threads", required_argument, NULL, 't'},
    {"body-limit", required_argument, NULL, 'B'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

int serve_parse(struct cli_overrides *ov, int argc, char **argv,
                const char *help)
{
    int opt;

    optind = 1;
    for (;;) {
        opt = getopt_long(argc, argv, "c:d:l:p:t:h", serve_options, NULL);
        if (opt == -1)
            break;
        if (cli_take_option(ov, opt, optarg))
            continue;
        switch (opt) {
        case 'l':
            cli_override(ov, "listen", optarg);
            break;
        case 'p':
            cli_override(ov, "port", optarg);
            break;
        case 't':
            cli_override(ov, "threads", optarg);
            break;
        case 'B':
            cli_override(ov, "body_limit", optarg);
            break;
        case 'h':
            fputs(help, stdout);
            return 0;
        default:
            fputs(help, stderr);
            return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        cli_error("unexpected argument '%s'", argv[optind]);
        return EXIT_USAGE;
    }
    return -1;
}

int cmd_serve(int argc, char **argv)
{
    struct cli_overrides ov;
    struct mg_config cfg;
    struct mg_store *st = NULL;
    int rc;

    memset(&ov, 0, sizeof(ov));
    rc = serve_parse(&ov, argc, argv, serve_help);
    if (rc >= 0)
        return rc;
    if (cli_config(&cfg, &ov, NULL) < 0)
        return 1;
    cli_block_signals();
    rc = 1;
    if (cli_open_store(&st, &cfg, cfg.threads + 1) == 0)
        rc = cli_run_daemon(&cfg, st, NULL, NULL);
    mg_store_close(st);
    mg_config_release(&cfg);
    return rc;
}

static const char migrate_help[] =
    "usage: mingle migrate [options]\n\n"
    "Create the database if needed and apply every schema migration this\n"
    "mingle knows. Safe to run again, and while a daemon uses the file.\n\n"
    "options:\n" CLI_CONFIG_HELP "  -h, --help            show this help\n";

int cmd_migrate(int argc, char **argv)
{
    static const struct option options[] = {CLI_CONFIG_OPTIONS,
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};
    struct cli_overrides ov;
    struct mg_config cfg;
    struct mg_store *st = NULL;
    int opt, version = 0;

    memset(&ov, 0, sizeof(ov));
    for (;;) {
        opt = getopt_long(argc, argv, "c:d:h", options, NULL);
        if (opt == -1)
            break;
        if (cli_take_option(&ov, opt, optarg))
            continue;
        if (opt == 'h') {
            fputs(migrate_help, stdout);
            return 0;
        }
        fputs(migrate_help, stderr);
        return EXIT_USAGE;
    }
    if (cli_config(&cfg, &ov, NULL) < 0)
        return 1;
    if (cli_open_store(&st, &cfg, 1) < 0) {
        mg_config_release(&cfg);
        return 1;
    }
    mg_store_schema_version(&version, st);
    printf("%s: schema version %d\n", cfg.db, version);
    mg_store_close(st);
    mg_config_release(&cfg);
    return 0;
}
