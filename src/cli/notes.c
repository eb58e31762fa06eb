/*
 * notes.c: `mingle notes digest|list|approve|reject`. The digest prints
 * a circle's week (Markdown, or HTML with --html); list prints notes as
 * a table (the review queue with --status review); approve and reject
 * decide a note in review. Control characters that came by mail never
 * reach the terminal.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "mingle/notes.h"

#include "banned.h"

/* Print `s` with control characters (escape sequences) as '?'. */
static void put_clean(const char *s, int width)
{
    int n = 0;

    for (; s && *s && (width < 0 || n < width); s++, n++)
        putchar((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s);
    for (; n < width; n++)
        putchar(' ');
}

static int digest(struct mg_store *st, const struct cli_values *a)
{
    struct mg_error err = {{0}, {0}};
    char *text = NULL;
    int rc = mg_notes_digest(a->html ? NULL : &text, a->html ? &text : NULL, st,
                             a->circle, (int)a->week, &err);

    if (rc == MG_ENOTFOUND)
        cli_error("no circle %lld", a->circle);
    else if (rc < 0)
        cli_error("cannot make the digest: %s",
                  err.message[0] ? err.message : mg_strerror(rc));
    else
        fputs(text, stdout);
    free(text);
    return rc < 0 ? 1 : 0;
}

static const char *author_of(const struct mg_note *n)
{
    if (n->author && *n->author)
        return n->author;
    if (n->from_name && *n->from_name)
        return n->from_name;
    return n->from_email ? n->from_email : "";
}

static int list(struct mg_store *st, const struct cli_values *a)
{
    struct mg_note_filter f;
    struct mg_note *notes = NULL;
    size_t n = 0, i;
    int rc;

    memset(&f, 0, sizeof(f));
    f.circle_id = a->circle;
    f.any_circle = a->circle == 0;
    f.group_id = a->group;
    f.week = (int)a->week;
    f.kind = a->kind;
    f.status = a->status;
    rc = mg_store_notes_list(&notes, &n, st, &f);
    if (rc < 0) {
        cli_error("cannot list notes: %s", mg_strerror(rc));
        return 1;
    }
    printf("%-6s  %-9s  %-7s  %-6s  %-6s  %-4s  %-16s  %-24s  %s\n", "ID",
           "STATUS", "KIND", "CIRCLE", "GROUP", "WEEK", "DATE (UTC)", "AUTHOR",
           "SUBJECT");
    for (i = 0; i < n; i++) {
        const struct mg_note *note = &notes[i];
        time_t t = (time_t)(note->sent_at ? note->sent_at : note->received_at);
        char date[32], circle[24], group[24], week[16];
        struct tm tm;

        gmtime_r(&t, &tm);
        strftime(date, sizeof(date), "%Y-%m-%d %H:%M", &tm);
        snprintf(circle, sizeof(circle), "%lld", (long long)note->circle_id);
        snprintf(group, sizeof(group), "%lld", (long long)note->group_id);
        snprintf(week, sizeof(week), "%d", note->week);
        printf("%-6lld  %-9s  %-7s  %-6s  %-6s  %-4s  %-16s  ",
               (long long)note->id, mg_store_note_status_name(note->status),
               note->kind, note->circle_id ? circle : "-",
               note->group_id ? group : "-", note->week ? week : "-", date);
        put_clean(author_of(note), 24);
        printf("  ");
        put_clean(note->subject ? note->subject : "", -1);
        if (note->review_reason && note->status == MG_STORE_NOTE_REVIEW) {
            printf("  (");
            put_clean(note->review_reason, -1);
            printf(")");
        }
        printf("\n");
    }
    mg_store_notes_free(notes, n);
    return 0;
}

/* Whether circle `circle` has group `group`; its thread in *thread. */
static int find_group(int64_t *thread, struct mg_store *st, long long circle,
                      long long group)
{
    struct mg_group_row *groups = NULL;
    size_t n = 0, i;
    int rc = mg_store_groups_list(&groups, &n, st, circle), found = 0;

    for (i = 0; rc == 0 && i < n; i++) {
        if (groups[i].id == group) {
            *thread = groups[i].thread_id;
            found = 1;
        }
    }
    mg_store_groups_free(groups, n);
    if (rc < 0)
        return rc;
    return found ? 0 : MG_ENOTFOUND;
}

static int decide(struct mg_store *st, const struct cli_values *a, int publish)
{
    struct mg_note n;
    struct mg_circle *c = NULL;
    int64_t circle = 0, thread = 0;
    int rc = mg_store_note_get(&n, st, a->id, 0);

    if (rc == MG_ENOTFOUND) {
        cli_error("no note %lld", a->id);
        return 1;
    }
    if (rc < 0) {
        cli_error("cannot read note %lld: %s", a->id, mg_strerror(rc));
        return 1;
    }
    circle = n.circle_id ? n.circle_id : a->circle;
    if (publish && a->circle && n.circle_id && a->circle != n.circle_id) {
        cli_error("note %lld is in circle %lld, not %lld", a->id,
                  (long long)n.circle_id, a->circle);
        rc = MG_EINVAL;
    } else if (publish && !circle) {
        cli_error("note %lld reached no circle: give --circle and --group",
                  a->id);
        rc = MG_EINVAL;
    } else if (publish && a->group) {
        rc = find_group(&thread, st, circle, a->group);
        if (rc == MG_ENOTFOUND)
            cli_error("circle %lld has no group %lld", (long long)circle,
                      a->group);
    }
    if (rc == 0 && publish && a->week) {
        rc = mg_store_circle_get(&c, st, circle);
        if (rc == 0 && a->week > c->weeks) {
            cli_error("--week must be from 1 to %d", c->weeks);
            rc = MG_EINVAL;
        }
    }
    if (rc == 0)
        rc = mg_store_note_decide(st, n.id, publish, publish ? circle : 0,
                                  publish ? a->group : 0,
                                  publish ? (int)a->week : 0, thread);
    if (rc == MG_ECONFLICT)
        cli_error("note %lld is not in review: it is %s", a->id,
                  mg_store_note_status_name(n.status));
    else if (rc == 0)
        printf("note %lld %s\n", a->id, publish ? "published" : "rejected");
    else if (rc != MG_EINVAL && rc != MG_ENOTFOUND)
        cli_error("cannot decide note %lld: %s", a->id, mg_strerror(rc));
    mg_circle_free(c);
    mg_store_note_release(&n);
    return rc < 0 ? 1 : 0;
}

static int digest_run(struct cli_ctx *ctx)
{
    return digest(ctx->st, &ctx->v);
}

static int check_list(struct cli_ctx *ctx)
{
    if (!ctx->v.circle &&
        !(ctx->v.status && strcmp(ctx->v.status, "review") == 0)) {
        cli_error("list needs --circle (or --status review for the whole "
                  "review queue)");
        return EXIT_USAGE;
    }
    return 0;
}

static int list_run(struct cli_ctx *ctx)
{
    return list(ctx->st, &ctx->v);
}

/* approve and reject: the note id into ctx->v.id. */
static int check_id(struct cli_ctx *ctx)
{
    const char *arg = ctx->argv[0];
    char *end;

    ctx->v.id = strtoll(arg, &end, 10);
    if (*end || ctx->v.id < 1) {
        cli_error("the note id must be a number of at least 1, not '%s'", arg);
        return EXIT_USAGE;
    }
    return 0;
}

static int approve(struct cli_ctx *ctx)
{
    return decide(ctx->st, &ctx->v, 1);
}

static int reject(struct cli_ctx *ctx)
{
    return decide(ctx->st, &ctx->v, 0);
}

static const char *const kinds[] = {"summary", "note", NULL};
static const char *const statuses[] = {"published", "review", "rejected", NULL};

static const struct cli_option options[] = {
    CLI_ID_OPTION("circle", "ID", circle, "a number of at least 1",
                  "the circle"),
    CLI_ID_OPTION("group", "G", group, "a number of at least 1", "a group id"),
    {.name = "week",
     .kind = CLI_NUMBER,
     .arg = "N",
     .help = "a week (digest: 0 is every week so far)",
     .offset = CLI_AT(week),
     .what = "a number of at least 0",
     .min = 0,
     .max = INT_MAX},
    {.name = "kind",
     .kind = CLI_CHOICE,
     .arg = "K",
     .help = "summary or note",
     .offset = CLI_AT(kind),
     .choices = kinds},
    {.name = "status",
     .kind = CLI_CHOICE,
     .arg = "S",
     .help = "published (default), review or rejected",
     .offset = CLI_AT(status),
     .choices = statuses},
    {.name = "html",
     .kind = CLI_FLAG,
     .help = "the digest as an HTML page",
     .offset = CLI_AT(html)},
    {.name = NULL}};

static const struct cli_command actions[] = {
    {.name = "digest",
     .requires = "circle",
     .usage = "[--week N] [--html]",
     .needs = CLI_STORE,
     .run = digest_run},
    {.name = "list",
     .usage = "[--circle ID] [--group G] [--week N] [--kind K] [--status S]",
     .needs = CLI_STORE,
     .check = check_list,
     .run = list_run},
    {.name = "approve",
     .args = "ID",
     .usage = "[--group G] [--week N] [--circle ID]",
     .needs = CLI_STORE,
     .check = check_id,
     .run = approve},
    {.name = "reject",
     .args = "ID",
     .needs = CLI_STORE,
     .check = check_id,
     .run = reject},
    {.name = NULL}};

const struct cli_command cli_notes = {
    .name = "notes",
    .summary = "print digests, list and review notes from mail",
    .about =
        "Print a circle's digest for one week (or every week so far): each\n"
        "group's reading, summaries, then members' notes. List notes "
        "(published\nby default; --status review without --circle shows the "
        "whole review\nqueue). Approve a note in review to publish it, filed "
        "under --group\nand --week if given (a note that reached no circle "
        "needs --group, and\n--circle to say whose group it is), or reject "
        "it.\n",
    .options = options,
    .actions = actions,
};
