/*
 * jobs.c: `mingle jobs list` shows what the daemon's scheduler will do
 * and when (reminders, the facilitators' mail after calls, nudges), and
 * what it did; `mingle reminders show|set --circle ID` reads and sets a
 * circle's reminders: the offsets before each call, on or off, and the
 * days after a call before the coordinator is told a summary is missing.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mingle/jobs.h"

#include "banned.h"

/* "1774000000", "2027-03-22", "2027-03-22T19:30Z" or with seconds: Unix
 * seconds (UTC), or -1. */
static int64_t parse_when(const char *s)
{
    int y, mo, d, h = 0, mi = 0, sec = 0, used = 0;
    size_t i, n = strlen(s);

    for (i = 0; i < n && isdigit((unsigned char)s[i]); i++)
        ;
    if (n && i == n && n <= 12)
        return strtoll(s, NULL, 10);
    if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &used) != 3)
        return -1;
    if (s[used] == 'T' || s[used] == ' ') {
        int more = 0;

        if (sscanf(s + used + 1, "%2d:%2d%n", &h, &mi, &more) != 2)
            return -1;
        used += 1 + more;
        if (s[used] == ':') {
            if (sscanf(s + used + 1, "%2d%n", &sec, &more) != 1)
                return -1;
            used += 1 + more;
        }
        if (s[used] == 'Z')
            used++;
    }
    if (s[used] || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
        sec > 59)
        return -1;
    return mg_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
}

static int check_list(struct cli_ctx *ctx)
{
    if (ctx->v.due_before && parse_when(ctx->v.due_before) < 0) {
        cli_error("--due-before: '%s' is not a time (2027-03-22T19:30Z, a "
                  "date or Unix seconds)",
                  ctx->v.due_before);
        return 2;
    }
    return 0;
}

static int list(struct cli_ctx *ctx)
{
    struct mg_job_row *rows = NULL;
    size_t n = 0, i;
    int64_t before = ctx->v.due_before ? parse_when(ctx->v.due_before) : 0;
    int rc = mg_store_jobs_list(&rows, &n, ctx->st, ctx->v.circle, before,
                                ctx->v.limit ? (int)ctx->v.limit : 100);

    if (rc < 0) {
        cli_error("cannot list the jobs: %s", mg_strerror(rc));
        return 1;
    }
    printf("%-7s  %-8s  %-7s  %-20s  %-6s  %-7s  %-6s  %-4s  %-7s  %s\n", "ID",
           "KIND", "STATUS", "DUE (UTC)", "CIRCLE", "SESSION", "GROUP", "WEEK",
           "OFFSET", "NOTE");
    for (i = 0; i < n; i++) {
        const struct mg_job_row *j = &rows[i];
        char due[32], offset[16];

        mg_format_utc(due, sizeof(due), j->due_at);
        if (j->kind == MG_JOB_REMINDER)
            snprintf(offset, sizeof(offset), "-%dm", -j->offset_minutes);
        else
            snprintf(offset, sizeof(offset), "+%dm", j->offset_minutes);
        printf("%-7lld  %-8s  %-7s  %-20s  %-6lld  %-7lld  %-6lld  %-4d  "
               "%-7s  %s\n",
               (long long)j->id, mg_store_job_kind_name(j->kind),
               mg_store_job_status_name(j->status), due,
               (long long)j->circle_id, (long long)j->session_id,
               (long long)j->group_id, j->week, offset, j->note);
    }
    if (n == 0)
        printf("(no jobs)\n");
    free(rows);
    return 0;
}

static void print_settings(const struct mg_reminder_settings *s)
{
    char offsets[128];

    mg_jobs_offsets_format(offsets, sizeof(offsets), s);
    printf("reminders: %s\n", s->enabled ? "on" : "off");
    printf("offsets: %s\n", offsets[0] ? offsets : "(none)");
    printf("nudge_days: %d\n", s->nudge_days);
}

static int show(struct cli_ctx *ctx)
{
    struct mg_reminder_settings s;
    int rc = mg_store_reminder_settings_get(&s, ctx->st, ctx->v.circle);

    if (rc < 0) {
        cli_error("cannot read the reminders of circle %lld: %s", ctx->v.circle,
                  mg_strerror(rc));
        return 1;
    }
    print_settings(&s);
    return 0;
}

/* --nudge-days: a whole number from 0 (never) to 60, or -1. */
static int nudge_days(const char *s)
{
    char *end;
    long v;

    if (!s || !isdigit((unsigned char)*s))
        return -1;
    v = strtol(s, &end, 10);
    return *end || v > 60 ? -1 : (int)v;
}

