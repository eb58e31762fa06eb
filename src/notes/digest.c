/*
 * digest.c: a circle's weeks in notes, for people to read: per week and
 * group, the reading, the facilitators' summaries, then the members'
 * notes, as Markdown and as a small HTML page. Everything that came by
 * mail (and the book's titles) is escaped for its format; routing and
 * filing are file.c's job, the feed atom.c's.
 */
#define _GNU_SOURCE
#include "mingle/notes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mingle/calendar.h"
#include "mingle/circle.h"
#include "mingle/html.h"
#include "mingle/i18n.h"
#include "mingle/schedule.h"
#include "mingle/store.h"

#include "banned.h"

/* What the digest is made from, loaded once. */
struct view {
    struct mg_plan_view plan;
    struct mg_note *notes;
    size_t n_notes;
};

/* The two documents, written side by side; `body_only` leaves out the
 * HTML document around the digest (for a page that shows it in its own). */
struct out {
    struct mg_buf md;
    struct mg_html html;
    const char *tz;
    int body_only;
};

static void view_release(struct view *v)
{
    mg_store_plan_release(&v->plan);
    mg_store_notes_free(v->notes, v->n_notes);
    memset(v, 0, sizeof(*v));
}

static int view_load(struct view *v, struct mg_store *st, int64_t circle_id)
{
    memset(v, 0, sizeof(*v));
    return mg_store_plan_load(&v->plan, st, circle_id);
}

/*
 * Markdown. Names, subjects, titles and bodies are text, never markup:
 * `&`, `<` and `>` become entities (so no HTML gets through, whatever
 * the renderer); `\`, backquote, `*`, `_`, `[`, `]`, `#`, `|` and `~`
 * are backslash-escaped wherever they stand (emphasis, code, links,
 * headings' closing hashes, tables, strikethrough); at the start of a
 * line so are `-`, `+`, `=` and the `.` or `)` after leading digits
 * (lists, setext underlines). Leading blanks are dropped (no indented
 * code), control characters become spaces. Line breaks inside a
 * paragraph are kept as hard breaks, blank lines separate paragraphs.
 */
static void md_char(struct mg_buf *b, char c)
{
    switch (c) {
    case '&':
        mg_buf_puts(b, "&amp;");
        return;
    case '<':
        mg_buf_puts(b, "&lt;");
        return;
    case '>':
        mg_buf_puts(b, "&gt;");
        return;
    case '\\':
    case '`':
    case '*':
    case '_':
    case '[':
    case ']':
    case '#':
    case '|':
    case '~':
        mg_buf_add(b, "\\", 1);
        break;
    default:
        if ((unsigned char)c < 0x20 || c == 0x7f)
            c = ' ';
    }
    mg_buf_add(b, &c, 1);
}

static void md_text(struct mg_buf *b, const char *s, size_t n, int line_start)
{
    size_t i = 0, digits = 0;

    if (line_start) {
        while (digits < n && s[digits] >= '0' && s[digits] <= '9')
            digits++;
        if (digits > 0 && digits < n &&
            (s[digits] == '.' || s[digits] == ')')) {
            mg_buf_add(b, s, digits);
            mg_buf_add(b, "\\", 1);
            mg_buf_add(b, s + digits, 1);
            i = digits + 1;
        } else if (n > 0 && (s[0] == '-' || s[0] == '+' || s[0] == '=')) {
            mg_buf_add(b, "\\", 1);
            mg_buf_add(b, s, 1);
            i = 1;
        }
    }
    for (; i < n; i++)
        md_char(b, s[i]);
}

static void md_inline(struct mg_buf *b, const char *s)
{
    md_text(b, s, strlen(s), 0);
}

/* HTML: every string through the HTML writer, which drops control
 * characters (HTML does not allow them). */
static void html_inline(struct mg_html *h, const char *s)
{
    mg_html_text(h, s);
}

