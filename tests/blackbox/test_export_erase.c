/*
 * test_export_erase.c: a person's data rights against a real `mingle
 * serve`. Zebulon Quaxley joins a planned circle (invitations mailed),
 * gets a page and a feed, answers, is marked present by the facilitator,
 * takes the one place at a kick-off (Ben waits), and sends a note with an
 * attachment (written through the store, as filing would). The export
 * holds each of those; then DELETE erases them: Ben moves up, the export
 * is 404, Ana's wish to be with them is gone, and neither the name nor
 * the address is left anywhere in the bytes of the database or its WAL.
 * Last, `mingle people erase` erases Ben and says what went.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "mingle/store.h"
#include "support.h"

#define NAME "Zebulon Quaxley"
#define EMAIL "zq@example.org"

static const char circle_json[] =
    "{\"title\":\"Atlas\",\"time_zone\":\"Pacific/Auckland\","
    "\"start_date\":\"2027-03-22\",\"weeks\":2,\"group_size\":{\"min\":2,"
    "\"max\":8},\"slots\":[{\"weekday\":\"tuesday\",\"start\":\"19:30\","
    "\"minutes\":60}],\"organizer\":{\"name\":\"Coordinators\",\"email\":"
    "\"circles@example.org\"}}";

/* Ana wants to be with Zebulon: her link names the address. */
static const char people_csv[] =
    "name,email,role,sector,region,slots,with\n"
    "Tane,tane@example.org,facilitator,public,Wellington,,\n" NAME
    ",ZQ@Example.org,,special,Otago,tuesday 19:30,ana@example.org\n"
    "Ana,ana@example.org,,academic,Auckland,," EMAIL "\n"
    "Ben,ben@example.org,,school,Auckland,,\n";

struct world {
    struct test_site site;
    long long circle, zq, ben, tane, ana, plenary, session, note, other_note;
    char *zq_page;
};

static struct world *W;

static json_t *call(long *status, const char *method, const char *path,
                    const char *body, const char *ctype)
{
    return test_site_call(&W->site, status, method, path, body, ctype);
}

/* POST `path` (a circle path) with `body`; the status. */
static long post(const char *path, const char *body)
{
    long status;
    char *full = test_circle_path(W->circle, "%s", path);

    json_decref(call(&status, "POST", full, body, NULL));
    free(full);
    return status;
}

/* A page's path ("/p/<token>") for person `id`; free() it. */
static char *page_of(long long id)
{
    char *path = test_circle_path(W->circle, "/participants/%lld/page", id),
         *page = NULL;
    long status;
    json_t *doc = call(&status, "POST", path, NULL, NULL);
    const char *url = json_string_value(json_object_get(doc, "url"));

    if (status == 201 && url && strstr(url, "/p/"))
        page = mg_xstrdup(strstr(url, "/p/"));
    json_decref(doc);
    free(path);
    return page;
}

static long post_form(const char *page, const char *what, const char *form)
{
    struct test_response resp;
    char *path = mg_xasprintf("%s/%s", page, what);
    long status;

    assert_int_equal(test_http(&resp, W->site.d.port, "POST", path, NULL, form,
                               "application/x-www-form-urlencoded"),
                     0);
    status = resp.status;
    test_response_release(&resp);
    free(path);
    return status;
}

