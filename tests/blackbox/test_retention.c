/*
 * test_retention.c: issue #19, item 5, data retention against a real
 * `mingle serve` on a clock file (MINGLE_CLOCK_FILE). Two circles, Atlas
 * (planned, attendance recorded, a page, notes: the facilitator's signed
 * summary naming a member and a member's note) and Other. The settings
 * are checked field by field; `mingle circle purge` refuses Atlas before
 * its retention expires; with the clock moved past it the daemon's daily
 * look purges it: the store, read with sqlite3 directly, then holds no
 * name, address, secret, attendance, answer, invitation, mail or note of
 * its people (the files' bytes included), Other's people are untouched,
 * the report answers the same figures in JSON, CSV and Markdown as
 * before, the summary is kept without names and the audit log has the
 * purge by counts alone. Last, Other is purged by hand (--now) without
 * keeping summaries: none is left.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include "mingle/store.h"
#include "mingle/survey.h"
#include "support.h"

#define DAY (24 * 60 * 60)

static const char atlas_json[] =
    "{\"title\":\"Atlas\",\"time_zone\":\"Pacific/Auckland\","
    "\"start_date\":\"2027-03-22\",\"weeks\":2,\"group_size\":{\"min\":2,"
    "\"max\":8},\"slots\":[{\"weekday\":\"tuesday\",\"start\":\"19:30\","
    "\"minutes\":60}],\"organizer\":{\"name\":\"Coordinators\",\"email\":"
    "\"circles@example.org\"}}";
static const char other_json[] =
    "{\"title\":\"Other\",\"time_zone\":\"Pacific/Auckland\","
    "\"start_date\":\"2027-05-03\",\"weeks\":3,\"group_size\":{\"min\":2,"
    "\"max\":8},\"slots\":[{\"weekday\":\"monday\",\"start\":\"19:00\","
    "\"minutes\":45}],\"organizer\":{\"name\":\"Coordinators\",\"email\":"
    "\"circles@example.org\"}}";

static const char atlas_csv[] =
    "name,email,role,sector,region,slots\n"
    "Tane Wikiriwhi,tane.w@example.org,facilitator,public,Wellington,\n"
    "Zebulon Quaxley,zq@example.org,,special,Otago,tuesday 19:30\n"
    "Ana Whetu,ana.w@example.org,,academic,Auckland,\n"
    "Ben Orrin,ben.o@example.org,,school,Auckland,\n";
static const char other_csv[] =
    "name,email,role,sector,region,slots\n"
    "Mere Kahukura,mere.k@example.org,facilitator,public,Nelson,\n"
    "Hemi Tapsell,hemi.t@example.org,,academic,Otago,\n"
    "Rua Ngatoro,rua.n@example.org,,school,Nelson,\n";

/* What no byte of the database may hold after Atlas is purged. */
static const char *const atlas_traces[] = {"wikiriwhi",
                                           "quaxley",
                                           "whetu",
                                           "orrin",
                                           "zq@example.org",
                                           "tane.w@example.org",
                                           "ana.w@example.org",
                                           "ben.o@example.org",
                                           NULL};

struct world {
    struct test_site site;
    sqlite3 *db;
    char *clock;
    long long atlas, other, zq, tane, ana, mere, atlas_group, other_group;
    long long week1, plenary;
    char *report[3];  /* json, csv, markdown before the purge */
    char *other_rows; /* Other's rows before it (other_rows()) */
    char *zq_page;    /* "/p/<token>" */
    char *cookie;     /* a dashboard session */
};

static struct world *W;
static const char *const formats[] = {"json", "csv", "markdown"};

static long long query_int(const char *sql)
{
    sqlite3_stmt *stmt = NULL;
    long long v = -1;

    if (sqlite3_prepare_v2(W->db, sql, -1, &stmt, NULL) != SQLITE_OK)
        fail_msg("bad test query '%s': %s", sql, sqlite3_errmsg(W->db));
    if (sqlite3_step(stmt) == SQLITE_ROW)
        v = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return v;
}

/* query_int() of SQL made with one formatted value (taken). */
static long long query_owned(char *sql)
{
    long long v = query_int(sql);

    free(sql);
    return v;
}
#define queryf(fmt, a) query_owned(mg_xasprintf(fmt, (long long)(a)))

