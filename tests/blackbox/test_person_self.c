/*
 * test_person_self.c: a participant runs their own part from their page
 * (issue #18, item 11), through a real `mingle serve`. Two circles:
 * "Early", whose groups are not made yet, and "Later", planned, with
 * invitations sent and a plenary of one place. On the page a person
 * changes their time zone, call times and thread wishes (saved as they
 * are before groups exist; a move request for the coordinator after),
 * bad values change nothing and are said next to their field; a member
 * files a note to a week of their group; plenaries are registered for
 * from the page; and leaving (after a confirmation) cancels their
 * invitations, gives their plenary place to the next on the waitlist,
 * mails the coordinator and leaves a page that can change nothing.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <libxml/HTMLparser.h>
#include <libxml/xpath.h>

#include "mingle/core.h"
#include "mingle/inbound.h"
#include "support.h"

static const char early_json[] =
    "{\"title\":\"Early\",\"slug\":\"early\",\"time_zone\":\"Pacific/"
    "Auckland\",\"start_date\":\"2027-03-22\",\"weeks\":4,\"slots\":["
    "{\"weekday\":\"tuesday\",\"start\":\"19:30\",\"minutes\":60},"
    "{\"weekday\":\"thursday\",\"start\":\"07:00\",\"minutes\":60}],"
    "\"organizer\":{\"name\":\"Early Coord\",\"email\":"
    "\"early@example.org\"}}";
static const char later_json[] =
    "{\"title\":\"Later\",\"slug\":\"later\",\"time_zone\":\"Pacific/"
    "Auckland\",\"start_date\":\"2027-03-22\",\"weeks\":4,\"group_size\":"
    "{\"min\":3,\"max\":4},\"slots\":["
    "{\"weekday\":\"wednesday\",\"start\":\"19:30\",\"minutes\":60},"
    "{\"weekday\":\"saturday\",\"start\":\"09:00\",\"minutes\":60}],"
    "\"organizer\":{\"name\":\"Coord\",\"email\":\"coord@example.org\"}}";

static const char early_book[] = "# Thread: Rivers\n\nalpha beta gamma\n\n"
                                 "# Thread: Mountains\n\ndelta epsilon\n\n"
                                 "# Thread: Cities\n\nzeta eta theta\n\n"
                                 "# Thread: Forests\n\niota kappa\n";
static const char later_book[] = "# Thread: Stars\n\nlambda mu nu\n\n"
                                 "# Thread: Oceans\n\nxi omicron pi\n";

static const char early_csv[] = "name,email,slots\n"
                                "Ana Early,ana@example.org,tuesday 19:30\n";
static const char later_csv[] =
    "name,email,role,slots\n"
    "Fran Facilitator,fran@example.org,facilitator,wednesday 19:30\n"
    "Mere Member,mere@example.org,participant,wednesday 19:30\n"
    "Wiremu Leaver,wiremu@example.org,participant,wednesday 19:30\n"
    "Hemi Member,hemi@example.org,participant,wednesday 19:30\n"
    "Gus Facilitator,gus@example.org,facilitator,wednesday 19:30\n"
    "Ira Member,ira@example.org,participant,wednesday 19:30\n"
    "Jo Member,jo@example.org,participant,wednesday 19:30\n"
    "Kim Member,kim@example.org,participant,wednesday 19:30\n";

struct world {
    struct test_site site;
    long long early, later, group, other_group, plenary;
    long long ana, mere, wiremu, fran, hemi;
    long long early_slot[2], later_slot[2];
    long long early_thread[4], later_thread[2];
    char *ana_page, *mere_page, *wiremu_page, *fran_page, *hemi_page;
};

static struct world *W;

static json_t *call(long *status, const char *method, const char *path,
                    const char *body)
{
    return test_site_call(&W->site, status, method, path, body, NULL);
}

static char *mint_page(long long circle, long long pid)
{
    char *path = test_circle_path(circle, "/participants/%lld/page", pid);
    long status;
    json_t *doc = call(&status, "POST", path, NULL);
    const char *url = json_string_value(json_object_get(doc, "url"));
    char *out =
        url && strstr(url, "/p/") ? mg_xstrdup(strstr(url, "/p/")) : NULL;

    json_decref(doc);
    free(path);
    return out;
}

/* The ids of a circle's slots and threads, in order. */
static int circle_ids(long long circle, long long *slots, size_t n_slots,
                      long long *threads, size_t n_threads)
{
    char *path = test_circle_path(circle, "%s", "");
    long status;
    json_t *doc = call(&status, "GET", path, NULL), *list;
    size_t i;

    free(path);
    list = json_object_get(doc, "slots");
    if (status != 200 || json_array_size(list) != n_slots)
        return -1;
    for (i = 0; i < n_slots; i++)
        slots[i] =
            json_integer_value(json_object_get(json_array_get(list, i), "id"));
    json_decref(doc);
    path = test_circle_path(circle, "/threads");
    doc = call(&status, "GET", path, NULL);
    free(path);
    list = json_object_get(doc, "threads");
    if (status != 200 || json_array_size(list) != n_threads)
        return -1;
    for (i = 0; i < n_threads; i++)
        threads[i] =
            json_integer_value(json_object_get(json_array_get(list, i), "id"));
    json_decref(doc);
    return 0;
}

