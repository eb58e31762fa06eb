/*
 * metrics.c: counters for /metrics in the Prometheus text format:
 * requests by route and status, a latency histogram by route, requests in
 * flight and database errors. One mutex guards the table; it is held for
 * a few additions per request.
 */
#include "internal.h"

#include "mingle/jobs.h"
#include "mingle/store.h"

#include <stdlib.h>
#include <string.h>

#include "banned.h"

static const double bucket_bounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025,
                                       0.05,  0.1,    0.25,  0.5,  1.0,
                                       2.5,   5.0,    10.0};
#define N_BUCKETS (sizeof(bucket_bounds) / sizeof(bucket_bounds[0]))

struct series {
    const char *route; /* static: a route pattern or "unmatched" */
    int status;
    uint64_t count;
};

struct histogram {
    const char *route;
    uint64_t buckets[N_BUCKETS]; /* cumulative at render time */
    uint64_t count;
    double sum;
};

struct metrics {
    pthread_mutex_t lock;
    struct series *series;
    size_t n_series, cap_series;
    struct histogram *hists;
    size_t n_hists, cap_hists;
};

struct metrics *metrics_new(void)
{
    struct metrics *m = mg_xcalloc(1, sizeof(*m));

    pthread_mutex_init(&m->lock, NULL);
    return m;
}

void metrics_free(struct metrics *m)
{
    if (!m)
        return;
    pthread_mutex_destroy(&m->lock);
    free(m->series);
    free(m->hists);
    free(m);
}

static struct histogram *find_hist(struct metrics *m, const char *route)
{
    size_t i;

    for (i = 0; i < m->n_hists; i++)
        if (m->hists[i].route == route)
            return &m->hists[i];
    if (m->n_hists == m->cap_hists) {
        m->cap_hists = m->cap_hists ? m->cap_hists * 2 : 16;
        m->hists = mg_xrealloc(m->hists, m->cap_hists * sizeof(*m->hists));
    }
    memset(&m->hists[m->n_hists], 0, sizeof(*m->hists));
    m->hists[m->n_hists].route = route;
    return &m->hists[m->n_hists++];
}

void metrics_observe(struct metrics *m, const char *route, int status,
                     double seconds)
{
    struct histogram *h;
    size_t i;

    pthread_mutex_lock(&m->lock);
    for (i = 0; i < m->n_series; i++)
        if (m->series[i].route == route && m->series[i].status == status)
            break;
    if (i == m->n_series) {
        if (m->n_series == m->cap_series) {
            m->cap_series = m->cap_series ? m->cap_series * 2 : 32;
            m->series =
                mg_xrealloc(m->series, m->cap_series * sizeof(*m->series));
        }
        m->series[i].route = route;
        m->series[i].status = status;
        m->series[i].count = 0;
        m->n_series++;
    }
    m->series[i].count++;
    h = find_hist(m, route);
    for (i = 0; i < N_BUCKETS; i++) {
        if (seconds <= bucket_bounds[i]) {
            h->buckets[i]++;
            break;
        }
    }
    h->count++;
    h->sum += seconds;
    pthread_mutex_unlock(&m->lock);
}

char *metrics_render(struct metrics *m, struct mg_http_server *srv)
{
    struct mg_buf b = MG_BUF_INIT;
    size_t i, j;

    mg_buf_printf(&b,
                  "# HELP mingle_build_info Build of this daemon.\n"
                  "# TYPE mingle_build_info gauge\n"
                  "mingle_build_info{version=\"%s\"} 1\n",
                  MG_VERSION);
    mg_buf_puts(&b, "# HELP mingle_http_requests_total HTTP requests "
                    "answered, by route and status.\n"
                    "# TYPE mingle_http_requests_total counter\n");
    pthread_mutex_lock(&m->lock);
    for (i = 0; i < m->n_series; i++)
        mg_buf_printf(&b,
                      "mingle_http_requests_total{route=\"%s\",status=\"%d\"}"
                      " %llu\n",
                      m->series[i].route, m->series[i].status,
                      (unsigned long long)m->series[i].count);
    mg_buf_puts(&b, "# HELP mingle_http_request_duration_seconds Time from "
                    "request headers to response done, by route.\n"
                    "# TYPE mingle_http_request_duration_seconds histogram\n");
    for (i = 0; i < m->n_hists; i++) {
        const struct histogram *h = &m->hists[i];
        uint64_t cum = 0;
        for (j = 0; j < N_BUCKETS; j++) {
            cum += h->buckets[j];
            mg_buf_printf(&b,
                          "mingle_http_request_duration_seconds_bucket{"
                          "route=\"%s\",le=\"%g\"} %llu\n",
                          h->route, bucket_bounds[j], (unsigned long long)cum);
        }
        mg_buf_printf(&b,
                      "mingle_http_request_duration_seconds_bucket{route="
                      "\"%s\",le=\"+Inf\"} %llu\n"
                      "mingle_http_request_duration_seconds_sum{route=\"%s\"}"
                      " %.6f\n"
                      "mingle_http_request_duration_seconds_count{route="
                      "\"%s\"} %llu\n",
                      h->route, (unsigned long long)h->count, h->route, h->sum,
                      h->route, (unsigned long long)h->count);
    }
    pthread_mutex_unlock(&m->lock);
    mg_buf_printf(&b,
                  "# HELP mingle_http_requests_in_flight Requests being "
                  "served.\n"
                  "# TYPE mingle_http_requests_in_flight gauge\n"
                  "mingle_http_requests_in_flight %d\n"
                  "# HELP mingle_db_errors_total Database faults (not "
                  "constraint violations).\n"
                  "# TYPE mingle_db_errors_total counter\n"
                  "mingle_db_errors_total %llu\n",
                  mg_http_inflight(srv),
                  (unsigned long long)mg_store_error_count(srv->store));
    {
        uint64_t sent = 0, late = 0;
        size_t queued = 0;

        mg_jobs_totals(&sent, &late);
        mg_buf_printf(&b,
                      "# HELP mingle_reminders_sent_total Reminder mails "
                      "queued for sending (one per person and call).\n"
                      "# TYPE mingle_reminders_sent_total counter\n"
                      "mingle_reminders_sent_total %llu\n"
                      "# HELP mingle_reminders_late_total Reminders not "
                      "sent because the call had begun (no daemon ran at "
                      "their time).\n"
                      "# TYPE mingle_reminders_late_total counter\n"
                      "mingle_reminders_late_total %llu\n",
                      (unsigned long long)sent, (unsigned long long)late);
        if (mg_store_jobs_count(&queued, srv->store, MG_JOB_QUEUED) == 0)
            mg_buf_printf(&b,
                          "# HELP mingle_jobs_queued Jobs waiting for their "
                          "time (reminders, mail after calls, nudges).\n"
                          "# TYPE mingle_jobs_queued gauge\n"
                          "mingle_jobs_queued %zu\n",
                          queued);
    }
    return mg_buf_detach(&b);
}