static int check_set(struct cli_ctx *ctx)
{
    struct mg_reminder_settings s;
    struct mg_error err = {0};

    if (!ctx->v.offsets && !ctx->v.reminders && !ctx->v.nudge_days) {
        cli_error("set: give --offsets, --reminders or --nudge-days");
        return 2;
    }
    if (ctx->v.offsets && mg_jobs_offsets_parse(&s, ctx->v.offsets, &err) < 0) {
        cli_error("--offsets: %s", err.message);
        return 2;
    }
    if (ctx->v.nudge_days && nudge_days(ctx->v.nudge_days) < 0) {
        cli_error("--nudge-days: '%s' is not a number from 0 to 60",
                  ctx->v.nudge_days);
        return 2;
    }
    return 0;
}

static int set(struct cli_ctx *ctx)
{
    struct mg_reminder_settings s;
    struct mg_error err = {0};
    size_t added = 0;
    int rc = mg_store_reminder_settings_get(&s, ctx->st, ctx->v.circle);

    if (rc == 0 && ctx->v.offsets)
        rc = mg_jobs_offsets_parse(&s, ctx->v.offsets, &err);
    if (rc == 0 && ctx->v.reminders)
        s.enabled = strcmp(ctx->v.reminders, "on") == 0;
    if (rc == 0 && ctx->v.nudge_days)
        s.nudge_days = nudge_days(ctx->v.nudge_days);
    if (rc == 0)
        rc = mg_store_reminder_settings_put(&added, ctx->st, ctx->v.circle, &s);
    if (rc < 0) {
        cli_error("cannot set the reminders of circle %lld: %s", ctx->v.circle,
                  mg_strerror(rc));
        return 1;
    }
    print_settings(&s);
    printf("jobs made: %zu\n", added);
    return 0;
}

static const char *const on_off[] = {"on", "off", NULL};

static const struct cli_option job_options[] = {
    CLI_ID_OPTION("circle", "ID", circle, "a circle id",
                  "only this circle's jobs"),
    {.name = "due-before",
     .kind = CLI_TEXT,
     .arg = "T",
     .help = "only jobs due before T (2027-03-22T19:30Z, a date,\n"
             "or Unix seconds)",
     .offset = CLI_AT(due_before)},
    {.name = "limit",
     .kind = CLI_NUMBER,
     .arg = "N",
     .help = "at most N jobs (default 100)",
     .offset = CLI_AT(limit),
     .what = "a number of at least 1",
     .min = 1,
     .max = INT_MAX},
    {.name = NULL}};

static const struct cli_command job_actions[] = {
    {.name = "list",
     .usage = "[--circle ID] [--due-before T] [--limit N]",
     .needs = CLI_STORE,
     .check = check_list,
     .run = list},
    {.name = NULL}};

const struct cli_command cli_jobs = {
    .name = "jobs",
    .summary = "list what the scheduler will do and when",
    .about = "List the jobs of the daemon's scheduler, soonest first: "
             "reminders before\neach group call (OFFSET before it), the "
             "facilitators' mail after a call\nand the coordinator's nudge "
             "when a summary is late (OFFSET after the\ncall's end), with "
             "what became of each (done, skipped, late).\n",
    .options = job_options,
    .actions = job_actions,
};

static const struct cli_option reminder_options[] = {
    CLI_ID_OPTION("circle", "ID", circle, "a circle id", "the circle"),
    {.name = "offsets",
     .kind = CLI_TEXT,
     .arg = "LIST",
     .help = "when to remind before each call: 24h,1h (default),\n"
             "90m, 2d, ...",
     .offset = CLI_AT(offsets)},
    {.name = "reminders",
     .kind = CLI_CHOICE,
     .arg = "on|off",
     .help = "send reminders or not",
     .offset = CLI_AT(reminders),
     .choices = on_off},
    {.name = "nudge-days",
     .kind = CLI_TEXT,
     .arg = "N",
     .help = "tell the coordinator when a summary is N days late\n"
             "(default 3; 0: never)",
     .offset = CLI_AT(nudge_days)},
    {.name = NULL}};

static const struct cli_command reminder_actions[] = {
    {.name = "show", .requires = "circle", .needs = CLI_STORE, .run = show},
    {.name = "set",
     .requires = "circle",
     .usage = "[--offsets LIST] [--reminders on|off] [--nudge-days N]",
     .needs = CLI_STORE,
     .check = check_set,
     .run = set},
    {.name = NULL}};

const struct cli_command cli_reminders = {
    .name = "reminders",
    .summary = "show or set a circle's reminders before calls",
    .about = "Show or set a circle's reminders: the mail each member gets "
             "before each\ngroup call (by default 24 hours and 1 hour "
             "before), whether they are\nsent, and after how many days "
             "the coordinator is told that a group's\nsummary of a call "
             "has not arrived. A member can turn reminders off\nfrom "
             "their page.\n",
    .options = reminder_options,
    .actions = reminder_actions,
};
