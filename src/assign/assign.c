/*
 * assign.c: from stored ids to the group module's indices and back.
 * Sectors and regions become small integers (compared without case);
 * emails in with/apart links are looked up through a sorted index, so
 * loading a 50,000-person circle stays O(N log N).
 */
#include "mingle/assign.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

struct keyed {
    const char *key;
    int index;
};

static int compare_keyed(const void *a, const void *b)
{
    return strcmp(((const struct keyed *)a)->key,
                  ((const struct keyed *)b)->key);
}

/* s lower-cased without its outer spaces, into *buf (grown as needed). */
static const char *fold(char **buf, size_t *cap, const char *s)
{
    size_t n, i;

    while (*s == ' ')
        s++;
    n = strlen(s);
    while (n > 0 && s[n - 1] == ' ')
        n--;
    if (n + 1 > *cap) {
        *cap = 2 * (n + 1);
        *buf = mg_xrealloc(*buf, *cap);
    }
    for (i = 0; i < n; i++)
        (*buf)[i] = (char)tolower((unsigned char)s[i]);
    (*buf)[n] = '\0';
    return *buf;
}

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;

    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

/*
 * Distinct non-empty values of one attribute, compared without case or
 * outer spaces: *names sorted, and each person's index into it in
 * values[i] (-1 when empty). One pass through a hash table of the few
 * distinct values, so a 50,000-person circle costs no allocation per
 * person.
 */
static void intern(char ***names, size_t *n_names, int *values,
                   char *const *raw, size_t n)
{
    size_t cap = 64, used = 0, i, bcap = 0;
    int *table = mg_xmalloc(cap * sizeof(*table)); /* -1: empty */
    char **seen = NULL, *buf = NULL;

    for (i = 0; i < cap; i++)
        table[i] = -1;
    for (i = 0; i < n; i++) {
        const char *key;
        size_t h;

        values[i] = -1;
        if (!raw[i] || !*raw[i])
            continue;
        key = fold(&buf, &bcap, raw[i]);
        for (h = fnv1a(key) & (cap - 1); table[h] >= 0; h = (h + 1) & (cap - 1))
            if (strcmp(seen[table[h]], key) == 0)
                break;
        if (table[h] < 0) {
            seen = mg_xrealloc(seen, (used + 1) * sizeof(*seen));
            seen[used] = mg_xstrdup(key);
            table[h] = (int)used++;
            if (2 * used > cap) { /* keep it at most half full */
                size_t k, c2 = 2 * cap;
                int *t2 = mg_xmalloc(c2 * sizeof(*t2));

                for (k = 0; k < c2; k++)
                    t2[k] = -1;
                for (k = 0; k < used; k++) {
                    size_t h2 = fnv1a(seen[k]) & (c2 - 1);

                    while (t2[h2] >= 0)
                        h2 = (h2 + 1) & (c2 - 1);
                    t2[h2] = (int)k;
                }
                free(table);
                table = t2;
                cap = c2;
                values[i] = (int)used - 1;
                continue;
            }
        }
        values[i] = table[h];
    }
    /* sorted names, and each value renumbered to its rank */
    {
        struct keyed *by = mg_xcalloc(used + 1, sizeof(*by));
        int *rank = mg_xcalloc(used + 1, sizeof(*rank));

        for (i = 0; i < used; i++) {
            by[i].key = seen[i];
            by[i].index = (int)i;
        }
        qsort(by, used, sizeof(*by), compare_keyed);
        for (i = 0; i < used; i++) {
            rank[by[i].index] = (int)i;
            seen[i] = (char *)by[i].key;
        }
        for (i = 0; i < n; i++)
            if (values[i] >= 0)
                values[i] = rank[values[i]];
        free(by);
        free(rank);
    }
    free(table);
    free(buf);
    *names = seen;
    *n_names = used;
}

int mg_assign_person_index(const struct mg_assign *a, int64_t id)
{
    return (int)mg_participants_find(a->people, a->n_people, id);
}

static int by_key_id(const void *x, const void *y)
{
    const struct mg_assign_key *a = x, *b = y;

    return a->id < b->id ? -1 : a->id > b->id;
}

/* Every person looks up their group: by a sorted index, not a scan of
 * thousands of groups for each of 50,000 people. */
static void index_groups(struct mg_assign *a)
{
    size_t i;

    free(a->group_keys);
    a->group_keys = mg_xcalloc(a->n_groups + 1, sizeof(*a->group_keys));
    for (i = 0; i < a->n_groups; i++) {
        a->group_keys[i].id = a->groups[i].id;
        a->group_keys[i].index = (int)i;
    }
    qsort(a->group_keys, a->n_groups, sizeof(*a->group_keys), by_key_id);
}

