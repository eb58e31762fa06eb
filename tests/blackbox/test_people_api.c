/*
 * test_people_api.c: participants through the API and the CLI against a
 * real `mingle serve`: one person, JSON and CSV bulk imports that are all
 * or nothing, filters, updates, withdrawal and erasure.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "support.h"

static const char circle_json[] =
    "{\"title\":\"People circle\",\"time_zone\":\"Pacific/Auckland\","
    "\"start_date\":\"2027-03-02\",\"weeks\":4,\"slots\":[{\"weekday\":"
    "\"tuesday\",\"start\":\"19:30\",\"minutes\":60},{\"weekday\":"
    "\"thursday\",\"start\":\"12:00\",\"minutes\":45}]}";

struct world {
    struct test_site site;
    char *facilitator;
    long long circle;
    long long tuesday; /* slot id */
};

static struct world *W;

static json_t *call(long *status, const char *method, const char *path,
                    const char *token, const char *body, const char *ctype)
{
    return test_call_json(status, W->site.d.port, token, method, path, body,
                          ctype);
}

static char *people_path(const char *suffix)
{
    return mg_xasprintf("/api/v1/circles/%lld/participants%s", W->circle,
                        suffix);
}

static size_t count_people(const char *query)
{
    char *path = people_path(query);
    long status;
    json_t *doc = call(&status, "GET", path, W->site.token, NULL, NULL);
    size_t n;

    assert_int_equal(status, 200);
    n = json_array_size(json_object_get(doc, "participants"));
    json_decref(doc);
    free(path);
    return n;
}

static const char *error_message(json_t *doc)
{
    return json_string_value(
        json_object_get(json_object_get(doc, "error"), "message"));
}

static int setup_world(void **state)
{
    struct world *w = mg_xcalloc(1, sizeof(*w));
    json_t *doc;

    if (test_site_start(&w->site, "people.db", NULL) < 0)
        return -1;
    W = w;
    w->circle = test_site_circle(&w->site, circle_json, &doc);
    if (!w->circle)
        return -1;
    /* A token of the circle that is not a coordinator's. */
    w->facilitator = test_site_token(&w->site, "participant", w->circle, 0);
    if (!w->facilitator)
        return -1;
    w->tuesday = json_integer_value(json_object_get(
        json_array_get(json_object_get(doc, "slots"), 0), "id"));
    json_decref(doc);
    *state = w;
    return 0;
}

static int teardown_world(void **state)
{
    struct world *w = *state;

    test_site_stop(&w->site, SIGTERM);
    free(w->facilitator);
    free(w);
    return 0;
}

static void test_add_one(void **state)
{
    char *path = people_path("");
    long status;
    json_t *doc;

    (void)state;
    doc = call(&status, "POST", path, W->site.token,
               "{\"name\":\"Aroha Ngata\",\"email\":\"Aroha@Example.org\","
               "\"role\":\"facilitator\",\"sector\":\"public\","
               "\"region\":\"Auckland\",\"time_zone\":\"Pacific/Auckland\","
               "\"slots\":[\"tuesday 19:30\"],\"apart\":[\"x@example.org\"]}",
               NULL);
    assert_int_equal(status, 201);
    assert_string_equal(json_string_value(json_object_get(doc, "role")),
                        "facilitator");
    assert_int_equal(
        json_integer_value(json_array_get(json_object_get(doc, "slots"), 0)),
        W->tuesday);
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(doc, "apart"), 0)),
        "x@example.org");
    json_decref(doc);
    /* The same address in another case is the same person. */
    doc = call(&status, "POST", path, W->site.token,
               "{\"name\":\"A N\",\"email\":\"aroha@EXAMPLE.org\"}", NULL);
    assert_int_equal(status, 409);
    json_decref(doc);
    doc = call(&status, "POST", path, W->site.token,
               "{\"name\":\"A N\",\"email\":\"an@example.org\","
               "\"slots\":[\"friday 10:00\"]}",
               NULL);
    assert_int_equal(status, 422);
    assert_non_null(strstr(error_message(doc), "friday 10:00"));
    json_decref(doc);
    doc = call(&status, "POST", path, W->facilitator,
               "{\"name\":\"A N\",\"email\":\"an@example.org\"}", NULL);
    assert_int_equal(status, 403);
    json_decref(doc);
    free(path);
}

