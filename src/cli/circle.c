/*
 * circle.c: `mingle circle list|show`, a coordinator's quick look at the
 * circles in the database; `set` for the call rooms, the alarm and how
 * long personal data is kept; `purge` erases the personal data of a
 * circle whose retention expired. Creating and editing circles goes
 * through the JSON API, which validates and reports field by field.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mingle/calendar.h"
#include "mingle/circle.h"
#include "mingle/report.h"
#include "mingle/retention.h"

#include "banned.h"

static void print_circle(const struct mg_circle *c)
{
    size_t i;

    printf("circle %lld: %s\n", (long long)c->id, c->title);
    if (c->slug)
        printf("  slug:       %s\n", c->slug);
    printf("  time zone:  %s\n", c->time_zone);
    printf("  starts:     %s, %d week%s\n", c->start_date, c->weeks,
           c->weeks == 1 ? "" : "s");
    printf("  groups:     %d-%d people\n", c->group_min, c->group_max);
    printf("  language:   %s\n", mg_circle_language(c));
    for (i = 0; i < c->n_slots; i++)
        printf("  call slot:  %s %02d:%02d for %d min\n",
               mg_weekday_name(c->slots[i].weekday),
               c->slots[i].start_minute / 60, c->slots[i].start_minute % 60,
               c->slots[i].minutes);
    if (c->video_url)
        printf("  video call: %s\n", c->video_url);
    if (c->call_url_template)
        printf("  call rooms: %s\n", c->call_url_template);
    if (mg_circle_alarm(c))
        printf("  alarm:      %d min before each call\n", mg_circle_alarm(c));
    else
        printf("  alarm:      none\n");
    if (c->organizer_email)
        printf("  organizer:  %s <%s>\n",
               c->organizer_name ? c->organizer_name : "", c->organizer_email);
}

/* How long circle `id`'s personal data is kept, and when it goes. */
static void print_retention(struct mg_store *st, int64_t id)
{
    struct mg_retention r;
    char when[32];

    if (mg_retention_get(&r, st, id) < 0)
        return;
    if (r.purged_at) {
        mg_report_time(when, sizeof(when), r.purged_at);
        printf("  data:       purged %s UTC\n", when);
    } else if (r.expires_at) {
        mg_report_time(when, sizeof(when), r.expires_at);
        printf("  data:       kept %d days after the last call, until %s "
               "UTC%s\n",
               r.days, when, r.is_default ? " (the default)" : "");
    } else {
        printf("  data:       kept until purged by hand\n");
    }
    printf("  summaries:  %s\n", r.keep_summaries
                                     ? "kept without names after a purge"
                                     : "erased with the people");
}

static int list(struct cli_ctx *ctx)
{
    struct mg_store *st = ctx->st;
    int64_t after = 0;

    for (;;) {
        struct mg_circle *list = NULL;
        size_t n = 0, i;
        int rc = mg_store_circle_list(&list, &n, st, after, 200);

        if (rc < 0) {
            cli_error("cannot list circles: %s", mg_strerror(rc));
            return 1;
        }
        for (i = 0; i < n; i++)
            printf("%lld\t%s\t%s\t%s\t%d weeks\n", (long long)list[i].id,
                   list[i].slug ? list[i].slug : "-", list[i].start_date,
                   list[i].title, list[i].weeks);
        if (n)
            after = list[n - 1].id;
        mg_store_circles_free(list, n);
        if (n < 200)
            return 0;
    }
}

/* `show ID`: the id into ctx->v.id. */
static int check_show(struct cli_ctx *ctx)
{
    char *end;
    long long id = strtoll(ctx->argv[0], &end, 10);

    if (*end || id < 1) {
        cli_error("not a circle id: '%s'", ctx->argv[0]);
        return EXIT_USAGE;
    }
    ctx->v.id = id;
    return 0;
}

static int show(struct cli_ctx *ctx)
{
    struct mg_circle *c = NULL;
    long long id = ctx->v.id;
    int rc = mg_store_circle_get(&c, ctx->st, id);

    if (rc == 0) {
        print_circle(c);
        print_retention(ctx->st, c->id);
    } else if (rc == MG_ENOTFOUND)
        cli_error("no circle %lld", id);
    else
        cli_error("cannot read circle %lld: %s", id, mg_strerror(rc));
    mg_circle_free(c);
    return rc < 0 ? 1 : 0;
}

/* "none" (or "") clears a setting given on the command line. */
static int is_none(const char *v)
{
    return !*v || strcmp(v, "none") == 0;
}

/* `set ID --retention-days N|none --keep-summaries yes|no`: how long
 * the circle's personal data is kept after its last call. */
