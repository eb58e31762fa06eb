/*
 * plenaries.c: whole-circle sessions (a kick-off, a closing session,
 * conversations with a guest) and who has a place at them. The waitlist
 * rules and the invitations are plenary's; this file translates JSON to
 * its structs and back.
 */
#include "api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mingle/ical.h"
#include "mingle/plenary.h"
#include "mingle/report.h"
#include "mingle/schedule.h"

#include "banned.h"

static json_t *plenary_json(const struct mg_plenary_row *p, const char *tzid)
{
    char local[32];

    json_t *j;

    http_local_string(local, sizeof(local), tzid, p->starts_at);
    j = json_pack("{s:I, s:s, s:o, s:s, s:I, s:i, s:i, s:i, s:s, s:i, s:s, "
                  "s:i, s:i}",
                  "id", (json_int_t)p->id, "title", p->title, "guest",
                  json_string_or_null(p->guest), "start", local, "starts_at",
                  (json_int_t)p->starts_at, "minutes", p->minutes, "weeks",
                  p->weeks, "capacity", p->capacity, "uid", p->uid, "sequence",
                  p->sequence, "status",
                  mg_store_plenary_status_name(p->status), "registered",
                  p->registered, "waitlisted", p->waitlisted);
    json_object_set_new(j, "target",
                        p->target > 0 ? json_integer(p->target) : json_null());
    json_object_set_new(j, "call_url", json_string_or_null(p->call_url));
    return j;
}

/* An integer member in [lo, hi], or `dflt` when absent; -1 if invalid. */
static int int_member(json_t *doc, const char *key, int dflt)
{
    json_t *v = json_object_get(doc, key);

    if (!v)
        return dflt;
    if (!json_is_integer(v) || json_integer_value(v) < 0 ||
        json_integer_value(v) > 1000000)
        return -1;
    return (int)json_integer_value(v);
}

/* A target is people per call: 1 to 100000, or 0 for none. */
static int check_target(int target, struct mg_error *err)
{
    if (target < 0 || target > 100000) {
        mg_error_set(err, "target",
                     "'target' must be people per call, 0 to 100000");
        return MG_EINVAL;
    }
    return 0;
}

void handle_plenaries_create(struct request *r)
{
    struct mg_error err = {{0}, {0}};
    struct mg_circle *c = NULL;
    struct mg_plenary_row p;
    json_t *doc = request_json(r), *title, *guest, *start;
    int rc;

    memset(&p, 0, sizeof(p));
    if (!doc)
        return;
    rc = mg_store_circle_get(&c, r->srv->store, r->params[0]);
    if (rc < 0) {
        reply_code(r, rc, NULL);
        goto out;
    }
    title = json_object_get(doc, "title");
    guest = json_object_get(doc, "guest");
    start = json_object_get(doc, "start");
    if (!json_is_string(title)) {
        reply_error(r, MHD_HTTP_UNPROCESSABLE_CONTENT, "invalid",
                    "'title' must be a string", "title");
        goto out;
    }
    rc = json_take_string(&p.guest, guest ? guest : json_null(), "guest", &err);
    if (rc == 0 && json_object_get(doc, "call_url"))
        rc = json_take_string(&p.call_url, json_object_get(doc, "call_url"),
                              "call_url", &err);
    if (rc == 0)
        rc = mg_circle_call_url_check(p.call_url, "call_url", &err);
    if (rc < 0) {
        reply_code(r, rc, &err);
        goto out;
    }
    if (!json_is_string(start) ||
        http_parse_local(&p.starts_at, c->time_zone, json_string_value(start)) <
            0) {
        reply_error(r, MHD_HTTP_UNPROCESSABLE_CONTENT, "invalid",
                    "'start' must be local time as YYYY-MM-DDTHH:MM", "start");
        goto out;
    }
    p.circle_id = c->id;
    p.title = mg_xstrdup(json_string_value(title));
    p.minutes = int_member(doc, "minutes", 60);
    p.weeks = int_member(doc, "weeks", 1);
    p.capacity = int_member(doc, "capacity", -1);
    p.target = int_member(doc, "target", 0);
    rc = check_target(p.target, &err);
    if (rc == 0)
        rc = mg_plenary_check_guest(p.guest, &err);
    if (rc == 0)
        rc = mg_plenary_check(p.title, p.minutes, p.weeks, p.capacity, &err);
    if (rc < 0) {
        reply_code(r, rc, &err);
        goto out;
    }
    mg_ical_new_uid(p.uid);
    rc = mg_store_plenary_create(r->srv->store, &p);
    if (rc == 0 && p.target > 0)
        rc = mg_store_plenary_set_target(r->srv->store, c->id, p.id, p.target);
    if (rc < 0) {
        reply_code(r, rc, NULL);
        goto out;
    }
    p.status = MG_STORE_PLENARY_CONFIRMED;
    snprintf(r->location, sizeof(r->location),
             "/api/v1/circles/%lld/plenaries/%lld", (long long)c->id,
             (long long)p.id);
    reply_json(r, MHD_HTTP_CREATED, plenary_json(&p, c->time_zone));
out:
    mg_store_plenary_release(&p);
    json_decref(doc);
    mg_circle_free(c);
}

