/*
 * test_dashboard.c: the coordinator dashboard against a real `mingle
 * serve`: logging in (coordinator tokens only, cookie flags), names that
 * try to be markup shown as text, the SVG chart drawn from the groups,
 * moves guarded by the CSRF token and the hard rules, a rebalance preview
 * that stores nothing, invitations queued, the lists and downloads, and
 * logging out.
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
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "mingle/store.h"
#include "support.h"

static const char circle_json[] =
    "{\"title\":\"<b>Circle</b> & \\\"co\\\"\",\"time_zone\":"
    "\"Pacific/Auckland\",\"start_date\":\"2027-03-02\",\"weeks\":4,"
    "\"group_size\":{\"min\":6,\"max\":9},\"slots\":[{\"weekday\":"
    "\"tuesday\",\"start\":\"19:30\",\"minutes\":60}]}";

static const char book[] = "# Thread: Mission\n\n## One\n\nwords here\n\n"
                           "# Thread: Communities\n\n## Two\n\nmore words\n";

/* 14 people, 4 of them facilitators: two groups of 7 (min 6, max 9). */
static const char *const names[] = {"Facilitator One",
                                    "Facilitator Two",
                                    "Facilitator Three",
                                    "Facilitator Four",
                                    "<script>alert(1)</script>",
                                    "\"onerror=alert(1) x=\"",
                                    "Ana & Bob",
                                    "Māui Tūhoe",
                                    "Whetū Ngāti",
                                    "Person Nine",
                                    "Person Ten",
                                    "Person Eleven",
                                    "Person Twelve",
                                    "Person Thirteen"};
#define N_PEOPLE ((int)(sizeof(names) / sizeof(names[0])))
static const char *const sectors[] = {"public", "academic", "school", "special",
                                      "<i>other</i>"};

struct world {
    struct test_site site; /* its token is the first coordinator's */
    char *coordinator2, *participant, *facilitator;
    char *cookie; /* "mingle_session=..." */
    long long circle;
    long long group1; /* the first group planned */
};

static struct world *W;

static void csv_field(struct mg_buf *b, const char *s, int last)
{
    mg_buf_puts(b, "\"");
    for (; *s; s++) {
        if (*s == '"')
            mg_buf_puts(b, "\"");
        mg_buf_add(b, s, 1);
    }
    mg_buf_puts(b, last ? "\"\n" : "\",");
}

static void make_circle(void)
{
    struct mg_buf csv = MG_BUF_INIT;
    long status;
    json_t *doc;
    char *path, email[64];
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
    for (i = 0; i < N_PEOPLE; i++) {
        snprintf(email, sizeof(email), "p%02d@example.org", i);
        csv_field(&csv, names[i], 0);
        csv_field(&csv, email, 0);
        csv_field(&csv, i < 4 ? "facilitator" : "participant", 0);
        csv_field(&csv, sectors[i % 5], 0);
        csv_field(&csv, i % 2 ? "North" : "South", 1);
    }
    assert_true(test_site_plan(&W->site, W->circle, csv.data, NULL, 0) >= 0);
    mg_buf_release(&csv);
    path = test_circle_path(W->circle, "/groups");
    doc = test_site_call(&W->site, &status, "GET", path, NULL, NULL);
    assert_int_equal(status, 200);
    W->group1 = json_integer_value(json_object_get(
        json_array_get(json_object_get(doc, "groups"), 0), "id"));
    assert_true(W->group1 > 0);
    json_decref(doc);
    free(path);
}

/* Mail as the notes module would file it, written straight to the
 * store: one note published in group 1, week 1, one kept for review. */
static void add_notes(void)
{
    struct mg_store_options opt = {1, 5000};
    struct mg_error err = {{0}, {0}};
    struct mg_store *st = NULL;
    struct mg_group_row *groups = NULL;
    size_t n_groups = 0;
    struct mg_note n;
    int64_t id = 0;
    int dup = 0, k;

    assert_int_equal(mg_store_open(&st, W->site.db, &opt, &err), 0);
    assert_int_equal(mg_store_groups_list(&groups, &n_groups, st, W->circle),
                     0);
    assert_true(n_groups > 0);
    for (k = 0; k < 2; k++) {
        memset(&n, 0, sizeof(n));
        n.circle_id = W->circle;
        n.group_id = k == 0 ? groups[0].id : 0;
        n.week = k == 0 ? 1 : 0;
        snprintf(n.kind, sizeof(n.kind), "note");
        n.status = k == 0 ? MG_STORE_NOTE_PUBLISHED : MG_STORE_NOTE_REVIEW;
        n.provider = (char *)"mime";
        n.message_id = (char *)(k == 0 ? "<n1@x.org>" : "<n2@x.org>");
        n.from_name = (char *)"<img src=x onerror=alert(2)>";
        n.from_email = (char *)"stranger@x.org";
        n.subject = (char *)"<script>alert(3)</script> week one";
        n.body = (char *)"I liked <b>this</b> & that";
        n.full_text = n.body;
        if (k == 1)
            n.review_reason = (char *)"sender not in the group";
        n.sent_at = 1804000000;
        n.received_at = n.sent_at + 60;
        assert_int_equal(mg_store_note_insert(&id, &dup, st, &n), 0);
    }
    mg_store_groups_free(groups, n_groups);
    mg_store_close(st);
}

