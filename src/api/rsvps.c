/*
 * rsvps.c: GET /api/v1/circles/{id}/sessions/{sid}/rsvps, the answers
 * members gave for one call (by mail or on their page). Recording answers
 * is done by the mail webhook and the participant page, through
 * `calendar`.
 */
#include "api.h"

#include <string.h>

#include "banned.h"

void handle_rsvps_get(struct request *r)
{
    struct mg_session_row s;
    struct mg_rsvp_row *rows = NULL;
    struct mg_error err;
    size_t n = 0, i;
    json_t *items;
    int rc =
        mg_store_session_get(&s, r->srv->store, r->params[0], r->params[1]);

    memset(&err, 0, sizeof(err));
    if (rc == MG_ENOTFOUND)
        mg_error_set(&err, NULL, "no session %lld in circle %lld",
                     (long long)r->params[1], (long long)r->params[0]);
    if (rc == 0)
        rc = mg_store_rsvps_for_session(&rows, &n, r->srv->store, s.id);
    if (rc < 0) {
        reply_code(r, rc, &err);
        return;
    }
    items = json_array();
    for (i = 0; i < n; i++)
        json_array_append_new(
            items,
            json_pack("{s:I, s:s, s:s, s:s, s:i, s:I}", "participant_id",
                      (json_int_t)rows[i].participant_id, "name",
                      rows[i].name ? rows[i].name : "", "status",
                      mg_store_rsvp_status_name(rows[i].status), "source",
                      rows[i].source, "sequence", rows[i].sequence,
                      "updated_at", (json_int_t)rows[i].updated_at));
    reply_json(r, MHD_HTTP_OK,
               json_pack("{s:I, s:i, s:o}", "session_id", (json_int_t)s.id,
                         "week", s.week, "rsvps", items));
    mg_store_rsvps_free(rows, n);
}
