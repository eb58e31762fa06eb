/*
 * epub.c: EPUB 2 and 3 books. libarchive inflates the zip from memory
 * (within a budget relative to the upload, and capped in file count), libxml2
 * reads container.xml, the package document (metadata, manifest, spine) and the
 * table of contents (EPUB 3 nav document or EPUB 2 NCX) without expanding
 * entities or loading anything. The spine documents' text goes through html.c's
 * walker; TOC entries start sections, mid-file where they name a
 * fragment. Without a usable TOC the documents' own headings are used.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <archive.h>
#include <archive_entry.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "banned.h"

#define MAX_ENTRIES 10000 /* files in the zip */
#define MAX_TOC_DEPTH 32  /* nesting of the table of contents */

static const char DC_NS[] = "http://purl.org/dc/elements/1.1/";
static const char OPS_NS[] = "http://www.idpf.org/2007/ops";

struct entry {
    char *name;
    char *data; /* NUL-terminated */
    size_t len;
};

struct item {
    const char *id; /* borrowed from the OPF document */
    char *path;     /* resolved, no fragment */
    const char *media_type;
    const char *properties;
};

/* A TOC entry; rank is its depth in the TOC (1 = top). */
struct toc {
    char *title;
    char *path; /* NULL: points nowhere we read */
    char *frag; /* NULL: the start of the file */
    int rank;
    int doc;     /* index into the linear spine, -1 if not in it */
    int started; /* its section has been made */
};

struct epub {
    struct builder b;
    struct entry *entries;
    size_t n_entries;
    struct item *items;
    size_t n_items;
    char **spine; /* linear spine documents, resolved paths */
    size_t n_spine;
    struct toc *toc;
    size_t n_toc, cap_toc;
    char **encrypted; /* files META-INF/encryption.xml lists */
    size_t n_encrypted;
    /* while feeding one spine document: its fragment entries, by id */
    struct toc **here;
    size_t n_here;
    struct html_feed *feed;
};

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const struct entry *)a)->name,
                  ((const struct entry *)b)->name);
}

static const struct entry *find_entry(const struct epub *e, const char *name)
{
    struct entry key;

    key.name = (char *)name;
    if (!e->n_entries)
        return NULL;
    return bsearch(&key, e->entries, e->n_entries, sizeof(key), entry_cmp);
}

static int has_suffix(const char *name, const char *suffix)
{
    size_t n = strlen(name), m = strlen(suffix);

    return n >= m && strcasecmp(name + n - m, suffix) == 0;
}

/* Images, fonts, media and style sheets are never inflated. */
static int wanted(const char *name)
{
    static const char *const skip[] = {
        ".png", ".jpg", ".jpeg", ".gif",   ".webp", ".bmp",
        ".ttf", ".otf", ".woff", ".woff2", ".mp3",  ".mp4",
        ".m4a", ".ogg", ".css",  ".js",    "/",     NULL};
    size_t i;

    for (i = 0; skip[i]; i++)
        if (has_suffix(name, skip[i]))
            return 0;
    return 1;
}

size_t mg_book_inflate_budget(size_t len)
{
    if (len > MG_BOOK_MAX_INFLATED / MG_BOOK_INFLATE_RATIO)
        return MG_BOOK_MAX_INFLATED;
    len *= MG_BOOK_INFLATE_RATIO;
    return len < MG_BOOK_INFLATE_FLOOR ? MG_BOOK_INFLATE_FLOOR : len;
}

static void over_budget(struct mg_error *err, size_t len, size_t budget)
{
    mg_error_set(err, "book",
                 "EPUB inflates past its budget of %zu MiB (%u times the "
                 "%zu KiB upload, at least %u MiB): refused as a zip bomb",
                 budget / (1024 * 1024), MG_BOOK_INFLATE_RATIO,
                 (len + 1023) / 1024, MG_BOOK_INFLATE_FLOOR / (1024 * 1024));
}

