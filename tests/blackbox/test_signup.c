/*
 * test_signup.c: issue #18, items 1-5, against a real `mingle serve`
 * writing its mail into a maildir. The public page (/join/<slug>) and
 * its settings (item 1), the double opt-in with its confirmation mail
 * read back from the maildir, re-sends and expiry (item 2), capacity, a
 * waitlist in order and the place handed on by a withdrawal (item 3), a
 * late sign-up placed at once with its invitation (item 4), and the
 * honeypot, the signed load time and the per-address cap (item 5). Each
 * test says which item it covers.
 */
#define _GNU_SOURCE
#include <ctype.h>
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
#include <sqlite3.h>

#include "mingle/signup.h"
#include "mingle/store.h"
#include "support.h"

#define FORM_TYPE "application/x-www-form-urlencoded"
#define MIN_SECONDS "2"

static const char book[] = "# Thread: Mission\n\n## One\n\nwords here\n\n"
                           "# Thread: Communities\n\n## Two\n\nmore words\n";

struct world {
    struct test_site site;
    long long atlas, full, late, closed, past;
    long long atlas_slots[2];
    long long atlas_threads[2];
    long long slot_full, slot_late;
    char *stamp_atlas, *stamp_full, *stamp_late;
};

static struct world *W;

static json_t *call(long *status, const char *method, const char *path,
                    const char *body)
{
    return test_site_call(&W->site, status, method, path, body, NULL);
}

static long long make_circle(const char *slug, const char *title,
                             const char *organizer)
{
    char *json = mg_xasprintf(
        "{\"title\":\"%s\",\"slug\":\"%s\",\"time_zone\":\"Pacific/Auckland\","
        "\"start_date\":\"2030-03-04\",\"weeks\":4,\"group_size\":{\"min\":"
        "3,\"max\":8},\"slots\":[{\"weekday\":\"tuesday\",\"start\":"
        "\"19:30\",\"minutes\":60},{\"weekday\":\"thursday\",\"start\":"
        "\"12:00\",\"minutes\":60}]%s}",
        title, slug, organizer);
    long long id = test_site_circle(&W->site, json, NULL);
    char *path = test_circle_path(id, "/book");
    long status = 0;
    json_t *doc =
        test_site_call(&W->site, &status, "POST", path, book, "text/markdown");

    json_decref(doc);
    free(path);
    free(json);
    return status == 201 ? id : 0;
}

static const char organizer[] =
    ",\"organizer\":{\"name\":\"Coordinators, NZ\",\"email\":"
    "\"circles@example.org\"}";

/* PUT the circle's sign-up settings; the status. */
static long put_settings(long long circle, const char *json, json_t **out)
{
    char *path = test_circle_path(circle, "/signup");
    long status = 0;
    json_t *doc = call(&status, "PUT", path, json);

    free(path);
    if (out)
        *out = doc;
    else
        json_decref(doc);
    return status;
}

static void get_page(struct test_response *resp, const char *method,
                     const char *path, const char *form)
{
    assert_int_equal(test_http(resp, W->site.d.port, method, path, NULL, form,
                               form ? FORM_TYPE : NULL),
                     0);
}

/* The signed load time in a sign-up page (name="t"); free() it. */
static char *page_stamp(const char *slug)
{
    struct test_response resp;
    char *path = mg_xasprintf("/join/%s", slug);
    const char *p, *end;
    char *stamp;

    get_page(&resp, "GET", path, NULL);
    free(path);
    assert_int_equal(resp.status, 200);
    p = strstr(resp.body, "name=\"t\" value=\"");
    assert_non_null(p);
    p += strlen("name=\"t\" value=\"");
    end = strchr(p, '"');
    stamp = mg_xstrndup(p, (size_t)(end - p));
    test_response_release(&resp);
    return stamp;
}

/* A complete, valid form for `email` with `extra` fields appended. */
/* A complete, valid form for `email` with `extra` fields first (the
 * first field of a name is the one read), for the circle of `slot`. */
static char *form_in(long long slot, const char *stamp, const char *email,
                     const char *extra)
{
    return mg_xasprintf("t=%s%s&website=&name=Ada+Lovelace&email=%s&sector="
                        "public&region=other&region_other=Otago&time_zone="
                        "Europe%%2FLondon&slot=%lld&consent=1",
                        stamp, extra ? extra : "", email, slot);
}

static char *form_for(const char *stamp, const char *email, const char *extra)
{
    return form_in(W->atlas_slots[0], stamp, email, extra);
}

static void post_join(struct test_response *resp, const char *slug,
                      const char *form)
{
    char *path = mg_xasprintf("/join/%s", slug);

    get_page(resp, "POST", path, form);
    free(path);
}

/* Quoted-printable `s` decoded (soft breaks joined); free() it. */
static char *qp_decode(const char *s)
{
    struct mg_buf b = MG_BUF_INIT;
    char *out;

    while (*s) {
        if (s[0] == '=' && s[1] == '\r' && s[2] == '\n') {
            s += 3;
        } else if (s[0] == '=' && s[1] == '\n') {
            s += 2;
        } else if (s[0] == '=' && isxdigit((unsigned char)s[1]) &&
                   isxdigit((unsigned char)s[2])) {
            char hex[3] = {s[1], s[2], '\0'};
            char c = (char)strtol(hex, NULL, 16);
            mg_buf_add(&b, &c, 1);
            s += 3;
        } else {
            mg_buf_add(&b, s, 1);
            s++;
        }
    }
    out = mg_xstrdup(b.data ? b.data : "");
    mg_buf_release(&b);
    return out;
}

/* How many mails in the maildir are to `to` with `subject` in their
 * subject; *last (may be NULL) gets the newest one decoded (free()). */
static size_t mails(char **last, const char *to, const char *subject)
{
    char *dir = mg_xasprintf("%s/new", W->site.maildir);
    DIR *d = opendir(dir);
    struct dirent *e;
    char *want_to = mg_xasprintf("<%s>", to);
    size_t n = 0;
    char *newest_name = NULL;

    if (last)
        *last = NULL;
    while (d && (e = readdir(d)) != NULL) {
        char *path, *text;
        size_t len = 0;

        if (e->d_name[0] == '.')
            continue;
        path = mg_xasprintf("%s/%s", dir, e->d_name);
        text = test_read_file(path, &len);
        free(path);
        if (text && strstr(text, want_to) && strstr(text, subject)) {
            n++;
            /* maildir names start with the delivery time */
            if (last && (!newest_name || strcmp(e->d_name, newest_name) > 0)) {
                free(*last);
                *last = qp_decode(text);
                free(newest_name);
                newest_name = mg_xstrdup(e->d_name);
            }
        }
        free(text);
    }
    if (d)
        closedir(d);
    free(newest_name);
    free(want_to);
    free(dir);
    return n;
}

