/*
 * invite.c: the glue that applies a change to a plenary: in one store
 * transaction it loads the plenary and its seats, runs the waitlist rules
 * (waitlist.c), saves what changed and queues the iTIP REQUEST or CANCEL
 * (ical) with its iMIP parts (mail) each affected person is owed. One UID
 * per plenary series; each person's SEQUENCE is kept on their
 * registration. Delivery is the outbox's.
 */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "mingle/circle.h"
#include "mingle/i18n.h"
#include "mingle/ical.h"
#include "mingle/mail.h"
#include "mingle/plenary.h"
#include "mingle/schedule.h"
#include "mingle/store.h"

#include "internal.h"

#include "banned.h"

/* The message one seat is owed; every field is owned. */
struct letter {
    char *kind; /* outbox kind: "invite" or "cancel" */
    char *recipient;
    char *subject;
    char *message; /* the iTIP document ("imip") */
    char *parts;   /* the rest of the message (mail.h) */
};

static void letter_release(struct letter *l)
{
    free(l->kind);
    free(l->recipient);
    free(l->subject);
    free(l->message);
    free(l->parts);
    memset(l, 0, sizeof(*l));
}

/* Build the message `seat` is owed (seat->mail, at seat->invite_sequence)
 * for `p`; `name` and `email` are the participant's. Written in the
 * circle's language; the caller's thread keeps its own. */
static int build_letter(struct letter *out, const struct mg_circle *c,
                        const struct mg_plenary_row *p,
                        const struct mg_plenary_seat *seat, const char *name,
                        const char *email, struct mg_error *err)
{
    int cancel = seat->mail == MG_SEAT_CANCEL;
    struct mg_ical_series s;
    struct mg_ical_attendee att;
    struct mg_buf text = MG_BUF_INIT;
    struct mg_imip m;
    char *summary, *description = NULL, start[32], lang[MG_I18N_LANG_MAX];
    int rc;

    mg_i18n_switch(lang, mg_circle_language(c));
    summary = mg_plenary_summary(c->title, p->title, p->guest);
    description = mg_plenary_description(
        p->guest, mg_plenary_call_link(p->call_url, c->video_url));
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
    s.url = mg_plenary_call_link(p->call_url, c->video_url);
    s.alarm_minutes = mg_circle_alarm(c);
    s.organizer_name = c->organizer_name;
    s.organizer_email = c->organizer_email;
    s.attendees = &att;
    s.n_attendees = 1;
    rc = mg_ical_itip(&out->message, cancel ? MG_ITIP_CANCEL : MG_ITIP_REQUEST,
                      &s, 0, mg_now(), err);
    if (rc < 0)
        goto out;
    out->kind = mg_xstrdup(cancel ? "cancel" : "invite");
    out->recipient = mg_xstrdup(email);
    out->subject = mg_xasprintf(
        cancel ? _("Cancelled: %s") : _("Invitation: %s"), summary);
    if (cancel && p->status == MG_STORE_PLENARY_CANCELLED) {
        mg_buf_printf(&text,
                      _("Kia ora %s,\n\n%s has been called off, so it has "
                        "been taken off your calendar.\n"),
                      name, summary);
    } else if (cancel) {
        mg_buf_printf(&text,
                      _("Kia ora %s,\n\nYou are no longer registered for "
                        "%s, so it has been taken off your calendar.\n"),
                      name, summary);
    } else {
        mg_buf_printf(&text, _("Kia ora %s,\n\nYou have a place at %s.\n"),
                      name, summary);
        if (description) {
            mg_buf_puts(&text, description);
            mg_buf_puts(&text, "\n");
        }
        if (p->weeks > 1)
            mg_buf_printf(&text, _("It starts %s (%s), %d minutes, weekly.\n"),
                          start, c->time_zone, p->minutes);
        else
            mg_buf_printf(&text, _("It starts %s (%s), %d minutes.\n"), start,
                          c->time_zone, p->minutes);
    }
    memset(&m, 0, sizeof(m));
    m.from_name = c->organizer_name;
    m.from_email = c->organizer_email;
    m.to_name = name;
    m.to_email = email;
    m.subject = out->subject;
    m.text = text.data;
    m.ics = out->message;
    m.method = cancel ? "CANCEL" : "REQUEST";
    rc = mg_mail_imip_parts(&out->parts, &m, err);
out:
    mg_buf_release(&text);
    free(summary);
    free(description);
    mg_i18n_restore(lang);
    return rc;
}

