/*
 * person.c: a participant's own page at its secret URL /p/<token>:
 * their group, facilitator, calls in their own time zone and the
 * circle's, the week's reading, calendar links and the group's
 * summaries; a facilitator also sees the members, how to post, the
 * members' notes and what waits for review; "Will you come?" buttons
 * answer the invitation for the series or one call. Tokens and answers
 * are calendar's job.
 */
#define _GNU_SOURCE
#include "web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mingle/attendance.h"
#include "mingle/calendar.h"
#include "mingle/notes.h"
#include "mingle/people.h"
#include "mingle/schedule.h"

#define PAGE_TOKEN_LEN (MG_TOKEN_ID_LEN + MG_TOKEN_SECRET_LEN)

/* Everything a page shows, loaded once. */
struct view {
    struct mg_circle *circle;
    struct mg_participant *me;
    struct mg_participant *people;
    size_t n_people;
    struct mg_group_row *groups;
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
};

static const char *const weekdays[] = {"Monday",   "Tuesday", "Wednesday",
                                       "Thursday", "Friday",  "Saturday",
                                       "Sunday"};
static const char *const months[] = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

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
    memset(v, 0, sizeof(*v));
}

/* Days since the epoch of a calendar date. */
static long day_number(int year, int month, int day)
{
    struct tm tm;

    memset(&tm, 0, sizeof(tm));
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    return (long)(timegm(&tm) / 86400);
}

/* The week that has begun by today in the circle's zone, 1..weeks (for
 * a group with no calls to go by). */
static int week_by_date(const struct mg_circle *c)
{
    struct mg_local_time lt;
    long start, today, w;
    int y, m, d;

    if (sscanf(c->start_date, "%4d-%2d-%2d", &y, &m, &d) != 3 ||
        mg_schedule_utc_to_local(&lt, c->time_zone, mg_now(), NULL) < 0)
        return 1;
    start = day_number(y, m, d);
    today = day_number(lt.year, lt.month, lt.day);
    w = today < start ? 1 : (today - start) / 7 + 1;
    return w > c->weeks ? c->weeks : (int)w;
}

