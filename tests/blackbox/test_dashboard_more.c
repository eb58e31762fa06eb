/*
 * test_dashboard_more.c: the dashboard on a circle of a few thousand
 * people against a real `mingle serve`: the circle page stays small (a
 * page of people and groups at a time), page 2 and search find the right
 * people, a person's move form is its own small page; then moving,
 * withdrawing and rebalancing answered by redirects with a notice, the
 * review queue a page at a time with approve and reject, a plenary's
 * registrations and waitlist, the CSV downloads (formula cells guarded),
 * outbox times in the circle's zone, and every error an HTML page.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>
#include <jansson.h>

#include "mingle/store.h"
#include "support.h"

#define N_PEOPLE 2400
#define PAGE_LIMIT (300 * 1024) /* bytes a circle page may take */
#define N_REVIEW 25

static const char circle_json[] =
    "{\"title\":\"Big circle\",\"time_zone\":\"Pacific/Auckland\","
    "\"start_date\":\"2027-03-02\",\"weeks\":4,\"group_size\":{\"min\":6,"
    "\"max\":9},\"slots\":[{\"weekday\":\"tuesday\",\"start\":\"19:30\","
    "\"minutes\":60}],\"organizer\":{\"name\":\"Coordinators\",\"email\":"
    "\"circles@example.org\"}}";

static const char book[] = "# Thread: Mission\n\n## One\n\nwords here\n\n"
                           "# Thread: Communities\n\n## Two\n\nmore words\n";

static const char *const sectors[] = {"public", "academic", "school",
                                      "special"};

struct world {
    struct test_site site;
    char *cookie, *csrf; /* the dashboard session's */
    long long circle;
};

static struct world *W;

/* GET `path` as a page that must answer `status`; its body. */
static char *get(const char *path, long status)
{
    struct test_response resp;
    char *body;

    test_site_page(&resp, &W->site, "GET", path, W->cookie, NULL);
    if (resp.status != status)
        fail_msg("GET %s: %ld, not %ld", path, resp.status, status);
    body = resp.body;
    resp.body = NULL;
    test_response_release(&resp);
    return body;
}

/* POST a form that must redirect; the Location (free()). */
static char *post_redirect(const char *path, const char *form)
{
    struct test_response resp;
    char *loc;

    test_site_page(&resp, &W->site, "POST", path, W->cookie, form);
    if (resp.status != 303)
        fail_msg("POST %s: %ld, not 303: %.300s", path, resp.status, resp.body);
    loc = test_header_value(resp.headers, strlen(resp.headers), "Location");
    assert_non_null(loc);
    test_response_release(&resp);
    return loc;
}

static int count_of(const char *hay, const char *needle)
{
    int n = 0;
    const char *p = hay;

    while ((p = strstr(p, needle))) {
        n++;
        p += strlen(needle);
    }
    return n;
}

/* The id of the person with email `email`, through the API. */
static long long person_id(const char *email)
{
    char *path = test_circle_path(W->circle, "/participants?q=%s", email);
    long status;
    json_t *doc = test_site_call(&W->site, &status, "GET", path, NULL, NULL);
    long long id;

    assert_int_equal(status, 200);
    assert_int_equal(json_array_size(json_object_get(doc, "participants")), 1);
    id = json_integer_value(json_object_get(
        json_array_get(json_object_get(doc, "participants"), 0), "id"));
    json_decref(doc);
    free(path);
    return id;
}

static json_t *api_groups(void)
{
    char *path = test_circle_path(W->circle, "/groups");
    long status;
    json_t *doc = test_site_call(&W->site, &status, "GET", path, NULL, NULL);

    assert_int_equal(status, 200);
    free(path);
    return doc;
}

