/*
 * test_changes.c: one change touches only what it changes, against a
 * real `mingle serve`. Calling off one group's session sends updates to
 * that group's members and nobody else; a withdrawal sends one
 * cancellation; a move one cancellation and one invitation; a newcomer
 * placed by a rebalance gets one invitation, and the rebalance answers
 * with what changed. A plan or rebalance that breaks a hard rule is not
 * stored (HTTP 409 with the reasons, CLI exit status 1, the dashboard
 * sends the coordinator back to the preview) unless forced; a dry run
 * shows it either way.
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

/* Twelve people, two facilitators, groups of 3 to 8: two groups of 6. */
static const char circle_json[] =
    "{\"title\":\"Changes circle\",\"time_zone\":\"Pacific/Auckland\","
    "\"start_date\":\"2027-03-02\",\"weeks\":4,\"group_size\":{\"min\":3,"
    "\"max\":8},\"slots\":[{\"weekday\":\"tuesday\",\"start\":\"19:30\","
    "\"minutes\":60}],\"organizer\":{\"name\":\"Coordinators\","
    "\"email\":\"circles@example.org\"}}";

/* Twenty-seven people and one facilitator in groups of 6 to 9: three
 * groups, two of them without a facilitator, whatever the plan. */
static const char short_json[] =
    "{\"title\":\"Short circle\",\"time_zone\":\"Pacific/Auckland\","
    "\"start_date\":\"2027-03-02\",\"weeks\":4,\"group_size\":{\"min\":6,"
    "\"max\":9},\"slots\":[{\"weekday\":\"tuesday\",\"start\":\"19:30\","
    "\"minutes\":60}],\"organizer\":{\"name\":\"Coordinators\","
    "\"email\":\"circles@example.org\"}}";

struct world {
    struct test_site site;
    long long circle;
};

static struct world *W;

static json_t *call(long *status, const char *method, const char *path,
                    const char *body)
{
    return test_site_call(&W->site, status, method, path, body,
                          body ? "application/json" : NULL);
}

static long long make_circle(const char *json, int n, int facilitators,
                             const char *prefix)
{
    struct mg_buf csv = MG_BUF_INIT;
    long long id = test_site_circle(&W->site, json, NULL);
    int i;

    assert_true(id > 0);
    mg_buf_puts(&csv, "name,email,role,sector,region\n");
    for (i = 0; i < n; i++)
        mg_buf_printf(&csv, "%s %02d,%s%02d@example.org,%s,public,North\n",
                      prefix, i, prefix, i,
                      i < facilitators ? "facilitator" : "participant");
    assert_int_equal(test_site_people(&W->site, id, csv.data), 0);
    mg_buf_release(&csv);
    return id;
}

static int setup_world(void **state)
{
    struct world *w = mg_xcalloc(1, sizeof(*w));
    char *path;
    long status;
    json_t *doc;

    if (test_site_start(&w->site, "changes.db", NULL) < 0)
        return -1;
    W = w;
    w->circle = make_circle(circle_json, 12, 2, "p");
    path = test_circle_path(w->circle, "/groups/plan");
    doc = call(&status, "POST", path, NULL);
    free(path);
    json_decref(doc);
    if (status != 201)
        return -1;
    *state = w;
    return 0;
}

static int teardown_world(void **state)
{
    struct world *w = *state;

    test_site_stop(&w->site, SIGTERM);
    free(w);
    return 0;
}

/* Every message of the circle's outbox, sent or not. */
static json_t *outbox(long long circle)
{
    char *path = test_circle_path(circle, "/outbox");
    long status;
    json_t *doc = call(&status, "GET", path, NULL);

    assert_int_equal(status, 200);
    free(path);
    return doc;
}

/* Messages of `kind` ("invite", "cancel", NULL: any) to `email` (NULL:
 * anyone) in an outbox listing. */
static int count_mail(json_t *box, const char *kind, const char *email)
{
    json_t *list = json_object_get(box, "messages");
    size_t i;
    int n = 0;

    for (i = 0; i < json_array_size(list); i++) {
        json_t *m = json_array_get(list, i);
        const char *k = json_string_value(json_object_get(m, "kind"));
        const char *to = json_string_value(json_object_get(m, "recipient"));
        if ((!kind || (k && strcmp(k, kind) == 0)) &&
            (!email || (to && strcmp(to, email) == 0)))
            n++;
    }
    return n;
}

static json_t *get_groups(long long circle)
{
    char *path = test_circle_path(circle, "/groups");
    long status;
    json_t *doc = call(&status, "GET", path, NULL);

    assert_int_equal(status, 200);
    free(path);
    return doc;
}

