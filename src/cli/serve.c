/*
 * serve.c: `mingle serve` runs the daemon until a signal; `mingle
 * migrate` brings the schema up to date. Their rows of the command table,
 * and the daemon's flags, which `demo` shares.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#include "banned.h"

const struct cli_option cli_serve_options[] = {
    {.name = "listen",
     .short_name = 'l',
     .kind = CLI_SETTING,
     .arg = "ADDR",
     .help = "address to bind (default 127.0.0.1)",
     .setting = "listen"},
    {.name = "port",
     .short_name = 'p',
     .kind = CLI_SETTING,
     .arg = "N",
     .help = "port (default 8080; 0 picks a free one)",
     .setting = "port"},
    {.name = "threads",
     .short_name = 't',
     .kind = CLI_SETTING,
     .arg = "N",
     .help = "worker threads (default 4)",
     .setting = "threads"},
    {.name = "body-limit",
     .kind = CLI_SETTING,
     .arg = "SIZE",
     .help = "largest request body, e.g. 10M (default)",
     .setting = "body_limit"},
    {.name = NULL}};

static int serve(struct cli_ctx *ctx)
{
    return cli_run_daemon(&ctx->cfg, ctx->st, NULL, NULL);
}

const struct cli_command cli_serve = {
    .name = "serve",
    .summary = "run the daemon (HTTP API, feeds, webhooks)",
    .needs = CLI_DAEMON,
    .run = serve,
    .about = "Run the daemon: the JSON API under /api/v1/, /healthz and "
             "/metrics.\nStops cleanly on SIGTERM or SIGINT, finishing "
             "requests in flight.\n",
    .options = cli_serve_options,
};

static int migrate(struct cli_ctx *ctx)
{
    int version = 0;

    /* opening the store migrated it */
    mg_store_schema_version(&version, ctx->st);
    printf("%s: schema version %d\n", ctx->cfg.db, version);
    return 0;
}

const struct cli_command cli_migrate = {
    .name = "migrate",
    .summary = "bring the database schema up to date",
    .needs = CLI_STORE,
    .run = migrate,
    .about = "Create the database if needed and apply every schema migration "
             "this\nmingle knows. Safe to run again, and while a daemon uses "
             "the file.\n",
};