static char *query_text(const char *sql)
{
    sqlite3_stmt *stmt = NULL;
    char *v = NULL;

    if (sqlite3_prepare_v2(W->db, sql, -1, &stmt, NULL) != SQLITE_OK)
        fail_msg("bad test query '%s': %s", sql, sqlite3_errmsg(W->db));
    if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0))
        v = mg_xstrdup((const char *)sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    return v;
}

/* Other's rows that hold personal data, counted and summed, to compare
 * before and after Atlas's purge. free() it. */
static char *other_rows(void)
{
    char *sql = mg_xasprintf(
        "SELECT (SELECT count(*) || ':' || sum(length(name) + "
        "length(email)) FROM participants WHERE circle_id = %lld) || ' ' || "
        "(SELECT count(*) FROM tokens WHERE circle_id = %lld) || ' ' || "
        "(SELECT count(*) FROM invites WHERE circle_id = %lld) || ' ' || "
        "(SELECT count(*) FROM outbox WHERE circle_id = %lld) || ' ' || "
        "(SELECT count(*) FROM notes WHERE circle_id = %lld) || ' ' || "
        "(SELECT count(*) FROM memberships WHERE group_id IN (SELECT id "
        "FROM groups WHERE circle_id = %lld)) || ' ' || (SELECT count(*) "
        "FROM rsvps WHERE session_id IN (SELECT id FROM sessions WHERE "
        "circle_id = %lld))",
        W->other, W->other, W->other, W->other, W->other, W->other, W->other);
    char *v = query_text(sql);

    free(sql);
    assert_non_null(v);
    return v;
}

static void set_clock(int64_t t)
{
    FILE *f = fopen(W->clock, "w");

    assert_non_null(f);
    fprintf(f, "%lld\n", (long long)t);
    fclose(f);
}

static json_t *call(long *status, const char *method, const char *path,
                    const char *body)
{
    return test_site_call(&W->site, status, method, path, body, NULL);
}

static long long add_note(struct mg_store *st, long long circle,
                          long long group, long long person, const char *kind,
                          const char *from_name, const char *from_email,
                          const char *subject, const char *body,
                          const char *message_id)
{
    struct mg_note n;
    struct mg_note_attachment att;
    int64_t id = 0;
    int dup = -1;
    char *raw = mg_xasprintf("From: %s <%s>\r\nSubject: %s\r\n\r\n%s\r\n",
                             from_name, from_email, subject, body);

    memset(&n, 0, sizeof(n));
    memset(&att, 0, sizeof(att));
    n.circle_id = circle;
    n.group_id = group;
    n.participant_id = person;
    n.week = 1;
    snprintf(n.kind, sizeof(n.kind), "%s", kind);
    n.status = MG_STORE_NOTE_PUBLISHED;
    n.provider = (char *)"mime";
    n.message_id = (char *)message_id;
    n.from_name = (char *)from_name;
    n.from_email = (char *)from_email;
    n.recipient = (char *)"group@example.org";
    n.subject = (char *)subject;
    n.body = (char *)body;
    n.full_text = (char *)body;
    n.raw = raw;
    n.raw_len = strlen(raw);
    n.received_at = mg_now();
    att.name = (char *)"notes.txt";
    att.type = (char *)"text/plain";
    att.content = (char *)body;
    att.size = (int64_t)strlen(body);
    n.attachments = &att;
    n.n_attachments = 1;
    if (mg_store_note_insert(&id, &dup, st, &n) < 0 || dup)
        id = 0;
    free(raw);
    return id;
}

/* GET a report of Atlas in `format`: the body (free() it). */
static char *report_text(const char *format)
{
    struct test_response resp;
    char *path = test_circle_path(W->atlas, "/report?format=%s", format);
    char *body;

    assert_int_equal(test_http(&resp, W->site.d.port, "GET", path,
                               W->site.token, NULL, NULL),
                     0);
    assert_int_equal(resp.status, 200);
    body = resp.body;
    resp.body = NULL;
    test_response_release(&resp);
    free(path);
    return body;
}

static const char summary_body[] =
    "Kia ora koutou. Zebulon Quaxley opened with the Atlas chapter on "
    "conversation; Ana asked about stewardship and Ben took notes.\n"
    "Write to me at tane.w@example.org with questions.\n"
    "\n"
    "Nga mihi,\n"
    "Tane\n"
    "-- \n"
    "Tane Wikiriwhi, Facilitator\n"
    "Wellington City Libraries\n";

