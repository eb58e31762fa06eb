/*
 * test_book_split.c: the book's threads and weekly readings. The optimal
 * linear partition is checked against brute force (every cut set) on
 * small random inputs and against a plain O(k n^2) reference on larger
 * ones; plans and threads run on books built by hand with the parsers'
 * builder, expected readings worked out by hand in the comments.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/book/internal.h"
#include "mingle/book.h"

__extension__ typedef unsigned __int128 u128;

/* ---- helpers --------------------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rng(void)
{
    /* xorshift64*: fixed seed, the same inputs on every run */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1du;
}

/* The largest part and the sum of squares of a cut set; checks validity. */
static void score(uint64_t *max, u128 *sq, const size_t *cuts,
                  const uint64_t *w, size_t n, size_t k)
{
    size_t r, i;

    *max = 0;
    *sq = 0;
    assert_int_equal(cuts[0], 0);
    for (r = 0; r < k; r++) {
        size_t to = r + 1 < k ? cuts[r + 1] : n;
        uint64_t sum = 0;
        assert_true(cuts[r] < to); /* parts are non-empty and in order */
        assert_true(to <= n);
        for (i = cuts[r]; i < to; i++)
            sum += w[i];
        if (sum > *max)
            *max = sum;
        *sq += (u128)sum * sum;
    }
}

/* Every cut set of w[0..n) into k parts: the least max, then squares. */
static void brute_force(uint64_t *best_max, u128 *best_sq, const uint64_t *w,
                        size_t n, size_t k)
{
    unsigned long mask, gaps = n - 1;
    size_t cuts[16];
    int found = 0;

    for (mask = 0; mask < (1ul << gaps); mask++) {
        size_t c = 1, g;
        uint64_t mx;
        u128 sq;
        if ((size_t)__builtin_popcountl(mask) != k - 1)
            continue;
        cuts[0] = 0;
        for (g = 0; g < gaps; g++)
            if (mask & (1ul << g))
                cuts[c++] = g + 1;
        score(&mx, &sq, cuts, w, n, k);
        if (!found || mx < *best_max || (mx == *best_max && sq < *best_sq)) {
            *best_max = mx;
            *best_sq = sq;
            found = 1;
        }
    }
    assert_true(found);
}

/*
 * A plain reference for larger n: the min-max by an O(k n^2) DP, then
 * the least sum of squares with every part <= that max, also O(k n^2).
 */
static void reference(uint64_t *best_max, u128 *best_sq, const uint64_t *w,
                      size_t n, size_t k)
{
    const u128 inf = ~(u128)0;
    uint64_t *p = calloc(n + 1, sizeof(*p));
    uint64_t *mm = calloc((k + 1) * (n + 1), sizeof(*mm));
    u128 *sq = calloc((k + 1) * (n + 1), sizeof(*sq));
    size_t i, j, l;

    assert_non_null(p);
    assert_non_null(mm);
    assert_non_null(sq);
    for (i = 0; i < n; i++)
        p[i + 1] = p[i] + w[i];
    for (i = 0; i < (k + 1) * (n + 1); i++) {
        mm[i] = UINT64_MAX;
        sq[i] = inf;
    }
    mm[0] = 0;
    sq[0] = 0;
    for (j = 1; j <= k; j++)
        for (i = j; i <= n; i++)
            for (l = j - 1; l < i; l++) {
                uint64_t prev = mm[(j - 1) * (n + 1) + l];
                uint64_t part = p[i] - p[l];
                uint64_t v = prev > part ? prev : part;
                if (prev != UINT64_MAX && v < mm[j * (n + 1) + i])
                    mm[j * (n + 1) + i] = v;
            }
    *best_max = mm[k * (n + 1) + n];
    for (j = 1; j <= k; j++)
        for (i = j; i <= n; i++)
            for (l = j - 1; l < i; l++) {
                u128 prev = sq[(j - 1) * (n + 1) + l];
                uint64_t part = p[i] - p[l];
                if (prev != inf && part <= *best_max &&
                    prev + (u128)part * part < sq[j * (n + 1) + i])
                    sq[j * (n + 1) + i] = prev + (u128)part * part;
            }
    *best_sq = sq[k * (n + 1) + n];
    free(p);
    free(mm);
    free(sq);
}

static void random_weights(uint64_t *w, size_t n, uint64_t top)
{
    size_t i;

    for (i = 0; i < n; i++)
        w[i] = rng() % 5 == 0 ? 0 : rng() % (top + 1);
}

static void check_against(const uint64_t *w, size_t n, size_t k, int brute)
{
    size_t cuts[200];
    uint64_t want_max, got_max;
    u128 want_sq, got_sq;

    memset(cuts, 0xff, sizeof(cuts));
    if (brute)
        brute_force(&want_max, &want_sq, w, n, k);
    else
        reference(&want_max, &want_sq, w, n, k);
    mg_partition(cuts, w, n, k);
    score(&got_max, &got_sq, cuts, w, n, k);
    assert_int_equal(got_max, want_max);
    assert_true(got_sq == want_sq);
}

