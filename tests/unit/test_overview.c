/*
 * test_overview.c: the figures the pages show from the store's counts
 * (mg_overview_load, mg_report_load_summary) are the figures the full
 * loads compute from every person (mg_assign_load with
 * mg_assign_evaluate_current, mg_report_load), on small random circles
 * with everything the counts must get right: sectors and regions in
 * mixed case and spaces, waitlisted and withdrawn people, people in no
 * group, availability, wishes, with and apart links, groups without a
 * slot or a thread, answers, attendance and a cancelled call. The
 * report's JSON written piece by piece is the whole tree's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include "mingle/assign.h"
#include "mingle/calendar.h"
#include "mingle/json.h"
#include "mingle/overview.h"
#include "mingle/report.h"
#include "mingle/store.h"
#include "support.h"

#define N_THREADS 3

struct fixture {
    char *dir;
    char *db;
    struct mg_store *st;
    int64_t circle;
    int64_t threads[N_THREADS];
};

static uint64_t next(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 33;
}

static int pick(uint64_t *s, int n)
{
    return (int)(next(s) % (uint64_t)n);
}

/* Run `sql` on the file with the plain sqlite3 API (what no store call
 * writes directly: threads without a book, answers, attendance). */
static void exec(const char *db, const char *sql)
{
    sqlite3 *conn = NULL;
    char *msg = NULL;

    assert_int_equal(sqlite3_open(db, &conn), SQLITE_OK);
    sqlite3_busy_timeout(conn, 5000);
    if (sqlite3_exec(conn, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg ? msg : "?");
    sqlite3_close(conn);
}

static long long query_int(const char *db, const char *sql)
{
    sqlite3 *conn = NULL;
    sqlite3_stmt *stmt = NULL;
    long long v = -1;

    assert_int_equal(sqlite3_open(db, &conn), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(conn, sql, -1, &stmt, NULL), SQLITE_OK);
    if (sqlite3_step(stmt) == SQLITE_ROW)
        v = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    sqlite3_close(conn);
    return v;
}

static int setup(void **state)
{
    struct fixture *f = mg_xcalloc(1, sizeof(*f));
    struct mg_store_options opt = {2, 2000};
    struct mg_error err = {{0}, {0}};

    f->dir = test_mkdtemp();
    f->db = mg_xasprintf("%s/t.db", f->dir);
    assert_int_equal(mg_store_open(&f->st, f->db, &opt, &err), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    mg_store_close(f->st);
    free(f->db);
    test_rmdir(f->dir);
    free(f);
    return 0;
}

/* A circle of 3 slots and N_THREADS threads, sizes `lo` to `hi`. */
static void make_circle(struct fixture *f, int lo, int hi, int seed)
{
    struct mg_circle c;
    char sql[512];
    int t;

    memset(&c, 0, sizeof(c));
    c.title = mg_xasprintf("Circle %d", seed);
    c.time_zone = mg_xstrdup("Pacific/Auckland");
    memcpy(c.start_date, "2027-02-02", 11);
    c.weeks = 4;
    c.n_slots = 3;
    c.slots = mg_xcalloc(3, sizeof(*c.slots));
    for (t = 0; t < 3; t++) {
        c.slots[t].weekday = 2 + t;
        c.slots[t].start_minute = 19 * 60;
        c.slots[t].minutes = 60;
    }
    c.group_min = lo;
    c.group_max = hi;
    c.attendance_target = 3;
    c.organizer_email = mg_xstrdup("circles@example.org");
    assert_int_equal(mg_store_circle_create(f->st, &c), 0);
    f->circle = c.id;
    mg_circle_release(&c);
    /* a book of one section per thread, as an upload leaves it */
    snprintf(sql, sizeof(sql),
             "INSERT INTO books (circle_id, title, format, created_at) "
             "VALUES (%lld, 'Book', 'text', 0)",
             (long long)f->circle);
    exec(f->db, sql);
    for (t = 0; t < N_THREADS; t++) {
        snprintf(sql, sizeof(sql),
                 "INSERT INTO sections (book_id, position, level, kind, "
                 "title) SELECT id, %d, 1, 'chapter', 'Chapter %d' FROM "
                 "books WHERE circle_id = %lld",
                 t + 1, t + 1, (long long)f->circle);
        exec(f->db, sql);
        snprintf(sql, sizeof(sql),
                 "INSERT INTO threads (circle_id, position, title, "
                 "first_section_id, last_section_id) SELECT %lld, %d, "
                 "'Thread %d', max(s.id), max(s.id) FROM sections s JOIN "
                 "books b ON b.id = s.book_id WHERE b.circle_id = %lld",
                 (long long)f->circle, t + 1, t + 1, (long long)f->circle);
        exec(f->db, sql);
        snprintf(sql, sizeof(sql),
                 "SELECT id FROM threads WHERE circle_id = %lld AND position "
                 "= %d",
                 (long long)f->circle, t + 1);
        f->threads[t] = query_int(f->db, sql);
    }
}

/* `n` people of every kind, placed at random in `n_groups` groups. */
static void make_people(struct fixture *f, uint64_t *seed, int n, int n_groups)
{
    static const char *const sectors[] = {"Public", " public ", "school", "",
                                          NULL,     "SPECIAL",  "special"};
    static const char *const regions[] = {"North", "north ", "South", NULL, ""};
    struct mg_participant *people = mg_xcalloc((size_t)n, sizeof(*people));
    struct mg_group_row *groups = mg_xcalloc((size_t)n_groups, sizeof(*groups));
    struct mg_circle *c = NULL;
    int64_t *ids = mg_xcalloc((size_t)n, sizeof(*ids));
    int *where = mg_xcalloc((size_t)n, sizeof(*where));
    size_t failed = 0;
    int i, k;

    assert_int_equal(mg_store_circle_get(&c, f->st, f->circle), 0);
    for (i = 0; i < n; i++) {
        struct mg_participant *p = &people[i];
        int r = pick(seed, 10), s;

        p->name = mg_xasprintf("Person %d", i);
        p->email =
            mg_xasprintf(i % 7 ? "p%d@example.org" : "P%d@Example.org", i);
        p->role =
            pick(seed, 5) == 0 ? MG_PERSON_FACILITATOR : MG_PERSON_PARTICIPANT;
        s = pick(seed, 7);
        p->sector = sectors[s] ? mg_xstrdup(sectors[s]) : NULL;
        s = pick(seed, 5);
        p->region = regions[s] ? mg_xstrdup(regions[s]) : NULL;
        p->status = r < 8    ? MG_STATUS_ACTIVE
                    : r == 8 ? MG_STATUS_WAITLISTED
                             : MG_STATUS_WITHDRAWN;
        p->locked = pick(seed, 10) == 0;
        for (k = 0; k < 3; k++) {
            if (pick(seed, 3) != 0)
                continue;
            p->slot_ids = mg_xrealloc(p->slot_ids,
                                      (p->n_slots + 1) * sizeof(*p->slot_ids));
            p->slot_ids[p->n_slots++] = c->slots[k].id;
        }
        for (k = 0; k < N_THREADS; k++)
            if (pick(seed, 3) == 0)
                p->wishes[p->n_wishes++] = f->threads[(k + i) % N_THREADS];
        if (pick(seed, 4) == 0) {
            p->with = mg_xcalloc(1, sizeof(*p->with));
            p->with[p->n_with++] = mg_xasprintf(
                pick(seed, 5) ? "p%d@example.org" : "nobody%d@example.org",
                pick(seed, n));
        }
        if (pick(seed, 5) == 0) {
            p->apart = mg_xcalloc(1, sizeof(*p->apart));
            p->apart[p->n_apart++] =
                mg_xasprintf("P%d@EXAMPLE.org", pick(seed, n));
        }
    }
    assert_int_equal(mg_store_participants_insert(&failed, f->st, f->circle,
                                                  people, (size_t)n),
                     0);
    for (k = 0; k < n_groups; k++) {
        groups[k].position = k + 1;
        groups[k].name = mg_xasprintf("Group %d", k + 1);
        /* one group without a slot, one without a thread */
        groups[k].slot_id = k == 1 ? 0 : c->slots[pick(seed, 3)].id;
        groups[k].thread_id = k == 2 ? 0 : f->threads[pick(seed, N_THREADS)];
        groups[k].address =
            mg_xasprintf("c%lld-g%d", (long long)f->circle, k + 1);
    }
    for (i = 0; i < n; i++) {
        ids[i] = people[i].id;
        /* about one in twelve in no group */
        where[i] = pick(seed, 12) == 0 ? -1 : pick(seed, n_groups);
    }
    assert_int_equal(mg_store_groups_replace(f->st, f->circle, groups,
                                             (size_t)n_groups, ids, where,
                                             (size_t)n),
                     0);
    mg_store_groups_free(groups, (size_t)n_groups);
    mg_participants_free(people, (size_t)n);
    mg_circle_free(c);
    free(ids);
    free(where);
}

static void check_overview(struct fixture *f)
{
    struct mg_assign a;
    struct mg_overview o;
    struct mg_quality q;
    int *size, *fac, *counts;
    size_t i, g, width;

    assert_int_equal(mg_assign_load(&a, f->st, f->circle), 0);
    assert_int_equal(mg_overview_load(&o, f->st, f->circle), 0);
    mg_assign_evaluate_current(&a, &q);
    /* the quality figures, every one */
    assert_int_equal(o.quality.smallest, q.smallest);
    assert_int_equal(o.quality.largest, q.largest);
    assert_int_equal(o.quality.size_violations, q.size_violations);
    assert_int_equal(o.quality.no_facilitator, q.no_facilitator);
    assert_int_equal(o.quality.slot_violations, q.slot_violations);
    assert_int_equal(o.quality.apart_violations, q.apart_violations);
    assert_int_equal(o.quality.together_met, q.together_met);
    assert_int_equal(o.quality.together_total, q.together_total);
    assert_int_equal(o.quality.sector_misses, q.sector_misses);
    assert_int_equal(o.quality.region_misses, q.region_misses);
    assert_int_equal(o.quality.wishes_first, q.wishes_first);
    assert_int_equal(o.quality.wishes_any, q.wishes_any);
    assert_int_equal(o.quality.wishes_total, q.wishes_total);
    assert_int_equal(o.quality.unplaced, q.unplaced);
    /* the circle draws something worth comparing */
    assert_true(q.together_total > 0);
    assert_true(q.wishes_total > 0);
    assert_true(q.unplaced > 0);
    assert_true(q.slot_violations > 0);
    assert_true(q.sector_misses > 0 && q.region_misses > 0);
    assert_true(q.wishes_first > 0 && q.wishes_any > q.wishes_first);
    /* the people counted, the sectors folded alike, and each group's
     * size, facilitators and sector mix */
    assert_int_equal(o.active, a.n_people);
    {
        struct mg_people_filter pf;
        size_t all = 0, waiting = 0;

        memset(&pf, 0, sizeof(pf));
        assert_int_equal(
            mg_store_participants_count(&all, f->st, f->circle, &pf), 0);
        pf.status = "waitlisted";
        assert_int_equal(
            mg_store_participants_count(&waiting, f->st, f->circle, &pf), 0);
        assert_int_equal(o.people, all);
        assert_int_equal(o.waitlisted, waiting);
        assert_true(o.withdrawn > 0 && o.waitlisted > 0);
    }
    assert_int_equal(o.n_sectors, a.n_sectors);
    for (i = 0; i < o.n_sectors; i++)
        assert_string_equal(o.sectors[i], a.sectors[i]);
    assert_int_equal(o.plan.n_groups, a.n_groups);
    width = a.n_sectors + 1;
    size = mg_xcalloc(a.n_groups + 1, sizeof(int));
    fac = mg_xcalloc(a.n_groups + 1, sizeof(int));
    counts = mg_xcalloc((a.n_groups + 1) * width, sizeof(int));
    for (i = 0; i < a.n_people; i++) {
        int k = a.persons[i].current;
        if (k < 0)
            continue;
        size[k]++;
        fac[k] += a.persons[i].facilitator;
        counts[(size_t)k * width + (size_t)(a.persons[i].sector + 1)]++;
    }
    for (g = 0; g < a.n_groups; g++) {
        assert_int_equal(o.size[g], size[g]);
        assert_int_equal(o.facilitators[g], fac[g]);
        for (i = 0; i < width; i++)
            assert_int_equal(o.counts[g * width + i], counts[g * width + i]);
        assert_int_equal(mg_overview_group(&o, a.groups[g].id), (int)g);
    }
    assert_int_equal(mg_overview_group(&o, 0), -1);
    free(size);
    free(fac);
    free(counts);
    mg_overview_release(&o);
    mg_assign_release(&a);
}

static void test_overview_matches_full_load(void **state)
{
    struct fixture *f = *state;
    int round;

    for (round = 0; round < 6; round++) {
        uint64_t seed = 1000u + (uint64_t)round;

        make_circle(f, 3 + round % 2, 6 + round % 3, round);
        make_people(f, &seed, 80 + 20 * round, 6 + round);
        check_overview(f);
    }
}

static void test_overview_empty_and_missing(void **state)
{
    struct fixture *f = *state;
    struct mg_overview o;

    make_circle(f, 3, 6, 99);
    assert_int_equal(mg_overview_load(&o, f->st, f->circle), 0);
    assert_int_equal(o.plan.n_groups, 0);
    assert_int_equal(o.active, 0);
    assert_int_equal(o.quality.unplaced, 0);
    mg_overview_release(&o);
    assert_int_equal(mg_overview_load(&o, f->st, f->circle + 1000),
                     MG_ENOTFOUND);
    mg_overview_release(&o);
}

/* Answers and attendance at random on the circle's sessions, one call
 * cancelled, and compare the two reports' circle figures. */
static void test_report_summary_matches(void **state)
{
    struct fixture *f = *state;
    struct mg_error err = {{0}, {0}};
    struct mg_report full, sum;
    uint64_t seed = 77;
    size_t queued = 0, i;
    char sql[512];

    make_circle(f, 3, 6, 7);
    make_people(f, &seed, 90, 8);
    assert_int_equal(mg_calendar_create_sessions(f->st, f->circle), 0);
    assert_int_equal(mg_calendar_reconcile(&queued, f->st, f->circle, &err), 0);
    assert_true(queued > 0);
    /* answers of every kind, from a third of the members */
    snprintf(sql, sizeof(sql),
             "INSERT INTO rsvps (session_id, participant_id, status, source, "
             "updated_at) SELECT s.id, m.participant_id, CASE (s.id + "
             "m.participant_id) %% 4 WHEN 0 THEN 'accepted' WHEN 1 THEN "
             "'declined' WHEN 2 THEN 'tentative' ELSE 'needs-action' END, "
             "'web', 0 FROM sessions s JOIN memberships m ON m.group_id = "
             "s.group_id AND m.left_at IS NULL WHERE s.circle_id = %lld AND "
             "(m.participant_id + s.week) %% 3 = 0",
             (long long)f->circle);
    exec(f->db, sql);
    /* attendance for weeks 1 to 3 of most groups, present or not */
    snprintf(sql, sizeof(sql),
             "INSERT INTO attendance (session_id, participant_id, present, "
             "source, recorded_at) SELECT s.id, m.participant_id, "
             "(m.participant_id * 7 + s.week) %% 3 != 0, 'zoom', 0 FROM "
             "sessions s JOIN memberships m ON m.group_id = s.group_id AND "
             "m.left_at IS NULL WHERE s.circle_id = %lld AND s.week <= 3 AND "
             "s.group_id %% 5 != 0",
             (long long)f->circle);
    exec(f->db, sql);
    snprintf(sql, sizeof(sql),
             "UPDATE sessions SET status = 'cancelled' WHERE id = (SELECT "
             "max(id) FROM sessions WHERE circle_id = %lld)",
             (long long)f->circle);
    exec(f->db, sql);
    assert_int_equal(mg_report_load(&full, f->st, f->circle), 0);
    assert_int_equal(mg_report_load_summary(&sum, f->st, f->circle), 0);
    assert_true(full.t.recorded > 0 && full.t.attendees > 0 &&
                full.cohort > 0 && full.t.accepted > 0);
    assert_int_equal(sum.target, full.target);
    assert_int_equal(sum.target_met, full.target_met);
    assert_int_equal(sum.t.sessions, full.t.sessions);
    assert_int_equal(sum.t.recorded, full.t.recorded);
    assert_int_equal(sum.t.invited, full.t.invited);
    assert_int_equal(sum.t.accepted, full.t.accepted);
    assert_int_equal(sum.t.declined, full.t.declined);
    assert_int_equal(sum.t.tentative, full.t.tentative);
    assert_int_equal(sum.t.attended, full.t.attended);
    assert_true(sum.t.average == full.t.average);
    assert_int_equal(sum.t.attendees, full.t.attendees);
    assert_int_equal(sum.t.came_back, full.t.came_back);
    assert_int_equal(sum.t.n_sectors, full.t.n_sectors);
    for (i = 0; i < sum.t.n_sectors; i++) {
        assert_string_equal(sum.t.sectors[i].name, full.t.sectors[i].name);
        assert_int_equal(sum.t.sectors[i].people, full.t.sectors[i].people);
    }
    assert_int_equal(sum.t.n_regions, full.t.n_regions);
    for (i = 0; i < sum.t.n_regions; i++) {
        assert_string_equal(sum.t.regions[i].name, full.t.regions[i].name);
        assert_int_equal(sum.t.regions[i].people, full.t.regions[i].people);
    }
    assert_int_equal(sum.cohort, full.cohort);
    assert_int_equal(sum.n_weeks, full.n_weeks);
    for (i = 0; i < sum.n_weeks; i++) {
        assert_int_equal(sum.weeks[i].week, full.weeks[i].week);
        assert_int_equal(sum.weeks[i].sessions, full.weeks[i].sessions);
        assert_int_equal(sum.weeks[i].attended, full.weeks[i].attended);
        assert_int_equal(sum.weeks[i].retained, full.weeks[i].retained);
    }
    assert_int_equal(sum.n_sessions, 0);
    assert_int_equal(sum.n_groups, 0);
    /* the report's JSON written a piece at a time is the whole tree's */
    {
        struct mg_buf b = MG_BUF_INIT;
        json_t *tree = mg_json_report_value(&full), *read;
        json_error_t jerr;

        struct mg_buf one = MG_BUF_INIT, csv = MG_BUF_INIT;
        struct mg_report_cursor at = {0, 0};
        int pieces = 0;

        mg_json_report_write(&b, &full);
        read = json_loadb(b.data, b.len, 0, &jerr);
        assert_non_null(read);
        assert_true(json_array_size(json_object_get(read, "sessions")) > 0);
        assert_true(json_equal(read, tree));
        json_decref(read);
        /* ... and a group or a session a piece */
        while (!mg_json_report_next(&one, &full, &at, 1))
            pieces++;
        assert_true(pieces >= (int)(full.n_sessions + full.n_groups));
        assert_int_equal(one.len, b.len);
        assert_memory_equal(one.data, b.data, b.len);
        /* the CSV likewise */
        one.len = 0;
        memset(&at, 0, sizeof(at));
        mg_report_csv(&csv, &full);
        while (!mg_report_csv_next(&one, &full, &at, 3))
            ;
        assert_int_equal(one.len, csv.len);
        assert_memory_equal(one.data, csv.data, csv.len);
        json_decref(tree);
        mg_buf_release(&b);
        mg_buf_release(&one);
        mg_buf_release(&csv);
    }
    mg_report_release(&full);
    mg_report_release(&sum);
}

/* The outbox by state from the indexes equals a count of every row. */
static void test_outbox_counts(void **state)
{
    static const char *const names[] = {"queued", "sending", "sent", "failed"};
    struct fixture *f = *state;
    struct mg_error err = {{0}, {0}};
    uint64_t seed = 5;
    size_t queued = 0, counts[4], k;
    char sql[256];

    make_circle(f, 3, 6, 8);
    make_people(f, &seed, 60, 6);
    assert_int_equal(mg_calendar_create_sessions(f->st, f->circle), 0);
    assert_int_equal(mg_calendar_reconcile(&queued, f->st, f->circle, &err), 0);
    snprintf(sql, sizeof(sql),
             "UPDATE outbox SET status = CASE id %% 4 WHEN 0 THEN 'queued' "
             "WHEN 1 THEN 'sending' WHEN 2 THEN 'sent' ELSE 'failed' END "
             "WHERE circle_id = %lld",
             (long long)f->circle);
    exec(f->db, sql);
    assert_int_equal(mg_store_outbox_counts(counts, f->st, f->circle), 0);
    for (k = 0; k < 4; k++) {
        size_t n = 0;

        assert_int_equal(mg_store_outbox_count(&n, f->st, f->circle, names[k]),
                         0);
        assert_int_equal(counts[k], n);
        assert_true(n > 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_overview_matches_full_load, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_overview_empty_and_missing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_report_summary_matches, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_outbox_counts, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
