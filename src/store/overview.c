/*
 * overview.c: a circle's counts for its pages (see overview.h). Each
 * query scans the circle's people once, in id order (the rows a bulk
 * import wrote side by side, so SQLite reads each page of them once
 * rather than once per member), or its sessions, and answers with a row
 * per group and status, sector and region, or per week.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

/* The circle's people in id order, between its first and last id, so
 * SQLite walks the table (each page of a bulk import read once) rather
 * than the email index; ?1 is the circle. */
#define CIRCLE_PEOPLE_WHERE                                                    \
    "WHERE +p.circle_id = ?1 AND p.id BETWEEN (SELECT min(id) FROM "           \
    "participants WHERE circle_id = ?1) AND (SELECT max(id) FROM "             \
    "participants WHERE circle_id = ?1) "

/* A row per person, in id order, counted here rather than by GROUP BY
 * (which sorts 50,000 rows of strings: three times the scan's cost);
 * ?2 and ?3 are the circle's first and last person's ids. */
static const char people_sql[] =
    "SELECT p.id, p.status, coalesce(m.group_id, 0), p.sector, p.region, "
    "p.role = 'facilitator' COLLATE NOCASE FROM participants p LEFT JOIN "
    "memberships m ON m.participant_id = p.id AND m.left_at IS NULL WHERE "
    "+p.circle_id = ?1 AND p.id BETWEEN ?2 AND ?3 ORDER BY p.id";
/* The circle's groups' slots and threads, by id, looked up in C (not
 * joined per person). */
static const char groups_sql[] =
    "SELECT id, coalesce(slot_id, 0), coalesce(thread_id, 0) FROM groups "
    "WHERE circle_id = ?1 ORDER BY id";

/* The same people's availability and wishes, in the same order (the
 * primary keys' indexes), for a merge with the people. */
static const char slots_sql[] =
    "SELECT participant_id, slot_id FROM participant_slots WHERE "
    "participant_id BETWEEN ?2 AND ?3 ORDER BY participant_id";
static const char wishes_sql[] =
    "SELECT participant_id, thread_id, rank FROM participant_wishes WHERE "
    "participant_id BETWEEN ?2 AND ?3 ORDER BY participant_id";

/* The planner's view of the circle: its slots (the first 32, by
 * position; a group's slot not among them counts as the first) and its
 * threads (those mg_store_threads() lists: with their sections). */
static const char circle_slots_sql[] =
    "SELECT id FROM slots WHERE circle_id = ?1 ORDER BY position LIMIT 32";
static const char circle_threads_sql[] =
    "SELECT t.id FROM threads t JOIN sections f ON f.id = "
    "t.first_section_id JOIN sections l ON l.id = t.last_section_id WHERE "
    "t.circle_id = ?1 ORDER BY t.id";

static const char links_sql[] =
    "SELECT l.kind, count(*), sum(mp.group_id = mo.group_id) "
    "FROM participant_links l "
    "JOIN participants p ON p.id = l.participant_id AND p.circle_id = ?1 "
    "AND p.status = 'active' "
    "JOIN participants o ON o.circle_id = ?1 AND o.email_norm = "
    "l.other_email_norm AND o.status = 'active' AND o.id != p.id "
    "LEFT JOIN memberships mp ON mp.participant_id = p.id AND mp.left_at IS "
    "NULL "
    "LEFT JOIN memberships mo ON mo.participant_id = o.id AND mo.left_at IS "
    "NULL "
    "GROUP BY l.kind";

void mg_store_mix_release(struct mg_store_mix *m)
{
    size_t i;

    if (!m)
        return;
    for (i = 0; i < m->n_rows; i++) {
        free(m->rows[i].sector);
        free(m->rows[i].region);
    }
    free(m->rows);
    memset(m, 0, sizeof(*m));
}

/* The counting: a hash of the distinct strings seen (statuses, sectors,
 * regions: few) and one of the rows by (status, group, sector, region). */
struct tally {
    char **strings;
    uint64_t *string_hash;
    size_t n_strings, cap_strings;
    int *string_slots; /* open addressing: index + 1, 0 empty */
    size_t n_string_slots;
    int *row_slots;
    size_t n_row_slots;
    int *keys; /* per row: status, sector, region string index (-1) */
    size_t cap_rows;
};