/* Wait (up to 15 s: the outbox runs every second) for the `n`th such
 * mail; the newest decoded, the caller's. */
static char *wait_mail(const char *to, const char *subject, size_t n)
{
    char *last = NULL;
    int i;

    for (i = 0; i < 150; i++) {
        if (mails(&last, to, subject) >= n)
            return last;
        free(last);
        last = NULL;
        usleep(100 * 1000);
    }
    fail_msg("no mail %zu to %s about '%s'", n, to, subject);
    return NULL;
}

/* The path after `prefix` in `text` up to 48 hex characters; free(). */
static char *link_in(const char *text, const char *prefix)
{
    const char *p = strstr(text, prefix);
    size_t n;

    assert_non_null(p);
    n = strlen(prefix);
    assert_true(strspn(p + n, "0123456789abcdef") == 48);
    return mg_xstrndup(p, n + 48);
}

/* The participant's JSON (status, group_id), or NULL if there is none. */
static json_t *person(long long circle, const char *email)
{
    long long id = test_site_person(&W->site, circle, email);
    char *path;
    long status = 0;
    json_t *doc;

    if (!id)
        return NULL;
    path = test_circle_path(circle, "/participants/%lld", id);
    doc = call(&status, "GET", path, NULL);
    free(path);
    assert_int_equal(status, 200);
    return doc;
}

static const char *status_of(long long circle, const char *email, char *buf,
                             size_t n)
{
    json_t *doc = person(circle, email);

    snprintf(buf, n, "%s",
             doc ? json_string_value(json_object_get(doc, "status")) : "gone");
    json_decref(doc);
    return buf;
}

/* Sign `email` up on `slug` and confirm from the mail: the confirm
 * page's answer body (free()). */
static char *sign_up_and_confirm(const char *slug, long long slot,
                                 const char *stamp, const char *email)
{
    struct test_response resp;
    char *form = form_in(slot, stamp, email, NULL), *mail, *link, *body;
    char *prefix;

    post_join(&resp, slug, form);
    free(form);
    assert_int_equal(resp.status, 200);
    test_response_release(&resp);
    mail = wait_mail(email, "Please confirm", 1);
    prefix = mg_xasprintf("/join/%s/confirm/", slug);
    link = link_in(mail, prefix);
    free(prefix);
    get_page(&resp, "POST", link, "");
    assert_int_equal(resp.status, 200);
    body = resp.body;
    resp.body = NULL;
    test_response_release(&resp);
    free(link);
    free(mail);
    return body;
}

static long long first_slot(long long circle)
{
    char *path = test_circle_path(circle, "%s", "");
    long status = 0;
    json_t *doc = call(&status, "GET", path, NULL);
    long long id = json_integer_value(json_object_get(
        json_array_get(json_object_get(doc, "slots"), 0), "id"));

    json_decref(doc);
    free(path);
    return id;
}

static int setup_world(void **state)
{
    static const char *const env[] = {"MINGLE_OUTBOX_INTERVAL=1",
                                      "MINGLE_SIGNUP_MIN_SECONDS=" MIN_SECONDS,
                                      "MINGLE_SIGNUP_LIMIT=1000", NULL};
    struct test_site_opts opts = {.maildir = 1, .env = env};
    struct mg_buf csv = MG_BUF_INIT;
    json_t *doc, *slots;
    long status;
    char *path;
    int i;

    W = mg_xcalloc(1, sizeof(*W));
    if (test_site_start(&W->site, "signup.db", &opts) < 0)
        return -1;
    W->atlas = make_circle("atlas", "Atlas of New Librarianship", organizer);
    W->full = make_circle("full", "Full circle", organizer);
    W->late = make_circle("late", "Late circle", organizer);
    W->closed = make_circle("closed", "Closed circle", organizer);
    W->past = make_circle("past", "Past circle", organizer);
    if (!W->atlas || !W->full || !W->late || !W->closed || !W->past)
        return -1;
    path = test_circle_path(W->atlas, "%s", "");
    doc = call(&status, "GET", path, NULL);
    free(path);
    slots = json_object_get(doc, "slots");
    W->atlas_slots[0] =
        json_integer_value(json_object_get(json_array_get(slots, 0), "id"));
    W->atlas_slots[1] =
        json_integer_value(json_object_get(json_array_get(slots, 1), "id"));
    json_decref(doc);
    path = test_circle_path(W->atlas, "/threads");
    doc = call(&status, "GET", path, NULL);
    free(path);
    {
        json_t *list =
            json_is_array(doc) ? doc : json_object_get(doc, "threads");
        W->atlas_threads[0] =
            json_integer_value(json_object_get(json_array_get(list, 0), "id"));
        W->atlas_threads[1] =
            json_integer_value(json_object_get(json_array_get(list, 1), "id"));
    }
    json_decref(doc);
    if (!W->atlas_threads[0] || !W->atlas_threads[1])
        return -1;
    W->slot_full = first_slot(W->full);
    W->slot_late = first_slot(W->late);
    if (put_settings(W->atlas,
                     "{\"state\":\"open\",\"sectors\":[\"public\","
                     "\"academic\",\"school\",\"special\"],\"regions\":["
                     "\"Auckland\",\"Wellington\"]}",
                     NULL) != 200 ||
        put_settings(W->full, "{\"state\":\"open\",\"capacity\":1}", NULL) !=
            200 ||
        put_settings(W->late, "{\"state\":\"open\",\"auto_place\":true}",
                     NULL) != 200 ||
        put_settings(W->past,
                     "{\"state\":\"open\",\"closes_at\":\"2020-01-01T00:00\"}",
                     NULL) != 200)
        return -1;
    /* the late circle has groups already: 12 people who can make both
     * slots, 3 of them facilitators, planned, and invited */
    mg_buf_puts(&csv, "name,email,role,sector,slots\n");
    for (i = 0; i < 12; i++)
        mg_buf_printf(&csv,
                      "Early %02d,early%02d@example.org,%s,public,"
                      "tuesday 19:30; thursday 12:00\n",
                      i, i, i < 3 ? "facilitator" : "participant");
    i = test_site_plan(&W->site, W->late, csv.data, NULL, 0);
    mg_buf_release(&csv);
    if (i < 0)
        return -1;
    path = test_circle_path(W->late, "/invites");
    doc = call(&status, "POST", path, NULL);
    json_decref(doc);
    free(path);
    if (status >= 300)
        return -1;
    W->stamp_atlas = page_stamp("atlas");
    W->stamp_full = page_stamp("full");
    W->stamp_late = page_stamp("late");
    sleep(atoi(MIN_SECONDS)); /* these stamps are old enough from now on */
    *state = W;
    return 0;
}

