/*
 * test_export.c: issue #19 item 4, the builders of the spreadsheets on
 * a circle made through the store, for what the black-box test cannot
 * easily make: a person moved to another group between two recorded
 * calls (week w is their group's call that week, whichever group), a
 * recorded call cancelled afterwards (no cell, not counted), a person
 * who signed up with consent and offered to facilitate, slots a person
 * can make, and a plenary's answers for a call after the end of daylight
 * saving (its own start in the circle's zone). The workbooks are read
 * back with openpyxl (test_xlsx_cells).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mingle/assign.h"
#include "mingle/attendance.h"
#include "mingle/calendar.h"
#include "mingle/export.h"
#include "mingle/store.h"
#include "support.h"

#define N_PEOPLE 12

struct fixture {
    char *dir, *db;
    struct mg_store *st;
    int64_t circle, slot;
    int64_t ids[N_PEOPLE];
    struct mg_group_row *groups;
    size_t n_groups;
    struct mg_session_row *sessions;
    size_t n_sessions;
};

/* Session of group `g` in week `week`. */
static int64_t session_of(const struct fixture *f, int64_t g, int week)
{
    size_t i;

    for (i = 0; i < f->n_sessions; i++)
        if (f->sessions[i].group_id == g && f->sessions[i].week == week)
            return f->sessions[i].id;
    fail_msg("no session of group %lld week %d", (long long)g, week);
    return 0;
}

/* The group person `pid` is in now. */
static int64_t group_of(const struct fixture *f, int64_t pid)
{
    struct mg_participant *p = NULL;
    int64_t g;

    assert_int_equal(mg_store_participant_get(&p, f->st, f->circle, pid), 0);
    g = p->group_id;
    mg_participants_free(p, 1);
    return g;
}

