/*
 * groups.c: a circle's groups. POST .../groups/plan places everyone
 * afresh, POST .../groups/rebalance repairs the stored groups with few
 * moves and answers with what changed, not with every group (both take
 * ?dry_run=1 to preview and ?seed=N; a result that breaks a hard rule
 * is refused with 409 and the reasons unless forced with ?force=1 or
 * {"force": true}), POST .../groups/{gid}/members moves one person after
 * checking the hard rules, GET .../groups shows the groups with their
 * quality figures and call links, and PATCH .../groups/{gid} gives a
 * group its own call link.
 */
#include "api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mingle/assign.h"
#include "mingle/calendar.h"
#include "mingle/overview.h"

#include "banned.h"

static json_t *quality_json(const struct mg_quality *q)
{
    return json_pack(
        "{s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, "
        "s:i}",
        "smallest", q->smallest, "largest", q->largest, "size_violations",
        q->size_violations, "groups_without_facilitator", q->no_facilitator,
        "slot_violations", q->slot_violations, "apart_violations",
        q->apart_violations, "together_met", q->together_met, "together_total",
        q->together_total, "sector_misses", q->sector_misses, "region_misses",
        q->region_misses, "wishes_first", q->wishes_first, "wishes_any",
        q->wishes_any, "wishes_total", q->wishes_total, "unplaced",
        q->unplaced);
}

static json_t *person_brief(const struct mg_participant *p)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:o, s:o}", "id", (json_int_t)p->id,
                     "name", p->name, "email", p->email, "role",
                     mg_person_role_name(p->role), "sector",
                     p->sector ? json_string(p->sector) : json_null(), "region",
                     p->region ? json_string(p->region) : json_null());
}

/* Groups with their members: `group_of` over `specs`. */
static json_t *groups_json(const struct mg_assign *a, const int *group_of,
                           const struct mg_group_spec *specs, int n_groups,
                           int stored)
{
    json_t *groups = json_array();
    json_t **members = mg_xcalloc((size_t)n_groups + 1, sizeof(*members));
    int *facilitators = mg_xcalloc((size_t)n_groups + 1, sizeof(int));
    size_t i;
    int g;

    for (g = 0; g < n_groups; g++)
        members[g] = json_array();
    for (i = 0; i < a->n_people; i++) {
        g = group_of[i];
        if (g < 0 || g >= n_groups)
            continue;
        json_array_append_new(members[g], person_brief(&a->people[i]));
        facilitators[g] += a->persons[i].facilitator;
    }
    for (g = 0; g < n_groups; g++) {
        const struct mg_group_spec *s = &specs[g];
        json_t *o =
            json_pack("{s:i, s:I, s:i, s:o}", "position", g + 1, "size",
                      (json_int_t)json_array_size(members[g]), "facilitators",
                      facilitators[g], "members", members[g]);
        if (s->slot >= 0 && (size_t)s->slot < a->circle->n_slots) {
            const struct mg_slot *slot = &a->circle->slots[s->slot];
            char start[16];
            snprintf(start, sizeof(start), "%02d:%02d", slot->start_minute / 60,
                     slot->start_minute % 60);
            json_object_set_new(o, "slot",
                                json_pack("{s:I, s:s, s:s}", "id",
                                          (json_int_t)slot->id, "weekday",
                                          mg_weekday_name(slot->weekday),
                                          "start", start));
        }
        if (s->thread >= 0 && (size_t)s->thread < a->n_threads)
            json_object_set_new(o, "thread",
                                json_pack("{s:I, s:s}", "id",
                                          (json_int_t)a->threads[s->thread].id,
                                          "title",
                                          a->threads[s->thread].title));
        else
            json_object_set_new(o, "thread", json_null());
        if (stored && (size_t)g < a->n_groups) {
            json_object_set_new(o, "id", json_integer(a->groups[g].id));
            json_object_set_new(o, "name", json_string(a->groups[g].name));
            if (a->groups[g].address)
                json_object_set_new(o, "address",
                                    json_string(a->groups[g].address));
        }
        json_array_append_new(groups, o);
    }
    free(members);
    free(facilitators);
    return groups;
}

static json_t *issues_json(const struct mg_assign *a,
                           const struct mg_issue *issues, size_t n)
{
    json_t *list = json_array();
    size_t i, j;

    for (i = 0; i < n; i++) {
        json_t *people = json_array();
        for (j = 0; j < issues[i].n_people; j++) {
            int k = issues[i].people[j];
            if (k >= 0 && (size_t)k < a->n_people)
                json_array_append_new(people,
                                      json_pack("{s:I, s:s}", "id",
                                                (json_int_t)a->people[k].id,
                                                "name", a->people[k].name));
        }
        json_array_append_new(
            list, json_pack("{s:s, s:s, s:o}", "rule", issues[i].rule,
                            "message", issues[i].message, "people", people));
    }
    return list;
}

