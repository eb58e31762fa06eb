/*
 * audit.c: recording coordinators' actions and reading them back.
 * A coordinator's every change (any method but GET and HEAD) and every
 * export of a person's data is recorded after it is answered, with its
 * status, so refused attempts show too. Reading the log needs a
 * coordinator token; one scoped to a circle reads that circle's rows.
 */
#include "api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

#define AUDIT_LIST_DEFAULT 100
#define AUDIT_LIST_MAX 1000

/* Whether r is an action worth a row: a change, or a read of one
 * person's whole record. */
static int audited(const struct request *r)
{
    if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0)
        return 1;
    return r->route && strstr(r->route->pattern, "/export") != NULL;
}

void http_audit(struct request *r)
{
    struct mg_audit_entry e;
    size_t len = 0;
    const char *p;
    int i, n = 0, rc;

    if (!r->route || !audited(r))
        return;
    /* r->params holds as many ids as the pattern has {id}s; the slots
     * after them are not set */
    for (p = strstr(r->route->pattern, "{id}"); p; p = strstr(p + 4, "{id}"))
        n++;
    memset(&e, 0, sizeof(e));
    snprintf(e.actor, sizeof(e.actor), "%s", r->token.public_id);
    snprintf(e.label, sizeof(e.label), "%s", r->token.label);
    snprintf(e.via, sizeof(e.via), "%s", r->via ? r->via : "api");
    snprintf(e.action, sizeof(e.action), "%s %s", r->method, r->route->pattern);
    if (strstr(r->route->pattern, "/circles/{id}"))
        e.circle_id = r->params[0];
    for (i = 0; i < n && i < MAX_PARAMS && len < sizeof(e.target); i++)
        len +=
            (size_t)snprintf(e.target + len, sizeof(e.target) - len, "%s%lld",
                             i ? "/" : "", (long long)r->params[i]);
    e.status = r->status;
    http_client_address(e.client, sizeof(e.client), r);
    rc = mg_store_audit_add(r->srv->store, &e);
    if (rc < 0)
        mg_log(MG_LOG_ERROR, "cannot record an audit entry", "action", e.action,
               "actor", e.actor, "error", mg_strerror(rc), NULL);
}

void handle_audit_list(struct request *r)
{
    struct mg_audit_entry *list = NULL;
    long long circle = 0, after = 0, limit = AUDIT_LIST_DEFAULT;
    size_t n = 0, i;
    json_t *items, *body;
    int rc;

    if (request_arg_int(&circle, r, "circle", 0, LLONG_MAX) < 0 ||
        request_arg_int(&after, r, "after", 0, LLONG_MAX) < 0 ||
        request_arg_int(&limit, r, "limit", 1, AUDIT_LIST_MAX) < 0)
        return;
    /* A coordinator of one circle reads that circle's entries only. */
    if (r->token.circle_id) {
        if (circle && circle != r->token.circle_id) {
            reply_error(r, MHD_HTTP_FORBIDDEN, "forbidden",
                        "this token is not for that circle", "circle");
            return;
        }
        circle = r->token.circle_id;
    }
    rc = mg_store_audit_list(&list, &n, r->srv->store, circle, after,
                             (int)limit);
    if (rc < 0) {
        reply_code(r, rc, NULL);
        return;
    }
    items = json_array();
    for (i = 0; i < n; i++) {
        const struct mg_audit_entry *e = &list[i];
        char at[32];

        mg_format_utc(at, sizeof(at), e->at);
        json_array_append_new(
            items,
            json_pack(
                "{s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:i, s:s}", "id",
                (json_int_t)e->id, "at", at, "actor", e->actor, "label",
                e->label, "via", e->via, "action", e->action, "circle",
                e->circle_id ? json_integer(e->circle_id) : json_null(),
                "target", e->target, "status", e->status, "client", e->client));
    }
    body = json_pack("{s:o}", "entries", items);
    json_object_set_new(body, "next_after",
                        n == (size_t)limit ? json_integer(list[n - 1].id)
                                           : json_null());
    free(list);
    reply_json(r, MHD_HTTP_OK, body);
}
