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
    const char *fields[] = {"from_name", "to_name", "subject", "text"};
    const char *values[] = {m->from_name, m->to_name, m->subject, m->text};
    size_t i;

    if (!m->from_email || !mg_email_valid(m->from_email)) {
        mg_error_set(err, "from_email", "'%s' is not an email address",
                     m->from_email ? m->from_email : "");
        return MG_EINVAL;
    }
    if (!m->to_email || !mg_email_valid(m->to_email)) {
        mg_error_set(err, "to_email", "'%s' is not an email address",
                     m->to_email ? m->to_email : "");
        return MG_EINVAL;
    }
    if (!m->text) {
        mg_error_set(err, "text", "no text");
        return MG_EINVAL;
    }
    for (i = 0; i < 4; i++)
        if (values[i] && !g_utf8_validate(values[i], -1, NULL)) {
            mg_error_set(err, fields[i], "not valid UTF-8");
            return MG_EINVAL;
        }
    return 0;
}

static void add_mailbox(InternetAddressList *list, const char *name,
                        const char *email)
{
    InternetAddress *ia = internet_address_mailbox_new(name, email);

    internet_address_set_charset(ia, "utf-8");
    internet_address_list_add(list, ia);
    g_object_unref(ia);
}

int mg_mail_build_text(char **out, size_t *len, const struct mg_text_mail *m,
                       struct mg_error *err)
{
    GMimeMessage *msg = NULL;
    GMimePart *part = NULL;
    GMimeStream *body = NULL, *mem = NULL;
    GMimeDataWrapper *content = NULL;
    GMimeFormatOptions *opts = NULL;
    GDateTime *date = NULL;
    GByteArray *bytes;
    char *id = NULL;
    int rc = check(m, err);

    if (rc < 0)
        return rc;
    mg_mail_init();
    id = mail_message_id_new(m->from_email);
    msg = g_mime_message_new(TRUE);
    add_mailbox(g_mime_message_get_from(msg), m->from_name, m->from_email);
    add_mailbox(g_mime_message_get_addresses(msg, GMIME_ADDRESS_TYPE_TO),
                m->to_name, m->to_email);
    g_mime_message_set_subject(msg, m->subject ? m->subject : "", "utf-8");
    date = m->date > 0 ? g_date_time_new_from_unix_utc(m->date)
                       : g_date_time_new_now_utc();
    g_mime_message_set_date(msg, date);
    g_mime_message_set_message_id(msg, id);
    if (m->auto_submitted)
        /* RFC 3834: made by a program, so auto-responders stay quiet */
        g_mime_object_set_header(GMIME_OBJECT(msg), "Auto-Submitted",
                                 "auto-generated", NULL);
    part = g_mime_part_new_with_type("text", "plain");
    body = g_mime_stream_mem_new_with_buffer(m->text, strlen(m->text));
    content = g_mime_data_wrapper_new_with_stream(
        body, GMIME_CONTENT_ENCODING_DEFAULT);
    g_mime_object_set_content_type_parameter(GMIME_OBJECT(part), "charset",
                                             "utf-8");
    g_mime_part_set_content(part, content);
    g_mime_part_set_content_encoding(part,
                                     GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
    g_mime_message_set_mime_part(msg, GMIME_OBJECT(part));
    opts = g_mime_format_options_new();
    g_mime_format_options_set_newline_format(opts, GMIME_NEWLINE_FORMAT_DOS);
    mem = g_mime_stream_mem_new();
    if (g_mime_object_write_to_stream(GMIME_OBJECT(msg), opts, mem) < 0) {
        mg_error_set(err, "message", "cannot serialise the message");
        rc = MG_EIO;
        goto out;
    }
    bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
    *out = mg_xstrndup((const char *)bytes->data, bytes->len);
    *len = bytes->len;
out:
    if (mem)
        g_object_unref(mem);
    if (opts)
        g_mime_format_options_free(opts);
    if (content)
        g_object_unref(content);
    if (body)
        g_object_unref(body);
    if (part)
        g_object_unref(part);
    if (date)
        g_date_time_unref(date);
    if (msg)
        g_object_unref(msg);
    free(id);
    return rc;
}
