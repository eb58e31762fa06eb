/*
 * test_certificate.c: issue #19 item 2, the certificate of participation
 * (certificate.h). The PDF is read back with poppler's pdftotext and
 * every figure looked for: names with macrons, a name too long for a
 * line, no issuer, right-to-left and CJK names. The code's MAC is worked
 * out here with OpenSSL's HMAC and a base-32 encoding of our own, and a
 * tampered code, another person's and changed figures are refused.
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
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "mingle/certificate.h"
#include "support.h"

static const unsigned char key[32] = "0123456789abcdef0123456789abcdef";

/* Draw `c`, write it and read it back with pdftotext. */
static char *pdf_text(const struct mg_certificate *c, size_t *bytes)
{
    struct mg_error err = {{0}, {0}};
    char *pdf = NULL, *dir = test_mkdtemp(), *path, *text;
    size_t len = 0;
    FILE *f;

    assert_int_equal(mg_certificate_pdf(&pdf, &len, c, &err), 0);
    assert_true(len > 1000);
    assert_memory_equal(pdf, "%PDF-", 5);
    path = mg_xasprintf("%s/c.pdf", dir);
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(pdf, 1, len, f), len);
    fclose(f);
    text = test_pdf_text(path);
    free(path);
    free(pdf);
    test_rmdir(dir);
    if (bytes)
        *bytes = len;
    return text;
}

static void base(struct mg_certificate *c)
{
    memset(c, 0, sizeof(*c));
    c->name = "Mere Pōtae";
    c->circle_title = "Te Pukapuka o Ngā Whare Pukapuka";
    c->book_title = "The Atlas of New Librarianship";
    c->book_author = "R. David Lankes";
    c->first_date = "2027-03-02";
    c->last_date = "2027-03-23";
    c->group_calls = 3;
    c->plenary_calls = 1;
    c->minutes = 150;
    c->issuer = "Hōne Tūhoe";
    c->signature_title = "Kaiwhakahaere";
    c->issued_on = "2027-03-30";
    c->code = "3f-k7qm2-x9ptz";
    c->verify_url = "https://circles.example.org/verify/3f-k7qm2-x9ptz";
}

/* Only one page: pdftotext ends each with a form feed. */
static void one_page(const char *text)
{
    const char *ff = strchr(text, '\f');

    assert_non_null(ff);
    assert_null(strchr(ff + 1, '\f'));
}

/* Item 2: every figure and name is on the page, macrons intact. */
static void test_pdf_figures(void **state)
{
    struct mg_certificate c;
    char *text;
    (void)state;

    base(&c);
    text = pdf_text(&c, NULL);
    assert_non_null(strstr(text, "Certificate of participation"));
    assert_non_null(strstr(text, "Mere Pōtae"));
    assert_non_null(strstr(text, "Ngā Whare Pukapuka"));
    assert_non_null(strstr(text, "The Atlas of New Librarianship"));
    assert_non_null(strstr(text, "R. David Lankes"));
    assert_non_null(strstr(text, "from 2 March 2027 to 23 March 2027"));
    assert_non_null(strstr(text, "3 group calls and 1 whole-circle call"));
    /* 150 minutes: two and a half hours, by hand */
    assert_non_null(strstr(text, "2.5 hours (2:30)"));
    assert_non_null(strstr(text, "took part in"));
    assert_null(strstr(text, "as facilitator"));
    assert_non_null(strstr(text, "Hōne Tūhoe"));
    assert_non_null(strstr(text, "Kaiwhakahaere"));
    assert_non_null(strstr(text, "Issued on 30 March 2027"));
    assert_non_null(strstr(text, "3f-k7qm2-x9ptz"));
    assert_non_null(
        strstr(text, "https://circles.example.org/verify/3f-k7qm2-x9ptz"));
    one_page(text);
    free(text);

    c.facilitator = 1;
    c.group_calls = 1;
    c.plenary_calls = 0;
    c.minutes = 45;
    c.last_date = c.first_date;
    text = pdf_text(&c, NULL);
    assert_non_null(strstr(text, "took part as facilitator in"));
    assert_non_null(strstr(text, "Calls attended: 1 group call"));
    assert_null(strstr(text, "whole-circle"));
    assert_non_null(strstr(text, "0.8 hours (0:45)"));
    assert_non_null(strstr(text, "on 2 March 2027"));
    free(text);
}

/* Item 2: a name far longer than a line wraps and shrinks onto the one
 * page; the figures below it are all still there. */