static int setup_world(void **state)
{
    struct world *w = mg_xcalloc(1, sizeof(*w));
    struct mg_store *st = NULL;
    struct mg_error err = {{0}, {0}};
    char *env_clock, *path, *body;
    long status;
    int ok;

    W = w;
    *state = w;
    if (test_site_init(&w->site, "retention.db") < 0)
        return -1;
    w->clock = mg_xasprintf("%s/clock", w->site.dir);
    /* 1 March 2027, before either circle */
    set_clock(1803859200);
    env_clock = mg_xasprintf("MINGLE_CLOCK_FILE=%s", w->clock);
    {
        const char *env[] = {env_clock, "MINGLE_OUTBOX_INTERVAL=1", NULL};
        const struct test_site_opts opts = {.maildir = 1, .env = env};

        ok = test_site_serve(&w->site, &opts) == 0;
    }
    free(env_clock);
    if (!ok)
        return -1;
    w->atlas = test_site_circle(&w->site, atlas_json, NULL);
    w->other = test_site_circle(&w->site, other_json, NULL);
    if (!w->atlas || !w->other)
        return -1;
    if (test_site_plan(&w->site, w->atlas, atlas_csv, &w->week1, 1) < 0 ||
        test_site_plan(&w->site, w->other, other_csv, NULL, 0) < 0)
        return -1;
    w->zq = test_site_person(&w->site, w->atlas, "zq@example.org");
    w->tane = test_site_person(&w->site, w->atlas, "tane.w@example.org");
    w->ana = test_site_person(&w->site, w->atlas, "ana.w@example.org");
    w->mere = test_site_person(&w->site, w->other, "mere.k@example.org");
    if (!w->zq || !w->tane || !w->ana || !w->mere)
        return -1;
    if (sqlite3_open(w->site.db, &w->db) != SQLITE_OK)
        return -1;
    sqlite3_busy_timeout(w->db, 5000);
    w->atlas_group = queryf("SELECT group_id FROM memberships WHERE "
                            "participant_id = %lld",
                            w->tane);
    w->other_group = queryf("SELECT group_id FROM memberships WHERE "
                            "participant_id = %lld",
                            w->mere);
    /* attendance: Zebulon and Tane came to week 1 */
    path = test_circle_path(w->atlas, "/sessions/%lld/attendance", w->week1);
    body = mg_xasprintf("{\"present\":[%lld,%lld]}", w->zq, w->tane);
    json_decref(call(&status, "POST", path, body));
    free(path);
    free(body);
    if (status != 200)
        return -1;
    /* a kick-off with Zebulon's place and Ana waiting, for the report's
     * plenaries */
    path = test_circle_path(w->atlas, "/plenaries");
    {
        json_t *doc =
            call(&status, "POST", path,
                 "{\"title\":\"Kick-off\",\"start\":\"2027-03-16T19:30\","
                 "\"capacity\":1}");

        w->plenary = json_integer_value(json_object_get(doc, "id"));
        json_decref(doc);
    }
    free(path);
    if (status != 201 || !w->plenary)
        return -1;
    path =
        test_circle_path(w->atlas, "/plenaries/%lld/registrations", w->plenary);
    body = mg_xasprintf("{\"participant_id\":%lld}", w->zq);
    json_decref(call(&status, "POST", path, body));
    free(body);
    body = mg_xasprintf("{\"participant_id\":%lld}", w->ana);
    if (status == 200)
        json_decref(call(&status, "POST", path, body));
    free(body);
    free(path);
    if (status != 200)
        return -1;
    /* a page (a secret) for Zebulon and for Mere */
    path = test_circle_path(w->atlas, "/participants/%lld/page", w->zq);
    {
        json_t *doc = call(&status, "POST", path, NULL);
        const char *url = json_string_value(json_object_get(doc, "url"));

        if (url && strstr(url, "/p/"))
            w->zq_page = mg_xstrdup(strstr(url, "/p/"));
        json_decref(doc);
    }
    free(path);
    if (status != 201 || !w->zq_page)
        return -1;
    path = test_circle_path(w->other, "/participants/%lld/page", w->mere);
    json_decref(call(&status, "POST", path, NULL));
    free(path);
    if (status != 201)
        return -1;
    /* notes, as filing writes them */
    if (mg_store_open(&st, w->site.db, NULL, &err) < 0)
        return -1;
    ok = add_note(st, w->atlas, w->atlas_group, w->tane, "summary",
                  "Tane Wikiriwhi", "tane.w@example.org",
                  "Week 1 summary from Tane", summary_body,
                  "<tane-1@example.org>") &&
         add_note(st, w->atlas, w->atlas_group, w->ana, "note", "Ana Whetu",
                  "ana.w@example.org", "My thoughts",
                  "Ana Whetu thinks the Atlas is long.",
                  "<ana-1@example.org>") &&
         add_note(st, w->other, w->other_group, w->mere, "summary",
                  "Mere Kahukura", "mere.k@example.org", "Week 1",
                  "Mere Kahukura's group met; Hemi led.",
                  "<mere-1@example.org>");
    mg_store_close(st);
    return ok ? 0 : -1;
}

