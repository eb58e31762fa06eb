/*
 * test_notes.c: notes read back. A circle with two groups and a book is
 * stored, notes are inserted through the store (summaries, notes, some
 * in review, names and bodies full of markup), then the digest (Markdown
 * and HTML, read back with libxml2's HTML parser), the Atom feed (parsed
 * with libxml2), the list filters, approve/reject and duplicates are
 * checked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "mingle/book.h"
#include "mingle/html.h"
#include "mingle/notes.h"
#include "mingle/schedule.h"
#include "mingle/store.h"
#include "support.h"

/*
 * Times in Pacific/Auckland (NZDT, +13 in March 2030):
 *   TZ=Pacific/Auckland date -d '2030-03-05 20:30' +%s  -> 1898926200
 *   TZ=Pacific/Auckland date -d '2030-03-05 20:00' +%s  -> 1898924400
 *   TZ=Pacific/Auckland date -d '2030-03-12 21:15' +%s  -> 1899533700
 * The circle starts on Monday 4 March 2030, so no week has begun yet and
 * "every week so far" is the weeks that have notes.
 */
#define T_SUMMARY1 1898926200LL
#define T_NOTE 1898924400LL
#define T_SUMMARY2 1899533700LL

/* Four chapters of equal length: over two weeks, 1-2 and 3-4. */
static const char book_md[] =
    "# Chapter One\n\none two three four five six seven eight nine ten\n\n"
    "# Chapter Two\n\none two three four five six seven eight nine ten\n\n"
    "# Chapter Three\n\none two three four five six seven eight nine ten\n\n"
    "# Chapter Four\n\none two three four five six seven eight nine ten\n";

struct world {
    char *dir, *db;
    struct mg_store *st;
    int64_t circle, g1, g2, fac, member;
    int64_t sum1, note1, sum_g2, sum2, review1, lost;
};

static void store_book(struct world *w, struct mg_circle *c)
{
    struct mg_error err = {{0}, {0}};
    struct mg_book *b = NULL;
    struct mg_book_split s;
    struct mg_book_upload up;
    int64_t book_id = 0;

    assert_int_equal(mg_book_parse_markdown(&b, book_md, strlen(book_md), &err),
                     0);
    assert_int_equal(mg_book_split(&s, b, c->weeks, &err), 0);
    memset(&up, 0, sizeof(up));
    up.book = b;
    up.source_name = "book.md";
    up.threads = s.threads;
    up.n_threads = s.n_threads;
    up.same_pace = s.same_pace;
    up.n_same_pace = s.n_same_pace;
    up.per_thread = (const struct mg_reading *const *)s.per_thread;
    up.n_per_thread = s.n_per_thread;
    assert_int_equal(mg_store_book_replace(&book_id, w->st, c->id, &up), 0);
    mg_book_split_release(&s);
    mg_book_free(b);
}

/* Insert a note; the strings are borrowed for the call. */
static int64_t add_note(struct world *w, int64_t circle, int64_t group,
                        int week, const char *kind, const char *status,
                        int64_t participant, const char *from_name,
                        const char *from_email, const char *subject,
                        const char *body, int64_t sent_at,
                        const char *message_id)
{
    struct mg_note n;
    int64_t id = 0;
    int dup = -1;

    memset(&n, 0, sizeof(n));
    n.circle_id = circle;
    n.group_id = group;
    n.week = week;
    n.participant_id = participant;
    snprintf(n.kind, sizeof(n.kind), "%s", kind);
    assert_int_equal(mg_store_note_status_parse(&n.status, status), 0);
    n.review_reason =
        strcmp(status, "review") == 0 ? (char *)"sender not in group" : NULL;
    n.provider = (char *)"test";
    n.message_id = (char *)message_id;
    n.from_name = (char *)from_name;
    n.from_email = (char *)from_email;
    n.subject = (char *)subject;
    n.body = (char *)body;
    n.raw = (char *)"Subject: x\r\n\r\nraw\r\n";
    n.raw_len = strlen(n.raw);
    n.sent_at = sent_at;
    n.received_at = sent_at + 60;
    assert_int_equal(mg_store_note_insert(&id, &dup, w->st, &n), 0);
    assert_int_equal(dup, 0);
    assert_true(id > 0);
    return id;
}

