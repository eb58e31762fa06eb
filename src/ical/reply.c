/*
 * reply.c: iTIP REPLYs (RFC 5546), an attendee's answer to an invitation,
 * read with libical's parser. Only what an RSVP needs is taken: the UID,
 * SEQUENCE, the one ATTENDEE and its PARTSTAT, and the RECURRENCE-ID as a
 * UTC instant. Whose answer it may be is the caller's business.
 */
#include "mingle/ical.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libical/ical.h>

#include "mingle/schedule.h"

#include "banned.h"

#define MAX_UID 255
#define MAX_EMAIL 254

static const char *const partstat_names[] = {"accepted", "declined",
                                             "tentative"};

const char *mg_ical_partstat_name(enum mg_partstat p)
{
    return partstat_names[p];
}

int mg_ical_partstat_parse(enum mg_partstat *out, const char *name)
{
    size_t i;

    for (i = 0; name && i < sizeof(partstat_names) / sizeof(*partstat_names);
         i++) {
        if (strcmp(name, partstat_names[i]) == 0) {
            *out = (enum mg_partstat)i;
            return 0;
        }
    }
    return MG_EINVAL;
}

void mg_ical_reply_release(struct mg_ical_reply *r)
{
    if (!r)
        return;
    free(r->uid);
    free(r->attendee);
    memset(r, 0, sizeof(*r));
}

/* The RECURRENCE-ID as read under the lock, resolved after it. */
struct recurrence {
    int present;
    struct icaltimetype t;
    char *tzid;       /* NULL: UTC or floating */
    int utc;          /* ends in Z */
    int64_t embedded; /* resolved with the document's VTIMEZONE, or 0 */
};

/* "mailto:Ana@X.org" as "ana@x.org"; NULL unless a plain address. */
static char *attendee_address(const char *value)
{
    char *out, *p;
    size_t n;

    if (!value || strncasecmp(value, "mailto:", 7) != 0)
        return NULL;
    value += 7;
    n = strlen(value);
    if (n < 3 || n > MAX_EMAIL || !strchr(value, '@'))
        return NULL;
    out = mg_xstrdup(value);
    for (p = out; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch <= 0x20 || ch == 0x7f || ch == '"' || ch == '<' || ch == '>') {
            free(out);
            return NULL;
        }
        *p = (char)tolower(ch);
    }
    return out;
}

static int partstat_of(enum mg_partstat *out, icalproperty *att,
                       struct mg_error *err)
{
    icalparameter *par =
        icalproperty_get_first_parameter(att, ICAL_PARTSTAT_PARAMETER);

    if (!par) {
        mg_error_set(err, "partstat", "the ATTENDEE has no PARTSTAT");
        return MG_EINVAL;
    }
    switch (icalparameter_get_partstat(par)) {
    case ICAL_PARTSTAT_ACCEPTED:
        *out = MG_PARTSTAT_ACCEPTED;
        return 0;
    case ICAL_PARTSTAT_DECLINED:
        *out = MG_PARTSTAT_DECLINED;
        return 0;
    case ICAL_PARTSTAT_TENTATIVE:
        *out = MG_PARTSTAT_TENTATIVE;
        return 0;
    case ICAL_PARTSTAT_DELEGATED:
        /* a place is the person's own: it cannot be handed on */
        mg_error_set(err, "partstat",
                     "PARTSTAT=DELEGATED: the attendee handed the invitation "
                     "to someone else, which mingle does not do");
        return MG_EINVAL;
    default:
        mg_error_set(err, "partstat",
                     "PARTSTAT must be ACCEPTED, DECLINED or TENTATIVE");
        return MG_EINVAL;
    }
}

/* Whether attendee `att` answered PARTSTAT=DELEGATED. */
static int delegated(icalproperty *att)
{
    icalparameter *par =
        icalproperty_get_first_parameter(att, ICAL_PARTSTAT_PARAMETER);

    return par && icalparameter_get_partstat(par) == ICAL_PARTSTAT_DELEGATED;
}

