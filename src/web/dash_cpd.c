/*
 * dash_cpd.c: the CPD section of a circle's dashboard page: the Body of
 * Knowledge areas and domains of practice the circle covers (a checkbox
 * each, from the list in use), the activity title, provider and
 * reflection template of its people's journal rows, in one form. A
 * value that cannot be saved is named next to its field, and nothing
 * is saved.
 */
#include "dash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mingle/cpd.h"
#include "mingle/store.h"

#include "banned.h"

/* Whether the comma-separated `ids` hold `id`. */
static int has_id(const char *ids, const char *id)
{
    size_t len = strlen(id);
    const char *p = ids ? ids : "";

    while (*p) {
        size_t n = strcspn(p, ",");

        if (n == len && strncmp(p, id, len) == 0)
            return 1;
        p += n;
        if (*p)
            p++;
    }
    return 0;
}

static void checkboxes(struct mg_html *h, const char *legend, const char *name,
                       const struct mg_cpd_term *t, size_t n, const char *ids)
{
    size_t i;

    mg_html(h, "<fieldset><legend>");
    mg_html_text(h, legend);
    mg_html(h, "</legend>\n");
    for (i = 0; i < n; i++) {
        mg_html(h, "<label><input type=\"checkbox\" name=\"");
        mg_html_attr(h, name);
        mg_html(h, "\" value=\"");
        mg_html_attr(h, t[i].id);
        mg_html(h, "\"");
        if (has_id(ids, t[i].id))
            mg_html(h, " checked");
        mg_html(h, "> ");
        mg_html_text(h, t[i].label);
        mg_html(h, "</label><br>\n");
    }
    mg_html(h, "</fieldset>\n");
}

/* A text field with its default as the placeholder, and the problem
 * (when the last post named this field) beside it. */
static void text_field(struct mg_html *h, const char *name, const char *label,
                       const char *value, const char *fallback,
                       const char *problem)
{
    mg_html(h, "<p><label for=\"cpd-");
    mg_html_attr(h, name);
    mg_html(h, "\">");
    mg_html_text(h, label);
    mg_html(h, "</label><br><input type=\"text\" maxlength=\"300\" "
               "size=\"60\" id=\"cpd-");
    mg_html_attr(h, name);
    mg_html(h, "\" name=\"");
    mg_html_attr(h, name);
    mg_html(h, "\" value=\"");
    mg_html_attr(h, value ? value : "");
    mg_html(h, "\" placeholder=\"");
    mg_html_attr(h, fallback ? fallback : "");
    mg_html(h, "\"");
    if (problem)
        mg_html(h, " aria-invalid=\"true\"");
    mg_html(h, ">");
    if (problem) {
        mg_html(h, " <strong class=\"error\" role=\"alert\">");
        mg_html_text(h, problem);
        mg_html(h, "</strong>");
    }
    mg_html(h, "</p>\n");
}

int dash_cpd_section(struct mg_html *h, const struct dash *d, struct request *r,
                     struct mg_store *st, const struct mg_circle *c)
{
    const struct mg_cpd_list *l = mg_cpd_list();
    struct mg_cpd_settings s;
    char *title = NULL, *provider = NULL;
    char action[96];
    const char *bad = request_arg(r, "cpd_field");
    const char *problem = _("This was not saved: check it and try again.");
    int rc = mg_cpd_settings_get(&s, st, c->id);

    if (rc == 0)
        rc = mg_cpd_defaults(&title, &provider, st, c->id);
    if (rc < 0) {
        mg_cpd_settings_release(&s);
        return rc;
    }
    snprintf(action, sizeof(action), "/dashboard/circles/%lld/cpd",
             (long long)c->id);
    mg_html(h, "<section aria-labelledby=\"cpd\">\n<h2 id=\"cpd\">");
    mg_html_text(h, _("CPD record"));
    mg_html(h, "</h2>\n<p>");
    mg_html_text(h, _("Each person's page shows ready rows for their "
                      "professional development journal: one for the group "
                      "calls they came to, one per plenary, with the hours "
                      "recorded and what you tag the circle with here."));
    mg_html(h, "</p>\n<form method=\"post\" action=\"");
    mg_html_attr(h, action);
    mg_html(h, "\">\n");
    dash_csrf(h, d);
    checkboxes(h, _("Body of Knowledge areas it covers"), "areas", l->areas,
               l->n_areas, s.areas);
    if (bad && strcmp(bad, "areas") == 0)
        dash_notice(h, problem, 1);
    checkboxes(h, _("Domains of practice"), "domains", l->domains, l->n_domains,
               s.domains);
    if (bad && strcmp(bad, "domains") == 0)
        dash_notice(h, problem, 1);
    text_field(h, "title", _("Activity title (empty: the default shown)"),
               s.title, title,
               bad && strcmp(bad, "title") == 0 ? problem : NULL);
    text_field(h, "provider", _("Provider (empty: the organizer)"), s.provider,
               provider, bad && strcmp(bad, "provider") == 0 ? problem : NULL);
    mg_html(h, "<p><label for=\"cpd-prompt\">");
    mg_html_text(h, _("Reflection prompt (empty: the default shown)"));
    mg_html(h, "</label><br><textarea id=\"cpd-prompt\" name=\"prompt\" "
               "rows=\"3\" cols=\"60\" maxlength=\"1000\" placeholder=\"");
    mg_html_attr(h, mg_cpd_default_prompt);
    mg_html(h, "\"");
    if (bad && strcmp(bad, "prompt") == 0)
        mg_html(h,
                " aria-invalid=\"true\" aria-describedby=\"cpd-prompt-bad\"");
    mg_html(h, ">");
    mg_html_text(h, s.prompt ? s.prompt : "");
    mg_html(h, "</textarea>");
    if (bad && strcmp(bad, "prompt") == 0) {
        mg_html(h, "<br><strong class=\"error\" role=\"alert\" "
                   "id=\"cpd-prompt-bad\">");
        mg_html_text(h, _("This was not saved: a prompt may use {discussed} "
                          "{note} {thread} {group} {week} {circle} {book} "
                          "{activity}, and at most 1000 characters."));
        mg_html(h, "</strong>");
    }
    mg_html(h, "</p>\n<button type=\"submit\" class=\"button\">");
    mg_html_text(h, _("Save CPD settings"));
    mg_html(h, "</button></form>\n</section>\n");
    free(title);
    free(provider);
    mg_cpd_settings_release(&s);
    return 0;
}