static json_t *group_at(json_t *groups_doc, size_t i)
{
    return json_array_get(json_object_get(groups_doc, "groups"), i);
}

/* A member of group `g` who is not its facilitator: id and email. */
static long long member_of(json_t *g, const char **email)
{
    json_t *members = json_object_get(g, "members");
    size_t i;

    for (i = 0; i < json_array_size(members); i++) {
        json_t *m = json_array_get(members, i);
        if (strcmp(json_string_value(json_object_get(m, "role")),
                   "facilitator") == 0)
            continue;
        *email = json_string_value(json_object_get(m, "email"));
        return json_integer_value(json_object_get(m, "id"));
    }
    fail_msg("group without a plain member");
    return 0;
}

static void test_plan_has_two_groups_with_facilitators(void **state)
{
    json_t *doc = get_groups(W->circle), *box;

    (void)state;
    assert_int_equal(json_array_size(json_object_get(doc, "groups")), 2);
    assert_int_equal(
        json_integer_value(json_object_get(group_at(doc, 0), "facilitators")),
        1);
    assert_int_equal(
        json_integer_value(json_object_get(group_at(doc, 1), "facilitators")),
        1);
    json_decref(doc);
    box = outbox(W->circle);
    assert_int_equal(count_mail(box, "invite", NULL), 12);
    json_decref(box);
}

/* Calling off one group's session updates that group's members only. */
static void test_session_patch_touches_its_group(void **state)
{
    json_t *groups = get_groups(W->circle), *sessions, *box, *members, *doc;
    long long g0 = json_integer_value(
                  json_object_get(group_at(groups, 0), "id")),
              session = 0;
    char *path = test_circle_path(W->circle, "/sessions");
    long status;
    size_t i;
    int before, after;

    (void)state;
    sessions = call(&status, "GET", path, NULL);
    assert_int_equal(status, 200);
    free(path);
    doc = json_is_array(sessions) ? sessions
                                  : json_object_get(sessions, "sessions");
    for (i = 0; i < json_array_size(doc); i++) {
        json_t *s = json_array_get(doc, i);
        if (json_integer_value(json_object_get(s, "group_id")) == g0 &&
            json_integer_value(json_object_get(s, "week")) == 3)
            session = json_integer_value(json_object_get(s, "id"));
    }
    json_decref(sessions);
    assert_true(session > 0);
    box = outbox(W->circle);
    before = count_mail(box, NULL, NULL);
    json_decref(box);

    path = test_circle_path(W->circle, "/sessions/%lld", session);
    doc = call(&status, "PATCH", path, "{\"status\":\"cancelled\"}");
    assert_int_equal(status, 200);
    json_decref(doc);
    free(path);

    box = outbox(W->circle);
    after = count_mail(box, NULL, NULL);
    /* one update for each member of group 1, nothing for group 2 */
    members = json_object_get(group_at(groups, 0), "members");
    assert_int_equal(after - before, (int)json_array_size(members));
    for (i = 0; i < json_array_size(members); i++)
        assert_int_equal(count_mail(box, "invite",
                                    json_string_value(json_object_get(
                                        json_array_get(members, i), "email"))),
                         2);
    members = json_object_get(group_at(groups, 1), "members");
    for (i = 0; i < json_array_size(members); i++)
        assert_int_equal(count_mail(box, NULL,
                                    json_string_value(json_object_get(
                                        json_array_get(members, i), "email"))),
                         1);
    json_decref(box);
    json_decref(groups);
}

/* A withdrawal cancels that person's series and writes to nobody else;
 * a newcomer placed by a rebalance gets one invitation. */
