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

#include "banned.h"

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

static int create(struct cli_ctx *ctx)
{
    return token_create(ctx->st, ctx->v.role, ctx->v.label, ctx->v.circle,
                        ctx->v.group);
}

static int list(struct cli_ctx *ctx)
{
    return token_list(ctx->st);
}

static int revoke(struct cli_ctx *ctx)
{
    const char *id = ctx->argv[0];
    int rc = mg_store_token_revoke(ctx->st, id);

    if (rc == MG_ENOTFOUND)
        cli_error("no live token '%s'", id);
    else if (rc < 0)
        cli_error("cannot revoke: %s", mg_strerror(rc));
    else
        printf("revoked %s\n", id);
    return rc < 0 ? 1 : 0;
}

static const struct cli_option options[] = {
    {.name = "role",
     .short_name = 'r',
     .kind = CLI_TEXT,
     .arg = "ROLE",
     .help = "the new token's role",
     .offset = CLI_AT(role)},
    {.name = "label",
     .kind = CLI_TEXT,
     .arg = "TEXT",
     .help = "a note to tell tokens apart",
     .offset = CLI_AT(label)},
    CLI_ID_OPTION("circle", "ID", circle, "a circle id",
                  "the circle the token is for"),
    CLI_ID_OPTION("group", "ID", group, "a group id",
                  "the facilitator's group (in that circle)"),
    {.name = NULL}};

static const struct cli_command actions[] = {
    {.name = "create",
     .requires = "role",
     .usage = "[--label TEXT] [--circle ID] [--group ID]",
     .needs = CLI_STORE,
     .run = create},
    {.name = "list", .needs = CLI_STORE, .run = list},
    {.name = "revoke", .args = "PUBLIC-ID", .needs = CLI_STORE, .run = revoke},
    {.name = NULL}};

const struct cli_command cli_token = {
    .name = "token",
    .summary = "create, list and revoke API tokens",
    .about = "API bearer tokens. 'create' prints the new token once; store it\n"
             "safely, mingle keeps only its hash. What a token reaches:\n"
             "  coordinator              every circle: everything\n"
             "  coordinator --circle ID  that circle: everything in it\n"
             "  facilitator --circle ID --group ID\n"
             "                           that group: its members and notes, "
             "and\n"
             "                           its review queue\n"
             "  participant --circle ID  what the circle is and reads\n",
    .options = options,
    .actions = actions,
};
