/*
 * book.c: the builder every parser fills, format detection, word
 * counting, UTF-8 repair and mg_book_parse(), which checks limits and
 * dispatches to the parser for the detected format.
 */
#include "internal.h"

#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "banned.h"

static const char *const format_names[] = {"text", "markdown", "html", "epub"};
static const char *const kind_names[] = {"front", "part", "chapter", "section"};

const char *mg_book_format_name(enum mg_book_format f)
{
    return (unsigned)f < 4 ? format_names[f] : "unknown";
}

const char *mg_section_kind_name(enum mg_section_kind k)
{
    return (unsigned)k < 4 ? kind_names[k] : "unknown";
}

void mg_book_free(struct mg_book *b)
{
    size_t i;

    if (!b)
        return;
    for (i = 0; i < b->n_sections; i++)
        free(b->sections[i].title);
    free(b->sections);
    free(b->text);
    free(b->title);
    free(b->author);
    free(b);
}

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

size_t mg_count_words(const char *s, size_t n)
{
    size_t i, words = 0;
    int in_word = 0, alnum = 0;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (is_space(c)) {
            if (in_word && alnum)
                words++;
            in_word = alnum = 0;
            continue;
        }
        in_word = 1;
        if (isalnum(c) || c >= 0x80)
            alnum = 1;
    }
    if (in_word && alnum)
        words++;
    return words;
}

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char lo = 0x80, hi = 0xbf;
    size_t len, i;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        len = 2;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        len = 3;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        len = 4;
    else
        return 0;
    if (s[0] == 0xe0)
        lo = 0xa0;
    else if (s[0] == 0xed)
        hi = 0x9f;
    else if (s[0] == 0xf0)
        lo = 0x90;
    else if (s[0] == 0xf4)
        hi = 0x8f;
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (i = 2; i < len; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    return len;
}

char *utf8_repair(const char *s, size_t n, size_t *out_len, int *repaired)
{
    struct mg_buf b = MG_BUF_INIT;
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, run = 0;

    mg_buf_add(&b, "", 0);
    while (i < n) {
        size_t len = p[i] ? utf8_seq(p + i, n - i) : 0;
        if (len) {
            i += len;
            run += len;
            continue;
        }
        mg_buf_add(&b, s + i - run, run);
        run = 0;
        if (p[i])
            mg_buf_add(&b, "\xef\xbf\xbd", 3);
        *repaired = 1;
        i++;
    }
    mg_buf_add(&b, s + i - run, run);
    *out_len = b.len;
    return mg_buf_detach(&b);
}

char *builder_normalise(struct builder *b, const char *data, size_t len,
                        size_t *out_len)
{
    size_t n, i, o = 0, skip = 0;
    char *s;

    /* Most books are plain ASCII: copy them without the byte-wise check. */
    for (i = 0; i < len; i++)
        if ((unsigned char)data[i] - 1u >= 0x7fu)
            break;
    if (i == len) {
        n = len;
        s = mg_xmalloc(len + 1);
        memcpy(s, data, len);
        s[len] = '\0';
    } else {
        s = utf8_repair(data, len, &n, &b->utf8_repaired);
    }

    if (n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
        skip = 3;
    if (!skip && !memchr(s, '\r', n)) {
        *out_len = n;
        return s;
    }
    for (i = skip; i < n; i++) {
        if (s[i] == '\r') {
            s[o++] = '\n';
            if (i + 1 < n && s[i + 1] == '\n')
                i++;
        } else {
            s[o++] = s[i];
        }
    }
    s[o] = '\0';
    *out_len = o;
    return s;
}

void builder_init(struct builder *b, enum mg_book_format format)
{
    memset(b, 0, sizeof(*b));
    b->format = format;
    mg_buf_add(&b->text, "", 0);
}

void builder_release(struct builder *b)
{
    size_t i;

    for (i = 0; i < b->n; i++)
        free(b->secs[i].title);
    free(b->secs);
    mg_buf_release(&b->text);
    free(b->title);
    free(b->author);
    memset(b, 0, sizeof(*b));
}

/* Collapse whitespace, drop control characters, repair, cap at 300. */
static char *clean_line(struct builder *b, const char *s, size_t n)
{
    struct mg_buf out = MG_BUF_INIT;
    size_t i, len;
    int space = 0;
    char *fixed = utf8_repair(s, n, &len, &b->utf8_repaired);

    mg_buf_add(&out, "", 0);
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)fixed[i];
        if (is_space(c) || c < 0x20 || c == 0x7f) {
            space = out.len > 0;
            continue;
        }
        if (space)
            mg_buf_add(&out, " ", 1);
        space = 0;
        mg_buf_add(&out, &fixed[i], 1);
    }
    free(fixed);
    if (out.len > 300) {
        len = 300;
        /* back up to a character boundary */
        while (len > 0 && ((unsigned char)out.data[len] & 0xc0) == 0x80)
            len--;
        out.data[len] = '\0';
        out.len = len;
    }
    return mg_buf_detach(&out);
}