static int setup(void **state)
{
    struct world *w = mg_xcalloc(1, sizeof(*w));
    struct mg_store_options opt = {2, 2000};
    struct mg_error err = {{0}, {0}};
    struct mg_circle c;
    struct mg_participant people[2];
    struct mg_group_row groups[2];
    struct mg_span *threads = NULL;
    size_t n_threads = 0;
    int64_t ids[2];
    int index[2] = {0, 0};

    w->dir = test_mkdtemp();
    w->db = mg_xasprintf("%s/notes.db", w->dir);
    assert_int_equal(mg_store_open(&w->st, w->db, &opt, &err), 0);

    memset(&c, 0, sizeof(c));
    c.title = mg_xstrdup("Atlas & <friends>");
    c.time_zone = mg_xstrdup("Pacific/Auckland");
    memcpy(c.start_date, "2030-03-04", 11);
    c.weeks = 2;
    c.n_slots = 1;
    c.slots = mg_xcalloc(1, sizeof(*c.slots));
    c.slots[0].weekday = 2;
    c.slots[0].start_minute = 19 * 60 + 30;
    c.slots[0].minutes = 60;
    c.group_min = 1;
    c.group_max = 8;
    assert_int_equal(mg_store_circle_create(w->st, &c), 0);
    w->circle = c.id;
    store_book(w, &c);
    assert_int_equal(mg_store_threads(&threads, &n_threads, w->st, w->circle),
                     0);
    assert_int_equal(n_threads, 4);
    assert_string_equal(threads[2].title, "Chapter Three");

    memset(people, 0, sizeof(people));
    people[0].name = mg_xstrdup("Tāne Mahuta");
    people[0].email = mg_xstrdup("tane@example.org");
    people[0].role = MG_PERSON_FACILITATOR;
    people[1].name = mg_xstrdup("Ana Cole");
    people[1].email = mg_xstrdup("ana@example.org");
    assert_int_equal(
        mg_store_participants_insert(NULL, w->st, w->circle, people, 2), 0);
    w->fac = people[0].id;
    w->member = people[1].id;
    ids[0] = people[0].id;
    ids[1] = people[1].id;

    /* Group 1 reads at the same pace, group 2 follows Chapter Three. */
    memset(groups, 0, sizeof(groups));
    groups[0].position = 1;
    groups[0].name = mg_xstrdup("Group 1");
    groups[0].slot_id = c.slots[0].id;
    groups[1].position = 2;
    groups[1].name = mg_xstrdup("Group 2");
    groups[1].slot_id = c.slots[0].id;
    groups[1].thread_id = threads[2].id;
    assert_int_equal(
        mg_store_groups_replace(w->st, w->circle, groups, 2, ids, index, 2), 0);
    w->g1 = groups[0].id;
    w->g2 = groups[1].id;
    mg_store_spans_free(threads, n_threads);
    free(groups[0].name);
    free(groups[1].name);
    mg_participant_release(&people[0]);
    mg_participant_release(&people[1]);
    mg_circle_release(&c);

    /* The member's note is older than the summary: the digest still
     * puts the summary first. */
    w->sum1 = add_note(w, w->circle, w->g1, 1, "summary", "published", w->fac,
                       "Facilitator", "tane@example.org", "Week one summary",
                       "We read chapters one and two.\nGood talk.", T_SUMMARY1,
                       "sum1@example.org");
    w->note1 = add_note(w, w->circle, w->g1, 1, "note", "published", 0,
                        "<script>alert(1)</script>", "eve@example.org",
                        "\"onerror=alert(2) x=",
                        "# heading\n<b>bold</b> & *stars*\n\n- item\n"
                        "1. first\n    indented",
                        T_NOTE, "note1@example.org");
    w->sum_g2 =
        add_note(w, w->circle, w->g2, 1, "summary", "published", 0, NULL,
                 "carol@example.org", NULL, "Chapter three was long.",
                 T_SUMMARY1 + 10, "sumg2@example.org");
    w->sum2 = add_note(w, w->circle, w->g1, 2, "summary", "published", 0,
                       "<img src=x onerror=alert(3)>", "dan@example.org",
                       "Second week", "<b>bold</b> & \x01 done", T_SUMMARY2,
                       "sum2@example.org");
    w->review1 = add_note(w, w->circle, w->g1, 1, "note", "review", 0,
                          "Stranger", "stranger@example.org", "Held back",
                          "not yet", T_NOTE + 5, "review1@example.org");
    w->lost =
        add_note(w, 0, 0, 0, "note", "review", 0, "Lost", "lost@x.org",
                 "Nowhere", "which group?", T_NOTE + 6, "lost@example.org");
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    struct world *w = *state;

    mg_store_close(w->st);
    test_rmdir(w->dir);
    free(w->db);
    free(w);
    return 0;
}

