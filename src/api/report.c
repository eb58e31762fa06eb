/*
 * report.c: GET /api/v1/circles/{id}/report, the circle's success
 * report as JSON (built by the json module), CSV or Markdown (written by
 * the report module). The figures and their definitions are report.h's.
 */
#include "api.h"

#include <stdlib.h>
#include <string.h>

#include "mingle/json.h"
#include "mingle/report.h"

#include "banned.h"

void handle_report(struct request *r)
{
    const char *format = request_arg(r, "format");
    struct mg_report rep;
    struct mg_buf b = MG_BUF_INIT;
    int rc;

    if (!http_may_read_circle(r))
        return;
    if (!format || !*format)
        format = "json";
    if (strcmp(format, "json") != 0 && strcmp(format, "csv") != 0 &&
        strcmp(format, "markdown") != 0) {
        reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid",
                    "'format' must be json, csv or markdown", "format");
        return;
    }
    rc = mg_report_load(&rep, r->srv->store, r->params[0]);
    if (rc < 0) {
        reply_code(r, rc, NULL);
        return;
    }
    if (strcmp(format, "json") == 0) {
        mg_json_report_write(&b, &rep);
        reply_text(r, MHD_HTTP_OK, "application/json; charset=utf-8",
                   mg_buf_detach(&b));
    } else if (strcmp(format, "csv") == 0) {
        mg_report_csv(&b, &rep);
        reply_text(r, MHD_HTTP_OK, "text/csv; charset=utf-8; header=present",
                   mg_buf_detach(&b));
    } else {
        mg_report_markdown(&b, &rep);
        reply_text(r, MHD_HTTP_OK, "text/markdown; charset=utf-8",
                   mg_buf_detach(&b));
    }
    mg_report_release(&rep);
}
