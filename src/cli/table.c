/*
 * table.c: the command table, every subcommand of `mingle` in the order
 * `mingle --help` lists them. Each row is defined beside its code
 * (cli_people in people.c, ...); main.c looks commands up here, and a
 * test walks the table to check every row's help and usage errors.
 */
#include "cli.h"

#include "banned.h"

const struct cli_command *const cli_commands[] = {
    &cli_serve,      &cli_demo,        &cli_migrate,   &cli_token,  &cli_circle,
    &cli_book,       &cli_people,      &cli_groups,    &cli_outbox, &cli_notes,
    &cli_attendance, &cli_plenary,     &cli_signup,    &cli_survey, &cli_report,
    &cli_export,     &cli_certificate, &cli_cpd,       &cli_audit,  &cli_backup,
    &cli_restore,    &cli_jobs,        &cli_reminders, NULL};
