/*
 * calendar.c: sessions from slots, feeds, and keeping invitations in
 * step with the groups. A group's calls are one weekly series; what a
 * member was last sent is kept on their invite (sequence, and the series
 * as sent, so a CANCEL can still be made after the group is gone).
 */
#include "mingle/calendar.h"
#include "mingle/i18n.h"
#include "mingle/jobs.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mingle/ical.h"
#include "mingle/mail.h"
#include "mingle/plenary.h"
#include "mingle/schedule.h"

#include "banned.h"

static const struct mg_slot *group_slot(const struct mg_plan_view *v,
                                        const struct mg_group_row *g)
{
    size_t i;

    for (i = 0; i < v->circle->n_slots; i++)
        if (v->circle->slots[i].id == g->slot_id)
            return &v->circle->slots[i];
    return v->circle->n_slots ? &v->circle->slots[0] : NULL;
}

static const char *thread_title(const struct mg_plan_view *v, int64_t id)
{
    size_t i;

    for (i = 0; i < v->n_threads; i++)
        if (v->threads[i].id == id)
            return v->threads[i].title;
    return NULL;
}

/*
 * Where group `group_id`'s sessions start in `all` (a circle's sessions
 * sorted by group, as mg_store_sessions_for_circle gives them); *n how
 * many there are (0: none).
 */
static const struct mg_session_row *
sessions_of(size_t *n, const struct mg_session_row *all, size_t n_all,
            int64_t group_id)
{
    size_t lo = 0, hi = n_all, end;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (all[mid].group_id < group_id)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (end = lo; end < n_all && all[end].group_id == group_id; end++)
        ;
    *n = end - lo;
    return &all[lo];
}

int mg_calendar_create_sessions(struct mg_store *st, int64_t circle_id)
{
    struct mg_plan_view v;
    struct mg_session_row *rows = NULL, *have = NULL;
    int64_t *starts = NULL; /* per slot and week, computed once */
    size_t i, n = 0, weeks, n_have = 0;
    int rc = mg_store_plan_load(&v, st, circle_id);

    if (rc < 0)
        return rc;
    /* Which groups have sessions already: one query for the circle. */
    rc = mg_store_sessions_for_circle(&have, &n_have, st, circle_id);
    weeks = (size_t)v.circle->weeks;
    starts = mg_xcalloc(v.circle->n_slots * weeks + 1, sizeof(*starts));
    for (i = 0; rc == 0 && i < v.circle->n_slots * weeks; i++) {
        const struct mg_slot *slot = &v.circle->slots[i / weeks];
        rc = mg_schedule_session_start(
            &starts[i], v.circle->time_zone, v.circle->start_date,
            (int)(i % weeks) + 1, slot->weekday, slot->start_minute, NULL);
    }
    rows = mg_xcalloc(v.n_groups * weeks + 1, sizeof(*rows));
    for (i = 0; rc == 0 && i < v.n_groups; i++) {
        const struct mg_slot *slot = group_slot(&v, &v.groups[i]);
        size_t had, s, w;

        sessions_of(&had, have, n_have, v.groups[i].id);
        if (had > 0 || !slot)
            continue;
        s = (size_t)(slot - v.circle->slots);
        for (w = 0; w < weeks; w++, n++) {
            rows[n].group_id = v.groups[i].id;
            rows[n].week = (int)w + 1;
            rows[n].minutes = slot->minutes;
            rows[n].starts_at = starts[s * weeks + w];
            rows[n].original_starts_at = rows[n].starts_at;
        }
    }
    /* One transaction for the whole circle, not one per group. */
    if (rc == 0 && n)
        rc = mg_store_sessions_insert(st, circle_id, rows, n);
    if (rc == 0 && n) {
        /* their reminders and the mail after each call (jobs.h) */
        int64_t *ids = mg_xcalloc(n, sizeof(*ids));
        for (i = 0; i < n; i++)
            ids[i] = rows[i].id;
        rc = mg_jobs_sessions_added(st, circle_id, ids, n);
        free(ids);
    }
    free(rows);
    free(have);
    free(starts);
    mg_store_plan_release(&v);
    return rc;
}

/* The instant showing in `new_tz` the wall time `t` showed in `old_tz`. */
static int same_wall_time(int64_t *out, const char *old_tz, const char *new_tz,
                          int64_t t)
{
    struct mg_local_time lt;
    int rc = mg_schedule_utc_to_local(&lt, old_tz, t, NULL);

    if (rc == 0)
        rc = mg_schedule_local_to_utc(out, new_tz, &lt, NULL);
    return rc;
}

int mg_calendar_rezone(size_t *changed, struct mg_store *st,
                       struct mg_circle *next, int64_t now)
{
    struct mg_plan_view v;
    struct mg_session_row *have = NULL, *rows = NULL;
    size_t n_have = 0, n = 0, i, j;
    int rc = mg_store_plan_load(&v, st, next->id);

    *changed = 0;
    if (rc < 0)
        return rc;
    rc = mg_store_sessions_for_circle(&have, &n_have, st, next->id);
    rows = mg_xcalloc(n_have + 1, sizeof(*rows));
    for (i = 0; rc == 0 && i < v.n_groups; i++) {
        const struct mg_slot *slot = group_slot(&v, &v.groups[i]);
        const struct mg_session_row *mine;
        size_t had, before = n;

        mine = sessions_of(&had, have, n_have, v.groups[i].id);
        for (j = 0; slot && rc == 0 && j < had; j++) {
            struct mg_session_row r = mine[j];

            /* The rule, made again the way the sessions are made. */
            rc = mg_schedule_session_start(
                &r.original_starts_at, next->time_zone, next->start_date,
                r.week, slot->weekday, slot->start_minute, NULL);
            if (rc < 0)
                break;
            if (mine[j].starts_at <= now)
                r.starts_at = mine[j].starts_at; /* held: as it was */
            else if (mine[j].starts_at == mine[j].original_starts_at)
                r.starts_at = r.original_starts_at;
            else
                rc = same_wall_time(&r.starts_at, v.circle->time_zone,
                                    next->time_zone, mine[j].starts_at);
            if (r.starts_at != mine[j].starts_at ||
                r.original_starts_at != mine[j].original_starts_at)
                rows[n++] = r;
        }
        if (n > before)
            *changed += 1;
    }
    /* The circle and its calls in one transaction: a failure leaves
     * both as they were. */
    if (rc == 0)
        rc = mg_store_circle_update_retimed(st, next, rows, n);
    if (rc < 0)
        *changed = 0;
    free(rows);
    free(have);
    mg_store_plan_release(&v);
    return rc;
}

const struct mg_span *mg_calendar_reading(const struct mg_span *same,
                                          size_t n_same,
                                          const struct mg_span *per_thread,
                                          size_t n_per_thread,
                                          int64_t thread_id, int week)
{
    size_t i;
    int thread_plan = 0;

    for (i = 0; thread_id && i < n_per_thread; i++)
        if (per_thread[i].thread_id == thread_id)
            thread_plan = 1;
    if (thread_plan) {
        for (i = 0; i < n_per_thread; i++)
            if (per_thread[i].thread_id == thread_id &&
                per_thread[i].position == week)
                return &per_thread[i];
        return NULL;
    }
    for (i = 0; i < n_same; i++)
        if (same[i].position == week)
            return &same[i];
    return NULL;
}