/* Text of exactly `n` words, ending a paragraph. */
static void add_words(struct builder *bl, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        builder_text(bl, i + 1 < n ? "word " : "word", i + 1 < n ? 5 : 4);
    builder_text(bl, "\n\n", 2);
}

static void heading(struct builder *bl, int rank, enum mg_section_kind kind,
                    const char *title, size_t words)
{
    builder_heading(bl, rank, kind, title, strlen(title));
    if (words)
        add_words(bl, words);
}

static struct mg_book *finish(struct builder *bl)
{
    struct mg_book *b = NULL;
    struct mg_error err;

    assert_int_equal(builder_finish(bl, &b, &err), 0);
    builder_release(bl);
    assert_non_null(b);
    return b;
}

struct want {
    size_t first, end, words;
};

/* The readings are exactly `want`, weeks 1.., texts from the sections. */
static void check_readings(const struct mg_book *b, const struct mg_reading *r,
                           size_t n, const struct want *want, size_t n_want)
{
    size_t i;

    assert_int_equal(n, n_want);
    for (i = 0; i < n; i++) {
        assert_int_equal(r[i].week, (int)i + 1);
        assert_int_equal(r[i].first, want[i].first);
        assert_int_equal(r[i].end, want[i].end);
        assert_int_equal(r[i].words, want[i].words);
        assert_int_equal(r[i].text_start,
                         b->sections[want[i].first].text_start);
        assert_int_equal(r[i].text_end, b->sections[want[i].end - 1].text_end);
        assert_int_equal(mg_count_words(b->text + r[i].text_start,
                                        r[i].text_end - r[i].text_start),
                         want[i].words);
    }
}

/* ---- mg_partition ---------------------------------------------------- */

static void test_partition_brute_force(void **state)
{
    uint64_t w[12];
    int round;

    (void)state;
    for (round = 0; round < 4000; round++) {
        size_t n = 1 + (size_t)(rng() % 12);
        size_t k = 1 + (size_t)(rng() % n);
        random_weights(w, n, round % 4 == 0 ? 10 : 1000);
        check_against(w, n, k, 1);
    }
}

static void test_partition_reference_larger(void **state)
{
    uint64_t w[150];
    int round;

    (void)state;
    for (round = 0; round < 300; round++) {
        size_t n = 13 + (size_t)(rng() % 138);
        size_t k = 1 + (size_t)(rng() % n);
        if (round % 3 == 0)
            k = 1 + (size_t)(rng() % (n < 20 ? n : 20));
        random_weights(w, n, round % 2 ? 1000 : 3);
        check_against(w, n, k, 0);
    }
}

static void test_partition_edges(void **state)
{
    uint64_t w[12], equal[12];
    size_t cuts[12], i;

    (void)state;
    /* k == n: every item alone */
    for (i = 0; i < 7; i++)
        w[i] = 7 - i;
    mg_partition(cuts, w, 7, 7);
    for (i = 0; i < 7; i++)
        assert_int_equal(cuts[i], i);
    /* k == 1: one part from the start */
    cuts[0] = 99;
    mg_partition(cuts, w, 7, 1);
    assert_int_equal(cuts[0], 0);
    /* n == k == 1 */
    mg_partition(cuts, w, 1, 1);
    assert_int_equal(cuts[0], 0);

    /* twelve tens into four parts: only 3+3+3+3 keeps every part <= 30 */
    for (i = 0; i < 12; i++)
        equal[i] = 10;
    mg_partition(cuts, equal, 12, 4);
    assert_int_equal(cuts[0], 0);
    assert_int_equal(cuts[1], 3);
    assert_int_equal(cuts[2], 6);
    assert_int_equal(cuts[3], 9);

    /* a giant in the middle stands alone, the rest around it */
    {
        const uint64_t g[7] = {1, 1, 1, 1000, 1, 1, 1};
        mg_partition(cuts, g, 7, 3);
        assert_int_equal(cuts[1], 3);
        assert_int_equal(cuts[2], 4);
    }
    /* a giant at the end: the four fives split evenly, 10 + 10 */
    {
        const uint64_t g[5] = {5, 5, 5, 5, 1000};
        mg_partition(cuts, g, 5, 3);
        assert_int_equal(cuts[1], 2);
        assert_int_equal(cuts[2], 4);
    }
    /* two parts of a giant's row: the largest is 1003 either way */
    {
        const uint64_t g[7] = {1, 1, 1, 1000, 1, 1, 1};
        mg_partition(cuts, g, 7, 2);
        assert_true(cuts[1] == 3 || cuts[1] == 4);
    }
    /* all zeros: any valid cut set, each part non-empty */
    {
        const uint64_t z[5] = {0, 0, 0, 0, 0};
        uint64_t mx;
        u128 sq;
        mg_partition(cuts, z, 5, 3);
        score(&mx, &sq, cuts, z, 5, 3);
        assert_int_equal(mx, 0);
    }
}

