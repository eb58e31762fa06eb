/*
 * person_cpd.c: a participant's CPD record on their page: the journal
 * rows src/cpd/ builds from their recorded attendance (one for the
 * circle's group calls, one per plenary), as a table with the CSV and
 * XLSX downloads at /p/<token>/cpd.csv and /p/<token>/cpd.xlsx. Nothing
 * is shown to someone with no row yet.
 */
#include "web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mingle/cpd.h"
#include "mingle/export.h"
#include "mingle/sheet.h"
#include "mingle/store.h"

#include "banned.h"

int person_cpd_section(struct mg_html *h, struct mg_store *st,
                       int64_t circle_id, int64_t pid, const char *page_token)
{
    struct mg_cpd_row *rows = NULL;
    size_t n = 0, i;
    int rc = mg_cpd_load(&rows, &n, st, circle_id, pid);

    if (rc < 0 || n == 0)
        return rc;
    mg_html(h, "<section id=\"cpd\"><h2>");
    mg_html_text(h, _("Your CPD record"));
    mg_html(h, "</h2>\n<p>");
    mg_html_text(h, _("Ready rows for your professional development journal "
                      "(such as LIANZA's revalidation journal), from the "
                      "calls you were recorded at. Copy them, or download "
                      "them:"));
    mg_html(h, " <a href=\"");
    mg_html_attr(h, page_token);
    mg_html(h, "/cpd.csv\" download>");
    mg_html_text(h, _("CSV"));
    mg_html(h, "</a> <a href=\"");
    mg_html_attr(h, page_token);
    mg_html(h, "/cpd.xlsx\" download>");
    mg_html_text(h, _("XLSX (Excel)"));
    mg_html(h, "</a></p>\n");
    web_table_begin(h, _("Your CPD journal rows"), 1);
    mg_html(h, "<thead><tr><th scope=\"col\">");
    mg_html_text(h, _("Dates"));
    mg_html(h, "</th><th scope=\"col\">");
    mg_html_text(h, _("Activity"));
    mg_html(h, "</th><th scope=\"col\">");
    mg_html_text(h, _("Provider"));
    mg_html(h, "</th><th scope=\"col\">");
    mg_html_text(h, _("Type"));
    mg_html(h, "</th><th scope=\"col\">");
    mg_html_text(h, _("Hours"));
    mg_html(h, "</th><th scope=\"col\">");
    mg_html_text(h, _("BoK areas"));
    mg_html(h, "</th><th scope=\"col\">");
    mg_html_text(h, _("Domain"));
    mg_html(h, "</th><th scope=\"col\">");
    mg_html_text(h, _("Reflection"));
    mg_html(h, "</th></tr></thead>\n<tbody>\n");
    for (i = 0; i < n; i++) {
        const struct mg_cpd_row *r = &rows[i];
        char hours[32];

        snprintf(hours, sizeof(hours), "%.1f", mg_cpd_hours(r->minutes));
        mg_html(h, "<tr><td>");
        mg_html_text(h, r->from_date);
        if (strcmp(r->from_date, r->to_date) != 0) {
            mg_html(h, " &ndash; ");
            mg_html_text(h, r->to_date);
        }
        mg_html(h, "</td><td>");
        mg_html_text(h, r->title);
        mg_html(h, "</td><td>");
        mg_html_text(h, r->provider);
        mg_html(h, "</td><td>");
        mg_html_text(h, mg_cpd_type_name(r->type));
        mg_html(h, "</td><td class=\"hours\">");
        mg_html_text(h, hours);
        mg_html(h, "</td><td>");
        mg_html_text(h, r->areas);
        mg_html(h, "</td><td>");
        mg_html_text(h, r->domains);
        mg_html(h, "</td><td>");
        mg_html_text(h, r->reflection);
        mg_html(h, "</td></tr>\n");
    }
    mg_html(h, "</tbody></table></div></section>\n");
    mg_cpd_rows_free(rows, n);
    return 0;
}

/* The person's rows as `format`, a download named after the circle. */
static void send_rows(struct request *r, enum mg_export_format format)
{
    struct mg_cpd_row *rows = NULL;
    struct mg_circle *c = NULL;
    struct mg_sheet *sh = NULL;
    struct mg_buf body = MG_BUF_INIT;
    struct reply rep = {0};
    char name[128], disposition[200];
    int64_t circle = 0, pid = 0;
    size_t n = 0;
    int rc;

    if (person_page_subject(&circle, &pid, r))
        return;
    rc = mg_store_circle_get(&c, r->srv->store, circle);
    if (rc == 0)
        rc = mg_cpd_load(&rows, &n, r->srv->store, circle, pid);
    if (rc == 0) {
        sh = mg_cpd_sheet(rows, n, 0);
        rc = mg_export_write(&body, &sh, 1, format);
    }
    if (rc == MG_ENOTFOUND) {
        reply_page_message(r, MHD_HTTP_NOT_FOUND, _("Page not found"),
                           _("There is no page at this address. Please check "
                             "the link you were sent."));
        goto out;
    }
    if (rc < 0) {
        reply_page_message(r, MHD_HTTP_INTERNAL_SERVER_ERROR,
                           _("Something went wrong"),
                           _("This page cannot be shown just now. Please try "
                             "again in a few minutes."));
        goto out;
    }
    mg_export_filename(name, sizeof(name), c->slug, c->id, "cpd", format);
    snprintf(disposition, sizeof(disposition), "attachment; filename=\"%s\"",
             name);
    rep.content_type =
        format == MG_EXPORT_XLSX
            ? "application/vnd.openxmlformats-officedocument.spreadsheetml."
              "sheet"
            : "text/csv; charset=utf-8; header=present";
    rep.disposition = disposition;
    rep.len = body.len;
    rep.body = mg_buf_detach(&body);
    rep.take = 1;
    reply_send(r, MHD_HTTP_OK, &rep);
out:
    mg_buf_release(&body);
    mg_sheet_free(sh);
    mg_cpd_rows_free(rows, n);
    mg_circle_free(c);
}

void handle_person_page_cpd_csv(struct request *r)
{
    send_rows(r, MG_EXPORT_CSV);
}

void handle_person_page_cpd_xlsx(struct request *r)
{
    send_rows(r, MG_EXPORT_XLSX);
}
