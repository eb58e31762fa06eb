/*
 * internal.h: what the mail module's files share.
 */
#ifndef MINGLE_MAIL_INTERNAL_H
#define MINGLE_MAIL_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <gmime/gmime.h>

#include "mingle/core.h"

/* The checks of what goes into an outgoing message's headers: an
 * address fit for a header, text that is UTF-8 (NULL is fine). MG_EINVAL
 * with `field` in `err`. */
int mail_check_address(const char *email, const char *field,
                       struct mg_error *err);
int mail_check_text(const char *s, const char *field, struct mg_error *err);

/*
 * An outgoing message's headers, encoded by GMime (RFC 2047, so no name
 * or subject can break a header): From and To, Subject, Date (`date`,
 * Unix time; 0 for now) and Message-ID `id`. g_object_unref() it.
 */
GMimeMessage *mail_message_new(const char *from_name, const char *from_email,
                               const char *to_name, const char *to_email,
                               const char *subject, int64_t date,
                               const char *id);
/* A leaf part holding `body` as is, with charset `charset`. */
GMimePart *mail_leaf(const char *type, const char *subtype, const char *charset,
                     const char *body, GMimeContentEncoding encoding);
/* `msg` written out with CRLF line ends into *out (free()) and *len;
 * MG_EIO with `err` if GMime cannot. */
int mail_message_write(char **out, size_t *len, GMimeMessage *msg,
                       struct mg_error *err);

/* A fresh Message-ID (no brackets): 128 random bits at the domain of
 * `from_email`, which must hold an '@'. free() it. */
char *mail_message_id_new(const char *from_email);

/* The caller's Message-ID ("<left@right>" or without brackets) in *out
 * without brackets (free()); MG_EINVAL when it is not one. */
int mail_message_id_copy(char **out, const char *id, struct mg_error *err);

/*
 * Inbound mail: the helpers mime_in.c lends providers.c. Every string
 * returned is the caller's (free()) and valid UTF-8.
 */
struct mg_inbound;
struct mg_inbound_limits;

/* `len` bytes as UTF-8: invalid sequences and NULs become U+FFFD. */
char *mail_utf8(const char *s, size_t len);
/* `len` bytes in `charset` (NULL: UTF-8 or a guess) as UTF-8. */
char *mail_to_utf8(const char *s, size_t len, const char *charset);
/* CRLF and lone CR to LF, in place. */
void mail_newlines(char *s);
/* An unstructured header value (Subject) decoded (RFC 2047), trimmed. */
char *mail_header_text(const char *raw);
/* The first mailbox of an address-list header value as m->from_name and
 * m->from_email, unless m->from_email is already set. */
void mail_set_from(struct mg_inbound *m, const char *value);
/* Each mailbox of an address-list header value as a recipient. */
void mail_add_recipients(struct mg_inbound *m, const char *value);
/* One bare address as a recipient (as mail_address() makes it), once
 * only; ignored when it is none. */
void mail_add_recipient(struct mg_inbound *m, const char *addr);
/* A bare address trimmed, without <>, lower-case; NULL when empty or
 * not one valid address (mg_email_valid()). */
char *mail_address(const char *addr);
/* A Message-ID / In-Reply-To value without brackets, or NULL. */
char *mail_message_id(const char *raw);
/* A Date: value as Unix time, 0 when unreadable. */
int64_t mail_date(const char *raw);
/* Append an attachment; the content is kept when len <= the cap. */
void mail_add_attachment(struct mg_inbound *m, const char *name,
                         const char *type, const char *data, size_t len,
                         const struct mg_inbound_limits *lim);
/* Render the HTML as text when there is HTML and no text. */
void mail_text_from_html(struct mg_inbound *m);
/* Keep a copy of the message as received, `len` bytes, in m->raw. */
void mail_keep_raw(struct mg_inbound *m, const char *data, size_t len);
/*
 * mg_inbound_from_mime() with a choice: `need_from` 0 accepts a message
 * without a From address (a provider gave the sender apart, or `data` is
 * only a header block).
 */
int mail_parse_mime(struct mg_inbound *out, const char *data, size_t len,
                    const struct mg_inbound_limits *lim, int need_from,
                    struct mg_error *err);

/*
 * Sender authentication (auth.c): each call may raise m->auth (a pass
 * beats a failure beats none) and sets m->auth_why with it.
 */
/* Do the domains of two addresses (or bare domains) align, relaxed? */
int mail_auth_aligned(const char *a, const char *b);
/* No verdict, and why. */
void mail_auth_none(struct mg_inbound *m, const char *why);
/* Provider `who`'s SPF result for envelope domain `spf_domain` (NULL:
 * m->sender's) and DKIM result for `dkim_domain` (NULL: the provider
 * names no domain and its pass is taken as for the From domain); NULL
 * results when it gave none. */
void mail_auth_provider(struct mg_inbound *m, const char *who, const char *spf,
                        const char *spf_domain, const char *dkim,
                        const char *dkim_domain);
/* One Authentication-Results header value: 1 when its authserv-id is one
 * of `ids` (comma-separated) and it was read, 0 when it is ignored. */
int mail_auth_results(struct mg_inbound *m, const char *value, const char *ids);
/*
 * Each header of a message in order (*run 0 at first): only the first
 * run of Authentication-Results headers from `ids` is read. The MTA adds
 * its own at the top (RFC 8601 section 5); one with its id further down
 * came with the message, perhaps from a forger.
 */
void mail_auth_header(struct mg_inbound *m, int *run, const char *name,
                      const char *value, const char *ids);
/* The signing domain (d=) of a DKIM-Signature value in `out`, "" when
 * it names none or it does not fit. */
void mail_dkim_domain(char *out, size_t n, const char *sig);

#endif