void handle_plenaries_list(struct request *r)
{
    struct mg_circle *c = NULL;
    struct mg_plenary_row *rows = NULL;
    size_t n = 0, i;
    json_t *items;
    int rc;

    if (!http_may_read_circle(r))
        return;
    rc = mg_store_circle_get(&c, r->srv->store, r->params[0]);
    if (rc == 0)
        rc = mg_store_plenaries_list(&rows, &n, r->srv->store, r->params[0]);
    if (rc < 0) {
        reply_code(r, rc, NULL);
        goto out;
    }
    items = json_array();
    for (i = 0; i < n; i++)
        json_array_append_new(items, plenary_json(&rows[i], c->time_zone));
    reply_json(r, MHD_HTTP_OK, json_pack("{s:o}", "plenaries", items));
out:
    mg_store_plenaries_free(rows, n);
    mg_circle_free(c);
}

/* Apply `op`, wake the outbox, and say who was sent what. */
static int apply(struct mg_plenary_seat **seats, size_t *n, size_t *queued,
                 struct request *r, const struct mg_plenary_op *op,
                 struct mg_error *err)
{
    int rc = mg_plenary_change(seats, n, queued, r->srv->store, r->params[0],
                               r->params[1], op, err);

    if (rc == 0 && *queued)
        mg_http_wake_outbox(r->srv);
    return rc;
}

/* Those moved off the waitlist by the change (not those re-invited). */
static json_t *ids_promoted(const struct mg_plenary_seat *s, size_t n)
{
    json_t *ids = json_array();
    size_t i;

    for (i = 0; i < n; i++)
        if (s[i].promoted)
            json_array_append_new(ids, json_integer(s[i].participant_id));
    return ids;
}

static json_t *ids_with_mail(const struct mg_plenary_seat *s, size_t n,
                             enum mg_seat_mail mail, int64_t except)
{
    json_t *ids = json_array();
    size_t i;

    for (i = 0; i < n; i++)
        if (s[i].mail == mail && s[i].participant_id != except)
            json_array_append_new(ids, json_integer(s[i].participant_id));
    return ids;
}

