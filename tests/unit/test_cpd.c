/*
 * test_cpd.c: CPD journal rows (issue #19, item 3). The shipped Body of
 * Knowledge list and the checks of a circle's settings against it; the
 * pure row builder from hand-made participation: one reading-circle row
 * with the group calls' summed minutes and first-to-last dates in the
 * circle's zone, one webinar row per plenary, facilitators' and members'
 * wording, a note quoted once, on one line and never read for
 * placeholders, and nobody who attended nothing gets a row. Expected
 * figures are worked out here by hand, not by the code under test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mingle/cpd.h"
#include "mingle/participation.h"
#include "mingle/sheet.h"

/* 10:00 on Wednesdays 3, 10 and 17 March 2027 in Auckland (NZDT, +13):
 * the evening before in UTC, so a date in UTC would be a day early. */
#define W1 1804021200LL /* 2027-03-02T21:00Z */
#define W2 1804626000LL
#define W3 1805230800LL
/* a plenary: 19:30 on Wednesday 24 February and 3 March in Auckland */
#define P1 1803450600LL /* 2027-02-24T06:30Z */
#define P2 1804055400LL /* 2027-03-03T06:30Z */
/* another: 14:00 on Saturday 20 March in Auckland */
#define Q1 1805504400LL /* 2027-03-20T01:00Z */

static void add_call(struct mg_participation *p, int plenary, int64_t id,
                     int week, int64_t at, int scheduled, int reported,
                     const char *title)
{
    struct mg_participation_call *c;

    p->calls = realloc(p->calls, (p->n_calls + 1) * sizeof(*p->calls));
    c = &p->calls[p->n_calls++];
    memset(c, 0, sizeof(*c));
    c->plenary = plenary;
    if (plenary)
        c->plenary_id = id;
    else
        c->session_id = id;
    c->week = week;
    c->starts_at = at;
    c->scheduled = scheduled;
    c->reported = reported;
    c->minutes = mg_participation_minutes(reported, scheduled);
    c->title = mg_xstrdup(title);
}

/* A person of Group 2 (the caller's: mg_participation_free(p, 1)). */
static struct mg_participation *person(int64_t id, const char *name,
                                       int facilitator)
{
    struct mg_participation *p = calloc(1, sizeof(*p));

    p->person_id = id;
    p->name = mg_xstrdup(name);
    strcpy(p->status, "active");
    p->facilitator = facilitator;
    p->group_id = 7;
    p->group_name = mg_xstrdup("Group 2");
    p->thread_title = mg_xstrdup("Conversation and knowledge");
    return p;
}

static struct mg_cpd_settings settings = {
    .circle_id = 1,
    .areas = (char *)"bok4,bok11",
    .domains = (char *)"knowing",
};

static struct mg_cpd_context context(void)
{
    struct mg_cpd_context ctx = {
        .settings = &settings,
        .list = mg_cpd_list(),
        .circle_title = "Atlas reading circle",
        .book_title = "The Atlas of New Librarianship",
        .organizer = "Circle Coordinator",
        .time_zone = "Pacific/Auckland",
    };
    return ctx;
}

static void test_shipped_list(void **state)
{
    const struct mg_cpd_list *l = mg_cpd_list();
    const struct mg_cpd_term *t;
    char id[8];
    int i;

    (void)state;
    assert_int_equal(l->n_areas, 11);
    assert_int_equal(l->n_domains, 4);
    for (i = 1; i <= 11; i++) {
        char want[16];

        snprintf(id, sizeof(id), "bok%d", i);
        t = mg_cpd_term_find(l->areas, l->n_areas, id);
        assert_non_null(t);
        snprintf(want, sizeof(want), "BoK %d: ", i);
        assert_memory_equal(t->label, want, strlen(want));
    }
    /* spellings people type */
    t = mg_cpd_term_find(l->areas, l->n_areas, "BoK 4");
    assert_non_null(t);
    assert_string_equal(t->id, "bok4");
    assert_non_null(mg_cpd_term_find(l->areas, l->n_areas, "bok-11"));
    assert_null(mg_cpd_term_find(l->areas, l->n_areas, "bok12"));
    assert_null(mg_cpd_term_find(l->areas, l->n_areas, "bok"));
    t = mg_cpd_term_find(l->domains, l->n_domains, "Leading");
    assert_non_null(t);
    assert_string_equal(t->label, "Leading (professional leadership)");
}

