/*
 * moves.c: /api/v1/circles/{id}/move-requests: what participants in a
 * group asked for on their own page (other call times, other thread
 * wishes), oldest first, open ones unless ?status= says otherwise, a
 * page at a time (limit, after, next_after as the participants list); and
 * dismissing one. Moving the person is the groups API's; a move closes
 * their open request as done.
 */
#include "api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

#define MOVES_DEFAULT 100
#define MOVES_MAX 1000

static json_t *ids_json(const int64_t *ids, size_t n)
{
    json_t *a = json_array();
    size_t i;

    for (i = 0; i < n; i++)
        json_array_append_new(a, json_integer(ids[i]));
    return a;
}

static json_t *move_to_json(const struct mg_move_request *m)
{
    return json_pack(
        "{s:I, s:I, s:s, s:s, s:o, s:o, s:o, s:o, s:s, s:I, s:o}", "id",
        (json_int_t)m->id, "participant_id", (json_int_t)m->participant_id,
        "name", m->name ? m->name : "", "email", m->email ? m->email : "",
        "group_id", m->group_id ? json_integer(m->group_id) : json_null(),
        "slots", ids_json(m->slot_ids, m->n_slots), "threads",
        ids_json(m->wishes, m->n_wishes), "note", json_string_or_null(m->note),
        "status", mg_move_status_name(m->status), "created_at",
        (json_int_t)m->created_at, "decided_at",
        m->decided_at ? json_integer(m->decided_at) : json_null());
}

void handle_move_requests_list(struct request *r)
{
    static const char *const names[] = {"open", "done", "dismissed", "all"};
    struct mg_move_filter f = {MG_MOVE_OPEN, 0, 0, MOVES_DEFAULT};
    struct mg_circle *c = NULL;
    struct mg_move_request *list = NULL;
    const char *s = request_arg(r, "status");
    size_t n = 0, i;
    json_t *items, *body;
    long long v;
    int rc;

    if (s) {
        for (i = 0; i < 4 && strcmp(s, names[i]) != 0; i++)
            ;
        if (i == 4) {
            reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid",
                        "'status' must be open, done, dismissed or all",
                        "status");
            return;
        }
        f.status = i == 3 ? -1 : (int)i;
    }
    v = f.limit;
    if (request_arg_int(&v, r, "limit", 1, MOVES_MAX) < 0)
        return;
    f.limit = (int)v;
    v = 0;
    if (request_arg_int(&v, r, "after", 0, LLONG_MAX) < 0)
        return;
    f.after = v;
    rc = mg_store_circle_get(&c, r->srv->store, r->params[0]);
    mg_circle_free(c);
    if (rc == 0)
        rc = mg_store_move_requests_list(&list, &n, r->srv->store, r->params[0],
                                         &f);
    if (rc < 0) {
        reply_code(r, rc, NULL);
        return;
    }
    items = json_array();
    for (i = 0; i < n; i++)
        json_array_append_new(items, move_to_json(&list[i]));
    body = json_pack("{s:o}", "move_requests", items);
    json_object_set_new(body, "next_after",
                        n == (size_t)f.limit ? json_integer(list[n - 1].id)
                                             : json_null());
    mg_store_move_requests_free(list, n);
    reply_json(r, MHD_HTTP_OK, body);
}

void handle_move_request_dismiss(struct request *r)
{
    struct mg_error err = {{0}, {0}};
    int rc = mg_store_move_request_close(r->srv->store, r->params[0],
                                         r->params[1], MG_MOVE_DISMISSED);

    if (rc == MG_ECONFLICT) {
        reply_error(r, MHD_HTTP_CONFLICT, "conflict",
                    "this move request is closed already", NULL);
        return;
    }
    if (rc < 0) {
        reply_code(r, rc, &err);
        return;
    }
    reply_text(r, MHD_HTTP_NO_CONTENT, "application/json", mg_xstrdup(""));
}
