/*
 * fault_disk_full.c: `mingle serve` with its database on a file system
 * that fills up. The file system is a small tmpfs mounted in a private
 * mount namespace (as root), else in a user namespace, else the daemon
 * runs with a low RLIMIT_FSIZE; the output says which. Webhook notes
 * with big attachments fill it: writes get 5xx, never a crash, no note
 * is partly stored, reads go on; once space is freed the same webhooks
 * retried are stored, once each. The database passes integrity_check.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include "support.h"

#define MIME_SECRET "disk-full-secret"
#define HOOK "/hooks/mail/mime?secret=" MIME_SECRET
#define FS_SIZE "16m"
#define BALLAST (10 * 1024 * 1024) /* freed to make room again */
#define FSIZE_LIMIT (3 * 1024 * 1024)
#define ATTACHMENT 300000 /* bytes, under attachment_cap */
#define MAX_NOTES 60      /* far more than fit */

static const char circle_json[] =
    "{\"title\":\"Full disk circle\",\"slug\":\"fill\",\"time_zone\":\"UTC\","
    "\"start_date\":\"2030-03-04\",\"weeks\":2,\"slots\":[{\"weekday\":"
    "\"monday\",\"start\":\"12:00\",\"minutes\":30}],\"organizer\":{"
    "\"name\":\"Coordinators\",\"email\":\"circles@example.org\"}}";

static const char *const daemon_env[] = {"MINGLE_MIME_SECRET=" MIME_SECRET,
                                         "MINGLE_OUTBOX_INTERVAL=3600", NULL};

enum method { BY_MOUNT, BY_USERNS, BY_RLIMIT };

struct world {
    enum method method;
    char *dir, *fs, *db, *ballast, *token;
    int mounted;
    struct test_daemon d;
    long long circle;
};

static struct world *W;

static int write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0)
        return -1;
    n = write(fd, text, strlen(text));
    close(fd);
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

static int mount_tmpfs(const char *where)
{
    return mount("tmpfs", where, "tmpfs", MS_NOSUID | MS_NODEV,
                 "size=" FS_SIZE ",mode=0700");
}

/*
 * Put a small tmpfs at w->fs. Called first thing in main(): a user
 * namespace can only be entered while the process has one thread.
 */
static enum method choose_method(struct world *w)
{
    const char *force = getenv("MINGLE_FAULT_DISK");
    uid_t uid = getuid();
    gid_t gid = getgid();
    char map[64];

    if (!force || strcmp(force, "mount") == 0) {
        /* A private mount namespace: the mount goes when we do. */
        if (unshare(CLONE_NEWNS) == 0)
            mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
        if (mount_tmpfs(w->fs) == 0)
            return BY_MOUNT;
        fprintf(stderr, "mount -t tmpfs: %s\n", strerror(errno));
    }
    if (!force || strcmp(force, "userns") == 0) {
        if (unshare(CLONE_NEWUSER | CLONE_NEWNS) == 0) {
            snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
            write_file("/proc/self/setgroups", "deny");
            write_file("/proc/self/uid_map", map);
            snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
            write_file("/proc/self/gid_map", map);
            mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
            if (mount_tmpfs(w->fs) == 0)
                return BY_USERNS;
        }
        fprintf(stderr, "tmpfs in a user namespace: %s\n", strerror(errno));
    }
    return BY_RLIMIT;
}

static json_t *call(long *status, const char *method, const char *path,
                    const char *body, const char *ctype)
{
    return test_call_json(status, W->d.port, W->token, method, path, body,
                          ctype);
}

static int start_daemon(struct world *w)
{
    struct rlimit old, low;
    int rc;

    if (w->method != BY_RLIMIT)
        return test_daemon_start(&w->d, w->db, NULL, daemon_env);
    /* The daemon inherits a low soft limit (and SIGXFSZ ignored, so a
     * write past it fails with EFBIG); the hard limit stays, so the soft
     * one can be raised again from outside with prlimit(). */
    getrlimit(RLIMIT_FSIZE, &old);
    low = old;
    low.rlim_cur = FSIZE_LIMIT;
    signal(SIGXFSZ, SIG_IGN);
    setrlimit(RLIMIT_FSIZE, &low);
    rc = test_daemon_start(&w->d, w->db, NULL, daemon_env);
    setrlimit(RLIMIT_FSIZE, &old);
    return rc;
}

static int setup_world(void **state)
{
    struct world *w = W;
    static const char *const names[] = {"tmpfs (mount, private namespace)",
                                        "tmpfs in a user namespace",
                                        "RLIMIT_FSIZE on the daemon"};
    long status;
    json_t *doc;

    *state = w;
    fprintf(stderr, "disk full by: %s\n", names[w->method]);
    if (w->method == BY_RLIMIT) {
        free(w->fs);
        w->fs = mg_xstrdup(w->dir);
    }
    w->db = mg_xasprintf("%s/full.db", w->fs);
    w->ballast = mg_xasprintf("%s/ballast", w->fs);
    w->token = test_make_token(w->db, "coordinator");
    if (!w->token || start_daemon(w) < 0)
        return -1;
    doc = call(&status, "POST", "/api/v1/circles", circle_json, NULL);
    w->circle = json_integer_value(json_object_get(doc, "id"));
    json_decref(doc);
    return status == 201 ? 0 : -1;
}

