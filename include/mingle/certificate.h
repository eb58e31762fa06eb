/*
 * certificate: a certificate of participation as a PDF, and the short
 * code that lets anyone check one is genuine. Pure: plain structs in,
 * PDF bytes or a code out; the figures on it come from the caller
 * (certify.h loads them from the store).
 *
 * The PDF is one A4 landscape page drawn with cairo, its text laid out
 * by pango (any script; a long name wraps, then shrinks, to fit).
 *
 * The code is "<person>-<mac>": the person's id in base 32, then 50 bits
 * of HMAC-SHA256, under a key the caller keeps, over the circle, the
 * person and the figures printed (calls, minutes, role). Nothing of it
 * needs storing: the person's id says whose it is, the MAC whether the
 * figures are the ones signed. The alphabet is Crockford's lower-case
 * base 32 (no i, l, o, u); reading a code forgives o for 0 and i or l for
 * 1, and ignores hyphens, spaces and case (the last ten characters are
 * the MAC, those before them the id).
 */
#ifndef MINGLE_CERTIFICATE_H
#define MINGLE_CERTIFICATE_H

#include <stddef.h>
#include <stdint.h>

#include "mingle/core.h"

/* What one certificate says; every string is borrowed for the call. */
struct mg_certificate {
    const char *name;            /* the person's */
    const char *circle_title;    /* the circle's */
    const char *book_title;      /* may be NULL or "" */
    const char *book_author;     /* may be NULL or "" */
    const char *first_date;      /* "YYYY-MM-DD" of their first call, or "" */
    const char *last_date;       /* "YYYY-MM-DD" of their last call, or "" */
    int group_calls;             /* group calls attended */
    int plenary_calls;           /* whole-circle calls attended */
    int minutes;                 /* counted minutes, all calls */
    int facilitator;             /* "as facilitator" */
    const char *issuer;          /* who issues it; may be NULL or "" */
    const char *signature_title; /* under the issuer's name; may be NULL */
    const char *issued_on;       /* "YYYY-MM-DD" */
    const char *code;            /* mg_certificate_code()'s */
    const char *verify_url;      /* where the code is checked, in full */
};

/*
 * Draw `c` as a one-page PDF into *out (*len bytes; the caller's,
 * free()). Words are in the thread's language (mg_i18n_use). MG_EINVAL
 * with `err` when a string is not UTF-8 or the name is empty; MG_EIO if
 * cairo fails.
 */
int mg_certificate_pdf(char **out, size_t *len, const struct mg_certificate *c,
                       struct mg_error *err);

/* "2.5" for 150 minutes: hours with one decimal, rounded half up. */
void mg_certificate_hours(char *out, size_t n, int minutes);
/* "2:30" for 150 minutes. */
void mg_certificate_hmm(char *out, size_t n, int minutes);

/* What a code signs. */
struct mg_certificate_figures {
    int64_t circle_id;
    int64_t person_id;
    int group_calls;
    int plenary_calls;
    int minutes;
    int facilitator;
};

#define MG_CERTIFICATE_CODE_MAX 32 /* with its NUL */
#define MG_CERTIFICATE_MAC_CHARS 10

/* The code of `f` under `key` (key_len bytes), "3f-k7qm2-x9ptz". */
void mg_certificate_code(char out[MG_CERTIFICATE_CODE_MAX],
                         const unsigned char *key, size_t key_len,
                         const struct mg_certificate_figures *f);
/*
 * Read a code as a person may type it: *person_id and its MAC part
 * (MG_CERTIFICATE_MAC_CHARS + 1 bytes, normalised). MG_EINVAL when it is
 * not shaped like a code.
 */
int mg_certificate_code_parse(int64_t *person_id, char *mac, const char *code);
/* Whether `code` signs `f` under `key`, compared in constant time. */
int mg_certificate_code_matches(const char *code, const unsigned char *key,
                                size_t key_len,
                                const struct mg_certificate_figures *f);

#endif
