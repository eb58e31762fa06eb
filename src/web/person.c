/*
 * person.c: a participant's own page at its secret URL /p/<token>:
 * their group, facilitator, calls in their own time zone and the
 * circle's, the week's reading, calendar links and the group's
 * summaries; a facilitator also sees the members and who is coming,
 * corrects attendance, posts the call's summary and decides what waits
 * for review. Every form posts to a path under the page and is answered
 * with a 303 back to the page, whose query says what was saved (so a
 * reload never posts again). Addresses under /p/ that match no route
 * get a page too, never JSON. Tokens and answers are calendar's job,
 * filing a summary is notes'.
 */
#define _GNU_SOURCE
#include "web.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mingle/attendance.h"
#include "mingle/calendar.h"
#include "mingle/inbound.h"
#include "mingle/mail.h"
#include "mingle/notes.h"
#include "mingle/people.h"
#include "mingle/plenary.h"
#include "mingle/schedule.h"
#include "mingle/signup.h"

#include "banned.h"

#define PAGE_TOKEN_LEN (MG_TOKEN_ID_LEN + MG_TOKEN_SECRET_LEN)
/* The longest summary a page takes (a mailed one is capped by the
 * request body limit alone). */
#define SUMMARY_MAX 20000
/* The longest word to the coordinator with a change asked for. */
#define ASK_NOTE_MAX 2000

/* Everything a page shows, loaded once. */
struct view {
    struct mg_circle *circle;
    struct mg_participant *me;
    struct mg_participant *people;
    size_t n_people;
    struct mg_group_row *groups; /* mine alone, when I am in one */
    size_t n_groups;
    const struct mg_group_row *group; /* mine, or NULL */
    struct mg_span *threads, *same, *per_thread;
    size_t n_threads, n_same, n_per_thread;
    struct mg_session_row *sessions;
    size_t n_sessions;
    struct mg_rsvp_row *rsvps; /* my answers */
    size_t n_rsvps;
    const struct mg_session_row *next; /* the next call not over yet */
    int week;                          /* "this week": the next call's */
    int facilitator;
    const char *tz; /* the participant's zone, or the circle's */
    int64_t now;
    char *call_link; /* my group's call room (else the circle's), or NULL */
    struct mg_move_request *asks; /* my open move request (0 or 1) */
    size_t n_asks;
};

/* Names in English, translated where they are written (_()). */
static const char *const weekdays_short[] = {N_("Mon"), N_("Tue"), N_("Wed"),
                                             N_("Thu"), N_("Fri"), N_("Sat"),
                                             N_("Sun")};
/* "Tuesdays, 19:30 to 20:30": a weekly call. */
static const char *const weekdays_every[] = {
    N_("Mondays"), N_("Tuesdays"),  N_("Wednesdays"), N_("Thursdays"),
    N_("Fridays"), N_("Saturdays"), N_("Sundays")};
static const char *const months[] = {
    N_("January"),   N_("February"), N_("March"),    N_("April"),
    N_("May"),       N_("June"),     N_("July"),     N_("August"),
    N_("September"), N_("October"),  N_("November"), N_("December")};
static const char *const months_short[] = {
    N_("Jan"), N_("Feb"), N_("Mar"), N_("Apr"), N_("May"), N_("Jun"),
    N_("Jul"), N_("Aug"), N_("Sep"), N_("Oct"), N_("Nov"), N_("Dec")};

static void view_release(struct view *v)
{
    mg_circle_free(v->circle);
    mg_participants_free(v->me, v->me ? 1 : 0);
    mg_participants_free(v->people, v->n_people);
    mg_store_groups_free(v->groups, v->n_groups);
    mg_store_spans_free(v->threads, v->n_threads);
    mg_store_spans_free(v->same, v->n_same);
    mg_store_spans_free(v->per_thread, v->n_per_thread);
    free(v->sessions);
    mg_store_rsvps_free(v->rsvps, v->n_rsvps);
    free(v->call_link);
    mg_store_move_requests_free(v->asks, v->n_asks);
    memset(v, 0, sizeof(*v));
}

/* The week that has begun by today in the circle's zone, 1..weeks (for
 * a group with no calls to go by). */
static int week_by_date(const struct mg_circle *c)
{
    struct mg_local_time lt;
    int64_t start, today, w;
    int y, m, d;

    if (sscanf(c->start_date, "%4d-%2d-%2d", &y, &m, &d) != 3 ||
        mg_schedule_utc_to_local(&lt, c->time_zone, mg_now(), NULL) < 0)
        return 1;
    start = mg_days_from_civil(y, m, d);
    today = mg_days_from_civil(lt.year, lt.month, lt.day);
    w = today < start ? 1 : (today - start) / 7 + 1;
    return w > c->weeks ? c->weeks : (int)w;
}

/* Whether a call has begun: it can no longer be answered, and who came
 * can be recorded. A cancelled call is never held. */
static int is_held(const struct mg_session_row *s, int64_t now)
{
    return s->status != MG_STORE_SESSION_CANCELLED && s->starts_at <= now;
}

/* Load what the page shows: the circle, the person, their group (only
 * theirs: never the circle's thousands), its members and calls, and the
 * book's threads and readings. */
static int view_load(struct view *v, struct mg_store *st, int64_t circle_id,
                     int64_t participant_id)
{
    struct mg_people_filter f;
    struct mg_local_time lt;
    size_t i;
    int rc;

    memset(v, 0, sizeof(*v));
    memset(&f, 0, sizeof(f));
    v->now = mg_now();
    rc = mg_store_circle_get(&v->circle, st, circle_id);
    if (rc == 0)
        rc = mg_store_participant_get(&v->me, st, circle_id, participant_id);
    if (rc == 0 && v->me->status != MG_STATUS_WITHDRAWN && v->me->group_id) {
        rc = mg_store_group_get(&v->groups, st, circle_id, v->me->group_id);
        if (rc == 0) {
            v->n_groups = 1;
            v->group = v->groups;
        } else if (rc == MG_ENOTFOUND) {
            rc = 0;
        }
    }
    if (rc == 0)
        rc = mg_store_threads(&v->threads, &v->n_threads, st, circle_id);
    if (rc == 0)
        rc =
            mg_store_readings(&v->same, &v->n_same, st, circle_id, "same_pace");
    if (rc == 0)
        rc = mg_store_readings(&v->per_thread, &v->n_per_thread, st, circle_id,
                               "thread");
    /* Only the person's own group is ever shown: read its members, not
     * the whole circle (which may be 50,000 people). */
    f.group_id = v->me ? v->me->group_id : 0;
    if (rc == 0 && f.group_id > 0)
        rc = mg_store_participants_list(&v->people, &v->n_people, st, circle_id,
                                        &f);
    if (rc < 0)
        return rc;
    if (v->group) {
        /* the group's own room, as its invitations give it */
        rc = mg_calendar_group_call_link(&v->call_link, st, circle_id,
                                         v->group->id);
        if (rc == 0)
            rc = mg_store_sessions_for_group(&v->sessions, &v->n_sessions, st,
                                             v->group->id);
        if (rc == 0)
            rc = mg_store_rsvps_for_participant(&v->rsvps, &v->n_rsvps, st,
                                                participant_id);
        if (rc == 0) {
            struct mg_move_filter mf = {MG_MOVE_OPEN, participant_id, 0, 1};
            rc = mg_store_move_requests_list(&v->asks, &v->n_asks, st,
                                             circle_id, &mf);
        }
        if (rc < 0)
            return rc;
    }
    for (i = 0; i < v->n_sessions && !v->next; i++)
        if (v->sessions[i].status != MG_STORE_SESSION_CANCELLED &&
            v->sessions[i].starts_at + 60 * v->sessions[i].minutes > v->now)
            v->next = &v->sessions[i];
    v->week = v->next ? v->next->week : week_by_date(v->circle);
    v->facilitator = v->group && v->me->role == MG_PERSON_FACILITATOR;
    v->tz = v->circle->time_zone;
    if (v->me->time_zone && *v->me->time_zone &&
        mg_schedule_utc_to_local(&lt, v->me->time_zone, v->now, NULL) == 0)
        v->tz = v->me->time_zone;
    return 0;
}

static const char *thread_title(const struct view *v, int64_t id)
{
    size_t i;

    for (i = 0; id && i < v->n_threads; i++)
        if (v->threads[i].id == id)
            return v->threads[i].title;
    return NULL;
}

/* One of the group's sessions by id, or NULL. */
static const struct mg_session_row *session_by_id(const struct view *v,
                                                  int64_t id)
{
    size_t i;

    for (i = 0; id && i < v->n_sessions; i++)
        if (v->sessions[i].id == id)
            return &v->sessions[i];
    return NULL;
}

/* The latest call held, or NULL. */
static const struct mg_session_row *last_held(const struct view *v)
{
    size_t s;

    for (s = v->n_sessions; s > 0; s--)
        if (is_held(&v->sessions[s - 1], v->now))
            return &v->sessions[s - 1];
    return NULL;
}

/* The group's reading of `week` (see mg_calendar_reading). */
static const struct mg_span *reading_for(const struct view *v, int week)
{
    return mg_calendar_reading(v->same, v->n_same, v->per_thread,
                               v->n_per_thread,
                               v->group ? v->group->thread_id : 0, week);
}

/* "Chapter 1 ... Chapter 3"; "not set yet" when there is none. */
static void reading_text(struct mg_html *h, const struct mg_span *r)
{
    if (!r || !r->first_title) {
        mg_html_text(h, _("not set yet"));
        return;
    }
    mg_html_text(h, r->first_title);
    if (r->parts > 1) {
        mg_html(h, " ");
        mg_html_textf(h, _("(part %d of %d)"), r->part, r->parts);
    } else if (r->last_title && strcmp(r->first_title, r->last_title) != 0) {
        mg_html(h, " &hellip; ");
        mg_html_text(h, r->last_title);
    }
}

/* "UTC+13:00" for an offset in seconds. */
static void utc_offset(char *out, size_t n, int offset)
{
    int a = offset < 0 ? -offset : offset;

    if (a % 3600)
        snprintf(out, n, "UTC%c%02d:%02d", offset < 0 ? '-' : '+', a / 3600,
                 a % 3600 / 60);
    else
        snprintf(out, n, "UTC%c%d", offset < 0 ? '-' : '+', a / 3600);
    if (offset == 0)
        snprintf(out, n, "UTC");
}

/* "Tuesday 8 December" in `tz`, or "" when it cannot be converted. */
static void day_text(char *out, size_t n, const char *tz, int64_t t)
{
    struct mg_local_time lt;

    out[0] = '\0';
    if (mg_schedule_utc_to_local(&lt, tz, t, NULL) == 0 && lt.weekday >= 1 &&
        lt.weekday <= 7 && lt.month >= 1 && lt.month <= 12)
        /* TRANSLATORS: weekday, day of the month, month: "Tuesday 8
         * December" (reorder with %1$s, %2$d, %3$s) */
        snprintf(out, n, _("%s %d %s"), web_weekday(lt.weekday), lt.day,
                 _(months[lt.month - 1]));
}

/*
 * A call as the wall clock in `tz` shows it: "Tuesday 23 March 2027,
 * 19:30 to 20:30 (Pacific/Auckland, UTC+13)". With `weekly`,
 * "Tuesdays, 19:30 to 20:30 (...)" instead.
 */
static void call_time(struct mg_html *h, const char *tz, int64_t start,
                      int minutes, int weekly)
{
    struct mg_local_time s, e;
    char off[24];

    if (mg_schedule_utc_to_local(&s, tz, start, NULL) < 0 ||
        mg_schedule_utc_to_local(&e, tz, start + 60 * (int64_t)minutes, NULL) <
            0 ||
        s.weekday < 1 || s.weekday > 7 || s.month < 1 || s.month > 12) {
        mg_html_text(h, _("unknown"));
        return;
    }
    utc_offset(off, sizeof(off), s.utc_offset);
    if (weekly)
        /* TRANSLATORS: "Tuesdays, 19:30 to 20:30" */
        mg_html_textf(h, _("%s, %02d:%02d to %02d:%02d"),
                      _(weekdays_every[s.weekday - 1]), s.hour, s.minute,
                      e.hour, e.minute);
    else
        /* TRANSLATORS: "Tuesday 23 March 2027, 19:30 to 20:30" */
        mg_html_textf(h, _("%s %d %s %d, %02d:%02d to %02d:%02d"),
                      web_weekday(s.weekday), s.day, _(months[s.month - 1]),
                      s.year, s.hour, s.minute, e.hour, e.minute);
    mg_html(h, " <span class=\"muted\">(");
    mg_html_text(h, tz);
    mg_html(h, ", ");
    mg_html_text(h, off);
    mg_html(h, ")</span>");
}

/* The same call in the participant's zone and, if it differs, the
 * circle's, as <dd> content. */
static void call_both(struct mg_html *h, const struct view *v, int64_t start,
                      int minutes, int weekly)
{
    call_time(h, v->tz, start, minutes, weekly);
    if (strcmp(v->tz, v->circle->time_zone) != 0) {
        mg_html(h, "<br>");
        mg_html_text(h, _("Circle time:"));
        mg_html(h, " ");
        call_time(h, v->circle->time_zone, start, minutes, weekly);
    }
}

static void row_start(struct mg_html *h, const char *label)
{
    mg_html(h, "<dt>");
    mg_html_text(h, label);
    mg_html(h, "</dt><dd>");
}

/* <section aria-labelledby="id"><h2 id="id">text</h2>: `id` a literal,
 * `text` escaped. */
#define SECTION_START(h, id, text)                                             \
    do {                                                                       \
        mg_html((h),                                                           \
                "<section aria-labelledby=\"" id "\">\n<h2 id=\"" id "\">");   \
        mg_html_text((h), (text));                                             \
        mg_html((h), "</h2>\n");                                               \
    } while (0)

/* The opening of a form posting to <token>/<what> (a literal). */
#define FORM_START(h, page_token, what)                                        \
    do {                                                                       \
        mg_html((h), "<form method=\"post\" action=\"");                       \
        mg_html_attr((h), (page_token));                                       \
        mg_html((h), "/" what "\">");                                          \
    } while (0)

/* <input type="hidden" name="name" value="v">, `name` a literal. */
#define HIDDEN_INT(h, name, v)                                                 \
    do {                                                                       \
        mg_html((h), "<input type=\"hidden\" name=\"" name "\" value=\"");     \
        mg_html_int((h), (v));                                                 \
        mg_html((h), "\">");                                                   \
    } while (0)

/* Names of the group's facilitators, comma-separated. */
static void facilitators(struct mg_html *h, const struct view *v)
{
    size_t i, n = 0;

    for (i = 0; i < v->n_people; i++) {
        const struct mg_participant *p = &v->people[i];
        if (p->group_id != v->group->id || p->status == MG_STATUS_WITHDRAWN ||
            p->role != MG_PERSON_FACILITATOR)
            continue;
        if (n++)
            mg_html(h, ", ");
        mg_html_text(h, p->name);
        if (p->id == v->me->id) {
            mg_html(h, " ");
            mg_html_text(h, _("(you)"));
        }
    }
    if (n == 0)
        mg_html_text(h, _("not chosen yet"));
}

