/*
 * circle.c: the rules a circle must satisfy and the small parsers they
 * use (weekdays, HH:MM, dates, email addresses). Validation names the
 * offending field so `http` and `cli` can point the user at it.
 */
#include "mingle/circle.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mingle/i18n.h"
#include "mingle/schedule.h"

#include "banned.h"

static const char *const weekday_names[] = {"monday",   "tuesday", "wednesday",
                                            "thursday", "friday",  "saturday",
                                            "sunday"};

void mg_circle_release(struct mg_circle *c)
{
    if (!c)
        return;
    free(c->slug);
    free(c->title);
    free(c->time_zone);
    free(c->slots);
    free(c->video_url);
    free(c->call_url_template);
    free(c->organizer_name);
    free(c->organizer_email);
    memset(c, 0, sizeof(*c));
}

void mg_circle_free(struct mg_circle *c)
{
    mg_circle_release(c);
    free(c);
}

static char *dup_or_null(const char *s)
{
    return s ? mg_xstrdup(s) : NULL;
}

void mg_circle_copy(struct mg_circle *dst, const struct mg_circle *src)
{
    *dst = *src;
    dst->slug = dup_or_null(src->slug);
    dst->title = dup_or_null(src->title);
    dst->time_zone = dup_or_null(src->time_zone);
    dst->video_url = dup_or_null(src->video_url);
    dst->call_url_template = dup_or_null(src->call_url_template);
    dst->organizer_name = dup_or_null(src->organizer_name);
    dst->organizer_email = dup_or_null(src->organizer_email);
    dst->slots = NULL;
    if (src->n_slots) {
        dst->slots = mg_xcalloc(src->n_slots, sizeof(*dst->slots));
        memcpy(dst->slots, src->slots, src->n_slots * sizeof(*dst->slots));
    }
}

int mg_weekday_parse(int *out, const char *name)
{
    int i;

    for (i = 0; i < 7; i++) {
        if (strcasecmp(name, weekday_names[i]) == 0 ||
            (strlen(name) == 3 &&
             strncasecmp(name, weekday_names[i], 3) == 0)) {
            *out = i + 1;
            return 0;
        }
    }
    return MG_EINVAL;
}

const char *mg_weekday_name(int weekday)
{
    if (weekday < 1 || weekday > 7)
        return "?";
    return weekday_names[weekday - 1];
}

static int two_digits(const char *s)
{
    if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]))
        return -1;
    return (s[0] - '0') * 10 + (s[1] - '0');
}

int mg_time_parse(int *out, const char *s)
{
    int h, m;

    if (strlen(s) != 5 || s[2] != ':')
        return MG_EINVAL;
    h = two_digits(s);
    m = two_digits(s + 3);
    if (h < 0 || m < 0 || h > 23 || m > 59)
        return MG_EINVAL;
    *out = h * 60 + m;
    return 0;
}

int mg_date_valid(const char *s)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int i, y = 0, mo, d, leap;

    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (i = 0; i < 4; i++) {
        if (!isdigit((unsigned char)s[i]))
            return 0;
        y = y * 10 + (s[i] - '0');
    }
    mo = two_digits(s + 5);
    d = two_digits(s + 8);
    if (y < 1900 || mo < 1 || mo > 12 || d < 1)
        return 0;
    leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= days[mo - 1] + (mo == 2 && leap);
}

/*
 * Well-formed UTF-8 (RFC 3629: no over-long forms, no surrogates, nothing
 * past U+10FFFF) without C0 controls or DEL.
 */
int mg_text_clean(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    while (*p) {
        unsigned char lo = 0x80, hi = 0xbf;
        int extra;

        if (*p < 0x20 || *p == 0x7f)
            return 0;
        if (*p < 0x80) {
            p++;
            continue;
        }
        if (*p >= 0xc2 && *p <= 0xdf) {
            extra = 1;
        } else if (*p >= 0xe0 && *p <= 0xef) {
            extra = 2;
            if (*p == 0xe0)
                lo = 0xa0; /* over-long */
            else if (*p == 0xed)
                hi = 0x9f; /* surrogates */
        } else if (*p >= 0xf0 && *p <= 0xf4) {
            extra = 3;
            if (*p == 0xf0)
                lo = 0x90; /* over-long */
            else if (*p == 0xf4)
                hi = 0x8f; /* past U+10FFFF */
        } else {
            return 0;
        }
        p++;
        if (*p < lo || *p > hi)
            return 0;
        p++;
        while (--extra) {
            if ((*p & 0xc0) != 0x80)
                return 0;
            p++;
        }
    }
    return 1;
}