static uint64_t hash_bytes(const unsigned char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    size_t i;

    for (i = 0; i < n; i++) {
        h ^= s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static void rehash_strings(struct tally *t)
{
    size_t i, n = t->n_string_slots ? t->n_string_slots * 2 : 64;

    free(t->string_slots);
    t->string_slots = mg_xcalloc(n, sizeof(*t->string_slots));
    t->n_string_slots = n;
    for (i = 0; i < t->n_strings; i++) {
        size_t at = t->string_hash[i] & (n - 1);
        while (t->string_slots[at])
            at = (at + 1) & (n - 1);
        t->string_slots[at] = (int)i + 1;
    }
}

/* The index of text `s` (`n` bytes) among those seen; -1 for NULL. */
static int intern(struct tally *t, const unsigned char *s, int n)
{
    uint64_t h;
    size_t at;

    if (!s)
        return -1;
    h = hash_bytes(s, (size_t)n);
    if (2 * (t->n_strings + 1) > t->n_string_slots)
        rehash_strings(t);
    for (at = h & (t->n_string_slots - 1); t->string_slots[at];
         at = (at + 1) & (t->n_string_slots - 1)) {
        int k = t->string_slots[at] - 1;
        if (t->string_hash[k] == h && strlen(t->strings[k]) == (size_t)n &&
            memcmp(t->strings[k], s, (size_t)n) == 0)
            return k;
    }
    if (t->n_strings == t->cap_strings) {
        t->cap_strings = t->cap_strings ? 2 * t->cap_strings : 16;
        t->strings =
            mg_xrealloc(t->strings, t->cap_strings * sizeof(*t->strings));
        t->string_hash = mg_xrealloc(t->string_hash,
                                     t->cap_strings * sizeof(*t->string_hash));
    }
    t->strings[t->n_strings] = mg_xstrndup((const char *)s, (size_t)n);
    t->string_hash[t->n_strings] = h;
    t->string_slots[at] = (int)++t->n_strings;
    return (int)t->n_strings - 1;
}

/* splitmix64's finalizer over the row's key: every bit of the group id
 * and the three string indexes reaches the low bits the table uses. */
static uint64_t row_hash(int64_t group, const int *key)
{
    uint64_t h = (uint64_t)group;

    h = h * 31 + (uint64_t)(key[0] + 1);
    h = h * 1031 + (uint64_t)(key[1] + 1);
    h = h * 1031 + (uint64_t)(key[2] + 1);
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    return h ^ (h >> 31);
}

static void rehash_rows(struct tally *t, const struct mg_store_mix *m)
{
    size_t i, n = t->n_row_slots ? t->n_row_slots * 2 : 256;

    free(t->row_slots);
    t->row_slots = mg_xcalloc(n, sizeof(*t->row_slots));
    t->n_row_slots = n;
    for (i = 0; i < m->n_rows; i++) {
        size_t at = row_hash(m->rows[i].group_id, &t->keys[3 * i]) & (n - 1);
        while (t->row_slots[at])
            at = (at + 1) & (n - 1);
        t->row_slots[at] = (int)i + 1;
    }
}

/* The row of (group, key), made when new. */
static struct mg_store_mix_row *row_of(struct tally *t, struct mg_store_mix *m,
                                       int64_t group, const int *key)
{
    struct mg_store_mix_row *r;
    size_t at;

    if (2 * (m->n_rows + 1) > t->n_row_slots)
        rehash_rows(t, m);
    for (at = row_hash(group, key) & (t->n_row_slots - 1); t->row_slots[at];
         at = (at + 1) & (t->n_row_slots - 1)) {
        int k = t->row_slots[at] - 1;
        if (m->rows[k].group_id == group &&
            memcmp(&t->keys[3 * k], key, 3 * sizeof(*key)) == 0)
            return &m->rows[k];
    }
    if (m->n_rows == t->cap_rows) {
        t->cap_rows = t->cap_rows ? 2 * t->cap_rows : 256;
        m->rows = mg_xrealloc(m->rows, t->cap_rows * sizeof(*m->rows));
        t->keys = mg_xrealloc(t->keys, 3 * t->cap_rows * sizeof(*t->keys));
    }
    memcpy(&t->keys[3 * m->n_rows], key, 3 * sizeof(*key));
    r = &m->rows[m->n_rows];
    memset(r, 0, sizeof(*r));
    r->group_id = group;
    if (key[0] >= 0)
        snprintf(r->status, sizeof(r->status), "%s", t->strings[key[0]]);
    r->sector = key[1] >= 0 ? mg_xstrdup(t->strings[key[1]]) : NULL;
    r->region = key[2] >= 0 ? mg_xstrdup(t->strings[key[2]]) : NULL;
    t->row_slots[at] = (int)++m->n_rows;
    return r;
}

static void tally_release(struct tally *t)
{
    size_t i;

    for (i = 0; i < t->n_strings; i++)
        free(t->strings[i]);
    free(t->strings);
    free(t->string_hash);
    free(t->string_slots);
    free(t->row_slots);
    free(t->keys);
    memset(t, 0, sizeof(*t));
}

/* Column `col` interned, NULL and "" alike as -1. */
static int column_key(struct tally *t, sqlite3_stmt *stmt, int col)
{
    const unsigned char *s = sqlite3_column_text(stmt, col);
    int n = sqlite3_column_bytes(stmt, col);

    return s && n > 0 ? intern(t, s, n) : -1;
}

/* Ids read by a query with ?1 the circle, in its order. */
static int read_ids(int64_t **out, size_t *n, struct mg_store *st, sqlite3 *db,
                    const char *sql, int64_t circle_id)
{
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db, sql), step;

    *out = NULL;
    *n = 0;
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, circle_id);
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        *out = mg_xrealloc(*out, (*n + 1) * sizeof(**out));
        (*out)[(*n)++] = sqlite3_column_int64(stmt, 0);
    }
    if (step != SQLITE_DONE)
        rc = store_fail(st, db, step, "overview: the circle's slots");
    sqlite3_finalize(stmt);
    return rc;
}

