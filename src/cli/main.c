/*
 * main.c: the `mingle` command. Finds the subcommand and hands it the
 * rest of the arguments; each subcommand parses its own flags and has its
 * own --help.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "mingle/mail.h"
#include "mingle/schedule.h"

#include "banned.h"

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"serve", cmd_serve, "run the daemon (HTTP API, feeds, webhooks)"},
    {"demo", cmd_demo, "set up a demo circle and serve it"},
    {"migrate", cmd_migrate, "bring the database schema up to date"},
    {"token", cmd_token, "create, list and revoke API tokens"},
    {"circle", cmd_circle, "list and show circles"},
    {"book", cmd_book, "split a book into threads and weekly readings"},
    {"people", cmd_people,
     "import, list, export and erase a circle's participants"},
    {"groups", cmd_groups, "plan, rebalance and show facilitated groups"},
    {"outbox", cmd_outbox, "deliver queued mail now, or list it"},
    {"notes", cmd_notes, "print digests, list and review notes from mail"},
    {"attendance", cmd_attendance,
     "record who came to a session from a Zoom or Teams report"},
    {"report", cmd_report,
     "how a circle is going: invited, answers, attendance, retention"},
    {"audit", cmd_audit, "who did what: the coordinators' actions"},
    {"backup", cmd_backup, "copy the database safely while it is in use"},
    {"restore", cmd_restore, "put a backup in place (stop the daemon first)"},
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
    size_t i;

    fprintf(out, "usage: mingle <command> [options]\n\n"
                 "mingle runs online book discussion groups.\n\ncommands:\n");
    for (i = 0; i < N_COMMANDS; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "  %-10s %s\n", "version", "print the version");
    fprintf(out, "\nRun 'mingle <command> --help' for a command's options.\n"
                 "Settings: flags beat MINGLE_* environment variables, which "
                 "beat the\nconfig file (--config or $MINGLE_CONFIG).\n");
}

int main(int argc, char **argv)
{
    size_t i;
    int rc;

    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
        printf("mingle %s\n", MG_VERSION);
        return 0;
    }
    for (i = 0; i < N_COMMANDS; i++) {
        if (strcmp(argv[1], commands[i].name) == 0) {
            rc = commands[i].run(argc - 1, argv + 1);
            mg_schedule_shutdown();
            mg_mail_shutdown();
            return rc;
        }
    }
    cli_error("unknown command '%s' (see 'mingle --help')", argv[1]);
    return EXIT_USAGE;
}
