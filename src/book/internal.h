/*
 * internal.h: what the book parsers share: a builder that collects the
 * normalised text and the section tree as a parser walks its input, and
 * UTF-8 repair. Parsers call builder_heading() at each heading and
 * builder_text() for body text; builder_finish() computes word counts,
 * subtree ends and totals.
 */
#ifndef MINGLE_BOOK_INTERNAL_H
#define MINGLE_BOOK_INTERNAL_H

#include "mingle/book.h"

#define BUILDER_MAX_DEPTH 16

struct builder {
    enum mg_book_format format;
    struct mg_buf text;
    struct mg_section *secs;
    size_t n, cap;
    int open[BUILDER_MAX_DEPTH]; /* open sections, outermost first */
    int rank[BUILDER_MAX_DEPTH]; /* the rank each was opened with */
    int depth;                   /* how many are open */
    int in_word, word_alnum;     /* word counting across chunks */
    char *title, *author;
    int utf8_repaired;
};

void builder_init(struct builder *b, enum mg_book_format format);
void builder_release(struct builder *b);

/*
 * Start a section. `rank` orders headings (1 = part, 2 = chapter, 3 =
 * section, or h1..h6): the new section's parent is the nearest open one
 * with a smaller rank. The title is cleaned (whitespace collapsed,
 * trimmed, control characters dropped, UTF-8 repaired, at most 300 bytes).
 */
void builder_heading(struct builder *b, int rank, enum mg_section_kind kind,
                     const char *title, size_t title_len);

/* Mark the section most recently started as a thread. */
void builder_mark_thread(struct builder *b);

/*
 * Append body text to the current section (text before any heading goes
 * to a "Front matter" section, made when the first word arrives).
 */
void builder_text(struct builder *b, const char *s, size_t n);

/* Set the book's title or author (copied, cleaned) if not set yet. */
void builder_set_title(struct builder *b, const char *s, size_t n);
void builder_set_author(struct builder *b, const char *s, size_t n);

/*
 * Finish: compute words, totals and subtree ends and hand over the book.
 * MG_EINVAL if the book holds no words at all.
 */
int builder_finish(struct builder *b, struct mg_book **out,
                   struct mg_error *err);

/*
 * A copy of s[0..n) with invalid UTF-8 sequences replaced by U+FFFD,
 * NUL bytes dropped; *repaired set if anything changed. Caller frees.
 */
char *utf8_repair(const char *s, size_t n, size_t *out_len, int *repaired);

/* Whether s[0..n) holds `needle`, ignoring ASCII case. */
int text_contains_ci(const char *s, size_t n, const char *needle);

/*
 * The input as the parsers read it, in a new NUL-terminated string:
 * UTF-8 repaired (b->utf8_repaired set if it was), a BOM dropped, CRLF
 * and CR made LF; *out_len its length. Caller frees.
 */
char *builder_normalise(struct builder *b, const char *data, size_t len,
                        size_t *out_len);

/*
 * The HTML walker (html.c), shared with epub.c: it feeds the text and
 * (when `headings` is set) the headings of parsed (X)HTML documents into
 * a builder; `on_id` is told of every element id met, so EPUB can start
 * a section at a TOC entry's #fragment. libxml2's xmlDoc is struct
 * _xmlDoc, named here so this header needs no libxml2 include.
 */
struct html_feed;
struct _xmlDoc;

/* Parse markup (as XML first when `xml_first`, else as HTML); NULL if
 * nothing usable. Free with xmlFreeDoc(). */
struct _xmlDoc *html_read(const char *data, size_t len, int xml_first);
struct html_feed *html_feed_new(struct builder *b, int headings, int meta,
                                void (*on_id)(void *arg, const char *id),
                                void *arg);
void html_feed_doc(struct html_feed *f, struct _xmlDoc *doc);
void html_feed_flush(struct html_feed *f);
void html_feed_free(struct html_feed *f);
/* Whether the space-separated list `list` (may be NULL) holds `word`,
 * ignoring case. */
int html_has_token(const char *list, const char *word);
struct _xmlNode;
/* Attribute `name` of element `n` (either case), owned by the document,
 * or NULL. */
const char *html_attr(const struct _xmlNode *n, const char *name);
/* The next node in document order under `root`; into children first when
 * `down`. NULL at the end. */
struct _xmlNode *html_next_node(struct _xmlNode *n, const struct _xmlNode *root,
                                int down);

/* Settle section kinds from the finished tree (PART, CHAPTER, SECTION). */
void html_assign_kinds(struct builder *b);

#endif
