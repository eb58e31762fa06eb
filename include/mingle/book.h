/*
 * book: a book file (plain text in Project Gutenberg style, Markdown,
 * HTML or EPUB) parsed into one flat list of sections in document order,
 * each with its level in the part > chapter > section tree; then split
 * into conversation threads and balanced weekly readings. Plain structs
 * in, plain structs out: storing them is `store`'s job.
 */
#ifndef MINGLE_BOOK_H
#define MINGLE_BOOK_H

#include <stddef.h>
#include <stdint.h>

#include "mingle/core.h"

/* Largest book file accepted, and largest text an EPUB may inflate to. */
#define MG_BOOK_MAX_INPUT (64u * 1024 * 1024)
#define MG_BOOK_MAX_INFLATED (256u * 1024 * 1024)
/*
 * An EPUB's running inflation budget: the text it may inflate to is at
 * most MG_BOOK_INFLATE_RATIO times the upload, never less than
 * MG_BOOK_INFLATE_FLOOR and never more than MG_BOOK_MAX_INFLATED.
 */
#define MG_BOOK_INFLATE_RATIO 32u
#define MG_BOOK_INFLATE_FLOOR (16u * 1024 * 1024)

enum mg_book_format {
    MG_BOOK_TEXT,
    MG_BOOK_MARKDOWN,
    MG_BOOK_HTML,
    MG_BOOK_EPUB
};

enum mg_section_kind {
    MG_SECTION_FRONT,   /* text before the first heading */
    MG_SECTION_PART,    /* PART, BOOK, VOLUME: groups chapters */
    MG_SECTION_CHAPTER, /* CHAPTER, a numbered heading */
    MG_SECTION_SECTION  /* anything below a chapter */
};

struct mg_section {
    char *title; /* owned, UTF-8, one line */
    int level;   /* depth in the tree: 1 is the top */
    enum mg_section_kind kind;
    int parent;         /* index of the parent section, -1 at top */
    int is_thread;      /* the book marks it as a thread */
    size_t words;       /* words in its own text, not its children */
    size_t total_words; /* words including all descendants */
    size_t text_start;  /* its own text: book->text[start, end) */
    size_t text_end;
    size_t end; /* index one past its last descendant */
};

struct mg_book {
    enum mg_book_format format;
    char *title;  /* owned, may be NULL */
    char *author; /* owned, may be NULL */
    char *text;   /* owned: the book's text, normalised (UTF-8, LF) */
    size_t text_len;
    struct mg_section *sections; /* owned, document order (pre-order) */
    size_t n_sections;
    size_t words;
    int utf8_repaired; /* invalid UTF-8 was replaced by U+FFFD */
    int no_structure;  /* no headings found: the whole text is one section */
};

/* Free a book and everything it owns; NULL is fine. */
void mg_book_free(struct mg_book *b);

/* "text", "markdown", "html", "epub". */
const char *mg_book_format_name(enum mg_book_format f);
const char *mg_section_kind_name(enum mg_section_kind k);

/*
 * Guess the format from the content (a zip with an EPUB mimetype, HTML
 * markup, Markdown headings), using `name` (may be NULL) only to break a
 * tie between Markdown and plain text.
 */
enum mg_book_format mg_book_detect(const char *data, size_t len,
                                   const char *name);

/*
 * Parse a book file of any supported format (detected). The data is not
 * kept. On success *out is the caller's; free with mg_book_free().
 * MG_EINVAL with `err` for an empty file, an unreadable or encrypted EPUB,
 * or one that inflates past its budget (mg_book_inflate_budget());
 * MG_ETOOBIG past
 * MG_BOOK_MAX_INPUT. Invalid UTF-8 is repaired (U+FFFD) and flagged.
 */
int mg_book_parse(struct mg_book **out, const char *data, size_t len,
                  const char *name, struct mg_error *err);

/* The bytes an EPUB of `len` bytes may inflate to (see above). */
size_t mg_book_inflate_budget(size_t len);

/* The parsers mg_book_parse() dispatches to, for tests and fuzzing. */
int mg_book_parse_text(struct mg_book **out, const char *data, size_t len,
                       struct mg_error *err);
int mg_book_parse_markdown(struct mg_book **out, const char *data, size_t len,
                           struct mg_error *err);
int mg_book_parse_html(struct mg_book **out, const char *data, size_t len,
                       struct mg_error *err);
int mg_book_parse_epub(struct mg_book **out, const char *data, size_t len,
                       struct mg_error *err);

/*
 * Count words the way every parser does: runs of non-space bytes that
 * hold at least one letter or digit (so "--" and "*" are not words).
 */
size_t mg_count_words(const char *s, size_t n);

/* A conversation thread: sections [first, end) of the book. */
struct mg_thread {
    char *title; /* owned */
    size_t first;
    size_t end;
    size_t words;
};

/*
 * The book's threads: the sections it marks as threads ("Thread: ..."
 * headings) if any; otherwise the top level that has 2 or more entries.
 * *out is the caller's: free with mg_threads_free(). A book with no
 * structure has one thread, the whole book.
 */
int mg_book_threads(struct mg_thread **out, size_t *n, const struct mg_book *b);
void mg_threads_free(struct mg_thread *t, size_t n);

/*
 * One week's reading: sections [first, end), or when the book has no
 * structure a range of its text (text_start, text_end) cut at a
 * paragraph break.
 */
struct mg_reading {
    int week; /* 1-based */
    size_t first;
    size_t end;
    size_t words;
    size_t text_start;
    size_t text_end;
};

/*
 * Split sections [first, end) into `weeks` readings of contiguous
 * sections balanced by words: the largest week as small as possible, ties
 * broken towards even weeks (least sum of squares). Chapters are not cut
 * unless one alone is longer than an average week; then it is cut at its
 * sub-sections. When the weeks still outnumber the pieces, the longest
 * section without sub-sections is cut at paragraph breaks (at lines if it
 * has too few paragraphs), so a one-chapter thread still fills four
 * weeks; such readings share their section and differ in text_start and
 * text_end. *out has *n readings (fewer than `weeks` only if there are
 * fewer pieces than weeks), the caller's to free().
 */
int mg_book_plan(struct mg_reading **out, size_t *n, const struct mg_book *b,
                 size_t first, size_t end, int weeks, struct mg_error *err);

/*
 * The optimal linear partition underneath mg_book_plan: split the
 * sequence w[0..n) into k contiguous non-empty parts (k <= n) minimising
 * the largest sum, then the sum of squares. cuts[i] receives the start
 * index of part i (cuts[0] == 0); cuts has k entries.
 */
void mg_partition(size_t *cuts, const uint64_t *w, size_t n, size_t k);

/*
 * Everything a circle needs from its book for `weeks` weeks: the threads,
 * the same-pace plan (the whole book, every group reads the same slice)
 * and the thread-per-group plan (each thread over the weeks).
 */
struct mg_book_split {
    struct mg_thread *threads;
    size_t n_threads;
    struct mg_reading *same_pace;
    size_t n_same_pace;
    struct mg_reading **per_thread; /* per_thread[i]: threads[i]'s weeks */
    size_t *n_per_thread;
};

/* Fill `out`; release with mg_book_split_release(). */
int mg_book_split(struct mg_book_split *out, const struct mg_book *b, int weeks,
                  struct mg_error *err);
void mg_book_split_release(struct mg_book_split *s);

#endif
