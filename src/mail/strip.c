/*
 * strip.c: the part of a reply its author wrote, without what they quoted
 * or signed. Each line is classified once and every look-ahead is bounded,
 * so the time is linear in the input whatever it holds. Decoding the
 * message and rendering HTML (html_text.c) happen before this.
 */
#include "mingle/inbound.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "banned.h"

/*
 * The rules, in the order they apply:
 *
 * 1. CRLF and lone CR become LF.
 * 2. The first of these, on a line that is not quoted, ends the reply:
 *    - an attribution ("On <date>, <who> wrote:", German "Am ... schrieb
 *      ...:", French "Le ... a écrit :", Spanish "El ... escribió:", Dutch
 *      "Op ... schreef ...:"), alone or wrapped over up to three lines, as
 *      Gmail wraps long names. It must hold a time ("19:30") or an
 *      address, and a wrapped one an address, so that a book discussion's
 *      "On page 45, Anna wrote:" stays; one with neither ("On Tuesday,
 *      Aroha wrote:") counts only above a quote and when a day, a month
 *      or a number follows its first word. An attribution whose next
 *      non-blank line is quoted is not an end: it is dropped with its
 *      quote, and what the person wrote between the quotes (an inline
 *      reply) is kept. Unquoted text after an attribution is the original
 *      message (Yahoo, Outlook), so everything from it on goes;
 *    - "-----Original Message-----" and its kin in other languages;
 *    - an Outlook header block: "From:", then within a few lines "Sent:"
 *      or "Date:" holding a time, and "Subject:" (also in German, French,
 *      Spanish, Dutch), or all of it on the "From:" line as HTML mail
 *      rendered as text gives it; an underscore rule just above it goes;
 *    - a forward marker ("Begin forwarded message:", "---------- Forwarded
 *      message ---------"). A forward is content the person chose to pass
 *      on, so it and everything after it are kept as they are.
 * 3. Before that point, a "-- " line starts the signature, which goes. A
 *    bare "--" (clients that trim trailing spaces send it) counts only
 *    when at most SIG_MAX_LINES lines of text follow and some precede it:
 *    people also use "--" as a separator in prose.
 * 4. Quoted lines ('>' after optional spaces or tabs) are dropped, except
 *    inside a closed ``` fence, where '>' is more likely a prompt or a
 *    redirection than a quote; an unclosed fence protects nothing. The
 *    person's own '>' lines stay: '>' before a digit or '=' (">50 people
 *    came"), and in a message with no attribution and no other quoted
 *    line, one '>' line inside their paragraph (a line of the book).
 * 5. "Sent from my iPhone", "Get Outlook for Android" and their kin go
 *    when nothing but blank or dropped lines follows them and the line
 *    is nothing else: "Sent from my iPad, so ..." is a sentence.
 * 6. A run of blank and dropped lines becomes one blank line (so inline
 *    answers stay separate paragraphs); trailing spaces and leading and
 *    trailing blank lines go. Lines are never split, so neither is UTF-8.
 */

enum kind { TEXT, BLANK, QUOTE, DROP };

#define HEADER_MAX 400  /* an attribution longer than this is prose */
#define SIG_MAX_LINES 5 /* a bare "--" signature is at most this long */
#define MOBILE_MAX 100  /* a "Sent from my..." line is at most this long */
#define OUTLOOK_SPAN 12 /* lines below "From:" to look for the rest */

struct doc {
    char *buf;           /* the text with LF line ends, ending in '\n' */
    size_t *start;       /* line i is buf[start[i]..start[i+1] - 1) */
    unsigned char *kind; /* enum kind of each line */
    size_t n;
};

static const char *line_at(const struct doc *d, size_t i, size_t *len)
{
    *len = d->start[i + 1] - d->start[i] - 1;
    return d->buf + d->start[i];
}

/* Bytes of horizontal space (space, tab, U+00A0, U+202F) at s[0]. */
static size_t space_at(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;

    if (len >= 1 && (u[0] == ' ' || u[0] == '\t'))
        return 1;
    if (len >= 2 && u[0] == 0xc2 && u[1] == 0xa0)
        return 2;
    if (len >= 3 && u[0] == 0xe2 && u[1] == 0x80 && u[2] == 0xaf)
        return 3;
    return 0;
}

