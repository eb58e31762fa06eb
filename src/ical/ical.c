/*
 * ical.c: feeds and iTIP messages for weekly series, built as libical
 * components (whose setters escape text and whose writer folds lines).
 * Times are written in the series' zone with the compact VTIMEZONEs of
 * vtimezone.c; which occurrences exist comes from `schedule`, so a call
 * keeps its wall time across daylight saving changes. What a series
 * holds and who gets it is the caller's business (`calendar`).
 */
#include "mingle/ical.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#include <pthread.h>
#include "mingle/schedule.h"

#include "banned.h"

#define PRODID "-//mingle//mingle 0.1//EN"
#define MAX_COUNT 1000

enum kind { KIND_FEED, KIND_REQUEST, KIND_CANCEL };

struct doc {
    enum kind kind;
    int64_t now;
    icaltimezone *utc;
    struct vzone *zones;
    size_t n_zones;
};

/* What a series' weekly rule gives, worked out once. */
struct occurrences {
    int64_t *start; /* UTC instants, count of them */
    char *kind;     /* per week: enum mg_wall_kind of its wall time */
    int count;
    /* Week 1 as the rule writes it (DTSTART): the slot's wall time,
     * which does not exist when it falls in a daylight-saving gap. */
    struct mg_local_time wall;
};

void mg_ical_new_uid(char *out)
{
    unsigned char bytes[16];

    mg_random_bytes(bytes, sizeof(bytes));
    mg_hex(out, bytes, sizeof(bytes));
    memcpy(out + 32, "@mingle", sizeof("@mingle"));
}

/*
 * TEXT for a property: CR LF and lone CR become LF (libical writes LF as
 * "\n"), other control characters go (RFC 5545 does not allow them).
 */
static char *clean_text(const char *s)
{
    char *out = mg_xmalloc(strlen(s) + 1), *p = out;

    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;

        if (ch == '\r') {
            *p++ = '\n';
            if (s[1] == '\n')
                s++;
        } else if (ch == '\n' || ch == '\t' || (ch >= 0x20 && ch != 0x7f)) {
            *p++ = (char)ch;
        }
    }
    *p = '\0';
    return out;
}

/* A title on one line: a run of control characters becomes one space. */
static char *clean_line(const char *s)
{
    char *out = mg_xmalloc(strlen(s) + 1), *p = out;

    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;

        if (ch < 0x20 || ch == 0x7f) {
            if (p > out && p[-1] != ' ')
                *p++ = ' ';
        } else {
            *p++ = (char)ch;
        }
    }
    *p = '\0';
    return out;
}

/*
 * A parameter value (CN) on one line, ready for libical's writer, which
 * encodes a double quote as ^' (RFC 6868) but leaves a caret alone, so a
 * name holding "^n" would read back with a line break: carets are
 * doubled here (^^ reads back as ^).
 */
static char *clean_param(const char *s)
{
    char *line = clean_line(s), *out, *p;
    const char *q;
    size_t carets = 0;

    for (q = line; *q; q++)
        carets += *q == '^';
    out = mg_xmalloc(strlen(line) + carets + 1);
    for (p = out, q = line; *q; q++) {
        if (*q == '^')
            *p++ = '^';
        *p++ = *q;
    }
    *p = '\0';
    free(line);
    return out;
}

/* An address or URL goes into a URI value unescaped: no space, quote,
 * angle bracket or control character may break the line. */
static int uri_safe(const char *s)
{
    if (s == NULL || *s == '\0')
        return 0;
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;

        if (ch <= 0x20 || ch == 0x7f || ch == '"' || ch == '<' || ch == '>')
            return 0;
    }
    return 1;
}

