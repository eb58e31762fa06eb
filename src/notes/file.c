/*
 * file.c: where a received message belongs, and filing it. The address
 * ("atlas+g2-w3@..."), then a subject tag ("[Atlas G2 W3]"), then the
 * sender's own group say which circle and group; the week is the one
 * named, or the group's most recent call before the message was sent.
 * What cannot be placed, or comes from someone outside the group, waits
 * in the review queue: it is kept, never dropped and never published.
 */
#include "mingle/notes.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mingle/auth.h"
#include "mingle/circle.h"
#include "mingle/people.h"
#include "mingle/store.h"

#include "banned.h"

/* "g12" -> 12 (with `prefix` 'g'); 0 when the token is not that. */
static int numbered(const char *tok, size_t len, char prefix)
{
    size_t i;
    int v = 0;

    if (len < 2 || len > 6 || tolower((unsigned char)tok[0]) != prefix)
        return 0;
    for (i = 1; i < len; i++) {
        if (!isdigit((unsigned char)tok[i]))
            return 0;
        v = v * 10 + (tok[i] - '0');
    }
    return v;
}

static int is_word(const char *tok, size_t len, const char *word)
{
    return len == strlen(word) && strncasecmp(tok, word, len) == 0;
}

/*
 * Read "g2", "w3" and "summary" tokens from `s` (length `len`) separated
 * by any of `seps`; 0 when every token is one of those and a group is
 * named.
 */
static int read_tokens(struct mg_note_target *t, const char *s, size_t len,
                       const char *seps)
{
    size_t i = 0;

    while (i < len) {
        size_t j = i;
        int v;

        while (j < len && !strchr(seps, s[j]))
            j++;
        if (j > i) {
            if ((v = numbered(s + i, j - i, 'g')) > 0 && !t->group)
                t->group = v;
            else if ((v = numbered(s + i, j - i, 'w')) > 0 && !t->week)
                t->week = v;
            else if (is_word(s + i, j - i, "summary"))
                t->summary = 1;
            else
                return MG_ENOTFOUND;
        }
        i = j + 1;
    }
    return t->group > 0 ? 0 : MG_ENOTFOUND;
}

static int set_circle(struct mg_note_target *t, const char *s, size_t len)
{
    size_t i;

    if (len == 0 || len >= sizeof(t->circle))
        return MG_ENOTFOUND;
    for (i = 0; i < len; i++)
        t->circle[i] = (char)tolower((unsigned char)s[i]);
    t->circle[len] = '\0';
    return 0;
}

int mg_notes_parse_address(struct mg_note_target *out, const char *address)
{
    const char *at = address ? strchr(address, '@') : NULL;
    const char *plus, *dash;
    size_t local;

    memset(out, 0, sizeof(*out));
    if (!at)
        return MG_ENOTFOUND;
    local = (size_t)(at - address);
    plus = memchr(address, '+', local);
    if (plus) {
        /* circle+g2-w3-summary */
        if (set_circle(out, address, (size_t)(plus - address)) < 0 ||
            read_tokens(out, plus + 1, (size_t)(at - plus - 1), "-.") < 0) {
            memset(out, 0, sizeof(*out));
            return MG_ENOTFOUND;
        }
        return 0;
    }
    /* A group's own address: circle-g2, circle-g2-w3 (the circle's key
     * may hold dashes itself, so try each dash from the left). */
    for (dash = memchr(address, '-', local); dash;
         dash = memchr(dash + 1, '-', (size_t)(at - dash - 1))) {
        struct mg_note_target t;

        memset(&t, 0, sizeof(t));
        if (set_circle(&t, address, (size_t)(dash - address)) == 0 &&
            read_tokens(&t, dash + 1, (size_t)(at - dash - 1), "-") == 0) {
            *out = t;
            return 0;
        }
    }
    return MG_ENOTFOUND;
}

int mg_notes_parse_subject(struct mg_note_target *out, const char *subject)
{
    const char *p = subject;

    memset(out, 0, sizeof(*out));
    while (p && (p = strchr(p, '[')) != NULL) {
        const char *end = strchr(p, ']'), *sp;
        struct mg_note_target t;

        if (!end)
            break;
        memset(&t, 0, sizeof(t));
        p++;
        sp = p;
        while (sp < end && *sp != ' ')
            sp++;
        if (sp < end && set_circle(&t, p, (size_t)(sp - p)) == 0 &&
            read_tokens(&t, sp + 1, (size_t)(end - sp - 1), " ") == 0) {
            *out = t;
            return 0;
        }
        p = end + 1;
    }
    return MG_ENOTFOUND;
}