static void make_circle(void)
{
    struct mg_buf csv = MG_BUF_INIT;
    long status;
    json_t *doc;
    char *path;
    int i;

    W->circle = test_site_circle(&W->site, circle_json, NULL);
    assert_true(W->circle > 0);
    path = test_circle_path(W->circle, "/book");
    doc =
        test_site_call(&W->site, &status, "POST", path, book, "text/markdown");
    assert_int_equal(status, 201);
    json_decref(doc);
    free(path);
    mg_buf_puts(&csv, "name,email,role,sector,region\n");
    for (i = 1; i <= N_PEOPLE; i++)
        mg_buf_printf(&csv, "Person %04d,p%04d@example.org,%s,%s,%s\n", i, i,
                      i % 8 == 0 ? "facilitator" : "participant",
                      sectors[i % 4], i % 2 ? "North" : "South");
    /* a name a spreadsheet would run */
    mg_buf_puts(&csv, "\"=HYPERLINK(\"\"http://x\"\")\",formula@example.org,"
                      "participant,public,North\n");
    assert_true(test_site_plan(&W->site, W->circle, csv.data, NULL, 0) >= 0);
    mg_buf_release(&csv);
}

static int setup_world(void **state)
{
    static const char *const env[] = {"MINGLE_OUTBOX_INTERVAL=3600", NULL};
    struct test_site_opts opts = {.maildir = 1, .env = env};
    struct world *w = mg_xcalloc(1, sizeof(*w));

    W = w;
    if (test_site_start(&w->site, "dash.db", &opts) < 0)
        return -1;
    make_circle();
    assert_int_equal(test_site_dashboard_login(&w->site, w->site.token,
                                               &w->cookie, &w->csrf, NULL),
                     303);
    assert_non_null(w->cookie);
    *state = w;
    return 0;
}

static int teardown_world(void **state)
{
    struct world *w = *state;

    test_site_stop(&w->site, SIGTERM);
    free(w->cookie);
    free(w->csrf);
    free(w);
    return 0;
}

/* --- a page at a time ---------------------------------------------------- */

static void test_circle_page_is_bounded(void **state)
{
    char *path = test_dashboard_path(W->circle, "%s", ""),
         *body = get(path, 200);

    (void)state;
    print_message("the circle page of %d people: %zu bytes\n", N_PEOPLE + 1,
                  strlen(body));
    if (strlen(body) > PAGE_LIMIT)
        fail_msg("the circle page is %zu bytes", strlen(body));
    /* the first page of people, not the circle */
    assert_non_null(strstr(body, "Person 0001"));
    assert_non_null(strstr(body, "Person 0050"));
    assert_null(strstr(body, "Person 0051"));
    assert_non_null(strstr(body, "2401 people in the circle"));
    assert_non_null(strstr(body, "Page 1 of 49"));
    /* no move form lists the groups: each person has a link instead */
    assert_true(count_of(body, "<option") < 10);
    assert_int_equal(count_of(body, ">Move<span class=\"vh\">"), 50);
    /* a page of groups: at most 50 bars */
    assert_true(count_of(body, "<g class=\"bar\"") <= 50);
    free(body);
    free(path);
}

