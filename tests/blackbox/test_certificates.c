/*
 * test_certificates.c: issue #19 item 2, certificates of participation,
 * through the real daemon and CLI. A circle of seven (one group, two
 * 90-minute calls) has week 1's attendance from a real Zoom participants
 * export (/work/shared/fixtures/attendance/, from zoomclass, MIT; its
 * people are registered here under the report's addresses) and week 2's
 * recorded by the facilitator through the API. Each person's certificate
 * is downloaded from their page and written by `mingle certificate`,
 * read back with pdftotext, and its calls and hours compared with what
 * this test works out itself from the report's minutes and the calls'
 * length. Codes are checked at /verify (genuine, forged, another
 * person's, issued before attendance changed), and with mail at close
 * on, the daemon's scheduler (on a clock file) mails each person theirs
 * once, the PDF attached, read back the same way.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
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
#include <gmime/gmime.h>
#include <jansson.h>

#include "mingle/store.h"
#include "support.h"

#define CALL_MINUTES 90
/* 2027-03-31T00:00Z: both calls (23 and 30 March, 19:30 in Auckland,
 * UTC+13) are over */
#define AFTER_CALLS 1806451200LL
#define REPORT "attendance/zoom-participants-pseudonymised.csv"

static const char circle_json[] =
    "{\"title\":\"Ngā Pukapuka: a reading circle\",\"slug\":\"pukapuka\","
    "\"time_zone\":\"Pacific/Auckland\",\"start_date\":\"2027-03-22\","
    "\"weeks\":2,\"group_size\":{\"min\":2,\"max\":10},\"slots\":[{"
    "\"weekday\":\"tuesday\",\"start\":\"19:30\",\"minutes\":90}],"
    "\"organizer\":{\"name\":\"Reading circle coordinators\",\"email\":"
    "\"circles@example.org\"}}";

/* Four of the report's people by its addresses, two who are not in it,
 * and one who comes to nothing. */
enum { LOKI, CLEA, CYBORG, DAZZLER, MERE, HONE, TAMA, N_PEOPLE };
static const struct {
    const char *name, *email, *ascii;
} people[N_PEOPLE] = {
    {"Loki Laufeyson", "loki_asgardian@marvel.com", "loki-laufeyson"},
    {"Clea", "clea_unknown@marvel.com", "clea"},
    {"Cyborg Superman", "cyborg-superman_cyborg@dc.com", "cyborg-superman"},
    {"Dazzler", "dazzler_mutant@marvel.com", "dazzler"},
    {"Mere Pōtae", "mere@example.org", "mere-potae"},
    {"Hōne Tūhoe", "hone@example.org", "hone-tuhoe"},
    {"Tama Kore", "tama@example.org", "tama-kore"},
};
static const char people_csv[] =
    "name,email,role,time_zone\n"
    "Loki Laufeyson,loki_asgardian@marvel.com,,\n"
    "Clea,clea_unknown@marvel.com,,\n"
    "Cyborg Superman,cyborg-superman_cyborg@dc.com,,\n"
    "Dazzler,dazzler_mutant@marvel.com,,\n"
    "Mere Pōtae,mere@example.org,,\n"
    "Hōne Tūhoe,hone@example.org,facilitator,\n"
    "Tama Kore,tama@example.org,,\n";

struct world {
    struct test_site site;
    char *clock;
    long long circle;
    long long weeks[2];
    long long ids[N_PEOPLE];
    char *pages[N_PEOPLE];
    /* what this test expects, from the report and the calls' length */
    int calls[N_PEOPLE], minutes[N_PEOPLE];
    char *codes[N_PEOPLE]; /* as printed on the page's download */
};

static struct world *W;

static void set_clock(long long t)
{
    FILE *f = fopen(W->clock, "w");

    assert_non_null(f);
    fprintf(f, "%lld\n", t);
    fclose(f);
}

static json_t *call(long *status, const char *method, const char *path,
                    const char *body, const char *type)
{
    return test_site_call(&W->site, status, method, path, body, type);
}