static int teardown_world(void **state)
{
    struct world *w = *state;
    int i;

    if (!w)
        return 0;
    if (w->db)
        sqlite3_close(w->db);
    test_site_stop(&w->site, SIGTERM);
    for (i = 0; i < 3; i++)
        free(w->report[i]);
    free(w->other_rows);
    free(w->zq_page);
    free(w->cookie);
    free(w->clock);
    free(w);
    return 0;
}

static json_t *retention(long *status, long long circle, const char *method,
                         const char *body)
{
    char *path = test_circle_path(circle, "/retention");
    json_t *doc = call(status, method, path, body);

    free(path);
    return doc;
}

static long long int_of(json_t *doc, const char *key)
{
    return (long long)json_integer_value(json_object_get(doc, key));
}

/* A page's body (200), as a browser gets it; free() it. */
static char *page(const char *path, const char *cookie)
{
    struct test_response resp;
    char *body;

    test_site_page(&resp, &W->site, "GET", path, cookie, NULL);
    assert_int_equal(resp.status, 200);
    body = resp.body;
    resp.body = NULL;
    test_response_release(&resp);
    return body;
}

/* 2027-04-05 00:00 UTC, the end of Atlas's second week (its last call,
 * 2027-03-30 07:30 UTC, is before it) */
#define ATLAS_END 1806883200LL

/* Item 5: the settings, their defaults, and each bad field refused by
 * name with nothing changed. */