static void section_group(struct mg_html *h, const struct view *v)
{
    const char *thread = thread_title(v, v->group->thread_id);
    const struct mg_session_row *first = v->next;

    SECTION_START(h, "group", _("Your group"));
    mg_html(h, "<dl>\n");
    web_row(h, _("Group"), v->group->name);
    if (thread)
        web_row(h, _("Thread"), thread);
    row_start(h, _("Facilitator"));
    facilitators(h, v);
    mg_html(h, "</dd>\n");
    if (!first && v->n_sessions)
        first = &v->sessions[v->n_sessions - 1];
    if (first) {
        /* The weekly time as the next call has it (daylight saving can
         * move it in one zone and not the other). */
        row_start(h, _("Calls"));
        call_both(h, v, first->original_starts_at, first->minutes, 1);
        mg_html(h, "</dd>\n");
    }
    mg_html(h, "</dl>\n</section>\n");
}

static void section_week(struct mg_html *h, const struct view *v)
{
    const char *video = v->group ? v->call_link : v->circle->video_url;

    mg_html(h, "<section aria-labelledby=\"week\">\n<h2 id=\"week\">");
    if (v->next)
        mg_html_textf(h, _("This week: week %d of %d"), v->week,
                      v->circle->weeks);
    else
        mg_html_text(h, _("This week"));
    mg_html(h, "</h2>\n<dl>\n");
    row_start(h, _("Reading"));
    reading_text(h, reading_for(v, v->week));
    mg_html(h, "</dd>\n");
    row_start(h, _("Next call"));
    if (v->next)
        call_both(h, v, v->next->starts_at, v->next->minutes, 0);
    else if (v->n_sessions)
        mg_html_text(h, _("none: the last call is over"));
    else
        mg_html_text(h, _("not scheduled yet"));
    mg_html(h, "</dd>\n");
    row_start(h, _("Video call"));
    if (video && mg_html_url_is_safe(video))
        mg_html_link(h, video, video, NULL);
    else
        mg_html_text(h, _("the link will be sent to you"));
    mg_html(h, "</dd>\n</dl>\n</section>\n");
}

/* A web calendar's "add by URL" link: `base` then the feed URL and the
 * calendar's name percent-encoded, into `out` (a URL, not yet HTML). */
static void add_from_web(struct mg_buf *out, const char *base, const char *url,
                         const char *name)
{
    mg_buf_puts(out, base);
    mg_buf_puts(out, "?url=");
    mg_url_encode(out, url);
    mg_buf_puts(out, "&name=");
    mg_url_encode(out, name);
}

static void section_calendar(struct mg_html *h, const struct view *v,
                             const char *base_url, const char *page_token,
                             int live)
{
    char feed[PAGE_TOKEN_LEN + 1];
    const char *rest;
    char *url, *webcal;
    struct mg_buf google = MG_BUF_INIT, outlook = MG_BUF_INIT,
                  office = MG_BUF_INIT;

    SECTION_START(h, "calendar", _("Your calendar"));
    if (!live) {
        /* The coordinator gave out another calendar address since this
         * page was made: offer this page's own again, by POST (a GET
         * must not revoke anything). */
        mg_html(h, "<p>");
        mg_html_text(h, _("Get an address for your calendar app that always "
                          "shows your group's calls. Any calendar address "
                          "you were sent before stops working."));
        mg_html(h, "</p>\n");
        FORM_START(h, page_token, "feed");
        mg_html(h, "<button type=\"submit\">");
        mg_html_text(h, _("Get my calendar links"));
        mg_html(h, "</button></form>\n</section>\n");
        return;
    }
    mg_calendar_page_feed_token(feed, page_token);
    url = mg_xasprintf("%s/cal/%s.ics", base_url, feed);
    rest = strstr(url, "://");
    webcal = mg_xasprintf("webcal://%s", rest ? rest + 3 : url);
    mg_buf_puts(&google, "https://calendar.google.com/calendar/r?cid=");
    mg_url_encode(&google, webcal);
    add_from_web(&outlook, "https://outlook.live.com/calendar/0/addfromweb",
                 webcal, v->circle->title);
    add_from_web(&office, "https://outlook.office.com/calendar/0/addfromweb",
                 webcal, v->circle->title);
    mg_html(h, "<p>");
    mg_html_text(h, _("Subscribe once and your calendar follows every change "
                      "to the calls."));
    mg_html(h, "</p>\n<p>");
    /* one series, one UID: the invitation, the feed and the download */
    mg_html_text(h, _("The invitation we email you and this subscription are "
                      "two ways to the same calls: use either, or both, and "
                      "your calendar shows each call once."));
    mg_html(h, "</p>\n<p>");
    mg_html_link(h, webcal, _("Subscribe (Apple, Outlook, Thunderbird)"),
                 "button");
    mg_html_link(h, google.data, _("Add to Google Calendar"),
                 "button secondary");
    mg_html_link(h, outlook.data, _("Add to Outlook.com"), "button secondary");
    mg_html_link(h, office.data, _("Add to Microsoft 365 (work or school)"),
                 "button secondary");
    mg_html_link(h, url, _("Download .ics file"), "button secondary");
    mg_html(h, "</p>\n</section>\n");
    free(url);
    free(webcal);
    mg_buf_release(&google);
    mg_buf_release(&outlook);
    mg_buf_release(&office);
    memset(feed, 0, sizeof(feed));
}

/* My answer for session `id` (MG_STORE_RSVP_NONE: not answered). */
static enum mg_store_rsvp_status my_answer(const struct view *v, int64_t id)
{
    size_t i;

    for (i = 0; i < v->n_rsvps; i++)
        if (v->rsvps[i].session_id == id)
            return v->rsvps[i].status;
    return MG_STORE_RSVP_NONE;
}

static const char *answer_label(enum mg_store_rsvp_status status)
{
    switch (status) {
    case MG_STORE_RSVP_ACCEPTED:
        return _("coming");
    case MG_STORE_RSVP_DECLINED:
        return _("not coming");
    case MG_STORE_RSVP_TENTATIVE:
        return _("maybe");
    case MG_STORE_RSVP_NONE:
        break;
    }
    return _("not answered");
}

/*
 * Accept, Maybe and Decline buttons posting to <token>/rsvp, for the
 * whole series (`s` NULL) or one call. Each button names its call for a
 * screen reader, which reads a button out of its table row.
 */
static void rsvp_form(struct mg_html *h, const struct view *v,
                      const char *page_token, const struct mg_session_row *s,
                      enum mg_store_rsvp_status current)
{
    static const char *const answers[][2] = {{"accepted", N_("Accept")},
                                             {"tentative", N_("Maybe")},
                                             {"declined", N_("Decline")}};
    static const enum mg_store_rsvp_status values[] = {MG_STORE_RSVP_ACCEPTED,
                                                       MG_STORE_RSVP_TENTATIVE,
                                                       MG_STORE_RSVP_DECLINED};
    char day[48];
    size_t i;

    if (s)
        day_text(day, sizeof(day), v->tz, s->starts_at);
    mg_html(h, "<form method=\"post\" class=\"rsvp\" action=\"");
    mg_html_attr(h, page_token);
    mg_html(h, "/rsvp\">");
    if (s)
        HIDDEN_INT(h, "session", s->id);
    for (i = 0; i < 3; i++) {
        int on = current == values[i];

        mg_html(h, "<button type=\"submit\" name=\"answer\" value=\"");
        mg_html_attr(h, answers[i][0]);
        if (on)
            mg_html(h, "\" class=\"button\" aria-pressed=\"true\"");
        else
            mg_html(h, "\" class=\"button secondary\"");
        mg_html(h, " aria-label=\"");
        /* TRANSLATORS: the first %s is a button: Accept, Maybe, Decline */
        if (s && day[0])
            mg_html_textf(h, _("%s week %d's call, %s"), _(answers[i][1]),
                          s->week, day);
        else if (s)
            mg_html_textf(h, _("%s week %d's call"), _(answers[i][1]), s->week);
        else
            mg_html_textf(h, _("%s every call"), _(answers[i][1]));
        mg_html(h, "\">");
        mg_html_text(h, _(answers[i][1]));
        mg_html(h, "</button> ");
    }
    mg_html(h, "</form>");
}

static void section_rsvp(struct mg_html *h, const struct view *v,
                         const char *page_token)
{
    enum mg_store_rsvp_status all = MG_STORE_RSVP_NONE;
    size_t i, calls = 0;
    int same = 1;

    for (i = 0; i < v->n_sessions; i++) {
        enum mg_store_rsvp_status a = my_answer(v, v->sessions[i].id);
        if (v->sessions[i].status == MG_STORE_SESSION_CANCELLED ||
            is_held(&v->sessions[i], v->now))
            continue;
        if (calls++ == 0)
            all = a;
        else if (a != all)
            same = 0;
    }
    if (!calls)
        return; /* nothing left to answer */
    SECTION_START(h, "rsvp", _("Will you come?"));
    mg_html(h, "<p>");
    if (same && all != MG_STORE_RSVP_NONE)
        mg_html_textf(h, _("Your answer for every call to come: %s."),
                      answer_label(all));
    else if (same)
        mg_html_text(h, _("You have not answered yet."));
    else
        mg_html_text(h, _("Your answers differ from call to call (see the "
                          "calls below)."));
    mg_html(h, " ");
    mg_html_text(h, _("Answer for all the calls here, or for one call in the "
                      "table below."));
    mg_html(h, "</p>\n");
    rsvp_form(h, v, page_token, NULL, same ? all : MG_STORE_RSVP_NONE);
    mg_html(h, "\n</section>\n");
}

static void section_schedule(struct mg_html *h, const struct view *v,
                             const char *page_token)
{
    size_t i;

    if (!v->n_sessions)
        return;
    SECTION_START(h, "calls", _("All calls and readings"));
    web_table_begin(h, _("All calls and readings"), 1);
    mg_html(h, "<caption class=\"muted\">");
    mg_html_textf(h, _("Times in %s"), v->tz);
    mg_html(h, "</caption>\n<thead><tr><th scope=\"col\">");
    mg_html_text(h, _("Week"));
    mg_html(h, "</th><th scope=\"col\">");
    mg_html_text(h, _("Call"));
    mg_html(h, "</th><th scope=\"col\">");
    mg_html_text(h, _("Reading"));
    mg_html(h, "</th><th scope=\"col\">");
    mg_html_text(h, _("Your answer"));
    mg_html(h, "</th></tr></thead>\n<tbody>\n");
    for (i = 0; i < v->n_sessions; i++) {
        const struct mg_session_row *s = &v->sessions[i];
        struct mg_local_time lt;
        int cancelled = s->status == MG_STORE_SESSION_CANCELLED;

        mg_html(h, "<tr><th scope=\"row\">");
        mg_html_int(h, s->week);
        mg_html(h, "</th><td>");
        if (mg_schedule_utc_to_local(&lt, v->tz, s->starts_at, NULL) == 0 &&
            lt.weekday >= 1 && lt.weekday <= 7 && lt.month >= 1 &&
            lt.month <= 12)
            /* TRANSLATORS: "Tue 23 Mar, 19:30" */
            mg_html_textf(h, _("%s %d %s, %02d:%02d"),
                          _(weekdays_short[lt.weekday - 1]), lt.day,
                          _(months_short[lt.month - 1]), lt.hour, lt.minute);
        if (cancelled) {
            mg_html(h, " <strong>");
            mg_html_text(h, _("(cancelled)"));
            mg_html(h, "</strong>");
        }
        mg_html(h, "</td><td>");
        reading_text(h, reading_for(v, s->week));
        mg_html(h, "</td><td>");
        if (!cancelled) {
            enum mg_store_rsvp_status a = my_answer(v, s->id);

            mg_html_text(h, answer_label(a));
            if (is_held(s, v->now)) {
                mg_html(h, " <span class=\"muted\">");
                mg_html_text(h, _("(held)"));
                mg_html(h, "</span>");
            } else {
                mg_html(h, "<br>");
                rsvp_form(h, v, page_token, s, a);
            }
        }
        mg_html(h, "</td></tr>\n");
    }
    mg_html(h, "</tbody>\n");
    mg_html(h, "</table></div>\n");
    mg_html(h, "</section>\n");
}

/* "2027-03-23 19:45" in `tz`, or "". */
static void short_time(char *out, size_t n, const char *tz, int64_t t)
{
    out[0] = '\0';
    if (t > 0)
        mg_schedule_local_text(out, n, tz, t, ' ');
}

/* Approve and Reject buttons for a note in review, posting to
 * <token>/review. */
static void review_form(struct mg_html *h, const char *page_token,
                        const struct mg_note *n)
{
    FORM_START(h, page_token, "review");
    HIDDEN_INT(h, "note", n->id);
    mg_html(h, "<button type=\"submit\" name=\"decision\" value=\"approve\" "
               "class=\"button\" aria-label=\"");
    mg_html_textf(h, _("Approve note %lld"), (long long)n->id);
    mg_html(h, "\">");
    mg_html_text(h, _("Approve"));
    mg_html(h, "</button> <button type=\"submit\" name=\"decision\" "
               "value=\"reject\" class=\"button secondary\" "
               "aria-label=\"");
    mg_html_textf(h, _("Reject note %lld"), (long long)n->id);
    mg_html(h, "\">");
    mg_html_text(h, _("Reject"));
    mg_html(h, "</button></form>\n");
}

/*
 * The author's own summary, changed in place until its week's digest is
 * sent: the form posts to <token>/summary with the note's id.
 */
static void summary_edit_form(struct mg_html *h, const char *page_token,
                              const struct mg_note *n, int digest_sent)
{
    if (digest_sent) {
        mg_html(h, "<p class=\"muted\">");
        mg_html_text(h, _("The digest of this week has gone out: this "
                          "summary can no longer be changed."));
        mg_html(h, "</p>\n");
        return;
    }
    mg_html(h, "<details><summary>");
    mg_html_text(h, _("Edit this summary"));
    mg_html(h, "</summary>\n");
    FORM_START(h, page_token, "summary");
    HIDDEN_INT(h, "note", n->id);
    mg_html(h, "\n<p><label for=\"edit-subject-");
    mg_html_int(h, n->id);
    mg_html(h, "\">");
    mg_html_text(h, _("Title"));
    mg_html(h, "</label><br><input id=\"edit-subject-");
    mg_html_int(h, n->id);
    mg_html(h, "\" name=\"subject\" maxlength=\"200\" size=\"40\" "
               "value=\"");
    mg_html_attr(h, n->subject ? n->subject : "");
    mg_html(h, "\"></p>\n<p><label for=\"edit-text-");
    mg_html_int(h, n->id);
    mg_html(h, "\">");
    mg_html_text(h, _("Summary"));
    mg_html(h, "</label><br><textarea id=\"edit-text-");
    mg_html_int(h, n->id);
    mg_html(h, "\" name=\"text\" rows=\"8\" cols=\"60\" required>");
    mg_html_text(h, n->body ? n->body : "");
    mg_html(h, "</textarea></p>\n<button type=\"submit\">");
    mg_html_text(h, _("Save the changes"));
    mg_html(h, "</button>\n</form>\n</details>\n");
}

/* How a note is shown: with review buttons posting to `decide_token`,
 * with an edit form posting to `edit_token` (when the digest of its week
 * is not sent, `digest_sent`). */
struct note_actions {
    const char *decide_token, *edit_token;
    int digest_sent;
};

