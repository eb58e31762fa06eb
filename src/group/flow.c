/*
 * flow.c: minimum-cost flow for the rebalancer. Nodes carry an excess
 * (supply minus demand plus what a warm start pushed in); flow_solve()
 * routes every positive excess to the negative ones at the least total
 * cost, by successive shortest paths: Dijkstra on reduced costs finds the
 * distance to the nearest deficit, then every path of that length is
 * augmented (a blocking flow on the admissible arcs) before the next
 * Dijkstra. Costs are small non-negative integers, so there are few
 * distinct distances and few phases. Nothing here knows about people.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#include "banned.h"

#define DIST_INF LLONG_MAX

void flow_init(struct flow *f, int n_nodes)
{
    memset(f, 0, sizeof(*f));
    f->n = n_nodes;
    f->excess = mg_xcalloc((size_t)n_nodes + 2, sizeof(*f->excess));
}

void flow_release(struct flow *f)
{
    free(f->from);
    free(f->to);
    free(f->cap);
    free(f->cap0);
    free(f->cost);
    free(f->excess);
    free(f->start);
    free(f->adj);
    memset(f, 0, sizeof(*f));
}

static int arc(struct flow *f, int u, int v, int cap, int cost)
{
    int e = f->n_arcs;

    if (f->n_arcs + 2 > f->cap_arcs) {
        size_t c = f->cap_arcs ? 2 * (size_t)f->cap_arcs : 1024;

        f->from = mg_xrealloc(f->from, c * sizeof(*f->from));
        f->to = mg_xrealloc(f->to, c * sizeof(*f->to));
        f->cap = mg_xrealloc(f->cap, c * sizeof(*f->cap));
        f->cap0 = mg_xrealloc(f->cap0, c * sizeof(*f->cap0));
        f->cost = mg_xrealloc(f->cost, c * sizeof(*f->cost));
        f->cap_arcs = (int)c;
    }
    f->from[e] = u;
    f->to[e] = v;
    f->cap[e] = f->cap0[e] = cap;
    f->cost[e] = cost;
    f->from[e + 1] = v;
    f->to[e + 1] = u;
    f->cap[e + 1] = f->cap0[e + 1] = 0;
    f->cost[e + 1] = -cost;
    f->n_arcs += 2;
    return e;
}

int flow_edge(struct flow *f, int u, int v, int cap, int cost)
{
    return arc(f, u, v, cap, cost);
}

void flow_supply(struct flow *f, int v, int amount)
{
    f->excess[v] += amount;
}

void flow_push(struct flow *f, int e, int amount)
{
    f->cap[e] -= amount;
    f->cap[e ^ 1] += amount;
    f->excess[f->from[e]] -= amount;
    f->excess[f->to[e]] += amount;
}

int flow_on(const struct flow *f, int e)
{
    return f->cap0[e] - f->cap[e];
}

/* Arcs by tail, after the last arc is added. */
static void build_adjacency(struct flow *f, int n)
{
    int e, v;

    f->start = mg_xcalloc((size_t)n + 1, sizeof(*f->start));
    f->adj = mg_xmalloc(((size_t)f->n_arcs + 1) * sizeof(*f->adj));
    for (e = 0; e < f->n_arcs; e++)
        f->start[f->from[e] + 1]++;
    for (v = 0; v < n; v++)
        f->start[v + 1] += f->start[v];
    {
        int *fill = mg_xmalloc(((size_t)n + 1) * sizeof(*fill));

        memcpy(fill, f->start, (size_t)n * sizeof(*fill));
        for (e = 0; e < f->n_arcs; e++)
            f->adj[fill[f->from[e]]++] = e;
        free(fill);
    }
}

/* A binary heap of (distance, node), stale entries skipped on pop. */
struct heap {
    long long *d;
    int *v, n, cap;
};

