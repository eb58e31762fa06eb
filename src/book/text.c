/*
 * text.c: plain-text books in Project Gutenberg style. The licence
 * header and footer are cut off (Title: and Author: are taken from the
 * header), the rest is split into paragraph blocks and each block is
 * classified as a heading (CHAPTER I., PART TWO, TALE III. THE TITLE,
 * STAVE ONE, THE FIRST BOOK OF ..., _PART I._, IV. THE TITLE, PREFACE,
 * C H A P T E R  I, a heading broken over short capital lines ...) or
 * body text. A second pass drops headings that are not followed by body
 * text, which is how a table of contents that repeats the headings is
 * ignored; the levels of bare numerals then follow the families of
 * headings the book uses. Word counts are left to the builder.
 */
#include "internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "banned.h"

/* Longest line (trimmed) that can be a heading, and a title line. */
#define MAX_HEADING 100
#define MAX_TITLE_LINE 80
/* Longest line of a heading broken over several lines. */
#define MAX_SHORT_LINE 40
/* Largest value a bare roman numeral heading ("XII.") may have. */
#define MAX_BARE_ROMAN 200

/*
 * Heading ranks: parts, parts inside parts (a BOOK that restarts in each
 * VOLUME), chapters and what stands for them, sections inside those.
 */
enum { RANK_PART = 1, RANK_INNER_PART, RANK_CHAPTER, RANK_SECTION };

/* A bare numeral, "I." alone, or with a title: "IV. THE RED-HEADED LEAGUE". */
enum { BARE_NO, BARE_ALONE, BARE_TITLED };

enum line_type {
    LINE_TEXT,
    LINE_NUMBERED, /* CHAPTER/PART/BOOK/VOLUME + number: may take a title */
    LINE_SINGLE    /* PREFACE, IV. TITLE: must stand alone in its block */
};

/* What comes after a candidate heading, seen walking backwards. */
enum follow { FOLLOW_NOTHING, FOLLOW_BODY, FOLLOW_HEADING, FOLLOW_FAKE };

struct cand {
    int rank;
    int bare;     /* BARE_*: a numeral alone, its rank the book's */
    int num;      /* a bare numeral's value */
    int numbered; /* KEYWORD + number: CHAPTER IV, TALE 3 */
    enum mg_section_kind kind;
    size_t title_off, title_len; /* in parser.titles */
    size_t key_off, key_len;     /* "CHAPTER 4", "R 4", "PREFACE" */
    int toc;                     /* inside a CONTENTS list */
};

struct block {
    size_t start, end; /* its lines, without the final LF */
    size_t body;       /* where its body text starts (end: none) */
    int n_cand;        /* heading candidates at its start: 0..2 */
    struct cand cand[2];
    int real;     /* its candidates are headings */
    int letters;  /* its body part holds a letter */
    int contents; /* the block is a "CONTENTS" line */
};

struct parser {
    struct mg_buf titles;
    struct block *blocks;
    size_t n, cap;
};

static int is_blank(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\f' || c == '\v';
}