static void note_article(struct mg_html *h, const struct view *v,
                         const struct mg_note *n,
                         const struct note_actions *act)
{
    const char *subject;
    char when[32];

    short_time(when, sizeof(when), v->tz,
               n->sent_at ? n->sent_at : n->received_at);
    mg_html(h, "<article id=\"note-");
    mg_html_int(h, n->id);
    mg_html(h, "\">\n<h3>");
    subject = n->subject && *n->subject ? n->subject : _("(no subject)");
    if (n->week)
        mg_html_textf(h, _("Week %d: %s"), n->week, subject);
    else
        mg_html_text(h, subject);
    mg_html(h, "</h3>\n<p class=\"muted\">");
    mg_html_text(h, mg_notes_author(n));
    if (when[0]) {
        mg_html(h, ", ");
        mg_html_text(h, when);
    }
    if (n->review_reason && *n->review_reason &&
        n->status == MG_STORE_NOTE_REVIEW) {
        mg_html(h, "<br>");
        mg_html_textf(h, _("Waiting because: %s"), n->review_reason);
    }
    mg_html(h, "</p>\n<div class=\"body\">");
    mg_html_text(h, n->body ? n->body : "");
    mg_html(h, "</div>\n");
    if (n->n_attachments) {
        mg_html(h, "<p class=\"muted\">");
        mg_html_textf(h,
                      mg_ngettext("%zu attachment", "%zu attachments",
                                  (unsigned long)n->n_attachments),
                      (size_t)n->n_attachments);
        mg_html(h, "</p>\n");
    }
    if (act->decide_token)
        review_form(h, act->decide_token, n);
    if (act->edit_token)
        summary_edit_form(h, act->edit_token, n, act->digest_sent);
    mg_html(h, "</article>\n");
}

/* Newest week first, then newest mail first. */
static int by_week_desc(const void *a, const void *b)
{
    const struct mg_note *x = a, *y = b;
    int64_t tx = x->sent_at ? x->sent_at : x->received_at;
    int64_t ty = y->sent_at ? y->sent_at : y->received_at;

    if (x->week != y->week)
        return x->week > y->week ? -1 : 1;
    if (tx != ty)
        return tx > ty ? -1 : 1;
    return x->id > y->id ? -1 : x->id < y->id;
}

/* Notes a section of a page shows at most: the page stays quick however
 * much mail a group gets. */
#define PAGE_NOTES 50

/* Which of the group's notes a section shows, and how. */
struct notes_section {
    const char *id, *title; /* id: a literal fit for an HTML id */
    const char *kind;       /* NULL: any */
    const char *status;     /* NULL: published */
    const char *empty;
    const char *decide_token; /* approve/reject buttons posting here */
    int64_t editor; /* whose summaries have an edit form (0: nobody's) */
    const char *edit_token; /* ... posting here */
};

static int section_notes(struct mg_html *h, struct mg_store *st,
                         const struct view *v, const struct notes_section *ns)
{
    struct mg_note_filter f;
    struct mg_note *notes = NULL;
    size_t n = 0, i;
    int rc;

    memset(&f, 0, sizeof(f));
    f.circle_id = v->circle->id;
    f.group_id = v->group->id; /* never 0 here: 0 would mean any group */
    f.kind = ns->kind;
    f.status = ns->status;
    f.newest = 1; /* a page shows the latest; the digest has them all */
    f.limit = PAGE_NOTES;
    rc = mg_store_notes_list(&notes, &n, st, &f);
    if (rc < 0)
        return rc;
    if (n > 1)
        qsort(notes, n, sizeof(*notes), by_week_desc);
    mg_html(h, "<section aria-labelledby=\"");
    mg_html_attr(h, ns->id);
    mg_html(h, "\">\n<h2 id=\"");
    mg_html_attr(h, ns->id);
    mg_html(h, "\">");
    mg_html_text(h, ns->title);
    mg_html(h, "</h2>\n");
    if (n == 0) {
        mg_html(h, "<p class=\"muted\">");
        mg_html_text(h, ns->empty);
        mg_html(h, "</p>\n");
    }
    if (n == PAGE_NOTES) {
        mg_html(h, "<p class=\"muted\">");
        mg_html_textf(h, _("The latest %d; the weekly digest has them all."),
                      PAGE_NOTES);
        mg_html(h, "</p>\n");
    }
    for (i = 0; i < n && rc == 0; i++) {
        struct note_actions act = {ns->decide_token, NULL, 0};

        if (ns->editor && notes[i].participant_id == ns->editor &&
            strcmp(notes[i].kind, "summary") == 0) {
            act.edit_token = ns->edit_token;
            rc = mg_notes_digest_sent(&act.digest_sent, st, v->circle->id,
                                      notes[i].week);
        }
        if (rc == 0)
            note_article(h, v, &notes[i], &act);
    }
    mg_html(h, "</section>\n");
    mg_store_notes_free(notes, n);
    return rc;
}

/* Attendance of each of the group's sessions, as recorded. */
struct attendance {
    struct mg_attendance_row **rows;
    size_t *n;
};

static void attendance_load(struct attendance *a, struct mg_store *st,
                            const struct view *v)
{
    size_t s;

    a->rows = mg_xcalloc(v->n_sessions + 1, sizeof(*a->rows));
    a->n = mg_xcalloc(v->n_sessions + 1, sizeof(*a->n));
    for (s = 0; s < v->n_sessions; s++)
        if (mg_store_attendance_list(&a->rows[s], &a->n[s], st,
                                     v->sessions[s].id) < 0)
            a->n[s] = 0;
}

static void attendance_release(struct attendance *a, const struct view *v)
{
    size_t s;

    for (s = 0; s < v->n_sessions; s++)
        mg_store_attendance_free(a->rows[s], a->n[s]);
    free(a->rows);
    free(a->n);
}

/* Whether `person` came to the call of session index `s`: 1, 0, or -1
 * when no attendance was recorded for it. */
static int came(const struct attendance *a, size_t s, int64_t person)
{
    size_t i;

    for (i = 0; i < a->n[s]; i++)
        if (a->rows[s][i].participant_id == person)
            return a->rows[s][i].present != 0;
    return -1;
}

/* "yes", "no", or "-" for came()'s answer. */
static const char *came_label(int came)
{
    return came < 0 ? "-" : came ? _("yes") : _("no");
}

static int active_member(const struct view *v, const struct mg_participant *p)
{
    return p->group_id == v->group->id && p->status != MG_STATUS_WITHDRAWN;
}

/* A query argument as a positive id, or 0. */
static int64_t arg_id(struct request *r, const char *name)
{
    const char *s = request_arg(r, name);
    char *end = NULL;
    long long v;

    if (!s || *s < '1' || *s > '9')
        return 0;
    v = strtoll(s, &end, 10);
    return *end ? 0 : (int64_t)v;
}

/*
 * "Who came?" for session index `s`, a held call: a checkbox per member,
 * ticked as recorded. With `confirm`, the facilitator saved nobody
 * ticked: ask before marking everyone absent.
 */
static void attendance_form(struct mg_html *h, const struct view *v,
                            const struct attendance *a, size_t s,
                            const char *page_token, int confirm)
{
    const struct mg_session_row *held = &v->sessions[s];
    char day[48];
    size_t i;

    day_text(day, sizeof(day), v->tz, held->starts_at);
    if (confirm) {
        mg_html(h, "<div class=\"notice\" role=\"alert\">\n<p>");
        mg_html_textf(h,
                      _("Nobody is ticked for week %d's call (%s). Record "
                        "that nobody came?"),
                      held->week, day);
        mg_html(h, "</p>\n");
        FORM_START(h, page_token, "attendance");
        HIDDEN_INT(h, "session", held->id);
        mg_html(h, "<input type=\"hidden\" name=\"confirm\" value=\"yes\">"
                   "<button type=\"submit\">");
        mg_html_text(h, _("Yes, mark everyone absent"));
        mg_html(h, "</button> <a href=\"?attend=");
        mg_html_int(h, held->id);
        mg_html(h, "#attendance\">");
        mg_html_text(h, _("No, go back to the list"));
        mg_html(h, "</a></form>\n</div>\n");
        return;
    }
    FORM_START(h, page_token, "attendance");
    mg_html(h, "\n<fieldset><legend>");
    mg_html_textf(h, _("Who came to week %d's call (%s)?"), held->week, day);
    mg_html(h, "</legend>\n");
    HIDDEN_INT(h, "session", held->id);
    mg_html(h, "\n");
    for (i = 0; i < v->n_people; i++) {
        const struct mg_participant *p = &v->people[i];

        if (!active_member(v, p))
            continue;
        mg_html(h, "<label><input type=\"checkbox\" name=\"present\" "
                   "value=\"");
        mg_html_int(h, p->id);
        if (came(a, s, p->id) == 1)
            mg_html(h, "\" checked> ");
        else
            mg_html(h, "\"> ");
        mg_html_text(h, p->name);
        mg_html(h, "</label><br>\n");
    }
    mg_html(h, "<button type=\"submit\">");
    mg_html_text(h, _("Save attendance"));
    mg_html(h, "</button>\n</fieldset>\n</form>\n");
}

static void section_members(struct mg_html *h, struct request *r,
                            struct mg_store *st, const struct view *v)
{
    const char *page_token = r->feed;
    const struct mg_session_row *chosen;
    struct attendance a;
    int64_t want = arg_id(r, "attend");
    int64_t confirm = 0;
    size_t i, s, n_held = 0;

    attendance_load(&a, st, v);
    SECTION_START(h, "members", _("Your group's members"));
    web_table_begin(h, _("Your group's members and who came"), 1);
    mg_html(h, "<caption class=\"muted\">");
    mg_html_text(h, _("Attendance by week: yes, no, or - until it is "
                      "recorded"));
    mg_html(h, "</caption>\n<thead><tr><th scope=\"col\">");
    mg_html_text(h, _("Name"));
    mg_html(h, "</th><th scope=\"col\">");
    mg_html_text(h, _("Sector"));
    mg_html(h, "</th><th scope=\"col\">");
    mg_html_text(h, _("Region"));
    mg_html(h, "</th>");
    for (s = 0; s < v->n_sessions; s++) {
        mg_html(h, "<th scope=\"col\"><abbr title=\"");
        mg_html_textf(h, _("came to week %d"), v->sessions[s].week);
        mg_html(h, "\">");
        /* TRANSLATORS: a narrow column's heading: "W2" is week 2 */
        mg_html_textf(h, _("W%d"), v->sessions[s].week);
        mg_html(h, "</abbr></th>");
    }
    mg_html(h, "</tr></thead>\n<tbody>\n");
    for (i = 0; i < v->n_people; i++) {
        const struct mg_participant *p = &v->people[i];
        if (!active_member(v, p))
            continue;
        mg_html(h, "<tr><td>");
        mg_html_text(h, p->name);
        if (p->role == MG_PERSON_FACILITATOR) {
            mg_html(h, " <span class=\"muted\">");
            mg_html_text(h, _("(facilitator)"));
            mg_html(h, "</span>");
        }
        mg_html(h, "</td><td>");
        mg_html_text(h, p->sector && *p->sector ? p->sector : "-");
        mg_html(h, "</td><td>");
        mg_html_text(h, p->region && *p->region ? p->region : "-");
        mg_html(h, "</td>");
        for (s = 0; s < v->n_sessions; s++) {
            mg_html(h, "<td>");
            mg_html_text(h, came_label(came(&a, s, p->id)));
            mg_html(h, "</td>");
        }
        mg_html(h, "</tr>\n");
    }
    mg_html(h, "</tbody>\n");
    mg_html(h, "</table></div>\n");
    mg_html(h, "</section>\n");

    /* Attendance of any call held: the one asked for, else the latest. */
    if (request_arg(r, "confirm") &&
        strcmp(request_arg(r, "confirm"), "absent") == 0)
        want = confirm = arg_id(r, "session");
    chosen = session_by_id(v, want);
    if (!chosen || !is_held(chosen, v->now))
        chosen = last_held(v);
    SECTION_START(h, "attendance", _("Who came"));
    if (!chosen) {
        mg_html(h, "<p class=\"muted\">");
        mg_html_text(h, _("You can record who came once the first call has "
                          "been held."));
        mg_html(h, "</p>\n</section>\n");
        attendance_release(&a, v);
        return;
    }
    for (s = 0; s < v->n_sessions; s++)
        n_held += is_held(&v->sessions[s], v->now);
    if (n_held > 1) {
        mg_html(h, "<p>");
        mg_html_text(h, _("Correct another call:"));
        mg_html(h, " ");
        for (s = 0; s < v->n_sessions; s++) {
            const struct mg_session_row *x = &v->sessions[s];
            if (!is_held(x, v->now))
                continue;
            if (x == chosen) {
                mg_html(h, "<strong aria-current=\"true\">");
                mg_html_textf(h, _("week %d"), x->week);
                mg_html(h, "</strong> ");
                continue;
            }
            mg_html(h, "<a href=\"?attend=");
            mg_html_int(h, x->id);
            mg_html(h, "#attendance\">");
            mg_html_textf(h, _("week %d"), x->week);
            mg_html(h, "</a> ");
        }
        mg_html(h, "</p>\n");
    }
    attendance_form(h, v, &a, (size_t)(chosen - v->sessions), page_token,
                    confirm && confirm == chosen->id);
    mg_html(h, "</section>\n");
    attendance_release(&a, v);
}

/* Who said they are coming to the next call. */
static int section_coming(struct mg_html *h, struct mg_store *st,
                          const struct view *v)
{
    struct mg_rsvp_row *rows = NULL;
    size_t n = 0, i, j, count[4] = {0, 0, 0, 0};
    char day[48];
    int rc;

    if (!v->next)
        return 0;
    rc = mg_store_rsvps_for_session(&rows, &n, st, v->next->id);
    if (rc < 0)
        return rc;
    day_text(day, sizeof(day), v->tz, v->next->starts_at);
    SECTION_START(h, "coming", _("Who is coming to the next call"));
    mg_html(h, "<p>");
    mg_html_textf(h, _("Week %d, %s."), v->next->week, day);
    mg_html(h, "</p>\n");
    web_table_begin(h, _("Who is coming to the next call"), 1);
    mg_html(h, "<thead><tr><th scope=\"col\">");
    mg_html_text(h, _("Name"));
    mg_html(h, "</th><th scope=\"col\">");
    mg_html_text(h, _("Answer"));
    mg_html(h, "</th></tr></thead>\n<tbody>\n");
    for (i = 0; i < v->n_people; i++) {
        const struct mg_participant *p = &v->people[i];
        enum mg_store_rsvp_status answer = MG_STORE_RSVP_NONE;

        if (!active_member(v, p))
            continue;
        for (j = 0; j < n; j++)
            if (rows[j].participant_id == p->id)
                answer = rows[j].status;
        count[answer == MG_STORE_RSVP_NONE        ? 3
              : answer == MG_STORE_RSVP_ACCEPTED  ? 0
              : answer == MG_STORE_RSVP_TENTATIVE ? 1
                                                  : 2]++;
        mg_html(h, "<tr><td>");
        mg_html_text(h, p->name);
        mg_html(h, "</td><td>");
        mg_html_text(h, answer_label(answer));
        mg_html(h, "</td></tr>\n");
    }
    mg_html(h, "</tbody>\n");
    mg_html(h, "</table></div>\n");
    mg_html(h, "<p>");
    mg_html_textf(h,
                  _("%zu coming, %zu maybe, %zu not coming, %zu not "
                    "answered."),
                  count[0], count[1], count[2], count[3]);
    mg_html(h, "</p>\n</section>\n");
    mg_store_rsvps_free(rows, n);
    return 0;
}

