/*
 * fault_kill.c: `mingle serve` killed with SIGKILL at a random moment
 * under mixed load, a few rounds over one database: threads create and
 * PATCH participants, post distinct notes to the raw-MIME webhook and
 * move a call back and forth (each move queues invitations, which the
 * outbox sends to python3-aiosmtpd on loopback). After each restart,
 * every acknowledged write is there once; at the end every queued
 * message has arrived at least once (counted by Message-ID) and the
 * database passes PRAGMA integrity_check.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include "mingle/mail.h"
#include "support.h"

#define MIME_SECRET "kill-secret-1234"
#define ROUNDS 3
#define MAX_ACKS 16384
#define DEADLINE 60 /* generous seconds for mail to drain */

static const char circle_json[] =
    "{\"title\":\"Kill circle\",\"slug\":\"kill\",\"time_zone\":"
    "\"Pacific/Auckland\",\"start_date\":\"2027-03-22\",\"weeks\":4,"
    "\"group_size\":{\"min\":3,\"max\":6},\"slots\":[{\"weekday\":"
    "\"tuesday\",\"start\":\"19:30\",\"minutes\":60}],\"organizer\":{"
    "\"name\":\"Coordinators\",\"email\":\"circles@example.org\"}}";

struct world {
    struct test_site site;
    char *inbox;
    char *env_smtp, *env_maildir;
    const char *env[8];
    int smtp_port;
    pid_t smtp;
    long long circle, session;
};

static struct world *W;

/* What the daemon acknowledged, per kind of write. */
struct acks {
    pthread_mutex_t lock;
    char *created[MAX_ACKS]; /* emails answered 201 */
    int n_created;
    long long patched_id[MAX_ACKS]; /* participants whose PATCH got 200 */
    char *patched_sector[MAX_ACKS];
    int n_patched;
    char *notes[MAX_ACKS]; /* Message-IDs answered 200 */
    int n_notes;
    int moves; /* session moves answered 200 */
};

static struct acks A;

struct load {
    int round;
    int port;
    atomic_int stop;
    int cut_off; /* a thread saw the daemon go */
};

static int smtp_start(void)
{
    W->smtp = test_smtp_start(&W->smtp_port, W->inbox);
    return W->smtp > 0 ? 0 : -1;
}

static json_t *call(long *status, const char *method, const char *path,
                    const char *body, const char *ctype)
{
    return test_site_call(&W->site, status, method, path, body, ctype);
}

/* A request from a load thread: -1 when the daemon is gone. */
static int request(long *status, json_t **doc, struct load *l,
                   const char *method, const char *path, const char *token,
                   const char *body, size_t len, const char *ctype)
{
    struct test_response resp;
    int rc = test_http_ex(&resp, l->port, method, path, token, NULL, body, len,
                          ctype);

    *status = resp.status;
    if (doc)
        *doc = rc == 0 && resp.body[0] ? json_loads(resp.body, 0, NULL) : NULL;
    test_response_release(&resp);
    if (rc < 0)
        l->cut_off = 1;
    return rc;
}