/* "Week 1: first ... last" lines for the group's readings. */
static void describe(struct mg_buf *b, const struct mg_plan_view *v,
                     const struct mg_group_row *g, const char *link)
{
    const struct mg_span *list = v->same;
    size_t n = v->n_same, i;
    int thread_plan = 0;

    for (i = 0; g->thread_id && i < v->n_per_thread; i++)
        if (v->per_thread[i].thread_id == g->thread_id)
            thread_plan = 1;
    if (thread_plan) {
        list = v->per_thread;
        n = v->n_per_thread;
    }
    for (i = 0; i < n; i++) {
        if (thread_plan && list[i].thread_id != g->thread_id)
            continue;
        if (list[i].parts > 1)
            mg_buf_printf(b, _("Week %d: %s (part %d of %d)"), list[i].position,
                          list[i].first_title, list[i].part, list[i].parts);
        else if (strcmp(list[i].first_title, list[i].last_title) == 0)
            mg_buf_printf(b, _("Week %d: %s"), list[i].position,
                          list[i].first_title);
        else
            mg_buf_printf(b, _("Week %d: %s ... %s"), list[i].position,
                          list[i].first_title, list[i].last_title);
        mg_buf_puts(b, "\n");
    }
    if (link) {
        mg_buf_puts(b, "\n");
        mg_buf_printf(b, _("Video call: %s"), link);
        mg_buf_puts(b, "\n");
    }
}

/* Group `g`'s call link (mg_calendar_group_call_link) from its room
 * (may be NULL: none stored); the caller frees it. */
static char *group_link(const struct mg_plan_view *v,
                        const struct mg_group_row *g,
                        const struct mg_group_room *room)
{
    return mg_circle_call_link(v->circle, room ? room->call_url : NULL, g->name,
                               g->position, room ? room->secret : "");
}

/* The parts of a series owned by the caller of make_series. */
struct series_store {
    char start[32]; /* the first call, local: "2027-03-23 19:30" */
    struct mg_session_row *sessions;
    size_t n_sessions;
    struct mg_ical_exception *exceptions;
    char *summary;
    char *description;
    char *link; /* the group's call link */
};

static void series_store_release(struct series_store *s)
{
    free(s->sessions);
    free(s->exceptions);
    free(s->summary);
    free(s->description);
    free(s->link);
    memset(s, 0, sizeof(*s));
}

static char *summary_for(const struct mg_plan_view *v,
                         const struct mg_group_row *g)
{
    const char *thread = thread_title(v, g->thread_id);

    if (thread)
        return mg_xasprintf("%s: %s (%s)", v->circle->title, g->name, thread);
    return mg_xasprintf("%s: %s", v->circle->title, g->name);
}

/*
 * The series of group `g`'s calls, as anyone in it sees them. Its
 * sessions come from `all` (a circle's, by group) when given, else from
 * a query of the group's own.
 */
static int make_series_from(struct mg_ical_series *s, struct series_store *keep,
                            struct mg_store *st, const struct mg_plan_view *v,
                            const struct mg_group_row *g,
                            const struct mg_group_room *room,
                            const struct mg_session_row *all, size_t n_all)
{
    struct mg_buf desc = MG_BUF_INIT;
    size_t i, n_exc = 0;
    int rc = 0;

    memset(s, 0, sizeof(*s));
    memset(keep, 0, sizeof(*keep));
    if (all) {
        const struct mg_session_row *mine =
            sessions_of(&keep->n_sessions, all, n_all, g->id);

        keep->sessions =
            mg_xmalloc((keep->n_sessions + 1) * sizeof(*keep->sessions));
        memcpy(keep->sessions, mine,
               keep->n_sessions * sizeof(*keep->sessions));
    } else {
        rc = mg_store_sessions_for_group(&keep->sessions, &keep->n_sessions, st,
                                         g->id);
    }
    if (rc < 0)
        return rc;
    if (keep->n_sessions == 0)
        return MG_ENOTFOUND;
    keep->exceptions = mg_xcalloc(keep->n_sessions, sizeof(*keep->exceptions));
    for (i = 0; i < keep->n_sessions; i++) {
        const struct mg_session_row *r = &keep->sessions[i];
        int cancelled = r->status == MG_STORE_SESSION_CANCELLED;
        if (!cancelled && r->starts_at == r->original_starts_at)
            continue;
        keep->exceptions[n_exc].original_start = r->original_starts_at;
        keep->exceptions[n_exc].start = r->starts_at;
        keep->exceptions[n_exc].minutes = r->minutes;
        keep->exceptions[n_exc].cancelled = cancelled;
        n_exc++;
    }
    keep->link = group_link(v, g, room);
    describe(&desc, v, g, keep->link);
    mg_schedule_local_text(keep->start, sizeof(keep->start),
                           v->circle->time_zone,
                           keep->sessions[0].original_starts_at, ' ');
    keep->summary = summary_for(v, g);
    /* No readings and no video link: no DESCRIPTION at all (an empty
     * one is an error to libical's parser). */
    if (desc.len)
        keep->description = mg_buf_detach(&desc);
    mg_buf_release(&desc);
    s->uid = g->uid;
    s->tzid = v->circle->time_zone;
    s->first_start = keep->sessions[0].original_starts_at;
    if (group_slot(v, g)) {
        /* The rule's wall time: week 1 may have been moved by a gap. */
        s->has_slot_minute = 1;
        s->slot_minute = group_slot(v, g)->start_minute;
    }
    s->minutes = keep->sessions[0].minutes;
    s->count = (int)keep->n_sessions;
    s->sequence = g->sequence;
    s->cancelled = n_exc == keep->n_sessions;
    if (s->cancelled)
        n_exc = 0; /* the whole series: STATUS:CANCELLED says it all */
    s->summary = keep->summary;
    s->description = keep->description;
    s->url = keep->link;
    s->alarm_minutes = mg_circle_alarm(v->circle);
    s->exceptions = keep->exceptions;
    s->n_exceptions = n_exc;
    s->organizer_name = v->circle->organizer_name;
    s->organizer_email = v->circle->organizer_email;
    return 0;
}

static int make_series(struct mg_ical_series *s, struct series_store *keep,
                       struct mg_store *st, const struct mg_plan_view *v,
                       const struct mg_group_row *g,
                       const struct mg_group_room *room)
{
    return make_series_from(s, keep, st, v, g, room, NULL, 0);
}

int mg_calendar_group_call_link(char **out, struct mg_store *st,
                                int64_t circle_id, int64_t group_id)
{
    struct mg_circle *c = NULL;
    struct mg_group_row *g = NULL;
    struct mg_group_room *rooms = NULL;
    size_t n = 0;
    int rc = mg_store_circle_get(&c, st, circle_id);

    *out = NULL;
    if (rc == 0)
        rc = mg_store_group_get(&g, st, circle_id, group_id);
    if (rc == 0)
        rc = mg_store_group_rooms(&rooms, &n, st, circle_id, &group_id, 1);
    if (rc == 0)
        *out = mg_circle_call_link(c, n ? rooms[0].call_url : NULL, g->name,
                                   g->position, n ? rooms[0].secret : "");
    mg_store_group_rooms_free(rooms, n);
    mg_store_groups_free(g, g ? 1 : 0);
    mg_circle_free(c);
    return rc;
}

