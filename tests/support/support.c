/*
 * support.c: see support.h. The daemon and CLI are the real binary at
 * MINGLE_BIN, built by CMake, started with fork and exec, under
 * $MINGLE_TEST_WRAPPER (e.g. valgrind) when it is set.
 */
#define _GNU_SOURCE
#include "support.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h> /* before cmocka.h, which needs these four */
#include <signal.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>

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

/* The exit status valgrind gives when it found errors (the wrapper's
 * --error-exitcode in tests/CMakeLists.txt). */
#define WRAPPER_ERROR_EXIT 99

static const char *wrapper(void)
{
    const char *w = getenv("MINGLE_TEST_WRAPPER");

    return w && w[strspn(w, " \t")] ? w : NULL;
}

int test_slowdown(void)
{
    const char *s = getenv("MINGLE_TEST_SLOWDOWN");

    if (s && atoi(s) > 0)
        return atoi(s);
    return wrapper() ? 30 : 1;
}

/* A command line: the wrapper's words, then mingle and its arguments. */
struct cmdline {
    char *words;
    const char *argv[64];
};

/* `args` starts with the program name "mingle"; release with free(c->words). */
static void cmdline_init(struct cmdline *c, const char *const *args)
{
    const char *w = wrapper();
    char *save = NULL, *tok;
    int n = 0;

    c->words = NULL;
    if (w) {
        c->words = mg_xstrdup(w);
        for (tok = strtok_r(c->words, " \t", &save); tok && n < 32;
             tok = strtok_r(NULL, " \t", &save))
            c->argv[n++] = tok;
        c->argv[n++] = MINGLE_BIN;
        args++;
    }
    for (; *args && n < 63; args++)
        c->argv[n++] = *args;
    c->argv[n] = NULL;
}

/* In the child: run the command line (PATH finds the wrapper). */
static void cmdline_exec(const struct cmdline *c)
{
    if (c->words)
        execvp(c->argv[0], (char **)c->argv);
    else
        execv(MINGLE_BIN, (char **)c->argv);
    _exit(127);
}

static void exit_failed(void)
{
    fflush(NULL);
    _exit(WRAPPER_ERROR_EXIT);
}

/*
 * A wrapper's error exit fails the test that ran mingle, and the whole
 * program at its exit: cmocka 1.1 does not count a failure in a group
 * teardown, where daemons are often stopped.
 */
static void check_wrapper_status(int status, const char *what)
{
    static int registered;

    if (!wrapper() || status != WRAPPER_ERROR_EXIT)
        return;
    if (!registered++)
        atexit(exit_failed);
    fail_msg("'%s' under MINGLE_TEST_WRAPPER ('%s') exited %d: it found "
             "errors (see its report above)",
             what, wrapper(), status);
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
    struct cmdline cmd;
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
    cmdline_init(&cmd, argv);
    d->pid = fork();
    if (d->pid == 0) {
        dup2(pipefd[1], 2);
        close(pipefd[0]);
        close(pipefd[1]);
        /* a test that dies without stopping it takes it along (else it
         * holds ctest's output pipe open until the test's timeout) */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        child_env(env);
        cmdline_exec(&cmd);
    }
    free(cmd.words);
    close(pipefd[1]);
    d->err_fd = pipefd[0];
    pthread_create(&d->reader, NULL, read_log, d);
    deadline = mg_monotonic() + 20 * test_slowdown();
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
    check_wrapper_status(rc, "mingle serve");
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
    struct cmdline cmd;
    int outp[2], errp[2];
    int n = 0, status = 0, rc;
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
    cmdline_init(&cmd, args);
    pid = fork();
    if (pid == 0) {
        dup2(outp[1], 1);
        dup2(errp[1], 2);
        close(outp[0]);
        close(errp[0]);
        child_env(env);
        cmdline_exec(&cmd);
    }
    free(cmd.words);
    close(outp[1]);
    close(errp[1]);
    /* stderr output is small; read stdout fully first, then stderr */
    *out = slurp(outp[0]);
    errs = slurp(errp[0]);
    close(outp[0]);
    close(errp[0]);
    waitpid(pid, &status, 0);
    rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (wrapper() && rc == WRAPPER_ERROR_EXIT) {
        fprintf(stderr, "%s", errs);
        check_wrapper_status(rc, args[1] ? args[1] : "mingle");
    }
    if (err)
        *err = errs;
    else
        free(errs);
    return rc;
}