static int set_retention(struct cli_ctx *ctx)
{
    struct mg_retention r;
    struct mg_error err = {{0}, {0}};
    int rc = mg_retention_get(&r, ctx->st, ctx->v.id), days, keep;

    if (rc == MG_ENOTFOUND) {
        cli_error("no circle %lld", ctx->v.id);
        return 1;
    }
    if (rc < 0) {
        cli_error("cannot read circle %lld: %s", ctx->v.id, mg_strerror(rc));
        return 1;
    }
    days = r.days;
    keep = r.keep_summaries;
    if (ctx->v.retention_days) {
        char *end;
        long d = strtol(ctx->v.retention_days, &end, 10);

        if (is_none(ctx->v.retention_days)) {
            d = 0;
        } else if (*end || d < MG_RETENTION_MIN_DAYS ||
                   d > MG_RETENTION_MAX_DAYS) {
            cli_error("--retention-days: must be %d..%d, or none to keep the "
                      "data until purged by hand, not '%s'",
                      MG_RETENTION_MIN_DAYS, MG_RETENTION_MAX_DAYS,
                      ctx->v.retention_days);
            return EXIT_USAGE;
        }
        days = (int)d;
    }
    if (ctx->v.keep_summaries)
        keep = strcmp(ctx->v.keep_summaries, "yes") == 0;
    rc = mg_retention_set(ctx->st, ctx->v.id, days, keep, &err);
    if (rc < 0) {
        cli_error("cannot change circle %lld: %s", ctx->v.id,
                  err.message[0] ? err.message : mg_strerror(rc));
        return 1;
    }
    printf("circle %lld:\n", ctx->v.id);
    print_retention(ctx->st, ctx->v.id);
    return 0;
}

/*
 * `set ID --call-url-template URL|none --alarm-minutes N`: the groups'
 * call rooms and the calendar alarm. When the rooms change, the
 * members of the groups that use the template are sent the update.
 */
static int set(struct cli_ctx *ctx)
{
    struct mg_circle *old = NULL, next;
    struct mg_error err = {{0}, {0}};
    int64_t *ids = NULL;
    size_t n = 0, queued = 0, i;
    char **warn = NULL;
    int rc;

    memset(&next, 0, sizeof(next));
    if (!ctx->v.call_url_template && !ctx->v.alarm_minutes &&
        !ctx->v.retention_days && !ctx->v.keep_summaries) {
        cli_error("give --call-url-template, --alarm-minutes, "
                  "--retention-days and/or --keep-summaries");
        return EXIT_USAGE;
    }
    if (!ctx->v.call_url_template && !ctx->v.alarm_minutes)
        return set_retention(ctx);
    rc = mg_store_circle_get(&old, ctx->st, ctx->v.id);
    if (rc < 0) {
        cli_error("no circle %lld", ctx->v.id);
        return 1;
    }
    mg_circle_copy(&next, old);
    if (ctx->v.call_url_template) {
        free(next.call_url_template);
        next.call_url_template = is_none(ctx->v.call_url_template)
                                     ? NULL
                                     : mg_xstrdup(ctx->v.call_url_template);
    }
    if (ctx->v.alarm_minutes) {
        char *end;
        long m = strtol(ctx->v.alarm_minutes, &end, 10);

        if (!*ctx->v.alarm_minutes || *end || m < 0 ||
            m > MG_CIRCLE_ALARM_MAX) {
            cli_error("--alarm-minutes: must be 0..%d (0: no alarm), not '%s'",
                      MG_CIRCLE_ALARM_MAX, ctx->v.alarm_minutes);
            rc = EXIT_USAGE;
            goto out;
        }
        next.alarm_minutes = m ? (int)m : -1;
    }
    rc = mg_circle_validate(&next, &err);
    if (rc < 0) {
        cli_error("%s: %s",
                  strcmp(err.field, "call_url_template") == 0
                      ? "--call-url-template"
                      : err.field,
                  err.message);
        rc = 1;
        goto out;
    }
    rc = mg_store_circle_update(ctx->st, &next);
    if (rc == 0)
        rc = mg_calendar_links_bump(&ids, &n, ctx->st, old, &next);
    if (rc == 0 && n) {
        struct mg_calendar_scope scope = {NULL, 0, ids, n};

        rc = mg_calendar_reconcile_scope(&queued, ctx->st, next.id, &scope,
                                         &err);
    }
    if (rc < 0) {
        cli_error("cannot change circle %lld: %s", ctx->v.id,
                  err.message[0] ? err.message : mg_strerror(rc));
        rc = 1;
        goto out;
    }
    if (ctx->v.retention_days || ctx->v.keep_summaries) {
        rc = set_retention(ctx);
        if (rc)
            goto out;
    }
    print_circle(&next);
    printf("%zu group%s' call link changed; %zu update%s queued\n", n,
           n == 1 ? "" : "s", queued, queued == 1 ? "" : "s");
    mg_circle_warnings(&warn, &n, &next);
    for (i = 0; i < n; i++)
        printf("warning: %s\n", warn[i]);
    mg_circle_warnings_free(warn, n);
out:
    free(ids);
    mg_circle_release(&next);
    mg_circle_free(old);
    return rc;
}

/*
 * `purge --circle ID [--dry-run] [--yes] [--now]`: erase the personal
 * data of a circle whose retention expired, as the daemon does once a
 * day; --now before it expires. Without --yes it only says what would
 * go.
 */