static int teardown_world(void **state)
{
    (void)state;
    test_site_stop(&W->site, SIGTERM);
    free(W->stamp_atlas);
    free(W->stamp_full);
    free(W->stamp_late);
    free(W);
    return 0;
}

/* Item 1: the page asks what the planner uses, shows the notice and
 * requires consent; a slug that does not exist is a 404 page. */
static void test_page_and_unknown_slug(void **state)
{
    struct test_response resp;

    (void)state;
    get_page(&resp, "GET", "/join/atlas", NULL);
    assert_int_equal(resp.status, 200);
    assert_non_null(strstr(resp.body, "Atlas of New Librarianship"));
    assert_non_null(strstr(resp.body, "name=\"email\""));
    assert_non_null(strstr(resp.body, "<option value=\"academic\">"));
    assert_non_null(strstr(resp.body, "name=\"region_other\""));
    /* the circle's zone first and chosen */
    assert_non_null(strstr(resp.body, "<option value=\"Pacific/Auckland\" "
                                      "selected>"));
    assert_non_null(strstr(resp.body, "name=\"wish3\""));
    assert_non_null(strstr(resp.body, ">Communities</option>"));
    assert_non_null(strstr(resp.body, "name=\"volunteer\""));
    assert_non_null(strstr(resp.body, "Privacy Act 2020"));
    assert_non_null(strstr(resp.body, "overseas"));
    assert_non_null(strstr(resp.body, "name=\"consent\" value=\"1\" "
                                      "required"));
    /* the honeypot is hidden from screen readers and the tab order */
    assert_non_null(strstr(resp.body, "aria-hidden=\"true\"><label "
                                      "for=\"website\""));
    assert_null(strstr(resp.body, "<script"));
    test_response_release(&resp);

    get_page(&resp, "GET", "/join/no-such-circle", NULL);
    assert_int_equal(resp.status, 404);
    assert_non_null(strstr(resp.body, "<!DOCTYPE html>"));
    assert_non_null(strstr(resp.body, "no sign-up page"));
    test_response_release(&resp);
    get_page(&resp, "POST", "/join/no-such-circle", "name=x");
    assert_int_equal(resp.status, 404);
    test_response_release(&resp);
}

/* Item 1: the slots shown in the zone chosen, after "show the times". */
static void test_times_in_chosen_zone(void **state)
{
    struct test_response resp;

    (void)state;
    post_join(&resp, "atlas",
              "show_times=1&time_zone=Europe%2FLondon&name=Ada&email=ada%"
              "40example.org");
    assert_int_equal(resp.status, 200);
    /* Tuesday 19:30 in Auckland on 5 March 2030 (NZDT, +13) is 06:30 in
     * London, the same day */
    assert_non_null(strstr(resp.body, "Tuesday 06:30 in Europe/London"));
    assert_non_null(strstr(resp.body, "<option selected>Europe/London"));
    /* what was typed stays, nothing was saved */
    assert_non_null(strstr(resp.body, "value=\"Ada\""));
    test_response_release(&resp);
    assert_int_equal(test_site_person(&W->site, W->atlas, "ada@example.org"),
                     0);
}

/* Items 1 and 2: a sign-up is pending until confirmed from the mail; the
 * consent's version and time and the volunteer flag are kept; the
 * confirmed person gets their page link, on the page and by mail. */
static void test_happy_path(void **state)
{
    struct test_response resp;
    struct mg_store_options opt = {1, 5000};
    struct mg_error err = {{0}, {0}};
    struct mg_store *st = NULL;
    char *form, *mail, *link, *page, *consent = NULL, *notice_version;
    char buf[32];
    int volunteer = 0;
    int64_t consent_at = 0;
    long long id;
    json_t *settings = NULL;

    (void)state;
    {
        char extra[96];

        snprintf(extra, sizeof(extra), "&volunteer=1&wish1=%lld",
                 W->atlas_threads[1]);
        form = form_for(W->stamp_atlas, "grace%40example.org", extra);
    }
    post_join(&resp, "atlas", form);
    free(form);
    assert_int_equal(resp.status, 200);
    assert_non_null(strstr(resp.body, "Check your mail"));
    test_response_release(&resp);
    assert_string_equal(
        status_of(W->atlas, "grace@example.org", buf, sizeof(buf)), "pending");

    id = test_site_person(&W->site, W->atlas, "grace@example.org");
    assert_int_equal(mg_store_open(&st, W->site.db, &opt, &err), 0);
    assert_int_equal(mg_store_signup_mark_get(&volunteer, &consent, &consent_at,
                                              st, W->atlas, id),
                     0);
    mg_store_close(st);
    assert_int_equal(volunteer, 1);
    assert_true(consent_at > 0);
    assert_int_equal(put_settings(W->atlas, "{}", &settings), 200);
    notice_version = mg_xstrdup(
        json_string_value(json_object_get(settings, "notice_version")));
    json_decref(settings);
    assert_non_null(consent);
    assert_string_equal(consent, notice_version);
    free(consent);
    free(notice_version);

    mail = wait_mail("grace@example.org", "Please confirm your place", 1);
    assert_non_null(strstr(mail, "From: \"Coordinators, NZ\" "
                                 "<circles@example.org>"));
    link = link_in(mail, "/join/atlas/confirm/");
    free(mail);
    /* opening the link (a mail scanner would) confirms nothing */
    get_page(&resp, "GET", link, NULL);
    assert_int_equal(resp.status, 200);
    assert_non_null(strstr(resp.body, "Confirm my place"));
    test_response_release(&resp);
    assert_string_equal(
        status_of(W->atlas, "grace@example.org", buf, sizeof(buf)), "pending");
    get_page(&resp, "POST", link, "");
    assert_int_equal(resp.status, 200);
    assert_non_null(strstr(resp.body, "Your place is confirmed"));
    page = link_in(resp.body, "/p/");
    test_response_release(&resp);
    assert_string_equal(
        status_of(W->atlas, "grace@example.org", buf, sizeof(buf)), "active");
    /* the link again: already confirmed, no new page link */
    get_page(&resp, "POST", link, "");
    assert_int_equal(resp.status, 200);
    assert_non_null(strstr(resp.body, "Already confirmed"));
    assert_null(strstr(resp.body, "/p/"));
    test_response_release(&resp);

    /* what they consented to is in their export (seeing it: IPP 6) */
    {
        char *path =
            test_circle_path(W->atlas, "/participants/%lld/export", id);
        long status = 0;
        json_t *doc = call(&status, "GET", path, NULL), *su;

        free(path);
        assert_int_equal(status, 200);
        su = json_object_get(doc, "signup");
        assert_true(json_is_true(json_object_get(su, "volunteer")));
        assert_int_equal(
            strlen(json_string_value(json_object_get(su, "consent_version"))),
            16);
        json_decref(doc);
    }
    /* a volunteer is listed for the coordinator, still a participant */
    assert_int_equal(put_settings(W->atlas, "{}", &settings), 200);
    {
        json_t *v = json_object_get(settings, "volunteers");

        assert_int_equal(json_array_size(v), 1);
        assert_string_equal(
            json_string_value(json_object_get(json_array_get(v, 0), "email")),
            "grace@example.org");
    }
    json_decref(settings);
    settings = person(W->atlas, "grace@example.org");
    assert_string_equal(json_string_value(json_object_get(settings, "role")),
                        "participant");
    json_decref(settings);
    mail = wait_mail("grace@example.org", "Your place in", 1);
    assert_non_null(strstr(mail, page));
    free(mail);
    get_page(&resp, "GET", page, NULL);
    assert_int_equal(resp.status, 200);
    assert_non_null(strstr(resp.body, "Ada Lovelace"));
    test_response_release(&resp);
    free(page);
    free(link);
}

