/*
 * test_pages_more.c: what people do on their pages, through a real
 * `mingle serve`, in a circle that is under way: weeks 1-3 held (the
 * last yesterday), week 4 next week. Every form answers 303 to the page,
 * which says what was saved; a facilitator posts a summary (filed where
 * mail would file it), corrects any call's attendance (nobody ticked
 * asks first), sees who is coming and decides the review queue; a
 * member cannot answer a call already held; and every address under /p/
 * that is not a page's answers with a page, never JSON.
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
#include <sqlite3.h>

#include "mingle/store.h"
#include "support.h"

#define MIME_SECRET "pages-more-mime-secret"

static const char people_csv[] =
    "name,email,role,sector,region\n"
    "Fran Facilitator,fran@example.org,facilitator,public,North\n"
    "Mere Member,mere@example.org,participant,school,South\n"
    "Ana & Bob,ana@example.org,participant,academic,East\n"
    "Wiremu,wiremu@example.org,participant,other,West\n";

static const char book_md[] = "# Chapter One\n\nalpha beta gamma delta\n\n"
                              "# Chapter Two\n\nepsilon zeta eta theta\n\n"
                              "# Chapter Three\n\niota kappa lambda mu\n\n"
                              "# Chapter Four\n\nnu xi omicron pi\n";

struct world {
    struct test_site site;
    struct mg_store *st;
    long long circle, group, fran, mere;
    long long session[5];        /* by week, 1..4 */
    char *fran_page, *mere_page; /* paths: /p/<token> */
};

static struct world *W;

static long long person_id(const char *email)
{
    return test_site_person(&W->site, W->circle, email);
}

static char *mint_page(long long pid)
{
    char *path = test_circle_path(W->circle, "/participants/%lld/page", pid);
    long status;
    json_t *doc = test_site_call(&W->site, &status, "POST", path, NULL, NULL);
    const char *url = json_string_value(json_object_get(doc, "url"));
    char *out =
        url && strstr(url, "/p/") ? mg_xstrdup(strstr(url, "/p/")) : NULL;

    json_decref(doc);
    free(path);
    return out;
}

static int setup_world(void **state)
{
    static const char *const days[] = {"sunday",    "monday",   "tuesday",
                                       "wednesday", "thursday", "friday",
                                       "saturday"};
    struct world *w = mg_xcalloc(1, sizeof(*w));
    struct mg_store_options opt = {1, 5000};
    struct mg_error err;
    static const char *const env[] = {"MINGLE_MAIL_DOMAIN=lists.example.net",
                                      "MINGLE_MIME_SECRET=" MIME_SECRET,
                                      "MINGLE_AUTHSERV_ID=mx.lists.example.net",
                                      "MINGLE_BODY_LIMIT=64k", NULL};
    const struct test_site_opts opts = {.env = env};
    time_t start = time(NULL) - 15 * 86400;
    struct tm tm;
    char date[16], *body, *path;
    json_t *doc, *list;
    long status;

    gmtime_r(&start, &tm);
    strftime(date, sizeof(date), "%Y-%m-%d", &tm);
    *state = w;
    if (test_site_start(&w->site, "pages_more.db", &opts) < 0)
        return -1;
    W = w;
    /* Calls at 10:00 UTC on the start date's weekday: weeks 1-3 are
     * over, the last yesterday; week 4 is in six days. */
    body = mg_xasprintf(
        "{\"title\":\"Atlas Now\",\"slug\":\"atlasnow\",\"time_zone\":"
        "\"UTC\",\"start_date\":\"%s\",\"weeks\":4,\"group_size\":"
        "{\"min\":3,\"max\":8},\"slots\":[{\"weekday\":\"%s\",\"start\":"
        "\"10:00\",\"minutes\":60}],\"organizer\":{\"name\":\"Coord\","
        "\"email\":\"coord@example.org\"}}",
        date, days[tm.tm_wday]);
    w->circle = test_site_circle(&w->site, body, NULL);
    free(body);
    if (!w->circle)
        return -1;
    path = test_circle_path(W->circle, "/book?name=book.md");
    doc = test_site_call(&W->site, &status, "POST", path, book_md,
                         "text/markdown");
    json_decref(doc);
    free(path);
    if (status != 201)
        return -1;
    /* week w's session is session[w] */
    if (test_site_plan(&w->site, w->circle, people_csv, &w->session[1], 4) < 0)
        return -1;
    path = test_circle_path(W->circle, "/groups");
    doc = test_site_call(&W->site, &status, "GET", path, NULL, NULL);
    free(path);
    list = json_object_get(doc, "groups");
    if (status != 200 || json_array_size(list) != 1)
        return -1;
    w->group =
        json_integer_value(json_object_get(json_array_get(list, 0), "id"));
    json_decref(doc);
    w->fran = person_id("fran@example.org");
    w->mere = person_id("mere@example.org");
    w->fran_page = mint_page(w->fran);
    w->mere_page = mint_page(w->mere);
    if (!w->fran_page || !w->mere_page)
        return -1;
    memset(&err, 0, sizeof(err));
    if (mg_store_open(&w->st, w->site.db, &opt, &err) < 0)
        return -1;
    return 0;
}