/* The domain groups' mail goes to: the configured one, else the
 * organizer's. NULL when neither is known. */
static const char *mail_domain(const struct request *r,
                               const struct mg_circle *c)
{
    const char *at;

    if (r->srv->mail_domain && *r->srv->mail_domain)
        return r->srv->mail_domain;
    at = c->organizer_email ? strrchr(c->organizer_email, '@') : NULL;
    return at && at[1] ? at + 1 : NULL;
}

/* "[Atlas G1 W2]": the subject tag of a group's week. */
static char *subject_tag(const char *key, int position, int week)
{
    return mg_xasprintf("[%c%s G%d W%d]",
                        key[0] >= 'a' && key[0] <= 'z' ? key[0] - 'a' + 'A'
                                                       : key[0],
                        key + 1, position, week);
}

/* The summary form: a week, a subject, the text; filed as mail to the
 * group's address would be. */
static void summary_form(struct mg_html *h, const struct view *v,
                         const char *page_token)
{
    const struct mg_session_row *held = last_held(v);
    int week = held ? held->week : v->week, w;

    FORM_START(h, page_token, "summary");
    mg_html(h, "\n<fieldset><legend>");
    mg_html_text(h, _("Or write the summary here"));
    mg_html(h, "</legend>\n<p><label for=\"summary-week\">");
    mg_html_text(h, _("Week"));
    mg_html(h, "</label><br><select id=\"summary-week\" name=\"week\">");
    for (w = 1; w <= v->circle->weeks; w++) {
        mg_html(h, "<option value=\"");
        mg_html_int(h, w);
        if (w == week)
            mg_html(h, "\" selected>");
        else
            mg_html(h, "\">");
        mg_html_textf(h, _("Week %d"), w);
        mg_html(h, "</option>");
    }
    mg_html(h, "</select></p>\n<p><label for=\"summary-subject\">");
    mg_html_text(h, _("Title (optional)"));
    mg_html(h, "</label><br><input id=\"summary-subject\" name=\"subject\" "
               "maxlength=\"200\" size=\"40\"></p>\n"
               "<p><label for=\"summary-text\">");
    mg_html_text(h, _("Summary"));
    mg_html(h, "</label><br><textarea id=\"summary-text\" name=\"text\" "
               "rows=\"8\" cols=\"60\" required></textarea></p>\n"
               "<button type=\"submit\">");
    mg_html_text(h, _("File the summary"));
    mg_html(h, "</button>\n</fieldset>\n</form>\n");
}

static void section_how_to_post(struct mg_html *h, const struct request *r,
                                const struct view *v, const char *page_token)
{
    const char *domain = mail_domain(r, v->circle);
    char key[MG_CIRCLE_KEY_MAX], *address = NULL, *tag;
    struct mg_buf mailto = MG_BUF_INIT;

    mg_circle_key(key, v->circle);
    tag = subject_tag(key, v->group->position, v->week);
    SECTION_START(h, "post", _("How to post a summary"));
    mg_html(h, "<p>");
    mg_html_textf(h,
                  _("After the call of week %d, mail your summary from the "
                    "address this circle knows you by, or write it in the "
                    "form below."),
                  v->week);
    mg_html(h, "</p>\n<dl>\n");
    if (domain) {
        address = mg_xasprintf("%s+g%d-w%d@%s", key, v->group->position,
                               v->week, domain);
        mg_buf_puts(&mailto, "mailto:");
        mg_url_encode(&mailto, address);
        mg_buf_puts(&mailto, "?subject=");
        mg_url_encode(&mailto, tag);
        row_start(h, _("To"));
        mg_html(h, "<code>");
        mg_html_text(h, address);
        mg_html(h, "</code><br>");
        mg_html_link(h, mailto.data, _("Write the summary now"), NULL);
        mg_html(h, "</dd>\n");
    }
    row_start(h, _("Subject"));
    mg_html(h, "<code>");
    mg_html_text(h, tag);
    mg_html(h, "</code> ");
    mg_html_text(h, _("then a few words"));
    mg_html(h, "</dd>\n</dl>\n<p>");
    mg_html_text(h, _("Either the address or the tag in the subject is "
                      "enough to file it under your group and week (change "
                      "the week number for another week). Mail from you "
                      "that is not a reply is filed as the group's summary; "
                      "add the word “summary” to the subject to "
                      "be sure. Members' mail to the same address is kept as "
                      "their notes."));
    mg_html(h, "</p>\n");
    summary_form(h, v, page_token);
    mg_html(h, "</section>\n");
    free(tag);
    free(address);
    mg_buf_release(&mailto);
}

/* Whether plenary `p` takes a registration from someone with `seats`:
 * not cancelled, its last call not over, and no place or waitlist place
 * of theirs already. */
static int open_to_me(const struct mg_plenary_row *p,
                      const struct mg_store_person_seat *seats, size_t n,
                      int64_t now)
{
    int64_t last =
        p->starts_at + (int64_t)(p->weeks > 1 ? p->weeks - 1 : 0) * 7 * 86400;
    size_t i;

    if (p->status == MG_STORE_PLENARY_CANCELLED ||
        last + 60 * (int64_t)p->minutes <= now)
        return 0;
    for (i = 0; i < n; i++)
        if (seats[i].p.id == p->id &&
            (seats[i].status == MG_STORE_SEAT_REGISTERED ||
             seats[i].status == MG_STORE_SEAT_WAITLISTED))
            return 0;
    return 1;
}

/* The plenaries one can still register for, each with a button posting
 * to <token>/register (a full one offers its waitlist). */
static void open_plenaries(struct mg_html *h, struct request *r,
                           const struct view *v,
                           const struct mg_plenary_row *all, size_t n_all,
                           const struct mg_store_person_seat *seats, size_t n)
{
    size_t i;

    mg_html(h, "<h3>");
    mg_html_text(h, _("Open for registration"));
    mg_html(h, "</h3>\n");
    for (i = 0; i < n_all; i++) {
        const struct mg_plenary_row *p = &all[i];
        int full = p->capacity > 0 && p->registered >= p->capacity;

        if (!open_to_me(p, seats, n, v->now))
            continue;
        mg_html(h, "<p><strong>");
        mg_html_text(h, p->title);
        mg_html(h, "</strong><br>");
        call_both(h, v, p->starts_at, p->minutes, 0);
        if (p->weeks > 1) {
            mg_html(h, "<br>");
            mg_html_textf(h, _("then weekly, %d calls in all"), p->weeks);
        }
        if (p->capacity > 0) {
            mg_html(h, "<br>");
            mg_html_textf(h, _("%d of %d places taken"), p->registered,
                          p->capacity);
        }
        mg_html(h, "</p>\n");
        FORM_START(h, r->feed, "register");
        HIDDEN_INT(h, "plenary", p->id);
        mg_html(h, "<button type=\"submit\" aria-label=\"");
        if (full)
            mg_html_textf(h, _("Join the waitlist of %s"), p->title);
        else
            mg_html_textf(h, _("Register for %s"), p->title);
        mg_html(h, "\">");
        mg_html_text(h, full ? _("Join the waitlist") : _("Register"));
        mg_html(h, "</button></form>\n");
    }
}

/*
 * The plenaries (whole-circle sessions) this person registered for:
 * when, their place or their place on the waitlist, and a button to give
 * up the place (decline) or leave the waitlist (withdraw). After such a
 * post the page says what the store now holds for that plenary.
 */
static int section_plenaries(struct mg_html *h, struct request *r,
                             struct mg_store *st, const struct view *v)
{
    struct mg_store_person_seat *seats = NULL;
    struct mg_plenary_row *all = NULL;
    const char *done = request_arg(r, "done");
    int64_t changed = arg_id(r, "plenary");
    size_t n = 0, n_all = 0, i, shown = 0, open = 0;
    int rc = mg_store_person_seats(&seats, &n, st, v->circle->id, v->me->id);

    if (rc == 0 && v->me->status != MG_STATUS_WITHDRAWN)
        rc = mg_store_plenaries_list(&all, &n_all, st, v->circle->id);
    if (rc < 0)
        goto out;
    for (i = 0; i < n; i++)
        shown += seats[i].status == MG_STORE_SEAT_REGISTERED ||
                 seats[i].status == MG_STORE_SEAT_WAITLISTED ||
                 seats[i].p.id == changed;
    for (i = 0; i < n_all; i++)
        open += open_to_me(&all[i], seats, n, v->now);
    if (!shown && !open)
        goto out;
    SECTION_START(h, "plenaries", _("Whole-circle sessions"));
    for (i = 0; i < n; i++) {
        const struct mg_store_person_seat *s = &seats[i];
        int cancelled = s->p.status == MG_STORE_PLENARY_CANCELLED;

        if (s->status != MG_STORE_SEAT_REGISTERED &&
            s->status != MG_STORE_SEAT_WAITLISTED && s->p.id != changed)
            continue;
        if (done && strcmp(done, "plenary") == 0 && s->p.id == changed) {
            mg_html(h, "<p class=\"notice\" role=\"status\">");
            if (s->status == MG_STORE_SEAT_REGISTERED)
                mg_html_textf(h, _("You have a place at %s."), s->p.title);
            else if (s->status == MG_STORE_SEAT_WAITLISTED)
                mg_html_textf(h,
                              _("%s is full: you are number %d on its "
                                "waitlist."),
                              s->p.title, s->place);
            else if (s->status == MG_STORE_SEAT_DECLINED)
                mg_html_textf(h,
                              _("You gave up your place at %s: it goes to "
                                "the next on the waitlist."),
                              s->p.title);
            else if (s->status == MG_STORE_SEAT_WITHDRAWN)
                mg_html_textf(h, _("You left the waitlist of %s."), s->p.title);
            mg_html(h, "</p>\n");
        }
        if (s->status != MG_STORE_SEAT_REGISTERED &&
            s->status != MG_STORE_SEAT_WAITLISTED)
            continue;
        mg_html(h, "<h3>");
        mg_html_text(h, s->p.title);
        if (s->p.guest && *s->p.guest) {
            mg_html(h, " ");
            mg_html_textf(h, _("with %s"), s->p.guest);
        }
        mg_html(h, "</h3>\n<dl>\n");
        row_start(h, s->p.weeks > 1 ? _("Calls") : _("Call"));
        call_both(h, v, s->p.starts_at, s->p.minutes, 0);
        if (s->p.weeks > 1) {
            mg_html(h, "<br>");
            mg_html_textf(h, _("then weekly, %d calls in all"), s->p.weeks);
        }
        mg_html(h, "</dd>\n");
        if (s->status == MG_STORE_SEAT_REGISTERED && !cancelled) {
            const char *link =
                mg_plenary_call_link(s->p.call_url, v->circle->video_url);

            if (link && mg_html_url_is_safe(link)) {
                row_start(h, _("Video call"));
                mg_html_link(h, link, link, NULL);
                mg_html(h, "</dd>\n");
            }
        }
        row_start(h, _("Your place"));
        if (cancelled)
            mg_html_text(h, _("This session is cancelled."));
        else if (s->status == MG_STORE_SEAT_REGISTERED)
            mg_html_text(h, _("You have a place."));
        else
            mg_html_textf(h, _("You are number %d on the waitlist."), s->place);
        mg_html(h, "</dd>\n</dl>\n");
        if (cancelled || v->me->status == MG_STATUS_WITHDRAWN)
            continue;
        FORM_START(h, r->feed, "plenary");
        HIDDEN_INT(h, "plenary", s->p.id);
        if (s->status == MG_STORE_SEAT_REGISTERED) {
            mg_html(h, "<button type=\"submit\" name=\"action\" "
                       "value=\"decline\" class=\"button secondary\" "
                       "aria-label=\"");
            mg_html_textf(h, _("Give up my place at %s"), s->p.title);
            mg_html(h, "\">");
            mg_html_text(h, _("Give up my place"));
        } else {
            mg_html(h, "<button type=\"submit\" name=\"action\" "
                       "value=\"withdraw\" class=\"button secondary\" "
                       "aria-label=\"");
            mg_html_textf(h, _("Leave the waitlist of %s"), s->p.title);
            mg_html(h, "\">");
            mg_html_text(h, _("Leave the waitlist"));
        }
        mg_html(h, "</button></form>\n");
    }
    if (open)
        open_plenaries(h, r, v, all, n_all, seats, n);
    mg_html(h, "</section>\n");
out:
    mg_store_plenaries_free(all, n_all);
    mg_store_person_seats_free(seats, n);
    return rc;
}

static const char *answer_sentence(enum mg_store_rsvp_status status)
{
    switch (status) {
    case MG_STORE_RSVP_ACCEPTED:
        return _("you are coming");
    case MG_STORE_RSVP_DECLINED:
        return _("you are not coming");
    case MG_STORE_RSVP_TENTATIVE:
        return _("you might come");
    case MG_STORE_RSVP_NONE:
        break;
    }
    return _("you have not answered");
}

/*
 * What the form just posted did, said at the top of the page the post
 * was redirected to. The query says which form; what is said comes from
 * the store, so a stale or forged query shows the truth or nothing.
 */
static void section_saved(struct mg_html *h, struct request *r,
                          struct mg_store *st, const struct view *v)
{
    const char *done = request_arg(r, "done");
    const char *problem = request_arg(r, "problem");
    const struct mg_session_row *s = session_by_id(v, arg_id(r, "session"));
    int64_t week = arg_id(r, "week");
    char day[48] = "";