static void test_partition_squares_past_64_bits(void **state)
{
    /*
     * Both {2^62}{2^61}{2^61+1} and {2^62}{2^62}{1} have the max 2^62;
     * the first has the smaller sum of squares (2^124 + 2^122 + ...
     * against 2^125 + 1), but modulo 2^64 it would look larger.
     */
    const uint64_t w[4] = {1ull << 62, 1ull << 61, 1ull << 61, 1};
    size_t cuts[3];

    (void)state;
    mg_partition(cuts, w, 4, 3);
    assert_int_equal(cuts[0], 0);
    assert_int_equal(cuts[1], 1);
    assert_int_equal(cuts[2], 2);
}

/* ---- mg_book_plan ---------------------------------------------------- */

/*
 *  0 Chapter 1     90
 *  1 Chapter 2     30 own, 360 in all
 *  2   2.1        120
 *  3   2.2        110
 *  4   2.3        100
 *  5 Chapter 3      0 own, 120 in all
 *  6   3.1         60
 *  7   3.2         60
 *  8 Chapter 4     80
 */
static struct mg_book *long_chapter_book(void)
{
    struct builder bl;

    builder_init(&bl, MG_BOOK_MARKDOWN);
    heading(&bl, 1, MG_SECTION_CHAPTER, "Chapter 1", 90);
    heading(&bl, 1, MG_SECTION_CHAPTER, "Chapter 2", 30);
    heading(&bl, 2, MG_SECTION_SECTION, "2.1", 120);
    heading(&bl, 2, MG_SECTION_SECTION, "2.2", 110);
    heading(&bl, 2, MG_SECTION_SECTION, "2.3", 100);
    heading(&bl, 1, MG_SECTION_CHAPTER, "Chapter 3", 0);
    heading(&bl, 2, MG_SECTION_SECTION, "3.1", 60);
    heading(&bl, 2, MG_SECTION_SECTION, "3.2", 60);
    heading(&bl, 1, MG_SECTION_CHAPTER, "Chapter 4", 80);
    return finish(&bl);
}

static void test_plan_cuts_only_the_long_chapter(void **state)
{
    /*
     * 650 words over 5 weeks: 130 a week. Chapter 2 (360) is longer, so
     * it becomes its own text and its sections: units 90, 30, 120, 110,
     * 100, 120 (chapter 3, shorter than a week, whole), 80. Two merges
     * are needed; pairs under 200 are 90+30 and 30+120, which overlap,
     * so the best max is 200: 90+30 with 120+80 (squares 90900) beats
     * 30+120 with 120+80 (92700).
     */
    static const struct want want[] = {
        {0, 2, 120}, {2, 3, 120}, {3, 4, 110}, {4, 5, 100}, {5, 9, 200}};
    struct mg_book *b = long_chapter_book();
    struct mg_reading *r = NULL;
    struct mg_error err;
    size_t n = 0;

    (void)state;
    assert_int_equal(b->n_sections, 9);
    assert_int_equal(b->words, 650);
    assert_int_equal(mg_book_plan(&r, &n, b, 0, 9, 5, &err), 0);
    check_readings(b, r, n, want, 5);
    free(r);

    /* Two weeks: 325 a week, chapter 2 is still longer and is cut;
     * units 90 30 120 110 100 120 80, best split 350 | 300 at 2.2/2.3
     * (90+30+120+110 = 350, 100+120+80 = 300); cutting before 2.2
     * gives 240 | 410. */
    assert_int_equal(mg_book_plan(&r, &n, b, 0, 9, 2, &err), 0);
    {
        static const struct want two[] = {{0, 4, 350}, {4, 9, 300}};
        check_readings(b, r, n, two, 2);
    }
    free(r);

    /* One week: everything, nothing cut */
    assert_int_equal(mg_book_plan(&r, &n, b, 0, 9, 1, &err), 0);
    {
        static const struct want one[] = {{0, 9, 650}};
        check_readings(b, r, n, one, 1);
    }
    free(r);
    mg_book_free(b);
}

static void test_plan_subrange(void **state)
{
    /*
     * Chapter 3 alone, [5, 8), over 2 weeks: 120 words, 60 a week; it
     * is the only unit and longer than a week: its own text has no words,
     * so the units are 3.1 and 3.2 and the heading goes with the first.
     */
    static const struct want want[] = {{5, 7, 60}, {7, 8, 60}};
    struct mg_book *b = long_chapter_book();
    struct mg_reading *r = NULL;
    struct mg_error err;
    size_t n = 0;

    (void)state;
    assert_int_equal(mg_book_plan(&r, &n, b, 5, 8, 2, &err), 0);
    check_readings(b, r, n, want, 2);
    free(r);
    mg_book_free(b);
}

