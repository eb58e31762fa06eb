/*
 * internal.h: what the plenary module's glue files share: one change
 * applied inside a transaction the caller holds (invite.c), so that
 * answer.c can check and record an answer in the same transaction.
 */
#ifndef MINGLE_PLENARY_INTERNAL_H
#define MINGLE_PLENARY_INTERNAL_H

#include "mingle/circle.h"
#include "mingle/plenary.h"
#include "mingle/store.h"

/*
 * mg_plenary_change() inside `tx`, for circle `c` (which has an
 * organizer email): load, apply the rules, save what changed and queue
 * the mail. A seat owed mail is sent a SEQUENCE that only goes up. On
 * success *seats (free()) holds every seat after the change.
 */
int plenary_change_in(struct mg_plenary_seat **seats, size_t *n, size_t *queued,
                      struct mg_store_tx *tx, const struct mg_circle *c,
                      int64_t plenary_id, const struct mg_plenary_op *op,
                      struct mg_error *err);

#endif
