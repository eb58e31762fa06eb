/*
 * test_outbox_send.c: the outbox transports against the real thing. SMTP
 * through libcurl to a real server on loopback (Debian's python3-aiosmtpd
 * with its Mailbox handler, which stores each message it accepts in a
 * maildir we read back), including the server going away and coming
 * back; the maildir transport; the retry schedule.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "mingle/mail.h"
#include "mingle/circle.h"
#include "mingle/outbox.h"
#include "mingle/store.h"
#include "support.h"

#define PYTHON "/usr/bin/python3"
#define NEEDS "python3-aiosmtpd (Debian package; .ci/install-deps installs it)"

/* One SMTP sink, its inbox, and everything a teardown must undo. */
struct sink {
    char *dir;   /* holds inbox/ and server.log */
    char *inbox; /* aiosmtpd's maildir */
    char *url;
    int port;
    pid_t pid;
};

static struct sink *S;

static int free_port(void)
{
    struct sockaddr_in sa;
    socklen_t n = sizeof(sa);
    int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
        getsockname(fd, (struct sockaddr *)&sa, &n) == 0)
        port = ntohs(sa.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

static void print_server_log(void)
{
    char *path = mg_xasprintf("%s/server.log", S->dir);
    FILE *f = fopen(path, "r");
    char line[512];

    fprintf(stderr, "--- aiosmtpd log ---\n");
    while (f && fgets(line, sizeof(line), f))
        fputs(line, stderr);
    if (f)
        fclose(f);
    free(path);
}

/* True once the server answers with its 220 greeting. */
static int greets(int port)
{
    struct pollfd pfd;
    char buf[64] = "";
    int fd = test_connect(port), ok = 0;

    if (fd < 0)
        return 0;
    pfd.fd = fd;
    pfd.events = POLLIN;
    if (poll(&pfd, 1, 2000) == 1 && read(fd, buf, sizeof(buf) - 1) >= 4)
        ok = strncmp(buf, "220", 3) == 0;
    close(fd);
    return ok;
}

static void server_stop(void)
{
    if (S && S->pid > 0) {
        kill(S->pid, SIGKILL);
        waitpid(S->pid, NULL, 0);
        S->pid = -1;
    }
}

/* Start aiosmtpd on S->port; 0 once it greets, -1 if it died or hung. */
static int server_start(void)
{
    char listen[32], *log = mg_xasprintf("%s/server.log", S->dir);
    int i, fd;

    snprintf(listen, sizeof(listen), "127.0.0.1:%d", S->port);
    S->pid = fork();
    assert_true(S->pid >= 0);
    if (S->pid == 0) {
        /* die with the test, whatever way it ends */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execl(PYTHON, "python3", "-m", "aiosmtpd", "-n", "-l", listen, "-c",
              "aiosmtpd.handlers.Mailbox", S->inbox, (char *)NULL);
        _exit(127);
    }
    free(log);
    for (i = 0; i < 150; i++) {
        if (waitpid(S->pid, NULL, WNOHANG) == S->pid) {
            S->pid = -1;
            return -1;
        }
        if (greets(S->port))
            return 0;
        sleep_ms(100);
    }
    server_stop();
    return -1;
}

static int aiosmtpd_installed(void)
{
    return access(PYTHON, X_OK) == 0 &&
           system(PYTHON " -c 'import aiosmtpd.handlers' 2>/dev/null") == 0;
}

static int sink_setup(void **state)
{
    int tries;

    (void)state;
    if (!aiosmtpd_installed()) {
        fprintf(stderr, "test_outbox_send needs %s at %s -m aiosmtpd\n", NEEDS,
                PYTHON);
        return -1;
    }
    S = mg_xcalloc(1, sizeof(*S));
    S->pid = -1;
    S->dir = test_mkdtemp();
    S->inbox = mg_xasprintf("%s/inbox", S->dir);
    /* another process may take the free port first: try a few */
    for (tries = 0; tries < 5; tries++) {
        S->port = free_port();
        if (S->port > 0 && server_start() == 0)
            break;
    }
    if (S->pid <= 0) {
        print_server_log();
        fprintf(stderr, "aiosmtpd (%s) did not start\n", NEEDS);
        return -1;
    }
    S->url = mg_xasprintf("smtp://127.0.0.1:%d", S->port);
    return 0;
}

static int sink_teardown(void **state)
{
    (void)state;
    if (!S)
        return 0;
    server_stop();
    test_rmdir(S->dir);
    free(S->inbox);
    free(S->url);
    free(S);
    S = NULL;
    return 0;
}

static struct mg_outbox_config smtp_config(void)
{
    struct mg_outbox_config cfg;

    memset(&cfg, 0, sizeof(cfg));
    cfg.smtp_url = S->url;
    cfg.envelope_from = "circles@example.org";
    cfg.timeout_seconds = 10;
    return cfg;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    struct mg_buf b = MG_BUF_INIT;
    char chunk[4096];
    size_t n;

    assert_non_null(f);
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        mg_buf_add(&b, chunk, n);
    fclose(f);
    *len = b.len;
    mg_buf_add(&b, "", 0);
    return mg_buf_detach(&b);
}

/* The files in `dir`, sorted; *n of them. Free with free_names(). */
static char **list_dir(const char *dir, size_t *n)
{
    struct dirent **ents = NULL;
    char **names;
    int i, count = scandir(dir, &ents, NULL, alphasort);
    size_t k = 0;

    if (count < 0) {
        *n = 0;
        return NULL;
    }
    names = mg_xcalloc((size_t)count + 1, sizeof(*names));
    for (i = 0; i < count; i++) {
        if (ents[i]->d_name[0] != '.')
            names[k++] = mg_xasprintf("%s/%s", dir, ents[i]->d_name);
        free(ents[i]);
    }
    free(ents);
    *n = k;
    return names;
}

static void free_names(char **names, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/*
 * What the sink stored for a message, back in the form it was sent: LF
 * made CRLF again (Python's maildir writes LF), and the three headers
 * the Mailbox handler adds (X-Peer, X-MailFrom, X-RcptTo) checked and
 * taken out. free().
 */
static char *as_sent(const char *stored, const char *from, const char *rcpt)
{
    struct mg_buf b = MG_BUF_INIT;
    const char *p = stored, *body = strstr(stored, "\n\n");
    char *want_from = mg_xasprintf("X-MailFrom: %s", from);
    char *want_rcpt = mg_xasprintf("X-RcptTo: %s", rcpt);
    int seen = 0;

    assert_non_null(body);
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        int in_head = p <= body;
        if (in_head && strncmp(p, "X-Peer: ", 8) == 0) {
            seen |= 1;
        } else if (in_head && strncmp(p, "X-MailFrom: ", 12) == 0) {
            assert_true(n == strlen(want_from) && memcmp(p, want_from, n) == 0);
            seen |= 2;
        } else if (in_head && strncmp(p, "X-RcptTo: ", 10) == 0) {
            assert_true(n == strlen(want_rcpt) && memcmp(p, want_rcpt, n) == 0);
            seen |= 4;
        } else {
            mg_buf_add(&b, p, n);
            if (nl)
                mg_buf_add(&b, "\r\n", 2);
        }
        p += n + (nl ? 1 : 0);
    }
    assert_int_equal(seen, 7);
    free(want_from);
    free(want_rcpt);
    mg_buf_add(&b, "", 0);
    return mg_buf_detach(&b);
}

/* The one stored message holding `marker`; fails unless exactly one. */
static char *received(const char *marker, const char *rcpt)
{
    char *newdir = mg_xasprintf("%s/new", S->inbox), **names, *found = NULL;
    size_t n = 0, i, len, hits = 0;

    names = list_dir(newdir, &n);
    for (i = 0; i < n; i++) {
        char *data = read_file(names[i], &len);
        if (strstr(data, marker)) {
            hits++;
            free(found);
            found = as_sent(data, "circles@example.org", rcpt);
        }
        free(data);
    }
    free_names(names, n);
    free(newdir);
    assert_int_equal(hits, 1);
    return found;
}

static size_t inbox_count(void)
{
    char *newdir = mg_xasprintf("%s/new", S->inbox), **names;
    size_t n = 0;

    names = list_dir(newdir, &n);
    free_names(names, n);
    free(newdir);
    return n;
}

/* A plain message whose body has dot lines SMTP must stuff and unstuff. */
static char *dotted_message(const char *marker, size_t body_lines)
{
    struct mg_buf b = MG_BUF_INIT;
    size_t i;

    mg_buf_printf(&b,
                  "From: Circles <circles@example.org>\r\n"
                  "To: someone@example.net\r\n"
                  "Subject: %s\r\n"
                  "Message-Id: <%s@example.org>\r\n"
                  "MIME-Version: 1.0\r\n"
                  "Content-Type: text/plain; charset=us-ascii\r\n"
                  "\r\n"
                  ".\r\n"
                  "..two dots\r\n"
                  ". one dot and a space\r\n",
                  marker, marker);
    for (i = 0; i < body_lines; i++)
        mg_buf_printf(&b, "%s line %zu of a longer body, to span reads\r\n",
                      i % 7 ? "" : ".", i);
    mg_buf_puts(&b, "last line\r\n");
    return mg_buf_detach(&b);
}

static char *imip_message(const char *marker)
{
    struct mg_imip m;
    struct mg_error err = {{0}, {0}};
    char *out = NULL, *id = mg_xasprintf("<%s@example.org>", marker);
    size_t len;

    memset(&m, 0, sizeof(m));
    m.from_name = "Reading circles, NZ";
    m.from_email = "circles@example.org";
    m.to_name = "Āwhina Tē";
    m.to_email = "awhina@example.net";
    m.subject = "Invitation: Atlas";
    m.text = "Kia ora Āwhina,\n\nYou are in Atlas.\n";
    m.html = "<p>Kia ora &#256;whina,</p>";
    m.ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\n"
            "END:VCALENDAR\r\n";
    m.method = "REQUEST";
    m.message_id = id;
    assert_int_equal(mg_mail_build_imip(&out, &len, &m, &err), 0);
    free(id);
    return out;
}

static int send_one(const struct mg_outbox_config *cfg, int64_t id,
                    const char *rcpt, const char *message, struct mg_error *err)
{
    struct mg_outgoing m;

    memset(&m, 0, sizeof(m));
    m.id = id;
    m.recipient = rcpt;
    m.message = message;
    m.len = strlen(message);
    return mg_outbox_send(cfg, &m, err);
}

static void assert_delivered(const char *marker, const char *rcpt,
                             const char *sent)
{
    char *got = received(marker, rcpt);

    assert_string_equal(got, sent);
    free(got);
}

static void test_smtp_delivery(void **state)
{
    struct mg_outbox_config cfg = smtp_config();
    struct mg_error err = {{0}, {0}};
    char *msg[4];
    const char *rcpt[4] = {"awhina@example.net", "one@example.net",
                           "two@example.net", "awhina@example.net"};
    const char *marker[4] = {"imip-1", "dots-2", "long-3", "after-restart-4"};
    int i;

    (void)state;
    msg[0] = imip_message(marker[0]);
    msg[1] = dotted_message(marker[1], 3);
    msg[2] = dotted_message(marker[2], 20000); /* about 1 MB */
    msg[3] = dotted_message(marker[3], 10);
    assert_int_equal(inbox_count(), 0);
    for (i = 0; i < 3; i++) {
        assert_int_equal(send_one(&cfg, i + 1, rcpt[i], msg[i], &err), 0);
        assert_int_equal(inbox_count(), (size_t)i + 1);
    }
    for (i = 0; i < 3; i++)
        assert_delivered(marker[i], rcpt[i], msg[i]);

    /* the server goes away: a transient error with curl's reason */
    server_stop();
    memset(&err, 0, sizeof(err));
    assert_int_equal(send_one(&cfg, 4, rcpt[3], msg[3], &err), MG_EIO);
    assert_string_equal(err.field, "smtp");
    assert_true(strlen(err.message) > 0);
    assert_non_null(strstr(err.message, "onnect"));

    /* and comes back: the retry goes through, nothing else is repeated */
    if (server_start() != 0) {
        print_server_log();
        fail_msg("aiosmtpd did not come back on port %d", S->port);
    }
    memset(&err, 0, sizeof(err));
    assert_int_equal(send_one(&cfg, 4, rcpt[3], msg[3], &err), 0);
    assert_int_equal(inbox_count(), 4);
    for (i = 0; i < 4; i++)
        assert_delivered(marker[i], rcpt[i], msg[i]);
    for (i = 0; i < 4; i++)
        free(msg[i]);
}

/*
 * With a password to send, smtp:// must get STARTTLS or fail: this sink
 * offers none, so nothing is sent, and the error never shows the
 * password.
 */
static void test_smtp_credentials_need_tls(void **state)
{
    struct mg_outbox_config cfg = smtp_config();
    struct mg_error err = {{0}, {0}};
    char *msg = dotted_message("creds", 1);

    (void)state;
    cfg.smtp_user = "circles";
    cfg.smtp_password = "hunter2-s3cret";
    assert_int_equal(send_one(&cfg, 9, "one@example.net", msg, &err), MG_EIO);
    assert_true(strlen(err.message) > 0);
    assert_null(strstr(err.message, "hunter2-s3cret"));
    assert_int_equal(inbox_count(), 0);

    /* without credentials the same server takes it (STARTTLS "try") */
    cfg.smtp_user = NULL;
    cfg.smtp_password = NULL;
    assert_int_equal(send_one(&cfg, 9, "one@example.net", msg, &err), 0);
    assert_int_equal(inbox_count(), 1);
    free(msg);
}

static void test_smtp_refused_input(void **state)
{
    struct mg_outbox_config cfg = smtp_config();
    struct mg_error err = {{0}, {0}};
    char *msg = dotted_message("refused", 1), *http;

    (void)state;
    /* an address that would smuggle an SMTP command */
    assert_int_equal(
        send_one(&cfg, 1, "a@example.net>\r\nRCPT TO:<b@x.org", msg, &err),
        MG_EINVAL);
    assert_string_equal(err.field, "recipient");
    cfg.envelope_from = "nobody";
    assert_int_equal(send_one(&cfg, 1, "a@example.net", msg, &err), MG_EINVAL);
    assert_string_equal(err.field, "envelope_from");
    /* only smtp:// and smtps:// are spoken, whatever the URL says */
    cfg = smtp_config();
    http = mg_xasprintf("http://127.0.0.1:%d/", S->port);
    cfg.smtp_url = http;
    memset(&err, 0, sizeof(err));
    assert_int_equal(send_one(&cfg, 1, "a@example.net", msg, &err), MG_EIO);
    assert_true(strlen(err.message) > 0);
    assert_int_equal(inbox_count(), 0);
    free(http);
    free(msg);
}

static void test_maildir(void **state)
{
    char *dir = test_mkdtemp();
    char *maildir = mg_xasprintf("%s/out/", dir);
    char *sub, **names;
    struct mg_outbox_config cfg;
    struct mg_error err = {{0}, {0}};
    /* exact bytes, whatever they are: LF, CRLF, a NUL-free binary tail */
    const char first[] =
        "Subject: one\r\n\r\nbody\nwith LF\r\nand CRLF\x01\xff";
    const char second[] = "Subject: two\r\n\r\nsecond\r\n";
    struct mg_outgoing m;
    size_t n, len;
    char *data;

    (void)state;
    memset(&cfg, 0, sizeof(cfg));
    cfg.maildir = maildir;
    memset(&m, 0, sizeof(m));
    m.id = 7;
    m.recipient = "someone@example.net";
    m.message = first;
    m.len = sizeof(first) - 1;
    assert_int_equal(mg_outbox_send(&cfg, &m, &err), 0);

    sub = mg_xasprintf("%s/new", maildir);
    names = list_dir(sub, &n);
    assert_int_equal(n, 1);
    data = read_file(names[0], &len);
    assert_int_equal(len, sizeof(first) - 1);
    assert_memory_equal(data, first, len);
    free(data);
    free_names(names, n);
    free(sub);
    sub = mg_xasprintf("%s/tmp", maildir);
    names = list_dir(sub, &n);
    assert_non_null(names);
    assert_int_equal(n, 0);
    free_names(names, n);
    free(sub);
    sub = mg_xasprintf("%s/cur", maildir);
    names = list_dir(sub, &n);
    assert_non_null(names);
    assert_int_equal(n, 0);
    free_names(names, n);
    free(sub);

    /* a second message gets its own file, even with the same id */
    m.message = second;
    m.len = sizeof(second) - 1;
    assert_int_equal(mg_outbox_send(&cfg, &m, &err), 0);
    sub = mg_xasprintf("%s/new", maildir);
    names = list_dir(sub, &n);
    assert_int_equal(n, 2);
    free_names(names, n);
    free(sub);

    /* a maildir that cannot be made: MG_EIO and the path in the message */
    free(maildir);
    sub = mg_xasprintf("%s/file", dir);
    data = mg_xasprintf("%s/file/maildir", dir);
    assert_true(fclose(fopen(sub, "w")) == 0);
    cfg.maildir = data;
    memset(&err, 0, sizeof(err));
    assert_int_equal(mg_outbox_send(&cfg, &m, &err), MG_EIO);
    assert_non_null(strstr(err.message, data));
    free(data);
    free(sub);
    test_rmdir(dir);
}

/* A batch into the maildir: every good message in new/ with its exact
 * bytes, a bad one refused on its own, nothing left in tmp/. */
static void test_maildir_batch(void **state)
{
    char *dir = test_mkdtemp();
    char *maildir = mg_xasprintf("%s/out", dir);
    char *sub, **names;
    struct mg_outbox_config cfg;
    struct mg_outgoing m[3];
    struct mg_error errs[3];
    const char *const body[3] = {"Subject: a\r\n\r\na\r\n",
                                 "Subject: b\r\n\r\nb\r\n",
                                 "Subject: c\r\n\r\ncc\r\n"};
    int ok[3], seen[3] = {0, 0, 0};
    size_t n, i, j, len;

    (void)state;
    memset(&cfg, 0, sizeof(cfg));
    memset(m, 0, sizeof(m));
    memset(errs, 0, sizeof(errs));
    cfg.maildir = maildir;
    for (i = 0; i < 3; i++) {
        m[i].id = (int64_t)i + 1;
        m[i].recipient = i == 1 ? "not an address" : "someone@example.net";
        m[i].message = body[i];
        m[i].len = strlen(body[i]);
    }
    assert_int_equal(mg_outbox_send_maildir(&cfg, m, 3, ok, errs), 0);
    assert_int_equal(ok[0], 1);
    assert_int_equal(ok[1], 0);
    assert_int_equal(ok[2], 1);
    assert_non_null(strstr(errs[1].message, "not an address"));
    sub = mg_xasprintf("%s/new", maildir);
    names = list_dir(sub, &n);
    assert_int_equal(n, 2);
    for (i = 0; i < n; i++) {
        char *data = read_file(names[i], &len);

        for (j = 0; j < 3; j++)
            if (len == strlen(body[j]) && memcmp(data, body[j], len) == 0)
                seen[j]++;
        free(data);
    }
    assert_int_equal(seen[0], 1);
    assert_int_equal(seen[1], 0);
    assert_int_equal(seen[2], 1);
    free_names(names, n);
    free(sub);
    sub = mg_xasprintf("%s/tmp", maildir);
    names = list_dir(sub, &n);
    assert_int_equal(n, 0);
    free_names(names, n);
    free(sub);

    /* over SMTP there is no batch */
    cfg.smtp_url = "smtp://127.0.0.1:1";
    assert_int_equal(mg_outbox_send_maildir(&cfg, m, 3, ok, errs), MG_EINVAL);
    assert_int_equal(ok[0] + ok[1] + ok[2], 0);
    /* a maildir that cannot be made: every message failed, with the path */
    cfg.smtp_url = NULL;
    free(maildir);
    sub = mg_xasprintf("%s/file", dir);
    maildir = mg_xasprintf("%s/file/maildir", dir);
    assert_true(fclose(fopen(sub, "w")) == 0);
    cfg.maildir = maildir;
    assert_int_equal(mg_outbox_send_maildir(&cfg, m, 3, ok, errs), MG_EIO);
    assert_int_equal(ok[0] + ok[1] + ok[2], 0);
    assert_non_null(strstr(errs[2].message, maildir));
    free(sub);
    free(maildir);
    test_rmdir(dir);
}

/* A flush into the maildir: the good messages delivered and marked
 * sent, the bad one scheduled again, and nothing sent twice. */
static void test_flush_maildir(void **state)
{
    char *dir = test_mkdtemp();
    char *db = mg_xasprintf("%s/t.db", dir);
    char *maildir = mg_xasprintf("%s/out", dir);
    char *sub, **names;
    struct mg_store_options opt = {1, 2000};
    struct mg_store *st = NULL;
    struct mg_store_tx *tx = NULL;
    struct mg_error err = {{0}, {0}};
    struct mg_slot slot = {0, 2, 19 * 60 + 30, 60};
    struct mg_outbox_config cfg;
    struct mg_outbox_row *rows = NULL;
    struct mg_circle c;
    size_t sent = 0, failed = 0, queued = 0, n, i;
    int k;

    (void)state;
    assert_int_equal(mg_store_open(&st, db, &opt, &err), 0);
    memset(&c, 0, sizeof(c));
    c.title = mg_xstrdup("Outbox");
    c.time_zone = mg_xstrdup("Pacific/Auckland");
    memcpy(c.start_date, "2027-03-22", 11);
    c.weeks = 4;
    c.slots = &slot;
    c.n_slots = 1;
    c.group_min = 3;
    c.group_max = 4;
    c.organizer_name = mg_xstrdup("Coordinator");
    c.organizer_email = mg_xstrdup("coord@example.org");
    assert_int_equal(mg_store_circle_create(st, &c), 0);
    assert_int_equal(mg_store_begin(&tx, st), 0);
    for (k = 0; k < 5; k++) {
        struct mg_outbox_msg m;
        char *to = mg_xasprintf(k == 3 ? "nobody-%d" : "p%d@example.org", k);
        char *key = mg_xasprintf("test-%d", k);
        char *msg = mg_xasprintf("To: %s\r\nSubject: %d\r\n\r\nHello %d.\r\n",
                                 to, k, k);

        memset(&m, 0, sizeof(m));
        m.circle_id = c.id;
        m.kind = "test";
        m.recipient = to;
        m.subject = "hello";
        m.message = msg;
        m.len = strlen(msg);
        m.dedupe_key = key;
        assert_int_equal(mg_store_tx_outbox_queue(&queued, tx, &m), 0);
        free(to);
        free(key);
        free(msg);
    }
    assert_int_equal(mg_store_commit(tx), 0);
    assert_int_equal(queued, 5);

    memset(&cfg, 0, sizeof(cfg));
    cfg.maildir = maildir;
    cfg.max_attempts = 5;
    assert_int_equal(mg_outbox_flush(&sent, &failed, st, &cfg, 100), 0);
    assert_int_equal(sent, 4);
    assert_int_equal(failed, 1);
    assert_int_equal(mg_store_outbox_list(&rows, &n, st, c.id, NULL, 0), 0);
    assert_int_equal(n, 5);
    for (i = 0; i < n; i++) {
        if (strncmp(rows[i].recipient, "nobody", 6) == 0) {
            assert_int_equal(rows[i].status, MG_STORE_OUTBOX_QUEUED);
            assert_int_equal(rows[i].attempts, 1);
            assert_non_null(rows[i].last_error);
        } else {
            assert_int_equal(rows[i].status, MG_STORE_OUTBOX_SENT);
            assert_int_equal(rows[i].attempts, 1);
        }
    }
    mg_store_outbox_free(rows, n);
    /* nothing is due now: a second round sends nothing more */
    assert_int_equal(mg_outbox_flush(&sent, &failed, st, &cfg, 100), 0);
    assert_int_equal(sent + failed, 0);
    sub = mg_xasprintf("%s/new", maildir);
    names = list_dir(sub, &n);
    assert_int_equal(n, 4);
    free_names(names, n);
    free(sub);

    c.slots = NULL;
    c.n_slots = 0;
    mg_circle_release(&c);
    mg_store_close(st);
    free(db);
    free(maildir);
    test_rmdir(dir);
}

static void test_no_transport(void **state)
{
    struct mg_outbox_config cfg;
    struct mg_error err = {{0}, {0}};
    char *msg = dotted_message("none", 1);

    (void)state;
    memset(&cfg, 0, sizeof(cfg));
    assert_int_equal(send_one(&cfg, 1, "a@example.net", msg, &err), MG_EINVAL);
    assert_true(strlen(err.message) > 0);
    free(msg);
}

static void test_backoff(void **state)
{
    static const int64_t base[] = {30,    60,    120,   240,   480,   960,
                                   1920,  3840,  7680,  15360, 21600, 21600,
                                   21600, 21600, 21600, 21600};
    size_t a;
    int64_t id, v, lo, hi;

    (void)state;
    for (a = 0; a < sizeof(base) / sizeof(base[0]); a++) {
        lo = INT64_MAX;
        hi = 0;
        for (id = 1; id <= 1000; id++) {
            v = mg_outbox_backoff((int)a, id);
            assert_true(v >= base[a]);
            assert_true(v <= base[a] + base[a] / 10);
            assert_int_equal(v, mg_outbox_backoff((int)a, id)); /* fixed */
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
        /* the jitter spreads over most of its 10% */
        assert_true(lo <= base[a] + base[a] / 100);
        assert_true(hi >= base[a] + base[a] / 10 - base[a] / 100);
    }
    /* neighbouring ids do not retry together */
    assert_int_not_equal(mg_outbox_backoff(9, 1000),
                         mg_outbox_backoff(9, 1001));
    /* far past the cap, and nonsense, stay in range */
    v = mg_outbox_backoff(INT_MAX, INT64_MAX);
    assert_true(v >= 21600 && v <= 23760);
    v = mg_outbox_backoff(-3, -5);
    assert_true(v >= 30 && v <= 33);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_smtp_delivery, sink_setup,
                                        sink_teardown),
        cmocka_unit_test_setup_teardown(test_smtp_credentials_need_tls,
                                        sink_setup, sink_teardown),
        cmocka_unit_test_setup_teardown(test_smtp_refused_input, sink_setup,
                                        sink_teardown),
        cmocka_unit_test(test_maildir),
        cmocka_unit_test(test_maildir_batch),
        cmocka_unit_test(test_flush_maildir),
        cmocka_unit_test(test_no_transport),
        cmocka_unit_test(test_backoff),
    };
    int rc;

    mg_mail_init();
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    mg_mail_shutdown();
    return rc;
}
