/*
 * token.c: `mingle token create|list|revoke`. A new token is printed
 * once, on stdout, and never again: only its hash is stored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "mingle/auth.h"

static const char token_help[] =
    "usage: mingle token create --role ROLE [--label TEXT] [--circle ID]\n"
    "                           [--group ID]\n"
    "       mingle token list\n"
    "       mingle token revoke PUBLIC-ID\n\n"
    "API bearer tokens. 'create' prints the new token once; store it\n"
    "safely, mingle keeps only its hash. What a token reaches:\n"
    "  coordinator              every circle: everything\n"
    "  coordinator --circle ID  that circle: everything in it\n"
    "  facilitator --circle ID --group ID\n"
    "                           that group: its members and notes, and\n"
    "                           its review queue\n"
    "  participant --circle ID  what the circle is and reads\n\n"
    "options:\n" CLI_CONFIG_HELP
    "  -r, --role ROLE       the new token's role\n"
    "      --label TEXT      a note to tell tokens apart\n"
    "      --circle ID       the circle the token is for\n"
    "      --group ID        the facilitator's group (in that circle)\n"
    "  -h, --help            show this help\n";

static void format_time(char *buf, size_t n, int64_t t)
{
    if (!t) {
        snprintf(buf, n, "-");
        return;
    }
    mg_format_utc(buf, n, t);
}

/* Whether group `group` is in circle `circle`: 0, 1 if not, or a
 * store failure reported. */
static int check_group(struct mg_store *st, long long circle, long long group)
{
    struct mg_group_row *groups = NULL;
    size_t n = 0, i;
    int found = 0, rc = mg_store_groups_list(&groups, &n, st, circle);

    if (rc < 0) {
        cli_error("cannot read circle %lld's groups: %s", circle,
                  mg_strerror(rc));
        return 1;
    }
    for (i = 0; i < n; i++)
        found |= groups[i].id == group;
    mg_store_groups_free(groups, n);
    if (!found) {
        cli_error("circle %lld has no group %lld", circle, group);
        return 1;
    }
    return 0;
}

static int token_create(struct mg_store *st, const char *role,
                        const char *label, long long circle, long long group)
{
    struct mg_token tok;
    unsigned char hash[MG_TOKEN_HASH_LEN];
    char token[MG_TOKEN_LEN + 1];
    int rc;

    memset(&tok, 0, sizeof(tok));
    if (!role || mg_role_parse(&tok.role, role) < 0) {
        cli_error("--role must be coordinator, facilitator or participant");
        return EXIT_USAGE;
    }
    if (tok.role == MG_ROLE_FACILITATOR && (!circle || !group)) {
        cli_error("a facilitator token needs --circle and --group");
        return EXIT_USAGE;
    }
    if (tok.role == MG_ROLE_PARTICIPANT && !circle) {
        cli_error("a participant token needs --circle");
        return EXIT_USAGE;
    }
    if (tok.role != MG_ROLE_FACILITATOR && group) {
        cli_error("--group is for facilitator tokens");
        return EXIT_USAGE;
    }
    if (group && (rc = check_group(st, circle, group)) != 0)
        return rc;
    tok.group_id = group;
    if (label && strlen(label) >= sizeof(tok.label)) {
        cli_error("--label is longer than %zu bytes", sizeof(tok.label) - 1);
        return EXIT_USAGE;
    }
    snprintf(tok.label, sizeof(tok.label), "%s", label ? label : "");
    tok.circle_id = circle;
    mg_auth_token_new(token, tok.public_id, hash);
    rc = mg_store_token_insert(st, &tok, hash);
    if (rc == MG_EINVAL) {
        cli_error("no circle %lld", circle);
        return 1;
    }
    if (rc < 0) {
        cli_error("cannot store the token: %s", mg_strerror(rc));
        return 1;
    }
    printf("%s\n", token);
    fprintf(stderr, "mingle: created %s token %s; it is shown only this once\n",
            role, tok.public_id);
    return 0;
}

