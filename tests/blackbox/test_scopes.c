/*
 * test_scopes.c: the access model against a real `mingle serve`. One
 * table row per route of http_routes[] (the test fails when a route has
 * no row, or a row no route) says what each credential gets: no token,
 * a malformed, a wrong and a revoked one, a coordinator of every circle,
 * coordinators of circle A and of circle B, the facilitators of groups A1
 * and A2, and a participant of A. Then what the narrowed routes show
 * (notes, the review queue, the circle list, the audit log), the audit
 * log's rows, secrets kept out of the log, and the limiter of failed
 * credentials per client address (behind a trusted proxy too).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "../../src/http/internal.h"
#include "mingle/store.h"
#include "support.h"

#define MIME_SECRET "scopes-mime-secret-5f3a9c"
#define WRONG_TOKEN "mgt_0123456789abcdef_0123456789abcdef0123456789abcdef"
#define WRONG_COOKIE "0123456789abcdef_fedcba9876543210fedcba9876543210"
#define RANDOM_SECRET "0123456789abcdef0123456789abcdef0123456789abcdef"

static const char circle_a_json[] =
    "{\"title\":\"Circle A\",\"time_zone\":\"Pacific/Auckland\","
    "\"start_date\":\"2030-03-05\",\"weeks\":4,\"group_size\":{\"min\":5,"
    "\"max\":7},\"slots\":[{\"weekday\":\"tuesday\",\"start\":\"19:30\","
    "\"minutes\":60}],\"organizer\":{\"name\":\"Coordinators\",\"email\":"
    "\"circles@example.org\"}}";

static const char circle_b_json[] =
    "{\"title\":\"Circle B\",\"time_zone\":\"UTC\",\"start_date\":"
    "\"2030-03-04\",\"weeks\":3,\"slots\":[{\"weekday\":\"monday\","
    "\"start\":\"12:00\",\"minutes\":30}]}";

static const char book[] = "# Thread: Mission\n\n## One\n\nwords here\n\n"
                           "# Thread: Communities\n\n## Two\n\nmore words\n";

/* The credentials, in the order of a row's expectations. */
enum cred {
    C_NONE,
    C_MALFORMED,
    C_WRONG,
    C_REVOKED,
    C_ADMIN,
    C_COORD_A,
    C_COORD_B,
    C_FAC_A1,
    C_FAC_A2,
    C_PART_A,
    N_CREDS
};

static const char *const cred_names[N_CREDS] = {
    "none",   "malformed", "wrong", "revoked", "admin",
    "coordA", "coordB",    "facA1", "facA2",   "partA"};

struct world {
    struct test_site site;
    char *token[N_CREDS];  /* bearer tokens (NULL: none) */
    char *cookie[N_CREDS]; /* dashboard session cookies, "name=value" */
    char *csrf[N_CREDS];   /* each session's CSRF token */
    long long a, b;        /* circles */
    long long g1, g2;      /* circle A's groups */
    long long f1;          /* A1's facilitator: the page secret's */
    long long p1;          /* a participant in A1: the feed secret's */
    long long pm;          /* whose feed and page the matrix mints */
    long long tp, tw;      /* added after planning: to delete, to withdraw */
    long long reg;         /* registered for the plenary */
    long long session, plenary;
    long long n1, r1, r1b, r1c, r2; /* notes: published, review */
    char feed[49], page[49], atom[49];
};

static struct world *W;

/* --- requests ---------------------------------------------------------- */

