/*
 * bench_signup.c: what the public sign-up page's work costs in a circle
 * of 200 people and one of N (default 50,000): a new sign-up (with the
 * lazy erasure of expired ones, the address looked up, the pending row,
 * the confirmation token and its mail queued), the same address again
 * (looked up, the re-send refused by its limit), a confirmation past the
 * capacity (the count of active people, the waitlist place, the page
 * token and the welcome mail), the erasure pass when nothing expired,
 * and a withdrawal that hands the place to the first person waiting
 * (plenary places, the promotion, its mail). The circles are written
 * straight into a fresh database; no groups, so placing is left out (the
 * rebalance benchmarks measure it). Prints the median and the slowest of
 * each, both sizes side by side. No assertions.
 *
 *   ./build/tests/bench/bench_signup [people]
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mingle/calendar.h"
#include "mingle/signup.h"
#include "mingle/store.h"
#include "support.h"

#define ROUNDS 40

enum step { SUBMIT_NEW, SUBMIT_AGAIN, CONFIRM, EXPIRE, WITHDRAW, N_STEPS };

static const char *const step_names[] = {
    "sign up (new address)", "sign up again (same address)",
    "confirm (waitlisted)", "expiry pass (none due)",
    "withdraw (first waiting moves up)"};

struct result {
    size_t people;
    double median[N_STEPS], worst[N_STEPS];
};

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static void summarise(struct result *r, enum step s, double *ms, size_t n)
{
    qsort(ms, n, sizeof(*ms), cmp_double);
    r->median[s] = ms[n / 2];
    r->worst[s] = ms[n - 1];
}

/* A circle of `people` active participants, sign-up open at capacity
 * `people` (so every confirmation waits). */
static int make_circle(struct mg_circle *c, struct mg_store *st, size_t people)
{
    struct mg_participant *list = mg_xcalloc(people, sizeof(*list));
    struct mg_signup_settings s;
    size_t i, failed = 0;
    int rc;

    memset(c, 0, sizeof(*c));
    c->slug = mg_xstrdup("bench");
    c->title = mg_xstrdup("Bench circle");
    c->time_zone = mg_xstrdup("Pacific/Auckland");
    snprintf(c->start_date, sizeof(c->start_date), "2030-03-04");
    c->weeks = 4;
    c->group_min = 6;
    c->group_max = 8;
    c->organizer_name = mg_xstrdup("Coordinators");
    c->organizer_email = mg_xstrdup("circles@example.org");
    c->slots = mg_xcalloc(1, sizeof(*c->slots));
    c->n_slots = 1;
    c->slots[0].weekday = 2;
    c->slots[0].start_minute = 19 * 60 + 30;
    c->slots[0].minutes = 60;
    rc = mg_store_circle_create(st, c);
    for (i = 0; rc == 0 && i < people; i++) {
        list[i].name = mg_xasprintf("Person %zu", i);
        list[i].email = mg_xasprintf("p%zu@example.org", i);
        list[i].sector = mg_xstrdup(i % 2 ? "public" : "academic");
        list[i].status = MG_STATUS_ACTIVE;
    }
    if (rc == 0)
        rc = mg_store_participants_insert(&failed, st, c->id, list, people);
    mg_participants_free(list, people);
    memset(&s, 0, sizeof(s));
    s.circle_id = c->id;
    s.open = 1;
    s.capacity = (int)people;
    if (rc == 0)
        rc = mg_store_signup_put(st, &s);
    return rc;
}

static struct mg_participant newcomer(size_t i)
{
    struct mg_participant p;

    memset(&p, 0, sizeof(p));
    p.name = mg_xasprintf("Newcomer %zu", i);
    p.email = mg_xasprintf("new%zu@example.org", i);
    p.sector = mg_xstrdup("school");
    p.time_zone = mg_xstrdup("Europe/London");
    return p;
}

/* The confirmation token of person `pid`: made again here as the mail
 * would carry it (the glue keeps only its hash), by confirming through
 * a fresh one stored the same way. */
static int fresh_token(char *token, struct mg_store *st, int64_t circle,
                       int64_t pid)
{
    char api[MG_TOKEN_LEN + 1], id[MG_TOKEN_ID_LEN + 1];
    unsigned char hash[MG_TOKEN_HASH_LEN];

    mg_auth_token_new(api, id, hash);
    memcpy(token, id, MG_TOKEN_ID_LEN);
    memcpy(token + MG_TOKEN_ID_LEN, api + 5 + MG_TOKEN_ID_LEN,
           MG_TOKEN_SECRET_LEN + 1);
    return mg_store_secret_set(st, "confirm", id, hash, circle, pid, 0);
}

