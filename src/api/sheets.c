/*
 * sheets.c: GET /api/v1/circles/{id}/export/{what}.{csv|xlsx}, one of a
 * circle's spreadsheets (the roster, the groups, the attendance matrix,
 * RSVPs, the success report...) as a download, built by the export
 * module. The audit log records each (audit.c: its path says export).
 */
#include "api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mingle/export.h"

#include "banned.h"

/* "roster, groups, ..." into `b`. */
static void kinds_text(struct mg_buf *b)
{
    const struct mg_export_kind *k;
    size_t n, i;

    k = mg_export_kinds(&n);
    for (i = 0; i < n; i++)
        mg_buf_printf(b, "%s%s", i ? ", " : "", k[i].name);
}

void handle_export_download(struct request *r)
{
    struct mg_circle *c = NULL;
    struct mg_sheet **sheets = NULL;
    struct mg_buf b = MG_BUF_INIT, msg = MG_BUF_INIT;
    enum mg_export_format format = MG_EXPORT_CSV;
    struct reply rep = {0};
    char what[64], name[160], disposition[200];
    size_t n = 0;
    int rc;

    if (!http_may_read_circle(r))
        return;
    rc = mg_export_parse_file(what, sizeof(what), &format, r->feed);
    if (rc == MG_EINVAL) {
        reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid",
                    "the download's name must end in .csv or .xlsx", "format");
        goto out;
    }
    if (rc == MG_ENOTFOUND) {
        mg_buf_puts(&msg, "no export of that name; 'what' is one of: ");
        kinds_text(&msg);
        reply_error(r, MHD_HTTP_NOT_FOUND, "not_found", msg.data, "what");
        goto out;
    }
    rc = mg_store_circle_get(&c, r->srv->store, r->params[0]);
    if (rc == 0)
        rc = mg_export_build(&sheets, &n, r->srv->store, c->id, what);
    if (rc == 0)
        rc = mg_export_write(&b, sheets, n, format);
    if (rc < 0) {
        reply_code(r, rc, NULL);
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
    mg_buf_release(&msg);
    mg_buf_release(&b);
    mg_export_free(sheets, n);
    mg_circle_free(c);
}