static long long add_note(struct mg_store *st, const char *from_name,
                          const char *from_email, const char *subject,
                          const char *body, const char *message_id)
{
    struct mg_note n;
    struct mg_note_attachment att;
    int64_t id = 0;
    int dup = -1;
    char *raw = mg_xasprintf("From: %s <%s>\r\nSubject: %s\r\n\r\n%s\r\n",
                             from_name, from_email, subject, body);

    memset(&n, 0, sizeof(n));
    memset(&att, 0, sizeof(att));
    n.circle_id = W->circle;
    n.week = 1;
    snprintf(n.kind, sizeof(n.kind), "note");
    n.status = MG_STORE_NOTE_PUBLISHED;
    n.provider = (char *)"mime";
    n.message_id = (char *)message_id;
    n.from_name = (char *)from_name;
    n.from_email = (char *)from_email;
    n.subject = (char *)subject;
    n.body = (char *)body;
    n.full_text = (char *)body;
    n.raw = raw;
    n.raw_len = strlen(raw);
    n.received_at = mg_now();
    att.name = (char *)"reading-notes.txt";
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

/* The outbox rows to `email` with status `status`. */
static int mail_count(const char *email, const char *status)
{
    char *path = test_circle_path(W->circle, "/outbox");
    long code;
    json_t *doc = call(&code, "GET", path, NULL, NULL);
    json_t *list = json_object_get(doc, "messages");
    size_t i;
    int n = 0;

    for (i = 0; i < json_array_size(list); i++) {
        json_t *m = json_array_get(list, i);
        if (strcasecmp(json_string_value(json_object_get(m, "recipient")),
                       email) == 0 &&
            (!status || strcmp(json_string_value(json_object_get(m, "status")),
                               status) == 0))
            n++;
    }
    json_decref(doc);
    free(path);
    return n;
}

static int setup_world(void **state)
{
    struct world *w = mg_xcalloc(1, sizeof(*w));
    struct mg_store *st = NULL;
    struct mg_error err = {{0}, {0}};
    static const char *const env[] = {"MINGLE_OUTBOX_INTERVAL=1", NULL};
    const struct test_site_opts opts = {.maildir = 1, .env = env};
    char *path, *zq_page, *tane_page, *form;
    long status;
    json_t *doc;
    int tries;

    if (test_site_start(&w->site, "rights.db", &opts) < 0)
        return -1;
    W = w;
    *state = w;
    w->circle = test_site_circle(&w->site, circle_json, NULL);
    if (!w->circle)
        return -1;
    /* groups, sessions and invitations (mailed within a second) */
    if (test_site_plan(&w->site, w->circle, people_csv, &w->session, 1) < 0)
        return -1;
    w->zq = test_site_person(&w->site, w->circle, EMAIL);
    w->ben = test_site_person(&w->site, w->circle, "ben@example.org");
    w->tane = test_site_person(&w->site, w->circle, "tane@example.org");
    w->ana = test_site_person(&w->site, w->circle, "ana@example.org");
    if (!w->zq || !w->ben || !w->tane || !w->ana)
        return -1;
    /* a page (and so a feed), an answer, and attendance */
    zq_page = page_of(w->zq);
    w->zq_page = zq_page ? mg_xstrdup(zq_page) : NULL;
    tane_page = page_of(w->tane);
    if (!zq_page || !tane_page)
        return -1;
    if (post_form(zq_page, "rsvp", "answer=accepted") != 303)
        return -1;
    /* (the call is still to come, which a page's attendance form does
     * not take: the facilitator's list through the API) */
    path = mg_xasprintf("/sessions/%lld/attendance", w->session);
    form = mg_xasprintf("{\"present\":[%lld,%lld]}", w->zq, w->tane);
    status = post(path, form);
    free(form);
    free(path);
    free(zq_page);
    free(tane_page);
    if (status != 200)
        return -1;
    path = mg_xasprintf("/participants/%lld/feed", w->zq);
    status = post(path, NULL);
    free(path);
    if (status != 201 && status != 200)
        return -1;
    /* the kick-off's one place is Zebulon's; Ben waits */
    doc = NULL;
    path = test_circle_path(W->circle, "/plenaries");
    doc = call(&status, "POST", path,
               "{\"title\":\"Kick-off\",\"start\":\"2027-03-16T19:30\","
               "\"capacity\":1}",
               NULL);
    free(path);
    w->plenary = json_integer_value(json_object_get(doc, "id"));
    json_decref(doc);
    if (status != 201 || !w->plenary)
        return -1;
    path = mg_xasprintf("/plenaries/%lld/registrations", w->plenary);
    form = mg_xasprintf("{\"participant_id\":%lld}", w->zq);
    status = post(path, form);
    free(form);
    form = mg_xasprintf("{\"participant_id\":%lld}", w->ben);
    if (status == 200)
        status = post(path, form);
    free(form);
    free(path);
    if (status != 200)
        return -1;
    /* notes, as filing writes them: Zebulon's (sent with another case of
     * the address) and Ana's */
    if (mg_store_open(&st, w->site.db, NULL, &err) < 0)
        return -1;
    w->note = add_note(st, NAME, "Zq@Example.ORG", "Week one, " NAME,
                       "The Atlas chapter made " NAME " think.",
                       "<zq-1@example.org>");
    w->other_note = add_note(st, "Ana", "ana@example.org", "Week one",
                             "Ana liked it.", "<ana-1@example.org>");
    mg_store_close(st);
    if (!w->note || !w->other_note)
        return -1;
    /* some of Zebulon's mail is sent before the export */
    for (tries = 0; tries < 100 && mail_count(EMAIL, "sent") == 0; tries++)
        usleep(100 * 1000);
    return mail_count(EMAIL, "sent") > 0 ? 0 : -1;
}

static int teardown_world(void **state)
{
    struct world *w = *state;

    if (!w)
        return 0;
    test_site_stop(&w->site, SIGTERM);
    free(w->zq_page);
    free(w);
    return 0;
}

static json_t *export_doc(long *status)
{
    char *path =
        test_circle_path(W->circle, "/participants/%lld/export", W->zq);
    json_t *doc = call(status, "GET", path, NULL, NULL);

    free(path);
    return doc;
}

static const char *str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));

    return s ? s : "";
}

