/*
 * tz.c: time zone lookups through libical's built-in zone table, which
 * Debian's libical reads from the system zoneinfo. libical loads zones
 * lazily into a shared cache, so lookups are serialised here.
 */
#include "internal.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <libical/ical.h>

#include "banned.h"

static pthread_mutex_t tz_lock = PTHREAD_MUTEX_INITIALIZER;

int mg_schedule_tz_valid(const char *tzid)
{
    icaltimezone *zone;
    size_t i, n = strlen(tzid);

    if (n == 0 || n > 64)
        return 0;
    /* IANA names are ASCII letters, digits and "/_-+"; reject the rest
     * before libical turns it into a file path. */
    for (i = 0; i < n; i++) {
        char ch = tzid[i];
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
              (ch >= '0' && ch <= '9') || ch == '/' || ch == '_' || ch == '-' ||
              ch == '+'))
            return 0;
    }
    /* Each segment of an IANA name starts with a capital letter
     * ("America/Argentina/Buenos_Aires", "Etc/GMT+12"); that rules out
     * empty segments, "..", and zoneinfo files that are not zones
     * ("localtime", "posixrules"). */
    for (i = 0; i < n; i++)
        if ((i == 0 || tzid[i - 1] == '/') &&
            !(tzid[i] >= 'A' && tzid[i] <= 'Z'))
            return 0;
    if (tzid[n - 1] == '/' || strcmp(tzid, "Factory") == 0)
        return 0;
    if (strcmp(tzid, "UTC") == 0)
        return 1;
    pthread_mutex_lock(&tz_lock);
    zone = mg_schedule_zone_locked(tzid);
    pthread_mutex_unlock(&tz_lock);
    return zone != NULL;
}

/*
 * libical finds a built-in zone by a linear search with strcmp over
 * every zone name; a circle uses one or two zones many thousands of
 * times, so the last few found are remembered here (under tz_lock).
 */
#define ZONE_CACHE 8
static struct {
    char name[72];
    icaltimezone *zone;
} zone_cache[ZONE_CACHE];
static int zone_cache_next;

icaltimezone *mg_schedule_zone_locked(const char *tzid)
{
    icaltimezone *zone;
    int i;

    if (strcmp(tzid, "UTC") == 0)
        return icaltimezone_get_utc_timezone();
    for (i = 0; i < ZONE_CACHE; i++)
        if (zone_cache[i].zone && strcmp(zone_cache[i].name, tzid) == 0)
            return zone_cache[i].zone;
    zone = icaltimezone_get_builtin_timezone(tzid);
    if (zone && strlen(tzid) < sizeof(zone_cache[0].name)) {
        snprintf(zone_cache[zone_cache_next].name, sizeof(zone_cache[0].name),
                 "%s", tzid);
        zone_cache[zone_cache_next].zone = zone;
        zone_cache_next = (zone_cache_next + 1) % ZONE_CACHE;
    }
    return zone;
}

void mg_schedule_shutdown(void)
{
    pthread_mutex_lock(&tz_lock);
    memset(zone_cache, 0, sizeof(zone_cache));
    icaltimezone_free_builtin_timezones();
    pthread_mutex_unlock(&tz_lock);
}

void mg_schedule_lock(void)
{
    pthread_mutex_lock(&tz_lock);
}

void mg_schedule_unlock(void)
{
    pthread_mutex_unlock(&tz_lock);
}