static void trim(const char **s, size_t *n)
{
    while (*n > 0 && is_blank((unsigned char)**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n > 0 && is_blank((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

static int has_prefix_ci(const char *s, size_t n, const char *prefix)
{
    size_t m = strlen(prefix);

    return n >= m && strncasecmp(s, prefix, m) == 0;
}

/* --- roman numerals and number words --- */

static int roman_digit(char c)
{
    switch (toupper((unsigned char)c)) {
    case 'I':
        return 1;
    case 'V':
        return 5;
    case 'X':
        return 10;
    case 'L':
        return 50;
    case 'C':
        return 100;
    case 'D':
        return 500;
    case 'M':
        return 1000;
    default:
        return 0;
    }
}

/* Write `v` (1..3999) in canonical roman form; returns the length. */
static size_t roman_format(char *out, int v)
{
    static const int vals[] = {1000, 900, 500, 400, 100, 90, 50,
                               40,   10,  9,   5,   4,   1};
    static const char *const syms[] = {"M",  "CM", "D",  "CD", "C",  "XC", "L",
                                       "XL", "X",  "IX", "V",  "IV", "I"};
    size_t len = 0, i;

    for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
        while (v >= vals[i]) {
            size_t k = strlen(syms[i]);
            memcpy(out + len, syms[i], k);
            len += k;
            v -= vals[i];
        }
    return len;
}

/*
 * The value of the roman numeral s[0..n) if it is written the canonical
 * way (so "IL" or "CIVIL" are not numerals), else 0. One case only.
 */
static int roman_value(const char *s, size_t n)
{
    char canon[32];
    size_t i;
    int v = 0, upper = isupper((unsigned char)s[0]) != 0;

    if (n == 0 || n > 15)
        return 0;
    for (i = 0; i < n; i++) {
        int d = roman_digit(s[i]);
        int next = i + 1 < n ? roman_digit(s[i + 1]) : 0;
        if (!d || (isupper((unsigned char)s[i]) != 0) != upper)
            return 0;
        v += d < next ? -d : d;
    }
    if (v <= 0 || v > 3999 || roman_format(canon, v) != n)
        return 0;
    for (i = 0; i < n; i++)
        if (toupper((unsigned char)s[i]) != canon[i])
            return 0;
    return v;
}

static const char *const number_words[] = {
    "ONE",      "TWO",      "THREE",    "FOUR",    "FIVE",      "SIX",
    "SEVEN",    "EIGHT",    "NINE",     "TEN",     "ELEVEN",    "TWELVE",
    "THIRTEEN", "FOURTEEN", "FIFTEEN",  "SIXTEEN", "SEVENTEEN", "EIGHTEEN",
    "NINETEEN", "TWENTY",   "THIRTY",   "FORTY",   "FIFTY",     "SIXTY",
    "SEVENTY",  "EIGHTY",   "NINETY",   "HUNDRED", "FIRST",     "SECOND",
    "THIRD",    "FOURTH",   "FIFTH",    "SIXTH",   "SEVENTH",   "EIGHTH",
    "NINTH",    "TENTH",    "ELEVENTH", "TWELFTH", "LAST",      "THIRTEENTH"};

static void add_upper(struct mg_buf *key, const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        char c = (char)toupper((unsigned char)s[i]);
        mg_buf_add(key, &c, 1);
    }
}

static int is_number_word(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < sizeof(number_words) / sizeof(number_words[0]); i++)
        if (strlen(number_words[i]) == n &&
            strncasecmp(s, number_words[i], n) == 0)
            return 1;
    return 0;
}

/*
 * Length of the chapter number at s: digits, a roman numeral, a number
 * word ("TWENTY-ONE", "Third") or "the First"; 0 if there is none. The
 * normalised number (digits for roman ones) is appended to `key`.
 */
static size_t parse_number(struct mg_buf *key, const char *s, size_t n)
{
    size_t w = 0, i;
    int v;

    while (w < n && isalnum((unsigned char)s[w]))
        w++;
    if (w == 0)
        return 0;
    if (isdigit((unsigned char)s[0])) {
        for (i = 0; i < w; i++)
            if (!isdigit((unsigned char)s[i]))
                return 0;
        if (w > 4)
            return 0;
        mg_buf_add(key, s, w);
        return w;
    }
    v = roman_value(s, w);
    if (v > 0) {
        mg_buf_printf(key, "%d", v);
        return w;
    }
    if (w == 3 && strncasecmp(s, "THE", 3) == 0 && w < n && s[w] == ' ') {
        size_t k = w + 1;
        while (k < n && isalpha((unsigned char)s[k]))
            k++;
        if (!is_number_word(s + w + 1, k - w - 1))
            return 0;
        add_upper(key, s + w + 1, k - w - 1);
        return k;
    }
    if (!is_number_word(s, w))
        return 0;
    /* TWENTY-ONE */
    if (w + 1 < n && s[w] == '-') {
        size_t k = w + 1;
        while (k < n && isalpha((unsigned char)s[k]))
            k++;
        if (k > w + 1 && is_number_word(s + w + 1, k - w - 1))
            w = k;
    }
    add_upper(key, s, w);
    return w;
}

/* --- one line --- */

struct keyword {
    const char *word;
    int numbered;
    int rank;
    enum mg_section_kind kind;
    int abbrev; /* must be followed by '.' */
};

/*
 * Each keyword is a family of headings with its rank: RANK_PART for the
 * parts a book is divided into (RANK_INNER_PART when one family restarts
 * inside another), RANK_CHAPTER for its chapters (and the stories,
 * letters, staves or cantos that stand for them), RANK_SECTION inside.
 */
static const struct keyword keywords[] = {
    {"CHAPTER", 1, RANK_CHAPTER, MG_SECTION_CHAPTER, 0},
    {"CHAP", 1, RANK_CHAPTER, MG_SECTION_CHAPTER, 1},
    {"PART", 1, RANK_PART, MG_SECTION_PART, 0},
    {"BOOK", 1, RANK_PART, MG_SECTION_PART, 0},
    {"VOLUME", 1, RANK_PART, MG_SECTION_PART, 0},
    {"VOL", 1, RANK_PART, MG_SECTION_PART, 1},
    {"ACT", 1, RANK_PART, MG_SECTION_PART, 0},
    {"TALE", 1, RANK_CHAPTER, MG_SECTION_CHAPTER, 0},
    {"STORY", 1, RANK_CHAPTER, MG_SECTION_CHAPTER, 0},
    {"STAVE", 1, RANK_CHAPTER, MG_SECTION_CHAPTER, 0},
    {"LETTER", 1, RANK_CHAPTER, MG_SECTION_CHAPTER, 0},
    {"CANTO", 1, RANK_CHAPTER, MG_SECTION_CHAPTER, 0},
    {"SCENE", 1, RANK_CHAPTER, MG_SECTION_CHAPTER, 0},
    {"ESSAY", 1, RANK_CHAPTER, MG_SECTION_CHAPTER, 0},
    {"LECTURE", 1, RANK_CHAPTER, MG_SECTION_CHAPTER, 0},
    {"SERMON", 1, RANK_CHAPTER, MG_SECTION_CHAPTER, 0},
    {"ADVENTURE", 1, RANK_CHAPTER, MG_SECTION_CHAPTER, 0},
    {"EPISODE", 1, RANK_CHAPTER, MG_SECTION_CHAPTER, 0},
    {"FABLE", 1, RANK_CHAPTER, MG_SECTION_CHAPTER, 0},
    {"SECTION", 1, RANK_SECTION, MG_SECTION_SECTION, 0},
    {"PREFACE", 0, RANK_CHAPTER, MG_SECTION_CHAPTER, 0},
    {"INTRODUCTION", 0, RANK_CHAPTER, MG_SECTION_CHAPTER, 0},
    {"CONCLUSION", 0, RANK_CHAPTER, MG_SECTION_CHAPTER, 0},
    {"EPILOGUE", 0, RANK_CHAPTER, MG_SECTION_CHAPTER, 0},
    {"PROLOGUE", 0, RANK_CHAPTER, MG_SECTION_CHAPTER, 0},
    {"FOREWORD", 0, RANK_CHAPTER, MG_SECTION_CHAPTER, 0},
    {"AFTERWORD", 0, RANK_CHAPTER, MG_SECTION_CHAPTER, 0},
    {"POSTSCRIPT", 0, RANK_CHAPTER, MG_SECTION_CHAPTER, 0},
};

static int is_dash(const char *s, size_t n)
{
    return (n >= 1 && s[0] == '-') ||
           (n >= 3 && memcmp(s, "\xe2\x80", 2) == 0 &&
            ((unsigned char)s[2] == 0x93 || (unsigned char)s[2] == 0x94));
}

/*
 * Whether what follows the number (or keyword) lets the line be a
 * heading: nothing, punctuation then a title, or a title that does not
 * start in lower case ("Chapter 9 is where ..." is a sentence).
 */
static int rest_ok(const char *s, size_t n)
{
    size_t i = 0;

    if (n == 0 || s[0] == '.' || s[0] == ':' || is_dash(s, n))
        return 1;
    if (s[0] != ' ' && s[0] != '\t')
        return 0;
    while (i < n && is_blank((unsigned char)s[i]))
        i++;
    if (i == n || s[i] == ':' || is_dash(s + i, n - i))
        return 1;
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isalpha(c))
            return !islower(c);
    }
    return 1;
}

/* "C H A P T E R  I" into "CHAPTER I"; 0 if the line is not like that. */
static size_t unspace(char *out, const char *s, size_t n)
{
    size_t i = 0, len = 0, tokens = 0;

    while (i < n) {
        if (is_blank((unsigned char)s[i]) || (unsigned char)s[i] >= 0x80)
            return 0;
        if (i + 1 < n && !is_blank((unsigned char)s[i + 1]))
            return 0; /* a token longer than one character */
        out[len++] = s[i++];
        tokens++;
        if (i == n)
            break;
        if (i + 1 < n && is_blank((unsigned char)s[i + 1])) {
            out[len++] = ' '; /* two or more spaces: a word break */
            while (i < n && is_blank((unsigned char)s[i]))
                i++;
        } else {
            i++;
        }
    }
    return tokens >= 3 ? len : 0;
}

/* Gutenberg's italics: "_PART I._" reads as "PART I." */
static void strip_italics(const char **s, size_t *n)
{
    if (*n < 3 || (*s)[0] != '_')
        return;
    if ((*s)[*n - 1] == '_') {
        (*s)++;
        *n -= 2;
    } else if ((*s)[*n - 2] == '_' && ispunct((unsigned char)(*s)[*n - 1])) {
        (*s)++; /* "_PART I_.": the '.' goes with the underscore */
        *n -= 3;
    } else {
        return;
    }
    trim(s, n);
}

static const char *const ordinals[] = {
    "FIRST",  "SECOND", "THIRD", "FOURTH",   "FIFTH",   "SIXTH",      "SEVENTH",
    "EIGHTH", "NINTH",  "TENTH", "ELEVENTH", "TWELFTH", "THIRTEENTH", "LAST"};

static int is_ordinal(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < sizeof(ordinals) / sizeof(ordinals[0]); i++)
        if (strlen(ordinals[i]) == n && strncasecmp(s, ordinals[i], n) == 0)
            return 1;
    return 0;
}

