/*
 * imip.c: the invitation email (iMIP, RFC 6047) built with GMime:
 * multipart/mixed holding multipart/alternative (text/plain, text/html,
 * text/calendar with the iTIP method) and the same calendar attached as
 * invite.ics. GMime encodes every header (RFC 2047, folded) and body
 * (quoted-printable or base64), so no name or subject can break the
 * message; the result has CRLF line endings, as SMTP wants.
 */
#include "mingle/mail.h"

#include <stdlib.h>
#include <string.h>

#include <gmime/gmime.h>

#include "internal.h"
#include "mingle/circle.h"

#include "banned.h"

/* Longest Message-ID we accept from a caller, brackets excluded. */
#define MAX_MESSAGE_ID 250

int mail_check_address(const char *email, const char *field,
                       struct mg_error *err)
{
    /* mg_email_valid() also refuses CR, LF and every other control. */
    if (!email || !mg_email_valid(email)) {
        mg_error_set(err, field, "'%s' is not an email address",
                     email ? email : "");
        return MG_EINVAL;
    }
    return 0;
}

/* Names and the subject may hold anything GMime can encode: UTF-8. */
int mail_check_text(const char *s, const char *field, struct mg_error *err)
{
    if (s && !g_utf8_validate(s, -1, NULL)) {
        mg_error_set(err, field, "not valid UTF-8");
        return MG_EINVAL;
    }
    return 0;
}

/* See internal.h. */
int mail_message_id_copy(char **out, const char *id, struct mg_error *err)
{
    size_t n = strlen(id), i;

    if (n >= 2 && id[0] == '<' && id[n - 1] == '>') {
        id++;
        n -= 2;
    }
    for (i = 0; i < n; i++)
        if (id[i] <= ' ' || id[i] >= 0x7f || id[i] == '<' || id[i] == '>')
            break;
    if (n == 0 || n > MAX_MESSAGE_ID || i < n || !memchr(id, '@', n)) {
        mg_error_set(err, "message_id", "not a message id");
        return MG_EINVAL;
    }
    *out = mg_xstrndup(id, n);
    return 0;
}

/* A fresh Message-ID: 128 random bits at the sender's domain. */
char *mail_message_id_new(const char *from_email)
{
    unsigned char raw[16];
    char hex[2 * sizeof(raw) + 1];

    mg_random_bytes(raw, sizeof(raw));
    mg_hex(hex, raw, sizeof(raw));
    return mg_xasprintf("%s@%s", hex, strchr(from_email, '@') + 1);
}

static void add_mailbox(InternetAddressList *list, const char *name,
                        const char *email)
{
    InternetAddress *ia = internet_address_mailbox_new(name, email);

    /* non-ASCII names go out as =?utf-8?...?= rather than a legacy set */
    internet_address_set_charset(ia, "utf-8");
    internet_address_list_add(list, ia);
    g_object_unref(ia);
}

/* See internal.h. */
GMimePart *mail_leaf(const char *type, const char *subtype, const char *charset,
                     const char *body, GMimeContentEncoding encoding)
{
    GMimePart *part = g_mime_part_new_with_type(type, subtype);
    GMimeStream *stream = g_mime_stream_mem_new_with_buffer(body, strlen(body));
    GMimeDataWrapper *content = g_mime_data_wrapper_new_with_stream(
        stream, GMIME_CONTENT_ENCODING_DEFAULT);

    g_mime_object_set_content_type_parameter(GMIME_OBJECT(part), "charset",
                                             charset);
    g_mime_part_set_content(part, content);
    g_mime_part_set_content_encoding(part, encoding);
    g_object_unref(content);
    g_object_unref(stream);
    return part;
}

