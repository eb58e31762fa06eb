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
    /* the circle's organizer may post; a new message of theirs is a
     * summary, as a facilitator's is (issue #17 item 1) */
    msg_init(&x, "Coord@Libraries.Example.NZ", "atlas+g2-w1@x.nz", "welcome",
             "Welcome all.\n", 0, "a5@example.org");
    file_and_check(f, &x, MG_NOTE_FILED, 2, 1, "summary", f->circle_id);
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

/* Issue #17 item 1: a reply is a note whoever sends it and whatever its
 * subject says; a summary is a facilitator's or organizer's new message,
 * or one sent to a "-summary" address. */
static void test_reply_is_a_note(void **state)
{
    struct fixture *f = *state;
    static const char *const replies[] = {
        "Re: Week 2 summary",
        "RE: Week 2 summary",
        "AW: Week 2 summary",
        "SV: Week 2 summary",
        "Antw: Week 2 summary",
        "Antwort: Week 2 summary",
        "R\xc3\xa9"
        "f. : Week 2 summary",
        "R\xc3\xa9"
        "f. Week 2 summary",
        "Odp: Week 2 summary",
        "Re[2]: Week 2 summary",
        "Re : Week 2 summary",
        "RES: Week 2 summary",
        "\xe5\x9b\x9e\xe5\xa4\x8d\xef\xbc\x9a Week 2 summary",
        "[Atlas G1 W2] Re: summary",
        "[EXTERNAL] RE: summary",
    };
    struct msg x;
    char id[32];
    size_t i;

    /* the issue's own case: a member answers the week's summary, with
     * In-Reply-To, at the summary address it came from */
    msg_init(&x, f->member[0], "atlas+g1-w2-summary@circles.example.nz",
             "Re: Week 2 summary", "Thanks for this.\n", 0, "r0@example.org");
    x.m.in_reply_to = (char *)"s2@example.org";
    file_and_check(f, &x, MG_NOTE_FILED, 1, 2, "note", f->circle_id);
    /* each reply prefix, from the facilitator, to the summary address,
     * with no In-Reply-To: still a note */
    for (i = 0; i < sizeof(replies) / sizeof(replies[0]); i++) {
        snprintf(id, sizeof(id), "r%zu@example.org", i + 1);
        msg_init(&x, f->facilitator[0], "atlas+g1-w2-summary@x.nz", replies[i],
                 "Agreed.\n", 0, id);
        file_and_check(f, &x, MG_NOTE_FILED, 1, 2, "note", f->circle_id);
    }
    /* a References header alone makes a reply (Outlook sends no
     * In-Reply-To on some paths) */
    msg_init(&x, f->facilitator[0], "atlas+g1-w2@x.nz", "Week 2 summary",
             "More.\n", 0, "r50@example.org");
    x.m.references = (char *)"s2@example.org";
    file_and_check(f, &x, MG_NOTE_FILED, 1, 2, "note", f->circle_id);
    /* a forward is a new message: the facilitator's is the summary */
    msg_init(&x, f->facilitator[0], "atlas+g1-w2@x.nz", "Fwd: our notes",
             "Forwarded.\n", 0, "r51@example.org");
    file_and_check(f, &x, MG_NOTE_FILED, 1, 2, "summary", f->circle_id);
    msg_init(&x, f->facilitator[0], "atlas+g1-w2@x.nz", "WG: our notes",
             "Forwarded.\n", 0, "r52@example.org");
    file_and_check(f, &x, MG_NOTE_FILED, 1, 2, "summary", f->circle_id);
    /* words that merely begin like a prefix are no prefix */
    msg_init(&x, f->facilitator[0], "atlas+g1-w2@x.nz", "Review: chapters 3-4",
             "New.\n", 0, "r53@example.org");
    file_and_check(f, &x, MG_NOTE_FILED, 1, 2, "summary", f->circle_id);
    msg_init(&x, f->facilitator[0], "atlas+g1-w2@x.nz",
             "Res. life and the library", "New.\n", 0, "r57@example.org");
    file_and_check(f, &x, MG_NOTE_FILED, 1, 2, "summary", f->circle_id);
    msg_init(&x, f->facilitator[0], "atlas+g1-w2@x.nz", "R&D: our notes",
             "New.\n", 0, "r58@example.org");
    file_and_check(f, &x, MG_NOTE_FILED, 1, 2, "summary", f->circle_id);
    /* a member's new message that says "summary" is a note; sent to the
     * summary address it is one */
    msg_init(&x, f->member[0], "atlas+g1-w2@x.nz", "Week 2 summary",
             "My take.\n", 0, "r54@example.org");
    file_and_check(f, &x, MG_NOTE_FILED, 1, 2, "note", f->circle_id);
    msg_init(&x, f->member[0], "atlas+g1-w2-summary@x.nz", "Week 2",
             "My take.\n", 0, "r55@example.org");
    file_and_check(f, &x, MG_NOTE_FILED, 1, 2, "summary", f->circle_id);
    /* the summary address as a group's own address too */
    msg_init(&x, f->member[1], "atlas-g2-w2-summary@x.nz", "Week 2",
             "Theirs.\n", 0, "r56@example.org");
    file_and_check(f, &x, MG_NOTE_FILED, 2, 2, "summary", f->circle_id);
}

