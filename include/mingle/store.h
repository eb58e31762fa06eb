/*
 * store: the one place SQL lives. A SQLite file in WAL mode with foreign
 * keys on and a busy timeout, versioned migrations applied when it is
 * opened, prepared statements only. A store holds a small pool of
 * connections so that the daemon's worker threads and the CLI can use the
 * same file at once; every function here takes a connection from the pool
 * for the length of the call and is safe to call from several threads.
 */
#ifndef MINGLE_STORE_H
#define MINGLE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "mingle/auth.h"
#include "mingle/book.h"
#include "mingle/circle.h"
#include "mingle/core.h"
#include "mingle/people.h"
#include "mingle/plenary.h"

struct mg_store;

struct mg_store_options {
    int connections;     /* pool size, at least 1 */
    int busy_timeout_ms; /* how long to wait on a locked database */
};

/*
 * Open (creating if needed) the database at `path` and bring its schema
 * to the newest version. On success *out is the caller's; close it with
 * mg_store_close(). On failure `err` says why.
 */
int mg_store_open(struct mg_store **out, const char *path,
                  const struct mg_store_options *opt, struct mg_error *err);

/* Close every connection and free the store; NULL is fine. */
void mg_store_close(struct mg_store *st);

/* The schema version the file is at, and the newest this build knows. */
int mg_store_schema_version(int *out, struct mg_store *st);
int mg_store_schema_latest(void);

/* Database faults seen since open (not constraint violations), for metrics. */
uint64_t mg_store_error_count(const struct mg_store *st);

/*
 * Circles. Create fills in id, created_at and updated_at on `c`; slots
 * get their ids too. MG_ECONFLICT if the slug is taken.
 */
int mg_store_circle_create(struct mg_store *st, struct mg_circle *c);

/* On success *out is the caller's; free with mg_circle_free(). */
int mg_store_circle_get(struct mg_circle **out, struct mg_store *st,
                        int64_t id);
int mg_store_circle_get_by_slug(struct mg_circle **out, struct mg_store *st,
                                const char *slug);

/*
 * Up to `limit` circles with id > `after`, by id. On success *out is an
 * array of *n circles, the caller's: free with mg_circle_list_free().
 */
int mg_store_circle_list(struct mg_circle **out, size_t *n, struct mg_store *st,
                         int64_t after, int limit);
void mg_circle_list_free(struct mg_circle *list, size_t n);

/*
 * Replace circle `c->id` with `c`, slots included (slots keep their ids
 * where weekday and start are unchanged). Sets c->updated_at.
 */
int mg_store_circle_update(struct mg_store *st, struct mg_circle *c);

/* Delete a circle and everything that hangs off it. */
int mg_store_circle_delete(struct mg_store *st, int64_t id);

/* API tokens. Only the SHA-256 of the secret is stored. */
struct mg_token {
    int64_t id;
    char public_id[MG_TOKEN_ID_LEN + 1];
    enum mg_role role;
    int64_t circle_id; /* 0: all circles */
    int64_t group_id;  /* 0: not scoped to a group */
    char label[128];
    int64_t created_at;
    int64_t last_used_at; /* 0: never */
    int64_t revoked_at;   /* 0: live */
};

int mg_store_token_insert(struct mg_store *st, struct mg_token *tok,
                          const unsigned char hash[MG_TOKEN_HASH_LEN]);

/*
 * Check a presented token: find it by public id, compare hashes in
 * constant time, refuse revoked tokens. MG_EAUTH on any mismatch (the
 * same code whichever part failed). On success fills *out.
 */
int mg_store_token_check(struct mg_token *out, struct mg_store *st,
                         const char *public_id,
                         const unsigned char hash[MG_TOKEN_HASH_LEN]);

/* Record that token `id` was used at `now` (the daemon does so at most
 * once a minute a token, so reads stay reads). */
int mg_store_token_touch(struct mg_store *st, int64_t id, int64_t now);

/* All tokens, newest first; *out is the caller's, free with free(). */
int mg_store_token_list(struct mg_token **out, size_t *n, struct mg_store *st);

/* Revoke by public id; MG_ENOTFOUND if there is no live such token. */
int mg_store_token_revoke(struct mg_store *st, const char *public_id);

/* Revoke every live token whose label is `label`; *n says how many. */
int mg_store_token_revoke_label(int *n, struct mg_store *st, const char *label);