static void test_withdraw_then_join(void **state)
{
    json_t *groups = get_groups(W->circle), *box, *doc, *changes, *placed;
    const char *email = NULL;
    long long leaver = member_of(group_at(groups, 1), &email);
    long long g1 =
        json_integer_value(json_object_get(group_at(groups, 1), "id"));
    char *leaver_email = mg_xstrdup(email);
    char *path;
    long status;
    int before, after;

    (void)state;
    box = outbox(W->circle);
    before = count_mail(box, NULL, NULL);
    json_decref(box);
    path = test_circle_path(W->circle, "/participants/%lld/withdraw", leaver);
    doc = call(&status, "POST", path, NULL);
    assert_int_equal(status, 200);
    json_decref(doc);
    free(path);
    box = outbox(W->circle);
    after = count_mail(box, NULL, NULL);
    assert_int_equal(after - before, 1);
    assert_int_equal(count_mail(box, "cancel", leaver_email), 1);
    json_decref(box);

    /* a region changes no call: no mail at all */
    path = test_circle_path(W->circle, "/participants/%lld",
                            member_of(group_at(groups, 0), &email));
    doc = call(&status, "PATCH", path, "{\"region\":\"East\"}");
    assert_int_equal(status, 200);
    json_decref(doc);
    free(path);
    box = outbox(W->circle);
    assert_int_equal(count_mail(box, NULL, NULL), after);
    json_decref(box);

    path = test_circle_path(W->circle, "/participants");
    doc = call(&status, "POST", path,
               "{\"name\":\"Late Comer\",\"email\":\"late@example.org\","
               "\"sector\":\"public\",\"region\":\"North\"}");
    assert_int_equal(status, 201);
    json_decref(doc);
    free(path);
    path = test_circle_path(W->circle, "/groups/rebalance");
    doc = call(&status, "POST", path, NULL);
    assert_int_equal(status, 201);
    free(path);
    /* 6 and 5 people: the newcomer fills the room the leaver left, from
     * the store's counts, and the answer names only them */
    assert_true(json_is_true(json_object_get(doc, "fast_path")));
    assert_int_equal(json_integer_value(json_object_get(doc, "moves")), 0);
    assert_int_equal(
        json_integer_value(json_object_get(doc, "invitations_queued")), 1);
    changes = json_object_get(doc, "changes");
    assert_int_equal(json_array_size(json_object_get(changes, "people")), 1);
    placed = json_array_get(json_object_get(changes, "people"), 0);
    assert_string_equal(json_string_value(json_object_get(placed, "name")),
                        "Late Comer");
    assert_true(json_is_null(json_object_get(placed, "from")));
    assert_int_equal(json_integer_value(
                         json_object_get(json_object_get(placed, "to"), "id")),
                     g1);
    assert_int_equal(json_array_size(json_object_get(changes, "groups")), 1);
    assert_int_equal(
        json_integer_value(json_object_get(
            json_array_get(json_object_get(changes, "groups"), 0), "size")),
        6);
    assert_null(json_object_get(doc, "groups"));
    json_decref(doc);
    box = outbox(W->circle);
    assert_int_equal(count_mail(box, NULL, NULL), after + 1);
    assert_int_equal(count_mail(box, "invite", "late@example.org"), 1);
    json_decref(box);
    free(leaver_email);
    json_decref(groups);
}

/* The full rebalance answers with what changed too. */
static void test_full_rebalance_answers_changes(void **state)
{
    char *path = test_circle_path(W->circle, "/groups/rebalance?full=1");
    long status;
    json_t *doc;

    (void)state;
    doc = call(&status, "POST", path, NULL);
    assert_int_equal(status, 201);
    assert_true(json_is_false(json_object_get(doc, "fast_path")));
    /* 6 and 6 with a facilitator each: nothing to change */
    assert_int_equal(json_integer_value(json_object_get(doc, "moves")), 0);
    assert_int_equal(json_array_size(json_object_get(
                         json_object_get(doc, "changes"), "people")),
                     0);
    assert_int_equal(
        json_integer_value(json_object_get(doc, "invitations_queued")), 0);
    assert_int_equal(json_integer_value(json_object_get(doc, "groups_total")),
                     2);
    json_decref(doc);
    free(path);
}

/* A forced move: one cancellation and one invitation, to the mover. */
static void test_move_touches_the_mover(void **state)
{
    json_t *groups = get_groups(W->circle), *box, *doc;
    const char *email = NULL;
    long long who = member_of(group_at(groups, 0), &email);
    long long to =
        json_integer_value(json_object_get(group_at(groups, 1), "id"));
    char *mover = mg_xstrdup(email), *path, *body;
    long status;
    int before, cancels, invites;

    (void)state;
    box = outbox(W->circle);
    before = count_mail(box, NULL, NULL);
    cancels = count_mail(box, "cancel", mover);
    invites = count_mail(box, "invite", mover);
    json_decref(box);
    path = test_circle_path(W->circle, "/groups/%lld/members", to);
    body = mg_xasprintf("{\"participant_id\":%lld,\"force\":true}", who);
    doc = call(&status, "POST", path, body);
    assert_int_equal(status, 200);
    json_decref(doc);
    box = outbox(W->circle);
    assert_int_equal(count_mail(box, NULL, NULL), before + 2);
    assert_int_equal(count_mail(box, "cancel", mover), cancels + 1);
    assert_int_equal(count_mail(box, "invite", mover), invites + 1);
    json_decref(box);
    free(body);
    free(path);
    free(mover);
    json_decref(groups);
}

