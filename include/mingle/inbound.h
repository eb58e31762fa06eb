/*
 * inbound: mail that reaches mingle through a provider's webhook, turned
 * into one message struct whatever the provider. Each provider posts its
 * own shape (form fields or JSON, parsed fields or the raw message); the
 * parsers here read those shapes, decode every text to UTF-8, and keep
 * the raw message for audit. Authentication (signatures, secrets) is
 * checked by the caller before a parser sees anything; the signature
 * functions live here too. Forms are parsed by the HTTP layer (with
 * libmicrohttpd's post processor) into an mg_form; MIME is parsed with
 * GMime; nothing here writes to the store.
 */
#ifndef MINGLE_INBOUND_H
#define MINGLE_INBOUND_H

#include <stddef.h>
#include <stdint.h>

#include "mingle/core.h"

/* One field of a posted form: a value, or a file with its name and type. */
struct mg_form_field {
    char *name;
    char *filename;     /* NULL unless a file */
    char *content_type; /* NULL unless given */
    char *value;        /* NUL-terminated; may hold NULs before len */
    size_t len;
};

/* The fields in posted order; zero-initialise, free with mg_form_release. */
struct mg_form {
    struct mg_form_field *fields;
    size_t n, cap;
};

/* Append a field (copies everything; `value` may be NULL when len is 0). */
void mg_form_add(struct mg_form *f, const char *name, const char *filename,
                 const char *content_type, const char *value, size_t len);
/* Append `len` more bytes to the last field (the post processor hands a
 * long value over in pieces). */
void mg_form_append(struct mg_form *f, const char *data, size_t len);
/* The first field called `name`, or NULL (also for a NULL form). */
const struct mg_form_field *mg_form_get(const struct mg_form *f,
                                        const char *name);
void mg_form_release(struct mg_form *f);

struct mg_attachment {
    char *name;  /* file name as sent ("" when none) */
    char *type;  /* "application/pdf" */
    size_t size; /* decoded size in bytes */
    char *data;  /* the content if size <= the cap, else NULL */
};

/*
 * One received message. Every string is valid UTF-8 (bytes that are not
 * are replaced by U+FFFD, never refused: the raw copy keeps them) and
 * NULL when absent. `text` and `stripped` have LF line ends; `html` and
 * `calendar` are as sent. All memory is the struct's own.
 */
struct mg_inbound {
    char *event_id;    /* the provider's id of this delivery, if any */
    char *message_id;  /* without angle brackets */
    char *in_reply_to; /* without angle brackets */
    char *from_name;
    char *from_email;  /* the From: address, lower-case */
    char *sender;      /* the envelope sender, lower-case, if given */
    char **recipients; /* envelope recipients (else To, Cc), lower-case */
    size_t n_recipients;
    char *subject;
    char *text;     /* the plain text (or the HTML rendered as text) */
    char *html;     /* the HTML part as sent, if any */
    char *stripped; /* the provider's own reply-stripped text, if any */
    char *calendar; /* a text/calendar part (an iTIP REPLY), if any */
    int64_t date;   /* the Date: header, Unix time; 0 when absent */
    struct mg_attachment *attachments;
    size_t n_attachments;
    char *raw; /* the raw message, or the provider's payload, for audit */
    size_t raw_len;
    char *references; /* a Message-ID the References header names, if any */
    /* Whether the From address is the sender's own, by the receiving
     * side's verdict (enum mg_sender_auth), and what that verdict was
     * ("mailgun: spf=pass for example.org"); only MG_AUTH_PASS and
     * MG_AUTH_OFF are published. */
    int auth;
    char *auth_why;
};

enum mg_sender_auth {
    MG_AUTH_NONE = 0, /* no verdict: held for review */
    MG_AUTH_FAIL,     /* failed, or vouches for another domain: held */
    MG_AUTH_PASS,     /* dmarc, aligned dkim or aligned spf passed */
    MG_AUTH_OFF       /* not checked: the check is off for the provider */
};

