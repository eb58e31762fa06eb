/*
 * test_book_text.c: the plain-text (Project Gutenberg) and Markdown book
 * parsers: headings found and not found, the licence cut off, tables of
 * contents ignored, text normalised, words counted. The expected numbers
 * for Tom Sawyer were worked out with grep, sed, tr and wc on the file
 * (each pipeline is written next to its number), not taken from the
 * parser's output.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mingle/book.h"

/* From the Debian package golang-github-pierrec-lz4-dev. */
#define TOM_SAWYER                                                             \
    "/usr/share/gocode/src/github.com/pierrec/lz4/testdata/"                   \
    "Mark.Twain-Tom.Sawyer.txt"

/* The Adventures of Sherlock Holmes, from the same package. */
#define PG1661                                                                 \
    "/usr/share/gocode/src/github.com/pierrec/lz4/testdata/pg1661.txt"

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (!f) {
        fail_msg("cannot open '%s': install the Debian package "
                 "golang-github-pierrec-lz4-dev",
                 path);
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    buf[n] = '\0';
    *len = (size_t)n;
    return buf;
}

static struct mg_book *text(const char *s)
{
    struct mg_book *b = NULL;
    struct mg_error err;

    memset(&err, 0, sizeof(err));
    assert_int_equal(mg_book_parse_text(&b, s, strlen(s), &err), 0);
    assert_non_null(b);
    return b;
}

static struct mg_book *markdown(const char *s)
{
    struct mg_book *b = NULL;
    struct mg_error err;

    memset(&err, 0, sizeof(err));
    assert_int_equal(mg_book_parse_markdown(&b, s, strlen(s), &err), 0);
    assert_non_null(b);
    return b;
}

/* The section's own text, as a new string. */
static char *own_text(const struct mg_book *b, size_t i)
{
    const struct mg_section *s = &b->sections[i];
    size_t n = s->text_end - s->text_start;
    char *t = malloc(n + 1);

    assert_non_null(t);
    memcpy(t, b->text + s->text_start, n);
    t[n] = '\0';
    return t;
}

static void assert_section(const struct mg_book *b, size_t i, const char *title,
                           enum mg_section_kind kind, int level, int parent,
                           size_t words)
{
    assert_true(i < b->n_sections);
    assert_string_equal(b->sections[i].title, title);
    assert_int_equal(b->sections[i].kind, kind);
    assert_int_equal(b->sections[i].level, level);
    assert_int_equal(b->sections[i].parent, parent);
    assert_int_equal(b->sections[i].words, words);
}

/* --- Tom Sawyer --- */

static void test_tom_sawyer_chapters(void **state)
{
    size_t len, i, chapters = 0;
    char *data = read_file(TOM_SAWYER, &len);
    struct mg_book *b;

    (void)state;
    b = text(data);
    /*
     * grep -c '^CHAPTER [IVXL]*$' gives 35; PREFACE is letter-spaced
     * ("P R E F A C E", line 16) and CONCLUSION stands at line 8453; the
     * 15 lines before the preface (title, "Produced by") are front matter.
     */
    assert_int_equal(b->n_sections, 1 + 1 + 35 + 1);
    assert_false(b->no_structure);
    assert_null(b->title); /* this copy has no Gutenberg header */
    for (i = 0; i < b->n_sections; i++) {
        if (b->sections[i].kind == MG_SECTION_CHAPTER)
            chapters++;
        assert_int_equal(b->sections[i].level, 1);
        assert_int_equal(b->sections[i].parent, -1);
    }
    assert_int_equal(chapters, 37);
    assert_int_equal(b->sections[0].kind, MG_SECTION_FRONT);
    assert_string_equal(b->sections[1].title, "PREFACE");
    assert_string_equal(b->sections[2].title, "CHAPTER I");
    assert_string_equal(b->sections[3].title, "CHAPTER II");
    assert_string_equal(b->sections[11].title, "CHAPTER X");
    assert_string_equal(b->sections[25].title, "CHAPTER XXIV");
    assert_string_equal(b->sections[36].title, "CHAPTER XXXV");
    assert_string_equal(b->sections[37].title, "CONCLUSION");

    /*
     * Words as mg_count_words counts them (runs of non-space holding a
     * letter or digit), from the line numbers grep -n gave:
     * sed -n 'A,Bp' FILE | tr -s '[:space:]' '\n' | grep -c '[[:alnum:]]'
     */
    assert_int_equal(b->sections[0].words, 23);   /* lines 1-15 */
    assert_int_equal(b->sections[1].words, 168);  /* lines 17-44 */
    assert_int_equal(b->sections[2].words, 2380); /* lines 46-399 */
    assert_int_equal(b->sections[25].words, 408); /* lines 5675-5719 */
    assert_int_equal(b->sections[37].words, 124); /* lines 8454-end */
    /*
     * The whole file less its 37 heading lines:
     * grep -v -E '^(CHAPTER [IVXL]+|CONCLUSION| +P R E F A C E)$' FILE |
     *   tr -s '[:space:]' '\n' | grep -c '[[:alnum:]]'
     */
    assert_int_equal(b->words, 69974);

    /* the chapter's text starts with its first line and ends with its last */
    {
        char *t = own_text(b, 2);
        assert_int_equal(strncmp(t, "\"TOM!\"\n\nNo answer.", 18), 0);
        /* sed -n 396p: the chapter's last line */
        assert_non_null(
            strstr(t, "labor became adamantine in\nits firmness.\n"));
        assert_int_equal(t[strlen(t) - 1], '\n');
        assert_null(strstr(t, "CHAPTER"));
        free(t);
    }
    mg_book_free(b);
    free(data);
}