static char *vformat(const char *fmt, va_list ap)
{
    va_list copy;
    char *s;
    int n;

    va_copy(copy, ap);
    n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    s = mg_xmalloc((size_t)n + 1);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

static char *format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *format(const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    s = vformat(fmt, ap);
    va_end(ap);
    return s;
}

/* One request as `token` (may be NULL) with `extra` headers; the status,
 * the body parsed as JSON if it is JSON (else NULL). */
static json_t *request(long *status, char **headers, const char *token,
                       const char *const *extra, const char *method,
                       const char *path, const char *body, const char *ctype)
{
    return test_call_json_ex(status, headers, W->site.d.port, token, extra,
                             method, path, body, body ? strlen(body) : 0,
                             ctype);
}

static json_t *call(long *status, enum cred c, const char *method,
                    const char *path, const char *body)
{
    return request(status, NULL, W->token[c], NULL, method, path, body, NULL);
}

/* A request that must answer `want`; its JSON (may be NULL). */
static json_t *expect(long want, enum cred c, const char *method,
                      const char *path, const char *body)
{
    long status;
    json_t *doc = call(&status, c, method, path, body);

    if (status != want)
        fail_msg("%s %s as %s: %ld, not %ld", method, path, cred_names[c],
                 status, want);
    return doc;
}

/* The value of the last header `name` (case-insensitive), or NULL. */
static char *header(const char *headers, const char *name)
{
    const char *p = headers, *hit = NULL;
    size_t n = strlen(name);

    while (p && *p) {
        if (strncasecmp(p, name, n) == 0 && p[n] == ':')
            hit = p + n + 1;
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    if (!hit)
        return NULL;
    while (*hit == ' ')
        hit++;
    return mg_xstrndup(hit, strcspn(hit, "\r\n"));
}

/* The 48 hex characters after `marker` in a minted URL. */
static void secret_of_url(char *out, const char *url, const char *marker)
{
    const char *p = url ? strstr(url, marker) : NULL;

    assert_non_null(p);
    p += strlen(marker);
    assert_true(strspn(p, "0123456789abcdef") >= 48);
    memcpy(out, p, 48);
    out[48] = '\0';
}

static char *mint(const char *path, const char *marker, char *out)
{
    json_t *doc = expect(201, C_ADMIN, "POST", path, NULL);

    secret_of_url(out, json_string_value(json_object_get(doc, "url")), marker);
    json_decref(doc);
    return out;
}

/* The ids of a list's items whose field `key` is an array of objects. */
static size_t ids_of(long long *out, size_t max, json_t *doc, const char *key)
{
    json_t *list = json_object_get(doc, key), *item;
    size_t i, n = 0;

    json_array_foreach(list, i, item)
    {
        if (n < max)
            out[n] = json_integer_value(json_object_get(item, "id"));
        n++;
    }
    return n;
}

/* --- the world --------------------------------------------------------- */

static long long add_note(struct mg_store *st, long long group,
                          const char *status, const char *message_id)
{
    struct mg_note n;
    int64_t id = 0;
    int dup = -1;

    memset(&n, 0, sizeof(n));
    n.circle_id = W->a;
    n.group_id = group;
    n.week = 1;
    snprintf(n.kind, sizeof(n.kind), "note");
    assert_int_equal(mg_store_note_status_parse(&n.status, status), 0);
    n.provider = (char *)"mime";
    n.event_id = (char *)message_id;
    n.message_id = (char *)message_id;
    n.from_name = (char *)"Stranger";
    n.from_email = (char *)"stranger@example.net";
    n.subject = (char *)"Week one";
    n.body = (char *)"We read two chapters.";
    n.full_text = n.body;
    if (strcmp(status, "review") == 0)
        n.review_reason = (char *)"sender not in the group";
    n.sent_at = 1898926200;
    n.received_at = n.sent_at + 60;
    assert_int_equal(mg_store_note_insert(&id, &dup, st, &n), 0);
    assert_int_equal(dup, 0);
    return id;
}

/* Log `c` in to the dashboard; keeps its cookie and CSRF token. */
static void dash_login(enum cred c)
{
    assert_int_equal(test_site_dashboard_login(&W->site, W->token[c],
                                               &W->cookie[c], &W->csrf[c],
                                               NULL),
                     303);
    assert_non_null(W->cookie[c]);
    assert_non_null(W->csrf[c]);
}

/* The public id of a token: the 16 hex characters after "mgt_". */
static char *public_id(const char *token)
{
    return mg_xstrndup(token + 4, MG_TOKEN_ID_LEN);
}

static void make_people(void)
{
    struct mg_buf csv = MG_BUF_INIT;
    char *path;
    json_t *doc, *list, *p;
    long status;
    size_t i;
    int k;

    mg_buf_puts(&csv, "name,email,role,sector,region\n");
    for (k = 0; k < 12; k++)
        mg_buf_printf(&csv, "Person %02d,p%02d@example.org,%s,%s,%s\n", k, k,
                      k < 2 ? "facilitator" : "participant",
                      k % 2 ? "public" : "academic", k % 3 ? "North" : "South");
    path = format("/api/v1/circles/%lld/participants", W->a);
    doc = request(&status, NULL, W->token[C_ADMIN], NULL, "POST", path,
                  csv.data, "text/csv");
    assert_int_equal(status, 201);
    json_decref(doc);
    mg_buf_release(&csv);
    free(path);

    path = format("/api/v1/circles/%lld/groups/plan?seed=7", W->a);
    json_decref(expect(201, C_ADMIN, "POST", path, NULL));
    free(path);
    path = format("/api/v1/circles/%lld/groups", W->a);
    doc = expect(200, C_ADMIN, "GET", path, NULL);
    free(path);
    list = json_object_get(doc, "groups");
    assert_int_equal(json_array_size(list), 2);
    W->g1 = json_integer_value(json_object_get(json_array_get(list, 0), "id"));
    W->g2 = json_integer_value(json_object_get(json_array_get(list, 1), "id"));
    json_decref(doc);

    /* Two more, after planning: one to delete, one to withdraw. */
    path = format("/api/v1/circles/%lld/participants", W->a);
    json_decref(expect(201, C_ADMIN, "POST", path,
                       "[{\"name\":\"Throw Away\",\"email\":"
                       "\"throw@example.org\"},{\"name\":\"Will Withdraw\","
                       "\"email\":\"withdraw@example.org\"}]"));
    doc = expect(200, C_ADMIN, "GET", path, NULL);
    free(path);
    list = json_object_get(doc, "participants");
    json_array_foreach(list, i, p)
    {
        const char *email = json_string_value(json_object_get(p, "email"));
        const char *role = json_string_value(json_object_get(p, "role"));
        long long id = json_integer_value(json_object_get(p, "id"));
        long long group = json_integer_value(json_object_get(p, "group_id"));

        if (strcmp(email, "throw@example.org") == 0)
            W->tp = id;
        else if (strcmp(email, "withdraw@example.org") == 0)
            W->tw = id;
        else if (strcmp(role, "facilitator") == 0 && group == W->g1)
            W->f1 = id;
        else if (strcmp(role, "participant") == 0 && group == W->g1 && !W->p1)
            W->p1 = id;
        else if (strcmp(role, "participant") == 0 && group == W->g2 && !W->pm)
            W->pm = id;
        else if (strcmp(role, "participant") == 0 && group == W->g2 && !W->reg)
            W->reg = id;
    }
    json_decref(doc);
    assert_true(W->tp && W->tw && W->f1 && W->p1 && W->pm && W->reg);
}

static void make_circle_a(void)
{
    struct mg_store_options opt = {1, 5000};
    struct mg_error err = {{0}, {0}};
    struct mg_store *st = NULL;
    char *path, *body, *auth;
    const char *extra[2] = {NULL, NULL};
    long status;
    json_t *doc;

    doc = expect(201, C_ADMIN, "POST", "/api/v1/circles", circle_a_json);
    W->a = json_integer_value(json_object_get(doc, "id"));
    json_decref(doc);
    path = format("/api/v1/circles/%lld/book", W->a);
    doc = request(&status, NULL, W->token[C_ADMIN], NULL, "POST", path, book,
                  "text/markdown");
    assert_int_equal(status, 201);
    json_decref(doc);
    free(path);
    make_people();

    path = format("/api/v1/circles/%lld/sessions", W->a);
    doc = expect(200, C_ADMIN, "GET", path, NULL);
    W->session = json_integer_value(json_object_get(
        json_array_get(json_object_get(doc, "sessions"), 0), "id"));
    assert_true(W->session > 0);
    json_decref(doc);
    free(path);

    path = format("/api/v1/circles/%lld/plenaries", W->a);
    doc = expect(201, C_ADMIN, "POST", path,
                 "{\"title\":\"Kick-off\",\"start\":\"2030-03-12T19:30\","
                 "\"minutes\":90,\"capacity\":5}");
    W->plenary = json_integer_value(json_object_get(doc, "id"));
    json_decref(doc);
    free(path);
    path = format("/api/v1/circles/%lld/plenaries/%lld/registrations", W->a,
                  W->plenary);
    body = format("{\"participant_id\":%lld}", W->reg);
    json_decref(expect(200, C_ADMIN, "POST", path, body));
    free(body);
    free(path);

    /* The secret URLs: a participant's feed, A1's facilitator's page,
     * group A1's notes feed. */
    path = format("/api/v1/circles/%lld/participants/%lld/feed", W->a, W->p1);
    mint(path, "/cal/", W->feed);
    free(path);
    path = format("/api/v1/circles/%lld/participants/%lld/page", W->a, W->f1);
    mint(path, "/p/", W->page);
    free(path);
    path = format("/api/v1/circles/%lld/groups/%lld/notes-feed", W->a, W->g1);
    mint(path, "/notes/", W->atom);
    free(path);

    /* Notes as filing writes them: one published in A1, reviews in both. */
    assert_int_equal(mg_store_open(&st, W->site.db, &opt, &err), 0);
    W->n1 = add_note(st, W->g1, "published", "<n1@example.net>");
    W->r1 = add_note(st, W->g1, "review", "<r1@example.net>");
    W->r1b = add_note(st, W->g1, "review", "<r1b@example.net>");
    W->r1c = add_note(st, W->g1, "review", "<r1c@example.net>");
    W->r2 = add_note(st, W->g2, "review", "<r2@example.net>");
    mg_store_close(st);

    /* And one through the mime webhook with its secret (HTTP Basic). */
    {
        char *b64 = NULL;
        static const char user_pass[] = "mingle:" MIME_SECRET;
        static const char alphabet[] =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        size_t len = strlen(user_pass), i, o = 0;

        b64 = mg_xmalloc(4 * ((len + 2) / 3) + 1);
        for (i = 0; i < len; i += 3) {
            unsigned v = (unsigned char)user_pass[i] << 16;
            if (i + 1 < len)
                v |= (unsigned char)user_pass[i + 1] << 8;
            if (i + 2 < len)
                v |= (unsigned char)user_pass[i + 2];
            b64[o++] = alphabet[(v >> 18) & 63];
            b64[o++] = alphabet[(v >> 12) & 63];
            b64[o++] = i + 1 < len ? alphabet[(v >> 6) & 63] : '=';
            b64[o++] = i + 2 < len ? alphabet[v & 63] : '=';
        }
        b64[o] = '\0';
        auth = format("Authorization: Basic %s", b64);
        free(b64);
    }
    extra[0] = auth;
    doc = request(&status, NULL, NULL, extra, "POST", "/hooks/mail/mime",
                  "From: Stranger <stranger@example.net>\r\n"
                  "To: nobody@example.org\r\n"
                  "Message-ID: <hook1@example.net>\r\n"
                  "Subject: hello\r\n\r\nhello\r\n",
                  "message/rfc822");
    if (status != 200)
        fail_msg("the mime webhook with its secret: %ld", status);
    json_decref(doc);
    free(auth);
}

static int setup_world(void **state)
{
    struct world *w = mg_xcalloc(1, sizeof(*w));
    static const char *const env[] = {
        /* the matrix fails credentials on purpose, hundreds of times */
        "MINGLE_AUTH_FAIL_LIMIT=100000", "MINGLE_MIME_SECRET=" MIME_SECRET,
        "MINGLE_OUTBOX_INTERVAL=1", NULL};
    const struct test_site_opts opts = {.maildir = 1, .env = env};
    char *revoked_id, *out = NULL;
    long long b;

    w->token[C_MALFORMED] = mg_xstrdup("mgt_not-a-token");
    w->token[C_WRONG] = mg_xstrdup(WRONG_TOKEN);
    if (test_site_init(&w->site, "scopes.db") < 0)
        return -1;
    w->token[C_ADMIN] = mg_xstrdup(w->site.token);
    w->token[C_REVOKED] = test_site_token(&w->site, "coordinator", 0, 0);
    if (!w->token[C_REVOKED] || test_site_serve(&w->site, &opts) < 0)
        return -1;
    W = w;
    *state = w;

    make_circle_a();
    {
        json_t *doc =
            expect(201, C_ADMIN, "POST", "/api/v1/circles", circle_b_json);
        b = json_integer_value(json_object_get(doc, "id"));
        json_decref(doc);
    }
    w->b = b;
    w->token[C_COORD_A] = test_site_token(&w->site, "coordinator", w->a, 0);
    w->token[C_COORD_B] = test_site_token(&w->site, "coordinator", w->b, 0);
    w->token[C_FAC_A1] = test_site_token(&w->site, "facilitator", w->a, w->g1);
    w->token[C_FAC_A2] = test_site_token(&w->site, "facilitator", w->a, w->g2);
    w->token[C_PART_A] = test_site_token(&w->site, "participant", w->a, 0);
    assert_non_null(w->token[C_COORD_A]);
    assert_non_null(w->token[C_COORD_B]);
    assert_non_null(w->token[C_FAC_A1]);
    assert_non_null(w->token[C_FAC_A2]);
    assert_non_null(w->token[C_PART_A]);

    /* Dashboard sessions: the coordinators', and one whose token is
     * revoked after it logged in. */
    dash_login(C_ADMIN);
    dash_login(C_COORD_A);
    dash_login(C_COORD_B);
    dash_login(C_REVOKED);
    revoked_id = public_id(w->token[C_REVOKED]);
    {
        const char *argv[] = {"token",    "revoke",   "--db",
                              w->site.db, revoked_id, NULL};
        assert_int_equal(test_run_cli(&out, NULL, argv, NULL), 0);
    }
    free(out);
    free(revoked_id);
    w->cookie[C_MALFORMED] = mg_xstrdup("mingle_session=garbage");
    w->cookie[C_WRONG] = mg_xstrdup("mingle_session=" WRONG_COOKIE);
    return 0;
}

static int teardown_world(void **state)
{
    struct world *w = *state;
    int c;

    test_site_stop(&w->site, SIGTERM);
    for (c = 0; c < N_CREDS; c++) {
        free(w->token[c]);
        free(w->cookie[c]);
        free(w->csrf[c]);
    }
    free(w);
    return 0;
}

/* --- the matrix -------------------------------------------------------- */

/*
 * What a credential gets, one letter per credential in enum cred's order
 * (none, malformed, wrong, revoked, admin, coordA, coordB, facA1, facA2,
 * partA):
 *   U 401            F 403            N 404
 *   O 200            B 400
 *   A allowed: neither 401 nor 403 nor 429, below 500 (a 404, 409 or
 *     422 from validation is fine: bodies are cheap or invalid on
 *     purpose so the fixture survives)
 *   S the right secret: allowed, and not 404 either
 *   R 303 to /dashboard/login    D 303 to /dashboard
 */
#define PUBLIC_ "OOOOOOOOOO"
#define ADMIN__ "UUUUAFFFFF"
#define COORD_A "UUUUAAFFFF" /* coordinator, on a circle A path */
#define COORD__ "UUUUAAAFFF" /* coordinator, on a path without a circle */
#define NOTES_A "UUUUAAFAAF"
#define NOTE_A1 "UUUUAAFAFF" /* one of A1's notes; group A1 */
#define REVIEW_ "UUUUAAAAAF"
#define MEMBER_ "UUUUAAFAAA"
#define SECRET_ "OOOOOOOOOO"
#define SECRETP "SSSSSSSSSS"
#define NO_PAGE "NNNNNNNNNN"
#define HOOK401 "UUUUUUUUUU"
#define DASH___ "RRRROOORRR"
#define DASH_AG "RRRROOFRRR" /* GET of circle A's dashboard */
#define DASH_AP "RRRRAAFRRR" /* POST to circle A's dashboard */
#define LOGINF_ "OOOODDDOOO" /* the form; a live session goes home */
#define LOGIN__ "BFFFAAAFFF"
#define LOGOUT_ "RRRRAAARRR"

struct row {
    const char *method, *pattern;
    enum auth_need auth;
    const char *path; /* {a} {b} {g1} {g2} {p1} {pm} {tp} {tw} {reg} {s}
                         {pl} {n1} {r1} {r1b} {feed} {page} {atom} {rand}
                         {csrf} {token} */
    const char *body; /* NULL for none */
    const char *ctype;
    const char *expect;
    const char *alt_path; /* another path (a guessed secret), or NULL */
    const char *alt_expect;
    int last; /* run after every other row: it ends something */
};

#define JSON "application/json"
#define FORM "application/x-www-form-urlencoded"
#define CA "/api/v1/circles/{a}"

static const struct row rows[] = {
    {"GET", "/healthz", AUTH_PUBLIC, "/healthz", NULL, NULL, PUBLIC_, NULL,
     NULL, 0},
    {"GET", "/metrics", AUTH_PUBLIC, "/metrics", NULL, NULL, PUBLIC_, NULL,
     NULL, 0},
    {"GET", "/api/v1/circles", AUTH_COORDINATOR, "/api/v1/circles", NULL, NULL,
     COORD__, NULL, NULL, 0},
    {"POST", "/api/v1/circles", AUTH_ADMIN, "/api/v1/circles", "{}", JSON,
     ADMIN__, NULL, NULL, 0},
    {"GET", "/api/v1/circles/{id}", AUTH_MEMBER, CA, NULL, NULL, MEMBER_, NULL,
     NULL, 0},
    {"PUT", "/api/v1/circles/{id}", AUTH_COORDINATOR, CA, "{}", JSON, COORD_A,
     NULL, NULL, 0},
    {"PATCH", "/api/v1/circles/{id}", AUTH_COORDINATOR, CA, "{\"bogus\":1}",
     JSON, COORD_A, NULL, NULL, 0},
    {"DELETE", "/api/v1/circles/{id}", AUTH_COORDINATOR, CA, NULL, NULL,
     COORD_A, NULL, NULL, 1},
    {"POST", "/api/v1/circles/{id}/book", AUTH_COORDINATOR, CA "/book?weeks=0",
     "x", "application/x-bogus", COORD_A, NULL, NULL, 0},
    {"PUT", "/api/v1/circles/{id}/book", AUTH_COORDINATOR, CA "/book?weeks=0",
     "x", "application/x-bogus", COORD_A, NULL, NULL, 0},
    {"GET", "/api/v1/circles/{id}/book", AUTH_MEMBER, CA "/book", NULL, NULL,
     MEMBER_, NULL, NULL, 0},
    {"GET", "/api/v1/circles/{id}/threads", AUTH_MEMBER, CA "/threads", NULL,
     NULL, MEMBER_, NULL, NULL, 0},
    {"GET", "/api/v1/circles/{id}/readings", AUTH_MEMBER, CA "/readings", NULL,
     NULL, MEMBER_, NULL, NULL, 0},
    {"POST", "/api/v1/circles/{id}/participants", AUTH_COORDINATOR,
     CA "/participants", "{", JSON, COORD_A, NULL, NULL, 0},
    {"GET", "/api/v1/circles/{id}/participants", AUTH_COORDINATOR,
     CA "/participants", NULL, NULL, COORD_A, NULL, NULL, 0},
    {"GET", "/api/v1/circles/{id}/participants/{id}", AUTH_COORDINATOR,
     CA "/participants/{p1}", NULL, NULL, COORD_A, NULL, NULL, 0},
    {"PATCH", "/api/v1/circles/{id}/participants/{id}", AUTH_COORDINATOR,
     CA "/participants/{p1}", "{\"bogus\":1}", JSON, COORD_A, NULL, NULL, 0},
    {"DELETE", "/api/v1/circles/{id}/participants/{id}", AUTH_COORDINATOR,
     CA "/participants/{tp}", NULL, NULL, COORD_A, NULL, NULL, 0},
    {"GET", "/api/v1/circles/{id}/participants/{id}/export", AUTH_COORDINATOR,
     CA "/participants/{p1}/export", NULL, NULL, COORD_A, NULL, NULL, 0},
    {"POST", "/api/v1/circles/{id}/participants/{id}/withdraw",
     AUTH_COORDINATOR, CA "/participants/{tw}/withdraw", NULL, NULL, COORD_A,
     NULL, NULL, 0},
    {"GET", "/api/v1/circles/{id}/signup", AUTH_COORDINATOR, CA "/signup", NULL,
     NULL, COORD_A, NULL, NULL, 0},
    {"PUT", "/api/v1/circles/{id}/signup", AUTH_COORDINATOR, CA "/signup",
     "{\"bogus\":1}", JSON, COORD_A, NULL, NULL, 0},
    {"GET", "/api/v1/circles/{id}/cpd", AUTH_COORDINATOR, CA "/cpd", NULL, NULL,
     COORD_A, NULL, NULL, 0},
    {"PUT", "/api/v1/circles/{id}/cpd", AUTH_COORDINATOR, CA "/cpd",
     "{\"bogus\":1}", JSON, COORD_A, NULL, NULL, 0},
    {"GET", "/api/v1/circles/{id}/survey", AUTH_COORDINATOR, CA "/survey", NULL,
     NULL, COORD_A, NULL, NULL, 0},
    {"PUT", "/api/v1/circles/{id}/survey", AUTH_COORDINATOR, CA "/survey",
     "{\"bogus\":1}", JSON, COORD_A, NULL, NULL, 0},
    {"GET", "/api/v1/circles/{id}/move-requests", AUTH_COORDINATOR,
     CA "/move-requests", NULL, NULL, COORD_A, NULL, NULL, 0},
    {"POST", "/api/v1/circles/{id}/move-requests/{id}/dismiss",
     AUTH_COORDINATOR, CA "/move-requests/999/dismiss", NULL, NULL, COORD_A,
     NULL, NULL, 0},
    {"POST", "/api/v1/circles/{id}/groups/plan", AUTH_COORDINATOR,
     CA "/groups/plan?dry_run=1", NULL, NULL, COORD_A, NULL, NULL, 0},
    {"POST", "/api/v1/circles/{id}/groups/rebalance", AUTH_COORDINATOR,
     CA "/groups/rebalance?dry_run=1", NULL, NULL, COORD_A, NULL, NULL, 0},
    {"GET", "/api/v1/circles/{id}/groups", AUTH_COORDINATOR, CA "/groups", NULL,
     NULL, COORD_A, NULL, NULL, 0},
    {"GET", "/api/v1/circles/{id}/groups/{id}", AUTH_GROUP, CA "/groups/{g1}",
     NULL, NULL, NOTE_A1, NULL, NULL, 0},
    {"PATCH", "/api/v1/circles/{id}/groups/{id}", AUTH_COORDINATOR,
     CA "/groups/{g1}", "{\"bogus\":1}", JSON, COORD_A, NULL, NULL, 0},
    {"POST", "/api/v1/circles/{id}/groups/{id}/members", AUTH_COORDINATOR,
     CA "/groups/{g1}/members", "{}", JSON, COORD_A, NULL, NULL, 0},
    {"GET", "/cal/{feed}", AUTH_SELF, "/cal/{feed}.ics", NULL, NULL, SECRET_,
     "/cal/{rand}.ics", NO_PAGE, 0},
    {"POST", "/api/v1/circles/{id}/participants/{id}/feed", AUTH_COORDINATOR,
     CA "/participants/{pm}/feed", NULL, NULL, COORD_A, NULL, NULL, 0},
    {"POST", "/api/v1/circles/{id}/groups/{id}/feed", AUTH_COORDINATOR,
     CA "/groups/{g2}/feed", NULL, NULL, COORD_A, NULL, NULL, 0},
    {"PATCH", "/api/v1/circles/{id}/groups/{id}/series", AUTH_COORDINATOR,
     CA "/groups/{g1}/series", "{\"bogus\":1}", JSON, COORD_A, NULL, NULL, 0},
    {"POST", "/api/v1/circles/{id}/invites", AUTH_COORDINATOR, CA "/invites",
     NULL, NULL, COORD_A, NULL, NULL, 0},
    {"GET", "/api/v1/circles/{id}/sessions", AUTH_COORDINATOR, CA "/sessions",
     NULL, NULL, COORD_A, NULL, NULL, 0},
    {"PATCH", "/api/v1/circles/{id}/sessions/{id}", AUTH_COORDINATOR,
     CA "/sessions/{s}", "{\"bogus\":1}", JSON, COORD_A, NULL, NULL, 0},
    {"POST", "/api/v1/circles/{id}/sessions/{id}/attendance", AUTH_COORDINATOR,
     CA "/sessions/{s}/attendance", "x", "application/x-bogus", COORD_A, NULL,
     NULL, 0},
    {"GET", "/api/v1/circles/{id}/sessions/{id}/attendance", AUTH_COORDINATOR,
     CA "/sessions/{s}/attendance", NULL, NULL, COORD_A, NULL, NULL, 0},
    {"GET", "/api/v1/circles/{id}/sessions/{id}/rsvps", AUTH_COORDINATOR,
     CA "/sessions/{s}/rsvps", NULL, NULL, COORD_A, NULL, NULL, 0},
    {"GET", "/api/v1/circles/{id}/outbox", AUTH_COORDINATOR, CA "/outbox", NULL,
     NULL, COORD_A, NULL, NULL, 0},
    {"GET", "/api/v1/circles/{id}/report", AUTH_COORDINATOR, CA "/report", NULL,
     NULL, COORD_A, NULL, NULL, 0},
    {"GET", "/api/v1/circles/{id}/export/{file}", AUTH_COORDINATOR,
     CA "/export/roster.csv", NULL, NULL, COORD_A, NULL, NULL, 0},
    {"POST", "/api/v1/circles/{id}/plenaries", AUTH_COORDINATOR,
     CA "/plenaries", "{}", JSON, COORD_A, NULL, NULL, 0},
    {"GET", "/api/v1/circles/{id}/plenaries", AUTH_MEMBER, CA "/plenaries",
     NULL, NULL, MEMBER_, NULL, NULL, 0},
    {"PATCH", "/api/v1/circles/{id}/plenaries/{id}", AUTH_COORDINATOR,
     CA "/plenaries/{pl}", "{\"bogus\":1}", JSON, COORD_A, NULL, NULL, 0},
    {"GET", "/api/v1/circles/{id}/plenaries/{id}/rsvps", AUTH_COORDINATOR,
     CA "/plenaries/{pl}/rsvps", NULL, NULL, COORD_A, NULL, NULL, 0},
    {"POST", "/api/v1/circles/{id}/plenaries/{id}/registrations",
     AUTH_COORDINATOR, CA "/plenaries/{pl}/registrations",
     "{\"participant_id\":0}", JSON, COORD_A, NULL, NULL, 0},
    {"POST", "/api/v1/circles/{id}/plenaries/{id}/registrations/{id}/decline",
     AUTH_COORDINATOR, CA "/plenaries/{pl}/registrations/{reg}/decline", NULL,
     NULL, COORD_A, NULL, NULL, 0},
    {"POST", "/api/v1/circles/{id}/plenaries/{id}/registrations/{id}/withdraw",
     AUTH_COORDINATOR, CA "/plenaries/{pl}/registrations/{reg}/withdraw", NULL,
     NULL, COORD_A, NULL, NULL, 0},
    {"GET", "/api/v1/circles/{id}/plenaries/{id}", AUTH_COORDINATOR,
     CA "/plenaries/{pl}", NULL, NULL, COORD_A, NULL, NULL, 0},
    {"POST", "/api/v1/circles/{id}/plenaries/{id}/weeks/{id}/attendance",
     AUTH_COORDINATOR, CA "/plenaries/{pl}/weeks/1/attendance", "x", "text/csv",
     COORD_A, NULL, NULL, 0},
    {"GET", "/api/v1/circles/{id}/plenaries/{id}/weeks/{id}/attendance",
     AUTH_COORDINATOR, CA "/plenaries/{pl}/weeks/1/attendance", NULL, NULL,
     COORD_A, NULL, NULL, 0},
    {"POST", "/api/v1/circles/{id}/plenaries/{id}/cancel", AUTH_COORDINATOR,
     CA "/plenaries/{pl}/cancel", NULL, NULL, COORD_A, NULL, NULL, 0},
    {"GET", "/api/v1/audit", AUTH_COORDINATOR, "/api/v1/audit", NULL, NULL,
     COORD__, NULL, NULL, 0},
    {"GET", "/api/v1/circles/{id}/reminders", AUTH_COORDINATOR, CA "/reminders",
     NULL, NULL, COORD_A, NULL, NULL, 0},
    {"PUT", "/api/v1/circles/{id}/reminders", AUTH_COORDINATOR, CA "/reminders",
     "{\"bogus\":1}", JSON, COORD_A, NULL, NULL, 0},
    {"GET", "/api/v1/circles/{id}/jobs", AUTH_COORDINATOR, CA "/jobs", NULL,
     NULL, COORD_A, NULL, NULL, 0},
    {"GET", "/api/v1/circles/{id}/retention", AUTH_COORDINATOR, CA "/retention",
     NULL, NULL, COORD_A, NULL, NULL, 0},
    {"PUT", "/api/v1/circles/{id}/retention", AUTH_COORDINATOR, CA "/retention",
     "{\"bogus\":1}", JSON, COORD_A, NULL, NULL, 0},
    {"GET", "/api/v1/circles/{id}/certificates", AUTH_COORDINATOR,
     CA "/certificates", NULL, NULL, COORD_A, NULL, NULL, 0},
    {"PUT", "/api/v1/circles/{id}/certificates", AUTH_COORDINATOR,
     CA "/certificates", "{\"bogus\":1}", JSON, COORD_A, NULL, NULL, 0},
    {"POST", "/hooks/mail/{name}", AUTH_SELF,
     "/hooks/mail/mime?secret=wrong-secret", "x", "message/rfc822", HOOK401,
     NULL, NULL, 0},
    {"GET", "/hooks/mail/{name}", AUTH_SELF, "/hooks/mail/mime", NULL, NULL,
     PUBLIC_, NULL, NULL, 0},
    {"GET", "/api/v1/circles/{id}/notes", AUTH_NOTES, CA "/notes", NULL, NULL,
     NOTES_A, NULL, NULL, 0},
    {"GET", "/api/v1/circles/{id}/notes/digest", AUTH_COORDINATOR,
     CA "/notes/digest", NULL, NULL, COORD_A, NULL, NULL, 0},
    {"GET", "/api/v1/notes/review", AUTH_NOTES, "/api/v1/notes/review", NULL,
     NULL, REVIEW_, NULL, NULL, 0},
    {"GET", "/api/v1/notes/{id}", AUTH_NOTES, "/api/v1/notes/{n1}", NULL, NULL,
     NOTE_A1, NULL, NULL, 0},
    {"POST", "/api/v1/notes/{id}/approve", AUTH_NOTES,
     "/api/v1/notes/{r1}/approve", NULL, NULL, NOTE_A1, NULL, NULL, 0},
    {"POST", "/api/v1/notes/{id}/reject", AUTH_NOTES,
     "/api/v1/notes/{r1b}/reject", NULL, NULL, NOTE_A1, NULL, NULL, 0},
    {"POST", "/api/v1/circles/{id}/groups/{id}/notes-feed", AUTH_COORDINATOR,
     CA "/groups/{g2}/notes-feed", NULL, NULL, COORD_A, NULL, NULL, 0},
    {"GET", "/notes/{atom}", AUTH_SELF, "/notes/{atom}.atom", NULL, NULL,
     SECRET_, "/notes/{rand}.atom", NO_PAGE, 0},
    {"GET", "/p/{page}", AUTH_SELF, "/p/{page}", NULL, NULL, SECRET_,
     "/p/{rand}", NO_PAGE, 0},
    {"POST", "/p/{page}/feed", AUTH_SELF, "/p/{page}/feed", "", FORM, SECRETP,
     "/p/{rand}/feed", NO_PAGE, 0},
    {"POST", "/p/{page}/rsvp", AUTH_SELF, "/p/{page}/rsvp", "answer=bogus",
     FORM, SECRETP, "/p/{rand}/rsvp", NO_PAGE, 0},
    {"POST", "/p/{page}/attendance", AUTH_SELF, "/p/{page}/attendance",
     "session=bogus", FORM, SECRETP, "/p/{rand}/attendance", NO_PAGE, 0},
    {"POST", "/p/{page}/plenary", AUTH_SELF, "/p/{page}/plenary",
     "plenary=bogus", FORM, SECRETP, "/p/{rand}/plenary", NO_PAGE, 0},
    {"POST", "/p/{page}/summary", AUTH_SELF, "/p/{page}/summary", "week=bogus",
     FORM, SECRETP, "/p/{rand}/summary", NO_PAGE, 0},
    {"POST", "/p/{page}/review", AUTH_SELF, "/p/{page}/review", "note=bogus",
     FORM, SECRETP, "/p/{rand}/review", NO_PAGE, 0},
    {"POST", "/p/{page}/reminders", AUTH_SELF, "/p/{page}/reminders",
     "reminders=bogus", FORM, SECRETP, "/p/{rand}/reminders", NO_PAGE, 0},
    /* issue #19 item 2: a certificate, when its person has one (this one
     * may not: a 404 "no certificate yet" is fine), and a code's check */
    {"GET", "/p/{page}/certificate.pdf", AUTH_SELF, "/p/{page}/certificate.pdf",
     NULL, NULL, "AAAAAAAAAA", "/p/{rand}/certificate.pdf", NO_PAGE, 0},
    {"GET", "/verify/{name}", AUTH_SELF, "/verify/3-0j38y-9vgmc", NULL, NULL,
     NO_PAGE, NULL, NULL, 0},
    {"GET", "/verify", AUTH_SELF, "/verify", NULL, NULL, PUBLIC_, NULL, NULL,
     0},
    {"GET", "/p/{page}/cpd.csv", AUTH_SELF, "/p/{page}/cpd.csv", NULL, NULL,
     SECRET_, "/p/{rand}/cpd.csv", NO_PAGE, 0},
    {"GET", "/p/{page}/cpd.xlsx", AUTH_SELF, "/p/{page}/cpd.xlsx", NULL, NULL,
     SECRET_, "/p/{rand}/cpd.xlsx", NO_PAGE, 0},
    /* a reminder's can't-come link: a wrong mac is nobody's */
    {"GET", "/r/{id}/{id}/{name}", AUTH_SELF,
     "/r/1/1/0123456789abcdef0123456789abcdef", NULL, NULL, NO_PAGE, NULL, NULL,
     0},
    {"POST", "/r/{id}/{id}/{name}", AUTH_SELF,
     "/r/1/1/0123456789abcdef0123456789abcdef", "", FORM, NO_PAGE, NULL, NULL,
     0},
    {"GET", "/s/{id}/{name}", AUTH_SELF,
     "/s/1/0123456789abcdef0123456789abcdef", NULL, NULL, NO_PAGE, NULL, NULL,
     0},
    {"POST", "/s/{id}/{name}", AUTH_SELF,
     "/s/1/0123456789abcdef0123456789abcdef", "", FORM, NO_PAGE, NULL, NULL, 0},
    {"POST", "/p/{page}/profile", AUTH_SELF, "/p/{page}/profile",
     "time_zone=Mars%2FOlympus", FORM, SECRETP, "/p/{rand}/profile", NO_PAGE,
     0},
    {"POST", "/p/{page}/note", AUTH_SELF, "/p/{page}/note", "week=bogus", FORM,
     SECRETP, "/p/{rand}/note", NO_PAGE, 0},
    /* without confirm=yes it only asks */
    {"POST", "/p/{page}/leave", AUTH_SELF, "/p/{page}/leave", "", FORM, SECRETP,
     "/p/{rand}/leave", NO_PAGE, 0},
    {"POST", "/p/{page}/register", AUTH_SELF, "/p/{page}/register",
     "plenary=bogus", FORM, SECRETP, "/p/{rand}/register", NO_PAGE, 0},
    {"POST", "/api/v1/circles/{id}/participants/{id}/page", AUTH_COORDINATOR,
     CA "/participants/{pm}/page", NULL, NULL, COORD_A, NULL, NULL, 0},
    /* the public sign-up page: anyone; no such circle here */
    {"GET", "/join/{name}", AUTH_SELF, "/join/nowhere", NULL, NULL, NO_PAGE,
     NULL, NULL, 0},
    {"POST", "/join/{name}", AUTH_SELF, "/join/nowhere", "name=x", FORM,
     NO_PAGE, NULL, NULL, 0},
    {"GET", "/join/{slug}/confirm/{page}", AUTH_SELF,
     "/join/nowhere/confirm/{rand}", NULL, NULL, NO_PAGE, NULL, NULL, 0},
    {"POST", "/join/{slug}/confirm/{page}", AUTH_SELF,
     "/join/nowhere/confirm/{rand}", "", FORM, NO_PAGE, NULL, NULL, 0},
    {"GET", "/dashboard", AUTH_SELF, "/dashboard", NULL, NULL, DASH___, NULL,
     NULL, 0},
    {"GET", "/dashboard/login", AUTH_SELF, "/dashboard/login", NULL, NULL,
     LOGINF_, NULL, NULL, 0},
    {"POST", "/dashboard/login", AUTH_SELF, "/dashboard/login", "token={token}",
     FORM, LOGIN__, NULL, NULL, 0},
    {"POST", "/dashboard/logout", AUTH_SELF, "/dashboard/logout", "csrf={csrf}",
     FORM, LOGOUT_, NULL, NULL, 1},
    {"GET", "/dashboard/circles/{id}", AUTH_SELF, "/dashboard/circles/{a}",
     NULL, NULL, DASH_AG, NULL, NULL, 0},
    {"POST", "/dashboard/circles/{id}/move", AUTH_SELF,
     "/dashboard/circles/{a}/move", "csrf={csrf}&participant_id=0&group_id=0",
     FORM, DASH_AP, NULL, NULL, 0},
    {"POST", "/dashboard/circles/{id}/signup", AUTH_SELF,
     "/dashboard/circles/{a}/signup", "csrf={csrf}&do=bogus", FORM, DASH_AP,
     NULL, NULL, 0},
    {"POST", "/dashboard/circles/{id}/cpd", AUTH_SELF,
     "/dashboard/circles/{a}/cpd", "csrf={csrf}&areas=bogus", FORM, DASH_AP,
     NULL, NULL, 0},
    {"POST", "/dashboard/circles/{id}/survey", AUTH_SELF,
     "/dashboard/circles/{a}/survey", "csrf={csrf}&do=bogus", FORM, DASH_AP,
     NULL, NULL, 0},
    {"POST", "/dashboard/circles/{id}/groups/{id}/call", AUTH_SELF,
     "/dashboard/circles/{a}/groups/{g1}/call", "csrf={csrf}&call_url=x", FORM,
     DASH_AP, NULL, NULL, 0},
    {"POST", "/dashboard/circles/{id}/rebalance", AUTH_SELF,
     "/dashboard/circles/{a}/rebalance", "csrf={csrf}", FORM, DASH_AP, NULL,
     NULL, 0},
    {"POST", "/dashboard/circles/{id}/invites", AUTH_SELF,
     "/dashboard/circles/{a}/invites", "csrf={csrf}", FORM, DASH_AP, NULL, NULL,
     0},
    {"GET", "/dashboard/circles/{id}/digest", AUTH_SELF,
     "/dashboard/circles/{a}/digest", NULL, NULL, DASH_AG, NULL, NULL, 0},
    {"GET", "/dashboard/circles/{id}/people/{id}/move", AUTH_SELF,
     "/dashboard/circles/{a}/people/{p1}/move", NULL, NULL, DASH_AG, NULL, NULL,
     0},
    {"POST", "/dashboard/circles/{id}/people/{id}/withdraw", AUTH_SELF,
     "/dashboard/circles/{a}/people/{tw}/withdraw", "csrf={csrf}", FORM,
     DASH_AP, NULL, NULL, 0},
    {"POST", "/dashboard/circles/{id}/move-requests/{id}/dismiss", AUTH_SELF,
     "/dashboard/circles/{a}/move-requests/999/dismiss", "csrf={csrf}", FORM,
     DASH_AP, NULL, NULL, 0},
    {"GET", "/dashboard/circles/{id}/rebalance", AUTH_SELF,
     "/dashboard/circles/{a}/rebalance", NULL, NULL, DASH_AG, NULL, NULL, 0},
    {"GET", "/dashboard/circles/{id}/review", AUTH_SELF,
     "/dashboard/circles/{a}/review", NULL, NULL, DASH_AG, NULL, NULL, 0},
    {"POST", "/dashboard/circles/{id}/notes/{id}/approve", AUTH_SELF,
     "/dashboard/circles/{a}/notes/{n1}/approve", "csrf={csrf}", FORM, DASH_AP,
     NULL, NULL, 0},
    {"POST", "/dashboard/circles/{id}/notes/{id}/reject", AUTH_SELF,
     "/dashboard/circles/{a}/notes/{n1}/reject", "csrf={csrf}", FORM, DASH_AP,
     NULL, NULL, 0},
    {"GET", "/dashboard/review", AUTH_SELF, "/dashboard/review", NULL, NULL,
     "RRRROAARRR", NULL, NULL, 0},
    {"POST", "/dashboard/notes/{id}/approve", AUTH_SELF,
     "/dashboard/notes/{n1}/approve", "csrf={csrf}", FORM, DASH_AP, NULL, NULL,
     0},
    {"POST", "/dashboard/notes/{id}/reject", AUTH_SELF,
     "/dashboard/notes/{n1}/reject", "csrf={csrf}", FORM, DASH_AP, NULL, NULL,
     0},
    {"GET", "/dashboard/circles/{id}/plenaries/{id}", AUTH_SELF,
     "/dashboard/circles/{a}/plenaries/{pl}", NULL, NULL, DASH_AG, NULL, NULL,
     0},
    {"POST", "/dashboard/circles/{id}/plenaries/{id}/cancel", AUTH_SELF,
     "/dashboard/circles/{a}/plenaries/{pl}/cancel", "csrf={csrf}", FORM,
     DASH_AP, NULL, NULL, 0},
    {"GET", "/dashboard/circles/{id}/report.csv", AUTH_SELF,
     "/dashboard/circles/{a}/report.csv", NULL, NULL, DASH_AG, NULL, NULL, 0},
    {"GET", "/dashboard/circles/{id}/roster.csv", AUTH_SELF,
     "/dashboard/circles/{a}/roster.csv", NULL, NULL, DASH_AG, NULL, NULL, 0},
    {"GET", "/dashboard/circles/{id}/attendance.csv", AUTH_SELF,
     "/dashboard/circles/{a}/attendance.csv", NULL, NULL, DASH_AG, NULL, NULL,
     0},
    {"GET", "/dashboard/circles/{id}/export/{file}", AUTH_SELF,
     "/dashboard/circles/{a}/export/roster.xlsx", NULL, NULL, DASH_AG, NULL,
     NULL, 0},
};
#define N_ROWS ((int)(sizeof(rows) / sizeof(rows[0])))

/* The value of placeholder `name` (without braces) for credential c. */
static char *placeholder(const char *name, size_t len, enum cred c)
{
    static const struct {
        const char *name;
        size_t offset;
    } ids[] = {
        {"a", offsetof(struct world, a)},
        {"b", offsetof(struct world, b)},
        {"g1", offsetof(struct world, g1)},
        {"g2", offsetof(struct world, g2)},
        {"p1", offsetof(struct world, p1)},
        {"pm", offsetof(struct world, pm)},
        {"tp", offsetof(struct world, tp)},
        {"tw", offsetof(struct world, tw)},
        {"reg", offsetof(struct world, reg)},
        {"s", offsetof(struct world, session)},
        {"pl", offsetof(struct world, plenary)},
        {"n1", offsetof(struct world, n1)},
        {"r1", offsetof(struct world, r1)},
        {"r1b", offsetof(struct world, r1b)},
    };
    size_t i;

    for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
        if (strlen(ids[i].name) == len && memcmp(ids[i].name, name, len) == 0)
            return format("%lld", *(long long *)((char *)W + ids[i].offset));
    if (len == 4 && memcmp(name, "feed", 4) == 0)
        return mg_xstrdup(W->feed);
    if (len == 4 && memcmp(name, "page", 4) == 0)
        return mg_xstrdup(W->page);
    if (len == 4 && memcmp(name, "atom", 4) == 0)
        return mg_xstrdup(W->atom);
    if (len == 4 && memcmp(name, "rand", 4) == 0)
        return mg_xstrdup(RANDOM_SECRET);
    if (len == 4 && memcmp(name, "csrf", 4) == 0)
        return mg_xstrdup(W->csrf[c] ? W->csrf[c] : "none");
    if (len == 5 && memcmp(name, "token", 5) == 0)
        return mg_xstrdup(W->token[c] ? W->token[c] : "");
    fail_msg("unknown placeholder '%.*s'", (int)len, name);
    return NULL;
}

static char *expand(const char *tmpl, enum cred c)
{
    struct mg_buf b = MG_BUF_INIT;
    const char *p = tmpl;

    if (!tmpl)
        return NULL;
    while (*p) {
        const char *close =
            p[0] == '{' && p[1] >= 'a' && p[1] <= 'z' ? strchr(p, '}') : NULL;
        if (close) {
            char *v = placeholder(p + 1, (size_t)(close - p - 1), c);
            mg_buf_puts(&b, v);
            free(v);
            p = close + 1;
        } else {
            mg_buf_add(&b, p, 1);
            p++;
        }
    }
    return b.data ? mg_buf_detach(&b) : mg_xstrdup("");
}

/* Whether `status` (with its Location) is what letter `want` means. */
static int meets(char want, long status, const char *location)
{
    switch (want) {
    case 'U':
        return status == 401;
    case 'F':
        return status == 403;
    case 'N':
        return status == 404;
    case 'O':
        return status == 200;
    case 'B':
        return status == 400;
    case 'A':
        return status >= 200 && status < 500 && status != 401 &&
               status != 403 && status != 429;
    case 'S':
        return status >= 200 && status < 500 && status != 401 &&
               status != 403 && status != 404 && status != 429;
    case 'R':
        return status == 303 && location &&
               strcmp(location, "/dashboard/login") == 0;
    case 'D':
        return status == 303 && location && strcmp(location, "/dashboard") == 0;
    }
    return 0;
}

/* One call of row `rw` as credential c; appends a line to `bad` if its
 * answer is not `want`. */
static void try_one(struct mg_buf *bad, const struct row *rw,
                    const char *path_tmpl, char want, enum cred c)
{
    char *path = expand(path_tmpl, c), *body = expand(rw->body, c);
    char *cookie = NULL, *headers = NULL, *location;
    const char *extra[2] = {NULL, NULL};
    const char *ctype = rw->ctype;
    long status;
    json_t *doc;

    /* A dashboard path gets the credential's session too; every path
     * gets its bearer token (which must not help where it does not
     * count). */
    if (strncmp(rw->pattern, "/dashboard", 10) == 0 && W->cookie[c]) {
        cookie = format("Cookie: %s", W->cookie[c]);
        extra[0] = cookie;
    }
    doc = request(&status, &headers, W->token[c], extra, rw->method, path, body,
                  body ? ctype : NULL);
    location = header(headers, "Location");
    if (!meets(want, status, location))
        mg_buf_printf(bad, "  %s %s (%s) as %s: %ld%s%s, expected %c\n",
                      rw->method, path, rw->pattern, cred_names[c], status,
                      location ? " to " : "", location ? location : "", want);
    json_decref(doc);
    free(location);
    free(headers);
    free(cookie);
    free(path);
    free(body);
}

/* Every credential on one row: those refused first, then those allowed,
 * last to first (so circle A's own coordinator deletes it before the
 * coordinator of everything finds it gone, and A1's facilitator decides
 * A1's note before the coordinators find it decided). */
static void try_row(struct mg_buf *bad, const struct row *rw)
{
    int pass, k;

    for (pass = 0; pass < 2; pass++) {
        for (k = 0; k < N_CREDS; k++) {
            int c = pass == 0 ? k : N_CREDS - 1 - k;
            int refused = strchr("UFNRB", rw->expect[c]) != NULL;

            if (refused != (pass == 0))
                continue;
            try_one(bad, rw, rw->path, rw->expect[c], (enum cred)c);
            if (rw->alt_path)
                try_one(bad, rw, rw->alt_path, rw->alt_expect[c], (enum cred)c);
        }
    }
}

/* The table has one row per route, and no other. */
static void test_table_covers_routes(void **state)
{
    struct mg_buf bad = MG_BUF_INIT;
    int i, j, found;

    (void)state;
    for (i = 0; i < http_n_routes; i++) {
        found = 0;
        for (j = 0; j < N_ROWS; j++) {
            if (strcmp(rows[j].method, http_routes[i].method) != 0 ||
                strcmp(rows[j].pattern, http_routes[i].pattern) != 0)
                continue;
            found++;
            if (rows[j].auth != http_routes[i].auth)
                mg_buf_printf(&bad,
                              "  %s %s: level %d in the table, %d "
                              "in http_routes\n",
                              rows[j].method, rows[j].pattern, rows[j].auth,
                              http_routes[i].auth);
        }
        if (found != 1)
            mg_buf_printf(&bad, "  %s %s: %d rows in the matrix\n",
                          http_routes[i].method, http_routes[i].pattern, found);
    }
    for (j = 0; j < N_ROWS; j++) {
        found = 0;
        for (i = 0; i < http_n_routes; i++)
            found += strcmp(rows[j].method, http_routes[i].method) == 0 &&
                     strcmp(rows[j].pattern, http_routes[i].pattern) == 0;
        if (!found)
            mg_buf_printf(&bad, "  %s %s: a row for no route\n", rows[j].method,
                          rows[j].pattern);
        if (strlen(rows[j].expect) != N_CREDS ||
            (rows[j].alt_path && strlen(rows[j].alt_expect) != N_CREDS))
            mg_buf_printf(&bad, "  %s %s: not %d expectations\n",
                          rows[j].method, rows[j].pattern, N_CREDS);
    }
    if (bad.len)
        fail_msg("the scope matrix and http_routes differ:\n%s", bad.data);
    assert_int_equal(N_ROWS, http_n_routes);
}

static void test_matrix(void **state)
{
    struct mg_buf bad = MG_BUF_INIT;
    int j, last;

    (void)state;
    for (last = 0; last < 2; last++)
        for (j = 0; j < N_ROWS; j++)
            if (rows[j].last == last)
                try_row(&bad, &rows[j]);
    if (bad.len)
        fail_msg("answers not as the matrix says:\n%s", bad.data);
    mg_buf_release(&bad);
}

/* --- what the narrowed routes show ------------------------------------- */

static int contains(const long long *ids, size_t n, long long id)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (ids[i] == id)
            return 1;
    return 0;
}

/* Every item of `list` has `key` equal to `want`. */
static void all_have(json_t *list, const char *key, long long want,
                     const char *what)
{
    size_t i;
    json_t *item;

    json_array_foreach(list, i, item)
    {
        long long v = json_integer_value(json_object_get(item, key));
        if (v != want)
            fail_msg("%s: item %zu has %s %lld, not %lld", what, i, key, v,
                     want);
    }
}

static void test_narrowing(void **state)
{
    long long ids[64];
    size_t n;
    char *path;
    json_t *doc;

    (void)state;
    /* The review queue: a facilitator's group's notes, exactly. */
    doc = expect(200, C_FAC_A1, "GET", "/api/v1/notes/review", NULL);
    n = ids_of(ids, 64, doc, "notes");
    assert_int_equal(n, 3);
    assert_true(contains(ids, n, W->r1) && contains(ids, n, W->r1b) &&
                contains(ids, n, W->r1c));
    json_decref(doc);
    doc = expect(200, C_FAC_A2, "GET", "/api/v1/notes/review", NULL);
    n = ids_of(ids, 64, doc, "notes");
    assert_int_equal(n, 1);
    assert_int_equal(ids[0], W->r2);
    json_decref(doc);
    /* A circle's coordinator: that circle's queue, both groups. */
    doc = expect(200, C_COORD_A, "GET", "/api/v1/notes/review", NULL);
    n = ids_of(ids, 64, doc, "notes");
    assert_true(n >= 4);
    assert_true(contains(ids, n, W->r1) && contains(ids, n, W->r2));
    all_have(json_object_get(doc, "notes"), "circle_id", W->a, "coordA review");
    json_decref(doc);
    doc = expect(200, C_COORD_B, "GET", "/api/v1/notes/review", NULL);
    assert_int_equal(json_array_size(json_object_get(doc, "notes")), 0);
    json_decref(doc);
    doc = expect(200, C_ADMIN, "GET", "/api/v1/notes/review", NULL);
    n = ids_of(ids, 64, doc, "notes");
    assert_true(contains(ids, n, W->r1) && contains(ids, n, W->r2));
    json_decref(doc);
    path = format("/api/v1/notes/review?circle=%lld", W->b);
    json_decref(expect(403, C_COORD_A, "GET", path, NULL));
    json_decref(expect(403, C_FAC_A1, "GET", path, NULL));
    free(path);

    /* A circle's notes: a facilitator's group only, asked or not. */
    path = format("/api/v1/circles/%lld/notes", W->a);
    doc = expect(200, C_FAC_A1, "GET", path, NULL);
    n = ids_of(ids, 64, doc, "notes");
    assert_true(contains(ids, n, W->n1));
    assert_false(contains(ids, n, W->r2));
    all_have(json_object_get(doc, "notes"), "group_id", W->g1, "facA1 notes");
    json_decref(doc);
    doc = expect(200, C_FAC_A2, "GET", path, NULL);
    n = ids_of(ids, 64, doc, "notes");
    assert_false(contains(ids, n, W->n1));
    all_have(json_object_get(doc, "notes"), "group_id", W->g2, "facA2 notes");
    json_decref(doc);
    doc = expect(200, C_COORD_A, "GET", path, NULL);
    n = ids_of(ids, 64, doc, "notes");
    assert_true(contains(ids, n, W->n1));
    json_decref(doc);
    free(path);
    /* those kept for review too */
    path = format("/api/v1/circles/%lld/notes?status=review", W->a);
    doc = expect(200, C_FAC_A2, "GET", path, NULL);
    n = ids_of(ids, 64, doc, "notes");
    assert_int_equal(n, 1);
    assert_int_equal(ids[0], W->r2);
    json_decref(doc);
    doc = expect(200, C_FAC_A1, "GET", path, NULL);
    n = ids_of(ids, 64, doc, "notes");
    assert_int_equal(n, 3);
    assert_false(contains(ids, n, W->r2));
    json_decref(doc);
    doc = expect(200, C_COORD_A, "GET", path, NULL);
    n = ids_of(ids, 64, doc, "notes");
    assert_true(contains(ids, n, W->r1) && contains(ids, n, W->r2));
    json_decref(doc);
    free(path);
    path = format("/api/v1/circles/%lld/notes?group=%lld", W->a, W->g2);
    json_decref(expect(403, C_FAC_A1, "GET", path, NULL));
    free(path);

    /* One note: the other group's facilitator is refused, whatever the
     * note's state or the body. */
    path = format("/api/v1/notes/%lld", W->r2);
    json_decref(expect(403, C_FAC_A1, "GET", path, NULL));
    json_decref(expect(200, C_FAC_A2, "GET", path, NULL));
    json_decref(expect(403, C_COORD_B, "GET", path, NULL));
    json_decref(expect(403, C_PART_A, "GET", path, NULL));
    free(path);
    path = format("/api/v1/notes/%lld/approve", W->r2);
    json_decref(expect(403, C_FAC_A1, "POST", path, NULL));
    json_decref(expect(403, C_FAC_A1, "POST", path, "{\"bogus\":1}"));
    free(path);
    path = format("/api/v1/notes/%lld/reject", W->r1c);
    json_decref(expect(200, C_FAC_A1, "POST", path, NULL));
    json_decref(expect(403, C_FAC_A2, "POST", path, NULL));
    json_decref(expect(409, C_FAC_A1, "POST", path, NULL));
    free(path);
    path = format("/api/v1/notes/%lld/approve", W->r1c);
    json_decref(expect(403, C_FAC_A2, "POST", path, NULL));
    free(path);
    /* and files it under their own group only */
    path = format("/api/v1/notes/%lld/approve", W->r2);
    {
        char *body = format("{\"group\":%lld}", W->g1);
        json_decref(expect(403, C_FAC_A2, "POST", path, body));
        free(body);
    }
    free(path);

    /* Group A2 is not A1's facilitator's. */
    path = format("/api/v1/circles/%lld/groups/%lld", W->a, W->g2);
    json_decref(expect(403, C_FAC_A1, "GET", path, NULL));
    doc = expect(200, C_FAC_A2, "GET", path, NULL);
    assert_int_equal(json_integer_value(json_object_get(doc, "id")), W->g2);
    json_decref(doc);
    free(path);

    /* The circle list: a circle's coordinator sees that circle. */
    doc = expect(200, C_COORD_B, "GET", "/api/v1/circles", NULL);
    n = ids_of(ids, 64, doc, "circles");
    assert_int_equal(n, 1);
    assert_int_equal(ids[0], W->b);
    json_decref(doc);
    doc = expect(200, C_COORD_A, "GET", "/api/v1/circles", NULL);
    n = ids_of(ids, 64, doc, "circles");
    assert_int_equal(n, 1);
    assert_int_equal(ids[0], W->a);
    json_decref(doc);
    doc = expect(200, C_ADMIN, "GET", "/api/v1/circles", NULL);
    n = ids_of(ids, 64, doc, "circles");
    assert_true(contains(ids, n, W->a) && contains(ids, n, W->b));
    json_decref(doc);
}

/* --- the audit log ----------------------------------------------------- */

/* The audit entries after `after`, read as `c` (200 expected). */
static json_t *audit_entries(enum cred c, long long after)
{
    char *path = format("/api/v1/audit?after=%lld&limit=1000", after);
    json_t *doc = expect(200, c, "GET", path, NULL);
    json_t *list = json_incref(json_object_get(doc, "entries"));

    free(path);
    json_decref(doc);
    return list;
}

/* The entry with this actor, action and target, or NULL. */
static json_t *find_entry(json_t *list, const char *actor, const char *action,
                          const char *target, long status)
{
    size_t i;
    json_t *e;

    json_array_foreach(list, i, e)
    {
        if (strcmp(json_string_value(json_object_get(e, "actor")), actor) ==
                0 &&
            strcmp(json_string_value(json_object_get(e, "action")), action) ==
                0 &&
            strcmp(json_string_value(json_object_get(e, "target")), target) ==
                0 &&
            json_integer_value(json_object_get(e, "status")) == status)
            return e;
    }
    return NULL;
}

static void check_entry(json_t *list, enum cred who, const char *action,
                        const char *target, long status, const char *via,
                        long long circle)
{
    char *actor = public_id(W->token[who]);
    json_t *e = find_entry(list, actor, action, target, status);

    if (!e)
        fail_msg("no audit entry: %s %s %s %ld", actor, action, target, status);
    assert_string_equal(json_string_value(json_object_get(e, "via")), via);
    assert_string_equal(json_string_value(json_object_get(e, "client")),
                        "127.0.0.1");
    assert_int_equal(json_integer_value(json_object_get(e, "circle")), circle);
    free(actor);
}

static void test_audit(void **state)
{
    long long before = 0;
    json_t *all, *mine, *list, *e;
    char *path, *a, *b, *target, *form, *cookie;
    const char *extra[2] = {NULL, NULL};
    long status;
    size_t i;

    (void)state;
    list = audit_entries(C_ADMIN, 0);
    json_array_foreach(list, i, e)
    {
        if (json_integer_value(json_object_get(e, "id")) > before)
            before = json_integer_value(json_object_get(e, "id"));
    }
    json_decref(list);

    /* coordA's writes: two allowed, one refused (circle B), an export */
    path = format("/api/v1/circles/%lld", W->a);
    json_decref(expect(200, C_COORD_A, "PATCH", path,
                       "{\"title\":\"Circle A, renamed\"}"));
    free(path);
    path = format("/api/v1/circles/%lld/participants", W->a);
    json_decref(expect(201, C_COORD_A, "POST", path,
                       "[{\"name\":\"Late Comer\",\"email\":"
                       "\"late@example.org\"}]"));
    free(path);
    path = format("/api/v1/circles/%lld", W->b);
    json_decref(
        expect(403, C_COORD_A, "PATCH", path, "{\"title\":\"Not yours\"}"));
    json_decref(
        expect(200, C_ADMIN, "PATCH", path, "{\"title\":\"Circle B, too\"}"));
    free(path);
    path = format("/api/v1/circles/%lld/participants/%lld/export", W->a, W->p1);
    json_decref(expect(200, C_COORD_A, "GET", path, NULL));
    free(path);
    /* reads and facilitators are not audited */
    path = format("/api/v1/circles/%lld/notes", W->a);
    json_decref(expect(200, C_FAC_A1, "GET", path, NULL));
    free(path);
    /* a dashboard action */
    path = format("/dashboard/circles/%lld/invites", W->a);
    form = format("csrf=%s", W->csrf[C_COORD_A]);
    cookie = format("Cookie: %s", W->cookie[C_COORD_A]);
    extra[0] = cookie;
    json_decref(request(&status, NULL, NULL, extra, "POST", path, form, FORM));
    assert_int_equal(status, 303);
    free(cookie);
    free(form);
    free(path);

    a = format("%lld", W->a);
    b = format("%lld", W->b);
    target = format("%lld/%lld", W->a, W->p1);
    all = audit_entries(C_ADMIN, before);
    check_entry(all, C_COORD_A, "PATCH /api/v1/circles/{id}", a, 200, "api",
                W->a);
    check_entry(all, C_COORD_A, "POST /api/v1/circles/{id}/participants", a,
                201, "api", W->a);
    check_entry(all, C_COORD_A, "PATCH /api/v1/circles/{id}", b, 403, "api",
                W->b);
    check_entry(all, C_ADMIN, "PATCH /api/v1/circles/{id}", b, 200, "api",
                W->b);
    check_entry(all, C_COORD_A,
                "GET /api/v1/circles/{id}/participants/{id}/export", target,
                200, "api", W->a);
    check_entry(all, C_COORD_A, "POST /dashboard/circles/{id}/invites", a, 303,
                "dashboard", W->a);
    json_array_foreach(all, i, e)
    {
        const char *action = json_string_value(json_object_get(e, "action"));
        if (strncmp(action, "GET ", 4) == 0 && !strstr(action, "/export"))
            fail_msg("a read audited: %s", action);
    }
    assert_int_equal(json_array_size(all), 6);

    /* coordA reads circle A's entries only; coordB circle B's */
    mine = audit_entries(C_COORD_A, before);
    all_have(mine, "circle", W->a, "coordA's audit log");
    assert_int_equal(json_array_size(mine), 4);
    json_decref(mine);
    mine = audit_entries(C_COORD_B, 0);
    all_have(mine, "circle", W->b, "coordB's audit log");
    assert_true(json_array_size(mine) >= 2);
    json_decref(mine);
    path = format("/api/v1/audit?circle=%lld", W->b);
    json_decref(expect(403, C_COORD_A, "GET", path, NULL));
    free(path);
    json_decref(expect(403, C_FAC_A1, "GET", "/api/v1/audit", NULL));
    json_decref(expect(403, C_PART_A, "GET", "/api/v1/audit", NULL));
    json_decref(all);
    free(a);
    free(b);
    free(target);
}

/* --- secrets never logged ---------------------------------------------- */

static void absent(const char *log, const char *secret, const char *what)
{
    if (secret && *secret && strstr(log, secret))
        fail_msg("the daemon's log holds %s ('%s')", what, secret);
}

static void test_secrets_not_logged(void **state)
{
    char *log = test_daemon_log(&W->site.d);
    int c;

    (void)state;
    assert_non_null(strstr(log, "msg=request"));
    for (c = 0; c < N_CREDS; c++) {
        const char *t = W->token[c];
        if (t && strlen(t) == MG_TOKEN_LEN) {
            absent(log, t + 4 + MG_TOKEN_ID_LEN + 1, "a token's secret");
        }
        if (W->cookie[c])
            absent(log, strchr(W->cookie[c], '=') + 1, "a session cookie");
        absent(log, W->csrf[c], "a CSRF token");
    }
    absent(log, W->feed, "a feed secret");
    absent(log, W->feed + MG_TOKEN_ID_LEN, "a feed secret");
    absent(log, W->page, "a page secret");
    absent(log, W->page + MG_TOKEN_ID_LEN, "a page secret");
    absent(log, W->atom, "a notes feed secret");
    absent(log, W->atom + MG_TOKEN_ID_LEN, "a notes feed secret");
    absent(log, MIME_SECRET, "the mime secret");
    absent(log, "wrong-secret", "a webhook's wrong secret");
    free(log);
}

/* --- failed credentials ------------------------------------------------ */

/* A site of its own whose daemon blocks after five failed credentials. */
static void limited_start(struct test_site *l, const char *proxies)
{
    char *proxies_env =
        proxies ? format("MINGLE_TRUSTED_PROXIES=%s", proxies) : NULL;
    const char *env[3] = {"MINGLE_AUTH_FAIL_LIMIT=5", proxies_env, NULL};
    const struct test_site_opts opts = {.env = env};

    assert_int_equal(test_site_start(l, "limit.db", &opts), 0);
    free(proxies_env);
}

/* GET `path` from 127.0.0.1 as `token`, with X-Forwarded-For `xff`
 * (NULL: none); the status, and Retry-After into `retry` if asked. */
static long get_from(struct test_site *l, const char *path, const char *token,
                     const char *xff, long *retry, json_t **doc)
{
    struct test_response resp;
    char *h = xff ? format("X-Forwarded-For: %s", xff) : NULL;
    const char *extra[2] = {h, NULL};
    long status;

    assert_int_equal(test_http_ex(&resp, l->d.port, "GET", path, token, extra,
                                  NULL, 0, NULL),
                     0);
    status = resp.status;
    if (retry) {
        char *v = header(resp.headers, "Retry-After");
        *retry = v ? atol(v) : -1;
        free(v);
    }
    if (doc)
        *doc = json_loads(resp.body, 0, NULL);
    test_response_release(&resp);
    free(h);
    return status;
}

/* The status of a GET sent on a raw socket from 127.0.0.2. */
static long get_from_other_address(int port, const char *path,
                                   const char *token)
{
    struct sockaddr_in sa;
    char req[512], buf[4096];
    size_t got = 0;
    long status = -1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ssize_t n;

    assert_true(fd >= 0);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    inet_pton(AF_INET, "127.0.0.2", &sa.sin_addr);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    sa.sin_port = htons((uint16_t)port);
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    snprintf(req, sizeof(req),
             "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
             "%s\r\nConnection: close\r\n\r\n",
             path, token);
    assert_int_equal(write(fd, req, strlen(req)), (ssize_t)strlen(req));
    while (got < sizeof(buf) - 1 &&
           (n = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
        got += (size_t)n;
    buf[got] = '\0';
    close(fd);
    if (strncmp(buf, "HTTP/1.1 ", 9) == 0)
        status = atol(buf + 9);
    return status;
}

static void test_rate_limit(void **state)
{
    struct test_site l;
    long retry = 0;
    double limited_at, deadline;
    json_t *doc = NULL;
    int k;

    (void)state;
    limited_start(&l, NULL);
    assert_int_equal(get_from(&l, "/api/v1/circles", l.token, NULL, NULL, NULL),
                     200);
    /* Five wrong tokens; X-Forwarded-For is no one's to believe here. */
    for (k = 0; k < 5; k++)
        assert_int_equal(get_from(&l, "/api/v1/circles", WRONG_TOKEN,
                                  "203.0.113.7", NULL, NULL),
                         401);
    /* Now even a good token is refused, from any claimed address. */
    assert_int_equal(
        get_from(&l, "/api/v1/circles", l.token, "203.0.113.8", &retry, &doc),
        429);
    limited_at = mg_monotonic();
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(doc, "error"), "code")),
                        "too_many_failures");
    json_decref(doc);
    assert_true(retry >= 1 && retry <= 13);
    /* So is a secret URL; health is not; another address is not. */
    assert_int_equal(get_from(&l, "/p/" RANDOM_SECRET, NULL, NULL, NULL, NULL),
                     429);
    assert_int_equal(get_from(&l, "/healthz", NULL, NULL, NULL, NULL), 200);
    assert_int_equal(
        get_from_other_address(l.d.port, "/api/v1/circles", l.token), 200);
    /* After Retry-After, the good token works again. */
    deadline = limited_at + (double)(retry + 5) * test_slowdown();
    while (mg_monotonic() < deadline) {
        if (get_from(&l, "/api/v1/circles", l.token, NULL, NULL, NULL) == 200)
            break;
        usleep(250000);
    }
    assert_true(mg_monotonic() < deadline);
    assert_true(mg_monotonic() - limited_at >= (double)retry - 1.5);
    test_site_stop(&l, SIGTERM);
}

