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

static const char report_help[] =
    "usage: mingle report --circle ID [--format json|csv|markdown]\n\n"
    "Print how a circle is going: per session, per group and for the\n"
    "circle, who was invited, accepted, declined and came; the average\n"
    "per session against the circle's attendance target; the sectors and\n"
    "regions of those who came; and how many of week 1 came back each\n"
    "week. CSV has one row per session.\n\n"
    "options:\n" CLI_CONFIG_HELP "      --circle ID       the circle\n"
    "  -f, --format F        json (default), csv or markdown\n"
    "  -h, --help            show this help\n";

int cmd_report(int argc, char **argv)
{
    static const struct option options[] = {
        CLI_CONFIG_OPTIONS,
        {"circle", required_argument, NULL, 'C'},
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    struct cli_overrides ov;
    struct mg_config cfg;
    struct mg_store *st = NULL;
    struct mg_report rep;
    struct mg_buf b = MG_BUF_INIT;
    const char *format = "json";
    long long circle = 0;
    char *text;
    int opt, rc = 1, err;

    memset(&ov, 0, sizeof(ov));
    memset(&rep, 0, sizeof(rep));
    for (;;) {
        opt = getopt_long(argc, argv, "c:d:f:h", options, NULL);
        if (opt == -1)
            break;
        if (cli_take_option(&ov, opt, optarg))
            continue;
        switch (opt) {
        case 'C':
            if (cli_parse_id(&circle, "--circle", "a circle id", optarg) < 0)
                return EXIT_USAGE;
            break;
        case 'f':
            format = optarg;
            if (strcmp(format, "json") != 0 && strcmp(format, "csv") != 0 &&
                strcmp(format, "markdown") != 0) {
                cli_error("--format must be json, csv or markdown, not '%s'",
                          optarg);
                return EXIT_USAGE;
            }
            break;
        case 'h':
            fputs(report_help, stdout);
            return 0;
        default:
            fputs(report_help, stderr);
            return EXIT_USAGE;
        }
    }
    if (optind != argc || !circle) {
        fputs(report_help, stderr);
        return EXIT_USAGE;
    }
    if (cli_config(&cfg, &ov, NULL) < 0)
        return 1;
    if (cli_open_store(&st, &cfg, 1) < 0)
        goto out;
    err = mg_report_load(&rep, st, circle);
    if (err == MG_ENOTFOUND) {
        cli_error("no circle %lld", circle);
        goto out;
    }
    if (err < 0) {
        cli_error("cannot read circle %lld: %s", circle, mg_strerror(err));
        goto out;
    }
    if (strcmp(format, "json") == 0) {
        text = mg_json_report(&rep);
        fputs(text, stdout);
        free(text);
    } else {
        if (strcmp(format, "csv") == 0)
            mg_report_csv(&b, &rep);
        else
            mg_report_markdown(&b, &rep);
        fwrite(b.data ? b.data : "", 1, b.len, stdout);
    }
    rc = 0;
out:
    mg_buf_release(&b);
    mg_report_release(&rep);
    mg_store_close(st);
    mg_config_release(&cfg);
    return rc;
}