static void test_csv_import_all_or_nothing(void **state)
{
    char *path = people_path("");
    size_t before;
    long status;
    json_t *doc;

    (void)state;
    before = count_people("");
    doc = call(&status, "POST", path, W->site.token,
               "Name,Email,Sector,Region,Availability\r\n"
               "Ben Lee,ben@example.org,academic,Otago,tue 19:30\r\n"
               "Cara Jones,cara@example.org,school,Auckland,\"tue 19:30; "
               "thu 12:00\"\r\n"
               "Dan Wu,dan@example.org,special,Canterbury,thu 12:00\r\n",
               "text/csv");
    assert_int_equal(status, 201);
    assert_int_equal(json_integer_value(json_object_get(doc, "imported")), 3);
    json_decref(doc);
    assert_int_equal(count_people(""), before + 3);

    /* A bad third row: nothing from this file is stored. */
    doc = call(&status, "POST", path, W->site.token,
               "name,email\nEve,eve@example.org\nFay,fay-at-example\n",
               "text/csv; charset=utf-8");
    assert_int_equal(status, 422);
    assert_non_null(strstr(error_message(doc), "line 3, field 'email'"));
    json_decref(doc);
    /* An address already registered: refused whole, with the address
     * and the line it is on. */
    doc = call(&status, "POST", path, W->site.token,
               "name,email\nGus,gus@example.org\nBen again,BEN@example.org\n",
               "text/csv");
    assert_int_equal(status, 409);
    assert_non_null(strstr(error_message(doc),
                           "line 3, field 'email': 'BEN@example.org' is "
                           "already registered"));
    json_decref(doc);
    /* A JSON array with a bad item. */
    doc = call(&status, "POST", path, W->site.token,
               "[{\"name\":\"Hal\",\"email\":\"hal@example.org\"},"
               "{\"name\":\"Ivy\",\"email\":\"ivy@example.org\","
               "\"role\":\"boss\"}]",
               NULL);
    assert_int_equal(status, 422);
    assert_non_null(strstr(error_message(doc), "item 1"));
    json_decref(doc);
    assert_int_equal(count_people(""), before + 3);
    free(path);
}

static void test_filters(void **state)
{
    (void)state;
    assert_int_equal(count_people("?role=facilitator"), 1);
    assert_int_equal(count_people("?sector=ACADEMIC"), 1);
    assert_int_equal(count_people("?region=auckland"), 2);
    assert_int_equal(count_people("?q=jones"), 1);
    assert_int_equal(count_people("?limit=2"), 2);
}

/* Imports as a coordinator's data brings them: line and item numbers for
 * addresses already there or given twice, warnings for facilitators who
 * left their availability empty. */
