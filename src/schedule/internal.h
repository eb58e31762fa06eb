/*
 * internal.h: shared by the schedule module's files.
 */
#ifndef MINGLE_SCHEDULE_INTERNAL_H
#define MINGLE_SCHEDULE_INTERNAL_H

#include <libical/ical.h>

#include "mingle/schedule.h"

/* libical's zone for `tzid` (or UTC), remembered; NULL if unknown. Call
 * with mg_schedule_lock() held. */
icaltimezone *mg_schedule_zone_locked(const char *tzid);

#endif
