/*
 * test_book_epub.c: the HTML and EPUB book parsers. HTML snippets check
 * headings, chapters, thread markers and what text is kept; small EPUBs
 * built here with libarchive's zip writer check the error paths (not a
 * zip, no container, DRM, a zip bomb), the spine and the TOC; two real
 * EPUBs from Debian packages check the figures against counts made
 * independently with unzip and xmllint.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>

#include "mingle/book.h"

#define LIVE_MANUAL "/usr/share/doc/live-manual/epub/live-manual.en.epub"
#define UBUNTU_GUIDE                                                           \
    "/usr/share/doc/ubuntu-packaging-guide-epub/ubuntu-packaging-guide.epub"

/* ---- helpers ---- */

static struct mg_book *parse_html(const char *html)
{
    struct mg_book *b = NULL;
    struct mg_error err;
    int rc;

    memset(&err, 0, sizeof(err));
    rc = mg_book_parse_html(&b, html, strlen(html), &err);
    if (rc != 0)
        fail_msg("parse_html: %d %s", rc, err.message);
    assert_int_equal(b->format, MG_BOOK_HTML);
    return b;
}

/* The section's own text as a new string. */
static char *own_text(const struct mg_book *b, size_t i)
{
    const struct mg_section *s = &b->sections[i];

    return strndup(b->text + s->text_start, s->text_end - s->text_start);
}

static size_t count_top(const struct mg_book *b)
{
    size_t i, n = 0;

    for (i = 0; i < b->n_sections; i++)
        n += b->sections[i].parent < 0;
    return n;
}

static size_t count_level(const struct mg_book *b, int level)
{
    size_t i, n = 0;

    for (i = 0; i < b->n_sections; i++)
        n += b->sections[i].level == level;
    return n;
}

/* Index of the first section titled `title`; fails the test if none. */
static size_t find_title(const struct mg_book *b, const char *title)
{
    size_t i;

    for (i = 0; i < b->n_sections; i++)
        if (strcmp(b->sections[i].title, title) == 0)
            return i;
    fail_msg("no section titled '%s'", title);
    return 0;
}

/* Every section's text range lies in the text, in order; parents valid. */
static void check_tree(const struct mg_book *b)
{
    size_t i;

    for (i = 0; i < b->n_sections; i++) {
        const struct mg_section *s = &b->sections[i];
        assert_true(s->text_start <= s->text_end);
        assert_true(s->text_end <= b->text_len);
        if (i > 0)
            assert_true(b->sections[i - 1].text_end <= s->text_start);
        assert_true(s->parent < (int)i);
        if (s->parent >= 0)
            assert_int_equal(s->level, b->sections[s->parent].level + 1);
        else
            assert_int_equal(s->level, 1);
    }
}

struct zfile {
    const char *name;
    const char *data;
};

/* A zip of `files` (NULL-name ended) in memory; *len its size. */
static char *make_zip(size_t *len, const struct zfile *files)
{
    size_t cap = 1 << 20, used = 0;
    char *buf = malloc(cap);
    struct archive *a = archive_write_new();
    size_t i;

    assert_non_null(buf);
    assert_int_equal(archive_write_set_format_zip(a), ARCHIVE_OK);
    assert_int_equal(archive_write_open_memory(a, buf, cap, &used), ARCHIVE_OK);
    for (i = 0; files[i].name; i++) {
        struct archive_entry *e = archive_entry_new();
        size_t n = strlen(files[i].data);
        archive_entry_set_pathname(e, files[i].name);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_size(e, (la_int64_t)n);
        assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
        assert_int_equal(archive_write_data(a, files[i].data, n), (ssize_t)n);
        archive_entry_free(e);
    }
    assert_int_equal(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
    *len = used;
    return buf;
}

static const char CONTAINER[] =
    "<?xml version='1.0'?><container version='1.0' "
    "xmlns='urn:oasis:names:tc:opendocument:xmlns:container'><rootfiles>"
    "<rootfile full-path='OEBPS/content.opf' "
    "media-type='application/oebps-package+xml'/></rootfiles></container>";

#define XHTML_HEAD                                                             \
    "<?xml version='1.0' encoding='utf-8'?><html "                             \
    "xmlns='http://www.w3.org/1999/xhtml'><head><title>t</title></head><body>"

/* An OPF with manifest `items` and spine `refs` (raw XML). */
static char *opf(const char *items, const char *spine_attrs, const char *refs)
{
    char *s = NULL;
    int n = asprintf(
        &s,
        "<?xml version='1.0'?><package xmlns='http://www.idpf.org/2007/opf' "
        "version='3.0'><metadata xmlns:dc='http://purl.org/dc/elements/1.1/'>"
        "<dc:title>Small Book</dc:title><dc:creator>A. Writer</dc:creator>"
        "</metadata><manifest>%s</manifest><spine %s>%s</spine></package>",
        items, spine_attrs, refs);
    assert_true(n > 0);
    return s;
}

static int parse_epub_files(struct mg_book **b, struct mg_error *err,
                            const struct zfile *files)
{
    size_t len;
    char *zip = make_zip(&len, files);
    int rc;

    memset(err, 0, sizeof(*err));
    *b = NULL;
    rc = mg_book_parse_epub(b, zip, len, err);
    free(zip);
    return rc;
}

static char *slurp(const char *path, const char *package, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *data;
    long n;

    if (!f)
        fail_msg("%s is missing: install the Debian package '%s'", path,
                 package);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n > 0);
    rewind(f);
    data = malloc((size_t)n);
    assert_non_null(data);
    assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return data;
}

