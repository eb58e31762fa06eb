/*
 * providers.c: each provider's webhook payload read into mg_inbound:
 * Mailgun's and SendGrid's forms (parsed fields, or the raw message),
 * Mandrill's batches of events, Postmark's and CloudMailin's JSON, and a
 * bare RFC 5322 message. Decoding (RFC 2047, charsets, UTF-8) is
 * mime_in.c's; signatures are checked by the caller before this runs.
 */
#include "mingle/inbound.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <jansson.h>

#include "internal.h"
#include "mingle/mail.h"

#include "banned.h"

/* More attachments than this in one message is not a real message. */
#define MAX_ATTACHMENTS 1000

static int missing(struct mg_error *err, const char *field)
{
    mg_error_set(err, field, "missing '%s'", field);
    return MG_EINVAL;
}

static void clear_recipients(struct mg_inbound *m)
{
    size_t i;

    for (i = 0; i < m->n_recipients; i++)
        free(m->recipients[i]);
    free(m->recipients);
    m->recipients = NULL;
    m->n_recipients = 0;
}

/* Replace *slot with s (which may be NULL). */
static void set(char **slot, char *s)
{
    free(*slot);
    *slot = s;
}

/* Text as the contract wants it: UTF-8, LF line ends. */
static char *text_of(const char *s, size_t len, const char *charset)
{
    char *t = mail_to_utf8(s, len, charset);

    mail_newlines(t);
    return t;
}

/* ---- JSON ---- */

/* `s` parsed as JSON of `type` into *out (json_decref()); MG_EINVAL
 * naming `field` otherwise. */
static int json_of(json_t **out, const char *s, size_t len, json_type type,
                   const char *field, struct mg_error *err)
{
    json_error_t jerr;
    json_t *doc = json_loadb(s, len, 0, &jerr);

    if (!doc || json_typeof(doc) != type) {
        if (doc)
            json_decref(doc);
        mg_error_set(err, field, "'%s' is not a JSON %s", field,
                     type == JSON_OBJECT ? "object" : "array");
        return MG_EINVAL;
    }
    *out = doc;
    return 0;
}

/* Member `key` of `obj` if it is a string (NULL when absent or null);
 * MG_EINVAL naming `field` when it is something else. */
static int jstr(const char **out, json_t *obj, const char *key,
                const char *field, struct mg_error *err)
{
    json_t *v = json_object_get(obj, key);

    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v)) {
        mg_error_set(err, field, "'%s' is not a string", field);
        return MG_EINVAL;
    }
    *out = json_string_value(v);
    return 0;
}

/* Member `key` if of `type`, else NULL; MG_EINVAL when another type. */
static int jget(json_t **out, json_t *obj, const char *key, json_type type,
                const char *field, struct mg_error *err)
{
    json_t *v = json_object_get(obj, key);

    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (json_typeof(v) != type) {
        mg_error_set(err, field, "'%s' is not a JSON %s", field,
                     type == JSON_OBJECT  ? "object"
                     : type == JSON_ARRAY ? "array"
                                          : "value of the right type");
        return MG_EINVAL;
    }
    *out = v;
    return 0;
}

/* A JSON string as text (UTF-8 already; NULs replaced, LF line ends). */
static char *jtext(json_t *v)
{
    return json_is_string(v)
               ? text_of(json_string_value(v), json_string_length(v), "utf-8")
               : NULL;
}

static char *jutf8(json_t *v)
{
    return json_is_string(v)
               ? mail_utf8(json_string_value(v), json_string_length(v))
               : NULL;
}

/* Header names compared as providers spell them: "Message-Id",
 * "message_id" and "MESSAGE-ID" are one. */
static int same_header(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a == '_' ? '-' : g_ascii_tolower(*a);
        char y = *b == '_' ? '-' : g_ascii_tolower(*b);

        if (x != y)
            return 0;
    }
    return *a == *b;
}

/* A header in a JSON object of name -> string or [strings]: the first
 * value, or NULL. */
static const char *jheader(json_t *headers, const char *name)
{
    const char *key;
    json_t *v;

    json_object_foreach(headers, key, v)
    {
        if (!same_header(key, name))
            continue;
        if (json_is_array(v))
            v = json_array_get(v, 0);
        return json_string_value(v);
    }
    return NULL;
}

/* Every value of that header joined with ", " (address lists); free(). */
static char *jheader_all(json_t *headers, const char *name)
{
    struct mg_buf b = MG_BUF_INIT;
    const char *key;
    json_t *v, *e;
    size_t i;

    json_object_foreach(headers, key, v)
    {
        if (!same_header(key, name))
            continue;
        if (json_is_string(v)) {
            if (b.len)
                mg_buf_puts(&b, ", ");
            mg_buf_puts(&b, json_string_value(v));
        }
        json_array_foreach(v, i, e)
        {
            if (!json_is_string(e))
                continue;
            if (b.len)
                mg_buf_puts(&b, ", ");
            mg_buf_puts(&b, json_string_value(e));
        }
    }
    if (!b.len)
        return NULL;
    return mg_buf_detach(&b);
}