/*
 * Dashboard sessions: a browser logged in with a coordinator's API token.
 * Like a token, a session is found by its public id and its secret's
 * SHA-256 compared in constant time; `csrf` is the session's own random
 * value that its forms must send back.
 */
struct mg_web_session {
    int64_t id;
    char public_id[MG_TOKEN_ID_LEN + 1];
    char csrf[MG_TOKEN_SECRET_LEN + 1];
    int64_t token_id; /* the API token it was made from */
    int64_t created_at;
    int64_t expires_at;
};

/*
 * Store session `s` (public_id, csrf, token_id and expires_at filled in
 * by the caller; id and created_at are set here). Sessions expired for a
 * day are deleted on the way.
 */
int mg_store_web_session_insert(struct mg_store *st, struct mg_web_session *s,
                                const unsigned char hash[MG_TOKEN_HASH_LEN]);

/*
 * Check a presented session at `now`: the hash must match, the session
 * be neither revoked nor expired, and its API token live. MG_EAUTH on
 * any mismatch; on success fills *out and *token (the API token's row).
 */
int mg_store_web_session_check(struct mg_web_session *out,
                               struct mg_token *token, struct mg_store *st,
                               const char *public_id,
                               const unsigned char hash[MG_TOKEN_HASH_LEN],
                               int64_t now);

/* Revoke by public id; MG_ENOTFOUND if there is no live such session. */
int mg_store_web_session_revoke(struct mg_store *st, const char *public_id);

/*
 * The audit log: one row per coordinator action, who (the token's public
 * id and label, or "cli" and the user), how (api, dashboard, cli), what
 * (the method and route, e.g. "POST /api/v1/circles/{id}/groups/plan",
 * and the ids in the path), the answer's status and the client address.
 * Never a secret or a body.
 */
struct mg_audit_entry {
    int64_t id;
    int64_t at;
    char actor[32];
    char label[128];
    char via[16];
    char action[160];
    int64_t circle_id; /* 0: none */
    char target[64];
    int status;
    char client[48];
};

int mg_store_audit_add(struct mg_store *st, const struct mg_audit_entry *e);

/*
 * Entries oldest first after id `after`, at most `limit` (1-1000); of
 * one circle when `circle_id` is nonzero. *out is the caller's: free().
 */
int mg_store_audit_list(struct mg_audit_entry **out, size_t *n,
                        struct mg_store *st, int64_t circle_id, int64_t after,
                        int limit);

/*
 * Books. A circle has at most one book; storing one replaces the old
 * book with its sections, threads and readings in one transaction, so a
 * reader sees the old plan or the new one, never a mix.
 */
struct mg_book_upload {
    const struct mg_book *book;
    const char *source_name; /* file name, may be NULL */
    const char *sha256;      /* hex digest of the file, may be NULL */
    const struct mg_thread *threads;
    size_t n_threads;
    const struct mg_reading *same_pace; /* the whole book over the weeks */
    size_t n_same_pace;
    /* per_thread[i] has n_per_thread[i] readings of threads[i] */
    const struct mg_reading *const *per_thread;
    const size_t *n_per_thread;
};

int mg_store_book_replace(int64_t *book_id, struct mg_store *st,
                          int64_t circle_id, const struct mg_book_upload *up);

/* A stored book's summary. */
struct mg_book_info {
    int64_t id;
    char *title;  /* may be NULL */
    char *author; /* may be NULL */
    char format[16];
    char *source_name; /* may be NULL */
    char sha256[65];
    int64_t words;
    int64_t sections;
    int no_structure;
    int utf8_repaired;
    int64_t created_at;
};

/* MG_ENOTFOUND if the circle has no book. Release with mg_book_info_release. */
int mg_store_book_get(struct mg_book_info *out, struct mg_store *st,
                      int64_t circle_id);
void mg_book_info_release(struct mg_book_info *info);

/* A stored thread or reading, with the titles of the sections it spans. */
struct mg_span {
    int64_t id;
    int64_t thread_id; /* readings: the thread followed, 0 for same pace */
    int position;      /* threads: 1-based order; readings: the week */
    char *title;       /* threads: the title; readings: NULL */
    int64_t words;
    int64_t first_section_id;
    int64_t last_section_id;
    char *first_title;
    char *last_title;
    int64_t text_start; /* -1 unless cut inside a text */
    int64_t text_end;
};