static void test_page_two_and_search(void **state)
{
    char *path = test_dashboard_path(W->circle, "?page=2"),
         *body = get(path, 200);

    (void)state;
    assert_non_null(strstr(body, "Person 0051"));
    assert_non_null(strstr(body, "Person 0100"));
    assert_null(strstr(body, "Person 0050<"));
    assert_null(strstr(body, "Person 0101"));
    assert_non_null(strstr(body, "Page 2 of 49"));
    free(body);
    free(path);
    /* the last page, and past it (the first page again, never a crash) */
    path = test_dashboard_path(W->circle, "?page=48");
    body = get(path, 200);
    assert_non_null(strstr(body, "Person 2400"));
    free(body);
    free(path);
    path = test_dashboard_path(W->circle, "?page=49");
    body = get(path, 200);
    assert_non_null(strstr(body, "=HYPERLINK(&quot;http://x&quot;)"));
    free(body);
    free(path);
    path = test_dashboard_path(W->circle, "?page=999999999999");
    body = get(path, 200);
    assert_non_null(strstr(body, "Person 0001"));
    free(body);
    free(path);
    /* search on the email, and on part of the name */
    path = test_dashboard_path(W->circle, "?q=p1234%%40example.org");
    body = get(path, 200);
    assert_non_null(strstr(body, "Person 1234"));
    assert_non_null(strstr(body, "1 person matching"));
    assert_null(strstr(body, "Person 0001"));
    free(body);
    free(path);
    /* a group's members, as the API has them; nobody active is unplaced */
    {
        json_t *groups = api_groups();
        json_t *g = json_array_get(json_object_get(groups, "groups"), 0);
        long long gid = json_integer_value(json_object_get(g, "id"));
        char text[64];

        path = test_dashboard_path(W->circle, "?group=%lld", gid);
        body = get(path, 200);
        snprintf(text, sizeof(text), "%zu people in Group 1.",
                 json_array_size(json_object_get(g, "members")));
        assert_non_null(strstr(body, text));
        assert_int_equal(count_of(body, ">Move<span class=\"vh\">"),
                         (int)json_array_size(json_object_get(g, "members")));
        free(body);
        free(path);
        json_decref(groups);
    }
    path = test_dashboard_path(W->circle, "?group=none");
    body = get(path, 200);
    assert_non_null(strstr(body, "0 people active and in no group."));
    free(body);
    free(path);
    path = test_dashboard_path(W->circle, "?q=Person+20&page=2");
    body = get(path, 200);
    /* "Person 20xx": 100 of them, the second page is 2050..2099 */
    assert_non_null(strstr(body, "100 people matching"));
    assert_non_null(strstr(body, "Person 2050"));
    assert_non_null(strstr(body, "Person 2099"));
    assert_null(strstr(body, "Person 2049"));
    assert_non_null(strstr(body, "q=Person%2020"));
    free(body);
    free(path);
}

static void test_move_form_page(void **state)
{
    long long who = person_id("p0001%40example.org");
    json_t *groups = api_groups();
    size_t n_groups = json_array_size(json_object_get(groups, "groups"));
    long long g2 = json_integer_value(json_object_get(
        json_array_get(json_object_get(groups, "groups"), 1), "id"));
    char *path = test_dashboard_path(W->circle, "/people/%lld/move", who),
         *body = get(path, 200);
    char *form, *loc, *mpath;

    (void)state;
    assert_true(n_groups > 100);
    assert_true(strlen(body) < 64 * 1024);
    assert_true(count_of(body, "<option") <= 50);
    assert_non_null(strstr(body, "name=\"group_number\""));
    assert_non_null(strstr(body, "rel=\"next\""));
    free(body);
    free(path);
    /* a group number reaches any group */
    mpath = test_dashboard_path(W->circle, "/move");
    form = mg_xasprintf("csrf=%s&participant_id=%lld&group_number=2&force=1",
                        W->csrf, who);
    loc = post_redirect(mpath, form);
    assert_non_null(strstr(loc, "done=moved"));
    body = get(loc, 200);
    assert_non_null(strstr(body, "Moved Person 0001 to Group 2."));
    free(body);
    free(loc);
    free(form);
    json_decref(groups);
    groups = api_groups();
    {
        json_t *g = json_array_get(json_object_get(groups, "groups"), 1), *m;
        size_t i;
        int found = 0;

        assert_int_equal(json_integer_value(json_object_get(g, "id")), g2);
        json_array_foreach(json_object_get(g, "members"), i, m)
        {
            found |= json_integer_value(json_object_get(m, "id")) == who;
        }
        assert_true(found);
    }
    /* no group of that number: the move form again, saying so */
    form = mg_xasprintf("csrf=%s&participant_id=%lld&group_number=99999",
                        W->csrf, who);
    loc = post_redirect(mpath, form);
    assert_non_null(strstr(loc, "error=number"));
    body = get(loc, 200);
    assert_non_null(strstr(body, "no group of that number"));
    free(body);
    free(loc);
    free(form);
    free(mpath);
    json_decref(groups);
}