static json_t *find(json_t *list, const char *key, const char *value)
{
    size_t i;

    for (i = 0; i < json_array_size(list); i++)
        if (strcmp(str(json_array_get(list, i), key), value) == 0)
            return json_array_get(list, i);
    return NULL;
}

static void test_export(void **state)
{
    long status;
    json_t *doc, *p, *x;
    size_t i;
    char *out = NULL, *num;
    const char *argv[] = {"people", "export",   "--db", W->site.db, "--circle",
                          NULL,     "--person", NULL,   NULL};
    char circle_s[24], zq_s[24];

    (void)state;
    doc = export_doc(&status);
    assert_int_equal(status, 200);
    assert_non_null(doc);
    assert_string_equal(str(doc, "format"), "mingle-person-export");
    /* the record */
    p = json_object_get(doc, "person");
    assert_int_equal(json_integer_value(json_object_get(p, "id")), W->zq);
    assert_string_equal(str(p, "name"), NAME);
    assert_string_equal(str(p, "email"), "ZQ@Example.org");
    assert_string_equal(str(p, "sector"), "special");
    assert_string_equal(str(p, "region"), "Otago");
    assert_string_equal(str(p, "role"), "participant");
    assert_string_equal(str(p, "status"), "active");
    x = json_object_get(p, "slots");
    assert_int_equal(json_array_size(x), 1);
    assert_string_equal(str(json_array_get(x, 0), "start"), "19:30");
    x = json_object_get(p, "links");
    assert_int_equal(json_array_size(x), 1);
    assert_string_equal(str(json_array_get(x, 0), "email"), "ana@example.org");
    assert_string_equal(str(json_array_get(x, 0), "kind"), "with");
    /* group, invitation, answer, attendance, plenary */
    x = json_object_get(doc, "memberships");
    assert_int_equal(json_array_size(x), 1);
    assert_true(json_integer_value(
                    json_object_get(json_array_get(x, 0), "group_id")) > 0);
    x = json_object_get(doc, "invitations");
    assert_int_equal(json_array_size(x), 1);
    assert_true(strlen(str(json_array_get(x, 0), "uid")) > 10);
    assert_string_equal(str(json_array_get(x, 0), "state"), "active");
    assert_true(
        json_is_integer(json_object_get(json_array_get(x, 0), "sequence")));
    x = json_object_get(doc, "rsvps");
    assert_int_equal(json_array_size(x), 2); /* both weeks */
    for (i = 0; i < json_array_size(x); i++)
        assert_string_equal(str(json_array_get(x, i), "status"), "accepted");
    x = json_object_get(doc, "attendance");
    assert_int_equal(json_array_size(x), 1);
    assert_int_equal(
        json_integer_value(json_object_get(json_array_get(x, 0), "session_id")),
        W->session);
    assert_true(json_is_true(json_object_get(json_array_get(x, 0), "present")));
    x = json_object_get(doc, "plenary_registrations");
    assert_int_equal(json_array_size(x), 1);
    assert_string_equal(str(json_array_get(x, 0), "status"), "registered");
    assert_string_equal(str(json_array_get(x, 0), "title"), "Kick-off");
    /* the note they sent, not Ana's; with its attachment's name */
    x = json_object_get(doc, "notes");
    assert_int_equal(json_array_size(x), 1);
    assert_int_equal(
        json_integer_value(json_object_get(json_array_get(x, 0), "id")),
        W->note);
    assert_string_equal(str(json_array_get(x, 0), "subject"),
                        "Week one, " NAME);
    assert_string_equal(
        str(json_array_get(json_object_get(json_array_get(x, 0), "attachments"),
                           0),
            "name"),
        "reading-notes.txt");
    assert_null(json_object_get(json_array_get(x, 0), "raw"));
    /* mail to them: invitations, sent or queued, without bodies */
    x = json_object_get(doc, "mail");
    assert_true(json_array_size(x) >= 2);
    assert_non_null(find(x, "status", "sent"));
    assert_non_null(find(x, "kind", "invite"));
    for (i = 0; i < json_array_size(x); i++) {
        assert_string_equal(str(json_array_get(x, i), "to"), "ZQ@Example.org");
        assert_true(strlen(str(json_array_get(x, i), "subject")) > 0);
        assert_null(json_object_get(json_array_get(x, i), "message"));
        assert_null(json_object_get(json_array_get(x, i), "body"));
    }
    /* secrets: a page and a feed exist; no value, hash or id is shown */
    x = json_object_get(doc, "secrets");
    assert_non_null(find(x, "kind", "page"));
    assert_non_null(find(x, "kind", "feed"));
    for (i = 0; i < json_array_size(x); i++) {
        json_t *s = json_array_get(x, i);
        assert_true(json_integer_value(json_object_get(s, "created_at")) > 0);
        assert_null(json_object_get(s, "hash"));
        assert_null(json_object_get(s, "public_id"));
        assert_null(json_object_get(s, "token"));
    }
    /* coordinators' actions on their record: the page was minted */
    x = json_object_get(doc, "audit");
    assert_non_null(
        find(x, "action", "POST /api/v1/circles/{id}/participants/{id}/page"));
    json_decref(doc);

    /* the CLI prints the same document */
    snprintf(circle_s, sizeof(circle_s), "%lld", W->circle);
    snprintf(zq_s, sizeof(zq_s), "%lld", W->zq);
    argv[5] = circle_s;
    argv[7] = zq_s;
    assert_int_equal(test_run_cli(&out, NULL, argv, NULL), 0);
    doc = json_loads(out, 0, NULL);
    assert_non_null(doc);
    assert_string_equal(str(json_object_get(doc, "person"), "name"), NAME);
    assert_int_equal(json_array_size(json_object_get(doc, "notes")), 1);
    json_decref(doc);
    free(out);

    /* unknown people and circles */
    num = test_circle_path(W->circle, "/participants/999999/export");
    json_decref(call(&status, "GET", num, NULL, NULL));
    assert_int_equal(status, 404);
    free(num);
    json_decref(call(&status, "GET",
                     "/api/v1/circles/999999/participants/1/export", NULL,
                     NULL));
    assert_int_equal(status, 404);
    argv[7] = "999999";
    assert_int_not_equal(test_run_cli(&out, NULL, argv, NULL), 0);
    free(out);
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

static int db_holds(const char *needle)
{
    char *wal = mg_xasprintf("%s-wal", W->site.db);
    int found = file_holds(W->site.db, needle) || file_holds(wal, needle);

    free(wal);
    return found;
}

static void test_erase(void **state)
{
    static const char *const traces[] = {"zebulon", "quaxley", EMAIL};
    char *path = test_circle_path(W->circle, "/participants/%lld", W->zq);
    struct test_response resp;
    json_t *doc, *p;
    long status;
    size_t i;

    (void)state;
    /* the search finds them before */
    for (i = 0; i < 3; i++)
        assert_true(db_holds(traces[i]));
    json_decref(call(&status, "DELETE", path, NULL, NULL));
    assert_int_equal(status, 204);

    /* gone: the record, the export, their mail; a second DELETE is 404 */
    json_decref(call(&status, "GET", path, NULL, NULL));
    assert_int_equal(status, 404);
    doc = export_doc(&status);
    assert_int_equal(status, 404);
    json_decref(doc);
    json_decref(call(&status, "DELETE", path, NULL, NULL));
    assert_int_equal(status, 404);
    assert_int_equal(mail_count(EMAIL, NULL), 0);
    free(path);

    /* the freed place went to Ben, who is invited */
    path = test_circle_path(W->circle, "/plenaries");
    doc = call(&status, "GET", path, NULL, NULL);
    p = json_array_get(json_object_get(doc, "plenaries"), 0);
    assert_int_equal(json_integer_value(json_object_get(p, "registered")), 1);
    assert_int_equal(json_integer_value(json_object_get(p, "waitlisted")), 0);
    json_decref(doc);
    free(path);
    assert_true(mail_count("ben@example.org", NULL) >= 2);

    /* their note is gone, Ana's stays; Ana's wish to be with them goes */
    path = mg_xasprintf("/api/v1/notes/%lld", W->note);
    json_decref(call(&status, "GET", path, NULL, NULL));
    assert_int_equal(status, 404);
    free(path);
    path = mg_xasprintf("/api/v1/notes/%lld", W->other_note);
    json_decref(call(&status, "GET", path, NULL, NULL));
    assert_int_equal(status, 200);
    free(path);
    path = test_circle_path(W->circle, "/participants/%lld", W->ana);
    doc = call(&status, "GET", path, NULL, NULL);
    assert_int_equal(status, 200);
    assert_int_equal(json_array_size(json_object_get(doc, "with")), 0);
    json_decref(doc);
    free(path);
    /* their page (a secret) no longer opens */
    assert_int_equal(
        test_http(&resp, W->site.d.port, "GET", W->zq_page, NULL, NULL, NULL),
        0);
    assert_int_equal(resp.status, 404);
    test_response_release(&resp);

    /* and no byte of the database or its WAL names them */
    for (i = 0; i < 3; i++)
        if (db_holds(traces[i]))
            fail_msg("'%s' is still in the database files", traces[i]);
}

static void test_erase_errors(void **state)
{
    char *path = test_circle_path(W->circle, "/participants/999999");
    char circle_s[24];
    const char *argv[] = {"people",   "erase",    "--db",
                          W->site.db, "--circle", NULL,
                          "--person", "999999",   NULL};
    char *out = NULL, *err = NULL;
    long status;

    (void)state;
    json_decref(call(&status, "DELETE", path, NULL, NULL));
    assert_int_equal(status, 404);
    free(path);
    snprintf(circle_s, sizeof(circle_s), "%lld", W->circle);
    argv[5] = circle_s;
    assert_int_equal(test_run_cli(&out, &err, argv, NULL), 1);
    assert_non_null(strstr(err, "no person 999999"));
    free(out);
    free(err);
    argv[7] = "x";
    assert_int_equal(test_run_cli(&out, &err, argv, NULL), 2);
    free(out);
    free(err);
}

/* The CLI erases too, and says what went. */
static void test_erase_cli(void **state)
{
    char circle_s[24], ben_s[24];
    const char *argv[] = {"people", "erase",    "--db", W->site.db, "--circle",
                          NULL,     "--person", NULL,   NULL};
    char *out = NULL;
    long status;
    char *path;

    (void)state;
    snprintf(circle_s, sizeof(circle_s), "%lld", W->circle);
    snprintf(ben_s, sizeof(ben_s), "%lld", W->ben);
    argv[5] = circle_s;
    argv[7] = ben_s;
    assert_int_equal(test_run_cli(&out, NULL, argv, NULL), 0);
    assert_non_null(strstr(out, "erased person"));
    assert_non_null(strstr(out, "group memberships 1, invitations 1"));
    assert_non_null(strstr(out, "plenary registrations 1 "));
    free(out);
    path = test_circle_path(W->circle, "/participants/%lld/export", W->ben);
    json_decref(call(&status, "GET", path, NULL, NULL));
    assert_int_equal(status, 404);
    free(path);
    assert_false(db_holds("ben@example.org"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_export),
        cmocka_unit_test(test_erase),
        cmocka_unit_test(test_erase_errors),
        cmocka_unit_test(test_erase_cli),
    };

    return cmocka_run_group_tests(tests, setup_world, teardown_world);
}
