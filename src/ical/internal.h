/*
 * internal.h: what ical.c needs from vtimezone.c: one compact VTIMEZONE
 * for a zone over a span of time, and a private libical zone made from
 * it, so DTSTART's TZID is the plain IANA name and times are read with
 * exactly the rules the document carries.
 */
#ifndef MINGLE_ICAL_INTERNAL_H
#define MINGLE_ICAL_INTERNAL_H

#include <stdint.h>

#include <libical/ical.h>

#include "mingle/core.h"

struct vzone {
    char *tzid;
    icalcomponent *vtimezone; /* owned; add a clone to documents */
    icaltimezone *zone;       /* built from vtimezone; owned unless shared */
    int shared;               /* zone belongs to the cache (vtimezone.c) */
};

/*
 * Build the VTIMEZONE of `tzid` that agrees with the system's zone at
 * every instant of [from, to] (and a year either side): one STANDARD and
 * one DAYLIGHT with yearly RRULEs for a zone with daylight saving, one
 * STANDARD for a zone without. Release with vzone_release().
 */
int vzone_build(struct vzone *out, const char *tzid, int64_t from, int64_t to,
                struct mg_error *err);
void vzone_release(struct vzone *z);

/* UTC instant `t` as a libical time, floating (zone NULL) or in `zone`. */
struct icaltimetype vzone_civil(int64_t t, icaltimezone *zone);

#endif
