/*
 * html.c: HTML books through libxml2's forgiving HTML parser (never the
 * network). Headings h1-h6 and class="chapter" elements become sections,
 * the text of block elements becomes paragraphs. The document walker is
 * shared with epub.c, which feeds it one XHTML file at a time and takes
 * its section titles from the book's table of contents instead.
 */
#include "internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "banned.h"

struct html_feed {
    struct builder *b;
    int headings; /* the heading filter: 1 = headings make sections */
    int meta;     /* 1 = <title> and <meta name="author"> set the book's */
    void (*on_id)(void *arg, const char *id);
    void *arg;
    struct mg_buf para; /* the paragraph being collected */
    int skip;           /* inside script, style, head, nav...: no text */
    int pre;            /* inside <pre>: whitespace kept */
    xmlNode *taken;     /* heading already used as a chapter's title */
};

static const char *const skip_names[] = {
    "script", "style",  "head",   "nav",    "noscript", "template",
    "title",  "iframe", "object", "select", "textarea", NULL};

static const char *const block_names[] = {
    "p",       "div",     "h1",         "h2",         "h3",       "h4",
    "h5",      "h6",      "li",         "ul",         "ol",       "dl",
    "dt",      "dd",      "blockquote", "pre",        "section",  "article",
    "header",  "footer",  "aside",      "table",      "tr",       "td",
    "th",      "caption", "figure",     "figcaption", "address",  "main",
    "body",    "hr",      "center",     "form",       "fieldset", "hgroup",
    "details", "summary", "tbody",      "thead",      "tfoot",    NULL};

static int name_in(const xmlNode *n, const char *const *names)
{
    size_t i;

    for (i = 0; names[i]; i++)
        if (strcasecmp((const char *)n->name, names[i]) == 0)
            return 1;
    return 0;
}

static int is_element(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE &&
           strcasecmp((const char *)n->name, name) == 0;
}

/* 1..6 for h1..h6, else 0. */
static int heading_level(const xmlNode *n)
{
    const char *s = (const char *)n->name;

    if (n->type != XML_ELEMENT_NODE || (s[0] != 'h' && s[0] != 'H') ||
        s[1] < '1' || s[1] > '6' || s[2] != '\0')
        return 0;
    return s[1] - '0';
}

const char *html_attr(const struct _xmlNode *n, const char *name)
{
    const xmlAttr *a;

    for (a = n->properties; a; a = a->next)
        if (strcasecmp((const char *)a->name, name) == 0 && a->children &&
            a->children->type == XML_TEXT_NODE && a->children->content)
            return (const char *)a->children->content;
    return NULL;
}

/* Whether the space-separated list `list` holds `word`. */
int html_has_token(const char *list, const char *word)
{
    size_t n = strlen(word);

    while (list && *list) {
        size_t len;
        while (*list == ' ' || *list == '\t' || *list == '\n')
            list++;
        len = strcspn(list, " \t\n");
        if (len == n && strncasecmp(list, word, n) == 0)
            return 1;
        list += len;
    }
    return 0;
}

/* Next node in document order under `root`; children first if `down`. */
struct _xmlNode *html_next_node(struct _xmlNode *n, const struct _xmlNode *root,
                                int down)
{
    if (down && n->children && n->type == XML_ELEMENT_NODE)
        return n->children;
    while (n && n != root) {
        if (n->next)
            return n->next;
        n = n->parent;
    }
    return NULL;
}

/*
 * The text under `root` without script or style, entity references
 * left unexpanded (they are never substituted: no billion laughs).
 */
static void gather_text(struct mg_buf *out, xmlNode *root)
{
    xmlNode *n = root->children;

    while (n) {
        int down = 1;
        if ((n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) &&
            n->content) {
            mg_buf_puts(out, (const char *)n->content);
        } else if (n->type == XML_ELEMENT_NODE &&
                   (is_element(n, "script") || is_element(n, "style"))) {
            down = 0;
        } else if (is_element(n, "br")) {
            mg_buf_add(out, " ", 1);
        }
        n = html_next_node(n, root, down);
    }
}

static char *node_text(xmlNode *n, size_t *len)
{
    struct mg_buf b = MG_BUF_INIT;

    mg_buf_add(&b, "", 0);
    gather_text(&b, n);
    *len = b.len;
    return mg_buf_detach(&b);
}