/*
 * The routing cache. Filing a note looks up its sender, its circle, the
 * circle's groups and the group's sessions; done afresh for each note
 * that was a third of a note's time (and, in a circle of 50,000, a
 * list of 4,000 groups per note). What those lookups gave is kept here
 * until the store's routing version moves (a write through this store
 * to circles, groups, memberships, sessions or participants) or, for
 * writes by another process such as the CLI, ROUTE_TTL seconds pass.
 *
 * A circle's entry is shared by the notes being filed in it and freed
 * by the last of them after the cache has let it go. What a thread
 * loads goes into the cache only if the cache has not been emptied
 * since the thread checked it, so nothing read before a change is kept
 * after it.
 */
#define ROUTE_TTL 2.0
#define ROUTE_MAX_SENDERS 4096
/* circle names looked up and kept: any address may name one */
#define ROUTE_MAX_KEYS 256
#define ROUTE_BUCKETS 1024

struct route_circle {
    int refs;
    int64_t id;
    struct mg_circle *circle;
    struct mg_group_row *groups;
    size_t n_groups;
    /* sessions[i]: groups[i]'s, loaded when first needed */
    struct mg_session_row **sessions;
    size_t *n_sessions;
    unsigned char *have_sessions;
};

struct route_key {
    char key[64];
    int64_t circle_id; /* 0: no such circle */
};

struct route_sender {
    char *email;
    struct mg_member_hit *hits;
    size_t n_hits;
    struct route_sender *next;
};

static struct {
    pthread_mutex_t lock;
    uint64_t version; /* mg_store_routing_version when last emptied */
    uint64_t epoch;   /* goes up each time the cache is emptied */
    double since;     /* mg_monotonic() then */
    struct route_circle **circles;
    size_t n_circles;
    struct route_key *keys;
    size_t n_keys;
    struct route_sender *senders[ROUTE_BUCKETS];
    size_t n_senders;
} route = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void route_circle_unref(struct route_circle *c)
{
    size_t i;

    if (!c || --c->refs > 0)
        return;
    mg_circle_free(c->circle);
    for (i = 0; i < c->n_groups; i++)
        free(c->sessions[i]);
    mg_store_groups_free(c->groups, c->n_groups);
    free(c->sessions);
    free(c->n_sessions);
    free(c->have_sessions);
    free(c);
}

static void route_forget_senders(void)
{
    size_t b;

    for (b = 0; b < ROUTE_BUCKETS; b++) {
        while (route.senders[b]) {
            struct route_sender *s = route.senders[b];

            route.senders[b] = s->next;
            free(s->email);
            mg_store_member_hits_free(s->hits, s->n_hits);
            free(s);
        }
    }
    route.n_senders = 0;
}

/* Empty the cache if the store has changed since it was filled, or it
 * is older than ROUTE_TTL; the epoch the caller's lookups belong to.
 * Called with route.lock held. */
static uint64_t route_check(struct mg_store *st)
{
    uint64_t version = mg_store_routing_version(st);
    double now = mg_monotonic();
    size_t i;

    if (route.epoch && version == route.version &&
        now - route.since < ROUTE_TTL)
        return route.epoch;
    for (i = 0; i < route.n_circles; i++)
        route_circle_unref(route.circles[i]);
    free(route.circles);
    free(route.keys);
    route.circles = NULL;
    route.n_circles = 0;
    route.keys = NULL;
    route.n_keys = 0;
    route_forget_senders();
    route.version = version;
    route.since = now;
    return ++route.epoch;
}

static size_t bucket_of(const char *email)
{
    uint32_t h = 2166136261u;

    for (; *email; email++)
        h = (h ^ (unsigned char)*email) * 16777619u;
    return h % ROUTE_BUCKETS;
}

static struct mg_member_hit *copy_hits(const struct mg_member_hit *h, size_t n)
{
    struct mg_member_hit *out = mg_xcalloc(n + 1, sizeof(*out));
    size_t i;

    for (i = 0; i < n; i++) {
        out[i] = h[i];
        out[i].name = h[i].name ? mg_xstrdup(h[i].name) : NULL;
    }
    return out;
}

/* mg_store_members_by_email() through the cache; *out is the caller's. */
static int route_members(struct mg_member_hit **out, size_t *n,
                         struct mg_store *st, uint64_t epoch, const char *email)
{
    struct route_sender *s;
    size_t b = bucket_of(email);
    int rc;

    pthread_mutex_lock(&route.lock);
    for (s = route.senders[b]; s; s = s->next) {
        if (strcmp(s->email, email) == 0) {
            *out = copy_hits(s->hits, s->n_hits);
            *n = s->n_hits;
            pthread_mutex_unlock(&route.lock);
            return 0;
        }
    }
    pthread_mutex_unlock(&route.lock);
    rc = mg_store_members_by_email(out, n, st, email);
    if (rc < 0)
        return rc;
    pthread_mutex_lock(&route.lock);
    if (route.epoch == epoch) {
        if (route.n_senders >= ROUTE_MAX_SENDERS)
            route_forget_senders();
        s = mg_xcalloc(1, sizeof(*s));
        s->email = mg_xstrdup(email);
        s->hits = copy_hits(*out, *n);
        s->n_hits = *n;
        s->next = route.senders[b];
        route.senders[b] = s;
        route.n_senders++;
    }
    pthread_mutex_unlock(&route.lock);
    return 0;
}

