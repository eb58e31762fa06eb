/*
 * bench_plan_store.c: what planning a circle costs, from the planner
 * alone to a plan stored with its invitations queued. Circles of 200
 * people beside N (default 50,000): 3 slots (most people can make 2),
 * 4 sectors, 10 regions, 10% facilitators. Prints
 *
 *   - the planner alone (mg_group_plan) for groups of 6-8, where 10%
 *     facilitators cannot lead every group, and of 8-12, where they can,
 *     with the quality of each plan;
 *   - `mingle groups plan --circle ID` end to end (load, plan, store the
 *     groups, make the sessions, queue every invitation), groups of 6-8;
 *   - POST /api/v1/circles/ID/groups/plan on a running daemon, the same;
 *   - `mingle groups plan` again once every group has a facilitator
 *     token and a notes feed URL, which the new plan carries over to the
 *     new groups (issue #17 item 14): the time, and how many are kept.
 *
 * Figures only, no assertions.
 *
 *   ./build/tests/bench/bench_plan_store [N] [planner|cli|api|replan]
 *   ./build/tests/bench/bench_plan_store N db PATH   (only make the circle
 *       in PATH and print its id: for profiling `mingle groups plan`)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <jansson.h>
#include <sqlite3.h>

#include "mingle/auth.h"
#include "mingle/group.h"
#include "mingle/store.h"
#include "support.h"

static const char *const sectors[] = {"public", "academic", "school",
                                      "special"};

static uint64_t next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static int below(uint64_t *s, int n)
{
    return (int)(next(s) % (uint64_t)n);
}

/* One person's draw: facilitator, sector, region, slot mask (0: any). */
struct draw {
    int facilitator, sector, region;
    unsigned slots;
};

static void draw(struct draw *d, uint64_t *s)
{
    int r = below(s, 10);

    d->facilitator = below(s, 10) == 0;
    d->sector = below(s, 4);
    d->region = below(s, 10);
    /* 70%: two of three slots; 10%: any; 10%: all three; 10%: just one */
    if (r < 7)
        d->slots = 7u & ~(1u << below(s, 3));
    else if (r < 8)
        d->slots = 0;
    else if (r < 9)
        d->slots = 7u;
    else
        d->slots = 1u << below(s, 3);
}

/* CPU seconds of this thread: on a shared machine, steadier than wall. */
static double cpu_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int hard_breaks(const struct mg_quality *q)
{
    return q->size_violations + q->no_facilitator + q->slot_violations +
           q->apart_violations + q->unplaced;
}

static void planner(size_t n, int lo, int hi)
{
    struct mg_person *p = mg_xcalloc(n, sizeof(*p));
    struct mg_assign_input in;
    struct mg_assign_result r;
    uint64_t s = 42;
    size_t i;
    int w, rc;
    double t0, c0, ms, cpu;

    for (i = 0; i < n; i++) {
        struct draw d;

        draw(&d, &s);
        p[i].facilitator = d.facilitator;
        p[i].sector = d.sector;
        p[i].region = d.region;
        p[i].slots = d.slots;
        p[i].n_wishes = below(&s, 4);
        for (w = 0; w < p[i].n_wishes; w++)
            p[i].wishes[w] = below(&s, 6);
        p[i].current = -1;
    }
    memset(&in, 0, sizeof(in));
    in.people = p;
    in.n_people = n;
    in.size_min = lo;
    in.size_max = hi;
    in.n_slots = 3;
    in.n_threads = 6;
    in.n_sectors = 4;
    in.n_regions = 10;
    in.seed = 1;
    t0 = mg_monotonic();
    c0 = cpu_now();
    rc = mg_group_plan(&r, &in);
    cpu = (cpu_now() - c0) * 1000.0;
    ms = (mg_monotonic() - t0) * 1000.0;
    if (rc < 0) {
        printf("  %6zu people, groups of %d-%d: %s\n", n, lo, hi,
               mg_strerror(rc));
        free(p);
        return;
    }
    printf("  %6zu people, groups of %2d-%-2d %5d groups %8.1f ms (cpu %6.1f "
           "ms)  sizes %d-%d  hard breaks %d (no facilitator %d, slot %d)  "
           "sector misses %d  region misses %d  first wish %d/%d\n",
           n, lo, hi, r.n_groups, ms, cpu, r.quality.smallest,
           r.quality.largest, hard_breaks(&r.quality), r.quality.no_facilitator,
           r.quality.slot_violations, r.quality.sector_misses,
           r.quality.region_misses, r.quality.wishes_first,
           r.quality.wishes_total);
    mg_assign_result_release(&r);
    free(p);
}

