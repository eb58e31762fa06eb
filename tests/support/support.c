/*
 * support.c: see support.h. The daemon and CLI are the real binary at
 * MINGLE_BIN, built by CMake, started with fork and exec.
 */
#define _GNU_SOURCE
#include "support.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#ifndef MINGLE_BIN
#error "MINGLE_BIN must name the mingle binary"
#endif

char *test_mkdtemp(void)
{
    const char *tmp = getenv("TMPDIR");
    char *dir = mg_xasprintf("%s/mingle-test-XXXXXX", tmp ? tmp : "/tmp");

    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        abort();
    }
    return dir;
}

static int remove_entry(const char *path, const struct stat *sb, int flag,
                        struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void test_rmdir(char *dir)
{
    if (dir)
        nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(dir);
}

static void child_env(const char *const *env)
{
    for (; env && *env; env++)
        putenv((char *)*env);
}

static void *read_log(void *arg)
{
    struct test_daemon *d = arg;
    char buf[4096];

    for (;;) {
        ssize_t n = read(d->err_fd, buf, sizeof(buf));
        if (n <= 0)
            break;
        pthread_mutex_lock(&d->lock);
        mg_buf_add(&d->log, buf, (size_t)n);
        pthread_mutex_unlock(&d->lock);
        /* echo for ctest --output-on-failure */
        fwrite(buf, 1, (size_t)n, stderr);
    }
    return NULL;
}

char *test_daemon_log(struct test_daemon *d)
{
    char *copy;

    pthread_mutex_lock(&d->lock);
    copy = mg_xstrdup(d->log.data ? d->log.data : "");
    pthread_mutex_unlock(&d->lock);
    return copy;
}

int test_daemon_start(struct test_daemon *d, const char *db,
                      const char *const *extra, const char *const *env)
{
    return test_daemon_start_cmd(d, "serve", db, extra, env);
}

int test_daemon_start_cmd(struct test_daemon *d, const char *command,
                          const char *db, const char *const *extra,
                          const char *const *env)
{
    const char *argv[32];
    int pipefd[2];
    int n = 0, i;
    double deadline;

    memset(d, 0, sizeof(*d));
    pthread_mutex_init(&d->lock, NULL);
    argv[n++] = "mingle";
    argv[n++] = command;
    argv[n++] = "--port";
    argv[n++] = "0";
    if (db) {
        argv[n++] = "--db";
        argv[n++] = db;
    }
    for (i = 0; extra && extra[i] && n < 30; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    if (pipe(pipefd) < 0)
        return -1;
    d->pid = fork();
    if (d->pid == 0) {
        dup2(pipefd[1], 2);
        close(pipefd[0]);
        close(pipefd[1]);
        child_env(env);
        execv(MINGLE_BIN, (char **)argv);
        _exit(127);
    }
    close(pipefd[1]);
    d->err_fd = pipefd[0];
    pthread_create(&d->reader, NULL, read_log, d);
    deadline = mg_monotonic() + 20;
    while (mg_monotonic() < deadline) {
        char *log = test_daemon_log(d);
        char *line = strstr(log, "msg=listening");
        char *port = line ? strstr(line, " port=") : NULL;
        int status;

        if (port) {
            d->port = atoi(port + 6);
            free(log);
            return 0;
        }
        free(log);
        if (waitpid(d->pid, &status, WNOHANG) == d->pid) {
            d->pid = 0;
            return -1;
        }
        usleep(10000);
    }
    kill(d->pid, SIGKILL);
    waitpid(d->pid, NULL, 0);
    d->pid = 0;
    return -1;
}

int test_daemon_stop(struct test_daemon *d, int sig)
{
    int status = 0;
    int rc = -1;

    if (d->pid > 0) {
        kill(d->pid, sig);
        if (waitpid(d->pid, &status, 0) == d->pid && WIFEXITED(status))
            rc = WEXITSTATUS(status);
        d->pid = 0;
    }
    if (d->err_fd) {
        pthread_join(d->reader, NULL);
        close(d->err_fd);
        d->err_fd = 0;
    }
    mg_buf_release(&d->log);
    pthread_mutex_destroy(&d->lock);
    return rc;
}

static char *slurp(int fd)
{
    struct mg_buf b = MG_BUF_INIT;
    char buf[4096];

    for (;;) {
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n <= 0)
            break;
        mg_buf_add(&b, buf, (size_t)n);
    }
    return mg_buf_detach(&b);
}

int test_run_cli(char **out, char **err, const char *const *argv,
                 const char *const *env)
{
    const char *args[32];
    int outp[2], errp[2];
    int n = 0, status = 0;
    pid_t pid;
    char *errs;

    args[n++] = "mingle";
    while (argv[n - 1] && n < 31) {
        args[n] = argv[n - 1];
        n++;
    }
    args[n] = NULL;
    if (pipe(outp) < 0 || pipe(errp) < 0)
        abort();
    pid = fork();
    if (pid == 0) {
        dup2(outp[1], 1);
        dup2(errp[1], 2);
        close(outp[0]);
        close(errp[0]);
        child_env(env);
        execv(MINGLE_BIN, (char **)args);
        _exit(127);
    }
    close(outp[1]);
    close(errp[1]);
    /* stderr output is small; read stdout fully first, then stderr */
    *out = slurp(outp[0]);
    errs = slurp(errp[0]);
    close(outp[0]);
    close(errp[0]);
    waitpid(pid, &status, 0);
    if (err)
        *err = errs;
    else
        free(errs);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

char *test_make_token(const char *db, const char *role)
{
    const char *argv[] = {"token", "create",  "--db", db,  "--role",
                          role,    "--label", "test", NULL};
    char *out = NULL;
    size_t n;

    if (test_run_cli(&out, NULL, argv, NULL) != 0) {
        free(out);
        return NULL;
    }
    n = strlen(out);
    while (n && (out[n - 1] == '\n'))
        out[--n] = '\0';
    return out;
}

static size_t collect(char *data, size_t size, size_t n, void *arg)
{
    mg_buf_add(arg, data, size * n);
    return size * n;
}

int test_http(struct test_response *resp, int port, const char *method,
              const char *path, const char *token, const char *body,
              const char *content_type)
{
    return test_http_ex(resp, port, method, path, token, NULL, body,
                        body ? strlen(body) : 0, content_type);
}

int test_http_ex(struct test_response *resp, int port, const char *method,
                 const char *path, const char *token, const char *const *extra,
                 const char *body, size_t len, const char *content_type)
{
    CURL *curl = curl_easy_init();
    struct curl_slist *headers = NULL;
    struct mg_buf out = MG_BUF_INIT, hdrs = MG_BUF_INIT;
    char *url = mg_xasprintf("http://127.0.0.1:%d%s", port, path);
    char *auth = NULL, *ctype = NULL;
    CURLcode res;
    size_t i;

    memset(resp, 0, sizeof(*resp));
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &out);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &hdrs);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    if (token) {
        auth = mg_xasprintf("Authorization: Bearer %s", token);
        headers = curl_slist_append(headers, auth);
    }
    if (body) {
        ctype = mg_xasprintf("Content-Type: %s",
                             content_type ? content_type : "application/json");
        headers = curl_slist_append(headers, ctype);
        headers = curl_slist_append(headers, "Expect:");
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)len);
    }
    for (i = 0; extra && extra[i]; i++)
        headers = curl_slist_append(headers, extra[i]);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    res = curl_easy_perform(curl);
    if (res == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &resp->status);
    resp->body = mg_buf_detach(&out);
    resp->headers = mg_buf_detach(&hdrs);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    free(url);
    free(auth);
    free(ctype);
    return res == CURLE_OK ? 0 : -1;
}

void test_response_release(struct test_response *resp)
{
    free(resp->body);
    free(resp->headers);
    memset(resp, 0, sizeof(*resp));
}

int test_connect(int port)
{
    struct sockaddr_in sa;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

char *test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    struct mg_buf b = MG_BUF_INIT;
    char chunk[8192];
    size_t n;

    if (!f)
        return NULL;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        mg_buf_add(&b, chunk, n);
    fclose(f);
    *len = b.len;
    if (!b.data)
        return mg_xstrdup("");
    return mg_buf_detach(&b);
}