static int setup_world(void **state)
{
    struct world *w = mg_xcalloc(1, sizeof(*w));
    char *env_clock;
    int i;

    W = w;
    *state = w;
    if (test_site_init(&w->site, "certificates.db") < 0)
        return -1;
    w->clock = mg_xasprintf("%s/clock", w->site.dir);
    set_clock(AFTER_CALLS);
    env_clock = mg_xasprintf("MINGLE_CLOCK_FILE=%s", w->clock);
    {
        const char *env[] = {env_clock, NULL};
        const struct test_site_opts opts = {.maildir = 1, .env = env};
        if (test_site_serve(&w->site, &opts) < 0)
            return -1;
    }
    free(env_clock);
    w->circle = test_site_circle(&w->site, circle_json, NULL);
    if (!w->circle)
        return -1;
    if (test_site_plan(&w->site, w->circle, people_csv, w->weeks, 2) < 2)
        return -1;
    for (i = 0; i < N_PEOPLE; i++) {
        char *path;
        long status = 0;
        json_t *doc;
        const char *url;

        w->ids[i] = test_site_person(&w->site, w->circle, people[i].email);
        if (!w->ids[i])
            return -1;
        path =
            test_circle_path(w->circle, "/participants/%lld/page", w->ids[i]);
        doc = call(&status, "POST", path, NULL, NULL);
        url = json_string_value(json_object_get(doc, "url"));
        if (!url || !strstr(url, "/p/"))
            return -1;
        w->pages[i] = mg_xstrdup(strstr(url, "/p/"));
        json_decref(doc);
        free(path);
    }
    return 0;
}

static int teardown_world(void **state)
{
    struct world *w = *state;
    int i;

    test_site_stop(&w->site, SIGTERM);
    for (i = 0; i < N_PEOPLE; i++) {
        free(w->pages[i]);
        free(w->codes[i]);
    }
    free(w->clock);
    free(w);
    return 0;
}

/* Hours as the test expects them printed: tenths rounded half up, and
 * h:mm, e.g. "2.9 hours (2:56)". */
static char *hours_text(int minutes)
{
    int tenths = (minutes * 10 + 30) / 60;

    return mg_xasprintf("%d.%d hours (%d:%02d)", tenths / 10, tenths % 10,
                        minutes / 60, minutes % 60);
}

static char *calls_text(int calls)
{
    return mg_xasprintf("Calls attended: %d group call%s", calls,
                        calls == 1 ? "" : "s");
}

/* The report's minutes for `email`: the sum of its rows' "Duration
 * (Minutes)" (the fifth column; the names hold no commas). */
static int report_minutes(const char *csv, const char *email)
{
    const char *line = strchr(csv, '\n');
    int total = 0;

    while (line && line[1]) {
        const char *p = line + 1, *end = strchr(p, '\n');
        char row[512], *cols[8], *save = NULL, *tok;
        size_t n = end ? (size_t)(end - p) : strlen(p);
        int k = 0;

        snprintf(row, sizeof(row), "%.*s", (int)n, p);
        for (tok = strtok_r(row, ",", &save); tok && k < 8;
             tok = strtok_r(NULL, ",", &save))
            cols[k++] = tok;
        if (k >= 5 && strcasecmp(cols[1], email) == 0)
            total += atoi(cols[4]);
        line = end;
    }
    return total;
}