/*
 * Inflate the files we may need into e->entries, sorted by name. The
 * budget (mg_book_inflate_budget()) counts every byte inflated and stops
 * before the first byte past it, whatever the headers claim, so no more
 * than the budget (and one 64 KiB buffer) is ever held.
 */
static int read_zip(struct epub *e, const char *data, size_t len,
                    struct mg_error *err)
{
    struct archive *a = archive_read_new();
    struct archive_entry *ent;
    size_t total = 0, count = 0, cap = 0, budget = mg_book_inflate_budget(len);
    char buf[65536];
    int rc = 0, r;

    archive_read_support_format_zip(a);
    if (archive_read_open_memory(a, data, len) != ARCHIVE_OK) {
        mg_error_set(err, "book", "not an EPUB: not a zip file");
        rc = MG_EINVAL;
        goto out;
    }
    for (;;) {
        struct mg_buf body = MG_BUF_INIT;
        const char *name;
        la_ssize_t n;

        r = archive_read_next_header(a, &ent);
        if (r == ARCHIVE_EOF)
            break;
        if (r < ARCHIVE_WARN) {
            mg_error_set(err, "book", "not an EPUB: %s",
                         count ? "damaged zip file" : "not a zip file");
            rc = MG_EINVAL;
            goto out;
        }
        if (++count > MAX_ENTRIES) {
            mg_error_set(err, "book", "EPUB has over %d files", MAX_ENTRIES);
            rc = MG_EINVAL;
            goto out;
        }
        if (archive_entry_is_encrypted(ent)) {
            mg_error_set(err, "book", "encrypted EPUB");
            rc = MG_EINVAL;
            goto out;
        }
        name = archive_entry_pathname(ent);
        if (!name || !*name || !wanted(name))
            continue;
        if (archive_entry_size_is_set(ent) && archive_entry_size(ent) > 0 &&
            (uint64_t)archive_entry_size(ent) > budget - total) {
            over_budget(err, len, budget);
            rc = MG_EINVAL;
            goto out;
        }
        mg_buf_add(&body, "", 0);
        /* Counted as the bytes inflate: the headers' sizes may lie. */
        while ((n = archive_read_data(a, buf, sizeof(buf))) > 0) {
            if ((size_t)n > budget - total) {
                mg_buf_release(&body);
                over_budget(err, len, budget);
                rc = MG_EINVAL;
                goto out;
            }
            total += (size_t)n;
            mg_buf_add(&body, buf, (size_t)n);
        }
        if (n < 0) {
            mg_buf_release(&body);
            mg_error_set(err, "book", "not an EPUB: damaged zip file");
            rc = MG_EINVAL;
            goto out;
        }
        if (e->n_entries == cap) {
            cap = cap ? cap * 2 : 64;
            e->entries = mg_xrealloc(e->entries, cap * sizeof(*e->entries));
        }
        e->entries[e->n_entries].name = mg_xstrdup(name);
        e->entries[e->n_entries].len = body.len;
        e->entries[e->n_entries].data = mg_buf_detach(&body);
        e->n_entries++;
    }
    if (e->n_entries)
        qsort(e->entries, e->n_entries, sizeof(*e->entries), entry_cmp);
out:
    archive_read_free(a);
    return rc;
}

