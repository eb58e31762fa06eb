/*
 * split.c: a parsed book cut into conversation threads and into balanced
 * weekly readings. mg_partition() is the exact optimal linear partition
 * underneath (least largest week, then least sum of squares); the plan
 * decides which pieces of the section tree it may move around. Parsing
 * is the parsers' job, storing the results `store`'s.
 */
#include "internal.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

#define MAX_WEEKS 104

/*
 * Sums of squares of 64-bit part sums need more than 64 bits. __extension__
 * keeps -Wpedantic quiet about the (GCC and Clang) 128-bit type.
 */
__extension__ typedef unsigned __int128 u128;

#define U128_INF (~(u128)0)

/* ---- the optimal linear partition ---------------------------------- */

/* Fewest parts of sum <= m that w[0..n) splits into; m >= max(w). */
static size_t parts_needed(const uint64_t *w, size_t n, uint64_t m)
{
    size_t i, parts = 1;
    uint64_t run = 0;

    for (i = 0; i < n; i++) {
        if (run + w[i] > m) {
            parts++;
            run = 0;
        }
        run += w[i];
    }
    return parts;
}

/*
 * The least largest part over all splits into k parts. Splitting into at
 * most k parts of sum <= m is enough, as a part of two or more items can
 * always be split again without growing any sum (k <= n), so the greedy
 * check is exact and binary search on m finds the optimum.
 */
