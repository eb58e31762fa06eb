/*
 * test_exports.c: issue #19 item 4, the spreadsheets coordinators live
 * in, against a real `mingle serve` and the real `mingle export`. A
 * circle of six (one named =HYPERLINK(...) with a sector of +64 ...) is
 * planned; week 1's attendance is a real Zoom participants report
 * (../shared/fixtures/attendance/zoom-participants-pseudonymised.csv,
 * from zoomclass, MIT: its people are the circle's by address), week 2's
 * is recorded through the API, the facilitator accepts the series with a
 * real Thunderbird iTIP REPLY (../shared/fixtures/itip/
 * thunderbird-lightning-reply-accepted.eml, from Tine 2.0's tests) and a
 * kick-off plenary's week 1 is the same Zoom report. Then every kind is
 * downloaded in both formats through the CLI and the API; each workbook
 * is read with openpyxl (test_xlsx_cells) and each CSV parsed, and:
 * the CLI's and the API's CSV are the same bytes, a workbook's first
 * sheet holds the CSV's cells, no cell is a formula, the attendance
 * matrix's 1s and 0s are the attendance recorded (GET .../attendance),
 * its totals and minutes follow, the report's figures are GET
 * .../report's and its CSV is the report's CSV. The dashboard lists and
 * serves the same downloads; bad names are 400/404 naming the field.
 */
#define _GNU_SOURCE
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

#include <errno.h>
#include <pty.h>
#include <sys/wait.h>

#include <cmocka.h>
#include <jansson.h>

#include "mingle/inbound.h"
#include "support.h"

#define MIME_SECRET "mime-secret-exports"
#define HOOK "/hooks/mail/mime?secret=" MIME_SECRET
#define EVIL_NAME "=HYPERLINK(\"http://evil.example/\",\"click\")"
#define EVIL_SECTOR "+64 9 555 0100"

static const char circle_json[] =
    "{\"title\":\"Atlas\",\"slug\":\"atlas-sheets\",\"time_zone\":"
    "\"Pacific/Auckland\",\"start_date\":\"2027-03-22\",\"weeks\":4,"
    "\"group_size\":{\"min\":2,\"max\":8},\"slots\":[{\"weekday\":"
    "\"tuesday\",\"start\":\"19:30\",\"minutes\":60}],\"attendance_target\":"
    "3,\"video_url\":\"https://meet.example.org/atlas\",\"organizer\":{"
    "\"name\":\"Coordinators\",\"email\":\"circles@example.org\"}}";

/* Loki, Clea and Thunderbird II are in the Zoom report (128, 10 and 3
 * minutes of a 60-minute call: present, present, absent). */
static const char people_csv[] =
    "name,email,role,sector,region\n"
    "Tāne Mahuta,tane@example.org,facilitator,public,Wellington\n"
    "Loki Laufeyson,loki_asgardian@marvel.com,,academic,Auckland\n"
    "Clea,clea_unknown@marvel.com,,school,Otago\n"
    "Thunderbird II,thunderbird-ii_unknown@marvel.com,,special,Otago\n"
    "Ana Cole,ana@example.org,,public,Auckland\n"
    "\"=HYPERLINK(\"\"http://evil.example/\"\",\"\"click\"\")\","
    "evil@example.org,," EVIL_SECTOR ",Auckland\n";

static const char *const kinds[] = {"roster", "groups", "attendance", "rsvps",
                                    "report"};
#define N_KINDS (sizeof(kinds) / sizeof(kinds[0]))

struct world {
    struct test_site site;
    long long circle, sessions[4], plenary;
    long long tane, loki, clea, thunder, ana, evil;
    char uid[64];
};

static struct world *W;

static json_t *call(long *status, const char *method, const char *path,
                    const char *body, const char *ctype)
{
    return test_site_call(&W->site, status, method, path, body, ctype);
}

/* --- readers ----------------------------------------------------------- */

/* A CSV file (RFC 4180) as rows of fields. */
struct grid {
    char ***rows;
    size_t *n_cols;
    size_t n_rows;
};

static void grid_add_field(struct grid *g, struct mg_buf *f)
{
    size_t r = g->n_rows - 1;

    g->rows[r] = mg_xrealloc(g->rows[r], (g->n_cols[r] + 1) * sizeof(char *));
    g->rows[r][g->n_cols[r]++] = mg_xstrdup(f->data ? f->data : "");
    f->len = 0;
    if (f->data)
        f->data[0] = '\0';
}

static void grid_new_row(struct grid *g)
{
    g->rows = mg_xrealloc(g->rows, (g->n_rows + 1) * sizeof(*g->rows));
    g->n_cols = mg_xrealloc(g->n_cols, (g->n_rows + 1) * sizeof(size_t));
    g->rows[g->n_rows] = NULL;
    g->n_cols[g->n_rows] = 0;
    g->n_rows++;
}

static void csv_parse(struct grid *g, const char *s)
{
    struct mg_buf f = MG_BUF_INIT;
    int quoted = 0, row_open = 0;

    memset(g, 0, sizeof(*g));
    while (*s) {
        if (!row_open) {
            grid_new_row(g);
            row_open = 1;
        }
        if (quoted) {
            if (*s == '"' && s[1] == '"') {
                mg_buf_add(&f, "\"", 1);
                s += 2;
            } else if (*s == '"') {
                quoted = 0;
                s++;
            } else {
                mg_buf_add(&f, s++, 1);
            }
            continue;
        }
        if (*s == '"') {
            quoted = 1;
            s++;
        } else if (*s == ',') {
            grid_add_field(g, &f);
            s++;
        } else if (*s == '\r' && s[1] == '\n') {
            grid_add_field(g, &f);
            row_open = 0;
            s += 2;
        } else {
            assert_true(*s != '\n'); /* lines end in CRLF */
            mg_buf_add(&f, s++, 1);
        }
    }
    assert_int_equal(row_open, 0);
    mg_buf_release(&f);
}

