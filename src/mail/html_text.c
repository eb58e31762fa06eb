/*
 * html_text.c: an HTML mail part as the plain text a reader would see.
 * libxml2's forgiving HTML parser (never the network) builds the tree and
 * an iterative walk writes it out: browser-like whitespace, "- " bullets,
 * link targets, and "> " before quoted lines so that mg_mail_strip_reply()
 * drops an HTML quote just as it drops a plain-text one.
 */
#include "mingle/inbound.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "banned.h"

/*
 * The book module has an HTML walker too, but it fills a book's sections
 * and paragraphs and lives behind that module's private header; mail
 * needs quotes, bullets and links instead, hence this one.
 *
 * Decisions: U+00A0 counts as collapsible space (mail uses &nbsp; for
 * indentation and for empty paragraphs); never more than one blank line
 * in a row, even in <pre>; images give nothing (their alt text is mostly
 * "logo"); an element with the hidden attribute or display:none (a
 * newsletter's preheader) gives nothing; quote prefixes and list indentation
 * stop growing at MAX_DEPTH levels so deep nesting cannot blow the output up.
 */

#define MAX_DEPTH 8

struct link {
    const xmlNode *node;
    const char *href; /* owned by the document */
    size_t start;     /* where its text starts in out; SIZE_MAX: none yet */
};

struct render {
    struct mg_buf out;
    int need;       /* line breaks wanted before the next text (0-2) */
    int nl;         /* newlines at the end of out (0-2) */
    int space;      /* collapsed whitespace waiting for the next word */
    int quote;      /* blockquote depth */
    int line_quote; /* quote depth of the last line with text */
    int lists;      /* ul/ol depth */
    int bullet;     /* list depth of a "- " waiting for text, or 0 */
    int pre;        /* inside <pre>: whitespace kept */
    struct link *links;
    size_t n_links, cap_links;
};

enum tag {
    TAG_OTHER,
    TAG_SKIP, /* nothing inside is shown */
    TAG_A,
    TAG_BR,
    TAG_CELL, /* td, th */
    TAG_LI,
    TAG_LIST, /* ul, ol */
    TAG_PRE,
    TAG_QUOTE /* blockquote */
};

struct tag_info {
    const char *name;
    enum tag tag;
    int breaks; /* 1: the element is on its own lines; 2: with blank ones */
};

/* Sorted by name for bsearch(); any element not here is inline. */
static const struct tag_info tags[] = {
    {"a", TAG_A, 0},
    {"address", TAG_OTHER, 1},
    {"article", TAG_OTHER, 1},
    {"aside", TAG_OTHER, 1},
    {"blockquote", TAG_QUOTE, 2},
    {"body", TAG_OTHER, 1},
    {"br", TAG_BR, 0},
    {"caption", TAG_OTHER, 1},
    {"center", TAG_OTHER, 1},
    {"dd", TAG_OTHER, 1},
    {"details", TAG_OTHER, 1},
    {"div", TAG_OTHER, 1},
    {"dl", TAG_OTHER, 2},
    {"dt", TAG_OTHER, 1},
    {"embed", TAG_SKIP, 0},
    {"fieldset", TAG_OTHER, 1},
    {"figcaption", TAG_OTHER, 1},
    {"figure", TAG_OTHER, 2},
    {"footer", TAG_OTHER, 1},
    {"form", TAG_OTHER, 1},
    {"h1", TAG_OTHER, 2},
    {"h2", TAG_OTHER, 2},
    {"h3", TAG_OTHER, 2},
    {"h4", TAG_OTHER, 2},
    {"h5", TAG_OTHER, 2},
    {"h6", TAG_OTHER, 2},
    {"head", TAG_SKIP, 0},
    {"header", TAG_OTHER, 1},
    {"hr", TAG_OTHER, 2},
    {"html", TAG_OTHER, 1},
    {"iframe", TAG_SKIP, 0},
    {"legend", TAG_OTHER, 1},
    {"li", TAG_LI, 1},
    {"main", TAG_OTHER, 1},
    {"nav", TAG_OTHER, 1},
    {"noscript", TAG_OTHER, 1},
    {"object", TAG_SKIP, 0},
    {"ol", TAG_LIST, 2},
    {"p", TAG_OTHER, 2},
    {"pre", TAG_PRE, 2},
    {"script", TAG_SKIP, 0},
    {"section", TAG_OTHER, 1},
    {"select", TAG_SKIP, 0},
    {"style", TAG_SKIP, 0},
    {"summary", TAG_OTHER, 1},
    {"svg", TAG_SKIP, 0},
    {"table", TAG_OTHER, 1},
    {"td", TAG_CELL, 0},
    {"template", TAG_SKIP, 0},
    {"th", TAG_CELL, 0},
    {"title", TAG_SKIP, 0},
    {"tr", TAG_OTHER, 1},
    {"ul", TAG_LIST, 2},
    {"xml", TAG_SKIP, 0},
};

