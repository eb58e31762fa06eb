/*
 * groups.c: `mingle groups plan|rebalance|show --circle ID`. Plan and
 * rebalance print what they would do (a rebalance: only what changes)
 * and store it unless --dry-run, or unless it breaks a hard rule and
 * --force is not given (exit status 1); show
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

/* "Group 3" for a result's group index, "no group" for -1. */
static void group_name(char *out, size_t n, int g)
{
    if (g < 0)
        snprintf(out, n, "no group");
    else
        snprintf(out, n, "Group %d", g + 1);
}

/* ": meets tuesday 19:30, follows "Mission"" for a group just opened. */
static void print_opened(const struct mg_assign *a,
                         const struct mg_group_spec *g)
{
    printf(": the groups were full");
    if (g->slot >= 0 && g->slot < a->in.n_slots && a->in.slot_names)
        printf("; meets %s", a->in.slot_names[g->slot]); /* "tuesday 19:30" */
    if (g->thread >= 0 && (size_t)g->thread < a->n_threads)
        printf("; follows \"%s\"", a->threads[g->thread].title);
}

/*
 * The moves, and what the bound says of them; on a dry run, what about
 * 1% of the circle in extra moves would buy in balance.
 */
static void print_moves(struct mg_assign *a, int offer)
{
    const struct mg_assign_result *r = &a->result;
    int extra = (int)(a->n_people / 100) > 10 ? (int)(a->n_people / 100) : 10;
    struct mg_quality q;
    size_t moves;

    printf("moves: %zu", r->moves);
    if (r->moves_lower_bound == r->moves)
        printf(" (the fewest possible)\n");
    else
        printf(" (no plan can do with fewer than %zu)\n", r->moves_lower_bound);
    if (!offer || mg_assign_rebalance_alternative(a, (int)r->moves + extra,
                                                  &moves, &q) < 0)
        return;
    if (q.sector_misses + q.region_misses <
        r->quality.sector_misses + r->quality.region_misses)
        printf("with --max-moves %zu: %zu move%s, sector misses %d, region "
               "misses %d\n",
               r->moves + (size_t)extra, moves, moves == 1 ? "" : "s",
               q.sector_misses, q.region_misses);
}

/*
 * What a rebalance changes: the people placed or moved and the groups
 * they leave or join, rather than every group of the circle.
 */
static void print_changes(const struct mg_assign *a)
{
    const struct mg_assign_result *res = &a->result;
    int n = res->n_groups > (int)a->n_groups ? res->n_groups : (int)a->n_groups;
    int *size = mg_xcalloc((size_t)n + 1, sizeof(int));
    int *fac = mg_xcalloc((size_t)n + 1, sizeof(int));
    int *before = mg_xcalloc((size_t)n + 1, sizeof(int));
    char *touched = mg_xcalloc((size_t)n + 1, 1);
    size_t i, changed = 0;
    int g;

    for (i = 0; i < a->n_people; i++) {
        int from = a->persons[i].current, to = res->group_of[i];
        char f[32], t[32];

        if (to >= 0 && to < n) {
            size[to]++;
            fac[to] += a->persons[i].facilitator;
        }
        if (from >= 0 && from < n)
            before[from]++;
        if (from == to)
            continue;
        if (from >= 0 && from < n)
            touched[from] = 1;
        if (to >= 0 && to < n)
            touched[to] = 1;
        if (changed++ == 0)
            printf("People placed or moved:\n");
        group_name(f, sizeof(f), from);
        group_name(t, sizeof(t), to);
        printf("  %c %-24.24s  %s -> %s\n",
               a->persons[i].facilitator ? '*' : ' ', a->people[i].name,
               from < 0 ? "new" : f, t);
    }
    if (changed == 0)
        printf("Nobody is placed or moved.\n");
    for (g = 0, changed = 0; g < n; g++) {
        const char *change = "changed";

        if (g >= (int)a->n_groups)
            change = "opened";
        else if ((res->dissolved && res->dissolved[g]) ||
                 (size[g] == 0 && (before[g] > 0 || g >= res->n_groups)))
            change = "dissolved";
        else if (!touched[g])
            continue;
        if (changed++ == 0)
            printf("Groups changed:\n");
        printf("  Group %d: %d %s, %d facilitator%s (%s", g + 1, size[g],
               size[g] == 1 ? "person" : "people", fac[g],
               fac[g] == 1 ? "" : "s", change);
        if (g >= (int)a->n_groups)
            print_opened(a, &res->groups[g]);
        else if (res->dissolved && res->dissolved[g])
            printf(": too few people for every group to reach %d; its "
                   "members go to other groups and are sent a CANCEL",
                   a->circle->group_min);
        printf(")\n");
    }
    free(size);
    free(fac);
    free(before);
    free(touched);
}

