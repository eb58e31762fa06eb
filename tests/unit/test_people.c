/*
 * test_people.c: participant rules and the CSV reader for registration
 * exports: quoting, line numbers in errors, slot and thread resolution,
 * duplicates, and a 100,000-row file with one bad row at the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mingle/people.h"

static struct mg_slot slots[] = {{11, 2, 19 * 60 + 30, 60},
                                 {12, 4, 12 * 60, 45}};
static struct mg_circle circle;
static const int64_t thread_ids[] = {101, 102, 103};
static const char *const thread_titles[] = {"Mission", "Knowledge Creation",
                                            "Communities"};
static struct mg_import_context ctx;

static int setup(void **state)
{
    (void)state;
    memset(&circle, 0, sizeof(circle));
    circle.id = 1;
    circle.slots = slots;
    circle.n_slots = 2;
    ctx.circle = &circle;
    ctx.thread_ids = thread_ids;
    ctx.thread_titles = thread_titles;
    ctx.n_threads = 3;
    return 0;
}

static int parse(struct mg_participant **list, size_t *n, const char *csv,
                 struct mg_error *err)
{
    memset(err, 0, sizeof(*err));
    return mg_people_parse_csv(list, n, csv, strlen(csv), &ctx, err);
}

/* Expect failure with `needle` in the message. */
static void expect_fail(const char *csv, const char *needle)
{
    struct mg_participant *list = NULL;
    struct mg_error err;
    size_t n = 0;

    assert_int_equal(parse(&list, &n, csv, &err), MG_EINVAL);
    assert_null(list);
    if (!strstr(err.message, needle))
        fail_msg("expected '%s' in '%s'", needle, err.message);
}