static int query_flag(struct request *r, const char *name)
{
    const char *v = request_arg(r, name);

    return v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0 ||
                 strcmp(v, "yes") == 0 || *v == '\0');
}

/* ?seed=N, default 1; 0 after replying 400. */
static int seed_arg(uint64_t *seed, struct request *r)
{
    const char *v = request_arg(r, "seed");
    char *end;

    *seed = 1;
    if (!v)
        return 1;
    *seed = strtoull(v, &end, 10);
    if (*v == '-' || *end || end == v) {
        reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid",
                    "'seed' must be a non-negative integer", "seed");
        return 0;
    }
    return 1;
}

/* ?force=1, or {"force": true} in a JSON body (as a move takes it). */
static int force_arg(struct request *r)
{
    json_t *doc;
    int force;

    if (query_flag(r, "force"))
        return 1;
    if (!r->body.data || r->body.len == 0)
        return 0;
    doc = json_loadb(r->body.data, r->body.len, 0, NULL);
    force = json_is_true(json_object_get(doc, "force"));
    json_decref(doc);
    return force;
}

/*
 * ?max_moves=N or {"max_moves": N}: how many moves a rebalance may spend
 * on balance (0, the default: the fewest). -1 after replying 400.
 */
static int max_moves_arg(struct request *r)
{
    const char *v = request_arg(r, "max_moves");
    long long n = 0;
    char *end;

    if (v) {
        n = strtoll(v, &end, 10);
        if (end == v || *end || n < 0 || n > INT32_MAX) {
            reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid",
                        "'max_moves' must be a whole number from 0",
                        "max_moves");
            return -1;
        }
    } else if (r->body.data && r->body.len > 0) {
        json_t *doc = json_loadb(r->body.data, r->body.len, 0, NULL);
        json_t *m = json_object_get(doc, "max_moves");

        if (m && (!json_is_integer(m) || json_integer_value(m) < 0 ||
                  json_integer_value(m) > INT32_MAX)) {
            json_decref(doc);
            reply_error(r, MHD_HTTP_UNPROCESSABLE_CONTENT, "invalid",
                        "'max_moves' must be a whole number from 0",
                        "max_moves");
            return -1;
        }
        n = m ? json_integer_value(m) : 0;
        json_decref(doc);
    }
    return (int)n;
}

/* The slot of a group, as groups_json shows it, or JSON null. */
static json_t *slot_json(const struct mg_circle *c, int64_t slot_id)
{
    size_t i;

    for (i = 0; i < c->n_slots; i++) {
        const struct mg_slot *slot = &c->slots[i];
        char start[16];
        if (slot->id != slot_id)
            continue;
        snprintf(start, sizeof(start), "%02d:%02d", slot->start_minute / 60,
                 slot->start_minute % 60);
        return json_pack("{s:I, s:s, s:s}", "id", (json_int_t)slot->id,
                         "weekday", mg_weekday_name(slot->weekday), "start",
                         start);
    }
    return json_null();
}

/* Where a person went: a stored group (id) or one the result opens. */
static json_t *group_ref(const struct mg_assign *a, int g)
{
    if (g < 0)
        return json_null();
    if ((size_t)g < a->n_groups)
        return json_pack("{s:i, s:I}", "position", g + 1, "id",
                         (json_int_t)a->groups[g].id);
    if ((size_t)g - a->n_groups < a->n_opened_ids)
        return json_pack("{s:i, s:I}", "position", g + 1, "id",
                         (json_int_t)a->opened_ids[g - (int)a->n_groups]);
    return json_pack("{s:i}", "position", g + 1);
}

/*
 * What a rebalance changes, rather than every group of the circle: the
 * people placed or moved (from and to), and the groups they leave or
 * join with their new sizes, marked "opened" (new in the result),
 * "closed" (left empty) or "changed".
 */
