/*
 * test_smtp_outbox.c: invitations delivered by `mingle serve` to a real
 * SMTP server on loopback (Debian's python3-aiosmtpd, storing what it
 * receives in a maildir). The server is stopped mid-run and restarted;
 * every message must arrive exactly once, with the iMIP structure:
 * multipart/mixed holding multipart/alternative (text/plain, text/html,
 * text/calendar; method=REQUEST) and an invite.ics attachment.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <gmime/gmime.h>
#include <jansson.h>

#include "support.h"

#define PEOPLE 6

static const char circle_json[] =
    "{\"title\":\"SMTP circle\",\"time_zone\":\"Pacific/Auckland\","
    "\"start_date\":\"2027-03-22\",\"weeks\":4,\"group_size\":{\"min\":2,"
    "\"max\":8},\"slots\":[{\"weekday\":\"tuesday\",\"start\":\"19:30\","
    "\"minutes\":60}],\"organizer\":{\"name\":\"Coordinators, NZ\","
    "\"email\":\"circles@example.org\"}}";

struct world {
    struct test_site site;
    char *inbox;
    int smtp_port;
    pid_t smtp;
    long long circle;
};

static struct world *W;

static int smtp_start(void)
{
    W->smtp = test_smtp_start(&W->smtp_port, W->inbox);
    return W->smtp > 0 ? 0 : -1;
}

static void smtp_stop(void)
{
    if (W->smtp > 0) {
        kill(W->smtp, SIGKILL);
        waitpid(W->smtp, NULL, 0);
        W->smtp = 0;
    }
}

static json_t *call(long *status, const char *method, const char *path,
                    const char *body, const char *ctype)
{
    return test_site_call(&W->site, status, method, path, body, ctype);
}

static size_t count_new(void)
{
    char *path = mg_xasprintf("%s/new", W->inbox);
    DIR *d = opendir(path);
    struct dirent *e;
    size_t n = 0;

    free(path);
    if (!d)
        return 0;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

static size_t wait_inbox(size_t n, int seconds)
{
    size_t have = 0;
    int i;

    for (i = 0; i < seconds * 20; i++) {
        have = count_new();
        if (have >= n)
            break;
        usleep(50000);
    }
    return have;
}

static int setup_world(void **state)
{
    struct world *w = mg_xcalloc(1, sizeof(*w));
    char *smtp_env, *maildir_env;
    const char *env[6];
    const struct test_site_opts opts = {.env = env};
    struct mg_buf csv = MG_BUF_INIT;
    int i, rc;

    if (access("/usr/bin/python3", X_OK) != 0) {
        fprintf(stderr, "needs /usr/bin/python3 with python3-aiosmtpd "
                        "(Debian packages; see .ci/install-deps)\n");
        return -1;
    }
    W = w;
    if (test_site_init(&w->site, "smtp.db") < 0)
        return -1;
    w->inbox = mg_xasprintf("%s/inbox", w->site.dir);
    w->smtp_port = 0; /* smtp_start() picks one */
    if (smtp_start() < 0) {
        fprintf(stderr, "cannot start aiosmtpd: is python3-aiosmtpd "
                        "installed?\n");
        return -1;
    }
    smtp_env =
        mg_xasprintf("MINGLE_SMTP_URL=smtp://127.0.0.1:%d", w->smtp_port);
    maildir_env = mg_xasprintf("MINGLE_MAILDIR=%s/unused", w->site.dir);
    env[0] = smtp_env;
    env[1] = maildir_env;
    env[2] = "MINGLE_OUTBOX_INTERVAL=1";
    env[3] = "MINGLE_OUTBOX_RETRY=1";
    env[4] = "MINGLE_MAIL_FROM=circles@example.org";
    env[5] = NULL;
    if (test_site_serve(&w->site, &opts) < 0)
        return -1;
    w->circle = test_site_circle(&w->site, circle_json, NULL);
    mg_buf_puts(&csv, "name,email,role\n");
    for (i = 0; i < PEOPLE; i++)
        mg_buf_printf(&csv, "\"Person %d, Jr.\",p%d@example.org,%s\n", i, i,
                      i == 0 ? "facilitator" : "participant");
    rc = test_site_people(&w->site, w->circle, csv.data);
    mg_buf_release(&csv);
    free(smtp_env);
    free(maildir_env);
    *state = w;
    return rc;
}

static int teardown_world(void **state)
{
    struct world *w = *state;

    if (!w)
        return 0;
    /* the daemon first, the SMTP server next, their directory last */
    test_daemon_stop(&w->site.d, SIGTERM);
    smtp_stop();
    test_site_stop(&w->site, SIGTERM);
    free(w->inbox);
    free(w);
    return 0;
}

