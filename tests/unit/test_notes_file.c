/*
 * test_notes_file.c: routing and filing received mail. Addresses and
 * subject tags are parsed on their own; then a real store with the
 * Atlas circle (two groups, four weekly calls from 2027-03-23 19:30
 * Pacific/Auckland) files messages by plus-address, by a group's own
 * address, by subject tag and by the sender's membership and date, and
 * keeps what it cannot place, or what outsiders send, for review.
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
#include "mingle/calendar.h"
#include "mingle/circle.h"
#include "mingle/notes.h"
#include "mingle/store.h"
#include "support.h"

/* Tuesdays 19:30 Auckland from 2027-03-23 (see test_schedule.c). */
static const int64_t week_start[4] = {1805783400, 1806388200, 1806996600,
                                      1807601400};

static void test_parse_address(void **state)
{
    struct mg_note_target t;

    (void)state;
    assert_int_equal(mg_notes_parse_address(&t, "atlas+g2@x.org"), 0);
    assert_string_equal(t.circle, "atlas");
    assert_int_equal(t.group, 2);
    assert_int_equal(t.week, 0);
    assert_int_equal(t.summary, 0);
    assert_int_equal(mg_notes_parse_address(&t, "Atlas+G2-W3@x.org"), 0);
    assert_string_equal(t.circle, "atlas");
    assert_int_equal(t.group, 2);
    assert_int_equal(t.week, 3);
    assert_int_equal(mg_notes_parse_address(&t, "atlas+g12-w3-summary@x.org"),
                     0);
    assert_int_equal(t.group, 12);
    assert_int_equal(t.summary, 1);
    /* a group's own address, the circle's key holding dashes itself */
    assert_int_equal(mg_notes_parse_address(&t, "new-lib-g2@x.org"), 0);
    assert_string_equal(t.circle, "new-lib");
    assert_int_equal(t.group, 2);
    assert_int_equal(mg_notes_parse_address(&t, "c7-g1-w4@x.org"), 0);
    assert_string_equal(t.circle, "c7");
    assert_int_equal(t.week, 4);
    /* names no group */
    assert_int_equal(mg_notes_parse_address(&t, "atlas@x.org"), MG_ENOTFOUND);
    assert_int_equal(mg_notes_parse_address(&t, "atlas+w3@x.org"),
                     MG_ENOTFOUND);
    assert_int_equal(mg_notes_parse_address(&t, "atlas+hello@x.org"),
                     MG_ENOTFOUND);
    assert_int_equal(mg_notes_parse_address(&t, "atlas+g@x.org"), MG_ENOTFOUND);
    assert_int_equal(mg_notes_parse_address(&t, "no-at-sign"), MG_ENOTFOUND);
    assert_int_equal(mg_notes_parse_address(&t, NULL), MG_ENOTFOUND);
    assert_int_equal(mg_notes_parse_address(&t, "+g2@x.org"), MG_ENOTFOUND);
    assert_int_equal(mg_notes_parse_address(&t, "atlas+g9999999@x.org"),
                     MG_ENOTFOUND);
}

static void test_parse_subject(void **state)
{
    struct mg_note_target t;

    (void)state;
    assert_int_equal(mg_notes_parse_subject(&t, "[Atlas G2 W3] our call"), 0);
    assert_string_equal(t.circle, "atlas");
    assert_int_equal(t.group, 2);
    assert_int_equal(t.week, 3);
    assert_int_equal(
        mg_notes_parse_subject(&t, "Re: Fwd: [atlas g1 w2 summary] notes"), 0);
    assert_int_equal(t.group, 1);
    assert_int_equal(t.summary, 1);
    /* the first bracket that is no tag is skipped */
    assert_int_equal(mg_notes_parse_subject(&t, "[EXTERNAL] [Atlas G2] hi"), 0);
    assert_int_equal(t.group, 2);
    assert_int_equal(mg_notes_parse_subject(&t, "[Atlas] hello"), MG_ENOTFOUND);
    assert_int_equal(mg_notes_parse_subject(&t, "[Atlas G2 hello]"),
                     MG_ENOTFOUND);
    assert_int_equal(mg_notes_parse_subject(&t, "no tag [ at all"),
                     MG_ENOTFOUND);
    assert_int_equal(mg_notes_parse_subject(&t, NULL), MG_ENOTFOUND);
}

struct fixture {
    char *dir;
    struct mg_store *st;
    int64_t circle_id;
    int64_t group_id[2];
    char *facilitator[2]; /* addresses, by group */
    char *member[2];
};

static const char *const sectors[] = {"public", "academic", "school",
                                      "special"};

