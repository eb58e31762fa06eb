/*
 * test_pages.c: participants' pages at their secret URLs through a real
 * `mingle serve`. A circle whose people have hostile and non-ASCII names
 * is set up through the API, a summary and notes with HTML in them are
 * written into the SQLite file; then a member's and a facilitator's page
 * are fetched and parsed with libxml2's HTML parser: headers, escaping,
 * what each sees, times in the member's zone, rotation and unknown URLs.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <jansson.h>
#include <libxml/HTMLparser.h>
#include <libxml/xpath.h>

#include "mingle/store.h"
#include "support.h"

#define XSS "<script>alert(1)</script>"
#define XSS_ESCAPED "&lt;script&gt;alert(1)&lt;/script&gt;"

/* Tuesdays at 19:30 in Auckland from March 2030: New Zealand is on
 * daylight time (UTC+13), London on GMT, so the member's call is on the
 * Tuesday morning. */
static const char circle_json[] =
    "{\"title\":\"Atlas <b>of</b> Us\",\"slug\":\"atlas\","
    "\"time_zone\":\"Pacific/Auckland\",\"start_date\":\"2030-03-04\","
    "\"weeks\":3,\"group_size\":{\"min\":4,\"max\":8},\"slots\":[{"
    "\"weekday\":\"tuesday\",\"start\":\"19:30\",\"minutes\":60}],"
    "\"video_url\":\"https://meet.example.org/atlas?a=1&b='2'\","
    "\"organizer\":{\"name\":\"Coordinators\",\"email\":"
    "\"circles@example.org\"}}";

static const char people_csv[] =
    "name,email,role,sector,region,time_zone\n"
    "<script>alert(1)</script>,fac@example.org,facilitator,public,"
    "<b>North</b>,\n"
    "\"\"\"onerror=alert(1) x=\"\"\",member@example.org,participant,school,"
    "South,Europe/London\n"
    "Ana & Bob,ana@example.org,participant,academic,,\n"
    "Hēmi Pōtae Māori,hemi@example.org,participant,other,Tāmaki,\n";

static const char book_md[] = "# Chapter <One>\n\nalpha beta gamma delta\n\n"
                              "# Chapter Two\n\nepsilon zeta eta theta\n\n"
                              "# Chapter Three\n\niota kappa lambda mu\n";

struct world {
    struct test_site site;
    struct mg_store *st;
    long long circle, group, facilitator, member;
    char *member_url, *facilitator_url; /* paths: /p/<token> */
};

static struct world *W;

/* The participant id of `email`. */
static long long person_id(const char *email)
{
    long long id = test_site_person(&W->site, W->circle, email);

    assert_true(id > 0);
    return id;
}

/* Mint a page URL for `pid`; returns its path (/p/<token>), free() it. */
static char *mint_page(long long pid)
{
    char *path = test_circle_path(W->circle, "/participants/%lld/page", pid);
    long status;
    json_t *doc = test_site_call(&W->site, &status, "POST", path, NULL, NULL);
    const char *url, *p;
    char *out;
    size_t i;

    assert_int_equal(status, 201);
    url = json_string_value(json_object_get(doc, "url"));
    assert_non_null(url);
    p = strstr(url, "/p/");
    assert_non_null(p);
    assert_int_equal(strlen(p), 3 + 48);
    for (i = 3; p[i]; i++)
        assert_non_null(strchr("0123456789abcdef", p[i]));
    out = mg_xstrdup(p);
    json_decref(doc);
    free(path);
    return out;
}

static void add_note(const char *kind, const char *status, long long who,
                     const char *subject, const char *body, const char *mid)
{
    struct mg_note n;
    int64_t id = 0;
    int dup = -1;

    memset(&n, 0, sizeof(n));
    n.circle_id = W->circle;
    n.group_id = W->group;
    n.week = 1;
    n.participant_id = who;
    snprintf(n.kind, sizeof(n.kind), "%s", kind);
    assert_int_equal(mg_store_note_status_parse(&n.status, status), 0);
    if (strcmp(status, "review") == 0)
        n.review_reason = (char *)"sender <i>not</i> in the group";
    n.provider = (char *)"mime";
    n.event_id = (char *)mid;
    n.message_id = (char *)mid;
    n.from_name = (char *)"From <Name>";
    n.from_email = (char *)"someone@example.org";
    n.subject = (char *)subject;
    n.body = (char *)body;
    n.full_text = (char *)body;
    n.sent_at = 1898926200; /* 2030-03-05 20:30 in Auckland */
    n.received_at = n.sent_at + 60;
    assert_int_equal(mg_store_note_insert(&id, &dup, W->st, &n), 0);
    assert_int_equal(dup, 0);
}

