/*
 * text.c: a plain message (text/plain, UTF-8, quoted-printable) built
 * with GMime, for what mingle tells a person in words alone: that a
 * participant has left, say. Headers are encoded by GMime as an
 * invitation's are; the result has CRLF line endings.
 */
#include "mingle/mail.h"

#include <stdlib.h>
#include <string.h>

#include <gmime/gmime.h>

#include "internal.h"
#include "mingle/circle.h"

#include "banned.h"

static void add_mailbox(InternetAddressList *list, const char *name,
                        const char *email)
{
    InternetAddress *ia = internet_address_mailbox_new(name, email);

    internet_address_set_charset(ia, "utf-8");
    internet_address_list_add(list, ia);
    g_object_unref(ia);
}

static int check(const struct mg_imip *m, struct mg_error *err)
{
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
    if ((m->from_name && !g_utf8_validate(m->from_name, -1, NULL)) ||
        (m->to_name && !g_utf8_validate(m->to_name, -1, NULL)) ||
        (m->subject && !g_utf8_validate(m->subject, -1, NULL)) ||
        (m->text && !g_utf8_validate(m->text, -1, NULL))) {
        mg_error_set(err, "text", "not valid UTF-8");
        return MG_EINVAL;
    }
    return 0;
}

int mg_mail_build_text(char **out, size_t *len, const struct mg_imip *m,
                       struct mg_error *err)
{
    GMimeMessage *msg = NULL;
    GMimePart *part = NULL;
    GMimeStream *stream = NULL, *mem = NULL;
    GMimeDataWrapper *content = NULL;
    GMimeFormatOptions *opts = NULL;
    GDateTime *when = NULL;
    GByteArray *bytes;
    const char *text = m->text ? m->text : "";
    char *id = NULL;
    int rc = check(m, err);

    if (rc == 0 && m->message_id)
        rc = mail_message_id_copy(&id, m->message_id, err);
    if (rc < 0)
        return rc;
    if (!id)
        id = mail_message_id_new(m->from_email);
    mg_mail_init();
    msg = g_mime_message_new(TRUE);
    add_mailbox(g_mime_message_get_from(msg), m->from_name, m->from_email);
    add_mailbox(g_mime_message_get_addresses(msg, GMIME_ADDRESS_TYPE_TO),
                m->to_name, m->to_email);
    g_mime_message_set_subject(msg, m->subject ? m->subject : "", "utf-8");
    when = m->date > 0 ? g_date_time_new_from_unix_utc(m->date)
                       : g_date_time_new_now_utc();
    g_mime_message_set_date(msg, when);
    g_mime_message_set_message_id(msg, id);
    part = g_mime_part_new_with_type("text", "plain");
    stream = g_mime_stream_mem_new_with_buffer(text, strlen(text));
    content = g_mime_data_wrapper_new_with_stream(
        stream, GMIME_CONTENT_ENCODING_DEFAULT);
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
    g_object_unref(mem);
    g_mime_format_options_free(opts);
    g_object_unref(content);
    g_object_unref(stream);
    g_object_unref(part);
    g_date_time_unref(when);
    g_object_unref(msg);
    free(id);
    return rc;
}
