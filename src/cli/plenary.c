/*
 * plenary.c: `mingle plenary list|show|cancel`: a circle's plenary
 * sessions with their places, one plenary's registrations and waitlist
 * in order with each call's attendance, and calling a whole plenary off
 * (a CANCEL to everyone registered, queued in the outbox). The rules
 * and the mail are the plenary module's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mingle/circle.h"
#include "mingle/plenary.h"
#include "mingle/report.h"
#include "mingle/schedule.h"

#include "banned.h"

static int list_run(struct cli_ctx *ctx)
{
    struct mg_plenary_row *rows = NULL;
    size_t n = 0, i;
    char when[32];
    int rc = mg_store_plenaries_list(&rows, &n, ctx->st, ctx->circle->id);

    if (rc < 0) {
        cli_error("cannot list plenaries: %s", mg_strerror(rc));
        return 1;
    }
    if (!n) {
        printf("no plenary sessions in circle %lld\n",
               (long long)ctx->circle->id);
        return 0;
    }
    printf("%-6s  %-28s  %-16s  %5s  %6s  %10s  %10s  %6s  %s\n", "ID", "TITLE",
           "STARTS", "CALLS", "PLACES", "REGISTERED", "WAITLISTED", "TARGET",
           "STATUS");
    for (i = 0; i < n; i++) {
        const struct mg_plenary_row *p = &rows[i];

        mg_schedule_local_text(when, sizeof(when), ctx->circle->time_zone,
                               p->starts_at, ' ');
        printf("%-6lld  %-28.28s  %-16s  %5d  %6d  %10d  %10d  ",
               (long long)p->id, p->title, when, p->weeks, p->capacity,
               p->registered, p->waitlisted);
        if (p->target)
            printf("%6d", p->target);
        else
            printf("%6s", "-");
        printf("  %s\n", mg_store_plenary_status_name(p->status));
    }
    mg_store_plenaries_free(rows, n);
    return 0;
}

static int check_id(struct cli_ctx *ctx)
{
    const char *arg = ctx->argv[0];
    char *end;

    ctx->v.id = strtoll(arg, &end, 10);
    if (*end || ctx->v.id < 1) {
        cli_error("the plenary id must be a number of at least 1, not '%s'",
                  arg);
        return EXIT_USAGE;
    }
    return 0;
}

static int get(struct mg_plenary_row *p, struct cli_ctx *ctx)
{
    int rc = mg_store_plenary_get(p, ctx->st, ctx->circle->id, ctx->v.id);

    if (rc == MG_ENOTFOUND)
        cli_error("no plenary %lld in circle %lld", ctx->v.id,
                  (long long)ctx->circle->id);
    else if (rc < 0)
        cli_error("cannot read plenary %lld: %s", ctx->v.id, mg_strerror(rc));
    return rc;
}

/* Each call's start and what its import found, if any. */
static int print_calls(struct cli_ctx *ctx, const struct mg_plenary_row *p)
{
    struct mg_store_plenary_week *w = NULL;
    size_t n = 0, i;
    int week, rc = mg_store_report_plenary_weeks(&w, &n, ctx->st, p->circle_id);

    if (rc < 0)
        return rc;
    printf("\n%-4s  %-16s  %s\n", "CALL", "STARTS", "ATTENDANCE");
    for (week = 1; week <= p->weeks; week++) {
        int64_t at;
        char when[32];

        if (mg_report_occurrence_start(&at, ctx->circle->time_zone,
                                       p->starts_at, week) < 0)
            at = p->starts_at + (int64_t)(week - 1) * 7 * 86400;
        mg_schedule_local_text(when, sizeof(when), ctx->circle->time_zone, at,
                               ' ');
        printf("%-4d  %-16s  ", week, when);
        for (i = 0; i < n; i++)
            if (w[i].plenary_id == p->id && w[i].week == week)
                break;
        if (i < n)
            printf("%d came (%s report, %d not matched)\n", w[i].came,
                   w[i].source, w[i].unmatched);
        else
            printf("not recorded\n");
    }
    free(w);
    return 0;
}

static int show_run(struct cli_ctx *ctx)
{
    struct mg_plenary_row p;
    struct mg_registration_row *rows = NULL;
    size_t n = 0, i;
    char when[32];
    int place = 0, rc = get(&p, ctx);

    if (rc < 0)
        return 1;
    mg_schedule_local_text(when, sizeof(when), ctx->circle->time_zone,
                           p.starts_at, ' ');
    printf("plenary %lld: %s%s%s (%s)\n", (long long)p.id, p.title,
           p.guest && *p.guest ? " with " : "", p.guest ? p.guest : "",
           mg_store_plenary_status_name(p.status));
    printf("starts %s (%s), %d minutes, %d weekly call%s\n", when,
           ctx->circle->time_zone, p.minutes, p.weeks, p.weeks == 1 ? "" : "s");
    printf("%d places: %d registered, %d on the waitlist, %d free", p.capacity,
           p.registered, p.waitlisted,
           p.capacity > p.registered ? p.capacity - p.registered : 0);
    if (p.target)
        printf("; aiming for %d per call", p.target);
    printf("\n");
    if (mg_plenary_call_link(p.call_url, ctx->circle->video_url))
        printf("call link: %s\n",
               mg_plenary_call_link(p.call_url, ctx->circle->video_url));
    rc = print_calls(ctx, &p);
    if (rc == 0)
        rc = mg_store_plenary_registrations(&rows, &n, ctx->st, p.id, 0,
                                            MG_STORE_SEAT_REGISTERED, 0, 0);
    if (rc < 0) {
        cli_error("cannot read plenary %lld: %s", ctx->v.id, mg_strerror(rc));
        mg_store_plenary_release(&p);
        return 1;
    }
    printf("\n%-6s  %-28s  %-32s  %-10s  %s\n", "ID", "NAME", "EMAIL", "STATUS",
           "PLACE");
    for (i = 0; i < n; i++) {
        printf("%-6lld  %-28.28s  %-32.32s  %-10s  ",
               (long long)rows[i].participant_id, rows[i].name, rows[i].email,
               mg_store_seat_status_name(rows[i].status));
        /* the list has the waitlist in its order, after the places */
        if (rows[i].status == MG_STORE_SEAT_WAITLISTED)
            printf("%d\n", ++place);
        else
            printf("-\n");
    }
    mg_store_registrations_free(rows, n);
    mg_store_plenary_release(&p);
    return 0;
}

