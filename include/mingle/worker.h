/*
 * worker: a thread of the daemon that works in rounds and sleeps between
 * them until a timeout, a wake or a stop (the outbox sender, the jobs
 * scheduler). The owner keeps what the thread works on; this keeps the
 * thread, its lock and the two flags.
 */
#ifndef MINGLE_WORKER_H
#define MINGLE_WORKER_H

#include <pthread.h>
#include <stdint.h>

struct mg_worker {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int stop, woken;
};

/* Run `run(arg)` on a thread of its own; `what` names it in the log if
 * it cannot start (then abort()). */
void mg_worker_start(struct mg_worker *w, void *(*run)(void *), void *arg,
                     const char *what);
/* Ask for a round now. */
void mg_worker_wake(struct mg_worker *w);
/* On the thread, between rounds: sleep up to `seconds` (not at all when
 * 0 or less) unless woken since the last call, or stopping. True once
 * the worker is asked to stop. */
int mg_worker_wait(struct mg_worker *w, int64_t seconds);
/* True once the worker is asked to stop. */
int mg_worker_stopping(struct mg_worker *w);
/* Ask the thread to stop, wait for its round in progress, and let go of
 * the lock and condition. */
void mg_worker_stop(struct mg_worker *w);

#endif
