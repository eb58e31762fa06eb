/*
 * dash_export.c: the circle page's Downloads section (each of the
 * export module's spreadsheets as CSV and as XLSX) and the downloads
 * themselves, GET /dashboard/circles/{id}/export/{what}.{csv|xlsx},
 * for the dashboard's session. Column names stay English whatever the
 * circle's language: a spreadsheet is data for scripts too.
 */
#include "dash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mingle/export.h"

#include "banned.h"

void dash_export_section(struct mg_html *h, const struct mg_circle *c)
{
    const struct mg_export_kind *k;
    size_t n, i;

    k = mg_export_kinds(&n);
    mg_html(h,
            "<section aria-labelledby=\"downloads\">\n<h2 id=\"downloads\">");
    mg_html_text(h, _("Downloads"));
    mg_html(h, "</h2>\n<p>");
    mg_html_text(h, _("Spreadsheets of the circle, as an Excel workbook "
                      "(XLSX) or as CSV (the first sheet only)."));
    mg_html(h, "</p>\n<ul>\n");
    for (i = 0; i < n; i++) {
        mg_html(h, "<li>");
        mg_html_text(h, _(k[i].title));
        mg_html(h, ": <a href=\"/dashboard/circles/");
        mg_html_int(h, c->id);
        mg_html(h, "/export/");
        mg_html_attr(h, k[i].name);
        mg_html(h, ".xlsx\" download>");
        mg_html_text(h, _("XLSX"));
        mg_html(h, "</a>, <a href=\"/dashboard/circles/");
        mg_html_int(h, c->id);
        mg_html(h, "/export/");
        mg_html_attr(h, k[i].name);
        mg_html(h, ".csv\" download>");
        mg_html_text(h, _("CSV"));
        mg_html(h, "</a></li>\n");
    }
    mg_html(h, "</ul>\n</section>\n");
}

void handle_dash_export(struct request *r)
{
    struct mg_circle *c = NULL;
    struct mg_sheet **sheets = NULL;
    struct mg_buf b = MG_BUF_INIT;
    enum mg_export_format format = MG_EXPORT_CSV;
    struct reply rep = {0};
    char what[64], name[160], disposition[200];
    struct dash d;
    size_t n = 0;
    int rc;

    if (dash_require_session(&d, r) < 0)
        return;
    rc = mg_store_circle_get(&c, r->srv->store, r->params[0]);
    if (rc < 0) {
        dash_error_page(r, rc, _("There is no such circle."));
        return;
    }
    dash_use_language(c);
    if (mg_export_parse_file(what, sizeof(what), &format, r->feed) < 0) {
        dash_error_page(r, MG_ENOTFOUND, _("There is no such download."));
        goto out;
    }
    rc = mg_export_build(&sheets, &n, r->srv->store, c->id, what);
    if (rc == 0)
        rc = mg_export_write(&b, sheets, n, format);
    if (rc < 0) {
        dash_error_page(r, rc, _("There is no such circle."));
        goto out;
    }
    mg_export_filename(name, sizeof(name), c->slug, c->id, what, format);
    snprintf(disposition, sizeof(disposition), "attachment; filename=\"%s\"",
             name);
    rep.content_type = mg_export_content_type(format);
    rep.disposition = disposition;
    rep.len = b.len;
    rep.body = mg_buf_detach(&b);
    rep.take = 1;
    reply_send(r, MHD_HTTP_OK, &rep);
out:
    mg_buf_release(&b);
    mg_export_free(sheets, n);
    mg_circle_free(c);
}
