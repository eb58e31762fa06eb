/*
 * test_rebalance_api.c: a circle's groups through churn, against a real
 * `mingle serve`: late joiners who can make only a slot where no group
 * meets overflow two full groups, so the rebalance opens a group in
 * their slot, with their facilitator and a thread, moving nobody; then
 * most of one slot's people withdraw and the smallest group is
 * dissolved, its members moved. What is stored is read back with GET.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <jansson.h>

#include "support.h"

static const char circle_json[] =
    "{\"title\":\"Churn circle\",\"time_zone\":\"Pacific/Auckland\","
    "\"start_date\":\"2027-03-02\",\"weeks\":4,\"group_size\":{\"min\":6,"
    "\"max\":8},\"slots\":[{\"weekday\":\"tuesday\",\"start\":\"19:30\","
    "\"minutes\":60},{\"weekday\":\"thursday\",\"start\":\"12:30\","
    "\"minutes\":45}]}";

static const char book[] = "# Thread: Mission\n\n## One\n\nwords here\n\n"
                           "# Thread: Communities\n\n## Two\n\nmore words\n";

struct world {
    struct test_site site;
    long long circle;
    char *cookie; /* the coordinator's dashboard session */
};

static struct world *W;

static json_t *call(long *status, const char *method, const char *path,
                    const char *body, const char *ctype)
{
    return test_call_json(status, W->site.d.port, W->site.token, method, path,
                          body, ctype);
}

static void post_people(const char *csv)
{
    char *path = test_circle_path(W->circle, "/participants");
    long status;
    json_t *doc = call(&status, "POST", path, csv, "text/csv");

    assert_int_equal(status, 201);
    json_decref(doc);
    free(path);
}

static json_t *get_groups(void)
{
    char *path = test_circle_path(W->circle, "/groups");
    long status;
    json_t *doc = call(&status, "GET", path, NULL, NULL);

    assert_int_equal(status, 200);
    free(path);
    return doc;
}

/* POST .../groups/rebalance`query`; the answer (json_decref it). */
static json_t *rebalance_doc(const char *query, long want)
{
    char *path = test_circle_path(W->circle, "/groups/rebalance%s", query);
    long status;
    json_t *doc = call(&status, "POST", path, NULL, NULL);

    assert_int_equal(status, want);
    free(path);
    return doc;
}

static long long integer(json_t *doc, const char *key)
{
    json_t *v = json_object_get(doc, key);

    assert_true(json_is_integer(v));
    return json_integer_value(v);
}

/* The entry of changes.groups marked `change`, or NULL. */
static json_t *changed_group(json_t *doc, const char *change)
{
    json_t *groups = json_object_get(json_object_get(doc, "changes"), "groups");
    size_t i;

    for (i = 0; i < json_array_size(groups); i++) {
        json_t *g = json_array_get(groups, i);

        if (strcmp(json_string_value(json_object_get(g, "change")), change) ==
            0)
            return g;
    }
    return NULL;
}

static int setup_world(void **state)
{
    struct world *w = mg_xcalloc(1, sizeof(*w));
    struct mg_buf csv = MG_BUF_INIT;
    long status;
    json_t *doc;
    char *path;
    int i;

    if (test_site_start(&w->site, "rebalance.db", NULL) < 0)
        return -1;
    W = w;
    w->circle = test_site_circle(&w->site, circle_json, NULL);
    path = test_circle_path(w->circle, "/book");
    doc = call(&status, "POST", path, book, "text/markdown");
    json_decref(doc);
    free(path);
    if (status != 201)
        return -1;
    /* 16 people who can make Tuesday only, 4 of them facilitators */
    mg_buf_puts(&csv, "name,email,role,sector,region,slots\n");
    for (i = 0; i < 16; i++)
        mg_buf_printf(&csv,
                      "Tue %02d,tue%02d@example.org,%s,public,R%d,"
                      "tuesday 19:30\n",
                      i, i, i < 4 ? "facilitator" : "participant", i % 3);
    i = test_site_plan(&w->site, w->circle, csv.data, NULL, 0);
    mg_buf_release(&csv);
    if (i < 0)
        return -1;
    if (test_site_dashboard_login(&w->site, w->site.token, &w->cookie, NULL,
                                  NULL) != 303 ||
        !w->cookie)
        return -1;
    *state = w;
    return 0;
}