/* Newcomers placed from the store's counts (mg_assign_quick_rebalance):
 * 1 when done, 0 when the full rebalance is needed. */
static int quick(struct mg_store *st, int64_t circle, int dry)
{
    struct mg_assign_quick q;
    struct mg_error err = {{0}, {0}};
    struct mg_calendar_scope scope;
    int64_t *ids;
    size_t i, queued = 0;
    int rc = mg_assign_quick_rebalance(&q, st, circle, !dry);

    if (rc < 0 || !q.applied) {
        mg_assign_quick_release(&q);
        return rc < 0 ? rc : 0;
    }
    if (q.n_placed)
        printf("People placed or moved:\n");
    else
        printf("Nobody is placed or moved.\n");
    for (i = 0; i < q.n_placed; i++)
        printf("  %c %-24.24s  new -> Group %d (%d %s, %d facilitator%s)\n",
               q.placed[i].role == MG_PERSON_FACILITATOR ? '*' : ' ',
               q.placed[i].name, q.placed[i].group_position, q.placed[i].size,
               q.placed[i].size == 1 ? "person" : "people",
               q.placed[i].facilitators,
               q.placed[i].facilitators == 1 ? "" : "s");
    printf("\n%zu group%s, sizes %d-%d; every group keeps the hard rules\n",
           q.n_groups, q.n_groups == 1 ? "" : "s", q.smallest, q.largest);
    printf("moves: 0\n");
    if (dry) {
        printf("dry run: nothing stored.\n");
    } else {
        ids = mg_xcalloc(q.n_placed + 1, sizeof(*ids));
        for (i = 0; i < q.n_placed; i++)
            ids[i] = q.placed[i].person_id;
        memset(&scope, 0, sizeof(scope));
        scope.person_ids = ids;
        scope.n_persons = q.n_placed;
        if (mg_calendar_reconcile_scope(&queued, st, circle, &scope, &err) < 0)
            printf("stored; no invitations queued: %s\n", err.message);
        else
            printf("stored; %zu invitation%s queued.\n", queued,
                   queued == 1 ? "" : "s");
        free(ids);
    }
    mg_assign_quick_release(&q);
    return 1;
}

int cli_groups_plan(struct mg_store *st, int64_t circle, int dry, uint64_t seed,
                    int rebalance)
{
    return cli_groups_run(st, circle, dry, seed, rebalance, 0, 0);
}