static void test_plan_cuts_recursively(void **state)
{
    /*
     *  0 Chapter 1     10
     *  1 Chapter 2      0 own, 250 in all
     *  2   2.1          0 own, 200 in all
     *  3     2.1.1    100
     *  4     2.1.2    100
     *  5   2.2         50
     *  6 Chapter 3     40
     * 300 words, 3 weeks: 100 a week. Chapter 2 is cut to 2.1 (200, still
     * too long, cut again) and 2.2: units 10, 100, 100, 50, 40. Parts of
     * at most 100 would need four weeks, so the max is 110, reached only
     * by 10+100 | 100 | 50+40. The headings without text (chapter 2,
     * 2.1) go with the reading that starts at their first piece.
     */
    static const struct want want[] = {{0, 4, 110}, {4, 5, 100}, {5, 7, 90}};
    struct builder bl;
    struct mg_book *b;
    struct mg_reading *r = NULL;
    struct mg_error err;
    size_t n = 0;

    (void)state;
    builder_init(&bl, MG_BOOK_HTML);
    heading(&bl, 1, MG_SECTION_CHAPTER, "Chapter 1", 10);
    heading(&bl, 1, MG_SECTION_CHAPTER, "Chapter 2", 0);
    heading(&bl, 2, MG_SECTION_SECTION, "2.1", 0);
    heading(&bl, 3, MG_SECTION_SECTION, "2.1.1", 100);
    heading(&bl, 3, MG_SECTION_SECTION, "2.1.2", 100);
    heading(&bl, 2, MG_SECTION_SECTION, "2.2", 50);
    heading(&bl, 1, MG_SECTION_CHAPTER, "Chapter 3", 40);
    b = finish(&bl);
    assert_int_equal(b->sections[3].parent, 2);
    assert_int_equal(mg_book_plan(&r, &n, b, 0, 7, 3, &err), 0);
    check_readings(b, r, n, want, 3);
    free(r);
    mg_book_free(b);
}

static void test_plan_fewer_units_than_weeks(void **state)
{
    /*
     *  0 Chapter 1    100 (no sub-sections: cannot be cut)
     *  1 Chapter 2      0 own, 20 in all
     *  2   2.1         10
     *  3   2.2         10
     * Three weeks: 40 a week. Only chapter 1 is longer and it cannot be
     * cut, leaving 2 units for 3 weeks, so chapter 2 (the longest that
     * can be cut) is: 100 | 10 | 10. Five weeks give the same 3 readings.
     */
    static const struct want want[] = {{0, 1, 100}, {1, 3, 10}, {3, 4, 10}};
    struct builder bl;
    struct mg_book *b;
    struct mg_reading *r = NULL;
    struct mg_error err;
    size_t n = 0;

    (void)state;
    builder_init(&bl, MG_BOOK_TEXT);
    heading(&bl, 1, MG_SECTION_CHAPTER, "Chapter 1", 100);
    heading(&bl, 1, MG_SECTION_CHAPTER, "Chapter 2", 0);
    heading(&bl, 2, MG_SECTION_SECTION, "2.1", 10);
    heading(&bl, 2, MG_SECTION_SECTION, "2.2", 10);
    b = finish(&bl);
    assert_int_equal(mg_book_plan(&r, &n, b, 0, 4, 3, &err), 0);
    check_readings(b, r, n, want, 3);
    free(r);
    assert_int_equal(mg_book_plan(&r, &n, b, 0, 4, 5, &err), 0);
    check_readings(b, r, n, want, 3);
    free(r);
    /* two weeks: no unit splits needed past chapter 1; 100 | 20 */
    assert_int_equal(mg_book_plan(&r, &n, b, 0, 4, 2, &err), 0);
    {
        static const struct want two[] = {{0, 1, 100}, {1, 4, 20}};
        check_readings(b, r, n, two, 2);
    }
    free(r);
    mg_book_free(b);
}

/* Least largest part of w[0..n) in k parts: the reference's first phase. */
static uint64_t min_max_of(const uint64_t *w, size_t n, size_t k)
{
    uint64_t mx;
    u128 sq;

    reference(&mx, &sq, w, n, k);
    return mx;
}