static void test_good_export(void **state)
{
    static const char csv[] =
        "\xef\xbb\xbfTimestamp,Full Name,Email Address,Library type,Region,"
        "Availability,Thread wishes,Role,Must be with,Not with,Locked\r\n"
        "2026-11-01,\"Aroha, Ngata\",Aroha@Example.org,public,Auckland,"
        "\"Tuesday 19:30; thu 12:00\",\"Mission; 3\",facilitator,"
        "ben@example.org,,yes\r\n"
        "2026-11-02,\"Ben \"\"Benny\"\" Lee\",ben@example.org,academic,"
        "Otago,tue 19:30,knowledge creation,,,aroha@example.org,no\r\n";
    struct mg_participant *list = NULL;
    struct mg_error err;
    size_t n = 0;

    (void)state;
    assert_int_equal(parse(&list, &n, csv, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(list[0].name, "Aroha, Ngata");
    assert_string_equal(list[0].email, "Aroha@Example.org");
    assert_int_equal(list[0].role, MG_PERSON_FACILITATOR);
    assert_string_equal(list[0].sector, "public");
    assert_string_equal(list[0].region, "Auckland");
    assert_int_equal(list[0].n_slots, 2);
    assert_int_equal(list[0].slot_ids[0], 11);
    assert_int_equal(list[0].slot_ids[1], 12);
    assert_int_equal(list[0].n_wishes, 2);
    assert_int_equal(list[0].wishes[0], 101);
    assert_int_equal(list[0].wishes[1], 103);
    assert_int_equal(list[0].n_with, 1);
    assert_string_equal(list[0].with[0], "ben@example.org");
    assert_int_equal(list[0].n_apart, 0);
    assert_true(list[0].locked);

    assert_string_equal(list[1].name, "Ben \"Benny\" Lee");
    assert_int_equal(list[1].role, MG_PERSON_PARTICIPANT);
    assert_int_equal(list[1].n_slots, 1);
    assert_int_equal(list[1].wishes[0], 102);
    assert_int_equal(list[1].n_apart, 1);
    assert_false(list[1].locked);
    assert_int_equal(list[1].status, MG_STATUS_ACTIVE);
    mg_participants_free(list, n);
}

static void test_multiline_field_keeps_line_numbers(void **state)
{
    /* Row 2 spans lines 2-3; the bad email is on line 4. */
    static const char csv[] = "name,email,notes\n"
                              "Ann,ann@example.org,\"two\nlines\"\n"
                              "Bo,not-an-email,\n";

    (void)state;
    expect_fail(csv, "line 4, field 'email'");
}

static void test_bad_quoting(void **state)
{
    (void)state;
    expect_fail("name,email\n\"Ann,ann@example.org\n",
                "line 2: a quoted field is never closed");
    expect_fail("name,email\n\"Ann\"x,ann@example.org\n",
                "line 2: text after a closing quote");
    expect_fail("name,email\nAn\"n,ann@example.org\n",
                "line 2: a quote inside an unquoted field");
}

static void test_wrong_column_count(void **state)
{
    (void)state;
    expect_fail("name,email,region\nAnn,ann@example.org,Otago\n"
                "Bo,bo@example.org\n",
                "line 3: 2 fields, the header has 3");
}

static void test_field_errors(void **state)
{
    (void)state;
    expect_fail("name,email\nAnn,ann@\n", "line 2, field 'email'");
    expect_fail("name,email\n,ann@example.org\n", "line 2, field 'name'");
    expect_fail("name,email,slots\nAnn,ann@example.org,friday 09:00\n",
                "line 2, field 'slots': 'friday 09:00' is not one of");
    expect_fail("name,email,threads\nAnn,ann@example.org,Cooking\n",
                "line 2, field 'threads': 'Cooking'");
    expect_fail("name,email,threads\nAnn,ann@example.org,\"1;2;3;1\"\n",
                "line 2, field 'threads': at most 3");
    expect_fail("name,email,role\nAnn,ann@example.org,boss\n",
                "line 2, field 'role'");
    expect_fail("name,email,time_zone\nAnn,ann@example.org,Mars/Olympus\n",
                "line 2, field 'time_zone'");
    expect_fail("name,email,with,apart\nAnn,ann@example.org,bo@example.org,"
                "BO@example.org\n",
                "line 2, field 'apart'");
    expect_fail("name,email,with\nAnn,ann@example.org,ann@example.org\n",
                "line 2, field 'with'");
    expect_fail("name,email,locked\nAnn,ann@example.org,maybe\n",
                "line 2, field 'locked'");
}

static void test_duplicates_and_shape(void **state)
{
    (void)state;
    expect_fail("name,email\nAnn,ann@example.org\nBo,bo@example.org\n"
                "Ann again,ANN@example.org\n",
                "line 4, field 'email': 'ANN@example.org' is already on "
                "line 2");
    expect_fail("", "empty");
    expect_fail("name,email\n", "no rows");
    expect_fail("name,region\nAnn,Otago\n", "needs 'name' and 'email'");
    {
        static const char nul[] = "name,email\nAnn,ann@example.org\0\n";
        struct mg_participant *list = NULL;
        struct mg_error err;
        size_t n = 0;
        assert_int_equal(
            mg_people_parse_csv(&list, &n, nul, sizeof(nul) - 1, &ctx, &err),
            MG_EINVAL);
        assert_non_null(strstr(err.message, "NUL"));
    }
}

static void test_blank_lines_skipped(void **state)
{
    static const char csv[] = "name,email\n\nAnn,ann@example.org\n\n";
    struct mg_participant *list = NULL;
    struct mg_error err;
    size_t n = 0;

    (void)state;
    assert_int_equal(parse(&list, &n, csv, &err), 0);
    assert_int_equal(n, 1);
    mg_participants_free(list, n);
}

/* A big export with one bad row at the very end: refused, whole. */
static void test_hundred_thousand_rows(void **state)
{
    struct mg_buf b = MG_BUF_INIT;
    struct mg_participant *list = NULL;
    struct mg_error err;
    size_t n = 0;
    int i;

    (void)state;
    mg_buf_puts(&b, "name,email,sector,region\n");
    for (i = 0; i < 100000; i++)
        mg_buf_printf(&b, "Person %d,p%d@example.org,public,Region %d\n", i, i,
                      i % 10);
    assert_int_equal(mg_people_parse_csv(&list, &n, b.data, b.len, &ctx, &err),
                     0);
    assert_int_equal(n, 100000);
    assert_string_equal(list[99999].email, "p99999@example.org");
    mg_participants_free(list, n);
    list = NULL;
    mg_buf_puts(&b, "Last,broken-address,public,Otago\n");
    memset(&err, 0, sizeof(err));
    assert_int_equal(mg_people_parse_csv(&list, &n, b.data, b.len, &ctx, &err),
                     MG_EINVAL);
    assert_null(list);
    /* header is line 1, rows 2..100001, the bad one is 100002 */
    assert_non_null(strstr(err.message, "line 100002, field 'email'"));
    mg_buf_release(&b);
}

static int parse_noted(struct mg_participant **list, size_t *n,
                       struct mg_import_notes *notes, const char *csv)
{
    struct mg_error err;

    memset(&err, 0, sizeof(err));
    memset(notes, 0, sizeof(*notes));
    return mg_people_parse_csv_noted(list, n, notes, csv, strlen(csv), &ctx,
                                     &err);
}

/* Index of the first warning containing `needle`, or -1. */
static int find_warning(const struct mg_import_notes *notes, const char *needle)
{
    size_t i;

    for (i = 0; i < notes->n_warnings; i++)
        if (strstr(notes->warnings[i], needle))
            return (int)i;
    return -1;
}

/*
 * A form export where two facilitators left the availability cell empty
 * (one with only spaces in it) and a participant did too: the
 * facilitators are taken as able to make any slot, and the import says
 * so, by line, after a record that spans two lines.
 */
static void test_warns_facilitator_without_availability(void **state)
{
    static const char csv[] =
        "Timestamp,Full Name,Email Address,Role,Availability,Comments\r\n"
        "2026-11-01,Aroha Ngata,aroha@example.org,facilitator,"
        "tuesday 19:30,\"Happy to lead.\r\nAny week.\"\r\n"
        "2026-11-01,Ben Lee,ben@example.org,Facilitator,,\r\n"
        "2026-11-02,Cara Jones,cara@example.org,participant,,\r\n"
        "2026-11-02,\"Dev \"\"D\"\" Patel\",dev@example.org,facilitator,"
        "   ,\r\n";
    struct mg_participant *list = NULL;
    struct mg_import_notes notes;
    size_t n = 0;
    int i;

    (void)state;
    assert_int_equal(parse_noted(&list, &n, &notes, csv), 0);
    assert_int_equal(n, 4);
    /* header 1, Aroha 2-3, Ben 4, Cara 5, Dev 6 */
    assert_int_equal(notes.lines[0], 2);
    assert_int_equal(notes.lines[1], 4);
    assert_int_equal(notes.lines[3], 6);
    assert_int_equal(notes.n_warnings, 3);
    i = find_warning(&notes, "line 4: Ben Lee (ben@example.org) is a "
                             "facilitator and gave no availability: taken "
                             "as able to make any of the circle's 2 slots");
    assert_int_equal(i, 0);
    i = find_warning(&notes, "line 6: Dev \"D\" Patel (dev@example.org)");
    assert_int_equal(i, 1);
    assert_int_equal(find_warning(&notes, "cara@"), -1);
    /* the participant who left it empty is counted, with the line */
    i = find_warning(&notes, "1 participant gave no availability (on line "
                             "5): taken as able to make any of the circle's "
                             "2 slots");
    assert_int_equal(i, 2);
    assert_int_equal(find_warning(&notes, "aroha@"), -1);
    mg_import_notes_release(&notes);
    assert_null(notes.warnings);
    mg_participants_free(list, n);

    /* The plain reader takes the same file, silently. */
    {
        struct mg_error err;
        assert_int_equal(parse(&list, &n, csv, &err), 0);
        assert_int_equal(n, 4);
        mg_participants_free(list, n);
    }
}

static void test_warnings_whole_file_and_quiet_cases(void **state)
{
    struct mg_participant *list = NULL;
    struct mg_import_notes notes;
    struct mg_buf b = MG_BUF_INIT;
    size_t n = 0;
    int i;

    (void)state;
    /* No availability column at all: one warning for the file. */
    assert_int_equal(parse_noted(&list, &n, &notes,
                                 "name,email,role\n"
                                 "Jo,jo@example.org,facilitator\n"
                                 "Kai,kai@example.org,facilitator\n"),
                     0);
    assert_int_equal(notes.n_warnings, 1);
    assert_non_null(strstr(notes.warnings[0], "no availability column: "
                                              "everyone is taken as able to "
                                              "make any of the circle's 2 "
                                              "slots"));
    mg_import_notes_release(&notes);
    mg_participants_free(list, n);

    /* A withdrawn facilitator, or one who gave their slots: nothing. */
    assert_int_equal(parse_noted(&list, &n, &notes,
                                 "name,email,role,status,slots\n"
                                 "Jo,jo@example.org,facilitator,withdrawn,\n"
                                 "Kai,kai@example.org,facilitator,active,"
                                 "thu 12:00\n"),
                     0);
    assert_int_equal(notes.n_warnings, 0);
    mg_import_notes_release(&notes);
    mg_participants_free(list, n);

    /* A circle with one slot: "any slot" is that slot, nothing to say. */
    circle.n_slots = 1;
    assert_int_equal(parse_noted(&list, &n, &notes,
                                 "name,email,role,slots\n"
                                 "Jo,jo@example.org,facilitator,\n"),
                     0);
    assert_int_equal(notes.n_warnings, 0);
    mg_import_notes_release(&notes);
    mg_participants_free(list, n);
    circle.n_slots = 2;

    /* Participants who left it empty, counted in one warning. */
    assert_int_equal(parse_noted(&list, &n, &notes,
                                 "name,email,slots\n"
                                 "A,a@example.org,\n"
                                 "B,b@example.org,tue 19:30\n"
                                 "C,c@example.org,\n"
                                 "D,d@example.org,\n"),
                     0);
    assert_int_equal(notes.n_warnings, 1);
    assert_string_equal(notes.warnings[0],
                        "3 participants gave no availability (on lines 2, 4 "
                        "and 5): taken as able to make any of the circle's "
                        "2 slots");
    mg_import_notes_release(&notes);
    mg_participants_free(list, n);

    /* 25 facilitators without slots: 20 named, then "and 5 more". */
    mg_buf_puts(&b, "name,email,role,slots\n");
    for (i = 0; i < 25; i++)
        mg_buf_printf(&b, "F%d,f%d@example.org,facilitator,\n", i, i);
    mg_buf_add(&b, "", 1);
    assert_int_equal(parse_noted(&list, &n, &notes, b.data), 0);
    assert_int_equal(notes.n_warnings, MG_IMPORT_MAX_WARNINGS + 1);
    assert_non_null(strstr(notes.warnings[19], "line 21: F19"));
    assert_string_equal(notes.warnings[20],
                        "and 5 more facilitators who gave no availability, "
                        "taken as able to make any slot");
    mg_import_notes_release(&notes);
    mg_participants_free(list, n);
    mg_buf_release(&b);
}

/* Duplicates in a JSON list are named by item, from 0 as JSON counts. */
static void test_duplicates_by_item(void **state)
{
    struct mg_participant p[3];
    struct mg_import_notes notes;
    struct mg_error err;
    char where[32];

    (void)state;
    memset(p, 0, sizeof(p));
    memset(&notes, 0, sizeof(notes));
    p[0].email = (char *)"ada@example.org";
    p[1].email = (char *)"bo@example.org";
    p[2].email = (char *)"Ada@Example.org";
    memset(&err, 0, sizeof(err));
    assert_int_equal(mg_people_check_duplicates(p, 3, NULL, &err), MG_EINVAL);
    assert_string_equal(err.message, "item 2, field 'email': "
                                     "'Ada@Example.org' is already in item 0");
    assert_string_equal(err.field, "email");
    p[2].email = (char *)"cy@example.org";
    assert_int_equal(mg_people_check_duplicates(p, 3, &notes, &err), 0);
    mg_import_where(where, sizeof(where), &notes, 2);
    assert_string_equal(where, "item 2");
    notes.single = 1;
    mg_import_where(where, sizeof(where), &notes, 0);
    assert_string_equal(where, "");
}

/*
 * A form exported again after more people registered: the first rows are
 * already in the circle. Every one of them is named, by line, in one
 * message, not only the first.
 */
static void test_already_registered_every_line(void **state)
{
    static const char csv[] = "Name,Email\n"
                              "Ann,ann@example.org\n"
                              "Bo,BO@example.org\n"
                              "New One,new1@example.org\n"
                              "Cy,cy@example.org\n"
                              "New Two,new2@example.org\n";
    struct mg_participant known[3];
    struct mg_participant *list = NULL;
    struct mg_import_notes notes;
    size_t n = 0, *hits = NULL, n_hits;
    char msg[512];

    (void)state;
    memset(known, 0, sizeof(known));
    known[0].email = (char *)"cy@example.org";
    known[1].email = (char *)"Ann@Example.org";
    known[2].email = (char *)"bo@example.org";
    assert_int_equal(parse_noted(&list, &n, &notes, csv), 0);
    n_hits = mg_people_already_registered(&hits, list, n, known, 3);
    assert_int_equal(n_hits, 3);
    assert_int_equal(hits[0], 0);
    assert_int_equal(hits[1], 1);
    assert_int_equal(hits[2], 3);
    mg_import_registered_message(msg, sizeof(msg), list, &notes, hits, n_hits,
                                 "circle 3");
    assert_string_equal(msg, "line 2, field 'email': 'ann@example.org' is "
                             "already registered in circle 3; so are the "
                             "addresses on lines 3 and 5");
    mg_import_registered_message(msg, sizeof(msg), list, &notes, hits + 1, 2,
                                 "this circle");
    assert_string_equal(msg, "line 3, field 'email': 'BO@example.org' is "
                             "already registered in this circle; so is the "
                             "address on line 5");
    /* As a JSON list: items, from 0. */
    free(notes.lines);
    notes.lines = NULL;
    mg_import_registered_message(msg, sizeof(msg), list, &notes, hits, n_hits,
                                 "this circle");
    assert_string_equal(msg, "item 0, field 'email': 'ann@example.org' is "
                             "already registered in this circle; so are the "
                             "addresses in items 1 and 3");
    free(hits);
    /* Nobody registered yet: no hits. */
    assert_int_equal(mg_people_already_registered(&hits, list, n, known, 0), 0);
    assert_null(hits);
    mg_import_notes_release(&notes);
    mg_participants_free(list, n);
}

/* Thirty rows already there: ten lines named, then how many more. */
static void test_already_registered_many(void **state)
{
    struct mg_participant *list = NULL, *known;
    struct mg_import_notes notes;
    struct mg_buf b = MG_BUF_INIT;
    size_t n = 0, *hits = NULL, n_hits;
    char msg[512];
    int i;

    (void)state;
    known = mg_xcalloc(30, sizeof(*known));
    mg_buf_puts(&b, "name,email\n");
    for (i = 0; i < 40; i++) {
        mg_buf_printf(&b, "P%d,p%d@example.org\n", i, i);
        if (i < 30)
            known[i].email = mg_xasprintf("p%d@example.org", i);
    }
    mg_buf_add(&b, "", 1);
    assert_int_equal(parse_noted(&list, &n, &notes, b.data), 0);
    n_hits = mg_people_already_registered(&hits, list, n, known, 30);
    assert_int_equal(n_hits, 30);
    mg_import_registered_message(msg, sizeof(msg), list, &notes, hits, n_hits,
                                 "this circle");
    assert_string_equal(msg, "line 2, field 'email': 'p0@example.org' is "
                             "already registered in this circle; so are the "
                             "addresses on lines 3, 4, 5, 6, 7, 8, 9, 10, 11, "
                             "12 and 19 more");
    free(hits);
    mg_participants_free(known, 30);
    mg_import_notes_release(&notes);
    mg_participants_free(list, n);
    mg_buf_release(&b);
}

static void test_resolvers(void **state)
{
    int64_t id = 0;

    (void)state;
    assert_int_equal(mg_people_resolve_slot(&id, &circle, "Tuesday 19:30"), 0);
    assert_int_equal(id, 11);
    assert_int_equal(mg_people_resolve_slot(&id, &circle, "thu 12:00"), 0);
    assert_int_equal(id, 12);
    assert_int_equal(mg_people_resolve_slot(&id, &circle, "12"), 0);
    assert_int_equal(id, 12);
    assert_int_equal(mg_people_resolve_slot(&id, &circle, "13"), MG_EINVAL);
    assert_int_equal(mg_people_resolve_slot(&id, &circle, "tuesday 19:31"),
                     MG_EINVAL);
    assert_int_equal(mg_people_resolve_slot(&id, &circle, "tuesday"),
                     MG_EINVAL);
    assert_int_equal(mg_people_resolve_thread(&id, &ctx, "COMMUNITIES"), 0);
    assert_int_equal(id, 103);
    assert_int_equal(mg_people_resolve_thread(&id, &ctx, "2"), 0);
    assert_int_equal(id, 102);
    assert_int_equal(mg_people_resolve_thread(&id, &ctx, "4"), MG_EINVAL);
    assert_int_equal(mg_people_resolve_thread(&id, &ctx, "0"), MG_EINVAL);
}

static void test_normalize_and_names(void **state)
{
    char *e = mg_email_normalize("Ann.Lee@Example.ORG");
    enum mg_person_role role;
    enum mg_person_status status;

    (void)state;
    assert_string_equal(e, "ann.lee@example.org");
    free(e);
    assert_int_equal(mg_person_role_parse(&role, "Facilitator"), 0);
    assert_int_equal(role, MG_PERSON_FACILITATOR);
    assert_string_equal(mg_person_role_name(MG_PERSON_COORDINATOR),
                        "coordinator");
    assert_int_equal(mg_person_status_parse(&status, "waitlisted"), 0);
    assert_int_equal(status, MG_STATUS_WAITLISTED);
    assert_int_equal(mg_person_status_parse(&status, "gone"), MG_EINVAL);
}

/* Issue #18, items 1-3: the sign-up rules. A notice's version changes
 * with its text; the default notice says what the Privacy Act asks;
 * choices are matched whole; a capacity turns confirmations into a
 * waitlist; a closing date closes the page; the CSV import cannot make
 * anyone pending. */
static void test_signup_rules(void **state)
{
    struct mg_signup_settings s;
    struct mg_error err = {{0}, {0}};
    char v1[MG_SIGNUP_VERSION_LEN + 1], v2[MG_SIGNUP_VERSION_LEN + 1];
    enum mg_person_status status;

    (void)state;
    memset(&s, 0, sizeof(s));
    assert_string_equal(mg_signup_notice(&s), mg_signup_default_notice());
    assert_non_null(strstr(mg_signup_default_notice(), "overseas"));
    assert_non_null(strstr(mg_signup_default_notice(), "correct"));
    assert_non_null(strstr(mg_signup_default_notice(), "voluntary"));
    mg_signup_notice_version(v1, mg_signup_notice(&s));
    assert_int_equal(strlen(v1), MG_SIGNUP_VERSION_LEN);
    s.notice = mg_xstrdup("We keep your name.");
    mg_signup_notice_version(v2, mg_signup_notice(&s));
    assert_string_not_equal(v1, v2);

    assert_false(mg_signup_is_open(&s, 1000));
    s.open = 1;
    assert_true(mg_signup_is_open(&s, 1000));
    s.closes_at = 1000;
    assert_false(mg_signup_is_open(&s, 1000));
    assert_true(mg_signup_is_open(&s, 999));

    s.sectors = mg_xstrdup("public\nacademic");
    assert_true(mg_signup_choice_listed(s.sectors, "academic"));
    assert_false(mg_signup_choice_listed(s.sectors, "acad"));
    assert_false(mg_signup_choice_listed(s.sectors, "public\nacademic"));
    assert_false(mg_signup_choice_listed(NULL, "public"));
    assert_string_equal(mg_signup_sectors(&s), "public\nacademic");

    assert_int_equal(mg_signup_confirmed_status(5, 0, 0), MG_STATUS_ACTIVE);
    assert_int_equal(mg_signup_confirmed_status(4, 0, 5), MG_STATUS_ACTIVE);
    assert_int_equal(mg_signup_confirmed_status(5, 0, 5), MG_STATUS_WAITLISTED);
    /* a free place, but someone waits: they come first */
    assert_int_equal(mg_signup_confirmed_status(4, 1, 5), MG_STATUS_WAITLISTED);
    assert_int_equal(mg_signup_place_opens(4, 5), 1);
    assert_int_equal(mg_signup_place_opens(5, 5), 0);
    assert_int_equal(mg_signup_place_opens(9, 0), 0); /* no capacity */

    assert_int_equal(mg_signup_settings_validate(&s, &err), 0);
    s.capacity = -1;
    assert_int_equal(mg_signup_settings_validate(&s, &err), MG_EINVAL);
    assert_string_equal(err.field, "capacity");
    s.capacity = 0;
    free(s.regions);
    s.regions = mg_xstrdup("Auckland\n\nOtago");
    assert_int_equal(mg_signup_settings_validate(&s, &err), MG_EINVAL);
    assert_string_equal(err.field, "regions");
    mg_signup_settings_release(&s);
    assert_null(s.notice);
    assert_string_equal(mg_signup_sectors(&s),
                        "public\nacademic\nschool\nspecial");

    assert_int_equal(mg_person_status_parse(&status, "pending"), 0);
    assert_int_equal(status, MG_STATUS_PENDING);
    assert_string_equal(mg_person_status_name(MG_STATUS_PENDING), "pending");
}

static void test_csv_cannot_make_pending(void **state)
{
    static const char csv[] = "name,email,status\nAda,ada@example.org,"
                              "pending\n";
    struct mg_participant *list = NULL;
    struct mg_error err = {{0}, {0}};
    size_t n = 0;

    (void)state;
    assert_int_equal(
        mg_people_parse_csv(&list, &n, csv, sizeof(csv) - 1, NULL, &err),
        MG_EINVAL);
    assert_string_equal(err.field, "status");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_export),
        cmocka_unit_test(test_multiline_field_keeps_line_numbers),
        cmocka_unit_test(test_bad_quoting),
        cmocka_unit_test(test_wrong_column_count),
        cmocka_unit_test(test_field_errors),
        cmocka_unit_test(test_duplicates_and_shape),
        cmocka_unit_test(test_blank_lines_skipped),
        cmocka_unit_test(test_hundred_thousand_rows),
        cmocka_unit_test(test_warns_facilitator_without_availability),
        cmocka_unit_test(test_warnings_whole_file_and_quiet_cases),
        cmocka_unit_test(test_duplicates_by_item),
        cmocka_unit_test(test_already_registered_every_line),
        cmocka_unit_test(test_already_registered_many),
        cmocka_unit_test(test_resolvers),
        cmocka_unit_test(test_normalize_and_names),
        cmocka_unit_test(test_signup_rules),
        cmocka_unit_test(test_csv_cannot_make_pending),
    };

    return cmocka_run_group_tests(tests, setup, NULL);
}
