/*
 * audit: the log of coordinator actions, written by the front doors
 * after they answer and read by the CLI and the API.
 */
#ifndef MINGLE_STORE_AUDIT_H
#define MINGLE_STORE_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "mingle/core.h"

struct mg_store;

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

/* Append entry `e` (its id is ignored; an `at` of 0 means now); the
 * strings are copied. */
int mg_store_audit_add(struct mg_store *st, const struct mg_audit_entry *e);

/*
 * Entries oldest first after id `after`, at most `limit` (1-1000); of
 * one circle when `circle_id` is nonzero. *out is the caller's: free().
 */
int mg_store_audit_list(struct mg_audit_entry **out, size_t *n,
                        struct mg_store *st, int64_t circle_id, int64_t after,
                        int limit);

#endif