static json_t *changes_json(const struct mg_assign *a)
{
    const struct mg_assign_result *res = &a->result;
    int n = res->n_groups > (int)a->n_groups ? res->n_groups : (int)a->n_groups;
    int *size = mg_xcalloc((size_t)n + 1, sizeof(int));
    int *before = mg_xcalloc((size_t)n + 1, sizeof(int));
    int *fac = mg_xcalloc((size_t)n + 1, sizeof(int));
    char *touched = mg_xcalloc((size_t)n + 1, 1);
    json_t *people = json_array(), *groups = json_array();
    size_t i;
    int g;

    for (i = 0; i < a->n_people; i++) {
        int from = a->persons[i].current, to = res->group_of[i];
        const struct mg_participant *p = &a->people[i];

        if (to >= 0 && to < n) {
            size[to]++;
            fac[to] += a->persons[i].facilitator;
        }
        if (from >= 0 && from < n)
            before[from]++;
        if (from == to)
            continue;
        if (from >= 0 && from < n)
            touched[from] = 1;
        if (to >= 0 && to < n)
            touched[to] = 1;
        json_array_append_new(
            people,
            json_pack("{s:I, s:s, s:s, s:o, s:o}", "id", (json_int_t)p->id,
                      "name", p->name, "role", mg_person_role_name(p->role),
                      "from", group_ref(a, from), "to", group_ref(a, to)));
    }
    for (g = 0; g < n; g++) {
        const char *change = "changed";
        json_t *o;

        if (g >= (int)a->n_groups)
            change = "opened";
        else if ((res->dissolved && res->dissolved[g]) ||
                 (size[g] == 0 && (before[g] > 0 || g >= res->n_groups)))
            change = "closed";
        else if (!touched[g])
            continue;
        o = group_ref(a, g);
        json_object_set_new(o, "size", json_integer(size[g]));
        json_object_set_new(o, "facilitators", json_integer(fac[g]));
        json_object_set_new(o, "change", json_string(change));
        if (g < res->n_groups && res->groups[g].slot >= 0 &&
            (size_t)res->groups[g].slot < a->circle->n_slots)
            json_object_set_new(
                o, "slot",
                slot_json(a->circle, a->circle->slots[res->groups[g].slot].id));
        if (g >= (int)a->n_groups && res->groups[g].thread >= 0 &&
            (size_t)res->groups[g].thread < a->n_threads)
            json_object_set_new(
                o, "thread",
                json_pack("{s:I, s:s}", "id",
                          (json_int_t)a->threads[res->groups[g].thread].id,
                          "title", a->threads[res->groups[g].thread].title));
        json_array_append_new(groups, o);
    }
    free(size);
    free(before);
    free(fac);
    free(touched);
    return json_pack("{s:o, s:o}", "people", people, "groups", groups);
}

/* The ids of the people a stored rebalance placed or moved (free()). */
static int64_t *moved_ids(size_t *n, const struct mg_assign *a)
{
    int64_t *ids = mg_xcalloc(a->n_people + 1, sizeof(*ids));
    size_t i;

    *n = 0;
    for (i = 0; i < a->n_people; i++)
        if (a->result.group_of[i] != a->persons[i].current)
            ids[(*n)++] = a->people[i].id;
    return ids;
}

/*
 * A dry run's second answer: what spending about 1% of the circle in
 * extra moves would buy in sector and region balance.
 */
static void balance_option(json_t *body, struct mg_assign *a)
{
    int extra = (int)(a->n_people / 100) > 10 ? (int)(a->n_people / 100) : 10;
    int cap = (int)a->result.moves + extra;
    struct mg_quality q;
    size_t moves;

    if (mg_assign_rebalance_alternative(a, cap, &moves, &q) < 0)
        return;
    json_object_set_new(body, "balance_option",
                        json_pack("{s:i, s:I, s:i, s:i}", "max_moves", cap,
                                  "moves", (json_int_t)moves, "sector_misses",
                                  q.sector_misses, "region_misses",
                                  q.region_misses));
}

/* 409 with the hard rules the result breaks. */
static void reply_refused(struct request *r, const struct mg_assign *a,
                          int rebalance)
{
    json_t *body = json_pack(
        "{s:{s:s, s:s, s:o}}", "error", "code", "rule_broken", "message",
        rebalance ? "the rebalance breaks the hard rules below, so it was "
                    "not stored; send \"force\": true (or ?force=1) to "
                    "store it anyway, or ?dry_run=1 to preview it"
                  : "the plan breaks the hard rules below, so it was not "
                    "stored; send \"force\": true (or ?force=1) to store it "
                    "anyway, or ?dry_run=1 to preview it",
        "issues", issues_json(a, a->result.issues, a->result.n_issues));

    reply_json(r, MHD_HTTP_CONFLICT, body);
}

/*
 * Newcomers placed without loading the circle (mg_assign_quick_rebalance):
 * the answer has the same shape as a full rebalance's, with the quality
 * figures the counts give.
 */