/* ---- HTML ---- */

static void test_html_heading_nesting(void **state)
{
    struct mg_book *b;

    (void)state;
    b = parse_html("<html><body>"
                   "<h1>Book One</h1><p>one intro</p>"
                   "<h2>Chapter A</h2><p>alpha words here</p>"
                   "<h3>Scene i</h3><p>scene text</p>"
                   "<h2>Chapter B</h2><p>beta</p>"
                   "<h1>Book Two</h1><p>two</p>"
                   "</body></html>");
    check_tree(b);
    assert_int_equal(b->n_sections, 5);
    assert_string_equal(b->sections[0].title, "Book One");
    assert_int_equal(b->sections[0].kind, MG_SECTION_PART);
    assert_string_equal(b->sections[1].title, "Chapter A");
    assert_int_equal(b->sections[1].parent, 0);
    assert_int_equal(b->sections[1].kind, MG_SECTION_CHAPTER);
    assert_string_equal(b->sections[2].title, "Scene i");
    assert_int_equal(b->sections[2].parent, 1);
    assert_int_equal(b->sections[2].level, 3);
    assert_int_equal(b->sections[2].kind, MG_SECTION_SECTION);
    assert_int_equal(b->sections[3].parent, 0);
    assert_int_equal(b->sections[4].parent, -1);
    /* a top-level heading with nothing under it is a chapter */
    assert_int_equal(b->sections[4].kind, MG_SECTION_CHAPTER);
    assert_int_equal(b->sections[1].words, 3);
    assert_int_equal(b->sections[0].total_words, 2 + 3 + 2 + 1);
    assert_int_equal(b->no_structure, 0);
    mg_book_free(b);
}

static void test_html_chapter_class(void **state)
{
    struct mg_book *b;

    (void)state;
    b = parse_html("<body><div class='book chapter'><h2>The Storm</h2>"
                   "<p>rain fell</p></div>"
                   "<section class='chapter' title='Calm After'>"
                   "<p>sun shone</p></section></body>");
    check_tree(b);
    /* the h2 titles its chapter; it is not a second section */
    assert_int_equal(b->n_sections, 2);
    assert_string_equal(b->sections[0].title, "The Storm");
    assert_int_equal(b->sections[0].kind, MG_SECTION_CHAPTER);
    assert_string_equal(b->sections[1].title, "Calm After");
    assert_int_equal(b->sections[1].kind, MG_SECTION_CHAPTER);
    assert_int_equal(b->sections[1].words, 2);
    mg_book_free(b);
}

static void test_html_thread_marker(void **state)
{
    struct mg_book *b;

    (void)state;
    b = parse_html("<h1>Thread:  The Long Walk </h1><p>a b c</p>"
                   "<h1>Interlude</h1><p>d</p>"
                   "<h1>thread: Home</h1><p>e f</p>");
    check_tree(b);
    assert_int_equal(b->n_sections, 3);
    assert_string_equal(b->sections[0].title, "The Long Walk");
    assert_true(b->sections[0].is_thread);
    assert_false(b->sections[1].is_thread);
    assert_string_equal(b->sections[2].title, "Home");
    assert_true(b->sections[2].is_thread);
    mg_book_free(b);
}