static int setup_world(void **state)
{
    struct world *w = mg_xcalloc(1, sizeof(*w));
    struct mg_store_options opt = {1, 5000};
    struct mg_error err;
    static const char *const env[] = {"MINGLE_MAIL_DOMAIN=lists.example.net",
                                      NULL};
    const struct test_site_opts opts = {.env = env};
    json_t *doc, *groups;
    char *path;
    long status;

    *state = w;
    if (test_site_start(&w->site, "pages.db", &opts) < 0)
        return -1;
    W = w;
    w->circle = test_site_circle(&w->site, circle_json, NULL);
    if (!w->circle)
        return -1;
    path = test_circle_path(w->circle, "/book?name=book.md");
    doc = test_site_call(&w->site, &status, "POST", path, book_md,
                         "text/markdown");
    json_decref(doc);
    free(path);
    if (status != 201)
        return -1;
    if (test_site_plan(&w->site, w->circle, people_csv, NULL, 0) < 0)
        return -1;
    path = test_circle_path(w->circle, "/groups");
    doc = test_site_call(&w->site, &status, "GET", path, NULL, NULL);
    free(path);
    groups = json_object_get(doc, "groups");
    if (status != 200 || json_array_size(groups) != 1)
        return -1;
    w->group =
        json_integer_value(json_object_get(json_array_get(groups, 0), "id"));
    json_decref(doc);
    w->facilitator = person_id("fac@example.org");
    w->member = person_id("member@example.org");
    memset(&err, 0, sizeof(err));
    if (mg_store_open(&w->st, w->site.db, &opt, &err) < 0)
        return -1;
    add_note("summary", "published", w->facilitator,
             "Week one <img src=x onerror=alert(1)>",
             "We met.\n<script>alert(2)</script>\nA & B agreed.", "<s1@x>");
    add_note("note", "published", w->member, "My note <b>bold</b>",
             "Members only <iframe>", "<n1@x>");
    add_note("note", "review", 0, "Waiting <u>here</u>",
             "from outside <object>", "<r1@x>");
    return 0;
}

static int teardown_world(void **state)
{
    struct world *w = *state;

    if (!w)
        return 0;
    mg_store_close(w->st);
    test_site_stop(&w->site, SIGTERM);
    free(w->member_url);
    free(w->facilitator_url);
    free(w);
    return 0;
}

static void expect_header(const char *headers, const char *name,
                          const char *want)
{
    char *v = test_header_value(headers, strlen(headers), name);

    if (!v)
        fail_msg("no %s header", name);
    assert_string_equal(v, want);
    free(v);
}

/* GET a page; checks the page headers and returns the body. */
static char *get_page(const char *path, long want)
{
    struct test_response resp;
    char *body;

    assert_int_equal(
        test_http(&resp, W->site.d.port, "GET", path, NULL, NULL, NULL), 0);
    if (resp.status != want)
        fail_msg("GET %s: %ld, not %ld", path, resp.status, want);
    expect_header(resp.headers, "Content-Type", "text/html; charset=utf-8");
    expect_header(resp.headers, "Content-Security-Policy",
                  "default-src 'none'; style-src 'unsafe-inline'; "
                  "img-src data:; base-uri 'none'; form-action 'self'; "
                  "frame-ancestors 'none'");
    expect_header(resp.headers, "X-Content-Type-Options", "nosniff");
    expect_header(resp.headers, "Referrer-Policy", "no-referrer");
    expect_header(resp.headers, "Cache-Control", "no-store");
    body = mg_xstrdup(resp.body);
    test_response_release(&resp);
    return body;
}

static int count_nodes(xmlXPathContextPtr ctx, const char *expr)
{
    xmlXPathObjectPtr o = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
    int n;

    assert_non_null(o);
    n = o->nodesetval ? o->nodesetval->nodeNr : 0;
    xmlXPathFreeObject(o);
    return n;
}

