/*
 * cpd.c: a circle's CPD journal settings as JSON (GET and PUT
 * /api/v1/circles/{id}/cpd): the Body of Knowledge areas and domains it
 * covers (ids of the list, which the answer carries), and the activity
 * title, provider and reflection template (null: the default, shown
 * beside). A PUT changes the fields it names and keeps the others; an
 * unknown field or area is 422 naming the field, and changes nothing.
 */
#include "api.h"

#include <stdlib.h>
#include <string.h>

#include "mingle/cpd.h"
#include "mingle/store.h"

#include "banned.h"

static json_t *ids_json(const char *ids)
{
    json_t *a = json_array();
    const char *p = ids ? ids : "";

    while (*p) {
        size_t len = strcspn(p, ",");

        if (len)
            json_array_append_new(a, json_stringn(p, len));
        p += len;
        if (*p)
            p++;
    }
    return a;
}

static json_t *terms_json(const struct mg_cpd_term *t, size_t n)
{
    json_t *a = json_array();
    size_t i;

    for (i = 0; i < n; i++)
        json_array_append_new(
            a, json_pack("{s:s, s:s}", "id", t[i].id, "label", t[i].label));
    return a;
}

static void reply_settings(struct request *r, const struct mg_cpd_settings *s)
{
    const struct mg_cpd_list *l = mg_cpd_list();
    char *title = NULL, *provider = NULL;
    int rc = mg_cpd_defaults(&title, &provider, r->srv->store, s->circle_id);

    if (rc < 0) {
        reply_code(r, rc, NULL);
        return;
    }
    reply_json(
        r, MHD_HTTP_OK,
        json_pack("{s:o, s:o, s:o, s:o, s:o, s:{s:s, s:s, s:s}, s:{s:o, s:o}}",
                  "areas", ids_json(s->areas), "domains", ids_json(s->domains),
                  "title", json_string_or_null(s->title), "provider",
                  json_string_or_null(s->provider), "prompt",
                  json_string_or_null(s->prompt), "defaults", "title", title,
                  "provider", provider, "prompt", mg_cpd_default_prompt, "list",
                  "areas", terms_json(l->areas, l->n_areas), "domains",
                  terms_json(l->domains, l->n_domains)));
    free(title);
    free(provider);
}

/* An areas or domains value: a list of ids, or one string of them. */
static int ids_from_json(char **field, json_t *v, const char *name,
                         const struct mg_cpd_term *terms, size_t n,
                         struct mg_error *err)
{
    struct mg_buf b = MG_BUF_INIT;
    size_t i;
    json_t *item;
    int rc;

    if (json_is_string(v)) {
        mg_buf_puts(&b, json_string_value(v));
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, item)
        {
            const char *s = json_string_value(item);

            if (!s || strpbrk(s, ",;")) {
                mg_error_set(err, name, "'%s' must be a list of ids", name);
                mg_buf_release(&b);
                return MG_EINVAL;
            }
            mg_buf_printf(&b, "%s%s", i ? "," : "", s);
        }
    } else if (!json_is_null(v)) {
        mg_error_set(err, name, "'%s' must be a list of ids", name);
        return MG_EINVAL;
    }
    rc = mg_cpd_ids_parse(field, b.data ? b.data : "", terms, n, name, err);
    mg_buf_release(&b);
    return rc;
}

static int settings_from_json(struct mg_cpd_settings *s, json_t *doc,
                              struct mg_error *err)
{
    const struct mg_cpd_list *l = mg_cpd_list();
    const char *key;
    json_t *v;
    int rc = 0;

    json_object_foreach(doc, key, v)
    {
        if (rc < 0)
            break;
        if (strcmp(key, "areas") == 0)
            rc = ids_from_json(&s->areas, v, key, l->areas, l->n_areas, err);
        else if (strcmp(key, "domains") == 0)
            rc = ids_from_json(&s->domains, v, key, l->domains, l->n_domains,
                               err);
        else if (strcmp(key, "title") == 0 || strcmp(key, "provider") == 0 ||
                 strcmp(key, "prompt") == 0) {
            char **slot = strcmp(key, "title") == 0      ? &s->title
                          : strcmp(key, "provider") == 0 ? &s->provider
                                                         : &s->prompt;

            rc = json_take_string(slot, v, key, err);
            if (rc == 0 && *slot && !**slot) {
                free(*slot); /* "": the default */
                *slot = NULL;
            }
            if (rc == 0)
                rc = slot == &s->prompt ? mg_cpd_prompt_check(*slot, err)
                                        : mg_cpd_text_check(*slot, key, err);
        } else if (strcmp(key, "defaults") == 0 || strcmp(key, "list") == 0) {
            continue; /* read-only: what a GET gave may be sent back */
        } else {
            mg_error_set(err, key, "unknown field '%s'", key);
            rc = MG_EINVAL;
        }
    }
    return rc;
}

void handle_cpd_get(struct request *r)
{
    struct mg_cpd_settings s;
    struct mg_circle *c = NULL;
    int rc = mg_store_circle_get(&c, r->srv->store, r->params[0]);

    memset(&s, 0, sizeof(s));
    if (rc == 0)
        rc = mg_cpd_settings_get(&s, r->srv->store, c->id);
    if (rc < 0)
        reply_code(r, rc, NULL);
    else
        reply_settings(r, &s);
    mg_cpd_settings_release(&s);
    mg_circle_free(c);
}

void handle_cpd_put(struct request *r)
{
    struct mg_cpd_settings s;
    struct mg_circle *c = NULL;
    struct mg_error err = {{0}, {0}};
    json_t *doc = request_json(r);
    int rc;

    memset(&s, 0, sizeof(s));
    if (!doc)
        return;
    rc = mg_store_circle_get(&c, r->srv->store, r->params[0]);
    if (rc == 0)
        rc = mg_cpd_settings_get(&s, r->srv->store, c->id);
    if (rc == 0)
        rc = settings_from_json(&s, doc, &err);
    if (rc == 0)
        rc = mg_cpd_settings_put(r->srv->store, &s);
    if (rc < 0)
        reply_code(r, rc, &err);
    else
        reply_settings(r, &s);
    json_decref(doc);
    mg_cpd_settings_release(&s);
    mg_circle_free(c);
}