/* Item 2: the same address again gets the same answer as a new one; a
 * pending one is sent a new link (at most one per ten minutes), an
 * active one an "already signed up" mail. */
static void test_duplicate_same_answer(void **state)
{
    struct test_response a, b, c;
    char *form, *mail, *first, *second, *body_b;
    sqlite3 *db = NULL;

    (void)state;
    form = form_for(W->stamp_atlas, "hedy%40example.org", NULL);
    post_join(&a, "atlas", form);
    free(form);
    form = form_for(W->stamp_atlas, "hedy%40example.org", NULL);
    post_join(&b, "atlas", form);
    free(form);
    assert_int_equal(a.status, 200);
    assert_int_equal(b.status, a.status);
    assert_string_equal(a.body, b.body);
    mail = wait_mail("hedy@example.org", "Please confirm", 1);
    first = link_in(mail, "/join/atlas/confirm/");
    free(mail);
    sleep(2); /* the outbox has had its chance: still one, rate-limited */
    assert_int_equal(mails(NULL, "hedy@example.org", "Please confirm"), 1);

    /* ten minutes later (the last mail's time moved back) */
    assert_int_equal(sqlite3_open(W->site.db, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    assert_int_equal(sqlite3_exec(db,
                                  "UPDATE signups SET mail_at = "
                                  "mail_at - 601",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    form = form_for(W->stamp_atlas, "HEDY%40example.org", NULL);
    post_join(&c, "atlas", form);
    free(form);
    assert_int_equal(c.status, 200);
    body_b = mg_xstrdup(c.body);
    mail = wait_mail("hedy@example.org", "Please confirm", 2);
    second = link_in(mail, "/join/atlas/confirm/");
    free(mail);
    assert_string_not_equal(first, second);
    test_response_release(&a);
    /* the older link was replaced */
    get_page(&a, "GET", first, NULL);
    assert_int_equal(a.status, 404);
    test_response_release(&a);
    get_page(&a, "POST", second, "");
    assert_int_equal(a.status, 200);
    test_response_release(&a);

    /* an active person signing up again: the same page, another mail */
    assert_int_equal(sqlite3_open(W->site.db, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    assert_int_equal(sqlite3_exec(db,
                                  "UPDATE signups SET mail_at = "
                                  "mail_at - 601",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    form = form_for(W->stamp_atlas, "hedy%40example.org", NULL);
    post_join(&a, "atlas", form);
    free(form);
    assert_int_equal(a.status, 200);
    /* the same words (the address typed differs only in case) */
    assert_int_equal(strlen(a.body), strlen(body_b));
    mail = wait_mail("hedy@example.org", "You are already signed up", 1);
    assert_null(strstr(mail, "/p/"));
    free(mail);
    test_response_release(&a);
    test_response_release(&b);
    test_response_release(&c);
    free(body_b);
    free(first);
    free(second);
}

/* Item 2: unconfirmed sign-ups expire, erased with their link. */
static void test_expiry(void **state)
{
    struct test_response resp;
    struct mg_store_options opt = {1, 5000};
    struct mg_error err = {{0}, {0}};
    struct mg_store *st = NULL;
    char *form, *mail, *link;
    size_t n = 99;

    (void)state;
    form = form_for(W->stamp_atlas, "ida%40example.org", NULL);
    post_join(&resp, "atlas", form);
    free(form);
    assert_int_equal(resp.status, 200);
    test_response_release(&resp);
    mail = wait_mail("ida@example.org", "Please confirm", 1);
    link = link_in(mail, "/join/atlas/confirm/");
    free(mail);
    assert_int_equal(mg_store_open(&st, W->site.db, &opt, &err), 0);
    /* six days on: not yet */
    assert_int_equal(mg_signup_expire(&n, st, mg_now() + 6 * 86400), 0);
    assert_int_equal(n, 0);
    assert_true(test_site_person(&W->site, W->atlas, "ida@example.org") > 0);
    /* eight days on (the default is 7): gone, the active ones stay */
    assert_int_equal(mg_signup_expire(&n, st, mg_now() + 8 * 86400), 0);
    assert_int_equal(n, 1);
    mg_store_close(st);
    assert_int_equal(test_site_person(&W->site, W->atlas, "ida@example.org"),
                     0);
    assert_true(test_site_person(&W->site, W->atlas, "grace@example.org") > 0);
    get_page(&resp, "POST", link, "");
    assert_int_equal(resp.status, 404);
    test_response_release(&resp);
    free(link);
}

/* Item 5: a filled honeypot and a form posted too soon are refused,
 * generically, with nothing saved and no mail. */
static void test_spam_refused(void **state)
{
    struct test_response resp;
    char *form, *fresh;

    (void)state;
    form = form_for(W->stamp_atlas, "bot%40example.org",
                    "&website=http%3A%2F%2Fspam.example");
    post_join(&resp, "atlas", form);
    free(form);
    assert_int_equal(resp.status, 400);
    assert_non_null(strstr(resp.body, "could not be taken"));
    test_response_release(&resp);

    fresh = page_stamp("atlas"); /* loaded just now: too soon */
    form = form_for(fresh, "fast%40example.org", NULL);
    post_join(&resp, "atlas", form);
    free(form);
    free(fresh);
    assert_int_equal(resp.status, 400);
    assert_non_null(strstr(resp.body, "could not be taken"));
    test_response_release(&resp);

    /* a stamp that is not ours */
    form = form_for("1700000000-0123456789abcdef0123456789abcdef",
                    "forged%40example.org", NULL);
    post_join(&resp, "atlas", form);
    free(form);
    assert_int_equal(resp.status, 400);
    test_response_release(&resp);

    sleep(2);
    assert_int_equal(test_site_person(&W->site, W->atlas, "bot@example.org"),
                     0);
    assert_int_equal(test_site_person(&W->site, W->atlas, "fast@example.org"),
                     0);
    assert_int_equal(test_site_person(&W->site, W->atlas, "forged@example.org"),
                     0);
    assert_int_equal(mails(NULL, "bot@example.org", "Please confirm"), 0);
    assert_int_equal(mails(NULL, "fast@example.org", "Please confirm"), 0);
}

/* Item 1: each bad field is named next to it; nothing is saved. */
static void test_bad_fields(void **state)
{
    static const struct {
        const char *extra; /* put before the valid fields */
        const char *field;
    } cases[] = {
        {"&name=", "name"},
        {"&email=not-an-address", "email"},
        {"&sector=bogus", "sector"},
        {"&sector=other&sector_other=", "sector_other"},
        {"&time_zone=Mars%2FOlympus", "time_zone"},
        {"&slot=999999", "slots"},
        {"&wish1=999999", "wish1"},
        {"&wish1=T0&wish2=T0", "wish2"},
        {"&consent=0", "consent"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct test_response resp;
        char *form, *want;

        char extra[96];
        const char *t0 = strstr(cases[i].extra, "T0");

        /* "T0": the circle's first thread */
        if (t0)
            snprintf(extra, sizeof(extra), "&wish1=%lld&wish2=%lld",
                     W->atlas_threads[0], W->atlas_threads[0]);
        else
            snprintf(extra, sizeof(extra), "%s", cases[i].extra);
        /* the case's fields first: the first of a name is the one read */
        form = mg_xasprintf(
            "t=%s%s&website=&name=Bad+Field&email=bad%%40example.org&"
            "sector=public&time_zone=UTC&slot=%lld&consent=1",
            W->stamp_atlas, extra, W->atlas_slots[0]);
        if (strcmp(cases[i].field, "consent") == 0) {
            free(form);
            form = mg_xasprintf("t=%s&website=&name=Bad+Field&email=bad%%"
                                "40example.org&sector=public&time_zone=UTC&"
                                "slot=%lld",
                                W->stamp_atlas, W->atlas_slots[0]);
        }
        post_join(&resp, "atlas", form);
        free(form);
        assert_int_equal(resp.status, 422);
        want = mg_xasprintf("id=\"%s-error\"", cases[i].field);
        if (!strstr(resp.body, want))
            fail_msg("case %zu: no error next to '%s'", i, cases[i].field);
        free(want);
        /* the values typed are kept */
        if (strcmp(cases[i].field, "name") != 0)
            assert_non_null(strstr(resp.body, "value=\"Bad Field\""));
        test_response_release(&resp);
    }
    assert_int_equal(test_site_person(&W->site, W->atlas, "bad@example.org"),
                     0);
}

/* Item 1: a closed page, and one past its closing date, take no one. */
static void test_closed(void **state)
{
    struct test_response resp;
    char *form;

    (void)state;
    get_page(&resp, "GET", "/join/closed", NULL);
    assert_int_equal(resp.status, 200);
    assert_non_null(strstr(resp.body, "is closed"));
    assert_null(strstr(resp.body, "<form"));
    test_response_release(&resp);
    get_page(&resp, "GET", "/join/past", NULL);
    assert_non_null(strstr(resp.body, "is closed"));
    test_response_release(&resp);
    form = form_for(W->stamp_atlas, "shut%40example.org", NULL);
    post_join(&resp, "closed", form);
    assert_int_equal(resp.status, 403);
    test_response_release(&resp);
    post_join(&resp, "past", form);
    assert_int_equal(resp.status, 403);
    test_response_release(&resp);
    free(form);
    assert_int_equal(test_site_person(&W->site, W->closed, "shut@example.org"),
                     0);
    assert_int_equal(test_site_person(&W->site, W->past, "shut@example.org"),
                     0);
}

/* Item 1: the settings' API: defaults, bad values with their field, and
 * a notice whose version changes with its text. */
static void test_settings_api(void **state)
{
    json_t *doc = NULL;
    char *path, *v1;
    long status = 0;
    long long bare;

    (void)state;
    path = test_circle_path(W->closed, "/signup");
    doc = call(&status, "GET", path, NULL);
    free(path);
    assert_int_equal(status, 200);
    assert_string_equal(json_string_value(json_object_get(doc, "state")),
                        "closed");
    assert_true(json_is_true(json_object_get(doc, "notice_default")));
    assert_int_equal(
        strlen(json_string_value(json_object_get(doc, "notice_version"))), 16);
    v1 = mg_xstrdup(json_string_value(json_object_get(doc, "notice_version")));
    json_decref(doc);

    assert_int_equal(put_settings(W->closed, "{\"capacity\":-1}", &doc), 422);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(doc, "error"), "field")),
                        "capacity");
    json_decref(doc);
    assert_int_equal(put_settings(W->closed, "{\"sectors\":\"public\"}", &doc),
                     422);
    json_decref(doc);
    assert_int_equal(put_settings(W->closed, "{\"state\":\"ajar\"}", &doc),
                     422);
    json_decref(doc);
    assert_int_equal(put_settings(W->closed, "{\"bogus\":1}", &doc), 422);
    json_decref(doc);

    assert_int_equal(put_settings(W->closed,
                                  "{\"notice\":\"We keep your name.\\nAsk "
                                  "us to delete it.\"}",
                                  &doc),
                     200);
    assert_string_not_equal(
        json_string_value(json_object_get(doc, "notice_version")), v1);
    assert_true(json_is_false(json_object_get(doc, "notice_default")));
    json_decref(doc);
    free(v1);

    /* no organizer to send the mail from: it cannot open */
    bare = make_circle("bare", "Bare circle", "");
    assert_true(bare > 0);
    assert_int_equal(put_settings(bare, "{\"state\":\"open\"}", &doc), 422);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(doc, "error"), "field")),
                        "state");
    json_decref(doc);
}

/* Item 3: past capacity people wait in order and are told their place;
 * a withdrawal hands the place to the first waiting, who is told. */
static void test_capacity_waitlist(void **state)
{
    char *body, buf[32];
    long long first;
    char *path;
    long status = 0;
    json_t *doc;

    (void)state;
    body = sign_up_and_confirm("full", W->slot_full, W->stamp_full,
                               "kim@example.org");
    assert_non_null(strstr(body, "Your place is confirmed"));
    free(body);
    body = sign_up_and_confirm("full", W->slot_full, W->stamp_full,
                               "lee@example.org");
    assert_non_null(strstr(body, "number 1 on its waitlist"));
    free(body);
    body = sign_up_and_confirm("full", W->slot_full, W->stamp_full,
                               "max@example.org");
    assert_non_null(strstr(body, "number 2 on its waitlist"));
    free(body);
    assert_string_equal(status_of(W->full, "lee@example.org", buf, sizeof(buf)),
                        "waitlisted");
    body = wait_mail("max@example.org", "Your place in", 1);
    assert_non_null(strstr(body, "number 2"));
    free(body);

    first = test_site_person(&W->site, W->full, "kim@example.org");
    path = test_circle_path(W->full, "/participants/%lld/withdraw", first);
    doc = call(&status, "POST", path, NULL);
    free(path);
    assert_int_equal(status, 200);
    assert_int_equal(json_integer_value(json_object_get(doc, "promoted")),
                     test_site_person(&W->site, W->full, "lee@example.org"));
    json_decref(doc);
    assert_string_equal(status_of(W->full, "kim@example.org", buf, sizeof(buf)),
                        "withdrawn");
    assert_string_equal(status_of(W->full, "lee@example.org", buf, sizeof(buf)),
                        "active");
    assert_string_equal(status_of(W->full, "max@example.org", buf, sizeof(buf)),
                        "waitlisted");
    body = wait_mail("lee@example.org", "A place opened for you", 1);
    free(body);

    /* PATCH status=withdrawn is the same withdrawal */
    first = test_site_person(&W->site, W->full, "lee@example.org");
    path = test_circle_path(W->full, "/participants/%lld", first);
    doc = call(&status, "PATCH", path, "{\"status\":\"withdrawn\"}");
    free(path);
    assert_int_equal(status, 200);
    json_decref(doc);
    assert_string_equal(status_of(W->full, "max@example.org", buf, sizeof(buf)),
                        "active");
    /* raising the capacity moves the waiting up, in order, told */
    body = sign_up_and_confirm("full", W->slot_full, W->stamp_full,
                               "ned@example.org");
    assert_non_null(strstr(body, "number 1 on its waitlist"));
    free(body);
    body = sign_up_and_confirm("full", W->slot_full, W->stamp_full,
                               "ola@example.org");
    assert_non_null(strstr(body, "number 2 on its waitlist"));
    free(body);
    assert_int_equal(put_settings(W->full, "{\"capacity\":2}", NULL), 200);
    assert_string_equal(status_of(W->full, "ned@example.org", buf, sizeof(buf)),
                        "active");
    assert_string_equal(status_of(W->full, "ola@example.org", buf, sizeof(buf)),
                        "waitlisted");
    body = wait_mail("ned@example.org", "A place opened for you", 1);
    free(body);
    /* and a coordinator cannot make anyone pending */
    path = test_circle_path(W->full, "/participants/%lld", first);
    doc = call(&status, "PATCH", path, "{\"status\":\"pending\"}");
    free(path);
    assert_int_equal(status, 422);
    json_decref(doc);
}

/*
 * Item 2: expiry and confirming never cross. A person listed as expired
 * a moment before who confirms is kept (the erasure checks again as it
 * erases); a link used after its sign-up expired confirms nothing, and
 * the sign-up goes.
 */
static void test_expiry_and_confirm(void **state)
{
    struct test_response resp;
    struct mg_store_options opt = {1, 5000};
    struct mg_error err = {{0}, {0}};
    struct mg_store *st = NULL;
    struct mg_circle *c = NULL;
    struct mg_signup_confirmed done;
    struct mg_signup_env env = {NULL, 7, 0};
    char *form, *mail, *link, buf[32];
    int64_t *ids = NULL, later = mg_now() + 8 * 86400, jo;
    size_t n = 0, i;
    int erased = 1, listed = 0;

    (void)state;
    form = form_for(W->stamp_atlas, "jo%40example.org", NULL);
    post_join(&resp, "atlas", form);
    free(form);
    test_response_release(&resp);
    mail = wait_mail("jo@example.org", "Please confirm", 1);
    link = link_in(mail, "/join/atlas/confirm/");
    free(mail);
    jo = test_site_person(&W->site, W->atlas, "jo@example.org");
    assert_true(jo > 0);
    assert_int_equal(mg_store_open(&st, W->site.db, &opt, &err), 0);
    /* listed as expired (as the scheduler would, eight days on) ... */
    assert_int_equal(mg_store_signup_expired(&ids, &n, st, later, 500), 0);
    for (i = 0; i < n; i++)
        listed |= ids[2 * i + 1] == jo;
    free(ids);
    assert_true(listed);
    /* ... confirms before the erasure comes: kept, active */
    get_page(&resp, "POST", link, "");
    assert_int_equal(resp.status, 200);
    assert_non_null(strstr(resp.body, "Your place is confirmed"));
    test_response_release(&resp);
    assert_int_equal(
        mg_store_signup_erase_expired(&erased, st, W->atlas, jo, later), 0);
    assert_int_equal(erased, 0);
    assert_string_equal(status_of(W->atlas, "jo@example.org", buf, sizeof(buf)),
                        "active");
    free(link);

    /* a link used after expiry: refused, and the sign-up is erased */
    form = form_for(W->stamp_atlas, "kai%40example.org", NULL);
    post_join(&resp, "atlas", form);
    free(form);
    test_response_release(&resp);
    mail = wait_mail("kai@example.org", "Please confirm", 1);
    link = link_in(mail, "/join/atlas/confirm/");
    free(mail);
    assert_int_equal(mg_store_circle_get(&c, st, W->atlas), 0);
    env.now = later;
    assert_int_equal(
        mg_signup_confirm(&done, st, c, strrchr(link, '/') + 1, &env, &err),
        MG_EAUTH);
    assert_string_equal(
        status_of(W->atlas, "kai@example.org", buf, sizeof(buf)), "gone");
    mg_circle_free(c);
    mg_store_close(st);
    free(link);
}

/*
 * Item 3: the waitlist keeps its order whatever frees a place. An
 * erasure hands the place on as a withdrawal does; a withdrawal over a
 * lowered capacity frees no place; without a capacity nobody is moved
 * up by a withdrawal (the coordinator's own waitlist is theirs to move).
 */
static void test_waitlist_order(void **state)
{
    char *body, *path, buf[32];
    long status = 0;
    json_t *doc;

    (void)state;
    /* after test_capacity_waitlist: capacity 2, max and ned active, ola
     * waiting */
    assert_string_equal(status_of(W->full, "ola@example.org", buf, sizeof(buf)),
                        "waitlisted");
    path = test_circle_path(
        W->full, "/participants/%lld",
        test_site_person(&W->site, W->full, "max@example.org"));
    doc = call(&status, "DELETE", path, NULL);
    free(path);
    json_decref(doc);
    assert_int_equal(status, 204);
    assert_string_equal(status_of(W->full, "ola@example.org", buf, sizeof(buf)),
                        "active");
    body = wait_mail("ola@example.org", "A place opened for you", 1);
    free(body);
    /* full again: the next one waits */
    body = sign_up_and_confirm("full", W->slot_full, W->stamp_full,
                               "pat@example.org");
    assert_non_null(strstr(body, "number 1 on its waitlist"));
    free(body);
    /* the capacity lowered to 1 with two active: a withdrawal frees no
     * place */
    assert_int_equal(put_settings(W->full, "{\"capacity\":1}", NULL), 200);
    path = test_circle_path(
        W->full, "/participants/%lld/withdraw",
        test_site_person(&W->site, W->full, "ned@example.org"));
    doc = call(&status, "POST", path, NULL);
    free(path);
    assert_int_equal(status, 200);
    assert_true(json_is_null(json_object_get(doc, "promoted")));
    json_decref(doc);
    assert_string_equal(status_of(W->full, "pat@example.org", buf, sizeof(buf)),
                        "waitlisted");
    /* no capacity: the waitlist is the coordinator's; nobody is moved
     * up, by the change or by a withdrawal */
    assert_int_equal(put_settings(W->full, "{\"capacity\":0}", NULL), 200);
    path = test_circle_path(
        W->full, "/participants/%lld/withdraw",
        test_site_person(&W->site, W->full, "ola@example.org"));
    doc = call(&status, "POST", path, NULL);
    free(path);
    assert_int_equal(status, 200);
    assert_true(json_is_null(json_object_get(doc, "promoted")));
    json_decref(doc);
    assert_string_equal(status_of(W->full, "pat@example.org", buf, sizeof(buf)),
                        "waitlisted");
}

/* Item 2: pending people are neither planned nor invited. */
static void test_pending_not_planned(void **state)
{
    struct test_response resp;
    char *form, *path;
    json_t *doc, *p;
    long status = 0;

    (void)state;
    form = form_in(W->slot_late, W->stamp_late, "nell%40example.org", NULL);
    post_join(&resp, "late", form);
    free(form);
    assert_int_equal(resp.status, 200);
    test_response_release(&resp);
    path = test_circle_path(W->late, "/groups/rebalance");
    doc = call(&status, "POST", path, NULL);
    free(path);
    json_decref(doc);
    path = test_circle_path(W->late, "/invites");
    doc = call(&status, "POST", path, NULL);
    free(path);
    json_decref(doc);
    p = person(W->late, "nell@example.org");
    assert_non_null(p);
    assert_string_equal(json_string_value(json_object_get(p, "status")),
                        "pending");
    assert_true(json_is_null(json_object_get(p, "group_id")));
    json_decref(p);
    /* nor given a plenary place */
    path = test_circle_path(W->late, "/plenaries");
    doc = call(&status, "POST", path,
               "{\"title\":\"Kick-off\",\"start\":\"2030-03-01T19:30\","
               "\"minutes\":90,\"capacity\":20}");
    free(path);
    assert_int_equal(status, 201);
    {
        long long plenary = json_integer_value(json_object_get(doc, "id"));
        char *body = mg_xasprintf(
            "{\"participant_id\":%lld}",
            test_site_person(&W->site, W->late, "nell@example.org"));

        json_decref(doc);
        path =
            test_circle_path(W->late, "/plenaries/%lld/registrations", plenary);
        doc = call(&status, "POST", path, body);
        free(path);
        free(body);
        assert_int_equal(status, 404);
        json_decref(doc);
    }
    sleep(2);
    assert_int_equal(mails(NULL, "nell@example.org", "Please confirm"), 1);
    assert_int_equal(mails(NULL, "nell@example.org", "method=REQUEST"), 0);
}

/* Item 4: a confirmed late sign-up is placed at once (auto_place) and
 * invited; with auto_place off, they wait on the dashboard's count. */
static void test_late_signup_placed(void **state)
{
    char *body, *mail;
    json_t *p, *settings = NULL;

    (void)state;
    body = sign_up_and_confirm("late", W->slot_late, W->stamp_late,
                               "olga@example.org");
    assert_non_null(strstr(body, "Your place is confirmed"));
    free(body);
    p = person(W->late, "olga@example.org");
    assert_true(json_integer_value(json_object_get(p, "group_id")) > 0);
    json_decref(p);
    mail = wait_mail("olga@example.org", "method=REQUEST", 1);
    free(mail);

    assert_int_equal(put_settings(W->late, "{\"auto_place\":false}", NULL),
                     200);
    body = sign_up_and_confirm("late", W->slot_late, W->stamp_late,
                               "pia@example.org");
    free(body);
    p = person(W->late, "pia@example.org");
    assert_true(json_is_null(json_object_get(p, "group_id")));
    json_decref(p);
    assert_int_equal(put_settings(W->late, "{}", &settings), 200);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(settings, "counts"), "unplaced")),
                     1);
    json_decref(settings);
}

