/*
 * people.c: `mingle people import FILE.csv --circle ID` registers the
 * people of a registration export, all or none; `mingle people list`
 * shows who is registered; `mingle people page` mints a person's page URL;
 * `people export` prints everything held about a person as JSON and
 * `people erase` erases it (a person's data rights).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mingle/signup.h"
#include "mingle/calendar.h"
#include "mingle/people.h"
#include "mingle/plenary.h"

#include "banned.h"

/*
 * An import refused for an address already registered: every such line,
 * not only the first the store met (`failed`), so one fix does.
 */
static void registered_message(char *msg, size_t cap, struct mg_store *st,
                               const struct mg_circle *c,
                               const struct mg_participant *list, size_t n,
                               const struct mg_import_notes *notes,
                               size_t failed)
{
    struct mg_people_filter f;
    struct mg_participant *known = NULL;
    size_t n_known = 0, n_hits = 0, *hits = NULL;
    char where[32];

    memset(&f, 0, sizeof(f));
    snprintf(where, sizeof(where), "circle %lld", (long long)c->id);
    if (mg_store_participants_list(&known, &n_known, st, c->id, &f) == 0)
        n_hits = mg_people_already_registered(&hits, list, n, known, n_known);
    if (n_hits == 0) {
        free(hits);
        hits = mg_xmalloc(sizeof(*hits));
        hits[0] = failed;
        n_hits = 1;
    }
    mg_import_registered_message(msg, cap, list, notes, hits, n_hits, where);
    free(hits);
    mg_participants_free(known, n_known);
}

/* The import, with progress on `prog` (may be NULL). */
static int import_people(struct mg_store *st, const struct mg_circle *c,
                         const char *path, struct cli_progress *prog)
{
    struct mg_buf data = MG_BUF_INIT;
    struct mg_span *threads = NULL;
    size_t n_threads = 0, n = 0, failed = 0, i;
    int64_t *ids = NULL;
    const char **titles = NULL;
    struct mg_import_context ctx;
    struct mg_participant *list = NULL;
    struct mg_import_notes notes;
    struct mg_error err = {{0}, {0}};
    int rc = cli_read_file(&data, path) ? MG_EIO : 0;

    memset(&notes, 0, sizeof(notes));

    if (rc == 0)
        rc = mg_store_threads(&threads, &n_threads, st, c->id);
    if (rc < 0)
        goto out;
    ids = mg_xcalloc(n_threads, sizeof(*ids));
    titles = mg_xcalloc(n_threads, sizeof(*titles));
    for (i = 0; i < n_threads; i++) {
        ids[i] = threads[i].id;
        titles[i] = threads[i].title;
    }
    ctx.circle = c;
    ctx.thread_ids = ids;
    ctx.thread_titles = titles;
    ctx.n_threads = n_threads;
    rc = mg_people_parse_csv_noted(
        &list, &n, &notes, data.data ? data.data : "", data.len, &ctx, &err);
    if (rc < 0) {
        cli_error("%s: %s", path, err.message);
        goto out;
    }
    /* with/apart links to people the circle does not know yet */
    if (mg_people_have_links(list, n)) {
        struct mg_people_filter f;
        struct mg_participant *known = NULL;
        size_t n_known = 0;

        memset(&f, 0, sizeof(f));
        if (mg_store_participants_list(&known, &n_known, st, c->id, &f) == 0)
            mg_people_link_warnings(&notes, list, n, known, n_known);
        mg_participants_free(known, n_known);
    }
    /* Read and checked; storing them is one transaction. */
    cli_progress_update(prog, 0, n);
    rc = mg_store_participants_insert(&failed, st, c->id, list, n);
    if (rc == 0)
        cli_progress_end(prog, n);
    else
        cli_progress_abandon(prog);
    if (rc == MG_ECONFLICT) {
        char msg[1024];

        registered_message(msg, sizeof(msg), st, c, list, n, &notes, failed);
        cli_error("%s: %s; nothing was imported", path, msg);
    } else if (rc < 0) {
        cli_error("%s: cannot store: %s; nothing was imported", path,
                  mg_strerror(rc));
    } else {
        for (i = 0; i < notes.n_warnings; i++)
            fprintf(stderr, "mingle: %s: warning: %s\n", path,
                    notes.warnings[i]);
        printf("imported %zu %s into circle %lld\n", n,
               n == 1 ? "person" : "people", (long long)c->id);
    }
out:
    mg_import_notes_release(&notes);
    mg_participants_free(list, n);
    mg_store_spans_free(threads, n_threads);
    free(ids);
    free(titles);
    mg_buf_release(&data);
    return rc;
}