/* Circle `id` with its groups, through the cache; the caller holds a
 * reference (route_circle_unref). */
static int route_circle_get(struct route_circle **out, struct mg_store *st,
                            uint64_t epoch, int64_t id)
{
    struct route_circle *c = NULL;
    size_t i;
    int rc;

    *out = NULL;
    pthread_mutex_lock(&route.lock);
    for (i = 0; i < route.n_circles; i++) {
        if (route.circles[i]->id == id) {
            c = route.circles[i];
            c->refs++;
            break;
        }
    }
    pthread_mutex_unlock(&route.lock);
    if (c) {
        *out = c;
        return 0;
    }
    c = mg_xcalloc(1, sizeof(*c));
    c->refs = 1;
    c->id = id;
    rc = mg_store_circle_get(&c->circle, st, id);
    if (rc == 0)
        rc = mg_store_groups_list(&c->groups, &c->n_groups, st, id);
    if (rc < 0) {
        route_circle_unref(c);
        return rc;
    }
    c->sessions = mg_xcalloc(c->n_groups + 1, sizeof(*c->sessions));
    c->n_sessions = mg_xcalloc(c->n_groups + 1, sizeof(*c->n_sessions));
    c->have_sessions = mg_xcalloc(c->n_groups + 1, 1);
    pthread_mutex_lock(&route.lock);
    if (route.epoch == epoch) {
        route.circles = mg_xrealloc(route.circles, (route.n_circles + 1) *
                                                       sizeof(*route.circles));
        route.circles[route.n_circles++] = c;
        c->refs++;
    }
    pthread_mutex_unlock(&route.lock);
    *out = c;
    return 0;
}

/* The id of the circle a target's key names: its slug, "c<id>", or (for
 * subject tags, which people type) the first word of exactly one
 * circle's title; 0 when none does. */
static int find_circle_id(int64_t *id, struct mg_store *st, const char *key)
{
    struct mg_circle *c = NULL;
    struct mg_circle *list = NULL;
    size_t n = 0, i, hits = 0, at = 0;
    int rc = mg_store_circle_get_by_slug(&c, st, key);

    *id = 0;
    if (rc == 0) {
        *id = c->id;
        mg_circle_free(c);
        return 0;
    }
    if (rc != MG_ENOTFOUND)
        return rc;
    if (key[0] == 'c' && key[1] >= '1' && key[1] <= '9' &&
        strspn(key + 1, "0123456789") == strlen(key + 1)) {
        rc = mg_store_circle_get(&c, st, strtoll(key + 1, NULL, 10));
        if (rc == 0)
            *id = c->id;
        mg_circle_free(c);
        return rc == MG_ENOTFOUND ? 0 : rc;
    }
    rc = mg_store_circle_list(&list, &n, st, 0, 0);
    if (rc < 0)
        return rc;
    for (i = 0; i < n; i++) {
        const char *title = list[i].title;
        size_t len = strcspn(title, " :,.;-");

        if (len == strlen(key) && strncasecmp(title, key, len) == 0) {
            hits++;
            at = i;
        }
    }
    if (hits == 1)
        *id = list[at].id;
    mg_store_circles_free(list, n);
    return 0;
}

/* The circle `key` names, through the cache; MG_ENOTFOUND when none. */
static int find_circle(struct route_circle **out, struct mg_store *st,
                       uint64_t epoch, const char *key)
{
    int64_t id = 0;
    size_t i;
    int found = 0, rc;

    *out = NULL;
    pthread_mutex_lock(&route.lock);
    for (i = 0; i < route.n_keys && !found; i++) {
        if (strcmp(route.keys[i].key, key) == 0) {
            id = route.keys[i].circle_id;
            found = 1;
        }
    }
    pthread_mutex_unlock(&route.lock);
    if (!found) {
        rc = find_circle_id(&id, st, key);
        if (rc < 0)
            return rc;
        pthread_mutex_lock(&route.lock);
        if (route.epoch == epoch && route.n_keys < ROUTE_MAX_KEYS &&
            strlen(key) < sizeof(route.keys->key)) {
            route.keys = mg_xrealloc(route.keys,
                                     (route.n_keys + 1) * sizeof(*route.keys));
            snprintf(route.keys[route.n_keys].key, sizeof(route.keys->key),
                     "%s", key);
            route.keys[route.n_keys++].circle_id = id;
        }
        pthread_mutex_unlock(&route.lock);
    }
    if (!id)
        return MG_ENOTFOUND;
    return route_circle_get(out, st, epoch, id);
}

