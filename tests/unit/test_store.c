/*
 * test_store.c: the SQLite store: migrations from an empty file and
 * re-run, the schema's pragmas, circles and slots, tokens, two stores
 * (as the CLI and the daemon would be) sharing one file, the row reader,
 * the plan loader and the transaction handle.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "mingle/auth.h"
#include "mingle/store.h"
#include "support.h"

/* White-box: the store's own row reader is tested directly. */
#include "../../src/store/internal.h"

struct fixture {
    char *dir;
    char *db;
    struct mg_store *st;
};

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

/* Read one integer with the plain sqlite3 API, independent of the store. */
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

static void sample_circle(struct mg_circle *c)
{
    memset(c, 0, sizeof(*c));
    c->title = mg_xstrdup("Atlas circle");
    c->time_zone = mg_xstrdup("Pacific/Auckland");
    memcpy(c->start_date, "2027-02-02", 11);
    c->weeks = 4;
    c->n_slots = 2;
    c->slots = mg_xcalloc(2, sizeof(*c->slots));
    c->slots[0].weekday = 2;
    c->slots[0].start_minute = 19 * 60 + 30;
    c->slots[0].minutes = 60;
    c->slots[1].weekday = 4;
    c->slots[1].start_minute = 12 * 60;
    c->slots[1].minutes = 30;
    c->group_min = 6;
    c->group_max = 8;
    c->organizer_email = mg_xstrdup("circles@example.org");
}

static void test_migrate_from_empty(void **state)
{
    struct fixture *f = *state;
    int version = -1;

    assert_int_equal(mg_store_schema_version(&version, f->st), 0);
    assert_int_equal(version, mg_store_schema_latest());
    assert_true(version >= 1);
    /* Checked from outside the store: WAL mode persists in the file. */
    assert_int_equal(query_int(f->db, "PRAGMA user_version"), version);
    {
        sqlite3 *conn = NULL;
        sqlite3_stmt *stmt = NULL;
        assert_int_equal(sqlite3_open(f->db, &conn), SQLITE_OK);
        sqlite3_prepare_v2(conn, "PRAGMA journal_mode", -1, &stmt, NULL);
        assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
        assert_string_equal((const char *)sqlite3_column_text(stmt, 0), "wal");
        sqlite3_finalize(stmt);
        sqlite3_close(conn);
    }
    /* Every table the design names exists. */
    {
        static const char *const tables[] = {
            "circles", "slots", "books", "sections", "threads", "readings",
            "participants", "groups", "memberships", "sessions", "rsvps",
            "attendance", "notes", "outbox", "tokens", "webhook_receipts",
            /* migration 20, issue #18: the sign-up page */
            "signup_settings", "signups"};
        size_t i;
        for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
            char *sql = mg_xasprintf("SELECT count(*) FROM sqlite_schema "
                                     "WHERE type = 'table' AND name = '%s'",
                                     tables[i]);
            assert_int_equal(query_int(f->db, sql), 1);
            free(sql);
        }
    }
}

static void test_migrate_rerun(void **state)
{
    struct fixture *f = *state;
    struct mg_store *again = NULL;
    struct mg_store_options opt = {1, 2000};
    struct mg_error err = {{0}, {0}};
    struct mg_circle c, *got = NULL;
    int version = 0;

    sample_circle(&c);
    assert_int_equal(mg_store_circle_create(f->st, &c), 0);
    /* Opening again applies nothing and keeps the data. */
    assert_int_equal(mg_store_open(&again, f->db, &opt, &err), 0);
    assert_int_equal(mg_store_schema_version(&version, again), 0);
    assert_int_equal(version, mg_store_schema_latest());
    assert_int_equal(mg_store_circle_get(&got, again, c.id), 0);
    assert_string_equal(got->title, "Atlas circle");
    mg_circle_free(got);
    mg_store_close(again);
    mg_circle_release(&c);
}