static int has_id(const int64_t *ids, size_t n, int64_t id)
{
    size_t i;

    for (i = 0; id && i < n; i++)
        if (ids[i] == id)
            return 1;
    return 0;
}

/*
 * One of two lists merged with the people by id: availability (slot ids)
 * or wishes (thread id and rank). `stmt` NULL: the circle has none.
 */
#define MERGE_MAX                                                              \
    64 /* rows of one person read: more slots than a circle                    \
          has, more wishes than threads */
struct merge {
    sqlite3_stmt *stmt;
    int step;
    int64_t v[MERGE_MAX][2]; /* the current person's: value, rank */
    size_t n;
};

static void merge_start(struct merge *m, sqlite3_stmt *stmt)
{
    memset(m, 0, sizeof(*m));
    m->stmt = stmt;
    m->step = stmt ? sqlite3_step(stmt) : SQLITE_DONE;
}

/* Gather person `id`'s rows (up to MERGE_MAX of them). */
static void merge_to(struct merge *m, int64_t id, int ranked)
{
    m->n = 0;
    while (m->step == SQLITE_ROW && sqlite3_column_int64(m->stmt, 0) < id)
        m->step = sqlite3_step(m->stmt);
    while (m->step == SQLITE_ROW && sqlite3_column_int64(m->stmt, 0) == id) {
        if (m->n < MERGE_MAX) {
            m->v[m->n][0] = sqlite3_column_int64(m->stmt, 1);
            m->v[m->n][1] = ranked ? sqlite3_column_int64(m->stmt, 2) : 0;
            m->n++;
        }
        m->step = sqlite3_step(m->stmt);
    }
}

static int by_rank(const void *x, const void *y)
{
    const int64_t *a = x, *b = y;

    return a[1] < b[1] ? -1 : a[1] > b[1];
}

/* The circle's ids the checks compare with. */
struct circle_ids {
    int64_t *slots, *threads;
    size_t n_slots, n_threads;
    int64_t (*groups)[3]; /* id, slot, thread; by id */
    size_t n_groups;
};

static int by_group(const void *x, const void *y)
{
    const int64_t *a = x, *b = y;

    return a[0] < b[0] ? -1 : a[0] > b[0];
}

static int read_groups(struct circle_ids *c, struct mg_store *st, sqlite3 *db,
                       int64_t circle_id)
{
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(&stmt, st, db, groups_sql), step;

    if (rc < 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, circle_id);
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        c->groups =
            mg_xrealloc(c->groups, (c->n_groups + 1) * sizeof(*c->groups));
        c->groups[c->n_groups][0] = sqlite3_column_int64(stmt, 0);
        c->groups[c->n_groups][1] = sqlite3_column_int64(stmt, 1);
        c->groups[c->n_groups][2] = sqlite3_column_int64(stmt, 2);
        c->n_groups++;
    }
    if (step != SQLITE_DONE)
        rc = store_fail(st, db, step, "overview: groups");
    sqlite3_finalize(stmt);
    return rc;
}

/*
 * The per-person checks for person `id` in group slot `slot`, thread
 * `thread` (placed: whether in a group of the circle), as mg_assign_load()
 * and the group module see them, onto row `r`.
 */
static void check_person(struct mg_store_mix_row *r, struct merge *slots,
                         struct merge *wishes, const struct circle_ids *c,
                         int64_t id, int placed, int64_t slot, int64_t thread)
{
    int64_t first = 0;
    size_t i, valid = 0;
    int any_slot = 0, makes = 0, any = 0;

    merge_to(slots, id, 0);
    merge_to(wishes, id, 1);
    if (placed && slots->n) {
        if (!has_id(c->slots, c->n_slots, slot))
            slot = c->n_slots ? c->slots[0] : 0;
        for (i = 0; i < slots->n; i++) {
            int ours = has_id(c->slots, c->n_slots, slots->v[i][0]);
            any_slot |= ours;
            makes |= ours && slots->v[i][0] == slot;
        }
        r->slot_misses += any_slot && !makes;
    }
    if (!wishes->n)
        return;
    /* the first three by rank, of them those of the circle's threads */
    qsort(wishes->v, wishes->n, sizeof(wishes->v[0]), by_rank);
    for (i = 0; i < wishes->n && i < 3; i++) {
        int64_t t = wishes->v[i][0];
        if (!has_id(c->threads, c->n_threads, t))
            continue;
        if (!valid++)
            first = t;
        any |= placed && t == thread;
    }
    r->wishers += valid > 0;
    r->wishes_first += placed && valid && first == thread;
    r->wishes_any += any;
}