static int teardown_world(void **state)
{
    struct world *w = *state;

    test_site_stop(&w->site, SIGTERM);
    free(w->cookie);
    free(w);
    return 0;
}

/* Wait for the wall clock's next whole second. */
static void test_next_second(void)
{
    time_t now = time(NULL);

    while (time(NULL) == now) {
        struct timespec ts = {0, 20 * 1000 * 1000};

        nanosleep(&ts, NULL);
    }
}

/* A dashboard page of the circle, as its coordinator sees it (free()). */
static char *dashboard_get(const char *what)
{
    struct test_response resp;
    char *path = test_dashboard_path(W->circle, "%s", what), *body;

    test_site_page(&resp, &W->site, "GET", path, W->cookie, NULL);
    assert_int_equal(resp.status, 200);
    body = mg_xstrdup(resp.body);
    test_response_release(&resp);
    free(path);
    return body;
}

static const char *slot_day(json_t *group)
{
    return json_string_value(
        json_object_get(json_object_get(group, "slot"), "weekday"));
}

static int count_role(json_t *group, const char *role)
{
    json_t *members = json_object_get(group, "members");
    size_t i;
    int n = 0;

    for (i = 0; i < json_array_size(members); i++)
        n += strcmp(json_string_value(
                        json_object_get(json_array_get(members, i), "role")),
                    role) == 0;
    return n;
}

static void test_late_joiners_get_their_own_group(void **state)
{
    json_t *doc, *groups, *thursday = NULL, *opened;
    long long opened_id;
    char circle[32], *out = NULL, *page;
    const char *cli[] = {"groups", "rebalance", "--circle",  circle,
                         "--db",   W->site.db,  "--dry-run", NULL};
    size_t i;
    int sizes = 0;

    (void)state;
    doc = get_groups();
    assert_int_equal(json_array_size(json_object_get(doc, "groups")), 2);
    json_decref(doc);
    /* 7 late joiners who can make only Thursday 12:30, where no group
     * meets; one of them can lead */
    post_people("name,email,role,sector,region,slots\n"
                "Thu 0,thu0@example.org,facilitator,school,R1,thursday 12:30\n"
                "Thu 1,thu1@example.org,,school,R2,thursday 12:30\n"
                "Thu 2,thu2@example.org,,academic,R0,thursday 12:30\n"
                "Thu 3,thu3@example.org,,special,R1,thursday 12:30\n"
                "Thu 4,thu4@example.org,,public,R2,thursday 12:30\n"
                "Thu 5,thu5@example.org,,public,R0,thursday 12:30\n"
                "Thu 6,thu6@example.org,,school,R1,thursday 12:30\n");
    /* 23 people do not fit two groups of at most 8: a third opens in
     * the slot the newcomers make, and nobody already placed moves. A
     * dry run says so first, and what extra moves would buy. */
    /* the dashboard's preview says a group opens, and where it meets */
    page = dashboard_get("/rebalance");
    assert_non_null(strstr(page, "A new group opens (the groups are full): "
                                 "it meets Thursday 12:30 and follows &quot;"));
    assert_non_null(strstr(page, "7 newcomers placed; 0 moves, the fewest "
                                 "possible."));
    free(page);
    snprintf(circle, sizeof(circle), "%lld", W->circle);
    assert_int_equal(test_run_cli(&out, NULL, cli, NULL), 0);
    assert_non_null(strstr(out, "(opened: the groups were full; meets "
                                "thursday 12:30; follows \""));
    assert_non_null(strstr(out, "moves: 0 (the fewest possible)"));
    assert_non_null(strstr(out, "dry run: nothing stored"));
    free(out);
    doc = rebalance_doc("?dry_run=1", 200);
    assert_int_equal(integer(doc, "moves"), 0);
    assert_int_equal(integer(doc, "moves_lower_bound"), 0);
    assert_int_equal(integer(doc, "groups_opened"), 1);
    assert_true(json_is_object(json_object_get(doc, "balance_option")));
    json_decref(doc);
    doc = get_groups();
    assert_int_equal(json_array_size(json_object_get(doc, "groups")), 2);
    json_decref(doc);
    doc = rebalance_doc("", 201);
    assert_int_equal(integer(doc, "moves"), 0);
    assert_int_equal(integer(doc, "groups_opened"), 1);
    assert_int_equal(integer(doc, "groups_dissolved"), 0);
    opened = changed_group(doc, "opened");
    assert_non_null(opened);
    assert_true(integer(opened, "id") > 0);
    assert_int_equal(integer(opened, "size"), 7);
    assert_int_equal(integer(opened, "facilitators"), 1);
    assert_string_equal(slot_day(opened), "thursday");
    assert_non_null(json_string_value(
        json_object_get(json_object_get(opened, "thread"), "title")));
    opened_id = integer(opened, "id");
    json_decref(doc);
    doc = get_groups();
    groups = json_object_get(doc, "groups");
    assert_int_equal(json_array_size(groups), 3);
    for (i = 0; i < 3; i++) {
        json_t *g = json_array_get(groups, i);
        int size = (int)json_integer_value(json_object_get(g, "size"));

        assert_true(size >= 7 && size <= 8);
        sizes += size;
        assert_true(count_role(g, "facilitator") >= 1);
        assert_true(json_is_object(json_object_get(g, "thread")));
        assert_true(json_integer_value(json_object_get(g, "id")) > 0);
        if (strcmp(slot_day(g), "thursday") == 0) {
            assert_null(thursday);
            thursday = g;
        }
    }
    assert_int_equal(sizes, 23);
    assert_non_null(thursday);
    assert_int_equal(json_integer_value(json_object_get(thursday, "size")), 7);
    assert_int_equal(json_integer_value(json_object_get(thursday, "id")),
                     opened_id);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(thursday, "slot"), "start")),
                        "12:30");
    json_decref(doc);
}