int cli_groups_run(struct mg_store *st, int64_t circle, int dry, uint64_t seed,
                   int rebalance, int force, int max_moves)
{
    struct mg_assign a;
    size_t hard;
    int64_t t0 = mg_now(), total = -1, active, n_groups, max_id = 0;
    int rc;

    if (rebalance && max_moves == 0) {
        rc = quick(st, circle, dry);
        if (rc < 0)
            cli_error("cannot rebalance circle %lld: %s", (long long)circle,
                      mg_strerror(rc));
        if (rc != 0)
            return rc < 0 ? rc : 0;
    }
    if (!dry && mg_store_circle_counts(&total, &active, &n_groups, &max_id, st,
                                       circle) < 0)
        total = -1;
    rc = mg_assign_load(&a, st, circle);
    if (rc < 0) {
        cli_error("cannot load circle %lld: %s", (long long)circle,
                  mg_strerror(rc));
        return rc;
    }
    a.in.max_moves = max_moves;
    rc = rebalance ? mg_assign_rebalance(&a, seed) : mg_assign_plan(&a, seed);
    if (rc == MG_ENOTFOUND)
        cli_error("circle %lld has no groups yet: plan them first",
                  (long long)circle);
    else if (rc < 0)
        cli_error("cannot place the people of circle %lld", (long long)circle);
    if (rc < 0)
        goto out;
    if (rebalance) {
        print_changes(&a);
        printf("\n%d group%s; sizes %d-%d; sector misses %d, region misses "
               "%d; hard-rule breaks: size %d, no facilitator %d, slot %d, "
               "apart %d; unplaced %d\n",
               a.result.n_groups, a.result.n_groups == 1 ? "" : "s",
               a.result.quality.smallest, a.result.quality.largest,
               a.result.quality.sector_misses, a.result.quality.region_misses,
               a.result.quality.size_violations,
               a.result.quality.no_facilitator,
               a.result.quality.slot_violations,
               a.result.quality.apart_violations, a.result.quality.unplaced);
    } else {
        cli_print_groups(&a, a.result.group_of, a.result.groups,
                         a.result.n_groups, &a.result.quality);
    }
    print_issues(&a);
    if (rebalance)
        print_moves(&a, dry && max_moves == 0);
    hard = mg_assign_hard_issues(a.result.issues, a.result.n_issues);
    if (!dry && hard && !force) {
        cli_error("not stored: the %s breaks %zu hard rule%s (listed above "
                  "with !); --force stores it anyway, --dry-run only shows it",
                  rebalance ? "rebalance" : "plan", hard, hard == 1 ? "" : "s");
        rc = MG_ECONFLICT;
        goto out;
    }
    if (!dry) {
        struct mg_error err = {{0}, {0}};
        struct cli_progress prog;
        struct mg_calendar_scope scope;
        int64_t *ids = mg_xcalloc(a.n_people + 1, sizeof(*ids));
        size_t queued = 0, i;
        int sent;

        memset(&scope, 0, sizeof(scope));
        for (i = 0; rebalance && i < a.n_people; i++)
            if (a.result.group_of[i] != a.persons[i].current)
                ids[scope.n_persons++] = a.people[i].id;
        scope.person_ids = ids;
        rc = rebalance ? mg_assign_commit_rebalance(&a, st)
                       : mg_assign_commit_plan(&a, st);
        if (rc == 0 && (!rebalance || a.result.n_groups > (int)a.n_groups))
            rc = mg_calendar_create_sessions(st, circle);
        /* the next rebalance starts from here (none when forced) */
        if (rc == 0 && total >= 0)
            rc = mg_assign_mark(st, &a, t0, total, max_id, !rebalance);
        cli_progress_start(&prog, "queuing invitations", 0);
        if (rc < 0) {
            cli_progress_abandon(&prog);
            cli_error("cannot store the groups: %s", mg_strerror(rc));
            free(ids);
            goto out;
        }
        /* a plan changes everyone's; a rebalance those it moved */
        sent =
            rebalance
                ? mg_calendar_reconcile_scope(&queued, st, circle, &scope, &err)
                : mg_calendar_reconcile_progress(
                      &queued, st, circle, cli_progress_callback, &prog, &err);
        if (sent < 0) {
            cli_progress_abandon(&prog);
            printf("stored; no invitations queued: %s\n", err.message);
        } else {
            cli_progress_end(&prog, prog.total);
            if (hard)
                printf("stored as forced, with %zu hard rule%s broken.\n", hard,
                       hard == 1 ? "" : "s");
            printf("stored; %zu invitation%s queued.\n", queued,
                   queued == 1 ? "" : "s");
        }
        free(ids);
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
    return cli_groups_run(ctx->st, ctx->v.circle, ctx->v.dry_run,
                          (uint64_t)ctx->v.seed, 0, ctx->v.force, 0) < 0;
}

static int rebalance(struct cli_ctx *ctx)
{
    return cli_groups_run(ctx->st, ctx->v.circle, ctx->v.dry_run,
                          (uint64_t)ctx->v.seed, 1, ctx->v.force,
                          (int)ctx->v.max_moves) < 0;
}

static int show_groups(struct cli_ctx *ctx)
{
    return show(ctx->st, ctx->v.circle) < 0;
}

/* `set-link GROUP`: the group id into ctx->v.id. */
static int check_group(struct cli_ctx *ctx)
{
    char *end;
    long long id = strtoll(ctx->argv[0], &end, 10);

    if (*end || id < 1) {
        cli_error("not a group id: '%s'", ctx->argv[0]);
        return EXIT_USAGE;
    }
    ctx->v.id = id;
    return 0;
}

/* `set-link GROUP --call-url URL|none`: the group's own call link; its
 * members (and nobody else) are sent the update. */
static int set_link(struct cli_ctx *ctx)
{
    struct mg_error err = {{0}, {0}};
    const char *url = ctx->v.call_url;
    int64_t group = ctx->v.id;
    size_t queued = 0;
    char *link = NULL;
    int changed = 0, rc;

    if (!url) {
        cli_error("give --call-url URL (or none)");
        return EXIT_USAGE;
    }
    if (strcmp(url, "none") == 0)
        url = NULL;
    if (url && mg_circle_call_url_check(url, "call_url", &err) < 0) {
        cli_error("--call-url: %s", err.message);
        return 1;
    }
    rc = mg_store_group_call_url_set(&changed, ctx->st, ctx->v.circle, group,
                                     url);
    if (rc == MG_ENOTFOUND) {
        cli_error("no group %lld in circle %lld", ctx->v.id, ctx->v.circle);
        return 1;
    }
    if (rc == 0 && changed) {
        struct mg_calendar_scope scope = {NULL, 0, &group, 1};

        rc = mg_calendar_reconcile_scope(&queued, ctx->st, ctx->v.circle,
                                         &scope, &err);
    }
    if (rc == 0)
        rc = mg_calendar_group_call_link(&link, ctx->st, ctx->v.circle, group);
    if (rc < 0) {
        cli_error("cannot change group %lld: %s", ctx->v.id,
                  err.message[0] ? err.message : mg_strerror(rc));
        return 1;
    }
    printf("group %lld: call link %s; %zu update%s queued for its members\n",
           ctx->v.id, link ? link : "none", queued, queued == 1 ? "" : "s");
    free(link);
    return 0;
}

static const struct cli_option options[] = {
    CLI_ID_OPTION("circle", "ID", circle, "a circle id", "the circle"),
    {.name = "call-url",
     .kind = CLI_TEXT,
     .arg = "URL",
     .help = "set-link: the group's own call link (none: the circle's\n"
             "template or video link)",
     .offset = CLI_AT(call_url)},
    {.name = "dry-run",
     .short_name = 'n',
     .kind = CLI_FLAG,
     .help = "show the result, store nothing",
     .offset = CLI_AT(dry_run)},
    {.name = "force",
     .kind = CLI_FLAG,
     .help = "store the result even if it breaks a hard rule",
     .offset = CLI_AT(force)},
    {.name = "max-moves",
     .kind = CLI_NUMBER,
     .arg = "N",
     .help = "rebalance: move up to N people for better sector and region\n"
             "balance (the fewest moves otherwise)",
     .offset = CLI_AT(max_moves),
     .what = "a number",
     .min = 0,
     .max = INT32_MAX},
    {.name = "seed",
     .kind = CLI_NUMBER,
     .arg = "N",
     .help = "the same seed gives the same groups (1)",
     .offset = CLI_AT(seed),
     .what = "a number",
     .min = 0,
     .max = LLONG_MAX},
    {.name = NULL}};

static const struct cli_command actions[] = {
    {.name = "plan",
     .requires = "circle",
     .usage = "[--dry-run] [--force] [--seed N]",
     .needs = CLI_STORE,
     .run = plan},
    {.name = "rebalance",
     .requires = "circle",
     .usage = "[--dry-run] [--force] [--max-moves N] [--seed N]",
     .needs = CLI_STORE,
     .run = rebalance},
    {.name = "show",
     .requires = "circle",
     .needs = CLI_STORE,
     .run = show_groups},
    {.name = "set-link",
     .args = "GROUP",
     .requires = "circle",
     .usage = "--call-url URL|none",
     .needs = CLI_STORE,
     .check = check_group,
     .run = set_link},
    {.name = NULL}};

static const struct cli_values defaults = {.seed = 1};

const struct cli_command cli_groups = {
    .name = "groups",
    .summary = "plan, rebalance and show facilitated groups",
    .about = "Place the circle's active participants into facilitated "
             "groups\n(plan), repair the groups with few moves after people "
             "join or leave\n(rebalance), or show them. Rules that cannot be "
             "met are listed with\nthe people concerned, and a result that "
             "breaks one is not stored\n(exit status 1) unless --force is "
             "given. A rebalance shows only what\nchanges. Set-link gives a "
             "group its own call link and sends its\nmembers the update.\n",
    .options = options,
    .actions = actions,
    .defaults = &defaults,
};
