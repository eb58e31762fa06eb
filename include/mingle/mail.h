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

/* Initialise / shut down GMime once per process. */
void mg_mail_init(void);
void mg_mail_shutdown(void);

#endif