/*
 * Parse `html` as a browser would and check its structure: a language,
 * the viewport, no script, iframe, object or event handler from user
 * data, and links only to http(s), webcal (and mailto when allowed).
 */
static void check_structure(const char *html, int allow_mailto)
{
    htmlDocPtr doc = htmlReadMemory(html, (int)strlen(html), NULL, "utf-8",
                                    HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                        HTML_PARSE_NONET);
    xmlXPathContextPtr ctx;
    xmlXPathObjectPtr o;
    int i;

    assert_non_null(doc);
    ctx = xmlXPathNewContext(doc);
    assert_int_equal(count_nodes(ctx, "/html[@lang='en']"), 1);
    assert_int_equal(
        count_nodes(ctx, "//meta[@name='viewport' and @content='width=device-"
                         "width, initial-scale=1']"),
        1);
    assert_int_equal(count_nodes(ctx, "//h1"), 1);
    assert_int_equal(count_nodes(ctx, "//script"), 0);
    assert_int_equal(count_nodes(ctx, "//iframe|//object|//img|//b|//u|//i"),
                     0);
    assert_int_equal(count_nodes(ctx, "//@*[starts-with(name(), 'on')]"), 0);
    o = xmlXPathEvalExpression((const xmlChar *)"//a/@href", ctx);
    assert_non_null(o);
    assert_true(o->nodesetval && o->nodesetval->nodeNr >= 1);
    for (i = 0; i < o->nodesetval->nodeNr; i++) {
        xmlChar *href = xmlNodeGetContent(o->nodesetval->nodeTab[i]);
        const char *h = (const char *)href;
        /* A same-page link (the skip link) must name an element here. */
        /* The same page with a query (another call's attendance). */
        if (h[0] == '?') {
            xmlFree(href);
            continue;
        }
        if (h[0] == '#') {
            char xp[128];
            snprintf(xp, sizeof(xp), "//*[@id='%s']", h + 1);
            if (count_nodes(ctx, xp) != 1)
                fail_msg("link to missing '%s'", h);
            xmlFree(href);
            continue;
        }
        if (!(strncmp(h, "https://", 8) == 0 || strncmp(h, "http://", 7) == 0 ||
              strncmp(h, "webcal://", 9) == 0 ||
              (allow_mailto && strncmp(h, "mailto:", 7) == 0)))
            fail_msg("link to '%s'", h);
        xmlFree(href);
    }
    xmlXPathFreeObject(o);
    /* Forms post back to this page's own paths: its feed, its RSVPs,
     * a facilitator's attendance, summary and review decisions, the
     * reminders switch and (issue #18 item 11) the person's own details,
     * notes, plenary registrations and leaving. */
    o = xmlXPathEvalExpression((const xmlChar *)"//form/@action", ctx);
    for (i = 0; o->nodesetval && i < o->nodesetval->nodeNr; i++) {
        xmlChar *a = xmlNodeGetContent(o->nodesetval->nodeTab[i]);
        const char *rest = (const char *)a + 48;
        assert_true(strlen((const char *)a) > 48);
        assert_int_equal(strspn((const char *)a, "0123456789abcdef"), 48);
        if (strcmp(rest, "/rsvp") != 0 && strcmp(rest, "/feed") != 0 &&
            strcmp(rest, "/attendance") != 0 && strcmp(rest, "/summary") != 0 &&
            strcmp(rest, "/review") != 0 && strcmp(rest, "/reminders") != 0 &&
            strcmp(rest, "/profile") != 0 && strcmp(rest, "/note") != 0 &&
            strcmp(rest, "/leave") != 0 && strcmp(rest, "/register") != 0)
            fail_msg("form posting to '%s'", rest);
        xmlFree(a);
    }
    xmlXPathFreeObject(o);
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
}

/* What the user data must look like: escaped, never raw. */
static void check_escaping(const char *html)
{
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, XSS));
    assert_null(strstr(html, "<b>"));
    assert_null(strstr(html, "<img"));
    assert_null(strstr(html, "\"onerror"));
    assert_non_null(strstr(html, XSS_ESCAPED));
    assert_non_null(strstr(html, "Atlas &lt;b&gt;of&lt;/b&gt; Us"));
    assert_non_null(strstr(html, "Chapter &lt;One&gt;"));
    /* the video link: & in the href as &amp;, the quotes as &#39; */
    assert_non_null(strstr(
        html, "href=\"https://meet.example.org/atlas?a=1&amp;b=&#39;2&#39;\""));
}

