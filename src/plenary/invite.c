/*
 * invite.c: the glue that applies a change to a plenary (store) and
 * writes the iTIP REQUEST or CANCEL (ical) and its iMIP parts (mail)
 * each affected person is owed. One UID per plenary series; each person's
 * SEQUENCE is kept on their registration. Delivery is the outbox's.
 */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "mingle/circle.h"
#include "mingle/ical.h"
#include "mingle/mail.h"
#include "mingle/plenary.h"
#include "mingle/schedule.h"
#include "mingle/store.h"

#include "banned.h"

struct letter_ctx {
    const struct mg_circle *circle;
    struct mg_error *err;
};

static int build_letter(struct mg_plenary_letter *out,
                        const struct mg_plenary_row *p,
                        const struct mg_plenary_seat *seat, const char *name,
                        const char *email, void *arg)
{
    struct letter_ctx *ctx = arg;
    const struct mg_circle *c = ctx->circle;
    int cancel = seat->mail == MG_SEAT_CANCEL;
    struct mg_ical_series s;
    struct mg_ical_attendee att;
    struct mg_buf text = MG_BUF_INIT;
    struct mg_imip m;
    char *summary, *description = NULL, start[32];
    int rc;

    summary = mg_plenary_summary(c->title, p->title, p->guest);
    if (p->guest && *p->guest)
        description = mg_xasprintf("A whole-circle session with %s.", p->guest);
    mg_schedule_local_text(start, sizeof(start), c->time_zone, p->starts_at,
                           ' ');
    memset(&s, 0, sizeof(s));
    memset(&att, 0, sizeof(att));
    att.name = name;
    att.email = email;
    s.uid = p->uid;
    s.tzid = c->time_zone;
    s.first_start = p->starts_at;
    s.minutes = p->minutes;
    s.count = p->weeks;
    s.sequence = seat->invite_sequence;
    s.summary = summary;
    s.description = description;
    s.url = c->video_url;
    s.organizer_name = c->organizer_name;
    s.organizer_email = c->organizer_email;
    s.attendees = &att;
    s.n_attendees = 1;
    rc = mg_ical_itip(&out->message, cancel ? MG_ITIP_CANCEL : MG_ITIP_REQUEST,
                      &s, 0, mg_now(), ctx->err);
    if (rc < 0)
        goto out;
    out->kind = mg_xstrdup(cancel ? "cancel" : "invite");
    out->recipient = mg_xstrdup(email);
    out->subject =
        mg_xasprintf("%s: %s", cancel ? "Cancelled" : "Invitation", summary);
    if (cancel)
        mg_buf_printf(&text,
                      "Kia ora %s,\n\nYou are no longer registered for %s, "
                      "so it has been taken off your calendar.\n",
                      name, summary);
    else
        mg_buf_printf(&text,
                      "Kia ora %s,\n\nYou have a place at %s.\n%s%s"
                      "It starts %s (%s), %d minutes%s.\n",
                      name, summary, description ? description : "",
                      description ? "\n" : "", start, c->time_zone, p->minutes,
                      p->weeks > 1 ? ", weekly" : "");
    memset(&m, 0, sizeof(m));
    m.from_name = c->organizer_name;
    m.from_email = c->organizer_email;
    m.to_name = name;
    m.to_email = email;
    m.subject = out->subject;
    m.text = text.data;
    m.ics = out->message;
    m.method = cancel ? "CANCEL" : "REQUEST";
    rc = mg_mail_imip_parts(&out->parts, &m, ctx->err);
out:
    mg_buf_release(&text);
    free(summary);
    free(description);
    return rc;
}

int mg_plenary_change(struct mg_plenary_seat **seats, size_t *n, size_t *queued,
                      struct mg_store *st, int64_t circle_id,
                      int64_t plenary_id, const struct mg_plenary_op *op,
                      struct mg_error *err)
{
    struct mg_circle *c = NULL;
    struct letter_ctx ctx;
    int rc = mg_store_circle_get(&c, st, circle_id);

    *seats = NULL;
    *n = 0;
    *queued = 0;
    if (rc < 0)
        goto out;
    if (!c->organizer_email || !*c->organizer_email) {
        mg_error_set(err, "organizer.email",
                     "the circle needs an organizer email to send "
                     "invitations");
        rc = MG_EINVAL;
        goto out;
    }
    ctx.circle = c;
    ctx.err = err;
    rc = mg_store_plenary_change(seats, n, queued, st, circle_id, plenary_id,
                                 op, build_letter, &ctx);
out:
    mg_circle_free(c);
    return rc;
}

int mg_plenary_leave_all(size_t *promoted, struct mg_store *st,
                         int64_t circle_id, int64_t pid, struct mg_error *err)
{
    struct mg_plenary_row *rows = NULL;
    size_t n = 0, i, j;
    int rc = mg_store_plenaries_for_participant(&rows, &n, st, circle_id, pid);

    *promoted = 0;
    for (i = 0; rc == 0 && i < n; i++) {
        struct mg_plenary_op op;
        struct mg_plenary_seat *seats = NULL;
        size_t n_seats = 0, queued = 0;

        memset(&op, 0, sizeof(op));
        op.kind = MG_PLENARY_LEAVE;
        op.participant_id = pid;
        op.leave_as = MG_REG_WITHDRAWN;
        rc = mg_plenary_change(&seats, &n_seats, &queued, st, circle_id,
                               rows[i].id, &op, err);
        for (j = 0; rc == 0 && j < n_seats; j++)
            if (seats[j].mail == MG_SEAT_INVITE &&
                seats[j].participant_id != pid)
                (*promoted)++;
        free(seats);
    }
    mg_plenary_rows_free(rows, n);
    return rc;
}