/* libxml2 reports some errors (bad encodings) past NOERROR: silence. */
static void quiet(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

xmlDoc *html_read(const char *data, size_t len, int xml_first)
{
    xmlGenericErrorFunc old = xmlGenericError;
    void *old_ctx = xmlGenericErrorContext;
    xmlDoc *doc = NULL;

    if (len == 0 || len > INT_MAX)
        return NULL;
    xmlSetGenericErrorFunc(NULL, quiet);
    /* No entity substitution and no DTD loading: nothing is fetched. */
    if (xml_first)
        doc = xmlReadMemory(data, (int)len, NULL, NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR |
                                XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
    if (!doc)
        doc = htmlReadMemory(data, (int)len, NULL, NULL,
                             HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                 HTML_PARSE_NONET | HTML_PARSE_RECOVER);
    xmlSetGenericErrorFunc(old_ctx, old);
    return doc;
}

struct html_feed *html_feed_new(struct builder *b, int headings, int meta,
                                void (*on_id)(void *arg, const char *id),
                                void *arg)
{
    struct html_feed *f = mg_xcalloc(1, sizeof(*f));

    f->b = b;
    f->headings = headings;
    f->meta = meta;
    f->on_id = on_id;
    f->arg = arg;
    return f;
}

void html_feed_free(struct html_feed *f)
{
    if (!f)
        return;
    mg_buf_release(&f->para);
    free(f);
}

static int last_is_space(const struct mg_buf *p)
{
    return p->len == 0 || p->data[p->len - 1] == ' ' ||
           p->data[p->len - 1] == '\n';
}

/* Add text to the paragraph, collapsing whitespace outside <pre>. */
static void para_add(struct html_feed *f, const char *s)
{
    struct mg_buf *p = &f->para;

    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (f->pre) {
            if (c == '\r') {
                if (s[1] != '\n')
                    mg_buf_add(p, "\n", 1);
                continue;
            }
            mg_buf_add(p, s, 1);
            continue;
        }
        /* U+00A0 no-break space counts as space, not as a word */
        if (c == 0xc2 && (unsigned char)s[1] == 0xa0) {
            s++;
            c = ' ';
        }
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
            if (!last_is_space(p))
                mg_buf_add(p, " ", 1);
            continue;
        }
        mg_buf_add(p, s, 1);
    }
}

void html_feed_flush(struct html_feed *f)
{
    struct mg_buf *p = &f->para;
    size_t start = 0, len, fixed_len;
    char *fixed;

    while (p->len > 0 &&
           (p->data[p->len - 1] == ' ' || p->data[p->len - 1] == '\n' ||
            p->data[p->len - 1] == '\t'))
        p->len--;
    while (start < p->len && (p->data[start] == ' ' || p->data[start] == '\n' ||
                              p->data[start] == '\t'))
        start++;
    len = p->len - start;
    if (len > 0) {
        fixed =
            utf8_repair(p->data + start, len, &fixed_len, &f->b->utf8_repaired);
        builder_text(f->b, fixed, fixed_len);
        builder_text(f->b, "\n\n", 2);
        free(fixed);
    }
    p->len = 0;
}

/* Start a section titled by `title`; "Thread: x" makes thread x. */
static void start_section(struct builder *b, int rank,
                          enum mg_section_kind kind, const char *title,
                          size_t len)
{
    size_t i = 0;
    int thread = 0;

    while (i < len && (title[i] == ' ' || title[i] == '\t' ||
                       title[i] == '\n' || title[i] == '\r'))
        i++;
    if (len - i >= 7 && strncasecmp(title + i, "thread:", 7) == 0) {
        thread = 1;
        i += 7;
    }
    builder_heading(b, rank, kind, title + i, len - i);
    if (thread)
        builder_mark_thread(b);
}

/* The first h1-h6 below `root`, or NULL. */
static xmlNode *first_heading(xmlNode *root)
{
    xmlNode *n = root->children;

    while (n) {
        if (heading_level(n))
            return n;
        n = html_next_node(n, root, 1);
    }
    return NULL;
}

static void heading(struct html_feed *f, xmlNode *n, int level)
{
    size_t len;
    char *t = node_text(n, &len);

    html_feed_flush(f);
    start_section(f->b, level, MG_SECTION_SECTION, t, len);
    free(t);
}

static void chapter(struct html_feed *f, xmlNode *n)
{
    xmlNode *h = first_heading(n);
    const char *title = html_attr(n, "title");
    size_t len;
    char *t;

    html_feed_flush(f);
    if (h) {
        t = node_text(h, &len);
        start_section(f->b, heading_level(h), MG_SECTION_CHAPTER, t, len);
        free(t);
        f->taken = h;
    } else {
        t = mg_xstrdup(title ? title : "");
        start_section(f->b, 2, MG_SECTION_CHAPTER, t, strlen(t));
        free(t);
    }
}