/* "Tuesday 5 March 2030, 06:30 to 07:30" for `t` in zone `tz`,
 * computed with the C library, not mingle. */
static void wall_clock(char *out, size_t n, const char *tz, time_t t,
                       int minutes)
{
    char *old = getenv("TZ") ? mg_xstrdup(getenv("TZ")) : NULL;
    struct tm a, b;
    char day[32], from[64], to[16];
    time_t end = t + 60 * minutes;

    setenv("TZ", tz, 1);
    tzset();
    localtime_r(&t, &a);
    localtime_r(&end, &b);
    strftime(day, sizeof(day), "%A", &a);
    snprintf(to, sizeof(to), "%d", a.tm_mday);
    strftime(from, sizeof(from), " %B %Y, %H:%M", &a);
    strncat(day, " ", sizeof(day) - strlen(day) - 1);
    strncat(day, to, sizeof(day) - strlen(day) - 1);
    strftime(to, sizeof(to), "%H:%M", &b);
    snprintf(out, n, "%s%s to %s", day, from, to);
    if (old)
        setenv("TZ", old, 1);
    else
        unsetenv("TZ");
    tzset();
    free(old);
}

/* The first session of the group, from the API. */
static void first_session(time_t *start, int *minutes)
{
    char *path = test_circle_path(W->circle, "/sessions");
    long status;
    json_t *doc = test_site_call(&W->site, &status, "GET", path, NULL, NULL);
    json_t *list = json_object_get(doc, "sessions");
    size_t i;

    assert_int_equal(status, 200);
    assert_int_equal(json_array_size(list), 3);
    *start = 0;
    for (i = 0; i < json_array_size(list); i++) {
        json_t *s = json_array_get(list, i);
        if (json_integer_value(json_object_get(s, "week")) == 1) {
            *start =
                (time_t)json_integer_value(json_object_get(s, "starts_at"));
            *minutes = (int)json_integer_value(json_object_get(s, "minutes"));
        }
    }
    assert_true(*start > 0);
    json_decref(doc);
    free(path);
}

static void test_member_page(void **state)
{
    char *html, expect[128];
    time_t start = 0;
    int minutes = 0;

    (void)state;
    W->member_url = mint_page(W->member);
    html = get_page(W->member_url, 200);
    check_structure(html, 0);
    check_escaping(html);
    /* their own (attribute-hostile) name, escaped */
    assert_non_null(strstr(html, "&quot;onerror=alert(1) x=&quot;"));
    assert_non_null(strstr(html, "Group 1"));
    assert_non_null(strstr(html, "Facilitator"));
    assert_non_null(strstr(html, "Chapter &lt;One&gt;"));
    /* times: the member's zone first, the circle's too */
    first_session(&start, &minutes);
    wall_clock(expect, sizeof(expect), "Europe/London", start, minutes);
    assert_string_equal(expect, "Tuesday 5 March 2030, 06:30 to 07:30");
    assert_non_null(strstr(html, expect));
    assert_non_null(strstr(html, "Europe/London"));
    wall_clock(expect, sizeof(expect), "Pacific/Auckland", start, minutes);
    assert_non_null(strstr(html, expect));
    assert_non_null(strstr(html, "Tuesdays, 06:30 to 07:30"));
    assert_non_null(strstr(html, "Next call"));
    /* subscribe links */
    assert_non_null(strstr(html, "href=\"webcal://127.0.0.1:"));
    assert_non_null(strstr(html, "href=\"https://calendar.google.com/calendar/"
                                 "r?cid=webcal%3A%2F%2F127.0.0.1%3A"));
    assert_non_null(strstr(html, ".ics\" class=\"button secondary\">Download"));
    /* the summary, escaped; nothing for facilitators only */
    assert_non_null(
        strstr(html, "Week one &lt;img src=x onerror=alert(1)&gt;"));
    assert_non_null(strstr(html, "&lt;script&gt;alert(2)&lt;/script&gt;"));
    assert_non_null(strstr(html, "A &amp; B agreed."));
    assert_null(strstr(html, "members</h2>"));
    assert_null(strstr(html, "lists.example.net"));
    assert_null(strstr(html, "[Atlas G1"));
    /* their own note is theirs to see (issue #18 item 11), escaped */
    assert_non_null(strstr(html, "Members only &lt;iframe&gt;"));
    assert_null(strstr(html, "<iframe"));
    assert_null(strstr(html, "from outside"));
    assert_null(strstr(html, "Ana &amp; Bob"));
    free(html);
}

