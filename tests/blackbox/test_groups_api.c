/*
 * test_groups_api.c: facilitated groups through the API and the CLI
 * against a real `mingle serve`: a dry run stores nothing, a plan is
 * stored, newcomers are placed without moving anyone, withdrawals are
 * repaired with few moves, a manual move is checked against the rules,
 * and a shortage of facilitators is explained, not papered over.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "support.h"

static const char circle_json[] =
    "{\"title\":\"Groups circle\",\"time_zone\":\"Pacific/Auckland\","
    "\"start_date\":\"2027-03-02\",\"weeks\":4,\"group_size\":{\"min\":6,"
    "\"max\":9},\"slots\":[{\"weekday\":\"tuesday\",\"start\":\"19:30\","
    "\"minutes\":60}]}";

static const char book[] = "# Thread: Mission\n\n## One\n\nwords here\n\n"
                           "# Thread: Communities\n\n## Two\n\nmore words\n";

static const char *const sectors[] = {"public", "academic", "school",
                                      "special"};

struct world {
    struct test_site site;
    char *facilitator;
    long long circle;
};

static struct world *W;

static json_t *call(long *status, const char *method, const char *path,
                    const char *token, const char *body, const char *ctype)
{
    return test_call_json(status, W->site.d.port, token, method, path, body,
                          ctype);
}

/* A circle with the two-thread book and `n` people, `facilitators` of
 * them facilitators, sectors and regions spread evenly. */
static long long make_circle(int n, int facilitators)
{
    struct mg_buf csv = MG_BUF_INIT;
    long status;
    long long id;
    json_t *doc;
    char *path;
    int i;

    id = test_site_circle(&W->site, circle_json, NULL);
    assert_true(id > 0); /* 201 */
    path = test_circle_path(id, "/book");
    doc = call(&status, "POST", path, W->site.token, book, "text/markdown");
    assert_int_equal(status, 201);
    json_decref(doc);
    free(path);
    mg_buf_puts(&csv, "name,email,role,sector,region,threads\n");
    for (i = 0; i < n; i++)
        mg_buf_printf(&csv,
                      "Person %02d,p%02d@example.org,%s,%s,Region %d,%s\n", i,
                      i, i < facilitators ? "facilitator" : "participant",
                      sectors[i % 4], i % 3, i % 2 ? "Communities" : "Mission");
    path = test_circle_path(id, "/participants");
    doc = call(&status, "POST", path, W->site.token, csv.data, "text/csv");
    assert_int_equal(status, 201);
    json_decref(doc);
    free(path);
    mg_buf_release(&csv);
    return id;
}

static int setup_world(void **state)
{
    struct world *w = mg_xcalloc(1, sizeof(*w));

    if (test_site_start(&w->site, "groups.db", NULL) < 0)
        return -1;
    W = w;
    w->circle = make_circle(16, 2);
    /* A token of the circle that is not a coordinator's. */
    w->facilitator = test_site_token(&w->site, "participant", w->circle, 0);
    if (!w->facilitator)
        return -1;
    *state = w;
    return 0;
}

static int teardown_world(void **state)
{
    struct world *w = *state;

    test_site_stop(&w->site, SIGTERM);
    free(w->facilitator);
    free(w);
    return 0;
}

static json_t *get_groups(long long circle)
{
    char *path = test_circle_path(circle, "/groups");
    long status;
    json_t *doc = call(&status, "GET", path, W->site.token, NULL, NULL);

    assert_int_equal(status, 200);
    free(path);
    return doc;
}

static int group_size(json_t *groups, size_t i)
{
    return (int)json_integer_value(
        json_object_get(json_array_get(groups, i), "size"));
}