/* The length of the word at s (letters), written KEYWORD or Keyword. */
static size_t cap_word(const char *s, size_t n)
{
    size_t w = 0, i;

    while (w < n && isalpha((unsigned char)s[w]))
        w++;
    if (w == 0 || !isupper((unsigned char)s[0]))
        return 0;
    for (i = 1; i < w; i++)
        if ((isupper((unsigned char)s[i]) != 0) !=
            (isupper((unsigned char)s[1]) != 0))
            return 0;
    return w;
}

/*
 * Whether s[0..n) reads as a title: each word capitalised, or a short
 * joining word ("of", "the", "and", ...), and no sentence's end inside.
 */
static int title_like(const char *s, size_t n)
{
    static const char *const small[] = {"of", "the", "a",  "an", "and",
                                        "in", "on",  "to", "or", "for"};
    size_t i = 0, k;

    while (i < n) {
        size_t w = 0;
        while (i < n && !isalpha((unsigned char)s[i])) {
            if ((s[i] == '?' || s[i] == '!') && i + 1 < n)
                return 0;
            i++;
        }
        while (i + w < n && isalpha((unsigned char)s[i + w]))
            w++;
        if (w > 0 && islower((unsigned char)s[i])) {
            for (k = 0; k < sizeof(small) / sizeof(small[0]); k++)
                if (strlen(small[k]) == w && strncmp(s + i, small[k], w) == 0)
                    break;
            if (k == sizeof(small) / sizeof(small[0]))
                return 0;
        }
        i += w;
    }
    return 1;
}

