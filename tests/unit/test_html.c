/*
 * test_html.c: the HTML writer. What it writes is read back by libxml2's
 * HTML parser (an independent reader), so the test checks what a browser
 * would see, not the writer's own idea of its escaping: hostile names stay
 * text, attributes stay attributes, links keep only safe schemes, control
 * characters vanish. That a variable cannot be markup is checked at build
 * time by the html_literal_only test (tests/CMakeLists.txt).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libxml/HTMLparser.h>
#include <libxml/xpath.h>

#include "mingle/html.h"

/* Parse `html` and return the string value of XPath `expr` (caller frees
 * with xmlFree), or NULL when nothing matches. */
static char *xpath_string(const char *html, const char *expr)
{
    htmlDocPtr doc = htmlReadMemory(html, (int)strlen(html), NULL, "utf-8",
                                    HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
    xmlXPathContextPtr ctx;
    xmlXPathObjectPtr o;
    char *out = NULL;

    assert_non_null(doc);
    ctx = xmlXPathNewContext(doc);
    o = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
    if (o && o->type == XPATH_NODESET && o->nodesetval &&
        o->nodesetval->nodeNr > 0)
        out = (char *)xmlNodeGetContent(o->nodesetval->nodeTab[0]);
    else if (o && o->type == XPATH_NUMBER)
        out = (char *)xmlStrdup((const xmlChar *)(o->floatval > 0 ? "y" : ""));
    xmlXPathFreeObject(o);
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    return out;
}

static int count(const char *html, const char *expr)
{
    htmlDocPtr doc = htmlReadMemory(html, (int)strlen(html), NULL, "utf-8",
                                    HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    xmlXPathObjectPtr o = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
    int n = o && o->nodesetval ? o->nodesetval->nodeNr : 0;

    xmlXPathFreeObject(o);
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    return n;
}

static const char *const hostile[] = {
    "<script>alert(1)</script>",
    "Ana \" onmouseover=\"alert(1)",
    "O'Brien' autofocus onfocus='x",
    "Tom & Jerry &amp; &lt;b&gt;",
    "</p><img src=x onerror=alert(1)>",
    "Mere Te Whāia <!-- -->",
    "]]><![CDATA[<b>x</b>",
};

static void test_text_stays_text(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
        struct mg_html h = MG_HTML_INIT;
        char *doc, *got;

        mg_html(&h, "<html><body><p id=\"t\">");
        mg_html_text(&h, hostile[i]);
        mg_html(&h, "</p></body></html>");
        doc = mg_html_detach(&h);
        got = xpath_string(doc, "//p[@id='t']");
        assert_non_null(got);
        assert_string_equal(got, hostile[i]);
        assert_int_equal(count(doc, "//script|//img|//b|//@onerror"), 0);
        xmlFree(got);
        free(doc);
    }
}

static void test_attribute_stays_attribute(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
        struct mg_html h = MG_HTML_INIT;
        char *doc, *got;

        mg_html(&h, "<html><body><input id=\"t\" value=\"");
        mg_html_attr(&h, hostile[i]);
        mg_html(&h, "\"><p title='");
        mg_html_attr(&h, hostile[i]);
        mg_html(&h, "'>x</p></body></html>");
        doc = mg_html_detach(&h);
        got = xpath_string(doc, "//input[@id='t']/@value");
        assert_non_null(got);
        assert_string_equal(got, hostile[i]);
        xmlFree(got);
        got = xpath_string(doc, "//p/@title");
        assert_non_null(got);
        assert_string_equal(got, hostile[i]);
        xmlFree(got);
        assert_int_equal(count(doc, "//@onmouseover|//@onfocus|//@autofocus|"
                                    "//script|//img"),
                         0);
        free(doc);
    }
}

static void test_control_characters_dropped(void **state)
{
    struct mg_html h = MG_HTML_INIT;
    char *doc;

    (void)state;
    mg_html_text(&h, "a\x01"
                     "b\x1b[31mc\td\ne\x7f"
                     "f");
    mg_html_textn(&h, "gh\x02ij", 4);
    mg_html_text(&h, NULL);
    doc = mg_html_detach(&h);
    assert_string_equal(doc, "ab[31mc\td\nefghi");
    free(doc);
}

static void test_links(void **state)
{
    static const struct {
        const char *url;
        int safe;
    } cases[] = {
        {"https://example.org/a?b=1&c=2", 1},
        {"HTTP://EXAMPLE.ORG", 1},
        {"webcal://example.org/cal/x.ics", 1},
        {"mailto:atlas+g1@example.org", 1},
        {"javascript:alert(1)", 0},
        {"JaVaScRiPt:alert(1)", 0},
        {"data:text/html,<script>", 0},
        {"https://exa mple.org", 0},
        {"https://example.org/\x01", 0},
        {"//example.org/x", 0},
        {"/relative", 0},
        {"https://", 0},
        {"", 0},
    };
    size_t i;

    (void)state;
    assert_false(mg_html_url_is_safe(NULL));
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct mg_html h = MG_HTML_INIT;
        char *doc, *href;

        assert_int_equal(mg_html_url_is_safe(cases[i].url), cases[i].safe);
        mg_html(&h, "<html><body>");
        mg_html_link(&h, cases[i].url, "<join>", "button");
        mg_html(&h, "</body></html>");
        doc = mg_html_detach(&h);
        href = xpath_string(doc, "//a/@href");
        if (cases[i].safe) {
            assert_non_null(href);
            assert_string_equal(href, cases[i].url);
            xmlFree(href);
        } else {
            assert_null(href);
        }
        /* the text is there either way, as text */
        href = xpath_string(doc, "//body");
        assert_string_equal(href, "<join>");
        xmlFree(href);
        free(doc);
    }
}

static void test_url_arg_and_numbers(void **state)
{
    struct mg_html h = MG_HTML_INIT;
    struct mg_buf b = MG_BUF_INIT;
    char *doc;

    (void)state;
    mg_html_url_arg(&h, "a b&c=d/é~_.-");
    mg_html(&h, " ");
    mg_html_int(&h, -42);
    mg_html(&h, " ");
    mg_html_num(&h, 2.0 / 3.0, 2);
    mg_html(&h, " ");
    mg_html_num(&h, 7.5, 0);
    doc = mg_html_detach(&h);
    assert_string_equal(doc, "a%20b%26c%3Dd%2F%C3%A9~_.- -42 0.67 8");
    free(doc);
    mg_url_encode(&b, "webcal://x/y.ics?n=1");
    assert_string_equal(b.data, "webcal%3A%2F%2Fx%2Fy.ics%3Fn%3D1");
    mg_buf_release(&b);
}

static void test_element_and_detach(void **state)
{
    struct mg_html h = MG_HTML_INIT;
    char *doc;

    (void)state;
    doc = mg_html_detach(&h); /* never NULL, even empty */
    assert_string_equal(doc, "");
    free(doc);
    mg_html_element(&h, "h1", "Week 2 <summary>");
    mg_html_textf(&h, "%d people & %s", 3, "<b>");
    doc = mg_html_detach(&h);
    assert_string_equal(doc, "<h1>Week 2 &lt;summary&gt;</h1>\n3 people &amp; "
                             "&lt;b&gt;");
    free(doc);
    mg_html_release(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_stays_text),
        cmocka_unit_test(test_attribute_stays_attribute),
        cmocka_unit_test(test_control_characters_dropped),
        cmocka_unit_test(test_links),
        cmocka_unit_test(test_url_arg_and_numbers),
        cmocka_unit_test(test_element_and_detach),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
