/*
 * mime_in.c: a received RFC 5322 message turned into an mg_inbound with
 * GMime (headers, the text, HTML and calendar parts, attachments), and
 * the decoding helpers the provider parsers share: RFC 2047 headers,
 * addresses, charsets, UTF-8 repair. Which provider posted what shape is
 * providers.c's business.
 */
#include "mingle/inbound.h"
#include "mingle/mail.h"

#include "mingle/circle.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include <gmime/gmime.h>

#include "internal.h"

#include "banned.h"

/* Longest Message-ID kept (a header line's limit). */
#define MAX_MESSAGE_ID 998

static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */

/*
 * Invalid UTF-8 is replaced, not refused: a member's note should not
 * bounce over one stray byte, and the raw message keeps the original.
 */
char *mail_utf8(const char *s, size_t len)
{
    struct mg_buf b = MG_BUF_INIT;
    const char *end;

    while (len > 0) {
        /* with a length, g_utf8_validate() also stops at a NUL */
        if (g_utf8_validate(s, (gssize)len, &end)) {
            mg_buf_add(&b, s, len);
            break;
        }
        mg_buf_add(&b, s, (size_t)(end - s));
        mg_buf_add(&b, replacement, sizeof(replacement) - 1);
        len -= (size_t)(end - s) + 1;
        s = end + 1;
    }
    return mg_buf_detach(&b);
}

void mail_newlines(char *s)
{
    char *w = s;

    for (; *s; s++) {
        if (*s == '\r') {
            *w++ = '\n';
            if (s[1] == '\n')
                s++;
        } else {
            *w++ = *s;
        }
    }
    *w = '\0';
}

/* Mail labelled Latin-1 or ASCII is, in practice, windows-1252 (curly
 * quotes, the euro sign); WHATWG decoders make the same choice. */
static const char *effective_charset(const char *charset)
{
    static const char *const latin1[] = {"iso-8859-1", "iso8859-1",
                                         "latin1",     "us-ascii",
                                         "ascii",      "ansi_x3.4-1968"};
    const char *name = g_mime_charset_iconv_name(charset);
    size_t i;

    for (i = 0; i < sizeof(latin1) / sizeof(latin1[0]); i++)
        if (g_ascii_strcasecmp(name, latin1[i]) == 0 ||
            g_ascii_strcasecmp(charset, latin1[i]) == 0)
            return "windows-1252";
    return name;
}

/* Bytes with no (usable) charset: UTF-8 if they are, else GMime's guess
 * (its user charsets, then Latin-1). */
static char *guess_utf8(const char *s, size_t len)
{
    const char *p = s, *end;
    size_t left = len;
    char *guess, *out;

    /* UTF-8 but for NULs (which mail_utf8() replaces) is UTF-8 */
    while (left > 0 && !g_utf8_validate(p, (gssize)left, &end) && !*end) {
        left -= (size_t)(end - p) + 1;
        p = end + 1;
    }
    if (left == 0 || g_utf8_validate(p, (gssize)left, NULL))
        return mail_utf8(s, len);
    guess = g_mime_utils_decode_8bit(NULL, s, len);
    out = mail_utf8(guess, strlen(guess));
    g_free(guess);
    return out;
}

/*
 * `len` bytes from `charset` to UTF-8 with GMime's iconv (its charset
 * aliases and cached descriptors); NULL when iconv does not know the
 * charset. A byte that is not in the charset (0x81 in windows-1252, a
 * truncated multibyte character) becomes U+FFFD: GMimeFilterCharset
 * would silently drop it and glue the words around it together.
 */