static void test_import_lines_and_warnings(void **state)
{
    char *path = people_path("");
    size_t before;
    long status;
    json_t *doc, *warnings;

    (void)state;
    before = count_people("?limit=1000");
    /* Row 4 of a form export (after a two-line comment) is Cara, whom an
     * earlier import registered. */
    doc = call(&status, "POST", path, W->site.token,
               "Full Name,Email Address,Comments\r\n"
               "Nia Rua,nia@example.org,\"Keen.\r\nVery keen.\"\r\n"
               "Oli Sands,oli@example.org,\r\n"
               "Cara J,Cara@Example.org,\r\n"
               "Sam Tui,sam@example.org,\r\n"
               "Ben Lee,ben@example.org,\r\n",
               "text/csv");
    assert_int_equal(status, 409);
    assert_non_null(strstr(error_message(doc),
                           "line 5, field 'email': 'Cara@Example.org' is "
                           "already registered in this circle; so is the "
                           "address on line 7"));
    json_decref(doc);
    /* The same in a JSON list: by item, counted from 0. */
    doc = call(&status, "POST", path, W->site.token,
               "[{\"name\":\"Nia\",\"email\":\"nia@example.org\"},"
               "{\"name\":\"Ben\",\"email\":\"ben@example.org\"}]",
               NULL);
    assert_int_equal(status, 409);
    assert_non_null(
        strstr(error_message(doc), "item 1, field 'email': 'ben@example.org'"));
    json_decref(doc);
    /* An address twice in one list: both items named, not "already
     * registered". */
    doc = call(&status, "POST", path, W->site.token,
               "[{\"name\":\"Nia\",\"email\":\"nia@example.org\"},"
               "{\"name\":\"Oli\",\"email\":\"oli@example.org\"},"
               "{\"name\":\"Nia R\",\"email\":\"NIA@example.org\"}]",
               NULL);
    assert_int_equal(status, 422);
    assert_non_null(strstr(error_message(doc),
                           "item 2, field 'email': 'NIA@example.org' is "
                           "already in item 0"));
    json_decref(doc);
    assert_int_equal(count_people("?limit=1000"), before);

    /* Stored, with a warning for the facilitator with no availability. */
    doc = call(&status, "POST", path, W->site.token,
               "Name,Email,Role,Availability\n"
               "Nia Rua,nia@example.org,facilitator,thu 12:00\n"
               "Oli Sands,oli@example.org,facilitator,\n"
               "Pat Ko,pat@example.org,participant,\n",
               "text/csv");
    assert_int_equal(status, 201);
    assert_int_equal(json_integer_value(json_object_get(doc, "imported")), 3);
    warnings = json_object_get(doc, "warnings");
    assert_int_equal(json_array_size(warnings), 2);
    assert_non_null(strstr(json_string_value(json_array_get(warnings, 0)),
                           "line 3: Oli Sands (oli@example.org) is a "
                           "facilitator and gave no availability"));
    assert_non_null(strstr(json_string_value(json_array_get(warnings, 1)),
                           "1 participant gave no availability (on line 4)"));
    json_decref(doc);
    /* One person by JSON: the warning rides along with the record. */
    doc = call(&status, "POST", path, W->site.token,
               "{\"name\":\"Quin\",\"email\":\"quin@example.org\","
               "\"role\":\"facilitator\"}",
               NULL);
    assert_int_equal(status, 201);
    warnings = json_object_get(doc, "warnings");
    assert_int_equal(json_array_size(warnings), 1);
    assert_true(strncmp(json_string_value(json_array_get(warnings, 0)),
                        "Quin (quin@example.org) is a facilitator", 40) == 0);
    json_decref(doc);
    doc = call(&status, "POST", path, W->site.token,
               "{\"name\":\"Rua\",\"email\":\"rua@example.org\","
               "\"role\":\"facilitator\",\"slots\":[\"tuesday 19:30\"]}",
               NULL);
    assert_int_equal(status, 201);
    assert_null(json_object_get(doc, "warnings"));
    json_decref(doc);
    assert_int_equal(count_people("?limit=1000"), before + 5);
    free(path);
}

/* How many of `warnings` are about links; *text the last of them. */
static int link_warning(json_t *warnings, const char *text[1])
{
    size_t i;
    int n = 0;

    for (i = 0; i < json_array_size(warnings); i++) {
        const char *w = json_string_value(json_array_get(warnings, i));

        if (w && strstr(w, " link of ")) {
            *text = w;
            n++;
        }
    }
    return n;
}

/*
 * with/apart links as a form brings them: to someone already registered
 * (in any case), to someone in the same file, and to someone nobody has
 * registered yet, which is warned about by line, case kept as written.
 */
static void test_import_link_warnings(void **state)
{
    char *path = people_path("");
    const char *text = NULL;
    long status;
    json_t *doc, *warnings;

    (void)state;
    doc = call(&status, "POST", path, W->site.token,
               "name,email,with,apart\n"
               "Tia,tia@example.org,NIA@example.org,\n"
               "Uri,uri@example.org,tia@example.org,\n"
               "Vai,vai@example.org,,Zed@Example.org;uri@example.org\n",
               "text/csv");
    assert_int_equal(status, 201);
    warnings = json_object_get(doc, "warnings");
    assert_int_equal(link_warning(warnings, &text), 1);
    assert_string_equal(text, "line 4: the 'apart' link of Vai names "
                              "Zed@Example.org, who is not registered in "
                              "this circle: it counts once they register");
    json_decref(doc);
    /* one person by JSON, linked to nobody known: the same, unnumbered */
    doc = call(&status, "POST", path, W->site.token,
               "{\"name\":\"Wen\",\"email\":\"wen@example.org\","
               "\"with\":[\"ghost@example.org\"]}",
               NULL);
    assert_int_equal(status, 201);
    warnings = json_object_get(doc, "warnings");
    assert_int_equal(link_warning(warnings, &text), 1);
    assert_non_null(
        strstr(text, "the 'with' link of Wen names ghost@example.org"));
    json_decref(doc);
    free(path);
}