/*
 * The same book inside a Gutenberg licence: header (with Title: and
 * Author:) and footer words must not be counted.
 */
static void test_tom_sawyer_licence_stripped(void **state)
{
    static const char header[] =
        "The Project Gutenberg EBook of The Adventures of Tom Sawyer\n"
        "\n"
        "This eBook is for the use of anyone anywhere at no cost and with\n"
        "almost no restrictions whatsoever.\n"
        "\n"
        "Title: The Adventures of Tom Sawyer\n"
        "\n"
        "Author: Mark Twain (Samuel Clemens)\n"
        "\n"
        "*** START OF THIS PROJECT GUTENBERG EBOOK TOM SAWYER ***\n";
    static const char footer[] =
        "\n\nEnd of the Project Gutenberg EBook of The Adventures of Tom\n"
        "\n"
        "*** END OF THIS PROJECT GUTENBERG EBOOK TOM SAWYER ***\n"
        "\n"
        "CHAPTER XXXVI\n"
        "\n"
        "Updated editions will replace the previous one--the old editions\n"
        "will be renamed. Creating the works from public domain print\n";
    size_t len, hlen = strlen(header), flen = strlen(footer), i;
    char *data = read_file(TOM_SAWYER, &len);
    char *all = malloc(hlen + len + flen + 1);
    struct mg_book *b;

    (void)state;
    assert_non_null(all);
    memcpy(all, header, hlen);
    memcpy(all + hlen, data, len);
    memcpy(all + hlen + len, footer, flen + 1);
    b = text(all);
    assert_string_equal(b->title, "The Adventures of Tom Sawyer");
    assert_string_equal(b->author, "Mark Twain (Samuel Clemens)");
    /* `wc -w < FILE` over the bare book is 70057: an upper bound */
    assert_true(b->words <= 70057);
    assert_int_equal(b->words, 69974); /* as in the test above */
    assert_int_equal(b->n_sections, 38);
    assert_string_equal(b->sections[37].title, "CONCLUSION");
    assert_null(strstr(b->text, "Gutenberg"));
    assert_null(strstr(b->text, "Updated editions"));
    for (i = 0; i < b->n_sections; i++)
        assert_null(strstr(b->sections[i].title, "XXXVI"));
    mg_book_free(b);
    free(all);
    free(data);
}

/*
 * Issue #17 item 10 on a real Gutenberg book that mixes styles: The
 * Adventures of Sherlock Holmes (pg1661, public domain, in the same
 * Debian package) heads stories I-VI "ADVENTURE N. TITLE" and VII-XII
 * "N. THE ADVENTURE OF ...", and the first story has parts "I.", "II.",
 * "III.". The parts used to replace the stories ("III." ran on for
 * 43311 words over five of them). Figures from the file:
 *   grep -cE '^ADVENTURE [IVX]+\. |^[IVX]+\. THE ADVENTURE' FILE: 12
 *   grep -nP '^[IVX]+\.\r?$' FILE: lines 60, 546, 1028
 *   sed -n 'A,Bp' FILE | tr -s '[:space:]' '\n' | grep -c '[[:alnum:]]'
 */
static void test_sherlock_holmes_stories(void **state)
{
    size_t len, i, top = 0;
    char *data = read_file(PG1661, &len);
    struct mg_book *b;

    (void)state;
    b = text(data);
    assert_string_equal(b->title, "The Adventures of Sherlock Holmes");
    assert_int_equal(b->n_sections, 1 + 12 + 3);
    assert_section(b, 1, "ADVENTURE I. A SCANDAL IN BOHEMIA",
                   MG_SECTION_CHAPTER, 1, -1, 0);
    assert_section(b, 2, "I.", MG_SECTION_SECTION, 2, 1, 3431);  /* 61-545 */
    assert_section(b, 3, "II.", MG_SECTION_SECTION, 2, 1, 4001); /* 547-1027 */
    assert_section(b, 4, "III.", MG_SECTION_SECTION, 2, 1,
                   1079); /* 1029-1187 */
    /* lines 1189-2296; and 11540-12690 for the last story */
    assert_section(b, 5, "ADVENTURE II. THE RED-HEADED LEAGUE",
                   MG_SECTION_CHAPTER, 1, -1, 9103);
    /* lines 6231-7208 */
    assert_section(b, 10, "VII. THE ADVENTURE OF THE BLUE CARBUNCLE",
                   MG_SECTION_CHAPTER, 1, -1, 7807);
    assert_section(b, 15, "XII. THE ADVENTURE OF THE COPPER BEECHES",
                   MG_SECTION_CHAPTER, 1, -1, 9943);
    for (i = 0; i < b->n_sections; i++)
        top += b->sections[i].parent < 0 &&
               b->sections[i].kind == MG_SECTION_CHAPTER;
    assert_int_equal(top, 12);
    mg_book_free(b);
    free(data);
}

