/*
 * cli.h: the `mingle` command table (one row per subcommand, run by
 * command.c) and what the subcommands share: the configuration from file,
 * environment and flags, the store, the daemon loop, progress lines, and
 * errors printed the same way everywhere.
 */
#ifndef MINGLE_CLI_H
#define MINGLE_CLI_H

#include <limits.h>
#include <stddef.h>
#include <stdio.h>

#include "mingle/book.h"
#include "mingle/circle.h"
#include "mingle/config.h"
#include "mingle/core.h"
#include "mingle/store.h"

#define EXIT_USAGE 2

/* Settings given as flags, applied last (they win). */
struct cli_overrides {
    const char *config_path; /* --config, or NULL */
    const char *keys[16];
    const char *values[16];
    int n;
};

/*
 * The command table. Every subcommand is a `struct cli_command` row: its
 * name, a summary, its options (a table of `struct cli_option`), what it
 * needs opened, and the function that does the work. A command with
 * actions (`people import`, `people list`) has a row per action; the
 * actions share the command's options and help. cli_run() parses the
 * command line from the rows, prints --help from them, reports usage
 * errors (exit EXIT_USAGE), opens the configuration and the store once,
 * and calls run().
 */

/* What an option's argument is and how it is stored. */
enum cli_kind {
    CLI_FLAG,    /* no argument; the int at `offset` becomes 1 */
    CLI_TEXT,    /* any text; a const char * (argv's, borrowed) */
    CLI_NUMBER,  /* a whole number from min to max; a long long */
    CLI_CHOICE,  /* one of `choices` (any case); the const char * is the
                    table's spelling */
    CLI_SETTING, /* the configuration setting `setting`, applied after the
                    file and the environment */
};

/* Where the options' values go; zero when not given. */
struct cli_values {
    long long circle, group, person, session, week, weeks;
    long long after, limit, seed, max_moves;
    long long plenary;  /* --plenary */
    long long id;       /* an id given as an argument, as a check parsed it */
    const char *config; /* --config */
    const char *role, *label, *status, *kind, *format;
    /* `mingle signup`: as typed, checked by the command */
    const char *capacity, *closes_at, *sectors, *regions, *notice_file,
        *auto_place;
    const char *call_url, *call_url_template, *alarm_minutes; /* "none":
                                                               clear */
    int dry_run, json, html, force;
    /* jobs and reminders (jobs.c) */
    const char *due_before, *offsets, *reminders, *nudge_days;
    /* `mingle export` (export.c) */
    const char *what, *out;
    /* data retention (circle.c): as typed, checked by the command */
    const char *retention_days, *keep_summaries;
    int yes;
    /* certificates (certificate.c; --out as `mingle export`'s) */
    const char *issuer, *signature_title, *mail_at_close;
    /* `mingle cpd set` (cpd.c): as typed, checked by the command */
    const char *cpd_areas, *cpd_domains, *cpd_title, *cpd_provider, *cpd_prompt;
    /* `mingle survey` (survey.c); --closes-at is closes_at above */
    const char *opens_at, *anonymous, *questions;
};

#define CLI_AT(field) offsetof(struct cli_values, field)

/* One option of a command: `--name ARG` (and `-s ARG` if short_name). */
struct cli_option {
    const char *name;
    char short_name;
    enum cli_kind kind;
    const char *arg;    /* the argument in help: "ID" (NULL for flags) */
    const char *help;   /* lines after the first are indented under it */
    size_t offset;      /* of the value in struct cli_values */
    const char *what;   /* CLI_NUMBER: what it must be, "a circle id" */
    long long min, max; /* CLI_NUMBER */
    const char *const *choices; /* CLI_CHOICE: NULL-terminated */
    const char *setting;        /* CLI_SETTING: the config key */
};

/* An option `--NAME ARG` taking an id (a whole number from 1) into
 * struct cli_values' FIELD; WHAT says what it is in messages. */