/* The sessions of c->groups[g], loaded into the entry when first
 * needed; borrowed from `c`, which the caller holds. */
static int route_sessions(const struct mg_session_row **out, size_t *n,
                          struct route_circle *c, size_t g, struct mg_store *st)
{
    struct mg_session_row *s = NULL;
    size_t count = 0;
    int rc = 0;

    pthread_mutex_lock(&route.lock);
    if (!c->have_sessions[g]) {
        pthread_mutex_unlock(&route.lock);
        rc = mg_store_sessions_for_group(&s, &count, st, c->groups[g].id);
        pthread_mutex_lock(&route.lock);
        /* another thread may have loaded them meanwhile: keep theirs */
        if (rc == 0 && !c->have_sessions[g]) {
            c->sessions[g] = s;
            c->n_sessions[g] = count;
            c->have_sessions[g] = 1;
            s = NULL;
        }
    }
    *out = c->sessions[g];
    *n = c->n_sessions[g];
    pthread_mutex_unlock(&route.lock);
    free(s);
    return rc;
}

/* The week of the group's most recent call at or before `t` (the first
 * week when `t` is before them all); 0 when it has none. */
static int week_at(struct mg_store *st, struct route_circle *c, size_t g,
                   int64_t t)
{
    const struct mg_session_row *s = NULL;
    size_t n = 0, i;
    int week = 0;
    int64_t best = 0;

    if (route_sessions(&s, &n, c, g, st) < 0)
        return 0;
    for (i = 0; i < n; i++) {
        if (s[i].status == MG_STORE_SESSION_CANCELLED)
            continue;
        if (s[i].starts_at <= t && (!week || s[i].starts_at > best)) {
            week = s[i].week;
            best = s[i].starts_at;
        }
    }
    if (!week && n)
        week = s[0].week;
    return week;
}

/* Everything filing one message decides. */
struct placement {
    struct mg_note_target target;
    const char *recipient;   /* the address that named the group */
    struct route_circle *rc; /* held: the circle and its groups */
    const struct mg_circle *circle;
    const struct mg_group_row *group;
    const struct mg_member_hit *sender; /* in this circle, if any */
    char reason[160];
};

static void placement_release(struct placement *pl)
{
    if (pl->rc) {
        pthread_mutex_lock(&route.lock);
        route_circle_unref(pl->rc);
        pthread_mutex_unlock(&route.lock);
    }
}

/*
 * An address that names the group but not the week (or not "summary")
 * takes them from a subject tag naming the same group of the same
 * circle: "[Atlas G1 W3]" to atlas+g1@.
 */
static void subject_week(struct placement *pl, struct mg_store *st,
                         uint64_t epoch, const char *subject)
{
    struct mg_note_target tag;
    struct route_circle *c = NULL;

    if ((pl->target.week && pl->target.summary) ||
        mg_notes_parse_subject(&tag, subject) < 0 ||
        tag.group != pl->target.group)
        return;
    if (strcmp(tag.circle, pl->target.circle) != 0) {
        if (find_circle(&c, st, epoch, tag.circle) < 0)
            return;
        pthread_mutex_lock(&route.lock);
        if (c->id != pl->rc->id)
            tag.group = 0;
        route_circle_unref(c);
        pthread_mutex_unlock(&route.lock);
        if (!tag.group)
            return;
    }
    if (!pl->target.week)
        pl->target.week = tag.week;
    if (tag.summary)
        pl->target.summary = 1;
}

/*
 * Which circle and group: address, subject tag, then membership. The
 * addresses are read from recipient *next on, and *next is left after
 * the one that named a group (a message to two groups is filed in
 * each); from the second call on, only an address counts, and none
 * leaves pl->recipient NULL.
 */
