/*
 * notes.c: `mingle notes digest|list|approve|reject`. The digest prints
 * a circle's week (Markdown, or HTML with --html); list prints notes as
 * a table (the review queue with --status review); approve and reject
 * decide a note in review. Control characters that came by mail never
 * reach the terminal.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "mingle/notes.h"

static const char notes_help[] =
    "usage: mingle notes digest --circle ID [--week N] [--html]\n"
    "       mingle notes list --circle ID [--group G] [--week N] [--kind K]\n"
    "                         [--status S]\n"
    "       mingle notes list --status review\n"
    "       mingle notes approve ID [--group G] [--week N] [--circle ID]\n"
    "       mingle notes reject ID\n\n"
    "Print a circle's digest for one week (or every week so far): each\n"
    "group's reading, summaries, then members' notes. List notes (published\n"
    "by default; --status review without --circle shows the whole review\n"
    "queue). Approve a note in review to publish it, filed under --group\n"
    "and --week if given (a note that reached no circle needs --group, and\n"
    "--circle to say whose group it is), or reject it.\n\n"
    "options:\n" CLI_CONFIG_HELP "      --circle ID       the circle\n"
    "      --group G         a group id\n"
    "      --week N          a week (digest: 0 is every week so far)\n"
    "      --kind K          summary or note\n"
    "      --status S        published (default), review or rejected\n"
    "      --html            the digest as an HTML page\n"
    "  -h, --help            show this help\n";

struct notes_args {
    long long circle, group, week, id;
    const char *kind, *status;
    int html;
};

/* Print `s` with control characters (escape sequences) as '?'. */
static void put_clean(const char *s, int width)
{
    int n = 0;

    for (; s && *s && (width < 0 || n < width); s++, n++)
        putchar((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s);
    for (; n < width; n++)
        putchar(' ');
}

static int digest(struct mg_store *st, const struct notes_args *a)
{
    struct mg_error err = {{0}, {0}};
    char *text = NULL;
    int rc = mg_notes_digest(a->html ? NULL : &text, a->html ? &text : NULL, st,
                             a->circle, (int)a->week, &err);

    if (rc == MG_ENOTFOUND)
        cli_error("no circle %lld", a->circle);
    else if (rc < 0)
        cli_error("cannot make the digest: %s",
                  err.message[0] ? err.message : mg_strerror(rc));
    else
        fputs(text, stdout);
    free(text);
    return rc < 0 ? 1 : 0;
}

static const char *author_of(const struct mg_note *n)
{
    if (n->author && *n->author)
        return n->author;
    if (n->from_name && *n->from_name)
        return n->from_name;
    return n->from_email ? n->from_email : "";
}

static int list(struct mg_store *st, const struct notes_args *a)
{
    struct mg_note_filter f;
    struct mg_note *notes = NULL;
    size_t n = 0, i;
    int rc;

    memset(&f, 0, sizeof(f));
    f.circle_id = a->circle;
    f.any_circle = a->circle == 0;
    f.group_id = a->group;
    f.week = (int)a->week;
    f.kind = a->kind;
    f.status = a->status;
    rc = mg_store_notes_list(&notes, &n, st, &f);
    if (rc < 0) {
        cli_error("cannot list notes: %s", mg_strerror(rc));
        return 1;
    }
    printf("%-6s  %-9s  %-7s  %-6s  %-6s  %-4s  %-16s  %-24s  %s\n", "ID",
           "STATUS", "KIND", "CIRCLE", "GROUP", "WEEK", "DATE (UTC)", "AUTHOR",
           "SUBJECT");
    for (i = 0; i < n; i++) {
        const struct mg_note *note = &notes[i];
        time_t t = (time_t)(note->sent_at ? note->sent_at : note->received_at);
        char date[32], circle[24], group[24], week[16];
        struct tm tm;

        gmtime_r(&t, &tm);
        strftime(date, sizeof(date), "%Y-%m-%d %H:%M", &tm);
        snprintf(circle, sizeof(circle), "%lld", (long long)note->circle_id);
        snprintf(group, sizeof(group), "%lld", (long long)note->group_id);
        snprintf(week, sizeof(week), "%d", note->week);
        printf("%-6lld  %-9s  %-7s  %-6s  %-6s  %-4s  %-16s  ",
               (long long)note->id, mg_store_note_status_name(note->status),
               note->kind, note->circle_id ? circle : "-",
               note->group_id ? group : "-", note->week ? week : "-", date);
        put_clean(author_of(note), 24);
        printf("  ");
        put_clean(note->subject ? note->subject : "", -1);
        if (note->review_reason && note->status == MG_STORE_NOTE_REVIEW) {
            printf("  (");
            put_clean(note->review_reason, -1);
            printf(")");
        }
        printf("\n");
    }
    mg_store_notes_free(notes, n);
    return 0;
}

/* Whether circle `circle` has group `group`; its thread in *thread. */
static int find_group(int64_t *thread, struct mg_store *st, long long circle,
                      long long group)
{
    struct mg_group_row *groups = NULL;
    size_t n = 0, i;
    int rc = mg_store_groups_list(&groups, &n, st, circle), found = 0;

    for (i = 0; rc == 0 && i < n; i++) {
        if (groups[i].id == group) {
            *thread = groups[i].thread_id;
            found = 1;
        }
    }
    mg_store_groups_free(groups, n);
    if (rc < 0)
        return rc;
    return found ? 0 : MG_ENOTFOUND;
}

static int decide(struct mg_store *st, const struct notes_args *a, int publish)
{
    struct mg_note n;
    struct mg_circle *c = NULL;
    int64_t circle = 0, thread = 0;
    int rc = mg_store_note_get(&n, st, a->id, 0);

    if (rc == MG_ENOTFOUND) {
        cli_error("no note %lld", a->id);
        return 1;
    }
    if (rc < 0) {
        cli_error("cannot read note %lld: %s", a->id, mg_strerror(rc));
        return 1;
    }
    circle = n.circle_id ? n.circle_id : a->circle;
    if (publish && a->circle && n.circle_id && a->circle != n.circle_id) {
        cli_error("note %lld is in circle %lld, not %lld", a->id,
                  (long long)n.circle_id, a->circle);
        rc = MG_EINVAL;
    } else if (publish && !circle) {
        cli_error("note %lld reached no circle: give --circle and --group",
                  a->id);
        rc = MG_EINVAL;
    } else if (publish && a->group) {
        rc = find_group(&thread, st, circle, a->group);
        if (rc == MG_ENOTFOUND)
            cli_error("circle %lld has no group %lld", (long long)circle,
                      a->group);
    }
    if (rc == 0 && publish && a->week) {
        rc = mg_store_circle_get(&c, st, circle);
        if (rc == 0 && a->week > c->weeks) {
            cli_error("--week must be from 1 to %d", c->weeks);
            rc = MG_EINVAL;
        }
    }
    if (rc == 0)
        rc = mg_store_note_decide(st, n.id, publish, publish ? circle : 0,
                                  publish ? a->group : 0,
                                  publish ? (int)a->week : 0, thread);
    if (rc == MG_ECONFLICT)
        cli_error("note %lld is not in review: it is %s", a->id,
                  mg_store_note_status_name(n.status));
    else if (rc == 0)
        printf("note %lld %s\n", a->id, publish ? "published" : "rejected");
    else if (rc != MG_EINVAL && rc != MG_ENOTFOUND)
        cli_error("cannot decide note %lld: %s", a->id, mg_strerror(rc));
    mg_circle_free(c);
    mg_store_note_release(&n);
    return rc < 0 ? 1 : 0;
}

static int take_number(long long *out, const char *flag, const char *arg,
                       long long min)
{
    char *end;

    *out = strtoll(arg, &end, 10);
    if (!*arg || *end || *out < min) {
        cli_error("%s must be a number of at least %lld, not '%s'", flag, min,
                  arg);
        return -1;
    }
    return 0;
}

/* Parse the flags into `a`; -1 to go on, or the exit code to end with. */
static int parse(struct notes_args *a, struct cli_overrides *ov, int argc,
                 char **argv)
{
    static const struct option options[] = {
        CLI_CONFIG_OPTIONS,
        {"circle", required_argument, NULL, 'C'},
        {"group", required_argument, NULL, 'G'},
        {"week", required_argument, NULL, 'w'},
        {"kind", required_argument, NULL, 'k'},
        {"status", required_argument, NULL, 'S'},
        {"html", no_argument, NULL, 'H'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    enum mg_store_note_status status;
    int opt, bad = 0;

    for (;;) {
        opt = getopt_long(argc, argv, "c:d:h", options, NULL);
        if (opt == -1)
            break;
        if (cli_take_option(ov, opt, optarg))
            continue;
        switch (opt) {
        case 'C':
            bad = take_number(&a->circle, "--circle", optarg, 1);
            break;
        case 'G':
            bad = take_number(&a->group, "--group", optarg, 1);
            break;
        case 'w':
            bad = take_number(&a->week, "--week", optarg, 0);
            break;
        case 'k':
            a->kind = optarg;
            if (strcmp(optarg, "summary") != 0 && strcmp(optarg, "note") != 0) {
                cli_error("--kind must be summary or note, not '%s'", optarg);
                bad = -1;
            }
            break;
        case 'S':
            a->status = optarg;
            if (mg_store_note_status_parse(&status, optarg) < 0) {
                cli_error("--status must be published, review or rejected, "
                          "not '%s'",
                          optarg);
                bad = -1;
            }
            break;
        case 'H':
            a->html = 1;
            break;
        case 'h':
            fputs(notes_help, stdout);
            return 0;
        default:
            fputs(notes_help, stderr);
            return EXIT_USAGE;
        }
        if (bad < 0)
            return EXIT_USAGE;
    }
    return -1;
}

int cmd_notes(int argc, char **argv)
{
    struct cli_overrides ov;
    struct notes_args a;
    struct mg_config cfg;
    struct mg_store *st = NULL;
    const char *action;
    int rc, decides;

    memset(&ov, 0, sizeof(ov));
    memset(&a, 0, sizeof(a));
    rc = parse(&a, &ov, argc, argv);
    if (rc >= 0)
        return rc;
    action = optind < argc ? argv[optind] : "";
    decides = strcmp(action, "approve") == 0 || strcmp(action, "reject") == 0;
    if (decides && optind + 2 == argc) {
        if (take_number(&a.id, "the note id", argv[optind + 1], 1) < 0)
            return EXIT_USAGE;
    } else if (decides || optind + 1 != argc ||
               (strcmp(action, "digest") != 0 && strcmp(action, "list") != 0)) {
        fputs(notes_help, stderr);
        return EXIT_USAGE;
    }
    if (strcmp(action, "digest") == 0 && !a.circle) {
        cli_error("digest needs --circle");
        return EXIT_USAGE;
    }
    if (strcmp(action, "list") == 0 && !a.circle &&
        !(a.status && strcmp(a.status, "review") == 0)) {
        cli_error("list needs --circle (or --status review for the whole "
                  "review queue)");
        return EXIT_USAGE;
    }
    if (cli_config(&cfg, &ov, NULL) < 0)
        return 1;
    rc = 1;
    if (cli_open_store(&st, &cfg, 1) == 0) {
        if (strcmp(action, "digest") == 0)
            rc = digest(st, &a);
        else if (strcmp(action, "list") == 0)
            rc = list(st, &a);
        else
            rc = decide(st, &a, strcmp(action, "approve") == 0);
    }
    mg_store_close(st);
    mg_config_release(&cfg);
    return rc;
}