/* Issue #17 item 2: a week outside the circle (four weeks) waits for
 * review with the reason, by address or by subject tag. */
static void test_week_outside_circle(void **state)
{
    struct fixture *f = *state;
    enum mg_note_outcome outcome;
    struct mg_note n;
    int64_t id = 0;
    struct msg x;

    msg_init(&x, f->facilitator[0], "atlas+g1-w9@x.nz", "our call", "Talked.\n",
             0, "w1@example.org");
    file_and_check(f, &x, MG_NOTE_REVIEW, 1, 0, "summary", f->circle_id);
    assert_int_equal(mg_notes_file(&id, &outcome, f->st, "mime", &x.m, 0), 0);
    assert_int_equal(mg_store_note_get(&n, f->st, id, 0), 0);
    assert_non_null(strstr(n.review_reason, "week 9"));
    mg_store_note_release(&n);
    msg_init(&x, f->member[0], "atlas+g1-w5@x.nz", "hi", "Hi.\n", 0,
             "w2@example.org");
    file_and_check(f, &x, MG_NOTE_REVIEW, 1, 0, "note", f->circle_id);
    msg_init(&x, f->member[0], "someone@elsewhere.org", "[Atlas G1 W7] hi",
             "Hi.\n", 0, "w3@example.org");
    file_and_check(f, &x, MG_NOTE_REVIEW, 1, 0, "note", f->circle_id);
    /* the last week is inside */
    msg_init(&x, f->member[0], "atlas+g1-w4@x.nz", "hi", "Hi.\n", 0,
             "w4@example.org");
    file_and_check(f, &x, MG_NOTE_FILED, 1, 4, "note", f->circle_id);
}

/* Issue #17 item 7: a subject tag's week counts when the address names
 * only the group (the tag must name the same group of the same circle). */
static void test_subject_week_with_group_address(void **state)
{
    struct fixture *f = *state;
    struct msg x;

    msg_init(&x, f->member[0], "atlas+g1@x.nz", "[Atlas G1 W3] my notes",
             "Notes.\n", week_start[0] + 60, "t1@example.org");
    file_and_check(f, &x, MG_NOTE_FILED, 1, 3, "note", f->circle_id);
    msg_init(&x, f->member[0], "atlas-g1@x.nz", "Re: [atlas g1 w4] notes",
             "Notes.\n", week_start[0] + 60, "t2@example.org");
    file_and_check(f, &x, MG_NOTE_FILED, 1, 4, "note", f->circle_id);
    /* the tag's summary marker counts too */
    msg_init(&x, f->member[0], "atlas+g1@x.nz", "[Atlas G1 W2 summary] ours",
             "Ours.\n", week_start[0] + 60, "t3@example.org");
    file_and_check(f, &x, MG_NOTE_FILED, 1, 2, "summary", f->circle_id);
    /* the address's own week wins over the tag's */
    msg_init(&x, f->member[0], "atlas+g1-w2@x.nz", "[Atlas G1 W3] notes",
             "Notes.\n", week_start[0] + 60, "t4@example.org");
    file_and_check(f, &x, MG_NOTE_FILED, 1, 2, "note", f->circle_id);
    /* a tag naming another group, or another circle, does not count:
     * the week comes from the date (week 1) */
    msg_init(&x, f->member[0], "atlas+g1@x.nz", "[Atlas G2 W3] notes",
             "Notes.\n", week_start[0] + 60, "t5@example.org");
    file_and_check(f, &x, MG_NOTE_FILED, 1, 1, "note", f->circle_id);
    msg_init(&x, f->member[0], "atlas+g1@x.nz", "[Borealis G1 W3] notes",
             "Notes.\n", week_start[0] + 60, "t6@example.org");
    file_and_check(f, &x, MG_NOTE_FILED, 1, 1, "note", f->circle_id);
}