static int run(struct result *r, size_t people)
{
    struct mg_store_options opt = {2, 5000};
    struct mg_error err = {{0}, {0}};
    struct mg_store *st = NULL;
    struct mg_circle c;
    struct mg_signup_settings s;
    struct mg_signup_env env = {"https://circles.example.org", 7, 0};
    char *dir = test_mkdtemp(), *db = mg_xasprintf("%s/signup.db", dir);
    double ms[ROUNDS];
    int64_t ids[ROUNDS];
    size_t i, n = 0;
    int rc;

    memset(r, 0, sizeof(*r));
    memset(&s, 0, sizeof(s));
    r->people = people;
    rc = mg_store_open(&st, db, &opt, &err);
    if (rc == 0)
        rc = make_circle(&c, st, people);
    if (rc == 0)
        rc = mg_store_signup_get(&s, st, c.id);
    env.now = mg_now();
    for (i = 0; rc == 0 && i < ROUNDS; i++) {
        struct mg_participant p = newcomer(i);
        double t0 = mg_monotonic();

        rc = mg_signup_submit(st, &c, &s, &p, 0, &env, &err);
        ms[i] = (mg_monotonic() - t0) * 1000;
        ids[i] = p.id;
        mg_participant_release(&p);
    }
    if (rc == 0)
        summarise(r, SUBMIT_NEW, ms, ROUNDS);
    for (i = 0; rc == 0 && i < ROUNDS; i++) {
        struct mg_participant p = newcomer(i);
        double t0 = mg_monotonic();

        rc = mg_signup_submit(st, &c, &s, &p, 0, &env, &err);
        ms[i] = (mg_monotonic() - t0) * 1000;
        mg_participant_release(&p);
    }
    if (rc == 0)
        summarise(r, SUBMIT_AGAIN, ms, ROUNDS);
    for (i = 0; rc == 0 && i < ROUNDS; i++) {
        struct mg_signup_confirmed done;
        char token[MG_TOKEN_ID_LEN + MG_TOKEN_SECRET_LEN + 1];
        double t0;

        rc = fresh_token(token, st, c.id, ids[i]);
        t0 = mg_monotonic();
        if (rc == 0)
            rc = mg_signup_confirm(&done, st, &c, token, &env, &err);
        ms[i] = (mg_monotonic() - t0) * 1000;
    }
    if (rc == 0)
        summarise(r, CONFIRM, ms, ROUNDS);
    for (i = 0; rc == 0 && i < ROUNDS; i++) {
        double t0 = mg_monotonic();

        rc = mg_signup_expire(&n, st, env.now);
        ms[i] = (mg_monotonic() - t0) * 1000;
    }
    if (rc == 0)
        summarise(r, EXPIRE, ms, ROUNDS);
    /* withdraw active people 1..ROUNDS: each moves a waiting one up */
    for (i = 0; rc == 0 && i < ROUNDS; i++) {
        int64_t promoted = 0;
        double t0 = mg_monotonic();

        rc = mg_signup_withdraw(&promoted, st, c.id, (int64_t)(i + 1), env.now,
                                &err);
        ms[i] = (mg_monotonic() - t0) * 1000;
        if (rc == 0 && !promoted)
            rc = MG_EINVAL;
    }
    if (rc == 0)
        summarise(r, WITHDRAW, ms, ROUNDS);
    if (rc < 0)
        fprintf(stderr, "bench_signup: %zu people: %s %s\n", people,
                mg_strerror(rc), err.message);
    mg_signup_settings_release(&s);
    if (c.id)
        mg_circle_release(&c);
    mg_store_close(st);
    test_rmdir(dir);
    free(db);
    return rc;
}

int main(int argc, char **argv)
{
    size_t big = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 50000;
    struct result small, large;
    int s;

    if (big < 200)
        big = 200;
    if (run(&small, 200) < 0 || run(&large, big) < 0)
        return 1;
    printf("sign-up page work, ms per call (median / slowest of %d)\n", ROUNDS);
    printf("%-36s %20zu %20zu\n", "", small.people, large.people);
    for (s = 0; s < N_STEPS; s++)
        printf("%-36s %9.2f / %8.2f %9.2f / %8.2f\n", step_names[s],
               small.median[s], small.worst[s], large.median[s],
               large.worst[s]);
    return 0;
}