static int count_people(struct mg_store_mix *out, struct mg_store *st,
                        sqlite3 *db, int64_t circle_id)
{
    struct tally t;
    struct circle_ids c;
    struct merge slots, wishes;
    sqlite3_stmt *stmt = NULL, *range = NULL, *ss = NULL, *ws = NULL;
    int64_t lo = 0, hi = -1;
    int rc, step;

    memset(&t, 0, sizeof(t));
    memset(&c, 0, sizeof(c));
    rc = read_ids(&c.slots, &c.n_slots, st, db, circle_slots_sql, circle_id);
    if (rc == 0)
        rc = read_ids(&c.threads, &c.n_threads, st, db, circle_threads_sql,
                      circle_id);
    if (rc == 0)
        rc = read_groups(&c, st, db, circle_id);
    if (rc == 0)
        rc = store_prepare(&range, st, db,
                           "SELECT min(id), max(id) FROM participants WHERE "
                           "circle_id = ?1");
    if (rc == 0) {
        sqlite3_bind_int64(range, 1, circle_id);
        rc = store_step_row(st, db, range, MG_EDB, "overview: people");
    }
    if (rc == 0 && sqlite3_column_type(range, 0) != SQLITE_NULL) {
        lo = sqlite3_column_int64(range, 0);
        hi = sqlite3_column_int64(range, 1);
    }
    sqlite3_finalize(range);
    if (rc == 0)
        rc = store_prepare(&stmt, st, db, people_sql);
    if (rc == 0 && c.n_slots)
        rc = store_prepare(&ss, st, db, slots_sql);
    if (rc == 0 && c.n_threads)
        rc = store_prepare(&ws, st, db, wishes_sql);
    if (rc < 0)
        goto out;
    sqlite3_bind_int64(stmt, 1, circle_id);
    sqlite3_bind_int64(stmt, 2, lo);
    sqlite3_bind_int64(stmt, 3, hi);
    if (ss) {
        sqlite3_bind_int64(ss, 2, lo);
        sqlite3_bind_int64(ss, 3, hi);
    }
    if (ws) {
        sqlite3_bind_int64(ws, 2, lo);
        sqlite3_bind_int64(ws, 3, hi);
    }
    merge_start(&slots, ss);
    merge_start(&wishes, ws);
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct mg_store_mix_row *r;
        int key[3];

        key[0] = column_key(&t, stmt, 1);
        key[1] = column_key(&t, stmt, 3);
        key[2] = column_key(&t, stmt, 4);
        r = row_of(&t, out, sqlite3_column_int64(stmt, 2), key);
        r->people++;
        if (strcmp(r->status, "active") != 0)
            continue;
        r->facilitators += sqlite3_column_int(stmt, 5) != 0;
        if (slots.step == SQLITE_ROW || wishes.step == SQLITE_ROW) {
            int64_t gkey[3] = {r->group_id, 0, 0};
            const int64_t *g = c.n_groups ? bsearch(gkey, c.groups, c.n_groups,
                                                    sizeof(*c.groups), by_group)
                                          : NULL;
            check_person(r, &slots, &wishes, &c, sqlite3_column_int64(stmt, 0),
                         g != NULL, g ? g[1] : 0, g ? g[2] : 0);
        }
    }
    if (step != SQLITE_DONE)
        rc = store_fail(st, db, step, "overview: people");
    else if ((slots.step != SQLITE_ROW && slots.step != SQLITE_DONE) ||
             (wishes.step != SQLITE_ROW && wishes.step != SQLITE_DONE))
        rc = store_fail(st, db,
                        slots.step != SQLITE_ROW && slots.step != SQLITE_DONE
                            ? slots.step
                            : wishes.step,
                        "overview: availability and wishes");
out:
    sqlite3_finalize(stmt);
    sqlite3_finalize(ss);
    sqlite3_finalize(ws);
    free(c.slots);
    free(c.threads);
    free(c.groups);
    tally_release(&t);
    return rc;
}

int mg_store_circle_mix(struct mg_store_mix *out, struct mg_store *st,
                        int64_t circle_id)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int step;
    int rc;

    memset(out, 0, sizeof(*out));
    /* one snapshot for the queries */
    rc = store_prepare(&stmt, st, db, "BEGIN");
    if (rc == 0) {
        step = sqlite3_step(stmt);
        if (step != SQLITE_DONE)
            rc = store_fail(st, db, step, "begin overview");
    }
    sqlite3_finalize(stmt);
    stmt = NULL;
    if (rc < 0)
        goto out;
    rc = count_people(out, st, db, circle_id);
    if (rc < 0)
        goto end;
    rc = store_prepare(&stmt, st, db, links_sql);
    if (rc < 0)
        goto end;
    sqlite3_bind_int64(stmt, 1, circle_id);
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *kind = (const char *)sqlite3_column_text(stmt, 0);
        int with = kind && strcmp(kind, "with") == 0;

        if (with) {
            out->links.together_total += sqlite3_column_int(stmt, 1);
            out->links.together_met += sqlite3_column_int(stmt, 2);
        } else {
            out->links.apart_total += sqlite3_column_int(stmt, 1);
            out->links.apart_met += sqlite3_column_int(stmt, 2);
        }
    }
    if (step != SQLITE_DONE)
        rc = store_fail(st, db, step, "overview: links");
    sqlite3_finalize(stmt);
    stmt = NULL;
end:
    if (sqlite3_get_autocommit(db) == 0)
        store_rollback(db);