static int purge(struct cli_ctx *ctx)
{
    struct mg_purge_stats s;
    struct mg_error err = {{0}, {0}};
    int dry = ctx->v.dry_run || !ctx->v.yes;
    int flags =
        (dry ? MG_PURGE_DRY_RUN : 0) | (ctx->v.force ? MG_PURGE_NOW : 0);
    int rc = mg_retention_purge(&s, ctx->st, ctx->v.circle, mg_now(), flags, 0,
                                "cli", "cli", &err);

    if (rc == MG_ENOTFOUND) {
        cli_error("no circle %lld", ctx->v.circle);
        return 1;
    }
    if (rc == MG_ECONFLICT) {
        cli_error("%s; nothing was erased", err.message);
        return 1;
    }
    if (rc < 0) {
        cli_error("cannot purge circle %lld: %s; what went is gone, run it "
                  "again to go on",
                  ctx->v.circle, mg_strerror(rc));
        return 1;
    }
    if (dry) {
        printf("circle %lld: would erase %zu %s%s", ctx->v.circle, s.people,
               s.people == 1 ? "person" : "people",
               s.kept_summaries ? "" : " and their notes");
        if (s.kept_summaries)
            printf(", keep %zu summar%s without names", s.summaries,
                   s.summaries == 1 ? "y" : "ies");
        printf(", the circle's mail and secrets; the report is kept\n");
        if (!ctx->v.dry_run) {
            cli_error("nothing was erased: give --yes to erase");
            return EXIT_USAGE;
        }
        return 0;
    }
    printf("circle %lld: erased %zu %s", ctx->v.circle, s.people,
           s.people == 1 ? "person" : "people");
    if (s.kept_summaries)
        printf(", kept %zu summar%s without names", s.summaries,
               s.summaries == 1 ? "y" : "ies");
    printf(", %zu other row%s (notes, mail, secrets); the report is kept\n",
           s.rest, s.rest == 1 ? "" : "s");
    return 0;
}

static const char *const yes_no[] = {"yes", "no", NULL};

static const struct cli_option options[] = {
    CLI_ID_OPTION("circle", "ID", circle, "a circle id", "purge: the circle"),
    {.name = "retention-days",
     .kind = CLI_TEXT,
     .arg = "N",
     .help = "keep personal data N days after the last call (default 365);\n"
             "none: until purged by hand",
     .offset = CLI_AT(retention_days)},
    {.name = "keep-summaries",
     .kind = CLI_CHOICE,
     .arg = "yes|no",
     .help = "a purge keeps the summaries without names (default no)",
     .offset = CLI_AT(keep_summaries),
     .choices = yes_no},
    {.name = "dry-run",
     .short_name = 'n',
     .kind = CLI_FLAG,
     .help = "purge: say what would go, erase nothing",
     .offset = CLI_AT(dry_run)},
    {.name = "yes",
     .kind = CLI_FLAG,
     .help = "purge: erase (without it, only say what would go)",
     .offset = CLI_AT(yes)},
    {.name = "now",
     .kind = CLI_FLAG,
     .help = "purge: before the circle's retention expires",
     .offset = CLI_AT(force)},
    {.name = "call-url-template",
     .kind = CLI_TEXT,
     .arg = "URL",
     .help = "each group's call link, from {circle}, {group} and {secret}\n"
             "(e.g. https://meet.jit.si/{circle}-{group}-{secret}); none to\n"
             "use the circle's video link",
     .offset = CLI_AT(call_url_template)},
    {.name = "alarm-minutes",
     .kind = CLI_TEXT,
     .arg = "N",
     .help = "the calendar alarm, N minutes before each call (0: none)",
     .offset = CLI_AT(alarm_minutes)},
    {.name = NULL}};

static const struct cli_command actions[] = {
    {.name = "list", .needs = CLI_STORE, .run = list},
    {.name = "show",
     .args = "ID",
     .needs = CLI_STORE,
     .check = check_show,
     .run = show},
    {.name = "set",
     .args = "ID",
     .usage = "[--call-url-template URL|none] [--alarm-minutes N] "
              "[--retention-days N|none] [--keep-summaries yes|no]",
     .needs = CLI_STORE,
     .check = check_show,
     .run = set},
    {.name = "purge",
     .requires = "circle",
     .usage = "[--dry-run] [--yes] [--now]",
     .needs = CLI_STORE,
     .run = purge},
    {.name = NULL}};

const struct cli_command cli_circle = {
    .name = "circle",
    .summary = "list and show circles, set their call rooms, alarm and "
               "retention, purge their data",
    .about = "List the circles in the database, or show one with its call "
             "slots.\nSet one's call link template (a room per group) and "
             "its calendar\nalarm; the members of groups whose link changes "
             "are sent the update.\nSet how long its personal data is kept "
             "after its last call; `purge`\nerases it once that time is "
             "over (the daemon does so daily), keeping\nthe report and, if "
             "chosen, the summaries without names.\n",
    .options = options,
    .actions = actions,
};