/* Where `needle` starts in `hay`, asserting it is there. */
static size_t at(const char *hay, const char *needle)
{
    const char *p = strstr(hay, needle);

    if (!p)
        fail_msg("'%s' not found in:\n%s", needle, hay);
    return (size_t)(p - hay);
}

static void test_digest_markdown(void **state)
{
    struct world *w = *state;
    struct mg_error err = {{0}, {0}};
    char *md = NULL;

    assert_int_equal(mg_notes_digest(&md, NULL, w->st, w->circle, 1, &err), 0);
    /* Headings, in order; the circle's title is escaped too. */
    assert_int_equal(at(md, "# Atlas &amp; &lt;friends&gt;: week 1\n"), 0);
    assert_true(at(md, "## Week 1 (from 2030-03-04)\n") <
                at(md, "### Group 1\n"));
    assert_true(at(md, "### Group 1\n") <
                at(md, "### Group 2 (thread: Chapter Three)\n"));
    /* Readings: same pace for group 1, its thread for group 2. */
    assert_true(at(md, "Reading: Chapter One ... Chapter Two\n") <
                at(md, "### Group 2"));
    assert_true(at(md, "Reading: Chapter Three\n") > at(md, "### Group 2"));
    /* The summary (by the participant's name) before the older note. */
    assert_true(at(md, "**Tāne Mahuta**, 2030-03-05 20:30: Week one summary") <
                at(md, "#### Notes"));
    assert_true(at(md, "#### Notes") <
                at(md, "**&lt;script&gt;alert(1)&lt;/script&gt;**, "
                       "2030-03-05 20:00: \"onerror=alert(2) x="));
    assert_non_null(strstr(md, "We read chapters one and two.  \nGood talk."));
    /* The body cannot open a heading, a list, HTML or emphasis. */
    assert_non_null(strstr(md, "\\# heading  \n&lt;b&gt;bold&lt;/b&gt; "
                               "&amp; \\*stars\\*\n\n\\- item  \n1\\. first  \n"
                               "indented\n"));
    assert_null(strstr(md, "<script>"));
    assert_null(strstr(md, "<b>"));
    assert_null(strstr(md, "\n# heading"));
    /* Group 2's summary by address; no note section for it. */
    assert_true(at(md, "**carol@example.org**, 2030-03-05 20:30\n\nChapter "
                       "three was long.") > at(md, "### Group 2"));
    assert_null(strstr(md + at(md, "### Group 2"), "#### Notes"));
    /* Not published, or another week: not there. */
    assert_null(strstr(md, "Held back"));
    assert_null(strstr(md, "Nowhere"));
    assert_null(strstr(md, "Second week"));
    free(md);
}

static xmlXPathObjectPtr eval(xmlXPathContextPtr ctx, const char *expr)
{
    xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, ctx);

    assert_non_null(o);
    return o;
}

static int count_nodes(xmlXPathContextPtr ctx, const char *expr)
{
    xmlXPathObjectPtr o = eval(ctx, expr);
    int n = o->nodesetval ? o->nodesetval->nodeNr : 0;

    xmlXPathFreeObject(o);
    return n;
}