/* An XML file from the zip, or NULL. No entities, no DTD, no network. */
/* libxml2 reports some errors (bad encodings) past NOERROR: silence. */
static void quiet(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

static xmlDoc *read_xml(const struct entry *en)
{
    xmlGenericErrorFunc old = xmlGenericError;
    void *old_ctx = xmlGenericErrorContext;
    xmlDoc *doc;

    if (!en || en->len == 0 || en->len > INT32_MAX)
        return NULL;
    xmlSetGenericErrorFunc(NULL, quiet);
    doc = xmlReadMemory(en->data, (int)en->len, NULL, NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR |
                            XML_PARSE_NOWARNING | XML_PARSE_RECOVER);
    xmlSetGenericErrorFunc(old_ctx, old);
    return doc;
}

static int named(const xmlNode *n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE &&
           strcasecmp((const char *)n->name, name) == 0;
}

/* epub:type, whether parsed as XML (namespaced) or as HTML (plain). */
static const char *epub_type(const xmlNode *n)
{
    const xmlAttr *a;

    for (a = n->properties; a; a = a->next) {
        int ours = (a->ns && a->ns->href &&
                    strcmp((const char *)a->ns->href, OPS_NS) == 0 &&
                    strcmp((const char *)a->name, "type") == 0) ||
                   strcasecmp((const char *)a->name, "epub:type") == 0;
        if (ours && a->children && a->children->type == XML_TEXT_NODE)
            return (const char *)a->children->content;
    }
    return NULL;
}

/* The first element called `name` below `root` in document order. */
static xmlNode *find_element(xmlNode *root, const char *name)
{
    xmlNode *n = root ? root->children : NULL;

    while (n) {
        if (named(n, name))
            return n;
        n = html_next_node(n, root, 1);
    }
    return NULL;
}

static xmlNode *child(xmlNode *n, const char *name)
{
    for (n = n ? n->children : NULL; n; n = n->next)
        if (named(n, name))
            return n;
    return NULL;
}

/* Text below `root`; entity references stay unexpanded. */
static char *text_of(xmlNode *root)
{
    struct mg_buf b = MG_BUF_INIT;
    xmlNode *n = root ? root->children : NULL;

    mg_buf_add(&b, "", 0);
    while (n) {
        if ((n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) &&
            n->content)
            mg_buf_puts(&b, (const char *)n->content);
        n = html_next_node(n, root, 1);
    }
    return mg_buf_detach(&b);
}

/*
 * Resolve `href` against directory `base` ("" or ending in '/') into a
 * path inside the zip; *frag gets the fragment (or NULL). NULL for
 * absolute URLs and paths that climb out of the zip.
 */
static char *resolve(const char *base, const char *href, char **frag)
{
    struct mg_buf raw = MG_BUF_INIT, out = MG_BUF_INIT;
    const char *hash = strchr(href, '#');
    size_t plen = hash ? (size_t)(hash - href) : strlen(href), i;
    char *p, *seg, *next;

    *frag = hash && hash[1] ? mg_xstrdup(hash + 1) : NULL;
    i = strcspn(href, ":/?#");
    if (href[i] == ':' || href[0] == '/')
        goto fail;
    mg_buf_add(&raw, "", 0);
    mg_buf_puts(&raw, base);
    for (i = 0; i < plen && href[i] != '?'; i++) {
        int hi, lo;
        if (href[i] == '%' && i + 2 < plen &&
            (hi = mg_hex_value(href[i + 1])) >= 0 &&
            (lo = mg_hex_value(href[i + 2])) >= 0 && (hi || lo)) {
            char c = (char)(hi * 16 + lo);
            mg_buf_add(&raw, &c, 1);
            i += 2;
        } else {
            mg_buf_add(&raw, &href[i], 1);
        }
    }
    /* Normalise "." and ".." segments. */
    mg_buf_add(&out, "", 0);
    for (p = raw.data; p; p = next) {
        next = strchr(p, '/');
        if (next)
            *next++ = '\0';
        seg = p;
        if (!*seg || strcmp(seg, ".") == 0)
            continue;
        if (strcmp(seg, "..") == 0) {
            char *slash;
            if (!out.len)
                goto fail;
            slash = strrchr(out.data, '/');
            out.len = slash ? (size_t)(slash - out.data) : 0;
            out.data[out.len] = '\0';
            continue;
        }
        if (out.len)
            mg_buf_add(&out, "/", 1);
        mg_buf_puts(&out, seg);
    }
    mg_buf_release(&raw);
    return mg_buf_detach(&out);
fail:
    mg_buf_release(&raw);
    mg_buf_release(&out);
    free(*frag);
    *frag = NULL;
    return NULL;
}

/* "a/b/c.opf" -> "a/b/"; "c.opf" -> "". Caller frees. */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');

    return mg_xstrndup(path, slash ? (size_t)(slash - path + 1) : 0);
}