static void test_pdf_long_name(void **state)
{
    struct mg_certificate c;
    char *text;
    (void)state;

    base(&c);
    c.name = "Wiremu Te Rangikāheke Hōhepa Pōtatau Ngāpuhi-Tūwharetoa "
             "Whakaaro-Nui Māhina Tāwhirimātea Kahurangi Ōtautahi "
             "Rangitīkei-Whanganui Tūhoe Kāpiti Aotearoa Whetū";
    text = pdf_text(&c, NULL);
    assert_non_null(strstr(text, "Wiremu"));
    assert_non_null(strstr(text, "3 group calls and 1 whole-circle call"));
    assert_non_null(strstr(text, "2.5 hours (2:30)"));
    assert_non_null(strstr(text, "3f-k7qm2-x9ptz"));
    one_page(text);
    free(text);
}

/* Item 2: no issuer (no organizer either) is no name, not a failure. */
static void test_pdf_no_issuer(void **state)
{
    struct mg_certificate c;
    char *text;
    (void)state;

    base(&c);
    c.issuer = "";
    c.signature_title = NULL;
    c.book_title = NULL;
    c.first_date = "";
    text = pdf_text(&c, NULL);
    assert_non_null(strstr(text, "Mere Pōtae"));
    assert_non_null(strstr(text, "Issued by"));
    assert_null(strstr(text, "Hōne"));
    assert_null(strstr(text, "reading “"));
    assert_null(strstr(text, "from "));
    assert_non_null(strstr(text, "2.5 hours"));
    free(text);
}

/* Item 2: right-to-left and CJK names are laid out, not refused; a name
 * that is not UTF-8, or none, is refused by field. */
static void test_pdf_scripts(void **state)
{
    struct mg_certificate c;
    struct mg_error err = {{0}, {0}};
    char *text, *pdf = NULL;
    size_t len = 0;
    (void)state;

    base(&c);
    c.name = "سارا الخوری";
    text = pdf_text(&c, NULL);
    assert_non_null(strstr(text, "2.5 hours"));
    free(text);
    c.name = "שרה כהן";
    text = pdf_text(&c, NULL);
    assert_non_null(strstr(text, "שרה"));
    free(text);
    c.name = "李小龍 (Lee Siu-lung)";
    text = pdf_text(&c, NULL);
    assert_non_null(strstr(text, "Lee Siu-lung"));
    free(text);

    c.name = "Mere \xff";
    assert_int_equal(mg_certificate_pdf(&pdf, &len, &c, &err), MG_EINVAL);
    assert_string_equal(err.field, "name");
    assert_null(pdf);
    c.name = "";
    assert_int_equal(mg_certificate_pdf(&pdf, &len, &c, &err), MG_EINVAL);
    assert_string_equal(err.field, "name");
}

/* Item 2: hours with one decimal, half up, and h:mm, by hand. */
static void test_hours(void **state)
{
    char out[16];
    (void)state;

    mg_certificate_hours(out, sizeof(out), 150);
    assert_string_equal(out, "2.5");
    mg_certificate_hours(out, sizeof(out), 100); /* 1.666... */
    assert_string_equal(out, "1.7");
    mg_certificate_hours(out, sizeof(out), 45); /* 0.75 */
    assert_string_equal(out, "0.8");
    mg_certificate_hours(out, sizeof(out), 0);
    assert_string_equal(out, "0.0");
    mg_certificate_hours(out, sizeof(out), 600);
    assert_string_equal(out, "10.0");
    mg_certificate_hmm(out, sizeof(out), 100);
    assert_string_equal(out, "1:40");
    mg_certificate_hmm(out, sizeof(out), 605);
    assert_string_equal(out, "10:05");
}

/* The code as this test works it out: the id in Crockford base 32, then
 * the top 50 bits of OpenSSL's HMAC-SHA256 of the figures. */
static void expected_code(char *out, size_t n, int64_t circle, int64_t person,
                          int gc, int pc, int minutes, int fac)
{
    static const char b32[] = "0123456789abcdefghjkmnpqrstvwxyz";
    unsigned char mac[32];
    unsigned int mac_len = 0;
    char msg[160], id[16], m[11];
    unsigned long long top = 0, v = (unsigned long long)person;
    int i, k = 0;

    snprintf(msg, sizeof(msg), "certificate\n%lld\n%lld\n%d\n%d\n%d\n%s",
             (long long)circle, (long long)person, gc, pc, minutes,
             fac ? "facilitator" : "participant");
    HMAC(EVP_sha256(), key, sizeof(key), (const unsigned char *)msg,
         strlen(msg), mac, &mac_len);
    for (i = 0; i < 8; i++)
        top = top << 8 | mac[i];
    for (i = 0; i < 10; i++)
        m[i] = b32[(top >> (59 - 5 * i)) & 31];
    m[10] = '\0';
    char rev[16];
    do {
        rev[k++] = b32[v & 31];
        v >>= 5;
    } while (v);
    for (i = 0; i < k; i++)
        id[i] = rev[k - 1 - i];
    id[k] = '\0';
    snprintf(out, n, "%s-%.5s-%s", id, m, m + 5);
}

