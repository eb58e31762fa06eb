/*
 * vtimezone.c: compact VTIMEZONEs. libical's own VTIMEZONE for a zone
 * carries its whole history and a prefixed TZID; calendar apps want the
 * plain IANA name and the current rules. So the zone's offsets are probed
 * (through `schedule`, which owns the system zone data) over the span a
 * document needs, the transitions are turned back into yearly rules
 * ("first Sunday of April at 03:00"), and the result is checked against
 * the probed offsets before it is used.
 */
#include "internal.h"

#include <pthread.h>

#include <stdlib.h>
#include <string.h>

#include "mingle/schedule.h"

#include "banned.h"

struct transition {
    int64_t t;    /* UTC instant of the change */
    int from, to; /* offsets before and after, seconds east of UTC */
    int64_t wall; /* local wall clock at the change, in the old offset */
    int year, month, day, wday; /* of `wall`; wday 1 = Sunday */
    int group;
};

enum rule_kind { RULE_ONCE, RULE_NTH, RULE_LAST, RULE_RDATE };

struct group {
    int daylight, from, to, month, wday;
    int64_t secs; /* time of day of the change, local */
    size_t first, count, last;
    enum rule_kind kind;
    int nth;
    int until; /* the rule stops inside the probed years */
};

static void civil_from_days(int *y, int *m, int *d, int64_t z)
{
    int64_t era, doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

struct icaltimetype vzone_civil(int64_t t, icaltimezone *zone)
{
    struct icaltimetype tt = icaltime_null_time();
    int64_t days = floor_div(t, 86400), secs = t - days * 86400;

    civil_from_days(&tt.year, &tt.month, &tt.day, days);
    tt.hour = (int)(secs / 3600);
    tt.minute = (int)(secs / 60 % 60);
    tt.second = (int)(secs % 60);
    tt.zone = zone;
    return tt;
}

static int days_in_month(int y, int m)
{
    static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return m == 2 && leap ? 29 : dim[m - 1];
}

static int probe(int *off, const char *tzid, int64_t t, struct mg_error *err)
{
    struct mg_local_time lt;
    int rc = mg_schedule_utc_to_local(&lt, tzid, t, err);

    if (rc == 0)
        *off = lt.utc_offset;
    return rc;
}

/*
 * Every change of offset in [t0, t1]. Zones change at most once a day,
 * so a daily probe finds each change and a binary search its second.
 */
static int find_transitions(struct transition **out, size_t *n, int *initial,
                            const char *tzid, int64_t t0, int64_t t1,
                            struct mg_error *err)
{
    struct transition *v = NULL;
    size_t len = 0, cap = 0;
    int64_t t;
    int prev = 0, cur = 0, rc;

    rc = probe(&prev, tzid, t0, err);
    if (rc < 0)
        goto out;
    *initial = prev;
    for (t = t0 + 86400; t <= t1; t += 86400) {
        int64_t lo = t - 86400, hi = t; /* offset(lo) = prev, not at hi */
        int64_t days;

        rc = probe(&cur, tzid, t, err);
        if (rc < 0)
            goto out;
        if (cur == prev)
            continue;
        while (hi - lo > 1) {
            int64_t mid = lo + (hi - lo) / 2;
            int o = 0;

            rc = probe(&o, tzid, mid, err);
            if (rc < 0)
                goto out;
            if (o == prev)
                lo = mid;
            else
                hi = mid;
        }
        if (len == cap) {
            cap = cap ? 2 * cap : 8;
            v = mg_xrealloc(v, cap * sizeof(*v));
        }
        memset(&v[len], 0, sizeof(v[len]));
        v[len].t = hi;
        v[len].from = prev;
        v[len].to = cur;
        v[len].wall = hi + prev;
        days = floor_div(v[len].wall, 86400);
        civil_from_days(&v[len].year, &v[len].month, &v[len].day, days);
        /* 1970-01-01 was a Thursday (5 with Sunday = 1). */
        v[len].wday = (int)((days % 7 + 7 + 4) % 7) + 1;
        len++;
        prev = cur;
    }
    *out = v;
    *n = len;
    v = NULL;
out:
    free(v);
    return rc;
}

/* Sort transitions into groups of the same kind of change. */
static struct group *group_transitions(size_t *n_groups, struct transition *v,
                                       size_t n)
{
    struct group *g = mg_xcalloc(n ? n : 1, sizeof(*g));
    size_t i, j, ng = 0;

    for (i = 0; i < n; i++) {
        int daylight = v[i].to > v[i].from;
        int64_t secs = v[i].wall - floor_div(v[i].wall, 86400) * 86400;

        for (j = 0; j < ng; j++)
            if (g[j].daylight == daylight && g[j].from == v[i].from &&
                g[j].to == v[i].to && g[j].month == v[i].month &&
                g[j].wday == v[i].wday && g[j].secs == secs)
                break;
        if (j == ng) {
            g[j].daylight = daylight;
            g[j].from = v[i].from;
            g[j].to = v[i].to;
            g[j].month = v[i].month;
            g[j].wday = v[i].wday;
            g[j].secs = secs;
            g[j].first = i;
            ng++;
        }
        g[j].count++;
        g[j].last = i;
        v[i].group = (int)j;
    }
    *n_groups = ng;
    return g;
}

/*
 * Find the yearly rule a group follows: the nth or last weekday of its
 * month, every year from the first change to the last. Where both fit
 * (a fourth Sunday that is also the last) "last" is what tzdata means.
 */
static void choose_rule(struct group *g, const struct transition *v,
                        int last_year, int force_rdate)
{
    int nth = -1, nth_ok = 1, last_ok = 1, year;
    size_t i, k = 0;

    if (g->count == 1) {
        g->kind = RULE_ONCE;
        return;
    }
    year = v[g->first].year;
    for (i = g->first; i <= g->last; i++) {
        const struct transition *x = &v[i];
        int this_nth = (x->day - 1) / 7 + 1;

        if (x->group != v[g->first].group)
            continue;
        if (x->year != year + (int)k)
            nth_ok = last_ok = 0; /* a year without the change */
        k++;
        if (nth < 0)
            nth = this_nth;
        if (this_nth != nth || nth > 4)
            nth_ok = 0;
        if (x->day + 7 <= days_in_month(x->year, x->month))
            last_ok = 0;
    }
    g->until = v[g->last].year < last_year;
    if (force_rdate || (!nth_ok && !last_ok)) {
        g->kind = RULE_RDATE;
    } else if (last_ok && (!nth_ok || nth == 4)) {
        g->kind = RULE_LAST;
    } else {
        g->kind = RULE_NTH;
        g->nth = nth;
    }
}

/* libical 3.0's BYDAY encoding: weekday + 8 * |position|, signed. */
static short encode_day(int wday, int pos)
{
    return (short)(pos < 0 ? -(wday + 8 * -pos) : wday + 8 * pos);
}

static icalcomponent *observance(int daylight, int64_t wall, int from, int to)
{
    icalcomponent *c = daylight ? icalcomponent_new_xdaylight()
                                : icalcomponent_new_xstandard();

    /* An observance's DTSTART is local time in the offset it ends. */
    icalcomponent_add_property(c,
                               icalproperty_new_dtstart(vzone_civil(wall, 0)));
    icalcomponent_add_property(c, icalproperty_new_tzoffsetfrom(from));
    icalcomponent_add_property(c, icalproperty_new_tzoffsetto(to));
    return c;
}

/*
 * The change of group `g` in 1970, as local wall time in the old offset:
 * where most producers start a zone's current rules, so that readers
 * that look at years before the document's (vobject compares a zone with
 * UTC over 2000-2020) see the zone's rules rather than one fixed offset.
 */
static int64_t rule_wall_1970(const struct group *g)
{
    int64_t first = mg_days_from_civil(1970, g->month, 1);
    int dim = days_in_month(1970, g->month);
    /* 1970-01-01 was a Thursday (5 with Sunday = 1). */
    int wday1 = (int)((first % 7 + 7 + 4) % 7) + 1;
    int day = 1 + (g->wday - wday1 + 7) % 7;

    if (g->kind == RULE_LAST)
        while (day + 7 <= dim)
            day += 7;
    else
        day += 7 * (g->nth - 1);
    return (first + day - 1) * 86400 + g->secs;
}

/* Do all the changes follow open-ended yearly rules? Then the rules can
 * start in 1970; a zone whose rules changed in the span keeps them where
 * they start. */
static int rules_from_1970(const struct group *g, size_t ng)
{
    size_t j;

    for (j = 0; j < ng; j++)
        if ((g[j].kind != RULE_NTH && g[j].kind != RULE_LAST) || g[j].until)
            return 0;
    return ng > 0;
}

static icalcomponent *build_vtimezone(const char *tzid,
                                      const struct transition *v, size_t n,
                                      struct group *g, size_t ng, int initial,
                                      int64_t from, icaltimezone *utc)
{
    icalcomponent *vtz = icalcomponent_new_vtimezone();
    int since_1970 = rules_from_1970(g, ng);
    size_t i, j;

    icalcomponent_add_property(vtz, icalproperty_new_tzid(tzid));
    /* Before the first change we know of (or for a zone without any) the
     * offset is the one the span starts with. */
    if (!since_1970 && (n == 0 || v[0].t > from))
        icalcomponent_add_component(vtz,
                                    observance(0, 0 /* 1970-01-01 */, initial,
                                               n ? v[0].from : initial));
    for (j = 0; j < ng; j++) {
        const struct transition *first = &v[g[j].first];
        icalcomponent *obs = observance(
            g[j].daylight, since_1970 ? rule_wall_1970(&g[j]) : first->wall,
            g[j].from, g[j].to);

        if (g[j].kind == RULE_NTH || g[j].kind == RULE_LAST) {
            struct icalrecurrencetype r;

            icalrecurrencetype_clear(&r);
            r.freq = ICAL_YEARLY_RECURRENCE;
            r.by_month[0] = (short)first->month;
            r.by_month[1] = ICAL_RECURRENCE_ARRAY_MAX;
            r.by_day[0] =
                encode_day(first->wday, g[j].kind == RULE_LAST ? -1 : g[j].nth);
            r.by_day[1] = ICAL_RECURRENCE_ARRAY_MAX;
            if (g[j].until)
                r.until = vzone_civil(v[g[j].last].t, utc);
            icalcomponent_add_property(obs, icalproperty_new_rrule(r));
        } else if (g[j].kind == RULE_RDATE) {
            for (i = g[j].first + 1; i <= g[j].last; i++) {
                struct icaldatetimeperiodtype p;

                if (v[i].group != (int)j)
                    continue;
                memset(&p, 0, sizeof(p));
                p.time = vzone_civil(v[i].wall, 0);
                p.period = icalperiodtype_null_period();
                icalcomponent_add_property(obs, icalproperty_new_rdate(p));
            }
        }
        icalcomponent_add_component(vtz, obs);
    }
    return vtz;
}

/* The offset the probes saw at `t`. */
static int expected_offset(const struct transition *v, size_t n, int initial,
                           int64_t t)
{
    int off = initial;
    size_t i;

    for (i = 0; i < n && v[i].t <= t; i++)
        off = v[i].to;
    return off;
}

static int zone_offset(icaltimezone *zone, int64_t t)
{
    struct icaltimetype tt = icaltime_from_timet_with_zone((time_t)t, 0, zone);
    int64_t wall = mg_days_from_civil(tt.year, tt.month, tt.day) * 86400 +
                   tt.hour * 3600 + tt.minute * 60 + tt.second;

    return (int)(wall - t);
}

/* Does `zone` give the probed offset over [from, to] and at each change? */
static int verify(icaltimezone *zone, const struct transition *v, size_t n,
                  int initial, int64_t from, int64_t to)
{
    int64_t t;
    size_t i;
    int ok = 1;

    mg_schedule_lock();
    for (t = from; t <= to && ok; t += 3 * 3600)
        ok = zone_offset(zone, t) == expected_offset(v, n, initial, t);
    for (i = 0; i < n && ok; i++) {
        if (v[i].t < from || v[i].t > to)
            continue;
        ok = zone_offset(zone, v[i].t - 1) == v[i].from &&
             zone_offset(zone, v[i].t) == v[i].to;
    }
    mg_schedule_unlock();
    return ok;
}

/*
 * Built zones are kept: every member of a group gets the same series, so
 * a circle of 50,000 would otherwise probe and verify the same zone
 * 50,000 times. Keyed by zone and span; the oldest entry makes room.
 */
#define CACHE_SIZE 16

static struct cached {
    char *tzid;
    int64_t from, to;
    struct vzone z;
} cache[CACHE_SIZE];
static size_t cache_next;
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

static int build(struct vzone *out, const char *tzid, int64_t from, int64_t to,
                 struct mg_error *err);

int vzone_build(struct vzone *out, const char *tzid, int64_t from, int64_t to,
                struct mg_error *err)
{
    struct cached *slot = NULL;
    size_t i;
    int rc = 0;

    pthread_mutex_lock(&cache_lock);
    for (i = 0; i < CACHE_SIZE && !slot; i++)
        if (cache[i].tzid && cache[i].from == from && cache[i].to == to &&
            strcmp(cache[i].tzid, tzid) == 0)
            slot = &cache[i];
    if (!slot) {
        struct vzone fresh;
        rc = build(&fresh, tzid, from, to, err);
        if (rc == 0) {
            slot = &cache[cache_next];
            cache_next = (cache_next + 1) % CACHE_SIZE;
            /* An evicted zone may still be in use by a caller that holds
             * it shared: keep its memory (a handful of zones at most). */
            free(slot->tzid);
            slot->tzid = mg_xstrdup(tzid);
            slot->from = from;
            slot->to = to;
            slot->z = fresh;
        }
    }
    if (rc == 0) {
        memset(out, 0, sizeof(*out));
        out->tzid = mg_xstrdup(tzid);
        mg_schedule_lock();
        out->vtimezone = icalcomponent_new_clone(slot->z.vtimezone);
        mg_schedule_unlock();
        out->zone = slot->z.zone;
        out->shared = 1;
    }
    pthread_mutex_unlock(&cache_lock);
    return rc;
}

static int build(struct vzone *out, const char *tzid, int64_t from, int64_t to,
                 struct mg_error *err)
{
    struct transition *v = NULL;
    struct group *g = NULL;
    icalcomponent *vtz = NULL;
    icaltimezone *zone = NULL, *utc;
    struct mg_local_time lt0, lt1;
    size_t n = 0, ng = 0, i;
    int64_t w0, w1;
    int initial = 0, attempt, rc;

    memset(out, 0, sizeof(*out));
    rc = mg_schedule_utc_to_local(&lt0, tzid, from, err);
    if (rc == 0)
        rc = mg_schedule_utc_to_local(&lt1, tzid, to, err);
    if (rc < 0)
        goto out;
    /* A year either side: every yearly change is seen before the span
     * starts, and rules are seen more than once. */
    w0 = mg_days_from_civil(lt0.year - 1, 1, 1) * 86400 - 86400;
    w1 = mg_days_from_civil(lt1.year + 2, 1, 1) * 86400 + 86400;
    rc = find_transitions(&v, &n, &initial, tzid, w0, w1, err);
    if (rc < 0)
        goto out;
    mg_schedule_lock();
    utc = icaltimezone_get_utc_timezone();
    mg_schedule_unlock();
    g = group_transitions(&ng, v, n);
    /* First the compact rules; if the zone does something they cannot
     * say, list its changes one by one. */
    for (attempt = 0; attempt < 2; attempt++) {
        for (i = 0; i < ng; i++)
            choose_rule(&g[i], v, lt1.year + 1, attempt);
        vtz = build_vtimezone(tzid, v, n, g, ng, initial, from, utc);
        zone = icaltimezone_new();
        mg_schedule_lock();
        rc = icaltimezone_set_component(zone, icalcomponent_new_clone(vtz));
        mg_schedule_unlock();
        if (rc && verify(zone, v, n, initial, from - 86400, to + 86400))
            break;
        icaltimezone_free(zone, 1);
        zone = NULL;
        icalcomponent_free(vtz);
        vtz = NULL;
    }
    if (vtz == NULL) {
        mg_error_set(err, "time_zone", "cannot describe time zone '%s'", tzid);
        rc = MG_EINVAL;
        goto out;
    }
    out->tzid = mg_xstrdup(tzid);
    out->vtimezone = vtz;
    out->zone = zone;
    rc = 0;
out:
    free(v);
    free(g);
    return rc;
}

void vzone_release(struct vzone *z)
{
    free(z->tzid);
    if (z->vtimezone)
        icalcomponent_free(z->vtimezone);
    if (z->zone && !z->shared) {
        mg_schedule_lock();
        icaltimezone_free(z->zone, 1);
        mg_schedule_unlock();
    }
    memset(z, 0, sizeof(*z));
}