static int run_quick(struct request *r, int dry, uint64_t seed)
{
    struct mg_assign_quick q;
    struct mg_circle *c = NULL;
    json_t *people, *groups, *body;
    int64_t *ids = NULL;
    size_t queued = 0, i, j;
    int rc = mg_assign_quick_rebalance(&q, r->srv->store, r->params[0], !dry);

    if (rc < 0 || !q.applied) {
        mg_assign_quick_release(&q);
        return rc < 0 ? rc : 0;
    }
    rc = mg_store_circle_get(&c, r->srv->store, r->params[0]);
    if (rc < 0) {
        mg_assign_quick_release(&q);
        return rc;
    }
    ids = mg_xcalloc(q.n_placed + 1, sizeof(*ids));
    for (i = 0; i < q.n_placed; i++)
        ids[i] = q.placed[i].person_id;
    if (!dry && q.n_placed)
        http_reconcile_scope(r, c->id, ids, q.n_placed, NULL, 0, &queued);
    people = json_array();
    groups = json_array();
    for (i = 0; i < q.n_placed; i++) {
        const struct mg_assign_placement *p = &q.placed[i];
        int seen = 0;

        json_array_append_new(
            people,
            json_pack("{s:I, s:s, s:s, s:n, s:{s:i, s:I}}", "id",
                      (json_int_t)p->person_id, "name", p->name, "role",
                      mg_person_role_name(p->role), "from", "to", "position",
                      p->group_position, "id", (json_int_t)p->group_id));
        for (j = 0; j < i; j++)
            seen |= q.placed[j].group_id == p->group_id;
        if (seen)
            continue;
        json_array_append_new(
            groups,
            json_pack("{s:i, s:I, s:i, s:i, s:s, s:o}", "position",
                      p->group_position, "id", (json_int_t)p->group_id, "size",
                      p->size, "facilitators", p->facilitators, "change",
                      "changed", "slot", slot_json(c, p->slot_id)));
    }
    body = json_pack(
        "{s:b, s:I, s:b, s:{s:o, s:o}, s:[], s:{s:i, s:i, s:i, s:i, s:i, "
        "s:i, s:i}, s:I, s:i, s:i, s:I, s:b}",
        "dry_run", dry, "seed", (json_int_t)seed, "fast_path", 1, "changes",
        "people", people, "groups", groups, "issues", "quality", "smallest",
        q.smallest, "largest", q.largest, "size_violations", 0,
        "groups_without_facilitator", 0, "slot_violations", 0,
        "apart_violations", 0, "unplaced", 0, "groups_total",
        (json_int_t)q.n_groups, "moves", 0, "moves_lower_bound", 0,
        "invitations_queued", (json_int_t)queued, "forced", 0);
    reply_json(r, dry ? MHD_HTTP_OK : MHD_HTTP_CREATED, body);
    free(ids);
    mg_circle_free(c);
    mg_assign_quick_release(&q);
    return 1;
}

