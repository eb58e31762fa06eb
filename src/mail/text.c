/*
 * text.c: a plain-text message (a sign-up's confirmation, a reminder, a
 * note to a facilitator or coordinator) built with GMime: one text/plain part,
 * quoted-printable, headers encoded by GMime so no name or subject can break
 * them, CRLF line endings as SMTP wants.
 */
#include "mingle/mail.h"

#include <stdlib.h>
#include <string.h>

#include <gmime/gmime.h>

#include "internal.h"
#include "mingle/circle.h"

#include "banned.h"

static int check(const struct mg_text_mail *m, struct mg_error *err)
{
    int rc = mail_check_address(m->from_email, "from_email", err);

    if (rc == 0)
        rc = mail_check_address(m->to_email, "to_email", err);
    if (rc == 0 && !m->text) {
        mg_error_set(err, "text", "no text");
        rc = MG_EINVAL;
    }
    if (rc == 0)
        rc = mail_check_text(m->from_name, "from_name", err);
    if (rc == 0)
        rc = mail_check_text(m->to_name, "to_name", err);
    if (rc == 0)
        rc = mail_check_text(m->subject, "subject", err);
    if (rc == 0)
        rc = mail_check_text(m->text, "text", err);
    if (rc == 0 && m->attachment)
        rc = mail_check_text(m->attachment_name, "attachment_name", err);
    return rc;
}

/* The attached file, base64, named in its disposition. */
static GMimePart *attachment(const struct mg_text_mail *m)
{
    const char *type =
        m->attachment_type ? m->attachment_type : "application/octet-stream";
    char *major = mg_xstrdup(type), *minor = strchr(major, '/');
    GMimePart *file;
    GMimeStream *stream;
    GMimeDataWrapper *content;

    if (minor)
        *minor++ = '\0';
    file = g_mime_part_new_with_type(major, minor ? minor : "octet-stream");
    stream =
        g_mime_stream_mem_new_with_buffer(m->attachment, m->attachment_len);
    content = g_mime_data_wrapper_new_with_stream(
        stream, GMIME_CONTENT_ENCODING_DEFAULT);
    g_mime_part_set_content(file, content);
    g_mime_part_set_content_encoding(file, GMIME_CONTENT_ENCODING_BASE64);
    g_mime_object_set_disposition(GMIME_OBJECT(file), "attachment");
    g_mime_part_set_filename(file, m->attachment_name ? m->attachment_name
                                                      : "attachment");
    g_object_unref(content);
    g_object_unref(stream);
    free(major);
    return file;
}

int mg_mail_build_text(char **out, size_t *len, const struct mg_text_mail *m,
                       struct mg_error *err)
{
    GMimeMessage *msg;
    GMimePart *part;
    char *id;
    int rc = check(m, err);

    if (rc < 0)
        return rc;
    mg_mail_init();
    id = mail_message_id_new(m->from_email);
    msg = mail_message_new(m->from_name, m->from_email, m->to_name, m->to_email,
                           m->subject, m->date, id);
    if (m->auto_submitted)
        /* RFC 3834: made by a program, so auto-responders stay quiet */
        g_mime_object_set_header(GMIME_OBJECT(msg), "Auto-Submitted",
                                 "auto-generated", NULL);
    part = mail_leaf("text", "plain", "utf-8", m->text,
                     GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
    if (m->attachment) {
        GMimeMultipart *mixed = g_mime_multipart_new_with_subtype("mixed");
        GMimePart *file = attachment(m);

        g_mime_multipart_add(mixed, GMIME_OBJECT(part));
        g_mime_multipart_add(mixed, GMIME_OBJECT(file));
        g_mime_message_set_mime_part(msg, GMIME_OBJECT(mixed));
        g_object_unref(file);
        g_object_unref(mixed);
    } else {
        g_mime_message_set_mime_part(msg, GMIME_OBJECT(part));
    }
    rc = mail_message_write(out, len, msg, err);
    g_object_unref(part);
    g_object_unref(msg);
    free(id);
    return rc;
}