int cli_people_import(struct mg_store *st, const struct mg_circle *c,
                      const char *path)
{
    return import_people(st, c, path, NULL);
}

/* Mint person `pid`'s page URL (base_url from the config, else the
 * daemon's own address) and print it. */
static int print_page_url(struct mg_store *st, const struct mg_config *cfg,
                          int64_t circle, long long pid)
{
    char token[MG_TOKEN_ID_LEN + MG_TOKEN_SECRET_LEN + 1];
    int rc = mg_calendar_page_token(token, st, circle, pid);

    if (rc == MG_ENOTFOUND) {
        cli_error("no person %lld in circle %lld", pid, (long long)circle);
        return rc;
    }
    if (rc < 0) {
        cli_error("cannot make the page: %s", mg_strerror(rc));
        return rc;
    }
    if (cfg->base_url)
        printf("%s/p/%s\n", cfg->base_url, token);
    else
        printf("http://%s:%d/p/%s\n", cfg->listen, cfg->port, token);
    return 0;
}

static int list_people(struct mg_store *st, int64_t circle, const char *status)
{
    struct mg_people_filter f;
    struct mg_participant *list = NULL;
    size_t n = 0, i;
    int rc;

    memset(&f, 0, sizeof(f));
    f.status = status;
    rc = mg_store_participants_list(&list, &n, st, circle, &f);
    if (rc < 0) {
        cli_error("cannot list people: %s", mg_strerror(rc));
        return rc;
    }
    printf("%-6s  %-24s  %-28s  %-11s  %-10s  %-12s  %s\n", "ID", "NAME",
           "EMAIL", "ROLE", "SECTOR", "REGION", "STATUS");
    for (i = 0; i < n; i++)
        printf("%-6lld  %-24.24s  %-28.28s  %-11s  %-10.10s  %-12.12s  %s\n",
               (long long)list[i].id, list[i].name, list[i].email,
               mg_person_role_name(list[i].role),
               list[i].sector ? list[i].sector : "-",
               list[i].region ? list[i].region : "-",
               mg_person_status_name(list[i].status));
    mg_participants_free(list, n);
    return 0;
}

static int export_person(struct mg_store *st, int64_t circle, long long pid)
{
    char *text = NULL;
    int rc = mg_store_person_export(&text, st, circle, pid);

    if (rc == MG_ENOTFOUND)
        cli_error("no person %lld in circle %lld", pid, (long long)circle);
    else if (rc < 0)
        cli_error("cannot export person %lld: %s", pid, mg_strerror(rc));
    else
        printf("%s\n", text);
    free(text);
    return rc;
}

/* Give up person `pid`'s plenary places as a withdrawal does (the
 * waitlist moves up and is invited); *promoted counts who moved up. */
static int leave_plenaries(size_t *promoted, struct mg_store *st,
                           int64_t circle, long long pid)
{
    struct mg_error err = {{0}, {0}};
    int rc = mg_plenary_leave_all(promoted, st, circle, pid, &err);

    if (rc < 0)
        cli_error("cannot give up person %lld's plenary places: %s", pid,
                  err.message[0] ? err.message : mg_strerror(rc));
    return rc;
}