static void run(struct request *r, int rebalance)
{
    struct mg_assign a;
    int dry = query_flag(r, "dry_run");
    int force = force_arg(r);
    size_t queued = 0, hard;
    uint64_t seed;
    json_t *body;
    int64_t t0 = mg_now(), total = 0, active, n_groups, max_id = 0;
    int rc, max_moves;

    if (!seed_arg(&seed, r))
        return;
    max_moves = rebalance ? max_moves_arg(r) : 0;
    if (max_moves < 0)
        return;
    /* a few newcomers into groups that keep the rules: no full load
     * (unless moves are offered for balance, which needs the circle) */
    if (rebalance && max_moves == 0 && !query_flag(r, "full")) {
        rc = run_quick(r, dry, seed);
        if (rc < 0)
            reply_code(r, rc, NULL);
        if (rc != 0)
            return;
    }
    /* as things stand before the load: the mark left after storing */
    if (!dry && mg_store_circle_counts(&total, &active, &n_groups, &max_id,
                                       r->srv->store, r->params[0]) < 0)
        total = -1;
    rc = mg_assign_load(&a, r->srv->store, r->params[0]);
    if (rc < 0) {
        reply_code(r, rc, NULL);
        return;
    }
    if (a.n_people == 0) {
        reply_error(r, MHD_HTTP_UNPROCESSABLE_CONTENT, "invalid",
                    "the circle has no active participants", NULL);
        goto out;
    }
    a.in.max_moves = max_moves;
    rc = rebalance ? mg_assign_rebalance(&a, seed) : mg_assign_plan(&a, seed);
    if (rc == MG_ENOTFOUND) {
        reply_error(r, MHD_HTTP_CONFLICT, "conflict",
                    "the circle has no groups yet: plan them first", NULL);
        goto out;
    }
    if (rc < 0) {
        reply_code(r, rc, NULL);
        goto out;
    }
    hard = mg_assign_hard_issues(a.result.issues, a.result.n_issues);
    if (!dry && hard && !force) {
        reply_refused(r, &a, rebalance);
        goto out;
    }
    if (!dry) {
        int64_t *ids = NULL;
        size_t n_ids = 0;

        if (rebalance)
            ids = moved_ids(&n_ids, &a);
        rc = rebalance ? mg_assign_commit_rebalance(&a, r->srv->store)
                       : mg_assign_commit_plan(&a, r->srv->store);
        /* a plan's groups are all new; a rebalance's only if it opened
         * some */
        if (rc == 0 && (!rebalance || a.result.n_groups > (int)a.n_groups))
            rc = mg_calendar_create_sessions(r->srv->store, a.circle->id);
        if (rc < 0) {
            free(ids);
            reply_code(r, rc, NULL);
            goto out;
        }
        /* the next rebalance starts from here (none when forced) */
        if (total >= 0 && mg_assign_mark(r->srv->store, &a, t0, total, max_id,
                                         !rebalance) < 0)
            mg_log(MG_LOG_WARN, "cannot leave the rebalance mark", NULL);
        if (rebalance)
            http_reconcile_scope(r, a.circle->id, ids, n_ids, NULL, 0, &queued);
        else
            http_reconcile(r, a.circle->id, &queued);
        free(ids);
    }
    body = json_pack("{s:b, s:I, s:o, s:o}", "dry_run", dry, "seed",
                     (json_int_t)seed, "issues",
                     issues_json(&a, a.result.issues, a.result.n_issues),
                     "quality", quality_json(&a.result.quality));
    if (rebalance) {
        json_object_set_new(body, "fast_path", json_false());
        json_object_set_new(body, "changes", changes_json(&a));
        json_object_set_new(body, "groups_total",
                            json_integer(a.result.n_groups));
    } else {
        json_object_set_new(body, "groups",
                            groups_json(&a, a.result.group_of, a.result.groups,
                                        a.result.n_groups, 0));
    }
    json_object_set_new(body, "invitations_queued",
                        json_integer((json_int_t)queued));
    json_object_set_new(body, "forced", json_boolean(!dry && hard && force));
    if (rebalance) {
        json_object_set_new(body, "moves",
                            json_integer((json_int_t)a.result.moves));
        json_object_set_new(
            body, "moves_lower_bound",
            json_integer((json_int_t)a.result.moves_lower_bound));
        json_object_set_new(body, "groups_opened",
                            json_integer(a.result.n_opened));
        json_object_set_new(body, "groups_dissolved",
                            json_integer(a.result.n_dissolved));
        if (dry && max_moves == 0)
            balance_option(body, &a);
    }
    reply_json(r, dry ? MHD_HTTP_OK : MHD_HTTP_CREATED, body);
out:
    mg_assign_release(&a);
}

void handle_groups_plan(struct request *r)
{
    run(r, 0);
}

void handle_groups_rebalance(struct request *r)
{
    run(r, 1);
}

/* Each person's group index as stored (free()). */
/* --- GET: the stored groups -------------------------------------------
 *
 * Read from the store's counts and a batch of groups' members at a time,
 * each batch sent as it is written (reply_stream): never the circle's
 * every person, nor the whole answer, in memory at once. ?limit= and
 * ?offset= ask for a page of groups.
 */

#define GROUPS_BATCH 200
#define GROUPS_LIMIT_MAX 1000

static json_t *member_json(const struct mg_store_member_row *m)
{
    enum mg_person_role role = MG_PERSON_PARTICIPANT;

    mg_person_role_parse(&role, m->role);
    return json_pack("{s:I, s:s, s:s, s:s, s:o, s:o}", "id", (json_int_t)m->id,
                     "name", m->name ? m->name : "", "email",
                     m->email ? m->email : "", "role",
                     mg_person_role_name(role), "sector",
                     m->sector ? json_string(m->sector) : json_null(), "region",
                     m->region ? json_string(m->region) : json_null());
}

/* The slot a stored group's calls use as the planner reads it (its own
 * among the circle's first 32, else the first), or NULL. */