static int setup(void **state)
{
    struct fixture *f = mg_xcalloc(1, sizeof(*f));
    struct mg_store_options opt = {2, 2000};
    struct mg_error err = {{0}, {0}};
    struct mg_slot slot = {0, 2, 19 * 60 + 30, 60};
    struct mg_participant people[N_PEOPLE];
    struct mg_participant *list = NULL;
    struct mg_people_filter filter;
    struct mg_assign a;
    struct mg_circle c;
    size_t n = 0, i;

    f->dir = test_mkdtemp();
    f->db = mg_xasprintf("%s/t.db", f->dir);
    assert_int_equal(mg_store_open(&f->st, f->db, &opt, &err), 0);
    memset(&c, 0, sizeof(c));
    c.title = mg_xstrdup("Atlas");
    c.slug = mg_xstrdup("atlas");
    c.time_zone = mg_xstrdup("Pacific/Auckland");
    memcpy(c.start_date, "2027-03-22", 11);
    c.weeks = 4;
    c.slots = &slot;
    c.n_slots = 1;
    c.group_min = 5;
    c.group_max = 6;
    c.video_url = mg_xstrdup("https://meet.example.org/atlas");
    assert_int_equal(mg_store_circle_create(f->st, &c), 0);
    f->circle = c.id;
    f->slot = c.slots[0].id;
    c.slots = NULL;
    c.n_slots = 0;
    mg_circle_release(&c);
    memset(people, 0, sizeof(people));
    for (i = 0; i < N_PEOPLE; i++) {
        people[i].name = mg_xasprintf("Person %02zu", i);
        people[i].email = mg_xasprintf("p%02zu@example.org", i);
        people[i].role =
            i % 6 == 0 ? MG_PERSON_FACILITATOR : MG_PERSON_PARTICIPANT;
        people[i].sector = mg_xstrdup("public");
    }
    /* person 2 can make the Tuesday call only */
    people[2].slot_ids = mg_xcalloc(1, sizeof(int64_t));
    people[2].slot_ids[0] = f->slot;
    people[2].n_slots = 1;
    assert_int_equal(
        mg_store_participants_insert(NULL, f->st, f->circle, people, N_PEOPLE),
        0);
    for (i = 0; i < N_PEOPLE; i++)
        mg_participant_release(&people[i]);
    memset(&filter, 0, sizeof(filter));
    assert_int_equal(
        mg_store_participants_list(&list, &n, f->st, f->circle, &filter), 0);
    assert_int_equal(n, N_PEOPLE);
    for (i = 0; i < n; i++)
        f->ids[i] = list[i].id;
    mg_participants_free(list, n);
    assert_int_equal(mg_assign_load(&a, f->st, f->circle), 0);
    assert_int_equal(mg_assign_plan(&a, 1), 0);
    assert_int_equal(mg_assign_commit_plan(&a, f->st), 0);
    mg_assign_release(&a);
    assert_int_equal(mg_calendar_create_sessions(f->st, f->circle), 0);
    assert_int_equal(
        mg_store_groups_list(&f->groups, &f->n_groups, f->st, f->circle), 0);
    assert_int_equal(f->n_groups, 2);
    assert_int_equal(mg_store_circle_group_sessions(
                         &f->sessions, &f->n_sessions, f->st, f->circle),
                     0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    free(f->sessions);
    mg_store_groups_free(f->groups, f->n_groups);
    mg_store_close(f->st);
    free(f->db);
    test_rmdir(f->dir);
    free(f);
    return 0;
}

/* Export `what` as a workbook and read it back: openpyxl's lines. */
static char *export_cells(struct fixture *f, const char *what)
{
    struct mg_sheet **sheets = NULL;
    struct mg_buf b = MG_BUF_INIT;
    size_t n = 0;
    char *path = mg_xasprintf("%s/%s.xlsx", f->dir, what), *cells;
    FILE *out;

    assert_int_equal(mg_export_build(&sheets, &n, f->st, f->circle, what), 0);
    assert_int_equal(mg_export_write(&b, sheets, n, MG_EXPORT_XLSX), 0);
    out = fopen(path, "wb");
    assert_non_null(out);
    assert_int_equal(fwrite(b.data, 1, b.len, out), b.len);
    fclose(out);
    cells = test_xlsx_cells(path);
    mg_export_free(sheets, n);
    mg_buf_release(&b);
    free(path);
    return cells;
}

/* The value of `sheet`'s cell (row, col) as openpyxl wrote it ("1",
 * "'text'"), or NULL when empty; static. */
static const char *cell(const char *cells, const char *sheet, int row, int col)
{
    static char value[256];
    char key[96];
    const char *p = cells, *hit;

    snprintf(key, sizeof(key), "%s|%d|%d|", sheet, row, col);
    for (;;) {
        hit = strstr(p, key);
        if (!hit)
            return NULL;
        if (hit == cells || hit[-1] == '\n')
            break;
        p = hit + 1;
    }
    hit += strlen(key);
    hit = strchr(hit, '|') + 1; /* after the type */
    snprintf(value, sizeof(value), "%.*s", (int)strcspn(hit, "\n"), hit);
    return value;
}

/* The column whose header (row 1) is `name`. */
static int column(const char *cells, const char *sheet, const char *name)
{
    char want[128];
    int c;

    snprintf(want, sizeof(want), "'%s'", name);
    for (c = 1; c < 60; c++) {
        const char *v = cell(cells, sheet, 1, c);

        if (v && strcmp(v, want) == 0)
            return c;
    }
    fail_msg("no column %s in %s", name, sheet);
    return 0;
}

/* Person index `i`'s row (people are by id, as inserted). */
static int row_of(int i)
{
    return i + 2;
}

static void test_moved_and_cancelled(void **state)
{
    struct fixture *f = *state;
    struct mg_error err = {{0}, {0}};
    int64_t mover = f->ids[1], g1 = group_of(f, mover), g2, present[1];
    size_t np, na;
    char *cells;
    int w1, w2, w3, calls, hours, i, other = -1;

    g2 = f->groups[0].id == g1 ? f->groups[1].id : f->groups[0].id;
    /* week 1 in the first group, then moved: week 2 and 3 in the other,
     * and week 3's call is cancelled after it was recorded */
    present[0] = mover;
    assert_int_equal(mg_attendance_record(&np, &na, f->st, f->circle,
                                          session_of(f, g1, 1), present, 1,
                                          "api", &err),
                     0);
    assert_int_equal(
        mg_store_memberships_move(f->st, f->circle, &mover, &g2, 1), 0);
    assert_int_equal(mg_attendance_record(&np, &na, f->st, f->circle,
                                          session_of(f, g2, 2), present, 1,
                                          "api", &err),
                     0);
    assert_int_equal(mg_attendance_record(&np, &na, f->st, f->circle,
                                          session_of(f, g2, 3), present, 1,
                                          "api", &err),
                     0);
    assert_int_equal(mg_store_session_update(f->st, f->circle,
                                             session_of(f, g2, 3), 0,
                                             MG_STORE_SESSION_CANCELLED),
                     0);
    cells = export_cells(f, "attendance");
    w1 = column(cells, "Attendance", "Week 1");
    w2 = column(cells, "Attendance", "Week 2");
    w3 = column(cells, "Attendance", "Week 3");
    calls = column(cells, "Attendance", "Calls attended");
    hours = column(cells, "Attendance", "Hours");
    assert_string_equal(cell(cells, "Attendance", row_of(1), w1), "1");
    assert_string_equal(cell(cells, "Attendance", row_of(1), w2), "1");
    assert_null(cell(cells, "Attendance", row_of(1), w3));
    assert_string_equal(cell(cells, "Attendance", row_of(1), calls), "2");
    assert_string_equal(cell(cells, "Attendance", row_of(1), hours), "2");
    assert_string_equal(cell(cells, "Minutes", row_of(1), w2), "60");
    /* someone who stayed in the first group: absent in week 1, no record
     * in week 2 (that group's call was not recorded) */
    for (i = 0; i < N_PEOPLE; i++)
        if (f->ids[i] != mover && group_of(f, f->ids[i]) == g1) {
            other = i;
            break;
        }
    assert_true(other >= 0);
    assert_string_equal(cell(cells, "Attendance", row_of(other), w1), "0");
    assert_null(cell(cells, "Attendance", row_of(other), w2));
    assert_string_equal(cell(cells, "Attendance", row_of(other), calls), "0");
    free(cells);
}

static void test_roster_consent_and_slots(void **state)
{
    struct fixture *f = *state;
    struct mg_signup_mark m = {1, "2026-11", 1799539200, 0};
    char *cells;

    assert_int_equal(mg_store_signup_mark(f->st, f->circle, f->ids[3], &m), 0);
    cells = export_cells(f, "roster");
    /* 2027-01-10 00:00 UTC is 13:00 in Auckland (summer time) */
    assert_string_equal(cell(cells, "Roster", row_of(3),
                             column(cells, "Roster", "Consented at")),
                        "'2027-01-10 13:00'");
    assert_string_equal(cell(cells, "Roster", row_of(3),
                             column(cells, "Roster", "Consent version")),
                        "'2026-11'");
    assert_string_equal(cell(cells, "Roster", row_of(3),
                             column(cells, "Roster", "Volunteered")),
                        "'yes'");
    assert_null(cell(cells, "Roster", row_of(4),
                     column(cells, "Roster", "Consented at")));
    assert_string_equal(
        cell(cells, "Roster", row_of(2), column(cells, "Roster", "Slots")),
        "'Tue 19:30, 60 min'");
    assert_null(
        cell(cells, "Roster", row_of(4), column(cells, "Roster", "Slots")));
    assert_string_equal(
        cell(cells, "Roster", row_of(0), column(cells, "Roster", "Role")),
        "'facilitator'");
    assert_string_equal(
        cell(cells, "Roster", row_of(0), column(cells, "Roster", "Reminders")),
        "'on'");
    free(cells);
}

static void test_plenary_answers_after_dst(void **state)
{
    struct fixture *f = *state;
    struct mg_plenary_row p;
    struct mg_store_tx *tx = NULL;
    char *cells;
    int starts, week, answer, kind;

    memset(&p, 0, sizeof(p));
    p.circle_id = f->circle;
    p.title = mg_xstrdup("Conversations");
    p.starts_at = 1806388200; /* 2027-03-30 19:30 in Auckland, NZDT */
    p.minutes = 60;
    p.weeks = 2;
    p.capacity = 50;
    snprintf(p.uid, sizeof(p.uid), "%s", "plenary-export@example.org");
    assert_int_equal(mg_store_plenary_create(f->st, &p), 0);
    assert_int_equal(mg_store_begin(&tx, f->st), 0);
    assert_int_equal(mg_store_tx_plenary_rsvp_save(tx, p.id, f->ids[5], 2, 2,
                                                   MG_STORE_RSVP_DECLINED,
                                                   "email", 0),
                     0);
    assert_int_equal(mg_store_commit(tx), 0);
    cells = export_cells(f, "rsvps");
    starts = column(cells, "RSVPs", "Starts");
    week = column(cells, "RSVPs", "Week");
    answer = column(cells, "RSVPs", "Answer");
    kind = column(cells, "RSVPs", "Kind");
    assert_string_equal(cell(cells, "RSVPs", 2, kind), "'plenary'");
    assert_string_equal(cell(cells, "RSVPs", 2, week), "2");
    assert_string_equal(cell(cells, "RSVPs", 2, answer), "'declined'");
    /* the second call keeps its wall time after the clocks go back */
    assert_string_equal(cell(cells, "RSVPs", 2, starts), "'2027-04-06 19:30'");
    assert_null(cell(cells, "RSVPs", 3, 1));
    free(cells);
    /* the matrix has a column per call of it, empty with nobody recorded */
    cells = export_cells(f, "attendance");
    column(cells, "Attendance", "Conversations 2027-03-30");
    column(cells, "Attendance", "Conversations 2027-04-06");
    free(cells);
    mg_store_plenary_release(&p);
}

static void test_unknown(void **state)
{
    struct fixture *f = *state;
    struct mg_sheet **sheets = NULL;
    size_t n = 0;
    char what[64];
    enum mg_export_format fmt;

    assert_int_equal(mg_export_build(&sheets, &n, f->st, 99999, "roster"),
                     MG_ENOTFOUND);
    assert_int_equal(mg_export_build(&sheets, &n, f->st, f->circle, "nope"),
                     MG_EINVAL);
    assert_int_equal(
        mg_export_parse_file(what, sizeof(what), &fmt, "attendance.xlsx"), 0);
    assert_string_equal(what, "attendance");
    assert_int_equal(fmt, MG_EXPORT_XLSX);
    assert_int_equal(mg_export_parse_file(what, sizeof(what), &fmt, "roster"),
                     MG_EINVAL);
    assert_int_equal(
        mg_export_parse_file(what, sizeof(what), &fmt, "roster.pdf"),
        MG_EINVAL);
    assert_int_equal(mg_export_parse_file(what, sizeof(what), &fmt, "x.csv"),
                     MG_ENOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_moved_and_cancelled),
        cmocka_unit_test(test_roster_consent_and_slots),
        cmocka_unit_test(test_plenary_answers_after_dst),
        cmocka_unit_test(test_unknown),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