/*
 * "THE FIRST BOOK OF ESSAYS", "Second Part", "The Last Canto": an
 * ordinal word before a numbered keyword. Fills `c` and `key` ("BOOK
 * FIRST", as "BOOK THE FIRST" gives) and returns 1 if the line is one.
 */
static int ordinal_first(struct mg_buf *key, struct cand *c, const char *s,
                         size_t n)
{
    size_t p = 0, w, i, ow;
    const char *ord;

    w = cap_word(s, n);
    if (w == 3 && strncasecmp(s, "THE", 3) == 0) {
        p = w;
        while (p < n && is_blank((unsigned char)s[p]))
            p++;
        if (p == w)
            return 0;
        w = cap_word(s + p, n - p);
    }
    if (w == 0 || !is_ordinal(s + p, w))
        return 0;
    ord = s + p;
    ow = w;
    p += w;
    if (p >= n || !is_blank((unsigned char)s[p]))
        return 0;
    while (p < n && is_blank((unsigned char)s[p]))
        p++;
    w = cap_word(s + p, n - p);
    for (i = 0; w && i < sizeof(keywords) / sizeof(keywords[0]); i++) {
        const struct keyword *k = &keywords[i];
        size_t q = p + w;
        if (!k->numbered || k->abbrev || strlen(k->word) != w ||
            strncasecmp(s + p, k->word, w) != 0)
            continue;
        /* a title's words, not a sentence ("The First Part of the
         * journey was easy."): "THE FIRST BOOK OF MOSES" */
        if (q < n &&
            (isalnum((unsigned char)s[q]) || !title_like(s + q, n - q)))
            return 0;
        c->rank = k->rank;
        c->kind = k->kind;
        mg_buf_puts(key, k->word);
        mg_buf_add(key, " ", 1);
        add_upper(key, ord, ow);
        return 1;
    }
    return 0;
}

/*
 * Classify one line. For a heading, fill `c` (title and key go into
 * `titles`) and return LINE_NUMBERED or LINE_SINGLE.
 */
static enum line_type classify(struct mg_buf *titles, struct cand *c,
                               const char *s, size_t n)
{
    char spaced[MAX_HEADING + 1];
    struct mg_buf key = MG_BUF_INIT;
    enum line_type type = LINE_TEXT;
    size_t w = 0, i, len;
    int v;

    trim(&s, &n);
    strip_italics(&s, &n);
    if (n == 0 || n > MAX_HEADING)
        return LINE_TEXT;
    len = unspace(spaced, s, n);
    if (len > 0) {
        s = spaced;
        n = len;
    }
    while (w < n && isalpha((unsigned char)s[w]))
        w++;
    if (w == 0)
        return LINE_TEXT;
    mg_buf_add(&key, "", 0);
    c->bare = 0;
    /* a bare roman numeral: "IV", "IV.", "IV. THE RED-HEADED LEAGUE" */
    v = isupper((unsigned char)s[0]) ? roman_value(s, w) : 0;
    if (v > 0 && v <= MAX_BARE_ROMAN && isupper((unsigned char)s[0]) &&
        (w == n || (s[w] == '.' && rest_ok(s + w + 1, n - w - 1) &&
                    (w + 1 == n || s[w + 1] == ' ')))) {
        mg_buf_printf(&key, "R %d", v);
        c->rank = RANK_SECTION; /* until the book's families are known */
        c->bare = w == n || w + 1 == n ? BARE_ALONE : BARE_TITLED;
        c->num = v;
        c->kind = MG_SECTION_SECTION;
        type = LINE_SINGLE;
        goto found;
    }
    if (ordinal_first(&key, c, s, n)) {
        type = LINE_NUMBERED;
        goto found;
    }
    /* KEYWORD or Keyword, never keyword */
    if (!isupper((unsigned char)s[0]))
        goto out;
    for (i = 1; i < w; i++)
        if ((isupper((unsigned char)s[i]) != 0) !=
            (isupper((unsigned char)s[1]) != 0))
            goto out;
    for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++) {
        const struct keyword *k = &keywords[i];
        size_t p = w, num;
        if (strlen(k->word) != w || strncasecmp(s, k->word, w) != 0)
            continue;
        if (k->abbrev) {
            if (p >= n || s[p] != '.')
                goto out;
            p++;
        }
        c->rank = k->rank;
        c->kind = k->kind;
        mg_buf_puts(&key, k->abbrev && k->rank == RANK_CHAPTER ? "CHAPTER"
                          : k->abbrev                          ? "VOLUME"
                                                               : k->word);
        if (!k->numbered) {
            if (!rest_ok(s + p, n - p))
                goto out;
            type = LINE_SINGLE;
            goto found;
        }
        if (p >= n || !is_blank((unsigned char)s[p]))
            goto out;
        while (p < n && is_blank((unsigned char)s[p]))
            p++;
        mg_buf_add(&key, " ", 1);
        num = parse_number(&key, s + p, n - p);
        if (num == 0 || !rest_ok(s + p + num, n - p - num))
            goto out;
        type = LINE_NUMBERED;
        goto found;
    }
    goto out;
