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
    return rc;
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
    g_mime_message_set_mime_part(msg, GMIME_OBJECT(part));
    rc = mail_message_write(out, len, msg, err);
    g_object_unref(part);
    g_object_unref(msg);
    free(id);
    return rc;
}