/* multipart/mixed: alternative(plain, html, calendar) + invite.ics */
static GMimeObject *body_tree(const struct mg_imip *m)
{
    const char *ics = m->ics;
    GMimeMultipart *mixed = g_mime_multipart_new_with_subtype("mixed");
    GMimeMultipart *alt = g_mime_multipart_new_with_subtype("alternative");
    GMimePart *plain, *html, *cal, *file;

    plain = mail_leaf("text", "plain", "utf-8", m->text ? m->text : "",
                      GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
    html = mail_leaf("text", "html", "utf-8", m->html ? m->html : "",
                     GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
    /* base64 keeps the calendar's own CRLFs and long lines byte-exact */
    cal = mail_leaf("text", "calendar", "UTF-8", ics,
                    GMIME_CONTENT_ENCODING_BASE64);
    g_mime_object_set_content_type_parameter(GMIME_OBJECT(cal), "method",
                                             m->method);
    file = mail_leaf("application", "ics", "UTF-8", ics,
                     GMIME_CONTENT_ENCODING_BASE64);
    g_mime_object_set_content_type_parameter(GMIME_OBJECT(file), "name",
                                             "invite.ics");
    g_mime_object_set_disposition(GMIME_OBJECT(file),
                                  GMIME_DISPOSITION_ATTACHMENT);
    g_mime_part_set_filename(file, "invite.ics");

    g_mime_multipart_add(alt, GMIME_OBJECT(plain));
    g_mime_multipart_add(alt, GMIME_OBJECT(html));
    g_mime_multipart_add(alt, GMIME_OBJECT(cal));
    g_mime_multipart_add(mixed, GMIME_OBJECT(alt));
    g_mime_multipart_add(mixed, GMIME_OBJECT(file));
    g_object_unref(plain);
    g_object_unref(html);
    g_object_unref(cal);
    g_object_unref(file);
    g_object_unref(alt);
    return GMIME_OBJECT(mixed);
}

int mg_mail_check_imip(const struct mg_imip *m, struct mg_error *err)
{
    int rc = mail_check_address(m->from_email, "from_email", err);

    if (rc == 0)
        rc = mail_check_address(m->to_email, "to_email", err);
    if (rc == 0)
        rc = mail_check_text(m->from_name, "from_name", err);
    if (rc == 0)
        rc = mail_check_text(m->to_name, "to_name", err);
    if (rc == 0)
        rc = mail_check_text(m->subject, "subject", err);
    if (rc < 0)
        return rc;
    if (!m->method || (strcmp(m->method, "REQUEST") != 0 &&
                       strcmp(m->method, "CANCEL") != 0)) {
        mg_error_set(err, "method", "'%s' is not REQUEST or CANCEL",
                     m->method ? m->method : "");
        return MG_EINVAL;
    }
    if (!m->ics || !m->ics[0]) {
        mg_error_set(err, "ics", "no calendar to send");
        return MG_EINVAL;
    }
    return 0;
}

GMimeMessage *mail_message_new(const char *from_name, const char *from_email,
                               const char *to_name, const char *to_email,
                               const char *subject, int64_t date,
                               const char *id)
{
    GMimeMessage *msg = g_mime_message_new(TRUE); /* MIME-Version, order */
    GDateTime *when = date > 0 ? g_date_time_new_from_unix_utc(date)
                               : g_date_time_new_now_utc();

    add_mailbox(g_mime_message_get_from(msg), from_name, from_email);
    add_mailbox(g_mime_message_get_addresses(msg, GMIME_ADDRESS_TYPE_TO),
                to_name, to_email);
    g_mime_message_set_subject(msg, subject ? subject : "", "utf-8");
    g_mime_message_set_date(msg, when);
    g_mime_message_set_message_id(msg, id);
    g_date_time_unref(when);
    return msg;
}

int mail_message_write(char **out, size_t *len, GMimeMessage *msg,
                       struct mg_error *err)
{
    GMimeFormatOptions *opts = g_mime_format_options_new();
    GMimeStream *mem = g_mime_stream_mem_new();
    GByteArray *bytes;
    int rc = 0;

    g_mime_format_options_set_newline_format(opts, GMIME_NEWLINE_FORMAT_DOS);
    if (g_mime_object_write_to_stream(GMIME_OBJECT(msg), opts, mem) < 0) {
        mg_error_set(err, "message", "cannot serialise the message");
        rc = MG_EIO;
    } else {
        bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
        *out = mg_xstrndup((const char *)bytes->data, bytes->len);
        *len = bytes->len;
    }
    g_object_unref(mem);
    g_mime_format_options_free(opts);
    return rc;
}

int mg_mail_build_imip(char **out, size_t *len, const struct mg_imip *m,
                       struct mg_error *err)
{
    GMimeMessage *msg;
    GMimeObject *body;
    char *id = NULL;
    int rc = mg_mail_check_imip(m, err);

    if (rc == 0 && m->message_id)
        rc = mail_message_id_copy(&id, m->message_id, err);
    if (rc < 0)
        return rc;
    if (!id)
        id = mail_message_id_new(m->from_email);
    mg_mail_init();
    msg = mail_message_new(m->from_name, m->from_email, m->to_name, m->to_email,
                           m->subject, m->date, id);
    body = body_tree(m);
    g_mime_message_set_mime_part(msg, body);
    rc = mail_message_write(out, len, msg, err);
    g_object_unref(body);
    g_object_unref(msg);
    free(id);
    return rc;
}