static int same_text(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

int mg_calendar_links_bump(int64_t **group_ids, size_t *n, struct mg_store *st,
                           const struct mg_circle *before,
                           const struct mg_circle *next)
{
    int templated = next->call_url_template && *next->call_url_template;

    *group_ids = NULL;
    *n = 0;
    /* the template's rooms are named by the slug too */
    if (same_text(before->call_url_template, next->call_url_template) &&
        (!templated || same_text(before->slug, next->slug)) &&
        (templated || same_text(before->video_url, next->video_url)))
        return 0;
    return mg_store_groups_bump_templated(group_ids, n, st, next->id);
}

/*
 * The whole-circle sessions the participant has a place at, appended to
 * their feed's series (plenary.h): one series per plenary, with its UID
 * and the SEQUENCE and words of the invitation that person was sent. The
 * summaries and descriptions appended are the caller's to free().
 */
static int add_plenaries(struct mg_ical_series **series, size_t *n,
                         int64_t *newest, struct mg_plenary_row **plen,
                         size_t *n_plen, struct mg_store *st,
                         const struct mg_plan_view *v, int64_t participant_id)
{
    size_t i;
    int rc = mg_store_plenaries_for_participant(plen, n_plen, st, v->circle->id,
                                                participant_id);

    if (rc < 0 || *n_plen == 0)
        return rc;
    *series = mg_xrealloc(*series, (*n + *n_plen) * sizeof(**series));
    for (i = 0; i < *n_plen; i++) {
        const struct mg_plenary_row *p = &(*plen)[i];
        struct mg_ical_series *s = &(*series)[*n + i];

        memset(s, 0, sizeof(*s));
        s->uid = p->uid;
        s->tzid = v->circle->time_zone;
        s->first_start = p->starts_at;
        s->minutes = p->minutes;
        s->count = p->weeks;
        /* the SEQUENCE of the invitation they hold, so a calendar app
         * that has both copies prefers neither */
        s->sequence =
            p->invite_sequence >= 0 ? p->invite_sequence : p->sequence;
        s->cancelled = p->status == MG_STORE_PLENARY_CANCELLED;
        s->summary = mg_plenary_summary(v->circle->title, p->title, p->guest);
        /* as the invitation words it (src/plenary/invite.c) */
        s->description = mg_plenary_description(
            p->guest, mg_plenary_call_link(p->call_url, v->circle->video_url));
        s->url = mg_plenary_call_link(p->call_url, v->circle->video_url);
        s->alarm_minutes = mg_circle_alarm(v->circle);
        s->organizer_name = v->circle->organizer_name;
        s->organizer_email = v->circle->organizer_email;
        if (p->created_at > *newest)
            *newest = p->created_at;
    }
    *n += *n_plen;
    return 0;
}

/*
 * A member's feed shows their group's series as their invitation has it:
 * its UID (a member invited before series shared their group's UID keeps
 * the one they were sent) and its SEQUENCE, or the one the next REQUEST
 * will carry when the calls changed since (reconcile's "up to date"
 * test), so a calendar app that has both copies sees one event and
 * prefers neither. Not invited yet: the group's UID and SEQUENCE, as the
 * first invitation will have them. `inv` keeps the UID the series points
 * to.
 */
static int as_invited(struct mg_ical_series *s, struct mg_invite_row *inv,
                      struct mg_store *st, const struct mg_group_row *g,
                      int64_t participant_id)
{
    int rc = mg_store_invite_for(inv, st, g->id, participant_id);

    if (rc == MG_ENOTFOUND)
        return 0; /* the group's UID and SEQUENCE, as the first REQUEST */
    if (rc < 0)
        return rc;
    if (inv->uid[0])
        s->uid = inv->uid;
    s->sequence = inv->sequence;
    if (inv->state != MG_STORE_INVITE_ACTIVE ||
        inv->group_sequence < g->sequence)
        s->sequence++;
    return 0;
}

/*
 * The feed of `series`. A whole cancelled series (a group's or a
 * plenary's) is left out: most readers would still show a cancelled
 * VEVENT. A series the feed cannot hold is left out too (and logged)
 * rather than costing the others their calls: a feed always renders.
 */
static int feed_render(char **out, const char *name,
                       const struct mg_ical_series *series, size_t n,
                       int64_t newest, int64_t circle_id, struct mg_error *err)
{
    struct mg_ical_series *live = mg_xcalloc(n + 1, sizeof(*live));
    char circle[24];
    size_t i, k = 0, m = 0;
    int rc;

    for (i = 0; i < n; i++)
        if (!series[i].cancelled)
            live[m++] = series[i];
    rc = mg_ical_feed(out, name, live, m, newest, err);
    if (rc != MG_EINVAL || m == 0)
        goto out;
    snprintf(circle, sizeof(circle), "%lld", (long long)circle_id);
    for (i = 0; i < m; i++) {
        struct mg_error one = {{0}, {0}};
        char *alone = NULL;

        if (mg_ical_feed(&alone, name, &live[i], 1, newest, &one) == 0)
            live[k++] = live[i];
        else
            mg_log(MG_LOG_ERROR, "a series left out of a feed", "circle",
                   circle, "uid", live[i].uid ? live[i].uid : "", "error",
                   one.message, NULL);
        free(alone);
    }
    rc = mg_ical_feed(out, name, live, k, newest, err);
out:
    free(live);
    return rc;
}

int mg_calendar_feed(char **out, int64_t *last_modified, struct mg_store *st,
                     int64_t circle_id, int64_t participant_id,
                     int64_t group_id, struct mg_error *err)
{
    struct mg_plan_view v;
    struct mg_ical_series *series = NULL;
    struct series_store *keep = NULL;
    struct mg_participant *p = NULL;
    struct mg_plenary_row *plen = NULL;
    struct mg_invite_row inv;
    struct mg_group_room *rooms = NULL;
    char *name = NULL, *body = NULL, lang[MG_I18N_LANG_MAX];
    char sha[65];
    size_t i, n = 0, n_plen = 0, n_rooms = 0;
    int64_t newest = 0;
    int rc = mg_store_plan_load(&v, st, circle_id);

    if (rc < 0)
        return rc;
    /* The readings in the events' descriptions are the circle's words. */
    mg_i18n_switch(lang, mg_circle_language(v.circle));
    if (participant_id) {
        rc = mg_store_participant_get(&p, st, circle_id, participant_id);
        if (rc < 0)
            goto out;
        if (p->status != MG_STATUS_WITHDRAWN && p->status != MG_STATUS_PENDING)
            group_id = p->group_id;
        else
            group_id = 0;
    }
    series = mg_xcalloc(v.n_groups + 1, sizeof(*series));
    keep = mg_xcalloc(v.n_groups + 1, sizeof(*keep));
    newest = v.circle->updated_at;
    if (group_id && (rc = mg_store_group_rooms(&rooms, &n_rooms, st, circle_id,
                                               &group_id, 1)) < 0)
        goto out;
    for (i = 0; i < v.n_groups; i++) {
        const struct mg_group_row *g = &v.groups[i];
        if (!group_id || g->id != group_id)
            continue;
        rc = make_series(&series[n], &keep[n], st, &v, g,
                         mg_store_group_room_find(rooms, n_rooms, g->id));
        if (rc == MG_ENOTFOUND) {
            rc = 0;
            continue;
        }
        if (rc < 0)
            goto out;
        if (participant_id)
            rc = as_invited(&series[n], &inv, st, g, participant_id);
        if (rc < 0)
            goto out;
        if (g->updated_at > newest)
            newest = g->updated_at;
        if (!name)
            name = summary_for(&v, g);
        n++;
    }
    if (p && p->status != MG_STATUS_WITHDRAWN &&
        p->status != MG_STATUS_PENDING) {
        rc = add_plenaries(&series, &n, &newest, &plen, &n_plen, st, &v,
                           participant_id);
        if (rc < 0)
            goto out;
    }
    rc = feed_render(&body, name ? name : v.circle->title, series, n, newest,
                     circle_id, err);
    if (rc < 0)
        goto out;
    /* Last-Modified: since when this very body is served. Derived from
     * the rows it shows it would go back when a row drops out (a
     * withdrawal, a plenary declined) and could not tell apart two
     * bodies of the same second. */
    mg_sha256_hex(sha, body, strlen(body));
    rc = mg_store_feed_mark(last_modified, st, circle_id, participant_id,
                            participant_id ? 0 : group_id, sha, mg_now());
    if (rc < 0) {
        /* the write lock held too long (the store logged it): the feed
         * is still served, with no date to be compared with (its ETag
         * still works) */
        *last_modified = 0;
        rc = 0;
    }
    *out = body;
    body = NULL;
out:
    free(body);
    for (i = 0; series && i < n_plen; i++) {
        free((char *)series[n - n_plen + i].summary);
        free((char *)series[n - n_plen + i].description);
    }
    mg_store_plenaries_free(plen, n_plen);
    mg_store_group_rooms_free(rooms, n_rooms);
    for (i = 0; keep && i <= v.n_groups; i++)
        series_store_release(&keep[i]);
    free(keep);
    free(series);
    free(name);
    mg_participants_free(p, p ? 1 : 0);
    mg_store_plan_release(&v);
    mg_i18n_restore(lang);
    return rc;
}

int mg_calendar_parse_feed_token(char *public_id,
                                 unsigned char hash[MG_TOKEN_HASH_LEN],
                                 const char *token)
{
    char api[MG_TOKEN_LEN + 1];
    size_t i;

    /* A feed token is the API token's two hex parts without separators. */
    if (strlen(token) != MG_TOKEN_ID_LEN + MG_TOKEN_SECRET_LEN)
        return MG_EAUTH;
    for (i = 0; token[i]; i++)
        if (!((token[i] >= '0' && token[i] <= '9') ||
              (token[i] >= 'a' && token[i] <= 'f')))
            return MG_EAUTH;
    snprintf(api, sizeof(api), "mgt_%.*s_%s", MG_TOKEN_ID_LEN, token,
             token + MG_TOKEN_ID_LEN);
    return mg_auth_token_parse(public_id, hash, api);
}

int mg_calendar_feed_token(char *token, struct mg_store *st, int64_t circle_id,
                           int64_t participant_id, int64_t group_id)
{
    char api[MG_TOKEN_LEN + 1], id[MG_TOKEN_ID_LEN + 1];
    unsigned char hash[MG_TOKEN_HASH_LEN];

    mg_auth_token_new(api, id, hash);
    /* mgt_<id>_<secret> -> <id><secret> */
    snprintf(token, MG_TOKEN_ID_LEN + MG_TOKEN_SECRET_LEN + 1, "%s%s", id,
             api + 5 + MG_TOKEN_ID_LEN);
    return mg_store_feed_token_set(st, id, hash, circle_id, participant_id,
                                   group_id);
}

/* What an action owns, freed after the store has it, and what its mail
 * is built from. */
struct owned {
    char *subject, *message, *parts, *dedupe, *uid;
    const struct mg_participant *p;
    const struct mg_ical_series *s; /* REQUEST: the group's series */
    const char *start;              /* REQUEST: its first call, local */
    struct mg_ical_series gone;     /* CANCEL: the series as last sent */
    int cancel;
    int series_cancelled; /* CANCEL: the group's calls, not the member */
    int rc;
    struct mg_error err;
};

/* A build thread's iTIP message, prepared once for a run of members of
 * the same group (members are taken group by group). */
struct prepared {
    const struct mg_ical_series *series;
    struct mg_itip *itip;
};

/* Build the invitation for one member: its iTIP document and the other
 * parts of the mail, which the sender assembles (see mail.h). */
static int build_mail(struct mg_invite_action *a, struct owned *o,
                      struct prepared *pre, const struct mg_plan_view *v,
                      struct mg_error *err)
{
    const struct mg_ical_series *s = o->cancel ? &o->gone : o->s;
    const struct mg_participant *p = o->p;
    struct mg_ical_attendee att;
    struct mg_buf text = MG_BUF_INIT;
    struct mg_imip m;
    char *ics = NULL;
    int rc = 0;

    /* A CANCEL's series is the member's own; a REQUEST's is the group's. */
    if (o->cancel || pre->series != s || !pre->itip) {
        mg_ical_itip_free(pre->itip);
        pre->itip = NULL;
        pre->series = NULL;
        rc = mg_ical_itip_prepare(&pre->itip,
                                  o->cancel ? MG_ITIP_CANCEL : MG_ITIP_REQUEST,
                                  s, mg_now(), err);
        if (rc < 0)
            return rc;
        pre->series = o->cancel ? NULL : s;
    }
    att.name = p->name;
    att.email = p->email;
    att.chair = p->role == MG_PERSON_FACILITATOR;
    rc = mg_ical_itip_personal(&ics, pre->itip, a->uid, a->sequence, &att, err);
    if (rc < 0)
        return rc;
    if (o->cancel)
        o->subject = mg_xasprintf(_("Cancelled: %s"), s->summary);
    else
        o->subject = mg_xasprintf(_("Invitation: %s"), s->summary);
    if (o->series_cancelled) {
        mg_buf_printf(&text,
                      _("Kia ora %s,\n\nThe weekly calls of your group have "
                        "been cancelled, so they have been taken off your "
                        "calendar:\n%s\n"),
                      p->name, s->summary);
    } else if (o->cancel) {
        mg_buf_printf(&text,
                      _("Kia ora %s,\n\nYou are no longer in this group, so "
                        "its weekly calls have been taken off your calendar:\n"
                        "%s\n"),
                      p->name, s->summary);
    } else {
        mg_buf_printf(&text,
                      _("Kia ora %s,\n\nYou are in %s.\nThe calls are weekly, "
                        "%d times, from %s (%s), %d minutes each.\n\n%s"),
                      p->name, s->summary, s->count, o->start, s->tzid,
                      s->minutes, s->description ? s->description : "");
    }
    memset(&m, 0, sizeof(m));
    m.from_name = v->circle->organizer_name;
    m.from_email = v->circle->organizer_email;
    m.to_name = p->name;
    m.to_email = p->email;
    m.subject = o->subject;
    m.text = text.data;
    m.ics = ics;
    m.method = o->cancel ? "CANCEL" : "REQUEST";
    rc = mg_mail_imip_parts(&o->parts, &m, err);
    o->message = ics;
    a->message = ics;
    a->len = strlen(ics);
    a->format = "imip";
    a->parts = o->parts;
    a->subject = o->subject;
    a->recipient = p->email;
    mg_buf_release(&text);
    return rc;
}

/*
 * The groups whose invitations could not be made in one reconcile, and
 * why (the first cause found for each). They are skipped, the others go
 * out, and the store keeps the list for the coordinator.
 */
struct failures {
    struct mg_calendar_failure_row *rows;
    size_t n;
};

static int failed(const struct failures *f, int64_t group_id)
{
    size_t i;

    for (i = 0; i < f->n; i++)
        if (f->rows[i].group_id == group_id)
            return 1;
    return 0;
}

static void failure_add(struct failures *f, int64_t group_id, const char *cause)
{
    struct mg_calendar_failure_row *r;

    if (failed(f, group_id))
        return;
    f->rows = mg_xrealloc(f->rows, (f->n + 1) * sizeof(*f->rows));
    r = &f->rows[f->n++];
    memset(r, 0, sizeof(*r));
    r->group_id = group_id;
    snprintf(r->cause, sizeof(r->cause), "%s",
             cause && *cause ? cause : "cannot make the invitation");
    r->at = mg_now();
}

/* Half of a batch's mail, built by one thread. */
struct build_work {
    struct mg_invite_action *acts;
    struct owned *own;
    const struct mg_plan_view *v;
    size_t from, to;
};

static void *build_range(void *arg)
{
    struct build_work *w = arg;
    struct prepared pre = {NULL, NULL};
    size_t i;

    /* The language is per thread: a build thread says the circle's. */
    mg_i18n_use(mg_circle_language(w->v->circle));
    for (i = w->from; i < w->to; i++) {
        struct owned *o = &w->own[i];
        o->rc = build_mail(&w->acts[i], o, &pre, w->v, &o->err);
    }
    mg_ical_itip_free(pre.itip);
    return NULL;
}

/*
 * Build a batch's messages on two threads (a message is libical and
 * jansson, and no shared state but caches that take their own locks):
 * on the machines mingle runs on, that is most of the time a large
 * circle's invitations take. A message that cannot be made is recorded
 * in `f` against its group and moved behind the others (still in the
 * batch, to be freed); the number of good ones, which come first, is
 * returned.
 */
static size_t build_batch(struct mg_invite_action *acts, struct owned *own,
                          size_t n, const struct mg_plan_view *v,
                          struct failures *f)
{
    struct build_work half[2] = {{acts, own, v, 0, n / 2},
                                 {acts, own, v, n / 2, n}};
    pthread_t t;
    int threaded =
        n >= 16 && pthread_create(&t, NULL, build_range, &half[1]) == 0;
    size_t i, ok = 0;

    build_range(&half[0]);
    if (threaded)
        pthread_join(t, NULL);
    else
        build_range(&half[1]);
    for (i = 0; i < n; i++) {
        if (own[i].rc < 0) {
            failure_add(f, acts[i].group_id, own[i].err.message);
            continue;
        }
        if (ok != i) {
            struct mg_invite_action ta = acts[ok];
            struct owned to = own[ok];

            acts[ok] = acts[i];
            own[ok] = own[i];
            acts[i] = ta;
            own[i] = to;
        }
        ok++;
    }
    return ok;
}

/* People by group, so a build thread reuses each group's prepared iTIP
 * message for a run of its members. */
static int compare_by_group(const void *a, const void *b)
{
    const struct mg_participant *x = *(const struct mg_participant *const *)a;
    const struct mg_participant *y = *(const struct mg_participant *const *)b;

    if (x->group_id != y->group_id)
        return x->group_id < y->group_id ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

static int compare_invites(const void *a, const void *b)
{
    const struct mg_invite_row *x = *(const struct mg_invite_row *const *)a;
    const struct mg_invite_row *y = *(const struct mg_invite_row *const *)b;

    if (x->participant_id != y->participant_id)
        return x->participant_id < y->participant_id ? -1 : 1;
    if (x->group_id != y->group_id)
        return x->group_id < y->group_id ? -1 : 1;
    return 0;
}

/* The invite of (person, group) in `sorted` (by compare_invites), or NULL. */
static const struct mg_invite_row *
find_invite(struct mg_invite_row *const *sorted, size_t n, int64_t person,
            int64_t group)
{
    struct mg_invite_row key, *k = &key, *const * hit;

    key.participant_id = person;
    key.group_id = group;
    hit = bsearch(&k, sorted, n, sizeof(*sorted), compare_invites);
    return hit ? *hit : NULL;
}

/*
 * Actions are stored in batches, so a 50,000-person circle never holds
 * all its messages in memory at once, and each batch is stored on a
 * thread of its own while the next one is built (storing is a quarter
 * of the work, and the build threads leave room for it).
 */
#define BATCH 512

struct queue {
    struct mg_store *st;
    int64_t circle_id;
    const struct mg_plan_view *v;
    struct mg_invite_action *acts[2];
    struct owned *own[2];
    size_t n[2];
    size_t n_ok[2]; /* the first n_ok of a built batch go to the store */
    struct failures *failures;
    int cur; /* the batch being filled; the other may be being stored */
    pthread_t storer;
    int storing, joinable;
    int store_rc;
    size_t stored; /* messages the last stored batch queued */
    size_t queued;
};

static void queue_init(struct queue *q, struct mg_store *st, int64_t circle_id,
                       const struct mg_plan_view *v, struct failures *f)
{
    memset(q, 0, sizeof(*q));
    q->failures = f;
    q->st = st;
    q->circle_id = circle_id;
    q->v = v;
    q->acts[0] = mg_xcalloc(BATCH, sizeof(*q->acts[0]));
    q->acts[1] = mg_xcalloc(BATCH, sizeof(*q->acts[1]));
    q->own[0] = mg_xcalloc(BATCH, sizeof(*q->own[0]));
    q->own[1] = mg_xcalloc(BATCH, sizeof(*q->own[1]));
}

static void batch_clear(struct queue *q, int which)
{
    struct owned *own = q->own[which];
    size_t i;

    for (i = 0; i < q->n[which]; i++) {
        free(own[i].subject);
        free(own[i].message);
        free(own[i].parts);
        free(own[i].dedupe);
        free(own[i].uid);
    }
    memset(q->acts[which], 0, BATCH * sizeof(*q->acts[which]));
    memset(own, 0, BATCH * sizeof(*own));
    q->n[which] = 0;
    q->n_ok[which] = 0;
}

static void *store_batch(void *arg)
{
    struct queue *q = arg;
    int which = !q->cur;

    q->stored = 0;
    q->store_rc = mg_store_invites_apply(&q->stored, q->st, q->circle_id,
                                         q->acts[which], q->n_ok[which]);
    return NULL;
}

/* Wait for the batch being stored; its rc. */
static int queue_wait(struct queue *q)
{
    int rc;

    if (!q->storing)
        return 0;
    if (q->joinable)
        pthread_join(q->storer, NULL);
    q->storing = 0;
    rc = q->store_rc;
    if (rc == 0)
        q->queued += q->stored;
    batch_clear(q, !q->cur);
    return rc;
}

/* Build the batch being filled, then store it while the next fills. */
static int queue_flush(struct queue *q, struct mg_error *err)
{
    int cur = q->cur, stored;

    if (q->n[cur])
        q->n_ok[cur] = build_batch(q->acts[cur], q->own[cur], q->n[cur], q->v,
                                   q->failures);
    stored = queue_wait(q);
    if (stored < 0) {
        mg_error_set(err, "store", "cannot queue the invitations");
        batch_clear(q, cur);
        return stored;
    }
    if (q->n_ok[cur] == 0) {
        batch_clear(q, cur);
        return 0;
    }
    q->cur = !cur;
    q->storing = 1;
    q->joinable = pthread_create(&q->storer, NULL, store_batch, q) == 0;
    if (!q->joinable)
        store_batch(q); /* queue_wait collects it all the same */
    return 0;
}

static void queue_release(struct queue *q)
{
    queue_wait(q);
    batch_clear(q, 0);
    batch_clear(q, 1);
    free(q->acts[0]);
    free(q->acts[1]);
    free(q->own[0]);
    free(q->own[1]);
}

/* Above this many groups, a reconcile reads the circle's sessions at once. */
#define SESSIONS_AT_ONCE 16

int mg_calendar_reconcile(size_t *queued, struct mg_store *st,
                          int64_t circle_id, struct mg_error *err)
{
    return mg_calendar_reconcile_progress(queued, st, circle_id, NULL, NULL,
                                          err);
}

static int compare_ids(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return x < y ? -1 : x > y;
}

/* The active group ids of `people`, sorted and distinct (free()). */
static int64_t *groups_of(size_t *n, const struct mg_participant *people,
                          size_t n_people)
{
    int64_t *ids = mg_xcalloc(n_people + 1, sizeof(*ids));
    size_t i, k = 0, u = 0;

    for (i = 0; i < n_people; i++)
        if (people[i].status == MG_STATUS_ACTIVE && people[i].group_id)
            ids[k++] = people[i].group_id;
    qsort(ids, k, sizeof(*ids), compare_ids);
    for (i = 0; i < k; i++)
        if (u == 0 || ids[u - 1] != ids[i])
            ids[u++] = ids[i];
    *n = u;
    return ids;
}

/*
 * What a scoped reconcile reads: the people the scope touches, their
 * invitations, and the plan with only the groups they are in now. A
 * person in a touched group, or with an invitation to one, is read with
 * all their invitations, so nobody gets a second series for a group
 * they already have one for.
 */
static int load_scope(struct mg_plan_view *v, struct mg_participant **people,
                      size_t *n_people, struct mg_invite_row **invites,
                      size_t *n_inv, struct mg_store *st, int64_t circle_id,
                      const struct mg_calendar_scope *scope)
{
    int64_t *ids = NULL, *groups = NULL;
    size_t i, n_groups = 0;
    int rc;

    memset(v, 0, sizeof(*v));
    rc = mg_store_circle_get(&v->circle, st, circle_id);
    if (rc == 0)
        rc = mg_store_people_touched(people, n_people, st, circle_id,
                                     scope->person_ids, scope->n_persons,
                                     scope->group_ids, scope->n_groups);
    if (rc < 0)
        return rc;
    ids = mg_xcalloc(*n_people + 1, sizeof(*ids));
    for (i = 0; i < *n_people; i++)
        ids[i] = (*people)[i].id;
    rc = mg_store_invites_of(invites, n_inv, st, circle_id, ids, *n_people);
    groups = groups_of(&n_groups, *people, *n_people);
    if (rc == 0 && n_groups)
        rc = mg_store_groups_get(&v->groups, &v->n_groups, st, circle_id,
                                 groups, n_groups);
    if (rc == 0 && n_groups)
        rc = mg_store_threads(&v->threads, &v->n_threads, st, circle_id);
    if (rc == 0 && n_groups)
        rc =
            mg_store_readings(&v->same, &v->n_same, st, circle_id, "same_pace");
    if (rc == 0 && n_groups)
        rc = mg_store_readings(&v->per_thread, &v->n_per_thread, st, circle_id,
                               "thread");
    free(ids);
    free(groups);
    return rc;
}

/* A group's index in the view by id, through keys sorted by id. */
struct group_key {
    int64_t id;
    size_t index;
};

static int compare_group_keys(const void *a, const void *b)
{
    const struct group_key *x = a, *y = b;

    return x->id < y->id ? -1 : x->id > y->id;
}

static long group_at(const struct group_key *keys, size_t n, int64_t id)
{
    struct group_key key = {id, 0};
    const struct group_key *hit =
        bsearch(&key, keys, n, sizeof(key), compare_group_keys);

    return hit ? (long)hit->index : -1;
}

static int reconcile(size_t *queued, struct mg_store *st, int64_t circle_id,
                     const struct mg_calendar_scope *scope,
                     void (*progress)(size_t done, size_t total, void *arg),
                     void *arg, struct mg_error *err);

int mg_calendar_reconcile_progress(size_t *queued, struct mg_store *st,
                                   int64_t circle_id,
                                   void (*progress)(size_t done, size_t total,
                                                    void *arg),
                                   void *arg, struct mg_error *err)
{
    return reconcile(queued, st, circle_id, NULL, progress, arg, err);
}

int mg_calendar_reconcile_scope(size_t *queued, struct mg_store *st,
                                int64_t circle_id,
                                const struct mg_calendar_scope *scope,
                                struct mg_error *err)
{
    *queued = 0;
    if (scope && scope->n_persons == 0 && scope->n_groups == 0)
        return 0;
    return reconcile(queued, st, circle_id, scope, NULL, NULL, err);
}

/*
 * A CANCEL of invite `inv` (same UID, SEQUENCE up) to `p`, of the series
 * as the member last saw it: they left the group, or (`series_cancelled`)
 * the group's calls were cancelled. `g`, the group when the view has it,
 * gives the slot's wall time, so a week 1 in a gap starts as in the
 * REQUEST (the slot's time) rather than an hour later.
 */
static void cancel_action(struct mg_invite_action *a, struct owned *o,
                          const struct mg_invite_row *inv,
                          const struct mg_participant *p,
                          const struct mg_plan_view *v,
                          const struct mg_group_row *g, int group_sequence,
                          int series_cancelled)
{
    const struct mg_slot *slot = g ? group_slot(v, g) : NULL;
    struct mg_ical_series gone;

    memset(&gone, 0, sizeof(gone));
    gone.tzid = v->circle->time_zone;
    gone.first_start = inv->first_start;
    if (slot) {
        /* used only where it gives first_start (ical.c, rule_wall) */
        gone.has_slot_minute = 1;
        gone.slot_minute = slot->start_minute;
    }
    gone.minutes = inv->minutes ? inv->minutes : 60;
    gone.count = inv->weeks ? inv->weeks : v->circle->weeks;
    gone.summary = inv->summary[0] ? inv->summary : v->circle->title;
    gone.organizer_name = v->circle->organizer_name;
    gone.organizer_email = v->circle->organizer_email;
    a->invite_id = inv->id;
    a->expect_sequence = inv->sequence;
    a->sequence = inv->sequence + 1;
    a->group_id = inv->group_id;
    a->participant_id = inv->participant_id;
    a->group_sequence = group_sequence;
    a->state = MG_STORE_INVITE_CANCELLED;
    a->kind = "cancel";
    o->uid = mg_xstrdup(inv->uid);
    a->uid = o->uid;
    gone.uid = a->uid;
    o->p = p;
    o->gone = gone;
    o->cancel = 1;
    o->series_cancelled = series_cancelled;
    o->dedupe = mg_xasprintf("%s:%lld:%d:CANCEL", a->uid,
                             (long long)inv->participant_id, a->sequence);
    a->dedupe_key = o->dedupe;
}

/*
 * Log each failure with its cause and keep them in the store: the
 * groups looked at that did fine have theirs cleared.
 */
static void failures_save(struct mg_store *st, int64_t circle_id,
                          const struct mg_plan_view *v,
                          const struct mg_calendar_scope *scope,
                          const struct failures *f)
{
    int64_t *fine;
    char circle[24], group[24];
    size_t i, n = 0;
    int rc;

    if (f->n == 0) {
        /* The common case: nothing failed, and nothing had before
         * (a read, not a write, for every change). */
        struct mg_calendar_failure_row *had = NULL;

        rc = mg_store_calendar_failures_list(&had, &n, st, circle_id);
        free(had);
        if (rc == 0 && n == 0)
            return;
        n = 0;
    }
    fine = mg_xcalloc(v->n_groups + (scope ? scope->n_groups : 0) + 1,
                      sizeof(*fine));
    snprintf(circle, sizeof(circle), "%lld", (long long)circle_id);
    for (i = 0; i < f->n; i++) {
        snprintf(group, sizeof(group), "%lld", (long long)f->rows[i].group_id);
        mg_log(MG_LOG_ERROR, "cannot make a group's invitations", "circle",
               circle, "group", group, "error", f->rows[i].cause, NULL);
    }
    for (i = 0; i < v->n_groups; i++)
        if (!failed(f, v->groups[i].id))
            fine[n++] = v->groups[i].id;
    for (i = 0; scope && i < scope->n_groups; i++)
        if (!failed(f, scope->group_ids[i]))
            fine[n++] = scope->group_ids[i];
    rc = mg_store_calendar_failures_record(st, circle_id, scope == NULL, fine,
                                           n, f->rows, f->n);
    if (rc < 0)
        mg_log(MG_LOG_ERROR, "cannot record calendar failures", "circle",
               circle, "error", mg_strerror(rc), NULL);
    free(fine);
}

/*
 * The groups of the active invitations in `inv` that view `v` does not
 * hold (a scoped view holds only the groups its people are in now), for
 * the slots of the CANCELs to those who left them; *out is NULL when
 * there are none or the store cannot say (the CANCELs then start where
 * the first call happens).
 */
static void groups_left(struct mg_group_row **out, size_t *n,
                        struct mg_store *st, int64_t circle_id,
                        const struct group_key *keys, size_t n_keys,
                        const struct mg_invite_row *inv, size_t n_inv)
{
    int64_t *ids = mg_xcalloc(n_inv + 1, sizeof(*ids));
    size_t i, k = 0;

    *out = NULL;
    *n = 0;
    for (i = 0; i < n_inv; i++)
        if (inv[i].state == MG_STORE_INVITE_ACTIVE &&
            group_at(keys, n_keys, inv[i].group_id) < 0)
            ids[k++] = inv[i].group_id;
    if (k && mg_store_groups_get(out, n, st, circle_id, ids, k) < 0) {
        *out = NULL;
        *n = 0;
    }
    free(ids);
}

static int reconcile(size_t *queued, struct mg_store *st, int64_t circle_id,
                     const struct mg_calendar_scope *scope,
                     void (*progress)(size_t done, size_t total, void *arg),
                     void *arg, struct mg_error *err)
{
    struct failures fails = {NULL, 0};
    struct mg_group_row *left = NULL;
    size_t n_left = 0;
    struct mg_plan_view v;
    struct mg_participant *people = NULL;
    struct mg_invite_row *invites = NULL, **by_person = NULL;
    struct mg_participant **by_group = NULL;
    struct group_key *keys = NULL;
    struct mg_people_filter f;
    struct queue q;
    struct mg_ical_series *series = NULL;
    struct series_store *keep = NULL;
    struct mg_session_row *sessions = NULL;
    struct mg_group_room *rooms = NULL;
    size_t n_people = 0, n_inv = 0, i, j, n_sessions = 0, n_rooms = 0;
    char lang[MG_I18N_LANG_MAX];
    int rc, switched = 0;

    *queued = 0;
    if (scope)
        rc = load_scope(&v, &people, &n_people, &invites, &n_inv, st, circle_id,
                        scope);
    else
        rc = mg_store_plan_load(&v, st, circle_id);
    if (rc < 0)
        goto out;
    if (!v.circle->organizer_email) {
        mg_error_set(err, "organizer.email",
                     "the circle needs an organizer email to send "
                     "invitations");
        rc = MG_EINVAL;
        goto out;
    }
    /* Series and mail in the circle's language (the build threads say
     * it again for themselves). */
    mg_i18n_switch(lang, mg_circle_language(v.circle));
    switched = 1;
    memset(&f, 0, sizeof(f));
    if (!scope) {
        rc = mg_store_participants_list(&people, &n_people, st, circle_id, &f);
        if (rc == 0)
            rc = mg_store_invites_list(&invites, &n_inv, st, circle_id);
    }
    if (rc < 0)
        goto out;
    keys = mg_xcalloc(v.n_groups + 1, sizeof(*keys));
    for (i = 0; i < v.n_groups; i++) {
        keys[i].id = v.groups[i].id;
        keys[i].index = i;
    }
    qsort(keys, v.n_groups, sizeof(*keys), compare_group_keys);
    series = mg_xcalloc(v.n_groups + 1, sizeof(*series));
    keep = mg_xcalloc(v.n_groups + 1, sizeof(*keep));
    /* Many groups: the circle's sessions in one query, not one a group. */
    if (v.n_groups > SESSIONS_AT_ONCE &&
        (rc = mg_store_sessions_for_circle(&sessions, &n_sessions, st,
                                           circle_id)) < 0)
        goto out;
    /* The groups' call rooms: the circle's at once, or the scope's. */
    if (scope) {
        int64_t *ids = mg_xcalloc(v.n_groups + 1, sizeof(*ids));

        for (i = 0; i < v.n_groups; i++)
            ids[i] = v.groups[i].id;
        rc = mg_store_group_rooms(&rooms, &n_rooms, st, circle_id, ids,
                                  v.n_groups);
        free(ids);
    } else {
        rc = mg_store_group_rooms(&rooms, &n_rooms, st, circle_id, NULL, 0);
    }
    if (rc < 0)
        goto out;
    for (i = 0; i < v.n_groups; i++) {
        rc = make_series_from(
            &series[i], &keep[i], st, &v, &v.groups[i],
            mg_store_group_room_find(rooms, n_rooms, v.groups[i].id), sessions,
            n_sessions);
        if (rc < 0 && rc != MG_ENOTFOUND) {
            /* this group's members are skipped; the others go on */
            failure_add(&fails, v.groups[i].id, mg_strerror(rc));
            memset(&series[i], 0, sizeof(series[i]));
        }
        rc = 0; /* MG_ENOTFOUND: no sessions yet, nothing to invite to */
    }
    by_person = mg_xcalloc(n_inv + 1, sizeof(*by_person));
    for (j = 0; j < n_inv; j++)
        by_person[j] = &invites[j];
    qsort(by_person, n_inv, sizeof(*by_person), compare_invites);
    by_group = mg_xcalloc(n_people + 1, sizeof(*by_group));
    for (i = 0; i < n_people; i++)
        by_group[i] = &people[i];
    qsort(by_group, n_people, sizeof(*by_group), compare_by_group);
    queue_init(&q, st, circle_id, &v, &fails);
    /* Joins and changes: every active member of a group with calls. */
    for (i = 0; i < n_people && rc == 0; i++) {
        const struct mg_participant *p = by_group[i];
        const struct mg_invite_row *inv = NULL;
        struct mg_invite_action *a = &q.acts[q.cur][q.n[q.cur]];
        struct owned *o = &q.own[q.cur][q.n[q.cur]];
        long g;

        if (p->status != MG_STATUS_ACTIVE || !p->group_id)
            continue;
        g = group_at(keys, v.n_groups, p->group_id);
        if (g < 0 || !series[g].uid)
            continue;
        inv = find_invite(by_person, n_inv, p->id, p->group_id);
        if (series[g].cancelled) {
            /* The whole series is called off: a CANCEL to whoever has
             * it on their calendar (a REQUEST may not say CANCELLED). */
            if (!inv || inv->state != MG_STORE_INVITE_ACTIVE)
                continue;
            cancel_action(a, o, inv, p, &v, &v.groups[g], v.groups[g].sequence,
                          1);
            if (++q.n[q.cur] == BATCH) {
                rc = queue_flush(&q, err);
                if (progress)
                    progress(i + 1, n_people + n_inv, arg);
            }
            continue;
        }
        if (inv && inv->state == MG_STORE_INVITE_ACTIVE &&
            inv->group_sequence >= v.groups[g].sequence)
            continue; /* up to date */
        a->group_id = p->group_id;
        a->participant_id = p->id;
        a->group_sequence = v.groups[g].sequence;
        a->state = MG_STORE_INVITE_ACTIVE;
        a->kind = "invite";
        if (inv) {
            a->invite_id = inv->id;
            a->expect_sequence = inv->sequence;
            a->sequence = inv->sequence + 1;
            o->uid = mg_xstrdup(inv->uid);
        } else {
            /* one series, one UID: the group's, at the group's SEQUENCE,
             * as in the group's feed */
            char uid[48];
            if (!v.groups[g].uid[0])
                mg_ical_new_uid(uid);
            o->uid = mg_xstrdup(v.groups[g].uid[0] ? v.groups[g].uid : uid);
            a->sequence = v.groups[g].sequence;
        }
        a->uid = o->uid;
        a->summary = series[g].summary;
        a->first_start = series[g].first_start;
        a->minutes = series[g].minutes;
        a->weeks = series[g].count;
        o->p = p;
        o->s = &series[g];
        o->start = keep[g].start;
        /* a group's members share the UID: the key names the member */
        o->dedupe = mg_xasprintf("%s:%lld:%d:REQUEST", a->uid, (long long)p->id,
                                 a->sequence);
        a->dedupe_key = o->dedupe;
        if (++q.n[q.cur] == BATCH) {
            rc = queue_flush(&q, err);
            if (progress)
                progress(i + 1, n_people + n_inv, arg);
        }
    }
    /* Leaves: active invites whose member is no longer in that group. */
    if (scope && rc == 0)
        groups_left(&left, &n_left, st, circle_id, keys, v.n_groups, invites,
                    n_inv);
    for (j = 0; j < n_inv && rc == 0; j++) {
        const struct mg_invite_row *inv = &invites[j];
        long at;
        size_t k;
        const struct mg_participant *p = NULL;
        const struct mg_group_row *g;
        struct mg_invite_action *a = &q.acts[q.cur][q.n[q.cur]];
        struct owned *o = &q.own[q.cur][q.n[q.cur]];

        if (inv->state != MG_STORE_INVITE_ACTIVE)
            continue;
        at = mg_participants_find(people, n_people, inv->participant_id);
        p = at >= 0 ? &people[at] : NULL;
        if (!p ||
            (p->status == MG_STATUS_ACTIVE && p->group_id == inv->group_id))
            continue;
        /* The series as the member last saw it. */
        at = group_at(keys, v.n_groups, inv->group_id);
        g = at >= 0 ? &v.groups[at] : NULL;
        for (k = 0; !g && k < n_left; k++)
            if (left[k].id == inv->group_id)
                g = &left[k];
        cancel_action(a, o, inv, p, &v, g, inv->group_sequence, 0);
        if (++q.n[q.cur] == BATCH) {
            rc = queue_flush(&q, err);
            if (progress)
                progress(n_people + j + 1, n_people + n_inv, arg);
        }
    }
    if (rc == 0)
        rc = queue_flush(&q, err);
    if (rc == 0 && (rc = queue_wait(&q)) < 0)
        mg_error_set(err, "store", "cannot queue the invitations");
    if (rc == 0 && progress)
        progress(n_people + n_inv, n_people + n_inv, arg);
    *queued = q.queued;
    queue_release(&q);
    /* What failed was skipped: the coordinator sees it, the rest went. */
    if (rc == 0)
        failures_save(st, circle_id, &v, scope, &fails);
out:
    mg_store_groups_free(left, n_left);
    free(fails.rows);
    for (i = 0; keep && i <= v.n_groups; i++)
        series_store_release(&keep[i]);
    free(keep);
    free(series);
    free(keys);
    free(by_person);
    free(by_group);
    free(invites);
    free(sessions);
    mg_store_group_rooms_free(rooms, n_rooms);
    mg_participants_free(people, n_people);
    mg_store_plan_release(&v);
    if (switched)
        mg_i18n_restore(lang);
    return rc;
}