static char *mailto(const char *email)
{
    char *s = mg_xasprintf("mailto:%s", email), *p;

    for (p = s + 7; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return s;
}

static struct vzone *zone_of(struct doc *d, const char *tzid)
{
    size_t i;

    for (i = 0; i < d->n_zones; i++)
        if (strcmp(d->zones[i].tzid, tzid) == 0)
            return &d->zones[i];
    return NULL;
}

/* `lt` moved by `days` days (its time of day kept). */
static void add_days(struct mg_local_time *lt, int days)
{
    struct icaltimetype day = icaltime_null_date();

    day.year = lt->year;
    day.month = lt->month;
    day.day = lt->day;
    icaltime_adjust(&day, days, 0, 0, 0);
    lt->year = day.year;
    lt->month = day.month;
    lt->day = day.day;
}

/*
 * The wall time of week 1 as the rule has it: the series' slot minute
 * on the day (or, past a gap that crosses midnight, the day before) if
 * that is what gives first_start, else first_start's own wall time.
 */
static int rule_wall(struct mg_local_time *out, const struct mg_ical_series *s,
                     struct mg_error *err)
{
    struct mg_local_time lt;
    int64_t t;
    int back, rc = mg_schedule_utc_to_local(out, s->tzid, s->first_start, err);

    if (rc < 0 || !s->has_slot_minute || s->slot_minute < 0 ||
        s->slot_minute > 1439)
        return rc;
    for (back = 0; back < 2; back++) {
        lt = *out;
        add_days(&lt, -back);
        lt.hour = s->slot_minute / 60;
        lt.minute = s->slot_minute % 60;
        lt.second = 0;
        if (mg_schedule_local_to_utc(&t, s->tzid, &lt, NULL) == 0 &&
            t == s->first_start) {
            *out = lt;
            break;
        }
    }
    return 0;
}

/* The series' weekly instants: the rule's wall time, week by week. */
static int occurrences_get(struct occurrences *o,
                           const struct mg_ical_series *s, struct mg_error *err)
{
    struct mg_local_time first, lt;
    struct icaltimetype day = icaltime_null_date();
    enum mg_wall_kind kind;
    int i, rc;

    o->start = mg_xcalloc((size_t)s->count, sizeof(*o->start));
    o->kind = mg_xcalloc((size_t)s->count, 1);
    o->count = s->count;
    rc = rule_wall(&first, s, err);
    if (rc < 0)
        return rc;
    o->wall = first;
    day.year = first.year;
    day.month = first.month;
    day.day = first.day;
    for (i = 0; i < s->count; i++) {
        lt = first;
        lt.year = day.year;
        lt.month = day.month;
        lt.day = day.day;
        rc = mg_schedule_local_instant(&o->start[i], &kind, s->tzid, &lt, err);
        if (rc < 0)
            return rc;
        o->kind[i] = (char)kind;
        icaltime_adjust(&day, 7, 0, 0, 0);
    }
    return 0;
}

/* Which week of the rule starts at `t`, or -1. */
static int occurrence_index(const struct occurrences *o, int64_t t)
{
    int i;

    for (i = 0; i < o->count; i++)
        if (o->start[i] == t)
            return i;
    return -1;
}

static int is_occurrence(const struct occurrences *o, int64_t t)
{
    return occurrence_index(o, t) >= 0;
}

static int series_check(const struct mg_ical_series *s, enum kind kind,
                        struct mg_error *err)
{
    size_t i;

    if (s->uid == NULL || !uri_safe(s->uid) || strlen(s->uid) > 255) {
        mg_error_set(err, "uid", "a series needs a UID without spaces");
        return MG_EINVAL;
    }
    if (s->tzid == NULL || !mg_schedule_tz_valid(s->tzid)) {
        mg_error_set(err, "time_zone", "unknown time zone '%s'",
                     s->tzid ? s->tzid : "");
        return MG_EINVAL;
    }
    if (s->count < 1 || s->count > MAX_COUNT || s->minutes < 1 ||
        s->minutes > 7 * 24 * 60 || s->sequence < 0) {
        mg_error_set(err, "series",
                     "series '%s' needs 1..%d weeks, a duration and a "
                     "sequence of 0 or more",
                     s->uid, MAX_COUNT);
        return MG_EINVAL;
    }
    if (s->summary == NULL) {
        mg_error_set(err, "summary", "series '%s' has no summary", s->uid);
        return MG_EINVAL;
    }
    if (s->url != NULL && !uri_safe(s->url)) {
        mg_error_set(err, "url", "the video link of '%s' is not a URL", s->uid);
        return MG_EINVAL;
    }
    for (i = 0; i < s->n_exceptions; i++) {
        if (s->exceptions[i].minutes < 0 ||
            s->exceptions[i].minutes > 7 * 24 * 60) {
            mg_error_set(err, "exceptions", "bad duration in '%s'", s->uid);
            return MG_EINVAL;
        }
    }
    if (kind == KIND_FEED)
        return 0;
    if (s->organizer_email == NULL || !uri_safe(s->organizer_email)) {
        mg_error_set(err, "organizer_email",
                     "an invitation needs an organizer's address");
        return MG_EINVAL;
    }
    for (i = 0; i < s->n_attendees; i++) {
        if (!uri_safe(s->attendees[i].email)) {
            mg_error_set(err, "attendees", "attendee %zu has a bad address",
                         i + 1);
            return MG_EINVAL;
        }
    }
    return 0;
}

/* Build each zone the series use once, over all their instants. */
static int zones_build(struct doc *d, const struct mg_ical_series *s, size_t n,
                       struct mg_error *err)
{
    const char **tzids = mg_xcalloc(n ? n : 1, sizeof(*tzids));
    int64_t *from = mg_xcalloc(n ? n : 1, sizeof(*from));
    int64_t *to = mg_xcalloc(n ? n : 1, sizeof(*to));
    size_t nz = 0, i, j, k;
    int rc = 0;

    for (i = 0; i < n; i++) {
        /* Weekly, plus a day for DST and the call's length. */
        int64_t lo = s[i].first_start,
                hi = s[i].first_start + (int64_t)s[i].count * 7 * 86400 + 86400;

        for (k = 0; k < s[i].n_exceptions; k++) {
            int64_t t = s[i].exceptions[k].start;

            /* A cancelled call has no new start to write. */
            if (s[i].exceptions[k].cancelled)
                continue;
            if (t < lo)
                lo = t;
            if (t + 86400 > hi)
                hi = t + 86400;
        }
        for (j = 0; j < nz; j++)
            if (strcmp(tzids[j], s[i].tzid) == 0)
                break;
        if (j == nz) {
            tzids[nz] = s[i].tzid;
            from[nz] = lo;
            to[nz] = hi;
            nz++;
        } else {
            from[j] = lo < from[j] ? lo : from[j];
            to[j] = hi > to[j] ? hi : to[j];
        }
    }
    d->zones = mg_xcalloc(nz ? nz : 1, sizeof(*d->zones));
    for (j = 0; j < nz; j++) {
        rc = vzone_build(&d->zones[j], tzids[j], from[j], to[j], err);
        if (rc < 0)
            goto out;
        d->n_zones++;
    }
out:
    free(tzids);
    free(from);
    free(to);
    return rc;
}

/* A time in the series' zone; the TZID comes from the private zone. */
static int local_time(struct icaltimetype *out, struct vzone *z, int64_t t,
                      struct mg_error *err)
{
    struct mg_local_time lt;
    int rc = mg_schedule_utc_to_local(&lt, z->tzid, t, err);

    if (rc < 0)
        return rc;
    *out = vzone_civil(t + lt.utc_offset, z->zone);
    return 0;
}

/* Is `lt` a wall time that happens exactly once in the zone? Readers
 * disagree on the others (RFC 5545 3.3.5 says how to read them). */
static int plain_wall(const char *tzid, const struct mg_local_time *lt)
{
    enum mg_wall_kind kind;

    return mg_schedule_wall_kind(&kind, tzid, lt, NULL) == 0 &&
           kind == MG_WALL_PLAIN;
}

/* Is instant `t` the only one that shows its wall time in the zone? */
static int plain_instant(struct vzone *z, int64_t t)
{
    struct mg_local_time lt;

    return mg_schedule_utc_to_local(&lt, z->tzid, t, NULL) == 0 &&
           plain_wall(z->tzid, &lt);
}

/* Is week `i` of the rule a wall time that happens once? */
static int plain_week(const struct occurrences *o, int i)
{
    return o->kind[i] == MG_WALL_PLAIN;
}

/* Week `i` of the rule as the rule writes it (a floating time). */
static struct icaltimetype rule_time(const struct occurrences *o, int i)
{
    struct mg_local_time lt = o->wall;
    struct icaltimetype tt = icaltime_null_time();

    add_days(&lt, 7 * i);
    tt.year = lt.year;
    tt.month = lt.month;
    tt.day = lt.day;
    tt.hour = lt.hour;
    tt.minute = lt.minute;
    tt.second = lt.second;
    return tt;
}

/* The start or end of one call: local time where that wall time happens
 * once, else UTC (in a repeated hour, where readers disagree on which of
 * the two is meant). */
static int call_time(struct icaltimetype *out, struct doc *d, struct vzone *z,
                     int64_t t, struct mg_error *err)
{
    if (!plain_instant(z, t)) {
        *out = vzone_civil(t, d->utc);
        return 0;
    }
    return local_time(out, z, t, err);
}

/* RECURRENCE-ID and EXDATE: libical writes no TZID for them, so the time
 * goes in floating and the parameter is added here. The value is the one
 * the rule gives for that week (which, in a daylight-saving gap, is not
 * the wall time of the instant). */
static int add_local_prop(icalcomponent *ev, icalproperty_kind kind,
                          struct vzone *z, const struct occurrences *o,
                          int64_t t, struct mg_error *err)
{
    struct icaltimetype tt;
    icalproperty *p;
    int week = occurrence_index(o, t), rc = 0;

    if (week >= 0)
        tt = rule_time(o, week);
    else
        rc = local_time(&tt, z, t, err);
    if (rc < 0)
        return rc;
    tt.zone = NULL;
    if (kind == ICAL_RECURRENCEID_PROPERTY)
        p = icalproperty_new_recurrenceid(tt);
    else
        p = icalproperty_new_exdate(tt);
    icalproperty_add_parameter(p, icalparameter_new_tzid(z->tzid));
    icalcomponent_add_property(ev, p);
    return 0;
}

static void add_text(icalcomponent *ev, icalproperty *(*make)(const char *),
                     const char *text)
{
    char *clean = clean_text(text);

    icalcomponent_add_property(ev, make(clean));
    free(clean);
}

/* ATTENDEE with CN, ROLE, PARTSTAT=NEEDS-ACTION and RSVP=TRUE. */
static icalproperty *attendee_new(const struct mg_ical_attendee *a)
{
    char *addr = mailto(a->email), *cn;
    icalproperty *p = icalproperty_new_attendee(addr);

    free(addr);
    if (a->name != NULL) {
        cn = clean_param(a->name);
        icalproperty_add_parameter(p, icalparameter_new_cn(cn));
        free(cn);
    }
    icalproperty_add_parameter(
        p, icalparameter_new_role(a->chair ? ICAL_ROLE_CHAIR
                                           : ICAL_ROLE_REQPARTICIPANT));
    icalproperty_add_parameter(
        p, icalparameter_new_partstat(ICAL_PARTSTAT_NEEDSACTION));
    icalproperty_add_parameter(p, icalparameter_new_rsvp(ICAL_RSVP_TRUE));
    return p;
}

static void add_people(icalcomponent *ev, const struct mg_ical_series *s)
{
    icalproperty *p;
    char *addr, *cn;
    size_t i;

    addr = mailto(s->organizer_email);
    p = icalproperty_new_organizer(addr);
    free(addr);
    if (s->organizer_name != NULL) {
        cn = clean_param(s->organizer_name);
        icalproperty_add_parameter(p, icalparameter_new_cn(cn));
        free(cn);
    }
    icalcomponent_add_property(ev, p);
    for (i = 0; i < s->n_attendees; i++)
        icalcomponent_add_property(ev, attendee_new(&s->attendees[i]));
}

/* A VALARM: ACTION:DISPLAY with the call's summary, `alarm_minutes`
 * before its start (RFC 5545 3.6.6). */
static icalcomponent *alarm_new(const struct mg_ical_series *s)
{
    icalcomponent *alarm = icalcomponent_new_valarm();
    struct icaltriggertype trigger;

    memset(&trigger, 0, sizeof(trigger));
    trigger.time = icaltime_null_time();
    trigger.duration = icaldurationtype_null_duration();
    trigger.duration.is_neg = 1;
    trigger.duration.days = (unsigned int)(s->alarm_minutes / 1440);
    trigger.duration.hours = (unsigned int)(s->alarm_minutes % 1440 / 60);
    trigger.duration.minutes = (unsigned int)(s->alarm_minutes % 60);
    icalcomponent_add_property(alarm,
                               icalproperty_new_action(ICAL_ACTION_DISPLAY));
    add_text(alarm, icalproperty_new_description,
             s->summary && *s->summary ? s->summary : "Call");
    icalcomponent_add_property(alarm, icalproperty_new_trigger(trigger));
    return alarm;
}

/*
 * A VEVENT of series `s` starting at `start` for `minutes`: the series
 * itself (recurrence_id 0) or one occurrence of it.
 */
static int event_new(icalcomponent **out, struct doc *d,
                     const struct mg_ical_series *s,
                     const struct occurrences *o, int64_t recurrence_id,
                     int64_t start, int minutes, const char *description,
                     int cancelled, struct mg_error *err)
{
    icalcomponent *ev = icalcomponent_new_vevent();
    struct vzone *z = zone_of(d, s->tzid);
    struct icaltimetype tt;
    int64_t end = start + (int64_t)minutes * 60;
    size_t i;
    int rc = 0, with_end = 1;

    icalcomponent_add_property(ev, icalproperty_new_uid(s->uid));
    icalcomponent_add_property(
        ev, icalproperty_new_dtstamp(vzone_civil(d->now, d->utc)));
    if (recurrence_id != 0) {
        rc = add_local_prop(ev, ICAL_RECURRENCEID_PROPERTY, z, o, recurrence_id,
                            err);
        if (rc < 0)
            goto out;
    }
    /*
     * set_dtstart writes the TZID of the time's zone: our private one,
     * named with the plain IANA name. The series starts at the rule's
     * wall time, even where week 1 is in a gap and so happens later.
     */
    if (recurrence_id == 0) {
        tt = rule_time(o, 0);
        tt.zone = z->zone;
        with_end = plain_week(o, 0) && plain_instant(z, end);
    } else {
        rc = call_time(&tt, d, z, start, err);
    }
    if (rc < 0)
        goto out;
    icalcomponent_set_dtstart(ev, tt);
    /* The series' end as a local time where both its ends happen once
     * that day, else as a DURATION (which readers take as exact). */
    if (with_end) {
        rc = call_time(&tt, d, z, end, err);
        if (rc < 0)
            goto out;
        icalcomponent_set_dtend(ev, tt);
    } else {
        struct icaldurationtype dur = icaldurationtype_null_duration();

        dur.hours = (unsigned int)(minutes / 60);
        dur.minutes = (unsigned int)(minutes % 60);
        icalcomponent_set_duration(ev, dur);
    }
    if (recurrence_id == 0) {
        struct icalrecurrencetype r;

        icalrecurrencetype_clear(&r);
        r.freq = ICAL_WEEKLY_RECURRENCE;
        r.count = s->count;
        /*
         * Week 1 in a gap: node-ical (as Google) reads DTSTART as the
         * instant after the gap and would repeat that wall time; the
         * rule's own hour and minute, which only repeat DTSTART's, keep
         * the later weeks at the slot's time there too.
         */
        if (o->kind[0] == MG_WALL_SKIPPED) {
            r.by_hour[0] = (short)o->wall.hour;
            r.by_hour[1] = ICAL_RECURRENCE_ARRAY_MAX;
            r.by_minute[0] = (short)o->wall.minute;
            r.by_minute[1] = ICAL_RECURRENCE_ARRAY_MAX;
            r.by_second[0] = (short)o->wall.second;
            r.by_second[1] = ICAL_RECURRENCE_ARRAY_MAX;
        }
        icalcomponent_add_property(ev, icalproperty_new_rrule(r));
    }
    icalcomponent_add_property(ev, icalproperty_new_sequence(s->sequence));
    icalcomponent_add_property(
        ev, icalproperty_new_status(cancelled ? ICAL_STATUS_CANCELLED
                                              : ICAL_STATUS_CONFIRMED));
    add_text(ev, icalproperty_new_summary, s->summary);
    if (description != NULL)
        add_text(ev, icalproperty_new_description, description);
    if (s->url != NULL) {
        icalproperty *p = icalproperty_new_conference(s->url);

        icalcomponent_add_property(ev, icalproperty_new_url(s->url));
        icalcomponent_add_property(ev, icalproperty_new_location(s->url));
        icalproperty_add_parameter(p, icalparameter_new_value(ICAL_VALUE_URI));
        icalparameter *feature = icalparameter_new_x("AUDIO,VIDEO");

        /* RFC 7986 5.11: one FEATURE parameter with both values (libical
         * would write FEATURE twice, which RFC 5545 does not allow) */
        icalparameter_set_xname(feature, "FEATURE");
        icalproperty_add_parameter(p, feature);
        icalcomponent_add_property(ev, p);
    }
    /* A reminder before each call (a CANCEL takes the event away, and a
     * cancelled call needs none). */
    if (s->alarm_minutes > 0 && d->kind != KIND_CANCEL && !cancelled)
        icalcomponent_add_component(ev, alarm_new(s));
    /* The series' cancelled weeks (a CANCEL of the series names none). */
    for (i = 0;
         recurrence_id == 0 && d->kind != KIND_CANCEL && i < s->n_exceptions;
         i++) {
        if (!s->exceptions[i].cancelled)
            continue;
        rc = add_local_prop(ev, ICAL_EXDATE_PROPERTY, z, o,
                            s->exceptions[i].original_start, err);
        if (rc < 0)
            goto out;
    }
    /* People last: a prepared message replaces its ATTENDEE there. */
    if (d->kind != KIND_FEED)
        add_people(ev, s);
    *out = ev;
    ev = NULL;
out:
    if (ev)
        icalcomponent_free(ev);
    return rc;
}

/*
 * The week of `o` an exception belongs to: the occurrence nearest its
 * original start, within half a day. The caller made that instant from
 * the slot's wall time, which a daylight-saving gap can put an hour away
 * from the rule's expansion; the exception then names the expansion's
 * instant (RECURRENCE-ID and EXDATE must name what readers expand).
 * -1 when no week is that near.
 */
static int week_of(const struct occurrences *o, int64_t original)
{
    int i, best = -1;
    int64_t gap = 12 * 3600;

    for (i = 0; i < o->count; i++) {
        int64_t dt = o->start[i] > original ? o->start[i] - original
                                            : original - o->start[i];
        if (dt < gap) {
            gap = dt;
            best = i;
        }
    }
    return best;
}

/* The series with its EXDATEs, then a VEVENT per moved occurrence. */
static int add_series(icalcomponent *cal, struct doc *d,
                      const struct mg_ical_series *orig, struct mg_error *err)
{
    struct occurrences o = {0};
    icalcomponent *ev = NULL;
    struct mg_ical_series copy = *orig, *s = &copy;
    struct mg_ical_exception *x_at = NULL;
    size_t i, n = 0;
    int w, rc = occurrences_get(&o, s, err);

    if (rc < 0)
        goto out;
    /* Exceptions by week; one no week is near is left out, not the
     * whole document (a feed must render). */
    x_at = mg_xcalloc(orig->n_exceptions + 1, sizeof(*x_at));
    for (i = 0; i < orig->n_exceptions; i++) {
        int k = week_of(&o, orig->exceptions[i].original_start);

        if (k < 0)
            continue;
        x_at[n] = orig->exceptions[i];
        x_at[n++].original_start = o.start[k];
    }
    copy.exceptions = x_at;
    copy.n_exceptions = n;
    rc = event_new(&ev, d, s, &o, 0, s->first_start, s->minutes, s->description,
                   s->cancelled, err);
    if (rc < 0)
        goto out;
    icalcomponent_add_component(cal, ev);
    ev = NULL;
    /*
     * A week whose wall time is skipped or repeated that day: readers
     * disagree on where the rule puts it (ical.js and vobject put a
     * skipped 02:30 an hour early, most take the second of a repeated
     * one where RFC 5545 says the first), so it also gets a VEVENT of its
     * own with the instant it happens, unless it is an exception already.
     */
    for (w = 0; w < o.count; w++) {
        if (plain_week(&o, w))
            continue;
        for (i = 0; i < s->n_exceptions; i++)
            if (s->exceptions[i].original_start == o.start[w])
                break;
        if (i < s->n_exceptions)
            continue;
        rc = event_new(&ev, d, s, &o, o.start[w], o.start[w], s->minutes,
                       s->description, s->cancelled, err);
        if (rc < 0)
            goto out;
        icalcomponent_add_component(cal, ev);
        ev = NULL;
    }
    for (i = 0; i < s->n_exceptions; i++) {
        const struct mg_ical_exception *x = &s->exceptions[i];

        if (x->cancelled)
            continue;
        rc = event_new(&ev, d, s, &o, x->original_start, x->start,
                       x->minutes ? x->minutes : s->minutes,
                       x->description ? x->description : s->description,
                       s->cancelled, err);
        if (rc < 0)
            goto out;
        icalcomponent_add_component(cal, ev);
        ev = NULL;
    }
out:
    free(x_at);
    free(o.start);
    free(o.kind);
    return rc;
}

static icalcomponent *calendar_new(void)
{
    icalcomponent *cal = icalcomponent_new_vcalendar();

    icalcomponent_add_property(cal, icalproperty_new_prodid(PRODID));
    icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
    icalcomponent_add_property(cal, icalproperty_new_calscale("GREGORIAN"));
    return cal;
}

static icalproperty *x_prop(const char *name, const char *value)
{
    /* libical writes X- values as they are (escaping only backslashes),
     * which is what clients that read X-WR-CALNAME expect. */
    icalproperty *p = icalproperty_new_x(value);

    icalproperty_set_x_name(p, name);
    return p;
}

static void doc_init(struct doc *d, enum kind kind, int64_t now)
{
    memset(d, 0, sizeof(*d));
    d->kind = kind;
    d->now = now;
    mg_schedule_lock();
    d->utc = icaltimezone_get_utc_timezone();
    mg_schedule_unlock();
}

static void doc_release(struct doc *d)
{
    size_t i;

    for (i = 0; i < d->n_zones; i++)
        vzone_release(&d->zones[i]);
    free(d->zones);
    memset(d, 0, sizeof(*d));
}

static void add_zones(icalcomponent *cal, struct doc *d)
{
    size_t i;

    for (i = 0; i < d->n_zones; i++)
        icalcomponent_add_component(
            cal, icalcomponent_new_clone(d->zones[i].vtimezone));
}

/* The document as text, in our allocator. */
static char *as_string(icalcomponent *cal)
{
    static const char quoted[] = ";FEATURE=\"AUDIO,VIDEO\"";
    char *ical = icalcomponent_as_ical_string_r(cal);
    char *s = mg_xstrdup(ical), *at;

    /* libical 3.0 quotes a parameter value with a comma; FEATURE is a
     * list (RFC 7986 5.11), written bare. Early in its line: never
     * folded. */
    for (at = strstr(s, quoted); at; at = strstr(at, quoted)) {
        memmove(at + 9, at + 10, strlen(at + 10) + 1);
        at += 9 + 11;
        memmove(at, at + 1, strlen(at + 1) + 1);
    }

    icalmemory_free_buffer(ical);
    return s;
}

int mg_ical_feed(char **out, const char *name, const struct mg_ical_series *s,
                 size_t n, int64_t now, struct mg_error *err)
{
    icalcomponent *cal = NULL;
    struct icaldurationtype hour = icaldurationtype_null_duration();
    icalproperty *p;
    struct doc d;
    char *x;
    size_t i;
    int rc = 0;

    doc_init(&d, KIND_FEED, now);
    if (name == NULL) {
        mg_error_set(err, "name", "a feed needs a name");
        rc = MG_EINVAL;
        goto out;
    }
    for (i = 0; i < n; i++) {
        rc = series_check(&s[i], KIND_FEED, err);
        if (rc < 0)
            goto out;
    }
    rc = zones_build(&d, s, n, err);
    if (rc < 0)
        goto out;
    cal = calendar_new();
    /* One line: a calendar's name is a title. */
    x = clean_line(name);
    icalcomponent_add_property(cal, icalproperty_new_name(x));
    icalcomponent_add_property(cal, x_prop("X-WR-CALNAME", x));
    free(x);
    /* RFC 7986 says how often to poll; X-PUBLISHED-TTL is what Outlook
     * and older clients read. */
    hour.hours = 1;
    p = icalproperty_new_refreshinterval(hour);
    icalproperty_add_parameter(p, icalparameter_new_value(ICAL_VALUE_DURATION));
    icalcomponent_add_property(cal, p);
    icalcomponent_add_property(cal, x_prop("X-PUBLISHED-TTL", "PT1H"));
    add_zones(cal, &d);
    for (i = 0; i < n; i++) {
        rc = add_series(cal, &d, &s[i], err);
        if (rc < 0)
            goto out;
    }
    *out = as_string(cal);
out:
    if (cal)
        icalcomponent_free(cal);
    doc_release(&d);
    return rc;
}

/*
 * The shape of a message as icalrestriction_check() sees it: which
 * components and properties it holds, how many, their parameters, and the
 * values the rules depend on (METHOD, STATUS). Members of one group get
 * messages of the same shape that differ only in UID, SEQUENCE, times,
 * names and addresses, so a shape that passed once passes again: the
 * check runs once per shape, not once per member (for 50,000 members it
 * was half the time spent).
 */
static void shape_of(struct mg_buf *b, icalcomponent *c)
{
    icalproperty *p;
    icalcomponent *sub;

    mg_buf_printf(b, "[%s", icalcomponent_kind_to_string(icalcomponent_isa(c)));
    for (p = icalcomponent_get_first_property(c, ICAL_ANY_PROPERTY); p;
         p = icalcomponent_get_next_property(c, ICAL_ANY_PROPERTY)) {
        icalparameter *par;
        icalproperty_kind k = icalproperty_isa(p);

        mg_buf_printf(b, " %s", icalproperty_kind_to_string(k));
        if (k == ICAL_METHOD_PROPERTY || k == ICAL_STATUS_PROPERTY)
            mg_buf_printf(b, "=%s", icalproperty_get_value_as_string(p));
        for (par = icalproperty_get_first_parameter(p, ICAL_ANY_PARAMETER); par;
             par = icalproperty_get_next_parameter(p, ICAL_ANY_PARAMETER))
            mg_buf_printf(b, ";%s",
                          icalparameter_kind_to_string(icalparameter_isa(par)));
    }
    for (sub = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT); sub;
         sub = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT))
        shape_of(b, sub);
    mg_buf_puts(b, "]");
}