static int cancel_run(struct cli_ctx *ctx)
{
    struct mg_error err = {{0}, {0}};
    struct mg_plenary_op op;
    struct mg_plenary_seat *seats = NULL;
    struct mg_plenary_row p;
    size_t n = 0, queued = 0;
    int rc = get(&p, ctx);

    if (rc < 0)
        return 1;
    if (p.status == MG_STORE_PLENARY_CANCELLED) {
        printf("plenary %lld (%s) is already cancelled\n", (long long)p.id,
               p.title);
        mg_store_plenary_release(&p);
        return 0;
    }
    memset(&op, 0, sizeof(op));
    op.kind = MG_PLENARY_CANCEL;
    rc = mg_plenary_change(&seats, &n, &queued, ctx->st, ctx->circle->id, p.id,
                           &op, &err);
    if (rc < 0)
        cli_error("cannot cancel plenary %lld: %s", (long long)p.id,
                  rc == MG_EINVAL || rc == MG_ECONFLICT ? err.message
                                                        : mg_strerror(rc));
    else
        printf("plenary %lld (%s) cancelled: %zu cancellation%s queued for "
               "those registered\n",
               (long long)p.id, p.title, queued, queued == 1 ? "" : "s");
    free(seats);
    mg_store_plenary_release(&p);
    return rc < 0;
}

/* `set-link ID --call-url URL|none`: the plenary's own call link; those
 * registered are sent the update. */
static int set_link_run(struct cli_ctx *ctx)
{
    struct mg_error err = {{0}, {0}};
    struct mg_plenary_op op;
    struct mg_plenary_seat *seats = NULL;
    struct mg_plenary_row p;
    const char *url = ctx->v.call_url;
    size_t n = 0, queued = 0;
    int rc;

    if (!url) {
        cli_error("give --call-url URL (or none)");
        return EXIT_USAGE;
    }
    if (strcmp(url, "none") == 0)
        url = "";
    if (*url && mg_circle_call_url_check(url, "call_url", &err) < 0) {
        cli_error("--call-url: %s", err.message);
        return 1;
    }
    if (get(&p, ctx) < 0)
        return 1;
    memset(&op, 0, sizeof(op));
    op.kind = MG_PLENARY_SET;
    op.call_url = url;
    rc = mg_plenary_change(&seats, &n, &queued, ctx->st, ctx->circle->id, p.id,
                           &op, &err);
    if (rc < 0)
        cli_error("cannot change plenary %lld: %s", (long long)p.id,
                  rc == MG_EINVAL || rc == MG_ECONFLICT ? err.message
                                                        : mg_strerror(rc));
    else
        printf("plenary %lld (%s): call link %s; %zu update%s queued for "
               "those registered\n",
               (long long)p.id, p.title,
               *url ? url : "none (the circle's video link)", queued,
               queued == 1 ? "" : "s");
    free(seats);
    mg_store_plenary_release(&p);
    return rc < 0;
}

static const struct cli_option options[] = {
    CLI_ID_OPTION("circle", "ID", circle, "a circle id", "the circle"),
    {.name = "call-url",
     .kind = CLI_TEXT,
     .arg = "URL",
     .help = "set-link: the plenary's own call link (none: the circle's)",
     .offset = CLI_AT(call_url)},
    {.name = NULL}};

static const struct cli_command actions[] = {{.name = "list",
                                              .requires = "circle",
                                              .needs = CLI_CIRCLE,
                                              .run = list_run},
                                             {.name = "show",
                                              .args = "ID",
                                              .requires = "circle",
                                              .needs = CLI_CIRCLE,
                                              .check = check_id,
                                              .run = show_run},
                                             {.name = "cancel",
                                              .args = "ID",
                                              .requires = "circle",
                                              .needs = CLI_CIRCLE,
                                              .check = check_id,
                                              .run = cancel_run},
                                             {.name = "set-link",
                                              .args = "ID",
                                              .requires = "circle",
                                              .usage = "--call-url URL|none",
                                              .needs = CLI_CIRCLE,
                                              .check = check_id,
                                              .run = set_link_run},
                                             {.name = NULL}};

const struct cli_command cli_plenary = {
    .name = "plenary",
    .summary = "list plenary sessions, show their places, cancel one, set "
               "its call link",
    .about =
        "List a circle's plenary sessions (kick-offs, webinars, closing "
        "calls)\nwith their places, waitlist and target. Show one: each "
        "call's\nattendance, then everyone registered and the waitlist in "
        "its order\nwith each person's place. Cancel one: the whole series "
        "is called off\nand everyone registered is sent a cancellation "
        "(through the outbox,\nwhich `mingle serve` or `mingle outbox send` "
        "delivers); the list is\nkept, and nothing more can change. Set-link: "
        "the plenary's own call\nlink; those registered are sent the "
        "update.\n",
    .options = options,
    .actions = actions,
};
