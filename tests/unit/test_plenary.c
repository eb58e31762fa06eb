/*
 * test_plenary.c: a plenary's places and waitlist (plenary.h), on seat
 * arrays written by hand: filling to capacity, waitlist order, one and two
 * declines, a capacity lowered below the registered count (nobody is
 * bumped, and nobody moves up until the count is below it).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mingle/plenary.h"

#define MAX_SEATS 16

struct hall {
    struct mg_plenary_seat s[MAX_SEATS];
    size_t n;
};

/* Participant `id` registers, as the store does: a new seat, then place. */
static void enrol(struct hall *h, int64_t id, int capacity)
{
    size_t i;

    for (i = 0; i < h->n; i++)
        if (h->s[i].participant_id == id)
            break;
    if (i == h->n) {
        memset(&h->s[i], 0, sizeof(h->s[i]));
        h->s[i].participant_id = id;
        h->s[i].status = MG_REG_WITHDRAWN;
        h->s[i].invite_sequence = -1;
        h->n++;
    }
    mg_plenary_place(h->s, h->n, i, capacity);
}

static size_t at(const struct hall *h, int64_t id)
{
    size_t i;

    for (i = 0; i < h->n; i++)
        if (h->s[i].participant_id == id)
            return i;
    fail_msg("no seat for %lld", (long long)id);
    return 0;
}

static void quiet(struct hall *h)
{
    size_t i;

    for (i = 0; i < h->n; i++)
        h->s[i].mail = MG_SEAT_QUIET;
}

static void test_fill_to_capacity(void **state)
{
    struct hall h;

    (void)state;
    memset(&h, 0, sizeof(h));
    enrol(&h, 1, 2);
    enrol(&h, 2, 2);
    enrol(&h, 3, 2);
    enrol(&h, 4, 2);
    assert_int_equal(h.s[at(&h, 1)].status, MG_REG_REGISTERED);
    assert_int_equal(h.s[at(&h, 2)].status, MG_REG_REGISTERED);
    assert_int_equal(h.s[at(&h, 1)].mail, MG_SEAT_INVITE);
    assert_int_equal(h.s[at(&h, 3)].status, MG_REG_WAITLISTED);
    assert_int_equal(h.s[at(&h, 4)].status, MG_REG_WAITLISTED);
    assert_int_equal(h.s[at(&h, 3)].mail, MG_SEAT_QUIET);
    assert_int_equal(mg_plenary_count(h.s, h.n, MG_REG_REGISTERED), 2);
    assert_int_equal(mg_plenary_count(h.s, h.n, MG_REG_WAITLISTED), 2);
    /* registering again changes nothing */
    enrol(&h, 3, 2);
    assert_int_equal(mg_plenary_rank(h.s, h.n, at(&h, 3)), 1);
    assert_int_equal(mg_plenary_rank(h.s, h.n, at(&h, 4)), 2);
    assert_int_equal(mg_plenary_rank(h.s, h.n, at(&h, 1)), 0);
}

static void test_waitlist_order(void **state)
{
    struct hall h;
    size_t promoted;

    (void)state;
    memset(&h, 0, sizeof(h));
    enrol(&h, 10, 1);
    enrol(&h, 30, 1); /* ids out of order: the queue is by arrival */
    enrol(&h, 20, 1);
    assert_int_equal(mg_plenary_rank(h.s, h.n, at(&h, 30)), 1);
    assert_int_equal(mg_plenary_rank(h.s, h.n, at(&h, 20)), 2);
    /* the first in the queue leaves it: the second is now first */
    assert_int_equal(
        mg_plenary_leave(&promoted, h.s, h.n, at(&h, 30), MG_REG_WITHDRAWN, 1),
        0);
    assert_int_equal(promoted, 0);
    assert_int_equal(h.s[at(&h, 30)].mail, MG_SEAT_QUIET); /* never invited */
    assert_int_equal(mg_plenary_rank(h.s, h.n, at(&h, 20)), 1);
    /* and coming back puts you at the end */
    enrol(&h, 30, 1);
    assert_int_equal(mg_plenary_rank(h.s, h.n, at(&h, 30)), 2);
}

