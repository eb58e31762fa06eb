/*
 * export.c: the table of exports and what all of them share: building
 * one by name, writing it as CSV or XLSX, and a download's file name.
 */
#include "mingle/export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#include "banned.h"

/* In the order menus list them; a builder per file of src/export/. */
static const struct mg_export_kind kinds[] = {
    {"survey", "Survey results", export_survey},
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