void handle_plenary_patch(struct request *r)
{
    struct mg_error err = {{0}, {0}};
    struct mg_plenary_op op;
    struct mg_plenary_seat *seats = NULL;
    struct mg_plenary_row p;
    struct mg_circle *c = NULL;
    size_t n = 0, queued = 0;
    json_t *doc = request_json(r), *title, *call_url;
    int rc, have = 0, target = -1;

    if (!doc)
        return;
    memset(&op, 0, sizeof(op));
    memset(&p, 0, sizeof(p));
    op.kind = MG_PLENARY_SET;
    /* the target is the report's, not the invitations': set on its own,
     * and with other changes only once they are made (a PATCH refused
     * changes nothing) */
    if (json_object_get(doc, "target")) {
        target = int_member(doc, "target", -1);
        rc = check_target(target, &err);
        if (rc < 0) {
            reply_code(r, rc, &err);
            goto out;
        }
        json_object_del(doc, "target");
        if (json_object_size(doc) == 0) {
            rc = mg_store_plenary_set_target(r->srv->store, r->params[0],
                                             r->params[1], target);
            if (rc == 0)
                rc = mg_store_circle_get(&c, r->srv->store, r->params[0]);
            if (rc == 0)
                rc = mg_store_plenary_get(&p, r->srv->store, r->params[0],
                                          r->params[1]);
            have = rc == 0;
            if (rc < 0)
                reply_code(r, rc, NULL);
            else
                reply_json(r, MHD_HTTP_OK,
                           json_pack("{s:o, s:[], s:i}", "plenary",
                                     plenary_json(&p, c->time_zone), "promoted",
                                     "queued", 0));
            goto out;
        }
    }
    title = json_object_get(doc, "title");
    op.capacity = int_member(doc, "capacity", 0);
    if (title && !json_is_string(title)) {
        reply_error(r, MHD_HTTP_UNPROCESSABLE_CONTENT, "invalid",
                    "'title' must be a string", "title");
        goto out;
    }
    op.title = title ? json_string_value(title) : NULL;
    /* a new room: null or "" takes its own link away */
    call_url = json_object_get(doc, "call_url");
    if (call_url && !json_is_null(call_url) && !json_is_string(call_url)) {
        reply_error(r, MHD_HTTP_UNPROCESSABLE_CONTENT, "invalid",
                    "'call_url' must be a string or null", "call_url");
        goto out;
    }
    if (call_url)
        op.call_url =
            json_is_string(call_url) ? json_string_value(call_url) : "";
    if (!title && !call_url && !json_object_get(doc, "capacity")) {
        reply_error(r, MHD_HTTP_UNPROCESSABLE_CONTENT, "invalid",
                    "send 'capacity', 'title', 'call_url' and/or 'target'",
                    NULL);
        goto out;
    }
    rc = mg_plenary_check(op.title ? op.title : "-", 60, 1,
                          json_object_get(doc, "capacity") ? op.capacity : 1,
                          &err);
    if (rc == 0 && op.call_url && *op.call_url)
        rc = mg_circle_call_url_check(op.call_url, "call_url", &err);
    if (rc == 0)
        rc = apply(&seats, &n, &queued, r, &op, &err);
    if (rc == 0 && target >= 0)
        rc = mg_store_plenary_set_target(r->srv->store, r->params[0],
                                         r->params[1], target);
    if (rc == 0)
        rc = mg_store_circle_get(&c, r->srv->store, r->params[0]);
    if (rc == 0)
        rc =
            mg_store_plenary_get(&p, r->srv->store, r->params[0], r->params[1]);
    have = rc == 0;
    if (rc < 0) {
        reply_code(r, rc, &err);
        goto out;
    }
    reply_json(r, MHD_HTTP_OK,
               json_pack("{s:o, s:o, s:I}", "plenary",
                         plenary_json(&p, c->time_zone), "promoted",
                         ids_promoted(seats, n), "queued", (json_int_t)queued));
out:
    if (have)
        mg_store_plenary_release(&p);
    mg_circle_free(c);
    free(seats);
    json_decref(doc);
}

void handle_registration_create(struct request *r)
{
    struct mg_error err = {{0}, {0}};
    struct mg_plenary_op op;
    struct mg_plenary_seat *seats = NULL;
    size_t n = 0, queued = 0, i;
    json_t *doc = request_json(r), *pid;
    int rc;

    if (!doc)
        return;
    memset(&op, 0, sizeof(op));
    pid = json_object_get(doc, "participant_id");
    if (!json_is_integer(pid) || json_integer_value(pid) <= 0) {
        reply_error(r, MHD_HTTP_UNPROCESSABLE_CONTENT, "invalid",
                    "'participant_id' must be a participant's id",
                    "participant_id");
        goto out;
    }
    op.kind = MG_PLENARY_REGISTER;
    op.participant_id = json_integer_value(pid);
    rc = apply(&seats, &n, &queued, r, &op, &err);
    if (rc < 0) {
        reply_code(r, rc, &err);
        goto out;
    }
    for (i = 0; i < n; i++)
        if (seats[i].participant_id == op.participant_id)
            break;
    if (i == n) {
        reply_code(r, MG_ENOTFOUND, NULL);
        goto out;
    }
    reply_json(r, MHD_HTTP_OK,
               json_pack("{s:I, s:s, s:o, s:I}", "participant_id",
                         (json_int_t)op.participant_id, "status",
                         mg_plenary_status_name(seats[i].status), "position",
                         seats[i].status == MG_REG_WAITLISTED
                             ? json_integer(mg_plenary_rank(seats, n, i))
                             : json_null(),
                         "queued", (json_int_t)queued));
out:
    free(seats);
    json_decref(doc);
}