int mg_assign_group_index(const struct mg_assign *a, int64_t group_id)
{
    struct mg_assign_key key = {group_id, 0};
    const struct mg_assign_key *hit;

    if (!a->group_keys)
        return -1;
    hit = bsearch(&key, a->group_keys, a->n_groups, sizeof(key), by_key_id);
    return hit ? hit->index : -1;
}

static int slot_index(const struct mg_circle *c, int64_t slot_id)
{
    size_t i;

    for (i = 0; i < c->n_slots && i < MG_GROUP_MAX_SLOTS; i++)
        if (c->slots[i].id == slot_id)
            return (int)i;
    return -1;
}

static int thread_index(const struct mg_assign *a, int64_t thread_id)
{
    size_t i;

    for (i = 0; i < a->n_threads; i++)
        if (a->threads[i].id == thread_id)
            return (int)i;
    return -1;
}

/* Turn with/apart emails into pairs of indices. */
static void build_pairs(struct mg_assign *a)
{
    struct keyed *index = mg_xcalloc(a->n_people, sizeof(*index));
    char **norms = mg_xcalloc(a->n_people, sizeof(*norms));
    size_t i, j, cap_t = 0, cap_a = 0;

    for (i = 0; i < a->n_people; i++) {
        norms[i] = mg_email_normalize(a->people[i].email);
        index[i].key = norms[i];
        index[i].index = (int)i;
    }
    qsort(index, a->n_people, sizeof(*index), compare_keyed);
    for (i = 0; i < a->n_people; i++) {
        const struct mg_participant *p = &a->people[i];
        for (j = 0; j < p->n_with + p->n_apart; j++) {
            int with = j < p->n_with;
            char *norm =
                mg_email_normalize(with ? p->with[j] : p->apart[j - p->n_with]);
            struct keyed key = {norm, 0}, *hit;
            struct mg_pair pair;

            hit = bsearch(&key, index, a->n_people, sizeof(*index),
                          compare_keyed);
            free(norm);
            if (!hit || hit->index == (int)i)
                continue;
            pair.a = (int)i;
            pair.b = hit->index;
            if (with) {
                if (a->n_together == cap_t) {
                    cap_t = cap_t ? cap_t * 2 : 16;
                    a->together =
                        mg_xrealloc(a->together, cap_t * sizeof(pair));
                }
                a->together[a->n_together++] = pair;
            } else {
                if (a->n_apart == cap_a) {
                    cap_a = cap_a ? cap_a * 2 : 16;
                    a->apart = mg_xrealloc(a->apart, cap_a * sizeof(pair));
                }
                a->apart[a->n_apart++] = pair;
            }
        }
    }
    for (i = 0; i < a->n_people; i++)
        free(norms[i]);
    free(norms);
    free(index);
}

/*
 * The slots' names for the group module's messages, "tuesday 19:30" in
 * the circle's time: one block holding the pointers and then the text,
 * released with one free().
 */
static const char *const *name_slots(const struct mg_circle *c, int n)
{
    enum { NAME_MAX_LEN = 24 };
    char **v = mg_xmalloc((size_t)n * (sizeof(*v) + NAME_MAX_LEN) + 1);
    char *text = (char *)(v + n);
    int i;

    for (i = 0; i < n; i++) {
        v[i] = text + (size_t)i * NAME_MAX_LEN;
        snprintf(v[i], NAME_MAX_LEN, "%s %02d:%02d",
                 mg_weekday_name(c->slots[i].weekday),
                 c->slots[i].start_minute / 60, c->slots[i].start_minute % 60);
    }
    return (const char *const *)v;
}

