/*
 * certificate.c: `mingle certificate --circle ID [--person PID] --out DIR`
 * writes the certificates of participation of a circle (or one person)
 * as PDF files, <slug>-<person>-<name>.pdf, with progress on a terminal;
 * with --issuer, --signature-title or --mail-at-close it sets the
 * circle's certificate settings first, and with none of these it shows
 * them. Drawing is certify's; the certificates are drawn on one thread
 * per core.
 */
#include "cli.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* The circle's certificates are drawn by one thread per core (drawing
 * is all CPU; each thread has pango's font map of its own), taking the
 * next person from a shared counter. Workers only draw and write; what
 * failed first is kept for the main thread to report. */
struct batch {
    const struct mg_certify_circle *cc;
    const struct mg_participation *people;
    struct mg_certificate_issue *issues; /* by person, when written */
    unsigned char *written;              /* by person */
    size_t n;
    const char *out;
    int64_t now;
    atomic_size_t next, done;
    atomic_int failed;     /* the first failure's MG_E code, or 0 */
    int64_t failed_person; /* set by whoever set failed */
    int failed_errno;      /* a file that could not be written */
};

static int write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(data, 1, len, f) == len;

    if (f && fclose(f) != 0)
        ok = 0;
    return ok ? 0 : MG_EIO;
}

static void fail(struct batch *b, int rc, int64_t person, int err)
{
    int none = 0;

    if (atomic_compare_exchange_strong(&b->failed, &none, rc)) {
        b->failed_person = person;
        b->failed_errno = err;
    }
}

/* Draw and write person i's certificate, if they have one. */
static void one(struct batch *b, size_t i)
{
    const struct mg_participation *p = &b->people[i];
    char ascii[64], *path, *pdf = NULL;
    size_t len = 0;
    int rc;

    if (!mg_certify_eligible(p))
        return;
    rc = mg_certify_draw(&pdf, &len, NULL, &b->issues[i], b->cc, p, b->now);
    if (rc < 0) {
        fail(b, rc, p->person_id, 0);
        return;
    }
    mg_certify_ascii_name(ascii, sizeof(ascii), p->name);
    path = mg_xasprintf("%s/%s-%lld-%s.pdf", b->out, mg_certify_slug(b->cc),
                        (long long)p->person_id, ascii);
    errno = 0;
    rc = write_file(path, pdf, len);
    if (rc < 0)
        fail(b, rc, p->person_id, errno ? errno : EIO);
    else
        b->written[i] = 1;
    free(path);
    free(pdf);
}

/* Take people until none is left or one failed; `progress` (NULL on the
 * other threads) is shown as they go. */
static void work(struct batch *b, struct cli_progress *progress)
{
    while (!atomic_load(&b->failed)) {
        size_t i = atomic_fetch_add(&b->next, 1);

        if (i >= b->n)
            break;
        one(b, i);
        atomic_fetch_add(&b->done, 1);
        if (progress)
            cli_progress_update(progress, atomic_load(&b->done), 0);
    }
}

static void *worker(void *arg)
{
    work(arg, NULL);
    return NULL;
}

static size_t threads_for(size_t n)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    size_t t = cores < 1 ? 1 : cores > 8 ? 8 : (size_t)cores;

    return n < t ? (n ? n : 1) : t;
}

static int write_all(struct cli_ctx *ctx)
{
    struct mg_certify_circle *cc = NULL;
    struct mg_participation *people = NULL;
    struct mg_certificate_issue *issued = NULL;
    struct cli_progress progress;
    struct batch b;
    pthread_t threads[8];
    const char *base = ctx->cfg.base_url;
    char *own_base = NULL;
    size_t n = 0, i, written = 0, none = 0, t, started = 0;
    int rc;

    memset(&b, 0, sizeof(b));
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
    b.cc = cc;
    b.people = people;
    b.n = n;
    b.out = ctx->v.out;
    b.now = mg_now();
    b.issues = mg_xcalloc(n ? n : 1, sizeof(*b.issues));
    b.written = mg_xcalloc(n ? n : 1, 1);
    atomic_init(&b.next, 0);
    atomic_init(&b.done, 0);
    atomic_init(&b.failed, 0);
    cli_progress_start(&progress, "certificates", n);
    for (t = 1; t < threads_for(n); t++)
        if (pthread_create(&threads[started], NULL, worker, &b) == 0)
            started++;
    work(&b, &progress);
    for (t = 0; t < started; t++)
        pthread_join(threads[t], NULL);
    rc = atomic_load(&b.failed);
    if (rc < 0) {
        cli_progress_abandon(&progress);
        if (b.failed_errno)
            cli_error("cannot write the certificate of person %lld into "
                      "'%s': %s",
                      (long long)b.failed_person, ctx->v.out,
                      strerror(b.failed_errno));
        else
            cli_error("cannot draw the certificate of person %lld: %s",
                      (long long)b.failed_person, mg_strerror(rc));
    }
    /* what left is recorded, so its code stays checkable */
    issued = mg_xcalloc(n ? n : 1, sizeof(*issued));
    for (i = 0; i < n; i++) {
        if (b.written[i])
            issued[written++] = b.issues[i];
        else if (!mg_certify_eligible(&people[i]))
            none++;
    }
    if (written) {
        int src = mg_store_certificates_issued(ctx->st, issued, written);
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
    free(issued);
    free(b.issues);
    free(b.written);
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
