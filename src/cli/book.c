/*
 * book.c: `mingle book split FILE` previews how mingle reads a book (the
 * section tree, the threads and both weekly plans) without a database;
 * `mingle book load FILE --circle ID` stores it for a circle, as the API
 * does.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mingle/auth.h"
#include "mingle/book.h"
#include "mingle/json.h"

#include "banned.h"

static int read_file(struct mg_buf *out, const char *path)
{
    FILE *f = fopen(path, "rb");
    char chunk[65536];
    size_t n;

    if (!f) {
        cli_error("cannot open '%s': %s", path, strerror(errno));
        return 1;
    }
    for (;;) {
        n = fread(chunk, 1, sizeof(chunk), f);
        if (n == 0)
            break;
        mg_buf_add(out, chunk, n);
        if (out->len > MG_BOOK_MAX_INPUT) {
            fclose(f);
            cli_error("'%s' is over %u MiB", path,
                      MG_BOOK_MAX_INPUT / (1024 * 1024));
            return 1;
        }
    }
    if (ferror(f)) {
        fclose(f);
        cli_error("cannot read '%s'", path);
        return 1;
    }
    fclose(f);
    return 0;
}

static void print_reading(const struct mg_book *b, const struct mg_reading *r)
{
    const char *first = b->sections[r->first].title;
    const char *last = b->sections[r->end - 1].title;

    if (b->no_structure)
        printf("    week %d: %zu words (text bytes %zu-%zu)\n", r->week,
               r->words, r->text_start, r->text_end);
    else if (r->end - r->first == 1)
        printf("    week %d: %zu words, %s\n", r->week, r->words, first);
    else
        printf("    week %d: %zu words, %s ... %s\n", r->week, r->words, first,
               last);
}

static void print_text(const struct mg_book *b, const struct mg_book_split *s,
                       int weeks)
{
    size_t i, j;

    printf("%s%s%s (%s, %zu words, %zu sections)\n",
           b->title ? b->title : "untitled", b->author ? " by " : "",
           b->author ? b->author : "", mg_book_format_name(b->format), b->words,
           b->n_sections);
    if (b->no_structure)
        printf("no chapters or headings found: readings are equal slices "
               "of the text\n");
    if (b->utf8_repaired)
        printf("invalid UTF-8 was replaced with U+FFFD\n");
    printf("\nsections:\n");
    for (i = 0; i < b->n_sections; i++)
        printf("  %*s%s%s (%zu words)\n", 2 * (b->sections[i].level - 1), "",
               b->sections[i].is_thread ? "[thread] " : "",
               b->sections[i].title, b->sections[i].total_words);
    printf("\nthreads:\n");
    for (i = 0; i < s->n_threads; i++)
        printf("  %zu. %s (%zu words)\n", i + 1, s->threads[i].title,
               s->threads[i].words);
    printf("\nsame pace, %d weeks:\n", weeks);
    for (i = 0; i < s->n_same_pace; i++)
        print_reading(b, &s->same_pace[i]);
    printf("\nthread per group, %d weeks:\n", weeks);
    for (i = 0; i < s->n_threads; i++) {
        printf("  %s\n", s->threads[i].title);
        for (j = 0; j < s->n_per_thread[i]; j++)
            print_reading(b, &s->per_thread[i][j]);
    }
}

/* The steps `book load` counts in its progress: read, parsed, split, stored. */
#define LOAD_STEPS 4

/* cli_book_store() with progress on `prog` (may be NULL). */
static int book_store(struct mg_store *st, const struct mg_circle *c,
                      const char *path, const struct mg_book *b,
                      const char *data, size_t len, int weeks,
                      struct cli_progress *prog)
{
    struct mg_book_split s;
    struct mg_book_upload up;
    struct mg_error err = {{0}, {0}};
    const char *base = strrchr(path, '/');
    char sha[65];
    int64_t book_id = 0;
    int rc;

    if (!weeks)
        weeks = c->weeks;
    rc = mg_book_split(&s, b, weeks, &err);
    if (rc < 0) {
        cli_progress_abandon(prog);
        cli_error("%s: %s", path, err.message);
        return rc;
    }
    cli_progress_update(prog, 3, 0);
    mg_sha256_hex(sha, data, len);
    mg_book_upload_init(&up, b, &s, base ? base + 1 : path, sha);
    rc = mg_store_book_replace(&book_id, st, c->id, &up);
    if (rc < 0)
        cli_progress_abandon(prog);
    else
        cli_progress_end(prog, LOAD_STEPS);
    if (rc < 0)
        cli_error("cannot store the book: %s", mg_strerror(rc));
    else
        printf("loaded '%s' into circle %lld: %zu section%s, %zu thread%s, "
               "%d week%s\n",
               path, (long long)c->id, b->n_sections,
               b->n_sections == 1 ? "" : "s", s.n_threads,
               s.n_threads == 1 ? "" : "s", weeks, weeks == 1 ? "" : "s");
    mg_book_split_release(&s);
    return rc;
}