/* Items 1, 3 and 4: the dashboard's sign-up section: the state with
 * its button, the waitlist count, and the late sign-up waiting to be
 * placed with a button that places them (and queues their invitation). */
static void test_dashboard_section(void **state)
{
    struct test_response resp;
    char *cookie = NULL, *csrf = NULL, *form, *path, *mail;
    json_t *p;

    (void)state;
    assert_int_equal(test_site_dashboard_login(&W->site, W->site.token, &cookie,
                                               &csrf, NULL),
                     303);
    path = test_dashboard_path(W->late, "%s", "");
    test_site_page(&resp, &W->site, "GET", path, cookie, NULL);
    assert_int_equal(resp.status, 200);
    assert_non_null(strstr(resp.body, "<h2 id=\"signup\">Sign-up</h2>"));
    assert_non_null(
        strstr(resp.body, "/join/late\">the sign-up page</a> open"));
    assert_non_null(strstr(resp.body, "Close sign-up"));
    /* pia, confirmed while auto_place was off, waits to be placed */
    assert_non_null(strstr(resp.body, "1 active person is in no group yet."));
    assert_non_null(strstr(resp.body, "Place them now"));
    test_response_release(&resp);
    free(path);

    path = test_dashboard_path(W->late, "/signup");
    form = mg_xasprintf("csrf=%s&do=place", csrf);
    test_site_page(&resp, &W->site, "POST", path, cookie, form);
    free(form);
    assert_int_equal(resp.status, 303);
    test_response_release(&resp);
    p = person(W->late, "pia@example.org");
    assert_true(json_integer_value(json_object_get(p, "group_id")) > 0);
    json_decref(p);
    mail = wait_mail("pia@example.org", "method=REQUEST", 1);
    free(mail);

    /* a volunteer confirmed as facilitator from the atlas circle's page */
    free(path);
    path = test_dashboard_path(W->atlas, "%s", "");
    test_site_page(&resp, &W->site, "GET", path, cookie, NULL);
    assert_int_equal(resp.status, 200);
    assert_non_null(strstr(resp.body, "Volunteers to facilitate"));
    assert_non_null(strstr(resp.body, "grace@example.org"));
    test_response_release(&resp);
    free(path);
    path = test_dashboard_path(W->atlas, "/signup");
    form =
        mg_xasprintf("csrf=%s&do=facilitator&person=%lld", csrf,
                     test_site_person(&W->site, W->atlas, "grace@example.org"));
    test_site_page(&resp, &W->site, "POST", path, cookie, form);
    free(form);
    assert_int_equal(resp.status, 303);
    test_response_release(&resp);
    p = person(W->atlas, "grace@example.org");
    assert_string_equal(json_string_value(json_object_get(p, "role")),
                        "facilitator");
    json_decref(p);
    /* placing in a circle with no groups yet places nobody, and says so */
    form = mg_xasprintf("csrf=%s&do=place", csrf);
    test_site_page(&resp, &W->site, "POST", path, cookie, form);
    free(form);
    assert_int_equal(resp.status, 303);
    assert_non_null(strstr(resp.headers, "done=placed&n=0"));
    test_response_release(&resp);
    free(path);
    path = test_dashboard_path(W->late, "/signup");

    /* close it from the dashboard: the page says so */
    form = mg_xasprintf("csrf=%s&do=close", csrf);
    test_site_page(&resp, &W->site, "POST", path, cookie, form);
    free(form);
    assert_int_equal(resp.status, 303);
    test_response_release(&resp);
    get_page(&resp, "GET", "/join/late", NULL);
    assert_non_null(strstr(resp.body, "is closed"));
    test_response_release(&resp);
    /* a bad capacity changes nothing and says so */
    form = mg_xasprintf("csrf=%s&do=capacity&capacity=-4", csrf);
    test_site_page(&resp, &W->site, "POST", path, cookie, form);
    free(form);
    assert_int_equal(resp.status, 303);
    assert_non_null(strstr(resp.headers, "done=signup_bad_capacity"));
    test_response_release(&resp);
    free(path);
    free(cookie);
    free(csrf);
}