static void test_dry_run_stores_nothing(void **state)
{
    char *path = test_circle_path(W->circle, "/groups/plan?dry_run=1&seed=7");
    long status;
    json_t *doc, *groups;
    size_t i;

    (void)state;
    doc = call(&status, "POST", path, W->site.token, NULL, NULL);
    assert_int_equal(status, 200);
    groups = json_object_get(doc, "groups");
    assert_int_equal(json_array_size(groups), 2);
    for (i = 0; i < 2; i++) {
        assert_int_equal(group_size(groups, i), 8);
        assert_int_equal(json_integer_value(json_object_get(
                             json_array_get(groups, i), "facilitators")),
                         1);
    }
    assert_int_equal(json_array_size(json_object_get(doc, "issues")), 0);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(doc, "quality"), "sector_misses")),
                     0);
    json_decref(doc);
    doc = get_groups(W->circle);
    assert_int_equal(json_array_size(json_object_get(doc, "groups")), 0);
    json_decref(doc);
    free(path);
    doc = call(&status, "POST", "/api/v1/circles/1/groups/plan?seed=x",
               W->site.token, NULL, NULL);
    assert_int_equal(status, 400);
    json_decref(doc);
    path = test_circle_path(W->circle, "/groups/plan");
    doc = call(&status, "POST", path, W->facilitator, NULL, NULL);
    assert_int_equal(status, 403);
    json_decref(doc);
    free(path);
}

static void test_plan_is_deterministic_and_stored(void **state)
{
    char *dry = test_circle_path(W->circle, "/groups/plan?dry_run=1&seed=42");
    char *commit = test_circle_path(W->circle, "/groups/plan?seed=42");
    long status;
    json_t *a, *b, *stored;
    char *ja, *jb;

    (void)state;
    a = call(&status, "POST", dry, W->site.token, NULL, NULL);
    b = call(&status, "POST", dry, W->site.token, NULL, NULL);
    ja = json_dumps(json_object_get(a, "groups"), JSON_SORT_KEYS);
    jb = json_dumps(json_object_get(b, "groups"), JSON_SORT_KEYS);
    assert_string_equal(ja, jb);
    free(ja);
    free(jb);
    json_decref(b);
    b = call(&status, "POST", commit, W->site.token, NULL, NULL);
    assert_int_equal(status, 201);
    stored = get_groups(W->circle);
    assert_int_equal(json_array_size(json_object_get(stored, "groups")), 2);
    assert_true(
        json_integer_value(json_object_get(
            json_array_get(json_object_get(stored, "groups"), 0), "id")) > 0);
    /* What was stored is what the dry run showed. */
    assert_int_equal(
        json_array_size(json_object_get(
            json_array_get(json_object_get(stored, "groups"), 0), "members")),
        json_array_size(json_object_get(
            json_array_get(json_object_get(a, "groups"), 0), "members")));
    json_decref(a);
    json_decref(b);
    json_decref(stored);
    free(dry);
    free(commit);
}

static void test_newcomer_placed_without_moves(void **state)
{
    char *people = test_circle_path(W->circle, "/participants");
    char *rebalance = test_circle_path(W->circle, "/groups/rebalance");
    long status;
    json_t *doc, *groups;

    (void)state;
    doc = call(&status, "POST", people, W->site.token,
               "{\"name\":\"Late Comer\",\"email\":\"late@example.org\","
               "\"sector\":\"public\"}",
               NULL);
    assert_int_equal(status, 201);
    json_decref(doc);
    doc = call(&status, "POST", rebalance, W->site.token, NULL, NULL);
    assert_int_equal(status, 201);
    assert_int_equal(json_integer_value(json_object_get(doc, "moves")), 0);
    json_decref(doc);
    doc = get_groups(W->circle);
    groups = json_object_get(doc, "groups");
    assert_int_equal(group_size(groups, 0) + group_size(groups, 1), 17);
    json_decref(doc);
    free(people);
    free(rebalance);
}