static int teardown_world(void **state)
{
    struct world *w = *state;

    if (!w)
        return 0;
    mg_store_close(w->st);
    test_site_stop(&w->site, SIGTERM);
    free(w->fran_page);
    free(w->mere_page);
    free(w);
    return 0;
}

/* One request; its status, and the body when `body` is not NULL. Every
 * answer under /p/ is an HTML page, never JSON. */
static long page_request(char **body, char **location, const char *method,
                         const char *path, const char *form)
{
    struct test_response resp;
    char *ctype;
    long status;

    assert_int_equal(
        test_http(&resp, W->site.d.port, method, path, NULL, form,
                  form ? "application/x-www-form-urlencoded" : NULL),
        0);
    status = resp.status;
    ctype =
        test_header_value(resp.headers, strlen(resp.headers), "Content-Type");
    if (status != 303 && (!ctype || strcmp(ctype, "text/html; charset=utf-8")))
        fail_msg("%s %s: %ld as '%s': %s", method, path, status,
                 ctype ? ctype : "(none)", resp.body);
    if (status == 303 || status >= 400) {
        char *csp = test_header_value(resp.headers, strlen(resp.headers),
                                      "Content-Security-Policy");
        assert_non_null(csp); /* a page's headers, on a redirect too */
        free(csp);
    }
    free(ctype);
    if (location)
        *location =
            test_header_value(resp.headers, strlen(resp.headers), "Location");
    if (body)
        *body = mg_xstrdup(resp.body);
    test_response_release(&resp);
    return status;
}

static char *get_ok(const char *path)
{
    char *body = NULL;
    long status = page_request(&body, NULL, "GET", path, NULL);

    if (status != 200)
        fail_msg("GET %s: %ld", path, status);
    return body;
}

/*
 * POST `form` to `page`/`what`: it must answer 303 to the page itself
 * (relative: "../<token>?..."), with `query` in it. Returns the page as
 * the redirect shows it.
 */
static char *post_and_follow(const char *page, const char *what,
                             const char *form, const char *query)
{
    char *path = mg_xasprintf("%s/%s", page, what), *location = NULL;
    char *next, *body;
    const char *q;
    long status = page_request(NULL, &location, "POST", path, form);

    if (status != 303 || !location)
        fail_msg("POST %s: %ld", path, status);
    if (strncmp(location, "../", 3) != 0 ||
        strncmp(location + 3, page + 3, 48) != 0 || location[51] != '?' ||
        !strstr(location, query))
        fail_msg("POST %s: to '%s', not the page with '%s'", path, location,
                 query);
    q = location + 51;
    next = mg_xasprintf("%s%.*s", page, (int)strcspn(q, "#"), q);
    body = get_ok(next);
    free(next);
    free(location);
    free(path);
    return body;
}

static int count_nodes(const char *html, const char *expr)
{
    htmlDocPtr doc = htmlReadMemory(html, (int)strlen(html), NULL, "utf-8",
                                    HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                        HTML_PARSE_NONET);
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    xmlXPathObjectPtr o = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
    int n;

    assert_non_null(o);
    n = o->nodesetval ? o->nodesetval->nodeNr : 0;
    xmlXPathFreeObject(o);
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    return n;
}

/* "Tuesday 8 December" for session `week`'s start, by the C library. */
static void call_day(char *out, size_t n, int week)
{
    char *path = test_circle_path(W->circle, "/sessions");
    long status;
    json_t *doc = test_site_call(&W->site, &status, "GET", path, NULL, NULL);
    json_t *list = json_object_get(doc, "sessions");
    time_t t = 0;
    struct tm tm;
    size_t i;
    char wd[16], mon[16];

    for (i = 0; i < json_array_size(list); i++) {
        json_t *s = json_array_get(list, i);
        if (json_integer_value(json_object_get(s, "week")) == week)
            t = (time_t)json_integer_value(json_object_get(s, "starts_at"));
    }
    json_decref(doc);
    free(path);
    assert_true(t > 0);
    gmtime_r(&t, &tm);
    strftime(wd, sizeof(wd), "%A", &tm);
    strftime(mon, sizeof(mon), "%B", &tm);
    snprintf(out, n, "%s %d %s", wd, tm.tm_mday, mon);
}

/* The source of the last row came() found. */
static char last_source[16];