static void test_one_decline_promotes_one(void **state)
{
    struct hall h;
    size_t promoted;

    (void)state;
    memset(&h, 0, sizeof(h));
    enrol(&h, 1, 2);
    enrol(&h, 2, 2);
    enrol(&h, 3, 2);
    enrol(&h, 4, 2);
    quiet(&h);
    assert_int_equal(
        mg_plenary_leave(&promoted, h.s, h.n, at(&h, 1), MG_REG_DECLINED, 2),
        0);
    assert_int_equal(promoted, 1);
    assert_int_equal(h.s[at(&h, 1)].status, MG_REG_DECLINED);
    assert_int_equal(h.s[at(&h, 1)].mail, MG_SEAT_CANCEL);
    assert_int_equal(h.s[at(&h, 3)].status, MG_REG_REGISTERED);
    assert_int_equal(h.s[at(&h, 3)].mail, MG_SEAT_INVITE);
    assert_int_equal(h.s[at(&h, 4)].status, MG_REG_WAITLISTED);
    assert_int_equal(h.s[at(&h, 4)].mail, MG_SEAT_QUIET);
    /* declining twice is a no-op */
    quiet(&h);
    assert_int_equal(
        mg_plenary_leave(&promoted, h.s, h.n, at(&h, 1), MG_REG_DECLINED, 2),
        0);
    assert_int_equal(promoted, 0);
    assert_int_equal(h.s[at(&h, 1)].mail, MG_SEAT_QUIET);
    assert_int_equal(
        mg_plenary_leave(&promoted, h.s, h.n, at(&h, 1), MG_REG_REGISTERED, 2),
        MG_EINVAL);
}

static void test_two_declines(void **state)
{
    struct hall h;
    size_t promoted;

    (void)state;
    memset(&h, 0, sizeof(h));
    enrol(&h, 1, 2);
    enrol(&h, 2, 2);
    enrol(&h, 3, 2);
    enrol(&h, 4, 2);
    enrol(&h, 5, 2);
    quiet(&h);
    /* two declines, applied one after the other as the store serialises
     * them: each frees one place, which goes to the next in line */
    assert_int_equal(
        mg_plenary_leave(&promoted, h.s, h.n, at(&h, 2), MG_REG_DECLINED, 2),
        0);
    assert_int_equal(promoted, 1);
    assert_int_equal(
        mg_plenary_leave(&promoted, h.s, h.n, at(&h, 1), MG_REG_WITHDRAWN, 2),
        0);
    assert_int_equal(promoted, 1);
    assert_int_equal(h.s[at(&h, 3)].status, MG_REG_REGISTERED);
    assert_int_equal(h.s[at(&h, 4)].status, MG_REG_REGISTERED);
    assert_int_equal(h.s[at(&h, 5)].status, MG_REG_WAITLISTED);
    assert_int_equal(mg_plenary_rank(h.s, h.n, at(&h, 5)), 1);
    assert_int_equal(mg_plenary_count(h.s, h.n, MG_REG_REGISTERED), 2);
    /* both places freed at once (e.g. a batch) fill in queue order */
    memset(&h, 0, sizeof(h));
    enrol(&h, 1, 2);
    enrol(&h, 2, 2);
    enrol(&h, 3, 2);
    enrol(&h, 4, 2);
    enrol(&h, 5, 2);
    h.s[at(&h, 1)].status = MG_REG_DECLINED;
    h.s[at(&h, 2)].status = MG_REG_DECLINED;
    quiet(&h);
    assert_int_equal(mg_plenary_promote(h.s, h.n, 2), 2);
    assert_int_equal(h.s[at(&h, 3)].mail, MG_SEAT_INVITE);
    assert_int_equal(h.s[at(&h, 4)].mail, MG_SEAT_INVITE);
    assert_int_equal(h.s[at(&h, 5)].status, MG_REG_WAITLISTED);
    assert_int_equal(mg_plenary_promote(h.s, h.n, 2), 0);
}

