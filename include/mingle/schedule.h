/*
 * schedule: when calls happen. Session instants come from a circle's
 * slot, the week number and its IANA time zone, correct across daylight
 * saving changes. libical provides the time zone data.
 */
#ifndef MINGLE_SCHEDULE_H
#define MINGLE_SCHEDULE_H

#include <stdint.h>

/*
 * True if `tzid` names a time zone libical knows (the system's zoneinfo),
 * e.g. "Pacific/Auckland" or "UTC". Safe to call from several threads.
 */
int mg_schedule_tz_valid(const char *tzid);

/* Free libical's cached zones; call once at exit (keeps leak checkers quiet).
 */
void mg_schedule_shutdown(void);

#endif
