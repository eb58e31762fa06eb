/*
 * csv.c: reading a registration export (RFC 4180 CSV with a header row)
 * into participants. The whole file is read before anything is returned,
 * so the first bad row stops the import and the caller stores nothing.
 * Errors name the line where the record starts and the column's header.
 */
#include "mingle/people.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "banned.h"

enum column {
    COL_IGNORED,
    COL_NAME,
    COL_EMAIL,
    COL_ROLE,
    COL_SECTOR,
    COL_REGION,
    COL_TIME_ZONE,
    COL_SLOTS,
    COL_THREADS,
    COL_WITH,
    COL_APART,
    COL_STATUS,
    COL_LOCKED
};

static const struct {
    const char *header;
    enum column col;
} aliases[] = {
    {"name", COL_NAME},
    {"full_name", COL_NAME},
    {"email", COL_EMAIL},
    {"e_mail", COL_EMAIL},
    {"email_address", COL_EMAIL},
    {"role", COL_ROLE},
    {"sector", COL_SECTOR},
    {"library_sector", COL_SECTOR},
    {"library_type", COL_SECTOR},
    {"region", COL_REGION},
    {"time_zone", COL_TIME_ZONE},
    {"timezone", COL_TIME_ZONE},
    {"slots", COL_SLOTS},
    {"call_slots", COL_SLOTS},
    {"availability", COL_SLOTS},
    {"threads", COL_THREADS},
    {"thread", COL_THREADS},
    {"wishes", COL_THREADS},
    {"thread_wishes", COL_THREADS},
    {"with", COL_WITH},
    {"must_be_with", COL_WITH},
    {"together", COL_WITH},
    {"apart", COL_APART},
    {"not_with", COL_APART},
    {"must_not_be_with", COL_APART},
    {"status", COL_STATUS},
    {"locked", COL_LOCKED},
};

/* One record's fields, pointing into a scratch buffer. */
struct record {
    struct mg_buf scratch; /* fields, each NUL-terminated */
    size_t *offsets;
    size_t n, cap;
    int line; /* line the record starts on */
};

struct reader {
    const char *p, *end;
    int line;
};

static void record_add(struct record *r, const char *s, size_t n)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 16;
        r->offsets = mg_xrealloc(r->offsets, r->cap * sizeof(*r->offsets));
    }
    r->offsets[r->n++] = r->scratch.len;
    mg_buf_add(&r->scratch, s, n);
    mg_buf_add(&r->scratch, "", 1); /* keep the NUL as a separator */
}

static const char *field(const struct record *r, size_t i)
{
    return r->scratch.data + r->offsets[i];
}

/*
 * Read the next record. Returns 1 with a record, 0 at the end of input,
 * MG_EINVAL for bad quoting (err filled).
 */
static int read_record(struct record *rec, struct reader *rd,
                       struct mg_error *err)
{
    struct mg_buf f = MG_BUF_INIT;
    int rc = 1;

    rec->scratch.len = 0;
    rec->n = 0;
    if (rd->p >= rd->end)
        return 0;
    rec->line = rd->line;
    for (;;) {
        f.len = 0;
        mg_buf_add(&f, "", 0);
        if (rd->p < rd->end && *rd->p == '"') {
            /* Quoted: "" is a quote, anything else up to the close. */
            int closed = 0;
            rd->p++;
            while (rd->p < rd->end) {
                if (*rd->p == '"') {
                    if (rd->p + 1 < rd->end && rd->p[1] == '"') {
                        mg_buf_add(&f, "\"", 1);
                        rd->p += 2;
                        continue;
                    }
                    rd->p++;
                    closed = 1;
                    break;
                }
                if (*rd->p == '\n')
                    rd->line++;
                mg_buf_add(&f, rd->p, 1);
                rd->p++;
            }
            if (!closed) {
                mg_error_set(err, "csv",
                             "line %d: a quoted field is never closed",
                             rec->line);
                rc = MG_EINVAL;
                goto out;
            }
            if (rd->p < rd->end && *rd->p != ',' && *rd->p != '\n' &&
                *rd->p != '\r') {
                mg_error_set(err, "csv",
                             "line %d: text after a closing quote (field %zu)",
                             rd->line, rec->n + 1);
                rc = MG_EINVAL;
                goto out;
            }
        } else {
            const char *start = rd->p;
            while (rd->p < rd->end && *rd->p != ',' && *rd->p != '\n' &&
                   *rd->p != '\r') {
                if (*rd->p == '"') {
                    mg_error_set(err, "csv",
                                 "line %d: a quote inside an unquoted field "
                                 "(field %zu)",
                                 rd->line, rec->n + 1);
                    rc = MG_EINVAL;
                    goto out;
                }
                rd->p++;
            }
            mg_buf_add(&f, start, (size_t)(rd->p - start));
        }
        record_add(rec, f.data, f.len);
        if (rd->p < rd->end && *rd->p == ',') {
            rd->p++;
            continue;
        }
        /* End of record: CRLF, LF, CR or the end of input. */
        if (rd->p < rd->end && *rd->p == '\r')
            rd->p++;
        if (rd->p < rd->end && *rd->p == '\n')
            rd->p++;
        rd->line++;
        break;
    }
out:
    mg_buf_release(&f);
    return rc;
}

