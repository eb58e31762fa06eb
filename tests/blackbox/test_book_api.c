/*
 * test_book_api.c: books through the API and the CLI against a real
 * `mingle serve`: uploading the Atlas outline, its six threads and both
 * plans, replacing a book, every error path, `mingle book split` and the
 * demo loading the outline.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "support.h"

#define ATLAS MINGLE_DATA_DIR "/atlas-outline.md"

/* The threads the outline marks, in order (from its "## Thread:" lines). */
static const char *const atlas_threads[] = {
    "Mission",     "Knowledge Creation", "Facilitating",
    "Communities", "Improve Society",    "Librarians"};

static const char circle_json[] =
    "{\"title\":\"Atlas circle\",\"time_zone\":\"Pacific/Auckland\","
    "\"start_date\":\"2027-03-02\",\"weeks\":4,\"slots\":[{\"weekday\":"
    "\"tuesday\",\"start\":\"19:30\",\"minutes\":60}]}";

struct world {
    struct test_site site;
    char *facilitator;
    int64_t circle;
    char *atlas;
};

static struct world *W;

static char *slurp_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    struct mg_buf b = MG_BUF_INIT;
    char buf[4096];
    size_t n;

    if (!f)
        return NULL;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        mg_buf_add(&b, buf, n);
    fclose(f);
    return mg_buf_detach(&b);
}

static json_t *call(long *status, const char *method, const char *path,
                    const char *token, const char *body, const char *ctype)
{
    return test_call_json(status, W->site.d.port, token, method, path, body,
                          ctype);
}

static int setup_world(void **state)
{
    struct world *w = mg_xcalloc(1, sizeof(*w));

    w->atlas = slurp_file(ATLAS);
    if (!w->atlas || test_site_start(&w->site, "book.db", NULL) < 0)
        return -1;
    W = w;
    w->circle = test_site_circle(&w->site, circle_json, NULL);
    if (!w->circle)
        return -1;
    /* A token of the circle that is not a coordinator's. */
    w->facilitator = test_site_token(&w->site, "participant", w->circle, 0);
    if (!w->facilitator)
        return -1;
    *state = w;
    return 0;
}

static int teardown_world(void **state)
{
    struct world *w = *state;

    test_site_stop(&w->site, SIGTERM);
    free(w->facilitator);
    free(w->atlas);
    free(w);
    return 0;
}

static void expect_error(json_t *doc, const char *code)
{
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(doc, "error"), "code")),
                        code);
    json_decref(doc);
}

static void check_atlas_threads(json_t *threads)
{
    size_t i;

    assert_int_equal(json_array_size(threads), 6);
    for (i = 0; i < 6; i++)
        assert_string_equal(json_string_value(json_object_get(
                                json_array_get(threads, i), "title")),
                            atlas_threads[i]);
}