static void grid_free(struct grid *g)
{
    size_t r, c;

    for (r = 0; r < g->n_rows; r++) {
        for (c = 0; c < g->n_cols[r]; c++)
            free(g->rows[r][c]);
        free(g->rows[r]);
    }
    free(g->rows);
    free(g->n_cols);
}

/* The field of row `r` (0: header) under header `name`, or NULL. */
static const char *grid_get(const struct grid *g, size_t r, const char *name)
{
    size_t c;

    for (c = 0; c < g->n_cols[0]; c++)
        if (strcmp(g->rows[0][c], name) == 0)
            return c < g->n_cols[r] ? g->rows[r][c] : NULL;
    fail_msg("no column '%s'", name);
    return NULL;
}

/* The row whose column `name` is `value`, or 0. */
static size_t grid_find(const struct grid *g, const char *name,
                        const char *value)
{
    size_t r;

    for (r = 1; r < g->n_rows; r++)
        if (strcmp(grid_get(g, r, name), value) == 0)
            return r;
    return 0;
}

/* A workbook's cells as openpyxl reads them. */
struct xcell {
    char sheet[64];
    int row, col;
    char type[4];
    char *value; /* a string's text, unescaped; a number as written */
};

struct book {
    struct xcell *cells;
    size_t n;
};

/* Python's repr() of a string back to its text. */
static char *unrepr(const char *s)
{
    struct mg_buf b = MG_BUF_INIT;
    char q = *s;
    size_t len = strlen(s);

    assert_true(len >= 2 && (q == '\'' || q == '"') && s[len - 1] == q);
    for (s++, len -= 2; len; len--, s++) {
        if (*s != '\\') {
            mg_buf_add(&b, s, 1);
            continue;
        }
        s++;
        len--;
        switch (*s) {
        case 'n':
            mg_buf_puts(&b, "\n");
            break;
        case 't':
            mg_buf_puts(&b, "\t");
            break;
        case 'r':
            mg_buf_puts(&b, "\r");
            break;
        default:
            mg_buf_add(&b, s, 1);
        }
    }
    mg_buf_puts(&b, "");
    return mg_buf_detach(&b);
}