static char *convert(const char *s, size_t len, const char *charset)
{
    struct mg_buf b = MG_BUF_INIT;
    iconv_t cd = g_mime_iconv_open("UTF-8", charset);
    char *in = (char *)s, out[1024], *o;
    size_t inleft = len, oleft, r;
    char *result;

    if (cd == (iconv_t)-1)
        return NULL;
    while (inleft > 0) {
        o = out;
        oleft = sizeof(out);
        r = g_mime_iconv(cd, &in, &inleft, &o, &oleft);
        mg_buf_add(&b, out, (size_t)(o - out));
        if (r == (size_t)-1 && errno != E2BIG) {
            /* EILSEQ, or EINVAL for a character cut off at the end */
            mg_buf_add(&b, replacement, sizeof(replacement) - 1);
            in++;
            inleft--;
        }
    }
    o = out;
    oleft = sizeof(out);
    g_mime_iconv(cd, NULL, NULL, &o, &oleft); /* a stateful charset's end */
    mg_buf_add(&b, out, (size_t)(o - out));
    g_mime_iconv_close(cd);
    /* NULs (UTF-16's zeros decoded) and anything iconv let through */
    result = mail_utf8(b.data ? b.data : "", b.len);
    mg_buf_release(&b);
    return result;
}

char *mail_to_utf8(const char *s, size_t len, const char *charset)
{
    const char *name;
    char *out;

    if (!charset || !*charset)
        return guess_utf8(s, len);
    name = effective_charset(charset);
    if (g_ascii_strcasecmp(name, "utf-8") == 0 ||
        g_ascii_strcasecmp(name, "utf8") == 0)
        return mail_utf8(s, len);
    out = convert(s, len, name);
    return out ? out : guess_utf8(s, len);
}

/*
 * GMime 3.2.13 drops the rest of a header after a base64 encoded-word
 * that ends in padding ('='), when more B words of the same charset
 * follow: rfc2047_decode_tokens() joins such a run (so that a character
 * split across two words survives) and feeds every payload through one
 * g_mime_encoding_base64_decode_step() state, and that decoder now ends
 * the stream at the first '=' (state -1) and returns nothing after it.
 * A 118-character Maori subject in 13-byte words came back as its first
 * 13 bytes; Q words, one B word, and B words whose payloads are
 * multiples of 3 bytes are fine; no parser option (rfc2047 compliance
 * mode included) changes it. So before GMime decodes a header we
 * rewrite each B word as the equivalent Q word, decoding each payload
 * with a fresh decoder state; GMime then joins the run, converts the
 * charset and applies its usual workarounds to the Q words. CR and LF
 * are dropped on the way (unfolding).
 */
static char *b_words_as_q(const char *in)
{
    static const char hex[] = "0123456789ABCDEF";
    struct mg_buf b = MG_BUF_INIT;
    const char *p = in;

    while (*p) {
        const char *cs, *q, *payload, *end;
        unsigned char *raw;
        guint32 save = 0;
        int state = 0;
        size_t n, i;

        if (*p == '\r' || *p == '\n') {
            p++;
            continue;
        }
        if (p[0] != '=' || p[1] != '?') {
            mg_buf_add(&b, p++, 1);
            continue;
        }
        cs = q = p + 2;
        while (*q && *q != '?' && !g_ascii_isspace(*q))
            q++;
        if (q == cs || q[0] != '?' || (q[1] != 'b' && q[1] != 'B') ||
            q[2] != '?') {
            mg_buf_add(&b, p, 2);
            p += 2;
            continue;
        }
        payload = end = q + 3;
        while (*end && !(end[0] == '?' && end[1] == '=') &&
               !g_ascii_isspace(*end))
            end++;
        if (end[0] != '?') {
            mg_buf_add(&b, p, 2);
            p += 2;
            continue;
        }
        raw = mg_xmalloc((size_t)(end - payload) + 4);
        n = g_mime_encoding_base64_decode_step((const unsigned char *)payload,
                                               (size_t)(end - payload), raw,
                                               &state, &save);
        mg_buf_puts(&b, "=?");
        mg_buf_add(&b, cs, (size_t)(q - cs));
        mg_buf_puts(&b, "?q?");
        for (i = 0; i < n; i++) {
            char e[3] = {'=', hex[raw[i] >> 4], hex[raw[i] & 15]};

            mg_buf_add(&b, e, 3);
        }
        mg_buf_puts(&b, "?=");
        free(raw);
        p = end + 2;
    }
    return mg_buf_detach(&b);
}

