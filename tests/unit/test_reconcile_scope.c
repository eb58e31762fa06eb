/*
 * test_reconcile_scope.c: mg_calendar_reconcile_scope() on a real store
 * with two groups of four. A scope of one group brings that group's
 * members up to date and leaves the other group's invitations as they
 * are, even when they are out of date too; a scope of one person sends
 * that person's mail only (an update, a cancellation and an invitation
 * for a move, a cancellation for a withdrawal); a full reconcile after
 * them finds exactly what the scoped ones left alone.
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

struct fixture {
    char *dir;
    struct mg_store *st;
    int64_t circle_id;
    int64_t group_id[2];
    int64_t members[2][4]; /* by group, by id */
};

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
    size_t i, n = 0, n_groups = 0, queued = 0;
    int k[2] = {0, 0};
    char *db;

    f->dir = test_mkdtemp();
    db = mg_xasprintf("%s/t.db", f->dir);
    assert_int_equal(mg_store_open(&f->st, db, &opt, &err), 0);
    free(db);
    memset(&c, 0, sizeof(c));
    c.title = mg_xstrdup("Scoped circle");
    c.time_zone = mg_xstrdup("Pacific/Auckland");
    memcpy(c.start_date, "2027-03-22", 11);
    c.weeks = 4;
    c.slots = &slot;
    c.n_slots = 1;
    c.group_min = 3;
    c.group_max = 4;
    c.organizer_name = mg_xstrdup("Coordinator");
    c.organizer_email = mg_xstrdup("coord@example.org");
    assert_int_equal(mg_store_circle_create(f->st, &c), 0);
    f->circle_id = c.id;
    memset(people, 0, sizeof(people));
    for (i = 0; i < 8; i++) {
        people[i].name = mg_xasprintf("Person %zu", i);
        people[i].email = mg_xasprintf("p%zu@example.org", i);
        people[i].role = i < 2 ? MG_PERSON_FACILITATOR : MG_PERSON_PARTICIPANT;
    }
    assert_int_equal(mg_store_participants_insert(NULL, f->st, c.id, people, 8),
                     0);
    for (i = 0; i < 8; i++) {
        free(people[i].name);
        free(people[i].email);
    }
    assert_int_equal(mg_assign_load(&a, f->st, c.id), 0);
    assert_int_equal(mg_assign_plan(&a, 1), 0);
    assert_int_equal(mg_assign_commit_plan(&a, f->st), 0);
    mg_assign_release(&a);
    assert_int_equal(mg_calendar_create_sessions(f->st, c.id), 0);
    assert_int_equal(mg_calendar_reconcile(&queued, f->st, c.id, &err), 0);
    assert_int_equal(queued, 8);
    assert_int_equal(mg_store_groups_list(&groups, &n_groups, f->st, c.id), 0);
    assert_int_equal(n_groups, 2);
    f->group_id[0] = groups[0].id;
    f->group_id[1] = groups[1].id;
    memset(&pf, 0, sizeof(pf));
    assert_int_equal(mg_store_participants_list(&list, &n, f->st, c.id, &pf),
                     0);
    for (i = 0; i < n; i++) {
        int g = list[i].group_id == f->group_id[0] ? 0 : 1;
        assert_true(k[g] < 4);
        f->members[g][k[g]++] = list[i].id;
    }
    assert_int_equal(k[0], 4);
    assert_int_equal(k[1], 4);
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

    mg_store_close(f->st);
    test_rmdir(f->dir);
    free(f);
    return 0;
}

/* Call off week `week` of group `g` in the store only (no mail). */
static void call_off(struct fixture *f, int g, int week)
{
    struct mg_session_row *rows = NULL;
    size_t n = 0;

    assert_int_equal(
        mg_store_sessions_for_group(&rows, &n, f->st, f->group_id[g]), 0);
    assert_true((size_t)week <= n);
    assert_int_equal(mg_store_session_update(
                         f->st, f->circle_id, rows[week - 1].id,
                         rows[week - 1].starts_at, MG_STORE_SESSION_CANCELLED),
                     0);
    free(rows);
}

/* The invite of `person` for group `group`: its state and the group's
 * sequence it carries (-1 when there is none). */
static int invite_state(struct fixture *f, int64_t person, int64_t group,
                        int *group_sequence)
{
    struct mg_invite_row *rows = NULL;
    size_t n = 0, i;
    int state = -1;

    assert_int_equal(mg_store_invites_list(&rows, &n, f->st, f->circle_id), 0);
    for (i = 0; i < n; i++)
        if (rows[i].participant_id == person && rows[i].group_id == group) {
            state = (int)rows[i].state;
            *group_sequence = rows[i].group_sequence;
        }
    free(rows);
    return state;
}

