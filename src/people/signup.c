/*
 * signup.c: the rules of the public sign-up page: when it is open, what
 * a coordinator may set, the collection notice and its version, and
 * whether a confirmed person is active or waits. Storing and mailing
 * are the signup glue's (src/signup/).
 */
#include "mingle/people.h"

#include <stdlib.h>
#include <string.h>

#include "mingle/auth.h"

#include "banned.h"

/*
 * What New Zealand's Privacy Act 2020 (information privacy principle 3)
 * asks a collector to tell people: that it collects, why, who gets it,
 * who holds it, the law behind it (none here: giving it is voluntary),
 * what follows from not giving it, and their rights to see and correct
 * it. Coordinators replace it with their own text.
 */
static const char default_notice[] =
    "Who collects this: the coordinator of this reading circle (their "
    "address is below), using mingle on the circle's own server.\n"
    "Why: to place you in a discussion group that suits your time zone, "
    "the call times you can make and the threads you wish for, to send "
    "you the calendar invitations for your group's calls, and to tell you "
    "about the circle. Your name, sector and region are shown to the "
    "other members and the facilitator of your group.\n"
    "Where it goes: it is stored on the circle's server. Mail to you is "
    "sent through the circle's mail provider, which may keep copies on "
    "servers overseas; mail you send to your group's address comes in "
    "through such a provider too. Nothing is sold or given to anyone "
    "else.\n"
    "How long: for the time the coordinator set after the circle's last "
    "call (a year unless they chose otherwise; your own page shows the "
    "date), then it is erased and only figures without names are kept; "
    "a sign-up you never confirm is deleted when its confirmation link "
    "runs out.\n"
    "Your choice and your rights: giving this information is voluntary, "
    "but without it we cannot place you in a group. You may ask the "
    "coordinator to see it, to correct it, or to delete it and withdraw "
    "at any time (New Zealand's Privacy Act 2020, principles 6 and 7); "
    "your own page, whose link you get once you confirm, shows what we "
    "hold.";

void mg_signup_settings_release(struct mg_signup_settings *s)
{
    free(s->sectors);
    free(s->regions);
    free(s->notice);
    memset(s, 0, sizeof(*s));
}

const char *mg_signup_default_notice(void)
{
    return default_notice;
}

const char *mg_signup_sectors(const struct mg_signup_settings *s)
{
    return s->sectors && s->sectors[0] ? s->sectors
                                       : "public\nacademic\nschool\nspecial";
}

const char *mg_signup_notice(const struct mg_signup_settings *s)
{
    return s->notice && s->notice[0] ? s->notice : default_notice;
}

void mg_signup_notice_version(char *out, const char *text)
{
    char hex[65];

    mg_sha256_hex(hex, text, strlen(text));
    memcpy(out, hex, MG_SIGNUP_VERSION_LEN);
    out[MG_SIGNUP_VERSION_LEN] = '\0';
}

int mg_signup_is_open(const struct mg_signup_settings *s, int64_t now)
{
    return s->open && (s->closes_at == 0 || now < s->closes_at);
}

int mg_signup_choice_listed(const char *lines, const char *value)
{
    size_t n = strlen(value);
    const char *p = lines;

    if (!lines || n == 0)
        return 0;
    while (*p) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);

        if (len == n && memcmp(p, value, n) == 0)
            return 1;
        if (!end)
            break;
        p = end + 1;
    }
    return 0;
}

/* Each line of `lines` clean, 1..MG_SIGNUP_MAX_CHOICE bytes, at most
 * MG_SIGNUP_MAX_CHOICES lines. */
static int choices_valid(const char *lines, const char *field,
                         struct mg_error *err)
{
    const char *p = lines;
    size_t count = 0;

    if (!lines)
        return 0;
    while (*p) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char *one = mg_xstrndup(p, len);
        int ok = len > 0 && len <= MG_SIGNUP_MAX_CHOICE && mg_text_clean(one);

        free(one);
        if (!ok) {
            mg_error_set(err, field,
                         "each choice is 1 to %d bytes of text on one line",
                         MG_SIGNUP_MAX_CHOICE);
            return MG_EINVAL;
        }
        if (++count > MG_SIGNUP_MAX_CHOICES) {
            mg_error_set(err, field, "at most %d choices",
                         MG_SIGNUP_MAX_CHOICES);
            return MG_EINVAL;
        }
        if (!end)
            break;
        p = end + 1;
    }
    return 0;
}

int mg_signup_settings_validate(const struct mg_signup_settings *s,
                                struct mg_error *err)
{
    int rc;

    if (s->capacity < 0 || s->capacity > MG_SIGNUP_MAX_CAPACITY) {
        mg_error_set(err, "capacity", "capacity must be 0 (none) to %d",
                     MG_SIGNUP_MAX_CAPACITY);
        return MG_EINVAL;
    }
    if (s->closes_at < 0) {
        mg_error_set(err, "closes_at", "not a date and time");
        return MG_EINVAL;
    }
    rc = choices_valid(s->sectors, "sectors", err);
    if (rc == 0)
        rc = choices_valid(s->regions, "regions", err);
    if (rc < 0)
        return rc;
    if (s->notice) {
        const char *p;
        size_t len = strlen(s->notice);
        int ok = len <= MG_SIGNUP_MAX_NOTICE;

        /* lines of clean text: newlines are the notice's paragraphs */
        for (p = s->notice; ok && *p;) {
            const char *end = strchr(p, '\n');
            char *one = mg_xstrndup(p, end ? (size_t)(end - p) : strlen(p));

            ok = mg_text_clean(one);
            free(one);
            if (!end)
                break;
            p = end + 1;
        }
        if (!ok) {
            mg_error_set(err, "notice",
                         "the notice is text of at most %d bytes",
                         MG_SIGNUP_MAX_NOTICE);
            return MG_EINVAL;
        }
    }
    return 0;
}

enum mg_person_status mg_signup_confirmed_status(size_t active, size_t waiting,
                                                 int capacity)
{
    if (capacity <= 0 || (active < (size_t)capacity && waiting == 0))
        return MG_STATUS_ACTIVE;
    return MG_STATUS_WAITLISTED;
}

int mg_signup_place_opens(size_t active, int capacity)
{
    return capacity > 0 && active < (size_t)capacity;
}
