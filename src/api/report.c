/*
 * report.c: GET /api/v1/circles/{id}/report, the circle's success
 * report as JSON (built by the json module), CSV or Markdown (written by
 * the report module). The figures and their definitions are report.h's.
 * JSON and CSV are sent a few hundred groups or sessions at a time as
 * they are written, never the whole text at once. A circle whose data
 * was purged answers with the report kept from just before the purge
 * (mg_report_load reads it).
 */
#include "api.h"

#include <stdlib.h>
#include <string.h>

#include "mingle/json.h"
#include "mingle/report.h"

#include "banned.h"

#define REPORT_PIECE 500

struct report_stream {
    struct mg_report rep;
    struct mg_report_cursor at;
    int json;
};

static int report_next(void *state, struct mg_buf *b)
{
    struct report_stream *s = state;

    return s->json ? mg_json_report_next(b, &s->rep, &s->at, REPORT_PIECE)
                   : mg_report_csv_next(b, &s->rep, &s->at, REPORT_PIECE);
}

static void report_release(void *state)
{
    struct report_stream *s = state;

    mg_report_release(&s->rep);
    free(s);
}

void handle_report(struct request *r)
{
    const char *format = request_arg(r, "format");
    const char *part = request_arg(r, "part");
    struct report_stream *s;
    struct reply_source src;
    struct reply rep = {0};
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
    if (part && strcmp(part, "survey") != 0) {
        reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid",
                    "'part' must be survey, or left out", "part");
        return;
    }
    s = mg_xcalloc(1, sizeof(*s));
    rc = mg_report_load(&s->rep, r->srv->store, r->params[0]);
    if (rc < 0) {
        free(s);
        reply_code(r, rc, NULL);
        return;
    }
    if (part && strcmp(format, "csv") == 0) {
        /* the survey's own table: its rows are not calls */
        mg_report_survey_csv(&b, &s->rep);
        report_release(s);
        reply_text(r, MHD_HTTP_OK, "text/csv; charset=utf-8; header=present",
                   mg_buf_detach(&b));
        return;
    }
    if (strcmp(format, "markdown") == 0) {
        mg_report_markdown(&b, &s->rep);
        report_release(s);
        reply_text(r, MHD_HTTP_OK, "text/markdown; charset=utf-8",
                   mg_buf_detach(&b));
        return;
    }
    s->json = strcmp(format, "json") == 0;
    rep.content_type = s->json ? "application/json; charset=utf-8"
                               : "text/csv; charset=utf-8; header=present";
    src.next = report_next;
    src.release = report_release;
    src.state = s;
    reply_stream(r, MHD_HTTP_OK, &rep, &src);
}