found:
    c->numbered = type == LINE_NUMBERED;
    c->title_off = titles->len;
    c->title_len = n;
    mg_buf_add(titles, s, n);
    c->key_off = titles->len;
    c->key_len = key.len;
    mg_buf_add(titles, key.data, key.len);
    c->toc = 0;
out:
    mg_buf_release(&key);
    return type;
}

/* --- blocks --- */

static size_t line_end(const char *s, size_t pos, size_t end)
{
    const char *nl = memchr(s + pos, '\n', end - pos);

    return nl ? (size_t)(nl - s) : end;
}

static int is_contents(const char *s, size_t n)
{
    trim(&s, &n);
    while (n > 0 && (s[n - 1] == '.' || s[n - 1] == ':'))
        n--;
    return (n == 8 && strncasecmp(s, "CONTENTS", 8) == 0) ||
           (n == 17 && strncasecmp(s, "TABLE OF CONTENTS", 17) == 0);
}

static int any_letter(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (isalpha((unsigned char)s[i]) || (unsigned char)s[i] >= 0x80)
            return 1;
    return 0;
}

/*
 * A heading broken over short lines ("THE / SECOND BOOK / OF / ESSAYS"):
 * a block of 2 to 6 lines of at most MAX_SHORT_LINE, none in lower case,
 * read as one line. Returns its type, with `c` filled for a heading.
 */
static enum line_type classify_joined(struct parser *p, struct cand *c,
                                      const char *s, const struct block *bl)
{
    char joined[MAX_HEADING + 1];
    size_t len = 0, lines = 0, pos, eol, i;

    for (pos = bl->start; pos <= bl->end; pos = eol + 1) {
        const char *l = s + pos;
        size_t ln;
        eol = line_end(s, pos, bl->end);
        ln = eol - pos;
        trim(&l, &ln);
        if (ln == 0 || ln > MAX_SHORT_LINE || ++lines > 6 ||
            len + ln + 1 > MAX_HEADING)
            return LINE_TEXT;
        for (i = 0; i < ln; i++)
            if (islower((unsigned char)l[i]))
                return LINE_TEXT;
        if (len)
            joined[len++] = ' ';
        memcpy(joined + len, l, ln);
        len += ln;
    }
    if (lines < 2)
        return LINE_TEXT;
    return classify(&p->titles, c, joined, len);
}

/*
 * Look at a block's lines: a heading line first (or a PART line then a
 * CHAPTER line), then up to two short title lines, or else body text. A
 * block with more heading-like lines is a table of contents: body. A
 * bare numeral or PREFACE must stand alone.
 */
static void classify_block(struct parser *p, struct block *bl, const char *s)
{
    struct cand c0, c1, tmp;
    enum line_type t0, t1 = LINE_TEXT;
    size_t mark = p->titles.len, lines = 1, heads = 1, rest, pos, eol;
    size_t l0e = line_end(s, bl->start, bl->end);
    int pair = 0;

    t0 = classify(&p->titles, &c0, s + bl->start, l0e - bl->start);
    if (t0 == LINE_TEXT && l0e < bl->end &&
        classify_joined(p, &c0, s, bl) != LINE_TEXT) {
        bl->n_cand = 1;
        bl->cand[0] = c0;
        bl->body = bl->end;
        return;
    }
    if (t0 == LINE_TEXT)
        goto body;
    rest = l0e + 1;
    for (pos = l0e + 1; pos <= bl->end; pos = eol + 1) {
        eol = line_end(s, pos, bl->end);
        lines++;
        if (pos == l0e + 1) {
            t1 = classify(&p->titles, &c1, s + pos, eol - pos);
            if (t0 == LINE_NUMBERED && t1 == LINE_NUMBERED &&
                c1.rank > c0.rank) {
                pair = 1;
                rest = eol + 1;
            }
            heads += t1 != LINE_TEXT;
        } else if (classify(&p->titles, &tmp, s + pos, eol - pos) !=
                   LINE_TEXT) {
            heads++;
        }
    }
    if (heads > 1 + (size_t)pair || (t0 == LINE_SINGLE && lines > 1))
        goto body;
    bl->n_cand = 1 + pair;
    bl->cand[0] = c0;
    if (pair)
        bl->cand[1] = c1;
    bl->body = bl->end;
    if (rest <= bl->end) {
        /* one or two short lines after the number are its title */
        struct cand *last = &bl->cand[pair];
        size_t n_rest = 0, off = p->titles.len;
        int short_lines = 1;
        for (pos = rest; pos <= bl->end; pos = eol + 1) {
            const char *l = s + pos;
            size_t ln;
            eol = line_end(s, pos, bl->end);
            ln = eol - pos;
            trim(&l, &ln);
            short_lines &= ln <= MAX_TITLE_LINE;
            n_rest++;
        }
        if (n_rest > 2 || !short_lines) {
            bl->body = rest;
        } else {
            /* copied first: adding may move the buffer it lives in */
            char *head =
                mg_xstrndup(p->titles.data + last->title_off, last->title_len);
            mg_buf_add(&p->titles, head, last->title_len);
            free(head);
            for (pos = rest; pos <= bl->end; pos = eol + 1) {
                const char *l = s + pos;
                size_t ln;
                eol = line_end(s, pos, bl->end);
                ln = eol - pos;
                trim(&l, &ln);
                mg_buf_add(&p->titles, " ", 1);
                mg_buf_add(&p->titles, l, ln);
            }
            last->title_off = off;
            last->title_len = p->titles.len - off;
            if (last->bare)
                last->bare = BARE_TITLED;
        }
    }
    bl->letters = any_letter(s + bl->body, bl->end - bl->body);
    return;
body:
    p->titles.len = mark; /* forget the titles the lines stored */
    bl->n_cand = 0;
    bl->body = bl->start;
    bl->letters = any_letter(s + bl->start, bl->end - bl->start);
    bl->contents = lines == 1 && l0e == bl->end &&
                   is_contents(s + bl->start, bl->end - bl->start);
}

