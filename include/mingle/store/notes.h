/*
 * notes: mail about a session received by webhook or the API, with its
 * attachments, and the provider receipts that make a retried delivery
 * harmless.
 */
#ifndef MINGLE_STORE_NOTES_H
#define MINGLE_STORE_NOTES_H

#include <stddef.h>
#include <stdint.h>

#include "mingle/core.h"

struct mg_store;

/*
 * Notes: mail about a session, filed under a circle, group and week, or
 * kept for review when it could not be filed or its sender is not in
 * the group. A note is stored once: a second one with the same dedupe
 * key (see struct mg_note), or, without a key, the same Message-ID or
 * the same provider and event id, is a duplicate.
 */
/* Where a note stands; stored as "published", "review" or "rejected". */
enum mg_store_note_status {
    MG_STORE_NOTE_PUBLISHED,
    MG_STORE_NOTE_REVIEW,
    MG_STORE_NOTE_REJECTED
};

/* The stored (and API) name of a note status. */
const char *mg_store_note_status_name(enum mg_store_note_status s);
/* The reverse; MG_EINVAL for anything else. */
int mg_store_note_status_parse(enum mg_store_note_status *out,
                               const char *name);

struct mg_note_attachment {
    char *name;
    char *type;
    int64_t size;
    char *content; /* NULL when not kept (over the cap) or not loaded */
};

struct mg_note {
    int64_t id;
    int64_t circle_id;      /* 0: reached no circle */
    int64_t group_id;       /* 0: none */
    int week;               /* 0: none */
    int64_t thread_id;      /* 0: none */
    int64_t participant_id; /* the sender, 0 when not a member */
    char kind[16];          /* "summary" or "note" */
    enum mg_store_note_status status;
    char *review_reason; /* why it waits for review */
    char *provider;
    char *event_id;
    char *message_id;
    char *in_reply_to;
    char *from_name;
    char *from_email;
    char *recipient; /* the address it was filed by */
    char *subject;
    char *body;      /* the person's own words (quotes stripped) */
    char *full_text; /* the text as received */
    char *raw;       /* for audit; only written, and read by _get(raw=1) */
    size_t raw_len;
    int64_t sent_at; /* the Date: header */
    int64_t received_at;
    int64_t decided_at; /* approved or rejected */
    struct mg_note_attachment *attachments;
    size_t n_attachments;
    char *author; /* read only: the sender's participant name, if any */
    /* written only: what the note is stored once by (a digest of the
     * message and the address it was filed by); NULL: by Message-ID or
     * (provider, event id) alone, as before */
    char *dedupe_key;
};

/* Free what note `n` holds (strings, attachments), not `n` itself; and
 * an array of `n` notes with the array. NULL is fine for both. */
void mg_store_note_release(struct mg_note *n);
void mg_store_notes_free(struct mg_note *notes, size_t n);

/*
 * Store note `n` with its attachments in one transaction: *id is the new
 * note's, and *duplicate 0; or, when the same message is stored already,
 * *id is that note's and *duplicate 1 (nothing written).
 */
int mg_store_note_insert(int64_t *id, int *duplicate, struct mg_store *st,
                         const struct mg_note *n);

struct mg_note_filter {
    int64_t circle_id; /* 0: notes that reached no circle */
    int any_circle;    /* every circle and none (the whole review queue) */
    int64_t group_id;
    int week;
    int64_t thread_id;
    const char *kind;   /* "summary", "note" */
    const char *status; /* NULL: published */
    const char *author; /* part of the sender's address or name */
    int64_t after;      /* ids greater than this */
    int limit;          /* 0: no limit */
    int newest;         /* newest first (and `limit` keeps the newest) */
};

/* Notes by id, with their attachments' names (not contents). *out is the
 * caller's (mg_store_notes_free). */
int mg_store_notes_list(struct mg_note **out, size_t *n, struct mg_store *st,
                        const struct mg_note_filter *f);

/* One note; with the raw message and attachment contents when
 * `full`. MG_ENOTFOUND when there is none. */
int mg_store_note_get(struct mg_note *out, struct mg_store *st, int64_t id,
                      int full);

/*
 * Decide a note in review: publish it (filed under circle/group/week,
 * which may be given now for one that reached none) or reject it.
 * MG_ENOTFOUND, or MG_ECONFLICT when it is not in review.
 */
int mg_store_note_decide(struct mg_store *st, int64_t id, int publish,
                         int64_t circle_id, int64_t group_id, int week,
                         int64_t thread_id);
/* How many notes have `status` in circle `circle_id` (0: those that
 * reached none), or in every circle and none when `any_circle`. */
int mg_store_notes_count(size_t *n, struct mg_store *st,
                         enum mg_store_note_status status, int64_t circle_id,
                         int any_circle);

/* Replace note `id`'s subject, its body (the words kept) and its full
 * text, as its author rewrote them. MG_ENOTFOUND when there is none. */
int mg_store_note_revise(struct mg_store *st, int64_t id, const char *subject,
                         const char *body, const char *full_text);

/*
 * A provider's delivery token (Mailgun's `token`): the first sighting is
 * recorded with `fingerprint` (what the message is) and gives 0; the
 * same token again with the same fingerprint is a retry (*retry = 1); a
 * token seen with another fingerprint is a replay: MG_ECONFLICT.
 */
int mg_store_receipt_claim(int *retry, struct mg_store *st,
                           const char *provider, const char *token,
                           const char *fingerprint);

/*
 * A number that changes after every write, through this store, to what
 * decides where a note is filed: circles, groups, memberships, sessions
 * and participants. No two stores opened in the process show the same
 * number. Writes by other processes (the CLI beside the daemon) do not
 * move it; a cache keyed by it must also expire.
 */
uint64_t mg_store_routing_version(struct mg_store *st);

#endif