    if (!done && !problem)
        return;
    if (s)
        day_text(day, sizeof(day), v->tz, s->starts_at);
    if (problem) {
        const char *why = NULL;

        if (strcmp(problem, "held") == 0)
            why = _("Not saved: that call has already been held.");
        else if (strcmp(problem, "not-held") == 0)
            why = _("Not saved: that call has not been held yet.");
        else if (strcmp(problem, "decided") == 0)
            why = _("Not saved: that note was decided already.");
        else if (strcmp(problem, "empty") == 0)
            why = _("Not saved: the summary was empty.");
        else if (strcmp(problem, "digest-sent") == 0)
            why = _("Not saved: the digest of that week has gone out, so its "
                    "summary can no longer be changed.");
        if (why) {
            mg_html(h, "<p class=\"notice\" role=\"alert\" id=\"saved\">");
            mg_html_text(h, why);
            mg_html(h, "</p>\n");
        }
        return;
    }
    mg_html(h, "<p class=\"notice\" role=\"status\" id=\"saved\">");
    if (strcmp(done, "rsvp") == 0 && s) {
        /* TRANSLATORS: "Saved: you are coming on Tuesday 8 December." */
        mg_html_textf(h, _("Saved: %s on %s."),
                      answer_sentence(my_answer(v, s->id)), day);
    } else if (strcmp(done, "rsvp") == 0) {
        enum mg_store_rsvp_status first = MG_STORE_RSVP_NONE;
        size_t i, calls = 0;
        int same = 1;

        /* the calls still to come, which "every call" answered */
        for (i = 0; i < v->n_sessions; i++) {
            enum mg_store_rsvp_status a = my_answer(v, v->sessions[i].id);
            if (v->sessions[i].status == MG_STORE_SESSION_CANCELLED ||
                is_held(&v->sessions[i], v->now))
                continue;
            if (calls++ == 0)
                first = a;
            else if (a != first)
                same = 0;
        }
        if (same && first != MG_STORE_RSVP_NONE)
            mg_html_textf(h, _("Saved: %s to every call."),
                          answer_sentence(first));
        else
            mg_html_text(h, _("Saved: your answer."));
    } else if (strcmp(done, "calendar") == 0) {
        mg_html_text(h, _("Saved: your calendar links below are new."));
    } else if (strcmp(done, "attendance") == 0 && s) {
        struct mg_attendance_row *rows = NULL;
        size_t n = 0, i, yes = 0;

        if (mg_store_attendance_list(&rows, &n, st, s->id) == 0) {
            for (i = 0; i < n; i++)
                yes += rows[i].present != 0;
            mg_html_textf(h,
                          _("Saved: attendance for week %d's call (%s): %zu "
                            "came, %zu did not."),
                          s->week, day, yes, n - yes);
            mg_store_attendance_free(rows, n);
        }
    } else if (strcmp(done, "summary") == 0 && week) {
        mg_html_textf(h,
                      _("Saved: your summary of week %lld is filed under "
                        "your group."),
                      (long long)week);
    } else if (strcmp(done, "summary-edited") == 0 && week) {
        mg_html_textf(h, _("Saved: your summary of week %lld is changed."),
                      (long long)week);
    } else if (strcmp(done, "summary-review") == 0 && week) {
        mg_html_textf(h,
                      _("Saved: your summary of week %lld waits for the "
                        "coordinator's review."),
                      (long long)week);
    } else if (strcmp(done, "profile") == 0) {
        mg_html_text(h, _("Saved: your details."));
    } else if (strcmp(done, "asked") == 0) {
        mg_html_text(h, _("Saved: the coordinator has been asked to move you. "
                          "Your group stays as it is until they do."));
    } else if (strcmp(done, "asked-zone") == 0) {
        mg_html_text(h, _("Saved: your time zone. The coordinator has been "
                          "asked to move you; your group stays as it is until "
                          "they do."));
    } else if (strcmp(done, "note") == 0 && week) {
        mg_html_textf(h,
                      _("Saved: your note for week %lld is filed under your "
                        "group."),
                      (long long)week);
    } else if (strcmp(done, "note-review") == 0 && week) {
        mg_html_textf(h,
                      _("Saved: your note for week %lld waits for the "
                        "coordinator's review."),
                      (long long)week);
    } else if (strcmp(done, "left") == 0 &&
               v->me->status == MG_STATUS_WITHDRAWN) {
        mg_html_text(h, _("You have left the circle, and the coordinator has "
                          "been told."));
    } else if (strcmp(done, "approved") == 0) {
        mg_html_text(h, _("Saved: the note is published."));
    } else if (strcmp(done, "rejected") == 0) {
        mg_html_text(h, _("Saved: the note is rejected."));
    }
    mg_html(h, "</p>\n");
}

/* "Tuesdays, 19:30 to 20:30": one of the circle's call slots, in the
 * circle's time. */
static void slot_text(struct mg_html *h, const struct mg_slot *s)
{
    int end = s->start_minute + s->minutes;

    if (s->weekday < 1 || s->weekday > 7) {
        mg_html_text(h, _("unknown"));
        return;
    }
    mg_html_textf(h, _("%s, %02d:%02d to %02d:%02d"),
                  _(weekdays_every[s->weekday - 1]), s->start_minute / 60,
                  s->start_minute % 60, end / 60 % 24, end % 60);
}

/* The query's problem, when it is `which`: said next to its field, with
 * `id` for the field's aria-describedby. */
static void field_problem(struct mg_html *h, const char *problem,
                          const char *which, const char *id, const char *text)
{
    if (!problem || strcmp(problem, which) != 0)
        return;
    mg_html(h, "<p class=\"notice\" role=\"alert\" id=\"");
    mg_html_attr(h, id);
    mg_html(h, "\">");
    mg_html_text(h, text);
    mg_html(h, "</p>\n");
}

static int has_slot(const struct mg_participant *p, int64_t id)
{
    size_t i;

    for (i = 0; i < p->n_slots; i++)
        if (p->slot_ids[i] == id)
            return 1;
    return 0;
}

/*
 * Their own time zone, the circle's call times they can make and their
 * thread wishes, in one form posting to <token>/profile. Before the
 * groups are made it changes them; after, a new zone applies at once and
 * other times or threads are asked of the coordinator (a move request).
 */
static void section_you(struct mg_html *h, struct request *r,
                        const struct view *v)
{
    static const char *const choices[] = {
        N_("First choice"), N_("Second choice"), N_("Third choice")};
    const char *problem = request_arg(r, "problem");
    size_t i, w;

    SECTION_START(h, "you", _("Your details"));
    mg_html(h, "<p>");
    if (v->group)
        mg_html_text(h, _("Your group is made. A new time zone applies at "
                          "once; other call times or threads ask the "
                          "coordinator to move you, and your group stays as "
                          "it is until they do."));
    else
        mg_html_text(h, _("Until the groups are made, what you save here is "
                          "what the groups are made from."));
    mg_html(h, "</p>\n");
    if (v->n_asks) {
        char when[32];

        short_time(when, sizeof(when), v->tz, v->asks[0].created_at);
        mg_html(h, "<p class=\"notice\">");
        mg_html_textf(h,
                      _("On %s you asked to be moved: the coordinator has "
                        "been asked and will be in touch."),
                      when);
        mg_html(h, "</p>\n");
    }
    FORM_START(h, r->feed, "profile");
    mg_html(h, "\n<p><label for=\"time-zone\">");
    mg_html_text(h, _("Your time zone"));
    mg_html(h, "</label><br><input id=\"time-zone\" name=\"time_zone\" "
               "size=\"30\" maxlength=\"64\" autocomplete=\"off\" value=\"");
    mg_html_attr(h, v->me->time_zone ? v->me->time_zone : "");
    mg_html(h, "\" aria-describedby=\"time-zone-hint");
    if (problem && strcmp(problem, "zone") == 0)
        mg_html(h, " time-zone-error\" aria-invalid=\"true");
    mg_html(h, "\"><br><span class=\"muted\" id=\"time-zone-hint\">");
    mg_html_textf(h,
                  _("A name such as Europe/Paris or America/New_York; leave "
                    "it empty for the circle's (%s)."),
                  v->circle->time_zone);
    mg_html(h, "</span></p>\n");
    field_problem(h, problem, "zone", "time-zone-error",
                  _("Not saved: that is not a time zone we know. Please use "
                    "a name such as Europe/Paris."));
    if (v->circle->n_slots) {
        mg_html(h, "<fieldset><legend>");
        mg_html_text(h, _("The call times you can make"));
        mg_html(h, "</legend>\n<p class=\"muted\">");
        mg_html_textf(h, _("In the circle's time zone (%s)."),
                      v->circle->time_zone);
        mg_html(h, "</p>\n");
        for (i = 0; i < v->circle->n_slots; i++) {
            const struct mg_slot *s = &v->circle->slots[i];

            mg_html(h, "<label><input type=\"checkbox\" name=\"slot\" "
                       "value=\"");
            mg_html_int(h, s->id);
            if (has_slot(v->me, s->id))
                mg_html(h, "\" checked> ");
            else
                mg_html(h, "\"> ");
            slot_text(h, s);
            mg_html(h, "</label><br>\n");
        }
        field_problem(h, problem, "slot", "slot-error",
                      _("Not saved: please choose among this circle's call "
                        "times."));
        field_problem(h, problem, "no-slot", "slot-error",
                      _("Not saved: please choose at least one of the call "
                        "times."));
        mg_html(h, "</fieldset>\n");
    }
    if (v->n_threads) {
        mg_html(h, "<fieldset><legend>");
        mg_html_text(h, _("The threads you would like, best first"));
        mg_html(h, "</legend>\n");
        for (w = 0; w < MG_PERSON_MAX_WISHES; w++) {
            mg_html(h, "<p><label for=\"thread-");
            mg_html_int(h, (int64_t)w + 1);
            mg_html(h, "\">");
            mg_html_text(h, _(choices[w]));
            mg_html(h, "</label><br><select id=\"thread-");
            mg_html_int(h, (int64_t)w + 1);
            mg_html(h, "\" name=\"thread\"><option value=\"\">");
            mg_html_text(h, _("(none)"));
            mg_html(h, "</option>");
            for (i = 0; i < v->n_threads; i++) {
                mg_html(h, "<option value=\"");
                mg_html_int(h, (int64_t)i + 1);
                if (w < v->me->n_wishes && v->me->wishes[w] == v->threads[i].id)
                    mg_html(h, "\" selected>");
                else
                    mg_html(h, "\">");
                mg_html_text(h, v->threads[i].title);
                mg_html(h, "</option>");
            }
            mg_html(h, "</select></p>\n");
        }
        field_problem(h, problem, "thread", "thread-error",
                      _("Not saved: please choose among this circle's "
                        "threads."));
        field_problem(h, problem, "wishes", "thread-error",
                      _("Not saved: please choose up to three different "
                        "threads."));
        mg_html(h, "</fieldset>\n");
    }
    if (v->group) {
        mg_html(h, "<p><label for=\"ask-note\">");
        mg_html_text(h, _("A word for the coordinator (optional)"));
        mg_html(h,
                "</label><br><textarea id=\"ask-note\" name=\"note\" "
                "rows=\"3\" cols=\"60\" maxlength=\"2000\"></textarea></p>\n");
    }
    mg_html(h, "<button type=\"submit\">");
    mg_html_text(h, _("Save my details"));
    mg_html(h, "</button>\n</form>\n</section>\n");
}

/*
 * A member's own notes to their group's weeks: the form (posting to
 * <token>/note, filed as their mail to the group's address would be)
 * and what they filed, published or waiting for review.
 */
static int section_my_notes(struct mg_html *h, struct request *r,
                            struct mg_store *st, const struct view *v)
{
    static const char *const statuses[] = {NULL, "review"};
    const char *problem = request_arg(r, "problem");
    struct note_actions none = {NULL, NULL, 0};
    size_t k, i, shown = 0;
    int w, rc = 0;

    SECTION_START(h, "my-notes", _("Your notes"));
    mg_html(h, "<p>");
    mg_html_text(h, _("Add a note to a week of your group's reading: it is "
                      "filed under your group as a note you mail to the "
                      "group would be."));
    mg_html(h, "</p>\n");
    FORM_START(h, r->feed, "note");
    mg_html(h, "\n<p><label for=\"note-week\">");
    mg_html_text(h, _("Week"));
    mg_html(h, "</label><br><select id=\"note-week\" name=\"week\">");
    for (w = 1; w <= v->circle->weeks; w++) {
        mg_html(h, "<option value=\"");
        mg_html_int(h, w);
        if (w == v->week)
            mg_html(h, "\" selected>");
        else
            mg_html(h, "\">");
        mg_html_textf(h, _("Week %d"), w);
        mg_html(h, "</option>");
    }
    mg_html(h, "</select></p>\n<p><label for=\"note-text\">");
    mg_html_text(h, _("Your note"));
    mg_html(h, "</label><br><textarea id=\"note-text\" name=\"text\" "
               "rows=\"6\" cols=\"60\" required");
    if (problem && strcmp(problem, "note-empty") == 0)
        mg_html(h, " aria-describedby=\"note-error\" aria-invalid=\"true\"");
    mg_html(h, "></textarea></p>\n");
    field_problem(h, problem, "note-empty", "note-error",
                  _("Not saved: the note was empty."));
    mg_html(h, "<button type=\"submit\">");
    mg_html_text(h, _("Add the note"));
    mg_html(h, "</button>\n</form>\n");
    for (k = 0; k < 2 && rc == 0; k++) {
        struct mg_note_filter f;
        struct mg_note *notes = NULL;
        size_t n = 0;

        memset(&f, 0, sizeof(f));
        f.circle_id = v->circle->id;
        f.group_id = v->group->id;
        f.kind = "note";
        f.status = statuses[k];
        f.newest = 1;
        f.limit = PAGE_NOTES;
        rc = mg_store_notes_list(&notes, &n, st, &f);
        if (n > 1)
            qsort(notes, n, sizeof(*notes), by_week_desc);
        for (i = 0; rc == 0 && i < n; i++) {
            if (notes[i].participant_id != v->me->id)
                continue;
            note_article(h, v, &notes[i], &none);
            shown++;
        }
        mg_store_notes_free(notes, n);
    }
    if (rc == 0 && !shown) {
        mg_html(h, "<p class=\"muted\">");
        mg_html_text(h, _("You have not added a note yet."));
        mg_html(h, "</p>\n");
    }
    mg_html(h, "</section>\n");
    return rc;
}

/* Leaving: a button, then (?confirm=leave) what it does and a second
 * button that posts confirm=yes to <token>/leave. */
static void section_leave(struct mg_html *h, struct request *r,
                          const struct view *v)
{
    const char *confirm = request_arg(r, "confirm");

    SECTION_START(h, "leave", _("Leave the circle"));
    if (confirm && strcmp(confirm, "leave") == 0) {
        mg_html(h, "<div class=\"notice\" role=\"alert\">\n<p>");
        mg_html_textf(h,
                      _("Leave %s? Your calls are taken off your calendar, "
                        "your places at whole-circle sessions go to the next "
                        "on their waitlists, and the coordinator is told. To "
                        "come back later, you would ask the coordinator."),
                      v->circle->title);
        mg_html(h, "</p>\n");
        FORM_START(h, r->feed, "leave");
        mg_html(h, "<input type=\"hidden\" name=\"confirm\" value=\"yes\">"
                   "<button type=\"submit\">");
        mg_html_text(h, _("Yes, leave the circle"));
        mg_html(h, "</button> <a href=\"?#leave\">");
        mg_html_text(h, _("No, stay"));
        mg_html(h, "</a></form>\n</div>\n</section>\n");
        return;
    }
    mg_html(h, "<p>");
    mg_html_text(h, _("If you can no longer take part, you can leave the "
                      "circle. You will be asked to confirm."));
    mg_html(h, "</p>\n");
    web_retention_sentence(h, r->srv->store, v->circle);
    FORM_START(h, r->feed, "leave");
    mg_html(h, "<button type=\"submit\" class=\"button secondary\">");
    mg_html_text(h, _("Leave the circle"));
    mg_html(h, "</button></form>\n</section>\n");
}

/* The page of someone who has left: no forms, and how to come back. */
static void section_left(struct mg_html *h, const struct view *v)
{
    const char *org = v->circle->organizer_email;

    mg_html(h, "<p class=\"notice\" id=\"left\">");
    mg_html_text(h, _("You have left this circle. Thank you for taking "
                      "part."));
    mg_html(h, " ");
    if (org && *org) {
        char *mailto = mg_xasprintf("mailto:%s", org);

        mg_html_text(h, _("To take part again, please ask the circle's "
                          "coordinator:"));
        mg_html(h, " ");
        if (mg_html_url_is_safe(mailto))
            mg_html_link(h, mailto,
                         v->circle->organizer_name && *v->circle->organizer_name
                             ? v->circle->organizer_name
                             : org,
                         NULL);
        else
            mg_html_text(h, org);
        free(mailto);
    } else {
        mg_html_text(h, _("To take part again, please ask the circle's "
                          "coordinator."));
    }
    mg_html(h, "</p>\n");
}

/* Render the page of participant `pid` into `h`. */
/* Reminders before each call: on or off, one button to change it
 * (POST /p/{token}/reminders). */