/* Whether `pid` came to session `sid` (1, 0), -1 when not recorded. */
static int came(long long sid, long long pid)
{
    char *path = test_circle_path(W->circle, "/sessions/%lld/attendance", sid);
    long status;
    json_t *doc = test_site_call(&W->site, &status, "GET", path, NULL, NULL);
    json_t *list = json_object_get(doc, "attendance");
    int out = -1;
    size_t i;

    assert_int_equal(status, 200);
    for (i = 0; i < json_array_size(list); i++) {
        json_t *a = json_array_get(list, i);
        if (json_integer_value(json_object_get(a, "participant_id")) == pid) {
            out = json_is_true(json_object_get(a, "present"));
            snprintf(last_source, sizeof(last_source), "%s",
                     json_string_value(json_object_get(a, "source")));
        }
    }
    json_decref(doc);
    free(path);
    return out;
}

/* --- the participant's page --------------------------------------------- */

static void test_member_calls_held_and_buttons(void **state)
{
    char *html, *form, day[48], xp[160], *location = NULL, *path;

    (void)state;
    html = get_ok(W->mere_page);
    /* a call already held offers no buttons: only week 4 and the series
     * (whose buttons say "every call") */
    assert_int_equal(count_nodes(html, "//form[contains(@action,'/rsvp')]"), 2);
    snprintf(xp, sizeof(xp), "//input[@name='session' and @value='%lld']",
             W->session[4]);
    assert_int_equal(count_nodes(html, xp), 1);
    snprintf(xp, sizeof(xp), "//input[@name='session' and @value='%lld']",
             W->session[3]);
    assert_int_equal(count_nodes(html, xp), 0);
    assert_int_equal(count_nodes(html, "//td/span[.='(held)']"), 3);
    /* each button names its call for a screen reader */
    call_day(day, sizeof(day), 4);
    snprintf(xp, sizeof(xp),
             "//button[@aria-label=\"Accept week 4's call, %s\"]", day);
    assert_int_equal(count_nodes(html, xp), 1);
    assert_int_equal(
        count_nodes(html, "//button[@aria-label='Decline every call']"), 1);
    assert_int_equal(count_nodes(html, "//button[@name='answer' and "
                                       "not(@aria-label)]"),
                     0);
    free(html);
    /* posting for a held call anyway is refused, and the page says so */
    form = mg_xasprintf("answer=accepted&session=%lld", W->session[2]);
    html = post_and_follow(W->mere_page, "rsvp", form, "problem=held");
    free(form);
    assert_non_null(strstr(html, "Not saved: that call has already been "
                                 "held."));
    free(html);
    path = test_circle_path(W->circle, "/sessions/%lld/rsvps", W->session[2]);
    {
        long status;
        json_t *doc =
            test_site_call(&W->site, &status, "GET", path, NULL, NULL);
        char *text = json_dumps(doc, 0);
        assert_int_equal(status, 200);
        assert_null(strstr(text, "accepted"));
        free(text);
        json_decref(doc);
    }
    free(path);
    /* week 4: saved, and the page the answer lands on says for when */
    form = mg_xasprintf("answer=accepted&session=%lld", W->session[4]);
    html = post_and_follow(W->mere_page, "rsvp", form, "done=rsvp");
    free(form);
    {
        char *want = mg_xasprintf("Saved: you are coming on %s.", day);
        if (!strstr(html, want))
            fail_msg("no '%s'", want);
        free(want);
    }
    assert_int_equal(count_nodes(html, "//*[@id='saved' and @role='status']"),
                     1);
    free(html);
    /* a plain reload of the page posts nothing and says nothing */
    html = get_ok(W->mere_page);
    assert_null(strstr(html, "Saved:"));
    free(html);
    /* "Decline every call" answers the calls to come, never one held */
    html =
        post_and_follow(W->mere_page, "rsvp", "answer=declined", "done=rsvp");
    free(html);
    for (int week = 1; week <= 4; week++) {
        long status;
        json_t *doc;
        char *text;

        path = test_circle_path(W->circle, "/sessions/%lld/rsvps",
                                W->session[week]);
        doc = test_site_call(&W->site, &status, "GET", path, NULL, NULL);
        text = json_dumps(doc, 0);
        assert_int_equal(status, 200);
        if (week < 4 && strstr(text, "declined"))
            fail_msg("week %d, already held, was declined: %s", week, text);
        if (week == 4 && !strstr(text, "declined"))
            fail_msg("week 4 was not declined: %s", text);
        free(text);
        json_decref(doc);
        free(path);
    }
    /* and back to coming, which the facilitator's test below expects */
    form = mg_xasprintf("answer=accepted&session=%lld", W->session[4]);
    html = post_and_follow(W->mere_page, "rsvp", form, "done=rsvp");
    free(form);
    free(html);
    free(location);
}