static void *people_writer(void *arg)
{
    struct load *l = arg;
    char *path = mg_xasprintf("/api/v1/circles/%lld/participants", W->circle);
    int i;

    for (i = 0; !atomic_load(&l->stop); i++) {
        char *email = mg_xasprintf("w%d-%d@example.org", l->round, i);
        char *body = mg_xasprintf("{\"name\":\"Writer %d-%d\",\"email\":"
                                  "\"%s\"}",
                                  l->round, i, email);
        char *patch = NULL, *sector = NULL, *ppath = NULL;
        json_t *doc = NULL;
        long status;
        long long id = 0;

        if (request(&status, &doc, l, "POST", path, W->site.token, body,
                    strlen(body), NULL) == 0 &&
            status == 201) {
            id = json_integer_value(json_object_get(doc, "id"));
            pthread_mutex_lock(&A.lock);
            A.created[A.n_created++] = email;
            email = NULL;
            pthread_mutex_unlock(&A.lock);
        }
        json_decref(doc);
        if (id) {
            sector = mg_xasprintf("sector %d-%d", l->round, i);
            patch = mg_xasprintf("{\"sector\":\"%s\"}", sector);
            ppath = mg_xasprintf("%s/%lld", path, id);
            if (request(&status, NULL, l, "PATCH", ppath, W->site.token, patch,
                        strlen(patch), NULL) == 0 &&
                status == 200) {
                pthread_mutex_lock(&A.lock);
                A.patched_id[A.n_patched] = id;
                A.patched_sector[A.n_patched++] = sector;
                sector = NULL;
                pthread_mutex_unlock(&A.lock);
            }
        }
        free(email);
        free(body);
        free(patch);
        free(sector);
        free(ppath);
        if (l->cut_off || A.n_created >= MAX_ACKS - 1)
            break;
    }
    free(path);
    return NULL;
}

static void *note_poster(void *arg)
{
    struct load *l = arg;
    int i;

    for (i = 0; !atomic_load(&l->stop); i++) {
        char *id = mg_xasprintf("kill-%d-%d@example.org", l->round, i);
        char *msg = mg_xasprintf(
            "From: <p%d@example.org>\r\nTo: <kill+g1@x.nz>\r\n"
            "Subject: thoughts %d-%d\r\nMessage-ID: <%s>\r\n"
            "Date: Tue, 30 Mar 2027 21:00:00 +1300\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\nNote %d-%d.\r\n",
            i % 12, l->round, i, id, l->round, i);
        long status;

        if (request(&status, NULL, l, "POST",
                    "/hooks/mail/mime?secret=" MIME_SECRET, NULL, msg,
                    strlen(msg), "message/rfc822") == 0 &&
            status == 200) {
            pthread_mutex_lock(&A.lock);
            A.notes[A.n_notes++] = id;
            id = NULL;
            pthread_mutex_unlock(&A.lock);
        }
        free(id);
        free(msg);
        if (l->cut_off || A.n_notes >= MAX_ACKS - 1)
            break;
    }
    return NULL;
}

/* Move week 2's call between Wednesday and Thursday: each move queues
 * an updated invitation for every member of the group. */
static void *call_mover(void *arg)
{
    struct load *l = arg;
    char *path = mg_xasprintf("/api/v1/circles/%lld/sessions/%lld", W->circle,
                              W->session);
    int i;

    for (i = 0; !atomic_load(&l->stop); i++) {
        const char *body = i % 2 ? "{\"start\":\"2027-03-31T19:30\"}"
                                 : "{\"start\":\"2027-04-01T19:30\"}";
        long status;

        if (request(&status, NULL, l, "PATCH", path, W->site.token, body,
                    strlen(body), NULL) < 0)
            break;
        if (status == 200) {
            pthread_mutex_lock(&A.lock);
            A.moves++;
            pthread_mutex_unlock(&A.lock);
        }
        usleep(150 * 1000);
    }
    free(path);
    return NULL;
}

static int daemon_up(void)
{
    const struct test_site_opts opts = {.env = W->env};

    return test_site_serve(&W->site, &opts);
}