/* --- synthetic texts --- */

static void test_crlf_and_bom(void **state)
{
    struct mg_book *b;

    (void)state;
    b = text("\xef\xbb\xbf"
             "CHAPTER 1\r\n\r\nOne two three.\r\nFour five.\r\n\r\n"
             "Chapter 2\rSix seven.\r\rEight.\r");
    assert_int_equal(b->n_sections, 2);
    assert_section(b, 0, "CHAPTER 1", MG_SECTION_CHAPTER, 1, -1, 5);
    /* "Chapter 2" and "Six seven." are one block: a two-line heading */
    assert_section(b, 1, "Chapter 2 Six seven.", MG_SECTION_CHAPTER, 1, -1, 1);
    assert_null(strchr(b->text, '\r'));
    assert_null(strstr(b->text, "\xef\xbb\xbf"));
    assert_non_null(strstr(b->text, "One two three.\nFour five.\n"));
    assert_false(b->utf8_repaired);
    mg_book_free(b);
}

static void test_volumes_restart_chapters(void **state)
{
    struct mg_book *b;
    char *t;

    (void)state;
    b = text("A Tale in Two Volumes\n\n"
             "VOLUME I\n\n"
             "CHAPTER I\n\nIn the first volume it begins.\n\n"
             "CHAPTER II\n\nThe middle part of volume one.\n\n"
             "VOLUME II\n\n"
             "CHAPTER I\n\nA new start, with numbers again.\n\n"
             "CHAPTER II.\n\nAnd so it ends here.\n");
    assert_int_equal(b->n_sections, 7);
    assert_section(b, 0, "Front matter", MG_SECTION_FRONT, 1, -1, 5);
    assert_section(b, 1, "VOLUME I", MG_SECTION_PART, 1, -1, 0);
    assert_section(b, 2, "CHAPTER I", MG_SECTION_CHAPTER, 2, 1, 6);
    assert_section(b, 3, "CHAPTER II", MG_SECTION_CHAPTER, 2, 1, 6);
    assert_section(b, 4, "VOLUME II", MG_SECTION_PART, 1, -1, 0);
    assert_section(b, 5, "CHAPTER I", MG_SECTION_CHAPTER, 2, 4, 6);
    assert_section(b, 6, "CHAPTER II.", MG_SECTION_CHAPTER, 2, 4, 5);
    assert_int_equal(b->sections[1].total_words, 12);
    assert_int_equal(b->sections[1].end, 4);
    assert_int_equal(b->sections[4].end, 7);
    assert_int_equal(b->words, 5 + 12 + 11);
    t = own_text(b, 5);
    assert_string_equal(t, "A new start, with numbers again.\n");
    free(t);
    mg_book_free(b);
}

static void test_parts_and_books_by_word(void **state)
{
    struct mg_book *b;

    (void)state;
    b = text("BOOK ONE\n\nChapter One\n\nAlpha beta.\n\n"
             "Book the Second\n\nCHAPTER TWENTY-ONE: A Late One\n\n"
             "Gamma delta.\n\nPart II\n\nEpsilon zeta eta.\n");
    assert_int_equal(b->n_sections, 5);
    assert_section(b, 0, "BOOK ONE", MG_SECTION_PART, 1, -1, 0);
    assert_section(b, 1, "Chapter One", MG_SECTION_CHAPTER, 2, 0, 2);
    assert_section(b, 2, "Book the Second", MG_SECTION_PART, 1, -1, 0);
    assert_section(b, 3, "CHAPTER TWENTY-ONE: A Late One", MG_SECTION_CHAPTER,
                   2, 2, 2);
    assert_section(b, 4, "Part II", MG_SECTION_PART, 1, -1, 3);
    mg_book_free(b);
}

static void test_roman_numerals_with_titles(void **state)
{
    struct mg_book *b;

    (void)state;
    b = text("ADVENTURES\n\n"
             "I. A SCANDAL IN BOHEMIA\n\nTo Sherlock Holmes she is always "
             "the woman.\n\n"
             "II. The Red-Headed League\n\nI had called upon my friend.\n\n"
             "IX.\n\nNine words are not here, only five.\n\n"
             "XII\n\nThe last one.\n");
    assert_int_equal(b->n_sections, 5);
    assert_section(b, 0, "Front matter", MG_SECTION_FRONT, 1, -1, 1);
    assert_section(b, 1, "I. A SCANDAL IN BOHEMIA", MG_SECTION_CHAPTER, 1, -1,
                   8);
    assert_section(b, 2, "II. The Red-Headed League", MG_SECTION_CHAPTER, 1, -1,
                   6);
    assert_section(b, 3, "IX.", MG_SECTION_CHAPTER, 1, -1, 7);
    assert_section(b, 4, "XII", MG_SECTION_CHAPTER, 1, -1, 3);
    mg_book_free(b);
}