char *test_make_token(const char *db, const char *role)
{
    return test_make_scoped_token(db, role, 0, 0);
}

char *test_make_scoped_token(const char *db, const char *role, long long circle,
                             long long group)
{
    char circle_s[24], group_s[24];
    const char *argv[] = {"token", "create",  "--db", db,   "--role",
                          role,    "--label", "test", NULL, NULL,
                          NULL,    NULL,      NULL};
    int argc = 8;
    char *out = NULL;
    size_t n;

    snprintf(circle_s, sizeof(circle_s), "%lld", circle);
    snprintf(group_s, sizeof(group_s), "%lld", group);
    if (circle) {
        argv[argc++] = "--circle";
        argv[argc++] = circle_s;
    }
    if (group) {
        argv[argc++] = "--group";
        argv[argc++] = group_s;
    }
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
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L * test_slowdown());
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

int test_free_port(void)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof(sa);
    int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
        getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
        port = ntohs(sa.sin_port);
    close(fd);
    return port;
}

/* aiosmtpd on `port`, delivering to `maildir`: its pid once it accepts
 * connections, or -1 if it exited (the port was taken) or never came. */
static pid_t smtp_try(int port, const char *maildir)
{
    char listen[32];
    pid_t pid;
    int i;

    snprintf(listen, sizeof(listen), "127.0.0.1:%d", port);
    pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        execl("/usr/bin/python3", "python3", "-m", "aiosmtpd", "-n", "-l",
              listen, "-c", "aiosmtpd.handlers.Mailbox", maildir, (char *)NULL);
        _exit(127);
    }
    for (i = 0; i < 400; i++) {
        int fd = test_connect(port);
        if (fd >= 0) {
            close(fd);
            return pid;
        }
        if (waitpid(pid, NULL, WNOHANG) == pid)
            return -1;
        usleep(50000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return -1;
}

pid_t test_smtp_start(int *port, const char *maildir)
{
    pid_t pid = -1;
    int tries;

    if (*port)
        return smtp_try(*port, maildir);
    for (tries = 0; pid < 0 && tries < 5; tries++) {
        *port = test_free_port();
        if (*port > 0)
            pid = smtp_try(*port, maildir);
    }
    return pid;
}

json_t *test_call_json(long *status, int port, const char *token,
                       const char *method, const char *path, const char *body,
                       const char *content_type)
{
    return test_call_json_ex(status, NULL, port, token, NULL, method, path,
                             body, body ? strlen(body) : 0, content_type);
}

json_t *test_call_json_ex(long *status, char **headers, int port,
                          const char *token, const char *const *extra,
                          const char *method, const char *path,
                          const char *body, size_t len,
                          const char *content_type)
{
    struct test_response resp;
    json_t *doc = NULL;

    assert_int_equal(test_http_ex(&resp, port, method, path, token, extra, body,
                                  len, content_type),
                     0);
    *status = resp.status;
    if (resp.body[0])
        doc = json_loads(resp.body, 0, NULL);
    if (headers)
        *headers = mg_xstrdup(resp.headers);
    test_response_release(&resp);
    return doc;
}

int test_site_init(struct test_site *s, const char *db_name)
{
    memset(s, 0, sizeof(*s));
    s->dir = test_mkdtemp();
    s->db = mg_xasprintf("%s/%s", s->dir, db_name);
    s->maildir = mg_xasprintf("%s/mail", s->dir);
    s->token = test_make_token(s->db, "coordinator");
    return s->token ? 0 : -1;
}

int test_site_serve(struct test_site *s, const struct test_site_opts *opts)
{
    static const struct test_site_opts none;
    const char *env[64];
    char *maildir_env = NULL;
    size_t n = 0, i;
    int rc;

    if (!opts)
        opts = &none;
    if (opts->maildir) {
        maildir_env = mg_xasprintf("MINGLE_MAILDIR=%s", s->maildir);
        env[n++] = maildir_env;
    }
    for (i = 0; opts->env && opts->env[i]; i++) {
        assert_true(n < sizeof(env) / sizeof(env[0]) - 1);
        env[n++] = opts->env[i];
    }
    env[n] = NULL;
    rc = test_daemon_start(&s->d, s->db, opts->extra, env);
    free(maildir_env);
    return rc;
}

int test_site_start(struct test_site *s, const char *db_name,
                    const struct test_site_opts *opts)
{
    if (test_site_init(s, db_name) < 0)
        return -1;
    return test_site_serve(s, opts);
}

int test_site_stop(struct test_site *s, int sig)
{
    int rc = -1;

    if (s->d.pid > 0 || s->d.err_fd) /* running, or failed to come up */
        rc = test_daemon_stop(&s->d, sig);
    free(s->token);
    free(s->maildir);
    free(s->db);
    if (s->dir)
        test_rmdir(s->dir);
    memset(s, 0, sizeof(*s));
    return rc;
}

char *test_site_token(const struct test_site *s, const char *role,
                      long long circle, long long group)
{
    return test_make_scoped_token(s->db, role, circle, group);
}

long long test_site_circle(struct test_site *s, const char *json, json_t **doc)
{
    long status;
    json_t *answer =
        test_site_call(s, &status, "POST", "/api/v1/circles", json, NULL);
    long long id = 0;

    if (status == 201)
        id = json_integer_value(json_object_get(answer, "id"));
    if (doc)
        *doc = answer;
    else
        json_decref(answer);
    return id;
}

json_t *test_site_call(struct test_site *s, long *status, const char *method,
                       const char *path, const char *body,
                       const char *content_type)
{
    return test_call_json(status, s->d.port, s->token, method, path, body,
                          content_type);
}

/* `prefix`, circle `circle`, then `fmt` formatted with `ap`. */
__attribute__((format(printf, 3, 0))) static char *
circle_vpath(const char *prefix, long long circle, const char *fmt, va_list ap)
{
    struct mg_buf b = MG_BUF_INIT;
    char *rest = NULL;

    assert_true(vasprintf(&rest, fmt, ap) >= 0);
    mg_buf_printf(&b, "%s%lld%s", prefix, circle, rest);
    free(rest);
    return mg_buf_detach(&b);
}

char *test_circle_path(long long circle, const char *fmt, ...)
{
    va_list ap;
    char *path;

    va_start(ap, fmt);
    path = circle_vpath("/api/v1/circles/", circle, fmt, ap);
    va_end(ap);
    return path;
}

char *test_dashboard_path(long long circle, const char *fmt, ...)
{
    va_list ap;
    char *path;

    va_start(ap, fmt);
    path = circle_vpath("/dashboard/circles/", circle, fmt, ap);
    va_end(ap);
    return path;
}

int test_site_people(struct test_site *s, long long circle, const char *csv)
{
    char *path = test_circle_path(circle, "/participants");
    long status;

    json_decref(test_site_call(s, &status, "POST", path, csv, "text/csv"));
    free(path);
    return status == 201 ? 0 : -1;
}

int test_site_plan(struct test_site *s, long long circle, const char *csv,
                   long long *weeks, size_t n_weeks)
{
    char *path = NULL;
    json_t *doc = NULL, *list;
    long status;
    size_t i;
    int rc = -1;

    if (test_site_people(s, circle, csv) < 0)
        goto out;
    path = test_circle_path(circle, "/groups/plan");
    json_decref(test_site_call(s, &status, "POST", path, NULL, NULL));
    free(path);
    path = NULL;
    if (status != 201)
        goto out;
    path = test_circle_path(circle, "/sessions");
    doc = test_site_call(s, &status, "GET", path, NULL, NULL);
    if (status != 200)
        goto out;
    list = json_object_get(doc, "sessions");
    for (i = 0; i < n_weeks; i++)
        weeks[i] = 0;
    for (i = 0; i < json_array_size(list); i++) {
        json_t *one = json_array_get(list, i);
        json_int_t week = json_integer_value(json_object_get(one, "week"));

        if (week >= 1 && (size_t)week <= n_weeks && !weeks[week - 1])
            weeks[week - 1] = json_integer_value(json_object_get(one, "id"));
    }
    for (i = 0; i < n_weeks; i++)
        if (!weeks[i])
            goto out;
    rc = (int)json_array_size(list);
out:
    json_decref(doc);
    free(path);
    return rc;
}

long long test_site_person(struct test_site *s, long long circle,
                           const char *email)
{
    char *path = test_circle_path(circle, "/participants?limit=1000");
    long status;
    json_t *doc = test_site_call(s, &status, "GET", path, NULL, NULL);
    json_t *list = json_object_get(doc, "participants");
    long long id = 0;
    size_t i;

    assert_int_equal(status, 200);
    for (i = 0; i < json_array_size(list); i++) {
        json_t *p = json_array_get(list, i);
        const char *e = json_string_value(json_object_get(p, "email"));

        if (e && strcasecmp(e, email) == 0)
            id = json_integer_value(json_object_get(p, "id"));
    }
    json_decref(doc);
    free(path);
    return id;
}

char *test_header_value(const char *msg, size_t len, const char *name)
{
    const char *p = msg, *end = msg + len;
    size_t name_len = strlen(name);

    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        size_t n = eol ? (size_t)(eol - p) : (size_t)(end - p);

        if (n == 0 || (n == 1 && p[0] == '\r'))
            break;
        if (n > name_len && p[name_len] == ':' &&
            strncasecmp(p, name, name_len) == 0) {
            const char *v = p + name_len + 1;
            while (v < p + n && (*v == ' ' || *v == '\t'))
                v++;
            while (n && (p[n - 1] == '\r' || p[n - 1] == ' '))
                n--;
            return mg_xstrndup(v, (size_t)(p + n - v));
        }
        p = eol ? eol + 1 : end;
    }
    return NULL;
}