/* Threads of the circle's book in order; free with mg_spans_free. */
int mg_store_threads(struct mg_span **out, size_t *n, struct mg_store *st,
                     int64_t circle_id);

/*
 * Readings of plan "same_pace" or "thread" (ordered by thread, then
 * week); free with mg_spans_free.
 */
int mg_store_readings(struct mg_span **out, size_t *n, struct mg_store *st,
                      int64_t circle_id, const char *plan);
void mg_spans_free(struct mg_span *s, size_t n);

/*
 * Participants. Insert stores a batch in one transaction: all or nothing.
 * On failure *failed (may be NULL) is the index of the person that failed
 * (MG_ECONFLICT: the email is already in the circle). Ids, circle_id and
 * times are filled in on success.
 */
int mg_store_participants_insert(size_t *failed, struct mg_store *st,
                                 int64_t circle_id, struct mg_participant *list,
                                 size_t n);

/* Replace participant p->id of circle p->circle_id (details included). */
int mg_store_participant_update(struct mg_store *st, struct mg_participant *p);

/* Erase a participant and everything that names them: the same as
 * mg_store_participant_erase() without the account of what went. */
int mg_store_participant_delete(struct mg_store *st, int64_t circle_id,
                                int64_t id);

/* On success *out is the caller's: mg_participants_free(*out, 1). */
int mg_store_participant_get(struct mg_participant **out, struct mg_store *st,
                             int64_t circle_id, int64_t id);

/* Filters for listing; NULL strings and 0 numbers mean "any". */
struct mg_people_filter {
    const char *status;
    const char *role;
    const char *sector;
    const char *region;
    const char *query; /* part of the name or email */
    int64_t after;     /* ids greater than this */
    int limit;         /* 0: no limit */
    int offset;        /* skip this many (a page of a list) */
    int64_t group_id;  /* 0: any; -1: in no group; else its members */
};

/* By id; *out is the caller's (mg_participants_free). */
int mg_store_participants_list(struct mg_participant **out, size_t *n,
                               struct mg_store *st, int64_t circle_id,
                               const struct mg_people_filter *f);
/* How many people `f` keeps (its limit and offset aside). */
int mg_store_participants_count(size_t *n, struct mg_store *st,
                                int64_t circle_id,
                                const struct mg_people_filter *f);

/* A stored group. */
struct mg_group_row {
    int64_t id;
    int position;      /* 1-based */
    char *name;        /* "Group 1" */
    int64_t slot_id;   /* 0: none */
    int64_t thread_id; /* 0: none */
    char *address;     /* the local part of its mail address */
    int sequence;      /* goes up on every change to its calls */
    int64_t updated_at;
    char uid[48]; /* of the group's own calendar series */
};

void mg_group_rows_free(struct mg_group_row *rows, size_t n);

/* The circle's groups by position; free with mg_group_rows_free. */
int mg_store_groups_list(struct mg_group_row **out, size_t *n,
                         struct mg_store *st, int64_t circle_id);

/*
 * Replace the circle's groups with `groups` (ids are filled in) and put
 * participant_ids[i] in groups[group_index[i]] (-1: in none), in one
 * transaction.
 */
int mg_store_groups_replace(struct mg_store *st, int64_t circle_id,
                            struct mg_group_row *groups, size_t n_groups,
                            const int64_t *participant_ids,
                            const int *group_index, size_t n_people);

/*
 * Move participant_ids[i] to group_ids[i] (0: out of every group), in one
 * transaction: the current membership is closed, a new one opened, so
 * the history of who was where stays.
 */
int mg_store_memberships_move(struct mg_store *st, int64_t circle_id,
                              const int64_t *participant_ids,
                              const int64_t *group_ids, size_t n);

/*
 * Sessions: one row per group and week, the instant it happens (UTC) and
 * the instant the weekly rule gives (they differ when it was moved).
 */
struct mg_session_row {
    int64_t id;
    int64_t group_id;
    int week;
    int64_t starts_at;
    int64_t original_starts_at;
    int minutes;
    char status[16]; /* "confirmed" or "cancelled" */
};

/* A group's sessions by week; free() the array. */
int mg_store_sessions_for_group(struct mg_session_row **out, size_t *n,
                                struct mg_store *st, int64_t group_id);