static void test_mass_withdrawal_dissolves_a_group(void **state)
{
    json_t *doc, *groups;
    size_t i, k;
    long status;
    int withdrawn = 0;

    (void)state;
    /* five members (not facilitators) leave each Tuesday group: 3 and 3
     * remain beside Thursday's 7, and 13 people make two groups of 6+ */
    doc = get_groups();
    groups = json_object_get(doc, "groups");
    for (i = 0; i < json_array_size(groups); i++) {
        json_t *g = json_array_get(groups, i);
        json_t *members = json_object_get(g, "members");
        int left = 0;

        if (strcmp(slot_day(g), "tuesday") != 0)
            continue;
        for (k = 0; k < json_array_size(members) && left < 5; k++) {
            json_t *m = json_array_get(members, k);
            char *path;
            json_t *r;

            if (strcmp(json_string_value(json_object_get(m, "role")),
                       "facilitator") == 0)
                continue;
            path = test_circle_path(
                W->circle, "/participants/%lld/withdraw",
                (long long)json_integer_value(json_object_get(m, "id")));
            r = call(&status, "POST", path, NULL, NULL);
            assert_int_equal(status, 200);
            json_decref(r);
            free(path);
            left++;
            withdrawn++;
        }
    }
    json_decref(doc);
    assert_true(withdrawn >= 9);
    /* the smallest Tuesday group goes; its members join the other */
    doc = rebalance_doc("", 201);
    assert_true(integer(doc, "moves") >= 3);
    assert_true(integer(doc, "moves_lower_bound") >= 3);
    assert_int_equal(integer(doc, "groups_dissolved"), 1);
    assert_non_null(changed_group(doc, "closed"));
    json_decref(doc);
    doc = get_groups();
    groups = json_object_get(doc, "groups");
    assert_int_equal(json_array_size(groups), 2);
    for (i = 0; i < 2; i++) {
        json_t *g = json_array_get(groups, i);
        int size = (int)json_integer_value(json_object_get(g, "size"));

        assert_true(size >= 6 && size <= 8);
        assert_true(count_role(g, "facilitator") >= 1);
    }
    json_decref(doc);
}

