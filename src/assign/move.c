/*
 * move.c: one person moved to another group, checked against the hard
 * rules over the two groups the move concerns: the person, the active
 * members of the groups they leave and join, and the apart links between
 * them. The rules a move can break depend on nothing else, so the check
 * reads two groups, not the circle.
 */
#include "mingle/assign.h"

#include <stdlib.h>
#include <string.h>

#include "banned.h"

/* Slot `slot_id`'s index among the first MG_GROUP_MAX_SLOTS of the
 * circle's, as the planner numbers them, or -1. */
static int slot_number(const struct mg_circle *c, int64_t slot_id)
{
    size_t i;

    for (i = 0; i < c->n_slots && i < MG_GROUP_MAX_SLOTS; i++)
        if (c->slots[i].id == slot_id)
            return (int)i;
    return -1;
}

void mg_assign_scope_release(struct mg_move_scope *m)
{
    mg_circle_free(m->c);
    mg_store_groups_free(m->groups, m->n_groups);
    mg_participants_free(m->me, m->me ? 1 : 0);
    mg_participants_free(m->from, m->n_from);
    mg_participants_free(m->to, m->n_to);
    free(m->people);
    free(m->names);
    free(m->persons);
    free(m->specs);
    free(m->apart);
    memset(m, 0, sizeof(*m));
}

static int group_number(const struct mg_move_scope *m, int64_t id)
{
    size_t g;

    for (g = 0; id && g < m->n_groups; g++)
        if (m->groups[g].id == id)
            return (int)g;
    return -1;
}

/* Whether `list` of `n` addresses names `email`, compared normalized. */
static int names_address(char *const *list, size_t n, const char *email)
{
    char *want = mg_email_normalize(email);
    size_t i;
    int hit = 0;

    for (i = 0; i < n && !hit; i++) {
        char *have = mg_email_normalize(list[i]);
        hit = strcmp(have, want) == 0;
        free(have);
    }
    free(want);
    return hit;
}

static void scope_add(struct mg_move_scope *m, const struct mg_participant *p)
{
    struct mg_person *q = &m->persons[m->n_people];
    size_t j;

    if (m->n_people && p->id == m->me->id)
        return;
    m->people[m->n_people] = p;
    m->names[m->n_people] = p->name;
    q->facilitator = p->role == MG_PERSON_FACILITATOR;
    q->sector = q->region = -1;
    for (j = 0; j < p->n_slots; j++) {
        int s = slot_number(m->c, p->slot_ids[j]);
        if (s >= 0)
            q->slots |= 1u << s;
    }
    q->current = group_number(m, p->group_id);
    q->locked = p->locked && q->current >= 0;
    m->n_people++;
}

int mg_assign_scope_load(struct mg_move_scope *m, int *to, struct mg_store *st,
                         int64_t circle_id, int64_t person_id, int64_t group_id)
{
    struct mg_people_filter f;
    size_t i, cap;
    int from, rc;

    memset(m, 0, sizeof(*m));
    *to = -1;
    rc = mg_store_circle_get(&m->c, st, circle_id);
    if (rc == 0)
        rc = mg_store_groups_list(&m->groups, &m->n_groups, st, circle_id);
    if (rc == 0)
        rc = mg_store_participant_get(&m->me, st, circle_id, person_id);
    if (rc < 0 || m->me->status != MG_STATUS_ACTIVE)
        return rc;
    *to = group_number(m, group_id);
    from = group_number(m, m->me->group_id);
    memset(&f, 0, sizeof(f));
    f.status = "active";
    f.group_id = group_id;
    if (*to >= 0)
        rc = mg_store_participants_list(&m->to, &m->n_to, st, circle_id, &f);
    f.group_id = m->me->group_id;
    if (rc == 0 && *to >= 0 && from >= 0)
        rc =
            mg_store_participants_list(&m->from, &m->n_from, st, circle_id, &f);
    if (rc < 0 || *to < 0)
        return rc;
    cap = 1 + m->n_from + m->n_to;
    m->people = mg_xcalloc(cap, sizeof(*m->people));
    m->names = mg_xcalloc(cap, sizeof(*m->names));
    m->persons = mg_xcalloc(cap, sizeof(*m->persons));
    m->apart = mg_xcalloc(2 * cap, sizeof(*m->apart));
    scope_add(m, m->me);
    for (i = 0; i < m->n_from; i++)
        scope_add(m, &m->from[i]);
    for (i = 0; i < m->n_to; i++)
        scope_add(m, &m->to[i]);
    /* the apart links between the person and the others, either way */
    for (i = 1; i < m->n_people; i++) {
        const struct mg_participant *p = m->people[i];

        if (names_address(m->me->apart, m->me->n_apart, p->email)) {
            m->apart[m->n_apart].a = 0;
            m->apart[m->n_apart++].b = (int)i;
        }
        if (names_address(p->apart, p->n_apart, m->me->email)) {
            m->apart[m->n_apart].a = (int)i;
            m->apart[m->n_apart++].b = 0;
        }
    }
    m->specs = mg_xcalloc(m->n_groups + 1, sizeof(*m->specs));
    for (i = 0; i < m->n_groups; i++) {
        m->specs[i].slot = slot_number(m->c, m->groups[i].slot_id);
        if (m->specs[i].slot < 0)
            m->specs[i].slot = 0;
        m->specs[i].thread = -1;
    }
    m->in.people = m->persons;
    m->in.n_people = m->n_people;
    m->in.size_min = m->c->group_min;
    m->in.size_max = m->c->group_max;
    m->in.n_slots =
        (int)(m->c->n_slots < MG_GROUP_MAX_SLOTS ? m->c->n_slots
                                                 : MG_GROUP_MAX_SLOTS);
    m->in.apart = m->apart;
    m->in.n_apart = m->n_apart;
    m->in.groups = m->specs;
    m->in.n_groups = (int)m->n_groups;
    m->in.names = m->names;
    return 0;
}

int mg_assign_move_scoped(struct mg_move_scope *m, int *to,
                          struct mg_issue **issues, size_t *n_issues,
                          struct mg_store *st, int64_t circle_id,
                          int64_t person_id, int64_t group_id, int force,
                          struct mg_error *err)
{
    int rc;

    *issues = NULL;
    *n_issues = 0;
    rc = mg_assign_scope_load(m, to, st, circle_id, person_id, group_id);
    if (rc == 0 && (!m->me || m->me->status != MG_STATUS_ACTIVE)) {
        mg_error_set(err, "participant_id", "%s",
                     "no active participant with that id in this circle");
        return MG_ENOTFOUND;
    }
    if (rc == 0 && *to < 0) {
        mg_error_set(err, "group_id", "%s", "no such group in this circle");
        return MG_ENOTFOUND;
    }
    if (rc == MG_ENOTFOUND)
        mg_error_set(err, "participant_id", "%s",
                     "no active participant with that id in this circle");
    if (rc < 0)
        return rc;
    if (m->me->group_id == group_id)
        return 0; /* already there */
    rc = mg_group_check_move(issues, n_issues, &m->in, 0, *to);
    if (rc < 0 && !force)
        return MG_ECONFLICT;
    return mg_store_memberships_move(st, circle_id, &person_id, &group_id, 1);
}
