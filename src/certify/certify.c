/*
 * certify.c: what a certificate says, from the store: the circle, its
 * book, the settings and the person's participation, signed with the
 * daemon's "certificate" key and drawn by the certificate module; and
 * the check of a code for /verify.
 */
#include "mingle/certify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "mingle/circle.h"
#include "mingle/i18n.h"
#include "mingle/participation.h"
#include "mingle/schedule.h"
#include "mingle/store.h"

#include "banned.h"

struct mg_certify_circle {
    struct mg_circle *circle;
    struct mg_book_info book;
    int has_book;
    struct mg_certificate_settings settings;
    unsigned char key[MG_KEY_LEN];
    char *base_url;
    char slug[MG_CIRCLE_KEY_MAX];
};

int mg_certify_open(struct mg_certify_circle **out, struct mg_store *st,
                    int64_t circle_id, const char *base_url)
{
    struct mg_certify_circle *cc = mg_xcalloc(1, sizeof(*cc));
    int rc = mg_store_circle_get(&cc->circle, st, circle_id);

    *out = NULL;
    if (rc == 0) {
        rc = mg_store_book_get(&cc->book, st, circle_id);
        cc->has_book = rc == 0;
        if (rc == MG_ENOTFOUND)
            rc = 0;
    }
    if (rc == 0)
        rc = mg_store_certificate_settings_get(&cc->settings, st, circle_id);
    if (rc == 0)
        rc = mg_store_key(cc->key, st, "certificate");
    if (rc < 0) {
        mg_certify_close(cc);
        return rc;
    }
    cc->base_url = mg_xstrdup(base_url ? base_url : "");
    /* no slash twice in a link */
    while (cc->base_url[0] && cc->base_url[strlen(cc->base_url) - 1] == '/')
        cc->base_url[strlen(cc->base_url) - 1] = '\0';
    mg_circle_key(cc->slug, cc->circle);
    *out = cc;
    return 0;
}

void mg_certify_close(struct mg_certify_circle *cc)
{
    if (!cc)
        return;
    mg_circle_free(cc->circle);
    if (cc->has_book)
        mg_store_book_info_release(&cc->book);
    memset(cc->key, 0, sizeof(cc->key));
    free(cc->base_url);
    free(cc);
}

const char *mg_certify_slug(const struct mg_certify_circle *cc)
{
    return cc->slug;
}

int mg_certify_eligible(const struct mg_participation *p)
{
    return p->facilitator || p->group_calls + p->plenary_calls > 0;
}

static void figures_of(struct mg_certificate_figures *f, int64_t circle_id,
                       const struct mg_participation *p)
{
    memset(f, 0, sizeof(*f));
    f->circle_id = circle_id;
    f->person_id = p->person_id;
    f->group_calls = p->group_calls;
    f->plenary_calls = p->plenary_calls;
    f->minutes = p->minutes;
    f->facilitator = p->facilitator;
}

/* "YYYY-MM-DD" of instant `t` in zone `tz`, "" when there is none. */
static void local_day(char out[11], const char *tz, int64_t t)
{
    char text[32] = "";

    if (t > 0)
        mg_schedule_local_text(text, sizeof(text), tz, t, ' ');
    snprintf(out, 11, "%.10s", text);
}

int mg_certify_draw(char **pdf, size_t *len, char *code,
                    struct mg_certificate_issue *issue,
                    const struct mg_certify_circle *cc,
                    const struct mg_participation *p, int64_t now)
{
    struct mg_certificate c;
    struct mg_certificate_figures f;
    struct mg_error err = {{0}, {0}};
    char own[MG_CERTIFICATE_CODE_MAX], first[11], last[11], today[11];
    char saved[MG_I18N_LANG_MAX], *url;
    const struct mg_circle *circle = cc->circle;
    int rc;

    *pdf = NULL;
    *len = 0;
    if (!mg_certify_eligible(p))
        return MG_ENOTFOUND;
    figures_of(&f, circle->id, p);
    mg_certificate_code(own, cc->key, MG_KEY_LEN, &f);
    local_day(first, circle->time_zone, p->first_at);
    /* the last call's end is its day (a call past midnight aside) */
    local_day(last, circle->time_zone, p->last_at > 0 ? p->last_at - 1 : 0);
    local_day(today, circle->time_zone, now);
    url = mg_xasprintf("%s/verify/%s", cc->base_url, own);
    memset(&c, 0, sizeof(c));
    c.name = p->name;
    c.circle_title = circle->title;
    c.book_title = cc->has_book ? cc->book.title : NULL;
    c.book_author = cc->has_book ? cc->book.author : NULL;
    c.first_date = first;
    c.last_date = last;
    c.group_calls = p->group_calls;
    c.plenary_calls = p->plenary_calls;
    c.minutes = p->minutes;
    c.facilitator = p->facilitator;
    c.issuer = cc->settings.issuer_name[0] ? cc->settings.issuer_name
                                           : circle->organizer_name;
    c.signature_title = cc->settings.signature_title;
    c.issued_on = today;
    c.code = own;
    c.verify_url = url;
    mg_i18n_switch(saved, mg_circle_language(circle));
    rc = mg_certificate_pdf(pdf, len, &c, &err);
    mg_i18n_restore(saved);
    free(url);
    if (rc < 0)
        return rc;
    if (code)
        snprintf(code, MG_CERTIFICATE_CODE_MAX, "%s", own);
    if (issue) {
        issue->person_id = p->person_id;
        issue->group_calls = p->group_calls;
        issue->plenary_calls = p->plenary_calls;
        issue->minutes = p->minutes;
        issue->facilitator = p->facilitator;
        issue->issued_at = now;
    }
    return 0;
}