static long long find_id(const char *email)
{
    char *path = people_path("?limit=1000");
    long status;
    json_t *doc = call(&status, "GET", path, W->site.token, NULL, NULL);
    json_t *list = json_object_get(doc, "participants");
    long long id = 0;
    size_t i;

    for (i = 0; i < json_array_size(list); i++)
        if (strcmp(json_string_value(
                       json_object_get(json_array_get(list, i), "email")),
                   email) == 0)
            id = json_integer_value(
                json_object_get(json_array_get(list, i), "id"));
    json_decref(doc);
    free(path);
    return id;
}

static void test_update_withdraw_delete(void **state)
{
    long long id = find_id("dan@example.org");
    char *suffix = mg_xasprintf("/%lld", id);
    char *path = people_path(suffix);
    char *withdraw = mg_xasprintf("%s/withdraw", path);
    long status;
    json_t *doc;

    (void)state;
    assert_true(id > 0);
    doc = call(&status, "PATCH", path, W->site.token,
               "{\"region\":\"Wellington\",\"locked\":true}", NULL);
    assert_int_equal(status, 200);
    assert_string_equal(json_string_value(json_object_get(doc, "region")),
                        "Wellington");
    assert_true(json_is_true(json_object_get(doc, "locked")));
    json_decref(doc);
    doc = call(&status, "PATCH", path, W->site.token,
               "{\"email\":\"not an email\"}", NULL);
    assert_int_equal(status, 422);
    json_decref(doc);
    doc = call(&status, "GET", path, W->site.token, NULL, NULL);
    assert_string_equal(json_string_value(json_object_get(doc, "email")),
                        "dan@example.org");
    json_decref(doc);

    doc = call(&status, "POST", withdraw, W->site.token, NULL, NULL);
    assert_int_equal(status, 200);
    assert_string_equal(json_string_value(json_object_get(doc, "status")),
                        "withdrawn");
    json_decref(doc);
    assert_int_equal(count_people("?status=withdrawn"), 1);

    doc = call(&status, "DELETE", path, W->site.token, NULL, NULL);
    assert_int_equal(status, 204);
    doc = call(&status, "GET", path, W->site.token, NULL, NULL);
    assert_int_equal(status, 404);
    json_decref(doc);
    /* Erased: the address can register again as someone new. */
    assert_int_equal(find_id("dan@example.org"), 0);
    free(path);
    path = people_path("");
    doc = call(&status, "POST", path, W->site.token,
               "{\"name\":\"Dan Wu\",\"email\":\"dan@example.org\"}", NULL);
    assert_int_equal(status, 201);
    json_decref(doc);
    free(path);
    free(withdraw);
    free(suffix);
}

