/*
 * circle.c: `mingle circle list|show`, a coordinator's quick look at the
 * circles in the database. Creating and editing circles goes through the
 * JSON API, which validates and reports field by field.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mingle/circle.h"

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
    if (c->organizer_email)
        printf("  organizer:  %s <%s>\n",
               c->organizer_name ? c->organizer_name : "", c->organizer_email);
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

    if (rc == 0)
        print_circle(c);
    else if (rc == MG_ENOTFOUND)
        cli_error("no circle %lld", id);
    else
        cli_error("cannot read circle %lld: %s", id, mg_strerror(rc));
    mg_circle_free(c);
    return rc < 0 ? 1 : 0;
}

static const struct cli_command actions[] = {
    {.name = "list", .needs = CLI_STORE, .run = list},
    {.name = "show",
     .args = "ID",
     .needs = CLI_STORE,
     .check = check_show,
     .run = show},
    {.name = NULL}};

const struct cli_command cli_circle = {
    .name = "circle",
    .summary = "list and show circles",
    .about = "List the circles in the database, or show one with its call "
             "slots.\n",
    .actions = actions,
};
