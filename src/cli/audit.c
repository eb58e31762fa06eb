/*
 * audit.c: `mingle audit [--circle ID] [--after ID] [--limit N]` prints
 * the audit log of coordinators' actions, oldest first: when, who (the
 * token's public id and label), how (api or dashboard), what (method and
 * route), the ids in the path, the answer's status and the client.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#include "banned.h"

static const char audit_help[] =
    "usage: mingle audit [--circle ID] [--after ID] [--limit N]\n\n"
    "Print the audit log: every coordinator action through the API or the\n"
    "dashboard (refused ones too), oldest first. Bodies and secrets are\n"
    "never recorded.\n\n"
    "options:\n" CLI_CONFIG_HELP
    "      --circle ID       one circle's entries\n"
    "      --after ID        entries after this one (for paging)\n"
    "  -n, --limit N         at most N entries (1-1000, default 100)\n"
    "  -h, --help            show this help\n";

int cmd_audit(int argc, char **argv)
{
    static const struct option options[] = {
        CLI_CONFIG_OPTIONS,
        {"circle", required_argument, NULL, 'C'},
        {"after", required_argument, NULL, 'A'},
        {"limit", required_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    struct cli_overrides ov;
    struct mg_config cfg;
    struct mg_store *st = NULL;
    struct mg_audit_entry *list = NULL;
    long long circle = 0, after = 0, limit = 100;
    size_t n = 0, i;
    int opt, rc = 1, err;

    memset(&ov, 0, sizeof(ov));
    for (;;) {
        opt = getopt_long(argc, argv, "c:d:n:h", options, NULL);
        if (opt == -1)
            break;
        if (cli_take_option(&ov, opt, optarg))
            continue;
        switch (opt) {
        case 'C':
            if (cli_parse_id(&circle, "--circle", "a circle id", optarg) < 0)
                return EXIT_USAGE;
            break;
        case 'A':
            if (cli_parse_id(&after, "--after", "an entry id", optarg) < 0)
                return EXIT_USAGE;
            break;
        case 'n':
            if (cli_parse_id(&limit, "--limit", "a number from 1 to 1000",
                             optarg) < 0)
                return EXIT_USAGE;
            if (limit > 1000) {
                cli_error("--limit must be from 1 to 1000");
                return EXIT_USAGE;
            }
            break;
        case 'h':
            fputs(audit_help, stdout);
            return 0;
        default:
            fputs(audit_help, stderr);
            return EXIT_USAGE;
        }
    }
    if (optind != argc) {
        fputs(audit_help, stderr);
        return EXIT_USAGE;
    }
    if (cli_config(&cfg, &ov, NULL) < 0)
        return 1;
    if (cli_open_store(&st, &cfg, 1) < 0)
        goto out;
    err = mg_store_audit_list(&list, &n, st, circle, after, (int)limit);
    if (err < 0) {
        cli_error("cannot read the audit log: %s", mg_strerror(err));
        goto out;
    }
    printf("%-6s  %-20s  %-16s  %-9s  %-6s  %-3s  %-15s  %s\n", "ID", "AT",
           "ACTOR", "VIA", "CIRCLE", "ST", "CLIENT", "ACTION TARGET");
    for (i = 0; i < n; i++) {
        char at[32], c[24];

        mg_format_utc(at, sizeof(at), list[i].at);
        if (list[i].circle_id)
            snprintf(c, sizeof(c), "%lld", (long long)list[i].circle_id);
        else
            snprintf(c, sizeof(c), "-");
        printf("%-6lld  %-20s  %-16s  %-9s  %-6s  %-3d  %-15s  %s %s\n",
               (long long)list[i].id, at, list[i].actor, list[i].via, c,
               list[i].status, list[i].client, list[i].action, list[i].target);
    }
    rc = 0;
out:
    free(list);
    mg_store_close(st);
    mg_config_release(&cfg);
    return rc;
}