static void test_settings(void **state)
{
    static const char *const bad[][2] = {
        {"{\"bogus\":1}", "bogus"},
        {"{\"days\":0}", "days"},
        /* shorter than a month: the survey and certificates need it */
        {"{\"days\":29}", "days"},
        {"{\"days\":3651}", "days"},
        {"{\"days\":\"30\"}", "days"},
        {"{\"days\":30,\"keep_summaries\":\"yes\"}", "keep_summaries"},
        {"{\"days\":30,\"keepSummaries\":true}", "keepSummaries"}};
    long status;
    json_t *doc;
    size_t i;
    char id[24], *out = NULL, *err = NULL, *path_page;
    const char *argv[] = {"circle", "show", id, "--db", W->site.db, NULL};
    const char *set[] = {"circle",           "set", id,  "--db", W->site.db,
                         "--retention-days", "0",   NULL};

    (void)state;
    doc = retention(&status, W->atlas, "GET", NULL);
    assert_int_equal(status, 200);
    assert_int_equal(int_of(doc, "days"), 365);
    assert_true(json_is_false(json_object_get(doc, "keep_summaries")));
    assert_true(json_is_true(json_object_get(doc, "default")));
    assert_int_equal(int_of(doc, "ends_at"), ATLAS_END);
    assert_int_equal(int_of(doc, "expires_at"), ATLAS_END + 365LL * DAY);
    assert_true(json_is_null(json_object_get(doc, "purged_at")));
    json_decref(doc);

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        doc = retention(&status, W->atlas, "PUT", bad[i][0]);
        assert_int_equal(status, 422);
        assert_string_equal(json_string_value(json_object_get(
                                json_object_get(doc, "error"), "field")),
                            bad[i][1]);
        json_decref(doc);
    }
    doc = retention(&status, W->atlas, "GET", NULL);
    assert_true(json_is_true(json_object_get(doc, "default")));
    json_decref(doc);
    json_decref(retention(&status, 999999, "GET", NULL));
    assert_int_equal(status, 404);

    /* null: kept until purged by hand */
    doc = retention(&status, W->atlas, "PUT", "{\"days\":null}");
    assert_int_equal(status, 200);
    assert_true(json_is_null(json_object_get(doc, "days")));
    assert_true(json_is_null(json_object_get(doc, "expires_at")));
    json_decref(doc);
    doc = retention(&status, W->atlas, "PUT",
                    "{\"days\":30,\"keep_summaries\":true}");
    assert_int_equal(status, 200);
    assert_int_equal(int_of(doc, "days"), 30);
    assert_true(json_is_true(json_object_get(doc, "keep_summaries")));
    assert_true(json_is_false(json_object_get(doc, "default")));
    assert_int_equal(int_of(doc, "expires_at"), ATLAS_END + 30LL * DAY);
    json_decref(doc);

    /* the dashboard's list and circle page, and the person's own page,
     * say when it goes (in Pacific/Auckland: 2027-05-05 12:00) */
    assert_int_equal(test_site_dashboard_login(&W->site, W->site.token,
                                               &W->cookie, NULL, NULL),
                     303);
    out = page("/dashboard", W->cookie);
    assert_non_null(
        strstr(out, "kept until 2027-05-05 (30 days after the last call)"));
    assert_null(strstr(out, "kept until purged by hand"));
    /* Other keeps the default: its planned end, 2027-05-24, and a year */
    assert_non_null(
        strstr(out, "kept until 2028-05-23 (365 days after the last call)"));
    free(out);
    path_page = test_dashboard_path(W->atlas, "%s", "");
    out = page(path_page, W->cookie);
    assert_non_null(strstr(out, "Summaries after the purge"));
    assert_non_null(strstr(out, "kept without names"));
    free(out);
    free(path_page);
    out = page(W->zq_page, NULL);
    assert_non_null(strstr(out, "kept until 2027-05-05, 30 days after the "
                                "circle&#39;s last call, and then erased"));
    free(out);

    /* the CLI shows it, and refuses a bad number by its option */
    snprintf(id, sizeof(id), "%lld", W->atlas);
    assert_int_equal(test_run_cli(&out, NULL, argv, NULL), 0);
    assert_non_null(strstr(out, "kept 30 days after the last call, until "
                                "2027-05-05 00:00 UTC"));
    assert_non_null(strstr(out, "kept without names"));
    free(out);
    assert_int_equal(test_run_cli(&out, &err, set, NULL), 2);
    assert_non_null(strstr(err, "--retention-days"));
    free(out);
    free(err);
    set[6] = "none";
    snprintf(id, sizeof(id), "%lld", W->other);
    assert_int_equal(test_run_cli(&out, NULL, set, NULL), 0);
    assert_non_null(strstr(out, "kept until purged by hand"));
    free(out);
    doc = retention(&status, W->other, "GET", NULL);
    assert_true(json_is_null(json_object_get(doc, "days")));
    json_decref(doc);
}

/* Item 5: before its retention expires a circle is not purged, and a
 * purge without --yes only says what would go. */
static void test_purge_refused(void **state)
{
    char id[24], *out = NULL, *err = NULL;
    const char *argv[] = {"circle", "purge",    "--circle", id,
                          "--db",   W->site.db, "--yes",    NULL};
    const char *dry[] = {"circle", "purge",    "--circle", id,
                         "--db",   W->site.db, "--now",    NULL};
    int i;

    (void)state;
    snprintf(id, sizeof(id), "%lld", W->atlas);
    assert_int_equal(test_run_cli(&out, &err, argv, NULL), 1);
    assert_non_null(strstr(err, "keeps its data for 30 days after its last "
                                "call, until 2027-05-05 00:00 UTC"));
    assert_non_null(strstr(err, "--now"));
    assert_non_null(strstr(err, "nothing was erased"));
    free(out);
    free(err);
    /* --now without --yes: what would go, nothing more */
    assert_int_equal(test_run_cli(&out, &err, dry, NULL), 2);
    assert_non_null(strstr(out, "would erase 4 people"));
    assert_non_null(strstr(out, "keep 1 summary without names"));
    assert_non_null(strstr(err, "give --yes"));
    free(out);
    free(err);
    assert_int_equal(
        queryf("SELECT count(*) FROM participants WHERE circle_id = %lld",
               W->atlas),
        4);
    assert_int_equal(
        queryf("SELECT count(*) FROM retention_purges WHERE circle_id = %lld",
               W->atlas),
        0);
    W->other_rows = other_rows();
    assert_non_null(strstr(W->other_rows, "3:"));
    /* the reports as they are, to compare after */
    for (i = 0; i < 3; i++)
        W->report[i] = report_text(formats[i]);
    assert_non_null(strstr(W->report[0], "\"attended\":2"));
    assert_non_null(strstr(W->report[0], "\"registered\":1,\"waitlisted\":1"));
}

