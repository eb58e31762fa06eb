/*
 * send.c: the transports and the retry schedule. SMTP through libcurl,
 * or, with no SMTP URL, a maildir folder (written to tmp/, synced,
 * renamed into new/, as the maildir protocol asks, so a reader never
 * sees half a message), one at a time or a batch at once. Which messages
 * to send, and when, is deliver.c's.
 */
#define _GNU_SOURCE /* syncfs */
#include "mingle/outbox.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "mingle/circle.h"

#include "banned.h"

#define BACKOFF_FIRST 30
#define BACKOFF_CAP (6 * 3600)
#define DEFAULT_TIMEOUT 60

/* splitmix64's finaliser: nearby ids get unrelated jitter */
static uint64_t mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9u;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebu;
    x ^= x >> 31;
    return x;
}

int64_t mg_outbox_backoff(int attempts, int64_t id)
{
    int64_t delay = BACKOFF_FIRST;
    int i;

    for (i = 0; i < attempts && delay < BACKOFF_CAP; i++)
        delay *= 2;
    if (delay > BACKOFF_CAP)
        delay = BACKOFF_CAP;
    /* 0..10% more, fixed per message, so a burst of failures spreads out */
    return delay + (int64_t)(mix((uint64_t)id) % (uint64_t)(delay / 10 + 1));
}

struct reader {
    const char *data;
    size_t len, off;
};

static size_t read_message(char *buf, size_t size, size_t n, void *arg)
{
    struct reader *r = arg;
    size_t want = size * n, left = r->len - r->off;

    if (want > left)
        want = left;
    memcpy(buf, r->data + r->off, want);
    r->off += want;
    return want;
}

static int is_smtps(const char *url)
{
    return strncmp(url, "smtps://", 8) == 0;
}

/*
 * TLS policy. smtps:// is TLS from the first byte. On smtp://, STARTTLS
 * is required as soon as there is a password to send: with "try", a
 * man in the middle who strips STARTTLS from the EHLO reply would get
 * the password in clear. Without credentials, "try" is opportunistic
 * encryption as MTAs do it: a plain local relay (or test sink) works,
 * and a server that offers TLS gets used with TLS.
 */
static long tls_policy(const struct mg_outbox_config *cfg)
{
    if (is_smtps(cfg->smtp_url) || cfg->smtp_user || cfg->smtp_password)
        return (long)CURLUSESSL_ALL;
    return (long)CURLUSESSL_TRY;
}

static int send_smtp(const struct mg_outbox_config *cfg,
                     const struct mg_outgoing *m, struct mg_error *err)
{
    CURL *curl = NULL;
    struct curl_slist *rcpt = NULL;
    struct reader r = {m->message, m->len, 0};
    char *to = mg_xasprintf("<%s>", m->recipient);
    char *from = mg_xasprintf("<%s>", cfg->envelope_from);
    char errbuf[CURL_ERROR_SIZE] = "";
    long timeout =
        cfg->timeout_seconds > 0 ? cfg->timeout_seconds : DEFAULT_TIMEOUT;
    long code = 0;
    CURLcode res;
    int rc = 0;

    curl = curl_easy_init();
    if (!curl) {
        mg_error_set(err, "smtp", "cannot start libcurl");
        rc = MG_EIO;
        goto out;
    }
    rcpt = curl_slist_append(rcpt, to);
    if (!rcpt) {
        mg_error_set(err, "smtp", "out of memory");
        rc = MG_EIO;
        goto out;
    }
    curl_easy_setopt(curl, CURLOPT_URL, cfg->smtp_url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_message);
    curl_easy_setopt(curl, CURLOPT_READDATA, &r);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)m->len);
    curl_easy_setopt(curl, CURLOPT_USE_SSL, tls_policy(cfg));
    /* a worker thread must not get SIGALRM from name resolution */
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, timeout);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, timeout);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    if (cfg->smtp_user)
        curl_easy_setopt(curl, CURLOPT_USERNAME, cfg->smtp_user);
    if (cfg->smtp_password)
        curl_easy_setopt(curl, CURLOPT_PASSWORD, cfg->smtp_password);
    res = curl_easy_perform(curl);
    if (res != CURLE_OK) {
        /* curl's messages name host and port, never the credentials */
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
        if (code > 0)
            mg_error_set(err, "smtp", "%s (server replied %ld)",
                         errbuf[0] ? errbuf : curl_easy_strerror(res), code);
        else
            mg_error_set(err, "smtp", "%s",
                         errbuf[0] ? errbuf : curl_easy_strerror(res));
        rc = MG_EIO;
    }
out:
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(curl);
    free(to);
    free(from);
    return rc;
}