/* Check one received message's MIME structure with GMime. */
static void check_structure(const char *file, char **message_id, char **to)
{
    GMimeStream *stream = g_mime_stream_fs_open(file, O_RDONLY, 0, NULL);
    GMimeParser *parser;
    GMimeMessage *msg;
    GMimeObject *top, *alt;
    GMimeMultipart *mixed, *alts;
    InternetAddressList *rcpt;
    const char *method;

    assert_non_null(stream);
    parser = g_mime_parser_new_with_stream(stream);
    msg = g_mime_parser_construct_message(parser, NULL);
    assert_non_null(msg);
    top = g_mime_message_get_mime_part(msg);
    assert_true(GMIME_IS_MULTIPART(top));
    assert_true(g_mime_content_type_is_type(g_mime_object_get_content_type(top),
                                            "multipart", "mixed"));
    mixed = GMIME_MULTIPART(top);
    assert_int_equal(g_mime_multipart_get_count(mixed), 2);
    alt = g_mime_multipart_get_part(mixed, 0);
    assert_true(g_mime_content_type_is_type(g_mime_object_get_content_type(alt),
                                            "multipart", "alternative"));
    alts = GMIME_MULTIPART(alt);
    assert_int_equal(g_mime_multipart_get_count(alts), 3);
    assert_true(g_mime_content_type_is_type(
        g_mime_object_get_content_type(g_mime_multipart_get_part(alts, 0)),
        "text", "plain"));
    assert_true(g_mime_content_type_is_type(
        g_mime_object_get_content_type(g_mime_multipart_get_part(alts, 1)),
        "text", "html"));
    assert_true(g_mime_content_type_is_type(
        g_mime_object_get_content_type(g_mime_multipart_get_part(alts, 2)),
        "text", "calendar"));
    method = g_mime_content_type_get_parameter(
        g_mime_object_get_content_type(g_mime_multipart_get_part(alts, 2)),
        "method");
    assert_non_null(method);
    assert_string_equal(method, "REQUEST");
    assert_string_equal(g_mime_part_get_filename(
                            GMIME_PART(g_mime_multipart_get_part(mixed, 1))),
                        "invite.ics");
    *message_id = mg_xstrdup(g_mime_message_get_message_id(msg));
    rcpt = g_mime_message_get_addresses(msg, GMIME_ADDRESS_TYPE_TO);
    *to = internet_address_list_to_string(rcpt, NULL, FALSE);
    g_object_unref(msg);
    g_object_unref(parser);
    g_object_unref(stream);
}

static int compare_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_delivered_exactly_once_across_restart(void **state)
{
    char *plan = mg_xasprintf("/api/v1/circles/%lld/groups/plan", W->circle);
    char *sessions = mg_xasprintf("/api/v1/circles/%lld/sessions", W->circle);
    char *outbox = mg_xasprintf("/api/v1/circles/%lld/outbox", W->circle);
    char *patch;
    long status;
    json_t *doc, *msgs;
    size_t i, failed_seen = 0;
    char *ids[2 * PEOPLE], *tos[2 * PEOPLE];
    char *newdir = mg_xasprintf("%s/new", W->inbox);
    struct dirent *e;
    DIR *d;
    size_t n = 0;

    (void)state;
    doc = call(&status, "POST", plan, NULL, NULL);
    assert_int_equal(status, 201);
    json_decref(doc);
    assert_int_equal(wait_inbox(PEOPLE, 10), PEOPLE);

    /* The server goes away; a change queues a new round of REQUESTs. */
    smtp_stop();
    doc = call(&status, "GET", sessions, NULL, NULL);
    patch = mg_xasprintf(
        "/api/v1/circles/%lld/sessions/%lld", W->circle,
        (long long)json_integer_value(json_object_get(
            json_array_get(json_object_get(doc, "sessions"), 1), "id")));
    json_decref(doc);
    doc =
        call(&status, "PATCH", patch, "{\"start\":\"2027-04-01T19:30\"}", NULL);
    assert_int_equal(status, 200);
    json_decref(doc);
    /* The sender tries, fails, and keeps them queued with the error. */
    for (i = 0; i < 100 && !failed_seen; i++) {
        size_t j;
        usleep(100000);
        doc = call(&status, "GET", outbox, NULL, NULL);
        msgs = json_object_get(doc, "messages");
        for (j = 0; j < json_array_size(msgs); j++) {
            json_t *m = json_array_get(msgs, j);
            if (json_integer_value(json_object_get(m, "attempts")) >= 1 &&
                strcmp(json_string_value(json_object_get(m, "status")),
                       "queued") == 0 &&
                json_is_string(json_object_get(m, "last_error")))
                failed_seen++;
        }
        json_decref(doc);
    }
    assert_true(failed_seen > 0);
    assert_int_equal(count_new(), PEOPLE);

    /* Back up: everything arrives, once. */
    assert_int_equal(smtp_start(), 0);
    assert_int_equal(wait_inbox(2 * PEOPLE, 30), 2 * PEOPLE);
    sleep(2); /* give a duplicate the chance to show up */
    assert_int_equal(count_new(), 2 * PEOPLE);
    doc = call(&status, "GET", outbox, NULL, NULL);
    msgs = json_object_get(doc, "messages");
    assert_int_equal(json_array_size(msgs), 2 * PEOPLE);
    for (i = 0; i < json_array_size(msgs); i++)
        assert_string_equal(json_string_value(json_object_get(
                                json_array_get(msgs, i), "status")),
                            "sent");
    json_decref(doc);

    d = opendir(newdir);
    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        char *file;
        if (e->d_name[0] == '.')
            continue;
        assert_true(n < 2 * PEOPLE);
        file = mg_xasprintf("%s/%s", newdir, e->d_name);
        check_structure(file, &ids[n], &tos[n]);
        free(file);
        n++;
    }
    closedir(d);
    assert_int_equal(n, 2 * PEOPLE);
    qsort(ids, n, sizeof(*ids), compare_str);
    qsort(tos, n, sizeof(*tos), compare_str);
    for (i = 1; i < n; i++)
        assert_string_not_equal(ids[i - 1], ids[i]);
    /* each member got exactly two messages */
    for (i = 0; i < n; i += 2) {
        assert_string_equal(tos[i], tos[i + 1]);
        if (i + 2 < n)
            assert_string_not_equal(tos[i], tos[i + 2]);
    }
    for (i = 0; i < n; i++) {
        free(ids[i]);
        g_free(tos[i]);
    }
    free(newdir);
    free(patch);
    free(plan);
    free(sessions);
    free(outbox);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_delivered_exactly_once_across_restart),
    };
    int rc;

    g_mime_init();
    rc = cmocka_run_group_tests(tests, setup_world, teardown_world);
    g_mime_shutdown();
    return rc;
}