static void test_list_parse(void **state)
{
    static const char good[] = "# a list\n\narea a1 First area\n"
                               "  domain d-1   A domain  \r\n";
    struct mg_cpd_list l;
    struct mg_error err = {{0}, {0}};

    (void)state;
    assert_int_equal(mg_cpd_list_parse(&l, good, strlen(good), &err), 0);
    assert_int_equal(l.n_areas, 1);
    assert_string_equal(l.areas[0].id, "a1");
    assert_string_equal(l.areas[0].label, "First area");
    assert_int_equal(l.n_domains, 1);
    assert_string_equal(l.domains[0].id, "d-1");
    assert_string_equal(l.domains[0].label, "A domain");
    mg_cpd_list_release(&l);
    assert_int_equal(mg_cpd_list_parse(&l, "area a1 x\nkind k y\n", 20, &err),
                     MG_EINVAL);
    assert_non_null(strstr(err.message, "line 2"));
    assert_int_equal(mg_cpd_list_parse(&l, "area a1\n", 8, &err), MG_EINVAL);
    assert_int_equal(mg_cpd_list_parse(&l, "domain d x\n", 11, &err),
                     MG_EINVAL); /* no area at all */
}

static void test_settings_checks(void **state)
{
    const struct mg_cpd_list *l = mg_cpd_list();
    struct mg_error err = {{0}, {0}};
    char *field = mg_xstrdup("bok2");

    (void)state;
    assert_int_equal(mg_cpd_ids_parse(&field, "BoK 11; bok4, bok-1,bok4",
                                      l->areas, l->n_areas, "areas", &err),
                     0);
    assert_string_equal(field, "bok1,bok4,bok11"); /* the list's order */
    assert_int_equal(mg_cpd_ids_parse(&field, "bok4, bok12", l->areas,
                                      l->n_areas, "areas", &err),
                     MG_EINVAL);
    assert_string_equal(err.field, "areas");
    assert_non_null(strstr(err.message, "bok12"));
    assert_string_equal(field, "bok1,bok4,bok11"); /* unchanged */
    assert_int_equal(
        mg_cpd_ids_parse(&field, "", l->areas, l->n_areas, "areas", &err), 0);
    assert_string_equal(field, "");
    free(field);

    assert_int_equal(
        mg_cpd_prompt_check("{discussed}{note}. And {week}?", &err), 0);
    assert_int_equal(mg_cpd_prompt_check("What about {name}?", &err),
                     MG_EINVAL);
    assert_string_equal(err.field, "prompt");
    assert_int_equal(mg_cpd_prompt_check("open { brace", &err), MG_EINVAL);
    assert_int_equal(mg_cpd_text_check("Two\nlines", "title", &err), MG_EINVAL);
    assert_string_equal(err.field, "title");
    assert_int_equal(
        mg_cpd_text_check("Te Rau Herenga o Aotearoa", "provider", &err), 0);
}