/*
 * One newcomer who fits a group with room: the dashboard previews it
 * without loading the circle and applies exactly what it showed.
 */
static void test_dashboard_places_a_newcomer(void **state)
{
    struct test_response resp;
    char *page, *csrf, *plan, *form, *path, *loc;
    json_t *doc, *groups;
    size_t i;
    int sizes = 0;

    (void)state;
    /* the last rebalance's mark is to the second: a join within the same
     * second cannot be told from its own writes, and takes the full path */
    test_next_second();
    post_people("name,email,role,sector,region,slots\n"
                "Late Tue,latetue@example.org,,school,R2,tuesday 19:30\n");
    page = dashboard_get("/rebalance");
    assert_non_null(strstr(page, "Late Tue: no group &rarr; Group"));
    /* from the store's counts when the mark allows (the usual case), or
     * from the whole circle when a slow run blurs the mark's second: the
     * same placement, said either way, and nobody else moves */
    assert_true(strstr(page, "1 newcomer placed in a group with room; "
                             "nobody already placed moves.") ||
                strstr(page, "1 newcomer placed; 0 moves, the fewest "
                             "possible."));
    csrf = test_page_csrf(page);
    plan = strstr(page, "name=\"plan\" value=\"");
    assert_non_null(plan);
    plan = mg_xstrndup(plan + strlen("name=\"plan\" value=\""), 16);
    free(page);
    /* a stale plan is not applied */
    path = test_dashboard_path(W->circle, "/rebalance");
    form = mg_xasprintf("csrf=%s&plan=0000000000000000", csrf);
    test_site_page(&resp, &W->site, "POST", path, W->cookie, form);
    assert_int_equal(resp.status, 303);
    loc = test_header_value(resp.headers, strlen(resp.headers), "Location");
    assert_non_null(strstr(loc, "changed=1"));
    free(loc);
    free(form);
    test_response_release(&resp);
    form = mg_xasprintf("csrf=%s&plan=%s", csrf, plan);
    test_site_page(&resp, &W->site, "POST", path, W->cookie, form);
    assert_int_equal(resp.status, 303);
    loc = test_header_value(resp.headers, strlen(resp.headers), "Location");
    assert_non_null(strstr(loc, "done=rebalanced&moves=1"));
    free(loc);
    test_response_release(&resp);
    /* 14 people: 7 and 7 */
    doc = get_groups();
    groups = json_object_get(doc, "groups");
    assert_int_equal(json_array_size(groups), 2);
    for (i = 0; i < 2; i++) {
        int size = (int)json_integer_value(
            json_object_get(json_array_get(groups, i), "size"));

        assert_int_equal(size, 7);
        sizes += size;
    }
    assert_int_equal(sizes, 14);
    json_decref(doc);
    free(form);
    free(path);
    free(plan);
    free(csrf);
}

/* max_moves buys balance on request, within what was asked; nonsense is
 * refused before anything runs. */
static void test_max_moves(void **state)
{
    char *page;
    json_t *doc;
    long status;
    char *path;

    (void)state;
    doc = rebalance_doc("?dry_run=1&max_moves=4", 200);
    assert_true(integer(doc, "moves") <= 4);
    assert_null(json_object_get(doc, "balance_option"));
    json_decref(doc);
    /* the dashboard's preview takes the same trade and carries it to the
     * apply form; without it, it offers the field */
    page = dashboard_get("/rebalance?max_moves=3");
    assert_non_null(strstr(page, "name=\"max_moves\" min=\"1\" "
                                 "max=\"100000\" value=\"3\""));
    free(page);
    doc = rebalance_doc("?dry_run=1&max_moves=-2", 400);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(doc, "error"), "field")),
                        "max_moves");
    json_decref(doc);
    path = test_circle_path(W->circle, "/groups/rebalance?dry_run=1");
    doc = call(&status, "POST", path, "{\"max_moves\": \"many\"}", NULL);
    assert_int_equal(status, 422);
    json_decref(doc);
    free(path);
}