/* A circle of `n` people in the database at `db`; its id, or 0. */
static int64_t populate(const char *db, size_t n)
{
    struct mg_store_options opt = {1, 10000};
    struct mg_store *st = NULL;
    struct mg_error err = {{0}, {0}};
    struct mg_slot slots[3] = {
        {0, 2, 19 * 60 + 30, 60}, {0, 4, 12 * 60 + 30, 60}, {0, 6, 9 * 60, 60}};
    struct mg_participant *people;
    struct mg_circle c;
    uint64_t s = 7;
    size_t i, k;
    int64_t id = 0;

    if (mg_store_open(&st, db, &opt, &err) < 0) {
        fprintf(stderr, "bench_plan_store: %s\n", err.message);
        return 0;
    }
    memset(&c, 0, sizeof(c));
    c.title = mg_xstrdup("Plan bench");
    c.time_zone = mg_xstrdup("Pacific/Auckland");
    memcpy(c.start_date, "2027-03-22", 11);
    c.weeks = 4;
    c.slots = slots;
    c.n_slots = 3;
    c.group_min = 6;
    c.group_max = 8;
    c.video_url = mg_xstrdup("https://meet.example.org/bench");
    c.organizer_name = mg_xstrdup("Bench organizer");
    c.organizer_email = mg_xstrdup("org@example.org");
    if (mg_store_circle_create(st, &c) < 0)
        goto out;
    people = mg_xcalloc(n, sizeof(*people));
    for (i = 0; i < n; i++) {
        struct draw d;

        draw(&d, &s);
        people[i].name = mg_xasprintf("Person %zu", i);
        people[i].email = mg_xasprintf("p%zu@example.org", i);
        people[i].role =
            d.facilitator ? MG_PERSON_FACILITATOR : MG_PERSON_PARTICIPANT;
        people[i].sector = mg_xstrdup(sectors[d.sector]);
        people[i].region = mg_xasprintf("Region %d", d.region);
        people[i].slot_ids = mg_xcalloc(3, sizeof(int64_t));
        for (k = 0; k < 3; k++) {
            if ((d.slots >> k) & 1)
                people[i].slot_ids[people[i].n_slots++] = slots[k].id;
        }
    }
    if (mg_store_participants_insert(NULL, st, c.id, people, n) == 0)
        id = c.id;
    mg_participants_free(people, n);
out:
    c.slots = NULL;
    c.n_slots = 0;
    mg_circle_release(&c);
    mg_store_close(st);
    return id;
}

/* The line of `out` that starts with `prefix`, without its newline. */
static void print_line(const char *out, const char *prefix)
{
    const char *at = out ? strstr(out, prefix) : NULL;

    if (at)
        printf("    %.*s\n", (int)strcspn(at, "\n"), at);
}

static void cli(size_t n)
{
    char *dir = test_mkdtemp(), *db = mg_xasprintf("%s/plan.db", dir);
    char circle[24], *out = NULL, *err = NULL;
    int64_t id = populate(db, n);
    const char *argv[] = {"groups", "plan", "--circle", circle,
                          "--db",   db,     NULL};
    double t0, t;
    int status;

    if (!id) {
        printf("  %6zu people: cannot make the circle\n", n);
        goto out;
    }
    snprintf(circle, sizeof(circle), "%lld", (long long)id);
    t0 = mg_monotonic();
    status = test_run_cli(&out, &err, argv, NULL);
    t = mg_monotonic() - t0;
    printf("  %6zu people, groups of 6-8: %7.2f s (exit %d)\n", n, t, status);
    print_line(out, "sizes ");
    print_line(out, "! facilitators");
    print_line(out, "stored;");
    if (status != 0 && err)
        printf("    %s", err);
out:
    free(out);
    free(err);
    test_rmdir(dir);
    free(db);
}

/* Give every stored group of circle `id` a facilitator token and a notes
 * feed secret; how many groups there are, or -1. */
static long add_secrets(const char *db, int64_t id)
{
    struct mg_store_options opt = {1, 10000};
    struct mg_error err = {{0}, {0}};
    struct mg_store *st = NULL;
    struct mg_group_row *g = NULL;
    size_t n = 0, i;
    long rc = -1;

    if (mg_store_open(&st, db, &opt, &err) < 0 ||
        mg_store_groups_list(&g, &n, st, id) < 0)
        goto out;
    for (i = 0; i < n; i++) {
        struct mg_token tok;
        char token[MG_TOKEN_LEN + 1];
        unsigned char hash[MG_TOKEN_HASH_LEN];

        memset(&tok, 0, sizeof(tok));
        tok.role = MG_ROLE_FACILITATOR;
        tok.circle_id = id;
        tok.group_id = g[i].id;
        mg_auth_token_new(token, tok.public_id, hash);
        if (mg_store_token_insert(st, &tok, hash) < 0)
            goto out;
        mg_auth_token_new(token, tok.public_id, hash);
        if (mg_store_secret_set(st, "notes", tok.public_id, hash, id, 0,
                                g[i].id) < 0)
            goto out;
    }
    rc = (long)n;
out:
    mg_store_groups_free(g, n);
    mg_store_close(st);
    return rc;
}