static int teardown_world(void **state)
{
    struct world *w = *state;

    if (w->d.pid)
        test_daemon_stop(&w->d, SIGKILL);
    if (w->mounted)
        umount2(w->fs, MNT_DETACH);
    free(w->token);
    free(w->db);
    free(w->ballast);
    free(w->fs);
    test_rmdir(w->dir);
    free(w);
    return 0;
}

static void base64(struct mg_buf *out, const unsigned char *in, size_t len)
{
    static const char abc[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t i, col = 0;

    for (i = 0; i < len; i += 3) {
        unsigned v = (unsigned)in[i] << 16;
        char q[4];

        if (i + 1 < len)
            v |= (unsigned)in[i + 1] << 8;
        if (i + 2 < len)
            v |= in[i + 2];
        q[0] = abc[(v >> 18) & 63];
        q[1] = abc[(v >> 12) & 63];
        q[2] = i + 1 < len ? abc[(v >> 6) & 63] : '=';
        q[3] = i + 2 < len ? abc[v & 63] : '=';
        mg_buf_add(out, q, 4);
        col += 4;
        if (col == 76) {
            mg_buf_add(out, "\r\n", 2);
            col = 0;
        }
    }
    mg_buf_add(out, "\r\n", 2);
}

/* Note k: a raw message with an ATTACHMENT-byte attachment. */
static char *note_message(size_t *len, int k)
{
    struct mg_buf b = MG_BUF_INIT;
    unsigned char *data = mg_xmalloc(ATTACHMENT);
    uint32_t x = 2463534242u + (uint32_t)k;
    size_t i;

    for (i = 0; i < ATTACHMENT; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        data[i] = (unsigned char)x;
    }
    mg_buf_printf(&b,
                  "From: Someone <someone@example.net>\r\n"
                  "To: <fill+g1@x.nz>\r\nSubject: notes %d\r\n"
                  "Message-ID: <fill-%d@example.org>\r\n"
                  "Date: Tue, 05 Mar 2030 21:00:00 +0000\r\n"
                  "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; "
                  "boundary=\"b0undary\"\r\n\r\n--b0undary\r\n"
                  "Content-Type: text/plain; charset=utf-8\r\n\r\n"
                  "Notes number %d, with data.\r\n--b0undary\r\n"
                  "Content-Type: application/octet-stream; "
                  "name=\"data-%d.bin\"\r\nContent-Disposition: attachment; "
                  "filename=\"data-%d.bin\"\r\n"
                  "Content-Transfer-Encoding: base64\r\n\r\n",
                  k, k, k, k, k);
    base64(&b, data, ATTACHMENT);
    mg_buf_puts(&b, "--b0undary--\r\n");
    free(data);
    *len = b.len;
    return mg_buf_detach(&b);
}

static long post_note(int k)
{
    struct test_response resp;
    size_t len;
    char *msg = note_message(&len, k);
    long status = -1;

    if (test_http_ex(&resp, W->d.port, "POST", HOOK, NULL, NULL, msg, len,
                     "message/rfc822") == 0)
        status = resp.status;
    test_response_release(&resp);
    free(msg);
    return status;
}

/* How many notes the API lists with Message-ID fill-k (in review or
 * published); fails the test if one of them is not whole. */
static int notes_with_id(json_t *all, int k)
{
    char id[64], name[64];
    size_t i;
    int n = 0;

    snprintf(id, sizeof(id), "fill-%d@example.org", k);
    snprintf(name, sizeof(name), "data-%d.bin", k);
    for (i = 0; i < json_array_size(all); i++) {
        json_t *note = json_array_get(all, i), *atts;
        const char *mid =
            json_string_value(json_object_get(note, "message_id"));

        if (!mid || strcmp(mid, id) != 0)
            continue;
        n++;
        atts = json_object_get(note, "attachments");
        if (json_array_size(atts) != 1)
            fail_msg("note %s has %zu attachments", id, json_array_size(atts));
        assert_string_equal(
            json_string_value(json_object_get(json_array_get(atts, 0), "name")),
            name);
        assert_int_equal(json_integer_value(
                             json_object_get(json_array_get(atts, 0), "size")),
                         ATTACHMENT);
    }
    return n;
}

static void fill_ballast(void)
{
    char block[65536];
    int fd = open(W->ballast, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    size_t done = 0;

    assert_true(fd >= 0);
    memset(block, 'b', sizeof(block));
    while (done < BALLAST) {
        ssize_t n = write(fd, block, sizeof(block));
        assert_true(n > 0);
        done += (size_t)n;
    }
    close(fd);
}

static void free_space(void)
{
    if (W->method == BY_RLIMIT) {
        struct rlimit unlimited;
        assert_int_equal(prlimit(W->d.pid, RLIMIT_FSIZE, NULL, &unlimited), 0);
        unlimited.rlim_cur = unlimited.rlim_max;
        assert_int_equal(prlimit(W->d.pid, RLIMIT_FSIZE, &unlimited, NULL), 0);
    } else {
        assert_int_equal(unlink(W->ballast), 0);
    }
}

static void check_database(int notes)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;
    int k;

    assert_int_equal(sqlite3_open(W->db, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &stmt, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(stmt, 0), "ok");
    sqlite3_finalize(stmt);
    /* each note once, with its attachment's bytes all there */
    assert_int_equal(
        sqlite3_prepare_v2(
            db,
            "SELECT count(*), sum((SELECT count(*) FROM note_attachments a "
            "WHERE a.note_id = n.id AND a.size = ?2 AND length(a.content) "
            "= ?2)) FROM notes n WHERE n.message_id = ?1",
            -1, &stmt, NULL),
        SQLITE_OK);
    for (k = 0; k < notes; k++) {
        char id[64];

        snprintf(id, sizeof(id), "fill-%d@example.org", k);
        sqlite3_bind_text(stmt, 1, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(stmt, 2, ATTACHMENT);
        assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
        if (sqlite3_column_int(stmt, 0) != 1 ||
            sqlite3_column_int(stmt, 1) != 1)
            fail_msg("%s: %d notes, %d whole attachments", id,
                     sqlite3_column_int(stmt, 0), sqlite3_column_int(stmt, 1));
        sqlite3_reset(stmt);
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
}

static void test_disk_full(void **state)
{
    long statuses[MAX_NOTES];
    int k, posted = 0, first_fail = -1, acked = 0, refused = 0, status;
    json_t *all;
    long st;

    (void)state;
    if (W->method != BY_RLIMIT)
        fill_ballast();
    /* Notes until the file system is full, then a few more. */
    for (k = 0; k < MAX_NOTES; k++) {
        statuses[k] = post_note(k);
        posted = k + 1;
        if (statuses[k] < 0)
            fail_msg("note %d: no answer (did the daemon die?)", k);
        if (statuses[k] >= 200 && statuses[k] < 300) {
            acked++;
        } else if (statuses[k] >= 500 && statuses[k] < 600) {
            refused++;
            if (first_fail < 0)
                first_fail = k;
        } else {
            fail_msg("note %d: status %ld, not 2xx or 5xx", k, statuses[k]);
        }
        if (first_fail >= 0 && k >= first_fail + 2)
            break;
    }
    fprintf(stderr,
            "%d notes stored, then full: %d refused with 5xx (first: "
            "note %d, status %ld)\n",
            acked, refused, first_fail,
            first_fail >= 0 ? statuses[first_fail] : 0);
    assert_true(first_fail > 0); /* some fitted, then one did not */

    /* Still up, still reading; nothing half-stored. */
    assert_int_equal(waitpid(W->d.pid, &status, WNOHANG), 0);
    json_decref(call(&st, "GET", "/healthz", NULL, NULL));
    assert_int_equal(st, 200);
    all = test_notes_all(W->d.port, W->token, W->circle);
    for (k = 0; k < posted; k++) {
        int n = notes_with_id(all, k);
        if (statuses[k] < 300)
            assert_int_equal(n, 1); /* acknowledged: there */
        else
            assert_true(n <= 1); /* refused: whole or absent */
    }
    json_decref(all);

    /* Room again: the provider's retries are stored, once. */
    free_space();
    for (k = 0; k < posted; k++) {
        if (statuses[k] < 300)
            continue;
        statuses[k] = post_note(k);
        if (statuses[k] != 200)
            fail_msg("note %d retried after space was freed: %ld", k,
                     statuses[k]);
    }
    /* and a retry of one that was stored is a duplicate, not a second */
    assert_int_equal(post_note(0), 200);
    all = test_notes_all(W->d.port, W->token, W->circle);
    for (k = 0; k < posted; k++)
        assert_int_equal(notes_with_id(all, k), 1);
    assert_int_equal(json_array_size(all), (size_t)posted);
    json_decref(all);

    assert_int_equal(test_daemon_stop(&W->d, SIGTERM), 0);
    check_database(posted);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_disk_full),
    };
    struct world *w = mg_xcalloc(1, sizeof(*w));

    signal(SIGPIPE, SIG_IGN);
    w->dir = test_mkdtemp();
    w->fs = mg_xasprintf("%s/fs", w->dir);
    if (mkdir(w->fs, 0700) != 0)
        abort();
    /* before any thread exists (curl, cmocka and the log reader make
     * none yet) */
    w->method = choose_method(w);
    w->mounted = w->method != BY_RLIMIT;
    W = w;
    return cmocka_run_group_tests(tests, setup_world, teardown_world);
}
