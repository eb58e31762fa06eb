/*
 * bench_api.c: throughput and latency of the circles API on a real
 * `mingle serve`. Client threads on keep-alive connections each create
 * circles (writes, one transaction each) and then read them back; the
 * figures are printed, not asserted.
 *
 *   ./build/tests/bench/bench_api [clients] [requests-per-client]
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "support.h"

struct client {
    int port;
    const char *token;
    int n;
    double *write_lat;
    double *read_lat;
    int failures;
};

static size_t sink(char *data, size_t size, size_t n, void *arg)
{
    struct mg_buf *b = arg;

    mg_buf_add(b, data, size * n);
    return size * n;
}

static void *run_client(void *arg)
{
    struct client *c = arg;
    CURL *curl = curl_easy_init();
    struct curl_slist *h = NULL;
    char *auth = mg_xasprintf("Authorization: Bearer %s", c->token);
    char *base = mg_xasprintf("http://127.0.0.1:%d/api/v1/circles", c->port);
    long long *ids = mg_xcalloc((size_t)c->n, sizeof(*ids));
    static const char body[] =
        "{\"title\":\"Bench circle\",\"time_zone\":\"Pacific/Auckland\","
        "\"start_date\":\"2027-03-02\",\"weeks\":4,\"slots\":[{\"weekday\":"
        "\"tuesday\",\"start\":\"19:30\",\"minutes\":60}]}";
    int i;

    h = curl_slist_append(h, auth);
    h = curl_slist_append(h, "Content-Type: application/json");
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, sink);
    for (i = 0; i < c->n; i++) {
        struct mg_buf out = MG_BUF_INIT;
        double t0 = mg_monotonic();
        long status = 0;
        char *id;

        curl_easy_setopt(curl, CURLOPT_URL, base);
        curl_easy_setopt(curl, CURLOPT_WRITEDATA, &out);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
        curl_easy_perform(curl);
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        c->write_lat[i] = mg_monotonic() - t0;
        id = out.data ? strstr(out.data, "\"id\":") : NULL;
        ids[i] = id ? atoll(id + 5) : 0;
        if (status != 201)
            c->failures++;
        mg_buf_release(&out);
    }
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    for (i = 0; i < c->n; i++) {
        struct mg_buf out = MG_BUF_INIT;
        char *url = mg_xasprintf("%s/%lld", base, ids[i]);
        double t0 = mg_monotonic();
        long status = 0;

        curl_easy_setopt(curl, CURLOPT_URL, url);
        curl_easy_setopt(curl, CURLOPT_WRITEDATA, &out);
        curl_easy_perform(curl);
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        c->read_lat[i] = mg_monotonic() - t0;
        if (status != 200)
            c->failures++;
        mg_buf_release(&out);
        free(url);
    }
    curl_slist_free_all(h);
    curl_easy_cleanup(curl);
    free(ids);
    free(auth);
    free(base);
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static void report(const char *what, double *lat, size_t n)
{
    qsort(lat, n, sizeof(*lat), cmp_double);
    printf("%-6s %7zu requests  p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms\n",
           what, n, lat[n / 2] * 1000, lat[(n * 99) / 100] * 1000,
           lat[n - 1] * 1000);
}

int main(int argc, char **argv)
{
    int clients = argc > 1 ? atoi(argv[1]) : 4;
    int per = argc > 2 ? atoi(argv[2]) : 2000;
    struct test_site site;
    struct client *cs = mg_xcalloc((size_t)clients, sizeof(*cs));
    pthread_t *th = mg_xcalloc((size_t)clients, sizeof(*th));
    double *w = mg_xcalloc((size_t)(clients * per), sizeof(*w));
    double *r = mg_xcalloc((size_t)(clients * per), sizeof(*r));
    double t0, wall;
    int i, failures = 0;

    if (test_site_start(&site, "bench.db", NULL) < 0) {
        fprintf(stderr, "bench_api: cannot start mingle\n");
        return 1;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    t0 = mg_monotonic();
    for (i = 0; i < clients; i++) {
        cs[i].port = site.d.port;
        cs[i].token = site.token;
        cs[i].n = per;
        cs[i].write_lat = w + i * per;
        cs[i].read_lat = r + i * per;
        pthread_create(&th[i], NULL, run_client, &cs[i]);
    }
    for (i = 0; i < clients; i++) {
        pthread_join(th[i], NULL);
        failures += cs[i].failures;
    }
    wall = mg_monotonic() - t0;
    printf("bench_api: %d clients x %d circles, SQLite synchronous=FULL\n",
           clients, per);
    report("create", w, (size_t)(clients * per));
    report("get", r, (size_t)(clients * per));
    printf("all    %7d requests in %.2f s: %.0f req/s, %d failures\n",
           2 * clients * per, wall, 2 * clients * per / wall, failures);
    test_site_stop(&site, SIGTERM);
    free(cs);
    free(th);
    free(w);
    free(r);
    return failures ? 1 : 0;
}