/* Read the RECURRENCE-ID of `ev`; with a TZID whose VTIMEZONE the
 * document carries, resolve it with that too (used when the TZID is no
 * IANA name, as Outlook's "New Zealand Standard Time"). */
static int recurrence_read(struct recurrence *r, icalcomponent *cal,
                           icalcomponent *ev, struct mg_error *err)
{
    icalproperty *p =
        icalcomponent_get_first_property(ev, ICAL_RECURRENCEID_PROPERTY);
    icalparameter *par;

    if (!p)
        return 0;
    if (icalcomponent_get_next_property(ev, ICAL_RECURRENCEID_PROPERTY)) {
        mg_error_set(err, "recurrence_id", "more than one RECURRENCE-ID");
        return MG_EINVAL;
    }
    r->present = 1;
    r->t = icalproperty_get_recurrenceid(p);
    if (icaltime_is_null_time(r->t) || !icaltime_is_valid_time(r->t) ||
        r->t.is_date) {
        mg_error_set(err, "recurrence_id", "RECURRENCE-ID is not a date-time");
        return MG_EINVAL;
    }
    r->utc = icaltime_is_utc(r->t);
    par = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);
    if (par && icalparameter_get_tzid(par) && !r->utc) {
        const char *tzid = icalparameter_get_tzid(par);
        icaltimezone *zone = icalcomponent_get_timezone(cal, tzid);

        r->tzid = mg_xstrdup(tzid);
        if (zone)
            r->embedded = (int64_t)icaltime_as_timet_with_zone(r->t, zone);
    }
    return 0;
}

/* The RECURRENCE-ID as a UTC instant, outside the lock (`schedule`
 * takes it itself). */
static int recurrence_resolve(int64_t *out, const struct recurrence *r,
                              struct mg_error *err)
{
    struct mg_local_time lt;
    const char *tzid = r->utc ? "UTC" : r->tzid;

    if (!tzid) {
        mg_error_set(err, "recurrence_id",
                     "RECURRENCE-ID has neither a TZID nor UTC time");
        return MG_EINVAL;
    }
    if (!r->utc && !mg_schedule_tz_valid(tzid)) {
        if (r->embedded > 0) {
            *out = r->embedded;
            return 0;
        }
        mg_error_set(err, "recurrence_id",
                     "unknown time zone '%s' and no VTIMEZONE for it", tzid);
        return MG_EINVAL;
    }
    memset(&lt, 0, sizeof(lt));
    lt.year = r->t.year;
    lt.month = r->t.month;
    lt.day = r->t.day;
    lt.hour = r->t.hour;
    lt.minute = r->t.minute;
    lt.second = r->t.second;
    return mg_schedule_local_to_utc(out, tzid, &lt, err);
}