int mg_assign_load(struct mg_assign *a, struct mg_store *st, int64_t circle_id)
{
    struct mg_people_filter f;
    struct mg_plan_view plan;
    struct mg_participant *all = NULL;
    size_t n_all = 0, i, j;
    char **raw = NULL;
    int *values = NULL;
    int rc;

    memset(a, 0, sizeof(*a));
    memset(&f, 0, sizeof(f));
    f.status = "active";
    rc = mg_store_plan_load(&plan, st, circle_id);
    if (rc < 0)
        goto out;
    /* the assignment takes over what the plan holds */
    a->circle = plan.circle;
    a->threads = plan.threads;
    a->n_threads = plan.n_threads;
    a->same = plan.same;
    a->n_same = plan.n_same;
    a->per_thread = plan.per_thread;
    a->n_per_thread = plan.n_per_thread;
    a->groups = plan.groups;
    a->n_groups = plan.n_groups;
    rc = mg_store_participants_list(&all, &n_all, st, circle_id, &f);
    if (rc < 0)
        goto out;
    a->people = all;
    a->n_people = n_all;
    all = NULL;
    index_groups(a);

    a->persons = mg_xcalloc(a->n_people, sizeof(*a->persons));
    a->names = mg_xcalloc(a->n_people, sizeof(*a->names));
    for (i = 0; i < a->n_people; i++)
        a->names[i] = a->people[i].name;
    raw = mg_xcalloc(a->n_people, sizeof(*raw));
    values = mg_xcalloc(a->n_people, sizeof(*values));
    for (i = 0; i < a->n_people; i++)
        raw[i] = a->people[i].sector;
    intern(&a->sectors, &a->n_sectors, values, raw, a->n_people);
    for (i = 0; i < a->n_people; i++) {
        a->persons[i].sector = values[i];
        raw[i] = a->people[i].region;
    }
    intern(&a->regions, &a->n_regions, values, raw, a->n_people);
    for (i = 0; i < a->n_people; i++) {
        const struct mg_participant *p = &a->people[i];
        struct mg_person *q = &a->persons[i];

        q->region = values[i];
        q->facilitator = p->role == MG_PERSON_FACILITATOR;
        for (j = 0; j < p->n_slots; j++) {
            int s = slot_index(a->circle, p->slot_ids[j]);
            if (s >= 0)
                q->slots |= 1u << s;
        }
        for (j = 0; j < p->n_wishes && q->n_wishes < MG_GROUP_MAX_WISHES; j++) {
            int t = thread_index(a, p->wishes[j]);
            if (t >= 0)
                q->wishes[q->n_wishes++] = t;
        }
        q->current = p->group_id ? mg_assign_group_index(a, p->group_id) : -1;
        q->locked = p->locked && q->current >= 0;
    }
    build_pairs(a);
    a->specs = mg_xcalloc(a->n_groups, sizeof(*a->specs));
    for (i = 0; i < a->n_groups; i++) {
        a->specs[i].slot = slot_index(a->circle, a->groups[i].slot_id);
        if (a->specs[i].slot < 0)
            a->specs[i].slot = 0;
        a->specs[i].thread = thread_index(a, a->groups[i].thread_id);
    }
    a->in.people = a->persons;
    a->in.n_people = a->n_people;
    a->in.size_min = a->circle->group_min;
    a->in.size_max = a->circle->group_max;
    a->in.n_slots =
        (int)(a->circle->n_slots < MG_GROUP_MAX_SLOTS ? a->circle->n_slots
                                                      : MG_GROUP_MAX_SLOTS);
    a->in.n_threads = (int)a->n_threads;
    a->in.n_sectors = (int)a->n_sectors;
    a->in.n_regions = (int)a->n_regions;
    a->in.together = a->together;
    a->in.n_together = a->n_together;
    a->in.apart = a->apart;
    a->in.n_apart = a->n_apart;
    a->in.names = a->names;
    a->in.slot_names = name_slots(a->circle, a->in.n_slots);
out:
    free(raw);
    free(values);
    mg_participants_free(all, n_all);
    if (rc < 0)
        mg_assign_release(a);
    return rc;
}

void mg_assign_release(struct mg_assign *a)
{
    size_t i;

    mg_circle_free(a->circle);
    mg_participants_free(a->people, a->n_people);
    mg_store_spans_free(a->threads, a->n_threads);
    mg_store_spans_free(a->same, a->n_same);
    mg_store_spans_free(a->per_thread, a->n_per_thread);
    mg_store_groups_free(a->groups, a->n_groups);
    for (i = 0; i < a->n_sectors; i++)
        free(a->sectors[i]);
    free(a->sectors);
    for (i = 0; i < a->n_regions; i++)
        free(a->regions[i]);
    free(a->regions);
    free(a->persons);
    free(a->names);
    free((void *)a->in.slot_names);
    free(a->together);
    free(a->apart);
    free(a->specs);
    free(a->group_keys);
    if (a->have_result)
        mg_assign_result_release(&a->result);
    free(a->opened_ids);
    memset(a, 0, sizeof(*a));
}