int mg_email_valid(const char *s)
{
    const char *at = strchr(s, '@');
    const char *p;
    size_t n = strlen(s);

    if (n < 3 || n > 254 || !at || at == s || strchr(at + 1, '@'))
        return 0;
    for (p = s; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch <= ' ' || ch >= 0x7f || strchr("<>()[]\\,;:\"", ch))
            return 0;
    }
    p = at + 1;
    if (!strchr(p, '.') || p[0] == '.' || s[n - 1] == '.' || strstr(p, ".."))
        return 0;
    return 1;
}

static int slug_valid(const char *s)
{
    size_t i, n = strlen(s);

    if (n == 0 || n > 64 || s[0] == '-' || s[n - 1] == '-')
        return 0;
    for (i = 0; i < n; i++)
        if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) ||
              s[i] == '-'))
            return 0;
    return 1;
}

static int check_text(const char *value, const char *field, size_t max,
                      int required, struct mg_error *err)
{
    if (!value || !*value) {
        if (!required)
            return 0;
        mg_error_set(err, field, "'%s' is required", field);
        return MG_EINVAL;
    }
    if (strlen(value) > max) {
        mg_error_set(err, field, "'%s' is longer than %zu bytes", field, max);
        return MG_EINVAL;
    }
    if (!mg_text_clean(value)) {
        mg_error_set(err, field,
                     "'%s' must be UTF-8 without control characters", field);
        return MG_EINVAL;
    }
    return 0;
}

static int check_slots(const struct mg_circle *c, struct mg_error *err)
{
    size_t i, j;

    if (c->n_slots == 0) {
        mg_error_set(err, "slots", "at least one weekly call slot is needed");
        return MG_EINVAL;
    }
    if (c->n_slots > MG_CIRCLE_MAX_SLOTS) {
        mg_error_set(err, "slots", "at most %d slots", MG_CIRCLE_MAX_SLOTS);
        return MG_EINVAL;
    }
    for (i = 0; i < c->n_slots; i++) {
        const struct mg_slot *s = &c->slots[i];
        if (s->weekday < 1 || s->weekday > 7) {
            mg_error_set(err, "slots", "slot %zu: weekday must be 1..7", i);
            return MG_EINVAL;
        }
        if (s->start_minute < 0 || s->start_minute >= 24 * 60) {
            mg_error_set(err, "slots", "slot %zu: start must be 00:00..23:59",
                         i);
            return MG_EINVAL;
        }
        if (s->minutes < 5 || s->minutes > 480) {
            mg_error_set(err, "slots",
                         "slot %zu: minutes must be 5..480, not %d", i,
                         s->minutes);
            return MG_EINVAL;
        }
        for (j = 0; j < i; j++) {
            if (c->slots[j].weekday == s->weekday &&
                c->slots[j].start_minute == s->start_minute) {
                mg_error_set(err, "slots", "slot %zu repeats slot %zu", i, j);
                return MG_EINVAL;
            }
        }
    }
    return 0;
}