static const struct item *find_item(const struct epub *e, const char *id)
{
    size_t i;

    for (i = 0; id && i < e->n_items; i++)
        if (e->items[i].id && strcmp(e->items[i].id, id) == 0)
            return &e->items[i];
    return NULL;
}

static int spine_index(const struct epub *e, const char *path)
{
    size_t i;

    for (i = 0; i < e->n_spine; i++)
        if (strcmp(e->spine[i], path) == 0)
            return (int)i;
    return -1;
}

/*
 * The OPF: metadata, manifest and the linear spine. Spine items that are
 * not (X)HTML or not in the zip are left out; a file listed twice is read
 * once, at its first place.
 */
static int read_opf(struct epub *e, xmlDoc *opf, const char *opf_dir,
                    const char **toc_id)
{
    xmlNode *root = xmlDocGetRootElement(opf), *n, *manifest, *spine;
    int title = 0, author = 0;

    for (n = root; n; n = html_next_node(n, root, 1)) {
        int dc = n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
                 strcmp((const char *)n->ns->href, DC_NS) == 0;
        if (dc && !title && named(n, "title")) {
            char *t = text_of(n);
            builder_set_title(&e->b, t, strlen(t));
            title = 1;
            free(t);
        } else if (dc && !author && named(n, "creator")) {
            char *t = text_of(n);
            builder_set_author(&e->b, t, strlen(t));
            author = 1;
            free(t);
        }
    }
    manifest = find_element(root, "manifest");
    for (n = manifest ? manifest->children : NULL; n; n = n->next) {
        const char *href = html_attr(n, "href");
        struct item *it;
        char *frag, *path;
        if (!named(n, "item") || !href || !html_attr(n, "id"))
            continue;
        path = resolve(opf_dir, href, &frag);
        free(frag);
        if (!path)
            continue;
        e->items = mg_xrealloc(e->items, (e->n_items + 1) * sizeof(*e->items));
        it = &e->items[e->n_items++];
        it->id = html_attr(n, "id");
        it->path = path;
        it->media_type = html_attr(n, "media-type");
        it->properties = html_attr(n, "properties");
    }
    spine = find_element(root, "spine");
    *toc_id = spine ? html_attr(spine, "toc") : NULL;
    for (n = spine ? spine->children : NULL; n; n = n->next) {
        const char *linear = html_attr(n, "linear");
        const struct item *it;
        if (!named(n, "itemref") || (linear && strcmp(linear, "no") == 0))
            continue;
        it = find_item(e, html_attr(n, "idref"));
        if (!it || !it->media_type || !strstr(it->media_type, "html") ||
            !find_entry(e, it->path) || spine_index(e, it->path) >= 0)
            continue;
        e->spine = mg_xrealloc(e->spine, (e->n_spine + 1) * sizeof(*e->spine));
        e->spine[e->n_spine++] = mg_xstrdup(it->path);
    }
    return 0;
}

/*
 * The spine document a TOC path names. Some generators write hrefs
 * relative to the wrong directory; when the exact path is not in the
 * spine, one spine document ending in "/<path>" is taken as meant.
 */
static int toc_target(const struct epub *e, const char *path,
                      const char *href_path)
{
    size_t i, n = strlen(href_path);
    int found = spine_index(e, path), matches = 0;

    if (found >= 0 || n == 0)
        return found;
    for (i = 0; i < e->n_spine; i++) {
        size_t m = strlen(e->spine[i]);
        if (m > n && e->spine[i][m - n - 1] == '/' &&
            strcmp(e->spine[i] + m - n, href_path) == 0) {
            found = (int)i;
            matches++;
        }
    }
    return matches == 1 ? found : -1;
}

