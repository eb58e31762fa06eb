/*
 * cli.h: what the `mingle` subcommands share: loading the configuration
 * from file, environment and flags, opening the store, running the daemon
 * until a signal, and printing errors the same way everywhere.
 */
#ifndef MINGLE_CLI_H
#define MINGLE_CLI_H

#include <getopt.h>

#include "mingle/book.h"
#include "mingle/circle.h"
#include "mingle/config.h"
#include "mingle/core.h"
#include "mingle/store.h"

#define EXIT_USAGE 2

/* Settings given as flags, applied last (they win). */
struct cli_overrides {
    const char *config_path; /* --config */
    const char *keys[16];
    const char *values[16];
    int n;
};

/* The long options every subcommand that touches the store accepts. */
#define CLI_CONFIG_OPTIONS                                                     \
    {"config", required_argument, NULL, 'c'},                                  \
        {"db", required_argument, NULL, 'd'},                                  \
    {                                                                          \
        "log-level", required_argument, NULL, 'L'                              \
    }

#define CLI_CONFIG_HELP                                                        \
    "  -c, --config FILE     read settings from FILE (or $MINGLE_CONFIG)\n"    \
    "  -d, --db FILE         SQLite database (default ./mingle.db, "           \
    "$MINGLE_DB)\n"                                                            \
    "      --log-level L     debug, info, warn or error\n"

/*
 * Record a flag handled by CLI_CONFIG_OPTIONS or a command's own setting
 * flags; returns 1 if `opt` was one of them.
 */
int cli_take_option(struct cli_overrides *ov, int opt, const char *arg);
void cli_override(struct cli_overrides *ov, const char *key, const char *value);

/*
 * Build the configuration: defaults, then the file (--config or
 * $MINGLE_CONFIG), then MINGLE_* variables, then flags. Prints the error
 * and returns nonzero on failure. `default_db` replaces the default
 * database name when not NULL.
 */
int cli_config(struct mg_config *cfg, const struct cli_overrides *ov,
               const char *default_db);

/* Open the configured store with `connections` connections; prints errors. */
int cli_open_store(struct mg_store **out, const struct mg_config *cfg,
                   int connections);

/* Print "mingle: <message>" to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A positive id from option `flag`'s argument `arg` into *out; otherwise
 * "FLAG must be WHAT, not 'ARG'" on stderr and -1. */
int cli_parse_id(long long *out, const char *flag, const char *what,
                 const char *arg);

/*
 * Block SIGINT and SIGTERM in the calling thread (and so in every thread
 * it starts afterwards), so that only cli_wait_for_signal() sees them.
 */
void cli_block_signals(void);
/* Wait for SIGINT or SIGTERM; returns its number. */
int cli_wait_for_signal(void);

/*
 * Run the daemon on an open store until SIGINT or SIGTERM, then shut
 * down cleanly. `on_ready` (may be NULL) is called once listening, with
 * the port bound. Returns the process exit code.
 */
int cli_run_daemon(const struct mg_config *cfg, struct mg_store *st,
                   void (*on_ready)(int port, void *arg), void *arg);

/*
 * Parse the flags of `serve` and `demo` into `ov`, printing `help` for
 * --help. Returns -1 to go on, or the exit code to end with.
 */
int serve_parse(struct cli_overrides *ov, int argc, char **argv,
                const char *help);

/* Read a whole file (up to MG_BOOK_MAX_INPUT); prints errors, 0 or 1. */
int cli_read_file(struct mg_buf *out, const char *path);

/*
 * Split `b` for circle `c` over `weeks` weeks (0: the circle's) and store
 * it, replacing the circle's book; prints what it did. `data` is the file
 * as read, for its fingerprint.
 */
int cli_book_store(struct mg_store *st, const struct mg_circle *c,
                   const char *path, const struct mg_book *b, const char *data,
                   size_t len, int weeks);

struct mg_assign;
struct mg_group_spec;
struct mg_quality;
/* Print groups as a table with their quality figures. */
void cli_print_groups(const struct mg_assign *a, const int *group_of,
                      const struct mg_group_spec *specs, int n_groups,
                      const struct mg_quality *q);

/*
 * Register the people of the CSV export at `path` in circle `c`, all or
 * none; prints what happened. 0 or an MG_E code.
 */
int cli_people_import(struct mg_store *st, const struct mg_circle *c,
                      const char *path);

/*
 * Progress of long work on stderr: `label: done/total (N%)` rewritten in
 * place, at most ten times a second, and a final line from
 * cli_progress_end(). Silent unless stderr is a terminal, so piped output
 * never holds it. The label is borrowed; nothing needs freeing. Every
 * function but start takes a NULL progress and does nothing.
 */
struct cli_progress {
    const char *label;
    size_t total; /* 0: unknown, only the count is shown */
    int tty;
    int shown;
    double last; /* when the last line was written (monotonic seconds) */
};

void cli_progress_start(struct cli_progress *p, const char *label,
                        size_t total);
/* `done` of the total so far; a nonzero `total` replaces the total. */
void cli_progress_update(struct cli_progress *p, size_t done, size_t total);
/* cli_progress_update() for library callbacks; `arg` is the progress. */
void cli_progress_callback(size_t done, size_t total, void *arg);
/* The final line (ends with a newline). */
void cli_progress_end(struct cli_progress *p, size_t done);
/* Stop without a final line (on failure): ends any line left open. */
void cli_progress_abandon(struct cli_progress *p);
/* End whatever progress line is open; cli_error() calls it first. */
void cli_progress_interrupt(void);

/* The subcommands. */
int cmd_serve(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_circle(int argc, char **argv);
int cmd_book(int argc, char **argv);
int cmd_people(int argc, char **argv);
int cmd_groups(int argc, char **argv);
int cmd_outbox(int argc, char **argv);
int cmd_notes(int argc, char **argv);
int cmd_attendance(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_restore(int argc, char **argv);

/*
 * Plan (or rebalance) circle `circle`'s groups, print them, and store
 * them unless `dry`. Returns 0 or an MG_E code (already reported).
 */
int cli_groups_plan(struct mg_store *st, int64_t circle, int dry, uint64_t seed,
                    int rebalance);

#endif