static const struct mg_slot *group_slot(const struct mg_circle *c,
                                        int64_t slot_id)
{
    size_t i;

    for (i = 0; i < c->n_slots && i < MG_GROUP_MAX_SLOTS; i++)
        if (c->slots[i].id == slot_id)
            return &c->slots[i];
    return c->n_slots ? &c->slots[0] : NULL;
}

/* One stored group with its members (`members`, `n` of them). */
static json_t *stored_group_json(const struct mg_circle *c,
                                 const struct mg_span *threads,
                                 size_t n_threads,
                                 const struct mg_group_row *row, int position,
                                 const struct mg_store_member_row *members,
                                 size_t n, const struct mg_group_room *room)
{
    char *link;
    const struct mg_slot *slot = group_slot(c, row->slot_id);
    json_t *list = json_array(), *o;
    size_t i;
    int facilitators = 0;

    for (i = 0; i < n; i++) {
        json_t *m = member_json(&members[i]);
        facilitators += strcmp(json_string_value(json_object_get(m, "role")),
                               "facilitator") == 0;
        json_array_append_new(list, m);
    }
    o = json_pack("{s:i, s:I, s:i, s:o}", "position", position, "size",
                  (json_int_t)n, "facilitators", facilitators, "members", list);
    if (slot) {
        char start[16];
        snprintf(start, sizeof(start), "%02d:%02d", slot->start_minute / 60,
                 slot->start_minute % 60);
        json_object_set_new(
            o, "slot",
            json_pack("{s:I, s:s, s:s}", "id", (json_int_t)slot->id, "weekday",
                      mg_weekday_name(slot->weekday), "start", start));
    }
    json_object_set_new(o, "thread", json_null());
    for (i = 0; row->thread_id && i < n_threads; i++)
        if (threads[i].id == row->thread_id)
            json_object_set_new(o, "thread",
                                json_pack("{s:I, s:s}", "id",
                                          (json_int_t)threads[i].id, "title",
                                          threads[i].title));
    json_object_set_new(o, "id", json_integer(row->id));
    json_object_set_new(o, "name", json_string(row->name ? row->name : ""));
    if (row->address)
        json_object_set_new(o, "address", json_string(row->address));
    /* its own link (null: none) and the one its calls use */
    json_object_set_new(o, "call_url",
                        json_string_or_null(room ? room->call_url : NULL));
    link = mg_circle_call_link(c, room ? room->call_url : NULL, row->name,
                               row->position, room ? room->secret : "");
    json_object_set_new(o, "call_link", json_string_or_null(link));
    free(link);
    return o;
}

/* Append `v` (taken) to `b` as compact JSON. */
static void put_json(struct mg_buf *b, json_t *v)
{
    char *text = json_dumps(v, JSON_COMPACT | JSON_ENSURE_ASCII);

    json_decref(v);
    if (!text)
        abort(); /* jansson fails here only when out of memory */
    mg_buf_puts(b, text);
    free(text);
}

/* The list as it is written: the overview (groups, sizes, quality) read
 * first, the members a batch of groups at a time. */
struct groups_stream {
    struct mg_store *st;
    struct mg_overview o;
    size_t first, last, at;
    long limit;
    int paged, begun;
};

static int groups_next(void *state, struct mg_buf *b)
{
    struct groups_stream *s = state;
    const struct mg_overview *o = &s->o;
    struct mg_store_member_row *members = NULL;
    struct mg_group_room *rooms = NULL;
    int64_t ids[GROUPS_BATCH];
    size_t end, n = 0, k = 0, g, n_rooms = 0;
    int rc;

    if (!s->begun) {
        mg_buf_puts(b, "{\"groups\":[");
        s->begun = 1;
    }
    if (s->at >= s->last) {
        mg_buf_puts(b, "],\"quality\":");
        put_json(b, quality_json(&o->quality));
        if (s->paged)
            mg_buf_printf(b, ",\"total\":%zu,\"offset\":%zu,\"limit\":%ld",
                          o->plan.n_groups, s->first, s->limit);
        mg_buf_puts(b, "}\n");
        return 1;
    }
    end = s->at + GROUPS_BATCH < s->last ? s->at + GROUPS_BATCH : s->last;
    for (g = s->at; g < end; g++)
        ids[g - s->at] = o->plan.groups[g].id;
    rc = mg_store_group_members(&members, &n, s->st, o->plan.circle->id, ids,
                                end - s->at);
    if (rc == 0)
        rc = mg_store_group_rooms(&rooms, &n_rooms, s->st, o->plan.circle->id,
                                  ids, end - s->at);
    if (rc < 0) {
        mg_store_member_rows_free(members, n);
        return rc;
    }
    for (g = s->at; g < end; g++) {
        size_t from;

        /* members come by group id; find this group's run */
        for (k = 0; k < n && members[k].group_id != o->plan.groups[g].id; k++)
            ;
        from = k;
        while (k < n && members[k].group_id == o->plan.groups[g].id)
            k++;
        if (g > s->first)
            mg_buf_puts(b, ",");
        put_json(b,
                 stored_group_json(o->plan.circle, o->plan.threads,
                                   o->plan.n_threads, &o->plan.groups[g],
                                   (int)g + 1, members + from, k - from,
                                   mg_store_group_room_find(
                                       rooms, n_rooms, o->plan.groups[g].id)));
    }
    mg_store_member_rows_free(members, n);
    mg_store_group_rooms_free(rooms, n_rooms);
    s->at = end;
    return 0;
}

