/*
 * attendance.c: `mingle attendance import FILE --circle ID --session SID`
 * reads a video platform's participant report (Zoom or Teams CSV) and
 * records who came to the session; `attendance show` prints it. With
 * `--plenary P --week N` instead of --session, the same for one call of
 * a plenary (a webinar's attendee report too).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mingle/attendance.h"

#include "banned.h"

static int import(struct mg_store *st, long long circle, long long session,
                  long long plenary, int week, const char *path)
{
    struct mg_buf data = MG_BUF_INIT;
    struct mg_attendance_result res;
    struct mg_error err;
    size_t i;
    int rc;

    memset(&res, 0, sizeof(res));
    memset(&err, 0, sizeof(err));
    if (cli_read_file(&data, path))
        return MG_EIO;
    if (plenary)
        rc = mg_attendance_import_plenary(&res, st, circle, plenary, week,
                                          data.data ? data.data : "", data.len,
                                          &err);
    else
        rc = mg_attendance_import(&res, st, circle, session,
                                  data.data ? data.data : "", data.len, &err);
    if (rc == MG_EINVAL) {
        cli_error("%s: %s; nothing was recorded", path, err.message);
        goto out;
    }
    if (rc == MG_ENOTFOUND && plenary) {
        cli_error("no plenary %lld in circle %lld", plenary, circle);
        goto out;
    }
    if (rc == MG_ENOTFOUND) {
        cli_error("no session %lld in circle %lld", session, circle);
        goto out;
    }
    if (rc < 0) {
        cli_error("%s: cannot record: %s", path, mg_strerror(rc));
        goto out;
    }
    if (plenary)
        printf("%s report for plenary %lld, week %d: %zu matched, %zu "
               "absent, %zu unmatched\n",
               res.format, plenary, week, res.n_matched, res.n_absent,
               res.n_unmatched);
    else
        printf("%s report for session %lld: %zu matched, %zu absent, %zu "
               "unmatched\n",
               res.format, session, res.n_matched, res.n_absent,
               res.n_unmatched);
    for (i = 0; i < res.n_matched; i++)
        printf("  %-8s %-6lld  %-28s %4d min  by %s%s%s\n",
               res.matched[i].present ? "present" : "brief",
               (long long)res.matched[i].participant_id, res.matched[i].name,
               res.matched[i].minutes,
               res.matched[i].by == MG_MATCH_EMAIL ? "email" : "name",
               strcmp(res.matched[i].name, res.matched[i].report_name) ? " as "
                                                                       : "",
               strcmp(res.matched[i].name, res.matched[i].report_name)
                   ? res.matched[i].report_name
                   : "");
    for (i = 0; i < res.n_absent; i++)
        printf("  %-8s %-6lld  %s\n", "absent",
               (long long)res.absent[i].participant_id, res.absent[i].name);
    for (i = 0; i < res.n_unmatched; i++)
        printf("  %-8s %-6s  %-28s %4d min  %s (line %d)\n", "unknown", "-",
               res.unmatched[i].name, res.unmatched[i].minutes,
               res.unmatched[i].email ? res.unmatched[i].email : "no email",
               res.unmatched[i].line);
out:
    mg_attendance_result_release(&res);
    mg_buf_release(&data);
    return rc;
}

static int show(struct mg_store *st, long long circle, long long session,
                long long plenary, int week)
{
    struct mg_session_row s;
    struct mg_plenary_row p;
    struct mg_attendance_row *rows = NULL;
    size_t n = 0, i;
    int rc = plenary ? mg_store_plenary_get(&p, st, circle, plenary)
                     : mg_store_session_get(&s, st, circle, session);

    if (rc == MG_ENOTFOUND) {
        if (plenary)
            cli_error("no plenary %lld in circle %lld", plenary, circle);
        else
            cli_error("no session %lld in circle %lld", session, circle);
        return rc;
    }
    if (rc == 0 && plenary) {
        mg_store_plenary_release(&p);
        rc = mg_store_plenary_attendance_list(&rows, &n, st, plenary, week);
    } else if (rc == 0) {
        rc = mg_store_attendance_list(&rows, &n, st, s.id);
    }
    if (rc < 0) {
        cli_error("cannot read attendance: %s", mg_strerror(rc));
        return rc;
    }
    printf("%-6s  %-28s  %-8s  %7s  %s\n", "ID", "NAME", "PRESENT", "MINUTES",
           "SOURCE");
    for (i = 0; i < n; i++)
        printf("%-6lld  %-28.28s  %-8s  %7d  %s\n",
               (long long)rows[i].participant_id,
               rows[i].name ? rows[i].name : "-",
               rows[i].present ? "yes" : "no", rows[i].minutes, rows[i].source);
    mg_store_attendance_free(rows, n);
    return 0;
}

static int import_run(struct cli_ctx *ctx)
{
    return import(ctx->st, ctx->v.circle, ctx->v.session, ctx->v.plenary,
                  (int)ctx->v.week, ctx->argv[0]) < 0;
}

static int show_run(struct cli_ctx *ctx)
{
    return show(ctx->st, ctx->v.circle, ctx->v.session, ctx->v.plenary,
                (int)ctx->v.week) < 0;
}

/* A group's session, or a plenary's call: one or the other. */
static int check_target(struct cli_ctx *ctx)
{
    if (!ctx->v.session == !ctx->v.plenary) {
        cli_error("give --session SID, or --plenary P with --week N");
        return EXIT_USAGE;
    }
    if (ctx->v.plenary && !ctx->v.week) {
        cli_error("--plenary needs --week N (its first call is week 1)");
        return EXIT_USAGE;
    }
    return 0;
}

static const struct cli_option options[] = {
    CLI_ID_OPTION("circle", "ID", circle, "a circle id", "the circle"),
    CLI_ID_OPTION("session", "SID", session, "a session id",
                  "the session (see GET .../sessions)"),
    CLI_ID_OPTION("plenary", "P", plenary, "a plenary id",
                  "a plenary instead (see mingle plenary list)"),
    {.name = "week",
     .kind = CLI_NUMBER,
     .arg = "N",
     .help = "with --plenary: which of its weekly calls, from 1",
     .offset = CLI_AT(week),
     .what = "a number from 1 to 52",
     .min = 1,
     .max = 52},
    {.name = NULL}};

static const struct cli_command actions[] = {
    {.name = "import",
     .args = "FILE.csv",
     .requires = "circle",
     .usage = "(--session SID | --plenary P --week N)",
     .needs = CLI_STORE,
     .check = check_target,
     .run = import_run},
    {.name = "show",
     .requires = "circle",
     .usage = "(--session SID | --plenary P --week N)",
     .needs = CLI_STORE,
     .check = check_target,
     .run = show_run},
    {.name = NULL}};

const struct cli_command cli_attendance = {
    .name = "attendance",
    .summary = "record who came to a session from a Zoom or Teams report",
    .about =
        "Record who came to a session from the participant report the video\n"
        "platform exports: Zoom's participants CSV (with or without the "
        "meeting\nsummary above it) or Teams' attendance report (UTF-16 or "
        "UTF-8).\nPeople are matched to the group's members by email, then "
        "by name;\nmembers not in the report are recorded absent, and a "
        "member counts\nas present after 10% of the call. People it cannot "
        "match are listed\nand not stored. A malformed report changes "
        "nothing.\n\nFor a plenary's call (--plenary P --week N) people are "
        "matched to\nits registrations, and Zoom's webinar attendee report "
        "is read too;\nthose registered and not in it are recorded absent.\n",
    .options = options,
    .actions = actions,
};