/* A copy of `s` without leading and trailing white space. */
static char *trimmed(const char *s)
{
    size_t n;

    while (g_ascii_isspace(*s))
        s++;
    n = strlen(s);
    while (n > 0 && g_ascii_isspace(s[n - 1]))
        n--;
    return mail_utf8(s, n);
}

char *mail_header_text(const char *raw)
{
    char *q = b_words_as_q(raw);
    char *decoded = g_mime_utils_header_decode_text(NULL, q);
    char *out = trimmed(decoded);

    g_free(decoded);
    free(q);
    return out;
}

char *mail_address(const char *addr)
{
    size_t n, i;
    char *out;

    if (!addr)
        return NULL;
    while (g_ascii_isspace(*addr) || *addr == '<')
        addr++;
    n = strlen(addr);
    while (n > 0 && (g_ascii_isspace(addr[n - 1]) || addr[n - 1] == '>'))
        n--;
    /* "<>" (a bounce's sender) and local names are no addresses */
    if (n == 0 || !memchr(addr, '@', n))
        return NULL;
    out = mail_utf8(addr, n);
    for (i = 0; out[i]; i++)
        out[i] = g_ascii_tolower(out[i]);
    /* whatever gave it (a header, a JSON field, a form), an address is
     * one address fit for a header, as a participant's must be */
    if (!mg_email_valid(out)) {
        free(out);
        return NULL;
    }
    return out;
}

void mg_mail_one_line(char *s)
{
    char *w = s, *r = s;

    if (!s)
        return;
    for (; *r; r++) {
        if ((unsigned char)*r < 0x20 || *r == 0x7f) {
            /* a run of line breaks and tabs is one space */
            if (w > s && w[-1] != ' ')
                *w++ = ' ';
        } else {
            *w++ = *r;
        }
    }
    while (w > s && w[-1] == ' ')
        w--;
    *w = '\0';
}

void mail_add_recipient(struct mg_inbound *m, const char *addr)
{
    char *a = mail_address(addr);
    size_t i;

    if (!a)
        return;
    for (i = 0; i < m->n_recipients; i++) {
        if (strcmp(m->recipients[i], a) == 0) {
            free(a);
            return;
        }
    }
    m->recipients = mg_xrealloc(m->recipients,
                                (m->n_recipients + 1) * sizeof(*m->recipients));
    m->recipients[m->n_recipients++] = a;
}

static InternetAddressList *parse_addresses(const char *value)
{
    char *q = b_words_as_q(value);
    InternetAddressList *list = internet_address_list_parse(NULL, q);

    free(q);
    return list;
}

typedef void (*mailbox_fn)(InternetAddressMailbox *mb, void *ctx);

/* Calls fn on each mailbox, groups opened; returns when fn says stop. */
static void each_mailbox(InternetAddressList *list, mailbox_fn fn, void *ctx,
                         int depth)
{
    int i, n = list ? internet_address_list_length(list) : 0;

    for (i = 0; i < n; i++) {
        InternetAddress *ia = internet_address_list_get_address(list, i);

        if (INTERNET_ADDRESS_IS_MAILBOX(ia))
            fn(INTERNET_ADDRESS_MAILBOX(ia), ctx);
        else if (INTERNET_ADDRESS_IS_GROUP(ia) && depth < 2)
            each_mailbox(
                internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia)),
                fn, ctx, depth + 1);
    }
}

static void take_from(InternetAddressMailbox *mb, void *ctx)
{
    struct mg_inbound *m = ctx;
    const char *name = internet_address_get_name(INTERNET_ADDRESS(mb));
    char *addr = mail_address(internet_address_mailbox_get_addr(mb));

    if (m->from_email || !addr) {
        free(addr);
        return;
    }
    m->from_email = addr;
    if (name && *name) {
        m->from_name = trimmed(name);
        if (!m->from_name[0]) {
            free(m->from_name);
            m->from_name = NULL;
        }
    }
}

void mail_set_from(struct mg_inbound *m, const char *value)
{
    InternetAddressList *list;

    if (m->from_email || !value)
        return;
    list = parse_addresses(value);
    each_mailbox(list, take_from, m, 0);
    if (list)
        g_object_unref(list);
}

