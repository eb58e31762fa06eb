/*
 * attendance.c: `mingle attendance import FILE --circle ID --session SID`
 * reads a video platform's participant report (Zoom or Teams CSV) and
 * records who came to the session; `attendance show` prints it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mingle/attendance.h"

static const char attendance_help[] =
    "usage: mingle attendance import FILE.csv --circle ID --session SID\n"
    "       mingle attendance show --circle ID --session SID\n\n"
    "Record who came to a session from the participant report the video\n"
    "platform exports: Zoom's participants CSV (with or without the meeting\n"
    "summary above it) or Teams' attendance report (UTF-16 or UTF-8).\n"
    "People are matched to the group's members by email, then by name;\n"
    "members not in the report are recorded absent, and a member counts\n"
    "as present after 10% of the call. People it cannot match are listed\n"
    "and not stored. A malformed report changes nothing.\n\n"
    "options:\n" CLI_CONFIG_HELP "      --circle ID       the circle\n"
    "      --session SID     the session (see GET .../sessions)\n"
    "  -h, --help            show this help\n";

static int import(struct mg_store *st, long long circle, long long session,
                  const char *path)
{
    struct mg_buf data = MG_BUF_INIT;
    struct mg_attendance_result res;
    struct mg_error err;
    size_t i;
    int rc;

    memset(&res, 0, sizeof(res));
    memset(&err, 0, sizeof(err));
    if (cli_read_file(&data, path))
        return MG_EIO;
    rc = mg_attendance_import(&res, st, circle, session,
                              data.data ? data.data : "", data.len, &err);
    if (rc == MG_EINVAL) {
        cli_error("%s: %s; nothing was recorded", path, err.message);
        goto out;
    }
    if (rc == MG_ENOTFOUND) {
        cli_error("no session %lld in circle %lld", session, circle);
        goto out;
    }
    if (rc < 0) {
        cli_error("%s: cannot record: %s", path, mg_strerror(rc));
        goto out;
    }
    printf("%s report for session %lld: %zu matched, %zu absent, %zu "
           "unmatched\n",
           res.format, session, res.n_matched, res.n_absent, res.n_unmatched);
    for (i = 0; i < res.n_matched; i++)
        printf("  %-8s %-6lld  %-28s %4d min  by %s%s%s\n",
               res.matched[i].present ? "present" : "brief",
               (long long)res.matched[i].participant_id, res.matched[i].name,
               res.matched[i].minutes,
               res.matched[i].by == MG_MATCH_EMAIL ? "email" : "name",
               strcmp(res.matched[i].name, res.matched[i].report_name) ? " as "
                                                                       : "",
               strcmp(res.matched[i].name, res.matched[i].report_name)
                   ? res.matched[i].report_name
                   : "");
    for (i = 0; i < res.n_absent; i++)
        printf("  %-8s %-6lld  %s\n", "absent",
               (long long)res.absent[i].participant_id, res.absent[i].name);
    for (i = 0; i < res.n_unmatched; i++)
        printf("  %-8s %-6s  %-28s %4d min  %s (line %d)\n", "unknown", "-",
               res.unmatched[i].name, res.unmatched[i].minutes,
               res.unmatched[i].email ? res.unmatched[i].email : "no email",
               res.unmatched[i].line);
out:
    mg_attendance_result_release(&res);
    mg_buf_release(&data);
    return rc;
}

static int show(struct mg_store *st, long long circle, long long session)
{
    struct mg_session_row s;
    struct mg_attendance_row *rows = NULL;
    size_t n = 0, i;
    int rc = mg_store_session_get(&s, st, circle, session);

    if (rc == MG_ENOTFOUND) {
        cli_error("no session %lld in circle %lld", session, circle);
        return rc;
    }
    if (rc == 0)
        rc = mg_store_attendance_list(&rows, &n, st, s.id);
    if (rc < 0) {
        cli_error("cannot read attendance: %s", mg_strerror(rc));
        return rc;
    }
    printf("%-6s  %-28s  %-8s  %7s  %s\n", "ID", "NAME", "PRESENT", "MINUTES",
           "SOURCE");
    for (i = 0; i < n; i++)
        printf("%-6lld  %-28.28s  %-8s  %7d  %s\n",
               (long long)rows[i].participant_id,
               rows[i].name ? rows[i].name : "-",
               rows[i].present ? "yes" : "no", rows[i].minutes, rows[i].source);
    mg_store_attendance_free(rows, n);
    return 0;
}

int cmd_attendance(int argc, char **argv)
{
    static const struct option options[] = {
        CLI_CONFIG_OPTIONS,
        {"circle", required_argument, NULL, 'C'},
        {"session", required_argument, NULL, 'S'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    struct cli_overrides ov;
    struct mg_config cfg;
    struct mg_store *st = NULL;
    const char *action;
    long long circle = 0, session = 0;
    int opt, rc = 1;

    memset(&ov, 0, sizeof(ov));
    for (;;) {
        opt = getopt_long(argc, argv, "c:d:h", options, NULL);
        if (opt == -1)
            break;
        if (cli_take_option(&ov, opt, optarg))
            continue;
        switch (opt) {
        case 'C':
            if (cli_parse_id(&circle, "--circle", "a circle id", optarg) < 0)
                return EXIT_USAGE;
            break;
        case 'S':
            if (cli_parse_id(&session, "--session", "a session id", optarg) < 0)
                return EXIT_USAGE;
            break;
        case 'h':
            fputs(attendance_help, stdout);
            return 0;
        default:
            fputs(attendance_help, stderr);
            return EXIT_USAGE;
        }
    }
    if (optind >= argc || !circle || !session) {
        fputs(attendance_help, stderr);
        return EXIT_USAGE;
    }
    action = argv[optind];
    if (!(strcmp(action, "import") == 0 && optind + 2 == argc) &&
        !(strcmp(action, "show") == 0 && optind + 1 == argc)) {
        fputs(attendance_help, stderr);
        return EXIT_USAGE;
    }
    if (cli_config(&cfg, &ov, NULL) < 0)
        return 1;
    if (cli_open_store(&st, &cfg, 1) < 0)
        goto out;
    if (strcmp(action, "import") == 0)
        rc = import(st, circle, session, argv[optind + 1]) < 0;
    else
        rc = show(st, circle, session) < 0;
out:
    mg_store_close(st);
    mg_config_release(&cfg);
    return rc;
}