static int tag_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const struct tag_info *)elem)->name);
}

/* libxml2's HTML parser gives element names in lower case. */
static const struct tag_info *tag_of(const xmlNode *n)
{
    static const struct tag_info other = {"", TAG_OTHER, 0};
    const struct tag_info *t =
        bsearch(n->name, tags, sizeof(tags) / sizeof(tags[0]), sizeof(tags[0]),
                tag_cmp);

    return t ? t : &other;
}

/* The attribute's value (owned by the document) or NULL. */
static const char *attr(const xmlNode *n, const char *name)
{
    const xmlAttr *a;

    for (a = n->properties; a; a = a->next)
        if (strcasecmp((const char *)a->name, name) == 0)
            return a->children && a->children->type == XML_TEXT_NODE &&
                           a->children->content
                       ? (const char *)a->children->content
                       : "";
    return NULL;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Whether a style attribute sets `prop` to `value`, however spaced. */
static int style_says(const char *style, const char *prop, const char *value)
{
    size_t i, plen = strlen(prop), vlen = strlen(value);
    const char *p;

    for (i = 0; style[i]; i++) {
        if (strncasecmp(style + i, prop, plen) != 0)
            continue;
        p = style + i + plen;
        while (is_space(*p))
            p++;
        if (*p != ':')
            continue;
        p++;
        while (is_space(*p))
            p++;
        if (strncasecmp(p, value, vlen) == 0)
            return 1;
    }
    return 0;
}

/* The element's style attribute, or "". */
static const char *style_of(const xmlNode *n)
{
    const char *s = attr(n, "style");

    return s ? s : "";
}

static int hidden(const xmlNode *n)
{
    return attr(n, "hidden") || style_says(style_of(n), "display", "none");
}

/*
 * Gmail's "indent" button makes a blockquote without the quote's border;
 * that is the person's own text set in (a passage of the book, say), so
 * it is not prefixed with "> " for stripping to drop.
 */
static int is_quote(const xmlNode *n, const struct tag_info *t)
{
    return t->tag == TAG_QUOTE && !style_says(style_of(n), "border", "none");
}

static int max_int(int a, int b)
{
    return a > b ? a : b;
}

static int min_int(int a, int b)
{
    return a < b ? a : b;
}

/* End the line; an empty line inside a quote stays quoted. */
static void put_newline(struct render *r)
{
    int depth = min_int(min_int(r->quote, r->line_quote), MAX_DEPTH), i;

    if (r->out.len == 0 || r->nl >= 2)
        return;
    if (r->nl > 0 && depth > 0) {
        mg_buf_add(&r->out, ">", 1);
        for (i = 1; i < depth; i++)
            mg_buf_add(&r->out, " >", 2);
    }
    mg_buf_add(&r->out, "\n", 1);
    r->nl++;
}

static void flush_need(struct render *r)
{
    while (r->out.len > 0 && r->nl < r->need && r->nl < 2)
        put_newline(r);
    r->need = 0;
}

/* Get ready to write a word: line breaks, prefixes, a pending space. */
static void begin_text(struct render *r)
{
    size_t i;
    int k;

    flush_need(r);
    if (r->out.len == 0 || r->nl > 0) {
        for (k = 0; k < min_int(r->quote, MAX_DEPTH); k++)
            mg_buf_add(&r->out, "> ", 2);
        if (r->bullet > 0) {
            for (k = 1; k < min_int(r->bullet, MAX_DEPTH); k++)
                mg_buf_add(&r->out, "  ", 2);
            mg_buf_add(&r->out, "- ", 2);
            r->bullet = 0;
        }
        r->line_quote = r->quote;
    } else if (r->space) {
        mg_buf_add(&r->out, " ", 1);
    }
    r->space = 0;
    r->nl = 0;
    /* Links opened since the last word start here. */
    for (i = r->n_links; i > 0 && r->links[i - 1].start == SIZE_MAX; i--)
        r->links[i - 1].start = r->out.len;
}

/* Text outside <pre>: runs of whitespace (and U+00A0) become one space. */
static void add_text(struct render *r, const char *s)
{
    size_t k;

    while (*s) {
        if (is_space(*s)) {
            r->space = 1;
            s++;
            continue;
        }
        if ((unsigned char)s[0] == 0xc2 && (unsigned char)s[1] == 0xa0) {
            r->space = 1;
            s += 2;
            continue;
        }
        for (k = 0;
             s[k] && !is_space(s[k]) &&
             !((unsigned char)s[k] == 0xc2 && (unsigned char)s[k + 1] == 0xa0);
             k++)
            ;
        begin_text(r);
        mg_buf_add(&r->out, s, k);
        s += k;
    }
}

/* Text inside <pre>: kept as it is, line by line. */
static void add_pre(struct render *r, const char *s)
{
    size_t k;

    while (*s) {
        if (*s == '\n' || *s == '\r') {
            if (s[0] == '\r' && s[1] == '\n')
                s++;
            s++;
            if (r->need > 0)
                flush_need(r); /* the block's own break takes it */
            else
                put_newline(r);
            continue;
        }
        k = strcspn(s, "\r\n");
        begin_text(r);
        mg_buf_add(&r->out, s, k);
        s += k;
    }
}

/* A link's target worth showing: not a fragment, script or inline part. */
static int usable_href(const char *href)
{
    while (is_space(*href))
        href++;
    return *href && *href != '#' && strncasecmp(href, "javascript:", 11) &&
           strncasecmp(href, "data:", 5) && strncasecmp(href, "cid:", 4);
}

static size_t skip_scheme(const char *s, size_t len)
{
    static const char *const schemes[] = {"mailto:", "tel:", "https://",
                                          "http://", NULL};
    size_t i, n;

    for (i = 0; schemes[i]; i++) {
        n = strlen(schemes[i]);
        if (len >= n && strncasecmp(s, schemes[i], n) == 0)
            return n;
    }
    return 0;
}

/* "x.org/" and "https://x.org" are the same target; so are
 * "ann@x.org" and "mailto:ann@x.org". */
static int same_target(const char *text, size_t tlen, const char *href,
                       size_t hlen)
{
    size_t k = skip_scheme(text, tlen);

    text += k;
    tlen -= k;
    k = skip_scheme(href, hlen);
    href += k;
    hlen -= k;
    if (tlen > 0 && text[tlen - 1] == '/')
        tlen--;
    if (hlen > 0 && href[hlen - 1] == '/')
        hlen--;
    return tlen == hlen && strncasecmp(text, href, tlen) == 0;
}

/* Leaving a link: " <href>" after its text, unless the text says it. */
static void end_link(struct render *r, const struct link *l)
{
    struct mg_buf href = MG_BUF_INIT;
    const char *h = l->href;

    if (l->start == SIZE_MAX || l->start >= r->out.len)
        return;
    /* Browsers drop tabs and newlines inside a URL and trim its ends. */
    for (; *h; h++)
        if (*h != '\t' && *h != '\n' && *h != '\r')
            mg_buf_add(&href, h, 1);
    while (href.len > 0 && href.data[href.len - 1] == ' ')
        href.len--;
    h = href.data;
    while (h && *h == ' ')
        h++;
    if (h && !same_target(r->out.data + l->start, r->out.len - l->start, h,
                          href.len - (size_t)(h - href.data))) {
        if (r->nl > 0)
            begin_text(r);
        else
            mg_buf_add(&r->out, " ", 1);
        mg_buf_add(&r->out, "<", 1);
        mg_buf_add(&r->out, h, href.len - (size_t)(h - href.data));
        mg_buf_add(&r->out, ">", 1);
    }
    mg_buf_release(&href);
}

/* Line breaks around element n: a nested list sits tight in its item. */
static int breaks(const struct render *r, const struct tag_info *t)
{
    if (t->tag == TAG_LIST && r->lists > 0)
        return 1;
    return t->breaks;
}

static void push_link(struct render *r, const xmlNode *n)
{
    const char *href = attr(n, "href");

    if (!href || !usable_href(href))
        return;
    if (r->n_links == r->cap_links) {
        r->cap_links = r->cap_links ? 2 * r->cap_links : 4;
        r->links = mg_xrealloc(r->links, r->cap_links * sizeof(*r->links));
    }
    r->links[r->n_links].node = n;
    r->links[r->n_links].href = href;
    r->links[r->n_links].start = SIZE_MAX;
    r->n_links++;
}

/* Entering element n: 1 to walk its children, 0 not to, -1 to skip it
 * altogether (no leave()). */
static int enter(struct render *r, xmlNode *n)
{
    const struct tag_info *t = tag_of(n);

    if (t->tag == TAG_SKIP || hidden(n))
        return -1;
    if (t->tag == TAG_BR) {
        flush_need(r);
        put_newline(r);
        r->space = 0;
        return 0;
    }
    r->need = max_int(r->need, breaks(r, t));
    if (is_quote(n, t))
        r->quote++;
    switch (t->tag) {
    case TAG_PRE:
        r->pre++;
        break;
    case TAG_LIST:
        r->lists++;
        break;
    case TAG_LI:
        r->bullet = max_int(r->lists, 1);
        break;
    case TAG_CELL:
        if (r->nl == 0)
            r->space = 1;
        break;
    case TAG_A:
        push_link(r, n);
        break;
    default:
        break;
    }
    return 1;
}

static void leave(struct render *r, xmlNode *n)
{
    const struct tag_info *t = tag_of(n);

    if (r->n_links > 0 && r->links[r->n_links - 1].node == n) {
        end_link(r, &r->links[r->n_links - 1]);
        r->n_links--;
    }
    if (is_quote(n, t))
        r->quote--;
    else if (t->tag == TAG_PRE)
        r->pre--;
    else if (t->tag == TAG_LIST)
        r->lists--;
    r->need = max_int(r->need, breaks(r, t));
}

static void walk(struct render *r, xmlDoc *doc)
{
    xmlNode *root = (xmlNode *)doc, *n = doc->children;

    /* Iterative, so deep nesting cannot exhaust the stack. */
    while (n) {
        int down = 0;
        if (n->type == XML_ELEMENT_NODE) {
            int e = enter(r, n);
            down = e > 0 && n->children;
            if (e >= 0 && !down)
                leave(r, n);
        } else if ((n->type == XML_TEXT_NODE ||
                    n->type == XML_CDATA_SECTION_NODE) &&
                   n->content) {
            if (r->pre)
                add_pre(r, (const char *)n->content);
            else
                add_text(r, (const char *)n->content);
        }
        if (down) {
            n = n->children;
            continue;
        }
        while (n && n != root && !n->next) {
            n = n->parent;
            if (n && n != root && n->type == XML_ELEMENT_NODE)
                leave(r, n);
        }
        n = n && n != root ? n->next : NULL;
    }
}

/* Drop trailing blank lines, spaces and empty quote lines (">", "> >"). */
static void trim_end(struct mg_buf *b)
{
    size_t line, i;

    for (;;) {
        while (b->len > 0 &&
               (b->data[b->len - 1] == '\n' || b->data[b->len - 1] == ' '))
            b->len--;
        for (line = b->len; line > 0 && b->data[line - 1] != '\n'; line--)
            ;
        for (i = line; i < b->len; i++)
            if (b->data[i] != '>' && b->data[i] != ' ')
                break;
        if (i < b->len || b->len == 0)
            break;
        b->len = line;
    }
    if (b->data)
        b->data[b->len] = '\0';
}

/*
 * Outlook wraps its list bullets in "downlevel-revealed" conditionals,
 * <![if !supportLists]>...<![endif]>, which libxml2 2.9 reads as text.
 * The copy without the markers (the bullet between them stays), or NULL
 * when there are none.
 */
static char *drop_conditionals(const char *html, size_t len, size_t *out_len)
{
    struct mg_buf b = MG_BUF_INIT;
    size_t i = 0, from = 0;
    const char *p, *gt = NULL;

    while (i < len) {
        p = memchr(html + i, '<', len - i);
        if (!p)
            break;
        i = (size_t)(p - html);
        if (!(len - i >= 5 && memcmp(p, "<![", 3) == 0 &&
              (strncasecmp(p + 3, "if", 2) == 0 ||
               (len - i >= 8 && strncasecmp(p + 3, "endif", 5) == 0)))) {
            i++;
            continue;
        }
        /* The '>' found last time serves every '<' before it: linear. */
        if (!gt || gt < p)
            gt = memchr(p, '>', len - i);
        if (!gt)
            break;           /* and no later marker can end either */
        if (gt[-1] != ']') { /* "<![endif]-->" closes a real comment */
            i++;
            continue;
        }
        mg_buf_add(&b, html + from, i - from);
        i = from = (size_t)(gt - html) + 1;
    }
    if (from == 0)
        return NULL;
    mg_buf_add(&b, html + from, len - from);
    *out_len = b.len;
    return mg_buf_detach(&b);
}

/* libxml2 reports some errors (bad encodings) past NOERROR: silence. */
static void quiet(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

char *mg_mail_html_to_text(const char *html, size_t len)
{
    struct render r;
    xmlGenericErrorFunc old = xmlGenericError;
    void *old_ctx = xmlGenericErrorContext;
    xmlDoc *doc;
    char *copy;

    if (!html || len == 0 || len > INT_MAX)
        return mg_xstrdup("");
    copy = drop_conditionals(html, len, &len);
    if (copy)
        html = copy;
    /* The text is UTF-8 already (inbound decodes every part), so a stale
     * <meta charset> must not make libxml2 decode it again. */
    xmlSetGenericErrorFunc(NULL, quiet);
    doc = htmlReadMemory(html, (int)len, NULL, "UTF-8",
                         HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
                             HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
                             HTML_PARSE_IGNORE_ENC);
    xmlSetGenericErrorFunc(old_ctx, old);
    free(copy);
    if (!doc)
        return mg_xstrdup("");
    memset(&r, 0, sizeof(r));
    walk(&r, doc);
    xmlFreeDoc(doc);
    free(r.links);
    trim_end(&r.out);
    return mg_buf_detach(&r.out);
}