int mg_certify_person_pdf(char **pdf, size_t *len, struct mg_store *st,
                          int64_t circle_id, int64_t person_id,
                          const char *base_url, int64_t now)
{
    struct mg_certify_circle *cc = NULL;
    struct mg_participation *p = NULL;
    struct mg_certificate_issue issue;
    size_t n = 0;
    int rc = mg_participation_load(&p, &n, st, circle_id, person_id);

    *pdf = NULL;
    *len = 0;
    if (rc == 0 && n != 1)
        rc = MG_ENOTFOUND;
    if (rc == 0)
        rc = mg_certify_open(&cc, st, circle_id, base_url);
    if (rc == 0)
        rc = mg_certify_draw(pdf, len, NULL, &issue, cc, p, now);
    if (rc == 0)
        rc = mg_store_certificate_issued(st, &issue);
    if (rc < 0) {
        free(*pdf);
        *pdf = NULL;
        *len = 0;
    }
    mg_certify_close(cc);
    mg_participation_free(p, n);
    return rc;
}

void mg_certify_ascii_name(char *out, size_t n, const char *name)
{
    char *ascii = NULL;
    size_t k = 0;
    const char *s;
    int dash = 0;

    if (name && g_utf8_validate(name, -1, NULL))
        ascii = g_str_to_ascii(name, "C");
    for (s = ascii ? ascii : ""; *s && k + 1 < n; s++) {
        char ch = *s;

        if (ch >= 'A' && ch <= 'Z')
            ch = (char)(ch - 'A' + 'a');
        if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) {
            if (dash && k > 0 && k + 2 < n)
                out[k++] = '-';
            dash = 0;
            out[k++] = ch;
        } else {
            dash = 1;
        }
    }
    out[k] = '\0';
    g_free(ascii);
    if (k == 0)
        snprintf(out, n, "%s", "person");
}

void mg_certify_check_release(struct mg_certify_check *c)
{
    free(c->name);
    free(c->circle_title);
    memset(c, 0, sizeof(*c));
}

int mg_certify_verify(struct mg_certify_check *out, struct mg_store *st,
                      const char *code)
{
    struct mg_participation *p = NULL;
    struct mg_certificate_issue *issues = NULL;
    struct mg_circle *circle = NULL;
    struct mg_certificate_figures f;
    unsigned char key[MG_KEY_LEN];
    char mac[MG_CERTIFICATE_MAC_CHARS + 1];
    int64_t pid = 0, circle_id = 0;
    size_t n = 0, n_issues = 0, i;
    int rc;

    memset(out, 0, sizeof(*out));
    out->verdict = MG_CERTIFY_UNKNOWN;
    if (mg_certificate_code_parse(&pid, mac, code) < 0)
        return 0;
    rc = mg_store_person_circle(&circle_id, st, pid);
    if (rc == MG_ENOTFOUND)
        return 0; /* nobody, or erased */
    if (rc == 0)
        rc = mg_store_key(key, st, "certificate");
    if (rc == 0)
        rc = mg_participation_load(&p, &n, st, circle_id, pid);
    if (rc == 0 && n != 1)
        rc = MG_ENOTFOUND;
    if (rc == 0)
        rc = mg_store_circle_get(&circle, st, circle_id);
    if (rc == MG_ENOTFOUND) {
        rc = 0;
        goto out;
    }
    if (rc < 0)
        goto out;
    figures_of(&f, circle_id, p);
    out->now_group_calls = p->group_calls;
    out->now_plenary_calls = p->plenary_calls;
    out->now_minutes = p->minutes;
    if (mg_certify_eligible(p) &&
        mg_certificate_code_matches(code, key, MG_KEY_LEN, &f)) {
        out->verdict = MG_CERTIFY_GENUINE;
    } else {
        rc = mg_store_certificate_issues(&issues, &n_issues, st, pid);
        for (i = 0; rc == 0 && i < n_issues; i++) {
            f.group_calls = issues[i].group_calls;
            f.plenary_calls = issues[i].plenary_calls;
            f.minutes = issues[i].minutes;
            f.facilitator = issues[i].facilitator;
            if (mg_certificate_code_matches(code, key, MG_KEY_LEN, &f)) {
                out->verdict = MG_CERTIFY_OUTDATED;
                out->issued_at = issues[i].issued_at;
                break;
            }
        }
    }
    if (out->verdict != MG_CERTIFY_UNKNOWN) {
        out->name = mg_xstrdup(p->name);
        out->circle_title = mg_xstrdup(circle->title);
        out->facilitator = f.facilitator;
        out->group_calls = f.group_calls;
        out->plenary_calls = f.plenary_calls;
        out->minutes = f.minutes;
        snprintf(out->language, sizeof(out->language), "%s",
                 mg_circle_language(circle));
    }
out:
    memset(key, 0, sizeof(key));
    free(issues);
    mg_circle_free(circle);
    mg_participation_free(p, n);
    return rc;
}
