/*
 * ical: iCalendar documents for a circle's weekly calls, with libical.
 * Feeds (RFC 5545/7986: no METHOD, no ATTENDEE) that calendar apps
 * subscribe to, and iTIP messages (RFC 5546: METHOD:REQUEST or CANCEL)
 * that go out by mail. Every series is one VEVENT with a weekly RRULE in
 * the circle's time zone; a moved call is a VEVENT with RECURRENCE-ID, a
 * cancelled one an EXDATE (feeds) or a CANCEL for that RECURRENCE-ID.
 * Each time zone used gets exactly one compact VTIMEZONE whose TZID is
 * the plain IANA name.
 */
#ifndef MINGLE_ICAL_H
#define MINGLE_ICAL_H

#include <stddef.h>
#include <stdint.h>

#include "mingle/core.h"

/* One occurrence of a series that differs from the rule. */
struct mg_ical_exception {
    int64_t original_start; /* UTC instant the rule gives (RECURRENCE-ID) */
    int64_t start;          /* UTC instant it happens instead */
    int minutes;
    int cancelled;           /* nonzero: it does not happen */
    const char *description; /* may be NULL: the series' one */
};

struct mg_ical_attendee {
    const char *name;  /* CN, may be NULL */
    const char *email; /* lower-cased in the mailto: */
    int chair;         /* facilitator: ROLE=CHAIR, else REQ-PARTICIPANT */
};

/* A weekly series: one group's calls as one member (or the group) sees them. */
struct mg_ical_series {
    const char *uid; /* stable, random, not an email */
    const char *tzid;
    int64_t first_start; /* UTC instant of week 1 */
    /*
     * The wall time the weekly rule keeps, as minutes after local
     * midnight, when has_slot_minute is set (else first_start's own wall
     * time). It differs from first_start's when week 1 falls in a
     * daylight-saving gap: a 02:30 slot on the night clocks jump from
     * 02:00 to 03:00 starts at 03:30 that week, and 02:30 after it, so
     * DTSTART says 02:30 (RFC 5545 3.3.5 reads it as 03:30 that day).
     */
    int has_slot_minute;
    int slot_minute;
    int minutes;
    int count;               /* weeks: RRULE:FREQ=WEEKLY;COUNT=count */
    int sequence;            /* only ever goes up */
    int cancelled;           /* the whole series (STATUS:CANCELLED) */
    const char *summary;     /* circle, group and thread */
    const char *description; /* readings, the video link */
    const char *url;         /* video call; URL, LOCATION and CONFERENCE */
    int alarm_minutes; /* a VALARM (DISPLAY) this long before each call of a
                          REQUEST or feed; 0: none */
    const struct mg_ical_exception *exceptions;
    size_t n_exceptions;
    const char *organizer_name;
    const char *organizer_email;
    const struct mg_ical_attendee *attendees; /* iTIP only */
    size_t n_attendees;
};

/*
 * A subscribable feed of `n` series: NAME and X-WR-CALNAME `name`,
 * REFRESH-INTERVAL PT1H, X-PUBLISHED-TTL. *out is the caller's (free()).
 * `now` is the DTSTAMP.
 */
int mg_ical_feed(char **out, const char *name, const struct mg_ical_series *s,
                 size_t n, int64_t now, struct mg_error *err);

enum mg_itip_method { MG_ITIP_REQUEST, MG_ITIP_CANCEL };

/*
 * An iTIP message for one series: REQUEST (the whole series with its
 * moved occurrences) or CANCEL (the whole series, or only the occurrence
 * whose original start is `only_occurrence` when nonzero). Checked with
 * icalrestriction_check() before it is returned. *out is the caller's.
 */
int mg_ical_itip(char **out, enum mg_itip_method method,
                 const struct mg_ical_series *s, int64_t only_occurrence,
                 int64_t now, struct mg_error *err);

/*
 * The same iTIP message for many members of one series: prepare it once
 * (s->attendees are ignored), then write each member's copy with the
 * UID and SEQUENCE they were sent (a group's members share the group's
 * UID) and their own ATTENDEE. A prepared message is used by one thread
 * at a time.
 */
struct mg_itip;
int mg_ical_itip_prepare(struct mg_itip **out, enum mg_itip_method method,
                         const struct mg_ical_series *s, int64_t now,
                         struct mg_error *err);
int mg_ical_itip_personal(char **out, struct mg_itip *t, const char *uid,
                          int sequence, const struct mg_ical_attendee *a,
                          struct mg_error *err);
void mg_ical_itip_free(struct mg_itip *t);

/* A new random UID ("<32 hex>@mingle"); `out` takes 48 bytes. */
void mg_ical_new_uid(char *out);

/* An attendee's answer in an iTIP REPLY. */
enum mg_partstat {
    MG_PARTSTAT_ACCEPTED,
    MG_PARTSTAT_DECLINED,
    MG_PARTSTAT_TENTATIVE
};

/* "accepted", "declined" or "tentative" (as the store keeps them). */
const char *mg_ical_partstat_name(enum mg_partstat p);
/* The reverse of mg_ical_partstat_name; MG_EINVAL for anything else. */
int mg_ical_partstat_parse(enum mg_partstat *out, const char *name);

/* What a REPLY says: who answers which series (or one occurrence of it). */
struct mg_ical_reply {
    char *uid;
    int sequence;   /* 0 when absent */
    char *attendee; /* the address, lower-case, without "mailto:" */
    enum mg_partstat partstat;
    int64_t recurrence_id; /* UTC instant of one occurrence; 0: the series */
};

/*
 * Read an iTIP REPLY (RFC 5546) as calendar clients send it: METHOD:REPLY,
 * exactly one VEVENT with a UID and exactly one ATTENDEE whose PARTSTAT is
 * ACCEPTED, DECLINED or TENTATIVE; anything else is MG_EINVAL with `err`
 * saying what. A RECURRENCE-ID in UTC, or with the TZID of an IANA zone,
 * is resolved with `schedule` (the zone data that placed the sessions);
 * any other TZID needs its VTIMEZONE in the document. Release *out with
 * mg_ical_reply_release().
 */
int mg_ical_parse_reply(struct mg_ical_reply *out, const char *text,
                        struct mg_error *err);
void mg_ical_reply_release(struct mg_ical_reply *r);

/*
 * The UID of the first VEVENT of iTIP REPLY `text`, for a REPLY that
 * mg_ical_parse_reply() refuses (to say whose it was); NULL when there is
 * none or `text` is no REPLY. The caller free()s it.
 */
char *mg_ical_reply_uid(const char *text);

#endif