static void test_member_calendar_and_tables(void **state)
{
    char *html;
    const char *p;

    (void)state;
    html = get_ok(W->mere_page);
    /* Outlook.com and Microsoft 365 beside Google and webcal */
    p = strstr(html, "href=\"https://outlook.live.com/calendar/0/addfromweb?"
                     "url=webcal%3A%2F%2F127.0.0.1%3A");
    assert_non_null(p);
    assert_non_null(strstr(p, ".ics&amp;name=Atlas%20Now\""));
    p = strstr(html, "href=\"https://outlook.office.com/calendar/0/"
                     "addfromweb?url=webcal%3A%2F%2F127.0.0.1%3A");
    assert_non_null(p);
    assert_non_null(strstr(p, ".ics&amp;name=Atlas%20Now\""));
    assert_non_null(strstr(html, "href=\"https://calendar.google.com/"));
    assert_non_null(strstr(html, "href=\"webcal://127.0.0.1:"));
    /* every table scrolls in a focusable, named box, with a cue shown on
     * narrow screens */
    assert_true(count_nodes(html, "//table") >= 1);
    assert_int_equal(count_nodes(html,
                                 "//table[not(parent::div[@class='scroll' and "
                                 "@tabindex='0' and @role='region' and "
                                 "@aria-label])]"),
                     0);
    assert_int_equal(count_nodes(html, "//div[@class='scroll']/"
                                       "preceding-sibling::p[1][@class="
                                       "'scroll-hint']"),
                     count_nodes(html, "//div[@class='scroll']"));
    assert_non_null(strstr(html, "@media (max-width:40rem){.scroll-hint"
                                 "{display:block}}"));
    assert_non_null(strstr(html, ".scroll-hint{display:none"));
    assert_non_null(strstr(html, ".scroll{overflow-x:auto"));
    free(html);
}

/* --- the facilitator's page --------------------------------------------- */

static void test_facilitator_sees_who_is_coming(void **state)
{
    char *html;

    (void)state;
    /* Mere said yes to week 4 above; Ana says maybe */
    {
        long long ana = person_id("ana@example.org");
        char *page = mint_page(ana), *form;

        form = mg_xasprintf("answer=tentative&session=%lld", W->session[4]);
        html = post_and_follow(page, "rsvp", form, "done=rsvp");
        free(html);
        free(form);
        free(page);
    }
    html = get_ok(W->fran_page);
    assert_int_equal(count_nodes(html, "//section[h2[@id='coming']]//tr[td[1]"
                                       "='Mere Member' and td[2]='coming']"),
                     1);
    assert_int_equal(count_nodes(html, "//section[h2[@id='coming']]//tr[td[1]"
                                       "='Ana & Bob' and td[2]='maybe']"),
                     1);
    assert_int_equal(count_nodes(html, "//section[h2[@id='coming']]//tr[td[1]"
                                       "='Wiremu' and td[2]='not answered']"),
                     1);
    assert_non_null(
        strstr(html, "1 coming, 1 maybe, 0 not coming, 2 not answered."));
    free(html);
}

static void test_attendance_any_call_and_confirm(void **state)
{
    char *html, *form, xp[200], day[48], *want;

    (void)state;
    html = get_ok(W->fran_page);
    /* the latest call held is the one to fill in; the others are a link
     * away */
    snprintf(xp, sizeof(xp),
             "//form[contains(@action,'/attendance')]//input[@name='session' "
             "and @value='%lld']",
             W->session[3]);
    assert_int_equal(count_nodes(html, xp), 1);
    snprintf(xp, sizeof(xp), "//a[@href='?attend=%lld#attendance']",
             W->session[1]);
    assert_int_equal(count_nodes(html, xp), 1);
    free(html);
    /* week 1, not the latest: open it, correct it */
    {
        char *path =
            mg_xasprintf("%s?attend=%lld", W->fran_page, W->session[1]);
        html = get_ok(path);
        free(path);
    }
    snprintf(xp, sizeof(xp),
             "//form[contains(@action,'/attendance')]//input[@name='session' "
             "and @value='%lld']",
             W->session[1]);
    assert_int_equal(count_nodes(html, xp), 1);
    assert_int_equal(count_nodes(html, "//legend[starts-with(., 'Who came "
                                       "to week 1')]"),
                     1);
    free(html);
    form = mg_xasprintf("session=%lld&present=%lld&present=%lld", W->session[1],
                        W->mere, W->fran);
    html = post_and_follow(W->fran_page, "attendance", form, "done=attendance");
    free(form);
    call_day(day, sizeof(day), 1);
    want = mg_xasprintf("Saved: attendance for week 1&#39;s call (%s): 2 "
                        "came, 2 did not.",
                        day);
    if (!strstr(html, want))
        fail_msg("no '%s'", want);
    free(want);
    free(html);
    assert_int_equal(came(W->session[1], W->mere), 1);
    assert_int_equal(came(W->session[1], person_id("wiremu@example.org")), 0);
    assert_string_equal(last_source, "facilitator");
    assert_int_equal(came(W->session[3], W->mere), -1);
    /* nobody ticked: nothing saved until it is confirmed */
    form = mg_xasprintf("session=%lld", W->session[1]);
    html = post_and_follow(W->fran_page, "attendance", form, "confirm=absent");
    free(form);
    assert_int_equal(came(W->session[1], W->mere), 1);
    assert_int_equal(count_nodes(html, "//*[@role='alert']//form[contains("
                                       "@action,'/attendance')]/input[@name="
                                       "'confirm' and @value='yes']"),
                     1);
    assert_non_null(strstr(html, "Record that nobody came?"));
    free(html);
    form = mg_xasprintf("session=%lld&confirm=yes", W->session[1]);
    html = post_and_follow(W->fran_page, "attendance", form, "done=attendance");
    free(form);
    assert_non_null(strstr(html, "0 came, 4 did not."));
    free(html);
    assert_int_equal(came(W->session[1], W->mere), 0);
    /* a call still to come takes no attendance */
    form = mg_xasprintf("session=%lld&present=%lld", W->session[4], W->mere);
    html =
        post_and_follow(W->fran_page, "attendance", form, "problem=not-held");
    free(form);
    assert_non_null(strstr(html, "that call has not been held yet"));
    free(html);
    assert_int_equal(came(W->session[4], W->mere), -1);
    /* a member's page has no such form, and its post is refused */
    html = get_ok(W->mere_page);
    assert_int_equal(count_nodes(html, "//form[contains(@action,"
                                       "'/attendance')]"),
                     0);
    free(html);
    {
        char *path = mg_xasprintf("%s/attendance", W->mere_page);
        form =
            mg_xasprintf("session=%lld&present=%lld", W->session[2], W->mere);
        assert_int_equal(page_request(NULL, NULL, "POST", path, form), 404);
        free(form);
        free(path);
    }
    assert_int_equal(came(W->session[2], W->mere), -1);
}

