/*
 * send.c: the transports. SMTP through libcurl (smtp:// upgrades to TLS
 * when the server offers it, smtps:// requires it), or, with no SMTP URL,
 * a maildir folder: written to tmp/, synced, renamed into new/, as the
 * maildir protocol asks, so a reader never sees half a message.
 */
#define _GNU_SOURCE
#include "mingle/outbox.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

int64_t mg_outbox_backoff(int attempts, int64_t id)
{
    int64_t delay = 30;
    int i;

    for (i = 0; i < attempts && delay < 6 * 3600; i++)
        delay *= 2;
    if (delay > 6 * 3600)
        delay = 6 * 3600;
    /* up to 10% more, fixed per message, so retries spread out */
    return delay +
           (delay / 10) * (int64_t)((uint64_t)id * 2654435761u % 100) / 100;
}

struct reader {
    const char *data;
    size_t len, off;
};

static size_t read_cb(char *buf, size_t size, size_t n, void *arg)
{
    struct reader *r = arg;
    size_t want = size * n, left = r->len - r->off;

    if (want > left)
        want = left;
    memcpy(buf, r->data + r->off, want);
    r->off += want;
    return want;
}

static int send_smtp(const struct mg_outbox_config *cfg,
                     const struct mg_outgoing *m, struct mg_error *err)
{
    CURL *curl = curl_easy_init();
    struct curl_slist *rcpt = NULL;
    struct reader r = {m->message, m->len, 0};
    char *to = mg_xasprintf("<%s>", m->recipient);
    char *from = mg_xasprintf("<%s>", cfg->envelope_from);
    char errbuf[CURL_ERROR_SIZE] = "";
    CURLcode res;

    if (!curl) {
        mg_error_set(err, "smtp", "cannot start libcurl");
        free(to);
        free(from);
        return MG_EIO;
    }
    rcpt = curl_slist_append(rcpt, to);
    curl_easy_setopt(curl, CURLOPT_URL, cfg->smtp_url);
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(curl, CURLOPT_READDATA, &r);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)m->len);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(
        curl, CURLOPT_TIMEOUT,
        (long)(cfg->timeout_seconds > 0 ? cfg->timeout_seconds : 60));
    /* smtps:// is TLS from the start; on smtp:// take STARTTLS when the
     * server offers it (a loopback relay often does not). */
    curl_easy_setopt(curl, CURLOPT_USE_SSL,
                     strncmp(cfg->smtp_url, "smtps://", 8) == 0
                         ? (long)CURLUSESSL_ALL
                         : (long)CURLUSESSL_TRY);
    if (cfg->smtp_user)
        curl_easy_setopt(curl, CURLOPT_USERNAME, cfg->smtp_user);
    if (cfg->smtp_password)
        curl_easy_setopt(curl, CURLOPT_PASSWORD, cfg->smtp_password);
    res = curl_easy_perform(curl);
    if (res != CURLE_OK)
        mg_error_set(err, "smtp", "%s",
                     errbuf[0] ? errbuf : curl_easy_strerror(res));
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(curl);
    free(to);
    free(from);
    return res == CURLE_OK ? 0 : MG_EIO;
}

static int make_dir(const char *path, struct mg_error *err)
{
    if (mkdir(path, 0700) == 0 || errno == EEXIST)
        return 0;
    mg_error_set(err, "maildir", "cannot create '%s': %s", path,
                 strerror(errno));
    return MG_EIO;
}

static int send_maildir(const struct mg_outbox_config *cfg,
                        const struct mg_outgoing *m, struct mg_error *err)
{
    char *tmp = mg_xasprintf("%s/tmp", cfg->maildir);
    char *newd = mg_xasprintf("%s/new", cfg->maildir);
    char *cur = mg_xasprintf("%s/cur", cfg->maildir);
    char *tmpfile = NULL, *newfile = NULL;
    unsigned char raw[8];
    char uniq[17];
    size_t off = 0;
    int fd = -1, rc;

    rc = make_dir(cfg->maildir, err);
    if (rc == 0)
        rc = make_dir(tmp, err);
    if (rc == 0)
        rc = make_dir(newd, err);
    if (rc == 0)
        rc = make_dir(cur, err);
    if (rc < 0)
        goto out;
    mg_random_bytes(raw, sizeof(raw));
    mg_hex(uniq, raw, sizeof(raw));
    tmpfile =
        mg_xasprintf("%s/%lld.M%lldP%d.%s.mingle", tmp, (long long)mg_now(),
                     (long long)m->id, (int)getpid(), uniq);
    newfile = mg_xasprintf("%s/%s", newd, strrchr(tmpfile, '/') + 1);
    fd = open(tmpfile, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0)
        goto io;
    while (off < m->len) {
        ssize_t w = write(fd, m->message + off, m->len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            goto io;
        off += (size_t)w;
    }
    if (fsync(fd) < 0 || close(fd) < 0) {
        fd = -1;
        goto io;
    }
    fd = -1;
    if (rename(tmpfile, newfile) < 0)
        goto io;
    goto out;
io:
    mg_error_set(err, "maildir", "cannot write to '%s': %s", cfg->maildir,
                 strerror(errno));
    rc = MG_EIO;
    if (fd >= 0)
        close(fd);
    if (tmpfile)
        unlink(tmpfile);
out:
    free(tmp);
    free(newd);
    free(cur);
    free(tmpfile);
    free(newfile);
    return rc;
}

int mg_outbox_send(const struct mg_outbox_config *cfg,
                   const struct mg_outgoing *m, struct mg_error *err)
{
    if (cfg->smtp_url)
        return send_smtp(cfg, m, err);
    if (!cfg->maildir) {
        mg_error_set(err, "outbox", "no smtp_url and no maildir set");
        return MG_EIO;
    }
    return send_maildir(cfg, m, err);
}