/* The store's seats and the rules' seats name the same four states; the
 * store keeps its own enum so that it needs nothing from this module. */
static enum mg_reg_status from_store(enum mg_store_seat_status s)
{
    switch (s) {
    case MG_STORE_SEAT_REGISTERED:
        return MG_REG_REGISTERED;
    case MG_STORE_SEAT_WAITLISTED:
        return MG_REG_WAITLISTED;
    case MG_STORE_SEAT_DECLINED:
        return MG_REG_DECLINED;
    case MG_STORE_SEAT_WITHDRAWN:
        break;
    }
    return MG_REG_WITHDRAWN;
}

static enum mg_store_seat_status to_store(enum mg_reg_status s)
{
    switch (s) {
    case MG_REG_REGISTERED:
        return MG_STORE_SEAT_REGISTERED;
    case MG_REG_WAITLISTED:
        return MG_STORE_SEAT_WAITLISTED;
    case MG_REG_DECLINED:
        return MG_STORE_SEAT_DECLINED;
    case MG_REG_WITHDRAWN:
        break;
    }
    return MG_STORE_SEAT_WITHDRAWN;
}

/* The plenary's seats as the rules see them, with room for one more. */
static int load_seats(struct mg_plenary_seat **out, size_t *n,
                      struct mg_store_tx *tx, int64_t plenary_id)
{
    struct mg_store_seat *rows = NULL;
    struct mg_plenary_seat *seats;
    size_t count = 0, i;
    int rc = mg_store_tx_seats_load(&rows, &count, tx, plenary_id);

    if (rc < 0)
        return rc;
    seats = mg_xcalloc(count + 1, sizeof(*seats));
    for (i = 0; i < count; i++) {
        seats[i].participant_id = rows[i].participant_id;
        seats[i].status = from_store(rows[i].status);
        seats[i].position = rows[i].position;
        seats[i].invite_sequence = rows[i].invite_sequence;
        seats[i].mail = MG_SEAT_QUIET;
    }
    free(rows);
    *out = seats;
    *n = count;
    return 0;
}

static int save_seat(struct mg_store_tx *tx, int64_t plenary_id,
                     const struct mg_plenary_seat *s)
{
    struct mg_store_seat row;

    memset(&row, 0, sizeof(row));
    row.participant_id = s->participant_id;
    row.status = to_store(s->status);
    row.position = s->position;
    row.invite_sequence = s->invite_sequence;
    return mg_store_tx_seat_save(tx, plenary_id, &row);
}

/* Queue seat `s`'s message: its person's name and address, the letter,
 * the outbox row. */
static int queue_mail(size_t *queued, struct mg_store_tx *tx,
                      const struct mg_circle *c, const struct mg_plenary_row *p,
                      const struct mg_plenary_seat *s, struct mg_error *err)
{
    struct mg_outbox_msg m;
    struct letter l;
    char *name = NULL, *email = NULL, *key = NULL;
    int rc;

    memset(&l, 0, sizeof(l));
    rc = mg_store_tx_participant_contact(&name, &email, tx, p->circle_id,
                                         s->participant_id);
    if (rc < 0)
        goto out;
    rc = build_letter(&l, c, p, s, name, email, err);
    if (rc < 0)
        goto out;
    key =
        mg_xasprintf("plenary:%lld:%lld:%d:%s", (long long)p->id,
                     (long long)s->participant_id, s->invite_sequence, l.kind);
    memset(&m, 0, sizeof(m));
    m.circle_id = p->circle_id;
    m.kind = l.kind;
    m.recipient = l.recipient;
    m.subject = l.subject;
    m.message = l.message;
    m.len = strlen(l.message);
    m.format = "imip";
    m.parts = l.parts;
    m.dedupe_key = key;
    rc = mg_store_tx_outbox_queue(queued, tx, &m);
out:
    free(key);
    free(name);
    free(email);
    letter_release(&l);
    return rc;
}