out:
    store_release(st, db);
    if (rc < 0)
        mg_store_mix_release(out);
    return rc;
}

/* --- the report's sums --------------------------------------------------- */

/* The circle's group sessions, week 1 on: the report's sessions. */
#define REPORT_SESSIONS                                                        \
    "sessions s JOIN groups g ON g.id = s.group_id AND g.circle_id = ?1 "      \
    "AND s.circle_id = ?1 AND s.week >= 1 "
/* (participant, week) of each present mark of a person of the circle */
#define PRESENT                                                                \
    "WITH pres AS (SELECT a.participant_id AS pid, s.week AS week FROM "       \
    "" REPORT_SESSIONS "JOIN attendance a ON a.session_id = s.id AND "         \
    "a.present != 0 JOIN participants p ON p.id = a.participant_id AND "       \
    "p.circle_id = ?1) "

static const char *const sums_sql[] = {
    /* 0: sessions, the latest week, whether any has answers or marks */
    "SELECT coalesce(sum(s.status != 'cancelled'), 0), coalesce(max(s.week), "
    "0), coalesce(max(EXISTS (SELECT 1 FROM rsvps r WHERE r.session_id = "
    "s.id)), 0), coalesce(max(EXISTS (SELECT 1 FROM attendance a WHERE "
    "a.session_id = s.id)), 0) FROM " REPORT_SESSIONS,
    /* 1: answers */
    "SELECT coalesce(sum(r.status = 'accepted'), 0), coalesce(sum(r.status "
    "= 'declined'), 0), coalesce(sum(r.status = 'tentative'), 0) "
    "FROM " REPORT_SESSIONS "JOIN rsvps r ON r.session_id = s.id",
    /* 2: invited: each active invitation's person (counted distinct
     * here: SQL's count(DISTINCT) builds a b-tree of them) */
    "SELECT i.participant_id FROM groups g JOIN invites i ON i.group_id = "
    "g.id WHERE g.circle_id = ?1 AND i.state != 'cancelled'",
    /* 3: per week, recorded sessions and present marks */
    "SELECT s.week, count(DISTINCT s.id), sum(a.present != 0) FROM "
    "" REPORT_SESSIONS "JOIN attendance a ON a.session_id = s.id "
    "GROUP BY s.week ORDER BY s.week",
    /* 4: attendees, came back */
    PRESENT "SELECT count(*), coalesce(sum(n >= 2), 0) FROM (SELECT pid, "
            "count(*) AS n FROM pres GROUP BY pid)",
    /* 5: per week, the week-1 cohort's people present */
    PRESENT "SELECT week, count(DISTINCT pid) FROM pres WHERE pid IN (SELECT "
            "pid FROM pres WHERE week = 1) GROUP BY week ORDER BY week",
    /* 6, 7: sectors and regions of the attendees */
    PRESENT "SELECT p.sector, count(*) FROM (SELECT DISTINCT pid FROM pres) x "
            "JOIN participants p ON p.id = x.pid WHERE p.sector != '' GROUP "
            "BY p.sector ORDER BY 2 DESC, 1",
    PRESENT "SELECT p.region, count(*) FROM (SELECT DISTINCT pid FROM pres) x "
            "JOIN participants p ON p.id = x.pid WHERE p.region != '' GROUP "
            "BY p.region ORDER BY 2 DESC, 1"};

void mg_store_report_sums_release(struct mg_store_report_sums *s)
{
    size_t i;

    if (!s)
        return;
    for (i = 0; i < s->n_sectors; i++)
        free(s->sectors[i].name);
    for (i = 0; i < s->n_regions; i++)
        free(s->regions[i].name);
    free(s->sectors);
    free(s->regions);
    free(s->weeks);
    memset(s, 0, sizeof(*s));
}

static struct mg_store_week_sums *week_of(struct mg_store_report_sums *s,
                                          int week)
{
    size_t i;

    for (i = 0; i < s->n_weeks; i++)
        if (s->weeks[i].week == week)
            return &s->weeks[i];
    s->weeks = mg_xrealloc(s->weeks, (s->n_weeks + 1) * sizeof(*s->weeks));
    memset(&s->weeks[s->n_weeks], 0, sizeof(*s->weeks));
    s->weeks[s->n_weeks].week = week;
    return &s->weeks[s->n_weeks++];
}

static void add_count(struct mg_store_named_count **list, size_t *n,
                      sqlite3_stmt *stmt)
{
    *list = mg_xrealloc(*list, (*n + 1) * sizeof(**list));
    (*list)[*n].name = store_column_strdup(stmt, 0);
    (*list)[*n].people = sqlite3_column_int(stmt, 1);
    (*n)++;
}

/* The sums being read, and the invited people's ids until counted. */
struct sums_read {
    struct mg_store_report_sums *s;
    int64_t *ids;
    size_t n_ids, cap_ids;
    int answers, marks; /* whether there are any to count */
};

static int by_id(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;

    return a < b ? -1 : a > b;
}

/* How many distinct ids: marked in a bitmap over their range (ids of
 * one circle's people lie close together), sorted when they do not. */