static void test_withdraw(void **state)
{
    long long who = person_id("p0003%40example.org");
    char *path = test_dashboard_path(W->circle, "/people/%lld/withdraw", who),
         *form, *loc, *body;
    char *api = test_circle_path(W->circle, "/participants/%lld", who);
    long status;
    json_t *doc;

    (void)state;
    form = mg_xasprintf("csrf=%s", W->csrf);
    loc = post_redirect(path, form);
    assert_non_null(strstr(loc, "done=withdrawn"));
    body = get(loc, 200);
    assert_non_null(strstr(body, "Withdrew Person 0003"));
    free(body);
    free(loc);
    doc = test_site_call(&W->site, &status, "GET", api, NULL, NULL);
    assert_int_equal(status, 200);
    assert_string_equal(json_string_value(json_object_get(doc, "status")),
                        "withdrawn");
    json_decref(doc);
    free(form);
    free(path);
    free(api);
}

/* --- the review queue ------------------------------------------------------
 */

static void add_review_notes(long long *ids)
{
    struct mg_store_options opt = {1, 5000};
    struct mg_error err = {{0}, {0}};
    struct mg_store *st = NULL;
    struct mg_note n;
    char mid[64], subject[64];
    int dup = 0, k;

    assert_int_equal(mg_store_open(&st, W->site.db, &opt, &err), 0);
    for (k = 0; k < N_REVIEW; k++) {
        int64_t id = 0;

        memset(&n, 0, sizeof(n));
        n.circle_id = W->circle;
        snprintf(n.kind, sizeof(n.kind), "note");
        n.status = MG_STORE_NOTE_REVIEW;
        snprintf(mid, sizeof(mid), "<review%d@x.org>", k);
        snprintf(subject, sizeof(subject), "Waiting note %02d", k);
        n.provider = (char *)"mime";
        n.message_id = mid;
        n.from_name = (char *)"<b>Stranger</b>";
        n.from_email = (char *)"stranger@x.org";
        n.subject = subject;
        n.body = (char *)"Thoughts on <i>chapter</i> one";
        n.full_text = n.body;
        n.review_reason = (char *)"sender not in the group";
        n.sent_at = 1804000000;
        n.received_at = n.sent_at + 60;
        assert_int_equal(mg_store_note_insert(&id, &dup, st, &n), 0);
        ids[k] = id;
    }
    mg_store_close(st);
}