static void flush_word(struct builder *b)
{
    if (b->depth > 0 && b->in_word && b->word_alnum)
        b->secs[b->open[b->depth - 1]].words++;
    b->in_word = b->word_alnum = 0;
}

static int add_section(struct builder *b, int rank, enum mg_section_kind kind,
                       char *title)
{
    struct mg_section *s;
    int idx;

    flush_word(b);
    /* Close everything at this rank or deeper. */
    /* Close everything at this rank or deeper; front matter ends at the
     * first heading whatever its rank. */
    while (b->depth > 0 &&
           (b->rank[b->depth - 1] >= rank ||
            b->secs[b->open[b->depth - 1]].kind == MG_SECTION_FRONT))
        b->depth--;
    if (b->depth == BUILDER_MAX_DEPTH)
        b->depth--; /* absurd nesting: treat as a sibling */
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 64;
        b->secs = mg_xrealloc(b->secs, b->cap * sizeof(*b->secs));
    }
    idx = (int)b->n++;
    s = &b->secs[idx];
    memset(s, 0, sizeof(*s));
    s->title = title;
    s->kind = kind;
    s->parent = b->depth > 0 ? b->open[b->depth - 1] : -1;
    s->level = b->depth + 1;
    s->text_start = b->text.len;
    b->open[b->depth] = idx;
    b->rank[b->depth] = rank;
    b->depth++;
    return idx;
}

void builder_heading(struct builder *b, int rank, enum mg_section_kind kind,
                     const char *title, size_t title_len)
{
    char *t = clean_line(b, title, title_len);

    if (!*t) {
        free(t);
        t = mg_xstrdup(kind == MG_SECTION_PART ? "Part" : "Untitled");
    }
    /* A heading ends the previous paragraph in the text. */
    if (b->text.len && b->text.data[b->text.len - 1] != '\n')
        mg_buf_add(&b->text, "\n", 1);
    add_section(b, rank, kind, t);
}

void builder_mark_thread(struct builder *b)
{
    if (b->n > 0)
        b->secs[b->n - 1].is_thread = 1;
}

/* Byte classes for word counting: 1 space, 2 letter or digit (any byte
 * of a multi-byte character counts as a letter), 0 other. */
static unsigned char byte_class[256];

static pthread_once_t classes_once = PTHREAD_ONCE_INIT;

static void init_classes(void)
{
    int c;

    for (c = 0; c < 256; c++)
        byte_class[c] = is_space((unsigned char)c)  ? 1
                        : (isalnum(c) || c >= 0x80) ? 2
                                                    : 0;
}

void builder_text(struct builder *b, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i;

    pthread_once(&classes_once, init_classes);
    for (i = 0; i < n; i++) {
        unsigned char cls = byte_class[p[i]];
        if (cls == 1) {
            if (b->in_word)
                flush_word(b);
            continue;
        }
        if (b->depth == 0) {
            /* First word before any heading: open the front matter. */
            add_section(b, 0, MG_SECTION_FRONT, mg_xstrdup("Front matter"));
            b->secs[b->n - 1].text_start = b->text.len + i;
        }
        b->in_word = 1;
        b->word_alnum |= cls == 2;
    }
    mg_buf_add(&b->text, s, n);
}

void builder_set_title(struct builder *b, const char *s, size_t n)
{
    if (!b->title)
        b->title = clean_line(b, s, n);
}

void builder_set_author(struct builder *b, const char *s, size_t n)
{
    if (!b->author)
        b->author = clean_line(b, s, n);
}

int builder_finish(struct builder *b, struct mg_book **out,
                   struct mg_error *err)
{
    struct mg_book *book;
    size_t i;
    int headings = 0;