static void test_upload_atlas(void **state)
{
    char *path = test_circle_path(W->circle, "/book?name=atlas-outline.md");
    long status;
    json_t *doc, *per;
    size_t i;

    (void)state;
    doc = call(&status, "POST", path, W->site.token, W->atlas, "text/markdown");
    assert_int_equal(status, 201);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(doc, "book"), "format")),
                        "markdown");
    check_atlas_threads(json_object_get(doc, "threads"));
    /* Same pace: four weeks of the whole outline. */
    assert_int_equal(json_array_size(json_object_get(
                         json_object_get(doc, "readings"), "same_pace")),
                     4);
    /* Thread per group: each thread over four weeks (each has four
     * sub-sections in the outline). */
    per = json_object_get(json_object_get(doc, "readings"), "thread_per_group");
    assert_int_equal(json_array_size(per), 6);
    for (i = 0; i < 6; i++)
        assert_int_equal(
            json_array_size(json_object_get(json_array_get(per, i), "weeks")),
            4);
    json_decref(doc);
    free(path);

    path = test_circle_path(W->circle, "/threads");
    doc = call(&status, "GET", path, W->site.token, NULL, NULL);
    assert_int_equal(status, 200);
    check_atlas_threads(json_object_get(doc, "threads"));
    json_decref(doc);
    free(path);

    path = test_circle_path(W->circle, "/readings?plan=thread");
    doc = call(&status, "GET", path, W->site.token, NULL, NULL);
    assert_int_equal(status, 200);
    assert_int_equal(json_array_size(json_object_get(doc, "readings")), 24);
    /* The Mission thread has four sub-sections for four weeks: one a
     * week, the thread's heading going with the first. */
    {
        json_t *list = json_object_get(doc, "readings");
        assert_string_equal(json_string_value(json_object_get(
                                json_array_get(list, 0), "first")),
                            "Mission");
        assert_string_equal(
            json_string_value(json_object_get(json_array_get(list, 0), "last")),
            "A mission, not a collection");
        assert_string_equal(json_string_value(json_object_get(
                                json_array_get(list, 1), "first")),
                            "Reading the statement word by word");
        assert_int_equal(json_integer_value(
                             json_object_get(json_array_get(list, 3), "week")),
                         4);
    }
    json_decref(doc);
    free(path);

    path = test_circle_path(W->circle, "/book");
    doc = call(&status, "GET", path, W->site.token, NULL, NULL);
    assert_int_equal(status, 200);
    assert_string_equal(json_string_value(json_object_get(doc, "format")),
                        "markdown");
    assert_int_equal(json_string_length(json_object_get(doc, "sha256")), 64);
    json_decref(doc);
    free(path);
}

/* Uploading again replaces the book: same threads, new rows, no dupes. */
static void test_reupload_replaces(void **state)
{
    char *path = test_circle_path(W->circle, "/book");
    char *tpath = test_circle_path(W->circle, "/threads");
    static const char small[] = "# Thread: One\n\nalpha beta\n\n"
                                "# Thread: Two\n\ngamma delta\n";
    long status;
    json_t *doc;

    (void)state;
    doc = call(&status, "PUT", path, W->site.token, small, NULL);
    assert_int_equal(status, 201);
    json_decref(doc);
    doc = call(&status, "GET", tpath, W->site.token, NULL, NULL);
    assert_int_equal(json_array_size(json_object_get(doc, "threads")), 2);
    json_decref(doc);
    /* A bad file changes nothing. */
    expect_error(call(&status, "PUT", path, W->site.token, "   \n  ", NULL),
                 "invalid");
    assert_int_equal(status, 422);
    expect_error(call(&status, "PUT", path, W->site.token,
                      "PK\x03\x04 this is not really a zip", NULL),
                 "invalid");
    assert_int_equal(status, 422);
    doc = call(&status, "GET", tpath, W->site.token, NULL, NULL);
    assert_int_equal(json_array_size(json_object_get(doc, "threads")), 2);
    json_decref(doc);
    /* Back to the Atlas for the tests after this one. */
    doc = call(&status, "PUT", path, W->site.token, W->atlas, NULL);
    assert_int_equal(status, 201);
    json_decref(doc);
    free(path);
    free(tpath);
}

/* Thread id of `title` in the circle's current threads, or 0. */
static long long thread_id(const char *title)
{
    char *path = test_circle_path(W->circle, "/threads");
    long status;
    json_t *doc = call(&status, "GET", path, W->site.token, NULL, NULL);
    json_t *list = json_object_get(doc, "threads");
    long long id = 0;
    size_t i;

    for (i = 0; i < json_array_size(list); i++)
        if (strcmp(json_string_value(
                       json_object_get(json_array_get(list, i), "title")),
                   title) == 0)
            id = json_integer_value(
                json_object_get(json_array_get(list, i), "id"));
    json_decref(doc);
    free(path);
    return id;
}