static size_t scoped(struct fixture *f, const int64_t *people, size_t n_people,
                     const int64_t *groups, size_t n_groups)
{
    struct mg_calendar_scope scope = {people, n_people, groups, n_groups};
    struct mg_error err = {{0}, {0}};
    size_t queued = 99;

    assert_int_equal(
        mg_calendar_reconcile_scope(&queued, f->st, f->circle_id, &scope, &err),
        0);
    return queued;
}

static void test_scopes(void **state)
{
    struct fixture *f = *state;
    struct mg_error err = {{0}, {0}};
    struct mg_participant *p = NULL;
    int64_t mover = f->members[0][3], leaver = f->members[0][2];
    int seq_a = 0, seq_b = 0, i;
    size_t queued = 0;

    /* nothing to do, nothing read */
    assert_int_equal(scoped(f, NULL, 0, NULL, 0), 0);
    /* both groups' calls change; the scope names group 1 only */
    call_off(f, 0, 2);
    call_off(f, 1, 2);
    assert_int_equal(scoped(f, NULL, 0, &f->group_id[0], 1), 4);
    for (i = 0; i < 4; i++) {
        assert_int_equal(
            invite_state(f, f->members[0][i], f->group_id[0], &seq_a),
            MG_STORE_INVITE_ACTIVE);
        assert_int_equal(seq_a, 1);
        assert_int_equal(
            invite_state(f, f->members[1][i], f->group_id[1], &seq_b),
            MG_STORE_INVITE_ACTIVE);
        assert_int_equal(seq_b, 0); /* group 2's are left as they were */
    }
    /* again: group 1 is up to date */
    assert_int_equal(scoped(f, NULL, 0, &f->group_id[0], 1), 0);
    /* one person of group 2: their update only */
    assert_int_equal(scoped(f, &f->members[1][0], 1, NULL, 0), 1);
    assert_int_equal(invite_state(f, f->members[1][0], f->group_id[1], &seq_b),
                     MG_STORE_INVITE_ACTIVE);
    assert_int_equal(seq_b, 1);
    assert_int_equal(invite_state(f, f->members[1][1], f->group_id[1], &seq_b),
                     MG_STORE_INVITE_ACTIVE);
    assert_int_equal(seq_b, 0);

    /* a move: a cancellation for group 1 and an invitation to group 2 */
    assert_int_equal(mg_store_memberships_move(f->st, f->circle_id, &mover,
                                               &f->group_id[1], 1),
                     0);
    assert_int_equal(scoped(f, &mover, 1, NULL, 0), 2);
    assert_int_equal(invite_state(f, mover, f->group_id[0], &seq_a),
                     MG_STORE_INVITE_CANCELLED);
    assert_int_equal(invite_state(f, mover, f->group_id[1], &seq_b),
                     MG_STORE_INVITE_ACTIVE);

    /* a withdrawal: their cancellation */
    assert_int_equal(mg_store_participant_get(&p, f->st, f->circle_id, leaver),
                     0);
    p->status = MG_STATUS_WITHDRAWN;
    assert_int_equal(mg_store_participant_update(f->st, p), 0);
    mg_participants_free(p, 1);
    assert_int_equal(scoped(f, &leaver, 1, NULL, 0), 1);
    assert_int_equal(invite_state(f, leaver, f->group_id[0], &seq_a),
                     MG_STORE_INVITE_CANCELLED);

    /* what the scopes left alone: group 2's three other members */
    assert_int_equal(mg_calendar_reconcile(&queued, f->st, f->circle_id, &err),
                     0);
    assert_int_equal(queued, 3);
    assert_int_equal(mg_calendar_reconcile(&queued, f->st, f->circle_id, &err),
                     0);
    assert_int_equal(queued, 0);
}

/* A scope of a group reaches someone who left it but still holds its
 * invitation: they get their cancellation. */
static void test_group_scope_cancels_leavers(void **state)
{
    struct fixture *f = *state;
    int64_t mover = f->members[1][3];
    int64_t none = 0;
    int seq = 0;

    assert_int_equal(
        mg_store_memberships_move(f->st, f->circle_id, &mover, &none, 1), 0);
    assert_int_equal(scoped(f, NULL, 0, &f->group_id[1], 1), 1);
    assert_int_equal(invite_state(f, mover, f->group_id[1], &seq),
                     MG_STORE_INVITE_CANCELLED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_scopes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_group_scope_cancels_leavers, setup,
                                        teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