static void add_toc(struct epub *e, const char *dir, const char *self,
                    const char *title, const char *href, int rank)
{
    struct toc *t;
    char *frag = NULL, *path = NULL, *href_path = NULL;

    if (e->n_toc == e->cap_toc) {
        e->cap_toc = e->cap_toc ? e->cap_toc * 2 : 64;
        e->toc = mg_xrealloc(e->toc, e->cap_toc * sizeof(*e->toc));
    }
    t = &e->toc[e->n_toc++];
    memset(t, 0, sizeof(*t));
    t->title = mg_xstrdup(title);
    t->rank = rank;
    t->doc = -1;
    if (!href)
        return;
    if (href[0] == '#') {
        path = mg_xstrdup(self); /* the TOC document itself */
        frag = href[1] ? mg_xstrdup(href + 1) : NULL;
    } else {
        char *unused;
        path = resolve(dir, href, &frag);
        href_path = resolve("", href, &unused);
        free(unused);
    }
    if (path)
        t->doc = toc_target(e, path, href_path ? href_path : path);
    t->path = path;
    t->frag = frag;
    free(href_path);
}

/* EPUB 3: <li><a href>title</a><ol>...</ol></li>, nested. */
static void read_nav_ol(struct epub *e, xmlNode *ol, const char *dir,
                        const char *self, int rank)
{
    xmlNode *li;

    if (rank > MAX_TOC_DEPTH)
        return;
    for (li = ol->children; li; li = li->next) {
        xmlNode *label, *sub;
        char *title;
        if (!named(li, "li"))
            continue;
        label = child(li, "a");
        if (!label)
            label = child(li, "span");
        title = text_of(label);
        add_toc(e, dir, self, title, label ? html_attr(label, "href") : NULL,
                rank);
        free(title);
        sub = child(li, "ol");
        if (sub)
            read_nav_ol(e, sub, dir, self, rank + 1);
    }
}

static void read_nav(struct epub *e, const char *path)
{
    const struct entry *en = find_entry(e, path);
    xmlDoc *doc = en ? html_read(en->data, en->len, 1) : NULL;
    xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL, *n, *ol;
    char *dir;

    for (n = root; n; n = html_next_node(n, root, 1))
        if (named(n, "nav") && html_has_token(epub_type(n), "toc"))
            break;
    ol = n ? find_element(n, "ol") : NULL;
    if (ol) {
        dir = dir_of(path);
        read_nav_ol(e, ol, dir, path, 1);
        free(dir);
    }
    xmlFreeDoc(doc);
}

/* EPUB 2: navMap > navPoint (navLabel > text, content@src), nested. */
static void read_navpoints(struct epub *e, xmlNode *parent, const char *dir,
                           const char *self, int rank)
{
    xmlNode *np;

    if (rank > MAX_TOC_DEPTH)
        return;
    for (np = parent->children; np; np = np->next) {
        xmlNode *content;
        char *title;
        if (!named(np, "navPoint"))
            continue;
        title = text_of(child(child(np, "navLabel"), "text"));
        content = child(np, "content");
        add_toc(e, dir, self, title, content ? html_attr(content, "src") : NULL,
                rank);
        free(title);
        read_navpoints(e, np, dir, self, rank + 1);
    }
}

static void read_ncx(struct epub *e, const char *path)
{
    xmlDoc *doc = read_xml(find_entry(e, path));
    xmlNode *map = doc ? find_element((xmlNode *)doc, "navMap") : NULL;
    char *dir;

    if (map) {
        dir = dir_of(path);
        read_navpoints(e, map, dir, path, 1);
        free(dir);
    }
    xmlFreeDoc(doc);
}

