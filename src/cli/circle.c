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

static const char circle_help[] =
    "usage: mingle circle list\n"
    "       mingle circle show ID\n\n"
    "List the circles in the database, or show one with its call slots.\n\n"
    "options:\n" CLI_CONFIG_HELP "  -h, --help            show this help\n";

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

static int circle_list(struct mg_store *st)
{
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

int cmd_circle(int argc, char **argv)
{
    static const struct option options[] = {CLI_CONFIG_OPTIONS,
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};
    struct cli_overrides ov;
    struct mg_config cfg;
    struct mg_store *st = NULL;
    struct mg_circle *c = NULL;
    long long id = 0;
    char *end;
    int opt, rc;

    memset(&ov, 0, sizeof(ov));
    for (;;) {
        opt = getopt_long(argc, argv, "c:d:h", options, NULL);
        if (opt == -1)
            break;
        if (cli_take_option(&ov, opt, optarg))
            continue;
        if (opt == 'h') {
            fputs(circle_help, stdout);
            return 0;
        }
        fputs(circle_help, stderr);
        return EXIT_USAGE;
    }
    if (optind >= argc) {
        fputs(circle_help, stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[optind], "show") == 0) {
        if (optind + 2 != argc) {
            cli_error("usage: mingle circle show ID");
            return EXIT_USAGE;
        }
        id = strtoll(argv[optind + 1], &end, 10);
        if (*end || id < 1) {
            cli_error("not a circle id: '%s'", argv[optind + 1]);
            return EXIT_USAGE;
        }
    } else if (strcmp(argv[optind], "list") != 0) {
        cli_error("unknown circle action '%s'", argv[optind]);
        return EXIT_USAGE;
    }
    if (cli_config(&cfg, &ov, NULL) < 0)
        return 1;
    if (cli_open_store(&st, &cfg, 1) < 0) {
        mg_config_release(&cfg);
        return 1;
    }
    if (id) {
        rc = mg_store_circle_get(&c, st, id);
        if (rc == 0)
            print_circle(c);
        else if (rc == MG_ENOTFOUND)
            cli_error("no circle %lld", id);
        else
            cli_error("cannot read circle %lld: %s", id, mg_strerror(rc));
        rc = rc < 0 ? 1 : 0;
        mg_circle_free(c);
    } else {
        rc = circle_list(st);
    }
    mg_store_close(st);
    mg_config_release(&cfg);
    return rc;
}
