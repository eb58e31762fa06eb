/*
 * tokens: the secrets that open mingle: API tokens, dashboard sessions and
 * the secret URLs of feeds. Only the SHA-256 of a secret is stored; a
 * presented one is compared in constant time.
 */
#ifndef MINGLE_STORE_TOKENS_H
#define MINGLE_STORE_TOKENS_H

#include <stddef.h>
#include <stdint.h>

#include "mingle/core.h"
#include "mingle/auth.h"

struct mg_store;

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

/* Store `tok` (public_id, role, scope and label filled in by the caller;
 * id and created_at set here) with the SHA-256 of its secret. Nothing
 * is kept of `hash` but the copy in the row. */
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
/* MG_EAUTH unless the `kind` secret `public_id` is live and `hash` is
 * its hash; fills the subject's ids. */
int mg_store_secret_check(int64_t *circle_id, int64_t *participant_id,
                          int64_t *group_id, struct mg_store *st,
                          const char *kind, const char *public_id,
                          const unsigned char hash[MG_TOKEN_HASH_LEN]);
/* *retired: whether `public_id` with `hash` is a secret of `kind` that
 * was revoked (replaced by a newer one), not one never made. */
int mg_store_secret_retired(int *retired, struct mg_store *st, const char *kind,
                            const char *public_id,
                            const unsigned char hash[MG_TOKEN_HASH_LEN]);

#endif
