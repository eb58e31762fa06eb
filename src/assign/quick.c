/*
 * quick.c: a rebalance that does not load the circle. Most weeks the
 * only thing wrong with a large circle's groups is a few newcomers with
 * no group. Each stored plan or rebalance that keeps every hard rule
 * leaves a mark (store/changes.h): when, the range of group sizes then,
 * and a few groups that had room. The next rebalance reads only what
 * changed since (people added, withdrawn, edited or moved; groups whose
 * slot changed) through indexes, counts just the groups concerned, and
 * when those groups keep the hard rules (sizes, a facilitator, everyone
 * on a slot they can make, nobody with someone they asked to be apart
 * from) and each newcomer fits a group with room on a slot they can
 * make, places them there: nobody moves, which is what the full
 * rebalance would do too.
 *
 * "Room" is also within the even band mg_group_rebalance() keeps (every
 * group of n people in g groups within n / g rounded down and up): when
 * the sizes are not all in it, the full rebalance would move people to
 * even them out, so it is left to do that. Anything else (no mark, a
 * group out of bounds, someone erased, links to or from a newcomer, more
 * than a handful of changes) goes to mg_assign_rebalance(), whose stored
 * result leaves a fresh mark.
 */
#include "mingle/assign.h"

#include <stdlib.h>
#include <string.h>

#include "banned.h"

/* More newcomers or changes than these and the full rebalance runs (it
 * also balances sectors and regions, which the counts here do not see). */
#define QUICK_MAX 32
#define CHANGES_MAX 512

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

/* Whether person `p` can make slot `slot_id` of circle `c`: naming no
 * slot of the circle is any slot. */
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

static int64_t *append_ids(int64_t *to, size_t *n, const int64_t *from,
                           size_t k)
{
    to = mg_xrealloc(to, (*n + k + 1) * sizeof(*to));
    if (k) /* `from` may be NULL when there is nothing to add */
        memcpy(to + *n, from, k * sizeof(*from));
    *n += k;
    return to;
}

/* Fill the mark's room list from group sizes: groups under `largest`. */
static void note_room(struct mg_rebalance_mark *m, const int64_t *ids,
                      const int *sizes, size_t n)
{
    size_t i;

    for (i = 0; i < n && m->n_room < MG_MARK_ROOM; i++)
        if (sizes[i] < m->largest)
            m->room[m->n_room++] = ids[i];
}

int mg_assign_quick_rebalance(struct mg_assign_quick *q, struct mg_store *st,
                              int64_t circle_id, int store)
{
    struct mg_rebalance_mark mark, next;
    struct mg_circle *c = NULL;
    struct mg_group_census *groups = NULL;
    struct mg_participant *touched = NULL, *fresh = NULL;
    int64_t *people = NULL, *changed = NULL, *look = NULL, *ids = NULL,
            *to = NULL, *room_ids = NULL;
    struct mg_store_tally tally;
    int64_t active = 0, n_all = 0, t0 = mg_now();
    size_t n_people = 0, n_changed = 0, n_look = 0, n_groups = 0, n_touched = 0,
           n_fresh = 0, links = 0, i, g, j;
    int apart = 0, rc, lo, hi, *at = NULL, *room_sizes = NULL;

    memset(q, 0, sizeof(*q));
    rc = mg_store_mark_get(&mark, st, circle_id);
    if (rc == MG_ENOTFOUND)
        return 0;
    if (rc == 0)
        rc = mg_store_circle_get(&c, st, circle_id);
    if (rc < 0)
        return rc;
    if (c->n_slots == 0 || c->n_slots > MG_GROUP_MAX_SLOTS ||
        mark.group_min != c->group_min || mark.group_max != c->group_max ||
        mark.n_slots != (int)c->n_slots)
        goto out;
    rc = mg_store_changed_since(&people, &n_people, &changed, &n_changed,
                                &tally, st, circle_id, &mark);
    active = tally.active;
    n_all = tally.groups;
    /* someone erased since (their membership went with them), or too
     * much changed for a quick look */
    if (rc < 0 || n_all == 0 || tally.kept != mark.participants ||
        n_people > CHANGES_MAX || n_changed > CHANGES_MAX)
        goto out;
    /* the groups that changed, and those with room when the mark was
     * left, counted; every other group is as it was then */
    look = append_ids(look, &n_look, changed, n_changed);
    look = append_ids(look, &n_look, mark.room, mark.n_room);
    rc = mg_store_group_census(&groups, &n_groups, &apart, st, circle_id, look,
                               n_look, people, n_people);
    if (rc < 0 || apart)
        goto out;
    lo = (int)(active / n_all);
    hi = (int)((active + n_all - 1) / n_all);
    /* the groups not counted are within the mark's sizes */
    if (hi > c->group_max ||
        ((size_t)n_all > n_groups && (mark.smallest < lo || mark.largest > hi)))
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
    /* the newcomers: active people among those changed, in no group */
    rc = mg_store_people_touched(&touched, &n_touched, st, circle_id, people,
                                 n_people, NULL, 0);
    if (rc < 0)
        goto out;
    fresh = mg_xcalloc(QUICK_MAX + 1, sizeof(*fresh));
    for (i = 0; i < n_touched; i++) {
        struct mg_participant *p = NULL;
        if (touched[i].status != MG_STATUS_ACTIVE || touched[i].group_id)
            continue;
        if (n_fresh == QUICK_MAX)
            goto out;
        rc = mg_store_participant_get(&p, st, circle_id, touched[i].id);
        if (rc < 0)
            goto out;
        fresh[n_fresh++] = *p;
        free(p);
    }
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
            goto out; /* no room known: the groups must change */
        groups[pick].size++;
        groups[pick].facilitators += fresh[i].role == MG_PERSON_FACILITATOR;
        to[i] = groups[pick].id;
        at[i] = (int)pick;
    }
    for (g = 0; g < n_groups; g++)
        if (groups[g].size < lo || groups[g].size > hi)
            goto out; /* uneven: the full rebalance evens them */
    if (store && n_fresh) {
        rc = mg_store_memberships_move(st, circle_id, ids, to, n_fresh);
        if (rc < 0)
            goto out;
    }
    /* the next mark: what was checked here, as of when it was read */
    memset(&next, 0, sizeof(next));
    next.at = t0;
    next.participants = tally.kept + tally.added;
    next.max_id = tally.max_id;
    next.group_min = c->group_min;
    next.group_max = c->group_max;
    next.n_slots = (int)c->n_slots;
    next.smallest = mark.smallest;
    next.largest = mark.largest;
    for (g = 0; g < n_groups; g++) {
        if (groups[g].size < next.smallest)
            next.smallest = groups[g].size;
        if (groups[g].size > next.largest)
            next.largest = groups[g].size;
    }
    room_ids = mg_xcalloc(n_groups + 1, sizeof(*room_ids));
    room_sizes = mg_xcalloc(n_groups + 1, sizeof(*room_sizes));
    for (g = 0; g < n_groups; g++) {
        room_ids[g] = groups[g].id;
        room_sizes[g] = groups[g].size;
    }
    note_room(&next, room_ids, room_sizes, n_groups);
    /* without it, the old mark still holds (what was placed here is a
     * change since it): only slower next time */
    if (store && mg_store_mark_set(st, circle_id, &next) < 0)
        mg_log(MG_LOG_WARN, "cannot leave the rebalance mark", NULL);
    q->applied = 1;
    q->n_groups = (size_t)n_all;
    q->smallest = next.smallest;
    q->largest = next.largest;
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
    free(people);
    free(changed);
    free(look);
    free(ids);
    free(to);
    free(at);
    free(room_ids);
    free(room_sizes);
    free(groups);
    mg_participants_free(touched, n_touched);
    mg_participants_free(fresh, n_fresh);
    mg_circle_free(c);
    return rc < 0 ? rc : 0;
}

