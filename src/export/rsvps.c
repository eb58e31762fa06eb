/*
 * rsvps.c: every answer the circle's people gave to their calls, a row
 * each: a group call's (per call, from a calendar's REPLY, the person's
 * page or a reminder's link) and a plenary occurrence's. One query.
 */
#include <stdlib.h>

#include "internal.h"
#include "mingle/circle.h"
#include "mingle/report.h"
#include "mingle/store.h"

#include "banned.h"

static const char *const header[] = {
    "Person ID", "Name",   "Email",  "Call",   "Kind",
    "Week",      "Starts", "Answer", "Source", "Answered at",
};

int export_rsvps(struct mg_sheet ***out, size_t *n, struct mg_store *st,
                 int64_t circle_id)
{
    struct mg_circle *c = NULL;
    struct mg_sheet_rsvp *rows = NULL;
    size_t n_rows = 0, i;
    struct mg_sheet *s;
    int rc;

    rc = mg_store_circle_get(&c, st, circle_id);
    if (rc == 0)
        rc = mg_store_sheet_rsvps(&rows, &n_rows, st, circle_id);
    if (rc < 0)
        goto out;
    s = mg_sheet_new("RSVPs");
    export_add(out, n, s);
    mg_sheet_row(s, header, sizeof(header) / sizeof(header[0]));
    for (i = 0; i < n_rows; i++) {
        const struct mg_sheet_rsvp *r = &rows[i];
        int64_t at = r->starts_at;

        /* a plenary's row has its first call's start: the week's own */
        if (r->plenary && r->week > 1 &&
            mg_report_occurrence_start(&at, c->time_zone, r->starts_at,
                                       r->week) < 0)
            at = r->starts_at + (int64_t)(r->week - 1) * 7 * 86400;
        mg_sheet_int(s, r->person_id);
        mg_sheet_text(s, r->name);
        mg_sheet_text(s, r->email);
        mg_sheet_text(s, r->title);
        mg_sheet_text(s, r->plenary ? "plenary" : "group");
        mg_sheet_int(s, r->week);
        export_time(s, c, at);
        mg_sheet_text(s, r->status);
        mg_sheet_text(s, r->source);
        export_time(s, c, r->updated_at);
        mg_sheet_end_row(s);
    }
out:
    mg_store_sheet_rsvps_free(rows, n_rows);
    mg_circle_free(c);
    return rc;
}