int mg_assign_plan(struct mg_assign *a, uint64_t seed)
{
    size_t i;
    int locked = 0;

    for (i = 0; i < a->n_people; i++)
        locked |= a->persons[i].locked;
    if (!locked) {
        /* A fresh plan: nobody is anywhere yet. */
        for (i = 0; i < a->n_people; i++)
            a->persons[i].current = -1;
        a->in.groups = NULL;
        a->in.n_groups = 0;
    } else {
        a->in.groups = a->specs;
        a->in.n_groups = (int)a->n_groups;
    }
    a->in.seed = seed;
    if (a->have_result)
        mg_assign_result_release(&a->result);
    a->have_result = 0;
    if (mg_group_plan(&a->result, &a->in) < 0)
        return MG_EINVAL;
    a->have_result = 1;
    return 0;
}

int mg_assign_rebalance(struct mg_assign *a, uint64_t seed)
{
    a->in.groups = a->specs;
    a->in.n_groups = (int)a->n_groups;
    a->in.seed = seed;
    if (a->have_result)
        mg_assign_result_release(&a->result);
    a->have_result = 0;
    if (a->n_groups == 0)
        return MG_ENOTFOUND;
    if (mg_group_rebalance(&a->result, &a->in) < 0)
        return MG_EINVAL;
    a->have_result = 1;
    return 0;
}

/* A stored group's row for spec `g` at 1-based `position`. */
static void group_row(const struct mg_assign *a, struct mg_group_row *row,
                      const struct mg_group_spec *g, int position)
{
    row->position = position;
    row->name = mg_xasprintf("Group %d", position);
    if (g->slot >= 0 && (size_t)g->slot < a->circle->n_slots)
        row->slot_id = a->circle->slots[g->slot].id;
    if (g->thread >= 0 && (size_t)g->thread < a->n_threads)
        row->thread_id = a->threads[g->thread].id;
    if (a->circle->slug)
        row->address = mg_xasprintf("%s-g%d", a->circle->slug, position);
    else
        row->address =
            mg_xasprintf("c%lld-g%d", (long long)a->circle->id, position);
}

int mg_assign_rebalance_alternative(struct mg_assign *a, int max_moves,
                                    size_t *moves, struct mg_quality *q)
{
    struct mg_assign_result alt;
    int keep = a->in.max_moves, rc;

    a->in.groups = a->specs;
    a->in.n_groups = (int)a->n_groups;
    a->in.max_moves = max_moves;
    rc = mg_group_rebalance(&alt, &a->in);
    a->in.max_moves = keep;
    if (rc < 0)
        return MG_EINVAL;
    *moves = alt.moves;
    *q = alt.quality;
    mg_assign_result_release(&alt);
    return 0;
}

struct moved {
    int from, to;
};

static int by_from_to(const void *x, const void *y)
{
    const struct moved *a = x, *b = y;

    if (a->from != b->from)
        return a->from < b->from ? -1 : 1;
    return (a->to > b->to) - (a->to < b->to);
}

/*
 * Where each stored group's tokens and feed secrets go in the new plan:
 * to the group its first facilitator (by id) still placed now leads, or
 * failing that (for feed secrets only) to where most of its members went,
 * the lowest-numbered such group on a tie. O(N log N).
 */
static struct mg_group_carry *plan_carry(const struct mg_assign *a)
{
    struct mg_group_carry *carry = mg_xcalloc(a->n_groups + 1, sizeof(*carry));
    struct moved *m = mg_xcalloc(a->n_people + 1, sizeof(*m));
    size_t i, j, n = 0;

    for (i = 0; i < a->n_groups; i++) {
        carry[i].old_id = a->groups[i].id;
        carry[i].to_person = -1;
        carry[i].to_members = -1;
    }
    for (i = 0; i < a->n_people; i++) {
        int from = a->people[i].group_id
                       ? mg_assign_group_index(a, a->people[i].group_id)
                       : -1;
        int to = a->result.group_of[i];

        if (from < 0 || to < 0)
            continue;
        if (a->people[i].role == MG_PERSON_FACILITATOR &&
            carry[from].to_person < 0)
            carry[from].to_person = to;
        m[n].from = from;
        m[n].to = to;
        n++;
    }
    qsort(m, n, sizeof(*m), by_from_to);
    for (i = 0; i < n; i = j) {
        size_t k, best = 0;

        for (j = i; j < n && m[j].from == m[i].from; j = k) {
            for (k = j; k < n && m[k].from == m[j].from && m[k].to == m[j].to;
                 k++)
                ;
            if (k - j > best) {
                best = k - j;
                carry[m[i].from].to_members = m[j].to;
            }
        }
    }
    free(m);
    return carry;
}