static void test_html_skips_and_entities(void **state)
{
    struct mg_book *b;
    char *t;

    (void)state;
    b = parse_html(
        "<!DOCTYPE html><html><head><title>Caf&eacute; &amp; Co</title>"
        "<meta name='author' content='J&uuml;rgen Smith'>"
        "<style>p { color: red } hidden</style></head><body>"
        "<p>Before any heading.</p>"
        "<h1>One</h1><script>var secret = 1;</script>"
        "<nav><p>menu items</p></nav>"
        "<p>Fish &amp; chips &lt;now&gt; &#8212; caf&eacute;</p>"
        "<p>second\n   paragraph</p></body></html>");
    check_tree(b);
    assert_string_equal(b->title, "Caf\xc3\xa9 & Co");
    assert_string_equal(b->author, "J\xc3\xbcrgen Smith");
    assert_int_equal(b->n_sections, 2);
    assert_int_equal(b->sections[0].kind, MG_SECTION_FRONT);
    assert_int_equal(b->sections[0].words, 3);
    t = own_text(b, 1);
    assert_null(strstr(t, "secret"));
    assert_null(strstr(t, "menu"));
    assert_null(strstr(b->text, "color"));
    assert_null(strstr(b->text, "hidden"));
    /* entities decoded, whitespace collapsed, a break between blocks */
    assert_string_equal(t, "Fish & chips <now> \xe2\x80\x94 caf\xc3\xa9\n\n"
                           "second paragraph\n\n");
    free(t);
    assert_int_equal(b->sections[1].words, 7);
    mg_book_free(b);
}

static void test_html_no_headings(void **state)
{
    struct mg_book *b;

    (void)state;
    b = parse_html("<p>just some text</p><p>more</p>");
    assert_int_equal(b->n_sections, 1);
    assert_true(b->no_structure);
    assert_int_equal(b->words, 4);
    mg_book_free(b);
}

static void test_html_empty_is_an_error(void **state)
{
    struct mg_book *b = NULL;
    struct mg_error err;

    (void)state;
    memset(&err, 0, sizeof(err));
    assert_int_equal(
        mg_book_parse_html(&b, "<html><script>x y</script>", 26, &err),
        MG_EINVAL);
    assert_null(b);
    assert_true(err.message[0] != '\0');
}

/* ---- EPUB: real books ---- */

/*
 * live-manual.en.epub (Debian package live-manual-epub), EPUB 2. Figures
 * from `unzip -d /tmp/l live-manual.en.epub` and xmllint --xpath on
 * /tmp/l/OEBPS/toc.ncx (every name matched with local-name()):
 *   count(//navPoint) -> 190
 *   count(/ncx/navMap/navPoint) -> 2 top-level ("Table of Contents",
 *     "Live Systems Manual")
 *   the same with 2, 3, 4, 5 navPoint steps -> 25, 20, 70, 73 (sum 190)
 * A shell loop over every content@src checked the file is in the spine
 * (no linear="no" in content.opf) and that `grep 'id="oNN"'` finds each
 * fragment, so every navPoint is a section; the first navPoint names the
 * first spine file (index.xhtml), so there is no front matter.
 */
static void test_epub_live_manual(void **state)
{
    struct mg_book *b = NULL;
    struct mg_error err;
    size_t len, i;
    char *data = slurp(LIVE_MANUAL, "live-manual-epub", &len);

    (void)state;
    memset(&err, 0, sizeof(err));
    if (mg_book_parse_epub(&b, data, len, &err) != 0)
        fail_msg("live manual: %s", err.message);
    free(data);
    check_tree(b);
    assert_int_equal(b->format, MG_BOOK_EPUB);
    assert_string_equal(b->title, "Live Systems Manual");
    assert_string_equal(b->author,
                        "Live Systems Project <debian-live@lists.debian.org>");
    assert_int_equal(b->n_sections, 190);
    assert_int_equal(count_top(b), 2);
    assert_int_equal(count_level(b, 2), 25);
    assert_int_equal(count_level(b, 3), 20);
    assert_int_equal(count_level(b, 4), 70);
    assert_int_equal(count_level(b, 5), 73);
    assert_string_equal(b->sections[0].title, "Table of Contents");
    assert_string_equal(b->sections[1].title, "Live Systems Manual");
    assert_string_equal(b->sections[b->n_sections - 1].title,
                        "SiSU Metadata, document information");
    /* nesting from the NCX: 1.4.1 sits in 1.4 in "1. About this manual" */
    i = find_title(b, "1.4.1 Applying changes");
    assert_int_equal(b->sections[i].level, 5);
    assert_string_equal(b->sections[b->sections[i].parent].title,
                        "1.4 Contributing to this document");
    /* about-manual.xhtml#o8 starts mid-file: "1.1" owns its paragraph */
    i = find_title(b, "1.1 For the impatient");
    {
        char *t = own_text(b, i);
        assert_non_null(strstr(t, "For the impatient"));
        assert_null(strstr(t, "This manual serves as a single access"));
        free(t);
        t = own_text(b, find_title(b, "1. About this manual"));
        assert_non_null(strstr(t, "This manual serves as a single access"));
        free(t);
    }
    for (i = 0; i < b->n_sections; i++)
        assert_int_not_equal(b->sections[i].kind, MG_SECTION_FRONT);
    mg_book_free(b);
}

