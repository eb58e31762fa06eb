/*
 * roster.c: the roster, a row per person of the circle: who they are,
 * where they are placed, what they can make and asked for, and their
 * sign-up consent. No secrets: no page or feed tokens. Four queries
 * whatever the circle's size (people, their slots, their wishes, the
 * threads), merged by person id.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "mingle/circle.h"
#include "mingle/store.h"

#include "banned.h"

static const char *const header[] = {
    "ID",           "Name",       "Email",        "Role",
    "Status",       "Sector",     "Region",       "Time zone",
    "Group",        "Thread",     "Slots",        "Thread wishes",
    "Joined group", "Registered", "Consented at", "Consent version",
    "Volunteered",  "Reminders",  "Locked",
};

static const char *thread_title(const struct mg_span *threads, size_t n,
                                int64_t id)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (threads[i].id == id)
            return threads[i].title ? threads[i].title : "";
    return "";
}

int export_roster(struct mg_sheet ***out, size_t *n, struct mg_store *st,
                  int64_t circle_id)
{
    struct mg_circle *c = NULL;
    struct mg_sheet_person *people = NULL;
    struct mg_sheet_pair *slots = NULL, *wishes = NULL;
    struct mg_span *threads = NULL;
    size_t n_people = 0, n_slots = 0, n_wishes = 0, n_threads = 0;
    size_t i, ks = 0, kw = 0;
    struct mg_buf text = MG_BUF_INIT;
    struct mg_sheet *s;
    char label[64];
    int rc;

    rc = mg_store_circle_get(&c, st, circle_id);
    if (rc == 0)
        rc = mg_store_sheet_people(&people, &n_people, st, circle_id);
    if (rc == 0)
        rc = mg_store_sheet_slots(&slots, &n_slots, st, circle_id);
    if (rc == 0)
        rc = mg_store_sheet_wishes(&wishes, &n_wishes, st, circle_id);
    if (rc == 0)
        rc = mg_store_threads(&threads, &n_threads, st, circle_id);
    if (rc < 0)
        goto out;
    s = mg_sheet_new("Roster");
    export_add(out, n, s);
    mg_sheet_row(s, header, sizeof(header) / sizeof(header[0]));
    for (i = 0; i < n_people; i++) {
        const struct mg_sheet_person *p = &people[i];

        mg_sheet_int(s, p->id);
        mg_sheet_text(s, p->name);
        mg_sheet_text(s, p->email);
        mg_sheet_text(s, p->role);
        mg_sheet_text(s, p->status);
        mg_sheet_text(s, p->sector);
        mg_sheet_text(s, p->region);
        mg_sheet_text(s, p->time_zone);
        mg_sheet_text(s, p->group_name);
        mg_sheet_text(s, p->thread_title);
        /* both lists are by person id, as the people are */
        text.len = 0;
        while (ks < n_slots && slots[ks].person_id < p->id)
            ks++;
        for (; ks < n_slots && slots[ks].person_id == p->id; ks++) {
            export_slot_text(label, sizeof(label), c, slots[ks].id);
            if (!label[0])
                continue;
            mg_buf_printf(&text, "%s%s", text.len ? "; " : "", label);
        }
        mg_sheet_text(s, text.len ? text.data : "");
        text.len = 0;
        while (kw < n_wishes && wishes[kw].person_id < p->id)
            kw++;
        for (; kw < n_wishes && wishes[kw].person_id == p->id; kw++)
            mg_buf_printf(&text, "%s%s", text.len ? "; " : "",
                          thread_title(threads, n_threads, wishes[kw].id));
        mg_sheet_text(s, text.len ? text.data : "");
        export_time(s, c, p->joined_at);
        export_time(s, c, p->created_at);
        export_time(s, c, p->consent_at);
        mg_sheet_text(s, p->consent_version);
        mg_sheet_text(s, p->volunteer ? "yes" : "");
        mg_sheet_text(s, p->reminders_off ? "off" : "on");
        mg_sheet_text(s, p->locked ? "yes" : "");
        mg_sheet_end_row(s);
    }
out:
    mg_buf_release(&text);
    mg_store_spans_free(threads, n_threads);
    free(wishes);
    free(slots);
    mg_store_sheet_people_free(people, n_people);
    mg_circle_free(c);
    return rc;
}
