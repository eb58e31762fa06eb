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

#include "banned.h"

static int flush(struct cli_ctx *ctx)
{
    struct mg_store *st = ctx->st;
    const struct mg_config *cfg = &ctx->cfg;
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
                "mingle: took back %zu message%s a stopped sender "
                "had claimed\n",
                sent, sent == 1 ? "" : "s");
    do {
        rc = mg_outbox_flush(&sent, &failed, st, &oc, 100);
        total_sent += sent;
        total_failed += failed;
    } while (rc == 0 && sent + failed == 100);
    printf("sent %zu, failed %zu (to %s)\n", total_sent, total_failed,
           cfg->smtp_url ? "SMTP" : cfg->maildir);
    return rc < 0 || total_failed ? 1 : 0;
}

/* Groups whose invitations could not be made in the last reconcile. */
static int list_failures(struct cli_ctx *ctx)
{
    struct mg_calendar_failure_row *rows = NULL;
    size_t n = 0, i;
    int rc = mg_store_calendar_failures_list(&rows, &n, ctx->st, ctx->v.circle);

    if (rc < 0) {
        cli_error("cannot list the calendar failures: %s", mg_strerror(rc));
        return 1;
    }
    if (n)
        printf("\n%zu group%s could not be sent invitations:\n", n,
               n == 1 ? "" : "s");
    for (i = 0; i < n; i++)
        printf("group %lld%s%s%s: %s\n", (long long)rows[i].group_id,
               rows[i].name[0] ? " (" : "", rows[i].name,
               rows[i].name[0] ? ")" : "", rows[i].cause);
    free(rows);
    return 0;
}

static int list(struct cli_ctx *ctx)
{
    struct mg_outbox_row *rows = NULL;
    size_t n = 0, i;
    int rc = mg_store_outbox_list(&rows, &n, ctx->st, ctx->v.circle, NULL, 0);

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
    return list_failures(ctx);
}

static const struct cli_option options[] = {{.name = "circle",
                                             .kind = CLI_NUMBER,
                                             .arg = "ID",
                                             .help = "the circle (list)",
                                             .offset = CLI_AT(circle),
                                             .what = "a circle id",
                                             .min = 1,
                                             .max = LLONG_MAX},
                                            {.name = NULL}};

static const struct cli_command actions[] = {
    {.name = "flush", .needs = CLI_STORE, .run = flush},
    {.name = "list", .requires = "circle", .needs = CLI_STORE, .run = list},
    {.name = NULL}};

const struct cli_command cli_outbox = {
    .name = "outbox",
    .summary = "deliver queued mail now, or list it",
    .about = "Deliver queued mail over SMTP (smtp_url; unset: into the "
             "maildir\nfolder), or list a circle's messages with their "
             "state.\n",
    .options = options,
    .actions = actions,
};