/* A corrected book keeps the people's thread wishes (matched by title). */
static void test_reupload_keeps_wishes(void **state)
{
    char *people = test_circle_path(W->circle, "/participants");
    char *book = test_circle_path(W->circle, "/book");
    char *person;
    long status;
    long long before, after, pid;
    json_t *doc;

    (void)state;
    doc = call(&status, "POST", people, W->site.token,
               "{\"name\":\"Wish Er\",\"email\":\"wish@example.org\","
               "\"threads\":[\"Communities\",\"Mission\"]}",
               NULL);
    assert_int_equal(status, 201);
    pid = json_integer_value(json_object_get(doc, "id"));
    json_decref(doc);
    before = thread_id("Communities");
    doc = call(&status, "PUT", book, W->site.token, W->atlas, NULL);
    assert_int_equal(status, 201);
    json_decref(doc);
    after = thread_id("Communities");
    assert_true(after > 0 && before > 0);
    person = mg_xasprintf("/api/v1/circles/%lld/participants/%lld",
                          (long long)W->circle, pid);
    doc = call(&status, "GET", person, W->site.token, NULL, NULL);
    assert_int_equal(status, 200);
    /* The old threads and the wishes on them were deleted with the old
     * book; the wishes follow the new threads of the same name, in
     * order. */
    assert_int_equal(json_array_size(json_object_get(doc, "threads")), 2);
    assert_int_equal(
        json_integer_value(json_array_get(json_object_get(doc, "threads"), 0)),
        after);
    assert_int_equal(
        json_integer_value(json_array_get(json_object_get(doc, "threads"), 1)),
        thread_id("Mission"));
    json_decref(doc);
    free(person);
    free(people);
    free(book);
}

static void test_no_structure_warns(void **state)
{
    char *path;
    long status;
    json_t *doc, *warnings;
    long long other;
    struct mg_buf text = MG_BUF_INIT;
    int i;

    (void)state;
    doc = call(&status, "POST", "/api/v1/circles", W->site.token, circle_json,
               NULL);
    other = json_integer_value(json_object_get(doc, "id"));
    json_decref(doc);
    for (i = 0; i < 40; i++)
        mg_buf_printf(&text,
                      "Paragraph %d has a handful of plain words "
                      "in it.\n\n",
                      i);
    path = mg_xasprintf("/api/v1/circles/%lld/book", other);
    doc = call(&status, "POST", path, W->site.token, text.data, "text/plain");
    assert_int_equal(status, 201);
    assert_true(json_is_true(
        json_object_get(json_object_get(doc, "book"), "no_structure")));
    warnings = json_object_get(doc, "warnings");
    assert_true(json_array_size(warnings) >= 1);
    assert_non_null(
        strstr(json_string_value(json_array_get(warnings, 0)), "no chapters"));
    assert_int_equal(json_array_size(json_object_get(
                         json_object_get(doc, "readings"), "same_pace")),
                     4);
    json_decref(doc);
    /* the one text read over four weeks: part 1 of 4 ... part 4 of 4 */
    free(path);
    path = mg_xasprintf("/api/v1/circles/%lld/readings?plan=same_pace", other);
    doc = call(&status, "GET", path, W->site.token, NULL, NULL);
    assert_int_equal(status, 200);
    for (i = 0; i < 4; i++) {
        json_t *r = json_array_get(json_object_get(doc, "readings"), (size_t)i);

        assert_int_equal(json_integer_value(json_object_get(r, "part")), i + 1);
        assert_int_equal(json_integer_value(json_object_get(r, "parts")), 4);
    }
    json_decref(doc);
    free(path);
    mg_buf_release(&text);
}

/* Issue #17, item 11: a thread that is one chapter with no sections is
 * read over the circle's four weeks, cut at paragraphs, and each week
 * says which part it is; a thread of several chapters is not labelled. */
