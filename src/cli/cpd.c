/*
 * cpd.c: `mingle cpd show|set --circle ID`: a circle's CPD journal
 * settings, the Body of Knowledge areas and domains of practice it
 * covers (ids of the shipped list, which `show` prints), and the
 * activity title, provider and reflection template of its journal rows
 * ("" sets one back to its default). The rows themselves are on each
 * person's page and in the export `cpd`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mingle/cpd.h"

#include "banned.h"

static void print_ids(const char *what, const char *ids,
                      const struct mg_cpd_term *terms, size_t n)
{
    const char *p = ids ? ids : "";

    printf("%s: %s\n", what, *p ? p : "(none)");
    while (*p) {
        size_t len = strcspn(p, ",");
        char id[64];
        const struct mg_cpd_term *t = NULL;

        if (len < sizeof(id)) {
            memcpy(id, p, len);
            id[len] = '\0';
            t = mg_cpd_term_find(terms, n, id);
        }
        if (t)
            printf("  %s\n", t->label);
        p += len;
        if (*p)
            p++;
    }
}

static int print_settings(struct cli_ctx *ctx, const struct mg_cpd_settings *s)
{
    const struct mg_cpd_list *l = mg_cpd_list();
    char *title = NULL, *provider = NULL;
    int rc = mg_cpd_defaults(&title, &provider, ctx->st, s->circle_id);

    if (rc < 0) {
        cli_error("cannot read circle %lld: %s", ctx->v.circle,
                  mg_strerror(rc));
        return 1;
    }
    print_ids("areas", s->areas, l->areas, l->n_areas);
    print_ids("domains", s->domains, l->domains, l->n_domains);
    printf("title: %s%s\n", s->title ? s->title : title,
           s->title ? "" : " (default)");
    printf("provider: %s%s\n", s->provider ? s->provider : provider,
           s->provider ? "" : " (default)");
    printf("prompt: %s%s\n", s->prompt ? s->prompt : mg_cpd_default_prompt,
           s->prompt ? "" : " (default)");
    free(title);
    free(provider);
    return 0;
}

static int show(struct cli_ctx *ctx)
{
    struct mg_cpd_settings s;
    int rc = mg_cpd_settings_get(&s, ctx->st, ctx->circle->id);

    if (rc < 0) {
        cli_error("cannot read the CPD settings of circle %lld: %s",
                  ctx->v.circle, mg_strerror(rc));
        return 1;
    }
    rc = print_settings(ctx, &s);
    mg_cpd_settings_release(&s);
    return rc;
}

/* A text option: "" is the default (NULL), else checked. */
static int take_text(char **slot, const char *v, const char *name,
                     struct mg_error *err)
{
    int rc;

    if (!v)
        return 0;
    rc = strcmp(name, "prompt") == 0 ? mg_cpd_prompt_check(v, err)
                                     : mg_cpd_text_check(v, name, err);
    if (rc < 0)
        return rc;
    free(*slot);
    *slot = *v ? mg_xstrdup(v) : NULL;
    return 0;
}

/* Apply the options to `s`: 0, or MG_EINVAL naming the option. */
static int apply(struct mg_cpd_settings *s, const struct cli_values *v,
                 struct mg_error *err)
{
    const struct mg_cpd_list *l = mg_cpd_list();
    int rc = 0;

    if (v->cpd_areas)
        rc = mg_cpd_ids_parse(&s->areas, v->cpd_areas, l->areas, l->n_areas,
                              "areas", err);
    if (rc == 0 && v->cpd_domains)
        rc = mg_cpd_ids_parse(&s->domains, v->cpd_domains, l->domains,
                              l->n_domains, "domains", err);
    if (rc == 0)
        rc = take_text(&s->title, v->cpd_title, "title", err);
    if (rc == 0)
        rc = take_text(&s->provider, v->cpd_provider, "provider", err);
    if (rc == 0)
        rc = take_text(&s->prompt, v->cpd_prompt, "prompt", err);
    return rc;
}

static int check_set(struct cli_ctx *ctx)
{
    struct mg_cpd_settings s;
    struct mg_error err = {{0}, {0}};
    int rc;

    if (!ctx->v.cpd_areas && !ctx->v.cpd_domains && !ctx->v.cpd_title &&
        !ctx->v.cpd_provider && !ctx->v.cpd_prompt) {
        cli_error("set: give --areas, --domains, --title, --provider or "
                  "--prompt");
        return EXIT_USAGE;
    }
    memset(&s, 0, sizeof(s));
    rc = apply(&s, &ctx->v, &err);
    mg_cpd_settings_release(&s);
    if (rc < 0) {
        cli_error("--%s: %s", err.field, err.message);
        return EXIT_USAGE;
    }
    return 0;
}

static int set(struct cli_ctx *ctx)
{
    struct mg_cpd_settings s;
    struct mg_error err = {{0}, {0}};
    int rc = mg_cpd_settings_get(&s, ctx->st, ctx->circle->id);

    if (rc == 0)
        rc = apply(&s, &ctx->v, &err);
    if (rc == 0)
        rc = mg_cpd_settings_put(ctx->st, &s);
    if (rc < 0) {
        cli_error("cannot set the CPD settings of circle %lld: %s",
                  ctx->v.circle,
                  err.message[0] ? err.message : mg_strerror(rc));
        mg_cpd_settings_release(&s);
        return 1;
    }
    rc = print_settings(ctx, &s);
    mg_cpd_settings_release(&s);
    return rc;
}

static const struct cli_option options[] = {
    CLI_ID_OPTION("circle", "ID", circle, "a circle id", "the circle"),
    {.name = "areas",
     .kind = CLI_TEXT,
     .arg = "LIST",
     .help = "the Body of Knowledge areas it covers: bok4,bok11\n"
             "(`show` lists them; \"\" for none)",
     .offset = CLI_AT(cpd_areas)},
    {.name = "domains",
     .kind = CLI_TEXT,
     .arg = "LIST",
     .help = "the domains of practice: knowing, doing, sharing,\nleading",
     .offset = CLI_AT(cpd_domains)},
    {.name = "title",
     .kind = CLI_TEXT,
     .arg = "TEXT",
     .help = "the activity's title (\"\": the circle's and the book's)",
     .offset = CLI_AT(cpd_title)},
    {.name = "provider",
     .kind = CLI_TEXT,
     .arg = "TEXT",
     .help = "who provides it (\"\": the organizer's name)",
     .offset = CLI_AT(cpd_provider)},
    {.name = "prompt",
     .kind = CLI_TEXT,
     .arg = "TEXT",
     .help = "the reflection template, with {discussed} {note}\n"
             "{thread} {group} {week} {circle} {book} {activity}",
     .offset = CLI_AT(cpd_prompt)},
    {.name = NULL}};

static const struct cli_command actions[] = {
    {.name = "show", .requires = "circle", .needs = CLI_CIRCLE, .run = show},
    {.name = "set",
     .requires = "circle",
     .usage = "[--areas LIST] [--domains LIST] [--title T] [--provider P] "
              "[--prompt T]",
     .needs = CLI_CIRCLE,
     .check = check_set,
     .run = set},
    {.name = NULL}};

const struct cli_command cli_cpd = {
    .name = "cpd",
    .summary = "show or set a circle's CPD journal settings",
    .about = "Show or set what a circle's CPD journal rows say: the LIANZA "
             "Body of\nKnowledge areas and domains of practice it covers, "
             "the activity's\ntitle and provider, and the reflection "
             "prompt's template. Each person's\nrows are on their page "
             "(with CSV and XLSX downloads) and in the export\n`cpd`.\n",
    .options = options,
    .actions = actions,
};