int mg_assign_mark(struct mg_store *st, const struct mg_assign *a, int64_t at,
                   int64_t participants, int64_t max_id, int replaced)
{
    struct mg_rebalance_mark m;
    const struct mg_assign_result *res = &a->result;
    int *sizes;
    int64_t *ids;
    size_t i;
    int g, n = res->n_groups, rc;

    if (!a->have_result || mg_assign_hard_issues(res->issues, res->n_issues) ||
        n == 0)
        return mg_store_mark_clear(st, a->circle->id);
    /* the stored groups, by position: a plan's are new, a rebalance's
     * those it kept plus any it opened (a->opened_ids) */
    if (!replaced) {
        int kept = 0, *slot = mg_xcalloc((size_t)n + 1, sizeof(int));

        ids = mg_xcalloc((size_t)n + 1, sizeof(*ids));
        for (g = 0; g < n; g++) {
            slot[g] = -1;
            if ((size_t)g < a->n_groups) {
                if (res->dissolved && res->dissolved[g])
                    continue;
                ids[kept] = a->groups[g].id;
            } else if ((size_t)g - a->n_groups < a->n_opened_ids) {
                ids[kept] = a->opened_ids[(size_t)g - a->n_groups];
            } else {
                free(slot);
                free(ids);
                return mg_store_mark_clear(st, a->circle->id);
            }
            slot[g] = kept++;
        }
        sizes = mg_xcalloc((size_t)n + 1, sizeof(*sizes));
        for (i = 0; i < a->n_people; i++)
            if (res->group_of[i] >= 0 && res->group_of[i] < n &&
                slot[res->group_of[i]] >= 0)
                sizes[slot[res->group_of[i]]]++;
        free(slot);
        n = kept;
        goto have_sizes;
    }
    {
        struct mg_group_row *rows = NULL;
        size_t n_rows = 0;
        rc = mg_store_groups_list(&rows, &n_rows, st, a->circle->id);
        if (rc < 0)
            return rc;
        if (n_rows != (size_t)n) {
            mg_store_groups_free(rows, n_rows);
            return mg_store_mark_clear(st, a->circle->id);
        }
        ids = mg_xcalloc((size_t)n + 1, sizeof(*ids));
        for (i = 0; i < n_rows; i++)
            ids[i] = rows[i].id;
        mg_store_groups_free(rows, n_rows);
    }
    sizes = mg_xcalloc((size_t)n + 1, sizeof(*sizes));
    for (i = 0; i < a->n_people; i++)
        if (res->group_of[i] >= 0 && res->group_of[i] < n)
            sizes[res->group_of[i]]++;
have_sizes:
    memset(&m, 0, sizeof(m));
    m.at = at;
    m.participants = participants;
    m.max_id = max_id;
    /* a plan wrote every membership and group: they are the mark, not
     * changes after it */
    if (replaced &&
        (rc = mg_store_mark_own(&m.own_memberships, &m.own_groups, st)) < 0)
        goto out;
    m.group_min = a->circle->group_min;
    m.group_max = a->circle->group_max;
    m.n_slots = (int)a->circle->n_slots;
    m.smallest = m.largest = sizes[0];
    for (g = 0; g < n; g++) {
        if (sizes[g] < m.smallest)
            m.smallest = sizes[g];
        if (sizes[g] > m.largest)
            m.largest = sizes[g];
    }
    note_room(&m, ids, sizes, (size_t)n);
    rc = mg_store_mark_set(st, a->circle->id, &m);
out:
    free(sizes);
    free(ids);
    return rc;
}
