/*
 * certificates: a circle's certificate settings, the figures each
 * person's certificate was issued with, and which circles' certificates
 * went out by mail at their close. The codes are never stored: they are
 * made again from the figures (certificate.h).
 */
#ifndef MINGLE_STORE_CERTIFICATES_H
#define MINGLE_STORE_CERTIFICATES_H

#include <stddef.h>
#include <stdint.h>

#include "mingle/core.h"

struct mg_store;
struct mg_store_tx;

#define MG_CERTIFICATE_TEXT_MAX 200 /* bytes of a setting's text */

struct mg_certificate_settings {
    char issuer_name[MG_CERTIFICATE_TEXT_MAX + 1];     /* "": the organizer */
    char signature_title[MG_CERTIFICATE_TEXT_MAX + 1]; /* may be "" */
    int mail_at_close; /* mail each person theirs when the circle closes */
};

/* The circle's settings, or the defaults ("", "", off) when it has none
 * stored. MG_ENOTFOUND when there is no such circle. */
int mg_store_certificate_settings_get(struct mg_certificate_settings *out,
                                      struct mg_store *st, int64_t circle_id);
/* Store them (the caller has checked them). MG_ENOTFOUND. */
int mg_store_certificate_settings_put(struct mg_store *st, int64_t circle_id,
                                      const struct mg_certificate_settings *s,
                                      int64_t now);

/* The figures of one issued certificate. */
struct mg_certificate_issue {
    int64_t person_id;
    int group_calls;
    int plenary_calls;
    int minutes;
    int facilitator;
    int64_t issued_at; /* the first time these figures were issued */
};

/* Record that person `i->person_id`'s certificate was issued with these
 * figures at i->issued_at (kept once: the first time stays). */
int mg_store_certificate_issued(struct mg_store *st,
                                const struct mg_certificate_issue *i);
/* The same for n of them in one transaction (the CLI's whole circle). */
int mg_store_certificates_issued(struct mg_store *st,
                                 const struct mg_certificate_issue *i,
                                 size_t n);
/* Inside `tx`: the same for one (a mail queued in that transaction). */
int mg_store_tx_certificate_issued(struct mg_store_tx *tx,
                                   const struct mg_certificate_issue *i);
/* Every set of figures person `person_id`'s certificates were issued
 * with, newest first; free() the array. */
int mg_store_certificate_issues(struct mg_certificate_issue **out, size_t *n,
                                struct mg_store *st, int64_t person_id);

/*
 * Circles whose certificates should go out by mail at `now`: mail at
 * close is on, not yet done, their last call ended `grace` seconds ago
 * or more (time for the last attendance to be recorded) and no failure
 * put them off past `now`. At most `max`; free() the array.
 */
int mg_store_certificate_mailings_due(int64_t **out, size_t *n,
                                      struct mg_store *st, int64_t now,
                                      int64_t grace, int max);
/* When the next circle's certificates are due by mail; MG_ENOTFOUND when
 * none waits. */
int mg_store_certificate_mailings_next(int64_t *at, struct mg_store *st,
                                       int64_t grace);
/* Inside `tx`: circle `circle_id`'s mailing done at `now` for `people`.
 * *changed is 0 when it was done already (another round took it). */
int mg_store_tx_certificate_mailed(int *changed, struct mg_store_tx *tx,
                                   int64_t circle_id, int64_t now,
                                   size_t people);
/* How far circle `circle_id`'s mailing got (all 0 before it began). */
struct mg_certificate_mail_progress {
    int64_t cursor; /* the last person done, by id */
    size_t people;  /* mails queued so far */
    int failures;   /* failed rounds in a row */
    int64_t retry_at;
};
int mg_store_certificate_mail_progress(struct mg_certificate_mail_progress *p,
                                       struct mg_store *st, int64_t circle_id);
/* Inside `tx` (the one queuing a batch's mails): done up to person
 * `cursor`, `people` mails so far; clears a failure. */
int mg_store_tx_certificate_mail_cursor(struct mg_store_tx *tx,
                                        int64_t circle_id, int64_t cursor,
                                        size_t people);
/* Circle `circle_id`'s mailing failed `failures` times in a row: not
 * due again before `retry_at`. */
int mg_store_certificate_mail_failed(struct mg_store *st, int64_t circle_id,
                                     int failures, int64_t retry_at);
/* *done_at: when circle `circle_id`'s certificates went out by mail, 0
 * when they have not. */
int mg_store_certificate_mailed_at(int64_t *done_at, struct mg_store *st,
                                   int64_t circle_id);

#endif