static void test_plan_no_structure_paragraphs(void **state)
{
    struct builder bl;
    struct mg_book *b;
    struct mg_reading *r = NULL;
    struct mg_error err;
    uint64_t para[40], largest = 0, total = 0, top = 0;
    size_t n = 0, i, weeks = 4;

    (void)state;
    builder_init(&bl, MG_BOOK_TEXT);
    for (i = 0; i < 40; i++) {
        para[i] = 5 + (i * 37) % 41; /* 5..45 words, scattered */
        add_words(&bl, (size_t)para[i]);
        total += para[i];
        if (para[i] > largest)
            largest = para[i];
    }
    b = finish(&bl);
    assert_true(b->no_structure);
    assert_int_equal(b->n_sections, 1);
    assert_int_equal(b->words, total);
    assert_int_equal(mg_book_plan(&r, &n, b, 0, 1, (int)weeks, &err), 0);
    assert_int_equal(n, weeks);
    for (i = 0; i < n; i++) {
        double avg = (double)total / (double)weeks;
        double diff = (double)r[i].words - avg;
        assert_int_equal(r[i].week, (int)i + 1);
        assert_int_equal(r[i].first, 0);
        assert_int_equal(r[i].end, 1);
        assert_true(r[i].text_start < r[i].text_end);
        if (i == 0)
            assert_int_equal(r[i].text_start, b->sections[0].text_start);
        else
            assert_memory_equal(b->text + r[i].text_start - 2, "\n\n", 2);
        if (i + 1 < n)
            assert_int_equal(r[i].text_end, r[i + 1].text_start);
        else
            assert_int_equal(r[i].text_end, b->sections[0].text_end);
        assert_int_equal(mg_count_words(b->text + r[i].text_start,
                                        r[i].text_end - r[i].text_start),
                         r[i].words);
        assert_true(diff <= (double)largest && -diff <= (double)largest);
        if (r[i].words > top)
            top = r[i].words;
    }
    /* and the longest week is the least possible at paragraph breaks */
    assert_int_equal(top, min_max_of(para, 40, weeks));
    free(r);
    mg_book_free(b);
}

static void test_plan_no_structure_lines(void **state)
{
    /*
     * Two paragraphs of 6 lines (3 words each) for 4 weeks: too few
     * paragraphs, so the text is cut at lines: 36 words, 9 a week, 3
     * lines each.
     */
    struct builder bl;
    struct mg_book *b;
    struct mg_reading *r = NULL;
    struct mg_error err;
    size_t n = 0, i, p, l;

    (void)state;
    builder_init(&bl, MG_BOOK_TEXT);
    for (p = 0; p < 2; p++) {
        for (l = 0; l < 6; l++)
            builder_text(&bl, "one two three\n", 14);
        builder_text(&bl, "\n", 1);
    }
    b = finish(&bl);
    assert_true(b->no_structure);
    assert_int_equal(mg_book_plan(&r, &n, b, 0, 1, 4, &err), 0);
    assert_int_equal(n, 4);
    for (i = 0; i < n; i++) {
        assert_int_equal(r[i].words, 9);
        if (i > 0)
            assert_int_equal(b->text[r[i].text_start - 1], '\n');
    }
    free(r);
    /* more weeks than lines: one reading a line */
    assert_int_equal(mg_book_plan(&r, &n, b, 0, 1, 20, &err), 0);
    assert_int_equal(n, 12);
    for (i = 0; i < n; i++)
        assert_int_equal(r[i].words, 3);
    free(r);
    mg_book_free(b);
}

/*
 * Issue #17 item 11: a thread with no sub-sections in a four-week circle
 * was one reading. Its text is now spread over the weeks at paragraph
 * breaks ("part 1 of 4"), as the plan of a book without headings is.
 */
static void test_plan_thread_without_subsections(void **state)
{
    struct builder bl;
    struct mg_book *b;
    struct mg_book_split s;
    struct mg_error err;
    size_t i, p;

    (void)state;
    builder_init(&bl, MG_BOOK_TEXT);
    builder_heading(&bl, 1, MG_SECTION_CHAPTER, "The Miller's Tale", 17);
    for (p = 0; p < 8; p++)
        add_words(&bl, 10);
    builder_heading(&bl, 1, MG_SECTION_CHAPTER, "The Reeve's Tale", 16);
    for (p = 0; p < 6; p++)
        add_words(&bl, 10 + p);
    b = finish(&bl);
    assert_int_equal(mg_book_split(&s, b, 4, &err), 0);
    assert_int_equal(s.n_threads, 2);
    for (i = 0; i < 2; i++) {
        const struct mg_reading *r = s.per_thread[i];
        size_t sec = s.threads[i].first, total = 0;
        assert_int_equal(s.n_per_thread[i], 4);
        for (p = 0; p < 4; p++) {
            assert_int_equal(r[p].week, (int)p + 1);
            assert_int_equal(r[p].first, sec);
            assert_int_equal(r[p].end, sec + 1);
            assert_true(r[p].text_start < r[p].text_end);
            /* the parts tile the chapter's text, cut at paragraphs */
            if (p == 0)
                assert_int_equal(r[p].text_start, b->sections[sec].text_start);
            else
                assert_memory_equal(b->text + r[p].text_start - 2, "\n\n", 2);
            if (p + 1 < 4)
                assert_int_equal(r[p].text_end, r[p + 1].text_start);
            else
                assert_int_equal(r[p].text_end, b->sections[sec].text_end);
            assert_int_equal(mg_count_words(b->text + r[p].text_start,
                                            r[p].text_end - r[p].text_start),
                             r[p].words);
            total += r[p].words;
        }
        assert_int_equal(total, b->sections[sec].words);
    }
    /* 80 words in 8 paragraphs of 10: 20 a week */
    for (p = 0; p < 4; p++)
        assert_int_equal(s.per_thread[0][p].words, 20);
    /* paragraphs of 10..15 words: the longest week is the least possible
     * at paragraph breaks */
    {
        uint64_t w[6] = {10, 11, 12, 13, 14, 15}, top = 0;
        for (p = 0; p < 4; p++)
            if (s.per_thread[1][p].words > top)
                top = s.per_thread[1][p].words;
        assert_int_equal(top, min_max_of(w, 6, 4));
    }
    mg_book_split_release(&s);
    mg_book_free(b);
}

