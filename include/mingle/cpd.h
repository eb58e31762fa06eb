/*
 * cpd: continuing professional development journal rows, as LIANZA's
 * revalidation journal asks for them: each activity with its dates,
 * title, provider, type, hours, the Body of Knowledge (BoK) areas and
 * domains of practice it covers, and a reflection prompt.
 *
 * The coordinator tags a circle with areas and domains from a list (the
 * shipped data/cpd/lianza-bok.txt, compiled in; MINGLE_CPD_BOK_FILE
 * names another). One row per activity: one for the circle's group calls
 * a person attended ("reading circle": first to last call, their hours),
 * one per plenary they attended ("webinar"). Someone who attended
 * nothing gets no row.
 *
 * The list, the settings' checks and the row builder are pure (plain
 * structs in, rows out); mg_cpd_load() and mg_cpd_sheet() are the glue
 * that reads the store (settings, participation, notes).
 */
#ifndef MINGLE_CPD_H
#define MINGLE_CPD_H

#include <stddef.h>
#include <stdint.h>

#include "mingle/core.h"

struct mg_store;
struct mg_sheet;
struct mg_participation;

/* The longest reflection template, and the note excerpt quoted in it. */
#define MG_CPD_PROMPT_MAX 1000
#define MG_CPD_TEXT_MAX 300
#define MG_CPD_EXCERPT_MAX 160

/*
 * The list of terms: BoK areas and domains of practice, each an id
 * ("bok4", "knowing") and a label ("BoK 4: The information access
 * process").
 */
struct mg_cpd_term {
    char *id;
    char *label;
};

struct mg_cpd_list {
    struct mg_cpd_term *areas;
    size_t n_areas;
    struct mg_cpd_term *domains;
    size_t n_domains;
};

/* Parse a list in the data file's format ("area ID LABEL", "domain ID
 * LABEL", '#' comments). MG_EINVAL with the line in `err`. */
int mg_cpd_list_parse(struct mg_cpd_list *out, const char *text, size_t len,
                      struct mg_error *err);
void mg_cpd_list_release(struct mg_cpd_list *l);
/* The list in use, read once: the file MINGLE_CPD_BOK_FILE names, or the
 * shipped one (also when that file cannot be read, with a warning).
 * Borrowed; it lives as long as the process. */
const struct mg_cpd_list *mg_cpd_list(void);
/* The term whose id is `id`, compared without case, spaces or '-'
 * ("BoK 4", "bok-4" and "bok4" are one), or NULL. */
const struct mg_cpd_term *mg_cpd_term_find(const struct mg_cpd_term *terms,
                                           size_t n, const char *id);

/* A circle's CPD settings: NULL (or "") means the default. */
struct mg_cpd_settings {
    int64_t circle_id;
    char *areas;    /* ids, comma-separated, in the list's order */
    char *domains;  /* ids, comma-separated */
    char *title;    /* the reading circle's activity title */
    char *provider; /* who provides it */
    char *prompt;   /* the reflection template */
    int64_t updated_at;
};
void mg_cpd_settings_release(struct mg_cpd_settings *s);

/* The default reflection template. Placeholders: {discussed} (what the
 * person did: "You discussed “T” in G", "You facilitated G's
 * conversation on “T”", "You attended the webinar “W”"), {note} ("; in
 * week 2 you wrote: “...”" or ""), {thread}, {group}, {week}, {circle},
 * {book}, {activity}. */
extern const char mg_cpd_default_prompt[];

/*
 * Replace `*field` (areas or domains) with the ids of `text` ("BoK 1,
 * bok4"; commas or semicolons) as the list spells them, in its order,
 * each once; "" clears. MG_EINVAL naming `field` for an id not in
 * `terms`.
 */
int mg_cpd_ids_parse(char **field, const char *text,
                     const struct mg_cpd_term *terms, size_t n,
                     const char *name, struct mg_error *err);
/* Check a title, provider (one line, at most MG_CPD_TEXT_MAX bytes) or
 * prompt (at most MG_CPD_PROMPT_MAX, known placeholders only): 0, or
 * MG_EINVAL naming `name`. NULL is fine. */
