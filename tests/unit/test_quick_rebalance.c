/*
 * test_quick_rebalance.c: mg_assign_quick_rebalance() against the rules
 * on a real store. A circle of 36 people on two slots (some can make
 * only one of them) is planned and marked; then, in rounds of seeded
 * churn, people withdraw and newcomers register, and each round is
 * rebalanced the way the API does it: quickly when the quick path
 * applies, else in full (storing only a result that keeps the rules,
 * and marking it). Whatever the path, the stored groups must keep every
 * hard rule afterwards, with nobody active left out, and the quick path
 * must have been taken in some rounds and refused in others.
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

#include "mingle/assign.h"
#include "mingle/circle.h"
#include "mingle/store.h"
#include "support.h"

struct fixture {
    char *dir;
    struct mg_store *st;
    int64_t circle_id;
    int64_t slot_ids[2];
    int next_person;
};

static uint64_t rng = 88172645463325252ULL;
static int settle; /* setup waits a second between import and plan */

static unsigned next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng >> 11);
}

/* Register one person: a facilitator or not, making slot 0, 1 or both
 * (which = 2). */
static void add_person(struct fixture *f, int facilitator, int which)
{
    struct mg_participant p;
    int64_t slots[2];

    memset(&p, 0, sizeof(p));
    p.name = mg_xasprintf("Person %d", f->next_person);
    p.email = mg_xasprintf("p%d@example.org", f->next_person);
    f->next_person++;
    p.role = facilitator ? MG_PERSON_FACILITATOR : MG_PERSON_PARTICIPANT;
    p.sector = mg_xstrdup(next_rand() % 2 ? "public" : "school");
    if (which < 2) {
        slots[0] = f->slot_ids[which];
        p.slot_ids = slots;
        p.n_slots = 1;
    }
    assert_int_equal(
        mg_store_participants_insert(NULL, f->st, f->circle_id, &p, 1), 0);
    p.slot_ids = NULL;
    p.n_slots = 0;
    mg_participant_release(&p);
}

/* Rebalance as the API does; 1 when the quick path did it. */
static int rebalance(struct fixture *f)
{
    struct mg_assign_quick q;
    struct mg_assign a;
    int64_t total, active, groups, max_id, t0 = mg_now();
    int quick;

    assert_int_equal(mg_assign_quick_rebalance(&q, f->st, f->circle_id, 1), 0);
    quick = q.applied;
    mg_assign_quick_release(&q);
    if (quick)
        return 1;
    assert_int_equal(mg_store_circle_counts(&total, &active, &groups, &max_id,
                                            f->st, f->circle_id),
                     0);
    assert_int_equal(mg_assign_load(&a, f->st, f->circle_id), 0);
    assert_int_equal(mg_assign_rebalance(&a, 1), 0);
    if (mg_assign_hard_issues(a.result.issues, a.result.n_issues) == 0) {
        assert_int_equal(mg_assign_commit_rebalance(&a, f->st), 0);
        assert_int_equal(mg_assign_mark(f->st, &a, t0, total, max_id, 0), 0);
    }
    mg_assign_release(&a);
    return 0;
}

static void check_rules(struct fixture *f)
{
    struct mg_assign a;
    struct mg_quality q;

    assert_int_equal(mg_assign_load(&a, f->st, f->circle_id), 0);
    mg_assign_evaluate_current(&a, &q);
    assert_int_equal(q.size_violations, 0);
    assert_int_equal(q.no_facilitator, 0);
    assert_int_equal(q.slot_violations, 0);
    assert_int_equal(q.apart_violations, 0);
    assert_int_equal(q.unplaced, 0);
    mg_assign_release(&a);
}