/* Bytes of horizontal space ending at s[len - 1]. */
static size_t space_before(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;

    if (len >= 1 && (u[len - 1] == ' ' || u[len - 1] == '\t'))
        return 1;
    if (len >= 2 && u[len - 2] == 0xc2 && u[len - 1] == 0xa0)
        return 2;
    if (len >= 3 && u[len - 3] == 0xe2 && u[len - 2] == 0x80 &&
        u[len - 1] == 0xaf)
        return 3;
    return 0;
}

static size_t rtrim_len(const char *s, size_t len)
{
    size_t k;

    while ((k = space_before(s, len)) > 0)
        len -= k;
    return len;
}

static void trim(const char **s, size_t *len)
{
    size_t k;

    while ((k = space_at(*s, *len)) > 0) {
        *s += k;
        *len -= k;
    }
    *len = rtrim_len(*s, *len);
}

/* ASCII case-insensitive comparisons; other bytes must match exactly. */
static int starts_with(const char *s, size_t len, const char *p)
{
    size_t n = strlen(p);

    return len >= n && strncasecmp(s, p, n) == 0;
}

static int ends_with(const char *s, size_t len, const char *p)
{
    size_t n = strlen(p);

    return len >= n && strncasecmp(s + len - n, p, n) == 0;
}

static int equals(const char *s, size_t len, const char *p)
{
    return strlen(p) == len && strncasecmp(s, p, len) == 0;
}

static int equals_any(const char *s, size_t len, const char *const *names)
{
    size_t i;

    for (i = 0; names[i]; i++)
        if (equals(s, len, names[i]))
            return 1;
    return 0;
}