static void test_member_rows(void **state)
{
    struct mg_cpd_context ctx = context();
    struct mg_participation *p;
    struct mg_cpd_row *rows = NULL;
    struct mg_cpd_note note = {11, 2, "Metaphors shape what a library is."};
    size_t n = 0;

    (void)state;
    p = person(11, "Aroha Ngata", 0);
    /* the group calls: 60 minutes each; Zoom said 45 for week 1, and 75
     * for week 3 (counted as the call's 60) */
    add_call(p, 0, 101, 1, W1, 60, 45, "Group 2");
    add_call(p, 0, 102, 2, W2, 60, 0, "Group 2");
    add_call(p, 0, 103, 3, W3, 60, 75, "Group 2");
    /* a kick-off held twice (weeks 1 and 2), 90 minutes; 80 reported */
    add_call(p, 1, 5, 1, P1, 90, 80, "Kick-off with the author");
    add_call(p, 1, 5, 2, P2, 90, 0, "Kick-off with the author");
    add_call(p, 1, 6, 1, Q1, 50, 0, "Closing webinar");
    mg_participation_total(p);
    mg_cpd_rows_build(&rows, &n, &ctx, p, &note);
    assert_int_equal(n, 3);

    /* by first date: the kick-off (24 Feb), the circle (3 Mar), the close */
    assert_int_equal(rows[0].type, MG_CPD_WEBINAR);
    assert_string_equal(mg_cpd_type_name(rows[0].type), "webinar");
    assert_string_equal(rows[0].title, "Kick-off with the author");
    assert_string_equal(rows[0].from_date, "2027-02-24");
    assert_string_equal(rows[0].to_date, "2027-03-03");
    assert_int_equal(rows[0].calls, 2);
    assert_int_equal(rows[0].minutes, 80 + 90);
    assert_true(mg_cpd_hours(rows[0].minutes) == 2.8); /* 2.83 */
    assert_string_equal(rows[0].reflection,
                        "You attended the webinar \u201cKick-off with the "
                        "author\u201d. What did you learn, and what will you "
                        "change in your practice?");

    assert_int_equal(rows[1].type, MG_CPD_READING_CIRCLE);
    assert_string_equal(mg_cpd_type_name(rows[1].type), "reading circle");
    assert_string_equal(rows[1].title, "Atlas reading circle: The Atlas of New "
                                       "Librarianship");
    assert_string_equal(rows[1].provider, "Circle Coordinator");
    /* local dates: 10:00 on 3 March to 11:00 on 17 March in Auckland */
    assert_string_equal(rows[1].from_date, "2027-03-03");
    assert_string_equal(rows[1].to_date, "2027-03-17");
    assert_int_equal(rows[1].calls, 3);
    assert_int_equal(rows[1].minutes, 45 + 60 + 60);
    assert_true(mg_cpd_hours(rows[1].minutes) == 2.8); /* 2.75 up */
    assert_string_equal(rows[1].areas,
                        "BoK 4: The information access process; BoK 11: "
                        "Awareness of indigenous knowledge paradigms (in "
                        "Aotearoa, M\u0101ori)");
    assert_string_equal(rows[1].domains, "Knowing (professional knowledge)");
    assert_string_equal(rows[1].reflection,
                        "You discussed \u201cConversation and knowledge\u201d "
                        "in Group 2; in week 2 you wrote: \u201cMetaphors "
                        "shape what a library is.\u201d. What did you learn, "
                        "and what will you change in your practice?");

    assert_string_equal(rows[2].title, "Closing webinar");
    assert_string_equal(rows[2].from_date, "2027-03-20");
    assert_string_equal(rows[2].to_date, "2027-03-20");
    assert_int_equal(rows[2].minutes, 50);
    assert_true(mg_cpd_hours(rows[2].minutes) == 0.8);    /* 0.83 */
    assert_null(strstr(rows[2].reflection, "Metaphors")); /* notes: circle */
    mg_cpd_rows_free(rows, n);
    mg_participation_free(p, 1);
}

static void test_facilitator_and_settings(void **state)
{
    struct mg_cpd_settings s = {
        .circle_id = 1,
        .areas = (char *)"bok4",
        .domains = (char *)"doing,sharing",
        .title = (char *)"Atlas book group",
        .provider = (char *)"Wellington City Libraries",
        .prompt = (char *)"{discussed} (week {week}{note}) - {activity}, "
                          "{book}, {circle}, {thread}, {group}. {unknown}",
    };
    struct mg_cpd_context ctx = context();
    struct mg_participation *p;
    struct mg_cpd_row *rows = NULL;
    size_t n = 0;

    (void)state;
    ctx.settings = &s;
    p = person(12, "Mere Facilitator", 1);
    add_call(p, 0, 101, 1, W1, 60, 0, "Group 2");
    mg_participation_total(p);
    mg_cpd_rows_build(&rows, &n, &ctx, p, NULL);
    assert_int_equal(n, 1);
    assert_string_equal(rows[0].title, "Atlas book group");
    assert_string_equal(rows[0].provider, "Wellington City Libraries");
    assert_string_equal(rows[0].domains, "Doing (professional practice); "
                                         "Sharing (professional "
                                         "communication)");
    assert_int_equal(rows[0].minutes, 60);
    assert_true(mg_cpd_hours(rows[0].minutes) == 1.0);
    /* no note: {week} and {note} are empty; an unknown {x} stays */
    assert_string_equal(rows[0].reflection,
                        "You facilitated Group 2's conversation on "
                        "\u201cConversation and knowledge\u201d (week ) - "
                        "Atlas book group, The Atlas of New Librarianship, "
                        "Atlas reading circle, Conversation and knowledge, "
                        "Group 2. {unknown}");
    mg_cpd_rows_free(rows, n);
    mg_participation_free(p, 1);
}