int mg_store_session_get(struct mg_session_row *out, struct mg_store *st,
                         int64_t circle_id, int64_t session_id);
/* Add a group's sessions (rows' ids are filled in). */
int mg_store_sessions_insert(struct mg_store *st, int64_t circle_id,
                             struct mg_session_row *rows, size_t n);
/*
 * Move or cancel one session; the group's sequence goes up in the same
 * transaction, so calendars and invitations see the change.
 */
int mg_store_session_update(struct mg_store *st, int64_t circle_id,
                            int64_t session_id, int64_t starts_at,
                            const char *status);
/* Cancel a group's whole series (or confirm it again); sequence up. */
int mg_store_group_series_status(struct mg_store *st, int64_t circle_id,
                                 int64_t group_id, const char *status);

/*
 * Move a group's whole series to slot `slot_id`: starts[w] is the new
 * instant of week w + 1 (moved single sessions follow the new rule too),
 * all in one transaction with the sequence bump.
 */
int mg_store_group_move_series(struct mg_store *st, int64_t circle_id,
                               int64_t group_id, int64_t slot_id,
                               const int64_t *starts, int minutes, int weeks);

/* Each member's invitation series for one group. */
struct mg_invite_row {
    int64_t id;
    int64_t group_id;
    int64_t participant_id;
    char uid[64];
    int sequence;
    int group_sequence; /* the group's sequence last sent */
    char state[16];     /* "active" or "cancelled" */
    char summary[256];  /* what the member was last sent, for a CANCEL */
    int64_t first_start;
    int minutes;
    int weeks;
};

/* All the circle's invites; free() the array. */
int mg_store_invites_list(struct mg_invite_row **out, size_t *n,
                          struct mg_store *st, int64_t circle_id);

/*
 * One change to an invite and the message that tells the member. The
 * invite is created (id 0) or updated only if its sequence is still
 * `expect_sequence` (someone else may have got there first: then the
 * action is skipped). The message goes in the outbox with `dedupe_key`,
 * which is unique, so the same message is never queued twice.
 */
struct mg_invite_action {
    int64_t invite_id;
    int expect_sequence;
    int64_t group_id;
    int64_t participant_id;
    const char *uid;
    int sequence;
    int group_sequence;
    const char *state;
    const char *summary; /* the series as sent (kept for a later CANCEL) */
    int64_t first_start;
    int minutes;
    int weeks;
    const char *kind; /* outbox kind: "invite" or "cancel" */
    const char *recipient;
    const char *subject;
    const char *message;
    size_t len;
    const char *format; /* how `message` is stored: "mime" (NULL) or "imip" */
    const char *parts;  /* "imip": the rest of the message (see mail.h) */
    const char *dedupe_key;
};

/* Apply the actions and queue their mail in one transaction; *queued
 * says how many messages were queued. */
int mg_store_invites_apply(size_t *queued, struct mg_store *st,
                           int64_t circle_id, const struct mg_invite_action *a,
                           size_t n);

/* Outgoing mail. */
struct mg_outbox_row {
    int64_t id;
    int64_t circle_id;
    char kind[16];
    char *recipient;
    char *subject;
    char status[16]; /* queued, sent, failed */
    int attempts;
    int64_t next_attempt_at;
    int64_t created_at;
    int64_t sent_at;
    char *last_error;
    char *message; /* only from mg_store_outbox_due */
    size_t len;
    char format[8]; /* of `message`: "mime" or "imip" (see mail.h) */
    char *parts;    /* "imip": the message's other parts */
};

void mg_outbox_rows_free(struct mg_outbox_row *rows, size_t n);

/*
 * Claim up to `max` messages due at `now`, oldest first: they are
 * marked 'sending' for a lease of ten minutes, so no other sender takes
 * them; a sender that dies leaves them due again when the lease ends.
 */
int mg_store_outbox_due(struct mg_outbox_row **out, size_t *n,
                        struct mg_store *st, int64_t now, int max);
/*
 * Give back the claims of senders that are no longer running (a daemon
 * killed mid-round): their messages are due again at `now` instead of
 * when the lease ends. *n says how many. Claims of live senders stay.
 */