/* Only ever called on at most HEADER_MAX bytes. */
static int contains(const char *s, size_t len, const char *p)
{
    size_t i, n = strlen(p);

    for (i = 0; i + n <= len; i++)
        if (strncasecmp(s + i, p, n) == 0)
            return 1;
    return 0;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Whether s holds a clock time such as "7:30" or "19:30:00". */
static int has_time(const char *s, size_t len)
{
    size_t i;

    for (i = 1; i + 2 < len; i++)
        if (s[i] == ':' && is_digit(s[i - 1]) && is_digit(s[i + 1]) &&
            is_digit(s[i + 2]))
            return 1;
    return 0;
}

static const char *const attribution_starts[] = {"on ", "am ", "le ",
                                                 "el ", "op ", NULL};

/*
 * Whether `h` (one line, or wrapped lines joined by spaces) is a client's
 * attribution. Each language has its own shape: the verb ends English,
 * French and Spanish ones, while German and Dutch put the name after it.
 */
static int is_attribution(const char *h, size_t len, int wrapped)
{
    size_t body;
    int ok = 0;

    trim(&h, &len);
    if (len == 0 || h[len - 1] != ':')
        return 0;
    body = rtrim_len(h, len - 1);
    if (starts_with(h, len, "on "))
        ok = ends_with(h, body, " wrote");
    else if (starts_with(h, len, "am "))
        ok = contains(h, body, " schrieb ") || ends_with(h, body, " schrieb");
    else if (starts_with(h, len, "le "))
        ok = ends_with(h, body,
                       "\xc3\xa9"
                       "crit"); /* écrit */
    else if (starts_with(h, len, "el "))
        ok = ends_with(h, body, "escribi\xc3\xb3"); /* escribió */
    else if (starts_with(h, len, "op "))
        ok = contains(h, body, " schreef ") || ends_with(h, body, " schreef");
    if (!ok)
        return 0;
    if (memchr(h, '@', len))
        return 1;
    if (!wrapped && has_time(h, len))
        return 1;
    return wrapped ? 0 : 2;
}

/* Words that open an attribution with no time or address ("On Tuesday,
 * Aroha wrote:"): days, "today" and months, in the five languages. */
static const char *const date_words[] = {"monday",
                                         "tuesday",
                                         "wednesday",
                                         "thursday",
                                         "friday",
                                         "saturday",
                                         "sunday",
                                         "mon",
                                         "tue",
                                         "tues",
                                         "wed",
                                         "thu",
                                         "thur",
                                         "thurs",
                                         "fri",
                                         "sat",
                                         "sun",
                                         "today",
                                         "yesterday",
                                         "january",
                                         "february",
                                         "march",
                                         "april",
                                         "may",
                                         "june",
                                         "july",
                                         "august",
                                         "september",
                                         "october",
                                         "november",
                                         "december",
                                         "jan",
                                         "feb",
                                         "mar",
                                         "apr",
                                         "jun",
                                         "jul",
                                         "aug",
                                         "sep",
                                         "sept",
                                         "oct",
                                         "nov",
                                         "dec",
                                         "montag",
                                         "dienstag",
                                         "mittwoch",
                                         "donnerstag",
                                         "freitag",
                                         "samstag",
                                         "sonntag",
                                         "heute",
                                         "gestern",
                                         "lundi",
                                         "mardi",
                                         "mercredi",
                                         "jeudi",
                                         "vendredi",
                                         "samedi",
                                         "dimanche",
                                         "aujourd'hui",
                                         "hier",
                                         "lunes",
                                         "martes",
                                         "mi\xc3\xa9"
                                         "rcoles",
                                         "jueves",
                                         "viernes",
                                         "s\xc3\xa1"
                                         "bado",
                                         "domingo",
                                         "hoy",
                                         "ayer",
                                         "maandag",
                                         "dinsdag",
                                         "woensdag",
                                         "donderdag",
                                         "vrijdag",
                                         "zaterdag",
                                         "zondag",
                                         "vandaag",
                                         "gisteren",
                                         NULL};

/* Whether the words after the opening "On " of `s` start with a date
 * word or a digit, so that "On page 45, Anna wrote:" is not one. */
static int dated_opening(const char *s, size_t len)
{
    size_t i = 0, w;

    while (i < len && space_at(s + i, len - i) > 0)
        i += space_at(s + i, len - i);
    i += 3; /* "on ", "am ", "le ", "el ", "op " */
    while (i < len && s[i] == ' ')
        i++;
    if (i >= len)
        return 0;
    if (is_digit(s[i]))
        return 1;
    for (w = 0; i + w < len && !strchr(" ,.", s[i + w]); w++)
        ;
    return equals_any(s + i, w, date_words);
}

static size_t next_nonblank(const struct doc *d, size_t i);

/* How many lines from line i form an attribution; 0 if none. */
static size_t attribution_at(const struct doc *d, size_t i)
{
    char h[HEADER_MAX];
    size_t hl = 0, k, len, j;
    const char *s = line_at(d, i, &len);

    for (j = 0; j < len && space_at(s + j, len - j) > 0;)
        j += space_at(s + j, len - j);
    if (len - j > HEADER_MAX)
        return 0;
    for (k = 0; attribution_starts[k]; k++)
        if (starts_with(s + j, len - j, attribution_starts[k]))
            break;
    if (!attribution_starts[k])
        return 0;
    for (k = 0; k < 3 && i + k < d->n; k++) {
        if (k > 0 && d->kind[i + k] != TEXT)
            break;
        s = line_at(d, i + k, &len);
        if (hl + len + 1 > HEADER_MAX)
            break;
        if (k > 0)
            h[hl++] = ' ';
        memcpy(h + hl, s, len);
        hl += len;
        switch (is_attribution(h, hl, k > 0)) {
        case 1:
            return k + 1;
        case 2:
            /* no time or address: only a dated one above a quote */
            j = next_nonblank(d, i + 1);
            if (j < d->n && d->kind[j] == QUOTE && dated_opening(h, hl))
                return 1;
            break;
        }
    }
    return 0;
}

static const char *const original_names[] = {
    "original message", "ursprüngliche nachricht", "message d'origine",
    "mensaje original", "oorspronkelijk bericht",  NULL};

static const char *const forward_names[] = {
    "forwarded message", "weitergeleitete nachricht", "message transféré",
    "mensaje reenviado", "doorgestuurd bericht",      NULL};

static const char *const forward_labels[] = {
    "begin forwarded message",    "anfang der weitergeleiteten nachricht",
    "début du message réexpédié", "inicio del mensaje reenviado",
    "begin doorgestuurd bericht", NULL};

/* A line such as "-----Original Message-----" naming one of `names`. */
static int dash_marker(const char *s, size_t len, const char *const *names)
{
    size_t lead = 0, tail = 0;

    trim(&s, &len);
    while (lead < len && s[lead] == '-')
        lead++;
    while (tail < len - lead && s[len - 1 - tail] == '-')
        tail++;
    if (lead < 2 || tail < 2)
        return 0;
    s += lead;
    len -= lead + tail;
    trim(&s, &len);
    return equals_any(s, len, names);
}

/* A line such as "Begin forwarded message:" (the colon optional). */
static int label_is(const char *s, size_t len, const char *const *names)
{
    trim(&s, &len);
    if (len > 0 && s[len - 1] == ':')
        len = rtrim_len(s, len - 1);
    return equals_any(s, len, names);
}

enum header { H_NONE, H_FROM, H_SENT, H_TO, H_SUBJECT };

static const char *const from_names[] = {"from", "von", "de", "van", NULL};
static const char *const sent_names[] = {"sent",  "date",      "gesendet",
                                         "datum", "envoyé",    "enviado",
                                         "fecha", "verzonden", NULL};
static const char *const to_names[] = {
    "to", "cc", "an", "\xc3\x80", "\xc3\xa0", "para", "aan", NULL}; /* À, à */
static const char *const subject_names[] = {"subject", "betreff",   "objet",
                                            "asunto",  "onderwerp", NULL};

/* Which mail header a line starts, if any; *value is what follows. */
static enum header header_kind(const char *s, size_t len, const char **value,
                               size_t *value_len)
{
    size_t i = 0, colon, name_len;

    while (i < len && space_at(s + i, len - i) > 0)
        i += space_at(s + i, len - i);
    for (colon = i; colon < len && colon - i < 24 && s[colon] != ':'; colon++)
        ;
    if (colon >= len || s[colon] != ':')
        return H_NONE;
    name_len = rtrim_len(s + i, colon - i); /* French puts a space before */
    *value = s + colon + 1;
    *value_len = len - colon - 1;
    if (equals_any(s + i, name_len, from_names))
        return H_FROM;
    if (equals_any(s + i, name_len, sent_names))
        return H_SENT;
    if (equals_any(s + i, name_len, to_names))
        return H_TO;
    if (equals_any(s + i, name_len, subject_names))
        return H_SUBJECT;
    return H_NONE;
}

/* The rest of a "From:" line that holds the whole block, as HTML mail
 * rendered as text gives it: "... Sent: <time> To: ... Subject: ...". */
static int one_line_block(const char *v, size_t vlen)
{
    static const char *const sent[] = {
        " sent:",    " date:",  " gesendet:",  " datum:", " envoy\xc3\xa9 :",
        " enviado:", " fecha:", " verzonden:", NULL};
    static const char *const subject[] = {
        " subject:", " betreff:", " objet :", " asunto:", " onderwerp:", NULL};
    size_t k;
    int has_sent = 0, has_subject = 0;

    for (k = 0; sent[k]; k++)
        has_sent |= contains(v, vlen, sent[k]);
    for (k = 0; subject[k]; k++)
        has_subject |= contains(v, vlen, subject[k]);
    return has_sent && has_subject && has_time(v, vlen);
}

/*
 * Whether line i starts an Outlook-style header block. A reading plan
 * ("From: chapter 3 / To: chapter 5") must not pass, hence the time in
 * Sent/Date and the Subject line every client writes.
 */
static int outlook_block_at(const struct doc *d, size_t i)
{
    const char *s, *v;
    size_t len, vlen, j;
    int sent = 0, subject = 0, other = 0;

    s = line_at(d, i, &len);
    if (header_kind(s, len, &v, &vlen) != H_FROM)
        return 0;
    if (vlen <= HEADER_MAX && one_line_block(v, vlen))
        return 1;
    for (j = i + 1; j < d->n && j <= i + OUTLOOK_SPAN; j++) {
        enum header h;
        if (d->kind[j] == BLANK)
            continue;
        if (d->kind[j] == QUOTE)
            break;
        s = line_at(d, j, &len);
        h = header_kind(s, len, &v, &vlen);
        if (h == H_SENT && has_time(v, vlen))
            sent = 1;
        else if (h == H_SUBJECT)
            subject = 1;
        else if (h == H_FROM) /* another block's: this one had no Sent */
            break;
        else if (h == H_NONE && ++other > 2) /* a wrapped To: list */
            break;
    }
    return sent && subject;
}

/* Outlook on the web draws a rule of underscores above its headers. */
static int is_rule(const char *s, size_t len)
{
    size_t i;

    trim(&s, &len);
    if (len < 8)
        return 0;
    for (i = 0; i < len; i++)
        if (s[i] != '_')
            return 0;
    return 1;
}

/* The first line of the quote that starts with the header block at i. */
static size_t rule_above(const struct doc *d, size_t i)
{
    size_t j = i, blanks = 0, len;
    const char *s;

    while (j > 0 && d->kind[j - 1] == BLANK && blanks < 3) {
        j--;
        blanks++;
    }
    if (j == 0)
        return i;
    s = line_at(d, j - 1, &len);
    return is_rule(s, len) ? j - 1 : i;
}

static size_t next_nonblank(const struct doc *d, size_t i)
{
    while (i < d->n && d->kind[i] == BLANK)
        i++;
    return i;
}

/*
 * Where the reply ends (d->n if it runs to the end); *forward set when
 * it ends at a forward, which is kept. Marks attributions of inline
 * quotes DROP on the way.
 */
static size_t find_end(struct doc *d, int *forward)
{
    size_t i, k, len, next;
    const char *s;

    *forward = 0;
    for (i = 0; i < d->n; i++) {
        if (d->kind[i] != TEXT)
            continue;
        s = line_at(d, i, &len);
        if (dash_marker(s, len, forward_names) ||
            label_is(s, len, forward_labels)) {
            *forward = 1;
            return i;
        }
        if (dash_marker(s, len, original_names))
            return i;
        if (outlook_block_at(d, i))
            return rule_above(d, i);
        k = attribution_at(d, i);
        if (k == 0)
            continue;
        next = next_nonblank(d, i + k);
        if (next == d->n || d->kind[next] != QUOTE)
            return i;
        memset(d->kind + i, DROP, k);
        i += k - 1;
    }
    return d->n;
}

/*
 * '>' lines of the person's own (rule 4a): ">50 people came" (a '>'
 * before a digit or '=' is a comparison, not a quote mark), and, in a
 * message that quotes nothing else and has no attribution, a single '>'
 * line inside a paragraph of theirs (a line they quote from the book).
 */
static void own_quotes(struct doc *d, size_t end)
{
    size_t i, len, quotes = 0, lone = SIZE_MAX;
    const char *s;

    for (i = 0; i < end; i++) {
        if (d->kind[i] == DROP)
            return; /* an attribution: its quote is a quote */
        if (d->kind[i] != QUOTE)
            continue;
        s = line_at(d, i, &len);
        s = memchr(s, '>', len);
        if (s && (is_digit(s[1]) || s[1] == '=')) {
            d->kind[i] = TEXT;
            continue;
        }
        quotes++;
        if (i > 0 && i + 1 < end && d->kind[i - 1] == TEXT &&
            d->kind[i + 1] == TEXT)
            lone = i;
    }
    if (quotes == 1 && lone != SIZE_MAX && end == d->n)
        d->kind[lone] = TEXT;
}

/* A closed ``` fence keeps its lines as they are; see rule 4. */
static void protect_fences(struct doc *d, size_t end)
{
    size_t i, j, len, open = SIZE_MAX;
    const char *s;

    for (i = 0; i < end; i++) {
        if (d->kind[i] != TEXT)
            continue;
        s = line_at(d, i, &len);
        trim(&s, &len);
        if (!starts_with(s, len, "```"))
            continue;
        if (open == SIZE_MAX) {
            open = i;
            continue;
        }
        for (j = open + 1; j < i; j++)
            d->kind[j] = TEXT;
        open = SIZE_MAX;
    }
}

/* The first "-- " line before `end`, or `end`. */
static size_t standard_signature(const struct doc *d, size_t end)
{
    size_t i, len;
    const char *s;

    for (i = 0; i < end; i++) {
        s = line_at(d, i, &len);
        if (d->kind[i] == TEXT && len == 3 && memcmp(s, "-- ", 3) == 0)
            return i;
    }
    return end;
}

/* A bare "--" signature before `end` (rule 3), or `end`. */
static size_t loose_signature(const struct doc *d, size_t end)
{
    size_t i, j, len, after = 0;
    const char *s;

    for (i = end; i-- > 0;) {
        if (d->kind[i] != TEXT)
            continue;
        s = line_at(d, i, &len);
        if (len >= 2 && memcmp(s, "--", 2) == 0 &&
            rtrim_len(s + 2, len - 2) == 0) {
            for (j = 0; j < i; j++)
                if (d->kind[j] == TEXT)
                    return i;
            return end;
        }
        if (++after > SIG_MAX_LINES)
            return end;
    }
    return end;
}

static const char *const mobile_starts[] = {
    "sent from my ",
    "sent from outlook",
    "sent from mail for windows",
    "sent from yahoo mail",
    "sent from samsung",
    "sent from proton",
    "sent with proton",
    "get outlook for ",
    "von meinem ",
    "envoy\xc3\xa9 de mon ", /* envoyé */
    "enviado desde mi ",
    "verzonden vanaf mijn ",
    NULL};

/*
 * A line that is all signature: "Sent from my iPad", "Get Outlook for
 * Android<https://aka.ms/...>", a device's name of a few words at most,
 * not a sentence that begins so ("Sent from my iPad, which is why...").
 */
static int is_mobile(const struct doc *d, size_t line)
{
    size_t i, j, len, rest, words = 0;
    const char *s = line_at(d, line, &len);

    trim(&s, &len);
    if (len > MOBILE_MAX)
        return 0;
    if (len > 0 && s[len - 1] == '>') { /* a link after it */
        const char *lt = memchr(s, '<', len);
        if (lt)
            len = rtrim_len(s, (size_t)(lt - s));
    }
    if (len > 0 && s[len - 1] == '.')
        len--;
    for (i = 0; mobile_starts[i]; i++) {
        if (!starts_with(s, len, mobile_starts[i]))
            continue;
        rest = strlen(mobile_starts[i]);
        for (j = rest; j < len; j++) {
            if (strchr(",;:!?.()\"", s[j]))
                return 0;
            if (s[j] == ' ' && j + 1 < len && s[j + 1] != ' ')
                words++;
        }
        return words < 4;
    }
    return 0;
}

/* Split `text` into lines, CRLF and CR made LF, and classify each. */
static void load(struct doc *d, const char *text)
{
    size_t len = strlen(text), i, o = 0, n = 0;

    d->buf = mg_xmalloc(len + 2);
    for (i = 0; i < len; i++) {
        if (text[i] == '\r') {
            d->buf[o++] = '\n';
            if (text[i + 1] == '\n')
                i++;
        } else {
            d->buf[o++] = text[i];
        }
    }
    if (o == 0 || d->buf[o - 1] != '\n')
        d->buf[o++] = '\n';
    d->buf[o] = '\0';
    for (i = 0; i < o; i++)
        if (d->buf[i] == '\n')
            n++;
    d->n = n;
    d->start = mg_xmalloc((n + 1) * sizeof(*d->start));
    d->kind = mg_xmalloc(n ? n : 1);
    d->start[0] = 0;
    for (i = 0, n = 0; i < o; i++)
        if (d->buf[i] == '\n')
            d->start[++n] = i + 1;
    for (i = 0; i < d->n; i++) {
        const char *s = line_at(d, i, &len);
        size_t j = 0, k;
        while ((k = space_at(s + j, len - j)) > 0)
            j += k;
        if (j == len)
            d->kind[i] = BLANK;
        else if (s[j] == '>')
            d->kind[i] = QUOTE;
        else
            d->kind[i] = TEXT;
    }
}

static void add_line(struct mg_buf *b, const struct doc *d, size_t i)
{
    size_t len;
    const char *s = line_at(d, i, &len);

    mg_buf_add(b, s, rtrim_len(s, len));
    mg_buf_add(b, "\n", 1);
}

char *mg_mail_strip_reply(const char *text)
{
    struct mg_buf out = MG_BUF_INIT;
    struct doc d;
    size_t i, end, sig, keep;
    int forward, gap = 0;

    if (!text)
        return mg_xstrdup("");
    load(&d, text);
    end = find_end(&d, &forward);
    own_quotes(&d, end);
    sig = standard_signature(&d, end);
    protect_fences(&d, sig);
    if (sig == end)
        sig = loose_signature(&d, end);
    keep = sig;
    while (keep > 0 && (d.kind[keep - 1] != TEXT || is_mobile(&d, keep - 1)))
        keep--;
    for (i = 0; i < keep; i++) {
        if (d.kind[i] != TEXT) {
            gap = 1;
            continue;
        }
        if (gap && out.len > 0)
            mg_buf_add(&out, "\n", 1);
        gap = 0;
        add_line(&out, &d, i);
    }
    if (forward) {
        if (keep < end && out.len > 0)
            mg_buf_add(&out, "\n", 1);
        for (i = end; i < d.n; i++)
            add_line(&out, &d, i);
    }
    while (out.len > 0 && out.data[out.len - 1] == '\n')
        out.len--;
    if (out.data)
        out.data[out.len] = '\0';
    free(d.buf);
    free(d.start);
    free(d.kind);
    return mg_buf_detach(&out);
}