void test_site_page(struct test_response *resp, struct test_site *s,
                    const char *method, const char *path, const char *cookie,
                    const char *form)
{
    char *line = cookie ? mg_xasprintf("Cookie: %s", cookie) : NULL;
    const char *extra[2] = {line, NULL};

    assert_int_equal(test_http_ex(resp, s->d.port, method, path, NULL, extra,
                                  form, form ? strlen(form) : 0,
                                  "application/x-www-form-urlencoded"),
                     0);
    free(line);
}

char *test_page_csrf(const char *body)
{
    static const char mark[] = "name=\"csrf\" value=\"";
    const char *p = strstr(body, mark);

    assert_non_null(p);
    p += strlen(mark);
    assert_int_equal(strspn(p, "0123456789abcdef"), 32);
    return mg_xstrndup(p, 32);
}

long test_site_dashboard_login(struct test_site *s, const char *token,
                               char **cookie, char **csrf, char **set_cookie)
{
    struct test_response resp;
    char *form = mg_xasprintf("token=%s", token), *sc;
    long status;

    test_site_page(&resp, s, "POST", "/dashboard/login", NULL, form);
    free(form);
    status = resp.status;
    sc = test_header_value(resp.headers, strlen(resp.headers), "Set-Cookie");
    test_response_release(&resp);
    *cookie = sc ? mg_xstrndup(sc, strcspn(sc, ";")) : NULL;
    if (set_cookie)
        *set_cookie = sc;
    else
        free(sc);
    if (!csrf)
        return status;
    *csrf = NULL;
    if (*cookie) {
        test_site_page(&resp, s, "GET", "/dashboard", *cookie, NULL);
        if (resp.status != 200)
            fail_msg("GET /dashboard after logging in: %ld, not 200",
                     resp.status);
        *csrf = test_page_csrf(resp.body);
        test_response_release(&resp);
    }
    return status;
}