int mg_cpd_text_check(const char *text, const char *name, struct mg_error *err);
int mg_cpd_prompt_check(const char *text, struct mg_error *err);

enum mg_cpd_type { MG_CPD_READING_CIRCLE, MG_CPD_WEBINAR };
/* "reading circle" or "webinar" (untranslated: data, as the journal's). */
const char *mg_cpd_type_name(enum mg_cpd_type t);

/* One journal row. */
struct mg_cpd_row {
    int64_t person_id;
    char *name; /* the person's */
    enum mg_cpd_type type;
    int64_t plenary_id; /* a webinar's */
    int64_t from, to;   /* first call's start, last call's end (UTC) */
    char from_date[11]; /* YYYY-MM-DD in the circle's zone */
    char to_date[11];
    int calls;
    int minutes; /* hours are minutes / 60, one decimal */
    char *title;
    char *provider;
    char *areas;   /* the labels, "; " between */
    char *domains; /* the labels, "; " between */
    char *reflection;
};
void mg_cpd_rows_free(struct mg_cpd_row *rows, size_t n);
/* A row's hours: minutes / 60 to one decimal (rounded half up). */
double mg_cpd_hours(int minutes);

/* Everything the builder needs besides a person's participation. */
struct mg_cpd_context {
    const struct mg_cpd_settings *settings;
    const struct mg_cpd_list *list;
    const char *circle_title;
    const char *book_title; /* may be NULL */
    const char *organizer;  /* may be NULL */
    const char *time_zone;  /* the dates' */
    /* the labels of the settings' areas and domains when worked out once
     * for many people (mg_cpd_labels); NULL: each row works them out */
    const char *area_labels, *domain_labels;
};

/* The labels of comma-separated `ids` in `terms`, "; " between (ids not
 * in the list left out). The caller's (free()). */
char *mg_cpd_labels(const char *ids, const struct mg_cpd_term *terms, size_t n);

/* The note a person sent for their group's weeks that a prompt quotes
 * (their first, by week): its week and text (borrowed). */
struct mg_cpd_note {
    int64_t person_id;
    int week;
    const char *text;
};

/*
 * Append person `p`'s rows to `*rows` (`*n` so far; realloc'd): one for
 * their group calls if any, one per plenary attended, by start. `note`
 * (may be NULL) is theirs. Pure: nothing is read but the arguments.
 */
void mg_cpd_rows_build(struct mg_cpd_row **rows, size_t *n,
                       const struct mg_cpd_context *ctx,
                       const struct mg_participation *p,
                       const struct mg_cpd_note *note);

/* The activity title a circle's row gets without a setting: "<circle>:
 * <book>", or the circle's title alone when it names the book already.
 * The caller's (free()). */
char *mg_cpd_default_title(const char *circle_title, const char *book_title);

/*
 * Glue. Circle `circle_id`'s settings (zeroed, circle_id set, when it
 * has none); release with mg_cpd_settings_release().
 */
int mg_cpd_settings_get(struct mg_cpd_settings *out, struct mg_store *st,
                        int64_t circle_id);
int mg_cpd_settings_put(struct mg_store *st, const struct mg_cpd_settings *s);

/* What a circle's title and provider are without a setting: the default
 * title (mg_cpd_default_title) and the organizer's name ("" when none).
 * Both the caller's (free()). */
int mg_cpd_defaults(char **title, char **provider, struct mg_store *st,
                    int64_t circle_id);

/*
 * The rows of circle `circle_id`'s people (`person_id` 0: everyone's,
 * by person; else that one's), from the recorded attendance and their
 * notes. *out is the caller's (mg_cpd_rows_free). MG_ENOTFOUND for an
 * unknown circle or person.
 */
int mg_cpd_load(struct mg_cpd_row **out, size_t *n, struct mg_store *st,
                int64_t circle_id, int64_t person_id);

/* The rows as a sheet "CPD": the journal's columns, with the person's
 * id and name first when `people`. The caller's (mg_sheet_free). */
struct mg_sheet *mg_cpd_sheet(const struct mg_cpd_row *rows, size_t n,
                              int people);

#endif