static void leave(struct request *r, enum mg_reg_status as)
{
    struct mg_error err = {{0}, {0}};
    struct mg_plenary_op op;
    struct mg_plenary_seat *seats = NULL;
    size_t n = 0, queued = 0;
    int rc;

    memset(&op, 0, sizeof(op));
    op.kind = MG_PLENARY_LEAVE;
    op.participant_id = r->params[2];
    op.leave_as = as;
    rc = apply(&seats, &n, &queued, r, &op, &err);
    if (rc < 0) {
        reply_code(r, rc, &err);
        return;
    }
    reply_json(r, MHD_HTTP_OK,
               json_pack("{s:I, s:s, s:o, s:I}", "participant_id",
                         (json_int_t)op.participant_id, "status",
                         mg_plenary_status_name(as), "promoted",
                         ids_with_mail(seats, n, MG_SEAT_INVITE, 0), "queued",
                         (json_int_t)queued));
    free(seats);
}

void handle_registration_decline(struct request *r)
{
    leave(r, MG_REG_DECLINED);
}

void handle_registration_withdraw(struct request *r)
{
    leave(r, MG_REG_WITHDRAWN);
}

/* --- the coordinator's list, and calling a plenary off --------------- */

static json_t *weeks_json(struct mg_store *st, const struct mg_plenary_row *p,
                          const char *tzid, int *rc)
{
    struct mg_store_plenary_week *w = NULL;
    size_t n = 0, i;
    json_t *a = json_array();
    int week;

    *rc = mg_store_report_plenary_weeks(&w, &n, st, p->circle_id);
    if (*rc < 0)
        return a;
    for (week = 1; week <= p->weeks; week++) {
        int64_t at = 0;
        char local[32];
        json_t *o;

        if (mg_report_occurrence_start(&at, tzid, p->starts_at, week) < 0)
            at = p->starts_at + (int64_t)(week - 1) * 7 * 86400;
        http_local_string(local, sizeof(local), tzid, at);
        o = json_pack("{s:i, s:s, s:b, s:n, s:n, s:n}", "week", week, "start",
                      local, "recorded", 0, "came", "unmatched", "source");
        for (i = 0; i < n; i++) {
            if (w[i].plenary_id != p->id || w[i].week != week)
                continue;
            json_object_set_new(o, "recorded", json_true());
            json_object_set_new(o, "came", json_integer(w[i].came));
            json_object_set_new(o, "unmatched", json_integer(w[i].unmatched));
            json_object_set_new(o, "source", json_string(w[i].source));
        }
        json_array_append_new(a, o);
    }
    free(w);
    return a;
}