static void test_review_queue(void **state)
{
    long long ids[N_REVIEW];
    char *path = test_dashboard_path(W->circle, "/review"), *body, *next, *form,
         *loc, *api;
    json_t *groups = api_groups(), *doc;
    long long g3 = json_integer_value(json_object_get(
        json_array_get(json_object_get(groups, "groups"), 2), "id"));
    const char *p;
    long status;

    (void)state;
    add_review_notes(ids);
    body = get(path, 200);
    assert_non_null(strstr(body, "25 messages of this circle wait"));
    assert_int_equal(count_of(body, "<article"), 20);
    assert_non_null(strstr(body, "Waiting note 00"));
    assert_null(strstr(body, "Waiting note 20"));
    assert_null(strstr(body, "<b>Stranger"));
    assert_non_null(strstr(body, "&lt;b&gt;Stranger&lt;/b&gt;"));
    /* times in the circle's zone, labelled */
    assert_non_null(strstr(body, "(Pacific/Auckland)"));
    p = strstr(body, "rel=\"next\" href=\"");
    assert_non_null(p);
    p += strlen("rel=\"next\" href=\"");
    next = mg_xstrndup(p, strcspn(p, "\""));
    free(body);
    body = get(next, 200);
    assert_int_equal(count_of(body, "<article"), 5);
    assert_non_null(strstr(body, "Waiting note 24"));
    free(body);
    free(next);

    /* approve the first into group 3, week 2 */
    free(path);
    path = test_dashboard_path(W->circle, "/notes/%lld/approve", ids[0]);
    form = mg_xasprintf("csrf=%s&group_number=3&week=2", W->csrf);
    loc = post_redirect(path, form);
    assert_non_null(strstr(loc, "done=approved"));
    body = get(loc, 200);
    assert_non_null(strstr(body, "24 messages of this circle wait"));
    assert_non_null(strstr(body, "role=\"status\""));
    free(body);
    free(loc);
    free(form);
    api = mg_xasprintf("/api/v1/notes/%lld", ids[0]);
    doc = test_site_call(&W->site, &status, "GET", api, NULL, NULL);
    assert_int_equal(status, 200);
    assert_string_equal(json_string_value(json_object_get(doc, "status")),
                        "published");
    assert_int_equal(json_integer_value(json_object_get(doc, "group_id")), g3);
    assert_int_equal(json_integer_value(json_object_get(doc, "week")), 2);
    json_decref(doc);
    free(api);
    /* again: decided already, said so, nothing changes */
    form = mg_xasprintf("csrf=%s", W->csrf);
    loc = post_redirect(path, form);
    assert_non_null(strstr(loc, "done=decided"));
    free(loc);
    free(path);
    /* reject the second */
    path = test_dashboard_path(W->circle, "/notes/%lld/reject", ids[1]);
    loc = post_redirect(path, form);
    assert_non_null(strstr(loc, "done=rejected"));
    free(loc);
    free(form);
    free(path);
    api = mg_xasprintf("/api/v1/notes/%lld", ids[1]);
    doc = test_site_call(&W->site, &status, "GET", api, NULL, NULL);
    assert_string_equal(json_string_value(json_object_get(doc, "status")),
                        "rejected");
    json_decref(doc);
    free(api);
    /* a week the circle does not have: refused, and the queue says so */
    path = test_dashboard_path(W->circle, "/notes/%lld/approve", ids[2]);
    form = mg_xasprintf("csrf=%s&week=9", W->csrf);
    loc = post_redirect(path, form);
    assert_non_null(strstr(loc, "done=bad_week"));
    body = get(loc, 200);
    assert_non_null(strstr(body, "was not approved"));
    assert_non_null(strstr(body, "role=\"alert\""));
    assert_non_null(strstr(body, "23 messages of this circle wait"));
    free(body);
    free(loc);
    free(form);
    free(path);
    json_decref(groups);
}

