/*
 * certificates.c: a circle's certificate settings (GET/PUT
 * /api/v1/circles/{id}/certificates): the issuer's name (empty: the
 * organizer's), the line under it, and whether each person gets theirs by
 * mail when the circle closes. Drawing and checking certificates is
 * certify's; the pages serve them.
 */
#include "api.h"

#include <stdio.h>
#include <string.h>

#include "mingle/certify.h"
#include "mingle/circle.h"
#include "mingle/jobs.h"

#include "banned.h"

static json_t *settings_json(const struct mg_certificate_settings *s,
                             int64_t mailed_at)
{
    json_t *doc = json_pack("{s:s, s:s, s:b}", "issuer_name", s->issuer_name,
                            "signature_title", s->signature_title,
                            "mail_at_close", s->mail_at_close);

    json_object_set_new(doc, "mailed_at",
                        mailed_at ? json_integer(mailed_at) : json_null());
    return doc;
}

static void reply_settings(struct request *r, int64_t circle_id)
{
    struct mg_certificate_settings s;
    int64_t mailed_at = 0;
    int rc = mg_store_certificate_settings_get(&s, r->srv->store, circle_id);

    if (rc == 0)
        rc = mg_store_certificate_mailed_at(&mailed_at, r->srv->store,
                                            circle_id);
    if (rc < 0) {
        reply_code(r, rc, NULL);
        return;
    }
    reply_json(r, MHD_HTTP_OK, settings_json(&s, mailed_at));
}

void handle_certificates_get(struct request *r)
{
    reply_settings(r, r->params[0]);
}

/* A text setting: a string of at most MG_CERTIFICATE_TEXT_MAX bytes of
 * UTF-8 without control characters (it goes on a PDF and in a mail). */
static int text_setting(char *out, size_t n, json_t *v, const char *field,
                        struct mg_error *err)
{
    const char *s = json_is_string(v) ? json_string_value(v) : NULL;

    if (!s || strlen(s) > MG_CERTIFICATE_TEXT_MAX || !mg_text_clean(s)) {
        mg_error_set(err, field,
                     "a text of at most %d bytes without control characters",
                     MG_CERTIFICATE_TEXT_MAX);
        return MG_EINVAL;
    }
    snprintf(out, n, "%s", s);
    return 0;
}

/* {"issuer_name": "...", "signature_title": "...", "mail_at_close":
 * bool}: each optional, what is left out stays; an unknown field is
 * refused by name ("mailed_at", which a GET gives, is read-only). */
void handle_certificates_put(struct request *r)
{
    struct mg_certificate_settings s;
    struct mg_error err = {{0}, {0}};
    json_t *doc = request_json(r), *v;
    const char *key;
    int rc;

    if (!doc)
        return;
    rc = mg_store_certificate_settings_get(&s, r->srv->store, r->params[0]);
    json_object_foreach(doc, key, v)
    {
        if (rc == 0 && strcmp(key, "issuer_name") != 0 &&
            strcmp(key, "signature_title") != 0 &&
            strcmp(key, "mail_at_close") != 0 &&
            strcmp(key, "mailed_at") != 0) {
            mg_error_set(&err, key, "unknown field '%s'", key);
            rc = MG_EINVAL;
        }
    }
    if (rc == 0 && (v = json_object_get(doc, "issuer_name")))
        rc = text_setting(s.issuer_name, sizeof(s.issuer_name), v,
                          "issuer_name", &err);
    if (rc == 0 && (v = json_object_get(doc, "signature_title")))
        rc = text_setting(s.signature_title, sizeof(s.signature_title), v,
                          "signature_title", &err);
    if (rc == 0 && (v = json_object_get(doc, "mail_at_close"))) {
        if (!json_is_boolean(v)) {
            mg_error_set(&err, "mail_at_close", "true or false");
            rc = MG_EINVAL;
        }
        s.mail_at_close = json_is_true(v);
    }
    json_decref(doc);
    if (rc == 0)
        rc = mg_store_certificate_settings_put(r->srv->store, r->params[0], &s,
                                               mg_now());
    if (rc < 0) {
        reply_code(r, rc, &err);
        return;
    }
    mg_jobs_scheduler_wake(r->srv->jobs);
    reply_settings(r, r->params[0]);
}