/* Base64 in a JSON string decoded as an attachment. */
static void base64_attachment(struct mg_inbound *m, const char *name,
                              const char *type, const char *b64,
                              const struct mg_inbound_limits *lim)
{
    gsize n = 0;
    guchar *bytes = g_base64_decode(b64, &n);

    mail_add_attachment(m, name, type, (const char *)bytes, n, lim);
    g_free(bytes);
}

/* An attachment a provider gives as base64 `b64`, or, kept in its own
 * store, as its size alone (JSON integer `size`) when `b64` is NULL. */
static void json_attachment(struct mg_inbound *m, const char *name,
                            const char *type, const char *b64, json_t *size,
                            const struct mg_inbound_limits *lim)
{
    json_int_t bytes = json_integer_value(size);

    if (b64)
        base64_attachment(m, name, type, b64, lim);
    else
        mail_add_attachment(m, name, type, NULL, bytes > 0 ? (size_t)bytes : 0,
                            lim);
}

/* ---- forms ---- */

static const char *fval(const struct mg_form *f, const char *name)
{
    const struct mg_form_field *field = mg_form_get(f, name);

    return field ? field->value : NULL;
}

/* A form field as UTF-8 text from `charset`, or NULL when absent. */
static char *ftext(const struct mg_form *f, const char *name,
                   const char *charset)
{
    const struct mg_form_field *field = mg_form_get(f, name);

    return field ? text_of(field->value, field->len, charset) : NULL;
}

/* HTML as sent, only made UTF-8 (line ends kept). */
static char *fhtml(const struct mg_form *f, const char *name,
                   const char *charset)
{
    const struct mg_form_field *field = mg_form_get(f, name);

    return field ? mail_to_utf8(field->value, field->len, charset) : NULL;
}

static int present(const char *s)
{
    if (!s)
        return 0;
    while (g_ascii_isspace(*s))
        s++;
    return *s != '\0';
}

/* The form's fields but files, in order, as the audit payload: a JSON
 * array of [name, value] pairs, which keeps repeated names. */
static void form_raw(struct mg_inbound *m, const struct mg_form *f)
{
    json_t *pairs = json_array();
    size_t i;

    for (i = 0; f && i < f->n; i++) {
        const struct mg_form_field *field = &f->fields[i];
        char *name, *value;

        if (field->filename)
            continue;
        name = mail_utf8(field->name, strlen(field->name));
        value = mail_utf8(field->value, field->len);
        json_array_append_new(pairs, json_pack("[ss]", name, value));
        free(name);
        free(value);
    }
    free(m->raw);
    m->raw = json_dumps(pairs, JSON_COMPACT);
    if (!m->raw)
        abort(); /* jansson fails here only when out of memory */
    m->raw_len = strlen(m->raw);
    json_decref(pairs);
}

/* `prefix`1..N as files: N from the field `count_field` when given,
 * else as many as are in a row. `info` (SendGrid's attachment-info)
 * fills in a missing name or type. */
static int form_attachments(struct mg_inbound *m, const struct mg_form *f,
                            const char *count_field, const char *prefix,
                            json_t *info, const struct mg_inbound_limits *lim,
                            struct mg_error *err)
{
    const char *count = fval(f, count_field);
    long n = -1, i;
    char name[48];

    if (count && present(count)) {
        char *end;

        errno = 0;
        n = strtol(count, &end, 10);
        while (g_ascii_isspace(*end))
            end++;
        if (errno || *end || n < 0 || n > MAX_ATTACHMENTS || (size_t)n > f->n) {
            mg_error_set(err, count_field, "'%s' is not a count of files",
                         count_field);
            return MG_EINVAL;
        }
    }
    for (i = 1; n < 0 ? i <= MAX_ATTACHMENTS : i <= n; i++) {
        const struct mg_form_field *file;
        const char *filename, *type;
        json_t *about;

        snprintf(name, sizeof(name), "%s%ld", prefix, i);
        file = mg_form_get(f, name);
        if (!file) {
            if (n < 0)
                break;
            mg_error_set(err, name, "missing '%s' ('%s' is %ld)", name,
                         count_field, n);
            return MG_EINVAL;
        }
        about = json_object_get(info, name);
        filename = file->filename;
        if (!filename)
            filename = json_string_value(json_object_get(about, "filename"));
        if (!filename)
            filename = json_string_value(json_object_get(about, "name"));
        type = file->content_type;
        if (!type)
            type = json_string_value(json_object_get(about, "type"));
        mail_add_attachment(m, filename, type, file->value, file->len, lim);
    }
    return 0;
}

/* ---- Mailgun ---- */

