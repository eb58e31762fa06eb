/*
 * main.c: the `mingle` command. Finds the subcommand in the command table
 * and hands it to cli_run() (command.c), which parses its options from
 * the table, opens what it needs and runs it.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "mingle/mail.h"
#include "mingle/schedule.h"

#include "banned.h"

static void usage(FILE *out)
{
    size_t i;

    fprintf(out, "usage: mingle <command> [options]\n\n"
                 "mingle runs online book discussion groups.\n\ncommands:\n");
    for (i = 0; cli_commands[i]; i++)
        fprintf(out, "  %-10s %s\n", cli_commands[i]->name,
                cli_commands[i]->summary);
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
    for (i = 0; cli_commands[i]; i++) {
        if (strcmp(argv[1], cli_commands[i]->name) == 0) {
            rc = cli_run(cli_commands[i], argc - 1, argv + 1);
            mg_schedule_shutdown();
            mg_mail_shutdown();
            return rc;
        }
    }
    cli_error("unknown command '%s' (see 'mingle --help')", argv[1]);
    return EXIT_USAGE;
}