static void test_one_chapter_threads_in_parts(void **state)
{
    char *path;
    long status;
    json_t *doc, *list;
    long long other;
    struct mg_buf text = MG_BUF_INIT;
    size_t i, n_labelled = 0, n_first = 0;
    int k;

    (void)state;
    doc = call(&status, "POST", "/api/v1/circles", W->site.token, circle_json,
               NULL);
    other = json_integer_value(json_object_get(doc, "id"));
    json_decref(doc);
    mg_buf_puts(&text, "# The Long Letter\n\n");
    for (k = 0; k < 40; k++)
        mg_buf_printf(&text, "Letter paragraph %d says a few words more.\n\n",
                      k);
    mg_buf_puts(&text, "# Two Short Ones\n\n## First\n\n");
    for (k = 0; k < 20; k++)
        mg_buf_printf(&text, "First paragraph %d of the pair.\n\n", k);
    mg_buf_puts(&text, "## Second\n\n");
    for (k = 0; k < 20; k++)
        mg_buf_printf(&text, "Second paragraph %d of the pair.\n\n", k);
    path = mg_xasprintf("/api/v1/circles/%lld/book", other);
    doc =
        call(&status, "POST", path, W->site.token, text.data, "text/markdown");
    assert_int_equal(status, 201);
    json_decref(doc);
    free(path);
    path = mg_xasprintf("/api/v1/circles/%lld/readings?plan=thread", other);
    doc = call(&status, "GET", path, W->site.token, NULL, NULL);
    assert_int_equal(status, 200);
    list = json_object_get(doc, "readings");
    for (i = 0; i < json_array_size(list); i++) {
        json_t *r = json_array_get(list, i);
        const char *first = json_string_value(json_object_get(r, "first"));
        json_int_t week = json_integer_value(json_object_get(r, "week"));

        if (strcmp(first, "The Long Letter") == 0) {
            n_first++;
            assert_int_equal(json_integer_value(json_object_get(r, "part")),
                             week);
            assert_int_equal(json_integer_value(json_object_get(r, "parts")),
                             4);
            n_labelled++;
        } else if (json_object_get(r, "parts")) {
            /* "First" runs from week 1 (after "Two Short Ones" opens it)
             * to week 3: weeks 2 and 3 are its parts 2 and 3 of 3 */
            assert_string_equal(first, "First");
            assert_int_equal(json_integer_value(json_object_get(r, "part")),
                             week);
            assert_int_equal(json_integer_value(json_object_get(r, "parts")),
                             3);
            n_labelled++;
        }
    }
    assert_int_equal(n_first, 4);
    assert_int_equal(n_labelled, 6);
    json_decref(doc);
    free(path);
    mg_buf_release(&text);
}

static void test_book_errors(void **state)
{
    char *path = test_circle_path(W->circle, "/book?weeks=0");
    long status;

    (void)state;
    expect_error(call(&status, "POST", path, W->site.token, W->atlas, NULL),
                 "invalid");
    assert_int_equal(status, 400);
    free(path);
    path = test_circle_path(W->circle, "/book");
    expect_error(call(&status, "POST", path, W->facilitator, W->atlas, NULL),
                 "forbidden");
    assert_int_equal(status, 403);
    expect_error(call(&status, "POST", path, NULL, W->atlas, NULL),
                 "unauthorized");
    assert_int_equal(status, 401);
    free(path);
    expect_error(call(&status, "POST", "/api/v1/circles/9999/book",
                      W->site.token, W->atlas, NULL),
                 "not_found");
    assert_int_equal(status, 404);
    expect_error(call(&status, "GET", "/api/v1/circles/9999/threads",
                      W->site.token, NULL, NULL),
                 "not_found");
    assert_int_equal(status, 404);
    path = test_circle_path(W->circle, "/readings?plan=fastest");
    expect_error(call(&status, "GET", path, W->site.token, NULL, NULL),
                 "invalid");
    assert_int_equal(status, 400);
    free(path);
}