static void test_rate_limit_behind_proxy(void **state)
{
    struct test_site l;
    long retry = 0;
    int k;

    (void)state;
    limited_start(&l, "127.0.0.1");
    /* Failures forwarded for 203.0.113.7 block that address: three
     * wrong tokens, and a guessed page and notes feed count too ... */
    for (k = 0; k < 3; k++)
        assert_int_equal(get_from(&l, "/api/v1/circles", WRONG_TOKEN,
                                  "198.51.100.1, 203.0.113.7", NULL, NULL),
                         401);
    assert_int_equal(
        get_from(&l, "/p/" RANDOM_SECRET, NULL, "203.0.113.7", NULL, NULL),
        404);
    assert_int_equal(get_from(&l, "/notes/" RANDOM_SECRET ".atom", NULL,
                              "203.0.113.7", NULL, NULL),
                     404);
    assert_int_equal(
        get_from(&l, "/api/v1/circles", l.token, "203.0.113.7", &retry, NULL),
        429);
    assert_true(retry >= 1);
    /* ... and not the next one, nor the proxy itself. */
    assert_int_equal(
        get_from(&l, "/api/v1/circles", l.token, "203.0.113.8", NULL, NULL),
        200);
    assert_int_equal(get_from(&l, "/api/v1/circles", l.token, NULL, NULL, NULL),
                     200);
    test_site_stop(&l, SIGTERM);
}

int main(void)
{
    const struct CMUnitTest world_tests[] = {
        cmocka_unit_test(test_table_covers_routes),
        cmocka_unit_test(test_narrowing),
        cmocka_unit_test(test_audit),
        cmocka_unit_test(test_matrix), /* deletes circle A: keep it last */
        cmocka_unit_test(test_secrets_not_logged),
    };
    const struct CMUnitTest limit_tests[] = {
        cmocka_unit_test(test_rate_limit),
        cmocka_unit_test(test_rate_limit_behind_proxy),
    };
    int failed = cmocka_run_group_tests_name("scopes", world_tests, setup_world,
                                             teardown_world);

    failed += cmocka_run_group_tests_name("limits", limit_tests, NULL, NULL);
    return failed;
}