/*
 * A season of churn on a second circle: each round some people leave and
 * others join (some who can make only Thursday), then a rebalance; after
 * each, the stored groups as GET shows them keep the hard rules and hold
 * every active person exactly once.
 */
static void test_rounds_of_churn(void **state)
{
    static const char *const avail[] = {"", "tuesday 19:30", "thursday 12:30",
                                        "tuesday 19:30;thursday 12:30"};
    long long circle = test_site_circle(&W->site, circle_json, NULL);
    long long *ids = mg_xcalloc(400, sizeof(*ids));
    uint64_t seed = 7;
    int n_ids = 0, next = 0, round, i;
    char *path;
    long status;
    json_t *doc;

    (void)state;
    path = test_circle_path(circle, "/book");
    json_decref(call(&status, "POST", path, book, "text/markdown"));
    free(path);
    for (round = 0; round <= 6; round++) {
        struct mg_buf csv = MG_BUF_INIT;
        int join = round == 0 ? 60 : 4 + (int)(seed % 9), leave, total = 0;
        size_t g;
        json_t *groups;

        /* a few leave: any of the people still in */
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        leave = round == 0 ? 0 : (int)((seed >> 33) % 8);
        for (i = 0; i < leave && n_ids > 0; i++) {
            int k = (int)((seed >> (i + 3)) % (uint64_t)n_ids);

            path =
                test_circle_path(circle, "/participants/%lld/withdraw", ids[k]);
            json_decref(call(&status, "POST", path, NULL, NULL));
            assert_int_equal(status, 200);
            free(path);
            ids[k] = ids[--n_ids];
        }
        /* and others join; one in five can lead */
        mg_buf_puts(&csv, "name,email,role,sector,region,slots\n");
        for (i = 0; i < join; i++, next++)
            mg_buf_printf(
                &csv, "R%d P%d,r%dp%d@example.org,%s,%s,R%d,%s\n", round, next,
                round, next, next % 5 == 0 ? "facilitator" : "participant",
                next % 3 ? "public" : "school", next % 4, avail[next % 4]);
        path = test_circle_path(circle, "/participants");
        doc = call(&status, "POST", path, csv.data, "text/csv");
        assert_int_equal(status, 201);
        json_decref(doc);
        free(path);
        mg_buf_release(&csv);
        path = test_circle_path(circle, round == 0 ? "/groups/plan"
                                                   : "/groups/rebalance");
        doc = call(&status, "POST", path, NULL, NULL);
        assert_int_equal(status, 201);
        json_decref(doc);
        free(path);
        /* what is stored keeps the rules and holds everyone once */
        path = test_circle_path(circle, "/groups");
        doc = call(&status, "GET", path, NULL, NULL);
        assert_int_equal(status, 200);
        free(path);
        groups = json_object_get(doc, "groups");
        n_ids = 0;
        for (g = 0; g < json_array_size(groups); g++) {
            json_t *grp = json_array_get(groups, g);
            json_t *members = json_object_get(grp, "members");
            int size = (int)json_array_size(members);
            size_t m;

            assert_true(size >= 6 && size <= 8);
            assert_true(count_role(grp, "facilitator") >= 1);
            for (m = 0; m < (size_t)size; m++)
                ids[n_ids++] = json_integer_value(
                    json_object_get(json_array_get(members, m), "id"));
            total += size;
        }
        assert_int_equal(total, n_ids);
        json_decref(doc);
        path =
            test_circle_path(circle, "/participants?status=active&limit=1000");
        doc = call(&status, "GET", path, NULL, NULL);
        assert_int_equal(status, 200);
        free(path);
        assert_int_equal(json_array_size(json_object_get(doc, "participants")),
                         (size_t)total);
        json_decref(doc);
    }
    free(ids);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_late_joiners_get_their_own_group),
        cmocka_unit_test(test_mass_withdrawal_dissolves_a_group),
        cmocka_unit_test(test_dashboard_places_a_newcomer),
        cmocka_unit_test(test_max_moves),
        cmocka_unit_test(test_rounds_of_churn),
    };

    return cmocka_run_group_tests(tests, setup_world, teardown_world);
}