/* The string value of `expr` (an XPath string() of it); free() it. */
static char *string_of(xmlXPathContextPtr ctx, const char *expr)
{
    char *wrapped = mg_xasprintf("string(%s)", expr);
    xmlXPathObjectPtr o = eval(ctx, wrapped);
    char *s = mg_xstrdup((const char *)o->stringval);

    xmlXPathFreeObject(o);
    free(wrapped);
    return s;
}

static void assert_xpath_string(xmlXPathContextPtr ctx, const char *expr,
                                const char *want)
{
    char *got = string_of(ctx, expr);

    assert_string_equal(got, want);
    free(got);
}

static void test_digest_html(void **state)
{
    struct world *w = *state;
    struct mg_error err = {{0}, {0}};
    char *html = NULL;
    htmlDocPtr doc;
    xmlXPathContextPtr ctx;

    assert_int_equal(mg_notes_digest(NULL, &html, w->st, w->circle, 1, &err),
                     0);
    assert_int_equal(at(html, "<!DOCTYPE html>\n"), 0);
    assert_non_null(strstr(html, "<meta charset=\"utf-8\">"));
    /* The raw markup never appears, its escaped form does. */
    assert_null(strstr(html, "<script>"));
    assert_null(strstr(html, "<b>"));
    assert_null(strstr(html, "\"onerror"));
    assert_non_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_non_null(strstr(html, "&quot;onerror=alert(2) x="));
    assert_non_null(strstr(html, "&lt;b&gt;bold&lt;/b&gt; &amp; *stars*"));
    assert_true(at(html, "Week one summary") < at(html, "&quot;onerror"));
    assert_non_null(strstr(html, "</html>\n"));

    /* Read back as a browser would: no script, the notes as text. */
    doc = htmlReadMemory(html, (int)strlen(html), NULL, "utf-8",
                         HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                             HTML_PARSE_NONET);
    assert_non_null(doc);
    ctx = xmlXPathNewContext(doc);
    assert_int_equal(count_nodes(ctx, "//script"), 0);
    assert_int_equal(count_nodes(ctx, "//b"), 0);
    assert_int_equal(count_nodes(ctx, "//*[@onerror]"), 0);
    assert_int_equal(count_nodes(ctx, "//article"), 3);
    assert_int_equal(count_nodes(ctx, "//article[@class='summary']"), 2);
    assert_xpath_string(ctx, "/html/head/title", "Atlas & <friends>: week 1");
    assert_xpath_string(ctx, "(//article)[1]//strong", "Tāne Mahuta");
    assert_xpath_string(ctx, "(//article)[2]//strong",
                        "<script>alert(1)</script>");
    assert_xpath_string(ctx, "(//article)[2]/div[@class='body']",
                        "# heading\n<b>bold</b> & *stars*\n\n- item\n"
                        "1. first\nindented");
    assert_xpath_string(ctx, "//h3[2]", "Group 2 (thread: Chapter Three)");
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    free(html);
}

/* The body alone, for a page that shows it: exactly what the document
 * holds between <body> and </body>, and nothing on a bad week. */
static void test_digest_into(void **state)
{
    struct world *w = *state;
    struct mg_error err = {{0}, {0}};
    struct mg_html h = MG_HTML_INIT;
    char *html = NULL, *body;
    const char *start, *end;

    assert_int_equal(mg_notes_digest(NULL, &html, w->st, w->circle, 1, &err),
                     0);
    mg_html(&h, "<section>");
    assert_int_equal(mg_notes_digest_into(&h, w->st, w->circle, 1, &err), 0);
    body = mg_html_detach(&h);
    start = strstr(html, "<body>\n") + strlen("<body>\n");
    end = strstr(html, "</body>");
    assert_int_equal(strncmp(body, "<section>", 9), 0);
    assert_int_equal(strlen(body + 9), (size_t)(end - start));
    assert_memory_equal(body + 9, start, (size_t)(end - start));
    assert_null(strstr(body, "<html"));
    assert_null(strstr(body, "<title>"));
    free(body);
    free(html);
    assert_int_equal(mg_notes_digest_into(&h, w->st, w->circle, 99, &err),
                     MG_EINVAL);
    body = mg_html_detach(&h);
    assert_string_equal(body, "");
    free(body);
}