static void test_capacity_lowered(void **state)
{
    struct hall h;
    size_t promoted;
    int64_t id;

    (void)state;
    memset(&h, 0, sizeof(h));
    for (id = 1; id <= 6; id++)
        enrol(&h, id, 4); /* 1-4 registered, 5-6 waiting */
    quiet(&h);
    /* capacity 4 -> 2: nobody is bumped, nobody moves up */
    assert_int_equal(mg_plenary_promote(h.s, h.n, 2), 0);
    assert_int_equal(mg_plenary_count(h.s, h.n, MG_REG_REGISTERED), 4);
    for (id = 1; id <= 4; id++)
        assert_int_equal(h.s[at(&h, id)].mail, MG_SEAT_QUIET);
    /* a newcomer waits */
    enrol(&h, 7, 2);
    assert_int_equal(h.s[at(&h, 7)].status, MG_REG_WAITLISTED);
    assert_int_equal(mg_plenary_rank(h.s, h.n, at(&h, 7)), 3);
    /* 4 -> 3 -> 2 registered: still no place (2 is not below 2) */
    assert_int_equal(
        mg_plenary_leave(&promoted, h.s, h.n, at(&h, 1), MG_REG_DECLINED, 2),
        0);
    assert_int_equal(promoted, 0);
    assert_int_equal(
        mg_plenary_leave(&promoted, h.s, h.n, at(&h, 2), MG_REG_DECLINED, 2),
        0);
    assert_int_equal(promoted, 0);
    assert_int_equal(h.s[at(&h, 5)].status, MG_REG_WAITLISTED);
    /* 2 -> 1: one place, to the first in line */
    assert_int_equal(
        mg_plenary_leave(&promoted, h.s, h.n, at(&h, 3), MG_REG_DECLINED, 2),
        0);
    assert_int_equal(promoted, 1);
    assert_int_equal(h.s[at(&h, 5)].status, MG_REG_REGISTERED);
    assert_int_equal(h.s[at(&h, 6)].status, MG_REG_WAITLISTED);
    assert_int_equal(mg_plenary_count(h.s, h.n, MG_REG_REGISTERED), 2);
    /* raising it again opens places in queue order */
    quiet(&h);
    assert_int_equal(mg_plenary_promote(h.s, h.n, 3), 1);
    assert_int_equal(h.s[at(&h, 6)].mail, MG_SEAT_INVITE);
    assert_int_equal(h.s[at(&h, 7)].status, MG_REG_WAITLISTED);
}

/* Issue 16, item 11: only those moved off the waitlist are marked
 * promoted, not those placed at once or sent an update. */
static void test_promoted_marked(void **state)
{
    struct hall h;
    size_t promoted;
    int64_t id;

    (void)state;
    memset(&h, 0, sizeof(h));
    for (id = 1; id <= 4; id++)
        enrol(&h, id, 2); /* 1-2 registered, 3-4 waiting */
    for (id = 1; id <= 4; id++)
        assert_int_equal(h.s[at(&h, id)].promoted, 0);
    assert_int_equal(
        mg_plenary_leave(&promoted, h.s, h.n, at(&h, 1), MG_REG_DECLINED, 2),
        0);
    assert_int_equal(promoted, 1);
    assert_int_equal(h.s[at(&h, 3)].promoted, 1);
    assert_int_equal(h.s[at(&h, 2)].promoted, 0);
    assert_int_equal(h.s[at(&h, 4)].promoted, 0);
}

/*
 * Issue 16, item 9: which call of a weekly plenary a RECURRENCE-ID names.
 * Four Tuesdays from 2027-03-30 19:30 in Pacific/Auckland, across the end
 * of daylight saving on 4 April; instants by Python's zoneinfo:
 * 1806388200 (06:30Z), 1806996600 (6 April 07:30Z), 1807601400,
 * 1808206200.
 */
