/*
 * imip.c: the invitation email (iMIP, RFC 6047) built with GMime:
 * multipart/mixed holding multipart/alternative (text/plain, text/html,
 * text/calendar with the iTIP method) and the same calendar attached as
 * invite.ics. GMime encodes every header (RFC 2047) and body, so no name
 * or subject can break the message; the result uses CRLF line endings,
 * as SMTP wants.
 */
#include "mingle/mail.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <gmime/gmime.h>

#include "mingle/circle.h"

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int initialised;

static void do_init(void)
{
    g_mime_init();
    initialised = 1;
}

void mg_mail_init(void)
{
    pthread_once(&init_once, do_init);
}

void mg_mail_shutdown(void)
{
    if (initialised)
        g_mime_shutdown();
    initialised = 0;
}

/* A header-safe copy: control characters (CR, LF, ...) become spaces. */
static char *header_safe(const char *s)
{
    char *out = mg_xstrdup(s ? s : "");
    char *p;

    for (p = out; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
    return out;
}

static GMimePart *text_part(const char *type, const char *subtype,
                            const char *body, GMimeContentEncoding enc)
{
    GMimePart *part = g_mime_part_new_with_type(type, subtype);
    GMimeStream *stream = g_mime_stream_mem_new_with_buffer(body, strlen(body));
    GMimeDataWrapper *content = g_mime_data_wrapper_new_with_stream(
        stream, GMIME_CONTENT_ENCODING_DEFAULT);

    g_mime_object_set_content_type_parameter(GMIME_OBJECT(part), "charset",
                                             "utf-8");
    g_mime_part_set_content(part, content);
    g_mime_part_set_content_encoding(part, enc);
    g_object_unref(content);
    g_object_unref(stream);
    return part;
}

static void add_address(GMimeMessage *msg, GMimeAddressType type,
                        const char *name, const char *email)
{
    char *safe = header_safe(name);

    g_mime_message_add_mailbox(msg, type, safe, email);
    free(safe);
}

int mg_mail_build_imip(char **out, size_t *len, const struct mg_imip *m,
                       struct mg_error *err)
{
    GMimeMessage *msg = NULL;
    GMimeMultipart *mixed = NULL, *alt = NULL;
    GMimePart *plain, *html, *cal, *attach;
    GMimeFormatOptions *opts = NULL;
    GMimeStream *mem = NULL;
    GByteArray *bytes;
    char *subject = NULL, *id = NULL;
    const char *at;
    int rc = 0;

    if (!m->to_email || !mg_email_valid(m->to_email)) {
        mg_error_set(err, "to", "'%s' is not an email address",
                     m->to_email ? m->to_email : "");
        return MG_EINVAL;
    }
    if (!m->from_email || !mg_email_valid(m->from_email)) {
        mg_error_set(err, "from", "'%s' is not an email address",
                     m->from_email ? m->from_email : "");
        return MG_EINVAL;
    }
    if (!m->method ||
        (strcmp(m->method, "REQUEST") != 0 &&
         strcmp(m->method, "CANCEL") != 0 && strcmp(m->method, "REPLY") != 0)) {
        mg_error_set(err, "method", "unknown iTIP method");
        return MG_EINVAL;
    }
    mg_mail_init();
    msg = g_mime_message_new(TRUE);
    add_address(msg, GMIME_ADDRESS_TYPE_FROM, m->from_name, m->from_email);
    add_address(msg, GMIME_ADDRESS_TYPE_TO, m->to_name, m->to_email);
    subject = header_safe(m->subject);
    g_mime_message_set_subject(msg, subject, "utf-8");
    {
        GDateTime *now = g_date_time_new_now_utc();
        g_mime_message_set_date(msg, now);
        g_date_time_unref(now);
    }
    if (m->message_id) {
        id = header_safe(m->message_id);
    } else {
        unsigned char raw[16];
        char hex[33];
        mg_random_bytes(raw, sizeof(raw));
        mg_hex(hex, raw, sizeof(raw));
        at = strchr(m->from_email, '@');
        id = mg_xasprintf("%s@%s", hex, at ? at + 1 : "mingle.invalid");
    }
    g_mime_message_set_message_id(msg, id);

    plain = text_part("text", "plain", m->text ? m->text : "",
                      GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
    html = text_part("text", "html", m->html ? m->html : "",
                     GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
    cal = text_part("text", "calendar", m->ics ? m->ics : "",
                    GMIME_CONTENT_ENCODING_BASE64);
    g_mime_object_set_content_type_parameter(GMIME_OBJECT(cal), "charset",
                                             "UTF-8");
    g_mime_object_set_content_type_parameter(GMIME_OBJECT(cal), "method",
                                             m->method);
    attach = text_part("application", "ics", m->ics ? m->ics : "",
                       GMIME_CONTENT_ENCODING_BASE64);
    g_mime_object_set_content_type_parameter(GMIME_OBJECT(attach), "name",
                                             "invite.ics");
    g_mime_part_set_filename(attach, "invite.ics");
    g_mime_object_set_disposition(GMIME_OBJECT(attach), "attachment");

    alt = g_mime_multipart_new_with_subtype("alternative");
    g_mime_multipart_add(alt, GMIME_OBJECT(plain));
    g_mime_multipart_add(alt, GMIME_OBJECT(html));
    g_mime_multipart_add(alt, GMIME_OBJECT(cal));
    mixed = g_mime_multipart_new_with_subtype("mixed");
    g_mime_multipart_add(mixed, GMIME_OBJECT(alt));
    g_mime_multipart_add(mixed, GMIME_OBJECT(attach));
    g_mime_message_set_mime_part(msg, GMIME_OBJECT(mixed));
    g_object_unref(plain);
    g_object_unref(html);
    g_object_unref(cal);
    g_object_unref(attach);
    g_object_unref(alt);
    g_object_unref(mixed);

    opts = g_mime_format_options_new();
    g_mime_format_options_set_newline_format(opts, GMIME_NEWLINE_FORMAT_DOS);
    mem = g_mime_stream_mem_new();
    if (g_mime_object_write_to_stream(GMIME_OBJECT(msg), opts, mem) < 0) {
        mg_error_set(err, "mail", "cannot serialise the message");
        rc = MG_EIO;
        goto out;
    }
    bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
    *len = bytes->len;
    *out = mg_xstrndup((const char *)bytes->data, bytes->len);
out:
    if (mem)
        g_object_unref(mem);
    if (opts)
        g_mime_format_options_free(opts);
    g_object_unref(msg);
    free(subject);
    free(id);
    return rc;
}