/* Everything but the RECURRENCE-ID's zone; called with the lock held. */
static int read_locked(struct mg_ical_reply *out, struct recurrence *rec,
                       const char *text, struct mg_error *err)
{
    icalcomponent *cal = icalparser_parse_string(text), *ev, *next;
    icalproperty *p, *att;
    const char *uid;
    int rc = MG_EINVAL;

    if (!cal || icalcomponent_isa(cal) != ICAL_VCALENDAR_COMPONENT) {
        mg_error_set(err, "calendar", "not one VCALENDAR");
        goto out;
    }
    p = icalcomponent_get_first_property(cal, ICAL_METHOD_PROPERTY);
    if (!p || icalproperty_get_method(p) != ICAL_METHOD_REPLY) {
        mg_error_set(err, "method", "not an iTIP REPLY");
        goto out;
    }
    ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
    next = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT);
    if (!ev || next) {
        mg_error_set(err, "vevent", "a REPLY needs exactly one VEVENT");
        goto out;
    }
    p = icalcomponent_get_first_property(ev, ICAL_UID_PROPERTY);
    uid = p ? icalproperty_get_uid(p) : NULL;
    if (!uid || !*uid || strlen(uid) > MAX_UID) {
        mg_error_set(err, "uid", "a REPLY needs a UID");
        goto out;
    }
    p = icalcomponent_get_first_property(ev, ICAL_SEQUENCE_PROPERTY);
    out->sequence = p ? icalproperty_get_sequence(p) : 0;
    if (out->sequence < 0) {
        mg_error_set(err, "sequence", "SEQUENCE is negative");
        goto out;
    }
    att = icalcomponent_get_first_property(ev, ICAL_ATTENDEE_PROPERTY);
    if (!att) {
        mg_error_set(err, "attendee", "a REPLY needs exactly one ATTENDEE");
        goto out;
    }
    if (icalcomponent_get_next_property(ev, ICAL_ATTENDEE_PROPERTY)) {
        icalproperty *a;
        enum mg_partstat ignored;

        /* a delegation names the delegate too: say it is one */
        for (a = icalcomponent_get_first_property(ev, ICAL_ATTENDEE_PROPERTY);
             a;
             a = icalcomponent_get_next_property(ev, ICAL_ATTENDEE_PROPERTY)) {
            if (delegated(a)) {
                partstat_of(&ignored, a, err); /* says why */
                goto out;
            }
        }
        mg_error_set(
            err, "attendee",
            "the REPLY has %d ATTENDEEs; it must answer for one",
            icalcomponent_count_properties(ev, ICAL_ATTENDEE_PROPERTY));
        goto out;
    }
    out->attendee = attendee_address(icalproperty_get_attendee(att));
    if (!out->attendee) {
        mg_error_set(err, "attendee", "the ATTENDEE is not a mailto: address");
        goto out;
    }
    if (partstat_of(&out->partstat, att, err) < 0)
        goto out;
    rc = recurrence_read(rec, cal, ev, err);
    if (rc == 0)
        out->uid = mg_xstrdup(uid);
out:
    if (cal)
        icalcomponent_free(cal);
    return rc;
}

int mg_ical_parse_reply(struct mg_ical_reply *out, const char *text,
                        struct mg_error *err)
{
    struct recurrence rec;
    int rc;

    memset(out, 0, sizeof(*out));
    memset(&rec, 0, sizeof(rec));
    if (!text || !*text) {
        mg_error_set(err, "calendar", "empty calendar");
        return MG_EINVAL;
    }
    /* libical's parser and zones share state that is not thread-safe. */
    mg_schedule_lock();
    rc = read_locked(out, &rec, text, err);
    mg_schedule_unlock();
    if (rc == 0 && rec.present)
        rc = recurrence_resolve(&out->recurrence_id, &rec, err);
    if (rc < 0)
        mg_ical_reply_release(out);
    free(rec.tzid);
    return rc;
}

char *mg_ical_reply_uid(const char *text)
{
    icalcomponent *cal, *ev;
    icalproperty *p;
    const char *uid = NULL;
    char *out = NULL;

    if (!text || !*text)
        return NULL;
    mg_schedule_lock();
    cal = icalparser_parse_string(text);
    if (cal && icalcomponent_isa(cal) == ICAL_VCALENDAR_COMPONENT) {
        p = icalcomponent_get_first_property(cal, ICAL_METHOD_PROPERTY);
        ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
        if (p && icalproperty_get_method(p) == ICAL_METHOD_REPLY && ev) {
            p = icalcomponent_get_first_property(ev, ICAL_UID_PROPERTY);
            uid = p ? icalproperty_get_uid(p) : NULL;
        }
        if (uid && *uid && strlen(uid) <= MAX_UID)
            out = mg_xstrdup(uid);
    }
    if (cal)
        icalcomponent_free(cal);
    mg_schedule_unlock();
    return out;
}
