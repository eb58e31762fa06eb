/*
 * overview.c: a circle's groups at a glance from the store's counts (see
 * overview.h): the counts come a row per group, status, sector and
 * region; sectors and regions are folded as mg_assign_load() folds them,
 * and the fair bands and the rest of the quality figures are the group
 * module's definitions, applied to the counts instead of to each person.
 */
#include "mingle/overview.h"

#include <stdlib.h>
#include <string.h>

#include "banned.h"

static int by_key(const void *x, const void *y)
{
    const struct mg_overview_key *a = x, *b = y;

    return a->id < b->id ? -1 : a->id > b->id;
}

int mg_overview_group(const struct mg_overview *o, int64_t group_id)
{
    struct mg_overview_key key = {group_id, 0};
    const struct mg_overview_key *hit;

    if (!group_id || !o->plan.n_groups)
        return -1;
    hit = bsearch(&key, o->keys, o->plan.n_groups, sizeof(key), by_key);
    return hit ? hit->index : -1;
}

static int by_string(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* A sector or region as the planner compares them: no spaces around,
 * lower case. */
static char *fold(const char *s)
{
    char *out, *p;
    size_t n;

    while (*s == ' ')
        s++;
    out = mg_xstrdup(s);
    n = strlen(out);
    while (n > 0 && out[n - 1] == ' ')
        out[--n] = '\0';
    for (p = out; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return out;
}

static int is_active(const struct mg_store_mix_row *row)
{
    return strcmp(row->status, "active") == 0;
}

/* The distinct folded values of one column of the active people's rows:
 * *names sorted, and each row's index into it in at[i] (-1: none). Each
 * distinct stored value is folded once (thousands of rows, a few
 * values). */
static void distinct(char ***names, size_t *n, int *at,
                     const struct mg_store_mix *mix, int region)
{
    const char **raw = mg_xcalloc(mix->n_rows + 1, sizeof(*raw));
    char **all, **folded;
    size_t i, n_raw = 0, u = 0, k;

    for (i = 0; i < mix->n_rows; i++) {
        const char *v = region ? mix->rows[i].region : mix->rows[i].sector;
        if (v && is_active(&mix->rows[i]))
            raw[n_raw++] = v;
    }
    if (n_raw)
        qsort(raw, n_raw, sizeof(*raw), by_string);
    for (i = 0; i < n_raw; i++)
        if (!u || strcmp(raw[u - 1], raw[i]) != 0)
            raw[u++] = raw[i];
    n_raw = u;
    /* the stored values folded, in their order; then the folded ones
     * sorted and made distinct */
    folded = mg_xcalloc(n_raw + 1, sizeof(*folded));
    all = mg_xcalloc(n_raw + 1, sizeof(*all));
    for (i = 0; i < n_raw; i++) {
        folded[i] = fold(raw[i]);
        all[i] = folded[i];
    }
    if (n_raw)
        qsort(all, n_raw, sizeof(*all), by_string);
    for (i = 0, u = 0; i < n_raw; i++)
        if (!u || strcmp(all[u - 1], all[i]) != 0)
            all[u++] = mg_xstrdup(all[i]);
    for (i = 0; i < mix->n_rows; i++) {
        const char *v = region ? mix->rows[i].region : mix->rows[i].sector;
        const char **hit;
        char **name;

        at[i] = -1;
        if (!v || !n_raw)
            continue;
        hit = bsearch(&v, raw, n_raw, sizeof(*raw), by_string);
        if (!hit) { /* a row of people not active: folded on its own */
            char *key = fold(v);
            name = bsearch(&key, all, u, sizeof(*all), by_string);
            free(key);
        } else {
            k = (size_t)(hit - raw);
            name = bsearch(&folded[k], all, u, sizeof(*all), by_string);
        }
        at[i] = name ? (int)(name - all) : -1;
    }
    for (i = 0; i < n_raw; i++)
        free(folded[i]);
    free(folded);
    free(raw);
    *names = all;
    *n = u;
}

/* Whether `count` of a value is outside its fair band in a group of
 * `size`: [floor(nv * size / placed), ceil(nv * size / placed)], nv the
 * value's placed people (group.h). */
static int band_miss(long long count, long long nv, long long size,
                     long long placed)
{
    long long lo = nv * size / placed, hi = (nv * size + placed - 1) / placed;

    return count < lo || count > hi;
}

/* Everything but the per-group counts, which `o` holds already. */
static void quality(struct mg_overview *o, const struct mg_store_mix *mix,
                    const int *grp, const int *sec, const int *reg,
                    const int *reg_counts, size_t n_regions)
{
    struct mg_quality *q = &o->quality;
    const struct mg_circle *c = o->plan.circle;
    size_t width = o->n_sectors + 1, n_groups = o->plan.n_groups, i, g, s;
    long long placed = 0, *tot_sec, *tot_reg;

    tot_sec = mg_xcalloc(o->n_sectors + 1, sizeof(*tot_sec));
    tot_reg = mg_xcalloc(n_regions + 1, sizeof(*tot_reg));
    for (i = 0; i < mix->n_rows; i++) {
        const struct mg_store_mix_row *row = &mix->rows[i];

        if (!is_active(row))
            continue;
        q->wishes_total += row->wishers;
        if (grp[i] < 0) {
            q->unplaced += row->people;
            continue;
        }
        placed += row->people;
        q->slot_violations += row->slot_misses;
        q->wishes_first += row->wishes_first;
        q->wishes_any += row->wishes_any;
        if (sec[i] >= 0)
            tot_sec[sec[i]] += row->people;
        if (reg[i] >= 0)
            tot_reg[reg[i]] += row->people;
    }
    for (g = 0; g < n_groups; g++) {
        int size = o->size[g];

        if (g == 0 || size < q->smallest)
            q->smallest = size;
        if (g == 0 || size > q->largest)
            q->largest = size;
        q->size_violations += size < c->group_min || size > c->group_max;
        q->no_facilitator += o->facilitators[g] == 0;
        for (s = 0; s < o->n_sectors && placed > 0; s++)
            q->sector_misses += band_miss(o->counts[g * width + s + 1],
                                          tot_sec[s], size, placed);
        for (s = 0; s < n_regions && placed > 0; s++)
            q->region_misses += band_miss(reg_counts[g * n_regions + s],
                                          tot_reg[s], size, placed);
    }
    q->together_total = mix->links.together_total;
    q->together_met = mix->links.together_met;
    q->apart_violations = mix->links.apart_met;
    free(tot_sec);
    free(tot_reg);
}

void mg_overview_release(struct mg_overview *o)
{
    size_t i;

    if (!o)
        return;
    for (i = 0; i < o->n_sectors; i++)
        free(o->sectors[i]);
    free(o->sectors);
    free(o->keys);
    free(o->size);
    free(o->facilitators);
    free(o->counts);
    mg_store_plan_release(&o->plan);
    memset(o, 0, sizeof(*o));
}

int mg_overview_load(struct mg_overview *o, struct mg_store *st,
                     int64_t circle_id)
{
    struct mg_store_mix mix;
    char **regions = NULL;
    size_t n_regions = 0, n_groups, width, i;
    int *grp = NULL, *sec = NULL, *reg = NULL, *reg_counts = NULL;
    int rc;

    memset(o, 0, sizeof(*o));
    rc = mg_store_plan_load(&o->plan, st, circle_id);
    if (rc < 0)
        return rc;
    n_groups = o->plan.n_groups;
    o->keys = mg_xcalloc(n_groups + 1, sizeof(*o->keys));
    for (i = 0; i < n_groups; i++) {
        o->keys[i].id = o->plan.groups[i].id;
        o->keys[i].index = (int)i;
    }
    qsort(o->keys, n_groups, sizeof(*o->keys), by_key);
    rc = mg_store_circle_mix(&mix, st, circle_id);
    if (rc < 0)
        return rc;
    grp = mg_xcalloc(mix.n_rows + 1, sizeof(*grp));
    for (i = 0; i < mix.n_rows; i++)
        grp[i] = mg_overview_group(o, mix.rows[i].group_id);
    sec = mg_xcalloc(mix.n_rows + 1, sizeof(*sec));
    reg = mg_xcalloc(mix.n_rows + 1, sizeof(*reg));
    distinct(&o->sectors, &o->n_sectors, sec, &mix, 0);
    distinct(&regions, &n_regions, reg, &mix, 1);
    width = o->n_sectors + 1;
    o->size = mg_xcalloc(n_groups + 1, sizeof(int));
    o->facilitators = mg_xcalloc(n_groups + 1, sizeof(int));
    o->counts = mg_xcalloc((n_groups + 1) * width, sizeof(int));
    reg_counts = mg_xcalloc((n_groups + 1) * (n_regions + 1), sizeof(int));
    for (i = 0; i < mix.n_rows; i++) {
        const struct mg_store_mix_row *row = &mix.rows[i];
        int g;

        o->people += (size_t)row->people;
        if (strcmp(row->status, "waitlisted") == 0)
            o->waitlisted += (size_t)row->people;
        else if (strcmp(row->status, "withdrawn") == 0)
            o->withdrawn += (size_t)row->people;
        if (!is_active(row))
            continue;
        o->active += (size_t)row->people;
        g = grp[i];
        if (g < 0)
            continue;
        o->size[g] += row->people;
        o->facilitators[g] += row->facilitators;
        o->counts[(size_t)g * width + (size_t)(sec[i] + 1)] += row->people;
        if (reg[i] >= 0)
            reg_counts[(size_t)g * n_regions + (size_t)reg[i]] += row->people;
    }
    quality(o, &mix, grp, sec, reg, reg_counts, n_regions);
    for (i = 0; i < n_regions; i++)
        free(regions[i]);
    free(regions);
    free(reg_counts);
    free(grp);
    free(sec);
    free(reg);
    mg_store_mix_release(&mix);
    return 0;
}
