/*
 * rsvp.c: members' answers to their invitations, from an emailed iTIP
 * REPLY or from their page. Here is decided whose answer it is and which
 * sessions it covers; reading the REPLY is `ical`'s job, keeping the
 * answers (and ignoring older ones) the store's.
 */
#include "mingle/calendar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mingle/ical.h"
#include "mingle/people.h"
#include "mingle/plenary.h"
#include "mingle/store.h"

#include "banned.h"

const char *mg_calendar_rsvp_outcome_name(enum mg_rsvp_outcome o)
{
    switch (o) {
    case MG_RSVP_RECORDED:
        return "recorded";
    case MG_RSVP_IGNORED_STALE:
        return "ignored_stale";
    case MG_RSVP_REFUSED:
        return "refused";
    case MG_RSVP_DUPLICATE:
        return "duplicate";
    case MG_RSVP_NO_OCCURRENCE:
        return "no_occurrence";
    case MG_RSVP_NOT_APPLIED:
        return "not_applied";
    default:
        return "unknown_uid";
    }
}

/* The iTIP PARTSTAT of an answer as the store keeps it. */
static enum mg_store_rsvp_status answer_status(enum mg_partstat p)
{
    switch (p) {
    case MG_PARTSTAT_ACCEPTED:
        return MG_STORE_RSVP_ACCEPTED;
    case MG_PARTSTAT_DECLINED:
        return MG_STORE_RSVP_DECLINED;
    case MG_PARTSTAT_TENTATIVE:
        break;
    }
    return MG_STORE_RSVP_TENTATIVE;
}

/* Whether `a` and `b` are the same address (either may be NULL). */
static int same_address(const char *a, const char *b)
{
    char *x, *y;
    int same;

    if (!a || !b)
        return 0;
    x = mg_email_normalize(a);
    y = mg_email_normalize(b);
    same = x && y && *x && strcmp(x, y) == 0;
    free(x);
    free(y);
    return same;
}

/*
 * The ids of the group's sessions the answer covers: all of them, or the
 * one whose original start is `original` (nonzero) or whose id is
 * `session_id` (nonzero). MG_ENOTFOUND when that one is not there.
 */
static int sessions_covered(int64_t **ids, size_t *n, struct mg_store *st,
                            int64_t group_id, int64_t original,
                            int64_t session_id, int64_t not_before)
{
    struct mg_session_row *rows = NULL;
    size_t n_rows = 0, i;
    int rc = mg_store_sessions_for_group(&rows, &n_rows, st, group_id);

    *ids = NULL;
    *n = 0;
    if (rc < 0)
        return rc;
    *ids = mg_xcalloc(n_rows + 1, sizeof(**ids));
    for (i = 0; i < n_rows; i++) {
        if (original && rows[i].original_starts_at != original)
            continue;
        if (session_id && rows[i].id != session_id)
            continue;
        if (not_before && rows[i].starts_at <= not_before)
            continue;
        (*ids)[(*n)++] = rows[i].id;
    }
    free(rows);
    if (*n == 0) {
        free(*ids);
        *ids = NULL;
        return MG_ENOTFOUND;
    }
    return 0;
}

/*
 * A REPLY to a plenary's invitation, answered for the person's own seat
 * (mg_plenary_answer): a SEQUENCE older than what they were last sent is
 * ignored; declining the series gives up the place (the first on the
 * waitlist is promoted and invited); declining one call, accepting or a
 * maybe is recorded and the place kept. The member is found by the
 * attendee's address in the plenary's circle, and the From address must
 * be the same.
 */