/* Whether `needle` (lower-case) is in the file's bytes, in any case. */
static int file_holds(const char *path, const char *needle)
{
    size_t len = 0, i;
    char *data = test_read_file(path, &len);
    int found;

    if (!data)
        return 0;
    for (i = 0; i < len; i++)
        if (data[i] >= 'A' && data[i] <= 'Z')
            data[i] = (char)(data[i] - 'A' + 'a');
    found = memmem(data, len, needle, strlen(needle)) != NULL;
    free(data);
    return found;
}

/* Item 5: past the retention, the daemon's daily look purges Atlas. */
static void test_daily_purge(void **state)
{
    long status;
    json_t *doc = NULL;
    char *wal = mg_xasprintf("%s-wal", W->site.db), *text, *path;
    int i;

    (void)state;
    for (i = 0; atlas_traces[i]; i++)
        assert_true(file_holds(W->site.db, atlas_traces[i]) ||
                    file_holds(wal, atlas_traces[i]));
    set_clock(ATLAS_END + 30LL * DAY + 3600);
    for (i = 0; i < 300 * test_slowdown(); i++) {
        doc = retention(&status, W->atlas, "GET", NULL);
        if (json_is_integer(json_object_get(doc, "purged_at")))
            break;
        json_decref(doc);
        doc = NULL;
        usleep(100 * 1000);
    }
    assert_non_null(doc);
    assert_int_equal(int_of(doc, "purged_at"), ATLAS_END + 30LL * DAY + 3600);
    json_decref(doc);

    /* nothing of Atlas's people */
    assert_int_equal(queryf("SELECT count(*) FROM participants WHERE "
                            "circle_id = %lld",
                            W->atlas),
                     0);
    assert_int_equal(queryf("SELECT count(*) FROM attendance WHERE session_id "
                            "IN (SELECT id FROM sessions WHERE circle_id = "
                            "%lld)",
                            W->atlas),
                     0);
    assert_int_equal(queryf("SELECT count(*) FROM rsvps WHERE session_id IN "
                            "(SELECT id FROM sessions WHERE circle_id = %lld)",
                            W->atlas),
                     0);
    assert_int_equal(
        queryf("SELECT count(*) FROM invites WHERE circle_id = %lld", W->atlas),
        0);
    assert_int_equal(queryf("SELECT count(*) FROM memberships WHERE group_id "
                            "IN (SELECT id FROM groups WHERE circle_id = "
                            "%lld)",
                            W->atlas),
                     0);
    assert_int_equal(
        queryf("SELECT count(*) FROM outbox WHERE circle_id = %lld", W->atlas),
        0);
    assert_int_equal(query_int("SELECT count(*) FROM outbox WHERE "
                               "lower(recipient) IN ('zq@example.org', "
                               "'tane.w@example.org', 'ana.w@example.org', "
                               "'ben.o@example.org')"),
                     0);
    assert_int_equal(queryf("SELECT count(*) FROM tokens WHERE circle_id = "
                            "%lld AND role <> 'coordinator'",
                            W->atlas),
                     0);
    assert_int_equal(
        queryf("SELECT count(*) FROM signups WHERE circle_id = %lld", W->atlas),
        0);
    assert_int_equal(
        query_int("SELECT count(*) FROM participant_links WHERE "
                  "other_email_norm LIKE '%@example.org' AND participant_id "
                  "NOT IN (SELECT id FROM participants)"),
        0);
    /* the summary, kept without names; the member's note gone */
    assert_int_equal(
        queryf("SELECT count(*) FROM notes WHERE circle_id = %lld", W->atlas),
        1);
    assert_int_equal(queryf("SELECT count(*) FROM notes WHERE circle_id = %lld "
                            "AND kind = 'summary' AND from_email = '' AND "
                            "from_name IS NULL AND participant_id IS NULL AND "
                            "raw IS NULL AND full_text IS NULL AND recipient "
                            "IS NULL AND message_id IS NULL",
                            W->atlas),
                     1);
    assert_int_equal(query_int("SELECT count(*) FROM note_attachments WHERE "
                               "note_id IN (SELECT id FROM notes WHERE "
                               "from_email = '')"),
                     0);
    text = query_text("SELECT body || ' / ' || subject FROM notes WHERE "
                      "from_email = ''");
    assert_non_null(text);
    assert_null(strstr(text, "Zebulon"));
    assert_null(strstr(text, "Quaxley"));
    assert_null(strstr(text, "Tane"));
    assert_null(strstr(text, "Ana "));
    assert_null(strstr(text, "Ben "));
    assert_null(strstr(text, "example.org"));
    assert_null(strstr(text, "Wellington City Libraries")); /* signature */
    assert_non_null(strstr(text, "[name] [name] opened with the Atlas "
                                 "chapter on conversation; [name] asked"));
    assert_non_null(strstr(text, "Write to me at [address] with questions"));
    assert_non_null(strstr(text, "Week 1 summary from [name]"));
    free(text);
    /* no byte of the files names them */
    for (i = 0; atlas_traces[i]; i++)
        if (file_holds(W->site.db, atlas_traces[i]) ||
            file_holds(wal, atlas_traces[i]))
            fail_msg("'%s' is still in the database files", atlas_traces[i]);
    free(wal);

    /* Other's people, notes, secrets and mail are untouched */
    assert_int_equal(queryf("SELECT count(*) FROM participants WHERE "
                            "circle_id = %lld",
                            W->other),
                     3);
    assert_int_equal(queryf("SELECT count(*) FROM notes WHERE circle_id = "
                            "%lld AND from_email = 'mere.k@example.org'",
                            W->other),
                     1);
    text = other_rows();
    assert_string_equal(text, W->other_rows);
    free(text);

    /* the report: the same figures, in each format, read back from the
     * document kept before the purge; the dashboard's download too */
    for (i = 0; i < 3; i++) {
        text = report_text(formats[i]);
        assert_string_equal(text, W->report[i]);
        free(text);
    }
    /* the dashboard says so (a new session: the clock moved past the
     * first one's end) */
    free(W->cookie);
    W->cookie = NULL;
    assert_int_equal(test_site_dashboard_login(&W->site, W->site.token,
                                               &W->cookie, NULL, NULL),
                     303);
    text = page("/dashboard", W->cookie);
    assert_non_null(strstr(text, "purged on 2027-05-05"));
    free(text);
    path = test_dashboard_path(W->atlas, "%s", "/report.csv");
    text = page(path, W->cookie);
    assert_string_equal(text, W->report[1]);
    free(text);
    free(path);
    /* the audit log: the purge, by counts alone */
    text = query_text("SELECT action || ' ' || target || ' ' || actor FROM "
                      "audit_log WHERE action LIKE 'purge circle data%'");
    assert_non_null(text);
    assert_non_null(strstr(text, "(retention expired)"));
    assert_non_null(strstr(text, "people=4 summaries_kept=1"));
    assert_null(strstr(text, "@"));
    free(text);
}