static void add_block(struct parser *p, const char *s, size_t start, size_t end)
{
    struct block *bl;

    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 256;
        p->blocks = mg_xrealloc(p->blocks, p->cap * sizeof(*p->blocks));
    }
    bl = &p->blocks[p->n++];
    memset(bl, 0, sizeof(*bl));
    bl->start = start;
    bl->end = end;
    classify_block(p, bl, s);
}

/* Split s[start, end) into blocks of non-blank lines. */
static void split_blocks(struct parser *p, const char *s, size_t start,
                         size_t end)
{
    size_t pos = start, bstart = 0, bend = 0;
    int in_block = 0;

    while (pos < end) {
        size_t eol = line_end(s, pos, end), i = pos;
        while (i < eol && is_blank((unsigned char)s[i]))
            i++;
        if (i == eol) {
            if (in_block)
                add_block(p, s, bstart, bend);
            in_block = 0;
        } else {
            if (!in_block)
                bstart = pos;
            in_block = 1;
            bend = eol;
        }
        pos = eol + 1;
    }
    if (in_block)
        add_block(p, s, bstart, bend);
}

/* --- which candidates are headings --- */

static int same_key(const struct parser *p, const struct cand *a,
                    const struct cand *b)
{
    return a->key_len == b->key_len &&
           memcmp(p->titles.data + a->key_off, p->titles.data + b->key_off,
                  a->key_len) == 0;
}

/*
 * After a CONTENTS line, the entries up to the heading that repeats the
 * first entry are the table, not headings. Each search stops at the
 * next CONTENTS line, so the whole walk stays linear.
 */
static void mark_contents(struct parser *p)
{
    size_t i = 0, j, first;

    while (i < p->n) {
        if (!p->blocks[i].contents) {
            i++;
            continue;
        }
        for (first = i + 1; first < p->n && !p->blocks[first].contents &&
                            p->blocks[first].n_cand == 0;
             first++)
            ;
        if (first >= p->n || p->blocks[first].contents) {
            i = first;
            continue;
        }
        for (j = first + 1; j < p->n && !p->blocks[j].contents; j++)
            if (p->blocks[j].n_cand > 0 &&
                same_key(p, &p->blocks[j].cand[0], &p->blocks[first].cand[0]))
                break;
        if (j < p->n && !p->blocks[j].contents) {
            size_t k;
            for (k = first; k < j; k++)
                if (p->blocks[k].n_cand > 0)
                    p->blocks[k].cand[0].toc = 1;
        }
        i = j;
    }
}

/*
 * A heading counts if body text with a letter follows it before the next
 * heading, or a deeper heading that counts (PART I, then CHAPTER I).
 * Walked backwards, so each block is looked at once.
 */
static void mark_real(struct parser *p)
{
    enum follow follow = FOLLOW_NOTHING;
    int follow_rank = 0;
    size_t i;

    for (i = p->n; i-- > 0;) {
        struct block *bl = &p->blocks[i];
        int j, real = 1;
        if (bl->letters)
            follow = FOLLOW_BODY;
        if (bl->n_cand == 0)
            continue;
        for (j = bl->n_cand; j-- > 0;) {
            const struct cand *c = &bl->cand[j];
            int ok = !c->toc &&
                     (follow == FOLLOW_BODY ||
                      (follow == FOLLOW_HEADING && follow_rank > c->rank));
            real &= ok;
            follow = ok ? FOLLOW_HEADING : FOLLOW_FAKE;
            follow_rank = c->rank;
        }
        bl->real = real;
        if (!real)
            follow = FOLLOW_FAKE;
    }
}

/* Whether numbered candidate c is of keyword `word`, and numbered 1. */
static int of_family(const struct parser *p, const struct cand *c,
                     const char *word)
{
    size_t n = strlen(word);

    return c->key_len > n && p->titles.data[c->key_off + n] == ' ' &&
           memcmp(p->titles.data + c->key_off, word, n) == 0;
}

static int numbered_one(const struct parser *p, const struct cand *c)
{
    const char *k = p->titles.data + c->key_off, *sp;
    size_t n;

    sp = memchr(k, ' ', c->key_len);
    if (!sp)
        return 0;
    n = c->key_len - (size_t)(sp + 1 - k);
    return (n == 1 && sp[1] == '1') ||
           (n == 3 && memcmp(sp + 1, "ONE", 3) == 0) ||
           (n == 5 && memcmp(sp + 1, "FIRST", 5) == 0);
}