#define SHAPES 32
static char *passed_shapes[SHAPES];
static size_t next_shape;
static pthread_mutex_t shapes_lock = PTHREAD_MUTEX_INITIALIZER;

static int shape_passed(const char *shape)
{
    size_t i;
    int hit = 0;

    pthread_mutex_lock(&shapes_lock);
    for (i = 0; i < SHAPES && !hit; i++)
        hit = passed_shapes[i] && strcmp(passed_shapes[i], shape) == 0;
    pthread_mutex_unlock(&shapes_lock);
    return hit;
}

static void shape_remember(char *shape)
{
    pthread_mutex_lock(&shapes_lock);
    free(passed_shapes[next_shape]);
    passed_shapes[next_shape] = shape;
    next_shape = (next_shape + 1) % SHAPES;
    pthread_mutex_unlock(&shapes_lock);
}

/* The first error libical's iTIP rules found, as a message. */
static int restriction_check(icalcomponent *cal, struct mg_error *err)
{
    icalcomponent *copy = NULL, *c;
    struct mg_buf shape = MG_BUF_INIT;
    const char *what = NULL;
    int rc = 0;

    shape_of(&shape, cal);
    if (shape_passed(shape.data)) {
        mg_buf_release(&shape);
        return 0;
    }
    copy = icalcomponent_new_clone(cal);
    if (icalrestriction_check(copy) && icalcomponent_count_errors(copy) == 0) {
        shape_remember(mg_buf_detach(&shape));
        goto out;
    }
    for (c = icalcomponent_get_first_component(copy, ICAL_ANY_COMPONENT);
         c != NULL && what == NULL;
         c = icalcomponent_get_next_component(copy, ICAL_ANY_COMPONENT)) {
        icalproperty *p =
            icalcomponent_get_first_property(c, ICAL_XLICERROR_PROPERTY);
        if (p)
            what = icalproperty_get_xlicerror(p);
    }
    if (what == NULL) {
        icalproperty *p =
            icalcomponent_get_first_property(copy, ICAL_XLICERROR_PROPERTY);
        if (p)
            what = icalproperty_get_xlicerror(p);
    }
    mg_error_set(err, "itip", "invalid iTIP message: %s",
                 what ? what : "restriction check failed");
    rc = MG_EINVAL;
out:
    mg_buf_release(&shape);
    icalcomponent_free(copy);
    return rc;
}

