/*
 * test_sheet.c: the spreadsheet writer (issue #19, item 4). CSV is
 * checked byte for byte against RFC 4180 written out by hand; XLSX is
 * read back with openpyxl (test_xlsx_cells(): python3-openpyxl, a reader
 * independent of libxlsxwriter) and each cell's value and type compared with
 * what was put in. Formula injection: every dangerous start is neutralised in
 * both formats, and no cell of the workbook is a formula.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "mingle/sheet.h"
#include "support.h"

static void test_csv_quoting(void **state)
{
    struct mg_sheet *s = mg_sheet_new("Roster");
    struct mg_buf b = MG_BUF_INIT;
    static const char *const header[] = {"name", "note", "count"};

    (void)state;
    mg_sheet_row(s, header, 3);
    mg_sheet_text(s, "Aroha Te Whāiti");
    mg_sheet_text(s, "said \"hi\", then left\nearly");
    mg_sheet_int(s, 3);
    mg_sheet_end_row(s);
    mg_sheet_text(s, NULL);
    mg_sheet_text(s, "");
    mg_sheet_number(s, 1.5);
    mg_sheet_end_row(s);
    mg_sheet_text(s, "x");
    mg_sheet_number(s, -2.0);
    mg_sheet_number(s, 0.25);
    mg_sheet_end_row(s);
    mg_sheet_csv(&b, s);
    assert_string_equal(b.data, "name,note,count\r\n"
                                "Aroha Te Whāiti,\"said \"\"hi\"\", then "
                                "left\nearly\",3\r\n"
                                ",,1.5\r\n"
                                "x,-2,0.25\r\n");
    assert_int_equal(mg_sheet_rows(s), 4);
    mg_buf_release(&b);
    mg_sheet_free(s);
}

/* Each of these would run as a formula (or make one) in some
 * spreadsheet; each must come out with a ' in front. */
static const char *const dangerous[] = {
    "=HYPERLINK(\"http://x.example\",\"click\")",
    "+64 21 555 0100",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "  =cmd|' /C calc'!A0",
    "\xEF\xBC\x9D"
    "1+1", /* full-width = */
    "\xEF\xBC\xA0"
    "SUM(1)", /* full-width @ */
};
static const char *const harmless[] = {"Kia ora", "1+1=2",   "a=b",
                                       "Q&A",     "'quoted", "(=)"};

static void test_formula_neutralised_csv(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(dangerous) / sizeof(dangerous[0]); i++) {
        struct mg_sheet *s = mg_sheet_new("x");
        struct mg_buf b = MG_BUF_INIT;

        mg_sheet_text(s, dangerous[i]);
        mg_sheet_end_row(s);
        mg_sheet_csv(&b, s);
        /* always quoted, with ' after the opening quote */
        assert_true(strncmp(b.data, "\"'", 2) == 0);
        assert_true(mg_sheet_needs_quote(dangerous[i]));
        mg_buf_release(&b);
        mg_sheet_free(s);
    }
    for (i = 0; i < sizeof(harmless) / sizeof(harmless[0]); i++) {
        assert_false(mg_sheet_needs_quote(harmless[i]));
    }
}

static char *write_tmp(const struct mg_buf *b)
{
    char *dir = test_mkdtemp();
    char *path = malloc(strlen(dir) + 16);
    FILE *f;

    sprintf(path, "%s/t.xlsx", dir);
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b->data, 1, b->len, f), b->len);
    fclose(f);
    free(dir);
    return path;
}

