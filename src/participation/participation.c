/*
 * participation.c: the glue from the store's rows to each person's calls
 * and totals. Two queries (people, calls), merged by person id; a
 * plenary's occurrence gets its own start from the circle's zone.
 */
#include "mingle/participation.h"

#include <stdlib.h>
#include <string.h>

#include "mingle/circle.h"
#include "mingle/report.h"
#include "mingle/store.h"

#include "banned.h"

int mg_participation_minutes(int reported, int scheduled)
{
    if (scheduled < 0)
        scheduled = 0;
    if (reported <= 0)
        return scheduled;
    return reported < scheduled ? reported : scheduled;
}

static int by_start(const void *a, const void *b)
{
    const struct mg_participation_call *x = a, *y = b;

    if (x->starts_at != y->starts_at)
        return x->starts_at < y->starts_at ? -1 : 1;
    return x->plenary - y->plenary;
}

void mg_participation_total(struct mg_participation *p)
{
    size_t i;

    if (p->n_calls > 1)
        qsort(p->calls, p->n_calls, sizeof(p->calls[0]), by_start);
    p->group_calls = p->plenary_calls = p->minutes = 0;
    p->first_at = p->last_at = 0;
    for (i = 0; i < p->n_calls; i++) {
        const struct mg_participation_call *c = &p->calls[i];
        int64_t end = c->starts_at + (int64_t)c->scheduled * 60;

        if (c->plenary)
            p->plenary_calls++;
        else
            p->group_calls++;
        p->minutes += c->minutes;
        if (i == 0)
            p->first_at = c->starts_at;
        if (end > p->last_at)
            p->last_at = end;
    }
}

static char *dup_or_empty(char *s)
{
    return s ? s : mg_xstrdup("");
}

int mg_participation_load(struct mg_participation **out, size_t *n,
                          struct mg_store *st, int64_t circle_id,
                          int64_t person_id)
{
    struct mg_circle *c = NULL;
    struct mg_store_part_person *people = NULL;
    struct mg_store_part_call *calls = NULL;
    struct mg_participation *all = NULL;
    size_t n_people = 0, n_calls = 0, i, k = 0;
    int rc;

    *out = NULL;
    *n = 0;
    rc = mg_store_circle_get(&c, st, circle_id);
    if (rc < 0)
        goto out;
    rc = mg_store_participation_people(&people, &n_people, st, circle_id,
                                       person_id);
    if (rc < 0)
        goto out;
    rc = mg_store_participation_calls(&calls, &n_calls, st, circle_id,
                                      person_id);
    if (rc < 0)
        goto out;
    all = mg_xcalloc(n_people ? n_people : 1, sizeof(*all));
    for (i = 0; i < n_people; i++) {
        struct mg_participation *p = &all[i];
        struct mg_store_part_person *r = &people[i];
        size_t first;

        p->person_id = r->id;
        p->name = dup_or_empty(r->name);
        r->name = NULL;
        memcpy(p->status, r->status, sizeof(p->status));
        p->facilitator = r->facilitator;
        p->group_id = r->group_id;
        p->group_name = dup_or_empty(r->group_name);
        r->group_name = NULL;
        p->thread_title = dup_or_empty(r->thread_title);
        r->thread_title = NULL;
        /* both lists are by person id */
        while (k < n_calls && calls[k].person_id < r->id)
            k++;
        for (first = k; k < n_calls && calls[k].person_id == r->id; k++)
            ;
        if (k > first) {
            size_t j;

            p->calls = mg_xcalloc(k - first, sizeof(*p->calls));
            for (j = first; j < k; j++) {
                struct mg_participation_call *pc = &p->calls[p->n_calls];
                struct mg_store_part_call *sc = &calls[j];

                pc->plenary = sc->plenary;
                pc->session_id = sc->session_id;
                pc->plenary_id = sc->plenary_id;
                pc->week = sc->week;
                pc->starts_at = sc->starts_at;
                if (sc->plenary && sc->week > 1 &&
                    mg_report_occurrence_start(&pc->starts_at, c->time_zone,
                                               sc->starts_at, sc->week) < 0)
                    pc->starts_at =
                        sc->starts_at + (int64_t)(sc->week - 1) * 7 * 86400;
                pc->scheduled = sc->scheduled;
                pc->reported = sc->reported;
                pc->minutes =
                    mg_participation_minutes(sc->reported, sc->scheduled);
                pc->title = dup_or_empty(sc->title);
                sc->title = NULL;
                p->n_calls++;
            }
        }
        mg_participation_total(p);
    }
    *out = all;
    *n = n_people;
    all = NULL;
out:
    mg_participation_free(all, n_people);
    mg_store_part_people_free(people, n_people);
    mg_store_part_calls_free(calls, n_calls);
    mg_circle_free(c);
    return rc;
}

void mg_participation_free(struct mg_participation *p, size_t n)
{
    size_t i, j;

    if (!p)
        return;
    for (i = 0; i < n; i++) {
        free(p[i].name);
        free(p[i].group_name);
        free(p[i].thread_title);
        for (j = 0; j < p[i].n_calls; j++)
            free(p[i].calls[j].title);
        free(p[i].calls);
    }
    free(p);
}
