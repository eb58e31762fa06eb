/*
 * signup.c: `mingle signup show|open|close|set --circle ID`, a circle's
 * public sign-up page from the command line: its state, closing date,
 * capacity, the sector and region choices, the collection notice and
 * whether late sign-ups are placed at once. The same settings as
 * GET/PUT /api/v1/circles/{id}/signup; the rules are people.h's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "mingle/people.h"
#include "mingle/schedule.h"
#include "mingle/signup.h"

#include "banned.h"

/* "a; b ;c" as lines "a\nb\nc" (free()); "" or "none" clears. */
static char *lines_of(const char *list)
{
    struct mg_buf b = MG_BUF_INIT;
    const char *p = list;
    char *out;

    if (strcmp(list, "none") == 0)
        return NULL;
    while (*p) {
        const char *end = strchr(p, ';');
        size_t len = end ? (size_t)(end - p) : strlen(p);

        while (len && (*p == ' ' || *p == '\t')) {
            p++;
            len--;
        }
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        if (len) {
            if (b.len)
                mg_buf_add(&b, "\n", 1);
            mg_buf_add(&b, p, len);
        }
        if (!end)
            break;
        p = end + 1;
    }
    out = b.len ? mg_xstrdup(b.data) : NULL;
    mg_buf_release(&b);
    return out;
}

/* "YYYY-MM-DDTHH:MM" (or a space for the T) in `tz`, or "none". */
static int parse_when(int64_t *out, const char *s, const char *tz)
{
    struct mg_local_time t;
    char sep = 0, rest = 0;

    memset(&t, 0, sizeof(t));
    if (strcmp(s, "none") == 0) {
        *out = 0;
        return 0;
    }
    if (sscanf(s, "%4d-%2d-%2d%c%2d:%2d%c", &t.year, &t.month, &t.day, &sep,
               &t.hour, &t.minute, &rest) != 6 ||
        (sep != 'T' && sep != ' '))
        return MG_EINVAL;
    return mg_schedule_local_to_utc(out, tz, &t, NULL);
}

/* Apply the options given to `s`; prints why not and returns nonzero. */
static int apply(struct mg_signup_settings *s, const struct cli_ctx *ctx)
{
    const struct cli_values *v = &ctx->v;
    struct mg_error err = {{0}, {0}};

    if (v->capacity) {
        char *end;
        long long n = strtoll(v->capacity, &end, 10);

        if (*end || end == v->capacity || n < 0 || n > MG_SIGNUP_MAX_CAPACITY) {
            cli_error("--capacity: '%s' is not 0 (no limit) to %d", v->capacity,
                      MG_SIGNUP_MAX_CAPACITY);
            return EXIT_USAGE;
        }
        s->capacity = (int)n;
    }
    if (v->closes_at &&
        parse_when(&s->closes_at, v->closes_at, ctx->circle->time_zone) < 0) {
        cli_error("--closes-at: '%s' is not YYYY-MM-DDTHH:MM (in %s) or none",
                  v->closes_at, ctx->circle->time_zone);
        return EXIT_USAGE;
    }
    if (v->sectors) {
        free(s->sectors);
        s->sectors = lines_of(v->sectors);
    }
    if (v->regions) {
        free(s->regions);
        s->regions = lines_of(v->regions);
    }
    if (v->notice_file) {
        struct mg_buf text = MG_BUF_INIT;

        free(s->notice);
        s->notice = NULL;
        if (strcmp(v->notice_file, "default") != 0) {
            if (cli_read_file(&text, v->notice_file) != 0)
                return 1;
            /* the file's last newline is not a paragraph */
            while (text.len && (text.data[text.len - 1] == '\n' ||
                                text.data[text.len - 1] == '\r'))
                text.data[--text.len] = '\0';
            s->notice = mg_xstrdup(text.data ? text.data : "");
            mg_buf_release(&text);
        }
    }
    if (v->auto_place)
        s->auto_place = strcasecmp(v->auto_place, "yes") == 0;
    if (mg_signup_settings_validate(s, &err) < 0) {
        cli_error("--%s: %s",
                  strcmp(err.field, "notice") == 0 ? "notice-file" : err.field,
                  err.message);
        return EXIT_USAGE;
    }
    if (s->open && !(ctx->circle->slug && ctx->circle->organizer_email)) {
        cli_error("circle %lld needs a slug and an organizer email before its "
                  "sign-up page can open",
                  (long long)ctx->circle->id);
        return 1;
    }
    return 0;
}

static void print_settings(const struct cli_ctx *ctx,
                           const struct mg_signup_settings *s)
{
    char version[MG_SIGNUP_VERSION_LEN + 1], when[24];
    size_t waiting = 0, pending = 0, unplaced = 0;
    const char *p;

    mg_signup_notice_version(version, mg_signup_notice(s));
    printf("circle %lld: sign-up %s%s\n", (long long)ctx->circle->id,
           s->open ? "open" : "closed",
           s->open && !mg_signup_is_open(s, mg_now()) ? " (past its date)"
                                                      : "");
    if (ctx->circle->slug)
        printf("  page:       /join/%s\n", ctx->circle->slug);
    if (s->closes_at) {
        mg_schedule_local_text(when, sizeof(when), ctx->circle->time_zone,
                               s->closes_at, ' ');
        printf("  closes:     %s (%s)\n", when, ctx->circle->time_zone);
    }
    if (s->capacity)
        printf("  capacity:   %d\n", s->capacity);
    else
        printf("  capacity:   no limit\n");
    for (p = mg_signup_sectors(s); p && *p;) {
        const char *nl = strchr(p, '\n');
        int len = nl ? (int)(nl - p) : (int)strlen(p);

        printf("  sector:     %.*s\n", len, p);
        p = nl ? nl + 1 : p + len;
    }
    for (p = s->regions; p && *p;) {
        const char *nl = strchr(p, '\n');
        int len = nl ? (int)(nl - p) : (int)strlen(p);

        printf("  region:     %.*s\n", len, p);
        p = nl ? nl + 1 : p + len;
    }
    printf("  notice:     %s, version %s\n",
           s->notice && s->notice[0] ? "the coordinator's" : "the default",
           version);
    printf("  late sign-ups: %s\n",
           s->auto_place ? "placed at once" : "wait for the coordinator");
    if (mg_store_signup_counts(&waiting, &pending, &unplaced, ctx->st,
                               ctx->circle->id) == 0)
        printf("  waiting: %zu, unconfirmed: %zu, active in no group: %zu\n",
               waiting, pending, unplaced);
}