/* Item 5: by hand before it expires (--now), without keeping summaries:
 * none of Other's notes is left, and the report is still answered. */
/* Two answers to Other's survey, one with free text naming someone
 * (issue #19, items 1 and 5: what a purge keeps of them). */
static void survey_answers(long long circle)
{
    struct mg_store *st = NULL;
    struct mg_error err = {{0}, {0}};
    struct mg_survey s;
    long long who[2];
    char edit[40];
    int i;

    who[0] = W->mere;
    who[1] = query_owned(mg_xasprintf("SELECT id FROM participants WHERE "
                                      "circle_id = %lld AND id <> %lld LIMIT 1",
                                      circle, W->mere));
    assert_int_equal(mg_store_open(&st, W->site.db, NULL, &err), 0);
    assert_int_equal(mg_survey_open_now(st, circle, mg_now()), 0);
    assert_int_equal(mg_survey_load(&s, NULL, NULL, st, circle), 0);
    for (i = 0; i < 2; i++) {
        struct mg_survey_answer a[2];

        memset(a, 0, sizeof(a));
        snprintf(a[0].question, sizeof(a[0].question), "useful");
        a[0].value = 4 + i;
        snprintf(a[1].question, sizeof(a[1].question), "change");
        a[1].text = (char *)"Ask Mere Kahu to lead week 2";
        assert_int_equal(mg_survey_answer_save(edit, st, &s, circle, who[i],
                                               NULL, a, i == 0 ? 2 : 1),
                         0);
    }
    mg_survey_release(&s);
    mg_store_close(st);
}