/* Live tokens and secrets tied to a group of circle `id`. */
static long live_secrets(const char *db, int64_t id)
{
    sqlite3 *h = NULL;
    sqlite3_stmt *stmt = NULL;
    long n = -1;

    if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(h,
                           "SELECT count(*) FROM tokens WHERE revoked_at IS "
                           "NULL AND group_id IN (SELECT id FROM groups "
                           "WHERE circle_id = ?)",
                           -1, &stmt, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(stmt, 1, id);
        if (sqlite3_step(stmt) == SQLITE_ROW)
            n = sqlite3_column_int(stmt, 0);
    }
    sqlite3_finalize(stmt);
    sqlite3_close(h);
    return n;
}

static void replan(size_t n)
{
    char *dir = test_mkdtemp(), *db = mg_xasprintf("%s/plan.db", dir);
    char circle[24], seed[] = "--seed", *out = NULL, *err = NULL;
    int64_t id = populate(db, n);
    /* groups of 6-8: 10% facilitators cannot lead them all (forced) */
    const char *argv[] = {"groups", "plan",    "--circle", circle, "--db",
                          db,       "--force", seed,       "11",   NULL};
    long groups, before;
    double t0, t;
    int status;

    if (!id) {
        printf("  %6zu people: cannot make the circle\n", n);
        goto out;
    }
    snprintf(circle, sizeof(circle), "%lld", (long long)id);
    argv[7] = NULL; /* the first plan: default seed */
    status = test_run_cli(&out, &err, argv, NULL);
    free(out);
    free(err);
    out = err = NULL;
    groups = status == 0 ? add_secrets(db, id) : -1;
    before = live_secrets(db, id);
    argv[7] = seed;
    t0 = mg_monotonic();
    status = test_run_cli(&out, &err, argv, NULL);
    t = mg_monotonic() - t0;
    printf("  %6zu people, %ld groups: %7.2f s (exit %d); tokens and feed "
           "URLs live: %ld before, %ld after\n",
           n, groups, t, status, before, live_secrets(db, id));
    if (status != 0 && err)
        printf("    %s", err);
out:
    free(out);
    free(err);
    test_rmdir(dir);
    free(db);
}

static void api(size_t n)
{
    struct test_site site;
    char path[96];
    int64_t id;
    long status = 0;
    json_t *doc;
    double t0, t;

    if (test_site_init(&site, "plan.db") < 0 || !(id = populate(site.db, n)) ||
        test_site_serve(&site, NULL) < 0) {
        printf("  %6zu people: cannot start the site\n", n);
        test_site_stop(&site, 9);
        return;
    }
    snprintf(path, sizeof(path), "/api/v1/circles/%lld/groups/plan",
             (long long)id);
    t0 = mg_monotonic();
    doc = test_site_call(&site, &status, "POST", path, NULL, NULL);
    t = mg_monotonic() - t0;
    printf("  %6zu people, groups of 6-8: %7.2f s (HTTP %ld), %lld "
           "invitations queued\n",
           n, t, status,
           (long long)json_integer_value(
               json_object_get(doc, "invitations_queued")));
    json_decref(doc);
    /* At once: its outbox has every invitation to send. */
    test_site_stop(&site, 9);
}

int main(int argc, char **argv)
{
    size_t sizes[2] = {200, 50000}, c;
    const char *only = argc > 2 ? argv[2] : NULL;

    if (argc > 1)
        sizes[1] = (size_t)atol(argv[1]);
    mg_log_set_level(MG_LOG_ERROR);
    if (only && strcmp(only, "db") == 0 && argc > 3) {
        int64_t id = populate(argv[3], sizes[1]);

        printf("%lld\n", (long long)id);
        return id ? 0 : 1;
    }
    if (!only || strcmp(only, "planner") == 0) {
        printf("the planner alone (mg_group_plan):\n");
        for (c = 0; c < 2; c++) {
            planner(sizes[c], 6, 8);
            planner(sizes[c], 8, 12);
        }
    }
    if (!only || strcmp(only, "cli") == 0) {
        printf("mingle groups plan, stored with its invitations queued:\n");
        for (c = 0; c < 2; c++)
            cli(sizes[c]);
    }
    if (!only || strcmp(only, "api") == 0) {
        printf("POST /api/v1/circles/ID/groups/plan, stored with its "
               "invitations queued:\n");
        for (c = 0; c < 2; c++)
            api(sizes[c]);
    }
    if (only && strcmp(only, "replan") == 0) {
        printf("mingle groups plan again, each group with a facilitator "
               "token and a notes feed URL:\n");
        for (c = 0; c < 2; c++)
            replan(sizes[c]);
    }
    return 0;
}