static int setup(void **state)
{
    struct fixture *f = mg_xcalloc(1, sizeof(*f));
    struct mg_store_options opt = {2, 2000};
    struct mg_error err = {{0}, {0}};
    struct mg_slot slot = {0, 2, 19 * 60 + 30, 60};
    struct mg_participant people[8], *list = NULL;
    struct mg_people_filter pf;
    struct mg_group_row *groups = NULL;
    struct mg_assign a;
    struct mg_circle c;
    char *db;
    size_t i, n = 0, n_groups = 0;

    f->dir = test_mkdtemp();
    db = mg_xasprintf("%s/t.db", f->dir);
    assert_int_equal(mg_store_open(&f->st, db, &opt, &err), 0);
    free(db);
    memset(&c, 0, sizeof(c));
    c.slug = mg_xstrdup("atlas");
    c.title = mg_xstrdup("Atlas of New Librarianship");
    c.time_zone = mg_xstrdup("Pacific/Auckland");
    memcpy(c.start_date, "2027-03-22", 11);
    c.weeks = 4;
    c.slots = &slot;
    c.n_slots = 1;
    c.group_min = 3;
    c.group_max = 4;
    c.organizer_name = mg_xstrdup("Coordinator");
    c.organizer_email = mg_xstrdup("coord@libraries.example.nz");
    assert_int_equal(mg_store_circle_create(f->st, &c), 0);
    f->circle_id = c.id;
    memset(people, 0, sizeof(people));
    for (i = 0; i < 8; i++) {
        people[i].name = mg_xasprintf("Person %zu", i);
        people[i].email = mg_xasprintf("p%zu@example.org", i);
        people[i].role = i < 2 ? MG_PERSON_FACILITATOR : MG_PERSON_PARTICIPANT;
        people[i].sector = mg_xstrdup(sectors[i % 4]);
        people[i].region = mg_xstrdup("Wellington");
    }
    assert_int_equal(mg_store_participants_insert(NULL, f->st, c.id, people, 8),
                     0);
    for (i = 0; i < 8; i++) {
        free(people[i].name);
        free(people[i].email);
        free(people[i].sector);
        free(people[i].region);
    }
    assert_int_equal(mg_assign_load(&a, f->st, c.id), 0);
    assert_int_equal(mg_assign_plan(&a, 1), 0);
    assert_int_equal(mg_assign_commit_plan(&a, f->st), 0);
    mg_assign_release(&a);
    assert_int_equal(mg_calendar_create_sessions(f->st, c.id), 0);
    assert_int_equal(mg_store_groups_list(&groups, &n_groups, f->st, c.id), 0);
    assert_int_equal(n_groups, 2);
    f->group_id[0] = groups[0].id;
    f->group_id[1] = groups[1].id;
    memset(&pf, 0, sizeof(pf));
    assert_int_equal(mg_store_participants_list(&list, &n, f->st, c.id, &pf),
                     0);
    for (i = 0; i < n; i++) {
        int g = list[i].group_id == f->group_id[0] ? 0 : 1;

        assert_true(list[i].group_id == f->group_id[g]);
        if (list[i].role == MG_PERSON_FACILITATOR && !f->facilitator[g])
            f->facilitator[g] = mg_xstrdup(list[i].email);
        else if (list[i].role != MG_PERSON_FACILITATOR && !f->member[g])
            f->member[g] = mg_xstrdup(list[i].email);
    }
    assert_non_null(f->facilitator[0]);
    assert_non_null(f->facilitator[1]);
    assert_non_null(f->member[0]);
    assert_non_null(f->member[1]);
    mg_participants_free(list, n);
    mg_store_groups_free(groups, n_groups);
    c.slots = NULL;
    c.n_slots = 0;
    mg_circle_release(&c);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    int i;

    mg_store_close(f->st);
    test_rmdir(f->dir);
    for (i = 0; i < 2; i++) {
        free(f->facilitator[i]);
        free(f->member[i]);
    }
    free(f);
    return 0;
}

/* A message as a parser would hand it over. */
struct msg {
    struct mg_inbound m;
    char *to[1];
};

static void msg_init(struct msg *x, const char *from, const char *to,
                     const char *subject, const char *text, int64_t date,
                     const char *message_id)
{
    memset(x, 0, sizeof(*x));
    x->to[0] = (char *)to;
    x->m.from_email = (char *)from;
    x->m.from_name = (char *)"Sender";
    x->m.recipients = to ? x->to : NULL;
    x->m.n_recipients = to ? 1 : 0;
    x->m.subject = (char *)subject;
    x->m.text = (char *)text;
    x->m.date = date;
    x->m.message_id = (char *)message_id;
    x->m.auth = MG_AUTH_PASS; /* the receiving side vouched for From */
}