/*
 * Issue #17 item 11, the whole book: three chapters of 100 words over
 * four weeks. Only one chapter is cut (at its paragraphs), the others
 * stay whole: 50 | 50 | 100 | 100.
 */
static void test_plan_cuts_one_chapter_at_paragraphs(void **state)
{
    struct builder bl;
    struct mg_book *b;
    struct mg_reading *r = NULL;
    struct mg_error err;
    size_t n = 0, c, p;

    (void)state;
    builder_init(&bl, MG_BOOK_TEXT);
    for (c = 0; c < 3; c++) {
        builder_heading(&bl, 1, MG_SECTION_CHAPTER, "Chapter", 7);
        for (p = 0; p < 10; p++)
            add_words(&bl, 10);
    }
    b = finish(&bl);
    assert_int_equal(mg_book_plan(&r, &n, b, 0, 3, 4, &err), 0);
    assert_int_equal(n, 4);
    assert_int_equal(r[0].words, 50);
    assert_int_equal(r[1].words, 50);
    assert_int_equal(r[0].first, 0);
    assert_int_equal(r[1].first, 0);
    assert_int_equal(r[1].end, 1);
    assert_int_equal(r[0].text_end, r[1].text_start);
    assert_int_equal(r[1].text_end, b->sections[0].text_end);
    assert_int_equal(r[2].first, 1);
    assert_int_equal(r[2].end, 2);
    assert_int_equal(r[2].words, 100);
    assert_int_equal(r[2].text_start, b->sections[1].text_start);
    assert_int_equal(r[3].first, 2);
    assert_int_equal(r[3].words, 100);
    free(r);
    /* three weeks: no chapter is cut */
    assert_int_equal(mg_book_plan(&r, &n, b, 0, 3, 3, &err), 0);
    assert_int_equal(n, 3);
    for (c = 0; c < 3; c++) {
        assert_int_equal(r[c].first, c);
        assert_int_equal(r[c].words, 100);
    }
    free(r);
    mg_book_free(b);
}

static void test_plan_errors(void **state)
{
    struct mg_book *b = long_chapter_book();
    struct mg_reading *r = NULL;
    struct mg_error err;
    size_t n = 0;

    (void)state;
    memset(&err, 0, sizeof(err));
    assert_int_equal(mg_book_plan(&r, &n, b, 0, 9, 0, &err), MG_EINVAL);
    assert_string_equal(err.field, "weeks");
    assert_null(r);
    memset(&err, 0, sizeof(err));
    assert_int_equal(mg_book_plan(&r, &n, b, 0, 9, 105, &err), MG_EINVAL);
    assert_string_equal(err.field, "weeks");
    assert_int_equal(mg_book_plan(&r, &n, b, 0, 9, -3, &err), MG_EINVAL);
    assert_string_equal(err.field, "weeks");
    memset(&err, 0, sizeof(err));
    assert_int_equal(mg_book_plan(&r, &n, b, 4, 4, 2, &err), MG_EINVAL);
    assert_string_equal(err.field, "range");
    memset(&err, 0, sizeof(err));
    assert_int_equal(mg_book_plan(&r, &n, b, 5, 3, 2, &err), MG_EINVAL);
    assert_string_equal(err.field, "range");
    memset(&err, 0, sizeof(err));
    assert_int_equal(mg_book_plan(&r, &n, b, 0, 10, 2, &err), MG_EINVAL);
    assert_string_equal(err.field, "range");
    assert_true(strlen(err.message) > 0);
    /* the bounds themselves are fine */
    assert_int_equal(mg_book_plan(&r, &n, b, 0, 9, 104, &err), 0);
    /* every unit cut down to single sections: chapter 3's heading has no
     * words of its own, so 8 pieces, 8 readings */
    assert_int_equal(n, 8);
    free(r);
    mg_book_free(b);
}