/* Every note stored, published or waiting for review. */
static size_t count_notes(struct fixture *f)
{
    static const char *const status[] = {"published", "review"};
    struct mg_note_filter nf;
    struct mg_note *list = NULL;
    size_t n = 0, all = 0, i;

    for (i = 0; i < 2; i++) {
        memset(&nf, 0, sizeof(nf));
        nf.any_circle = 1;
        nf.status = status[i];
        assert_int_equal(mg_store_notes_list(&list, &n, f->st, &nf), 0);
        mg_store_notes_free(list, n);
        all += n;
    }
    return all;
}

static enum mg_note_outcome file_once(struct fixture *f, struct msg *x,
                                      const char *provider, int64_t *id)
{
    enum mg_note_outcome outcome;
    int64_t got = 0;

    assert_int_equal(mg_notes_file(&got, &outcome, f->st, provider, &x->m, 0),
                     0);
    assert_true(got > 0);
    if (id)
        *id = got;
    return outcome;
}

/* Issue #17 item 6: without a Message-ID or a provider's event id, a
 * message is stored once by a digest of its sender, recipients, date,
 * subject and text (a retried raw MIME, SendGrid or CloudMailin post). */
static void test_duplicate_without_message_id(void **state)
{
    struct fixture *f = *state;
    struct msg x;
    int64_t first = 0, again = 0;
    size_t before = count_notes(f);

    msg_init(&x, f->member[0], "atlas+g1-w2@x.nz", "my notes",
             "The map chapter.\n", week_start[1] + 60, NULL);
    assert_int_equal(file_once(f, &x, "mime", &first), MG_NOTE_FILED);
    assert_int_equal(file_once(f, &x, "mime", &again), MG_NOTE_DUPLICATE);
    assert_int_equal(again, first);
    /* through another provider too: the same message */
    assert_int_equal(file_once(f, &x, "sendgrid", &again), MG_NOTE_DUPLICATE);
    assert_int_equal(count_notes(f), before + 1);
    /* any of the five changed is another message */
    x.m.text = (char *)"The map chapter, again.\n";
    assert_int_equal(file_once(f, &x, "mime", NULL), MG_NOTE_FILED);
    x.m.subject = (char *)"my notes (2)";
    assert_int_equal(file_once(f, &x, "mime", NULL), MG_NOTE_FILED);
    x.m.date += 60;
    assert_int_equal(file_once(f, &x, "mime", NULL), MG_NOTE_FILED);
    x.m.from_email = f->member[1];
    assert_int_equal(file_once(f, &x, "mime", NULL), MG_NOTE_REVIEW);
    x.to[0] = (char *)"atlas+g1-w3@x.nz";
    assert_int_equal(file_once(f, &x, "mime", NULL), MG_NOTE_REVIEW);
    assert_int_equal(count_notes(f), before + 6);
    /* a provider's event id, without a Message-ID */
    msg_init(&x, f->member[0], "atlas+g1-w2@x.nz", "ev", "Event.\n", 0, NULL);
    x.m.event_id = (char *)"ev-77";
    assert_int_equal(file_once(f, &x, "postmark", &first), MG_NOTE_FILED);
    assert_int_equal(file_once(f, &x, "postmark", &again), MG_NOTE_DUPLICATE);
    assert_int_equal(again, first);
    assert_int_equal(count_notes(f), before + 7);
}

/* Issue #17 item 6: a message sent to two groups' addresses is filed in
 * each group, once each, whether it comes in one post (To: both) or in
 * one post per address (Mailgun's routes). */
