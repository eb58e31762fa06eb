/*
 * common.c: configuration, store opening, signals and the daemon loop;
 * command.c calls the first two for every command, serve and demo the
 * rest.
 */
#define _GNU_SOURCE
#include "cli.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mingle/http.h"
#include "mingle/i18n.h"
#include "mingle/schedule.h"

#include "banned.h"

void cli_error(const char *fmt, ...)
{
    va_list ap;

    cli_progress_interrupt();
    fputs("mingle: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cli_config(struct mg_config *cfg, const struct cli_overrides *ov,
               const char *default_db)
{
    struct mg_error err = {{0}, {0}};
    const char *path =
        ov->config_path ? ov->config_path : getenv("MINGLE_CONFIG");
    enum mg_log_level level;
    int i, rc = 0;

    mg_config_init(cfg);
    if (default_db) {
        free(cfg->db);
        cfg->db = mg_xstrdup(default_db);
    }
    if (path && *path)
        rc = mg_config_load_file(cfg, path, &err);
    if (rc == 0)
        rc = mg_config_load_env(cfg, &err);
    for (i = 0; rc == 0 && i < ov->n; i++) {
        char source[64];
        snprintf(source, sizeof(source), "flag for '%s'", ov->keys[i]);
        rc = mg_config_set(cfg, ov->keys[i], ov->values[i], source, &err);
    }
    if (rc < 0) {
        cli_error("%s", err.message);
        mg_config_release(cfg);
        return rc;
    }
    if (mg_log_parse_level(&level, cfg->log_level) == 0)
        mg_log_set_level(level);
    mg_i18n_init(cfg->locale_dir);
    return 0;
}

int cli_open_store(struct mg_store **out, const struct mg_config *cfg,
                   int connections)
{
    struct mg_error err = {{0}, {0}};
    struct mg_store_options opt = {connections, cfg->busy_timeout_ms};
    int rc = mg_store_open(out, cfg->db, &opt, &err);

    if (rc < 0)
        cli_error("%s", err.message);
    return rc;
}

static sigset_t stop_signals(void)
{
    sigset_t set;

    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    return set;
}

void cli_block_signals(void)
{
    sigset_t set = stop_signals();

    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int cli_wait_for_signal(void)
{
    sigset_t set = stop_signals();
    int sig = 0;

    while (sigwait(&set, &sig) != 0)
        ;
    return sig;
}

int cli_run_daemon(const struct mg_config *cfg, struct mg_store *st,
                   void (*on_ready)(int port, void *arg), void *arg)
{
    struct mg_http_server *srv = NULL;
    struct mg_error err = {{0}, {0}};
    char port[16], threads[16];
    int sig, lock = -1, rc;

    /* held while the daemon runs, so `mingle restore` can tell */
    rc = mg_store_daemon_claim(&lock, cfg->db, &err);
    if (rc == MG_EBUSY) {
        cli_error("%s", err.message);
        return 1;
    }
    if (rc < 0)
        mg_log(MG_LOG_WARN, "no daemon lock", "error", err.message, NULL);
    memset(&err, 0, sizeof(err));
    if (mg_http_start(&srv, cfg, st, &err) < 0) {
        cli_error("%s", err.message);
        if (lock >= 0)
            close(lock);
        return 1;
    }
    snprintf(port, sizeof(port), "%d", mg_http_port(srv));
    snprintf(threads, sizeof(threads), "%d", cfg->threads);
    mg_log(MG_LOG_INFO, "listening", "address", cfg->listen, "port", port, "db",
           cfg->db, "threads", threads, "version", MG_VERSION, NULL);
    if (on_ready)
        on_ready(mg_http_port(srv), arg);
    sig = cli_wait_for_signal();
    mg_log(MG_LOG_INFO, "shutting down", "signal",
           sig == SIGTERM ? "SIGTERM" : "SIGINT", NULL);
    mg_http_stop(srv, cfg->shutdown_grace);
    mg_log(MG_LOG_INFO, "stopped", NULL);
    if (lock >= 0)
        close(lock);
    return 0;
}