static void take_meta(struct html_feed *f, xmlNode *n)
{
    const char *name, *content;
    size_t len;
    char *t;

    if (is_element(n, "title")) {
        t = node_text(n, &len);
        builder_set_title(f->b, t, len);
        free(t);
        return;
    }
    name = html_attr(n, "name");
    content = html_attr(n, "content");
    if (is_element(n, "meta") && name && content &&
        strcasecmp(name, "author") == 0)
        builder_set_author(f->b, content, strlen(content));
}

/* Entering element `n`: returns whether to walk its children. */
static int enter(struct html_feed *f, xmlNode *n)
{
    const char *id, *cls;
    int level;

    if (f->meta && (is_element(n, "title") || is_element(n, "meta")))
        take_meta(f, n);
    if (f->on_id) {
        id = html_attr(n, "id");
        if (!id && is_element(n, "a"))
            id = html_attr(n, "name");
        if (id)
            f->on_id(f->arg, id);
    }
    if (name_in(n, skip_names)) {
        f->skip++;
        return 1; /* ids inside still count, the text does not */
    }
    if (f->skip)
        return 1;
    if (is_element(n, "pre"))
        f->pre++;
    if (is_element(n, "br")) {
        mg_buf_add(&f->para, "\n", 1);
        return 0;
    }
    if (name_in(n, block_names))
        html_feed_flush(f);
    if (!f->headings)
        return 1;
    level = heading_level(n);
    if (level) {
        if (n != f->taken)
            heading(f, n, level);
        return 0;
    }
    cls = html_attr(n, "class");
    if (cls && html_has_token(cls, "chapter"))
        chapter(f, n);
    return 1;
}

static void leave(struct html_feed *f, xmlNode *n)
{
    if (name_in(n, skip_names)) {
        f->skip--;
        return;
    }
    if (f->skip)
        return;
    if (is_element(n, "pre"))
        f->pre--;
    if (name_in(n, block_names))
        html_feed_flush(f);
}

void html_feed_doc(struct html_feed *f, xmlDoc *doc)
{
    xmlNode *root = (xmlNode *)doc, *n = doc->children;

    f->skip = f->pre = 0;
    f->taken = NULL;
    /* Iterative, so deep nesting cannot exhaust the stack. */
    while (n) {
        int down = 0;
        if (n->type == XML_ELEMENT_NODE) {
            down = enter(f, n);
            if (!down || !n->children)
                leave(f, n);
        } else if ((n->type == XML_TEXT_NODE ||
                    n->type == XML_CDATA_SECTION_NODE) &&
                   n->content && !f->skip) {
            para_add(f, (const char *)n->content);
        }
        if (down && n->children) {
            n = n->children;
            continue;
        }
        while (n && n != root && !n->next) {
            n = n->parent;
            if (n && n != root && n->type == XML_ELEMENT_NODE)
                leave(f, n);
        }
        n = n && n != root ? n->next : NULL;
    }
    html_feed_flush(f);
}

/*
 * Kinds follow the tree, whatever the markup: a top-level section with
 * sub-sections is a part, a top-level leaf or a part's child is a
 * chapter, anything deeper is a section. class="chapter" stays a
 * chapter. Sections arrive as MG_SECTION_SECTION, meaning "not decided".
 */
void html_assign_kinds(struct builder *b)
{
    size_t i;
    int *has_child = mg_xcalloc(b->n + 1, sizeof(*has_child));

    for (i = 0; i < b->n; i++)
        if (b->secs[i].parent >= 0)
            has_child[b->secs[i].parent] = 1;
    for (i = 0; i < b->n; i++) {
        struct mg_section *s = &b->secs[i];
        if (s->kind != MG_SECTION_SECTION)
            continue;
        if (s->parent < 0)
            s->kind = has_child[i] ? MG_SECTION_PART : MG_SECTION_CHAPTER;
        else if (b->secs[s->parent].parent < 0 &&
                 b->secs[s->parent].kind == MG_SECTION_PART)
            s->kind = MG_SECTION_CHAPTER;
    }
    free(has_child);
}

int mg_book_parse_html(struct mg_book **out, const char *data, size_t len,
                       struct mg_error *err)
{
    struct builder b;
    struct html_feed *f;
    xmlDoc *doc;
    int rc;

    doc = html_read(data, len, 0);
    if (!doc) {
        mg_error_set(err, "book", "cannot read the HTML");
        return MG_EINVAL;
    }
    builder_init(&b, MG_BOOK_HTML);
    f = html_feed_new(&b, 1, 1, NULL, NULL);
    html_feed_doc(f, doc);
    html_feed_free(f);
    xmlFreeDoc(doc);
    html_assign_kinds(&b);
    rc = builder_finish(&b, out, err);
    builder_release(&b);
    return rc;
}