static int setup_world(void **state)
{
    struct world *w = mg_xcalloc(1, sizeof(*w));
    struct mg_buf csv = MG_BUF_INIT;
    long long weeks[2];
    int i, rc;

    *state = w;
    W = w;
    pthread_mutex_init(&A.lock, NULL);
    if (access("/usr/bin/python3", X_OK) != 0) {
        fprintf(stderr, "needs /usr/bin/python3 with python3-aiosmtpd\n");
        return -1;
    }
    if (test_site_init(&w->site, "kill.db") < 0)
        return -1;
    w->inbox = mg_xasprintf("%s/inbox", w->site.dir);
    w->smtp_port = 0; /* smtp_start() picks one */
    if (smtp_start() < 0)
        return -1;
    w->env_smtp =
        mg_xasprintf("MINGLE_SMTP_URL=smtp://127.0.0.1:%d", w->smtp_port);
    w->env_maildir = mg_xasprintf("MINGLE_MAILDIR=%s/unused", w->site.dir);
    w->env[0] = w->env_smtp;
    w->env[1] = w->env_maildir;
    w->env[2] = "MINGLE_OUTBOX_INTERVAL=1";
    w->env[3] = "MINGLE_OUTBOX_RETRY=1";
    w->env[4] = "MINGLE_MAIL_FROM=circles@example.org";
    w->env[5] = "MINGLE_MIME_SECRET=" MIME_SECRET;
    w->env[6] = NULL;
    if (daemon_up() < 0)
        return -1;
    w->circle = test_site_circle(&w->site, circle_json, NULL);
    if (!w->circle)
        return -1;
    mg_buf_puts(&csv, "name,email,role\n");
    for (i = 0; i < 12; i++)
        mg_buf_printf(&csv, "Person %d,p%d@example.org,%s\n", i, i,
                      i < 2 ? "facilitator" : "participant");
    /* the first group's week 2 */
    rc = test_site_plan(&w->site, w->circle, csv.data, weeks, 2);
    mg_buf_release(&csv);
    w->session = weeks[1];
    return rc < 0 ? -1 : 0;
}

static int teardown_world(void **state)
{
    struct world *w = *state;
    int i;

    if (!w)
        return 0;
    if (w->site.d.pid)
        test_daemon_stop(&w->site.d, SIGKILL);
    if (w->smtp > 0) {
        kill(w->smtp, SIGKILL);
        waitpid(w->smtp, NULL, 0);
    }
    for (i = 0; i < A.n_created; i++)
        free(A.created[i]);
    for (i = 0; i < A.n_patched; i++)
        free(A.patched_sector[i]);
    for (i = 0; i < A.n_notes; i++)
        free(A.notes[i]);
    free(w->env_smtp);
    free(w->env_maildir);
    test_site_stop(&w->site,
                   SIGKILL); /* its directory, after the SMTP server */
    free(w->inbox);
    free(w);
    return 0;
}

/* Every participant of the circle, through the API. */
static json_t *all_people(void)
{
    json_t *all = json_array();
    long long after = 0;

    for (;;) {
        char *path = mg_xasprintf(
            "/api/v1/circles/%lld/participants?limit=1000&after=%lld",
            W->circle, after);
        long status;
        json_t *doc = call(&status, "GET", path, NULL, NULL), *next;

        free(path);
        assert_int_equal(status, 200);
        json_array_extend(all, json_object_get(doc, "participants"));
        next = json_object_get(doc, "next_after");
        after = json_is_integer(next) ? json_integer_value(next) : 0;
        json_decref(doc);
        if (!after)
            return all;
    }
}

static int count_matching(json_t *items, const char *key, const char *value)
{
    size_t i;
    int n = 0;

    for (i = 0; i < json_array_size(items); i++) {
        const char *v =
            json_string_value(json_object_get(json_array_get(items, i), key));
        if (v && strcasecmp(v, value) == 0)
            n++;
    }
    return n;
}