/* A message that reached no circle is filed from the whole queue. */
static void test_review_stray(void **state)
{
    struct mg_store_options opt = {1, 5000};
    struct mg_error err = {{0}, {0}};
    struct mg_store *st = NULL;
    struct mg_note n;
    int64_t id = 0;
    int dup = 0;
    char *body, *form, *loc, *path, *api;
    json_t *groups = api_groups(), *doc;
    long long g4 = json_integer_value(json_object_get(
        json_array_get(json_object_get(groups, "groups"), 3), "id"));
    long status;

    (void)state;
    assert_int_equal(mg_store_open(&st, W->site.db, &opt, &err), 0);
    memset(&n, 0, sizeof(n));
    snprintf(n.kind, sizeof(n.kind), "note");
    n.status = MG_STORE_NOTE_REVIEW;
    n.provider = (char *)"mime";
    n.message_id = (char *)"<stray@x.org>";
    n.from_name = (char *)"Lost sender";
    n.from_email = (char *)"lost@x.org";
    n.subject = (char *)"Stray <note>";
    n.body = (char *)"Which circle is this?";
    n.full_text = n.body;
    n.review_reason = (char *)"no circle for the address";
    n.sent_at = 1804000000;
    n.received_at = n.sent_at + 60;
    assert_int_equal(mg_store_note_insert(&id, &dup, st, &n), 0);
    mg_store_close(st);

    /* the first page holds the circle's older messages: then the next */
    body = get("/dashboard/review", 200);
    assert_null(strstr(body, "Stray &lt;note&gt;"));
    assert_non_null(strstr(body, "rel=\"next\""));
    free(body);
    path = mg_xasprintf("/dashboard/review?after=%lld", (long long)id - 1);
    body = get(path, 200);
    free(path);
    assert_non_null(strstr(body, "Stray &lt;note&gt;"));
    assert_non_null(strstr(body, "name=\"circle_id\""));
    assert_non_null(strstr(body, "in every circle and none"));
    free(body);
    body = get("/dashboard", 200);
    assert_non_null(strstr(body, "href=\"/dashboard/review\""));
    free(body);
    /* approving needs a circle */
    path = mg_xasprintf("/dashboard/notes/%lld/approve", (long long)id);
    form = mg_xasprintf("csrf=%s&group_number=4", W->csrf);
    loc = post_redirect(path, form);
    assert_non_null(strstr(loc, "done=no_circle"));
    free(loc);
    free(form);
    form = mg_xasprintf("csrf=%s&circle_id=%lld&group_number=4&week=1", W->csrf,
                        W->circle);
    loc = post_redirect(path, form);
    assert_non_null(strstr(loc, "/dashboard/review?done=approved"));
    body = get(loc, 200);
    assert_non_null(strstr(body, "Approved message"));
    free(body);
    {
        char *list =
            mg_xasprintf("/dashboard/review?after=%lld", (long long)id - 1);

        body = get(list, 200);
        free(list);
    }
    assert_null(strstr(body, "Stray &lt;note&gt;"));
    free(body);
    free(loc);
    free(form);
    free(path);
    api = mg_xasprintf("/api/v1/notes/%lld", (long long)id);
    doc = test_site_call(&W->site, &status, "GET", api, NULL, NULL);
    assert_int_equal(status, 200);
    assert_string_equal(json_string_value(json_object_get(doc, "status")),
                        "published");
    assert_int_equal(json_integer_value(json_object_get(doc, "circle_id")),
                     W->circle);
    assert_int_equal(json_integer_value(json_object_get(doc, "group_id")), g4);
    json_decref(doc);
    free(api);
    json_decref(groups);
}

/* --- plenaries, downloads, the outbox ------------------------------------- */

static void test_plenary_page(void **state)
{
    char *path = test_circle_path(W->circle, "/plenaries"), *body, *reg;
    long status;
    json_t *doc;
    long long plenary;
    int k;

    (void)state;
    doc = test_site_call(&W->site, &status, "POST", path,
                         "{\"title\":\"Kick-off <live>\",\"guest\":\"Ursula\","
                         "\"start\":\"2027-03-16T19:30\",\"minutes\":90,"
                         "\"capacity\":2}",
                         NULL);
    assert_int_equal(status, 201);
    plenary = json_integer_value(json_object_get(doc, "id"));
    json_decref(doc);
    free(path);
    reg = test_circle_path(W->circle, "/plenaries/%lld/registrations", plenary);
    for (k = 10; k < 14; k++) {
        char email[40], *b;

        snprintf(email, sizeof(email), "p%04d%%40example.org", k);
        b = mg_xasprintf("{\"participant_id\":%lld}", person_id(email));
        doc = test_site_call(&W->site, &status, "POST", reg, b, NULL);
        assert_int_equal(status, 200);
        json_decref(doc);
        free(b);
    }
    free(reg);
    path = test_dashboard_path(W->circle, "/plenaries/%lld", plenary);
    body = get(path, 200);
    assert_non_null(strstr(body, "Kick-off &lt;live&gt;"));
    assert_non_null(strstr(body, "2 registered, 2 on the waitlist"));
    assert_non_null(strstr(body, "2027-03-16 19:30"));
    assert_non_null(strstr(body, "(Pacific/Auckland)"));
    assert_int_equal(count_of(body, "<td>registered</td>"), 2);
    assert_int_equal(count_of(body, "<td>waitlisted</td>"), 2);
    /* registered first, then the waitlist in its order */
    assert_true(strstr(body, "Person 0010") < strstr(body, "Person 0012"));
    assert_true(strstr(body, "Person 0012") < strstr(body, "Person 0013"));
    free(body);
    free(path);
    /* the circle page lists it, and its outbox shows the invitations it
     * queued, at times in the circle's zone */
    path = test_dashboard_path(W->circle, "%s", "");
    body = get(path, 200);
    assert_non_null(strstr(body, "/plenaries/"));
    assert_non_null(strstr(body, "Queued <span class=\"muted\">"
                                 "(Pacific/Auckland)</span>"));
    free(body);
    free(path);
    path = test_dashboard_path(W->circle, "/plenaries/999999");
    body = get(path, 404);
    free(body);
    free(path);
}