static void book_read(struct book *bk, const char *path)
{
    char *text = test_xlsx_cells(path), *line, *save = NULL;

    memset(bk, 0, sizeof(*bk));
    for (line = strtok_r(text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        struct xcell *c;
        char *p[4];
        int i;

        p[0] = line;
        for (i = 1; i < 4; i++) {
            p[i] = strchr(p[i - 1], '|');
            assert_non_null(p[i]);
            *p[i]++ = '\0';
        }
        bk->cells = mg_xrealloc(bk->cells, (bk->n + 1) * sizeof(*bk->cells));
        c = &bk->cells[bk->n++];
        snprintf(c->sheet, sizeof(c->sheet), "%s", p[0]);
        c->row = (int)strtol(p[1], NULL, 10);
        c->col = (int)strtol(p[2], NULL, 10);
        /* p[3] is "type|value" */
        {
            char *bar = strchr(p[3], '|');

            assert_non_null(bar);
            *bar = '\0';
            snprintf(c->type, sizeof(c->type), "%s", p[3]);
            c->value =
                c->type[0] == 's' ? unrepr(bar + 1) : mg_xstrdup(bar + 1);
        }
    }
    free(text);
}

static void book_free(struct book *bk)
{
    size_t i;

    for (i = 0; i < bk->n; i++)
        free(bk->cells[i].value);
    free(bk->cells);
}

static const struct xcell *book_cell(const struct book *bk, const char *sheet,
                                     int row, int col)
{
    size_t i;

    for (i = 0; i < bk->n; i++)
        if (bk->cells[i].row == row && bk->cells[i].col == col &&
            strcmp(bk->cells[i].sheet, sheet) == 0)
            return &bk->cells[i];
    return NULL;
}

/* The first sheet's name: the sheet of the first cell (row 1 col 1). */
static const char *book_first_sheet(const struct book *bk)
{
    assert_true(bk->n > 0);
    return bk->cells[0].sheet;
}

/* No cell anywhere is a formula. */
static void book_no_formulas(const struct book *bk)
{
    size_t i;

    for (i = 0; i < bk->n; i++)
        if (bk->cells[i].type[0] == 'f')
            fail_msg("%s!R%dC%d is a formula", bk->cells[i].sheet,
                     bk->cells[i].row, bk->cells[i].col);
}

/* The workbook's first sheet holds exactly the CSV's non-empty cells. */
static void book_is_grid(const struct book *bk, const struct grid *g)
{
    const char *sheet = book_first_sheet(bk);
    size_t r, c, in_sheet = 0, in_grid = 0, i;

    for (r = 0; r < g->n_rows; r++)
        for (c = 0; c < g->n_cols[r]; c++) {
            const struct xcell *x;

            if (!g->rows[r][c][0])
                continue;
            in_grid++;
            x = book_cell(bk, sheet, (int)r + 1, (int)c + 1);
            if (!x || strcmp(x->value, g->rows[r][c]) != 0)
                fail_msg("%s R%zuC%zu: CSV '%s', XLSX '%s'", sheet, r + 1,
                         c + 1, g->rows[r][c], x ? x->value : "(none)");
        }
    for (i = 0; i < bk->n; i++)
        in_sheet += strcmp(bk->cells[i].sheet, sheet) == 0;
    assert_int_equal(in_sheet, in_grid);
}

/* --- downloads --------------------------------------------------------- */

static char *write_temp(const char *name, const char *data, size_t len)
{
    char *path = mg_xasprintf("%s/%s", W->site.dir, name);
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
    return path;
}

/* `mingle export` of `what` as `format` into a file; its path. */
static char *cli_export(const char *what, const char *format)
{
    char *out = mg_xasprintf("%s/cli-%s.%s", W->site.dir, what, format);
    char circle[32], *stdout_text = NULL, *err = NULL;
    const char *argv[] = {"export", "--db",   W->site.db, "--circle",
                          circle,   "--what", what,       "--format",
                          format,   "--out",  out,        NULL};
    int rc;

    snprintf(circle, sizeof(circle), "%lld", W->circle);
    rc = test_run_cli(&stdout_text, &err, argv, NULL);
    if (rc != 0)
        fail_msg("mingle export %s %s: %d %s", what, format, rc, err);
    assert_string_equal(stdout_text, "");
    free(stdout_text);
    free(err);
    return out;
}

/* `mingle export` of `what` as CSV to standard output. */
static char *cli_export_stdout(const char *what)
{
    char circle[32], *out = NULL;
    const char *argv[] = {"export", "--db", W->site.db, "--circle", circle,
                          "--what", what,   "--format", "csv",      NULL};

    snprintf(circle, sizeof(circle), "%lld", W->circle);
    assert_int_equal(test_run_cli(&out, NULL, argv, NULL), 0);
    return out;
}

/* GET the API's download `what`.`format`: its body (*len bytes). */
static char *api_export(size_t *len, const char *what, const char *format)
{
    struct test_response resp;
    char *path = test_circle_path(W->circle, "/export/%s.%s", what, format);
    char *body, want[128];
    const char *ctype = strcmp(format, "xlsx") == 0
                            ? "application/vnd.openxmlformats-officedocument."
                              "spreadsheetml.sheet"
                            : "text/csv; charset=utf-8";

    assert_int_equal(test_http(&resp, W->site.d.port, "GET", path,
                               W->site.token, NULL, NULL),
                     0);
    assert_int_equal(resp.status, 200);
    if (!strcasestr(resp.headers, ctype))
        fail_msg("GET %s: no Content-Type %s in %s", path, ctype, resp.headers);
    snprintf(want, sizeof(want),
             "Content-Disposition: attachment; filename=\"atlas-sheets-%s.%s\"",
             what, format);
    if (!strcasestr(resp.headers, want))
        fail_msg("GET %s: no '%s' in %s", path, want, resp.headers);
    body = resp.body;
    resp.body = NULL;
    /* the body may hold NULs (a workbook is a zip file) */
    *len = 0;
    {
        const char *cl = strcasestr(resp.headers, "\nContent-Length: ");

        assert_non_null(cl);
        *len = (size_t)strtoull(cl + 17, NULL, 10);
    }
    test_response_release(&resp);
    free(path);
    return body;
}

static char *api_export_file(const char *what, const char *format)
{
    size_t len;
    char *body = api_export(&len, what, format);
    char *name = mg_xasprintf("api-%s.%s", what, format);
    char *path = write_temp(name, body, len);

    free(name);
    free(body);
    return path;
}

/* --- the circle -------------------------------------------------------- */

static void ics_value(char *out, size_t n, const char *ics, const char *name)
{
    const char *p = strstr(ics, name);
    size_t len;

    out[0] = '\0';
    if (!p)
        return;
    p += strlen(name);
    len = strcspn(p, "\r\n");
    snprintf(out, n, "%.*s", (int)len, p);
}

/* The UID of Tāne's invitation (the group's series), from the maildir. */
static int read_uid(struct world *w)
{
    char *newdir = mg_xasprintf("%s/new", w->site.maildir);
    int i;

    for (i = 0; i < 200 && !w->uid[0]; i++) {
        DIR *d = opendir(newdir);
        struct dirent *e;

        while (d && (e = readdir(d)) != NULL && !w->uid[0]) {
            struct mg_inbound m;
            char *path, *data;
            size_t len = 0, r;

            if (e->d_name[0] == '.')
                continue;
            path = mg_xasprintf("%s/%s", newdir, e->d_name);
            data = test_read_file(path, &len);
            free(path);
            if (data && mg_inbound_from_mime(&m, data, len, NULL, NULL) == 0) {
                for (r = 0; m.calendar && r < m.n_recipients; r++)
                    if (strcmp(m.recipients[r], "tane@example.org") == 0)
                        ics_value(w->uid, sizeof(w->uid), m.calendar, "\nUID:");
                mg_inbound_release(&m);
            }
            free(data);
        }
        if (d)
            closedir(d);
        if (!w->uid[0])
            usleep(50000);
    }
    free(newdir);
    return w->uid[0] ? 0 : -1;
}

static int setup_world(void **state)
{
    struct world *w = mg_xcalloc(1, sizeof(*w));
    static const char *const env[] = {
        "MINGLE_OUTBOX_INTERVAL=1", "MINGLE_MIME_SECRET=" MIME_SECRET,
        "MINGLE_AUTHSERV_ID=mx.exports.test", NULL};
    const struct test_site_opts opts = {.maildir = 1, .env = env};

    if (test_site_start(&w->site, "exports.db", &opts) < 0)
        return -1;
    W = w;
    *state = w;
    w->circle = test_site_circle(&w->site, circle_json, NULL);
    if (!w->circle)
        return -1;
    if (test_site_plan(&w->site, w->circle, people_csv, w->sessions, 4) != 4)
        return -1;
    w->tane = test_site_person(&w->site, w->circle, "tane@example.org");
    w->loki =
        test_site_person(&w->site, w->circle, "loki_asgardian@marvel.com");
    w->clea = test_site_person(&w->site, w->circle, "clea_unknown@marvel.com");
    w->thunder = test_site_person(&w->site, w->circle,
                                  "thunderbird-ii_unknown@marvel.com");
    w->ana = test_site_person(&w->site, w->circle, "ana@example.org");
    w->evil = test_site_person(&w->site, w->circle, "evil@example.org");
    if (!w->tane || !w->loki || !w->clea || !w->thunder || !w->ana || !w->evil)
        return -1;
    return read_uid(w);
}

static int teardown_world(void **state)
{
    struct world *w = *state;

    if (!w)
        return 0;
    test_site_stop(&w->site, SIGTERM);
    free(w);
    return 0;
}

static char *replace_all(const char *text, const char *from, const char *to)
{
    struct mg_buf b = MG_BUF_INIT;
    const char *p = text, *hit;

    while ((hit = strstr(p, from)) != NULL) {
        mg_buf_add(&b, p, (size_t)(hit - p));
        mg_buf_puts(&b, to);
        p = hit + strlen(from);
    }
    mg_buf_puts(&b, p);
    return mg_buf_detach(&b);
}

/* Record everything the downloads are compared with. */
static void test_record(void **state)
{
    size_t len = 0;
    char *zoom = test_read_shared(
        "attendance/zoom-participants-pseudonymised.csv", &len);
    char *path, *body, *raw, *a, *b, *msg;
    struct test_response resp;
    long status;
    json_t *doc;

    (void)state;
    /* week 1: the real Zoom report */
    path = test_circle_path(W->circle, "/sessions/%lld/attendance",
                            W->sessions[0]);
    assert_int_equal(test_http_ex(&resp, W->site.d.port, "POST", path,
                                  W->site.token, NULL, zoom, len, "text/csv"),
                     0);
    assert_int_equal(resp.status, 200);
    test_response_release(&resp);
    free(path);
    /* week 2: through the API, Tāne and Ana came */
    path = test_circle_path(W->circle, "/sessions/%lld/attendance",
                            W->sessions[1]);
    body = mg_xasprintf("{\"present\":[%lld,%lld]}", W->tane, W->ana);
    doc = call(&status, "POST", path, body, NULL);
    assert_int_equal(status, 200);
    json_decref(doc);
    free(body);
    free(path);
    /* a kick-off with Loki, Clea and Ana registered; the Zoom report
     * again for its call */
    path = test_circle_path(W->circle, "/plenaries");
    doc = call(&status, "POST", path,
               "{\"title\":\"Kick-off\",\"start\":\"2027-03-16T19:30\","
               "\"capacity\":100}",
               NULL);
    assert_int_equal(status, 201);
    W->plenary = json_integer_value(json_object_get(doc, "id"));
    json_decref(doc);
    free(path);
    {
        long long who[] = {W->loki, W->clea, W->ana};
        size_t i;

        path = test_circle_path(W->circle, "/plenaries/%lld/registrations",
                                W->plenary);
        for (i = 0; i < 3; i++) {
            body = mg_xasprintf("{\"participant_id\":%lld}", who[i]);
            doc = call(&status, "POST", path, body, NULL);
            assert_true(status == 200 || status == 201);
            json_decref(doc);
            free(body);
        }
        free(path);
    }
    path = test_circle_path(W->circle, "/plenaries/%lld/weeks/1/attendance",
                            W->plenary);
    assert_int_equal(test_http_ex(&resp, W->site.d.port, "POST", path,
                                  W->site.token, NULL, zoom, len, "text/csv"),
                     0);
    assert_int_equal(resp.status, 200);
    test_response_release(&resp);
    free(path);
    /* Tāne accepts the series from Thunderbird */
    raw =
        test_read_shared("itip/thunderbird-lightning-reply-accepted.eml", &len);
    a = replace_all(raw, "4f0162146d61cb2c06cbe2abf94636f4526abe16", W->uid);
    b = replace_all(a, "tine20admin@caldav.net", "tane@example.org");
    msg = replace_all(b, "20111121120910.8405A7D32@laptoplk",
                      "thunderbird-exports-1@example.org");
    body = mg_xasprintf("Authentication-Results: mx.exports.test; dmarc=pass "
                        "header.from=example.org\r\n%s",
                        msg);
    assert_int_equal(test_http(&resp, W->site.d.port, "POST", HOOK, NULL, body,
                               "message/rfc822"),
                     0);
    assert_int_equal(resp.status, 200);
    assert_non_null(strstr(resp.body, "\"rsvp\""));
    test_response_release(&resp);
    free(body);
    free(raw);
    free(a);
    free(b);
    free(msg);
    free(zoom);
}

/* --- every kind, both doors, both formats ------------------------------ */

static void test_every_kind_agrees(void **state)
{
    size_t k;

    (void)state;
    test_need_shared();
    for (k = 0; k < N_KINDS; k++) {
        char *cli_csv_path = cli_export(kinds[k], "csv");
        char *cli_xlsx = cli_export(kinds[k], "xlsx");
        char *api_xlsx = api_export_file(kinds[k], "xlsx");
        size_t len;
        char *cli_csv = test_read_file(cli_csv_path, &len);
        char *piped = cli_export_stdout(kinds[k]);
        char *api_csv = api_export(&len, kinds[k], "csv");
        struct grid g;
        struct book b1, b2;
        size_t i;

        /* one CSV, whichever door */
        assert_string_equal(cli_csv, api_csv);
        assert_string_equal(cli_csv, piped);
        assert_int_equal(strlen(api_csv), len);
        csv_parse(&g, cli_csv);
        assert_true(g.n_rows >= 2); /* a header and something */
        /* each workbook's first sheet is the CSV, and no cell runs */
        book_read(&b1, cli_xlsx);
        book_read(&b2, api_xlsx);
        book_is_grid(&b1, &g);
        book_is_grid(&b2, &g);
        book_no_formulas(&b1);
        assert_int_equal(b1.n, b2.n);
        for (i = 0; i < b1.n; i++) {
            assert_string_equal(b1.cells[i].sheet, b2.cells[i].sheet);
            assert_string_equal(b1.cells[i].value, b2.cells[i].value);
        }
        book_free(&b1);
        book_free(&b2);
        grid_free(&g);
        free(api_csv);
        free(piped);
        free(cli_csv);
        free(cli_csv_path);
        free(cli_xlsx);
        free(api_xlsx);
    }
}

/* --- the attendance matrix against what was recorded ------------------- */

/* What GET .../attendance says of `pid`: -1 no row, 0 absent, 1 present;
 * *minutes what the call counts for (the report's, at most the call's
 * length, else the call's length). */
static int recorded(int *minutes, json_t *doc, long long pid)
{
    json_t *list = json_object_get(doc, "attendance"), *e;
    int call = (int)json_integer_value(json_object_get(doc, "minutes"));
    size_t i;

    if (!call)
        call = 60; /* a plenary's answer has no length: the Kick-off's */
    *minutes = 0;
    json_array_foreach(list, i, e)
    {
        int m;

        if (json_integer_value(json_object_get(e, "participant_id")) != pid)
            continue;
        if (!json_is_true(json_object_get(e, "present")))
            return 0;
        m = (int)json_integer_value(json_object_get(e, "minutes"));
        *minutes = m > 0 && m < call ? m : call;
        return 1;
    }
    return -1;
}

static void check_matrix(const char *xlsx_path, const char *csv_text)
{
    long long people[] = {W->tane,    W->loki, W->clea,
                          W->thunder, W->ana,  W->evil};
    const char *cols[] = {"Week 1", "Week 2", "Week 3", "Week 4",
                          "Kick-off 2027-03-16"};
    json_t *docs[5];
    struct grid g;
    struct book bk;
    long status;
    size_t p, c;
    int present_total = 0;

    for (c = 0; c < 4; c++) {
        char *path = test_circle_path(W->circle, "/sessions/%lld/attendance",
                                      W->sessions[c]);

        docs[c] = call(&status, "GET", path, NULL, NULL);
        assert_int_equal(status, 200);
        free(path);
    }
    {
        char *path = test_circle_path(
            W->circle, "/plenaries/%lld/weeks/1/attendance", W->plenary);

        docs[4] = call(&status, "GET", path, NULL, NULL);
        assert_int_equal(status, 200);
        free(path);
    }
    csv_parse(&g, csv_text);
    book_read(&bk, xlsx_path);
    assert_int_equal(g.n_rows, 7); /* the header and six people */
    for (p = 0; p < 6; p++) {
        char id[32];
        size_t r;
        int calls = 0, minutes = 0;

        snprintf(id, sizeof(id), "%lld", people[p]);
        r = grid_find(&g, "ID", id);
        assert_true(r > 0);
        for (c = 0; c < 5; c++) {
            int min = 0, want = recorded(&min, docs[c], people[p]);
            const char *cell = grid_get(&g, r, cols[c]);
            const struct xcell *x;
            size_t col;

            if (want < 0)
                assert_string_equal(cell, "");
            else
                assert_int_equal(strtol(cell, NULL, 10), want);
            if (want > 0) {
                calls++;
                minutes += min;
            }
            /* the workbook's Minutes sheet, in the same place */
            for (col = 0; strcmp(g.rows[0][col], cols[c]) != 0; col++)
                ;
            x = book_cell(&bk, "Minutes", (int)r + 1, (int)col + 1);
            if (want < 0) {
                assert_null(x);
            } else {
                assert_non_null(x);
                assert_int_equal(strtol(x->value, NULL, 10),
                                 want > 0 ? min : 0);
            }
            x = book_cell(&bk, "Attendance", (int)r + 1, (int)col + 1);
            if (want >= 0) {
                assert_non_null(x);
                assert_string_equal(x->type, "n"); /* so SUM counts it */
            }
        }
        present_total += calls;
        assert_int_equal(strtol(grid_get(&g, r, "Calls attended"), NULL, 10),
                         calls);
        {
            char hours[32];

            /* tenths of an hour, half up, as certificates and CPD rows
             * print them */
            snprintf(hours, sizeof(hours), "%.1f",
                     (double)((minutes * 10 + 30) / 60) / 10.0);
            assert_true(strtod(grid_get(&g, r, "Hours"), NULL) ==
                        strtod(hours, NULL));
        }
        {
            size_t col;
            const struct xcell *x;

            for (col = 0; col < g.n_cols[0] &&
                          strcmp(g.rows[0][col], "Total minutes") != 0;
                 col++)
                ;
            (void)col;
            /* Total minutes is the Minutes sheet's last column */
            for (col = 1; book_cell(&bk, "Minutes", 1, (int)col + 1); col++)
                ;
            x = book_cell(&bk, "Minutes", 1, (int)col);
            assert_string_equal(x->value, "Total minutes");
            x = book_cell(&bk, "Minutes", (int)r + 1, (int)col);
            assert_non_null(x);
            assert_int_equal(strtol(x->value, NULL, 10), minutes);
        }
    }
    /* what the recording says, by name: Loki came twice, the last
     * minutes of 128 counted as the call's 60; Clea twice for 10 each;
     * Thunderbird II's 3 minutes were not enough */
    assert_string_equal(
        grid_get(&g, grid_find(&g, "Name", "Loki Laufeyson"), "Week 1"), "1");
    assert_string_equal(
        grid_get(&g, grid_find(&g, "Name", "Loki Laufeyson"), "Hours"), "2");
    assert_string_equal(grid_get(&g, grid_find(&g, "Name", "Clea"), "Hours"),
                        "0.3");
    assert_string_equal(
        grid_get(&g, grid_find(&g, "Name", "Thunderbird II"), "Week 1"), "0");
    assert_string_equal(
        grid_get(&g, grid_find(&g, "Name", "Tāne Mahuta"), "Week 3"), "");
    assert_int_equal(present_total, 6);
    for (c = 0; c < 5; c++)
        json_decref(docs[c]);
    book_free(&bk);
    grid_free(&g);
}

static void test_attendance_matrix(void **state)
{
    char *cli_xlsx, *api_xlsx, *csv, *api_csv;
    size_t len;

    (void)state;
    test_need_shared();
    cli_xlsx = cli_export("attendance", "xlsx");
    api_xlsx = api_export_file("attendance", "xlsx");
    csv = cli_export_stdout("attendance");
    api_csv = api_export(&len, "attendance", "csv");
    check_matrix(cli_xlsx, csv);
    check_matrix(api_xlsx, api_csv);
    free(cli_xlsx);
    free(api_xlsx);
    free(csv);
    free(api_csv);
}

/* --- the report against GET .../report --------------------------------- */

static void test_report_figures(void **state)
{
    static const char *const keys[] = {
        "sessions",  "sessions_recorded", "invited",  "accepted",
        "declined",  "tentative",         "attended", "average_attended",
        "attendees", "came_back"};
    char *path = test_circle_path(W->circle, "/report");
    char *csv_path = test_circle_path(W->circle, "/report?format=csv");
    char *xlsx = cli_export("report", "xlsx"), *csv;
    struct test_response resp;
    json_t *doc, *circle, *sessions, *retention;
    struct book bk;
    long status;
    size_t i, r;

    (void)state;
    test_need_shared();
    /* the CSV is the report's CSV */
    assert_int_equal(test_http(&resp, W->site.d.port, "GET", csv_path,
                               W->site.token, NULL, NULL),
                     0);
    assert_int_equal(resp.status, 200);
    csv = cli_export_stdout("report");
    assert_string_equal(csv, resp.body);
    test_response_release(&resp);
    free(csv);
    /* the Circle sheet's figures are the JSON's */
    doc = call(&status, "GET", path, NULL, NULL);
    assert_int_equal(status, 200);
    circle = json_object_get(doc, "circle");
    book_read(&bk, xlsx);
    for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        const struct xcell *name = NULL, *value;

        for (r = 1; r <= 20; r++) {
            name = book_cell(&bk, "Circle", (int)r, 1);
            if (name && strcmp(name->value, keys[i]) == 0)
                break;
        }
        assert_true(r <= 20);
        value = book_cell(&bk, "Circle", (int)r, 2);
        assert_non_null(value);
        assert_true(strtod(value->value, NULL) ==
                    json_number_value(json_object_get(circle, keys[i])));
    }
    assert_true(json_integer_value(json_object_get(circle, "attended")) > 0);
    /* the Sessions sheet's attended per session are the JSON's */
    sessions = json_object_get(doc, "sessions");
    for (i = 0; i < json_array_size(sessions); i++) {
        json_t *s = json_array_get(sessions, i);
        const struct xcell *id = book_cell(&bk, "Sessions", (int)i + 2, 1);
        const struct xcell *att = book_cell(&bk, "Sessions", (int)i + 2, 11);

        assert_non_null(id);
        assert_int_equal(strtoll(id->value, NULL, 10),
                         json_integer_value(json_object_get(s, "id")));
        if (json_is_null(json_object_get(s, "attended")))
            assert_null(att);
        else
            assert_int_equal(
                strtol(att->value, NULL, 10),
                json_integer_value(json_object_get(s, "attended")));
    }
    /* retention by week, and the plenary's call */
    retention = json_object_get(json_object_get(doc, "retention"), "weeks");
    for (i = 0; i < json_array_size(retention); i++) {
        const struct xcell *x = book_cell(&bk, "Retention", (int)i + 2, 4);

        assert_non_null(x);
        assert_int_equal(strtol(x->value, NULL, 10),
                         json_integer_value(json_object_get(
                             json_array_get(retention, i), "retained")));
    }
    {
        json_t *w = json_array_get(
            json_object_get(
                json_array_get(json_object_get(doc, "plenaries"), 0), "weeks"),
            0);
        const struct xcell *came = book_cell(&bk, "Plenaries", 2, 12);

        assert_non_null(came);
        assert_int_equal(strtol(came->value, NULL, 10),
                         json_integer_value(json_object_get(w, "came")));
        assert_int_equal(json_integer_value(json_object_get(w, "came")), 2);
    }
    book_free(&bk);
    json_decref(doc);
    free(xlsx);
    free(path);
    free(csv_path);
}