/* Every acknowledged write is there, once; nothing is there twice. */
static void check_acknowledged(void)
{
    json_t *people = all_people(),
           *notes = test_notes_all(W->site.d.port, W->site.token, W->circle);
    size_t i, j;
    int k;

    for (k = 0; k < A.n_created; k++)
        if (count_matching(people, "email", A.created[k]) != 1)
            fail_msg("acknowledged participant %s: %d found", A.created[k],
                     count_matching(people, "email", A.created[k]));
    for (k = 0; k < A.n_patched; k++) {
        const char *sector = NULL;
        for (i = 0; i < json_array_size(people); i++) {
            json_t *p = json_array_get(people, i);
            if (json_integer_value(json_object_get(p, "id")) == A.patched_id[k])
                sector = json_string_value(json_object_get(p, "sector"));
        }
        if (!sector || strcmp(sector, A.patched_sector[k]) != 0)
            fail_msg("acknowledged PATCH of %lld lost: sector '%s'",
                     A.patched_id[k], sector ? sector : "(none)");
    }
    for (k = 0; k < A.n_notes; k++)
        if (count_matching(notes, "message_id", A.notes[k]) != 1)
            fail_msg("acknowledged note %s: %d found", A.notes[k],
                     count_matching(notes, "message_id", A.notes[k]));
    /* unacknowledged ones may be there too, but never twice */
    for (i = 0; i < json_array_size(people); i++)
        for (j = i + 1; j < json_array_size(people); j++)
            assert_string_not_equal(json_string_value(json_object_get(
                                        json_array_get(people, i), "email")),
                                    json_string_value(json_object_get(
                                        json_array_get(people, j), "email")));
    for (i = 0; i < json_array_size(notes); i++) {
        const char *id = json_string_value(
            json_object_get(json_array_get(notes, i), "message_id"));
        assert_non_null(id);
        assert_int_equal(count_matching(notes, "message_id", id), 1);
    }
    fprintf(stderr, "after restart: %zu participants, %zu notes\n",
            json_array_size(people), json_array_size(notes));
    json_decref(people);
    json_decref(notes);
}

/* Outbox messages by status: *queued waiting, *leased claimed. */
static size_t outbox_state(size_t *queued, size_t *leased)
{
    char *path = mg_xasprintf("/api/v1/circles/%lld/outbox", W->circle);
    long status;
    json_t *doc = call(&status, "GET", path, NULL, NULL), *msgs;
    size_t i, n;

    free(path);
    assert_int_equal(status, 200);
    msgs = json_object_get(doc, "messages");
    n = json_array_size(msgs);
    *queued = *leased = 0;
    for (i = 0; i < n; i++) {
        const char *s = json_string_value(
            json_object_get(json_array_get(msgs, i), "status"));
        assert_string_not_equal(s, "failed");
        if (strcmp(s, "queued") == 0)
            (*queued)++;
        else if (strcmp(s, "sending") == 0)
            (*leased)++;
    }
    json_decref(doc);
    return n;
}

/* Wait until nothing is queued (and, with `all`, nothing claimed). */
static void wait_outbox(size_t *total, size_t *leased, int all)
{
    double deadline = mg_monotonic() + DEADLINE;
    size_t queued;

    for (;;) {
        *total = outbox_state(&queued, leased);
        if (queued == 0 && (!all || *leased == 0))
            return;
        assert_true(mg_monotonic() < deadline);
        usleep(200 * 1000);
    }
}