static enum column header_column(const char *h)
{
    char norm[64];
    size_t i, n = 0;

    while (*h == ' ')
        h++;
    for (i = 0; h[i] && n + 1 < sizeof(norm); i++) {
        char c = (char)tolower((unsigned char)h[i]);
        norm[n++] = (c == ' ' || c == '-') ? '_' : c;
    }
    while (n > 0 && norm[n - 1] == '_')
        n--;
    norm[n] = '\0';
    for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
        if (strcmp(norm, aliases[i].header) == 0)
            return aliases[i].col;
    return COL_IGNORED;
}

/* A copy of `s` trimmed of spaces, or NULL when empty. */
static char *trimmed(const char *s)
{
    size_t n;

    while (*s == ' ' || *s == '\t')
        s++;
    n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return n ? mg_xstrndup(s, n) : NULL;
}

/* Split "a; b; c" into trimmed, non-empty items. */
static char **split_list(size_t *n, const char *s)
{
    char **items = NULL;
    size_t count = 0;

    while (*s) {
        const char *semi = strchr(s, ';');
        size_t len = semi ? (size_t)(semi - s) : strlen(s);
        char *piece = mg_xstrndup(s, len);
        char *item = trimmed(piece);

        free(piece);
        if (item) {
            items = mg_xrealloc(items, (count + 1) * sizeof(*items));
            items[count++] = item;
        }
        s += len;
        if (*s == ';')
            s++;
    }
    *n = count;
    return items;
}

static void free_list(char **items, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        free(items[i]);
    free(items);
}

#define ROW_ERROR(...)                                                         \
    do {                                                                       \
        char detail_[200];                                                     \
        snprintf(detail_, sizeof(detail_), __VA_ARGS__);                       \
        mg_error_set(err, header, "line %d, field '%s': %s", line, header,     \
                     detail_);                                                 \
        return MG_EINVAL;                                                      \
    } while (0)