int mg_circle_validate(const struct mg_circle *c, struct mg_error *err)
{
    int rc;

    rc = check_text(c->title, "title", MG_CIRCLE_MAX_TITLE, 1, err);
    if (rc < 0)
        return rc;
    if (c->slug && !slug_valid(c->slug)) {
        mg_error_set(err, "slug",
                     "'slug' must be 1-64 of a-z, 0-9 and '-', not "
                     "starting or ending with '-'");
        return MG_EINVAL;
    }
    if (!c->time_zone || !*c->time_zone) {
        mg_error_set(err, "time_zone", "'time_zone' is required");
        return MG_EINVAL;
    }
    if (!mg_schedule_tz_valid(c->time_zone)) {
        mg_error_set(err, "time_zone",
                     "unknown time zone (use an IANA name such as "
                     "Pacific/Auckland)");
        return MG_EINVAL;
    }
    if (!mg_date_valid(c->start_date)) {
        mg_error_set(err, "start_date",
                     "'start_date' must be a real date as YYYY-MM-DD");
        return MG_EINVAL;
    }
    if (c->weeks < 1 || c->weeks > MG_CIRCLE_MAX_WEEKS) {
        mg_error_set(err, "weeks", "'weeks' must be 1..%d",
                     MG_CIRCLE_MAX_WEEKS);
        return MG_EINVAL;
    }
    rc = check_slots(c, err);
    if (rc < 0)
        return rc;
    if (c->group_min < 1 || c->group_max > MG_CIRCLE_MAX_GROUP ||
        c->group_min > c->group_max) {
        mg_error_set(err, "group_size",
                     "group size needs 1 <= min <= max <= %d (got %d-%d)",
                     MG_CIRCLE_MAX_GROUP, c->group_min, c->group_max);
        return MG_EINVAL;
    }
    rc = check_text(c->video_url, "video_url", 2000, 0, err);
    if (rc < 0)
        return rc;
    /* The link goes into calendars (URL, CONFERENCE) and pages as is:
     * no spaces, quotes or angle brackets, which neither allows. */
    if (c->video_url && *c->video_url &&
        ((strncmp(c->video_url, "https://", 8) != 0 &&
          strncmp(c->video_url, "http://", 7) != 0) ||
         strpbrk(c->video_url, " \"<>\\`{}|^") != NULL)) {
        mg_error_set(err, "video_url",
                     "'video_url' must be an http(s) URL without spaces, "
                     "quotes or angle brackets");
        return MG_EINVAL;
    }
    rc = mg_circle_call_template_check(c->call_url_template,
                                       "call_url_template", err);
    if (rc < 0)
        return rc;
    if (c->alarm_minutes < -1 || c->alarm_minutes > MG_CIRCLE_ALARM_MAX) {
        mg_error_set(err, "alarm_minutes",
                     "'alarm_minutes' must be 0..%d (0: no alarm)",
                     MG_CIRCLE_ALARM_MAX);
        return MG_EINVAL;
    }
    rc = check_text(c->organizer_name, "organizer.name", 200, 0, err);
    if (rc < 0)
        return rc;
    if (c->organizer_email && *c->organizer_email &&
        !mg_email_valid(c->organizer_email)) {
        mg_error_set(err, "organizer.email", "not an email address");
        return MG_EINVAL;
    }
    if (c->attendance_target < 0 ||
        c->attendance_target > MG_CIRCLE_MAX_TARGET) {
        mg_error_set(err, "attendance_target",
                     "'attendance_target' must be 0..%d (0: none)",
                     MG_CIRCLE_MAX_TARGET);
        return MG_EINVAL;
    }
    if (c->language[0] && !mg_i18n_valid(c->language)) {
        mg_error_set(err, "language",
                     "'language' must be a language tag such as en, mi or "
                     "pt_BR");
        return MG_EINVAL;
    }
    if (c->language[0] && !mg_i18n_available(c->language)) {
        mg_error_set(err, "language",
                     "no catalog is installed for language '%s' (add "
                     "data/locale/%s.po and rebuild)",
                     c->language, c->language);
        return MG_EINVAL;
    }
    return 0;
}

const char *mg_circle_language(const struct mg_circle *c)
{
    return c->language[0] ? c->language : "en";
}

int mg_circle_alarm(const struct mg_circle *c)
{
    if (c->alarm_minutes < 0)
        return 0;
    return c->alarm_minutes ? c->alarm_minutes : MG_CIRCLE_ALARM_DEFAULT;
}

static const char *const call_placeholders[] = {"{circle}", "{group}",
                                                "{secret}"};

/* The placeholder `s` starts with (an index of call_placeholders), or -1. */
static int placeholder_at(const char *s)
{
    int i;

    for (i = 0; i < 3; i++)
        if (strncmp(s, call_placeholders[i], strlen(call_placeholders[i])) == 0)
            return i;
    return -1;
}

int mg_circle_call_template_check(const char *tpl, const char *field,
                                  struct mg_error *err)
{
    const char *p;
    int rc = check_text(tpl, field, 2000, 0, err);

    if (rc < 0 || !tpl || !*tpl)
        return rc;
    if (strncmp(tpl, "https://", 8) != 0 && strncmp(tpl, "http://", 7) != 0) {
        mg_error_set(err, field, "'%s' must start with https:// or http://",
                     field);
        return MG_EINVAL;
    }
    for (p = tpl; *p; p++) {
        int k;

        if (*p == '{') {
            k = placeholder_at(p);
            if (k < 0) {
                mg_error_set(err, field,
                             "'%s' may hold only the placeholders {circle}, "
                             "{group} and {secret}",
                             field);
                return MG_EINVAL;
            }
            p += strlen(call_placeholders[k]) - 1;
            continue;
        }
        /* what a calendar's URL and a page's link cannot hold as is */
        if (strchr(" \"<>\\`}|^", *p)) {
            mg_error_set(err, field,
                         "'%s' must be a URL without spaces, quotes, angle "
                         "brackets or stray braces",
                         field);
            return MG_EINVAL;
        }
    }
    return 0;
}

int mg_circle_call_url_check(const char *url, const char *field,
                             struct mg_error *err)
{
    int rc = mg_circle_call_template_check(url, field, err);

    if (rc == 0 && url && strchr(url, '{')) {
        mg_error_set(err, field,
                     "'%s' is a link, not a template: no placeholders", field);
        rc = MG_EINVAL;
    }
    return rc;
}

/* Append `s` made URL-safe: lower-case ASCII letters and digits, every
 * other run of bytes one '-', none at either end. */