static void groups_release(void *state)
{
    struct groups_stream *s = state;

    mg_overview_release(&s->o);
    free(s);
}

void handle_groups_list(struct request *r)
{
    struct groups_stream *s;
    struct reply_source src;
    struct reply rep = {0};
    long long limit = 0, offset = 0;
    int rc;

    if (request_arg_int(&limit, r, "limit", 0, GROUPS_LIMIT_MAX) < 0 ||
        request_arg_int(&offset, r, "offset", 0, 100000000LL) < 0)
        return;
    s = mg_xcalloc(1, sizeof(*s));
    s->st = r->srv->store;
    s->paged = request_arg(r, "limit") != NULL;
    s->limit = limit;
    rc = mg_overview_load(&s->o, r->srv->store, r->params[0]);
    if (rc < 0) {
        groups_release(s);
        reply_code(r, rc, NULL);
        return;
    }
    s->first = (size_t)offset < s->o.plan.n_groups ? (size_t)offset
                                                   : s->o.plan.n_groups;
    s->last = s->paged && s->first + (size_t)limit < s->o.plan.n_groups
                  ? s->first + (size_t)limit
                  : s->o.plan.n_groups;
    s->at = s->first;
    src.next = groups_next;
    src.release = groups_release;
    src.state = s;
    rep.content_type = "application/json; charset=utf-8";
    reply_stream(r, MHD_HTTP_OK, &rep, &src);
}

/* One group: the circle, the group, its members, never the others. */
void handle_group_get(struct request *r)
{
    struct mg_circle *c = NULL;
    struct mg_group_row *g = NULL;
    struct mg_span *threads = NULL;
    struct mg_store_member_row *members = NULL;
    struct mg_group_room *rooms = NULL;
    size_t n_threads = 0, n = 0, n_rooms = 0;
    int rc = mg_store_circle_get(&c, r->srv->store, r->params[0]);

    if (rc == 0)
        rc = mg_store_group_get(&g, r->srv->store, c->id, r->params[1]);
    if (rc == 0)
        rc = mg_store_group_rooms(&rooms, &n_rooms, r->srv->store, c->id,
                                  &g->id, 1);
    if (rc == 0)
        rc = mg_store_threads(&threads, &n_threads, r->srv->store, c->id);
    if (rc == 0)
        rc = mg_store_group_members(&members, &n, r->srv->store, c->id, &g->id,
                                    1);
    if (rc == MG_ENOTFOUND && c)
        reply_error(r, MHD_HTTP_NOT_FOUND, "not_found",
                    "no such group in this circle", NULL);
    else if (rc < 0)
        reply_code(r, rc, NULL);
    else
        reply_json(r, MHD_HTTP_OK,
                   stored_group_json(c, threads, n_threads, g, g->position,
                                     members, n, n_rooms ? rooms : NULL));
    mg_store_member_rows_free(members, n);
    mg_store_group_rooms_free(rooms, n_rooms);
    mg_store_spans_free(threads, n_threads);
    mg_store_groups_free(g, g ? 1 : 0);
    mg_circle_free(c);
}

/* The broken rules of a move checked over its scope, as issues_json. */
static json_t *scope_issues_json(const struct mg_move_scope *m,
                                 const struct mg_issue *issues, size_t n)
{
    json_t *list = json_array();
    size_t i, j;

    for (i = 0; i < n; i++) {
        json_t *people = json_array();
        for (j = 0; j < issues[i].n_people; j++) {
            int k = issues[i].people[j];
            if (k >= 0 && (size_t)k < m->n_people)
                json_array_append_new(people,
                                      json_pack("{s:I, s:s}", "id",
                                                (json_int_t)m->people[k]->id,
                                                "name", m->people[k]->name));
        }
        json_array_append_new(
            list, json_pack("{s:s, s:s, s:o}", "rule", issues[i].rule,
                            "message", issues[i].message, "people", people));
    }
    return list;
}