static void test_note_quoted_safely(void **state)
{
    struct mg_cpd_context ctx = context();
    struct mg_participation *p;
    struct mg_cpd_row *rows = NULL;
    struct mg_buf csv = MG_BUF_INIT;
    struct mg_sheet *sh;
    char long_note[600];
    struct mg_cpd_note note = {13, 3,
                               "\n  \n=HYPERLINK(\"http://x.example\") "
                               "{thread}\tand\x01  more \nsecond line"};
    size_t n = 0;

    (void)state;
    p = person(13, "=cmd|' /C calc'!A0", 0);
    add_call(p, 0, 101, 1, W1, 60, 0, "Group 2");
    mg_participation_total(p);
    mg_cpd_rows_build(&rows, &n, &ctx, p, &note);
    assert_int_equal(n, 1);
    /* one line, white space folded, {thread} in the note left as typed */
    assert_non_null(strstr(rows[0].reflection,
                           "; in week 3 you wrote: \u201c=HYPERLINK(\"http://"
                           "x.example\") {thread} and more\u201d. What"));
    assert_null(strchr(rows[0].reflection, '\n'));
    assert_null(strchr(rows[0].reflection, '\t'));
    assert_null(strstr(rows[0].reflection, "second line"));

    /* the name would run as a formula; the sheet writes it as text */
    sh = mg_cpd_sheet(rows, n, 1);
    mg_sheet_csv(&csv, sh);
    assert_non_null(strstr(csv.data,
                           "\r\n13,\"'=cmd|' /C calc'!A0\",2027-03-03,"
                           "2027-03-03,"));
    assert_non_null(strstr(csv.data, ",reading circle,1,"));
    assert_memory_equal(csv.data,
                        "Person id,Name,From,To,Activity,Provider,Type,"
                        "Hours,BoK areas,Domain,Reflection\r\n",
                        strlen("Person id,Name,From,To,Activity,Provider,"
                               "Type,Hours,BoK areas,Domain,Reflection\r\n"));
    mg_buf_release(&csv);
    mg_sheet_free(sh);
    mg_cpd_rows_free(rows, n);
    rows = NULL;
    n = 0;

    /* a long note is cut, on a character boundary (ā is two bytes) */
    memset(long_note, 0, sizeof(long_note));
    for (size_t i = 0; i + 2 < 500; i += 2)
        memcpy(long_note + i, "\xc4\x81", 2);
    note.text = long_note;
    mg_cpd_rows_build(&rows, &n, &ctx, p, &note);
    {
        const char *q = strstr(rows[0].reflection, "wrote: \u201c");
        const char *end;

        assert_non_null(q);
        q += strlen("wrote: \u201c");
        end = strstr(q, "...\u201d");
        assert_non_null(end);
        assert_int_equal((end - q) % 2, 0); /* whole characters */
        assert_true(end - q >= MG_CPD_EXCERPT_MAX &&
                    end - q <= MG_CPD_EXCERPT_MAX + 2);
    }
    mg_cpd_rows_free(rows, n);
    mg_participation_free(p, 1);
}

static void test_nothing_attended(void **state)
{
    struct mg_cpd_context ctx = context();
    struct mg_participation *p;
    struct mg_cpd_row *rows = NULL;
    struct mg_cpd_note note = {14, 1, "I could not come, sorry."};
    size_t n = 0;

    (void)state;
    p = person(14, "Nobody Came", 0);
    mg_participation_total(p);
    mg_cpd_rows_build(&rows, &n, &ctx, p, &note);
    assert_int_equal(n, 0);
    assert_null(rows);
    mg_participation_free(p, 1);
    assert_true(mg_cpd_hours(0) == 0.0);
    assert_true(mg_cpd_hours(2) == 0.0); /* 0.03 */
    assert_true(mg_cpd_hours(3) == 0.1); /* 0.05 up */
    assert_true(mg_cpd_hours(90) == 1.5);
}

static void test_default_title(void **state)
{
    char *t;

    (void)state;
    t = mg_cpd_default_title("Spring circle", "The Atlas");
    assert_string_equal(t, "Spring circle: The Atlas");
    free(t);
    /* the circle names the book already */
    t = mg_cpd_default_title("The Atlas of New Librarianship: a reading "
                             "circle",
                             "The Atlas of New Librarianship, an outline");
    assert_string_equal(t, "The Atlas of New Librarianship: a reading circle");
    free(t);
    t = mg_cpd_default_title("Reading The Atlas together", "The Atlas");
    assert_string_equal(t, "Reading The Atlas together");
    free(t);
    t = mg_cpd_default_title("Spring circle", NULL);
    assert_string_equal(t, "Spring circle");
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_list),
        cmocka_unit_test(test_list_parse),
        cmocka_unit_test(test_settings_checks),
        cmocka_unit_test(test_member_rows),
        cmocka_unit_test(test_facilitator_and_settings),
        cmocka_unit_test(test_note_quoted_safely),
        cmocka_unit_test(test_nothing_attended),
        cmocka_unit_test(test_default_title),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
