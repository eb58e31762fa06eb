/*
 * worker.c: a round-working thread's sleep, wake and stop.
 */
#define _GNU_SOURCE
#include "mingle/worker.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "mingle/core.h"

#include "banned.h"

void mg_worker_start(struct mg_worker *w, void *(*run)(void *), void *arg,
                     const char *what)
{
    w->stop = w->woken = 0;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->cond, NULL);
    if (pthread_create(&w->thread, NULL, run, arg) != 0) {
        mg_log(MG_LOG_ERROR, "cannot start a thread", "thread", what, NULL);
        abort();
    }
}

void mg_worker_wake(struct mg_worker *w)
{
    pthread_mutex_lock(&w->lock);
    w->woken = 1;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

int mg_worker_wait(struct mg_worker *w, int64_t seconds)
{
    struct timespec until;
    int stop;

    pthread_mutex_lock(&w->lock);
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += (time_t)seconds;
    while (!w->stop && !w->woken && seconds > 0)
        if (pthread_cond_timedwait(&w->cond, &w->lock, &until) == ETIMEDOUT)
            break;
    w->woken = 0;
    stop = w->stop;
    pthread_mutex_unlock(&w->lock);
    return stop;
}

int mg_worker_stopping(struct mg_worker *w)
{
    int stop;

    pthread_mutex_lock(&w->lock);
    stop = w->stop;
    pthread_mutex_unlock(&w->lock);
    return stop;
}

void mg_worker_stop(struct mg_worker *w)
{
    pthread_mutex_lock(&w->lock);
    w->stop = 1;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->cond);
}
