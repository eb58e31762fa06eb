/*
 * backup.c: `mingle backup FILE` copies the live database (safe while the
 * daemon writes) and checks the copy; `mingle restore FILE` checks a
 * backup and puts it in place of the configured database, then migrates
 * it. The copying and checking are the store's (src/store/backup.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#include "banned.h"

static int backup(struct cli_ctx *ctx)
{
    struct mg_backup_info info;
    struct mg_error err = {{0}, {0}};
    const char *file = ctx->argv[0];
    int rc = mg_store_backup(&info, ctx->cfg.db, file, ctx->v.force, &err);

    if (rc == MG_ECONFLICT) {
        cli_error("'%s' exists; give --force to replace it", file);
    } else if (rc < 0) {
        cli_error("%s", err.message);
    } else {
        printf("copied '%s' to '%s': %d pages of %d bytes (%lld bytes), "
               "schema version %d\n",
               ctx->cfg.db, file, info.pages, info.page_size,
               (long long)info.bytes, info.schema_version);
        printf("integrity_check: ok\n");
    }
    return rc < 0 ? 1 : 0;
}

static const struct cli_option backup_options[] = {
    {.name = "force",
     .short_name = 'f',
     .kind = CLI_FLAG,
     .help = "replace FILE if it exists",
     .offset = CLI_AT(force)},
    {.name = NULL}};

const struct cli_command cli_backup = {
    .name = "backup",
    .summary = "copy the database safely while it is in use",
    .args = "FILE",
    .usage = "[--force]",
    .needs = CLI_CONFIG,
    .run = backup,
    .about = "Copy the database to FILE with SQLite's online backup API: "
             "every\nchange committed before the copy starts, consistent, and "
             "safe while\n'mingle serve' is writing. The copy is written "
             "beside FILE, checked\nwith PRAGMA integrity_check, synced and "
             "renamed into place; it is one\nfile (no -wal). FILE is not "
             "replaced unless --force is given.\n",
    .options = backup_options,
};

static int restore(struct cli_ctx *ctx)
{
    struct mg_backup_info info;
    struct mg_error err = {{0}, {0}};
    struct mg_store *st = NULL;
    const char *file = ctx->argv[0];
    int rc, version = 0, lock = -1;

    /* a daemon on this database would go on with what it had and lose
     * what it acknowledged since: refuse unless told */
    rc = mg_store_daemon_exclude(&lock, ctx->cfg.db, &err);
    if (rc < 0 && !ctx->v.force) {
        cli_error("%s; nothing was changed", err.message);
        return 1;
    }
    if (rc < 0)
        fprintf(stderr,
                "mingle: warning: %s\nmingle: restoring anyway (--force); "
                "restart 'mingle serve' now\n",
                err.message);
    memset(&err, 0, sizeof(err));
    rc = mg_store_restore(&info, ctx->cfg.db, file, &err);
    if (rc < 0) {
        cli_error("%s; nothing was changed", err.message);
        if (lock >= 0)
            close(lock);
        return 1;
    }
    printf("restored '%s' into '%s': %d pages of %d bytes (%lld bytes), "
           "schema version %d\n",
           file, ctx->cfg.db, info.pages, info.page_size, (long long)info.bytes,
           info.schema_version);
    /* The store can only be opened once the file is in place, and
     * opening it migrates it. */
    rc = cli_open_store(&st, &ctx->cfg, 1);
    if (rc == 0)
        rc = mg_store_schema_version(&version, st);
    if (rc == 0 && version != info.schema_version)
        printf("migrated to schema version %d\n", version);
    mg_store_close(st);
    if (lock >= 0)
        close(lock);
    return rc < 0 ? 1 : 0;
}

static const struct cli_option restore_options[] = {
    {.name = "force",
     .short_name = 'f',
     .kind = CLI_FLAG,
     .help = "restore even while 'mingle serve' holds the database",
     .offset = CLI_AT(force)},
    {.name = NULL}};

const struct cli_command cli_restore = {
    .name = "restore",
    .summary = "put a backup in place (stop the daemon first)",
    .args = "FILE",
    .usage = "[--force]",
    .needs = CLI_CONFIG,
    .run = restore,
    .options = restore_options,
    .about = "Put the backup FILE in place of the database (created if "
             "missing),\nthen bring its schema up to date. FILE must be a "
             "SQLite database that\npasses integrity_check, a mingle "
             "database, and at a schema version\nthis mingle knows; otherwise "
             "nothing is changed.\n\nStop 'mingle serve' first: while a daemon "
             "holds the database (it\nkeeps a lock on DB-serve.lock beside "
             "it) restore refuses. --force\nrestores anyway; the daemon is "
             "not told and must be restarted at once,\nor what it "
             "acknowledges meanwhile may be lost.\n",
};