static int take_field(struct mg_participant *p, enum column col,
                      const char *header, const char *value, int line,
                      const struct mg_import_context *ctx, struct mg_error *err)
{
    char **items;
    size_t n, i;
    char *v = trimmed(value);
    int rc = 0;

    if (!v)
        return 0;
    switch (col) {
    case COL_NAME:
        p->name = v;
        return 0;
    case COL_EMAIL:
        p->email = v;
        return 0;
    case COL_SECTOR:
        p->sector = v;
        return 0;
    case COL_REGION:
        p->region = v;
        return 0;
    case COL_TIME_ZONE:
        p->time_zone = v;
        return 0;
    case COL_ROLE:
        rc = mg_person_role_parse(&p->role, v);
        free(v);
        if (rc < 0)
            ROW_ERROR("role must be participant, facilitator or "
                      "coordinator");
        return 0;
    case COL_STATUS:
        rc = mg_person_status_parse(&p->status, v);
        free(v);
        /* "pending" is the sign-up page's, until the address confirms */
        if (rc < 0 || p->status == MG_STATUS_PENDING)
            ROW_ERROR("status must be active, waitlisted or withdrawn");
        return 0;
    case COL_LOCKED:
        p->locked = strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0 ||
                    strcmp(v, "1") == 0;
        if (!p->locked && strcasecmp(v, "no") != 0 &&
            strcasecmp(v, "false") != 0 && strcmp(v, "0") != 0) {
            free(v);
            ROW_ERROR("locked must be yes or no");
        }
        free(v);
        return 0;
    default:
        break;
    }
    items = split_list(&n, v);
    free(v);
    if (col == COL_SLOTS) {
        p->slot_ids = mg_xcalloc(n, sizeof(*p->slot_ids));
        for (i = 0; i < n; i++) {
            if (mg_people_resolve_slot(&p->slot_ids[i], ctx->circle, items[i]) <
                0) {
                char bad[64];
                snprintf(bad, sizeof(bad), "%s", items[i]);
                free_list(items, n);
                ROW_ERROR("'%s' is not one of the circle's call slots", bad);
            }
            p->n_slots++;
        }
        free_list(items, n);
    } else if (col == COL_THREADS) {
        if (n > MG_PERSON_MAX_WISHES) {
            free_list(items, n);
            ROW_ERROR("at most %d thread wishes", MG_PERSON_MAX_WISHES);
        }
        for (i = 0; i < n; i++) {
            if (mg_people_resolve_thread(&p->wishes[i], ctx, items[i]) < 0) {
                char bad[64];
                snprintf(bad, sizeof(bad), "%s", items[i]);
                free_list(items, n);
                ROW_ERROR("'%s' is not one of the circle's threads", bad);
            }
            p->n_wishes++;
        }
        free_list(items, n);
    } else if (col == COL_WITH) {
        p->with = items;
        p->n_with = n;
    } else {
        p->apart = items;
        p->n_apart = n;
    }
    return 0;
}

#undef ROW_ERROR

