/*
 * markdown.c: Markdown books. Only the structure is read: ATX ("## Title
 * ##") and setext (underlined) headings outside fenced and indented
 * code, "Thread: ..." headings, and YAML front matter (skipped; its
 * title: and author: are kept). Everything else, markup included, is body
 * text for the builder to count.
 *
 * A heading's rank is its level. Its kind follows the tree: a heading
 * with no heading above it is a PART if headings sit under it, else a
 * CHAPTER; a heading directly under a PART is a CHAPTER; anything deeper
 * is a SECTION. So "# Part / ## Chapter / ### Scene" and a flat list of
 * "## Chapter" headings both read as expected.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "banned.h"

struct event {
    int heading; /* else body text */
    int level;
    int thread;
    enum mg_section_kind kind;
    size_t start, end; /* the text, or the heading's title */
};

struct events {
    struct event *v;
    size_t n, cap;
};

static int is_blank(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\f' || c == '\v';
}

static void trim(const char *s, size_t *start, size_t *end)
{
    while (*start < *end &&
           (is_blank((unsigned char)s[*start]) || s[*start] == '\n'))
        (*start)++;
    while (*end > *start &&
           (is_blank((unsigned char)s[*end - 1]) || s[*end - 1] == '\n'))
        (*end)--;
}

static size_t line_end(const char *s, size_t pos, size_t end)
{
    const char *nl = memchr(s + pos, '\n', end - pos);

    return nl ? (size_t)(nl - s) : end;
}

static void push(struct events *ev, int heading, int level, size_t start,
                 size_t end)
{
    struct event *e;

    if (!heading && start >= end)
        return;
    if (ev->n == ev->cap) {
        ev->cap = ev->cap ? ev->cap * 2 : 64;
        ev->v = mg_xrealloc(ev->v, ev->cap * sizeof(*ev->v));
    }
    e = &ev->v[ev->n++];
    memset(e, 0, sizeof(*e));
    e->heading = heading;
    e->level = level;
    e->start = start;
    e->end = end;
}

/* Columns of indentation (a tab to the next multiple of 4) and bytes. */
static size_t indent(const char *s, size_t pos, size_t eol, size_t *bytes)
{
    size_t col = 0, i = pos;

    while (i < eol && (s[i] == ' ' || s[i] == '\t')) {
        col = s[i] == '\t' ? (col / 4 + 1) * 4 : col + 1;
        i++;
    }
    *bytes = i - pos;
    return col;
}

/*
 * How many `c` the rest of the line holds if it holds only `c` and
 * blanks (blanks between them only if `spaced`), else 0.
 */
static size_t run_of(const char *s, size_t i, size_t eol, char c, int spaced)
{
    size_t count = 0;
    int gap = 0;

    for (; i < eol; i++) {
        if (s[i] == c) {
            if (gap && !spaced)
                return 0;
            count++;
        } else if (is_blank((unsigned char)s[i])) {
            gap = 1;
        } else {
            return 0;
        }
    }
    return count;
}

/* Lines that start a list item or quote cannot be setext titles. */
static int starts_block(const char *s, size_t i, size_t eol)
{
    if (i < eol && s[i] == '>')
        return 1;
    if (i + 1 < eol && (s[i] == '-' || s[i] == '*' || s[i] == '+') &&
        is_blank((unsigned char)s[i + 1]))
        return 1;
    while (i < eol && s[i] >= '0' && s[i] <= '9')
        i++;
    return i + 1 < eol && (s[i] == '.' || s[i] == ')') &&
           is_blank((unsigned char)s[i + 1]) && i > 0 && s[i - 1] >= '0' &&
           s[i - 1] <= '9';
}

/* The title of an ATX heading whose '#'s end at i. */
static void atx_title(const char *s, size_t i, size_t eol, size_t *start,
                      size_t *end)
{
    size_t k;

    *start = i;
    *end = eol;
    trim(s, start, end);
    k = *end;
    while (k > *start && s[k - 1] == '#')
        k--;
    if (k == *start)
        *end = *start; /* only #'s: an empty heading */
    else if (k < *end && is_blank((unsigned char)s[k - 1]))
        *end = k; /* a closing sequence */
    trim(s, start, end);
}