static void clear_toc(struct epub *e)
{
    size_t i;

    for (i = 0; i < e->n_toc; i++) {
        free(e->toc[i].title);
        free(e->toc[i].path);
        free(e->toc[i].frag);
    }
    e->n_toc = 0;
}

static int toc_usable(const struct epub *e)
{
    size_t i;

    for (i = 0; i < e->n_toc; i++)
        if (e->toc[i].doc >= 0)
            return 1;
    return 0;
}

/* The nav document if there is one, else the NCX; usable or cleared. */
static void read_toc(struct epub *e, const char *toc_id)
{
    const struct item *ncx = find_item(e, toc_id);
    size_t i;

    for (i = 0; i < e->n_items; i++)
        if (html_has_token(e->items[i].properties, "nav")) {
            read_nav(e, e->items[i].path);
            break;
        }
    if (toc_usable(e))
        return;
    clear_toc(e);
    for (i = 0; !ncx && i < e->n_items; i++)
        if (e->items[i].media_type &&
            strcmp(e->items[i].media_type, "application/x-dtbncx+xml") == 0)
            ncx = &e->items[i];
    if (ncx)
        read_ncx(e, ncx->path);
    if (!toc_usable(e))
        clear_toc(e);
}

static void start(struct epub *e, struct toc *t)
{
    const char *s = t->title;
    int thread = 0;

    if (t->started)
        return;
    t->started = 1;
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    if (strncasecmp(s, "thread:", 7) == 0) {
        thread = 1;
        s += 7;
    }
    builder_heading(&e->b, t->rank, MG_SECTION_SECTION, s, strlen(s));
    if (thread)
        builder_mark_thread(&e->b);
}

/* Called for each element id in the document being fed. */
static void on_id(void *arg, const char *id)
{
    struct epub *e = arg;
    size_t i;

    for (i = 0; i < e->n_here; i++) {
        struct toc *t = e->here[i];
        if (!t->started && strcmp(t->frag, id) == 0) {
            html_feed_flush(e->feed);
            start(e, t);
        }
    }
}

/*
 * Feed spine document `k`: entries naming the file start sections at its
 * top, entries naming a fragment where that id is, entries whose id is
 * missing at its end (so every TOC entry into the spine is a section).
 */
static void feed_with_toc(struct epub *e, size_t k, xmlDoc *doc)
{
    size_t i;

    e->n_here = 0;
    for (i = 0; i < e->n_toc; i++) {
        struct toc *t = &e->toc[i];
        if (t->doc != (int)k || t->started)
            continue;
        if (!t->frag)
            start(e, t);
        else
            e->here[e->n_here++] = t;
    }
    html_feed_doc(e->feed, doc);
    for (i = 0; i < e->n_here; i++)
        start(e, e->here[i]);
    e->n_here = 0;
}

/* META-INF/encryption.xml: the files it says are enciphered. */
static void read_encryption(struct epub *e)
{
    xmlDoc *doc = read_xml(find_entry(e, "META-INF/encryption.xml"));
    xmlNode *root = doc ? (xmlNode *)doc : NULL, *n;

    for (n = root ? root->children : NULL; n; n = html_next_node(n, root, 1)) {
        const char *uri =
            named(n, "CipherReference") ? html_attr(n, "URI") : NULL;
        char *frag, *path;
        if (!uri)
            continue;
        path = resolve("", uri, &frag);
        free(frag);
        if (!path)
            continue;
        e->encrypted = mg_xrealloc(e->encrypted, (e->n_encrypted + 1) *
                                                     sizeof(*e->encrypted));
        e->encrypted[e->n_encrypted++] = path;
    }
    xmlFreeDoc(doc);
}

/* Fonts may be obfuscated in a readable book; the text may not be. */
static int text_encrypted(const struct epub *e)
{
    size_t i;

    for (i = 0; i < e->n_encrypted; i++)
        if (spine_index(e, e->encrypted[i]) >= 0)
            return 1;
    return 0;
}