/* The CANCEL for one occurrence: its RECURRENCE-ID and STATUS:CANCELLED. */
static int add_occurrence_cancel(icalcomponent *cal, struct doc *d,
                                 const struct mg_ical_series *s,
                                 int64_t original, struct mg_error *err)
{
    struct occurrences o = {0};
    icalcomponent *ev = NULL;
    int64_t start = original;
    int minutes = s->minutes;
    size_t i;
    int rc = occurrences_get(&o, s, err);

    if (rc < 0)
        goto out;
    if (!is_occurrence(&o, original)) {
        mg_error_set(err, "occurrence", "%lld is not a week of '%s'",
                     (long long)original, s->uid);
        rc = MG_EINVAL;
        goto out;
    }
    /* A moved call is cancelled where it was moved to. */
    for (i = 0; i < s->n_exceptions; i++) {
        if (s->exceptions[i].original_start == original &&
            !s->exceptions[i].cancelled) {
            start = s->exceptions[i].start;
            if (s->exceptions[i].minutes)
                minutes = s->exceptions[i].minutes;
        }
    }
    rc = event_new(&ev, d, s, &o, original, start, minutes, s->description, 1,
                   err);
    if (rc < 0)
        goto out;
    icalcomponent_add_component(cal, ev);
out:
    free(o.start);
    free(o.kind);
    return rc;
}

