/*
 * outbox.c: `mingle outbox flush` delivers the queued mail now (the
 * daemon does the same every outbox_interval seconds); `mingle outbox
 * list --circle ID` shows each message's state.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mingle/mail.h"
#include "mingle/outbox.h"

static const char outbox_help[] =
    "usage: mingle outbox flush\n"
    "       mingle outbox list --circle ID\n\n"
    "Deliver queued mail over SMTP (smtp_url; unset: into the maildir\n"
    "folder), or list a circle's messages with their state.\n\n"
    "options:\n" CLI_CONFIG_HELP "      --circle ID       the circle (list)\n"
    "  -h, --help            show this help\n";

static int flush(struct mg_store *st, const struct mg_config *cfg)
{
    struct mg_outbox_config oc;
    size_t sent = 0, failed = 0, total_sent = 0, total_failed = 0;
    int rc;

    memset(&oc, 0, sizeof(oc));
    oc.smtp_url = cfg->smtp_url;
    oc.smtp_user = cfg->smtp_user;
    oc.smtp_password = cfg->smtp_password;
    oc.maildir = cfg->maildir;
    oc.envelope_from =
        cfg->mail_from ? cfg->mail_from : "mingle@localhost.invalid";
    oc.timeout_seconds = 30;
    oc.max_attempts = cfg->outbox_attempts;
    oc.retry_base = cfg->outbox_retry;
    mg_mail_init();
    /* claims of a sender that died are due again now */
    rc = mg_store_outbox_reclaim(&sent, st, mg_now());
    if (rc == 0 && sent)
        fprintf(stderr,
                "mingle: took back %zu messages a stopped sender "
                "had claimed\n",
                sent);
    do {
        rc = mg_outbox_flush(&sent, &failed, st, &oc, 100);
        total_sent += sent;
        total_failed += failed;
    } while (rc == 0 && sent + failed == 100);
    printf("sent %zu, failed %zu (to %s)\n", total_sent, total_failed,
           cfg->smtp_url ? "SMTP" : cfg->maildir);
    return rc < 0 || total_failed ? 1 : 0;
}

static int list(struct mg_store *st, int64_t circle)
{
    struct mg_outbox_row *rows = NULL;
    size_t n = 0, i;
    int rc = mg_store_outbox_list(&rows, &n, st, circle, NULL, 0);

    if (rc < 0) {
        cli_error("cannot list the outbox: %s", mg_strerror(rc));
        return 1;
    }
    printf("%-6s  %-7s  %-7s  %-3s  %-30s  %s\n", "ID", "KIND", "STATUS", "TRY",
           "TO", "SUBJECT");
    for (i = 0; i < n; i++)
        printf("%-6lld  %-7s  %-7s  %-3d  %-30.30s  %s\n",
               (long long)rows[i].id, rows[i].kind,
               mg_store_outbox_status_name(rows[i].status), rows[i].attempts,
               rows[i].recipient, rows[i].subject);
    mg_store_outbox_free(rows, n);
    return 0;
}

int cmd_outbox(int argc, char **argv)
{
    static const struct option options[] = {
        CLI_CONFIG_OPTIONS,
        {"circle", required_argument, NULL, 'C'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    struct cli_overrides ov;
    struct mg_config cfg;
    struct mg_store *st = NULL;
    long long circle = 0;
    int opt, rc = 1;

    memset(&ov, 0, sizeof(ov));
    for (;;) {
        opt = getopt_long(argc, argv, "c:d:h", options, NULL);
        if (opt == -1)
            break;
        if (cli_take_option(&ov, opt, optarg))
            continue;
        if (opt == 'C') {
            if (cli_parse_id(&circle, "--circle", "a circle id", optarg) < 0)
                return EXIT_USAGE;
            continue;
        }
        if (opt == 'h') {
            fputs(outbox_help, stdout);
            return 0;
        }
        fputs(outbox_help, stderr);
        return EXIT_USAGE;
    }
    if (optind + 1 != argc ||
        (strcmp(argv[optind], "flush") != 0 &&
         strcmp(argv[optind], "list") != 0) ||
        (strcmp(argv[optind], "list") == 0 && !circle)) {
        fputs(outbox_help, stderr);
        return EXIT_USAGE;
    }
    if (cli_config(&cfg, &ov, NULL) < 0)
        return 1;
    if (cli_open_store(&st, &cfg, 1) == 0)
        rc = strcmp(argv[optind], "flush") == 0 ? flush(st, &cfg)
                                                : list(st, circle);
    mg_store_close(st);
    mg_config_release(&cfg);
    return rc;
}