static void test_digest_every_week(void **state)
{
    struct world *w = *state;
    struct mg_error err = {{0}, {0}};
    char *md = NULL, *html = NULL;

    assert_int_equal(mg_notes_digest(&md, &html, w->st, w->circle, 0, &err), 0);
    /* No week has begun: the weeks with notes, in order. */
    assert_int_equal(at(md, "# Atlas &amp; &lt;friends&gt;: weeks 1 to 2\n"),
                     0);
    assert_true(at(md, "## Week 1 (from 2030-03-04)") <
                at(md, "Week one summary"));
    assert_true(at(md, "Week one summary") <
                at(md, "## Week 2 (from 2030-03-11)"));
    assert_true(at(md, "## Week 2 (from 2030-03-11)") <
                at(md, "Reading: Chapter Three ... Chapter Four"));
    assert_true(at(md, "Reading: Chapter Three ... Chapter Four") <
                at(md, "**&lt;img src=x onerror=alert(3)&gt;**, 2030-03-12 "
                       "21:15: Second week\n\n&lt;b&gt;bold&lt;/b&gt; &amp; "
                       "  done"));
    /* Group 2's thread has one reading only: none in week 2. */
    assert_null(strstr(md + at(md, "## Week 2"), "Reading: Chapter Three\n"));
    assert_non_null(strstr(md, "_No summary yet._"));
    assert_null(strstr(html, "<img"));
    assert_null(strstr(html, "\x01"));
    free(md);
    free(html);

    /* A week past the circle's end, or before its start. */
    assert_int_equal(mg_notes_digest(&md, NULL, w->st, w->circle, 3, &err),
                     MG_EINVAL);
    assert_string_equal(err.field, "week");
    assert_null(md);
    assert_int_equal(mg_notes_digest(&md, NULL, w->st, w->circle, -1, &err),
                     MG_EINVAL);
    assert_int_equal(mg_notes_digest(&md, NULL, w->st, 9999, 1, &err),
                     MG_ENOTFOUND);
}