/* Call `line` for each line of `s`, trimmed; blank lines give (NULL, 0). */
static void each_line(const char *s, void (*line)(void *, const char *, size_t),
                      void *arg)
{
    while (*s) {
        const char *eol = strchr(s, '\n');
        const char *end = eol ? eol : s + strlen(s);
        const char *a = s, *e = end;

        while (a < e && (*a == ' ' || *a == '\t'))
            a++;
        while (e > a && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
            e--;
        line(arg, a < e ? a : NULL, (size_t)(e - a));
        s = eol ? eol + 1 : end;
    }
}

struct para_state {
    struct mg_buf *b;
    struct mg_html *h;
    int started, blank;
};

static void md_line(void *arg, const char *s, size_t n)
{
    struct para_state *p = arg;

    if (!s) {
        p->blank = p->started;
        return;
    }
    if (p->started)
        mg_buf_puts(p->b, p->blank ? "\n\n" : "  \n");
    md_text(p->b, s, n, 1);
    p->started = 1;
    p->blank = 0;
}

/* HTML keeps the lines as they are (white-space: pre-wrap). */
static void html_line(void *arg, const char *s, size_t n)
{
    struct para_state *p = arg;

    if (!s) {
        p->blank = p->started;
        return;
    }
    if (p->started) {
        if (p->blank)
            mg_html(p->h, "\n\n");
        else
            mg_html(p->h, "\n");
    }
    mg_html_textn(p->h, s, n);
    p->started = 1;
    p->blank = 0;
}

static void heading(struct out *o, int level, const char *text)
{
    mg_buf_printf(&o->md, "%.*s ", level, "######");
    md_inline(&o->md, text);
    mg_buf_puts(&o->md, "\n\n");
    if (level == 1)
        mg_html_element(&o->html, "h1", text);
    else if (level == 2)
        mg_html_element(&o->html, "h2", text);
    else if (level == 3)
        mg_html_element(&o->html, "h3", text);
    else
        mg_html_element(&o->html, "h4", text);
}

static void para(struct out *o, const char *cls, const char *text, int em)
{
    mg_buf_puts(&o->md, em ? "_" : "");
    md_inline(&o->md, text);
    mg_buf_puts(&o->md, em ? "_\n\n" : "\n\n");
    mg_html(&o->html, "<p class=\"");
    mg_html_attr(&o->html, cls);
    mg_html(&o->html, "\">");
    if (em)
        mg_html(&o->html, "<em>");
    html_inline(&o->html, text);
    if (em)
        mg_html(&o->html, "</em>");
    mg_html(&o->html, "</p>\n");
}

const char *mg_notes_author(const struct mg_note *n)
{
    if (n->author && *n->author)
        return n->author;
    if (n->from_name && *n->from_name)
        return n->from_name;
    if (n->from_email && *n->from_email)
        return n->from_email;
    return "unknown sender";
}

/* "2027-03-23 19:45" in the circle's zone ("" if it cannot say). */
static void local_time(char *out, size_t size, const char *tz, int64_t t)
{
    out[0] = '\0';
    if (t > 0)
        mg_schedule_local_text(out, size, tz, t, ' ');
}

static void entry(struct out *o, const struct mg_note *n)
{
    struct para_state p;
    char when[32];
    size_t i;

    local_time(when, sizeof(when), o->tz,
               n->sent_at ? n->sent_at : n->received_at);
    mg_buf_puts(&o->md, "**");
    md_inline(&o->md, mg_notes_author(n));
    mg_buf_puts(&o->md, "**");
    mg_html(&o->html, "<article class=\"");
    mg_html_attr(&o->html, n->kind);
    mg_html(&o->html, "\">\n<p class=\"meta\"><strong>");
    html_inline(&o->html, mg_notes_author(n));
    mg_html(&o->html, "</strong>");
    if (when[0]) {
        mg_buf_printf(&o->md, ", %s", when);
        mg_html(&o->html, ", ");
        mg_html_text(&o->html, when);
    }
    if (n->subject && *n->subject) {
        mg_buf_puts(&o->md, ": ");
        md_inline(&o->md, n->subject);
        mg_html(&o->html, ": ");
        html_inline(&o->html, n->subject);
    }
    mg_buf_puts(&o->md, "\n\n");
    mg_html(&o->html, "</p>\n<div class=\"body\">");
    memset(&p, 0, sizeof(p));
    p.b = &o->md;
    each_line(n->body ? n->body : "", md_line, &p);
    if (p.started)
        mg_buf_puts(&o->md, "\n\n");
    memset(&p, 0, sizeof(p));
    p.h = &o->html;
    each_line(n->body ? n->body : "", html_line, &p);
    mg_html(&o->html, "</div>\n");
    for (i = 0; i < n->n_attachments; i++) {
        const struct mg_note_attachment *a = &n->attachments[i];
        char *line = mg_xasprintf(_("Attached: %s (%s, %lld bytes)"),
                                  a->name && *a->name ? a->name : "unnamed",
                                  a->type ? a->type : "", (long long)a->size);
        md_inline(&o->md, line);
        mg_buf_puts(&o->md, "\n\n");
        mg_html(&o->html, "<p class=\"attachment\">");
        html_inline(&o->html, line);
        mg_html(&o->html, "</p>\n");
        free(line);
    }
    mg_html(&o->html, "</article>\n");
}

static int group_known(const struct view *v, int64_t id)
{
    size_t i;

    for (i = 0; id && i < v->plan.n_groups; i++)
        if (v->plan.groups[i].id == id)
            return 1;
    return 0;
}

/*
 * Write the notes of `kind` for week `week` of group `group_id` (0: of
 * no group the circle has now); how many there were.
 */
static size_t entries(struct out *o, const struct view *v, int64_t group_id,
                      int week, const char *kind)
{
    size_t i, n = 0;

    for (i = 0; i < v->n_notes; i++) {
        const struct mg_note *note = &v->notes[i];
        int here = group_id ? note->group_id == group_id
                            : !group_known(v, note->group_id);

        if (!here || note->week != week || strcmp(note->kind, kind) != 0)
            continue;
        entry(o, note);
        n++;
    }
    return n;
}

static size_t count(const struct view *v, int64_t group_id, int week,
                    const char *kind)
{
    size_t i, n = 0;

    for (i = 0; i < v->n_notes; i++) {
        const struct mg_note *note = &v->notes[i];
        int here = group_id ? note->group_id == group_id
                            : !group_known(v, note->group_id);

        n += here && note->week == week &&
             (!kind || strcmp(note->kind, kind) == 0);
    }
    return n;
}

static const char *thread_title(const struct view *v, int64_t id)
{
    size_t i;

    for (i = 0; id && i < v->plan.n_threads; i++)
        if (v->plan.threads[i].id == id)
            return v->plan.threads[i].title;
    return NULL;
}

/* The group's reading of `week` (see mg_calendar_reading). */
static const struct mg_span *reading_for(const struct view *v,
                                         const struct mg_group_row *g, int week)
{
    return mg_calendar_reading(v->plan.same, v->plan.n_same, v->plan.per_thread,
                               v->plan.n_per_thread, g->thread_id, week);
}

static void group_section(struct out *o, const struct view *v,
                          const struct mg_group_row *g, int week)
{
    const char *thread = thread_title(v, g->thread_id);
    const struct mg_span *r = week ? reading_for(v, g, week) : NULL;
    char *text;

    if (thread)
        text = mg_xasprintf(_("%s (thread: %s)"), g->name, thread);
    else
        text = mg_xstrdup(g->name);
    heading(o, 3, text);
    free(text);
    if (r && r->first_title && r->last_title) {
        if (r->parts > 1)
            text = mg_xasprintf(_("Reading: %s (part %d of %d)"),
                                r->first_title, r->part, r->parts);
        else if (strcmp(r->first_title, r->last_title) == 0)
            text = mg_xasprintf(_("Reading: %s"), r->first_title);
        else
            text = mg_xasprintf(_("Reading: %s ... %s"), r->first_title,
                                r->last_title);
        para(o, "reading", text, 0);
        free(text);
    }
    heading(o, 4, _("Summary"));
    if (entries(o, v, g->id, week, "summary") == 0)
        para(o, "empty", _("No summary yet."), 1);
    if (count(v, g->id, week, "note") > 0) {
        heading(o, 4, _("Notes"));
        entries(o, v, g->id, week, "note");
    }
}

/* The first day of week `week` as "YYYY-MM-DD" ("" if it cannot say). */
static void week_start(char *out, size_t size, const struct mg_circle *c,
                       int week)
{
    int y, m, d;
    time_t t;
    struct tm tm;

    out[0] = '\0';
    if (sscanf(c->start_date, "%4d-%2d-%2d", &y, &m, &d) != 3)
        return;
    t = (time_t)((long)mg_days_from_civil(y, m, d) + 7L * (week - 1)) * 86400;
    gmtime_r(&t, &tm);
    strftime(out, size, "%Y-%m-%d", &tm);
}

/* The weeks that have begun by today in the circle's zone, 0..weeks. */
static int weeks_so_far(const struct mg_circle *c)
{
    struct mg_local_time lt;
    long start, today, w;
    int y, m, d;

    if (sscanf(c->start_date, "%4d-%2d-%2d", &y, &m, &d) != 3 ||
        mg_schedule_utc_to_local(&lt, c->time_zone, mg_now(), NULL) < 0)
        return c->weeks;
    start = (long)mg_days_from_civil(y, m, d);
    today = (long)mg_days_from_civil(lt.year, lt.month, lt.day);
    if (today < start)
        return 0;
    w = (today - start) / 7 + 1;
    return w > c->weeks ? c->weeks : (int)w;
}

static void week_section(struct out *o, const struct view *v, int week)
{
    char from[16], *text;
    size_t i;

    if (week > 0) {
        week_start(from, sizeof(from), v->plan.circle, week);
        text = from[0] ? mg_xasprintf(_("Week %d (from %s)"), week, from)
                       : mg_xasprintf(_("Week %d"), week);
    } else {
        text = mg_xstrdup(_("Not tied to a week"));
    }
    heading(o, 2, text);
    free(text);
    if (v->plan.n_groups == 0)
        para(o, "empty", _("No groups yet."), 1);
    for (i = 0; i < v->plan.n_groups; i++)
        group_section(o, v, &v->plan.groups[i], week);
    if (count(v, 0, week, NULL) > 0) {
        heading(o, 3, _("Other notes"));
        entries(o, v, 0, week, "summary");
        entries(o, v, 0, week, "note");
    }
}

/* Oldest first: by the Date: header (or arrival), then by id. */
static int by_date(const void *a, const void *b)
{
    const struct mg_note *x = a, *y = b;
    int64_t tx = x->sent_at ? x->sent_at : x->received_at;
    int64_t ty = y->sent_at ? y->sent_at : y->received_at;

    if (tx != ty)
        return tx < ty ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

static void begin(struct out *o, const char *title)
{
    if (o->body_only) {
        heading(o, 1, title);
        return;
    }
    mg_html(&o->html, "<!DOCTYPE html>\n<html lang=\"");
    mg_html_attr(&o->html, mg_i18n_lang());
    mg_html(&o->html, "\">\n<head>\n"
                      "<meta charset=\"utf-8\">\n"
                      "<meta name=\"viewport\" content=\"width=device-"
                      "width, initial-scale=1\">\n<title>");
    html_inline(&o->html, title);
    mg_html(&o->html,
            "</title>\n<style>body{font-family:sans-serif;max-width:"
            "44em;margin:0 auto;padding:1em;line-height:1.4}.body{white-"
            "space:pre-wrap}.meta,.reading,.attachment,.empty{color:#555}"
            "article{margin:0 0 1.5em}</style>\n</head>\n<body>\n");
    heading(o, 1, title);
}

/* The digest into *markdown and *html (as documents), or its HTML body
 * appended to `into` when that is not NULL. */
static int digest(char **markdown, char **html, struct mg_html *into,
                  struct mg_store *st, int64_t circle_id, int week,
                  struct mg_error *err)
{
    struct view v;
    struct out o = {MG_BUF_INIT, MG_HTML_INIT, NULL, into != NULL};
    struct mg_note_filter f;
    char *title = NULL, lang[MG_I18N_LANG_MAX];
    size_t i;
    int last, w, undated = 0;
    int rc = view_load(&v, st, circle_id);

    /* In the circle's language; the caller's thread keeps its own. */
    mg_i18n_switch(lang, rc == 0 ? mg_circle_language(v.plan.circle) : NULL);
    if (markdown)
        *markdown = NULL;
    if (html)
        *html = NULL;
    if (rc < 0)
        goto out;
    if (week < 0 || week > v.plan.circle->weeks) {
        mg_error_set(err, "week",
                     "'week' must be 0 (every week so far) to %d, not %d",
                     v.plan.circle->weeks, week);
        rc = MG_EINVAL;
        goto out;
    }
    memset(&f, 0, sizeof(f));
    f.circle_id = circle_id;
    f.week = week;
    rc = mg_store_notes_list(&v.notes, &v.n_notes, st, &f);
    if (rc < 0)
        goto out;
    if (v.n_notes > 1)
        qsort(v.notes, v.n_notes, sizeof(*v.notes), by_date);
    o.tz = v.plan.circle->time_zone;
    last = week ? week : weeks_so_far(v.plan.circle);
    for (i = 0; !week && i < v.n_notes; i++) {
        if (v.notes[i].week > last)
            last = v.notes[i].week;
        undated |= v.notes[i].week == 0;
    }
    if (week)
        title = mg_xasprintf(_("%s: week %d"), v.plan.circle->title, week);
    else if (last > 0)
        title =
            mg_xasprintf(_("%s: weeks 1 to %d"), v.plan.circle->title, last);
    else
        title = mg_xasprintf(_("%s: notes"), v.plan.circle->title);
    begin(&o, title);
    for (w = week ? week : 1; w <= last; w++)
        week_section(&o, &v, w);
    if (undated)
        week_section(&o, &v, 0);
    if (last == 0 && !undated)
        para(&o, "empty", _("No week has begun yet."), 1);
    if (!o.body_only)
        mg_html(&o.html, "</body>\n</html>\n");
    if (markdown)
        *markdown = mg_buf_detach(&o.md);
    if (html)
        *html = mg_html_detach(&o.html);
    if (into)
        mg_html_append(into, &o.html);
out:
    free(title);
    mg_buf_release(&o.md);
    mg_html_release(&o.html);
    view_release(&v);
    mg_i18n_restore(lang);
    return rc;
}

int mg_notes_digest(char **markdown, char **html, struct mg_store *st,
                    int64_t circle_id, int week, struct mg_error *err)
{
    return digest(markdown, html, NULL, st, circle_id, week, err);
}

int mg_notes_digest_into(struct mg_html *into, struct mg_store *st,
                         int64_t circle_id, int week, struct mg_error *err)
{
    return digest(NULL, NULL, into, st, circle_id, week, err);
}