/* What a purge kept of those answers: two responses, the scale's mean
 * of 4 and 5, one free text counted and none of its words. */
static void survey_kept(json_t *results)
{
    json_t *qs = json_object_get(results, "questions");
    size_t i;
    int seen = 0;

    assert_int_equal(int_of(results, "responses"), 2);
    for (i = 0; i < json_array_size(qs); i++) {
        json_t *q = json_array_get(qs, i);
        const char *qid = json_string_value(json_object_get(q, "id"));

        if (strcmp(qid, "useful") == 0) {
            assert_true(json_real_value(json_object_get(q, "mean")) == 4.5);
            seen++;
        } else if (strcmp(qid, "change") == 0) {
            assert_int_equal(int_of(q, "answered"), 1);
            assert_int_equal(json_array_size(json_object_get(q, "texts")), 0);
            seen++;
        }
    }
    assert_int_equal(seen, 2);
}

static void test_purge_by_hand(void **state)
{
    char id[24], *out = NULL, *err = NULL;
    const char *argv[] = {"circle",   "purge", "--circle", id,  "--db",
                          W->site.db, "--now", "--yes",    NULL};
    long status;
    json_t *doc;
    char *path;

    (void)state;
    snprintf(id, sizeof(id), "%lld", W->other);
    survey_answers(W->other);
    assert_int_equal(test_run_cli(&out, &err, argv, NULL), 0);
    assert_non_null(strstr(out, "erased 3 people"));
    free(out);
    free(err);
    assert_int_equal(queryf("SELECT count(*) FROM participants WHERE "
                            "circle_id = %lld",
                            W->other),
                     0);
    assert_int_equal(
        queryf("SELECT count(*) FROM notes WHERE circle_id = %lld", W->other),
        0);
    assert_int_equal(
        queryf("SELECT forced FROM retention_purges WHERE circle_id = %lld",
               W->other),
        1);
    path = test_circle_path(W->other, "/report");
    doc = call(&status, "GET", path, NULL);
    assert_int_equal(status, 200);
    assert_int_equal(int_of(json_object_get(doc, "circle"), "invited"), 3);
    /* the survey's figures are kept, its free text is not */
    survey_kept(json_object_get(doc, "survey"));
    json_decref(doc);
    free(path);
    assert_int_equal(queryf("SELECT count(*) FROM survey_responses WHERE "
                            "circle_id = %lld",
                            W->other),
                     0);
    assert_int_equal(query_owned(mg_xstrdup("SELECT count(*) FROM "
                                            "retention_purges WHERE report "
                                            "LIKE '%Ask Mere%'")),
                     0);
    /* and the survey's own figures (its API, the dashboard's chart, its
     * export) are the kept ones, not the emptied tables' */
    path = test_circle_path(W->other, "/survey");
    doc = call(&status, "GET", path, NULL);
    assert_int_equal(status, 200);
    survey_kept(json_object_get(doc, "results"));
    json_decref(doc);
    free(path);
    /* a second purge finds nothing more */
    assert_int_equal(test_run_cli(&out, &err, argv, NULL), 0);
    assert_non_null(strstr(out, "erased 0 people"));
    free(out);
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_settings),
        cmocka_unit_test(test_purge_refused),
        cmocka_unit_test(test_daily_purge),
        cmocka_unit_test(test_purge_by_hand),
    };

    return cmocka_run_group_tests(tests, setup_world, teardown_world);
}
