/*
 * certificate.c: `mingle certificate --circle ID [--person PID] --out DIR`
 * writes the certificates of participation of a circle (or one person)
 * as PDF files, <slug>-<person>-<name>.pdf, with progress on a terminal;
 * with --issuer, --signature-title or --mail-at-close it sets the
 * circle's certificate settings first, and with none of these it shows
 * them. Drawing is certify's.
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mingle/certify.h"
#include "mingle/participation.h"

#include "banned.h"

static void print_settings(const struct mg_certificate_settings *s,
                           const struct mg_circle *c)
{
    printf("issuer_name: %s\n", s->issuer_name[0] ? s->issuer_name
                                : c->organizer_name && c->organizer_name[0]
                                    ? c->organizer_name
                                    : "(none)");
    printf("signature_title: %s\n",
           s->signature_title[0] ? s->signature_title : "(none)");
    printf("mail_at_close: %s\n", s->mail_at_close ? "on" : "off");
}

static int text_ok(const char *s, const char *option)
{
    if (s && (strlen(s) > MG_CERTIFICATE_TEXT_MAX || !mg_text_clean(s))) {
        cli_error("--%s: at most %d bytes of text without control characters",
                  option, MG_CERTIFICATE_TEXT_MAX);
        return 0;
    }
    return 1;
}

static int check(struct cli_ctx *ctx)
{
    if (!text_ok(ctx->v.issuer, "issuer") ||
        !text_ok(ctx->v.signature_title, "signature-title"))
        return EXIT_USAGE;
    if (ctx->v.person && !ctx->v.out) {
        cli_error("--person: give --out DIR too");
        return EXIT_USAGE;
    }
    return 0;
}

static int settings(struct cli_ctx *ctx, int *changed)
{
    struct mg_certificate_settings s;
    int rc = mg_store_certificate_settings_get(&s, ctx->st, ctx->v.circle);

    *changed = ctx->v.issuer || ctx->v.signature_title || ctx->v.mail_at_close;
    if (rc == 0 && *changed) {
        if (ctx->v.issuer)
            snprintf(s.issuer_name, sizeof(s.issuer_name), "%s", ctx->v.issuer);
        if (ctx->v.signature_title)
            snprintf(s.signature_title, sizeof(s.signature_title), "%s",
                     ctx->v.signature_title);
        if (ctx->v.mail_at_close)
            s.mail_at_close = strcmp(ctx->v.mail_at_close, "on") == 0;
        rc = mg_store_certificate_settings_put(ctx->st, ctx->v.circle, &s,
                                               mg_now());
    }
    if (rc < 0) {
        cli_error("cannot %s the certificate settings of circle %lld: %s",
                  *changed ? "set" : "read", ctx->v.circle, mg_strerror(rc));
        return 1;
    }
    if (*changed || !ctx->v.out)
        print_settings(&s, ctx->circle);
    return 0;
}

static int write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(data, 1, len, f) == len;

    if (f && fclose(f) != 0)
        ok = 0;
    if (!ok)
        cli_error("cannot write '%s': %s", path, strerror(errno));
    return ok ? 0 : MG_EIO;
}

static int write_all(struct cli_ctx *ctx)
{
    struct mg_certify_circle *cc = NULL;
    struct mg_participation *people = NULL;
    struct mg_certificate_issue *issues = NULL;
    struct cli_progress progress;
    const char *base = ctx->cfg.base_url;
    char *own_base = NULL;
    size_t n = 0, i, written = 0, none = 0;
    int64_t now = mg_now();
    int rc;

    if (mkdir(ctx->v.out, 0777) != 0 && errno != EEXIST) {
        cli_error("cannot make '%s': %s", ctx->v.out, strerror(errno));
        return 1;
    }
    if (!base)
        base = own_base =
            mg_xasprintf("http://%s:%d", ctx->cfg.listen, ctx->cfg.port);
    rc = mg_participation_load(&people, &n, ctx->st, ctx->v.circle,
                               ctx->v.person);
    if (rc == MG_ENOTFOUND && ctx->v.person) {
        cli_error("no person %lld in circle %lld", ctx->v.person,
                  ctx->v.circle);
        free(own_base);
        return 1;
    }
    if (rc == 0)
        rc = mg_certify_open(&cc, ctx->st, ctx->v.circle, base);
    if (rc < 0) {
        cli_error("cannot read circle %lld: %s", ctx->v.circle,
                  mg_strerror(rc));
        goto out;
    }
    issues = mg_xcalloc(n ? n : 1, sizeof(*issues));
    cli_progress_start(&progress, "certificates", n);
    for (i = 0; rc == 0 && i < n; i++) {
        char ascii[64], *path, *pdf = NULL;
        size_t len = 0;

        if (!mg_certify_eligible(&people[i])) {
            none++;
            continue;
        }
        rc = mg_certify_draw(&pdf, &len, NULL, &issues[written], cc, &people[i],
                             now);
        if (rc < 0) {
            cli_progress_abandon(&progress);
            cli_error("cannot draw the certificate of person %lld: %s",
                      (long long)people[i].person_id, mg_strerror(rc));
            break;
        }
        mg_certify_ascii_name(ascii, sizeof(ascii), people[i].name);
        path =
            mg_xasprintf("%s/%s-%lld-%s.pdf", ctx->v.out, mg_certify_slug(cc),
                         (long long)people[i].person_id, ascii);
        rc = write_file(path, pdf, len);
        free(path);
        free(pdf);
        if (rc == 0)
            written++;
        cli_progress_update(&progress, i + 1, 0);
    }
    /* what left is recorded, so its code stays checkable */
    if (written) {
        int src = mg_store_certificates_issued(ctx->st, issues, written);
        if (src < 0) {
            cli_error("cannot record the certificates issued: %s",
                      mg_strerror(src));
            rc = rc < 0 ? rc : src;
        }
    }
    if (rc == 0) {
        cli_progress_end(&progress, n);
        printf("wrote %zu certificate%s to %s", written,
               written == 1 ? "" : "s", ctx->v.out);
        if (none)
            printf(" (%zu %s no call attended yet)", none,
                   none == 1 ? "person has" : "people have");
        printf("\n");
    }