static void take_recipient(InternetAddressMailbox *mb, void *ctx)
{
    mail_add_recipient(ctx, internet_address_mailbox_get_addr(mb));
}

void mail_add_recipients(struct mg_inbound *m, const char *value)
{
    InternetAddressList *list;

    if (!value)
        return;
    list = parse_addresses(value);
    each_mailbox(list, take_recipient, m, 0);
    if (list)
        g_object_unref(list);
}

char *mail_message_id(const char *raw)
{
    char *id, *out = NULL;
    size_t i, n;

    if (!raw)
        return NULL;
    id = g_mime_utils_decode_message_id(raw);
    if (!id)
        return NULL;
    n = strlen(id);
    for (i = 0; i < n; i++)
        if ((unsigned char)id[i] <= ' ' || (unsigned char)id[i] >= 0x7f)
            break;
    if (n > 0 && n <= MAX_MESSAGE_ID && i == n)
        out = mg_xstrdup(id);
    g_free(id);
    return out;
}

int64_t mail_date(const char *raw)
{
    GDateTime *dt;
    int64_t t;

    if (!raw)
        return 0;
    dt = g_mime_utils_header_decode_date(raw);
    if (!dt)
        return 0;
    t = g_date_time_to_unix(dt);
    g_date_time_unref(dt);
    return t;
}

void mail_add_attachment(struct mg_inbound *m, const char *name,
                         const char *type, const char *data, size_t len,
                         const struct mg_inbound_limits *lim)
{
    struct mg_attachment *a;
    size_t n, i;

    m->attachments = mg_xrealloc(m->attachments, (m->n_attachments + 1) *
                                                     sizeof(*m->attachments));
    a = &m->attachments[m->n_attachments++];
    a->name = mail_utf8(name ? name : "", name ? strlen(name) : 0);
    /* the media type alone, without parameters */
    if (!type)
        type = "";
    while (g_ascii_isspace(*type))
        type++;
    n = strcspn(type, "; \t\r\n");
    if (n == 0) {
        type = "application/octet-stream";
        n = strlen(type);
    }
    a->type = mail_utf8(type, n);
    for (i = 0; a->type[i]; i++)
        a->type[i] = g_ascii_tolower(a->type[i]);
    a->size = len;
    a->data = NULL;
    if (data && lim && len <= lim->attachment_cap) {
        a->data = mg_xmalloc(len + 1);
        if (len)
            memcpy(a->data, data, len);
        a->data[len] = '\0';
    }
}

void mail_text_from_html(struct mg_inbound *m)
{
    char *t;

    if (m->text || !m->html)
        return;
    t = mg_mail_html_to_text(m->html, strlen(m->html));
    m->text = mail_utf8(t, strlen(t));
    mail_newlines(m->text);
    free(t);
}

void mail_keep_raw(struct mg_inbound *m, const char *data, size_t len)
{
    m->raw = mg_xmalloc(len + 1);
    memcpy(m->raw, data, len);
    m->raw[len] = '\0';
    m->raw_len = len;
}

/* The raw value of the first header `name` of `obj`, or NULL. */
static const char *header_raw(GMimeObject *obj, const char *name)
{
    GMimeHeader *h =
        g_mime_header_list_get_header(g_mime_object_get_header_list(obj), name);

    return h ? g_mime_header_get_raw_value(h) : NULL;
}

static void read_headers(struct mg_inbound *m, GMimeObject *msg,
                         const char *authserv_id)
{
    GMimeHeaderList *list = g_mime_object_get_header_list(msg);
    int i, run, n = g_mime_header_list_get_count(list);
    const char *v;

    mail_set_from(m, header_raw(msg, "From"));
    mail_set_from(m, header_raw(msg, "Sender")); /* when From has none */
    /* every To and Cc, as broken mailers repeat them */
    for (i = 0; i < n; i++) {
        GMimeHeader *h = g_mime_header_list_get_header_at(list, i);
        const char *name = g_mime_header_get_name(h);

        if (g_ascii_strcasecmp(name, "To") == 0 ||
            g_ascii_strcasecmp(name, "Cc") == 0)
            mail_add_recipients(m, g_mime_header_get_raw_value(h));
    }
    /* the receiving MTA's verdict, once From is known; the headers of
     * anyone else (the sender's own included) are ignored */
    for (i = 0, run = 0; i < n && authserv_id; i++) {
        GMimeHeader *h = g_mime_header_list_get_header_at(list, i);

        mail_auth_header(m, &run, g_mime_header_get_name(h),
                         g_mime_header_get_raw_value(h), authserv_id);
    }
    v = header_raw(msg, "Subject");
    if (v)
        m->subject = mail_header_text(v);
    m->message_id = mail_message_id(header_raw(msg, "Message-ID"));
    m->in_reply_to = mail_message_id(header_raw(msg, "In-Reply-To"));
    m->references = mail_message_id(header_raw(msg, "References"));
    m->date = mail_date(header_raw(msg, "Date"));
}