/* Walk the lines once, recording body text and headings in order. */
static void scan(struct events *ev, const char *s, size_t from, size_t n)
{
    size_t pos = from, text_from = from, para = 0, fence_len = 0;
    char fence = 0;
    int in_para = 0, para_block = 0;

    while (pos < n) {
        size_t eol = line_end(s, pos, n), ib, col, i, hashes = 0, run;
        size_t next = eol < n ? eol + 1 : n;

        col = indent(s, pos, eol, &ib);
        i = pos + ib;
        if (fence) {
            run = col < 4 ? run_of(s, i, eol, fence, 0) : 0;
            if (run >= fence_len)
                fence = 0;
            pos = next;
            continue;
        }
        if (i == eol) { /* blank */
            in_para = 0;
            pos = next;
            continue;
        }
        if (col >= 4) { /* indented code, or a paragraph going on */
            pos = next;
            continue;
        }
        if (s[i] == '`' || s[i] == '~') {
            size_t k = i;
            while (k < eol && s[k] == s[i])
                k++;
            if (k - i >= 3 &&
                !(s[i] == '`' && memchr(s + k, '`', eol - k) != NULL)) {
                fence = s[i];
                fence_len = k - i;
                in_para = 0;
                pos = next;
                continue;
            }
        }
        while (i + hashes < eol && s[i + hashes] == '#' && hashes < 7)
            hashes++;
        if (hashes >= 1 && hashes <= 6 &&
            (i + hashes == eol || is_blank((unsigned char)s[i + hashes]))) {
            size_t ts, te;
            atx_title(s, i + hashes, eol, &ts, &te);
            push(ev, 0, 0, text_from, pos);
            push(ev, 1, (int)hashes, ts, te);
            text_from = next;
            in_para = 0;
            pos = next;
            continue;
        }
        if (in_para && !para_block && (s[i] == '=' || s[i] == '-') &&
            run_of(s, i, eol, s[i], 0) > 0) {
            size_t ts = para, te = pos;
            trim(s, &ts, &te);
            push(ev, 0, 0, text_from, para);
            push(ev, 1, s[i] == '=' ? 1 : 2, ts, te);
            text_from = next;
            in_para = 0;
            pos = next;
            continue;
        }
        if ((s[i] == '-' || s[i] == '*' || s[i] == '_') &&
            run_of(s, i, eol, s[i], 1) >= 3) {
            in_para = 0; /* a thematic break */
        } else if (!in_para) {
            in_para = 1;
            para = pos;
            para_block = starts_block(s, i, eol);
        }
        pos = next;
    }
    push(ev, 0, 0, text_from, n);
}

/* See the top of the file. */
static void assign_kinds(struct events *ev)
{
    int levels[BUILDER_MAX_DEPTH + 1];
    enum mg_section_kind kinds[BUILDER_MAX_DEPTH + 1];
    int depth = 0, next_level;
    size_t i, j;

    for (i = 0; i < ev->n; i++) {
        struct event *e = &ev->v[i];
        if (!e->heading)
            continue;
        next_level = 0;
        for (j = i + 1; j < ev->n && !next_level; j++)
            if (ev->v[j].heading)
                next_level = ev->v[j].level;
        while (depth > 0 && levels[depth - 1] >= e->level)
            depth--;
        if (depth == 0)
            e->kind =
                next_level > e->level ? MG_SECTION_PART : MG_SECTION_CHAPTER;
        else if (kinds[depth - 1] == MG_SECTION_PART)
            e->kind = MG_SECTION_CHAPTER;
        else
            e->kind = MG_SECTION_SECTION;
        if (depth == BUILDER_MAX_DEPTH)
            depth--;
        levels[depth] = e->level;
        kinds[depth] = e->kind;
        depth++;
    }
}

