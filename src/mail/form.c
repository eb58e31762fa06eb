/*
 * form.c: the posted form a webhook parser reads (filled by the HTTP
 * layer's post processor, or by a test), and freeing parsed messages.
 * Parsing the form itself is the HTTP layer's job.
 */
#include "mingle/inbound.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

static char *dup_or_null(const char *s)
{
    return s ? mg_xstrdup(s) : NULL;
}

void mg_form_add(struct mg_form *f, const char *name, const char *filename,
                 const char *content_type, const char *value, size_t len)
{
    struct mg_form_field *field;

    if (f->n == f->cap) {
        f->cap = f->cap ? 2 * f->cap : 16;
        f->fields = mg_xrealloc(f->fields, f->cap * sizeof(*f->fields));
    }
    field = &f->fields[f->n++];
    field->name = mg_xstrdup(name ? name : "");
    field->filename = dup_or_null(filename);
    field->content_type = dup_or_null(content_type);
    field->value = mg_xmalloc(len + 1);
    if (len)
        memcpy(field->value, value, len);
    field->value[len] = '\0';
    field->len = len;
}

void mg_form_append(struct mg_form *f, const char *data, size_t len)
{
    struct mg_form_field *field;

    assert(f->n > 0);
    if (len == 0)
        return;
    field = &f->fields[f->n - 1];
    field->value = mg_xrealloc(field->value, field->len + len + 1);
    memcpy(field->value + field->len, data, len);
    field->len += len;
    field->value[field->len] = '\0';
}

const struct mg_form_field *mg_form_get(const struct mg_form *f,
                                        const char *name)
{
    size_t i;

    if (!f)
        return NULL;
    for (i = 0; i < f->n; i++)
        if (strcmp(f->fields[i].name, name) == 0)
            return &f->fields[i];
    return NULL;
}

void mg_form_release(struct mg_form *f)
{
    size_t i;

    if (!f)
        return;
    for (i = 0; i < f->n; i++) {
        free(f->fields[i].name);
        free(f->fields[i].filename);
        free(f->fields[i].content_type);
        free(f->fields[i].value);
    }
    free(f->fields);
    memset(f, 0, sizeof(*f));
}

void mg_inbound_release(struct mg_inbound *m)
{
    size_t i;

    if (!m)
        return;
    free(m->event_id);
    free(m->message_id);
    free(m->in_reply_to);
    free(m->references);
    free(m->from_name);
    free(m->from_email);
    free(m->sender);
    for (i = 0; i < m->n_recipients; i++)
        free(m->recipients[i]);
    free(m->recipients);
    free(m->subject);
    free(m->text);
    free(m->html);
    free(m->stripped);
    free(m->calendar);
    free(m->auth_why);
    for (i = 0; i < m->n_attachments; i++) {
        free(m->attachments[i].name);
        free(m->attachments[i].type);
        free(m->attachments[i].data);
    }
    free(m->attachments);
    free(m->raw);
    memset(m, 0, sizeof(*m));
}

void mg_inbounds_free(struct mg_inbound *m, size_t n)
{
    size_t i;

    if (!m)
        return;
    for (i = 0; i < n; i++)
        mg_inbound_release(&m[i]);
    free(m);
}