/*
 * Whether the part family `inner` ("BOOK") sits inside the part family
 * `outer` ("VOLUME"): an outer heading comes before the first inner one,
 * and the inner numbers start again at 1 after each outer heading (at
 * least twice), as
 * Les Miserables' VOLUME I, BOOK FIRST, ..., VOLUME II, BOOK FIRST do.
 * Every candidate outside a marked table of contents counts, as the
 * first weighing took equal ranks for a run of headings.
 */
static int part_nests(const struct parser *p, const char *inner,
                      const char *outer)
{
    int seen = 0, after = 0, members = 0, j;
    size_t i;

    for (i = 0; i < p->n; i++)
        for (j = 0; j < p->blocks[i].n_cand; j++) {
            const struct cand *c = &p->blocks[i].cand[j];
            if (c->toc || !c->numbered || c->kind != MG_SECTION_PART)
                continue;
            if (of_family(p, c, outer)) {
                seen = after = 1;
            } else if (of_family(p, c, inner)) {
                if (!seen || (after && !numbered_one(p, c)))
                    return 0;
                members += after;
                after = 0;
            }
        }
    return members > 1; /* seen to start again: one run proves nothing */
}

/* Part families that restart inside another take RANK_INNER_PART. */
static int settle_parts(struct parser *p)
{
    static const char *const parts[] = {"VOLUME", "PART", "BOOK", "ACT"};
    int inner[4] = {0}, changed = 0, a, b, j;
    size_t i;

    for (b = 0; b < 4; b++)
        for (a = 0; a < 4; a++)
            if (a != b && part_nests(p, parts[b], parts[a]) &&
                !part_nests(p, parts[a], parts[b]))
                inner[b] = 1;
    for (i = 0; i < p->n; i++)
        for (j = 0; j < p->blocks[i].n_cand; j++) {
            struct cand *c = &p->blocks[i].cand[j];
            int want = RANK_PART;
            if (!c->numbered || c->kind != MG_SECTION_PART)
                continue;
            for (b = 0; b < 4; b++)
                if (inner[b] && of_family(p, c, parts[b]))
                    want = RANK_INNER_PART;
            changed |= c->rank != want;
            c->rank = want;
        }
    return changed;
}

/*
 * Whether the bare numerals of family `fam` (BARE_ALONE or BARE_TITLED)
 * nest under the chapter-level headings before them: there are such
 * headings (a numbered keyword of rank 2, such as CHAPTER, TALE or
 * LETTER, or for BARE_ALONE titled numerals that stay chapters), and the
 * numerals start again at 1 after each one they follow. Numerals that go
 * on counting across them ("ADVENTURE VI", then "VII. THE ...") are
 * chapters of their own.
 */
static int family_nests(const struct parser *p, int fam, int titled_rank)
{
    int parents = 0, members = 0, after_parent = 0, j;
    size_t i;

    for (i = 0; i < p->n; i++) {
        const struct block *bl = &p->blocks[i];
        for (j = 0; j < bl->n_cand && bl->real; j++) {
            const struct cand *c = &bl->cand[j];
            if ((c->numbered && c->rank == RANK_CHAPTER) ||
                (fam == BARE_ALONE && c->bare == BARE_TITLED &&
                 titled_rank == RANK_CHAPTER)) {
                parents = 1;
                after_parent = 1;
            } else if (c->bare == fam) {
                if (after_parent && c->num != 1)
                    return 0;
                members += parents;
                after_parent = 0;
            } else if (c->rank < RANK_CHAPTER) {
                after_parent = 0; /* a new PART: numbering may go on */
            }
        }
    }
    return parents && members > 0;
}

/*
 * Heading levels follow the families of headings the book uses, the same
 * way all through it: bare numerals ("I.", "II.") sit under a chapter
 * family (CHAPTER, TALE, STAVE, LETTER, ..., or numerals with titles)
 * when they restart inside it, so a story's numbered parts nest under
 * the story and never replace it, and are the chapters themselves
 * otherwise. Returns whether a rank changed (the headings then have to
 * be weighed again).
 */
static int settle_families(struct parser *p)
{
    int rank[3], changed = settle_parts(p), j;
    size_t i;

    rank[BARE_NO] = 0;
    rank[BARE_TITLED] =
        family_nests(p, BARE_TITLED, 0) ? RANK_SECTION : RANK_CHAPTER;
    rank[BARE_ALONE] = family_nests(p, BARE_ALONE, rank[BARE_TITLED])
                           ? RANK_SECTION
                           : RANK_CHAPTER;
    for (i = 0; i < p->n; i++)
        for (j = 0; j < p->blocks[i].n_cand; j++) {
            struct cand *c = &p->blocks[i].cand[j];
            if (!c->bare)
                continue;
            if (c->rank != rank[c->bare])
                changed = 1;
            c->rank = rank[c->bare];
            c->kind = c->rank == RANK_SECTION ? MG_SECTION_SECTION
                                              : MG_SECTION_CHAPTER;
        }
    return changed;
}

/* --- the Gutenberg licence --- */

