/*
 * test_mail.c: the iMIP message. Parsed back with GMime: the structure,
 * the calendar part's bytes, and names and subjects that try to break a
 * header (CR/LF, quotes, commas, semicolons, non-ASCII) decode back
 * without adding a header. Every line ends in CRLF and stays under the
 * 998-octet limit.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gmime/gmime.h>

#include "mingle/mail.h"

static const char ics[] = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\n"
                          "VERSION:2.0\r\nEND:VCALENDAR\r\n";

static void base(struct mg_imip *m)
{
    memset(m, 0, sizeof(*m));
    m->from_name = "Reading circles, NZ";
    m->from_email = "circles@example.org";
    m->to_name = "Āwhina \"Tē\" Smith; Jr., Esq.";
    m->to_email = "awhina@example.org";
    m->subject = "Invitation: Atlas\r\nBcc: victim@example.org";
    m->text = "Kia ora";
    m->html = "<p>Kia ora</p>";
    m->ics = ics;
    m->method = "REQUEST";
}

static GMimeMessage *parse(const char *data, size_t len)
{
    GMimeStream *s = g_mime_stream_mem_new_with_buffer(data, len);
    GMimeParser *p = g_mime_parser_new_with_stream(s);
    GMimeMessage *msg = g_mime_parser_construct_message(p, NULL);

    g_object_unref(p);
    g_object_unref(s);
    return msg;
}

static char *part_text(GMimeObject *obj)
{
    GMimeDataWrapper *w = g_mime_part_get_content(GMIME_PART(obj));
    GMimeStream *mem = g_mime_stream_mem_new();
    GByteArray *b;
    char *out;

    g_mime_data_wrapper_write_to_stream(w, mem);
    b = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
    out = strndup((const char *)b->data, b->len);
    g_object_unref(mem);
    return out;
}

static void test_structure_and_round_trip(void **state)
{
    struct mg_imip m;
    struct mg_error err;
    GMimeMessage *msg;
    GMimeMultipart *mixed, *alt;
    InternetAddressList *to;
    InternetAddress *addr;
    char *out = NULL, *cal, *line;
    size_t len = 0;

    (void)state;
    base(&m);
    assert_int_equal(mg_mail_build_imip(&out, &len, &m, &err), 0);
    assert_int_equal(strlen(out), len);
    /* No header was injected: the only Bcc text is inside the encoded
     * subject, never at the start of a line. */
    assert_null(strstr(out, "\r\nBcc:"));
    assert_null(strstr(out, "\nBcc:"));
    /* CRLF everywhere, short lines. */
    for (line = out; *line;) {
        char *nl = strstr(line, "\r\n");
        assert_non_null(nl);
        assert_true(nl - line <= 998);
        assert_null(memchr(line, '\n', (size_t)(nl - line)));
        line = nl + 2;
    }
    msg = parse(out, len);
    assert_non_null(msg);
    assert_string_equal(g_mime_message_get_subject(msg),
                        "Invitation: Atlas  Bcc: victim@example.org");
    to = g_mime_message_get_addresses(msg, GMIME_ADDRESS_TYPE_TO);
    assert_int_equal(internet_address_list_length(to), 1);
    addr = internet_address_list_get_address(to, 0);
    assert_string_equal(internet_address_get_name(addr),
                        "Āwhina \"Tē\" Smith; Jr., Esq.");
    assert_string_equal(
        internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(addr)),
        "awhina@example.org");
    mixed = GMIME_MULTIPART(g_mime_message_get_mime_part(msg));
    assert_true(g_mime_content_type_is_type(
        g_mime_object_get_content_type(GMIME_OBJECT(mixed)), "multipart",
        "mixed"));
    assert_int_equal(g_mime_multipart_get_count(mixed), 2);
    alt = GMIME_MULTIPART(g_mime_multipart_get_part(mixed, 0));
    assert_int_equal(g_mime_multipart_get_count(alt), 3);
    assert_string_equal(
        g_mime_content_type_get_parameter(
            g_mime_object_get_content_type(g_mime_multipart_get_part(alt, 2)),
            "method"),
        "REQUEST");
    cal = part_text(g_mime_multipart_get_part(alt, 2));
    assert_string_equal(cal, ics);
    free(cal);
    cal = part_text(g_mime_multipart_get_part(mixed, 1));
    assert_string_equal(cal, ics);
    free(cal);
    assert_string_equal(g_mime_part_get_filename(
                            GMIME_PART(g_mime_multipart_get_part(mixed, 1))),
                        "invite.ics");
    g_object_unref(msg);
    free(out);
}

static void test_bad_addresses(void **state)
{
    struct mg_imip m;
    struct mg_error err;
    char *out = NULL;
    size_t len;

    (void)state;
    base(&m);
    m.to_email = "awhina@example.org\r\nBcc: x@example.org";
    assert_int_equal(mg_mail_build_imip(&out, &len, &m, &err), MG_EINVAL);
    assert_null(out);
    base(&m);
    m.from_email = "nobody";
    assert_int_equal(mg_mail_build_imip(&out, &len, &m, &err), MG_EINVAL);
    base(&m);
    m.method = "PUBLISH\r\nX: y";
    assert_int_equal(mg_mail_build_imip(&out, &len, &m, &err), MG_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_structure_and_round_trip),
        cmocka_unit_test(test_bad_addresses),
    };
    int rc;

    mg_mail_init();
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    mg_mail_shutdown();
    return rc;
}