static int place(struct placement *pl, struct mg_store *st, uint64_t epoch,
                 const struct mg_inbound *m, const struct mg_member_hit *hits,
                 size_t n_hits, size_t *next)
{
    const struct mg_member_hit *only = NULL;
    size_t i, grouped = 0, start = *next;
    int rc, named = 0;

    for (i = start; i < m->n_recipients && !named; i++) {
        if (mg_notes_parse_address(&pl->target, m->recipients[i]) == 0) {
            named = 1;
            pl->recipient = m->recipients[i];
        }
    }
    *next = i;
    if (!named && start > 0)
        return 0;
    if (!named && m->subject &&
        mg_notes_parse_subject(&pl->target, m->subject) == 0)
        named = 1;
    if (named) {
        rc = find_circle(&pl->rc, st, epoch, pl->target.circle);
        if (rc == MG_ENOTFOUND) {
            snprintf(pl->reason, sizeof(pl->reason), "no circle called '%s'",
                     pl->target.circle);
            return 0;
        }
        if (rc < 0)
            return rc;
    } else {
        for (i = 0; i < n_hits; i++) {
            if (hits[i].active && hits[i].group_id) {
                grouped++;
                only = &hits[i];
            }
        }
        if (grouped != 1) {
            snprintf(pl->reason, sizeof(pl->reason), "%s",
                     grouped ? "the sender is in several groups and the "
                               "message names none"
                             : "the message names no group and the sender "
                               "is in none");
            return 0;
        }
        rc = route_circle_get(&pl->rc, st, epoch, only->circle_id);
        if (rc < 0)
            return rc;
    }
    pl->circle = pl->rc->circle;
    if (pl->recipient && m->subject)
        subject_week(pl, st, epoch, m->subject);
    for (i = 0; i < pl->rc->n_groups; i++) {
        if (named ? pl->rc->groups[i].position == pl->target.group
                  : pl->rc->groups[i].id == only->group_id)
            pl->group = &pl->rc->groups[i];
    }
    for (i = 0; i < n_hits; i++)
        if (hits[i].circle_id == pl->circle->id)
            pl->sender = &hits[i];
    if (!pl->group)
        snprintf(pl->reason, sizeof(pl->reason), "'%s' has no group %d",
                 pl->target.circle, pl->target.group);
    return 0;
}

static int is_organizer(const struct placement *pl, const char *from)
{
    const char *org = pl->circle ? pl->circle->organizer_email : NULL;

    return org && from && strcasecmp(org, from) == 0;
}

/* Whether the sender may post to the group: a member of it, or the
 * circle's organizer. Fills the reason otherwise. */
static int may_post(struct placement *pl, const char *from)
{
    if (pl->sender && pl->sender->active &&
        pl->sender->group_id == pl->group->id)
        return 1;
    if (is_organizer(pl, from))
        return 1;
    snprintf(pl->reason, sizeof(pl->reason), "%s",
             pl->sender ? "the sender is not a member of this group"
                        : "the sender is not in this circle");
    return 0;
}

/*
 * The reply prefixes mail clients put before a subject, in the
 * languages they are seen in ("Re:", Outlook's "AW:", "SV:", "Antw:",
 * "Réf.", "Odp:", "RES:", "YNT:", "Отв:", "回复:" ...), compared without
 * regard to ASCII case. A forward's ("Fwd:", "FW:", "WG:", "TR:",
 * "Doorst:", "RV:", "I:") is none of them: a forwarded message is new.
 */
static const char *const reply_words[] = {"re",
                                          "aw",
                                          "sv",
                                          "antw",
                                          "antwort",
                                          "r\xc3\xa9"
                                          "f",
                                          "r\xc3\x89"
                                          "f",
                                          "ref",
                                          "rif",
                                          "r",
                                          "odp",
                                          "odg",
                                          "res",
                                          "ynt",
                                          "atb",
                                          "\xd0\xbe\xd1\x82\xd0\xb2", /* отв */
                                          "\xd0\x9e\xd1\x82\xd0\xb2", /* Отв */
                                          "\xd0\x9e\xd0\xa2\xd0\x92", /* ОТВ */
                                          "\xce\x91\xce\xa0",         /* ΑΠ */
                                          "\xce\x91\xcf\x80",         /* Απ */
                                          "\xe5\x9b\x9e\xe5\xa4\x8d", /* 回复 */
                                          "\xe5\x9b\x9e\xe8\xa6\x86", /* 回覆 */
                                          "\xe7\xad\x94\xe5\xa4\x8d", /* 答复 */
                                          "\xd8\xb1\xd8\xaf",         /* رد */
                                          NULL};

/* The end of prefix word `w` and its separator at `p` ("Re:", "RE :",
 * "Re[2]:", "Réf." and "回复：" alike), or NULL. */
static const char *reply_prefix(const char *p, const char *w)
{
    size_t n = strlen(w);

    if (strncasecmp(p, w, n) != 0)
        return NULL;
    p += n;
    if (isalpha((unsigned char)*p) || (unsigned char)*p >= 0x80) {
        if (strncmp(p, "\xef\xbc\x9a", 3) != 0) /* a fullwidth colon */
            return NULL;
    }
    if (*p == '[' || *p == '(') { /* "Re[2]:" "Re(3):" */
        char close = *p == '[' ? ']' : ')';

        p++;
        while (isdigit((unsigned char)*p))
            p++;
        if (*p++ != close)
            return NULL;
    }
    while (*p == ' ')
        p++;
    /* the French "Réf." (and its unaccented spelling) ends in a dot */
    if (*p == ':' || (*p == '.' && n >= 3 && w[n - 1] == 'f'))
        return p + 1;
    if (strncmp(p, "\xef\xbc\x9a", 3) == 0)
        return p + 3;
    return NULL;
}