static void heap_push(struct heap *h, long long d, int v)
{
    int i;

    if (h->n == h->cap) {
        h->cap = h->cap ? 2 * h->cap : 256;
        h->d = mg_xrealloc(h->d, (size_t)h->cap * sizeof(*h->d));
        h->v = mg_xrealloc(h->v, (size_t)h->cap * sizeof(*h->v));
    }
    i = h->n++;
    while (i > 0 && h->d[(i - 1) / 2] > d) {
        h->d[i] = h->d[(i - 1) / 2];
        h->v[i] = h->v[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h->d[i] = d;
    h->v[i] = v;
}

static void heap_pop(struct heap *h, long long *d, int *v)
{
    long long ld = h->d[--h->n];
    int lv = h->v[h->n], i = 0;

    *d = h->d[0];
    *v = h->v[0];
    for (;;) {
        int c = 2 * i + 1;

        if (c >= h->n)
            break;
        if (c + 1 < h->n && h->d[c + 1] < h->d[c])
            c++;
        if (h->d[c] >= ld)
            break;
        h->d[i] = h->d[c];
        h->v[i] = h->v[c];
        i = c;
    }
    h->d[i] = ld;
    h->v[i] = lv;
}

struct solver {
    struct flow *f;
    int n, s, t;
    long long *pi, *dist;
    int *it, *dead, *on_path, *path;
    struct heap heap;
};

static long long reduced(const struct solver *w, int e)
{
    return w->f->cost[e] + w->pi[w->f->from[e]] - w->pi[w->f->to[e]];
}

/* Distances from s on reduced costs; 0 when t is unreachable. */
static int dijkstra(struct solver *w)
{
    struct flow *f = w->f;
    int v, i;

    for (v = 0; v < w->n; v++)
        w->dist[v] = DIST_INF;
    w->dist[w->s] = 0;
    w->heap.n = 0;
    heap_push(&w->heap, 0, w->s);
    while (w->heap.n > 0) {
        long long d;

        heap_pop(&w->heap, &d, &v);
        if (d > w->dist[v])
            continue;
        if (v == w->t)
            break;
        for (i = f->start[v]; i < f->start[v + 1]; i++) {
            int e = f->adj[i], u = f->to[e];
            long long nd;

            if (f->cap[e] <= 0)
                continue;
            nd = d + reduced(w, e);
            if (nd < w->dist[u]) {
                w->dist[u] = nd;
                heap_push(&w->heap, nd, u);
            }
        }
    }
    if (w->dist[w->t] == DIST_INF)
        return 0;
    for (v = 0; v < w->n; v++)
        w->pi[v] += w->dist[v] < w->dist[w->t] ? w->dist[v] : w->dist[w->t];
    return 1;
}

/* Augment along admissible arcs until none is left from s to t. */
static long long blocking_flow(struct solver *w)
{
    struct flow *f = w->f;
    long long sent = 0;
    int v;

    for (v = 0; v < w->n; v++) {
        w->it[v] = f->start[v];
        w->dead[v] = 0;
        w->on_path[v] = 0;
    }
    for (;;) {
        int depth = 0, k, push;

        v = w->s;
        w->on_path[v] = 1;
        while (v != w->t) {
            int e = -1;

            for (; w->it[v] < f->start[v + 1]; w->it[v]++) {
                int c = f->adj[w->it[v]], u = f->to[c];

                if (f->cap[c] > 0 && !w->dead[u] && !w->on_path[u] &&
                    reduced(w, c) == 0) {
                    e = c;
                    break;
                }
            }
            if (e >= 0) {
                w->path[depth++] = e;
                v = f->to[e];
                w->on_path[v] = 1;
                continue;
            }
            w->dead[v] = 1;
            w->on_path[v] = 0;
            if (v == w->s)
                return sent;
            v = f->from[w->path[--depth]];
            w->it[v]++;
        }
        push = INT_MAX;
        for (k = 0; k < depth; k++)
            if (f->cap[w->path[k]] < push)
                push = f->cap[w->path[k]];
        for (k = 0; k < depth; k++) {
            f->cap[w->path[k]] -= push;
            f->cap[w->path[k] ^ 1] += push;
            w->on_path[f->to[w->path[k]]] = 0;
        }
        sent += push;
    }
}

int flow_solve(struct flow *f, long long *cost)
{
    struct solver w;
    long long need = 0, sent = 0;
    int v, e, rc = 0, n_user = f->n;

    memset(&w, 0, sizeof(w));
    w.f = f;
    w.s = n_user;
    w.t = n_user + 1;
    w.n = n_user + 2;
    f->first_terminal = f->n_arcs;
    for (v = 0; v < n_user; v++) {
        if (f->excess[v] > 0) {
            arc(f, w.s, v, (int)f->excess[v], 0);
            need += f->excess[v];
        } else if (f->excess[v] < 0) {
            arc(f, v, w.t, (int)-f->excess[v], 0);
        }
    }
    build_adjacency(f, w.n);
    w.pi = mg_xcalloc((size_t)w.n, sizeof(*w.pi));
    w.dist = mg_xmalloc((size_t)w.n * sizeof(*w.dist));
    w.it = mg_xmalloc((size_t)w.n * sizeof(*w.it));
    w.dead = mg_xmalloc((size_t)w.n * sizeof(*w.dead));
    w.on_path = mg_xmalloc((size_t)w.n * sizeof(*w.on_path));
    w.path = mg_xmalloc(((size_t)w.n + 1) * sizeof(*w.path));
    while (sent < need && dijkstra(&w))
        sent += blocking_flow(&w);
    if (sent < need)
        rc = MG_ENOTFOUND;
    *cost = 0;
    for (e = 0; e < f->first_terminal; e += 2)
        *cost += (long long)flow_on(f, e) * f->cost[e];
    free(w.pi);
    free(w.dist);
    free(w.it);
    free(w.dead);
    free(w.on_path);
    free(w.path);
    free(w.heap.d);
    free(w.heap.v);
    return rc;
}
