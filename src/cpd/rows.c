/*
 * rows.c: a person's CPD journal rows from what they attended: one row
 * for the circle's group calls (first call's date to last call's, their
 * counted minutes) and one per plenary (a webinar), with the circle's
 * areas and domains and a reflection prompt from the template. Pure:
 * the rows are English data, as the journal's columns are.
 */
#include "mingle/cpd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mingle/participation.h"
#include "mingle/schedule.h"

#include "banned.h"

const char mg_cpd_default_prompt[] =
    "{discussed}{note}. What did you learn, and what will you change in "
    "your practice?";

const char *mg_cpd_type_name(enum mg_cpd_type t)
{
    return t == MG_CPD_WEBINAR ? "webinar" : "reading circle";
}

double mg_cpd_hours(int minutes)
{
    return (double)mg_tenths_of_hour(minutes) / 10.0;
}

/* Whether two titles name the same book: one holds the other, or they
 * begin with the same 16 bytes ("The Atlas of New Librarianship: a
 * reading circle" and "The Atlas of New Librarianship, an outline"). */
static int same_book(const char *a, const char *b)
{
    size_t i;

    if (strstr(a, b) || strstr(b, a))
        return 1;
    for (i = 0; a[i] && a[i] == b[i]; i++)
        ;
    return i >= 16;
}

char *mg_cpd_default_title(const char *circle_title, const char *book_title)
{
    const char *circle = circle_title ? circle_title : "";

    if (book_title && *book_title && !same_book(circle, book_title))
        return mg_xasprintf("%s: %s", circle, book_title);
    return mg_xstrdup(circle);
}

void mg_cpd_rows_free(struct mg_cpd_row *rows, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(rows[i].name);
        free(rows[i].title);
        free(rows[i].provider);
        free(rows[i].areas);
        free(rows[i].domains);
        free(rows[i].reflection);
    }
    free(rows);
}

char *mg_cpd_labels(const char *ids, const struct mg_cpd_term *terms, size_t n)
{
    struct mg_buf b = MG_BUF_INIT;
    const char *p = ids ? ids : "";

    while (*p) {
        size_t len = strcspn(p, ",");
        char id[64];
        const struct mg_cpd_term *t = NULL;

        if (len && len < sizeof(id)) {
            memcpy(id, p, len);
            id[len] = '\0';
            t = mg_cpd_term_find(terms, n, id);
        }
        if (t)
            mg_buf_printf(&b, "%s%s", b.len ? "; " : "", t->label);
        p += len;
        if (*p)
            p++;
    }
    return b.data ? mg_buf_detach(&b) : mg_xstrdup("");
}

/* The local date of `t` in `tz` ("" when it cannot be told). */
static void local_date(char out[11], const char *tz, int64_t t)
{
    char text[32];

    mg_schedule_local_text(text, sizeof(text), tz ? tz : "UTC", t, ' ');
    snprintf(out, 11, "%.10s", text);
}

/*
 * The first line of `text` with something in it, as one line: control
 * characters and runs of white space become one space, cut after `max`
 * bytes at the next character boundary, with "..." after.
 */