static size_t find_seat(const struct mg_plenary_seat *s, size_t n,
                        int64_t participant_id)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (s[i].participant_id == participant_id)
            break;
    return i;
}

/* Apply `op` to the loaded seats (array has room for one more). */
static int run_op(struct mg_plenary_row *p, struct mg_plenary_seat *seats,
                  size_t *n, const struct mg_plenary_op *op)
{
    size_t i, promoted;

    switch (op->kind) {
    case MG_PLENARY_REGISTER:
        i = find_seat(seats, *n, op->participant_id);
        if (i == *n) {
            memset(&seats[i], 0, sizeof(seats[i]));
            seats[i].participant_id = op->participant_id;
            seats[i].status = MG_REG_WITHDRAWN; /* not in yet */
            seats[i].invite_sequence = -1;
            seats[i].mail = MG_SEAT_QUIET;
            (*n)++;
        }
        mg_plenary_place(seats, *n, i, p->capacity);
        break;
    case MG_PLENARY_LEAVE:
        i = find_seat(seats, *n, op->participant_id);
        if (i == *n)
            return MG_ENOTFOUND;
        return mg_plenary_leave(&promoted, seats, *n, i, op->leave_as,
                                p->capacity);
    case MG_PLENARY_CANCEL:
        /* everyone holding a place is told; nobody moves up */
        if (p->status == MG_STORE_PLENARY_CANCELLED)
            return 0;
        p->status = MG_STORE_PLENARY_CANCELLED;
        p->sequence++;
        for (i = 0; i < *n; i++)
            if (seats[i].status == MG_REG_REGISTERED)
                seats[i].mail = MG_SEAT_CANCEL;
        return 0;
    case MG_PLENARY_SET:
        if (op->capacity > 0)
            p->capacity = op->capacity;
        if (op->title && strcmp(op->title, p->title) != 0) {
            free(p->title);
            p->title = mg_xstrdup(op->title);
            p->sequence++;
            for (i = 0; i < *n; i++)
                if (seats[i].status == MG_REG_REGISTERED)
                    seats[i].mail = MG_SEAT_INVITE;
        }
        if (op->call_url &&
            strcmp(op->call_url, p->call_url ? p->call_url : "") != 0) {
            /* a new room: everyone with a place is sent the update */
            free(p->call_url);
            p->call_url = *op->call_url ? mg_xstrdup(op->call_url) : NULL;
            p->sequence++;
            for (i = 0; i < *n; i++)
                if (seats[i].status == MG_REG_REGISTERED)
                    seats[i].mail = MG_SEAT_INVITE;
        }
        break;
    default:
        return MG_EINVAL;
    }
    /* a raised capacity (or a place left free) goes to the waitlist */
    mg_plenary_promote(seats, *n, p->capacity);
    return 0;
}

static int holds_seat(enum mg_reg_status s)
{
    return s == MG_REG_REGISTERED || s == MG_REG_WAITLISTED;
}

/* Whether seat `i` has just come in (new, or back after declining or
 * withdrawing) or gone: its answers belong to a registration that is no
 * more. */
static int came_or_went(const struct mg_plenary_seat *s,
                        const struct mg_plenary_seat *before, size_t loaded,
                        size_t i)
{
    int was_in = i < loaded && holds_seat(before[i].status);

    return was_in != holds_seat(s[i].status);
}

/* Leaving a cancelled plenary: the seat says so, quietly (the CANCEL
 * went out with the cancellation) and nobody moves up. */
static int leave_cancelled(struct mg_plenary_seat *seats, size_t n,
                           const struct mg_plenary_op *op)
{
    size_t i = find_seat(seats, n, op->participant_id);

    if (i == n)
        return MG_ENOTFOUND;
    if (op->leave_as != MG_REG_DECLINED && op->leave_as != MG_REG_WITHDRAWN)
        return MG_EINVAL;
    seats[i].status = op->leave_as;
    seats[i].position = 0;
    return 0;
}