/* --- the roster, groups and RSVPs say what the circle holds ------------ */

static void test_roster_groups_rsvps(void **state)
{
    char *csv = cli_export_stdout("roster");
    struct grid g;
    size_t r, i;
    long status;
    json_t *doc;

    (void)state;
    test_need_shared();
    csv_parse(&g, csv);
    assert_int_equal(g.n_rows, 7);
    r = grid_find(&g, "Email", "loki_asgardian@marvel.com");
    assert_true(r > 0);
    assert_string_equal(grid_get(&g, r, "Name"), "Loki Laufeyson");
    assert_string_equal(grid_get(&g, r, "Sector"), "academic");
    assert_string_equal(grid_get(&g, r, "Status"), "active");
    assert_string_equal(grid_get(&g, r, "Group"), "Group 1");
    assert_string_equal(grid_get(&g, r, "Slots"), "");
    r = grid_find(&g, "Email", "tane@example.org");
    assert_string_equal(grid_get(&g, r, "Role"), "facilitator");
    /* no secrets: no page or feed token, nothing 48 hex long */
    for (r = 0; r < g.n_rows; r++)
        for (i = 0; i < g.n_cols[r]; i++)
            assert_true(strspn(g.rows[r][i], "0123456789abcdef") < 32);
    grid_free(&g);
    free(csv);

    csv = cli_export_stdout("groups");
    csv_parse(&g, csv);
    assert_int_equal(g.n_rows, 2);
    assert_string_equal(grid_get(&g, 1, "Group"), "Group 1");
    assert_string_equal(grid_get(&g, 1, "Facilitators"), "Tāne Mahuta");
    assert_string_equal(grid_get(&g, 1, "Facilitator emails"),
                        "tane@example.org");
    assert_string_equal(grid_get(&g, 1, "Members"), "6");
    assert_string_equal(grid_get(&g, 1, "Slot"), "Tue 19:30, 60 min");
    assert_string_equal(grid_get(&g, 1, "Time zone"), "Pacific/Auckland");
    assert_string_equal(grid_get(&g, 1, "Call link"),
                        "https://meet.example.org/atlas");
    grid_free(&g);
    free(csv);

    /* the RSVPs: Tāne's four, as GET .../rsvps has them */
    csv = cli_export_stdout("rsvps");
    csv_parse(&g, csv);
    assert_int_equal(g.n_rows, 5);
    for (i = 0; i < 4; i++) {
        char *path =
            test_circle_path(W->circle, "/sessions/%lld/rsvps", W->sessions[i]);
        json_t *e;
        char week[8];

        doc = call(&status, "GET", path, NULL, NULL);
        assert_int_equal(status, 200);
        assert_int_equal(json_array_size(json_object_get(doc, "rsvps")), 1);
        e = json_array_get(json_object_get(doc, "rsvps"), 0);
        snprintf(week, sizeof(week), "%zu", i + 1);
        r = 0;
        for (size_t k = 1; k < g.n_rows; k++)
            if (strcmp(grid_get(&g, k, "Week"), week) == 0)
                r = k;
        assert_true(r > 0);
        assert_string_equal(grid_get(&g, r, "Name"), "Tāne Mahuta");
        assert_string_equal(grid_get(&g, r, "Email"), "tane@example.org");
        assert_string_equal(grid_get(&g, r, "Call"), "Group 1");
        assert_string_equal(grid_get(&g, r, "Kind"), "group");
        assert_string_equal(grid_get(&g, r, "Answer"),
                            json_string_value(json_object_get(e, "status")));
        assert_string_equal(grid_get(&g, r, "Answer"), "accepted");
        assert_string_equal(grid_get(&g, r, "Source"),
                            json_string_value(json_object_get(e, "source")));
        json_decref(doc);
        free(path);
    }
    /* week 1's call, in the circle's zone */
    r = grid_find(&g, "Week", "1");
    assert_string_equal(grid_get(&g, r, "Starts"), "2027-03-23 19:30");
    grid_free(&g);
    free(csv);
}

