/*
 * groups.c: the groups, a row each: its call slot in the circle's zone,
 * thread, facilitators, how many members, its call link (as invitations
 * give it) and its mail address. One query for the groups with their
 * counts, one for the circle.
 */
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"
#include "mingle/circle.h"
#include "mingle/store.h"

#include "banned.h"

static const char *const header[] = {
    "Group",   "Slot",         "Time zone",
    "Thread",  "Facilitators", "Facilitator emails",
    "Members", "Call link",    "Address",
    "ID",
};

int export_groups(struct mg_sheet ***out, size_t *n, struct mg_store *st,
                  int64_t circle_id)
{
    struct mg_circle *c = NULL;
    struct mg_sheet_group *groups = NULL;
    size_t n_groups = 0, i;
    struct mg_sheet *s;
    char slot[64];
    int rc;

    rc = mg_store_circle_get(&c, st, circle_id);
    if (rc == 0)
        rc = mg_store_sheet_groups(&groups, &n_groups, st, circle_id);
    if (rc < 0)
        goto out;
    s = mg_sheet_new("Groups");
    export_add(out, n, s);
    mg_sheet_row(s, header, sizeof(header) / sizeof(header[0]));
    for (i = 0; i < n_groups; i++) {
        const struct mg_sheet_group *g = &groups[i];
        char *link = mg_circle_call_link(c, g->call_url, g->name, g->position,
                                         g->secret);

        export_slot_text(slot, sizeof(slot), c, g->slot_id);
        mg_sheet_text(s, g->name);
        mg_sheet_text(s, slot);
        mg_sheet_text(s, slot[0] ? c->time_zone : "");
        mg_sheet_text(s, g->thread_title);
        mg_sheet_text(s, g->facilitators);
        mg_sheet_text(s, g->facilitator_emails);
        mg_sheet_int(s, g->members);
        mg_sheet_text(s, link);
        mg_sheet_text(s, g->address);
        mg_sheet_int(s, g->id);
        mg_sheet_end_row(s);
        free(link);
    }
out:
    mg_store_sheet_groups_free(groups, n_groups);
    mg_circle_free(c);
    return rc;
}