static int has_rule(json_t *issues, const char *rule)
{
    size_t i;

    for (i = 0; i < json_array_size(issues); i++)
        if (strcmp(json_string_value(
                       json_object_get(json_array_get(issues, i), "rule")),
                   rule) == 0)
            return 1;
    return 0;
}

/* A plan short of facilitators is refused unless forced; a dry run
 * shows it; then a rebalance that still breaks the rule likewise. */
static void test_rule_breaking_plan_refused_unless_forced(void **state)
{
    long long id = make_circle(short_json, 27, 1, "s");
    char *plan = test_circle_path(id, "/groups/plan");
    char *dry = test_circle_path(id, "/groups/plan?dry_run=1");
    char *rebalance = test_circle_path(id, "/groups/rebalance");
    char *forced = test_circle_path(id, "/groups/rebalance?force=1");
    char *people = test_circle_path(id, "/participants");
    long status;
    json_t *doc, *err;

    (void)state;
    doc = call(&status, "POST", plan, NULL);
    assert_int_equal(status, 409);
    err = json_object_get(doc, "error");
    assert_string_equal(json_string_value(json_object_get(err, "code")),
                        "rule_broken");
    assert_true(has_rule(json_object_get(err, "issues"), "facilitators"));
    json_decref(doc);
    /* nothing stored, nothing queued */
    doc = get_groups(id);
    assert_int_equal(json_array_size(json_object_get(doc, "groups")), 0);
    json_decref(doc);
    doc = outbox(id);
    assert_int_equal(count_mail(doc, NULL, NULL), 0);
    json_decref(doc);

    doc = call(&status, "POST", dry, NULL);
    assert_int_equal(status, 200);
    assert_true(has_rule(json_object_get(doc, "issues"), "facilitators"));
    json_decref(doc);

    doc = call(&status, "POST", plan, "{\"force\":true}");
    assert_int_equal(status, 201);
    assert_true(json_is_true(json_object_get(doc, "forced")));
    json_decref(doc);
    doc = get_groups(id);
    assert_int_equal(json_array_size(json_object_get(doc, "groups")), 3);
    json_decref(doc);

    doc =
        call(&status, "POST", people,
             "{\"name\":\"Short Late\",\"email\":\"short-late@example.org\"}");
    assert_int_equal(status, 201);
    json_decref(doc);
    doc = call(&status, "POST", rebalance, NULL);
    assert_int_equal(status, 409);
    assert_true(
        has_rule(json_object_get(json_object_get(doc, "error"), "issues"),
                 "facilitators"));
    json_decref(doc);
    doc = outbox(id);
    assert_int_equal(count_mail(doc, "invite", "short-late@example.org"), 0);
    json_decref(doc);
    doc = call(&status, "POST", forced, NULL);
    assert_int_equal(status, 201);
    assert_true(json_is_true(json_object_get(doc, "forced")));
    json_decref(doc);
    doc = outbox(id);
    assert_int_equal(count_mail(doc, "invite", "short-late@example.org"), 1);
    json_decref(doc);
    free(plan);
    free(dry);
    free(rebalance);
    free(forced);
    free(people);
}

/* The CLI: exit status 1 and the reasons; 0 for a dry run or --force. */
static void test_cli_refuses_unless_forced(void **state)
{
    long long id = make_circle(short_json, 27, 1, "c");
    char circle[32];
    const char *plan[] = {"groups", "plan",     "--circle", circle,
                          "--db",   W->site.db, NULL};
    const char *dry[] = {"groups", "plan",     "--circle",  circle,
                         "--db",   W->site.db, "--dry-run", NULL};
    const char *force[] = {"groups", "plan",     "--circle", circle,
                           "--db",   W->site.db, "--force",  NULL};
    char *out = NULL, *err = NULL;
    json_t *doc;

    (void)state;
    snprintf(circle, sizeof(circle), "%lld", id);
    assert_int_equal(test_run_cli(&out, &err, plan, NULL), 1);
    assert_non_null(strstr(out, "! facilitators"));
    assert_non_null(strstr(err, "not stored"));
    assert_non_null(strstr(err, "--force"));
    free(out);
    free(err);
    doc = get_groups(id);
    assert_int_equal(json_array_size(json_object_get(doc, "groups")), 0);
    json_decref(doc);

    assert_int_equal(test_run_cli(&out, NULL, dry, NULL), 0);
    assert_non_null(strstr(out, "! facilitators"));
    assert_non_null(strstr(out, "dry run: nothing stored"));
    free(out);

    assert_int_equal(test_run_cli(&out, NULL, force, NULL), 0);
    assert_non_null(strstr(out, "stored as forced"));
    free(out);
    doc = get_groups(id);
    assert_int_equal(json_array_size(json_object_get(doc, "groups")), 3);
    json_decref(doc);
}

