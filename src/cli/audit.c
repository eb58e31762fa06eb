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

static int audit(struct cli_ctx *ctx)
{
    struct mg_audit_entry *list = NULL;
    size_t n = 0, i;
    int rc = 1, err;

    err = mg_store_audit_list(&list, &n, ctx->st, ctx->v.circle, ctx->v.after,
                              (int)ctx->v.limit);
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
    return rc;
}

static const struct cli_option options[] = {
    CLI_ID_OPTION("circle", "ID", circle, "a circle id",
                  "one circle's entries"),
    CLI_ID_OPTION("after", "ID", after, "an entry id",
                  "entries after this one (for paging)"),
    {.name = "limit",
     .short_name = 'n',
     .kind = CLI_NUMBER,
     .arg = "N",
     .help = "at most N entries (1-1000, default 100)",
     .offset = CLI_AT(limit),
     .what = "a number from 1 to 1000",
     .min = 1,
     .max = 1000},
    {.name = NULL}};

static const struct cli_values defaults = {.limit = 100};

const struct cli_command cli_audit = {
    .name = "audit",
    .summary = "who did what: the coordinators' actions",
    .usage = "[--circle ID] [--after ID] [--limit N]",
    .needs = CLI_STORE,
    .run = audit,
    .about = "Print the audit log: every coordinator action through the API "
             "or the\ndashboard (refused ones too), oldest first. Bodies and "
             "secrets are\nnever recorded.\n",
    .options = options,
    .defaults = &defaults,
};