static void test_withdrawals_rebalanced(void **state)
{
    char *rebalance = test_circle_path(W->circle, "/groups/rebalance");
    long status;
    json_t *doc, *groups, *members;
    int big, small, i;

    (void)state;
    doc = get_groups(W->circle);
    groups = json_object_get(doc, "groups");
    big = group_size(groups, 0) >= group_size(groups, 1) ? 0 : 1;
    members = json_object_get(json_array_get(groups, big), "members");
    /* Withdraw three non-facilitators from the bigger group: 9/8 becomes
     * 6/8 (or 5/9 ...), off by more than one. */
    for (i = 0, small = 0; small < 3; i++) {
        json_t *m = json_array_get(members, (size_t)i);
        char *path;
        json_t *r;
        assert_non_null(m);
        if (strcmp(json_string_value(json_object_get(m, "role")),
                   "facilitator") == 0)
            continue;
        path = mg_xasprintf(
            "/api/v1/circles/%lld/participants/%lld/withdraw", W->circle,
            (long long)json_integer_value(json_object_get(m, "id")));
        r = call(&status, "POST", path, W->site.token, NULL, NULL);
        assert_int_equal(status, 200);
        json_decref(r);
        free(path);
        small++;
    }
    json_decref(doc);
    doc = call(&status, "POST", rebalance, W->site.token, NULL, NULL);
    assert_int_equal(status, 201);
    /* 14 people in two groups: 7 and 7 takes exactly one move. */
    assert_int_equal(json_integer_value(json_object_get(doc, "moves")), 1);
    assert_true(json_integer_value(json_object_get(doc, "moves_lower_bound")) <=
                1);
    json_decref(doc);
    doc = get_groups(W->circle);
    groups = json_object_get(doc, "groups");
    assert_int_equal(group_size(groups, 0), 7);
    assert_int_equal(group_size(groups, 1), 7);
    json_decref(doc);
    free(rebalance);
}

static void test_manual_move_checked(void **state)
{
    long status;
    json_t *doc, *groups, *g0, *members, *fac = NULL;
    long long to, fac_id;
    char *path, *body;
    size_t i;

    (void)state;
    doc = get_groups(W->circle);
    groups = json_object_get(doc, "groups");
    g0 = json_array_get(groups, 0);
    to = json_integer_value(json_object_get(json_array_get(groups, 1), "id"));
    members = json_object_get(g0, "members");
    for (i = 0; i < json_array_size(members); i++)
        if (strcmp(json_string_value(
                       json_object_get(json_array_get(members, i), "role")),
                   "facilitator") == 0)
            fac = json_array_get(members, i);
    assert_non_null(fac);
    fac_id = (long long)json_integer_value(json_object_get(fac, "id"));
    path =
        mg_xasprintf("/api/v1/circles/%lld/groups/%lld/members", W->circle, to);
    body = mg_xasprintf("{\"participant_id\":%lld}", fac_id);
    json_decref(doc);
    /* Moving group 1's only facilitator away breaks a hard rule. */
    doc = call(&status, "POST", path, W->site.token, body, NULL);
    assert_int_equal(status, 409);
    assert_true(json_array_size(json_object_get(json_object_get(doc, "error"),
                                                "issues")) >= 1);
    json_decref(doc);
    free(body);
    /* (doc, and fac with it, is gone: use the id kept above) */
    body = mg_xasprintf("{\"participant_id\":%lld,\"force\":true}", fac_id);
    doc = call(&status, "POST", path, W->site.token, body, NULL);
    assert_int_equal(status, 200);
    assert_true(json_is_true(json_object_get(doc, "forced")));
    json_decref(doc);
    doc = get_groups(W->circle);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(doc, "quality"),
                                           "groups_without_facilitator")),
        1);
    json_decref(doc);
    free(body);
    free(path);
}

static void test_too_few_facilitators_explained(void **state)
{
    long long id = make_circle(27, 1);
    char *path = test_circle_path(id, "/groups/plan?dry_run=1");
    long status;
    json_t *doc, *issues;
    size_t i;
    int found = 0;

    (void)state;
    doc = call(&status, "POST", path, W->site.token, NULL, NULL);
    assert_int_equal(status, 200);
    /* 27 people, at most 9 a group: 3 groups, 1 facilitator, 2 missing */
    assert_int_equal(json_array_size(json_object_get(doc, "groups")), 3);
    issues = json_object_get(doc, "issues");
    for (i = 0; i < json_array_size(issues); i++) {
        json_t *is = json_array_get(issues, i);
        if (strcmp(json_string_value(json_object_get(is, "rule")),
                   "facilitators") == 0 &&
            strstr(json_string_value(json_object_get(is, "message")), "2"))
            found = 1;
    }
    assert_true(found);
    json_decref(doc);
    free(path);
}

/* JSON of `v` with sorted keys, for comparing; free() it. */
static char *canonical(json_t *v)
{
    char *text = json_dumps(v, JSON_SORT_KEYS | JSON_COMPACT);

    assert_non_null(text);
    return text;
}

/* The stored groups read back (from the store's counts and a page of
 * members at a time) are the groups and the quality the plan answered
 * with; a page of them is that page of the whole list; one group alone
 * is itself. */
