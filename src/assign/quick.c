/*
 * quick.c: a rebalance that does not load the circle. Most weeks the
 * only thing wrong with a large circle's groups is a few newcomers with
 * no group; when the store's counts say every group keeps the hard rules
 * (sizes, a facilitator, everyone on a slot they can make, nobody with
 * someone they asked to be apart from) and each newcomer fits a group
 * with room on a slot they can make, placing them moves nobody, which is
 * what the full rebalance would do too: so they are placed here, from
 * the counts, without reading 50,000 people. "Room" is also within the
 * even band mg_group_rebalance() keeps (every group of n people in g
 * groups within n / g rounded down and up): when the sizes after the
 * newcomers are not all in it, the full rebalance would move people to
 * even them out, so it is left to do that. Anything else (a group out
 * of bounds, links to or from a newcomer, more newcomers than a handful)
 * is left to mg_assign_rebalance().
 */
#include "mingle/assign.h"

#include <stdlib.h>
#include <string.h>

#include "banned.h"

/* More newcomers than this and the full rebalance places them (it
 * balances sectors and regions, which the counts here do not see). */
#define QUICK_MAX 32

size_t mg_assign_hard_issues(const struct mg_issue *issues, size_t n)
{
    size_t i, hard = 0;

    for (i = 0; i < n; i++)
        hard += strcmp(issues[i].rule, "together") != 0;
    return hard;
}

void mg_assign_quick_release(struct mg_assign_quick *q)
{
    size_t i;

    for (i = 0; i < q->n_placed; i++)
        free(q->placed[i].name);
    free(q->placed);
    memset(q, 0, sizeof(*q));
}

/* Whether a person who named `slots` (of any circle) can make slot
 * `slot_id` of circle `c`: no slot of the circle named is any slot. */
static int can_make(const struct mg_circle *c, const struct mg_participant *p,
                    int64_t slot_id)
{
    size_t i, j;
    int named = 0;

    for (i = 0; i < p->n_slots; i++)
        for (j = 0; j < c->n_slots; j++)
            if (c->slots[j].id == p->slot_ids[i]) {
                if (p->slot_ids[i] == slot_id)
                    return 1;
                named = 1;
            }
    return !named;
}

/* How well group `g` suits newcomer `p`: lower is better. */
static long long fit(const struct mg_participant *p,
                     const struct mg_group_census *g)
{
    long long wish = 2;
    size_t w;

    for (w = 0; w < p->n_wishes; w++)
        if (g->thread_id && p->wishes[w] == g->thread_id) {
            wish = w == 0 ? 0 : 1;
            break;
        }
    /* a wish first; a facilitator goes where there are fewest; then the
     * smallest group, then the first */
    return ((wish * 64 +
             (p->role == MG_PERSON_FACILITATOR ? g->facilitators : 0)) *
                4096 +
            g->size) *
               1000000 +
           g->position;
}

int mg_assign_quick_rebalance(struct mg_assign_quick *q, struct mg_store *st,
                              int64_t circle_id, int store)
{
    struct mg_circle *c = NULL;
    struct mg_group_census *groups = NULL;
    struct mg_participant *fresh = NULL;
    struct mg_people_filter f;
    int64_t *ids = NULL, *to = NULL;
    size_t n_groups = 0, n_fresh = 0, links = 0, i, g, j;
    int apart = 0, rc, lo, hi, total;
    int *at = NULL;

    memset(q, 0, sizeof(*q));
    rc = mg_store_circle_get(&c, st, circle_id);
    if (rc < 0)
        return rc;
    if (c->n_slots == 0 || c->n_slots > MG_GROUP_MAX_SLOTS)
        goto out;
    rc = mg_store_group_census(&groups, &n_groups, &apart, st, circle_id);
    if (rc < 0 || n_groups == 0 || apart)
        goto out;
    for (g = 0; g < n_groups; g++) {
        const struct mg_group_census *r = &groups[g];
        int known = 0;

        for (j = 0; j < c->n_slots; j++)
            known |= c->slots[j].id == r->slot_id;
        if (!known || r->size < c->group_min || r->size > c->group_max ||
            r->facilitators == 0 || r->off_slot)
            goto out;
    }
    memset(&f, 0, sizeof(f));
    f.status = "active";
    f.group_id = -1;
    f.limit = QUICK_MAX + 1;
    rc = mg_store_participants_list(&fresh, &n_fresh, st, circle_id, &f);
    if (rc < 0 || n_fresh > QUICK_MAX)
        goto out;
    ids = mg_xcalloc(n_fresh + 1, sizeof(*ids));
    to = mg_xcalloc(n_fresh + 1, sizeof(*to));
    at = mg_xcalloc(n_fresh + 1, sizeof(*at));
    for (i = 0; i < n_fresh; i++) {
        if (fresh[i].n_with || fresh[i].n_apart)
            goto out;
        ids[i] = fresh[i].id;
    }
    if (n_fresh) {
        rc = mg_store_links_naming(&links, st, circle_id, ids, n_fresh);
        if (rc < 0 || links)
            goto out;
    }
    total = (int)n_fresh;
    for (g = 0; g < n_groups; g++)
        total += groups[g].size;
    lo = total / (int)n_groups;
    hi = (total + (int)n_groups - 1) / (int)n_groups;
    if (hi > c->group_max)
        goto out; /* the groups must open one more */
    for (i = 0; i < n_fresh; i++) {
        long long best = -1, score;
        size_t pick = 0;

        for (g = 0; g < n_groups; g++) {
            if (groups[g].size >= hi ||
                !can_make(c, &fresh[i], groups[g].slot_id))
                continue;
            score = fit(&fresh[i], &groups[g]);
            if (best < 0 || score < best) {
                best = score;
                pick = g;
            }
        }
        if (best < 0)
            goto out; /* no room for them: the groups must change */
        groups[pick].size++;
        groups[pick].facilitators += fresh[i].role == MG_PERSON_FACILITATOR;
        to[i] = groups[pick].id;
        at[i] = (int)pick;
    }
    for (g = 0; g < n_groups; g++)
        if (groups[g].size < lo)
            goto out; /* uneven: the full rebalance evens them */
    if (store && n_fresh) {
        rc = mg_store_memberships_move(st, circle_id, ids, to, n_fresh);
        if (rc < 0)
            goto out;
    }
    q->applied = 1;
    q->n_groups = n_groups;
    q->smallest = q->largest = groups[0].size;
    for (g = 0; g < n_groups; g++) {
        if (groups[g].size < q->smallest)
            q->smallest = groups[g].size;
        if (groups[g].size > q->largest)
            q->largest = groups[g].size;
    }
    q->placed = mg_xcalloc(n_fresh + 1, sizeof(*q->placed));
    for (i = 0; i < n_fresh; i++) {
        struct mg_assign_placement *p = &q->placed[i];
        const struct mg_group_census *r = &groups[at[i]];

        p->person_id = fresh[i].id;
        p->name = mg_xstrdup(fresh[i].name);
        p->role = fresh[i].role;
        p->group_id = r->id;
        p->group_position = r->position;
        p->slot_id = r->slot_id;
        p->thread_id = r->thread_id;
        p->size = r->size;
        p->facilitators = r->facilitators;
    }
    q->n_placed = n_fresh;
out:
    free(ids);
    free(to);
    free(at);
    free(groups);
    mg_participants_free(fresh, n_fresh);
    mg_circle_free(c);
    return rc < 0 ? rc : 0;
}
