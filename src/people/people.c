/*
 * people.c: the participant record, its rules, and resolving what a
 * registration form says ("tuesday 19:30", "Mission") into the circle's
 * slot and thread ids.
 */
#include "mingle/people.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mingle/schedule.h"

#include "banned.h"

static const char *const role_names[] = {"participant", "facilitator",
                                         "coordinator"};
static const char *const status_names[] = {"active", "waitlisted", "withdrawn",
                                           "pending"};

void mg_participant_release(struct mg_participant *p)
{
    size_t i;

    if (!p)
        return;
    free(p->name);
    free(p->email);
    free(p->sector);
    free(p->region);
    free(p->time_zone);
    free(p->slot_ids);
    for (i = 0; i < p->n_with; i++)
        free(p->with[i]);
    free(p->with);
    for (i = 0; i < p->n_apart; i++)
        free(p->apart[i]);
    free(p->apart);
    memset(p, 0, sizeof(*p));
}

void mg_participants_free(struct mg_participant *list, size_t n)
{
    size_t i;

    for (i = 0; list && i < n; i++)
        mg_participant_release(&list[i]);
    free(list);
}

long mg_participants_find(const struct mg_participant *list, size_t n,
                          int64_t id)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (list[mid].id == id)
            return (long)mid;
        if (list[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

const char *mg_person_role_name(enum mg_person_role r)
{
    return (unsigned)r < 3 ? role_names[r] : "participant";
}

int mg_person_role_parse(enum mg_person_role *out, const char *s)
{
    int i;

    for (i = 0; i < 3; i++) {
        if (strcasecmp(s, role_names[i]) == 0) {
            *out = (enum mg_person_role)i;
            return 0;
        }
    }
    return MG_EINVAL;
}

const char *mg_person_status_name(enum mg_person_status s)
{
    return (unsigned)s < 4 ? status_names[s] : "active";
}

int mg_person_status_parse(enum mg_person_status *out, const char *s)
{
    int i;

    for (i = 0; i < 4; i++) {
        if (strcasecmp(s, status_names[i]) == 0) {
            *out = (enum mg_person_status)i;
            return 0;
        }
    }
    return MG_EINVAL;
}

char *mg_email_normalize(const char *email)
{
    char *s = mg_xstrdup(email);
    char *p;

    for (p = s; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return s;
}

static int check_text(const char *v, const char *field, size_t max,
                      int required, struct mg_error *err)
{
    if (!v || !*v) {
        if (!required)
            return 0;
        mg_error_set(err, field, "'%s' is required", field);
        return MG_EINVAL;
    }
    if (strlen(v) > max || !mg_text_clean(v)) {
        mg_error_set(err, field,
                     "'%s' must be at most %zu bytes of UTF-8 without "
                     "control characters",
                     field, max);
        return MG_EINVAL;
    }
    return 0;
}

static int check_links(char *const *emails, size_t n, const char *self,
                       const char *field, struct mg_error *err)
{
    size_t i;

    if (n > MG_PERSON_MAX_LINKS) {
        mg_error_set(err, field, "at most %d addresses in '%s'",
                     MG_PERSON_MAX_LINKS, field);
        return MG_EINVAL;
    }
    for (i = 0; i < n; i++) {
        if (!mg_email_valid(emails[i])) {
            mg_error_set(err, field, "'%s' in '%s' is not an email address",
                         emails[i], field);
            return MG_EINVAL;
        }
        if (self && strcasecmp(emails[i], self) == 0) {
            mg_error_set(err, field, "'%s' lists the person's own address",
                         field);
            return MG_EINVAL;
        }
    }
    return 0;
}

int mg_participant_validate(const struct mg_participant *p,
                            struct mg_error *err)
{
    size_t i, j;
    int rc;

    rc = check_text(p->name, "name", 200, 1, err);
    if (rc == 0 && (!p->email || !mg_email_valid(p->email))) {
        mg_error_set(err, "email", "'%s' is not an email address",
                     p->email ? p->email : "");
        rc = MG_EINVAL;
    }
    if (rc == 0)
        rc = check_text(p->sector, "sector", 100, 0, err);
    if (rc == 0)
        rc = check_text(p->region, "region", 100, 0, err);
    if (rc == 0 && p->time_zone && *p->time_zone &&
        !mg_schedule_tz_valid(p->time_zone)) {
        mg_error_set(err, "time_zone", "unknown time zone '%s'", p->time_zone);
        rc = MG_EINVAL;
    }
    if (rc == 0 && p->n_wishes > MG_PERSON_MAX_WISHES) {
        mg_error_set(err, "threads", "at most %d thread wishes",
                     MG_PERSON_MAX_WISHES);
        rc = MG_EINVAL;
    }
    for (i = 0; rc == 0 && i < p->n_wishes; i++) {
        for (j = 0; j < i; j++) {
            if (p->wishes[i] == p->wishes[j]) {
                mg_error_set(err, "threads", "a thread is wished twice");
                rc = MG_EINVAL;
                break;
            }
        }
    }
    if (rc == 0)
        rc = check_links(p->with, p->n_with, p->email, "with", err);
    if (rc == 0)
        rc = check_links(p->apart, p->n_apart, p->email, "apart", err);
    for (i = 0; rc == 0 && i < p->n_with; i++) {
        for (j = 0; j < p->n_apart; j++) {
            if (strcasecmp(p->with[i], p->apart[j]) == 0) {
                mg_error_set(err, "apart",
                             "'%s' is both in 'with' and in 'apart'",
                             p->with[i]);
                rc = MG_EINVAL;
                break;
            }
        }
    }
    return rc;
}

int mg_people_resolve_slot(int64_t *slot_id, const struct mg_circle *c,
                           const char *text)
{
    char day[16];
    const char *sp;
    int weekday, minute;
    size_t i, n;
    char *end;
    long long id;

    while (*text == ' ')
        text++;
    id = strtoll(text, &end, 10);
    if (end != text && *end == '\0') {
        for (i = 0; i < c->n_slots; i++) {
            if (c->slots[i].id == id) {
                *slot_id = id;
                return 0;
            }
        }
        return MG_EINVAL;
    }
    sp = strchr(text, ' ');
    if (!sp)
        return MG_EINVAL;
    n = (size_t)(sp - text);
    if (n >= sizeof(day))
        return MG_EINVAL;
    memcpy(day, text, n);
    day[n] = '\0';
    while (*sp == ' ')
        sp++;
    if (mg_weekday_parse(&weekday, day) < 0)
        return MG_EINVAL;
    /* Accept "7:30" as well as "07:30". */
    if (strlen(sp) == 4 && sp[1] == ':') {
        char padded[6] = {'0', sp[0], ':', sp[2], sp[3], '\0'};
        if (mg_time_parse(&minute, padded) < 0)
            return MG_EINVAL;
    } else if (mg_time_parse(&minute, sp) < 0) {
        return MG_EINVAL;
    }
    for (i = 0; i < c->n_slots; i++) {
        if (c->slots[i].weekday == weekday &&
            c->slots[i].start_minute == minute) {
            *slot_id = c->slots[i].id;
            return 0;
        }
    }
    return MG_EINVAL;
}

int mg_people_resolve_thread(int64_t *thread_id,
                             const struct mg_import_context *ctx,
                             const char *text)
{
    size_t i;
    char *end;
    long n;

    while (*text == ' ')
        text++;
    n = strtol(text, &end, 10);
    if (end != text && *end == '\0') {
        if (n < 1 || (size_t)n > ctx->n_threads)
            return MG_EINVAL;
        *thread_id = ctx->thread_ids[n - 1];
        return 0;
    }
    for (i = 0; i < ctx->n_threads; i++) {
        if (strcasecmp(ctx->thread_titles[i], text) == 0) {
            *thread_id = ctx->thread_ids[i];
            return 0;
        }
    }
    return MG_EINVAL;
}