    flush_word(b);
    /* Each section's own text runs to the next section's start. */
    for (i = 0; i < b->n; i++) {
        b->secs[i].text_end =
            i + 1 < b->n ? b->secs[i + 1].text_start : b->text.len;
        b->secs[i].end = i + 1;
        b->secs[i].total_words = b->secs[i].words;
        if (b->secs[i].kind != MG_SECTION_FRONT)
            headings = 1;
    }
    /* Subtree ends and totals, children before parents (reverse order). */
    for (i = b->n; i-- > 0;) {
        int p = b->secs[i].parent;
        if (p >= 0) {
            b->secs[p].total_words += b->secs[i].total_words;
            if (b->secs[i].end > b->secs[p].end)
                b->secs[p].end = b->secs[i].end;
        }
    }
    book = mg_xcalloc(1, sizeof(*book));
    for (i = 0; i < b->n; i++)
        if (b->secs[i].parent < 0)
            book->words += b->secs[i].total_words;
    if (book->words == 0) {
        free(book);
        mg_error_set(err, "book", "the book has no words in it");
        return MG_EINVAL;
    }
    book->format = b->format;
    book->sections = b->secs;
    book->n_sections = b->n;
    book->text_len = b->text.len;
    book->text = mg_buf_detach(&b->text);
    book->title = b->title;
    book->author = b->author;
    book->utf8_repaired = b->utf8_repaired;
    book->no_structure = !headings;
    if (!headings && b->n == 1) {
        free(book->sections[0].title);
        book->sections[0].title =
            mg_xstrdup(book->title ? book->title : "Whole text");
    }
    b->secs = NULL;
    b->n = b->cap = 0;
    b->title = b->author = NULL;
    *out = book;
    return 0;
}

static int has_suffix(const char *name, const char *suffix)
{
    size_t n = strlen(name), m = strlen(suffix);

    return n >= m && strcasecmp(name + n - m, suffix) == 0;
}

int text_contains_ci(const char *s, size_t n, const char *needle)
{
    size_t m = strlen(needle), i;

    for (i = 0; i + m <= n; i++)
        if (strncasecmp(s + i, needle, m) == 0)
            return 1;
    return 0;
}

/* Lines starting with 1-6 '#' and a space, outside fenced code. */
static int looks_like_markdown(const char *s, size_t n)
{
    size_t i = 0;
    int headings = 0, fences = 0;

    while (i < n && i < 256 * 1024) {
        size_t j = i, hashes = 0;
        while (j < n && s[j] == '#' && hashes < 7) {
            j++;
            hashes++;
        }
        if (hashes >= 1 && hashes <= 6 && j < n && s[j] == ' ')
            headings++;
        if (n - i >= 3 && memcmp(s + i, "```", 3) == 0)
            fences++;
        while (i < n && s[i] != '\n')
            i++;
        i++;
    }
    return headings >= 1 || fences >= 2;
}

enum mg_book_format mg_book_detect(const char *data, size_t len,
                                   const char *name)
{
    size_t i = 0, head = len < 4096 ? len : 4096;

    if (len >= 4 && memcmp(data, "PK\x03\x04", 4) == 0)
        return MG_BOOK_EPUB;
    if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
        i = 3;
    while (i < head && is_space((unsigned char)data[i]))
        i++;
    if (i < head && data[i] == '<' &&
        (text_contains_ci(data, head, "<html") ||
         text_contains_ci(data, head, "<body") ||
         text_contains_ci(data, head, "<!doctype html") ||
         text_contains_ci(data, head, "<h1") ||
         text_contains_ci(data, head, "<h2") ||
         text_contains_ci(data, head, "<p")))
        return MG_BOOK_HTML;
    if (name && (has_suffix(name, ".html") || has_suffix(name, ".htm") ||
                 has_suffix(name, ".xhtml")))
        return MG_BOOK_HTML;
    if (name && (has_suffix(name, ".md") || has_suffix(name, ".markdown")))
        return MG_BOOK_MARKDOWN;
    if (name && has_suffix(name, ".txt"))
        return MG_BOOK_TEXT;
    return looks_like_markdown(data, len) ? MG_BOOK_MARKDOWN : MG_BOOK_TEXT;
}

int mg_book_parse(struct mg_book **out, const char *data, size_t len,
                  const char *name, struct mg_error *err)
{
    size_t i;

    if (len > MG_BOOK_MAX_INPUT) {
        mg_error_set(err, "book", "the file is over %u MiB",
                     MG_BOOK_MAX_INPUT / (1024 * 1024));
        return MG_ETOOBIG;
    }
    for (i = 0; i < len && is_space((unsigned char)data[i]); i++)
        ;
    if (i == len) {
        mg_error_set(err, "book", "the file is empty");
        return MG_EINVAL;
    }
    switch (mg_book_detect(data, len, name)) {
    case MG_BOOK_EPUB:
        return mg_book_parse_epub(out, data, len, err);
    case MG_BOOK_HTML:
        return mg_book_parse_html(out, data, len, err);
    case MG_BOOK_MARKDOWN:
        return mg_book_parse_markdown(out, data, len, err);
    default:
        return mg_book_parse_text(out, data, len, err);
    }
}