static void test_cli_import(void **state)
{
    char *csv = mg_xasprintf("%s/people.csv", W->site.dir);
    char *bad = mg_xasprintf("%s/bad.csv", W->site.dir);
    char circle[32];
    const char *argv[] = {"people", "import", csv,        "--circle",
                          circle,   "--db",   W->site.db, NULL};
    const char *bad_argv[] = {"people", "import", bad,        "--circle",
                              circle,   "--db",   W->site.db, NULL};
    char *out = NULL, *err = NULL;
    FILE *f;
    size_t before = count_people("?limit=1000");

    (void)state;
    snprintf(circle, sizeof(circle), "%lld", W->circle);
    f = fopen(csv, "w");
    fputs("name,email,role\nJo,jo@example.org,facilitator\n"
          "Kai,kai@example.org,\n",
          f);
    fclose(f);
    f = fopen(bad, "w");
    fputs("name,email\nLee,lee@example.org\n\"Mo,mo@example.org\n", f);
    fclose(f);
    assert_int_equal(test_run_cli(&out, &err, argv, NULL), 0);
    assert_non_null(strstr(out, "imported 2 people"));
    /* no availability column: said once, for the file */
    assert_non_null(strstr(err, "warning: the file has no availability "
                                "column"));
    free(out);
    free(err);
    assert_int_equal(test_run_cli(&out, &err, bad_argv, NULL), 1);
    assert_non_null(strstr(err, "line 3"));
    free(out);
    free(err);
    /* One facilitator who left the cell empty, and Jo again on line 4. */
    f = fopen(bad, "w");
    fputs("name,email,role,availability\n"
          "Lee,lee@example.org,facilitator,\n"
          "Mo,mo@example.org,participant,tue 19:30\n"
          "Jo Again,JO@example.org,facilitator,thu 12:00\n",
          f);
    fclose(f);
    assert_int_equal(test_run_cli(&out, &err, bad_argv, NULL), 1);
    assert_non_null(strstr(err, "line 4, field 'email': 'JO@example.org' is "
                                "already registered in circle"));
    assert_non_null(strstr(err, "nothing was imported"));
    free(out);
    free(err);
    f = fopen(bad, "w");
    fputs("name,email,role,availability\n"
          "Lee,lee@example.org,facilitator,\n"
          "Mo,mo@example.org,participant,tue 19:30\n",
          f);
    fclose(f);
    assert_int_equal(test_run_cli(&out, &err, bad_argv, NULL), 0);
    assert_non_null(strstr(out, "imported 2 people"));
    assert_non_null(strstr(err, "warning: line 2: Lee (lee@example.org) is a "
                                "facilitator and gave no availability"));
    assert_null(strstr(err, "mo@example.org"));
    free(out);
    free(err);
    assert_int_equal(count_people("?limit=1000"), before + 4);
    free(csv);
    free(bad);
}

/* Issue #17 item 14: the search `q` takes '%' and '_' literally (they
 * were LIKE wildcards: "%" found everyone, "jo_" found "Joxanne"). */
static void test_search_literal(void **state)
{
    char *path = people_path("");
    size_t everyone;
    long status;
    json_t *doc;

    (void)state;
    doc = call(&status, "POST", path, W->site.token,
               "[{\"name\":\"Jo_Anne Smith\",\"email\":"
               "\"jo_anne@example.org\"},{\"name\":\"Joxanne Brown\","
               "\"email\":\"joxanne@example.org\"},{\"name\":\"Rua "
               "100% Kiwi\",\"email\":\"kiwi100@example.org\"},{\"name\":"
               "\"Back\\\\slash\",\"email\":\"bs@example.org\"}]",
               NULL);
    assert_int_equal(status, 201);
    json_decref(doc);
    everyone = count_people("");
    assert_true(everyone > 4);
    assert_int_equal(count_people("?q=jo_"), 1);
    assert_int_equal(count_people("?q=JO_A"), 1);
    assert_int_equal(count_people("?q=_"), 1);
    assert_int_equal(count_people("?q=%25"), 1);
    assert_int_equal(count_people("?q=100%25"), 1);
    assert_int_equal(count_people("?q=%25%25"), 0);
    assert_int_equal(count_people("?q=%5C"), 1);
    assert_int_equal(count_people("?q=k%5C%25"), 0);
    /* the plain search still matches anywhere in name or address */
    assert_int_equal(count_people("?q=oxan"), 1);
    assert_int_equal(count_people("?q=JOXANNE%40EXAMPLE"), 1);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_one),
        cmocka_unit_test(test_csv_import_all_or_nothing),
        cmocka_unit_test(test_filters),
        cmocka_unit_test(test_import_lines_and_warnings),
        cmocka_unit_test(test_import_link_warnings),
        cmocka_unit_test(test_update_withdraw_delete),
        cmocka_unit_test(test_cli_import),
        cmocka_unit_test(test_search_literal),
    };

    return cmocka_run_group_tests(tests, setup_world, teardown_world);
}