#define CLI_ID_OPTION(NAME, ARG, FIELD, WHAT, HELP)                            \
    {                                                                          \
        .name = NAME, .kind = CLI_NUMBER, .arg = ARG, .help = HELP,            \
        .offset = CLI_AT(FIELD), .what = WHAT, .min = 1, .max = LLONG_MAX      \
    }

/* What cli_run() opens before calling run(). */
enum cli_needs {
    CLI_NOTHING,
    CLI_CONFIG, /* ctx->cfg */
    CLI_STORE,  /* ctx->cfg and ctx->st (one connection) */
    CLI_CIRCLE, /* the same, and ctx->circle: the circle --circle names */
    CLI_DAEMON, /* ctx->cfg, signals blocked, ctx->st with a connection
                   per worker thread and one more */
};

struct cli_command;

/* A command's run: what cli_run() parsed and opened for it. */
struct cli_ctx {
    const struct cli_command *cmd;    /* the command */
    const struct cli_command *action; /* its action, or NULL */
    struct cli_values v;
    struct cli_overrides ov;
    int argc;    /* positional arguments after the command and action */
    char **argv; /* (borrowed from main's argv) */
    struct mg_config cfg;
    struct mg_store *st;
    struct mg_circle *circle;
};

struct cli_command {
    const char *name;
    const char *summary;  /* one line, for `mingle --help` */
    const char *args;     /* positional arguments: "FILE" (one per word) */
    const char *requires; /* options that must be given: "circle person" */
    const char *usage;    /* other options to show in usage: "[--seed N]" */
    enum cli_needs needs;
    /* More checks of the command line, before anything is opened (may be
     * NULL): 0, or the exit code after printing why. */
    int (*check)(struct cli_ctx *ctx);
    /* The work: returns the exit code. */
    int (*run)(struct cli_ctx *ctx);

    /* Only in a command's row, not an action's: */
    const char *about;                 /* prose for --help */
    const struct cli_option *options;  /* ends with a NULL name */
    const struct cli_command *actions; /* ends with a NULL name, or NULL */
    const struct cli_values *defaults; /* values before the options, or
                                          NULL for zeroes */
    const char *default_db;            /* instead of mingle.db */
};

/*
 * Run command `cmd` with its arguments (argv[0] is the command's name):
 * parse, check, open what it needs, call run(), release. Returns the
 * process exit code.
 */
int cli_run(const struct cli_command *cmd, int argc, char **argv);

/* Print command `cmd`'s help (usage, about, options) to `out`. */
void cli_help(FILE *out, const struct cli_command *cmd);

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

/* The demo circle's survey: opened now, with a few answers from people
 * who came (survey.c); left as it is once it has answers. */
int cli_survey_demo(struct mg_store *st, int64_t circle_id);

/* Print "mingle: <message>" to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

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

/* The daemon's flags (--listen, --port, ...), for serve and demo. */
extern const struct cli_option cli_serve_options[];

/* The command table (table.c): every command, in the order `mingle
 * --help` lists them, ending with NULL. */
extern const struct cli_command *const cli_commands[];
extern const struct cli_command cli_serve, cli_demo, cli_migrate, cli_token,
    cli_circle, cli_book, cli_people, cli_groups, cli_outbox, cli_notes,
    cli_attendance, cli_report, cli_audit, cli_backup, cli_restore, cli_plenary,
    cli_signup, cli_jobs, cli_reminders, cli_export, cli_certificate, cli_cpd,
    cli_survey;

/*
 * Plan (or rebalance) circle `circle`'s groups, print them, and store
 * them unless `dry`. Returns 0 or an MG_E code (already reported).
 */
int cli_groups_plan(struct mg_store *st, int64_t circle, int dry, uint64_t seed,
                    int rebalance);
/* The same, storing a result that breaks a hard rule only with `force`
 * (MG_ECONFLICT otherwise, after printing the reasons); a rebalance may
 * spend up to `max_moves` moves on balance (0: the fewest moves). */
int cli_groups_run(struct mg_store *st, int64_t circle, int dry, uint64_t seed,
                   int rebalance, int force, int max_moves);

#endif