static uint64_t min_max_part(const uint64_t *w, size_t n, size_t k,
                             uint64_t total)
{
    uint64_t lo = 0, hi = total;
    size_t i;

    for (i = 0; i < n; i++)
        if (w[i] > lo)
            lo = w[i];
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (parts_needed(w, n, mid) <= k)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/*
 * The second phase: f_j(i) is the least sum of squares splitting the
 * prefix w[0..i) into j parts of sum <= m. One row from the previous:
 * f_j(i) = min over l of f_{j-1}(l) + (P[i] - P[l])^2. With the bound
 * the cost is still Monge (a convex function of an interval's sum, plus
 * infinity past m, whose finite region grows monotonically), so the
 * leftmost best l never decreases with i and divide and conquer finds
 * every row in O(n log n): O(k n log n) in all.
 */
struct dp {
    const uint64_t *p; /* prefix sums, n + 1 */
    const u128 *prev;  /* row j - 1; U128_INF where unreachable */
    u128 *cur;
    uint32_t *arg;  /* best l for row j, indexed by i - j */
    size_t j;       /* the row being computed */
    size_t prev_hi; /* prev is finite at most up to here */
    size_t *lo_of;  /* lo_of[i]: least l with P[i] - P[l] <= the bound */
};

static void dp_rows(struct dp *d, size_t ilo, size_t ihi, size_t optlo,
                    size_t opthi)
{
    size_t mid, l, from, to, best_l;
    u128 best = U128_INF;

    if (ilo > ihi)
        return;
    mid = ilo + (ihi - ilo) / 2;
    from = optlo > d->lo_of[mid] ? optlo : d->lo_of[mid];
    to = opthi < mid - 1 ? opthi : mid - 1;
    if (to > d->prev_hi)
        to = d->prev_hi;
    best_l = from;
    for (l = from; l <= to; l++) {
        u128 part = d->p[mid] - d->p[l], v;
        if (d->prev[l] == U128_INF)
            continue;
        v = d->prev[l] + part * part;
        if (v < best) {
            best = v;
            best_l = l;
        }
    }
    /* Every row handed in is reachable, so some l was finite. */
    assert(best != U128_INF);
    d->cur[mid] = best;
    d->arg[mid - d->j] = (uint32_t)(best_l - (d->j - 1));
    if (mid > ilo)
        dp_rows(d, ilo, mid - 1, optlo, best_l);
    dp_rows(d, mid + 1, ihi, best_l, opthi);
}

void mg_partition(size_t *cuts, const uint64_t *w, size_t n, size_t k)
{
    struct dp d;
    uint64_t *p;
    u128 *a, *b;
    uint32_t *args;
    size_t *greedy_parts, width, i, j, l;
    uint64_t m, run = 0;

    assert(k >= 1 && k <= n);
    assert(n - k < UINT32_MAX);
    cuts[0] = 0;
    if (k == 1)
        return;
    p = mg_xmalloc((n + 1) * sizeof(*p));
    p[0] = 0;
    for (i = 0; i < n; i++)
        p[i + 1] = p[i] + w[i];
    memset(&d, 0, sizeof(d));
    d.p = p;
    m = min_max_part(w, n, k, p[n]);

    /* greedy_parts[i]: fewest parts for w[0..i), i.e. j parts reach i
     * exactly when i >= j and greedy_parts[i] <= j. */
    greedy_parts = mg_xmalloc((n + 1) * sizeof(*greedy_parts));
    d.lo_of = mg_xmalloc((n + 1) * sizeof(*d.lo_of));
    greedy_parts[0] = 0;
    l = 0;
    for (i = 1; i <= n; i++) {
        if (i == 1 || run + w[i - 1] > m) {
            greedy_parts[i] = greedy_parts[i - 1] + 1;
            run = 0;
        } else {
            greedy_parts[i] = greedy_parts[i - 1];
        }
        run += w[i - 1];
        while (p[i] - p[l] > m)
            l++;
        d.lo_of[i] = l;
    }

    /* Row j only needs i in [j, n - (k - j)]: width n - k + 1. Row 1
     * has no choice to remember (its part starts at 0). */
    width = n - k + 1;
    args = mg_xmalloc((k - 1) * width * sizeof(*args));
    a = mg_xmalloc((n + 1) * sizeof(*a));
    b = mg_xmalloc((n + 1) * sizeof(*b));
    for (i = 0; i <= n; i++) {
        u128 s = p[i];
        a[i] = i >= 1 && i <= width && p[i] <= m ? s * s : U128_INF;
    }
    d.prev_hi = width;
    for (j = 2; j <= k; j++) {
        size_t hi = n - (k - j);
        u128 *tmp;
        while (hi > j && greedy_parts[hi] > j)
            hi--;
        for (i = 0; i <= n; i++)
            b[i] = U128_INF;
        d.prev = a;
        d.cur = b;
        d.j = j;
        d.arg = args + (j - 2) * width;
        dp_rows(&d, j, hi, j - 1, hi - 1);
        d.prev_hi = hi;
        tmp = a;
        a = b;
        b = tmp;
    }
    assert(a[n] != U128_INF);

    /* Walk the choices back from the whole sequence. */
    i = n;
    for (j = k; j >= 2; j--) {
        l = args[(j - 2) * width + (i - j)] + (j - 1);
        cuts[j - 1] = l;
        i = l;
    }
    free(a);
    free(b);
    free(args);
    free(d.lo_of);
    free(greedy_parts);
    free(p);
}

/* ---- weekly readings ------------------------------------------------ */

/*
 * A unit the plan may move as a whole: sections [s, e) of the book, whose
 * root is s (the rest are s's descendants, or s alone for its own text).
 */
struct unit {
    size_t s, e;
    uint64_t words;
    int piece; /* a stretch of section s's own text: [ts, te) */
    size_t ts, te;
};

struct units {
    struct unit *v;
    size_t n, cap;
    const struct mg_book *b;
    const uint64_t *before; /* before[i]: own words of sections [0, i) */
};

static void units_push(struct units *u, size_t s, size_t e)
{
    if (u->n == u->cap) {
        u->cap = u->cap ? u->cap * 2 : 32;
        u->v = mg_xrealloc(u->v, u->cap * sizeof(*u->v));
    }
    u->v[u->n].s = s;
    u->v[u->n].e = e;
    u->v[u->n].words = u->before[e] - u->before[s];
    u->v[u->n].piece = 0;
    u->n++;
}

static int unit_splits(const struct unit *x)
{
    return x->e - x->s > 1;
}

/*
 * Replace unit `at` by its pieces: its own text (if it has words) and its
 * children's subtrees, in order. A heading without words of its own goes
 * with no piece: the reading that starts at its first child takes it.
 */
static void unit_split(struct units *u, size_t at)
{
    struct unit x = u->v[at];
    size_t c, count = 0, tail;

    for (c = x.s + 1; c < x.e; c = u->b->sections[c].end)
        count++;
    if (u->b->sections[x.s].words > 0)
        count++;
    /* Make room: the pieces take `count` slots where x took one. */
    tail = u->n - at - 1;
    while (u->cap < u->n + count - 1) {
        u->cap = u->cap ? u->cap * 2 : 32;
        u->v = mg_xrealloc(u->v, u->cap * sizeof(*u->v));
    }
    memmove(&u->v[at + count], &u->v[at + 1], tail * sizeof(*u->v));
    u->n = at;
    if (u->b->sections[x.s].words > 0)
        units_push(u, x.s, x.s + 1);
    for (c = x.s + 1; c < x.e; c = u->b->sections[c].end)
        units_push(u, c,
                   u->b->sections[c].end < x.e ? u->b->sections[c].end : x.e);
    u->n += tail;
}

/* Cut one section's text into paragraphs (or lines): their start offsets. */
static size_t text_pieces(size_t **out, const char *t, size_t start, size_t end,
                          int lines)
{
    size_t *v = mg_xmalloc(16 * sizeof(*v)), n = 0, cap = 16, i;

    v[n++] = start;
    for (i = start + 1; i < end; i++) {
        if (t[i] == '\n' || t[i - 1] != '\n')
            continue;
        if (!lines && (i < start + 2 || t[i - 2] != '\n'))
            continue;
        if (n == cap) {
            cap *= 2;
            v = mg_xrealloc(v, cap * sizeof(*v));
        }
        v[n++] = i;
    }
    *out = v;
    return n;
}

/* The plan for a book without headings: its text cut at paragraphs. */
static void plan_text(struct mg_reading **out, size_t *n,
                      const struct mg_book *b, size_t weeks)
{
    const struct mg_section *s = &b->sections[0];
    size_t *starts = NULL, count, k, i, r;
    size_t *cuts;
    uint64_t *w;
    struct mg_reading *rd;

    count = text_pieces(&starts, b->text, s->text_start, s->text_end, 0);
    if (count < weeks) {
        free(starts);
        count = text_pieces(&starts, b->text, s->text_start, s->text_end, 1);
    }
    w = mg_xmalloc(count * sizeof(*w));
    for (i = 0; i < count; i++) {
        size_t e = i + 1 < count ? starts[i + 1] : s->text_end;
        w[i] = mg_count_words(b->text + starts[i], e - starts[i]);
    }
    k = count < weeks ? count : weeks;
    cuts = mg_xmalloc(k * sizeof(*cuts));
    mg_partition(cuts, w, count, k);
    rd = mg_xcalloc(k, sizeof(*rd));
    for (r = 0; r < k; r++) {
        size_t to = r + 1 < k ? cuts[r + 1] : count;
        rd[r].week = (int)r + 1;
        rd[r].first = 0;
        rd[r].end = 1;
        rd[r].text_start = starts[cuts[r]];
        rd[r].text_end = to < count ? starts[to] : s->text_end;
        for (i = cuts[r]; i < to; i++)
            rd[r].words += w[i];
    }
    free(cuts);
    free(w);
    free(starts);
    *out = rd;
    *n = k;
}

/*
 * How many pieces section i's own text falls into: at paragraphs, or at
 * lines when it has fewer than `want` paragraphs. *lines says which.
 */
static size_t section_pieces(const struct mg_book *b, size_t i, size_t want,
                             int *lines)
{
    const struct mg_section *sec = &b->sections[i];
    size_t *starts = NULL, count;

    *lines = 0;
    if (sec->text_end <= sec->text_start)
        return 0;
    count = text_pieces(&starts, b->text, sec->text_start, sec->text_end, 0);
    free(starts);
    if (count < want) {
        size_t by_lines =
            text_pieces(&starts, b->text, sec->text_start, sec->text_end, 1);
        free(starts);
        if (by_lines > count) {
            count = by_lines;
            *lines = 1;
        }
    }
    return count;
}

/*
 * Replace unit `at`, one section without sub-sections, by stretches of
 * its text cut at paragraphs (or lines): "part 1 of 4" of a chapter the
 * weeks outnumber. Stretches without words join the one before.
 */
static void unit_split_text(struct units *u, size_t at, int lines)
{
    const struct mg_book *b = u->b;
    struct unit x = u->v[at];
    const struct mg_section *sec = &b->sections[x.s];
    size_t *starts = NULL, count, i, tail, m = 0;
    struct unit *pieces;

    count =
        text_pieces(&starts, b->text, sec->text_start, sec->text_end, lines);
    pieces = mg_xcalloc(count, sizeof(*pieces));
    for (i = 0; i < count; i++) {
        size_t te = i + 1 < count ? starts[i + 1] : sec->text_end;
        uint64_t words = mg_count_words(b->text + starts[i], te - starts[i]);
        if (m > 0 && words == 0) {
            pieces[m - 1].te = te;
            continue;
        }
        if (m == 1 && pieces[0].words == 0) {
            pieces[0].te = te; /* leading stretch without words */
            pieces[0].words = words;
            continue;
        }
        pieces[m].s = x.s;
        pieces[m].e = x.s + 1;
        pieces[m].piece = 1;
        pieces[m].ts = starts[i];
        pieces[m].te = te;
        pieces[m].words = words;
        m++;
    }
    pieces[0].ts = sec->text_start;
    tail = u->n - at - 1;
    while (u->cap < u->n + m - 1) {
        u->cap = u->cap ? u->cap * 2 : 32;
        u->v = mg_xrealloc(u->v, u->cap * sizeof(*u->v));
    }
    memmove(&u->v[at + m], &u->v[at + 1], tail * sizeof(*u->v));
    memcpy(&u->v[at], pieces, m * sizeof(*pieces));
    u->n += m - 1;
    free(pieces);
    free(starts);
}

/*
 * Too few units for the weeks and none to cut at sub-sections: cut the
 * longest section that has more than one paragraph (or line) at its
 * paragraphs. Returns 0 when no section can be cut.
 */
static int cut_longest_text(struct units *u, size_t weeks)
{
    size_t i, best = u->n, want = weeks - u->n + 1;
    int best_lines = 0;

    for (i = 0; i < u->n; i++) {
        int lines;
        if (u->v[i].piece || unit_splits(&u->v[i]) || u->v[i].words == 0 ||
            (best < u->n && u->v[i].words <= u->v[best].words))
            continue;
        if (section_pieces(u->b, u->v[i].s, want, &lines) < 2)
            continue;
        best = i;
        best_lines = lines;
    }
    if (best == u->n)
        return 0;
    unit_split_text(u, best, best_lines);
    return 1;
}

int mg_book_plan(struct mg_reading **out, size_t *n, const struct mg_book *b,
                 size_t first, size_t end, int weeks, struct mg_error *err)
{
    struct units u;
    uint64_t *before = NULL, *w = NULL, total;
    size_t *cuts = NULL, i, k, r;
    struct mg_reading *rd;

    *out = NULL;
    *n = 0;
    if (weeks < 1 || weeks > MAX_WEEKS) {
        mg_error_set(err, "weeks", "weeks must be between 1 and %d, not %d",
                     MAX_WEEKS, weeks);
        return MG_EINVAL;
    }
    if (first >= end || end > b->n_sections) {
        mg_error_set(err, "range",
                     "sections [%zu, %zu) are not a range of the book's %zu",
                     first, end, b->n_sections);
        return MG_EINVAL;
    }
    if (b->no_structure && b->n_sections == 1) {
        plan_text(out, n, b, (size_t)weeks);
        return 0;
    }

    before = mg_xmalloc((b->n_sections + 1) * sizeof(*before));
    before[0] = 0;
    for (i = 0; i < b->n_sections; i++)
        before[i + 1] = before[i] + b->sections[i].words;
    total = before[end] - before[first];
    memset(&u, 0, sizeof(u));
    u.b = b;
    u.before = before;
    /* The range's top level: sections whose parent lies outside it. */
    for (i = first; i < end;) {
        size_t e = b->sections[i].end < end ? b->sections[i].end : end;
        units_push(&u, i, e);
        i = e;
    }
    /* A unit longer than an average week is cut at its sub-sections. */
    for (i = 0; i < u.n;) {
        if (unit_splits(&u.v[i]) && u.v[i].words * (uint64_t)weeks > total)
            unit_split(&u, i);
        else
            i++;
    }
    /* Too few units for the weeks: cut the longest that can be cut. */
    while (u.n < (size_t)weeks) {
        size_t best = u.n;
        for (i = 0; i < u.n; i++)
            if (unit_splits(&u.v[i]) &&
                (best == u.n || u.v[i].words > u.v[best].words))
                best = i;
        if (best == u.n) {
            /* none has sub-sections: cut a section at paragraphs */
            if (!cut_longest_text(&u, (size_t)weeks))
                break;
            continue;
        }
        unit_split(&u, best);
    }

    k = u.n < (size_t)weeks ? u.n : (size_t)weeks;
    w = mg_xmalloc(u.n * sizeof(*w));
    for (i = 0; i < u.n; i++)
        w[i] = u.v[i].words;
    cuts = mg_xmalloc(k * sizeof(*cuts));
    mg_partition(cuts, w, u.n, k);
    rd = mg_xcalloc(k, sizeof(*rd));
    for (r = 0; r < k; r++) {
        size_t to = r + 1 < k ? cuts[r + 1] : u.n;
        const struct unit *head = &u.v[cuts[r]], *last = &u.v[to - 1];
        /* Readings meet where a unit ends, so a heading without words
         * between two units goes with the reading after it; two
         * readings of one section's text share that section. */
        rd[r].week = (int)r + 1;
        if (r == 0)
            rd[r].first = first;
        else if (u.v[cuts[r] - 1].e > head->s)
            rd[r].first = head->s;
        else
            rd[r].first = u.v[cuts[r] - 1].e;
        rd[r].end = r + 1 == k ? end : last->e;
        for (i = cuts[r]; i < to; i++)
            rd[r].words += (size_t)u.v[i].words;
        rd[r].text_start = head->piece && rd[r].first == head->s
                               ? head->ts
                               : b->sections[rd[r].first].text_start;
        rd[r].text_end = last->piece && rd[r].end == last->e
                             ? last->te
                             : b->sections[rd[r].end - 1].text_end;
    }
    *out = rd;
    *n = k;
    free(cuts);
    free(w);
    free(u.v);
    free(before);
    return 0;
}

/* ---- threads -------------------------------------------------------- */

static void thread_set(struct mg_thread *t, const struct mg_book *b, size_t i)
{
    t->title = mg_xstrdup(b->sections[i].title ? b->sections[i].title : "");
    t->first = i;
    t->end = b->sections[i].end;
    t->words = b->sections[i].total_words;
}

/* Children of `parent` (-1: the top level), front matter left out. */
static size_t level_entries(size_t *idx, const struct mg_book *b, int parent)
{
    size_t i, n = 0;

    for (i = 0; i < b->n_sections; i++)
        if (b->sections[i].parent == parent &&
            b->sections[i].kind != MG_SECTION_FRONT)
            idx[n++] = i;
    return n;
}

int mg_book_threads(struct mg_thread **out, size_t *n, const struct mg_book *b)
{
    struct mg_thread *t;
    size_t *idx, i, count = 0;
    int parent = -1;

    idx = mg_xmalloc((b->n_sections + 1) * sizeof(*idx));
    for (i = 0; i < b->n_sections; i++)
        if (b->sections[i].is_thread)
            idx[count++] = i;
    if (count == 0 && !b->no_structure) {
        /* Go down through single wrappers (a title over the chapters). */
        count = level_entries(idx, b, parent);
        while (count == 1) {
            parent = (int)idx[0];
            count = level_entries(idx, b, parent);
        }
    }
    if (count >= 2 || (count == 1 && b->sections[idx[0]].is_thread)) {
        t = mg_xcalloc(count, sizeof(*t));
        for (i = 0; i < count; i++)
            thread_set(&t[i], b, idx[i]);
    } else {
        count = 1;
        t = mg_xcalloc(1, sizeof(*t));
        t->title = mg_xstrdup(b->title ? b->title : "Whole book");
        t->first = 0;
        t->end = b->n_sections;
        for (i = 0; i < b->n_sections; i++)
            if (b->sections[i].parent < 0)
                t->words += b->sections[i].total_words;
    }
    free(idx);
    *out = t;
    *n = count;
    return 0;
}

void mg_threads_free(struct mg_thread *t, size_t n)
{
    size_t i;

    for (i = 0; t && i < n; i++)
        free(t[i].title);
    free(t);
}