static int setup_world(void **state)
{
    static const char *const env[] = {"MINGLE_OUTBOX_INTERVAL=1", NULL};
    struct test_site_opts opts = {.maildir = 1, .env = env};
    struct world *w = mg_xcalloc(1, sizeof(*w));

    W = w;
    if (test_site_init(&w->site, "dash.db") < 0)
        return -1;
    w->coordinator2 = test_site_token(&w->site, "coordinator", 0, 0);
    if (!w->coordinator2 || test_site_serve(&w->site, &opts) < 0)
        return -1;
    make_circle();
    /* Tokens of the circle that are not a coordinator's. */
    w->participant = test_site_token(&w->site, "participant", w->circle, 0);
    w->facilitator =
        test_site_token(&w->site, "facilitator", w->circle, w->group1);
    if (!w->participant || !w->facilitator)
        return -1;
    add_notes();
    *state = w;
    return 0;
}

static int teardown_world(void **state)
{
    struct world *w = *state;

    test_site_stop(&w->site, SIGTERM);
    free(w->coordinator2);
    free(w->participant);
    free(w->facilitator);
    free(w->cookie);
    free(w);
    return 0;
}

static void test_login(void **state)
{
    struct test_response resp;
    char *loc, *sc, *cookie;
    long status;

    (void)state;
    /* Without a session every page sends you to the login form. */
    test_site_page(&resp, &W->site, "GET", "/dashboard", NULL, NULL);
    assert_int_equal(resp.status, 303);
    loc = test_header_value(resp.headers, strlen(resp.headers), "Location");
    assert_string_equal(loc, "/dashboard/login");
    free(loc);
    test_response_release(&resp);
    test_site_page(&resp, &W->site, "GET", "/dashboard/circles/1",
                   "mingle_session=nonsense", NULL);
    assert_int_equal(resp.status, 303);
    test_response_release(&resp);

    test_site_page(&resp, &W->site, "GET", "/dashboard/login", NULL, NULL);
    assert_int_equal(resp.status, 200);
    assert_non_null(strstr(resp.body, "<label for=\"token\""));
    assert_non_null(strstr(resp.body, "type=\"password\""));
    sc = test_header_value(resp.headers, strlen(resp.headers),
                           "Content-Security-Policy");
    assert_non_null(sc);
    assert_null(strstr(sc, "script-src"));
    assert_non_null(strstr(sc, "default-src 'none'"));
    free(sc);
    test_response_release(&resp);

    /* Participant, facilitator, wrong and malformed tokens: no session. */
    status = test_site_dashboard_login(&W->site, W->participant, &cookie, NULL,
                                       NULL);
    assert_null(cookie);
    assert_int_equal(status, 403);
    status = test_site_dashboard_login(&W->site, W->facilitator, &cookie, NULL,
                                       NULL);
    assert_null(cookie);
    assert_int_equal(status, 403);
    {
        char *wrong = mg_xstrdup(W->site.token);
        wrong[strlen(wrong) - 1] = wrong[strlen(wrong) - 1] == '0' ? '1' : '0';
        status =
            test_site_dashboard_login(&W->site, wrong, &cookie, NULL, NULL);
        assert_null(cookie);
        assert_int_equal(status, 403);
        free(wrong);
    }
    status = test_site_dashboard_login(&W->site, "mgt_nonsense", &cookie, NULL,
                                       NULL);
    assert_null(cookie);
    assert_int_equal(status, 403);

    status =
        test_site_dashboard_login(&W->site, W->site.token, &cookie, NULL, &sc);
    assert_int_equal(status, 303);
    assert_non_null(cookie);
    assert_true(strncmp(cookie, "mingle_session=", 15) == 0);
    /* The cookie is not the API token. */
    assert_null(strstr(cookie, W->site.token + 4));
    assert_non_null(strstr(sc, "; HttpOnly"));
    assert_non_null(strstr(sc, "; SameSite=Strict"));
    assert_non_null(strstr(sc, "; Path=/dashboard"));
    assert_non_null(strstr(sc, "; Max-Age=28800"));
    assert_null(strstr(sc, "Secure")); /* base_url is http here */
    free(sc);
    W->cookie = cookie;

    test_site_page(&resp, &W->site, "GET", "/dashboard", W->cookie, NULL);
    assert_int_equal(resp.status, 200);
    /* The circle's title is text, not markup. */
    assert_null(strstr(resp.body, "<b>Circle</b>"));
    assert_non_null(
        strstr(resp.body, "&lt;b&gt;Circle&lt;/b&gt; &amp; &quot;co&quot;"));
    test_response_release(&resp);
    /* Logged in, the login form sends you on. */
    test_site_page(&resp, &W->site, "GET", "/dashboard/login", W->cookie, NULL);
    assert_int_equal(resp.status, 303);
    test_response_release(&resp);
}

