/*
 * report.c: `mingle report --circle ID [--format json|csv|markdown]`
 * prints a circle's success report: invited, answers, attendance,
 * averages against the target, who came back. The figures are the
 * report module's, the JSON the json module's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mingle/json.h"
#include "mingle/report.h"

#include "banned.h"

static int report(struct cli_ctx *ctx)
{
    struct mg_report rep;
    struct mg_buf b = MG_BUF_INIT;
    long long circle = ctx->v.circle;
    char *text;
    int rc = 1, err;

    memset(&rep, 0, sizeof(rep));
    err = mg_report_load(&rep, ctx->st, circle);
    if (err == MG_ENOTFOUND) {
        cli_error("no circle %lld", circle);
        goto out;
    }
    if (err < 0) {
        cli_error("cannot read circle %lld: %s", circle, mg_strerror(err));
        goto out;
    }
    if (strcmp(ctx->v.format, "json") == 0) {
        text = mg_json_report(&rep);
        fputs(text, stdout);
        free(text);
    } else {
        if (strcmp(ctx->v.format, "csv") == 0)
            mg_report_csv(&b, &rep);
        else
            mg_report_markdown(&b, &rep);
        fwrite(b.data ? b.data : "", 1, b.len, stdout);
    }
    rc = 0;
out:
    mg_buf_release(&b);
    mg_report_release(&rep);
    return rc;
}

static const char *const formats[] = {"json", "csv", "markdown", NULL};

static const struct cli_option options[] = {
    CLI_ID_OPTION("circle", "ID", circle, "a circle id", "the circle"),
    {.name = "format",
     .short_name = 'f',
     .kind = CLI_CHOICE,
     .arg = "F",
     .help = "json (default), csv or markdown",
     .offset = CLI_AT(format),
     .choices = formats},
    {.name = NULL}};

static const struct cli_values defaults = {.format = "json"};

const struct cli_command cli_report = {
    .name = "report",
    .summary = "how a circle is going: invited, answers, attendance, retention",
    .requires = "circle",
    .usage = "[--format json|csv|markdown]",
    .needs = CLI_STORE,
    .run = report,
    .about =
        "Print how a circle is going: per session, per group and for the\n"
        "circle, who was invited, accepted, declined and came; the average\n"
        "per session against the circle's attendance target; the sectors "
        "and\nregions of those who came; and how many of week 1 came back "
        "each\nweek. CSV has one row per session.\n",
    .options = options,
    .defaults = &defaults,
};