/* The iTIP document of `s` (see mg_ical_itip), not yet checked. */
static int itip_build(icalcomponent **out, struct doc *d,
                      const struct mg_ical_series *s, int64_t only_occurrence,
                      struct mg_error *err)
{
    icalcomponent *cal = NULL, *ev = NULL;
    struct occurrences o = {0};
    int rc = series_check(s, d->kind, err);

    if (rc == 0)
        rc = zones_build(d, s, 1, err);
    if (rc < 0)
        return rc;
    cal = calendar_new();
    icalcomponent_add_property(
        cal,
        icalproperty_new_method(d->kind == KIND_CANCEL ? ICAL_METHOD_CANCEL
                                                       : ICAL_METHOD_REQUEST));
    add_zones(cal, d);
    if (d->kind == KIND_REQUEST) {
        rc = add_series(cal, d, s, err);
    } else if (only_occurrence != 0) {
        rc = add_occurrence_cancel(cal, d, s, only_occurrence, err);
    } else {
        /* The whole series goes, however it was moved. */
        rc = occurrences_get(&o, s, err);
        if (rc == 0)
            rc = event_new(&ev, d, s, &o, 0, s->first_start, s->minutes,
                           s->description, 1, err);
        if (rc == 0)
            icalcomponent_add_component(cal, ev);
    }
    free(o.start);
    free(o.kind);
    if (rc < 0) {
        icalcomponent_free(cal);
        return rc;
    }
    *out = cal;
    return 0;
}