/* --- formula injection, end to end ------------------------------------- */

static void test_formula_injection(void **state)
{
    const char *which[] = {"roster", "attendance", "rsvps"};
    char *xlsx = api_export_file("roster", "xlsx");
    size_t len, i, k;
    char *csv = api_export(&len, "roster", "csv");
    struct grid g;
    struct book bk;
    size_t r;

    (void)state;
    test_need_shared();
    csv_parse(&g, csv);
    r = grid_find(&g, "Email", "evil@example.org");
    assert_true(r > 0);
    assert_string_equal(grid_get(&g, r, "Name"), "'" EVIL_NAME);
    assert_string_equal(grid_get(&g, r, "Sector"), "'" EVIL_SECTOR);
    /* and in the file itself, quoted so the ' is inside the field */
    assert_non_null(strstr(csv, "\"'=HYPERLINK("));
    assert_non_null(strstr(csv, "\"'+64 9 555 0100\""));
    book_read(&bk, xlsx);
    book_no_formulas(&bk);
    for (i = 0, k = 0; i < bk.n; i++) {
        if (strcmp(bk.cells[i].value, "'" EVIL_NAME) == 0 ||
            strcmp(bk.cells[i].value, "'" EVIL_SECTOR) == 0) {
            assert_string_equal(bk.cells[i].type, "s");
            k++;
        }
        assert_false(bk.cells[i].value[0] == '=');
        assert_false(bk.cells[i].value[0] == '+');
    }
    assert_int_equal(k, 2);
    book_free(&bk);
    grid_free(&g);
    free(csv);
    free(xlsx);
    /* nowhere else either */
    for (i = 0; i < sizeof(which) / sizeof(which[0]); i++) {
        char *path = cli_export(which[i], "xlsx");

        book_read(&bk, path);
        book_no_formulas(&bk);
        for (k = 0; k < bk.n; k++)
            assert_false(bk.cells[k].value[0] == '=');
        book_free(&bk);
        free(path);
    }
}