static void excerpt(struct mg_buf *out, const char *text, size_t max)
{
    const unsigned char *p = (const unsigned char *)(text ? text : "");
    size_t start = out->len;
    int space = 0;

    while (*p && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        p++;
    for (; *p && *p != '\n' && *p != '\r'; p++) {
        if (*p < 0x20 || *p == 0x7f || *p == ' ') {
            space = 1;
            continue;
        }
        if (out->len - start >= max && (*p & 0xc0) != 0x80) {
            mg_buf_puts(out, "...");
            return;
        }
        if (space && out->len > start)
            mg_buf_puts(out, " ");
        space = 0;
        mg_buf_add(out, p, 1);
    }
}

/* `tmpl` with each {name} replaced by its value, once: a value is never
 * read for placeholders (a note that says "{thread}" stays so). */
static void expand(struct mg_buf *out, const char *tmpl,
                   const char *const *names, const char *const *values,
                   size_t n)
{
    const char *p = tmpl;

    while (*p) {
        const char *open = strchr(p, '{'), *close;
        size_t i;

        if (!open) {
            mg_buf_puts(out, p);
            return;
        }
        mg_buf_add(out, p, (size_t)(open - p));
        close = strchr(open, '}');
        for (i = 0; close && i < n; i++)
            if (strlen(names[i]) == (size_t)(close - open - 1) &&
                memcmp(names[i], open + 1, strlen(names[i])) == 0)
                break;
        if (close && i < n) {
            mg_buf_puts(out, values[i]);
            p = close + 1;
        } else {
            mg_buf_puts(out, "{");
            p = open + 1;
        }
    }
}

static char *reflection(const struct mg_cpd_context *ctx,
                        const struct mg_participation *p,
                        const struct mg_cpd_row *row,
                        const struct mg_cpd_note *note)
{
    static const char *const names[] = {"discussed", "note",    "thread",
                                        "group",     "week",    "circle",
                                        "book",      "activity"};
    const char *values[8];
    struct mg_buf discussed = MG_BUF_INIT, said = MG_BUF_INIT,
                  out = MG_BUF_INIT;
    const char *thread = p->thread_title ? p->thread_title : "";
    const char *group = p->group_name ? p->group_name : "";
    const char *tmpl =
        ctx->settings && ctx->settings->prompt && ctx->settings->prompt[0]
            ? ctx->settings->prompt
            : mg_cpd_default_prompt;
    char week[16] = "";

    if (row->type == MG_CPD_WEBINAR)
        mg_buf_printf(&discussed, "You attended the webinar \u201c%s\u201d",
                      row->title);
    else if (p->facilitator && *thread)
        mg_buf_printf(&discussed,
                      "You facilitated %s's conversation on \u201c%s\u201d",
                      group, thread);
    else if (p->facilitator)
        mg_buf_printf(&discussed, "You facilitated %s's calls", group);
    else if (*thread)
        mg_buf_printf(&discussed, "You discussed \u201c%s\u201d in %s", thread,
                      group);
    else
        mg_buf_printf(&discussed, "You took part in %s's calls", group);
    if (row->type == MG_CPD_READING_CIRCLE && note && note->text) {
        struct mg_buf ex = MG_BUF_INIT;

        excerpt(&ex, note->text, MG_CPD_EXCERPT_MAX);
        if (ex.len) {
            snprintf(week, sizeof(week), "%d", note->week);
            if (note->week > 0)
                mg_buf_printf(&said, "; in week %d you wrote: \u201c%s\u201d",
                              note->week, ex.data);
            else
                mg_buf_printf(&said, "; you wrote: \u201c%s\u201d", ex.data);
        }
        mg_buf_release(&ex);
    }
    values[0] = discussed.data ? discussed.data : "";
    values[1] = said.data ? said.data : "";
    values[2] = thread;
    values[3] = group;
    values[4] = week;
    values[5] = ctx->circle_title ? ctx->circle_title : "";
    values[6] = ctx->book_title ? ctx->book_title : "";
    values[7] = row->title;
    expand(&out, tmpl, names, values, 8);
    mg_buf_release(&discussed);
    mg_buf_release(&said);
    return out.data ? mg_buf_detach(&out) : mg_xstrdup("");
}

static struct mg_cpd_row *new_row(struct mg_cpd_row **rows, size_t *n,
                                  const struct mg_cpd_context *ctx,
                                  const struct mg_participation *p,
                                  enum mg_cpd_type type, const char *title)
{
    const struct mg_cpd_settings *s = ctx->settings;
    struct mg_cpd_row *r;

    *rows = mg_xrealloc(*rows, (*n + 1) * sizeof(**rows));
    r = &(*rows)[(*n)++];
    memset(r, 0, sizeof(*r));
    r->person_id = p->person_id;
    r->name = mg_xstrdup(p->name ? p->name : "");
    r->type = type;
    r->title = mg_xstrdup(title ? title : "");
    if (s && s->provider && *s->provider)
        r->provider = mg_xstrdup(s->provider);
    else
        r->provider = mg_xstrdup(ctx->organizer ? ctx->organizer : "");
    if (ctx->area_labels)
        r->areas = mg_xstrdup(ctx->area_labels);
    else
        r->areas = mg_cpd_labels(s ? s->areas : NULL, ctx->list->areas,
                                 ctx->list->n_areas);
    if (ctx->domain_labels)
        r->domains = mg_xstrdup(ctx->domain_labels);
    else
        r->domains = mg_cpd_labels(s ? s->domains : NULL, ctx->list->domains,
                                   ctx->list->n_domains);
    return r;
}

static void add_call(struct mg_cpd_row *r,
                     const struct mg_participation_call *c)
{
    int64_t end = c->starts_at + (int64_t)c->scheduled * 60;

    if (!r->calls || c->starts_at < r->from)
        r->from = c->starts_at;
    if (!r->calls || end > r->to)
        r->to = end;
    r->calls++;
    r->minutes += c->minutes;
}

static int by_from(const void *a, const void *b)
{
    const struct mg_cpd_row *x = a, *y = b;

    if (x->from != y->from)
        return x->from < y->from ? -1 : 1;
    return (int)x->type - (int)y->type;
}

void mg_cpd_rows_build(struct mg_cpd_row **rows, size_t *n,
                       const struct mg_cpd_context *ctx,
                       const struct mg_participation *p,
                       const struct mg_cpd_note *note)
{
    const struct mg_cpd_settings *s = ctx->settings;
    size_t first = *n, i, k;

    for (i = 0; i < p->n_calls; i++) {
        const struct mg_participation_call *c = &p->calls[i];
        struct mg_cpd_row *r = NULL;

        for (k = first; k < *n && !r; k++)
            if ((*rows)[k].type ==
                    (c->plenary ? MG_CPD_WEBINAR : MG_CPD_READING_CIRCLE) &&
                (!c->plenary || (*rows)[k].plenary_id == c->plenary_id))
                r = &(*rows)[k];
        if (!r && c->plenary) {
            r = new_row(rows, n, ctx, p, MG_CPD_WEBINAR, c->title);
            r->plenary_id = c->plenary_id;
        } else if (!r) {
            char *title =
                s && s->title && *s->title
                    ? mg_xstrdup(s->title)
                    : mg_cpd_default_title(ctx->circle_title, ctx->book_title);

            r = new_row(rows, n, ctx, p, MG_CPD_READING_CIRCLE, title);
            free(title);
        }
        add_call(r, c);
    }
    if (*n - first > 1)
        qsort(*rows + first, *n - first, sizeof(**rows), by_from);
    for (k = first; k < *n; k++) {
        struct mg_cpd_row *r = &(*rows)[k];

        local_date(r->from_date, ctx->time_zone, r->from);
        local_date(r->to_date, ctx->time_zone,
                   r->to > r->from ? r->to - 1 : r->to);
        r->reflection = reflection(ctx, p, r, note);
    }
}