int mg_store_outbox_reclaim(size_t *n, struct mg_store *st, int64_t now);
/* Mark a claimed message sent. */
int mg_store_outbox_sent(struct mg_store *st, int64_t id, int64_t now);
/* Record a failed attempt: try again at `next_at`, or give up. */
int mg_store_outbox_retry(struct mg_store *st, int64_t id, int attempts,
                          int64_t next_at, const char *error, int give_up);
/* A circle's messages, newest first, without bodies. */
int mg_store_outbox_list(struct mg_outbox_row **out, size_t *n,
                         struct mg_store *st, int64_t circle_id,
                         const char *status, int limit);
/* How many of a circle's messages have `status` (NULL: any). */
int mg_store_outbox_count(size_t *n, struct mg_store *st, int64_t circle_id,
                          const char *status);

/*
 * Feed tokens: the secret URL of a participant's (or a group's) calendar.
 * Setting one revokes the previous token of the same subject.
 */
int mg_store_feed_token_set(struct mg_store *st, const char *public_id,
                            const unsigned char hash[MG_TOKEN_HASH_LEN],
                            int64_t circle_id, int64_t participant_id,
                            int64_t group_id);
/* MG_EAUTH unless the token is live; fills the subject's ids. */
int mg_store_feed_token_check(int64_t *circle_id, int64_t *participant_id,
                              int64_t *group_id, struct mg_store *st,
                              const char *public_id,
                              const unsigned char hash[MG_TOKEN_HASH_LEN]);

/* The same for any kind of secret URL: "feed" (calendars), "notes" (a
 * group's Atom feed of summaries). */
int mg_store_secret_set(struct mg_store *st, const char *kind,
                        const char *public_id,
                        const unsigned char hash[MG_TOKEN_HASH_LEN],
                        int64_t circle_id, int64_t participant_id,
                        int64_t group_id);
int mg_store_secret_check(int64_t *circle_id, int64_t *participant_id,
                          int64_t *group_id, struct mg_store *st,
                          const char *kind, const char *public_id,
                          const unsigned char hash[MG_TOKEN_HASH_LEN]);

/*
 * Notes: mail about a session, filed under a circle, group and week, or
 * kept for review when it could not be filed or its sender is not in
 * the group. A note is stored once: a second one with the same
 * Message-ID, or the same provider and event id, is a duplicate.
 */
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
    char status[16];        /* "published", "review" or "rejected" */
    char *review_reason;    /* why it waits for review */
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
};

void mg_note_release(struct mg_note *n);
void mg_notes_free(struct mg_note *notes, size_t n);

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
 * caller's (mg_notes_free). */
int mg_store_notes_list(struct mg_note **out, size_t *n, struct mg_store *st,
                        const struct mg_note_filter *f);
/* How many notes have `status` in circle `circle_id` (0: those that
 * reached none), or in every circle and none when `any_circle`. */
int mg_store_notes_count(size_t *n, struct mg_store *st, const char *status,
                         int64_t circle_id, int any_circle);

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

/*
 * A provider's delivery token (Mailgun's `token`): the first sighting is
 * recorded with `fingerprint` (what the message is) and gives 0; the
 * same token again with the same fingerprint is a retry (*retry = 1); a
 * token seen with another fingerprint is a replay: MG_ECONFLICT.
 */
int mg_store_receipt_claim(int *retry, struct mg_store *st,
                           const char *provider, const char *token,
                           const char *fingerprint);

/* Who has this address (lower-case), in every circle. */
struct mg_member_hit {
    int64_t circle_id;
    int64_t participant_id;
    int64_t group_id; /* 0: in none */
    int facilitator;
    int active;
    char *name;
};
int mg_store_members_by_email(struct mg_member_hit **out, size_t *n,
                              struct mg_store *st, const char *email);
void mg_member_hits_free(struct mg_member_hit *h, size_t n);

/*
 * Attendance: one row per member and session, from an imported report.
 * Replace deletes the session's rows and writes `rows` in one
 * transaction (a re-import replaces the last one).
 */
struct mg_attendance_row {
    int64_t participant_id;
    int present;
    int minutes;
    char source[16]; /* "zoom", "teams" */
    int64_t recorded_at;
    char *name; /* read only: the participant's name */
};

int mg_store_attendance_replace(struct mg_store *st, int64_t session_id,
                                const struct mg_attendance_row *rows, size_t n);
