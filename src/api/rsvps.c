/*
 * rsvps.c: GET /api/v1/circles/{id}/sessions/{sid}/rsvps, the answers
 * members gave for one call (by mail or on their page), and GET
 * .../plenaries/{pid}/rsvps, the answers of a plenary's registered
 * people for each of its calls. Recording answers is done by the mail
 * webhook and the participant page, through `calendar`.
 */
#include "api.h"

#include <stdlib.h>
#include <string.h>

#include "mingle/schedule.h"

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

/*
 * GET /api/v1/circles/{id}/plenaries/{pid}/rsvps: for each weekly call,
 * how many of the registered accepted, declined or said maybe (and how
 * many have not answered), then the answers themselves by week and
 * person, a page at a time (?limit=, ?offset=).
 */
void handle_plenary_rsvps_get(struct request *r)
{
    struct mg_plenary_row p;
    struct mg_circle *c = NULL;
    struct mg_plenary_rsvp_row *rows = NULL;
    struct mg_plenary_rsvp_count *counts = NULL;
    struct mg_error err;
    size_t n = 0, i;
    long long limit = 500, offset = 0;
    int have = 0, rc;
    json_t *weeks, *items;

    memset(&err, 0, sizeof(err));
    memset(&p, 0, sizeof(p));
    if (request_arg_int(&limit, r, "limit", 1, 1000) < 0 ||
        request_arg_int(&offset, r, "offset", 0, 100000000) < 0)
        return;
    rc = mg_store_circle_get(&c, r->srv->store, r->params[0]);
    if (rc == 0)
        rc =
            mg_store_plenary_get(&p, r->srv->store, r->params[0], r->params[1]);
    have = rc == 0;
    if (rc == MG_ENOTFOUND)
        mg_error_set(&err, NULL, "no plenary %lld in circle %lld",
                     (long long)r->params[1], (long long)r->params[0]);
    if (rc == 0)
        rc =
            mg_store_plenary_rsvp_counts(&counts, r->srv->store, p.id, p.weeks);
    if (rc == 0)
        rc = mg_store_plenary_rsvps(&rows, &n, r->srv->store, p.id, limit,
                                    offset);
    if (rc < 0) {
        reply_code(r, rc, &err);
        goto out;
    }
    weeks = json_array();
    for (i = 0; i < (size_t)p.weeks; i++) {
        const struct mg_plenary_rsvp_count *k = &counts[i];
        int answered = k->accepted + k->declined + k->tentative;

        json_array_append_new(
            weeks,
            json_pack("{s:i, s:i, s:i, s:i, s:i}", "week", k->week, "accepted",
                      k->accepted, "declined", k->declined, "tentative",
                      k->tentative, "no_answer",
                      p.registered > answered ? p.registered - answered : 0));
    }
    items = json_array();
    for (i = 0; i < n; i++)
        json_array_append_new(
            items,
            json_pack("{s:I, s:s, s:i, s:s, s:s, s:i, s:I}", "participant_id",
                      (json_int_t)rows[i].participant_id, "name",
                      rows[i].name ? rows[i].name : "", "week", rows[i].week,
                      "status", mg_store_rsvp_status_name(rows[i].status),
                      "source", rows[i].source, "sequence", rows[i].sequence,
                      "updated_at", (json_int_t)rows[i].updated_at));
    reply_json(r, MHD_HTTP_OK,
               json_pack("{s:I, s:i, s:o, s:o}", "plenary_id", (json_int_t)p.id,
                         "registered", p.registered, "weeks", weeks, "rsvps",
                         items));
out:
    free(counts);
    mg_store_plenary_rsvps_free(rows, n);
    if (have)
        mg_store_plenary_release(&p);
    mg_circle_free(c);
}