/* The group's notes of `kind` for `week`, from the API. */
static json_t *notes_of(int week, const char *status)
{
    char *path =
        test_circle_path(W->circle, "/notes?kind=summary&week=%d%s%s", week,
                         status ? "&status=" : "", status ? status : "");
    long st;
    json_t *doc = test_site_call(&W->site, &st, "GET", path, NULL, NULL);

    assert_int_equal(st, 200);
    free(path);
    return doc;
}

static void test_summary_filed_like_mail(void **state)
{
    char *html, *msg;
    json_t *page_doc, *mail_doc, *a, *b;
    struct test_response resp;
    static const char *const same[] = {"circle_id", "group_id",
                                       "thread_id", "participant_id",
                                       "kind",      "status"};
    size_t i;

    (void)state;
    html = get_ok(W->fran_page);
    /* the form sits in the section with the group's address */
    assert_int_equal(
        count_nodes(html, "//section[h2[@id='post']][.//code[.='atlasnow+g1-"
                          "w4@lists.example.net']]//form[contains(@action,"
                          "'/summary')]//textarea[@name='text']"),
        1);
    /* the week of the latest call held is chosen */
    assert_int_equal(count_nodes(html, "//select[@name='week']/option[@value="
                                       "'3' and @selected]"),
                     1);
    free(html);
    html = post_and_follow(W->fran_page, "summary",
                           "week=3&subject=Week+three&text=We+talked+about+"
                           "%3Cb%3Ewalls%3C%2Fb%3E.",
                           "done=summary&week=3");
    assert_non_null(strstr(html, "Saved: your summary of week 3 is filed "
                                 "under your group."));
    assert_non_null(strstr(html, "We talked about &lt;b&gt;walls&lt;/b&gt;."));
    free(html);
    /* a second click of the same words files nothing new */
    html = post_and_follow(W->fran_page, "summary",
                           "week=3&subject=Week+three&text=We+talked+about+"
                           "%3Cb%3Ewalls%3C%2Fb%3E.",
                           "done=summary&week=3");
    free(html);
    page_doc = notes_of(3, NULL);
    assert_int_equal(json_array_size(json_object_get(page_doc, "notes")), 1);
    /* the same summary mailed to the group's address, for week 2, as the
     * receiving MTA passes it on: with its DKIM verdict */
    msg = mg_xasprintf("Authentication-Results: mx.lists.example.net;\r\n"
                       " dkim=pass header.d=example.org\r\n"
                       "From: Fran Facilitator <fran@example.org>\r\n"
                       "To: atlasnow+g1-w2@lists.example.net\r\n"
                       "Subject: Week two\r\n"
                       "Message-ID: <fran-w2@example.org>\r\n"
                       "Date: Mon, 1 Jan 2024 10:00:00 +0000\r\n"
                       "Content-Type: text/plain; charset=utf-8\r\n\r\n"
                       "We talked about doors.\r\n");
    assert_int_equal(test_http(&resp, W->site.d.port, "POST",
                               "/hooks/mail/mime?secret=" MIME_SECRET, NULL,
                               msg, "message/rfc822"),
                     0);
    assert_int_equal(resp.status, 200);
    test_response_release(&resp);
    free(msg);
    mail_doc = notes_of(2, NULL);
    assert_int_equal(json_array_size(json_object_get(mail_doc, "notes")), 1);
    a = json_array_get(json_object_get(page_doc, "notes"), 0);
    b = json_array_get(json_object_get(mail_doc, "notes"), 0);
    for (i = 0; i < sizeof(same) / sizeof(same[0]); i++)
        if (!json_equal(json_object_get(a, same[i]),
                        json_object_get(b, same[i])))
            fail_msg("'%s' differs between a page's and a mailed summary",
                     same[i]);
    assert_string_equal(json_string_value(json_object_get(a, "kind")),
                        "summary");
    assert_string_equal(json_string_value(json_object_get(a, "status")),
                        "published");
    assert_int_equal(json_integer_value(json_object_get(a, "group_id")),
                     W->group);
    assert_int_equal(json_integer_value(json_object_get(a, "participant_id")),
                     W->fran);
    assert_string_equal(json_string_value(json_object_get(a, "subject")),
                        "Week three");
    assert_string_equal(json_string_value(json_object_get(a, "recipient")),
                        "atlasnow+g1-w3-summary@lists.example.net");
    json_decref(page_doc);
    json_decref(mail_doc);
    /* an empty summary is not filed */
    html = post_and_follow(W->fran_page, "summary", "week=4&text=+%0D%0A",
                           "problem=empty");
    assert_non_null(strstr(html, "Not saved: the summary was empty."));
    free(html);
    page_doc = notes_of(4, NULL);
    assert_int_equal(json_array_size(json_object_get(page_doc, "notes")), 0);
    json_decref(page_doc);
    /* a member cannot post one from their page */
    {
        char *path = mg_xasprintf("%s/summary", W->mere_page);
        assert_int_equal(
            page_request(NULL, NULL, "POST", path, "week=4&text=Mine"), 404);
        free(path);
    }
    page_doc = notes_of(4, NULL);
    assert_int_equal(json_array_size(json_object_get(page_doc, "notes")), 0);
    json_decref(page_doc);
}

