/*
 * backup.c: `mingle backup FILE` copies the live database (safe while the
 * daemon writes) and checks the copy; `mingle restore FILE` checks a
 * backup and puts it in place of the configured database, then migrates
 * it. The copying and checking are the store's (src/store/backup.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#include "banned.h"

static const char backup_help[] =
    "usage: mingle backup FILE [--force]\n\n"
    "Copy the database to FILE with SQLite's online backup API: every\n"
    "change committed before the copy starts, consistent, and safe while\n"
    "'mingle serve' is writing. The copy is written beside FILE, checked\n"
    "with PRAGMA integrity_check, synced and renamed into place; it is one\n"
    "file (no -wal). FILE is not replaced unless --force is given.\n\n"
    "options:\n" CLI_CONFIG_HELP
    "  -f, --force           replace FILE if it exists\n"
    "  -h, --help            show this help\n";

static const char restore_help[] =
    "usage: mingle restore FILE\n\n"
    "Put the backup FILE in place of the database (created if missing),\n"
    "then bring its schema up to date. FILE must be a SQLite database that\n"
    "passes integrity_check, a mingle database, and at a schema version\n"
    "this mingle knows; otherwise nothing is changed.\n\n"
    "Stop 'mingle serve' first: a running daemon is not told, and would go\n"
    "on with what it had cached.\n\n"
    "options:\n" CLI_CONFIG_HELP "  -h, --help            show this help\n";

/* Parse the flags of backup (`force` non-NULL) or restore; -1 to go on,
 * or the exit code. *file is the one argument. */
static int parse(struct cli_overrides *ov, int *force, const char **file,
                 int argc, char **argv, const char *help)
{
    static const struct option options[] = {CLI_CONFIG_OPTIONS,
                                            {"force", no_argument, NULL, 'f'},
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};
    int opt;

    memset(ov, 0, sizeof(*ov));
    for (;;) {
        opt =
            getopt_long(argc, argv, force ? "c:d:fh" : "c:d:h", options, NULL);
        if (opt == -1)
            break;
        if (cli_take_option(ov, opt, optarg))
            continue;
        if (opt == 'f' && force) {
            *force = 1;
            continue;
        }
        if (opt == 'h') {
            fputs(help, stdout);
            return 0;
        }
        fputs(help, stderr);
        return EXIT_USAGE;
    }
    if (optind + 1 != argc || !argv[optind][0]) {
        fputs(help, stderr);
        return EXIT_USAGE;
    }
    *file = argv[optind];
    return -1;
}

int cmd_backup(int argc, char **argv)
{
    struct cli_overrides ov;
    struct mg_config cfg;
    struct mg_backup_info info;
    struct mg_error err = {{0}, {0}};
    const char *file = NULL;
    int force = 0, rc;

    rc = parse(&ov, &force, &file, argc, argv, backup_help);
    if (rc >= 0)
        return rc;
    if (cli_config(&cfg, &ov, NULL) < 0)
        return 1;
    rc = mg_store_backup(&info, cfg.db, file, force, &err);
    if (rc == MG_ECONFLICT) {
        cli_error("'%s' exists; give --force to replace it", file);
    } else if (rc < 0) {
        cli_error("%s", err.message);
    } else {
        printf("copied '%s' to '%s': %d pages of %d bytes (%lld bytes), "
               "schema version %d\n",
               cfg.db, file, info.pages, info.page_size, (long long)info.bytes,
               info.schema_version);
        printf("integrity_check: ok\n");
    }
    mg_config_release(&cfg);
    return rc < 0 ? 1 : 0;
}

int cmd_restore(int argc, char **argv)
{
    struct cli_overrides ov;
    struct mg_config cfg;
    struct mg_backup_info info;
    struct mg_error err = {{0}, {0}};
    struct mg_store *st = NULL;
    const char *file = NULL;
    int rc, version = 0;

    rc = parse(&ov, NULL, &file, argc, argv, restore_help);
    if (rc >= 0)
        return rc;
    if (cli_config(&cfg, &ov, NULL) < 0)
        return 1;
    rc = mg_store_restore(&info, cfg.db, file, &err);
    if (rc < 0) {
        cli_error("%s; nothing was changed", err.message);
        goto out;
    }
    printf("restored '%s' into '%s': %d pages of %d bytes (%lld bytes), "
           "schema version %d\n",
           file, cfg.db, info.pages, info.page_size, (long long)info.bytes,
           info.schema_version);
    /* opening the store migrates it */
    rc = cli_open_store(&st, &cfg, 1);
    if (rc == 0)
        rc = mg_store_schema_version(&version, st);
    if (rc == 0 && version != info.schema_version)
        printf("migrated to schema version %d\n", version);
    mg_store_close(st);
out:
    mg_config_release(&cfg);
    return rc < 0 ? 1 : 0;
}
