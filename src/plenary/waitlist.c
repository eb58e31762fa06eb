/*
 * waitlist.c: a plenary's places and its waitlist, as pure functions on
 * an array of seats. Storage and mail are invite.c's; the seats come in
 * and go out as plain structs.
 */
#include <string.h>

#include "mingle/circle.h"
#include "mingle/i18n.h"
#include "mingle/plenary.h"

#include "banned.h"

static const char *const status_names[] = {"registered", "waitlisted",
                                           "declined", "withdrawn"};

const char *mg_plenary_status_name(enum mg_reg_status s)
{
    if ((int)s < 0 || (size_t)s >= sizeof(status_names) / sizeof(*status_names))
        return "unknown";
    return status_names[s];
}

int mg_plenary_status_parse(enum mg_reg_status *out, const char *name)
{
    size_t i;

    for (i = 0; name && i < sizeof(status_names) / sizeof(*status_names); i++) {
        if (strcmp(name, status_names[i]) == 0) {
            *out = (enum mg_reg_status)i;
            return 0;
        }
    }
    return MG_EINVAL;
}

int mg_plenary_check(const char *title, int minutes, int weeks, int capacity,
                     struct mg_error *err)
{
    if (!title || !*title || strlen(title) > 200) {
        mg_error_set(err, "title", "'title' must be 1-200 bytes");
        return MG_EINVAL;
    }
    /* a title goes into invitations' SUMMARY and mail subjects */
    if (!mg_text_clean(title)) {
        mg_error_set(err, "title",
                     "'title' must be UTF-8 without control characters");
        return MG_EINVAL;
    }
    if (minutes < 1 || minutes > 1440) {
        mg_error_set(err, "minutes", "'minutes' must be 1-1440");
        return MG_EINVAL;
    }
    if (weeks < 1 || weeks > 52) {
        mg_error_set(err, "weeks", "'weeks' must be 1-52");
        return MG_EINVAL;
    }
    if (capacity < 1 || capacity > 100000) {
        mg_error_set(err, "capacity", "'capacity' must be 1-100000");
        return MG_EINVAL;
    }
    return 0;
}

int mg_plenary_check_guest(const char *guest, struct mg_error *err)
{
    if (!guest || !*guest)
        return 0;
    if (strlen(guest) > 200) {
        mg_error_set(err, "guest", "'guest' must be at most 200 bytes");
        return MG_EINVAL;
    }
    if (!mg_text_clean(guest)) {
        mg_error_set(err, "guest",
                     "'guest' must be UTF-8 without control characters");
        return MG_EINVAL;
    }
    return 0;
}

char *mg_plenary_summary(const char *circle_title, const char *title,
                         const char *guest)
{
    if (guest && *guest)
        /* TRANSLATORS: circle title, session title, guest's name */
        return mg_xasprintf(_("%s: %s with %s"), circle_title, title, guest);
    return mg_xasprintf("%s: %s", circle_title, title);
}

const char *mg_plenary_call_link(const char *own, const char *circle_video_url)
{
    if (own && *own)
        return own;
    return circle_video_url && *circle_video_url ? circle_video_url : NULL;
}

char *mg_plenary_description(const char *guest, const char *link)
{
    struct mg_buf b = MG_BUF_INIT;

    if (guest && *guest)
        mg_buf_printf(&b, _("A whole-circle session with %s."), guest);
    if (link) {
        /* the link in the words too: not every app shows URL */
        if (b.len)
            mg_buf_puts(&b, "\n\n");
        mg_buf_printf(&b, _("Video call: %s"), link);
    }
    return b.len ? mg_buf_detach(&b) : NULL;
}

size_t mg_plenary_count(const struct mg_plenary_seat *s, size_t n,
                        enum mg_reg_status status)
{
    size_t i, count = 0;

    for (i = 0; i < n; i++)
        if (s[i].status == status)
            count++;
    return count;
}

int mg_plenary_rank(const struct mg_plenary_seat *s, size_t n, size_t i)
{
    size_t j;
    int rank = 1;

    if (i >= n || s[i].status != MG_REG_WAITLISTED)
        return 0;
    for (j = 0; j < n; j++)
        if (j != i && s[j].status == MG_REG_WAITLISTED &&
            (s[j].position < s[i].position ||
             (s[j].position == s[i].position && j < i)))
            rank++;
    return rank;
}

static int last_position(const struct mg_plenary_seat *s, size_t n)
{
    size_t i;
    int last = 0;

    for (i = 0; i < n; i++)
        if (s[i].status == MG_REG_WAITLISTED && s[i].position > last)
            last = s[i].position;
    return last;
}

void mg_plenary_place(struct mg_plenary_seat *s, size_t n, size_t i,
                      int capacity)
{
    if (i >= n || s[i].status == MG_REG_REGISTERED ||
        s[i].status == MG_REG_WAITLISTED)
        return;
    if (mg_plenary_count(s, n, MG_REG_REGISTERED) < (size_t)capacity &&
        mg_plenary_count(s, n, MG_REG_WAITLISTED) == 0) {
        s[i].status = MG_REG_REGISTERED;
        s[i].position = 0;
        s[i].mail = MG_SEAT_INVITE;
    } else {
        /* nobody jumps the queue, even if a place is free just now */
        s[i].position = last_position(s, n) + 1;
        s[i].status = MG_REG_WAITLISTED;
    }
}

size_t mg_plenary_promote(struct mg_plenary_seat *s, size_t n, int capacity)
{
    size_t registered = mg_plenary_count(s, n, MG_REG_REGISTERED);
    size_t promoted = 0;

    while (capacity > 0 && registered < (size_t)capacity) {
        size_t i, first = n;

        for (i = 0; i < n; i++)
            if (s[i].status == MG_REG_WAITLISTED &&
                (first == n || s[i].position < s[first].position))
                first = i;
        if (first == n)
            break;
        s[first].status = MG_REG_REGISTERED;
        s[first].position = 0;
        s[first].mail = MG_SEAT_INVITE;
        s[first].promoted = 1;
        registered++;
        promoted++;
    }
    return promoted;
}

int mg_plenary_leave(size_t *promoted, struct mg_plenary_seat *s, size_t n,
                     size_t i, enum mg_reg_status status, int capacity)
{
    *promoted = 0;
    if (i >= n || (status != MG_REG_DECLINED && status != MG_REG_WITHDRAWN))
        return MG_EINVAL;
    if (s[i].status == MG_REG_DECLINED || s[i].status == MG_REG_WITHDRAWN)
        return 0;
    if (s[i].status == MG_REG_REGISTERED)
        s[i].mail = MG_SEAT_CANCEL;
    s[i].status = status;
    s[i].position = 0;
    *promoted = mg_plenary_promote(s, n, capacity);
    return 0;
}