static void test_letter_spaced(void **state)
{
    struct mg_book *b;

    (void)state;
    b = text("P R E F A C E\n\nA short word first.\n\n"
             "T H E   E N D\n\n"
             "C H A P T E R   I\n\nThe story starts.\n\n"
             "C H A P T E R  X I I\n\nIt goes on.\n");
    assert_int_equal(b->n_sections, 3);
    /* "T H E   E N D" is no heading: its 6 letters are words */
    assert_section(b, 0, "PREFACE", MG_SECTION_CHAPTER, 1, -1, 4 + 6);
    assert_section(b, 1, "CHAPTER I", MG_SECTION_CHAPTER, 1, -1, 3);
    assert_section(b, 2, "CHAPTER XII", MG_SECTION_CHAPTER, 1, -1, 3);
    mg_book_free(b);
}

static void test_multi_line_heading(void **state)
{
    struct mg_book *b;

    (void)state;
    b = text("CHAPTER I.\nThe Title\n\nBody of the first.\n\n"
             "CHAPTER II.\n  DOWN THE\n  RABBIT-HOLE.\n\nBody two.\n\n"
             "CHAPTER III.\nAlice was beginning to get very tired of sitting\n"
             "by her sister on the bank, and of having nothing\n"
             "to do: once or twice she had peeped into the book\n\n"
             "Last.\n");
    assert_int_equal(b->n_sections, 3);
    assert_section(b, 0, "CHAPTER I. The Title", MG_SECTION_CHAPTER, 1, -1, 4);
    assert_section(b, 1, "CHAPTER II. DOWN THE RABBIT-HOLE.",
                   MG_SECTION_CHAPTER, 1, -1, 2);
    /* three long lines after the number are body, not a title */
    assert_section(b, 2, "CHAPTER III.", MG_SECTION_CHAPTER, 1, -1,
                   9 + 10 + 11 + 1);
    mg_book_free(b);
}

/*
 * Issue #17 item 10, a book that mixes styles: stories headed "TALE N.
 * TITLE" with numbered parts "I.", "II." inside each. The parts nest
 * under their story (they used to replace it), the bare numerals are
 * sections of the story's family, and the CONTENTS block gives none.
 * Our own words, in the shape of Gutenberg's story collections.
 */
static void test_stories_with_numbered_parts(void **state)
{
    struct mg_book *b;
    struct mg_thread *t = NULL;
    size_t n = 0;

    (void)state;
    b = text("THE RIVER TALES\n\n"
             "CONTENTS\n\n"
             "TALE I. THE MILLER'S DAUGHTER\n"
             "TALE II. THE FERRYMAN\n\n"
             "TALE I. THE MILLER'S DAUGHTER\n\n"
             "I.\n\n"
             "The mill stood where the river bent, and the miller had one\n"
             "daughter.\n\n"
             "II.\n\n"
             "She kept the ledgers and the geese, and she knew the weir\n"
             "better than he.\n\n"
             "TALE II. THE FERRYMAN\n\n"
             "I.\n\n"
             "Nobody crossed without the ferryman, and he charged a song a\n"
             "head.\n\n"
             "II.\n\n"
             "One winter the river froze and he had nothing to sell.\n\n"
             "III.\n\n"
             "So he sang for the travellers instead, and they paid him in\n"
             "bread.\n");
    assert_int_equal(b->n_sections, 8);
    /* title 3, CONTENTS 1, the two entries 5 + 4 */
    assert_section(b, 0, "Front matter", MG_SECTION_FRONT, 1, -1, 13);
    assert_section(b, 1, "TALE I. THE MILLER'S DAUGHTER", MG_SECTION_CHAPTER, 1,
                   -1, 0);
    assert_section(b, 2, "I.", MG_SECTION_SECTION, 2, 1, 13);
    assert_section(b, 3, "II.", MG_SECTION_SECTION, 2, 1, 15);
    assert_section(b, 4, "TALE II. THE FERRYMAN", MG_SECTION_CHAPTER, 1, -1, 0);
    assert_section(b, 5, "I.", MG_SECTION_SECTION, 2, 4, 12);
    assert_section(b, 6, "II.", MG_SECTION_SECTION, 2, 4, 11);
    assert_section(b, 7, "III.", MG_SECTION_SECTION, 2, 4, 13);
    assert_int_equal(b->sections[4].total_words, 36);
    /* the stories are the threads, not their parts */
    assert_int_equal(mg_book_threads(&t, &n, b), 0);
    assert_int_equal(n, 2);
    assert_string_equal(t[0].title, "TALE I. THE MILLER'S DAUGHTER");
    assert_string_equal(t[1].title, "TALE II. THE FERRYMAN");
    mg_threads_free(t, n);
    mg_book_free(b);

    /* without a story family the numerals are the chapters themselves,
     * siblings of the preface, all through the book */
    b = text("PREFACE\n\nA word first.\n\nI.\n\nOne.\n\nII.\n\nTwo.\n");
    assert_int_equal(b->n_sections, 3);
    assert_section(b, 0, "PREFACE", MG_SECTION_CHAPTER, 1, -1, 3);
    assert_section(b, 1, "I.", MG_SECTION_CHAPTER, 1, -1, 1);
    assert_section(b, 2, "II.", MG_SECTION_CHAPTER, 1, -1, 1);
    mg_book_free(b);
}