/* --- the dashboard ----------------------------------------------------- */

static void test_dashboard_downloads(void **state)
{
    struct test_response resp;
    char *cookie = NULL, *path, *api;
    size_t len, k;

    (void)state;
    test_need_shared();
    assert_int_equal(
        test_site_dashboard_login(&W->site, W->site.token, &cookie, NULL, NULL),
        303);
    path = test_dashboard_path(W->circle, "%s", "");
    test_site_page(&resp, &W->site, "GET", path, cookie, NULL);
    assert_int_equal(resp.status, 200);
    assert_non_null(strstr(resp.body, "id=\"downloads\""));
    for (k = 0; k < N_KINDS; k++) {
        char *link = mg_xasprintf("/dashboard/circles/%lld/export/%s.xlsx\"",
                                  W->circle, kinds[k]);

        if (!strstr(resp.body, link))
            fail_msg("no link %s", link);
        free(link);
    }
    test_response_release(&resp);
    free(path);
    /* the download is the API's */
    path = test_dashboard_path(W->circle, "/export/attendance.csv");
    test_site_page(&resp, &W->site, "GET", path, cookie, NULL);
    assert_int_equal(resp.status, 200);
    assert_non_null(strcasestr(resp.headers, "text/csv"));
    assert_non_null(
        strcasestr(resp.headers, "filename=\"atlas-sheets-attendance.csv\""));
    api = api_export(&len, "attendance", "csv");
    assert_string_equal(resp.body, api);
    free(api);
    test_response_release(&resp);
    free(path);
    /* without the session, the login page; an unknown kind, 404 */
    path = test_dashboard_path(W->circle, "/export/roster.xlsx");
    test_site_page(&resp, &W->site, "GET", path, NULL, NULL);
    assert_int_equal(resp.status, 303);
    test_response_release(&resp);
    free(path);
    path = test_dashboard_path(W->circle, "/export/secrets.csv");
    test_site_page(&resp, &W->site, "GET", path, cookie, NULL);
    assert_int_equal(resp.status, 404);
    test_response_release(&resp);
    free(path);
    free(cookie);
}