/*
 * ubuntu-packaging-guide.epub (Debian package
 * ubuntu-packaging-guide-epub), EPUB 3 with nav.xhtml. Figures from
 * `unzip -d /tmp/u ubuntu-packaging-guide.epub` and xmllint --xpath on
 * /tmp/u/nav.xhtml (names matched with local-name()):
 *   count(//nav//li) -> 115 entries
 *   count(//nav/ol/li) -> 17 top-level entries
 *   count(//li/ol/li/ol/li) -> 28 at depth 3, and none at depth 4,
 *     so 115 - 17 - 28 = 70 at depth 2
 * Its hrefs (e.g. "getting-set-up.xhtml#create-your-gpg-key") are
 * relative to the wrong directory: the files live in
 * ubuntu-packaging-guide/. A loop checked that each basename exists there
 * exactly once among the linear spine (the other languages' copies are
 * linear="no") and that grep finds every fragment id in it.
 */
static void test_epub_ubuntu_guide(void **state)
{
    struct mg_book *b = NULL;
    struct mg_error err;
    size_t len, i;
    char *data = slurp(UBUNTU_GUIDE, "ubuntu-packaging-guide-epub", &len);
    double t0, t1;

    (void)state;
    memset(&err, 0, sizeof(err));
    t0 = mg_monotonic();
    if (mg_book_parse_epub(&b, data, len, &err) != 0)
        fail_msg("ubuntu guide: %s", err.message);
    t1 = mg_monotonic();
    printf("# parsed ubuntu-packaging-guide.epub in %.1f ms\n",
           (t1 - t0) * 1e3);
    free(data);
    check_tree(b);
    assert_string_equal(b->title, "Ubuntu Packaging Guide");
    assert_string_equal(b->author, "Ubuntu Developers");
    assert_int_equal(b->n_sections, 115);
    assert_int_equal(count_top(b), 17);
    assert_int_equal(count_level(b, 2), 70);
    assert_int_equal(count_level(b, 3), 28);
    assert_string_equal(b->sections[0].title, "Ubuntu Packaging Guide");
    assert_string_equal(b->sections[b->n_sections - 1].title,
                        "Library Symbols");
    i = find_title(b, "Create your GPG key");
    assert_int_equal(b->sections[i].level, 3);
    assert_int_equal(b->sections[i].kind, MG_SECTION_SECTION);
    assert_string_equal(b->sections[b->sections[i].parent].title,
                        "Install basic packaging software");
    i = find_title(b, "Getting Set Up");
    assert_int_equal(b->sections[i].kind, MG_SECTION_PART);
    assert_int_equal(b->sections[i].level, 1);
    i = find_title(b, "KDE Packaging");
    assert_int_equal(b->sections[i].parent, -1);
    /* only the English files are linear: no German text got in */
    assert_null(strstr(b->text, "Einf\xc3\xbchrung"));
    mg_book_free(b);
}

/* ---- EPUB: built here ---- */

static void test_epub_not_a_zip(void **state)
{
    struct mg_book *b = NULL;
    struct mg_error err;
    const char text[] = "Chapter 1\n\nIt was a dark and stormy night.\n";

    (void)state;
    memset(&err, 0, sizeof(err));
    assert_int_equal(mg_book_parse_epub(&b, text, sizeof(text) - 1, &err),
                     MG_EINVAL);
    assert_null(b);
    assert_non_null(strstr(err.message, "not an EPUB"));
    /* a zip header and then garbage */
    memset(&err, 0, sizeof(err));
    assert_int_equal(mg_book_parse_epub(&b, "PK\x03\x04garbage", 11, &err),
                     MG_EINVAL);
    assert_non_null(strstr(err.message, "not an EPUB"));
}