static int content_length(const char *headers)
{
    const char *p = headers;

    while (p && *p) {
        if (strncasecmp(p, "Content-Length:", 15) == 0)
            return atoi(p + 15);
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    return -1;
}

static char *pdf_file_text(const char *data, size_t len)
{
    char *path = mg_xasprintf("%s/read.pdf", W->site.dir), *text;
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
    text = test_pdf_text(path);
    free(path);
    return text;
}

/* The code printed after "Verification code: ". */
static char *code_in(const char *text)
{
    const char *p = strstr(text, "Verification code: ");
    size_t n;

    assert_non_null(p);
    p += strlen("Verification code: ");
    n = strspn(p, "0123456789abcdefghjkmnpqrstvwxyz-");
    assert_true(n > 12);
    return mg_xasprintf("%.*s", (int)n, p);
}

/* Everything person `i`'s certificate must say. */
static void check_text(const char *text, int i)
{
    char *calls = calls_text(W->calls[i]), *hours = hours_text(W->minutes[i]);

    assert_non_null(strstr(text, people[i].name));
    assert_non_null(strstr(text, "Ngā Pukapuka: a reading circle"));
    if (!strstr(text, calls) || !strstr(text, hours))
        fail_msg("%s: want '%s' and '%s' in:\n%s", people[i].name, calls, hours,
                 text);
    assert_non_null(strstr(text, i == HONE ? "took part as facilitator in"
                                           : "took part in"));
    assert_non_null(strstr(text, "Ōtautahi Libraries"));
    assert_non_null(strstr(text, "Programme lead"));
    free(calls);
    free(hours);
}

/* GET person i's certificate from their page: its text. */
static char *page_pdf(int i, long *status)
{
    struct test_response resp;
    char *path = mg_xasprintf("%s/certificate.pdf", W->pages[i]), *text = NULL;

    assert_int_equal(
        test_http(&resp, W->site.d.port, "GET", path, NULL, NULL, NULL), 0);
    *status = resp.status;
    if (resp.status == 200) {
        int len = content_length(resp.headers);
        assert_true(len > 1000);
        assert_non_null(strcasestr(resp.headers, "application/pdf"));
        text = pdf_file_text(resp.body, (size_t)len);
    }
    test_response_release(&resp);
    free(path);
    return text;
}

/* Item 2: the settings' API: 422 names an unknown or bad field and
 * changes nothing; what is set is read back. */
static void test_settings_api(void **state)
{
    char *path = test_circle_path(W->circle, "/certificates");
    long status = 0;
    json_t *doc, *e;
    (void)state;

    doc = call(&status, "GET", path, NULL, NULL);
    assert_int_equal(status, 200);
    assert_string_equal(json_string_value(json_object_get(doc, "issuer_name")),
                        "");
    assert_true(json_is_false(json_object_get(doc, "mail_at_close")));
    assert_true(json_is_null(json_object_get(doc, "mailed_at")));
    json_decref(doc);

    doc =
        call(&status, "PUT", path, "{\"issuer_name\":\"X\",\"bogus\":1}", NULL);
    assert_int_equal(status, 422);
    e = json_object_get(doc, "error");
    assert_string_equal(json_string_value(json_object_get(e, "field")),
                        "bogus");
    json_decref(doc);
    doc = call(&status, "PUT", path, "{\"mail_at_close\":\"yes\"}", NULL);
    assert_int_equal(status, 422);
    e = json_object_get(doc, "error");
    assert_string_equal(json_string_value(json_object_get(e, "field")),
                        "mail_at_close");
    json_decref(doc);
    doc = call(&status, "PUT", path, "{\"issuer_name\":\"A\\nB\"}", NULL);
    assert_int_equal(status, 422);
    e = json_object_get(doc, "error");
    assert_string_equal(json_string_value(json_object_get(e, "field")),
                        "issuer_name");
    json_decref(doc);
    doc = call(&status, "GET", path, NULL, NULL);
    assert_string_equal(json_string_value(json_object_get(doc, "issuer_name")),
                        "");
    json_decref(doc);

    doc = call(&status, "PUT", path,
               "{\"issuer_name\":\"Ōtautahi Libraries\","
               "\"signature_title\":\"Programme lead\"}",
               NULL);
    assert_int_equal(status, 200);
    assert_string_equal(json_string_value(json_object_get(doc, "issuer_name")),
                        "Ōtautahi Libraries");
    assert_string_equal(
        json_string_value(json_object_get(doc, "signature_title")),
        "Programme lead");
    assert_true(json_is_false(json_object_get(doc, "mail_at_close")));
    json_decref(doc);
    free(path);
}

/* Item 2: attendance from the real Zoom report for week 1 and the
 * facilitator's list for week 2; the expected figures from them. */
static void test_record_attendance(void **state)
{
    size_t len = 0;
    char *csv = test_read_shared(REPORT, &len), *path, *body;
    long status = 0;
    json_t *doc;
    int i;
    (void)state;

    path =
        test_circle_path(W->circle, "/sessions/%lld/attendance", W->weeks[0]);
    doc = call(&status, "POST", path, csv, "text/csv");
    assert_int_equal(status, 200);
    assert_string_equal(json_string_value(json_object_get(doc, "format")),
                        "zoom");
    json_decref(doc);
    free(path);

    path =
        test_circle_path(W->circle, "/sessions/%lld/attendance", W->weeks[1]);
    body = mg_xasprintf("{\"present\": [%lld, %lld, %lld]}", W->ids[MERE],
                        W->ids[HONE], W->ids[CYBORG]);
    doc = call(&status, "POST", path, body, NULL);
    assert_int_equal(status, 200);
    json_decref(doc);
    free(body);
    free(path);

    /* week 1: the report's minutes, at most the call's length; week 2:
     * the call's length */
    for (i = 0; i < N_PEOPLE; i++) {
        int m = report_minutes(csv, people[i].email);
        if (m > 0) {
            W->calls[i]++;
            W->minutes[i] += m < CALL_MINUTES ? m : CALL_MINUTES;
        }
        if (i == MERE || i == HONE || i == CYBORG) {
            W->calls[i]++;
            W->minutes[i] += CALL_MINUTES;
        }
    }
    /* the report does hold these four, one above the cap */
    assert_true(report_minutes(csv, people[LOKI].email) > CALL_MINUTES);
    assert_true(W->calls[CLEA] == 1 && W->calls[DAZZLER] == 1);
    assert_int_equal(W->calls[TAMA], 0);
    free(csv);
}

/* Item 2 (a): each person's page links to their certificate when they
 * have one; the PDF says their calls and hours. */
static void test_page_download(void **state)
{
    struct test_response resp;
    long status = 0;
    char *text;
    int i;
    (void)state;

    test_need_shared();
    for (i = 0; i < N_PEOPLE; i++) {
        assert_int_equal(test_http(&resp, W->site.d.port, "GET", W->pages[i],
                                   NULL, NULL, NULL),
                         0);
        assert_int_equal(resp.status, 200);
        if (i == TAMA)
            assert_null(strstr(resp.body, "certificate.pdf"));
        else
            assert_non_null(strstr(resp.body, "/certificate.pdf\""));
        test_response_release(&resp);

        text = page_pdf(i, &status);
        if (i == TAMA) {
            assert_int_equal(status, 404);
            continue;
        }
        assert_int_equal(status, 200);
        check_text(text, i);
        W->codes[i] = code_in(text);
        free(text);
    }
    /* the dates are the person's own, in Auckland */
    text = page_pdf(LOKI, &status);
    assert_non_null(strstr(text, "on 23 March 2027"));
    free(text);
    text = page_pdf(CYBORG, &status);
    assert_non_null(strstr(text, "from 23 March 2027 to 30 March 2027"));
    free(text);
}

static long verify(const char *code, char **body)
{
    struct test_response resp;
    char *path = mg_xasprintf("/verify/%s", code);
    long status;

    assert_int_equal(
        test_http(&resp, W->site.d.port, "GET", path, NULL, NULL, NULL), 0);
    status = resp.status;
    *body = resp.body;
    resp.body = NULL;
    test_response_release(&resp);
    free(path);
    return status;
}

/* Item 2: /verify/{code}: genuine with the figures; a forged code,
 * another person's id with this MAC, and no code at all are not. */
static void test_verify(void **state)
{
    char *body = NULL, *forged, *hours;
    const char *dash;
    (void)state;

    test_need_shared();
    assert_int_equal(verify(W->codes[CYBORG], &body), 200);
    assert_non_null(strstr(body, "Genuine certificate"));
    assert_non_null(strstr(body, "Cyborg Superman"));
    hours = hours_text(W->minutes[CYBORG]);
    /* "2.9 hours (2:56)" on the PDF is "2.9 (2:56)" on the page */
    {
        char *want = mg_xasprintf("%.*s%s", (int)(strchr(hours, ' ') - hours),
                                  hours, strchr(hours, '(') - 1);
        assert_non_null(strstr(body, want));
        free(want);
    }
    free(hours);
    free(body);
    assert_int_equal(verify(W->codes[HONE], &body), 200);
    assert_non_null(strstr(body, "Facilitator"));
    free(body);

    forged = mg_xstrdup(W->codes[CYBORG]);
    forged[strlen(forged) - 1] = forged[strlen(forged) - 1] == 'z' ? 'y' : 'z';
    assert_int_equal(verify(forged, &body), 404);
    assert_non_null(strstr(body, "Not a genuine certificate"));
    assert_null(strstr(body, "Cyborg"));
    free(body);
    free(forged);

    /* Loki's id with Cyborg's MAC */
    dash = strchr(W->codes[CYBORG], '-');
    forged = mg_xasprintf("%.*s%s",
                          (int)(strchr(W->codes[LOKI], '-') - W->codes[LOKI]),
                          W->codes[LOKI], dash);
    assert_int_equal(verify(forged, &body), 404);
    free(body);
    free(forged);
    assert_int_equal(verify("zzzzzz-aaaaa-bbbbb", &body), 404);
    free(body);

    /* the form for a typed code: as printed but in capitals with spaces
     * goes to its page; something else is an error by the field */
    {
        struct test_response resp;
        char *typed = mg_xstrdup(W->codes[CYBORG]), *path, *loc;
        size_t k;

        for (k = 0; typed[k]; k++)
            if (typed[k] >= 'a' && typed[k] <= 'z')
                typed[k] = (char)(typed[k] - 'a' + 'A');
            else if (typed[k] == '-')
                typed[k] = '+'; /* a space in a query */
        assert_int_equal(test_http(&resp, W->site.d.port, "GET", "/verify",
                                   NULL, NULL, NULL),
                         0);
        assert_int_equal(resp.status, 200);
        assert_non_null(strstr(resp.body, "name=\"code\""));
        test_response_release(&resp);
        path = mg_xasprintf("/verify?code=%s", typed);
        assert_int_equal(
            test_http(&resp, W->site.d.port, "GET", path, NULL, NULL, NULL), 0);
        assert_int_equal(resp.status, 303);
        loc = strcasestr(resp.headers, "\nLocation: ");
        assert_non_null(loc);
        {
            /* the hyphens became spaces, which go */
            char want[64];
            size_t n = 0;

            for (k = 0; W->codes[CYBORG][k]; k++)
                if (W->codes[CYBORG][k] != '-')
                    want[n++] = W->codes[CYBORG][k];
            want[n] = '\0';
            assert_memory_equal(loc + strlen("\nLocation: "), "verify/", 7);
            assert_memory_equal(loc + strlen("\nLocation: ") + 7, want, n);
            assert_int_equal(verify(want, &body), 200);
            assert_non_null(strstr(body, "Genuine certificate"));
            free(body);
        }
        free(path);
        test_response_release(&resp);
        assert_int_equal(test_http(&resp, W->site.d.port, "GET",
                                   "/verify?code=not%20a%20code", NULL, NULL,
                                   NULL),
                         0);
        assert_int_equal(resp.status, 422);
        assert_non_null(strstr(resp.body, "aria-invalid=\"true\""));
        assert_non_null(strstr(resp.body, "not shaped like a verification"));
        test_response_release(&resp);
        free(typed);
    }
}

/* Item 2 (c): `mingle certificate` writes everyone's at once, named
 * <slug>-<id>-<name>.pdf, with the same figures; --person one. */
static void test_cli(void **state)
{
    char *dir = mg_xasprintf("%s/out", W->site.dir), *out = NULL, *err = NULL;
    char circle[24], person[24];
    const char *argv[] = {"certificate", "--circle", circle,     "--out",
                          dir,           "--db",     W->site.db, NULL};
    const char *one[] = {"certificate", "--circle", circle, "--person", person,
                         "--out",       dir,        "--db", W->site.db, NULL};
    const char *bad[] = {"certificate", "--circle", circle,     "--person",
                         person,        "--db",     W->site.db, NULL};
    int i;
    (void)state;

    test_need_shared();
    snprintf(circle, sizeof(circle), "%lld", W->circle);
    assert_int_equal(test_run_cli(&out, &err, argv, NULL), 0);
    assert_non_null(strstr(out, "wrote 6 certificates"));
    assert_non_null(strstr(out, "1 person has no call attended yet"));
    free(out);
    free(err);
    for (i = 0; i < N_PEOPLE; i++) {
        char *path = mg_xasprintf("%s/pukapuka-%lld-%s.pdf", dir, W->ids[i],
                                  people[i].ascii);
        size_t len = 0;
        char *data = test_read_file(path, &len), *text;

        if (i == TAMA) {
            assert_null(data);
            free(path);
            continue;
        }
        assert_non_null(data);
        text = test_pdf_text(path);
        check_text(text, i);
        /* the same figures make the same code */
        {
            char *code = code_in(text);
            assert_string_equal(code, W->codes[i]);
            free(code);
        }
        free(text);
        free(data);
        free(path);
    }
    snprintf(person, sizeof(person), "%lld", W->ids[MERE]);
    assert_int_equal(test_run_cli(&out, &err, one, NULL), 0);
    assert_non_null(strstr(out, "wrote 1 certificate to"));
    free(out);
    free(err);
    assert_int_equal(test_run_cli(&out, &err, bad, NULL), 2);
    assert_non_null(strstr(err, "--out"));
    free(out);
    free(err);
    free(dir);
}

/* Item 2: attendance changed after a certificate was issued: its code
 * says so (not "forged"), and the new certificate is genuine. */
static void test_changed_attendance(void **state)
{
    char *path, *body = NULL, *text, *code;
    long status = 0;
    json_t *doc;
    (void)state;

    test_need_shared();
    path =
        test_circle_path(W->circle, "/sessions/%lld/attendance", W->weeks[1]);
    body = mg_xasprintf("{\"present\": [%lld, %lld, %lld, %lld]}", W->ids[MERE],
                        W->ids[HONE], W->ids[CYBORG], W->ids[CLEA]);
    doc = call(&status, "POST", path, body, NULL);
    assert_int_equal(status, 200);
    json_decref(doc);
    free(body);
    free(path);
    W->calls[CLEA]++;
    W->minutes[CLEA] += CALL_MINUTES;

    assert_int_equal(verify(W->codes[CLEA], &body), 200);
    assert_non_null(strstr(body, "issued for different figures"));
    assert_null(strstr(body, "Genuine certificate"));
    free(body);

    text = page_pdf(CLEA, &status);
    assert_int_equal(status, 200);
    check_text(text, CLEA);
    code = code_in(text);
    assert_string_not_equal(code, W->codes[CLEA]);
    assert_int_equal(verify(code, &body), 200);
    assert_non_null(strstr(body, "Genuine certificate"));
    free(body);
    free(W->codes[CLEA]);
    W->codes[CLEA] = code;
    free(text);
}

/* The maildir's messages with a PDF attached: their count, and each
 * one's PDF text into texts[] (at most max). */
static size_t certificate_mails(char **texts, size_t max)
{
    char *dirname = mg_xasprintf("%s/new", W->site.maildir);
    DIR *d = opendir(dirname);
    struct dirent *e;
    size_t n = 0;

    while (d && (e = readdir(d))) {
        char *path, *msg;
        size_t len = 0;

        if (e->d_name[0] == '.')
            continue;
        path = mg_xasprintf("%s/%s", dirname, e->d_name);
        msg = test_read_file(path, &len);
        free(path);
        if (msg && strstr(msg, "application/pdf")) {
            if (texts && n < max) {
                GMimeStream *s = g_mime_stream_mem_new_with_buffer(msg, len);
                GMimeParser *p = g_mime_parser_new_with_stream(s);
                GMimeMessage *m = g_mime_parser_construct_message(p, NULL);
                GMimeObject *top = m ? g_mime_message_get_mime_part(m) : NULL;
                GMimeObject *file =
                    top && GMIME_IS_MULTIPART(top)
                        ? g_mime_multipart_get_part(GMIME_MULTIPART(top), 1)
                        : NULL;
                GMimeStream *out = g_mime_stream_mem_new();
                GByteArray *bytes;

                assert_non_null(file);
                assert_true(GMIME_IS_PART(file));
                /* <slug>-<id>-<name>.pdf, as the CLI names it */
                assert_int_equal(
                    strncmp(g_mime_part_get_filename(GMIME_PART(file)),
                            "pukapuka-", 9),
                    0);
                g_mime_data_wrapper_write_to_stream(
                    g_mime_part_get_content(GMIME_PART(file)), out);
                bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out));
                texts[n] = pdf_file_text((const char *)bytes->data, bytes->len);
                g_object_unref(out);
                g_object_unref(m);
                g_object_unref(p);
                g_object_unref(s);
            }
            n++;
        }
        free(msg);
    }
    if (d)
        closedir(d);
    free(dirname);
    return n;
}