static int apply_plenary_reply(enum mg_rsvp_outcome *outcome,
                               struct mg_store *st,
                               const struct mg_ical_reply *reply,
                               const char *from, int64_t circle_id,
                               int64_t plenary_id, struct mg_error *err)
{
    struct mg_member_hit *hits = NULL;
    struct mg_plenary_answer a;
    enum mg_plenary_answer_result result;
    size_t n_hits = 0, queued = 0, i;
    int64_t person = 0;
    char *email = mg_email_normalize(reply->attendee);
    int rc = mg_store_members_by_email(&hits, &n_hits, st, email);

    for (i = 0; rc == 0 && i < n_hits; i++)
        if (hits[i].circle_id == circle_id)
            person = hits[i].participant_id;
    if (rc < 0)
        goto out;
    if (!person || !same_address(email, from)) {
        *outcome = MG_RSVP_REFUSED;
        mg_error_set(err, "attendee",
                     "the REPLY is not from a member's own address");
        rc = MG_EFORBIDDEN;
        goto out;
    }
    memset(&a, 0, sizeof(a));
    a.participant_id = person;
    a.partstat = reply->partstat;
    a.occurrence = reply->recurrence_id;
    a.sequence = reply->sequence;
    a.source = "email";
    rc =
        mg_plenary_answer(&result, &queued, st, circle_id, plenary_id, &a, err);
    if (rc == MG_ENOTFOUND)
        *outcome = MG_RSVP_NO_OCCURRENCE;
    else if (rc == 0)
        *outcome = result == MG_PLENARY_ANSWER_RECORDED ? MG_RSVP_RECORDED
                                                        : MG_RSVP_IGNORED_STALE;
out:
    free(email);
    mg_store_member_hits_free(hits, n_hits);
    return rc;
}

int mg_calendar_apply_reply(enum mg_rsvp_outcome *outcome, struct mg_store *st,
                            const struct mg_ical_reply *reply, const char *from,
                            struct mg_error *err)
{
    struct mg_participant *p = NULL;
    struct mg_invite_row inv;
    struct mg_rsvp_answer a;
    int64_t circle_id = 0, *ids = NULL;
    size_t n = 0;
    int stale = 0;
    char *attendee = mg_email_normalize(reply->attendee);
    /* A group's members share their series' UID: the invite answered is
     * the one of that UID sent to the answering attendee. */
    int rc = mg_store_invite_by_uid_email(&inv, &circle_id, st, reply->uid,
                                          attendee ? attendee : "");

    *outcome = MG_RSVP_UNKNOWN_UID;
    if (rc == MG_ENOTFOUND &&
        mg_store_invite_by_uid(&inv, &circle_id, st, reply->uid) == 0) {
        /* a series mingle sent, answered for someone not invited to it */
        *outcome = MG_RSVP_REFUSED;
        mg_error_set(err, "attendee",
                     "the REPLY is not from an invited member's address");
        rc = MG_EFORBIDDEN;
        goto out;
    }
    if (rc == MG_ENOTFOUND) {
        int64_t plenary = 0;
        int sequence = 0;

        if (mg_store_plenary_by_uid(&circle_id, &plenary, &sequence, st,
                                    reply->uid) == 0) {
            rc = apply_plenary_reply(outcome, st, reply, from, circle_id,
                                     plenary, err);
            goto out;
        }
        mg_error_set(err, "uid", "no invitation has UID '%s'", reply->uid);
    }
    if (rc < 0)
        goto out;
    rc = mg_store_participant_get(&p, st, circle_id, inv.participant_id);
    if (rc < 0)
        goto out;
    /* Only the member may answer for themselves, from their own address. */
    if (!same_address(p->email, reply->attendee) ||
        !same_address(p->email, from)) {
        *outcome = MG_RSVP_REFUSED;
        mg_error_set(err, "attendee",
                     "the REPLY is not from the invited member's address");
        rc = MG_EFORBIDDEN;
        goto out;
    }
    if (reply->sequence < inv.sequence || inv.state != MG_STORE_INVITE_ACTIVE) {
        *outcome = MG_RSVP_IGNORED_STALE;
        goto out;
    }
    rc = sessions_covered(&ids, &n, st, inv.group_id, reply->recurrence_id, 0,
                          0);
    if (rc == MG_ENOTFOUND) {
        /* the series is known; the call it names is not one of it */
        *outcome = MG_RSVP_NO_OCCURRENCE;
        mg_error_set(err, "recurrence_id", "no call of '%s' starts at %lld",
                     reply->uid, (long long)reply->recurrence_id);
    }
    if (rc < 0)
        goto out;
    memset(&a, 0, sizeof(a));
    a.invite_id = inv.id;
    a.participant_id = inv.participant_id;
    a.session_ids = ids;
    a.n_sessions = n;
    a.status = answer_status(reply->partstat);
    a.source = "email";
    a.sequence = reply->sequence;
    rc = mg_store_rsvps_record(&stale, NULL, st, &a);
    if (rc == 0)
        *outcome = stale ? MG_RSVP_IGNORED_STALE : MG_RSVP_RECORDED;
out:
    if (rc == MG_EINVAL) /* a rule, not the store: it waits for review */
        *outcome = MG_RSVP_NOT_APPLIED;
    free(ids);
    free(attendee);
    mg_participants_free(p, p ? 1 : 0);
    return rc;
}