static void section_reminders(struct mg_html *h, struct mg_store *st,
                              const struct view *v, const char *page_token)
{
    int off = 0;

    if (mg_store_participant_reminders_get(&off, st, v->me->id) < 0)
        return;
    mg_html(h, "<section id=\"reminders\"><h2>");
    mg_html_text(h, _("Reminders"));
    mg_html(h, "</h2><p>");
    mg_html_text(h, off ? _("You get no reminder mail before your calls.")
                        : _("You get a reminder mail before each call."));
    mg_html(h, "</p><form method=\"post\" action=\"");
    mg_html_attr(h, page_token);
    mg_html(h, "/reminders\"><button type=\"submit\" name=\"reminders\" "
               "class=\"button secondary\" value=\"");
    mg_html_attr(h, off ? "on" : "off");
    mg_html(h, "\">");
    mg_html_text(h, off ? _("Send me reminders") : _("Stop reminders"));
    mg_html(h, "</button></form></section>\n");
}

static int render(struct mg_html *h, struct request *r, int64_t circle_id,
                  int64_t pid)
{
    struct mg_store *st = r->srv->store;
    struct view v;
    int live = 0;
    int rc = view_load(&v, st, circle_id, pid);

    if (rc == 0)
        rc = mg_calendar_page_feed_live(&live, st, r->feed, pid);
    if (rc < 0)
        goto out;
    web_begin(h, v.circle->title);
    mg_html_element(h, "h1", v.circle->title);
    mg_html(h, "<p>");
    if (v.facilitator)
        mg_html_textf(h,
                      _("Hello %s. This is your page as your group's "
                        "facilitator."),
                      v.me->name);
    else
        mg_html_textf(h, _("Hello %s. This is your page for the circle."),
                      v.me->name);
    mg_html(h, "</p>\n");
    section_saved(h, r, st, &v);
    rc = section_plenaries(h, r, st, &v);
    if (rc < 0)
        goto out;
    if (v.me->status == MG_STATUS_WITHDRAWN) {
        section_left(h, &v);
    } else if (!v.group) {
        mg_html(h, "<p class=\"notice\">");
        mg_html_text(h, _("You are not in a group yet. This page will show "
                          "your group, its calls and readings once the "
                          "groups are made."));
        mg_html(h, "</p>\n");
        web_person_certificate(h, r, circle_id, pid); /* a plenary's */
        section_you(h, r, &v);
        section_leave(h, r, &v);
    } else {
        struct notes_section summaries = {.id = "summaries",
                                          .title = _("Summaries"),
                                          .kind = "summary",
                                          .empty = _("No summary yet."),
                                          .editor =
                                              v.facilitator ? v.me->id : 0,
                                          .edit_token = r->feed};
        struct notes_section notes = {.id = "notes",
                                      .title = _("Members' notes"),
                                      .kind = "note",
                                      .empty = _("No notes yet.")};
        struct notes_section review = {.id = "review",
                                       .title = _("Waiting for review"),
                                       .status = "review",
                                       .empty = _("Nothing waits for review."),
                                       .decide_token = r->feed};

        section_group(h, &v);
        section_week(h, &v);
        section_rsvp(h, &v, r->feed);
        section_calendar(h, &v, r->srv->base_url, r->feed, live);
        section_reminders(h, st, &v, r->feed);
        web_survey_section(h, st, v.circle, v.me->id); /* when open */
        if (v.facilitator) {
            section_members(h, r, st, &v);
            rc = section_coming(h, st, &v);
            if (rc < 0)
                goto out;
            section_how_to_post(h, r, &v, r->feed);
        }
        section_schedule(h, &v, r->feed);
        rc = section_notes(h, st, &v, &summaries);
        if (rc == 0 && v.facilitator)
            rc = section_notes(h, st, &v, &notes);
        if (rc == 0 && v.facilitator)
            rc = section_notes(h, st, &v, &review);
        if (rc == 0 && !v.facilitator)
            rc = section_my_notes(h, r, st, &v);
        if (rc < 0)
            goto out;
        web_person_certificate(h, r, circle_id, pid);
        section_you(h, r, &v);
        section_leave(h, r, &v);
    }
    rc = person_cpd_section(h, st, circle_id, pid, r->feed);
    if (rc < 0)
        goto out;
    mg_html(h, "<p class=\"muted\">");
    mg_html_text(h, _("This page's address is yours alone: please don't "
                      "share it."));
    mg_html(h, "</p>\n");
    web_end(h);
out:
    view_release(&v);
    return rc;
}

static void reply_not_found(struct request *r)
{
    reply_page_message(r, MHD_HTTP_NOT_FOUND, _("Page not found"),
                       _("There is no page at this address. Please check the "
                         "link you were sent."));
}

/*
 * A page secret that matches no live page: a link the coordinator has
 * since replaced says so; anything else is a guess, counted as one.
 */
static void reply_unknown_page(struct request *r)
{
    int retired = 0;

    if (mg_calendar_page_retired(&retired, r->srv->store, r->feed) == 0 &&
        retired) {
        reply_page_message(r, MHD_HTTP_GONE, _("This link has been replaced"),
                           _("The address of your page has changed since "
                             "this link was sent. Please ask your circle's "
                             "coordinator for a new link."));
        return;
    }
    http_auth_failed(r);
    reply_not_found(r);
}

static void reply_failed(struct request *r)
{
    reply_page_message(r, MHD_HTTP_INTERNAL_SERVER_ERROR,
                       _("Something went wrong"),
                       _("This page cannot be shown just now. Please try "
                         "again in a few minutes."));
}

/* What a page of circle `id` says, it says in the circle's language
 * (the request began in English: see dispatch in server.c). */
static void use_circle_language(struct request *r, int64_t id)
{
    struct mg_circle *c = NULL;

    if (mg_store_circle_get(&c, r->srv->store, id) == 0)
        mg_i18n_use(mg_circle_language(c));
    mg_circle_free(c);
}

/* Check the page secret: 0 with the subject, or nonzero when a reply
 * went out. From here on the request speaks the circle's language. */
static int page_subject(int64_t *circle, int64_t *pid, struct request *r)
{
    int rc = mg_calendar_page_check(circle, pid, r->srv->store, r->feed);

    if (rc == MG_EAUTH || rc == MG_ENOTFOUND) {
        reply_unknown_page(r);
        return 1;
    }
    if (rc < 0) {
        reply_failed(r);
        return 1;
    }
    use_circle_language(r, *circle);
    return 0;
}

int person_page_subject(int64_t *circle, int64_t *pid, struct request *r)
{
    return page_subject(circle, pid, r);
}

/*
 * page_subject() for a form that changes something: someone who has
 * left the circle changes nothing, and is told so. 0 with the subject,
 * or nonzero when a reply went out.
 */
static int page_subject_active(int64_t *circle, int64_t *pid, struct request *r)
{
    struct mg_participant *me = NULL;
    int rc, left;

    if (page_subject(circle, pid, r))
        return 1;
    rc = mg_store_participant_get(&me, r->srv->store, *circle, *pid);
    left = rc == 0 && me->status == MG_STATUS_WITHDRAWN;
    if (left)
        reply_page_message(r, MHD_HTTP_FORBIDDEN, _("You have left"),
                           _("You have left this circle, so nothing can be "
                             "changed here. To take part again, please ask "
                             "the circle's coordinator."));
    else if (rc == MG_ENOTFOUND)
        reply_not_found(r);
    else if (rc < 0)
        reply_failed(r);
    mg_participants_free(me, me ? 1 : 0);
    return rc < 0 || left;
}

/* 303 from a form's path (/p/<token>/<what>) back to the page with
 * `query` (no "?") and an `anchor`: relative, so a path prefix in front
 * of us stays. */
static void back_to_page(struct request *r, const char *query,
                         const char *anchor)
{
    char *location = mg_xasprintf("../%s%s%s#%s", r->feed, query ? "?" : "",
                                  query ? query : "", anchor);

    reply_redirect(r, location, NULL);
    free(location);
}

/* The facilitator of a group behind a page, or MG_EFORBIDDEN. *me is
 * the caller's (mg_participants_free(*me, 1)). */
static int page_facilitator(struct mg_participant **me, struct request *r,
                            int64_t circle, int64_t pid)
{
    int rc = mg_store_participant_get(me, r->srv->store, circle, pid);

    if (rc == 0 && ((*me)->role != MG_PERSON_FACILITATOR || !(*me)->group_id ||
                    (*me)->status == MG_STATUS_WITHDRAWN))
        rc = MG_EFORBIDDEN;
    return rc;
}

/* A form field as a positive id: 0, or MG_EINVAL. */
static int form_id(int64_t *out, const struct mg_form *form, const char *name)
{
    const struct mg_form_field *f = mg_form_get(form, name);
    char *end = NULL;

    *out = 0;
    if (!f || !*f->value)
        return MG_EINVAL;
    *out = strtoll(f->value, &end, 10);
    return *end || *out <= 0 ? MG_EINVAL : 0;
}

void handle_person_page(struct request *r)
{
    struct mg_html h = MG_HTML_INIT;
    size_t len = strlen(r->url);
    int64_t circle = 0, pid = 0;
    int rc;

    /* "/p/<token>/": its forms' relative actions would miss; one address
     * per page. */
    if (len && r->url[len - 1] == '/') {
        char *location = mg_xasprintf("../%s", r->feed);
        reply_redirect(r, location, NULL);
        free(location);
        return;
    }
    if (page_subject(&circle, &pid, r))
        return;
    rc = render(&h, r, circle, pid);
    if (rc == MG_ENOTFOUND)
        reply_not_found(r); /* deleted while we looked */
    else if (rc < 0)
        reply_failed(r);
    else
        web_reply(r, MHD_HTTP_OK, &h);
    mg_html_release(&h);
}

void handle_person_page_feed(struct request *r)
{
    int64_t circle = 0, pid = 0;
    int rc;

    if (page_subject_active(&circle, &pid, r))
        return;
    rc = mg_calendar_page_feed_set(r->srv->store, r->feed, circle, pid);
    if (rc < 0) {
        reply_failed(r);
        return;
    }
    back_to_page(r, "done=calendar", "calendar");
}

/* POST /p/<token>/rsvp: answer=accepted|tentative|declined and an
 * optional session; back to the page, which shows the answer. */
void handle_person_page_rsvp(struct request *r)
{
    struct mg_form form = {NULL, 0, 0};
    const struct mg_form_field *answer, *session;
    struct mg_session_row s;
    int64_t circle = 0, pid = 0, sid = 0;
    char query[64];
    int rc = 0;

    if (page_subject_active(&circle, &pid, r))
        return;
    if (request_form(&form, r) < 0)
        rc = MG_EINVAL;
    answer = mg_form_get(&form, "answer");
    session = mg_form_get(&form, "session");
    if (rc == 0 && session && *session->value)
        rc = form_id(&sid, &form, "session");
    /* A call that has begun takes no more answers. */
    if (rc == 0 && sid)
        rc = mg_store_session_get(&s, r->srv->store, circle, sid);
    if (rc == 0 && sid && is_held(&s, mg_now())) {
        mg_form_release(&form);
        back_to_page(r, "problem=held", "calls");
        return;
    }
    if (rc == 0)
        rc = mg_calendar_rsvp_page(r->srv->store, circle, pid, sid,
                                   answer ? answer->value : NULL);
    mg_form_release(&form);
    if (rc == MG_EINVAL) {
        reply_page_message(r, MHD_HTTP_BAD_REQUEST, _("Answer not understood"),
                           _("Please use the Accept, Maybe or Decline buttons "
                             "on your page."));
        return;
    }
    if (rc == MG_ENOTFOUND) {
        reply_not_found(r);
        return;
    }
    if (rc < 0) {
        reply_failed(r);
        return;
    }
    if (sid)
        snprintf(query, sizeof(query), "done=rsvp&session=%lld",
                 (long long)sid);
    else
        snprintf(query, sizeof(query), "done=rsvp");
    back_to_page(r, query, "saved");
}

/* POST /p/{token}/attendance: a facilitator ticks who came to a call
 * already held; nobody ticked needs confirm=yes. */
void handle_person_page_attendance(struct request *r)
{
    struct mg_form form = {NULL, 0, 0};
    struct mg_participant *me = NULL;
    struct mg_error err = {{0}, {0}};
    const struct mg_form_field *confirm;
    struct mg_session_row s;
    int64_t circle = 0, pid = 0, sid = 0, *ids = NULL;
    size_t n = 0, i, yes = 0, no = 0;
    char query[80], *end = NULL;
    int rc;

    if (page_subject_active(&circle, &pid, r))
        return;
    rc = page_facilitator(&me, r, circle, pid);
    if (rc == 0 && request_form(&form, r) < 0)
        rc = MG_EINVAL;
    if (rc == 0)
        rc = form_id(&sid, &form, "session");
    ids = mg_xcalloc(form.n + 1, sizeof(*ids));
    for (i = 0; rc == 0 && i < form.n; i++) {
        if (strcmp(form.fields[i].name, "present") != 0)
            continue;
        ids[n] = strtoll(form.fields[i].value, &end, 10);
        if (*end || ids[n] <= 0)
            rc = MG_EINVAL;
        n++;
    }
    /* Only a call of the facilitator's own group, once it is held. */
    if (rc == 0) {
        rc = mg_store_session_get(&s, r->srv->store, circle, sid);
        if (rc == 0 && s.group_id != me->group_id)
            rc = MG_ENOTFOUND;
    }
    confirm = mg_form_get(&form, "confirm");
    if (rc == 0 && !is_held(&s, mg_now())) {
        back_to_page(r, "problem=not-held", "attendance");
        goto out;
    }
    if (rc == 0 && n == 0 && !(confirm && strcmp(confirm->value, "yes") == 0)) {
        snprintf(query, sizeof(query), "confirm=absent&session=%lld",
                 (long long)sid);
        back_to_page(r, query, "attendance");
        goto out;
    }
    if (rc == 0)
        rc = mg_attendance_record(&yes, &no, r->srv->store, circle, sid, ids, n,
                                  "facilitator", &err);
    if (rc == MG_EINVAL) {
        reply_page_message(r, MHD_HTTP_BAD_REQUEST, _("Attendance not saved"),
                           _("Please use the form on your page."));
    } else if (rc == MG_ENOTFOUND || rc == MG_EFORBIDDEN) {
        reply_not_found(r);
    } else if (rc < 0) {
        reply_failed(r);
    } else {
        snprintf(query, sizeof(query), "done=attendance&session=%lld",
                 (long long)sid);
        back_to_page(r, query, "saved");
    }
out:
    free(ids);
    mg_form_release(&form);
    mg_participants_free(me, me ? 1 : 0);
}

/* The summary form with note=<id>: the author's rewrite of their own
 * summary, until the digest of its week is sent. Replies. */
static void edit_summary(struct request *r, const struct mg_form *form,
                         int64_t circle, int64_t pid)
{
    const struct mg_form_field *text = mg_form_get(form, "text");
    const struct mg_form_field *subject = mg_form_get(form, "subject");
    int64_t id = 0;
    int week = 0;
    char query[64];
    int rc = form_id(&id, form, "note");

    if (rc == 0 &&
        (!text || text->len > SUMMARY_MAX || (subject && subject->len > 200)))
        rc = MG_EINVAL;
    if (rc == 0 && text->value[strspn(text->value, " \t\r\n")] == '\0') {
        back_to_page(r, "problem=empty", "summaries");
        return;
    }
    if (rc == 0)
        rc =
            mg_notes_summary_edit(&week, r->srv->store, circle, pid, id,
                                  subject ? subject->value : NULL, text->value);
    if (rc == MG_ECONFLICT) {
        back_to_page(r, "problem=digest-sent", "summaries");
    } else if (rc == MG_EINVAL) {
        reply_page_message(r, MHD_HTTP_BAD_REQUEST, _("Summary not saved"),
                           _("Please use the form on your page."));
    } else if (rc == MG_ENOTFOUND) {
        reply_not_found(r);
    } else if (rc < 0) {
        reply_failed(r);
    } else {
        snprintf(query, sizeof(query), "done=summary-edited&week=%d", week);
        back_to_page(r, query, "saved");
    }
}