static void test_atom(void **state)
{
    struct world *w = *state;
    struct mg_error err = {{0}, {0}};
    static const char self[] =
        "https://Books.Example.org:8443/notes/0123456789abcdef.atom";
    char *xml = NULL, *want;
    xmlDocPtr doc;
    xmlXPathContextPtr ctx;

    assert_int_equal(mg_notes_atom(&xml, w->st, w->circle, w->g1, self, &err),
                     0);
    assert_null(strstr(xml, "<b>"));
    assert_null(strstr(xml, "<img"));
    doc = xmlReadMemory(xml, (int)strlen(xml), NULL, NULL, XML_PARSE_NONET);
    assert_non_null(doc); /* well-formed, control character and all */
    ctx = xmlXPathNewContext(doc);
    xmlXPathRegisterNs(ctx, BAD_CAST "a",
                       BAD_CAST "http://www.w3.org/2005/Atom");
    /* Group 1's two summaries, newest first; not its note, not the
     * review queue, not group 2's. */
    assert_int_equal(count_nodes(ctx, "/a:feed/a:entry"), 2);
    want = mg_xasprintf("tag:books.example.org,2026:note-%lld",
                        (long long)w->sum2);
    assert_xpath_string(ctx, "/a:feed/a:entry[1]/a:id", want);
    free(want);
    want = mg_xasprintf("tag:books.example.org,2026:note-%lld",
                        (long long)w->sum1);
    assert_xpath_string(ctx, "/a:feed/a:entry[2]/a:id", want);
    free(want);
    assert_xpath_string(ctx, "/a:feed/a:entry[1]/a:title", "Second week");
    assert_xpath_string(ctx, "/a:feed/a:entry[1]/a:author/a:name",
                        "<img src=x onerror=alert(3)>");
    assert_xpath_string(ctx, "/a:feed/a:entry[1]/a:content",
                        "<b>bold</b> &  done");
    assert_xpath_string(ctx, "/a:feed/a:entry[1]/a:content/@type", "text");
    assert_xpath_string(ctx, "/a:feed/a:entry[1]/a:published",
                        "2030-03-12T08:15:00Z");
    assert_xpath_string(ctx, "/a:feed/a:entry[2]/a:author/a:name",
                        "Tāne Mahuta");
    assert_xpath_string(ctx, "/a:feed/a:entry[2]/a:published",
                        "2030-03-05T07:30:00Z");
    /* received a minute after it was sent */
    assert_xpath_string(ctx, "/a:feed/a:entry[2]/a:updated",
                        "2030-03-05T07:31:00Z");
    assert_xpath_string(ctx, "/a:feed/a:updated", "2030-03-12T08:16:00Z");
    assert_xpath_string(ctx, "/a:feed/a:link[@rel='self']/@href", self);
    assert_int_equal(count_nodes(ctx, "//a:entry/a:link"), 0);
    assert_xpath_string(ctx, "/a:feed/a:title",
                        "Atlas & <friends>: Group 1 summaries");
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    free(xml);

    /* Group 2: a summary with no subject is "Week 1 summary". */
    assert_int_equal(mg_notes_atom(&xml, w->st, w->circle, w->g2, NULL, &err),
                     0);
    doc = xmlReadMemory(xml, (int)strlen(xml), NULL, NULL, XML_PARSE_NONET);
    assert_non_null(doc);
    ctx = xmlXPathNewContext(doc);
    xmlXPathRegisterNs(ctx, BAD_CAST "a",
                       BAD_CAST "http://www.w3.org/2005/Atom");
    assert_int_equal(count_nodes(ctx, "/a:feed/a:entry"), 1);
    assert_xpath_string(ctx, "/a:feed/a:entry/a:title", "Week 1 summary");
    assert_xpath_string(ctx, "/a:feed/a:entry/a:author/a:name",
                        "carol@example.org");
    want = mg_xasprintf("tag:mingle,2026:note-%lld", (long long)w->sum_g2);
    assert_xpath_string(ctx, "/a:feed/a:entry/a:id", want);
    free(want);
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    free(xml);

    /* A group of another circle, or none. */
    assert_int_equal(mg_notes_atom(&xml, w->st, w->circle, 9999, self, &err),
                     MG_ENOTFOUND);
    assert_null(xml);
}

static size_t list(struct mg_note **out, struct world *w,
                   const struct mg_note_filter *f)
{
    size_t n = 0;

    *out = NULL;
    assert_int_equal(mg_store_notes_list(out, &n, w->st, f), 0);
    return n;
}

static void test_list_filters(void **state)
{
    struct world *w = *state;
    struct mg_note_filter f;
    struct mg_note *notes = NULL;
    size_t n;

    memset(&f, 0, sizeof(f));
    f.circle_id = w->circle;
    n = list(&notes, w, &f);
    assert_int_equal(n, 4); /* published only, by id */
    assert_int_equal(notes[0].id, w->sum1);
    assert_int_equal(notes[3].id, w->sum2);
    assert_string_equal(notes[0].author, "Tāne Mahuta");
    assert_null(notes[1].author);
    assert_null(notes[0].raw); /* never listed */
    mg_store_notes_free(notes, n);

    f.group_id = w->g1;
    n = list(&notes, w, &f);
    assert_int_equal(n, 3);
    mg_store_notes_free(notes, n);
    f.week = 2;
    n = list(&notes, w, &f);
    assert_int_equal(n, 1);
    assert_int_equal(notes[0].id, w->sum2);
    mg_store_notes_free(notes, n);
    f.group_id = 0;
    f.week = 0;
    f.kind = "note";
    n = list(&notes, w, &f);
    assert_int_equal(n, 1);
    assert_int_equal(notes[0].id, w->note1);
    mg_store_notes_free(notes, n);
    f.kind = "summary";
    n = list(&notes, w, &f);
    assert_int_equal(n, 3);
    mg_store_notes_free(notes, n);
    f.kind = NULL;

    /* Author: part of the address, the From name or the member's name. */
    f.author = "CAROL";
    n = list(&notes, w, &f);
    assert_int_equal(n, 1);
    assert_int_equal(notes[0].id, w->sum_g2);
    mg_store_notes_free(notes, n);
    f.author = "Mahuta";
    n = list(&notes, w, &f);
    assert_int_equal(n, 1);
    assert_int_equal(notes[0].id, w->sum1);
    mg_store_notes_free(notes, n);
    f.author = "%"; /* a literal percent sign, not a wildcard */
    n = list(&notes, w, &f);
    assert_int_equal(n, 0);
    mg_store_notes_free(notes, n);
    f.author = NULL;

    /* Paging. */
    f.limit = 2;
    n = list(&notes, w, &f);
    assert_int_equal(n, 2);
    f.after = notes[1].id;
    mg_store_notes_free(notes, n);
    n = list(&notes, w, &f);
    assert_int_equal(n, 2);
    assert_int_equal(notes[0].id, w->sum_g2);
    mg_store_notes_free(notes, n);

    /* The review queue: this circle, none, or all of it. */
    memset(&f, 0, sizeof(f));
    f.status = "review";
    f.circle_id = w->circle;
    n = list(&notes, w, &f);
    assert_int_equal(n, 1);
    assert_int_equal(notes[0].id, w->review1);
    assert_string_equal(notes[0].review_reason, "sender not in group");
    mg_store_notes_free(notes, n);
    f.circle_id = 0;
    n = list(&notes, w, &f);
    assert_int_equal(n, 1);
    assert_int_equal(notes[0].id, w->lost);
    mg_store_notes_free(notes, n);
    f.any_circle = 1;
    n = list(&notes, w, &f);
    assert_int_equal(n, 2);
    mg_store_notes_free(notes, n);
}

