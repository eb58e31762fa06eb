/*
 * overview: a circle at a glance for the pages and the API, from the
 * store's counts (mingle/store/overview.h) rather than its people: the
 * plan (groups, threads, readings), each group's size, facilitators and
 * mix of sectors, and the quality figures mg_assign_evaluate_current()
 * computes from every person, computed here from the counts with the
 * same rules (group.h). What it holds grows with the groups, a few ints
 * each, never with the people.
 */
#ifndef MINGLE_OVERVIEW_H
#define MINGLE_OVERVIEW_H

#include <stddef.h>
#include <stdint.h>

#include "mingle/group.h"
#include "mingle/store.h"

struct mg_overview_key {
    int64_t id;
    int index;
};

struct mg_overview {
    struct mg_plan_view plan;     /* circle, groups by position, book plan */
    struct mg_overview_key *keys; /* the groups' ids, sorted */
    char **sectors; /* the active people's, as the planner compares them
                       (trimmed, lower case), sorted */
    size_t n_sectors;
    int *size;         /* per group: active members */
    int *facilitators; /* per group */
    int *counts;       /* [g * (n_sectors + 1) + s + 1], s = -1: no sector */
    struct mg_quality quality;
    size_t active, waitlisted, withdrawn;
    size_t people; /* of every status */
};

/* Load circle `circle_id`'s overview into *o; MG_ENOTFOUND when there is
 * no such circle. Release with mg_overview_release() either way. */
int mg_overview_load(struct mg_overview *o, struct mg_store *st,
                     int64_t circle_id);
void mg_overview_release(struct mg_overview *o);

/* The index (by position) of group `group_id` of the circle, or -1. */
int mg_overview_group(const struct mg_overview *o, int64_t group_id);

#endif