static int view_load(struct view *v, struct mg_store *st, int64_t circle_id,
                     int64_t participant_id)
{
    struct mg_plan_view plan;
    struct mg_people_filter f;
    struct mg_local_time lt;
    int64_t now = mg_now();
    size_t i;
    int rc;

    memset(v, 0, sizeof(*v));
    memset(&f, 0, sizeof(f));
    rc = mg_store_plan_load(&plan, st, circle_id);
    if (rc < 0)
        return rc;
    /* the view takes over what the plan holds */
    v->circle = plan.circle;
    v->groups = plan.groups;
    v->n_groups = plan.n_groups;
    v->threads = plan.threads;
    v->n_threads = plan.n_threads;
    v->same = plan.same;
    v->n_same = plan.n_same;
    v->per_thread = plan.per_thread;
    v->n_per_thread = plan.n_per_thread;
    rc = mg_store_participant_get(&v->me, st, circle_id, participant_id);
    if (rc == 0)
        rc = mg_store_participants_list(&v->people, &v->n_people, st, circle_id,
                                        &f);
    if (rc < 0)
        return rc;
    for (i = 0; v->me->status != MG_STATUS_WITHDRAWN && v->me->group_id &&
                i < v->n_groups;
         i++)
        if (v->groups[i].id == v->me->group_id)
            v->group = &v->groups[i];
    if (v->group) {
        rc = mg_store_sessions_for_group(&v->sessions, &v->n_sessions, st,
                                         v->group->id);
        if (rc == 0)
            rc = mg_store_rsvps_for_participant(&v->rsvps, &v->n_rsvps, st,
                                                participant_id);
        if (rc < 0)
            return rc;
    }
    for (i = 0; i < v->n_sessions && !v->next; i++)
        if (v->sessions[i].status != MG_STORE_SESSION_CANCELLED &&
            v->sessions[i].starts_at + 60 * v->sessions[i].minutes > now)
            v->next = &v->sessions[i];
    v->week = v->next ? v->next->week : week_by_date(v->circle);
    v->facilitator = v->group && v->me->role == MG_PERSON_FACILITATOR;
    v->tz = v->circle->time_zone;
    if (v->me->time_zone && *v->me->time_zone &&
        mg_schedule_utc_to_local(&lt, v->me->time_zone, now, NULL) == 0)
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

/* The group's reading of `week` (see mg_calendar_reading). */
static const struct mg_span *reading_for(const struct view *v, int week)
{
    return mg_calendar_reading(v->same, v->n_same, v->per_thread,
                               v->n_per_thread,
                               v->group ? v->group->thread_id : 0, week);
}

/* "Chapter 1 ... Chapter 3", escaped; "-" when there is none. */
static void reading_text(struct mg_buf *b, const struct mg_span *r)
{
    if (!r || !r->first_title) {
        mg_buf_puts(b, "not set yet");
        return;
    }
    page_text(b, r->first_title);
    if (r->last_title && strcmp(r->first_title, r->last_title) != 0) {
        mg_buf_puts(b, " &hellip; ");
        page_text(b, r->last_title);
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

/*
 * A call as the wall clock in `tz` shows it: "Tuesday 23 March 2027,
 * 19:30 to 20:30 (Pacific/Auckland, UTC+13)", escaped into `b`. With
 * `weekly`, "Tuesdays, 19:30 to 20:30 (...)" instead.
 */
static void call_time(struct mg_buf *b, const char *tz, int64_t start,
                      int minutes, int weekly)
{
    struct mg_local_time s, e;
    char off[24];

    if (mg_schedule_utc_to_local(&s, tz, start, NULL) < 0 ||
        mg_schedule_utc_to_local(&e, tz, start + 60 * (int64_t)minutes, NULL) <
            0 ||
        s.weekday < 1 || s.weekday > 7 || s.month < 1 || s.month > 12) {
        mg_buf_puts(b, "unknown");
        return;
    }
    utc_offset(off, sizeof(off), s.utc_offset);
    if (weekly)
        page_textf(b, "%ss, %02d:%02d to %02d:%02d", weekdays[s.weekday - 1],
                   s.hour, s.minute, e.hour, e.minute);
    else
        page_textf(b, "%s %d %s %d, %02d:%02d to %02d:%02d",
                   weekdays[s.weekday - 1], s.day, months[s.month - 1], s.year,
                   s.hour, s.minute, e.hour, e.minute);
    mg_buf_puts(b, " <span class=\"muted\">(");
    page_text(b, tz);
    mg_buf_puts(b, ", ");
    page_text(b, off);
    mg_buf_puts(b, ")</span>");
}

/* The same call in the participant's zone and, if it differs, the
 * circle's, as <dd> content. */
static void call_both(struct mg_buf *b, const struct view *v, int64_t start,
                      int minutes, int weekly)
{
    call_time(b, v->tz, start, minutes, weekly);
    if (strcmp(v->tz, v->circle->time_zone) != 0) {
        mg_buf_puts(b, "<br>Circle time: ");
        call_time(b, v->circle->time_zone, start, minutes, weekly);
    }
}

static void row_start(struct mg_buf *b, const char *label)
{
    mg_buf_puts(b, "<dt>");
    page_text(b, label);
    mg_buf_puts(b, "</dt><dd>");
}

/* Names of the group's facilitators, escaped, comma-separated. */
static void facilitators(struct mg_buf *b, const struct view *v)
{
    size_t i, n = 0;

    for (i = 0; i < v->n_people; i++) {
        const struct mg_participant *p = &v->people[i];
        if (p->group_id != v->group->id || p->status == MG_STATUS_WITHDRAWN ||
            p->role != MG_PERSON_FACILITATOR)
            continue;
        if (n++)
            mg_buf_puts(b, ", ");
        page_text(b, p->name);
        if (p->id == v->me->id)
            mg_buf_puts(b, " (you)");
    }
    if (n == 0)
        mg_buf_puts(b, "not chosen yet");
}

static void section_group(struct mg_buf *b, const struct view *v)
{
    const char *thread = thread_title(v, v->group->thread_id);
    const struct mg_session_row *first = v->next;

    mg_buf_puts(b, "<section aria-labelledby=\"group\">\n"
                   "<h2 id=\"group\">Your group</h2>\n<dl>\n");
    page_row(b, "Group", v->group->name);
    if (thread)
        page_row(b, "Thread", thread);
    row_start(b, "Facilitator");
    facilitators(b, v);
    mg_buf_puts(b, "</dd>\n");
    if (!first && v->n_sessions)
        first = &v->sessions[v->n_sessions - 1];
    if (first) {
        /* The weekly time as the next call has it (daylight saving can
         * move it in one zone and not the other). */
        row_start(b, "Calls");
        call_both(b, v, first->original_starts_at, first->minutes, 1);
        mg_buf_puts(b, "</dd>\n");
    }
    mg_buf_puts(b, "</dl>\n</section>\n");
}

static void section_week(struct mg_buf *b, const struct view *v)
{
    const char *video = v->circle->video_url;

    mg_buf_puts(b, "<section aria-labelledby=\"week\">\n<h2 id=\"week\">");
    if (v->next)
        mg_buf_printf(b, "This week: week %d of %d", v->week, v->circle->weeks);
    else
        mg_buf_puts(b, "This week");
    mg_buf_puts(b, "</h2>\n<dl>\n");
    row_start(b, "Reading");
    reading_text(b, reading_for(v, v->week));
    mg_buf_puts(b, "</dd>\n");
    row_start(b, "Next call");
    if (v->next)
        call_both(b, v, v->next->starts_at, v->next->minutes, 0);
    else if (v->n_sessions)
        mg_buf_puts(b, "none: the last call is over");
    else
        mg_buf_puts(b, "not scheduled yet");
    mg_buf_puts(b, "</dd>\n");
    row_start(b, "Video call");
    if (video && page_url_is_safe(video))
        page_link(b, video, video, NULL);
    else
        mg_buf_puts(b, "the link will be sent to you");
    mg_buf_puts(b, "</dd>\n</dl>\n</section>\n");
}

static void section_calendar(struct mg_buf *b, const char *base_url,
                             const char *page_token, int live)
{
    char feed[PAGE_TOKEN_LEN + 1];
    const char *rest;
    char *url, *webcal;
    struct mg_buf google = MG_BUF_INIT;

    mg_buf_puts(b, "<section aria-labelledby=\"calendar\">\n"
                   "<h2 id=\"calendar\">Your calendar</h2>\n");
    if (!live) {
        /* The coordinator gave out another calendar address since this
         * page was made: offer this page's own again, by POST (a GET
         * must not revoke anything). */
        mg_buf_puts(b, "<p>Get an address for your calendar app that "
                       "always shows your group's calls. Any calendar "
                       "address you were sent before stops working.</p>\n"
                       "<form method=\"post\" action=\"");
        page_text(b, page_token);
        mg_buf_puts(b, "/feed\"><button type=\"submit\">Get my calendar "
                       "links</button></form>\n</section>\n");
        return;
    }
    mg_calendar_page_feed_token(feed, page_token);
    url = mg_xasprintf("%s/cal/%s.ics", base_url, feed);
    rest = strstr(url, "://");
    webcal = mg_xasprintf("webcal://%s", rest ? rest + 3 : url);
    mg_buf_puts(&google, "https://calendar.google.com/calendar/r?cid=");
    page_url_encode(&google, webcal);
    mg_buf_puts(b, "<p>Subscribe once and your calendar follows every "
                   "change to the calls.</p>\n<p>");
    page_link(b, webcal, "Subscribe (Apple, Outlook, Thunderbird)", "button");
    page_link(b, google.data, "Add to Google Calendar", "button secondary");
    page_link(b, url, "Download .ics file", "button secondary");
    mg_buf_puts(b, "</p>\n</section>\n");
    free(url);
    free(webcal);
    mg_buf_release(&google);
    memset(feed, 0, sizeof(feed));
}

/* My answer for session `id`: "accepted", "declined", "tentative", or
 * NULL when I have not answered. */
static const char *my_answer(const struct view *v, int64_t id)
{
    size_t i;

    for (i = 0; i < v->n_rsvps; i++)
        if (v->rsvps[i].session_id == id)
            return mg_store_rsvp_status_name(v->rsvps[i].status);
    return NULL;
}

static const char *answer_label(const char *status)
{
    if (!status)
        return "not answered";
    if (strcmp(status, "accepted") == 0)
        return "coming";
    if (strcmp(status, "declined") == 0)
        return "not coming";
    return "maybe";
}

/* Accept, Maybe and Decline buttons posting to <token>/rsvp, for the
 * whole series (session 0) or one call. */
static void rsvp_form(struct mg_buf *b, const char *page_token, int64_t session,
                      const char *current)
{
    static const char *const answers[][2] = {{"accepted", "Accept"},
                                             {"tentative", "Maybe"},
                                             {"declined", "Decline"}};
    size_t i;

    mg_buf_puts(b, "<form method=\"post\" class=\"rsvp\" action=\"");
    page_text(b, page_token);
    mg_buf_puts(b, "/rsvp\">");
    if (session)
        mg_buf_printf(b,
                      "<input type=\"hidden\" name=\"session\" "
                      "value=\"%lld\">",
                      (long long)session);
    for (i = 0; i < 3; i++) {
        int on = current && strcmp(current, answers[i][0]) == 0;
        mg_buf_printf(b,
                      "<button type=\"submit\" name=\"answer\" "
                      "value=\"%s\" class=\"button%s\"%s>%s</button> ",
                      answers[i][0], on ? "" : " secondary",
                      on ? " aria-pressed=\"true\"" : "", answers[i][1]);
    }
    mg_buf_puts(b, "</form>");
}

static void section_rsvp(struct mg_buf *b, const struct view *v,
                         const char *page_token)
{
    const char *all = NULL;
    size_t i, calls = 0;
    int same = 1;

    if (!v->n_sessions)
        return;
    for (i = 0; i < v->n_sessions; i++) {
        const char *a = my_answer(v, v->sessions[i].id);
        if (v->sessions[i].status == MG_STORE_SESSION_CANCELLED)
            continue;
        if (calls++ == 0)
            all = a;
        else if ((a == NULL) != (all == NULL) || (a && strcmp(a, all) != 0))
            same = 0;
    }
    mg_buf_puts(b, "<section aria-labelledby=\"rsvp\">\n"
                   "<h2 id=\"rsvp\">Will you come?</h2>\n<p>");
    if (same && all)
        page_textf(b, "Your answer for every call: %s.", answer_label(all));
    else if (same)
        mg_buf_puts(b, "You have not answered yet.");
    else
        mg_buf_puts(b, "Your answers differ from call to call (see the "
                       "calls below).");
    mg_buf_puts(b, " Answer for all the calls here, or for one call in the "
                   "table below.</p>\n");
    rsvp_form(b, page_token, 0, same ? all : NULL);
    mg_buf_puts(b, "\n</section>\n");
}

static void section_schedule(struct mg_buf *b, const struct view *v,
                             const char *page_token)
{
    size_t i;

    if (!v->n_sessions)
        return;
    mg_buf_puts(b, "<section aria-labelledby=\"calls\">\n"
                   "<h2 id=\"calls\">All calls and readings</h2>\n"
                   "<div class=\"scroll\"><table>\n<caption class=\"muted\">"
                   "Times in ");
    page_text(b, v->tz);
    mg_buf_puts(b, "</caption>\n<thead><tr><th scope=\"col\">Week</th>"
                   "<th scope=\"col\">Call</th><th scope=\"col\">Reading</th>"
                   "<th scope=\"col\">Your answer</th></tr></thead>\n"
                   "<tbody>\n");
    for (i = 0; i < v->n_sessions; i++) {
        const struct mg_session_row *s = &v->sessions[i];
        struct mg_local_time lt;
        int cancelled = s->status == MG_STORE_SESSION_CANCELLED;

        mg_buf_printf(b, "<tr><th scope=\"row\">%d</th><td>", s->week);
        if (mg_schedule_utc_to_local(&lt, v->tz, s->starts_at, NULL) == 0 &&
            lt.weekday >= 1 && lt.weekday <= 7 && lt.month >= 1 &&
            lt.month <= 12)
            mg_buf_printf(b, "%.3s %d %.3s, %02d:%02d",
                          weekdays[lt.weekday - 1], lt.day,
                          months[lt.month - 1], lt.hour, lt.minute);
        if (cancelled)
            mg_buf_puts(b, " <strong>(cancelled)</strong>");
        mg_buf_puts(b, "</td><td>");
        reading_text(b, reading_for(v, s->week));
        mg_buf_puts(b, "</td><td>");
        if (!cancelled) {
            const char *a = my_answer(v, s->id);
            page_text(b, answer_label(a));
            mg_buf_puts(b, "<br>");
            rsvp_form(b, page_token, s->id, a);
        }
        mg_buf_puts(b, "</td></tr>\n");
    }
    mg_buf_puts(b, "</tbody>\n</table></div>\n</section>\n");
}

/* "2027-03-23 19:45" in `tz`, or "". */
static void short_time(char *out, size_t n, const char *tz, int64_t t)
{
    out[0] = '\0';
    if (t > 0)
        mg_schedule_local_text(out, n, tz, t, ' ');
}

static void note_article(struct mg_buf *b, const struct view *v,
                         const struct mg_note *n)
{
    char when[32];

    short_time(when, sizeof(when), v->tz,
               n->sent_at ? n->sent_at : n->received_at);
    mg_buf_puts(b, "<article>\n<h3>");
    if (n->week)
        mg_buf_printf(b, "Week %d: ", n->week);
    page_text(b, n->subject && *n->subject ? n->subject : "(no subject)");
    mg_buf_puts(b, "</h3>\n<p class=\"muted\">");
    page_text(b, mg_notes_author(n));
    if (when[0])
        mg_buf_printf(b, ", %s", when);
    if (n->review_reason && *n->review_reason &&
        n->status == MG_STORE_NOTE_REVIEW) {
        mg_buf_puts(b, "<br>Waiting because: ");
        page_text(b, n->review_reason);
    }
    mg_buf_puts(b, "</p>\n<div class=\"body\">");
    page_text(b, n->body ? n->body : "");
    mg_buf_puts(b, "</div>\n");
    if (n->n_attachments)
        mg_buf_printf(b, "<p class=\"muted\">%zu attachment%s</p>\n",
                      n->n_attachments, n->n_attachments == 1 ? "" : "s");
    mg_buf_puts(b, "</article>\n");
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

/* A section of the group's notes of `kind` (NULL: any) and `status`. */
/* Notes a section of a page shows at most: the page stays quick however
 * much mail a group gets. */
#define PAGE_NOTES 50

static int section_notes(struct mg_buf *b, struct mg_store *st,
                         const struct view *v, const char *id,
                         const char *title, const char *kind,
                         const char *status, const char *empty)
{
    struct mg_note_filter f;
    struct mg_note *notes = NULL;
    size_t n = 0, i;
    int rc;

    memset(&f, 0, sizeof(f));
    f.circle_id = v->circle->id;
    f.group_id = v->group->id; /* never 0 here: 0 would mean any group */
    f.kind = kind;
    f.status = status;
    f.newest = 1; /* a page shows the latest; the digest has them all */
    f.limit = PAGE_NOTES;
    rc = mg_store_notes_list(&notes, &n, st, &f);
    if (rc < 0)
        return rc;
    if (n > 1)
        qsort(notes, n, sizeof(*notes), by_week_desc);
    mg_buf_printf(b, "<section aria-labelledby=\"%s\">\n<h2 id=\"%s\">", id,
                  id);
    page_text(b, title);
    mg_buf_puts(b, "</h2>\n");
    if (n == 0)
        mg_buf_printf(b, "<p class=\"muted\">%s</p>\n", empty);
    if (n == PAGE_NOTES)
        mg_buf_printf(b,
                      "<p class=\"muted\">The latest %d; the weekly digest "
                      "has them all.</p>\n",
                      PAGE_NOTES);
    for (i = 0; i < n; i++)
        note_article(b, v, &notes[i]);
    mg_buf_puts(b, "</section>\n");
    mg_store_notes_free(notes, n);
    return 0;
}

/* Whether `person` came to the call of session `s`: "yes", "no", or
 * "-" when no attendance was recorded for it. */
static const char *came(struct mg_attendance_row *const *att,
                        const size_t *n_att, size_t s, int64_t person)
{
    size_t i;

    if (!n_att[s])
        return "-";
    for (i = 0; i < n_att[s]; i++)
        if (att[s][i].participant_id == person)
            return att[s][i].present ? "yes" : "no";
    return "-";
}

static void section_members(struct mg_buf *b, struct mg_store *st,
                            const struct view *v, const char *page_token)
{
    struct mg_attendance_row **att =
        mg_xcalloc(v->n_sessions + 1, sizeof(*att));
    size_t *n_att = mg_xcalloc(v->n_sessions + 1, sizeof(*n_att));
    size_t i, s;

    /* Attendance, as recorded from the video platform's report. */
    for (s = 0; s < v->n_sessions; s++)
        if (mg_store_attendance_list(&att[s], &n_att[s], st,
                                     v->sessions[s].id) < 0)
            n_att[s] = 0;
    mg_buf_puts(b, "<section aria-labelledby=\"members\">\n"
                   "<h2 id=\"members\">Your group's members</h2>\n"
                   "<div class=\"scroll\"><table>\n<caption class=\"muted\">"
                   "Attendance by week: yes, no, or - until it is "
                   "recorded</caption>\n<thead><tr>"
                   "<th scope=\"col\">Name</th><th scope=\"col\">Sector</th>"
                   "<th scope=\"col\">Region</th>");
    for (s = 0; s < v->n_sessions; s++)
        mg_buf_printf(b,
                      "<th scope=\"col\"><abbr title=\"came to week %d\">"
                      "W%d</abbr></th>",
                      v->sessions[s].week, v->sessions[s].week);
    mg_buf_puts(b, "</tr></thead>\n<tbody>\n");
    for (i = 0; i < v->n_people; i++) {
        const struct mg_participant *p = &v->people[i];
        if (p->group_id != v->group->id || p->status == MG_STATUS_WITHDRAWN)
            continue;
        mg_buf_puts(b, "<tr><td>");
        page_text(b, p->name);
        if (p->role == MG_PERSON_FACILITATOR)
            mg_buf_puts(b, " <span class=\"muted\">(facilitator)</span>");
        mg_buf_puts(b, "</td><td>");
        page_text(b, p->sector && *p->sector ? p->sector : "-");
        mg_buf_puts(b, "</td><td>");
        page_text(b, p->region && *p->region ? p->region : "-");
        mg_buf_puts(b, "</td>");
        for (s = 0; s < v->n_sessions; s++)
            mg_buf_printf(b, "<td>%s</td>", came(att, n_att, s, p->id));
        mg_buf_puts(b, "</tr>\n");
    }
    mg_buf_puts(b, "</tbody>\n</table></div>\n");
    /* The facilitator records the latest call held. */
    for (s = v->n_sessions; s > 0; s--)
        if (v->sessions[s - 1].starts_at <= mg_now() &&
            v->sessions[s - 1].status != MG_STORE_SESSION_CANCELLED)
            break;
    if (s > 0) {
        const struct mg_session_row *held = &v->sessions[s - 1];

        mg_buf_puts(b, "<form method=\"post\" action=\"");
        page_text(b, page_token);
        mg_buf_printf(b,
                      "/attendance\">\n<fieldset><legend>Who came to week "
                      "%d's call?</legend>\n<input type=\"hidden\" "
                      "name=\"session\" value=\"%lld\">\n",
                      held->week, (long long)held->id);
        for (i = 0; i < v->n_people; i++) {
            const struct mg_participant *p = &v->people[i];
            int yes = strcmp(came(att, n_att, s - 1, p->id), "yes") == 0;

            if (p->group_id != v->group->id || p->status == MG_STATUS_WITHDRAWN)
                continue;
            mg_buf_printf(b,
                          "<label><input type=\"checkbox\" name=\"present\" "
                          "value=\"%lld\"%s> ",
                          (long long)p->id, yes ? " checked" : "");
            page_text(b, p->name);
            mg_buf_puts(b, "</label><br>\n");
        }
        mg_buf_puts(b, "<button type=\"submit\">Save attendance</button>\n"
                       "</fieldset>\n</form>\n");
    }
    mg_buf_puts(b, "</section>\n");
    for (s = 0; s < v->n_sessions; s++)
        mg_store_attendance_free(att[s], n_att[s]);
    free(att);
    free(n_att);
}

/* The domain groups' mail goes to: the configured one, else the
 * organizer's. NULL when neither is known. */
static const char *mail_domain(const struct request *r, const struct view *v)
{
    const char *at;

    if (r->srv->mail_domain && *r->srv->mail_domain)
        return r->srv->mail_domain;
    at = v->circle->organizer_email ? strrchr(v->circle->organizer_email, '@')
                                    : NULL;
    return at && at[1] ? at + 1 : NULL;
}

static void section_how_to_post(struct mg_buf *b, const struct request *r,
                                const struct view *v)
{
    const char *domain = mail_domain(r, v);
    char *key, *address = NULL, *tag;
    struct mg_buf mailto = MG_BUF_INIT;

    key = v->circle->slug && *v->circle->slug
              ? mg_xstrdup(v->circle->slug)
              : mg_xasprintf("c%lld", (long long)v->circle->id);
    tag = mg_xasprintf("[%c%s G%d W%d]",
                       key[0] >= 'a' && key[0] <= 'z' ? key[0] - 'a' + 'A'
                                                      : key[0],
                       key + 1, v->group->position, v->week);
    mg_buf_puts(b, "<section aria-labelledby=\"post\">\n"
                   "<h2 id=\"post\">How to post a summary</h2>\n");
    mg_buf_printf(b,
                  "<p>After the call of week %d, mail your summary from "
                  "the address this circle knows you by.</p>\n<dl>\n",
                  v->week);
    if (domain) {
        address = mg_xasprintf("%s+g%d-w%d@%s", key, v->group->position,
                               v->week, domain);
        mg_buf_puts(&mailto, "mailto:");
        page_url_encode(&mailto, address);
        mg_buf_puts(&mailto, "?subject=");
        page_url_encode(&mailto, tag);
        row_start(b, "To");
        mg_buf_puts(b, "<code>");
        page_text(b, address);
        mg_buf_puts(b, "</code><br>");
        page_link(b, mailto.data, "Write the summary now", NULL);
        mg_buf_puts(b, "</dd>\n");
    }
    row_start(b, "Subject");
    mg_buf_puts(b, "<code>");
    page_text(b, tag);
    mg_buf_puts(b, "</code> then a few words</dd>\n</dl>\n"
                   "<p>Either the address or the tag in the subject is "
                   "enough to file it under your group and week (change "
                   "the week number for another week). Mail from you that "
                   "is not a reply is filed as the group's summary; add "
                   "the word &ldquo;summary&rdquo; to the subject to be "
                   "sure. Members' mail to the same address is kept as "
                   "their notes.</p>\n</section>\n");
    free(key);
    free(tag);
    free(address);
    mg_buf_release(&mailto);
}

/* Render the page of participant `pid` into *out (the caller's). */
static int render(char **out, struct request *r, int64_t circle_id, int64_t pid)
{
    struct mg_store *st = r->srv->store;
    struct mg_buf b = MG_BUF_INIT;
    struct view v;
    int live = 0;
    int rc = view_load(&v, st, circle_id, pid);

    if (rc == 0)
        rc = mg_calendar_page_feed_live(&live, st, r->feed, pid);
    if (rc < 0)
        goto out;
    page_begin(&b, v.circle->title);
    mg_buf_puts(&b, "<h1>");
    page_text(&b, v.circle->title);
    mg_buf_puts(&b, "</h1>\n<p>Hello ");
    page_text(&b, v.me->name);
    mg_buf_puts(&b, v.facilitator
                        ? ". This is your page as your group's "
                          "facilitator.</p>\n"
                        : ". This is your page for the circle.</p>\n");
    if (v.me->status == MG_STATUS_WITHDRAWN) {
        mg_buf_puts(&b, "<p class=\"notice\">You have left this circle. "
                        "Thank you for taking part.</p>\n");
    } else if (!v.group) {
        mg_buf_puts(&b, "<p class=\"notice\">You are not in a group yet. "
                        "This page will show your group, its calls and "
                        "readings once the groups are made.</p>\n");
    } else {
        section_group(&b, &v);
        section_week(&b, &v);
        section_rsvp(&b, &v, r->feed);
        section_calendar(&b, r->srv->base_url, r->feed, live);
        if (v.facilitator) {
            section_members(&b, st, &v, r->feed);
            section_how_to_post(&b, r, &v);
        }
        section_schedule(&b, &v, r->feed);
        rc = section_notes(&b, st, &v, "summaries", "Summaries", "summary",
                           NULL, "No summary yet.");
        if (rc == 0 && v.facilitator)
            rc = section_notes(&b, st, &v, "notes", "Members' notes", "note",
                               NULL, "No notes yet.");
        if (rc == 0 && v.facilitator)
            rc = section_notes(&b, st, &v, "review", "Waiting for review", NULL,
                               "review", "Nothing waits for the coordinator.");
        if (rc < 0)
            goto out;
    }
    mg_buf_puts(&b, "<p class=\"muted\">This page's address is yours "
                    "alone: please don't share it.</p>\n");
    page_end(&b);
    *out = mg_buf_detach(&b);
out:
    mg_buf_release(&b);
    view_release(&v);
    return rc;
}

static void reply_not_found(struct request *r)
{
    reply_page_message(r, MHD_HTTP_NOT_FOUND, "Page not found",
                       "There is no page at this address.");
}

/* A page secret that matches nothing: a guess, counted as one. */
static void reply_unknown_page(struct request *r)
{
    http_auth_failed(r);
    reply_not_found(r);
}

static void reply_failed(struct request *r)
{
    reply_page_message(r, MHD_HTTP_INTERNAL_SERVER_ERROR,
                       "Something went wrong",
                       "This page cannot be shown just now. Please try "
                       "again in a few minutes.");
}

void handle_person_page(struct request *r)
{
    int64_t circle = 0, pid = 0;
    char *html = NULL;
    int rc = mg_calendar_page_check(&circle, &pid, r->srv->store, r->feed);

    if (rc == MG_EAUTH || rc == MG_ENOTFOUND) {
        reply_unknown_page(r);
        return;
    }
    if (rc == 0)
        rc = render(&html, r, circle, pid);
    if (rc == MG_ENOTFOUND) {
        reply_not_found(r); /* deleted while we looked */
        return;
    }
    if (rc < 0) {
        reply_failed(r);
        return;
    }
    reply_page(r, MHD_HTTP_OK, html);
}

void handle_person_page_feed(struct request *r)
{
    int64_t circle = 0, pid = 0;
    int rc = mg_calendar_page_check(&circle, &pid, r->srv->store, r->feed);

    if (rc == MG_EAUTH || rc == MG_ENOTFOUND) {
        reply_unknown_page(r);
        return;
    }
    if (rc == 0)
        rc = mg_calendar_page_feed_set(r->srv->store, r->feed, circle, pid);
    if (rc < 0) {
        reply_failed(r);
        return;
    }
    /* Back to the page (relative, so a path prefix in front of us
     * stays), with a GET that can be reloaded safely. */
    snprintf(r->location, sizeof(r->location), "../%s#calendar", r->feed);
    reply_page_message(r, MHD_HTTP_SEE_OTHER, "Calendar links ready",
                       "Your page shows your new calendar links.");
}

/* POST /p/<token>/rsvp: answer=accepted|tentative|declined and an
 * optional session; back to the page, which shows the answer. */
void handle_person_page_rsvp(struct request *r)
{
    struct mg_form form = {NULL, 0, 0};
    const struct mg_form_field *answer, *session;
    int64_t circle = 0, pid = 0, sid = 0;
    char *end = NULL;
    int rc = mg_calendar_page_check(&circle, &pid, r->srv->store, r->feed);

    if (rc == MG_EAUTH || rc == MG_ENOTFOUND) {
        reply_unknown_page(r);
        return;
    }
    if (rc == 0 && request_form(&form, r) < 0)
        rc = MG_EINVAL;
    answer = mg_form_get(&form, "answer");
    session = mg_form_get(&form, "session");
    if (rc == 0 && session && *session->value) {
        sid = strtoll(session->value, &end, 10);
        if (*end || sid <= 0)
            rc = MG_EINVAL;
    }
    if (rc == 0)
        rc = mg_calendar_rsvp_page(r->srv->store, circle, pid, sid,
                                   answer ? answer->value : NULL);
    mg_form_release(&form);
    if (rc == MG_EINVAL) {
        reply_page_message(r, MHD_HTTP_BAD_REQUEST, "Answer not understood",
                           "Please use the Accept, Maybe or Decline buttons "
                           "on your page.");
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
    snprintf(r->location, sizeof(r->location), "../%s#rsvp", r->feed);
    reply_page_message(r, MHD_HTTP_SEE_OTHER, "Answer saved",
                       "Your page shows your answer.");
}

/* POST /p/{token}/attendance: a facilitator ticks who came. */
void handle_person_page_attendance(struct request *r)
{
    struct mg_form form = {NULL, 0, 0};
    struct mg_participant *me = NULL;
    struct mg_error err = {{0}, {0}};
    const struct mg_form_field *session;
    int64_t circle = 0, pid = 0, sid = 0, *ids = NULL;
    size_t n = 0, i, yes = 0, no = 0;
    char *end = NULL;
    int rc = mg_calendar_page_check(&circle, &pid, r->srv->store, r->feed);

    if (rc == MG_EAUTH || rc == MG_ENOTFOUND) {
        reply_unknown_page(r);
        return;
    }
    if (rc == 0)
        rc = mg_store_participant_get(&me, r->srv->store, circle, pid);
    if (rc == 0 && me->role != MG_PERSON_FACILITATOR) {
        rc = MG_EFORBIDDEN;
        goto out;
    }
    if (rc == 0 && request_form(&form, r) < 0)
        rc = MG_EINVAL;
    session = mg_form_get(&form, "session");
    if (rc == 0 && session) {
        sid = strtoll(session->value, &end, 10);
        if (*end || sid <= 0)
            rc = MG_EINVAL;
    }
    if (rc == 0 && !session)
        rc = MG_EINVAL;
    ids = mg_xcalloc(form.n + 1, sizeof(*ids));
    for (i = 0; rc == 0 && i < form.n; i++) {
        if (strcmp(form.fields[i].name, "present") != 0)
            continue;
        ids[n] = strtoll(form.fields[i].value, &end, 10);
        if (*end || ids[n] <= 0)
            rc = MG_EINVAL;
        n++;
    }
    /* Only a call of the facilitator's own group. */
    if (rc == 0) {
        struct mg_session_row s;

        rc = mg_store_session_get(&s, r->srv->store, circle, sid);
        if (rc == 0 && s.group_id != me->group_id)
            rc = MG_ENOTFOUND;
    }
    if (rc == 0)
        rc = mg_attendance_record(&yes, &no, r->srv->store, circle, sid, ids, n,
                                  "facilitator", &err);
out:
    free(ids);
    mg_form_release(&form);
    mg_participants_free(me, me ? 1 : 0);
    if (rc == MG_EINVAL) {
        reply_page_message(r, MHD_HTTP_BAD_REQUEST, "Attendance not saved",
                           "Please use the form on your page.");
        return;
    }
    if (rc == MG_ENOTFOUND || rc == MG_EFORBIDDEN) {
        reply_not_found(r);
        return;
    }
    if (rc < 0) {
        reply_failed(r);
        return;
    }
    snprintf(r->location, sizeof(r->location), "../%s#members", r->feed);
    reply_page_message(r, MHD_HTTP_SEE_OTHER, "Attendance saved",
                       "Your page shows it.");
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