/*
 * Issue #17 item 10: keywords other than CHAPTER/PART/BOOK/VOLUME before
 * the number, each family at its level (an ACT holds its SCENEs). Our
 * own words, headed as Gutenberg's Dickens, Shelley, Dante and plays are.
 */
static void test_other_heading_keywords(void **state)
{
    struct mg_book *b;

    (void)state;
    b = text("STAVE ONE.\nTHE FIRST OF THE SPIRITS\n\n"
             "Snow lay on the roofs of the town when the clerk went home.\n\n"
             "STAVE TWO.\n\nThe clock struck one and the curtains moved.\n\n"
             "LETTER IV\n\nDear sister, the ship is fast in the ice again.\n\n"
             "CANTO I\n\nIn the middle of the road I found a gate.\n\n"
             "ACT II\n\n"
             "SCENE 1\n\nA garden. Enter two gardeners.\n\n"
             "SCENE 2\n\nA hall. Enter the steward.\n\n"
             "BOOK THE FIRST\n\n"
             "CHAPTER I\n\nThe first chapter of the first book.\n");
    assert_int_equal(b->n_sections, 9);
    assert_section(b, 0, "STAVE ONE. THE FIRST OF THE SPIRITS",
                   MG_SECTION_CHAPTER, 1, -1, 13);
    assert_section(b, 1, "STAVE TWO.", MG_SECTION_CHAPTER, 1, -1, 8);
    assert_section(b, 2, "LETTER IV", MG_SECTION_CHAPTER, 1, -1, 10);
    assert_section(b, 3, "CANTO I", MG_SECTION_CHAPTER, 1, -1, 10);
    assert_section(b, 4, "ACT II", MG_SECTION_PART, 1, -1, 0);
    assert_section(b, 5, "SCENE 1", MG_SECTION_CHAPTER, 2, 4, 5);
    assert_section(b, 6, "SCENE 2", MG_SECTION_CHAPTER, 2, 4, 5);
    assert_section(b, 7, "BOOK THE FIRST", MG_SECTION_PART, 1, -1, 0);
    assert_section(b, 8, "CHAPTER I", MG_SECTION_CHAPTER, 2, 7, 7);
    mg_book_free(b);

    /* a table of contents in the new families still yields nothing */
    b = text("CONTENTS\n\nSTAVE I. THE GHOST\n\nSTAVE II. THE SPIRIT\n\n"
             "STAVE I. THE GHOST\n\nCold.\n\nSTAVE II. THE SPIRIT\n\nWarm.\n");
    assert_int_equal(b->n_sections, 3);
    assert_section(b, 0, "Front matter", MG_SECTION_FRONT, 1, -1, 1 + 4 + 4);
    assert_section(b, 1, "STAVE I. THE GHOST", MG_SECTION_CHAPTER, 1, -1, 1);
    assert_section(b, 2, "STAVE II. THE SPIRIT", MG_SECTION_CHAPTER, 1, -1, 1);
    mg_book_free(b);
}

/*
 * Issue #17 item 10: numbers as ordinal words before the keyword, Gutenberg's
 * _underscores_ for italics, and a heading broken over short lines. Our own
 * words, in the shapes of Gutenberg's Emerson, Bacon and Bible texts.
 */
static void test_ordinal_italic_and_broken_headings(void **state)
{
    struct mg_book *b;

    (void)state;
    b = text("THE SECOND BOOK OF ESSAYS\n\n"
             "ESSAY I. OF GARDENS\n\nGardens are the purest of pleasures.\n\n"
             "The First Book of Moses\n\nIn the beginning was the river.\n\n"
             "The First Part of the journey was easy, said nobody.\n\n"
             "_PART I._\n\n"
             "_CHAPTER I._\n\nIn italics the heading stood.\n\n"
             "THE\nTHIRD BOOK\nOF\nESSAYS\n\n"
             "The third book has no essays yet, only this line.\n");
    assert_int_equal(b->n_sections, 6);
    assert_section(b, 0, "THE SECOND BOOK OF ESSAYS", MG_SECTION_PART, 1, -1,
                   0);
    assert_section(b, 1, "ESSAY I. OF GARDENS", MG_SECTION_CHAPTER, 2, 0, 6);
    /* a sentence that starts like a heading stays text: 6 + 10 words */
    assert_section(b, 2, "The First Book of Moses", MG_SECTION_PART, 1, -1,
                   6 + 10);
    assert_section(b, 3, "PART I.", MG_SECTION_PART, 1, -1, 0);
    assert_section(b, 4, "CHAPTER I.", MG_SECTION_CHAPTER, 2, 3, 5);
    assert_section(b, 5, "THE THIRD BOOK OF ESSAYS", MG_SECTION_PART, 1, -1,
                   10);
    mg_book_free(b);

    /* short lines in lower case are verse, not a heading */
    b = text("The\nthird book\nof\nessays\n\nA line.\n");
    assert_true(b->no_structure);
    mg_book_free(b);
}