static int compare_emails(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void mg_import_where(char *buf, size_t cap, const struct mg_import_notes *notes,
                     size_t i)
{
    if (notes && notes->lines)
        snprintf(buf, cap, "line %d", notes->lines[i]);
    else if (notes && notes->single)
        snprintf(buf, cap, "%s", "");
    else
        snprintf(buf, cap, "item %zu", i);
}

void mg_import_notes_release(struct mg_import_notes *notes)
{
    size_t i;

    if (!notes)
        return;
    for (i = 0; i < notes->n_warnings; i++)
        free(notes->warnings[i]);
    free(notes->warnings);
    free(notes->lines);
    memset(notes, 0, sizeof(*notes));
}

static void warn(struct mg_import_notes *notes, char *text)
{
    notes->warnings = mg_xrealloc(
        notes->warnings, (notes->n_warnings + 1) * sizeof(*notes->warnings));
    notes->warnings[notes->n_warnings++] = text;
}

static void list_positions(struct mg_buf *b,
                           const struct mg_import_notes *notes,
                           const size_t *idx, size_t n);

/* Participants (not facilitators) who gave no availability, together. */
static void warn_participants(struct mg_import_notes *notes,
                              const struct mg_participant *list, size_t n,
                              const struct mg_circle *c)
{
    struct mg_buf b = MG_BUF_INIT;
    size_t *idx = NULL, count = 0, i;

    for (i = 0; i < n; i++) {
        const struct mg_participant *p = &list[i];

        if (p->role != MG_PERSON_PARTICIPANT || p->n_slots ||
            p->status == MG_STATUS_WITHDRAWN)
            continue;
        idx = mg_xrealloc(idx, (count + 1) * sizeof(*idx));
        idx[count++] = i;
    }
    if (count == 0)
        goto out;
    if (notes->single) {
        mg_buf_printf(&b, "%s (%s) gave no availability", list[0].name,
                      list[0].email);
    } else {
        mg_buf_printf(&b, "%zu %s no availability (", count,
                      count == 1 ? "participant gave" : "participants gave");
        list_positions(&b, notes, idx, count);
        mg_buf_puts(&b, ")");
    }
    mg_buf_printf(&b, ": taken as able to make any of the circle's %zu slots",
                  c->n_slots);
    warn(notes, mg_xstrdup(b.data));
out:
    free(idx);
    mg_buf_release(&b);
}

void mg_people_import_warnings(struct mg_import_notes *notes,
                               const struct mg_participant *list, size_t n,
                               const struct mg_circle *c)
{
    char where[32];
    size_t i, quiet = 0;

    if (!notes || !c || c->n_slots < 2)
        return;
    for (i = 0; i < n; i++) {
        const struct mg_participant *p = &list[i];

        if (p->role != MG_PERSON_FACILITATOR || p->n_slots ||
            p->status == MG_STATUS_WITHDRAWN)
            continue;
        if (notes->n_warnings >= MG_IMPORT_MAX_WARNINGS) {
            quiet++;
            continue;
        }
        mg_import_where(where, sizeof(where), notes, i);
        warn(notes,
             mg_xasprintf("%s%s%s (%s) is a facilitator and gave no "
                          "availability: taken as able to make any "
                          "of the circle's %zu slots",
                          where, *where ? ": " : "", p->name ? p->name : "",
                          p->email ? p->email : "", c->n_slots));
    }
    if (quiet)
        warn(notes, mg_xasprintf("and %zu more %s no availability, taken as "
                                 "able to make any slot",
                                 quiet,
                                 quiet == 1 ? "facilitator who gave"
                                            : "facilitators who gave"));
    warn_participants(notes, list, n, c);
}

int mg_people_have_links(const struct mg_participant *list, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (list[i].n_with || list[i].n_apart)
            return 1;
    return 0;
}

static int cmp_string(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void mg_people_link_warnings(struct mg_import_notes *notes,
                             const struct mg_participant *list, size_t n,
                             const struct mg_participant *registered,
                             size_t n_registered)
{
    size_t n_known = 0, i, j, quiet = 0;
    char **known, where[32];

    if (!notes || !mg_people_have_links(list, n))
        return;
    /* every address the circle will know: registered or in this import */
    known = mg_xcalloc(n + n_registered + 1, sizeof(*known));
    for (i = 0; i < n_registered; i++)
        if (registered[i].email)
            known[n_known++] = mg_email_normalize(registered[i].email);
    for (i = 0; i < n; i++)
        if (list[i].email)
            known[n_known++] = mg_email_normalize(list[i].email);
    qsort(known, n_known, sizeof(*known), cmp_string);
    for (i = 0; i < n; i++) {
        const struct mg_participant *p = &list[i];

        for (j = 0; j < p->n_with + p->n_apart; j++) {
            int apart = j >= p->n_with;
            const char *to = apart ? p->apart[j - p->n_with] : p->with[j];
            char *key = mg_email_normalize(to);

            if (!bsearch(&key, known, n_known, sizeof(*known), cmp_string)) {
                if (notes->n_warnings >= MG_IMPORT_MAX_WARNINGS) {
                    quiet++;
                } else {
                    mg_import_where(where, sizeof(where), notes, i);
                    warn(notes,
                         mg_xasprintf("%s%sthe '%s' link of %s names %s, "
                                      "who is not registered in this "
                                      "circle: it counts once they register",
                                      where, *where ? ": " : "",
                                      apart ? "apart" : "with",
                                      p->name ? p->name : "", to));
                }
            }
            free(key);
        }
    }
    if (quiet)
        warn(notes, mg_xasprintf("and %zu more %s to people not registered "
                                 "in this circle",
                                 quiet, quiet == 1 ? "link" : "links"));
    for (i = 0; i < n_known; i++)
        free(known[i]);
    free(known);
}

int mg_people_check_duplicates(const struct mg_participant *list, size_t n,
                               const struct mg_import_notes *notes,
                               struct mg_error *err)
{
    char **keys = mg_xcalloc(n + 1, sizeof(*keys));
    size_t i;
    int rc = 0;

    for (i = 0; i < n; i++) {
        /* "email\tindex" so the sort keeps which row it was */
        char *norm = mg_email_normalize(list[i].email ? list[i].email : "");
        keys[i] = mg_xasprintf("%s\t%zu", norm, i);
        free(norm);
    }
    qsort(keys, n, sizeof(*keys), compare_emails);
    for (i = 1; i < n && rc == 0; i++) {
        size_t la = strcspn(keys[i - 1], "\t");
        size_t lb = strcspn(keys[i], "\t");
        if (la == lb && memcmp(keys[i - 1], keys[i], la) == 0) {
            size_t a = strtoul(keys[i - 1] + la + 1, NULL, 10);
            size_t b = strtoul(keys[i] + lb + 1, NULL, 10);
            size_t later = a > b ? a : b, earlier = a > b ? b : a;
            char here[32], there[32];

            mg_import_where(here, sizeof(here), notes, later);
            mg_import_where(there, sizeof(there), notes, earlier);
            mg_error_set(err, "email",
                         "%s, field 'email': '%s' is already %s%s", here,
                         list[later].email,
                         notes && notes->lines ? "on " : "in ", there);
            rc = MG_EINVAL;
        }
    }
    for (i = 0; i < n; i++)
        free(keys[i]);
    free(keys);
    return rc;
}

size_t mg_people_already_registered(size_t **hits,
                                    const struct mg_participant *list, size_t n,
                                    const struct mg_participant *registered,
                                    size_t n_registered)
{
    char **known = mg_xcalloc(n_registered + 1, sizeof(*known));
    size_t i, count = 0;

    *hits = NULL;
    for (i = 0; i < n_registered; i++)
        known[i] =
            mg_email_normalize(registered[i].email ? registered[i].email : "");
    qsort(known, n_registered, sizeof(*known), compare_emails);
    for (i = 0; i < n; i++) {
        char *norm = mg_email_normalize(list[i].email ? list[i].email : "");

        if (n_registered && bsearch(&norm, known, n_registered, sizeof(*known),
                                    compare_emails)) {
            *hits = mg_xrealloc(*hits, (count + 1) * sizeof(**hits));
            (*hits)[count++] = i;
        }
        free(norm);
    }
    for (i = 0; i < n_registered; i++)
        free(known[i]);
    free(known);
    return count;
}

/*
 * "on lines 3, 4 and 9" (or "on line 3", "in items 1 and 5"): where the
 * participants `idx` were, the first ten of them and how many more.
 */
static void list_positions(struct mg_buf *b,
                           const struct mg_import_notes *notes,
                           const size_t *idx, size_t n)
{
    enum { LISTED = 10 };
    int lines = notes && notes->lines;
    size_t i, shown = n < LISTED ? n : LISTED;

    mg_buf_printf(b, "%s ",
                  lines ? (n == 1 ? "on line" : "on lines")
                        : (n == 1 ? "in item" : "in items"));
    for (i = 0; i < shown; i++) {
        const char *sep =
            i == 0 ? "" : (i == shown - 1 && shown == n ? " and " : ", ");
        if (lines)
            mg_buf_printf(b, "%s%d", sep, notes->lines[idx[i]]);
        else
            mg_buf_printf(b, "%s%zu", sep, idx[i]);
    }
    if (shown < n)
        mg_buf_printf(b, " and %zu more", n - shown);
}

void mg_import_registered_message(char *buf, size_t cap,
                                  const struct mg_participant *list,
                                  const struct mg_import_notes *notes,
                                  const size_t *hits, size_t n_hits,
                                  const char *circle)
{
    struct mg_buf b = MG_BUF_INIT;
    char where[32];

    if (n_hits == 0) {
        snprintf(buf, cap, "an address is already registered in %s", circle);
        return;
    }
    mg_import_where(where, sizeof(where), notes, hits[0]);
    if (where[0])
        mg_buf_printf(&b, "%s, field 'email': ", where);
    mg_buf_printf(&b, "'%s' is already registered in %s", list[hits[0]].email,
                  circle);
    if (n_hits > 1) {
        mg_buf_printf(&b, "; so %s the %s ", n_hits == 2 ? "is" : "are",
                      n_hits == 2 ? "address" : "addresses");
        list_positions(&b, notes, hits + 1, n_hits - 1);
    }
    snprintf(buf, cap, "%s", b.data ? b.data : "");
    mg_buf_release(&b);
}

int mg_people_parse_csv(struct mg_participant **out, size_t *n,
                        const char *data, size_t len,
                        const struct mg_import_context *ctx,
                        struct mg_error *err)
{
    return mg_people_parse_csv_noted(out, n, NULL, data, len, ctx, err);
}

int mg_people_parse_csv_noted(struct mg_participant **out, size_t *n,
                              struct mg_import_notes *notes, const char *data,
                              size_t len, const struct mg_import_context *ctx,
                              struct mg_error *err)
{
    struct mg_import_notes mine;
    struct reader rd = {data, data + len, 1};
    struct record rec;
    enum column *cols = NULL;
    char **headers = NULL;
    struct mg_participant *list = NULL;
    int *lines = NULL;
    size_t n_cols = 0, count = 0, cap = 0, i;
    int have_name = 0, have_email = 0, have_slots = 0;
    int rc;

    memset(&rec, 0, sizeof(rec));
    memset(&mine, 0, sizeof(mine));
    if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
        rd.p += 3; /* spreadsheets like to add a BOM */
    if (memchr(data, '\0', len)) {
        mg_error_set(err, "csv", "the file holds NUL bytes: not a CSV file");
        return MG_EINVAL;
    }
    rc = read_record(&rec, &rd, err);
    if (rc == 0) {
        mg_error_set(err, "csv", "the file is empty");
        rc = MG_EINVAL;
    }
    if (rc < 0)
        goto out;
    n_cols = rec.n;
    cols = mg_xcalloc(n_cols, sizeof(*cols));
    headers = mg_xcalloc(n_cols, sizeof(*headers));
    for (i = 0; i < n_cols; i++) {
        headers[i] = mg_xstrdup(field(&rec, i));
        cols[i] = header_column(headers[i]);
        have_name |= cols[i] == COL_NAME;
        have_email |= cols[i] == COL_EMAIL;
        have_slots |= cols[i] == COL_SLOTS;
    }
    if (!have_name || !have_email) {
        mg_error_set(err, "csv",
                     "line 1: the header row needs 'name' and 'email' "
                     "columns");
        rc = MG_EINVAL;
        goto out;
    }
    for (;;) {
        struct mg_participant *p;
        int blank;

        rc = read_record(&rec, &rd, err);
        if (rc <= 0)
            break;
        blank = rec.n == 1 && field(&rec, 0)[0] == '\0';
        if (blank)
            continue; /* blank lines, e.g. at the end */
        if (rec.n != n_cols) {
            mg_error_set(err, "csv", "line %d: %zu fields, the header has %zu",
                         rec.line, rec.n, n_cols);
            rc = MG_EINVAL;
            break;
        }
        if (count == MG_IMPORT_MAX_ROWS) {
            mg_error_set(err, "csv", "line %d: more than %d rows", rec.line,
                         MG_IMPORT_MAX_ROWS);
            rc = MG_EINVAL;
            break;
        }
        if (count == cap) {
            cap = cap ? cap * 2 : 64;
            list = mg_xrealloc(list, cap * sizeof(*list));
            lines = mg_xrealloc(lines, cap * sizeof(*lines));
        }
        p = &list[count];
        memset(p, 0, sizeof(*p));
        lines[count] = rec.line;
        count++;
        for (i = 0; i < n_cols && rc >= 0; i++)
            if (cols[i] != COL_IGNORED)
                rc = take_field(p, cols[i], headers[i], field(&rec, i),
                                rec.line, ctx, err);
        if (rc < 0)
            break;
        rc = mg_participant_validate(p, err);
        if (rc < 0) {
            char msg[sizeof(err->message)];
            snprintf(msg, sizeof(msg), "%s", err->message);
            mg_error_set(err, err->field, "line %d, field '%s': %s", rec.line,
                         err->field, msg);
            break;
        }
    }
    if (rc >= 0 && count == 0) {
        mg_error_set(err, "csv", "the file has a header but no rows");
        rc = MG_EINVAL;
    }
    mine.lines = lines;
    lines = NULL;
    if (rc >= 0)
        rc = mg_people_check_duplicates(list, count, &mine, err);
    if (rc >= 0 && notes) {
        if (have_slots)
            mg_people_import_warnings(&mine, list, count, ctx->circle);
        else if (ctx->circle && ctx->circle->n_slots > 1)
            warn(&mine, mg_xasprintf("the file has no availability column: "
                                     "everyone is taken as able to make any "
                                     "of the circle's %zu slots",
                                     ctx->circle->n_slots));
        *notes = mine;
        memset(&mine, 0, sizeof(mine));
    }
    if (rc >= 0) {
        *out = list;
        *n = count;
        list = NULL;
        rc = 0;
    }
out:
    mg_participants_free(list, count);
    for (i = 0; headers && i < n_cols; i++)
        free(headers[i]);
    free(headers);
    free(cols);
    free(lines);
    mg_import_notes_release(&mine);
    free(rec.offsets);
    mg_buf_release(&rec.scratch);
    return rc;
}