/* Load, change (state: 1 open, 0 close, -1 as it is), store, print. */
static int change(struct cli_ctx *ctx, int state, int store)
{
    struct mg_signup_settings s;
    int rc = mg_store_signup_get(&s, ctx->st, ctx->circle->id);

    if (rc < 0) {
        cli_error("cannot read circle %lld's sign-up: %s",
                  (long long)ctx->circle->id, mg_strerror(rc));
        return 1;
    }
    if (state >= 0)
        s.open = state;
    if (store) {
        int code = apply(&s, ctx);

        if (code) {
            mg_signup_settings_release(&s);
            return code;
        }
        rc = mg_store_signup_put(ctx->st, &s);
        if (rc < 0) {
            cli_error("cannot save circle %lld's sign-up: %s",
                      (long long)ctx->circle->id, mg_strerror(rc));
            mg_signup_settings_release(&s);
            return 1;
        }
        {
            struct mg_error err = {{0}, {0}};
            size_t promoted = 0;

            if (mg_signup_fill(&promoted, ctx->st, ctx->circle->id, &err) < 0)
                cli_error("the waitlist did not move up: %s", err.message);
            else if (promoted)
                printf("%zu %s moved up from the waitlist (their mail is "
                       "queued)\n",
                       promoted, promoted == 1 ? "person" : "people");
        }
    }
    print_settings(ctx, &s);
    mg_signup_settings_release(&s);
    return 0;
}

static int show_run(struct cli_ctx *ctx)
{
    return change(ctx, -1, 0);
}

static int open_run(struct cli_ctx *ctx)
{
    return change(ctx, 1, 1);
}

static int close_run(struct cli_ctx *ctx)
{
    return change(ctx, 0, 1);
}

static int set_run(struct cli_ctx *ctx)
{
    return change(ctx, -1, 1);
}

static const char *const yes_no[] = {"yes", "no", NULL};

static const struct cli_option options[] = {
    CLI_ID_OPTION("circle", "ID", circle, "a circle id", "the circle"),
    {.name = "capacity",
     .kind = CLI_TEXT,
     .arg = "N",
     .help = "active people at most; past it, confirmed sign-ups wait\n"
             "(0: no limit)",
     .offset = CLI_AT(capacity)},
    {.name = "closes-at",
     .kind = CLI_TEXT,
     .arg = "WHEN",
     .help = "close the page then: YYYY-MM-DDTHH:MM in the circle's\n"
             "time zone, or none",
     .offset = CLI_AT(closes_at)},
    {.name = "sectors",
     .kind = CLI_TEXT,
     .arg = "LIST",
     .help = "the sector choices, separated by ';' (none: the default\n"
             "public; academic; school; special)",
     .offset = CLI_AT(sectors)},
    {.name = "regions",
     .kind = CLI_TEXT,
     .arg = "LIST",
     .help = "the region choices, separated by ';' (none: free text)",
     .offset = CLI_AT(regions)},
    {.name = "notice-file",
     .kind = CLI_TEXT,
     .arg = "FILE",
     .help = "the collection notice, a paragraph a line (default: the\n"
             "built-in one)",
     .offset = CLI_AT(notice_file)},
    {.name = "auto-place",
     .kind = CLI_CHOICE,
     .arg = "yes|no",
     .help = "place confirmed late sign-ups in a group at once",
     .offset = CLI_AT(auto_place),
     .choices = yes_no},
    {.name = NULL}};

static const struct cli_command actions[] = {
    {.name = "show",
     .requires = "circle",
     .needs = CLI_CIRCLE,
     .run = show_run},
    {.name = "open",
     .requires = "circle",
     .needs = CLI_CIRCLE,
     .run = open_run},
    {.name = "close",
     .requires = "circle",
     .needs = CLI_CIRCLE,
     .run = close_run},
    {.name = "set", .requires = "circle", .needs = CLI_CIRCLE, .run = set_run},
    {.name = NULL}};

const struct cli_command cli_signup = {
    .name = "signup",
    .summary = "open, close and set a circle's public sign-up page",
    .about = "Show or change a circle's public sign-up page (/join/SLUG):\n"
             "open or close it, set a closing date, a capacity past which\n"
             "confirmed people wait in order, the sector and region "
             "choices,\nthe collection notice people consent to, and "
             "whether late\nsign-ups are placed in a group at once. The "
             "circle needs a slug\nand an organizer email to open. open, "
             "close and set take the\nsame options.\n",
    .options = options,
    .actions = actions,
};