int mg_ical_itip(char **out, enum mg_itip_method method,
                 const struct mg_ical_series *s, int64_t only_occurrence,
                 int64_t now, struct mg_error *err)
{
    icalcomponent *cal = NULL;
    struct doc d;
    int rc;

    doc_init(&d, method == MG_ITIP_CANCEL ? KIND_CANCEL : KIND_REQUEST, now);
    rc = itip_build(&cal, &d, s, only_occurrence, err);
    if (rc == 0)
        rc = restriction_check(cal, err);
    if (rc == 0)
        *out = as_string(cal);
    if (cal)
        icalcomponent_free(cal);
    doc_release(&d);
    return rc;
}

/*
 * A prepared message: the document of one series, built once; each
 * member's copy differs in UID, SEQUENCE and ATTENDEE only, which are
 * replaced in place before it is written out. The restriction check runs
 * once for each form of ATTENDEE (with or without CN): nothing else can
 * change between members.
 */
struct mg_itip {
    struct doc d;
    icalcomponent *cal;
    int checked[2];
};

int mg_ical_itip_prepare(struct mg_itip **out, enum mg_itip_method method,
                         const struct mg_ical_series *s, int64_t now,
                         struct mg_error *err)
{
    struct mg_itip *t = mg_xcalloc(1, sizeof(*t));
    struct mg_ical_series shared = *s;
    int rc;