static int token_list(struct mg_store *st)
{
    struct mg_token *list = NULL;
    size_t n = 0, i;
    int rc = mg_store_token_list(&list, &n, st);

    if (rc < 0) {
        cli_error("cannot list tokens: %s", mg_strerror(rc));
        return 1;
    }
    printf("%-16s  %-11s  %-6s  %-20s  %-20s  %-20s  %s\n", "ID", "ROLE",
           "CIRCLE", "CREATED", "LAST USED", "REVOKED", "LABEL");
    for (i = 0; i < n; i++) {
        char created[32], used[32], revoked[32], circle[24];
        format_time(created, sizeof(created), list[i].created_at);
        format_time(used, sizeof(used), list[i].last_used_at);
        format_time(revoked, sizeof(revoked), list[i].revoked_at);
        if (list[i].group_id) /* circle/group */
            snprintf(circle, sizeof(circle), "%lld/%lld",
                     (long long)list[i].circle_id, (long long)list[i].group_id);
        else if (list[i].circle_id)
            snprintf(circle, sizeof(circle), "%lld",
                     (long long)list[i].circle_id);
        else
            snprintf(circle, sizeof(circle), "all");
        printf("%-16s  %-11s  %-6s  %-20s  %-20s  %-20s  %s\n",
               list[i].public_id, mg_role_name(list[i].role), circle, created,
               used, revoked, list[i].label);
    }
    free(list);
    return 0;
}

int cmd_token(int argc, char **argv)
{
    static const struct option options[] = {
        CLI_CONFIG_OPTIONS,
        {"role", required_argument, NULL, 'r'},
        {"label", required_argument, NULL, 'l'},
        {"circle", required_argument, NULL, 'C'},
        {"group", required_argument, NULL, 'G'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    struct cli_overrides ov;
    struct mg_config cfg;
    struct mg_store *st = NULL;
    const char *role = NULL, *label = NULL, *action;
    long long circle = 0, group = 0;
    int opt, rc;

    memset(&ov, 0, sizeof(ov));
    for (;;) {
        opt = getopt_long(argc, argv, "c:d:r:h", options, NULL);
        if (opt == -1)
            break;
        if (cli_take_option(&ov, opt, optarg))
            continue;
        switch (opt) {
        case 'r':
            role = optarg;
            break;
        case 'l':
            label = optarg;
            break;
        case 'C':
            if (cli_parse_id(&circle, "--circle", "a circle id", optarg) < 0)
                return EXIT_USAGE;
            break;
        case 'G':
            if (cli_parse_id(&group, "--group", "a group id", optarg) < 0)
                return EXIT_USAGE;
            break;
        case 'h':
            fputs(token_help, stdout);
            return 0;
        default:
            fputs(token_help, stderr);
            return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fputs(token_help, stderr);
        return EXIT_USAGE;
    }
    action = argv[optind];
    if (strcmp(action, "create") != 0 && strcmp(action, "list") != 0 &&
        strcmp(action, "revoke") != 0) {
        cli_error("unknown token action '%s'", action);
        return EXIT_USAGE;
    }
    if (strcmp(action, "create") == 0 && !role) {
        cli_error("token create needs --role (coordinator, facilitator or "
                  "participant)");
        return EXIT_USAGE;
    }
    if (strcmp(action, "revoke") == 0 && optind + 2 != argc) {
        cli_error("usage: mingle token revoke PUBLIC-ID");
        return EXIT_USAGE;
    }
    if (cli_config(&cfg, &ov, NULL) < 0)
        return 1;
    if (cli_open_store(&st, &cfg, 1) < 0) {
        mg_config_release(&cfg);
        return 1;
    }
    if (strcmp(action, "create") == 0) {
        rc = token_create(st, role, label, circle, group);
    } else if (strcmp(action, "list") == 0) {
        rc = token_list(st);
    } else {
        rc = mg_store_token_revoke(st, argv[optind + 1]);
        if (rc == MG_ENOTFOUND)
            cli_error("no live token '%s'", argv[optind + 1]);
        else if (rc < 0)
            cli_error("cannot revoke: %s", mg_strerror(rc));
        else
            printf("revoked %s\n", argv[optind + 1]);
        rc = rc < 0 ? 1 : 0;
    }
    mg_store_close(st);
    mg_config_release(&cfg);
    return rc;
}