/* A header in message-headers ([[name, value], ...]), or NULL. */
static const char *mailgun_header(json_t *headers, const char *name)
{
    json_t *pair;
    size_t i;

    json_array_foreach(headers, i, pair)
    {
        const char *key = json_string_value(json_array_get(pair, 0));
        const char *value = json_string_value(json_array_get(pair, 1));

        if (key && value && same_header(key, name))
            return value;
    }
    return NULL;
}

/* Form field `name`, else the header of that name in message-headers. */
static const char *mailgun_value(const struct mg_form *f, json_t *headers,
                                 const char *name)
{
    const char *v = fval(f, name);

    return present(v) ? v : mailgun_header(headers, name);
}

/* Mailgun's verdict: X-Mailgun-Spf (for the envelope sender) and
 * X-Mailgun-Dkim-Check-Result, as fields or in message-headers. */
static void mailgun_auth(struct mg_inbound *m, const struct mg_form *f,
                         const struct mg_form_field *mh)
{
    json_t *headers = mh ? json_loadb(mh->value, mh->len, 0, NULL) : NULL;
    const char *spf = mailgun_value(f, headers, "X-Mailgun-Spf");
    const char *dkim = mailgun_value(f, headers, "X-Mailgun-Dkim-Check-Result");
    char *env =
        m->sender ? NULL
                  : mail_address(mailgun_value(f, headers, "X-Envelope-From"));

    json_t *pair;
    size_t i;
    char d[256], signer[256] = "";

    /* Mailgun's DKIM result names no domain: the signatures in
     * message-headers do, and one must be the From domain's */
    json_array_foreach(headers, i, pair)
    {
        const char *key = json_string_value(json_array_get(pair, 0));
        const char *value = json_string_value(json_array_get(pair, 1));

        if (!key || !value || !same_header(key, "DKIM-Signature"))
            continue;
        mail_dkim_domain(d, sizeof(d), value);
        if (!signer[0] || mail_auth_aligned(d, m->from_email))
            snprintf(signer, sizeof(signer), "%s", d[0] ? d : "?");
    }
    mail_auth_provider(m, "mailgun", spf, env, dkim, signer[0] ? signer : NULL);
    free(env);
    if (headers)
        json_decref(headers);
}

static int parse_mailgun(struct mg_inbound *m, const struct mg_form *f,
                         const struct mg_inbound_limits *lim,
                         struct mg_error *err)
{
    const struct mg_form_field *mime = mg_form_get(f, "body-mime");
    const struct mg_form_field *mh = mg_form_get(f, "message-headers");
    const char *recipient = fval(f, "recipient"), *v;
    json_t *headers = NULL;
    int rc = 0;

    if (!present(recipient))
        return missing(err, "recipient");
    if (mime) {
        rc = mail_parse_mime(m, mime->value, mime->len, lim, 0, err);
        if (rc < 0)
            return rc;
    } else {
        if (mh) {
            rc = json_of(&headers, mh->value, mh->len, JSON_ARRAY,
                         "message-headers", err);
            if (rc < 0)
                return rc;
        }
        m->subject = ftext(f, "subject", "utf-8");
        v = mailgun_header(headers, "Subject");
        if (!m->subject && v)
            m->subject = mail_header_text(v);
        m->text = ftext(f, "body-plain", "utf-8");
        m->html = fhtml(f, "body-html", "utf-8");
        m->message_id = mail_message_id(fval(f, "Message-Id"));
        if (!m->message_id)
            m->message_id =
                mail_message_id(mailgun_header(headers, "Message-Id"));
        v = mailgun_header(headers, "In-Reply-To");
        m->in_reply_to = mail_message_id(v ? v : fval(f, "In-Reply-To"));
        v = mailgun_header(headers, "References");
        m->references = mail_message_id(v ? v : fval(f, "References"));
        v = mailgun_header(headers, "Date");
        m->date = mail_date(v ? v : fval(f, "Date"));
        rc = form_attachments(m, f, "attachment-count", "attachment-", NULL,
                              lim, err);
        if (rc < 0)
            goto out;
        form_raw(m, f);
    }
    /* no From (or none readable): kept for review when filed */
    mail_set_from(m, fval(f, "from"));
    /* the envelope recipient, not the To: of the message */
    clear_recipients(m);
    mail_add_recipients(m, recipient);
    if (!m->n_recipients) {
        mg_error_set(err, "recipient", "no address in 'recipient'");
        rc = MG_EINVAL;
        goto out;
    }
    set(&m->sender, mail_address(fval(f, "sender")));
    set(&m->stripped, ftext(f, "stripped-text", "utf-8"));
    mailgun_auth(m, f, mh);
    if (present(fval(f, "token")))
        set(&m->event_id,
            mail_utf8(fval(f, "token"), strlen(fval(f, "token"))));
    mail_text_from_html(m);
out:
    if (headers)
        json_decref(headers);
    return rc;
}