int mg_calendar_apply_reply_once(enum mg_rsvp_outcome *outcome,
                                 struct mg_store *st,
                                 const struct mg_ical_reply *reply,
                                 const char *from, const char *message_id,
                                 struct mg_error *err)
{
    int seen = 0;
    int rc = message_id && *message_id
                 ? mg_store_rsvp_receipt_seen(&seen, st, message_id)
                 : 0;

    *outcome = MG_RSVP_UNKNOWN_UID;
    if (rc < 0)
        return rc;
    if (seen) {
        *outcome = MG_RSVP_DUPLICATE;
        return 0;
    }
    rc = mg_calendar_apply_reply(outcome, st, reply, from, err);
    /* Kept after the answer, not in its transaction: a crash between the
     * two applies a redelivered REPLY again, which changes nothing. */
    if (rc == 0 && message_id && *message_id &&
        (*outcome == MG_RSVP_RECORDED || *outcome == MG_RSVP_IGNORED_STALE))
        rc = mg_store_rsvp_receipt_add(st, message_id,
                                       mg_calendar_rsvp_outcome_name(*outcome));
    return rc;
}

int mg_calendar_reply_circle(int64_t *circle_id, struct mg_store *st,
                             const char *uid)
{
    struct mg_invite_row inv;
    int64_t plenary = 0;
    int sequence = 0;
    int rc = mg_store_invite_by_uid(&inv, circle_id, st, uid);

    if (rc == MG_ENOTFOUND)
        rc = mg_store_plenary_by_uid(circle_id, &plenary, &sequence, st, uid);
    return rc;
}

int mg_calendar_rsvp_page(struct mg_store *st, int64_t circle_id,
                          int64_t participant_id, int64_t session_id,
                          const char *status)
{
    struct mg_participant *p = NULL;
    struct mg_invite_row inv;
    struct mg_rsvp_answer a;
    enum mg_partstat answer;
    int64_t *ids = NULL;
    size_t n = 0;
    int stale = 0;
    int rc = mg_ical_partstat_parse(&answer, status);

    if (rc == 0)
        rc = mg_store_participant_get(&p, st, circle_id, participant_id);
    if (rc < 0)
        goto out;
    if (!p->group_id || p->status == MG_STATUS_WITHDRAWN) {
        rc = MG_EINVAL;
        goto out;
    }
    memset(&inv, 0, sizeof(inv));
    rc = mg_store_invite_for(&inv, st, p->group_id, participant_id);
    if (rc == MG_ENOTFOUND)
        rc = 0; /* not invited by mail yet: answer at sequence 0 */
    if (rc == 0)
        /* "every call" means every call still to come: a call already
         * held keeps the answer it had */
        rc = sessions_covered(&ids, &n, st, p->group_id, 0, session_id,
                              session_id ? 0 : mg_now());
    if (rc < 0)
        goto out;
    memset(&a, 0, sizeof(a));
    a.invite_id = inv.id;
    a.participant_id = participant_id;
    a.session_ids = ids;
    a.n_sessions = n;
    a.status = answer_status(answer);
    a.source = "page";
    a.sequence = inv.sequence;
    /* The page answers the invitation as it is now; a REQUEST sent in
     * between makes it stale, which the member sees on the page. */
    rc = mg_store_rsvps_record(&stale, NULL, st, &a);
out:
    free(ids);
    mg_participants_free(p, p ? 1 : 0);
    return rc;
}
