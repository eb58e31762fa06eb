/*
 * test_i18n_pages.c: every word a person reads goes through gettext. A
 * pseudo-language "qps" is made here from data/locale/mingle.pot with
 * gettext's own tools (each translation is its English text in ⟦ ⟧,
 * printf directives kept) and installed beside the English catalog in a
 * fresh locale_dir. A real `mingle serve` runs a circle in "qps" (large
 * enough that its invitations are built on two threads) and one in "en"
 * at the same time. A member's and a facilitator's page are parsed with
 * libxml2: every text in <main> must be pseudo-translated or be data the
 * test put in (names, titles, addresses, times and numbers), so an English
 * string that missed _() fails here. The invitations in the maildir,
 * the member's calendar feed and the groups' Atom feeds are
 * pseudo-translated too; the English circle stays English. The
 * coordinator's dashboard pages of the "qps" circle (the circle, a
 * person's move, the rebalance preview, the review queue, a plenary, the
 * digest) are checked the same way; those about every circle are English.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <libxml/HTMLparser.h>
#include <libxml/xpath.h>

#include "mingle/cpd.h"
#include "mingle/inbound.h"
#include "mingle/store.h"
#include "support.h"

#define OPEN "\xe2\x9f\xa6"  /* ⟦ */
#define CLOSE "\xe2\x9f\xa7" /* ⟧ */
#define N_QPS 20             /* >= 16: the invitations use both threads */
#define N_EN 3
#define VIDEO "https://meet.example.org/atlas"
/* Why a message waits for review: stored, in English, when it is filed */
#define REVIEW_REASON "sender not in the group"

static const char book_md[] = "# Chapter One\n\nalpha beta gamma delta\n\n"
                              "# Chapter Two\n\nepsilon zeta eta theta\n\n"
                              "# Chapter Three\n\niota kappa lambda mu\n\n"
                              "# Chapter Four\n\nnu xi omicron pi\n";

struct world {
    char *locale; /* the test's locale_dir */
    struct test_site site;
    long long qps, en;                      /* the two circles */
    char *fac_page, *member_page, *en_page; /* /p/<token> */
    char **data;                            /* what the test put in */
    size_t n_data;
};

static struct world *W;

static void add_data(struct world *w, const char *s)
{
    w->data = realloc(w->data, (w->n_data + 1) * sizeof(*w->data));
    assert_non_null(w->data);
    w->data[w->n_data++] = mg_xstrdup(s);
}

/* The pseudo catalog from the template: msgen copies each msgid into
 * its msgstr, msgfilter wraps every line of it in ⟦ ⟧, msgfmt --check
 * proves the printf directives survived. */
static int make_catalogs(const char *dir)
{
    char *cmd = mg_xasprintf(
        "set -e; cd '%s'; mkdir -p C.UTF-8/LC_MESSAGES; "
        "sed -e 's/charset=CHARSET/charset=UTF-8/' "
        "-e 's/nplurals=INTEGER; plural=EXPRESSION;/nplurals=2; "
        "plural=(n != 1);/' '" MINGLE_DATA_DIR "/locale/mingle.pot' > qps.pot; "
        "msgen -o qps-en.po qps.pot; "
        "msgfilter --keep-header -i qps-en.po -o qps.po sed -e 's/^/" OPEN
        "/' -e 's/$/" CLOSE "/'; "
        "msgfmt --check-format --check-domain -o "
        "C.UTF-8/LC_MESSAGES/mingle-qps.mo qps.po; "
        "if [ -f '" MINGLE_BUILD_LOCALE_DIR
        "/C.UTF-8/LC_MESSAGES/mingle-en.mo' "
        "]; then cp '" MINGLE_BUILD_LOCALE_DIR
        "/C.UTF-8/LC_MESSAGES/mingle-en.mo' C.UTF-8/LC_MESSAGES/; fi",
        dir);
    int rc = system(cmd);

    free(cmd);
    return rc == 0 ? 0 : -1;
}

static json_t *call(long *status, const char *method, const char *path,
                    const char *body, const char *ctype)
{
    return test_site_call(&W->site, status, method, path, body, ctype);
}