static int erase_person(struct mg_store *st, int64_t circle, long long pid)
{
    struct mg_erasure e;
    struct mg_error err = {{0}, {0}};
    size_t promoted = 0, moved = 0;
    int rc = leave_plenaries(&promoted, st, circle, pid);

    if (rc < 0)
        return rc;
    rc = mg_store_participant_erase(&e, st, circle, pid);
    if (rc == MG_ENOTFOUND) {
        cli_error("no person %lld in circle %lld", pid, (long long)circle);
        return rc;
    }
    if (rc < 0) {
        cli_error("cannot erase person %lld: %s; nothing was erased", pid,
                  mg_strerror(rc));
        return rc;
    }
    /* a place they held goes to the first waiting, under a capacity */
    if (mg_signup_fill(&moved, st, circle, &err) < 0)
        cli_error("erased, but their place is not yet handed on: %s",
                  err.message);
    else if (moved)
        printf("the first waiting now has their place (%zu moved up)\n", moved);
    printf("erased person %lld of circle %lld; records erased: group "
           "memberships %zu, invitations %zu, RSVPs %zu, attendance %zu, "
           "plenary registrations %zu (promoted from the waitlist: %zu), "
           "notes %zu (attachments %zu), messages %zu, secrets %zu, others' "
           "links to their address %zu\n",
           pid, (long long)circle, e.memberships, e.invites, e.rsvps,
           e.attendance, e.registrations, promoted, e.notes, e.attachments,
           e.mail, e.secrets, e.links);
    if (!e.wal_truncated)
        printf("the WAL could not be emptied now (a reader was busy); the "
               "next checkpoint does it\n");
    return 0;
}

static int import(struct cli_ctx *ctx)
{
    struct cli_progress prog;

    cli_progress_start(&prog, "importing people", 0);
    return import_people(ctx->st, ctx->circle, ctx->argv[0], &prog) < 0;
}

static int list(struct cli_ctx *ctx)
{
    return list_people(ctx->st, ctx->v.circle, ctx->v.status) < 0;
}

static int page(struct cli_ctx *ctx)
{
    return print_page_url(ctx->st, &ctx->cfg, ctx->v.circle, ctx->v.person) < 0;
}

static int export(struct cli_ctx *ctx)
{
    return export_person(ctx->st, ctx->v.circle, ctx->v.person) < 0;
}

static int erase(struct cli_ctx *ctx)
{
    return erase_person(ctx->st, ctx->v.circle, ctx->v.person) < 0;
}

static const char *const statuses[] = {"active", "waitlisted", "withdrawn",
                                       "pending", NULL};

static const struct cli_option options[] = {
    CLI_ID_OPTION("circle", "ID", circle, "a circle id", "the circle"),
    {.name = "status",
     .kind = CLI_CHOICE,
     .arg = "S",
     .help = "list only active, waitlisted, withdrawn or pending (signed\n"
             "up, not yet confirmed)",
     .offset = CLI_AT(status),
     .choices = statuses},
    {.name = "person",
     .kind = CLI_NUMBER,
     .arg = "PID",
     .help = "`page`: print a new secret URL of the person's\n"
             "own page (the old one, and their old calendar\n"
             "address, stop working); `export`: print as\n"
             "JSON everything held about the person; `erase`:\n"
             "erase it, without asking (their plenary places\n"
             "go to the waitlist first), and say what went",
     .offset = CLI_AT(person),
     .what = "a person id",
     .min = 1,
     .max = LLONG_MAX},
    {.name = NULL}};

static const struct cli_command actions[] = {{.name = "import",
                                              .args = "FILE.csv",
                                              .requires = "circle",
                                              .needs = CLI_CIRCLE,
                                              .run = import},
                                             {.name = "list",
                                              .requires = "circle",
                                              .usage = "[--status S]",
                                              .needs = CLI_CIRCLE,
                                              .run = list},
                                             {.name = "page",
                                              .requires = "circle person",
                                              .needs = CLI_CIRCLE,
                                              .run = page},
                                             {.name = "export",
                                              .requires = "circle person",
                                              .needs = CLI_CIRCLE,
                                              .run = export},
                                             {.name = "erase",
                                              .requires = "circle person",
                                              .needs = CLI_CIRCLE,
                                              .run = erase},
                                             {.name = NULL}};

const struct cli_command cli_people = {
    .name = "people",
    .summary = "import, list, export and erase a circle's participants",
    .about = "Register the people of a CSV export (a header row naming the "
             "columns:\nname, email, role, sector, region, time_zone, slots, "
             "threads, with,\napart, status, locked; other columns are "
             "ignored). The first bad row\nstops the import with its line "
             "and field, and nothing is stored.\n",
    .options = options,
    .actions = actions,
};