static void test_week_of(void **state)
{
    const char *nz = "Pacific/Auckland";
    const int64_t first = 1806388200;

    (void)state;
    assert_int_equal(mg_plenary_week_of(nz, first, 4, 1806388200), 1);
    assert_int_equal(mg_plenary_week_of(nz, first, 4, 1806996600), 2);
    assert_int_equal(mg_plenary_week_of(nz, first, 4, 1807601400), 3);
    assert_int_equal(mg_plenary_week_of(nz, first, 4, 1808206200), 4);
    /* week 2 an hour off (the offset before the change): still week 2 */
    assert_int_equal(mg_plenary_week_of(nz, first, 4, 1806993000), 2);
    /* a Wednesday, a fifth week, the day before: none */
    assert_int_equal(mg_plenary_week_of(nz, first, 4, 1806388200 + 86400), 0);
    assert_int_equal(mg_plenary_week_of(nz, first, 4, 1808811000), 0);
    assert_int_equal(mg_plenary_week_of(nz, first, 4, 1806388200 - 86400), 0);
    assert_int_equal(mg_plenary_week_of(nz, first, 1, 1806996600), 0);
}

static void test_status_names(void **state)
{
    enum mg_reg_status s;

    (void)state;
    assert_string_equal(mg_plenary_status_name(MG_REG_WAITLISTED),
                        "waitlisted");
    assert_int_equal(mg_plenary_status_parse(&s, "withdrawn"), 0);
    assert_int_equal(s, MG_REG_WITHDRAWN);
    assert_int_equal(mg_plenary_status_parse(&s, "Registered"), MG_EINVAL);
    assert_int_equal(mg_plenary_status_parse(&s, NULL), MG_EINVAL);
}

/* Issue #17 item 14: a title or guest with CR/LF (or another control
 * character) would break invitations' SUMMARY and mail subjects. */
static void test_text_fields(void **state)
{
    struct mg_error err = {{0}, {0}};

    (void)state;
    assert_int_equal(mg_plenary_check("Kick-off", 60, 1, 10, &err), 0);
    assert_int_equal(
        mg_plenary_check("Kick\r\nBCC: x@example.org", 60, 1, 10, &err),
        MG_EINVAL);
    assert_string_equal(err.field, "title");
    assert_int_equal(mg_plenary_check("Kick-off\n", 60, 1, 10, &err),
                     MG_EINVAL);
    assert_int_equal(mg_plenary_check("Kick\toff", 60, 1, 10, &err), MG_EINVAL);
    assert_int_equal(mg_plenary_check("Kick\xff", 60, 1, 10, &err), MG_EINVAL);
    assert_int_equal(mg_plenary_check("Kōrero", 60, 1, 10, &err), 0);

    assert_int_equal(mg_plenary_check_guest(NULL, &err), 0);
    assert_int_equal(mg_plenary_check_guest("", &err), 0);
    assert_int_equal(mg_plenary_check_guest("Aroha Whānau", &err), 0);
    memset(&err, 0, sizeof(err));
    assert_int_equal(mg_plenary_check_guest("Ursula\r\nX-Evil: 1", &err),
                     MG_EINVAL);
    assert_string_equal(err.field, "guest");
    assert_int_equal(mg_plenary_check_guest("Ursula\n", &err), MG_EINVAL);
    assert_int_equal(mg_plenary_check_guest("Ur\x7fsula", &err), MG_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fill_to_capacity),
        cmocka_unit_test(test_waitlist_order),
        cmocka_unit_test(test_one_decline_promotes_one),
        cmocka_unit_test(test_two_declines),
        cmocka_unit_test(test_capacity_lowered),
        cmocka_unit_test(test_promoted_marked),
        cmocka_unit_test(test_week_of),
        cmocka_unit_test(test_status_names),
        cmocka_unit_test(test_text_fields),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