/* Item 2 (b): with mail at close on, two days after the last call the
 * scheduler mails each person with a certificate theirs, once. */
static void test_mail_at_close(void **state)
{
    char *path = test_circle_path(W->circle, "/certificates");
    char *texts[N_PEOPLE] = {0};
    long status = 0;
    json_t *doc;
    size_t n = 0, k;
    int i, want = N_PEOPLE - 1;
    (void)state;

    test_need_shared();
    g_mime_init();
    doc = call(&status, "PUT", path, "{\"mail_at_close\":true}", NULL);
    assert_int_equal(status, 200);
    json_decref(doc);
    /* a day after the last call: not yet */
    set_clock(AFTER_CALLS + 24 * 3600);
    sleep(2);
    assert_int_equal(certificate_mails(NULL, 0), 0);

    set_clock(AFTER_CALLS + 3 * 24 * 3600);
    for (i = 0; i < 100 * test_slowdown() && n < (size_t)want; i++) {
        usleep(100 * 1000);
        n = certificate_mails(NULL, 0);
    }
    assert_int_equal(n, want);
    assert_int_equal(certificate_mails(texts, N_PEOPLE), want);
    for (i = 0; i < N_PEOPLE; i++) {
        int found = 0;
        for (k = 0; k < (size_t)want; k++)
            if (strstr(texts[k], people[i].name)) {
                check_text(texts[k], i);
                found = 1;
            }
        assert_int_equal(found, i != TAMA);
    }
    for (k = 0; k < (size_t)want; k++)
        free(texts[k]);

    /* once: later rounds send nothing more */
    set_clock(AFTER_CALLS + 4 * 24 * 3600);
    sleep(2);
    assert_int_equal(certificate_mails(NULL, 0), want);
    doc = call(&status, "GET", path, NULL, NULL);
    assert_true(json_is_integer(json_object_get(doc, "mailed_at")));
    json_decref(doc);
    free(path);
}