    shared.attendees = NULL;
    shared.n_attendees = 0;
    doc_init(&t->d, method == MG_ITIP_CANCEL ? KIND_CANCEL : KIND_REQUEST, now);
    rc = itip_build(&t->cal, &t->d, &shared, 0, err);
    if (rc < 0) {
        mg_ical_itip_free(t);
        return rc;
    }
    *out = t;
    return 0;
}

int mg_ical_itip_personal(char **out, struct mg_itip *t, const char *uid,
                          int sequence, const struct mg_ical_attendee *a,
                          struct mg_error *err)
{
    icalcomponent *ev;
    icalproperty *p;
    int form = a->name != NULL;

    if (uid == NULL || !uri_safe(uid) || strlen(uid) > 255 || sequence < 0) {
        mg_error_set(err, "uid", "a series needs a UID without spaces");
        return MG_EINVAL;
    }
    if (a->email == NULL || !uri_safe(a->email)) {
        mg_error_set(err, "attendees", "attendee 1 has a bad address");
        return MG_EINVAL;
    }
    for (ev = icalcomponent_get_first_component(t->cal, ICAL_VEVENT_COMPONENT);
         ev;
         ev = icalcomponent_get_next_component(t->cal, ICAL_VEVENT_COMPONENT)) {
        icalcomponent_set_uid(ev, uid);
        p = icalcomponent_get_first_property(ev, ICAL_SEQUENCE_PROPERTY);
        icalproperty_set_sequence(p, sequence);
        while ((p = icalcomponent_get_first_property(
                    ev, ICAL_ATTENDEE_PROPERTY)) != NULL) {
            icalcomponent_remove_property(ev, p);
            icalproperty_free(p);
        }
        icalcomponent_add_property(ev, attendee_new(a));
    }
    if (!t->checked[form]) {
        int rc = restriction_check(t->cal, err);
        if (rc < 0)
            return rc;
        t->checked[form] = 1;
    }
    *out = as_string(t->cal);
    return 0;
}

void mg_ical_itip_free(struct mg_itip *t)
{
    if (!t)
        return;
    if (t->cal)
        icalcomponent_free(t->cal);
    doc_release(&t->d);
    free(t);
}