static void epub_release(struct epub *e)
{
    size_t i;

    for (i = 0; i < e->n_entries; i++) {
        free(e->entries[i].name);
        free(e->entries[i].data);
    }
    free(e->entries);
    for (i = 0; i < e->n_items; i++)
        free(e->items[i].path);
    free(e->items);
    for (i = 0; i < e->n_spine; i++)
        free(e->spine[i]);
    free(e->spine);
    clear_toc(e);
    free(e->toc);
    for (i = 0; i < e->n_encrypted; i++)
        free(e->encrypted[i]);
    free(e->encrypted);
    free(e->here);
    html_feed_free(e->feed);
    builder_release(&e->b);
}

/* The path of the package document container.xml names, or NULL. */
static char *rootfile(const struct entry *container)
{
    xmlDoc *doc = read_xml(container);
    xmlNode *root = doc ? (xmlNode *)doc : NULL, *n;
    char *path = NULL;

    for (n = root ? root->children : NULL; n && !path;
         n = html_next_node(n, root, 1)) {
        const char *full =
            named(n, "rootfile") ? html_attr(n, "full-path") : NULL;
        char *frag;
        if (full && *full) {
            path = resolve("", full, &frag);
            free(frag);
        }
    }
    xmlFreeDoc(doc);
    return path;
}

int mg_book_parse_epub(struct mg_book **out, const char *data, size_t len,
                       struct mg_error *err)
{
    struct epub e;
    const struct entry *container;
    const char *toc_id = NULL;
    char *opf_path = NULL, *opf_dir = NULL;
    xmlDoc *opf = NULL;
    size_t k;
    int rc;

    memset(&e, 0, sizeof(e));
    builder_init(&e.b, MG_BOOK_EPUB);
    if (len == 0) {
        mg_error_set(err, "book", "not an EPUB: the file is empty");
        rc = MG_EINVAL;
        goto out;
    }
    rc = read_zip(&e, data, len, err);
    if (rc < 0)
        goto out;
    container = find_entry(&e, "META-INF/container.xml");
    if (!container) {
        mg_error_set(err, "book", "not an EPUB: no META-INF/container.xml");
        rc = MG_EINVAL;
        goto out;
    }
    opf_path = rootfile(container);
    opf = opf_path ? read_xml(find_entry(&e, opf_path)) : NULL;
    if (!opf || !xmlDocGetRootElement(opf)) {
        mg_error_set(err, "book", "not an EPUB: no package document '%s'",
                     opf_path ? opf_path : "");
        rc = MG_EINVAL;
        goto out;
    }
    opf_dir = dir_of(opf_path);
    read_opf(&e, opf, opf_dir, &toc_id);
    read_encryption(&e);
    if (text_encrypted(&e)) {
        mg_error_set(err, "book", "encrypted EPUB");
        rc = MG_EINVAL;
        goto out;
    }
    if (e.n_spine == 0) {
        mg_error_set(err, "book", "not an EPUB: the spine lists no documents");
        rc = MG_EINVAL;
        goto out;
    }
    read_toc(&e, toc_id);
    e.here = mg_xcalloc(e.n_toc + 1, sizeof(*e.here));
    /* No TOC: the documents' own headings make the sections. */
    e.feed = html_feed_new(&e.b, e.n_toc == 0, 0, on_id, &e);
    for (k = 0; k < e.n_spine; k++) {
        const struct entry *en = find_entry(&e, e.spine[k]);
        xmlDoc *doc = html_read(en->data, en->len, 1);
        if (!doc)
            continue;
        if (e.n_toc)
            feed_with_toc(&e, k, doc);
        else
            html_feed_doc(e.feed, doc);
        xmlFreeDoc(doc);
    }
    html_assign_kinds(&e.b);
    rc = builder_finish(&e.b, out, err);
out:
    xmlFreeDoc(opf);
    free(opf_path);
    free(opf_dir);
    epub_release(&e);
    return rc;
}