/* The CLI's rebalance shows what changes, not every group. */
static void test_cli_rebalance_shows_changes(void **state)
{
    char circle[32];
    const char *argv[] = {"groups", "rebalance", "--circle",  circle,
                          "--db",   W->site.db,  "--dry-run", NULL};
    char *out = NULL;

    (void)state;
    snprintf(circle, sizeof(circle), "%lld", W->circle);
    assert_int_equal(test_run_cli(&out, NULL, argv, NULL), 0);
    assert_non_null(strstr(out, "Nobody is placed or moved."));
    assert_null(strstr(out, "Group 1:"));
    assert_non_null(strstr(out, "dry run: nothing stored"));
    free(out);
}

/* The dashboard's rebalance preview says why and offers "Apply anyway";
 * applying without it is refused, with it stored. */
static void test_dashboard_refuses_unless_forced(void **state)
{
    long long id = make_circle(short_json, 27, 1, "d");
    char *plan_path = test_circle_path(id, "/groups/plan?force=1");
    char *people = test_circle_path(id, "/participants");
    char *path = test_dashboard_path(id, "/rebalance");
    char *cookie = NULL, *csrf = NULL, *fingerprint, *form, *loc;
    struct test_response resp;
    const char *p;
    long status;
    json_t *doc;

    (void)state;
    doc = call(&status, "POST", plan_path, NULL);
    assert_int_equal(status, 201);
    json_decref(doc);
    doc = call(&status, "POST", people,
               "{\"name\":\"Dash Late\",\"email\":\"dash-late@example.org\"}");
    assert_int_equal(status, 201);
    json_decref(doc);
    assert_int_equal(test_site_dashboard_login(&W->site, W->site.token, &cookie,
                                               &csrf, NULL),
                     303);
    test_site_page(&resp, &W->site, "GET", path, cookie, NULL);
    assert_int_equal(resp.status, 200);
    assert_non_null(strstr(resp.body, "Apply anyway"));
    assert_non_null(strstr(resp.body, "name=\"force\" value=\"1\""));
    p = strstr(resp.body, "name=\"plan\" value=\"");
    assert_non_null(p);
    fingerprint = mg_xstrndup(p + strlen("name=\"plan\" value=\""), 16);
    test_response_release(&resp);

    form = mg_xasprintf("csrf=%s&plan=%s", csrf, fingerprint);
    test_site_page(&resp, &W->site, "POST", path, cookie, form);
    assert_int_equal(resp.status, 303);
    loc = test_header_value(resp.headers, strlen(resp.headers), "Location");
    assert_non_null(loc);
    assert_non_null(strstr(loc, "refused=1"));
    free(loc);
    test_response_release(&resp);
    free(form);
    doc = outbox(id);
    assert_int_equal(count_mail(doc, "invite", "dash-late@example.org"), 0);
    json_decref(doc);
    test_site_page(&resp, &W->site, "GET", path, cookie, NULL);
    assert_int_equal(resp.status, 200);
    test_response_release(&resp);

    form = mg_xasprintf("csrf=%s&plan=%s&force=1", csrf, fingerprint);
    test_site_page(&resp, &W->site, "POST", path, cookie, form);
    assert_int_equal(resp.status, 303);
    loc = test_header_value(resp.headers, strlen(resp.headers), "Location");
    assert_non_null(loc);
    assert_non_null(strstr(loc, "done=rebalanced"));
    free(loc);
    test_response_release(&resp);
    free(form);
    doc = outbox(id);
    assert_int_equal(count_mail(doc, "invite", "dash-late@example.org"), 1);
    json_decref(doc);
    free(fingerprint);
    free(cookie);
    free(csrf);
    free(path);
    free(people);
    free(plan_path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plan_has_two_groups_with_facilitators),
        cmocka_unit_test(test_session_patch_touches_its_group),
        cmocka_unit_test(test_withdraw_then_join),
        cmocka_unit_test(test_full_rebalance_answers_changes),
        cmocka_unit_test(test_cli_rebalance_shows_changes),
        cmocka_unit_test(test_move_touches_the_mover),
        cmocka_unit_test(test_rule_breaking_plan_refused_unless_forced),
        cmocka_unit_test(test_cli_refuses_unless_forced),
        cmocka_unit_test(test_dashboard_refuses_unless_forced),
    };

    return cmocka_run_group_tests(tests, setup_world, teardown_world);
}
