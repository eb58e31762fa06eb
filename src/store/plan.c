/*
 * plan.c: a circle's plan (circle, groups, threads, readings) in one
 * call, built from the table files' own loaders so that there is one
 * place that knows what "the plan" is.
 */
#include "internal.h"

#include <string.h>

#include "banned.h"

int mg_store_plan_load(struct mg_plan_view *out, struct mg_store *st,
                       int64_t circle_id)
{
    int rc;

    memset(out, 0, sizeof(*out));
    rc = mg_store_circle_get(&out->circle, st, circle_id);
    if (rc == 0)
        rc = mg_store_groups_list(&out->groups, &out->n_groups, st, circle_id);
    if (rc == 0)
        rc = mg_store_threads(&out->threads, &out->n_threads, st, circle_id);
    if (rc == 0)
        rc = mg_store_readings(&out->same, &out->n_same, st, circle_id,
                               "same_pace");
    if (rc == 0)
        rc = mg_store_readings(&out->per_thread, &out->n_per_thread, st,
                               circle_id, "thread");
    if (rc < 0)
        mg_store_plan_release(out);
    return rc;
}

void mg_store_plan_release(struct mg_plan_view *v)
{
    if (!v)
        return;
    mg_circle_free(v->circle);
    mg_store_groups_free(v->groups, v->n_groups);
    mg_store_spans_free(v->threads, v->n_threads);
    mg_store_spans_free(v->same, v->n_same);
    mg_store_spans_free(v->per_thread, v->n_per_thread);
    memset(v, 0, sizeof(*v));
}
