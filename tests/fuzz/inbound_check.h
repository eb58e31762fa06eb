/*
 * inbound_check.h: what the inbound-mail fuzz targets check of any
 * parse: it succeeds, or fails with MG_EINVAL, a field and a message and
 * nothing allocated; a parsed message has valid UTF-8 everywhere,
 * lower-case addresses, LF-only text, attachments within the cap, and a
 * sender verdict with its reason.
 * Header-only (static functions), so each target needs no extra source.
 */
#ifndef MINGLE_FUZZ_INBOUND_CHECK_H
#define MINGLE_FUZZ_INBOUND_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <glib.h>

#include "mingle/inbound.h"
#include "mingle/mail.h"

#define FUZZ_CAP 4096

/* an authserv-id, so that Authentication-Results headers are read */
static const struct mg_inbound_limits fuzz_limits = {FUZZ_CAP,
                                                     "mx.example.org"};

static inline void check_utf8(const char *s)
{
    if (s && !g_utf8_validate(s, -1, NULL))
        __builtin_trap();
}

static inline void check_address(const char *s)
{
    check_utf8(s);
    for (; s && *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            __builtin_trap();
}

static inline void check_lf(const char *s)
{
    check_utf8(s);
    if (s && strchr(s, '\r'))
        __builtin_trap();
}

static inline void check_inbound(const struct mg_inbound *m)
{
    size_t i;

    check_utf8(m->event_id);
    check_utf8(m->message_id);
    check_utf8(m->in_reply_to);
    check_utf8(m->from_name);
    check_address(m->from_email);
    check_address(m->sender);
    check_utf8(m->subject);
    check_lf(m->text);
    check_utf8(m->html);
    check_lf(m->stripped);
    check_utf8(m->calendar);
    /* a sender verdict, with its reason on one line */
    check_utf8(m->auth_why);
    if (m->auth < MG_AUTH_NONE || m->auth > MG_AUTH_PASS || !m->auth_why ||
        strpbrk(m->auth_why, "\r\n"))
        __builtin_trap();
    for (i = 0; i < m->n_recipients; i++) {
        check_address(m->recipients[i]);
        if (!m->recipients[i][0])
            __builtin_trap();
    }
    for (i = 0; i < m->n_attachments; i++) {
        const struct mg_attachment *a = &m->attachments[i];

        check_utf8(a->name);
        check_utf8(a->type);
        if (!a->name || !a->type || !a->type[0])
            __builtin_trap();
        if (a->data && a->size > FUZZ_CAP)
            __builtin_trap();
    }
    if (m->raw && strlen(m->raw) > m->raw_len)
        __builtin_trap();
}

/* Parse and check; traps (a crash, for libFuzzer) on any broken rule. */
static inline void fuzz_parse(const char *provider, const struct mg_form *form,
                              const char *body, size_t len)
{
    struct mg_inbound *m = NULL;
    struct mg_error err;
    size_t n = 0, i;
    int rc;

    memset(&err, 0, sizeof(err));
    rc =
        mg_inbound_parse(&m, &n, provider, form, body, len, &fuzz_limits, &err);
    if (rc < 0) {
        if (rc != MG_EINVAL || !err.field[0] || !err.message[0] || m || n)
            __builtin_trap();
        return;
    }
    if ((n == 0) != (m == NULL))
        __builtin_trap();
    for (i = 0; i < n; i++)
        check_inbound(&m[i]);
    mg_inbounds_free(m, n);
}

#endif