void handle_group_member_add(struct request *r)
{
    struct mg_move_scope m;
    struct mg_issue *issues = NULL;
    size_t n_issues = 0;
    struct mg_error err = {{0}, {0}};
    json_t *doc = request_json(r), *pid;
    int64_t person_id, group_id = r->params[1];
    int force, to, rc;

    if (!doc)
        return;
    pid = json_object_get(doc, "participant_id");
    force = json_is_true(json_object_get(doc, "force"));
    if (!json_is_integer(pid)) {
        json_decref(doc);
        reply_error(r, MHD_HTTP_UNPROCESSABLE_CONTENT, "invalid",
                    "'participant_id' is required", "participant_id");
        return;
    }
    person_id = json_integer_value(pid);
    json_decref(doc);
    /* checked over the two groups the move concerns, not the circle */
    rc = mg_assign_move_scoped(&m, &to, &issues, &n_issues, r->srv->store,
                               r->params[0], person_id, group_id, force, &err);
    if (rc == MG_ENOTFOUND) {
        reply_error(r, MHD_HTTP_NOT_FOUND, "not_found",
                    err.message[0] ? err.message : "no such circle", NULL);
        goto out;
    }
    if (rc == MG_ECONFLICT) {
        json_t *body = json_pack(
            "{s:{s:s, s:s, s:o}}", "error", "code", "rule_broken", "message",
            "the move breaks the rules below; send \"force\": true to make "
            "it anyway",
            "issues", scope_issues_json(&m, issues, n_issues));
        reply_json(r, MHD_HTTP_CONFLICT, body);
        goto out;
    }
    if (rc < 0) {
        reply_code(r, rc, NULL);
        goto out;
    }
    /* the person left one group for another: their invitations only */
    http_reconcile_scope(r, r->params[0], &person_id, 1, NULL, 0, NULL);
    /* a move they asked for on their page is done */
    http_move_request_done(r, r->params[0], person_id);
    reply_json(r, MHD_HTTP_OK,
               json_pack("{s:I, s:I, s:b, s:o}", "participant_id",
                         (json_int_t)person_id, "group_id",
                         (json_int_t)group_id, "forced", force && n_issues > 0,
                         "issues", scope_issues_json(&m, issues, n_issues)));
out:
    mg_issues_free(issues, n_issues);
    mg_assign_scope_release(&m);
}

/*
 * PATCH a stored group: {"call_url": "https://..."} gives it a call
 * link of its own, null (or "") takes it away (the circle's template or
 * video link is used again). A new link sends the group's members, and
 * no one else, an update.
 */
void handle_group_patch(struct request *r)
{
    struct mg_error err = {{0}, {0}};
    json_t *doc = request_json(r), *url;
    const char *key;
    json_t *v;
    int changed = 0, rc = 0;
    int64_t group_id = r->params[1];

    if (!doc)
        return;
    json_object_foreach(doc, key, v)
    {
        if (rc == 0 && strcmp(key, "call_url") != 0) {
            mg_error_set(&err, key,
                         "unknown field '%s' (a group takes 'call_url')", key);
            rc = MG_EINVAL;
        }
    }
    url = json_object_get(doc, "call_url");
    if (rc == 0 && !url) {
        mg_error_set(&err, "call_url", "send 'call_url' (a link, or null)");
        rc = MG_EINVAL;
    }
    if (rc == 0 && !json_is_null(url) && !json_is_string(url)) {
        mg_error_set(&err, "call_url", "'call_url' must be a string or null");
        rc = MG_EINVAL;
    }
    if (rc == 0 && json_is_string(url))
        rc = mg_circle_call_url_check(json_string_value(url), "call_url", &err);
    if (rc == 0)
        rc = mg_store_group_call_url_set(
            &changed, r->srv->store, r->params[0], group_id,
            json_is_string(url) ? json_string_value(url) : NULL);
    json_decref(doc);
    if (rc == MG_ENOTFOUND) {
        reply_error(r, MHD_HTTP_NOT_FOUND, "not_found",
                    "no such group in this circle", NULL);
        return;
    }
    if (rc < 0) {
        reply_code(r, rc, &err);
        return;
    }
    /* the group's calls changed: its members' invitations only */
    if (changed)
        http_reconcile_scope(r, r->params[0], NULL, 0, &group_id, 1, NULL);
    handle_group_get(r);
}