static long xpath_count(xmlDocPtr doc, const char *expr)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    xmlXPathObjectPtr res = xmlXPathEvalExpression(BAD_CAST expr, ctx);
    long n = res && res->nodesetval ? res->nodesetval->nodeNr : 0;

    xmlXPathFreeObject(res);
    xmlXPathFreeContext(ctx);
    return n;
}

static char *circle_page(void)
{
    struct test_response resp;
    char *path = test_dashboard_path(W->circle, "%s", ""), *body;

    test_site_page(&resp, &W->site, "GET", path, W->cookie, NULL);
    assert_int_equal(resp.status, 200);
    body = resp.body;
    resp.body = NULL;
    test_response_release(&resp);
    free(path);
    return body;
}

static void test_names_are_text(void **state)
{
    char *body = circle_page();
    htmlDocPtr doc;

    (void)state;
    assert_null(strstr(body, "<script>alert(1)</script>"));
    assert_non_null(strstr(body, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_null(strstr(body, "\"onerror=alert(1) x=\""));
    assert_non_null(strstr(body, "&quot;onerror=alert(1) x=&quot;"));
    assert_non_null(strstr(body, "Ana &amp; Bob"));
    assert_null(strstr(body, "Ana & Bob"));
    assert_non_null(strstr(body, "Māui Tūhoe"));
    assert_null(strstr(body, "<i>other</i>"));
    assert_non_null(strstr(body, "&lt;i&gt;other&lt;/i&gt;"));
    /* The review queue: its count, and its senders and subjects as text. */
    assert_non_null(strstr(body, "1 message of this circle waits"));
    assert_null(strstr(body, "<img"));
    assert_non_null(strstr(body, "&lt;img src=x onerror=alert(2)&gt;"));
    assert_null(strstr(body, "<script>alert(3)</script>"));
    assert_non_null(strstr(body, "&lt;script&gt;alert(3)&lt;/script&gt;"));
    /* Parsed as a browser would: no script, no handler attribute. */
    doc = htmlReadMemory(body, (int)strlen(body), "dash.html", "UTF-8",
                         HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                             HTML_PARSE_NONET);
    assert_non_null(doc);
    assert_int_equal(xpath_count(doc, "//script"), 0);
    assert_int_equal(xpath_count(doc, "//@*[starts-with(name(), 'on')]"), 0);
    assert_int_equal(xpath_count(doc, "//i"), 0);
    /* Every form field has a label; every state change carries a token. */
    assert_int_equal(xpath_count(doc, "//select[not(@id = //label/@for)]"), 0);
    assert_int_equal(
        xpath_count(doc, "//form[@method='post'][not(.//input[@name='csrf'])]"),
        0);
    assert_true(xpath_count(doc, "//form[@method='post']") > N_PEOPLE);
    xmlFreeDoc(doc);
    free(body);
}

/* The API's groups: sizes by id, and one member's group. */
static json_t *api_groups(void)
{
    char *path = test_circle_path(W->circle, "/groups");
    long status;
    json_t *doc = test_site_call(&W->site, &status, "GET", path, NULL, NULL);

    assert_int_equal(status, 200);
    free(path);
    return doc;
}

static long long group_of(json_t *groups, long long person)
{
    json_t *list = json_object_get(groups, "groups"), *g, *m;
    size_t i, j;

    json_array_foreach(list, i, g)
    {
        json_array_foreach(json_object_get(g, "members"), j, m)
        {
            if (json_integer_value(json_object_get(m, "id")) == person)
                return json_integer_value(json_object_get(g, "id"));
        }
    }
    return 0;
}

static int ns_count(xmlXPathContextPtr ctx, const char *expr)
{
    xmlXPathObjectPtr res = xmlXPathEvalExpression(BAD_CAST expr, ctx);
    int n = res && res->nodesetval ? res->nodesetval->nodeNr : 0;

    xmlXPathFreeObject(res);
    return n;
}

static void test_chart(void **state)
{
    char *body = circle_page(), *start, *end;
    json_t *groups = api_groups(), *list = json_object_get(groups, "groups");
    xmlDocPtr svg;
    xmlXPathContextPtr ctx;
    xmlXPathObjectPtr bars;
    double ratio = 0;
    int i;

    (void)state;
    /* The chart is well-formed SVG: read it with the XML parser. */
    start = strstr(body, "<svg xmlns=\"http://www.w3.org/2000/svg\"");
    assert_non_null(start);
    end = strstr(start, "</svg>");
    assert_non_null(end);
    end += strlen("</svg>");
    svg = xmlReadMemory(start, (int)(end - start), "chart.svg", "UTF-8",
                        XML_PARSE_NONET);
    assert_non_null(svg);
    ctx = xmlXPathNewContext(svg);
    xmlXPathRegisterNs(ctx, BAD_CAST "s",
                       BAD_CAST "http://www.w3.org/2000/svg");
    assert_int_equal(ns_count(ctx, "/s:svg/s:title"), 1);
    assert_int_equal(ns_count(ctx, "/s:svg/s:desc"), 1);
    assert_int_equal(ns_count(ctx, "//s:g[@class='ref']"), 2);
    bars = xmlXPathEvalExpression(BAD_CAST "//s:g[@class='bar']", ctx);
    assert_non_null(bars);
    assert_int_equal(bars->nodesetval->nodeNr, (int)json_array_size(list));
    assert_true(json_array_size(list) >= 2);
    for (i = 0; i < bars->nodesetval->nodeNr; i++) {
        xmlNodePtr bar = bars->nodesetval->nodeTab[i], c;
        xmlChar *gid = xmlGetProp(bar, BAD_CAST "data-group");
        xmlChar *size = xmlGetProp(bar, BAD_CAST "data-size");
        double height = 0;
        long long api_size = -1;
        size_t k;
        json_t *g;
        int has_title = 0;

        json_array_foreach(list, k, g)
        {
            if (json_integer_value(json_object_get(g, "id")) ==
                atoll((const char *)gid))
                api_size = json_integer_value(json_object_get(g, "size"));
        }
        assert_int_equal(atoll((const char *)size), api_size);
        for (c = bar->children; c; c = c->next) {
            xmlChar *h;
            if (c->type != XML_ELEMENT_NODE)
                continue;
            has_title |= strcmp((const char *)c->name, "title") == 0;
            if (strcmp((const char *)c->name, "rect") != 0)
                continue;
            h = xmlGetProp(c, BAD_CAST "height");
            height += strtod((const char *)h, NULL);
            xmlFree(h);
        }
        assert_true(has_title);
        /* Heights are proportional to sizes: one ratio for all. */
        if (i == 0)
            ratio = height / (double)api_size;
        else
            assert_true(height / (double)api_size > ratio - 0.01 &&
                        height / (double)api_size < ratio + 0.01);
        xmlFree(gid);
        xmlFree(size);
    }
    assert_true(ratio > 0);
    xmlXPathFreeObject(bars);
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(svg);
    /* A legend names each sector, escaped. */
    assert_non_null(strstr(body, "<ul class=\"legend\""));
    json_decref(groups);
    free(body);
}

/* A participant (not a facilitator) of group `gid`, preferring one whose
 * name is markup; 0 if none. */
static long long pick_member(json_t *groups, long long gid)
{
    json_t *list = json_object_get(groups, "groups"), *g, *m;
    long long best = 0;
    size_t i, j;

    json_array_foreach(list, i, g)
    {
        if (json_integer_value(json_object_get(g, "id")) != gid)
            continue;
        json_array_foreach(json_object_get(g, "members"), j, m)
        {
            const char *role = json_string_value(json_object_get(m, "role"));
            const char *name = json_string_value(json_object_get(m, "name"));
            if (strcmp(role, "participant") != 0)
                continue;
            if (!best || name[0] == '<' || name[0] == '"')
                best = json_integer_value(json_object_get(m, "id"));
        }
    }
    return best;
}

static long long group_id_at(json_t *groups, size_t i)
{
    return json_integer_value(json_object_get(
        json_array_get(json_object_get(groups, "groups"), i), "id"));
}

static void test_move(void **state)
{
    struct test_response resp;
    json_t *before = api_groups(), *after;
    char *body = circle_page(), *csrf = test_page_csrf(body), *form, *loc;
    char *path = test_dashboard_path(W->circle, "/move");
    long long g1 = group_id_at(before, 0), g2 = group_id_at(before, 1);
    long long who = pick_member(before, g1), other;

    (void)state;
    free(body);
    assert_true(who > 0);
    assert_int_equal(group_of(before, who), g1);
    /* Without a CSRF token, with a wrong one, from another site: 403. */
    form = mg_xasprintf("participant_id=%lld&group_id=%lld", who, g2);
    test_site_page(&resp, &W->site, "POST", path, W->cookie, form);
    assert_int_equal(resp.status, 403);
    test_response_release(&resp);
    free(form);
    form = mg_xasprintf("csrf=%032d&participant_id=%lld&group_id=%lld", 0, who,
                        g2);
    test_site_page(&resp, &W->site, "POST", path, W->cookie, form);
    assert_int_equal(resp.status, 403);
    test_response_release(&resp);
    free(form);
    form = mg_xasprintf("csrf=%s&participant_id=%lld&group_id=%lld", csrf, who,
                        g2);
    {
        char *c = mg_xasprintf("Cookie: %s", W->cookie);
        const char *extra[] = {c, "Origin: https://evil.example", NULL};

        assert_int_equal(test_http_ex(&resp, W->site.d.port, "POST", path, NULL,
                                      extra, form, strlen(form),
                                      "application/x-www-form-urlencoded"),
                         0);
        free(c);
    }
    assert_int_equal(resp.status, 403);
    test_response_release(&resp);
    /* A valid token without the session cookie is no use either. */
    test_site_page(&resp, &W->site, "POST", path, NULL, form);
    assert_int_equal(resp.status, 303);
    test_response_release(&resp);
    after = api_groups();
    assert_int_equal(group_of(after, who), g1);
    json_decref(after);

    /* With the session's token: moved, and the API shows it. */
    test_site_page(&resp, &W->site, "POST", path, W->cookie, form);
    assert_int_equal(resp.status, 303);
    loc = test_header_value(resp.headers, strlen(resp.headers), "Location");
    assert_non_null(strstr(loc, "done=moved"));
    test_response_release(&resp);
    free(form);
    after = api_groups();
    assert_int_equal(group_of(after, who), g2);
    test_site_page(&resp, &W->site, "GET", loc, W->cookie, NULL);
    assert_int_equal(resp.status, 200);
    assert_non_null(strstr(resp.body, "Moved "));
    test_response_release(&resp);
    free(loc);

    /* Group 1 is at the minimum now: one more out breaks a hard rule. */
    other = pick_member(after, g1);
    assert_true(other > 0);
    form = mg_xasprintf("csrf=%s&participant_id=%lld&group_id=%lld", csrf,
                        other, g2);
    test_site_page(&resp, &W->site, "POST", path, W->cookie, form);
    assert_int_equal(resp.status, 303);
    loc = test_header_value(resp.headers, strlen(resp.headers), "Location");
    assert_non_null(strstr(loc, "/move?refused="));
    test_response_release(&resp);
    /* the person's move page says why, and offers to move anyway */
    test_site_page(&resp, &W->site, "GET", loc, W->cookie, NULL);
    assert_int_equal(resp.status, 200);
    assert_non_null(strstr(resp.body, "below the minimum of 6"));
    assert_non_null(strstr(resp.body, "role=\"alert\""));
    assert_non_null(strstr(resp.body, "Move anyway"));
    assert_null(strstr(resp.body, "<script>alert(1)</script>"));
    /* the page checks the two groups alone; it finds what the API's
     * check of the whole circle finds, word for word */
    {
        char *api = test_circle_path(W->circle, "/groups/%lld/members", g2);
        char *json = mg_xasprintf("{\"participant_id\":%lld}", other);
        long status;
        json_t *refusal =
                   test_site_call(&W->site, &status, "POST", api, json, NULL),
               *issue;
        size_t k;

        assert_int_equal(status, 409);
        issue = json_object_get(json_object_get(refusal, "error"), "issues");
        assert_true(json_array_size(issue) > 0);
        json_array_foreach(
            json_object_get(json_object_get(refusal, "error"), "issues"), k,
            issue)
        {
            assert_non_null(strstr(resp.body, json_string_value(json_object_get(
                                                  issue, "message"))));
        }
        json_decref(refusal);
        free(json);
        free(api);
    }
    test_response_release(&resp);
    free(loc);
    free(form);
    json_decref(after);
    after = api_groups();
    assert_int_equal(group_of(after, other), g1);
    json_decref(after);
    json_decref(before);
    free(csrf);
    free(path);
}

static void test_rebalance_preview(void **state)
{
    struct test_response resp;
    json_t *before = api_groups(), *after;
    char *body = circle_page(), *csrf = test_page_csrf(body), *form, *loc;
    char *path = test_dashboard_path(W->circle, "/rebalance"), *a, *b;

    (void)state;
    free(body);
    /* The preview is a page of its own; it stores nothing. */
    test_site_page(&resp, &W->site, "GET", path, W->cookie, NULL);
    assert_int_equal(resp.status, 200);
    assert_non_null(strstr(resp.body, "nothing has been changed"));
    assert_non_null(strstr(resp.body, "class=\"bar\""));
    assert_null(strstr(resp.body, "<script>alert(1)</script>"));
    test_response_release(&resp);
    /* Applying needs the session's token, and the preview's plan: a plan
     * that is not the current one sends you to a fresh preview. */
    test_site_page(&resp, &W->site, "POST", path, W->cookie, "csrf=wrong");
    assert_int_equal(resp.status, 403);
    test_response_release(&resp);
    form = mg_xasprintf("csrf=%s&plan=0000000000000000", csrf);
    test_site_page(&resp, &W->site, "POST", path, W->cookie, form);
    assert_int_equal(resp.status, 303);
    loc = test_header_value(resp.headers, strlen(resp.headers), "Location");
    assert_non_null(strstr(loc, "/rebalance?changed=1"));
    test_response_release(&resp);
    test_site_page(&resp, &W->site, "GET", loc, W->cookie, NULL);
    assert_int_equal(resp.status, 200);
    assert_non_null(strstr(resp.body, "nothing was applied"));
    test_response_release(&resp);
    free(loc);
    after = api_groups();
    a = json_dumps(json_object_get(before, "groups"), JSON_SORT_KEYS);
    b = json_dumps(json_object_get(after, "groups"), JSON_SORT_KEYS);
    assert_string_equal(a, b);
    free(a);
    free(b);
    json_decref(before);
    json_decref(after);
    free(form);
    free(csrf);
    free(path);
}

static void test_invites(void **state)
{
    struct test_response resp;
    char *body = circle_page(), *csrf = test_page_csrf(body), *form, *loc;
    char *path = test_dashboard_path(W->circle, "/invites"), *api, text[64];
    json_t *doc;
    long status;
    int queued;

    (void)state;
    free(body);
    form = mg_xasprintf("csrf=%s", csrf);
    /* No organizer yet: refused, and the page it leads to says why. */
    test_site_page(&resp, &W->site, "POST", path, W->cookie, form);
    assert_int_equal(resp.status, 303);
    loc = test_header_value(resp.headers, strlen(resp.headers), "Location");
    assert_non_null(strstr(loc, "done=no_organizer"));
    test_response_release(&resp);
    test_site_page(&resp, &W->site, "GET", loc, W->cookie, NULL);
    assert_int_equal(resp.status, 200);
    assert_non_null(strstr(resp.body, "organizer email"));
    assert_non_null(strstr(resp.body, "role=\"alert\""));
    test_response_release(&resp);
    free(loc);
    api = test_circle_path(W->circle, "%s", "");
    doc = test_site_call(&W->site, &status, "PATCH", api,
                         "{\"organizer\":{\"name\":\"Coordinators\",\"email\":"
                         "\"circles@example.org\"}}",
                         NULL);
    assert_int_equal(status, 200);
    json_decref(doc);
    free(api);
    test_site_page(&resp, &W->site, "POST", path, W->cookie, form);
    assert_int_equal(resp.status, 303);
    loc = test_header_value(resp.headers, strlen(resp.headers), "Location");
    assert_non_null(strstr(loc, "done=invites&queued="));
    queued = atoi(strstr(loc, "queued=") + 7);
    assert_true(queued >= N_PEOPLE);
    test_response_release(&resp);
    test_site_page(&resp, &W->site, "GET", loc, W->cookie, NULL);
    assert_int_equal(resp.status, 200);
    snprintf(text, sizeof(text), "Queued %d messages", queued);
    assert_non_null(strstr(resp.body, text));
    test_response_release(&resp);
    free(loc);
    /* The outbox has them. */
    api = test_circle_path(W->circle, "/outbox");
    doc = test_site_call(&W->site, &status, "GET", api, NULL, NULL);
    assert_int_equal(status, 200);
    assert_int_equal(json_array_size(json_object_get(doc, "messages")), queued);
    json_decref(doc);
    free(api);
    /* Again: nothing new to send. */
    test_site_page(&resp, &W->site, "POST", path, W->cookie, form);
    assert_int_equal(resp.status, 303);
    loc = test_header_value(resp.headers, strlen(resp.headers), "Location");
    assert_non_null(strstr(loc, "queued=0"));
    free(loc);
    test_response_release(&resp);
    free(form);
    free(csrf);
    free(path);
}

static void test_digest(void **state)
{
    struct test_response resp;
    char *path = test_dashboard_path(W->circle, "/digest?week=1");

    (void)state;
    test_site_page(&resp, &W->site, "GET", path, W->cookie, NULL);
    assert_int_equal(resp.status, 200);
    assert_non_null(strstr(resp.body, "Back to the circle"));
    assert_null(strstr(resp.body, "<b>Circle</b>"));
    /* The published note, all of it text. */
    assert_non_null(strstr(resp.body, "I liked &lt;b&gt;this&lt;/b&gt; &amp; "
                                      "that"));
    assert_null(strstr(resp.body, "<img"));
    assert_null(strstr(resp.body, "<script"));
    test_response_release(&resp);
    free(path);
    path = test_dashboard_path(W->circle, "/digest?week=x");
    test_site_page(&resp, &W->site, "GET", path, W->cookie, NULL);
    assert_int_equal(resp.status, 400);
    test_response_release(&resp);
    test_site_page(&resp, &W->site, "GET", "/dashboard/circles/999999",
                   W->cookie, NULL);
    assert_int_equal(resp.status, 404);
    test_response_release(&resp);
    free(path);
}

/* The lists and downloads on the small circle (so they also run under
 * valgrind): the review queue, a plenary, a person's move page, a
 * withdrawal, the CSVs, the digest's weeks and applying a rebalance. */
static void test_lists_and_downloads(void **state)
{
    struct test_response resp;
    json_t *groups = api_groups(), *doc;
    char *body = circle_page(), *csrf = test_page_csrf(body), *form, *loc,
         *path;
    long long g1 = group_id_at(groups, 0), who = pick_member(groups, g1);
    long long other = pick_member(groups, group_id_at(groups, 1));
    long long plenary, note;
    const char *p;
    const char *const csvs[] = {"/report.csv", "/roster.csv",
                                "/attendance.csv"};
    long status;
    size_t i;

    (void)state;
    free(body);
    form = mg_xasprintf("csrf=%s", csrf);
    /* the review queue: one message, rejected */
    path = test_dashboard_path(W->circle, "/review");
    test_site_page(&resp, &W->site, "GET", path, W->cookie, NULL);
    assert_int_equal(resp.status, 200);
    assert_non_null(strstr(resp.body, "1 message of this circle waits"));
    assert_null(strstr(resp.body, "<img"));
    p = strstr(resp.body, "/notes/");
    assert_non_null(p);
    note = atoll(p + strlen("/notes/"));
    test_response_release(&resp);
    free(path);
    path = test_dashboard_path(W->circle, "/notes/%lld/reject", note);
    test_site_page(&resp, &W->site, "POST", path, W->cookie, form);
    assert_int_equal(resp.status, 303);
    loc = test_header_value(resp.headers, strlen(resp.headers), "Location");
    assert_non_null(strstr(loc, "done=rejected"));
    test_response_release(&resp);
    test_site_page(&resp, &W->site, "GET", loc, W->cookie, NULL);
    assert_non_null(strstr(resp.body, "0 messages of this circle wait"));
    test_response_release(&resp);
    free(loc);
    free(path);

    /* a plenary of one place: one registered, one waiting */
    path = test_circle_path(W->circle, "/plenaries");
    doc =
        test_site_call(&W->site, &status, "POST", path,
                       "{\"title\":\"Kick-off\",\"start\":\"2027-03-16T19:30\","
                       "\"capacity\":1}",
                       NULL);
    assert_int_equal(status, 201);
    plenary = json_integer_value(json_object_get(doc, "id"));
    json_decref(doc);
    free(path);
    for (i = 0; i < 2; i++) {
        char *b;

        path = test_circle_path(W->circle, "/plenaries/%lld/registrations",
                                plenary);
        b = mg_xasprintf("{\"participant_id\":%lld}", i ? other : who);
        doc = test_site_call(&W->site, &status, "POST", path, b, NULL);
        assert_int_equal(status, 200);
        json_decref(doc);
        free(b);
        free(path);
    }
    path = test_dashboard_path(W->circle, "/plenaries/%lld", plenary);
    test_site_page(&resp, &W->site, "GET", path, W->cookie, NULL);
    assert_int_equal(resp.status, 200);
    assert_non_null(strstr(resp.body, "1 registered, 1 on the waitlist"));
    test_response_release(&resp);
    free(path);

    /* a person's move page, then their withdrawal */
    path = test_dashboard_path(W->circle, "/people/%lld/move", who);
    test_site_page(&resp, &W->site, "GET", path, W->cookie, NULL);
    assert_int_equal(resp.status, 200);
    assert_non_null(strstr(resp.body, "name=\"group_number\""));
    test_response_release(&resp);
    free(path);
    path = test_dashboard_path(W->circle, "/people/%lld/withdraw", who);
    test_site_page(&resp, &W->site, "POST", path, W->cookie, form);
    assert_int_equal(resp.status, 303);
    loc = test_header_value(resp.headers, strlen(resp.headers), "Location");
    test_response_release(&resp);
    test_site_page(&resp, &W->site, "GET", loc, W->cookie, NULL);
    assert_non_null(strstr(resp.body, "Withdrew "));
    test_response_release(&resp);
    free(loc);
    free(path);

    /* the downloads */
    for (i = 0; i < sizeof(csvs) / sizeof(csvs[0]); i++) {
        path = test_dashboard_path(W->circle, "%s", csvs[i]);
        test_site_page(&resp, &W->site, "GET", path, W->cookie, NULL);
        assert_int_equal(resp.status, 200);
        assert_non_null(strcasestr(resp.headers, "text/csv"));
        /* a download, never a page a browser would run */
        assert_non_null(strcasestr(resp.headers, "attachment"));
        assert_non_null(strcasestr(resp.headers, "nosniff"));
        if (i == 1)
            assert_non_null(strstr(resp.body, "\"\"\"onerror=alert(1) "
                                              "x=\"\"\""));
        test_response_release(&resp);
        free(path);
    }

    /* the digest's weeks */
    path = test_dashboard_path(W->circle, "/digest");
    test_site_page(&resp, &W->site, "GET", path, W->cookie, NULL);
    assert_int_equal(resp.status, 200);
    assert_non_null(strstr(resp.body, "digest?week=4"));
    test_response_release(&resp);
    free(path);

    /* a rebalance after the withdrawal, applied as previewed (when the
     * planner moves anyone) */
    path = test_dashboard_path(W->circle, "/rebalance");
    test_site_page(&resp, &W->site, "GET", path, W->cookie, NULL);
    assert_int_equal(resp.status, 200);
    p = strstr(resp.body, "name=\"plan\" value=\"");
    if (p) {
        char *apply = mg_xasprintf("csrf=%s&plan=%.16s", csrf,
                                   p + strlen("name=\"plan\" value=\""));
        struct test_response r2;

        test_site_page(&r2, &W->site, "POST", path, W->cookie, apply);
        assert_int_equal(r2.status, 303);
        loc = test_header_value(r2.headers, strlen(r2.headers), "Location");
        assert_non_null(strstr(loc, "done=rebalanced"));
        free(loc);
        test_response_release(&r2);
        free(apply);
    }
    test_response_release(&resp);
    free(path);
    free(form);
    free(csrf);
    json_decref(groups);
}

/*
 * Issue 16 item 1: a circle whose Sunday 02:30 slot falls in Auckland's
 * September gap (2027-09-26) is flagged on its dashboard page, before
 * any groups are planned.
 */
static void test_slot_warnings(void **state)
{
    struct test_response resp;
    long long id = test_site_circle(
        &W->site,
        "{\"title\":\"Gap\",\"time_zone\":\"Pacific/Auckland\","
        "\"start_date\":\"2027-09-20\",\"weeks\":3,\"slots\":[{\"weekday\":"
        "\"sunday\",\"start\":\"02:30\",\"minutes\":60}]}",
        NULL);
    char *path = test_dashboard_path(id, "%s", "");

    (void)state;
    assert_true(id > 0);
    test_site_page(&resp, &W->site, "GET", path, W->cookie, NULL);
    assert_int_equal(resp.status, 200);
    assert_non_null(strstr(resp.body, "<ul class=\"warn\">\n<li>The sunday "
                                      "02:30 call of week 1 (2027-09-26)"));
    test_response_release(&resp);
    free(path);
}

static void test_logout(void **state)
{
    struct test_response resp;
    char *body = circle_page(), *csrf = test_page_csrf(body), *form, *sc;

    (void)state;
    free(body);
    test_site_page(&resp, &W->site, "POST", "/dashboard/logout", W->cookie,
                   "csrf=nope");
    assert_int_equal(resp.status, 403);
    test_response_release(&resp);
    form = mg_xasprintf("csrf=%s", csrf);
    test_site_page(&resp, &W->site, "POST", "/dashboard/logout", W->cookie,
                   form);
    assert_int_equal(resp.status, 303);
    sc = test_header_value(resp.headers, strlen(resp.headers), "Set-Cookie");
    assert_non_null(strstr(sc, "Max-Age=0"));
    free(sc);
    test_response_release(&resp);
    /* The old cookie is dead even if a browser kept it. */
    test_site_page(&resp, &W->site, "GET", "/dashboard", W->cookie, NULL);
    assert_int_equal(resp.status, 303);
    test_response_release(&resp);
    free(form);
    free(csrf);
}

static void test_revoked_token_ends_session(void **state)
{
    struct test_response resp;
    char id[17];
    const char *argv[] = {"token", "revoke", "--db", W->site.db, id, NULL};
    char *cookie, *out = NULL;
    long status;

    (void)state;
    status = test_site_dashboard_login(&W->site, W->coordinator2, &cookie, NULL,
                                       NULL);
    assert_int_equal(status, 303);
    test_site_page(&resp, &W->site, "GET", "/dashboard", cookie, NULL);
    assert_int_equal(resp.status, 200);
    test_response_release(&resp);
    memcpy(id, W->coordinator2 + 4, 16);
    id[16] = '\0';
    assert_int_equal(test_run_cli(&out, NULL, argv, NULL), 0);
    free(out);
    test_site_page(&resp, &W->site, "GET", "/dashboard", cookie, NULL);
    assert_int_equal(resp.status, 303);
    test_response_release(&resp);
    free(cookie);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_login),
        cmocka_unit_test(test_names_are_text),
        cmocka_unit_test(test_chart),
        cmocka_unit_test(test_move),
        cmocka_unit_test(test_rebalance_preview),
        cmocka_unit_test(test_invites),
        cmocka_unit_test(test_digest),
        cmocka_unit_test(test_lists_and_downloads),
        cmocka_unit_test(test_slot_warnings),
        cmocka_unit_test(test_logout),
        cmocka_unit_test(test_revoked_token_ends_session),
    };

    return cmocka_run_group_tests(tests, setup_world, teardown_world);
}