static int is_fence_line(const char *s, size_t pos, size_t eol)
{
    size_t end = eol;

    while (end > pos && is_blank((unsigned char)s[end - 1]))
        end--;
    return end - pos == 3 &&
           (memcmp(s + pos, "---", 3) == 0 || memcmp(s + pos, "...", 3) == 0);
}

/* A front-matter value, quotes and blanks removed. */
static void front_value(struct builder *b, const char *s, size_t pos,
                        size_t eol, int author)
{
    size_t start = pos, end = eol;

    trim(s, &start, &end);
    if (end - start >= 2 && (s[start] == '"' || s[start] == '\'') &&
        s[end - 1] == s[start]) {
        start++;
        end--;
    }
    if (start == end)
        return;
    if (author)
        builder_set_author(b, s + start, end - start);
    else
        builder_set_title(b, s + start, end - start);
}

/*
 * YAML front matter: "---" on the first line up to a "---" or "..."
 * line. Returns where the book starts (0 if there is none).
 */
static size_t front_matter(struct builder *b, const char *s, size_t n)
{
    size_t eol = line_end(s, 0, n), pos, end;

    if (eol == n || !is_fence_line(s, 0, eol) || s[0] != '-')
        return 0;
    for (pos = eol + 1; pos < n; pos = end + 1) {
        end = line_end(s, pos, n);
        if (is_fence_line(s, pos, end))
            break;
    }
    if (pos >= n)
        return 0; /* not closed: a thematic break after all */
    for (pos = eol + 1; !is_fence_line(s, pos, line_end(s, pos, n));
         pos = end + 1) {
        end = line_end(s, pos, n);
        if (end - pos > 6 && strncasecmp(s + pos, "title:", 6) == 0)
            front_value(b, s, pos + 6, end, 0);
        else if (end - pos > 7 && strncasecmp(s + pos, "author:", 7) == 0)
            front_value(b, s, pos + 7, end, 1);
    }
    end = line_end(s, pos, n);
    return end < n ? end + 1 : n;
}

static int any_nonspace(const char *s, size_t start, size_t end)
{
    size_t i;

    for (i = start; i < end; i++)
        if (!is_blank((unsigned char)s[i]) && s[i] != '\n')
            return 1;
    return 0;
}

static void emit(struct builder *b, const struct events *ev, const char *s)
{
    size_t i;
    int first_level = 0, open = 0;

    for (i = 0; i < ev->n && !first_level; i++)
        if (ev->v[i].heading)
            first_level = ev->v[i].level;
    for (i = 0; i < ev->n; i++) {
        const struct event *e = &ev->v[i];
        size_t ts = e->start, te = e->end;
        if (e->heading) {
            int thread = te - ts >= 7 && strncasecmp(s + ts, "thread:", 7) == 0;
            if (thread) {
                ts += 7;
                trim(s, &ts, &te);
            }
            builder_heading(b, e->level, e->kind, s + ts, te - ts);
            if (thread)
                builder_mark_thread(b);
            open = 1;
            continue;
        }
        if (!any_nonspace(s, ts, te))
            continue;
        if (!open && first_level) {
            /*
             * Open the front matter ourselves, at the first heading's
             * level: the builder's own one has rank 0, so it would stay
             * open and become the parent of every heading.
             */
            builder_heading(b, first_level, MG_SECTION_FRONT, "Front matter",
                            12);
        }
        open = 1;
        builder_text(b, s + ts, te - ts);
    }
}

int mg_book_parse_markdown(struct mg_book **out, const char *data, size_t len,
                           struct mg_error *err)
{
    struct builder b;
    struct events ev = {NULL, 0, 0};
    size_t n, start;
    char *s;
    int rc;

    builder_init(&b, MG_BOOK_MARKDOWN);
    s = builder_normalise(&b, data, len, &n);
    start = front_matter(&b, s, n);
    scan(&ev, s, start, n);
    assign_kinds(&ev);
    emit(&b, &ev, s);
    rc = builder_finish(&b, out, err);
    free(ev.v);
    free(s);
    builder_release(&b);
    return rc;
}
