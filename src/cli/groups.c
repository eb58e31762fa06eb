/*
 * groups.c: `mingle groups plan|rebalance|show --circle ID`. Plan and
 * rebalance print what they would do and store it unless --dry-run; show
 * prints the stored groups with their quality figures, a table a
 * coordinator can read at a glance.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mingle/assign.h"
#include "mingle/calendar.h"

#include "banned.h"

static const char groups_help[] =
    "usage: mingle groups plan --circle ID [--dry-run] [--seed N]\n"
    "       mingle groups rebalance --circle ID [--dry-run] [--seed N]\n"
    "       mingle groups show --circle ID\n\n"
    "Place the circle's active participants into facilitated groups\n"
    "(plan), repair the groups with few moves after people join or leave\n"
    "(rebalance), or show them. Rules that cannot be met are listed with\n"
    "the people concerned.\n\n"
    "options:\n" CLI_CONFIG_HELP "      --circle ID       the circle\n"
    "  -n, --dry-run         show the result, store nothing\n"
    "      --seed N          the same seed gives the same groups (1)\n"
    "  -h, --help            show this help\n";

void cli_print_groups(const struct mg_assign *a, const int *group_of,
                      const struct mg_group_spec *specs, int n_groups,
                      const struct mg_quality *q)
{
    size_t i;
    int g;

    for (g = 0; g < n_groups; g++) {
        const struct mg_group_spec *s = &specs[g];
        int size = 0, fac = 0;

        for (i = 0; i < a->n_people; i++) {
            if (group_of[i] != g)
                continue;
            size++;
            fac += a->persons[i].facilitator;
        }
        printf("Group %d: %d people, %d facilitator%s", g + 1, size, fac,
               fac == 1 ? "" : "s");
        if (s->slot >= 0 && (size_t)s->slot < a->circle->n_slots)
            printf(", %s %02d:%02d",
                   mg_weekday_name(a->circle->slots[s->slot].weekday),
                   a->circle->slots[s->slot].start_minute / 60,
                   a->circle->slots[s->slot].start_minute % 60);
        if (s->thread >= 0 && (size_t)s->thread < a->n_threads)
            printf(", thread: %s", a->threads[s->thread].title);
        printf("\n");
        for (i = 0; i < a->n_people; i++) {
            const struct mg_participant *p = &a->people[i];
            if (group_of[i] != g)
                continue;
            printf("  %c %-24.24s  %-12.12s  %-14.14s  %s\n",
                   a->persons[i].facilitator ? '*' : ' ', p->name,
                   p->sector ? p->sector : "-", p->region ? p->region : "-",
                   p->email);
        }
    }
    printf("\nsizes %d-%d; sector misses %d, region misses %d; wishes met "
           "%d first, %d any of %d; pairs together %d of %d; hard-rule "
           "breaks: size %d, no facilitator %d, slot %d, apart %d; "
           "unplaced %d\n",
           q->smallest, q->largest, q->sector_misses, q->region_misses,
           q->wishes_first, q->wishes_any, q->wishes_total, q->together_met,
           q->together_total, q->size_violations, q->no_facilitator,
           q->slot_violations, q->apart_violations, q->unplaced);
}

static void print_issues(const struct mg_assign *a)
{
    size_t i, j;

    for (i = 0; i < a->result.n_issues; i++) {
        const struct mg_issue *is = &a->result.issues[i];
        printf("! %s: %s", is->rule, is->message);
        for (j = 0; j < is->n_people && j < 10; j++) {
            int k = is->people[j];
            if (k >= 0 && (size_t)k < a->n_people)
                printf("%s%s", j ? ", " : " (", a->people[k].name);
        }
        if (is->n_people > 10)
            printf(", and %zu more", is->n_people - 10);
        printf("%s\n", is->n_people ? ")" : "");
    }
}

int cli_groups_plan(struct mg_store *st, int64_t circle, int dry, uint64_t seed,
                    int rebalance)
{
    struct mg_assign a;
    int rc = mg_assign_load(&a, st, circle);

    if (rc < 0) {
        cli_error("cannot load circle %lld: %s", (long long)circle,
                  mg_strerror(rc));
        return rc;
    }
    rc = rebalance ? mg_assign_rebalance(&a, seed) : mg_assign_plan(&a, seed);
    if (rc == MG_ENOTFOUND)
        cli_error("circle %lld has no groups yet: plan them first",
                  (long long)circle);
    else if (rc < 0)
        cli_error("cannot place the people of circle %lld", (long long)circle);
    if (rc < 0)
        goto out;
    cli_print_groups(&a, a.result.group_of, a.result.groups, a.result.n_groups,
                     &a.result.quality);
    print_issues(&a);
    if (rebalance)
        printf("moves: %zu (no plan can do with fewer than %zu)\n",
               a.result.moves, a.result.moves_lower_bound);
    if (!dry) {
        struct mg_error err = {{0}, {0}};
        struct cli_progress prog;
        size_t queued = 0;

        rc = rebalance ? mg_assign_commit_rebalance(&a, st)
                       : mg_assign_commit_plan(&a, st);
        if (rc == 0)
            rc = mg_calendar_create_sessions(st, circle);
        cli_progress_start(&prog, "queuing invitations", 0);
        if (rc < 0) {
            cli_error("cannot store the groups: %s", mg_strerror(rc));
        } else if (mg_calendar_reconcile_progress(&queued, st, circle,
                                                  cli_progress_callback, &prog,
                                                  &err) < 0) {
            cli_progress_abandon(&prog);
            printf("stored; no invitations queued: %s\n", err.message);
        } else {
            cli_progress_end(&prog, prog.total);
            printf("stored; %zu invitation%s queued.\n", queued,
                   queued == 1 ? "" : "s");
        }
    } else {
        printf("dry run: nothing stored.\n");
    }
out:
    mg_assign_release(&a);
    return rc;
}

static int show(struct mg_store *st, int64_t circle)
{
    struct mg_assign a;
    struct mg_quality q;
    int *current;
    size_t i;
    int rc = mg_assign_load(&a, st, circle);

    if (rc < 0) {
        cli_error("cannot load circle %lld: %s", (long long)circle,
                  mg_strerror(rc));
        return rc;
    }
    if (a.n_groups == 0) {
        printf("circle %lld has no groups yet\n", (long long)circle);
        mg_assign_release(&a);
        return 0;
    }
    current = mg_xcalloc(a.n_people + 1, sizeof(*current));
    for (i = 0; i < a.n_people; i++)
        current[i] = a.persons[i].current;
    mg_assign_evaluate_current(&a, &q);
    cli_print_groups(&a, current, a.specs, (int)a.n_groups, &q);
    free(current);
    mg_assign_release(&a);
    return 0;
}

int cmd_groups(int argc, char **argv)
{
    static const struct option options[] = {
        CLI_CONFIG_OPTIONS,
        {"circle", required_argument, NULL, 'C'},
        {"dry-run", no_argument, NULL, 'n'},
        {"seed", required_argument, NULL, 'S'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    struct cli_overrides ov;
    struct mg_config cfg;
    struct mg_store *st = NULL;
    long long circle = 0;
    unsigned long long seed = 1;
    const char *action;
    char *end;
    int opt, dry = 0, rc = 1;

    memset(&ov, 0, sizeof(ov));
    for (;;) {
        opt = getopt_long(argc, argv, "c:d:nh", options, NULL);
        if (opt == -1)
            break;
        if (cli_take_option(&ov, opt, optarg))
            continue;
        switch (opt) {
        case 'C':
            if (cli_parse_id(&circle, "--circle", "a circle id", optarg) < 0)
                return EXIT_USAGE;
            break;
        case 'n':
            dry = 1;
            break;
        case 'S':
            seed = strtoull(optarg, &end, 10);
            if (*end || *optarg == '-') {
                cli_error("--seed must be a number, not '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'h':
            fputs(groups_help, stdout);
            return 0;
        default:
            fputs(groups_help, stderr);
            return EXIT_USAGE;
        }
    }
    if (optind + 1 != argc || !circle) {
        fputs(groups_help, stderr);
        return EXIT_USAGE;
    }
    action = argv[optind];
    if (strcmp(action, "plan") != 0 && strcmp(action, "rebalance") != 0 &&
        strcmp(action, "show") != 0) {
        cli_error("unknown groups action '%s'", action);
        return EXIT_USAGE;
    }
    if (cli_config(&cfg, &ov, NULL) < 0)
        return 1;
    if (cli_open_store(&st, &cfg, 1) == 0) {
        if (strcmp(action, "show") == 0)
            rc = show(st, circle) < 0;
        else
            rc = cli_groups_plan(st, circle, dry, seed,
                                 strcmp(action, "rebalance") == 0) < 0;
    }
    mg_store_close(st);
    mg_config_release(&cfg);
    return rc;
}