static void test_refuses_newer_schema(void **state)
{
    struct fixture *f = *state;
    struct mg_store *again = NULL;
    struct mg_error err = {{0}, {0}};
    sqlite3 *conn = NULL;
    char *sql =
        mg_xasprintf("PRAGMA user_version=%d", mg_store_schema_latest() + 1);

    assert_int_equal(sqlite3_open(f->db, &conn), SQLITE_OK);
    assert_int_equal(sqlite3_exec(conn, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(conn);
    free(sql);
    assert_int_equal(mg_store_open(&again, f->db, NULL, &err), MG_EINVAL);
    assert_non_null(strstr(err.message, "schema version"));
}

static void test_open_bad_path(void **state)
{
    struct mg_store *st = NULL;
    struct mg_error err = {{0}, {0}};

    (void)state;
    assert_int_equal(mg_store_open(&st, "/nonexistent-dir/x/y.db", NULL, &err),
                     MG_EDB);
    assert_null(st);
    assert_non_null(strstr(err.message, "/nonexistent-dir/x/y.db"));
}

static void test_circle_roundtrip(void **state)
{
    struct fixture *f = *state;
    struct mg_circle c, *got = NULL;

    sample_circle(&c);
    c.slug = mg_xstrdup("atlas");
    assert_int_equal(mg_store_circle_create(f->st, &c), 0);
    assert_true(c.id > 0);
    assert_true(c.slots[0].id > 0 && c.slots[1].id > 0);
    assert_int_equal(mg_store_circle_get(&got, f->st, c.id), 0);
    assert_string_equal(got->title, "Atlas circle");
    assert_string_equal(got->slug, "atlas");
    assert_string_equal(got->time_zone, "Pacific/Auckland");
    assert_string_equal(got->start_date, "2027-02-02");
    assert_int_equal(got->weeks, 4);
    assert_int_equal(got->n_slots, 2);
    assert_int_equal(got->slots[0].weekday, 2);
    assert_int_equal(got->slots[0].start_minute, 1170);
    assert_int_equal(got->slots[1].minutes, 30);
    assert_int_equal(got->group_min, 6);
    assert_int_equal(got->group_max, 8);
    assert_null(got->video_url);
    assert_string_equal(got->organizer_email, "circles@example.org");
    assert_string_equal(got->language, "en"); /* "" is stored as English */
    mg_circle_free(got);
    got = NULL;
    assert_int_equal(mg_store_circle_get_by_slug(&got, f->st, "atlas"), 0);
    assert_int_equal(got->id, c.id);
    memcpy(got->language, "mi", 3);
    assert_int_equal(mg_store_circle_update(f->st, got), 0);
    mg_circle_free(got);
    got = NULL;
    assert_int_equal(mg_store_circle_get(&got, f->st, c.id), 0);
    assert_string_equal(got->language, "mi");
    mg_circle_free(got);
    mg_circle_release(&c);
}

/* A file at version 10 gains the circle's language (11): its circles
 * keep their fields and read as English. */
static void test_migrate_10_to_11(void **state)
{
    struct fixture *f = *state;
    struct mg_store_options opt = {1, 2000};
    struct mg_error err = {{0}, {0}};
    struct mg_circle c, *got = NULL;
    sqlite3 *conn = NULL;
    int version = 0;

    sample_circle(&c);
    memcpy(c.language, "mi", 3);
    assert_int_equal(mg_store_circle_create(f->st, &c), 0);
    mg_store_close(f->st);
    f->st = NULL;
    assert_int_equal(sqlite3_open(f->db, &conn), SQLITE_OK);
    assert_int_equal(sqlite3_exec(conn,
                                  "ALTER TABLE circles DROP COLUMN language; "
                                  "PRAGMA user_version=10",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(conn);
    assert_int_equal(mg_store_open(&f->st, f->db, &opt, &err), 0);
    assert_int_equal(mg_store_schema_version(&version, f->st), 0);
    assert_int_equal(version, mg_store_schema_latest());
    assert_int_equal(mg_store_circle_get(&got, f->st, c.id), 0);
    assert_string_equal(got->title, "Atlas circle");
    assert_int_equal(got->n_slots, 2);
    assert_string_equal(got->language, "en");
    mg_circle_free(got);
    mg_circle_release(&c);
}

/* Migration 14 adds calendar_failures to a database of 13 whose circles
 * survive; the failures recorded are listed, replaced and cleared
 * (issue 16, item 3). */
static void test_migrate_13_to_14(void **state)
{
    struct fixture *f = *state;
    struct mg_store_options opt = {1, 2000};
    struct mg_error err = {{0}, {0}};
    struct mg_circle c, *got = NULL;
    struct mg_calendar_failure_row fail = {7, "", "bad duration", 0}, *rows;
    const int64_t fine = 7;
    sqlite3 *conn = NULL;
    size_t n = 0;
    int version = 0;

    sample_circle(&c);
    assert_int_equal(mg_store_circle_create(f->st, &c), 0);
    mg_store_close(f->st);
    f->st = NULL;
    assert_int_equal(sqlite3_open(f->db, &conn), SQLITE_OK);
    assert_int_equal(sqlite3_exec(conn,
                                  "DROP TABLE calendar_failures; "
                                  "PRAGMA user_version=13",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(conn);
    assert_int_equal(mg_store_open(&f->st, f->db, &opt, &err), 0);
    assert_int_equal(mg_store_schema_version(&version, f->st), 0);
    assert_int_equal(version, mg_store_schema_latest());
    assert_int_equal(mg_store_circle_get(&got, f->st, c.id), 0);
    assert_string_equal(got->title, "Atlas circle");
    mg_circle_free(got);
    assert_int_equal(
        mg_store_calendar_failures_record(f->st, c.id, 0, NULL, 0, &fail, 1),
        0);
    snprintf(fail.cause, sizeof(fail.cause), "%s", "still bad");
    assert_int_equal(
        mg_store_calendar_failures_record(f->st, c.id, 0, NULL, 0, &fail, 1),
        0);
    rows = NULL;
    assert_int_equal(mg_store_calendar_failures_list(&rows, &n, f->st, c.id),
                     0);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].group_id, 7);
    assert_string_equal(rows[0].cause, "still bad");
    assert_true(rows[0].at > 0);
    free(rows);
    /* the group did fine the next time: cleared */
    assert_int_equal(
        mg_store_calendar_failures_record(f->st, c.id, 0, &fine, 1, NULL, 0),
        0);
    rows = NULL;
    assert_int_equal(mg_store_calendar_failures_list(&rows, &n, f->st, c.id),
                     0);
    assert_int_equal(n, 0);
    free(rows);
    mg_circle_release(&c);
}

/* A file at version 14 gains plenary RSVPs and RSVP receipts (15): its
 * plenaries and registrations survive; the new tables start empty. */
static void test_migrate_14_to_15(void **state)
{
    struct fixture *f = *state;
    struct mg_store_options opt = {1, 2000};
    struct mg_error err = {{0}, {0}};
    struct mg_circle c;
    struct mg_plenary_row p, back;
    sqlite3 *conn = NULL;
    int version = 0, seen = 1;

    sample_circle(&c);
    assert_int_equal(mg_store_circle_create(f->st, &c), 0);
    memset(&p, 0, sizeof(p));
    p.circle_id = c.id;
    p.title = mg_xstrdup("Kick-off");
    p.starts_at = 1805178600;
    p.minutes = 60;
    p.weeks = 3;
    p.capacity = 30;
    memcpy(p.uid, "0123@mingle", 12);
    assert_int_equal(mg_store_plenary_create(f->st, &p), 0);
    mg_store_close(f->st);
    f->st = NULL;
    assert_int_equal(sqlite3_open(f->db, &conn), SQLITE_OK);
    assert_int_equal(sqlite3_exec(conn,
                                  "DROP TABLE plenary_rsvps; DROP TABLE "
                                  "rsvp_receipts; PRAGMA user_version=14",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(conn);
    assert_int_equal(mg_store_open(&f->st, f->db, &opt, &err), 0);
    assert_int_equal(mg_store_schema_version(&version, f->st), 0);
    assert_int_equal(version, mg_store_schema_latest());
    assert_int_equal(mg_store_plenary_get(&back, f->st, c.id, p.id), 0);
    assert_string_equal(back.title, "Kick-off");
    assert_int_equal(back.weeks, 3);
    mg_store_plenary_release(&back);
    assert_int_equal(query_int(f->db, "SELECT count(*) FROM plenary_rsvps"), 0);
    assert_int_equal(mg_store_rsvp_receipt_seen(&seen, f->st, "<a@b>"), 0);
    assert_int_equal(seen, 0);
    assert_int_equal(mg_store_rsvp_receipt_add(f->st, "<a@b>", "recorded"), 0);
    assert_int_equal(mg_store_rsvp_receipt_add(f->st, "<a@b>", "recorded"), 0);
    assert_int_equal(mg_store_rsvp_receipt_seen(&seen, f->st, "<a@b>"), 0);
    assert_int_equal(seen, 1);
    mg_store_plenary_release(&p);
    mg_circle_release(&c);
}

/*
 * Issue 18 items 8 and 10, migration 22: groups from before get a room
 * with a random part of their own (24 hex characters, no two alike);
 * a circle's template and alarm and a plenary's link read back; a new
 * group gets its room when it is made.
 */
static void test_migrate_rooms(void **state)
{
    struct fixture *f = *state;
    struct mg_store_options opt = {1, 2000};
    struct mg_error err = {{0}, {0}};
    struct mg_circle c, *back = NULL;
    struct mg_group_row g[2];
    struct mg_group_room *rooms = NULL;
    int64_t people[1];
    int index[1] = {0};
    sqlite3 *conn = NULL;
    size_t n = 0, i;
    int version = 0, changed = 0;

    sample_circle(&c);
    assert_int_equal(mg_store_circle_create(f->st, &c), 0);
    memset(g, 0, sizeof(g));
    for (i = 0; i < 2; i++) {
        g[i].position = (int)i + 1;
        g[i].name = mg_xasprintf("Group %zu", i + 1);
    }
    assert_int_equal(
        mg_store_groups_replace(f->st, c.id, g, 2, people, index, 0), 0);
    mg_store_close(f->st);
    f->st = NULL;
    /* as before migration 22 (those after it replay as no-ops) */
    {
        char *sql = mg_xasprintf("DROP TABLE group_rooms; DROP TABLE "
                                 "circle_calls; DROP TABLE plenary_rooms; "
                                 "PRAGMA user_version=%d",
                                 21);

        assert_int_equal(sqlite3_open(f->db, &conn), SQLITE_OK);
        assert_int_equal(sqlite3_exec(conn, sql, NULL, NULL, NULL), SQLITE_OK);
        free(sql);
    }
    sqlite3_close(conn);
    assert_int_equal(mg_store_open(&f->st, f->db, &opt, &err), 0);
    assert_int_equal(mg_store_schema_version(&version, f->st), 0);
    assert_int_equal(version, mg_store_schema_latest());
    assert_int_equal(mg_store_group_rooms(&rooms, &n, f->st, c.id, NULL, 0), 0);
    assert_int_equal(n, 2);
    for (i = 0; i < 2; i++) {
        assert_null(rooms[i].call_url);
        assert_int_equal(strlen(rooms[i].secret), MG_ROOM_SECRET_LEN);
        assert_int_equal(strspn(rooms[i].secret, "0123456789abcdef"),
                         MG_ROOM_SECRET_LEN);
    }
    assert_string_not_equal(rooms[0].secret, rooms[1].secret);
    mg_store_group_rooms_free(rooms, n);
    /* the circle reads the default alarm with no row of its own */
    assert_int_equal(mg_store_circle_get(&back, f->st, c.id), 0);
    assert_int_equal(mg_circle_alarm(back), 15);
    assert_null(back->call_url_template);
    mg_circle_free(back);
    /* set, read back; 0 minutes is none */
    c.call_url_template = mg_xstrdup("https://meet.jit.si/{group}-{secret}");
    c.alarm_minutes = -1;
    assert_int_equal(mg_store_circle_update(f->st, &c), 0);
    assert_int_equal(mg_store_circle_get(&back, f->st, c.id), 0);
    assert_string_equal(back->call_url_template,
                        "https://meet.jit.si/{group}-{secret}");
    assert_int_equal(mg_circle_alarm(back), 0);
    mg_circle_free(back);
    /* a group's own link: changed once, its sequence up once */
    assert_int_equal(mg_store_group_call_url_set(&changed, f->st, c.id, g[0].id,
                                                 "https://x.org/a"),
                     0);
    assert_true(changed);
    assert_int_equal(mg_store_group_call_url_set(&changed, f->st, c.id, g[0].id,
                                                 "https://x.org/a"),
                     0);
    assert_false(changed);
    assert_int_equal(query_int(f->db, "SELECT sequence FROM groups ORDER BY "
                                      "position LIMIT 1"),
                     1);
    assert_int_equal(mg_store_group_call_url_set(&changed, f->st, c.id + 1,
                                                 g[0].id, "https://x.org/b"),
                     MG_ENOTFOUND);
    for (i = 0; i < 2; i++)
        free(g[i].name);
    mg_circle_release(&c);
}

/* The daemon's keys: made once per name, the same on every later read
 * (also from a second connection), different between names. */
/*
 * Issue 19 item 5, migration 26: a circle made before it is kept until
 * purged by hand (an upgrade erases nothing by itself); one made after
 * has no row of its own and takes the default period.
 */
static void test_migrate_retention(void **state)
{
    struct fixture *f = *state;
    struct mg_store_options opt = {1, 2000};
    struct mg_error err = {{0}, {0}};
    struct mg_store_retention r;
    struct mg_circle old, young;
    sqlite3 *conn = NULL;

    sample_circle(&old);
    assert_int_equal(mg_store_circle_create(f->st, &old), 0);
    mg_store_close(f->st);
    f->st = NULL;
    assert_int_equal(sqlite3_open(f->db, &conn), SQLITE_OK);
    assert_int_equal(sqlite3_exec(conn,
                                  "DROP TABLE retention_settings; DROP TABLE "
                                  "retention_purges; PRAGMA user_version=25",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(conn);
    assert_int_equal(mg_store_open(&f->st, f->db, &opt, &err), 0);
    assert_int_equal(mg_store_retention_get(&r, f->st, old.id), 0);
    assert_true(r.found);
    assert_int_equal(r.days, 0);
    sample_circle(&young);
    assert_int_equal(mg_store_circle_create(f->st, &young), 0);
    assert_int_equal(mg_store_retention_get(&r, f->st, young.id), 0);
    assert_false(r.found);
    mg_circle_release(&old);
    mg_circle_release(&young);
}

static void test_keys(void **state)
{
    struct fixture *f = *state;
    unsigned char a[MG_KEY_LEN], b[MG_KEY_LEN], c[MG_KEY_LEN];
    static const unsigned char zero[MG_KEY_LEN];

    assert_int_equal(mg_store_key(a, f->st, "signup-form"), 0);
    assert_int_equal(mg_store_key(b, f->st, "signup-form"), 0);
    assert_memory_equal(a, b, MG_KEY_LEN);
    assert_memory_not_equal(a, zero, MG_KEY_LEN);
    assert_int_equal(mg_store_key(c, f->st, "reminder-link"), 0);
    assert_memory_not_equal(a, c, MG_KEY_LEN);
    assert_int_equal(query_int(f->db, "SELECT count(*) FROM keys"), 2);
}

/*
 * Move requests (issue #18 item 11, migration 23): one open request a
 * person, a new one replacing it; lists by status, person and page;
 * closing once (a second close is a conflict, another circle's id not
 * found); a move closes it as done; erasing the person takes it away.
 */
static void test_move_requests(void **state)
{
    struct fixture *f = *state;
    struct mg_circle c, d;
    struct mg_participant p[2];
    struct mg_move_request m, *list = NULL;
    struct mg_move_filter any = {-1, 0, 0, 0};
    struct mg_move_filter open = {MG_MOVE_OPEN, 0, 0, 0};
    struct mg_erasure e;
    int64_t slots[2], first = 0, second = 0, other = 0;
    size_t n = 0, count = 0;
    int closed = 0;

    sample_circle(&c);
    sample_circle(&d);
    assert_int_equal(mg_store_circle_create(f->st, &c), 0);
    assert_int_equal(mg_store_circle_create(f->st, &d), 0);
    memset(p, 0, sizeof(p));
    p[0].name = mg_xstrdup("Ann");
    p[0].email = mg_xstrdup("ann@example.org");
    p[1].name = mg_xstrdup("Bo");
    p[1].email = mg_xstrdup("bo@example.org");
    assert_int_equal(mg_store_participants_insert(NULL, f->st, c.id, p, 2), 0);
    slots[0] = c.slots[0].id;
    slots[1] = c.slots[1].id;
    memset(&m, 0, sizeof(m));
    m.circle_id = c.id;
    m.participant_id = p[0].id;
    m.slot_ids = slots;
    m.n_slots = 2;
    m.wishes[0] = 7;
    m.wishes[1] = 5;
    m.n_wishes = 2;
    m.note = (char *)"evenings are hard";
    assert_int_equal(mg_store_move_request_put(&first, f->st, &m), 0);
    /* a second request from Ann rewrites her open one */
    m.n_slots = 1;
    m.n_wishes = 0;
    m.note = NULL;
    assert_int_equal(mg_store_move_request_put(&second, f->st, &m), 0);
    assert_int_equal(second, first);
    m.participant_id = p[1].id;
    assert_int_equal(mg_store_move_request_put(&other, f->st, &m), 0);
    /* not a person of that circle */
    m.circle_id = d.id;
    assert_int_equal(mg_store_move_request_put(&first, f->st, &m),
                     MG_ENOTFOUND);
    assert_int_equal(mg_store_move_requests_list(&list, &n, f->st, c.id, &any),
                     0);
    assert_int_equal(n, 2);
    assert_int_equal(list[0].id, second);
    assert_int_equal(list[0].participant_id, p[0].id);
    assert_int_equal(list[0].n_slots, 1);
    assert_int_equal(list[0].slot_ids[0], slots[0]);
    assert_int_equal(list[0].n_wishes, 0);
    assert_null(list[0].note);
    assert_string_equal(list[0].name, "Ann");
    assert_int_equal(list[0].status, MG_MOVE_OPEN);
    mg_store_move_requests_free(list, n);
    /* a page at a time */
    open.limit = 1;
    assert_int_equal(mg_store_move_requests_list(&list, &n, f->st, c.id, &open),
                     0);
    assert_int_equal(n, 1);
    open.after = list[0].id;
    mg_store_move_requests_free(list, n);
    assert_int_equal(mg_store_move_requests_list(&list, &n, f->st, c.id, &open),
                     0);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].id, other);
    mg_store_move_requests_free(list, n);
    /* dismissed once; again a conflict; from another circle not found */
    assert_int_equal(
        mg_store_move_request_close(f->st, c.id, second, MG_MOVE_DISMISSED), 0);
    assert_int_equal(
        mg_store_move_request_close(f->st, c.id, second, MG_MOVE_DISMISSED),
        MG_ECONFLICT);
    assert_int_equal(
        mg_store_move_request_close(f->st, d.id, other, MG_MOVE_DISMISSED),
        MG_ENOTFOUND);
    assert_int_equal(
        mg_store_move_requests_count(&count, f->st, c.id, MG_MOVE_OPEN), 0);
    assert_int_equal(count, 1);
    /* Bo was moved: his request is done, and there is nothing to close
     * for Ann */
    assert_int_equal(mg_store_move_requests_done(&closed, f->st, c.id, p[1].id),
                     0);
    assert_int_equal(closed, 1);
    assert_int_equal(mg_store_move_requests_done(&closed, f->st, c.id, p[0].id),
                     0);
    assert_int_equal(closed, 0);
    assert_int_equal(query_int(f->db, "SELECT count(*) FROM move_requests "
                                      "WHERE status = 'done' AND "
                                      "decided_at > 0"),
                     1);
    /* erasing Ann takes her requests with her */
    assert_int_equal(mg_store_participant_erase(&e, f->st, c.id, p[0].id), 0);
    assert_int_equal(query_int(f->db, "SELECT count(*) FROM move_requests"), 1);
    mg_participant_release(&p[0]);
    mg_participant_release(&p[1]);
    mg_circle_release(&c);
    mg_circle_release(&d);
}

static void test_circle_slug_conflict(void **state)
{
    struct fixture *f = *state;
    struct mg_circle a, b;

    sample_circle(&a);
    sample_circle(&b);
    a.slug = mg_xstrdup("same");
    b.slug = mg_xstrdup("same");
    assert_int_equal(mg_store_circle_create(f->st, &a), 0);
    assert_int_equal(mg_store_circle_create(f->st, &b), MG_ECONFLICT);
    /* The failed create left nothing behind, slots included. */
    assert_int_equal(query_int(f->db, "SELECT count(*) FROM circles"), 1);
    assert_int_equal(query_int(f->db, "SELECT count(*) FROM slots"), 2);
    mg_circle_release(&a);
    mg_circle_release(&b);
}

static void test_circle_update_keeps_slot_ids(void **state)
{
    struct fixture *f = *state;
    struct mg_circle c, *got = NULL;
    int64_t tuesday_id;

    sample_circle(&c);
    assert_int_equal(mg_store_circle_create(f->st, &c), 0);
    tuesday_id = c.slots[0].id;
    /* Drop Thursday, keep Tuesday (longer now), add Sunday first. */
    c.slots[1] = c.slots[0];
    c.slots[1].minutes = 90;
    c.slots[0].id = 0;
    c.slots[0].weekday = 7;
    c.slots[0].start_minute = 600;
    c.slots[0].minutes = 45;
    free(c.title);
    c.title = mg_xstrdup("Renamed");
    assert_int_equal(mg_store_circle_update(f->st, &c), 0);
    assert_int_equal(mg_store_circle_get(&got, f->st, c.id), 0);
    assert_string_equal(got->title, "Renamed");
    assert_int_equal(got->n_slots, 2);
    assert_int_equal(got->slots[0].weekday, 7);
    assert_int_equal(got->slots[1].weekday, 2);
    assert_int_equal(got->slots[1].id, tuesday_id);
    assert_int_equal(got->slots[1].minutes, 90);
    assert_int_equal(query_int(f->db, "SELECT count(*) FROM slots"), 2);
    mg_circle_free(got);
    c.id = 999;
    assert_int_equal(mg_store_circle_update(f->st, &c), MG_ENOTFOUND);
    mg_circle_release(&c);
}

static void test_circle_list_and_delete(void **state)
{
    struct fixture *f = *state;
    struct mg_circle c;
    struct mg_circle *list = NULL;
    struct mg_circle *got = NULL;
    size_t n = 0;
    int64_t ids[5];
    int i;

    for (i = 0; i < 5; i++) {
        sample_circle(&c);
        assert_int_equal(mg_store_circle_create(f->st, &c), 0);
        ids[i] = c.id;
        mg_circle_release(&c);
    }
    assert_int_equal(mg_store_circle_list(&list, &n, f->st, 0, 3), 0);
    assert_int_equal(n, 3);
    assert_int_equal(list[0].id, ids[0]);
    assert_int_equal(list[2].id, ids[2]);
    assert_int_equal(list[1].n_slots, 2);
    mg_store_circles_free(list, n);
    assert_int_equal(mg_store_circle_list(&list, &n, f->st, ids[2], 3), 0);
    assert_int_equal(n, 2);
    assert_int_equal(list[0].id, ids[3]);
    mg_store_circles_free(list, n);

    assert_int_equal(mg_store_circle_delete(f->st, ids[1]), 0);
    assert_int_equal(mg_store_circle_get(&got, f->st, ids[1]), MG_ENOTFOUND);
    assert_int_equal(mg_store_circle_delete(f->st, ids[1]), MG_ENOTFOUND);
    /* Slots went with the circle (foreign keys are on). */
    assert_int_equal(query_int(f->db, "SELECT count(*) FROM slots"), 8);
}

static void test_tokens(void **state)
{
    struct fixture *f = *state;
    struct mg_token tok, seen, *list = NULL;
    unsigned char hash[MG_TOKEN_HASH_LEN], other[MG_TOKEN_HASH_LEN];
    char token[MG_TOKEN_LEN + 1];
    size_t n = 0;
    int revoked = 0;

    memset(&tok, 0, sizeof(tok));
    tok.role = MG_ROLE_COORDINATOR;
    snprintf(tok.label, sizeof(tok.label), "ops");
    mg_auth_token_new(token, tok.public_id, hash);
    assert_int_equal(mg_store_token_insert(f->st, &tok, hash), 0);
    assert_true(tok.id > 0);
    /* The secret never reaches the file: only its hash. */
    assert_int_equal(query_int(f->db, "SELECT length(hash) FROM tokens"),
                     MG_TOKEN_HASH_LEN);

    assert_int_equal(mg_store_token_check(&seen, f->st, tok.public_id, hash),
                     0);
    assert_int_equal(seen.role, MG_ROLE_COORDINATOR);
    assert_string_equal(seen.label, "ops");
    memcpy(other, hash, sizeof(other));
    other[31] ^= 1;
    assert_int_equal(mg_store_token_check(&seen, f->st, tok.public_id, other),
                     MG_EAUTH);
    assert_int_equal(
        mg_store_token_check(&seen, f->st, "0000000000000000", hash), MG_EAUTH);

    assert_int_equal(mg_store_token_list(&list, &n, f->st), 0);
    assert_int_equal(n, 1);
    assert_string_equal(list[0].public_id, tok.public_id);
    free(list);

    assert_int_equal(mg_store_token_revoke(f->st, tok.public_id), 0);
    assert_int_equal(mg_store_token_check(&seen, f->st, tok.public_id, hash),
                     MG_EAUTH);
    assert_int_equal(mg_store_token_revoke(f->st, tok.public_id), MG_ENOTFOUND);
    assert_int_equal(mg_store_token_revoke_label(&revoked, f->st, "ops"), 0);
    assert_int_equal(revoked, 0);
}

static void test_token_for_missing_circle(void **state)
{
    struct fixture *f = *state;
    struct mg_token tok;
    unsigned char hash[MG_TOKEN_HASH_LEN];
    char token[MG_TOKEN_LEN + 1];

    memset(&tok, 0, sizeof(tok));
    tok.role = MG_ROLE_FACILITATOR;
    tok.circle_id = 4242;
    mg_auth_token_new(token, tok.public_id, hash);
    assert_int_equal(mg_store_token_insert(f->st, &tok, hash), MG_EINVAL);
}

/* Dashboard sessions: hash only, expiry, revocation of the session and
 * of the API token behind it. */
static void test_web_sessions(void **state)
{
    struct fixture *f = *state;
    struct mg_token tok, seen;
    struct mg_web_session s, got;
    unsigned char hash[MG_TOKEN_HASH_LEN], shash[MG_TOKEN_HASH_LEN];
    unsigned char other[MG_TOKEN_HASH_LEN];
    char token[MG_TOKEN_LEN + 1], session[MG_TOKEN_LEN + 1];
    int64_t now = mg_now();

    memset(&tok, 0, sizeof(tok));
    tok.role = MG_ROLE_COORDINATOR;
    mg_auth_token_new(token, tok.public_id, hash);
    assert_int_equal(mg_store_token_insert(f->st, &tok, hash), 0);
    memset(&s, 0, sizeof(s));
    mg_auth_token_new(session, s.public_id, shash);
    snprintf(s.csrf, sizeof(s.csrf), "%s", "0123456789abcdef0123456789abcdef");
    s.token_id = tok.id;
    s.expires_at = now + 3600;
    assert_int_equal(mg_store_web_session_insert(f->st, &s, shash), 0);
    assert_true(s.id > 0);
    assert_int_equal(query_int(f->db, "SELECT length(hash) FROM web_sessions"),
                     MG_TOKEN_HASH_LEN);

    assert_int_equal(
        mg_store_web_session_check(&got, &seen, f->st, s.public_id, shash, now),
        0);
    assert_string_equal(got.csrf, s.csrf);
    assert_int_equal(got.token_id, tok.id);
    assert_int_equal(seen.id, tok.id);
    assert_int_equal(seen.role, MG_ROLE_COORDINATOR);
    /* A wrong secret, an unknown id, an expired session. */
    memcpy(other, shash, sizeof(other));
    other[0] ^= 1;
    assert_int_equal(
        mg_store_web_session_check(&got, &seen, f->st, s.public_id, other, now),
        MG_EAUTH);
    assert_int_equal(mg_store_web_session_check(&got, &seen, f->st,
                                                "0000000000000000", shash, now),
                     MG_EAUTH);
    assert_int_equal(mg_store_web_session_check(&got, &seen, f->st, s.public_id,
                                                shash, now + 3600),
                     MG_EAUTH);
    /* Revoking the API token ends the session. */
    assert_int_equal(mg_store_token_revoke(f->st, tok.public_id), 0);
    assert_int_equal(
        mg_store_web_session_check(&got, &seen, f->st, s.public_id, shash, now),
        MG_EAUTH);
    assert_int_equal(mg_store_web_session_revoke(f->st, s.public_id), 0);
    assert_int_equal(mg_store_web_session_revoke(f->st, s.public_id),
                     MG_ENOTFOUND);
}

/* A file at version 7 gains the plenary tables (8) and keeps its circles;
 * a plenary can then be stored and read back with its counts. */
static void test_migrate_7_to_8(void **state)
{
    struct fixture *f = *state;
    struct mg_store_options opt = {1, 2000};
    struct mg_error err = {{0}, {0}};
    struct mg_circle c, *got = NULL;
    struct mg_plenary_row p, back;
    sqlite3 *conn = NULL;
    int version = 0;

    sample_circle(&c);
    assert_int_equal(mg_store_circle_create(f->st, &c), 0);
    mg_store_close(f->st);
    f->st = NULL;
    assert_int_equal(sqlite3_open(f->db, &conn), SQLITE_OK);
    assert_int_equal(sqlite3_exec(conn,
                                  "ALTER TABLE circles DROP COLUMN language; "
                                  "ALTER TABLE outbox DROP COLUMN claimed_by; "
                                  "DROP TABLE audit_log; DROP TABLE "
                                  "registrations; DROP TABLE "
                                  "plenaries; PRAGMA user_version=7",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(conn);
    assert_int_equal(mg_store_open(&f->st, f->db, &opt, &err), 0);
    assert_int_equal(mg_store_schema_version(&version, f->st), 0);
    assert_int_equal(version, mg_store_schema_latest());
    assert_int_equal(mg_store_circle_get(&got, f->st, c.id), 0);
    assert_string_equal(got->title, "Atlas circle");
    mg_circle_free(got);
    memset(&p, 0, sizeof(p));
    p.circle_id = c.id;
    p.title = mg_xstrdup("Kick-off");
    p.starts_at = 1805178600;
    p.minutes = 90;
    p.weeks = 1;
    p.capacity = 200;
    memcpy(p.uid, "0123@mingle", 12);
    assert_int_equal(mg_store_plenary_create(f->st, &p), 0);
    assert_int_equal(mg_store_plenary_get(&back, f->st, c.id, p.id), 0);
    assert_string_equal(back.title, "Kick-off");
    assert_null(back.guest);
    assert_int_equal(back.capacity, 200);
    assert_int_equal(back.registered, 0);
    assert_int_equal(back.status, MG_STORE_PLENARY_CONFIRMED);
    mg_store_plenary_release(&back);
    mg_store_plenary_release(&p);
    assert_int_equal(mg_store_plenary_get(&back, f->st, c.id + 1, p.id),
                     MG_ENOTFOUND);
    mg_circle_release(&c);
}

/* Run `sql` on the fixture's file with the plain sqlite3 API. */
static void exec_sql(const char *db, const char *sql)
{
    sqlite3 *conn = NULL;
    char *msg = NULL;

    assert_int_equal(sqlite3_open(db, &conn), SQLITE_OK);
    sqlite3_exec(conn, "PRAGMA foreign_keys=ON", NULL, NULL, NULL);
    if (sqlite3_exec(conn, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg);
    sqlite3_close(conn);
}

/* A person and a group of circle `circle` in the file; their ids are 1. */
static void person_and_group(const char *db, int64_t circle)
{
    char *sql = mg_xasprintf(
        "INSERT INTO participants (id, circle_id, name, email, email_norm, "
        "created_at, updated_at) VALUES (1, %lld, 'Ana', 'ana@example.org', "
        "'ana@example.org', 1, 1); INSERT INTO groups (id, circle_id, "
        "position, name, created_at, uid) VALUES (1, %lld, 1, 'Group 1', 1, "
        "'g1')",
        (long long)circle, (long long)circle);

    exec_sql(db, sql);
    free(sql);
}

/* Issue #16, item 7: a file at version 12, whose invites' UIDs were
 * unique, keeps its invites at 13, and two members' invites may then
 * share their group's UID. */
static void test_migrate_12_to_13(void **state)
{
    struct fixture *f = *state;
    struct mg_store_options opt = {1, 2000};
    struct mg_error err = {{0}, {0}};
    struct mg_circle c;
    int version = 0;
    char *sql;

    sample_circle(&c);
    assert_int_equal(mg_store_circle_create(f->st, &c), 0);
    person_and_group(f->db, c.id);
    mg_store_close(f->st);
    f->st = NULL;
    /* the invites table as migration 3 made it */
    sql = mg_xasprintf(
        "DROP TABLE feed_marks; DROP TABLE invites; CREATE TABLE invites ("
        "id INTEGER PRIMARY KEY, circle_id INTEGER NOT NULL REFERENCES "
        "circles(id) ON DELETE CASCADE, group_id INTEGER NOT NULL, "
        "participant_id INTEGER NOT NULL REFERENCES participants(id) ON "
        "DELETE CASCADE, uid TEXT NOT NULL UNIQUE, sequence INTEGER NOT NULL "
        "DEFAULT 0, group_sequence INTEGER NOT NULL DEFAULT 0, state TEXT NOT "
        "NULL DEFAULT 'active', summary TEXT, first_start INTEGER, minutes "
        "INTEGER, weeks INTEGER, updated_at INTEGER NOT NULL, UNIQUE "
        "(group_id, participant_id)); INSERT INTO invites (circle_id, "
        "group_id, participant_id, uid, sequence, summary, updated_at) "
        "VALUES (%lld, 7, 1, 'own@mingle', 3, 'Atlas: Group 7', 5); PRAGMA "
        "user_version=12",
        (long long)c.id);
    exec_sql(f->db, sql);
    free(sql);
    assert_int_equal(mg_store_open(&f->st, f->db, &opt, &err), 0);
    assert_int_equal(mg_store_schema_version(&version, f->st), 0);
    assert_int_equal(version, mg_store_schema_latest());
    assert_int_equal(query_int(f->db, "SELECT sequence FROM invites WHERE "
                                      "uid = 'own@mingle' AND group_id = 7"),
                     3);
    sql = mg_xasprintf("INSERT INTO invites (circle_id, group_id, "
                       "participant_id, uid, updated_at) VALUES (%lld, 8, 1, "
                       "'own@mingle', 6)",
                       (long long)c.id);
    exec_sql(f->db, sql);
    free(sql);
    assert_int_equal(
        query_int(f->db,
                  "SELECT count(*) FROM invites WHERE uid = 'own@mingle'"),
        2);
    assert_int_equal(query_int(f->db, "SELECT count(*) FROM sqlite_schema "
                                      "WHERE name = 'invites_uid'"),
                     1);
    mg_circle_release(&c);
}

/* Issue #16, item 4: a feed's mark moves when its body does, only
 * forward (a second on when the clock has not moved), and goes with its
 * participant or group. */
static void test_feed_marks(void **state)
{
    struct fixture *f = *state;
    struct mg_circle c;
    int64_t at = 0;

    sample_circle(&c);
    assert_int_equal(mg_store_circle_create(f->st, &c), 0);
    person_and_group(f->db, c.id);
    assert_int_equal(mg_store_feed_mark(&at, f->st, c.id, 1, 0, "aa", 1000), 0);
    assert_int_equal(at, 1000);
    /* the same body later: the same time */
    assert_int_equal(mg_store_feed_mark(&at, f->st, c.id, 1, 0, "aa", 1500), 0);
    assert_int_equal(at, 1000);
    /* another body, the clock moved on */
    assert_int_equal(mg_store_feed_mark(&at, f->st, c.id, 1, 0, "bb", 1500), 0);
    assert_int_equal(at, 1500);
    /* another body in the same second, then with the clock behind */
    assert_int_equal(mg_store_feed_mark(&at, f->st, c.id, 1, 0, "cc", 1500), 0);
    assert_int_equal(at, 1501);
    assert_int_equal(mg_store_feed_mark(&at, f->st, c.id, 1, 0, "aa", 900), 0);
    assert_int_equal(at, 1502);
    /* a group's feed is another mark */
    assert_int_equal(mg_store_feed_mark(&at, f->st, c.id, 0, 1, "aa", 1200), 0);
    assert_int_equal(at, 1200);
    assert_int_equal(query_int(f->db, "SELECT count(*) FROM feed_marks"), 2);
    exec_sql(f->db, "DELETE FROM participants WHERE id = 1");
    assert_int_equal(query_int(f->db, "SELECT count(*) FROM feed_marks"), 1);
    exec_sql(f->db, "DELETE FROM groups WHERE id = 1");
    assert_int_equal(query_int(f->db, "SELECT count(*) FROM feed_marks"), 0);
    mg_circle_release(&c);
}

/* A file at version 5 gains the sessions table (6) and the RSVP and
 * target columns (7), and keeps its tokens. */
static void test_migrate_5_to_6(void **state)
{
    struct fixture *f = *state;
    struct mg_store_options opt = {1, 2000};
    struct mg_error err = {{0}, {0}};
    struct mg_token tok;
    unsigned char hash[MG_TOKEN_HASH_LEN];
    char token[MG_TOKEN_LEN + 1];
    sqlite3 *conn = NULL;
    int version = 0;

    memset(&tok, 0, sizeof(tok));
    tok.role = MG_ROLE_COORDINATOR;
    mg_auth_token_new(token, tok.public_id, hash);
    assert_int_equal(mg_store_token_insert(f->st, &tok, hash), 0);
    mg_store_close(f->st);
    f->st = NULL;
    assert_int_equal(sqlite3_open(f->db, &conn), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(
            conn,
            "ALTER TABLE circles DROP COLUMN language; "
            "ALTER TABLE outbox DROP COLUMN claimed_by; DROP TABLE audit_log; "
            "DROP TABLE registrations; "
            "DROP TABLE plenaries; DROP TABLE web_sessions; ALTER TABLE "
            "rsvps DROP COLUMN sequence; ALTER TABLE "
            "circles DROP COLUMN attendance_target; "
            "PRAGMA user_version=5",
            NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(conn);
    assert_int_equal(mg_store_open(&f->st, f->db, &opt, &err), 0);
    assert_int_equal(mg_store_schema_version(&version, f->st), 0);
    assert_int_equal(version, mg_store_schema_latest());
    assert_int_equal(query_int(f->db, "SELECT count(*) FROM web_sessions"), 0);
    assert_int_equal(query_int(f->db, "SELECT count(sequence) FROM rsvps"), 0);
    assert_int_equal(query_int(f->db, "SELECT count(*) FROM tokens"), 1);
    assert_int_equal(query_int(f->db, "SELECT count(*) FROM audit_log"), 0);
}

/* The audit log keeps what it was given, reads one circle's rows or all,
 * oldest first, and pages with `after`. */
static void test_audit_log(void **state)
{
    struct fixture *f = *state;
    struct mg_audit_entry e, *list = NULL;
    size_t n = 0;
    int i;

    for (i = 0; i < 5; i++) {
        memset(&e, 0, sizeof(e));
        e.at = 1800000000 + i;
        snprintf(e.actor, sizeof(e.actor), "%016d", i);
        snprintf(e.label, sizeof(e.label), "alice");
        snprintf(e.via, sizeof(e.via), i == 4 ? "dashboard" : "api");
        snprintf(e.action, sizeof(e.action), "POST /api/v1/circles/{id}/x");
        e.circle_id = i % 2 ? 7 : 8;
        snprintf(e.target, sizeof(e.target), "%lld/%d", (long long)e.circle_id,
                 i);
        e.status = i == 3 ? 403 : 200;
        snprintf(e.client, sizeof(e.client), "203.0.113.%d", i);
        assert_int_equal(mg_store_audit_add(f->st, &e), 0);
    }
    assert_int_equal(mg_store_audit_list(&list, &n, f->st, 0, 0, 100), 0);
    assert_int_equal(n, 5);
    assert_true(list[0].id < list[4].id);
    assert_int_equal(list[4].at, 1800000004);
    assert_string_equal(list[4].via, "dashboard");
    assert_string_equal(list[4].target, "8/4");
    assert_string_equal(list[3].client, "203.0.113.3");
    assert_int_equal(list[3].status, 403);
    assert_string_equal(list[0].label, "alice");
    free(list);
    /* one circle: entries 1 and 3 */
    assert_int_equal(mg_store_audit_list(&list, &n, f->st, 7, 0, 100), 0);
    assert_int_equal(n, 2);
    assert_string_equal(list[0].actor, "0000000000000001");
    assert_string_equal(list[1].actor, "0000000000000003");
    free(list);
    /* paging */
    assert_int_equal(mg_store_audit_list(&list, &n, f->st, 0, 0, 2), 0);
    assert_int_equal(n, 2);
    e.id = list[1].id;
    free(list);
    assert_int_equal(mg_store_audit_list(&list, &n, f->st, 0, e.id, 100), 0);
    assert_int_equal(n, 3);
    assert_string_equal(list[0].actor, "0000000000000002");
    free(list);
}

/* The CLI and the daemon hold the same file open at once. */
static void test_two_stores_share_file(void **state)
{
    struct fixture *f = *state;
    struct mg_store *other = NULL;
    struct mg_store_options opt = {1, 5000};
    struct mg_error err = {{0}, {0}};
    struct mg_circle c, *got = NULL;

    assert_int_equal(mg_store_open(&other, f->db, &opt, &err), 0);
    sample_circle(&c);
    assert_int_equal(mg_store_circle_create(other, &c), 0);
    assert_int_equal(mg_store_circle_get(&got, f->st, c.id), 0);
    assert_string_equal(got->title, c.title);
    mg_circle_free(got);
    assert_int_equal(mg_store_circle_delete(f->st, c.id), 0);
    assert_int_equal(mg_store_circle_get(&got, other, c.id), MG_ENOTFOUND);
    mg_store_close(other);
    mg_circle_release(&c);
}

/* Two senders (the daemon and `mingle outbox flush`) never take the
 * same message: the first to ask claims it. */
static void test_outbox_claims(void **state)
{
    struct fixture *f = *state;
    struct mg_store *other = NULL;
    struct mg_store_options opt = {1, 5000};
    struct mg_error err = {{0}, {0}};
    struct mg_invite_action a;
    struct mg_outbox_row *rows = NULL;
    struct mg_participant p;
    struct mg_circle c;
    size_t n = 0, queued = 0;
    static const char msg[] = "Subject: hi\r\n\r\nhello\r\n";

    sample_circle(&c);
    assert_int_equal(mg_store_circle_create(f->st, &c), 0);
    memset(&p, 0, sizeof(p));
    p.name = mg_xstrdup("Ann");
    p.email = mg_xstrdup("ann@example.org");
    assert_int_equal(mg_store_participants_insert(NULL, f->st, c.id, &p, 1), 0);
    memset(&a, 0, sizeof(a));
    a.group_id = 1;
    a.participant_id = p.id;
    a.uid = "uid-1";
    a.state = MG_STORE_INVITE_ACTIVE;
    a.kind = "invite";
    a.recipient = "ann@example.org";
    a.subject = "hi";
    a.message = msg;
    a.len = sizeof(msg) - 1;
    a.dedupe_key = "uid-1:0:REQUEST";
    assert_int_equal(mg_store_invites_apply(&queued, f->st, c.id, &a, 1), 0);
    assert_int_equal(queued, 1);
    /* The same message again is not queued twice. */
    a.invite_id = 0;
    assert_int_equal(mg_store_invites_apply(&queued, f->st, c.id, &a, 1), 0);
    assert_int_equal(queued, 0);

    assert_int_equal(mg_store_open(&other, f->db, &opt, &err), 0);
    assert_int_equal(mg_store_outbox_due(&rows, &n, f->st, mg_now(), 10), 0);
    assert_int_equal(n, 1);
    assert_memory_equal(rows[0].message, msg, sizeof(msg) - 1);
    mg_store_outbox_free(rows, n);
    assert_int_equal(mg_store_outbox_due(&rows, &n, other, mg_now(), 10), 0);
    assert_int_equal(n, 0);
    mg_store_outbox_free(rows, n);
    /* A sender that died: the lease runs out and the message is due. */
    assert_int_equal(mg_store_outbox_due(&rows, &n, other, mg_now() + 601, 10),
                     0);
    assert_int_equal(n, 1);
    assert_int_equal(mg_store_outbox_sent(other, rows[0].id, mg_now()), 0);
    mg_store_outbox_free(rows, n);
    assert_int_equal(query_int(f->db, "SELECT count(*) FROM outbox WHERE "
                                      "status = 'sent'"),
                     1);
    mg_store_close(other);
    mg_participant_release(&p);
    mg_circle_release(&c);
}

struct num_row {
    int64_t v;
    int64_t untouched; /* never written by read_num: must read as 0 */
};

static void read_num(void *row, sqlite3_stmt *stmt)
{
    struct num_row *r = row;

    r->v = sqlite3_column_int64(stmt, 0);
}

/* store_rows_read grows past its first allocations, zeroes each row,
 * gives NULL for no rows and keeps what it read before a failing step. */
static void test_rows_read(void **state)
{
    struct fixture *f = *state;
    sqlite3 *db = store_acquire(f->st);
    sqlite3_stmt *stmt = NULL;
    struct num_row *rows = NULL;
    size_t n = 0, i;
    uint64_t errors = mg_store_error_count(f->st);

    assert_int_equal(
        store_prepare(&stmt, f->st, db,
                      "WITH RECURSIVE k(x) AS (SELECT 1 UNION ALL SELECT "
                      "x + 1 FROM k WHERE x < ?) SELECT CASE WHEN x <= ? "
                      "THEN x * 10 ELSE abs(-9223372036854775807 - 1) END "
                      "FROM k"),
        0);
    sqlite3_bind_int(stmt, 1, 100);
    sqlite3_bind_int(stmt, 2, 1000);
    assert_int_equal(store_rows_read((void **)&rows, &n, sizeof(*rows), f->st,
                                     db, stmt, read_num, "count"),
                     0);
    assert_int_equal(n, 100);
    for (i = 0; i < n; i++) {
        assert_int_equal(rows[i].v, (int64_t)(i + 1) * 10);
        assert_int_equal(rows[i].untouched, 0);
    }
    free(rows);
    rows = NULL;
    n = 0;

    /* Row 21 overflows: the twenty before it are the caller's to free,
     * and the fault is counted once. */
    sqlite3_reset(stmt);
    sqlite3_bind_int(stmt, 1, 100);
    sqlite3_bind_int(stmt, 2, 20);
    assert_int_equal(store_rows_read((void **)&rows, &n, sizeof(*rows), f->st,
                                     db, stmt, read_num, "count"),
                     MG_EDB);
    assert_int_equal(n, 20);
    assert_non_null(rows);
    assert_int_equal(rows[19].v, 200);
    assert_int_equal(mg_store_error_count(f->st), errors + 1);
    free(rows);
    sqlite3_finalize(stmt);

    /* A statement with no rows leaves the list NULL. */
    rows = NULL;
    n = 0;
    assert_int_equal(store_prepare(&stmt, f->st, db, "SELECT 1 WHERE 0"), 0);
    assert_int_equal(store_rows_read((void **)&rows, &n, sizeof(*rows), f->st,
                                     db, stmt, read_num, "none"),
                     0);
    assert_null(rows);
    assert_int_equal(n, 0);
    sqlite3_finalize(stmt);
    store_release(f->st, db);
}

static void make_groups(struct mg_group_row *g, size_t n)
{
    size_t i;

    memset(g, 0, n * sizeof(*g));
    for (i = 0; i < n; i++) {
        g[i].position = (int)i + 1;
        g[i].name = mg_xasprintf("Group %zu", i + 1);
        g[i].address = mg_xasprintf("atlas-g%zu", i + 1);
    }
}

/*
 * Issue #17 item 14: replacing a circle's groups deleted their
 * facilitator tokens and notes feed secrets. With a carry, each goes to
 * the new group it names: to_person for both kinds; to_members only for
 * feed secrets (a token is a person's, not the members'); nowhere (or a
 * group not in the carry) revokes it.
 */
static void test_groups_replace_carry(void **state)
{
    struct fixture *f = *state;
    struct mg_group_row old[3], now[2];
    struct mg_token tok[3], seen;
    char token[MG_TOKEN_LEN + 1], feed_id[3][MG_TOKEN_ID_LEN + 1];
    unsigned char hash[3][MG_TOKEN_HASH_LEN], feed_hash[3][MG_TOKEN_HASH_LEN];
    struct mg_group_carry carry[2];
    struct mg_circle c;
    int64_t circle, person, group;
    size_t i;

    sample_circle(&c);
    assert_int_equal(mg_store_circle_create(f->st, &c), 0);
    make_groups(old, 3);
    assert_int_equal(
        mg_store_groups_replace(f->st, c.id, old, 3, NULL, NULL, 0), 0);
    for (i = 0; i < 3; i++) {
        memset(&tok[i], 0, sizeof(tok[i]));
        tok[i].role = MG_ROLE_FACILITATOR;
        tok[i].circle_id = c.id;
        tok[i].group_id = old[i].id;
        mg_auth_token_new(token, tok[i].public_id, hash[i]);
        assert_int_equal(mg_store_token_insert(f->st, &tok[i], hash[i]), 0);
        mg_auth_token_new(token, feed_id[i], feed_hash[i]);
        assert_int_equal(mg_store_secret_set(f->st, "notes", feed_id[i],
                                             feed_hash[i], c.id, 0, old[i].id),
                         0);
    }

    make_groups(now, 2);
    carry[0] = (struct mg_group_carry){
        .old_id = old[0].id, .to_person = 1, .to_members = 0};
    carry[1] = (struct mg_group_carry){
        .old_id = old[1].id, .to_person = -1, .to_members = 0};
    assert_int_equal(mg_store_groups_replace_carry(f->st, c.id, now, 2, NULL,
                                                   NULL, 0, carry, 2),
                     0);

    /* group 1's token and feed follow its facilitator to the new group 2 */
    assert_int_equal(
        mg_store_token_check(&seen, f->st, tok[0].public_id, hash[0]), 0);
    assert_int_equal(seen.group_id, now[1].id);
    assert_int_equal(mg_store_secret_check(&circle, &person, &group, f->st,
                                           "notes", feed_id[0], feed_hash[0]),
                     0);
    assert_int_equal(group, now[1].id);
    assert_int_equal(circle, c.id);
    /* group 2 had no facilitator left: its token is revoked, its feed
     * goes where its members went */
    assert_int_equal(
        mg_store_token_check(&seen, f->st, tok[1].public_id, hash[1]),
        MG_EAUTH);
    assert_int_equal(mg_store_secret_check(&circle, &person, &group, f->st,
                                           "notes", feed_id[1], feed_hash[1]),
                     0);
    assert_int_equal(group, now[0].id);
    /* group 3 is in no carry: both revoked, neither deleted */
    assert_int_equal(
        mg_store_token_check(&seen, f->st, tok[2].public_id, hash[2]),
        MG_EAUTH);
    assert_int_equal(mg_store_secret_check(&circle, &person, &group, f->st,
                                           "notes", feed_id[2], feed_hash[2]),
                     MG_EAUTH);
    assert_int_equal(query_int(f->db, "SELECT count(*) FROM tokens WHERE "
                                      "revoked_at IS NOT NULL"),
                     3);
    for (i = 0; i < 3; i++) {
        free(old[i].name);
        free(old[i].address);
    }
    for (i = 0; i < 2; i++) {
        free(now[i].name);
        free(now[i].address);
    }
    mg_circle_release(&c);
}

/*
 * Issue #17 item 14, in a rebalance: a dissolved group's token and feed go
 * to a group that stays (named by id) or to one the rebalance opened (by
 * index); a token whose group had no facilitator left is revoked.
 */
static void test_groups_rebalance_carry(void **state)
{
    struct fixture *f = *state;
    struct mg_group_row old[3], added[1];
    struct mg_token tok[3], seen;
    char token[MG_TOKEN_LEN + 1], feed_id[3][MG_TOKEN_ID_LEN + 1];
    unsigned char hash[3][MG_TOKEN_HASH_LEN], feed_hash[3][MG_TOKEN_HASH_LEN];
    struct mg_group_carry carry[2];
    int64_t gone[2], circle, person, group;
    struct mg_circle c;
    size_t i;

    sample_circle(&c);
    assert_int_equal(mg_store_circle_create(f->st, &c), 0);
    make_groups(old, 3);
    assert_int_equal(
        mg_store_groups_replace(f->st, c.id, old, 3, NULL, NULL, 0), 0);
    for (i = 0; i < 3; i++) {
        memset(&tok[i], 0, sizeof(tok[i]));
        tok[i].role = MG_ROLE_FACILITATOR;
        tok[i].circle_id = c.id;
        tok[i].group_id = old[i].id;
        mg_auth_token_new(token, tok[i].public_id, hash[i]);
        assert_int_equal(mg_store_token_insert(f->st, &tok[i], hash[i]), 0);
        mg_auth_token_new(token, feed_id[i], feed_hash[i]);
        assert_int_equal(mg_store_secret_set(f->st, "notes", feed_id[i],
                                             feed_hash[i], c.id, 0, old[i].id),
                         0);
    }
    memset(added, 0, sizeof(added));
    added[0].position = 4;
    added[0].name = mg_xstrdup("Group 4");
    added[0].address = mg_xstrdup("atlas-g4");
    gone[0] = old[1].id;
    gone[1] = old[2].id;
    carry[0] = (struct mg_group_carry){.old_id = old[2].id,
                                       .to_person = -1,
                                       .to_members = -1,
                                       .person_group_id = old[0].id};
    carry[1] = (struct mg_group_carry){
        .old_id = old[1].id, .to_person = -1, .to_members = 0};
    assert_int_equal(mg_store_groups_rebalance_carry(f->st, c.id, added, 1,
                                                     gone, 2, NULL, NULL, NULL,
                                                     0, carry, 2),
                     0);
    /* group 3's facilitator went to group 1, which stays */
    assert_int_equal(
        mg_store_token_check(&seen, f->st, tok[2].public_id, hash[2]), 0);
    assert_int_equal(seen.group_id, old[0].id);
    assert_int_equal(mg_store_secret_check(&circle, &person, &group, f->st,
                                           "notes", feed_id[2], feed_hash[2]),
                     0);
    assert_int_equal(group, old[0].id);
    /* group 2 had no facilitator left; its members went to the new group */
    assert_int_equal(
        mg_store_token_check(&seen, f->st, tok[1].public_id, hash[1]),
        MG_EAUTH);
    assert_int_equal(mg_store_secret_check(&circle, &person, &group, f->st,
                                           "notes", feed_id[1], feed_hash[1]),
                     0);
    assert_int_equal(group, added[0].id);
    /* group 1 stays: untouched */
    assert_int_equal(
        mg_store_token_check(&seen, f->st, tok[0].public_id, hash[0]), 0);
    assert_int_equal(seen.group_id, old[0].id);
    for (i = 0; i < 3; i++) {
        free(old[i].name);
        free(old[i].address);
    }
    free(added[0].name);
    free(added[0].address);
    mg_circle_release(&c);
}

/* The plan loader gives the circle with its slots and its groups in
 * order (no book: no threads or readings), and nothing for a circle
 * that does not exist. */
static void test_plan_load(void **state)
{
    struct fixture *f = *state;
    struct mg_plan_view plan;
    struct mg_group_row g[3];
    struct mg_circle c;
    size_t i;

    sample_circle(&c);
    assert_int_equal(mg_store_circle_create(f->st, &c), 0);
    memset(g, 0, sizeof(g));
    for (i = 0; i < 3; i++) {
        g[i].position = (int)i + 1;
        g[i].name = mg_xasprintf("Group %zu", i + 1);
        g[i].address = mg_xasprintf("atlas-%zu", i + 1);
        g[i].slot_id = c.slots[i % 2].id;
    }
    assert_int_equal(mg_store_groups_replace(f->st, c.id, g, 3, NULL, NULL, 0),
                     0);

    assert_int_equal(mg_store_plan_load(&plan, f->st, c.id), 0);
    assert_string_equal(plan.circle->title, "Atlas circle");
    assert_int_equal(plan.circle->n_slots, 2);
    assert_int_equal(plan.n_groups, 3);
    for (i = 0; i < 3; i++) {
        assert_int_equal(plan.groups[i].id, g[i].id);
        assert_int_equal(plan.groups[i].position, (int)i + 1);
        assert_int_equal(plan.groups[i].slot_id, c.slots[i % 2].id);
    }
    assert_int_equal(plan.n_threads, 0);
    assert_int_equal(plan.n_same, 0);
    assert_int_equal(plan.n_per_thread, 0);
    mg_store_plan_release(&plan);
    assert_null(plan.circle);
    assert_int_equal(plan.n_groups, 0);

    assert_int_equal(mg_store_plan_load(&plan, f->st, c.id + 100),
                     MG_ENOTFOUND);
    assert_null(plan.circle);
    assert_null(plan.groups);
    mg_store_plan_release(&plan);
    for (i = 0; i < 3; i++) {
        free(g[i].name);
        free(g[i].address);
    }
    mg_circle_release(&c);
}

/* A transaction holds the write lock until it ends; what it wrote is
 * seen after a commit and gone after a rollback; mail queued in it is
 * deduplicated by key. */
static void test_transaction(void **state)
{
    struct fixture *f = *state;
    struct mg_store_options quick = {1, 50};
    struct mg_error err = {{0}, {0}};
    struct mg_store *other = NULL;
    struct mg_store_tx *tx = NULL, *tx2 = NULL;
    struct mg_store_seat seat, *seats = NULL;
    struct mg_plenary_row p, back;
    struct mg_participant who;
    struct mg_outbox_msg m;
    struct mg_circle c;
    char *name = NULL, *email = NULL;
    size_t n = 0, queued = 0;

    sample_circle(&c);
    assert_int_equal(mg_store_circle_create(f->st, &c), 0);
    memset(&who, 0, sizeof(who));
    who.name = mg_xstrdup("Ann");
    who.email = mg_xstrdup("ann@example.org");
    assert_int_equal(mg_store_participants_insert(NULL, f->st, c.id, &who, 1),
                     0);
    memset(&p, 0, sizeof(p));
    p.circle_id = c.id;
    p.title = mg_xstrdup("Kick-off");
    p.starts_at = 1805178600;
    p.minutes = 60;
    p.weeks = 1;
    p.capacity = 1;
    memcpy(p.uid, "tx@mingle", 10);
    assert_int_equal(mg_store_plenary_create(f->st, &p), 0);
    memset(&seat, 0, sizeof(seat));
    seat.participant_id = who.id;
    seat.status = MG_STORE_SEAT_WAITLISTED;
    seat.position = 3;
    seat.invite_sequence = -1;

    /* Rolled back: nothing stays. */
    assert_int_equal(mg_store_begin(&tx, f->st), 0);
    assert_int_equal(mg_store_tx_seat_save(tx, p.id, &seat), 0);
    assert_int_equal(mg_store_tx_seats_load(&seats, &n, tx, p.id), 0);
    assert_int_equal(n, 1);
    free(seats);
    mg_store_rollback(tx);
    assert_int_equal(query_int(f->db, "SELECT count(*) FROM registrations"), 0);

    /* While a transaction is open another writer cannot begin (opening
     * a store migrates under the write lock, so open it first). */
    assert_int_equal(mg_store_open(&other, f->db, &quick, &err), 0);
    assert_int_equal(mg_store_begin(&tx, f->st), 0);
    assert_int_equal(mg_store_begin(&tx2, other), MG_EBUSY);
    assert_null(tx2);

    assert_int_equal(
        mg_store_tx_participant_contact(&name, &email, tx, c.id, who.id), 0);
    assert_string_equal(name, "Ann");
    assert_string_equal(email, "ann@example.org");
    assert_int_equal(
        mg_store_tx_participant_contact(NULL, NULL, tx, c.id + 1, who.id),
        MG_ENOTFOUND);
    assert_int_equal(mg_store_tx_plenary_get(&back, tx, c.id, p.id), 0);
    free(back.title);
    back.title = mg_xstrdup("Opening");
    back.capacity = 5;
    back.sequence = 2;
    assert_int_equal(mg_store_tx_plenary_save(tx, &back), 0);
    mg_store_plenary_release(&back);
    seat.status = MG_STORE_SEAT_REGISTERED;
    seat.position = 0;
    seat.invite_sequence = 2;
    assert_int_equal(mg_store_tx_seat_save(tx, p.id, &seat), 0);
    memset(&m, 0, sizeof(m));
    m.circle_id = c.id;
    m.kind = "invite";
    m.recipient = email;
    m.subject = "Invitation";
    m.message = "BEGIN:VCALENDAR";
    m.len = strlen(m.message);
    m.format = "imip";
    m.dedupe_key = "tx:1";
    assert_int_equal(mg_store_tx_outbox_queue(&queued, tx, &m), 0);
    assert_int_equal(mg_store_tx_outbox_queue(&queued, tx, &m), 0);
    assert_int_equal(queued, 1);
    assert_int_equal(mg_store_commit(tx), 0);

    /* The lock is free again, and the writes are there. */
    assert_int_equal(mg_store_begin(&tx2, other), 0);
    assert_int_equal(mg_store_tx_seats_load(&seats, &n, tx2, p.id), 0);
    assert_int_equal(n, 1);
    assert_int_equal(seats[0].participant_id, who.id);
    assert_int_equal(seats[0].status, MG_STORE_SEAT_REGISTERED);
    assert_int_equal(seats[0].invite_sequence, 2);
    free(seats);
    mg_store_rollback(tx2);
    assert_int_equal(mg_store_plenary_get(&back, f->st, c.id, p.id), 0);
    assert_string_equal(back.title, "Opening");
    assert_int_equal(back.capacity, 5);
    assert_int_equal(back.sequence, 2);
    assert_int_equal(back.registered, 1);
    mg_store_plenary_release(&back);
    assert_int_equal(query_int(f->db, "SELECT count(*) FROM outbox WHERE "
                                      "format = 'imip' AND status = 'queued'"),
                     1);
    assert_string_equal(mg_store_seat_status_name(MG_STORE_SEAT_WAITLISTED),
                        "waitlisted");

    mg_store_close(other);
    free(name);
    free(email);
    mg_store_plenary_release(&p);
    mg_participant_release(&who);
    mg_circle_release(&c);
}

static int count_statements(sqlite3 *db)
{
    sqlite3_stmt *s = NULL;
    int n = 0;

    while ((s = sqlite3_next_stmt(db, s)) != NULL)
        n++;
    return n;
}

/* A connection keeps the statements it compiled: the same SQL gets the
 * same statement back, reset and unbound; one in use is never handed
 * out twice; more statements than the cache holds still work. */
static void test_statement_cache(void **state)
{
    struct fixture *f = *state;
    sqlite3 *db = store_acquire(f->st);
    sqlite3_stmt *a = NULL, *b = NULL, *c = NULL;
    int i;

    assert_int_equal(store_prepare(&a, f->st, db, "SELECT ?1, 7"), 0);
    sqlite3_bind_int(a, 1, 42);
    assert_int_equal(sqlite3_step(a), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(a, 0), 42);
    /* in use: the same SQL gets a statement of its own */
    assert_int_equal(store_prepare(&b, f->st, db, "SELECT ?1, 7"), 0);
    assert_ptr_not_equal(a, b);
    sqlite3_finalize(b);
    sqlite3_finalize(a);
    /* given back: the same statement, its binding cleared */
    assert_int_equal(store_prepare(&c, f->st, db, "SELECT ?1, 7"), 0);
    assert_true(c == a || c == b);
    assert_int_equal(sqlite3_step(c), SQLITE_ROW);
    assert_int_equal(sqlite3_column_type(c, 0), SQLITE_NULL);
    assert_int_equal(sqlite3_column_int(c, 1), 7);
    sqlite3_finalize(c);
    /* far more statements than a connection keeps */
    for (i = 0; i < 200; i++) {
        char sql[64];

        snprintf(sql, sizeof(sql), "SELECT %d", i);
        assert_int_equal(store_prepare(&a, f->st, db, sql), 0);
        assert_int_equal(sqlite3_step(a), SQLITE_ROW);
        assert_int_equal(sqlite3_column_int(a, 0), i);
        sqlite3_finalize(a);
    }
    /* the cache is bounded, and a statement prepared outside it is
     * really finalized */
    assert_true(count_statements(db) <= 64);
    i = count_statements(db);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT 1", -1, &a, NULL),
                     SQLITE_OK);
    assert_int_equal(count_statements(db), i + 1);
    assert_int_equal(sqlite3_finalize(a), SQLITE_OK);
    assert_int_equal(count_statements(db), i);
    store_release(f->st, db);
}

/* The routing version moves after a write to what routes notes, and
 * only then; two stores never show the same one. */
static void test_routing_version(void **state)
{
    struct fixture *f = *state;
    struct mg_store *other = NULL;
    struct mg_store_options opt = {1, 5000};
    struct mg_error err = {{0}, {0}};
    struct mg_circle c, *got = NULL;
    uint64_t v = mg_store_routing_version(f->st), w;
    size_t n = 0;

    assert_int_equal(
        mg_store_notes_count(&n, f->st, MG_STORE_NOTE_REVIEW, 0, 1), 0);
    assert_true(mg_store_routing_version(f->st) == v);
    sample_circle(&c);
    assert_int_equal(mg_store_circle_create(f->st, &c), 0);
    w = mg_store_routing_version(f->st);
    assert_true(w != v);
    assert_int_equal(mg_store_circle_get(&got, f->st, c.id), 0);
    mg_circle_free(got);
    assert_true(mg_store_routing_version(f->st) == w);
    assert_int_equal(mg_store_open(&other, f->db, &opt, &err), 0);
    assert_true(mg_store_routing_version(other) != w);
    assert_true(mg_store_routing_version(other) != v);
    mg_store_close(other);
    mg_circle_release(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_migrate_from_empty, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_migrate_rerun, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuses_newer_schema, setup,
                                        teardown),
        cmocka_unit_test(test_open_bad_path),
        cmocka_unit_test_setup_teardown(test_circle_roundtrip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrate_retention, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_move_requests, setup, teardown),
        cmocka_unit_test_setup_teardown(test_circle_slug_conflict, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_circle_update_keeps_slot_ids,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_circle_list_and_delete, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_tokens, setup, teardown),
        cmocka_unit_test_setup_teardown(test_web_sessions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrate_5_to_6, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrate_7_to_8, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrate_10_to_11, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrate_rooms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrate_12_to_13, setup, teardown),
        cmocka_unit_test_setup_teardown(test_feed_marks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrate_13_to_14, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrate_14_to_15, setup, teardown),
        cmocka_unit_test_setup_teardown(test_token_for_missing_circle, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_audit_log, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_stores_share_file, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_outbox_claims, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rows_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plan_load, setup, teardown),
        cmocka_unit_test_setup_teardown(test_groups_replace_carry, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_groups_rebalance_carry, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_transaction, setup, teardown),
        cmocka_unit_test_setup_teardown(test_statement_cache, setup, teardown),
        cmocka_unit_test_setup_teardown(test_routing_version, setup, teardown),
    };

    mg_log_set_level(MG_LOG_ERROR);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