/*
 * File `text` from `me` to group `g`'s address of `week` (`suffix`
 * "-summary" for a facilitator's summary, "" for a member's note) as the
 * mail webhook would file that mail, signed in at their own page. Its
 * Message-ID is a digest of `seed`, so the same words for the same week
 * are one message: a second click files nothing new.
 */
static int file_from_page(int64_t *note, enum mg_note_outcome *outcome,
                          struct request *r, const struct mg_circle *c,
                          const struct mg_participant *me,
                          const struct mg_group_row *g, int64_t week,
                          const char *suffix, const char *seed,
                          const char *title, const char *text)
{
    const char *domain = mail_domain(r, c);
    char key[MG_CIRCLE_KEY_MAX], *address, *mid;
    char *recipients[1];
    char hash[65];
    struct mg_inbound m;
    int rc;

    mg_circle_key(key, c);
    address =
        mg_xasprintf("%s+g%d-w%lld%s@%s", key, g->position, (long long)week,
                     suffix, domain ? domain : "invalid");
    mg_sha256_hex(hash, seed, strlen(seed));
    mid = mg_xasprintf("page-%.32s@%s", hash, domain ? domain : "invalid");
    recipients[0] = address;
    memset(&m, 0, sizeof(m));
    m.message_id = mid;
    m.from_name = me->name;
    m.from_email = me->email;
    m.recipients = recipients;
    m.n_recipients = 1;
    m.subject = (char *)title;
    m.text = (char *)text;
    m.date = mg_now();
    m.auth = MG_AUTH_PASS; /* signed in at their own page */
    rc = mg_notes_file(note, outcome, r->srv->store, "page", &m, 0);
    free(mid);
    free(address);
    return rc;
}

/*
 * POST /p/{token}/summary: week, subject (optional), text; or note=<id>
 * to rewrite one (edit_summary). Filed by the
 * notes module as mail from the facilitator to the group's summary
 * address of that week would be, under the same rules; the same text
 * posted twice is one note.
 */
void handle_person_page_summary(struct request *r)
{
    struct mg_form form = {NULL, 0, 0};
    struct mg_participant *me = NULL;
    struct mg_circle *c = NULL;
    struct mg_group_row *groups = NULL;
    const struct mg_group_row *group = NULL;
    const struct mg_form_field *text, *subject;
    enum mg_note_outcome outcome = MG_NOTE_FILED;
    size_t n_groups = 0;
    int64_t circle = 0, pid = 0, week = 0, note = 0;
    char *title = NULL, *seed;
    char query[64];
    int rc;

    if (page_subject_active(&circle, &pid, r))
        return;
    rc = page_facilitator(&me, r, circle, pid);
    if (rc == 0 && request_form(&form, r) < 0)
        rc = MG_EINVAL;
    if (rc == 0 && mg_form_get(&form, "note")) {
        edit_summary(r, &form, circle, pid);
        goto out;
    }
    if (rc == 0)
        rc = mg_store_circle_get(&c, r->srv->store, circle);
    if (rc == 0)
        rc = form_id(&week, &form, "week");
    if (rc == 0 && week > c->weeks)
        rc = MG_EINVAL;
    if (rc == 0 && !me->group_id)
        rc = MG_ENOTFOUND;
    if (rc == 0)
        rc = mg_store_group_get(&groups, r->srv->store, circle, me->group_id);
    if (rc == 0) {
        n_groups = 1;
        group = groups;
    }
    text = mg_form_get(&form, "text");
    subject = mg_form_get(&form, "subject");
    if (rc == 0 &&
        (!text || text->len > SUMMARY_MAX || (subject && subject->len > 200)))
        rc = MG_EINVAL;
    if (rc == 0 && text->value[strspn(text->value, " \t\r\n")] == '\0') {
        back_to_page(r, "problem=empty", "post");
        goto out;
    }
    if (rc < 0)
        goto reply;
    title = subject && subject->value[strspn(subject->value, " \t")]
                ? mg_xstrdup(subject->value)
                : mg_xasprintf(_("Week %lld summary"), (long long)week);
    seed = mg_xasprintf("%lld\n%lld\n%s\n%s", (long long)pid, (long long)week,
                        title, text->value);
    rc = file_from_page(&note, &outcome, r, c, me, group, week, "-summary",
                        seed, title, text->value);
    free(seed);
reply:
    if (rc == MG_EINVAL) {
        reply_page_message(r, MHD_HTTP_BAD_REQUEST, _("Summary not saved"),
                           _("Please use the form on your page."));
    } else if (rc == MG_ENOTFOUND || rc == MG_EFORBIDDEN) {
        reply_not_found(r);
    } else if (rc < 0) {
        reply_failed(r);
    } else {
        snprintf(query, sizeof(query), "done=%s&week=%lld",
                 outcome == MG_NOTE_REVIEW ? "summary-review" : "summary",
                 (long long)week);
        back_to_page(r, query, "saved");
    }
out:
    free(title);
    mg_store_groups_free(groups, n_groups);
    mg_circle_free(c);
    mg_form_release(&form);
    mg_participants_free(me, me ? 1 : 0);
}

/* POST /p/{token}/review: note, decision=approve|reject, for a note of
 * the facilitator's own group waiting for review. */
void handle_person_page_review(struct request *r)
{
    struct mg_form form = {NULL, 0, 0};
    struct mg_participant *me = NULL;
    const struct mg_form_field *decision;
    struct mg_note n;
    int64_t circle = 0, pid = 0, id = 0;
    int rc, publish = 0, loaded = 0;

    memset(&n, 0, sizeof(n));
    if (page_subject_active(&circle, &pid, r))
        return;
    rc = page_facilitator(&me, r, circle, pid);
    if (rc == 0 && request_form(&form, r) < 0)
        rc = MG_EINVAL;
    if (rc == 0)
        rc = form_id(&id, &form, "note");
    decision = mg_form_get(&form, "decision");
    if (rc == 0 && decision && strcmp(decision->value, "approve") == 0)
        publish = 1;
    else if (rc == 0 && !(decision && strcmp(decision->value, "reject") == 0))
        rc = MG_EINVAL;
    if (rc == 0) {
        rc = mg_store_note_get(&n, r->srv->store, id, 0);
        loaded = rc == 0;
    }
    /* Whose note it is first: its state tells another group nothing. */
    if (rc == 0 && (n.circle_id != circle || n.group_id != me->group_id))
        rc = MG_ENOTFOUND;
    if (rc == 0 && n.status != MG_STORE_NOTE_REVIEW)
        rc = MG_ECONFLICT;
    if (rc == 0)
        rc = mg_store_note_decide(r->srv->store, id, publish, 0, 0, 0, 0);
    if (rc == MG_ECONFLICT)
        back_to_page(r, "problem=decided", "saved");
    else if (rc == MG_EINVAL)
        reply_page_message(r, MHD_HTTP_BAD_REQUEST, _("Not saved"),
                           _("Please use the Approve or Reject buttons on "
                             "your page."));
    else if (rc == MG_ENOTFOUND || rc == MG_EFORBIDDEN)
        reply_not_found(r);
    else if (rc < 0)
        reply_failed(r);
    else
        back_to_page(r, publish ? "done=approved" : "done=rejected", "saved");
    if (loaded)
        mg_store_note_release(&n);
    mg_form_release(&form);
    mg_participants_free(me, me ? 1 : 0);
}

/* Whether `c` may end a link pasted from a mail or a chat message
 * without being part of it. */
static int trailing_junk(char c)
{
    return c && strchr("/.,;:!?)]>}'\"", c) != NULL;
}

/* When `rest` starts with a live page's secret, answer in its circle's
 * language (a wrong method or an oversized post on a page's form). */
static void use_page_language(struct request *r, const char *rest)
{
    char token[PAGE_TOKEN_LEN + 1];
    int64_t circle = 0, pid = 0;
    size_t i;

    for (i = 0; i < PAGE_TOKEN_LEN; i++)
        token[i] = (char)tolower((unsigned char)rest[i]);
    token[PAGE_TOKEN_LEN] = '\0';
    if (mg_calendar_page_check(&circle, &pid, r->srv->store, token) == 0)
        use_circle_language(r, circle);
    memset(token, 0, sizeof(token));
}

/*
 * Any other address under /p/ (server.c sends them here when no route
 * matches): always a page. A page's address with something stuck to its
 * end (a trailing dot or slash, capitals) goes to the page; a form's
 * path fetched with GET goes back to the page; another method is a 405
 * page; anything else says the link is not whole.
 */
void handle_person_page_other(struct request *r)
{
    const char *rest = strncmp(r->url, "/p/", 3) == 0 ? r->url + 3 : "";
    size_t len = strlen(rest), hex = strspn(rest, "0123456789abcdefABCDEF");
    size_t i, depth = 0;
    int get = strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0;

    if (hex == PAGE_TOKEN_LEN)
        use_page_language(r, rest);
    if (r->too_big) {
        reply_page_message(r, MHD_HTTP_CONTENT_TOO_LARGE, _("Too long"),
                           _("What you sent is too long. Please shorten it "
                             "and try again."));
        return;
    }
    if (hex == PAGE_TOKEN_LEN && r->method_not_allowed) {
        if (get) {
            /* A reload or a bookmark of a form's path. */
            char *location = mg_xasprintf("../%.*s", PAGE_TOKEN_LEN, rest);
            reply_redirect(r, location, NULL);
            free(location);
            return;
        }
        reply_page_message(r, MHD_HTTP_METHOD_NOT_ALLOWED, _("Not allowed"),
                           _("This address does not take that request. "
                             "Please use the buttons on your page."));
        return;
    }
    if (hex == PAGE_TOKEN_LEN && get) {
        for (i = hex; i < len && trailing_junk(rest[i]); i++)
            depth += rest[i] == '/';
        if (i == len) {
            /* Relative to where the browser is: one "../" per '/'. */
            struct mg_buf loc = MG_BUF_INIT;

            for (i = 0; i < depth; i++)
                mg_buf_puts(&loc, "../");
            for (i = 0; i < PAGE_TOKEN_LEN; i++)
                mg_buf_printf(&loc, "%c", tolower((unsigned char)rest[i]));
            reply_redirect(r, loc.data, NULL);
            mg_buf_release(&loc);
            return;
        }
    }
    if (hex != PAGE_TOKEN_LEN && (hex == len || trailing_junk(rest[hex]))) {
        reply_page_message(r, MHD_HTTP_NOT_FOUND,
                           _("This link is not complete"),
                           _("The address of a page ends in a code of 48 "
                             "letters and digits, and this one is shorter or "
                             "longer. Please copy the whole link from the "
                             "message you were sent, or ask your circle's "
                             "coordinator for a new one."));
        return;
    }
    reply_not_found(r);
}
void handle_person_page_mint(struct request *r)
{
    char token[PAGE_TOKEN_LEN + 1];
    char *url;
    int rc = mg_calendar_page_token(token, r->srv->store, r->params[0],
                                    r->params[1]);

    if (rc < 0) {
        reply_code(r, rc, NULL);
        return;
    }
    url = mg_xasprintf("%s/p/%s", r->srv->base_url, token);
    reply_json(r, MHD_HTTP_CREATED, json_pack("{s:s}", "url", url));
    free(url);
    memset(token, 0, sizeof(token));
}

/* The answer to a plenary change from the page: `rc` said as a page,
 * or back to the page's list of plenaries; `cancelled` when the session
 * is cancelled. */
static void plenary_reply(struct request *r, int rc, size_t queued,
                          int64_t plenary, const char *cancelled)
{
    char query[64];

    if (rc == MG_EINVAL) {
        reply_page_message(r, MHD_HTTP_BAD_REQUEST, _("Answer not understood"),
                           _("Please use the buttons on your page."));
    } else if (rc == MG_ENOTFOUND) {
        reply_not_found(r);
    } else if (rc == MG_ECONFLICT) {
        reply_page_message(r, MHD_HTTP_CONFLICT, _("Session cancelled"),
                           cancelled);
    } else if (rc < 0) {
        reply_failed(r);
    } else {
        if (queued)
            mg_http_wake_outbox(r->srv);
        snprintf(query, sizeof(query), "done=plenary&plenary=%lld",
                 (long long)plenary);
        back_to_page(r, query, "plenaries");
    }
}

/* POST /p/{token}/plenary: plenary=ID and action=decline (give up a
 * place) or withdraw (leave the waitlist); back to the page's list. */
void handle_person_page_plenary(struct request *r)
{
    struct mg_form form = {NULL, 0, 0};
    struct mg_error err = {{0}, {0}};
    const struct mg_form_field *action;
    struct mg_plenary_op op;
    struct mg_plenary_seat *seats = NULL;
    int64_t circle = 0, pid = 0, plenary = 0;
    size_t n = 0, queued = 0;
    int rc = 0;

    if (page_subject_active(&circle, &pid, r))
        return;
    if (request_form(&form, r) < 0)
        rc = MG_EINVAL;
    if (rc == 0)
        rc = form_id(&plenary, &form, "plenary");
    action = mg_form_get(&form, "action");
    memset(&op, 0, sizeof(op));
    op.kind = MG_PLENARY_LEAVE;
    op.participant_id = pid;
    if (rc == 0 && action && strcmp(action->value, "decline") == 0)
        op.leave_as = MG_REG_DECLINED;
    else if (rc == 0 && action && strcmp(action->value, "withdraw") == 0)
        op.leave_as = MG_REG_WITHDRAWN;
    else
        rc = MG_EINVAL;
    mg_form_release(&form);
    if (rc == 0)
        rc = mg_plenary_change(&seats, &n, &queued, r->srv->store, circle,
                               plenary, &op, &err);
    free(seats);
    plenary_reply(
        r, rc, queued, plenary,
        _("This session has been cancelled: there is nothing to give up."));
}

/* POST /p/{token}/register: plenary=ID: a place, or a place on its
 * waitlist when it is full; back to the page's list, which says which. */
void handle_person_page_register(struct request *r)
{
    struct mg_form form = {NULL, 0, 0};
    struct mg_error err = {{0}, {0}};
    struct mg_plenary_op op;
    struct mg_plenary_seat *seats = NULL;
    int64_t circle = 0, pid = 0, plenary = 0;
    size_t n = 0, queued = 0;
    int rc = 0;

    if (page_subject_active(&circle, &pid, r))
        return;
    if (request_form(&form, r) < 0)
        rc = MG_EINVAL;
    if (rc == 0)
        rc = form_id(&plenary, &form, "plenary");
    mg_form_release(&form);
    memset(&op, 0, sizeof(op));
    op.kind = MG_PLENARY_REGISTER;
    op.participant_id = pid;
    if (rc == 0)
        rc = mg_plenary_change(&seats, &n, &queued, r->srv->store, circle,
                               plenary, &op, &err);
    free(seats);
    plenary_reply(r, rc, queued, plenary,
                  _("This session has been cancelled: there is nothing to "
                    "register for."));
}