static void test_stored_groups_read_back(void **state)
{
    long long circle = make_circle(47, 7);
    char *plan = test_circle_path(circle, "/groups/plan?seed=7");
    char *path;
    json_t *planned, *all, *page, *one, *groups, *pgroups;
    long status;
    size_t i;
    char *x, *y;

    (void)state;
    planned = call(&status, "POST", plan, W->site.token, NULL, NULL);
    assert_int_equal(status, 201);
    all = get_groups(circle);
    groups = json_object_get(all, "groups");
    pgroups = json_object_get(planned, "groups");
    assert_true(json_array_size(groups) >= 4);
    assert_int_equal(json_array_size(groups), json_array_size(pgroups));
    x = canonical(json_object_get(planned, "quality"));
    y = canonical(json_object_get(all, "quality"));
    assert_string_equal(x, y);
    free(x);
    free(y);
    for (i = 0; i < json_array_size(groups); i++) {
        json_t *g = json_deep_copy(json_array_get(groups, i));
        char *want = NULL;

        assert_true(json_integer_value(json_object_get(g, "id")) > 0);
        assert_non_null(json_string_value(json_object_get(g, "name")));
        /* one group alone */
        path = test_circle_path(circle, "/groups/%lld",
                                json_integer_value(json_object_get(g, "id")));
        one = call(&status, "GET", path, W->site.token, NULL, NULL);
        assert_int_equal(status, 200);
        x = canonical(one);
        want = canonical(g);
        assert_string_equal(x, want);
        free(x);
        free(want);
        json_decref(one);
        free(path);
        /* what the plan showed, without what only a stored group has */
        json_object_del(g, "id");
        json_object_del(g, "name");
        json_object_del(g, "address");
        json_object_del(g, "call_url");
        json_object_del(g, "call_link");
        x = canonical(g);
        y = canonical(json_array_get(pgroups, i));
        assert_string_equal(x, y);
        free(x);
        free(y);
        json_decref(g);
    }
    path = test_circle_path(circle, "/groups?limit=2&offset=1");
    page = call(&status, "GET", path, W->site.token, NULL, NULL);
    assert_int_equal(status, 200);
    assert_int_equal(json_integer_value(json_object_get(page, "total")),
                     (json_int_t)json_array_size(groups));
    assert_int_equal(json_array_size(json_object_get(page, "groups")), 2);
    for (i = 0; i < 2; i++) {
        x = canonical(json_array_get(json_object_get(page, "groups"), i));
        y = canonical(json_array_get(groups, i + 1));
        assert_string_equal(x, y);
        free(x);
        free(y);
    }
    json_decref(page);
    free(path);
    path = test_circle_path(circle, "/groups?limit=lots");
    page = call(&status, "GET", path, W->site.token, NULL, NULL);
    assert_int_equal(status, 400);
    json_decref(page);
    free(path);
    path = test_circle_path(circle, "/groups/999999");
    page = call(&status, "GET", path, W->site.token, NULL, NULL);
    assert_int_equal(status, 404);
    json_decref(page);
    free(path);
    json_decref(planned);
    json_decref(all);
    free(plan);
}

static void test_cli_show(void **state)
{
    char circle[32];
    const char *argv[] = {"groups", "show",     "--circle", circle,
                          "--db",   W->site.db, NULL};
    char *out = NULL;

    (void)state;
    snprintf(circle, sizeof(circle), "%lld", W->circle);
    assert_int_equal(test_run_cli(&out, NULL, argv, NULL), 0);
    assert_non_null(strstr(out, "Group 1:"));
    assert_non_null(strstr(out, "Group 2:"));
    assert_non_null(strstr(out, "sector misses"));
    free(out);
}

/* Person `email`'s current group id in circle `circle` (0: none). */
static long long group_of(long long circle, const char *email)
{
    long long id = test_site_person(&W->site, circle, email);
    char *path = test_circle_path(circle, "/participants/%lld", id);
    long status;
    json_t *doc = call(&status, "GET", path, W->site.token, NULL, NULL);
    long long g;

    assert_int_equal(status, 200);
    g = json_integer_value(json_object_get(doc, "group_id"));
    json_decref(doc);
    free(path);
    return g;
}