/* ---- SendGrid ---- */

/* The charset SendGrid names for a field (NULL: guess). */
static const char *charset_of(json_t *charsets, const char *field)
{
    return json_string_value(json_object_get(charsets, field));
}

/* Form field `name` decoded from the charset SendGrid names for it, or
 * NULL when absent; the caller's (free()). */
static char *decoded_field(const struct mg_form *f, json_t *charsets,
                           const char *name)
{
    const struct mg_form_field *field = mg_form_get(f, name);

    return field ? mail_to_utf8(field->value, field->len,
                                charset_of(charsets, name))
                 : NULL;
}

/* An optional form field holding a JSON object: *out is NULL when the
 * field is absent, else the caller's (json_decref()). */
static int form_json(json_t **out, const struct mg_form *f, const char *name,
                     struct mg_error *err)
{
    const struct mg_form_field *field = mg_form_get(f, name);

    *out = NULL;
    if (!field)
        return 0;
    return json_of(out, field->value, field->len, JSON_OBJECT, name, err);
}

/* SendGrid's verdict: SPF ("pass", for the envelope sender) and dkim,
 * "{@example.org : pass}" or several such, comma-separated, or "none". */
static void sendgrid_auth(struct mg_inbound *m, const struct mg_form *f)
{
    const char *spf = fval(f, "SPF"), *dkim = fval(f, "dkim"), *p;

    if (spf && !present(spf))
        spf = NULL;
    if (dkim && !present(dkim))
        dkim = NULL;
    mail_auth_provider(m, "sendgrid", spf, NULL,
                       dkim && !strchr(dkim, '@') ? dkim : NULL, NULL);
    for (p = dkim ? strchr(dkim, '@') : NULL; p; p = strchr(p, '@')) {
        char dom[256], result[32];
        size_t len = strcspn(++p, " :,}");

        if (len >= sizeof(dom))
            continue;
        memcpy(dom, p, len);
        dom[len] = '\0';
        p += len;
        p += strspn(p, " :");
        len = strcspn(p, " ,}");
        if (len == 0 || len >= sizeof(result))
            continue;
        memcpy(result, p, len);
        result[len] = '\0';
        mail_auth_provider(m, "sendgrid", NULL, NULL, result, dom);
    }
}

static int parse_sendgrid(struct mg_inbound *m, const struct mg_form *f,
                          const struct mg_inbound_limits *lim,
                          struct mg_error *err)
{
    const struct mg_form_field *email = mg_form_get(f, "email");
    const struct mg_form_field *field;
    json_t *envelope = NULL, *charsets = NULL, *info = NULL, *to, *e;
    struct mg_inbound h;
    char *s;
    const char *from;
    size_t i;
    int rc = 0;

    memset(&h, 0, sizeof(h));
    rc = form_json(&envelope, f, "envelope", err);
    if (rc == 0)
        rc = form_json(&charsets, f, "charsets", err);
    if (rc == 0)
        rc = form_json(&info, f, "attachment-info", err);
    if (rc < 0)
        goto out;
    if (email) {
        /* raw mode: the whole message */
        rc = mail_parse_mime(m, email->value, email->len, lim, 0, err);
        if (rc < 0)
            goto out;
    } else {
        if (!mg_form_get(f, "from") && !mg_form_get(f, "headers") &&
            !mg_form_get(f, "to") && !envelope) {
            rc = missing(err, "from");
            goto out;
        }
        field = mg_form_get(f, "headers");
        if (field) {
            /* the header block, parsed as a message without a body */
            struct mg_buf b = MG_BUF_INIT;

            mg_buf_add(&b, field->value, field->len);
            if (b.len && b.data[b.len - 1] != '\n')
                mg_buf_puts(&b, "\r\n");
            mg_buf_puts(&b, "\r\n");
            rc = mail_parse_mime(&h, b.data, b.len, NULL, 0, err);
            mg_buf_release(&b);
            if (rc < 0) {
                mg_error_set(err, "headers", "'headers' is not a header block");
                goto out;
            }
        }
        s = decoded_field(f, charsets, "from");
        if (s)
            mail_set_from(m, s);
        free(s);
        s = decoded_field(f, charsets, "to");
        if (s)
            mail_add_recipients(m, s);
        free(s);
        s = decoded_field(f, charsets, "cc");
        if (s)
            mail_add_recipients(m, s);
        free(s);
        m->subject = decoded_field(f, charsets, "subject");
        m->text = ftext(f, "text", charset_of(charsets, "text"));
        m->html = fhtml(f, "html", charset_of(charsets, "html"));
        if (!m->from_email) {
            m->from_email = h.from_email;
            m->from_name = h.from_name;
            h.from_email = h.from_name = NULL;
        }
        if (!m->subject) {
            m->subject = h.subject;
            h.subject = NULL;
        }
        if (!m->n_recipients) {
            m->recipients = h.recipients;
            m->n_recipients = h.n_recipients;
            h.recipients = NULL;
            h.n_recipients = 0;
        }
        m->message_id = h.message_id;
        m->in_reply_to = h.in_reply_to;
        m->references = h.references;
        m->date = h.date;
        h.message_id = h.in_reply_to = h.references = NULL;
        rc =
            form_attachments(m, f, "attachments", "attachment", info, lim, err);
        if (rc < 0)
            goto out;
        form_raw(m, f);
    }
    if (!m->from_email)
        mail_set_from(m, fval(f, "from"));
    if (envelope) {
        to = json_object_get(envelope, "to");
        if (json_is_string(to) || json_array_size(to))
            clear_recipients(m);
        if (json_is_string(to))
            mail_add_recipient(m, json_string_value(to));
        json_array_foreach(to, i, e)
        {
            if (json_is_string(e))
                mail_add_recipient(m, json_string_value(e));
        }
        from = json_string_value(json_object_get(envelope, "from"));
        set(&m->sender, mail_address(from));
    }
    if (!m->from_email && !m->n_recipients) {
        mg_error_set(err, "from", "no sender and no recipient address");
        rc = MG_EINVAL;
        goto out;
    }
    sendgrid_auth(m, f);
    mail_text_from_html(m);
out:
    mg_inbound_release(&h);
    if (envelope)
        json_decref(envelope);
    if (charsets)
        json_decref(charsets);
    if (info)
        json_decref(info);
    return rc;
}