/* ---- mg_book_threads ------------------------------------------------- */

static void test_threads_marked(void **state)
{
    struct builder bl;
    struct mg_book *b;
    struct mg_thread *t = NULL;
    size_t n = 0;

    (void)state;
    builder_init(&bl, MG_BOOK_MARKDOWN);
    add_words(&bl, 5); /* front matter, section 0 */
    heading(&bl, 1, MG_SECTION_CHAPTER, "Opening", 20);
    heading(&bl, 1, MG_SECTION_CHAPTER, "Thread: Wolves", 0);
    builder_mark_thread(&bl);
    heading(&bl, 2, MG_SECTION_SECTION, "Den", 7);
    heading(&bl, 2, MG_SECTION_SECTION, "Pack", 8);
    heading(&bl, 1, MG_SECTION_CHAPTER, "Interlude", 3);
    heading(&bl, 1, MG_SECTION_CHAPTER, "Thread: Sheep", 11);
    builder_mark_thread(&bl);
    b = finish(&bl);
    assert_int_equal(mg_book_threads(&t, &n, b), 0);
    assert_int_equal(n, 2);
    assert_string_equal(t[0].title, "Thread: Wolves");
    assert_int_equal(t[0].first, 2);
    assert_int_equal(t[0].end, 5);
    assert_int_equal(t[0].words, 15);
    assert_string_equal(t[1].title, "Thread: Sheep");
    assert_int_equal(t[1].first, 6);
    assert_int_equal(t[1].end, 7);
    assert_int_equal(t[1].words, 11);
    /* the titles are copies */
    assert_ptr_not_equal(t[0].title, b->sections[2].title);
    mg_threads_free(t, n);
    mg_book_free(b);
}

static void test_threads_parts(void **state)
{
    /*
     *  0 Front matter   4
     *  1 Part One       2 own
     *  2   Chapter 1   10
     *  3   Chapter 2   20
     *  4 Part Two       0 own
     *  5   Chapter 3   30
     */
    struct builder bl;
    struct mg_book *b;
    struct mg_thread *t = NULL;
    size_t n = 0;

    (void)state;
    builder_init(&bl, MG_BOOK_TEXT);
    add_words(&bl, 4);
    heading(&bl, 1, MG_SECTION_PART, "Part One", 2);
    heading(&bl, 2, MG_SECTION_CHAPTER, "Chapter 1", 10);
    heading(&bl, 2, MG_SECTION_CHAPTER, "Chapter 2", 20);
    heading(&bl, 1, MG_SECTION_PART, "Part Two", 0);
    heading(&bl, 2, MG_SECTION_CHAPTER, "Chapter 3", 30);
    b = finish(&bl);
    assert_int_equal(b->sections[0].kind, MG_SECTION_FRONT);
    assert_int_equal(mg_book_threads(&t, &n, b), 0);
    assert_int_equal(n, 2);
    assert_string_equal(t[0].title, "Part One");
    assert_int_equal(t[0].first, 1);
    assert_int_equal(t[0].end, 4);
    assert_int_equal(t[0].words, 32);
    assert_string_equal(t[1].title, "Part Two");
    assert_int_equal(t[1].first, 4);
    assert_int_equal(t[1].end, 6);
    assert_int_equal(t[1].words, 30);
    mg_threads_free(t, n);
    mg_book_free(b);
}

static void test_threads_under_a_title(void **state)
{
    /*
     *  0 Front matter       3
     *  1 The Book           5 own (one top-level entry besides front)
     *  2   Book One         0 own (the only child: go down again)
     *  3     Chapter I     12
     *  4     Chapter II    13
     *  5       A scene      4
     *  6     Chapter III   14
     */
    struct builder bl;
    struct mg_book *b;
    struct mg_thread *t = NULL;
    size_t n = 0;

    (void)state;
    builder_init(&bl, MG_BOOK_HTML);
    add_words(&bl, 3);
    heading(&bl, 1, MG_SECTION_PART, "The Book", 5);
    heading(&bl, 2, MG_SECTION_PART, "Book One", 0);
    heading(&bl, 3, MG_SECTION_CHAPTER, "Chapter I", 12);
    heading(&bl, 3, MG_SECTION_CHAPTER, "Chapter II", 13);
    heading(&bl, 4, MG_SECTION_SECTION, "A scene", 4);
    heading(&bl, 3, MG_SECTION_CHAPTER, "Chapter III", 14);
    b = finish(&bl);
    assert_int_equal(mg_book_threads(&t, &n, b), 0);
    assert_int_equal(n, 3);
    assert_string_equal(t[0].title, "Chapter I");
    assert_int_equal(t[0].first, 3);
    assert_int_equal(t[0].end, 4);
    assert_int_equal(t[0].words, 12);
    assert_string_equal(t[1].title, "Chapter II");
    assert_int_equal(t[1].first, 4);
    assert_int_equal(t[1].end, 6);
    assert_int_equal(t[1].words, 17);
    assert_string_equal(t[2].title, "Chapter III");
    assert_int_equal(t[2].first, 6);
    assert_int_equal(t[2].end, 7);
    assert_int_equal(t[2].words, 14);
    mg_threads_free(t, n);
    mg_book_free(b);
}