/* A session's rows by participant id; mg_attendance_rows_free(). */
int mg_store_attendance_list(struct mg_attendance_row **out, size_t *n,
                             struct mg_store *st, int64_t session_id);
void mg_attendance_rows_free(struct mg_attendance_row *rows, size_t n);

/*
 * For reports: every answer (RSVP; `status` as stored) or attendance row
 * (`present`) of circle `circle_id`'s sessions, by session then person.
 * *out is the caller's; free() it.
 */
struct mg_mark_row {
    int64_t session_id;
    int64_t participant_id;
    char status[16]; /* answers: "accepted", "declined", ... */
    int present;     /* attendance */
};

int mg_store_report_rsvps(struct mg_mark_row **out, size_t *n,
                          struct mg_store *st, int64_t circle_id);
int mg_store_report_attendance(struct mg_mark_row **out, size_t *n,
                               struct mg_store *st, int64_t circle_id);

/*
 * RSVPs: a member's answer for each session of their group ("accepted",
 * "declined" or "tentative"), from an emailed iTIP REPLY ("email") or
 * their page ("page"), with the SEQUENCE of the invitation it answers.
 */
struct mg_rsvp_row {
    int64_t session_id;
    int64_t participant_id;
    char status[16];
    char source[16];
    int sequence;
    int64_t updated_at;
    char *name; /* read only: the participant's name */
};

/* The invite whose UID is `uid`, and its circle. MG_ENOTFOUND. */
int mg_store_invite_by_uid(struct mg_invite_row *out, int64_t *circle_id,
                           struct mg_store *st, const char *uid);
/* The member's newest invite for group `group_id`. MG_ENOTFOUND. */
int mg_store_invite_for(struct mg_invite_row *out, struct mg_store *st,
                        int64_t group_id, int64_t participant_id);

/* One answer for a list of sessions. */
struct mg_rsvp_answer {
    int64_t invite_id; /* 0: no invite to check against */
    int64_t participant_id;
    const int64_t *session_ids;
    size_t n_sessions;
    const char *status;
    const char *source;
    int sequence; /* of the invitation answered */
};

/*
 * Record answer `a` for each of its sessions in one transaction. When
 * the invite's sequence is above a->sequence the answer is stale: *stale
 * is 1 and nothing is written. A session whose stored answer has a
 * higher sequence keeps it. *written (may be NULL) counts rows written.
 */
int mg_store_rsvps_record(int *stale, size_t *written, struct mg_store *st,
                          const struct mg_rsvp_answer *a);

/* A session's answers by participant id, with names; or a participant's
 * by session id. Free with mg_rsvp_rows_free(). */
int mg_store_rsvps_for_session(struct mg_rsvp_row **out, size_t *n,
                               struct mg_store *st, int64_t session_id);
int mg_store_rsvps_for_participant(struct mg_rsvp_row **out, size_t *n,
                                   struct mg_store *st, int64_t participant_id);
void mg_rsvp_rows_free(struct mg_rsvp_row *rows, size_t n);

/*
 * Plenary sessions (plenary.h): whole-circle calls with a capacity. Create
 * fills in id and created_at; the caller gives the UID. Get and list fill
 * in the registered and waitlisted counts. Release with
 * mg_plenary_row_release() / mg_plenary_rows_free().
 */
struct mg_plenary_row {
    int64_t id;
    int64_t circle_id;
    char *title;
    char *guest;       /* may be NULL */
    int64_t starts_at; /* UTC instant of the first call */
    int minutes;
    int weeks; /* a series of weekly conversations */
    int capacity;
    char uid[64];
    int sequence;
    char status[16];
    int64_t created_at;
    int registered; /* read-only counts */
    int waitlisted;
};

void mg_plenary_row_release(struct mg_plenary_row *p);
void mg_plenary_rows_free(struct mg_plenary_row *rows, size_t n);
int mg_store_plenary_create(struct mg_store *st, struct mg_plenary_row *p);
/* The plenary whose series has UID `uid`: its circle, id and sequence. */
int mg_store_plenary_by_uid(int64_t *circle_id, int64_t *plenary_id,
                            int *sequence, struct mg_store *st,
                            const char *uid);
/* MG_ENOTFOUND if the plenary is not circle `circle_id`'s. */
int mg_store_plenary_get(struct mg_plenary_row *out, struct mg_store *st,
                         int64_t circle_id, int64_t id);