static void test_csv_downloads(void **state)
{
    struct test_response resp;
    char *path = test_dashboard_path(W->circle, "/roster.csv"), *ct;

    (void)state;
    test_site_page(&resp, &W->site, "GET", path, W->cookie, NULL);
    assert_int_equal(resp.status, 200);
    ct = test_header_value(resp.headers, strlen(resp.headers), "Content-Type");
    assert_non_null(strstr(ct, "text/csv"));
    free(ct);
    ct = test_header_value(resp.headers, strlen(resp.headers),
                           "Content-Disposition");
    assert_non_null(strstr(ct, "attachment"));
    free(ct);
    assert_true(strncmp(resp.body,
                        "id,name,email,role,sector,region,status,"
                        "group\r\n",
                        47) == 0);
    assert_int_equal(count_of(resp.body, "\r\n"), N_PEOPLE + 2);
    /* a cell that starts like a formula is quoted and made text */
    assert_non_null(strstr(resp.body, ",\"'=HYPERLINK(\"\"http://x\"\")\","));
    assert_null(strstr(resp.body, ",=HYPERLINK"));
    assert_non_null(strstr(resp.body, ",Person 0003,p0003@example.org,"
                                      "participant,special,North,withdrawn,"));
    test_response_release(&resp);
    free(path);

    path = test_dashboard_path(W->circle, "/attendance.csv");
    test_site_page(&resp, &W->site, "GET", path, W->cookie, NULL);
    assert_int_equal(resp.status, 200);
    assert_true(strncmp(resp.body,
                        "name,email,group,week_1,week_2,week_3,week_4\r\n",
                        46) == 0);
    assert_non_null(strstr(resp.body, "\"'=HYPERLINK("));
    /* every person, a row each, however the answer was cut into pieces */
    assert_int_equal(count_of(resp.body, "\r\n"), N_PEOPLE + 2);
    test_response_release(&resp);
    free(path);

    path = test_dashboard_path(W->circle, "/report.csv");
    test_site_page(&resp, &W->site, "GET", path, W->cookie, NULL);
    assert_int_equal(resp.status, 200);
    assert_true(strncmp(resp.body, "session_id,", 11) == 0);
    test_response_release(&resp);
    free(path);
}

/* --- rebalancing ------------------------------------------------------------
 */

