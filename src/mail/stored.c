/*
 * stored.c: outgoing mail as the outbox keeps it. An invitation is
 * queued as its iTIP document and its other parts ("imip": JSON with
 * the addresses, subject, text, Message-ID and Date) and assembled with
 * GMime when it is sent; anything else is queued as the message's bytes
 * ("mime"). The parts are checked when they are queued, so a stored invitation
 * always renders.
 */
#include "mingle/mail.h"
#include "mingle/html.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "internal.h"

#include "banned.h"

int mg_mail_imip_parts(char **parts, const struct mg_imip *m,
                       struct mg_error *err)
{
    json_t *doc;
    char *id = NULL;
    int rc = mg_mail_check_imip(m, err);

    if (rc == 0 && m->message_id)
        rc = mail_message_id_copy(&id, m->message_id, err);
    if (rc < 0)
        return rc;
    if (!id)
        id = mail_message_id_new(m->from_email);
    doc = json_pack("{s:s?, s:s, s:s?, s:s, s:s, s:s, s:s, s:s, s:I}",
                    "from_name", m->from_name, "from_email", m->from_email,
                    "to_name", m->to_name, "to_email", m->to_email, "subject",
                    m->subject ? m->subject : "", "text",
                    m->text ? m->text : "", "method", m->method, "message_id",
                    id, "date", (json_int_t)(m->date > 0 ? m->date : mg_now()));
    free(id);
    if (!doc) {
        mg_error_set(err, "message", "cannot store the invitation");
        return MG_EINVAL;
    }
    *parts = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return 0;
}

/* Member `key` of `doc` as a string, or NULL. */
static const char *member(json_t *doc, const char *key)
{
    return json_string_value(json_object_get(doc, key));
}

/* The text before a line's first digit when it has one and that text is
 * short ("Week " of "Week 3: ..."), else 0 bytes. */
static size_t number_prefix(const char *line, size_t n)
{
    size_t i;

    for (i = 0; i < n && i <= 40; i++)
        if (line[i] >= '0' && line[i] <= '9')
            return i;
    return 0;
}

/* Does line `b` continue a list that line `a` is in? */
static int same_list(const char *a, size_t na, const char *b, size_t nb)
{
    size_t pa = number_prefix(a, na), pb = number_prefix(b, nb);

    return pa > 0 && pa == pb && memcmp(a, b, pa) == 0;
}

/*
 * The HTML part of an invitation from its text: a paragraph per block of
 * lines between blank lines, line breaks kept, and two or more lines in
 * a row that start alike up to a number ("Week 1: ...", "Week 2: ...",
 * in whichever language) as a list.
 */
static void text_to_html(struct mg_html *h, const char *text)
{
    const char *line[2] = {NULL, NULL};
    size_t len[2] = {0, 0};
    const char *p = text ? text : "";
    int in_p = 0, in_list = 0;

    while (*p || line[1]) {
        const char *eol = strchr(p, '\n');
        size_t n = eol ? (size_t)(eol - p) : strlen(p);

        /* The line before (line[0]) is written once the next is known. */
        line[0] = line[1];
        len[0] = len[1];
        line[1] = *p || eol ? p : NULL;
        len[1] = n;
        if (line[1] && n && p[n - 1] == '\r')
            len[1]--;
        p += n + (eol != NULL);
        if (!line[0])
            continue;
        if (len[0] == 0) {
            if (in_p)
                mg_html(h, "</p>\n");
            if (in_list)
                mg_html(h, "</ul>\n");
            in_p = in_list = 0;
            continue;
        }
        if (!in_list && line[1] &&
            same_list(line[0], len[0], line[1], len[1])) {
            if (in_p)
                mg_html(h, "</p>\n");
            in_p = 0;
            in_list = 1;
            mg_html(h, "<ul>\n");
        }
        if (in_list) {
            mg_html(h, "<li>");
            mg_html_textn(h, line[0], len[0]);
            mg_html(h, "</li>\n");
            if (!line[1] || !same_list(line[0], len[0], line[1], len[1])) {
                mg_html(h, "</ul>\n");
                in_list = 0;
            }
            continue;
        }
        if (in_p)
            mg_html(h, "<br>\n");
        else
            mg_html(h, "<p>");
        in_p = 1;
        mg_html_textn(h, line[0], len[0]);
    }
    if (in_p)
        mg_html(h, "</p>\n");
}

static int render_imip(char **out, size_t *len, const char *ics, size_t n,
                       const char *parts, struct mg_error *err)
{
    json_error_t jerr;
    json_t *doc = parts ? json_loads(parts, 0, &jerr) : NULL;
    char *calendar = mg_xstrndup(ics, n);
    struct mg_html html = MG_HTML_INIT;
    struct mg_imip m;
    int rc;

    if (!json_is_object(doc)) {
        json_decref(doc);
        free(calendar);
        mg_error_set(err, "message", "stored invitation is not JSON: %s",
                     parts ? jerr.text : "no parts");
        return MG_EINVAL;
    }
    memset(&m, 0, sizeof(m));
    m.from_name = member(doc, "from_name");
    m.from_email = member(doc, "from_email");
    m.to_name = member(doc, "to_name");
    m.to_email = member(doc, "to_email");
    m.subject = member(doc, "subject");
    m.text = member(doc, "text");
    m.ics = calendar;
    m.method = member(doc, "method");
    m.message_id = member(doc, "message_id");
    m.date = json_integer_value(json_object_get(doc, "date"));
    text_to_html(&html, m.text);
    m.html = html.buf.data;
    rc = mg_mail_build_imip(out, len, &m, err);
    mg_html_release(&html);
    json_decref(doc);
    free(calendar);
    return rc;
}

int mg_mail_render(char **out, size_t *len, const char *format,
                   const char *message, size_t n, const char *parts,
                   struct mg_error *err)
{
    if (!format || strcmp(format, "mime") == 0) {
        *out = mg_xstrndup(message, n);
        *len = n;
        return 0;
    }
    if (strcmp(format, "imip") == 0)
        return render_imip(out, len, message, n, parts, err);
    mg_error_set(err, "format", "unknown stored mail format '%s'", format);
    return MG_EINVAL;
}