static void test_two_groups(void **state)
{
    struct fixture *f = *state;
    struct mg_note_filter nf;
    struct mg_note *list = NULL;
    char *both[3] = {(char *)"atlas+g1-w2@x.nz", (char *)"someone@else.org",
                     (char *)"atlas+g2-w2@x.nz"};
    struct msg x;
    size_t n = 0, before = count_notes(f);
    int64_t id = 0;

    msg_init(&x, "Coord@Libraries.Example.NZ", NULL, "to both groups",
             "Hello both.\n", 0, "both@example.org");
    x.m.recipients = both;
    x.m.n_recipients = 3;
    assert_int_equal(file_once(f, &x, "mime", &id), MG_NOTE_FILED);
    assert_int_equal(count_notes(f), before + 2);
    assert_int_equal(file_once(f, &x, "mime", NULL), MG_NOTE_DUPLICATE);
    assert_int_equal(count_notes(f), before + 2);
    memset(&nf, 0, sizeof(nf));
    nf.any_circle = 1;
    assert_int_equal(mg_store_notes_list(&list, &n, f->st, &nf), 0);
    assert_int_equal(n, before + 2);
    assert_int_equal(list[n - 2].group_id, f->group_id[0]);
    assert_int_equal(list[n - 1].group_id, f->group_id[1]);
    assert_int_equal(list[n - 2].status, MG_STORE_NOTE_PUBLISHED);
    assert_int_equal(list[n - 1].status, MG_STORE_NOTE_PUBLISHED);
    assert_int_equal(list[n - 2].week, 2);
    mg_store_notes_free(list, n);
    /* one post per address, with the same Message-ID */
    msg_init(&x, f->member[0], "atlas+g1-w3@x.nz", "split", "Split.\n", 0,
             "split@example.org");
    assert_int_equal(file_once(f, &x, "mailgun", NULL), MG_NOTE_FILED);
    x.to[0] = (char *)"atlas+g2-w3@x.nz";
    assert_int_equal(file_once(f, &x, "mailgun", NULL), MG_NOTE_REVIEW);
    x.to[0] = (char *)"atlas+g1-w3@x.nz";
    assert_int_equal(file_once(f, &x, "mailgun", NULL), MG_NOTE_DUPLICATE);
    assert_int_equal(count_notes(f), before + 4);
    /* two addresses of one group: filed once */
    both[0] = (char *)"atlas+g1-w4@x.nz";
    both[2] = (char *)"atlas-g1@x.nz";
    msg_init(&x, f->member[0], NULL, "one group", "Once.\n", 0,
             "once@example.org");
    x.m.recipients = both;
    x.m.n_recipients = 3;
    assert_int_equal(file_once(f, &x, "mime", NULL), MG_NOTE_FILED);
    assert_int_equal(count_notes(f), before + 5);
}

/* A note stored before notes had keys is still found by its Message-ID. */
static void test_duplicate_of_older_note(void **state)
{
    struct fixture *f = *state;
    struct mg_note n;
    struct msg x;
    int64_t id = 0, again = 0;
    int dup = 0;

    memset(&n, 0, sizeof(n));
    n.circle_id = f->circle_id;
    snprintf(n.kind, sizeof(n.kind), "note");
    n.status = MG_STORE_NOTE_REVIEW;
    n.provider = (char *)"mime";
    n.message_id = (char *)"old@example.org";
    n.from_email = f->member[0];
    n.body = (char *)"Old.";
    assert_int_equal(mg_store_note_insert(&id, &dup, f->st, &n), 0);
    msg_init(&x, f->member[0], "atlas+g1-w2@x.nz", "old", "Old.\n", 0,
             "old@example.org");
    assert_int_equal(file_once(f, &x, "mime", &again), MG_NOTE_DUPLICATE);
    assert_int_equal(again, id);
}

/* Issue #17 item 7: whatever hands a message over, its stored subject is
 * one line (a summary edited on the web page too). */
static void test_subject_one_line(void **state)
{
    struct fixture *f = *state;
    struct mg_note n;
    struct msg x;
    int64_t id = 0;

    msg_init(&x, f->facilitator[0], "atlas+g1-w2@x.nz",
             "Week 2\r\nBcc: x@example.org\n", "Ours.\n", 0, "ol@example.org");
    assert_int_equal(file_once(f, &x, "mime", &id), MG_NOTE_FILED);
    assert_int_equal(mg_store_note_get(&n, f->st, id, 0), 0);
    assert_string_equal(n.subject, "Week 2 Bcc: x@example.org");
    assert_string_equal(n.kind, "summary");
    assert_int_equal(mg_notes_summary_edit(NULL, f->st, f->circle_id,
                                           n.participant_id, id,
                                           "Week 2,\r\nrevised", "Ours.\n"),
                     0);
    mg_store_note_release(&n);
    assert_int_equal(mg_store_note_get(&n, f->st, id, 0), 0);
    assert_string_equal(n.subject, "Week 2, revised");
    mg_store_note_release(&n);
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
        cmocka_unit_test_setup_teardown(test_reply_is_a_note, setup, teardown),
        cmocka_unit_test_setup_teardown(test_week_outside_circle, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_subject_week_with_group_address,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_without_message_id,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_groups, setup, teardown),
        cmocka_unit_test_setup_teardown(test_subject_one_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_of_older_note, setup,
                                        teardown),
    };

    mg_log_set_level(MG_LOG_ERROR);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
