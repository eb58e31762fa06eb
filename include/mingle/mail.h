/*
 * mail: messages in and out, with GMime. Outbound today: the iMIP
 * invitation (RFC 6047) that carries an iTIP REQUEST or CANCEL to one
 * member. Inbound (provider webhooks, notes) will live here too.
 */
#ifndef MINGLE_MAIL_H
#define MINGLE_MAIL_H

#include <stddef.h>
#include <stdint.h>

#include "mingle/core.h"

struct mg_imip {
    const char *from_name; /* the circle's organizer */
    const char *from_email;
    const char *to_name;
    const char *to_email;
    const char *subject;
    const char *text;       /* the plain-text body */
    const char *html;       /* the HTML body (already escaped by the caller) */
    const char *ics;        /* the iTIP document */
    const char *method;     /* "REQUEST" or "CANCEL" */
    const char *message_id; /* "<...>" or NULL for a fresh one */
    int64_t date;           /* Date: header, Unix time; 0 for now */
};

/*
 * Build the message: multipart/mixed holding a multipart/alternative
 * (text/plain, text/html, text/calendar; charset=UTF-8; method=...) and
 * the same calendar as an invite.ics attachment. Headers are encoded by
 * GMime (RFC 2047), so no name or subject can break a header. *out (and
 * *len) is the caller's, free().
 */
int mg_mail_build_imip(char **out, size_t *len, const struct mg_imip *m,
                       struct mg_error *err);

/* The checks mg_mail_build_imip() makes (addresses, UTF-8, method, a
 * calendar), without building anything. */
int mg_mail_check_imip(const struct mg_imip *m, struct mg_error *err);

/*
 * Outgoing mail is stored in one of two formats: "mime", the message's
 * bytes, or "imip", an invitation's iTIP document plus the rest of what
 * it is made of (addresses, subject, text, Message-ID, Date) as JSON
 * `parts`; mg_mail_render() assembles the MIME message when it is sent.
 * Queueing the parts costs a fraction of queueing the assembled message
 * (the MIME tree and two base64 copies of the calendar), and the message
 * is the same on every attempt: Message-ID and Date are fixed at queueing.
 *
 * mg_mail_imip_parts() checks `m` as mg_mail_build_imip() does, gives it
 * a Message-ID and Date when it has none, and writes the parts but the
 * iTIP document to *parts (free()). `m->html` is not kept: the HTML is
 * made from the text.
 */
int mg_mail_imip_parts(char **parts, const struct mg_imip *m,
                       struct mg_error *err);

/* The message's bytes from its stored form: `message` alone ("mime"),
 * or the iTIP document `message` with its `parts` ("imip"). *out is the
 * caller's (free()). */
int mg_mail_render(char **out, size_t *len, const char *format,
                   const char *message, size_t n, const char *parts,
                   struct mg_error *err);

/* A plain-text message from mingle itself (a sign-up's confirmation, a
 * waitlist place, a reminder, a note to a facilitator or coordinator). */
struct mg_text_mail {
    const char *from_name;
    const char *from_email;
    const char *to_name;
    const char *to_email;
    const char *subject;
    const char *text;   /* UTF-8, "\n" line ends */
    int64_t date;       /* Date: header, Unix time; 0 for now */
    int auto_submitted; /* add "Auto-Submitted: auto-generated" */
    /* optional: one file attached after the text (multipart/mixed) */
    const void *attachment; /* NULL: none */
    size_t attachment_len;
    const char *attachment_name; /* e.g. "certificate.pdf" */
    const char *attachment_type; /* e.g. "application/pdf" */
};

/* Build `m` as one text/plain part (and its attachment, base64, when it
 * has one) with a fresh Message-ID; headers are
 * encoded by GMime. *out (and *len) is the caller's, free(). MG_EINVAL
 * with `err` for a bad address or text that is not UTF-8. */
int mg_mail_build_text(char **out, size_t *len, const struct mg_text_mail *m,
                       struct mg_error *err);

/* Initialise / shut down GMime once per process. */
void mg_mail_init(void);
void mg_mail_shutdown(void);

#endif
