/*
 * export.c: `mingle export --circle ID --what KIND --format xlsx|csv
 * [--out FILE]` writes one of a circle's spreadsheets (the roster, the
 * groups, the attendance matrix, RSVPs, the success report...) to FILE
 * or standard output. The kinds are the export module's table.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "mingle/export.h"

#include "banned.h"

/* "roster, groups, ..." onto stderr after `why`. */
static void list_kinds(const char *why)
{
    const struct mg_export_kind *k;
    size_t n, i;

    k = mg_export_kinds(&n);
    fprintf(stderr, "mingle: %s; --what is one of: ", why);
    for (i = 0; i < n; i++)
        fprintf(stderr, "%s%s", i ? ", " : "", k[i].name);
    fputs("\n", stderr);
}

/* The format: --format, else --out's extension, else CSV. */
static int pick_format(enum mg_export_format *f, const struct cli_ctx *ctx)
{
    const char *dot;

    if (ctx->v.format)
        return mg_export_parse_format(f, ctx->v.format);
    *f = MG_EXPORT_CSV;
    dot = ctx->v.out ? strrchr(ctx->v.out, '.') : NULL;
    if (dot && strcmp(dot, ".xlsx") == 0)
        *f = MG_EXPORT_XLSX;
    return 0;
}

static int check(struct cli_ctx *ctx)
{
    enum mg_export_format f;

    if (!ctx->v.what || !*ctx->v.what) {
        list_kinds("export needs --what KIND");
        return EXIT_USAGE;
    }
    if (!mg_export_find(ctx->v.what)) {
        char why[128];

        snprintf(why, sizeof(why), "no export called '%.60s'", ctx->v.what);
        list_kinds(why);
        return EXIT_USAGE;
    }
    if (pick_format(&f, ctx) < 0) {
        cli_error("--format must be csv or xlsx");
        return EXIT_USAGE;
    }
    if (ctx->v.out && !*ctx->v.out) {
        cli_error("--out needs a file name");
        return EXIT_USAGE;
    }
    if (f == MG_EXPORT_XLSX && !ctx->v.out && isatty(STDOUT_FILENO)) {
        cli_error("not writing a workbook to a terminal: give --out FILE or "
                  "redirect the output");
        return EXIT_USAGE;
    }
    return 0;
}

/* Write `len` bytes to `path` through a temporary file beside it, so a
 * failure never leaves half a file under the name; 0 or -1 (reported). */
static int write_file(const char *path, const char *data, size_t len)
{
    char *tmp = mg_xasprintf("%s.tmp-%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    int rc = -1;

    if (!f) {
        cli_error("cannot write %s: %s", path, strerror(errno));
        goto out;
    }
    if (fwrite(data, 1, len, f) != len || fflush(f) != 0) {
        cli_error("cannot write %s: %s", path, strerror(errno));
        fclose(f);
        remove(tmp);
        goto out;
    }
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        cli_error("cannot write %s: %s", path, strerror(errno));
        remove(tmp);
        goto out;
    }
    rc = 0;
out:
    free(tmp);
    return rc;
}

static int run(struct cli_ctx *ctx)
{
    struct mg_sheet **sheets = NULL;
    struct mg_buf b = MG_BUF_INIT;
    enum mg_export_format f = MG_EXPORT_CSV;
    size_t n = 0;
    long long circle = ctx->v.circle;
    int rc = 1, err;

    pick_format(&f, ctx);
    err = mg_export_build(&sheets, &n, ctx->st, circle, ctx->v.what);
    if (err == MG_ENOTFOUND) {
        cli_error("no circle %lld", circle);
        goto out;
    }
    if (err < 0) {
        cli_error("cannot export %s of circle %lld: %s", ctx->v.what, circle,
                  mg_strerror(err));
        goto out;
    }
    err = mg_export_write(&b, sheets, n, f);
    if (err < 0) {
        cli_error("cannot write the %s: %s", ctx->v.what, mg_strerror(err));
        goto out;
    }
    if (ctx->v.out) {
        if (write_file(ctx->v.out, b.data ? b.data : "", b.len) < 0)
            goto out;
    } else if (fwrite(b.data ? b.data : "", 1, b.len, stdout) != b.len ||
               fflush(stdout) != 0) {
        cli_error("cannot write to standard output");
        goto out;
    }
    rc = 0;
out:
    mg_buf_release(&b);
    mg_export_free(sheets, n);
    return rc;
}

static const char *const formats[] = {"csv", "xlsx", NULL};

static const struct cli_option options[] = {
    CLI_ID_OPTION("circle", "ID", circle, "a circle id", "the circle"),
    {.name = "what",
     .short_name = 'w',
     .kind = CLI_TEXT,
     .arg = "KIND",
     .help = "roster, groups, attendance, rsvps, report (see above)",
     .offset = CLI_AT(what)},
    {.name = "format",
     .short_name = 'f',
     .kind = CLI_CHOICE,
     .arg = "F",
     .help = "csv or xlsx (default: from --out's extension, else csv)",
     .offset = CLI_AT(format),
     .choices = formats},
    {.name = "out",
     .short_name = 'o',
     .kind = CLI_TEXT,
     .arg = "FILE",
     .help = "write to FILE (default: standard output)",
     .offset = CLI_AT(out)},
    {.name = NULL}};

const struct cli_command cli_export = {
    .name = "export",
    .summary = "a circle's spreadsheets: roster, groups, attendance, RSVPs, "
               "report",
    .requires = "circle",
    .usage = "--what KIND [--format csv|xlsx] [--out FILE]",
    .needs = CLI_STORE,
    .check = check,
    .run = run,
    .about =
        "Write one of a circle's spreadsheets as CSV or as an XLSX workbook:\n"
        "  roster      a row per person: contact, sector, region, group,\n"
        "              thread, slots, wishes, sign-up consent\n"
        "  groups      a row per group: slot, thread, facilitators, members,\n"
        "              call link, address\n"
        "  attendance  people by calls: 1 present, 0 absent, empty not\n"
        "              recorded, per group week and plenary call; calls\n"
        "              attended and hours (the workbook adds the minutes)\n"
        "  rsvps       every answer to a call: who, which call, the answer,\n"
        "              where it came from and when\n"
        "  report      the success report: its CSV is `mingle report\n"
        "              --format csv`; the workbook adds the circle's figures,\n"
        "              groups, retention, plenaries, sectors and regions\n"
        "CSV is the first sheet alone. A cell that a spreadsheet would run\n"
        "as a formula (= + - @ first) is written with a ' in front. Times\n"
        "are in the circle's time zone unless a column says UTC.\n",
    .options = options,
};