/* File it; check the outcome and the note stored. */
static void file_and_check(struct fixture *f, struct msg *x,
                           enum mg_note_outcome expect, int group, int week,
                           const char *kind, int64_t circle_id)
{
    enum mg_note_outcome outcome;
    struct mg_note n;
    int64_t id = 0;

    assert_int_equal(mg_notes_file(&id, &outcome, f->st, "mime", &x->m, 1024),
                     0);
    assert_int_equal(outcome, expect);
    assert_true(id > 0);
    assert_int_equal(mg_store_note_get(&n, f->st, id, 1), 0);
    assert_int_equal(n.status, expect == MG_NOTE_REVIEW
                                   ? MG_STORE_NOTE_REVIEW
                                   : MG_STORE_NOTE_PUBLISHED);
    if (expect == MG_NOTE_REVIEW)
        assert_non_null(n.review_reason);
    assert_int_equal(n.circle_id, circle_id);
    assert_int_equal(n.group_id, group ? f->group_id[group - 1] : 0);
    assert_int_equal(n.week, week);
    assert_string_equal(n.kind, kind);
    mg_store_note_release(&n);
}

static void test_route_by_address(void **state)
{
    struct fixture *f = *state;
    struct msg x;

    /* plus-address with a week: a member's note */
    msg_init(&x, f->member[1], "atlas+g2-w3@circles.example.nz",
             "thoughts on chapter 3", "I liked the map.\n", week_start[0],
             "a1@example.org");
    file_and_check(f, &x, MG_NOTE_FILED, 2, 3, "note", f->circle_id);
    /* the group's own address; the week from the date (just after week
     * 3's call); the facilitator's message is the summary */
    msg_init(&x, f->facilitator[0], "atlas-g1@circles.example.nz", "our call",
             "We talked about maps.\n", week_start[2] + 3600, "a2@example.org");
    file_and_check(f, &x, MG_NOTE_FILED, 1, 3, "summary", f->circle_id);
    /* a facilitator's reply in the conversation is a note */
    msg_init(&x, f->facilitator[0], "atlas+g1-w3@circles.example.nz",
             "Re: thoughts", "Agreed.\n", week_start[2] + 7200,
             "a3@example.org");
    file_and_check(f, &x, MG_NOTE_FILED, 1, 3, "note", f->circle_id);
    /* a member marks a summary */
    msg_init(&x, f->member[0], "atlas+g1-w2-summary@circles.example.nz",
             "notes", "Summary of week 2.\n", 0, "a4@example.org");
    file_and_check(f, &x, MG_NOTE_FILED, 1, 2, "summary", f->circle_id);
    /* the circle's organizer may post */
    msg_init(&x, "Coord@Libraries.Example.NZ", "atlas+g2-w1@x.nz", "welcome",
             "Welcome all.\n", 0, "a5@example.org");
    file_and_check(f, &x, MG_NOTE_FILED, 2, 1, "note", f->circle_id);
}

static void test_route_by_subject_and_sender(void **state)
{
    struct fixture *f = *state;
    struct msg x;

    /* subject tag, the circle by its title's first word */
    msg_init(&x, f->member[0], "someone@elsewhere.org",
             "Re: [Atlas G1 W4] week four", "Good one.\n", 0, "b1@example.org");
    file_and_check(f, &x, MG_NOTE_FILED, 1, 4, "note", f->circle_id);
    /* no tag, no address: the sender's group, the week by date (before
     * the first call is week 1; during week 2 is week 2) */
    msg_init(&x, f->member[1], "list@elsewhere.org", "early thoughts",
             "Looking forward.\n", week_start[0] - 86400, "b2@example.org");
    file_and_check(f, &x, MG_NOTE_FILED, 2, 1, "note", f->circle_id);
    msg_init(&x, f->member[1], NULL, "later", "Hmm.\n", week_start[1] + 60,
             "b3@example.org");
    file_and_check(f, &x, MG_NOTE_FILED, 2, 2, "note", f->circle_id);
}