static void test_cli_split(void **state)
{
    const char *argv[] = {"book", "split",  ATLAS, "--weeks",
                          "4",    "--json", NULL};
    const char *text_argv[] = {"book", "split", ATLAS, NULL};
    const char *bad_argv[] = {"book", "split", "/nonexistent/book.txt", NULL};
    char *out = NULL, *err = NULL;
    json_t *doc;
    size_t i;

    (void)state;
    assert_int_equal(test_run_cli(&out, NULL, argv, NULL), 0);
    doc = json_loads(out, 0, NULL);
    assert_non_null(doc);
    check_atlas_threads(json_object_get(doc, "threads"));
    json_decref(doc);
    free(out);
    assert_int_equal(test_run_cli(&out, NULL, text_argv, NULL), 0);
    for (i = 0; i < 6; i++)
        assert_non_null(strstr(out, atlas_threads[i]));
    assert_non_null(strstr(out, "same pace, 4 weeks"));
    free(out);
    assert_int_equal(test_run_cli(&out, &err, bad_argv, NULL), 1);
    assert_non_null(strstr(err, "/nonexistent/book.txt"));
    free(out);
    free(err);
}

/* The demo loads the Atlas outline into its circle. */
static void test_demo_loads_outline(void **state)
{
    struct test_daemon d;
    char *db = mg_xasprintf("%s/demo.db", W->site.dir);
    const char *list_argv[] = {"circle", "list", "--db", db, NULL};
    char *token, *out = NULL, *path;
    struct test_response resp;
    json_t *doc;
    long long id;

    (void)state;
    char *maildir = mg_xasprintf("%s/demo-mail", W->site.dir);
    char *maildir_env = mg_xasprintf("MINGLE_MAILDIR=%s", maildir);
    char *newdir = mg_xasprintf("%s/new", maildir);
    const char *env[] = {maildir_env, NULL};
    int tries;

    assert_int_equal(test_daemon_start_cmd(&d, "demo", db, NULL, env), 0);
    token = test_make_token(db, "coordinator");
    assert_non_null(token);
    assert_int_equal(test_run_cli(&out, NULL, list_argv, NULL), 0);
    id = atoll(out);
    free(out);
    path = mg_xasprintf("/api/v1/circles/%lld/threads", id);
    assert_int_equal(test_http(&resp, d.port, "GET", path, token, NULL, NULL),
                     0);
    assert_int_equal(resp.status, 200);
    doc = json_loads(resp.body, 0, NULL);
    check_atlas_threads(json_object_get(doc, "threads"));
    json_decref(doc);
    test_response_release(&resp);
    /* The demo's 16 members were invited to their group's calls and to
     * the kick-off, and the 14 who came to a call were sent the link to
     * the circle's survey, opened early: 46 messages in the maildir. */
    for (tries = 0; tries < 200; tries++) {
        DIR *dir = opendir(newdir);
        struct dirent *e;
        int n = 0;
        while (dir && (e = readdir(dir)) != NULL)
            n += e->d_name[0] != '.';
        if (dir)
            closedir(dir);
        if (n == 46)
            break;
        usleep(50000);
    }
    assert_true(tries < 200);
    assert_int_equal(test_daemon_stop(&d, SIGTERM), 0);
    free(newdir);
    free(maildir_env);
    free(maildir);
    free(path);
    free(token);
    free(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_upload_atlas),
        cmocka_unit_test(test_reupload_replaces),
        cmocka_unit_test(test_reupload_keeps_wishes),
        cmocka_unit_test(test_no_structure_warns),
        cmocka_unit_test(test_one_chapter_threads_in_parts),
        cmocka_unit_test(test_book_errors),
        cmocka_unit_test(test_cli_split),
        cmocka_unit_test(test_demo_loads_outline),
    };

    return cmocka_run_group_tests(tests, setup_world, teardown_world);
}
