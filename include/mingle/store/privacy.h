/*
 * privacy: a person's data rights: everything held about them, and
 * erasing it.
 */
#ifndef MINGLE_STORE_PRIVACY_H
#define MINGLE_STORE_PRIVACY_H

#include <stddef.h>
#include <stdint.h>

#include "mingle/core.h"

struct mg_store;

/*
 * Everything the store holds about participant `id` of circle
 * `circle_id`, as one JSON object (UTF-8 text, made in one read
 * transaction): the record with slots, thread wishes and links, group
 * memberships, invitations, RSVPs, attendance, plenary registrations,
 * notes they sent (by sender address, with attachments' names and sizes),
 * mail to their address (no bodies), which secrets exist (kind and
 * dates, never a value) and the audit entries that name them. On success
 * *out is the caller's; free() it. MG_ENOTFOUND if there is no such
 * person in the circle.
 */
int mg_store_person_export(char **out, struct mg_store *st, int64_t circle_id,
                           int64_t id);

/* What an erasure removed, row counts per kind. */
struct mg_erasure {
    size_t memberships, invites, rsvps, attendance, registrations;
    size_t notes, attachments, mail, secrets, links;
    int wal_truncated; /* the WAL was checkpointed and emptied after */
};

/*
 * Erase participant `id` of circle `circle_id` in one transaction: their
 * row, slots, wishes and links, memberships, invites, RSVPs, attendance,
 * plenary registrations (no waitlist promotion here: leave through
 * mg_plenary_change() first), the notes they sent in the circle or that
 * reached none (by sender address, with attachments and raw message),
 * every outbox row to their address in the circle (queued or sent),
 * their secrets, and others' with/apart links to their address. With
 * secure_delete the freed bytes are zeroed; the WAL is then checkpointed
 * and truncated so it keeps no old copy (*out says if that succeeded: a
 * busy reader can stop it). `out` may be NULL. MG_ENOTFOUND if there is
 * no such person. Audit entries (ids only) stay.
 */
int mg_store_participant_erase(struct mg_erasure *out, struct mg_store *st,
                               int64_t circle_id, int64_t id);

/*
 * Erase up to `max` people of circle `circle_id` (the lowest ids) in one
 * transaction, each exactly as mg_store_participant_erase() does, then
 * checkpoint and truncate the WAL once. *erased says how many went (0:
 * the circle has nobody left); *out (may be NULL) the rows, summed. For
 * a whole circle a batch at a time (a retention purge), so no
 * transaction holds the write lock for long.
 */
int mg_store_participants_erase_some(size_t *erased, struct mg_erasure *out,
                                     struct mg_store *st, int64_t circle_id,
                                     size_t max);

#endif