/* GET `path` (a page or feed, no token): the status. */
static long get_status(const char *path, const char *token)
{
    struct test_response resp;
    long status;

    assert_int_equal(
        test_http(&resp, W->site.d.port, "GET", path, token, NULL, NULL), 0);
    status = resp.status;
    test_response_release(&resp);
    return status;
}

/* The status of GET .../groups/<group> with `token`. */
static long group_status(long long circle, long long group, const char *token)
{
    char *path = test_circle_path(circle, "/groups/%lld", group);
    long status = get_status(path, token);

    free(path);
    return status;
}

static long long replan(long long circle, int seed)
{
    char *path = test_circle_path(circle, "/groups/plan?seed=%d", seed);
    long status;
    json_t *doc = call(&status, "POST", path, W->site.token, NULL, NULL);

    assert_int_equal(status, 201);
    json_decref(doc);
    free(path);
    return 0;
}

/*
 * Issue #17 item 14: planning the groups again kept nobody's secrets (the
 * groups were deleted with their facilitator tokens and notes feed
 * URLs). Now a facilitator's token and the group's notes feed follow the
 * facilitator to their new group; once they no longer facilitate, their
 * token stops working while the feed goes to where most members went.
 * Their own page (/p/...) is the person's and works throughout.
 */
/* Plan circle `circle` with `seed`: how many invitations were queued. */
static long long plan_queued(long long circle, int seed)
{
    char *path = test_circle_path(circle, "/groups/plan?seed=%d", seed);
    long status;
    json_t *doc = call(&status, "POST", path, W->site.token, NULL, NULL);
    long long n;

    assert_int_equal(status, 201);
    n = json_integer_value(json_object_get(doc, "invitations_queued"));
    json_decref(doc);
    free(path);
    return n;
}

/* How many messages of `kind` circle `circle`'s outbox holds. */
static size_t count_kind(long long circle, const char *kind)
{
    char *path = test_circle_path(circle, "/outbox?limit=500");
    long status;
    json_t *doc = call(&status, "GET", path, W->site.token, NULL, NULL);
    json_t *rows = json_object_get(doc, "messages"), *m;
    size_t i, n = 0;

    assert_int_equal(status, 200);
    assert_non_null(rows);
    json_array_foreach(rows, i, m) n +=
        strcmp(json_string_value(json_object_get(m, "kind")), kind) == 0;
    json_decref(doc);
    free(path);
    return n;
}

/*
 * Planned again, the groups are new groups (each a new calendar series),
 * whatever ids SQLite would hand out: every member is sent the new
 * series. The new groups once took the ids of the old ones (the highest
 * in the file), and the members' invitations, matched by group id, were
 * taken for up to date: nobody was told, and their calendars kept the old
 * series (its UID, and its time if the slot had changed).
 */
static void test_replan_sends_the_new_series(void **state)
{
    static const char with_organizer[] =
        "{\"title\":\"Planned twice\",\"time_zone\":\"Pacific/Auckland\","
        "\"start_date\":\"2027-03-02\",\"weeks\":4,\"group_size\":{"
        "\"min\":6,\"max\":9},\"slots\":[{\"weekday\":\"tuesday\","
        "\"start\":\"19:30\",\"minutes\":60}],\"organizer\":{\"name\":"
        "\"Coordinators\",\"email\":\"circles@example.org\"}}";
    struct mg_buf csv = MG_BUF_INIT;
    long long circle, before, after;
    long status;
    json_t *doc;
    char *path;
    int i;

    (void)state;
    circle = test_site_circle(&W->site, with_organizer, NULL);
    assert_true(circle > 0);
    mg_buf_puts(&csv, "name,email,role,sector\n");
    for (i = 0; i < 16; i++)
        mg_buf_printf(&csv, "Twice %02d,twice%02d@example.org,%s,%s\n", i, i,
                      i < 2 ? "facilitator" : "participant", sectors[i % 4]);
    path = test_circle_path(circle, "/participants");
    doc = call(&status, "POST", path, W->site.token, csv.data, "text/csv");
    assert_int_equal(status, 201);
    json_decref(doc);
    free(path);
    mg_buf_release(&csv);

    assert_int_equal(plan_queued(circle, 1), 16);
    before = group_of(circle, "twice00@example.org");
    /* each member: a CANCEL of the old series, a REQUEST of the new */
    assert_int_equal(plan_queued(circle, 1), 32);
    after = group_of(circle, "twice00@example.org");
    assert_true(after > before); /* a new group, never an old one's id */
    assert_int_equal(count_kind(circle, "cancel"), 16);
    assert_int_equal(count_kind(circle, "invite"), 32);
    assert_int_equal(plan_queued(circle, 2), 32);
    assert_true(group_of(circle, "twice00@example.org") > after);
}