/* A parameter of a structured header, decoded around the GMime bug
 * described at b_words_as_q(); NULL when absent or empty. */
static char *header_param(GMimeObject *obj, const char *header,
                          const char *param)
{
    const char *raw = header_raw(obj, header), *v = NULL;
    GMimeContentDisposition *cd = NULL;
    GMimeContentType *ct = NULL;
    char *q, *out = NULL;

    if (!raw)
        return NULL;
    q = b_words_as_q(raw);
    if (g_ascii_strcasecmp(header, "Content-Disposition") == 0) {
        cd = g_mime_content_disposition_parse(NULL, q);
        v = cd ? g_mime_content_disposition_get_parameter(cd, param) : NULL;
    } else {
        ct = g_mime_content_type_parse(NULL, q);
        v = ct ? g_mime_content_type_get_parameter(ct, param) : NULL;
    }
    if (v && *v)
        out = trimmed(v);
    if (cd)
        g_object_unref(cd);
    if (ct)
        g_object_unref(ct);
    free(q);
    return out;
}

static char *part_filename(GMimeObject *obj)
{
    char *name = header_param(obj, "Content-Disposition", "filename");

    if (!name)
        name = header_param(obj, "Content-Type", "name");
    return name;
}

/* What a leaf part holds, transfer encoding undone; free(). */
static char *part_bytes(GMimeObject *obj, size_t *len)
{
    GMimeStream *mem = g_mime_stream_mem_new();
    GByteArray *bytes;
    char *out;

    if (GMIME_IS_MESSAGE_PART(obj)) {
        GMimeMessage *inner =
            g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));

        if (inner)
            g_mime_object_write_to_stream(GMIME_OBJECT(inner), NULL, mem);
    } else {
        GMimeDataWrapper *w = g_mime_part_get_content(GMIME_PART(obj));

        if (w)
            g_mime_data_wrapper_write_to_stream(w, mem);
    }
    bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
    *len = bytes->len;
    out = mg_xmalloc(*len + 1);
    if (*len)
        memcpy(out, bytes->data, *len);
    out[*len] = '\0';
    g_object_unref(mem);
    return out;
}

struct walk {
    struct mg_inbound *m;
    const struct mg_inbound_limits *lim;
    struct mg_buf text, html;
    int has_text, has_html;
};

/* Body parts split around an image (Apple Mail) are joined. */
static void join(struct mg_buf *b, int *has, const char *s)
{
    if (*has && b->len && b->data[b->len - 1] != '\n')
        mg_buf_puts(b, "\n");
    mg_buf_puts(b, s);
    *has = 1;
}