static void test_epub_no_container(void **state)
{
    struct mg_book *b;
    struct mg_error err;
    const struct zfile files[] = {
        {"mimetype", "application/epub+zip"},
        {"OEBPS/ch1.xhtml", XHTML_HEAD "<p>words</p></body></html>"},
        {NULL, NULL}};

    (void)state;
    assert_int_equal(parse_epub_files(&b, &err, files), MG_EINVAL);
    assert_null(b);
    assert_string_equal(err.message, "not an EPUB: no META-INF/container.xml");
}

static const char ENCRYPTION[] =
    "<?xml version='1.0'?><encryption "
    "xmlns='urn:oasis:names:tc:opendocument:xmlns:container' "
    "xmlns:enc='http://www.w3.org/2001/04/xmlenc#'><enc:EncryptedData>"
    "<enc:EncryptionMethod "
    "Algorithm='http://www.w3.org/2001/04/xmlenc#aes128-cbc'/>"
    "<enc:CipherData><enc:CipherReference URI='%s'/></enc:CipherData>"
    "</enc:EncryptedData></encryption>";

static void test_epub_encrypted(void **state)
{
    struct mg_book *b;
    struct mg_error err;
    char *pkg = opf("<item id='c1' href='ch1.xhtml' "
                    "media-type='application/xhtml+xml'/>"
                    "<item id='f' href='font.otf' "
                    "media-type='font/otf'/>",
                    "", "<itemref idref='c1'/>");
    char drm[1024], fonts[1024];
    struct zfile files[] = {
        {"mimetype", "application/epub+zip"},
        {"META-INF/container.xml", CONTAINER},
        {"META-INF/encryption.xml", drm},
        {"OEBPS/content.opf", pkg},
        {"OEBPS/ch1.xhtml", "\x93\x11\xfe binary cipher text"},
        {NULL, NULL}};

    (void)state;
    snprintf(drm, sizeof(drm), ENCRYPTION, "OEBPS/ch1.xhtml");
    assert_int_equal(parse_epub_files(&b, &err, files), MG_EINVAL);
    assert_null(b);
    assert_string_equal(err.message, "encrypted EPUB");

    /* an obfuscated font alone leaves the text readable */
    snprintf(fonts, sizeof(fonts), ENCRYPTION, "OEBPS/font.otf");
    files[2].data = fonts;
    files[4].data = XHTML_HEAD "<h1>One</h1><p>plain words</p></body></html>";
    assert_int_equal(parse_epub_files(&b, &err, files), 0);
    assert_int_equal(b->words, 2);
    mg_book_free(b);
    free(pkg);
}

static void test_epub_zip_bomb(void **state)
{
    /* 300 MiB of zeros deflate to about 300 KiB */
    size_t cap = 4 << 20, used = 0, i;
    char *buf = malloc(cap), *zeros = calloc(1, 1 << 20);
    struct archive *a = archive_write_new();
    struct archive_entry *e;
    struct mg_book *b = NULL;
    struct mg_error err;
    double t0;

    (void)state;
    assert_non_null(buf);
    assert_non_null(zeros);
    assert_int_equal(archive_write_set_format_zip(a), ARCHIVE_OK);
    assert_int_equal(archive_write_open_memory(a, buf, cap, &used), ARCHIVE_OK);
    e = archive_entry_new();
    archive_entry_set_pathname(e, "META-INF/container.xml");
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, (la_int64_t)strlen(CONTAINER));
    assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
    archive_write_data(a, CONTAINER, strlen(CONTAINER));
    archive_entry_clear(e);
    archive_entry_set_pathname(e, "OEBPS/big.xhtml");
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    /* size left unset: nothing in the local header warns the reader */
    assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
    for (i = 0; i < 300; i++)
        assert_int_equal(archive_write_data(a, zeros, 1 << 20), 1 << 20);
    archive_entry_free(e);
    assert_int_equal(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
    free(zeros);
    assert_true(used < cap);

    memset(&err, 0, sizeof(err));
    t0 = mg_monotonic();
    assert_int_equal(mg_book_parse_epub(&b, buf, used, &err), MG_EINVAL);
    printf("# zip bomb (%zu bytes) refused in %.2f s\n", used,
           mg_monotonic() - t0);
    assert_null(b);
    assert_non_null(strstr(err.message, "inflates past its budget"));
    free(buf);
}