/* The calendar link on the page is a live feed of the member's calls. */
static void test_member_feed_works(void **state)
{
    char *html = get_page(W->member_url, 200);
    const char *p = strstr(html, "href=\"http://127.0.0.1:");
    struct test_response resp;
    char *feed;

    (void)state;
    assert_non_null(p);
    p = strstr(p, "/cal/");
    assert_non_null(p);
    feed = mg_xstrndup(p, strcspn(p, "\""));
    assert_int_equal(strlen(feed), 5 + 48 + 4);
    assert_int_equal(
        test_http(&resp, W->site.d.port, "GET", feed, NULL, NULL, NULL), 0);
    if (resp.status != 200)
        fail_msg("GET %s: %ld %s", feed, resp.status, resp.body);
    assert_non_null(strstr(resp.body, "BEGIN:VCALENDAR"));
    assert_non_null(strstr(resp.body, "RRULE:"));
    test_response_release(&resp);
    free(feed);
    free(html);
}

static void test_facilitator_page(void **state)
{
    char *html;

    (void)state;
    W->facilitator_url = mint_page(W->facilitator);
    html = get_page(W->facilitator_url, 200);
    check_structure(html, 1);
    check_escaping(html);
    /* members with sector and region, escaped */
    assert_non_null(strstr(html, "members</h2>"));
    assert_non_null(strstr(html, "Ana &amp; Bob"));
    assert_non_null(strstr(html, "Hēmi Pōtae Māori"));
    assert_non_null(strstr(html, "Tāmaki"));
    assert_non_null(strstr(html, "&lt;b&gt;North&lt;/b&gt;"));
    assert_non_null(strstr(html, "&quot;onerror=alert(1) x=&quot;"));
    assert_non_null(strstr(html, "academic"));
    /* how to post: the group's address and subject tag for week 1 */
    assert_non_null(strstr(html, "atlas+g1-w1@lists.example.net"));
    assert_non_null(strstr(html, "[Atlas G1 W1]"));
    assert_non_null(strstr(html, "href=\"mailto:atlas%2Bg1-w1%40lists.example."
                                 "net?subject=%5BAtlas%20G1%20W1%5D\""));
    /* the summary, the members' notes and the review queue */
    assert_non_null(strstr(html, "Week one &lt;img"));
    assert_non_null(strstr(html, "My note &lt;b&gt;bold&lt;/b&gt;"));
    assert_non_null(strstr(html, "Members only &lt;iframe&gt;"));
    assert_non_null(strstr(html, "Waiting &lt;u&gt;here&lt;/u&gt;"));
    assert_non_null(strstr(html, "from outside &lt;object&gt;"));
    assert_non_null(strstr(html, "sender &lt;i&gt;not&lt;/i&gt; in the group"));
    /* the facilitator's zone is the circle's: one time, Auckland's */
    assert_non_null(strstr(html, "Tuesdays, 19:30 to 20:30"));
    assert_null(strstr(html, "Europe/London"));
    free(html);
}