/* ---- Postmark ---- */

/* Each {Email} of a ToFull/CcFull/BccFull array as a recipient. */
static int postmark_people(struct mg_inbound *m, json_t *doc, const char *key,
                           struct mg_error *err)
{
    json_t *list, *p;
    size_t i;
    int rc = jget(&list, doc, key, JSON_ARRAY, key, err);

    json_array_foreach(list, i, p)
    {
        mail_add_recipient(m, json_string_value(json_object_get(p, "Email")));
    }
    return rc;
}

/* Postmark's verdict: its Received-SPF header (the first: Postmark's
 * own, above any the message brought), "Pass (...) identity=mailfrom;
 * envelope-from=x@example.org; ...", and Authentication-Results headers
 * from a configured authserv-id. */
static void postmark_auth(struct mg_inbound *m, json_t *headers,
                          const struct mg_inbound_limits *lim)
{
    const char *spf = NULL, *p;
    char result[32] = "", *env = NULL;
    json_t *h;
    size_t i, len;
    int run = 0;

    json_array_foreach(headers, i, h)
    {
        const char *name = json_string_value(json_object_get(h, "Name"));
        const char *value = json_string_value(json_object_get(h, "Value"));

        if (!name || !value)
            continue;
        if (same_header(name, "Received-SPF") && !spf)
            spf = value;
        mail_auth_header(m, &run, name, value, lim ? lim->authserv_id : NULL);
    }
    if (spf) {
        spf += strspn(spf, " \t");
        len = strcspn(spf, " \t(;");
        if (len < sizeof(result)) {
            memcpy(result, spf, len);
            result[len] = '\0';
        }
        p = strstr(spf, "envelope-from=");
        if (p) {
            p += strlen("envelope-from=");
            p += strspn(p, "\"<");
            len = strcspn(p, "\">; \t");
            env = mg_xstrndup(p, len);
        }
    }
    mail_auth_provider(m, "postmark", spf ? result : NULL, env, NULL, NULL);
    free(env);
}

static int parse_postmark(struct mg_inbound *m, const char *body, size_t len,
                          const struct mg_inbound_limits *lim,
                          struct mg_error *err)
{
    json_t *doc = NULL, *from, *headers, *list, *h, *a;
    const char *s;
    size_t i;
    int rc;