out:
    free(issues);
    free(own_base);
    mg_certify_close(cc);
    mg_participation_free(people, n);
    return rc < 0 ? 1 : 0;
}

static int run(struct cli_ctx *ctx)
{
    int changed = 0, rc = settings(ctx, &changed);

    if (rc == 0 && ctx->v.out)
        rc = write_all(ctx);
    return rc;
}

static const char *const on_off[] = {"on", "off", NULL};

static const struct cli_option options[] = {
    CLI_ID_OPTION("circle", "ID", circle, "a circle id", "the circle"),
    CLI_ID_OPTION("person", "PID", person, "a person id",
                  "only this person's certificate"),
    {.name = "out",
     .kind = CLI_TEXT,
     .arg = "DIR",
     .help = "write the certificates into DIR (made if missing)",
     .offset = CLI_AT(out)},
    {.name = "issuer",
     .kind = CLI_TEXT,
     .arg = "NAME",
     .help = "set who issues them (\"\": the circle's organizer)",
     .offset = CLI_AT(issuer)},
    {.name = "signature-title",
     .kind = CLI_TEXT,
     .arg = "TEXT",
     .help = "set the line under the issuer's name",
     .offset = CLI_AT(signature_title)},
    {.name = "mail-at-close",
     .kind = CLI_CHOICE,
     .arg = "on|off",
     .help = "mail each person theirs two days after the last\ncall "
             "(default off)",
     .offset = CLI_AT(mail_at_close),
     .choices = on_off},
    {.name = NULL}};

const struct cli_command cli_certificate = {
    .name = "certificate",
    .summary = "write certificates of participation, or set how they are made",
    .about = "Write the certificates of participation of a circle's people "
             "(or one\nperson's) as PDF files into DIR, named "
             "<slug>-<person>-<name>.pdf: everyone\nwho attended a call, and "
             "the facilitators. Each carries a code anyone\ncan check at "
             "<base_url>/verify/<code>. --issuer, --signature-title and\n"
             "--mail-at-close set the circle's certificate settings; with "
             "none of\nthem and no --out, the settings are shown.\n",
    .requires = "circle",
    .usage = "[--person PID] [--out DIR] [--issuer NAME] [--signature-title "
             "TEXT]\n[--mail-at-close on|off]",
    .needs = CLI_CIRCLE,
    .check = check,
    .run = run,
    .options = options,
};