/* Item 5: sign-up posts count against a per-address cap. */
static void test_per_address_cap(void **state)
{
    static const char *const env[] = {"MINGLE_SIGNUP_LIMIT=2", NULL};
    struct test_site_opts opts = {.env = env};
    struct test_site s;
    struct test_response resp;
    int i;

    (void)state;
    memset(&s, 0, sizeof(s));
    assert_int_equal(test_site_start(&s, "cap.db", &opts), 0);
    for (i = 0; i < 3; i++) {
        assert_int_equal(test_http(&resp, s.d.port, "POST", "/join/nowhere",
                                   NULL, "name=x", FORM_TYPE),
                         0);
        assert_int_equal(resp.status, i < 2 ? 404 : 429);
        test_response_release(&resp);
    }
    test_site_stop(&s, SIGTERM);
}

/* Item 1: `mingle signup` shows and changes the same settings; a bad
 * value is refused naming its option, and changes nothing. */
static void test_cli(void **state)
{
    char id[24], *out = NULL, *err = NULL;
    const char *show[] = {"signup", "show", "--circle", id, "--db", NULL, NULL};
    const char *bad[] = {"signup", "set",  "--circle", id,  "--capacity",
                         "-1",     "--db", NULL,       NULL};
    const char *set[] = {"signup",     "close", "--circle",  id,
                         "--capacity", "40",    "--sectors", "public; school",
                         "--db",       NULL,    NULL};
    struct test_response resp;

    (void)state;
    snprintf(id, sizeof(id), "%lld", W->closed);
    show[5] = W->site.db;
    bad[7] = W->site.db;
    set[9] = W->site.db;
    assert_int_equal(test_run_cli(&out, &err, bad, NULL), 2);
    assert_non_null(strstr(err, "--capacity"));
    free(out);
    free(err);
    assert_int_equal(test_run_cli(&out, NULL, set, NULL), 0);
    assert_non_null(strstr(out, "sign-up closed"));
    assert_non_null(strstr(out, "capacity:   40"));
    assert_non_null(strstr(out, "sector:     school"));
    free(out);
    assert_int_equal(test_run_cli(&out, NULL, show, NULL), 0);
    assert_non_null(strstr(out, "capacity:   40"));
    free(out);
    /* what the CLI stored is what the page offers */
    set[1] = "open";
    assert_int_equal(test_run_cli(&out, NULL, set, NULL), 0);
    free(out);
    get_page(&resp, "GET", "/join/closed", NULL);
    assert_int_equal(resp.status, 200);
    assert_non_null(strstr(resp.body, "<option value=\"school\">"));
    assert_null(strstr(resp.body, "<option value=\"academic\">"));
    test_response_release(&resp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_page_and_unknown_slug),
        cmocka_unit_test(test_times_in_chosen_zone),
        cmocka_unit_test(test_happy_path),
        cmocka_unit_test(test_duplicate_same_answer),
        cmocka_unit_test(test_expiry),
        cmocka_unit_test(test_expiry_and_confirm),
        cmocka_unit_test(test_spam_refused),
        cmocka_unit_test(test_bad_fields),
        cmocka_unit_test(test_closed),
        cmocka_unit_test(test_settings_api),
        cmocka_unit_test(test_cli),
        cmocka_unit_test(test_capacity_waitlist),
        cmocka_unit_test(test_waitlist_order),
        cmocka_unit_test(test_pending_not_planned),
        cmocka_unit_test(test_late_signup_placed),
        cmocka_unit_test(test_dashboard_section),
        cmocka_unit_test(test_per_address_cap),
    };

    return cmocka_run_group_tests(tests, setup_world, teardown_world);
}