int mg_assign_commit_plan(struct mg_assign *a, struct mg_store *st)
{
    struct mg_group_carry *carry;
    struct mg_group_row *rows;
    int64_t *ids;
    size_t i, n = (size_t)a->result.n_groups;
    int rc;

    rows = mg_xcalloc(n, sizeof(*rows));
    ids = mg_xcalloc(a->n_people, sizeof(*ids));
    for (i = 0; i < n; i++)
        group_row(a, &rows[i], &a->result.groups[i], (int)i + 1);
    for (i = 0; i < a->n_people; i++)
        ids[i] = a->people[i].id;
    /* facilitators' tokens and feed URLs outlive their old group ids */
    carry = plan_carry(a);
    rc = mg_store_groups_replace_carry(st, a->circle->id, rows, n, ids,
                                       a->result.group_of, a->n_people, carry,
                                       a->n_groups);
    mg_store_groups_free(rows, n);
    free(carry);
    free(ids);
    return rc;
}

int mg_assign_commit_rebalance(struct mg_assign *a, struct mg_store *st)
{
    const struct mg_assign_result *r = &a->result;
    int64_t *ids = mg_xcalloc(a->n_people + 1, sizeof(*ids));
    int64_t *to = mg_xcalloc(a->n_people + 1, sizeof(*to));
    int *to_new = mg_xcalloc(a->n_people + 1, sizeof(*to_new));
    int64_t *gone = mg_xcalloc(a->n_groups + 1, sizeof(*gone));
    struct mg_group_row *added =
        mg_xcalloc((size_t)r->n_opened + 1, sizeof(*added));
    struct mg_group_carry *carry;
    size_t i, n = 0, n_added = 0, n_gone = 0;
    int g, last = 0, rc;

    /* Opened groups follow the stored ones, numbered after the last. */
    for (i = 0; i < a->n_groups; i++) {
        if (a->groups[i].position > last)
            last = a->groups[i].position;
        if (r->dissolved && r->dissolved[i])
            gone[n_gone++] = a->groups[i].id;
    }
    for (g = (int)a->n_groups; g < r->n_groups; g++)
        group_row(a, &added[n_added++], &r->groups[g], ++last);
    free(a->opened_ids);
    a->opened_ids = NULL;
    a->n_opened_ids = 0;
    for (i = 0; i < a->n_people; i++) {
        int dst = r->group_of[i];

        if (dst == a->persons[i].current)
            continue;
        ids[n] = a->people[i].id;
        to[n] = dst >= 0 && (size_t)dst < a->n_groups ? a->groups[dst].id : 0;
        to_new[n] = dst >= (int)a->n_groups ? dst - (int)a->n_groups : -1;
        n++;
    }
    /* a dissolved group's tokens and feed URLs go where its people went:
     * result indices below n_groups are groups that stay */
    carry = n_gone ? plan_carry(a) : NULL;
    for (i = 0; carry && i < a->n_groups; i++) {
        struct mg_group_carry *c = &carry[i];

        if (c->to_person >= 0 && (size_t)c->to_person < a->n_groups) {
            c->person_group_id = a->groups[c->to_person].id;
            c->to_person = -1;
        } else if (c->to_person >= 0) {
            c->to_person -= (int)a->n_groups;
        }
        if (c->to_members >= 0 && (size_t)c->to_members < a->n_groups) {
            c->members_group_id = a->groups[c->to_members].id;
            c->to_members = -1;
        } else if (c->to_members >= 0) {
            c->to_members -= (int)a->n_groups;
        }
    }
    rc = n || n_added || n_gone
             ? mg_store_groups_rebalance_carry(
                   st, a->circle->id, added, n_added, gone, n_gone, ids, to,
                   to_new, n, carry, carry ? a->n_groups : 0)
             : 0;
    free(carry);
    if (rc == 0 && n_added) {
        a->opened_ids = mg_xcalloc(n_added, sizeof(*a->opened_ids));
        for (i = 0; i < n_added; i++)
            a->opened_ids[i] = added[i].id;
        a->n_opened_ids = n_added;
    }
    mg_store_groups_free(added, n_added);
    free(ids);
    free(to);
    free(to_new);
    free(gone);
    return rc;
}

void mg_assign_evaluate_current(struct mg_assign *a, struct mg_quality *q)
{
    int *current = mg_xcalloc(a->n_people, sizeof(*current));
    size_t i;

    for (i = 0; i < a->n_people; i++)
        current[i] = a->persons[i].current;
    a->in.groups = a->specs;
    a->in.n_groups = (int)a->n_groups;
    mg_group_evaluate(q, &a->in, current, a->specs, (int)a->n_groups);
    free(current);
}