int dash_cpd_done(struct mg_buf *text, int *error, struct request *r,
                  const char *done)
{
    (void)r;
    if (strcmp(done, "cpd_saved") == 0) {
        mg_buf_puts(text, _("CPD settings saved."));
    } else if (strcmp(done, "cpd_invalid") == 0) {
        mg_buf_puts(text, _("CPD settings not saved: see the field marked "
                            "below."));
        *error = 1;
    } else {
        return 0;
    }
    return 1;
}

/* Every value of the form's fields called `name`, comma-separated. */
static void form_list(struct mg_buf *out, const struct mg_form *f,
                      const char *name)
{
    size_t i;

    for (i = 0; i < f->n; i++)
        if (strcmp(f->fields[i].name, name) == 0)
            mg_buf_printf(out, "%s%s", out->len ? "," : "", f->fields[i].value);
}

/* A text field: empty is the default (NULL). */
static int form_text(char **slot, const struct mg_form *f, const char *name,
                     struct mg_error *err)
{
    const struct mg_form_field *v = mg_form_get(f, name);
    int rc;

    if (!v)
        return 0;
    rc = strcmp(name, "prompt") == 0 ? mg_cpd_prompt_check(v->value, err)
                                     : mg_cpd_text_check(v->value, name, err);
    if (rc == 0 && strlen(v->value) != v->len) {
        mg_error_set(err, name, "'%s' holds a NUL", name);
        rc = MG_EINVAL;
    }
    if (rc < 0)
        return rc;
    free(*slot);
    *slot = *v->value ? mg_xstrdup(v->value) : NULL;
    return 0;
}

void handle_dash_cpd(struct request *r)
{
    const struct mg_cpd_list *l = mg_cpd_list();
    struct mg_form f = {NULL, 0, 0};
    struct mg_cpd_settings s;
    struct mg_circle *c = NULL;
    struct mg_error err = {{0}, {0}};
    struct mg_buf areas = MG_BUF_INIT, domains = MG_BUF_INIT,
                  where = MG_BUF_INIT;
    struct dash d;
    int rc;

    memset(&s, 0, sizeof(s));
    if (dash_form_begin(&f, &d, r) < 0)
        goto out;
    rc = mg_store_circle_get(&c, r->srv->store, r->params[0]);
    if (rc == 0)
        rc = mg_cpd_settings_get(&s, r->srv->store, c->id);
    if (rc < 0) {
        dash_error_page(r, rc, _("There is no such circle."));
        goto out;
    }
    dash_use_language(c);
    /* unticked boxes are not posted: none ticked is none */
    form_list(&areas, &f, "areas");
    form_list(&domains, &f, "domains");
    rc = mg_cpd_ids_parse(&s.areas, areas.data ? areas.data : "", l->areas,
                          l->n_areas, "areas", &err);
    if (rc == 0)
        rc = mg_cpd_ids_parse(&s.domains, domains.data ? domains.data : "",
                              l->domains, l->n_domains, "domains", &err);
    if (rc == 0)
        rc = form_text(&s.title, &f, "title", &err);
    if (rc == 0)
        rc = form_text(&s.provider, &f, "provider", &err);
    if (rc == 0)
        rc = form_text(&s.prompt, &f, "prompt", &err);
    if (rc == MG_EINVAL) {
        mg_buf_printf(&where,
                      "/dashboard/circles/%lld?done=cpd_invalid&cpd_field=%s"
                      "#cpd",
                      (long long)c->id, err.field);
        dash_redirect(r, &where);
        goto out;
    }
    if (rc == 0)
        rc = mg_cpd_settings_put(r->srv->store, &s);
    if (rc < 0) {
        dash_error_page(r, rc, NULL);
        goto out;
    }
    mg_buf_printf(&where, "/dashboard/circles/%lld?done=cpd_saved#cpd",
                  (long long)c->id);
    dash_redirect(r, &where);
out:
    mg_buf_release(&areas);
    mg_buf_release(&domains);
    mg_buf_release(&where);
    mg_cpd_settings_release(&s);
    mg_circle_free(c);
    mg_form_release(&f);
}