static void append_url_safe(struct mg_buf *b, const char *s)
{
    size_t start = b->len;
    int dash = 0;

    for (; s && *s; s++) {
        unsigned char ch = (unsigned char)*s;

        if (isalnum(ch) && ch < 0x80) {
            if (dash && b->len > start)
                mg_buf_add(b, "-", 1);
            dash = 0;
            char low = (char)tolower(ch);

            mg_buf_add(b, &low, 1);
        } else {
            dash = 1;
        }
    }
}

char *mg_circle_call_link(const struct mg_circle *c, const char *own,
                          const char *group_name, int position,
                          const char *secret)
{
    struct mg_buf b = MG_BUF_INIT;
    const char *p;

    if (own && *own)
        return mg_xstrdup(own);
    /* no template, or a template whose room needs a secret the group
     * does not have: never a room others could guess */
    if (!c->call_url_template || !*c->call_url_template ||
        (strstr(c->call_url_template, "{secret}") && (!secret || !*secret)))
        return c->video_url && *c->video_url ? mg_xstrdup(c->video_url) : NULL;
    for (p = c->call_url_template; *p; p++) {
        int k = *p == '{' ? placeholder_at(p) : -1;
        size_t before = b.len;

        if (k < 0) {
            mg_buf_add(&b, p, 1);
            continue;
        }
        if (k == 0 && c->slug && *c->slug)
            append_url_safe(&b, c->slug);
        else if (k == 0)
            mg_buf_printf(&b, "%lld", (long long)c->id);
        else if (k == 1) {
            append_url_safe(&b, group_name);
            if (b.len == before)
                mg_buf_printf(&b, "%d", position);
        } else {
            append_url_safe(&b, secret);
        }
        p += strlen(call_placeholders[k]) - 1;
    }
    return mg_buf_detach(&b);
}

#define WARNINGS_MAX 20

void mg_circle_warnings(char ***out, size_t *n, const struct mg_circle *c)
{
    struct mg_schedule_odd_week odd[WARNINGS_MAX];
    size_t i, j, found, total = 0, kept;
    char **w = mg_xcalloc(WARNINGS_MAX + 2, sizeof(*w));

    *n = 0;
    for (i = 0; i < c->n_slots; i++) {
        const struct mg_slot *s = &c->slots[i];
        int h = s->start_minute / 60, m = s->start_minute % 60;

        if (mg_schedule_odd_weeks(odd, WARNINGS_MAX, &found, c->time_zone,
                                  c->start_date, c->weeks, s->weekday,
                                  s->start_minute, NULL) < 0)
            continue;
        total += found;
        kept = found < WARNINGS_MAX ? found : WARNINGS_MAX;
        for (j = 0; j < kept && *n < WARNINGS_MAX; j++) {
            char at[20];

            if (odd[j].kind == MG_WALL_SKIPPED) {
                mg_schedule_local_text(at, sizeof(at), c->time_zone,
                                       odd[j].starts_at, ' ');
                w[(*n)++] = mg_xasprintf(
                    _("The %s %02d:%02d call of week %d (%s) falls in an hour "
                      "that %s skips when the clocks go forward: it is at %s "
                      "that day, and calendar apps disagree on such times. "
                      "Consider another time for this slot."),
                    mg_weekday_name(s->weekday), h, m, odd[j].week, odd[j].date,
                    c->time_zone, at + 11);
            } else {
                w[(*n)++] = mg_xasprintf(
                    _("The %s %02d:%02d call of week %d (%s) falls in an hour "
                      "that happens twice in %s when the clocks go back: it "
                      "is at the first of the two, and calendar apps disagree "
                      "on such "
                      "times. Consider another time for this slot."),
                    mg_weekday_name(s->weekday), h, m, odd[j].week, odd[j].date,
                    c->time_zone);
            }
        }
    }
    if (total > *n) {
        w[*n] = mg_xasprintf(_("... and %zu more."), total - *n);
        (*n)++;
    }
    if (c->call_url_template && *c->call_url_template &&
        !strstr(c->call_url_template, "{secret}"))
        w[(*n)++] = mg_xstrdup(
            _("The call link template has no {secret}: anyone who can guess "
              "a group's name can join its call, and groups of the same name "
              "in other circles share a room. Add {secret} to it."));
    *out = w;
}

void mg_circle_warnings_free(char **w, size_t n)
{
    size_t i;

    for (i = 0; w && i < n; i++)
        free(w[i]);
    free(w);
}

void mg_circle_key(char out[MG_CIRCLE_KEY_MAX], const struct mg_circle *c)
{
    if (c->slug && c->slug[0])
        snprintf(out, MG_CIRCLE_KEY_MAX, "%s", c->slug);
    else
        snprintf(out, MG_CIRCLE_KEY_MAX, "c%lld", (long long)c->id);
}