static int book(long long circle, const char *md)
{
    char *path = test_circle_path(circle, "/book?name=book.md");
    long status;
    json_t *doc =
        test_site_call(&W->site, &status, "POST", path, md, "text/markdown");

    json_decref(doc);
    free(path);
    return status == 201 ? 0 : -1;
}

static int setup_world(void **state)
{
    struct world *w = mg_xcalloc(1, sizeof(*w));
    static const char *const env[] = {"MINGLE_MAIL_DOMAIN=lists.example.net",
                                      "MINGLE_OUTBOX_INTERVAL=1", NULL};
    const struct test_site_opts opts = {.maildir = 1, .env = env};
    char *path;
    json_t *doc;
    long status;

    *state = w;
    if (test_site_start(&w->site, "person_self.db", &opts) < 0)
        return -1;
    W = w;
    w->early = test_site_circle(&w->site, early_json, NULL);
    w->later = test_site_circle(&w->site, later_json, NULL);
    if (!w->early || !w->later || book(w->early, early_book) < 0 ||
        book(w->later, later_book) < 0)
        return -1;
    if (test_site_people(&w->site, w->early, early_csv) < 0 ||
        test_site_plan(&w->site, w->later, later_csv, NULL, 0) < 0)
        return -1;
    if (circle_ids(w->early, w->early_slot, 2, w->early_thread, 4) < 0 ||
        circle_ids(w->later, w->later_slot, 2, w->later_thread, 2) < 0)
        return -1;
    w->ana = test_site_person(&w->site, w->early, "ana@example.org");
    w->mere = test_site_person(&w->site, w->later, "mere@example.org");
    w->wiremu = test_site_person(&w->site, w->later, "wiremu@example.org");
    w->fran = test_site_person(&w->site, w->later, "fran@example.org");
    w->hemi = test_site_person(&w->site, w->later, "hemi@example.org");
    /* two groups of four; Mere's is "the group", the other one the
     * coordinator can move someone to */
    path = test_circle_path(w->later, "/participants/%lld", w->mere);
    doc = call(&status, "GET", path, NULL);
    free(path);
    w->group = json_integer_value(json_object_get(doc, "group_id"));
    json_decref(doc);
    path = test_circle_path(w->later, "/groups");
    doc = call(&status, "GET", path, NULL);
    free(path);
    if (status != 200 || json_array_size(json_object_get(doc, "groups")) != 2)
        return -1;
    {
        size_t i;

        for (i = 0; i < 2; i++) {
            long long id = json_integer_value(json_object_get(
                json_array_get(json_object_get(doc, "groups"), i), "id"));
            if (id != w->group)
                w->other_group = id;
        }
    }
    json_decref(doc);
    if (!w->group || !w->other_group)
        return -1;
    /* everyone in Later has their invitation */
    path = test_circle_path(w->later, "/invites");
    doc = call(&status, "POST", path, "{}");
    free(path);
    json_decref(doc);
    if (status >= 300)
        return -1;
    /* one place at the kick-off */
    path = test_circle_path(w->later, "/plenaries");
    doc = call(&status, "POST", path,
               "{\"title\":\"Kick-off\",\"start\":\"2027-03-16T19:30\","
               "\"capacity\":1}");
    free(path);
    w->plenary = json_integer_value(json_object_get(doc, "id"));
    json_decref(doc);
    if (status != 201 || !w->plenary)
        return -1;
    w->ana_page = mint_page(w->early, w->ana);
    w->mere_page = mint_page(w->later, w->mere);
    w->wiremu_page = mint_page(w->later, w->wiremu);
    w->fran_page = mint_page(w->later, w->fran);
    w->hemi_page = mint_page(w->later, w->hemi);
    if (!w->ana_page || !w->mere_page || !w->wiremu_page || !w->fran_page ||
        !w->hemi_page)
        return -1;
    return 0;
}

static int teardown_world(void **state)
{
    struct world *w = *state;

    if (!w)
        return 0;
    test_site_stop(&w->site, SIGTERM);
    free(w->ana_page);
    free(w->mere_page);
    free(w->wiremu_page);
    free(w->fran_page);
    free(w->hemi_page);
    free(w);
    return 0;
}

