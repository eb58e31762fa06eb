/*
 * http: the daemon's HTTP side on libmicrohttpd: routing, bearer-token
 * auth, request body limits, JSON (jansson) in and out, request logs and
 * Prometheus metrics. It translates between the wire and the domain
 * structs; what a request means is decided by the modules it calls.
 */
#ifndef MINGLE_HTTP_H
#define MINGLE_HTTP_H

#include "mingle/book.h"
#include "mingle/config.h"
#include "mingle/core.h"
#include "mingle/store.h"

struct mg_http_server;

/*
 * Start serving on cfg->listen:cfg->port (port 0 picks a free one) with
 * cfg->threads worker threads. The store is borrowed and must outlive the
 * server. On success *out is the caller's; end it with mg_http_stop().
 */
int mg_http_start(struct mg_http_server **out, const struct mg_config *cfg,
                  struct mg_store *st, struct mg_error *err);

/* The port actually bound. */
int mg_http_port(const struct mg_http_server *srv);

/* Ask the outbox sender to run a round now (mail was just queued). */
void mg_http_wake_outbox(struct mg_http_server *srv);

/* Requests started and not yet answered. */
int mg_http_inflight(const struct mg_http_server *srv);

/*
 * Stop accepting connections, let requests in flight finish (waiting up
 * to `grace_seconds`), then close everything and free `srv`.
 */
void mg_http_stop(struct mg_http_server *srv, int grace_seconds);

#endif