/*
 * A reply, whoever sends it and whatever its subject says: an
 * In-Reply-To or References header, or a subject that begins (after any
 * "[tags]") with a reply prefix.
 */
static int is_reply(const struct mg_inbound *m)
{
    const char *p = m->subject;
    size_t i;

    if ((m->in_reply_to && m->in_reply_to[0]) ||
        (m->references && m->references[0]))
        return 1;
    if (!p)
        return 0;
    for (;;) {
        while (isspace((unsigned char)*p))
            p++;
        if (*p != '[' || !strchr(p, ']'))
            break;
        p = strchr(p, ']') + 1;
    }
    for (i = 0; reply_words[i]; i++)
        if (reply_prefix(p, reply_words[i]))
            return 1;
    return 0;
}

/* What filing one message shares between the groups it reaches. */
struct filing {
    struct mg_store *st;
    const char *provider;
    const struct mg_inbound *m;
    size_t attachment_cap;
    int64_t circle_id; /* mg_notes_hold()'s */
    const char *hold;
    char *from;    /* normalised, or NULL */
    char *subject; /* one line */
    char identity[72];
};

/* A subject as one line (a JSON payload or an edit may hold line
 * breaks): a copy, or NULL. */
static char *one_line(const char *s)
{
    char *out = s ? mg_xstrdup(s) : NULL;

    mg_mail_one_line(out);
    return out;
}