/* Each download of a circle's data is in the audit log, with its name. */
static void test_audited(void **state)
{
    char *path, *want;
    json_t *doc, *e;
    long status;
    size_t i;
    int found = 0;

    (void)state;
    test_need_shared(); /* before anything is allocated: it may skip */
    path = mg_xasprintf("/api/v1/audit?circle=%lld&limit=1000", W->circle);
    want = mg_xasprintf("%lld/rsvps.xlsx", W->circle);
    doc = call(&status, "GET", path, NULL, NULL);
    assert_int_equal(status, 200);
    json_array_foreach(json_object_get(doc, "entries"), i, e)
    {
        const char *action = json_string_value(json_object_get(e, "action"));
        const char *target = json_string_value(json_object_get(e, "target"));

        if (strcmp(action, "GET /api/v1/circles/{id}/export/{file}") == 0 &&
            strcmp(target, want) == 0 &&
            json_integer_value(json_object_get(e, "status")) == 200)
            found++;
    }
    assert_true(found >= 1);
    json_decref(doc);
    free(want);
    free(path);
}

/* --- what is refused --------------------------------------------------- */

static void expect_error(const char *path, const char *token, long want,
                         const char *field)
{
    long status;
    json_t *doc =
        test_call_json(&status, W->site.d.port, token, "GET", path, NULL, NULL);

    assert_int_equal(status, want);
    assert_non_null(doc);
    if (field)
        assert_string_equal(json_string_value(json_object_get(
                                json_object_get(doc, "error"), "field")),
                            field);
    json_decref(doc);
}

