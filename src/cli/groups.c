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

void cli_print_groups(const struct mg_assign *a, const int *group_of,
                      const struct mg_group_spec *specs, int n_groups,
                      const struct mg_quality *q)
{
    /* Members by group, sorted once: not a pass over everyone a group. */
    size_t *start = mg_xcalloc((size_t)n_groups + 2, sizeof(*start));
    size_t *order = mg_xcalloc(a->n_people + 1, sizeof(*order));
    size_t i, k;
    int g;

    for (i = 0; i < a->n_people; i++) {
        if (group_of[i] >= 0 && group_of[i] < n_groups)
            start[group_of[i] + 2]++;
    }
    for (g = 0; g < n_groups; g++)
        start[g + 2] += start[g + 1];
    for (i = 0; i < a->n_people; i++) {
        if (group_of[i] >= 0 && group_of[i] < n_groups)
            order[start[group_of[i] + 1]++] = i;
    }
    for (g = 0; g < n_groups; g++) {
        const struct mg_group_spec *s = &specs[g];
        int size = 0, fac = 0;

        for (k = start[g]; k < start[g + 1]; k++) {
            size++;
            fac += a->persons[order[k]].facilitator;
        }
        printf("Group %d: %d %s, %d facilitator%s", g + 1, size,
               size == 1 ? "person" : "people", fac, fac == 1 ? "" : "s");
        if (s->slot >= 0 && (size_t)s->slot < a->circle->n_slots)
            printf(", %s %02d:%02d",
                   mg_weekday_name(a->circle->slots[s->slot].weekday),
                   a->circle->slots[s->slot].start_minute / 60,
                   a->circle->slots[s->slot].start_minute % 60);
        if (s->thread >= 0 && (size_t)s->thread < a->n_threads)
            printf(", thread: %s", a->threads[s->thread].title);
        printf("\n");
        for (k = start[g]; k < start[g + 1]; k++) {
            const struct mg_participant *p = &a->people[order[k]];

            i = order[k];
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
    free(start);
    free(order);
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

static int plan(struct cli_ctx *ctx)
{
    return cli_groups_plan(ctx->st, ctx->v.circle, ctx->v.dry_run,
                           (uint64_t)ctx->v.seed, 0) < 0;
}

static int rebalance(struct cli_ctx *ctx)
{
    return cli_groups_plan(ctx->st, ctx->v.circle, ctx->v.dry_run,
                           (uint64_t)ctx->v.seed, 1) < 0;
}

static int show_groups(struct cli_ctx *ctx)
{
    return show(ctx->st, ctx->v.circle) < 0;
}

static const struct cli_option options[] = {
    CLI_ID_OPTION("circle", "ID", circle, "a circle id", "the circle"),
    {.name = "dry-run",
     .short_name = 'n',
     .kind = CLI_FLAG,
     .help = "show the result, store nothing",
     .offset = CLI_AT(dry_run)},
    {.name = "seed",
     .kind = CLI_NUMBER,
     .arg = "N",
     .help = "the same seed gives the same groups (1)",
     .offset = CLI_AT(seed),
     .what = "a number",
     .min = 0,
     .max = LLONG_MAX},
    {.name = NULL}};

static const struct cli_command actions[] = {{.name = "plan",
                                              .requires = "circle",
                                              .usage = "[--dry-run] [--seed N]",
                                              .needs = CLI_STORE,
                                              .run = plan},
                                             {.name = "rebalance",
                                              .requires = "circle",
                                              .usage = "[--dry-run] [--seed N]",
                                              .needs = CLI_STORE,
                                              .run = rebalance},
                                             {.name = "show",
                                              .requires = "circle",
                                              .needs = CLI_STORE,
                                              .run = show_groups},
                                             {.name = NULL}};

static const struct cli_values defaults = {.seed = 1};

const struct cli_command cli_groups = {
    .name = "groups",
    .summary = "plan, rebalance and show facilitated groups",
    .about = "Place the circle's active participants into facilitated "
             "groups\n(plan), repair the groups with few moves after people "
             "join or leave\n(rebalance), or show them. Rules that cannot be "
             "met are listed with\nthe people concerned.\n",
    .options = options,
    .actions = actions,
    .defaults = &defaults,
};