void handle_plenary_get(struct request *r)
{
    struct mg_circle *c = NULL;
    struct mg_plenary_row p;
    struct mg_registration_row *rows = NULL;
    const char *status = request_arg(r, "status");
    enum mg_store_seat_status want = MG_STORE_SEAT_REGISTERED;
    long long limit = 500, offset = 0;
    size_t n = 0, i;
    json_t *regs, *doc, *weeks;
    int have = 0, by_status = 0, rc;

    memset(&p, 0, sizeof(p));
    if (request_arg_int(&limit, r, "limit", 1, 5000) < 0 ||
        request_arg_int(&offset, r, "offset", 0, 100000000) < 0)
        return;
    if (status && *status) {
        by_status = 1;
        if (strcmp(status, "registered") == 0)
            want = MG_STORE_SEAT_REGISTERED;
        else if (strcmp(status, "waitlisted") == 0)
            want = MG_STORE_SEAT_WAITLISTED;
        else if (strcmp(status, "declined") == 0)
            want = MG_STORE_SEAT_DECLINED;
        else if (strcmp(status, "withdrawn") == 0)
            want = MG_STORE_SEAT_WITHDRAWN;
        else {
            reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid",
                        "'status' must be registered, waitlisted, declined "
                        "or withdrawn",
                        "status");
            return;
        }
    }
    rc = mg_store_circle_get(&c, r->srv->store, r->params[0]);
    if (rc == 0)
        rc =
            mg_store_plenary_get(&p, r->srv->store, r->params[0], r->params[1]);
    have = rc == 0;
    if (rc == 0)
        rc = mg_store_plenary_registrations(&rows, &n, r->srv->store, p.id,
                                            by_status, want, (int)limit,
                                            (int)offset);
    if (rc < 0) {
        reply_code(r, rc, NULL);
        goto out;
    }
    regs = json_array();
    for (i = 0; i < n; i++) {
        /* registered first, then the waitlist in its order */
        long place = rows[i].status != MG_STORE_SEAT_WAITLISTED ? 0
                     : by_status ? offset + (long)i + 1
                                 : offset + (long)i + 1 - p.registered;
        json_array_append_new(
            regs, json_pack("{s:I, s:s, s:s, s:s, s:o, s:I}", "participant_id",
                            (json_int_t)rows[i].participant_id, "name",
                            rows[i].name, "email", rows[i].email, "status",
                            mg_store_seat_status_name(rows[i].status), "place",
                            place > 0 ? json_integer(place) : json_null(),
                            "updated_at", (json_int_t)rows[i].updated_at));
    }
    weeks = weeks_json(r->srv->store, &p, c->time_zone, &rc);
    if (rc < 0) {
        json_decref(regs);
        json_decref(weeks);
        reply_code(r, rc, NULL);
        goto out;
    }
    doc = json_pack("{s:o, s:{s:i, s:i, s:i, s:i}, s:o, s:o, s:i, s:i}",
                    "plenary", plenary_json(&p, c->time_zone), "seats",
                    "capacity", p.capacity, "registered", p.registered,
                    "waitlisted", p.waitlisted, "free",
                    p.capacity > p.registered ? p.capacity - p.registered : 0,
                    "registrations", regs, "weeks", weeks, "limit", (int)limit,
                    "offset", (int)offset);
    reply_json(r, MHD_HTTP_OK, doc);
out:
    mg_store_registrations_free(rows, n);
    if (have)
        mg_store_plenary_release(&p);
    mg_circle_free(c);
}

void handle_plenary_cancel(struct request *r)
{
    struct mg_error err = {{0}, {0}};
    struct mg_plenary_op op;
    struct mg_plenary_seat *seats = NULL;
    struct mg_plenary_row p;
    struct mg_circle *c = NULL;
    size_t n = 0, queued = 0;
    int have = 0, rc;

    memset(&op, 0, sizeof(op));
    memset(&p, 0, sizeof(p));
    op.kind = MG_PLENARY_CANCEL;
    rc = apply(&seats, &n, &queued, r, &op, &err);
    if (rc == 0)
        rc = mg_store_circle_get(&c, r->srv->store, r->params[0]);
    if (rc == 0)
        rc =
            mg_store_plenary_get(&p, r->srv->store, r->params[0], r->params[1]);
    have = rc == 0;
    if (rc < 0) {
        reply_code(r, rc, &err);
        goto out;
    }
    reply_json(r, MHD_HTTP_OK,
               json_pack("{s:o, s:o, s:I}", "plenary",
                         plenary_json(&p, c->time_zone), "cancelled",
                         ids_with_mail(seats, n, MG_SEAT_CANCEL, 0), "queued",
                         (json_int_t)queued));
out:
    if (have)
        mg_store_plenary_release(&p);
    mg_circle_free(c);
    free(seats);
}