static int count_distinct(int64_t *ids, size_t n)
{
    int64_t lo, hi;
    unsigned char *seen;
    size_t i;
    int count = 0;

    if (!n)
        return 0;
    lo = hi = ids[0];
    for (i = 1; i < n; i++) {
        lo = ids[i] < lo ? ids[i] : lo;
        hi = ids[i] > hi ? ids[i] : hi;
    }
    if ((uint64_t)(hi - lo) / 8 > 16 * (uint64_t)n) {
        qsort(ids, n, sizeof(*ids), by_id);
        for (i = 0; i < n; i++)
            count += i == 0 || ids[i] != ids[i - 1];
        return count;
    }
    seen = mg_xcalloc((size_t)((hi - lo) / 8 + 1), 1);
    for (i = 0; i < n; i++) {
        uint64_t k = (uint64_t)(ids[i] - lo);
        unsigned char bit = (unsigned char)(1u << (k % 8));

        count += !(seen[k / 8] & bit);
        seen[k / 8] |= bit;
    }
    free(seen);
    return count;
}

static void read_sums(struct sums_read *rd, int k, sqlite3_stmt *stmt)
{
    struct mg_store_report_sums *s = rd->s;
    struct mg_store_week_sums *w;

    switch (k) {
    case 0:
        s->sessions = sqlite3_column_int(stmt, 0);
        s->max_week = sqlite3_column_int(stmt, 1);
        rd->answers = sqlite3_column_int(stmt, 2);
        rd->marks = sqlite3_column_int(stmt, 3);
        break;
    case 1:
        s->accepted = sqlite3_column_int(stmt, 0);
        s->declined = sqlite3_column_int(stmt, 1);
        s->tentative = sqlite3_column_int(stmt, 2);
        break;
    case 2:
        if (rd->n_ids == rd->cap_ids) {
            rd->cap_ids = rd->cap_ids ? 2 * rd->cap_ids : 1024;
            rd->ids = mg_xrealloc(rd->ids, rd->cap_ids * sizeof(*rd->ids));
        }
        rd->ids[rd->n_ids++] = sqlite3_column_int64(stmt, 0);
        break;
    case 3:
        w = week_of(s, sqlite3_column_int(stmt, 0));
        w->sessions = sqlite3_column_int(stmt, 1);
        w->attended = sqlite3_column_int(stmt, 2);
        s->recorded += w->sessions;
        s->attended += w->attended;
        break;
    case 4:
        s->attendees = sqlite3_column_int(stmt, 0);
        s->came_back = sqlite3_column_int(stmt, 1);
        break;
    case 5:
        w = week_of(s, sqlite3_column_int(stmt, 0));
        w->retained = sqlite3_column_int(stmt, 1);
        if (w->week == 1)
            s->cohort = w->retained;
        break;
    case 6:
        add_count(&s->sectors, &s->n_sectors, stmt);
        break;
    default:
        add_count(&s->regions, &s->n_regions, stmt);
        break;
    }
}

static int by_week(const void *a, const void *b)
{
    const struct mg_store_week_sums *x = a, *y = b;

    return x->week - y->week;
}

int mg_store_report_sums(struct mg_store_report_sums *out, struct mg_store *st,
                         int64_t circle_id)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    struct sums_read rd;
    size_t k;
    int rc = 0, step;

    memset(out, 0, sizeof(*out));
    memset(&rd, 0, sizeof(rd));
    rd.s = out;
    rc = store_prepare(&stmt, st, db, "BEGIN");
    if (rc == 0) {
        step = sqlite3_step(stmt);
        if (step != SQLITE_DONE)
            rc = store_fail(st, db, step, "begin report sums");
    }
    sqlite3_finalize(stmt);
    stmt = NULL;
    for (k = 0; rc == 0 && k < sizeof(sums_sql) / sizeof(sums_sql[0]); k++) {
        /* nothing to count where there is nothing recorded */
        if ((k == 1 && !rd.answers) || (k >= 3 && !rd.marks))
            continue;
        rc = store_prepare(&stmt, st, db, sums_sql[k]);
        if (rc < 0)
            break;
        sqlite3_bind_int64(stmt, 1, circle_id);
        while ((step = sqlite3_step(stmt)) == SQLITE_ROW)
            read_sums(&rd, (int)k, stmt);
        if (step != SQLITE_DONE)
            rc = store_fail(st, db, step, "report sums");
        sqlite3_finalize(stmt);
        stmt = NULL;
    }
    if (sqlite3_get_autocommit(db) == 0)
        store_rollback(db);
    store_release(st, db);
    out->invited = count_distinct(rd.ids, rd.n_ids);
    free(rd.ids);
    if (out->n_weeks)
        qsort(out->weeks, out->n_weeks, sizeof(*out->weeks), by_week);
    if (rc < 0)
        mg_store_report_sums_release(out);
    return rc;
}

/* --- the outbox ---------------------------------------------------------- */