static void test_review_queue(void **state)
{
    struct fixture *f = *state;
    enum mg_note_outcome outcome;
    struct mg_note_filter nf;
    struct mg_note *list = NULL;
    struct msg x;
    int64_t id = 0, again = 0;
    size_t n = 0;

    /* a member of group 1 writing to group 2 */
    msg_init(&x, f->member[0], "atlas+g2-w1@x.nz", "hello", "Hi.\n", 0,
             "c1@example.org");
    file_and_check(f, &x, MG_NOTE_REVIEW, 2, 1, "note", f->circle_id);
    /* a stranger */
    msg_init(&x, "stranger@spam.example", "atlas+g1@x.nz", "buy", "Buy.\n", 0,
             "c2@example.org");
    file_and_check(f, &x, MG_NOTE_REVIEW, 1, 1, "note", f->circle_id);
    /* no such circle, no such group */
    msg_init(&x, f->member[0], "nosuch+g1@x.nz", "?", "?\n", 0,
             "c3@example.org");
    file_and_check(f, &x, MG_NOTE_REVIEW, 0, 0, "note", 0);
    msg_init(&x, f->member[0], "atlas+g9@x.nz", "?", "?\n", 0,
             "c4@example.org");
    file_and_check(f, &x, MG_NOTE_REVIEW, 0, 0, "note", f->circle_id);
    /* names nothing, and the sender is in no group */
    msg_init(&x, "stranger@spam.example", "random@x.nz", "?", "?\n", 0,
             "c5@example.org");
    file_and_check(f, &x, MG_NOTE_REVIEW, 0, 0, "note", 0);
    /* the same message again is a duplicate, stored once */
    msg_init(&x, "stranger@spam.example", "random@x.nz", "?", "?\n", 0,
             "c5@example.org");
    assert_int_equal(mg_notes_file(&again, &outcome, f->st, "mime", &x.m, 0),
                     0);
    assert_int_equal(outcome, MG_NOTE_DUPLICATE);
    memset(&nf, 0, sizeof(nf));
    nf.any_circle = 1;
    nf.status = "review";
    assert_int_equal(mg_store_notes_list(&list, &n, f->st, &nf), 0);
    assert_int_equal(n, 5);
    assert_int_equal(list[4].id, again);
    mg_store_notes_free(list, n);
    /* quoted text is stripped from the body, kept in the full text */
    msg_init(&x, f->member[0], "atlas+g1-w1@x.nz", "Re: hi",
             "My answer.\n\nOn Tue, 23 Mar 2027 at 19:30, A <a@b.org> "
             "wrote:\n> the question\n",
             0, "c6@example.org");
    assert_int_equal(mg_notes_file(&id, &outcome, f->st, "mime", &x.m, 0), 0);
    {
        struct mg_note note;

        assert_int_equal(mg_store_note_get(&note, f->st, id, 0), 0);
        assert_string_equal(note.body, "My answer.");
        assert_non_null(strstr(note.full_text, "> the question"));
        mg_store_note_release(&note);
    }
}

/* What filing looks up is kept between notes, but never past a change
 * to the sender's group or the group's calls. */
static void test_route_follows_changes(void **state)
{
    struct fixture *f = *state;
    struct mg_member_hit *hits = NULL;
    struct mg_session_row *s = NULL;
    size_t n_hits = 0, n = 0, i;
    int64_t person, to;
    struct msg x;

    msg_init(&x, f->member[1], NULL, "one", "One.\n", week_start[1] + 60,
             "d1@example.org");
    file_and_check(f, &x, MG_NOTE_FILED, 2, 2, "note", f->circle_id);
    /* moved to group 1: the next note follows them */
    assert_int_equal(
        mg_store_members_by_email(&hits, &n_hits, f->st, f->member[1]), 0);
    assert_int_equal(n_hits, 1);
    person = hits[0].participant_id;
    mg_store_member_hits_free(hits, n_hits);
    to = f->group_id[0];
    assert_int_equal(
        mg_store_memberships_move(f->st, f->circle_id, &person, &to, 1), 0);
    msg_init(&x, f->member[1], NULL, "two", "Two.\n", week_start[1] + 60,
             "d2@example.org");
    file_and_check(f, &x, MG_NOTE_FILED, 1, 2, "note", f->circle_id);
    /* group 1's week 2 call moved two days later: a message sent just
     * after the old time belongs to week 1 */
    assert_int_equal(mg_store_sessions_for_group(&s, &n, f->st, to), 0);
    for (i = 0; i < n; i++)
        if (s[i].week == 2)
            assert_int_equal(
                mg_store_session_update(f->st, f->circle_id, s[i].id,
                                        week_start[1] + 2 * 86400,
                                        MG_STORE_SESSION_CONFIRMED),
                0);
    free(s);
    msg_init(&x, f->member[1], NULL, "three", "Three.\n", week_start[1] + 60,
             "d3@example.org");
    file_and_check(f, &x, MG_NOTE_FILED, 1, 1, "note", f->circle_id);
    /* out of every group: for review */
    to = 0;
    assert_int_equal(
        mg_store_memberships_move(f->st, f->circle_id, &person, &to, 1), 0);
    msg_init(&x, f->member[1], NULL, "four", "Four.\n", week_start[1] + 60,
             "d4@example.org");
    file_and_check(f, &x, MG_NOTE_REVIEW, 0, 0, "note", 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_address),
        cmocka_unit_test(test_parse_subject),
        cmocka_unit_test_setup_teardown(test_route_by_address, setup, teardown),
        cmocka_unit_test_setup_teardown(test_route_by_subject_and_sender, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_review_queue, setup, teardown),
        cmocka_unit_test_setup_teardown(test_route_follows_changes, setup,
                                        teardown),
    };

    mg_log_set_level(MG_LOG_ERROR);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