static void test_refused(void **state)
{
    char *path, *other, *out = NULL, *err = NULL;
    struct test_response resp;
    long long empty;
    char circle[32];
    const char *argv[] = {"export", "--db",   W->site.db, "--circle",
                          circle,   "--what", "secrets",  NULL};
    const char *none[] = {"export", "--db",   W->site.db, "--circle",
                          "99999",  "--what", "roster",   NULL};
    long status;
    json_t *doc;

    (void)state;
    path = test_circle_path(W->circle, "/export/secrets.csv");
    expect_error(path, W->site.token, 404, "what");
    doc = test_call_json(&status, W->site.d.port, W->site.token, "GET", path,
                         NULL, NULL);
    assert_non_null(strstr(json_string_value(json_object_get(
                               json_object_get(doc, "error"), "message")),
                           "roster, groups, attendance, rsvps, report"));
    json_decref(doc);
    free(path);
    path = test_circle_path(W->circle, "/export/roster.pdf");
    expect_error(path, W->site.token, 400, "format");
    free(path);
    path = test_circle_path(W->circle, "/export/roster");
    expect_error(path, W->site.token, 400, "format");
    free(path);
    path = test_circle_path(99999, "/export/roster.csv");
    expect_error(path, W->site.token, 404, NULL);
    free(path);
    /* a token for another circle, and none */
    empty = test_site_circle(&W->site,
                             "{\"title\":\"Other\",\"time_zone\":\"UTC\","
                             "\"start_date\":\"2027-03-22\",\"weeks\":1,"
                             "\"group_size\":{\"min\":2,\"max\":8},\"slots\":[{"
                             "\"weekday\":\"monday\",\"start\":\"10:00\","
                             "\"minutes\":60}]}",
                             NULL);
    assert_true(empty > 0);
    other = test_site_token(&W->site, "coordinator", empty, 0);
    assert_non_null(other);
    /* a circle with nobody yet: its header alone, for its own token */
    path = test_circle_path(empty, "/export/attendance.csv");
    assert_int_equal(
        test_http(&resp, W->site.d.port, "GET", path, other, NULL, NULL), 0);
    assert_int_equal(resp.status, 200);
    assert_string_equal(resp.body, "ID,Name,Email,Group,Role,Status,Week 1,"
                                   "Calls attended,Group calls,Plenary "
                                   "calls,Hours\r\n");
    test_response_release(&resp);
    free(path);
    path = test_circle_path(W->circle, "/export/roster.csv");
    expect_error(path, other, 403, NULL);
    expect_error(path, NULL, 401, NULL);
    free(path);
    free(other);
    /* the CLI names the kinds, and the circle it does not know */
    snprintf(circle, sizeof(circle), "%lld", W->circle);
    assert_int_equal(test_run_cli(&out, &err, argv, NULL), 2);
    assert_string_equal(out, "");
    assert_non_null(strstr(err, "roster, groups, attendance, rsvps, report"));
    free(out);
    free(err);
    assert_int_equal(test_run_cli(&out, &err, none, NULL), 1);
    assert_non_null(strstr(err, "no circle 99999"));
    free(out);
    free(err);
}

/* `mingle export` with its output on a terminal (a pseudo-terminal):
 * what it wrote there, and its exit status in *status. */
static char *run_on_tty(int *status, const char *format)
{
    char circle[32], chunk[4096];
    struct mg_buf out = MG_BUF_INIT;
    int master, wstatus = 0;
    ssize_t got;
    pid_t pid;

    snprintf(circle, sizeof(circle), "%lld", W->circle);
    pid = forkpty(&master, NULL, NULL, NULL);
    assert_true(pid >= 0);
    if (pid == 0) {
        execl(MINGLE_BIN, "mingle", "export", "--db", W->site.db, "--circle",
              circle, "--what", "groups", "--format", format, (char *)NULL);
        _exit(127);
    }
    for (;;) {
        got = read(master, chunk, sizeof(chunk));
        if (got > 0)
            mg_buf_add(&out, chunk, (size_t)got);
        else if (got < 0 && errno == EINTR)
            continue;
        else
            break;
    }
    close(master);
    waitpid(pid, &wstatus, 0);
    *status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
    mg_buf_add(&out, "", 1);
    return out.data;
}

/* A workbook is never written to a terminal; CSV is. */
static void test_no_workbook_on_a_terminal(void **state)
{
    int status = -1;
    char *text;

    (void)state;
    text = run_on_tty(&status, "xlsx");
    assert_int_equal(status, 2);
    assert_non_null(strstr(text, "not writing a workbook to a terminal"));
    assert_null(strstr(text, "PK")); /* no zip bytes */
    free(text);
    text = run_on_tty(&status, "csv");
    assert_int_equal(status, 0);
    assert_non_null(strstr(text, "Group,Slot,Time zone"));
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record),
        cmocka_unit_test(test_every_kind_agrees),
        cmocka_unit_test(test_attendance_matrix),
        cmocka_unit_test(test_report_figures),
        cmocka_unit_test(test_roster_groups_rsvps),
        cmocka_unit_test(test_formula_injection),
        cmocka_unit_test(test_dashboard_downloads),
        cmocka_unit_test(test_audited),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_no_workbook_on_a_terminal),
    };
    static const char *const shared[] = {"test_record",
                                         "test_every_kind_agrees",
                                         "test_attendance_matrix",
                                         "test_report_figures",
                                         "test_roster_groups_rsvps",
                                         "test_formula_injection",
                                         "test_dashboard_downloads",
                                         NULL};

    return test_run_group_shared(tests, shared, setup_world, teardown_world);
}