static void test_decide(void **state)
{
    struct world *w = *state;
    struct mg_note n;
    struct mg_error err = {{0}, {0}};
    int64_t rejected;
    char *md = NULL;

    /* Approve: published, and in the digest from now on. */
    assert_int_equal(mg_store_note_decide(w->st, w->review1, 1, 0, 0, 0, 0), 0);
    assert_int_equal(mg_store_note_get(&n, w->st, w->review1, 0), 0);
    assert_int_equal(n.status, MG_STORE_NOTE_PUBLISHED);
    assert_true(n.decided_at > 0);
    assert_int_equal(n.group_id, w->g1);
    assert_int_equal(n.week, 1);
    mg_store_note_release(&n);
    assert_int_equal(mg_notes_digest(&md, NULL, w->st, w->circle, 1, &err), 0);
    assert_non_null(strstr(md, "Held back"));
    free(md);
    /* Deciding again is a conflict, either way. */
    assert_int_equal(mg_store_note_decide(w->st, w->review1, 1, 0, 0, 0, 0),
                     MG_ECONFLICT);
    assert_int_equal(mg_store_note_decide(w->st, w->review1, 0, 0, 0, 0, 0),
                     MG_ECONFLICT);
    assert_int_equal(mg_store_note_decide(w->st, 9999, 1, 0, 0, 0, 0),
                     MG_ENOTFOUND);

    /* A note that reached no circle, filed under group 2, week 2. */
    assert_int_equal(
        mg_store_note_decide(w->st, w->lost, 1, w->circle, w->g2, 2, 0), 0);
    assert_int_equal(mg_store_note_get(&n, w->st, w->lost, 0), 0);
    assert_int_equal(n.circle_id, w->circle);
    assert_int_equal(n.group_id, w->g2);
    assert_int_equal(n.week, 2);
    mg_store_note_release(&n);

    /* Reject: kept, never published, and final. */
    rejected =
        add_note(w, w->circle, w->g1, 1, "note", "review", 0, "Spam",
                 "spam@x.org", "Buy now", "cheap", T_NOTE, "spam@example.org");
    assert_int_equal(mg_store_note_decide(w->st, rejected, 0, 0, 0, 0, 0), 0);
    assert_int_equal(mg_store_note_get(&n, w->st, rejected, 0), 0);
    assert_int_equal(n.status, MG_STORE_NOTE_REJECTED);
    mg_store_note_release(&n);
    assert_int_equal(mg_store_note_decide(w->st, rejected, 1, 0, 0, 0, 0),
                     MG_ECONFLICT);
    assert_int_equal(mg_notes_digest(&md, NULL, w->st, w->circle, 0, &err), 0);
    assert_null(strstr(md, "Buy now"));
    free(md);
}