/*
 * Issue #17 item 10, levels from the families a book uses: a BOOK family
 * that starts again at FIRST in each VOLUME sits inside the volumes (as
 * in Gutenberg's Les Miserables), each CHAPTER inside its book. Our own
 * words. A single run of books after one act proves no nesting.
 */
static void test_books_inside_volumes(void **state)
{
    struct mg_book *b;

    (void)state;
    b = text("PREFACE\n\nA word before the story.\n\n"
             "VOLUME I.--THE BISHOP\n\n"
             "BOOK FIRST.--A JUST MAN\n\n"
             "CHAPTER I--THE TOWN\n\nThe bishop walked the streets.\n\n"
             "CHAPTER II--THE HOUSE\n\nThe house had a garden.\n\n"
             "BOOK SECOND.--THE FALL\n\n"
             "CHAPTER I--THE ROAD\n\nA traveller came at dusk.\n\n"
             "VOLUME II.--THE SERVANT\n\n"
             "BOOK FIRST.--THE FIELD\n\n"
             "CHAPTER I--THE BATTLE\n\nRain fell all night.\n");
    assert_int_equal(b->n_sections, 10);
    assert_section(b, 0, "PREFACE", MG_SECTION_CHAPTER, 1, -1, 5);
    assert_section(b, 1, "VOLUME I.--THE BISHOP", MG_SECTION_PART, 1, -1, 0);
    assert_section(b, 2, "BOOK FIRST.--A JUST MAN", MG_SECTION_PART, 2, 1, 0);
    assert_section(b, 3, "CHAPTER I--THE TOWN", MG_SECTION_CHAPTER, 3, 2, 5);
    assert_section(b, 4, "CHAPTER II--THE HOUSE", MG_SECTION_CHAPTER, 3, 2, 5);
    assert_section(b, 5, "BOOK SECOND.--THE FALL", MG_SECTION_PART, 2, 1, 0);
    assert_section(b, 6, "CHAPTER I--THE ROAD", MG_SECTION_CHAPTER, 3, 5, 5);
    assert_section(b, 7, "VOLUME II.--THE SERVANT", MG_SECTION_PART, 1, -1, 0);
    assert_section(b, 8, "BOOK FIRST.--THE FIELD", MG_SECTION_PART, 2, 7, 0);
    assert_section(b, 9, "CHAPTER I--THE BATTLE", MG_SECTION_CHAPTER, 3, 8, 4);
    mg_book_free(b);

    b = text("ACT I\n\nSCENE 1\n\nA heath.\n\nBOOK FIRST\n\nProse.\n");
    assert_int_equal(b->n_sections, 3);
    assert_section(b, 2, "BOOK FIRST", MG_SECTION_PART, 1, -1, 1);
    mg_book_free(b);
}

static void test_table_of_contents_ignored(void **state)
{
    struct mg_book *b;

    (void)state;
    /* a block of entries */
    b = text("CONTENTS\n\n"
             "CHAPTER I. The Beginning\n"
             "CHAPTER II. The End\n\n"
             "CHAPTER I. The Beginning\n\nFirst words here.\n\n"
             "CHAPTER II. The End\n\nLast words.\n");
    assert_int_equal(b->n_sections, 3);
    assert_section(b, 0, "Front matter", MG_SECTION_FRONT, 1, -1, 1 + 8);
    assert_string_equal(b->sections[1].title, "CHAPTER I. The Beginning");
    assert_int_equal(b->sections[1].words, 3);
    assert_string_equal(b->sections[2].title, "CHAPTER II. The End");
    mg_book_free(b);

    /* entries standing alone, then an epigraph before chapter one */
    b = text("Contents\n\n"
             "PREFACE\n\n"
             "CHAPTER I\n\n"
             "CHAPTER II\n\n"
             "CONCLUSION\n\n"
             "\"All is well that ends well.\"\n\n"
             "PREFACE\n\nWhy I wrote it.\n\n"
             "CHAPTER I\n\nOne.\n\n"
             "CHAPTER II\n\nTwo.\n\n"
             "CONCLUSION\n\nDone.\n");
    assert_int_equal(b->n_sections, 5);
    assert_section(b, 0, "Front matter", MG_SECTION_FRONT, 1, -1,
                   1 + 1 + 2 + 2 + 1 + 6);
    assert_section(b, 1, "PREFACE", MG_SECTION_CHAPTER, 1, -1, 4);
    assert_section(b, 2, "CHAPTER I", MG_SECTION_CHAPTER, 1, -1, 1);
    assert_section(b, 3, "CHAPTER II", MG_SECTION_CHAPTER, 1, -1, 1);
    assert_section(b, 4, "CONCLUSION", MG_SECTION_CHAPTER, 1, -1, 1);
    mg_book_free(b);

    /* no CONTENTS line: runs of headings with nothing between them */
    b = text("I\n\nII\n\nIII\n\nI\n\nThe real first.\n\nII\n\nSecond.\n\n"
             "III\n\nThird.\n");
    assert_int_equal(b->n_sections, 4);
    assert_section(b, 0, "Front matter", MG_SECTION_FRONT, 1, -1, 3);
    assert_section(b, 1, "I", MG_SECTION_CHAPTER, 1, -1, 3);
    assert_section(b, 3, "III", MG_SECTION_CHAPTER, 1, -1, 1);
    mg_book_free(b);
}