/* One request to a page; its status, its body and Location. */
static long page_request(char **body, char **location, const char *method,
                         const char *path, const char *form)
{
    struct test_response resp;
    long status;

    assert_int_equal(
        test_http(&resp, W->site.d.port, method, path, NULL, form,
                  form ? "application/x-www-form-urlencoded" : NULL),
        0);
    status = resp.status;
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

/* POST `form` to `page`/`what`: a 303 back to the page whose query
 * holds `query`; the page as that redirect shows it. */
static char *post_and_follow(const char *page, const char *what,
                             const char *form, const char *query)
{
    char *path = mg_xasprintf("%s/%s", page, what), *location = NULL;
    char *next, *body;
    const char *q;
    long status = page_request(NULL, &location, "POST", path, form);

    if (status != 303 || !location)
        fail_msg("POST %s %s: %ld", path, form, status);
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

/* Participant `pid` of `circle` as the API shows it, as compact JSON. */
static char *person_json(long long circle, long long pid)
{
    char *path = test_circle_path(circle, "/participants/%lld", pid);
    long status;
    json_t *doc = call(&status, "GET", path, NULL);
    char *out;

    assert_int_equal(status, 200);
    out = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(doc);
    free(path);
    return out;
}

static json_t *person(long long circle, long long pid)
{
    char *path = test_circle_path(circle, "/participants/%lld", pid);
    long status;
    json_t *doc = call(&status, "GET", path, NULL);

    assert_int_equal(status, 200);
    free(path);
    return doc;
}

/* Circle `circle`'s move requests with ?status=`status`. */
static json_t *move_requests(long long circle, const char *status_arg)
{
    char *path =
        test_circle_path(circle, "/move-requests?status=%s", status_arg);
    long status;
    json_t *doc = call(&status, "GET", path, NULL);

    assert_int_equal(status, 200);
    free(path);
    return doc;
}

/* How many outbox messages of `kind` went to `to`. */
static int mail_count(long long circle, const char *kind, const char *to)
{
    char *path = test_circle_path(circle, "/outbox?limit=1000");
    long status;
    json_t *doc = call(&status, "GET", path, NULL);
    json_t *list = json_object_get(doc, "messages");
    size_t i;
    int n = 0;

    assert_int_equal(status, 200);
    for (i = 0; i < json_array_size(list); i++) {
        json_t *m = json_array_get(list, i);

        if (strcmp(json_string_value(json_object_get(m, "kind")), kind) == 0 &&
            strcmp(json_string_value(json_object_get(m, "recipient")), to) == 0)
            n++;
    }
    json_decref(doc);
    free(path);
    return n;
}

/* The text of the first message delivered to the maildir with subject
 * `subject` (waiting up to ten seconds), or NULL. free() it. */
static char *delivered(const char *subject, char **from)
{
    char *newdir = mg_xasprintf("%s/mail/new", W->site.dir), *out = NULL;
    int tries;

    for (tries = 0; tries < 200 && !out; tries++) {
        DIR *d = opendir(newdir);
        struct dirent *e;

        while (d && !out && (e = readdir(d)) != NULL) {
            struct mg_inbound m;
            char *path, *data;
            size_t len = 0;

            if (e->d_name[0] == '.')
                continue;
            path = mg_xasprintf("%s/%s", newdir, e->d_name);
            data = test_read_file(path, &len);
            free(path);
            if (data && mg_inbound_from_mime(&m, data, len, NULL, NULL) == 0) {
                if (m.subject && strcmp(m.subject, subject) == 0) {
                    out = mg_xstrdup(m.text ? m.text : "");
                    *from = mg_xstrdup(m.from_email ? m.from_email : "");
                }
                mg_inbound_release(&m);
            }
            free(data);
        }
        if (d)
            closedir(d);
        if (!out)
            usleep(50000);
    }
    free(newdir);
    return out;
}

/* --- before the groups are made: changes apply ----------------------- */

static void test_before_groups_changes_apply(void **state)
{
    char *html, *form, xp[160];
    json_t *p, *mr;

    (void)state;
    html = get_ok(W->ana_page);
    assert_int_equal(count_nodes(html, "//form[contains(@action,'/profile')]"),
                     1);
    /* every slot a checkbox, her own ticked; three ranked choices */
    assert_int_equal(count_nodes(html, "//input[@name='slot']"), 2);
    snprintf(xp, sizeof(xp),
             "//input[@name='slot' and @value='%lld' and "
             "@checked]",
             W->early_slot[0]);
    assert_int_equal(count_nodes(html, xp), 1);
    assert_int_equal(count_nodes(html, "//select[@name='thread']"), 3);
    /* no word for the coordinator before there is a group to move from */
    assert_int_equal(count_nodes(html, "//textarea[@name='note']"), 0);
    free(html);
    form = mg_xasprintf("time_zone=Europe%%2FParis&slot=%lld&thread=3&"
                        "thread=1",
                        W->early_slot[1]);
    html = post_and_follow(W->ana_page, "profile", form, "done=profile");
    free(form);
    assert_non_null(strstr(html, "Saved: your details."));
    assert_non_null(strstr(html, "value=\"Europe/Paris\""));
    free(html);
    p = person(W->early, W->ana);
    assert_string_equal(json_string_value(json_object_get(p, "time_zone")),
                        "Europe/Paris");
    assert_int_equal(json_array_size(json_object_get(p, "slots")), 1);
    assert_int_equal(
        json_integer_value(json_array_get(json_object_get(p, "slots"), 0)),
        W->early_slot[1]);
    assert_int_equal(json_array_size(json_object_get(p, "threads")), 2);
    assert_int_equal(
        json_integer_value(json_array_get(json_object_get(p, "threads"), 0)),
        W->early_thread[2]);
    assert_int_equal(
        json_integer_value(json_array_get(json_object_get(p, "threads"), 1)),
        W->early_thread[0]);
    json_decref(p);
    /* nothing for the coordinator to do */
    mr = move_requests(W->early, "all");
    assert_int_equal(json_array_size(json_object_get(mr, "move_requests")), 0);
    json_decref(mr);
    /* an empty zone is the circle's again */
    form = mg_xasprintf("time_zone=&slot=%lld&thread=3&thread=1",
                        W->early_slot[1]);
    html = post_and_follow(W->ana_page, "profile", form, "done=profile");
    free(form);
    free(html);
    p = person(W->early, W->ana);
    assert_true(json_is_null(json_object_get(p, "time_zone")));
    json_decref(p);
}

/* Bad values are refused, said next to their field, and change
 * nothing: an unknown zone, a slot or thread of another circle, four
 * wishes, the same thread twice. */
static void test_bad_values_change_nothing(void **state)
{
    struct {
        char *form;
        const char *problem, *error_id;
    } cases[7];
    char *before = person_json(W->early, W->ana), *after, *html;
    size_t i;

    (void)state;
    cases[0].form = mg_xasprintf("time_zone=Mars%%2FOlympus_Mons&slot=%lld",
                                 W->early_slot[0]);
    cases[0].problem = "problem=zone";
    cases[0].error_id = "time-zone-error";
    cases[1].form = mg_xasprintf("time_zone=&slot=%lld", W->later_slot[0]);
    cases[1].problem = "problem=slot";
    cases[1].error_id = "slot-error";
    /* Later's thread by its title, and a position Early does not have */
    cases[2].form = mg_xstrdup("time_zone=&thread=Stars");
    cases[2].problem = "problem=thread";
    cases[2].error_id = "thread-error";
    cases[3].form = mg_xstrdup("time_zone=&thread=9");
    cases[3].problem = "problem=thread";
    cases[3].error_id = "thread-error";
    cases[4].form =
        mg_xstrdup("time_zone=&thread=1&thread=2&thread=3&thread=4");
    cases[4].problem = "problem=wishes";
    cases[4].error_id = "thread-error";
    cases[5].form = mg_xstrdup("time_zone=&thread=2&thread=2");
    cases[5].problem = "problem=wishes";
    cases[5].error_id = "thread-error";
    /* a known zone with more after it is no zone */
    cases[6].form = mg_xstrdup("time_zone=Europe%2FParis+now");
    cases[6].problem = "problem=zone";
    cases[6].error_id = "time-zone-error";
    for (i = 0; i < 7; i++) {
        char xp[96];

        html = post_and_follow(W->ana_page, "profile", cases[i].form,
                               cases[i].problem);
        snprintf(xp, sizeof(xp), "//p[@id='%s' and @role='alert']",
                 cases[i].error_id);
        if (count_nodes(html, xp) != 1)
            fail_msg("%s: no error by its field", cases[i].form);
        free(html);
        after = person_json(W->early, W->ana);
        if (strcmp(before, after) != 0)
            fail_msg("%s changed %s into %s", cases[i].form, before, after);
        free(after);
        free(cases[i].form);
    }
    free(before);
}

/* --- after: a move request ------------------------------------------- */

static void test_after_groups_move_request(void **state)
{
    char *before = person_json(W->later, W->mere), *after, *html, *form;
    json_t *mr, *m, *p;

    (void)state;
    /* Saturday instead of Wednesday, Oceans first: asked, not applied */
    form = mg_xasprintf("time_zone=&slot=%lld&thread=2&thread=1&note=Shift+"
                        "work+from+April",
                        W->later_slot[1]);
    html = post_and_follow(W->mere_page, "profile", form, "done=asked");
    free(form);
    assert_non_null(strstr(html, "the coordinator has been asked"));
    assert_non_null(strstr(html, "you asked to be moved"));
    free(html);
    after = person_json(W->later, W->mere);
    assert_string_equal(before, after); /* same slots, wishes, group */
    free(after);
    mr = move_requests(W->later, "open");
    assert_int_equal(json_array_size(json_object_get(mr, "move_requests")), 1);
    m = json_array_get(json_object_get(mr, "move_requests"), 0);
    assert_int_equal(json_integer_value(json_object_get(m, "participant_id")),
                     W->mere);
    assert_int_equal(json_integer_value(json_object_get(m, "group_id")),
                     W->group);
    assert_int_equal(
        json_integer_value(json_array_get(json_object_get(m, "slots"), 0)),
        W->later_slot[1]);
    assert_int_equal(
        json_integer_value(json_array_get(json_object_get(m, "threads"), 0)),
        W->later_thread[1]);
    assert_string_equal(json_string_value(json_object_get(m, "note")),
                        "Shift work from April");
    assert_string_equal(json_string_value(json_object_get(m, "status")),
                        "open");
    json_decref(mr);

    /* a new zone alone applies at once: the page's times follow */
    form = mg_xasprintf("time_zone=Asia%%2FTokyo&slot=%lld", W->later_slot[0]);
    html = post_and_follow(W->mere_page, "profile", form, "done=profile");
    free(form);
    assert_non_null(strstr(html, "(Asia/Tokyo, UTC+9)"));
    free(html);
    p = person(W->later, W->mere);
    assert_string_equal(json_string_value(json_object_get(p, "time_zone")),
                        "Asia/Tokyo");
    assert_int_equal(json_integer_value(json_object_get(p, "group_id")),
                     W->group);
    json_decref(p);

    /* zone and times together: the zone applies, the times are asked,
     * and the open request is replaced, not added to */
    form = mg_xasprintf("time_zone=Europe%%2FLondon&slot=%lld&slot=%lld",
                        W->later_slot[0], W->later_slot[1]);
    html = post_and_follow(W->mere_page, "profile", form, "done=asked-zone");
    free(form);
    free(html);
    mr = move_requests(W->later, "open");
    assert_int_equal(json_array_size(json_object_get(mr, "move_requests")), 1);
    m = json_array_get(json_object_get(mr, "move_requests"), 0);
    assert_int_equal(json_array_size(json_object_get(m, "slots")), 2);
    assert_true(json_is_null(json_object_get(m, "note")));
    json_decref(mr);
    p = person(W->later, W->mere);
    assert_string_equal(json_string_value(json_object_get(p, "time_zone")),
                        "Europe/London");
    assert_int_equal(json_array_size(json_object_get(p, "slots")), 1);
    json_decref(p);
    free(before);
}

/* The coordinator sees the request on the dashboard, with Move (the
 * move form) and Dismiss; dismissing closes it. */
static void test_move_request_dashboard_dismiss(void **state)
{
    struct test_response resp;
    char *cookie = NULL, *csrf = NULL, *path, *form, xp[200];
    long long id;
    json_t *mr;
    long status;

    (void)state;
    mr = move_requests(W->later, "open");
    id = json_integer_value(json_object_get(
        json_array_get(json_object_get(mr, "move_requests"), 0), "id"));
    json_decref(mr);
    assert_true(id > 0);
    assert_int_equal(test_site_dashboard_login(&W->site, W->site.token, &cookie,
                                               &csrf, NULL),
                     303);
    path = test_dashboard_path(W->later, "%s", "");
    test_site_page(&resp, &W->site, "GET", path, cookie, NULL);
    free(path);
    assert_int_equal(resp.status, 200);
    assert_int_equal(count_nodes(resp.body, "//section[@aria-labelledby="
                                            "'moves']//td[.='Mere Member']"),
                     1);
    snprintf(xp, sizeof(xp),
             "//section[@aria-labelledby='moves']//a[@href='/dashboard/"
             "circles/%lld/people/%lld/move']",
             W->later, W->mere);
    assert_int_equal(count_nodes(resp.body, xp), 1);
    snprintf(xp, sizeof(xp),
             "//form[@action='/dashboard/circles/%lld/move-requests/%lld/"
             "dismiss']",
             W->later, id);
    assert_int_equal(count_nodes(resp.body, xp), 1);
    test_response_release(&resp);
    /* without the form's CSRF token: refused, still open */
    path = test_dashboard_path(W->later, "/move-requests/%lld/dismiss", id);
    test_site_page(&resp, &W->site, "POST", path, cookie, "csrf=00");
    assert_true(resp.status >= 400);
    test_response_release(&resp);
    mr = move_requests(W->later, "open");
    assert_int_equal(json_array_size(json_object_get(mr, "move_requests")), 1);
    json_decref(mr);
    form = mg_xasprintf("csrf=%s", csrf);
    test_site_page(&resp, &W->site, "POST", path, cookie, form);
    assert_int_equal(resp.status, 303);
    test_response_release(&resp);
    free(form);
    free(path);
    mr = move_requests(W->later, "open");
    assert_int_equal(json_array_size(json_object_get(mr, "move_requests")), 0);
    json_decref(mr);
    mr = move_requests(W->later, "dismissed");
    assert_int_equal(json_array_size(json_object_get(mr, "move_requests")), 1);
    json_decref(mr);
    /* what she asked is in what is held about her */
    path = test_circle_path(W->later, "/participants/%lld/export", W->mere);
    mr = call(&status, "GET", path, NULL);
    assert_int_equal(status, 200);
    assert_int_equal(json_array_size(json_object_get(mr, "move_requests")), 1);
    assert_string_equal(
        json_string_value(json_object_get(
            json_array_get(json_object_get(mr, "move_requests"), 0), "status")),
        "dismissed");
    json_decref(mr);
    free(path);
    /* the API: a bad status, another circle's request */
    path = test_circle_path(W->later, "/move-requests?status=maybe");
    json_decref(call(&status, "GET", path, NULL));
    assert_int_equal(status, 400);
    free(path);
    path = test_circle_path(W->early, "/move-requests/%lld/dismiss", id);
    json_decref(call(&status, "POST", path, NULL));
    assert_int_equal(status, 404);
    free(path);
    free(cookie);
    free(csrf);
}

/* --- a member's note ----------------------------------------------------- */

static void test_member_note_filed(void **state)
{
    char *path, *html;
    json_t *notes;
    size_t i, mine = 0;

    (void)state;
    html = get_ok(W->mere_page);
    assert_int_equal(count_nodes(html, "//form[contains(@action,'/note')]"
                                       "//select[@name='week']/option"),
                     4);
    free(html);
    html = post_and_follow(W->mere_page, "note",
                           "week=2&text=The+river+chapter+<b>moved</b>+me",
                           "week=2");
    assert_non_null(strstr(html, "The river chapter &lt;b&gt;moved&lt;/b&gt; "
                                 "me"));
    assert_int_equal(count_nodes(html, "//section[@aria-labelledby='my-notes']"
                                       "//article"),
                     1);
    free(html);
    /* the same words again are the same note */
    html = post_and_follow(W->mere_page, "note",
                           "week=2&text=The+river+chapter+<b>moved</b>+me",
                           "week=2");
    free(html);
    /* empty: said by the field, nothing filed */
    html = post_and_follow(W->mere_page, "note", "week=2&text=+%0D%0A",
                           "problem=note-empty");
    assert_int_equal(count_nodes(html, "//p[@id='note-error']"), 1);
    free(html);
    /* a week out of range */
    path = mg_xasprintf("%s/note", W->mere_page);
    assert_int_equal(page_request(NULL, NULL, "POST", path, "week=9&text=x"),
                     400);
    free(path);
    notes = test_notes_all(W->site.d.port, W->site.token, W->later);
    for (i = 0; i < json_array_size(notes); i++) {
        json_t *n = json_array_get(notes, i);
        json_t *pid = json_object_get(n, "participant_id");

        if (json_integer_value(pid) != W->mere)
            continue;
        mine++;
        assert_int_equal(json_integer_value(json_object_get(n, "group_id")),
                         W->group);
        assert_int_equal(json_integer_value(json_object_get(n, "week")), 2);
        assert_string_equal(json_string_value(json_object_get(n, "kind")),
                            "note");
    }
    assert_int_equal(mine, 1);
    json_decref(notes);
}

/* --- plenaries from the page --------------------------------------------- */

static void test_plenary_register_from_page(void **state)
{
    char *html, *form, xp[160];

    (void)state;
    html = get_ok(W->wiremu_page);
    snprintf(xp, sizeof(xp),
             "//form[contains(@action,'/register')]/input[@name='plenary' and "
             "@value='%lld']",
             W->plenary);
    assert_int_equal(count_nodes(html, xp), 1);
    assert_int_equal(
        count_nodes(html, "//button[@aria-label='Register for Kick-off']"), 1);
    free(html);
    form = mg_xasprintf("plenary=%lld", W->plenary);
    html = post_and_follow(W->wiremu_page, "register", form, "done=plenary");
    assert_non_null(strstr(html, "You have a place at Kick-off."));
    assert_int_equal(count_nodes(html, "//button[@value='decline']"), 1);
    free(html);
    /* the one place is taken: Mere joins the waitlist */
    html = get_ok(W->mere_page);
    assert_int_equal(
        count_nodes(html,
                    "//button[@aria-label='Join the waitlist of Kick-off']"),
        1);
    free(html);
    html = post_and_follow(W->mere_page, "register", form, "done=plenary");
    assert_non_null(strstr(html, "you are number 1 on its waitlist"));
    assert_non_null(strstr(html, "You are number 1 on the waitlist."));
    free(html);
    free(form);
}

/* --- leaving ---------------------------------------------------------------
 */

static void test_leave_confirm_then_withdrawn(void **state)
{
    char *html, *path;
    json_t *p;
    int cancels = mail_count(W->later, "cancel", "wiremu@example.org");

    (void)state;
    html = get_ok(W->wiremu_page);
    assert_int_equal(count_nodes(html, "//form[contains(@action,'/leave')]"),
                     1);
    free(html);
    /* the first press only asks */
    html = post_and_follow(W->wiremu_page, "leave", "", "confirm=leave");
    assert_int_equal(count_nodes(html, "//form[contains(@action,'/leave')]"
                                       "/input[@name='confirm' and "
                                       "@value='yes']"),
                     1);
    free(html);
    p = person(W->later, W->wiremu);
    assert_string_equal(json_string_value(json_object_get(p, "status")),
                        "active");
    json_decref(p);
    assert_int_equal(mail_count(W->later, "left", "coord@example.org"), 0);
    /* confirmed */
    html = post_and_follow(W->wiremu_page, "leave", "confirm=yes", "done=left");
    assert_non_null(strstr(html, "You have left this circle."));
    assert_non_null(strstr(html, "ask the circle&#39;s coordinator") ||
                    strstr(html, "ask the circle's coordinator"));
    assert_int_equal(count_nodes(html, "//a[@href='mailto:coord@example.org']"),
                     1);
    assert_int_equal(count_nodes(html, "//main//form"), 0);
    free(html);
    p = person(W->later, W->wiremu);
    assert_string_equal(json_string_value(json_object_get(p, "status")),
                        "withdrawn");
    json_decref(p);
    /* their invitation is cancelled, the coordinator told */
    assert_true(mail_count(W->later, "cancel", "wiremu@example.org") > cancels);
    assert_int_equal(mail_count(W->later, "left", "coord@example.org"), 1);
    /* ... in words, delivered */
    {
        char *from = NULL,
             *text = delivered("Wiremu Leaver has left Later", &from);

        assert_non_null(text);
        assert_string_equal(from, "coord@example.org");
        assert_non_null(strstr(text, "Wiremu Leaver <wiremu@example.org> has "
                                     "left Later"));
        assert_non_null(strstr(text, "invitations have been cancelled"));
        free(text);
        free(from);
    }
    /* their place went to the first on the waitlist */
    html = get_ok(W->mere_page);
    assert_non_null(strstr(html, "You have a place."));
    free(html);
    /* leaving again changes nothing and tells nobody twice */
    path = mg_xasprintf("%s/leave", W->wiremu_page);
    assert_int_equal(page_request(NULL, NULL, "POST", path, "confirm=yes"),
                     303);
    free(path);
    assert_int_equal(mail_count(W->later, "left", "coord@example.org"), 1);
}

/* A withdrawn person's page changes nothing. */
static void test_withdrawn_page_changes_nothing(void **state)
{
    static const char *const what[] = {"profile", "note",      "register",
                                       "plenary", "rsvp",      "feed",
                                       "summary", "attendance"};
    char *before = person_json(W->later, W->wiremu), *after, *body, *path;
    char *form = mg_xasprintf(
        "time_zone=Asia%%2FTokyo&slot=%lld&week=1&text=hello&plenary=%lld&"
        "answer=accepted&action=decline",
        W->later_slot[1], W->plenary);
    json_t *mr;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(what) / sizeof(what[0]); i++) {
        path = mg_xasprintf("%s/%s", W->wiremu_page, what[i]);
        assert_int_equal(page_request(&body, NULL, "POST", path, form), 403);
        assert_non_null(strstr(body, "You have left"));
        free(body);
        free(path);
    }
    after = person_json(W->later, W->wiremu);
    assert_string_equal(before, after);
    mr = move_requests(W->later, "all");
    for (i = 0; i < json_array_size(json_object_get(mr, "move_requests")); i++)
        assert_int_not_equal(
            json_integer_value(json_object_get(
                json_array_get(json_object_get(mr, "move_requests"), i),
                "participant_id")),
            W->wiremu);
    json_decref(mr);
    free(after);
    free(before);
    free(form);
}

/* The coordinator moving someone who asked closes their request as
 * done, makes what they asked with their record, and the page no longer
 * says they asked. */
static void test_move_closes_request(void **state)
{
    char *html, *form, *path, *body;
    json_t *mr, *doc;
    long status;

    (void)state;
    form = mg_xasprintf("time_zone=&slot=%lld", W->later_slot[1]);
    html = post_and_follow(W->hemi_page, "profile", form, "done=asked");
    free(form);
    free(html);
    mr = move_requests(W->later, "open");
    assert_int_equal(json_array_size(json_object_get(mr, "move_requests")), 1);
    json_decref(mr);
    /* the dashboard's move form says what he asked */
    {
        struct test_response resp;
        char *cookie = NULL;

        assert_int_equal(test_site_dashboard_login(&W->site, W->site.token,
                                                   &cookie, NULL, NULL),
                         303);
        path = test_dashboard_path(W->later, "/people/%lld/move", W->hemi);
        test_site_page(&resp, &W->site, "GET", path, cookie, NULL);
        assert_int_equal(resp.status, 200);
        assert_int_equal(count_nodes(resp.body, "//div[@id='asked']//dd[.='"
                                                "Saturday 09:00']"),
                         1);
        test_response_release(&resp);
        free(path);
        free(cookie);
    }
    /* Hemi is in one of the two groups: move him to the other one */
    doc = person(W->later, W->hemi);
    path = test_circle_path(
        W->later, "/groups/%lld/members",
        json_integer_value(json_object_get(doc, "group_id")) == W->group
            ? W->other_group
            : W->group);
    json_decref(doc);
    body = mg_xasprintf("{\"participant_id\":%lld,\"force\":true}", W->hemi);
    json_decref(call(&status, "POST", path, body));
    assert_int_equal(status, 200);
    free(body);
    free(path);
    mr = move_requests(W->later, "open");
    assert_int_equal(json_array_size(json_object_get(mr, "move_requests")), 0);
    json_decref(mr);
    mr = move_requests(W->later, "done");
    assert_int_equal(json_array_size(json_object_get(mr, "move_requests")), 1);
    assert_int_equal(
        json_integer_value(json_object_get(
            json_array_get(json_object_get(mr, "move_requests"), 0),
            "participant_id")),
        W->hemi);
    json_decref(mr);
    html = get_ok(W->hemi_page);
    assert_null(strstr(html, "you asked to be moved"));
    free(html);
    /* what he asked with is his record now: Saturdays only */
    doc = person(W->later, W->hemi);
    assert_int_equal(json_array_size(json_object_get(doc, "slots")), 1);
    assert_int_equal(
        json_integer_value(json_array_get(json_object_get(doc, "slots"), 0)),
        W->later_slot[1]);
    json_decref(doc);
    /* a page at a time */
    path = test_circle_path(W->later, "/move-requests?status=all&limit=1");
    doc = call(&status, "GET", path, NULL);
    assert_int_equal(status, 200);
    assert_int_equal(json_array_size(json_object_get(doc, "move_requests")), 1);
    assert_true(json_integer_value(json_object_get(doc, "next_after")) > 0);
    json_decref(doc);
    free(path);
}

/* The API's withdraw is the page's leaving: it too gives the person's
 * plenary place to the first on the waitlist (it did not before). */
static void test_api_withdraw_frees_places(void **state)
{
    char *html, *form = mg_xasprintf("plenary=%lld", W->plenary), *path;
    json_t *doc;
    long status;

    (void)state;
    /* Mere has the place since Wiremu left; Hemi waits */
    html = post_and_follow(W->hemi_page, "register", form, "done=plenary");
    assert_non_null(strstr(html, "You are number 1 on the waitlist."));
    free(html);
    path = test_circle_path(W->later, "/participants/%lld/withdraw", W->mere);
    doc = call(&status, "POST", path, NULL);
    assert_int_equal(status, 200);
    assert_string_equal(json_string_value(json_object_get(doc, "status")),
                        "withdrawn");
    json_decref(doc);
    free(path);
    html = get_ok(W->hemi_page);
    assert_non_null(strstr(html, "You have a place."));
    free(html);
    free(form);
}

/* A placed person asking for what the API would refuse is told so by
 * the field and nothing is stored: no call time at all (when they had
 * some), the same thread twice. */
static void test_placed_bad_ask_stores_nothing(void **state)
{
    long long kim = test_site_person(&W->site, W->later, "kim@example.org");
    char *page = mint_page(W->later, kim), *before, *after, *html, *form;
    const char *problems[2] = {"problem=no-slot", "problem=wishes"};
    char *forms[2];
    json_t *mr;
    size_t i, k;

    (void)state;
    assert_non_null(page);
    before = person_json(W->later, kim);
    forms[0] = mg_xstrdup("time_zone=&thread=1&note=Any+time");
    forms[1] = mg_xasprintf("time_zone=&slot=%lld&thread=2&thread=2",
                            W->later_slot[1]);
    for (i = 0; i < 2; i++) {
        form = forms[i];
        html = post_and_follow(page, "profile", form, problems[i]);
        if (count_nodes(html, i == 0 ? "//p[@id='slot-error' and "
                                       "@role='alert']"
                                     : "//p[@id='thread-error' and "
                                       "@role='alert']") != 1)
            fail_msg("%s: no error by its field", form);
        assert_null(strstr(html, "you asked to be moved"));
        free(html);
        after = person_json(W->later, kim);
        assert_string_equal(before, after);
        free(after);
        mr = move_requests(W->later, "all");
        for (k = 0; k < json_array_size(json_object_get(mr, "move_requests"));
             k++)
            if (json_integer_value(json_object_get(
                    json_array_get(json_object_get(mr, "move_requests"), k),
                    "participant_id")) == kim)
                fail_msg("%s: a move request was stored", form);
        json_decref(mr);
        free(form);
    }
    free(before);
    free(page);
}

/* Circle `circle`'s slots set to `slots` (a JSON array). */
static void patch_slots(long long circle, const char *slots)
{
    char *path = test_circle_path(circle, "%s", "");
    char *body = mg_xasprintf("{\"slots\":%s}", slots);
    long status;

    json_decref(call(&status, "PATCH", path, body));
    assert_int_equal(status, 200);
    free(body);
    free(path);
}

/* A request that no longer holds when the coordinator moves the person
 * (its call time deleted since) is closed, and their record keeps the
 * times they had rather than one the circle no longer has. */
static void test_move_keeps_record_when_ask_no_longer_valid(void **state)
{
    static const char two[] =
        "[{\"weekday\":\"wednesday\",\"start\":\"19:30\",\"minutes\":60},"
        "{\"weekday\":\"saturday\",\"start\":\"09:00\",\"minutes\":60}]";
    static const char three[] =
        "[{\"weekday\":\"wednesday\",\"start\":\"19:30\",\"minutes\":60},"
        "{\"weekday\":\"saturday\",\"start\":\"09:00\",\"minutes\":60},"
        "{\"weekday\":\"friday\",\"start\":\"18:00\",\"minutes\":60}]";
    long long ira = test_site_person(&W->site, W->later, "ira@example.org");
    long long friday = 0, group;
    char *page = mint_page(W->later, ira), *html, *form, *path, *body;
    json_t *doc, *mr;
    long status;
    size_t i, open_ira = 0;

    (void)state;
    assert_non_null(page);
    patch_slots(W->later, three);
    path = test_circle_path(W->later, "%s", "");
    doc = call(&status, "GET", path, NULL);
    free(path);
    assert_int_equal(json_array_size(json_object_get(doc, "slots")), 3);
    friday = json_integer_value(json_object_get(
        json_array_get(json_object_get(doc, "slots"), 2), "id"));
    json_decref(doc);
    form = mg_xasprintf("time_zone=&slot=%lld", friday);
    html = post_and_follow(page, "profile", form, "done=asked");
    free(form);
    free(html);
    /* Friday goes before the coordinator gets to it */
    patch_slots(W->later, two);
    doc = person(W->later, ira);
    group = json_integer_value(json_object_get(doc, "group_id"));
    json_decref(doc);
    path = test_circle_path(W->later, "/groups/%lld/members",
                            group == W->group ? W->other_group : W->group);
    body = mg_xasprintf("{\"participant_id\":%lld,\"force\":true}", ira);
    json_decref(call(&status, "POST", path, body));
    assert_int_equal(status, 200);
    free(body);
    free(path);
    mr = move_requests(W->later, "open");
    for (i = 0; i < json_array_size(json_object_get(mr, "move_requests")); i++)
        if (json_integer_value(json_object_get(
                json_array_get(json_object_get(mr, "move_requests"), i),
                "participant_id")) == ira)
            open_ira++;
    json_decref(mr);
    assert_int_equal(open_ira, 0);
    doc = person(W->later, ira);
    assert_int_equal(json_array_size(json_object_get(doc, "slots")), 1);
    assert_int_equal(
        json_integer_value(json_array_get(json_object_get(doc, "slots"), 0)),
        W->later_slot[0]);
    json_decref(doc);
    free(page);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_before_groups_changes_apply),
        cmocka_unit_test(test_bad_values_change_nothing),
        cmocka_unit_test(test_after_groups_move_request),
        cmocka_unit_test(test_move_request_dashboard_dismiss),
        cmocka_unit_test(test_member_note_filed),
        cmocka_unit_test(test_plenary_register_from_page),
        cmocka_unit_test(test_leave_confirm_then_withdrawn),
        cmocka_unit_test(test_withdrawn_page_changes_nothing),
        cmocka_unit_test(test_move_closes_request),
        cmocka_unit_test(test_api_withdraw_frees_places),
        cmocka_unit_test(test_placed_bad_ask_stores_nothing),
        cmocka_unit_test(test_move_keeps_record_when_ask_no_longer_valid),
    };

    return cmocka_run_group_tests(tests, setup_world, teardown_world);
}