int mg_store_outbox_counts(size_t counts[4], struct mg_store *st,
                           int64_t circle_id)
{
    static const char *const names[] = {"queued", "sending", "failed"};
    static const int at[] = {0, 1, 3};
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    size_t total = 0, unsent = 0, k;
    int rc;

    memset(counts, 0, 4 * sizeof(*counts));
    rc = store_prepare(&stmt, st, db, "BEGIN");
    if (rc == 0 && sqlite3_step(stmt) != SQLITE_DONE)
        rc = store_fail(st, db, sqlite3_errcode(db), "begin outbox counts");
    sqlite3_finalize(stmt);
    stmt = NULL;
    if (rc == 0)
        rc = store_prepare(&stmt, st, db,
                           "SELECT count(*) FROM outbox WHERE circle_id = ?1");
    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, circle_id);
        rc = store_step_row(st, db, stmt, MG_EDB, "count outbox");
        if (rc == 0)
            total = (size_t)sqlite3_column_int64(stmt, 0);
    }
    sqlite3_finalize(stmt);
    stmt = NULL;
    if (rc == 0)
        rc = store_prepare(&stmt, st, db,
                           "SELECT count(*) FROM outbox INDEXED BY outbox_due "
                           "WHERE status = ?2 AND circle_id = ?1");
    for (k = 0; rc == 0 && k < 3; k++) {
        sqlite3_bind_int64(stmt, 1, circle_id);
        sqlite3_bind_text(stmt, 2, names[k], -1, SQLITE_STATIC);
        rc = store_step_row(st, db, stmt, MG_EDB, "count outbox by status");
        if (rc == 0) {
            counts[at[k]] = (size_t)sqlite3_column_int64(stmt, 0);
            unsent += counts[at[k]];
        }
        sqlite3_reset(stmt);
    }
    sqlite3_finalize(stmt);
    if (sqlite3_get_autocommit(db) == 0)
        store_rollback(db);
    store_release(st, db);
    counts[2] = total > unsent ? total - unsent : 0;
    return rc;
}

/* --- members of a page of groups ----------------------------------------- */

static void read_member(void *row, sqlite3_stmt *stmt)
{
    struct mg_store_member_row *m = row;

    m->id = sqlite3_column_int64(stmt, 0);
    m->group_id = sqlite3_column_int64(stmt, 1);
    m->name = store_column_strdup(stmt, 2);
    m->email = store_column_strdup(stmt, 3);
    store_column_copy(m->role, sizeof(m->role), stmt, 4);
    m->sector = store_column_strdup(stmt, 5);
    m->region = store_column_strdup(stmt, 6);
    store_column_copy(m->status, sizeof(m->status), stmt, 7);
}

void mg_store_member_rows_free(struct mg_store_member_row *rows, size_t n)
{
    size_t i;

    for (i = 0; rows && i < n; i++) {
        free(rows[i].name);
        free(rows[i].email);
        free(rows[i].sector);
        free(rows[i].region);
    }
    free(rows);
}