    rc = json_of(&doc, body ? body : "", body ? len : 0, JSON_OBJECT, "body",
                 err);
    if (rc < 0)
        return rc;
    rc = jget(&from, doc, "FromFull", JSON_OBJECT, "FromFull", err);
    if (rc < 0)
        goto out;
    s = json_string_value(json_object_get(from, "Email"));
    if (s && present(s)) {
        m->from_email = mail_address(s);
        s = json_string_value(json_object_get(from, "Name"));
        if (s && present(s))
            m->from_name = mail_utf8(s, strlen(s));
    } else {
        mail_set_from(m, json_string_value(json_object_get(doc, "From")));
    }
    rc = jstr(&s, doc, "OriginalRecipient", "OriginalRecipient", err);
    if (rc < 0)
        goto out;
    mail_add_recipient(m, s);
    if (!m->n_recipients) {
        static const char *const people[] = {"ToFull", "CcFull", "BccFull"};

        for (i = 0; i < 3; i++) {
            rc = postmark_people(m, doc, people[i], err);
            if (rc < 0)
                goto out;
        }
    }
    if (!m->n_recipients) {
        mail_add_recipients(m, json_string_value(json_object_get(doc, "To")));
        mail_add_recipients(m, json_string_value(json_object_get(doc, "Cc")));
    }
    /* no From (or none readable) to a group is kept for review; with
     * neither, it is no message */
    if (!m->from_email && !m->n_recipients) {
        rc = missing(err, "FromFull");
        goto out;
    }
    m->subject = jutf8(json_object_get(doc, "Subject"));
    m->event_id = jutf8(json_object_get(doc, "MessageID"));
    m->text = jtext(json_object_get(doc, "TextBody"));
    m->html = jutf8(json_object_get(doc, "HtmlBody"));
    m->stripped = jtext(json_object_get(doc, "StrippedTextReply"));
    rc = jget(&headers, doc, "Headers", JSON_ARRAY, "Headers", err);
    if (rc < 0)
        goto out;
    json_array_foreach(headers, i, h)
    {
        const char *name = json_string_value(json_object_get(h, "Name"));
        const char *value = json_string_value(json_object_get(h, "Value"));

        if (!name || !value)
            continue;
        if (same_header(name, "Message-ID") && !m->message_id)
            m->message_id = mail_message_id(value);
        else if (same_header(name, "In-Reply-To") && !m->in_reply_to)
            m->in_reply_to = mail_message_id(value);
        else if (same_header(name, "References") && !m->references)
            m->references = mail_message_id(value);
        else if (same_header(name, "Date") && !m->date)
            m->date = mail_date(value);
        else if (same_header(name, "Return-Path") && !m->sender)
            m->sender = mail_address(value);
    }
    postmark_auth(m, headers, lim);
    if (!m->date)
        m->date = mail_date(json_string_value(json_object_get(doc, "Date")));
    rc = jget(&list, doc, "Attachments", JSON_ARRAY, "Attachments", err);
    if (rc < 0)
        goto out;
    json_array_foreach(list, i, a)
    {
        const char *name = json_string_value(json_object_get(a, "Name"));
        const char *type = json_string_value(json_object_get(a, "ContentType"));
        /* Postmark says Content; its own test payload says Data */
        const char *b64 = json_string_value(json_object_get(a, "Content"));

        if (!b64)
            b64 = json_string_value(json_object_get(a, "Data"));
        json_attachment(m, name, type, b64, json_object_get(a, "ContentLength"),
                        lim);
    }
    mail_text_from_html(m);
    mail_keep_raw(m, body, len);
out:
    json_decref(doc);
    return rc;
}

/* ---- Mandrill ---- */

/* Mandrill's {key: {name, type, content, base64}} as attachments. */
static void mandrill_files(struct mg_inbound *m, json_t *files,
                           const struct mg_inbound_limits *lim)
{
    const char *key;
    json_t *file;

    json_object_foreach(files, key, file)
    {
        const char *name = json_string_value(json_object_get(file, "name"));
        const char *type = json_string_value(json_object_get(file, "type"));
        json_t *content = json_object_get(file, "content");

        if (!name)
            name = key;
        if (!json_is_string(content))
            continue;
        if (json_is_true(json_object_get(file, "base64")))
            base64_attachment(m, name, type, json_string_value(content), lim);
        else
            mail_add_attachment(m, name, type, json_string_value(content),
                                json_string_length(content), lim);
    }
}

/* Mandrill's verdict: msg.spf {result} and msg.dkim {signed, valid}. */
static void mandrill_auth(struct mg_inbound *m, json_t *msg)
{
    json_t *dkim = json_object_get(msg, "dkim");
    const char *spf = json_string_value(
        json_object_get(json_object_get(msg, "spf"), "result"));
    const char *d = NULL;

    json_t *headers = json_object_get(msg, "headers"), *v, *e;
    const char *key;
    char domain[256], signer[256] = "";
    size_t i;

    if (json_is_true(json_object_get(dkim, "signed")))
        d = json_is_true(json_object_get(dkim, "valid")) ? "pass" : "fail";
    else if (json_is_object(dkim))
        d = "none";
    /* msg.dkim names no domain: the signatures in msg.headers do, and
     * one must be the From domain's */
    json_object_foreach(headers, key, v)
    {
        if (!same_header(key, "DKIM-Signature"))
            continue;
        for (i = 0; i < (json_is_array(v) ? json_array_size(v) : 1); i++) {
            e = json_is_array(v) ? json_array_get(v, i) : v;
            if (!json_is_string(e))
                continue;
            mail_dkim_domain(domain, sizeof(domain), json_string_value(e));
            if (!signer[0] || mail_auth_aligned(domain, m->from_email))
                snprintf(signer, sizeof(signer), "%s",
                         domain[0] ? domain : "?");
        }
    }
    mail_auth_provider(m, "mandrill", spf, NULL, d, signer[0] ? signer : NULL);
}