/* Free what `m` holds and zero it (NULL is fine). */
void mg_inbound_release(struct mg_inbound *m);
/* Release each of the `n` messages and free the array (NULL is fine). */
void mg_inbounds_free(struct mg_inbound *m, size_t n);

/* A NULL limits pointer keeps no attachment content. */
struct mg_inbound_limits {
    size_t attachment_cap; /* keep content of attachments up to this size */
    /* Raw MIME: the authserv-ids (comma-separated) of the receiving MTAs
     * whose Authentication-Results header is believed; NULL: none. Also
     * read for Postmark's Authentication-Results headers. */
    const char *authserv_id;
};

/*
 * Parse one provider's payload into *out (an array of *n messages: one,
 * or many for Mandrill's batches, and none for an empty batch, when *out
 * is NULL). `provider` is "mailgun", "sendgrid", "postmark", "mandrill",
 * "cloudmailin" or "mime". Form providers (mailgun, sendgrid, mandrill)
 * read `form`; the others read `body` (JSON, or the raw RFC 5322 message
 * for "mime"). MG_EINVAL with `err` naming the field when the payload is
 * not that provider's shape (e.g. "recipient", "FromFull", "body"). Free
 * *out with mg_inbounds_free(*out, *n).
 */
int mg_inbound_parse(struct mg_inbound **out, size_t *n, const char *provider,
                     const struct mg_form *form, const char *body,
                     size_t body_len, const struct mg_inbound_limits *lim,
                     struct mg_error *err);

/* The raw RFC 5322 message `data` as an mg_inbound (GMime): From, To and
 * Cc as recipients, the text, HTML and text/calendar parts, attachments
 * (with message/rfc822 parts), raw = a copy of `data`. A message with
 * no (readable) From has from_email NULL; MG_EINVAL with field "from"
 * when it has neither a From nor a To or Cc address (no mail). Release *out
 * with mg_inbound_release(). */
int mg_inbound_from_mime(struct mg_inbound *out, const char *data, size_t len,
                         const struct mg_inbound_limits *lim,
                         struct mg_error *err);

/*
 * Mailgun: `signature` is hex HMAC-SHA256(key, timestamp || token).
 * Compared in constant time. 0 when it matches, MG_EAUTH otherwise.
 */
int mg_inbound_verify_mailgun(const char *key, const char *timestamp,
                              const char *token, const char *signature);

/*
 * Mandrill: X-Mandrill-Signature is base64 HMAC-SHA1(key, url followed
 * by each POST field's name and value, sorted by name). 0 or MG_EAUTH.
 */
int mg_inbound_verify_mandrill(const char *key, const char *url,
                               const struct mg_form *form,
                               const char *signature);

/*
 * The same signature over data given in pieces, for a body checked as
 * it is read rather than held whole: begin with the key and URL, add
 * each field's name then its value (in any number of pieces) in sorted
 * order, then end, which compares and frees. NULL from begin when there
 * is no key.
 */
struct mg_mandrill_mac;
struct mg_mandrill_mac *mg_inbound_mandrill_begin(const char *key,
                                                  const char *url);
void mg_inbound_mandrill_add(struct mg_mandrill_mac *m, const void *data,
                             size_t len);
int mg_inbound_mandrill_end(struct mg_mandrill_mac *m, const char *signature);

/*
 * The reply a person wrote, without what they quoted or signed: drops
 * quoted lines ("> ..."), the quote's header ("On ... wrote:", Outlook's
 * "-----Original Message-----" and "From:/Sent:" blocks, and their kin
 * in other clients), "-- " signatures and "Sent from my ..." lines.
 * Returns a new string (free()); never NULL for non-NULL input.
 */
char *mg_mail_strip_reply(const char *text);

/* Line breaks, tabs and other control characters in `s` made single
 * spaces, in place, and trailing space dropped: a subject or a name is
 * one line. NULL is fine. */
void mg_mail_one_line(char *s);

/* HTML as readable plain text (libxml2's HTML parser): paragraphs and
 * line breaks kept, links as "text <url>", scripts and styles dropped.
 * Returns a new string (free()), "" for input it cannot read. */
char *mg_mail_html_to_text(const char *html, size_t len);

#endif