static int make_dir(const char *path, struct mg_error *err)
{
    if (mkdir(path, 0700) == 0 || errno == EEXIST)
        return 0;
    mg_error_set(err, "maildir", "cannot create '%s': %s", path,
                 strerror(errno));
    return MG_EIO;
}

static int write_all(int fd, const char *data, size_t len)
{
    size_t off = 0;

    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        off += (size_t)w;
    }
    return 0;
}

/* fsync a directory so a rename into it survives a crash */
static int sync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc;

    if (fd < 0)
        return -1;
    rc = fsync(fd);
    close(fd);
    return rc;
}

/*
 * A maildir name: time, then what makes it unique on this host (micro-
 * seconds, pid, message id, random bits), then the host.
 */
static char *unique_name(const struct mg_outgoing *m)
{
    struct timeval tv;
    unsigned char raw[8];
    char rnd[2 * sizeof(raw) + 1];
    char host[256];
    char *p;

    gettimeofday(&tv, NULL);
    mg_random_bytes(raw, sizeof(raw));
    mg_hex(rnd, raw, sizeof(raw));
    if (gethostname(host, sizeof(host)) != 0)
        snprintf(host, sizeof(host), "localhost");
    host[sizeof(host) - 1] = '\0';
    /* '/' and ':' have meanings in maildir names */
    for (p = host; *p; p++)
        if (*p == '/' || *p == ':')
            *p = '_';
    return mg_xasprintf("%lld.M%ldP%ldQ%lldR%s.%s", (long long)tv.tv_sec,
                        (long)tv.tv_usec, (long)getpid(), (long long)m->id, rnd,
                        host);
}

static int io_error(struct mg_error *err, const char *what, const char *path)
{
    mg_error_set(err, "maildir", "cannot %s '%s': %s", what, path,
                 strerror(errno));
    return MG_EIO;
}

static int send_maildir(const struct mg_outbox_config *cfg,
                        const struct mg_outgoing *m, struct mg_error *err)
{
    char *tmp = mg_xasprintf("%s/tmp", cfg->maildir);
    char *newd = mg_xasprintf("%s/new", cfg->maildir);
    char *cur = mg_xasprintf("%s/cur", cfg->maildir);
    char *name = unique_name(m);
    char *tmpfile = mg_xasprintf("%s/%s", tmp, name);
    char *newfile = mg_xasprintf("%s/%s", newd, name);
    int fd = -1, written = 0, rc;

    rc = make_dir(cfg->maildir, err);
    if (rc == 0)
        rc = make_dir(tmp, err);
    if (rc == 0)
        rc = make_dir(newd, err);
    if (rc == 0)
        rc = make_dir(cur, err);
    if (rc < 0)
        goto out;
    fd = open(tmpfile, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        rc = io_error(err, "create", tmpfile);
        goto out;
    }
    written = 1;
    if (write_all(fd, m->message, m->len) < 0 || fsync(fd) < 0) {
        rc = io_error(err, "write", tmpfile);
        goto out;
    }
    rc = close(fd);
    fd = -1;
    if (rc < 0) {
        rc = io_error(err, "write", tmpfile);
        goto out;
    }
    if (rename(tmpfile, newfile) < 0) {
        rc = io_error(err, "move the message to", newd);
        goto out;
    }
    written = 0;
    /* The message is in new/ and a reader sees it: a failure to sync the
     * directory must not make the caller deliver it a second time. */
    if (sync_dir(newd) < 0)
        mg_log(MG_LOG_WARN, "cannot sync maildir", "dir", newd, "error",
               strerror(errno), NULL);
out:
    if (fd >= 0)
        close(fd);
    if (written)
        unlink(tmpfile);
    free(tmp);
    free(newd);
    free(cur);
    free(name);
    free(tmpfile);
    free(newfile);
    return rc;
}

/* Messages written before any is synced (and so files open at once). */
#define MAILDIR_BATCH 128
#define SYNCFS_FROM 16

/* One message of a batch on its way through tmp/ into new/. */
struct staged {
    char *tmpfile, *newfile;
    int fd;
};

/*
 * Write msgs[0..n-1] (n <= MAILDIR_BATCH) into tmp/, sync them, move each
 * into new/ and sync new/ once. On Linux one syncfs() makes a batch of
 * SYNCFS_FROM or more durable at once (a third of the time of syncing
 * each file); smaller batches, other systems and a failed syncfs sync
 * each file, so a message or two does not wait for everything else the
 * file system has to write.
 */