/* Whether slot lists `a` and `b` hold the same slots, in any order. */
static int same_slots(const int64_t *a, size_t na, const int64_t *b, size_t nb)
{
    size_t i, j;

    if (na != nb)
        return 0;
    for (i = 0; i < na; i++) {
        for (j = 0; j < nb && b[j] != a[i]; j++)
            ;
        if (j == nb)
            return 0;
    }
    return 1;
}

static int same_text(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

/* Why a change of one's own details was refused, for the query: the
 * field it is shown next to. */
static const char *profile_problem(const struct mg_error *err)
{
    if (strcmp(err->field, "time_zone") == 0)
        return "zone";
    if (strcmp(err->field, "threads") == 0)
        return "wishes";
    if (strcmp(err->field, "slots") == 0)
        return "slot";
    return NULL;
}

/*
 * POST /p/{token}/profile: time_zone, slot (each one they can make),
 * thread (up to three, best first: positions in the circle's list, as
 * the API takes them), note. Checked as the API's PATCH participant
 * checks (the circle's own slots and threads, mg_participant_validate).
 * Before the groups are made it is saved as it is; after, a new zone is
 * saved at once and other slots or threads become the person's open
 * move request for the coordinator, checked first as it would become
 * their record (http_move_request_check: the circle's own, and at least
 * one call time for someone who had some). Refused, nothing changes or
 * is asked, and the page says why next to the field.
 */
void handle_person_page_profile(struct request *r)
{
    struct mg_store *st = r->srv->store;
    struct mg_form form = {NULL, 0, 0};
    struct mg_participant *me = NULL;
    struct mg_circle *c = NULL;
    struct mg_span *threads = NULL;
    struct mg_import_context ctx;
    struct mg_error err = {{0}, {0}};
    struct mg_move_request ask;
    int64_t slots[MG_CIRCLE_MAX_SLOTS], wishes[MG_PERSON_MAX_WISHES];
    int64_t *thread_ids = NULL, circle = 0, pid = 0;
    const char **titles = NULL;
    const struct mg_form_field *tz, *note;
    const char *problem = NULL, *done = "profile";
    char *old_tz = NULL, query[64];
    size_t n_threads = 0, n_slots = 0, n_wishes = 0, i, j;
    int rc, zone_changed, asked;

    if (page_subject_active(&circle, &pid, r))
        return;
    rc = mg_store_participant_get(&me, st, circle, pid);
    if (rc == 0)
        rc = mg_store_circle_get(&c, st, circle);
    if (rc == 0)
        rc = mg_store_threads(&threads, &n_threads, st, circle);
    if (rc == 0 && request_form(&form, r) < 0)
        rc = MG_EINVAL;
    if (rc < 0)
        goto reply;
    thread_ids = mg_xcalloc(n_threads + 1, sizeof(*thread_ids));
    titles = mg_xcalloc(n_threads + 1, sizeof(*titles));
    for (i = 0; i < n_threads; i++) {
        thread_ids[i] = threads[i].id;
        titles[i] = threads[i].title;
    }
    memset(&ctx, 0, sizeof(ctx));
    ctx.circle = c;
    ctx.thread_ids = thread_ids;
    ctx.thread_titles = titles;
    ctx.n_threads = n_threads;
    for (i = 0; i < form.n && !problem; i++) {
        const struct mg_form_field *f = &form.fields[i];
        int64_t id = 0;

        if (strcmp(f->name, "slot") == 0) {
            if (mg_people_resolve_slot(&id, c, f->value) < 0)
                problem = "slot";
            for (j = 0; !problem && j < n_slots && slots[j] != id; j++)
                ;
            if (!problem && j == n_slots && n_slots < MG_CIRCLE_MAX_SLOTS)
                slots[n_slots++] = id;
        } else if (strcmp(f->name, "thread") == 0 && *f->value) {
            if (n_wishes == MG_PERSON_MAX_WISHES)
                problem = "wishes";
            else if (mg_people_resolve_thread(&id, &ctx, f->value) < 0)
                problem = "thread";
            else
                wishes[n_wishes++] = id;
        }
    }
    tz = mg_form_get(&form, "time_zone");
    note = mg_form_get(&form, "note");
    if (!problem && note && note->len > ASK_NOTE_MAX)
        rc = MG_EINVAL;
    /* no time_zone field: the zone stays; an empty one: the circle's */
    if (rc == 0 && !problem && tz) {
        const char *zone = tz->value + strspn(tz->value, " \t\r\n");
        size_t len = strcspn(zone, " \t\r\n");

        old_tz = me->time_zone;
        me->time_zone = len ? mg_xstrndup(zone, len) : NULL;
        if (zone[len + strspn(zone + len, " \t\r\n")] != '\0')
            problem = "zone"; /* two words are no zone */
    } else if (me) {
        old_tz = me->time_zone ? mg_xstrdup(me->time_zone) : NULL;
    }
    zone_changed = !same_text(old_tz, me->time_zone);
    asked = me->group_id &&
            (!same_slots(slots, n_slots, me->slot_ids, me->n_slots) ||
             n_wishes != me->n_wishes ||
             memcmp(wishes, me->wishes, n_wishes * sizeof(*wishes)) != 0);
    if (rc == 0 && !problem && !me->group_id) {
        /* no group yet: what they say is what the groups are made from */
        free(me->slot_ids);
        me->slot_ids = mg_xcalloc(n_slots + 1, sizeof(*me->slot_ids));
        memcpy(me->slot_ids, slots, n_slots * sizeof(*slots));
        me->n_slots = n_slots;
        memcpy(me->wishes, wishes, n_wishes * sizeof(*wishes));
        me->n_wishes = n_wishes;
    }
    memset(&ask, 0, sizeof(ask));
    ask.circle_id = circle;
    ask.participant_id = pid;
    ask.slot_ids = slots;
    ask.n_slots = n_slots;
    memcpy(ask.wishes, wishes, n_wishes * sizeof(*wishes));
    ask.n_wishes = n_wishes;
    if (rc == 0 && !problem &&
        (mg_participant_validate(me, &err) < 0 ||
         (asked && http_move_request_check(me, c, thread_ids, n_threads, &ask,
                                           &err) < 0))) {
        problem = profile_problem(&err);
        if (problem && strcmp(problem, "slot") == 0 && n_slots == 0)
            problem = "no-slot";
        if (!problem)
            rc = MG_EINVAL;
    }
    if (rc == 0 && problem) {
        snprintf(query, sizeof(query), "problem=%s", problem);
        back_to_page(r, query, "you");
        goto out;
    }
    if (rc == 0 && (!me->group_id || zone_changed)) {
        rc = mg_store_participant_update(st, me);
        /* what their calendar and invitations show follows the change */
        if (rc == 0)
            http_reconcile_scope(r, circle, &pid, 1, NULL, 0, NULL);
    }
    if (rc == 0 && asked) {
        int64_t id = 0;

        ask.note = note && note->value[strspn(note->value, " \t\r\n")]
                       ? (char *)note->value
                       : NULL;
        rc = mg_store_move_request_put(&id, st, &ask);
        done = zone_changed ? "asked-zone" : "asked";
    }
reply:
    if (rc == MG_EINVAL) {
        reply_page_message(r, MHD_HTTP_BAD_REQUEST, _("Not saved"),
                           _("Please use the form on your page."));
    } else if (rc == MG_ENOTFOUND) {
        reply_not_found(r);
    } else if (rc < 0) {
        reply_failed(r);
    } else {
        snprintf(query, sizeof(query), "done=%s", done);
        back_to_page(r, query, "saved");
    }
out:
    free(old_tz);
    free(thread_ids);
    free(titles);
    mg_store_spans_free(threads, n_threads);
    mg_circle_free(c);
    mg_form_release(&form);
    mg_participants_free(me, me ? 1 : 0);
}

/*
 * POST /p/{token}/note: week and text, from any member of a group: filed
 * by the notes module as the member's mail to the group's address of
 * that week would be (its review rules, week range and digest); the same
 * words for the same week twice are one note.
 */
void handle_person_page_note(struct request *r)
{
    struct mg_form form = {NULL, 0, 0};
    struct mg_participant *me = NULL;
    struct mg_circle *c = NULL;
    struct mg_group_row *groups = NULL;
    const struct mg_form_field *text;
    enum mg_note_outcome outcome = MG_NOTE_FILED;
    size_t n_groups = 0;
    int64_t circle = 0, pid = 0, week = 0, note = 0;
    char *title = NULL, *seed;
    char query[64];
    int rc;

    if (page_subject_active(&circle, &pid, r))
        return;
    rc = mg_store_participant_get(&me, r->srv->store, circle, pid);
    if (rc == 0 && !me->group_id) {
        reply_page_message(r, MHD_HTTP_CONFLICT, _("Not in a group yet"),
                           _("You can add notes once you are in a group."));
        goto out;
    }
    if (rc == 0 && request_form(&form, r) < 0)
        rc = MG_EINVAL;
    if (rc == 0)
        rc = mg_store_circle_get(&c, r->srv->store, circle);
    if (rc == 0)
        rc = form_id(&week, &form, "week");
    if (rc == 0 && week > c->weeks)
        rc = MG_EINVAL;
    if (rc == 0) {
        rc = mg_store_group_get(&groups, r->srv->store, circle, me->group_id);
        n_groups = rc == 0;
    }
    text = mg_form_get(&form, "text");
    if (rc == 0 && (!text || text->len > SUMMARY_MAX))
        rc = MG_EINVAL;
    if (rc == 0 && text->value[strspn(text->value, " \t\r\n")] == '\0') {
        back_to_page(r, "problem=note-empty", "my-notes");
        goto out;
    }
    if (rc < 0)
        goto reply;
    title = mg_xasprintf(_("Week %lld note"), (long long)week);
    seed = mg_xasprintf("note\n%lld\n%lld\n%s", (long long)pid, (long long)week,
                        text->value);
    rc = file_from_page(&note, &outcome, r, c, me, groups, week, "", seed,
                        title, text->value);
    free(seed);
reply:
    if (rc == MG_EINVAL) {
        reply_page_message(r, MHD_HTTP_BAD_REQUEST, _("Note not saved"),
                           _("Please use the form on your page."));
    } else if (rc == MG_ENOTFOUND) {
        reply_not_found(r);
    } else if (rc < 0) {
        reply_failed(r);
    } else {
        snprintf(query, sizeof(query), "done=%s&week=%lld",
                 outcome == MG_NOTE_REVIEW ? "note-review" : "note",
                 (long long)week);
        back_to_page(r, query, "saved");
    }
out:
    free(title);
    mg_store_groups_free(groups, n_groups);
    mg_circle_free(c);
    mg_form_release(&form);
    mg_participants_free(me, me ? 1 : 0);
}

/* Tell the circle's coordinator, through the outbox, that `p` left from
 * their own page. Nothing to do when the circle names no coordinator. */
static int tell_coordinator(struct request *r, const struct mg_circle *c,
                            const struct mg_participant *p, int64_t promoted)
{
    struct mg_error err = {{0}, {0}};
    struct mg_buf text = MG_BUF_INIT;
    char *subject, *key;
    size_t queued = 0;
    int rc;

    if (!c->organizer_email || !mg_email_valid(c->organizer_email))
        return 0;
    subject = mg_xasprintf(_("%s has left %s"), p->name, c->title);
    mg_buf_printf(&text,
                  _("%s <%s> has left %s from their own page.\n\nTheir "
                    "invitations have been cancelled"),
                  p->name, p->email, c->title);
    if (promoted)
        mg_buf_puts(&text, _(", and their place in the circle went to the "
                             "first on its waitlist"));
    mg_buf_puts(&text, _(".\n\nTo take them back, set their status to active "
                         "on the dashboard or through the API.\n"));
    key = mg_xasprintf("left:%lld:%lld:%lld", (long long)c->id,
                       (long long)p->id, (long long)mg_now());
    rc = mg_signup_queue_text(&queued, r->srv->store, c, "left",
                              c->organizer_name, c->organizer_email, subject,
                              text.data, key, &err);
    if (rc == 0 && queued)
        mg_http_wake_outbox(r->srv);
    free(key);
    free(subject);
    mg_buf_release(&text);
    return rc;
}

/*
 * POST /p/{token}/leave: without confirm=yes, back to the page, which
 * asks; with it, the person is withdrawn as the API's withdraw does
 * (http_person_withdraw: CANCELs, plenary places offered on), the
 * coordinator is told by mail, and the page says they have left.
 */
void handle_person_page_leave(struct request *r)
{
    struct mg_form form = {NULL, 0, 0};
    struct mg_participant *me = NULL;
    struct mg_circle *c = NULL;
    struct mg_error err = {{0}, {0}};
    const struct mg_form_field *confirm;
    int64_t circle = 0, pid = 0;
    int64_t promoted = 0;
    int rc = 0, was = 0;

    if (page_subject(&circle, &pid, r))
        return;
    if (request_form(&form, r) < 0)
        rc = MG_EINVAL;
    confirm = mg_form_get(&form, "confirm");
    if (rc == 0 && !(confirm && strcmp(confirm->value, "yes") == 0)) {
        mg_form_release(&form);
        back_to_page(r, "confirm=leave", "leave");
        return;
    }
    mg_form_release(&form);
    if (rc == 0)
        rc = mg_store_circle_get(&c, r->srv->store, circle);
    if (rc == 0)
        rc = http_person_withdraw(r, circle, pid, &me, &was, &promoted, &err);
    if (rc == 0 && !was && tell_coordinator(r, c, me, promoted) < 0)
        mg_log(MG_LOG_ERROR, "cannot tell the coordinator someone left", NULL);
    if (rc == MG_EINVAL)
        reply_page_message(r, MHD_HTTP_BAD_REQUEST, _("Not understood"),
                           _("Please use the buttons on your page."));
    else if (rc == MG_ENOTFOUND)
        reply_not_found(r);
    else if (rc < 0)
        reply_failed(r);
    else
        back_to_page(r, "done=left", "saved");
    mg_circle_free(c);
    mg_participants_free(me, me ? 1 : 0);
}

/* POST /p/{token}/reminders: reminders=on|off, the person's own choice. */
void handle_person_page_reminders(struct request *r)
{
    struct mg_form form = {NULL, 0, 0};
    const struct mg_form_field *f;
    int64_t circle = 0, pid = 0;
    int rc = 0, off = -1;

    if (page_subject_active(&circle, &pid, r))
        return;
    if (request_form(&form, r) < 0)
        rc = MG_EINVAL;
    f = mg_form_get(&form, "reminders");
    if (rc == 0 && f && strcmp(f->value, "on") == 0)
        off = 0;
    else if (rc == 0 && f && strcmp(f->value, "off") == 0)
        off = 1;
    mg_form_release(&form);
    if (off < 0) {
        reply_page_message(r, MHD_HTTP_BAD_REQUEST, _("Answer not understood"),
                           _("Please use the reminders button on your page."));
        return;
    }
    rc = mg_store_participant_reminders_off(r->srv->store, circle, pid, off);
    if (rc == MG_ENOTFOUND) {
        reply_not_found(r);
        return;
    }
    if (rc < 0) {
        reply_failed(r);
        return;
    }
    back_to_page(r, "done=reminders", "reminders");
}
