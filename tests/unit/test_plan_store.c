/*
 * test_plan_store.c: a plan stored with its sessions and invitations, in
 * a real store, for a circle with more groups than a reconcile reads one
 * by one (200 people in groups of 6-8 over two slots: 25 groups). Every
 * group gets its four weekly sessions exactly once; each member's
 * invitation is built from their own group's sessions, so a call
 * cancelled in one group shows in that group's invitations only.
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
#include "mingle/store.h"
#include "support.h"

#define N_PEOPLE 200

static const char *const sectors[] = {"public", "academic", "school",
                                      "special"};

struct fixture {
    char *dir;
    struct mg_store *st;
    int64_t circle_id;
};

static int setup(void **state)
{
    struct fixture *f = mg_xcalloc(1, sizeof(*f));
    struct mg_store_options opt = {2, 2000};
    struct mg_error err = {{0}, {0}};
    struct mg_slot slots[2] = {{0, 2, 19 * 60 + 30, 60},
                               {0, 4, 12 * 60 + 30, 60}};
    struct mg_participant *people;
    struct mg_circle c;
    char *db;
    size_t i;

    f->dir = test_mkdtemp();
    db = mg_xasprintf("%s/t.db", f->dir);
    assert_int_equal(mg_store_open(&f->st, db, &opt, &err), 0);
    free(db);
    memset(&c, 0, sizeof(c));
    c.title = mg_xstrdup("Plan store circle");
    c.time_zone = mg_xstrdup("Pacific/Auckland");
    memcpy(c.start_date, "2027-03-22", 11);
    c.weeks = 4;
    c.slots = slots;
    c.n_slots = 2;
    c.group_min = 6;
    c.group_max = 8;
    c.organizer_name = mg_xstrdup("Coordinator");
    c.organizer_email = mg_xstrdup("coord@example.org");
    assert_int_equal(mg_store_circle_create(f->st, &c), 0);
    f->circle_id = c.id;
    people = mg_xcalloc(N_PEOPLE, sizeof(*people));
    for (i = 0; i < N_PEOPLE; i++) {
        people[i].name = mg_xasprintf("Person %zu", i);
        people[i].email = mg_xasprintf("p%zu@example.org", i);
        people[i].role =
            i % 8 == 0 ? MG_PERSON_FACILITATOR : MG_PERSON_PARTICIPANT;
        people[i].sector = mg_xstrdup(sectors[i % 4]);
        people[i].slot_ids = mg_xcalloc(1, sizeof(int64_t));
        people[i].slot_ids[0] = slots[i % 2].id;
        people[i].n_slots = 1;
    }
    assert_int_equal(
        mg_store_participants_insert(NULL, f->st, c.id, people, N_PEOPLE), 0);
    mg_participants_free(people, N_PEOPLE);
    c.slots = NULL;
    c.n_slots = 0;
    mg_circle_release(&c);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    mg_store_close(f->st);
    test_rmdir(f->dir);
    free(f);
    return 0;
}

/* The week-1 session of group `group_id` in `s` (by group, week). */
static const struct mg_session_row *
first_session(const struct mg_session_row *s, size_t n, int64_t group_id)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (s[i].group_id == group_id && s[i].week == 1)
            return &s[i];
    }
    return NULL;
}

static void test_plan_sessions_and_invitations(void **state)
{
    struct fixture *f = *state;
    struct mg_error err = {{0}, {0}};
    struct mg_assign a;
    struct mg_session_row *s = NULL, *again = NULL;
    struct mg_invite_row *inv = NULL;
    struct mg_outbox_row *mail = NULL;
    struct mg_participant *list = NULL;
    struct mg_people_filter pf;
    size_t n_s = 0, n_again = 0, n_inv = 0, n_mail = 0, n_list = 0, i, g;
    size_t queued = 0, n_groups, with_exdate = 0;
    int64_t cancelled_group;

    assert_int_equal(mg_assign_load(&a, f->st, f->circle_id), 0);
    assert_int_equal(mg_assign_plan(&a, 1), 0);
    n_groups = (size_t)a.result.n_groups;
    assert_int_equal(n_groups, 25);
    assert_int_equal(mg_assign_commit_plan(&a, f->st), 0);
    mg_assign_release(&a);

    /* Four weeks for every group, by group and week, made once only. */
    assert_int_equal(mg_calendar_create_sessions(f->st, f->circle_id), 0);
    assert_int_equal(mg_calendar_create_sessions(f->st, f->circle_id), 0);
    assert_int_equal(
        mg_store_sessions_for_circle(&s, &n_s, f->st, f->circle_id), 0);
    assert_int_equal(n_s, n_groups * 4);
    for (i = 0; i < n_s; i++) {
        assert_int_equal(s[i].week, (int)(i % 4) + 1);
        assert_true(i % 4 == 0 || s[i].group_id == s[i - 1].group_id);
        assert_true(i % 4 != 0 || i == 0 || s[i].group_id > s[i - 1].group_id);
    }

    /* Call off week 2 of the sixth group, then queue the invitations. */
    g = 5 * 4 + 1;
    cancelled_group = s[g].group_id;
    assert_int_equal(mg_store_session_update(f->st, f->circle_id, s[g].id,
                                             s[g].starts_at,
                                             MG_STORE_SESSION_CANCELLED),
                     0);
    assert_int_equal(mg_calendar_reconcile(&queued, f->st, f->circle_id, &err),
                     0);
    assert_int_equal(queued, N_PEOPLE);

    /* Each invitation starts when its own group's first call does. */
    assert_int_equal(mg_store_invites_list(&inv, &n_inv, f->st, f->circle_id),
                     0);
    assert_int_equal(n_inv, N_PEOPLE);
    for (i = 0; i < n_inv; i++) {
        const struct mg_session_row *first =
            first_session(s, n_s, inv[i].group_id);

        assert_non_null(first);
        assert_true(inv[i].first_start == first->original_starts_at);
        assert_int_equal(inv[i].weeks, 4);
    }

    /* The cancelled call is in that group's invitations, no one else's. */
    memset(&pf, 0, sizeof(pf));
    assert_int_equal(
        mg_store_participants_list(&list, &n_list, f->st, f->circle_id, &pf),
        0);
    assert_int_equal(mg_store_outbox_due(&mail, &n_mail, f->st, mg_now() + 3600,
                                         N_PEOPLE * 2),
                     0);
    assert_int_equal(n_mail, N_PEOPLE);
    for (i = 0; i < n_mail; i++) {
        int64_t group = 0;
        size_t k;

        for (k = 0; k < n_list; k++) {
            if (strcmp(list[k].email, mail[i].recipient) == 0)
                group = list[k].group_id;
        }
        assert_true(group != 0);
        assert_non_null(mail[i].message);
        if (strstr(mail[i].message, "EXDATE")) {
            with_exdate++;
            assert_true(group == cancelled_group);
        } else {
            assert_true(group != cancelled_group);
        }
    }
    assert_true(with_exdate >= 6 && with_exdate <= 8);

    /* Queued again: nothing new. */
    assert_int_equal(mg_calendar_reconcile(&queued, f->st, f->circle_id, &err),
                     0);
    assert_int_equal(queued, 0);
    assert_int_equal(
        mg_store_sessions_for_circle(&again, &n_again, f->st, f->circle_id), 0);
    assert_int_equal(n_again, n_s);
    free(again);
    mg_store_outbox_free(mail, n_mail);
    mg_participants_free(list, n_list);
    free(inv);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_plan_sessions_and_invitations,
                                        setup, teardown),
    };

    mg_log_set_level(MG_LOG_ERROR);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