/* Issue #17 item 13: the budget follows the upload, within its bounds. */
static void test_epub_inflate_budget(void **state)
{
    (void)state;
    assert_int_equal(mg_book_inflate_budget(0), MG_BOOK_INFLATE_FLOOR);
    assert_int_equal(mg_book_inflate_budget(300 * 1024), MG_BOOK_INFLATE_FLOOR);
    assert_int_equal(mg_book_inflate_budget(2 << 20),
                     (size_t)MG_BOOK_INFLATE_RATIO * (2 << 20));
    assert_int_equal(mg_book_inflate_budget(MG_BOOK_MAX_INPUT),
                     MG_BOOK_MAX_INFLATED);
}

/* Set the 32-bit little-endian field at p. */
static void put_le32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

/*
 * Issue #17 item 13: an EPUB whose zip headers lie about a file's size.
 * Crafted here: a real package whose chapter inflates to 24 MiB of
 * ordinary XHTML (about 30 KiB deflated), with the central directory's
 * sizes patched to claim 2 KiB. Under the old fixed 256 MiB cap it was
 * inflated whole and parsed as a book; now it is refused when the bytes
 * actually inflated reach the upload's budget (16 MiB here).
 */
static void test_epub_lying_sizes(void **state)
{
    static const char para[] =
        "<p>The river ran low that summer and the ferry stood idle.</p>\n";
    size_t cap = 4 << 20, used = 0, i, chunk_len, patched = 0;
    char *buf = malloc(cap), *chunk = malloc(1 << 20), *pkg;
    struct archive *a = archive_write_new();
    struct archive_entry *e;
    struct mg_book *b = NULL;
    struct mg_error err;
    unsigned char *u;

    (void)state;
    assert_non_null(buf);
    assert_non_null(chunk);
    for (chunk_len = 0; chunk_len + sizeof(para) - 1 <= 1 << 20;
         chunk_len += sizeof(para) - 1)
        memcpy(chunk + chunk_len, para, sizeof(para) - 1);
    pkg = opf("<item id='c1' href='big.xhtml' "
              "media-type='application/xhtml+xml'/>",
              "", "<itemref idref='c1'/>");
    assert_int_equal(archive_write_set_format_zip(a), ARCHIVE_OK);
    assert_int_equal(archive_write_zip_set_compression_deflate(a), ARCHIVE_OK);
    assert_int_equal(archive_write_open_memory(a, buf, cap, &used), ARCHIVE_OK);
    e = archive_entry_new();
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_pathname(e, "META-INF/container.xml");
    archive_entry_set_size(e, (la_int64_t)strlen(CONTAINER));
    assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
    archive_write_data(a, CONTAINER, strlen(CONTAINER));
    archive_entry_set_pathname(e, "OEBPS/content.opf");
    archive_entry_set_size(e, (la_int64_t)strlen(pkg));
    assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
    archive_write_data(a, pkg, strlen(pkg));
    archive_entry_set_pathname(e, "OEBPS/big.xhtml");
    archive_entry_unset_size(e);
    assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
    archive_write_data(a, XHTML_HEAD, strlen(XHTML_HEAD));
    for (i = 0; i < 24; i++)
        assert_int_equal(archive_write_data(a, chunk, chunk_len),
                         (ssize_t)chunk_len);
    archive_write_data(a, "</body></html>", 14);
    archive_entry_free(e);
    assert_int_equal(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
    free(chunk);
    free(pkg);
    assert_true(used < 256 * 1024);

    /* The lie: the central directory entry of big.xhtml claims 2 KiB. */
    u = (unsigned char *)buf;
    for (i = 0; i + 46 + 15 <= used; i++)
        if (memcmp(u + i, "PK\x01\x02", 4) == 0 &&
            memcmp(u + i + 46, "OEBPS/big.xhtml", 15) == 0) {
            put_le32(u + i + 24, 2048);
            patched++;
        }
    assert_int_equal(patched, 1);

    memset(&err, 0, sizeof(err));
    assert_int_equal(mg_book_parse_epub(&b, buf, used, &err), MG_EINVAL);
    assert_null(b);
    printf("# lying EPUB (%zu bytes, 24 MiB inflated): %s\n", used,
           err.message);
    assert_non_null(strstr(err.message, "inflates past its budget of 16 MiB"));
    free(buf);
}

static void test_epub_linear_no_and_toc(void **state)
{
    struct mg_book *b;
    struct mg_error err;
    char *t;
    char *pkg = opf(
        "<item id='ncx' href='toc.ncx' media-type='application/x-dtbncx+xml'/>"
        "<item id='cover' href='cover.xhtml' "
        "media-type='application/xhtml+xml'/>"
        "<item id='c1' href='text/ch1.xhtml' "
        "media-type='application/xhtml+xml'/>"
        "<item id='notes' href='notes.xhtml' "
        "media-type='application/xhtml+xml'/>"
        "<item id='c2' href='text/ch2.xhtml' "
        "media-type='application/xhtml+xml'/>",
        "toc='ncx'",
        "<itemref idref='cover'/><itemref idref='c1'/>"
        "<itemref idref='notes' linear='no'/><itemref idref='c2'/>");
    const struct zfile files[] = {
        {"mimetype", "application/epub+zip"},
        {"META-INF/container.xml", CONTAINER},
        {"OEBPS/content.opf", pkg},
        {"OEBPS/toc.ncx",
         "<?xml version='1.0'?><ncx "
         "xmlns='http://www.daisy.org/z3986/2005/ncx/'><navMap>"
         "<navPoint><navLabel><text>Part I</text></navLabel>"
         "<content src='text/ch1.xhtml'/>"
         "<navPoint><navLabel><text>Thread: Arrival</text></navLabel>"
         "<content src='text/ch1.xhtml#arrive'/></navPoint>"
         "<navPoint><navLabel><text>Notes</text></navLabel>"
         "<content src='notes.xhtml'/></navPoint>"
         "<navPoint><navLabel><text>Departure</text></navLabel>"
         "<content src='text/ch2.xhtml'/></navPoint>"
         "</navPoint></navMap></ncx>"},
        {"OEBPS/cover.xhtml", XHTML_HEAD "<p>cover blurb</p></body></html>"},
        {"OEBPS/text/ch1.xhtml",
         XHTML_HEAD "<h1>Part I</h1><p>opening lines</p>"
                    "<h2 id='arrive'>Arrival</h2><p>they came</p>"
                    "</body></html>"},
        {"OEBPS/notes.xhtml", XHTML_HEAD "<p>endnote zebra</p></body></html>"},
        {"OEBPS/text/ch2.xhtml",
         XHTML_HEAD "<p>they went home</p></body></html>"},
        {NULL, NULL}};

    (void)state;
    if (parse_epub_files(&b, &err, files) != 0)
        fail_msg("%s", err.message);
    check_tree(b);
    assert_string_equal(b->title, "Small Book");
    assert_string_equal(b->author, "A. Writer");
    /* front matter, Part I, Arrival, Departure: "Notes" is not linear */
    assert_int_equal(b->n_sections, 4);
    assert_int_equal(b->sections[0].kind, MG_SECTION_FRONT);
    assert_int_equal(b->sections[0].words, 2);
    assert_string_equal(b->sections[1].title, "Part I");
    assert_int_equal(b->sections[1].kind, MG_SECTION_PART);
    assert_string_equal(b->sections[2].title, "Arrival");
    assert_true(b->sections[2].is_thread);
    assert_int_equal(b->sections[2].parent, 1);
    assert_int_equal(b->sections[2].kind, MG_SECTION_CHAPTER);
    assert_string_equal(b->sections[3].title, "Departure");
    assert_int_equal(b->sections[3].parent, 1);
    assert_null(strstr(b->text, "zebra"));
    /* the fragment starts "Arrival" mid-file */
    t = own_text(b, 1);
    assert_non_null(strstr(t, "opening lines"));
    assert_null(strstr(t, "they came"));
    free(t);
    t = own_text(b, 2);
    assert_non_null(strstr(t, "they came"));
    free(t);
    mg_book_free(b);
    free(pkg);
}

static void test_epub3_nav(void **state)
{
    struct mg_book *b;
    struct mg_error err;
    char *pkg =
        opf("<item id='nav' href='nav.xhtml' properties='nav' "
            "media-type='application/xhtml+xml'/>"
            "<item id='c1' href='ch%201.xhtml' "
            "media-type='application/xhtml+xml'/>",
            "", "<itemref idref='nav' linear='no'/><itemref idref='c1'/>");
    const struct zfile files[] = {
        {"mimetype", "application/epub+zip"},
        {"META-INF/container.xml", CONTAINER},
        {"OEBPS/content.opf", pkg},
        {"OEBPS/nav.xhtml",
         "<?xml version='1.0'?><html xmlns='http://www.w3.org/1999/xhtml' "
         "xmlns:epub='http://www.idpf.org/2007/ops'><body>"
         "<nav epub:type='landmarks'><ol><li><a href='ch%201.xhtml'>Start"
         "</a></li></ol></nav>"
         "<nav epub:type='toc'><ol>"
         "<li><a href='ch%201.xhtml'>One</a></li>"
         "<li><a href='./ch%201.xhtml#b'>Two &amp; a half</a></li>"
         "<li><a href='http://example.com/x.xhtml'>Away</a></li>"
         "</ol></nav></body></html>"},
        {"OEBPS/ch 1.xhtml",
         XHTML_HEAD "<p>first part</p><div id='b'><p>second part here</p>"
                    "</div></body></html>"},
        {NULL, NULL}};

    (void)state;
    if (parse_epub_files(&b, &err, files) != 0)
        fail_msg("%s", err.message);
    check_tree(b);
    assert_int_equal(b->n_sections, 2);
    assert_string_equal(b->sections[0].title, "One");
    assert_int_equal(b->sections[0].words, 2);
    assert_int_equal(b->sections[0].kind, MG_SECTION_CHAPTER);
    assert_string_equal(b->sections[1].title, "Two & a half");
    assert_int_equal(b->sections[1].words, 3);
    mg_book_free(b);
    free(pkg);
}

static void test_epub_no_toc_uses_headings(void **state)
{
    struct mg_book *b;
    struct mg_error err;
    char *pkg = opf("<item id='c1' href='a.xhtml' "
                    "media-type='application/xhtml+xml'/>"
                    "<item id='c2' href='b.xhtml' "
                    "media-type='application/xhtml+xml'/>",
                    "", "<itemref idref='c1'/><itemref idref='c2'/>");
    const struct zfile files[] = {
        {"mimetype", "application/epub+zip"},
        {"META-INF/container.xml", CONTAINER},
        {"OEBPS/content.opf", pkg},
        {"OEBPS/a.xhtml", XHTML_HEAD "<h1>Alpha</h1><p>a a a</p>"
                                     "<h2>Alpha Two</h2><p>b</p>"
                                     "</body></html>"},
        /* not well-formed XML: the HTML parser takes over */
        {"OEBPS/b.xhtml", "<html><body><h1>Beta&nbsp;Max</h1><p>c d"
                          "<br></body></html>"},
        {NULL, NULL}};

    (void)state;
    if (parse_epub_files(&b, &err, files) != 0)
        fail_msg("%s", err.message);
    check_tree(b);
    assert_int_equal(b->n_sections, 3);
    assert_string_equal(b->sections[0].title, "Alpha");
    assert_int_equal(b->sections[0].kind, MG_SECTION_PART);
    assert_string_equal(b->sections[1].title, "Alpha Two");
    assert_int_equal(b->sections[1].parent, 0);
    assert_string_equal(b->sections[2].title, "Beta\xc2\xa0Max");
    assert_int_equal(b->sections[2].parent, -1);
    assert_int_equal(b->sections[2].words, 2);
    mg_book_free(b);
    free(pkg);
}

static void test_epub_climbing_href_ignored(void **state)
{
    struct mg_book *b;
    struct mg_error err;
    char *pkg = opf("<item id='c1' href='../../etc/passwd' "
                    "media-type='application/xhtml+xml'/>",
                    "", "<itemref idref='c1'/>");
    const struct zfile files[] = {{"mimetype", "application/epub+zip"},
                                  {"META-INF/container.xml", CONTAINER},
                                  {"OEBPS/content.opf", pkg},
                                  {NULL, NULL}};

    (void)state;
    assert_int_equal(parse_epub_files(&b, &err, files), MG_EINVAL);
    assert_non_null(strstr(err.message, "spine"));
    free(pkg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_html_heading_nesting),
        cmocka_unit_test(test_html_chapter_class),
        cmocka_unit_test(test_html_thread_marker),
        cmocka_unit_test(test_html_skips_and_entities),
        cmocka_unit_test(test_html_no_headings),
        cmocka_unit_test(test_html_empty_is_an_error),
        cmocka_unit_test(test_epub_live_manual),
        cmocka_unit_test(test_epub_ubuntu_guide),
        cmocka_unit_test(test_epub_not_a_zip),
        cmocka_unit_test(test_epub_no_container),
        cmocka_unit_test(test_epub_encrypted),
        cmocka_unit_test(test_epub_zip_bomb),
        cmocka_unit_test(test_epub_inflate_budget),
        cmocka_unit_test(test_epub_lying_sizes),
        cmocka_unit_test(test_epub_linear_no_and_toc),
        cmocka_unit_test(test_epub3_nav),
        cmocka_unit_test(test_epub_no_toc_uses_headings),
        cmocka_unit_test(test_epub_climbing_href_ignored),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