int cli_book_store(struct mg_store *st, const struct mg_circle *c,
                   const char *path, const struct mg_book *b, const char *data,
                   size_t len, int weeks)
{
    return book_store(st, c, path, b, data, len, weeks, NULL);
}

int cli_read_file(struct mg_buf *out, const char *path)
{
    return read_file(out, path);
}

/* Read and parse the book at ctx->argv[0] into *out; 0 or 1 (reported). */
static int read_book(struct mg_book **out, struct mg_buf *data,
                     struct cli_ctx *ctx, struct cli_progress *prog)
{
    struct mg_error err = {{0}, {0}};
    const char *path = ctx->argv[0];

    if (read_file(data, path)) {
        cli_progress_abandon(prog);
        return 1;
    }
    cli_progress_update(prog, 1, 0);
    if (mg_book_parse(out, data->data ? data->data : "", data->len, path,
                      &err) < 0) {
        cli_progress_abandon(prog);
        cli_error("%s: %s", path, err.message);
        return 1;
    }
    cli_progress_update(prog, 2, 0);
    return 0;
}

static int split(struct cli_ctx *ctx)
{
    struct mg_buf data = MG_BUF_INIT;
    struct mg_book *b = NULL;
    struct mg_book_split s;
    struct mg_error err = {{0}, {0}};
    int weeks = ctx->v.weeks ? (int)ctx->v.weeks : 4;
    int rc = read_book(&b, &data, ctx, NULL);

    memset(&s, 0, sizeof(s));
    if (rc)
        goto out;
    if (mg_book_split(&s, b, weeks, &err) < 0) {
        cli_error("%s: %s", ctx->argv[0], err.message);
        rc = 1;
        goto out;
    }
    if (ctx->v.json) {
        char *text = mg_json_book_preview(b, &s, weeks);
        puts(text);
        free(text);
    } else {
        print_text(b, &s, weeks);
    }
out:
    mg_book_split_release(&s);
    mg_book_free(b);
    mg_buf_release(&data);
    return rc;
}

static int load(struct cli_ctx *ctx)
{
    struct mg_buf data = MG_BUF_INIT;
    struct mg_book *b = NULL;
    struct cli_progress prog;
    int rc;

    cli_progress_start(&prog, "loading book", LOAD_STEPS);
    rc = read_book(&b, &data, ctx, &prog);
    if (rc == 0 && book_store(ctx->st, ctx->circle, ctx->argv[0], b, data.data,
                              data.len, (int)ctx->v.weeks, &prog) < 0)
        rc = 1;
    mg_book_free(b);
    mg_buf_release(&data);
    return rc;
}

static const struct cli_option options[] = {
    {.name = "weeks",
     .short_name = 'w',
     .kind = CLI_NUMBER,
     .arg = "K",
     .help = "weeks to plan (split: default 4; load: the\ncircle's)",
     .offset = CLI_AT(weeks),
     .what = "1..104",
     .min = 1,
     .max = 104},
    CLI_ID_OPTION("circle", "ID", circle, "a circle id",
                  "the circle to load the book into"),
    {.name = "json",
     .kind = CLI_FLAG,
     .help = "print what the API would return",
     .offset = CLI_AT(json)},
    {.name = NULL}};

static const struct cli_command actions[] = {{.name = "split",
                                              .args = "FILE",
                                              .usage = "[--weeks K] [--json]",
                                              .needs = CLI_NOTHING,
                                              .run = split},
                                             {.name = "load",
                                              .args = "FILE",
                                              .requires = "circle",
                                              .usage = "[--weeks K]",
                                              .needs = CLI_CIRCLE,
                                              .run = load},
                                             {.name = NULL}};

const struct cli_command cli_book = {
    .name = "book",
    .summary = "split a book into threads and weekly readings",
    .about = "Read a book (plain text, Markdown, HTML or EPUB; the format is "
             "told\nfrom the content) into sections, threads and weekly "
             "readings.\n'split' prints them and touches no database; 'load' "
             "stores them for\na circle, replacing its previous book.\n",
    .options = options,
    .actions = actions,
};
