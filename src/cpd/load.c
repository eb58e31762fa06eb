/*
 * load.c: the glue behind a circle's CPD journal rows: its settings, its
 * people's participation and first notes, read from the store in a few
 * queries whatever the circle's size, then the pure row builder; and the
 * rows as a sheet for CSV and XLSX.
 */
#include "mingle/cpd.h"

#include <stdlib.h>
#include <string.h>

#include "mingle/participation.h"
#include "mingle/sheet.h"
#include "mingle/store.h"

#include "banned.h"

int mg_cpd_settings_get(struct mg_cpd_settings *out, struct mg_store *st,
                        int64_t circle_id)
{
    return mg_store_cpd_get(out, st, circle_id);
}

int mg_cpd_settings_put(struct mg_store *st, const struct mg_cpd_settings *s)
{
    struct mg_cpd_settings copy = *s;

    return mg_store_cpd_put(st, &copy);
}

int mg_cpd_defaults(char **title, char **provider, struct mg_store *st,
                    int64_t circle_id)
{
    struct mg_circle *c = NULL;
    struct mg_book_info book;
    int rc = mg_store_circle_get(&c, st, circle_id);
    int have_book = 0;

    *title = *provider = NULL;
    if (rc == 0) {
        rc = mg_store_book_get(&book, st, circle_id);
        have_book = rc == 0;
        if (rc == MG_ENOTFOUND)
            rc = 0;
    }
    if (rc == 0) {
        *title = mg_cpd_default_title(c->title, have_book ? book.title : NULL);
        *provider = mg_xstrdup(c->organizer_name ? c->organizer_name : "");
    }
    if (have_book)
        mg_store_book_info_release(&book);
    mg_circle_free(c);
    return rc;
}

int mg_cpd_load(struct mg_cpd_row **out, size_t *n, struct mg_store *st,
                int64_t circle_id, int64_t person_id)
{
    struct mg_circle *c = NULL;
    struct mg_book_info book;
    struct mg_cpd_settings s;
    struct mg_participation *people = NULL;
    struct mg_store_cpd_note *notes = NULL;
    struct mg_cpd_row *rows = NULL;
    size_t n_people = 0, n_notes = 0, n_rows = 0, i, k = 0;
    int have_book = 0;
    int rc;

    *out = NULL;
    *n = 0;
    memset(&s, 0, sizeof(s));
    rc = mg_store_circle_get(&c, st, circle_id);
    if (rc < 0)
        goto out;
    rc = mg_store_book_get(&book, st, circle_id);
    if (rc == 0)
        have_book = 1;
    else if (rc != MG_ENOTFOUND)
        goto out;
    rc = mg_store_cpd_get(&s, st, circle_id);
    if (rc == 0)
        rc =
            mg_participation_load(&people, &n_people, st, circle_id, person_id);
    if (rc == 0)
        rc = mg_store_cpd_notes(&notes, &n_notes, st, circle_id, person_id);
    if (rc < 0)
        goto out;
    {
        const struct mg_cpd_list *l = mg_cpd_list();
        char *areas = mg_cpd_labels(s.areas, l->areas, l->n_areas);
        char *domains = mg_cpd_labels(s.domains, l->domains, l->n_domains);
        struct mg_cpd_context ctx = {
            .settings = &s,
            .list = l,
            .circle_title = c->title,
            .book_title = have_book ? book.title : NULL,
            .organizer = c->organizer_name,
            .time_zone = c->time_zone,
            .area_labels = areas,
            .domain_labels = domains,
        };

        for (i = 0; i < n_people; i++) {
            struct mg_cpd_note note = {0, 0, NULL};

            /* both lists are by person; a person's first note leads */
            while (k < n_notes && notes[k].person_id < people[i].person_id)
                k++;
            if (k < n_notes && notes[k].person_id == people[i].person_id) {
                note.person_id = notes[k].person_id;
                note.week = notes[k].week;
                note.text = notes[k].text;
            }
            mg_cpd_rows_build(&rows, &n_rows, &ctx, &people[i],
                              note.text ? &note : NULL);
        }
        free(areas);
        free(domains);
    }
    *out = rows;
    *n = n_rows;
    rows = NULL;
    n_rows = 0;
out:
    mg_cpd_rows_free(rows, n_rows);
    mg_store_cpd_notes_free(notes, n_notes);
    mg_participation_free(people, n_people);
    mg_cpd_settings_release(&s);
    if (have_book)
        mg_store_book_info_release(&book);
    mg_circle_free(c);
    return rc;
}

struct mg_sheet *mg_cpd_sheet(const struct mg_cpd_row *rows, size_t n,
                              int people)
{
    static const char *const head[] = {"From",      "To",     "Activity",
                                       "Provider",  "Type",   "Hours",
                                       "BoK areas", "Domain", "Reflection"};
    struct mg_sheet *sh = mg_sheet_new("CPD");
    size_t i, j;

    if (people) {
        mg_sheet_text(sh, "Person id");
        mg_sheet_text(sh, "Name");
    }
    for (j = 0; j < sizeof(head) / sizeof(head[0]); j++)
        mg_sheet_text(sh, head[j]);
    mg_sheet_end_row(sh);
    for (i = 0; i < n; i++) {
        const struct mg_cpd_row *r = &rows[i];

        if (people) {
            mg_sheet_int(sh, r->person_id);
            mg_sheet_text(sh, r->name);
        }
        mg_sheet_text(sh, r->from_date);
        mg_sheet_text(sh, r->to_date);
        mg_sheet_text(sh, r->title);
        mg_sheet_text(sh, r->provider);
        mg_sheet_text(sh, mg_cpd_type_name(r->type));
        mg_sheet_number(sh, mg_cpd_hours(r->minutes));
        mg_sheet_text(sh, r->areas);
        mg_sheet_text(sh, r->domains);
        mg_sheet_text(sh, r->reflection);
        mg_sheet_end_row(sh);
    }
    return sh;
}