static void test_sentences_and_words_are_not_headings(void **state)
{
    struct mg_book *b;

    (void)state;
    b = text("Chapter 9 is where the butler confesses.\n\n"
             "civil\n\nmild\n\nMIX\n\nDI\n\nCIVIL\n\nMILD\n\n"
             "Part of the problem\n\nbook 2\n\nVolume control\n\n"
             "Preface to the reader's guide\n\nI AM HERE\n\n"
             "IV THE KING\n\n"
             "the end\n");
    assert_true(b->no_structure);
    assert_int_equal(b->n_sections, 1);
    assert_int_equal(b->sections[0].kind, MG_SECTION_FRONT);
    assert_string_equal(b->sections[0].title, "Whole text");
    /* 7 + 6 single words + 4 + 2 + 2 + 5 + 3 + 3 + 2 */
    assert_int_equal(b->words, 34);
    mg_book_free(b);
}

static void test_invalid_utf8_repaired(void **state)
{
    struct mg_book *b;

    (void)state;
    b = text("CHAPTER I. Caf\xe9\n\nNa\xefve text \xff\xfe here.\n");
    assert_true(b->utf8_repaired);
    assert_string_equal(b->sections[0].title, "CHAPTER I. Caf\xef\xbf\xbd");
    assert_non_null(strstr(b->text, "Na\xef\xbf\xbdve text "
                                    "\xef\xbf\xbd\xef\xbf\xbd here."));
    /* Na?ve, text, ??, here. */
    assert_int_equal(b->words, 4);
    mg_book_free(b);

    b = text("Plain caf\xc3\xa9 is valid.\n");
    assert_false(b->utf8_repaired);
    mg_book_free(b);
}

static void test_no_headings(void **state)
{
    struct mg_book *b;

    (void)state;
    b = text("Just one paragraph of text.\n\nAnd a second one.\n");
    assert_true(b->no_structure);
    assert_int_equal(b->n_sections, 1);
    assert_int_equal(b->words, 9);
    assert_string_equal(b->text,
                        "Just one paragraph of text.\n\nAnd a second one.\n");
    mg_book_free(b);
}

static void test_old_small_print_header(void **state)
{
    struct mg_book *b;

    (void)state;
    b = text("The Project Gutenberg Etext of Something\n"
             "Title: Something\n\n"
             "**Welcome To The World of Free Plain Vanilla Electronic "
             "Texts**\n\n"
             "*END*THE SMALL PRINT! FOR PUBLIC DOMAIN ETEXTS*Ver.04.29.93*"
             "END*\n\n"
             "CHAPTER I\n\nThe book itself.\n\n"
             "End of The Project Gutenberg Etext of Something\n\n"
             "Licence words after it.\n");
    assert_string_equal(b->title, "Something");
    assert_int_equal(b->n_sections, 1);
    assert_section(b, 0, "CHAPTER I", MG_SECTION_CHAPTER, 1, -1, 3);
    assert_int_equal(b->words, 3);
    mg_book_free(b);
}

static void test_empty_text_fails(void **state)
{
    struct mg_book *b = NULL;
    struct mg_error err;

    (void)state;
    memset(&err, 0, sizeof(err));
    assert_int_equal(mg_book_parse_text(&b, "\n\n-- * --\n\n", 11, &err),
                     MG_EINVAL);
    assert_null(b);
    assert_true(err.message[0] != '\0');
    assert_int_equal(mg_book_parse_markdown(&b, "", 0, &err), MG_EINVAL);
    assert_null(b);
}

/* --- Markdown --- */

static void test_markdown_atx_and_setext(void **state)
{
    struct mg_book *b;
    char *t;

    (void)state;
    b = markdown("Intro line.\n\n"
                 "# Part One #\n\n"
                 "## The First ##\n\nAlpha beta gamma.\n\n"
                 "### A scene\nScene text.\n\n"
                 "Second Chapter\n--------------\n\nDelta.\n\n"
                 "Part Two\n========\n\n"
                 "## Last#\n\nEnd.\n\n"
                 "#Not a heading\n");
    assert_int_equal(b->n_sections, 7);
    assert_section(b, 0, "Front matter", MG_SECTION_FRONT, 1, -1, 2);
    assert_section(b, 1, "Part One", MG_SECTION_PART, 1, -1, 0);
    assert_section(b, 2, "The First", MG_SECTION_CHAPTER, 2, 1, 3);
    assert_section(b, 3, "A scene", MG_SECTION_SECTION, 3, 2, 2);
    assert_section(b, 4, "Second Chapter", MG_SECTION_CHAPTER, 2, 1, 1);
    assert_section(b, 5, "Part Two", MG_SECTION_PART, 1, -1, 0);
    /* the closing # needs a space before it to be stripped */
    assert_section(b, 6, "Last#", MG_SECTION_CHAPTER, 2, 5, 4);
    assert_int_equal(b->sections[1].total_words, 6);
    assert_false(b->no_structure);
    t = own_text(b, 4);
    assert_null(strstr(t, "----"));
    assert_non_null(strstr(t, "Delta."));
    free(t);
    mg_book_free(b);
}

