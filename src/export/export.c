/*
 * export.c: the table of exports and what all of them share: building
 * one by name, writing it as CSV or XLSX, and a download's file name.
 */
#include "mingle/export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "mingle/circle.h"
#include "mingle/i18n.h"
#include "mingle/schedule.h"

#include "banned.h"

/* In the order menus list them; a builder per file of src/export/. */
static const struct mg_export_kind kinds[] = {
    {"roster", N_("Roster"), export_roster},
    {"groups", N_("Groups"), export_groups},
    {"attendance", N_("Attendance matrix"), export_attendance},
    {"rsvps", N_("RSVPs"), export_rsvps},
    {"report", N_("Success report"), export_report},
    {"survey", N_("Survey results"), export_survey},
    {"cpd", N_("CPD journal rows"), export_cpd},
    {NULL, NULL, NULL},
};

const struct mg_export_kind *mg_export_kinds(size_t *n)
{
    *n = sizeof(kinds) / sizeof(kinds[0]) - 1;
    return kinds;
}

const struct mg_export_kind *mg_export_find(const char *name)
{
    const struct mg_export_kind *k;

    if (!name)
        return NULL;
    for (k = kinds; k->name; k++)
        if (strcmp(k->name, name) == 0)
            return k;
    return NULL;
}

int mg_export_parse_format(enum mg_export_format *out, const char *s)
{
    if (s && strcmp(s, "csv") == 0)
        *out = MG_EXPORT_CSV;
    else if (s && strcmp(s, "xlsx") == 0)
        *out = MG_EXPORT_XLSX;
    else
        return MG_EINVAL;
    return 0;
}

void export_add(struct mg_sheet ***out, size_t *n, struct mg_sheet *s)
{
    *out = mg_xrealloc(*out, (*n + 1) * sizeof(**out));
    (*out)[(*n)++] = s;
}

int mg_export_build(struct mg_sheet ***out, size_t *n, struct mg_store *st,
                    int64_t circle_id, const char *what)
{
    const struct mg_export_kind *k = mg_export_find(what);
    int rc;

    *out = NULL;
    *n = 0;
    if (!k)
        return MG_EINVAL;
    rc = k->build(out, n, st, circle_id);
    if (rc < 0) {
        mg_export_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

int mg_export_write(struct mg_buf *out, struct mg_sheet *const *sheets,
                    size_t n, enum mg_export_format format)
{
    if (format == MG_EXPORT_XLSX)
        return mg_sheet_xlsx(out, sheets, n);
    if (n > 0)
        mg_sheet_csv(out, sheets[0]);
    else
        mg_buf_puts(out, "");
    return 0;
}

void mg_export_free(struct mg_sheet **sheets, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        mg_sheet_free(sheets[i]);
    free(sheets);
}

void mg_export_filename(char *out, size_t size, const char *slug,
                        int64_t circle_id, const char *what,
                        enum mg_export_format format)
{
    const char *ext = format == MG_EXPORT_XLSX ? "xlsx" : "csv";

    if (slug && *slug)
        snprintf(out, size, "%s-%s.%s", slug, what, ext);
    else
        snprintf(out, size, "circle-%lld-%s.%s", (long long)circle_id, what,
                 ext);
}

void export_time(struct mg_sheet *s, const struct mg_circle *c, int64_t t)
{
    char text[32];

    text[0] = '\0';
    if (t) {
        mg_schedule_local_text(text, sizeof(text), c->time_zone, t, ' ');
        if (!text[0])
            mg_schedule_local_text(text, sizeof(text), "UTC", t, ' ');
    }
    mg_sheet_text(s, text);
}

void export_slot_text(char *out, size_t size, const struct mg_circle *c,
                      int64_t slot_id)
{
    static const char *const days[] = {"",    "Mon", "Tue", "Wed",
                                       "Thu", "Fri", "Sat", "Sun"};
    size_t i;

    if (size)
        out[0] = '\0';
    for (i = 0; slot_id && i < c->n_slots; i++) {
        const struct mg_slot *sl = &c->slots[i];

        if (sl->id != slot_id)
            continue;
        snprintf(out, size, "%s %02d:%02d, %d min",
                 days[sl->weekday >= 1 && sl->weekday <= 7 ? sl->weekday : 0],
                 sl->start_minute / 60, sl->start_minute % 60, sl->minutes);
        return;
    }
}

void export_yes_no(struct mg_sheet *s, int yes)
{
    mg_sheet_text(s, yes ? "yes" : "no");
}

int mg_export_parse_file(char *what, size_t size, enum mg_export_format *format,
                         const char *file)
{
    const char *dot = strrchr(file, '.');
    size_t len = dot ? (size_t)(dot - file) : strlen(file);

    snprintf(what, size, "%.*s", (int)len, file);
    if (!dot || mg_export_parse_format(format, dot + 1) < 0)
        return MG_EINVAL;
    return mg_export_find(what) ? 0 : MG_ENOTFOUND;
}

const char *mg_export_content_type(enum mg_export_format format)
{
    return format == MG_EXPORT_XLSX
               ? "application/"
                 "vnd.openxmlformats-officedocument.spreadsheetml.sheet"
               : "text/csv; charset=utf-8; header=present";
}