/* Item 2: guessing codes is limited as guessing page addresses is: after
 * the daemon's limit of wrong codes a minute (20 by default), the
 * address gets 429 even for a genuine one. Last: it locks this client
 * out. */
static void test_verify_rate_limited(void **state)
{
    char *body = NULL, code[32];
    long status = 0;
    int i;
    (void)state;

    test_need_shared();
    for (i = 0; i < 30 && status != 429; i++) {
        snprintf(code, sizeof(code), "%dzz-aaaaa-bbbb%d", i % 9 + 1, i % 10);
        status = verify(code, &body);
        free(body);
        assert_true(status == 404 || status == 429);
    }
    assert_int_equal(status, 429);
    assert_true(i > 5); /* not from the first: a few wrong codes are fine */
    assert_int_equal(verify(W->codes[CYBORG], &body), 429);
    free(body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_settings_api),
        cmocka_unit_test(test_record_attendance),
        cmocka_unit_test(test_page_download),
        cmocka_unit_test(test_verify),
        cmocka_unit_test(test_cli),
        cmocka_unit_test(test_changed_attendance),
        cmocka_unit_test(test_mail_at_close),
        cmocka_unit_test(test_verify_rate_limited),
    };
    static const char *const shared[] = {"test_record_attendance",
                                         "test_page_download",
                                         "test_verify",
                                         "test_cli",
                                         "test_changed_attendance",
                                         "test_mail_at_close",
                                         NULL};

    return test_run_group_shared(tests, shared, setup_world, teardown_world);
}