static void visit(GMimeObject *parent, GMimeObject *obj, gpointer data)
{
    struct walk *w = data;
    GMimeContentType *ct = g_mime_object_get_content_type(obj);
    const char *charset;
    char *name, *bytes, *type, *s = NULL;
    int attached;
    size_t len;

    (void)parent;
    if (GMIME_IS_MULTIPART(obj))
        return;
    if (!GMIME_IS_PART(obj) && !GMIME_IS_MESSAGE_PART(obj))
        return;
    name = part_filename(obj);
    attached =
        name ||
        (GMIME_IS_PART(obj) && g_mime_part_is_attachment(GMIME_PART(obj))) ||
        GMIME_IS_MESSAGE_PART(obj);
    charset = g_mime_object_get_content_type_parameter(obj, "charset");
    bytes = part_bytes(obj, &len);
    if (g_mime_content_type_is_type(ct, "text", "calendar")) {
        if (!w->m->calendar) {
            w->m->calendar = mail_to_utf8(bytes, len, charset);
        } else if (!attached) {
            attached = 1; /* a second calendar is kept as a file */
        }
        if (!attached)
            goto out;
    } else if (!attached && g_mime_content_type_is_type(ct, "text", "plain")) {
        s = mail_to_utf8(bytes, len, charset);
        join(&w->text, &w->has_text, s);
        goto out;
    } else if (!attached && g_mime_content_type_is_type(ct, "text", "html")) {
        s = mail_to_utf8(bytes, len, charset);
        join(&w->html, &w->has_html, s);
        goto out;
    }
    type = g_mime_content_type_get_mime_type(ct);
    mail_add_attachment(w->m, name, type, bytes, len, w->lim);
    g_free(type);
out:
    free(s);
    free(bytes);
    free(name);
}

int mail_parse_mime(struct mg_inbound *out, const char *data, size_t len,
                    const struct mg_inbound_limits *lim, int need_from,
                    struct mg_error *err)
{
    struct walk w = {out, lim, MG_BUF_INIT, MG_BUF_INIT, 0, 0};
    GMimeStream *stream = NULL;
    GMimeParser *parser = NULL;
    GMimeMessage *msg = NULL;
    int rc = 0;

    mg_mail_init();
    memset(out, 0, sizeof(*out));
    if (!data || len == 0) {
        mg_error_set(err, "message", "the message is empty");
        return MG_EINVAL;
    }
    /* GMime keeps "\r\n\r" at the end of the last part when the close
     * delimiter ends the input without a line break: give it one */
    stream = g_mime_stream_mem_new_with_buffer(data, len);
    if (data[len - 1] != '\n') {
        g_mime_stream_seek(stream, 0, GMIME_STREAM_SEEK_END);
        g_mime_stream_write(stream, "\r\n", 2);
        g_mime_stream_reset(stream);
    }
    parser = g_mime_parser_new_with_stream(stream);
    msg = g_mime_parser_construct_message(parser, NULL);
    if (!msg) {
        mg_error_set(err, "message", "not an RFC 5322 message");
        rc = MG_EINVAL;
        goto out;
    }
    /* a provider's raw message carries the provider's verdict apart */
    read_headers(out, GMIME_OBJECT(msg),
                 need_from && lim ? lim->authserv_id : NULL);
    /* without a From it is still mail, kept for review, if it names
     * a recipient; with neither it is none */
    if (need_from && !out->from_email && !out->n_recipients) {
        mg_error_set(err, "from", "the message has no From and no To address");
        rc = MG_EINVAL;
        goto out;
    }
    g_mime_message_foreach(msg, visit, &w);
    if (w.has_text) {
        out->text = mg_buf_detach(&w.text);
        mail_newlines(out->text);
    }
    if (w.has_html)
        out->html = mg_buf_detach(&w.html);
    mail_text_from_html(out);
    mail_keep_raw(out, data, len);
out:
    mg_buf_release(&w.text);
    mg_buf_release(&w.html);
    if (msg)
        g_object_unref(msg);
    if (parser)
        g_object_unref(parser);
    if (stream)
        g_object_unref(stream);
    if (rc < 0)
        mg_inbound_release(out);
    return rc;
}

int mg_inbound_from_mime(struct mg_inbound *out, const char *data, size_t len,
                         const struct mg_inbound_limits *lim,
                         struct mg_error *err)
{
    const char *ids = lim ? lim->authserv_id : NULL;
    int rc = mail_parse_mime(out, data, len, lim, 1, err);

    if (rc == 0 && out->auth == MG_AUTH_NONE && !out->auth_why) {
        char *why =
            ids ? mg_xasprintf("no Authentication-Results header from %s", ids)
                : mg_xstrdup("no authserv_id is configured to read "
                             "Authentication-Results headers from");

        mail_auth_none(out, why);
        free(why);
    }
    return rc;
}