static void test_markdown_flat_chapters(void **state)
{
    struct mg_book *b;

    (void)state;
    b = markdown("## One\n\nA b.\n\n## Two\n\nC d e.\n");
    assert_int_equal(b->n_sections, 2);
    assert_section(b, 0, "One", MG_SECTION_CHAPTER, 1, -1, 2);
    assert_section(b, 1, "Two", MG_SECTION_CHAPTER, 1, -1, 3);
    mg_book_free(b);
}

static void test_markdown_code_is_not_headings(void **state)
{
    struct mg_book *b;

    (void)state;
    b = markdown("# Real\n\n"
                 "```c\n# include not a heading\n```\n\n"
                 "~~~\n## nor this\n```\n## still code\n~~~~\n\n"
                 "    # indented code\n\n"
                 "text\n---\n\n"
                 "- a list item\n---\n\n"
                 "***\n");
    assert_int_equal(b->n_sections, 2);
    assert_string_equal(b->sections[0].title, "Real");
    /* "text" underlined is a setext heading; the list item is not */
    assert_section(b, 1, "text", MG_SECTION_CHAPTER, 2, 0, 3);
    /* c, include, not, a, heading, nor, this, still, code, indented, code */
    assert_int_equal(b->sections[0].words, 11);
    mg_book_free(b);
}

static void test_markdown_threads_and_front_matter(void **state)
{
    struct mg_book *b;

    (void)state;
    b = markdown("---\r\ntitle: \"The Book\"\r\nauthor: Ann Writer\r\n"
                 "tags: [x]\r\n---\r\n"
                 "# THREAD:   Opening Talk  \r\n\r\nWords one two.\r\n\r\n"
                 "# Interlude\r\n\r\nNo thread.\r\n\r\n"
                 "# thread:Closing\r\n\r\nThe end.\r\n");
    assert_string_equal(b->title, "The Book");
    assert_string_equal(b->author, "Ann Writer");
    assert_int_equal(b->n_sections, 3);
    assert_string_equal(b->sections[0].title, "Opening Talk");
    assert_true(b->sections[0].is_thread);
    assert_string_equal(b->sections[1].title, "Interlude");
    assert_false(b->sections[1].is_thread);
    assert_string_equal(b->sections[2].title, "Closing");
    assert_true(b->sections[2].is_thread);
    assert_null(strstr(b->text, "tags"));
    assert_null(strchr(b->text, '\r'));
    assert_int_equal(b->words, 3 + 2 + 2);
    mg_book_free(b);
}

static void test_markdown_unclosed_front_matter(void **state)
{
    struct mg_book *b;

    (void)state;
    /* no closing line: the --- is a thematic break, the rest is text */
    b = markdown("---\ntitle: Nope\n\nBody here.\n");
    assert_null(b->title);
    assert_true(b->no_structure);
    assert_int_equal(b->words, 4);
    mg_book_free(b);
}

static void test_markdown_utf8_and_no_headings(void **state)
{
    struct mg_book *b;

    (void)state;
    b = markdown("\xef\xbb\xbfJust text \xc0\xaf here.\n");
    assert_true(b->utf8_repaired);
    assert_true(b->no_structure);
    assert_int_equal(b->n_sections, 1);
    assert_int_equal(b->words, 4);
    assert_int_equal(strncmp(b->text, "Just", 4), 0);
    mg_book_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tom_sawyer_chapters),
        cmocka_unit_test(test_tom_sawyer_licence_stripped),
        cmocka_unit_test(test_crlf_and_bom),
        cmocka_unit_test(test_volumes_restart_chapters),
        cmocka_unit_test(test_parts_and_books_by_word),
        cmocka_unit_test(test_roman_numerals_with_titles),
        cmocka_unit_test(test_letter_spaced),
        cmocka_unit_test(test_multi_line_heading),
        cmocka_unit_test(test_sherlock_holmes_stories),
        cmocka_unit_test(test_stories_with_numbered_parts),
        cmocka_unit_test(test_other_heading_keywords),
        cmocka_unit_test(test_ordinal_italic_and_broken_headings),
        cmocka_unit_test(test_books_inside_volumes),
        cmocka_unit_test(test_table_of_contents_ignored),
        cmocka_unit_test(test_sentences_and_words_are_not_headings),
        cmocka_unit_test(test_invalid_utf8_repaired),
        cmocka_unit_test(test_no_headings),
        cmocka_unit_test(test_old_small_print_header),
        cmocka_unit_test(test_empty_text_fails),
        cmocka_unit_test(test_markdown_atx_and_setext),
        cmocka_unit_test(test_markdown_flat_chapters),
        cmocka_unit_test(test_markdown_code_is_not_headings),
        cmocka_unit_test(test_markdown_threads_and_front_matter),
        cmocka_unit_test(test_markdown_unclosed_front_matter),
        cmocka_unit_test(test_markdown_utf8_and_no_headings),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