int plenary_change_in(struct mg_plenary_seat **seats, size_t *n, size_t *queued,
                      struct mg_store_tx *tx, const struct mg_circle *c,
                      int64_t plenary_id, const struct mg_plenary_op *op,
                      struct mg_error *err)
{
    struct mg_plenary_seat *s = NULL, *before = NULL;
    struct mg_plenary_row p;
    size_t count = 0, loaded, i;
    int rc = mg_store_tx_plenary_get(&p, tx, c->id, plenary_id);

    if (rc < 0)
        return rc;
    if (p.status == MG_STORE_PLENARY_CANCELLED &&
        (op->kind == MG_PLENARY_REGISTER || op->kind == MG_PLENARY_SET)) {
        mg_error_set(err, NULL, "plenary %lld is cancelled",
                     (long long)plenary_id);
        rc = MG_ECONFLICT;
        goto out;
    }
    if (op->kind == MG_PLENARY_REGISTER)
        rc = mg_store_tx_participant_contact(NULL, NULL, tx, c->id,
                                             op->participant_id);
    if (rc < 0)
        goto out;
    rc = load_seats(&s, &count, tx, plenary_id);
    if (rc < 0)
        goto out;
    loaded = count;
    before = mg_xmalloc((count + 1) * sizeof(*before));
    memcpy(before, s, count * sizeof(*before));
    if (p.status == MG_STORE_PLENARY_CANCELLED && op->kind == MG_PLENARY_LEAVE)
        rc = leave_cancelled(s, count, op);
    else
        rc = run_op(&p, s, &count, op);
    for (i = 0; rc == 0 && i < count; i++) {
        int changed = i >= loaded || s[i].mail != MG_SEAT_QUIET ||
                      s[i].status != before[i].status ||
                      s[i].position != before[i].position;

        if (s[i].mail != MG_SEAT_QUIET) {
            int next = s[i].invite_sequence + 1;

            s[i].invite_sequence = next > p.sequence ? next : p.sequence;
        }
        if (changed)
            rc = save_seat(tx, plenary_id, &s[i]);
        /* answers go with the registration: a new one starts with none */
        if (rc == 0 && came_or_went(s, before, loaded, i))
            rc = mg_store_tx_plenary_rsvps_clear(tx, plenary_id,
                                                 s[i].participant_id);
        if (rc == 0 && s[i].mail != MG_SEAT_QUIET)
            rc = queue_mail(queued, tx, c, &p, &s[i], err);
    }
    if (rc == 0 &&
        (op->kind == MG_PLENARY_SET || op->kind == MG_PLENARY_CANCEL))
        rc = mg_store_tx_plenary_save(tx, &p);
    if (rc == 0 && op->kind == MG_PLENARY_SET && op->call_url)
        rc = mg_store_tx_plenary_call_url(tx, p.id, p.call_url);
    if (rc == 0 && op->kind == MG_PLENARY_CANCEL)
        rc = mg_store_tx_plenary_set_status(tx, p.id, p.status);
    if (rc < 0)
        goto out;
    *seats = s;
    *n = count;
    s = NULL;
out:
    free(s);
    free(before);
    mg_store_plenary_release(&p);
    return rc;
}

int mg_plenary_change(struct mg_plenary_seat **seats, size_t *n, size_t *queued,
                      struct mg_store *st, int64_t circle_id,
                      int64_t plenary_id, const struct mg_plenary_op *op,
                      struct mg_error *err)
{
    struct mg_circle *c = NULL;
    struct mg_store_tx *tx = NULL;
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
    rc = mg_store_begin(&tx, st);
    if (rc < 0)
        goto out;
    rc = plenary_change_in(seats, n, queued, tx, c, plenary_id, op, err);
    if (rc < 0)
        goto out;
    rc = mg_store_commit(tx);
    tx = NULL;
out:
    mg_store_rollback(tx);
    if (rc < 0) {
        free(*seats);
        *seats = NULL;
        *n = 0;
        *queued = 0;
    }
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
    mg_store_plenaries_free(rows, n);
    return rc;
}