static void test_replan_keeps_secrets(void **state)
{
    long long circle = make_circle(18, 3), g, g2, other = 0, me;
    char *path, *token, *feed, *page;
    const char *url;
    json_t *doc, *groups;
    long status;
    size_t i;

    (void)state;
    replan(circle, 7);
    g = group_of(circle, "p00@example.org");
    assert_true(g > 0);
    token = test_site_token(&W->site, "facilitator", circle, g);
    assert_non_null(token);
    assert_int_equal(group_status(circle, g, token), 200);

    path = test_circle_path(circle, "/groups/%lld/notes-feed", g);
    doc = call(&status, "POST", path, W->site.token, NULL, NULL);
    assert_int_equal(status, 201);
    url = json_string_value(json_object_get(doc, "url"));
    assert_non_null(url);
    assert_non_null(strstr(url, "/notes/"));
    feed = mg_xstrdup(strstr(url, "/notes/"));
    json_decref(doc);
    free(path);
    assert_int_equal(get_status(feed, NULL), 200);

    me = test_site_person(&W->site, circle, "p00@example.org");
    path = test_circle_path(circle, "/participants/%lld/page", me);
    doc = call(&status, "POST", path, W->site.token, NULL, NULL);
    assert_int_equal(status, 201);
    url = json_string_value(json_object_get(doc, "url"));
    assert_non_null(url);
    assert_non_null(strstr(url, "/p/"));
    page = mg_xstrdup(strstr(url, "/p/"));
    json_decref(doc);
    free(path);
    assert_int_equal(get_status(page, NULL), 200);

    /* planned again with another seed: new groups (SQLite may give them
     * the old ids again), same secrets */
    replan(circle, 99);
    g2 = group_of(circle, "p00@example.org");
    assert_true(g2 > 0);
    assert_int_equal(group_status(circle, g2, token), 200);
    groups = get_groups(circle);
    for (i = 0; i < json_array_size(json_object_get(groups, "groups")); i++) {
        long long id = json_integer_value(json_object_get(
            json_array_get(json_object_get(groups, "groups"), i), "id"));

        if (id != g2)
            other = id;
    }
    json_decref(groups);
    assert_true(other > 0);
    /* still only their own group */
    assert_int_equal(group_status(circle, other, token), 403);
    assert_int_equal(get_status(feed, NULL), 200);
    assert_int_equal(get_status(page, NULL), 200);

    /* p00 no longer facilitates: their token stops working, the group's
     * notes feed still works (it follows most of the members) */
    path = test_circle_path(circle, "/participants/%lld", me);
    doc = call(&status, "PATCH", path, W->site.token,
               "{\"role\":\"participant\"}", NULL);
    assert_int_equal(status, 200);
    json_decref(doc);
    free(path);
    replan(circle, 5);
    g = group_of(circle, "p00@example.org");
    assert_true(g > 0);
    assert_int_equal(group_status(circle, g, token), 401);
    assert_int_equal(get_status(feed, NULL), 200);
    assert_int_equal(get_status(page, NULL), 200);

    free(token);
    free(feed);
    free(page);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dry_run_stores_nothing),
        cmocka_unit_test(test_plan_is_deterministic_and_stored),
        cmocka_unit_test(test_newcomer_placed_without_moves),
        cmocka_unit_test(test_withdrawals_rebalanced),
        cmocka_unit_test(test_manual_move_checked),
        cmocka_unit_test(test_too_few_facilitators_explained),
        cmocka_unit_test(test_stored_groups_read_back),
        cmocka_unit_test(test_cli_show),
        cmocka_unit_test(test_replan_keeps_secrets),
        cmocka_unit_test(test_replan_sends_the_new_series),
    };

    return cmocka_run_group_tests(tests, setup_world, teardown_world);
}