static int mandrill_one(struct mg_inbound *m, json_t *ev, size_t index,
                        const struct mg_inbound_limits *lim,
                        struct mg_error *err)
{
    char field[64];
    json_t *msg = json_object_get(ev, "msg"), *raw, *headers, *to, *p;
    const char *s;
    char *addr;
    size_t i;
    int rc;

    snprintf(field, sizeof(field), "mandrill_events[%zu].msg", index);
    if (!json_is_object(msg))
        return missing(err, field);
    raw = json_object_get(msg, "raw_msg");
    if (json_is_string(raw) && json_string_length(raw) > 0) {
        rc = mail_parse_mime(m, json_string_value(raw), json_string_length(raw),
                             lim, 0, err);
        if (rc < 0)
            return rc;
    } else {
        m->subject = jutf8(json_object_get(msg, "subject"));
        m->text = jtext(json_object_get(msg, "text"));
        m->html = jutf8(json_object_get(msg, "html"));
        headers = json_object_get(msg, "headers");
        m->message_id = mail_message_id(jheader(headers, "Message-Id"));
        m->in_reply_to = mail_message_id(jheader(headers, "In-Reply-To"));
        m->references = mail_message_id(jheader(headers, "References"));
        m->date = mail_date(jheader(headers, "Date"));
        to = json_object_get(msg, "to");
        json_array_foreach(to, i, p)
        {
            mail_add_recipient(m, json_string_value(json_array_get(p, 0)));
        }
        mandrill_files(m, json_object_get(msg, "attachments"), lim);
        mandrill_files(m, json_object_get(msg, "images"), lim);
        m->raw = json_dumps(ev, JSON_COMPACT);
        if (!m->raw)
            abort(); /* out of memory */
        m->raw_len = strlen(m->raw);
    }
    s = json_string_value(json_object_get(msg, "from_email"));
    if (s && present(s) && !m->from_email) {
        m->from_email = mail_address(s);
        s = json_string_value(json_object_get(msg, "from_name"));
        if (s && present(s))
            m->from_name = mail_utf8(s, strlen(s));
    }
    /* the address the message came in at (the envelope recipient) */
    s = json_string_value(json_object_get(msg, "email"));
    addr = mail_address(s);
    if (addr) {
        clear_recipients(m);
        mail_add_recipient(m, addr);
    }
    free(addr);
    if (!m->from_email && !m->n_recipients) {
        snprintf(field, sizeof(field), "mandrill_events[%zu].msg.from_email",
                 index);
        return missing(err, field);
    }
    m->event_id = jutf8(json_object_get(ev, "_id"));
    mandrill_auth(m, msg);
    mail_text_from_html(m);
    return 0;
}

static int parse_mandrill(struct mg_inbound **out, size_t *n,
                          const struct mg_form *f,
                          const struct mg_inbound_limits *lim,
                          struct mg_error *err)
{
    const struct mg_form_field *field = mg_form_get(f, "mandrill_events");
    struct mg_inbound *msgs = NULL;
    json_t *events = NULL, *ev;
    size_t i, count = 0, k = 0;
    int rc;

    if (!field)
        return missing(err, "mandrill_events");
    rc = json_of(&events, field->value, field->len, JSON_ARRAY,
                 "mandrill_events", err);
    if (rc < 0)
        return rc;
    json_array_foreach(events, i, ev)
    {
        const char *type = json_string_value(json_object_get(ev, "event"));

        if (!json_is_object(ev)) {
            mg_error_set(err, "mandrill_events",
                         "event %zu is not a JSON object", i);
            rc = MG_EINVAL;
            goto out;
        }
        if (type && strcmp(type, "inbound") == 0)
            count++;
    }
    if (count)
        msgs = mg_xcalloc(count, sizeof(*msgs));
    json_array_foreach(events, i, ev)
    {
        const char *type = json_string_value(json_object_get(ev, "event"));

        if (!type || strcmp(type, "inbound") != 0)
            continue;
        rc = mandrill_one(&msgs[k], ev, i, lim, err);
        k++;
        if (rc < 0)
            goto out;
    }
    *out = msgs;
    *n = count;
    msgs = NULL;
out:
    mg_inbounds_free(msgs, k);
    json_decref(events);
    return rc;
}

/* ---- CloudMailin ---- */

static int parse_cloudmailin(struct mg_inbound *m, const char *body, size_t len,
                             const struct mg_inbound_limits *lim,
                             struct mg_error *err)
{
    json_t *doc = NULL, *envelope, *headers, *list, *a;
    const char *s;
    char *joined;
    size_t i;
    int rc;