json_t *test_notes_all(int port, const char *token, long long circle)
{
    static const char *const statuses[] = {"published", "review"};
    json_t *all = json_array();
    size_t s;

    for (s = 0; s < 2; s++) {
        long long after = 0;
        for (;;) {
            char *path = mg_xasprintf(
                "/api/v1/circles/%lld/notes?status=%s&limit=100&after=%lld",
                circle, statuses[s], after);
            struct test_response resp;
            json_t *doc, *next;

            assert_int_equal(
                test_http(&resp, port, "GET", path, token, NULL, NULL), 0);
            free(path);
            assert_int_equal(resp.status, 200);
            doc = json_loads(resp.body, 0, NULL);
            test_response_release(&resp);
            assert_non_null(doc);
            json_array_extend(all, json_object_get(doc, "notes"));
            next = json_object_get(doc, "next_after");
            after = json_is_integer(next) ? json_integer_value(next) : 0;
            json_decref(doc);
            if (!after)
                break;
        }
    }
    return all;
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

void test_need_shared(void)
{
    struct stat sb;

    if (stat(MINGLE_SHARED_FIXTURES, &sb) == 0)
        return;
    fprintf(stderr,
            "skipped: the shared captures are not at %s (cmake "
            "-DMINGLE_SHARED_DIR=DIR names the folder holding fixtures/)\n",
            MINGLE_SHARED_FIXTURES);
    skip();
}

char *test_read_shared(const char *rel, size_t *len)
{
    char *path = mg_xasprintf("%s/%s", MINGLE_SHARED_FIXTURES, rel);
    char *data = test_read_file(path, len);

    free(path);
    if (!data) {
        test_need_shared(); /* skips when the captures are not here */
        fail_msg("cannot read %s/%s", MINGLE_SHARED_FIXTURES, rel);
    }
    return data;
}

int test_run_group(const char *name, const struct CMUnitTest *tests, size_t n,
                   const char *const *shared, CMFixtureFunction setup,
                   CMFixtureFunction teardown)
{
    struct CMUnitTest *run = mg_xcalloc(n + 1, sizeof(*run));
    struct stat sb;
    size_t i, j, k = 0;
    int present = stat(MINGLE_SHARED_FIXTURES, &sb) == 0, rc;

    for (i = 0; i < n; i++) {
        int needs = 0;

        for (j = 0; !present && shared && shared[j]; j++)
            needs |= strcmp(shared[j], tests[i].name) == 0;
        if (needs)
            fprintf(stderr,
                    "skipped: %s (the shared captures are not at %s; cmake "
                    "-DMINGLE_SHARED_DIR=DIR names the folder holding "
                    "fixtures/)\n",
                    tests[i].name, MINGLE_SHARED_FIXTURES);
        else
            run[k++] = tests[i];
    }
    rc = _cmocka_run_group_tests(name, run, k, setup, teardown);
    free(run);
    return rc;
}

/* Everything `argv` prints on stdout; it must exit 0. */
static char *reader_output(char *const argv[])
{
    struct mg_buf b = MG_BUF_INIT;
    char chunk[4096];
    int fds[2], status = 0;
    ssize_t n;
    pid_t pid;

    assert_int_equal(pipe(fds), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execv(argv[0], argv);
        _exit(127);
    }
    close(fds[1]);
    while ((n = read(fds[0], chunk, sizeof(chunk))) > 0)
        mg_buf_add(&b, chunk, (size_t)n);
    close(fds[0]);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("%s failed (status %d)", argv[0], status);
    if (!b.data)
        mg_buf_puts(&b, "");
    return mg_buf_detach(&b);
}

char *test_xlsx_cells(const char *path)
{
    static const char script[] =
        "import sys, openpyxl\n"
        "wb = openpyxl.load_workbook(sys.argv[1])\n"
        "for ws in wb.worksheets:\n"
        "  for row in ws.iter_rows():\n"
        "    for c in row:\n"
        "      if c.value is None: continue\n"
        "      v = c.value\n"
        "      if isinstance(v, float) and v == int(v): v = int(v)\n"
        "      print('%s|%d|%d|%s|%r' % (ws.title, c.row, c.column, "
        "c.data_type, v))\n";
    char *argv[] = {(char *)"/usr/bin/python3", (char *)"-c", (char *)script,
                    (char *)path, NULL};

    return reader_output(argv);
}

char *test_pdf_text(const char *path)
{
    char *argv[] = {(char *)"/usr/bin/pdftotext",
                    (char *)"-layout",
                    (char *)"-enc",
                    (char *)"UTF-8",
                    (char *)path,
                    (char *)"-",
                    NULL};

    return reader_output(argv);
}