static sqlite3 *open_db(void)
{
    sqlite3 *db = NULL;

    assert_int_equal(sqlite3_open(W->site.db, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    return db;
}

static int compare_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every message the outbox holds arrived at least once; nothing else
 * arrived. The ids are the ones the daemon renders from the store. */
static void check_mail(void)
{
    sqlite3 *db = open_db();
    sqlite3_stmt *stmt = NULL;
    char *dir = mg_xasprintf("%s/new", W->inbox);
    char **got = NULL;
    size_t n_got = 0, n_sent = 0, i, dup = 0;
    DIR *d;
    struct dirent *e;

    d = opendir(dir);
    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        char *file, *text;
        size_t len = 0;

        if (e->d_name[0] == '.')
            continue;
        file = mg_xasprintf("%s/%s", dir, e->d_name);
        text = test_read_file(file, &len);
        assert_non_null(text);
        got = mg_xrealloc(got, (n_got + 1) * sizeof(*got));
        got[n_got] = test_header_value(text, len, "Message-ID");
        assert_non_null(got[n_got]);
        n_got++;
        free(text);
        free(file);
    }
    closedir(d);
    free(dir);
    qsort(got, n_got, sizeof(*got), compare_str);
    for (i = 1; i < n_got; i++)
        if (strcmp(got[i - 1], got[i]) == 0)
            dup++;

    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT id, status, format, message, "
                                        "parts FROM outbox ORDER BY id",
                                        -1, &stmt, NULL),
                     SQLITE_OK);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        struct mg_error err = {{0}, {0}};
        char *bytes = NULL, *id;
        size_t len = 0;

        assert_string_equal((const char *)sqlite3_column_text(stmt, 1), "sent");
        assert_int_equal(
            mg_mail_render(&bytes, &len,
                           (const char *)sqlite3_column_text(stmt, 2),
                           sqlite3_column_blob(stmt, 3),
                           (size_t)sqlite3_column_bytes(stmt, 3),
                           (const char *)sqlite3_column_text(stmt, 4), &err),
            0);
        id = test_header_value(bytes, len, "Message-ID");
        assert_non_null(id);
        if (!bsearch(&id, got, n_got, sizeof(*got), compare_str))
            fail_msg("outbox message %lld (%s) never arrived",
                     (long long)sqlite3_column_int64(stmt, 0), id);
        n_sent++;
        free(id);
        free(bytes);
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    fprintf(stderr,
            "mail: %zu messages queued, %zu received, %zu received twice "
            "(at least once: a send cut by SIGKILL may repeat)\n",
            n_sent, n_got, dup);
    assert_true(n_sent > 0);
    assert_int_equal(n_got - dup, n_sent); /* nothing that was not queued */
    for (i = 0; i < n_got; i++)
        free(got[i]);
    free(got);
}

static void check_integrity(void)
{
    sqlite3 *db = open_db();
    sqlite3_stmt *stmt = NULL;

    assert_int_equal(
        sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &stmt, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(stmt, 0), "ok");
    sqlite3_finalize(stmt);
    sqlite3_close(db);
}

static void test_kill_under_load(void **state)
{
    unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
    size_t total = 0, leased = 0;
    int round;

    (void)state;
    fprintf(stderr, "seed %u\n", seed);
    srand(seed);
    for (round = 0; round < ROUNDS; round++) {
        struct load l;
        pthread_t t[3];
        int before_created = A.n_created, before_notes = A.n_notes, i;
        int wait_ms = 400 + rand() % 1600;

        memset(&l, 0, sizeof(l));
        l.round = round;
        l.port = W->site.d.port;
        atomic_init(&l.stop, 0);
        assert_int_equal(pthread_create(&t[0], NULL, people_writer, &l), 0);
        assert_int_equal(pthread_create(&t[1], NULL, note_poster, &l), 0);
        assert_int_equal(pthread_create(&t[2], NULL, call_mover, &l), 0);
        usleep((useconds_t)wait_ms * 1000);
        test_daemon_stop(&W->site.d, SIGKILL);
        atomic_store(&l.stop, 1);
        for (i = 0; i < 3; i++)
            pthread_join(t[i], NULL);
        fprintf(stderr,
                "round %d: killed after %d ms; acknowledged %d participants, "
                "%d notes\n",
                round, wait_ms, A.n_created - before_created,
                A.n_notes - before_notes);
        assert_true(l.cut_off); /* the kill came mid-load */
        assert_int_equal(daemon_up(), 0);
        check_acknowledged();
    }
    assert_true(A.n_created > 0);
    assert_true(A.n_notes > 0);
    assert_true(A.moves > 0);

    /* Mail: what was queued goes out, the claims a killed sender held
     * taken back by the restarted daemon rather than left to their
     * ten-minute lease. */
    wait_outbox(&total, &leased, 1);
    fprintf(stderr, "outbox: %zu messages, all sent\n", total);
    assert_int_equal(leased, 0);
    assert_int_equal(test_daemon_stop(&W->site.d, SIGTERM), 0);
    check_integrity();
    check_mail();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kill_under_load),
    };
    int rc;

    signal(SIGPIPE, SIG_IGN);
    mg_mail_init();
    rc = cmocka_run_group_tests(tests, setup_world, teardown_world);
    mg_mail_shutdown();
    return rc;
}