static void test_xlsx_read_back(void **state)
{
    struct mg_sheet *sheets[3];
    struct mg_buf b = MG_BUF_INIT;
    static const char *const header[] = {"name", "calls", "hours"};
    char *path, *cells;

    (void)state;
    sheets[0] = mg_sheet_new("Attendance: week/1 [draft]");
    mg_sheet_row(sheets[0], header, 3);
    mg_sheet_text(sheets[0], "Mere Pōtae");
    mg_sheet_int(sheets[0], 2);
    mg_sheet_number(sheets[0], 1.5);
    mg_sheet_end_row(sheets[0]);
    mg_sheet_text(sheets[0], "=2+2");
    mg_sheet_int(sheets[0], 0);
    mg_sheet_text(sheets[0], NULL);
    mg_sheet_end_row(sheets[0]);
    sheets[1] = mg_sheet_new("Groups");
    mg_sheet_text(sheets[1], "only");
    mg_sheet_end_row(sheets[1]);
    sheets[2] = mg_sheet_new("Groups"); /* the same name twice */
    mg_sheet_text(sheets[2], "second");
    mg_sheet_end_row(sheets[2]);
    assert_int_equal(mg_sheet_xlsx(&b, sheets, 3), 0);
    assert_true(b.len > 100);
    assert_memory_equal(b.data, "PK", 2);
    path = write_tmp(&b);
    cells = test_xlsx_cells(path);
    /* the name lost : / [ ] (not allowed in a sheet's name) */
    assert_string_equal(cells, "Attendance week1 draft|1|1|s|'name'\n"
                               "Attendance week1 draft|1|2|s|'calls'\n"
                               "Attendance week1 draft|1|3|s|'hours'\n"
                               "Attendance week1 draft|2|1|s|'Mere Pōtae'\n"
                               "Attendance week1 draft|2|2|n|2\n"
                               "Attendance week1 draft|2|3|n|1.5\n"
                               "Attendance week1 draft|3|1|s|\"'=2+2\"\n"
                               "Attendance week1 draft|3|2|n|0\n"
                               "Groups|1|1|s|'only'\n"
                               "Groups (3)|1|1|s|'second'\n");
    free(cells);
    unlink(path);
    free(path);
    mg_buf_release(&b);
    mg_sheet_free(sheets[0]);
    mg_sheet_free(sheets[1]);
    mg_sheet_free(sheets[2]);
}

static void test_xlsx_no_formula(void **state)
{
    struct mg_sheet *s = mg_sheet_new("x");
    struct mg_buf b = MG_BUF_INIT;
    char *path, *cells, *line;
    size_t i, lines = 0;

    (void)state;
    for (i = 0; i < sizeof(dangerous) / sizeof(dangerous[0]); i++) {
        mg_sheet_text(s, dangerous[i]);
        mg_sheet_end_row(s);
    }
    assert_int_equal(mg_sheet_xlsx(&b, &s, 1), 0);
    path = write_tmp(&b);
    cells = test_xlsx_cells(path);
    for (line = cells; *line; line = strchr(line, '\n') + 1) {
        /* "x|row|1|s|..." : a string, never "f" */
        assert_non_null(strstr(line, "|1|s|"));
        assert_non_null(strstr(line, "|s|\"'") ? line
                                               : strstr(line, "|s|'\\'"));
        lines++;
    }
    assert_int_equal(lines, sizeof(dangerous) / sizeof(dangerous[0]));
    free(cells);
    unlink(path);
    free(path);
    mg_buf_release(&b);
    mg_sheet_free(s);
}

static void test_long_cell_cut(void **state)
{
    struct mg_sheet *s = mg_sheet_new("x");
    struct mg_buf b = MG_BUF_INIT;
    size_t n = 40000, i;
    char *big = malloc(n * 2 + 1), *path, *cells;

    (void)state;
    /* 40,000 "ā" (two bytes each): more than a cell holds */
    for (i = 0; i < n; i++)
        memcpy(big + 2 * i, "\xC4\x81", 2);
    big[2 * n] = '\0';
    mg_sheet_text(s, big);
    mg_sheet_end_row(s);
    assert_int_equal(mg_sheet_xlsx(&b, &s, 1), 0);
    path = write_tmp(&b);
    cells = test_xlsx_cells(path);
    /* 32,766 characters survive, cut between characters */
    assert_int_equal(strlen(cells), strlen("x|1|1|s|''\n") + 2 * 32766);
    free(cells);
    unlink(path);
    free(path);
    free(big);
    mg_buf_release(&b);
    mg_sheet_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_quoting),
        cmocka_unit_test(test_formula_neutralised_csv),
        cmocka_unit_test(test_xlsx_read_back),
        cmocka_unit_test(test_xlsx_no_formula),
        cmocka_unit_test(test_long_cell_cut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