static void maildir_batch(const struct mg_outbox_config *cfg,
                          const struct mg_outgoing *msgs, size_t n, int *ok,
                          struct mg_error *errs, const char *tmp,
                          const char *newd)
{
    struct staged *s = mg_xcalloc(n + 1, sizeof(*s));
    size_t i, moved = 0;
    int synced = 0;

    (void)cfg;
    for (i = 0; i < n; i++) {
        char *name;

        ok[i] = 0;
        s[i].fd = -1;
        if (!msgs[i].recipient || !mg_email_valid(msgs[i].recipient)) {
            mg_error_set(&errs[i], "recipient", "'%s' is not an email address",
                         msgs[i].recipient ? msgs[i].recipient : "");
            continue;
        }
        name = unique_name(&msgs[i]);
        s[i].tmpfile = mg_xasprintf("%s/%s", tmp, name);
        s[i].newfile = mg_xasprintf("%s/%s", newd, name);
        free(name);
        s[i].fd =
            open(s[i].tmpfile, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (s[i].fd < 0) {
            io_error(&errs[i], "create", s[i].tmpfile);
            continue;
        }
        if (write_all(s[i].fd, msgs[i].message, msgs[i].len) < 0) {
            io_error(&errs[i], "write", s[i].tmpfile);
            close(s[i].fd);
            s[i].fd = -1;
            unlink(s[i].tmpfile);
        }
    }
#ifdef __linux__
    for (i = 0; n >= SYNCFS_FROM && i < n && !synced; i++)
        if (s[i].fd >= 0)
            synced = syncfs(s[i].fd) == 0;
#endif
    for (i = 0; i < n; i++) {
        int bad;

        if (s[i].fd < 0)
            continue;
        bad = !synced && fdatasync(s[i].fd) < 0;
        if (bad)
            io_error(&errs[i], "write", s[i].tmpfile);
        if (close(s[i].fd) < 0 && !bad) {
            io_error(&errs[i], "write", s[i].tmpfile);
            bad = 1;
        }
        s[i].fd = -1;
        if (!bad && rename(s[i].tmpfile, s[i].newfile) < 0) {
            io_error(&errs[i], "move the message to", newd);
            bad = 1;
        }
        if (bad) {
            unlink(s[i].tmpfile);
            continue;
        }
        ok[i] = 1;
        moved++;
    }
    /* The messages are in new/ and a reader sees them: a failure to sync
     * the directory must not make the caller deliver them again. */
    if (moved && sync_dir(newd) < 0)
        mg_log(MG_LOG_WARN, "cannot sync maildir", "dir", newd, "error",
               strerror(errno), NULL);
    for (i = 0; i < n; i++) {
        free(s[i].tmpfile);
        free(s[i].newfile);
    }
    free(s);
}

int mg_outbox_send_maildir(const struct mg_outbox_config *cfg,
                           const struct mg_outgoing *msgs, size_t n, int *ok,
                           struct mg_error *errs)
{
    char *tmp = NULL, *newd = NULL, *cur = NULL;
    struct mg_error err = {{0}, {0}};
    size_t i;
    int rc;

    if (cfg->smtp_url || !cfg->maildir) {
        mg_error_set(&err, "maildir", "no maildir is set");
        rc = MG_EINVAL;
        goto out;
    }
    tmp = mg_xasprintf("%s/tmp", cfg->maildir);
    newd = mg_xasprintf("%s/new", cfg->maildir);
    cur = mg_xasprintf("%s/cur", cfg->maildir);
    rc = make_dir(cfg->maildir, &err);
    if (rc == 0)
        rc = make_dir(tmp, &err);
    if (rc == 0)
        rc = make_dir(newd, &err);
    if (rc == 0)
        rc = make_dir(cur, &err);
    for (i = 0; rc == 0 && i < n; i += MAILDIR_BATCH)
        maildir_batch(cfg, msgs + i,
                      n - i < MAILDIR_BATCH ? n - i : MAILDIR_BATCH, ok + i,
                      errs + i, tmp, newd);
out:
    for (i = 0; rc < 0 && i < n; i++) {
        ok[i] = 0;
        errs[i] = err;
    }
    free(tmp);
    free(newd);
    free(cur);
    return rc;
}

int mg_outbox_send(const struct mg_outbox_config *cfg,
                   const struct mg_outgoing *m, struct mg_error *err)
{
    if (!m->recipient || !mg_email_valid(m->recipient)) {
        mg_error_set(err, "recipient", "'%s' is not an email address",
                     m->recipient ? m->recipient : "");
        return MG_EINVAL;
    }
    if (cfg->smtp_url) {
        if (!cfg->envelope_from || !mg_email_valid(cfg->envelope_from)) {
            mg_error_set(err, "envelope_from", "'%s' is not an email address",
                         cfg->envelope_from ? cfg->envelope_from : "");
            return MG_EINVAL;
        }
        return send_smtp(cfg, m, err);
    }
    if (!cfg->maildir) {
        mg_error_set(err, "maildir",
                     "neither an smtp url nor a maildir is set");
        return MG_EINVAL;
    }
    return send_maildir(cfg, m, err);
}