static int is_start_marker(const char *s, size_t n)
{
    size_t i = 0;

    if (n > 300)
        n = 300;
    if (has_prefix_ci(s, n, "*END*THE SMALL PRINT") ||
        has_prefix_ci(s, n, "*END THE SMALL PRINT"))
        return 1;
    while (i < n && (s[i] == '*' || s[i] == ' '))
        i++;
    return i >= 3 && has_prefix_ci(s + i, n - i, "START OF") &&
           text_contains_ci(s, n, "GUTENBERG");
}

static int is_end_marker(const char *s, size_t n)
{
    size_t i = 0;

    if (n > 300)
        n = 300;
    if (has_prefix_ci(s, n, "End of the Project Gutenberg") ||
        has_prefix_ci(s, n, "End of this Project Gutenberg") ||
        has_prefix_ci(s, n, "End of Project Gutenberg"))
        return 1;
    while (i < n && (s[i] == '*' || s[i] == ' '))
        i++;
    if (i < 3)
        return 0;
    return (has_prefix_ci(s + i, n - i, "END OF") &&
            text_contains_ci(s, n, "GUTENBERG")) ||
           (has_prefix_ci(s + i, n - i, "START") &&
            text_contains_ci(s, n, "SMALL PRINT"));
}

/* "Title: ..." in the header: the value, trimmed. */
static int header_field(const char *s, size_t n, const char *name,
                        const char **value, size_t *vlen)
{
    size_t m = strlen(name);

    trim(&s, &n);
    if (!has_prefix_ci(s, n, name) || n == m)
        return 0;
    s += m;
    n -= m;
    trim(&s, &n);
    *value = s;
    *vlen = n;
    return n > 0;
}

/*
 * Find the book between the licence header and footer: [*start, *end).
 * Without a START line the book starts at 0 and no Title: is looked for.
 */
static void find_body(struct builder *b, const char *s, size_t n, size_t *start,
                      size_t *end)
{
    size_t pos = 0, header_end = 0;
    int started = 0;

    *start = 0;
    *end = n;
    while (pos < n) {
        size_t eol = line_end(s, pos, n);
        int c = (unsigned char)s[pos];
        if (!started && c == '*' && is_start_marker(s + pos, eol - pos)) {
            started = 1;
            header_end = pos;
            *start = eol < n ? eol + 1 : n;
        } else if ((c == '*' || c == 'E' || c == 'e') &&
                   is_end_marker(s + pos, eol - pos)) {
            *end = pos;
            break;
        }
        pos = eol + 1;
    }
    if (!started)
        return;
    for (pos = 0; pos < header_end;) {
        size_t eol = line_end(s, pos, header_end);
        const char *v;
        size_t vlen;
        if (header_field(s + pos, eol - pos, "Title:", &v, &vlen))
            builder_set_title(b, v, vlen);
        else if (header_field(s + pos, eol - pos, "Author:", &v, &vlen))
            builder_set_author(b, v, vlen);
        pos = eol + 1;
    }
}

/* --- emitting --- */

static int any_nonspace(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!is_blank((unsigned char)s[i]) && s[i] != '\n')
            return 1;
    return 0;
}

static void emit(struct builder *b, const struct parser *p, const char *s)
{
    size_t i;
    int first_rank = 0, open = 0, sep = 0;

    for (i = 0; i < p->n && !first_rank; i++)
        if (p->blocks[i].real)
            first_rank = p->blocks[i].cand[0].rank;
    for (i = 0; i < p->n; i++) {
        const struct block *bl = &p->blocks[i];
        size_t from = bl->start;
        int j;
        if (bl->real) {
            for (j = 0; j < bl->n_cand; j++)
                builder_heading(b, bl->cand[j].rank, bl->cand[j].kind,
                                p->titles.data + bl->cand[j].title_off,
                                bl->cand[j].title_len);
            open = 1;
            sep = 0;
            from = bl->body;
        }
        if (from >= bl->end || !any_nonspace(s + from, bl->end - from))
            continue;
        if (!open && first_rank) {
            /*
             * Open the front matter ourselves, at the first heading's
             * rank: the builder's own one has rank 0, so it would stay
             * open and become the parent of every heading.
             */
            builder_heading(b, first_rank, MG_SECTION_FRONT, "Front matter",
                            12);
        }
        open = 1;
        if (sep)
            builder_text(b, "\n", 1);
        builder_text(b, s + from, bl->end - from);
        builder_text(b, "\n", 1);
        sep = 1;
    }
}

int mg_book_parse_text(struct mg_book **out, const char *data, size_t len,
                       struct mg_error *err)
{
    struct builder b;
    struct parser p;
    size_t n, start, end;
    char *s;
    int rc;

    builder_init(&b, MG_BOOK_TEXT);
    memset(&p, 0, sizeof(p));
    mg_buf_add(&p.titles, "", 0);
    s = builder_normalise(&b, data, len, &n);
    find_body(&b, s, n, &start, &end);
    split_blocks(&p, s, start, end);
    mark_contents(&p);
    mark_real(&p);
    if (settle_families(&p))
        mark_real(&p);
    emit(&b, &p, s);
    rc = builder_finish(&b, out, err);
    free(s);
    free(p.blocks);
    mg_buf_release(&p.titles);
    builder_release(&b);
    return rc;
}