static void test_rebalance_apply(void **state)
{
    json_t *groups = api_groups(), *g, *m;
    char *path = test_dashboard_path(W->circle, "/rebalance"), *body, *form,
         *loc, *plan;
    const char *p;
    size_t i;
    int withdrawn = 0;

    (void)state;
    /* empty most of the first group: it falls below the minimum */
    g = json_array_get(json_object_get(groups, "groups"), 0);
    json_array_foreach(json_object_get(g, "members"), i, m)
    {
        const char *role = json_string_value(json_object_get(m, "role"));
        char *w;

        if (strcmp(role, "participant") != 0 || withdrawn == 4)
            continue;
        w = test_dashboard_path(
            W->circle, "/people/%lld/withdraw",
            (long long)json_integer_value(json_object_get(m, "id")));
        form = mg_xasprintf("csrf=%s", W->csrf);
        free(post_redirect(w, form));
        free(form);
        free(w);
        withdrawn++;
    }
    assert_int_equal(withdrawn, 4);
    body = get(path, 200);
    assert_non_null(strstr(body, "nothing has been changed"));
    p = strstr(body, "name=\"plan\" value=\"");
    assert_non_null(p);
    plan = mg_xstrndup(p + strlen("name=\"plan\" value=\""), 16);
    free(body);
    form = mg_xasprintf("csrf=%s&plan=%s", W->csrf, plan);
    loc = post_redirect(path, form);
    assert_non_null(strstr(loc, "done=rebalanced&moves="));
    assert_null(strstr(loc, "moves=0"));
    body = get(loc, 200);
    assert_non_null(strstr(body, "Rebalanced the groups: moved"));
    free(body);
    free(loc);
    /* the same plan again is stale now: a fresh preview instead */
    loc = post_redirect(path, form);
    assert_non_null(strstr(loc, "changed=1"));
    free(loc);
    free(form);
    free(plan);
    free(path);
    json_decref(groups);
}

/* --- errors are pages -------------------------------------------------------
 */

static void expect_html(const char *method, const char *path, long status)
{
    struct test_response resp;
    char *ct;

    test_site_page(&resp, &W->site, method, path, W->cookie,
                   method[0] == 'P' ? "x=1" : NULL);
    if (resp.status != status)
        fail_msg("%s %s: %ld, not %ld", method, path, resp.status, status);
    ct = test_header_value(resp.headers, strlen(resp.headers), "Content-Type");
    assert_non_null(ct);
    if (!strstr(ct, "text/html"))
        fail_msg("%s %s: %s, not HTML", method, path, ct);
    assert_non_null(strstr(resp.body, "<!DOCTYPE html>"));
    free(ct);
    test_response_release(&resp);
}

static void test_errors_are_pages(void **state)
{
    char *path;

    (void)state;
    path = test_dashboard_path(W->circle, "/digest?week=9");
    expect_html("GET", path, 404);
    free(path);
    path = test_dashboard_path(W->circle, "/digest?week=0");
    expect_html("GET", path, 404);
    free(path);
    path = test_dashboard_path(W->circle, "/digest?week=x");
    expect_html("GET", path, 400);
    free(path);
    path = test_dashboard_path(W->circle, "/digest?week=2");
    expect_html("GET", path, 200);
    free(path);
    /* without a week: the weeks to choose from, not every note at once */
    path = test_dashboard_path(W->circle, "/digest");
    {
        char *body = get(path, 200);

        assert_non_null(strstr(body, "/digest?week=4\""));
        assert_null(strstr(body, "class=\"digest\""));
        free(body);
    }
    free(path);
    expect_html("GET", "/dashboard/nowhere", 404);
    expect_html("GET", "/dashboard/circles/999999", 404);
    path = test_dashboard_path(W->circle, "/people/999999/move");
    expect_html("GET", path, 404);
    free(path);
    path = test_dashboard_path(W->circle, "%s", "");
    expect_html("DELETE", path, 405);
    free(path);
    path = test_dashboard_path(W->circle, "/move");
    expect_html("POST", path, 403); /* no CSRF token */
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_circle_page_is_bounded),
        cmocka_unit_test(test_page_two_and_search),
        cmocka_unit_test(test_move_form_page),
        cmocka_unit_test(test_withdraw),
        cmocka_unit_test(test_review_queue),
        cmocka_unit_test(test_review_stray),
        cmocka_unit_test(test_plenary_page),
        cmocka_unit_test(test_csv_downloads),
        cmocka_unit_test(test_rebalance_apply),
        cmocka_unit_test(test_errors_are_pages),
    };

    return cmocka_run_group_tests(tests, setup_world, teardown_world);
}