    rc = json_of(&doc, body ? body : "", body ? len : 0, JSON_OBJECT, "body",
                 err);
    if (rc < 0)
        return rc;
    rc = jget(&envelope, doc, "envelope", JSON_OBJECT, "envelope", err);
    if (rc == 0)
        rc = jget(&headers, doc, "headers", JSON_OBJECT, "headers", err);
    if (rc == 0)
        rc = jget(&list, doc, "attachments", JSON_ARRAY, "attachments", err);
    if (rc < 0)
        goto out;
    if (!envelope || !headers) {
        rc = missing(err, envelope ? "headers" : "envelope");
        goto out;
    }
    json_array_foreach(json_object_get(envelope, "recipients"), i, a)
    {
        mail_add_recipient(m, json_string_value(a));
    }
    if (!m->n_recipients)
        mail_add_recipient(m,
                           json_string_value(json_object_get(envelope, "to")));
    if (!m->n_recipients) {
        joined = jheader_all(headers, "To");
        mail_add_recipients(m, joined);
        free(joined);
        joined = jheader_all(headers, "Cc");
        mail_add_recipients(m, joined);
        free(joined);
    }
    m->sender =
        mail_address(json_string_value(json_object_get(envelope, "from")));
    mail_set_from(m, jheader(headers, "From"));
    if (!m->from_email && m->sender)
        m->from_email = mg_xstrdup(m->sender);
    if (!m->from_email && !m->n_recipients) {
        rc = missing(err, "headers.from");
        goto out;
    }
    /* CloudMailin's verdict: envelope.spf {result, domain} */
    mail_auth_provider(m, "cloudmailin",
                       json_string_value(json_object_get(
                           json_object_get(envelope, "spf"), "result")),
                       json_string_value(json_object_get(
                           json_object_get(envelope, "spf"), "domain")),
                       NULL, NULL);
    s = jheader(headers, "Subject");
    if (s) /* decoded or not, depending on the format's version */
        m->subject = mail_header_text(s);
    m->message_id = mail_message_id(jheader(headers, "Message-ID"));
    m->in_reply_to = mail_message_id(jheader(headers, "In-Reply-To"));
    m->references = mail_message_id(jheader(headers, "References"));
    m->date = mail_date(jheader(headers, "Date"));
    m->text = jtext(json_object_get(doc, "plain"));
    m->html = jutf8(json_object_get(doc, "html"));
    m->stripped = jtext(json_object_get(doc, "reply_plain"));
    json_array_foreach(list, i, a)
    {
        const char *name = json_string_value(json_object_get(a, "file_name"));
        const char *type =
            json_string_value(json_object_get(a, "content_type"));
        const char *b64 = json_string_value(json_object_get(a, "content"));

        json_attachment(m, name, type, b64, json_object_get(a, "size"), lim);
    }
    mail_text_from_html(m);
    mail_keep_raw(m, body, len);
out:
    json_decref(doc);
    return rc;
}

/* ---- the entry point ---- */

/* Subjects and names are one line, however a provider's JSON or form
 * gave them (a header is unfolded already). */
static void one_line(struct mg_inbound *m, size_t n)
{
    size_t i;

    for (i = 0; m && i < n; i++) {
        mg_mail_one_line(m[i].subject);
        mg_mail_one_line(m[i].from_name);
    }
}

int mg_inbound_parse(struct mg_inbound **out, size_t *n, const char *provider,
                     const struct mg_form *form, const char *body,
                     size_t body_len, const struct mg_inbound_limits *lim,
                     struct mg_error *err)
{
    static const struct mg_form empty;
    struct mg_inbound *m;
    int rc;

    *out = NULL;
    *n = 0;
    mg_mail_init();
    if (!form)
        form = &empty;
    if (provider && strcmp(provider, "mandrill") == 0) {
        rc = parse_mandrill(out, n, form, lim, err);
        one_line(*out, *n);
        return rc;
    }
    m = mg_xcalloc(1, sizeof(*m));
    if (!provider) {
        rc = missing(err, "provider");
    } else if (strcmp(provider, "mailgun") == 0) {
        rc = parse_mailgun(m, form, lim, err);
    } else if (strcmp(provider, "sendgrid") == 0) {
        rc = parse_sendgrid(m, form, lim, err);
    } else if (strcmp(provider, "postmark") == 0) {
        rc = parse_postmark(m, body, body_len, lim, err);
    } else if (strcmp(provider, "cloudmailin") == 0) {
        rc = parse_cloudmailin(m, body, body_len, lim, err);
    } else if (strcmp(provider, "mime") == 0) {
        rc = mg_inbound_from_mime(m, body, body_len, lim, err);
        if (rc < 0 && !body)
            mg_error_set(err, "body", "missing 'body'");
    } else {
        mg_error_set(err, "provider", "unknown provider '%s'", provider);
        rc = MG_EINVAL;
    }
    if (rc < 0) {
        mg_inbounds_free(m, 1);
        return rc;
    }
    *out = m;
    *n = 1;
    one_line(m, 1);
    return 0;
}