/* The digest of `week` goes out: an outbox row under its key, already
 * sent (as a digest sender would leave it). */
static void digest_sent(int week)
{
    sqlite3 *db = NULL;
    char *sql = mg_xasprintf(
        "INSERT INTO outbox (circle_id, kind, recipient, subject, message, "
        "dedupe_key, status, next_attempt_at, created_at, sent_at) VALUES "
        "(%lld, 'digest', 'all@example.org', 'Week %d', 'x', "
        "'digest-%lld-w%d', 'sent', 0, 0, 0)",
        W->circle, week, W->circle, week);

    assert_int_equal(sqlite3_open(W->site.db, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    sqlite3_close(db);
    free(sql);
}

/* The facilitator rewrites their summary until the week's digest is
 * sent; then the page says it can no longer be changed. */
static void test_summary_edit_until_digest(void **state)
{
    json_t *doc = notes_of(3, NULL), *note;
    long long id;
    char *html, *form, xp[200];

    (void)state;
    note = json_array_get(json_object_get(doc, "notes"), 0);
    id = json_integer_value(json_object_get(note, "id"));
    json_decref(doc);
    assert_true(id > 0);
    html = get_ok(W->fran_page);
    snprintf(xp, sizeof(xp),
             "//section[h2[@id='summaries']]//article[@id='note-%lld']//form"
             "[contains(@action,'/summary')][input[@name='note' and @value="
             "'%lld']]/p/textarea[@name='text']",
             id, id);
    assert_int_equal(count_nodes(html, xp), 1);
    assert_non_null(strstr(html, ">We talked about &lt;b&gt;walls&lt;/b&gt;."
                                 "</textarea>"));
    free(html);
    /* a member sees the summary but no edit form */
    html = get_ok(W->mere_page);
    assert_non_null(strstr(html, "We talked about"));
    assert_int_equal(count_nodes(html, "//form[contains(@action,'/summary')]"),
                     0);
    free(html);
    form = mg_xasprintf("note=%lld&subject=Week+three%%2C+again&text=We+"
                        "talked+about+windows.",
                        id);
    html = post_and_follow(W->fran_page, "summary", form,
                           "done=summary-edited&week=3");
    assert_non_null(strstr(html, "Saved: your summary of week 3 is changed."));
    assert_non_null(strstr(html, "We talked about windows."));
    assert_null(strstr(html, "walls"));
    free(html);
    doc = notes_of(3, NULL);
    assert_int_equal(json_array_size(json_object_get(doc, "notes")), 1);
    note = json_array_get(json_object_get(doc, "notes"), 0);
    assert_string_equal(json_string_value(json_object_get(note, "subject")),
                        "Week three, again");
    assert_string_equal(json_string_value(json_object_get(note, "body")),
                        "We talked about windows.");
    json_decref(doc);
    /* someone else's summary (the member's page) cannot be edited */
    {
        char *path = mg_xasprintf("%s/summary", W->mere_page);
        assert_int_equal(page_request(NULL, NULL, "POST", path, form), 404);
        free(path);
    }
    free(form);
    /* the digest of week 3 goes out: no more changes */
    digest_sent(3);
    html = get_ok(W->fran_page);
    assert_int_equal(count_nodes(html, xp), 0);
    assert_non_null(strstr(html, "this summary can no longer be changed"));
    free(html);
    form = mg_xasprintf("note=%lld&text=Too+late.", id);
    html =
        post_and_follow(W->fran_page, "summary", form, "problem=digest-sent");
    free(form);
    assert_non_null(strstr(html, "Not saved: the digest of that week has "
                                 "gone out"));
    free(html);
    doc = notes_of(3, NULL);
    note = json_array_get(json_object_get(doc, "notes"), 0);
    assert_string_equal(json_string_value(json_object_get(note, "body")),
                        "We talked about windows.");
    json_decref(doc);
}

static long long review_note(const char *mid)
{
    struct mg_note n;
    int64_t id = 0;
    int dup = -1;

    memset(&n, 0, sizeof(n));
    n.circle_id = W->circle;
    n.group_id = W->group;
    n.week = 2;
    snprintf(n.kind, sizeof(n.kind), "note");
    n.status = MG_STORE_NOTE_REVIEW;
    n.review_reason = (char *)"the sender is not in this circle";
    n.provider = (char *)"mime";
    n.message_id = (char *)mid;
    n.from_email = (char *)"guest@example.org";
    n.subject = (char *)"A guest's thoughts";
    n.body = (char *)"Lovely call.";
    n.full_text = n.body;
    n.received_at = time(NULL);
    assert_int_equal(mg_store_note_insert(&id, &dup, W->st, &n), 0);
    return id;
}

static const char *note_status(long long id)
{
    static char out[16];
    char *path = mg_xasprintf("/api/v1/notes/%lld", id);
    long status;
    json_t *doc = test_site_call(&W->site, &status, "GET", path, NULL, NULL);
    json_t *note =
        json_object_get(doc, "note") ? json_object_get(doc, "note") : doc;

    assert_int_equal(status, 200);
    snprintf(out, sizeof(out), "%s",
             json_string_value(json_object_get(note, "status")));
    json_decref(doc);
    free(path);
    return out;
}

static void test_review_queue(void **state)
{
    long long a = review_note("<guest-a@example.org>");
    long long b = review_note("<guest-b@example.org>");
    char *html, *form, xp[160];

    (void)state;
    html = get_ok(W->fran_page);
    snprintf(xp, sizeof(xp),
             "//section[h2[@id='review']]//form[contains(@action,'/review')]"
             "[input[@name='note' and @value='%lld']]/button[@value="
             "'approve']",
             a);
    assert_int_equal(count_nodes(html, xp), 1);
    free(html);
    html = get_ok(W->mere_page);
    assert_int_equal(count_nodes(html, "//form[contains(@action,'/review')]"),
                     0);
    free(html);
    form = mg_xasprintf("note=%lld&decision=approve", a);
    html = post_and_follow(W->fran_page, "review", form, "done=approved");
    assert_non_null(strstr(html, "Saved: the note is published."));
    free(html);
    assert_string_equal(note_status(a), "published");
    /* deciding it again only says it was decided */
    html = post_and_follow(W->fran_page, "review", form, "problem=decided");
    free(html);
    free(form);
    /* a member cannot decide; the facilitator rejects */
    form = mg_xasprintf("note=%lld&decision=reject", b);
    {
        char *path = mg_xasprintf("%s/review", W->mere_page);
        assert_int_equal(page_request(NULL, NULL, "POST", path, form), 404);
        free(path);
    }
    assert_string_equal(note_status(b), "review");
    html = post_and_follow(W->fran_page, "review", form, "done=rejected");
    free(html);
    free(form);
    assert_string_equal(note_status(b), "rejected");
}

/* --- addresses under /p/ that are not a page's ---------------------------- */

static void test_bad_addresses_get_pages(void **state)
{
    const char *token = W->mere_page + 3;
    char *path, *body = NULL, *location = NULL;
    char *big;

    (void)state;
    /* a trailing dot, slash or bracket from a mail goes to the page */
    path = mg_xasprintf("%s.", W->mere_page);
    assert_int_equal(page_request(NULL, &location, "GET", path, NULL), 303);
    assert_string_equal(location, token);
    free(location);
    free(path);
    path = mg_xasprintf("%s/", W->mere_page);
    assert_int_equal(page_request(NULL, &location, "GET", path, NULL), 303);
    assert_int_equal(strncmp(location, "../", 3), 0);
    assert_string_equal(location + 3, token);
    free(location);
    free(path);
    path = mg_xasprintf("%s).", W->mere_page);
    assert_int_equal(page_request(NULL, &location, "GET", path, NULL), 303);
    assert_string_equal(location, token);
    free(location);
    free(path);
    /* truncated or with a letter too many: says the link is not whole */
    path = mg_xasprintf("/p/%.40s", token);
    assert_int_equal(page_request(&body, NULL, "GET", path, NULL), 404);
    assert_non_null(strstr(body, "This link is not complete"));
    assert_null(strstr(body, "Mere"));
    free(body);
    free(path);
    path = mg_xasprintf("%sa", W->mere_page);
    assert_int_equal(page_request(&body, NULL, "GET", path, NULL), 404);
    assert_non_null(strstr(body, "This link is not complete"));
    free(body);
    free(path);
    assert_int_equal(page_request(&body, NULL, "GET", "/p/", NULL), 404);
    free(body);
    assert_int_equal(page_request(&body, NULL, "GET", "/p/x%20y", NULL), 404);
    assert_non_null(strstr(body, "Page not found"));
    free(body);
    /* an unknown sub-path, a form's path fetched with GET, another
     * method */
    path = mg_xasprintf("%s/nothing", W->mere_page);
    assert_int_equal(page_request(&body, NULL, "GET", path, NULL), 404);
    assert_non_null(strstr(body, "Page not found"));
    free(body);
    free(path);
    path = mg_xasprintf("%s/rsvp", W->mere_page);
    assert_int_equal(page_request(NULL, &location, "GET", path, NULL), 303);
    assert_int_equal(strncmp(location, "../", 3), 0);
    assert_string_equal(location + 3, token);
    free(location);
    free(path);
    assert_int_equal(page_request(&body, NULL, "DELETE", W->mere_page, NULL),
                     405);
    assert_non_null(strstr(body, "Not allowed"));
    free(body);
    path = mg_xasprintf("%s/rsvp", "/p/0123");
    assert_int_equal(page_request(&body, NULL, "POST", path, "answer=accepted"),
                     404);
    free(body);
    free(path);
    /* too large a post */
    big = mg_xmalloc(70 * 1024 + 1);
    memset(big, 'a', 70 * 1024);
    memcpy(big, "text=", 5);
    big[70 * 1024] = '\0';
    path = mg_xasprintf("%s/summary", W->fran_page);
    assert_int_equal(page_request(&body, NULL, "POST", path, big), 413);
    assert_non_null(strstr(body, "too long"));
    free(body);
    free(path);
    free(big);
}

/* A replaced link says to ask the coordinator; its forms too. */
static void test_retired_link(void **state)
{
    long long wiremu = person_id("wiremu@example.org");
    char *old = mint_page(wiremu), *now = mint_page(wiremu), *body, *path;

    (void)state;
    assert_string_not_equal(old, now);
    assert_int_equal(page_request(&body, NULL, "GET", old, NULL), 410);
    assert_non_null(strstr(body, "This link has been replaced"));
    assert_non_null(strstr(body, "coordinator for a new link"));
    assert_null(strstr(body, "Wiremu"));
    free(body);
    path = mg_xasprintf("%s/rsvp", old);
    assert_int_equal(page_request(&body, NULL, "POST", path, "answer=accepted"),
                     410);
    free(body);
    free(path);
    /* a trailing dot on it goes to it, and then says the same */
    path = mg_xasprintf("%s.", old);
    assert_int_equal(page_request(NULL, NULL, "GET", path, NULL), 303);
    free(path);
    body = get_ok(now);
    free(body);
    /* a code never given out is only "not found" */
    assert_int_equal(
        page_request(&body, NULL, "GET",
                     "/p/0123456789abcdef0123456789abcdef0123456789abcdef",
                     NULL),
        404);
    assert_null(strstr(body, "replaced"));
    free(body);
    free(old);
    free(now);
}

/* Guessing page addresses ends in a page too, not JSON (last: it leaves
 * this address limited). */
static void test_guessing_limited_with_a_page(void **state)
{
    char path[64], *body = NULL;
    long status = 0;
    int i;

    (void)state;
    for (i = 0; i < 60 && status != 429; i++) {
        snprintf(path, sizeof(path), "/p/%048x", i + 1);
        status = page_request(&body, NULL, "GET", path, NULL);
        if (status != 429 && status != 404)
            fail_msg("GET %s: %ld", path, status);
        if (status == 429)
            assert_non_null(strstr(body, "Too many tries"));
        free(body);
        body = NULL;
    }
    assert_int_equal(status, 429);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_member_calls_held_and_buttons),
        cmocka_unit_test(test_member_calendar_and_tables),
        cmocka_unit_test(test_facilitator_sees_who_is_coming),
        cmocka_unit_test(test_attendance_any_call_and_confirm),
        cmocka_unit_test(test_summary_filed_like_mail),
        cmocka_unit_test(test_summary_edit_until_digest),
        cmocka_unit_test(test_review_queue),
        cmocka_unit_test(test_bad_addresses_get_pages),
        cmocka_unit_test(test_retired_link),
        cmocka_unit_test(test_guessing_limited_with_a_page),
    };

    return cmocka_run_group_tests(tests, setup_world, teardown_world);
}