static void test_threads_whole_book(void **state)
{
    struct builder bl;
    struct mg_book *b;
    struct mg_thread *t = NULL;
    size_t n = 0;

    (void)state;
    /* one chapter with no sub-sections, after front matter */
    builder_init(&bl, MG_BOOK_MARKDOWN);
    builder_set_title(&bl, "Short Tale", 10);
    add_words(&bl, 6);
    heading(&bl, 1, MG_SECTION_CHAPTER, "Only Chapter", 40);
    b = finish(&bl);
    assert_int_equal(mg_book_threads(&t, &n, b), 0);
    assert_int_equal(n, 1);
    assert_string_equal(t[0].title, "Short Tale");
    assert_int_equal(t[0].first, 0);
    assert_int_equal(t[0].end, 2);
    assert_int_equal(t[0].words, 46);
    mg_threads_free(t, n);
    mg_book_free(b);

    /* no headings at all */
    builder_init(&bl, MG_BOOK_TEXT);
    add_words(&bl, 25);
    b = finish(&bl);
    assert_true(b->no_structure);
    assert_int_equal(mg_book_threads(&t, &n, b), 0);
    assert_int_equal(n, 1);
    assert_int_equal(t[0].first, 0);
    assert_int_equal(t[0].end, 1);
    assert_int_equal(t[0].words, 25);
    assert_non_null(t[0].title);
    mg_threads_free(t, n);
    mg_book_free(b);

    mg_threads_free(NULL, 0);
}

static void test_split_whole(void **state)
{
    /* mg_book_split over the parts book: 2 threads, each planned */
    struct builder bl;
    struct mg_book *b;
    struct mg_book_split s;
    struct mg_error err;

    (void)state;
    builder_init(&bl, MG_BOOK_TEXT);
    heading(&bl, 1, MG_SECTION_PART, "Part One", 0);
    heading(&bl, 2, MG_SECTION_CHAPTER, "Chapter 1", 10);
    heading(&bl, 2, MG_SECTION_CHAPTER, "Chapter 2", 20);
    heading(&bl, 1, MG_SECTION_PART, "Part Two", 0);
    heading(&bl, 2, MG_SECTION_CHAPTER, "Chapter 3", 30);
    heading(&bl, 2, MG_SECTION_CHAPTER, "Chapter 4", 35);
    b = finish(&bl);
    assert_int_equal(mg_book_split(&s, b, 2, &err), 0);
    assert_int_equal(s.n_threads, 2);
    /* the whole book: 95 words, 47.5 a week; part two (65) is cut into
     * its chapters: units 30 30 35, and 60 | 35 beats 30 | 65 */
    assert_int_equal(s.n_same_pace, 2);
    assert_int_equal(s.same_pace[0].words, 60);
    assert_int_equal(s.same_pace[0].end, 5);
    assert_int_equal(s.same_pace[1].first, 5);
    assert_int_equal(s.same_pace[1].words, 35);
    /* part one over two weeks: chapter 1 | chapter 2 */
    assert_int_equal(s.n_per_thread[0], 2);
    assert_int_equal(s.per_thread[0][0].first, 0);
    assert_int_equal(s.per_thread[0][0].end, 2);
    assert_int_equal(s.per_thread[0][1].words, 20);
    mg_book_split_release(&s);
    mg_book_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_partition_brute_force),
        cmocka_unit_test(test_partition_reference_larger),
        cmocka_unit_test(test_partition_edges),
        cmocka_unit_test(test_partition_squares_past_64_bits),
        cmocka_unit_test(test_plan_cuts_only_the_long_chapter),
        cmocka_unit_test(test_plan_subrange),
        cmocka_unit_test(test_plan_cuts_recursively),
        cmocka_unit_test(test_plan_fewer_units_than_weeks),
        cmocka_unit_test(test_plan_no_structure_paragraphs),
        cmocka_unit_test(test_plan_no_structure_lines),
        cmocka_unit_test(test_plan_thread_without_subsections),
        cmocka_unit_test(test_plan_cuts_one_chapter_at_paragraphs),
        cmocka_unit_test(test_plan_errors),
        cmocka_unit_test(test_threads_marked),
        cmocka_unit_test(test_threads_parts),
        cmocka_unit_test(test_threads_under_a_title),
        cmocka_unit_test(test_threads_whole_book),
        cmocka_unit_test(test_split_whole),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
