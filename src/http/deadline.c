/*
 * deadline.c: a deadline for a request's headers. libmicrohttpd closes a
 * connection that stays silent for idle_timeout, but a client that sends
 * its headers a byte at a time is never silent: each byte starts the
 * wait again, and libmicrohttpd has no limit of its own on how long
 * headers may take. So every connection is tracked from when it opens,
 * or its last request ends, to when its next request's headers are all
 * in; a thread looks each second and shuts down the socket of any that
 * has waited longer than idle_timeout. libmicrohttpd then sees the
 * connection end and closes it as usual (the socket is shut down, never
 * closed here, so its number cannot be reused under us).
 */
#define _GNU_SOURCE
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "banned.h"

struct tracked {
    struct tracked *prev, *next;
    MHD_socket fd;
    double since;   /* mg_monotonic() the wait for headers began */
    int in_request; /* headers in; the request's own timeouts apply */
    int cut;        /* shut down already */
};

struct deadlines {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t thread;
    int stop;
    double limit; /* seconds */
    struct tracked head;
};

static void *sweep(void *arg)
{
    struct deadlines *d = arg;

    pthread_mutex_lock(&d->lock);
    while (!d->stop) {
        struct timespec until;
        double now = mg_monotonic();
        struct tracked *t;

        for (t = d->head.next; t != &d->head; t = t->next) {
            if (t->in_request || t->cut || now - t->since <= d->limit)
                continue;
            /* under the lock: the connection cannot be closed meanwhile */
            shutdown(t->fd, SHUT_RDWR);
            t->cut = 1;
        }
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 1;
        pthread_cond_timedwait(&d->wake, &d->lock, &until);
    }
    pthread_mutex_unlock(&d->lock);
    return NULL;
}

struct deadlines *deadlines_start(int seconds)
{
    struct deadlines *d = mg_xcalloc(1, sizeof(*d));

    pthread_mutex_init(&d->lock, NULL);
    pthread_cond_init(&d->wake, NULL);
    d->limit = seconds;
    d->head.next = d->head.prev = &d->head;
    if (pthread_create(&d->thread, NULL, sweep, d) != 0)
        abort(); /* only when the system is out of threads */
    return d;
}

void deadlines_stop(struct deadlines *d)
{
    if (!d)
        return;
    pthread_mutex_lock(&d->lock);
    d->stop = 1;
    pthread_cond_signal(&d->wake);
    pthread_mutex_unlock(&d->lock);
    pthread_join(d->thread, NULL);
    /* the daemon is stopped: every connection was closed and untracked */
    pthread_cond_destroy(&d->wake);
    pthread_mutex_destroy(&d->lock);
    free(d);
}

void deadlines_notify(void *cls, struct MHD_Connection *conn,
                      void **socket_context,
                      enum MHD_ConnectionNotificationCode toe)
{
    struct mg_http_server *srv = cls;
    struct deadlines *d = srv->deadlines;
    struct tracked *t;

    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *info =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);

        if (!info)
            return;
        t = mg_xcalloc(1, sizeof(*t));
        t->fd = info->connect_fd;
        t->since = mg_monotonic();
        pthread_mutex_lock(&d->lock);
        t->next = d->head.next;
        t->prev = &d->head;
        d->head.next->prev = t;
        d->head.next = t;
        pthread_mutex_unlock(&d->lock);
        *socket_context = t;
    } else if (toe == MHD_CONNECTION_NOTIFY_CLOSED && *socket_context) {
        t = *socket_context;
        pthread_mutex_lock(&d->lock);
        t->prev->next = t->next;
        t->next->prev = t->prev;
        pthread_mutex_unlock(&d->lock);
        free(t);
        *socket_context = NULL;
    }
}

void deadlines_request(struct mg_http_server *srv, struct MHD_Connection *conn,
                       int begun)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    struct tracked *t = info ? info->socket_context : NULL;

    if (!t)
        return;
    pthread_mutex_lock(&srv->deadlines->lock);
    t->in_request = begun;
    t->since = mg_monotonic();
    pthread_mutex_unlock(&srv->deadlines->lock);
}