static int by_string(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * What a message is, whichever group it is filed in: its Message-ID;
 * without one, the provider's id of the delivery; without either, a
 * digest of its sender, recipients, date, subject and text (a provider
 * retrying a message without a Message-ID posts the same again).
 */
static void message_identity(char *out, size_t n, const char *provider,
                             const struct mg_inbound *m, const char *from,
                             const char *subject)
{
    struct mg_buf b = MG_BUF_INIT;
    char sha[65], date[32];
    char **to;
    size_t i;

    if (m->message_id && *m->message_id) {
        mg_buf_puts(&b, "message-id\n");
        mg_buf_puts(&b, m->message_id);
    } else if (m->event_id && *m->event_id) {
        mg_buf_puts(&b, "event\n");
        mg_buf_puts(&b, provider);
        mg_buf_puts(&b, "\n");
        mg_buf_puts(&b, m->event_id);
    } else {
        mg_buf_puts(&b, "mail\n");
        mg_buf_puts(&b, from ? from : "");
        to = mg_xcalloc(m->n_recipients + 1, sizeof(*to));
        for (i = 0; i < m->n_recipients; i++)
            to[i] = m->recipients[i];
        qsort(to, m->n_recipients, sizeof(*to), by_string);
        for (i = 0; i < m->n_recipients; i++) {
            mg_buf_puts(&b, i ? "," : "\n");
            mg_buf_puts(&b, to[i]);
        }
        free(to);
        snprintf(date, sizeof(date), "\n%lld\n", (long long)m->date);
        mg_buf_puts(&b, date);
        mg_buf_puts(&b, subject ? subject : "");
        mg_buf_puts(&b, "\n");
        mg_buf_puts(&b, m->text ? m->text : m->html ? m->html : "");
    }
    mg_sha256_hex(sha, b.data ? b.data : "", b.len);
    mg_buf_release(&b);
    snprintf(out, n, "%s", sha);
}

/* The key a note is stored once by: the message's identity and the
 * address it was filed by (one note in each group it reached). */
static void dedupe_key(char *out, size_t n, const struct filing *f,
                       const struct placement *pl)
{
    char *text =
        mg_xasprintf("%s\n%s", f->identity, pl->recipient ? pl->recipient : "");
    char sha[65];

    mg_sha256_hex(sha, text, strlen(text));
    free(text);
    snprintf(out, n, "sha256:%s", sha);
}

/* File the message where `pl` placed it. */
static int file_placement(int64_t *note_id, enum mg_note_outcome *outcome,
                          const struct filing *f, struct placement *pl)
{
    const struct mg_inbound *m = f->m;
    const char *from = f->from, *hold = f->hold;
    struct mg_note n;
    char key[80];
    size_t i;
    int rc, duplicate = 0, published = 0, allowed = 0, week_out = 0;
    /* Anyone can write any From: mail no one vouches for is kept for
     * review with the verdict, its kind as if it had been published. */
    int vouched = m->auth == MG_AUTH_PASS || m->auth == MG_AUTH_OFF;
    char *unvouched = NULL;

    memset(&n, 0, sizeof(n));
    if (pl->group && !from)
        snprintf(pl->reason, sizeof(pl->reason), "%s",
                 "the message has no readable From address");
    else if (pl->group && may_post(pl, from))
        allowed = 1;
    published = allowed && !hold && vouched;
    if (pl->circle)
        n.circle_id = pl->circle->id;
    if (hold && f->circle_id && f->circle_id != n.circle_id) {
        /* kept where the coordinator of `circle_id` sees it */
        n.circle_id = f->circle_id;
        pl->group = NULL;
    }
    if (pl->group) {
        n.group_id = pl->group->id;
        n.thread_id = pl->group->thread_id;
        n.week = pl->target.week ? pl->target.week
                                 : week_at(f->st, pl->rc,
                                           (size_t)(pl->group - pl->rc->groups),
                                           m->date ? m->date : mg_now());
        /* (0: the group has no calls yet, so no week; kept as before) */
        if (n.week < 0 ||
            (pl->circle->weeks > 0 && n.week > pl->circle->weeks)) {
            /* no digest could show it: the coordinator picks the week */
            snprintf(pl->reason, sizeof(pl->reason),
                     "week %d is outside the circle's weeks (1 to %d)", n.week,
                     pl->circle->weeks);
            n.week = 0;
            published = 0;
            week_out = 1;
        }
    }
    if (!vouched)
        unvouched =
            mg_xasprintf("%s%ssender not authenticated: %s",
                         allowed && !week_out ? "" : pl->reason,
                         (allowed && !week_out) || !pl->reason[0] ? "" : "; ",
                         m->auth_why ? m->auth_why : "no verdict");
    if (pl->sender)
        n.participant_id = pl->sender->participant_id;
    /* A reply is a note, whoever sends it; a summary is a new message
     * sent as one ("-summary" address or tag), or one by the group's
     * facilitator or the circle's organizer. */
    snprintf(n.kind, sizeof(n.kind), "%s",
             !hold && !is_reply(m) &&
                     (pl->target.summary ||
                      (allowed && (is_organizer(pl, from) ||
                                   (pl->sender && pl->sender->facilitator))))
                 ? "summary"
                 : "note");
    n.status = published ? MG_STORE_NOTE_PUBLISHED : MG_STORE_NOTE_REVIEW;
    n.review_reason = published   ? NULL
                      : hold      ? (char *)hold
                      : unvouched ? unvouched
                                  : pl->reason;
    n.provider = (char *)f->provider;
    n.event_id = m->event_id;
    n.message_id = m->message_id;
    dedupe_key(key, sizeof(key), f, pl);
    n.dedupe_key = key;
    n.in_reply_to = m->in_reply_to;
    n.from_name = m->from_name;
    n.from_email = from ? (char *)from : (char *)"";
    n.recipient = (char *)(pl->recipient     ? pl->recipient
                           : m->n_recipients ? m->recipients[0]
                                             : NULL);
    n.subject = f->subject;
    n.full_text = m->text;
    n.body = mg_mail_strip_reply(m->text ? m->text : "");
    if (!n.body[0] && m->stripped && m->stripped[0]) {
        free(n.body);
        n.body = mg_mail_strip_reply(m->stripped);
    }
    n.raw = m->raw;
    n.raw_len = m->raw_len;
    n.sent_at = m->date;
    n.received_at = mg_now();
    n.n_attachments = m->n_attachments;
    n.attachments = mg_xcalloc(m->n_attachments + 1, sizeof(*n.attachments));
    for (i = 0; i < m->n_attachments; i++) {
        const struct mg_attachment *a = &m->attachments[i];

        n.attachments[i].name = a->name;
        n.attachments[i].type = a->type;
        n.attachments[i].size = (int64_t)a->size;
        n.attachments[i].content =
            a->data && a->size <= f->attachment_cap ? a->data : NULL;
    }
    rc = mg_store_note_insert(note_id, &duplicate, f->st, &n);
    if (rc == 0)
        *outcome = duplicate   ? MG_NOTE_DUPLICATE
                   : published ? MG_NOTE_FILED
                               : MG_NOTE_REVIEW;
    free(n.body);
    free(n.attachments); /* the strings are m's */
    free(unvouched);
    return rc;
}

/* Whether `pl` reaches a group (or, unresolved, names one) that an
 * earlier placement of the same message reached. */
static int placed_before(const struct placement *pl,
                         const struct mg_note_target *seen,
                         const int64_t *seen_group, size_t n_seen)
{
    size_t i;

    for (i = 0; i < n_seen; i++) {
        if (pl->group ? seen_group[i] == pl->group->id
                      : !seen_group[i] && seen[i].group == pl->target.group &&
                            strcmp(seen[i].circle, pl->target.circle) == 0)
            return 1;
    }
    return 0;
}

/*
 * mg_notes_file(), or with `hold` (a reason) mg_notes_hold(): filed in
 * each group the recipients' addresses name, once each (a held message
 * once, where the first names). *note_id is the first note; *outcome is
 * FILED if any was published, else REVIEW if any is new, else DUPLICATE.
 */
static int file_message(int64_t *note_id, enum mg_note_outcome *outcome,
                        struct mg_store *st, const char *provider,
                        const struct mg_inbound *m, size_t attachment_cap,
                        int64_t circle_id, const char *hold)
{
    struct mg_member_hit *hits = NULL;
    struct mg_note_target *seen = NULL;
    int64_t *seen_group = NULL;
    struct filing f;
    size_t n_hits = 0, next = 0, n_seen = 0;
    uint64_t epoch;
    int rc = 0, any = 0;

    memset(&f, 0, sizeof(f));
    f.st = st;
    f.provider = provider;
    f.m = m;
    f.attachment_cap = attachment_cap;
    f.circle_id = circle_id;
    f.hold = hold;
    f.from = m->from_email ? mg_email_normalize(m->from_email) : NULL;
    f.subject = one_line(m->subject);
    message_identity(f.identity, sizeof(f.identity), provider, m, f.from,
                     f.subject);
    *note_id = 0;
    *outcome = MG_NOTE_DUPLICATE;
    pthread_mutex_lock(&route.lock);
    epoch = route_check(st);
    pthread_mutex_unlock(&route.lock);
    rc = f.from ? route_members(&hits, &n_hits, st, epoch, f.from) : 0;
    seen = mg_xcalloc(m->n_recipients + 1, sizeof(*seen));
    seen_group = mg_xcalloc(m->n_recipients + 1, sizeof(*seen_group));
    while (rc == 0) {
        struct placement pl;
        enum mg_note_outcome one = MG_NOTE_DUPLICATE;
        int64_t id = 0;

        memset(&pl, 0, sizeof(pl));
        rc = place(&pl, st, epoch, m, hits, n_hits, &next);
        if (rc == 0 && any && !pl.recipient) {
            placement_release(&pl);
            break;
        }
        if (rc == 0 && !placed_before(&pl, seen, seen_group, n_seen)) {
            rc = file_placement(&id, &one, &f, &pl);
            if (rc == 0) {
                if (!*note_id)
                    *note_id = id;
                if (one == MG_NOTE_FILED ||
                    (one == MG_NOTE_REVIEW && *outcome != MG_NOTE_FILED))
                    *outcome = one;
                seen[n_seen] = pl.target;
                seen_group[n_seen++] = pl.group ? pl.group->id : 0;
            }
        }
        placement_release(&pl);
        any = 1;
        if (hold || !pl.recipient || next >= m->n_recipients)
            break;
    }
    free(seen);
    free(seen_group);
    mg_store_member_hits_free(hits, n_hits);
    free(f.from);
    free(f.subject);
    return rc;
}

int mg_notes_file(int64_t *note_id, enum mg_note_outcome *outcome,
                  struct mg_store *st, const char *provider,
                  const struct mg_inbound *m, size_t attachment_cap)
{
    return file_message(note_id, outcome, st, provider, m, attachment_cap, 0,
                        NULL);
}

int mg_notes_hold(int64_t *note_id, enum mg_note_outcome *outcome,
                  struct mg_store *st, const char *provider,
                  const struct mg_inbound *m, size_t attachment_cap,
                  int64_t circle_id, const char *reason)
{
    return file_message(note_id, outcome, st, provider, m, attachment_cap,
                        circle_id, reason && *reason ? reason : "held");
}

void mg_notes_digest_key(char *out, size_t n, int64_t circle_id, int week)
{
    snprintf(out, n, "digest-%lld-w%d", (long long)circle_id, week);
}

int mg_notes_digest_sent(int *sent, struct mg_store *st, int64_t circle_id,
                         int week)
{
    char key[64];

    mg_notes_digest_key(key, sizeof(key), circle_id, week);
    return mg_store_outbox_has(sent, st, key);
}

int mg_notes_summary_edit(int *week, struct mg_store *st, int64_t circle_id,
                          int64_t participant_id, int64_t note_id,
                          const char *subject, const char *text)
{
    struct mg_note n;
    char *body = NULL, *line = NULL;
    int sent = 0;
    int rc = mg_store_note_get(&n, st, note_id, 0);

    if (rc < 0)
        return rc;
    if (n.circle_id != circle_id || n.participant_id != participant_id ||
        strcmp(n.kind, "summary") != 0 || n.status != MG_STORE_NOTE_PUBLISHED)
        rc = MG_ENOTFOUND;
    if (rc == 0)
        rc = mg_notes_digest_sent(&sent, st, circle_id, n.week);
    if (rc == 0 && sent)
        rc = MG_ECONFLICT;
    if (rc == 0) {
        body = mg_mail_strip_reply(text);
        line = one_line(subject);
        rc = mg_store_note_revise(st, note_id, line, body, text);
    }
    if (rc == 0 && week)
        *week = n.week;
    free(line);
    free(body);
    mg_store_note_release(&n);
    return rc;
}