/* Item 2: the code signs the circle, the person and the figures. */
static void test_code(void **state)
{
    struct mg_certificate_figures f = {.circle_id = 7,
                                       .person_id = 1234,
                                       .group_calls = 3,
                                       .plenary_calls = 1,
                                       .minutes = 150,
                                       .facilitator = 0};
    struct mg_certificate_figures g;
    char code[MG_CERTIFICATE_CODE_MAX], want[64], typed[64], mac[16];
    int64_t pid = 0;
    size_t i;
    (void)state;

    mg_certificate_code(code, key, sizeof(key), &f);
    expected_code(want, sizeof(want), 7, 1234, 3, 1, 150, 0);
    assert_string_equal(code, want);
    /* 1234 = 1*1024 + 6*32 + 18: "16j" */
    assert_memory_equal(code, "16j-", 4);
    assert_int_equal(mg_certificate_code_parse(&pid, mac, code), 0);
    assert_int_equal(pid, 1234);
    assert_int_equal(strlen(mac), 10);
    assert_true(mg_certificate_code_matches(code, key, sizeof(key), &f));

    /* as a person may type it: capitals, spaces, O for 0, I/L for 1 */
    for (i = 0; code[i]; i++)
        typed[i] = (char)(code[i] >= 'a' && code[i] <= 'z' ? code[i] - 'a' + 'A'
                          : code[i] == '0'                 ? 'O'
                          : code[i] == '1'                 ? 'l'
                                                           : code[i]);
    typed[i] = '\0';
    assert_true(mg_certificate_code_matches(typed, key, sizeof(key), &f));
    /* without its hyphens: the last ten characters are the MAC */
    {
        size_t k = 0;
        for (i = 0; code[i]; i++)
            if (code[i] != '-')
                typed[k++] = code[i];
        typed[k] = '\0';
        assert_true(mg_certificate_code_matches(typed, key, sizeof(key), &f));
    }

    /* tampered: one character of the MAC changed */
    snprintf(typed, sizeof(typed), "%s", code);
    typed[strlen(typed) - 1] = typed[strlen(typed) - 1] == 'z' ? 'y' : 'z';
    assert_false(mg_certificate_code_matches(typed, key, sizeof(key), &f));

    /* another person's id with this MAC, and this code for them */
    g = f;
    g.person_id = 1235;
    snprintf(typed, sizeof(typed), "16k%s", code + 3);
    assert_false(mg_certificate_code_matches(typed, key, sizeof(key), &g));
    assert_false(mg_certificate_code_matches(code, key, sizeof(key), &g));

    /* the figures changed since: a call more, a minute more, the role */
    g = f;
    g.group_calls = 4;
    assert_false(mg_certificate_code_matches(code, key, sizeof(key), &g));
    g = f;
    g.minutes = 151;
    assert_false(mg_certificate_code_matches(code, key, sizeof(key), &g));
    g = f;
    g.facilitator = 1;
    assert_false(mg_certificate_code_matches(code, key, sizeof(key), &g));
    g = f;
    g.circle_id = 8;
    assert_false(mg_certificate_code_matches(code, key, sizeof(key), &g));

    /* not codes */
    assert_int_equal(mg_certificate_code_parse(&pid, mac, ""), MG_EINVAL);
    assert_int_equal(mg_certificate_code_parse(&pid, mac, "16j"), MG_EINVAL);
    assert_int_equal(mg_certificate_code_parse(&pid, mac, "16j-abc"),
                     MG_EINVAL);
    assert_int_equal(mg_certificate_code_parse(&pid, mac, "16j-uuuuu-uuuuu"),
                     MG_EINVAL);
    assert_int_equal(mg_certificate_code_parse(&pid, mac, "0-abcde-fghjk"),
                     MG_EINVAL);
    assert_false(mg_certificate_code_matches(NULL, key, sizeof(key), &f));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pdf_figures),
        cmocka_unit_test(test_pdf_long_name),
        cmocka_unit_test(test_pdf_no_issuer),
        cmocka_unit_test(test_pdf_scripts),
        cmocka_unit_test(test_hours),
        cmocka_unit_test(test_code),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