int mg_store_group_members(struct mg_store_member_row **out, size_t *n,
                           struct mg_store *st, int64_t circle_id,
                           const int64_t *group_ids, size_t n_ids)
{
    sqlite3 *db;
    sqlite3_stmt *stmt = NULL;
    struct mg_buf ids = MG_BUF_INIT;
    size_t i;
    int rc;

    *out = NULL;
    *n = 0;
    if (!n_ids)
        return 0;
    mg_buf_add(&ids, "[", 1);
    for (i = 0; i < n_ids; i++)
        mg_buf_printf(&ids, "%s%lld", i ? "," : "", (long long)group_ids[i]);
    mg_buf_add(&ids, "]", 1);
    db = store_acquire(st);
    rc = store_prepare(&stmt, st, db,
                       /* the members' ids first, so their rows are read
                        * in id order (the table's), not group by group */
                       "SELECT p.id, m.group_id, p.name, p.email, p.role, "
                       "p.sector, p.region, p.status FROM participants p "
                       "JOIN memberships m ON m.participant_id = p.id AND "
                       "m.left_at IS NULL WHERE p.id IN (SELECT "
                       "participant_id FROM memberships WHERE group_id IN "
                       "(SELECT value FROM json_each(?2)) AND left_at IS "
                       "NULL) AND p.circle_id = ?1 AND p.status = 'active' "
                       "ORDER BY m.group_id, p.id");
    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, circle_id);
        sqlite3_bind_text(stmt, 2, ids.data, (int)ids.len, SQLITE_STATIC);
        rc = store_rows_read((void **)out, n, sizeof(**out), st, db, stmt,
                             read_member, "list group members");
    }
    sqlite3_finalize(stmt);
    store_release(st, db);
    mg_buf_release(&ids);
    if (rc < 0) {
        mg_store_member_rows_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

int mg_store_people_rows(struct mg_store_member_row **out, size_t *n,
                         struct mg_store *st, int64_t circle_id, int64_t after,
                         int limit)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(
        &stmt, st, db,
        "SELECT p.id, coalesce((SELECT m.group_id FROM memberships m WHERE "
        "m.participant_id = p.id AND m.left_at IS NULL), 0), p.name, "
        "p.email, p.role, p.sector, p.region, p.status FROM participants p "
        "WHERE +p.circle_id = ?1 AND p.id > ?2 AND p.id <= (SELECT max(id) "
        "FROM participants WHERE circle_id = ?1) ORDER BY p.id LIMIT ?3");

    *out = NULL;
    *n = 0;
    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, circle_id);
        sqlite3_bind_int64(stmt, 2, after);
        sqlite3_bind_int(stmt, 3, limit > 0 ? limit : -1);
        rc = store_rows_read((void **)out, n, sizeof(**out), st, db, stmt,
                             read_member, "list people rows");
    }
    sqlite3_finalize(stmt);
    store_release(st, db);
    if (rc < 0) {
        mg_store_member_rows_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

static void read_session_row(void *row, sqlite3_stmt *stmt)
{
    struct mg_session_row *s = row;
    enum mg_store_session_status status = MG_STORE_SESSION_CONFIRMED;

    s->id = sqlite3_column_int64(stmt, 0);
    s->group_id = sqlite3_column_int64(stmt, 1);
    s->week = sqlite3_column_int(stmt, 2);
    s->starts_at = sqlite3_column_int64(stmt, 3);
    s->original_starts_at = sqlite3_column_int64(stmt, 4);
    s->minutes = sqlite3_column_int(stmt, 5);
    if (sqlite3_column_text(stmt, 6))
        mg_store_session_status_parse(
            &status, (const char *)sqlite3_column_text(stmt, 6));
    s->status = status;
}

int mg_store_circle_group_sessions(struct mg_session_row **out, size_t *n,
                                   struct mg_store *st, int64_t circle_id)
{
    return store_list_by_id(
        (void **)out, n, sizeof(**out), st,
        "SELECT s.id, s.group_id, s.week, s.starts_at, "
        "coalesce(s.original_starts_at, s.starts_at), s.minutes, s.status "
        "FROM sessions s JOIN groups g ON g.id = s.group_id AND g.circle_id = "
        "?1 WHERE s.circle_id = ?1 ORDER BY g.position, s.week",
        circle_id, read_session_row, NULL, "list the circle's sessions");
}

int mg_store_circle_status_counts(struct mg_store_status_counts *out,
                                  struct mg_store *st, int64_t circle_id)
{
    sqlite3 *db = store_acquire(st);
    sqlite3_stmt *stmt = NULL;
    int rc = store_prepare(
        &stmt, st, db,
        "SELECT coalesce(sum(p.status = 'active'), 0), coalesce(sum(p.status "
        "= 'waitlisted'), 0), coalesce(sum(p.status = 'withdrawn'), 0), "
        "(SELECT count(*) FROM groups WHERE circle_id = ?1) FROM "
        "participants p " CIRCLE_PEOPLE_WHERE);

    memset(out, 0, sizeof(*out));
    if (rc == 0) {
        sqlite3_bind_int64(stmt, 1, circle_id);
        rc = store_step_row(st, db, stmt, MG_EDB, "count a circle");
    }
    if (rc == 0) {
        out->active = (size_t)sqlite3_column_int64(stmt, 0);
        out->waitlisted = (size_t)sqlite3_column_int64(stmt, 1);
        out->withdrawn = (size_t)sqlite3_column_int64(stmt, 2);
        out->groups = (size_t)sqlite3_column_int64(stmt, 3);
    }
    sqlite3_finalize(stmt);
    store_release(st, db);
    return rc;
}

static void read_pair(void *row, sqlite3_stmt *stmt)
{
    struct mg_store_invite_pair *p = row;

    p->group_id = sqlite3_column_int64(stmt, 0);
    p->participant_id = sqlite3_column_int64(stmt, 1);
}

int mg_store_active_invites(struct mg_store_invite_pair **out, size_t *n,
                            struct mg_store *st, int64_t circle_id)
{
    return store_list_by_id(
        (void **)out, n, sizeof(**out), st,
        "SELECT i.group_id, i.participant_id FROM groups g JOIN invites i ON "
        "i.group_id = g.id WHERE g.circle_id = ?1 AND i.state != 'cancelled'",
        circle_id, read_pair, NULL, "list active invitations");
}

static void read_attendee(void *row, sqlite3_stmt *stmt)
{
    struct mg_store_member_row *m = row;

    m->id = sqlite3_column_int64(stmt, 0);
    m->sector = store_column_strdup(stmt, 1);
    m->region = store_column_strdup(stmt, 2);
}

static void free_member_rows(void *rows, size_t n)
{
    mg_store_member_rows_free(rows, n);
}

int mg_store_attendee_rows(struct mg_store_member_row **out, size_t *n,
                           struct mg_store *st, int64_t circle_id)
{
    return store_list_by_id(
        (void **)out, n, sizeof(**out), st,
        "SELECT p.id, p.sector, p.region FROM participants p WHERE p.id IN "
        "(SELECT a.participant_id FROM " REPORT_SESSIONS "JOIN attendance a "
        "ON a.session_id = s.id AND a.present != 0) AND p.circle_id = ?1 "
        "ORDER BY p.id",
        circle_id, read_attendee, free_member_rows, "list attendees");
}