static int setup(void **state)
{
    struct fixture *f = mg_xcalloc(1, sizeof(*f));
    struct mg_store_options opt = {2, 2000};
    struct mg_error err = {{0}, {0}};
    struct mg_slot slots[2] = {{0, 2, 19 * 60 + 30, 60},
                               {0, 4, 12 * 60 + 30, 60}};
    struct mg_circle c, *got = NULL;
    struct mg_assign a;
    int64_t total, active, groups, max_id, t0;
    int i;

    f->dir = test_mkdtemp();
    {
        char *db = mg_xasprintf("%s/t.db", f->dir);
        assert_int_equal(mg_store_open(&f->st, db, &opt, &err), 0);
        free(db);
    }
    memset(&c, 0, sizeof(c));
    c.title = mg_xstrdup("Churning circle");
    c.time_zone = mg_xstrdup("Pacific/Auckland");
    memcpy(c.start_date, "2027-03-22", 11);
    c.weeks = 4;
    c.slots = slots;
    c.n_slots = 2;
    c.group_min = 4;
    c.group_max = 7;
    assert_int_equal(mg_store_circle_create(f->st, &c), 0);
    f->circle_id = c.id;
    c.slots = NULL;
    c.n_slots = 0;
    mg_circle_release(&c);
    assert_int_equal(mg_store_circle_get(&got, f->st, f->circle_id), 0);
    f->slot_ids[0] = got->slots[0].id;
    f->slot_ids[1] = got->slots[1].id;
    mg_circle_free(got);
    for (i = 0; i < 36; i++)
        add_person(f, i % 4 == 0, i % 3);
    if (settle)
        sleep(1); /* the import is then before the mark, to the second */
    t0 = mg_now();
    assert_int_equal(mg_store_circle_counts(&total, &active, &groups, &max_id,
                                            f->st, f->circle_id),
                     0);
    assert_int_equal(mg_assign_load(&a, f->st, f->circle_id), 0);
    assert_int_equal(mg_assign_plan(&a, 1), 0);
    assert_int_equal(mg_assign_hard_issues(a.result.issues, a.result.n_issues),
                     0);
    assert_int_equal(mg_assign_commit_plan(&a, f->st), 0);
    assert_int_equal(mg_assign_mark(f->st, &a, t0, total, max_id, 1), 0);
    mg_assign_release(&a);
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

/* Withdraw one active participant (not a facilitator), at random. */
static void withdraw_one(struct fixture *f)
{
    struct mg_participant *list = NULL;
    struct mg_people_filter pf;
    size_t n = 0;

    memset(&pf, 0, sizeof(pf));
    pf.status = "active";
    pf.role = "participant";
    assert_int_equal(
        mg_store_participants_list(&list, &n, f->st, f->circle_id, &pf), 0);
    assert_true(n > 0);
    {
        struct mg_participant *p = &list[next_rand() % n];
        p->status = MG_STATUS_WITHDRAWN;
        assert_int_equal(mg_store_participant_update(f->st, p), 0);
    }
    mg_participants_free(list, n);
}

static void test_churn_keeps_the_rules(void **state)
{
    struct fixture *f = *state;
    int round, quick = 0, full = 0;

    check_rules(f);
    for (round = 0; round < 24; round++) {
        int k, joins = (int)(next_rand() % 3), leaves = (int)(next_rand() % 2);

        for (k = 0; k < leaves; k++)
            withdraw_one(f);
        for (k = 0; k < joins; k++)
            add_person(f, next_rand() % 8 == 0, (int)(next_rand() % 3));
        if (rebalance(f))
            quick++;
        else
            full++;
        check_rules(f);
    }
    /* both paths were taken */
    assert_true(quick > 0);
    assert_true(full > 0);
}

/* Someone erased since the mark: their group lost a member with no
 * trace but the count, and the quick path must not trust the mark. */
static void test_erasure_refuses_the_quick_path(void **state)
{
    struct fixture *f = *state;
    struct mg_participant *list = NULL;
    struct mg_people_filter pf;
    struct mg_assign_quick q;
    size_t n = 0;

    add_person(f, 0, 2);
    memset(&pf, 0, sizeof(pf));
    pf.status = "active";
    pf.role = "participant";
    pf.limit = 1;
    assert_int_equal(
        mg_store_participants_list(&list, &n, f->st, f->circle_id, &pf), 0);
    assert_int_equal(n, 1);
    assert_int_equal(
        mg_store_participant_delete(f->st, f->circle_id, list[0].id), 0);
    mg_participants_free(list, n);
    assert_int_equal(mg_assign_quick_rebalance(&q, f->st, f->circle_id, 1), 0);
    assert_int_equal(q.applied, 0);
    mg_assign_quick_release(&q);
    /* with no mark at all, neither */
    assert_int_equal(mg_store_mark_clear(f->st, f->circle_id), 0);
    assert_int_equal(mg_assign_quick_rebalance(&q, f->st, f->circle_id, 1), 0);
    assert_int_equal(q.applied, 0);
    mg_assign_quick_release(&q);
}

/* A newcomer who fits: placed by the quick path, nobody else moved. */
static void test_newcomer_placed_quickly(void **state)
{
    struct fixture *f = *state;
    struct mg_assign_quick q;
    struct mg_participant *list = NULL;
    struct mg_people_filter pf;
    size_t n = 0;

    withdraw_one(f); /* leaves room in one group */
    add_person(f, 0, 2);
    assert_int_equal(mg_assign_quick_rebalance(&q, f->st, f->circle_id, 1), 0);
    assert_int_equal(q.applied, 1);
    assert_int_equal(q.n_placed, 1);
    assert_true(q.placed[0].group_id > 0);
    mg_assign_quick_release(&q);
    memset(&pf, 0, sizeof(pf));
    pf.status = "active";
    pf.group_id = -1;
    assert_int_equal(
        mg_store_participants_list(&list, &n, f->st, f->circle_id, &pf), 0);
    assert_int_equal(n, 0);
    mg_participants_free(list, n);
    check_rules(f);
}

static int setup_settled(void **state)
{
    settle = 1;
    return setup(state);
}

/* What a plan wrote is what its mark describes, not a change since: a
 * rebalance after it looks at the leaver and the newcomer only. */
static void test_plan_is_not_a_change(void **state)
{
    struct fixture *f = *state;
    struct mg_rebalance_mark m;
    struct mg_store_tally t;
    int64_t *people = NULL, *groups = NULL;
    size_t n_people = 0, n_groups = 0;

    assert_int_equal(mg_store_mark_get(&m, f->st, f->circle_id), 0);
    assert_true(m.own_memberships > 0);
    assert_int_equal(mg_store_changed_since(&people, &n_people, &groups,
                                            &n_groups, &t, f->st, f->circle_id,
                                            &m),
                     0);
    assert_int_equal(n_people, 0);
    assert_int_equal(n_groups, 0);
    assert_int_equal(t.kept, 36);
    free(people);
    free(groups);
    withdraw_one(f);
    add_person(f, 0, 2);
    assert_int_equal(mg_store_changed_since(&people, &n_people, &groups,
                                            &n_groups, &t, f->st, f->circle_id,
                                            &m),
                     0);
    assert_int_equal(n_people, 2);
    assert_int_equal(n_groups, 1); /* the leaver's */
    assert_int_equal(t.added, 1);
    free(people);
    free(groups);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_churn_keeps_the_rules, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_erasure_refuses_the_quick_path,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_newcomer_placed_quickly, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_plan_is_not_a_change,
                                        setup_settled, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