static char *cpath(long long circle, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static char *cpath(long long circle, const char *fmt, ...)
{
    char rest[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(rest, sizeof(rest), fmt, ap);
    va_end(ap);
    return mg_xasprintf("/api/v1/circles/%lld%s", circle, rest);
}

/* POST or GET `path` of circle `circle`; 0 unless the status is one of
 * `ok1`, `ok2`. *out (when not NULL) gets the answer. */
static int circle_call(json_t **out, long long circle, const char *method,
                       const char *rest, const char *body, const char *ctype,
                       long ok1, long ok2)
{
    char *path = cpath(circle, "%s", rest);
    long status = 0;
    json_t *doc = call(&status, method, path, body, ctype);

    free(path);
    if (out)
        *out = doc;
    else
        json_decref(doc);
    return status == ok1 || status == ok2 ? 0 : -1;
}

/* The page of the first participant of `circle` whose role is `role`
 * and who is in a group: its path (/p/<token>). */
static char *page_of(long long circle, const char *role)
{
    json_t *doc = NULL, *list;
    long long pid = 0;
    char *path, *out = NULL;
    const char *url;
    size_t i;

    if (circle_call(&doc, circle, "GET", "/participants", NULL, NULL, 200, 200))
        return NULL;
    list = json_object_get(doc, "participants");
    for (i = 0; !pid && i < json_array_size(list); i++) {
        json_t *p = json_array_get(list, i);
        if (strcmp(json_string_value(json_object_get(p, "role")), role) == 0 &&
            json_integer_value(json_object_get(p, "group_id")) > 0)
            pid = json_integer_value(json_object_get(p, "id"));
    }
    json_decref(doc);
    if (!pid)
        return NULL;
    path = mg_xasprintf("/participants/%lld/page", pid);
    circle_call(&doc, circle, "POST", path, NULL, NULL, 201, 201);
    free(path);
    url = json_string_value(json_object_get(doc, "url"));
    if (url && strstr(url, "/p/"))
        out = mg_xstrdup(strstr(url, "/p/"));
    json_decref(doc);
    return out;
}

/* The group names mingle gave, as data the pages may show. */
static int add_group_names(struct world *w, long long circle)
{
    json_t *doc = NULL, *list;
    size_t i, n;

    if (circle_call(&doc, circle, "GET", "/groups", NULL, NULL, 200, 200))
        return -1;
    list = json_object_get(doc, "groups");
    n = json_array_size(list);
    for (i = 0; i < n; i++)
        add_data(w, json_string_value(
                        json_object_get(json_array_get(list, i), "name")));
    json_decref(doc);
    return n > 0 ? 0 : -1;
}

/* A circle with the book, `n` people (every sixth a facilitator) and
 * its groups planned (which queues the invitations). */
static long long make_circle(struct world *w, const char *slug,
                             const char *lang, const char *domain, int n)
{
    char start[16], *json;
    struct mg_buf csv = MG_BUF_INIT;
    time_t t = time(NULL) - 10 * 86400; /* under way: calls held */
    struct tm tm;
    long long id;
    int i;

    gmtime_r(&t, &tm);
    strftime(start, sizeof(start), "%Y-%m-%d", &tm);
    json = mg_xasprintf(
        "{\"title\":\"Atlas Circle\",\"slug\":\"%s\",\"language\":\"%s\","
        "\"time_zone\":\"Pacific/Auckland\",\"start_date\":\"%s\","
        "\"weeks\":4,\"group_size\":{\"min\":3,\"max\":8},\"slots\":[{"
        "\"weekday\":\"tuesday\",\"start\":\"19:30\",\"minutes\":60}],"
        "\"video_url\":\"" VIDEO "\",\"organizer\":{\"name\":\"Coordinators\","
        "\"email\":\"circles@example.org\"}}",
        slug, lang, start);
    id = test_site_circle(&w->site, json, NULL);
    free(json);
    if (!id)
        return 0;
    if (circle_call(NULL, id, "POST", "/book?name=book.md", book_md,
                    "text/markdown", 201, 201))
        return 0;
    mg_buf_puts(&csv, "name,email,role,sector,region\n");
    for (i = 0; i < n; i++) {
        char name[32], email[64];

        snprintf(name, sizeof(name), "Hine Tama %02d", i);
        snprintf(email, sizeof(email), "hine%02d@%s", i, domain);
        mg_buf_printf(&csv, "%s,%s,%s,public,Otautahi\n", name, email,
                      i % 6 == 0 ? "facilitator" : "participant");
        add_data(w, name);
    }
    i = circle_call(NULL, id, "POST", "/participants", csv.data, "text/csv",
                    201, 201);
    mg_buf_release(&csv);
    if (i < 0 ||
        circle_call(NULL, id, "POST", "/groups/plan", "{}", NULL, 200, 201) ||
        add_group_names(w, id) < 0)
        return 0;
    return id;
}

static int longest_first(const void *a, const void *b)
{
    size_t x = strlen(*(char *const *)a), y = strlen(*(char *const *)b);

    return x < y ? 1 : x > y ? -1 : 0;
}

static int setup_world(void **state)
{
    struct world *w = mg_xcalloc(1, sizeof(*w));
    static const char *const data[] = {
        "Atlas Circle",     "Chapter One",  "Chapter Two", "Chapter Three",
        "Chapter Four",     "Coordinators", "public",      "Otautahi",
        "Pacific/Auckland", VIDEO,          "UTC",         "We met and read.",
        REVIEW_REASON};
    char *env_locale;
    const char *env[4];
    struct test_site_opts opts = {.maildir = 1, .env = env};
    size_t i;
    int g, k;

    *state = w;
    W = w;
    for (i = 0; i < sizeof(data) / sizeof(data[0]); i++)
        add_data(w, data[i]);
    /* The subject tags a facilitator's page shows: "[Atlas-qps G1 W3]". */
    for (g = 1; g <= 9; g++)
        for (k = 1; k <= 4; k++) {
            char tag[48];
            snprintf(tag, sizeof(tag), "[Atlas-qps G%d W%d]", g, k);
            add_data(w, tag);
        }
    /* the groups' mail addresses (their local parts), on the dashboard */
    for (g = 1; g <= 9; g++) {
        char local[32];
        snprintf(local, sizeof(local), "atlas-qps-g%d", g);
        add_data(w, local);
    }
    w->locale = test_mkdtemp();
    if (make_catalogs(w->locale) < 0)
        return -1;
    env_locale = mg_xasprintf("MINGLE_LOCALE_DIR=%s", w->locale);
    env[0] = env_locale;
    env[1] = "MINGLE_OUTBOX_INTERVAL=1";
    env[2] = "MINGLE_MAIL_DOMAIN=example.org";
    env[3] = NULL;
    k = test_site_start(&w->site, "i18n.db", &opts);
    free(env_locale);
    if (k < 0)
        return -1;
    w->qps = make_circle(w, "atlas-qps", "qps", "qps.example.org", N_QPS);
    w->en = make_circle(w, "atlas-en", "en", "en.example.org", N_EN);
    if (!w->qps || !w->en)
        return -1;
    /* the sign-up page's address, shown on the dashboard: data */
    add_data(w, "/join/atlas-qps");
    /* the CPD section's Body of Knowledge list: LIANZA's names, data */
    {
        const struct mg_cpd_list *l = mg_cpd_list();
        size_t t;

        for (t = 0; t < l->n_areas; t++)
            add_data(w, l->areas[t].label);
        for (t = 0; t < l->n_domains; t++)
            add_data(w, l->domains[t].label);
    }
    /* longest first, so a name is taken out before a shorter one in it */
    qsort(w->data, w->n_data, sizeof(*w->data), longest_first);
    w->fac_page = page_of(w->qps, "facilitator");
    w->member_page = page_of(w->qps, "participant");
    w->en_page = page_of(w->en, "participant");
    return w->fac_page && w->member_page && w->en_page ? 0 : -1;
}

static int teardown_world(void **state)
{
    struct world *w = *state;
    size_t i;

    if (!w)
        return 0;
    test_site_stop(&w->site, SIGTERM);
    if (w->locale)
        test_rmdir(w->locale);
    for (i = 0; i < w->n_data; i++)
        free(w->data[i]);
    free(w->data);
    free(w->fac_page);
    free(w->member_page);
    free(w->en_page);
    free(w);
    return 0;
}

static char *get_page(const char *path, long want)
{
    struct test_response resp;
    char *body;

    assert_int_equal(
        test_http(&resp, W->site.d.port, "GET", path, NULL, NULL, NULL), 0);
    if (resp.status != want)
        fail_msg("GET %s: %ld, not %ld", path, resp.status, want);
    body = resp.body;
    resp.body = NULL;
    test_response_release(&resp);
    return body;
}

/* Blank out every ⟦...⟧ (nested ones too); -1 if they do not pair. */
static int blank_pseudo(char *s)
{
    size_t i, n = strlen(s);
    int depth = 0;

    for (i = 0; i < n; i++) {
        if (strncmp(s + i, OPEN, 3) == 0 || strncmp(s + i, CLOSE, 3) == 0) {
            depth += s[i + 2] == OPEN[2] ? 1 : -1;
            if (depth < 0)
                return -1;
            memset(s + i, ' ', 3);
            i += 2;
        } else if (depth > 0) {
            s[i] = ' ';
        }
    }
    return depth == 0 ? 0 : -1;
}

/* Blank out each occurrence of `word` in `s`. */
static void blank_word(char *s, const char *word)
{
    size_t n = strlen(word);
    char *p;

    while (n && (p = strstr(s, word)) != NULL)
        memset(p, ' ', n);
}

/* What is left of `text` once translations, the test's data and email
 * addresses are taken out must hold no letter: no English escaped. */
static void check_text(const char *text, const char *page)
{
    char *s = mg_xstrdup(text), *p;
    size_t i;

    if (blank_pseudo(s) < 0)
        fail_msg("%s: unpaired brackets in '%s'", page, text);
    for (i = 0; i < W->n_data; i++)
        blank_word(s, W->data[i]);
    /* addresses: a run of non-spaces around '@' */
    while ((p = strchr(s, '@')) != NULL) {
        char *a = p, *b = p;
        while (a > s && a[-1] != ' ' && a[-1] != '\n')
            a--;
        while (*b && *b != ' ' && *b != '\n')
            b++;
        memset(a, ' ', (size_t)(b - a));
    }
    for (p = s; *p; p++)
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
            fail_msg("%s: untranslated text '%s' (left: '%s')", page, text, s);
    free(s);
}

/* Parse a page: <html lang>, then every text node in <main>. Returns
 * how many non-empty texts were checked. */
static int check_page(const char *html, const char *lang, const char *name)
{
    htmlDocPtr doc = htmlReadMemory(html, (int)strlen(html), NULL, "utf-8",
                                    HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                        HTML_PARSE_NONET);
    xmlXPathContextPtr ctx;
    xmlXPathObjectPtr o;
    char expr[64];
    int i, checked = 0;

    assert_non_null(doc);
    ctx = xmlXPathNewContext(doc);
    snprintf(expr, sizeof(expr), "/html[@lang='%s']", lang);
    o = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
    assert_true(o && o->nodesetval && o->nodesetval->nodeNr == 1);
    xmlXPathFreeObject(o);
    /* what a reader reads: not a stylesheet a page put in <main> */
    o = xmlXPathEvalExpression(
        (const xmlChar *)"//main//text()[not(ancestor::style)]", ctx);
    assert_non_null(o);
    for (i = 0; o->nodesetval && i < o->nodesetval->nodeNr; i++) {
        xmlChar *t = xmlNodeGetContent(o->nodesetval->nodeTab[i]);
        const char *s = (const char *)t;

        if (s && s[strspn(s, " \t\r\n")]) {
            check_text(s, name);
            checked++;
        }
        xmlFree(t);
    }
    xmlXPathFreeObject(o);
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    return checked;
}

/* A member's page: all of it translated, in <html lang="qps">. */
static void test_member_page(void **state)
{
    char *html = get_page(W->member_page, 200), *path, *ics;
    const char *feed;

    (void)state;
    assert_true(check_page(html, "qps", "member's page") > 20);
    assert_non_null(strstr(html, OPEN "Your group" CLOSE));
    /* a weekly time: weekday names and the "to" go through the catalog */
    assert_non_null(strstr(html, OPEN OPEN "Tuesdays" CLOSE ", 19:30 to"));
    /* the member's calendar feed: the readings in its events are the
     * circle's words too */
    feed = strstr(html, "/cal/");
    assert_non_null(feed);
    path = mg_xasprintf("%.*s", (int)strcspn(feed, "\"?&"), feed);
    assert_non_null(strstr(path, ".ics"));
    ics = get_page(path, 200);
    assert_non_null(strstr(ics, "DESCRIPTION:" OPEN "Week 1: Chapter"));
    free(ics);
    free(path);
    free(html);
}

/* A facilitator's page shows much more (members, attendance forms, who
 * is coming, how to post); a summary posted on it is shown as well. */
static void test_facilitator_page(void **state)
{
    struct test_response resp;
    char *path = mg_xasprintf("%s/summary", W->fac_page), *html;

    (void)state;
    assert_int_equal(test_http(&resp, W->site.d.port, "POST", path, NULL,
                               "week=1&text=We+met+and+read.",
                               "application/x-www-form-urlencoded"),
                     0);
    assert_int_equal(resp.status, 303);
    test_response_release(&resp);
    free(path);
    path = mg_xasprintf("%s?done=summary&week=1", W->fac_page);
    html = get_page(path, 200);
    assert_true(check_page(html, "qps", "facilitator's page") > 50);
    assert_non_null(strstr(html, "id=\"members\""));
    assert_non_null(strstr(html, "id=\"post\""));
    assert_non_null(strstr(html, OPEN "Who came" CLOSE));
    /* the summary's default title was written in the circle's language */
    assert_non_null(strstr(html, OPEN "Week 1 summary" CLOSE));
    free(html);
    free(path);
}

/* The groups' Atom feeds of summaries: in the circle's language, and
 * the summary posted on the facilitator's page is one of their entries. */
static void test_atom(void **state)
{
    json_t *doc = NULL, *list;
    size_t i;
    int entries = 0;

    (void)state;
    assert_int_equal(
        circle_call(&doc, W->qps, "GET", "/groups", NULL, NULL, 200, 200), 0);
    list = json_object_get(doc, "groups");
    assert_true(json_array_size(list) > 1);
    for (i = 0; i < json_array_size(list); i++) {
        long long gid =
            json_integer_value(json_object_get(json_array_get(list, i), "id"));
        char *rest = mg_xasprintf("/groups/%lld/notes-feed", gid), *feed;
        json_t *minted = NULL;
        const char *url;

        assert_int_equal(
            circle_call(&minted, W->qps, "POST", rest, NULL, NULL, 201, 201),
            0);
        url = json_string_value(json_object_get(minted, "url"));
        assert_non_null(url);
        assert_non_null(strstr(url, "/notes/"));
        feed = get_page(strstr(url, "/notes/"), 200);
        assert_non_null(strstr(feed, "xml:lang=\"qps\""));
        assert_non_null(strstr(feed, "<title>" OPEN "Atlas Circle: Group"));
        entries += strstr(feed, OPEN "Week 1 summary" CLOSE) != NULL;
        free(feed);
        json_decref(minted);
        free(rest);
    }
    json_decref(doc);
    assert_int_equal(entries, 1);
}

/* A page's error answers are in the circle's language too. */
static void test_error_page(void **state)
{
    struct test_response resp;
    char *path = mg_xasprintf("%s/rsvp", W->member_page);

    (void)state;
    assert_int_equal(test_http(&resp, W->site.d.port, "POST", path, NULL,
                               "answer=perhaps",
                               "application/x-www-form-urlencoded"),
                     0);
    assert_int_equal(resp.status, 400);
    check_page(resp.body, "qps", "error page");
    assert_non_null(strstr(resp.body, OPEN "Answer not understood" CLOSE));
    test_response_release(&resp);
    /* a form's path with a method it does not take */
    assert_int_equal(test_http(&resp, W->site.d.port, "PUT", path, NULL,
                               "answer=accepted",
                               "application/x-www-form-urlencoded"),
                     0);
    assert_int_equal(resp.status, 405);
    check_page(resp.body, "qps", "405 page");
    assert_non_null(strstr(resp.body, OPEN "Not allowed" CLOSE));
    test_response_release(&resp);
    free(path);
    /* an unknown page belongs to no circle: English */
    path = get_page("/p/0123456789abcdef0123456789abcdef0123456789abcdef", 404);
    assert_non_null(strstr(path, "<html lang=\"en\""));
    assert_null(strstr(path, OPEN));
    free(path);
}

/* The English circle, served by the same daemon meanwhile, is English. */
static void test_english_circle(void **state)
{
    char *html = get_page(W->en_page, 200);

    (void)state;
    assert_non_null(strstr(html, "<html lang=\"en\""));
    assert_null(strstr(html, OPEN));
    assert_non_null(strstr(html, ">Your group<"));
    assert_non_null(strstr(html, "address is yours alone"));
    free(html);
    html = get_page(W->member_page, 200);
    assert_non_null(strstr(html, "<html lang=\"qps\""));
    free(html);
}

/* The invitations in the maildir: pseudo-translated for the "qps"
 * circle (built on two threads), English for the other. */
static void test_invitations(void **state)
{
    char *newdir = mg_xasprintf("%s/new", W->site.maildir);
    int qps = 0, en = 0, tries;

    (void)state;
    for (tries = 0; tries < 100 * test_slowdown(); tries++) {
        DIR *d = opendir(newdir);
        struct dirent *e;

        qps = en = 0;
        while (d && (e = readdir(d)) != NULL) {
            struct mg_inbound m;
            char *file, *data;
            size_t len = 0;

            if (e->d_name[0] == '.')
                continue;
            file = mg_xasprintf("%s/%s", newdir, e->d_name);
            data = test_read_file(file, &len);
            free(file);
            if (data && mg_inbound_from_mime(&m, data, len, NULL, NULL) == 0 &&
                m.n_recipients == 1) {
                const char *to = m.recipients[0];

                assert_non_null(m.subject);
                assert_non_null(m.text);
                if (strstr(to, "@qps.example.org")) {
                    if (strncmp(m.subject, OPEN "Invitation: ", 3 + 12) != 0)
                        fail_msg("subject '%s' to %s", m.subject, to);
                    assert_non_null(strstr(m.text, OPEN "Kia ora Hine"));
                    assert_non_null(strstr(m.text, OPEN "Week 1: Chapter"));
                    assert_non_null(strstr(m.text, OPEN "Video call: " VIDEO));
                    qps++;
                } else if (strstr(to, "@en.example.org")) {
                    if (strncmp(m.subject, "Invitation: ", 12) != 0)
                        fail_msg("subject '%s' to %s", m.subject, to);
                    assert_null(strstr(m.text, OPEN));
                    assert_non_null(strstr(m.text, "Kia ora Hine"));
                    en++;
                }
                mg_inbound_release(&m);
            }
            free(data);
        }
        if (d)
            closedir(d);
        if (qps == N_QPS && en == N_EN)
            break;
        usleep(100000);
    }
    free(newdir);
    assert_int_equal(qps, N_QPS);
    assert_int_equal(en, N_EN);
}

/* --- the coordinator's dashboard ---------------------------------------- */

/* Log in to the dashboard with the site's coordinator token, as a
 * browser does: the session cookie ("mingle_session=..."). */
static char *dash_login(void)
{
    struct test_response resp;
    char *form = mg_xasprintf("token=%s", W->site.token), *cookie = NULL;
    const char *sc;

    assert_int_equal(test_http(&resp, W->site.d.port, "POST",
                               "/dashboard/login", NULL, form,
                               "application/x-www-form-urlencoded"),
                     0);
    assert_int_equal(resp.status, 303);
    sc = resp.headers ? strcasestr(resp.headers, "\nSet-Cookie: ") : NULL;
    assert_non_null(sc);
    sc += strlen("\nSet-Cookie: ");
    cookie = mg_xstrndup(sc, strcspn(sc, ";\r\n"));
    test_response_release(&resp);
    free(form);
    return cookie;
}

/* GET a dashboard page with the session `cookie`; its body. */
static char *dash_get(const char *cookie, long want, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static char *dash_get(const char *cookie, long want, const char *fmt, ...)
{
    struct test_response resp;
    char path[256], *c = mg_xasprintf("Cookie: %s", cookie), *body;
    const char *extra[2] = {c, NULL};
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(path, sizeof(path), fmt, ap);
    va_end(ap);
    assert_int_equal(test_http_ex(&resp, W->site.d.port, "GET", path, NULL,
                                  extra, NULL, 0, NULL),
                     0);
    if (resp.status != want)
        fail_msg("GET %s: %ld, not %ld", path, resp.status, want);
    body = resp.body;
    resp.body = NULL;
    test_response_release(&resp);
    free(c);
    return body;
}

/* A message waiting for review in `circle`, written to the store as the
 * notes module files one; its words are the test's data. */
static void add_review_note(long long circle)
{
    struct mg_store_options opt = {1, 5000};
    struct mg_error err = {{0}, {0}};
    struct mg_store *st = NULL;
    struct mg_note n;
    int64_t id = 0;
    int dup = 0;

    assert_int_equal(mg_store_open(&st, W->site.db, &opt, &err), 0);
    memset(&n, 0, sizeof(n));
    n.circle_id = circle;
    snprintf(n.kind, sizeof(n.kind), "note");
    n.status = MG_STORE_NOTE_REVIEW;
    n.provider = (char *)"mime";
    n.message_id = (char *)"<review-qps@example.org>";
    n.from_name = (char *)"Hine Tama 01";
    n.from_email = (char *)"hine01@qps.example.org";
    n.subject = (char *)"Chapter Two";
    n.body = (char *)"We met and read.";
    n.full_text = n.body;
    n.review_reason = (char *)REVIEW_REASON;
    n.sent_at = (int64_t)time(NULL) - 3600;
    n.received_at = n.sent_at + 60;
    assert_int_equal(mg_store_note_insert(&id, &dup, st, &n), 0);
    mg_store_close(st);
}

/* The ids of the first two active participants of `circle` in a group. */
static void two_people(long long out[2], long long circle)
{
    json_t *doc = NULL, *list;
    size_t i, k = 0;

    assert_int_equal(
        circle_call(&doc, circle, "GET", "/participants", NULL, NULL, 200, 200),
        0);
    list = json_object_get(doc, "participants");
    for (i = 0; k < 2 && i < json_array_size(list); i++) {
        json_t *p = json_array_get(list, i);
        if (strcmp(json_string_value(json_object_get(p, "status")), "active") ==
                0 &&
            json_integer_value(json_object_get(p, "group_id")) > 0)
            out[k++] = json_integer_value(json_object_get(p, "id"));
    }
    json_decref(doc);
    assert_int_equal(k, 2);
}

/* A plenary of one place in `circle`, one person registered and one on
 * its waitlist: its id. */
static long long add_plenary(long long circle, const long long who[2])
{
    char start[32], *body, rest[96];
    time_t t = time(NULL) + 3 * 86400;
    json_t *doc = NULL;
    long long id;
    struct tm tm;
    int i;

    gmtime_r(&t, &tm);
    strftime(start, sizeof(start), "%Y-%m-%dT19:30", &tm);
    body = mg_xasprintf("{\"title\":\"Atlas Circle\",\"start\":\"%s\","
                        "\"capacity\":1}",
                        start);
    assert_int_equal(
        circle_call(&doc, circle, "POST", "/plenaries", body, NULL, 201, 201),
        0);
    free(body);
    id = json_integer_value(json_object_get(doc, "id"));
    json_decref(doc);
    assert_true(id > 0);
    for (i = 0; i < 2; i++) {
        snprintf(rest, sizeof(rest), "/plenaries/%lld/registrations", id);
        body = mg_xasprintf("{\"participant_id\":%lld}", who[i]);
        assert_int_equal(
            circle_call(NULL, circle, "POST", rest, body, NULL, 200, 201), 0);
        free(body);
    }
    return id;
}

/* The dashboard's pages of the "qps" circle are all in its language,
 * every word; its pages about every circle, and the English circle's,
 * are English. Last, as its plenary sends mail of its own. */
static void test_dashboard(void **state)
{
    char *cookie = dash_login(), *html;
    long long people[2], plenary;

    (void)state;
    add_review_note(W->qps);
    two_people(people, W->qps);
    plenary = add_plenary(W->qps, people);

    html = dash_get(cookie, 200, "/dashboard/circles/%lld", W->qps);
    assert_true(check_page(html, "qps", "dashboard: the circle") > 100);
    assert_non_null(strstr(html, OPEN "Groups" CLOSE));
    assert_non_null(strstr(html, OPEN "Group sizes by sector" CLOSE));
    assert_non_null(strstr(html, OPEN "Log out" CLOSE));
    free(html);
    html = dash_get(cookie, 200, "/dashboard/circles/%lld/people/%lld/move",
                    W->qps, people[0]);
    assert_true(check_page(html, "qps", "dashboard: a move") > 5);
    assert_non_null(strstr(html, OPEN "Back to the circle" CLOSE));
    free(html);
    /* a refused move says why in the circle's words */
    html = dash_get(cookie, 200,
                    "/dashboard/circles/%lld/people/%lld/move?error=number",
                    W->qps, people[0]);
    check_page(html, "qps", "dashboard: a refused move");
    assert_non_null(strstr(html, OPEN "There is no group of that number."));
    free(html);
    html = dash_get(cookie, 200, "/dashboard/circles/%lld/rebalance", W->qps);
    assert_true(check_page(html, "qps", "dashboard: rebalance preview") > 5);
    free(html);
    html = dash_get(cookie, 200, "/dashboard/circles/%lld/review", W->qps);
    assert_true(check_page(html, "qps", "dashboard: the review queue") > 10);
    assert_non_null(strstr(html, OPEN "Approve" CLOSE));
    free(html);
    html = dash_get(cookie, 200, "/dashboard/circles/%lld/plenaries/%lld",
                    W->qps, plenary);
    assert_true(check_page(html, "qps", "dashboard: a plenary") > 10);
    assert_non_null(strstr(html, OPEN "Waitlist place" CLOSE));
    free(html);
    html =
        dash_get(cookie, 200, "/dashboard/circles/%lld/digest?week=1", W->qps);
    assert_true(check_page(html, "qps", "dashboard: the digest") > 5);
    free(html);
    html = dash_get(cookie, 200, "/dashboard/circles/%lld/digest", W->qps);
    check_page(html, "qps", "dashboard: the digest's weeks");
    free(html);
    /* an error page of the circle's */
    html =
        dash_get(cookie, 404, "/dashboard/circles/%lld/digest?week=9", W->qps);
    check_page(html, "qps", "dashboard: no such week");
    free(html);

    /* every circle's pages, and the English circle's, are English */
    html = dash_get(cookie, 200, "/dashboard");
    assert_non_null(strstr(html, "<html lang=\"en\""));
    assert_null(strstr(html, OPEN));
    free(html);
    html = dash_get(cookie, 200, "/dashboard/review");
    assert_non_null(strstr(html, "<html lang=\"en\""));
    assert_null(strstr(html, OPEN));
    assert_non_null(strstr(html, REVIEW_REASON));
    free(html);
    html = dash_get(cookie, 200, "/dashboard/circles/%lld", W->en);
    assert_non_null(strstr(html, "<html lang=\"en\""));
    assert_null(strstr(html, OPEN));
    assert_non_null(strstr(html, ">Group sizes by sector<"));
    free(html);
    free(cookie);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_member_page),
        cmocka_unit_test(test_facilitator_page),
        cmocka_unit_test(test_atom),
        cmocka_unit_test(test_error_page),
        cmocka_unit_test(test_english_circle),
        cmocka_unit_test(test_invitations),
        cmocka_unit_test(test_dashboard),
    };

    return cmocka_run_group_tests(tests, setup_world, teardown_world);
}
