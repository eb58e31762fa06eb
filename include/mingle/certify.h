/*
 * certify: glue for certificates of participation. Loads what a
 * certificate says (the circle, its book, the certificate settings, each
 * person's participation), signs it with the daemon's "certificate" key
 * and draws it (certificate.h); checks a code for /verify; and mails
 * each person theirs when a circle closes, if the coordinator asked.
 *
 * Who has a certificate: a facilitator, and anyone marked present at one
 * call or more. The figures are participation.h's: calls attended (group
 * calls and whole-circle calls apart) and the minutes they count for.
 * The dates are the person's own: their first call's day to their last's,
 * in the circle's time zone. Each set of figures a certificate is issued
 * with is kept (never the code), so a code made before attendance changed
 * is told apart from a forged one.
 */
#ifndef MINGLE_CERTIFY_H
#define MINGLE_CERTIFY_H

#include <stddef.h>
#include <stdint.h>

#include "mingle/certificate.h"
#include "mingle/core.h"

struct mg_store;
struct mg_participation;
struct mg_jobs_config;

/* How long after a circle's last call ends its certificates are mailed
 * (when mail at close is on): time for the last attendance to come in. */
#define MG_CERTIFY_MAIL_GRACE (2 * 24 * 60 * 60)

/* One circle's part of every certificate: opened once, used for each
 * person (the CLI draws a whole circle with one). */
struct mg_certify_circle;

/* Load circle `circle_id`'s part; links start with `base_url`. *out is
 * the caller's (mg_certify_close). MG_ENOTFOUND, or the store's code. */
int mg_certify_open(struct mg_certify_circle **out, struct mg_store *st,
                    int64_t circle_id, const char *base_url);
void mg_certify_close(struct mg_certify_circle *cc);
/* The circle's slug, or "c<id>", for file names. */
const char *mg_certify_slug(const struct mg_certify_circle *cc);

/* Whether `p` has a certificate (see above). */
int mg_certify_eligible(const struct mg_participation *p);

/*
 * Draw `p`'s certificate, issued at `now`, into *pdf (*len; free()),
 * its code into `code` (may be NULL). Does not record it: the caller
 * keeps `*issue` (may be NULL) with mg_store_certificate_issued() when
 * the certificate leaves. MG_ENOTFOUND when `p` has none; MG_EINVAL/
 * MG_EIO as mg_certificate_pdf.
 */
struct mg_certificate_issue;
int mg_certify_draw(char **pdf, size_t *len, char *code,
                    struct mg_certificate_issue *issue,
                    const struct mg_certify_circle *cc,
                    const struct mg_participation *p, int64_t now);

/* One person's certificate, loaded, drawn and recorded as issued (the
 * page's download). MG_ENOTFOUND when they have none. */
int mg_certify_person_pdf(char **pdf, size_t *len, struct mg_store *st,
                          int64_t circle_id, int64_t person_id,
                          const char *base_url, int64_t now);

/* `name` as a file name's part: ASCII, lower-case, '-' between words
 * ("Hōne Tūhoe" is "hone-tuhoe"), at most `n` - 1 bytes; "person" when
 * nothing is left. */
void mg_certify_ascii_name(char *out, size_t n, const char *name);

/* What a code is. */
enum mg_certify_verdict {
    MG_CERTIFY_GENUINE,  /* signs the person's figures as they are now */
    MG_CERTIFY_OUTDATED, /* genuine, but attendance has changed since */
    MG_CERTIFY_UNKNOWN   /* not a certificate of ours */
};
struct mg_certify_check {
    enum mg_certify_verdict verdict;
    char *name;         /* GENUINE/OUTDATED: the person's */
    char *circle_title; /* ... the circle's */
    int facilitator;    /* on the certificate */
    int group_calls, plenary_calls, minutes; /* on the certificate */
    int now_group_calls, now_plenary_calls, now_minutes; /* recorded now */
    int64_t issued_at; /* OUTDATED: when those figures were issued */
    char language[32]; /* the circle's */
};
/* Check `code`; *out's strings are the caller's (mg_certify_check_release).
 * An unknown code is not an error: verdict UNKNOWN, rc 0. */
int mg_certify_verify(struct mg_certify_check *out, struct mg_store *st,
                      const char *code);
void mg_certify_check_release(struct mg_certify_check *c);

/*
 * Mail at close: for each circle due at `now` (store/certificates.h),
 * each person with a certificate who has not left gets it attached to a
 * plain mail, queued through the outbox once (dedupe key
 * "certificate:<person>"), in batches; the circle is marked done with the
 * last. *mails (may be NULL) counts mails queued. The round works for
 * about `budget` seconds (0: until done) and stops early once `w` (may
 * be NULL) is stopping; *more (may be NULL) says work is left, which the
 * next round takes up where this one stopped, in this process or after
 * a restart. A circle that fails is logged and put off (doubling from a
 * minute to an hour) while the others go on; the first error is
 * returned.
 */
struct mg_worker;
int mg_certify_mail_round(size_t *mails, int *more, struct mg_store *st,
                          const struct mg_jobs_config *cfg, int64_t now,
                          double budget, struct mg_worker *w);

#endif