static void test_duplicates_and_attachments(void **state)
{
    struct world *w = *state;
    struct mg_note n, got;
    struct mg_note_attachment atts[3];
    int64_t id = 0, first;
    int dup = -1;

    memset(&n, 0, sizeof(n));
    n.circle_id = w->circle;
    n.group_id = w->g1;
    n.week = 1;
    snprintf(n.kind, sizeof(n.kind), "note");
    n.status = MG_STORE_NOTE_PUBLISHED;
    n.provider = (char *)"mailgun";
    n.event_id = (char *)"event-1";
    n.message_id = (char *)"sum1@example.org"; /* the summary's Message-ID */
    n.from_email = (char *)"tane@example.org";
    n.body = (char *)"again";
    assert_int_equal(mg_store_note_insert(&id, &dup, w->st, &n), 0);
    assert_int_equal(dup, 1);
    assert_int_equal(id, w->sum1);

    /* New Message-ID: stored, with its attachments. */
    memset(atts, 0, sizeof(atts));
    atts[0].name = (char *)"slides.pdf";
    atts[0].type = (char *)"application/pdf";
    atts[0].size = 5;
    atts[0].content = (char *)"%PDF-";
    atts[1].name = (char *)"big.mov";
    atts[1].type = (char *)"video/quicktime";
    atts[1].size = 1 << 30; /* over the cap: not kept */
    atts[2].name = (char *)"empty.txt";
    atts[2].type = (char *)"text/plain";
    atts[2].size = 0;
    atts[2].content = (char *)"";
    n.message_id = (char *)"new@example.org";
    n.attachments = atts;
    n.n_attachments = 3;
    assert_int_equal(mg_store_note_insert(&id, &dup, w->st, &n), 0);
    assert_int_equal(dup, 0);
    first = id;

    /* The same delivery again (same provider and event id). */
    n.message_id = (char *)"other@example.org";
    n.n_attachments = 0;
    assert_int_equal(mg_store_note_insert(&id, &dup, w->st, &n), 0);
    assert_int_equal(dup, 1);
    assert_int_equal(id, first);
    /* Another provider's event id of the same name is another message. */
    n.provider = (char *)"postmark";
    assert_int_equal(mg_store_note_insert(&id, &dup, w->st, &n), 0);
    assert_int_equal(dup, 0);
    assert_true(id != first);

    assert_int_equal(mg_store_note_get(&got, w->st, first, 1), 0);
    assert_int_equal(got.n_attachments, 3);
    assert_string_equal(got.attachments[0].name, "slides.pdf");
    assert_memory_equal(got.attachments[0].content, "%PDF-", 5);
    assert_null(got.attachments[1].content);
    assert_int_equal(got.attachments[1].size, 1 << 30);
    assert_non_null(got.attachments[2].content);
    assert_string_equal(got.attachments[2].content, "");
    assert_null(got.raw);
    mg_store_note_release(&got);
    assert_int_equal(mg_store_note_get(&got, w->st, w->sum1, 1), 0);
    assert_int_equal(got.raw_len, strlen("Subject: x\r\n\r\nraw\r\n"));
    assert_memory_equal(got.raw, "Subject: x\r\n\r\nraw\r\n", got.raw_len);
    mg_store_note_release(&got);
    assert_int_equal(mg_store_note_get(&got, w->st, 9999, 0), MG_ENOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_digest_markdown, setup, teardown),
        cmocka_unit_test_setup_teardown(test_digest_into, setup, teardown),
        cmocka_unit_test_setup_teardown(test_digest_html, setup, teardown),
        cmocka_unit_test_setup_teardown(test_digest_every_week, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_atom, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_filters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decide, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicates_and_attachments, setup,
                                        teardown),
    };
    int rc;

    mg_log_set_level(MG_LOG_ERROR);
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    mg_schedule_shutdown();
    xmlCleanupParser();
    return rc;
}
