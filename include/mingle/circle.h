/*
 * circle: one run of a reading programme (a book, a time zone, a start
 * date, a number of weeks, weekly call slots, group size bounds). This
 * module holds the plain struct and the rules a circle must satisfy;
 * `store` saves it and `http` turns it into JSON.
 */
#ifndef MINGLE_CIRCLE_H
#define MINGLE_CIRCLE_H

#include <stddef.h>
#include <stdint.h>

#include "mingle/core.h"

#define MG_CIRCLE_MAX_WEEKS 104
#define MG_CIRCLE_MAX_SLOTS 28
#define MG_CIRCLE_MAX_GROUP 1000
#define MG_CIRCLE_MAX_TITLE 200
#define MG_CIRCLE_MAX_TARGET 100000
#define MG_CIRCLE_ALARM_DEFAULT 15
#define MG_CIRCLE_ALARM_MAX 10080 /* a week */
#define MG_CIRCLE_LANGUAGE_MAX 32 /* bytes of a language tag with its NUL */

/* A weekly call slot in the circle's local time. */
struct mg_slot {
    int64_t id;       /* store id, 0 before it is saved */
    int weekday;      /* 1 = Monday ... 7 = Sunday (ISO 8601) */
    int start_minute; /* minutes after local midnight, 0..1439 */
    int minutes;      /* duration, 5..480 */
};

struct mg_circle {
    int64_t id;
    char *slug; /* optional short name, [a-z0-9-], unique */
    char *title;
    char *time_zone;     /* IANA name, e.g. Pacific/Auckland */
    char start_date[11]; /* YYYY-MM-DD, the first week's Monday or any day */
    int weeks;
    struct mg_slot *slots; /* owned array of n_slots */
    size_t n_slots;
    int group_min;
    int group_max;
    char *video_url; /* optional */
    /* optional: each group's call link made from it (mg_circle_call_link),
     * e.g. "https://meet.jit.si/{circle}-{group}-{secret}" */
    char *call_url_template;
    /* minutes before each call of the calendar's alarm: 0 is the default
     * (MG_CIRCLE_ALARM_DEFAULT), -1 none; mg_circle_alarm() says which */
    int alarm_minutes;
    char *organizer_name;  /* optional */
    char *organizer_email; /* optional */
    int attendance_target; /* people per call the coordinator hopes for;
                              0: none */
    char language[MG_CIRCLE_LANGUAGE_MAX]; /* pages and mail in it, e.g.
                                              "en", "mi"; "" means "en" */
    int64_t created_at;
    int64_t updated_at;
};

/* A circle's key in group addresses, subject tags and file names: its
 * slug, else "c" and its id ("c12"). */
#define MG_CIRCLE_KEY_MAX 72 /* a 64-byte slug or "c" and an id, and NUL */
void mg_circle_key(char out[MG_CIRCLE_KEY_MAX], const struct mg_circle *c);

/* Free what `c` owns and zero it; the struct itself is the caller's. */
void mg_circle_release(struct mg_circle *c);
/* Release and free a heap circle; NULL is fine. */
void mg_circle_free(struct mg_circle *c);
/* Deep copy of `src` into `dst` (which is overwritten, not released). */
void mg_circle_copy(struct mg_circle *dst, const struct mg_circle *src);

/*
 * Check every rule: non-empty title without control characters, a known
 * IANA time zone, a real calendar date, 1..104 weeks, 1..28 distinct
 * slots, 1 <= group_min <= group_max <= 1000, an http(s) video URL, a
 * plausible organizer email, an attendance target of 0..100000, a
 * language tag whose catalog is installed (mg_i18n_available()).
 * MG_EINVAL with the field in `err`.
 */
int mg_circle_validate(const struct mg_circle *c, struct mg_error *err);

/*
 * Warnings about the circle's calls for the coordinator (the API's
 * `warnings`, the dashboard), as sentences in the current language: each
 * call date within the circle's weeks on which a slot's local time is
 * skipped or repeated by a daylight-saving change, where calendar apps
 * disagree on the time. *out holds *n strings (at most 20, then one
 * "and N more"); free with mg_circle_warnings_free().
 */
void mg_circle_warnings(char ***out, size_t *n, const struct mg_circle *c);
void mg_circle_warnings_free(char **w, size_t n);

/* The circle's language: c->language, or "en" when it is empty. The
 * string is the circle's; do not free it. */
const char *mg_circle_language(const struct mg_circle *c);

/* The minutes before each call that calendars alarm at, 0 for none. */
int mg_circle_alarm(const struct mg_circle *c);

/*
 * Check a call link template: an http(s) URL of at most 2000 bytes with
 * no spaces, quotes or angle brackets whose only braces are the
 * placeholders {circle}, {group} and {secret}. MG_EINVAL with the field
 * (`field`) in `err`. A template without {secret} passes, but
 * mg_circle_warnings() warns of it: groups meeting at once would share
 * a room.
 */
int mg_circle_call_template_check(const char *tpl, const char *field,
                                  struct mg_error *err);

/* A group's or a plenary's own call link: as a template, without any
 * placeholder. MG_EINVAL naming `field`. */
int mg_circle_call_url_check(const char *url, const char *field,
                             struct mg_error *err);

/*
 * The call link of a group of circle `c`: the group's own link `own`
 * when it has one (not NULL or ""), else the circle's template with
 * {circle} (its slug, else its id), {group} (the group's name made
 * URL-safe: lower-case letters, digits and '-'; its position when
 * nothing is left) and {secret} (`secret`, the group's random part)
 * filled in (not when the template has {secret} and `secret` is NULL
 * or "": no guessable room), else the circle's video_url, else NULL.
 * The caller frees it.
 */
char *mg_circle_call_link(const struct mg_circle *c, const char *own,
                          const char *group_name, int position,
                          const char *secret);

/* "monday".."sunday" (any case, or 3-letter) to 1..7; MG_EINVAL else. */
int mg_weekday_parse(int *out, const char *name);
/* 1..7 to "monday".."sunday". */
const char *mg_weekday_name(int weekday);

/* "HH:MM" to minutes after midnight; MG_EINVAL unless 00:00..23:59. */
int mg_time_parse(int *out, const char *s);

/* True if `s` is YYYY-MM-DD and names a real day of the Gregorian calendar. */
int mg_date_valid(const char *s);

/*
 * True if `s` looks like an email address fit for a header: one '@',
 * non-empty local part and a dotted domain, no spaces, quotes, angle
 * brackets or control characters, at most 254 bytes.
 */
int mg_email_valid(const char *s);

/* True if `s` has no control characters (CR, LF, NUL, ...) and is UTF-8. */
int mg_text_clean(const char *s);

#endif