/* Unknown, malformed and revoked URLs are a bare 404 page. */
static void test_unknown_and_rotated(void **state)
{
    char *html, *old;
    struct test_response resp;

    (void)state;
    html = get_page("/p/000000000000000000000000000000000000000000000000", 404);
    assert_null(strstr(html, "Atlas"));
    assert_null(strstr(html, "alert"));
    assert_non_null(strstr(html, "Page not found"));
    free(html);
    /* capitals: to the same address in lower case (which is unknown) */
    assert_int_equal(test_http(&resp, W->site.d.port, "GET",
                               "/p/0123456789ABCDEF0123456789abcdef0123456789"
                               "abcdef",
                               NULL, NULL, NULL),
                     0);
    assert_int_equal(resp.status, 303);
    html = test_header_value(resp.headers, strlen(resp.headers), "Location");
    assert_string_equal(html,
                        "0123456789abcdef0123456789abcdef0123456789abcdef");
    free(html);
    test_response_release(&resp);
    /* a new page URL: the old one is gone, the new one works */
    old = W->member_url;
    W->member_url = mint_page(W->member);
    assert_string_not_equal(old, W->member_url);
    html = get_page(old, 410);
    assert_null(strstr(html, "onerror"));
    assert_non_null(strstr(html, "ask your circle&#39;s coordinator for a new "
                                 "link"));
    free(html);
    html = get_page(W->member_url, 200);
    free(html);
    free(old);
    /* minting needs a coordinator and a person of the circle */
    {
        char *path = test_circle_path(W->circle, "/participants/999999/page");
        long status;
        json_t *doc =
            test_site_call(&W->site, &status, "POST", path, NULL, NULL);
        assert_int_equal(status, 404);
        json_decref(doc);
        free(path);
        path =
            test_circle_path(W->circle, "/participants/%lld/page", W->member);
        assert_int_equal(
            test_http(&resp, W->site.d.port, "POST", path, NULL, NULL, NULL),
            0);
        assert_int_equal(resp.status, 401);
        test_response_release(&resp);
        free(path);
    }
}

/* A coordinator rotating the calendar feed leaves the page with a
 * button that brings its own feed back (by POST, then a redirect). */
static void test_feed_rotated_then_restored(void **state)
{
    char *path =
        test_circle_path(W->circle, "/participants/%lld/feed", W->member);
    char *post, *html;
    struct test_response resp;
    long status;
    json_t *doc;

    (void)state;
    doc = test_site_call(&W->site, &status, "POST", path, NULL, NULL);
    assert_int_equal(status, 201);
    json_decref(doc);
    free(path);
    html = get_page(W->member_url, 200);
    check_structure(html, 0);
    assert_null(strstr(html, "webcal://"));
    assert_non_null(strstr(html, "<form method=\"post\""));
    free(html);
    post = mg_xasprintf("%s/feed", W->member_url);
    assert_int_equal(
        test_http(&resp, W->site.d.port, "POST", post, NULL, NULL, NULL), 0);
    assert_int_equal(resp.status, 303);
    html = test_header_value(resp.headers, strlen(resp.headers), "Location");
    assert_non_null(html);
    assert_int_equal(strncmp(html, "../", 3), 0);
    assert_string_equal(html + 3 + 48, "?done=calendar#calendar");
    free(html);
    test_response_release(&resp);
    free(post);
    html = get_page(W->member_url, 200);
    assert_non_null(strstr(html, "href=\"webcal://"));
    free(html);
}

/* `mingle people page` prints a URL of the same kind. */
static void test_cli_page(void **state)
{
    char *circle = mg_xasprintf("%lld", W->circle);
    char *person = mg_xasprintf("%lld", W->facilitator);
    const char *argv[] = {"people", "page",     "--db", W->site.db, "--circle",
                          circle,   "--person", person, NULL};
    const char *bad[] = {"people", "page",     "--db",   W->site.db, "--circle",
                         circle,   "--person", "999999", NULL};
    char *out = NULL, *err = NULL, *p, *html;

    (void)state;
    assert_int_equal(test_run_cli(&out, &err, argv, NULL), 0);
    p = strstr(out, "/p/");
    assert_non_null(p);
    p[3 + 48] = '\0';
    html = get_page(p, 200);
    assert_non_null(strstr(html, "atlas+g1-w1@lists.example.net"));
    free(html);
    /* the facilitator's earlier URL stopped working */
    html = get_page(W->facilitator_url, 410);
    free(html);
    free(out);
    free(err);
    assert_int_not_equal(test_run_cli(&out, &err, bad, NULL), 0);
    assert_non_null(strstr(err, "no person"));
    free(out);
    free(err);
    free(circle);
    free(person);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_member_page),
        cmocka_unit_test(test_member_feed_works),
        cmocka_unit_test(test_facilitator_page),
        cmocka_unit_test(test_unknown_and_rotated),
        cmocka_unit_test(test_feed_rotated_then_restored),
        cmocka_unit_test(test_cli_page),
    };

    return cmocka_run_group_tests(tests, setup_world, teardown_world);
}