int mg_store_plenaries_list(struct mg_plenary_row **out, size_t *n,
                            struct mg_store *st, int64_t circle_id);
/* The plenaries `participant_id` has a place at (registered), for their
 * feed; each row's created_at is their registration's last change. */
int mg_store_plenaries_for_participant(struct mg_plenary_row **out, size_t *n,
                                       struct mg_store *st, int64_t circle_id,
                                       int64_t participant_id);

/* One registration with the person's name and address, for lists. */
struct mg_registration_row {
    int64_t participant_id;
    char *name;
    char *email;
    char status[16]; /* registered, waitlisted, declined, withdrawn */
    int position;    /* waitlist order; 0 if not waiting */
    int64_t updated_at;
};
void mg_registration_rows_free(struct mg_registration_row *rows, size_t n);
/* Plenary `plenary_id`'s registrations with `status` (NULL: any), the
 * waitlist in its order, at most `limit` from `offset`. *out is the
 * caller's (mg_registration_rows_free). */
int mg_store_plenary_registrations(struct mg_registration_row **out, size_t *n,
                                   struct mg_store *st, int64_t plenary_id,
                                   const char *status, int limit, int offset);

/* A message for one person, made by the caller of
 * mg_store_plenary_change(); every field is free()d by the store. */
struct mg_plenary_letter {
    char *kind; /* outbox kind: "invite" or "cancel" */
    char *recipient;
    char *subject;
    char *message; /* the iTIP document ("imip") */
    char *parts;   /* the rest of the message (mail.h) */
};

/* Build the message `seat` is owed (seat->mail, at seat->invite_sequence)
 * for `p`; `name` and `email` are the participant's. */
typedef int (*mg_plenary_mail_fn)(struct mg_plenary_letter *out,
                                  const struct mg_plenary_row *p,
                                  const struct mg_plenary_seat *seat,
                                  const char *name, const char *email,
                                  void *arg);

/*
 * Apply `op` (see plenary.h) in one BEGIN IMMEDIATE transaction: load the
 * plenary and its seats, run the waitlist rules, write what changed, and
 * queue the message `mail` builds for each seat that is owed one. The
 * SEQUENCE sent to a person only goes up. *seats (free()) is every
 * registration after the change; *queued how many messages were queued.
 * MG_ENOTFOUND for an unknown plenary, or a participant not in the
 * circle (or, to leave, not registered).
 */
int mg_store_plenary_change(struct mg_plenary_seat **seats, size_t *n,
                            size_t *queued, struct mg_store *st,
                            int64_t circle_id, int64_t plenary_id,
                            const struct mg_plenary_op *op,
                            mg_plenary_mail_fn mail, void *arg);

/*
 * Backups and data rights: a copy of the live database, putting one back,
 * everything held about one person, and erasing it.
 */

/* What a backup or restore copied. */
struct mg_backup_info {
    int pages;          /* database pages copied */
    int page_size;      /* bytes per page */
    int64_t bytes;      /* pages * page_size */
    int schema_version; /* of the copy (restore: before migrating) */
};

/*
 * Copy the database at `db_path` (which must exist; it is not migrated)
 * to `dest` with SQLite's online backup API, in one read transaction, so
 * the copy is every commit made before it started and safe beside a
 * daemon writing (WAL). The copy is written to a temporary file beside
 * `dest`, checked with PRAGMA integrity_check, fsync()ed and renamed into
 * place; it is one self-contained file (no -wal). MG_ECONFLICT if `dest`
 * exists and `force` is 0; `err` says why on any failure, and `dest` is
 * then untouched.
 */
int mg_store_backup(struct mg_backup_info *out, const char *db_path,
                    const char *dest, int force, struct mg_error *err);

/*
 * Put backup `src` in place of the database at `db_path` (created if
 * missing). `src` must be a SQLite database that passes integrity_check,
 * have mingle's tables, and be at a schema version this build knows
 * (MG_EINVAL otherwise, with `err`, and nothing changed). The pages are
 * copied with the backup API under the destination's write lock, so a
 * connection open on it sees the old database or the new one whole; the
 * caller then opens the store (mg_store_open) to migrate it. Stop the
 * daemon first: its caches are not told.
 */
int mg_store_restore(struct mg_backup_info *out, const char *db_path,
                     const char *src, struct mg_error *err);

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

#endif
